"""module_db rows of the convolutional-network layers: pools, convolutions, normalization, channel
dropout, padding, upsampling and pixel shuffles. The table and
its helpers are module_db.py's, which imports this file at its end."""
import numpy as np

from module_db import OK, SAME, C, E, Sub, _ones, add, features, shaped
from op_db import Domain

# the last sample is small enough for gradcheck (64 values at most)
IMAGES = shaped(("NCHW", (2, 3, 7, 8)), ("CHW", (3, 7, 8)), ("empty", (0, 3, 7, 8)),
                ("noncontig", (2, 3, 7, 8), "nc"), ("small", (1, 2, 5, 6)))
SIGNALS = shaped(("NCL", (2, 3, 9)), ("CL", (3, 9)), ("empty", (0, 3, 9)), ("noncontig", (2, 3, 9), "nc"),
                 ("small", (2, 2, 9)))
_IMAGE = lambda L: (_ones(L, 1, 1, 4, 4),)  # noqa: E731
_SIGNAL = lambda L: (_ones(L, 1, 1, 4),)  # noqa: E731


def _pool_errors(op, image, dims, rank_error=RuntimeError):
    """What every windowed pool refuses: a kernel over the padded input, a zero stride, padding
    over half the kernel, sizes for more dims than it pools, an input of the wrong rank."""
    small = (lambda L: (_ones(L, 1, 1, 3, 3),)) if dims == 2 else (lambda L: (_ones(L, 1, 1, 3),))
    wrong_rank = (lambda L: (_ones(L, 4),)) if dims == 2 else (lambda L: (_ones(L, 1, 1, 2, 4),))
    return [
        E("kernel_too_big", C(5), small, ValueError, torch=RuntimeError, match=(op, "(1, 1, 3")),
        E("stride_0", C(2, 0), image, ValueError, torch=RuntimeError, match=(op, "stride")),
        E("padding_over_half", C(2, padding=2), image, ValueError, torch=RuntimeError, match=(op, "padding")),
        E("three_sizes", C((2, 2, 2)), image, ValueError, torch=RuntimeError, match=(op, "kernel_size")),
        E("wrong_rank", C(2), wrong_rank, ValueError, torch=rank_error, match=op,
          note="" if rank_error is RuntimeError else "torch's avg_pool2d indexes dims it does not have"),
    ]


add("MaxPool2d", [C(2), C(3, 2, 1), C((2, 3), (1, 2), (1, 1), id="rect"), C(3, 1, 1, 2, id="dilated"),
                  C(3, 2, ceil_mode=True, id="ceil"), C([2, 2], id="list")],
    IMAGES, errors=_pool_errors("max_pool2d", _IMAGE, 2) + [
        E("zero_channels", C(2), lambda L: (_ones(L, 2, 0, 4, 4),), ValueError, torch=RuntimeError,
          match=("max_pool2d", "(2, 0, 4, 4)")),
    ])
add("MaxPool1d", [C(2), C(3, 2, 1), C(3, 1, 1, 2, id="dilated"), C(4, ceil_mode=True, id="ceil")],
    SIGNALS, errors=_pool_errors("max_pool1d", _SIGNAL, 1))
add("AvgPool2d", [C(2), C(3, 2, 1), C(3, 2, 1, count_include_pad=False, id="no-pad-count"),
                  C(3, 2, 1, ceil_mode=True, id="ceil"), C((2, 3), divisor_override=4, id="divisor")],
    IMAGES, errors=_pool_errors("avg_pool2d", _IMAGE, 2, rank_error=IndexError) + [
        E("divisor_0", C(2, divisor_override=0), _IMAGE, ValueError, torch=RuntimeError, match="divisor"),
        E("bool_input", C(2), lambda L: (_ones(L, 1, 1, 4, 4, dtype=L.bool),), TypeError, torch=NotImplementedError,
          match="avg_pool2d"),
    ])
add("AvgPool1d", [C(2), C(3, 2, 1), C(3, 2, 1, False, False, id="no-pad-count"), C(3, ceil_mode=True, id="ceil")],
    SIGNALS, errors=_pool_errors("avg_pool1d", _SIGNAL, 1))
add("AdaptiveAvgPool2d", [C(1), C((1, 1)), C((3, 5)), C(5), C((9, 10), id="larger"), C((None, 4), id="none-4")],
    IMAGES, errors=[
    E("output_negative", C(-1), _IMAGE, ValueError, torch=RuntimeError, match="output_size"),
    E("wrong_rank", C(2), lambda L: (_ones(L, 4),), ValueError, torch=RuntimeError, match="adaptive_avg_pool2d"),
])
add("AdaptiveAvgPool1d", [C(1), C(4), C(12, id="larger")], SIGNALS)
add("AdaptiveMaxPool2d", [C(1), C((3, 5)), C(4), C((3, None), id="3-none")], IMAGES, errors=[
    E("three_sizes", C((1, 1, 1)), _IMAGE, ValueError, torch=RuntimeError, match="output_size"),
])
add("AdaptiveMaxPool1d", [C(1), C(4)], SIGNALS)

add("BatchNorm2d", [C(3), C(3, momentum=None), C(3, eps=1e-3, momentum=0.3), C(3, affine=False), C(3, bias=False),
                    C(3, track_running_stats=False)],
    shaped(("NCHW", (4, 3, 5, 5)), ("empty", (0, 3, 5, 5)), ("noncontig", (4, 3, 5, 5), "nc"),
           ("small", (2, 3, 2, 2))),
    has_params=True, has_buffers=True, errors=[
        E("wrong_channels", C(3), lambda L: (_ones(L, 4, 4, 2, 2),), ValueError, torch=RuntimeError,
          match=("BatchNorm2d(3", "(4, 4, 2, 2)")),
        E("3d_input", C(3), lambda L: (_ones(L, 2, 3, 2),), ValueError, match=("BatchNorm2d", "(2, 3, 2)")),
        E("int64_input", C(3), lambda L: (_ones(L, 4, 3, 2, 2, dtype=L.int64),), TypeError,
          torch=NotImplementedError, match="batch_norm"),
    ])


def _conv_inputs(spatial):
    """Samples with the constructor's in_channels: batched, unbatched, empty, non-contiguous and a
    small one for gradcheck."""
    big, small = ((7, 8), (3, 4)) if spatial == 2 else ((9,), (7,))

    def inputs(ctor, dtype, rng, dom):
        c = ctor.args[0]
        return shaped(("batched", (2, c) + big), ("unbatched", (c,) + big), ("empty", (0, c) + big),
                      ("noncontig", (2, c) + big, "nc"), ("small", (1, c) + small))(ctor, dtype, rng, dom)
    return inputs


def _conv_errors(op, spatial):
    image = (lambda L: (_ones(L, 1, 5, 6, 6),)) if spatial == 2 else (lambda L: (_ones(L, 1, 5, 6),))
    tiny = (lambda L: (_ones(L, 1, 1, 3, 3),)) if spatial == 2 else (lambda L: (_ones(L, 1, 1, 3),))
    return [
        E("channel_mismatch", C(3, 4, 3), image, RuntimeError, match=(op, "(1, 5, 6")),
        E("kernel_too_big", C(1, 1, 5), tiny, RuntimeError, match=op),
        E("wrong_rank", C(3, 4, 3), lambda L: (_ones(L, 3),), RuntimeError, match=op),
        E("groups_not_dividing", C(3, 4, 3, groups=2), None, ValueError, match="divisible by groups"),
        E("groups_0", C(3, 3, 3, groups=0), None, ValueError, match="groups"),
    ]


add("Conv2d", [C(3, 4, 3), C(3, 4, (3, 2), stride=2, padding=1, id="rect-strided"),
               C(4, 4, 2, groups=2, dilation=2, bias=False, id="grouped-dilated"),
               C(4, 4, 3, groups=4, padding="same", id="depthwise-same"), C(3, 2, 1, id="1x1"),
               C(3, 4, 3, padding=1, padding_mode="reflect", id="reflect"),
               C(3, 4, 3, padding=(1, 2), padding_mode="circular", id="circular"),
               C(3, 4, 3, padding=1, padding_mode="replicate", id="replicate")],
    _conv_inputs(2), has_params=True, errors=_conv_errors("conv2d", 2) + [
        E("same_strided", C(3, 3, 3, stride=2, padding="same"), None, ValueError, match="strided"),
        E("bad_padding_word", C(3, 3, 3, padding="full"), None, ValueError, match="padding string"),
        E("bad_padding_mode", C(3, 3, 3, padding_mode="foo"), None, ValueError, match="padding_mode"),
    ])
add("Conv1d", [C(3, 4, 3), C(3, 4, 3, stride=2, padding=1, id="strided"),
               C(4, 4, 3, groups=4, padding="same", id="depthwise-same"),
               C(3, 4, 3, padding=2, padding_mode="reflect", id="reflect")],
    _conv_inputs(1), has_params=True, errors=_conv_errors("conv1d", 1))
add("ConvTranspose2d", [C(4, 3, 3), C(4, 6, 3, stride=2, padding=1, output_padding=1, id="strided"),
                        C(4, 4, 3, groups=2, dilation=2, bias=False, id="grouped-dilated")],
    _conv_inputs(2), has_params=True, errors=[
        E("channel_mismatch", C(3, 4, 3), lambda L: (_ones(L, 1, 5, 6, 6),), RuntimeError,
          match=("conv_transpose2d", "(1, 5, 6, 6)")),
        E("groups_not_dividing", C(3, 4, 3, groups=2), None, ValueError, match="divisible by groups"),
        E("padding_mode", C(3, 3, 3, padding_mode="reflect"), None, ValueError, match="zeros"),
    ])
add("ConvTranspose1d", [C(4, 3, 3), C(4, 6, 3, stride=2, output_padding=1, id="strided")],
    _conv_inputs(1), has_params=True, errors=[
        E("channel_mismatch", C(3, 4, 3), lambda L: (_ones(L, 1, 5, 6),), RuntimeError,
          match=("conv_transpose1d", "(1, 5, 6)")),
    ])


# ---- GroupNorm, channel dropout --------------------------------------------------------------
add("GroupNorm", [C(2, 4), C(1, 4, id="one-group"), C(4, 4, eps=1e-3, id="per-channel"), C(2, 4, affine=False),
                  C(2, 4, bias=False)],
    shaped(("NCHW", (2, 4, 3, 3)), ("NC", (3, 4)), ("NCL", (2, 4, 5)), ("empty", (0, 4, 3)),
           ("noncontig", (2, 4, 3, 3), "nc"), ("small", (1, 4, 2, 2))),
    has_params=True, rtol={"float32": 1e-3}, atol={"float32": 1e-4}, errors=[  # 2-value groups: ill-conditioned
        E("not_divisible", C(3, 4), None, ValueError, match="divisible by num_groups"),
        E("zero_groups", C(0, 4), None, ValueError, torch=ZeroDivisionError, match="num_groups",
          note="torch divides by num_groups before checking it"),
        E("wrong_channels", C(2, 4), lambda L: (_ones(L, 2, 6, 3),), ValueError, torch=RuntimeError,
          match=("group_norm", "(2, 6, 3)")),
        E("1d_input", C(1, 4), lambda L: (_ones(L, 4),), ValueError, torch=RuntimeError, match=("group_norm", "(4,)")),
        E("int64_input", C(2, 4), lambda L: (_ones(L, 2, 4, 3, dtype=L.int64),), TypeError, torch=RuntimeError,
          match="group_norm"),
    ])


def _channel_dropout_check(ctor, x, y, x_grad):
    """Training mode: each channel (the last dims after (N, C), or after C when unbatched) is all 0
    or x / (1 - p); the gradient is the same mask / (1 - p)."""
    p = ctor.kwargs.get("p", ctor.args[0] if ctor.args else 0.5)
    if y.size == 0:
        return
    lead = 1 if ctor.id.startswith("1d") and x.ndim == 2 else 2
    ys, xs = y.reshape(y.shape[:lead] + (-1,)), x.reshape(x.shape[:lead] + (-1,))
    kept = (ys != 0).all(-1)
    assert ((ys == 0).all(-1) | kept).all(), "a channel partly zeroed"
    np.testing.assert_allclose(ys[kept], xs[kept] / (1 - p), rtol=1e-6)
    if x_grad is not None:
        g = x_grad.reshape(xs.shape)
        np.testing.assert_allclose(g, np.broadcast_to(kept[..., None] / (1 - p), g.shape), rtol=1e-6)


_POSITIVE = Domain(0.5, 1.5)
add("Dropout1d", [C(id="1d-default"), C(0.2, id="1d-0.2"), C(p=0.0, id="1d-p0"), C(p=0.7, inplace=True, id="1d-inplace")],
    shaped(("NCL", (4, 3, 5)), ("CL", (3, 5)), ("empty", (0, 3, 5)), ("noncontig", (4, 3, 5), "nc"),
           ("small", (2, 2, 4))),
    random=True, train_check=_channel_dropout_check, domain=_POSITIVE, grad_domain=_POSITIVE, errors=[
        E("p_above_1", C(1.5), None, ValueError, match="dropout probability"),
        E("4d_input", C(), lambda L: (_ones(L, 2, 3, 4, 5),), ValueError, torch=RuntimeError,
          match=("dropout1d", "4D")),
    ])
add("Dropout2d", [C(), C(0.2), C(p=0.0), C(p=0.7, inplace=True)],
    shaped(("NCHW", (2, 3, 4, 5)), ("empty", (0, 3, 4, 5)), ("noncontig", (2, 3, 4, 5), "nc"),
           ("small", (1, 2, 2, 3))),
    random=True, train_check=_channel_dropout_check, domain=_POSITIVE, grad_domain=_POSITIVE, errors=[
        E("p_negative", C(-0.1), None, ValueError, match="dropout probability"),
        E("int64_input_training", C(0.5), lambda L: (_ones(L, 2, 3, 4, 4, dtype=L.int64),), TypeError,
          torch=RuntimeError, match="dropout2d"),
    ])

# ---- padding -----------------------------------------------------------------------------------
_PAD_SIGNALS = shaped(("NCL", (2, 3, 6)), ("CL", (3, 6)), ("empty", (0, 3, 6)), ("noncontig", (2, 3, 6), "nc"),
                      ("small", (1, 2, 5)))
_PAD_IMAGES = shaped(("NCHW", (2, 3, 5, 6)), ("CHW", (3, 5, 6)), ("empty", (0, 3, 5, 6)),
                     ("noncontig", (2, 3, 5, 6), "nc"), ("small", (1, 1, 4, 5)))
_WRONG_RANK_1D = lambda L: (_ones(L, 2, 2, 3, 4),)  # noqa: E731
_WRONG_RANK_2D = lambda L: (_ones(L, 5),)  # noqa: E731
for _kind, _mode in [("Zero", "constant"), ("Reflection", "reflect"), ("Replication", "replicate"),
                     ("Circular", "circular")]:
    _errs1 = [] if _kind == "Zero" else [
        E("wrong_rank", C(1), _WRONG_RANK_1D, ValueError, torch=NotImplementedError if _kind != "Circular" else SAME,
          match="pad", note="torch's pad raises NotImplementedError for an unsupported rank")]
    _errs2 = [] if _kind == "Zero" else [
        E("wrong_rank", C(1), _WRONG_RANK_2D, ValueError, torch=RuntimeError if _kind != "Circular" else SAME,
          match="pad")]
    if _kind == "Reflection":
        _errs1.append(E("too_wide", C(6), lambda L: (_ones(L, 1, 2, 6),), ValueError, torch=RuntimeError,
                        match=("reflect", "(1, 2, 6)")))
    add(f"{_kind}Pad1d", [C(2), C((1, 3)), C(padding=[0, 2], id="list")], _PAD_SIGNALS, errors=_errs1)
    add(f"{_kind}Pad2d", [C(1), C((1, 2, 0, 3)), C((2, 1, 3, 0), id="asym")], _PAD_IMAGES, errors=_errs2)
add("ConstantPad1d", [C(2, 3.5), C((1, 3), -1.0), C(padding=(0, 2), value=0.0, id="kw")], _PAD_SIGNALS)
add("ConstantPad2d", [C(1, 2.5), C((1, 2, 0, 3), -1.0), C((-1, 2, 1, -1), 1.0, id="negative-crop")], _PAD_IMAGES,
    errors=[E("odd_length", C((1, 2, 3), 0.0), _IMAGE, ValueError, torch=RuntimeError, match="pad")])

def _r(ctor):
    """A pixel-shuffle constructor sample's factor."""
    return ctor.args[0] if ctor.args else next(iter(ctor.kwargs.values()))


# ---- upsampling, pixel shuffle ---------------------------------------------------------------------
_UP_IMAGES = shaped(("NCHW", (2, 3, 4, 5)), ("empty", (0, 3, 4, 5)), ("noncontig", (2, 3, 4, 5), "nc"),
                    ("small", (1, 2, 3, 4)))
_UP_SIGNALS = shaped(("NCL", (2, 3, 5)), ("empty", (0, 3, 5)), ("noncontig", (2, 3, 5), "nc"), ("small", (1, 2, 5)))
_UP_VOLUMES = shaped(("NCDHW", (2, 3, 3, 4, 5)), ("empty", (0, 3, 3, 4, 5)), ("noncontig", (2, 3, 3, 4, 5), "nc"),
                     ("small", (1, 2, 2, 3, 2)))


def _upsample_inputs(ctor, dtype, rng, dom):
    kind = _UP_SIGNALS if ctor.id.startswith("1d") else _UP_VOLUMES if ctor.id.startswith("3d") else _UP_IMAGES
    return kind(ctor, dtype, rng, dom)


add("Upsample", [C(scale_factor=2), C(size=(6, 7), id="size"), C(size=7, mode="bilinear", id="bilinear-size"),
                 C(scale_factor=(1.5, 2.5), mode="bilinear", align_corners=True, id="bilinear-corners"),
                 C(scale_factor=0.7, mode="bilinear", id="bilinear-down"),
                 C(None, 1.7, "nearest", None, True, id="recompute"),
                 C(scale_factor=2.5, mode="linear", id="1d-linear"), C(8, mode="linear", align_corners=True, id="1d-linear-corners"),
                 C(scale_factor=(1.5, 2, 0.7), mode="trilinear", id="3d-trilinear"),
                 C(size=(4, 3, 6), mode="trilinear", align_corners=True, id="3d-trilinear-corners"),
                 C(size=(5, 8, 7), id="3d-nearest"), C(scale_factor=(0.6, 1, 1.5), mode="area", id="3d-area")],
    _upsample_inputs, errors=[
        E("both_sizes", C(3, 2.0), _IMAGE, ValueError, match="only one of size or scale_factor"),
        E("no_size", C(), _IMAGE, ValueError, match="either size or scale_factor"),
        E("corners_nearest", C(scale_factor=2, align_corners=True), _IMAGE, ValueError, match="align_corners"),
        E("bilinear_3d", C(scale_factor=2, mode="bilinear"), _SIGNAL, ValueError, torch=NotImplementedError,
          match=("interpolate", "bilinear", "(1, 1, 4)"), note="torch's interpolate: NotImplementedError for a rank"),
        E("trilinear_4d", C(scale_factor=2, mode="trilinear"), _IMAGE, ValueError, torch=NotImplementedError,
          match=("interpolate", "trilinear", "5D"), note="torch's interpolate: NotImplementedError for a rank"),
        E("zero_output", C(scale_factor=0.1), _IMAGE, ValueError, torch=RuntimeError, match=("interpolate", "greater than 0")),
        E("size_rank", C(size=(2, 2, 2)), _IMAGE, ValueError, match="same number of spatial dimensions"),
    ])
add("UpsamplingNearest2d", [C(scale_factor=2), C(size=(5, 3), id="size"), C(7)], _UP_IMAGES)
add("UpsamplingBilinear2d", [C(scale_factor=2), C(size=(5, 3), id="size"), C(None, 1.5, id="1.5")], _UP_IMAGES)
def _shuffle_empty(ctor, shape):
    """An empty sample only for factor 1: torch 2.13's pixel_unshuffle returns an empty input
    unchanged, and both backwards then fail on the shape."""
    return (("empty", shape),) if _r(ctor) == 1 else ()


add("PixelShuffle", [C(2), C(1), C(upscale_factor=3, id="3")],
    lambda ctor, dtype, rng, dom: shaped(*_shuffle_empty(ctor, (0, 4, 2, 2)),
        ("NCHW", (2, 2 * _r(ctor) ** 2, 3, 2)), ("CHW", (_r(ctor) ** 2, 2, 3)), ("5d", (2, 1, _r(ctor) ** 2, 2, 2)),
        ("noncontig", (2, 2 * _r(ctor) ** 2, 3, 2), "nc"),
        ("small", (1, _r(ctor) ** 2, 2, 2)))(ctor, dtype, rng, dom),
    errors=[
        E("not_divisible", C(2), lambda L: (_ones(L, 1, 5, 2, 2),), ValueError, torch=RuntimeError,
          match=("pixel_shuffle", "(1, 5, 2, 2)")),
        E("2d_input", C(2), lambda L: (_ones(L, 4, 4),), ValueError, torch=RuntimeError, match="pixel_shuffle"),
        E("zero_factor", C(0), _IMAGE, ValueError, torch=RuntimeError, match="pixel_shuffle"),
    ])
add("PixelUnshuffle", [C(2), C(1), C(downscale_factor=3, id="3")],
    lambda ctor, dtype, rng, dom: shaped(*_shuffle_empty(ctor, (0, 4, 2, 2)),
        ("NCHW", (2, 3, 2 * _r(ctor), 3 * _r(ctor))), ("CHW", (2, _r(ctor), 2 * _r(ctor))),
        ("noncontig", (2, 3, 2 * _r(ctor), _r(ctor)), "nc"),
        ("small", (1, 2, _r(ctor), 2 * _r(ctor))))(ctor, dtype, rng, dom),
    errors=[
        E("not_divisible", C(2), lambda L: (_ones(L, 1, 1, 3, 4),), ValueError, torch=RuntimeError,
          match=("pixel_unshuffle", "(1, 1, 3, 4)")),
    ])


def _columns(kk_channels, blocks):
    """fold's inputs: (N, C * kk, L) columns, unbatched and empty too; the last small enough for
    gradcheck (one channel)."""
    return shaped(("batched", (2, kk_channels, blocks)), ("unbatched", (kk_channels, blocks)),
                  ("empty", (0, kk_channels, blocks)), ("noncontig", (2, kk_channels, blocks), "nc"),
                  ("small", (1, 4, blocks)))


add("Unfold", [C(2), C((2, 3), dilation=(1, 2), padding=1, stride=(2, 1), id="mixed"), C(3, padding=1, stride=2)],
    shaped(("NCHW", (2, 3, 7, 8)), ("CHW", (3, 7, 8)), ("empty", (0, 3, 7, 8)), ("noncontig", (2, 3, 7, 8), "nc"),
           ("small", (1, 2, 4, 5))), errors=[
        E("kernel_too_big", C(5), lambda L: (_ones(L, 1, 1, 3, 3),), RuntimeError, match="unfold"),
        E("wrong_rank", C(2), lambda L: (_ones(L, 4, 4),), RuntimeError, torch=IndexError, match=("unfold", "(4, 4)"),
          note="torch indexes a dim the 2-d input lacks"),
    ])
# (4, 5) images, kernel 2: 3 x 4 = 12 blocks of 3 * 4 values; with padding 1 and stride 2: 3 x 3 blocks.
add("Fold", [C((4, 5), 2), C((4, 5), 2, padding=1, stride=2, id="padded-strided")],
    lambda ctor, dtype, rng, dom: _columns(12, 12 if ctor.kwargs == {} else 9)(ctor, dtype, rng, dom), errors=[
        E("blocks_mismatch", C((4, 5), 2), lambda L: (_ones(L, 1, 12, 11),), RuntimeError, match=("fold", "(1, 12, 11)")),
        E("channels_not_multiple", C((4, 5), 2), lambda L: (_ones(L, 1, 10, 12),), RuntimeError, match="fold"),
    ])


# ---- the 3-d (volume) layers -------------------------------------------------------------------
VOLUMES = shaped(("NCDHW", (2, 3, 4, 5, 6)), ("CDHW", (3, 4, 5, 6)), ("empty", (0, 3, 4, 5, 6)),
                 ("noncontig", (2, 3, 4, 5, 6), "nc"), ("small", (1, 1, 3, 4, 4)))
_VOLUME = lambda L: (_ones(L, 1, 1, 4, 4, 4),)  # noqa: E731


def _volume_pool_errors(op):
    return [
        E("kernel_too_big", C(5), lambda L: (_ones(L, 1, 1, 3, 3, 3),), ValueError, torch=RuntimeError,
          match=(op, "(1, 1, 3")),
        E("stride_0", C(2, 0), _VOLUME, ValueError, torch=RuntimeError, match=(op, "stride")),
        E("padding_over_half", C(2, padding=2), _VOLUME, ValueError, torch=RuntimeError, match=(op, "padding")),
        E("two_sizes", C((2, 2)), _VOLUME, ValueError, torch=RuntimeError, match=(op, "kernel_size")),
        E("wrong_rank", C(2), lambda L: (_ones(L, 4, 4, 4),), ValueError, torch=RuntimeError, match=op),
    ]


add("MaxPool3d", [C(2), C(3, 2, 1), C((2, 3, 2), (1, 2, 1), (1, 1, 0), id="rect"), C(3, 1, 1, 2, id="dilated"),
                  C(3, 2, ceil_mode=True, id="ceil")],
    VOLUMES, errors=_volume_pool_errors("max_pool3d"))
add("AvgPool3d", [C(2), C(3, 2, 1), C(3, 2, 1, count_include_pad=False, id="no-pad-count"),
                  C(3, 2, 1, ceil_mode=True, id="ceil"), C((2, 3, 2), divisor_override=5, id="divisor")],
    VOLUMES, errors=_volume_pool_errors("avg_pool3d")[:-1] + [
        E("divisor_0", C(2, divisor_override=0), _VOLUME, ValueError, torch=RuntimeError, match="divisor")])
add("AdaptiveAvgPool3d", [C(1), C((2, 3, 4)), C(3), C((None, 2, 3), id="none-2-3"), C((6, 7, 8), id="larger")],
    VOLUMES, errors=[
        E("output_negative", C(-1), _VOLUME, ValueError, torch=RuntimeError, match="output_size"),
        E("wrong_rank", C(2), lambda L: (_ones(L, 4, 4),), ValueError, torch=RuntimeError,
          match="adaptive_avg_pool3d"),
    ])
add("AdaptiveMaxPool3d", [C(1), C((2, 3, 4)), C(3)], VOLUMES, errors=[
    E("two_sizes", C((1, 1)), _VOLUME, ValueError, torch=RuntimeError, match="output_size"),
])


def _volume_conv_inputs(ctor, dtype, rng, dom):
    c = ctor.args[0]
    big, small = (4, 5, 6), (3, 3, 3)
    return shaped(("batched", (2, c) + big), ("unbatched", (c,) + big), ("empty", (0, c) + big),
                  ("noncontig", (2, c) + big, "nc"), ("small", (1, c) + small))(ctor, dtype, rng, dom)


add("Conv3d", [C(2, 3, 3), C(2, 4, (3, 2, 2), stride=2, padding=1, id="rect-strided"),
               C(2, 2, 2, groups=2, dilation=(1, 2, 2), bias=False, id="grouped-dilated"),
               C(2, 2, 3, groups=2, padding="same", id="depthwise-same"), C(2, 3, 1, id="1x1"),
               C(2, 3, (2, 3, 2), padding="same", id="same-even"),
               C(2, 3, 3, padding=(1, 0, 2), padding_mode="circular", id="circular"),
               C(2, 3, 3, padding=1, padding_mode="reflect", id="reflect"),
               C(2, 3, 3, padding=1, padding_mode="replicate", id="replicate")],
    _volume_conv_inputs, has_params=True, errors=[
        E("channel_mismatch", C(3, 4, 3), lambda L: (_ones(L, 1, 5, 4, 4, 4),), RuntimeError,
          match=("conv3d", "(1, 5, 4")),
        E("kernel_too_big", C(1, 1, 5), lambda L: (_ones(L, 1, 1, 3, 3, 3),), RuntimeError, match="conv3d"),
        E("wrong_rank", C(3, 4, 3), lambda L: (_ones(L, 3, 4, 4),), RuntimeError, match="conv3d"),
        E("groups_not_dividing", C(3, 4, 3, groups=2), None, ValueError, match="divisible by groups"),
    ])
add("ConvTranspose3d", [C(2, 3, 3), C(2, 4, 3, stride=2, padding=1, output_padding=1, id="strided"),
                        C(2, 2, 3, groups=2, dilation=(2, 1, 2), bias=False, id="grouped-dilated"),
                        C(2, 3, (2, 3, 2), stride=(2, 1, 3), padding=(0, 1, 1), output_padding=(1, 0, 2), id="rect")],
    _volume_conv_inputs, has_params=True, errors=[
        E("channel_mismatch", C(3, 4, 3), lambda L: (_ones(L, 1, 5, 3, 3, 3),), RuntimeError,
          match=("conv_transpose3d", "(1, 5, 3, 3, 3)")),
        E("groups_not_dividing", C(3, 4, 3, groups=2), None, ValueError, match="divisible by groups"),
    ])
add("BatchNorm3d", [C(3), C(3, momentum=None), C(3, affine=False), C(3, track_running_stats=False)],
    shaped(("NCDHW", (4, 3, 2, 3, 3)), ("empty", (0, 3, 2, 3, 3)), ("noncontig", (4, 3, 2, 3, 3), "nc"),
           ("small", (2, 3, 2, 2, 2))),
    has_params=True, has_buffers=True, errors=[
        E("wrong_channels", C(3), lambda L: (_ones(L, 4, 4, 2, 2, 2),), ValueError, torch=RuntimeError,
          match=("BatchNorm3d(3", "(4, 4, 2, 2, 2)")),
        E("4d_input", C(3), lambda L: (_ones(L, 2, 3, 2, 2),), ValueError, match=("BatchNorm3d", "(2, 3, 2, 2)")),
    ])
add("Dropout3d", [C(), C(0.2), C(p=0.0), C(p=0.7, inplace=True)],
    shaped(("NCDHW", (2, 3, 2, 3, 4)), ("empty", (0, 3, 2, 3, 4)), ("noncontig", (2, 3, 2, 3, 4), "nc"),
           ("small", (1, 2, 2, 2, 3))),
    random=True, train_check=_channel_dropout_check, domain=_POSITIVE, grad_domain=_POSITIVE, errors=[
        E("p_negative", C(-0.1), None, ValueError, match="dropout probability"),
    ])
_PAD_VOLUMES = shaped(("NCDHW", (2, 3, 3, 4, 5)), ("CDHW", (3, 3, 4, 5)), ("empty", (0, 3, 3, 4, 5)),
                      ("noncontig", (2, 3, 3, 4, 5), "nc"), ("small", (1, 1, 2, 3, 4)))
for _kind in ("Zero", "Reflection", "Replication", "Circular"):
    add(f"{_kind}Pad3d", [C(1), C((1, 2, 0, 1, 1, 0)), C((0, 1, 1, 0, 1, 1), id="asym")], _PAD_VOLUMES)
add("ConstantPad3d", [C(1, 2.5), C((1, 2, 0, 1, 1, 0), -1.0), C((-1, 1, 1, 0, 0, -1), 1.0, id="negative-crop")],
    _PAD_VOLUMES)

# ---- power-average pools (Python layers over the average and max pools) -----------------------
_LP_POSITIVE = Domain(0.5, 2.0)  # p-th powers of negative values have no gradient at every p
add("LPPool1d", [C(2, 2), C(3, 3, 2, id="3-3-2"), C(float("inf"), 2, id="inf"), C(1.5, 3, ceil_mode=True, id="ceil")],
    SIGNALS, domain=_LP_POSITIVE, grad_domain=_LP_POSITIVE)
add("LPPool2d", [C(2, 2), C(3, (3, 2), (2, 1), id="rect"), C(float("inf"), 2, id="inf"),
                 C(1.5, 3, 2, ceil_mode=True, id="ceil")],
    IMAGES, domain=_LP_POSITIVE, grad_domain=_LP_POSITIVE)
add("LPPool3d", [C(2, 2), C(3, (3, 2, 2), (2, 1, 2), id="rect"), C(1.5, 2, 1, ceil_mode=True, id="ceil")],
    VOLUMES, domain=_LP_POSITIVE, grad_domain=_LP_POSITIVE)


# ---- alpha dropout (SELU networks) ----------------------------------------------------------------
_SELU_SATURATION = 1.7580993408473766


def _alpha_dropout_check(ctor, x, y, x_grad):
    """Training mode: each element (or channel) is a * x + b where kept, and the constant
    alpha' a (p - 1) where dropped, as torch's; the gradient is a where kept, 0 where dropped."""
    p = ctor.kwargs.get("p", ctor.args[0] if ctor.args else 0.5)
    if y.size == 0 or p == 0:
        return
    a = 1.0 / np.sqrt((_SELU_SATURATION ** 2 * p + 1) * (1 - p))
    dropped = np.isclose(y, _SELU_SATURATION * a * (p - 1), rtol=1e-5, atol=1e-6)
    kept = np.isclose(y, a * x + _SELU_SATURATION * a * p, rtol=1e-5, atol=1e-6)
    assert (dropped | kept).all()
    if x_grad is not None:
        np.testing.assert_allclose(x_grad[~dropped], a, rtol=1e-6)


add("AlphaDropout", [C(), C(0.2), C(p=0.0)], features(5), random=True, train_check=_alpha_dropout_check,
    domain=Domain(0.5, 1.5), grad_domain=Domain(0.5, 1.5), errors=[
        E("p_above_1", C(1.5), None, ValueError, match="dropout probability")])
add("FeatureAlphaDropout", [C(), C(0.2), C(p=0.0)],
    shaped(("NCHW", (2, 3, 4, 5)), ("NCL", (2, 3, 5)), ("empty", (0, 3, 4)), ("noncontig", (2, 3, 4, 5), "nc"),
           ("small", (1, 2, 2, 3))),
    random=True, train_check=_alpha_dropout_check, domain=Domain(0.5, 1.5), grad_domain=Domain(0.5, 1.5))

# ---- DataParallel: the wrapped module, run as it is without GPUs ------------------------------------
_DP_IMAGES = shaped(("NCHW", (2, 3, 5, 6)), ("empty", (0, 3, 5, 6)), ("noncontig", (2, 3, 5, 6), "nc"),
                    ("small", (1, 3, 3, 3)))
add("DataParallel", [C(Sub("Linear", 5, 3), id="linear"), C(Sub("Conv2d", 3, 2, 2), id="conv")],
    lambda ctor, dtype, rng, dom: (features(5) if ctor.id == "linear" else _DP_IMAGES)(ctor, dtype, rng, dom),
    has_params=True)

"""module_db rows of the convolutional-network layers: the pools and BatchNorm2d. The table and
its helpers are module_db.py's, which imports this file at its end."""
from module_db import OK, C, E, _ones, add, shaped

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
        E("int64_input", C(2), lambda L: (_ones(L, 1, 1, 4, 4, dtype=L.int64),), TypeError, torch=OK,
          match="avg_pool2d", note="ember averages floating tensors only (torch's integer mean truncates)"),
    ])
add("AvgPool1d", [C(2), C(3, 2, 1), C(3, 2, 1, False, False, id="no-pad-count"), C(3, ceil_mode=True, id="ceil")],
    SIGNALS, errors=_pool_errors("avg_pool1d", _SIGNAL, 1))
add("AdaptiveAvgPool2d", [C(1), C((1, 1)), C((3, 5)), C(5), C((9, 10), id="larger")], IMAGES, errors=[
    E("output_negative", C(-1), _IMAGE, ValueError, torch=RuntimeError, match="output_size"),
    E("wrong_rank", C(2), lambda L: (_ones(L, 4),), ValueError, torch=RuntimeError, match="adaptive_avg_pool2d"),
])
add("AdaptiveAvgPool1d", [C(1), C(4), C(12, id="larger")], SIGNALS)
add("AdaptiveMaxPool2d", [C(1), C((3, 5)), C(4)], IMAGES, errors=[
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

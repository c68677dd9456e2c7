"""The functional forms of the convolutional-network layers against torch's: interpolate
(nearest, linear, bilinear, bicubic, trilinear, area, lanczos; size or scale_factor, align_corners,
recompute_scale_factor, antialias; float32 and float64, non-contiguous inputs; uint8 images bit for bit), pixel_shuffle / pixel_unshuffle, group_norm and the channel
dropouts: values, gradients, gradcheck and gradgradcheck in float64, and the bad inputs."""
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

INTERP = [
    ("nearest", (2, 3, 5), dict(size=7)), ("nearest", (2, 3, 5), dict(scale_factor=0.6)),
    ("nearest", (2, 3, 5, 6), dict(scale_factor=1.7)), ("nearest", (1, 2, 5, 6), dict(size=(3, 11))),
    ("nearest", (1, 2, 5, 6), dict(scale_factor=(2, 3))), ("nearest", (1, 2, 7, 6), dict(scale_factor=0.37,
                                                                                          recompute_scale_factor=True)),
    ("linear", (2, 3, 5), dict(size=8)), ("linear", (2, 3, 5), dict(size=8, align_corners=True)),
    ("linear", (2, 3, 9), dict(scale_factor=0.45)), ("linear", (1, 1, 4), dict(size=1, align_corners=True)),
    ("bilinear", (2, 3, 5, 6), dict(scale_factor=(1.5, 2.3))), ("bilinear", (2, 3, 5, 6), dict(size=(3, 9),
                                                                                               align_corners=True)),
    ("bilinear", (2, 3, 5, 6), dict(scale_factor=0.6)), ("bilinear", (1, 2, 4, 4), dict(size=1)),
    ("bilinear", (1, 2, 4, 5), dict(scale_factor=2.5, recompute_scale_factor=True)),
    ("nearest-exact", (2, 3, 5), dict(size=7)), ("nearest-exact", (2, 3, 5, 6), dict(scale_factor=1.7)),
    ("nearest-exact", (1, 2, 7, 6), dict(scale_factor=0.37)), ("area", (2, 3, 9), dict(size=4)),
    ("area", (2, 3, 7, 8), dict(size=(3, 5))), ("area", (2, 3, 7, 8), dict(scale_factor=0.5)),
    ("bicubic", (2, 3, 5, 6), dict(size=(9, 4))), ("bicubic", (1, 2, 5, 6), dict(scale_factor=1.7)),
    ("bicubic", (1, 2, 5, 6), dict(size=(8, 11), align_corners=True)), ("bicubic", (1, 1, 4, 4), dict(size=1)),
    # a dim that keeps its size: torch's linear kernels copy it whatever the scale
    ("linear", (2, 3, 4), dict(scale_factor=1.168)), ("bilinear", (1, 2, 2, 4), dict(scale_factor=(2.0, 1.168))),
    ("trilinear", (2, 3, 3, 4, 5), dict(scale_factor=(1.5, 2.3, 0.6))),
    ("trilinear", (1, 2, 3, 4, 2), dict(size=(5, 2, 7), align_corners=True)),
    ("trilinear", (1, 2, 5, 6, 4), dict(scale_factor=1.168)), ("trilinear", (1, 1, 2, 2, 2), dict(size=1)),
    ("nearest", (2, 3, 3, 4, 5), dict(size=(5, 8, 3))), ("nearest", (1, 2, 3, 4, 5), dict(scale_factor=(1.7, 0.8, 2.6))),
    ("nearest-exact", (1, 2, 3, 4, 5), dict(scale_factor=1.7)), ("area", (2, 3, 6, 4, 5), dict(size=(3, 2, 4))),
    # antialias: shrinking widens the filter; growing is the plain filter with normalized weights
    ("bilinear", (2, 3, 9, 11), dict(size=(4, 5), antialias=True)),
    ("bilinear", (1, 2, 9, 11), dict(size=(4, 5), align_corners=True, antialias=True)),
    ("bilinear", (1, 2, 64, 48), dict(size=(9, 9), antialias=True)),
    ("bilinear", (1, 2, 5, 6), dict(scale_factor=2.5, antialias=True)),
    ("bicubic", (2, 3, 20, 30), dict(scale_factor=(0.3, 0.45), antialias=True)),
    ("bicubic", (1, 2, 5, 6), dict(size=(13, 17), align_corners=True, antialias=True)),
    ("bicubic", (1, 2, 20, 30), dict(size=(20, 7), antialias=True)),  # a dim that keeps its size is copied
    ("lanczos", (2, 3, 32, 17), dict(size=(7, 3), antialias=True)),
    ("lanczos", (1, 2, 5, 6), dict(scale_factor=2.5, antialias=True)),
]


def _pair(shape, dtype, noncontig, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    if noncontig:  # the same values through a transposed view of the last two dims
        a = np.ascontiguousarray(np.swapaxes(a, -1, -2))
        xe, xt = ember.tensor(a).transpose(-1, -2), torch.tensor(a).transpose(-1, -2)
        assert not xe.is_contiguous() or a.size == 0 or 1 in a.shape[-2:]
    else:
        xe, xt = ember.tensor(a), torch.tensor(a)
    return xe.requires_grad_(), xt.requires_grad_()


@pytest.mark.parametrize("scale_factor", [2.2, 1.2, 2.34])
def test_nearest_1d_reads_torchs_places_and_gives_the_true_gradient(scale_factor):
    """torch's 1-d kernel reads floor(o / scale_factor) even where the output is the input's size or
    twice it (its 2-d kernel shortcuts those), but its backward takes the shortcut: its gradient is
    not its forward's there. ember's forward is torch's, its gradient the forward's own."""
    x = np.random.default_rng(2).standard_normal((2, 3, 4))
    xe = ember.tensor(x, requires_grad=True)
    ye = F.interpolate(xe, scale_factor=scale_factor, mode="nearest")
    yt = TF.interpolate(torch.tensor(x), scale_factor=scale_factor, mode="nearest")
    np.testing.assert_array_equal(ye.detach().numpy(), yt.numpy())
    places = np.minimum(np.floor(np.arange(yt.shape[-1]) * np.float32(1 / scale_factor)).astype(int), 3)
    g = np.random.default_rng(3).standard_normal(tuple(yt.shape))
    ye.backward(ember.tensor(g))
    expected = np.zeros_like(x)
    np.add.at(expected, (slice(None), slice(None), places), g)
    np.testing.assert_allclose(xe.grad.numpy(), expected, rtol=1e-12)


def test_nearest_3d_reads_torchs_places_and_gives_the_true_gradient():
    """torch's 3-d nearest kernel, as its 1-d one, reads floor(o / scale_factor) where a dim keeps
    its size or doubles (only its 2-d kernel shortcuts those), but its backward shortcuts them.
    ember's forward is torch's, its gradient the forward's own."""
    x = np.random.default_rng(2).standard_normal((1, 2, 3, 4, 2))
    xe = ember.tensor(x, requires_grad=True)
    ye = F.interpolate(xe, scale_factor=(1.2, 2.3, 1.1), mode="nearest")
    yt = TF.interpolate(torch.tensor(x), scale_factor=(1.2, 2.3, 1.1), mode="nearest")
    np.testing.assert_array_equal(ye.detach().numpy(), yt.numpy())
    places = [np.minimum(np.floor(np.arange(o) * np.float32(1 / f)).astype(int), i - 1)
              for o, i, f in zip(yt.shape[2:], x.shape[2:], (1.2, 2.3, 1.1))]
    g = np.random.default_rng(3).standard_normal(tuple(yt.shape))
    ye.backward(ember.tensor(g))
    expected = np.zeros_like(x)
    np.add.at(expected, (slice(None), slice(None), *np.ix_(*places)), g)
    np.testing.assert_allclose(xe.grad.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("shape, scale_factor", [((1, 1, 5, 5), 0.1), ((1, 1, 1, 5, 5), (0.3, 2.0, 0.5))])
def test_area_to_an_empty_size_is_empty(shape, scale_factor):
    """'area' is adaptive average pooling, which torch lets shrink a dim to 0 (the other modes raise)."""
    ye = F.interpolate(ember.ones(*shape), scale_factor=scale_factor, mode="area")
    yt = TF.interpolate(torch.ones(*shape), scale_factor=scale_factor, mode="area")
    assert tuple(ye.shape) == tuple(yt.shape) and 0 in ye.shape


HALF_MODES = [("linear", (2, 3, 7), dict(scale_factor=1.7)), ("linear", (1, 2, 9), dict(size=4, align_corners=True)),
              ("bilinear", (2, 3, 5, 6), dict(scale_factor=(1.5, 2.3))), ("bicubic", (1, 2, 5, 6), dict(size=(9, 4))),
              ("trilinear", (1, 2, 3, 4, 5), dict(scale_factor=(1.5, 2.3, 0.6))),
              ("trilinear", (1, 2, 3, 4, 2), dict(size=(5, 2, 7), align_corners=True)),
              ("nearest", (1, 2, 3, 4, 5), dict(scale_factor=1.7)), ("nearest-exact", (2, 3, 5, 6), dict(size=(7, 3))),
              ("area", (2, 3, 7, 8), dict(size=(3, 5)))]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("mode, shape, kw", HALF_MODES, ids=[f"{m}-{k}" for m, _, k in HALF_MODES])
def test_16_bit_interpolate_rounds_as_torch(mode, shape, kw, dtype):
    """torch interpolates 16-bit inputs in float32, its weights rounded to the dtype but for
    bilinear's, and rounds once; ember does the same. Bicubic sums its taps in another order: a
    result may sit one rounding away."""
    x = np.random.default_rng(4).standard_normal(shape).astype(np.float32) * 4
    ye = F.interpolate(ember.tensor(x).to(getattr(ember, dtype)), mode=mode, **kw)
    yt = TF.interpolate(torch.tensor(x).to(getattr(torch, dtype)), mode=mode, **kw)
    assert ye.dtype == getattr(ember, dtype)
    a, b = ye.to(ember.float32).numpy(), yt.float().numpy()
    if mode == "bicubic":
        np.testing.assert_allclose(a, b, rtol=1e-2 if dtype == "bfloat16" else 1e-3)
        assert (a != b).mean() < 0.01
    else:
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("mode, shape", [("nearest", (1, 3, 4)), ("nearest", (2, 3, 4, 5)), ("nearest", (1, 1, 2, 3, 4)),
                                         ("nearest-exact", (2, 3, 4, 5))])
def test_uint8_images_resize_with_the_nearest_modes(mode, shape):
    x = np.random.default_rng(5).integers(0, 256, shape).astype(np.uint8)
    ye = F.interpolate(ember.tensor(x), scale_factor=1.7, mode=mode)
    yt = TF.interpolate(torch.tensor(x), scale_factor=1.7, mode=mode)
    assert ye.dtype == ember.uint8
    np.testing.assert_array_equal(ye.numpy(), yt.numpy())


UINT8_CASES = [((9, 11), dict(size=(4, 5))), ((5, 6), dict(size=(13, 17))), ((30, 20), dict(size=(7, 20))),
               ((8, 8), dict(size=(3, 13))), ((24, 9), dict(scale_factor=(2.2, 0.7))), ((1, 19), dict(size=(1, 1))),
               ((37, 41), dict(scale_factor=0.13))]


@pytest.mark.parametrize("channels", [3, 5])  # torch: a vectorized kernel up to 4 channels, a generic one above
@pytest.mark.parametrize("mode, antialias, align_corners", [
    ("bilinear", False, False), ("bilinear", False, True), ("bilinear", True, False), ("bilinear", True, True),
    ("bicubic", False, False), ("bicubic", False, True), ("bicubic", True, False), ("bicubic", True, True),
    ("lanczos", True, None)])
def test_uint8_images_resize_bit_for_bit_as_torch(mode, antialias, align_corners, channels):
    # torch's integer kernels: fixed-point weights, each pass rounded to uint8 (Pillow's arithmetic)
    rng = np.random.default_rng(11)
    for (h, w), kw in UINT8_CASES:
        x = rng.integers(0, 256, (2, channels, h, w)).astype(np.uint8)
        ye = F.interpolate(ember.tensor(x), mode=mode, antialias=antialias, align_corners=align_corners, **kw)
        yt = TF.interpolate(torch.tensor(x), mode=mode, antialias=antialias, align_corners=align_corners, **kw)
        assert ye.dtype == ember.uint8
        np.testing.assert_array_equal(ye.numpy(), yt.numpy(), err_msg=f"{(h, w)} {kw}")


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
def test_antialias_to_one_column_resizes_the_rows_too(mode):
    # torch 2.13's generic separable kernel gives every output row the first one's value when the
    # output is one pixel wide (floats, and uint8 above 4 channels; docs/pytorch_differences.rst).
    # ember resizes the rows: as torch's uint8 kernel does up to 4 channels, and as torch does the
    # transposed float image.
    x = np.random.default_rng(3).integers(0, 256, (1, 5, 4, 19)).astype(np.uint8)
    ye = F.interpolate(ember.tensor(x), size=(9, 1), mode=mode, antialias=True)
    yt = TF.interpolate(torch.tensor(x[:, :3]), size=(9, 1), mode=mode, antialias=True)
    np.testing.assert_array_equal(ye.numpy()[:, :3], yt.numpy())
    xf = x.astype(np.float64)
    ye = F.interpolate(ember.tensor(xf), size=(9, 1), mode=mode, antialias=True)
    yt = TF.interpolate(torch.tensor(xf).transpose(2, 3), size=(1, 9), mode=mode, antialias=True).transpose(2, 3)
    np.testing.assert_allclose(ye.numpy(), yt.numpy(), rtol=1e-12)
    assert len(set(ye[0, 0, :, 0].tolist())) > 1


def test_a_size_kept_everywhere_gives_a_new_tensor():
    x = ember.ones(1, 1, 3, requires_grad=True)
    y = F.interpolate(x, scale_factor=1.1, mode="linear")
    y.backward(ember.tensor([[[1.0, 2.0, 3.0]]]))
    assert y is not x and y.grad_fn is not None
    np.testing.assert_array_equal(x.grad.numpy(), [[[1.0, 2.0, 3.0]]])


@pytest.mark.parametrize("noncontig", [False, True], ids=["contig", "noncontig"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode, shape, kw", INTERP, ids=[f"{m}-{k}" for m, _, k in INTERP])
def test_interpolate_matches_torch(mode, shape, kw, dtype, noncontig):
    xe, xt = _pair(shape, dtype, noncontig)
    ye, yt = F.interpolate(xe, mode=mode, **kw), TF.interpolate(xt, mode=mode, **kw)
    assert tuple(ye.shape) == tuple(yt.shape)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(dtype)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("mode, shape, kw", [("nearest", (1, 2, 3, 4), dict(scale_factor=1.5)),
                                             ("linear", (1, 2, 4), dict(size=7)),
                                             ("bilinear", (1, 2, 3, 3), dict(size=(4, 5), align_corners=True)),
                                             ("bilinear", (1, 1, 4, 3), dict(scale_factor=0.7)),
                                             ("bicubic", (1, 1, 3, 4), dict(size=(5, 5))),
                                             ("trilinear", (1, 1, 2, 3, 2), dict(size=(3, 2, 4))),
                                             ("trilinear", (1, 1, 3, 2, 2), dict(scale_factor=1.4, align_corners=True)),
                                             ("nearest", (1, 1, 2, 3, 2), dict(size=(3, 4, 3))),
                                             ("bicubic", (1, 1, 3, 4), dict(scale_factor=1.168)),  # keeps its size
                                             ("bilinear", (1, 1, 5, 6), dict(size=(3, 4), antialias=True)),
                                             ("bicubic", (1, 1, 7, 4), dict(size=(3, 6), antialias=True)),
                                             ("lanczos", (1, 1, 7, 5), dict(size=(3, 2), antialias=True))])
def test_interpolate_gradcheck(mode, shape, kw):
    x = ember.tensor(np.random.default_rng(2).standard_normal(shape), requires_grad=True)
    fn = lambda t: F.interpolate(t, mode=mode, **kw)  # noqa: E731
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))


@pytest.mark.parametrize("call, exc, words", [
    (lambda: F.interpolate(ember.ones(1, 1, 4)), ValueError, ("either size or scale_factor",)),
    (lambda: F.interpolate(ember.ones(1, 1, 4), 3, 2.0), ValueError, ("only one of size or scale_factor",)),
    (lambda: F.interpolate(ember.ones(1, 1, 4), 3, align_corners=True), ValueError, ("align_corners",)),
    (lambda: F.interpolate(ember.ones(1, 1, 4), scale_factor=2, mode="bilinear"), ValueError,
     ("bilinear", "(1, 1, 4)")),
    (lambda: F.interpolate(ember.ones(1, 1, 4, 4), scale_factor=2, mode="linear"), ValueError,
     ("linear", "(1, 1, 4, 4)")),
    (lambda: F.interpolate(ember.ones(4), scale_factor=2), ValueError, ("interpolate", "(4,)")),
    (lambda: F.interpolate(ember.ones(1, 1, 4, 4), size=(2, 2, 2)), ValueError, ("spatial dimensions", "(2, 2, 2)")),
    (lambda: F.interpolate(ember.ones(1, 1, 4), scale_factor=0.1), ValueError, ("greater than 0",)),
    (lambda: F.interpolate(ember.ones(1, 1, 4), size=3, recompute_scale_factor=True), ValueError,
     ("recompute_scale_factor",)),
    (lambda: F.interpolate(ember.ones(1, 1, 4, 4), size=2, antialias=True), ValueError, ("Anti-alias",)),
    (lambda: F.interpolate(ember.ones(1, 1, 4), size=2, mode="bilinear", antialias=True), ValueError,
     ("Anti-alias", "4-D")),
    (lambda: F.interpolate(ember.ones(1, 1, 4, 4), size=2, mode="lanczos"), ValueError,
     ("Lanczos mode requires antialias=True",)),
    (lambda: F.interpolate(ember.ones(1, 1, 4, 4), size=2, mode="lanczos", align_corners=True, antialias=True),
     ValueError, ("Lanczos mode does not support align_corners=True",)),
    (lambda: F.interpolate(ember.ones(1, 1, 4, 4, dtype=ember.float16), size=2, mode="bilinear", antialias=True),
     TypeError, ("antialias", "float16")),
    (lambda: F.interpolate(ember.ones(1, 1, 4, dtype=ember.uint8), size=2, mode="linear"), TypeError,
     ("linear", "uint8")),
    (lambda: F.interpolate(ember.ones(1, 1, 4), size=2, mode="bicubic"), ValueError, ("mode", "bicubic")),
    (lambda: F.interpolate(ember.ones(1, 1, 4, 4), size=2, mode="trilinear"), ValueError, ("trilinear", "5D")),
    (lambda: F.interpolate(ember.ones(1, 1, 2, 2, 2, 2), size=2), ValueError, ("interpolate", "(1, 1, 2, 2, 2, 2)")),
    (lambda: F.interpolate(ember.ones(1, 1, 2, 2, 2, dtype=ember.uint8), size=3, mode="trilinear"), TypeError,
     ("trilinear", "uint8")),
    (lambda: F.interpolate(ember.ones(1, 1, 2, dtype=ember.int32), size=3), TypeError, ("nearest", "int32")),
    (lambda: F.interpolate(ember.ones(1, 1, 4, dtype=ember.int64), size=2, mode="linear"), TypeError,
     ("interpolate", "int64")),
])
def test_interpolate_errors(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def test_upsample_is_interpolate_with_a_warning():
    x = ember.tensor(np.arange(6.0).reshape(1, 2, 3))
    with pytest.warns(UserWarning, match="upsample` is deprecated"):
        y = F.upsample(x, size=5, mode="linear")
    expected = TF.interpolate(torch.tensor(x.numpy()), size=5, mode="linear")
    np.testing.assert_allclose(y.numpy(), expected.numpy(), rtol=1e-12)


@pytest.mark.parametrize("shape, r", [((2, 8, 3, 2), 2), ((9, 2, 2), 3), ((2, 1, 4, 2, 3), 2), ((1, 3, 2, 2), 1)])
def test_pixel_shuffle_matches_torch(shape, r):
    xe, xt = _pair(shape, "float64", noncontig=True)
    ye, yt = F.pixel_shuffle(xe, r), TF.pixel_shuffle(xt, r)
    np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().numpy())
    back = F.pixel_unshuffle(ye, r)
    np.testing.assert_array_equal(back.detach().numpy(), TF.pixel_unshuffle(yt, r).detach().numpy())
    np.testing.assert_array_equal(back.detach().numpy(), xe.detach().numpy())
    x = ember.tensor(np.random.default_rng(3).standard_normal((1, r * r, 2, 2)), requires_grad=True)
    assert gradcheck(lambda t: F.pixel_shuffle(t, r), (x,)) and gradgradcheck(lambda t: F.pixel_shuffle(t, r), (x,))
    x = ember.tensor(np.random.default_rng(3).standard_normal((1, 1, 2 * r, r)), requires_grad=True)
    assert gradcheck(lambda t: F.pixel_unshuffle(t, r), (x,)) and gradgradcheck(lambda t: F.pixel_unshuffle(t, r), (x,))


@pytest.mark.parametrize("call, words", [
    (lambda: F.pixel_shuffle(ember.ones(1, 5, 2, 2), 2), ("pixel_shuffle", "(1, 5, 2, 2)")),
    (lambda: F.pixel_shuffle(ember.ones(4, 4), 2), ("pixel_shuffle", "(4, 4)")),
    (lambda: F.pixel_shuffle(ember.ones(1, 4, 2, 2), 0), ("pixel_shuffle", "positive")),
    # factor * factor past int64: refused, not a division by zero (the process used to die of SIGFPE)
    (lambda: F.pixel_shuffle(ember.ones(2, 3, 8, 9), 2 ** 62), ("pixel_shuffle", "(2, 3, 8, 9)")),
    (lambda: F.pixel_unshuffle(ember.ones(1, 2, 0, 0), 2 ** 62), ("pixel_unshuffle", "int64")),
    (lambda: F.pixel_unshuffle(ember.ones(1, 1, 3, 4), 2), ("pixel_unshuffle", "(1, 1, 3, 4)")),
])
def test_pixel_shuffle_errors(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for w in words:
        assert w in str(info.value), (w, str(info.value))


@pytest.mark.parametrize("shape, groups, affine", [((2, 4, 3, 3), 2, True), ((3, 6), 3, False), ((2, 6, 5), 1, True),
                                                   ((0, 4, 3), 2, True)])
def test_group_norm_matches_torch(shape, groups, affine):
    xe, xt = _pair(shape, "float64", noncontig=len(shape) > 2)
    c = shape[1]
    w = np.random.default_rng(4).standard_normal(c) if affine else None
    b = np.random.default_rng(5).standard_normal(c) if affine else None
    ye = F.group_norm(xe, groups, None if w is None else ember.tensor(w), None if b is None else ember.tensor(b), 1e-3)
    yt = TF.group_norm(xt, groups, None if w is None else torch.tensor(w), None if b is None else torch.tensor(b), 1e-3)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-10)
    if xe.numel():
        x = ember.tensor(np.random.default_rng(6).standard_normal((1, c, 3)), requires_grad=True)
        assert gradcheck(lambda t: F.group_norm(t, groups), (x,)) and gradgradcheck(lambda t: F.group_norm(t, groups), (x,))


def test_group_norm_errors():
    with pytest.raises(ValueError, match=r"group_norm.*\(2, 5, 3\)"):
        F.group_norm(ember.ones(2, 5, 3), 2)
    with pytest.raises(ValueError, match=r"group_norm.*\(3,\)"):
        F.group_norm(ember.ones(3), 1)
    with pytest.raises(ValueError, match=r"group_norm.*weight"):
        F.group_norm(ember.ones(2, 4, 3), 2, ember.ones(3))


def test_channel_dropout():
    ember.manual_seed(0)
    x = ember.ones(8, 16, 3, 3)
    y = F.dropout2d(x, 0.5).numpy().reshape(8, 16, -1)
    assert set(np.unique(y)) <= {0.0, 2.0} and (y.min(-1) == y.max(-1)).all()  # whole channels
    assert 0.2 < (y[..., 0] == 0).mean() < 0.8
    y1 = F.dropout1d(ember.ones(16, 5), 0.5).numpy()  # unbatched (C, L)
    assert (y1.min(-1) == y1.max(-1)).all()
    np.testing.assert_array_equal(F.dropout2d(x, 0.5, training=False).numpy(), x.numpy())
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        F.dropout2d(ember.ones(2, 3, 4), 0.5)
        F.dropout2d(ember.ones(2, 3), 0.5)
    assert ["3D input" in str(w.message) for w in got] == [True, False] and "2-D input" in str(got[1].message)
    with pytest.raises(ValueError, match="dropout1d.*4D"):
        F.dropout1d(ember.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match="dropout probability"):
        F.dropout2d(x, 1.5)
    x = ember.ones(2, 3, 4, requires_grad=True)
    ember.manual_seed(1)
    assert gradcheck(lambda t: (ember.manual_seed(1), F.dropout1d(t, 0.4))[1], (x.double().detach().requires_grad_(),))

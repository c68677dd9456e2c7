"""Resize and RandomResizedCrop against a NumPy reference of the same separable filters (torch's
interpolate: nearest and nearest-exact source indices, bilinear and its antialiased triangle filter,
align_corners=False), and against torch itself where it is installed (bicubic, and uint8 images
bit for bit)."""
import inspect
import math
import pickle

import numpy as np
import pytest

import ember
import ember.transforms.v2 as T
from transform_helpers import DTYPES, images, run, smooth

IM = T.InterpolationMode


def np_weights(n_in, n_out, mode, antialias):
    """(n_out, n_in) matrix of one axis's taps, written from torch's formulas."""
    m = np.zeros((n_out, n_in))
    if mode in ("nearest", "nearest-exact"):
        scale = np.float32(n_in) / np.float32(n_out)
        for o in range(n_out):
            if mode == "nearest-exact":
                src = math.floor(np.float32((o + 0.5) * scale))
            else:
                src = o if n_out == n_in else math.floor(np.float32(o) * scale)
            m[o, min(src, n_in - 1)] = 1
        return m
    scale = n_in / n_out
    support, inv = (scale, 1 / scale) if antialias and scale >= 1 else (1.0, 1.0)
    for o in range(n_out):
        center = scale * (o + 0.5)
        lo, hi = max(int(center - support + 0.5), 0), min(int(center + support + 0.5), n_in)
        j = np.arange(lo, hi)
        w = np.maximum(0, 1 - np.abs((j - center + 0.5) * inv))
        m[o, lo:hi] = w / w.sum()
    return m


def np_resize(x, oh, ow, mode="bilinear", antialias=True):
    wy = np_weights(x.shape[-2], oh, mode, antialias)
    wx = np_weights(x.shape[-1], ow, mode, antialias)
    return np.einsum("oh,...hw,pw->...op", wy, x.astype(np.float64), wx)


CASES = [(12, 16, 5, 7), (9, 9, 20, 14), (16, 8, 16, 3), (7, 10, 7, 10 * 3)]


@pytest.mark.parametrize("h,w,oh,ow", CASES)
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear"])
@pytest.mark.parametrize("antialias", [True, False])
def test_resize_matches_numpy_reference(h, w, oh, ow, mode, antialias):
    x = smooth((2, 3, h, w))
    out = run(T.Resize((oh, ow), interpolation=IM(mode), antialias=antialias), x)
    np.testing.assert_allclose(out, np_resize(x, oh, ow, mode, antialias), rtol=0, atol=1e-12)
    out32 = run(T.Resize((oh, ow), interpolation=IM(mode), antialias=antialias), x.astype(np.float32))
    np.testing.assert_allclose(out32, np_resize(x.astype(np.float32), oh, ow, mode, antialias), atol=1e-5)


@pytest.mark.parametrize("mode,antialias", [("nearest", False), ("nearest-exact", False), ("bilinear", True),
                                            ("bilinear", False), ("bicubic", True), ("bicubic", False)])
def test_resize_uint8_is_torchs_integer_kernel(torch, mode, antialias):
    # torchvision resizes uint8 tensors with torch's interpolate (its integer kernels on AVX2 CPUs)
    x = images((2, 3, 13, 11), np.uint8)
    for size in ((6, 17), (5, 4), (26, 9)):
        out = run(T.Resize(size, interpolation=IM(mode), antialias=antialias), x)
        want = torch.nn.functional.interpolate(torch.from_numpy(x), size=size, mode=mode, antialias=antialias,
                                               **({"align_corners": False} if mode.startswith("bi") else {}))
        assert out.dtype == np.uint8
        np.testing.assert_array_equal(out, want.numpy())


@pytest.mark.parametrize("h,w,oh,ow", CASES)
@pytest.mark.parametrize("mode,antialias", [("nearest", False), ("nearest-exact", False), ("bilinear", True),
                                            ("bilinear", False), ("bicubic", True), ("bicubic", False)])
def test_resize_matches_torch_interpolate(torch, h, w, oh, ow, mode, antialias):
    x = smooth((2, 3, h, w))
    want = torch.nn.functional.interpolate(torch.from_numpy(x), size=(oh, ow), mode=mode, antialias=antialias,
                                           **({"align_corners": False} if mode.startswith("bi") else {})).numpy()
    out = run(T.Resize((oh, ow), interpolation=IM(mode), antialias=antialias), x)
    np.testing.assert_allclose(out, want, atol=1e-6)


@pytest.mark.parametrize("size,max_size,hw,want", [
    (8, None, (16, 24), (8, 12)), ([8], None, (24, 16), (12, 8)), (8, 10, (16, 24), (6, 10)),
    (None, 12, (16, 24), (8, 12)), (None, 12, (30, 10), (12, 4)), ((5, 6), None, (16, 24), (5, 6)),
    (7, None, (10, 15), (7, 10))])
def test_resize_output_size_rule(size, max_size, hw, want):
    out = T.Resize(size, max_size=max_size)(ember.rand(3, *hw))
    assert tuple(out.shape) == (3, *want)


def test_resize_same_size_is_the_input():
    x = ember.rand(3, 8, 8)
    assert T.Resize(8)(x) is x


@pytest.mark.parametrize("shape", [(3, 9, 12), (2, 2, 3, 9, 12)])
def test_resize_leading_dims(shape):
    x = smooth(shape)
    out = run(T.Resize((4, 5)), x)
    np.testing.assert_allclose(out, np_resize(x, 4, 5), atol=1e-12)


def test_resize_errors():
    with pytest.raises(ValueError, match="Resize: max_size should only be passed if size is None or specifies"):
        T.Resize((4, 5), max_size=8)
    with pytest.raises(ValueError, match="Resize: max_size must be an integer when size is None"):
        T.Resize(None)
    with pytest.raises(ValueError, match=r"Resize: max_size = 8 must be strictly greater than the requested size for "
                                         r"the smaller edge size = \[8\]"):
        T.Resize(8, max_size=8)(ember.rand(3, 10, 12))
    with pytest.raises(ValueError, match=r"Resize: interpolation InterpolationMode.BOX is not supported "
                                         r"\(ember implements InterpolationMode.NEAREST"):
        T.Resize(8, interpolation=IM.BOX)
    with pytest.raises(ValueError, match="Argument interpolation should be an `InterpolationMode`"):
        T.Resize(8, interpolation="bilinear")
    with pytest.raises(ValueError, match="Resize: size can be an integer, a sequence of one or two integers"):
        T.Resize((1, 2, 3))
    with pytest.raises(RuntimeError, match="Resize: the input requires grad"):
        T.Resize(4)(ember.rand(1, 8, 8, requires_grad=True))
    with pytest.raises(TypeError, match="Resize: expected a uint8, float32 or float64 image, got int64"):
        T.Resize(4)(ember.zeros(1, 8, 8, dtype=ember.int64))


def test_pil_integer_modes():
    assert T.Resize(4, interpolation=0).interpolation is IM.NEAREST
    assert T.Resize(4, interpolation=2).interpolation is IM.BILINEAR


# ---- RandomResizedCrop ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_random_resized_crop_whole_image(dtype):
    # scale (1, 1) and ratio (1, 1) on a square image: the whole image, resized.
    x = smooth((2, 3, 12, 12)) if dtype != np.uint8 else images((2, 3, 12, 12), np.uint8)
    x = x.astype(dtype)
    out = run(T.RandomResizedCrop(5, scale=(1, 1), ratio=(1, 1)), x)
    if dtype == np.uint8:  # the integer kernel's rounding: as Resize's (compared with torch above)
        np.testing.assert_array_equal(out, run(T.Resize((5, 5)), x))
    else:
        np.testing.assert_allclose(out, np_resize(x, 5, 5), atol=1e-5)


def test_random_resized_crop_fallback_is_the_center():
    # No area-1, ratio-1 crop fits a 10 x 40 image: after 10 tries, the largest centered crop of
    # ratio 1, (10, 10) at column 15, as torchvision.
    x = smooth((1, 2, 10, 40))
    out = run(T.RandomResizedCrop((4, 6), scale=(1, 1), ratio=(1, 1), antialias=False), x)
    np.testing.assert_allclose(out, np_resize(x[..., 0:10, 15:25], 4, 6, antialias=False), atol=1e-12)


def test_random_resized_crop_per_image_and_seeded():
    x = np.broadcast_to(smooth((1, 3, 32, 32)), (16, 3, 32, 32)).astype(np.float32)
    crop = T.RandomResizedCrop(8)
    out = run(crop, x)
    assert len({o.tobytes() for o in out}) == 16
    np.testing.assert_array_equal(out, run(crop, x))


def test_random_resized_crop_module_side():
    c = T.RandomResizedCrop(16, interpolation=IM.NEAREST)
    assert repr(c) == ("RandomResizedCrop(size=(16, 16), scale=(0.08, 1.0), ratio=(0.75, 1.3333333333333333), "
                       "interpolation=InterpolationMode.NEAREST, antialias=True)")
    assert repr(pickle.loads(pickle.dumps(c))) == repr(c)
    assert str(inspect.signature(T.RandomResizedCrop)) == (
        "(size, scale=(0.08, 1.0), ratio=(0.75, 1.3333333333333333), "
        "interpolation=<InterpolationMode.BILINEAR: 'bilinear'>, antialias=True)")
    with pytest.raises(ValueError, match=r"RandomResizedCrop: scale should be of kind \(min, max\)"):
        T.RandomResizedCrop(8, scale=(1.0, 0.5))
    with pytest.raises(ValueError, match="RandomResizedCrop: ratio values should be positive"):
        T.RandomResizedCrop(8, ratio=(0, 1))
    with pytest.raises(TypeError, match="RandomResizedCrop: scale should be a sequence"):
        T.RandomResizedCrop(8, scale=0.5)


def test_resize_module_side():
    r = T.Resize(16, max_size=20, antialias=False)
    assert repr(r) == "Resize(size=[16], interpolation=InterpolationMode.BILINEAR, max_size=20, antialias=False)"
    assert repr(pickle.loads(pickle.dumps(r))) == repr(r)
    assert repr(T.Resize((4, 5))) == "Resize(size=[4, 5], interpolation=InterpolationMode.BILINEAR, antialias=True)"
    assert str(inspect.signature(T.Resize)) == (
        "(size, interpolation=<InterpolationMode.BILINEAR: 'bilinear'>, max_size=None, antialias=True)")

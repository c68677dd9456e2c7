"""RandomAffine and RandomRotation against a NumPy reference of torchvision's formulas (its inverse
affine matrix, its affine grid and grid_sample with align_corners=False, its fill blend, its expand
size), to 1e-5 on smooth images; exact against np.rot90 where the angle is a right angle."""
import inspect
import math
import pickle

import numpy as np
import pytest

import ember
import ember.transforms.v2 as T
from transform_helpers import DTYPES, as_pixels, images, run, seeded_twice_and_threads, smooth

IM = T.InterpolationMode


def inverse_affine(center, angle, translate, scale, shear):
    """torchvision's _get_inverse_affine_matrix (inverted=True), from its documented formula."""
    rot, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -(a * math.tan(sx) + math.sin(rot))
    c = math.sin(rot - sy) / math.cos(sy)
    d = math.cos(rot) - c * math.tan(sx)
    m = [d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0]
    m[2] += cx - m[0] * (cx + tx) - m[1] * (cy + ty)
    m[5] += cy - m[3] * (cx + tx) - m[4] * (cy + ty)
    return m


def np_warp(x, m, oh, ow, mode, fill):
    """torchvision's _affine_grid + grid_sample(zeros, align_corners=False) + its fill blend."""
    *_, c, h, w = x.shape
    yc, xc = np.meshgrid(np.arange(oh) - (oh - 1) / 2, np.arange(ow) - (ow - 1) / 2, indexing="ij")
    ix = m[0] * xc + m[1] * yc + m[2] + (w - 1) / 2
    iy = m[3] * xc + m[4] * yc + m[5] + (h - 1) / 2
    fill = np.broadcast_to(np.asarray(fill, np.float64), (c,))[:, None, None]
    x = x.astype(np.float64)
    if mode == "nearest":
        jx, jy = np.rint(ix).astype(int), np.rint(iy).astype(int)
        inside = (0 <= jx) & (jx < w) & (0 <= jy) & (jy < h)
        v = x[..., np.clip(jy, 0, h - 1), np.clip(jx, 0, w - 1)]
        return np.where(inside, v, fill)
    x0, y0 = np.floor(ix), np.floor(iy)
    v = np.zeros(x.shape[:-2] + (oh, ow))
    mask = np.zeros((oh, ow))
    for dy in (0, 1):
        for dx in (0, 1):
            sx, sy = x0 + dx, y0 + dy
            wgt = (1 - np.abs(ix - sx)) * (1 - np.abs(iy - sy))
            inside = (0 <= sx) & (sx < w) & (0 <= sy) & (sy < h)
            wgt = np.where(inside, wgt, 0)
            v += wgt * x[..., np.clip(sy, 0, h - 1).astype(int), np.clip(sx, 0, w - 1).astype(int)]
            mask += wgt
    return (v - fill) * mask + fill


def affine_ref(x, angle, translate=(0, 0), scale=1.0, shear=(0.0, 0.0), center=None, mode="nearest", fill=0):
    h, w = x.shape[-2:]
    cf = (0.0, 0.0) if center is None else (center[0] - w * 0.5, center[1] - h * 0.5)
    return np_warp(x, inverse_affine(cf, angle, translate, scale, shear), h, w, mode, fill)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("angle,scale,shear,center,fill", [
    (30.0, 1.0, (0.0, 0.0), None, 0), (-17.5, 0.8, (10.0, 0.0), None, 0.25), (45.0, 1.3, (5.0, -8.0), (3.0, 9.5), 1),
    (0.0, 1.0, (0.0, 0.0), None, 0), (200.0, 0.6, (0.0, 20.0), None, (0.1, 0.2, 0.3))])
def test_random_affine_matches_torchvision_formula(mode, angle, scale, shear, center, fill):
    x = smooth((2, 3, 15, 18))
    shear_arg = [shear[0], shear[0], shear[1], shear[1]]  # a one-point range: no randomness
    t = T.RandomAffine((angle, angle), scale=(scale, scale), shear=shear_arg, interpolation=IM(mode), fill=fill,
                       center=center)
    want = affine_ref(x, angle, scale=scale, shear=shear, center=center, mode=mode, fill=fill)
    if mode == "nearest":
        np.testing.assert_array_equal(run(t, x), want)
    else:
        np.testing.assert_allclose(run(t, x), want, atol=1e-10)
        np.testing.assert_allclose(run(t, x.astype(np.float32)), want, atol=1e-5)


def test_random_affine_uint8_rounds():
    x = images((2, 3, 12, 12), np.uint8)
    t = T.RandomAffine((20, 20), scale=(0.9, 0.9), interpolation=IM.BILINEAR, fill=9)
    out = run(t, x)
    want = as_pixels(affine_ref(x, 20, scale=0.9, mode="bilinear", fill=9), np.uint8)
    assert out.dtype == np.uint8 and np.abs(out.astype(int) - want).max() <= 1
    assert (out == want).mean() > 0.98  # only exact .5 ties may differ by the float rounding


def test_random_affine_translation_is_a_whole_pixel_shift_per_image():
    x = np.broadcast_to(images((1, 1, 10, 10)), (30, 1, 10, 10)).copy()
    out = run(T.RandomAffine(0, translate=(0.3, 0.2)), x)
    shifts = set()
    for o in out:
        found = [(tx, ty) for tx in range(-3, 4) for ty in range(-2, 3)
                 if np.allclose(o, affine_ref(x[0], 0.0, translate=(tx, ty)))]
        assert len(found) == 1
        shifts.add(found[0])
    assert len(shifts) > 5  # each image its own translation


@pytest.mark.parametrize("dtype", DTYPES)
def test_random_rotation_right_angles_are_rot90(dtype):
    x = images((2, 3, 6, 6), dtype)
    np.testing.assert_array_equal(run(T.RandomRotation((90, 90)), x), np.rot90(x, 1, axes=(-2, -1)))
    np.testing.assert_array_equal(run(T.RandomRotation((180, 180)), x), np.rot90(x, 2, axes=(-2, -1)))
    y = images((2, 3, 5, 8), dtype)  # not square: expand turns the canvas
    np.testing.assert_array_equal(run(T.RandomRotation((-90, -90), expand=True), y), np.rot90(y, -1, axes=(-2, -1)))


def expand_size(m, w, h):
    """torchvision's _compute_affine_output_size (float32, truncated to 1e-4)."""
    pts = np.array([[-w / 2, -h / 2, 1], [-w / 2, h / 2, 1], [w / 2, h / 2, 1], [w / 2, -h / 2, 1]], np.float32)
    new = pts @ np.asarray(m, np.float32).reshape(2, 3).T
    lo, hi = new.min(0) + np.float32([w / 2, h / 2]), new.max(0) + np.float32([w / 2, h / 2])
    size = np.ceil(np.trunc(hi * 1e4) * 1e-4) - np.floor(np.trunc(lo * 1e4) * 1e-4)
    return int(size[0]), int(size[1])


@pytest.mark.parametrize("angle,expand,center", [(33.0, False, None), (33.0, True, None), (-71.0, True, None),
                                                 (12.0, False, (2.0, 3.0))])
def test_random_rotation_matches_torchvision_formula(angle, expand, center):
    x = smooth((3, 11, 16))
    h, w = x.shape[-2:]
    cf = (0.0, 0.0) if center is None else (center[0] - w * 0.5, center[1] - h * 0.5)
    m = inverse_affine(cf, -angle, (0.0, 0.0), 1.0, (0.0, 0.0))  # rotate turns by -angle
    ow, oh = expand_size(m, w, h) if expand else (w, h)
    want = np_warp(x, m, oh, ow, "bilinear", 0.5)
    out = run(T.RandomRotation((angle, angle), interpolation=IM.BILINEAR, expand=expand, center=center, fill=0.5), x)
    assert out.shape == want.shape
    np.testing.assert_allclose(out, want, atol=1e-10)


def test_random_rotation_expand_on_a_batch_takes_the_largest_canvas():
    x = smooth((8, 1, 10, 10))
    out = run(T.RandomRotation(45, expand=True), x)
    assert 10 < out.shape[-1] <= 16 and out.shape[-2] == out.shape[-1]


@pytest.mark.parametrize("transform", [T.RandomAffine(40, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=10),
                                       T.RandomRotation(40, interpolation=IM.BILINEAR)])
def test_per_image_and_seeded(transform):
    x = np.broadcast_to(smooth((1, 3, 16, 16)), (12, 3, 16, 16)).astype(np.float32)
    one, two = seeded_twice_and_threads(transform, x)
    np.testing.assert_array_equal(one, two)
    assert len({o.tobytes() for o in one}) == 12


REPRS = [
    (T.RandomAffine(30), "RandomAffine(degrees=[-30.0, 30.0], interpolation=InterpolationMode.NEAREST, fill=0)"),
    (T.RandomAffine((-5, 10), translate=(0.1, 0.2), scale=(0.9, 1.1), shear=(1, 2, 3, 4), fill=(1, 2, 3),
                    interpolation=IM.BILINEAR, center=(1, 2)),
     ("RandomAffine(degrees=[-5.0, 10.0], translate=(0.1, 0.2), scale=(0.9, 1.1), shear=[1.0, 2.0, 3.0, 4.0], "
      "interpolation=InterpolationMode.BILINEAR, fill=(1, 2, 3), center=(1, 2))")),
    (T.RandomRotation(10, expand=True, center=[4, 5], fill=1.5),
     ("RandomRotation(degrees=[-10.0, 10.0], interpolation=InterpolationMode.NEAREST, expand=True, fill=1.5, "
      "center=[4, 5])")),
]


@pytest.mark.parametrize("transform,text", REPRS)
def test_repr_and_pickle(transform, text):
    assert repr(transform) == text
    assert repr(pickle.loads(pickle.dumps(transform))) == text


def test_signatures():
    assert str(inspect.signature(T.RandomAffine)) == (
        "(degrees, translate=None, scale=None, shear=None, interpolation=<InterpolationMode.NEAREST: 'nearest'>, "
        "fill=0, center=None)")
    assert str(inspect.signature(T.RandomRotation)) == (
        "(degrees, interpolation=<InterpolationMode.NEAREST: 'nearest'>, expand=False, center=None, fill=0)")


@pytest.mark.parametrize("make,error,pattern", [
    (lambda: T.RandomRotation(-5), ValueError, "RandomRotation: If degrees is a single number, it must be positive"),
    (lambda: T.RandomRotation((1, 2, 3)), ValueError, "RandomRotation: degrees should be a sequence of length 2"),
    (lambda: T.RandomRotation((10, -10)), ValueError, r"degrees should be of kind \(min, max\)"),
    (lambda: T.RandomAffine(0, translate=(0.5, 1.5)), ValueError, "translation values should be between 0 and 1"),
    (lambda: T.RandomAffine(0, translate=0.5), TypeError, "RandomAffine: translate should be a sequence of length 2"),
    (lambda: T.RandomAffine(0, scale=(0, 1)), ValueError, "RandomAffine: scale values should be positive"),
    (lambda: T.RandomAffine(0, shear=(1, 2, 3)), ValueError, "RandomAffine: shear should be a sequence of length 2 or 4"),
    (lambda: T.RandomAffine(0, interpolation=IM.NEAREST_EXACT), ValueError,
     "RandomAffine: interpolation InterpolationMode.NEAREST_EXACT is not supported"),
    (lambda: T.RandomAffine(0, center=(1,)), ValueError, "RandomAffine: center should be a sequence of length 2"),
    (lambda: T.RandomAffine("a"), TypeError, "RandomAffine: degrees should be a number or a sequence of numbers"),
    (lambda: T.RandomRotation(5, fill=(1, 2))(ember.rand(3, 4, 4)), ValueError,
     r"RandomRotation: The number of elements in 'fill' cannot broadcast .* \(2 != 3\)"),
    (lambda: T.RandomAffine(5)(ember.rand(4)), ValueError, r"RandomAffine: expected an image .* shape \(4,\)"),
])
def test_bad_arguments(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()

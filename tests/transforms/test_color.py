"""ColorJitter and Normalize against NumPy references written from torchvision's formulas."""
import colorsys
import inspect
import pickle

import numpy as np
import pytest

import ember
from ember import transforms as T
from transform_helpers import seeded_twice_and_threads


def _images(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == "uint8":
        return rng.integers(0, 256, size=shape).astype(np.uint8)
    return rng.random(shape).astype(dtype)


# ---- NumPy references (torchvision's adjust_* on one image (C, H, W)) --------------------------

def _finish(x, integer):
    x = np.clip(x, 0, 255 if integer else 1)
    return np.trunc(x) if integer else x


def _gray(x, integer):
    g = 0.2989 * x[0] + 0.587 * x[1] + 0.114 * x[2]
    return np.floor(g) if integer else g


def ref_brightness(x, f, integer):
    return _finish(x * f, integer)


def ref_contrast(x, f, integer):
    mean = (_gray(x, integer) if x.shape[0] == 3 else x[0]).mean()
    return _finish(f * x + (1 - f) * mean, integer)


def ref_saturation(x, f, integer):
    if x.shape[0] == 1:
        return x
    return _finish(f * x + (1 - f) * _gray(x, integer), integer)


def ref_hue(x, f, integer):
    if x.shape[0] == 1:
        return x
    y = x / 255 if integer else x
    out = np.empty_like(y)
    for i in range(y.shape[1]):
        for j in range(y.shape[2]):
            h, s, v = colorsys.rgb_to_hsv(*y[:, i, j])
            out[:, i, j] = colorsys.hsv_to_rgb((h + f) % 1.0, s, v)
    return np.trunc(out * (255 + 1 - 1e-3)) if integer else out


def _check(got, want, integer):
    if integer:
        diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
        assert diff.max() <= 1  # float32 rounding at a truncation boundary
        assert (diff == 0).mean() > 0.97
    else:
        np.testing.assert_allclose(got, want, atol=2e-5 if got.dtype == np.float32 else 1e-10)


ONE_OP = [("brightness", (1.3, 1.3), ref_brightness), ("brightness", (0.4, 0.4), ref_brightness),
          ("contrast", (0.6, 0.6), ref_contrast), ("contrast", (1.8, 1.8), ref_contrast),
          ("saturation", (0.3, 0.3), ref_saturation), ("saturation", (1.7, 1.7), ref_saturation),
          ("hue", (0.2, 0.2), ref_hue), ("hue", (-0.45, -0.45), ref_hue)]


@pytest.mark.parametrize("dtype", ["float32", "float64", "uint8"])
@pytest.mark.parametrize("name,factor,ref", ONE_OP)
def test_one_adjustment_matches_torchvision_formula(dtype, name, factor, ref):
    x = _images((2, 3, 5, 6), dtype)
    out = T.ColorJitter(**{name: factor})(ember.tensor(x)).numpy()
    assert out.dtype == x.dtype and out.shape == x.shape
    integer = dtype == "uint8"
    for i in range(2):
        _check(out[i], ref(x[i].astype(np.float64), factor[0], integer), integer)


@pytest.mark.parametrize("name,factor,ref", ONE_OP[::2])
def test_one_channel_and_single_image(name, factor, ref):
    x = _images((1, 4, 4), "float64")
    out = T.ColorJitter(**{name: factor})(ember.tensor(x)).numpy()
    _check(out, ref(x, factor[0], False), False)
    y = _images((3, 4, 5), "float32")
    _check(T.ColorJitter(**{name: factor})(ember.tensor(y)).numpy(), ref(y.astype(np.float64), factor[0], False), False)


def test_random_order_per_image():
    # Two adjustments with fixed factors: each image shows one of the two orders, and both occur.
    x = np.repeat(_images((1, 3, 4, 4), "float64"), 64, axis=0)
    out = T.ColorJitter(brightness=(1.5, 1.5), contrast=(0.3, 0.3))(ember.tensor(x)).numpy()
    bc = ref_contrast(ref_brightness(x[0], 1.5, False), 0.3, False)
    cb = ref_brightness(ref_contrast(x[0], 0.3, False), 1.5, False)
    assert not np.allclose(bc, cb)
    seen = set()
    for img in out:
        if np.allclose(img, bc):
            seen.add("bc")
        else:
            np.testing.assert_allclose(img, cb)
            seen.add("cb")
    assert seen == {"bc", "cb"}


def test_factor_ranges_and_per_image_draws():
    x = np.full((400, 1, 2, 2), 0.4)
    ember.manual_seed(1)
    f = T.ColorJitter(brightness=0.5)(ember.tensor(x)).numpy()[:, 0, 0, 0] / 0.4
    assert f.min() >= 0.5 - 1e-12 and f.max() <= 1.5 + 1e-12
    assert f.min() < 0.55 and f.max() > 1.45 and len(np.unique(f)) == 400
    g = T.ColorJitter(brightness=(0.2, 0.3))(ember.tensor(x)).numpy() / 0.4
    assert g.min() >= 0.2 - 1e-12 and g.max() <= 0.3 + 1e-12


def test_identical_images_differ_and_seeded_runs_repeat():
    x = np.repeat(_images((1, 3, 8, 8), "float32"), 16, axis=0)
    one, two = seeded_twice_and_threads(T.ColorJitter(0.4, 0.4, 0.4, 0.1), x)
    assert len({one[i].tobytes() for i in range(16)}) == 16
    np.testing.assert_array_equal(one, two)


def test_batch_of_batches_and_empty():
    x = _images((2, 3, 3, 4, 4), "uint8")
    out = T.ColorJitter(brightness=(2.0, 2.0))(ember.tensor(x)).numpy()
    np.testing.assert_array_equal(out, np.clip(x.astype(np.float64) * 2, 0, 255).astype(np.uint8))
    assert T.ColorJitter(0.5)(ember.zeros(0, 3, 4, 4)).shape == (0, 3, 4, 4)


def test_color_jitter_arguments():
    assert repr(T.ColorJitter()) == "ColorJitter()"
    t = T.ColorJitter(0.4, 0.4, 0.4, 0.1)
    assert repr(t) == "ColorJitter(brightness=(0.6, 1.4), contrast=(0.6, 1.4), saturation=(0.6, 1.4), hue=(-0.1, 0.1))"
    assert t.brightness == (0.6, 1.4) and t.hue == (-0.1, 0.1)
    assert T.ColorJitter(brightness=1.5).brightness == (0.0, 2.5)  # clipped at 0 as torchvision
    assert T.ColorJitter(brightness=0, hue=0).brightness is None  # the identity range is None
    assert str(inspect.signature(T.ColorJitter)) == "(brightness=None, contrast=None, saturation=None, hue=None)"
    u = pickle.loads(pickle.dumps(t))
    assert repr(u) == repr(t)
    x = ember.rand(4, 3, 5, 5)
    ember.manual_seed(0)
    a = t(x)
    ember.manual_seed(0)
    assert ember.equal(u(x), a)


@pytest.mark.parametrize("kwargs,error,match", [
    ({"brightness": -0.1}, ValueError, "ColorJitter: If brightness is a single number, it must be non negative"),
    ({"contrast": (1.5, 0.5)}, ValueError, r"contrast values should be between \(0, inf\)"),
    ({"saturation": (-1, 2)}, ValueError, "saturation values should be between"),
    ({"hue": 0.6}, ValueError, r"hue values should be between \(-0.5, 0.5\)"),
    ({"hue": (-0.7, 0.1)}, ValueError, "hue values should be between"),
    ({"hue": -0.1}, ValueError, "If hue is a single number, it must be non negative"),
    ({"brightness": (1, 2, 3)}, TypeError, "should be a single number or a sequence with length 2"),
    ({"brightness": "a"}, TypeError, "ColorJitter: brightness should be a number or a sequence of numbers"),
])
def test_color_jitter_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        T.ColorJitter(**kwargs)


def test_color_jitter_bad_inputs():
    t = T.ColorJitter(0.5)
    with pytest.raises(TypeError, match=r"ColorJitter: .*1 or 3, but found 4"):
        t(ember.rand(2, 4, 3, 3))
    with pytest.raises(ValueError, match=r"ColorJitter: expected an image"):
        t(ember.rand(3, 3))
    with pytest.raises(TypeError, match="ColorJitter: expected a uint8, float32 or float64 image"):
        t(ember.ones(3, 2, 2, dtype=ember.int32))
    with pytest.raises(RuntimeError, match="ColorJitter: .*requires grad"):
        t(ember.rand(3, 2, 2, requires_grad=True))


# ---- Normalize --------------------------------------------------------------------------------

def test_normalize_matches_formula_and_is_differentiable():
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    x = _images((2, 3, 4, 5), "float64")
    out = T.Normalize(mean, std)(ember.tensor(x)).numpy()
    np.testing.assert_allclose(out, (x - np.array(mean)[:, None, None]) / np.array(std)[:, None, None])
    y = _images((3, 4, 5), "float32")
    np.testing.assert_allclose(T.Normalize([0.5], [0.25])(ember.tensor(y)).numpy(), (y - 0.5) / 0.25, rtol=1e-6)
    xt = ember.tensor(x[0], requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: T.Normalize(mean, std)(t), (xt,))


def test_normalize_inplace_arguments_and_errors():
    x = ember.ones(3, 2, 2)
    out = T.Normalize([1.0, 0.0, 0.0], [1.0, 2.0, 4.0], inplace=True)(x)
    assert out is x or ember.equal(out, x)
    np.testing.assert_allclose(x.numpy()[:, 0, 0], [0.0, 0.5, 0.25])
    t = T.Normalize((0.5, 0.5), [0.1, 0.2])
    assert repr(t) == "Normalize(mean=[0.5, 0.5], std=[0.1, 0.2], inplace=False)"
    assert str(inspect.signature(T.Normalize)) == "(mean, std, inplace=False)"
    assert repr(pickle.loads(pickle.dumps(t))) == repr(t)
    with pytest.raises(ValueError, match="Normalize: std evaluated to zero"):
        T.Normalize([0.5], [0.0])
    with pytest.raises(TypeError, match="Normalize: input tensor should be a float tensor"):
        T.Normalize([0.5], [0.5])(ember.ones(3, 2, 2, dtype=ember.uint8))
    with pytest.raises(ValueError, match=r"Normalize: expected tensor to be a tensor image of size \(..., C, H, W\)"):
        T.Normalize([0.5], [0.5])(ember.ones(2, 2))
    with pytest.raises(ValueError, match="Normalize: mean has 2 values for an input with 3 channels"):
        t(ember.ones(3, 2, 2))

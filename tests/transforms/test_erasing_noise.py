"""GaussianNoise and RandomErasing against NumPy checks of torchvision v2's rules."""
import inspect
import pickle

import numpy as np
import pytest

import ember
from ember import transforms as T
from transform_helpers import seeded_twice_and_threads


# ---- GaussianNoise ----------------------------------------------------------------------------

def test_gaussian_noise_float_statistics_and_clip():
    x = np.full((8, 3, 32, 32), 0.5)
    ember.manual_seed(0)
    noise = T.GaussianNoise(mean=0.1, sigma=0.2, clip=False)(ember.tensor(x)).numpy() - 0.5
    assert abs(noise.mean() - 0.1) < 0.01 and abs(noise.std() - 0.2) < 0.01
    clipped = T.GaussianNoise(sigma=1.0)(ember.tensor(x)).numpy()
    assert clipped.min() == 0.0 and clipped.max() == 1.0
    single = T.GaussianNoise()(ember.rand(3, 4, 4))
    assert single.shape == (3, 4, 4) and single.dtype == ember.float32


def test_gaussian_noise_uint8_truncates_the_noise():
    # sigma 0: the noise is mean * 255 truncated to an integer, as torchvision's int16 cast.
    x = np.array([[[0, 100, 250]]], dtype=np.uint8).repeat(3, axis=0)
    out = T.GaussianNoise(mean=0.03, sigma=0.0)(ember.tensor(x)).numpy()
    np.testing.assert_array_equal(out, np.clip(x.astype(np.int64) + 7, 0, 255))  # 0.03 * 255 = 7.65
    wrapped = T.GaussianNoise(mean=0.03, sigma=0.0, clip=False)(ember.tensor(x)).numpy()
    assert wrapped[0, 0, 2] == (250 + 7) % 256
    big = T.GaussianNoise(sigma=0.5)(ember.tensor(np.full((2, 3, 16, 16), 128, np.uint8))).numpy()
    assert big.dtype == np.uint8 and 0 in big and 255 in big


def test_gaussian_noise_gradient_and_repeatability():
    x = ember.full((2, 3, 4, 4), 0.5, requires_grad=True)
    T.GaussianNoise(sigma=0.01)(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3, 4, 4)))
    one, two = seeded_twice_and_threads(T.GaussianNoise(), np.full((6, 3, 8, 8), 0.5))
    assert not np.array_equal(one[0], one[1])  # each image its own noise
    np.testing.assert_array_equal(one, two)


def test_gaussian_noise_arguments_and_errors():
    t = T.GaussianNoise()
    assert repr(t) == "GaussianNoise(mean=0.0, sigma=0.1, clip=True)"
    assert str(inspect.signature(T.GaussianNoise)) == "(mean=0.0, sigma=0.1, clip=True)"
    assert repr(pickle.loads(pickle.dumps(T.GaussianNoise(0.1, 0.3, False)))) == "GaussianNoise(mean=0.1, sigma=0.3, clip=False)"
    assert T.GaussianNoise is not ember.nn.GaussianNoise  # the layer is a different thing
    with pytest.raises(ValueError, match="GaussianNoise: sigma shouldn't be negative"):
        T.GaussianNoise(sigma=-1.0)
    with pytest.raises(ValueError, match="GaussianNoise: input tensor is expected to be in uint8 or float dtype"):
        t(ember.ones(3, 2, 2, dtype=ember.int64))
    with pytest.raises(ValueError, match="GaussianNoise: expected an image"):
        t(ember.ones(4))


# ---- RandomErasing ----------------------------------------------------------------------------

def _erased_box(before, after):
    """The (top, left, height, width) of the changed pixels, checked to be a full rectangle."""
    changed = np.any(before != after, axis=0)
    if not changed.any():
        return None
    rows, cols = np.nonzero(changed.any(axis=1))[0], np.nonzero(changed.any(axis=0))[0]
    top, left, h, w = rows[0], cols[0], rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    assert changed[top:top + h, left:left + w].all() and changed.sum() == h * w
    return top, left, h, w


@pytest.mark.parametrize("dtype", ["float32", "uint8"])
def test_random_erasing_boxes_follow_scale_and_ratio(dtype):
    rng = np.random.default_rng(0)
    x = (rng.random((64, 3, 20, 30)) * 200 + 20).astype(dtype)
    out = T.RandomErasing(p=1.0, value=(1, 2, 3))(ember.tensor(x)).numpy()
    assert out.dtype == x.dtype
    boxes = 0
    for before, after in zip(x, out):
        box = _erased_box(before, after)
        if box is None:
            continue
        boxes += 1
        top, left, h, w = box
        np.testing.assert_array_equal(after[:, top:top + h, left:left + w],
                                      np.broadcast_to(np.array([1, 2, 3], dtype)[:, None, None], (3, h, w)))
        assert h < 20 and w < 30
        # h = round(sqrt(a r)), w = round(sqrt(a / r)): h w within rounding of scale * area.
        assert 0.02 * 600 - (h + w) <= h * w <= 0.33 * 600 + (h + w)
        assert 0.3 * (w - 1) <= h + 1 and h - 1 <= 3.3 * (w + 1)
    assert boxes >= 56  # at p=1 nearly every image finds a box within 10 tries


def test_random_erasing_probability_random_values_and_ten_tries():
    x = ember.rand(200, 3, 10, 10)
    out = T.RandomErasing(p=0.5)(x).numpy()
    erased = np.any(out != x.numpy(), axis=(1, 2, 3)).mean()
    assert 0.35 < erased < 0.65
    np.testing.assert_array_equal(T.RandomErasing(p=0.0)(x).numpy(), x.numpy())
    # A box as large as the image never fits (h < H fails every time): no erasing after 10 tries.
    np.testing.assert_array_equal(T.RandomErasing(p=1.0, scale=(0.99, 1.0), ratio=(1.0, 1.0))(x).numpy(), x.numpy())
    ember.manual_seed(2)
    r = T.RandomErasing(p=1.0, value="random")(ember.zeros(50, 3, 16, 16)).numpy()
    vals = r[r != 0]
    assert vals.size > 500 and abs(vals.mean()) < 0.1 and abs(vals.std() - 1) < 0.1


def test_random_erasing_inplace_and_repeatability():
    x = ember.rand(4, 3, 8, 8)
    keep = x.numpy().copy()
    out = T.RandomErasing(p=1.0, value=5.0, inplace=True)(x)
    np.testing.assert_array_equal(x.numpy(), out.numpy())
    assert (x.numpy() == 5.0).any() and not np.array_equal(x.numpy(), keep)
    one, two = seeded_twice_and_threads(T.RandomErasing(p=0.7, value="random"), np.random.rand(8, 3, 8, 8))
    np.testing.assert_array_equal(one, two)


def test_random_erasing_arguments_and_errors():
    t = T.RandomErasing()
    assert repr(t) == "RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=[0.0], inplace=False)"
    assert repr(T.RandomErasing(value="random")) == \
        "RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), inplace=False)"
    assert str(inspect.signature(T.RandomErasing)) == \
        "(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0.0, inplace=False)"
    u = pickle.loads(pickle.dumps(T.RandomErasing(p=0.3, value="random")))
    assert u.p == 0.3 and u.value == "random"
    with pytest.raises(ValueError, match="RandomErasing: `p` should be a floating point value in the interval"):
        T.RandomErasing(p=1.5)
    with pytest.raises(ValueError, match="RandomErasing: Scale should be between 0 and 1"):
        T.RandomErasing(scale=(0.5, 1.5))
    with pytest.raises(TypeError, match="RandomErasing: Scale should be a sequence"):
        T.RandomErasing(scale=0.5)
    with pytest.raises(ValueError, match="RandomErasing: if value is str, it should be 'random'"):
        T.RandomErasing(value="zeros")
    with pytest.raises(TypeError, match="RandomErasing: argument value should be either a number or str or a sequence"):
        T.RandomErasing(value=None)
    with pytest.raises(ValueError, match="RandomErasing: if value is a sequence, it should have either a single value or 3"):
        T.RandomErasing(value=(1, 2))(ember.rand(3, 8, 8))
    with pytest.raises(RuntimeError, match="RandomErasing: .*requires grad"):
        t(ember.rand(3, 8, 8, requires_grad=True))

"""ember.transforms' geometric transforms against NumPy references written here: flips and crops
exact, resizing and affine warps to 1e-5 on smooth images; per-image parameters, seeded
repeatability across thread counts, dtypes, leading dims, bad inputs, repr, signature, pickling."""
import inspect
import pickle

import numpy as np
import pytest

import ember
import ember.transforms.v2 as T
from transform_helpers import DTYPES, images, run


def test_v2_is_the_package():
    import ember.transforms
    assert T is ember.transforms and ember.transforms.v2 is ember.transforms


# ---- flips --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls,axis", [(T.RandomHorizontalFlip, -1), (T.RandomVerticalFlip, -2)])
def test_flip_always_and_never(cls, axis, dtype):
    x = images((4, 3, 5, 7), dtype)
    np.testing.assert_array_equal(run(cls(p=1.0), x), np.flip(x, axis))
    np.testing.assert_array_equal(run(cls(p=0.0), x), x)
    out = cls(1.0)(ember.tensor(x))
    assert out.dtype == ember.tensor(x).dtype


@pytest.mark.parametrize("cls,axis", [(T.RandomHorizontalFlip, -1), (T.RandomVerticalFlip, -2)])
def test_flip_each_image_its_own_coin(cls, axis):
    x = np.broadcast_to(images((1, 2, 4, 6)), (64, 2, 4, 6)).copy()
    out = run(cls(), x)
    flipped = [bool(np.array_equal(o, np.flip(x[0], axis))) for o in out]
    assert all(f or np.array_equal(o, x[0]) for f, o in zip(flipped, out))
    assert 10 < sum(flipped) < 54


@pytest.mark.parametrize("shape", [(3, 5, 6), (2, 3, 3, 5, 6), (0, 3, 5, 6)])
def test_flip_leading_dims(shape):
    x = images(shape)
    np.testing.assert_array_equal(run(T.RandomHorizontalFlip(1.0), x), np.flip(x, -1))


def test_flip_repeats_under_seed_whatever_the_threads():
    x = images((300, 3, 32, 32))
    flip = T.RandomHorizontalFlip()
    threads = ember.get_num_threads()
    try:
        ember.set_num_threads(1)
        one = run(flip, x, seed=5)
        ember.set_num_threads(2)
        two = run(flip, x, seed=5)
    finally:
        ember.set_num_threads(threads)
    np.testing.assert_array_equal(one, two)
    assert not np.array_equal(run(flip, x, seed=5), run(flip, x, seed=6))


def test_flip_generator_stream_is_the_default_one():
    # Transforms draw from the default generator, so a seed fixes every later draw too.
    ember.manual_seed(1)
    a = T.RandomHorizontalFlip()(ember.rand(16, 1, 2, 2))
    ember.manual_seed(1)
    b = T.RandomHorizontalFlip()(ember.rand(16, 1, 2, 2))
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_flip_bad_inputs():
    with pytest.raises(ValueError, match=r"RandomHorizontalFlip: `p` should be a floating point value"):
        T.RandomHorizontalFlip(-0.1)
    with pytest.raises(ValueError, match=r"RandomVerticalFlip: `p`"):
        T.RandomVerticalFlip(1.5)
    with pytest.raises(ValueError, match=r"RandomHorizontalFlip: expected an image .* got shape \(4, 4\)"):
        T.RandomHorizontalFlip()(ember.ones(4, 4))
    with pytest.raises(RuntimeError, match="RandomHorizontalFlip: the input requires grad"):
        T.RandomHorizontalFlip()(ember.ones(1, 4, 4, requires_grad=True))
    with ember.no_grad():  # no graph to lose
        T.RandomHorizontalFlip()(ember.ones(1, 4, 4, requires_grad=True))


def test_flip_repr_signature_pickle():
    f = T.RandomHorizontalFlip(p=0.25)
    assert repr(f) == "RandomHorizontalFlip(p=0.25)"
    assert str(inspect.signature(T.RandomHorizontalFlip)) == "(p=0.5)"
    g = pickle.loads(pickle.dumps(f))
    assert type(g) is T.RandomHorizontalFlip and g.p == 0.25
    assert isinstance(f, ember.nn.Module)

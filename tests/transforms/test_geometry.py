"""ember.transforms' geometric transforms against NumPy references written here: flips and crops
exact, resizing and affine warps to 1e-5 on smooth images; per-image parameters, seeded
repeatability across thread counts, dtypes, leading dims, bad inputs, repr, signature, pickling."""
import inspect
import pickle

import numpy as np
import pytest

import ember
import ember.transforms.v2 as T
from transform_helpers import DTYPES, images, run, seeded_twice_and_threads


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
    one, two = seeded_twice_and_threads(T.RandomHorizontalFlip(), x)
    np.testing.assert_array_equal(one, two)
    assert not np.array_equal(one, run(T.RandomHorizontalFlip(), x, seed=6))


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
    with pytest.raises(ValueError, match=r"RandomHorizontalFlip: expected an image .* got shape \(4,\)"):
        T.RandomHorizontalFlip()(ember.ones(4))
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


# ---- every geometric transform: the shared contract -----------------------------------------

IM = T.InterpolationMode
RANDOM = [
    T.RandomHorizontalFlip(), T.RandomVerticalFlip(), T.RandomCrop(12, padding=3, padding_mode="reflect"),
    T.RandomResizedCrop(10), T.RandomAffine(30, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=5),
    T.RandomRotation(45, interpolation=IM.BILINEAR, fill=0.5), T.RandomRotation(45, expand=True),
]
FIXED = [T.CenterCrop(8), T.Resize((7, 9)), T.Resize(6, interpolation=IM.NEAREST_EXACT)]


@pytest.mark.parametrize("transform", RANDOM, ids=lambda t: type(t).__name__)
def test_random_transforms_draw_per_image_and_repeat_under_seed(transform):
    x = np.broadcast_to(images((1, 3, 12, 12)), (24, 3, 12, 12)).copy()
    one, two = seeded_twice_and_threads(transform, x)
    np.testing.assert_array_equal(one, two)  # the same draws with 1 thread and with 2
    assert len({o.tobytes() for o in one}) >= 2  # identical images, different results
    assert not np.array_equal(one, run(transform, x, seed=12))


@pytest.mark.parametrize("transform", RANDOM + FIXED, ids=lambda t: type(t).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
def test_dtypes_and_leading_dims(transform, dtype):
    x = images((2, 2, 3, 12, 12), dtype)
    batch = run(transform, x, seed=3)
    assert batch.dtype == dtype and batch.shape[:3] == (2, 2, 3)
    # The leading dims are one batch of 4 images, drawn in order.
    flat = run(transform, x.reshape(4, 3, 12, 12), seed=3)
    np.testing.assert_array_equal(batch.reshape(flat.shape), flat)
    # A single image (C, H, W) is a batch of one.
    np.testing.assert_array_equal(run(transform, x[0, 0], seed=3), run(transform, x[0, :1], seed=3)[0])


@pytest.mark.parametrize("transform", RANDOM + FIXED, ids=lambda t: type(t).__name__)
def test_pickles_as_dataloader_workers_need(transform):
    copy = pickle.loads(pickle.dumps(transform))
    x = images((4, 3, 12, 12))
    np.testing.assert_array_equal(run(copy, x), run(transform, x))
    assert repr(copy) == repr(transform)


@pytest.mark.parametrize("transform", RANDOM + [T.Resize((7, 9))], ids=lambda t: type(t).__name__)
def test_kernels_refuse_inputs_that_require_grad(transform):
    with pytest.raises(RuntimeError, match=f"{type(transform).__name__}: the input requires grad"):
        transform(ember.rand(3, 12, 12, requires_grad=True))


def test_empty_batch():
    for transform in RANDOM + FIXED:
        assert transform(ember.rand(0, 3, 12, 12)).shape[0] == 0


# ---- Compose ------------------------------------------------------------------------------

def test_compose_applies_in_order():
    x = images((5, 3, 8, 8))
    pipeline = T.Compose([T.RandomHorizontalFlip(1.0), T.CenterCrop(4), lambda t: t * 2])
    np.testing.assert_array_equal(run(pipeline, x), np.flip(x, -1)[..., 2:6, 2:6] * 2)


def test_compose_several_inputs_pass_through_every_transform():
    def swap(a, b):
        return b, a
    a, b = T.Compose([swap, swap, swap])(1, 2)
    assert (a, b) == (2, 1)


def test_compose_repr_is_torchvisions(torch):
    class Reference(torch.nn.Module):  # torchvision v2's Compose.extra_repr, on torch's Module repr
        def __init__(self, transforms):
            super().__init__()
            self.transforms = transforms

        def extra_repr(self):
            return "\n".join(f"    {t}" for t in self.transforms)

    transforms = [T.RandomHorizontalFlip(), T.RandomCrop(32, padding=4)]
    assert repr(T.Compose(transforms)).replace("Compose", "Reference") == repr(Reference(transforms))


def test_compose_pickles_and_checks():
    pipeline = T.Compose([T.RandomHorizontalFlip(), T.RandomCrop(8, padding=2)])
    copy = pickle.loads(pickle.dumps(pipeline))
    x = images((6, 3, 8, 8))
    np.testing.assert_array_equal(run(copy, x), run(pipeline, x))
    with pytest.raises(TypeError, match="Compose: Argument transforms should be a sequence of callables"):
        T.Compose(T.RandomHorizontalFlip())
    with pytest.raises(ValueError, match="Compose: Pass at least one transform"):
        T.Compose([])


def test_docstring_examples_run():
    import doctest

    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    parser = doctest.DocTestParser()
    for name in T.__all__:
        ember.manual_seed(0)
        runner.run(parser.get_doctest(getattr(T, name).__doc__, {"ember": ember}, name, None, 0))
    assert runner.failures == 0 and runner.tries > len(T.__all__), (runner.failures, runner.tries)


@pytest.mark.parametrize("transform", RANDOM + FIXED, ids=lambda t: type(t).__name__)
def test_non_contiguous_input(transform):
    x = images((4, 3, 12, 12))
    strided = ember.tensor(x.transpose(0, 1, 3, 2).copy()).transpose(-1, -2)  # same values, transposed strides
    ember.manual_seed(0)
    np.testing.assert_array_equal(transform(strided).numpy(), run(transform, x))


def test_empty_images_where_pixels_are_needed():
    empty = ember.rand(2, 3, 0, 5)
    with pytest.raises(ValueError, match=r"RandomCrop: padding_mode reflect extends the image's own pixels, but the "
                                         r"images are empty \(0, 5\)"):
        T.RandomCrop(4, pad_if_needed=True, padding_mode="reflect")(empty)
    assert T.RandomCrop(4, pad_if_needed=True, fill=1)(empty).sum().item() == 2 * 3 * 16
    with pytest.raises(ValueError, match=r"Resize: Input and output sizes should be greater than 0"):
        T.Resize((4, 4))(empty)


@pytest.mark.parametrize("make", [
    lambda: T.RandomHorizontalFlip(), lambda: T.RandomVerticalFlip(), lambda: T.RandomCrop(5, padding=2),
    lambda: T.CenterCrop(5), lambda: T.CenterCrop(12), lambda: T.Resize((4, 6)), lambda: T.RandomResizedCrop(5),
    lambda: T.RandomAffine(20, translate=(0.1, 0.1)), lambda: T.RandomRotation(30), lambda: T.FiveCrop(3),
    lambda: T.TenCrop(3), lambda: T.RandomErasing(1.0), lambda: T.GaussianNoise()])
def test_plain_2d_images_are_one_channel(make):
    # torchvision takes an (H, W) tensor as an image of one channel and gives it back without it
    x = ember.rand(8, 10)
    ember.manual_seed(3)
    flat = make()(x)
    ember.manual_seed(3)
    channel = make()(x.unsqueeze(0))
    for a, b in zip(flat if isinstance(flat, tuple) else [flat], channel if isinstance(channel, tuple) else [channel]):
        assert a.shape == b.shape[1:] and ember.equal(a, b[0])


def test_color_transforms_still_need_channels():
    with pytest.raises(ValueError, match=r"ColorJitter: expected an image \(C, H, W\) or a batch"):
        T.ColorJitter(0.5)(ember.rand(8, 10))
    with pytest.raises(ValueError, match=r"Normalize: expected tensor to be a tensor image"):
        T.Normalize([0.5], [0.2])(ember.rand(8, 10))

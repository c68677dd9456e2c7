"""RandomCrop, CenterCrop, FiveCrop and TenCrop against NumPy references (exact): every padding mode
against numpy.pad's, torchvision's centering and corner rules, per-image windows, bad inputs."""
import inspect
import pickle

import numpy as np
import pytest

import ember
import ember.transforms.v2 as T
from transform_helpers import DTYPES, images, run

# torchvision's padding_mode -> numpy.pad's mode.
NP_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}


def np_pad(x, left, top, right, bottom, mode, fill=0):
    widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    if mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=fill)
    return np.pad(x, widths, mode=NP_MODES[mode])


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
@pytest.mark.parametrize("padding,ltrb", [(2, (2, 2, 2, 2)), ((1, 3), (1, 3, 1, 3)), ((1, 2, 3, 4), (1, 2, 3, 4)),
                                          ((9, 0, 0, 7), (9, 0, 0, 7))])  # wider than the image: repeats
@pytest.mark.parametrize("dtype", DTYPES)
def test_random_crop_padding_modes_match_numpy_pad(mode, padding, ltrb, dtype):
    x = images((2, 3, 5, 6), dtype)
    l, t, r, b = ltrb
    size = (5 + t + b, 6 + l + r)  # the whole padded image: no draw
    crop = T.RandomCrop(size, padding=padding, padding_mode=mode, fill=7)
    np.testing.assert_array_equal(run(crop, x), np_pad(x, l, t, r, b, mode, fill=7))


def windows_of(padded, out):
    """The (top, left) of every window of `padded` equal to `out` (one image)."""
    h, w = out.shape[-2:]
    return [(i, j) for i in range(padded.shape[-2] - h + 1) for j in range(padded.shape[-1] - w + 1)
            if np.array_equal(padded[..., i:i + h, j:j + w], out)]


@pytest.mark.parametrize("dtype", DTYPES)
def test_random_crop_is_a_window_of_the_padded_image_per_image(dtype):
    x = np.broadcast_to(images((1, 3, 8, 8), dtype), (40, 3, 8, 8)).copy()
    out = run(T.RandomCrop(8, padding=4), x)
    padded = np_pad(x[0], 4, 4, 4, 4, "constant")
    corners = [windows_of(padded, o) for o in out]
    assert all(len(c) == 1 for c in corners)  # each output is exactly one window
    assert len({c[0] for c in corners}) > 15  # and the images drew their own


def test_random_crop_pad_if_needed_and_leading_dims():
    x = images((2, 2, 3, 4, 5))
    out = run(T.RandomCrop((6, 5), pad_if_needed=True, fill=0.5), x)
    assert out.shape == (2, 2, 3, 6, 5)
    # height 4 -> 6 pads 2 on each side (torchvision's rule), then an offset in [0, 4]
    padded = np_pad(x, 0, 2, 0, 2, "constant", fill=0.5)
    for idx in np.ndindex(2, 2):
        assert windows_of(padded[idx], out[idx])
    single = run(T.RandomCrop(3), x[0, 0])
    assert single.shape == (3, 3, 3) and windows_of(x[0, 0], single)


def test_random_crop_per_channel_fill():
    x = images((1, 3, 2, 2))
    out = run(T.RandomCrop(4, padding=1, fill=(1, 2, 3)), x)
    np.testing.assert_array_equal(out[0, :, 0, 0], [1, 2, 3])


def test_random_crop_errors():
    x = ember.rand(3, 32, 32)
    with pytest.raises(ValueError, match=r"RandomCrop: Required crop size \(40, 40\) is larger than input image "
                                         r"size \(32, 32\)"):
        T.RandomCrop(40)(x)
    with pytest.raises(ValueError, match=r"larger than padded input image size \(34, 34\)"):
        T.RandomCrop(40, padding=1)(x)
    with pytest.raises(ValueError, match="Padding must be an int or a 1, 2, or 4 element tuple, not a 3 element"):
        T.RandomCrop(4, padding=(1, 2, 3))
    with pytest.raises(ValueError, match="Padding mode should be either constant, edge, reflect or symmetric"):
        T.RandomCrop(4, padding_mode="wrap")
    with pytest.raises(ValueError, match=r"RandomCrop: Please provide only two dimensions \(h, w\) for size"):
        T.RandomCrop((1, 2, 3))
    with pytest.raises(ValueError, match="RandomCrop: size should be positive"):
        T.RandomCrop(0)
    with pytest.raises(TypeError):
        T.RandomCrop("4")
    with pytest.raises(ValueError, match=r"'fill' cannot broadcast .* \(2 != 3\)"):
        T.RandomCrop(32, padding=1, fill=(1, 2))(x)
    with pytest.raises(ValueError, match=r"RandomCrop: expected an image .* got shape \(32,\)"):
        T.RandomCrop(4)(ember.rand(32))
    with pytest.raises(TypeError, match="RandomCrop: expected a uint8, float32 or float64 image, got int64"):
        T.RandomCrop(4)(ember.zeros(1, 8, 8, dtype=ember.int64))


# ---- center, five and ten crops ------------------------------------------------------------

def np_center_crop(x, h, w):
    ih, iw = x.shape[-2:]
    if h > ih or w > iw:
        pw, ph = max(w - iw, 0), max(h - ih, 0)
        x = np_pad(x, pw // 2, ph // 2, (pw + 1) // 2, (ph + 1) // 2, "constant")
        ih, iw = x.shape[-2:]
    top, left = round((ih - h) / 2.0), round((iw - w) / 2.0)  # Python's round: half to even
    return x[..., top:top + h, left:left + w]


@pytest.mark.parametrize("size", [4, (3, 6), [5], (9, 11), (2, 13), (7, 8)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_center_crop(size, dtype):
    x = images((2, 3, 7, 8), dtype)
    h, w = (size, size) if isinstance(size, int) else (size[0], size[-1])
    np.testing.assert_array_equal(run(T.CenterCrop(size), x), np_center_crop(x, h, w))
    np.testing.assert_array_equal(run(T.CenterCrop(size), x[0]), np_center_crop(x[0], h, w))


def test_center_crop_keeps_gradients():
    x = ember.rand(1, 2, 6, 6, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(T.CenterCrop(4), (x,))
    assert ember.autograd.gradcheck(T.CenterCrop(8), (x,))  # padded
    assert all(ember.autograd.gradcheck(lambda t, k=k: T.TenCrop(3)(t)[k], (x,)) for k in (0, 9))


def np_five(x, h, w):
    ih, iw = x.shape[-2:]
    return [x[..., :h, :w], x[..., :h, iw - w:], x[..., ih - h:, :w], x[..., ih - h:, iw - w:], np_center_crop(x, h, w)]


@pytest.mark.parametrize("vertical", [False, True])
def test_five_and_ten_crop(vertical):
    x = images((2, 3, 9, 10), np.uint8)
    five = T.FiveCrop((4, 5))(ember.tensor(x))
    assert isinstance(five, tuple) and len(five) == 5
    for got, want in zip(five, np_five(x, 4, 5)):
        np.testing.assert_array_equal(got.numpy(), want)
    ten = T.TenCrop(4, vertical_flip=vertical)(ember.tensor(x))
    flipped = np.flip(x, -2 if vertical else -1)
    for got, want in zip(ten, np_five(x, 4, 4) + np_five(flipped, 4, 4)):
        np.testing.assert_array_equal(got.numpy(), want)
    with pytest.raises(ValueError, match=r"FiveCrop: Requested crop size \(10, 10\) is bigger than input size \(9, 10\)"):
        T.FiveCrop(10)(ember.tensor(x))


def test_ten_crop_averaging_as_the_docstring_shows():
    model = ember.nn.Linear(3 * 4 * 4, 5)
    x = ember.rand(2, 3, 8, 8)
    crops = T.TenCrop(4)(x)
    averaged = ember.stack([model(c.flatten(1)) for c in crops]).mean(0)
    assert averaged.shape == (2, 5)


# ---- the module side ------------------------------------------------------------------------

REPRS = [
    (T.RandomCrop(32, padding=4),
     "RandomCrop(size=(32, 32), padding=[4, 4, 4, 4], pad_if_needed=False, fill=0, padding_mode=constant)"),
    (T.RandomCrop([24, 20], padding=(1, 2, 3, 4), fill=0.5, padding_mode="reflect"),
     "RandomCrop(size=[24, 20], padding=[1, 3, 2, 4], pad_if_needed=False, fill=0.5, padding_mode=reflect)"),
    (T.RandomCrop(8, padding=0), "RandomCrop(size=(8, 8), pad_if_needed=False, fill=0, padding_mode=constant)"),
    (T.CenterCrop([5]), "CenterCrop(size=(5, 5))"),
    (T.FiveCrop((3, 4)), "FiveCrop(size=(3, 4))"),
    (T.TenCrop(4, vertical_flip=True), "TenCrop(size=(4, 4), vertical_flip=True)"),
]


@pytest.mark.parametrize("transform,text", REPRS)
def test_repr_and_pickle(transform, text):
    assert repr(transform) == text  # torchvision v2's (its attributes as kept, None left out)
    copy = pickle.loads(pickle.dumps(transform))
    assert repr(copy) == text and type(copy) is type(transform)


def test_signatures():
    assert str(inspect.signature(T.RandomCrop)) == (
        "(size, padding=None, pad_if_needed=False, fill=0, padding_mode='constant')")
    assert str(inspect.signature(T.CenterCrop)) == "(size)"
    assert str(inspect.signature(T.TenCrop)) == "(size, vertical_flip=False)"
    assert T.RandomCrop(8, padding=(1, 2)).padding == [1, 1, 2, 2]

"""MixUp, CutMix and CowMix: mixing proportions, soft labels, per-image draws and errors."""
import inspect
import pickle

import numpy as np
import pytest

import ember
from ember import transforms as T

K = 7


def _batch(n=12, c=3, h=16, w=20, dtype=np.float32):
    """Image i is the constant i + 1 in every pixel, so each output pixel tells its source."""
    x = np.broadcast_to((np.arange(n) + 1).astype(dtype)[:, None, None, None], (n, c, h, w)).copy()
    labels = np.arange(n) % K
    return x, labels


def _sources(out, n):
    """Per image: the mask of pixels that kept the image itself (else they came from image i - 1)."""
    own = (np.arange(n) + 1)[:, None, None]
    prev = np.roll(np.arange(n) + 1, 1)[:, None, None]
    first = out[:, 0]
    assert np.all((first == own) | (first == prev))
    assert np.all(out == out[:, :1])  # every channel takes the same source
    return first == own


def _onehot(labels):
    return np.eye(K, dtype=np.float32)[labels]


def _check_labels(soft, labels, weight):
    want = weight[:, None] * _onehot(labels) + (1 - weight[:, None]) * _onehot(np.roll(labels, 1))
    np.testing.assert_allclose(soft, want, atol=1e-6)
    np.testing.assert_allclose(soft.sum(axis=1), 1, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
def test_cutmix_label_weight_is_the_box_area(dtype):
    x, labels = _batch(dtype=dtype)
    out, soft = T.CutMix(num_classes=K)(ember.tensor(x), ember.tensor(labels))
    out, soft = out.numpy(), soft.numpy()
    assert out.dtype == dtype and soft.shape == (12, K) and soft.dtype == np.float32
    keep = _sources(out, 12)
    for m in keep:  # the pixels from image i - 1 form one box
        rows, cols = np.nonzero((~m).any(axis=1))[0], np.nonzero((~m).any(axis=0))[0]
        if rows.size:
            assert (~m)[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].all() and (~m).sum() == rows.size * cols.size
    _check_labels(soft, labels, keep.mean(axis=(1, 2)))


@pytest.mark.parametrize("dtype", [np.float32, np.uint8])
def test_cowmix_label_weight_is_the_mask_area(dtype):
    x, labels = _batch(n=10, h=24, w=24, dtype=dtype)
    out, soft = T.CowMix(num_classes=K)(ember.tensor(x), ember.tensor(labels))
    keep = _sources(out.numpy(), 10)
    area = keep.mean(axis=(1, 2))
    _check_labels(soft.numpy(), labels, area)
    assert len(np.unique(area)) >= 8  # each image its own mask (two areas may coincide)


def test_cowmix_proportion_and_smoothness_follow_p_and_sigma():
    x, labels = _batch(n=24, c=1, h=48, w=48)
    ember.manual_seed(0)
    out, _ = T.CowMix(sigma=(3.0, 3.0), p=(0.3, 0.3), num_classes=K)(ember.tensor(x), ember.tensor(labels))
    keep = _sources(out.numpy(), 24)
    assert abs(keep.mean() - 0.3) < 0.05  # the threshold from the normal fit keeps about p
    ember.manual_seed(0)
    wide, _ = T.CowMix(sigma=(8.0, 8.0), p=(0.3, 0.3), num_classes=K)(ember.tensor(x), ember.tensor(labels))
    keep_wide = _sources(wide.numpy(), 24)

    def edges(m):
        return (m[:, 1:, :] != m[:, :-1, :]).sum() + (m[:, :, 1:] != m[:, :, :-1]).sum()
    assert edges(keep_wide) < edges(keep) / 1.5  # a wider Gaussian gives larger blobs
    ember.manual_seed(1)
    spread, _ = T.CowMix(p=(0.1, 0.9), num_classes=K)(ember.tensor(x), ember.tensor(labels))
    area = _sources(spread.numpy(), 24).mean(axis=(1, 2))
    assert area.min() < 0.35 and area.max() > 0.65


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
def test_mixup_blends_with_a_lambda_per_image(dtype):
    x, labels = _batch(dtype=dtype)
    ember.manual_seed(4)
    out, soft = T.MixUp(alpha=0.4, num_classes=K)(ember.tensor(x), ember.tensor(labels))
    out, soft = out.numpy(), soft.numpy()
    assert out.dtype == dtype
    own = np.arange(12) + 1.0
    prev = np.roll(own, 1)
    assert np.all(labels != np.roll(labels, 1))
    lam = soft[np.arange(12), labels]  # the own class's weight
    assert np.all((0 <= lam) & (lam <= 1))
    got = out[:, 0, 0, 0].astype(np.float64)
    want = lam * own + (1 - lam) * prev
    np.testing.assert_allclose(got, np.round(want) if dtype == np.uint8 else want, atol=1e-5)
    _check_labels(soft, labels, lam)
    assert len(np.unique(lam)) > 6  # each image its own lambda


def test_mixup_lambda_follows_beta():
    x, labels = _batch(n=2000, c=1, h=1, w=1, dtype=np.float64)
    labels = np.arange(2000) % 2  # neighbours always differ: the own-class weight is lambda
    ember.manual_seed(0)
    _, soft = T.MixUp(alpha=0.5, num_classes=2)(ember.tensor(x), ember.tensor(labels))
    lam = soft.numpy()[np.arange(2000), labels]
    assert abs(lam.mean() - 0.5) < 0.03 and abs(lam.var() - 0.125) < 0.01  # Beta(0.5, 0.5): var 1/8


def test_probability_labels_and_num_classes_inferred():
    x, labels = _batch(n=6)
    probs = np.random.default_rng(0).dirichlet(np.ones(5), size=6)
    out, soft = T.CutMix()(ember.tensor(x), ember.tensor(probs))
    keep = _sources(out.numpy(), 6).mean(axis=(1, 2))
    assert soft.dtype == ember.float64
    np.testing.assert_allclose(soft.numpy(), keep[:, None] * probs + (1 - keep[:, None]) * np.roll(probs, 1, 0))
    onehot = np.eye(5, dtype=np.int64)[[0, 1, 2, 3, 4, 0]]  # integer 2D labels become float32, as torchvision's
    _, soft = T.MixUp(num_classes=5)(ember.tensor(x), ember.tensor(onehot))
    assert soft.dtype == ember.float32 and np.allclose(soft.numpy().sum(axis=1), 1)


def test_gradients_reach_the_images():
    x = ember.rand(5, 3, 6, 6, dtype=ember.float64, requires_grad=True)
    labels = ember.tensor([0, 1, 2, 3, 4])
    ember.manual_seed(2)
    out, _ = T.CutMix(num_classes=5)(x, labels)
    out.sum().backward()
    ember.manual_seed(2)
    with ember.no_grad():
        plain, _ = T.CutMix(num_classes=5)(x, labels)
    np.testing.assert_array_equal(out.detach().numpy(), plain.numpy())
    # x_i reaches out_i outside box i and out_(i+1) inside box i+1 (the same draws on images whose
    # pixels tell their source give the boxes).
    ember.manual_seed(2)
    marked, _ = T.CutMix(num_classes=5)(ember.tensor(_batch(5, 3, 6, 6)[0]), labels)
    keep = _sources(marked.numpy(), 5)
    want = keep.astype(np.float64) + (1 - np.roll(keep, -1, axis=0))
    np.testing.assert_array_equal(x.grad.numpy(), np.broadcast_to(want[:, None], (5, 3, 6, 6)))
    y = ember.rand(4, 3, 5, 5, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: (ember.manual_seed(1), T.MixUp(num_classes=4)(t, labels[:4])[0])[1], (y,))


def test_per_image_draws_repeat_at_any_thread_count():
    x, labels = _batch(n=16)
    xt, lt = ember.tensor(x), ember.tensor(labels)
    for t in (T.MixUp(num_classes=K), T.CutMix(num_classes=K), T.CowMix(num_classes=K)):
        before = ember.get_num_threads()
        try:
            results = []
            for threads in (1, 2):
                ember.set_num_threads(threads)
                ember.manual_seed(7)
                results.append([r.numpy() for r in t(xt, lt)])
        finally:
            ember.set_num_threads(before)
        for a, b in zip(*results):
            np.testing.assert_array_equal(a, b)


def test_arguments_repr_signature_pickle():
    assert repr(T.CutMix()) == "CutMix(alpha=1.0)"
    assert repr(T.MixUp(alpha=0.2, num_classes=10)) == "MixUp(alpha=0.2, num_classes=10)"
    assert repr(T.CowMix(num_classes=10)) == "CowMix(sigma=(4.0, 16.0), p=(0.2, 0.8), num_classes=10)"
    assert str(inspect.signature(T.CutMix)) == "(*, alpha=1.0, num_classes=None, labels_getter='default')"
    assert str(inspect.signature(T.CowMix)) == \
        "(*, sigma=(4.0, 16.0), p=(0.2, 0.8), num_classes=None, labels_getter='default')"
    for t in (T.CutMix(alpha=0.3, num_classes=4), T.CowMix(p=(0.4, 0.6), num_classes=3)):
        u = pickle.loads(pickle.dumps(t))
        assert repr(u) == repr(t)
    x, labels = _batch(n=4)
    composed = T.Compose([T.CutMix(num_classes=K)])
    out, soft = composed(ember.tensor(x), ember.tensor(labels))
    assert out.shape == (4, 3, 16, 20) and soft.shape == (4, K)


def test_bad_arguments_and_inputs():
    x, labels = _batch(n=4)
    xt, lt = ember.tensor(x), ember.tensor(labels)
    with pytest.raises(ValueError, match="CutMix: alpha must be a positive number"):
        T.CutMix(alpha=0.0)
    with pytest.raises(ValueError, match="CowMix: p should be"):
        T.CowMix(p=(0.5, 1.2))
    with pytest.raises(ValueError, match="CowMix: sigma should be"):
        T.CowMix(sigma=(0.0, 1.0))
    with pytest.raises(TypeError):
        T.MixUp(0.5)  # keyword-only, as torchvision's
    with pytest.raises(ValueError, match="MixUp: only labels_getter='default'"):
        T.MixUp(labels_getter="first")
    with pytest.raises(ValueError, match="CutMix: num_classes must be passed if the labels are index-based"):
        T.CutMix()(xt, lt)
    with pytest.raises(RuntimeError, match="MixUp: index labels must be int64"):
        T.MixUp(num_classes=K)(xt, ember.tensor(labels.astype(np.float32)))
    with pytest.raises(ValueError, match=r"CowMix: labels should be index based with shape \(batch_size,\)"):
        T.CowMix(num_classes=K)(xt, lt.reshape(4, 1, 1))
    with pytest.raises(ValueError, match="CutMix: the batch size of the images does not match"):
        T.CutMix(num_classes=K)(xt, lt[:3])
    with pytest.raises(ValueError, match="MixUp: expected a batched input with 4 dims"):
        T.MixUp(num_classes=K)(xt[0], lt)
    with pytest.raises(RuntimeError, match=r"CutMix: class values must be in \[0, num_classes = 3\)"):
        T.CutMix(num_classes=3)(xt, lt)
    with pytest.raises(ValueError, match="MixUp: when passing 2D labels, the number of elements"):
        T.MixUp(num_classes=3)(xt, ember.rand(4, 5))
    with pytest.raises(TypeError, match=r"CutMix: expected \(images, labels\)"):
        T.CutMix(num_classes=K)(xt)

"""The smaller torch.nn pieces real programs reach for, against torch's: LPPool1d/2d and their
functional forms, AlphaDropout/FeatureAlphaDropout, gumbel_softmax, DataParallel as torch's runs
without GPUs, and the old spellings upsample_bilinear/upsample_nearest, *_with_indices, F.pdist."""
import io
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

LP_CASES = [(1, 2, None, False), (2, 2, None, False), (2, (3, 2), (2, 1), True), (3.5, 3, 2, True),
            (float("inf"), 2, None, False), (-float("inf"), (2, 3), 1, False)]


@pytest.mark.parametrize("norm_type, kernel_size, stride, ceil_mode", LP_CASES)
def test_lp_pool2d_matches_torch(norm_type, kernel_size, stride, ceil_mode):
    x = np.random.default_rng(0).uniform(0.1, 2, (2, 3, 7, 6))
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye = F.lp_pool2d(xe, norm_type, kernel_size, stride, ceil_mode)
    yt = TF.lp_pool2d(xt, norm_type, kernel_size, stride, ceil_mode)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
    ye.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    me = ember.nn.LPPool2d(norm_type, kernel_size, stride, ceil_mode)
    mt = torch.nn.LPPool2d(norm_type, kernel_size, stride, ceil_mode)
    assert repr(me) == repr(mt)
    np.testing.assert_allclose(me(ember.tensor(x)).numpy(), mt(torch.tensor(x)).numpy(), rtol=1e-12)


@pytest.mark.parametrize("norm_type, kernel_size, stride, ceil_mode", [(1, 2, None, False), (2, 3, 2, True),
                                                                       (float("inf"), 2, 1, False)])
def test_lp_pool1d_matches_torch(norm_type, kernel_size, stride, ceil_mode):
    x = np.random.default_rng(1).uniform(0.1, 2, (2, 3, 9))
    ye = F.lp_pool1d(ember.tensor(x), norm_type, kernel_size, stride, ceil_mode)
    yt = TF.lp_pool1d(torch.tensor(x), norm_type, kernel_size, stride, ceil_mode)
    np.testing.assert_allclose(ye.numpy(), yt.numpy(), rtol=1e-12)
    me, mt = ember.nn.LPPool1d(norm_type, kernel_size, stride), torch.nn.LPPool1d(norm_type, kernel_size, stride)
    assert repr(me) == repr(mt)


def test_lp_pool_negative_inputs_as_torch():
    """An odd power of negative values: torch's sign * relu(abs) keeps the pooled sum's sign out."""
    x = np.random.default_rng(2).standard_normal((1, 2, 6, 6))
    ye, yt = F.lp_pool2d(ember.tensor(x), 3, 2), TF.lp_pool2d(torch.tensor(x), 3, 2)
    np.testing.assert_allclose(ye.numpy(), yt.numpy(), rtol=1e-12, equal_nan=True)


def test_lp_pool_gradcheck():
    x = ember.tensor(np.random.default_rng(3).uniform(0.5, 2, (1, 2, 5, 4)), requires_grad=True)
    assert gradcheck(lambda t: F.lp_pool2d(t, 2.5, (2, 2), 1), (x,))
    assert gradgradcheck(lambda t: F.lp_pool2d(t, 2.5, (2, 2), 1), (x,))
    assert gradcheck(lambda t: F.lp_pool1d(t, 3, 2), (x.detach()[0].requires_grad_(),))


ALPHA = 1.7580993408473766


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_alpha_dropout_values_are_torchs_two(p):
    """Each element is x * a + alpha * a * p (kept) or alpha * a * (p - 1) (dropped), as torch's."""
    a = 1.0 / np.sqrt((ALPHA ** 2 * p + 1) * (1 - p))
    x = np.random.default_rng(4).standard_normal(20000)
    xe = ember.tensor(x, requires_grad=True)
    y = F.alpha_dropout(xe, p, training=True)
    kept = np.isclose(y.detach().numpy(), x * a + ALPHA * a * p, rtol=1e-12)
    dropped = np.isclose(y.detach().numpy(), ALPHA * a * (p - 1), rtol=1e-12)
    assert (kept | dropped).all()
    assert abs(dropped.mean() - p) < 0.02
    y.sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), np.where(kept, a, 0.0), rtol=1e-12)
    # self-normalizing: a standard normal input keeps mean 0 and variance 1, as torch's
    for out in (y.detach().numpy(), TF.alpha_dropout(torch.tensor(x), p, training=True).numpy()):
        assert abs(out.mean()) < 0.05 and abs(out.std() - 1) < 0.05


def test_feature_alpha_dropout_drops_whole_channels():
    x = ember.randn(40, 30, 5)
    y = F.feature_alpha_dropout(x, 0.5, training=True)
    p, a = 0.5, 1.0 / np.sqrt((ALPHA ** 2 * 0.5 + 1) * 0.5)
    dropped = np.isclose(y.numpy(), ALPHA * a * (p - 1), atol=1e-5).all(-1)
    kept = np.isclose(y.numpy(), x.numpy() * a + ALPHA * a * p, atol=1e-5).all(-1)
    assert (dropped | kept).all() and 0.4 < dropped.mean() < 0.6
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        F.feature_alpha_dropout(ember.ones(3), 0.5, training=True)
    with pytest.raises(RuntimeError):
        TF.feature_alpha_dropout(torch.ones(3), 0.5, training=True)


def test_alpha_dropout_edges_as_torch():
    x = ember.randn(5)
    assert F.alpha_dropout(x, 0.5, training=False) is x
    assert F.alpha_dropout(x, 0.0, training=True) is x
    np.testing.assert_array_equal(F.alpha_dropout(x, 1.0, training=True).numpy(), np.zeros(5))
    for L, f in ((ember, F.alpha_dropout), (torch, TF.alpha_dropout)):
        with pytest.raises(ValueError, match="between 0 and 1"):
            f(L.ones(2), 1.5)
    y = ember.randn(100)
    same = y
    assert F.alpha_dropout(y, 0.3, training=True, inplace=True) is same
    m, mt = ember.nn.FeatureAlphaDropout(0.3), torch.nn.FeatureAlphaDropout(0.3)
    assert repr(m) == repr(mt) and repr(ember.nn.AlphaDropout()) == repr(torch.nn.AlphaDropout())
    assert ember.equal(m.eval()(x.reshape(1, 5)), x.reshape(1, 5))
    with pytest.raises(ValueError):
        ember.nn.AlphaDropout(-0.1)


def test_alpha_dropout_edges_found_by_fuzzing():
    b = ember.tensor([True, False])
    assert F.feature_alpha_dropout(b, 1.0, True, inplace=True).dtype == ember.bool  # zeros of its dtype
    with pytest.raises(TypeError, match="floating"):
        F.alpha_dropout(ember.tensor([1, 2], dtype=ember.int16), 0.5, training=True)
    with pytest.raises(ValueError, match="nan"):
        F.alpha_dropout(ember.ones(2), float("nan"))
    with pytest.raises(TypeError, match="Tensor"):
        F.feature_alpha_dropout("x", 0.5, training=True)


def test_gumbel_softmax():
    logits = ember.tensor(np.log([[0.7, 0.2, 0.1]] * 4000), requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).detach().numpy(), 1, rtol=1e-6)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True)
    h = hard.detach().numpy()
    assert set(np.unique(h)) <= {0.0, 1.0} and (h.sum(-1) == 1).all()
    np.testing.assert_allclose(h.mean(0), [0.7, 0.2, 0.1], atol=0.03)  # samples the categories
    w = ember.tensor(np.random.default_rng(5).standard_normal((4000, 3)))
    (hard * w).sum().backward()
    assert logits.grad is not None and np.isfinite(logits.grad.numpy()).all() and logits.grad.abs().sum() > 0
    with pytest.warns(UserWarning, match="eps"):
        F.gumbel_softmax(ember.zeros(1, 2), eps=1e-5)
    assert F.gumbel_softmax(ember.zeros(3, 2, 4), dim=1).sum(1).allclose(ember.ones(3, 4))
    with pytest.raises(TypeError, match="floating"):  # torch: no exponential draws for integers
        F.gumbel_softmax(ember.ones(2, 3, dtype=ember.int64))
    assert F.gumbel_softmax(ember.zeros(0, 3, dtype=ember.uint8)).dtype == ember.float32  # nothing drawn


def test_data_parallel_runs_the_module_as_torch_without_gpus():
    rng = np.random.default_rng(6)
    me = ember.nn.DataParallel(ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.ReLU()))
    mt = torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU()))
    assert repr(me) == repr(mt) and list(me.state_dict()) == list(mt.state_dict())
    me.load_state_dict({k: ember.tensor(v.numpy()) for k, v in mt.state_dict().items()})
    x = rng.standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(me(ember.tensor(x)).detach().numpy(), mt(torch.tensor(x)).detach().numpy(), rtol=1e-6)
    assert me.module is me._modules["module"] if hasattr(me, "_modules") else me.module is not None
    assert ember.nn.parallel.DataParallel is ember.nn.DataParallel
    out = ember.nn.parallel.data_parallel(me.module, ember.tensor(x))
    assert tuple(out.shape) == (5, 4)
    buffer = io.BytesIO()
    ember.save(me.state_dict(), buffer)
    buffer.seek(0)
    assert list(ember.load(buffer)) == ["module.0.weight", "module.0.bias"]


def test_old_spellings():
    x = np.random.default_rng(7).standard_normal((1, 2, 3, 4)).astype(np.float32)
    for name, kw in (("upsample_bilinear", dict(scale_factor=2)), ("upsample_nearest", dict(size=(5, 7)))):
        with pytest.warns(UserWarning, match="deprecated"):
            ye = getattr(F, name)(ember.tensor(x), **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yt = getattr(TF, name)(torch.tensor(x), **kw)
        np.testing.assert_allclose(ye.numpy(), yt.numpy(), rtol=1e-6, atol=1e-6)
    for name, size in (("adaptive_max_pool2d_with_indices", (2, 3)), ("adaptive_max_pool1d_with_indices", 3)):
        xi = x[0] if name.endswith("1d_with_indices") else x
        ve, ie = getattr(F, name)(ember.tensor(xi), size)
        vt, it = getattr(TF, name)(torch.tensor(xi), size)
        np.testing.assert_array_equal(ve.numpy(), vt.numpy())
        np.testing.assert_array_equal(ie.numpy(), it.numpy())
    assert F.pdist is ember.pdist

"""Parametrized tensors against torch's: ember.nn.utils.parametrize, weight and spectral
normalization as parametrizations and in their older hook-based forms, the state-dict hooks they
rely on. Names, reprs, state dicts, outputs, gradients, buffers and training steps are compared
with torch from the same weights; gradcheck runs through the parametrizations in float64."""
import copy
import pickle
import warnings

import numpy as np
import pytest

import ember
import ember.nn.utils.parametrize as P
from ember import nn

torch = pytest.importorskip("torch")
import torch.nn.utils.parametrize as TP  # noqa: E402


def _np(t):
    return t.detach().numpy()


def _copy_state(mine, theirs):
    """mine takes theirs' state (the same names: the models are built alike)."""
    state = {k: ember.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    assert list(mine.state_dict()) == list(state)
    mine.load_state_dict(state)


def _close(a, b, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(_np(a), _np(b), rtol=rtol, atol=atol)


class Symmetric:
    """The same parametrization for both libraries: X.triu() + X.triu(1).T, right inverse triu."""

    @staticmethod
    def make(L):
        class Symmetric(L.nn.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).mT

            def right_inverse(self, A):
                return A.triu()
        return Symmetric()


def _pair(make):
    """make(L) for both libraries, ember's with torch's state."""
    theirs, mine = make(torch), make(ember)
    _copy_state(mine, theirs)
    return mine, theirs


# ---- register_parametrization -------------------------------------------------------------

def test_register_parametrization_names_repr_and_state_as_torch():
    def make(L):
        m = L.nn.Linear(4, 4)
        L.nn.utils.parametrize.register_parametrization(m, "weight", Symmetric.make(L))
        return m
    torch.manual_seed(0)
    mine, theirs = _pair(make)
    assert repr(mine) == repr(theirs)
    assert type(mine).__name__ == "ParametrizedLinear" and isinstance(mine, nn.Linear)
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(mine.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert P.is_parametrized(mine) and P.is_parametrized(mine, "weight") and not P.is_parametrized(mine, "bias")
    assert P.type_before_parametrizations(mine) is nn.Linear
    _close(mine.weight, theirs.weight)
    assert ember.equal(mine.weight, mine.weight.T)


def test_parametrized_layer_forward_and_gradients_as_torch():
    def make(L):
        m = L.nn.Sequential(L.nn.Conv2d(3, 4, 3), L.nn.ReLU(), L.nn.Flatten(), L.nn.Linear(4 * 4 * 4, 5))
        L.nn.utils.parametrize.register_parametrization(m[3], "bias", _Doubling.make(L))
        L.nn.utils.parametrize.register_parametrization(m[0], "weight", _Doubling.make(L))
        L.nn.utils.parametrize.register_parametrization(m[0], "weight", _Doubling.make(L))  # chained
        return m
    torch.manual_seed(1)
    mine, theirs = _pair(make)
    assert repr(mine) == repr(theirs)
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
    ye, yt = mine(ember.tensor(x)), theirs(torch.tensor(x))
    _close(ye, yt)
    ye.square().sum().backward()
    yt.square().sum().backward()
    for (n, p), (_, q) in zip(mine.named_parameters(), theirs.named_parameters()):
        _close(p.grad, q.grad, rtol=1e-4, atol=1e-5)


class _Doubling:
    @staticmethod
    def make(L):
        class Doubling(L.nn.Module):
            def forward(self, X):
                return 2 * X

            def right_inverse(self, X):
                return X / 2
        return Doubling()


def test_assigning_a_parametrized_tensor_runs_right_inverse():
    m = P.register_parametrization(nn.Linear(3, 3), "weight", Symmetric.make(ember))
    original = m.parametrizations.weight.original
    a = ember.randn(3, 3)
    a = a + a.T
    m.weight = a
    assert m.parametrizations.weight.original is original  # same object: optimizers keep it
    assert ember.allclose(m.weight, a)
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        m.weight = nn.Parameter(ember.zeros(3, 3))
    assert [n for n, _ in m.named_parameters()] == ["bias", "parametrizations.weight.original"]
    # a parametrization without right_inverse cannot be assigned through
    m2 = P.register_parametrization(nn.Linear(2, 2), "weight", nn.Identity())
    with pytest.raises(RuntimeError, match="parametrization Identity does not implement right_inverse"):
        m2.weight = ember.zeros(2, 2)


def test_optimizer_made_before_keeps_training_the_original():
    torch.manual_seed(2)

    def make(L):
        return L.nn.Linear(3, 3)
    mine, theirs = _pair(make)
    opt_e = ember.optim.SGD(mine.parameters(), lr=0.1)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1)
    P.register_parametrization(mine, "weight", Symmetric.make(ember))
    TP.register_parametrization(theirs, "weight", Symmetric.make(torch))
    x = np.random.default_rng(3).standard_normal((5, 3)).astype(np.float32)
    for _ in range(3):
        for model, opt, L in ((mine, opt_e, ember), (theirs, opt_t, torch)):
            opt.zero_grad()
            model(L.tensor(x)).pow(2).mean().backward()
            opt.step()
    _close(mine.weight, theirs.weight)
    _close(mine.parametrizations.weight.original, theirs.parametrizations.weight.original)


def test_remove_parametrizations_as_torch():
    for leave in (True, False):
        torch.manual_seed(4)

        def make(L):
            m = L.nn.Linear(3, 3)
            L.nn.utils.parametrize.register_parametrization(m, "weight", Symmetric.make(L))
            return m
        mine, theirs = _pair(make)
        original = mine.parametrizations.weight.original
        P.remove_parametrizations(mine, "weight", leave_parametrized=leave)
        TP.remove_parametrizations(theirs, "weight", leave_parametrized=leave)
        assert type(mine) is nn.Linear and not hasattr(mine, "parametrizations")
        assert mine.weight is original  # the same Parameter object, its values replaced
        assert repr(mine) == repr(theirs) and list(mine.state_dict()) == list(theirs.state_dict())
        _close(mine.weight, theirs.weight)
        x = ember.ones(2, 3)
        _close(mine(x), theirs(torch.ones(2, 3)))
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        P.remove_parametrizations(nn.Linear(2, 2), "weight")
    m = nn.utils.parametrizations.weight_norm(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="Cannot leave unparametrized"):
        P.remove_parametrizations(m, "weight", leave_parametrized=False)
    P.remove_parametrizations(m, "weight")
    assert type(m) is nn.Linear and [n for n, _ in m.named_parameters()] == ["bias", "weight"]


def test_cached_computes_each_tensor_once():
    calls = []

    class Counting(nn.Module):
        def forward(self, X):
            calls.append(1)
            return X * 1

    m = P.register_parametrization(nn.Linear(2, 2), "weight", Counting())
    calls.clear()
    m.weight, m.weight
    assert len(calls) == 2
    calls.clear()
    with P.cached():
        w = m.weight
        assert m.weight is w
        with P.cached():  # nested: the same cache
            assert m.weight is w
        m(ember.ones(1, 2))  # the C++ forward reads the cached tensor too
    assert len(calls) == 1
    m.weight
    assert len(calls) == 2  # the cache ended with the block


def test_parametrization_errors_as_torch():
    class Shrink(nn.Module):
        def forward(self, X):
            return X[:1]

    class Retype(nn.Module):
        def forward(self, X):
            return X.double()

    class NotATensor(nn.Module):
        def forward(self, X):
            return 1

    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element with name "
                                         "'nope'"):
        P.register_parametrization(nn.Linear(2, 2), "nope", nn.Identity())
    with pytest.raises(ValueError, match="may not change the shape of the tensor"):
        P.register_parametrization(nn.Linear(2, 2), "weight", Shrink())
    with pytest.raises(ValueError, match="may not change the dtype of the tensor"):
        P.register_parametrization(nn.Linear(2, 2), "weight", Retype())
    with pytest.raises(ValueError, match="A parametrization must return a tensor. Got int"):
        P.register_parametrization(nn.Linear(2, 2), "weight", NotATensor())
    m = P.register_parametrization(nn.Linear(2, 2), "weight", nn.Identity())
    with pytest.raises(ValueError, match="may not change the shape"):
        P.register_parametrization(m, "weight", Shrink())  # the chained form checks too
    m = P.register_parametrization(nn.Linear(2, 2, bias=False), "weight", Shrink(), unsafe=True)
    assert tuple(m.weight.shape) == (1, 2)
    assert tuple(m(ember.ones(3, 2)).shape) == (3, 1)  # the shrunk weight reaches the C++ forward
    with pytest.raises(ValueError, match="requires one or more modules"):
        P.ParametrizationList([], ember.zeros(2))


def test_parametrized_buffer():
    def make(L):
        m = L.nn.BatchNorm1d(3)
        L.nn.utils.parametrize.register_parametrization(m, "running_var", _Doubling.make(L))
        return m
    mine, theirs = _pair(make)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in mine.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    _close(mine.running_var, theirs.running_var)


def test_parametrized_module_pickling_refused_deepcopy_independent():
    m = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2))
    with pytest.raises(RuntimeError, match="Serialization of parametrized modules is only supported through "
                                           "state_dict"):
        pickle.dumps(m)
    c = copy.deepcopy(m)
    assert type(c) is type(m) and repr(c) == repr(m)
    x = ember.randn(4, 3)
    _close(c(x), m(x))
    with ember.no_grad():
        c.parametrizations.weight.original1.mul_(2)  # the direction: the weight does not change
        c.parametrizations.weight.original0.mul_(3)
    _close(c.weight, 3 * m.weight, rtol=1e-5)
    assert c.parametrizations.weight.original0 is not m.parametrizations.weight.original0


def test_transfer_parametrizations_and_params():
    a = P.register_parametrization(nn.Linear(3, 3), "weight", Symmetric.make(ember))
    b = P.transfer_parametrizations_and_params(a, nn.Linear(3, 3))
    assert b.parametrizations.weight.original is a.parametrizations.weight.original
    assert ember.equal(a.weight, b.weight) and type(b).__name__ == "ParametrizedLinear"
    assert P.transfer_parametrizations_and_params(nn.Linear(2, 2), nn.Linear(2, 2)).__class__ is nn.Linear


# ---- weight_norm -----------------------------------------------------------------------------

WEIGHT_NORM_CASES = [("Linear", (5, 4), (3, 5), 0), ("Linear", (5, 4), (3, 5), None), ("Linear", (5, 4), (3, 5), 1),
                     ("Conv2d", (3, 4, 3), (2, 3, 6, 6), 0), ("Conv2d", (3, 4, 3), (2, 3, 6, 6), 2),
                     ("Conv2d", (3, 4, 3), (2, 3, 6, 6), -1), ("ConvTranspose1d", (3, 2, 3), (2, 3, 5), 1),
                     ("Conv1d", (3, 2, 3), (2, 3, 5), -2)]


@pytest.mark.parametrize("layer, args, shape, dim", WEIGHT_NORM_CASES)
def test_weight_norm_parametrization_as_torch(layer, args, shape, dim):
    def make(L):
        return L.nn.utils.parametrizations.weight_norm(getattr(L.nn, layer)(*args), dim=dim)
    torch.manual_seed(5)
    mine, theirs = _pair(make)
    assert repr(mine) == repr(theirs)
    assert [(n, tuple(p.shape)) for n, p in mine.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    _close(mine.weight, theirs.weight)
    x = np.random.default_rng(6).standard_normal(shape).astype(np.float32)
    ye, yt = mine(ember.tensor(x)), theirs(torch.tensor(x))
    _close(ye, yt, rtol=1e-5, atol=1e-5)
    ye.pow(2).sum().backward()
    yt.pow(2).sum().backward()
    for (n, p), (_, q) in zip(mine.named_parameters(), theirs.named_parameters()):
        _close(p.grad, q.grad, rtol=1e-4, atol=1e-4)


def test_weight_norm_registration_from_a_fresh_layer_as_torch():
    # right_inverse splits the layer's weight into norms and directions, as torch's does
    torch.manual_seed(7)
    theirs = torch.nn.Linear(6, 3)
    mine = nn.Linear(6, 3)
    _copy_state(mine, theirs)
    torch.nn.utils.parametrizations.weight_norm(theirs)
    nn.utils.parametrizations.weight_norm(mine)
    for k, v in theirs.state_dict().items():
        _close(mine.state_dict()[k], v)


def test_weight_norm_loads_the_older_forms_state_dict():
    torch.manual_seed(8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        old = torch.nn.utils.weight_norm(torch.nn.Linear(4, 3))
    assert sorted(old.state_dict()) == ["bias", "weight_g", "weight_v"]
    mine = nn.utils.parametrizations.weight_norm(nn.Linear(4, 3))
    keys = mine.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in old.state_dict().items()})
    assert not keys.missing_keys and not keys.unexpected_keys
    _close(mine.weight, old.weight)


def test_weight_norm_gradcheck_float64():
    for dim in (0, None, 1):
        m = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2).double(), dim=dim)
        g, v = m.parametrizations.weight.original0, m.parametrizations.weight.original1
        x = ember.randn(4, 3, dtype=ember.float64)

        def f(g_, v_, x_):
            with ember.no_grad():
                g.copy_(g_)
                v.copy_(v_)
            return nn.utils.parametrizations._weight_norm(v_, g_, m.parametrizations.weight[0].dim) @ x_.T
        assert ember.autograd.gradcheck(f, (g.detach().clone().requires_grad_(), v.detach().clone().requires_grad_(),
                                            x.requires_grad_()))


def test_weight_norm_on_lstm_recurrent_weight_as_torch():
    def make(L):
        return L.nn.utils.parametrizations.weight_norm(L.nn.LSTM(3, 4, num_layers=2), "weight_hh_l0")
    torch.manual_seed(9)
    mine, theirs = _pair(make)
    x = np.random.default_rng(10).standard_normal((5, 2, 3)).astype(np.float32)
    (ye, _), (yt, _) = mine(ember.tensor(x)), theirs(torch.tensor(x))
    _close(ye, yt, rtol=1e-5, atol=1e-5)
    ye.sum().backward()
    yt.sum().backward()
    _close(mine.parametrizations.weight_hh_l0.original1.grad, theirs.parametrizations.weight_hh_l0.original1.grad,
           rtol=1e-4, atol=1e-5)


def test_old_weight_norm_as_torch():
    def make(L):
        with pytest.warns(FutureWarning, match="weight_norm` is deprecated in favor of"):
            return L.nn.utils.weight_norm(L.nn.Conv1d(3, 4, 2))
    torch.manual_seed(11)
    mine, theirs = _pair(make)
    assert list(mine.state_dict()) == ["bias", "weight_g", "weight_v"]
    assert [type(h).__name__ for h in mine._forward_pre_hooks.values()] == ["WeightNorm"]
    x = np.random.default_rng(12).standard_normal((2, 3, 6)).astype(np.float32)
    opt_e = ember.optim.SGD(mine.parameters(), lr=0.1)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1)
    for _ in range(3):  # the hook recomputes the weight from the updated g and v at each call
        for model, opt, L in ((mine, opt_e, ember), (theirs, opt_t, torch)):
            opt.zero_grad()
            model(L.tensor(x)).pow(2).mean().backward()
            opt.step()
    _close(mine.weight_g, theirs.weight_g, rtol=1e-5)
    _close(mine(ember.tensor(x)), theirs(torch.tensor(x)), rtol=1e-5, atol=1e-5)
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the same parameter weight"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            nn.utils.weight_norm(mine)
    nn.utils.remove_weight_norm(mine)
    torch.nn.utils.remove_weight_norm(theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict()) == ["bias", "weight"]
    assert not mine._forward_pre_hooks
    _close(mine.weight, theirs.weight, rtol=1e-5)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
        nn.utils.remove_weight_norm(mine)


# ---- spectral_norm -----------------------------------------------------------------------

SPECTRAL_CASES = [("Linear", (5, 4), (3, 5), {}), ("Conv2d", (3, 4, 3), (2, 3, 6, 6), dict(n_power_iterations=2)),
                  ("ConvTranspose2d", (3, 4, 2), (2, 3, 4, 4), {}), ("Conv1d", (3, 4, 2), (2, 3, 5), dict(dim=1)),
                  ("Embedding", (6, 3), None, dict(eps=1e-6))]


@pytest.mark.parametrize("layer, args, shape, kwargs", SPECTRAL_CASES)
def test_spectral_norm_parametrization_as_torch(layer, args, shape, kwargs):
    def make(L):
        L.manual_seed(13)
        return L.nn.utils.parametrizations.spectral_norm(getattr(L.nn, layer)(*args), **kwargs)
    mine, theirs = _pair(make)  # the power iteration's vectors are buffers: torch's are copied
    assert repr(mine) == repr(theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    x = (ember.tensor([[0, 5, 2], [1, 1, 3]]), torch.tensor([[0, 5, 2], [1, 1, 3]])) if shape is None else \
        [L.tensor(np.random.default_rng(14).standard_normal(shape).astype(np.float32)) for L in (ember, torch)]
    for step in range(3):  # training mode: the vectors advance at each call
        ye, yt = mine(x[0]), theirs(x[1])
        _close(ye, yt, rtol=1e-4, atol=1e-5)
        ye.pow(2).sum().backward()
        yt.pow(2).sum().backward()
        _close(mine.parametrizations.weight.original.grad, theirs.parametrizations.weight.original.grad,
               rtol=1e-3, atol=1e-5)
        for b in ("_u", "_v"):
            _close(getattr(mine.parametrizations.weight[0], b), getattr(theirs.parametrizations.weight[0], b),
                   rtol=1e-4, atol=1e-6)
    mine.eval(), theirs.eval()
    u = mine.parametrizations.weight[0]._u.clone()
    _close(mine(x[0]), theirs(x[1]), rtol=1e-4, atol=1e-5)
    assert ember.equal(mine.parametrizations.weight[0]._u, u)  # eval: no step


def _top_singular(w):
    u, s, vh = np.linalg.svd(w)
    return u[:, 0], s[0], vh[0]


def test_spectral_norm_parametrization_starts_from_the_top_singular_vectors():
    # ember's random stream is its own, so the starting vectors differ from torch's; after the
    # 15 power steps of registration both are the top singular pair (up to sign)
    w = np.diag([3.0, 1.0, 0.5, 0.2]).astype(np.float32) @ np.random.default_rng(15).standard_normal((4, 5)).astype(
        np.float32)
    m = nn.Linear(5, 4)
    with ember.no_grad():
        m.weight.copy_(ember.tensor(w))
    nn.utils.parametrizations.spectral_norm(m)
    sn = m.parametrizations.weight[0]
    u, s, v = _top_singular(w)
    assert abs(abs(float(np.dot(_np(sn._u), u))) - 1) < 1e-4 and abs(abs(float(np.dot(_np(sn._v), v))) - 1) < 1e-4
    m.eval()
    _close(m.weight, ember.tensor(w / s), rtol=1e-4, atol=1e-6)


def test_spectral_norm_parametrization_errors_as_torch():
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'nope'"):
        nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2), "nope")
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\] but got 2\)"):
        nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2), dim=2)
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive, but got n_power_iterations=0"):
        nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    m = nn.utils.parametrizations.spectral_norm(nn.Linear(3, 2), "bias")  # 1-d: normalized
    _close(m.bias, m.parametrizations.bias.original / m.parametrizations.bias.original.norm(), rtol=1e-6)


def test_spectral_norm_gradcheck_float64():
    m = nn.utils.parametrizations.spectral_norm(nn.Linear(3, 4).double()).eval()
    sn = m.parametrizations.weight[0]
    w = m.parametrizations.weight.original.detach().clone().requires_grad_()
    assert ember.autograd.gradcheck(lambda w_: sn(w_), (w,))


@pytest.mark.parametrize("layer, args, shape, kwargs", SPECTRAL_CASES[:4])
def test_old_spectral_norm_as_torch(layer, args, shape, kwargs):
    def make(L):
        L.manual_seed(16)
        return L.nn.utils.spectral_norm(getattr(L.nn, layer)(*args), **kwargs)
    mine, theirs = _pair(make)
    assert list(mine.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    assert [type(h).__name__ for h in mine._forward_pre_hooks.values()] == ["SpectralNorm"]
    x = np.random.default_rng(17).standard_normal(shape).astype(np.float32)
    opt_e = ember.optim.Adam(mine.parameters(), lr=0.01)
    opt_t = torch.optim.Adam(theirs.parameters(), lr=0.01)
    for _ in range(3):
        for model, opt, L in ((mine, opt_e, ember), (theirs, opt_t, torch)):
            opt.zero_grad()
            model(L.tensor(x)).pow(2).mean().backward()
            opt.step()
    for k, v in theirs.state_dict().items():
        _close(mine.state_dict()[k], v, rtol=1e-4, atol=1e-5)
    mine.eval(), theirs.eval()
    _close(mine(ember.tensor(x)), theirs(torch.tensor(x)), rtol=1e-4, atol=1e-5)
    nn.utils.remove_spectral_norm(mine)
    torch.nn.utils.remove_spectral_norm(theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert not mine._forward_pre_hooks and not mine._state_dict_hooks and not mine._load_state_dict_pre_hooks
    _close(mine.weight, theirs.weight, rtol=1e-4, atol=1e-6)


def test_old_spectral_norm_starts_from_unit_vectors_and_errors():
    mine = nn.utils.spectral_norm(nn.Linear(5, 4))
    assert tuple(mine.weight_u.shape) == (4,) and tuple(mine.weight_v.shape) == (5,)
    for b in (mine.weight_u, mine.weight_v):
        assert abs(float(b.norm()) - 1) < 1e-6
    _close(mine.weight, mine.weight_orig)  # until the first call
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks on the same parameter weight"):
        nn.utils.spectral_norm(mine)
    with pytest.raises(ValueError, match="`SpectralNorm` cannot be applied as parameter `bias` is None"):
        nn.utils.spectral_norm(nn.Linear(2, 2, bias=False), "bias")
    with pytest.raises(KeyError):
        nn.utils.spectral_norm(nn.Linear(2, 2), "nope")
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found in"):
        nn.utils.remove_spectral_norm(nn.Linear(2, 2))


def test_old_spectral_norm_loads_torch_checkpoint_and_solves_v_for_a_version_0_one():
    torch.manual_seed(19)
    theirs = torch.nn.utils.spectral_norm(torch.nn.Linear(4, 3))
    theirs(torch.randn(2, 4))
    mine = nn.utils.spectral_norm(nn.Linear(4, 3))
    mine.load_state_dict({k: ember.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    mine.eval(), theirs.eval()
    x = torch.randn(2, 4)
    _close(mine(ember.tensor(x.numpy())), theirs(x), rtol=1e-5, atol=1e-6)
    # a version-0 checkpoint holds weight (normalized) and weight_u, no weight_v
    old = {k: ember.tensor(v.numpy()) for k, v in theirs.state_dict().items() if k != "weight_v"}
    old["weight"] = ember.tensor(theirs.weight.detach().numpy())
    fresh = nn.utils.spectral_norm(nn.Linear(4, 3)).eval()
    fresh.load_state_dict(old)
    _close(fresh(ember.tensor(x.numpy())), theirs(x), rtol=1e-4, atol=1e-5)


# ---- the state-dict hooks, forward hook dicts ------------------------------------------------

def test_state_dict_hooks_as_torch():
    def run(L):
        log = []
        m = L.nn.Sequential(L.nn.Linear(2, 2), L.nn.ReLU())
        m[0].register_state_dict_pre_hook(lambda mod, prefix, keep_vars: log.append(("pre", prefix, keep_vars)))

        def post(mod, state, prefix, meta):
            log.append(("post", prefix, sorted(state)))
            state[prefix + "extra"] = L.zeros(1)
        m[0].register_state_dict_post_hook(post)
        m._register_state_dict_hook(lambda mod, state, prefix, meta: log.append(("old", sorted(state))))
        keys = list(m.state_dict(prefix="p."))
        return log, keys
    assert run(ember) == run(torch)

    def bad(L):
        m = L.nn.Linear(2, 2)
        m.register_state_dict_post_hook(lambda *a: {})
        m.state_dict()
    for L in (torch, ember):
        with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
            bad(L)


def test_load_state_dict_hooks_as_torch():
    def run(L):
        log = []
        m = L.nn.Sequential(L.nn.Linear(2, 2))

        def rename(mod, state, prefix, meta, strict, missing, unexpected, errors):
            log.append(("pre", type(mod).__name__, prefix, strict))
            if prefix + "w" in state:
                state[prefix + "weight"] = state.pop(prefix + "w")
        m[0].register_load_state_dict_pre_hook(rename)

        def post(mod, keys):
            log.append(("post", list(keys.missing_keys), list(keys.unexpected_keys)))
            keys.unexpected_keys.clear()
        m.register_load_state_dict_post_hook(post)
        given = {"0.w": L.ones(2, 2), "0.bias": L.zeros(2), "stray": L.zeros(1)}
        result = m.load_state_dict(given)
        return (log, float(m[0].weight.detach().sum()), sorted(given), list(result.missing_keys),
                list(result.unexpected_keys))
    assert run(ember) == run(torch)

    def failing(L):
        m = L.nn.Linear(2, 2)
        m.register_load_state_dict_pre_hook(lambda mod, state, prefix, meta, strict, missing, unexpected, errors:
                                            errors.append("no good"))
        m.load_state_dict(m.state_dict())
    for L in (torch, ember):
        with pytest.raises(RuntimeError, match="Error\\(s\\) in loading state_dict for Linear:\n\tno good"):
            failing(L)


def test_forward_hooks_live_where_torch_keeps_them():
    def run(L):
        m = L.nn.Linear(2, 2)
        pre = lambda mod, args: None  # noqa: E731
        post = lambda mod, args, kwargs, out: None  # noqa: E731
        h1 = m.register_forward_pre_hook(pre)
        h2 = m.register_forward_hook(post, with_kwargs=True, always_call=True)
        state = (list(m._forward_pre_hooks.values()) == [pre], list(m._forward_hooks.values()) == [post],
                 list(m._forward_hooks_with_kwargs.values()), list(m._forward_hooks_always_called.values()),
                 list(m._forward_pre_hooks_with_kwargs.values()))
        h1.remove(), h2.remove()
        return state, len(m._forward_hooks), len(m._forward_hooks_with_kwargs), len(m._forward_hooks_always_called)
    assert run(ember) == run(torch)


def test_parametrizations_tutorial_runs():
    """PyTorch's "Parametrizations" tutorial, its code with ember in torch's place: symmetric,
    skew-symmetric, orthogonal (Cayley, matrix exponential) and SPD weights, caching, chaining,
    initialization through right_inverse and removal, each with the tutorial's check."""
    parametrize = nn.utils.parametrize

    class Symmetric(nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

    class Skew(nn.Module):
        def forward(self, X):
            A = X.triu(1)
            return A - A.transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu(1)

    class CayleyMap(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.register_buffer("Id", ember.eye(n))

        def forward(self, X):
            return ember.linalg.solve(self.Id - X, self.Id + X)

        def right_inverse(self, A):
            return ember.linalg.solve(A + self.Id, self.Id - A)

    class MatrixExponential(nn.Module):
        def forward(self, X):
            return ember.matrix_exp(X)

    layer = nn.Linear(3, 3)
    parametrize.register_parametrization(layer, "weight", Symmetric())
    assert ember.allclose(layer.weight, layer.weight.T)
    cnn = nn.Conv2d(in_channels=5, out_channels=8, kernel_size=3)
    parametrize.register_parametrization(cnn, "weight", Skew())
    assert ember.allclose(cnn.weight[0, 1], -cnn.weight[0, 1].T)
    assert tuple(cnn(ember.randn(1, 5, 6, 6)).shape) == (1, 8, 4, 4)

    layer = nn.Linear(3, 3)
    parametrize.register_parametrization(layer, "weight", Skew())
    parametrize.register_parametrization(layer, "weight", CayleyMap(3))
    X = layer.weight
    assert float(ember.dist(X.T @ X, ember.eye(3))) < 1e-5  # orthogonal
    layer_orthogonal = nn.Linear(3, 3)
    parametrize.register_parametrization(layer_orthogonal, "weight", Skew())
    parametrize.register_parametrization(layer_orthogonal, "weight", MatrixExponential())
    X = layer_orthogonal.weight
    assert float(ember.dist(X.T @ X, ember.eye(3))) < 1e-5
    layer_spd = nn.Linear(3, 3)
    parametrize.register_parametrization(layer_spd, "weight", Symmetric())
    parametrize.register_parametrization(layer_spd, "weight", MatrixExponential())
    X = layer_spd.weight
    assert float(ember.dist(X, X.T)) < 1e-6 and bool((ember.linalg.eigvalsh(X) > 0.).all())

    layer = nn.Linear(3, 3)
    parametrize.register_parametrization(layer, "weight", Skew())
    X = ember.rand(3, 3)
    X = X - X.T
    layer.weight = X
    assert float(ember.dist(layer.weight, X)) < 1e-6
    layer_orthogonal = nn.Linear(3, 3)
    parametrize.register_parametrization(layer_orthogonal, "weight", Skew())
    parametrize.register_parametrization(layer_orthogonal, "weight", CayleyMap(3))
    X = ember.empty(3, 3)
    nn.init.orthogonal_(X)
    if X.det() < 0.:
        X[0].neg_()
    layer_orthogonal.weight = X
    # The tutorial's Cayley inverse gives the transpose (torch's weight is X.T too: its Skew and
    # Cayley maps do not commute with that inverse as written)
    assert float(ember.dist(layer_orthogonal.weight, X.T)) < 1e-5

    class PruningParametrization(nn.Module):
        def __init__(self, X, p_drop=0.2):
            super().__init__()
            self.mask = ember.bernoulli(ember.full_like(X, 1.0 - p_drop))

        def forward(self, X):
            return X * self.mask

        def right_inverse(self, A):
            return A

    layer = nn.Linear(3, 4)
    X = ember.rand_like(layer.weight)
    parametrize.register_parametrization(layer, "weight", PruningParametrization(layer.weight))
    layer.weight = X
    mask = layer.parametrizations.weight[0].mask
    assert ember.equal(layer.weight, X * mask)

    layer = nn.Linear(3, 3)
    parametrize.register_parametrization(layer, "weight", Skew())
    skew = layer.weight.detach().clone()
    parametrize.remove_parametrizations(layer, "weight")
    assert ember.equal(layer.weight, skew) and repr(layer) == "Linear(in_features=3, out_features=3, bias=True)"
    layer = nn.Linear(3, 3)
    parametrize.register_parametrization(layer, "weight", Skew())
    original = layer.parametrizations.weight.original.detach().clone()
    parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)
    assert ember.equal(layer.weight, original)


# ---- orthogonal ------------------------------------------------------------------------------

ORTHOGONAL_CASES = [((5, 5), None, True), ((3, 5), None, True), ((5, 3), None, True), ((4, 4), "cayley", True),
                    ((6, 3), "matrix_exp", True), ((4, 4), "matrix_exp", False), ((4, 6), "cayley", False),
                    ((5, 3), "householder", True)]


@pytest.mark.parametrize("shape, orthogonal_map, trivialization", ORTHOGONAL_CASES)
def test_orthogonal_as_torch(shape, orthogonal_map, trivialization):
    def make(L):
        return L.nn.utils.parametrizations.orthogonal(L.nn.Linear(shape[1], shape[0]), orthogonal_map=orthogonal_map,
                                                      use_trivialization=trivialization)
    torch.manual_seed(20)
    theirs = make(torch)
    mine = make(ember)
    _copy_state(mine, theirs)  # the originals, and the base (random columns completed a tall one)
    assert repr(mine) == repr(theirs)
    w = mine.weight
    gram = w @ w.T if shape[0] <= shape[1] else w.T @ w
    _close(gram, ember.eye(min(shape)), atol=1e-5)
    x = np.random.default_rng(21).standard_normal((4, shape[1])).astype(np.float32)
    opt_e, opt_t = ember.optim.SGD(mine.parameters(), lr=0.1), torch.optim.SGD(theirs.parameters(), lr=0.1)
    for _ in range(3):
        for model, opt, L in ((mine, opt_e, ember), (theirs, opt_t, torch)):
            opt.zero_grad()
            model(L.tensor(x)).pow(2).sum().backward()
            opt.step()
    _close(mine.weight, theirs.weight, rtol=1e-4, atol=1e-5)


def test_orthogonal_starts_from_the_layers_weight_as_torch_and_assigns():
    torch.manual_seed(22)
    theirs = torch.nn.Linear(4, 4)
    mine = nn.Linear(4, 4)
    _copy_state(mine, theirs)
    torch.nn.utils.parametrizations.orthogonal(theirs)
    nn.utils.parametrizations.orthogonal(mine)
    _close(mine.weight, theirs.weight, rtol=1e-4, atol=1e-5)  # QR of the same weight: no random draw
    q = ember.linalg.qr(ember.randn(4, 4))[0]
    mine.weight = q
    _close(mine.weight, q, atol=1e-5)


def test_householder_product_as_torch_and_gradcheck():
    rng = np.random.default_rng(23)
    A, tau = rng.standard_normal((2, 5, 3)), rng.random((2, 2))
    _close(ember.linalg.householder_product(ember.tensor(A), ember.tensor(tau)),
           torch.linalg.householder_product(torch.tensor(A), torch.tensor(tau)), rtol=1e-12, atol=1e-12)
    a, t = ember.tensor(A[0], requires_grad=True), ember.tensor(tau[0], requires_grad=True)
    assert ember.autograd.gradcheck(ember.linalg.householder_product, (a, t))
    for bad_a, bad_tau, error, match in [
            (np.ones(3), np.ones(1), ValueError, "at least 2 dimensions"),
            (np.ones((3, 5)), np.ones(2), ValueError, r"input.shape\[-2\] must be greater than or equal"),
            (np.ones((5, 3)), np.ones(4), ValueError, r"input.shape\[-1\] must be greater than or equal to tau"),
            (np.ones((5, 3)), np.ones((2, 2)), ValueError, "one dimension less than input")]:
        with pytest.raises(error, match=match):
            ember.linalg.householder_product(ember.tensor(bad_a), ember.tensor(bad_tau))
    with pytest.raises(TypeError, match="tau dtype"):
        ember.linalg.householder_product(ember.ones(5, 3), ember.ones(2, dtype=ember.float64))


def test_orthogonal_errors():
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a tensor of 1 dimensions."):
        nn.utils.parametrizations.orthogonal(nn.Linear(2, 2), "bias")
    with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp", "cayley", "householder"'):
        nn.utils.parametrizations.orthogonal(nn.Linear(2, 2), orthogonal_map="qr")
    with pytest.raises(NotImplementedError, match="geqrf"):
        nn.utils.parametrizations.orthogonal(nn.Linear(2, 3), orthogonal_map="householder", use_trivialization=False)
    m = nn.utils.parametrizations.orthogonal(nn.Linear(3, 3))
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices of shape"):
        m.weight = ember.eye(2)

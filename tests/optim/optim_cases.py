"""Helpers shared by the ember.optim tests. Importable as a plain module (tests/conftest.py puts
this folder on sys.path); it does not import torch: a helper that needs it takes it as an argument
(the ``torch`` fixture or the test module's ``pytest.importorskip("torch")``).

* The bad-input sweeps (test_optim_bad_inputs.py and test_lr_scheduler_bad_inputs.py): the child
  processes' prelude, and small builders that each take the library (ember or torch) first.
* The trajectory tests (test_optim.py, test_optim_groups_state_dict.py, test_optim_checks.py):
  the tables (NAMES, RICH, ...), the data and the small model trained in both libraries, and
  _Run / _both_runs with the comparison helpers."""
import importlib
import math

import numpy as np
import pytest

import ember
from bad_inputs import prelude

_PRELUDE = prelude("""
warnings.simplefilter("ignore")
import ember
S = ember.optim.lr_scheduler
""")

def _P(L, *shape):
    return L.zeros(*shape, requires_grad=True)


def _grad(L, *params):
    for p in params:
        p.grad = L.ones_like(p)


def _stepped(L, cls="Adam", n=1, shape=(2,), **kw):
    """An optimizer over one parameter after n steps (gradient 1)."""
    p = _P(L, *shape)
    o = getattr(L.optim, cls)([p], **kw)
    for _ in range(n):
        _grad(L, p)
        o.step()
    return o, p


def _vals(p):
    return np.asarray(p.detach().numpy(), dtype=np.float64).round(6).tolist()


def _mutate_then_step(L, cls, mutate, **kw):
    """One step, mutate(L, opt, extra_param), then another step; the parameters' values."""
    o, p = _stepped(L, cls, **kw)
    q = _P(L, 2)
    mutate(L, o, q)
    _grad(L, p, q)
    o.step()
    return _vals(p), _vals(q)


def _set(group, key, value):
    group[key] = value


def _load(L, modify, cls="Adam", **kw):
    """state_dict after one step, modify(L, sd) -> sd, load it, step again."""
    o, p = _stepped(L, cls, **kw)
    o.load_state_dict(modify(L, o.state_dict()))
    _grad(L, p)
    o.step()
    return _vals(p)


def _state0(sd, **entries):
    return {**sd, "state": {0: {**sd["state"][0], **entries}}}


def _group0(sd, drop=(), **entries):
    g = {k: v for k, v in sd["param_groups"][0].items() if k not in drop}
    return {**sd, "param_groups": [{**g, **entries}]}


def _sgd(L, lr=0.1, n_groups=1, **kw):
    if n_groups == 1:
        return L.optim.SGD([_P(L, 2)], lr=lr, **kw)
    return L.optim.SGD([{"params": [_P(L, 2)]} for _ in range(n_groups)], lr=lr, **kw)


def _run(s, n=3, *args):
    """n rounds of optimizer.step(); scheduler.step(*args); the last rates."""
    for _ in range(n):
        s.optimizer.step()
        s.step(*args)
    return [float(x) for x in s.get_last_lr()]


def _S(L):
    return L.optim.lr_scheduler


def _finite(r):
    return all(math.isfinite(x) for x in r)


def _pair(torch, fn):
    """fn(L) for both libraries; its results as nested lists."""
    return fn(ember), fn(torch)


# ---- trajectories against torch.optim (test_optim.py, test_optim_groups_state_dict.py,
# test_optim_checks.py) ---------------------------------------------------------------------

TOL = dict(rtol=1e-10, atol=1e-12)     # float64 parameters after up to 100 steps
STEPS = 100
NAMES = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD"]
# Group keys torch has only to choose among its own implementations (not part of the algorithm).
IMPL_KEYS = {"foreach", "fused", "capturable", "differentiable"}

_RNG = np.random.default_rng(1234)
X = _RNG.standard_normal((16, 4))
Y = _RNG.standard_normal((16, 3))


def _weights(seed):
    rng = np.random.default_rng(seed)
    return {"0.weight": rng.uniform(-0.5, 0.5, (8, 4)), "0.bias": rng.uniform(-0.5, 0.5, 8),
            "2.weight": rng.uniform(-0.5, 0.5, (3, 8)), "2.bias": rng.uniform(-0.5, 0.5, 3)}


WEIGHTS, OTHER_WEIGHTS = _weights(7), _weights(8)


def _np(t):
    return np.array(t.detach().numpy(), copy=True)


def _optim(lib):
    """lib.optim (imported here: ember/__init__ need not import ember.optim)."""
    return importlib.import_module("ember.optim") if lib is ember else lib.optim


def _model(lib, dtype="float64", weights=WEIGHTS):
    nn, dt = lib.nn, getattr(lib, dtype)
    m = nn.Sequential(nn.Linear(4, 8, dtype=dt), nn.Tanh(), nn.Linear(8, 3, dtype=dt))
    m.load_state_dict({k: lib.tensor(v.astype(dtype)) for k, v in weights.items()})
    return m


def _loss(lib, model, sign=1.0, dtype="float64"):
    x, y = lib.tensor(X.astype(dtype)), lib.tensor(Y.astype(dtype))
    loss = lib.nn.functional.mse_loss(model(x), y)
    return -loss if sign < 0 else loss


def _two_groups(g0, g1):
    return lambda model: [{"params": list(model[0].parameters()), **g0},
                          {"params": list(model[2].parameters()), **g1}]


class _Run:
    """One library's model + optimizer. maximize=True optimizers train on -MSE, so that they
    still converge (and would diverge if the flag were ignored)."""

    def __init__(self, lib, name, kw, params=None, dtype="float64", weights=WEIGHTS):
        self.lib, self.dtype = lib, dtype
        self.model = _model(lib, dtype, weights)
        self.sign = -1.0 if kw.get("maximize") else 1.0
        ps = params(self.model) if params is not None else self.model.parameters()
        self.opt = getattr(_optim(lib), name)(ps, **kw)

    def loss(self):
        return _loss(self.lib, self.model, self.sign, self.dtype)

    def step(self, model_zero_grad=False):
        self.opt.zero_grad()
        if model_zero_grad:  # also the parameters the optimizer does not hold
            self.model.zero_grad()
        loss = self.loss()
        loss.backward()
        self.opt.step()
        return loss

    def params(self):
        return {k: _np(p) for k, p in self.model.named_parameters()}


def _both_runs(torch, name, kw, **options):
    """The same _Run in ember and in torch."""
    return _Run(ember, name, kw, **options), _Run(torch, name, kw, **options)


def _close(a, b, msg, tol=TOL):
    """assert_allclose, with a cheap check first (it runs after every step)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or not np.all(np.abs(a - b) <= tol["atol"] + tol["rtol"] * np.abs(b)):
        np.testing.assert_allclose(a, b, err_msg=msg, **tol)


def _assert_params(e, t, what="", tol=TOL):
    pe, pt = e.params(), t.params()
    assert pe.keys() == pt.keys()
    for k in pe:
        _close(pe[k], pt[k], f"{k} {what}", tol)


def _step_both(e, t, n, what="", tol=TOL, **kw):
    for i in range(n):
        le, lt = e.step(**kw), t.step(**kw)
        _close(le.item(), lt.item(), f"loss, step {i} {what}", tol)
        _assert_params(e, t, f"after step {i} {what}", tol)


def _plain(torch, v):
    """A hyperparameter or state value as plain Python / NumPy data, for comparisons."""
    if isinstance(v, (ember.Tensor, torch.Tensor)):
        a = _np(v)
        return float(a) if a.ndim == 0 else a
    if isinstance(v, (list, tuple)):
        return tuple(_plain(torch, x) for x in v)
    return v


def _expected_keys(torch_group):
    return set(torch_group) - IMPL_KEYS


def _assert_groups_match(torch, groups_e, groups_t):
    """ember's param groups (live ones or a state dict's) hold at least torch's keys, less the
    implementation-selection ones, with torch's values."""
    assert isinstance(groups_e, list) and len(groups_e) == len(groups_t)
    for ge, gt in zip(groups_e, groups_t):
        missing = _expected_keys(gt) - set(ge.keys())
        assert not missing, f"param group lacks torch's keys {sorted(missing)}"
        for k in _expected_keys(gt) - {"params"}:
            assert _plain(torch, ge[k]) == _plain(torch, gt[k]), (k, ge[k], gt[k])
        assert len(ge["params"]) == len(gt["params"])


def _to_torch(torch, obj):
    if isinstance(obj, ember.Tensor):
        return torch.from_numpy(_np(obj))
    if isinstance(obj, dict):
        return {k: _to_torch(torch, v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_torch(torch, v) for v in obj)
    return obj


def _to_ember(torch, obj):
    if isinstance(obj, torch.Tensor):
        return ember.tensor(_np(obj))
    if isinstance(obj, dict):
        return {k: _to_ember(torch, v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_ember(torch, v) for v in obj)
    return obj


def _id(name, kw):
    return name + ("-" + ",".join(f"{k}={v}" for k, v in kw.items()).replace(" ", "") if kw else "-defaults")


# One option-rich configuration per optimizer (every state buffer exists, weight decay is on).
RICH = {
    "SGD": {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 1e-2},
    "Adagrad": {"lr": 0.1, "lr_decay": 1e-2, "weight_decay": 1e-2, "initial_accumulator_value": 0.1},
    "RMSprop": {"lr": 0.005, "momentum": 0.9, "centered": True, "weight_decay": 1e-2},
    "Adam": {"lr": 0.01, "amsgrad": True, "weight_decay": 1e-2},
    "AdamW": {"lr": 0.01, "amsgrad": True, "betas": (0.8, 0.99)},
    "Adadelta": {"lr": 0.5, "weight_decay": 1e-2},
    "Adamax": {"lr": 0.01, "weight_decay": 1e-2},
    "NAdam": {"lr": 0.01, "weight_decay": 1e-2},
    "RAdam": {"lr": 0.002, "weight_decay": 1e-2, "betas": (0.8, 0.99)},
    "ASGD": {"lr": 0.05, "t0": 3, "weight_decay": 1e-2},
}
RICH_CASES = [pytest.param(n, kw, id=n) for n, kw in RICH.items()]

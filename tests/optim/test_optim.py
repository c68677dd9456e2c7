"""ember.optim (SGD, Adagrad, RMSprop, Adam, AdamW, Adadelta, Adamax, NAdam, RAdam, ASGD) and ember.nn.utils' gradient clipping against
torch.optim / torch.nn.utils: the same small model (Linear -> Tanh -> Linear, float64, identical
weights) trained in both libraries on the same data, every parameter compared after every step;
parameter groups and their hyperparameters (changed between steps, added later), parameters
without gradients, zero_grad, step(closure), state_dict / load_state_dict (exact resumption, also
through ember.save / ember.load and across the two libraries), the errors bad hyperparameters
raise, clip_grad_norm_ / clip_grad_value_, and a float32 run.

Every helper takes the library (ember or torch) as its first argument and runs the same code in
both, so each test documents torch's behaviour next to ember's."""
import importlib
import math

import numpy as np
import pytest

import ember
from ember.nn import utils as eutils

torch = pytest.importorskip("torch")

TOL = dict(rtol=1e-10, atol=1e-12)     # float64 parameters after up to 100 steps
TOL32 = dict(rtol=1e-5, atol=1e-6)     # float32 sanity run
STEPS = 100
NAMES = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD"]
# Group keys torch has only to choose among its own implementations (not part of the algorithm).
IMPL_KEYS = {"foreach", "fused", "capturable", "differentiable"}

# ---- shared data and helpers ---------------------------------------------------------------

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
    return importlib.import_module("ember.optim") if lib is ember else torch.optim


def _utils(lib):
    return eutils if lib is ember else torch.nn.utils


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


def _pair(name, kw, **options):
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


def _plain(v):
    """A hyperparameter or state value as plain Python / NumPy data, for comparisons."""
    if isinstance(v, (ember.Tensor, torch.Tensor)):
        a = _np(v)
        return float(a) if a.ndim == 0 else a
    if isinstance(v, (list, tuple)):
        return tuple(_plain(x) for x in v)
    return v


def _expected_keys(torch_group):
    return set(torch_group) - IMPL_KEYS


def _assert_groups_match(groups_e, groups_t):
    """ember's param groups (live ones or a state dict's) hold at least torch's keys, less the
    implementation-selection ones, with torch's values."""
    assert isinstance(groups_e, list) and len(groups_e) == len(groups_t)
    for ge, gt in zip(groups_e, groups_t):
        missing = _expected_keys(gt) - set(ge.keys())
        assert not missing, f"param group lacks torch's keys {sorted(missing)}"
        for k in _expected_keys(gt) - {"params"}:
            assert _plain(ge[k]) == _plain(gt[k]), (k, ge[k], gt[k])
        assert len(ge["params"]) == len(gt["params"])


def _to_torch(obj):
    if isinstance(obj, ember.Tensor):
        return torch.from_numpy(_np(obj))
    if isinstance(obj, dict):
        return {k: _to_torch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_torch(v) for v in obj)
    return obj


def _to_ember(obj):
    if isinstance(obj, torch.Tensor):
        return ember.tensor(_np(obj))
    if isinstance(obj, dict):
        return {k: _to_ember(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_ember(v) for v in obj)
    return obj


def _id(name, kw):
    return name + ("-" + ",".join(f"{k}={v}" for k, v in kw.items()).replace(" ", "") if kw else "-defaults")


# ---- 1. trajectories against torch ---------------------------------------------------------

CASES = [
    ("SGD", {}),
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "weight_decay": 1e-2}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-2, "maximize": True}),
    ("SGD", {"lr": 0.1, "maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 1e-2}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 1e-2, "initial_accumulator_value": 0.1}),
    ("Adagrad", {"lr": 0.1, "eps": 1e-3}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 1e-2, "weight_decay": 1e-2, "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.001, "alpha": 0.9, "eps": 1e-6}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.002, "centered": True}),
    ("RMSprop", {"lr": 0.005, "centered": True, "momentum": 0.9, "weight_decay": 1e-2}),
    ("RMSprop", {"lr": 0.001, "alpha": 0.9, "weight_decay": 1e-2, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.002, "betas": (0.5, 0.9), "eps": 1e-6}),
    ("Adam", {"lr": 0.01, "weight_decay": 1e-2}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "betas": (0.5, 0.9), "amsgrad": True, "weight_decay": 1e-2, "maximize": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.002, "betas": (0.5, 0.9), "eps": 1e-6, "weight_decay": 0.0}),
    ("AdamW", {"lr": 0.01, "amsgrad": True, "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.5, "eps": 1e-4}),
    ("Adadelta", {"lr": 0.5, "weight_decay": 1e-2, "maximize": True}),
    ("Adadelta", {"rho": 0.0}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.002, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("Adamax", {"lr": 0.01, "weight_decay": 1e-2, "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.002, "betas": (0.5, 0.9), "momentum_decay": 0.1}),
    ("NAdam", {"lr": 0.01, "weight_decay": 1e-2}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("RAdam", {}),
    # (lr 0.01 with beta1 0.5 is chaotic: one-ulp gradient differences grow to 1e-9 in 100 steps,
    # Adam's too, so the low-beta cases take a smaller rate.)
    ("RAdam", {"lr": 0.002, "betas": (0.5, 0.9)}),     # rho_t crosses 5 at step 6 (momentum alone before)
    ("RAdam", {"lr": 0.01, "betas": (0.9, 0.99)}),
    ("RAdam", {"lr": 0.01, "weight_decay": 1e-2, "maximize": True}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.05, "t0": 20}),                  # averaging starts mid-run
    ("ASGD", {"lr": 0.05, "lambd": 1e-2, "alpha": 0.5, "t0": 0, "weight_decay": 1e-2}),
    ("ASGD", {"lr": 0.05, "t0": 10, "maximize": True}),
]

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


@pytest.mark.parametrize("name,kw", CASES, ids=[_id(n, kw) for n, kw in CASES])
def test_trajectory_matches_torch(name, kw):
    e, t = _pair(name, kw)
    _assert_params(e, t, "before any step")
    start = e.params()
    _step_both(e, t, STEPS)
    assert any(not np.array_equal(start[k], v) for k, v in e.params().items()), "nothing moved"


@pytest.mark.parametrize("name", NAMES)
def test_maximize_of_negated_loss_is_minimize(name):
    """maximize=True on -L follows maximize=False on L exactly (the gradient is negated before
    anything else, weight decay included), and -L rises."""
    a = _Run(ember, name, {"lr": 0.01, "weight_decay": 1e-2, "maximize": True})  # trains on -MSE
    b = _Run(ember, name, {"lr": 0.01, "weight_decay": 1e-2})                    # trains on MSE
    first = a.loss().item()
    for _ in range(10):
        a.step(), b.step()
    assert a.loss().item() > first
    for k, v in a.params().items():
        np.testing.assert_allclose(v, b.params()[k], err_msg=k, **TOL)


# ---- 2. parameter groups -------------------------------------------------------------------

GROUP_CASES = [
    ("SGD", {"lr": 0.05, "momentum": 0.9}, {"lr": 0.1, "momentum": 0.5}, {"weight_decay": 1e-2, "nesterov": True}),
    ("Adagrad", {"lr": 0.1}, {"lr": 0.05, "lr_decay": 1e-2}, {"weight_decay": 1e-2, "eps": 1e-3}),
    ("RMSprop", {"lr": 0.005}, {"alpha": 0.9, "centered": True}, {"momentum": 0.9, "lr": 0.002}),
    ("Adam", {"lr": 0.01}, {"betas": (0.5, 0.9)}, {"weight_decay": 1e-2, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}, {"lr": 0.02, "weight_decay": 0.1}, {"amsgrad": True, "eps": 1e-6}),
    ("Adadelta", {"lr": 0.5}, {"rho": 0.5}, {"weight_decay": 1e-2, "eps": 1e-4}),
    ("Adamax", {"lr": 0.01}, {"betas": (0.5, 0.9)}, {"weight_decay": 1e-2}),
    ("NAdam", {"lr": 0.01}, {"momentum_decay": 0.1}, {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.01}, {"betas": (0.5, 0.9)}, {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("ASGD", {"lr": 0.05}, {"t0": 5}, {"lambd": 1e-2, "alpha": 0.5}),
]


@pytest.mark.parametrize("name,defaults,g0,g1", GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
def test_param_groups_match_torch(name, defaults, g0, g1):
    e, t = _pair(name, defaults, params=_two_groups(g0, g1))
    _assert_groups_match(e.opt.param_groups, t.opt.param_groups)
    for g, model_part in zip(e.opt.param_groups, (e.model[0], e.model[2])):
        assert all(a is b for a, b in zip(g["params"], model_part.parameters()))
    for k in _expected_keys(t.opt.defaults):
        assert _plain(e.opt.defaults[k]) == _plain(t.opt.defaults[k]), k
    _step_both(e, t, 30)


@pytest.mark.parametrize("name", NAMES)
def test_param_group_keys_match_torch(name):
    """Every optimizer's group holds torch's keys (less foreach/fused/capturable/differentiable),
    defaults filled in; the groups are a list of dict-like objects."""
    e, t = _pair(name, {})
    assert isinstance(e.opt.param_groups, list) and len(e.opt.param_groups) == 1
    _assert_groups_match(e.opt.param_groups, t.opt.param_groups)


@pytest.mark.parametrize("name,defaults,g0,g1", GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
def test_add_param_group(name, defaults, g0, g1):
    first = lambda model: list(model[0].parameters())  # noqa: E731
    e, t = _pair(name, defaults, params=first)
    _step_both(e, t, 10, "(one group)", model_zero_grad=True)
    second_e, second_t = _np(e.model[2].weight), _np(t.model[2].weight)
    np.testing.assert_array_equal(second_e, WEIGHTS["2.weight"])  # not in the optimizer yet
    np.testing.assert_array_equal(second_t, WEIGHTS["2.weight"])
    for r in (e, t):
        r.opt.add_param_group({"params": list(r.model[2].parameters()), **g1})
    assert len(e.opt.param_groups) == 2
    _assert_groups_match(e.opt.param_groups, t.opt.param_groups)
    _step_both(e, t, 10, "(two groups)", model_zero_grad=True)
    assert not np.array_equal(_np(e.model[2].weight), second_e)


HYPER_CASES = [
    ("SGD", {"lr": 0.05, "momentum": 0.9}, {"lr": 0.02, "momentum": 0.5, "weight_decay": 1e-2}),
    ("Adagrad", {"lr": 0.1}, {"lr": 0.05, "weight_decay": 1e-2, "lr_decay": 0.1}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.9}, {"lr": 0.002, "alpha": 0.9, "momentum": 0.5}),
    ("Adam", {"lr": 0.01}, {"lr": 0.002, "betas": (0.8, 0.99), "weight_decay": 1e-2}),
    ("AdamW", {"lr": 0.01}, {"lr": 0.002, "betas": (0.8, 0.99), "weight_decay": 0.1}),
    ("Adadelta", {"lr": 0.5}, {"lr": 0.2, "rho": 0.5, "weight_decay": 1e-2}),
    ("Adamax", {"lr": 0.01}, {"lr": 0.002, "betas": (0.8, 0.99), "eps": 1e-4}),
    ("NAdam", {"lr": 0.01}, {"lr": 0.002, "momentum_decay": 0.1, "weight_decay": 1e-2}),
    ("RAdam", {"lr": 0.01}, {"lr": 0.002, "betas": (0.5, 0.9), "decoupled_weight_decay": True, "weight_decay": 0.1}),
    ("ASGD", {"lr": 0.05, "t0": 3}, {"lr": 0.01, "lambd": 1e-2, "t0": 30}),
]


@pytest.mark.parametrize("name,kw,change", HYPER_CASES, ids=[c[0] for c in HYPER_CASES])
def test_hyperparameters_changed_between_steps(name, kw, change):
    """Writing opt.param_groups[0][key] takes effect on the next step, as in torch."""
    e, t = _pair(name, kw)
    _step_both(e, t, 10, "(before the change)")
    for r in (e, t):
        for k, v in change.items():
            r.opt.param_groups[0][k] = v
    for k, v in change.items():
        assert _plain(e.opt.param_groups[0][k]) == _plain(v)
    _step_both(e, t, 10, "(after the change)")


# ---- 3. parameters without gradients -------------------------------------------------------

EXTRA = np.random.default_rng(5).standard_normal(3)


@pytest.mark.parametrize("name,kw", RICH_CASES)
def test_parameter_without_grad_is_skipped(name, kw):
    """A parameter whose .grad is None is left as it is (weight decay and momentum included);
    torch's Adagrad alone creates state at construction (step 0, sum filled) and never updates it."""
    runs, extras = [], []
    for lib in (ember, torch):
        extra = lib.tensor(EXTRA.copy(), requires_grad=True)
        runs.append(_Run(lib, name, kw, params=lambda m, x=extra: list(m.parameters()) + [x]))
        extras.append(extra)
    e, t = runs
    _step_both(e, t, 5)
    for x in extras:
        assert x.grad is None
        np.testing.assert_array_equal(_np(x), EXTRA)
    se, st = e.opt.state_dict()["state"], t.opt.state_dict()["state"]
    assert set(se) == set(st)
    assert (4 in st) == (name == "Adagrad")  # the extra parameter's index
    if 4 in st:
        assert set(se[4]) == set(st[4])
        for k in st[4]:
            np.testing.assert_array_equal(_plain(se[4][k]), _plain(st[4][k]), err_msg=k)


# ---- 4. zero_grad --------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_zero_grad(name):
    for lib in (ember, torch):
        r = _Run(lib, name, {})
        params = list(r.model.parameters())
        r.loss().backward()
        assert all(p.grad is not None for p in params)
        r.opt.zero_grad()
        assert all(p.grad is None for p in params), lib.__name__
        r.loss().backward()
        r.opt.zero_grad(set_to_none=False)
        for p in params:
            assert p.grad is not None, lib.__name__
            np.testing.assert_array_equal(_np(p.grad), np.zeros(tuple(p.shape)))
        r.loss().backward()  # accumulates into the zeroed gradients
        r.opt.zero_grad(set_to_none=True)
        assert all(p.grad is None for p in params), lib.__name__


# ---- 5. step(closure) ----------------------------------------------------------------------

def _closure(r, calls):
    def closure():
        r.opt.zero_grad()
        loss = r.loss()
        loss.backward()
        calls.append(loss)
        return loss
    return closure


@pytest.mark.parametrize("name,kw", RICH_CASES)
def test_step_with_closure(name, kw):
    """step(closure) calls the closure once and returns what it returned (the loss tensor);
    step() without one returns None."""
    e, t = _pair(name, kw)
    calls_e, calls_t = [], []
    for i in range(10):
        ret_e, ret_t = e.opt.step(_closure(e, calls_e)), t.opt.step(_closure(t, calls_t))
        assert len(calls_e) == len(calls_t) == i + 1
        assert ret_t is calls_t[-1] and ret_e is calls_e[-1]
        np.testing.assert_allclose(ret_e.item(), ret_t.item(), **TOL)
        _assert_params(e, t, f"after closure step {i}")
    for r in (e, t):
        r.opt.zero_grad()
        r.loss().backward()
        assert r.opt.step() is None
    _assert_params(e, t, "after a step without a closure")


@pytest.mark.parametrize("name", NAMES)
def test_step_closure_runs_with_grad_enabled(name):
    """torch runs the closure under enable_grad: step(closure) works inside no_grad."""
    e, t = _pair(name, {"lr": 0.01})
    for r in (e, t):
        calls = []
        with r.lib.no_grad():
            ret = r.opt.step(_closure(r, calls))
            assert not r.lib.is_grad_enabled()
        assert ret is calls[0] and ret.requires_grad
    _assert_params(e, t, "after the step")
    assert not np.array_equal(e.params()["0.weight"], WEIGHTS["0.weight"])


# ---- 6. state_dict / load_state_dict -------------------------------------------------------

STATE_CASES = [
    ("SGD", {"lr": 0.1}, set()),
    ("SGD", RICH["SGD"], {"momentum_buffer"}),
    ("Adagrad", RICH["Adagrad"], {"step", "sum"}),
    ("RMSprop", {"lr": 0.005}, {"step", "square_avg"}),
    ("RMSprop", RICH["RMSprop"], {"step", "square_avg", "momentum_buffer", "grad_avg"}),
    ("Adam", {"lr": 0.01}, {"step", "exp_avg", "exp_avg_sq"}),
    ("Adam", RICH["Adam"], {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}),
    ("AdamW", RICH["AdamW"], {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}),
]


@pytest.mark.parametrize("name,kw,state_keys", STATE_CASES, ids=[_id(n, kw) for n, kw, _ in STATE_CASES])
def test_state_dict_structure(name, kw, state_keys):
    e, t = _pair(name, kw, params=_two_groups({}, {"lr": 0.003}))
    _step_both(e, t, 3)
    sd, sdt = e.opt.state_dict(), t.opt.state_dict()
    assert set(sd.keys()) == set(sdt.keys()) == {"state", "param_groups"}
    _assert_groups_match(sd["param_groups"], sdt["param_groups"])
    assert [g["params"] for g in sd["param_groups"]] == [g["params"] for g in sdt["param_groups"]] == [[0, 1], [2, 3]]
    assert all(type(i) is int for g in sd["param_groups"] for i in g["params"])
    assert sorted(sd["state"]) == sorted(sdt["state"]) == ([] if not state_keys else [0, 1, 2, 3])
    for i, st in sdt["state"].items():
        assert set(st) == state_keys  # the harness' own expectation of torch
        assert set(sd["state"][i]) == state_keys, f"state of parameter {i}"
        for k, v in st.items():
            ve = sd["state"][i][k]
            if k != "step":
                assert isinstance(ve, ember.Tensor) and ve.dtype == ember.float64, k
            np.testing.assert_allclose(_plain(ve), _plain(v), err_msg=f"state[{i}][{k}]", **TOL)
    if "step" in state_keys:
        assert _plain(sd["state"][0]["step"]) == 3.0


# NAdam's mu_product and ASGD's eta and mu are 0-d float32 tensors that load_state_dict casts to
# the parameter's dtype, as torch's does: a resumed float64 run then differs from an uninterrupted
# one in the last bits, in both libraries (test_scalar_state_is_cast_on_load).
SCALAR_STATE = {"NAdam": ["mu_product"], "ASGD": ["eta", "mu"]}
EXACT_RESUME_CASES = [c for c in RICH_CASES if c.values[0] not in SCALAR_STATE]


@pytest.mark.parametrize("via", ["memory", "file"])
@pytest.mark.parametrize("name,kw", EXACT_RESUME_CASES)
def test_state_dict_resumes_exactly(name, kw, via, tmp_path):
    """50 steps, state dicts saved, a fresh model + optimizer (other weights, another lr) loads
    them, 50 more steps: bit for bit the uninterrupted 100-step run (the lr is the saved one)."""
    whole = _Run(ember, name, kw)
    for _ in range(STEPS):
        whole.step()
    first = _Run(ember, name, kw)
    for _ in range(STEPS // 2):
        first.step()
    msd, osd = first.model.state_dict(), first.opt.state_dict()
    if via == "file":
        path = str(tmp_path / "checkpoint.safetensors")
        ember.save({"model": msd, "optimizer": osd, "epoch": 50}, path)
        ck = ember.load(path)
        assert ck["epoch"] == 50
        msd, osd = ck["model"], ck["optimizer"]
    second = _Run(ember, name, {**kw, "lr": 0.5}, weights=OTHER_WEIGHTS)
    second.model.load_state_dict(msd)
    second.opt.load_state_dict(osd)
    assert second.opt.param_groups[0]["lr"] == kw["lr"]
    assert all(a is b for a, b in zip(second.opt.param_groups[0]["params"], second.model.parameters()))
    for _ in range(STEPS - STEPS // 2):
        second.step()
    pw, ps = whole.params(), second.params()
    for k in pw:
        np.testing.assert_array_equal(ps[k], pw[k], err_msg=k)
    sw, ss = whole.opt.state_dict()["state"], second.opt.state_dict()["state"]
    assert set(sw) == set(ss)
    for i in sw:
        for k in sw[i]:
            np.testing.assert_array_equal(_plain(ss[i][k]), _plain(sw[i][k]), err_msg=f"state[{i}][{k}]")


@pytest.mark.parametrize("name", sorted(SCALAR_STATE))
def test_scalar_state_is_cast_on_load(name):
    """The 0-d states start as float32 in both libraries and take the parameter's dtype when loaded."""
    e, t = _pair(name, RICH[name])
    for r in (e, t):
        r.step()
        for key in SCALAR_STATE[name]:
            assert r.opt.state_dict()["state"][0][key].dtype == r.lib.float32
            assert tuple(r.opt.state_dict()["state"][0][key].shape) == ()
        fresh = _Run(r.lib, name, RICH[name])
        fresh.opt.load_state_dict(r.opt.state_dict())
        for key in SCALAR_STATE[name]:
            assert fresh.opt.state_dict()["state"][0][key].dtype == r.lib.float64


def _resumed_torch(name, kw):
    """torch's run of STEPS steps, stopped halfway and resumed from its own state dicts (for most
    optimizers exactly the uninterrupted run; see SCALAR_STATE)."""
    first = _Run(torch, name, kw)
    for _ in range(STEPS // 2):
        first.step()
    whole = _Run(torch, name, kw, weights=OTHER_WEIGHTS)
    whole.model.load_state_dict(first.model.state_dict())
    whole.opt.load_state_dict(first.opt.state_dict())
    for _ in range(STEPS - STEPS // 2):
        whole.step()
    return whole


def _merge_groups(saved, own):
    """The saved groups' values for the keys the loading optimizer knows, its own for the rest."""
    return [{k: (s[k] if k in s else v) for k, v in o.items()} for s, o in zip(saved, own)]


@pytest.mark.parametrize("name,kw", RICH_CASES)
def test_ember_state_dict_resumes_in_torch(name, kw):
    """ember's state dict (tensors converted through NumPy) continued by torch gives the run torch
    resumed from its own: same names, same meaning."""
    e, whole = _Run(ember, name, kw), _resumed_torch(name, kw)
    for _ in range(STEPS // 2):
        e.step()
    t = _Run(torch, name, kw, weights=OTHER_WEIGHTS)
    t.model.load_state_dict(_to_torch(dict(e.model.state_dict())))
    osd = _to_torch(e.opt.state_dict())
    osd["param_groups"] = _merge_groups(osd["param_groups"], t.opt.state_dict()["param_groups"])
    t.opt.load_state_dict(osd)
    for _ in range(STEPS - STEPS // 2):
        t.step()
    _assert_params(t, whole, "(torch resumed from ember's state)")


@pytest.mark.parametrize("name,kw", RICH_CASES)
def test_torch_state_dict_resumes_in_ember(name, kw):
    """torch's state dict (tensors converted through NumPy, 'step' a 0-d tensor) continued by
    ember gives the run torch resumed from it."""
    t, whole = _Run(torch, name, kw), _resumed_torch(name, kw)
    for _ in range(STEPS // 2):
        t.step()
    e = _Run(ember, name, kw, weights=OTHER_WEIGHTS)
    e.model.load_state_dict(_to_ember(dict(t.model.state_dict())))
    e.opt.load_state_dict(_to_ember(t.opt.state_dict()))
    for _ in range(STEPS - STEPS // 2):
        e.step()
    _assert_params(e, whole, "(ember resumed from torch's state)")


# ---- 7. bad hyperparameters and parameters -------------------------------------------------

BAD = [
    ("SGD", {"lr": -0.1}, "learning rate"),
    ("SGD", {"lr": 0.1, "momentum": -0.5}, "momentum"),
    ("SGD", {"lr": 0.1, "weight_decay": -1e-2}, "weight_decay"),
    ("SGD", {"lr": 0.1, "nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
     "Nesterov momentum requires a momentum and zero dampening"),
    ("Adagrad", {"lr": -0.1}, "learning rate"),
    ("Adagrad", {"lr_decay": -1e-2}, "lr_decay"),
    ("Adagrad", {"weight_decay": -1e-2}, "weight_decay"),
    ("Adagrad", {"initial_accumulator_value": -0.1}, "initial_accumulator_value"),
    ("Adagrad", {"eps": -1e-10}, "epsilon"),
    ("RMSprop", {"lr": -0.1}, "learning rate"),
    ("RMSprop", {"alpha": -0.5}, "alpha"),
    ("RMSprop", {"eps": -1e-8}, "epsilon"),
    ("RMSprop", {"momentum": -0.9}, "momentum"),
    ("RMSprop", {"weight_decay": -1e-2}, "weight_decay"),
    ("Adam", {"lr": -1e-3}, "learning rate"),
    ("Adam", {"betas": (1.0, 0.999)}, "beta"),
    ("Adam", {"betas": (-0.1, 0.999)}, "beta"),
    ("Adam", {"betas": (0.9, 1.0)}, "beta"),
    ("Adam", {"betas": (0.9, -0.5)}, "beta"),
    ("Adam", {"eps": -1e-8}, "epsilon"),
    ("Adam", {"weight_decay": -1e-2}, "weight_decay"),
    ("AdamW", {"lr": -1e-3}, "learning rate"),
    ("AdamW", {"betas": (1.5, 0.999)}, "beta"),
    ("AdamW", {"betas": (0.9, 1.5)}, "beta"),
    ("AdamW", {"eps": -1e-8}, "epsilon"),
    ("AdamW", {"weight_decay": -1e-2}, "weight_decay"),
    ("Adadelta", {"lr": -1.0}, "Invalid learning rate"),
    ("Adadelta", {"rho": 1.5}, "Invalid rho value: 1.5"),
    ("Adadelta", {"rho": -0.1}, "Invalid rho value"),
    ("Adadelta", {"rho": math.nan}, "Invalid rho value"),
    ("Adadelta", {"eps": -1e-6}, "Invalid epsilon value"),
    ("Adadelta", {"weight_decay": -1e-2}, "Invalid weight_decay value"),
    ("Adamax", {"lr": -1e-3}, "Invalid learning rate"),
    ("Adamax", {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0"),
    ("Adamax", {"betas": (0.9, -0.5)}, "Invalid beta parameter at index 1"),
    ("Adamax", {"eps": -1e-8}, "Invalid epsilon value"),
    ("Adamax", {"weight_decay": -1e-2}, "Invalid weight_decay value"),
    ("NAdam", {"lr": -1e-3}, "Invalid learning rate"),
    ("NAdam", {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1"),
    ("NAdam", {"eps": -1e-8}, "Invalid epsilon value"),
    ("NAdam", {"weight_decay": -1e-2}, "Invalid weight_decay value"),
    ("NAdam", {"momentum_decay": -0.1}, "Invalid momentum_decay value: -0.1"),
    ("RAdam", {"lr": -1e-3}, "Invalid learning rate"),
    ("RAdam", {"betas": (-0.1, 0.999)}, "Invalid beta parameter at index 0"),
    ("RAdam", {"eps": -1e-8}, "Invalid epsilon value"),
    ("RAdam", {"weight_decay": -1e-2}, "Invalid weight_decay value"),
    ("ASGD", {"lr": -1e-2}, "Invalid learning rate"),
    ("ASGD", {"weight_decay": -1e-2}, "Invalid weight_decay value"),
]


def _leaf(lib, n=3):
    return lib.tensor(np.arange(1.0, n + 1), requires_grad=True)


@pytest.mark.parametrize("name,kw,word", BAD, ids=[_id(n, kw) for n, kw, _ in BAD])
def test_bad_hyperparameter_raises_value_error(name, kw, word):
    with pytest.raises(ValueError, match=word):
        getattr(torch.optim, name)([_leaf(torch)], **kw)
    with pytest.raises(ValueError, match=word):
        getattr(_optim(ember), name)([_leaf(ember)], **kw)


@pytest.mark.parametrize("name", NAMES + ["LBFGS"])
def test_signature_matches_torch(name):
    """Each optimizer's Python signature, made from its C++ fields, is torch's: the same names in
    the same positional order, the same keyword-only names, and the same defaults of the same
    types (weight_decay=0 an int, lr=1e-3 a float)."""
    import inspect

    def parts(cls):
        ps = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
        positional = [(p.name, p.default, type(p.default)) for p in ps if p.kind == p.POSITIONAL_OR_KEYWORD]
        keyword = {(p.name, p.default, type(p.default)) for p in ps if p.kind == p.KEYWORD_ONLY}
        return positional, keyword

    def drop_params_default(positional):  # 'params' has no default in either
        return [(n, None if n == "params" else d, t) for n, d, t in positional]

    pe, ke = parts(getattr(_optim(ember), name))
    pt, kt = parts(getattr(torch.optim, name))
    assert drop_params_default(pe) == drop_params_default(pt)
    assert ke == kt


@pytest.mark.parametrize("name", NAMES + ["LBFGS"])
@pytest.mark.parametrize("flag", ["capturable", "differentiable"])
def test_unsupported_switches_raise(name, flag):
    """ember's steps are fused C++ loops: CUDA-graph capture and autograd through the step are
    refused where torch's signature has the switch; foreach and fused are taken and ignored."""
    import inspect
    cls = getattr(_optim(ember), name)
    taken = inspect.signature(cls.__init__).parameters
    if flag not in taken:
        with pytest.raises(TypeError):
            cls([_leaf(ember)], **{flag: True})
        return
    with pytest.raises(ValueError, match=f"{flag}=True"):
        cls([_leaf(ember)], **{flag: True})
    opt = cls([_leaf(ember)], **{flag: False, **({"foreach": False} if "foreach" in taken else {})})
    assert flag not in opt.param_groups[0] and "foreach" not in opt.param_groups[0]


@pytest.mark.parametrize("name", NAMES)
def test_bad_params_raise(name):
    for lib in (ember, torch):
        cls = getattr(_optim(lib), name)
        p, q = _leaf(lib), _leaf(lib, 2)
        with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
            cls([])
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            cls([{"params": [p, q]}, {"params": [p]}])
        opt = cls([p])
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            opt.add_param_group({"params": [p]})
        with pytest.raises(TypeError):
            cls([p, 1.0])
        with pytest.raises(TypeError):
            cls(p)  # a tensor, not an iterable of tensors
        assert len(opt.param_groups) == 1


@pytest.mark.parametrize("name", NAMES)
def test_load_state_dict_of_another_shape_raises(name):
    for lib in (ember, torch):
        two = _Run(lib, name, {}, params=_two_groups({}, {}))
        one = _Run(lib, name, {})
        half = _Run(lib, name, {}, params=lambda m: list(m[0].parameters()))
        with pytest.raises(ValueError, match="different number of parameter groups"):
            one.opt.load_state_dict(two.opt.state_dict())
        with pytest.raises(ValueError, match="size"):
            half.opt.load_state_dict(one.opt.state_dict())


# ---- 8. gradient clipping ------------------------------------------------------------------

_GRNG = np.random.default_rng(11)
SHAPES = [(3, 4), (5,), (2, 2), (3,)]  # the last parameter has no gradient
GRADS = [_GRNG.standard_normal(s) for s in SHAPES[:-1]]


def _grad_params(lib, bad=None):
    ps = [lib.tensor(np.ones(s), requires_grad=True) for s in SHAPES]
    for p, g in zip(ps, GRADS):
        g = g.copy()
        if bad is not None and g.ndim == 1:
            g[2] = bad
        p.grad = lib.tensor(g)
    return ps


def _grads(ps):
    return [None if p.grad is None else _np(p.grad) for p in ps]


NORMS = [2.0, 1.0, math.inf, 3.0]


@pytest.mark.parametrize("max_norm", [0.5, 1e3], ids=["clipping", "under-max_norm"])
@pytest.mark.parametrize("norm_type", NORMS, ids=[f"norm{n}" for n in NORMS])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    flat = np.concatenate([g.ravel() for g in GRADS])
    want = np.linalg.norm(flat, ord=norm_type)
    out = {}
    for lib in (ember, torch):
        ps = _grad_params(lib)
        total = _utils(lib).clip_grad_norm_(ps, max_norm, norm_type=norm_type)
        assert isinstance(total, lib.Tensor) and tuple(total.shape) == () and total.dtype == lib.float64
        np.testing.assert_allclose(total.item(), want, rtol=1e-12)
        out[lib] = _grads(ps)
    for ge, gt, g in zip(out[ember], out[torch], GRADS + [None]):
        if g is None:
            assert ge is None and gt is None
            continue
        np.testing.assert_allclose(ge, gt, rtol=1e-12, atol=1e-15)
        if max_norm > want:
            np.testing.assert_array_equal(ge, g)
    if max_norm < want:
        clipped = np.concatenate([g.ravel() for g in out[ember] if g is not None])
        assert np.linalg.norm(clipped, ord=norm_type) == pytest.approx(max_norm, rel=1e-5)


def test_clip_grad_norm_single_tensor_and_no_grads():
    for lib in (ember, torch):
        p = lib.tensor(np.ones(GRADS[0].shape), requires_grad=True)
        p.grad = lib.tensor(GRADS[0].copy())
        total = _utils(lib).clip_grad_norm_(p, 0.1)
        np.testing.assert_allclose(total.item(), np.linalg.norm(GRADS[0]), rtol=1e-12)
        np.testing.assert_allclose(_np(p.grad), GRADS[0] * (0.1 / (np.linalg.norm(GRADS[0]) + 1e-6)),
                                   rtol=1e-12)
        none = [lib.tensor(np.ones(3), requires_grad=True)]
        assert _utils(lib).clip_grad_norm_(none, 1.0).item() == 0.0
        assert none[0].grad is None


@pytest.mark.parametrize("bad", [math.nan, math.inf], ids=["nan", "inf"])
def test_clip_grad_norm_non_finite(bad):
    out = {}
    for lib in (ember, torch):
        ps = _grad_params(lib, bad)
        before = _grads(ps)
        with pytest.raises(RuntimeError, match="non-finite"):
            _utils(lib).clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
        for a, b in zip(_grads(ps), before):  # nothing was clipped
            np.testing.assert_array_equal(a, b)
        total = _utils(lib).clip_grad_norm_(ps, 1.0, error_if_nonfinite=False)
        assert not math.isfinite(total.item())
        out[lib] = (total.item(), _grads(ps))
    np.testing.assert_array_equal(out[ember][0], out[torch][0])
    for ge, gt in zip(out[ember][1], out[torch][1]):
        if gt is None:
            assert ge is None
        else:
            np.testing.assert_allclose(ge, gt, rtol=1e-12)  # NaN where torch has NaN


@pytest.mark.parametrize("clip_value", [0.3, 1e3], ids=["clipping", "under-clip_value"])
def test_clip_grad_value_matches_torch(clip_value):
    out = {}
    for lib in (ember, torch):
        ps = _grad_params(lib)
        _utils(lib).clip_grad_value_(ps, clip_value)
        single = lib.tensor(np.ones(GRADS[1].shape), requires_grad=True)
        single.grad = lib.tensor(GRADS[1].copy())
        _utils(lib).clip_grad_value_(single, clip_value)
        out[lib] = _grads(ps) + [_np(single.grad)]
    for ge, gt, g in zip(out[ember], out[torch], GRADS + [None, GRADS[1]]):
        if g is None:
            assert ge is None and gt is None
            continue
        np.testing.assert_array_equal(gt, np.clip(g, -clip_value, clip_value))
        np.testing.assert_array_equal(ge, gt)


# ---- 9. float32 ----------------------------------------------------------------------------

def test_adam_float32_matches_torch():
    e, t = _pair("Adam", {"lr": 0.01}, dtype="float32")
    _step_both(e, t, 20, tol=TOL32)
    assert all(p.dtype == ember.float32 for p in e.model.parameters())
    state = e.opt.state_dict()["state"][0]
    assert state["exp_avg"].dtype == ember.float32 and state["exp_avg_sq"].dtype == ember.float32


# ---- ember's own guards around the fused step --------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_step_marks_parameters_modified_for_autograd(name):
    """A graph that saved a parameter cannot backprop after the optimizer changed it (torch: the
    same RuntimeError), so a stale gradient is never computed silently."""
    for lib in (ember, torch):
        w = lib.ones(3, requires_grad=True)
        opt = getattr(_optim(lib), name)([w], lr=0.1)
        y = (w * w).sum()
        w.grad = lib.ones(3)
        opt.step()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam"])
def test_parameter_reshaped_after_steps_raises(name):
    """p.data replaced by a tensor of another shape or dtype after the state was made: the step
    raises (torch: a RuntimeError of mismatched sizes) instead of reading past the state."""
    kw = {"momentum": 0.9} if name == "SGD" else {}
    w = ember.ones(3, requires_grad=True)
    opt = getattr(ember.optim, name)([w], lr=0.1, **kw)
    w.grad = ember.ones(3)
    opt.step()
    w.data = ember.ones(5)
    w.grad = ember.ones(5)
    with pytest.raises(ValueError, match="state"):
        opt.step()
    w.data = ember.ones(3, dtype=ember.float64)
    w.grad = ember.ones(3, dtype=ember.float64)
    with pytest.raises(ValueError, match="state"):
        opt.step()


def test_step_on_non_contiguous_parameter_and_gradient():
    """A parameter that is a transposed view and an expanded gradient step as their contiguous
    copies would, in both libraries."""
    base = np.arange(6.0).reshape(2, 3)
    out = []
    for lib in (ember, torch):
        w = lib.tensor(base).t().detach().requires_grad_(True)
        opt = _optim(lib).Adam([w], lr=0.1)
        w.grad = lib.tensor([1.0, -2.0], dtype=lib.float64).expand(3, 2)
        opt.step()
        opt.step()
        out.append(_np(w))
    _close(out[0], out[1], "non-contiguous Adam")


@pytest.mark.parametrize("bad", [{"lr": "0.1"}, {"lr": None}, {"betas": {0.9, 0.99}}, {"eps": [1e-8]}])
def test_hyperparameters_of_the_wrong_kind_raise_type_error(bad):
    model = _model(ember)
    with pytest.raises(TypeError):
        ember.optim.Adam(model.parameters(), **bad)


def test_betas_of_the_wrong_length_raise_value_error():
    with pytest.raises(ValueError, match="pair"):
        ember.optim.Adam(_model(ember).parameters(), betas=(0.9,))


def test_changed_hyperparameter_of_the_wrong_kind_raises_at_step():
    model = _model(ember)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    _loss(ember, model).backward()
    opt.param_groups[0]["lr"] = "fast"
    with pytest.raises(TypeError, match="lr"):
        opt.step()


def test_unsupported_implementation_flags_raise():
    model = _model(ember)
    with pytest.raises(ValueError, match="differentiable"):
        ember.optim.Adam(model.parameters(), differentiable=True)
    with pytest.raises(ValueError, match="capturable"):
        ember.optim.Adam(model.parameters(), capturable=True)
    opt = ember.optim.Adam(model.parameters(), fused=True, foreach=False)  # ember's step is always fused
    assert not IMPL_KEYS & set(opt.param_groups[0])

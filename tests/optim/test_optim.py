"""ember.optim (SGD, Adagrad, RMSprop, Adam, AdamW, Adadelta, Adamax, NAdam, RAdam, ASGD) and
ember.nn.utils' gradient clipping against torch.optim / torch.nn.utils: trajectories. The same
small model (Linear -> Tanh -> Linear, float64, identical weights) trained in both libraries on
the same data, every parameter compared after every step; maximize, parameters without
gradients, zero_grad, step(closure), clip_grad_norm_ / clip_grad_value_, and a float32 run.

Parameter groups and state dicts are tested in test_optim_groups_state_dict.py; signatures, the
errors of bad hyperparameters and parameters, and ember's guards around the fused step in
test_optim_checks.py. The tables (NAMES, RICH, ...) and helpers the three share are in
optim_cases.py.

Every helper takes the library (ember or torch) as its first argument and runs the same code in
both, so each test documents torch's behaviour next to ember's."""
import math

import numpy as np
import pytest

import ember
from ember.nn import utils as eutils
from optim_cases import (
    NAMES, RICH_CASES, STEPS, TOL, WEIGHTS, _Run, _assert_params, _both_runs, _id, _np, _plain,
    _step_both,
)

torch = pytest.importorskip("torch")

TOL32 = dict(rtol=1e-5, atol=1e-6)     # float32 sanity run


def _utils(lib):
    return eutils if lib is ember else torch.nn.utils


# ---- trajectories against torch ---------------------------------------------------------

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

@pytest.mark.parametrize("name,kw", CASES, ids=[_id(n, kw) for n, kw in CASES])
def test_trajectory_matches_torch(name, kw):
    e, t = _both_runs(torch, name, kw)
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


# ---- parameters without gradients -------------------------------------------------------

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
            np.testing.assert_array_equal(_plain(torch, se[4][k]), _plain(torch, st[4][k]), err_msg=k)


# ---- zero_grad --------------------------------------------------------------------------

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


# ---- step(closure) ----------------------------------------------------------------------

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
    e, t = _both_runs(torch, name, kw)
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
    e, t = _both_runs(torch, name, {"lr": 0.01})
    for r in (e, t):
        calls = []
        with r.lib.no_grad():
            ret = r.opt.step(_closure(r, calls))
            assert not r.lib.is_grad_enabled()
        assert ret is calls[0] and ret.requires_grad
    _assert_params(e, t, "after the step")
    assert not np.array_equal(e.params()["0.weight"], WEIGHTS["0.weight"])


# ---- gradient clipping ------------------------------------------------------------------

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


# ---- float32 ----------------------------------------------------------------------------

def test_adam_float32_matches_torch():
    e, t = _both_runs(torch, "Adam", {"lr": 0.01}, dtype="float32")
    _step_both(e, t, 20, tol=TOL32)
    assert all(p.dtype == ember.float32 for p in e.model.parameters())
    state = e.opt.state_dict()["state"][0]
    assert state["exp_avg"].dtype == ember.float32 and state["exp_avg_sq"].dtype == ember.float32


_BIT_EXACT = [
    ("SGD", {"lr": 0.0137}, ("float32", "float64")),
    ("SGD", {"lr": 0.0137, "momentum": 0.9}, ("float32", "float64")),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}, ("float32", "float64")),
    ("SGD", {"lr": 0.0137, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}, ("float32", "float64")),
    ("SGD", {"lr": 0.02, "weight_decay": 0.1, "maximize": True}, ("float32", "float64")),
    ("Adamax", {"lr": 0.01}, ("float32", "float64")),
    ("ASGD", {"lr": 0.01}, ("float32", "float64")),
    ("Adam", {"lr": 1e-3}, ("float64",)),
    ("Adam", {"lr": 1e-3, "weight_decay": 0.01, "amsgrad": True}, ("float64",)),
    ("RAdam", {"lr": 0.01}, ("float64",)),
]


@pytest.mark.parametrize("name, kw, dtype", [(n, kw, d) for n, kw, ds in _BIT_EXACT for d in ds],
                         ids=lambda v: v if isinstance(v, str) else _id("", v)[1:] if isinstance(v, dict) else "")
def test_steps_are_torchs_bit_for_bit(name, kw, dtype):
    """The fused steps round as torch's op by op: each add_ with alpha, lerp_ and addcmul_ one fused
    multiply-add (torch's kernels'), each mul_ a rounding of its own, so the parameters stay equal
    exactly (the others within an ulp: a rounding of torch's in float32 not yet mirrored)."""
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(1000).astype(dtype)
    grads = [rng.standard_normal(1000).astype(dtype) for _ in range(6)]
    out = []
    for L in (ember, torch):
        p = L.nn.Parameter(L.tensor(w0))
        opt = getattr(L.optim, name)([p], **kw)
        for g in grads:
            p.grad = L.tensor(g)
            opt.step()
        out.append(p.detach().numpy())
    np.testing.assert_array_equal(out[0], out[1])

"""ember.optim.LBFGS against torch.optim.LBFGS, float64: the same problems (Rosenbrock from
(-1.2, 1), a least-squares fit with several parameter tensors and one that never gets a
gradient, a Linear -> Tanh -> Linear MLP) optimized in both libraries, with and without the
strong-Wolfe line search, long and short histories, max_iter 20 and 1, lr 1 and 0.5; after every
step the parameters, the returned loss and the counters (func_evals, n_iter) are compared.
Then state_dict's layout, resumption (ember -> ember exactly, torch -> ember and back), the
closure's grad mode, and the errors bad options, closures and parameters raise.

Every helper takes the library (ember or torch) as its first argument and runs the same code in
both.

Agreement: the two libraries round differently (torch's add_ with alpha fuses a multiply-add,
its dot is MKL's), so the runs differ by rounding at each evaluation. Where the problem damps
those differences (least squares, the line-searched Rosenbrock) whole runs agree to TOL. The
MLP and the fixed-step Rosenbrock amplify them: torch's own run moves past TOL when its start
moves by one ulp, at the same steps where ember's leaves it. So whole runs are compared at the
steps where torch reproduces itself, and every step is also compared on its own from torch's
state."""
import importlib

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

TOL = dict(rtol=1e-8, atol=1e-12)       # parameters and losses (float64)
HORIZON = dict(rtol=1e-9, atol=1e-13)  # torch still reproduces itself ten times better than TOL

_RNG = np.random.default_rng(11)
X = _RNG.standard_normal((20, 4))
Y = _RNG.standard_normal((20, 3))
W0 = {"w": _RNG.standard_normal((4, 3)) * 0.1, "b": np.zeros(3), "unused": np.ones(2)}
MLP0 = {"0.weight": _RNG.uniform(-0.5, 0.5, (8, 4)), "0.bias": _RNG.uniform(-0.5, 0.5, 8),
        "2.weight": _RNG.uniform(-0.5, 0.5, (3, 8)), "2.bias": _RNG.uniform(-0.5, 0.5, 3)}


def _optim(lib):
    return importlib.import_module("ember.optim") if lib is ember else torch.optim


def _np(t):
    return np.array(t.detach().numpy(), copy=True)


def _leaf(lib, value):
    t = lib.tensor(np.array(value, dtype=np.float64))
    t.requires_grad_(True)
    return t


# ---- problems: each returns (params, loss function of nothing) ---------------------------------

def rosenbrock(lib):
    p = _leaf(lib, [-1.2, 1.0])
    return [p], lambda: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def least_squares(lib):
    # 'unused' never takes part: its gradient stays None and counts as zeros.
    w, b, unused = (_leaf(lib, W0[k]) for k in ("w", "b", "unused"))
    x, y = lib.tensor(X), lib.tensor(Y)
    return [w, b, unused], lambda: ((x @ w + b - y) ** 2).mean() + 0.01 * (w ** 2).sum()


def mlp(lib):
    nn = lib.nn
    m = nn.Sequential(nn.Linear(4, 8, dtype=lib.float64), nn.Tanh(), nn.Linear(8, 3, dtype=lib.float64))
    m.load_state_dict({k: lib.tensor(v) for k, v in MLP0.items()})
    x, y = lib.tensor(X), lib.tensor(Y)
    return list(m.parameters()), lambda: nn.functional.mse_loss(m(x), y)


PROBLEMS = {"rosenbrock": rosenbrock, "least_squares": least_squares, "mlp": mlp}


class _Run:
    """One library's problem + LBFGS; step() returns the closure's first loss as a float."""

    def __init__(self, lib, problem, **kw):
        self.lib = lib
        self.params, self.loss_fn = PROBLEMS[problem](lib)
        self.opt = _optim(lib).LBFGS(self.params, **kw)

    def closure(self):
        self.opt.zero_grad()
        loss = self.loss_fn()
        loss.backward()
        return loss

    def step(self):
        return float(self.opt.step(self.closure).detach())

    def values(self):
        return [_np(p) for p in self.params]

    def counters(self):
        s = self.opt.state_dict()["state"].get(0, {})
        return s.get("func_evals"), s.get("n_iter")


def _both(problem, **kw):
    return _Run(ember, problem, **kw), _Run(torch, problem, **kw)


def _rel(a, b):
    return max(float(np.max(np.abs(x - y) / np.maximum(np.abs(y), 1e-300))) for x, y in zip(a, b))


def _to_lib(lib, obj):
    """A copy of a state dict with its tensors (torch's or ember's) made lib's, through NumPy."""
    if isinstance(obj, dict):
        return {k: _to_lib(lib, v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_lib(lib, v) for v in obj)
    if isinstance(obj, (ember.Tensor, torch.Tensor)):
        return lib.tensor(_np(obj))
    return obj


# ---- trajectories ------------------------------------------------------------------------------

CONFIGS = {
    "fixed": dict(),
    "fixed_h3": dict(history_size=3),
    "fixed_it1_lr05": dict(max_iter=1, lr=0.5, history_size=3),
    "wolfe": dict(line_search_fn="strong_wolfe"),
    "wolfe_h3": dict(line_search_fn="strong_wolfe", history_size=3),
    "wolfe_it1": dict(line_search_fn="strong_wolfe", max_iter=1),
    "wolfe_it3_lr05": dict(line_search_fn="strong_wolfe", max_iter=3, lr=0.5, history_size=3),
    # too long first tries: the zoom phase, its bracket swaps and moves away from the ends
    "wolfe_lr10_h2": dict(line_search_fn="strong_wolfe", max_iter=5, lr=10, history_size=2),
    "wolfe_lr30": dict(line_search_fn="strong_wolfe", max_iter=5, lr=30),
}
def _close(a, b, tol):
    return all(np.allclose(x, y, **tol) for x, y in zip(a, b))


def _steps(kw):
    return 100 if kw.get("max_iter", 20) <= 3 else 30


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("problem", PROBLEMS)
def test_trajectory_matches_torch(problem, config):
    """Whole runs, compared after every step where torch reproduces itself: a second torch run
    from a start moved by one ulp (every parameter: ember's elementwise functions, tanh's among
    them, are an ulp from torch's in places) marks the steps where rounding differences have
    grown (past HORIZON, ten times below TOL)."""
    kw = CONFIGS[config]
    e, t, moved = _both(problem, **kw) + (_Run(torch, problem, **kw),)
    with torch.no_grad():
        for p in moved.params:
            p.mul_(1 + 2.0 ** -52)
    compared = 0
    for i in range(_steps(kw)):
        le, lt, lm = e.step(), t.step(), moved.step()
        if not _close(moved.values() + [lm], t.values() + [lt], HORIZON):
            continue  # torch's own rounding shows here (convergence may damp it again)
        np.testing.assert_allclose(le, lt, **TOL, err_msg=f"loss, step {i}")
        for a, b in zip(e.values(), t.values()):
            np.testing.assert_allclose(a, b, **TOL, err_msg=f"step {i}")
        assert e.counters() == t.counters(), f"step {i}"
        compared += 1
    assert compared >= 1
    if problem == "least_squares" or (problem == "rosenbrock" and config in ("wolfe", "wolfe_h3", "wolfe_it1")):
        assert compared == _steps(kw)  # these damp rounding: the whole run agrees


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("problem", PROBLEMS)
def test_each_step_from_torch_state_matches(problem, config):
    """Every step on its own, also past the horizon: ember starts from torch's parameters and
    state (loaded through state_dict) and must land on torch's next parameters and counters."""
    kw = CONFIGS[config]
    t = _Run(torch, problem, **kw)
    for i in range(_steps(kw) // 2):
        e = _Run(ember, problem, **kw)
        with ember.no_grad():
            for p, v in zip(e.params, t.values()):
                p.copy_(ember.tensor(v))
        e.opt.load_state_dict(_to_lib(ember, t.opt.state_dict()))
        le, lt = e.step(), t.step()
        np.testing.assert_allclose(le, lt, **TOL, err_msg=f"loss, step {i}")
        for a, b in zip(e.values(), t.values()):
            np.testing.assert_allclose(a, b, **TOL, err_msg=f"step {i}")
        assert e.counters() == t.counters(), f"step {i}"


def test_rosenbrock_reaches_the_minimum():
    e = _Run(ember, "rosenbrock", line_search_fn="strong_wolfe")
    for _ in range(10):
        e.step()
    np.testing.assert_allclose(e.values()[0], [1, 1], atol=1e-4)


def test_missing_gradient_counts_as_zeros():
    e, t = _both("least_squares")
    for _ in range(3):
        assert e.step() == pytest.approx(t.step(), rel=1e-12)
    assert e.params[2].grad is None
    np.testing.assert_array_equal(e.values()[2], W0["unused"])
    d = e.opt.state_dict()["state"][0]["d"]
    assert d.shape == (12 + 3 + 2,) and np.all(_np(d)[-2:] == 0)


def test_step_returns_the_closures_first_result():
    e = _Run(ember, "rosenbrock")
    first = []

    def closure():
        loss = e.closure()
        first.append(loss)
        return loss

    out = e.opt.step(closure)
    assert out is first[0] and len(first) > 1
    assert float(out.detach()) == pytest.approx(24.2)


def test_optimal_start_returns_after_one_evaluation():
    for lib in (ember, torch):
        p = _leaf(lib, [1.0, 1.0])
        opt = _optim(lib).LBFGS([p])

        def closure():
            opt.zero_grad()
            loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
            loss.backward()
            return loss

        assert float(opt.step(closure).detach()) == 0.0
        # only the counters: no iteration ran, as torch's
        assert opt.state_dict()["state"] == {0: {"func_evals": 1, "n_iter": 0}}


def test_closure_runs_with_grad_and_step_without():
    e = _Run(ember, "rosenbrock", max_iter=2)
    modes = []

    def closure():
        modes.append(ember.is_grad_enabled())
        return e.closure()

    with ember.no_grad():
        e.opt.step(closure)
    assert modes and all(modes)
    assert not e.params[0].grad.requires_grad


def test_lr_change_in_param_groups_takes_effect():
    e, t = _both("least_squares", max_iter=2)
    for run in (e, t):
        run.step()
        run.opt.param_groups[0]["lr"] = 0.25
        run.opt.param_groups[0]["history_size"] = 2
        run.step()
    for a, b in zip(e.values(), t.values()):
        np.testing.assert_allclose(a, b, **TOL)


# ---- state_dict --------------------------------------------------------------------------------

def test_state_dict_layout_matches_torch():
    e, t = _both("mlp", history_size=3, max_iter=5)
    assert e.opt.state_dict() == {"state": {}, "param_groups": t.opt.state_dict()["param_groups"]}
    for _ in range(4):
        e.step(), t.step()
    es, ts = e.opt.state_dict(), t.opt.state_dict()
    assert es["param_groups"] == ts["param_groups"] == [
        {"lr": 1, "max_iter": 5, "max_eval": 6, "tolerance_grad": 1e-07, "tolerance_change": 1e-09,
         "history_size": 3, "line_search_fn": None, "params": [0, 1, 2, 3]}]
    assert list(es["state"]) == list(ts["state"]) == [0]  # the global state, under the first parameter
    a, b = es["state"][0], ts["state"][0]
    assert set(a) == set(b) == {"func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro", "H_diag",
                                "prev_flat_grad", "prev_loss", "al"}
    assert (a["func_evals"], a["n_iter"]) == (b["func_evals"], b["n_iter"])
    assert isinstance(a["func_evals"], int) and isinstance(a["prev_loss"], float)
    for key in ("d", "prev_flat_grad", "H_diag"):
        assert isinstance(a[key], ember.Tensor)
        np.testing.assert_allclose(_np(a[key]), _np(b[key]), **TOL)
    for key in ("old_dirs", "old_stps", "ro", "al"):
        assert isinstance(a[key], list) and len(a[key]) == len(b[key]) == 3
        for x, y in zip(a[key], b[key]):
            np.testing.assert_allclose(_np(x), _np(y), **TOL)
    assert float(a["t"]) == pytest.approx(float(b["t"]), rel=1e-12)


def test_state_dict_is_a_snapshot():
    e = _Run(ember, "rosenbrock", max_iter=2)
    e.step()
    saved = e.opt.state_dict()
    d, n_iter = _np(saved["state"][0]["d"]), saved["state"][0]["n_iter"]
    e.step()
    np.testing.assert_array_equal(_np(saved["state"][0]["d"]), d)
    assert saved["state"][0]["n_iter"] == n_iter < e.counters()[1]


@pytest.mark.parametrize("config", ["fixed_h3", "wolfe_it3_lr05"])
@pytest.mark.parametrize("through_file", [False, True])
def test_resume_ember_exactly(config, through_file, tmp_path):
    kw = CONFIGS[config]
    whole = _Run(ember, "mlp", **kw)
    first = _Run(ember, "mlp", **kw)
    for _ in range(5):
        whole.step(), first.step()
    state = first.opt.state_dict()
    if through_file:
        ember.save(state, tmp_path / "lbfgs.safetensors")
        state = ember.load(tmp_path / "lbfgs.safetensors")
    resumed = _Run(ember, "mlp", **kw)
    with ember.no_grad():
        for p, v in zip(resumed.params, first.values()):
            p.copy_(ember.tensor(v))
    resumed.opt.load_state_dict(state)
    for i in range(10):
        assert resumed.step() == whole.step()
        for a, b in zip(resumed.values(), whole.values()):
            np.testing.assert_array_equal(a, b, err_msg=f"step {i}")
        assert resumed.counters() == whole.counters()


@pytest.mark.parametrize("src,dst", [(torch, ember), (ember, torch)])
def test_resume_across_libraries(src, dst):
    kw = dict(line_search_fn="strong_wolfe", history_size=3, max_iter=4)
    before = _Run(src, "mlp", **kw)
    reference = _Run(src, "mlp", **kw)
    for _ in range(3):
        before.step(), reference.step()
    after = _Run(dst, "mlp", **kw)
    with (ember.no_grad() if dst is ember else torch.no_grad()):
        for p, v in zip(after.params, before.values()):
            p.copy_(dst.tensor(v))
    after.opt.load_state_dict(_to_lib(dst, before.opt.state_dict()))
    for i in range(10):
        assert after.step() == pytest.approx(reference.step(), rel=1e-8)
        for a, b in zip(after.values(), reference.values()):
            np.testing.assert_allclose(a, b, **TOL, err_msg=f"step {i}")
        assert after.counters() == reference.counters()


def test_load_state_dict_refuses_bad_state_and_keeps_its_own():
    e = _Run(ember, "rosenbrock", max_iter=2)
    e.step()
    good = e.opt.state_dict()
    bad = _to_lib(ember, good)  # a copy
    bad["state"][0]["d"] = ember.zeros(3, dtype=ember.float64)
    bad["param_groups"][0]["lr"] = 0.125
    with pytest.raises(ValueError, match="LBFGS.load_state_dict: state 'd' has 3 elements, the parameters 2"):
        e.opt.load_state_dict(bad)
    np.testing.assert_array_equal(_np(e.opt.state_dict()["state"][0]["d"]), _np(good["state"][0]["d"]))
    assert e.opt.param_groups[0]["lr"] == 1
    missing = _to_lib(ember, good)
    del missing["state"][0]["old_dirs"]
    with pytest.raises(KeyError, match="old_dirs"):
        e.opt.load_state_dict(missing)
    not_tensor = _to_lib(ember, good)
    not_tensor["state"][0]["d"] = [0.0, 0.0]
    with pytest.raises(TypeError, match="state 'd' is not a tensor"):
        e.opt.load_state_dict(not_tensor)
    e.step()  # still usable


# ---- bad inputs: torch's messages where torch checks ------------------------------------------

def _p(lib):
    return _leaf(lib, [1.0, 2.0])


@pytest.mark.parametrize("kw,error,message", [
    (dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    (dict(lr=float("nan")), ValueError, "Invalid learning rate: nan"),
])
def test_bad_options_as_torch(kw, error, message):
    for lib in (ember, torch):
        with pytest.raises(error, match=message):
            _optim(lib).LBFGS([_p(lib)], **kw)


def test_tensor_lr_must_have_one_element():
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
            _optim(lib).LBFGS([_p(lib)], lr=lib.ones(2))


@pytest.mark.parametrize("kw,error,message", [
    # torch raises RuntimeError at the first step; ember when the optimizer is made
    (dict(line_search_fn="armijo"), ValueError, "only 'strong_wolfe' is supported"),
    (dict(line_search_fn=1), TypeError, "line_search_fn must be None or a string"),
    # torch takes these and fails later (history_size 0) or stops at once
    (dict(history_size=0), ValueError, "Invalid history_size value: 0"),
    (dict(max_iter=0), ValueError, "Invalid max_iter value: 0"),
    (dict(max_eval=0), ValueError, "Invalid max_eval value: 0"),
    (dict(max_iter=2.5), TypeError, "max_iter must be an integer, got float"),
    (dict(history_size="3"), TypeError, "history_size must be an integer, got str"),
    (dict(tolerance_grad=None), TypeError, "tolerance_grad must be a number"),
])
def test_bad_options(kw, error, message):
    with pytest.raises(error, match=message):
        ember.optim.LBFGS([_p(ember)], **kw)


def test_bad_option_set_in_param_groups_is_refused_at_step():
    e = _Run(ember, "rosenbrock")
    e.opt.param_groups[0]["history_size"] = -1
    with pytest.raises(ValueError, match="Invalid history_size value: -1"):
        e.step()
    e.opt.param_groups[0]["history_size"] = 5
    del e.opt.param_groups[0]["max_eval"]
    with pytest.raises(KeyError, match="max_eval"):
        e.step()


def test_one_parameter_group_only():
    for lib in (ember, torch):
        a, b = _p(lib), _p(lib)
        with pytest.raises(ValueError, match=r"LBFGS doesn't support per-parameter options \(parameter groups\)"):
            _optim(lib).LBFGS([{"params": [a]}, {"params": [b]}])
    opt = ember.optim.LBFGS([_p(ember)])
    with pytest.raises(ValueError, match="parameter groups"):
        opt.add_param_group({"params": [_p(ember)]})
    assert len(opt.param_groups) == 1


@pytest.mark.parametrize("closure,error,message", [
    (None, TypeError, "LBFGS.step: a closure is required"),
    (lambda: ember.ones(2), ValueError, r"the closure must return the loss .* got a tensor of shape \(2,\)"),
    (lambda: None, TypeError, "the closure must return the loss .* got NoneType"),
    (lambda: "1.0", TypeError, "got str"),
])
def test_bad_closures(closure, error, message):
    opt = ember.optim.LBFGS([_p(ember)])
    with pytest.raises(error, match=message):
        opt.step(closure)


def test_closure_error_propagates():
    opt = ember.optim.LBFGS([_p(ember)])

    def closure():
        raise ZeroDivisionError("from the closure")

    with pytest.raises(ZeroDivisionError, match="from the closure"):
        opt.step(closure)


def test_closure_may_return_a_number():
    p = _p(ember)
    opt = ember.optim.LBFGS([p], max_iter=3)

    def closure():
        opt.zero_grad()
        loss = (p ** 2).sum()
        loss.backward()
        return loss.item()

    assert opt.step(closure) == 5.0
    assert float((p ** 2).sum()) < 5.0


@pytest.mark.parametrize("make,error,message", [
    (lambda: [ember.tensor([1, 2])], TypeError, "LBFGS: can only optimize floating-point tensors, got int64"),
    (lambda: [_p(ember) * 2], ValueError, "can't optimize a non-leaf Tensor"),
    (lambda: [], ValueError, "optimizer got an empty parameter list"),
    (lambda: [1.0], TypeError, "optimizer can only optimize Tensors"),
])
def test_bad_params(make, error, message):
    with pytest.raises(error, match=message):
        ember.optim.LBFGS(make())


def test_params_without_gradients_are_left_alone():
    # as torch: every gradient None is a zero gradient, optimal at once (one evaluation, no move)
    for lib in (ember, torch):
        p = _p(lib)
        opt = _optim(lib).LBFGS([p])
        assert float(opt.step(lambda: lib.tensor(3.0))) == 3.0
        np.testing.assert_array_equal(_np(p), [1.0, 2.0])
        assert opt.state_dict()["state"][0] == {"func_evals": 1, "n_iter": 0}


def test_repr_lists_the_options():
    r = repr(ember.optim.LBFGS([_p(ember)], line_search_fn="strong_wolfe"))
    assert r.startswith("LBFGS (") and "line_search_fn: strong_wolfe" in r and "max_eval: 25" in r


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_float32_reaches_torchs_loss(line_search_fn):
    """float32: ember's scalars are doubles where torch rounds some to float32, so near a flat
    optimum the line search can judge differently (ember stops, torch takes equal-loss steps);
    both reach the same loss."""
    losses = {}
    for lib in (ember, torch):
        w = lib.tensor(np.zeros((4, 3), np.float32))
        w.requires_grad_(True)
        x, y = lib.tensor(X.astype(np.float32)), lib.tensor(Y.astype(np.float32))
        opt = _optim(lib).LBFGS([w], line_search_fn=line_search_fn, history_size=3, max_iter=5)

        def closure():
            opt.zero_grad()
            loss = ((x @ w - y) ** 2).mean()
            loss.backward()
            return loss

        for _ in range(10):
            opt.step(closure)
        assert opt.state_dict()["state"][0]["d"].dtype == lib.float32
        losses[lib] = float(closure().detach())
    assert losses[ember] == pytest.approx(losses[torch], rel=1e-6)

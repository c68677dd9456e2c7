"""ember.optim.lr_scheduler against torch.optim.lr_scheduler: every scheduler's learning rates
(and momenta, where it cycles them) over 130 steps for an SGD/Adam optimizer with two parameter
groups of different lr, the state right after construction (epoch 0), state_dict /
load_state_dict (exact resumption), the "lr_scheduler.step() before optimizer.step()" warning,
ember's extension (ReduceLROnPlateau inside ChainedScheduler / SequentialLR, stepped with
metrics), and the errors bad arguments raise.

Every helper takes the library (ember or torch) as its first argument and runs the same code in
both, torch first, so each test documents torch's behaviour next to ember's. torch computes most
rates recursively (lr_t from lr_{t-1}), ember in closed form from the base rate: the rates agree
to rounding (TOL), not bit for bit; a resumed run agrees with an uninterrupted one exactly."""
import importlib
import math
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

TOL = dict(rtol=1e-12, atol=1e-15)
STEPS = 130
LRS = (0.1, 0.05)           # the two groups' learning rates
OTHER_LRS = (0.3, 0.2)      # a fresh optimizer's, before it loads a state dict
WARN = r"lr_scheduler.step\(\)` before `optimizer.step\(\)"


# ---- helpers -------------------------------------------------------------------------------

def _optim(lib):
    """lib.optim (imported here: ember/__init__ need not import ember.optim)."""
    return importlib.import_module("ember.optim") if lib is ember else torch.optim


def _sched(lib):
    return importlib.import_module("ember.optim.lr_scheduler") if lib is ember else torch.optim.lr_scheduler


def _opt(lib, spec=("SGD", {}), lrs=LRS):
    """Two leaf tensors (gradients set, so that step() moves them), one group each."""
    name, kw = spec
    a = lib.zeros(2, dtype=lib.float64, requires_grad=True)
    b = lib.zeros(3, dtype=lib.float64, requires_grad=True)
    a.grad, b.grad = lib.ones(2, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
    groups = [{"params": [a], "lr": lrs[0]}, {"params": [b], "lr": lrs[1]}]
    return getattr(_optim(lib), name)(groups, lr=lrs[0], **kw)


def _momenta(opt):
    """Each group's momentum (SGD, RMSprop) or beta1 (Adam); -1.0 where it has neither."""
    out = []
    for g in opt.param_groups:
        m = g["momentum"] if "momentum" in g else g["betas"][0] if "betas" in g else -1.0
        out.append(float(m))
    return out


def _snapshot(opt, sched):
    """get_last_lr(), the groups' lr and their momenta, as one row of floats."""
    last = sched.get_last_lr()
    assert isinstance(last, list) and len(last) == len(opt.param_groups), last
    return [float(v) for v in last] + [float(g["lr"]) for g in opt.param_groups] + _momenta(opt)


def _step(opt, sched, metrics, i):
    opt.step()
    if metrics is None:
        sched.step()
    else:
        sched.step(metrics[i])


def _run(lib, make, spec, steps, metrics=None):
    """Rows of _snapshot: after construction, then after each opt.step(); sched.step()."""
    opt = _opt(lib, spec)
    sched = make(_sched(lib), opt)
    rows = [_snapshot(opt, sched)]
    for i in range(steps):
        _step(opt, sched, metrics, i)
        rows.append(_snapshot(opt, sched))
    return np.array(rows)


def _close(a, b, msg, tol=TOL):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), err_msg=msg, **tol)


def _same(a, b, tol=TOL):
    """Nested equality of state-dict values, floats to TOL."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None or isinstance(b, str):
        return a == b
    if isinstance(b, (int, float)) and isinstance(a, (int, float)):
        if math.isinf(b) or math.isinf(a):
            return a == b
        return abs(a - b) <= tol["atol"] + tol["rtol"] * abs(b)
    if isinstance(b, dict):
        return isinstance(a, dict) and set(a) == set(b) and all(_same(a[k], b[k], tol) for k in b)
    if isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and len(a) == len(b) and all(_same(x, y, tol) for x, y in zip(a, b))
    return a == b


# ---- the cases -----------------------------------------------------------------------------

SGD, SGD_M = ("SGD", {}), ("SGD", {"momentum": 0.9})
ADAM, ADAGRAD = ("Adam", {}), ("Adagrad", {})


def _metrics():
    """A loss-like sequence: runs of no change, tiny (1e-5 relative), small and large improvements,
    and some worsening."""
    rng = np.random.default_rng(3)
    m, out = 1.0, []
    for _ in range(STEPS):
        m *= 1.0 - rng.choice([0.0, 0.0, 0.0, 1e-5, 1e-3, 0.03, -0.02])
        out.append(float(m))
    return out


LOSS = _metrics()
ACC = [1.0 - m for m in LOSS]  # rises where LOSS falls: for mode='max'


def C(id, make, spec=SGD, steps=STEPS, metrics=None):
    return pytest.param(make, spec, steps, metrics, id=id)


CASES = [
    C("StepLR(step_size=7,gamma=0.5)", lambda S, o: S.StepLR(o, step_size=7, gamma=0.5)),
    C("StepLR(step_size=1,gamma=0.97)", lambda S, o: S.StepLR(o, 1, 0.97)),
    C("StepLR(step_size=30)", lambda S, o: S.StepLR(o, 30)),
    C("StepLR(1.0,gamma=0.95)", lambda S, o: S.StepLR(o, 1.0, gamma=0.95)),  # torch's language-model tutorial
    C("StepLR(step_size=1.5)", lambda S, o: S.StepLR(o, step_size=1.5, gamma=0.5)),  # decays every 3rd epoch
    C("StepLR(step_size=0.25)", lambda S, o: S.StepLR(o, 0.25, 0.9)),
    C("MultiStepLR([30,30,80],gamma=0.5)", lambda S, o: S.MultiStepLR(o, [30, 30, 80], gamma=0.5)),
    C("MultiStepLR([10,50,100])", lambda S, o: S.MultiStepLR(o, milestones=[10, 50, 100])),
    C("MultiStepLR(unsorted[80,30,30])", lambda S, o: S.MultiStepLR(o, [80, 30, 30], 0.5)),
    C("MultiStepLR([0,20])", lambda S, o: S.MultiStepLR(o, [0, 20], 0.5)),
    C("ExponentialLR(0.97)", lambda S, o: S.ExponentialLR(o, 0.97)),
    C("ExponentialLR(gamma=0.9)", lambda S, o: S.ExponentialLR(o, gamma=0.9)),
    C("CosineAnnealingLR(T_max=40)", lambda S, o: S.CosineAnnealingLR(o, T_max=40)),
    C("CosineAnnealingLR(T_max=40,eta_min=0.01)", lambda S, o: S.CosineAnnealingLR(o, 40, eta_min=0.01)),
    C("CosineAnnealingLR(T_max=7,eta_min=0.003)", lambda S, o: S.CosineAnnealingLR(o, 7, 0.003)),
    C("CosineAnnealingLR(T_max=1,eta_min=0.001)", lambda S, o: S.CosineAnnealingLR(o, 1, 0.001)),
    C("CosineAnnealingWarmRestarts(T_0=10)", lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=10)),
    C("CosineAnnealingWarmRestarts(T_0=10,T_mult=2,eta_min=0.001)",
      lambda S, o: S.CosineAnnealingWarmRestarts(o, 10, T_mult=2, eta_min=0.001)),
    C("CosineAnnealingWarmRestarts(T_0=3,T_mult=3)", lambda S, o: S.CosineAnnealingWarmRestarts(o, 3, 3)),
    C("LinearLR()", lambda S, o: S.LinearLR(o)),
    C("LinearLR(0.1,1.0,total_iters=30)", lambda S, o: S.LinearLR(o, start_factor=0.1, total_iters=30)),
    C("LinearLR(1.0,0.05,total_iters=37)", lambda S, o: S.LinearLR(o, 1.0, 0.05, 37)),
    C("LinearLR(0.7,0.0,total_iters=20)", lambda S, o: S.LinearLR(o, 0.7, end_factor=0.0, total_iters=20)),
    C("ConstantLR()", lambda S, o: S.ConstantLR(o)),
    C("ConstantLR(factor=0.5,total_iters=40)", lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=40)),
    C("LambdaLR(one)", lambda S, o: S.LambdaLR(o, lambda e: 0.95 ** e)),
    C("LambdaLR(warm-up,not1at0)", lambda S, o: S.LambdaLR(o, lambda e: (e + 1) / 10 if e < 10 else 0.9 ** (e - 10))),
    C("LambdaLR(list)", lambda S, o: S.LambdaLR(o, [lambda e: 1 / (1 + e), lambda e: 0.5 if e % 10 < 5 else 1.0])),
    C("MultiplicativeLR(one)", lambda S, o: S.MultiplicativeLR(o, lambda e: 0.95)),
    C("MultiplicativeLR(list)", lambda S, o: S.MultiplicativeLR(o, [lambda e: 0.99, lambda e: 1.0 if e % 3 else 0.9])),
    C("OneCycleLR(cos,total_steps)", lambda S, o: S.OneCycleLR(o, max_lr=0.1, total_steps=STEPS),
      SGD_M, STEPS - 1),
    C("OneCycleLR(linear,three_phase,max_lr_list)",
      lambda S, o: S.OneCycleLR(o, [0.1, 0.02], total_steps=STEPS, anneal_strategy="linear", three_phase=True),
      SGD_M, STEPS - 1),
    C("OneCycleLR(cos,three_phase,epochs*steps_per_epoch)",
      lambda S, o: S.OneCycleLR(o, 0.1, epochs=13, steps_per_epoch=10, three_phase=True), SGD_M, STEPS - 1),
    C("OneCycleLR(linear,Adam,pct_start,div_factors,base_momentum_list)",
      lambda S, o: S.OneCycleLR(o, 0.01, STEPS, anneal_strategy="linear", pct_start=0.25, div_factor=10.0,
                                final_div_factor=100.0, base_momentum=[0.8, 0.85], max_momentum=0.95),
      ADAM, STEPS - 1),
    C("OneCycleLR(Adam,three_phase)", lambda S, o: S.OneCycleLR(o, 0.01, STEPS, three_phase=True), ADAM, STEPS - 1),
    C("OneCycleLR(no_cycle_momentum,Adagrad)",
      lambda S, o: S.OneCycleLR(o, 0.1, STEPS, cycle_momentum=False), ADAGRAD, STEPS - 1),
    C("CyclicLR(triangular,step_size_up=10)", lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=10), SGD_M),
    C("CyclicLR(triangular2,up=8,down=12)",
      lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=8, step_size_down=12, mode="triangular2"), SGD_M),
    C("CyclicLR(exp_range,gamma=0.99,lists)",
      lambda S, o: S.CyclicLR(o, [0.01, 0.001], [0.1, 0.02], step_size_up=15, mode="exp_range", gamma=0.99), SGD_M),
    C("CyclicLR(triangular,Adam_betas)",
      lambda S, o: S.CyclicLR(o, 0.001, 0.01, step_size_up=9, base_momentum=0.8, max_momentum=0.9), ADAM),
    C("CyclicLR(scale_fn,cycle)", lambda S, o: S.CyclicLR(o, 0.01, 0.1, 5, 7, scale_fn=lambda x: 1 / (1 + x)), SGD_M),
    C("CyclicLR(scale_fn,iterations)",
      lambda S, o: S.CyclicLR(o, 0.01, 0.1, 6, scale_fn=lambda x: 0.99 ** x, scale_mode="iterations"), SGD_M),
    C("CyclicLR(no_cycle_momentum,Adagrad)",
      lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=10, cycle_momentum=False), ADAGRAD),
    C("PolynomialLR(total_iters=40)", lambda S, o: S.PolynomialLR(o, total_iters=40)),
    C("PolynomialLR(total_iters=40,power=2)", lambda S, o: S.PolynomialLR(o, 40, power=2.0)),
    C("PolynomialLR(power=0.5)", lambda S, o: S.PolynomialLR(o, power=0.5)),
    C("ReduceLROnPlateau(default)", lambda S, o: S.ReduceLROnPlateau(o), metrics=LOSS),
    C("ReduceLROnPlateau(min,rel,patience=3,factor=0.5)",
      lambda S, o: S.ReduceLROnPlateau(o, patience=3, factor=0.5), metrics=LOSS),
    C("ReduceLROnPlateau(max,abs,threshold=1e-3,patience=2,cooldown=3,factor=0.3)",
      lambda S, o: S.ReduceLROnPlateau(o, "max", 0.3, 2, 1e-3, "abs", cooldown=3), metrics=ACC),
    C("ReduceLROnPlateau(max,rel,threshold=0)",
      lambda S, o: S.ReduceLROnPlateau(o, mode="max", factor=0.5, patience=1, threshold=0.0), metrics=ACC),
    C("ReduceLROnPlateau(min,abs,threshold=1e-6,patience=0,min_lr=0.01)",
      lambda S, o: S.ReduceLROnPlateau(o, factor=0.5, patience=0, threshold=1e-6, threshold_mode="abs",
                                       min_lr=0.01), metrics=LOSS),
    C("ReduceLROnPlateau(min,rel,threshold=0.01,patience=1,cooldown=2,min_lr_list)",
      lambda S, o: S.ReduceLROnPlateau(o, factor=0.5, patience=1, threshold=0.01, cooldown=2,
                                       min_lr=[0.02, 0.001]), metrics=LOSS),
    C("ReduceLROnPlateau(eps=3e-3,min_lr=0.01)",
      lambda S, o: S.ReduceLROnPlateau(o, factor=0.5, patience=0, min_lr=0.01, eps=3e-3), metrics=LOSS),
    C("SequentialLR(LinearLR,ExponentialLR,[5])",
      lambda S, o: S.SequentialLR(o, [S.LinearLR(o, 0.1, total_iters=5), S.ExponentialLR(o, 0.95)], milestones=[5])),
    C("SequentialLR(ConstantLR,CosineAnnealingLR,StepLR,[8,50])",
      lambda S, o: S.SequentialLR(o, [S.ConstantLR(o, 0.5, 10), S.CosineAnnealingLR(o, 30, 0.01),
                                      S.StepLR(o, 10, 0.5)], [8, 50])),
    C("SequentialLR(LinearLR,CosineAnnealingLR,[10])",
      lambda S, o: S.SequentialLR(o, [S.LinearLR(o, 0.01, total_iters=10),
                                      S.CosineAnnealingLR(o, T_max=120, eta_min=1e-4)], [10])),
    C("ChainedScheduler(ConstantLR,ExponentialLR)",
      lambda S, o: S.ChainedScheduler([S.ConstantLR(o, factor=0.1, total_iters=2), S.ExponentialLR(o, gamma=0.9)])),
    C("ChainedScheduler(StepLR,ExponentialLR)",
      lambda S, o: S.ChainedScheduler([S.StepLR(o, 10, 0.5), S.ExponentialLR(o, 0.99)], optimizer=o)),
    C("ChainedScheduler(LinearLR,CosineAnnealingLR)",
      lambda S, o: S.ChainedScheduler([S.LinearLR(o, 0.2, total_iters=10), S.CosineAnnealingLR(o, 200)])),
]


# ---- 1. rates (and momenta) against torch --------------------------------------------------

@pytest.mark.parametrize("make,spec,steps,metrics", CASES)
def test_rates_match_torch(make, spec, steps, metrics):
    """Rows: get_last_lr() of both groups, group['lr'] of both, the groups' momenta (SGD) or
    beta1 (Adam): after construction, then after each step."""
    t = _run(torch, make, spec, steps, metrics)
    assert len({tuple(r[:2]) for r in t}) > 1, "the harness' schedule never changes the rate"
    e = _run(ember, make, spec, steps, metrics)
    assert e.shape == t.shape
    for i in range(len(t)):
        _close(e[i], t[i], f"epoch {i}: [last_lr x2, group lr x2, momentum x2]")


def test_one_cycle_raises_past_total_steps():
    """torch: stepping to last_epoch == total_steps still works (the schedule extrapolated past
    min_lr); the step after raises ValueError. ember: no error through total_steps - 1 steps,
    min_lr reached there, ValueError by the step past total_steps."""
    for lib in (torch, ember):
        opt = _opt(lib, SGD_M)
        s = _sched(lib).OneCycleLR(opt, max_lr=0.1, total_steps=20)
        for _ in range(19):
            opt.step()
            s.step()
        _close([g["lr"] for g in opt.param_groups], [0.1 / 25 / 1e4] * 2, lib.__name__)
        _close(_momenta(opt), [0.95, 0.95], lib.__name__)
        opt.step()
        if lib is torch:
            s.step()
        else:
            try:  # stepping to total_steps: ember may allow it (torch does) or raise already
                s.step()
            except ValueError:
                pass
        opt.step()
        with pytest.raises(ValueError, match=r"Tried to step \d+ times\. The specified number of total steps is 20"):
            s.step()


# ---- 2. after construction -----------------------------------------------------------------

def _construct(lib, make, spec):
    opt = _opt(lib, spec)
    before = [set(g) for g in opt.param_groups]
    return opt, make(_sched(lib), opt), before


@pytest.mark.parametrize("make,spec,steps,metrics", CASES)
def test_state_after_construction_matches_torch(make, spec, steps, metrics):
    """Before any step: group lr = the schedule's epoch-0 value; last_epoch == 0 and base_lrs
    (where torch has them: not ChainedScheduler, not ReduceLROnPlateau's base_lrs); the keys the
    scheduler adds to each group (initial_lr; OneCycleLR's max_lr, min_lr; max_momentum,
    base_momentum) with torch's values; get_last_lr() a list of floats."""
    to, ts, tbefore = _construct(torch, make, spec)
    eo, es, _ = _construct(ember, make, spec)
    E = _sched(ember)
    assert isinstance(es, E.LRScheduler)
    last = es.get_last_lr()
    assert isinstance(last, list) and len(last) == 2
    assert all(isinstance(v, float) for v in last), [type(v) for v in last]
    assert all(isinstance(g["lr"], float) for g in eo.param_groups)
    _close(last, ts.get_last_lr(), "get_last_lr()")
    _close([g["lr"] for g in eo.param_groups], [g["lr"] for g in to.param_groups], "group lr")
    _close(_momenta(eo), _momenta(to), "momenta")
    for attr in ("last_epoch", "base_lrs"):
        if hasattr(ts, attr):
            assert _same(getattr(es, attr), getattr(ts, attr)), (attr, getattr(es, attr), getattr(ts, attr))
    if hasattr(ts, "last_epoch"):
        assert ts.last_epoch == 0
    for i, (ge, gt) in enumerate(zip(eo.param_groups, to.param_groups)):
        added = set(gt) - tbefore[i]
        if not isinstance(ts, torch.optim.lr_scheduler.ReduceLROnPlateau):
            assert "initial_lr" in added
        for k in added:
            assert k in ge, f"group {i} lacks {k!r}"
            assert _same(ge[k], gt[k]), (i, k, ge[k], gt[k])


# Epoch-0 values by hand (torch checked too): group lrs, and momenta where cycled.
EPOCH0 = [
    pytest.param(lambda S, o: S.StepLR(o, 3), SGD, [0.1, 0.05], None, id="StepLR:base"),
    pytest.param(lambda S, o: S.MultiStepLR(o, [0, 0, 5], 0.5), SGD, [0.025, 0.0125], None,
                 id="MultiStepLR(milestone_0_twice):base*gamma^2"),
    pytest.param(lambda S, o: S.LinearLR(o, 0.25), SGD, [0.025, 0.0125], None, id="LinearLR:base*start_factor"),
    pytest.param(lambda S, o: S.ConstantLR(o, 0.5), SGD, [0.05, 0.025], None, id="ConstantLR:base*factor"),
    pytest.param(lambda S, o: S.LambdaLR(o, lambda e: 3.0 + e), SGD, [0.3, 0.15], None, id="LambdaLR:base*lambda(0)"),
    pytest.param(lambda S, o: S.MultiplicativeLR(o, lambda e: 0.5), SGD, [0.1, 0.05], None,
                 id="MultiplicativeLR:base(lambda_not_applied)"),
    pytest.param(lambda S, o: S.CosineAnnealingLR(o, 10, 0.01), SGD, [0.1, 0.05], None, id="CosineAnnealingLR:base"),
    pytest.param(lambda S, o: S.PolynomialLR(o, 4, 2.0), SGD, [0.1, 0.05], None, id="PolynomialLR:base"),
    pytest.param(lambda S, o: S.OneCycleLR(o, [0.5, 0.25], 10, div_factor=5.0), SGD_M, [0.1, 0.05], [0.95, 0.95],
                 id="OneCycleLR:max_lr/div_factor,max_momentum"),
    pytest.param(lambda S, o: S.CyclicLR(o, [0.02, 0.01], 0.3, max_momentum=0.7, base_momentum=0.6), ADAM,
                 [0.02, 0.01], [0.7, 0.7], id="CyclicLR:base_lr,max_momentum_as_beta1"),
    pytest.param(lambda S, o: S.ReduceLROnPlateau(o), SGD, [0.1, 0.05], None, id="ReduceLROnPlateau:unchanged"),
    pytest.param(lambda S, o: S.SequentialLR(o, [S.ConstantLR(o, 0.5), S.LinearLR(o, 0.2)], [3]), SGD,
                 [0.05, 0.025], None, id="SequentialLR:first_scheduler_only"),
    pytest.param(lambda S, o: S.ChainedScheduler([S.ConstantLR(o, 0.5), S.LinearLR(o, 0.2)]), SGD,
                 [0.01, 0.005], None, id="ChainedScheduler:product"),
]


@pytest.mark.parametrize("make,spec,lrs,momenta", EPOCH0)
def test_epoch_zero_values(make, spec, lrs, momenta):
    for lib in (torch, ember):
        opt = _opt(lib, spec)
        s = make(_sched(lib), opt)
        _close([g["lr"] for g in opt.param_groups], lrs, f"{lib.__name__}: group lr")
        _close(s.get_last_lr(), lrs, f"{lib.__name__}: get_last_lr()")
        if momenta is not None:
            _close(_momenta(opt), momenta, f"{lib.__name__}: momenta")


# ---- 3. state_dict / load_state_dict -------------------------------------------------------

def _resumed(lib, make, spec, metrics, split=40, total=80):
    """Rows split+1 .. total of a run interrupted after `split` steps: the state dicts of the
    optimizer and the scheduler loaded into a fresh optimizer (other lrs) + scheduler."""
    opt = _opt(lib, spec)
    sched = make(_sched(lib), opt)
    for i in range(split):
        _step(opt, sched, metrics, i)
    osd, ssd = opt.state_dict(), sched.state_dict()
    at_split = _snapshot(opt, sched)
    opt2 = _opt(lib, spec, lrs=OTHER_LRS)
    sched2 = make(_sched(lib), opt2)   # scheduler first, then the loads (torch's documented order)
    opt2.load_state_dict(osd)
    sched2.load_state_dict(ssd)
    assert _snapshot(opt2, sched2) == at_split, "right after loading"
    rows = []
    for i in range(split, total):
        _step(opt2, sched2, metrics, i)
        rows.append(_snapshot(opt2, sched2))
    return rows


@pytest.mark.parametrize("make,spec,steps,metrics", CASES)
def test_state_dict_resumes_exactly(make, spec, steps, metrics):
    """40 steps, state dicts saved, fresh optimizer + scheduler load them, 40 more: exactly the
    uninterrupted 80-step run (lambdas passed again: LambdaLR saves None for plain functions)."""
    for lib in (torch, ember):
        whole = _run(lib, make, spec, 80, metrics)[41:].tolist()
        resumed = _resumed(lib, make, spec, metrics)
        for i, (r, w) in enumerate(zip(resumed, whole)):
            assert r == w, f"{lib.__name__}: step {41 + i}: resumed {r} != uninterrupted {w}"


@pytest.mark.parametrize("make,spec,steps,metrics", CASES)
def test_state_dict_public_entries_match_torch(make, spec, steps, metrics):
    """After 40 steps, ember's state_dict() holds torch's public entries (those not starting with
    '_': last_epoch, base_lrs, the hyperparameters, T_cur / T_i, best / num_bad_epochs /
    cooldown_counter, lr_lambdas = [None, ...], ...) with torch's values; torch's private ones
    (_step_count, _last_lr, _schedulers, _milestones, _schedule_phases, ...) are not required."""
    sds = {}
    for lib in (torch, ember):
        opt = _opt(lib, spec)
        sched = make(_sched(lib), opt)
        for i in range(40):
            _step(opt, sched, metrics, i)
        sds[lib] = sched.state_dict()
    st, se = sds[torch], sds[ember]
    assert isinstance(se, dict)
    for k, v in st.items():
        if k.startswith("_"):
            continue
        assert k in se, f"state_dict lacks {k!r}"
        assert _same(se[k], v), (k, se[k], v)


PLATEAU = dict(mode="min", factor=0.5, patience=2, threshold=1e-3, cooldown=3, min_lr=[0.004, 0.002])
PLATEAU_METRICS = [5.0, 4.0, 4.0, 4.1, 4.0, 4.5, 3.0, 3.1, 3.2, 3.0, 3.3, 3.4, 3.5, 2.0, 2.5, 2.6, 2.7,
                   2.8, 2.9, 3.0, 1.0, 1.1, 1.0, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8,
                   1.9, 2.0, 2.1, 2.2, 2.3]  # the last reduction stops at min_lr, the next is below eps


@pytest.mark.parametrize("split,counter", [(12, "cooldown_counter"), (9, "num_bad_epochs")])
def test_reduce_lr_on_plateau_resumes_counters(split, counter):
    """ReduceLROnPlateau resumed mid-cooldown / with bad epochs counted: best, num_bad_epochs,
    cooldown_counter, last_epoch restored, and the reductions go on as uninterrupted."""
    out = {}
    for lib in (torch, ember):
        S = _sched(lib)
        whole_opt = _opt(lib)
        whole = S.ReduceLROnPlateau(whole_opt, **PLATEAU)
        opt = _opt(lib)
        sched = S.ReduceLROnPlateau(opt, **PLATEAU)
        for i in range(split):
            for o, s in ((whole_opt, whole), (opt, sched)):
                o.step()
                s.step(PLATEAU_METRICS[i])
        if lib is torch:
            assert getattr(whole, counter) > 0, "the harness resumes where the counter is nonzero"
        osd, ssd = opt.state_dict(), sched.state_dict()
        opt2 = _opt(lib, lrs=OTHER_LRS)
        sched2 = S.ReduceLROnPlateau(opt2, **PLATEAU)
        opt2.load_state_dict(osd)
        sched2.load_state_dict(ssd)
        for attr in ("best", "num_bad_epochs", "cooldown_counter", "last_epoch"):
            assert getattr(sched2, attr) == getattr(whole, attr), (lib.__name__, attr)
        rows = []
        for i in range(split, len(PLATEAU_METRICS)):
            for o, s in ((whole_opt, whole), (opt2, sched2)):
                o.step()
                s.step(PLATEAU_METRICS[i])
            assert [g["lr"] for g in opt2.param_groups] == [g["lr"] for g in whole_opt.param_groups], (lib.__name__, i)
            assert sched2.get_last_lr() == whole.get_last_lr()
            rows.append([g["lr"] for g in whole_opt.param_groups] + [sched2.num_bad_epochs, sched2.cooldown_counter])
        out[lib] = rows
    assert len({tuple(r[:2]) for r in out[torch]}) > 2, "the harness' metrics reduce the rate after resuming"
    _close(out[ember], out[torch], "lrs, num_bad_epochs, cooldown_counter after resuming")


# ---- 4. the step-order warning -------------------------------------------------------------

WARNING_CASES = [
    pytest.param(lambda S, o: S.StepLR(o, 3), id="StepLR"),
    pytest.param(lambda S, o: S.LambdaLR(o, lambda e: 0.9 ** e), id="LambdaLR"),
    pytest.param(lambda S, o: S.MultiplicativeLR(o, lambda e: 0.9), id="MultiplicativeLR"),
    pytest.param(lambda S, o: S.CosineAnnealingLR(o, 10), id="CosineAnnealingLR"),
    pytest.param(lambda S, o: S.OneCycleLR(o, 0.1, 10), id="OneCycleLR"),
    pytest.param(lambda S, o: S.CyclicLR(o, 0.01, 0.1, cycle_momentum=False), id="CyclicLR"),
    pytest.param(lambda S, o: S.SequentialLR(o, [S.ConstantLR(o), S.ExponentialLR(o, 0.9)], [3]), id="SequentialLR"),
    pytest.param(lambda S, o: S.ChainedScheduler([S.ConstantLR(o), S.ExponentialLR(o, 0.9)]), id="ChainedScheduler"),
]
# torch's CosineAnnealingWarmRestarts.step and ReduceLROnPlateau.step never warn: not asserted.
QUIET = [pytest.param(lambda S, o: S.CosineAnnealingWarmRestarts(o, 5), id="CosineAnnealingWarmRestarts")]


@pytest.mark.parametrize("make", WARNING_CASES)
def test_step_before_optimizer_step_warns(make):
    for lib in (torch, ember):
        opt = _opt(lib)
        sched = make(_sched(lib), opt)
        with pytest.warns(UserWarning, match=WARN):
            sched.step()


def _order_warnings(lib, make, steps=4, plateau=False):
    opt = _opt(lib)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sched = make(_sched(lib), opt)
        for _ in range(steps):
            opt.step()
            sched.step(1.0) if plateau else sched.step()
    return [str(w.message) for w in caught if "lr_scheduler.step()" in str(w.message)]


@pytest.mark.parametrize("make", WARNING_CASES + QUIET)
def test_right_order_does_not_warn(make):
    for lib in (torch, ember):
        assert _order_warnings(lib, make) == [], lib.__name__


def test_plateau_right_order_does_not_warn():
    for lib in (torch, ember):
        assert _order_warnings(lib, lambda S, o: S.ReduceLROnPlateau(o), plateau=True) == [], lib.__name__


# ---- 5. ember's extension: ReduceLROnPlateau composed with other schedulers ------------------

def _plateau_reductions(metrics, **kw):
    """How many times torch's ReduceLROnPlateau alone reduces, after each metric (0 before any):
    read from a one-group optimizer at lr 1.0, factor 0.5, no floor and eps 0."""
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=1.0)
    s = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, eps=0.0, **kw)
    out = [0]
    for m in metrics:
        s.step(m)
        out.append(round(-math.log2(opt.param_groups[0]["lr"])))
    return out


def _run_with_metrics(make, metrics):
    opt = _opt(ember)
    sched = make(_sched(ember), opt)
    rows = [[g["lr"] for g in opt.param_groups]]
    _close(sched.get_last_lr(), rows[0], "get_last_lr() after construction")
    for m in metrics:
        opt.step()
        sched.step(m)
        rows.append([g["lr"] for g in opt.param_groups])
        _close(sched.get_last_lr(), rows[-1], f"get_last_lr() at epoch {len(rows) - 1}")
    return np.array(rows)


CHAIN_METRICS = [1.0, 0.9, 0.95, 0.8, 0.8, 0.85, 0.7, 0.75, 0.76, 0.6]
CHAIN_REDUCTIONS = [0, 0, 0, 1, 1, 2, 3, 3, 4, 5, 5]   # by hand: patience 0, a reduction per non-improvement


def test_chained_exponential_and_plateau():
    """ChainedScheduler([ExponentialLR(0.9), ReduceLROnPlateau(factor=0.5, patience=0)]).step(metric):
    lr = base * 0.9**epoch * 0.5**(reductions so far)."""
    assert _plateau_reductions(CHAIN_METRICS, patience=0) == CHAIN_REDUCTIONS
    got = _run_with_metrics(lambda S, o: S.ChainedScheduler([S.ExponentialLR(o, 0.9),
                                                             S.ReduceLROnPlateau(o, factor=0.5, patience=0)]),
                            CHAIN_METRICS)
    want = [[lr * 0.9 ** k * 0.5 ** r for lr in LRS] for k, r in enumerate(CHAIN_REDUCTIONS)]
    _close(got, want, "ChainedScheduler(ExponentialLR, ReduceLROnPlateau)")
    _close(got[5], [0.1 * 0.9 ** 5 / 4, 0.05 * 0.9 ** 5 / 4], "epoch 5, written out")


FLOOR_REDUCTIONS = [0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5]   # by hand


def test_chained_plateau_with_cooldown_and_min_lr_floor():
    """A metric that never improves, patience 1, cooldown 2: a reduction every 4th epoch (3, 7,
    11, ...); min_lr floors the final rate: lr = max(base * 0.95**epoch * 0.5**r, 0.005)."""
    metrics = [1.0] * 20
    assert _plateau_reductions(metrics, patience=1, cooldown=2) == FLOOR_REDUCTIONS
    got = _run_with_metrics(
        lambda S, o: S.ChainedScheduler([S.ExponentialLR(o, 0.95),
                                         S.ReduceLROnPlateau(o, factor=0.5, patience=1, cooldown=2, min_lr=0.005)]),
        metrics)
    want = [[max(lr * 0.95 ** k * 0.5 ** r, 0.005) for lr in LRS] for k, r in enumerate(FLOOR_REDUCTIONS)]
    _close(got, want, "ChainedScheduler(ExponentialLR, ReduceLROnPlateau(min_lr))")
    assert got[-1].tolist() == [0.005, 0.005] and got[10][0] > 0.005 and got[11][1] == 0.005


def test_sequential_warm_up_then_plateau():
    """SequentialLR([LinearLR(0.2, total_iters=5), ReduceLROnPlateau(factor=0.5, patience=0)],
    milestones=[5]).step(metric): the warm-up ignores the metrics (they worsen: a plateau seeing
    them would reduce); at epoch 5 the base rate; then reductions from it (epoch 6 is a new best
    whether or not epoch 5's metric was counted)."""
    metrics = [5.0, 6.0, 7.0, 8.0, 4.0, 3.0, 3.5, 2.5, 2.6, 2.7, 2.0, 2.1]
    got = _run_with_metrics(
        lambda S, o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.2, total_iters=5),
                                        S.ReduceLROnPlateau(o, factor=0.5, patience=0)], milestones=[5]),
        metrics)
    factors = [0.2, 0.36, 0.52, 0.68, 0.84,   # epochs 0-4: LinearLR
               1.0, 1.0,                       # 5: milestone, base rate; 6: 3.0 (a new best)
               0.5, 0.5, 0.25, 0.125, 0.125,   # 7: 3.5 worse; 8: 2.5 best; 9, 10 worse; 11: 2.0 best
               0.0625]                         # 12: 2.1 worse
    _close(got, [[lr * f for lr in LRS] for f in factors], "SequentialLR(LinearLR, ReduceLROnPlateau)")


# ---- 6. bad arguments ----------------------------------------------------------------------

def B(id, make, spec=SGD, exc=ValueError):
    return pytest.param(make, spec, exc, id=id)


BAD = [
    B("LinearLR(start_factor=1.5)", lambda S, o, o2: S.LinearLR(o, start_factor=1.5)),
    B("LinearLR(start_factor=0)", lambda S, o, o2: S.LinearLR(o, start_factor=0.0)),
    B("LinearLR(start_factor=-0.5)", lambda S, o, o2: S.LinearLR(o, -0.5)),
    B("LinearLR(end_factor=1.5)", lambda S, o, o2: S.LinearLR(o, 0.5, 1.5)),
    B("LinearLR(end_factor=-0.1)", lambda S, o, o2: S.LinearLR(o, end_factor=-0.1)),
    B("ConstantLR(factor=1.5)", lambda S, o, o2: S.ConstantLR(o, factor=1.5)),
    B("ConstantLR(factor=-0.1)", lambda S, o, o2: S.ConstantLR(o, -0.1)),
    B("OneCycleLR(total_steps=0)", lambda S, o, o2: S.OneCycleLR(o, 0.1, total_steps=0)),
    B("OneCycleLR(total_steps=-5)", lambda S, o, o2: S.OneCycleLR(o, 0.1, -5)),
    B("OneCycleLR(no_total_steps_no_epochs)", lambda S, o, o2: S.OneCycleLR(o, 0.1)),
    B("OneCycleLR(epochs_without_steps_per_epoch)", lambda S, o, o2: S.OneCycleLR(o, 0.1, epochs=5)),
    B("OneCycleLR(epochs=0)", lambda S, o, o2: S.OneCycleLR(o, 0.1, epochs=0, steps_per_epoch=10)),
    B("OneCycleLR(steps_per_epoch=0)", lambda S, o, o2: S.OneCycleLR(o, 0.1, epochs=3, steps_per_epoch=0)),
    B("OneCycleLR(pct_start=1.5)", lambda S, o, o2: S.OneCycleLR(o, 0.1, 10, pct_start=1.5)),
    B("OneCycleLR(anneal_strategy='x')", lambda S, o, o2: S.OneCycleLR(o, 0.1, 10, anneal_strategy="x")),
    B("OneCycleLR(max_lr_list_of_3)", lambda S, o, o2: S.OneCycleLR(o, [0.1, 0.1, 0.1], 10)),
    B("OneCycleLR(cycle_momentum,Adagrad)", lambda S, o, o2: S.OneCycleLR(o, 0.1, 10), ADAGRAD),
    B("ReduceLROnPlateau(mode='x')", lambda S, o, o2: S.ReduceLROnPlateau(o, mode="x")),
    B("ReduceLROnPlateau(threshold_mode='x')", lambda S, o, o2: S.ReduceLROnPlateau(o, threshold_mode="x")),
    B("ReduceLROnPlateau(factor=1.0)", lambda S, o, o2: S.ReduceLROnPlateau(o, factor=1.0)),
    B("ReduceLROnPlateau(factor=1.5)", lambda S, o, o2: S.ReduceLROnPlateau(o, factor=1.5)),
    B("ReduceLROnPlateau(min_lr_list_of_3)", lambda S, o, o2: S.ReduceLROnPlateau(o, min_lr=[0.0, 0.0, 0.0])),
    B("CosineAnnealingWarmRestarts(T_0=0)", lambda S, o, o2: S.CosineAnnealingWarmRestarts(o, T_0=0)),
    B("CosineAnnealingWarmRestarts(T_0=-1)", lambda S, o, o2: S.CosineAnnealingWarmRestarts(o, -1)),
    B("CosineAnnealingWarmRestarts(T_0=2.5)", lambda S, o, o2: S.CosineAnnealingWarmRestarts(o, 2.5)),
    B("CosineAnnealingWarmRestarts(T_mult=0)", lambda S, o, o2: S.CosineAnnealingWarmRestarts(o, 5, T_mult=0)),
    B("CosineAnnealingWarmRestarts(T_mult=1.5)", lambda S, o, o2: S.CosineAnnealingWarmRestarts(o, 5, 1.5)),
    B("CyclicLR(mode='x')", lambda S, o, o2: S.CyclicLR(o, 0.01, 0.1, mode="x")),
    B("CyclicLR(cycle_momentum,Adagrad)", lambda S, o, o2: S.CyclicLR(o, 0.01, 0.1), ADAGRAD),
    B("CyclicLR(base_lr_list_of_3)", lambda S, o, o2: S.CyclicLR(o, [0.01] * 3, 0.1)),
    B("SequentialLR(milestones_too_many)",
      lambda S, o, o2: S.SequentialLR(o, [S.ConstantLR(o), S.ExponentialLR(o, 0.9)], milestones=[3, 6])),
    B("SequentialLR(milestones_too_few)",
      lambda S, o, o2: S.SequentialLR(o, [S.ConstantLR(o), S.StepLR(o, 2), S.ExponentialLR(o, 0.9)], [3])),
    B("SequentialLR(no_schedulers)", lambda S, o, o2: S.SequentialLR(o, [], [])),
    B("SequentialLR(other_optimizer)",
      lambda S, o, o2: S.SequentialLR(o, [S.ConstantLR(o), S.ExponentialLR(o2, 0.9)], [3])),
    B("ChainedScheduler(no_schedulers)", lambda S, o, o2: S.ChainedScheduler([])),
    B("ChainedScheduler(other_optimizer)",
      lambda S, o, o2: S.ChainedScheduler([S.ConstantLR(o), S.ExponentialLR(o2, 0.9)])),
    B("LambdaLR(3_lambdas_for_2_groups)", lambda S, o, o2: S.LambdaLR(o, [lambda e: 1.0] * 3)),
    B("MultiplicativeLR(3_lambdas_for_2_groups)", lambda S, o, o2: S.MultiplicativeLR(o, [lambda e: 1.0] * 3)),
    B("MultiplicativeLR(lr_lambda=0.5)", lambda S, o, o2: S.MultiplicativeLR(o, 0.5), exc=TypeError),
    B("StepLR(non-Optimizer)", lambda S, o, o2: S.StepLR(object(), 3), exc=TypeError),
    B("ExponentialLR(param_list)", lambda S, o, o2: S.ExponentialLR(o.param_groups[0]["params"], 0.9), exc=TypeError),
    B("CosineAnnealingLR(non-Optimizer)", lambda S, o, o2: S.CosineAnnealingLR(object(), 10), exc=TypeError),
    B("ReduceLROnPlateau(non-Optimizer)", lambda S, o, o2: S.ReduceLROnPlateau(object()), exc=TypeError),
    B("OneCycleLR(non-Optimizer)", lambda S, o, o2: S.OneCycleLR(object(), 0.1, 10), exc=TypeError),
    B("CyclicLR(non-Optimizer)", lambda S, o, o2: S.CyclicLR(object(), 0.01, 0.1), exc=TypeError),
]


@pytest.mark.parametrize("make,spec,exc", BAD)
def test_bad_arguments_raise(make, spec, exc):
    for lib in (torch, ember):
        with pytest.raises(exc):
            make(_sched(lib), _opt(lib, spec), _opt(lib, spec))


def test_the_other_librarys_optimizer_raises_type_error():
    """A scheduler takes its own library's Optimizer: torch rejects ember's, ember torch's."""
    for lib, other in ((torch, ember), (ember, torch)):
        with pytest.raises(TypeError):
            _sched(lib).StepLR(_opt(other), 3)


def test_step_size_without_exact_multiples_never_decays():
    """StepLR(step_size=1.3): no whole epoch is an exact floating-point multiple of 1.3 (13 % 1.3 is
    1.2999...), so torch's rate never decays; ember's neither."""
    rates = {}
    for lib in (torch, ember):
        opt = _opt(lib)
        s = _sched(lib).StepLR(opt, 1.3, 0.5)
        seen = []
        for _ in range(40):
            opt.step()
            s.step()
            seen.append(opt.param_groups[0]["lr"])
        rates[lib.__name__] = seen
        assert s.step_size == 1.3
    assert rates["ember"] == rates["torch"] == [rates["torch"][0]] * 40


def test_step_size_zero_raises():
    """StepLR(step_size=0): torch constructs it and raises ZeroDivisionError at the first step;
    ember may refuse it already (ValueError). Either way no schedule is produced."""
    for lib in (torch, ember):
        opt = _opt(lib)
        with pytest.raises((ValueError, ZeroDivisionError)):
            s = _sched(lib).StepLR(opt, step_size=0)
            opt.step()
            s.step()


def test_python_subclasses_of_the_bases_work_as_in_torch():
    """A scheduler written in Python (get_lr over last_epoch and base_lrs) and an optimizer
    written in Python (step over param_groups and state) run as torch's do."""
    out = {}
    for lib in (torch, ember):
        optim = importlib.import_module("ember.optim") if lib is ember else torch.optim

        class HalfEvery3(optim.lr_scheduler.LRScheduler):
            def get_lr(self):
                return [base * 0.5 ** (self.last_epoch // 3) for base in self.base_lrs]

        class SignSGD(optim.Optimizer):
            def __init__(self, params, lr=0.1):
                super().__init__(params, dict(lr=lr))

            def step(self, closure=None):
                with lib.no_grad():
                    for group in self.param_groups:
                        for p in group["params"]:
                            if p.grad is not None:
                                self.state[p]["count"] = self.state[p].get("count", 0) + 1
                                p -= group["lr"] * p.grad.sign()

        w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        opt = SignSGD([w], lr=0.1)
        sched = HalfEvery3(opt)
        lrs = []
        for _ in range(8):
            w.grad = lib.tensor([0.5, -0.5, 0.0])
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr()[0])
        out[lib] = (lrs, w.detach().numpy().tolist(), opt.state[w]["count"], opt.state_dict()["state"][0]["count"])
    assert out[ember][0] == pytest.approx(out[torch][0], rel=1e-15)
    assert out[ember][1] == pytest.approx(out[torch][1], rel=1e-6)
    assert out[ember][2:] == out[torch][2:] == (8, 8)


def test_a_rate_changed_behind_the_schedule_is_overwritten_with_a_warning():
    """ember's schedules compute the rate from the base rate: a rate set by hand (or by a second
    schedule stepped on its own) is overwritten at the next step, and the schedule says so once."""
    w = ember.zeros(2, requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.1)
    sched = ember.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    w.grad = ember.ones(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()  # the right order, nothing changed: silent
    opt.param_groups[0]["lr"] = 1.0
    opt.step()
    with pytest.warns(UserWarning, match="changed since this scheduler set it"):
        sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05)  # epoch 2 of the schedule, not 1.0 * 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.param_groups[0]["lr"] = 2.0
        opt.step()
        sched.step()  # warned once already


SCHEDULES = ["ChainedScheduler", "ConstantLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR",
             "ExponentialLR", "LambdaLR", "LinearLR", "MultiStepLR", "MultiplicativeLR", "OneCycleLR", "PolynomialLR",
             "ReduceLROnPlateau", "SequentialLR", "StepLR"]


@pytest.mark.parametrize("name", SCHEDULES)
def test_signature_matches_torch(name):
    """Each schedule's Python signature (made from its C++ rows where it has them) is torch's: the
    same names in the same order, of the same kinds, with the same defaults of the same types
    (eta_min=0.0 a float, ReduceLROnPlateau's min_lr=0 an int); torch 2.13 has no verbose."""
    import inspect

    def parts(cls):
        return [(p.name, p.kind, p.default, type(p.default))
                for p in inspect.signature(cls.__init__).parameters.values()]

    assert parts(getattr(_sched(ember), name)) == parts(getattr(_sched(torch), name))

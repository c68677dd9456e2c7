"""Bad inputs to ember.optim.lr_scheduler's schedules (and the composites) and to
ember.optim.lr_finder.lr_range_test: construction, stepping, load_state_dict garbage, and
optimizers changed under them. The optimizers' sweep is test_optim_bad_inputs.py; the helpers
both use are in optim_cases.py.

Each case asserts the exception ember raises (exact type) or, with ``OK``, that it raises nothing
(optionally checking the result). PyTorch 2.13 is the oracle: where a case records torch's behaviour
it is checked too (skipped when torch is not installed), so the table says what torch does.

ember's documented convention (ember/error.h, README) is ValueError for a bad value or shape and
TypeError for a bad dtype or argument kind where torch raises RuntimeError; cases where only that
convention separates the two libraries say so (``torch=RuntimeError`` next to an ember ValueError).
A note starting ``FINDING`` records what ember did before the case was fixed: a crash, a hang, a
silently wrong or accepted value, or an exception type that neither torch nor ember's convention
explains; the case asserts the correct behaviour and guards against its return. Notes starting
``borderline`` record pybind11's own TypeError ("incompatible function arguments", "Unable to
cast") leaking out where torch raises nothing or another type: accepted, but worth a better message.
Notes starting ``LIMITATION`` record input torch accepts and ember rejects cleanly.

Anything that can take the interpreter down (a segfault, heap corruption, runaway memory) runs in a
child process under an address-space limit and a timeout; a child that dies by a signal or hangs
fails its test. The children start together, on first use, two at a time.
"""
import math

import numpy as np
import pytest

import ember
from bad_inputs import OK, RC, SAME, Cases, Child, ChildRunner, check_case
from optim_cases import _P, _PRELUDE, _S, _finite, _pair, _run, _set, _sgd, _vals

try:
    import torch as _torch
except ImportError:  # the oracle checks are skipped, ember's own expectations still run
    _torch = None

_RC = RC
_BIG = "borderline: an int past int64 is refused as not fitting (ValueError); torch's Python ints take it"


# =============================================================================================
# Child processes: crashes (out-of-bounds reads and writes in the C++ steps and schedules)
# =============================================================================================

# Two groups, a per-group lambda list, then a third group added: the schedule has two lambdas.
_PER_GROUP = """
o = ember.optim.SGD([{'params': [ember.zeros(2, requires_grad=True)]} for _ in range(2)], lr=0.1)
s = S.%s(o, [lambda e: 0.9, lambda e: 0.5])
o.add_param_group({'params': [ember.zeros(2, requires_grad=True)]})
"""


CHILD_CASES = {
    # ---- per-group lambdas indexed past their end ----------------------------------------------
    "sched:lambdalr_per_group_then_group_added_chained": Child(
        _PER_GROUP % "LambdaLR" + "c = S.ChainedScheduler([s], optimizer=o)\n_extra['lrs'] = c.get_last_lr()",
        {"ValueError", "IndexError"},
        note="FINDING: SIGSEGV (LambdaLR::rate indexes lambdas[group] unchecked for group 2); torch: "
             "ValueError 'zip() argument 2 is shorter than argument 1' at the first step"),
    "sched:lambdalr_per_group_then_group_added_sequential": Child(
        _PER_GROUP % "LambdaLR" + "c = S.SequentialLR(o, [s, S.ConstantLR(o)], [3])\n_extra['lrs'] = c.get_last_lr()",
        {"ValueError", "IndexError"}, note="FINDING: SIGSEGV (as above, through SequentialLR)"),
    "sched:lambdalr_per_group_base_lrs_loaded_longer": Child(
        _PER_GROUP % "LambdaLR" + "sd = s.state_dict(); sd['base_lrs'] = [0.1, 0.1, 0.1]\ns.load_state_dict(sd)\n"
                                  "o.step(); s.step()\n_extra['lrs'] = s.get_last_lr()",
        {"ValueError", "IndexError"},
        note="FINDING: SIGSEGV (a state dict with one base rate per group of the grown optimizer); torch: "
             "ValueError (strict zip)"),
    "sched:multiplicativelr_per_group_then_group_added_chained": Child(
        _PER_GROUP % "MultiplicativeLR" + "c = S.ChainedScheduler([s], optimizer=o)\no.step(); c.step()\n"
                                          "_extra['lrs'] = c.get_last_lr()",
        {"ValueError", "IndexError"},
        note="FINDING: reads past MultiplicativeLR's products (products_[group] unchecked): group 2 gets a "
             "garbage rate such as 1.9e-285, silently; torch: ValueError (strict zip)"),
    # ---- schedule state loaded with values C++ casts to int64 ---------------------------------------
    "sched:cosine_warm_restarts_huge_T_i_loaded": Child(
        "o = ember.optim.SGD([ember.zeros(2, requires_grad=True)], lr=0.1)\n"
        "s = S.CosineAnnealingWarmRestarts(o, 2)\nsd = s.state_dict(); sd['_state'] = [1e300, 0.0]\n"
        "s.load_state_dict(sd)\nfor _ in range(3):\n    o.step(); s.step()",
        {"ok", "ValueError"}, note="no crash (float -> int64 cast of 1e300 is undefined in C++)"),
    "sched:cyclic_tiny_step_size_with_scale_fn": Child(
        "o = ember.optim.SGD([ember.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9)\n"
        "s = S.CyclicLR(o, 0.1, 1.0, step_size_up=1e-300, scale_fn=lambda c: 1.0 / (abs(c) + 1))\n"
        "for _ in range(3):\n    o.step(); s.step()", {"ok", "ValueError"}),
}

_CHILDREN = ChildRunner(CHILD_CASES, _PRELUDE, workers=2)


@pytest.mark.parametrize("case_id", list(CHILD_CASES))
def test_child_process(case_id):
    _CHILDREN.check(case_id)


# =============================================================================================
# In-process cases: the exception type (or none), its message, and torch's behaviour
# =============================================================================================

case = Cases()


@pytest.mark.parametrize("c", case.params)
def test_bad_input(c):
    check_case(c, ember, _torch)


# ---- schedulers: construction and stepping ----------------------------------------------------------
def _boom(epoch):
    raise KeyError("boom")


case("StepLR:step_size_0", lambda L: _S(L).StepLR(_sgd(L), 0), ValueError, "step_size", torch=OK)
case("StepLR:step_size_negative", lambda L: _run(_S(L).StepLR(_sgd(L), -1)), ValueError, "step_size", torch=OK)
case("StepLR:step_size_str", lambda L: _run(_S(L).StepLR(_sgd(L), "3")), TypeError)
case("StepLR:step_size_None", lambda L: _run(_S(L).StepLR(_sgd(L), None)), TypeError)
case("StepLR:step_size_2**63", lambda L: _run(_S(L).StepLR(_sgd(L), 2 ** 63)), OK)  # never decays, as torch
case("StepLR:step_size_nan", lambda L: _run(_S(L).StepLR(_sgd(L), math.nan)), ValueError, "step_size", torch=OK,
     note="torch never decays with a NaN step_size")
case("StepLR:gamma_str", lambda L: _run(_S(L).StepLR(_sgd(L), 1, gamma="x")), TypeError, note=_RC)
case("StepLR:gamma_nan", lambda L: _run(_S(L).StepLR(_sgd(L), 1, gamma=math.nan)), OK,
     check=lambda r: math.isnan(r[0]))
case("MultiStepLR:milestones_str", lambda L: _run(_S(L).MultiStepLR(_sgd(L), ["a", "b"])), TypeError, torch=OK,
     note=_RC + "; torch never matches them")
case("MultiStepLR:milestones_float", lambda L: _run(_S(L).MultiStepLR(_sgd(L), [1.0, 2.0])), TypeError, torch=OK,
     note=_RC + "; torch takes float milestones")
case("MultiStepLR:milestones_int", lambda L: _run(_S(L).MultiStepLR(_sgd(L), 5)), TypeError, "not iterable")
case("MultiStepLR:milestones_2**63", lambda L: _run(_S(L).MultiStepLR(_sgd(L), [2 ** 63])), ValueError, torch=OK,
     note=_BIG)
case("MultiStepLR:milestones_unsorted_repeated", lambda L: _run(_S(L).MultiStepLR(_sgd(L), [3, 1, 1]), 3), OK,
     check=lambda r: abs(r[0] - 1e-4) < 1e-12)
case("ConstantLR:factor_2", lambda L: _run(_S(L).ConstantLR(_sgd(L), factor=2)), ValueError, "between 0 and 1")
case("ConstantLR:factor_nan", lambda L: _run(_S(L).ConstantLR(_sgd(L), factor=math.nan)), ValueError, torch=OK)
case("LinearLR:total_iters_0", lambda L: _run(_S(L).LinearLR(_sgd(L), total_iters=0)), ValueError, "total_iters",
     torch=OK)
case("LinearLR:start_factor_0", lambda L: _run(_S(L).LinearLR(_sgd(L), start_factor=0)), ValueError, "Starting")
case("LinearLR:end_factor_2", lambda L: _run(_S(L).LinearLR(_sgd(L), end_factor=2)), ValueError, "Ending")
case("ExponentialLR:gamma_str", lambda L: _run(_S(L).ExponentialLR(_sgd(L), "x")), TypeError, note=_RC)
case("ExponentialLR:gamma_None", lambda L: _run(_S(L).ExponentialLR(_sgd(L), None)), TypeError, note=_RC)
case("PolynomialLR:total_iters_0", lambda L: _run(_S(L).PolynomialLR(_sgd(L), total_iters=0)), ValueError,
     "total_iters", torch=OK)
case("PolynomialLR:power_negative", lambda L: _run(_S(L).PolynomialLR(_sgd(L), total_iters=2, power=-1.0)),
     (ValueError, ZeroDivisionError), torch=ZeroDivisionError,
     note="FINDING: the rate becomes inf at total_iters (0 ** -1), silently; torch: ZeroDivisionError")
case("CosineAnnealingLR:T_max_0", lambda L: _run(_S(L).CosineAnnealingLR(_sgd(L), 0)), ValueError, "T_max",
     torch=ZeroDivisionError)
case("CosineAnnealingLR:T_max_negative", lambda L: _run(_S(L).CosineAnnealingLR(_sgd(L), -2)), ValueError, "T_max",
     torch=OK)
case("CosineAnnealingLR:T_max_float", lambda L: _run(_S(L).CosineAnnealingLR(_sgd(L), 2.5)), TypeError, torch=OK,
     note=_RC + "; torch takes a float T_max")
case("CosineAnnealingLR:eta_min_str", lambda L: _run(_S(L).CosineAnnealingLR(_sgd(L), 2, eta_min="x")), TypeError,
     note=_RC)
case("CosineAnnealingWarmRestarts:T_0_0", lambda L: _S(L).CosineAnnealingWarmRestarts(_sgd(L), 0), ValueError, "T_0")
case("CosineAnnealingWarmRestarts:T_0_2**63", lambda L: _run(_S(L).CosineAnnealingWarmRestarts(_sgd(L), 2 ** 63)),
     ValueError, torch=OK, note=_BIG)
case("CosineAnnealingWarmRestarts:T_mult_float", lambda L: _S(L).CosineAnnealingWarmRestarts(_sgd(L), 2, T_mult=2.0),
     ValueError, "T_mult")
case("CosineAnnealingWarmRestarts:eta_min_str", lambda L: _S(L).CosineAnnealingWarmRestarts(_sgd(L), 2, eta_min="x"),
     ValueError, "eta_min")
case("CosineAnnealingWarmRestarts:T_mult_huge",
     lambda L: _run(_S(L).CosineAnnealingWarmRestarts(_sgd(L), 2, 2 ** 62), 6), OK,
     check=lambda r: _finite(r) and 0 <= r[0] <= 0.1,
     note="FINDING: int64 overflow of T_i (2 * 2**62): the rate is nan from the third step on, silently; torch "
          "(Python ints) gives 0.1")
case("LambdaLR:raises", lambda L: _run(_S(L).LambdaLR(_sgd(L), _boom)), KeyError, "boom")
case("LambdaLR:raises_later", lambda L: _run(_S(L).LambdaLR(_sgd(L), lambda e: 1.0 if e == 0 else _boom(e))),
     KeyError, "boom")
case("LambdaLR:returns_str", lambda L: _run(_S(L).LambdaLR(_sgd(L), lambda e: "x")), TypeError,
     note=_RC + " ('Unable to cast Python instance of type <class 'str'> to C++ type '?'')")
case("LambdaLR:returns_None", lambda L: _run(_S(L).LambdaLR(_sgd(L), lambda e: None)), TypeError, note=_RC)
case("LambdaLR:returns_nan", lambda L: _run(_S(L).LambdaLR(_sgd(L), lambda e: math.nan)), OK,
     check=lambda r: math.isnan(r[0]))
case("LambdaLR:returns_tensor", lambda L: _run(_S(L).LambdaLR(_sgd(L), lambda e: L.tensor(0.5))), OK)
case("LambdaLR:returns_huge_int", lambda L: _run(_S(L).LambdaLR(_sgd(L), lambda e: 10 ** 400)),
     (TypeError, OverflowError), torch=OverflowError, note=_RC)
case("LambdaLR:takes_no_argument", lambda L: _run(_S(L).LambdaLR(_sgd(L), lambda: 1.0)), TypeError, "positional")
case("LambdaLR:not_callable", lambda L: _run(_S(L).LambdaLR(_sgd(L), 5)), TypeError, "callable")
case("LambdaLR:list_with_int", lambda L: _run(_S(L).LambdaLR(_sgd(L), [5])), TypeError, note=_RC)
case("LambdaLR:list_wrong_length", lambda L: _S(L).LambdaLR(_sgd(L), [lambda e: 1, lambda e: 1]), ValueError,
     "lr_lambdas")
case("MultiplicativeLR:returns_str", lambda L: _run(_S(L).MultiplicativeLR(_sgd(L), lambda e: "x")), TypeError,
     note=_RC)
case("MultiplicativeLR:raises", lambda L: _run(_S(L).MultiplicativeLR(_sgd(L), _boom)), KeyError, "boom")
case("OneCycleLR:past_the_end", lambda L: _run(_S(L).OneCycleLR(_sgd(L), 1.0, total_steps=3), 4), ValueError,
     "Tried to step 4 times")
case("OneCycleLR:total_steps_0", lambda L: _S(L).OneCycleLR(_sgd(L), 1.0, total_steps=0), ValueError, "total_steps")
case("OneCycleLR:total_steps_float", lambda L: _S(L).OneCycleLR(_sgd(L), 1.0, total_steps=5.0), ValueError,
     "total_steps")
case("OneCycleLR:total_steps_2**63", lambda L: _run(_S(L).OneCycleLR(_sgd(L), 1.0, total_steps=2 ** 63)), ValueError,
     torch=OK, note=_BIG)
case("OneCycleLR:total_steps_1", lambda L: _run(_S(L).OneCycleLR(_sgd(L), 1.0, total_steps=1), 1), OK,
     check=lambda r: abs(r[0] - 0.611262) < 1e-5)
case("OneCycleLR:epochs_str", lambda L: _S(L).OneCycleLR(_sgd(L), 1.0, epochs="2", steps_per_epoch=3), ValueError,
     "epochs")
case("OneCycleLR:no_length", lambda L: _S(L).OneCycleLR(_sgd(L), 1.0), ValueError, "total_steps")
case("OneCycleLR:max_lr_numeric_str", lambda L: _run(_S(L).OneCycleLR(_sgd(L), "1.0", total_steps=5)), TypeError,
     note="FINDING: max_lr '1.0' is taken as 1.0 (_per_group float()s it); torch: TypeError")
case("OneCycleLR:max_lr_str", lambda L: _run(_S(L).OneCycleLR(_sgd(L), "x", total_steps=5)), TypeError,
     note="FINDING (minor): ValueError 'could not convert string to float' for a str; torch: TypeError")
case("OneCycleLR:max_lr_list_wrong_length", lambda L: _S(L).OneCycleLR(_sgd(L), [1.0, 2.0], total_steps=5), ValueError,
     torch=None)
case("OneCycleLR:max_lr_nan", lambda L: _run(_S(L).OneCycleLR(_sgd(L), math.nan, total_steps=5)), OK)
case("OneCycleLR:div_factor_0", lambda L: _S(L).OneCycleLR(_sgd(L), 1.0, total_steps=5, div_factor=0),
     ZeroDivisionError)
case("OneCycleLR:final_div_factor_0", lambda L: _S(L).OneCycleLR(_sgd(L), 1.0, total_steps=5, final_div_factor=0),
     ZeroDivisionError)
case("OneCycleLR:pct_start_int", lambda L: _S(L).OneCycleLR(_sgd(L), 1.0, total_steps=5, pct_start=0), ValueError,
     "pct_start")
case("OneCycleLR:pct_start_nan", lambda L: _S(L).OneCycleLR(_sgd(L), 1.0, total_steps=5, pct_start=math.nan),
     ValueError, "pct_start", torch=OK)
case("OneCycleLR:anneal_strategy", lambda L: _S(L).OneCycleLR(_sgd(L), 1.0, total_steps=5, anneal_strategy="x"),
     ValueError, "anneal_strategy")
case("OneCycleLR:no_momentum_optimizer", lambda L: _S(L).OneCycleLR(L.optim.Adagrad([_P(L, 2)]), 1.0, total_steps=5),
     ValueError, "momentum")
case("OneCycleLR:three_phase_pct_0.6", lambda L: _run(_S(L).OneCycleLR(_sgd(L), 1.0, total_steps=10, pct_start=0.6,
                                                                       three_phase=True), 10), OK,
     check=lambda r: abs(r[0] - 0.04) < 1e-9)
case("CyclicLR:step_size_up_0", lambda L: _S(L).CyclicLR(_sgd(L), 0.1, 1.0, step_size_up=0), ZeroDivisionError)
case("CyclicLR:step_size_up_negative", lambda L: _S(L).CyclicLR(_sgd(L), 0.1, 1.0, step_size_up=-2), ValueError,
     "step sizes", torch=OK)
case("CyclicLR:step_size_up_str", lambda L: _S(L).CyclicLR(_sgd(L), 0.1, 1.0, step_size_up="x"), ValueError)
case("CyclicLR:step_size_up_nan", lambda L: _S(L).CyclicLR(_sgd(L), 0.1, 1.0, step_size_up=math.nan), ValueError)
case("CyclicLR:mode", lambda L: _S(L).CyclicLR(_sgd(L), 0.1, 1.0, mode="x"), ValueError, "mode")
case("CyclicLR:scale_fn_raises", lambda L: _S(L).CyclicLR(_sgd(L), 0.1, 1.0, scale_fn=_boom), KeyError, "boom")
case("CyclicLR:scale_fn_returns_str", lambda L: _S(L).CyclicLR(_sgd(L), 0.1, 1.0, scale_fn=lambda x: "x"), TypeError,
     note=_RC)
case("CyclicLR:scale_fn_not_callable", lambda L: _S(L).CyclicLR(_sgd(L), 0.1, 1.0, scale_fn=5), TypeError, note=_RC)
case("CyclicLR:scale_mode", lambda L: _S(L).CyclicLR(_sgd(L), 0.1, 1.0, scale_fn=lambda x: 1.0, scale_mode="x"),
     ValueError, "scale_mode", torch=OK)
case("CyclicLR:base_lr_numeric_str", lambda L: _run(_S(L).CyclicLR(_sgd(L), "0.1", 1.0)), TypeError,
     note="FINDING: base_lr '0.1' is taken as 0.1 (_per_group float()s it); torch: TypeError")
case("CyclicLR:no_momentum_optimizer", lambda L: _S(L).CyclicLR(L.optim.Adagrad([_P(L, 2)]), 0.1, 1.0), ValueError,
     "momentum")
_R = lambda L, **kw: _S(L).ReduceLROnPlateau(_sgd(L), **kw)  # noqa: E731
case("ReduceLROnPlateau:metric_str", lambda L: _run(_R(L, patience=0), 3, "x"), ValueError, "float")
case("ReduceLROnPlateau:metric_numeric_str", lambda L: _run(_R(L, patience=0), 3, "0.5"), OK)  # both float() it
case("ReduceLROnPlateau:metric_None", lambda L: _run(_R(L, patience=0), 3, None), TypeError)
case("ReduceLROnPlateau:metric_list", lambda L: _run(_R(L, patience=0), 3, [1.0]), TypeError)
case("ReduceLROnPlateau:metric_tensor", lambda L: _run(_R(L, patience=0), 3, L.tensor(0.5)), OK,
     check=lambda r: abs(r[0] - 1e-3) < 1e-12)
case("ReduceLROnPlateau:metric_tensor2", lambda L: _run(_R(L, patience=0), 3, L.tensor([0.5, 1.0])), ValueError)
case("ReduceLROnPlateau:metric_nan", lambda L: _run(_R(L, patience=0), 3, math.nan), OK,
     check=lambda r: abs(r[0] - 1e-4) < 1e-12)
case("ReduceLROnPlateau:patience_inf", lambda L: _run(_R(L, patience=math.inf), 3, 1.0), OK,
     note="FINDING: OverflowError 'cannot convert float infinity to integer' (int(patience)); torch takes "
          "patience=inf (never cut)")
case("ReduceLROnPlateau:cooldown_inf", lambda L: _run(_R(L, cooldown=math.inf, patience=0), 3, 1.0), OK,
     note="FINDING: OverflowError (int(cooldown)); torch takes cooldown=inf")
case("ReduceLROnPlateau:patience_numeric_str", lambda L: _run(_R(L, patience="3"), 3, 1.0), TypeError,
     note="FINDING (minor): patience '3' is taken as 3 (int()); torch: TypeError at step")
case("ReduceLROnPlateau:patience_2**63", lambda L: _run(_R(L, patience=2 ** 63), 3, 1.0), ValueError, torch=OK,
     note=_BIG)
case("ReduceLROnPlateau:patience_nan", lambda L: _run(_R(L, patience=math.nan), 3, 1.0), ValueError, torch=OK)
case("ReduceLROnPlateau:factor_1", lambda L: _R(L, factor=1.0), ValueError, "Factor")
case("ReduceLROnPlateau:factor_str", lambda L: _R(L, factor="x"), TypeError)
case("ReduceLROnPlateau:factor_nan", lambda L: _R(L, factor=math.nan), ValueError, "Factor", torch=OK)
case("ReduceLROnPlateau:mode", lambda L: _R(L, mode="x"), ValueError, "mode")
case("ReduceLROnPlateau:threshold_mode", lambda L: _R(L, threshold_mode="x"), ValueError, "threshold mode")
case("ReduceLROnPlateau:min_lr_numeric_str", lambda L: _run(_R(L, min_lr="0.5", patience=0), 3, 1.0), TypeError,
     note="FINDING: min_lr '0.5' is taken as 0.5 (_per_group float()s it); torch: TypeError at step")
case("ReduceLROnPlateau:threshold_numeric_str", lambda L: _run(_R(L, threshold="1e-4"), 3, 1.0), TypeError,
     note="FINDING (minor): threshold '1e-4' is taken as a float; torch: TypeError at step")
case("ReduceLROnPlateau:min_lr_list_wrong_length", lambda L: _R(L, min_lr=[0.1, 0.2]), ValueError, "min_lrs")
case("ReduceLROnPlateau:step_without_metric", lambda L: _R(L).step(), TypeError, "metrics")

# ---- composite schedulers -------------------------------------------------------------------------
def _two(L):
    return _sgd(L), _sgd(L)


case("ChainedScheduler:member_of_another_optimizer",
     lambda L: (lambda a, b: _S(L).ChainedScheduler([_S(L).StepLR(a, 1), _S(L).StepLR(b, 1)]))(*_two(L)), ValueError,
     "same optimizer")
case("ChainedScheduler:optimizer_argument_another",
     lambda L: (lambda a, b: _S(L).ChainedScheduler([_S(L).StepLR(a, 1)], optimizer=b))(*_two(L)), ValueError,
     "same optimizer")
case("SequentialLR:member_of_another_optimizer",
     lambda L: (lambda a, b: _S(L).SequentialLR(a, [_S(L).StepLR(a, 1), _S(L).StepLR(b, 1)], [2]))(*_two(L)),
     ValueError, "same optimizer")
case("ChainedScheduler:empty", lambda L: _S(L).ChainedScheduler([]), ValueError, "at least one")
case("ChainedScheduler:generator", lambda L: (lambda o: _run(_S(L).ChainedScheduler(s for s in [_S(L).StepLR(o, 1)])))(
    _sgd(L)), OK, torch=TypeError)
case("ChainedScheduler:member_not_a_scheduler", lambda L: (lambda o: _S(L).ChainedScheduler([_S(L).StepLR(o, 1), "x"]))(
    _sgd(L)), TypeError, torch=SAME,
     note="FINDING: AttributeError \"'str' object has no attribute '_impl'\" (the members' _impl is read before the "
          "isinstance check); torch: TypeError")
case("SequentialLR:member_not_a_scheduler", lambda L: (lambda o: _S(L).SequentialLR(o, [_S(L).StepLR(o, 1), 5], [2]))(
    _sgd(L)), TypeError, torch=SAME, note="FINDING: AttributeError \"'int' object has no attribute '_impl'\"; "
                                          "torch: TypeError")
case("SequentialLR:milestones_str",
     lambda L: (lambda o: _run(_S(L).SequentialLR(o, [_S(L).StepLR(o, 1), _S(L).StepLR(o, 1)], ["a"])))(_sgd(L)),
     TypeError, note=_RC)
case("SequentialLR:milestones_wrong_length",
     lambda L: (lambda o: _S(L).SequentialLR(o, [_S(L).StepLR(o, 1)], [2]))(_sgd(L)), ValueError, "milestone")
case("SequentialLR:empty", lambda L: _S(L).SequentialLR(_sgd(L), [], []), ValueError)
case("SequentialLR:milestones_unsorted",
     lambda L: (lambda o: _run(_S(L).SequentialLR(o, [_S(L).ConstantLR(o, 0.5), _S(L).StepLR(o, 1),
                                                      _S(L).ExponentialLR(o, 0.5)], [5, 2]), 8))(_sgd(L)), OK,
     check=lambda r: abs(r[0] - 0.0015625) < 1e-9)
case("ChainedScheduler:plateau_member_without_metric",
     lambda L: (lambda o: _run(_S(L).ChainedScheduler([_S(L).StepLR(o, 1), _S(L).ReduceLROnPlateau(o)])))(_sgd(L)),
     TypeError, "metrics", torch=None)
case("ChainedScheduler:plateau_member_metric_str",
     lambda L: (lambda o: _run(_S(L).ChainedScheduler([_S(L).StepLR(o, 1), _S(L).ReduceLROnPlateau(o)]), 3, "x"))(
         _sgd(L)), ValueError, torch=None)
case("ChainedScheduler:plateau_member_metric_nan",
     lambda L: (lambda o: _run(_S(L).ChainedScheduler([_S(L).ConstantLR(o, 0.5),
                                                       _S(L).ReduceLROnPlateau(o, patience=0)]), 4, math.nan))(
         _sgd(L)), OK, torch=None, check=_finite)
case("SequentialLR:plateau_then_step_without_metric",
     lambda L: (lambda o: _run(_S(L).SequentialLR(o, [_S(L).StepLR(o, 1), _S(L).ReduceLROnPlateau(o)], [2]), 3))(
         _sgd(L)), TypeError, "metrics", torch=None)
case("ChainedScheduler:load_state_dict_empty",
     lambda L: (lambda o: _S(L).ChainedScheduler([_S(L).StepLR(o, 1)]).load_state_dict({}))(_sgd(L)), KeyError)
case("ChainedScheduler:load_state_dict_without_members",
     lambda L: (lambda c: c.load_state_dict({k: v for k, v in c.state_dict().items() if k != "_schedulers"}))(
         (lambda o: _S(L).ChainedScheduler([_S(L).StepLR(o, 1)]))(_sgd(L))), KeyError, "_schedulers")

# ---- schedulers: load_state_dict garbage, step(epoch), optimizers changed under them --------------
case("sched:load_state_dict_None", lambda L: _S(L).StepLR(_sgd(L), 1).load_state_dict(None), TypeError,
     note="FINDING (minor): AttributeError \"'NoneType' object has no attribute 'items'\"; torch: TypeError")
case("sched:load_state_dict_list", lambda L: _S(L).StepLR(_sgd(L), 1).load_state_dict([1]), TypeError,
     note="FINDING (minor): AttributeError \"'list' object has no attribute 'items'\"; torch: TypeError")
case("sched:load_state_dict_empty", lambda L: _S(L).StepLR(_sgd(L), 1).load_state_dict({}), KeyError, "last_epoch",
     torch=OK)
case("sched:load_state_dict_last_epoch_str",
     lambda L: _S(L).StepLR(_sgd(L), 1).load_state_dict({"last_epoch": "x"}), ValueError, torch=OK)
case("sched:load_state_dict_last_epoch_inf",
     lambda L: _S(L).StepLR(_sgd(L), 1).load_state_dict({"last_epoch": math.inf}), (ValueError, OverflowError),
     torch=OK, note="OverflowError (int(inf)) is Python's own")
case("sched:load_state_dict_last_epoch_2**63",
     lambda L: _S(L).StepLR(_sgd(L), 1).load_state_dict({"last_epoch": 2 ** 63}), TypeError, torch=OK, note=_RC)
case("sched:load_state_dict_last_epoch_int64_max_then_step",
     lambda L: (lambda s: (s.load_state_dict({**s.state_dict(), "last_epoch": 2 ** 63 - 1}), _run(s, 1))[-1])(
         _S(L).StepLR(_sgd(L), 3)), (OK, ValueError), torch=None, check=_finite,
     note="FINDING: ++last_epoch overflows int64 (undefined behaviour): the rate becomes inf, silently; torch "
          "(Python ints) keeps 0.1")
case("sched:load_state_dict_base_lrs_str",
     lambda L: (lambda s: (s.load_state_dict({**s.state_dict(), "base_lrs": ["x"]}), _run(s))[-1])(
         _S(L).StepLR(_sgd(L), 1)), TypeError, torch=OK, note=_RC)
case("sched:load_state_dict_unexpected_state",
     lambda L: _S(L).StepLR(_sgd(L), 1).load_state_dict({"last_epoch": 1, "_state": [1.0]}), ValueError,
     "unexpected state", torch=None)
case("sched:load_state_dict_state_str",
     lambda L: _S(L).CosineAnnealingWarmRestarts(_sgd(L), 2).load_state_dict({"last_epoch": 1, "_state": ["a", "b"]}),
     ValueError, torch=None)
case("sched:load_state_dict_warm_restarts_T_cur_past_T_i",
     lambda L: _S(L).CosineAnnealingWarmRestarts(_sgd(L), 2).load_state_dict({"last_epoch": 1, "_state": [2.0, 5.0]}),
     ValueError, "T_cur", torch=None)
case("sched:load_state_dict_multiplicative_wrong_products",
     lambda L: _S(L).MultiplicativeLR(_sgd(L), lambda e: 0.9).load_state_dict({"last_epoch": 1, "_state": [1.0, 2.0]}),
     ValueError, "products", torch=None)
case("sched:load_state_dict_plateau_wrong_groups",
     lambda L: (lambda s: s.load_state_dict({**s.state_dict(), "_state": [1.0, 2.0]}))(_R(L)), ValueError, "groups",
     torch=None)
case("sched:load_state_dict_plateau_empty", lambda L: _R(L).load_state_dict({}), KeyError, torch=OK)
case("sched:step_epoch_str", lambda L: _S(L).StepLR(_sgd(L), 1).step("x"), (TypeError, ValueError),
     torch=TypeError)
case("sched:step_epoch_2**63", lambda L: _S(L).StepLR(_sgd(L), 1).step(2 ** 63), TypeError, torch=OK, note=_RC)
case("sched:step_epoch_history_dependent", lambda L: _S(L).MultiplicativeLR(_sgd(L), lambda e: 0.9).step(3),
     ValueError, "history", torch=None)
case("sched:not_an_optimizer", lambda L: _S(L).StepLR("x", 1), TypeError, "not an Optimizer")
case("sched:foreign_optimizer", lambda L: _S(L).StepLR(type("SGD", (), {"param_groups": [{"lr": 0.1}]})(), 1),
     TypeError, "not an Optimizer", torch=None)
case("sched:last_epoch_without_initial_lr", lambda L: _S(L).StepLR(_sgd(L), 1, last_epoch=5), KeyError, "initial_lr")
case("sched:group_lr_str", lambda L: (lambda o: (_set(o.param_groups[0], "lr", "x"), _run(_S(L).StepLR(o, 2))))(
    _sgd(L)), TypeError, note=_RC)
case("sched:step_size_group_added_after",
     lambda L: (lambda o, s: (o.add_param_group({"params": [_P(L, 2)]}), _run(s, 1)))(
         *(lambda o: (o, _S(L).StepLR(o, 1)))(_sgd(L))), ValueError, "group added", torch=OK,
     note="LIMITATION: torch's recursive StepLR goes on over the new group; ember's schedule has a base rate "
          "per group it was made with")
case("sched:per_group_lambdas_group_added_after",
     lambda L: (lambda o, s: (o.add_param_group({"params": [_P(L, 2)]}), _run(s, 1)))(
         *(lambda o: (o, _S(L).LambdaLR(o, [lambda e: 1.0, lambda e: 0.5])))(_sgd(L, n_groups=2))),
     (IndexError, ValueError), torch=ValueError)
case("sched:plateau_group_added_after",
     lambda L: (lambda o, s: (o.add_param_group({"params": [_P(L, 2)]}), _run(s, 1, 1.0)))(
         *(lambda o: (o, _S(L).ReduceLROnPlateau(o)))(_sgd(L))),
     (IndexError, ValueError), torch=OK, note="LIMITATION: torch's plateau scheduler goes on over the new group")

# ---- lr_finder.lr_range_test (ember only) ------------------------------------------------------
def _lrt(batches=None, optimizer=None, loss_fn=None, model=None, **kw):
    def fn(L):
        m = model(L) if model else L.nn.Linear(2, 1)
        o = optimizer(L, m) if optimizer else L.optim.SGD(m.parameters(), lr=0.1)
        x, y = L.ones(4, 2), L.zeros(4, 1)
        r = L.optim.lr_finder.lr_range_test(m, o, loss_fn or L.nn.MSELoss(),
                                            [(x, y)] if batches is None else batches(x, y), **kw)
        return len(r.lrs), r.suggestion, r.diverged
    return fn


def _pure_python_sgd(L, model):
    class PlainSGD(L.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        state = self.state[p]
                        state["step"] = state.get("step", 0) + 1  # a Python int, as many torch optimizers keep
                        with L.no_grad():
                            p.sub_(group["lr"] * p.grad)

    o = PlainSGD(model.parameters())
    model(L.ones(4, 2)).sum().backward()
    o.step()
    return o


case("lr_range_test:batches_empty", _lrt(batches=lambda x, y: []), ValueError, torch=None,
     note="FINDING: StopIteration leaks out of itertools.cycle([]); expected ValueError")
case("lr_range_test:diverge_threshold_nan", _lrt(diverge_threshold=math.nan, num_iter=5), ValueError, torch=None,
     note="FINDING: accepted (`diverge_threshold <= 1` lets NaN through), and then the sweep never stops early")
case("lr_range_test:skip_end_negative", _lrt(skip_end=-5, num_iter=20), ValueError, torch=None,
     note="FINDING: IndexError 'list index out of range' after the whole sweep (from _steepest_descent)")
case("lr_range_test:end_lr_inf", _lrt(end_lr=math.inf, num_iter=5), ValueError, torch=None,
     note="FINDING (minor): accepted; the rate jumps to inf at the second step and the sweep 'diverges'")
case("lr_range_test:pure_python_optimizer_with_state", _lrt(optimizer=_pure_python_sgd, num_iter=5), OK, torch=None,
     note="FINDING: AttributeError \"'int' object has no attribute 'clone'\" (the snapshot clones every state value)")
case("lr_range_test:start_lr_0", _lrt(start_lr=0), ValueError, "start_lr", torch=None)
case("lr_range_test:start_above_end", _lrt(start_lr=1.0, end_lr=0.1), ValueError, "start_lr", torch=None)
case("lr_range_test:start_lr_nan", _lrt(start_lr=math.nan), ValueError, "start_lr", torch=None)
case("lr_range_test:start_lr_str", _lrt(start_lr="x"), TypeError, torch=None)
case("lr_range_test:num_iter_1", _lrt(num_iter=1), ValueError, "num_iter", torch=None)
case("lr_range_test:num_iter_float", _lrt(num_iter=2.0), ValueError, "num_iter", torch=None)
case("lr_range_test:num_iter_bool", _lrt(num_iter=True), ValueError, "num_iter", torch=None)
case("lr_range_test:smooth_1", _lrt(smooth=1.0), ValueError, "smooth", torch=None)
case("lr_range_test:smooth_nan", _lrt(smooth=math.nan), ValueError, "smooth", torch=None)
case("lr_range_test:smooth_negative", _lrt(smooth=-0.5), ValueError, "smooth", torch=None)
case("lr_range_test:diverge_threshold_1", _lrt(diverge_threshold=1), ValueError, "diverge_threshold", torch=None)
case("lr_range_test:foreign_optimizer", _lrt(optimizer=lambda L, m: type("SGD", (), {"param_groups": []})()),
     TypeError, "not an ember.optim.Optimizer", torch=None)
case("lr_range_test:batches_int", _lrt(batches=lambda x, y: 5), TypeError, torch=None)
case("lr_range_test:batch_not_a_pair", _lrt(batches=lambda x, y: [1]), TypeError, torch=None)
case("lr_range_test:batch_triple", _lrt(batches=lambda x, y: [(x, y, y)]), ValueError, torch=None)
case("lr_range_test:loss_not_scalar", _lrt(loss_fn=lambda a, b: a, num_iter=3), RuntimeError, "scalar", torch=None)
case("lr_range_test:skip_start_negative", _lrt(skip_start=-5, num_iter=20), ValueError, "skip_start", torch=None)
case("lr_range_test:two_iterations", _lrt(num_iter=2, skip_start=0, skip_end=0), OK, torch=None,
     check=lambda r: r == (2, None, False))


# =============================================================================================
# Behaviour on odd but legal input (and the silently wrong results): the numbers torch gives
# =============================================================================================

def test_plateau_nan_and_inf_metrics_match_torch(torch):
    metrics = [1.0, math.nan, 0.5, math.inf, math.nan, math.nan, 0.1, -math.inf, math.nan, 2.0]

    def fn(L):
        o = _sgd(L, lr=1.0)
        s = L.optim.lr_scheduler.ReduceLROnPlateau(o, patience=1, cooldown=1, min_lr=1e-3, threshold_mode="abs")
        out = []
        for m in metrics:
            o.step()
            s.step(m)
            out.append(float(s.get_last_lr()[0]))
        return out
    e, t = _pair(torch, fn)
    np.testing.assert_allclose(e, t, rtol=1e-12)


def test_lr_range_test_restores_after_the_model_raises():
    m = ember.nn.Linear(2, 1)
    o = ember.optim.Adam(m.parameters(), lr=0.05)
    x, y = ember.ones(4, 2), ember.zeros(4, 1)
    m(x).sum().backward()
    o.step()
    before_w, before_state = _vals(m.weight), {i: {k: _vals(v) for k, v in s.items()}
                                               for i, s in o.state_dict()["state"].items()}
    calls = [0]

    def loss(a, b):
        calls[0] += 1
        if calls[0] == 4:
            raise KeyError("stop")
        return ((a - b) ** 2).mean()
    with pytest.raises(KeyError, match="stop"):
        ember.optim.lr_finder.lr_range_test(m, o, loss, [(x, y)], num_iter=10)
    assert _vals(m.weight) == before_w
    assert o.param_groups[0]["lr"] == 0.05
    assert {i: {k: _vals(v) for k, v in s.items()} for i, s in o.state_dict()["state"].items()} == before_state

"""Bad inputs to ember.optim's optimizers (SGD, Adagrad, RMSprop, Adam, AdamW) and the pure-Python
Optimizer base, their param_groups changed between steps, parameters and gradients swapped under
them, state_dict / load_state_dict with malformed dicts, copying and pickling, and
nn.utils.clip_grad_norm_ / clip_grad_value_. The schedules and the LR range test have their own
sweep (test_lr_scheduler_bad_inputs.py); the helpers both use are in optim_cases.py.

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
import copy
import math
import pickle
import warnings

import numpy as np
import pytest

import ember
from bad_inputs import OK, RC, SAME, Cases, Child, ChildRunner, _outcome, check_case
from optim_cases import (_P, _PRELUDE, _S, _grad, _group0, _load, _mutate_then_step, _pair, _set,
                         _sgd, _state0, _stepped, _vals)

try:
    import torch as _torch
except ImportError:  # the oracle checks are skipped, ember's own expectations still run
    _torch = None

_RC = RC


# =============================================================================================
# Child processes: crashes (out-of-bounds reads and writes in the C++ steps and schedules)
# =============================================================================================

def _state_expanded(make, key):
    # A live state tensor (opt.state[p][key] is the C++ tensor, as torch's) whose .data becomes a
    # stride-0 view of one element: the fused kernel writes numel elements into it.
    return (f"n = 200000\np = ember.zeros(n, requires_grad=True)\no = {make}\n"
            "p.grad = ember.ones(n)\no.step()\n"
            f"o.state[p]['{key}'].data = ember.ones(1).expand(n)\n"
            "p.grad = ember.ones(n)\no.step()\no.step()\n")


_EXPANDED_NOTE = ("FINDING: heap overflow (%s): the step writes every element of a state tensor whose .data "
                  "was made a stride-0 view (state_tensor checks shape and dtype, not contiguity); torch: "
                  "RuntimeError 'unsupported operation: more than one element of the written-to tensor refers "
                  "to a single memory location'")


CHILD_CASES = {
    # ---- state tensors re-pointed at overlapping memory -----------------------------------------
    "state:adam_exp_avg_data_expanded": Child(
        _state_expanded("ember.optim.Adam([p])", "exp_avg"), {"RuntimeError", "ValueError"},
        note=_EXPANDED_NOTE % "SIGSEGV or SIGABRT"),
    "state:sgd_momentum_buffer_data_expanded": Child(
        _state_expanded("ember.optim.SGD([p], momentum=0.9)", "momentum_buffer"), {"RuntimeError", "ValueError"},
        note=_EXPANDED_NOTE % "SIGSEGV or SIGABRT 'double free or corruption'"),
    "state:adagrad_sum_data_expanded": Child(
        _state_expanded("ember.optim.Adagrad([p])", "sum"), {"RuntimeError", "ValueError"},
        note=_EXPANDED_NOTE % "SIGSEGV or SIGABRT"),
    "state:rmsprop_square_avg_data_expanded": Child(
        _state_expanded("ember.optim.RMSprop([p], centered=True, momentum=0.5)", "square_avg"),
        {"RuntimeError", "ValueError"}, note=_EXPANDED_NOTE % "SIGSEGV or SIGABRT"),
    # ---- the parameter itself expanded: stepped in a copy, the write back refuses -----------------
    "param:expanded_leaf_step": Child(
        "p = ember.zeros(1).expand(100000).requires_grad_()\no = ember.optim.Adam([p])\n"
        "p.grad = ember.ones(100000)\no.step()", {"RuntimeError", "ValueError"}),
    # ---- many optimizers and steps on 0-element and 0-d parameters ----------------------------------
    "many:optimizers_on_empty_and_0d_params": Child(
        """
        kinds = [lambda q: ember.optim.SGD(q, lr=0.1, momentum=0.9, nesterov=True),
                 lambda q: ember.optim.Adagrad(q, lr_decay=0.1, weight_decay=0.1),
                 lambda q: ember.optim.RMSprop(q, centered=True, momentum=0.5),
                 lambda q: ember.optim.Adam(q, amsgrad=True), lambda q: ember.optim.AdamW(q)]
        for i in range(1500):
            ps = [ember.zeros(0, requires_grad=True), ember.zeros((), requires_grad=True),
                  ember.zeros(3, 0, requires_grad=True)]
            o = kinds[i % 5](ps)
            s = S.OneCycleLR(o, 1.0, total_steps=4) if i % 5 != 1 else S.StepLR(o, 1)
            for _ in range(3):
                for p in ps:
                    p.grad = ember.ones_like(p)
                o.step(); s.step(); o.zero_grad()
            o.load_state_dict(o.state_dict())
        _extra['p'] = float(ps[1])
        """, {"ok"}),
    # ---- copies ------------------------------------------------------------------------------
    "copy:deepcopy_and_pickle_optimizer_and_scheduler": Child(
        """
        import copy, pickle
        p = ember.zeros(2, requires_grad=True); o = ember.optim.Adam([p]); s = S.StepLR(o, 2)
        p.grad = ember.ones(2); o.step(); s.step()
        out = []
        for f in (lambda: copy.deepcopy(o), lambda: pickle.dumps(o), lambda: copy.deepcopy(s),
                  lambda: pickle.dumps(s), lambda: copy.deepcopy(o.state_dict())):
            try:
                f(); out.append('ok')
            except TypeError:
                out.append('TypeError')
        p.grad = ember.ones(2); o.step()  # still usable after the failed copies
        _extra['out'] = out
        """, {"ok"}),
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


# ---- optimizer hyperparameters: every numeric one, every kind of bad value --------------------
# Construct, then one step (torch checks some values only when it steps).

_HYPER = {"SGD": ["lr", "momentum", "dampening", "weight_decay"],
          "Adagrad": ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"],
          "RMSprop": ["lr", "alpha", "eps", "weight_decay", "momentum"],
          "Adam": ["lr", "eps", "weight_decay"], "AdamW": ["lr", "eps", "weight_decay"]}
_BAD = {"str": lambda L: "0.1", "None": lambda L: None, "list": lambda L: [0.1], "complex": lambda L: 1j,
        "tensor2": lambda L: L.tensor([0.1, 0.2]), "tensor0d": lambda L: L.tensor(0.1),
        "nan": lambda L: math.nan, "inf": lambda L: math.inf, "neg": lambda L: -1.0,
        "2**63": lambda L: 2 ** 63, "10**400": lambda L: 10 ** 400, "True": lambda L: True}


def _ember_hyper(hp, kind):
    if kind in ("str", "None", "list", "complex"):
        return TypeError
    if kind == "tensor2":
        return ValueError  # float() of a 2-element tensor
    if kind in ("nan", "neg"):
        return OK if hp == "dampening" else ValueError  # neither library checks dampening
    if kind == "10**400":
        return OverflowError  # float(10**400), as torch's comparisons / kernels
    return OK


def _torch_hyper(cls, hp, kind):
    """What torch 2.13 does (it checks at construction what its __init__ checks, the rest at step)."""
    if hp == "dampening":
        return OK  # never checked, used only with momentum
    sgd_lax = cls == "SGD" and hp in ("lr", "momentum", "weight_decay")  # SGD checks only `< 0`
    if kind in ("str", "None", "list", "complex"):
        return TypeError
    if kind == "tensor2":
        return ValueError if hp == "lr" else RuntimeError
    if kind == "nan":
        return OK if sgd_lax else ValueError
    if kind == "neg":
        return ValueError
    if kind == "10**400":
        return OK if (cls, hp) == ("SGD", "momentum") else OverflowError
    if kind == "True" and hp == "weight_decay" and cls != "AdamW":
        return RuntimeError  # 'Boolean alpha only supported for Boolean results'
    return OK


def _construct_and_step(cls, hp, kind):
    def fn(L):
        p = _P(L, 2)
        o = getattr(L.optim, cls)([p], **{hp: _BAD[kind](L)})
        _grad(L, p)
        o.step()
    return fn


for _cls, _hps in _HYPER.items():
    for _hp in _hps:
        for _kind in _BAD:
            case(f"hyper:{_cls}:{_hp}={_kind}", _construct_and_step(_cls, _hp, _kind), _ember_hyper(_hp, _kind),
                 torch=_torch_hyper(_cls, _hp, _kind))

for _cls in ("Adam", "AdamW"):
    def _betas(value, cls=_cls):
        def fn(L):
            p = _P(L, 2)
            o = getattr(L.optim, cls)([p], betas=value(L))
            _grad(L, p)
            o.step()
        return fn
    case(f"betas:{_cls}:beta1_str", _betas(lambda L: ("0.9", 0.99)), TypeError, "beta1")
    case(f"betas:{_cls}:beta2_None", _betas(lambda L: (0.9, None)), TypeError, "beta2")
    case(f"betas:{_cls}:beta1_nan", _betas(lambda L: (math.nan, 0.99)), ValueError, "index 0")
    case(f"betas:{_cls}:beta2_one", _betas(lambda L: (0.9, 1.0)), ValueError, "index 1")
    case(f"betas:{_cls}:beta1_negative", _betas(lambda L: (-0.1, 0.99)), ValueError, "index 0")
    case(f"betas:{_cls}:float", _betas(lambda L: 0.9), TypeError)
    case(f"betas:{_cls}:three", _betas(lambda L: (0.9, 0.9, 0.9)), ValueError, "pair", torch=SAME,
         note="FINDING (minor): TypeError 'betas must be a pair of numbers' for a wrong length; torch: ValueError "
              "('too many values to unpack' at step); ember's convention: ValueError for a bad value")
    case(f"betas:{_cls}:one", _betas(lambda L: (0.9,)), ValueError, "pair", torch=IndexError,
         note="FINDING (minor): TypeError for a wrong length (as above); torch: IndexError")
    case(f"betas:{_cls}:set", _betas(lambda L: {0.9, 0.99}), TypeError, torch=SAME,
         note="FINDING: a set is taken as betas (Adam.__init__ does tuple(betas), in hash order); torch: "
              "TypeError ('set' object is not subscriptable)")
    case(f"betas:{_cls}:dict", _betas(lambda L: {0.9: 0, 0.99: 1}), TypeError, torch=KeyError,
         note="FINDING: a dict's keys are taken as betas; torch: KeyError 0")
    case(f"betas:{_cls}:generator", _betas(lambda L: (b for b in (0.9, 0.99))), TypeError, "pair", torch=SAME)
    case(f"betas:{_cls}:tensor", _betas(lambda L: L.tensor([0.9, 0.99])), OK)
    case(f"betas:{_cls}:0d_tensors", _betas(lambda L: (L.tensor(0.9), L.tensor(0.99))), OK)

for _cls, _flag in [("SGD", "nesterov"), ("SGD", "maximize"), ("Adam", "amsgrad"), ("RMSprop", "centered"),
                    ("Adagrad", "maximize")]:
    def _flagged(value, cls=_cls, flag=_flag):
        def fn(L):
            kw = {flag: value(L), **({"momentum": 0.9} if flag == "nesterov" else {})}
            o, _ = _stepped(L, cls, **kw)
        return fn
    case(f"flag:{_cls}:{_flag}=str", _flagged(lambda L: "yes"), OK)  # truthy, as torch's `if flag:`
    case(f"flag:{_cls}:{_flag}=None", _flagged(lambda L: None), OK)
    case(f"flag:{_cls}:{_flag}=nan", _flagged(lambda L: math.nan), OK)
    case(f"flag:{_cls}:{_flag}=tensor2", _flagged(lambda L: L.tensor([1.0, 0.0])), RuntimeError)

case("hyper:SGD:nesterov_without_momentum", lambda L: L.optim.SGD([_P(L, 2)], nesterov=True), ValueError, "Nesterov")
case("hyper:SGD:nesterov_with_dampening",
     lambda L: L.optim.SGD([_P(L, 2)], momentum=0.9, dampening=0.1, nesterov=True), ValueError, "Nesterov")
case("hyper:Adam:capturable", lambda L: L.optim.Adam([_P(L, 2)], capturable=True), ValueError, "capturable",
     torch=OK, note="LIMITATION: torch accepts it on CPU")
case("hyper:SGD:lr_tensor_requires_grad", lambda L: _stepped(L, "SGD", lr=L.tensor(0.1, requires_grad=True)), OK,
     torch=None)

# ---- params ------------------------------------------------------------------------------------
case("params:tensor", lambda L: L.optim.SGD(_P(L, 2)), TypeError, "iterable of Tensors")
case("params:set", lambda L: L.optim.SGD({_P(L, 2)}), OK)  # both take list(params) first
case("params:set_in_group", lambda L: L.optim.SGD([{"params": {_P(L, 2)}}]), TypeError, "ordered collections")
case("params:consumed_generator", lambda L: (lambda g: (list(g), L.optim.SGD(g)))(iter([_P(L, 2)])), ValueError,
     "empty parameter list")
case("params:empty_list", lambda L: L.optim.Adam([]), ValueError, "empty parameter list")
case("params:None_entry", lambda L: L.optim.Adam([None]), TypeError, "NoneType")
case("params:int_entry", lambda L: L.optim.Adam([1]), TypeError, "int")
case("params:str", lambda L: L.optim.Adam("ab"), TypeError, "str")
case("params:dict_not_in_a_list", lambda L: L.optim.Adam({"params": [_P(L, 2)]}), TypeError)
case("params:int_tensor", lambda L: L.optim.SGD([L.tensor([1, 2])]), TypeError, "floating-point", torch=OK)
case("params:bool_tensor", lambda L: L.optim.Adam([L.tensor([True])]), TypeError, "floating-point", torch=OK)
case("params:non_leaf", lambda L: L.optim.SGD([_P(L, 2) * 2]), ValueError, "non-leaf")
case("params:duplicate_in_group", lambda L: (lambda p: L.optim.SGD([p, p]))(_P(L, 2)), ValueError, "twice",
     torch=OK, note="torch only warns ('duplicate parameters; in future, this will cause an error')")
case("params:duplicate_across_groups", lambda L: (lambda p: L.optim.SGD([{"params": [p]}, {"params": [p]}]))(_P(L, 2)),
     ValueError, "more than one parameter group")
case("params:empty_group", lambda L: L.optim.SGD([{"params": []}]), ValueError, "empty", torch=OK,
     note="LIMITATION: torch accepts an empty group")
case("params:group_without_params", lambda L: L.optim.SGD([{"lr": 0.1}]), KeyError, "params")
case("params:group_params_None", lambda L: L.optim.SGD([{"params": None}]), TypeError)
case("params:tensor_then_dict", lambda L: L.optim.SGD([_P(L, 2), {"params": [_P(L, 2)]}]), TypeError, "dict")
case("params:dict_then_tensor", lambda L: L.optim.SGD([{"params": [_P(L, 2)]}, _P(L, 2)]), TypeError,
     "param_group must be a dict")
case("params:named_and_unnamed", lambda L: L.optim.SGD([("w", _P(L, 2)), _P(L, 2)]), TypeError, "tuple",
     torch=ValueError)
case("params:named_with_int_name", lambda L: L.optim.SGD([(1, _P(L, 2))]), TypeError, "tuple", torch=OK)
case("params:named_parameters",
     lambda L: (lambda m: (_grad(L, *m.parameters()), L.optim.Adam(m.named_parameters()).step()))(L.nn.Linear(2, 2)),
     OK)
case("params:requires_grad_false", lambda L: L.optim.SGD([L.zeros(2)]).step(), OK)

# ---- add_param_group ---------------------------------------------------------------------------
case("add_group:duplicate", lambda L: (lambda p: L.optim.SGD([p]).add_param_group({"params": [p]}))(_P(L, 2)),
     ValueError, "more than one parameter group")
case("add_group:empty", lambda L: _sgd(L).add_param_group({"params": []}), ValueError, "empty", torch=OK,
     note="LIMITATION: torch accepts an empty group")
case("add_group:set", lambda L: _sgd(L).add_param_group({"params": {_P(L, 2)}}), TypeError, "ordered collections")
case("add_group:list", lambda L: _sgd(L).add_param_group([_P(L, 2)]), TypeError, "must be a dict")
case("add_group:no_params", lambda L: _sgd(L).add_param_group({"lr": 0.1}), KeyError, "params")
case("add_group:non_leaf", lambda L: _sgd(L).add_param_group({"params": [_P(L, 2) * 2]}), ValueError, "non-leaf")
case("add_group:negative_lr", lambda L: _sgd(L).add_param_group({"params": [_P(L, 2)], "lr": -1}), ValueError,
     "learning rate", torch=OK, note="torch checks hyperparameters in __init__ only")
case("add_group:lr_str", lambda L: _sgd(L).add_param_group({"params": [_P(L, 2)], "lr": "x"}), TypeError, "lr",
     torch=OK)
case("add_group:int_tensor", lambda L: _sgd(L).add_param_group({"params": [L.tensor([1])]}), TypeError,
     "floating-point", torch=OK)
case("add_group:atomic_after_failure",
     lambda L: (lambda o: (_outcome(lambda: o.add_param_group({"params": [_P(L, 2), _P(L, 2) * 2]})),
                           o.add_param_group({"params": [_P(L, 2)]}), _grad(L, *o.param_groups[-1]["params"]),
                           o.step(), len(o.param_groups))[-1])(_sgd(L)), OK, check=lambda n: n == 2)

# ---- param_groups changed between steps -------------------------------------------------------
case("groups:lr_str", lambda L: _mutate_then_step(L, "SGD", lambda L, o, q: _set(o.param_groups[0], "lr", "x")),
     TypeError, "lr")
case("groups:lr_None", lambda L: _mutate_then_step(L, "Adam", lambda L, o, q: _set(o.param_groups[0], "lr", None)),
     TypeError, "lr")
case("groups:lr_list", lambda L: _mutate_then_step(L, "SGD", lambda L, o, q: _set(o.param_groups[0], "lr", [0.1])),
     TypeError, "lr")
case("groups:lr_tensor2",
     lambda L: _mutate_then_step(L, "Adam", lambda L, o, q: _set(o.param_groups[0], "lr", L.tensor([0.1, 0.2]))),
     ValueError, torch=TypeError)
case("groups:momentum_str",
     lambda L: _mutate_then_step(L, "SGD", lambda L, o, q: _set(o.param_groups[0], "momentum", "x"), momentum=0.9),
     TypeError, "momentum")
case("groups:eps_None", lambda L: _mutate_then_step(L, "RMSprop", lambda L, o, q: _set(o.param_groups[0], "eps", None)),
     TypeError, "eps")
case("groups:betas_three",
     lambda L: _mutate_then_step(L, "Adam", lambda L, o, q: _set(o.param_groups[0], "betas", (0.9, 0.9, 0.9))),
     ValueError, "pair", note="FINDING (minor): TypeError for a wrong length; torch: ValueError 'too many values "
                              "to unpack'")
case("groups:betas_str", lambda L: _mutate_then_step(L, "Adam", lambda L, o, q: _set(o.param_groups[0], "betas", "ab")),
     TypeError)
case("groups:betas_None",
     lambda L: _mutate_then_step(L, "Adam", lambda L, o, q: _set(o.param_groups[0], "betas", None)), TypeError)
case("groups:lr_negative", lambda L: _mutate_then_step(L, "Adam", lambda L, o, q: _set(o.param_groups[0], "lr", -1.0)),
     OK)  # neither library re-checks between steps
case("groups:nesterov_on_without_momentum",
     lambda L: _mutate_then_step(L, "SGD", lambda L, o, q: _set(o.param_groups[0], "nesterov", True)), OK)
case("groups:amsgrad_turned_on",
     lambda L: _mutate_then_step(L, "Adam", lambda L, o, q: _set(o.param_groups[0], "amsgrad", True)), OK,
     torch=KeyError, note="ember starts max_exp_avg_sq at zero; torch: KeyError 'max_exp_avg_sq'")
case("groups:group_replaced_by_list",
     lambda L: _mutate_then_step(L, "SGD", lambda L, o, q: o.param_groups.__setitem__(0, [1])), TypeError)
case("groups:param_groups_None",
     lambda L: _mutate_then_step(L, "SGD", lambda L, o, q: setattr(o, "param_groups", None)), TypeError)
case("groups:param_groups_tuple",
     lambda L: _mutate_then_step(L, "SGD", lambda L, o, q: setattr(o, "param_groups", tuple(o.param_groups))),
     TypeError, torch=OK, note=_RC + " ('_step(): incompatible function arguments'); torch iterates a tuple fine")
case("groups:appended_by_hand",
     lambda L: _mutate_then_step(L, "SGD", lambda L, o, q: o.param_groups.append({**o.param_groups[0], "params": [q]})),
     ValueError, "add_param_group", torch=OK,
     note="LIMITATION: torch steps a group appended by hand; ember asks for add_param_group")
case("groups:deleted_by_hand",
     lambda L: _mutate_then_step(L, "SGD", lambda L, o, q: (o.add_param_group({"params": [q]}), o.param_groups.pop(0))),
     ValueError, "param_groups has 1 groups", torch=OK, note="LIMITATION: torch steps the groups left")
case("groups:cleared", lambda L: _mutate_then_step(L, "SGD", lambda L, o, q: o.param_groups.clear()), ValueError,
     torch=OK, note="LIMITATION")
_DEL_NOTE = ("FINDING: with '%s' deleted from the group, ember steps silently with the value it read last (the C++ "
             "options keep it); torch: KeyError '%s'")
case("groups:lr_deleted", lambda L: _mutate_then_step(L, "SGD", lambda L, o, q: o.param_groups[0].pop("lr")),
     KeyError, "lr", note=_DEL_NOTE % ("lr", "lr"))
case("groups:momentum_deleted",
     lambda L: _mutate_then_step(L, "SGD", lambda L, o, q: o.param_groups[0].pop("momentum"), momentum=0.9),
     KeyError, "momentum", note=_DEL_NOTE % ("momentum", "momentum"))
case("groups:betas_deleted", lambda L: _mutate_then_step(L, "Adam", lambda L, o, q: o.param_groups[0].pop("betas")),
     KeyError, "betas", note=_DEL_NOTE % ("betas", "betas"))
case("groups:params_deleted", lambda L: _mutate_then_step(L, "SGD", lambda L, o, q: o.param_groups[0].pop("params")),
     (KeyError, ValueError), "params", note="FINDING: the group's 'params' entry is never read by step: deleting "
                                            "it changes nothing; torch: KeyError 'params'")
case("groups:params_str",
     lambda L: _mutate_then_step(L, "SGD", lambda L, o, q: _set(o.param_groups[0], "params", "x")),
     (TypeError, ValueError), torch=AttributeError,
     note="FINDING: 'params' = 'x' is ignored and the old parameter stepped; torch: AttributeError "
          "('str' object has no attribute 'grad')")
case("groups:params_appended_then_state_dict",
     lambda L: (lambda o, p, q: (o.param_groups[0]["params"].append(q), _grad(L, p, q), o.step(),
                                 sorted(o.state_dict()["param_groups"][0]["params"]), _vals(q))[-2:])(
         *_stepped(L, "SGD", momentum=0.9), _P(L, 2)),
     (OK, ValueError), check=lambda r: r == [[0, 1], [-0.001, -0.001]],
     note="FINDING: the appended parameter is not stepped (see test_group_params_entry_is_what_step_uses) and "
          "state_dict raises IndexError 'SGD: parameter index 1 is out of range'; torch steps it and saves its "
          "state (a ValueError from step, refusing the changed list, would do too)")
case("zero_grad:set_to_none_str", lambda L: _stepped(L, "SGD")[0].zero_grad("yes"), TypeError, torch=OK,
     note=_RC + " ('zero_grad(): incompatible function arguments'); torch takes any truthy value")
case("zero_grad:set_to_none_None", lambda L: _stepped(L, "SGD")[0].zero_grad(None), OK)
case("step:closure_not_callable", lambda L: _stepped(L, "SGD")[0].step(5), TypeError, "not callable")
case("step:closure_raises", lambda L: _stepped(L, "SGD")[0].step(lambda: 1 / 0), ZeroDivisionError)
case("step:closure_returns_str", lambda L: _stepped(L, "SGD")[0].step(lambda: "x"), OK, check=lambda r: r == "x")
case("step:closure_adds_group",
     lambda L: (lambda o: (o.step(lambda: o.add_param_group({"params": [_P(L, 2)]})), len(o.param_groups))[1])(
         _stepped(L, "Adam")[0]), OK, check=lambda n: n == 2)

# ---- parameters and gradients swapped under the optimizer --------------------------------------
def _set_grad(L, make):
    p = _P(L, 2)
    o = L.optim.SGD([p], lr=1.0)
    p.grad = make(L)
    o.step()
    return _vals(p)


def _swap_data(L, cls, make, n=1, **kw):
    o, p = _stepped(L, cls, n=n, **kw)
    p.data = make(L)
    _grad(L, p)
    o.step()
    return _vals(p)


case("grad:other_shape", lambda L: _set_grad(L, lambda L: L.ones(3)), RuntimeError, "shape")
case("grad:0d", lambda L: _set_grad(L, lambda L: L.tensor(1.0)), RuntimeError, "shape")
case("grad:int64", lambda L: _set_grad(L, lambda L: L.tensor([1, 2])), TypeError, "dtype", torch=RuntimeError)
case("grad:float64", lambda L: _set_grad(L, lambda L: L.ones(2, dtype=L.float64)), TypeError, "dtype",
     torch=RuntimeError)
case("grad:list", lambda L: _set_grad(L, lambda L: [1.0, 2.0]), TypeError)
case("grad:nan_and_inf", lambda L: _set_grad(L, lambda L: L.tensor([math.nan, math.inf])), OK,
     check=lambda v: math.isnan(v[0]) and v[1] == -math.inf)
case("grad:aliases_the_parameter",
     lambda L: (lambda p: (setattr(p, "grad", p.detach()), L.optim.Adam([p], lr=0.1).step(), _vals(p))[-1])(
         L.ones(3, requires_grad=True)), OK, check=lambda v: v == [0.9, 0.9, 0.9])
case("data:other_shape_sgd_stateless", lambda L: _swap_data(L, "SGD", lambda L: L.zeros(3)), OK)
case("data:other_shape_sgd_momentum", lambda L: _swap_data(L, "SGD", lambda L: L.zeros(3), momentum=0.9),
     ValueError, "momentum_buffer", torch=RuntimeError)
case("data:other_shape_adam", lambda L: _swap_data(L, "Adam", lambda L: L.zeros(3)), ValueError, "exp_avg",
     torch=RuntimeError)
case("data:empty_adam", lambda L: _swap_data(L, "Adam", lambda L: L.zeros(0)), ValueError, "exp_avg",
     torch=RuntimeError)
case("data:float64_adam", lambda L: _swap_data(L, "Adam", lambda L: L.zeros(2, dtype=L.float64)), ValueError,
     "float64", torch=RuntimeError)
case("data:other_shape_adagrad_before_first_step", lambda L: _swap_data(L, "Adagrad", lambda L: L.zeros(3), n=0),
     ValueError, "sum", torch=RuntimeError)
case("data:other_shape_rmsprop", lambda L: _swap_data(L, "RMSprop", lambda L: L.zeros(2, 2)), ValueError,
     "square_avg", torch=RuntimeError)
case("data:int64", lambda L: _swap_data(L, "SGD", lambda L: L.tensor([1, 2])), RuntimeError, "floating point")
case("data:bool", lambda L: _swap_data(L, "Adam", lambda L: L.tensor([True, False]), n=0), RuntimeError,
     "floating point")
case("data:non_contiguous", lambda L: _swap_data(L, "Adam", lambda L: L.ones(2, 2)[:, 0]), OK)
case("data:expanded_sgd", lambda L: _swap_data(L, "SGD", lambda L: L.zeros(1).expand(2)), RuntimeError,
     "single memory location")

# ---- load_state_dict -----------------------------------------------------------------------------
case("load:list", lambda L: _stepped(L)[0].load_state_dict([]), TypeError, torch=SAME,
     note="FINDING (minor): ValueError for a list (a bad kind); torch and ember's Module.load_state_dict: TypeError")
case("load:None", lambda L: _stepped(L)[0].load_state_dict(None), TypeError, torch=AttributeError,
     note="FINDING (minor): ValueError for None (a bad kind); Module.load_state_dict: TypeError")
case("load:no_state", lambda L: _load(L, lambda L, sd: {"param_groups": sd["param_groups"]}), ValueError, "state",
     torch=KeyError)
case("load:no_param_groups", lambda L: _load(L, lambda L, sd: {"state": sd["state"]}), ValueError, "param_groups",
     torch=KeyError)
case("load:zero_groups", lambda L: _load(L, lambda L, sd: {**sd, "param_groups": []}), ValueError,
     "number of parameter groups")
case("load:two_groups", lambda L: _load(L, lambda L, sd: {**sd, "param_groups": sd["param_groups"] * 2}), ValueError,
     "number of parameter groups")
case("load:groups_int", lambda L: _load(L, lambda L, sd: {**sd, "param_groups": 5}), TypeError)
case("load:group_not_dict", lambda L: _load(L, lambda L, sd: {**sd, "param_groups": [5]}), TypeError)
case("load:group_without_params", lambda L: _load(L, lambda L, sd: {**sd, "param_groups": [{"lr": 0.1}]}), KeyError)
case("load:group_two_ids", lambda L: _load(L, lambda L, sd: _group0(sd, params=[0, 1])), ValueError, "size")
case("load:group_id_unknown", lambda L: _load(L, lambda L, sd: _group0(sd, params=[5])), OK)  # no state for it
case("load:state_index_out_of_range", lambda L: _load(L, lambda L, sd: {**sd, "state": {**sd["state"], 7: {}}}), OK)
case("load:state_list", lambda L: _load(L, lambda L, sd: {**sd, "state": [1]}), AttributeError)
case("load:state_value_int", lambda L: _load(L, lambda L, sd: {**sd, "state": {0: 5}}), TypeError)
case("load:group_without_lr", lambda L: _load(L, lambda L, sd: _group0(sd, drop=("lr",))), KeyError, "lr",
     note="FINDING: a saved group without 'lr' is loaded and stepped with the lr from before; torch: KeyError at step")
case("load:group_lr_str", lambda L: _load(L, lambda L, sd: _group0(sd, lr="x")), TypeError)
case("load:step_negative", lambda L: _load(L, lambda L, sd: _state0(sd, step=L.tensor(-3.0))), ValueError,
     "non-negative", torch=RuntimeError)
case("load:step_nan", lambda L: _load(L, lambda L, sd: _state0(sd, step=math.nan)), ValueError, torch=OK)
case("load:step_inf", lambda L: _load(L, lambda L, sd: _state0(sd, step=math.inf)), (ValueError, OverflowError),
     torch=OK, note="OverflowError (int(inf)) is Python's own; torch accepts the value")
case("load:step_1e20", lambda L: _load(L, lambda L, sd: _state0(sd, step=L.tensor(1e20))), (TypeError, ValueError),
     torch=OK, note=_RC + " ('_set_state(): incompatible function arguments' for a step beyond int64)")
case("load:step_str", lambda L: _load(L, lambda L, sd: _state0(sd, step="3")), (TypeError, ValueError),
     torch=ValueError, note="FINDING (minor): step '3' is taken as 3 (int(step)); torch: ValueError")
case("load:step_two_elements", lambda L: _load(L, lambda L, sd: _state0(sd, step=L.tensor([1.0, 2.0]))), ValueError,
     torch=RuntimeError)
case("load:state_int", lambda L: _load(L, lambda L, sd: _state0(sd, exp_avg=3)), TypeError, "not a tensor",
     torch=AttributeError)
case("load:state_None", lambda L: _load(L, lambda L, sd: _state0(sd, exp_avg=None)), TypeError, "not a tensor",
     torch=AttributeError)
case("load:state_wrong_shape", lambda L: _load(L, lambda L, sd: _state0(sd, exp_avg=L.zeros(3))), ValueError,
     "shape", torch=RuntimeError)
case("load:state_0d", lambda L: _load(L, lambda L, sd: _state0(sd, exp_avg=L.tensor(1.0))), ValueError, "shape",
     torch=RuntimeError)
case("load:state_int64_tensor", lambda L: _load(L, lambda L, sd: _state0(sd, exp_avg=L.tensor([1, 2]))), OK)
case("load:state_non_contiguous", lambda L: _load(L, lambda L, sd: _state0(sd, exp_avg=L.ones(2, 2)[:, 0])), OK)
case("load:state_int_name", lambda L: _load(L, lambda L, sd: {**sd, "state": {0: {**sd["state"][0], 5: L.ones(2)}}}),
     TypeError, torch=OK, note=_RC + " ('_set_state(): incompatible function arguments' for a non-str name)")
case("load:state_missing_exp_avg",
     lambda L: _load(L, lambda L, sd: {**sd, "state": {0: {"exp_avg_sq": L.ones(2), "step": L.tensor(1.0)}}}),
     (KeyError, ValueError), torch=KeyError,
     note="FINDING: a state without 'exp_avg' is loaded and the step goes on with exp_avg = 0; torch: KeyError "
          "'exp_avg'")
case("load:sgd_state_into_adam",
     lambda L: (lambda sd, o, p: (o.load_state_dict(sd), _grad(L, p), o.step()))(
         _stepped(L, "SGD", momentum=0.9)[0].state_dict(), *_stepped(L, "Adam", n=0)),
     (KeyError, ValueError), torch=KeyError,
     note="FINDING: an SGD state dict (no 'step', no 'betas', no 'eps', a 'momentum_buffer') loads into Adam, which "
          "then steps with its old betas / eps and fresh moments; torch: KeyError 'step'")

# ---- copies and pickles (torch supports them all) --------------------------------------------------
case("copy:copy_optimizer", lambda L: (lambda o: (copy.copy(o).step(), o.step()))(_stepped(L)[0]), OK)
case("copy:deepcopy_optimizer", lambda L: copy.deepcopy(_stepped(L)[0]).step(), OK)
case("copy:pickle_optimizer", lambda L: pickle.loads(pickle.dumps(_stepped(L)[0])).step(), OK)
case("copy:deepcopy_state_dict", lambda L: copy.deepcopy(_stepped(L)[0].state_dict()), OK)
case("copy:deepcopy_scheduler", lambda L: copy.deepcopy(_S(L).StepLR(_sgd(L), 2)).step(), OK)
case("copy:pickle_scheduler", lambda L: pickle.loads(pickle.dumps(_S(L).StepLR(_sgd(L), 2))).step(), OK)
case("copy:pickle_scheduler_state_dict",
     lambda L: pickle.loads(pickle.dumps(_S(L).ReduceLROnPlateau(_sgd(L)).state_dict())), OK)
case("copy:deepcopy_scheduler_state_dict", lambda L: copy.deepcopy(_S(L).CosineAnnealingWarmRestarts(_sgd(L), 2)
                                                                  .state_dict()), OK)


# ---- the pure-Python Optimizer base ---------------------------------------------------------------
def _base(L):
    class Base(L.optim.Optimizer):
        pass
    return Base


case("base:step_not_implemented", lambda L: _base(L)([_P(L, 2)], {}).step(), NotImplementedError,
     note="FINDING: AttributeError \"'NoneType' object has no attribute '_step'\"; torch: NotImplementedError")
case("base:non_leaf", lambda L: _base(L)([_P(L, 2) * 2], {}), ValueError, "non-leaf",
     note="FINDING: a pure-Python optimizer accepts a non-leaf tensor (add_param_group checks leaves only in C++); "
          "torch: ValueError \"can't optimize a non-leaf Tensor\"")
case("base:int_tensor", lambda L: _base(L)([L.tensor([1, 2])], {}), OK)
case("base:duplicate_across_groups",
     lambda L: (lambda p: _base(L)([{"params": [p]}, {"params": [p]}], {}))(_P(L, 2)), ValueError, "more than one")
case("base:defaults_None", lambda L: _base(L)([_P(L, 2)], None), AttributeError)
case("base:zero_grad_keep", lambda L: (lambda p: (setattr(p, "grad", L.ones(2)), _base(L)([p], {}).zero_grad(False),
                                                  _vals(p.grad))[-1])(_P(L, 2)), OK, check=lambda v: v == [0, 0])
case("base:state_dict_roundtrip",
     lambda L: (lambda o: (o.state.__getitem__(o.param_groups[0]["params"][0]).update(step=3, buf=[1]),
                           o.load_state_dict(o.state_dict()), o.state_dict()["state"])[-1])(_base(L)([_P(L, 2)], {})),
     OK, check=lambda s: s == {0: {"step": 3, "buf": [1]}})

# ---- nn.utils.clip_grad_norm_ / clip_grad_value_ ------------------------------------------------
def _gp(L, vals):
    p = L.tensor(np.zeros(len(vals), dtype="float32"), requires_grad=True)
    p.grad = L.tensor(np.array(vals, dtype="float32"))
    return p


def _clip(vals, *args, **kw):
    def fn(L):
        p = _gp(L, vals)
        n = L.nn.utils.clip_grad_norm_([p], *args, **kw)
        return round(float(n), 5), _vals(p.grad)
    return fn


def _clipv(vals, value):
    def fn(L):
        p = _gp(L, vals)
        L.nn.utils.clip_grad_value_([p], value)
        return _vals(p.grad)
    return fn


case("clip_norm:max_norm_nan", _clip([3., 4.], math.nan), OK, check=lambda r: all(map(math.isnan, r[1])))
case("clip_norm:max_norm_negative", _clip([3., 4.], -1.0), OK, check=lambda r: r == (5.0, [-0.6, -0.8]))
case("clip_norm:max_norm_numeric_str", _clip([3., 4.], "1"), OK)  # both float() it
case("clip_norm:max_norm_str", _clip([3., 4.], "x"), ValueError)
case("clip_norm:max_norm_None", _clip([3., 4.], None), TypeError)
case("clip_norm:max_norm_inf", _clip([3., 4.], math.inf), OK, check=lambda r: r == (5.0, [3.0, 4.0]))
case("clip_norm:max_norm_10**400", _clip([3., 4.], 10 ** 400), OverflowError)
case("clip_norm:max_norm_tensor", lambda L: _clip([3., 4.], L.tensor(1.0))(L), OK,
     check=lambda r: r == (5.0, [0.6, 0.8]))
case("clip_norm:norm_type_str", _clip([3., 4.], 1.0, "x"), ValueError)
case("clip_norm:norm_type_inf_str", _clip([3., 4.], 1.0, "inf"), OK, check=lambda r: r[0] == 4.0)
case("clip_norm:norm_type_None", _clip([3., 4.], 1.0, None), TypeError)
case("clip_norm:norm_type_nan", _clip([3., 4.], 1.0, math.nan), ValueError, "NaN", torch=OK)
case("clip_norm:nonfinite_error", _clip([math.inf, 4.], 1.0, error_if_nonfinite=True), RuntimeError, "non-finite")
case("clip_norm:nan_error", _clip([math.nan, 4.], 1.0, error_if_nonfinite=True), RuntimeError, "non-finite")
case("clip_norm:error_if_nonfinite_str", _clip([3., 4.], 1.0, error_if_nonfinite="yes"), TypeError, torch=OK,
     note=_RC + "; torch takes any truthy value")
case("clip_norm:empty_list", lambda L: float(L.nn.utils.clip_grad_norm_([], 1.0)), OK, check=lambda r: r == 0.0)
case("clip_norm:no_grad", lambda L: float(L.nn.utils.clip_grad_norm_([_P(L, 2)], 1.0)), OK, check=lambda r: r == 0.0)
case("clip_norm:set", lambda L: float(L.nn.utils.clip_grad_norm_({_gp(L, [3., 4.])}, 1.0)), OK)
case("clip_norm:int_entry", lambda L: L.nn.utils.clip_grad_norm_([1, 2], 1.0), TypeError, torch=AttributeError)
case("clip_norm:None_entry", lambda L: L.nn.utils.clip_grad_norm_([None], 1.0), TypeError, torch=AttributeError)
for _nt, _exc, _tor in [(-1.0, IndexError, RuntimeError), (-2.0, IndexError, RuntimeError),
                        (math.inf, IndexError, RuntimeError), (-math.inf, IndexError, RuntimeError), (0.0, OK, OK),
                        (1.0, OK, OK)]:
    # An empty gradient next to a non-empty one: torch's vector_norm refuses orders without an
    # identity (negative, +-inf) on empty tensors; ember's norm too (IndexError, as torch's max on
    # an empty dim).
    case(f"clip_norm:empty_grad_norm_type_{_nt}",
         lambda L, nt=_nt: float(L.nn.utils.clip_grad_norm_([_gp(L, []), _gp(L, [3., 4.])], 1.0, nt)), _exc,
         torch=_tor)
case("clip_value:nan", _clipv([3., -4.], math.nan), ValueError, "NaN", torch=OK)
case("clip_value:negative", _clipv([3., -4., 0.5], -1.0), OK, check=lambda r: r == [-1.0, -1.0, -1.0])
case("clip_value:inf", _clipv([3., -4.], math.inf), OK, check=lambda r: r == [3.0, -4.0])
case("clip_value:str", _clipv([3., -4.], "x"), ValueError)
case("clip_value:None", _clipv([3., -4.], None), TypeError)
case("clip_value:nan_grad", _clipv([math.nan, -4.], 1.0), OK, check=lambda r: math.isnan(r[0]) and r[1] == -1.0)
case("clip_value:empty_list", lambda L: L.nn.utils.clip_grad_value_([], 1.0), OK, torch=RuntimeError)
case("clip_value:no_grad", lambda L: L.nn.utils.clip_grad_value_([_P(L, 2)], 1.0), OK, torch=RuntimeError)
case("clip_value:int_entry", lambda L: L.nn.utils.clip_grad_value_([1], 1.0), TypeError, torch=AttributeError)


# =============================================================================================
# Behaviour on odd but legal input (and the silently wrong results): the numbers torch gives
# =============================================================================================


@pytest.mark.parametrize("how", ["replaced", "appended", "groups_reversed"])
def test_group_params_entry_is_what_step_uses(torch, how):
    """FINDING: the C++ optimizer keeps the parameters it was made with and reads only the
    hyperparameters from param_groups (by position): replacing a group's 'params', appending to it
    or reordering the groups is silently ignored (a group's lr is applied to the other group's
    parameters). torch steps exactly what each group's 'params' holds; a ValueError refusing the
    changed list (as ember refuses groups appended by hand) would do too."""
    def fn(L):
        p, q = _P(L, 2), _P(L, 2)
        o = L.optim.SGD([p], lr=1.0)
        if how == "replaced":
            o.param_groups[0]["params"] = [q]
        elif how == "appended":
            o.param_groups[0]["params"].append(q)
        else:
            o.add_param_group({"params": [q], "lr": 0.5})
            o.param_groups.reverse()
        _grad(L, p, q)
        o.step()
        return _vals(p), _vals(q)
    t = fn(torch)
    try:
        e = fn(ember)
    except ValueError as err:
        assert "params" in str(err)
        return
    assert e == t, f"ember stepped (p, q) to {e}, torch to {t}"


def test_state_tensor_made_strided_steps_like_torch(torch):
    """FINDING: a live state tensor whose .data is made a strided view is stepped as if it were
    contiguous: the kernel reads and writes the view's first numel storage elements, so the
    parameter gets the wrong update and memory outside the view is overwritten. torch honours the
    strides (a ValueError refusing the non-contiguous state would do too)."""
    def fn(L):
        p = _P(L, 6)
        o = L.optim.Adam([p], lr=0.1)
        _grad(L, p)
        o.step()
        o.state[p]["exp_avg"].data = L.tensor(np.arange(12, dtype="float32") / 10)[::2]
        _grad(L, p)
        o.step()
        return _vals(p)
    t = fn(torch)
    try:
        e = fn(ember)
    except ValueError as err:
        assert "contiguous" in str(err)
        return
    np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
                                     ("Adagrad", dict(lr_decay=0.1)),
                                     ("RMSprop", dict(centered=True, momentum=0.5)),
                                     ("Adam", dict(amsgrad=True)), ("AdamW", {})])
def test_empty_0d_and_nonfinite_gradients_step_like_torch(torch, name, kw):
    for shape, g in [((0,), 1.0), ((), 1.0), ((3, 0), 1.0), ((2,), math.nan), ((2,), math.inf), ((2,), -math.inf),
                     ((2,), 1e38 if name != "RMSprop" else 1e18), ((2,), 0.0)]:  # RMSprop 1e38: see below
        def fn(L):
            p = L.tensor(np.full(shape, 0.5, dtype="float32"), requires_grad=True)
            o = getattr(L.optim, name)([p], **kw)
            for _ in range(3):
                p.grad = L.tensor(np.full(shape, g, dtype="float32"))
                o.step()
            return np.asarray(p.detach().numpy())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            e, t = _pair(torch, fn)
        assert e.shape == t.shape
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6, equal_nan=True, err_msg=f"{name} {shape} {g}")


def test_rmsprop_centered_gradient_whose_square_overflows_float32(torch):
    """FINDING (minor): centered RMSprop with a float32 gradient of 1e38 (finite; its square is inf)
    computes v - m*m as inf - inf = nan and writes nan into the parameter; torch's addcmul forms
    the intermediate in higher precision (inf - 1e72 = inf), so the step is 0 and the parameter
    stays 0.5."""
    def fn(L):
        p = L.tensor(np.full(2, 0.5, dtype="float32"), requires_grad=True)
        o = L.optim.RMSprop([p], centered=True)
        p.grad = L.tensor(np.full(2, 1e38, dtype="float32"))
        o.step()
        return _vals(p)
    e, t = _pair(torch, fn)
    assert e == t, f"ember {e}, torch {t}"


def test_hyperparameters_changed_between_steps_match_torch(torch):
    """Entries changed between steps act at the next step, as torch's (negative lr included)."""
    changes = [("SGD", dict(lr=0.1), [("momentum", 0.9), ("momentum", 0.0), ("momentum", 0.5), ("nesterov", True),
                                      ("maximize", True), ("weight_decay", 0.1), ("lr", -0.1), ("dampening", 0.5)]),
               ("Adam", dict(lr=0.1), [("betas", (0.5, 0.9)), ("lr", 2 ** 63), ("lr", 0.1), ("eps", 1.0),
                                       ("weight_decay", 0.1), ("maximize", True)]),
               # (torch raises KeyError 'momentum_buffer' / 'grad_avg' if momentum / centered is turned
               # on only later; ember starts those buffers then)
               ("RMSprop", dict(lr=0.1, momentum=0.1, centered=True), [("alpha", 0.5), ("momentum", 0.9),
                                                                       ("eps", 0.1), ("lr", math.inf)]),
               ("Adagrad", dict(lr=0.1), [("lr_decay", 0.5), ("eps", 1.0), ("weight_decay", 0.2)])]
    for name, kw, steps in changes:
        def fn(L):
            p = L.tensor(np.linspace(-1, 1, 5), requires_grad=True)
            o = getattr(L.optim, name)([p], **kw)
            out = []
            for key, value in steps:
                o.param_groups[0][key] = value
                p.grad = L.tensor(np.linspace(0.5, -0.5, 5)) * (p.detach() + 1)
                o.step()
                out.append(np.asarray(p.detach().numpy()).copy())
            return np.array(out)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            e, t = _pair(torch, fn)
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12, equal_nan=True, err_msg=name)


@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
                                     ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5)),
                                     ("RMSprop", dict(centered=True, momentum=0.5)),
                                     ("Adam", dict(lr=0.1, amsgrad=True)), ("AdamW", dict(lr=0.1))])
def test_torch_state_dict_converted_to_ember_tensors_resumes(torch, name, kw):
    """A torch optimizer's state_dict, its tensors converted to ember's (0-d float 'step' included,
    and torch's foreach / fused / capturable / differentiable keys), resumes exactly."""
    init = np.linspace(-1, 1, 6).reshape(2, 3)
    tp = torch.tensor(init, requires_grad=True)
    topt = getattr(torch.optim, name)([tp], **kw)
    for k in range(3):
        tp.grad = torch.tensor(init * (k + 1))
        topt.step()
    sd = topt.state_dict()
    conv = {"state": {i: {n: ember.tensor(v.numpy()) if isinstance(v, torch.Tensor) else v for n, v in s.items()}
                      for i, s in sd["state"].items()},
            "param_groups": sd["param_groups"]}
    ep = ember.tensor(tp.detach().numpy().copy(), requires_grad=True)
    eopt = getattr(ember.optim, name)([ep], **kw)
    eopt.load_state_dict(conv)
    for k in range(3):
        tp.grad = torch.tensor(init * (k + 2))
        ep.grad = ember.tensor(init * (k + 2))
        topt.step()
        eopt.step()
    np.testing.assert_allclose(ep.detach().numpy(), tp.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("norm_type", [0, 0.5, 1, 2, 3, -1, -2, math.inf, -math.inf, "inf", "2"])
def test_clip_grad_norm_types_match_torch(torch, norm_type):
    grads = [[3., 0., -4.], [1e-3], [0.0, 0.0], [-2., 7.]]

    def fn(L):
        ps = [_gp(L, g) for g in grads] + [_P(L, 2)]  # one without a gradient
        n = L.nn.utils.clip_grad_norm_(ps, 1.5, norm_type)
        return [float(n)] + [v for p in ps if p.grad is not None for v in _vals(p.grad)]
    e, t = _pair(torch, fn)
    np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6, equal_nan=True)


def test_clip_grad_norm_duplicated_parameter_matches_torch(torch):
    """The same parameter twice counts twice in the norm and is scaled twice, as torch's."""
    def fn(L):
        p = _gp(L, [3., 4.])
        n = L.nn.utils.clip_grad_norm_([p, p], 1.0)
        return [float(n)] + _vals(p.grad)
    e, t = _pair(torch, fn)
    np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)

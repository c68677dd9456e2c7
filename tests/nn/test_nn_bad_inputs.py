"""Bad inputs to ember.nn's Module system: Module, Parameter, the containers, Identity / Flatten /
Unflatten, and ember.save / ember.load of modules' state dicts; in child processes, the crash
cases of the layers too (the layers' in-process cases: test_nn_layers_bad_inputs.py).

Each case asserts the exception ember raises (exact type) and, where sensible, that the message
names the layer or op. PyTorch 2.13 is the oracle: where a case records torch's behaviour it is
checked too (skipped when torch is not installed), so the table below says what torch does.

ember's documented convention (ember/error.h, README) is ValueError for a bad value or shape and
TypeError for a bad dtype or argument kind where torch raises RuntimeError / NotImplementedError;
cases where only that convention separates the two libraries say so (``torch=RuntimeError`` next
to an ember ValueError). A note starting ``FINDING`` records what ember did before the case was
fixed: a crash, a hang, a silently wrong or accepted value, or an exception type that neither torch
nor ember's convention explains (pybind11's "Unable to cast" RuntimeError leaking out, TypeError for
a missing dict key, ...); each such case now guards against its return.

Anything that can take the interpreter down (a segfault, a stack overflow, heap corruption,
runaway memory) runs in a child process under an address-space limit and a timeout; a child that
dies by a signal or hangs fails its test. The children all start together, on first use, and run
in parallel threads, so the slow ones overlap.
"""
import collections
import pickle
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from bad_inputs import OK, Cases, Child, ChildRunner, _lin, _set, _x, check_case, prelude

try:
    import torch as _torch
except ImportError:  # the oracle checks are skipped, ember's own expectations still run
    _torch = None

OD = collections.OrderedDict


# =============================================================================================
# Child processes: crashes, hangs, recursion, cycles, deep nesting, use-after-free
# =============================================================================================

_PRELUDE = prelude("""
import ember
import ember.nn as nn
import ember.nn.functional as F
OD = collections.OrderedDict
""")

# Outcomes that count as "raised a Python exception or returned" for recursion / cycle cases
# (torch raises RecursionError for all of them). MemoryError is not among them: it means the
# call ate the address-space limit (runaway memory), which is a finding of its own.
_NO_CRASH = {"ok", "RecursionError", "RuntimeError", "ValueError"}



_CYCLE = "m = nn.Sequential(nn.Linear(2, 2))\nm.me = m  # the module is its own child\n"


def _deep(n):
    return f"m = nn.Linear(2, 2)\nfor _ in range({n}):\n    m = nn.Sequential(m)\n"


_MARKER = """
class Marker(nn.Module):
    def forward(self, x):
        seen.append('Marker')
        return x
    def train(self, mode=True):
        seen.append('Marker')
        return self
seen, keep = [], []
def _grow_and_reuse(s):
    # Appending reallocates s's child vector; fresh Sequentials of the same size then reuse the
    # freed block, so an iteration still walking the old block visits *their* children.
    for _ in range(100):
        s.append(nn.Tanh())
    for k in range(1, 9):
        for _ in range(8):
            keep.append(nn.Sequential(*[Marker() for _ in range(k)]))
"""

CHILD_CASES = {
    # ---- a module that is its own child (m.me = m) ----------------------------------------
    "cycle:named_modules": Child(_CYCLE + "_extra['names'] = [n for n, _ in m.named_modules()]",
                                 {"ok"}, check=lambda r: r.get("names") == ["", "0"]),
    "cycle:modules_parameters_zero_grad_to": Child(
        _CYCLE + "list(m.modules()); list(m.parameters()); list(m.named_buffers())\n"
                 "m.zero_grad(); m.to(ember.float64); m.requires_grad_(False)", {"ok"}),
    "cycle:state_dict": Child(_CYCLE + "m.state_dict()", _NO_CRASH, timeout=12,
                              note="FINDING: hangs, memory grows ~400 MB/s (C++ visit_state recursion with "
                                   "ever longer prefixes); torch: RecursionError"),
    "cycle:repr": Child(_CYCLE + "repr(m)", _NO_CRASH, note="FINDING: SIGSEGV; torch: RecursionError"),
    "cycle:train": Child(_CYCLE + "m.train()", _NO_CRASH, note="FINDING: SIGSEGV; torch: RecursionError"),
    "cycle:eval": Child(_CYCLE + "m.eval()", _NO_CRASH, note="FINDING: SIGSEGV; torch: RecursionError"),
    "cycle:apply": Child(_CYCLE + "m.apply(lambda mod: None)", _NO_CRASH,
                         note="FINDING: SIGSEGV; torch: RecursionError"),
    "cycle:load_state_dict": Child(_CYCLE + "m.load_state_dict({}, strict=False)", _NO_CRASH,
                                   note="FINDING: SIGSEGV without a memory limit, MemoryError ('ember: out of "
                                        "memory') under the 3 GB one; torch: RecursionError"),
    "cycle:forward": Child(_CYCLE + "m(ember.ones(1, 2))", {"RecursionError"}),
    "cycle:summary": Child(_CYCLE + "nn.summary(m, (1, 2))", _NO_CRASH, note="FINDING: SIGSEGV"),
    "cycle:two_modules_repr": Child(
        "a = nn.Sequential(nn.ReLU()); b = nn.Sequential(nn.Tanh()); a.b = b; b.a = a\nrepr(a)",
        _NO_CRASH, note="FINDING: SIGSEGV; torch: RecursionError"),
    # ---- Sequential nested 10,000 deep: every walk is iterative, so all of them finish -------
    "deep10k:named_modules": Child(_deep(10000) + "_extra['n'] = len(list(m.named_modules()))",
                                   {"ok"}, check=lambda r: r.get("n") == 10001),
    "deep10k:state_dict": Child(_deep(10000) + "_extra['n'] = len(m.state_dict())", {"ok"},
                                check=lambda r: r.get("n") == 2),
    "deep10k:repr": Child(_deep(10000) + "_extra['n'] = len(repr(m))", {"ok"}, timeout=60,
                          check=lambda r: r.get("n") == 200190048),  # 2 spaces more per level
    "deep10k:train": Child(_deep(10000) + "m.train(); m.eval()", {"ok"}),
    "deep10k:apply": Child(_deep(10000) + "m.apply(lambda mod: None)", {"ok"}),
    "deep10k:load_state_dict": Child(_deep(10000) + "m.load_state_dict(m.state_dict())", {"ok"}),
    "deep10k:parameters_zero_grad_to": Child(
        _deep(10000) + "list(m.parameters()); m.zero_grad(); m.double()", {"ok"}),
    "deep10k:forward": Child(_deep(10000) + "m(ember.ones(1, 2))", {"RecursionError", "ok"}),
    "deep10k:teardown": Child(_deep(10000) + "del m\ngc.collect()", {"ok"}),
    "deep20k:teardown": Child(_deep(20000) + "del m\ngc.collect()", {"ok"},
                              note="FINDING: SIGSEGV freeing a 20,000-deep Sequential (recursive C++ "
                                   "destructors); torch frees it fine"),
    "deep50k:train": Child(_deep(50000) + "m.train()\n_extra['n'] = sum(1 for _ in m.parameters())", {"ok"},
                           hard_exit=True, check=lambda r: r.get("n") == 2,
                           note="FINDING: SIGSEGV (C++ Module::train recursion); torch: RecursionError"),
    "deep50k:walks": Child(_deep(50000) + """
_extra['n'] = [len(list(m.parameters())), len(list(m.named_parameters())), len(list(m.modules())),
               sum(1 for _ in m.named_modules()), len(m.state_dict())]
for _name, _ in m.named_modules():
    pass
_extra['last'] = _name == '.'.join(['0'] * 50000)
m.load_state_dict(m.state_dict()); m.zero_grad(); m.eval()
_extra['eval'] = not any(x.training for x in m.modules())
_count = []
m.apply(_count.append)
_extra['apply'] = len(_count)
""", {"ok"}, timeout=120, hard_exit=True,  # names growing as depth squared would pass the 3 GB limit
        check=lambda r: r.get("n") == [2, 2, 50001, 50001, 2] and r.get("last") and r.get("eval")
        and r.get("apply") == 50001),
    # ---- parameter / buffer / child slots set to None ---------------------------------------
    "none:linear_weight_forward": Child(
        "m = nn.Linear(2, 3)\nm.weight = None\nm(ember.ones(1, 2))", {"TypeError"},
        note="FINDING: SIGSEGV; torch: TypeError (linear(): argument 'weight' must be Tensor, not NoneType)"),
    "none:prelu_weight_forward": Child(
        "m = nn.PReLU()\nm.weight = None\nm(ember.ones(2, 2))", {"TypeError"},
        note="FINDING: SIGSEGV; torch: TypeError"),
    "none:embedding_weight_forward": Child(
        "m = nn.Embedding(3, 2)\nm.weight = None\nm(ember.tensor([0]))", {"TypeError"},
        note="FINDING: SIGSEGV; torch: TypeError"),
    "none:perceptron_weight_forward": Child(
        "m = nn.Perceptron(2)\nm.weight = None\nm(ember.ones(1, 2, dtype=ember.float64))",
        {"TypeError", "ValueError"}, note="FINDING: SIGSEGV"),
    "none:perceptron_weight_fit": Child(
        "m = nn.Perceptron(2)\nm.weight = None\n"
        "m.fit(ember.tensor([[1., 2.], [-1., -2.]]), ember.tensor([1., -1.]))",
        {"TypeError", "ValueError"}, note="FINDING: SIGSEGV"),
    "none:batchnorm_num_batches_tracked": Child(
        "m = nn.BatchNorm1d(2)\nm.num_batches_tracked = None\n_extra['shape'] = list(m(ember.randn(4, 2)).shape)",
        {"ok"}, note="FINDING: SIGSEGV; torch skips the counter when it is None and returns the output"),
    "none:batchnorm_running_mean": Child(
        "m = nn.BatchNorm1d(2)\nm.running_mean = None\nm(ember.randn(4, 2))\nm.eval()\nm(ember.randn(4, 2))",
        {"ValueError", "RuntimeError"}),
    "none:sequential_setattr_child_forward": Child(
        "s = nn.Sequential(nn.ReLU(), nn.ReLU(), nn.ReLU())\nsetattr(s, '1', None)\ns(ember.ones(2))",
        {"TypeError"}, note="segfaulted before 68363c6; torch: TypeError ('NoneType' object is not callable)"),
    "none:sequential_ordereddict_child_forward": Child(
        "s = nn.Sequential(OD([('a', nn.ReLU()), ('b', None)]))\ns(ember.ones(2))",
        {"TypeError"}, note="segfaulted before 68363c6; torch: TypeError"),
    "none:sequential_add_module_forward": Child(
        "s = nn.Sequential(nn.ReLU())\ns.add_module('x', None)\ns(ember.ones(2))",
        {"TypeError"}, note="segfaulted before 68363c6; torch: TypeError"),
    "none:summary_sequential_none_child": Child(
        "s = nn.Sequential(nn.Linear(2, 2), nn.ReLU())\nsetattr(s, '1', None)\nnn.summary(s, (1, 2))",
        {"TypeError"}, note="segfaulted before 68363c6"),
    "none:sequential_none_child_traversal": Child(
        "s = nn.Sequential(nn.ReLU(), nn.ReLU())\nsetattr(s, '1', None)\n"
        "repr(s); s.state_dict(); s.train(); s.apply(lambda m: None); list(s.named_modules()); list(s)",
        {"ok"}),
    # ---- other memory-safety cases ------------------------------------------------------------
    "perceptron:weight_smaller_than_in_features_fit": Child(
        "p = nn.Perceptron(100000)\n"
        "p.weight = nn.Parameter(ember.zeros(1, dtype=ember.float64), requires_grad=False)\n"
        "p.fit(ember.randn(8, 100000, dtype=ember.float64), ember.tensor([1., -1.] * 4), max_epochs=3)",
        {"ValueError"},
        note="FINDING: heap overflow: fit writes in_features doubles into the 1-element weight copy "
             "(SIGABRT 'corrupted double-linked list' / SIGSEGV; silent for small in_features)"),
    "loss:cross_entropy_zero_classes_probabilities": Child(
        "_extra['v'] = F.cross_entropy(ember.ones(2, 0), ember.ones(2, 0)).item()", {"ok"},
        note="FINDING: SIGFPE (integer division by the 0 classes in the mean); torch returns nan"),
    "loss:cross_entropy_zero_classes_module_1d": Child(
        "_extra['v'] = nn.CrossEntropyLoss()(ember.ones(0), ember.ones(0)).item()", {"ok"},
        note="FINDING: SIGFPE; torch returns nan"),
    # ---- the tree mutated while C++ walks it (torch: 'dictionary changed size during iteration')
    "mutate:apply_appends_to_parent": Child(
        _MARKER + "s = nn.Sequential(nn.ReLU(), nn.ReLU(), nn.ReLU())\n"
                  "def fn(mod):\n"
                  "    seen.append(type(mod).__name__)\n"
                  "    if mod is s[0] and not keep:\n"
                  "        _grow_and_reuse(s)\n"
                  "try:\n"
                  "    s.apply(fn)\n"
                  "finally:\n"
                  "    _extra['foreign_visited'] = 'Marker' in seen\n",
        {"ok", "RuntimeError"}, check=lambda r: not r.get("foreign_visited"),
        note="FINDING: use-after-free: Module::apply keeps iterating the freed child vector and calls fn "
             "on the children of an unrelated Sequential; torch: RuntimeError"),
    "mutate:train_appends_to_parent": Child(
        _MARKER + "class Grow(nn.Module):\n"
                  "    def train(self, mode=True):\n"
                  "        if not keep:\n"
                  "            _grow_and_reuse(s)\n"
                  "        return self\n"
                  "s = nn.Sequential(Grow(), nn.ReLU(), nn.ReLU())\n"
                  "try:\n"
                  "    s.train()\n"
                  "finally:\n"
                  "    _extra['foreign_visited'] = 'Marker' in seen\n",
        {"ok", "RuntimeError"}, check=lambda r: not r.get("foreign_visited"),
        note="FINDING: use-after-free: Module::train walks the freed child vector and trains an unrelated "
             "Sequential's children; torch: RuntimeError"),
    "mutate:forward_hook_appends_to_parent": Child(
        _MARKER + "s = nn.Sequential(nn.ReLU(), nn.ReLU(), nn.ReLU())\n"
                  "s[0].register_forward_hook(lambda mod, a, o: None if keep else _grow_and_reuse(s))\n"
                  "try:\n"
                  "    s(ember.ones(2))\n"
                  "finally:\n"
                  "    _extra['foreign_visited'] = 'Marker' in seen\n",
        {"ok", "RuntimeError"}, check=lambda r: not r.get("foreign_visited")),
}

_CHILDREN = ChildRunner(CHILD_CASES, _PRELUDE, workers=6)


@pytest.mark.parametrize("case_id", list(CHILD_CASES))
def test_child_process(case_id):
    _CHILDREN.check(case_id)


# =============================================================================================
# In-process cases: the exception type, its message, and torch's behaviour
# =============================================================================================

case = Cases()


def _seq(L, n=3):
    return L.nn.Sequential(*[L.nn.ReLU() for _ in range(n)])


def _ml(L, n=3):
    return L.nn.ModuleList([L.nn.ReLU() for _ in range(n)])


def _md(L):
    return L.nn.ModuleDict({"a": L.nn.ReLU(), "b": L.nn.Tanh()})


def _noinit(L):
    class NoInit(L.nn.Module):
        def __init__(self):  # forgets super().__init__()
            pass

        def forward(self, x):
            return x
    return NoInit()


def _noinit_assign(L):
    class NoInit(L.nn.Module):
        def __init__(self):
            self.fc = L.nn.Linear(2, 2)
    return NoInit()


def _returns_int(L):
    class R(L.nn.Module):
        def forward(self, x):
            return 3
    return R()


# ---- Module: attributes, registration, traversal, state dicts, apply / to / train -------------
case("module:setattr_param_int", lambda L: _set(_lin(L), "weight", 3), TypeError, "parameter 'weight'")
case("module:setattr_param_plain_tensor", lambda L: _set(_lin(L), "weight", L.zeros(3, 2)), TypeError,
     "Parameter or None")
case("module:setattr_child_int", lambda L: _set(_seq(L), "0", 3), TypeError, "child module '0'")
case("module:setattr_buffer_list", lambda L: _set(L.nn.BatchNorm1d(2), "running_mean", [1.0, 2.0]), TypeError,
     "buffer 'running_mean'")
case("module:getattr_missing", lambda L: _lin(L).nope, AttributeError, "'Linear' object has no attribute 'nope'")
case("module:delattr_missing", lambda L: delattr(_lin(L), "nope"), AttributeError, "nope")
case("module:getattr_after_delattr", lambda L: (lambda m: (delattr(m, "weight"), m.weight))(_lin(L)),
     AttributeError, "weight")
case("module:forward_after_delattr_weight", lambda L: (lambda m: (delattr(m, "weight"), m(_x(L, 1, 2))))(_lin(L)),
     AttributeError, "weight",
     note="FINDING: ember raises KeyError(\"Linear has no parameter 'weight'\"); torch AttributeError")
case("module:register_parameter_int_name", lambda L: _lin(L).register_parameter(1, None), TypeError,
     "name should be a string")
case("module:register_parameter_empty_name", lambda L: _lin(L).register_parameter("", None), KeyError, "empty")
case("module:register_parameter_dotted_name", lambda L: _lin(L).register_parameter("a.b", None), KeyError, '"."')
case("module:register_parameter_plain_tensor", lambda L: _lin(L).register_parameter("p", L.zeros(2)), TypeError,
     "parameter 'p'")
case("module:register_parameter_list", lambda L: _lin(L).register_parameter("p", [1.0]), TypeError, "list")
case("module:register_parameter_method_name", lambda L: _lin(L).register_parameter("forward", None), KeyError,
     "already exists")
case("module:register_parameter_over_plain_attr",
     lambda L: (lambda m: (_set(m, "foo", 1), m.register_parameter("foo", None)))(_lin(L)), KeyError,
     "already exists")
case("module:register_parameter_over_buffer", lambda L: L.nn.BatchNorm1d(2).register_parameter("running_mean", None),
     KeyError, "already exists")
case("module:register_buffer_int_name", lambda L: _lin(L).register_buffer(1, None), TypeError, "string")
case("module:register_buffer_float", lambda L: _lin(L).register_buffer("b", 3.0), TypeError, "buffer 'b'")
case("module:register_buffer_dotted", lambda L: _lin(L).register_buffer("a.b", L.zeros(1)), KeyError, '"."')
case("module:register_buffer_empty", lambda L: _lin(L).register_buffer("", L.zeros(1)), KeyError, "empty")
case("module:register_buffer_over_param", lambda L: _lin(L).register_buffer("weight", L.zeros(1)), KeyError,
     "already exists")
case("module:add_module_int_name", lambda L: _lin(L).add_module(1, L.nn.ReLU()), TypeError, "string")
case("module:add_module_int", lambda L: _lin(L).add_module("x", 3), TypeError, "not a Module subclass")
case("module:add_module_dotted", lambda L: _lin(L).add_module("a.b", L.nn.ReLU()), KeyError, '"."')
case("module:add_module_empty", lambda L: _lin(L).add_module("", L.nn.ReLU()), KeyError, "empty")
case("module:add_module_over_param", lambda L: _lin(L).add_module("weight", L.nn.ReLU()), KeyError,
     "already exists")
case("module:named_parameters_prefix_int", lambda L: list(_lin(L).named_parameters(prefix=3)), TypeError)
case("module:state_dict_destination_list", lambda L: _lin(L).state_dict(destination=[]), TypeError)
case("module:load_state_dict_list", lambda L: _lin(L).load_state_dict([("weight", L.zeros(3, 2))]), TypeError,
     "dict-like")
case("module:load_state_dict_None", lambda L: _lin(L).load_state_dict(None), TypeError, "dict-like")
case("module:load_state_dict_str", lambda L: _lin(L).load_state_dict("weight"), TypeError, "dict-like")
case("module:load_state_dict_int_key",
     lambda L: _lin(L).load_state_dict({1: L.zeros(1), "weight": L.zeros(3, 2), "bias": L.zeros(3)}), TypeError,
     "keys must be strings", torch=AttributeError, note="torch fails by accident ('int' has no 'startswith')")
case("module:load_state_dict_int_key_nonstrict", lambda L: _lin(L).load_state_dict({1: L.zeros(1)}, strict=False),
     TypeError, "keys must be strings", torch=AttributeError)
case("module:load_state_dict_value_list",
     lambda L: _lin(L).load_state_dict({"weight": [[0.0] * 2] * 3, "bias": L.zeros(3)}), TypeError, "weight",
     torch=RuntimeError)
case("module:load_state_dict_value_ndarray",
     lambda L: _lin(L).load_state_dict({"weight": np.zeros((3, 2)), "bias": L.zeros(3)}), TypeError, "weight",
     torch=RuntimeError)
case("module:load_state_dict_value_None", lambda L: _lin(L).load_state_dict({"weight": None, "bias": L.zeros(3)}),
     TypeError, "weight", torch=RuntimeError)
case("module:load_state_dict_wrong_shape",
     lambda L: _lin(L).load_state_dict({"weight": L.zeros(2, 3), "bias": L.zeros(3)}), RuntimeError,
     "size mismatch for weight")
case("module:load_state_dict_wrong_shape_nonstrict",
     lambda L: _lin(L).load_state_dict({"weight": L.zeros(2, 3), "bias": L.zeros(3)}, strict=False), RuntimeError,
     "size mismatch")
case("module:load_state_dict_broadcastable_shape",
     lambda L: _lin(L).load_state_dict({"weight": L.zeros(1, 2), "bias": L.zeros(3)}), RuntimeError, "size mismatch")
case("module:load_state_dict_scalar_into_weight",
     lambda L: _lin(L).load_state_dict({"weight": L.tensor(1.0), "bias": L.zeros(3)}), RuntimeError, "size mismatch")
case("module:load_state_dict_missing_key", lambda L: _lin(L).load_state_dict({"weight": L.zeros(3, 2)}),
     RuntimeError, "Missing key(s)")
case("module:load_state_dict_unexpected_key",
     lambda L: _lin(L).load_state_dict({"weight": L.zeros(3, 2), "bias": L.zeros(3), "x.y": L.zeros(1)}),
     RuntimeError, "Unexpected key(s)")
case("module:load_state_dict_assign", lambda L: _lin(L).load_state_dict({"weight": L.zeros(3, 2), "bias": L.zeros(3)},
                                                                        assign=True),
     NotImplementedError, "assign", torch=OK, note="documented: ember copies in place")
case("module:apply_raising_fn", lambda L: _lin(L).apply(lambda m: 1 / 0), ZeroDivisionError)
case("module:apply_not_callable", lambda L: _lin(L).apply(3), TypeError)
case("module:apply_wrong_arity", lambda L: _lin(L).apply(lambda: None), TypeError)
case("module:to_bogus_device", lambda L: _lin(L).to("bogus"), RuntimeError, "bogus")
case("module:to_cuda", lambda L: _lin(L).to("cuda"), AssertionError, "no CUDA backend")
case("module:to_int_dtype", lambda L: _lin(L).to(L.int64), TypeError, "floating point")
case("module:to_bool_dtype", lambda L: _lin(L).to(L.bool), TypeError, "floating point")
case("module:to_list", lambda L: _lin(L).to([1]), TypeError)
case("module:to_bad_kwarg", lambda L: _lin(L).to(foo=1), TypeError)
case("module:to_dtype_str", lambda L: _lin(L).to(dtype="float64"), TypeError)
case("module:to_too_many_args", lambda L: _lin(L).to("cpu", L.float64, False, 1), TypeError)
case("module:train_int", lambda L: _lin(L).train(1), ValueError, "boolean")
case("module:train_None", lambda L: _lin(L).train(None), ValueError, "boolean")
case("module:train_str", lambda L: _lin(L).train("yes"), ValueError, "boolean")
case("module:train_numpy_bool", lambda L: _lin(L).train(np.bool_(True)), ValueError, "boolean")
case("module:requires_grad_int", lambda L: _lin(L).requires_grad_(2), TypeError, "requires_grad")
case("module:zero_grad_str", lambda L: _lin(L).zero_grad("no"), TypeError, torch=OK,
     note="ember: bool only; torch takes any truthy value")
case("module:forward_missing", lambda L: L.nn.Module()(_x(L, 1)), NotImplementedError, '"forward"')
case("module:call_no_args", lambda L: _lin(L)(), TypeError)
case("module:call_two_tensors", lambda L: _lin(L)(_x(L, 1, 2), _x(L, 1, 2)), TypeError)
case("module:call_list", lambda L: _lin(L)([[1.0, 2.0]]), TypeError, ("Linear", "linear"))
case("module:call_None", lambda L: _lin(L)(None), TypeError, ("Linear", "linear"))
case("module:call_ndarray", lambda L: _lin(L)(np.ones((1, 2), "float32")), TypeError, ("Linear", "linear"))
case("module:call_unexpected_kwarg", lambda L: _lin(L)(_x(L, 1, 2), foo=1), TypeError)
case("module:pre_hook_bad_return",
     lambda L: (lambda m: (m.register_forward_pre_hook(lambda mod, a, k: 5, with_kwargs=True),
                           m(_x(L, 1, 2))))(_lin(L)),
     RuntimeError, "pre-hook")
case("module:forward_hook_raises",
     lambda L: (lambda m: (m.register_forward_hook(lambda mod, a, o: 1 / 0), m(_x(L, 1, 2))))(_lin(L)),
     ZeroDivisionError)
case("module:child_returns_int", lambda L: L.nn.Sequential(_returns_int(L), L.nn.ReLU())(_x(L, 1)), TypeError)
case("module:get_submodule_missing", lambda L: _lin(L).get_submodule("a.b"), AttributeError, "Linear")
case("module:get_parameter_missing", lambda L: _lin(L).get_parameter("nope"), AttributeError, "nope")
case("module:init_not_called_assign_module", _noinit_assign, AttributeError, "before Module.__init__() call")
case("module:init_not_called_state_dict", lambda L: _noinit(L).state_dict(), TypeError, "__init__",
     torch=AttributeError, note="pybind11's guard; torch fails with AttributeError '_modules'")
case("module:setattr_training_str", lambda L: _set(_lin(L), "training", "x"), TypeError, torch=OK)

# ---- Parameter -------------------------------------------------------------------------------------
case("parameter:list", lambda L: L.nn.Parameter([1.0, 2.0]), TypeError, "Parameter", torch=AttributeError,
     note="torch: AttributeError 'list' object has no attribute 'detach'")
case("parameter:float", lambda L: L.nn.Parameter(3.0), TypeError, "Parameter", torch=AttributeError)
case("parameter:ndarray", lambda L: L.nn.Parameter(np.ones(2)), TypeError, "Parameter", torch=AttributeError)
case("parameter:int_tensor_requires_grad", lambda L: L.nn.Parameter(_x(L, 2, dtype=L.int64)), RuntimeError,
     "floating point")
case("parameter:bool_tensor_requires_grad", lambda L: L.nn.Parameter(_x(L, 2, dtype=L.bool)), RuntimeError,
     "floating point")
case("parameter:requires_grad_str", lambda L: L.nn.Parameter(_x(L, 2), requires_grad="yes"), TypeError)
case("parameter:int_then_requires_grad_",
     lambda L: L.nn.Parameter(_x(L, 2, dtype=L.int64), requires_grad=False).requires_grad_(), RuntimeError,
     "floating point")

# ---- Sequential ------------------------------------------------------------------------------------
_RC = "FINDING: pybind11's RuntimeError 'Unable to cast Python instance of type ...' leaks out"
case("sequential:int_arg", lambda L: L.nn.Sequential(3), TypeError, "not a Module subclass")
case("sequential:list_arg", lambda L: L.nn.Sequential([L.nn.ReLU()]), TypeError, "not a Module subclass")
case("sequential:ordereddict_int_value", lambda L: L.nn.Sequential(OD(a=3)), TypeError, "not a Module subclass")
case("sequential:ordereddict_int_key", lambda L: L.nn.Sequential(OD([(1, L.nn.ReLU())])), TypeError,
     "should be a string", note=_RC)
case("sequential:ordereddict_dotted_key", lambda L: L.nn.Sequential(OD([("a.b", L.nn.ReLU())])), KeyError, '"."')
case("sequential:ordereddict_empty_key", lambda L: L.nn.Sequential(OD([("", L.nn.ReLU())])), KeyError, "empty")
case("sequential:ordereddict_training_key", lambda L: L.nn.Sequential(OD([("training", L.nn.ReLU())])), KeyError,
     "already exists", note="FINDING: accepted; torch: KeyError \"attribute 'training' already exists\"")
case("sequential:index_len", lambda L: _seq(L)[3], IndexError, "out of range")
case("sequential:index_minus_len_minus_1", lambda L: _seq(L)[-4], IndexError, "out of range")
case("sequential:index_2**62", lambda L: _seq(L)[2 ** 62], IndexError, "out of range")
case("sequential:index_-2**63", lambda L: _seq(L)[-2 ** 63], IndexError, "out of range")
case("sequential:index_2**63", lambda L: _seq(L)[2 ** 63], IndexError, "out of range", note=_RC)
case("sequential:index_str", lambda L: _seq(L)["0"], TypeError, note=_RC)
case("sequential:index_float", lambda L: _seq(L)[1.0], TypeError, note=_RC)
case("sequential:index_None", lambda L: _seq(L)[None], TypeError, note=_RC)
case("sequential:slice_step_0", lambda L: _seq(L)[::0], ValueError, "step")
case("sequential:slice_str_bound", lambda L: _seq(L)[1:"a"], TypeError)
case("sequential:setitem_len", lambda L: _seq(L).__setitem__(3, L.nn.ReLU()), IndexError, "out of range")
case("sequential:setitem_-len-1", lambda L: _seq(L).__setitem__(-4, L.nn.ReLU()), IndexError, "out of range")
case("sequential:setitem_2**63", lambda L: _seq(L).__setitem__(2 ** 63, L.nn.ReLU()), IndexError,
     note="FINDING: TypeError 'incompatible function arguments'; torch IndexError")
case("sequential:setitem_int_value", lambda L: _seq(L).__setitem__(0, 3), TypeError)
case("sequential:setitem_str_key", lambda L: _seq(L).__setitem__("0", L.nn.ReLU()), TypeError)
case("sequential:setitem_slice", lambda L: _seq(L).__setitem__(slice(0, 2), L.nn.ReLU()), TypeError)
case("sequential:delitem_len", lambda L: _seq(L).__delitem__(3), IndexError, "out of range")
case("sequential:delitem_2**64", lambda L: _seq(L).__delitem__(2 ** 64), IndexError, note=_RC)
case("sequential:delitem_str", lambda L: _seq(L).__delitem__("0"), TypeError, note=_RC)
case("sequential:delitem_slice_step_0", lambda L: _seq(L).__delitem__(slice(None, None, 0)), ValueError, "step")
case("sequential:append_int", lambda L: _seq(L).append(3), TypeError, "not a Module subclass")
case("sequential:extend_int", lambda L: _seq(L).extend(3), TypeError)
case("sequential:extend_list_of_int", lambda L: _seq(L).extend([3]), TypeError, "not a Module subclass")
case("sequential:insert_int", lambda L: _seq(L).insert(0, 3), TypeError, "Module", torch=AssertionError)
case("sequential:insert_past_end", lambda L: _seq(L).insert(100, L.nn.Tanh()), IndexError,
     note="FINDING: ember appends silently; torch Sequential.insert: IndexError 'Index out of range: 100'")
case("sequential:insert_before_start", lambda L: _seq(L).insert(-100, L.nn.Tanh()), IndexError,
     note="FINDING: ember prepends silently; torch: IndexError")
case("sequential:pop_out_of_range", lambda L: _seq(L).pop(5), IndexError, "out of range")
case("sequential:pop_str", lambda L: _seq(L).pop("0"), TypeError)
case("sequential:add_modulelist", lambda L: _seq(L) + _ml(L), ValueError, "Sequential")
case("sequential:add_int", lambda L: _seq(L) + 3, ValueError, "Sequential")
case("sequential:forward_two_args", lambda L: _seq(L)(_x(L, 1), _x(L, 1)), TypeError)

# ---- ModuleList ------------------------------------------------------------------------------------
case("modulelist:int_arg", lambda L: L.nn.ModuleList(3), TypeError)
case("modulelist:list_of_int", lambda L: L.nn.ModuleList([3]), TypeError, "not a Module subclass")
case("modulelist:module_arg", lambda L: L.nn.ModuleList(L.nn.ReLU()), TypeError)
case("modulelist:index_len", lambda L: _ml(L)[3], IndexError, "out of range")
case("modulelist:index_-len-1", lambda L: _ml(L)[-4], IndexError, "out of range")
case("modulelist:index_str", lambda L: _ml(L)["a"], TypeError, note=_RC)
case("modulelist:index_2**63", lambda L: _ml(L)[2 ** 63], IndexError, note=_RC)
case("modulelist:slice_step_0", lambda L: _ml(L)[::0], ValueError, "step")
case("modulelist:forward", lambda L: _ml(L)(_x(L, 1)), NotImplementedError, "ModuleList")
case("modulelist:setitem_len", lambda L: _ml(L).__setitem__(3, L.nn.ReLU()), IndexError, "out of range")
case("modulelist:setitem_int_value", lambda L: _ml(L).__setitem__(0, 3), TypeError)
case("modulelist:iadd_int", lambda L: _ml(L).__iadd__(3), TypeError)
case("modulelist:iadd_list_of_int", lambda L: _ml(L).__iadd__([3]), TypeError, "not a Module subclass")
case("modulelist:add_list_of_int", lambda L: _ml(L) + [3], TypeError, "not a Module subclass")
case("modulelist:add_int", lambda L: _ml(L) + 3, TypeError)
case("modulelist:pop_out_of_range", lambda L: _ml(L).pop(10), IndexError, "out of range")
case("modulelist:delitem_out_of_range", lambda L: _ml(L).__delitem__(-10), IndexError, "out of range")
case("modulelist:insert_int", lambda L: _ml(L).insert(0, 3), TypeError, torch=OK,
     note="torch ModuleList.insert does not check the type")

# ---- ModuleDict ------------------------------------------------------------------------------------
case("moduledict:int_arg", lambda L: L.nn.ModuleDict(3), TypeError)
case("moduledict:list_of_modules", lambda L: L.nn.ModuleDict([L.nn.ReLU()]), TypeError)
case("moduledict:int_key", lambda L: L.nn.ModuleDict({1: L.nn.ReLU()}), TypeError, "should be a string", note=_RC)
case("moduledict:int_value", lambda L: L.nn.ModuleDict({"a": 3}), TypeError, "not a Module subclass")
case("moduledict:dotted_key", lambda L: L.nn.ModuleDict({"a.b": L.nn.ReLU()}), KeyError, '"."')
case("moduledict:empty_key", lambda L: L.nn.ModuleDict({"": L.nn.ReLU()}), KeyError, "empty")
case("moduledict:key_forward", lambda L: L.nn.ModuleDict({"forward": L.nn.ReLU()}), KeyError, "already exists",
     note="FINDING: accepted; torch: KeyError \"attribute 'forward' already exists\"")
case("moduledict:key_training", lambda L: L.nn.ModuleDict({"training": L.nn.ReLU()}), KeyError, "already exists",
     note="FINDING: accepted; torch: KeyError")
case("moduledict:triple", lambda L: L.nn.ModuleDict([("a", L.nn.ReLU(), 1)]), ValueError)
case("moduledict:getitem_missing", lambda L: _md(L)["z"], KeyError, "z")
case("moduledict:getitem_int", lambda L: _md(L)[0], KeyError,
     note="FINDING: TypeError 'incompatible function arguments'; torch KeyError 0")
case("moduledict:getitem_None", lambda L: _md(L)[None], KeyError, note="FINDING: TypeError; torch KeyError")
case("moduledict:setitem_int_key", lambda L: _md(L).__setitem__(1, L.nn.ReLU()), TypeError)
case("moduledict:setitem_int_value", lambda L: _md(L).__setitem__("c", 1), TypeError, "not a Module subclass")
case("moduledict:setitem_dotted_key", lambda L: _md(L).__setitem__("c.d", L.nn.ReLU()), KeyError, '"."')
case("moduledict:delitem_missing", lambda L: _md(L).__delitem__("z"), KeyError, "z")
case("moduledict:delitem_int", lambda L: _md(L).__delitem__(0), KeyError, note="FINDING: TypeError; torch KeyError")
case("moduledict:pop_missing", lambda L: _md(L).pop("z"), KeyError, "z")
case("moduledict:update_int", lambda L: _md(L).update(3), TypeError)
case("moduledict:update_list_of_int", lambda L: _md(L).update([3]), TypeError)
case("moduledict:update_1_tuple", lambda L: _md(L).update([("a",)]), ValueError)
case("moduledict:update_int_value", lambda L: _md(L).update({"a": 3}), TypeError, "not a Module subclass")
case("moduledict:forward", lambda L: _md(L)(_x(L, 1)), NotImplementedError, "ModuleDict")

# ---- Identity / Flatten / Unflatten ------------------------------------------------------------------
case("flatten:start_dim_5", lambda L: L.nn.Flatten(5)(_x(L, 2, 3)), IndexError, "flatten")
case("flatten:start_dim_-5", lambda L: L.nn.Flatten(-5)(_x(L, 2, 3)), IndexError, "flatten")
case("flatten:start_dim_2**62", lambda L: L.nn.Flatten(2 ** 62)(_x(L, 2, 3)), IndexError, "flatten")
case("flatten:end_before_start", lambda L: L.nn.Flatten(2, 1)(_x(L, 2, 3, 4)), ValueError, "flatten",
     torch=RuntimeError)
case("flatten:default_on_1d", lambda L: L.nn.Flatten()(_x(L, 3)), IndexError, "flatten")
case("flatten:default_on_0d", lambda L: L.nn.Flatten()(L.tensor(1.0)), IndexError, "flatten")
case("flatten:float_dim", lambda L: L.nn.Flatten(1.5)(_x(L, 2, 3)), TypeError)
case("unflatten:sizes_do_not_multiply", lambda L: L.nn.Unflatten(1, (2, 2))(_x(L, 2, 6)), ValueError, "unflatten",
     torch=RuntimeError)
case("unflatten:two_minus_ones", lambda L: L.nn.Unflatten(1, (-1, -1))(_x(L, 2, 6)), ValueError, "unflatten",
     torch=RuntimeError)
case("unflatten:negative_size", lambda L: L.nn.Unflatten(1, (-2, -3))(_x(L, 2, 6)), ValueError, "unflatten",
     torch=RuntimeError)
case("unflatten:zero_size", lambda L: L.nn.Unflatten(1, (0, 6))(_x(L, 2, 6)), ValueError, "unflatten",
     torch=RuntimeError)
case("unflatten:overflowing_sizes", lambda L: L.nn.Unflatten(1, (2 ** 62 + 3, 2))(_x(L, 2, 6)), ValueError,
     "unflatten", torch=RuntimeError)
case("unflatten:dim_out_of_range", lambda L: L.nn.Unflatten(5, (2, 3))(_x(L, 2, 6)), IndexError, "unflatten")
case("unflatten:empty_sizes", lambda L: L.nn.Unflatten(1, ())(_x(L, 2, 6)), ValueError, "unflatten",
     torch=RuntimeError)
case("unflatten:0d_input", lambda L: L.nn.Unflatten(0, (1,))(L.tensor(1.0)), IndexError, "unflatten",
     torch=RuntimeError)
case("unflatten:str_sizes", lambda L: L.nn.Unflatten(1, "ab")(_x(L, 2, 6)), TypeError)
case("unflatten:float_sizes", lambda L: L.nn.Unflatten(1, (2.0, 3.0))(_x(L, 2, 6)), TypeError)
case("identity:list_input", lambda L: L.nn.Identity()([1]), TypeError, "Identity", torch=OK,
     note="ember's forward takes tensors only")

@pytest.mark.parametrize("c", case.params)
def test_bad_input(c):
    check_case(c, ember, _torch)


# =============================================================================================
# Behaviour on odd but legal input: no exception, and the numbers torch gives
# =============================================================================================

def _np(t):
    return np.array(t.detach().numpy(), copy=True)


def _linear_pair(torch, i, o, bias=True):
    e = nn.Linear(i, o, bias=bias)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch: "Initializing zero-element tensors is a no-op"
        t = torch.nn.Linear(i, o, bias=bias)
    t.load_state_dict({k: torch.from_numpy(_np(v)) for k, v in e.state_dict().items()})
    return e, t


_X = np.random.default_rng(0).standard_normal((6, 4, 5)).astype("float32")

_VIEWS = {  # each turns a (6, 4, 5) tensor into a non-contiguous input whose last dim is 4
    "transposed_2d": lambda t: t[0].transpose(0, 1),
    "sliced_step_transposed": lambda t: t[::2].transpose(1, 2)[:, ::2],
    "permuted_3d": lambda t: t.permute(2, 0, 1),
    "expanded_stride_0": lambda t: t[0, :, 0].expand(7, 4),
    "column_slice": lambda t: t[:, :, 1:].transpose(1, 2),
    "1d_strided": lambda t: t[0][:, 2],
    "1d_contiguous": lambda t: t[0, :, 0].contiguous(),
    "empty_batch": lambda t: t[:0, :, 0],
    "empty_middle_dim": lambda t: t[:2, :, :0].transpose(1, 2),
}


@pytest.mark.parametrize("view", list(_VIEWS))
@pytest.mark.parametrize("bias", [True, False])
def test_linear_noncontiguous_and_empty_inputs_match_torch(torch, view, bias):
    e, t = _linear_pair(torch, 4, 3, bias)
    ye = e(_VIEWS[view](ember.tensor(_X)))
    yt = t(_VIEWS[view](torch.tensor(_X)))
    assert tuple(ye.shape) == tuple(yt.shape)
    np.testing.assert_allclose(_np(ye), yt.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_linear_zero_features_and_gradients_match_torch(torch):
    e, t = _linear_pair(torch, 0, 3)
    np.testing.assert_allclose(_np(e(ember.zeros(2, 0))), t(torch.zeros(2, 0)).detach().numpy())
    e, t = _linear_pair(torch, 4, 3)
    xe, xt = ember.tensor(_X[0]).requires_grad_(True), torch.tensor(_X[0]).requires_grad_(True)
    (e(xe.t()) ** 2).sum().backward()
    (t(xt.t()) ** 2).sum().backward()
    np.testing.assert_allclose(_np(xe.grad), xt.grad.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_np(e.weight.grad), t.weight.grad.numpy(), rtol=1e-5, atol=1e-5)
    W = np.random.default_rng(2).standard_normal((3, 8)).astype("float32")
    ye = F.linear(ember.tensor(_X[0]).t(), ember.tensor(W)[:, ::2], ember.tensor(np.arange(6.0, dtype="float32"))[::2])
    yt = torch.nn.functional.linear(torch.tensor(_X[0]).t(), torch.tensor(W)[:, ::2],
                                    torch.tensor(np.arange(6.0, dtype="float32"))[::2])
    np.testing.assert_allclose(_np(ye), yt.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_without_dim_warns_as_torch(torch, name):
    x = np.arange(6.0, dtype="float32").reshape(2, 3)
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name}") as ours:
        ye = getattr(F, name)(ember.tensor(x))
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name}"):
        yt = getattr(torch.nn.functional, name)(torch.tensor(x))
    assert ours[0].filename == __file__  # the caller's line, as torch's stacklevel
    np.testing.assert_allclose(_np(ye), yt.numpy(), rtol=1e-6)

@pytest.mark.filterwarnings("ignore:.*Implicit dimension choice:UserWarning")  # F.softmax(E) below
def test_layers_on_noncontiguous_inputs_match_torch(torch):
    Y = np.random.default_rng(3).standard_normal((5, 4, 3)).astype("float32")
    E, T = ember.tensor(Y), torch.tensor(Y)
    pairs = [
        (nn.Flatten()(E.transpose(0, 2)), torch.nn.Flatten()(T.transpose(0, 2))),
        (nn.Unflatten(1, (2, 2))(E.permute(2, 1, 0)), torch.nn.Unflatten(1, (2, 2))(T.permute(2, 1, 0))),
        (nn.Softmax(dim=1)(E.transpose(0, 2)), torch.nn.Softmax(dim=1)(T.transpose(0, 2))),
        (nn.LogSoftmax(dim=-3)(E), torch.nn.LogSoftmax(dim=-3)(T)),
        (F.softmax(E), torch.nn.functional.softmax(T, dim=0)),  # legacy dim for 3-D: 0
        (nn.LayerNorm(5)(E.transpose(0, 2)), torch.nn.LayerNorm(5)(T.transpose(0, 2))),
    ]
    be, bt = nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4)
    pairs += [(be(E.permute(2, 1, 0)), bt(T.permute(2, 1, 0))), (be.running_mean, bt.running_mean),
              (be.running_var, bt.running_var)]
    pe, pt = nn.PReLU(4), torch.nn.PReLU(4)
    with ember.no_grad():
        pe.weight.copy_(ember.tensor([0.1, 0.2, 0.3, 0.4]))
    with torch.no_grad():
        pt.weight.copy_(torch.tensor([0.1, 0.2, 0.3, 0.4]))
    pairs.append((pe(E.permute(2, 1, 0)), pt(T.permute(2, 1, 0))))
    w = np.random.default_rng(4).standard_normal((10, 6)).astype("float32")
    idx = np.array([[1, 2, 3], [4, 5, 9]])
    pairs.append((F.embedding(ember.tensor(idx).t(), ember.tensor(w)[:, ::2]),
                  torch.nn.functional.embedding(torch.tensor(idx).t(), torch.tensor(w)[:, ::2])))
    we, wt = ember.tensor(w * 3), torch.tensor(w * 3)
    pairs.append((F.embedding(ember.tensor(idx), we, max_norm=1.0), torch.nn.functional.embedding(
        torch.tensor(idx), wt, max_norm=1.0)))
    pairs.append((we, wt))  # the renormalized rows, in place
    for op in ("relu", "leaky_relu", "elu"):  # in place on a strided view writes through to the base
        be_, bt_ = ember.tensor(Y[0].copy()), torch.tensor(Y[0].copy())
        getattr(F, op)(be_[:, ::2], inplace=True)
        getattr(torch.nn.functional, op)(bt_[:, ::2], inplace=True)
        pairs.append((be_, bt_))
    for i, (a, b) in enumerate(pairs):
        assert tuple(a.shape) == tuple(b.shape), i
        np.testing.assert_allclose(_np(a), b.detach().numpy(), rtol=1e-5, atol=1e-5, err_msg=str(i))


def test_loss_edge_values_match_torch(torch):
    lg = np.random.default_rng(5).standard_normal((4, 3)).astype("float32")
    tg = np.random.default_rng(6).uniform(0, 1, (4, 3)).astype("float32")
    cls = [0, 9, 1, 2]
    calls = [
        ("cross_entropy", (lg, np.array(cls)), dict(ignore_index=9, label_smoothing=0.2)),
        ("cross_entropy", (lg, np.array(cls)), dict(ignore_index=9, label_smoothing=0.2,
                                                     weight=np.array([1., 2., 3.], "float32"))),
        ("cross_entropy", (lg, np.array(cls)), dict(ignore_index=9, label_smoothing=0.2, reduction="sum")),
        ("cross_entropy", (lg, np.array([-100] * 4)), {}),  # all ignored: nan
        ("cross_entropy", (lg, tg), dict(label_smoothing=0.3)),
        ("cross_entropy", (lg.T.copy(), tg.T.copy()), dict(weight=np.array([1., 2., 3., 4.], "float32"))),
        ("cross_entropy", (lg[0], np.array(2)), dict(reduction="none")),  # unbatched
        ("nll_loss", (lg[0], np.array(2)), dict(reduction="none")),
        ("nll_loss", (lg, np.array([0, 9, 1, 9])), dict(ignore_index=9)),
        ("binary_cross_entropy", (np.array([0., 1.], "float32"), np.array([1., 0.], "float32")), {}),  # log clamp
        ("binary_cross_entropy_with_logits", (np.array([1e4, -1e4, 100.], "float32"),
                                              np.array([0., 1., 0.5], "float32")), dict(reduction="none")),
        ("binary_cross_entropy_with_logits", (lg, tg), dict(pos_weight=np.array([1., 2., 3.], "float32"))),
        ("huber_loss", (lg, tg), dict(delta=0.5, reduction="none")),
        ("smooth_l1_loss", (lg, tg), dict(beta=0.0, reduction="none")),
        ("mse_loss", (lg[:, :1], tg[0]), {}),  # broadcasting (with a warning in torch)
        ("l1_loss", (np.zeros(0, "float32"), np.zeros(0, "float32")), {}),  # empty mean: nan
    ]
    for name, args, kw in calls:
        ea = [ember.tensor(a) for a in args]
        ta = [torch.tensor(a) for a in args]
        ekw = {k: ember.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = getattr(F, name)(*ea, **ekw)
            b = getattr(torch.nn.functional, name)(*ta, **tkw)
        np.testing.assert_allclose(_np(a), b.numpy(), rtol=1e-5, atol=1e-5, equal_nan=True, err_msg=f"{name} {kw}")


def test_load_state_dict_converts_like_torch(torch):
    m = nn.Linear(2, 3)
    m.load_state_dict({"weight": ember.ones(3, 2, dtype=ember.int64), "bias": ember.zeros(3, dtype=ember.bool)})
    assert m.weight.dtype == ember.float32 and _np(m.weight).sum() == 6.0
    m.load_state_dict({"weight": ember.arange(6.0).reshape(2, 3).t(), "bias": ember.zeros(3)})  # non-contiguous
    assert _np(m.weight).tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert m.weight.is_leaf and m.weight.requires_grad
    bn = nn.BatchNorm1d(2)
    bn.load_state_dict({**bn.state_dict(), "num_batches_tracked": ember.tensor(2.7)})
    assert bn.num_batches_tracked.dtype == ember.int64 and bn.num_batches_tracked.item() == 2


def test_load_state_dict_copies_nothing_when_it_raises():
    """ember's documented contract (torch copies the entries that fit)."""
    m = nn.Linear(1, 1)
    before = _np(m.weight)
    with pytest.raises(RuntimeError, match="size mismatch for bias"):
        m.load_state_dict({"weight": ember.zeros(1, 1), "bias": ember.ones(5)})
    np.testing.assert_array_equal(_np(m.weight), before)


def test_container_slices_and_index_types_match_torch(torch):
    def names(L, make, key):
        return [n for n, _ in make(L)[key].named_children()]

    for make in (_seq, _ml):
        for key in (slice(None, None, 2), slice(None, None, -1), slice(-100, 2 ** 70), slice(10, 20),
                    slice(2 ** 62, None, -2 ** 62), slice(None, None, 2 ** 63)):
            assert names(ember, lambda L: make(L, 5), key) == names(torch, lambda L: make(L, 5), key), (make, key)
        for key in (True, np.int64(1), -1):
            assert type(make(ember)[key]).__name__ == type(make(torch)[key]).__name__
    for key in (slice(None, None, 2), slice(None, None, -2), slice(None, None, -2 ** 63), slice(1, None, 3)):
        se, st = _seq(ember, 5), _seq(torch, 5)
        del se[key]
        del st[key]
        assert [n for n, _ in se.named_children()] == [n for n, _ in st.named_children()], key
    me = _ml(ember, 2)  # ember's ModuleList.insert clamps as list.insert (torch's raises KeyError at 100)
    me.insert(100, nn.Tanh())
    me.insert(-100, nn.Sigmoid())
    assert [type(m).__name__ for m in me] == ["Sigmoid", "ReLU", "ReLU", "Tanh"]
    assert [n for n, _ in me.named_children()] == ["0", "1", "2", "3"]


def test_zero_grad_forms_match_torch(torch):
    results = []
    for L in (ember, torch):
        m = L.nn.Linear(2, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns about the create_graph reference cycle
            m(L.ones(1, 2)).sum().backward(create_graph=True)
        m.zero_grad(set_to_none=False)
        g = m.weight.grad
        results.append((np.abs(_np(g)).sum(), g.requires_grad))
        m.zero_grad()
        results.append(m.weight.grad is None)
        m.zero_grad()  # no grads at all
    assert results[:2] == results[2:]


def test_moduledict_contains_non_str_key(torch):
    """FINDING: `0 in ModuleDict(...)` raises TypeError ('incompatible function arguments'); torch and
    every Python mapping answer False."""
    assert (0 in torch.nn.ModuleDict({"a": torch.nn.ReLU()})) is False
    assert (None in torch.nn.ModuleDict({"a": torch.nn.ReLU()})) is False
    d = nn.ModuleDict({"a": nn.ReLU()})
    assert (0 in d) is False
    assert (None in d) is False


def test_batchnorm_empty_batch_in_training_like_torch(torch):
    """BatchNorm1d on a (0, C) batch in training: the empty output, running statistics untouched, as
    torch (it raised ValueError 'more than 1 value per channel' before 68363c6)."""
    t = torch.nn.BatchNorm1d(2)
    assert tuple(t(torch.ones(0, 2)).shape) == (0, 2)
    m = nn.BatchNorm1d(2)
    assert tuple(m(ember.ones(0, 2)).shape) == (0, 2)
    assert _np(m.running_mean).tolist() == [0.0, 0.0] and _np(m.running_var).tolist() == [1.0, 1.0]


def test_perceptron_predicts_on_the_float32_data_it_was_fit_on():
    """FINDING: fit() takes float32 x (ember's default dtype) but forward / decision_function on the
    same x raise TypeError 'matmul: expected both operands to have the same dtype' (the model is
    float64 by default); the message does not name the Perceptron either."""
    x = ember.tensor([[1., 2.], [2., 1.], [-1., -2.], [-2., -1.]])
    y = ember.tensor([1., 1., -1., -1.])
    p = nn.Perceptron(2)
    assert p.fit(x, y).converged
    assert _np(p(x)).tolist() == [1.0, 1.0, -1.0, -1.0]


def test_perceptron_odd_but_legal_input():
    x = ember.tensor([[1., 2.], [2., 1.], [-1., -2.], [-2., -1.]])
    assert nn.Perceptron(2).fit(x, ember.tensor([1., 1., 0., 0.])).converged  # 0/1 labels
    assert nn.Perceptron(2).fit(x.long(), ember.tensor([1, 1, -1, -1])).converged  # int data and labels
    assert nn.Perceptron(2).fit(ember.zeros(0, 2), ember.zeros(0)).converged  # no samples
    with pytest.warns(RuntimeWarning, match="no convergence"):
        r = nn.Perceptron(1).fit(ember.tensor([[1.], [1.]]), ember.tensor([1., -1.]), max_epochs=3)
    assert not r.converged and r.epochs == 3


def test_summary_of_a_raising_model_restores_hooks_and_modes():
    class Boom(nn.Module):
        def forward(self, x):
            raise RuntimeError("boom")

    m = nn.Sequential(nn.Linear(2, 2), Boom())
    m.train()
    with pytest.raises(RuntimeError, match="boom"):
        nn.summary(m, (4, 2))
    assert m.training and m[0].training and m[1].training
    assert not m[0].__dict__.get("_forward_hooks") and not m[1].__dict__.get("_forward_hooks")
    assert tuple(m[0](ember.ones(1, 2)).shape) == (1, 2)  # still callable, no stale hook
    s = nn.summary(nn.Sequential(nn.Linear(2, 3), nn.ReLU()), ember.ones(4, 2))  # a tensor as the input
    assert s.total_params == 9 and [r[2] for r in s.rows] == ["(4, 3)", "(4, 3)", "(4, 3)"]


def test_save_load_state_dicts_and_bad_files(tmp_path):
    f = tmp_path / "m.safetensors"
    bn = nn.BatchNorm1d(3)
    bn(ember.randn(8, 3))
    ember.save(bn.state_dict(), f)
    bn2 = nn.BatchNorm1d(3)
    assert str(bn2.load_state_dict(ember.load(f))) == "<All keys matched successfully>"
    for k, v in bn.state_dict().items():
        np.testing.assert_array_equal(_np(v), _np(bn2.state_dict()[k]))
    ember.save(nn.Linear(2, 3).state_dict(keep_vars=True), f)  # Parameters save as tensors
    with pytest.raises(RuntimeError, match="size mismatch"):
        nn.Linear(3, 2).load_state_dict(ember.load(f))
    for obj in ({"a": object()}, object(), {(1, 2): ember.ones(1)}):  # pickled, as torch.save does
        ember.save(obj, tmp_path / "pickled")
        with pytest.raises(pickle.UnpicklingError, match="weights_only=False"):
            ember.load(tmp_path / "pickled")
    raw = f.read_bytes()
    for name, data in [("truncated", raw[:-5]), ("junk", b"\xff" * 20), ("empty", b"")]:
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError, match="not a valid safetensors file"):
            ember.load(tmp_path / name)
    with pytest.raises(ValueError, match="map_location"):
        ember.load(f, map_location="cuda")


def test_load_missing_file_raises_file_not_found(tmp_path):
    """FINDING: ember.load of a missing path raises RuntimeError ('cannot open the file'); torch.load
    (and open()) raise FileNotFoundError, which callers catch as OSError."""
    with pytest.raises(FileNotFoundError):
        ember.load(tmp_path / "missing.safetensors")


def test_load_directory_raises_is_a_directory(tmp_path):
    """FINDING: ember.load(a directory) raises ValueError 'not a valid safetensors file: the file has
    9223372036854775807 bytes' (a bogus size); torch.load: IsADirectoryError."""
    with pytest.raises(IsADirectoryError):
        ember.load(tmp_path)


def test_cycles_and_shared_modules_in_process():
    """What is safe in process on a cyclic tree: the deduplicating walks (torch's too)."""
    m = nn.Sequential(nn.Linear(2, 2))
    m.me = m
    assert [n for n, _ in m.named_modules()] == ["", "0"]
    assert len(list(m.parameters())) == 2
    m.zero_grad()
    m.to(ember.float64)
    assert m[0].weight.dtype == ember.float64
    r = nn.ReLU()
    s = nn.Sequential(r, r)
    assert [n for n, _ in s.named_modules(remove_duplicate=False)] == ["", "0", "1"]
    assert len(list(s.modules())) == 2

"""Gradient tests, parametrized over the op table in tests/core/op_db.py.

Every differentiable row (``OpInfo.supports_grad``):

* ``test_gradcheck`` / ``test_gradgradcheck``: ember.autograd.gradcheck and gradgradcheck in
  float64 on every sample with inputs of at most MAX_NUMEL elements (regular, broadcasting, 0-d,
  non-contiguous, and the empty samples where a Jacobian has entries), special values (NaN, inf)
  excepted, as are samples at a point where the op is not differentiable (``OpInfo.grad_ok``;
  kinks are moved away with ``OpInfo.grad_domain``). A non-contiguous argument is passed to
  gradcheck as its contiguous base, a leaf, and the view (transpose, strided slice) is applied
  inside the checked function, so the op runs on the non-contiguous view and the view's backward
  is checked too.
* ``test_empty_backward``: on empty samples, backward runs and gives gradients of each input's
  shape and dtype (zeros where the output is empty).
* ``test_grad_matches_torch``: in float32 and float64, on every sample (large ones included), the
  op runs in ember and in torch on leaves (a non-contiguous argument is a non-contiguous leaf:
  ``view(base).detach().requires_grad_()``), a fixed random cotangent (the same numbers in both
  libraries) is back-propagated through every floating output, and the inputs' gradients equal
  torch's; outputs' ``requires_grad`` / ``grad_fn`` / ``is_leaf`` equal torch's. Kinks are kept
  here: torch's conventions (abs'(0) = 0, ties of amax split evenly, max(dim) routes to its index)
  are the reference. ``test_grad_special_values_match_torch`` does the same on NaN / inf samples.

Rows without a gradient (comparisons, predicates, argmax, ...): ``test_nondifferentiable_outputs``
checks that their outputs do not require grad, as in torch. Subscripts (``x[...]``, setitem) are no
op_db row: ``GETITEM_CASES`` / ``SETITEM_CASES`` run the same checks on them. Plus
ember.nn.functional.softmax / log_softmax and sanity checks of gradcheck itself.

The helpers take the library ("ember" or "torch") as an argument, so the same code runs with torch
as a stand-in (to check the table's gradcheck filters against a known-good autograd).
"""
from __future__ import annotations

import zlib

import numpy as np
import pytest

import op_db
from op_db import (EMPTY, FLOAT_DTYPES, FLOATING, NONCONTIG, NP_DTYPE, OPS, REGULAR, SPECIAL,
                   ZERO_DIM, Arg, DT, assert_same, dtype_name, ember, to_ember, to_numpy,
                   to_torch)

pytestmark = pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")

MAX_NUMEL = 64  # gradcheck builds full Jacobians: only inputs up to this many elements
GRADCHECK_KW = dict(eps=1e-6, atol=1e-5, rtol=1e-3)

GRAD_OPS = [op for op in OPS if op.supports_grad]
NO_GRAD_OPS = [op for op in OPS if not op.supports_grad and op.dtypes & FLOATING]


# ---------------------------------------------------------------------------------------------
# Library-generic helpers
# ---------------------------------------------------------------------------------------------
def _lib(lib):
    return ember if lib == "ember" else op_db._torch()


def _op_fn(op, lib):
    if lib == "ember":
        return op.ember_fn
    if op.name in ("var", "std"):
        return _spell_out_all_dims(op.torch_fn)
    return op.torch_fn


def _spell_out_all_dims(torch_fn):
    """torch's var / std read dim=() as "all dims" in the forward but as "no dim" in the backward
    (a wrong gradient: torch's own gradcheck fails); the reference spells the dims out."""
    def f(x, *args, **kwargs):
        if kwargs.get("dim") == ():
            kwargs["dim"] = tuple(range(x.ndim)) or None
        return torch_fn(x, *args, **kwargs)
    return f


def _tensor(a, lib):
    """A new tensor (a leaf) holding a copy of the NumPy array a."""
    return to_ember(a) if lib == "ember" else to_torch(a)


def _diff_args(sample) -> list[Arg]:
    """The differentiable arguments of a sample: its floating Args (in args and kwargs), once each.
    Index tensors, masks and conditions (int64 / bool) are not; nor are Python numbers."""
    out, seen = [], set()
    for a in op_db.iter_args((sample.args, sample.kwargs)):
        if a.base.dtype.kind == "f" and id(a) not in seen:
            seen.add(id(a))
            out.append(a)
    return out


def _build(obj, lib, given):
    """materialize(), with the Args in ``given`` (id -> tensor) replaced by those tensors."""
    if isinstance(obj, Arg):
        return given[id(obj)] if id(obj) in given else obj.to(lib)
    if isinstance(obj, DT):
        return obj.to(lib)
    if isinstance(obj, list):
        return [_build(o, lib, given) for o in obj]
    if isinstance(obj, tuple):
        return tuple(_build(o, lib, given) for o in obj)
    if isinstance(obj, dict):
        return {k: _build(v, lib, given) for k, v in obj.items()}
    return obj


def _outputs(out) -> list:
    """An op's result as a flat list (tuples, lists, namedtuples such as max(dim)'s)."""
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in _outputs(x)]
    return [out]


def _is_float(t) -> bool:
    return hasattr(t, "dtype") and dtype_name(t.dtype) in FLOAT_DTYPES


def _numel(shape) -> int:
    return int(np.prod(tuple(shape), dtype=np.int64))


def _short(e: BaseException, limit: int = 1500) -> str:
    msg = f"{type(e).__name__}: {e}"
    return msg if len(msg) <= limit else msg[:limit] + " [...]"


def _report(header, failures, limit=12):
    """An assertion message: the header, then the first ``limit`` failures."""
    more = f"\n... and {len(failures) - limit} more" if len(failures) > limit else ""
    return header + "\n" + "\n".join(failures[:limit]) + more


def _numpy_args(sample):
    return (op_db.materialize(sample.args, "numpy"), op_db.materialize(sample.kwargs, "numpy"))


def _is_empty(sample) -> bool:
    """An empty sample, or one whose differentiable arguments are all empty (a (0, 3) view)."""
    return sample.kind == EMPTY or all(_numel(a.shape) == 0 for a in _diff_args(sample))


# ---------------------------------------------------------------------------------------------
# gradcheck / gradgradcheck (float64, ember only: no torch needed)
# ---------------------------------------------------------------------------------------------
def checked_fn(op, sample, lib="ember"):
    """(fn, inputs) for gradcheck: inputs are the contiguous bases of the differentiable Args, as
    leaves requiring grad; fn(*inputs) applies each Arg's view (so the op sees the sample's
    non-contiguous layout), runs the op and returns its floating outputs (one tensor, or a tuple
    for ops with several)."""
    args = _diff_args(sample)
    bases = [_tensor(a.base, lib).requires_grad_() for a in args]
    fixed = {id(a): a.to(lib) for a in op_db.iter_args((sample.args, sample.kwargs))
             if a.base.dtype.kind != "f"}
    fn_op = _op_fn(op, lib)

    def fn(*xs):
        given = dict(fixed)
        for a, x in zip(args, xs):
            given[id(a)] = a.view(x) if a.view is not None else x
        outs = [o for o in _outputs(fn_op(*_build(sample.args, lib, given),
                                          **_build(sample.kwargs, lib, given))) if _is_float(o)]
        return outs[0] if len(outs) == 1 else tuple(outs)

    fn.__name__ = op.name
    return fn, tuple(bases)


def gradcheck_skip_reason(op, sample, lib="ember"):
    """Why a float64 sample stays out of gradcheck (None: it is checked)."""
    if sample.kind == SPECIAL:
        return "special values"
    args = _diff_args(sample)
    if not args:
        return "no floating tensor argument"
    if any(a.base.size > MAX_NUMEL for a in op_db.iter_args((sample.args, sample.kwargs))):
        return "large"
    if op.grad_ok is not None and not op.grad_ok(*_numpy_args(sample)):
        return "not differentiable at this point"
    if _is_empty(sample):
        # A Jacobian needs a non-empty input and a non-empty output (test_empty_backward covers
        # the rest).
        if all(_numel(a.shape) == 0 for a in args):
            return "empty"
        try:
            fn, inputs = checked_fn(op, sample, lib)
            outs = _outputs(fn(*inputs))
        except Exception:
            return None  # gradcheck reports it
        if all(_numel(o.shape) == 0 for o in outs):
            return "empty"
    return None


def gradcheck_failures(op, which="gradcheck", lib="ember"):
    """Runs lib.autograd.<which> on every eligible float64 sample: (number run, failures)."""
    check = getattr(_lib(lib).autograd, which)
    ran, failures = 0, []
    for s in op.grad_samples("float64"):
        if gradcheck_skip_reason(op, s, lib) is not None:
            continue
        ran += 1
        try:
            fn, inputs = checked_fn(op, s, lib)
            ok = check(fn, inputs, **GRADCHECK_KW, raise_exception=True)
        except Exception as e:
            failures.append(f"{s!r}\n    {_short(e)}")
            continue
        if ok is not True:
            failures.append(f"{s!r}\n    {which} returned {ok!r} (expected True)")
    return ran, failures


def _float64_ops():
    return [pytest.param(op, id=op.name) for op in GRAD_OPS if "float64" in op.dtypes]


@pytest.mark.parametrize("op", _float64_ops())
def test_gradcheck(op):
    ran, failures = gradcheck_failures(op, "gradcheck")
    assert ran, f"op_db: {op.name} has no sample gradcheck can run on"
    assert not failures, _report(f"{op.name}: gradcheck fails on {len(failures)} of {ran} samples:",
                                 failures)


@pytest.mark.parametrize("op", _float64_ops())
def test_gradgradcheck(op):
    ran, failures = gradcheck_failures(op, "gradgradcheck")
    assert ran, f"op_db: {op.name} has no sample gradgradcheck can run on"
    assert not failures, _report(
        f"{op.name}: gradgradcheck fails on {len(failures)} of {ran} samples:", failures)


def _no_empty_backward_in_torch(op, sample) -> bool:
    """torch's norm(p=0) of an empty tensor records a node that does not reach the input (its
    autograd.grad raises "appears to not have been used in the graph"): nothing to require."""
    return op.name == "norm" and sample.kwargs.get("p") == 0


def empty_backward_failures(op, dtype, lib="ember"):
    """On every empty sample: backward through the floating outputs gives, for each input, a
    gradient of its shape and dtype, all zeros where every output is empty."""
    L = _lib(lib)
    ran, failures = 0, []
    for i, s in enumerate(op.samples(dtype)):
        if not _diff_args(s) or not _is_empty(s) or _no_empty_backward_in_torch(op, s):
            continue
        ran += 1
        try:
            fn, inputs = checked_fn(op, s, lib)
            outs = _outputs(fn(*inputs))
            rng = np.random.default_rng(i)
            cots = [_tensor(rng.standard_normal(tuple(o.shape)).astype(
                NP_DTYPE[dtype_name(o.dtype)]), lib) for o in outs]
            grads = L.autograd.grad(outs, list(inputs), cots)
            assert len(grads) == len(inputs), f"{len(grads)} gradients for {len(inputs)} inputs"
            all_empty = all(_numel(o.shape) == 0 for o in outs)
            for k, (g, x) in enumerate(zip(grads, inputs)):
                assert g is not None, f"gradient {k} is None"
                assert tuple(g.shape) == tuple(x.shape), \
                    f"gradient {k}: shape {tuple(g.shape)}, input shape {tuple(x.shape)}"
                assert dtype_name(g.dtype) == dtype, f"gradient {k}: dtype {g.dtype}"
                if all_empty:
                    assert not np.any(to_numpy(g)), \
                        f"gradient {k} of an empty output is not zero: {to_numpy(g)}"
        except Exception as e:
            failures.append(f"{s!r}\n    {_short(e)}")
    return ran, failures


@pytest.mark.parametrize("op,dtype", [pytest.param(op, d, id=f"{op.name}-{d}") for op in GRAD_OPS
                                      for d in FLOAT_DTYPES if d in op.dtypes])
def test_empty_backward(op, dtype):
    ran, failures = empty_backward_failures(op, dtype)
    assert ran, f"op_db: {op.name} has no empty sample with a floating input"
    assert not failures, _report(f"{op.name} [{dtype}]: backward fails on {len(failures)} of {ran} "
                                 "empty samples:", failures)


# ---------------------------------------------------------------------------------------------
# Gradients against torch
# ---------------------------------------------------------------------------------------------
_GRAD_TOL = {"float32": (1e-4, 1e-5), "float64": (1e-7, 1e-10)}


def grad_tolerance(op, dtype):
    """Forward tolerance x 10, at least _GRAD_TOL (float32 gradients sum more rounding errors)."""
    rtol, atol = op.tolerance(dtype)
    base_r, base_a = _GRAD_TOL[dtype]
    return max(10 * rtol, base_r), max(10 * atol, base_a)


def _cotangents(op, dtype, index, outs):
    """Fixed random cotangents for the outputs (the same numbers for ember and torch)."""
    rng = np.random.default_rng([zlib.crc32(op.name.encode()), FLOAT_DTYPES.index(dtype), index])
    return [rng.standard_normal(tuple(o.shape)).astype(NP_DTYPE[dtype_name(o.dtype)])
            for o in outs]


class TorchHasNoGradient(Exception):
    """torch's own backward raises on this sample: nothing to compare with."""


def run_op_on_leaves(op, sample, lib):
    """Runs the op on leaves requiring grad (a non-contiguous Arg gives a non-contiguous leaf,
    ``view(base).detach().requires_grad_()``): (leaves, flat outputs)."""
    args = _diff_args(sample)
    leaves = [a.to(lib).detach().requires_grad_() for a in args]
    given = {id(a): x for a, x in zip(args, leaves)}
    out = _op_fn(op, lib)(*_build(sample.args, lib, given), **_build(sample.kwargs, lib, given))
    return leaves, _outputs(out)


def backward_through(lib, leaves, outs, cots):
    """Back-propagates the cotangents (NumPy arrays) through the floating outputs requiring grad:
    one output with Tensor.backward (then the leaves' .grad), several with autograd.grad."""
    fouts = [o for o in outs if _is_float(o) and o.requires_grad]
    cts = [_tensor(c, lib) for c in cots]
    if len(fouts) == 1:
        fouts[0].backward(cts[0])
        return [x.grad for x in leaves]
    return list(_lib(lib).autograd.grad(fouts, leaves, cts, allow_unused=True))


def _graph_attrs(t):
    return {"requires_grad": bool(t.requires_grad), "grad_fn is None": t.grad_fn is None,
            "is_leaf": bool(t.is_leaf)}


def compare_grad_with_torch(op, dtype, sample, index):
    """None, or a description of how ember's gradients differ from torch's on this sample."""
    t_leaves, t_outs = run_op_on_leaves(op, sample, "torch")
    t_fouts = [o for o in t_outs if _is_float(o) and o.requires_grad]
    if not t_fouts:
        return (f"{sample!r}\n    op_db: {op.name} has supports_grad but torch's outputs do not "
                "require grad")
    cots = _cotangents(op, dtype, index, t_fouts)
    try:
        t_grads = backward_through("torch", t_leaves, t_outs, cots)
    except RuntimeError as e:
        raise TorchHasNoGradient(str(e)) from e
    problems = []
    try:
        e_leaves, e_outs = run_op_on_leaves(op, sample, "ember")
    except Exception as e:
        return f"{sample!r}\n    ember forward: {_short(e)}"
    for k, (el, tl) in enumerate(zip(e_leaves, t_leaves)):
        if not tl.is_contiguous() and el.is_contiguous() and tl.numel() > 0:
            problems.append(f"input {k}: detach() made the non-contiguous leaf contiguous")
        if not (el.is_leaf and el.requires_grad):
            problems.append(f"input {k}: detach().requires_grad_() gives is_leaf={el.is_leaf}, "
                            f"requires_grad={el.requires_grad}")
    if len(e_outs) != len(t_outs):
        problems.append(f"{len(e_outs)} outputs, torch gives {len(t_outs)}")
    for k, (eo, to) in enumerate(zip(e_outs, t_outs)):
        if any(to is x for x in t_leaves):
            continue  # torch returned its input itself (flatten of a 1-d tensor): no new node
        ea, ta = _graph_attrs(eo), _graph_attrs(to)
        if ea != ta:
            problems.append(f"output {k}: {ea}, torch {ta}")
        elif eo.grad_fn is not None:
            name = eo.grad_fn.name()
            if not (isinstance(name, str) and name):
                problems.append(f"output {k}: grad_fn.name() is {name!r}")
    e_grads = None
    if len([o for o in e_outs if _is_float(o) and o.requires_grad]) != len(t_fouts):
        problems.append("not the floating outputs requiring grad that torch has: no backward")
    else:
        try:
            e_grads = backward_through("ember", e_leaves, e_outs, cots)
        except Exception as e:
            problems.append(f"ember backward: {_short(e)}")
    if e_grads is not None and len(e_grads) != len(t_grads):
        problems.append(f"{len(e_grads)} gradients for {len(t_grads)} inputs")
    elif e_grads is not None:
        # float64 inputs computed in float32 (softmax(dtype=float32)) get float32's tolerance
        rtol, atol = grad_tolerance(op, "float32" if any(
            dtype_name(t.dtype) == "float32" for t in t_leaves + t_fouts) else dtype)
        for k, (eg, tg) in enumerate(zip(e_grads, t_grads)):
            if tg is None or eg is None:
                if (tg is None) != (eg is None):
                    problems.append(f"gradient of input {k}: ember {eg!r}, torch {tg!r}")
                continue
            try:
                assert_same(eg, tg, rtol, atol, what=f"gradient of input {k}")
            except AssertionError as e:
                problems.append(str(e))
    if problems:
        return f"{sample!r}\n    " + "\n    ".join(problems)
    return None


def _compare_all(op, dtype, kinds):
    compared, torch_refuses, failures = 0, 0, []
    for i, s in enumerate(op.samples(dtype)):
        if s.kind not in kinds or not _diff_args(s):
            continue
        try:
            f = compare_grad_with_torch(op, dtype, s, i)
        except TorchHasNoGradient:
            torch_refuses += 1  # e.g. scatter with a src bigger than its index
            continue
        compared += 1
        if f:
            failures.append(f)
    assert compared, f"op_db: {op.name} [{dtype}] has no sample to compare gradients on"
    assert not failures, _report(f"{op.name} [{dtype}]: gradients differ from torch on "
                                 f"{len(failures)} of {compared} samples:", failures)


_GRAD_PARAMS = [pytest.param(op, d, id=f"{op.name}-{d}") for op in GRAD_OPS for d in FLOAT_DTYPES
                if d in op.dtypes]


@pytest.mark.parametrize("op,dtype", _GRAD_PARAMS)
def test_grad_matches_torch(op, dtype, torch):
    _compare_all(op, dtype, (REGULAR, ZERO_DIM, EMPTY, NONCONTIG))


@pytest.mark.parametrize("op,dtype", [p for p in _GRAD_PARAMS
                                      if any(s.kind == SPECIAL
                                             for s in p.values[0].samples(p.values[1]))])
def test_grad_special_values_match_torch(op, dtype, torch):
    """NaN, +-inf, +-0: gradients follow torch's formulas there too (NaN where torch gives NaN)."""
    _compare_all(op, dtype, (SPECIAL,))


@pytest.mark.parametrize("op", [pytest.param(op, id=op.name) for op in NO_GRAD_OPS])
def test_nondifferentiable_outputs(op, torch):
    """Ops without a gradient (bool results, indices): outputs do not require grad even when the
    inputs do, as in torch."""
    problems, checked = [], 0
    for dtype in sorted(op.dtypes & FLOATING):
        for s in op.samples(dtype):
            if s.kind not in (REGULAR, ZERO_DIM, NONCONTIG) or not _diff_args(s):
                continue
            t_out = run_op_on_leaves(op, s, "torch")[1]
            if any(o.requires_grad for o in t_out):
                continue  # floor_divide: torch records a node whose backward raises
            checked += 1
            try:
                e_out = run_op_on_leaves(op, s, "ember")[1]
                for k, o in enumerate(e_out):
                    assert not o.requires_grad and o.grad_fn is None, \
                        f"output {k} requires_grad={o.requires_grad}, grad_fn={o.grad_fn!r}"
            except Exception as e:
                problems.append(f"[{dtype}] {s!r}\n    {_short(e)}")
    if not checked:
        pytest.skip(f"torch records a gradient node for {op.name}: nothing to compare")
    assert not problems, _report(f"{op.name}: outputs require grad", problems)


# ---------------------------------------------------------------------------------------------
# Subscripts: x[idx] and y[idx] = v (no op_db row)
# ---------------------------------------------------------------------------------------------
class Ix:
    """A tensor index (int64 or bool), built per library."""

    def __init__(self, values, dtype=None):
        self.a = np.asarray(values, dtype=dtype)

    def to(self, lib):
        return _tensor(self.a, lib)

    def __repr__(self):
        if self.a.dtype == np.bool_:
            return f"Mask{list(self.a.shape)}"
        return f"Ix({self.a.tolist()!r})"


def _index(idx, lib):
    if isinstance(idx, tuple):
        return tuple(_index(i, lib) for i in idx)
    return idx.to(lib) if isinstance(idx, Ix) else idx


X_SHAPE = (4, 5, 3)
_MASK = np.random.default_rng(7).random((4, 5)) > 0.5

GETITEM_CASES = [
    1, -1, slice(1, 3), (Ellipsis, slice(None, None, 2)), (slice(None), 2), (None, 0),
    (1, slice(None), -1), (slice(None, None, 2), slice(1, None, 2)), (),
    Ix([2, 0, 2]),                                   # repeated rows: gradients accumulate
    (slice(None), Ix([[1, 0], [1, 3]])), Ix(_MASK), (Ix([0, 3]), slice(1, 4)),
    (Ix([0, 1]), Ellipsis, Ix([2, 2])), [3, 1], (Ix([1, 1]), Ix([4, 4])),
]
SETITEM_CASES = [
    # (index, shape of the value tensor, or a Python number)
    (1, (5, 3)), (slice(1, 3), (3,)), ((Ellipsis, 0), ()), (Ix([3, 0]), (2, 5, 3)),
    (Ix(_MASK), (3,)), ((slice(None), Ix([1, 4])), (4, 2, 3)), (0, 2.5),
    ((slice(None), slice(None, None, 2)), (1, 3, 1)),
]
LAYOUTS = ["contiguous", "transposed"]


def _x_arg(layout, dtype, rng):
    """The subscripted tensor: (4, 5, 3), or a transposed view of a (5, 4, 3) base."""
    if layout == "contiguous":
        return Arg(rng.standard_normal(X_SHAPE).astype(NP_DTYPE[dtype]))
    base = rng.standard_normal((5, 4, 3)).astype(NP_DTYPE[dtype])
    return Arg(base, lambda t: t.transpose(0, 1), "transpose(0, 1)")


def _getitem_op(idx):
    def f(lib):
        return lambda x: x[_index(idx, lib)]
    return op_db.OpInfo(name=f"getitem[{idx!r}]", ember_fn=f("ember"), torch_fn=f("torch"),
                        dtypes=FLOATING, sample_fn=None)


def _setitem_op(idx, value):
    def f(lib):
        def g(x, *v):
            y = x.clone()
            y[_index(idx, lib)] = v[0] if v else value
            return y
        return g
    return op_db.OpInfo(name=f"setitem[{idx!r}]", ember_fn=f("ember"), torch_fn=f("torch"),
                        dtypes=FLOATING, sample_fn=None)


def subscript_sample(kind, case, layout, dtype):
    """(an OpInfo-like object, a SampleInput) for a getitem / setitem case."""
    rng = np.random.default_rng(zlib.crc32(repr((kind, case, layout)).encode()))
    x = _x_arg(layout, dtype, rng)
    if kind == "getitem":
        return _getitem_op(case), op_db.SampleInput((x,), kind=REGULAR, desc=layout)
    idx, value = case
    if isinstance(value, tuple):
        v = Arg(rng.standard_normal(value).astype(NP_DTYPE[dtype]))
        return _setitem_op(idx, None), op_db.SampleInput((x, v), kind=REGULAR, desc=layout)
    return _setitem_op(idx, value), op_db.SampleInput((x,), kind=REGULAR, desc=layout)


_SUB_PARAMS = ([pytest.param("getitem", c, lay, id=f"getitem-{c!r}-{lay}")
                for c in GETITEM_CASES for lay in LAYOUTS]
               + [pytest.param("setitem", c, lay, id=f"setitem-{c[0]!r}={c[1]!r}-{lay}")
                  for c in SETITEM_CASES for lay in LAYOUTS])


@pytest.mark.parametrize("kind,case,layout", _SUB_PARAMS)
def test_subscript_gradcheck(kind, case, layout):
    op, s = subscript_sample(kind, case, layout, "float64")
    fn, inputs = checked_fn(op, s)
    assert ember.autograd.gradcheck(fn, inputs, **GRADCHECK_KW, raise_exception=True) is True
    assert ember.autograd.gradgradcheck(fn, inputs, **GRADCHECK_KW, raise_exception=True) is True


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("kind,case,layout", _SUB_PARAMS)
def test_subscript_grad_matches_torch(kind, case, layout, dtype, torch):
    op, s = subscript_sample(kind, case, layout, dtype)
    failure = compare_grad_with_torch(op, dtype, s, 0)
    assert failure is None, failure


# ---------------------------------------------------------------------------------------------
# ember.nn.functional.softmax / log_softmax
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("kw", [{"dim": 1}, {"dim": 0}, {"dim": -1, "dtype": "float64"}],
                         ids=["dim1", "dim0", "dtype"])
def test_functional_softmax_matches_torch(name, dtype, kw, torch):
    """ember.nn.functional.<name>(x, dim, dtype=None): values and gradients equal torch's."""
    def fns(lib):
        F = _lib(lib).nn.functional
        k = dict(kw)
        if "dtype" in k:
            k["dtype"] = getattr(_lib(lib), k["dtype"])
        return lambda x: getattr(F, name)(x, **k)

    op = op_db.OpInfo(name=f"nn.functional.{name}", ember_fn=fns("ember"),
                      torch_fn=fns("torch"), dtypes=FLOATING, sample_fn=None)
    op.rtol, op.atol = op_db.OPS_BY_NAME[name].rtol, op_db.OPS_BY_NAME[name].atol
    rng = np.random.default_rng(3)
    s = op_db.SampleInput((op_db.noncontig((3, 4), dtype, rng),), kind=NONCONTIG)
    e = op.ember_fn(*op_db.materialize(s.args, "ember"))
    t = op.torch_fn(*op_db.materialize(s.args, "torch"))
    assert_same(e, t, *op.tolerance(dtype_name(t.dtype)), what=f"F.{name}")
    failure = compare_grad_with_torch(op, dtype, s, 0)
    assert failure is None, failure
    if dtype == "float64":
        fn, inputs = checked_fn(op, s)
        assert ember.autograd.gradcheck(fn, inputs, **GRADCHECK_KW) is True
        assert ember.autograd.gradgradcheck(fn, inputs, **GRADCHECK_KW) is True


# ---------------------------------------------------------------------------------------------
# gradcheck itself: it must be able to fail
# ---------------------------------------------------------------------------------------------
def _x64(shape=(3, 2), seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    return to_ember(a).requires_grad_()


def test_gradcheck_detects_a_wrong_gradient():
    """x * x.detach() has gradient x.detach() in autograd, 2x numerically: gradcheck raises (and
    returns False with raise_exception=False)."""
    x = _x64()
    with pytest.raises(Exception):
        ember.autograd.gradcheck(lambda t: t * t.detach(), (x,), **GRADCHECK_KW)
    assert ember.autograd.gradcheck(lambda t: t * t.detach(), (x,), **GRADCHECK_KW,
                                    raise_exception=False) is False
    assert ember.autograd.gradcheck(lambda t: t * t, (x,), **GRADCHECK_KW) is True


def test_gradgradcheck_detects_a_wrong_second_derivative():
    """The backward of x * x.detach() (v * x.detach()) does not depend on x in autograd, though
    numerically it does: gradgradcheck raises."""
    x = _x64()
    with pytest.raises(Exception):
        ember.autograd.gradgradcheck(lambda t: t * t.detach(), (x,), **GRADCHECK_KW)
    assert ember.autograd.gradgradcheck(lambda t: t * t.detach(), (x,), **GRADCHECK_KW,
                                        raise_exception=False) is False
    assert ember.autograd.gradgradcheck(lambda t: t * t * t, (x,), **GRADCHECK_KW) is True


def test_gradcheck_takes_non_tensor_inputs_and_leaves_non_grad_tensors_alone():
    """Only float64 tensors with requires_grad are perturbed: an int tensor, a float64 tensor
    without requires_grad and a Python number pass through."""
    x = _x64((4,))
    idx = ember.from_numpy(np.array([3, 0, 0]))
    c = to_ember(np.array([1.5, -2.0, 0.5]))
    calls = []

    def fn(t, i, k, s):
        calls.append((tuple(i.tolist()), tuple(k.tolist()), s))
        return t.index_select(0, i) * k * s

    assert ember.autograd.gradcheck(fn, (x, idx, c, 3.0), **GRADCHECK_KW) is True
    assert calls and all(call == ((3, 0, 0), (1.5, -2.0, 0.5), 3.0) for call in calls)


@pytest.mark.parametrize("which", ["gradcheck", "gradgradcheck"])
def test_gradcheck_takes_lists_like_torch(which):
    """torch.autograd's checks take the outputs of fn and the inputs as a tuple or a list alike:
    a wrong gradient returned inside a list is caught, and a list of inputs is checked."""
    check = getattr(ember.autograd, which)
    x = _x64((4,))
    wrong = check(lambda t: [t * t.detach()], (x,), **GRADCHECK_KW, raise_exception=False)
    assert wrong is False, "a wrong gradient passes when fn returns its outputs in a list"
    assert check(lambda t: [t * t, t.exp()], (x,), **GRADCHECK_KW) is True
    assert check(lambda t: t * t.detach(), [x], **GRADCHECK_KW, raise_exception=False) is False
    assert check(lambda t: t * t, [x], **GRADCHECK_KW) is True

"""The op table for ember's generic op tests (tests/core/test_ops.py), PyTorch-OpInfo style.

One ``OpInfo`` row per op: the ember callable, the torch callable (the oracle), an optional NumPy
reference, the dtypes the op supports, a sample-input generator (0-d, empty, broadcasting,
non-contiguous and special-value inputs), domain restrictions and error cases.

Inputs are described in NumPy (``Arg``: a base array plus an optional view such as a transpose or a
strided slice) and materialized per library, so ember, torch and NumPy always see the same values
and the same kind of (non-)contiguous layout. This module needs no torch at import time: torch is
imported only when a torch callable runs.

This module is the core (the OpInfo / SampleInput / Arg definitions, sample helpers, the ``OPS``
registry with ``add_op``, and the comparison helpers). The rows live in family modules, imported
at the end of this one so that ``op_db.OPS`` holds every row:

* ``op_db_pointwise``: unary and binary ops (every row of elementwise.def), clamp, where;
* ``op_db_reduce``: reductions and the matmul family;
* ``op_db_shape``: shape ops (views, joining, splitting) and indexing ops;
* ``op_db_sort``: sorting and selection along one dim (sort, argsort, topk);
* ``op_db_rearrange``: tril / triu, flips, rolls, repeats, diagonals, unique and counting,
  and the composites of ops/combine.cpp.

Import ``op_db`` (not a family module on its own). Importable on its own (tests/conftest.py puts
this folder on sys.path); importing it imports ember.
"""
from __future__ import annotations

import dataclasses
import math
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

import ember

DTYPES = ("bool", "int64", "float32", "float64")
FLOAT_DTYPES = ("float32", "float64")
NP_DTYPE = {"bool": np.bool_, "int64": np.int64, "float32": np.float32, "float64": np.float64}

ALL = frozenset(DTYPES)
NUMERIC = frozenset({"int64", "float32", "float64"})
FLOATING = frozenset(FLOAT_DTYPES)
INTEGRAL = frozenset({"bool", "int64"})


def _torch():
    import torch

    return torch


# ---------------------------------------------------------------------------------------------
# Conversions (NumPy is the go-between)
# ---------------------------------------------------------------------------------------------
def to_ember(a) -> "ember.Tensor":
    """numpy -> ember through ember.tensor (which keeps float64 for float64 arrays).

    ember.tensor turns 0-d arrays into shape (1,) (see test_tensor_from_0d_array_keeps_0d), so 0-d
    arrays go through ember.from_numpy + clone instead, to keep that one bug out of every op test.
    """
    a = np.asarray(a)
    if a.ndim == 0:
        return ember.from_numpy(np.array(a, copy=True)).clone()
    return ember.tensor(a)


def to_torch(a):
    return _torch().from_numpy(np.array(a, copy=True))


def to_numpy(t) -> np.ndarray:
    """ember or torch tensor -> numpy (a copy)."""
    if isinstance(t, ember.Tensor):
        return np.array(np.asarray(t), copy=True)
    if hasattr(t, "detach"):
        return t.detach().cpu().numpy().copy()
    return np.asarray(t)


def dtype_name(d) -> str:
    """ember.float32 / torch.float32 / np.float32 -> 'float32'."""
    if isinstance(d, str):
        return d
    if isinstance(d, np.dtype) or (isinstance(d, type) and issubclass(d, np.generic)):
        n = np.dtype(d).name
        return "bool" if n == "bool" else n
    return str(d).split(".")[-1]


@dataclass(frozen=True)
class DT:
    """A dtype argument (e.g. sum(dtype=...)), materialized as each library's dtype object."""
    name: str

    def to(self, lib: str):
        if lib == "ember":
            return getattr(ember, self.name)
        if lib == "torch":
            return getattr(_torch(), self.name)
        return NP_DTYPE[self.name]


class _NumpyViews:
    """Gives a NumPy array torch's transpose(dim0, dim1) (NumPy's transpose permutes all axes)."""

    def __init__(self, a):
        self.a = a

    def transpose(self, d0, d1):
        return np.swapaxes(self.a, d0, d1)

    def __getitem__(self, key):
        return self.a[key]


@dataclass
class Arg:
    """A tensor argument: NumPy data plus an optional view applied in every library alike.

    ``view`` uses only operations that ember, torch and NumPy share (transpose(a, b) and basic
    slicing), so the materialized tensor is a non-contiguous view in each library.
    """
    base: np.ndarray
    view: Callable | None = None
    view_desc: str = ""

    def to(self, lib: str):
        if lib == "ember":
            t = to_ember(self.base)
        elif lib == "torch":
            t = to_torch(self.base)
        else:
            t = np.array(self.base, copy=True)
            if self.view is not None:
                return np.asarray(self.view(_NumpyViews(t)))
        return self.view(t) if self.view is not None else t

    @property
    def shape(self):
        return self.to("numpy").shape

    def __repr__(self):
        v = f".{self.view_desc}" if self.view_desc else ""
        return f"Arg({self.base.dtype.name}{list(self.base.shape)}{v})"


def materialize(obj, lib: str):
    """Arg / DT -> the library's tensor / dtype, recursing into lists, tuples and dicts."""
    if isinstance(obj, (Arg, DT)):
        return obj.to(lib)
    if isinstance(obj, list):
        return [materialize(o, lib) for o in obj]
    if isinstance(obj, tuple):
        return tuple(materialize(o, lib) for o in obj)
    if isinstance(obj, dict):
        return {k: materialize(v, lib) for k, v in obj.items()}
    return obj


def iter_args(obj):
    """Every Arg in a (nested) argument structure."""
    if isinstance(obj, Arg):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            yield from iter_args(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from iter_args(o)


# ---------------------------------------------------------------------------------------------
# Samples
# ---------------------------------------------------------------------------------------------
REGULAR, ZERO_DIM, EMPTY, NONCONTIG, SPECIAL = "regular", "0d", "empty", "noncontig", "special"
KINDS = (REGULAR, ZERO_DIM, EMPTY, NONCONTIG, SPECIAL)


@dataclass
class SampleInput:
    args: tuple
    kwargs: dict = field(default_factory=dict)
    kind: str = REGULAR  # one of KINDS: which generic test runs it
    desc: str = ""

    def __repr__(self):
        kw = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"[{self.kind}] {self.desc} args={self.args!r} kwargs={{{kw}}}"


@dataclass
class ErrorCase:
    """An input on which the op must raise ``exc`` with every string of ``match`` in the message."""
    sample: SampleInput
    exc: type
    match: tuple
    torch_raises: bool = True  # torch (the oracle) raises on the same input too
    id: str = ""


@dataclass(frozen=True)
class Domain:
    """Where sample values are drawn: floats uniform in [lo, hi], ints in [ceil(lo), floor(hi)]
    (clipped to [-9, 9]); ``nonzero`` keeps 0 (and, for floats, |x| < 0.25) out; ``discrete``
    rounds floats to multiples of 0.5 (ties and zeros for comparisons and logical ops)."""
    lo: float = -3.0
    hi: float = 3.0
    nonzero: bool = False
    discrete: bool = False


DEFAULT = Domain()


def make_array(shape, dtype: str, rng: np.random.Generator, dom: Domain = DEFAULT) -> np.ndarray:
    shape = tuple(shape)
    if dtype == "bool":
        a = rng.random(shape) < 0.5
        if dom.nonzero:
            a = np.ones(shape, dtype=bool)
        return np.asarray(a, dtype=np.bool_)
    if dtype == "int64":
        lo, hi = max(math.ceil(dom.lo), -9), min(math.floor(dom.hi), 9)
        a = rng.integers(lo, hi + 1, size=shape, dtype=np.int64)
        if dom.nonzero:
            a = np.where(a == 0, hi if hi != 0 else lo, a)
        return np.asarray(a, dtype=np.int64)
    a = rng.uniform(dom.lo, dom.hi, size=shape)
    if dom.discrete:
        a = np.clip(np.round(a * 2) / 2, dom.lo, dom.hi)
    if dom.nonzero:
        a = np.where(np.abs(a) < 0.25, np.where(a < 0, -0.25, 0.25) + a, a)
    return np.asarray(a, dtype=NP_DTYPE[dtype])


def _swap_first_last(shape):
    s = list(shape)
    s[0], s[-1] = s[-1], s[0]
    return tuple(s)


def contig(shape, dtype, rng, dom=DEFAULT) -> Arg:
    return Arg(make_array(shape, dtype, rng, dom))


def noncontig(shape, dtype, rng, dom=DEFAULT) -> Arg:
    """A non-contiguous view of the given shape: a transpose of dims 0 and -1 when that changes the
    layout, else every other element along the last dim."""
    shape = tuple(shape)
    if len(shape) >= 2 and shape[0] > 1 and shape[-1] > 1:
        base = make_array(_swap_first_last(shape), dtype, rng, dom)
        n = len(shape) - 1
        return Arg(base, lambda t, n=n: t.transpose(0, n), f"transpose(0, {n})")
    if len(shape) == 0:
        raise ValueError("a 0-d tensor is always contiguous")
    base = make_array(shape[:-1] + (2 * shape[-1],), dtype, rng, dom)
    return Arg(base, lambda t: t[..., ::2], "[..., ::2]")


def scalar_of(dtype: str, rng, dom: Domain = DEFAULT):
    """A Python number of the dtype's kind, inside the domain."""
    v = make_array((), dtype, rng, dom).item()
    return v


# ---------------------------------------------------------------------------------------------
# OpInfo
# ---------------------------------------------------------------------------------------------
@dataclass
class OpInfo:
    name: str
    ember_fn: Callable
    torch_fn: Callable
    dtypes: frozenset                      # dtypes the op supports (as torch does)
    sample_fn: Callable                    # (op, dtype, rng) -> list[SampleInput]
    numpy_fn: Callable | None = None       # reference on NumPy arrays (values compared, not dtypes)
    domain: Domain = DEFAULT
    domain_rhs: Domain | None = None       # binary ops: where the second operand is drawn
    error_cases: Callable | None = None    # () -> list[ErrorCase]
    category: str = "other"                # unary, binary, reduction, linalg, shape, index
    rtol: dict = field(default_factory=dict)  # per dtype, overrides the defaults below
    atol: dict = field(default_factory=dict)
    special: bool = True                   # binary: sample the special-value pairs
    scalar_rhs: bool = True                # binary: torch takes a Python number as `other`
    # reductions
    dims_mode: str = "multi"
    has_keepdim: bool = True
    empty_ok: bool = True
    extra_kwargs: Callable | None = None   # dtype -> list of extra kwargs dicts
    keepdim_without_dim: bool = False      # torch takes keepdim= with no dim (amax, argmax)
    skip_sample: Callable | None = None    # (shape, kwargs) -> True for combinations torch rejects
    check_strides: bool = False            # view ops: the result's strides equal torch's
    inplace: bool = False                  # Tensor.<name>_ exists (pointwise ops)
    method: bool = True                    # Tensor.<name> exists and equals ember.<name>
    unsupported_exc: type = TypeError      # what an unsupported dtype raises
    # gradients (tests/autograd/test_gradients.py). The differentiable arguments of a row are its floating
    # tensor arguments (Args, kwargs included); int / bool ones (indices, masks, conditions) never
    # are. Python numbers are never differentiable.
    supports_grad: bool | None = None      # None: True when the op takes a floating dtype
    grad_domain: Domain | None = None      # gradcheck samples draw values here instead of `domain`
    grad_domain_rhs: Domain | None = None  # ... and here instead of `domain_rhs`
    grad_ok: Callable | None = None        # (numpy args, numpy kwargs) -> False where the op is not
    #                                        differentiable within reach of gradcheck's eps (a kink,
    #                                        a jump, a tie): such samples stay out of gradcheck but
    #                                        are still compared with torch's gradient convention

    def __post_init__(self):
        if self.supports_grad is None:
            self.supports_grad = bool(self.dtypes & FLOATING)

    def samples(self, dtype: str, seed: int = 0) -> list[SampleInput]:
        # A seed that does not depend on PYTHONHASHSEED: the same values in every process.
        rng = np.random.default_rng([zlib.crc32(self.name.encode()), DTYPES.index(dtype), seed])
        return self.sample_fn(self, dtype, rng)

    def grad_samples(self, dtype: str, seed: int = 0) -> list[SampleInput]:
        """The samples gradcheck runs on: the same shapes and arguments as ``samples``, with
        values drawn from ``grad_domain`` / ``grad_domain_rhs`` where the row sets them (e.g.
        abs away from 0, maximum without ties)."""
        if self.grad_domain is None and self.grad_domain_rhs is None:
            return self.samples(dtype, seed)
        moved = dataclasses.replace(self, domain=self.grad_domain or self.domain,
                                    domain_rhs=self.grad_domain_rhs or self.domain_rhs)
        return moved.samples(dtype, seed)

    def tolerance(self, dtype: str):
        rtol = {"float32": 1e-5, "float64": 1e-9}.get(dtype, 0.0)
        atol = {"float32": 1e-6, "float64": 1e-12}.get(dtype, 0.0)
        return self.rtol.get(dtype, rtol), self.atol.get(dtype, atol)


def both(f: Callable, name: str = ""):
    """f(L, *args, **kwargs), written once against the shared API, as (ember_fn, torch_fn)."""
    def ember_fn(*a, **k):
        return f(ember, *a, **k)

    def torch_fn(*a, **k):
        return f(_torch(), *a, **k)

    ember_fn.__name__ = torch_fn.__name__ = name or getattr(f, "__name__", "op")
    return ember_fn, torch_fn


def by_name(name: str):
    """ember.<name> and torch.<name>, looked up at call time."""
    return both(lambda L, *a, **k: getattr(L, name)(*a, **k), name)


OPS: list[OpInfo] = []


def add_op(name, fns, dtypes, sample_fn, **kw) -> OpInfo:
    ember_fn, torch_fn = fns
    op = OpInfo(name=name, ember_fn=ember_fn, torch_fn=torch_fn, dtypes=frozenset(dtypes),
                sample_fn=sample_fn, **kw)
    assert name not in {o.name for o in OPS}, name
    OPS.append(op)
    return op


def ops_in(category: str | None = None) -> list[OpInfo]:
    return [o for o in OPS if category is None or o.category == category]


# ---------------------------------------------------------------------------------------------
# Comparison helpers (shared by the test modules)
# ---------------------------------------------------------------------------------------------
def _is_tensor(x) -> bool:
    return isinstance(x, ember.Tensor) or type(x).__module__.startswith("torch")


def assert_same(actual, expected, rtol=0.0, atol=0.0, what="result", check_dtype=True):
    """ember ``actual`` against torch (or NumPy) ``expected``: same structure, dtype, shape, values.

    Floats are compared with rtol/atol, NaNs equal, infinities by sign; bools and ints exactly.
    """
    if isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)), \
            f"{what}: expected a sequence, got {type(actual).__name__}"
        assert len(actual) == len(expected), \
            f"{what}: {len(actual)} results, expected {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, rtol, atol, f"{what}[{i}]", check_dtype)
        return
    if not _is_tensor(expected) and not isinstance(expected, np.ndarray):
        assert not isinstance(actual, ember.Tensor), \
            f"{what}: expected a Python {type(expected).__name__}, got a tensor"
        assert type(actual) is type(expected) or (isinstance(actual, (int, float))
                                                  and isinstance(expected, (int, float))), \
            f"{what}: type {type(actual).__name__}, expected {type(expected).__name__}"
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=what)
        return
    assert isinstance(actual, ember.Tensor), \
        f"{what}: expected an ember.Tensor, got {type(actual).__name__}"
    e = to_numpy(expected)
    a = to_numpy(actual)
    if check_dtype:
        assert dtype_name(actual.dtype) == dtype_name(expected.dtype), \
            f"{what}: dtype {dtype_name(actual.dtype)}, expected {dtype_name(expected.dtype)}"
    assert tuple(actual.shape) == tuple(e.shape), \
        f"{what}: shape {tuple(actual.shape)}, expected {tuple(e.shape)}"
    if a.dtype.kind == "f" or e.dtype.kind == "f":
        a64, e64 = a.astype(np.float64), e.astype(np.float64)
        with np.errstate(all="ignore"):
            close = np.isclose(a64, e64, rtol=rtol, atol=atol, equal_nan=True) | (a64 == e64)
    else:
        close = a == e.astype(a.dtype)
    close = np.asarray(close)
    if not close.all():
        bad = np.argwhere(~close) if close.ndim else [()]
        lines = [f"  at {tuple(int(i) for i in idx)}: ember {a[tuple(idx)]!r}, "
                 f"expected {e[tuple(idx)]!r}"
                 for idx in bad[:8]]
        raise AssertionError(f"{what}: {int((~close).sum())} of {close.size} values differ "
                             f"(rtol={rtol}, atol={atol}):\n" + "\n".join(lines))


def weighted_grads(fn, *inputs):
    """fn(*inputs) (detached) and the gradients of (fn * w).sum() with respect to each input, w a
    fixed ramp (so each output element's gradient is told apart), for ember or torch alike."""
    leaves = [x.detach().clone().requires_grad_(True) for x in inputs]
    out = fn(*leaves)
    w = np.linspace(0.5, 2.0, out.numel()).reshape(tuple(out.shape))
    if isinstance(out, ember.Tensor):
        weights = ember.tensor(w)
    else:
        import torch

        weights = torch.from_numpy(w)
    (out * weights).sum().backward()
    return out.detach(), [x.grad for x in leaves]


def assert_same_strides(actual, expected, what="result"):
    """Strides of a view equal torch's (dims of size <= 1 excepted: their stride carries no
    meaning)."""
    if isinstance(expected, (tuple, list)):
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same_strides(a, e, f"{what}[{i}]")
        return
    if expected.numel() == 0:
        return
    ast, est = tuple(actual.stride()), tuple(expected.stride())
    for d, size in enumerate(expected.shape):
        if size > 1:
            assert ast[d] == est[d], \
                f"{what}: strides {ast}, expected {est} (shape {tuple(expected.shape)})"


# ---------------------------------------------------------------------------------------------
# The rows, by family (each family module imports the core names above from this module)
# ---------------------------------------------------------------------------------------------
import op_db_pointwise  # noqa: E402, F401
import op_db_reduce  # noqa: E402, F401
import op_db_shape  # noqa: E402, F401
import op_db_sort  # noqa: E402, F401
import op_db_rearrange  # noqa: E402, F401

OPS_BY_NAME = {o.name: o for o in OPS}

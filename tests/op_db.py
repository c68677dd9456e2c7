"""The op table for ember's generic op tests (tests/test_ops.py), PyTorch-OpInfo style.

One ``OpInfo`` row per op: the ember callable, the torch callable (the oracle), an optional NumPy
reference, the dtypes the op supports, a sample-input generator (0-d, empty, broadcasting,
non-contiguous and special-value inputs), domain restrictions and error cases.

Inputs are described in NumPy (``Arg``: a base array plus an optional view such as a transpose or a
strided slice) and materialized per library, so ember, torch and NumPy always see the same values
and the same kind of (non-)contiguous layout. This module needs no torch at import time: torch is
imported only when a torch callable runs.

Importable on its own (tests/conftest.py puts this folder on sys.path); importing it imports ember.
"""
from __future__ import annotations

import math
import os
import signal as _signal
import sys
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np


# ---------------------------------------------------------------------------------------------
# Importing ember without a C++ rebuild
# ---------------------------------------------------------------------------------------------
def import_ember():
    """Imports ember; with SKBUILD_EDITABLE_SKIP set, without ever starting a C++ rebuild.

    scikit-build-core's editable finder rebuilds the extension on first import. With the build dir
    listed in SKBUILD_EDITABLE_SKIP that finder steps aside entirely, and then ``ember._C`` (which
    lives in the build's install tree, not in python/ember) cannot be found. So, when the marker
    names the finder's build dir, the finder is kept but told it has already rebuilt (so it only
    maps ember._C to the built extension), and the marker is hidden only while ember is imported.
    """
    if "ember" in sys.modules:
        return sys.modules["ember"]
    marker_name = "SKBUILD_EDITABLE_SKIP"
    marker = os.environ.get(marker_name)
    finders = [f for f in sys.meta_path
               if "ember._C" in (getattr(f, "known_wheel_files", None) or {})]
    if marker and finders and any(f.path and f.path in marker.split(os.pathsep) for f in finders):
        for f in finders:
            f.rebuilt = True          # the finder's once-per-process rebuild is marked done
            f.rebuild_flag = False    # and switched off
        del os.environ[marker_name]
        try:
            import ember
        finally:
            os.environ[marker_name] = marker
        return ember
    import ember
    return ember


ember = import_ember()

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


SPECIAL_FLOATS = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1.5, 2.5, -2.5,
                           1e-6, 7.0, -7.0])


# ---- unary -------------------------------------------------------------------------------------
def unary_samples(op: "OpInfo", dtype: str, rng) -> list[SampleInput]:
    dom = op.domain
    out = [SampleInput((contig(s, dtype, rng, dom),), desc=str(s)) for s in [(7,), (3, 4), (2, 3, 4), (4, 1, 3)]]
    out.append(SampleInput((contig((65, 513), dtype, rng, dom),), desc="large"))
    out.append(SampleInput((contig((), dtype, rng, dom),), kind=ZERO_DIM))
    out += [SampleInput((contig(s, dtype, rng, dom),), kind=EMPTY, desc=str(s)) for s in [(0,), (2, 0, 3)]]
    out += [SampleInput((noncontig(s, dtype, rng, dom),), kind=NONCONTIG, desc=str(s))
            for s in [(3, 4), (6,), (2, 3, 4), (0, 3), (65, 513)]]
    if dtype in FLOAT_DTYPES:
        out.append(SampleInput((Arg(SPECIAL_FLOATS.astype(NP_DTYPE[dtype])),), kind=SPECIAL))
    return out


# ---- binary ------------------------------------------------------------------------------------
BINARY_SHAPES = [((5,), (5,)), ((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((4,), (2, 3, 4)),
                 ((2, 1, 4), (3, 1)), ((3, 4), ()), ((), (3, 4))]


def binary_samples(op: "OpInfo", dtype: str, rng) -> list[SampleInput]:
    d1, d2 = op.domain, op.domain_rhs or op.domain
    out = []
    for s1, s2 in BINARY_SHAPES:
        kind = REGULAR
        out.append(SampleInput((contig(s1, dtype, rng, d1), contig(s2, dtype, rng, d2)), kind=kind, desc=f"{s1} {s2}"))
    out.append(SampleInput((contig((65, 513), dtype, rng, d1), contig((65, 513), dtype, rng, d2)), desc="large"))
    out.append(SampleInput((contig((65, 513), dtype, rng, d1), contig((513,), dtype, rng, d2)), desc="large bcast"))
    out.append(SampleInput((contig((), dtype, rng, d1), contig((), dtype, rng, d2)), kind=ZERO_DIM, desc="() ()"))
    if op.scalar_rhs:  # a Python number of the tensor's kind as the second operand
        out.append(SampleInput((contig((3, 4), dtype, rng, d1), scalar_of(dtype, rng, d2)), desc="python scalar"))
        out.append(SampleInput((contig((), dtype, rng, d1), scalar_of(dtype, rng, d2)), kind=ZERO_DIM,
                               desc="() scalar"))
    for s1, s2 in [((0,), (0,)), ((0, 3), (1, 3)), ((0,), ()), ((2, 0, 3), (3,)), ((1,), (0,))]:
        out.append(SampleInput((contig(s1, dtype, rng, d1), contig(s2, dtype, rng, d2)), kind=EMPTY, desc=f"{s1} {s2}"))
    out.append(SampleInput((noncontig((3, 4), dtype, rng, d1), contig((3, 4), dtype, rng, d2)), kind=NONCONTIG, desc="T, c"))
    out.append(SampleInput((contig((3, 4), dtype, rng, d1), noncontig((3, 4), dtype, rng, d2)), kind=NONCONTIG, desc="c, T"))
    out.append(SampleInput((noncontig((2, 3, 4), dtype, rng, d1), noncontig((3, 4), dtype, rng, d2)), kind=NONCONTIG,
                           desc="T, T bcast"))
    out.append(SampleInput((noncontig((5,), dtype, rng, d1), noncontig((5,), dtype, rng, d2)), kind=NONCONTIG,
                           desc="strided"))
    out.append(SampleInput((noncontig((65, 513), dtype, rng, d1), contig((65, 1), dtype, rng, d2)), kind=NONCONTIG,
                           desc="large T bcast"))
    if dtype in FLOAT_DTYPES and op.special:
        sp = SPECIAL_FLOATS.astype(NP_DTYPE[dtype])
        out.append(SampleInput((Arg(sp.reshape(-1, 1)), Arg(sp.reshape(1, -1))), kind=SPECIAL,
                               desc=f"(i, j) = (x, y) pairs of {SPECIAL_FLOATS.tolist()}"))
    return out


# ---- reductions --------------------------------------------------------------------------------
def _dims_for(ndim: int, mode: str):
    """The dim arguments a reduction is sampled with (None = no dim argument)."""
    ints = sorted({0, -1, ndim - 1}) if ndim > 0 else [0, -1]
    tuples = []
    if ndim >= 2:
        tuples = [(0, ndim - 1), (-1, 0)] + ([(0, 1, 2)] if ndim == 3 else [])
    elif ndim == 1:
        tuples = [(0,)]
    if mode == "multi":          # dim=None / int / tuple / () (all dims)
        return [None] + ints + tuples + [()]
    if mode == "multi_required":  # logsumexp: int / tuple, no None
        return ints + tuples
    if mode == "single":         # None / int
        return [None] + ints
    if mode == "int":            # an int is required (cumsum)
        return ints
    raise ValueError(mode)


def reduction_samples(op: "OpInfo", dtype: str, rng) -> list[SampleInput]:
    dom = op.domain
    out = []
    shapes = [((5,), REGULAR), ((3, 4), REGULAR), ((2, 3, 4), REGULAR), ((), ZERO_DIM), ((0,), EMPTY),
              ((2, 0, 3), EMPTY), ((3, 4), NONCONTIG), ((2, 3, 4), NONCONTIG), ((6,), NONCONTIG),
              ((257, 129), REGULAR), ((257, 129), NONCONTIG)]
    for shape, kind in shapes:
        for dim in _dims_for(len(shape), op.dims_mode):
            if kind == EMPTY and not op.empty_ok:
                # amax & co raise on reducing a zero-size dim: keep to the non-empty ones.
                if dim is None or dim == ():
                    continue
                dl = [dim] if isinstance(dim, int) else list(dim)
                if any(shape[d % len(shape)] == 0 for d in dl):
                    continue
            for keepdim in ([False, True] if op.has_keepdim else [None]):
                big = shape == (257, 129)
                if big and (keepdim or (isinstance(dim, int) and dim < 0)):
                    continue
                a = noncontig(shape, dtype, rng, dom) if kind == NONCONTIG else contig(shape, dtype, rng, dom)
                for extra in op.extra_kwargs(dtype) if op.extra_kwargs else [{}]:
                    kw = dict(extra)
                    if dim is not None:
                        kw["dim"] = dim
                    if keepdim is not None and (dim is not None or (keepdim and op.keepdim_without_dim)):
                        kw["keepdim"] = keepdim
                    elif keepdim:
                        continue
                    if op.skip_sample is not None and op.skip_sample(shape, kw):
                        continue
                    out.append(SampleInput((a,), kw, kind=kind, desc=str(shape)))
    return out


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
    scalar_rhs: bool = True                # binary: torch's function takes a Python number as `other`
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

    def samples(self, dtype: str, seed: int = 0) -> list[SampleInput]:
        # A seed that does not depend on PYTHONHASHSEED: the same values in every process.
        rng = np.random.default_rng([zlib.crc32(self.name.encode()), DTYPES.index(dtype), seed])
        return self.sample_fn(self, dtype, rng)

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
    op = OpInfo(name=name, ember_fn=ember_fn, torch_fn=torch_fn, dtypes=frozenset(dtypes), sample_fn=sample_fn, **kw)
    assert name not in {o.name for o in OPS}, name
    OPS.append(op)
    return op


# ---------------------------------------------------------------------------------------------
# Pointwise ops: every row of cpp/include/ember/elementwise.def
# ---------------------------------------------------------------------------------------------
def _np_sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-x))


_np_erf = np.vectorize(math.erf, otypes=[np.float64])


def _np_relu(x):
    return np.where(np.isnan(x), x, np.maximum(x, 0)) if x.dtype.kind == "f" else np.maximum(x, 0)


def _np_round(x):
    return np.round(x) if x.dtype.kind == "f" else x.copy()


def _as_float(f):
    """FLOAT-kind ops promote bool / int64 to float32 first."""
    def g(x):
        x = np.asarray(x)
        if x.dtype.kind in "bi":
            x = x.astype(np.float32)
        return f(x)
    return g


_POS = Domain(0.05, 5.0)
_UNARY = [
    # name, kind, numpy reference, domain, extra rtol for float32
    ("exp", "FLOAT", np.exp, DEFAULT, None),
    ("exp2", "FLOAT", np.exp2, DEFAULT, None),
    ("expm1", "FLOAT", np.expm1, DEFAULT, None),
    ("log", "FLOAT", np.log, _POS, None),
    ("log2", "FLOAT", np.log2, _POS, None),
    ("log10", "FLOAT", np.log10, _POS, None),
    ("log1p", "FLOAT", np.log1p, Domain(-0.95, 5.0), None),
    ("sqrt", "FLOAT", np.sqrt, Domain(0.0, 5.0), None),
    ("rsqrt", "FLOAT", lambda x: 1.0 / np.sqrt(x), _POS, None),
    ("reciprocal", "FLOAT", lambda x: 1.0 / x, Domain(-3.0, 3.0, nonzero=True), None),
    ("sin", "FLOAT", np.sin, DEFAULT, None),
    ("cos", "FLOAT", np.cos, DEFAULT, None),
    ("tan", "FLOAT", np.tan, Domain(-1.4, 1.4), None),
    ("asin", "FLOAT", np.arcsin, Domain(-1.0, 1.0), None),
    ("acos", "FLOAT", np.arccos, Domain(-1.0, 1.0), None),
    ("atan", "FLOAT", np.arctan, DEFAULT, None),
    ("sinh", "FLOAT", np.sinh, DEFAULT, None),
    ("cosh", "FLOAT", np.cosh, DEFAULT, None),
    ("tanh", "FLOAT", np.tanh, DEFAULT, None),
    ("sigmoid", "FLOAT", _np_sigmoid, DEFAULT, None),
    ("erf", "FLOAT", _np_erf, DEFAULT, None),
    ("neg", "NUMERIC", np.negative, DEFAULT, None),
    ("abs", "NUMERIC", np.abs, DEFAULT, None),
    ("sign", "NUMERIC", lambda x: np.where(np.isnan(x), 0, np.sign(x)) if x.dtype.kind == "f"
     else (x.copy() if x.dtype == np.bool_ else np.sign(x)),
     Domain(-3, 3, discrete=True), None),  # torch: sign(NaN) is 0
    ("square", "NUMERIC", np.square, DEFAULT, None),
    ("relu", "NUMERIC", _np_relu, DEFAULT, None),
    ("floor", "ROUND", np.floor, DEFAULT, None),
    ("ceil", "ROUND", np.ceil, DEFAULT, None),
    ("round", "ROUND", _np_round, Domain(-3, 3, discrete=True), None),
    ("trunc", "ROUND", np.trunc, DEFAULT, None),
    ("isnan", "PREDICATE", np.isnan, DEFAULT, None),
    ("isinf", "PREDICATE", np.isinf, DEFAULT, None),
    ("isfinite", "PREDICATE", np.isfinite, DEFAULT, None),
    ("logical_not", "PREDICATE", np.logical_not, Domain(-3, 3, discrete=True), None),
    ("bitwise_not", "INTEGRAL", np.invert, DEFAULT, None),
]

# The dtypes each kind accepts, as torch accepts them. torch also takes bool for sign (bool out) and
# square (int64 out), so those rows list bool although elementwise.def calls them NUMERIC.
_UNARY_DTYPES = {"FLOAT": ALL, "NUMERIC": NUMERIC, "ROUND": NUMERIC, "PREDICATE": ALL, "INTEGRAL": INTEGRAL}
_UNARY_DTYPE_OVERRIDES = {"sign": ALL, "square": ALL}
# Pointwise ops all meet the default float32 tolerance (rtol 1e-5, atol 1e-6): exp-like ops are
# within ~1.4e-7 relative of torch's vectorized versions, so none gets a wider one.


def _np_wrap_unary(f, kind):
    if kind in ("FLOAT", "PREDICATE") and f not in (np.isnan, np.isinf, np.isfinite, np.logical_not):
        f = _as_float(f)
    return f


for _name, _kind, _npf, _dom, _ in _UNARY:
    add_op(_name, by_name(_name), _UNARY_DTYPE_OVERRIDES.get(_name, _UNARY_DTYPES[_kind]), unary_samples,
           numpy_fn=_np_wrap_unary(_npf, _kind), domain=_dom, category="unary", inplace=True)


def _binary_errors(name, dtype="float32", exc=ValueError):
    def cases():
        rng = np.random.default_rng(0)
        out = [ErrorCase(SampleInput((contig((2, 3), dtype, rng), contig((4,), dtype, rng))), exc,
                         (name, "(2, 3)", "(4,)"), id="bcast"),
               ErrorCase(SampleInput((contig((2, 3, 4), dtype, rng), contig((3, 3), dtype, rng))), exc,
                         (name, "(2, 3, 4)", "(3, 3)"), id="bcast3d")]
        return out
    return cases


def _np_floor_divide(x, y):
    return np.floor_divide(x, y)


def _np_pow(x, y):
    return np.power(x.astype(np.float64) if x.dtype.kind == "f" else x, y)


def _np_div(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype.kind in "bi" and y.dtype.kind in "bi":
        return np.true_divide(x.astype(np.float64), y.astype(np.float64))
    return np.true_divide(x, y)


def _np_atan2(x, y):
    return np.arctan2(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))


def _np_maximum(x, y):
    return np.maximum(x, y)


def _np_logical(f):
    return lambda x, y: f(np.asarray(x).astype(bool), np.asarray(y).astype(bool))


_NONZERO = Domain(-5, 5, nonzero=True)
_TIES = Domain(-3, 3, discrete=True)
_BINARY = [
    # name, dtypes, numpy ref, domain (lhs), domain (rhs)
    ("add", ALL, np.add, DEFAULT, None),
    ("sub", NUMERIC, np.subtract, DEFAULT, None),
    ("mul", ALL, np.multiply, DEFAULT, None),
    ("div", ALL, _np_div, DEFAULT, _NONZERO),
    ("floor_divide", NUMERIC, _np_floor_divide, Domain(-9, 9), _NONZERO),
    ("remainder", NUMERIC, np.remainder, Domain(-9, 9), _NONZERO),
    ("fmod", NUMERIC, np.fmod, Domain(-9, 9), _NONZERO),
    ("pow", NUMERIC, _np_pow, Domain(0.1, 3.0), Domain(0.0, 3.0)),
    ("atan2", ALL, _np_atan2, DEFAULT, None),
    ("maximum", ALL, _np_maximum, _TIES, None),
    ("minimum", ALL, np.minimum, _TIES, None),
    ("eq", ALL, np.equal, _TIES, None),
    ("ne", ALL, np.not_equal, _TIES, None),
    ("lt", ALL, np.less, _TIES, None),
    ("le", ALL, np.less_equal, _TIES, None),
    ("gt", ALL, np.greater, _TIES, None),
    ("ge", ALL, np.greater_equal, _TIES, None),
    ("logical_and", ALL, _np_logical(np.logical_and), _TIES, None),
    ("logical_or", ALL, _np_logical(np.logical_or), _TIES, None),
    ("logical_xor", ALL, _np_logical(np.logical_xor), _TIES, None),
    ("bitwise_and", INTEGRAL, np.bitwise_and, Domain(-9, 9), None),
    ("bitwise_or", INTEGRAL, np.bitwise_or, Domain(-9, 9), None),
    ("bitwise_xor", INTEGRAL, np.bitwise_xor, Domain(-9, 9), None),
]

# torch.atan2 / maximum / minimum / logical_* take only a tensor as `other` (ember also takes numbers).
_TENSOR_ONLY_RHS = {"atan2", "maximum", "minimum", "logical_and", "logical_or", "logical_xor"}
for _name, _dts, _npf, _dom, _dom2 in _BINARY:
    add_op(_name, by_name(_name), _dts, binary_samples, numpy_fn=_npf, domain=_dom, domain_rhs=_dom2,
           scalar_rhs=_name not in _TENSOR_ONLY_RHS,
           # torch refuses bool subtraction with a RuntimeError (its message names the `-` operator)
           unsupported_exc=RuntimeError if _name == "sub" else TypeError,
           category="binary", inplace=True, error_cases=_binary_errors(_name, "int64" if _dts == INTEGRAL else "float32"))


# pow with float exponents on negative bases is NaN in both; the regular samples keep bases
# positive and, for int64, exponents non-negative (torch raises on negative integer powers).
def _pow_int_error():
    rng = np.random.default_rng(0)
    # torch raises for a negative Python int exponent only (a tensor exponent gives 0 / +-1).
    return [ErrorCase(SampleInput((Arg(np.array([2, 3])), -1)), RuntimeError, ("pow", "negative"),
                      id="int_negative_power")]


for _op in OPS:
    if _op.name == "pow":
        _base = _op.error_cases
        _op.error_cases = (lambda b=_base: b() + _pow_int_error())
    if _op.name in ("floor_divide", "remainder", "fmod"):
        _base = _op.error_cases
        _op.error_cases = (lambda b=_base, n=_op.name: b() + [
            ErrorCase(SampleInput((Arg(np.array([2, 3])), Arg(np.array([0, 1])))), RuntimeError,
                      (n, "zero"), id="int_by_zero")])


# ---------------------------------------------------------------------------------------------
# clamp, where
# ---------------------------------------------------------------------------------------------
def clamp_samples(op, dtype, rng):
    lo_s, hi_s = (-1, 2) if dtype != "bool" else (False, True)
    if dtype in FLOAT_DTYPES:
        lo_s, hi_s = -1.25, 1.5
    out = [
        SampleInput((contig((3, 4), dtype, rng),), {"min": lo_s, "max": hi_s}, desc="scalars"),
        SampleInput((contig((3, 4), dtype, rng),), {"min": lo_s}, desc="min only"),
        SampleInput((contig((3, 4), dtype, rng),), {"max": hi_s}, desc="max only"),
        SampleInput((contig((3, 4), dtype, rng),), {"min": hi_s, "max": lo_s}, desc="min > max"),
        SampleInput((contig((3, 4), dtype, rng),), {"min": contig((4,), dtype, rng, Domain(-3, 0)),
                                                    "max": contig((3, 1), dtype, rng, Domain(0, 3))}, desc="tensors"),
        SampleInput((contig((2, 3, 4), dtype, rng),), {"min": contig((), dtype, rng, Domain(-3, 0))}, desc="0-d min"),
        SampleInput((contig((65, 513), dtype, rng),), {"min": lo_s, "max": hi_s}, desc="large"),
        SampleInput((contig((), dtype, rng),), {"min": lo_s, "max": hi_s}, kind=ZERO_DIM),
        SampleInput((contig((0, 3), dtype, rng),), {"min": lo_s, "max": hi_s}, kind=EMPTY),
        SampleInput((noncontig((3, 4), dtype, rng),), {"min": lo_s, "max": hi_s}, kind=NONCONTIG),
        SampleInput((contig((3, 4), dtype, rng),), {"min": noncontig((3, 4), dtype, rng, Domain(-3, 0))},
                    kind=NONCONTIG, desc="noncontig bound"),
    ]
    if dtype in FLOAT_DTYPES:
        sp = SPECIAL_FLOATS.astype(NP_DTYPE[dtype])
        out.append(SampleInput((Arg(sp),), {"min": -1.0, "max": 1.0}, kind=SPECIAL))
        out.append(SampleInput((Arg(np.ones(3, NP_DTYPE[dtype])),), {"min": Arg(np.array([np.nan, 0, 2], NP_DTYPE[dtype]))},
                               kind=SPECIAL, desc="nan bound"))
    return out


def _np_clamp(x, min=None, max=None):
    out = x
    if min is not None:
        out = np.where(np.isnan(out) if out.dtype.kind == "f" else False, out, np.maximum(out, min))
    if max is not None:
        out = np.where(np.isnan(out) if out.dtype.kind == "f" else False, out, np.minimum(out, max))
    return out


def _clamp_errors():
    rng = np.random.default_rng(0)
    return [ErrorCase(SampleInput((contig((3, 4), "float32", rng),), {}), ValueError, ("clamp",), id="no_bounds"),
            ErrorCase(SampleInput((contig((3, 4), "float32", rng),), {"min": contig((5,), "float32", rng)}), ValueError,
                      ("clamp", "(3, 4)", "(5,)"), id="bcast")]


# torch: clamp of a bool tensor by bool bounds is not implemented (by int bounds it promotes to
# int64, see test_clamp_promotes), so bool is not among clamp's own dtypes.
add_op("clamp", by_name("clamp"), NUMERIC, clamp_samples, numpy_fn=None, category="binary", error_cases=_clamp_errors)


def where_samples(op, dtype, rng):
    def cond(shape, nc=False):
        return (noncontig if nc else contig)(shape, "bool", rng)

    sc = scalar_of(dtype, rng)
    return [
        SampleInput((cond((3, 4)), contig((3, 4), dtype, rng), contig((3, 4), dtype, rng)), desc="same"),
        SampleInput((cond((3, 1)), contig((1, 4), dtype, rng), contig((2, 3, 4), dtype, rng)), desc="bcast"),
        SampleInput((cond((3, 4)), contig((3, 4), dtype, rng), sc), desc="scalar other"),
        SampleInput((cond((3, 4)), sc, contig((4,), dtype, rng)), desc="scalar input"),
        SampleInput((cond((65, 513)), contig((65, 513), dtype, rng), contig((513,), dtype, rng)), desc="large"),
        SampleInput((cond(()), contig((), dtype, rng), contig((), dtype, rng)), kind=ZERO_DIM),
        SampleInput((cond((0, 4)), contig((0, 4), dtype, rng), contig((4,), dtype, rng)), kind=EMPTY),
        SampleInput((cond((3, 4), True), noncontig((3, 4), dtype, rng), contig((3, 4), dtype, rng)), kind=NONCONTIG),
        SampleInput((cond((3, 4)), contig((3, 4), dtype, rng), noncontig((3, 4), dtype, rng)), kind=NONCONTIG),
    ]


def _where_errors():
    rng = np.random.default_rng(0)
    return [ErrorCase(SampleInput((contig((3, 4), "bool", rng), contig((3, 4), "float32", rng), contig((5,), "float32", rng))),
                      ValueError, ("where", "(5,)"), id="bcast"),
            ErrorCase(SampleInput((contig((3, 4), "float32", rng), contig((3, 4), "float32", rng), contig((3, 4), "float32", rng))),
                      TypeError, ("where", "bool"), id="cond_not_bool")]


add_op("where", by_name("where"), ALL, where_samples, numpy_fn=lambda c, x, y: np.where(c, x, y), category="index",
       error_cases=_where_errors, method=False)


# ---------------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------------
def _np_0d(f):
    """NumPy has no axis 0 on a 0-d array; torch reduces a 0-d tensor over dim 0 / -1 to itself."""
    def g(x, *args, **kw):
        if np.ndim(x) == 0:
            if "dim" in kw and kw["dim"] is not None and kw["dim"] != ():
                kw["dim"] = 0
            if args:
                args = (0,) + args[1:]
            kw.pop("keepdim", None)
            return np.asarray(f(np.reshape(x, (1,)), *args, **kw)).reshape(())
        return f(x, *args, **kw)
    return g


def _np_axis(dim):
    """torch's dim (None / int / tuple / () = all) as a NumPy axis."""
    if dim is None or dim == ():
        return None
    return dim


def _np_sum(x, dim=None, keepdim=False, dtype=None):
    return np.sum(x, axis=_np_axis(dim), keepdims=keepdim, dtype=dtype)


def _np_mean(x, dim=None, keepdim=False, dtype=None):
    with np.errstate(all="ignore"):
        return np.mean(x.astype(np.float64), axis=_np_axis(dim), keepdims=keepdim)


def _np_prod(x, dim=None, keepdim=False, dtype=None):
    return np.prod(x, axis=dim, keepdims=keepdim)


def _np_amax(x, dim=None, keepdim=False):
    return np.max(x, axis=_np_axis(dim), keepdims=keepdim)


def _np_amin(x, dim=None, keepdim=False):
    return np.min(x, axis=_np_axis(dim), keepdims=keepdim)


def _np_arg(f):
    def g(x, dim=None, keepdim=False):
        if x.ndim == 0:
            return np.array(0)
        if dim is None:
            r = f(x.reshape(-1))
            return np.reshape(r, (1,) * x.ndim) if keepdim else r
        return f(x, axis=dim, keepdims=keepdim)
    return g


def _np_var(x, dim=None, unbiased=None, keepdim=False, correction=None, std=False):
    c = correction if correction is not None else (0 if unbiased is False else 1)
    with np.errstate(all="ignore"):
        if x.ndim == 0:
            x = x.reshape(1)
            dim = None if dim is None else 0
            r = np.var(x.astype(np.float64), ddof=c)
            r = np.float64(r) if not keepdim else np.reshape(r, ())
        else:
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = np.var(x.astype(np.float64), axis=_np_axis(dim), ddof=c, keepdims=keepdim)
    return np.sqrt(r) if std else r


def _np_logsumexp(x, dim, keepdim=False):
    x = x.astype(np.float64)
    if x.ndim == 0:
        return x.copy()
    ax = _np_axis(dim)
    with np.errstate(all="ignore"):
        m = np.max(x, axis=ax, keepdims=True) if x.size else np.zeros([1] * x.ndim)
        m = np.where(np.isfinite(m), m, 0)
        r = np.log(np.sum(np.exp(x - m), axis=ax, keepdims=True)) + m
    return r if keepdim else np.squeeze(r, axis=ax if ax is not None else tuple(range(x.ndim)))


def _np_all(x, dim=None, keepdim=False):
    return np.all(x, axis=_np_axis(dim), keepdims=keepdim)


def _np_any(x, dim=None, keepdim=False):
    return np.any(x, axis=_np_axis(dim), keepdims=keepdim)


def _np_norm(x, p="fro", dim=None, keepdim=False):
    if p == "fro" or p is None:
        p = 2
    ax = _np_axis(dim)
    a = np.abs(x.astype(np.float64))
    if p == math.inf:
        r = np.max(a, axis=ax, keepdims=keepdim) if a.size else np.zeros(())
    elif p == -math.inf:
        r = np.min(a, axis=ax, keepdims=keepdim)
    elif p == 0:
        r = np.sum(a != 0, axis=ax, keepdims=keepdim).astype(np.float64)
    else:
        r = np.sum(a ** p, axis=ax, keepdims=keepdim) ** (1.0 / p)
    return r


def _np_cumsum(x, dim, dtype=None):
    if x.ndim == 0:
        return x.astype(dtype or (np.int64 if x.dtype.kind in "bi" else x.dtype)).copy()
    return np.cumsum(x, axis=dim, dtype=dtype)


def _reduce_errors(name, exc_dim=IndexError, extra=()):
    def cases():
        rng = np.random.default_rng(0)
        return [ErrorCase(SampleInput((contig((2, 3), "float32", rng),), {"dim": 5}), exc_dim, (name, "5"), id="dim_range"),
                ErrorCase(SampleInput((contig((2, 3), "float32", rng),), {"dim": -3}), exc_dim, (name, "-3"), id="dim_neg_range"),
                *extra]
    return cases


def _empty_reduce_errors(name, amax_style=True):
    rng = np.random.default_rng(0)
    out = [ErrorCase(SampleInput((contig((2, 0, 3), "float32", rng),), {"dim": 1}), (IndexError, RuntimeError, ValueError),
                     (name,), id="empty_dim")]
    if amax_style:
        out.append(ErrorCase(SampleInput((contig((0, 3), "float32", rng),), {}), (IndexError, RuntimeError, ValueError),
                             (name,), id="empty_all"))
    return out


_RED_TOL = dict(rtol={"float32": 2e-5, "float64": 1e-9}, atol={"float32": 2e-5, "float64": 1e-11})

add_op("sum", by_name("sum"), ALL, reduction_samples, numpy_fn=_np_0d(_np_sum), category="reduction",
       error_cases=_reduce_errors("sum"), extra_kwargs=lambda d: [{}, {"dtype": DT("float64")}] if d != "bool" else [{}],
       **_RED_TOL)
add_op("mean", by_name("mean"), FLOATING, reduction_samples, numpy_fn=_np_0d(_np_mean), category="reduction",
       error_cases=_reduce_errors("mean"), **_RED_TOL)
add_op("prod", by_name("prod"), ALL, reduction_samples, numpy_fn=_np_0d(_np_prod), category="reduction", dims_mode="single",
       domain=Domain(-1.5, 1.5), error_cases=_reduce_errors("prod"), **_RED_TOL)
add_op("amax", by_name("amax"), ALL, reduction_samples, numpy_fn=_np_0d(_np_amax), category="reduction", empty_ok=False,
       error_cases=_reduce_errors("amax", extra=_empty_reduce_errors("amax")))
add_op("amin", by_name("amin"), ALL, reduction_samples, numpy_fn=_np_0d(_np_amin), category="reduction", empty_ok=False,
       error_cases=_reduce_errors("amin", extra=_empty_reduce_errors("amin")))
add_op("max", by_name("max"), ALL, reduction_samples, category="reduction", empty_ok=False, dims_mode="single",
       domain=Domain(-3, 3, discrete=True),
       error_cases=_reduce_errors("max", extra=_empty_reduce_errors("max")))
add_op("min", by_name("min"), ALL, reduction_samples, category="reduction", empty_ok=False, dims_mode="single",
       domain=Domain(-3, 3, discrete=True),
       error_cases=_reduce_errors("min", extra=_empty_reduce_errors("min")))
add_op("argmax", by_name("argmax"), NUMERIC, reduction_samples, numpy_fn=_np_arg(np.argmax), category="reduction",
       empty_ok=False, dims_mode="single", domain=Domain(-3, 3, discrete=True),
       error_cases=_reduce_errors("argmax", extra=_empty_reduce_errors("argmax")))
add_op("argmin", by_name("argmin"), NUMERIC, reduction_samples, numpy_fn=_np_arg(np.argmin), category="reduction",
       empty_ok=False, dims_mode="single", domain=Domain(-3, 3, discrete=True),
       error_cases=_reduce_errors("argmin", extra=_empty_reduce_errors("argmin")))
for _n in ("amax", "amin", "argmax", "argmin"):
    OPS[[o.name for o in OPS].index(_n)].keepdim_without_dim = True
_VAR_KW = lambda d: [{}, {"unbiased": False}, {"correction": 0}, {"correction": 2}]  # noqa: E731
add_op("var", by_name("var"), FLOATING, reduction_samples, numpy_fn=_np_0d(_np_var), category="reduction",
       extra_kwargs=_VAR_KW, error_cases=_reduce_errors("var"), **_RED_TOL)
add_op("std", by_name("std"), FLOATING, reduction_samples,
       numpy_fn=_np_0d(lambda x, **k: _np_var(x, std=True, **k)), category="reduction", extra_kwargs=_VAR_KW,
       error_cases=_reduce_errors("std"), **_RED_TOL)
add_op("logsumexp", by_name("logsumexp"), ALL, reduction_samples, numpy_fn=_np_0d(_np_logsumexp), category="reduction",
       dims_mode="multi_required", error_cases=_reduce_errors("logsumexp"),
       rtol={"float32": 3e-5, "float64": 1e-9}, atol={"float32": 2e-5, "float64": 1e-11})
# all / any: torch reads dim=() as "no dims" (unlike sum's "all dims"): see test_all_any_empty_dim_tuple.
add_op("all", by_name("all"), ALL, reduction_samples, numpy_fn=_np_0d(_np_all), category="reduction",
       skip_sample=lambda shape, kw: kw.get("dim") == (),
       domain=Domain(-1, 1, discrete=True), error_cases=_reduce_errors("all"))
add_op("any", by_name("any"), ALL, reduction_samples, numpy_fn=_np_0d(_np_any), category="reduction",
       skip_sample=lambda shape, kw: kw.get("dim") == (),
       domain=Domain(-0.5, 0.5, discrete=True), error_cases=_reduce_errors("any"))
add_op("norm", by_name("norm"), FLOATING, reduction_samples, numpy_fn=_np_0d(_np_norm), category="reduction",
       extra_kwargs=lambda d: [{}, {"p": 1}, {"p": 3}, {"p": math.inf}, {"p": -math.inf}, {"p": 0}, {"p": 2}],
       # torch's default p ('fro') is a matrix norm when given dims: 3 of them are an error there.
       skip_sample=lambda shape, kw: ("p" not in kw and isinstance(kw.get("dim"), tuple) and len(kw["dim"]) > 2)
       or (kw.get("p") in (math.inf, -math.inf) and 0 in shape),
       error_cases=_reduce_errors("norm", extra=[
           ErrorCase(SampleInput((contig((0, 3), "float32", np.random.default_rng(0)),), {"p": math.inf}),
                     (IndexError, RuntimeError, ValueError), ("norm",), id="inf_norm_empty")]), **_RED_TOL)
add_op("cumsum", by_name("cumsum"), ALL, reduction_samples, numpy_fn=_np_0d(_np_cumsum), category="reduction",
       dims_mode="int", has_keepdim=False,
       extra_kwargs=lambda d: [{}, {"dtype": DT("float64")}] if d != "bool" else [{}],
       error_cases=_reduce_errors("cumsum"), **_RED_TOL)


# ---------------------------------------------------------------------------------------------
# Linear algebra
# ---------------------------------------------------------------------------------------------
def _mT(t):
    return t.transpose(-2, -1)


def _tposed(shape, dtype, rng) -> Arg:
    """A (..., m, n) operand stored as (..., n, m) and transposed back: a BLAS 'T' operand."""
    s = tuple(shape)
    base = make_array(s[:-2] + (s[-1], s[-2]), dtype, rng)
    return Arg(base, _mT, "mT")


def _pairs(pairs, dtype, rng):
    out = []
    for s1, s2, kind in pairs:
        out.append(SampleInput((contig(s1, dtype, rng), contig(s2, dtype, rng)), kind=kind, desc=f"{s1} {s2}"))
    return out


def matmul_samples(op, dtype, rng):
    out = _pairs([((3,), (3,), ZERO_DIM), ((2, 3), (3,), REGULAR), ((3,), (3, 4), REGULAR), ((2, 3), (3, 4), REGULAR),
                  ((5, 2, 3), (3, 4), REGULAR), ((3,), (5, 3, 4), REGULAR), ((5, 2, 3), (5, 3, 4), REGULAR),
                  ((2, 1, 2, 3), (3, 3, 4), REGULAR), ((5, 2, 3), (3,), REGULAR), ((1, 3), (3, 1), REGULAR),
                  ((48, 70), (70, 33), REGULAR), ((0, 3), (3, 4), EMPTY), ((2, 0), (0, 4), EMPTY),
                  ((2, 3), (3, 0), EMPTY), ((0, 2, 3), (3, 4), EMPTY), ((0,), (0,), EMPTY)], dtype, rng)
    out += [SampleInput((_tposed((2, 3), dtype, rng), contig((3, 4), dtype, rng)), kind=NONCONTIG, desc="aT"),
            SampleInput((contig((2, 3), dtype, rng), _tposed((3, 4), dtype, rng)), kind=NONCONTIG, desc="bT"),
            SampleInput((_tposed((48, 70), dtype, rng), _tposed((70, 33), dtype, rng)), kind=NONCONTIG, desc="aT bT"),
            SampleInput((_tposed((5, 2, 3), dtype, rng), _tposed((5, 3, 4), dtype, rng)), kind=NONCONTIG, desc="batched T"),
            SampleInput((_tposed((2, 1, 2, 3), dtype, rng), contig((3, 3, 4), dtype, rng)), kind=NONCONTIG,
                        desc="bcast T"),
            SampleInput((noncontig((2, 3), dtype, rng), noncontig((3,), dtype, rng)), kind=NONCONTIG, desc="strided v"),
            SampleInput((Arg(make_array((2, 6, 3), dtype, rng), lambda t: t[:, ::2, :], "[:, ::2]"),
                         contig((3, 2), dtype, rng)), kind=NONCONTIG, desc="row step")]
    return out


def mm_samples(op, dtype, rng):
    out = _pairs([((2, 3), (3, 4), REGULAR), ((1, 1), (1, 1), REGULAR), ((48, 70), (70, 33), REGULAR),
                  ((0, 3), (3, 4), EMPTY), ((2, 0), (0, 4), EMPTY), ((2, 3), (3, 0), EMPTY)], dtype, rng)
    out += [SampleInput((_tposed((2, 3), dtype, rng), contig((3, 4), dtype, rng)), kind=NONCONTIG, desc="aT"),
            SampleInput((contig((2, 3), dtype, rng), _tposed((3, 4), dtype, rng)), kind=NONCONTIG, desc="bT"),
            SampleInput((_tposed((48, 70), dtype, rng), _tposed((70, 33), dtype, rng)), kind=NONCONTIG, desc="aT bT"),
            SampleInput((Arg(make_array((4, 6), dtype, rng), lambda t: t[:, ::2], "[:, ::2]"),
                         Arg(make_array((6, 4), dtype, rng), lambda t: t[::2, :], "[::2]")), kind=NONCONTIG,
                        desc="strided")]
    return out


def bmm_samples(op, dtype, rng):
    out = _pairs([((4, 2, 3), (4, 3, 5), REGULAR), ((1, 1, 1), (1, 1, 1), REGULAR), ((3, 20, 30), (3, 30, 10), REGULAR),
                  ((0, 2, 3), (0, 3, 4), EMPTY), ((2, 0, 3), (2, 3, 4), EMPTY), ((2, 2, 0), (2, 0, 4), EMPTY)], dtype, rng)
    out += [SampleInput((_tposed((4, 2, 3), dtype, rng), contig((4, 3, 5), dtype, rng)), kind=NONCONTIG, desc="aT"),
            SampleInput((contig((4, 2, 3), dtype, rng), _tposed((4, 3, 5), dtype, rng)), kind=NONCONTIG, desc="bT"),
            SampleInput((Arg(make_array((2, 4, 3), dtype, rng), lambda t: t.transpose(0, 1), "transpose(0, 1)"),
                         contig((4, 3, 5), dtype, rng)), kind=NONCONTIG, desc="batch dim transposed")]
    return out


def mv_samples(op, dtype, rng):
    out = _pairs([((3, 4), (4,), REGULAR), ((1, 1), (1,), REGULAR), ((50, 70), (70,), REGULAR),
                  ((0, 4), (4,), EMPTY), ((3, 0), (0,), EMPTY)], dtype, rng)
    out += [SampleInput((_tposed((3, 4), dtype, rng), contig((4,), dtype, rng)), kind=NONCONTIG, desc="aT"),
            SampleInput((contig((3, 4), dtype, rng), noncontig((4,), dtype, rng)), kind=NONCONTIG, desc="strided v")]
    return out


def dot_samples(op, dtype, rng):
    out = _pairs([((5,), (5,), REGULAR), ((1,), (1,), REGULAR), ((1000,), (1000,), REGULAR), ((0,), (0,), EMPTY)],
                 dtype, rng)
    out += [SampleInput((noncontig((5,), dtype, rng), noncontig((5,), dtype, rng)), kind=NONCONTIG)]
    return out


def outer_samples(op, dtype, rng):
    out = _pairs([((3,), (4,), REGULAR), ((1,), (1,), REGULAR), ((0,), (4,), EMPTY), ((3,), (0,), EMPTY)], dtype, rng)
    out += [SampleInput((noncontig((3,), dtype, rng), noncontig((4,), dtype, rng)), kind=NONCONTIG)]
    return out


def _linalg_errors(name, cases):
    def f():
        rng = np.random.default_rng(0)
        return [ErrorCase(SampleInput((contig(s1, "float32", rng), contig(s2, "float32", rng))), exc,
                          (name,) + tuple(match), id=cid) for s1, s2, exc, match, cid in cases]
    return f


_LIN_TOL = dict(rtol={"float32": 1e-5, "float64": 1e-9}, atol={"float32": 1e-5, "float64": 1e-11})
add_op("matmul", by_name("matmul"), NUMERIC, matmul_samples, numpy_fn=np.matmul, category="linalg", **_LIN_TOL,
       error_cases=_linalg_errors("matmul", [
           ((2, 3), (4, 5), ValueError, ("(2, 3)", "(4, 5)"), "inner"),
           ((3,), (4,), ValueError, ("(3,)", "(4,)"), "vec"),
           ((2, 2, 3), (3, 3, 4), ValueError, ("(2, 2, 3)", "(3, 3, 4)"), "batch"),
           ((), (3,), ValueError, ("()", "(3,)"), "0d")]))
add_op("mm", by_name("mm"), NUMERIC, mm_samples, numpy_fn=np.matmul, category="linalg", **_LIN_TOL,
       error_cases=_linalg_errors("mm", [
           ((2, 3), (4, 5), ValueError, ("(2, 3)", "(4, 5)"), "inner"),
           ((2, 3), (3,), ValueError, ("(3,)",), "1d")]))
add_op("bmm", by_name("bmm"), NUMERIC, bmm_samples, numpy_fn=np.matmul, category="linalg", **_LIN_TOL,
       error_cases=_linalg_errors("bmm", [
           ((2, 2, 3), (3, 3, 4), ValueError, ("(2, 2, 3)", "(3, 3, 4)"), "batch"),
           ((2, 2, 3), (2, 4, 4), ValueError, ("(2, 2, 3)", "(2, 4, 4)"), "inner"),
           ((2, 3), (3, 4), ValueError, ("(2, 3)",), "2d")]))
add_op("mv", by_name("mv"), NUMERIC, mv_samples, numpy_fn=np.matmul, category="linalg", **_LIN_TOL,
       error_cases=_linalg_errors("mv", [
           ((2, 3), (4,), ValueError, ("(2, 3)", "(4,)"), "inner"),
           ((2, 3), (3, 1), ValueError, ("(3, 1)",), "2d_vec")]))
add_op("dot", by_name("dot"), NUMERIC, dot_samples, numpy_fn=np.dot, category="linalg", **_LIN_TOL,
       error_cases=_linalg_errors("dot", [
           ((3,), (4,), ValueError, ("3", "4"), "len"),
           ((2, 3), (3,), ValueError, ("(2, 3)",), "2d")]))
add_op("outer", by_name("outer"), ALL, outer_samples, numpy_fn=np.outer, category="linalg", **_LIN_TOL,
       error_cases=_linalg_errors("outer", [((2, 3), (3,), ValueError, ("(2, 3)",), "2d")]))


# ---------------------------------------------------------------------------------------------
# Shape ops (views, joining, splitting)
# ---------------------------------------------------------------------------------------------
def _shape_samples(specs, shape_arg=False):
    """specs: list of (shape, kwargs-or-args, kind); args tuples follow the input tensor (as one
    tuple argument with shape_arg: reshape(x, (2, 3)))."""
    def gen(op, dtype, rng):
        out = []
        for shape, extra, kind in specs:
            a = noncontig(shape, dtype, rng) if kind == NONCONTIG else contig(shape, dtype, rng)
            if shape_arg:
                out.append(SampleInput((a, tuple(extra)), kind=kind, desc=str(shape)))
            elif isinstance(extra, dict):
                out.append(SampleInput((a,), dict(extra), kind=kind, desc=str(shape)))
            else:
                out.append(SampleInput((a,) + tuple(extra), kind=kind, desc=str(shape)))
        return out
    return gen


def _shape_err(name, shape, args, exc, match, cid, dtype="float32", kwargs=None, torch_raises=True):
    def f():
        rng = np.random.default_rng(0)
        return ErrorCase(SampleInput((contig(shape, dtype, rng),) + tuple(args), kwargs or {}), exc,
                         (name,) + tuple(match), id=cid, torch_raises=torch_raises)
    return f


def _errs(*fs):
    return lambda: [f() for f in fs]


add_op("reshape", both(lambda L, x, shape: L.reshape(x, shape), "reshape"), ALL, _shape_samples([
    ((2, 3, 4), (6, 4), REGULAR), ((2, 3, 4), (-1,), REGULAR), ((2, 3, 4), (4, -1, 2), REGULAR),
    ((6,), (1, 6, 1), REGULAR), ((1,), (), REGULAR), ((), (1,), ZERO_DIM), ((), (), ZERO_DIM), ((), (-1,), ZERO_DIM),
    ((0, 3), (3, 0), EMPTY), ((0, 3), (-1, 3), EMPTY), ((2, 0), (0,), EMPTY),
    ((3, 4), (12,), NONCONTIG), ((3, 4), (2, 6), NONCONTIG), ((2, 3, 4), (4, 6), NONCONTIG)], shape_arg=True),
    numpy_fn=lambda x, shape: np.reshape(x, shape), category="shape",
    error_cases=_errs(_shape_err("reshape", (2, 3), ((4,),), ValueError, ("(4,)", "(2, 3)"), "numel"),
                      _shape_err("reshape", (2, 3), ((-1, -1),), ValueError, ("-1",), "two_inferred"),
                      _shape_err("reshape", (2, 3), ((-1, 4),), ValueError, ("(2, 3)",), "infer_bad")))
add_op("view", both(lambda L, x, shape: x.view(shape), "view"), ALL, None,
    numpy_fn=lambda x, shape: np.reshape(x, shape), category="shape", check_strides=True,
    error_cases=_errs(_shape_err("view", (2, 3), ((4,),), ValueError, ("(4,)",), "numel")))


def _view_noncontig_error():
    rng = np.random.default_rng(0)
    return ErrorCase(SampleInput((noncontig((3, 4), "float32", rng), (12,))), RuntimeError, ("view", "(12,)", "reshape"),
                     id="noncontig")


_view_op = next(o for o in OPS if o.name == "view")
_vbase = _view_op.error_cases
_view_op.error_cases = lambda: _vbase() + [_view_noncontig_error()]


def _view_samples(op, dtype, rng):
    out = _shape_samples([((2, 3, 4), (6, 4), REGULAR), ((2, 3, 4), (-1,), REGULAR), ((6,), (1, 6, 1), REGULAR),
                          ((), (1,), ZERO_DIM), ((), (), ZERO_DIM), ((1,), (), REGULAR), ((0, 3), (3, 0), EMPTY),
                          ((0, 3), (0,), EMPTY)], shape_arg=True)(op, dtype, rng)
    # Views of non-contiguous tensors that are still expressible as views.
    out.append(SampleInput((Arg(make_array((4, 6), dtype, rng), lambda t: t[:, ::2], "[:, ::2]"), (4, 3, 1)),
                           kind=NONCONTIG, desc="unsqueeze-like view of strided"))
    out.append(SampleInput((Arg(make_array((2, 3, 4), dtype, rng), lambda t: t.transpose(0, 2), "transpose(0, 2)"),
                            (4, 3, 2, 1)), kind=NONCONTIG, desc="add a unit dim to a transposed"))
    out.append(SampleInput((Arg(make_array((3, 8), dtype, rng), lambda t: t[:, ::2], "[:, ::2]"), (3, 2, 2)),
                           kind=NONCONTIG, desc="split a strided dim"))
    return out


_view_op.sample_fn = _view_samples


def _np_expand(x, *sizes):
    sizes = list(sizes)
    lead = len(sizes) - x.ndim
    for i in range(x.ndim):
        if sizes[lead + i] == -1:
            sizes[lead + i] = x.shape[i]
    return np.broadcast_to(x, sizes)


add_op("transpose", by_name("transpose"), ALL, _shape_samples([
    ((2, 3), (0, 1), REGULAR), ((2, 3, 4), (0, 2), REGULAR), ((2, 3, 4), (-1, 1), REGULAR), ((2, 3), (1, 1), REGULAR),
    ((5,), (0, -1), REGULAR), ((), (0, -1), ZERO_DIM), ((0, 3), (0, 1), EMPTY), ((3, 4), (0, 1), NONCONTIG),
    ((2, 3, 4), (1, 2), NONCONTIG)]), numpy_fn=lambda x, a, b: np.swapaxes(x, a, b) if x.ndim else x.copy(), category="shape",
    check_strides=True,
    error_cases=_errs(_shape_err("transpose", (2, 3), (0, 2), IndexError, ("2",), "dim_range")))
add_op("permute", both(lambda L, x, dims: L.permute(x, dims), "permute"), ALL, _shape_samples([
    ((2, 3, 4), ((2, 0, 1),), REGULAR), ((2, 3, 4), ((-1, -3, -2),), REGULAR), ((2, 3), ((1, 0),), REGULAR),
    ((), ((),), ZERO_DIM), ((0, 3, 2), ((2, 0, 1),), EMPTY), ((2, 3, 4), ((1, 2, 0),), NONCONTIG)]),
    numpy_fn=lambda x, dims: np.transpose(x, dims), category="shape", check_strides=True, method=False,
    error_cases=_errs(_shape_err("permute", (2, 3, 4), ((0, 1),), ValueError, ("(2, 3, 4)",), "too_few"),
                      _shape_err("permute", (2, 3, 4), ((0, 1, 1),), ValueError, ("(0, 1, 1)",), "repeated"),
                      _shape_err("permute", (2, 3), ((0, 2),), IndexError, ("2",), "dim_range")))
add_op("expand", both(lambda L, x, size: x.expand(size), "expand"), ALL, _shape_samples([
    ((3, 1), (3, 4), REGULAR), ((1,), (2, 3, 5), REGULAR), ((3, 1), (2, -1, 4), REGULAR), ((2, 3), (2, 3), REGULAR),
    ((), (3, 2), ZERO_DIM), ((), (), ZERO_DIM), ((1, 3), (0, 3), EMPTY), ((0,), (2, 0), EMPTY),
    ((3, 1), (2, 3, 4), NONCONTIG), ((2, 3), (4, 2, 3), NONCONTIG)], shape_arg=True),
    numpy_fn=lambda x, size: _np_expand(x, *size), category="shape", check_strides=True,
    error_cases=_errs(_shape_err("expand", (2, 3), ((4, 3),), ValueError, ("(2, 3)", "(4, 3)"), "non_unit"),
                      _shape_err("expand", (2, 3), ((3,),), ValueError, ("(2, 3)", "(3,)"), "fewer_dims")))
add_op("squeeze", by_name("squeeze"), ALL, _shape_samples([
    ((1, 3, 1, 4), {}, REGULAR), ((1, 3, 1, 4), {"dim": 0}, REGULAR), ((1, 3, 1, 4), {"dim": -2}, REGULAR),
    ((1, 3, 1, 4), {"dim": 1}, REGULAR), ((1, 3, 1, 4), {"dim": (0, 2)}, REGULAR), ((1, 1), {}, REGULAR),
    ((), {}, ZERO_DIM), ((), {"dim": 0}, ZERO_DIM), ((1, 0, 1), {}, EMPTY), ((0, 1), {"dim": 1}, EMPTY),
    ((2, 1, 3), {}, NONCONTIG), ((3, 1, 2), {"dim": 1}, NONCONTIG)]),
    numpy_fn=lambda x, dim=None: np.squeeze(x, axis=tuple(d for d in ((dim,) if isinstance(dim, int) else dim)
                                                           if x.shape[d] == 1) if dim is not None and x.ndim else None),
    category="shape", check_strides=True,
    error_cases=_errs(_shape_err("squeeze", (2, 3), (), IndexError, ("5",), "dim_range", kwargs={"dim": 5})))
add_op("unsqueeze", by_name("unsqueeze"), ALL, _shape_samples([
    ((2, 3), (0,), REGULAR), ((2, 3), (2,), REGULAR), ((2, 3), (-1,), REGULAR), ((2, 3), (-3,), REGULAR),
    ((), (0,), ZERO_DIM), ((), (-1,), ZERO_DIM), ((0, 3), (1,), EMPTY), ((3, 4), (1,), NONCONTIG),
    ((3, 4), (2,), NONCONTIG)]),
    numpy_fn=lambda x, d: np.expand_dims(x, d), category="shape", check_strides=True,
    error_cases=_errs(_shape_err("unsqueeze", (2, 3), (3,), IndexError, ("3",), "dim_range"),
                      _shape_err("unsqueeze", (2, 3), (-4,), IndexError, ("-4",), "dim_neg_range")))


def _np_flatten(x, start_dim=0, end_dim=-1):
    if x.ndim == 0:
        return x.reshape(1)
    s, e = start_dim % x.ndim, end_dim % x.ndim
    return x.reshape(x.shape[:s] + (-1 if x.size else int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:])


add_op("flatten", by_name("flatten"), ALL, _shape_samples([
    ((2, 3, 4), {}, REGULAR), ((2, 3, 4), {"start_dim": 1}, REGULAR), ((2, 3, 4, 5), {"start_dim": 1, "end_dim": 2}, REGULAR),
    ((2, 3, 4), {"end_dim": -2}, REGULAR), ((5,), {}, REGULAR), ((2, 3), {"start_dim": 1, "end_dim": 1}, REGULAR),
    ((), {}, ZERO_DIM), ((2, 0, 3), {}, EMPTY), ((2, 0, 3), {"start_dim": 1}, EMPTY),
    ((3, 4), {}, NONCONTIG), ((2, 3, 4), {"start_dim": 1}, NONCONTIG), ((2, 3, 4), {"end_dim": 1}, NONCONTIG)]),
    numpy_fn=_np_flatten, category="shape",
    error_cases=_errs(_shape_err("flatten", (2, 3), (), IndexError, ("3",), "dim_range", kwargs={"start_dim": 3}),
                      _shape_err("flatten", (2, 3, 4), (), ValueError, ("flatten",), "start_after_end",
                                 kwargs={"start_dim": 2, "end_dim": 1})))


def _np_narrow(x, dim, start, length):
    idx = [slice(None)] * x.ndim
    start = start % x.shape[dim] if start < 0 else start
    idx[dim] = slice(start, start + length)
    return x[tuple(idx)]


add_op("narrow", by_name("narrow"), ALL, _shape_samples([
    ((5, 4), (0, 1, 3), REGULAR), ((5, 4), (1, 0, 2), REGULAR), ((5, 4), (-1, 2, 2), REGULAR), ((5, 4), (0, -2, 2), REGULAR),
    ((5, 4), (0, 5, 0), EMPTY), ((5, 4), (1, 0, 0), EMPTY), ((0, 3), (1, 1, 2), EMPTY),
    ((5, 4), (0, 1, 3), NONCONTIG), ((2, 3, 4), (2, 1, 2), NONCONTIG)]),
    numpy_fn=_np_narrow, category="shape", check_strides=True,
    error_cases=_errs(_shape_err("narrow", (5, 4), (0, 3, 3), (IndexError, ValueError), ("narrow",), "past_end"),
                      _shape_err("narrow", (5, 4), (2, 0, 1), IndexError, ("2",), "dim_range"),
                      _shape_err("narrow", (), (0, 0, 1), IndexError, ("narrow",), "0d")))
add_op("select", by_name("select"), ALL, _shape_samples([
    ((5, 4), (0, 2), REGULAR), ((5, 4), (1, -1), REGULAR), ((2, 3, 4), (-1, 0), REGULAR), ((5,), (0, 4), REGULAR),
    ((0, 3), (1, 2), EMPTY), ((5, 4), (0, 1), NONCONTIG), ((2, 3, 4), (1, -2), NONCONTIG)]),
    numpy_fn=lambda x, d, i: np.take(x, i, axis=d), category="shape", check_strides=True,
    error_cases=_errs(_shape_err("select", (5, 4), (0, 5), IndexError, ("5",), "index_range"),
                      _shape_err("select", (5, 4), (0, -6), IndexError, ("-6",), "index_neg_range"),
                      _shape_err("select", (5, 4), (2, 0), IndexError, ("2",), "dim_range"),
                      _shape_err("select", (), (0, 0), IndexError, ("select",), "0d")))


def _cat_samples(op, dtype, rng):
    c, n = contig, noncontig
    out = [
        SampleInput(([c((2, 3), dtype, rng), c((4, 3), dtype, rng)],), desc="dim 0"),
        SampleInput(([c((2, 3), dtype, rng), c((2, 1), dtype, rng), c((2, 5), dtype, rng)],), {"dim": 1}, desc="dim 1"),
        SampleInput(([c((2, 3, 4), dtype, rng), c((2, 3, 2), dtype, rng)],), {"dim": -1}, desc="dim -1"),
        SampleInput(([c((5,), dtype, rng)],), desc="single"),
        SampleInput(([c((65, 513), dtype, rng), c((30, 513), dtype, rng)],), desc="large"),
        SampleInput(([c((2, 3), dtype, rng), c((0, 3), dtype, rng)],), kind=EMPTY, desc="with empty"),
        SampleInput(([c((0, 3), dtype, rng), c((0, 3), dtype, rng)],), {"dim": 1}, kind=EMPTY, desc="all empty"),
        SampleInput(([c((2, 3), dtype, rng), c((0,), dtype, rng)],), kind=EMPTY, desc="legacy 1-d empty"),
        SampleInput(([n((3, 4), dtype, rng), c((2, 4), dtype, rng)],), kind=NONCONTIG),
        SampleInput(([n((3, 4), dtype, rng), n((3, 2), dtype, rng)],), {"dim": 1}, kind=NONCONTIG),
    ]
    return out


def _stack_samples(op, dtype, rng):
    c, n = contig, noncontig
    return [
        SampleInput(([c((2, 3), dtype, rng), c((2, 3), dtype, rng)],), desc="dim 0"),
        SampleInput(([c((2, 3), dtype, rng), c((2, 3), dtype, rng), c((2, 3), dtype, rng)],), {"dim": 2}, desc="dim 2"),
        SampleInput(([c((2, 3), dtype, rng), c((2, 3), dtype, rng)],), {"dim": -1}, desc="dim -1"),
        SampleInput(([c((4,), dtype, rng)],), {"dim": 1}),
        SampleInput(([c((), dtype, rng), c((), dtype, rng)],), kind=ZERO_DIM),
        SampleInput(([c((0, 3), dtype, rng), c((0, 3), dtype, rng)],), {"dim": 1}, kind=EMPTY),
        SampleInput(([n((3, 4), dtype, rng), c((3, 4), dtype, rng)],), {"dim": 1}, kind=NONCONTIG),
    ]


def _list_err(name, shapes, exc, match, cid, kwargs=None, dtypes=None):
    def f():
        rng = np.random.default_rng(0)
        ds = dtypes or ["float32"] * len(shapes)
        return ErrorCase(SampleInput(([contig(s, d, rng) for s, d in zip(shapes, ds)],), kwargs or {}), exc,
                         (name,) + tuple(match), id=cid)
    return f


add_op("cat", by_name("cat"), ALL, _cat_samples,
       numpy_fn=lambda ts, dim=0: np.concatenate([t for t in ts if not (t.ndim == 1 and t.size == 0)] or ts, axis=dim),
       category="shape", method=False,
       error_cases=_errs(_list_err("cat", [(2, 3), (2, 4)], ValueError, ("(2, 3)", "(2, 4)"), "size_mismatch"),
                         _list_err("cat", [(2, 3), (2, 3, 1)], ValueError, ("cat",), "ndim_mismatch"),
                         _list_err("cat", [], ValueError, ("cat",), "empty_list"),
                         _list_err("cat", [(2, 3), (2, 3)], IndexError, ("2",), "dim_range", kwargs={"dim": 2}),
                         _list_err("cat", [(), ()], ValueError, ("cat",), "zero_dim")))
add_op("stack", by_name("stack"), ALL, _stack_samples, numpy_fn=lambda ts, dim=0: np.stack(ts, axis=dim), category="shape",
       method=False,
       error_cases=_errs(_list_err("stack", [(2, 3), (3, 2)], ValueError, ("(2, 3)", "(3, 2)"), "shape_mismatch"),
                         _list_err("stack", [], ValueError, ("stack",), "empty_list"),
                         _list_err("stack", [(2, 3), (2, 3)], IndexError, ("4",), "dim_range", kwargs={"dim": 4})))


def _np_split(x, size_or_sections, dim=0):
    n = x.shape[dim]
    if isinstance(size_or_sections, int):
        if n == 0:
            return [x]
        bounds = list(range(size_or_sections, n, size_or_sections))
    else:
        bounds = list(np.cumsum(size_or_sections)[:-1])
    return np.split(x, bounds, axis=dim)


def _np_chunk(x, chunks, dim=0):
    n = x.shape[dim]
    if n == 0:  # torch gives `chunks` empty pieces
        return [x] * chunks
    return _np_split(x, -(-n // chunks), dim)


add_op("split", by_name("split"), ALL, _shape_samples([
    ((7, 3), (2,), REGULAR), ((7, 3), (7,), REGULAR), ((7, 3), (10,), REGULAR), ((3, 7), (3, 1), REGULAR),
    ((7, 3), ([2, 4, 1],), REGULAR), ((3, 7), ([0, 7], -1), REGULAR), ((0, 3), (2,), EMPTY), ((4, 3), ([0, 4],), EMPTY),
    ((7, 3), (3,), NONCONTIG), ((3, 7), ([3, 4], 1), NONCONTIG)]),
    numpy_fn=_np_split, category="shape", check_strides=True,
    error_cases=_errs(_shape_err("split", (7, 3), ([2, 4],), ValueError, ("(2, 4)", "7"), "sizes_sum"),
                      _shape_err("split", (7, 3), (0,), ValueError, ("split",), "zero_size"),
                      _shape_err("split", (7, 3), (2, 3), IndexError, ("3",), "dim_range")))
add_op("chunk", by_name("chunk"), ALL, _shape_samples([
    ((7, 3), (3,), REGULAR), ((6, 3), (3,), REGULAR), ((3, 7), (4, 1), REGULAR), ((2, 3), (5,), REGULAR),
    ((5,), (1,), REGULAR), ((0, 3), (2,), EMPTY), ((7, 3), (2,), NONCONTIG), ((3, 7), (3, -1), NONCONTIG)]),
    numpy_fn=_np_chunk, category="shape", check_strides=True,
    error_cases=_errs(_shape_err("chunk", (7, 3), (0,), ValueError, ("chunk",), "zero_chunks"),
                      _shape_err("chunk", (7, 3), (2, 2), IndexError, ("2",), "dim_range")))


# ---------------------------------------------------------------------------------------------
# Indexing ops
# ---------------------------------------------------------------------------------------------
def _index(shape, high, rng, nc=False):
    a = rng.integers(0, max(high, 1), size=shape, dtype=np.int64) if high > 0 else np.zeros(shape, np.int64)
    if nc and len(shape) >= 2:
        return Arg(np.ascontiguousarray(a.swapaxes(0, -1)), lambda t: t.transpose(0, -1), "transpose(0, -1)")
    return Arg(a)


def _gather_samples(op, dtype, rng):
    c = contig
    return [
        SampleInput((c((3, 4), dtype, rng), 1, _index((3, 2), 4, rng)), desc="dim 1"),
        SampleInput((c((3, 4), dtype, rng), 0, _index((5, 4), 3, rng)), desc="dim 0 bigger"),
        SampleInput((c((2, 3, 4), dtype, rng), -1, _index((2, 3, 6), 4, rng)), desc="dim -1"),
        SampleInput((c((3, 4), dtype, rng), 0, _index((2, 2), 3, rng)), desc="index smaller"),
        SampleInput((c((), dtype, rng), 0, _index((), 1, rng)), kind=ZERO_DIM),
        SampleInput((c((3, 4), dtype, rng), 1, _index((3, 0), 4, rng)), kind=EMPTY),
        SampleInput((c((0, 4), dtype, rng), 1, _index((0, 2), 4, rng)), kind=EMPTY),
        SampleInput((noncontig((4, 3), dtype, rng), 1, _index((4, 3), 3, rng)), kind=NONCONTIG),
        SampleInput((c((4, 5), dtype, rng), 1, _index((4, 3), 5, rng, nc=True)), kind=NONCONTIG, desc="index T"),
    ]


def _np_gather(x, dim, index):
    if x.ndim == 0:
        return x.copy()
    # torch allows index.size(d) <= input.size(d) for d != dim: only that corner of input is read.
    corner = tuple(slice(None) if d == dim % x.ndim else slice(0, index.shape[d]) for d in range(x.ndim))
    return np.take_along_axis(x[corner], index, axis=dim)


def _unique_index(shape, high, dim, rng, nc=False):
    """Scatter indices with no repeats along dim (so the result does not depend on write order)."""
    shape = tuple(shape)
    moved = np.moveaxis(np.zeros(shape), dim, -1)
    flat = moved.reshape(-1, shape[dim])
    rows = [rng.permutation(high)[: shape[dim]] for _ in range(flat.shape[0])]
    a = np.array(rows, dtype=np.int64).reshape(moved.shape) if rows else np.zeros(moved.shape, np.int64)
    a = np.ascontiguousarray(np.moveaxis(a, -1, dim))
    if nc and a.ndim >= 2:
        return Arg(np.ascontiguousarray(a.swapaxes(0, -1)), lambda t: t.transpose(0, -1), "transpose(0, -1)")
    return Arg(a)


def _scatter_samples(op, dtype, rng):
    c = contig
    add = op.name == "scatter_add"
    idx = (lambda s, h, d, nc=False: _index(s, h, rng, nc)) if add else \
          (lambda s, h, d, nc=False: _unique_index(s, h, d, rng, nc))
    out = [
        SampleInput((c((3, 5), dtype, rng), 1, idx((3, 2), 5, 1), c((3, 2), dtype, rng)), desc="dim 1"),
        SampleInput((c((3, 5), dtype, rng), 0, idx((2, 5), 3, 0), c((2, 5), dtype, rng)), desc="dim 0"),
        SampleInput((c((3, 5), dtype, rng), 0, idx((2, 3), 3, 0), c((4, 6), dtype, rng)), desc="src bigger"),
        SampleInput((c((2, 3, 4), dtype, rng), -1, idx((2, 3, 2), 4, 2), c((2, 3, 2), dtype, rng)), desc="dim -1"),
        SampleInput((c((), dtype, rng), 0, _index((), 1, rng), c((), dtype, rng)), kind=ZERO_DIM),
        SampleInput((c((3, 4), dtype, rng), 1, _index((3, 0), 4, rng), c((3, 0), dtype, rng)), kind=EMPTY),
        SampleInput((noncontig((3, 5), dtype, rng), 1, idx((3, 2), 5, 1), c((3, 2), dtype, rng)), kind=NONCONTIG),
        SampleInput((c((4, 5), dtype, rng), 1, idx((4, 3), 5, 1, True), noncontig((4, 3), dtype, rng)), kind=NONCONTIG,
                    desc="index, src T"),
    ]
    if add:
        out.append(SampleInput((c((3, 4), dtype, rng), 1, Arg(np.zeros((3, 6), np.int64)), c((3, 6), dtype, rng)),
                               desc="all to one"))
    else:
        out.append(SampleInput((c((3, 5), dtype, rng), 1, idx((3, 2), 5, 1), scalar_of(dtype, rng)), desc="scalar src"))
    return out


def _np_scatter(x, dim, index, src, add=False):
    out = x.copy()
    if x.ndim == 0:
        if index.size:
            out = (out + src) if add else np.array(src, dtype=x.dtype)
        return np.asarray(out, dtype=x.dtype)
    src = np.broadcast_to(np.asarray(src, dtype=x.dtype), index.shape) if np.ndim(src) == 0 else src
    for pos in np.ndindex(*index.shape):
        tgt = list(pos)
        tgt[dim] = index[pos]
        tgt = tuple(tgt)
        if add:
            out[tgt] = out[tgt] + src[pos] if x.dtype != np.bool_ else (out[tgt] or src[pos])
        else:
            out[tgt] = src[pos]
    return out


def _scatter_errors(name):
    def f():
        rng = np.random.default_rng(0)
        x = contig((3, 4), "float32", rng)
        return [
            ErrorCase(SampleInput((x, 1, Arg(np.array([[0, 4]])), contig((1, 2), "float32", rng))), IndexError,
                      (name, "4"), id="index_range"),
            ErrorCase(SampleInput((x, 1, Arg(np.array([[0, 1]], dtype=np.float32)), contig((1, 2), "float32", rng))),
                      TypeError, (name,), id="float_index"),
            ErrorCase(SampleInput((x, 1, Arg(np.array([[0]])), contig((1, 2), "float64", rng))), TypeError,
                      (name,), id="src_dtype"),
            ErrorCase(SampleInput((x, 2, Arg(np.array([[0]])), contig((1, 1), "float32", rng))), IndexError,
                      (name, "2"), id="dim_range"),
        ]
    return f


add_op("gather", by_name("gather"), ALL, _gather_samples, numpy_fn=_np_gather, category="index",
       error_cases=lambda: [
           ErrorCase(SampleInput((contig((3, 4), "float32", np.random.default_rng(0)), 1, Arg(np.array([[0, 4]])))),
                     IndexError, ("gather", "4"), id="index_range"),
           ErrorCase(SampleInput((contig((3, 4), "float32", np.random.default_rng(0)), 1, Arg(np.array([0, 1])))),
                     ValueError, ("gather",), id="ndim_mismatch"),
           ErrorCase(SampleInput((contig((3, 4), "float32", np.random.default_rng(0)), 1,
                                  Arg(np.array([[0, 1]], dtype=np.float32)))), TypeError, ("gather",), id="float_index"),
       ])
add_op("scatter", by_name("scatter"), ALL, _scatter_samples, numpy_fn=_np_scatter, category="index",
       error_cases=_scatter_errors("scatter"))
add_op("scatter_add", by_name("scatter_add"), ALL, _scatter_samples,
       numpy_fn=lambda x, d, i, s: _np_scatter(x, d, i, s, add=True), category="index",
       error_cases=_scatter_errors("scatter_add"), **_RED_TOL)


def _index_select_samples(op, dtype, rng):
    c = contig
    return [
        SampleInput((c((5, 3), dtype, rng), 0, Arg(np.array([4, 0, 0, 2]))), desc="dim 0, repeats"),
        SampleInput((c((5, 3), dtype, rng), -1, Arg(np.array([2, 1]))), desc="dim -1"),
        SampleInput((c((2, 3, 4), dtype, rng), 1, Arg(np.array([1]))), desc="3-d"),
        SampleInput((c((65, 513), dtype, rng), 1, Arg(rng.integers(0, 513, 300))), desc="large"),
        SampleInput((c((), dtype, rng), 0, Arg(np.array([0]))), kind=ZERO_DIM, desc="0-d input"),
        SampleInput((c((5, 3), dtype, rng), 0, Arg(np.array(2))), kind=ZERO_DIM, desc="0-d index"),
        SampleInput((c((5, 3), dtype, rng), 0, Arg(np.zeros(0, np.int64))), kind=EMPTY),
        SampleInput((c((0, 3), dtype, rng), 1, Arg(np.array([2, 0]))), kind=EMPTY),
        SampleInput((noncontig((5, 3), dtype, rng), 1, Arg(np.array([2, 0]))), kind=NONCONTIG),
        SampleInput((c((5, 3), dtype, rng), 0, Arg(np.array([4, 9, 0, 9, 3, 9]), lambda t: t[::2], "[::2]")),
                    kind=NONCONTIG, desc="strided index"),
    ]


def _np_index_select(x, dim, index):
    if x.ndim == 0:
        return x.reshape(()).copy()
    return np.take(x, np.atleast_1d(index), axis=dim)


add_op("index_select", by_name("index_select"), ALL, _index_select_samples, numpy_fn=_np_index_select,
       category="index",
       error_cases=lambda: [
           ErrorCase(SampleInput((contig((5, 3), "float32", np.random.default_rng(0)), 0, Arg(np.array([5])))),
                     IndexError, ("index_select", "5"), id="index_range"),
           ErrorCase(SampleInput((contig((5, 3), "float32", np.random.default_rng(0)), 0, Arg(np.array([[0]])))),
                     (ValueError, IndexError), ("index_select",), id="2d_index"),
           ErrorCase(SampleInput((contig((5, 3), "float32", np.random.default_rng(0)), 0, Arg(np.array([0.0])))),
                     TypeError, ("index_select",), id="float_index"),
           ErrorCase(SampleInput((contig((5, 3), "float32", np.random.default_rng(0)), 2, Arg(np.array([0])))),
                     IndexError, ("index_select", "2"), id="dim_range"),
       ])


def _masked_fill_samples(op, dtype, rng):
    c = contig
    v = scalar_of(dtype, rng)
    return [
        SampleInput((c((3, 4), dtype, rng), c((3, 4), "bool", rng), v), desc="same shape"),
        SampleInput((c((2, 3, 4), dtype, rng), c((3, 1), "bool", rng), v), desc="broadcast mask"),
        SampleInput((c((3, 4), dtype, rng), c((3, 4), "bool", rng), Arg(np.array(v, NP_DTYPE[dtype]))),
                    desc="0-d tensor value"),
        SampleInput((c((3, 4), dtype, rng), c((3, 4), "bool", rng), 1.0 if dtype != "bool" else True), desc="float value"),
        SampleInput((c((65, 513), dtype, rng), c((513,), "bool", rng), v), desc="large"),
        SampleInput((c((), dtype, rng), c((), "bool", rng), v), kind=ZERO_DIM),
        SampleInput((c((0, 4), dtype, rng), c((4,), "bool", rng), v), kind=EMPTY),
        SampleInput((noncontig((3, 4), dtype, rng), noncontig((3, 4), "bool", rng), v), kind=NONCONTIG),
    ]


def _np_masked_fill(x, mask, value):
    return np.where(mask, np.asarray(value).astype(x.dtype), x)


add_op("masked_fill", by_name("masked_fill"), ALL, _masked_fill_samples, numpy_fn=_np_masked_fill, category="index",
       error_cases=lambda: [
           ErrorCase(SampleInput((contig((3, 4), "float32", np.random.default_rng(0)),
                                  contig((3, 4), "float32", np.random.default_rng(1)), 0.0)),
                     TypeError, ("masked_fill", "bool"), id="float_mask"),
           ErrorCase(SampleInput((contig((3, 4), "float32", np.random.default_rng(0)),
                                  contig((5,), "bool", np.random.default_rng(1)), 0.0)),
                     ValueError, ("masked_fill", "(5,)"), id="bcast"),
       ])


def _ember_one_hot(*a, **k):
    fn = getattr(ember, "one_hot", None)
    if fn is None:
        nn = getattr(ember, "nn", None)
        fn = getattr(getattr(nn, "functional", None), "one_hot", None)
    if fn is None:
        raise AttributeError("ember has neither ember.one_hot nor ember.nn.functional.one_hot")
    return fn(*a, **k)


def _torch_one_hot(*a, **k):
    return _torch().nn.functional.one_hot(*a, **k)


def _one_hot_samples(op, dtype, rng):
    """Class indices (cast to the dtype asked for: only int64 is valid)."""
    def A(values, view=None, desc=""):
        return Arg(np.asarray(values, dtype=np.int64).astype(NP_DTYPE[dtype]), view, desc)

    return [
        SampleInput((A([0, 2, 1, 2]),), desc="inferred classes"),
        SampleInput((A([[0, 2], [1, 0]]), 4), desc="explicit classes"),
        SampleInput((A(rng.integers(0, 10, size=(3, 4, 5))),), {"num_classes": 10}, desc="3-d"),
        SampleInput((A(3), 5), kind=ZERO_DIM),
        SampleInput((A(np.zeros((0,))), 3), kind=EMPTY),
        SampleInput((A([[0, 1, 2], [2, 1, 0]], lambda t: t.transpose(0, 1), "transpose(0, 1)"),), kind=NONCONTIG),
    ]


def _np_one_hot(x, num_classes=-1):
    n = int(x.max()) + 1 if num_classes < 0 else num_classes
    return np.eye(n, dtype=np.int64)[x]


add_op("one_hot", (_ember_one_hot, _torch_one_hot), {"int64"}, _one_hot_samples, numpy_fn=_np_one_hot, category="index",
       method=False,
       error_cases=lambda: [
           ErrorCase(SampleInput((Arg(np.array([0, 3])), 3)), RuntimeError, ("one_hot",), id="class_too_big"),
           ErrorCase(SampleInput((Arg(np.array([-1, 0])), 3)), RuntimeError, ("one_hot",), id="negative"),
           ErrorCase(SampleInput((Arg(np.zeros((0,), np.int64)),)), RuntimeError, ("one_hot", "empty"), id="empty_infer"),
       ])

OPS_BY_NAME = {o.name: o for o in OPS}


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
        assert isinstance(actual, (tuple, list)), f"{what}: expected a sequence, got {type(actual).__name__}"
        assert len(actual) == len(expected), f"{what}: {len(actual)} results, expected {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, rtol, atol, f"{what}[{i}]", check_dtype)
        return
    if not _is_tensor(expected) and not isinstance(expected, np.ndarray):
        assert not isinstance(actual, ember.Tensor), f"{what}: expected a Python {type(expected).__name__}, got a tensor"
        assert type(actual) is type(expected) or (isinstance(actual, (int, float)) and isinstance(expected, (int, float))), \
            f"{what}: type {type(actual).__name__}, expected {type(expected).__name__}"
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
        return
    assert isinstance(actual, ember.Tensor), f"{what}: expected an ember.Tensor, got {type(actual).__name__}"
    e = to_numpy(expected)
    a = to_numpy(actual)
    if check_dtype:
        assert dtype_name(actual.dtype) == dtype_name(expected.dtype), \
            f"{what}: dtype {dtype_name(actual.dtype)}, expected {dtype_name(expected.dtype)}"
    assert tuple(actual.shape) == tuple(e.shape), f"{what}: shape {tuple(actual.shape)}, expected {tuple(e.shape)}"
    if a.dtype.kind == "f" or e.dtype.kind == "f":
        a64, e64 = a.astype(np.float64), e.astype(np.float64)
        with np.errstate(all="ignore"):
            close = np.isclose(a64, e64, rtol=rtol, atol=atol, equal_nan=True) | (a64 == e64)
    else:
        close = a == e.astype(a.dtype)
    close = np.asarray(close)
    if not close.all():
        bad = np.argwhere(~close) if close.ndim else [()]
        lines = [f"  at {tuple(int(i) for i in idx)}: ember {a[tuple(idx)]!r}, expected {e[tuple(idx)]!r}"
                 for idx in bad[:8]]
        raise AssertionError(f"{what}: {int((~close).sum())} of {close.size} values differ "
                             f"(rtol={rtol}, atol={atol}):\n" + "\n".join(lines))


def assert_same_strides(actual, expected, what="result"):
    """Strides of a view equal torch's (dims of size <= 1 excepted: their stride carries no meaning)."""
    if isinstance(expected, (tuple, list)):
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same_strides(a, e, f"{what}[{i}]")
        return
    if expected.numel() == 0:
        return
    ast, est = tuple(actual.stride()), tuple(expected.stride())
    for d, size in enumerate(expected.shape):
        if size > 1:
            assert ast[d] == est[d], f"{what}: strides {ast}, expected {est} (shape {tuple(expected.shape)})"


# ---------------------------------------------------------------------------------------------
# Crash guard: samples that kill the process are found in a separate process, not in pytest's
# ---------------------------------------------------------------------------------------------
# Some ember kernels die by signal (SIGFPE) on zero-size inputs; one such crash would end the whole
# pytest session. So samples with zero-size tensors are first run in a fork of a helper process
# (a fresh interpreter that has imported ember but never run an op, so forking it is safe for
# OpenMP); those that kill their fork are reported as failures and not run in pytest's process.

_guard_proc = None
_guard_memo: dict = {}
_GUARD_TAG = "op_db-crash-guard:"


def _crash_server():  # runs in the helper process: one JSON request per line on stdin
    import json

    for line in sys.stdin:
        req = json.loads(line)
        op = OPS_BY_NAME[req["op"]]
        samples = [s for s in op.samples(req["dtype"]) if s.kind == req["kind"]]
        crashed = {}
        for i, s in enumerate(samples):
            pid = os.fork()
            if pid == 0:  # the fork: run the sample, exceptions are fine, output is dropped
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                try:
                    op.ember_fn(*materialize(s.args, "ember"), **materialize(s.kwargs, "ember"))
                except BaseException:
                    pass
                os._exit(0)
            _, status = os.waitpid(pid, 0)
            if os.WIFSIGNALED(status):
                crashed[i] = _signal.Signals(os.WTERMSIG(status)).name
        sys.stdout.write(_GUARD_TAG + json.dumps(crashed) + "\n")
        sys.stdout.flush()


def crashing_samples(op: OpInfo, dtype: str, kind: str) -> dict:
    """{index in the kind's sample list: signal name} for the samples that crash ember."""
    import json
    import subprocess

    global _guard_proc
    key = (op.name, dtype, kind)
    if key in _guard_memo:
        return _guard_memo[key]
    if not hasattr(os, "fork"):
        return {}
    if _guard_proc is None or _guard_proc.poll() is not None:
        here = os.path.dirname(os.path.abspath(__file__))
        code = f"import sys; sys.path.insert(0, {here!r}); import op_db; op_db._crash_server()"
        _guard_proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       text=True, bufsize=1)
    _guard_proc.stdin.write(json.dumps({"op": op.name, "dtype": dtype, "kind": kind}) + "\n")
    _guard_proc.stdin.flush()
    while True:
        reply = _guard_proc.stdout.readline()
        if not reply:
            raise RuntimeError("op_db crash guard: the helper process died")
        if reply.startswith(_GUARD_TAG):
            break
    _guard_memo[key] = {int(k): v for k, v in json.loads(reply[len(_GUARD_TAG):]).items()}
    return _guard_memo[key]


def stop_crash_guard():
    global _guard_proc
    if _guard_proc is not None:
        _guard_proc.stdin.close()
        _guard_proc.wait(timeout=30)
        _guard_proc = None
_guard_memo: dict = {}
_GUARD_TAG = "op_db-crash-guard:"

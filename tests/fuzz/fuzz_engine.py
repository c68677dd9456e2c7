"""Differential fuzzing of ember against torch: what one call is (generation, execution, comparison).

Every public function of ``ember`` and ``ember.nn.functional`` and every ``Tensor`` method,
operator and property that torch also has is an op. The ops, their parameters and the dtypes are
discovered at run time: parameters from the pybind11 signature line (the first line of
``__doc__``, every overload), ``inspect.signature`` for Python functions, and torch's own
signature line for the keyword arguments only torch has; dtypes from ``ember.dtype``'s members
that torch also names. Argument values come from tables, not from code per op: ``ARG_RULES``
maps a parameter name (or ``op:param``) to generator kinds, ``ANNOTATION_RULES`` maps a type
annotation to them when the name is not in the table, and ``GEN`` holds one generator per kind.

Call ``index`` of run ``seed`` is a pure function of (seed, index): ``make_call`` draws it from
``random.Random(f"{seed}:{index}")``, so any process regenerates it exactly (that is how the pool
names the call that crashed a worker, and how ``run.py --replay`` replays one). ``execute`` runs
the call on both libraries, with inputs built from the same NumPy data and views, and compares
exception type (under ember's documented mapping), result kind, dtype, shape and values (NaN-aware,
tolerances by dtype); it returns the divergences as ``Finding``s.
"""
from __future__ import annotations

import ast
import dataclasses
import fnmatch
import inspect
import math
import random
import re
import warnings

import ember
import ember.nn.functional as F
import numpy as np
import torch
import torch.nn.functional as TF

# ---------------------------------------------------------------------------------------------
# What is fuzzed: dtypes and ops, discovered at run time
# ---------------------------------------------------------------------------------------------


def discover_dtypes():
    """Names of ember's dtypes that torch also has, in ember's enum order ('bool', 'int64', ...)."""
    members = getattr(ember.dtype, "__members__", None)  # a pybind11 enum; else the module's dtypes
    found = (sorted(members.values(), key=lambda d: d.value) if members else
             sorted({v for v in vars(ember).values() if isinstance(v, ember.dtype)}, key=str))
    names = []
    for d in found:
        name = str(d).split(".")[-1]
        if name not in names and isinstance(getattr(torch, name, None), torch.dtype):
            names.append(name)
    return names


DTYPES = discover_dtypes()
FLOATING = [d for d in DTYPES if d.startswith(("float", "bfloat"))]
INTEGRAL = [d for d in DTYPES if d.startswith(("int", "uint"))]


def np_dtype(name):
    """The NumPy dtype that carries a tensor's values (bfloat16 has none: float32 carries it)."""
    return np.dtype("float32" if name == "bfloat16" else name)


# Functions that are no ops to compare: global state, files, foreign objects, environment.
SKIP_FUNCTIONS = {
    "save", "load", "from_dlpack", "set_num_threads", "get_num_threads", "manual_seed", "seed",
    "initial_seed", "default_generator", "get_cmake_dir", "get_include",
    "set_default_dtype", "get_default_dtype", "set_default_device", "get_default_device",  # global state
    "FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor", "IntTensor",  # uninitialized
    "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor",  # from sizes (tested in test_spellings)
    "is_grad_enabled", "set_grad_enabled", "no_grad", "enable_grad", "inference_mode",
    "from_numpy",  # takes an ndarray; its dtypes are exercised by every tensor the fuzzer builds
    "compile",  # wraps a callable (tests/graph test it against eager); torch.compile is not an op
    "vmap",  # wraps a callable (tests/autograd/test_func.py test it against torch.func.vmap)
    "set_float32_matmul_precision", "get_float32_matmul_precision",  # global state (tests/core/test_torch_namespaces)
    "set_default_tensor_type", "set_warn_always", "is_warn_always_enabled", "set_num_interop_threads",
    "get_num_interop_threads", "set_anomaly_enabled", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
    "is_inference_mode_enabled",  # global state (tests/core/test_top_level_names)
}
# Tensor members that touch autograd hooks, devices or raw memory, or have no value to compare.
SKIP_METHODS = {
    "backward", "register_hook", "retain_grad", "cuda", "cpu", "data_ptr", "grad_fn", "__dlpack__",
    "__dlpack_device__", "__array__", "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__",
    "__sizeof__", "__hash__", "__init__", "__new__", "__repr__", "__str__", "__format__", "__dir__",
    "__class__", "__delattr__", "__getattribute__", "__setattr__", "__init_subclass__",
    "__subclasshook__", "__iter__", "__doc__", "__module__", "storage_offset", "__index__",
    "__copy__", "__deepcopy__",  # compared with torch's in tests/core/test_pickle.py
    "resize_",  # new elements are uninitialized
}
# Ops whose values are random: only the outcome, result kind, dtype and shape are compared.
RANDOM_OPS = {
    "ember.rand", "ember.randn", "ember.randint", "ember.randperm", "ember.normal", "ember.bernoulli",
    "ember.multinomial", "ember.empty", "ember.empty_like", "ember.rand_like", "ember.randn_like",
    "Tensor.new_empty", "Tensor.new", "Tensor.uniform_", "Tensor.normal_", "Tensor.bernoulli_", "Tensor.bernoulli",
    "Tensor.multinomial", "F.dropout", "F.dropout1d", "F.dropout2d", "F.dropout3d", "F.alpha_dropout",
    "F.feature_alpha_dropout", "F.gumbel_softmax",
    "Tensor.random_", "Tensor.exponential_", "Tensor.geometric_", "Tensor.cauchy_", "Tensor.log_normal_",
    "ember.randint_like", "ember.dropout",
    "F.rrelu", "F.rrelu_", "ember.rrelu", "ember.rrelu_",  # random slopes with training=True
}
# Ops returning (values, indices) where ties make torch's indices one valid choice of several:
# the indices' dtype and shape are compared, not their values (argsort: its whole result). mode's
# index is any occurrence of the mode (torch's unstable sort picks one).
TIE_INDICES = {"sort", "argsort", "topk", "cummax", "cummin", "max", "min", "median", "nanmedian", "kthvalue",
               "mode"}
# Ops that add up many values: their float tolerance grows with the largest input magnitude times
# the number of elements (a sum of 1e10s cancels differently in another order, neither is wrong).
ACCUMULATING = {
    "sum", "sum_to_size", "mean", "prod", "cumsum", "cumprod", "var", "std", "norm", "matmul", "mm", "bmm", "mv",
    "dot", "vdot", "outer", "inner", "tensordot", "addmm", "addmv", "addbmm", "baddbmm", "einsum", "matrix_exp",
    "nansum", "nanmean", "logsumexp", "logcumsumexp", "softmax", "log_softmax", "__matmul__", "__rmatmul__",
    "linear", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "layer_norm", "group_norm",
    "batch_norm", "cosine_similarity", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "interpolate", "upsample", "mse_loss", "l1_loss", "huber_loss",
    "smooth_l1_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "fold", "unfold", "allclose", "isclose"}
COMPARE_LIMIT = 1 << 22  # results with more elements (broadcast views) have dtype and shape compared


def _operator_table():
    """Tensor dunders that Python's operators reach, run through the operator (``a + b``, not
    ``a.__add__(b)``), so NotImplemented and the reflected fallback act as in user code.
    Dunder -> (function of (self, arg), snippet format)."""
    import operator as o
    table = {}
    for name, sym in (("add", "+"), ("sub", "-"), ("mul", "*"), ("truediv", "/"), ("floordiv", "//"),
                      ("mod", "%"), ("pow", "**"), ("matmul", "@"), ("and", "&"), ("or", "|"),
                      ("xor", "^"), ("lshift", "<<"), ("rshift", ">>")):
        f, fi = getattr(o, name if name not in ("and", "or") else name + "_"), getattr(o, "i" + name)
        table[f"__{name}__"] = (lambda a, b, f=f: f(a, b), "({0} " + sym + " {1})")
        table[f"__r{name}__"] = (lambda a, b, f=f: f(b, a), "({1} " + sym + " {0})")
        table[f"__i{name}__"] = (lambda a, b, fi=fi: fi(a, b), "x = {0}; x " + sym + "= {1}")
    for name, sym in (("eq", "=="), ("ne", "!="), ("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">=")):
        f = getattr(o, name)
        table[f"__{name}__"] = (lambda a, b, f=f: f(a, b), "({0} " + sym + " {1})")
    for name, fmt in (("neg", "(-{0})"), ("pos", "(+{0})"), ("invert", "(~{0})")):
        f = getattr(o, name)
        table[f"__{name}__"] = (lambda a, f=f: f(a), fmt)
    for name, f in (("abs", abs), ("bool", bool), ("int", int), ("float", float), ("len", len)):
        table[f"__{name}__"] = (lambda a, f=f: f(a), name + "({0})")
    table["__getitem__"] = (lambda a, k: a[k], "{0}[{1}]")
    table["__setitem__"] = (_setitem, "x = {0}; x[{1}] = {2}")
    return table


def _setitem(a, k, v):
    a[k] = v


OPERATORS = _operator_table()


@dataclasses.dataclass
class Param:
    name: str
    ann: str = ""
    has_default: bool = False
    default: object = None
    kind: str = "pos"  # pos, kw (keyword-only), var (*args)


@dataclasses.dataclass
class Op:
    name: str            # "ember.add", "F.conv2d", "Tensor.add_", "Tensor.shape"
    short: str           # "add"
    kind: str            # fn, method, attr
    overloads: list      # list of list[Param] (ember's); methods keep their self
    torch_params: list   # torch's parameters (names and defaults), [] when unknown


def _split_top(s):
    """Splits a parameter list at the commas outside brackets and quotes."""
    out, depth, cur, quote = [], 0, [], None
    for ch in s:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


def _literal(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text  # '<dtype.float32: 2>' and such: a default we never pass


def parse_signature_line(line):
    """'name(a: T, b: U = 1, *, c=None) -> R' -> list[Param] (None when the line is no signature)."""
    m = re.match(r"^\s*(?:\d+\.\s*)?([A-Za-z_][A-Za-z0-9_]*)\((.*)\)\s*(->.*)?$", line.strip())
    if not m:
        return None
    params, kw = [], False
    for part in _split_top(m.group(2)):
        if part == "*":
            kw = True
            continue
        if part.startswith("**"):
            continue
        var = part.startswith("*")
        part = part.lstrip("*")
        name, _, rest = part.partition(":")
        default_text = None
        if "=" in (rest if rest else name):
            if rest:
                rest, _, default_text = rest.partition("=")
            else:
                name, _, default_text = name.partition("=")
        name = name.strip()
        if not name.isidentifier():
            return None
        params.append(Param(name, rest.strip(), default_text is not None,
                            _literal(default_text.strip()) if default_text is not None else None,
                            "var" if var else ("kw" if kw else "pos")))
        if var:
            kw = True
    return params


def signatures_of(obj):
    """Every overload's parameters: inspect.signature for Python functions, else pybind11's typed
    signature lines (ember._C._typed_signatures; the __doc__ lines for anything else)."""
    if inspect.isfunction(obj):
        out = []
        for p in inspect.signature(obj).parameters.values():
            if p.name.startswith("_"):
                continue
            kind = {p.VAR_POSITIONAL: "var", p.KEYWORD_ONLY: "kw"}.get(p.kind, "pos")
            if p.kind == p.VAR_KEYWORD:
                continue
            has = p.default is not p.empty
            out.append(Param(p.name, "", has, p.default if has else None, kind))
        return [out]
    # pybind11's typed lines, one per overload (the docstring itself holds a text signature)
    typed = ember._C._typed_signatures(obj)
    if typed:
        return [o for o in map(parse_signature_line, typed) if o is not None]
    doc = getattr(obj, "__doc__", None) or ""
    lines = doc.strip().splitlines()
    if not lines:
        return []
    overloads = [parse_signature_line(l) for l in lines if re.match(r"^\d+\.\s", l)]
    overloads = [o for o in overloads if o is not None]
    if overloads:
        return overloads
    first = parse_signature_line(lines[0])
    return [first] if first is not None else []


def torch_signature(obj):
    """torch's parameters from the first line of its __doc__ (names and defaults only)."""
    doc = (getattr(obj, "__doc__", None) or "").strip()
    if not doc:
        return []
    sig = parse_signature_line(doc.splitlines()[0])
    return sig or []


def _public(names):
    return [n for n in names if not n.startswith("_")]


def discover_ops():
    """The ops both libraries have, in a stable order (a call's op depends only on its index)."""
    ops = []
    for name in sorted(_public(dir(ember))):
        obj = getattr(ember, name)
        if name in SKIP_FUNCTIONS or isinstance(obj, type) or not callable(obj) or inspect.ismodule(obj):
            continue
        tobj = getattr(torch, name, None)
        if tobj is None or not callable(tobj) or isinstance(tobj, type):
            continue
        sig = signatures_of(obj)
        if sig:
            ops.append(Op(f"ember.{name}", name, "fn", sig, torch_signature(tobj)))
    for name in sorted(_public(dir(F))):
        obj = getattr(F, name)
        if inspect.ismodule(obj) or isinstance(obj, type) or not callable(obj) or not hasattr(TF, name):
            continue
        sig = signatures_of(obj)
        if sig:
            ops.append(Op(f"F.{name}", name, "fn", sig, torch_signature(getattr(TF, name))))
    for name in sorted(dir(ember.Tensor)):
        if name in SKIP_METHODS or (name.startswith("_") and not name.startswith("__")):
            continue
        if not hasattr(torch.Tensor, name):
            continue
        obj = inspect.getattr_static(ember.Tensor, name)
        if isinstance(obj, property) or type(obj).__name__ in ("property", "getset_descriptor"):
            ops.append(Op(f"Tensor.{name}", name, "attr", [[Param("self")]], []))
            continue
        attr = getattr(ember.Tensor, name)
        if not callable(attr):
            continue
        sig = signatures_of(attr)
        if not sig:
            continue
        for s in sig:  # pybind11 names the receiver 'self'; Python methods do too
            if not s or s[0].name != "self":
                s.insert(0, Param("self"))
        kind = "operator" if name in OPERATORS else "method"
        ops.append(Op(f"Tensor.{name}", name, kind, sig, torch_signature(getattr(torch.Tensor, name))))
    return ops


OPS = discover_ops()

# ---------------------------------------------------------------------------------------------
# Argument specs: what a generated argument is, built the same way in each library
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class TensorSpec:
    """A tensor: NumPy data in its carrier dtype, the dtype, and a view applied in both libraries:
    None, ("T", d0, d1) transpose, ("step",) every other element of the last dim, ("offset",)
    all but the first row, ("expand", shape) broadcast of size-1 dims (stride 0)."""
    data: np.ndarray
    dtype: str
    view: tuple | None = None

    def build(self, L):
        a = np.array(self.data, copy=True)
        dt = getattr(L, self.dtype)
        if L is torch:
            t = torch.from_numpy(a)
        elif a.ndim == 0:
            t = ember.tensor(a.item(), dtype=_carrier(L, a))
        else:
            try:
                t = ember.from_numpy(a).clone()
            except TypeError:  # a dtype from_numpy does not take: through its carrier, then cast
                t = ember.from_numpy(a.astype(np_dtype(_carrier(np, a)))).clone()
        if self.dtype == "bfloat16" or str(t.dtype).split(".")[-1] != self.dtype:
            t = t.to(dt)
        return apply_view(t, self.view)

    @property
    def shape(self):
        s = list(self.data.shape)
        if self.view is None:
            return tuple(s)
        if self.view[0] == "T":
            s[self.view[1]], s[self.view[2]] = s[self.view[2]], s[self.view[1]]
        elif self.view[0] == "step":
            s[-1] = (s[-1] + 1) // 2
        elif self.view[0] == "offset":
            s[0] -= 1
        elif self.view[0] == "expand":
            s = list(self.view[1])
        return tuple(s)

    def code(self):
        d = self.data
        if d.size == 0:  # tolist() loses the trailing dims of an empty array
            base = f"L.zeros({tuple(d.shape)}, dtype=L.{self.dtype})"
        elif d.size <= 24:
            body = repr(d.tolist()) if d.ndim else repr(d.item())
            base = f"L.tensor({body}, dtype=L.{self.dtype})"
        else:  # long data: a stand-in of the right shape and dtype (--replay has the exact values)
            base = f"L.zeros({tuple(d.shape)}, dtype=L.{self.dtype})  # data elided, see --replay"
        v = self.view
        if v is None:
            return base
        if v[0] == "T":
            return f"{base}.transpose({v[1]}, {v[2]})"
        if v[0] == "step":
            return f"{base}[..., ::2]"
        if v[0] == "offset":
            return f"{base}[1:]"
        return f"{base}.expand({v[1]})"


def _carrier(L, a):
    """The dtype (L's object; names for L=np) that holds every value of a's kind exactly."""
    if L is np:
        return {"b": "bool", "i": "int64", "u": "int64"}.get(a.dtype.kind, "float64")
    return {"b": L.bool, "i": L.int64, "u": L.int64, "f": L.float64}.get(a.dtype.kind, L.float64)


def apply_view(t, view):
    if view is None:
        return t
    if view[0] == "T":
        return t.transpose(view[1], view[2])
    if view[0] == "step":
        return t[..., ::2]
    if view[0] == "offset":
        return t[1:]
    return t.expand(*view[1])


@dataclasses.dataclass
class DTypeSpec:
    name: str

    def build(self, L):
        return getattr(L, self.name)

    def code(self):
        return f"L.{self.name}"


@dataclasses.dataclass
class SeqSpec:
    """A list or tuple whose items are specs (a list of tensors for cat, indices for index_put)."""
    items: list
    kind: type = list

    def build(self, L):
        return self.kind(build(i, L) for i in self.items)

    def code(self):
        inner = ", ".join(code(i) for i in self.items)
        if self.kind is tuple:
            return f"({inner},)" if len(self.items) == 1 else f"({inner})"
        return f"[{inner}]"


def build(spec, L):
    if isinstance(spec, (TensorSpec, DTypeSpec, SeqSpec)):
        return spec.build(L)
    if isinstance(spec, tuple):
        return tuple(build(s, L) for s in spec)
    return spec


def code(spec):
    if isinstance(spec, (TensorSpec, DTypeSpec, SeqSpec)):
        return spec.code()
    if isinstance(spec, float):
        if math.isnan(spec):
            return "nan"
        if math.isinf(spec):
            return "inf" if spec > 0 else "-inf"
    if isinstance(spec, tuple):
        inner = ", ".join(code(s) for s in spec)
        return f"({inner},)" if len(spec) == 1 else f"({inner})"
    if isinstance(spec, slice):
        return f"slice({code(spec.start)}, {code(spec.stop)}, {code(spec.step)})"
    if spec is Ellipsis:
        return "..."
    return repr(spec)


# ---------------------------------------------------------------------------------------------
# Values: shapes, tensor data and scalars
# ---------------------------------------------------------------------------------------------

def _float_specials(dt):
    fi = np.finfo(np.float32 if dt == "bfloat16" else np_dtype(dt))
    big = 3.3e38 if dt == "bfloat16" else float(fi.max)
    return [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 3.0, math.nan, math.inf, -math.inf, big, -big,
            float(fi.tiny), float(fi.smallest_subnormal), -float(fi.tiny), 1e-30, 88.8, -104.0, 710.0,
            1e10, -1e10, 1e20, 65504.0, 1e-8]


def _int_specials(dt):
    ii = np.iinfo(np_dtype(dt))
    vals = [0, 1, -1, 2, -2, 3, 7, 8, 31, 32, 63, 64, 127, -128, 255, 256, 65535, -32768, 2**31 - 1,
            -2**31, 2**53 + 1, int(ii.max), int(ii.min), int(ii.max) - 1, int(ii.min) + 1]
    return [v for v in vals if ii.min <= v <= ii.max]


class Ctx:
    """The state one call's generation shares: its RNG, the base shape most tensors take (so
    shapes often line up), the main dtype, and the ndim of the first tensor (for dims)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.dtype = self.pick_dtype()
        self.shape = self.base_shape()
        self.ndim = len(self.shape)
        self.self_spec = None

    def pick_dtype(self):
        r = self.rng
        if r.random() < 0.45 and "float32" in DTYPES:
            return "float32"
        return r.choice(DTYPES)

    def base_shape(self):
        r = self.rng
        if r.random() < 0.005:  # large: crosses the parallel and blocked-kernel thresholds
            n = r.choice([1, 2])
            return tuple(r.choice([257, 1000, 4099, 65537]) if i == n - 1 else r.randint(1, 16)
                         for i in range(n))
        ndim = r.choices([0, 1, 2, 3, 4, 5], [12, 28, 30, 16, 10, 4])[0]
        if r.random() < 0.3:
            d = r.choice([1, 2, 3, 4])
            return (d,) * ndim
        return tuple(r.choices([0, 1, 2, 3, 4, 5, 7], [4, 20, 24, 22, 14, 8, 8])[0] for _ in range(ndim))

    def related_shape(self):
        """The base shape, a broadcastable variant, a neighbour, or something else."""
        r, s = self.rng, list(self.shape)
        x = r.random()
        if x < 0.55 or not s:
            return tuple(s)
        if x < 0.72:  # broadcastable: some dims 1, maybe fewer leading dims
            s = [1 if r.random() < 0.4 else d for d in s]
            return tuple(s[r.randint(0, len(s)):]) if r.random() < 0.4 else tuple(s)
        if x < 0.82:
            return tuple(s[1:]) if r.random() < 0.5 else tuple(s[:-1])
        if x < 0.9:
            return ()
        return self.base_shape()

    def values(self, dt, n, mode=None):
        """n values of dtype dt, as a list of Python numbers."""
        r = self.rng
        mode = mode or r.choices(["regular", "sprinkle", "special", "ints"], [62, 24, 6, 8])[0]
        if dt == "bool":
            return [r.random() < 0.5 for _ in range(n)]
        if dt in INTEGRAL or dt.startswith("uint"):
            ii = np.iinfo(np_dtype(dt))
            lo, hi = max(int(ii.min), -9), min(int(ii.max), 9)
            vals = [r.randint(lo, hi) for _ in range(n)]
            if mode in ("sprinkle", "special"):
                sp = _int_specials(dt)
                vals = [r.choice(sp) if (mode == "special" or r.random() < 0.25) else v for v in vals]
            return vals
        if mode == "ints":
            return [float(r.randint(-4, 4)) for _ in range(n)]
        vals = [round(r.uniform(-3, 3), r.choice([1, 3, 7])) for _ in range(n)]
        if mode in ("sprinkle", "special"):
            sp = _float_specials(dt)
            vals = [r.choice(sp) if (mode == "special" or r.random() < 0.25) else v for v in vals]
        return vals

    def array(self, shape, dt, mode=None):
        n = math.prod(shape)
        if n > 4096:  # large data from NumPy's generator, seeded from this call's RNG
            g = np.random.default_rng(self.rng.getrandbits(64))
            if dt == "bool":
                a = g.random(shape) < 0.5
            elif dt in INTEGRAL:
                a = g.integers(-9, 10, size=shape)
            else:
                a = g.uniform(-3, 3, size=shape)
            return np.asarray(a).astype(np_dtype(dt))
        with np.errstate(all="ignore"):
            return np.array(self.values(dt, n, mode), dtype=np_dtype(dt)).reshape(shape)

    def tensor(self, shape=None, dt=None, mode=None, view=True):
        r = self.rng
        shape = tuple(self.related_shape() if shape is None else shape)
        dt = dt or (self.dtype if r.random() < 0.8 else r.choice(DTYPES))
        v = None
        if view and shape and r.random() < 0.2:
            kind = r.choice(["T", "step", "offset", "expand"])
            if kind == "T" and len(shape) >= 2:
                d0, d1 = r.sample(range(len(shape)), 2)
                base = list(shape)
                base[d0], base[d1] = base[d1], base[d0]
                return TensorSpec(self.array(tuple(base), dt, mode), dt, ("T", d0, d1))
            if kind == "step":
                return TensorSpec(self.array(shape[:-1] + (2 * shape[-1],), dt, mode), dt, ("step",))
            if kind == "offset":
                return TensorSpec(self.array((shape[0] + 1,) + shape[1:], dt, mode), dt, ("offset",))
            if kind == "expand" and any(d != 1 for d in shape):
                base = tuple(1 if r.random() < 0.5 else d for d in shape)
                return TensorSpec(self.array(base, dt, mode), dt, ("expand", shape))
        return TensorSpec(self.array(shape, dt, mode), dt, v)

    def dim(self, ndim=None):
        n = self.ndim if ndim is None else ndim
        r = self.rng
        if r.random() < 0.9:
            return r.randint(-max(n, 1), max(n - 1, 0))
        return r.choice([n, -n - 1, 2**31, -2**63, 64, True])


def _ndim_of(ctx):
    return len(ctx.self_spec.shape) if isinstance(ctx.self_spec, TensorSpec) else ctx.ndim


def _size(ctx):
    """A shape argument: the base shape's numel rearranged, with -1, or something odd."""
    r = ctx.rng
    n = math.prod(ctx.shape)
    x = r.random()
    if x < 0.35:
        return tuple(ctx.shape)
    if x < 0.55:
        return (n,) if r.random() < 0.5 else (-1,)
    if x < 0.7 and ctx.shape:
        s = list(ctx.shape)
        s[r.randrange(len(s))] = -1
        return tuple(s)
    if x < 0.93:
        return tuple(r.choices([0, 1, 2, 3, 4], [5, 30, 30, 20, 15])[0] for _ in range(r.randint(0, 4)))
    return r.choice([(2**31,), (2**40, 2**40), (-2,), (0, 2**62), (3, -1, -1), (2**63,), (1,) * 70,
                     (2.5,), (True, 2)])


def _scalar(ctx, dt=None):
    r = ctx.rng
    dt = dt or r.choice(["bool", "int", "float", "float", "float"])
    if dt == "bool":
        return r.random() < 0.5
    if dt == "int":
        if r.random() < 0.15:
            return r.choice([2**31, 2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64, 10**30, -(2**70)])
        return r.randint(-5, 5)
    if r.random() < 0.25:
        return r.choice([math.nan, math.inf, -math.inf, -0.0, 1e308, -1e308, 5e-324, 1e-300, 3.4e38, 1e39])
    return round(r.uniform(-3, 3), 2)


def _index_tensor(ctx, shape=None):
    r = ctx.rng
    shape = ctx.related_shape() if shape is None else shape
    n = max(1, max(ctx.shape, default=1))
    data = np.array([r.randint(-n if r.random() < 0.2 else 0, n - 1 if r.random() < 0.95 else n + 3)
                     for _ in range(math.prod(shape))], dtype=np.int64).reshape(shape)
    return TensorSpec(data, "int64" if r.random() < 0.92 else r.choice(DTYPES))


def _key(ctx):
    """A __getitem__ / __setitem__ key."""
    r = ctx.rng

    def one():
        x = r.random()
        n = max(ctx.shape, default=1)
        if x < 0.35:
            return r.randint(-n - 1, n)
        if x < 0.6:
            return slice(r.choice([None, 0, 1, -1, -n - 3]), r.choice([None, 2, -1, n + 5]),
                         r.choice([None, None, 1, 2, 3]))
        if x < 0.68:
            return None
        if x < 0.74:
            return Ellipsis
        if x < 0.8:
            return _index_tensor(ctx, (r.randint(0, 3),))
        if x < 0.86:
            return ctx.tensor(shape=ctx.shape[: r.randint(0, len(ctx.shape))], dt="bool", view=False)
        if x < 0.9:
            return [r.randint(-n, max(n - 1, 0)) for _ in range(r.randint(0, 3))]  # n is 0 if empty
        if x < 0.94:
            return r.random() < 0.5
        return r.choice([1.5, "a", DTypeSpec(r.choice(DTYPES)), 2**63, (), -0.0,
                         _index_tensor(ctx, ())])

    if r.random() < 0.45:
        return one()
    return tuple(one() for _ in range(r.randint(0, 4)))


def _wrong(ctx):
    """A value of a kind no parameter takes, or one at the edge of what it takes."""
    r = ctx.rng
    return r.choice(["abc", "", [], [1, [2]], {}, object, 1.5, -1, 2**64, -(2**63) - 1, math.nan,
                     None, (), (1.5,), DTypeSpec(r.choice(DTYPES)), ctx.tensor(shape=(2, 0)),
                     ctx.tensor(shape=()), b"x"])


# One generator per kind of argument; ARG_RULES / ANNOTATION_RULES name the kinds.
GEN = {
    "tensor": lambda c: c.tensor(),
    "self": lambda c: c.tensor(shape=c.shape if c.rng.random() < 0.85 else None),
    "float_tensor": lambda c: c.tensor(dt=c.rng.choice(FLOATING)),
    "same_shape": lambda c: c.tensor(
        shape=c.self_spec.shape if isinstance(c.self_spec, TensorSpec) else None),
    "mask": lambda c: c.tensor(dt="bool"),
    "index": _index_tensor,
    "indices": lambda c: SeqSpec(
        [_index_tensor(c) for _ in range(c.rng.randint(1, max(1, _ndim_of(c))))], tuple),
    "tensors": lambda c: SeqSpec(
        [c.tensor() for _ in range(c.rng.choices([0, 1, 2, 3], [5, 25, 50, 20])[0])],
                                 c.rng.choice([list, tuple])),
    "target": lambda c: c.rng.choice([c.tensor(), _index_tensor(c), c.tensor(dt=c.rng.choice(FLOATING))]),
    "scalar": _scalar,
    "int_scalar": lambda c: _scalar(c, "int"),
    "float": lambda c: _scalar(c, "float"),
    "prob": lambda c: c.rng.choice([0.0, 0.5, 0.25, 1.0, 0.999, -0.1, 1.5, math.nan]),
    "eps": lambda c: c.rng.choice([1e-5, 1e-8, 0.0, 1e-3, -1.0, math.inf]),
    "bool": lambda c: c.rng.random() < 0.5,
    "none": lambda c: None,
    "dim": lambda c: c.dim(_ndim_of(c)),
    "dims": lambda c: tuple(c.dim(_ndim_of(c)) for _ in range(c.rng.randint(0, max(1, _ndim_of(c))))),
    "perm": lambda c: tuple(c.rng.sample(range(_ndim_of(c)), _ndim_of(c))) if c.rng.random() < 0.85
    else tuple(c.dim(_ndim_of(c)) for _ in range(_ndim_of(c))),
    "size": _size,
    "int": lambda c: c.rng.choices([c.rng.randint(0, 4), c.rng.randint(-3, 9), 2**31, 2**62, -1],
                                   [60, 30, 3, 3, 4])[0],
    "pos_int": lambda c: c.rng.choices([1, 2, 3, 4, 0, -1, 2**31], [30, 30, 15, 10, 7, 5, 3])[0],
    "pair": lambda c: c.rng.choice([c.rng.randint(1, 3), (c.rng.randint(1, 3), c.rng.randint(1, 3)),
                                    0, -1, (1,), (2, 2, 2)]),
    "pad_pair": lambda c: c.rng.choice([0, 1, (0, 1), (1, 0), 2, -1, (1, 1, 1)]),
    "dtype": lambda c: DTypeSpec(c.rng.choice(DTYPES)),
    "float_dtype": lambda c: DTypeSpec(c.rng.choice(FLOATING)),
    "reduction": lambda c: c.rng.choice(["mean", "sum", "none", "bogus"]),
    "p_norm": lambda c: c.rng.choice(["fro", "nuc", 1, 2, 0, -1, 3.5, math.inf, -math.inf, None]),
    "rounding_mode": lambda c: c.rng.choice([None, "trunc", "floor", "up"]),
    "approximate": lambda c: c.rng.choice(["none", "tanh", "exact"]),
    "interp_mode": lambda c: c.rng.choice(["nearest", "linear", "bilinear", "bicubic", "area",
                                           "nearest-exact", "trilinear"]),
    "pad_mode": lambda c: c.rng.choice(["constant", "reflect", "replicate", "circular", "zeros"]),
    "pad_list": lambda c: tuple(c.rng.choice([0, 1, 2, -1])
                                for _ in range(c.rng.choice([0, 2, 2, 4, 4, 6, 3]))),
    "norm_shape": lambda c: (tuple(c.shape[len(c.shape) - c.rng.randint(0, len(c.shape)):])
                             if c.rng.random() < 0.85 else _size(c)),
    "key": _key,
    "data": lambda c: c.rng.choice([c.tensor(), _scalar(c), [_scalar(c, "float") for _ in range(3)],
                                    [[1, 2], [3, 4]], [[1, 2], [3]], [True, 2, 3.5], [], [[]],
                                    [c.tensor(shape=()), 2.0]]),
    "split": lambda c: c.rng.choice([c.rng.randint(1, 3), [1, 2], [0, c.ndim], [1, 1, 1], 0, -1]),
    "generator": lambda c: None,
    "device": lambda c: c.rng.choice([None, "cpu"]),
    "any": lambda c: c.rng.choice([c.tensor(), _scalar(c), None, (1, 2), c.dim()]),
    "wrong": _wrong,
}

# Parameter name (or "op:param", which wins) -> generator kinds, as "a|b|c" (chosen uniformly).
ARG_RULES = {
    "self": "self", "input": "self", "x1": "self", "x2": "same_shape|tensor",
    "other": "tensor|same_shape|scalar", "mat2": "tensor", "vec": "tensor", "vec2": "tensor",
    "tensor1": "self", "tensor2": "tensor", "condition": "mask", "mask": "mask", "index": "index",
    "indices": "indices", "src": "tensor|same_shape|scalar", "values": "tensor|same_shape",
    "weight": "tensor|float_tensor", "bias": "tensor|none", "running_mean": "tensor|none",
    "running_var": "tensor|none", "pos_weight": "tensor|none", "target": "target|same_shape",
    "tensors": "tensors", "arg0": "tensor|scalar|same_shape", "arg1": "tensor|scalar",
    "min": "scalar|tensor|none", "max": "scalar|tensor|none", "value": "scalar", "fill_value": "scalar",
    "dim": "dim", "dim0": "dim", "dim1": "dim", "axis0": "dim", "axis1": "dim", "start_dim": "dim",
    "end_dim": "dim", "source": "dim", "destination": "dim", "dims": "perm",
    "keepdim": "bool", "descending": "bool", "largest": "bool", "sorted": "bool", "stable": "bool|none",
    "replacement": "bool", "accumulate": "bool", "as_tuple": "bool", "unbiased": "bool|none",
    "requires_grad": "bool", "training": "bool", "inplace": "bool", "ceil_mode": "bool",
    "count_include_pad": "bool", "return_indices": "bool", "align_corners": "bool|none",
    "straight_through": "bool", "scale_grad_by_freq": "bool", "sparse": "bool", "antialias": "bool",
    "recompute_scale_factor": "bool|none", "equal_nan": "bool", "copy": "bool",
    "size": "size", "sizes": "size", "shape": "size", "args": "size", "normalized_shape": "norm_shape",
    "dtype": "dtype|none", "k": "pos_int", "chunks": "pos_int", "num_samples": "pos_int", "n": "pos_int",
    "m": "pos_int|none", "steps": "pos_int", "num_classes": "int", "num_groups": "pos_int",
    "upscale_factor": "pos_int", "downscale_factor": "pos_int", "start": "int|float", "end": "int|float",
    "length": "int", "step": "pos_int|float", "low": "int", "high": "int", "groups": "pos_int",
    "kernel_size": "pair", "stride": "pair|none", "padding": "pad_pair", "dilation": "pair",
    "output_padding": "pad_pair", "output_size": "pair|size", "divisor_override": "none|pos_int",
    "p": "prob", "rtol": "float", "atol": "float", "correction": "int|float", "mean": "float",
    "std": "float", "alpha": "float", "beta": "float", "threshold": "float", "negative_slope": "float",
    "delta": "float", "eps": "eps", "momentum": "prob|none", "label_smoothing": "prob",
    "ignore_index": "int", "padding_idx": "int|none", "max_norm": "none|float", "norm_type": "float",
    "reduction": "reduction", "size_average": "none|bool", "reduce": "none|bool",
    "approximate": "approximate", "mode": "interp_mode", "scale_factor": "float|pair|none",
    "pad": "pad_list", "rounding_mode": "rounding_mode", "split_size_or_sections": "split",
    "generator": "generator", "device": "device", "data": "data", "type1": "dtype", "type2": "dtype",
    "exponent": "scalar|tensor", "memory_format": "none",
    # per-op rules: where a name means something else in one op
    "ember.norm:p": "p_norm", "Tensor.norm:p": "p_norm", "F.pad:mode": "pad_mode",
    "F.pad:value": "none|float", "Tensor.__getitem__:arg0": "key", "Tensor.__setitem__:arg0": "key",
    "Tensor.__setitem__:arg1": "scalar|tensor", "ember.broadcast_shapes:args": "size",
    "ember.where:input": "tensor|scalar", "Tensor.where:condition": "mask",
    "ember.linspace:start": "float", "ember.linspace:end": "float", "ember.eye:n": "int",
    "ember.arange:start": "int|float|none", "ember.arange:end": "int|float|none",
    "ember.arange:step": "int|float", "ember.full:size": "size", "ember.normal:size": "size",
    "ember.randint:size": "size", "ember.randint:high": "int", "F.embedding:input": "index",
    "F.one_hot:input": "index", "F.fold:output_size": "pair", "F.interpolate:size": "pair|none",
    "F.upsample:size": "pair|none", "ember.promote_types:type1": "dtype",
    "ember.multinomial:input": "float_tensor", "Tensor.type:dtype": "dtype",
    "Tensor.to:args": "dtype", "Tensor.to:dtype": "dtype", "ember.is_tensor:obj": "any",
}

# Annotation fragment -> generator kinds, for names ARG_RULES does not know (first match wins).
ANNOTATION_RULES = [
    ("Sequence[ember._C.Tensor]", "tensors"), ("Tensor", "tensor"), ("dtype", "dtype"),
    ("SupportsInt", "int"), ("SupportsFloat", "float"), ("Number", "scalar"), ("bool", "bool"),
    ("str", "reduction"), ("tuple", "dims"),
]

# torch parameters never drawn from torch's signature (no meaning here, or ember's own way).
TORCH_ONLY_SKIP = {"out", "layout", "pin_memory", "memory_format", "names", "device", "non_blocking",
                   "generator", "requires_grad", "dtype"}


def kinds_for(op, p):
    spec = ARG_RULES.get(f"{op.name}:{p.name}") or ARG_RULES.get(p.name)
    if spec is None:
        for frag, kinds in ANNOTATION_RULES:
            if frag in p.ann:
                spec = kinds
                break
    if spec is None:
        spec = "any"
    reflected = op.short.startswith("__r") and op.short != "__rshift__"
    if op.kind == "operator" and reflected and p.name != "self":
        spec = "scalar|scalar|tensor"  # a + t: the left operand is what makes Python call t.__radd__
    if p.name == "dim" and ("object" in p.ann or "None" in p.ann):
        spec = "dim|dims|none" if "object" in p.ann else "dim|none"
    return spec.split("|")


def gen_value(ctx, op, p):
    return GEN[ctx.rng.choice(kinds_for(op, p))](ctx)


# ---------------------------------------------------------------------------------------------
# A call: generation
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Call:
    seed: int
    index: int
    op: Op
    args: list
    kwargs: dict
    named: dict = dataclasses.field(default_factory=dict)  # drawn arguments by parameter name

    def snippet(self):
        """The call as Python, with L standing for ember or torch."""
        args = [code(a) for a in self.args] + [f"{k}={code(v)}" for k, v in self.kwargs.items()]
        if self.op.kind == "attr":
            return f"{args[0]}.{self.op.short}"
        if self.op.kind == "method":
            return f"{args[0]}.{self.op.short}({', '.join(args[1:])})"
        if self.op.kind == "operator":
            if self.kwargs:  # an operator takes no keywords: show the method call
                return f"{args[0]}.{self.op.short}({', '.join(args[1:])})"
            fmt = OPERATORS[self.op.short][1]
            if fmt.count("{") == len(args):
                return fmt.format(*args)
            return f"{args[0]}.{self.op.short}({', '.join(args[1:])})"
        prefix = "L.nn.functional" if self.op.name.startswith("F.") else "L"
        return f"{prefix}.{self.op.short}({', '.join(args)})"



def make_call(seed, index, ops=None):
    """Call `index` of run `seed`: a pure function of the two (and of the op list)."""
    ops = OPS if ops is None else ops
    rng = random.Random(f"{seed}:{index}")
    op = ops[rng.randrange(len(ops))]
    ctx = Ctx(rng)
    params = list(rng.choice(op.overloads))
    args, kwargs, named = [], {}, {}
    positional = True
    for i, p in enumerate(params):
        if p.kind == "var":
            v = gen_value(ctx, op, p)
            if isinstance(v, tuple) and rng.random() < 0.7:
                args.extend(v)  # reshape(2, 3) as often as reshape((2, 3))
            else:
                args.append(v)
            positional = False
            continue
        if p.has_default and rng.random() < 0.45:
            positional = False  # left out: what follows goes by keyword
            continue
        v = gen_value(ctx, op, p)
        named[p.name] = v
        if i == 0:
            ctx.self_spec = v
        # an operator's operands are never keywords (torch's dunders answer NotImplemented)
        if p.kind == "pos" and positional and (i == 0 or op.kind == "operator" or rng.random() < 0.8):
            args.append(v)
        else:
            kwargs[p.name] = v
            positional = False
    ember_names = {p.name for o in op.overloads for p in o}
    extra = [p for p in op.torch_params if p.name not in ember_names and p.name not in TORCH_ONLY_SKIP
             and p.kind != "var" and p.name != "self"]
    if extra and rng.random() < 0.12:  # a keyword only torch's signature names
        p = rng.choice(extra)
        kwargs[p.name] = gen_value(ctx, op, p)
    if rng.random() < 0.06 and (args or kwargs):  # one argument of the wrong kind
        if kwargs and rng.random() < 0.3:
            kwargs[rng.choice(list(kwargs))] = _wrong(ctx)
        elif len(args) > (0 if op.kind == "fn" else 1):
            args[rng.randrange(0 if op.kind == "fn" else 1, len(args))] = _wrong(ctx)
    return Call(seed, index, op, args, kwargs, named)


# ---------------------------------------------------------------------------------------------
# A call: execution on both libraries, comparison
# ---------------------------------------------------------------------------------------------

CRASH, HANG, ERROR = "crash", "hang", "fuzzer error"
# The worker died or hung in torch's half of a call, after ember's had returned: torch's bug, not
# ember's. Reported, never a failure.
TORCH_CRASH = "torch crashed or hung"
EXC = "exception type mismatch"
RAISES, ACCEPTS = "ember raises, torch returns", "ember returns, torch raises"
LENIENT = "ember accepts arguments torch's parser rejects"
KIND, DTYPE, SHAPE, VALUE, INPUT = ("result kind mismatch", "dtype mismatch", "shape mismatch",
                                    "value mismatch", "input changed differently")
# Every kind, the most severe first (reports follow this order): what takes a process down, then
# wrong answers, then disagreements about errors.
KINDS = (CRASH, HANG, ERROR, VALUE, DTYPE, SHAPE, KIND, INPUT, ACCEPTS, RAISES, EXC, LENIENT, TORCH_CRASH)
UNALLOWABLE = (CRASH, HANG, ERROR)


@dataclasses.dataclass
class Finding:
    seed: int
    index: int
    op: str
    kind: str
    detail: str
    snippet: str



# Tolerances by dtype (torch.testing's defaults, float32's widened for reduction order).
RTOL = {"float16": 1e-3, "bfloat16": 1.6e-2, "float32": 1e-5, "float64": 1e-7, "complex64": 1e-5}
ATOL = {"float16": 1e-5, "bfloat16": 1e-5, "float32": 1e-5, "float64": 1e-7, "complex64": 1e-5}

_BUILTIN_EXC = (IndexError, KeyError, ValueError, TypeError, NotImplementedError, OverflowError,
                ZeroDivisionError, MemoryError, AttributeError, RuntimeError)


def exc_base(e):
    """The builtin exception a library's exception is (torch.OutOfMemoryError is a RuntimeError)."""
    for cls in type(e).__mro__:
        if cls in _BUILTIN_EXC:
            return cls
    return type(e)


# torch's argument parser (C++ and Python signatures) rejecting a call's argument kinds or names.
_TORCH_PARSER = re.compile(
    r"invalid combination of arguments|must be [\w. ]+, not|missing \d+ required|takes \d+ positional|"
    r"takes from \d+ to \d+ positional|unexpected keyword argument|multiple values for argument|"
    r"takes no keyword arguments|takes no arguments|argument after \* must be|but found element of type")
# ... and an int argument past int64 or uint64, which it refuses as ValueError or OverflowError.
_TORCH_PARSER_OVERFLOW = re.compile(
    r"^(Overflow when unpacking long long|int too big to convert|can't convert negative int to unsigned)")


def torch_parser_rejects(e):
    return (isinstance(e, TypeError) and bool(_TORCH_PARSER.search(str(e)))) or \
        (isinstance(e, (ValueError, OverflowError)) and bool(_TORCH_PARSER_OVERFLOW.search(str(e))))


def exc_compatible(ember_exc, torch_exc):
    """ember's documented mapping (cpp/include/ember/error.h, python/src/module.cpp): the type torch
    raises, or ValueError / TypeError / IndexError where torch raises a RuntimeError (bad value or
    shape / bad dtype or argument kind / index out of range; torch's NotImplementedError for a dtype
    a kernel lacks is a RuntimeError). pybind11's TypeError for an argument it cannot convert counts
    as TypeError. Where torch's argument parser rejects the call (a TypeError naming the argument, or
    an int past 64 bits) ember may reject it by its own checks first, with any exception of those. Where torch fails inside
    Python code on an argument of the wrong kind (AttributeError: 'int' object has no attribute
    'dim'), ember's TypeError is the better answer. torch's AssertionError (asserts in its Python code,
    as multi_head_attention_forward's) is ember's ValueError or TypeError, as module_db's CONVENTION.
    Out of memory: MemoryError or RuntimeError."""
    e, t = exc_base(ember_exc), exc_base(torch_exc)
    if e is t or (isinstance(ember_exc, RuntimeError) and isinstance(torch_exc, RuntimeError)):
        return True
    if isinstance(torch_exc, RuntimeError) and e in (ValueError, TypeError, IndexError, MemoryError):
        return True
    if torch_parser_rejects(torch_exc) and e in (TypeError, ValueError, IndexError, RuntimeError, OverflowError):
        return True
    if t is AttributeError and e is TypeError:
        return True
    if t is AssertionError and e in (ValueError, TypeError):  # torch's Python-level asserts (attention's)
        return True
    return {e, t} <= {MemoryError, RuntimeError}


def _is_tensor(x):
    return isinstance(x, (ember.Tensor, torch.Tensor))


def _dtype_name(d):
    return str(d).split(".")[-1]


def _to_numpy(t):
    if t.dim() > 64:  # NumPy's limit; the shapes were compared already
        t = t.reshape(-1)
    if _dtype_name(t.dtype) == "bfloat16":
        t = t.to(ember.float32 if isinstance(t, ember.Tensor) else torch.float32)
    if isinstance(t, torch.Tensor):
        return t.detach().resolve_conj().numpy()
    return np.asarray(t.detach())


def _short(x, n=160):
    try:
        s = _describe(x)
    except Exception as e:  # noqa: BLE001 - a value that cannot print (ember: a (0, 2**62) tensor)
        s = f"<{type(x).__name__}: repr failed: {type(e).__name__}>"
    s = s.replace("\n", " ")
    return s if len(s) <= n else s[: n - 3] + "..."


def _describe(x):
    if not _is_tensor(x):
        return repr(x)
    lib = type(x).__module__.split(".")[0]
    return f"{lib}.Tensor(shape={tuple(x.shape)}, dtype={_dtype_name(x.dtype)})"


def compare(a, b, what, out, values=True, skip_items=(), atol_extra=0.0):
    """Appends (kind, detail) for each way ember's `a` differs from torch's `b`: values=False
    compares all but values; items of a top-level sequence in skip_items have no values compared;
    atol_extra widens the float tolerance."""
    if isinstance(b, (tuple, list)) and not isinstance(b, torch.Size):
        if not isinstance(a, (tuple, list)) or isinstance(a, ember.Size):
            out.append((KIND, f"{what}: ember {type(a).__name__}, torch {type(b).__name__}"))
            return
        if len(a) != len(b):
            out.append((SHAPE, f"{what}: ember {len(a)} items, torch {len(b)}"))
            return
        for i, (x, y) in enumerate(zip(a, b)):
            compare(x, y, f"{what}[{i}]", out, values and i not in skip_items, (), atol_extra)
        return
    if isinstance(b, torch.Tensor):
        if not isinstance(a, ember.Tensor):
            out.append((KIND, f"{what}: ember {type(a).__name__} {_short(a)}, torch Tensor"))
            return
        da, db = _dtype_name(a.dtype), _dtype_name(b.dtype)
        if da != db:
            out.append((DTYPE, f"{what}: ember {da}, torch {db}"))
        if tuple(a.shape) != tuple(b.shape):
            out.append((SHAPE, f"{what}: ember {tuple(a.shape)}, torch {tuple(b.shape)}"))
            return
        if values and 0 < b.numel() <= COMPARE_LIMIT:
            _compare_values(_to_numpy(a), _to_numpy(b), db, what, out, atol_extra)
        return
    if isinstance(b, torch.Size):
        if tuple(a) != tuple(b) if isinstance(a, (tuple, list)) else True:
            out.append((SHAPE if isinstance(a, (tuple, list)) else KIND,
                        f"{what}: ember {_short(a)}, torch {_short(b)}"))
        return
    if isinstance(b, (torch.dtype, ember.dtype)) or isinstance(a, ember.dtype):
        if _dtype_name(a) != _dtype_name(b):
            out.append((DTYPE, f"{what}: ember {_short(a)}, torch {_short(b)}"))
        return
    if isinstance(b, torch.device):
        if str(a) != str(b):
            out.append((VALUE, f"{what}: ember {a}, torch {b}"))
        return
    if b is None or isinstance(b, (bool, int, float, complex, str)):
        if type(a) is not type(b):
            out.append((KIND, (f"{what}: ember {type(a).__name__} {_short(a)}, "
                               f"torch {type(b).__name__} {_short(b)}")))
            return
        if values and isinstance(b, float):
            both_nan = math.isnan(a) and math.isnan(b)
            if not (a == b or both_nan or math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6)):
                out.append((VALUE, f"{what}: ember {a!r}, torch {b!r}"))
        elif values and a != b:
            out.append((VALUE, f"{what}: ember {_short(a)}, torch {_short(b)}"))
        return
    # anything else (a generator, an iterator, a namedtuple-like): compare its kind only
    if type(a).__name__ != type(b).__name__ and not (_is_tensor(a) or _is_tensor(b)):
        return


def _compare_values(a, b, dt, what, out, atol_extra=0.0):
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        a64, b64 = a.astype(np.complex128 if "c" in a.dtype.kind + b.dtype.kind else np.float64), \
            b.astype(np.complex128 if "c" in a.dtype.kind + b.dtype.kind else np.float64)
        with np.errstate(all="ignore"):
            close = (a64 == b64) | np.isclose(a64, b64, rtol=RTOL.get(dt, 1e-5),
                                              atol=ATOL.get(dt, 1e-5) + atol_extra, equal_nan=True)
            # signed zeros are equal to isclose; torch keeps the sign, so a lost sign is reported
            if a.dtype.kind == "f" and b.dtype.kind == "f":
                close &= ~((a64 == 0) & (b64 == 0) & (np.signbit(a64) != np.signbit(b64)))
    else:
        close = a == b
    close = np.asarray(close)
    if not close.all():
        bad = np.argwhere(~close) if close.ndim else [()]
        at = [tuple(int(i) for i in idx) for idx in bad[:3]]
        pairs = ", ".join(f"{list(i)}: ember {a[i]!r} torch {b[i]!r}" for i in at)
        out.append((VALUE, f"{what}: {int((~close).sum())} of {close.size} differ ({pairs})"))


def _is_inplace(op):
    s = op.short
    return (s.endswith("_") and not s.startswith("__")) or s in (
        "__setitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__", "__ifloordiv__", "__imod__",
        "__ipow__", "__iand__", "__ior__", "__ixor__", "__ilshift__", "__irshift__", "__imatmul__")


def run_on(call, L):
    """Builds the arguments for library L and runs the call: ('ok', result, args) or
    ('raise', exception, args)."""
    args = [build(a, L) for a in call.args]
    kwargs = {k: build(v, L) for k, v in call.kwargs.items()}
    op = call.op
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if op.kind == "attr":
                r = getattr(args[0], op.short)
            elif op.kind == "method" or (op.kind == "operator" and (
                    kwargs or len(args) != OPERATORS[op.short][1].count("{"))):
                r = getattr(args[0], op.short)(*args[1:], **kwargs)
            elif op.kind == "operator":
                r = OPERATORS[op.short][0](*args)
            elif op.name.startswith("F."):
                r = getattr(F if L is ember else TF, op.short)(*args, **kwargs)
            else:
                r = getattr(L, op.short)(*args, **kwargs)
            _touch(r)
        return "ok", r, args
    except Exception as e:  # noqa: BLE001 - every exception is an outcome to compare
        return "raise", e, args


def _touch(r):
    """Reads a result's values, so a lazily wrong tensor fails inside the call (and not in compare)."""
    if isinstance(r, (tuple, list)):
        for x in r:
            _touch(x)
    elif (isinstance(r, ember.Tensor) and 0 < r.numel() <= COMPARE_LIMIT and r.dim() <= 64
          and _dtype_name(r.dtype) != "bfloat16"):  # NumPy holds at most 64 dims
        np.asarray(r.detach())


def _msg(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0][:140] if str(e) else ''}"


def execute(call, entering=lambda library: None):
    """Runs `call` on ember and torch and returns its divergences (an empty list when they agree).
    entering(ember), then entering(torch), tell a worker which library a crash would be in."""
    entering(ember)
    e_kind, e_val, e_args = run_on(call, ember)
    entering(torch)
    t_kind, t_val, t_args = run_on(call, torch)
    op = call.op
    found = []
    if e_kind == "raise" and t_kind == "raise":
        if not exc_compatible(e_val, t_val):
            found.append((EXC, f"ember {_msg(e_val)} | torch {_msg(t_val)}"))
    elif e_kind == "raise":
        found.append((RAISES, f"ember {_msg(e_val)} | torch returned {_short(t_val, 80)}"))
    elif t_kind == "raise":
        kind = LENIENT if torch_parser_rejects(t_val) else ACCEPTS
        found.append((kind, f"ember returned {_short(e_val, 80)} | torch {_msg(t_val)}"))
    else:
        named = call.named
        values = op.name not in RANDOM_OPS
        ties = op.short in TIE_INDICES and named.get("stable") is not True
        if (op.short == "argsort" and ties) or (op.short == "topk" and named.get("sorted") is False):
            values = False  # unordered: which of equal elements comes first is unspecified
        atol = _accumulation_atol(call) if op.short in ACCUMULATING else 0.0
        if op.short == "stride":
            e_val, t_val = _meaningful_strides(e_args[0], e_val, t_val, named.get("dim"))
        compare(e_val, t_val, "result", found, values, (1,) if ties else (), atol)
        # inputs after the call: in-place ops change self as torch's do, others change nothing
        for i, (ea, ta) in enumerate(zip(e_args, t_args)):
            if isinstance(ta, torch.Tensor) and isinstance(ea, ember.Tensor):
                sub = []
                compare(ea, ta, "self" if i == 0 else f"arg{i}", sub, values, (), atol)
                found.extend((INPUT if k == VALUE and not (i == 0 and _is_inplace(op)) else k, d)
                             for k, d in sub)
    snippet = call.snippet()
    return [Finding(call.seed, call.index, op.name, k, d, snippet) for k, d in found]


def _accumulation_atol(call):
    """eps(float32) x the largest finite input magnitude x the largest input's element count."""
    big, n = 0.0, 1
    for spec in _specs(list(call.args) + list(call.kwargs.values())):
        if isinstance(spec, TensorSpec) and spec.data.dtype.kind == "f" and spec.data.size:
            finite = spec.data[np.isfinite(spec.data)]
            if finite.size:
                big = max(big, float(np.abs(finite).max()))
            n = max(n, spec.data.size)
    return big * n * 1.2e-7


def _specs(items):
    for x in items:
        if isinstance(x, SeqSpec):
            yield from _specs(x.items)
        elif isinstance(x, tuple):
            yield from _specs(x)
        else:
            yield x


def _meaningful_strides(t, e_val, t_val, dim):
    """Strides of dims of size <= 1, and all of an empty tensor's, carry no meaning: blanked."""
    if not isinstance(t, ember.Tensor):
        return e_val, t_val
    keep = [t.numel() > 0 and d > 1 for d in t.shape]
    if isinstance(e_val, tuple) and isinstance(t_val, tuple):
        return (tuple(s if k else None for s, k in zip(e_val, keep)),
                tuple(s if k else None for s, k in zip(t_val, keep)))
    if type(dim) is int and -len(keep) <= dim < len(keep) and not keep[dim]:
        return None, None
    return e_val, t_val


def select_ops(patterns):
    """The ops whose names match any of the fnmatch patterns (all ops for None)."""
    if not patterns:
        return OPS
    return [o for o in OPS if any(fnmatch.fnmatchcase(o.name, p) for p in patterns)]

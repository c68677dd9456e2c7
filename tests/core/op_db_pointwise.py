"""op_db rows: pointwise ops (every row of cpp/include/ember/elementwise.def), clamp and where.

Imported by op_db at its end (import op_db, not this module): it takes the core names from op_db
and registers its rows with op_db.add_op.
"""
from __future__ import annotations

import math

import numpy as np

from op_db import (ALL, Arg, DEFAULT, Domain, EMPTY, ErrorCase, FLOAT_DTYPES, FLOATING, INTEGRAL, NONCONTIG,
                   NP_DTYPE, NUMERIC, OPS, OpInfo, REGULAR, SPECIAL, SampleInput, ZERO_DIM, add_op,
                   by_name, contig, noncontig, scalar_of)


SPECIAL_FLOATS = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1.5, 2.5, -2.5,
                           1e-6, 7.0, -7.0])


# ---- unary -------------------------------------------------------------------------------------
def unary_samples(op: "OpInfo", dtype: str, rng) -> list[SampleInput]:
    dom = op.domain
    out = [SampleInput((contig(s, dtype, rng, dom),), desc=str(s))
           for s in [(7,), (3, 4), (2, 3, 4), (4, 1, 3)]]
    out.append(SampleInput((contig((65, 513), dtype, rng, dom),), desc="large"))
    out.append(SampleInput((contig((), dtype, rng, dom),), kind=ZERO_DIM))
    out += [SampleInput((contig(s, dtype, rng, dom),), kind=EMPTY, desc=str(s))
            for s in [(0,), (2, 0, 3)]]
    out += [SampleInput((noncontig(s, dtype, rng, dom),), kind=NONCONTIG, desc=str(s))
            for s in [(3, 4), (6,), (2, 3, 4), (0, 3), (65, 513)]]
    if dtype in FLOAT_DTYPES:
        out.append(SampleInput((Arg(SPECIAL_FLOATS.astype(NP_DTYPE[dtype])),), kind=SPECIAL))
    return out


# ---- binary ------------------------------------------------------------------------------------
BINARY_SHAPES = [((5,), (5,)), ((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)),
                 ((4,), (2, 3, 4)), ((2, 1, 4), (3, 1)), ((3, 4), ()), ((), (3, 4))]


def binary_samples(op: "OpInfo", dtype: str, rng) -> list[SampleInput]:
    d1, d2 = op.domain, op.domain_rhs or op.domain
    out = []
    for s1, s2 in BINARY_SHAPES:
        kind = REGULAR
        out.append(SampleInput((contig(s1, dtype, rng, d1), contig(s2, dtype, rng, d2)), kind=kind,
                               desc=f"{s1} {s2}"))
    out.append(SampleInput((contig((65, 513), dtype, rng, d1), contig((65, 513), dtype, rng, d2)),
                           desc="large"))
    out.append(SampleInput((contig((65, 513), dtype, rng, d1), contig((513,), dtype, rng, d2)),
                           desc="large bcast"))
    out.append(SampleInput((contig((), dtype, rng, d1), contig((), dtype, rng, d2)), kind=ZERO_DIM,
                           desc="() ()"))
    if op.scalar_rhs:  # a Python number of the tensor's kind as the second operand
        out.append(SampleInput((contig((3, 4), dtype, rng, d1), scalar_of(dtype, rng, d2)),
                               desc="python scalar"))
        out.append(SampleInput((contig((), dtype, rng, d1), scalar_of(dtype, rng, d2)),
                               kind=ZERO_DIM, desc="() scalar"))
    for s1, s2 in [((0,), (0,)), ((0, 3), (1, 3)), ((0,), ()), ((2, 0, 3), (3,)), ((1,), (0,))]:
        out.append(SampleInput((contig(s1, dtype, rng, d1), contig(s2, dtype, rng, d2)), kind=EMPTY,
                               desc=f"{s1} {s2}"))
    out.append(SampleInput((noncontig((3, 4), dtype, rng, d1), contig((3, 4), dtype, rng, d2)),
                           kind=NONCONTIG, desc="T, c"))
    out.append(SampleInput((contig((3, 4), dtype, rng, d1), noncontig((3, 4), dtype, rng, d2)),
                           kind=NONCONTIG, desc="c, T"))
    out.append(SampleInput((noncontig((2, 3, 4), dtype, rng, d1),
                            noncontig((3, 4), dtype, rng, d2)), kind=NONCONTIG,
                           desc="T, T bcast"))
    out.append(SampleInput((noncontig((5,), dtype, rng, d1), noncontig((5,), dtype, rng, d2)),
                           kind=NONCONTIG, desc="strided"))
    out.append(SampleInput((noncontig((65, 513), dtype, rng, d1), contig((65, 1), dtype, rng, d2)),
                           kind=NONCONTIG, desc="large T bcast"))
    if dtype in FLOAT_DTYPES and op.special:
        sp = SPECIAL_FLOATS.astype(NP_DTYPE[dtype])
        out.append(SampleInput((Arg(sp.reshape(-1, 1)), Arg(sp.reshape(1, -1))), kind=SPECIAL,
                               desc=f"(i, j) = (x, y) pairs of {SPECIAL_FLOATS.tolist()}"))
    return out



# ---------------------------------------------------------------------------------------------
# Pointwise ops: every row of cpp/include/ember/elementwise.def
# ---------------------------------------------------------------------------------------------
def _np_sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-x))


_np_erf = np.vectorize(math.erf, otypes=[np.float64])
_np_erfc = np.vectorize(math.erfc, otypes=[np.float64])


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
    ("asinh", "FLOAT", np.arcsinh, DEFAULT, None),
    ("acosh", "FLOAT", np.arccosh, Domain(1.05, 5.0), None),
    ("atanh", "FLOAT", np.arctanh, Domain(-0.95, 0.95), None),
    ("sinh", "FLOAT", np.sinh, DEFAULT, None),
    ("cosh", "FLOAT", np.cosh, DEFAULT, None),
    ("tanh", "FLOAT", np.tanh, DEFAULT, None),
    ("sigmoid", "FLOAT", _np_sigmoid, DEFAULT, None),
    ("erf", "FLOAT", _np_erf, DEFAULT, None),
    ("erfc", "FLOAT", _np_erfc, DEFAULT, None),
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
    ("frac", "FLOATING", lambda x: x - np.trunc(x), DEFAULT, None),
    ("deg2rad", "FLOAT", np.deg2rad, DEFAULT, None),
    ("rad2deg", "FLOAT", np.rad2deg, DEFAULT, None),
    ("sinc", "FLOAT", np.sinc, DEFAULT, None),
    ("erfinv", "FLOAT", None, Domain(-0.95, 0.95), None),
    ("lgamma", "FLOAT", None, _POS, None),
    ("digamma", "FLOAT", None, Domain(0.2, 5.0), None),
    ("i0", "FLOAT", np.i0, DEFAULT, None),
    ("signbit", "PREDICATE", np.signbit, DEFAULT, None),
    ("isposinf", "PREDICATE", np.isposinf, DEFAULT, None),
    ("isneginf", "PREDICATE", np.isneginf, DEFAULT, None),
]

# The dtypes each kind accepts, as torch accepts them. torch also takes bool for sign (bool out) and
# square (int64 out), so those rows list bool although elementwise.def calls them NUMERIC.
_UNARY_DTYPES = {"FLOAT": ALL, "NUMERIC": NUMERIC, "ROUND": NUMERIC, "PREDICATE": ALL,
                 "INTEGRAL": INTEGRAL, "FLOATING": FLOATING}
_UNARY_DTYPE_OVERRIDES = {"sign": ALL, "square": ALL}
# Pointwise ops all meet the default float32 tolerance (rtol 1e-5, atol 1e-6): exp-like ops are
# within ~1.4e-7 relative of torch's vectorized versions, so none gets a wider one.


def _np_wrap_unary(f, kind):
    if f is None:
        return None
    if kind in ("FLOAT", "PREDICATE") and f not in (np.isnan, np.isinf, np.isfinite,
                                                    np.logical_not):
        f = _as_float(f)
    return f


# Ops torch has no in-place method for: there is nothing to compare the in-place form with.
_NO_TORCH_INPLACE = {"isnan", "isinf", "isfinite", "maximum", "minimum", "signbit", "isposinf",
                     "isneginf", "fmax", "fmin", "logaddexp", "logaddexp2"}


# ---- gradients: where gradcheck must not look (tests/autograd/test_gradients.py) ------------------------
_GRAD_MARGIN = 1e-3  # far beyond gradcheck's eps (1e-6): no kink or jump between x - eps, x + eps


def _far_from_grid(x, step=1.0, offset=0.0) -> bool:
    """Every value at least _GRAD_MARGIN away from offset + k * step (the jumps of floor & co)."""
    q = (np.asarray(x, dtype=np.float64) - offset) / step
    return bool(np.all(np.abs(q - np.round(q)) * step > _GRAD_MARGIN))


def _apart(args, kwargs) -> bool:
    """maximum / minimum: no ties between the operands (where the gradient has a kink)."""
    x, y = np.broadcast_arrays(np.asarray(args[0], np.float64), np.asarray(args[1], np.float64))
    return bool(np.all(np.abs(x - y) > _GRAD_MARGIN))


def _quotient_off_integers(args, kwargs) -> bool:
    """remainder / fmod jump where x / y is an integer."""
    x, y = np.asarray(args[0], np.float64), np.asarray(args[1], np.float64)
    return _far_from_grid(x / y)


def _off_branch_cut(args, kwargs) -> bool:
    """atan2(y, x) jumps on the negative x axis and is singular at the origin."""
    y, x = np.broadcast_arrays(np.asarray(args[0], np.float64), np.asarray(args[1], np.float64))
    return bool(np.all(~((x < 0) & (np.abs(y) < _GRAD_MARGIN)) & (x * x + y * y > 1e-2)))


_AWAY_FROM_0 = Domain(-3.0, 3.0, nonzero=True)
_UNARY_GRAD = {
    "sqrt": dict(grad_domain=Domain(0.1, 5.0)),        # sqrt' is infinite at 0
    "asin": dict(grad_domain=Domain(-0.9, 0.9)),       # ... asin' and acos' at +-1
    "acos": dict(grad_domain=Domain(-0.9, 0.9)),
    "abs": dict(grad_domain=_AWAY_FROM_0),             # kinks at 0 (torch's gradient there: 0)
    "relu": dict(grad_domain=_AWAY_FROM_0),
    "sign": dict(grad_domain=_AWAY_FROM_0),            # a jump at 0 (gradient 0 elsewhere)
    "floor": dict(grad_ok=lambda a, kw: _far_from_grid(a[0])),  # gradient 0 between the jumps
    "ceil": dict(grad_ok=lambda a, kw: _far_from_grid(a[0])),
    "trunc": dict(grad_ok=lambda a, kw: _far_from_grid(a[0])),
    "round": dict(grad_domain=DEFAULT, grad_ok=lambda a, kw: _far_from_grid(a[0], offset=0.5)),
    "frac": dict(grad_ok=lambda a, kw: _far_from_grid(a[0])),  # jumps at the integers
    "digamma": dict(grad_domain=Domain(0.2, 5.0)),     # poles at 0, -1, -2, ...
}

def _without(*descs, special=False):
    """unary_samples less the ones whose gradient torch computes too coarsely to compare with
    (float32 sinc' cancels on large samples; digamma' / i1' at poles and NaN)."""
    def samples(op, dtype, rng):
        return [s for s in unary_samples(op, dtype, rng)
                if s.desc not in descs and not (special and s.kind == SPECIAL)]
    return samples


_UNARY_SAMPLES = {"sinc": _without("large", "(65, 513)"), "digamma": _without(special=True)}

for _name, _kind, _npf, _dom, _ in _UNARY:
    add_op(_name, by_name(_name), _UNARY_DTYPE_OVERRIDES.get(_name, _UNARY_DTYPES[_kind]),
           _UNARY_SAMPLES.get(_name, unary_samples), numpy_fn=_np_wrap_unary(_npf, _kind), domain=_dom, category="unary",
           inplace=_name not in _NO_TORCH_INPLACE,
           supports_grad=_kind not in ("PREDICATE", "INTEGRAL"), **_UNARY_GRAD.get(_name, {}))


def _binary_errors(name, dtype="float32", exc=ValueError):
    def cases():
        rng = np.random.default_rng(0)
        out = [ErrorCase(SampleInput((contig((2, 3), dtype, rng), contig((4,), dtype, rng))), exc,
                         (name, "(2, 3)", "(4,)"), id="bcast"),
               ErrorCase(SampleInput((contig((2, 3, 4), dtype, rng), contig((3, 3), dtype, rng))),
                         exc, (name, "(2, 3, 4)", "(3, 3)"), id="bcast3d")]
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


def _np_heaviside(x, y):
    x, y = np.broadcast_arrays(x, y)
    return np.where(x == 0, y, x > 0).astype(np.result_type(x, y))


def _np_xlogy(x, y):
    x, y = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(y, np.float64))
    with np.errstate(all="ignore"):
        return np.where(np.isnan(y), np.nan, np.where(x == 0, 0.0, x * np.log(y)))


def _np_copysign(x, y):
    return np.copysign(np.asarray(x, np.float64), np.asarray(y, np.float64))


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
    ("bitwise_left_shift", frozenset({"int64"}), np.left_shift, Domain(-9, 9), Domain(0, 6)),
    ("bitwise_right_shift", frozenset({"int64"}), np.right_shift, Domain(-99, 99), Domain(0, 6)),
    ("copysign", ALL, _np_copysign, DEFAULT, None),
    ("hypot", FLOATING, np.hypot, DEFAULT, None),
    ("logaddexp", FLOATING, np.logaddexp, DEFAULT, None),
    ("logaddexp2", FLOATING, np.logaddexp2, DEFAULT, None),
    ("xlogy", ALL, _np_xlogy, DEFAULT, Domain(0.05, 5.0)),
    ("fmax", ALL, np.fmax, _TIES, None),
    ("fmin", ALL, np.fmin, _TIES, None),
    ("heaviside", ALL, _np_heaviside, _TIES, None),
    ("nextafter", FLOATING, np.nextafter, DEFAULT, None),
    ("gcd", frozenset({"int64"}), np.gcd, Domain(-9, 9), None),
    ("lcm", frozenset({"int64"}), np.lcm, Domain(-9, 9), None),
]

# torch.atan2 / maximum / minimum / logical_* take only a tensor as `other` (ember also takes
# numbers).
_TENSOR_ONLY_RHS = {"atan2", "maximum", "minimum", "logical_and", "logical_or", "logical_xor", "hypot",
                    "logaddexp", "logaddexp2", "fmax", "fmin", "heaviside", "nextafter", "gcd", "lcm"}
# Binary rows with no gradient: bool results, and floor_divide (torch: "derivative for
# aten::floor_divide is not implemented").
_NO_GRAD_BINARY = {"eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
                   "floor_divide", "heaviside", "nextafter", "gcd", "lcm", "bitwise_left_shift",
                   "bitwise_right_shift"}
_BINARY_GRAD = {
    "maximum": dict(grad_domain=DEFAULT, grad_ok=_apart),  # no ties (torch splits the gradient)
    "minimum": dict(grad_domain=DEFAULT, grad_ok=_apart),
    "remainder": dict(grad_ok=_quotient_off_integers),
    "fmod": dict(grad_ok=_quotient_off_integers),
    "atan2": dict(grad_ok=_off_branch_cut),
    "fmax": dict(grad_domain=DEFAULT, grad_ok=_apart),
    "fmin": dict(grad_domain=DEFAULT, grad_ok=_apart),
    "hypot": dict(grad_domain=_AWAY_FROM_0),           # singular at the origin
    "xlogy": dict(grad_domain=_AWAY_FROM_0),           # x = 0 is where the gradient switches
    "copysign": dict(grad_domain=_AWAY_FROM_0),        # so is copysign's (x = 0, and the sign of y)
}
for _name, _dts, _npf, _dom, _dom2 in _BINARY:
    add_op(_name, by_name(_name), _dts, binary_samples, numpy_fn=_npf, domain=_dom,
           domain_rhs=_dom2, scalar_rhs=_name not in _TENSOR_ONLY_RHS,
           # torch refuses bool subtraction with a RuntimeError (its message names the `-` operator)
           unsupported_exc=RuntimeError if _name == "sub" else TypeError,
           category="binary", inplace=_name not in _NO_TORCH_INPLACE,
           error_cases=_binary_errors(_name, "float32" if "float32" in _dts else "int64"),
           supports_grad=None if _name not in _NO_GRAD_BINARY else False,
           **_BINARY_GRAD.get(_name, {}))



# The table's helper rows behind gradients (i0's, polygamma's), torch.special's i1 and zeta, and
# polygamma(1, x)'s trigamma.
def _special(name):
    import ember

    def ember_fn(*a):
        return getattr(ember._C, name)(*a)

    def torch_fn(*a):
        import torch
        # torch's zeta has no 16-bit kernels: ember's helper row computes them in float32, as here
        half = [t.dtype for t in a if t.dtype in (torch.float16, torch.bfloat16)]
        if half:
            return getattr(torch.special, name.lstrip("_"))(*[t.float() for t in a]).to(half[0])
        return getattr(torch.special, name.lstrip("_"))(*a)
    return ember_fn, torch_fn


add_op("_i1", _special("_i1"), ALL, _without(special=True), category="unary", method=False)


def _trigamma_fns():
    import ember

    def torch_fn(x):
        import torch
        return torch.polygamma(1, x)
    return (lambda x: ember._C._trigamma(x)), torch_fn


add_op("_trigamma", _trigamma_fns(), ALL, _without(special=True), domain=Domain(0.2, 5.0), category="unary",
       method=False)  # polygamma(1, x)'s kernel
def _activation_fns(name, backward):
    """ember's row `_name` (or `_name_backward`) beside nn.functional.name (or torch's gradient of it:
    its kernel gelu_backward(grad, x); silu's and mish's kernels have no gradient in torch, so their
    formulas in torch ops, which differentiate, stand for them)."""
    import ember

    def torch_fn(*a):
        import torch
        if not backward:
            return getattr(torch.nn.functional, name)(*a)
        # torch's kernel (which does not broadcast), for its values and the dtypes it refuses
        kernel = getattr(torch.ops.aten, name + "_backward")(*[t.contiguous() for t in torch.broadcast_tensors(*a)])
        g, x = a
        if name == "silu":
            return g * torch.sigmoid(x) * (1 + x * (1 - torch.sigmoid(x)))
        if name == "mish":
            t = torch.tanh(torch.log1p(torch.exp(x)))
            return g * (t + x * torch.sigmoid(x) * (1 - t * t))
        return kernel
    return getattr(ember._C, f"_{name}_backward" if backward else f"_{name}"), torch_fn


# nn.functional.gelu's exact form, silu and mish, and their gradients' kernels, as rows
for _name in ("gelu", "silu", "mish"):
    add_op(f"_{_name}", _activation_fns(_name, False), FLOATING, unary_samples, category="unary", method=False)
# no special values: far below 0 (x = -7) torch's vector loop rounds gelu's slope to 0 (so inf * 0
# is NaN) and its scalar loop does not; ember gives the scalar loop's -6.4e-11 at every size
add_op("_gelu_backward", _activation_fns("gelu", True), FLOATING, binary_samples, scalar_rhs=False,
       category="binary", method=False, special=False)
for _name in ("silu", "mish"):
    add_op(f"_{_name}_backward", _activation_fns(_name, True), FLOATING, binary_samples, scalar_rhs=False,
           category="binary", method=False)


def _tanh_backward_fns():
    import ember

    def torch_fn(*a):
        import torch
        return torch.ops.aten.tanh_backward(*[t.contiguous() for t in torch.broadcast_tensors(*a)])
    return ember._C._tanh_backward, torch_fn


# tanh's gradient kernel (tanh_backward(grad, output)) as a row: 1 - y^2 fused, as torch's kernel
add_op("_tanh_backward", _tanh_backward_fns(), FLOATING, binary_samples, scalar_rhs=False, category="binary",
       method=False)
add_op("_zeta", _special("_zeta"), ALL, binary_samples, domain=Domain(1.5, 5.0),
       domain_rhs=Domain(0.5, 5.0), scalar_rhs=False, category="binary", method=False,
       supports_grad=False, special=False)  # torch has no gradient for x; q's is polygamma's (tested there)


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
        SampleInput((contig((3, 4), dtype, rng),),
                    {"min": contig((4,), dtype, rng, Domain(-3, 0)),
                     "max": contig((3, 1), dtype, rng, Domain(0, 3))}, desc="tensors"),
        SampleInput((contig((2, 3, 4), dtype, rng),),
                    {"min": contig((), dtype, rng, Domain(-3, 0))}, desc="0-d min"),
        SampleInput((contig((65, 513), dtype, rng),), {"min": lo_s, "max": hi_s}, desc="large"),
        SampleInput((contig((), dtype, rng),), {"min": lo_s, "max": hi_s}, kind=ZERO_DIM),
        SampleInput((contig((0, 3), dtype, rng),), {"min": lo_s, "max": hi_s}, kind=EMPTY),
        SampleInput((noncontig((3, 4), dtype, rng),), {"min": lo_s, "max": hi_s}, kind=NONCONTIG),
        SampleInput((contig((3, 4), dtype, rng),),
                    {"min": noncontig((3, 4), dtype, rng, Domain(-3, 0))},
                    kind=NONCONTIG, desc="noncontig bound"),
    ]
    if dtype in FLOAT_DTYPES:
        sp = SPECIAL_FLOATS.astype(NP_DTYPE[dtype])
        out.append(SampleInput((Arg(sp),), {"min": -1.0, "max": 1.0}, kind=SPECIAL))
        out.append(SampleInput((Arg(np.ones(3, NP_DTYPE[dtype])),),
                               {"min": Arg(np.array([np.nan, 0, 2], NP_DTYPE[dtype]))},
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
    return [ErrorCase(SampleInput((contig((3, 4), "float32", rng),), {}), ValueError, ("clamp",),
                      id="no_bounds"),
            ErrorCase(SampleInput((contig((3, 4), "float32", rng),),
                                  {"min": contig((5,), "float32", rng)}), ValueError,
                      ("clamp", "(3, 4)", "(5,)"), id="bcast")]


# torch: clamp of a bool tensor by bool bounds is not implemented (by int bounds it promotes to
# int64, see test_clamp_promotes), so bool is not among clamp's own dtypes.
def _clamp_grad_ok(args, kwargs) -> bool:
    """clamp has kinks where x meets a bound."""
    x = np.asarray(args[0], np.float64)
    return all(bool(np.all(np.abs(np.subtract(*np.broadcast_arrays(x, np.asarray(b, np.float64))))
                           > _GRAD_MARGIN))
               for k, b in kwargs.items() if k in ("min", "max") and b is not None)


add_op("clamp", by_name("clamp"), NUMERIC, clamp_samples, numpy_fn=None, category="binary",
       error_cases=_clamp_errors, grad_ok=_clamp_grad_ok)


def where_samples(op, dtype, rng):
    def cond(shape, nc=False):
        return (noncontig if nc else contig)(shape, "bool", rng)

    sc = scalar_of(dtype, rng)
    return [
        SampleInput((cond((3, 4)), contig((3, 4), dtype, rng), contig((3, 4), dtype, rng)),
                    desc="same"),
        SampleInput((cond((3, 1)), contig((1, 4), dtype, rng), contig((2, 3, 4), dtype, rng)),
                    desc="bcast"),
        SampleInput((cond((3, 4)), contig((3, 4), dtype, rng), sc), desc="scalar other"),
        SampleInput((cond((3, 4)), sc, contig((4,), dtype, rng)), desc="scalar input"),
        SampleInput((cond((65, 513)), contig((65, 513), dtype, rng), contig((513,), dtype, rng)),
                    desc="large"),
        SampleInput((cond(()), contig((), dtype, rng), contig((), dtype, rng)), kind=ZERO_DIM),
        SampleInput((cond((0, 4)), contig((0, 4), dtype, rng), contig((4,), dtype, rng)),
                    kind=EMPTY),
        SampleInput((cond((3, 4), True), noncontig((3, 4), dtype, rng), contig((3, 4), dtype, rng)),
                    kind=NONCONTIG),
        SampleInput((cond((3, 4)), contig((3, 4), dtype, rng), noncontig((3, 4), dtype, rng)),
                    kind=NONCONTIG),
    ]


def _where_errors():
    rng = np.random.default_rng(0)
    return [ErrorCase(SampleInput((contig((3, 4), "bool", rng), contig((3, 4), "float32", rng),
                                   contig((5,), "float32", rng))),
                      ValueError, ("where", "(5,)"), id="bcast"),
            ErrorCase(SampleInput((contig((3, 4), "float32", rng), contig((3, 4), "float32", rng),
                                   contig((3, 4), "float32", rng))),
                      TypeError, ("where", "bool"), id="cond_not_bool")]


add_op("where", by_name("where"), ALL, where_samples, numpy_fn=lambda c, x, y: np.where(c, x, y),
       category="index", error_cases=_where_errors, method=False)

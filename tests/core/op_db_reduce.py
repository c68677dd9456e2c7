"""op_db rows: reductions and linear algebra (the matmul family).

Imported by op_db at its end (import op_db, not this module): it takes the core names from op_db
and registers its rows with op_db.add_op.
"""
from __future__ import annotations

import math

import numpy as np

from op_db import (ALL, Arg, DT, Domain, EMPTY, ErrorCase, FLOATING, NONCONTIG, NP_DTYPE, NUMERIC,
                   OPS, OpInfo, REGULAR, SPECIAL, SampleInput, ZERO_DIM, add_op, by_name, contig,
                   make_array, noncontig)


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
    shapes = [((5,), REGULAR), ((3, 4), REGULAR), ((2, 3, 4), REGULAR), ((), ZERO_DIM),
              ((0,), EMPTY),
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
                make = noncontig if kind == NONCONTIG else contig
                a = make(shape, dtype, rng, dom)
                for extra in op.extra_kwargs(dtype) if op.extra_kwargs else [{}]:
                    kw = dict(extra)
                    if dim is not None:
                        kw["dim"] = dim
                    if keepdim is not None and (dim is not None
                                                or (keepdim and op.keepdim_without_dim)):
                        kw["keepdim"] = keepdim
                    elif keepdim:
                        continue
                    if op.skip_sample is not None and op.skip_sample(shape, kw):
                        continue
                    out.append(SampleInput((a,), kw, kind=kind, desc=str(shape)))
    return out


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
        return [ErrorCase(SampleInput((contig((2, 3), "float32", rng),), {"dim": 5}), exc_dim,
                          (name, "5"), id="dim_range"),
                ErrorCase(SampleInput((contig((2, 3), "float32", rng),), {"dim": -3}), exc_dim,
                          (name, "-3"), id="dim_neg_range"),
                *extra]
    return cases


def _empty_reduce_errors(name, amax_style=True):
    rng = np.random.default_rng(0)
    out = [ErrorCase(SampleInput((contig((2, 0, 3), "float32", rng),), {"dim": 1}),
                     (IndexError, RuntimeError, ValueError), (name,), id="empty_dim")]
    if amax_style:
        out.append(ErrorCase(SampleInput((contig((0, 3), "float32", rng),), {}),
                             (IndexError, RuntimeError, ValueError), (name,), id="empty_all"))
    return out


_RED_TOL = dict(rtol={"float32": 2e-5, "float64": 1e-9}, atol={"float32": 2e-5, "float64": 1e-11})

add_op("sum", by_name("sum"), ALL, reduction_samples, numpy_fn=_np_0d(_np_sum),
       category="reduction", error_cases=_reduce_errors("sum"),
       extra_kwargs=lambda d: [{}, {"dtype": DT("float64")}] if d != "bool" else [{}], **_RED_TOL)
add_op("mean", by_name("mean"), FLOATING, reduction_samples, numpy_fn=_np_0d(_np_mean),
       category="reduction", error_cases=_reduce_errors("mean"), **_RED_TOL)
add_op("prod", by_name("prod"), ALL, reduction_samples, numpy_fn=_np_0d(_np_prod),
       category="reduction", dims_mode="single",
       domain=Domain(-1.5, 1.5), error_cases=_reduce_errors("prod"), **_RED_TOL)
add_op("amax", by_name("amax"), ALL, reduction_samples, numpy_fn=_np_0d(_np_amax),
       category="reduction", empty_ok=False,
       # ties: torch splits the gradient evenly among them (gradcheck draws tie-free values)
       domain=Domain(-3, 3, discrete=True), grad_domain=Domain(),
       error_cases=_reduce_errors("amax", extra=_empty_reduce_errors("amax")))
add_op("amin", by_name("amin"), ALL, reduction_samples, numpy_fn=_np_0d(_np_amin),
       category="reduction", empty_ok=False,
       # ties: torch splits the gradient evenly among them (gradcheck draws tie-free values)
       domain=Domain(-3, 3, discrete=True), grad_domain=Domain(),
       error_cases=_reduce_errors("amin", extra=_empty_reduce_errors("amin")))
add_op("max", by_name("max"), ALL, reduction_samples, category="reduction", empty_ok=False,
       dims_mode="single", domain=Domain(-3, 3, discrete=True), grad_domain=Domain(),
       error_cases=_reduce_errors("max", extra=_empty_reduce_errors("max")))
add_op("min", by_name("min"), ALL, reduction_samples, category="reduction", empty_ok=False,
       dims_mode="single", domain=Domain(-3, 3, discrete=True), grad_domain=Domain(),
       error_cases=_reduce_errors("min", extra=_empty_reduce_errors("min")))
add_op("argmax", by_name("argmax"), NUMERIC, reduction_samples, numpy_fn=_np_arg(np.argmax),
       category="reduction", empty_ok=False, dims_mode="single", supports_grad=False,
       domain=Domain(-3, 3, discrete=True),
       error_cases=_reduce_errors("argmax", extra=_empty_reduce_errors("argmax")))
add_op("argmin", by_name("argmin"), NUMERIC, reduction_samples, numpy_fn=_np_arg(np.argmin),
       category="reduction", empty_ok=False, dims_mode="single", supports_grad=False,
       domain=Domain(-3, 3, discrete=True),
       error_cases=_reduce_errors("argmin", extra=_empty_reduce_errors("argmin")))
for _n in ("amax", "amin", "argmax", "argmin"):
    OPS[[o.name for o in OPS].index(_n)].keepdim_without_dim = True
_VAR_KW = lambda d: [{}, {"unbiased": False}, {"correction": 0}, {"correction": 2}]  # noqa: E731


def _var_grad_ok(std):
    """var / std are not differentiable where the result is inf / NaN (correction >= the number of
    elements), nor std where it is 0 (a single element, correction 0: torch's gradient is NaN)."""
    def ok(args, kwargs):
        r = np.asarray(_np_0d(_np_var)(args[0], std=std, **kwargs))
        return bool(np.all(np.isfinite(r)) and (not std or np.all(r > 1e-3)))
    return ok


add_op("var", by_name("var"), FLOATING, reduction_samples, numpy_fn=_np_0d(_np_var),
       category="reduction", extra_kwargs=_VAR_KW, error_cases=_reduce_errors("var"),
       grad_ok=_var_grad_ok(False), **_RED_TOL)
add_op("std", by_name("std"), FLOATING, reduction_samples,
       numpy_fn=_np_0d(lambda x, **k: _np_var(x, std=True, **k)), category="reduction",
       extra_kwargs=_VAR_KW, error_cases=_reduce_errors("std"), grad_ok=_var_grad_ok(True),
       **_RED_TOL)
add_op("logsumexp", by_name("logsumexp"), ALL, reduction_samples, numpy_fn=_np_0d(_np_logsumexp),
       category="reduction", dims_mode="multi_required", error_cases=_reduce_errors("logsumexp"),
       rtol={"float32": 3e-5, "float64": 1e-9}, atol={"float32": 2e-5, "float64": 1e-11})
# all / any: torch reads dim=() as "no dims" (unlike sum's "all dims"): see
# test_all_any_empty_dim_tuple.
add_op("all", by_name("all"), ALL, reduction_samples, numpy_fn=_np_0d(_np_all),
       category="reduction", skip_sample=lambda shape, kw: kw.get("dim") == (), supports_grad=False,
       domain=Domain(-1, 1, discrete=True), error_cases=_reduce_errors("all"))
add_op("any", by_name("any"), ALL, reduction_samples, numpy_fn=_np_0d(_np_any),
       category="reduction", skip_sample=lambda shape, kw: kw.get("dim") == (), supports_grad=False,
       domain=Domain(-0.5, 0.5, discrete=True), error_cases=_reduce_errors("any"))
add_op("count_nonzero", by_name("count_nonzero"), ALL, reduction_samples,
       numpy_fn=_np_0d(lambda x, dim=None: np.count_nonzero(x, axis=_np_axis(dim))),
       category="reduction", has_keepdim=False, supports_grad=False,
       domain=Domain(-1, 1, discrete=True), error_cases=_reduce_errors("count_nonzero"))
add_op("norm", by_name("norm"), FLOATING, reduction_samples, numpy_fn=_np_0d(_np_norm),
       category="reduction",
       extra_kwargs=lambda d: [{}, {"p": 1}, {"p": 3}, {"p": math.inf}, {"p": -math.inf}, {"p": 0},
                               {"p": 2}],
       # torch's default p ('fro') is a matrix norm when given dims: 3 of them are an error there.
       skip_sample=lambda shape, kw: (
           ("p" not in kw and isinstance(kw.get("dim"), tuple) and len(kw["dim"]) > 2)
           or (kw.get("p") in (math.inf, -math.inf) and 0 in shape)),
       error_cases=_reduce_errors("norm", extra=[
           ErrorCase(SampleInput((contig((0, 3), "float32", np.random.default_rng(0)),),
                                 {"p": math.inf}),
                     (IndexError, RuntimeError, ValueError), ("norm",), id="inf_norm_empty")]),
       **_RED_TOL)


# ---------------------------------------------------------------------------------------------
# Scans along one dim (the table in scan.def)
# ---------------------------------------------------------------------------------------------
def scan_samples(op, dtype, rng):
    """The reduction samples with an int dim (0-d, empty, non-contiguous, a large one scanned
    along dim 0 and dim 1), plus, for floats, rows of NaN / +-inf / zeros along either dim."""
    out = reduction_samples(op, dtype, rng)
    if dtype in FLOATING:
        inf, nan = math.inf, math.nan
        sp = np.array([[0.0, -inf, 1.0, 2.0, 0.5], [-inf, -inf, -inf, -inf, -inf],
                       [inf, 0.0, 1.0, 2.0, inf], [nan, 0.0, 1.0, nan, 2.0],
                       [1e30, -1e30, 0.0, 1e30, 3.0], [2.0, 0.0, 0.0, 3.0, 0.5],
                       [-inf, 1.0, inf, -inf, inf]], dtype=NP_DTYPE[dtype])
        out += [SampleInput((Arg(sp),), {"dim": d}, kind=SPECIAL, desc="nan / inf / zero rows")
                for d in (-1, 0)]
    return out


def _np_scan(ufunc):
    """ufunc.accumulate along dim; floats run in float64 (as torch's CPU kernels, so float32
    products such as 1e30 * -1e30 * 0 are -0, not inf * 0)."""
    def f(x, dim, dtype=None):
        if x.ndim == 0:
            return f(x.reshape(1), 0, dtype).reshape(())
        if dtype is None and x.dtype.kind in "bi":
            dtype = np.int64
        x = x.astype(dtype or x.dtype)
        return ufunc.accumulate(x.astype(np.float64) if x.dtype.kind == "f" else x, axis=dim)
    return f


def _np_cum_extreme(is_max):
    """(values, indices) of the running max / min, by the rule PyTorch documents by example: a
    NaN is taken and kept, ties take the later index."""
    def f(x, dim):
        if x.ndim == 0:
            v, i = f(x.reshape(1), 0)
            return v.reshape(()), i.reshape(())
        xm = np.moveaxis(x, dim, -1)
        lines = xm.reshape(-1, xm.shape[-1]) if xm.size else np.zeros((0, xm.shape[-1]), x.dtype)
        vals, idx = np.empty_like(lines), np.zeros(lines.shape, np.int64)
        for r, line in enumerate(lines):
            best, at = None, 0
            for j, v in enumerate(line):
                if j == 0 or v != v or (best == best and (v >= best if is_max else v <= best)):
                    best, at = v, j
                vals[r, j], idx[r, j] = best, at
        back = lambda a: np.moveaxis(a.reshape(xm.shape), -1, dim)  # noqa: E731
        return back(vals), back(idx)
    return f


def _scan_dtype_kw(d):
    return [{}, {"dtype": DT("float64")}] if d != "bool" else [{}]


_SCAN = dict(category="reduction", dims_mode="int", has_keepdim=False)
add_op("cumsum", by_name("cumsum"), ALL, scan_samples, numpy_fn=_np_0d(_np_cumsum),
       extra_kwargs=_scan_dtype_kw, error_cases=_reduce_errors("cumsum", extra=[
           ErrorCase(SampleInput((contig((2, 3), "float32", np.random.default_rng(0)),),
                                 {"dim": 0, "dtype": DT("bool")}), TypeError, ("cumsum", "bool"),
                     id="bool_result")]),
       **_SCAN, **_RED_TOL)
# Values within [-1.5, 1.5]: the running products of the (257, 129) sample stay in range.
add_op("cumprod", by_name("cumprod"), ALL, scan_samples, numpy_fn=_np_scan(np.multiply),
       domain=Domain(-1.5, 1.5), extra_kwargs=_scan_dtype_kw,
       error_cases=_reduce_errors("cumprod", extra=[
           ErrorCase(SampleInput((contig((2, 3), "float32", np.random.default_rng(0)),),
                                 {"dim": 0, "dtype": DT("bool")}), TypeError, ("cumprod", "bool"),
                     id="bool_result")]),
       **_SCAN, **_RED_TOL)
add_op("logcumsumexp", by_name("logcumsumexp"), FLOATING, scan_samples,
       numpy_fn=_np_scan(np.logaddexp), error_cases=_reduce_errors("logcumsumexp"), **_SCAN,
       rtol={"float32": 3e-6, "float64": 1e-12}, atol={"float32": 1e-6, "float64": 1e-12})
# Discrete values give ties (the later index wins); gradcheck draws tie-free values.
for _name in ("cummax", "cummin"):
    add_op(_name, by_name(_name), ALL, scan_samples, numpy_fn=_np_cum_extreme(_name == "cummax"),
           domain=Domain(-3, 3, discrete=True), grad_domain=Domain(),
           error_cases=_reduce_errors(_name), **_SCAN)


# ---------------------------------------------------------------------------------------------
# softmax, log_softmax (normalizations along one dim)
# ---------------------------------------------------------------------------------------------
def softmax_samples(op, dtype, rng):
    """dim is required (an int); dtype= casts the input first (torch's semantics)."""
    c, n = contig, noncontig
    out = [SampleInput((c(shape, dtype, rng),), {"dim": d}, desc=str(shape))
           for shape, dims in [((5,), (0, -1)), ((3, 4), (0, 1, -1)), ((2, 3, 4), (0, 1, 2, -2)),
                               ((4, 1), (1,))]
           for d in dims]
    out.append(SampleInput((contig((3, 5), dtype, rng, Domain(-1000.0, 1000.0)),), {"dim": 1},
                           desc="large magnitudes (exp overflows without the max shift)"))
    out.append(SampleInput((c((65, 513), dtype, rng),), {"dim": -1}, desc="large"))
    out.append(SampleInput((c((65, 513), dtype, rng),), {"dim": 0}, desc="large, dim 0"))
    if dtype in FLOATING:
        other = "float64" if dtype == "float32" else "float32"
        out.append(SampleInput((c((3, 4), dtype, rng),), {"dim": 1, "dtype": DT(other)},
                               desc=f"dtype={other}"))
    out += [SampleInput((c((), dtype, rng),), {"dim": d}, kind=ZERO_DIM) for d in (0, -1)]
    out += [SampleInput((c(shape, dtype, rng),), {"dim": d}, kind=EMPTY, desc=str(shape))
            for shape, d in [((0,), 0), ((2, 0, 3), 1), ((2, 0, 3), 2), ((0, 4), -1)]]
    out += [SampleInput((n(shape, dtype, rng),), {"dim": d}, kind=NONCONTIG, desc=str(shape))
            for shape, d in [((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 1), ((2, 3, 4), -1), ((6,), 0),
                             ((65, 513), -1)]]
    if dtype in FLOATING:
        inf, nan = math.inf, math.nan
        sp = np.array([[0.0, -inf, 1.0, 2.0], [-inf, -inf, -inf, -inf], [inf, 0.0, 1.0, 2.0],
                       [nan, 0.0, 1.0, 2.0], [1e30, -1e30, 0.0, 1e30]], dtype=NP_DTYPE[dtype])
        out += [SampleInput((Arg(sp),), {"dim": d}, kind=SPECIAL, desc="-inf / inf / nan rows")
                for d in (-1, 0)]
    return out


def _np_softmax(log):
    def f(x, dim, dtype=None):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 0:
            return f(x.reshape(1), 0).reshape(())
        if x.size == 0:
            return x.copy()
        with np.errstate(all="ignore"):
            z = x - np.max(x, axis=dim, keepdims=True)
            s = np.sum(np.exp(z), axis=dim, keepdims=True)
            return z - np.log(s) if log else np.exp(z) / s
    return f


for _name in ("softmax", "log_softmax"):
    add_op(_name, by_name(_name), FLOATING, softmax_samples,
           numpy_fn=_np_softmax(_name == "log_softmax"), category="normalization",
           error_cases=_reduce_errors(_name),
           # float64 in, float32 inside (dtype=float32): too coarse for gradcheck's differences
           grad_ok=lambda args, kwargs: kwargs.get("dtype") in (None, np.float64),
           rtol={"float32": 2e-5, "float64": 1e-9}, atol={"float32": 2e-6, "float64": 1e-12})


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
        out.append(SampleInput((contig(s1, dtype, rng), contig(s2, dtype, rng)), kind=kind,
                               desc=f"{s1} {s2}"))
    return out


def matmul_samples(op, dtype, rng):
    out = _pairs([((3,), (3,), ZERO_DIM), ((2, 3), (3,), REGULAR), ((3,), (3, 4), REGULAR),
                  ((2, 3), (3, 4), REGULAR), ((5, 2, 3), (3, 4), REGULAR),
                  ((3,), (5, 3, 4), REGULAR), ((5, 2, 3), (5, 3, 4), REGULAR),
                  ((2, 1, 2, 3), (3, 3, 4), REGULAR), ((5, 2, 3), (3,), REGULAR),
                  ((1, 3), (3, 1), REGULAR), ((48, 70), (70, 33), REGULAR),
                  ((0, 3), (3, 4), EMPTY), ((2, 0), (0, 4), EMPTY), ((2, 3), (3, 0), EMPTY),
                  ((0, 2, 3), (3, 4), EMPTY), ((0,), (0,), EMPTY)], dtype, rng)
    out += [SampleInput((_tposed((2, 3), dtype, rng), contig((3, 4), dtype, rng)), kind=NONCONTIG,
                        desc="aT"),
            SampleInput((contig((2, 3), dtype, rng), _tposed((3, 4), dtype, rng)), kind=NONCONTIG,
                        desc="bT"),
            SampleInput((_tposed((48, 70), dtype, rng), _tposed((70, 33), dtype, rng)),
                        kind=NONCONTIG, desc="aT bT"),
            SampleInput((_tposed((5, 2, 3), dtype, rng), _tposed((5, 3, 4), dtype, rng)),
                        kind=NONCONTIG, desc="batched T"),
            SampleInput((_tposed((2, 1, 2, 3), dtype, rng), contig((3, 3, 4), dtype, rng)),
                        kind=NONCONTIG, desc="bcast T"),
            SampleInput((noncontig((2, 3), dtype, rng), noncontig((3,), dtype, rng)),
                        kind=NONCONTIG, desc="strided v"),
            SampleInput((Arg(make_array((2, 6, 3), dtype, rng), lambda t: t[:, ::2, :], "[:, ::2]"),
                         contig((3, 2), dtype, rng)), kind=NONCONTIG, desc="row step")]
    return out


def mm_samples(op, dtype, rng):
    out = _pairs([((2, 3), (3, 4), REGULAR), ((1, 1), (1, 1), REGULAR),
                  ((48, 70), (70, 33), REGULAR), ((0, 3), (3, 4), EMPTY), ((2, 0), (0, 4), EMPTY),
                  ((2, 3), (3, 0), EMPTY)], dtype, rng)
    out += [SampleInput((_tposed((2, 3), dtype, rng), contig((3, 4), dtype, rng)), kind=NONCONTIG,
                        desc="aT"),
            SampleInput((contig((2, 3), dtype, rng), _tposed((3, 4), dtype, rng)), kind=NONCONTIG,
                        desc="bT"),
            SampleInput((_tposed((48, 70), dtype, rng), _tposed((70, 33), dtype, rng)),
                        kind=NONCONTIG, desc="aT bT"),
            SampleInput((Arg(make_array((4, 6), dtype, rng), lambda t: t[:, ::2], "[:, ::2]"),
                         Arg(make_array((6, 4), dtype, rng), lambda t: t[::2, :], "[::2]")),
                        kind=NONCONTIG, desc="strided")]
    return out


def bmm_samples(op, dtype, rng):
    out = _pairs([((4, 2, 3), (4, 3, 5), REGULAR), ((1, 1, 1), (1, 1, 1), REGULAR),
                  ((3, 20, 30), (3, 30, 10), REGULAR),
                  ((0, 2, 3), (0, 3, 4), EMPTY), ((2, 0, 3), (2, 3, 4), EMPTY),
                  ((2, 2, 0), (2, 0, 4), EMPTY)], dtype, rng)
    out += [SampleInput((_tposed((4, 2, 3), dtype, rng), contig((4, 3, 5), dtype, rng)),
                        kind=NONCONTIG, desc="aT"),
            SampleInput((contig((4, 2, 3), dtype, rng), _tposed((4, 3, 5), dtype, rng)),
                        kind=NONCONTIG, desc="bT"),
            SampleInput((Arg(make_array((2, 4, 3), dtype, rng), lambda t: t.transpose(0, 1),
                             "transpose(0, 1)"),
                         contig((4, 3, 5), dtype, rng)), kind=NONCONTIG,
                        desc="batch dim transposed")]
    return out


def mv_samples(op, dtype, rng):
    out = _pairs([((3, 4), (4,), REGULAR), ((1, 1), (1,), REGULAR), ((50, 70), (70,), REGULAR),
                  ((0, 4), (4,), EMPTY), ((3, 0), (0,), EMPTY)], dtype, rng)
    out += [SampleInput((_tposed((3, 4), dtype, rng), contig((4,), dtype, rng)), kind=NONCONTIG,
                        desc="aT"),
            SampleInput((contig((3, 4), dtype, rng), noncontig((4,), dtype, rng)), kind=NONCONTIG,
                        desc="strided v")]
    return out


def dot_samples(op, dtype, rng):
    out = _pairs([((5,), (5,), REGULAR), ((1,), (1,), REGULAR), ((1000,), (1000,), REGULAR),
                  ((0,), (0,), EMPTY)], dtype, rng)
    out += [SampleInput((noncontig((5,), dtype, rng), noncontig((5,), dtype, rng)), kind=NONCONTIG)]
    return out


def outer_samples(op, dtype, rng):
    out = _pairs([((3,), (4,), REGULAR), ((1,), (1,), REGULAR), ((0,), (4,), EMPTY),
                  ((3,), (0,), EMPTY)], dtype, rng)
    out += [SampleInput((noncontig((3,), dtype, rng), noncontig((4,), dtype, rng)), kind=NONCONTIG)]
    return out


def _linalg_errors(name, cases):
    def f():
        rng = np.random.default_rng(0)
        return [ErrorCase(SampleInput((contig(s1, "float32", rng), contig(s2, "float32", rng))),
                          exc, (name,) + tuple(match), id=cid) for s1, s2, exc, match, cid in cases]
    return f


_LIN_TOL = dict(rtol={"float32": 1e-5, "float64": 1e-9}, atol={"float32": 1e-5, "float64": 1e-11})
add_op("matmul", by_name("matmul"), NUMERIC, matmul_samples, numpy_fn=np.matmul, category="linalg",
       **_LIN_TOL, error_cases=_linalg_errors("matmul", [
           ((2, 3), (4, 5), ValueError, ("(2, 3)", "(4, 5)"), "inner"),
           ((3,), (4,), ValueError, ("(3,)", "(4,)"), "vec"),
           ((2, 2, 3), (3, 3, 4), ValueError, ("(2, 2, 3)", "(3, 3, 4)"), "batch"),
           ((), (3,), ValueError, ("()", "(3,)"), "0d")]))
add_op("mm", by_name("mm"), NUMERIC, mm_samples, numpy_fn=np.matmul, category="linalg", **_LIN_TOL,
       error_cases=_linalg_errors("mm", [
           ((2, 3), (4, 5), ValueError, ("(2, 3)", "(4, 5)"), "inner"),
           ((2, 3), (3,), ValueError, ("(3,)",), "1d")]))
add_op("bmm", by_name("bmm"), NUMERIC, bmm_samples, numpy_fn=np.matmul, category="linalg",
       **_LIN_TOL, error_cases=_linalg_errors("bmm", [
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
add_op("outer", by_name("outer"), ALL, outer_samples, numpy_fn=np.outer, category="linalg",
       **_LIN_TOL,
       error_cases=_linalg_errors("outer", [((2, 3), (3,), ValueError, ("(2, 3)",), "2d")]))

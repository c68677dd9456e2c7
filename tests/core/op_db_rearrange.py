"""op_db rows: rearranging copies (tril / triu, flip, roll, repeat, tile, rot90,
repeat_interleave), diagonals (diagonal, diag, diag_embed, trace), distinct values and counting
(unique, unique_consecutive, bincount, histc, searchsorted, bucketize) and the composites of
ops/combine.cpp (kron, cross, diff, vander, take_along_dim).

Imported by op_db at its end (import op_db, not this module): it takes the core names from op_db
and registers its rows with op_db.add_op.
"""
from __future__ import annotations

import numpy as np

from op_db import (ALL, EMPTY, FLOATING, NONCONTIG, NP_DTYPE, NUMERIC, REGULAR, SPECIAL, ZERO_DIM,
                   Arg, ErrorCase, SampleInput, add_op, both, by_name, contig, make_array,
                   noncontig)
from op_db_shape import _errs, _shape_err, _shape_samples

_SHAPE = dict(category="shape")


# ---- triangles --------------------------------------------------------------------------------
def _tri_samples():
    return _shape_samples([
        ((3, 4), (), REGULAR), ((4, 3), (1,), REGULAR), ((2, 3, 4), (-1,), REGULAR),
        ((3, 3), (5,), REGULAR), ((3, 3), (-5,), REGULAR), ((2, 1, 5, 5), (2,), REGULAR),
        ((0, 3), (), EMPTY), ((2, 0, 0), (), EMPTY), ((3, 4), (), NONCONTIG),
        ((2, 3, 4), (1,), NONCONTIG)])


for _name, _np in (("tril", np.tril), ("triu", np.triu)):
    add_op(_name, by_name(_name), ALL, _tri_samples(), numpy_fn=_np, inplace=True,
           error_cases=_errs(_shape_err(_name, (3,), (), RuntimeError, ("(3,)",), "1d")), **_SHAPE)


# ---- diagonals --------------------------------------------------------------------------------
add_op("diagonal", by_name("diagonal"), ALL, _shape_samples([
    ((3, 4), (), REGULAR), ((3, 4), (1,), REGULAR), ((4, 3), (-2,), REGULAR),
    ((2, 3, 4), (0, 1, 2), REGULAR), ((2, 3, 4), (1, -1, 0), REGULAR), ((3, 3), (5,), REGULAR),
    ((0, 3), (), EMPTY), ((3, 4), (), NONCONTIG), ((2, 3, 4), (0, 0, 2), NONCONTIG)]),
    numpy_fn=lambda x, offset=0, dim1=0, dim2=1: np.diagonal(x, offset, dim1, dim2),
    check_strides=True,
    error_cases=_errs(_shape_err("diagonal", (3, 3), (0, 1, 1), RuntimeError, ("(3, 3)",), "same"),
                      _shape_err("diagonal", (3,), (), IndexError, ("1",), "1d")), **_SHAPE)
add_op("diag", by_name("diag"), ALL, _shape_samples([
    ((4,), (), REGULAR), ((4,), (1,), REGULAR), ((4,), (-2,), REGULAR), ((3, 4), (), REGULAR),
    ((3, 4), (2,), REGULAR), ((3, 4), (-1,), REGULAR), ((0,), (), EMPTY), ((0, 3), (), EMPTY),
    ((6,), (), NONCONTIG), ((3, 4), (1,), NONCONTIG)]),
    numpy_fn=lambda x, k=0: np.diag(x, k),
    error_cases=_errs(_shape_err("diag", (2, 2, 2), (), RuntimeError, ("(2, 2, 2)",), "3d")),
    **_SHAPE)


def _np_diag_embed(x, offset=0, dim1=-2, dim2=-1):
    n = x.shape[-1] + abs(offset)
    out = np.zeros(x.shape[:-1] + (n, n), x.dtype)
    idx = np.arange(x.shape[-1])
    rows, cols = (idx, idx + offset) if offset >= 0 else (idx - offset, idx)
    out[..., rows, cols] = x
    nd = out.ndim
    d1, d2 = dim1 % nd, dim2 % nd
    order = [d for d in range(nd - 2)]
    # place the two matrix dims (last two of out) at d1 and d2
    perm = [None] * nd
    perm[d1], perm[d2] = nd - 2, nd - 1
    rest = iter(order)
    perm = [p if p is not None else next(rest) for p in perm]
    return np.transpose(out, perm)


add_op("diag_embed", by_name("diag_embed"), ALL, _shape_samples([
    ((3,), (), REGULAR), ((2, 3), (1,), REGULAR), ((2, 3), (-1, 0, 2), REGULAR),
    ((2, 3), (0, 2, 0), REGULAR), ((0,), (), EMPTY), ((2, 0), (), EMPTY),
    ((3, 4), (), NONCONTIG), ((6,), (2,), NONCONTIG)]),
    numpy_fn=_np_diag_embed,
    error_cases=_errs(_shape_err("diag_embed", (2, 3), (0, 1, 1), RuntimeError, ("(2, 3)",),
                                 "same")), **_SHAPE)
add_op("trace", by_name("trace"), NUMERIC, _shape_samples([
    ((3, 3), (), REGULAR), ((3, 5), (), REGULAR), ((5, 2), (), REGULAR), ((0, 3), (), EMPTY),
    ((4, 4), (), NONCONTIG)]),
    numpy_fn=lambda x: np.trace(x),
    error_cases=_errs(_shape_err("trace", (2, 2, 2), (), RuntimeError, ("(2, 2, 2)",), "3d")),
    **_SHAPE)


# ---- flips, rotations, rolls ------------------------------------------------------------------
def _np_flip(x, dims):
    return x.copy() if x.ndim == 0 else np.flip(x, axis=tuple(dims)).copy()


add_op("flip", both(lambda L, x, dims: L.flip(x, dims), "flip"), ALL, _shape_samples([
    ((3, 4), ([0],), REGULAR), ((2, 3, 4), ([0, 2],), REGULAR), ((2, 3, 4), ([-1, 0, 1],), REGULAR),
    ((5,), ([0],), REGULAR), ((3, 4), ([],), REGULAR), ((), ([0],), ZERO_DIM),
    ((0, 3), ([1],), EMPTY), ((3, 4), ([0, 1],), NONCONTIG), ((2, 3, 4), ([1],), NONCONTIG),
    ((7,), ([0],), NONCONTIG)]),
    numpy_fn=_np_flip,
    error_cases=_errs(_shape_err("flip", (3, 4), ([0, 0],), RuntimeError, ("0",), "repeated"),
                      _shape_err("flip", (3, 4), ([2],), IndexError, ("2",), "dim_range")),
    **_SHAPE)
add_op("fliplr", by_name("fliplr"), ALL, _shape_samples([
    ((3, 4), (), REGULAR), ((2, 3, 4), (), REGULAR), ((0, 3), (), EMPTY), ((3, 4), (), NONCONTIG)]),
    numpy_fn=np.fliplr,
    error_cases=_errs(_shape_err("fliplr", (3,), (), RuntimeError, ("(3,)",), "1d")), **_SHAPE)
add_op("flipud", by_name("flipud"), ALL, _shape_samples([
    ((3, 4), (), REGULAR), ((5,), (), REGULAR), ((0, 3), (), EMPTY), ((3, 4), (), NONCONTIG)]),
    numpy_fn=np.flipud,
    error_cases=_errs(_shape_err("flipud", (), (), RuntimeError, ("()",), "0d")), **_SHAPE)
add_op("rot90", by_name("rot90"), ALL, _shape_samples([
    ((3, 4), (), REGULAR), ((3, 4), (2,), REGULAR), ((3, 4), (-1,), REGULAR),
    ((3, 4), (4,), REGULAR), ((2, 3, 4), (1, [1, 2]), REGULAR), ((2, 3, 4), (3, [2, 0]), REGULAR),
    ((0, 3), (1,), EMPTY), ((3, 4), (1,), NONCONTIG), ((2, 3, 4), (2, [0, 2]), NONCONTIG)]),
    numpy_fn=lambda x, k=1, dims=(0, 1): np.rot90(x, k, axes=tuple(dims)).copy(),
    error_cases=_errs(_shape_err("rot90", (3, 4), (1, [0, 0]), RuntimeError, ("(0, 0)",), "same"),
                      _shape_err("rot90", (3, 4), (1, [0]), RuntimeError, ("(0,)",), "one_dim")),
    **_SHAPE)


def _np_roll(x, shifts, dims=None):
    if x.ndim == 0:
        return x.copy()
    return np.roll(x, shifts, axis=dims)


add_op("roll", by_name("roll"), ALL, _shape_samples([
    ((5,), (2,), REGULAR), ((3, 4), (1,), REGULAR), ((3, 4), (-1, 0), REGULAR),
    ((3, 4), ((1, 2), (0, 1)), REGULAR), ((2, 3, 4), (7, -1), REGULAR), ((3, 4), (-13,), REGULAR),
    ((), (1,), ZERO_DIM), ((0, 3), (1, 0), EMPTY), ((3, 0), (2,), EMPTY),
    ((3, 4), ((1, -2), (0, 1)), NONCONTIG), ((3, 4), (5,), NONCONTIG)]),
    numpy_fn=_np_roll,
    error_cases=_errs(_shape_err("roll", (3, 4), ((1, 2), (0,)), RuntimeError, ("(1, 2)",), "align"),
                      _shape_err("roll", (3, 4), (1, 2), IndexError, ("2",), "dim_range")),
    **_SHAPE)


# ---- repeats ----------------------------------------------------------------------------------
add_op("repeat", both(lambda L, x, reps: x.repeat(*reps), "repeat"), ALL, _shape_samples([
    ((2, 3), ((2, 1),), REGULAR), ((2, 3), ((1, 2, 3),), REGULAR), ((3,), ((0,),), REGULAR),
    ((2, 3), ((3, 2),), REGULAR), ((), ((2, 3),), ZERO_DIM), ((), ((1,),), ZERO_DIM),
    ((0, 3), ((2, 2),), EMPTY), ((3, 4), ((2, 1),), NONCONTIG), ((5,), ((2, 2),), NONCONTIG)]),
    numpy_fn=lambda x, reps: np.tile(x, reps), method=False,
    error_cases=_errs(_shape_err("repeat", (2, 3), ((2,),), RuntimeError, ("(2, 3)",), "short"),
                      _shape_err("repeat", (2, 3), ((2, -1),), RuntimeError, ("-1",), "negative")),
    **_SHAPE)
add_op("tile", both(lambda L, x, dims: L.tile(x, dims), "tile"), ALL, _shape_samples([
    ((2, 3), ((2,),), REGULAR), ((2, 3), ((2, 2, 2),), REGULAR), ((2, 3), ((),), REGULAR),
    ((), ((3,),), ZERO_DIM), ((0, 2), ((2, 2),), EMPTY), ((3, 4), ((1, 2),), NONCONTIG)]),
    numpy_fn=lambda x, dims: np.tile(x, dims),
    error_cases=_errs(_shape_err("repeat", (2, 3), ((-1,),), RuntimeError, ("-1",), "negative")),
    **_SHAPE)


def _np_repeat_interleave(x, repeats, dim=None, output_size=None):
    return np.repeat(x, repeats, axis=dim)


add_op("repeat_interleave", by_name("repeat_interleave"), ALL, _shape_samples([
    ((5,), (2,), REGULAR), ((2, 3), (2,), REGULAR), ((2, 3), (2, 0), REGULAR),
    ((2, 3), (Arg(np.array([1, 0, 2])), 1), REGULAR), ((2, 3), (Arg(np.array([3])), -1), REGULAR),
    ((2, 3), (0, 1), REGULAR),
    ((), (3,), ZERO_DIM), ((0, 3), (2, 0), EMPTY), ((3, 4), (2, 1), NONCONTIG),
    ((3, 4), (Arg(np.array([2, 0, 1])), 0), NONCONTIG)]),
    numpy_fn=_np_repeat_interleave,
    error_cases=_errs(
        _shape_err("repeat_interleave", (2, 3), (Arg(np.array([1, 2])), 1), RuntimeError,
                   ("(2,)", "3"), "count_mismatch"),
        _shape_err("repeat_interleave", (2, 3), (-1, 0), RuntimeError, ("negative",), "negative")),
    **_SHAPE)


# ---- distinct values and counting ----------------------------------------------------------------
def _few_values(shape, dtype, rng, nc=False):
    """Values from a small set (many repeats), NaN among the floats' when asked."""
    a = rng.integers(-2, 3, size=shape).astype(NP_DTYPE[dtype])
    if dtype == "bool":
        a = a > 0
    if nc and len(shape) >= 2:
        return Arg(np.ascontiguousarray(a.swapaxes(0, -1)), lambda t: t.transpose(0, -1),
                   "transpose(0, -1)")
    if nc:
        b = np.repeat(a, 2, axis=-1)
        return Arg(b, lambda t: t[..., ::2], "[..., ::2]")
    return Arg(a)


def _unique_samples(op, dtype, rng):
    flags = [{}, {"return_inverse": True}, {"return_counts": True},
             {"return_inverse": True, "return_counts": True}]
    out = []
    for kw in flags:
        out += [SampleInput((_few_values((12,), dtype, rng),), dict(kw), desc="1-d"),
                SampleInput((_few_values((3, 4), dtype, rng),), dict(kw), desc="2-d"),
                SampleInput((_few_values((5, 3), dtype, rng),), {**kw, "dim": 0}, desc="rows"),
                SampleInput((_few_values((3, 6), dtype, rng),), {**kw, "dim": 1}, desc="columns"),
                SampleInput((_few_values((2, 3, 2), dtype, rng),), {**kw, "dim": -1}, desc="3-d"),
                SampleInput((_few_values((), dtype, rng),), dict(kw), kind=ZERO_DIM),
                SampleInput((_few_values((0, 3), dtype, rng),), dict(kw), kind=EMPTY),
                SampleInput((_few_values((4, 3), dtype, rng, nc=True),), dict(kw), kind=NONCONTIG),
                SampleInput((_few_values((4, 3), dtype, rng, nc=True),), {**kw, "dim": 0},
                            kind=NONCONTIG, desc="rows")]
    if dtype in FLOATING:
        special = np.array([np.nan, 1.0, -0.0, 0.0, np.inf, 1.0, -np.inf, np.inf], NP_DTYPE[dtype])
        out.append(SampleInput((Arg(special),), {"return_counts": True}, kind=SPECIAL))
    return out


add_op("unique", by_name("unique"), ALL, _unique_samples, supports_grad=False,
       error_cases=_errs(_shape_err("unique", (2, 3), (), IndexError, ("2",), "dim_range",
                                    kwargs={"dim": 2})), **_SHAPE)
add_op("unique_consecutive", by_name("unique_consecutive"), ALL, _unique_samples,
       supports_grad=False,
       error_cases=_errs(_shape_err("unique_consecutive", (2, 3), (), IndexError, ("2",),
                                    "dim_range", kwargs={"dim": 2})), **_SHAPE)


def _bincount_samples(op, dtype, rng):
    idx = rng.integers(0, 8, size=20).astype(NP_DTYPE[dtype])
    w = rng.uniform(-1, 1, size=20)
    return [SampleInput((Arg(idx),), desc="counts"),
            SampleInput((Arg(idx),), {"minlength": 12}, desc="minlength"),
            SampleInput((Arg(idx), Arg(w)), desc="float64 weights"),
            SampleInput((Arg(idx), Arg(w.astype(np.float32))), desc="float32 weights"),
            SampleInput((Arg(idx), Arg(rng.integers(0, 5, size=20))), desc="int weights"),
            SampleInput((Arg(np.zeros(0, NP_DTYPE[dtype])),), {"minlength": 3}, kind=EMPTY),
            SampleInput((Arg(np.repeat(idx, 2), lambda t: t[::2], "[::2]"),), kind=NONCONTIG)]


add_op("bincount", by_name("bincount"), {"int64"}, _bincount_samples, supports_grad=False,
       numpy_fn=lambda x, weights=None, minlength=0: np.bincount(x, weights, minlength),
       error_cases=lambda: [
           ErrorCase(SampleInput((Arg(np.array([1, -1])),)), RuntimeError, ("bincount", "negative"),
                     id="negative"),
           ErrorCase(SampleInput((Arg(np.array([[1, 2]])),)), RuntimeError, ("bincount", "(1, 2)"),
                     id="2d")],
       **_SHAPE)


def _histc_samples(op, dtype, rng):
    x = make_array((50,), dtype, rng)
    out = [SampleInput((Arg(x),), {"bins": 10}, desc="data range"),
           SampleInput((Arg(x),), {"bins": 4, "min": -1, "max": 2}, desc="given range"),
           SampleInput((contig((3, 7), dtype, rng),), {}, desc="2-d, 100 bins"),
           SampleInput((contig((), dtype, rng),), {"bins": 3}, kind=ZERO_DIM),
           SampleInput((Arg(np.zeros((0,), NP_DTYPE[dtype])),), {"bins": 5}, kind=EMPTY),
           SampleInput((noncontig((4, 6), dtype, rng),), {"bins": 6}, kind=NONCONTIG)]
    if dtype in FLOATING:  # NaN and infinities are not counted; the top edge is in the last bin
        special = np.array([0.0, 1.0, 2.0, 3.0, np.nan, np.inf, -np.inf, 3.0], NP_DTYPE[dtype])
        out.append(SampleInput((Arg(special),), {"bins": 3, "min": 0, "max": 3}, kind=SPECIAL))
    return out


add_op("histc", by_name("histc"), FLOATING, _histc_samples, supports_grad=False,
       error_cases=_errs(_shape_err("histc", (4,), (), RuntimeError, ("larger",), "min_max",
                                    kwargs={"min": 2, "max": 1})), **_SHAPE)


def _sorted_arg(shape, dtype, rng):
    return Arg(np.sort(make_array(shape, dtype, rng), axis=-1))


def _searchsorted_samples(op, dtype, rng):
    s, c = _sorted_arg, contig
    out = []
    for kw in ({}, {"right": True}, {"side": "right"}, {"out_int32": True}):
        out += [SampleInput((s((8,), dtype, rng), c((5,), dtype, rng)), dict(kw), desc="1-d"),
                SampleInput((s((8,), dtype, rng), c((2, 3), dtype, rng)), dict(kw), desc="shared"),
                SampleInput((s((2, 6), dtype, rng), c((2, 4), dtype, rng)), dict(kw), desc="rows"),
                SampleInput((s((6,), dtype, rng), c((), dtype, rng)), dict(kw), kind=ZERO_DIM),
                SampleInput((s((0,), dtype, rng), c((3,), dtype, rng)), dict(kw), kind=EMPTY),
                SampleInput((s((6,), dtype, rng), noncontig((3, 4), dtype, rng)), dict(kw),
                            kind=NONCONTIG)]
    unsorted = make_array((7,), dtype, rng)
    out.append(SampleInput((Arg(unsorted), c((4,), dtype, rng)),
                           {"sorter": Arg(np.argsort(unsorted, kind="stable"))}, desc="sorter"))
    return out


add_op("searchsorted", by_name("searchsorted"), NUMERIC, _searchsorted_samples,
       supports_grad=False, method=False,
       error_cases=_errs(_shape_err("searchsorted", (2, 3), (Arg(np.zeros((3, 1), np.float32)),),
                                    RuntimeError, ("(2, 3)", "(3, 1)"), "leading")), **_SHAPE)


def _bucketize_samples(op, dtype, rng):
    s, c = _sorted_arg, contig
    return [SampleInput((c((5,), dtype, rng), s((6,), dtype, rng))),
            SampleInput((c((2, 3), dtype, rng), s((6,), dtype, rng)), {"right": True}),
            SampleInput((c((), dtype, rng), s((6,), dtype, rng)), kind=ZERO_DIM),
            SampleInput((c((0, 2), dtype, rng), s((6,), dtype, rng)), kind=EMPTY),
            SampleInput((noncontig((3, 4), dtype, rng), s((6,), dtype, rng)), kind=NONCONTIG)]


add_op("bucketize", by_name("bucketize"), NUMERIC, _bucketize_samples, supports_grad=False,
       method=False,
       error_cases=_errs(_shape_err("bucketize", (3,), (Arg(np.zeros((2, 2), np.float32)),),
                                    RuntimeError, ("(2, 2)",), "2d_boundaries")), **_SHAPE)


# ---- composites -------------------------------------------------------------------------------
def _pair_samples(specs):
    """specs: (shape_a, shape_b, extra args, kind) -> samples of two tensors of the dtype."""
    def gen(op, dtype, rng):
        out = []
        for sa, sb, extra, kind in specs:
            make = noncontig if kind == NONCONTIG else contig
            out.append(SampleInput((make(sa, dtype, rng), contig(sb, dtype, rng)) + tuple(extra),
                                   kind=kind, desc=f"{sa} {sb}"))
        return out
    return gen


add_op("kron", by_name("kron"), ALL, _pair_samples([
    ((2, 3), (3, 2), (), REGULAR), ((3,), (2, 2), (), REGULAR), ((2, 1, 2), (2, 3), (), REGULAR),
    ((), (), (), ZERO_DIM), ((0, 2), (2, 2), (), EMPTY), ((4,), (2, 2), (), NONCONTIG)]),
    numpy_fn=np.kron, **_SHAPE)
add_op("cross", by_name("cross"), NUMERIC, _pair_samples([
    ((3,), (3,), (), REGULAR), ((4, 3), (4, 3), (1,), REGULAR), ((3, 5), (3, 5), (), REGULAR),
    ((2, 3), (1, 3), (-1,), REGULAR), ((0, 3), (0, 3), (1,), EMPTY),
    ((4, 3), (4, 3), (1,), NONCONTIG)]),
    numpy_fn=lambda a, b, dim=None: np.cross(a, b, axis=dim if dim is not None else
                                             [i for i, s in enumerate(a.shape) if s == 3][0]),
    error_cases=_errs(_shape_err("cross", (2, 4), (Arg(np.ones((2, 4), np.float32)), 1),
                                 RuntimeError, ("(2, 4)",), "not_3")), **_SHAPE)


def _diff_samples(op, dtype, rng):
    c = contig
    return [SampleInput((c((6,), dtype, rng),)),
            SampleInput((c((3, 5), dtype, rng), 2)),
            SampleInput((c((3, 5), dtype, rng), 1, 0)),
            SampleInput((c((3, 5), dtype, rng),), {"prepend": c((3, 2), dtype, rng),
                                                   "append": c((3, 1), dtype, rng)}),
            SampleInput((c((4,), dtype, rng), 6)),
            SampleInput((c((0, 3), dtype, rng), 1, 0), kind=EMPTY),
            SampleInput((noncontig((4, 5), dtype, rng), 1, 0), kind=NONCONTIG),
            SampleInput((noncontig((4, 5), dtype, rng), 2), kind=NONCONTIG)]


add_op("diff", by_name("diff"), ALL, _diff_samples,
       error_cases=_errs(_shape_err("diff", (), (), RuntimeError, ("()",), "0d")), **_SHAPE)
def _take_along_dim_samples(op, dtype, rng):
    c = contig

    def idx(shape, high):
        return Arg(rng.integers(0, high, size=shape))
    return [SampleInput((c((3, 4), dtype, rng), idx((3, 2), 4), 1)),
            SampleInput((c((3, 4), dtype, rng), idx((1, 4), 3), 0), desc="broadcast index"),
            SampleInput((c((3, 1), dtype, rng), idx((3, 5), 3), 0), desc="broadcast input"),
            SampleInput((c((3, 4), dtype, rng), idx((5,), 12)), desc="flat"),
            SampleInput((c((3, 4), dtype, rng), idx((3, 0), 4), 1), kind=EMPTY),
            SampleInput((noncontig((3, 4), dtype, rng), idx((3, 2), 4), 1), kind=NONCONTIG)]


add_op("take_along_dim", by_name("take_along_dim"), ALL, _take_along_dim_samples,
       numpy_fn=lambda x, i, dim=None: np.take_along_axis(x.ravel(), i, 0) if dim is None
       else np.take_along_axis(x, i, dim),
       error_cases=_errs(_shape_err("take_along_dim", (3, 4), (Arg(np.zeros((3,), np.int64)), 0),
                                    RuntimeError, ("(3, 4)", "(3,)"), "ndim")), **_SHAPE)

"""op_db rows: shape ops (views, joining, splitting) and indexing ops.

Imported by op_db at its end (import op_db, not this module): it takes the core names from op_db
and registers its rows with op_db.add_op.
"""
from __future__ import annotations

import numpy as np

import ember
from op_db import (ALL, Arg, EMPTY, ErrorCase, NONCONTIG, NP_DTYPE, OPS, REGULAR, SampleInput,
                   ZERO_DIM, _torch, add_op, both, by_name, contig, make_array, noncontig,
                   scalar_of)
from op_db_reduce import _RED_TOL


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
    ((6,), (1, 6, 1), REGULAR), ((1,), (), REGULAR), ((), (1,), ZERO_DIM), ((), (), ZERO_DIM),
    ((), (-1,), ZERO_DIM), ((0, 3), (3, 0), EMPTY), ((0, 3), (-1, 3), EMPTY), ((2, 0), (0,), EMPTY),
    ((3, 4), (12,), NONCONTIG), ((3, 4), (2, 6), NONCONTIG), ((2, 3, 4), (4, 6), NONCONTIG)],
    shape_arg=True),
    numpy_fn=lambda x, shape: np.reshape(x, shape), category="shape",
    error_cases=_errs(_shape_err("reshape", (2, 3), ((4,),), ValueError, ("(4,)", "(2, 3)"),
                                 "numel"),
                      _shape_err("reshape", (2, 3), ((-1, -1),), ValueError, ("-1",),
                                 "two_inferred"),
                      _shape_err("reshape", (2, 3), ((-1, 4),), ValueError, ("(2, 3)",),
                                 "infer_bad")))
add_op("view", both(lambda L, x, shape: x.view(shape), "view"), ALL, None,
    numpy_fn=lambda x, shape: np.reshape(x, shape), category="shape", check_strides=True,
    error_cases=_errs(_shape_err("view", (2, 3), ((4,),), ValueError, ("(4,)",), "numel")))


def _view_noncontig_error():
    rng = np.random.default_rng(0)
    return ErrorCase(SampleInput((noncontig((3, 4), "float32", rng), (12,))), RuntimeError,
                     ("view", "(12,)", "reshape"), id="noncontig")


_view_op = next(o for o in OPS if o.name == "view")
_vbase = _view_op.error_cases
_view_op.error_cases = lambda: _vbase() + [_view_noncontig_error()]


def _view_samples(op, dtype, rng):
    out = _shape_samples([((2, 3, 4), (6, 4), REGULAR), ((2, 3, 4), (-1,), REGULAR),
                          ((6,), (1, 6, 1), REGULAR), ((), (1,), ZERO_DIM), ((), (), ZERO_DIM),
                          ((1,), (), REGULAR), ((0, 3), (3, 0), EMPTY), ((0, 3), (0,), EMPTY)],
                         shape_arg=True)(op, dtype, rng)
    # Views of non-contiguous tensors that are still expressible as views.
    out.append(SampleInput((Arg(make_array((4, 6), dtype, rng), lambda t: t[:, ::2], "[:, ::2]"),
                            (4, 3, 1)),
                           kind=NONCONTIG, desc="unsqueeze-like view of strided"))
    out.append(SampleInput((Arg(make_array((2, 3, 4), dtype, rng), lambda t: t.transpose(0, 2),
                                "transpose(0, 2)"),
                            (4, 3, 2, 1)), kind=NONCONTIG, desc="add a unit dim to a transposed"))
    out.append(SampleInput((Arg(make_array((3, 8), dtype, rng), lambda t: t[:, ::2], "[:, ::2]"),
                            (3, 2, 2)),
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


def _np_squeeze(x, dim=None):
    if dim is None or not x.ndim:
        return np.squeeze(x, axis=None)
    dims = (dim,) if isinstance(dim, int) else dim
    return np.squeeze(x, axis=tuple(d for d in dims if x.shape[d] == 1))


add_op("transpose", by_name("transpose"), ALL, _shape_samples([
    ((2, 3), (0, 1), REGULAR), ((2, 3, 4), (0, 2), REGULAR), ((2, 3, 4), (-1, 1), REGULAR),
    ((2, 3), (1, 1), REGULAR), ((5,), (0, -1), REGULAR), ((), (0, -1), ZERO_DIM),
    ((0, 3), (0, 1), EMPTY), ((3, 4), (0, 1), NONCONTIG), ((2, 3, 4), (1, 2), NONCONTIG)]),
    numpy_fn=lambda x, a, b: np.swapaxes(x, a, b) if x.ndim else x.copy(), category="shape",
    check_strides=True,
    error_cases=_errs(_shape_err("transpose", (2, 3), (0, 2), IndexError, ("2",), "dim_range")))
add_op("permute", both(lambda L, x, dims: L.permute(x, dims), "permute"), ALL, _shape_samples([
    ((2, 3, 4), ((2, 0, 1),), REGULAR), ((2, 3, 4), ((-1, -3, -2),), REGULAR),
    ((2, 3), ((1, 0),), REGULAR), ((), ((),), ZERO_DIM), ((0, 3, 2), ((2, 0, 1),), EMPTY),
    ((2, 3, 4), ((1, 2, 0),), NONCONTIG)]),
    numpy_fn=lambda x, dims: np.transpose(x, dims), category="shape", check_strides=True,
    method=False,
    error_cases=_errs(_shape_err("permute", (2, 3, 4), ((0, 1),), ValueError, ("(2, 3, 4)",),
                                 "too_few"),
                      _shape_err("permute", (2, 3, 4), ((0, 1, 1),), ValueError, ("(0, 1, 1)",),
                                 "repeated"),
                      _shape_err("permute", (2, 3), ((0, 2),), IndexError, ("2",), "dim_range")))
add_op("expand", both(lambda L, x, size: x.expand(size), "expand"), ALL, _shape_samples([
    ((3, 1), (3, 4), REGULAR), ((1,), (2, 3, 5), REGULAR), ((3, 1), (2, -1, 4), REGULAR),
    ((2, 3), (2, 3), REGULAR), ((), (3, 2), ZERO_DIM), ((), (), ZERO_DIM), ((1, 3), (0, 3), EMPTY),
    ((0,), (2, 0), EMPTY), ((3, 1), (2, 3, 4), NONCONTIG), ((2, 3), (4, 2, 3), NONCONTIG)],
    shape_arg=True),
    numpy_fn=lambda x, size: _np_expand(x, *size), category="shape", check_strides=True,
    error_cases=_errs(_shape_err("expand", (2, 3), ((4, 3),), ValueError, ("(2, 3)", "(4, 3)"),
                                 "non_unit"),
                      _shape_err("expand", (2, 3), ((3,),), ValueError, ("(2, 3)", "(3,)"),
                                 "fewer_dims")))
add_op("squeeze", by_name("squeeze"), ALL, _shape_samples([
    ((1, 3, 1, 4), {}, REGULAR), ((1, 3, 1, 4), {"dim": 0}, REGULAR),
    ((1, 3, 1, 4), {"dim": -2}, REGULAR), ((1, 3, 1, 4), {"dim": 1}, REGULAR),
    ((1, 3, 1, 4), {"dim": (0, 2)}, REGULAR), ((1, 1), {}, REGULAR), ((), {}, ZERO_DIM),
    ((), {"dim": 0}, ZERO_DIM), ((1, 0, 1), {}, EMPTY), ((0, 1), {"dim": 1}, EMPTY),
    ((2, 1, 3), {}, NONCONTIG), ((3, 1, 2), {"dim": 1}, NONCONTIG)]),
    numpy_fn=_np_squeeze,
    category="shape", check_strides=True,
    error_cases=_errs(_shape_err("squeeze", (2, 3), (), IndexError, ("5",), "dim_range",
                                 kwargs={"dim": 5})))
add_op("unsqueeze", by_name("unsqueeze"), ALL, _shape_samples([
    ((2, 3), (0,), REGULAR), ((2, 3), (2,), REGULAR), ((2, 3), (-1,), REGULAR),
    ((2, 3), (-3,), REGULAR), ((), (0,), ZERO_DIM), ((), (-1,), ZERO_DIM), ((0, 3), (1,), EMPTY),
    ((3, 4), (1,), NONCONTIG), ((3, 4), (2,), NONCONTIG)]),
    numpy_fn=lambda x, d: np.expand_dims(x, d), category="shape", check_strides=True,
    error_cases=_errs(_shape_err("unsqueeze", (2, 3), (3,), IndexError, ("3",), "dim_range"),
                      _shape_err("unsqueeze", (2, 3), (-4,), IndexError, ("-4",), "dim_neg_range")))


def _np_flatten(x, start_dim=0, end_dim=-1):
    if x.ndim == 0:
        return x.reshape(1)
    s, e = start_dim % x.ndim, end_dim % x.ndim
    middle = -1 if x.size else int(np.prod(x.shape[s:e + 1]))
    return x.reshape(x.shape[:s] + (middle,) + x.shape[e + 1:])


add_op("flatten", by_name("flatten"), ALL, _shape_samples([
    ((2, 3, 4), {}, REGULAR), ((2, 3, 4), {"start_dim": 1}, REGULAR),
    ((2, 3, 4, 5), {"start_dim": 1, "end_dim": 2}, REGULAR), ((2, 3, 4), {"end_dim": -2}, REGULAR),
    ((5,), {}, REGULAR), ((2, 3), {"start_dim": 1, "end_dim": 1}, REGULAR), ((), {}, ZERO_DIM),
    ((2, 0, 3), {}, EMPTY), ((2, 0, 3), {"start_dim": 1}, EMPTY), ((3, 4), {}, NONCONTIG),
    ((2, 3, 4), {"start_dim": 1}, NONCONTIG), ((2, 3, 4), {"end_dim": 1}, NONCONTIG)]),
    numpy_fn=_np_flatten, category="shape",
    error_cases=_errs(_shape_err("flatten", (2, 3), (), IndexError, ("3",), "dim_range",
                                 kwargs={"start_dim": 3}),
                      _shape_err("flatten", (2, 3, 4), (), ValueError, ("flatten",),
                                 "start_after_end", kwargs={"start_dim": 2, "end_dim": 1})))


def _np_narrow(x, dim, start, length):
    idx = [slice(None)] * x.ndim
    start = start % x.shape[dim] if start < 0 else start
    idx[dim] = slice(start, start + length)
    return x[tuple(idx)]


add_op("narrow", by_name("narrow"), ALL, _shape_samples([
    ((5, 4), (0, 1, 3), REGULAR), ((5, 4), (1, 0, 2), REGULAR), ((5, 4), (-1, 2, 2), REGULAR),
    ((5, 4), (0, -2, 2), REGULAR), ((5, 4), (0, 5, 0), EMPTY), ((5, 4), (1, 0, 0), EMPTY),
    ((0, 3), (1, 1, 2), EMPTY), ((5, 4), (0, 1, 3), NONCONTIG), ((2, 3, 4), (2, 1, 2), NONCONTIG)]),
    numpy_fn=_np_narrow, category="shape", check_strides=True,
    error_cases=_errs(_shape_err("narrow", (5, 4), (0, 3, 3), (IndexError, ValueError), ("narrow",),
                                 "past_end"),
                      _shape_err("narrow", (5, 4), (2, 0, 1), IndexError, ("2",), "dim_range"),
                      _shape_err("narrow", (), (0, 0, 1), IndexError, ("narrow",), "0d")))
add_op("select", by_name("select"), ALL, _shape_samples([
    ((5, 4), (0, 2), REGULAR), ((5, 4), (1, -1), REGULAR), ((2, 3, 4), (-1, 0), REGULAR),
    ((5,), (0, 4), REGULAR), ((0, 3), (1, 2), EMPTY), ((5, 4), (0, 1), NONCONTIG),
    ((2, 3, 4), (1, -2), NONCONTIG)]),
    numpy_fn=lambda x, d, i: np.take(x, i, axis=d), category="shape", check_strides=True,
    error_cases=_errs(_shape_err("select", (5, 4), (0, 5), IndexError, ("5",), "index_range"),
                      _shape_err("select", (5, 4), (0, -6), IndexError, ("-6",), "index_neg_range"),
                      _shape_err("select", (5, 4), (2, 0), IndexError, ("2",), "dim_range"),
                      _shape_err("select", (), (0, 0), IndexError, ("select",), "0d")))


def _cat_samples(op, dtype, rng):
    c, n = contig, noncontig
    out = [
        SampleInput(([c((2, 3), dtype, rng), c((4, 3), dtype, rng)],), desc="dim 0"),
        SampleInput(([c((2, 3), dtype, rng), c((2, 1), dtype, rng), c((2, 5), dtype, rng)],),
                    {"dim": 1}, desc="dim 1"),
        SampleInput(([c((2, 3, 4), dtype, rng), c((2, 3, 2), dtype, rng)],), {"dim": -1},
                    desc="dim -1"),
        SampleInput(([c((5,), dtype, rng)],), desc="single"),
        SampleInput(([c((65, 513), dtype, rng), c((30, 513), dtype, rng)],), desc="large"),
        SampleInput(([c((2, 3), dtype, rng), c((0, 3), dtype, rng)],), kind=EMPTY,
                    desc="with empty"),
        SampleInput(([c((0, 3), dtype, rng), c((0, 3), dtype, rng)],), {"dim": 1}, kind=EMPTY,
                    desc="all empty"),
        SampleInput(([c((2, 3), dtype, rng), c((0,), dtype, rng)],), kind=EMPTY,
                    desc="legacy 1-d empty"),
        SampleInput(([n((3, 4), dtype, rng), c((2, 4), dtype, rng)],), kind=NONCONTIG),
        SampleInput(([n((3, 4), dtype, rng), n((3, 2), dtype, rng)],), {"dim": 1}, kind=NONCONTIG),
    ]
    return out


def _stack_samples(op, dtype, rng):
    c, n = contig, noncontig
    return [
        SampleInput(([c((2, 3), dtype, rng), c((2, 3), dtype, rng)],), desc="dim 0"),
        SampleInput(([c((2, 3), dtype, rng), c((2, 3), dtype, rng), c((2, 3), dtype, rng)],),
                    {"dim": 2}, desc="dim 2"),
        SampleInput(([c((2, 3), dtype, rng), c((2, 3), dtype, rng)],), {"dim": -1}, desc="dim -1"),
        SampleInput(([c((4,), dtype, rng)],), {"dim": 1}),
        SampleInput(([c((65, 129), dtype, rng) for _ in range(9)],), {"dim": 1}, desc="large"),
        SampleInput(([c((), dtype, rng), c((), dtype, rng)],), kind=ZERO_DIM),
        SampleInput(([c((0, 3), dtype, rng), c((0, 3), dtype, rng)],), {"dim": 1}, kind=EMPTY),
        SampleInput(([n((3, 4), dtype, rng), c((3, 4), dtype, rng)],), {"dim": 1}, kind=NONCONTIG),
    ]


def _list_err(name, shapes, exc, match, cid, kwargs=None, dtypes=None):
    def f():
        rng = np.random.default_rng(0)
        ds = dtypes or ["float32"] * len(shapes)
        return ErrorCase(SampleInput(([contig(s, d, rng) for s, d in zip(shapes, ds)],),
                                     kwargs or {}), exc,
                         (name,) + tuple(match), id=cid)
    return f


def _np_cat(ts, dim=0):
    # torch skips legacy 1-d empty tensors (shape (0,)) whatever the others' shapes
    return np.concatenate([t for t in ts if not (t.ndim == 1 and t.size == 0)] or ts, axis=dim)


add_op("cat", by_name("cat"), ALL, _cat_samples, numpy_fn=_np_cat,
       category="shape", method=False,
       error_cases=_errs(_list_err("cat", [(2, 3), (2, 4)], ValueError, ("(2, 3)", "(2, 4)"),
                                   "size_mismatch"),
                         _list_err("cat", [(2, 3), (2, 3, 1)], ValueError, ("cat",),
                                   "ndim_mismatch"),
                         _list_err("cat", [], ValueError, ("cat",), "empty_list"),
                         _list_err("cat", [(2, 3), (2, 3)], IndexError, ("2",), "dim_range",
                                   kwargs={"dim": 2}),
                         _list_err("cat", [(), ()], ValueError, ("cat",), "zero_dim")))
add_op("stack", by_name("stack"), ALL, _stack_samples,
       numpy_fn=lambda ts, dim=0: np.stack(ts, axis=dim), category="shape", method=False,
       error_cases=_errs(_list_err("stack", [(2, 3), (3, 2)], ValueError, ("(2, 3)", "(3, 2)"),
                                   "shape_mismatch"),
                         _list_err("stack", [], ValueError, ("stack",), "empty_list"),
                         _list_err("stack", [(2, 3), (2, 3)], IndexError, ("4",), "dim_range",
                                   kwargs={"dim": 4})))


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
    ((7, 3), (2,), REGULAR), ((7, 3), (7,), REGULAR), ((7, 3), (10,), REGULAR),
    ((3, 7), (3, 1), REGULAR), ((7, 3), ([2, 4, 1],), REGULAR), ((3, 7), ([0, 7], -1), REGULAR),
    ((0, 3), (2,), EMPTY), ((4, 3), ([0, 4],), EMPTY), ((7, 3), (3,), NONCONTIG),
    ((3, 7), ([3, 4], 1), NONCONTIG)]),
    numpy_fn=_np_split, category="shape", check_strides=True,
    error_cases=_errs(_shape_err("split", (7, 3), ([2, 4],), ValueError, ("(2, 4)", "7"),
                                 "sizes_sum"),
                      _shape_err("split", (7, 3), (0,), ValueError, ("split",), "zero_size"),
                      _shape_err("split", (7, 3), (2, 3), IndexError, ("3",), "dim_range")))
add_op("chunk", by_name("chunk"), ALL, _shape_samples([
    ((7, 3), (3,), REGULAR), ((6, 3), (3,), REGULAR), ((3, 7), (4, 1), REGULAR),
    ((2, 3), (5,), REGULAR), ((5,), (1,), REGULAR), ((0, 3), (2,), EMPTY),
    ((7, 3), (2,), NONCONTIG), ((3, 7), (3, -1), NONCONTIG)]),
    numpy_fn=_np_chunk, category="shape", check_strides=True,
    error_cases=_errs(_shape_err("chunk", (7, 3), (0,), ValueError, ("chunk",), "zero_chunks"),
                      _shape_err("chunk", (7, 3), (2, 2), IndexError, ("2",), "dim_range")))


# ---------------------------------------------------------------------------------------------
# Indexing ops
# ---------------------------------------------------------------------------------------------
def _index(shape, high, rng, nc=False):
    if high > 0:
        a = rng.integers(0, max(high, 1), size=shape, dtype=np.int64)
    else:
        a = np.zeros(shape, np.int64)
    if nc and len(shape) >= 2:
        return Arg(np.ascontiguousarray(a.swapaxes(0, -1)), lambda t: t.transpose(0, -1),
                   "transpose(0, -1)")
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
        SampleInput((c((4, 5), dtype, rng), 1, _index((4, 3), 5, rng, nc=True)), kind=NONCONTIG,
                    desc="index T"),
    ]


def _np_gather(x, dim, index):
    if x.ndim == 0:
        return x.copy()
    # torch allows index.size(d) <= input.size(d) for d != dim: only that corner of input is read.
    corner = tuple(slice(None) if d == dim % x.ndim else slice(0, index.shape[d])
                   for d in range(x.ndim))
    return np.take_along_axis(x[corner], index, axis=dim)


def _unique_index(shape, high, dim, rng, nc=False):
    """Scatter indices with no repeats along dim (so the result does not depend on write order)."""
    shape = tuple(shape)
    moved = np.moveaxis(np.zeros(shape), dim, -1)
    flat = moved.reshape(-1, shape[dim])
    rows = [rng.permutation(high)[: shape[dim]] for _ in range(flat.shape[0])]
    if rows:
        a = np.array(rows, dtype=np.int64).reshape(moved.shape)
    else:
        a = np.zeros(moved.shape, np.int64)
    a = np.ascontiguousarray(np.moveaxis(a, -1, dim))
    if nc and a.ndim >= 2:
        return Arg(np.ascontiguousarray(a.swapaxes(0, -1)), lambda t: t.transpose(0, -1),
                   "transpose(0, -1)")
    return Arg(a)


def _scatter_samples(op, dtype, rng):
    c = contig
    add = op.name == "scatter_add"
    idx = (lambda s, h, d, nc=False: _index(s, h, rng, nc)) if add else \
          (lambda s, h, d, nc=False: _unique_index(s, h, d, rng, nc))
    out = [
        SampleInput((c((3, 5), dtype, rng), 1, idx((3, 2), 5, 1), c((3, 2), dtype, rng)),
                    desc="dim 1"),
        SampleInput((c((3, 5), dtype, rng), 0, idx((2, 5), 3, 0), c((2, 5), dtype, rng)),
                    desc="dim 0"),
        SampleInput((c((3, 5), dtype, rng), 0, idx((2, 3), 3, 0), c((4, 6), dtype, rng)),
                    desc="src bigger"),
        SampleInput((c((2, 3, 4), dtype, rng), -1, idx((2, 3, 2), 4, 2), c((2, 3, 2), dtype, rng)),
                    desc="dim -1"),
        SampleInput((c((), dtype, rng), 0, _index((), 1, rng), c((), dtype, rng)), kind=ZERO_DIM),
        SampleInput((c((3, 4), dtype, rng), 1, _index((3, 0), 4, rng), c((3, 0), dtype, rng)),
                    kind=EMPTY),
        SampleInput((noncontig((3, 5), dtype, rng), 1, idx((3, 2), 5, 1), c((3, 2), dtype, rng)),
                    kind=NONCONTIG),
        SampleInput((c((4, 5), dtype, rng), 1, idx((4, 3), 5, 1, True),
                     noncontig((4, 3), dtype, rng)), kind=NONCONTIG,
                    desc="index, src T"),
    ]
    if add:
        out.append(SampleInput((c((3, 4), dtype, rng), 1, Arg(np.zeros((3, 6), np.int64)),
                                c((3, 6), dtype, rng)),
                               desc="all to one"))
    else:
        out.append(SampleInput((c((3, 5), dtype, rng), 1, idx((3, 2), 5, 1), scalar_of(dtype, rng)),
                               desc="scalar src"))
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
            ErrorCase(SampleInput((x, 1, Arg(np.array([[0, 4]])), contig((1, 2), "float32", rng))),
                      IndexError, (name, "4"), id="index_range"),
            ErrorCase(SampleInput((x, 1, Arg(np.array([[0, 1]], dtype=np.float32)),
                                   contig((1, 2), "float32", rng))),
                      TypeError, (name,), id="float_index"),
            ErrorCase(SampleInput((x, 1, Arg(np.array([[0]])), contig((1, 2), "float64", rng))),
                      TypeError, (name,), id="src_dtype"),
            ErrorCase(SampleInput((x, 2, Arg(np.array([[0]])), contig((1, 1), "float32", rng))),
                      IndexError, (name, "2"), id="dim_range"),
        ]
    return f


add_op("gather", by_name("gather"), ALL, _gather_samples, numpy_fn=_np_gather, category="index",
       error_cases=lambda: [
           ErrorCase(SampleInput((contig((3, 4), "float32", np.random.default_rng(0)), 1,
                                  Arg(np.array([[0, 4]])))),
                     IndexError, ("gather", "4"), id="index_range"),
           ErrorCase(SampleInput((contig((3, 4), "float32", np.random.default_rng(0)), 1,
                                  Arg(np.array([0, 1])))),
                     ValueError, ("gather",), id="ndim_mismatch"),
           ErrorCase(SampleInput((contig((3, 4), "float32", np.random.default_rng(0)), 1,
                                  Arg(np.array([[0, 1]], dtype=np.float32)))), TypeError,
                     ("gather",), id="float_index"),
       ])
def _src_like_index(args, kwargs) -> bool:
    """torch has no gradient for a scatter src bigger than the index (its backward returns an
    index-shaped gradient and the engine rejects it): such samples stay out of gradcheck."""
    return np.ndim(args[3]) == 0 or np.shape(args[3]) == np.shape(args[2])


add_op("scatter", by_name("scatter"), ALL, _scatter_samples, numpy_fn=_np_scatter, category="index",
       error_cases=_scatter_errors("scatter"), grad_ok=_src_like_index)
add_op("scatter_add", by_name("scatter_add"), ALL, _scatter_samples,
       numpy_fn=lambda x, d, i, s: _np_scatter(x, d, i, s, add=True), category="index",
       error_cases=_scatter_errors("scatter_add"), grad_ok=_src_like_index, **_RED_TOL)


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
        SampleInput((c((5, 3), dtype, rng), 0,
                     Arg(np.array([4, 9, 0, 9, 3, 9]), lambda t: t[::2], "[::2]")),
                    kind=NONCONTIG, desc="strided index"),
    ]


def _np_index_select(x, dim, index):
    if x.ndim == 0:
        return x.reshape(()).copy()
    return np.take(x, np.atleast_1d(index), axis=dim)


add_op("index_select", by_name("index_select"), ALL, _index_select_samples,
       numpy_fn=_np_index_select, category="index",
       error_cases=lambda: [
           ErrorCase(SampleInput((contig((5, 3), "float32", np.random.default_rng(0)), 0,
                                  Arg(np.array([5])))),
                     IndexError, ("index_select", "5"), id="index_range"),
           ErrorCase(SampleInput((contig((5, 3), "float32", np.random.default_rng(0)), 0,
                                  Arg(np.array([[0]])))),
                     (ValueError, IndexError), ("index_select",), id="2d_index"),
           ErrorCase(SampleInput((contig((5, 3), "float32", np.random.default_rng(0)), 0,
                                  Arg(np.array([0.0])))),
                     TypeError, ("index_select",), id="float_index"),
           ErrorCase(SampleInput((contig((5, 3), "float32", np.random.default_rng(0)), 2,
                                  Arg(np.array([0])))),
                     IndexError, ("index_select", "2"), id="dim_range"),
       ])


def _masked_fill_samples(op, dtype, rng):
    c = contig
    v = scalar_of(dtype, rng)
    return [
        SampleInput((c((3, 4), dtype, rng), c((3, 4), "bool", rng), v), desc="same shape"),
        SampleInput((c((2, 3, 4), dtype, rng), c((3, 1), "bool", rng), v), desc="broadcast mask"),
        SampleInput((c((3, 4), dtype, rng), c((3, 4), "bool", rng),
                     Arg(np.array(v, NP_DTYPE[dtype]))),
                    desc="0-d tensor value"),
        SampleInput((c((3, 4), dtype, rng), c((3, 4), "bool", rng),
                     1.0 if dtype != "bool" else True), desc="float value"),
        SampleInput((c((65, 513), dtype, rng), c((513,), "bool", rng), v), desc="large"),
        SampleInput((c((), dtype, rng), c((), "bool", rng), v), kind=ZERO_DIM),
        SampleInput((c((0, 4), dtype, rng), c((4,), "bool", rng), v), kind=EMPTY),
        SampleInput((noncontig((3, 4), dtype, rng), noncontig((3, 4), "bool", rng), v),
                    kind=NONCONTIG),
    ]


def _np_masked_fill(x, mask, value):
    return np.where(mask, np.asarray(value).astype(x.dtype), x)


add_op("masked_fill", by_name("masked_fill"), ALL, _masked_fill_samples, numpy_fn=_np_masked_fill,
       category="index", error_cases=lambda: [
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
        SampleInput((A([[0, 1, 2], [2, 1, 0]], lambda t: t.transpose(0, 1), "transpose(0, 1)"),),
                    kind=NONCONTIG),
    ]


def _np_one_hot(x, num_classes=-1):
    n = int(x.max()) + 1 if num_classes < 0 else num_classes
    return np.eye(n, dtype=np.int64)[x]


add_op("one_hot", (_ember_one_hot, _torch_one_hot), {"int64"}, _one_hot_samples,
       numpy_fn=_np_one_hot, category="index", method=False,
       error_cases=lambda: [
           ErrorCase(SampleInput((Arg(np.array([0, 3])), 3)), RuntimeError, ("one_hot",),
                     id="class_too_big"),
           ErrorCase(SampleInput((Arg(np.array([-1, 0])), 3)), RuntimeError, ("one_hot",),
                     id="negative"),
           ErrorCase(SampleInput((Arg(np.zeros((0,), np.int64)),)), RuntimeError,
                     ("one_hot", "empty"), id="empty_infer"),
       ])

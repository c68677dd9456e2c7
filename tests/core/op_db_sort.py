"""op_db rows: sorting and selection along one dim (sort, argsort, topk).

Imported by op_db at its end (import op_db, not this module): it takes the core names from op_db
and registers its rows with op_db.add_op.

Ties: torch leaves the order of equal values open unless ``stable=True`` (and topk never fixes
it), while ember's order is always stable. The sort rows therefore pass ``stable=True`` (the int64
and bool samples are full of ties), and the topk row compares, besides the values, the input
gathered at the indices, which is the same whichever of several equal values an index points
at. tests/core/test_sort_topk.py compares topk's indices themselves on tie-free inputs.
"""
from __future__ import annotations

import math

import numpy as np

from op_db import (ALL, EMPTY, FLOATING, NONCONTIG, NP_DTYPE, NUMERIC, REGULAR, SPECIAL, ZERO_DIM,
                   Arg, ErrorCase, SampleInput, add_op, both, contig, noncontig)
from op_db_reduce import reduction_samples


def _special(dtype):
    """Rows of NaN, +-inf, +-0 and repeated values (along either dim)."""
    inf, nan = math.inf, math.nan
    return np.array([[0.0, -inf, 1.0, 2.0, 0.5], [-inf, -inf, -inf, -inf, -inf],
                     [inf, 0.0, 1.0, 2.0, inf], [nan, 0.0, 1.0, nan, 2.0],
                     [1e30, -1e30, -0.0, 1e30, 0.0], [nan, nan, nan, nan, nan],
                     [-inf, 1.0, inf, nan, -0.0]], dtype=NP_DTYPE[dtype])


def sort_samples(op, dtype, rng):
    """The reduction layouts with an int dim (0-d, empty, non-contiguous, a (257, 129) one along
    either dim), ascending and descending, plus NaN / inf / -0 rows for floats."""
    out = reduction_samples(op, dtype, rng)
    if dtype in FLOATING:
        for d in (-1, 0):
            for kw in op.extra_kwargs(dtype):
                out.append(SampleInput((Arg(_special(dtype)),), {"dim": d, **kw}, kind=SPECIAL,
                                       desc="nan / inf / -0 rows"))
    return out


def _sort_kwargs(dtype):
    return [{"stable": True}, {"stable": True, "descending": True}]


def _dim_errors(name, args=(), extra=()):
    def cases():
        rng = np.random.default_rng(0)
        a = contig((2, 3), "float32", rng)
        return [ErrorCase(SampleInput((a, *args), {"dim": 2}), IndexError, (name, "2"),
                          id="dim_range"),
                ErrorCase(SampleInput((a, *args), {"dim": -3}), IndexError, (name, "-3"),
                          id="dim_neg_range"),
                *[e(rng) for e in extra]]
    return cases


_SORT = dict(category="reduction", dims_mode="int", has_keepdim=False, extra_kwargs=_sort_kwargs)
add_op("sort", both(lambda L, x, **kw: L.sort(x, **kw), "sort"), ALL, sort_samples,
       error_cases=_dim_errors("sort"), **_SORT)
add_op("argsort", both(lambda L, x, **kw: L.argsort(x, **kw), "argsort"), ALL, sort_samples,
       supports_grad=False, error_cases=_dim_errors("argsort"), **_SORT)


# ---- topk --------------------------------------------------------------------------------------
def topk_samples(op, dtype, rng):
    """k = 0, 1, about half and all of the dim, largest and smallest, over the usual layouts."""
    out = []
    layouts = [((5,), REGULAR, (0, -1)), ((3, 4), REGULAR, (0, 1)), ((2, 3, 4), REGULAR, (1, -1)),
               ((3, 4), NONCONTIG, (0, 1)), ((2, 3, 4), NONCONTIG, (0, 2)), ((6,), NONCONTIG, (0,)),
               ((0,), EMPTY, (0,)), ((2, 0, 3), EMPTY, (1, 2)), ((0, 4), EMPTY, (1,))]
    for shape, kind, dims in layouts:
        make = noncontig if kind == NONCONTIG else contig
        for d in dims:
            n = shape[d]
            for k in sorted({0, 1, n // 2, n} & set(range(n + 1))):
                for largest in (True, False):
                    out.append(SampleInput((make(shape, dtype, rng, op.domain), k),
                                           {"dim": d, "largest": largest}, kind=kind,
                                           desc=str(shape)))
    for d in (0, 1):  # long lines, k small (the scanning kernel) and large (nth_element)
        big = noncontig if d == 0 else contig
        for k in (5, 60):
            out.append(SampleInput((big((257, 129), dtype, rng, op.domain), k), {"dim": d},
                                   kind=NONCONTIG if d == 0 else REGULAR, desc="(257, 129)"))
    out += [SampleInput((contig((), dtype, rng, op.domain), k), {}, kind=ZERO_DIM, desc="()")
            for k in (0, 1)]
    if dtype in FLOATING:  # no ties along a row or a column: torch's pick among them is open
        inf, nan = math.inf, math.nan
        sp = np.array([[nan, 1.0, -inf, 2.0, -0.0], [inf, nan, 0.5, -1.0, 3.0],
                       [-2.0, inf, nan, 1e30, -1e30], [1e-30, -3.0, 4.0, nan, inf]],
                      dtype=NP_DTYPE[dtype])
        out += [SampleInput((Arg(sp), k), {"dim": d, "largest": lg}, kind=SPECIAL,
                            desc="nan / inf / -0, no ties")
                for d, k in ((-1, 3), (0, 2)) for lg in (True, False)]
    return out


def _topk_picked(L, x, k, **kw):
    """topk's values, and x at its indices (equal whichever of equal values they name)."""
    values, indices = L.topk(x, k, **kw)
    dim = kw.get("dim", -1)
    return values, (x.gather(dim, indices) if x.dim() else x)


def _topk_error(k, shape=(2, 3), dim=-1, match=("topk", "selected index k out of range")):
    def case(rng):
        return ErrorCase(SampleInput((contig(shape, "float32", rng), k), {"dim": dim}),
                         RuntimeError, match, id=f"k={k}")
    return case


add_op("topk", both(_topk_picked, "topk"), NUMERIC, topk_samples, category="reduction",
       method=False,  # the method is checked in test_sort_topk.py, indices included
       error_cases=_dim_errors("topk", args=(1,), extra=[_topk_error(4), _topk_error(-1)]))

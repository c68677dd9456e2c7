"""The scatter family beyond scatter/scatter_add: scatter_reduce (sum, prod, mean, amax, amin, with and
without include_self) and its in-place form, the view scatters (select_scatter, slice_scatter,
diagonal_scatter) and masked_scatter; values, dtypes and gradients against torch, float64 gradcheck,
bad inputs with torch's exception types (under ember's documented mapping).
"""
import numpy as np
import pytest

import ember
from op_db import assert_same, weighted_grads as grads

REDUCES = ["sum", "prod", "mean", "amax", "amin"]


def both(a):
    """The same values as an ember and a torch tensor."""
    import torch

    return ember.tensor(a), torch.from_numpy(np.array(a, copy=True))


def gradchecks(fn, *inputs):
    leaves = [x.detach().clone().requires_grad_(True) for x in inputs]
    assert ember.autograd.gradcheck(fn, leaves)
    assert ember.autograd.gradgradcheck(fn, leaves)


# ---- scatter_reduce ------------------------------------------------------------------------------
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "float16", "bfloat16"])
def test_scatter_reduce_values_match_torch(reduce, include_self, dtype, torch):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, (4, 5)).astype(np.float64)
    src = rng.integers(0, 5, (3, 5)).astype(np.float64)
    index = rng.integers(0, 4, (3, 5))
    for dim, idx in [(0, index), (1, index[:, :4] % 5)]:
        ex, tx = both(x)
        es, ts = both(src)
        td = getattr(torch, dtype)
        got = ember.scatter_reduce(ex.to(getattr(ember, dtype)), dim, ember.tensor(idx), es.to(getattr(ember, dtype)),
                                   reduce, include_self=include_self)
        want = torch.scatter_reduce(tx.to(td), dim, torch.from_numpy(idx), ts.to(td), reduce,
                                    include_self=include_self)
        assert str(got.dtype) == str(want.dtype).replace("torch", "ember")
        if dtype == "bfloat16":  # NumPy has no bfloat16: compared as float32, exactly (the same rounding)
            got, want = got.float(), want.float()
        assert_same(got, want)


def test_scatter_reduce_nan_wins_and_negative_integer_mean(torch):
    x, idx = [1.0, 2.0, 3.0], [0, 1, 1]
    for reduce in ("amax", "amin"):
        assert_same(ember.tensor(x).scatter_reduce(0, ember.tensor(idx), ember.tensor([float("nan"), 1.0, 5.0]), reduce),
                    torch.tensor(x).scatter_reduce(0, torch.tensor(idx), torch.tensor([float("nan"), 1.0, 5.0]), reduce))
    got = ember.tensor([-5, 7, 9]).scatter_reduce(0, ember.tensor([0, 0, 1]), ember.tensor([2, 2, 4]), "mean")
    assert got.tolist() == [-1, 5, 9]  # -1/3 rounded down, as torch


def test_scatter_reduce_in_place_and_method(torch):
    x = ember.zeros(3)
    r = x.scatter_reduce_(0, ember.tensor([2, 2, 0]), ember.tensor([1.0, 2.0, 3.0]), "prod", include_self=False)
    assert r is x
    assert x.tolist() == [3.0, 0.0, 2.0]
    y = ember.ones(2, 3)
    assert_same(y.scatter_reduce(1, ember.tensor([[0, 0]]), ember.tensor([[4.0, 5.0]]), "amax"),
                torch.ones(2, 3).scatter_reduce(1, torch.tensor([[0, 0]]), torch.tensor([[4.0, 5.0]]), "amax"))


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCES)
def test_scatter_reduce_gradients_match_torch(reduce, include_self, torch):
    rng = np.random.default_rng(1)
    x = rng.uniform(0.5, 2.0, (4, 3))
    src = rng.uniform(0.5, 2.0, (5, 3))
    if reduce == "prod":  # a zero in self, one alone in its group of src, and two in one group
        x[0, 0] = 0.0
        src[1, 1] = 0.0
    index = rng.integers(0, 4, (5, 3))
    (ex, tx), (es, ts) = both(x), both(src)
    ei, ti = ember.tensor(index), torch.from_numpy(index)
    eo, eg = grads(lambda a, b: a.scatter_reduce(0, ei, b, reduce, include_self=include_self), ex, es)
    to, tg = grads(lambda a, b: a.scatter_reduce(0, ti, b, reduce, include_self=include_self), tx, ts)
    assert_same(eo, to, 1e-12, 1e-12)
    assert_same(eg, tg, 1e-10, 1e-12, "grads")


@pytest.mark.parametrize("reduce", REDUCES)
def test_scatter_reduce_src_larger_than_index(reduce, torch):
    # Only src's corner of index's shape is read; its gradient is zero elsewhere (torch has none).
    rng = np.random.default_rng(9)
    x, src, index = rng.uniform(0.5, 2.0, (4, 3)), rng.uniform(0.5, 2.0, (5, 4)), rng.integers(0, 4, (3, 2))
    got = ember.tensor(x).scatter_reduce(0, ember.tensor(index), ember.tensor(src), reduce)
    assert_same(got, torch.tensor(x).scatter_reduce(0, torch.from_numpy(index), torch.tensor(src), reduce), 1e-12)
    _, (_, g_src) = grads(lambda a, b: a.scatter_reduce(0, ember.tensor(index), b, reduce), ember.tensor(x),
                          ember.tensor(src))
    _, (_, t_src) = grads(lambda a, b: a.scatter_reduce(0, torch.from_numpy(index), b, reduce), torch.tensor(x),
                          torch.tensor(src[:3, :2].copy()))
    assert_same(g_src[:3, :2], t_src, 1e-12, 1e-12)
    assert g_src.abs().sum().item() == pytest.approx(g_src[:3, :2].abs().sum().item())


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCES)
def test_scatter_reduce_gradcheck(reduce, include_self):
    rng = np.random.default_rng(2)
    x = ember.tensor(rng.uniform(0.5, 2.0, (3, 4)))
    src = ember.tensor(rng.uniform(0.5, 2.0, (3, 3)))
    index = ember.tensor(rng.integers(0, 4, (3, 3)))
    gradchecks(lambda a, b: ember.scatter_reduce(a, 1, index, b, reduce, include_self=include_self), x, src)


def test_scatter_reduce_bad_inputs(torch):
    x, i, s = ember.zeros(3, 4), ember.tensor([[0, 1, 0]]), ember.ones(1, 3)
    with pytest.raises(ValueError, match="scatter_reduce: reduce argument must be either sum, prod, mean, amax or "
                                           "amin, got foo"):
        x.scatter_reduce(1, i, s, "foo")
    with pytest.raises(RuntimeError, match="reduce argument"):
        torch.zeros(3, 4).scatter_reduce(1, torch.tensor([[0, 1, 0]]), torch.ones(1, 3), "foo")
    with pytest.raises(IndexError, match=r"scatter_reduce: index 9 is out of bounds for dim 1 with size 4"):
        x.scatter_reduce(1, ember.tensor([[0, 9]]), s, "sum")
    with pytest.raises(IndexError, match="scatter_reduce"):
        x.scatter_reduce(3, i, s, "sum")
    with pytest.raises(TypeError, match="scatter_reduce: expected src of dtype float32, got float64"):
        x.scatter_reduce(1, i, s.double(), "sum")
    with pytest.raises(ValueError, match=r"scatter_reduce: index tensor must have the same number of dims as input "
                                         r"\(index shape \(3,\), input shape \(3, 4\)\)"):
        x.scatter_reduce(1, i[0], s[0], "sum")
    with pytest.raises(IndexError, match="scatter_reduce_: index 9"):
        x.scatter_reduce_(1, ember.tensor([[0, 9]]), s, "amin", include_self=False)
    assert x.abs().sum().item() == 0  # the failed in-place call left x alone


# ---- select_scatter, slice_scatter, diagonal_scatter -----------------------------------------------
VIEW_SCATTERS = [
    ("select_scatter", (4, 3), (3,), (0, 2)),
    ("select_scatter", (4, 3), (4,), (1, -1)),
    ("select_scatter", (2, 3, 4), (2, 4), (1, 0)),
    ("slice_scatter", (5, 3), (2, 3), (0, 1, 3)),
    ("slice_scatter", (4, 6), (4, 3), (1, None, None, 2)),
    ("slice_scatter", (4, 6), (4, 2), (-1, -2)),
    ("slice_scatter", (4, 6), (4, 0), (1, 7, 9)),
    ("diagonal_scatter", (3, 3), (3,), ()),
    ("diagonal_scatter", (3, 4), (3,), (1,)),
    ("diagonal_scatter", (4, 3), (2,), (-2,)),
    ("diagonal_scatter", (2, 3, 4), (3, 2), (0, 2, 0)),
]


@pytest.mark.parametrize("name,shape,src_shape,args", VIEW_SCATTERS, ids=[f"{c[0]}-{c[3]}" for c in VIEW_SCATTERS])
def test_view_scatters_match_torch(name, shape, src_shape, args, torch):
    rng = np.random.default_rng(3)
    (ex, tx), (es, ts) = both(rng.normal(size=shape)), both(rng.normal(size=src_shape))
    eo, eg = grads(lambda a, b: getattr(ember, name)(a, b, *args), ex, es)
    to, tg = grads(lambda a, b: getattr(torch, name)(a, b, *args), tx, ts)
    assert_same(eo, to)
    assert_same(eg, tg, what="grads")
    assert_same(getattr(ex.float(), name)(es.float(), *args), getattr(tx.float(), name)(ts.float(), *args))
    if es.numel():
        gradchecks(lambda a, b: getattr(ember, name)(a, b, *args), ex, es)


def test_view_scatters_convert_src_and_keyword_arguments(torch):
    got = ember.slice_scatter(ember.zeros(2, 4), ember.ones(2, 2, dtype=ember.int64), dim=1, start=2)
    assert_same(got, torch.slice_scatter(torch.zeros(2, 4), torch.ones(2, 2, dtype=torch.int64), dim=1, start=2))
    got = ember.diagonal_scatter(ember.zeros(3, 3), ember.arange(2.0), offset=-1, dim1=1, dim2=0)
    assert_same(got, torch.diagonal_scatter(torch.zeros(3, 3), torch.arange(2.0), offset=-1, dim1=1, dim2=0))
    x = ember.arange(6.0).reshape(2, 3).t()  # non-contiguous input
    assert_same(ember.select_scatter(x, ember.zeros(2), 0, 1),
                torch.select_scatter(torch.arange(6.0).reshape(2, 3).t(), torch.zeros(2), 0, 1))


def test_view_scatters_bad_inputs(torch):
    x = ember.zeros(3, 4)
    with pytest.raises(ValueError, match=r"select_scatter: expected src to have a size equal to the slice of self. "
                                           r"src size = \(3,\), slice size = \(4,\)"):
        ember.select_scatter(x, ember.ones(3), 0, 0)
    with pytest.raises(IndexError, match=r"select_scatter: index 5 out of range for tensor of size \(3, 4\) at dimension 0"):
        ember.select_scatter(x, ember.ones(4), 0, 5)
    with pytest.raises(IndexError, match="select_scatter"):
        ember.select_scatter(ember.zeros(()), ember.ones(()), 0, 0)
    with pytest.raises(IndexError):
        torch.select_scatter(torch.zeros(3, 4), torch.ones(4), 0, 5)
    with pytest.raises(ValueError, match=r"slice_scatter: expected src .* src size = \(3, 3\), slice size = \(3, 2\)"):
        ember.slice_scatter(x, ember.ones(3, 3), 1, 0, 2)
    with pytest.raises(ValueError, match="slice_scatter: slice step must be positive, got 0"):
        ember.slice_scatter(x, ember.ones(3, 2), 1, 0, 4, 0)
    with pytest.raises(ValueError, match=r"diagonal_scatter: expected src .* src size = \(4,\), slice size = \(3,\)"):
        ember.diagonal_scatter(x, ember.ones(4))
    with pytest.raises(RuntimeError):
        torch.diagonal_scatter(torch.zeros(3, 4), torch.ones(4))


# ---- masked_scatter ------------------------------------------------------------------------------
MASKED = [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((2, 1, 3), (4, 1)), ((), (2,)), ((3, 4), ())]


@pytest.mark.parametrize("shape,mask_shape", MASKED, ids=[str(c) for c in MASKED])
def test_masked_scatter_matches_torch(shape, mask_shape, torch):
    rng = np.random.default_rng(4)
    mask = np.asarray(rng.random(mask_shape) < 0.5)
    n = np.broadcast_shapes(shape, mask_shape)
    (ex, tx), (es, ts) = both(rng.normal(size=shape)), both(rng.normal(size=(int(np.prod(n)) + 2,)))
    em, tm = ember.tensor(mask), torch.from_numpy(mask)
    eo, eg = grads(lambda a, b: ember.masked_scatter(a, em, b), ex, es)
    to, tg = grads(lambda a, b: torch.masked_scatter(a, tm, b), tx, ts)
    assert_same(eo, to)
    assert_same(eg, tg, what="grads")
    gradchecks(lambda a, b: a.masked_scatter(em, b), ex, es)
    ei = ember.tensor(np.arange(np.prod(shape), dtype=np.int32).reshape(shape))
    ti = torch.arange(int(np.prod(shape)), dtype=torch.int32).reshape(shape)
    assert_same(ei.masked_scatter(em, -ember.ones(20, dtype=ember.int32)),
                ti.masked_scatter(tm, -torch.ones(20, dtype=torch.int32)))


def test_masked_scatter_in_place(torch):
    x = ember.zeros(2, 3)
    mask = ember.tensor([[True, False, True]])
    assert x.masked_scatter_(mask, ember.tensor([[1.0, 2.0], [3.0, 4.0]])) is x
    want = torch.zeros(2, 3).masked_scatter_(torch.tensor([[True, False, True]]), torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert_same(x, want)
    leaf = ember.zeros(3, requires_grad=True)
    src = ember.tensor([5.0, 6.0], requires_grad=True)
    y = leaf * 2
    y.masked_scatter_(ember.tensor([False, True, True]), src)
    (y * ember.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert leaf.grad.tolist() == [2.0, 0.0, 0.0] and src.grad.tolist() == [2.0, 3.0]


def test_masked_scatter_bad_inputs(torch):
    x = ember.zeros(3, 4)
    with pytest.raises(ValueError, match=r"masked_scatter: number of elements of source \(5, shape \(5,\)\) < number of "
                                           r"ones in mask \(12\)"):
        ember.masked_scatter(x, ember.ones(3, 4, dtype=ember.bool), ember.ones(5))
    with pytest.raises(RuntimeError):
        torch.masked_scatter(torch.zeros(3, 4), torch.ones(3, 4, dtype=torch.bool), torch.ones(5))
    with pytest.raises(TypeError, match="masked_scatter: only supports boolean masks, but got mask with dtype float32"):
        ember.masked_scatter(x, ember.ones(3, 4), ember.ones(12))
    with pytest.raises(TypeError, match="masked_scatter: expected self and source to have same dtypes but got float32 "
                                        "and float64"):
        ember.masked_scatter(x, ember.ones(3, 4, dtype=ember.bool), ember.ones(12, dtype=ember.float64))
    with pytest.raises(ValueError, match=r"masked_scatter"):
        ember.masked_scatter(x, ember.ones(2, 4, dtype=ember.bool), ember.ones(15))
    with pytest.raises(ValueError, match=r"masked_scatter_: mask of shape \(2, 3, 4\) cannot be broadcast to the "
                                         r"tensor's shape \(3, 4\)"):
        x.masked_scatter_(ember.ones(2, 3, 4, dtype=ember.bool), ember.ones(24))

"""mode, unravel_index, combinations and pdist against torch (values, dtypes, index conventions,
gradients, float64 gradcheck) and itertools / NumPy, with torch's bad-input cases.
"""
import itertools

import numpy as np
import pytest

import ember
from op_db import assert_same, weighted_grads as grads


# ---- mode ----------------------------------------------------------------------------------------
MODE_CASES = [
    ([[3, 1, 3, 1, 2], [5, 5, 4, 4, 4]], {}),
    ([[3, 1, 3, 1, 2], [5, 5, 4, 4, 4]], {"dim": 0}),
    ([[3, 1, 3, 1, 2], [5, 5, 4, 4, 4]], {"dim": 1, "keepdim": True}),
    ([2.0, 1.0, 2.0, 1.0, 1.0, 2.0], {}),
    ([1.0, float("nan"), float("nan")], {}),
    ([float("nan"), float("nan")], {}),
    (3.0, {}),
    ([True, False, True], {}),
    ([[7]], {"dim": -2}),
]


@pytest.mark.parametrize("values,kwargs", MODE_CASES, ids=[str(i) for i in range(len(MODE_CASES))])
def test_mode_matches_torch(values, kwargs, torch):
    got = ember.mode(ember.tensor(values), **kwargs)
    want = torch.mode(torch.tensor(values), **kwargs)
    assert type(got).__name__ == "mode" and isinstance(got, ember.return_types.mode)
    assert_same(tuple(got), tuple(want))
    assert_same(tuple(ember.tensor(values).mode(**kwargs)), tuple(want))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float32", "float64", "float16"])
def test_mode_random_rows_match_torch(dtype, torch):
    rng = np.random.default_rng(5)
    x = rng.integers(0, 6, (7, 9, 5))
    for dim in range(3):
        got = ember.mode(ember.tensor(x).to(getattr(ember, dtype)), dim)
        want = torch.mode(torch.from_numpy(x).to(getattr(torch, dtype)), dim)
        assert_same(tuple(got), tuple(want))


def test_mode_gradient(torch):
    x = np.array([[1.0, 2.0, 2.0, 3.0], [4.0, 4.0, 5.0, 5.0]])
    eo, eg = grads(lambda a: ember.mode(a).values, ember.tensor(x))
    to, tg = grads(lambda a: torch.mode(a).values, torch.from_numpy(x))
    assert_same(eo, to)
    assert_same(eg, tg)
    assert ember.autograd.gradcheck(lambda a: ember.mode(a, 0).values,
                                    [ember.tensor([[1.0, 2.0], [1.5, 2.5]], dtype=ember.float64, requires_grad=True)])


def test_mode_empty_and_bad_dims(torch):
    assert_same(tuple(ember.mode(ember.zeros(2, 0), 0)), tuple(torch.mode(torch.zeros(2, 0), 0)))
    with pytest.raises(IndexError, match="mode"):
        ember.mode(ember.zeros(0))
    with pytest.raises(IndexError):
        torch.mode(torch.zeros(0))
    with pytest.raises(IndexError, match="mode"):
        ember.mode(ember.zeros(2, 3), 2)


# ---- unravel_index -------------------------------------------------------------------------------
@pytest.mark.parametrize("indices,shape", [
    ([4, 1], (2, 3)), (5, (2, 3)), ([[0, 23], [7, 11]], (2, 3, 4)), ([6, -1, -7], (2, 3)), ([3], 4), ([], (2, 2)),
    ([0], ()),
])
def test_unravel_index_matches_torch(indices, shape, torch):
    got = ember.unravel_index(ember.tensor(indices, dtype=ember.int64), shape)
    want = torch.unravel_index(torch.tensor(indices, dtype=torch.int64), shape)
    assert isinstance(got, tuple)
    assert_same(got, want)
    if all(0 <= i < np.prod(shape) for i in np.ravel(indices)) and shape != ():
        assert_same(got, tuple(np.asarray(c) for c in np.unravel_index(np.array(indices, dtype=np.int64), shape)))
    assert_same(ember.unravel_index(ember.tensor(indices, dtype=ember.int32), shape),
                torch.unravel_index(torch.tensor(indices, dtype=torch.int32), shape))


def test_unravel_index_bad_inputs(torch):
    with pytest.raises(TypeError, match="unravel_index: expected 'indices' to be integer dtype, but got float32"):
        ember.unravel_index(ember.tensor([1.0]), (2, 3))
    with pytest.raises(TypeError):
        torch.unravel_index(torch.tensor([1.0]), (2, 3))
    with pytest.raises(ValueError, match=r"unravel_index: 'shape' cannot have negative values, but got \(2, -3\)"):
        ember.unravel_index(ember.tensor([1]), (2, -3))
    with pytest.raises(ValueError, match=r"unravel_index: cannot unravel into shape \(2, 0\)"):
        ember.unravel_index(ember.tensor([0]), (2, 0))


# ---- combinations --------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 1, 2, 4, 5])
@pytest.mark.parametrize("r", [0, 1, 2, 3])
@pytest.mark.parametrize("with_replacement", [False, True])
def test_combinations_match_torch_and_itertools(n, r, with_replacement, torch):
    values = np.arange(10, 10 + n)
    got = ember.combinations(ember.tensor(values), r, with_replacement)
    want = torch.combinations(torch.from_numpy(values), r, with_replacement)
    assert_same(got, want)
    if r:
        pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
        assert got.tolist() == [list(c) for c in pick(values.tolist(), r)]


def test_combinations_gradient_and_bad_inputs(torch):
    x = ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: ember.combinations(a, 2, with_replacement=True), [x])
    with pytest.raises(ValueError, match=r"combinations: expect a 1D vector, but got shape \(2, 2\)"):
        ember.combinations(ember.ones(2, 2))
    with pytest.raises(RuntimeError):
        torch.combinations(torch.ones(2, 2))
    with pytest.raises(ValueError, match="combinations: expect a non-negative number, but got -1"):
        ember.combinations(ember.ones(2), -1)


# ---- pdist ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.0, 1.0, 2.0, 3.0, float("inf")])
@pytest.mark.parametrize("rows", [0, 1, 2, 5])
def test_pdist_matches_torch(p, rows, torch):
    x = np.random.default_rng(6).normal(size=(rows, 3))
    eo, eg = grads(lambda a: ember.pdist(a, p), ember.tensor(x))
    if rows == 0:  # torch 2.13's pdist backward of 0 rows crashes the process (p > 0): values only
        to, tg = torch.pdist(torch.from_numpy(x), p), [torch.zeros(0, 3, dtype=torch.float64)]
    else:
        to, tg = grads(lambda a: torch.pdist(a, p), torch.from_numpy(x))
    assert_same(eo, to, 1e-12, 1e-12)
    assert_same(eg, tg, 1e-10, 1e-12)
    assert_same(ember.pdist(ember.tensor(x).float(), p), torch.pdist(torch.from_numpy(x).float(), p), 1e-5, 1e-6)
    if rows >= 2 and p >= 1:
        assert ember.autograd.gradcheck(lambda a: ember.pdist(a, p), [ember.tensor(x, requires_grad=True)])
        scipy_spatial = pytest.importorskip("scipy.spatial")
        np.testing.assert_allclose(eo.numpy(), scipy_spatial.distance.pdist(x, "minkowski", p=p)
                                   if p != float("inf") else scipy_spatial.distance.pdist(x, "chebyshev"), rtol=1e-12)


@pytest.mark.parametrize("p", [0.0, 0.5, 1.0, 2.0, 3.0, float("inf")])
def test_pdist_kernel_on_many_rows(p, torch):
    """Enough rows for the kernels' threads, duplicate rows (zero distances, zero differences) and a
    NaN row; float64 values and gradients, float32 values, and a graph of the gradient."""
    x = np.random.default_rng(7).normal(size=(120, 9))
    x[5] = x[9]
    x[7, :4] = x[8, :4]
    eo, eg = grads(lambda a: ember.pdist(a, p), ember.tensor(x))
    to, tg = grads(lambda a: torch.pdist(a, p), torch.from_numpy(x))
    assert_same(eo, to, 1e-12, 1e-12)
    assert_same(eg, tg, 1e-10, 1e-12)
    assert_same(ember.pdist(ember.tensor(x).float(), p), torch.pdist(torch.from_numpy(x).float(), p), 1e-5, 1e-5)
    x[3, 2] = np.nan
    assert_same(ember.pdist(ember.tensor(x), p), torch.pdist(torch.from_numpy(x), p), 1e-12, 1e-12)
    if p >= 1:
        small = ember.tensor(x[10:15], requires_grad=True)
        assert ember.autograd.gradgradcheck(lambda a: ember.pdist(a, p), [small])


@pytest.mark.parametrize("p", [0.0, 0.5, 1.0, 2.0, 3.0, float("inf")])
@pytest.mark.parametrize("s1, s2", [((40, 9), (30, 9)), ((2, 1, 7, 4), (3, 5, 4)), ((0, 3), (4, 3)), ((3, 0), (2, 0))])
def test_cdist_kernel_matches_torch(p, s1, s2, torch):
    """cdist's kernels: broadcast batch dims, zero distances (shared rows), values and both
    gradients in float64, float32 values, NaN, and a graph of the gradient."""
    rng = np.random.default_rng(8)
    a, b = rng.normal(size=s1), rng.normal(size=s2)
    if a.size and b.size:
        b[..., 1, :] = a[..., 2, :] if a.ndim == b.ndim else b[..., 1, :]
    w = rng.normal(size=torch.cdist(torch.from_numpy(a), torch.from_numpy(b)).shape)
    # torch computes p = 2 through a matmul from 25 rows, which cancels near zero distances: its
    # direct mode is the oracle.
    direct = {"compute_mode": "donot_use_mm_for_euclid_dist"}
    results = []
    for L in (ember, torch):
        x, y = L.tensor(a, requires_grad=True), L.tensor(b, requires_grad=True)
        out = L.cdist(x, y, p, **(direct if L is torch else {}))
        (out * L.tensor(w)).sum().backward()
        results.append((out.detach(), x.grad, y.grad))
    for ours, theirs in zip(*results):
        assert_same(ours, theirs, 1e-10, 1e-12)
    assert_same(ember.cdist(ember.tensor(a).float(), ember.tensor(b).float(), p),
                torch.cdist(torch.from_numpy(a).float(), torch.from_numpy(b).float(), p, **direct), 1e-5, 1e-5)
    if a.size and b.size:
        a[..., 0, 1] = np.nan
        assert_same(ember.cdist(ember.tensor(a), ember.tensor(b), p),
                    torch.cdist(torch.from_numpy(a), torch.from_numpy(b), p, **direct), 1e-12, 1e-12)
    if p >= 1 and a.size and b.size and a.ndim == 2:
        small = [ember.tensor(rng.normal(size=(4, 3)), requires_grad=True),
                 ember.tensor(rng.normal(size=(3, 3)), requires_grad=True)]
        assert ember.autograd.gradgradcheck(lambda u, v: ember.cdist(u, v, p), small)


def test_pdist_bad_inputs(torch):
    with pytest.raises(ValueError, match=r"pdist only supports 2D tensors, got: 1D \(shape \(3,\)\)"):
        ember.pdist(ember.ones(3))
    with pytest.raises(RuntimeError):
        torch.pdist(torch.ones(3))
    with pytest.raises(ValueError, match="pdist only supports non-negative p values, got -1"):
        ember.pdist(ember.ones(3, 2), -1)
    with pytest.raises(TypeError, match="pdist only supports floating-point dtypes, got int64"):
        ember.pdist(ember.ones(3, 2, dtype=ember.int64))

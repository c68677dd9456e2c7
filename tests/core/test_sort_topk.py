"""sort, argsort, topk and multinomial: what the op_db rows (tests/core/op_db_sort.py) cannot say.

Here: indices equal torch's exactly (sort with ties under stable=True, topk on tie-free inputs),
long lines (the radix-sorted and the scanning kernels), NaN / -0 ordering, the namedtuple and the
methods, stability (documented: every ember sort is stable), topk's errors, gradients, and
multinomial: shapes, reproducibility, draws without repeats, zero weights, frequencies and bad
inputs.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from op_db import assert_same, ember, to_ember, to_torch

inf, nan = math.inf, math.nan


def _both(a):
    return to_ember(a), to_torch(a)


def _same(e_out, t_out, what):
    assert_same(tuple(e_out), tuple(t_out), what=what)


# ---- sort / argsort ----------------------------------------------------------------------------
def _views(shape, dtype, rng):
    """(name, ember tensor, torch tensor): contiguous, transposed and strided layouts."""
    if dtype == "bool":
        a = rng.random(shape) < 0.5
    elif dtype == "int64":
        a = rng.integers(-5, 6, size=shape)  # many ties
    else:
        a = rng.standard_normal(shape).astype(dtype)
    e, t = _both(a)
    out = [("contiguous", e, t)]
    if len(shape) >= 2:
        out.append(("transposed", e.transpose(0, -1), t.transpose(0, -1)))
        out.append(("strided", e[::2], t[::2]))
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("shape", [(7,), (4, 6), (3, 5, 4), (3, 2000)], ids=str)
def test_sort_matches_torch_stable(shape, dtype, torch):
    """Every dim, both directions, three layouts; the (3, 2000) lines take the radix path."""
    rng = np.random.default_rng(len(shape))
    for name, e, t in _views(shape, dtype, rng):
        for dim in range(-e.dim(), e.dim()):
            for desc in (False, True):
                what = f"sort {name} dim={dim} descending={desc}"
                _same(ember.sort(e, dim, desc, stable=True), torch.sort(t, stable=True, dim=dim,
                                                                         descending=desc), what)
                assert_same(ember.argsort(e, dim, desc), torch.argsort(t, stable=True, dim=dim,
                                                                     descending=desc),
                            what="arg" + what)


@pytest.mark.parametrize("n", [50, 5000])
def test_sort_of_distinct_values_matches_torch_default(n, torch):
    """Without ties the order is unique: torch's default (unstable) sort agrees too."""
    a = np.random.default_rng(n).permutation(n).astype(np.float32) - n / 2
    e, t = _both(a)
    for desc in (False, True):
        _same(e.sort(descending=desc), t.sort(descending=desc), f"sort n={n} desc={desc}")


@pytest.mark.parametrize("n", [9, 3000])  # 3000: the radix kernel
def test_sort_nan_inf_and_signed_zeros(n, torch):
    """NaN sorts as the largest (first when descending); -0.0 == 0.0 keep their index order."""
    base = np.array([2.0, nan, -0.0, 0.0, 1.0, nan, -inf, inf, -0.0])
    a = np.resize(base, n) * np.repeat(np.arange(1, n // base.size + 2), base.size)[:n]
    for dtype in (np.float32, np.float64):
        e, t = _both(a.astype(dtype))
        for desc in (False, True):
            _same(ember.sort(e, descending=desc), torch.sort(t, descending=desc, stable=True),
                  f"sort {dtype.__name__} n={n} desc={desc}")
    v, i = ember.sort(ember.tensor(base))
    np.testing.assert_array_equal(i.numpy(), [6, 2, 3, 8, 4, 0, 7, 1, 5])
    assert np.signbit(v.numpy()[1]) and not np.signbit(v.numpy()[2])  # -0 kept as -0
    assert ember.sort(ember.tensor(base), descending=True).indices.tolist()[:2] == [1, 5]


def test_sort_is_stable_in_both_directions():
    """The documented guarantee: equal values keep their index order, whatever `stable` says."""
    a = ember.tensor([1, 0, 1, 0, 1, 2, 0])
    for stable in (False, True):
        assert a.sort(stable=stable).indices.tolist() == [1, 3, 6, 0, 2, 4, 5]
        assert a.sort(descending=True, stable=stable).indices.tolist() == [5, 0, 2, 4, 1, 3, 6]
    long = ember.tensor(np.repeat([3.0, 1.0, 2.0], 700))  # 2100: the radix kernel
    idx = ember.argsort(long).numpy()
    np.testing.assert_array_equal(idx, np.concatenate([np.arange(700, 1400), np.arange(1400, 2100),
                                                       np.arange(700)]))


def test_sort_zero_dim_and_empty(torch):
    for a in (np.array(2.5), np.zeros((0,)), np.zeros((2, 0, 3)), np.zeros((3, 0))):
        e, t = _both(a.astype(np.float32))
        for dim in range(-max(a.ndim, 1), max(a.ndim, 1)):
            _same(ember.sort(e, dim), torch.sort(t, dim), f"sort {a.shape} dim={dim}")
            assert_same(ember.argsort(e, dim), torch.argsort(t, dim), what=f"argsort {a.shape}")


def test_sort_result_is_a_namedtuple_and_methods_match():
    x = ember.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    r = ember.sort(x)
    values, indices = r
    assert r.values is values and r.indices is indices and r[0] is values
    assert values.tolist() == [[1.0, 2.0, 3.0], [0.0, 4.0, 5.0]]
    assert indices.dtype == ember.int64 and indices.tolist() == [[1, 2, 0], [0, 2, 1]]
    by_method = x.sort(0, True).indices.tolist()
    assert by_method == ember.sort(x, dim=0, descending=True).indices.tolist()
    assert x.argsort(dim=1, descending=True).tolist() == [[0, 2, 1], [1, 2, 0]]
    assert ember.gather(x, 1, indices).tolist() == values.tolist()
    assert x.tolist() == [[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]  # the input is left alone


@pytest.mark.parametrize("fn", ["sort", "argsort"])
def test_sort_dim_out_of_range(fn):
    with pytest.raises(IndexError, match=f"{fn}: dim 2"):
        getattr(ember, fn)(ember.zeros(2, 3), 2)


# ---- topk ----------------------------------------------------------------------------------------
def _distinct(shape, seed, dtype=np.float64):
    n = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(n).reshape(shape) - n // 3).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("shape,dim", [((40,), 0), ((6, 40), 1), ((40, 6), 0), ((3, 300, 4), 1),
                                       ((2, 3, 200), -1)], ids=str)
def test_topk_matches_torch(shape, dim, dtype, torch):
    """Values and indices on tie-free inputs, every k from 0 to the size (the scanning kernel for
    small k, nth_element for larger), largest and smallest, contiguous and transposed."""
    a = _distinct(shape, len(shape), dtype)
    e, t = _both(a)
    n = shape[dim]
    for k in sorted({0, 1, 2, 5, 16, 17, n // 2, n - 1, n}):
        for largest in (True, False):
            what = f"topk k={k} dim={dim} largest={largest}"
            _same(ember.topk(e, k, dim, largest), torch.topk(t, k, dim, largest), what)
            if len(shape) >= 2:  # a non-contiguous view: its last dim becomes dim 0
                _same(e.transpose(0, -1).topk(k, -1 - dim if dim >= 0 else 0, largest),
                      t.transpose(0, -1).topk(k, -1 - dim if dim >= 0 else 0, largest),
                      "transposed " + what)


def test_topk_imagenet_accuracy_call(torch):
    """output.topk(5, 1, True, True), as the ImageNet example's accuracy() calls it."""
    a = _distinct((64, 1000), 7, np.float32)
    e, t = _both(a)
    _same(e.topk(5, 1, True, True), t.topk(5, 1, True, True), "topk(5, 1, True, True)")
    _, pred = e.topk(5, 1, True, True)
    assert tuple(pred.shape) == (64, 5) and pred.dtype == ember.int64


def test_topk_unsorted_returns_the_same_set(torch):
    a = _distinct((5, 100), 3)
    e, t = _both(a)
    for k in (3, 40, 100):
        ev, ei = ember.topk(e, k, sorted=False)
        tv, ti = torch.topk(t, k, sorted=False)
        np.testing.assert_array_equal(np.sort(ei.numpy(), 1), np.sort(ti.numpy(), 1))
        np.testing.assert_array_equal(np.take_along_axis(a, ei.numpy(), 1), ev.numpy())


def test_topk_nan_is_largest_and_ties_take_the_lower_index(torch):
    x = ember.tensor([2.0, nan, -inf, 1.0, nan, inf])
    v, i = x.topk(3)
    assert i.tolist() == [1, 4, 5] and math.isnan(v.tolist()[0]) and v.tolist()[2] == inf
    _same(x.topk(3), torch.topk(torch.tensor(x.tolist()), 3), "topk with NaN")
    assert x.topk(2, largest=False).indices.tolist() == [2, 3]
    ties = ember.tensor([1.0, 3.0, 3.0, 1.0, 3.0, 1.0] * 10)
    assert ties.topk(2).indices.tolist() == [1, 2]                 # scanning kernel
    assert ties.topk(2, largest=False).indices.tolist() == [0, 3]
    threes, ones = [i for i in range(60) if i % 6 in (1, 2, 4)], [0, 3, 5, 6, 9, 11, 12, 15, 17, 18]
    assert ties.topk(40).indices.tolist() == threes + ones  # nth_element kernel, sorted


def test_topk_zero_dim_and_empty(torch):
    e, t = _both(np.array(2.5))
    for k in (0, 1):  # a 0-d input gives itself for k = 0 too, as torch
        _same(ember.topk(e, k), torch.topk(t, k), f"topk 0-d k={k}")
    e, t = _both(np.zeros((3, 4)))
    _same(ember.topk(e, 0, 1), torch.topk(t, 0, 1), "topk k=0")
    e, t = _both(np.zeros((2, 0, 3)))
    _same(ember.topk(e, 2, -1), torch.topk(t, 2, -1), "topk of an empty tensor")


@pytest.mark.parametrize("k,shape", [(4, (3,)), (-1, (3,)), (2, ()), (1, (2, 0))], ids=str)
def test_topk_k_out_of_range(k, shape, torch):
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        torch.topk(torch.zeros(shape), k)
    with pytest.raises(RuntimeError, match="topk: selected index k out of range"):
        ember.topk(ember.zeros(*shape), k)


def test_topk_rejects_bool_and_bad_dims(torch):
    with pytest.raises(TypeError, match="topk.*bool"):
        ember.tensor([True, False]).topk(1)
    with pytest.raises(IndexError, match="topk: dim 2"):
        ember.zeros(3).topk(1, dim=2)


# ---- gradients -----------------------------------------------------------------------------------
def _leaf(a):
    return ember.tensor(a).requires_grad_(True)


@pytest.mark.parametrize("desc", [False, True])
def test_sort_gradcheck(desc):
    a = _distinct((3, 4, 5), 1) / 7.0
    for dim in (0, 1, 2):
        fn = lambda x, dim=dim: ember.sort(x, dim, desc).values
        assert ember.autograd.gradcheck(fn, (_leaf(a),))
        assert ember.autograd.gradgradcheck(fn, (_leaf(a),))


@pytest.mark.parametrize("largest", [True, False])
def test_topk_gradcheck(largest):
    a = _distinct((4, 30), 2) / 7.0
    for k, dim in ((0, 1), (3, 1), (20, 1), (30, 1), (2, 0)):
        fn = lambda x, k=k, dim=dim: ember.topk(x, k, dim, largest).values
        assert ember.autograd.gradcheck(fn, (_leaf(a),))
        assert ember.autograd.gradgradcheck(fn, (_leaf(a),))


def test_gradient_goes_to_the_picked_positions_as_torch(torch):
    a = _distinct((5, 8), 4, np.float32)
    g = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    x = ember.tensor(a).requires_grad_(True)
    xt = torch.tensor(a, requires_grad=True)
    v, i = ember.topk(x, 3)
    vt, _ = torch.topk(xt, 3)
    assert v.grad_fn.name() == vt.grad_fn.name() == "TopkBackward0"
    assert not i.requires_grad
    v.backward(ember.tensor(g))
    vt.backward(torch.tensor(g))
    assert_same(x.grad, xt.grad, what="topk gradient")
    s = ember.sort(x, 0, True).values
    assert s.grad_fn.name() == "SortBackward0"
    assert not ember.argsort(x).requires_grad


# ---- multinomial ---------------------------------------------------------------------------------
def seeded(seed):
    return ember.Generator().manual_seed(seed)


def test_multinomial_shapes_and_dtype():
    w = ember.tensor([0.2, 0.3, 0.5])
    assert tuple(ember.multinomial(w, 2).shape) == (2,)
    out = ember.multinomial(ember.ones(4, 3), 5, replacement=True)
    assert tuple(out.shape) == (4, 5) and out.dtype == ember.int64
    assert tuple(ember.ones(4, 3, dtype=ember.float64).multinomial(3).shape) == (4, 3)
    assert tuple(ember.multinomial(ember.ones(0, 3), 2).shape) == (0, 2)
    assert ((out >= 0) & (out < 3)).all()


@pytest.mark.parametrize("replacement", [False, True])
def test_multinomial_repeats_with_a_seed(replacement):
    w = ember.tensor([[1.0, 2.0, 3.0, 4.0, 0.5, 7.0]] * 3)
    runs = [ember.multinomial(w, 4, replacement, generator=seeded(s)).tolist() for s in (5, 5, 6)]
    assert runs[0] == runs[1] and runs[0] != runs[2]
    ember.manual_seed(11)
    a = w.multinomial(4, replacement).tolist()
    ember.manual_seed(11)
    assert w.multinomial(4, replacement).tolist() == a
    # Weights need not be normalized: scaled by a power of 2, the very same draws.
    assert ember.multinomial(w * 8, 4, replacement, generator=seeded(5)).tolist() == runs[0]


def test_multinomial_without_replacement_never_repeats():
    g = seeded(0)
    w = ember.rand(50, 20, generator=g) + 0.01
    out = ember.multinomial(w, 20, generator=g).numpy()
    assert all(sorted(row) == list(range(20)) for row in out)  # every row a permutation
    out = ember.multinomial(w, 7, generator=g).numpy()
    assert all(len(set(row)) == 7 for row in out)


@pytest.mark.parametrize("replacement", [False, True])
def test_multinomial_never_draws_zero_weights(replacement):
    w = ember.tensor([[0.0, 1.0, 0.0, 1e-6, 3.0, 0.0], [5.0, 0.0, 0.0, 0.0, 0.0, 1.0]])
    out = ember.multinomial(w, 2 if not replacement else 2000, replacement, generator=seeded(1))
    assert not np.isin(out.numpy()[0], [0, 2, 5]).any()
    assert np.isin(out.numpy()[1], [0, 5]).all()
    one_hot = ember.tensor([0.0, 0.0, 2.0])  # one nonzero: always it
    assert ember.multinomial(one_hot, 50, True).tolist() == [2] * 50


def test_multinomial_frequencies_follow_the_weights():
    """With a fixed seed: frequencies within 5 binomial standard errors of the weights, with
    replacement and for the first draw without (the same distribution), and the second draw
    without replacement as successive draws give it."""
    w = np.array([1.0, 2.0, 0.0, 4.0, 0.5, 2.5])
    p = w / w.sum()
    n = 40000

    def check(counts, q, m):
        np.testing.assert_array_less(np.abs(counts / m - q), 5 * np.sqrt(q * (1 - q) / m) + 1e-4)

    with_r = ember.multinomial(ember.tensor(w), n, True, generator=seeded(123)).numpy()
    check(np.bincount(with_r, minlength=6), p, n)
    rows = ember.tensor(np.tile(w, (n, 1)))
    without = ember.multinomial(rows, 2, generator=seeded(321)).numpy()
    check(np.bincount(without[:, 0], minlength=6), p, n)
    second = sum(p[i] * np.where(np.arange(6) == i, 0, p) / (1 - p[i]) for i in range(6))
    check(np.bincount(without[:, 1], minlength=6), second, n)


MULTINOMIAL_ERRORS = {
    "negative": (lambda L: L.multinomial(L.tensor([1.0, -1.0, 2.0]), 1), "element < 0"),
    "inf": (lambda L: L.multinomial(L.tensor([1.0, math.inf]), 1), "`inf`, `nan`"),
    "nan": (lambda L: L.multinomial(L.tensor([[1.0, 2.0], [math.nan, 1.0]]), 1), "`inf`, `nan`"),
    "all zero row": (lambda L: L.multinomial(L.tensor([[1.0, 2.0], [0.0, 0.0]]), 1, True),
                     "sum of probabilities <= 0"),
    "too many without replacement": (lambda L: L.multinomial(L.ones(3), 4),
                                     "cannot sample n_sample > prob_dist.size(-1)"),
    "zero samples": (lambda L: L.multinomial(L.ones(3), 0), "n_sample <= 0"),
    "3-D": (lambda L: L.multinomial(L.ones(2, 2, 2), 1), "1 or 2 dim"),
    "0-d": (lambda L: L.multinomial(L.ones(()), 1), "1 or 2 dim"),
}


@pytest.mark.parametrize("fn,match", MULTINOMIAL_ERRORS.values(), ids=MULTINOMIAL_ERRORS.keys())
def test_multinomial_bad_inputs_raise_as_torch(fn, match, torch):
    with pytest.raises(RuntimeError) as t_info:
        fn(torch)
    with pytest.raises(RuntimeError, match="multinomial: ") as e_info:
        fn(ember)
    assert match in str(t_info.value) and match in str(e_info.value)


def test_multinomial_errors_where_ember_differs_from_torch(torch):
    """An integer input is a TypeError (ember's rule for dtypes; torch: RuntimeError)."""
    with pytest.raises(TypeError, match="multinomial: only supports floating-point dtypes"):
        ember.multinomial(ember.tensor([1, 2]), 1)


def test_multinomial_without_replacement_fills_up_with_zero_weights_as_torch(torch):
    """Fewer nonzero weights than samples without replacement: the nonzero categories come
    first, then the zero-weight ones in random order, as torch's CPU kernel draws them."""
    assert torch.multinomial(torch.tensor([1.0, 0.0, 0.0]), 2).tolist()[0] == 0
    w = [0.0, 0.0, 1.0, 0.0, 2.0]
    seen_zero_orders = set()
    for seed in range(40):
        ember.manual_seed(seed)
        e = ember.multinomial(ember.tensor(w), 5).tolist()
        t = torch.multinomial(torch.tensor(w), 5).tolist()
        for got in (e, t):
            assert sorted(got) == [0, 1, 2, 3, 4]
            assert set(got[:2]) == {2, 4}
        seen_zero_orders.add(tuple(e[2:]))
    assert len(seen_zero_orders) > 1  # the zero-weight ones in random order, not by index
    rows = ember.multinomial(ember.tensor([[0.0, 3.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0]]), 3).tolist()
    assert set(rows[0][:2]) == {1, 3} and set(rows[1][:2]) == {0, 1}
    assert len(set(rows[0])) == 3 and len(set(rows[1])) == 3

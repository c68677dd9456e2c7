"""Scans (cumsum, cumprod, cummax, cummin, logcumsumexp): what the op_db rows cannot express.

The rows in op_db_reduce.py check forward values, dtypes, layouts, gradcheck / gradgradcheck
and error cases. Here: cumprod's gradient at exact zeros (first and second order), the indices
of cummax / cummin on ties and NaN, logcumsumexp with -inf and large values, the in-place
variants, the namedtuple, and the lines the kernel steps in rows (scans over a leading dim).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from op_db import assert_same, ember, to_ember, to_torch

inf, nan = math.inf, math.nan


def _leaf(a, lib):
    t = to_ember(a) if lib == "ember" else to_torch(a)
    return t.requires_grad_(True)


def _grads(lib_mod, lib, a, fn, cotangent, create_graph=False):
    x = _leaf(a, lib)
    y = fn(lib_mod, x)
    g = to_ember(cotangent) if lib == "ember" else to_torch(cotangent)
    (gx,) = lib_mod.autograd.grad(y, x, g, create_graph=create_graph)
    return x, gx


# ---- cumprod with zeros ------------------------------------------------------------------------
CUMPROD_ZEROS = {
    "one zero": [2.0, 0.0, 3.0, 4.0],
    "zero first": [0.0, 2.0, 3.0, 4.0],
    "zero last": [2.0, 3.0, 4.0, 0.0],
    "two zeros in a row": [2.0, 0.0, 0.0, 3.0],
    "two zeros apart": [2.0, 0.0, 3.0, 0.0, 4.0],
    "three zeros": [0.0, 1.5, 0.0, 2.0, 0.0],
    "all zeros": [0.0, 0.0, 0.0],
    "negative values": [-1.5, 0.5, 0.0, -2.0, 3.0],
}


@pytest.mark.parametrize("values", CUMPROD_ZEROS.values(), ids=CUMPROD_ZEROS.keys())
def test_cumprod_gradient_with_zeros(values, torch):
    a = np.array(values)
    cot = np.linspace(0.5, 2.0, a.size)  # a cotangent that is not all ones
    fn = lambda L, x: L.cumprod(x, 0)  # noqa: E731
    _, ge = _grads(ember, "ember", a, fn, cot)
    _, gt = _grads(torch, "torch", a, fn, cot)
    assert_same(ge, gt, 1e-12, 1e-12, what="cumprod gradient")


def test_cumprod_gradient_with_zeros_2d_both_dims(torch):
    """Zeros in some lines only, scanned along dim 0 and dim 1 (rows and columns)."""
    a = np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 0.0, 3.0, 0.5], [2.0, 1.0, 0.0, 4.0]])
    cot = np.arange(1.0, 13.0).reshape(3, 4) / 7
    for dim in (0, 1, -1):
        fn = lambda L, x: L.cumprod(x, dim)  # noqa: E731
        assert_same(_grads(ember, "ember", a, fn, cot)[1], _grads(torch, "torch", a, fn, cot)[1],
                    1e-12, 1e-12, what=f"cumprod gradient, dim {dim}")


@pytest.mark.parametrize("values", [[2.0, 0.0, 3.0, 4.0], [2.0, 0.0, 0.0, 3.0], [0.0, 1.5, 0.0, 2.0, 0.0]],
                         ids=["one zero", "two zeros in a row", "three zeros"])
def test_cumprod_second_derivative_with_zeros(values, torch):
    """create_graph through inputs holding zeros: the gradient of <gradient, v> equals torch's
    (the masked first-order formula is not differentiable there; the exact form is)."""
    a = np.array(values)
    cot = np.linspace(0.5, 2.0, a.size)
    v = np.linspace(-1.0, 1.0, a.size)
    fn = lambda L, x: L.cumprod(x, 0)  # noqa: E731
    out = {}
    for L, lib in ((ember, "ember"), (torch, "torch")):
        x, gx = _grads(L, lib, a, fn, cot, create_graph=True)
        vv = to_ember(v) if lib == "ember" else to_torch(v)
        (ggx,) = L.autograd.grad((gx * vv).sum(), x)
        out[lib] = (gx.detach(), ggx)
    assert_same(out["ember"][0], out["torch"][0], 1e-12, 1e-12, what="first order")
    assert_same(out["ember"][1], out["torch"][1], 1e-12, 1e-12, what="second order")


def test_cumprod_gradient_without_zeros_is_not_the_masked_one(torch):
    """Guards the fast path (a division by x) against a sign or shift error: tiny values, long line."""
    rng = np.random.default_rng(3)
    a = rng.uniform(0.5, 1.5, 40) * rng.choice([-1, 1], 40)
    cot = rng.standard_normal(40)
    fn = lambda L, x: L.cumprod(x, 0)  # noqa: E731
    assert_same(_grads(ember, "ember", a, fn, cot)[1], _grads(torch, "torch", a, fn, cot)[1],
                1e-10, 1e-12, what="cumprod gradient")


# ---- cummax / cummin: indices on ties and NaN ----------------------------------------------------
EXTREME_LINES = {
    "ties": [1.0, 3.0, 3.0, 2.0, 3.0, 1.0],
    "all equal": [2.0, 2.0, 2.0, 2.0],
    "nan in the middle": [1.0, nan, 5.0, 0.0],
    "two nans": [1.0, nan, 5.0, nan, 7.0],
    "nan first": [nan, 1.0, nan, -1.0],
    "infinities": [inf, -inf, inf, -inf, 0.0],
    "signed zeros": [0.0, -0.0, 0.0, -0.0],
}


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("values", EXTREME_LINES.values(), ids=EXTREME_LINES.keys())
def test_cummax_cummin_indices_match_torch(name, values, torch):
    a = np.array(values, dtype=np.float32)
    got = getattr(ember, name)(to_ember(a), 0)
    expected = getattr(torch, name)(to_torch(a), 0)
    assert_same(got.values, expected.values, what=f"{name} values")
    np.testing.assert_array_equal(np.asarray(got.indices), expected.indices.numpy(),
                                  err_msg=f"{name} indices")


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("dtype", ["bool", "int64", "float64"])
def test_cummax_cummin_ties_along_dim0(name, dtype, torch):
    """Dim 0 of a row-major matrix (the kernel steps whole rows): ties and, for floats, NaN."""
    a = np.array([[1, 0, 2, 1], [1, 1, 2, 0], [0, 1, 2, 1], [1, 1, 0, 1]]).astype(dtype)
    if dtype == "float64":
        a[1, 3] = nan
    got = getattr(ember, name)(to_ember(a), 0)
    expected = getattr(torch, name)(to_torch(a), 0)
    assert_same(got.values, expected.values, what=f"{name} values")
    np.testing.assert_array_equal(np.asarray(got.indices), expected.indices.numpy())


def test_cummax_returns_a_namedtuple():
    r = ember.cummax(ember.tensor([1.0, 3.0, 2.0]), dim=0)
    values, indices = r
    assert r.values is values and r.indices is indices
    assert indices.dtype == ember.int64 and values.dtype == ember.float32
    assert type(r) is ember.return_types.cummax  # as torch.return_types.cummax


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_cummin_gradient_goes_to_the_index(name, torch):
    a = np.array([[1.0, 3.0, 3.0, 2.0, 5.0], [4.0, 4.0, 1.0, 4.0, 0.0]])
    cot = np.arange(1.0, 11.0).reshape(2, 5)
    fn = lambda L, x: getattr(L, name)(x, 1).values  # noqa: E731
    assert_same(_grads(ember, "ember", a, fn, cot)[1], _grads(torch, "torch", a, fn, cot)[1],
                what=f"{name} gradient")


# ---- logcumsumexp ------------------------------------------------------------------------------
LOGCUMSUMEXP_LINES = {
    "leading -inf": [-inf, -inf, 0.0, 1.0],
    "all -inf": [-inf, -inf, -inf],
    "+inf": [0.0, inf, 1.0, -inf],
    "inf then -inf": [inf, -inf, inf],
    "nan": [0.0, nan, 1.0],
    "large": [1000.0, 1000.0, -1000.0, 1001.0],
    "tiny steps": [-50.0, -50.0, -50.0, -50.0],
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("values", LOGCUMSUMEXP_LINES.values(), ids=LOGCUMSUMEXP_LINES.keys())
def test_logcumsumexp_special_values(values, dtype, torch):
    a = np.array(values, dtype=dtype)
    assert_same(ember.logcumsumexp(to_ember(a), 0), torch.logcumsumexp(to_torch(a), 0),
                1e-6 if dtype == "float32" else 1e-14, 0, what="logcumsumexp")


def test_logcumsumexp_gradient_with_large_and_negative_cotangent(torch):
    """The log-space backward stays finite where exp(x) alone would overflow, and handles a
    cotangent of both signs and zeros."""
    a = np.array([[800.0, 801.0, -inf, 799.0], [-3.0, 0.0, 2.0, -inf]])
    cot = np.array([[1.0, -2.0, 0.0, 0.5], [0.0, -1.0, 3.0, 1.0]])
    for dim in (0, 1):
        fn = lambda L, x: L.logcumsumexp(x, dim)  # noqa: E731
        ge = _grads(ember, "ember", a, fn, cot)[1]
        gt = _grads(torch, "torch", a, fn, cot)[1]
        assert_same(ge, gt, 1e-10, 1e-12, what=f"logcumsumexp gradient, dim {dim}")
        assert np.isfinite(np.asarray(ge)[np.isfinite(a)]).all()  # at -inf torch's is NaN too


@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_logcumsumexp_rejects_integers(dtype):
    with pytest.raises(TypeError, match="logcumsumexp.*" + dtype):
        ember.logcumsumexp(ember.ones(3, dtype=getattr(ember, dtype)), 0)


# ---- in place ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", ["int64", "float32", "float64"])
def test_inplace_matches_torch(name, dtype, torch):
    a = np.array([[1, 2, -1], [3, 0, 2]]).astype(dtype)
    for dim in (0, 1, -1):
        e, t = to_ember(a), to_torch(a)
        r = getattr(e, name + "_")(dim)
        getattr(t, name + "_")(dim)
        assert r is e
        assert_same(e, t, what=f"{name}_({dim})")


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_inplace_writes_through_a_view(name, torch):
    a = np.arange(1.0, 13.0).reshape(3, 4)
    e, t = to_ember(a), to_torch(a)
    getattr(e[:, 1:3], name + "_")(0)
    getattr(t[:, 1:3], name + "_")(0)
    assert_same(e, t, what=f"{name}_ on a view")


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_inplace_refuses_other_dtype_and_bool(name, torch):
    with pytest.raises(RuntimeError, match=name + "_"):
        getattr(ember.ones(3, dtype=ember.int64), name + "_")(0, dtype=ember.float32)
    with pytest.raises(TypeError, match=name):
        getattr(ember.ones(3, dtype=ember.bool), name + "_")(0)
    with pytest.raises(NotImplementedError):  # torch refuses bool too
        getattr(torch.ones(3, dtype=torch.bool), name + "_")(0)


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_inplace_gradient(name, torch):
    """x.clone().cumprod_(0): the gradient reaches the leaf through the in-place node."""
    a = np.array([[1.5, -2.0, 0.5], [2.0, 0.0, 3.0]])
    cot = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
    fn = lambda L, x: getattr(x.clone(), name + "_")(0)  # noqa: E731
    assert_same(_grads(ember, "ember", a, fn, cot)[1], _grads(torch, "torch", a, fn, cot)[1],
                1e-12, 1e-12, what=f"{name}_ gradient")


def test_inplace_on_a_leaf_requiring_grad_raises():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="cumsum_"):
        x.cumsum_(0)


# ---- dtypes, dims, shapes ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_sum_kind_dtypes(name, torch):
    for dtype in ["bool", "int64", "float32", "float64"]:
        a = np.array([1, 0, 1]).astype(dtype)
        got = getattr(ember, name)(to_ember(a), 0)
        assert str(got.dtype) == str(getattr(torch, name)(to_torch(a), 0).dtype).replace("torch", "ember")
    got = getattr(ember, name)(ember.tensor([2, 3]), 0, dtype=ember.float32)
    assert got.dtype == ember.float32


@pytest.mark.parametrize("name", ["cumprod", "logcumsumexp"])
def test_float32_runs_in_double(name, torch):
    """cumprod and logcumsumexp keep a float32 running value in double, as PyTorch's CPU kernels:
    1e30 * -1e30 * 0 is -0 there (inf * 0 = NaN in float32), and the logs agree to the bit."""
    a = np.array([1e30, -1e30, 0.0, 3.0, 1e-3], dtype=np.float32)
    if name == "logcumsumexp":
        a = np.random.default_rng(5).uniform(-3, 3, 2000).astype(np.float32)
    assert_same(getattr(ember, name)(to_ember(a), 0), getattr(torch, name)(to_torch(a), 0), 0, 0,
                what=f"float32 {name}")


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "logcumsumexp", "cummax", "cummin"])
def test_bad_dim_names_the_op(name):
    with pytest.raises(IndexError, match=f"{name}: dim 2 is out of range"):
        getattr(ember, name)(ember.ones(2, 3), 2)
    with pytest.raises(IndexError, match=f"{name}: dim 1 is out of range"):
        getattr(ember, name)(ember.tensor(1.0), 1)


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "logcumsumexp", "cummax", "cummin"])
@pytest.mark.parametrize("shape,dim", [((300, 7), 0), ((7, 300), 1), ((5, 70, 3), 1), ((600, 600), 0)])
def test_large_and_leading_dims_match_torch(name, shape, dim, torch):
    """Long lines, many lines (split across threads), lines stepped a row at a time (dim 0)."""
    rng = np.random.default_rng(7)
    a = rng.uniform(0.9, 1.1, shape) * rng.choice([-1.0, 1.0], shape)
    r_e = getattr(ember, name)(to_ember(a), dim)
    r_t = getattr(torch, name)(to_torch(a), dim)
    assert_same(r_e, r_t, 1e-12, 1e-12, what=name)

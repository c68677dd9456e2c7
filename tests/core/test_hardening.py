"""Regression tests for the wrong results and missing forms a differential probe against torch
found (issue 14, item 2): each compares ember with torch 2.13 on the probe's input."""
import math

import ember
import numpy as np
import pytest
from bad_inputs import exception_type

torch = pytest.importorskip("torch")


def _outcome(fn, lib):
    """fn(lib)'s result, or the (builtin) type of the exception it raised."""
    try:
        return fn(lib)
    except Exception as e:  # noqa: BLE001 - the exception type is what is compared
        return exception_type(e)


def _same(fn):
    """fn(ember) and fn(torch) agree: equal values (tensors as lists with their dtype names) or
    the same exception type."""
    def norm(r):
        if isinstance(r, (ember.Tensor, torch.Tensor)):
            return (str(r.dtype).split(".")[-1], tuple(r.shape), r.tolist())
        if isinstance(r, (ember.dtype, torch.dtype)):
            return str(r).split(".")[-1]
        if isinstance(r, (tuple, list)):
            return type(r)(norm(x) for x in r)
        return r
    e, t = norm(_outcome(fn, ember)), norm(_outcome(fn, torch))
    if isinstance(t, type) and issubclass(t, Exception):
        assert e is t, f"ember gave {e!r}, torch raised {t.__name__}"
    else:
        np.testing.assert_equal(e, t)


# ---- isclose / allclose on integers and bools ------------------------------------------------
@pytest.mark.parametrize("a, b, kw", [
    ([3], [2], {"rtol": 0, "atol": 1}),
    ([3, 10, -5], [2, 12, -5], {"rtol": 0.1, "atol": 0}),
    ([100], [90], {"rtol": 0.1, "atol": 0}),
    ([100], [89], {"rtol": 0.1, "atol": 0}),
    ([True, False], [False, False], {"rtol": 0, "atol": 1}),
    ([True, False], [False, True], {"rtol": 0, "atol": 0.5}),
    ([1, 2], [1, 3], {}),
])
def test_isclose_integer_and_bool_use_the_tolerances(a, b, kw):
    _same(lambda L: L.isclose(L.tensor(a), L.tensor(b), **kw))
    _same(lambda L: L.allclose(L.tensor(a), L.tensor(b), **kw))


@pytest.mark.parametrize("a, b, dtype, kw", [
    ([1, 5, 1], [8, 2, 1], "uint8", {"rtol": 1.3}),  # 1 - 8 must not wrap to 249
    ([0], [255], "uint8", {"rtol": 0, "atol": 1}),
    ([-128, 100], [127, -100], "int8", {"rtol": 0, "atol": 1}),  # nor -128 - 127 to 1
    ([2 ** 40 + 1], [2 ** 40], "int64", {"rtol": 0, "atol": 0.5}),  # in float32, as torch's
])
def test_isclose_of_narrow_integers_does_not_wrap(a, b, dtype, kw):
    _same(lambda L: L.isclose(L.tensor(a, dtype=getattr(L, dtype)), L.tensor(b, dtype=getattr(L, dtype)), **kw))


# ---- int() / float() / bool() / item() of out-of-range values --------------------------------
@pytest.mark.parametrize("value", [1e38, -1e38, 1e19, -1e19, 9.3e18, 2.0 ** 63, -2.0 ** 63, 1.5,
                                   -2.5, math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_python_number_conversions_of_extreme_floats(value, dtype):
    _same(lambda L: int(L.tensor(value, dtype=getattr(L, dtype))))
    _same(lambda L: float(L.tensor(value, dtype=getattr(L, dtype))))
    _same(lambda L: bool(L.tensor(value, dtype=getattr(L, dtype))))
    _same(lambda L: L.tensor(value, dtype=getattr(L, dtype)).item())


def test_int_of_huge_float_is_exact():
    assert int(ember.tensor(1e38)) == int(torch.tensor(1e38)) == int(np.float32(1e38))
    assert int(ember.tensor([2 ** 62 + 1])) == 2 ** 62 + 1
    with pytest.raises(OverflowError):
        int(ember.tensor(math.inf))
    with pytest.raises(ValueError):
        int(ember.tensor(math.nan))


# ---- a dtype is no index ------------------------------------------------------------------------
@pytest.mark.parametrize("dt", ["float32", "int64", "bool", "float64"])
def test_indexing_with_a_dtype_raises(dt):
    _same(lambda L: L.arange(3)[getattr(L, dt)])
    with pytest.raises(IndexError, match="index"):
        ember.arange(3)[ember.float32]


# ---- accumulation of float32 scans and var/std --------------------------------------------------
def test_float32_cumsum_accumulates_in_double():
    # float32 running sums of ones stop at 2^24; torch's CPU scan runs in double
    n = 2 ** 24 + 1000
    e = ember.ones(n).cumsum(0)
    assert e.dtype == ember.float32
    assert e[-1].item() == torch.ones(n).cumsum(0)[-1].item() == n
    x = np.ones((3, 2 ** 24 + 5), np.float32)
    np.testing.assert_array_equal(ember.from_numpy(x).cumsum(1)[:, -1].numpy(),
                                  torch.from_numpy(x).cumsum(1)[:, -1].numpy())
    xt = np.ascontiguousarray(x.T)  # the scan along dim 0, rows stepped together
    assert ember.from_numpy(xt).cumsum(0)[-1, 0].item() == torch.from_numpy(xt).cumsum(0)[-1, 0].item()


def test_float32_cumsum_matches_torch_on_rounding_prone_values():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((4, 100_000)) * 1e4).astype(np.float32)
    for dim in (0, 1):
        np.testing.assert_array_equal(ember.from_numpy(x).cumsum(dim).numpy(),
                                      torch.from_numpy(x).cumsum(dim).numpy())


@pytest.mark.parametrize("fn", ["std", "var", "mean", "sum"])
@pytest.mark.parametrize("values", [[1e20, -1e20], [3e38, 3e38], [1e-30, 3e-30, 2e-30],
                                    [1e19, 1e19 + 1e13, -3e19]])
@pytest.mark.parametrize("shape, kw", [((-1,), {}), ((-1,), {"dim": 0}), ((1, -1), {"dim": 1})])
def test_float32_spread_of_large_values_as_torch(fn, values, shape, kw):
    e = getattr(ember.tensor(values).reshape(shape), fn)(**kw)
    t = getattr(torch.tensor(values).reshape(shape), fn)(**kw)
    assert e.dtype == ember.float32
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)


def test_std_var_gradients_unchanged_by_the_wide_forward():
    x = ember.tensor([[1.0, 2.0, 4.0], [3.0, -1.0, 0.5]], requires_grad=True)
    xt = torch.tensor(x.tolist(), requires_grad=True)
    (x.std(1) * ember.tensor([1.0, 2.0])).sum().backward()
    (xt.std(1) * torch.tensor([1.0, 2.0])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)
    x.grad = None
    xt.grad = None
    x.var(0).sum().backward()
    xt.var(0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def test_std_var_gradcheck_float64():
    x = ember.tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: t.std(1), (x,))
    assert ember.autograd.gradcheck(lambda t: t.var((0, 1), correction=0), (x,))
    assert ember.autograd.gradgradcheck(lambda t: t.std(0), (x,))


# ---- a Python float exponent keeps its precision ------------------------------------------------
@pytest.mark.parametrize("exponent", [1e-300, -1e-300, 1e-46, 5e-324])
@pytest.mark.parametrize("base", [0.0, -0.0, 1.0, 2.0, -2.0, math.inf, -math.inf, math.nan])
def test_pow_with_a_tiny_python_exponent(base, exponent):
    # torch's scalar path (3 elements): the exponent stays a double
    _same(lambda L: L.pow(L.full((3,), base), exponent))
    _same(lambda L: L.full((3,), base) ** exponent)
    _same(lambda L: L.full((3,), base).pow_(exponent))


def test_pow_of_zero_to_a_tiny_exponent_is_zero():
    assert ember.pow(ember.zeros(3), 1e-300).tolist() == [0.0, 0.0, 0.0]
    assert ember.pow(ember.zeros(3), -1e-300).tolist() == [math.inf] * 3
    # float64 needs no help, and a 0-d float64 tensor exponent is a tensor, not a Python number
    assert ember.pow(ember.zeros(3, dtype=ember.float64), 1e-300).tolist() == [0.0] * 3


@pytest.mark.parametrize("op", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("row, col, offset", [(3, 2**63 - 1, 0), (0, 2**63 - 1, 0), (3, 4, 2**62), (5, 3, -2**62)])
def test_triangle_indices_at_the_int64_limits_as_torch(op, row, col, offset):
    """col = 2**63 - 1 overflowed col + 1 (UBSan); the bounds are now computed in 128 bits."""
    _same(lambda L: getattr(L, op)(row, col, offset))


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8"])
def test_integer_pow_wraps_as_torch(dtype):
    """Square-and-multiply past the dtype wraps, as torch's (UBSan found the signed overflow)."""
    top = {"int8": 127, "uint8": 255, "int16": 2**15 - 1, "int32": 2**31 - 1, "int64": 2**63 - 1}[dtype]
    for exponent in (2**63 - 1, 2**31 + 7, 1000, 63):
        if exponent > top:  # torch refuses an exponent its dtype cannot hold (ember's open entry)
            continue
        _same(lambda L: L.pow(L.tensor([3, -2, 5, 7, -1, 0], dtype=getattr(L, dtype)) if dtype != "uint8"
                              else L.tensor([3, 2, 5, 7, 255, 0], dtype=L.uint8), exponent))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("exponent", [1 / 3.5, 2.5, -0.7, 1e-9])
def test_pow_gradient_keeps_the_python_exponent_exact(dtype, exponent):
    """d(x ** e)/dx = e * x ** (e - 1) with e - 1 in double, as torch's Scalar exponent (it was
    computed in float32: 3.5e-8 off in float64)."""
    x = np.random.default_rng(0).uniform(0.1, 3.0, 20).astype(dtype)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    xe.pow(exponent).sum().backward()
    xt.pow(exponent).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-15 if dtype == "float64" else 1e-6)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "remainder", "fmod", "eq", "lt"])
@pytest.mark.parametrize("scalar", [1e-300, 1e40, -1e-46])
def test_other_ops_cast_a_python_float_as_torch(op, scalar):
    _same(lambda L: getattr(L, op)(L.tensor([0.0, 1e30, -2.0, 1e-30]), scalar))


# ---- gradients at edge points ---------------------------------------------------------------
def _grads(L, fn, *values, dtype="float32"):
    xs = [L.tensor(v, dtype=getattr(L, dtype), requires_grad=True) for v in values]
    fn(L, *xs).sum().backward()
    return [x.grad for x in xs]


def test_atan2_gradient_at_origin_is_zero():
    _same(lambda L: _grads(L, lambda L, a, b: L.atan2(a, b), [0.0, 0.0, 1.0], [0.0, -0.0, 0.0]))
    g = _grads(ember, lambda L, a, b: L.atan2(a, b), [0.0], [0.0])
    assert [t.item() for t in g] == [0.0, 0.0]


def test_atan2_gradcheck_float64():
    rng = np.random.default_rng(2)
    a = ember.tensor(rng.standard_normal(5), requires_grad=True)
    b = ember.tensor(rng.standard_normal(5), requires_grad=True)
    assert ember.autograd.gradcheck(ember.atan2, (a, b))
    assert ember.autograd.gradgradcheck(ember.atan2, (a, b))


@pytest.mark.parametrize("values", [[math.nan, 1.0, -1.0, 0.0], [math.inf, -math.inf, 50.0, -50.0],
                                    [1e-8, -1e-8, 20.0, -20.0]])
def test_logsigmoid_value_and_gradient_as_torch(values):
    def run(L):
        x = L.tensor(values, requires_grad=True)
        y = L.nn.functional.logsigmoid(x)
        y.sum().backward()
        return y, x.grad
    e, t = run(ember), run(torch)
    for a, b in zip(e, t):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-7)
    if math.isnan(values[0]):
        assert math.isnan(e[1][0].item())


def test_logsigmoid_gradcheck_float64():
    x = ember.tensor(np.random.default_rng(3).standard_normal(6) * 4, requires_grad=True)
    f = ember.nn.functional.logsigmoid
    assert ember.autograd.gradcheck(f, (x,))
    assert ember.autograd.gradgradcheck(f, (x,))


@pytest.mark.parametrize("values", [[1.0, math.nan, 3.0, math.nan], [1.0, math.nan, 3.0],
                                    [2.0, 5.0, 5.0, 1.0], [math.nan], [-math.inf, 1.0]])
@pytest.mark.parametrize("fn", [
    lambda L, a: a.max(), lambda L, a: a.min(), lambda L, a: L.max(a), lambda L, a: L.min(a),
    lambda L, a: a.amax(), lambda L, a: a.amin(), lambda L, a: a.amax(0),
    lambda L, a: a.max(0).values, lambda L, a: a.min(0).values,
])
def test_max_min_gradient_with_nan_and_ties_as_torch(values, fn):
    _same(lambda L: _grads(L, fn, values))


def test_max_of_empty_names_the_op():
    with pytest.raises(RuntimeError, match="^max"):
        ember.zeros(0).max()
    with pytest.raises(RuntimeError, match="^min"):
        ember.min(ember.zeros(2, 0))


@pytest.mark.parametrize("b", [1e-10, 1e-20, 1e-25, -1e-30, 3.0])
def test_div_gradient_for_tiny_divisor_as_torch(b):
    e = _grads(ember, lambda L, x, y: x / y, [1.0, -2.0], [b, b])
    t = _grads(torch, lambda L, x, y: x / y, [1.0, -2.0], [b, b])
    for a, c in zip(e, t):
        np.testing.assert_allclose(a.numpy(), c.numpy(), rtol=1e-6)
        assert np.isfinite(a.numpy()).all() == np.isfinite(c.numpy()).all()


# ---- count_nonzero ----------------------------------------------------------------------------
@pytest.mark.parametrize("kw", [{}, {"dim": 0}, {"dim": 1}, {"dim": -1}, {"dim": (0, 1)}])
@pytest.mark.parametrize("dtype", ["int64", "float32", "bool"])
def test_count_nonzero_is_an_int64_tensor(kw, dtype):
    data = [[1, 0, 2], [0, 0, 3]]
    _same(lambda L: L.count_nonzero(L.tensor(data, dtype=getattr(L, dtype)), **kw))
    _same(lambda L: L.tensor(data, dtype=getattr(L, dtype)).count_nonzero(**kw))
    _same(lambda L: L.count_nonzero(L.zeros(0, 3), **kw))


def test_count_nonzero_bad_dim_names_the_op():
    with pytest.raises(IndexError, match="^count_nonzero"):
        ember.count_nonzero(ember.ones(2, 3), dim=2)


# ---- forms torch takes --------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda L: L.zeros(2, 3, dtype=None), lambda L: L.ones((2,), dtype=None),
    lambda L: L.empty(2, dtype=None).shape, lambda L: L.eye(3, dtype=None),
    lambda L: L.eye(2, 3, dtype=None), lambda L: L.full((2,), 1.5, dtype=None),
    lambda L: L.full((2,), 7, dtype=None), lambda L: L.rand(2, dtype=None).dtype,
    lambda L: L.randn(2, dtype=None).dtype, lambda L: L.linspace(0, 1, 3, dtype=None),
    lambda L: L.arange(3, dtype=None), lambda L: L.randint(0, 3, (2,), dtype=None).dtype,
    lambda L: L.randperm(3, dtype=None).dtype,
])
def test_creation_with_dtype_none(call):
    _same(call)


_SCALAR_FIRST = ["add", "sub", "mul", "div", "true_divide", "multiply", "subtract", "divide",
                 "pow", "remainder", "floor_divide", "bitwise_and", "bitwise_or", "bitwise_xor"]
_NOT_SCALAR_FIRST = ["fmod", "atan2", "maximum", "minimum", "eq", "lt", "ge", "logical_and"]


@pytest.mark.parametrize("op", _SCALAR_FIRST + _NOT_SCALAR_FIRST)
@pytest.mark.parametrize("scalar, other", [(1.5, [1.0, 2.0, -4.0]), (3, [1, 2, -4]),
                                           (True, [1, 2, 0]), (2, [0.5, -1.5, 4.0]),
                                           (7, [True, False, True])])
def test_scalar_first_forms_as_torch(op, scalar, other):
    if op.startswith("bitwise") and (isinstance(scalar, float) or isinstance(other[0], float)):
        # a float operand: torch's NotImplementedError, ember's TypeError (as every bitwise op's)
        with pytest.raises(TypeError, match=f"^{op}"):
            getattr(ember, op)(scalar, ember.tensor(other))
        return
    _same(lambda L: getattr(L, op)(scalar, L.tensor(other)))


@pytest.mark.parametrize("call", [
    lambda L: L.tensor([1.5]).new_zeros(2, 3), lambda L: L.tensor([1]).new_zeros((2, 3)),
    lambda L: L.tensor([1.5]).new_ones(2, dtype=L.int64), lambda L: L.tensor([1]).new_ones([3]),
    lambda L: L.tensor([1.5]).new_empty(2, 1).shape, lambda L: L.tensor([1]).new_empty((0,)).dtype,
    lambda L: L.tensor([1]).new_full((2,), 3.5), lambda L: L.tensor([1.0]).new_full([2], 3),
    lambda L: L.tensor([1]).new_tensor([1.5, 2.5]), lambda L: L.tensor([1.0]).new_tensor(3),
    lambda L: L.tensor([1.0]).new_tensor([1, 2], dtype=L.int64),
    lambda L: L.tensor([1.0]).new_zeros(2, device="cpu"),
    lambda L: L.tensor([1.0]).new_zeros(2, requires_grad=True).requires_grad,
])
def test_new_forms(call):
    _same(call)


def _iadd(t, v):
    t += v
    return t


@pytest.mark.parametrize("value", [2 ** 63 - 1, 2 ** 63, 2 ** 64 - 1, 2 ** 64, 2 ** 70,
                                   -2 ** 63, -2 ** 63 - 1])
@pytest.mark.parametrize("call", [
    lambda L, v: L.tensor([1.0]) + v, lambda L, v: v + L.tensor([1.0]),
    lambda L, v: L.tensor([1.0], dtype=L.float64) * v, lambda L, v: L.tensor([1.0]) > v,
    lambda L, v: L.add(L.tensor([1.0]), v), lambda L, v: L.tensor([1.0]).sub_(v),
    lambda L, v: L.mul(v, L.tensor([2.0])), lambda L, v: L.tensor([1.0]).clamp(max=v),
    lambda L, v: L.tensor([1.0]).clamp_(min=-1.0, max=v), lambda L, v: _iadd(L.tensor([1.0]), v),
])
def test_big_python_ints_against_float_tensors(value, call):
    _same(lambda L: call(L, value))


@pytest.mark.parametrize("value", [2 ** 64, 2 ** 70, -2 ** 63 - 1])
def test_ints_past_uint64_overflow_as_torch(value):
    for call in (lambda L: L.tensor([1]) + value, lambda L: L.tensor([True]) * value,
                 lambda L: L.full((1,), value), lambda L: L.tensor([1.0]).fill_(value)):
        _same(call)


@pytest.mark.parametrize("value", [2 ** 63, 2 ** 64 - 1])
def test_big_ints_against_integer_tensors_raise(value):
    # torch wraps them around (1 + 2**63 is -2**63 + 1); ember refuses rather than wrap
    for call in (lambda: ember.tensor([1]) + value, lambda: ember.add(ember.tensor([1]), value),
                 lambda: value * ember.tensor([True]), lambda: ember.tensor([1]).add_(value),
                 lambda: _iadd(ember.tensor([1]), value)):
        with pytest.raises(RuntimeError, match="without overflow"):
            call()


@pytest.mark.parametrize("mode", [None, "trunc", "floor"])
@pytest.mark.parametrize("a, b", [([-7.0, 7.0, 7.5, -0.5], [2.0, -2.0, 2.0, 3.0]),
                                  ([-7, 7, 6, 0], [2, -2, 3, -5]), ([-7, 7], [2.5, -2.0]),
                                  ([5.0, -5.0], [0.0, 0.0]), ([1.0, 2.0], 0.75), ([-9, 9], 4)])
def test_div_rounding_mode_as_torch(mode, a, b):
    def other(L):
        return b if not isinstance(b, list) else L.tensor(b)
    _same(lambda L: L.div(L.tensor(a), other(L), rounding_mode=mode))
    _same(lambda L: L.tensor(a).div(other(L), rounding_mode=mode))
    _same(lambda L: L.divide(L.tensor(a), other(L), rounding_mode=mode))
    _same(lambda L: L.tensor(a).div_(other(L), rounding_mode=mode))
    if not isinstance(b, list):
        _same(lambda L: L.div(b, L.tensor(a), rounding_mode=mode))


def test_div_rounding_mode_errors():
    with pytest.raises(RuntimeError, match="^div: expected rounding_mode"):
        ember.div(ember.ones(2), ember.ones(2), rounding_mode="round")
    with pytest.raises(RuntimeError, match="^div"):
        ember.div(ember.tensor([1]), ember.tensor([0]), rounding_mode="trunc")
    _same(lambda L: L.div(L.tensor([1]), L.tensor([0]), rounding_mode="floor"))


@pytest.mark.parametrize("mode", ["trunc", "floor"])
def test_div_rounding_mode_gradient_is_zero(mode):
    def run(L):
        x = L.tensor([-7.0, 7.5, 1.0], requires_grad=True)
        y = L.tensor([2.0, 0.0, -3.0], requires_grad=True)
        z = L.div(x, y, rounding_mode=mode)
        (z * L.tensor([1.0, 2.0, 3.0])).sum().backward()
        return z.detach(), x.grad, y.grad
    _same(run)


@pytest.mark.parametrize("element", [0, 5, 3.0, True, -1])
@pytest.mark.parametrize("data", [[[1, 0], [2, 3]], [[[1.0, 3.0]]], [1, 2], 7])
def test_contains_any_number_of_dims(element, data):
    _same(lambda L: element in L.tensor(data))
    _same(lambda L: L.tensor(element) in L.tensor(data))
    with pytest.raises(RuntimeError, match="__contains__"):
        "a" in ember.tensor(data)  # noqa: B015 - the containment check is the test


# ---- more than 64 dims ------------------------------------------------------------------------
def _deep_shape(n):
    shape = [1] * n
    shape[3], shape[-1] = 2, 3
    return shape


@pytest.mark.parametrize("n", [65, 100, 300])
def test_tensors_of_more_than_64_dims_as_torch(n):
    shape = _deep_shape(n)
    _same(lambda L: L.zeros(shape).shape)
    _same(lambda L: (L.arange(6.0).reshape(shape) * 2 + 1).exp().sum())
    _same(lambda L: L.arange(6.0).reshape(shape).unsqueeze(0).squeeze().tolist())
    _same(lambda L: L.arange(6).reshape(shape).permute(*range(n - 1, -1, -1)).contiguous().reshape(6))
    _same(lambda L: L.cat([L.ones(shape), L.zeros(shape)], 0).sum())
    _same(lambda L: L.zeros([1] * n + [0]).shape)
    _same(lambda L: L.arange(6.0).reshape(shape).cumsum(-1).reshape(6))
    assert repr(ember.arange(6.0).reshape(shape)) == repr(torch.arange(6.0).reshape(shape))
    assert repr(ember.arange(2000).reshape([1] * n + [2000])) == \
        repr(torch.arange(2000).reshape([1] * n + [2000]))


def test_gradients_through_more_than_64_dims():
    def run(L):
        x = L.arange(6.0).reshape(_deep_shape(70)).requires_grad_()
        (x.exp() * x).sum().backward()
        return x.grad.reshape(6)
    e, t = run(ember), run(torch)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)

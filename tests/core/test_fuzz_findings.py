"""Regressions from the differential fuzzer (tests/fuzz): each case is a divergence from torch it
found, fixed, and pinned here with torch as the oracle."""
import math

import numpy as np
import pytest

from op_db import ember


def _bits(values):
    """Values with the sign of zero made visible."""
    return [(v, math.copysign(1.0, v)) if v == 0 else v for v in values]


@pytest.mark.parametrize("name", ["abs", "relu"])
def test_signed_zeros_as_torch(name, torch):
    """|-0.0| is +0.0 (IEEE fabs); relu keeps -0.0 (torch's clamp_min); NaN stays NaN."""
    data = [-0.0, 0.0, -1.5, 2.0]
    e = getattr(ember, name)(ember.tensor(data)).tolist()
    t = getattr(torch, name)(torch.tensor(data)).tolist()
    assert _bits(e) == _bits(t)
    assert math.isnan(getattr(ember, name)(ember.tensor([math.nan])).item())


@pytest.mark.parametrize("value", [0, 1, 2.5])
def test_nonzero_as_tuple_of_a_0d_tensor(value, torch):
    e = ember.nonzero(ember.tensor(value), as_tuple=True)
    t = torch.nonzero(torch.tensor(value), as_tuple=True)
    assert len(e) == len(t) == 1
    assert e[0].tolist() == t[0].tolist() and tuple(e[0].shape) == tuple(t[0].shape)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss"])
@pytest.mark.parametrize("shapes", [((2,), ()), ((), ()), ((2,), (2,))], ids=str)
def test_regression_losses_promote_as_torch(name, shapes, torch):
    """A float64 target (0-d too) with a float32 input: torch's dtype and values."""
    import ember.nn.functional as EF
    import torch.nn.functional as TF

    a, b = shapes
    e = getattr(EF, name)(ember.full(a, 2.5), ember.full(b, 1.9, dtype=ember.float64), reduction="none")
    t = getattr(TF, name)(torch.full(a, 2.5), torch.full(b, 1.9, dtype=torch.float64), reduction="none")
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    assert e.tolist() == pytest.approx(t.tolist())


@pytest.mark.parametrize("name,size", [("adaptive_avg_pool2d", (2147483648,)), ("adaptive_max_pool2d", (3,)),
                                       ("adaptive_avg_pool1d", (2, 2))])
def test_regression_adaptive_pool_output_size_length(name, size, torch):
    """A 1-tuple output_size for a 2-d pool was read as square (and 2^31 hung); torch refuses it."""
    import ember.nn.functional as EF
    import torch.nn.functional as TF

    with pytest.raises(RuntimeError):
        getattr(TF, name)(torch.ones(2, 4, 1), size)
    with pytest.raises(ValueError, match=name + ": output_size must be"):
        getattr(EF, name)(ember.ones(2, 4, 1), size)


def test_regression_randint_size_must_be_a_sequence(torch):
    """randint(3, 2**31) took 2**31 as a size (2 GB, a minute); torch refuses an int size."""
    with pytest.raises(TypeError):
        torch.randint(3, 10)
    with pytest.raises(TypeError, match="randint: argument 'size'"):
        ember.randint(3, 2 ** 31)
    assert tuple(ember.randint(3, (2,)).shape) == (2,)


@pytest.mark.parametrize("divisor", [-1, -3, 5])
def test_regression_avg_pool_negative_divisor_override(divisor, torch):
    """A negative divisor_override divides, as torch's (ember ignored it)."""
    import ember.nn.functional as EF
    import torch.nn.functional as TF

    x = [[[[float(i * 4 + j) for j in range(4)] for i in range(4)]]]
    e = EF.avg_pool2d(ember.tensor(x), 2, divisor_override=divisor)
    t = TF.avg_pool2d(torch.tensor(x), 2, divisor_override=divisor)
    assert e.tolist() == t.tolist()


@pytest.mark.parametrize("data", [[2 ** 70], 2 ** 70, [1, -(2 ** 64)]])
def test_regression_tensor_of_an_int_beyond_int64_is_a_value_error(data, torch):
    with pytest.raises(ValueError):
        torch.tensor(data)
    with pytest.raises(ValueError, match="tensor: a Python int does not fit in int64"):
        ember.tensor(data)


@pytest.mark.parametrize("name", ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
                                  "float32", "float64"])
def test_regression_type_without_dtype_names_the_legacy_type(name, torch):
    expected = torch.zeros(1, dtype=getattr(torch, name)).type()
    assert ember.zeros(1, dtype=getattr(ember, name)).type() == expected.replace("torch.", "ember.")
    assert ember.zeros(1).type(getattr(ember, name)).dtype == getattr(ember, name)


@pytest.mark.parametrize("method", ["remainder", "remainder_", "fmod", "floor_divide"])
def test_int_divisor_that_wraps_to_zero_raises(method, torch):
    """int16 % 2**31: the divisor is cast to int16 first, where it is 0 (it crashed with SIGFPE)."""
    x = ember.tensor([-1, -4], dtype=ember.int16)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        getattr(x, method)(2**31)
    assert getattr(ember.tensor([7], dtype=ember.int16), method)(2**31 + 3).tolist() == \
        getattr(torch.tensor([7], dtype=torch.int16), method)(2**31 + 3).tolist()


def _same(e, t):
    """ember's tensor equals torch's: dtype name, shape, values with NaN and the sign of zero."""
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    assert tuple(e.shape) == tuple(t.shape)
    ev, tv = e.double().flatten().tolist(), t.double().flatten().tolist()
    assert [("nan" if v != v else v) for v in _bits(ev)] == [("nan" if v != v else v) for v in _bits(tv)]


def _both(torch, f):
    """f(L) on ember and on torch."""
    return f(ember), f(torch)


_ZEROS = [-0.0, 0.0, -1.5, 2.0, -3.0, math.nan, 1e-45]


@pytest.mark.parametrize("call", [
    lambda L, F: F.elu(L.tensor(_ZEROS)),
    lambda L, F: F.elu(L.tensor(_ZEROS), math.inf),
    lambda L, F: F.elu(L.tensor(_ZEROS, dtype=L.bfloat16), -2.5),
    lambda L, F: F.celu(L.tensor(_ZEROS), -1.36),
    lambda L, F: F.selu(L.tensor(_ZEROS, dtype=L.float64)),
    lambda L, F: F.relu6(L.tensor(_ZEROS, dtype=L.float16)),
    lambda L, F: F.hardswish(L.tensor([3.4e38, -3.4e38, -0.0, 1.0])),
    lambda L, F: F.softsign(L.tensor([127, -128, 5], dtype=L.int8)),
    lambda L, F: F.softsign(L.tensor([32767, -7], dtype=L.int16)),
    lambda L, F: F.threshold(L.tensor([-2, -1, 0, 3], dtype=L.int8), -1.31, -2.69),
    lambda L, F: F.threshold(L.tensor([1.0009765625, 1.0], dtype=L.float16), 1.0006, -5.0),
    lambda L, F: F.threshold(L.tensor([0, 1, 2], dtype=L.uint8), 0.5, -1),
    lambda L, F: L.clamp_min(L.tensor([5e-324, -0.0, 0.0], dtype=L.float64), 0),
    lambda L, F: L.clamp_max(L.tensor([0.0, -0.0, 1.0]), -0.0),
    lambda L, F: L.clamp(L.tensor([-0.0, 0.0, 2.0]), 0.0, 1.0),
    lambda L, F: L.clamp_min(L.tensor([0, -1], dtype=L.int16), -0.0),
    lambda L, F: L.round(L.tensor([-2.900390625, 0.67919921875], dtype=L.float16), decimals=6),
    lambda L, F: L.round(L.tensor([-2.30078125], dtype=L.float16), decimals=39),
    lambda L, F: L.ldexp(L.tensor([1000.0], dtype=L.float16), L.tensor([-30])),
    lambda L, F: L.ldexp(L.tensor([1.5], dtype=L.bfloat16), L.tensor([3], dtype=L.int8)),
    lambda L, F: L.ldexp(L.tensor([3], dtype=L.int16), L.tensor([1], dtype=L.int8)),
    lambda L, F: F.hardswish(L.tensor([65504.0, 60000.0, 1.0, -1.5, 0.7, 2.9, -2.9], dtype=L.float16)),
    lambda L, F: F.hardswish(L.tensor([3.3e38, 60000.0, 1.0, -1.5, 0.7, 2.9, -2.9], dtype=L.bfloat16)),
    lambda L, F: F.hardsigmoid(L.tensor([1.0, -1.5, 0.7, 2.9, -2.9, 0.001], dtype=L.float16)),
    lambda L, F: F.mish(L.tensor([1.0, -1.5, 0.7, 2.9, -2.9, 0.001, 20.0], dtype=L.bfloat16)),
    lambda L, F: L.tensor([-0.25, -1.0, 0.0, 2.0], dtype=L.bfloat16) ** 1e-300,
    lambda L, F: L.tensor([-0.25, 2.0, 3.0], dtype=L.bfloat16) ** 2.001,
    lambda L, F: L.tensor([-0.25, 2.0, 3.0], dtype=L.float16) ** 2.001,
    lambda L, F: L.pow(L.tensor([-0.25, 0.0, 3.0], dtype=L.float16), 1e-300),
    lambda L, F: L.pow(L.tensor([-0.25, 0.0, 3.0], dtype=L.float32), 1e-300),
], ids=lambda c: "")
def test_activation_and_clamp_values_as_torch(call, torch):
    """Signed zeros (x < 0 takes elu's exponential; clamp by a number keeps x on a tie), overflow in
    torch's order (hardswish), NaN thresholds, integer wrap (softsign), bounds read in x's dtype
    (threshold), round's power of ten in float32 for 16-bit floats, ldexp's dtype; 16-bit floats'
    hardswish, hardsigmoid and mish computed in float32 and rounded once, and a number exponent
    rounded to their dtype (x ** 1e-300 is 1)."""
    import ember.nn.functional as EF
    import torch.nn.functional as TF

    _same(call(ember, EF), call(torch, TF))


def test_softplus_nan_threshold_takes_the_smooth_branch(torch):
    """A NaN threshold is never exceeded (torch's). Within float32 rounding: ember's log1p and
    torch's round differently in the last place."""
    import ember.nn.functional as EF
    import torch.nn.functional as TF

    ours = EF.softplus(ember.tensor([0.64, -2.2, 0.1, 50.0]), 1.57, threshold=math.nan)
    theirs = TF.softplus(torch.tensor([0.64, -2.2, 0.1, 50.0]), 1.57, threshold=math.nan)
    assert ours.tolist() == pytest.approx(theirs.tolist(), rel=3e-7, abs=0)


def test_elu_inplace_with_an_infinite_alpha_keeps_zeros(torch):
    import ember.nn.functional as EF
    import torch.nn.functional as TF

    e, t = ember.tensor(_ZEROS), torch.tensor(_ZEROS)
    EF.elu(e, math.inf, inplace=True)
    TF.elu(t, math.inf, inplace=True)
    _same(e, t)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("op", ["add", "sub"])
def test_16bit_add_with_alpha_rounds_the_product_as_torch(op, dtype, torch):
    """torch's scalar loop: alpha in the dtype, alpha * other rounded to it, then the sum."""
    import random

    rng = random.Random(0)
    a = [rng.uniform(-3, 3) for _ in range(7)]
    b = [rng.uniform(-3, 3) for _ in range(7)]
    for alpha in (-2.07, -0.93, 1.3):
        e, t = _both(torch, lambda L: getattr(L.tensor(a, dtype=getattr(L, dtype)), op)(
            L.tensor(b, dtype=getattr(L, dtype)), alpha=alpha))
        _same(e, t)
    e, t = _both(torch, lambda L: L.tensor(-1.448, dtype=getattr(L, dtype)).sub_(2.35, alpha=-0.93))
    _same(e, t)


@pytest.mark.parametrize("call", [
    lambda L: L.tensor([7], dtype=L.int8).add(L.tensor([3], dtype=L.int8), alpha=1000),
    lambda L: L.tensor([7.0], dtype=L.float16).add(L.tensor([3.0], dtype=L.float16), alpha=1e6),
    lambda L: L.tensor([-1], dtype=L.int8).add(1.24, alpha=-1e308),
    lambda L: L.tensor([False, True]).sub(L.tensor([1.0, 2.0], dtype=L.bfloat16), alpha=1.3),
    lambda L: L.addcmul(L.tensor([1.0]), L.tensor([2.0]), L.tensor([3.0]), value=1e308),
    lambda L: L.addcmul(L.tensor([True]), L.tensor([True]), L.tensor([True])),
    lambda L: L.addcmul(L.tensor([1], dtype=L.int8), L.tensor([2], dtype=L.int8), L.tensor([3], dtype=L.int8),
                        value=1000),
    lambda L: L.clamp(L.tensor([1.0], dtype=L.float16), max=1e308),
    lambda L: L.clamp(L.tensor([1, 2], dtype=L.int8), 1000),
    lambda L: L.nn.functional.threshold(L.tensor([1, 2], dtype=L.int8), 1.9, 200),
    lambda L: L.nn.functional.leaky_relu(L.tensor([-2.3]), 1e308),
    lambda L: L.nn.functional.hardtanh_(L.tensor([7, 6], dtype=L.uint8)),
    lambda L: L.addr(L.tensor([[1.0]]), L.tensor([1.0]), L.tensor([2.0]), beta=-1e308),
    lambda L: L.addr(L.tensor([[1]]), L.tensor([1]), L.tensor([2]), beta=2.5),
], ids=lambda c: "")
def test_number_arguments_that_do_not_fit_raise_as_torch(call, torch):
    """A number argument is read in the op's dtype (float32 for 16-bit floats' arithmetic) and must
    fit it; sub of a bool tensor; addcmul of bools; hardtanh of uint8 with a negative bound."""
    with pytest.raises((RuntimeError, NotImplementedError)):
        call(torch)
    with pytest.raises((RuntimeError, TypeError, ValueError)):
        call(ember)


@pytest.mark.parametrize("call", [
    # mixed dtypes compute in the common dtype (value * t1 is not rounded to t1's bfloat16)
    lambda L: L.addcmul(L.tensor([1.563, -1.2]), L.tensor([0.095, 0.321], dtype=L.bfloat16),
                        L.tensor([-1.779, -0.5]), value=-3),
    lambda L: L.addcmul(L.tensor([-0.3, 2.6]), L.tensor(0.9, dtype=L.bfloat16),
                        L.tensor([-1.745, -2.156], dtype=L.bfloat16)),
    # 16-bit floats in float32, rounded once
    lambda L: L.addcmul(L.tensor([0.33, -0.4, 1.7], dtype=L.bfloat16), L.tensor([1.1, -2.3, 0.7], dtype=L.bfloat16),
                        L.tensor([-0.9, 0.3, 2.2], dtype=L.bfloat16), value=-5),
    lambda L: L.addcdiv(L.tensor([1.3232421875, -1.41015625], dtype=L.float16),
                        L.tensor([0.5419921875, -2.099609375], dtype=L.float16), L.tensor(-2.044921875, dtype=L.float16)),
    # the result dtype is the three's common one
    lambda L: L.addcdiv(L.tensor([1, 2], dtype=L.int8), L.tensor([3, 4]), L.tensor([0.5, 2.0], dtype=L.bfloat16),
                        value=-1.83),
    lambda L: L.addcmul(L.tensor([-2, 5], dtype=L.int32), L.tensor([True, False]), L.tensor([3, 4], dtype=L.int32),
                        value=4),
    # an integer dtype truncates a float value; uint8 takes -1 (wrapping)
    lambda L: L.addcmul(L.tensor([7], dtype=L.uint8), L.tensor([3], dtype=L.uint8), L.tensor([1], dtype=L.uint8),
                        value=2.99),
    lambda L: L.addcmul(L.tensor([7], dtype=L.int16), L.tensor([3], dtype=L.int16), L.tensor([1], dtype=L.int16),
                        value=-2.99),
    lambda L: L.addcmul(L.tensor([1], dtype=L.uint8), L.tensor([2], dtype=L.uint8), L.tensor([3], dtype=L.uint8),
                        value=-1),
    lambda L: L.tensor(-8, dtype=L.int8).addcmul_(L.tensor(4), L.tensor(1, dtype=L.int16), value=2.28),
    # addmm and baddbmm truncate a float beta/alpha for integers; addr promotes its inputs
    lambda L: L.addmm(L.tensor([[0, 8], [3, 3]], dtype=L.int16), L.tensor([[1, 2], [3, 4]], dtype=L.int16),
                      L.tensor([[1, 0], [0, 1]], dtype=L.int16), beta=-1.07, alpha=2.9),
    lambda L: L.baddbmm(L.tensor([[[0, 8], [3, 3]]]), L.tensor([[[1, 2], [3, 4]]]), L.tensor([[[1, 0], [0, 1]]]),
                        beta=0.5),
    lambda L: L.addr(L.tensor([2.8]), L.tensor([2.347]), L.tensor([3], dtype=L.int8)),
    lambda L: L.addr(L.tensor([True, False]), L.tensor([-0.7, 2.2], dtype=L.float16), L.tensor([True, True])),
    # clamp_ takes a result of x's kind; one bool tensor bound is an or / and
    lambda L: L.tensor([[-0.5]]).clamp_(L.tensor([[-0.9]]), L.tensor([[-2.7]], dtype=L.float64)),
    lambda L: L.tensor([-0.2, 88.8], dtype=L.float16).clamp_max_(L.tensor([-0.5, -0.29], dtype=L.bfloat16)),
    lambda L: L.tensor([False, True, False]).clamp_max(L.tensor([True, False, False])),
    lambda L: L.tensor([False, True, False]).clip(L.tensor([True, False, False])),
    # addr: (alpha * vec1) * vec2, so alpha = 0 (1e-300 in float32) zeroes an overflowing outer
    lambda L: L.addr(L.tensor(True), L.tensor([1.2, -0.65]), L.tensor([3.4e38, math.nan]), beta=-2.57, alpha=1e-300),
    # isin reads a Python number in the tensor's dtype: 5e-324 is 0 in float16
    lambda L: L.isin(5e-324, L.tensor([1.72, 0.0], dtype=L.float16)),
], ids=lambda c: "")
def test_pointwise_arithmetic_as_torch(call, torch):
    _same(call(ember), call(torch))


# ---- reductions (norm, var) ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["var", "std", "var_mean", "std_mean"])
@pytest.mark.parametrize("correction", [-1, 0, 1])
def test_regression_var_of_an_empty_slice_is_nan(name, correction, torch):
    """0 / (0 - correction) gave 0 for a negative correction; torch's variance of nothing is NaN."""
    import warnings

    from op_db import assert_same

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for shape, dim in (((0,), None), ((0, 3), 0), ((2, 0), 1)):
            e = getattr(ember, name)(ember.zeros(shape), dim, correction=correction)
            t = getattr(torch, name)(torch.zeros(shape), dim, correction=correction)
            assert_same(e, t)


@pytest.mark.parametrize("p", [2, 3, 0.5, -1.0, math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("shape,dim", [((), None), ((1,), None), ((2, 1), 1), ((1, 2), 0), ((1, 2), None),
                                       ((), 0), ((0, 3), 0), ((0, 3), None)], ids=str)
def test_regression_norm_shortcuts_as_torch(p, shape, dim, torch):
    """torch's norm over one-element slices is |x| for any p (no overflow in x * x near FLT_MAX, no
    NaN for p = nan); over empty slices it is 0 (p = nan too), an error for p < 0 (no identity).
    A 0-d tensor with a dim takes the general path."""
    from op_db import assert_same

    data = (-3.0e38 * torch.ones(shape)).numpy()
    if (p < 0 or math.isinf(p)) and 0 in shape:
        with pytest.raises(RuntimeError):
            torch.norm(torch.tensor(data), p, dim)
        with pytest.raises(IndexError, match=f"norm: cannot compute the {p:g} norm over dim 0 of size 0"):
            ember.norm(ember.tensor(data), p, dim)
        return
    for E, T in ((ember.norm, torch.norm), (ember.linalg.vector_norm, torch.linalg.vector_norm)):
        assert_same(E(ember.tensor(data), p, dim), T(torch.tensor(data), p, dim))
    assert_same(ember.dist(ember.tensor(data), ember.zeros(shape), p), torch.dist(torch.tensor(data), torch.zeros(shape), p))


# ---- scans, quantile -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_regression_cumsum_casts_integers_to_a_floating_dtype_first(dtype, torch):
    """int16 values beyond float16's integers round before the running sum, as torch's."""
    from op_db import assert_same

    data = [32767, -32768, 2049, 64, -1, 32767, 3]
    for name in ("cumsum", "cumprod"):
        e = getattr(ember, name)(ember.tensor(data, dtype=ember.int16), 0, dtype=getattr(ember, dtype))
        t = getattr(torch, name)(torch.tensor(data, dtype=torch.int16), 0, dtype=getattr(torch, dtype))
        assert str(e.dtype).split(".")[-1] == dtype
        assert_same(e.float(), t.float())


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "logcumsumexp", "cumsum_", "cumprod_"])
def test_regression_scan_of_a_0d_tensor_keeps_its_value(name, torch):
    """A 0-d scan is a copy: -0.0 stays -0.0 (0 + -0.0 gave +0.0)."""
    e = getattr(ember.tensor(-0.0), name)(0)
    t = getattr(torch.tensor(-0.0), name)(0)
    assert _bits([e.item()]) == _bits([t.item()])


@pytest.mark.parametrize("q", [0.5, [0.25, 0.5]])
@pytest.mark.parametrize("dim", [None, 0, -1])
def test_regression_quantile_keepdim_of_a_0d_tensor(q, dim, torch):
    """A 0-d input has no dim to keep: keepdim adds none (it gave (1,) or (Q, 1))."""
    from op_db import assert_same

    for name in ("quantile", "nanquantile"):
        e = getattr(ember, name)(ember.tensor(2.5), ember.tensor(q), dim, keepdim=True)
        t = getattr(torch, name)(torch.tensor(2.5), torch.tensor(q), dim, keepdim=True)
        assert_same(e, t)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_regression_16bit_scans_run_in_float(dtype, torch):
    """torch runs a 16-bit scan in float: a product past FLT_MAX stays inf (times 0: NaN); a double
    running value came back finite."""
    data = [3e38, 2.0, 0.5, 0.0, 1.0] if dtype == "bfloat16" else [60000.0, 2.0, 0.5, 0.0, 1.0]
    for name in ("cumprod", "cumsum", "logcumsumexp"):
        e = getattr(ember, name)(ember.tensor(data, dtype=getattr(ember, dtype)), 0).float().tolist()
        t = getattr(torch, name)(torch.tensor(data, dtype=getattr(torch, dtype)), 0).float().tolist()
        assert str(e) == str(t), name
    e = ember.cumprod(ember.tensor([1e30, 1e10, 1e-10, 1.0]), 0, dtype=getattr(ember, dtype)).float().tolist()
    t = torch.cumprod(torch.tensor([1e30, 1e10, 1e-10, 1.0]), 0, dtype=getattr(torch, dtype)).float().tolist()
    assert str(e) == str(t)


def test_regression_matrix_exp_scales_each_matrix_of_a_batch(torch):
    """One scaling for the whole batch: a matrix holding inf left the others unscaled (finite
    garbage where torch overflows to inf), a huge one scaled the small ones to the identity."""
    from op_db import assert_same

    a = [[[0.0, 65504.0], [-math.inf, 2.0]], [[-104.0, 65504.0], [0.5, -0.0]]]
    assert_same(ember.matrix_exp(ember.tensor(a)), torch.matrix_exp(torch.tensor(a)))
    b = [[[0.5, -1.0], [1.3, 2.3]], [[3e30, 0.0], [0.0, -3e30]]]
    e, t = ember.matrix_exp(ember.tensor(b)), torch.matrix_exp(torch.tensor(b))
    assert_same(e[0], t[0], rtol=1e-5)


@pytest.mark.parametrize("indices", [[3, 1], [8, 1, 2**63 - 1, -1], [2, -1], [-5], [0, 0, 4]], ids=str)
def test_regression_tensor_split_pieces_are_independent_slices(indices, torch):
    """Piece k is x[indices[k-1]:indices[k]]: an index below its predecessor starts a piece there
    (it started at the largest index so far)."""
    e = ember.tensor([-7, 1, -2, 3]).tensor_split(indices)
    t = torch.tensor([-7, 1, -2, 3]).tensor_split(indices)
    assert [x.tolist() for x in e] == [x.tolist() for x in t]


def test_regression_split_by_a_tensor_as_torch(torch):
    """tensor_split takes only an int64 tensor (0-d: sections, 1-D: indices); hsplit/vsplit/dsplit
    only a 0-d integer one, read as an int (so its divisibility is checked)."""
    x = ember.ones(4, 4, 4)
    assert [tuple(p.shape) for p in ember.tensor_split(x, ember.tensor([1, 2]))] == [(1, 4, 4), (1, 4, 4), (2, 4, 4)]
    assert len(ember.tensor_split(x, ember.tensor(2))) == 2
    for how in (ember.tensor(2.0), ember.tensor([1], dtype=ember.int16), ember.tensor([False, True])):
        with pytest.raises(RuntimeError):
            torch.tensor_split(torch.ones(4, 4, 4), torch.tensor(how.tolist(), dtype=getattr(torch, str(how.dtype)[6:])))
        with pytest.raises(TypeError, match="tensor_split expected tensor_indices_or_sections to have dtype of long"):
            ember.tensor_split(x, how)
    with pytest.raises(ValueError, match="zero-dimensional or one-dimensional"):
        ember.tensor_split(x, ember.tensor([[1]]))
    with pytest.raises(RuntimeError, match="not divisible"):
        torch.dsplit(torch.ones(4, 4, 4), torch.tensor(8, dtype=torch.uint8))
    with pytest.raises(RuntimeError, match="dsplit: .*not divisible by the split_size 8"):
        ember.dsplit(x, ember.tensor(8, dtype=ember.uint8))
    assert len(ember.dsplit(x, ember.tensor(2))) == 2
    assert [tuple(p.shape) for p in x.hsplit(ember.tensor([1], dtype=ember.int16))] == [(4, 1, 4), (4, 3, 4)]
    with pytest.raises(TypeError, match="hsplit"):
        ember.hsplit(x, ember.tensor([1, 2]))


def test_regression_gather_scatter_take_a_0d_or_empty_index(torch):
    """torch counts a 0-d index as 1-D and checks nothing for an empty one."""
    from op_db import assert_same

    ex, tx = ember.tensor([9, 8, 1]), torch.tensor([9, 8, 1])
    assert_same(ex.gather(0, ember.tensor(1)), tx.gather(0, torch.tensor(1)))
    assert_same(ex.scatter(0, ember.tensor(1), ember.tensor([2, 5, 3])),
                tx.scatter(0, torch.tensor(1), torch.tensor([2, 5, 3])))
    assert_same(ex.scatter_add(0, ember.tensor(2), ember.tensor(7)),
                tx.scatter_add(0, torch.tensor(2), torch.tensor(7)))
    assert_same(ex.gather(0, ember.zeros((5, 0, 3), dtype=ember.int64)),
                tx.gather(0, torch.zeros((5, 0, 3), dtype=torch.int64)))
    assert_same(ex.scatter(-1, ember.zeros((0, 5, 1), dtype=ember.int64), ember.tensor(4)),
                tx.scatter(-1, torch.zeros((0, 5, 1), dtype=torch.int64), torch.tensor(4)))
    assert_same(ember.tensor(0.7).scatter_add_(-1, ember.zeros((2, 0), dtype=ember.int8), ember.tensor(2.5)),
                torch.tensor(0.7).scatter_add_(-1, torch.zeros((2, 0), dtype=torch.int8), torch.tensor(2.5)))
    with pytest.raises(ValueError, match="gather: index tensor must have the same number of dims"):
        ember.tensor([[5, 6]]).gather(1, ember.tensor(1))
    src = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    ember.zeros(3).scatter(0, ember.tensor(1), src).sum().backward()
    assert src.grad.tolist() == [1.0, 0.0, 0.0]


def test_regression_0d_mT_roll_and_copy_of_a_number(torch):
    """torch: a 0-d mT is the tensor; roll takes integer tensors for shifts and dims; copy_ takes a
    Python number."""
    from op_db import assert_same

    assert_same(ember.tensor(2).mT, torch.tensor(2).mT)
    assert_same(ember.tensor([1, 2, 3]).roll(ember.tensor([1], dtype=ember.int16), (0,)),
                torch.tensor([1, 2, 3]).roll(torch.tensor([1], dtype=torch.int16), (0,)))
    assert_same(ember.roll(ember.tensor([2, 127], dtype=ember.int8), ember.tensor(-7, dtype=ember.int32)),
                torch.roll(torch.tensor([2, 127], dtype=torch.int8), torch.tensor(-7, dtype=torch.int32)))
    assert_same(ember.tensor(-4).roll(ember.tensor(2), dims=()), torch.tensor(-4).roll(torch.tensor(2), dims=()))
    assert_same(ember.tensor([1, 2]).roll(ember.tensor(True)), torch.tensor([1, 2]).roll(torch.tensor(True)))
    for value in (1, 2.5, True, 300):
        assert_same(ember.tensor([1, 2], dtype=ember.int8).copy_(value), torch.tensor([1, 2], dtype=torch.int8).copy_(value))
        assert_same(ember.tensor(3.0).copy_(value), torch.tensor(3.0).copy_(value))
    with pytest.raises(TypeError, match="copy_"):
        ember.tensor([1.0]).copy_("a")


@pytest.mark.parametrize("a,b", [(-1, [0.5]), (2.5, [1]), ([1], 2.5), (1, 2), (1.0, 2), (True, [1])], ids=str)
def test_regression_result_type_takes_python_numbers(a, b, torch):
    """Numbers take part as torch's wrapped numbers: a lower category decides nothing."""
    def arg(L, v):
        return L.tensor(v) if isinstance(v, list) else v

    e, t = ember.result_type(arg(ember, a), arg(ember, b)), torch.result_type(arg(torch, a), arg(torch, b))
    assert str(e).split(".")[-1] == str(t).split(".")[-1]


@pytest.mark.parametrize("dtype", ["float32", "float16", "float64"])
def test_regression_norm_power_in_the_dtype(dtype, torch):
    """torch's norm kernel holds p and 1 / p in the accumulation dtype (float32 below float64): p =
    1e39 is inf there and p = 5e-324 is 0, so the general formula gives 1 and inf, not the max or a
    count. (Found through F.embedding's max_norm.)"""
    from op_db import assert_same

    rows = [[0.8, -2.7], [0.7, 1e-30], [-0.0, 2.5], [float("-inf"), 3.0]]
    for p in (1e39, -1e39, 1e308, -1e308, 5e-324, 3.5):
        for E, T in ((ember.norm, torch.norm), (ember.linalg.vector_norm, torch.linalg.vector_norm)):
            assert_same(E(ember.tensor(rows, dtype=getattr(ember, dtype)), p, 1),
                        T(torch.tensor(rows, dtype=getattr(torch, dtype)), p, 1))


@pytest.mark.parametrize("out_shape, out_dtype", [((1, 5, 2), "float32"), ((2,), "float64"), ((0,), "float16")])
def test_regression_normalize_out_follows_div_out_rules(out_shape, out_dtype, torch):
    """normalize(out=) is torch's div(out=): out is resized to the result and takes its dtype's values."""
    import warnings

    import ember.nn.functional as EF
    import torch.nn.functional as TF

    data = [-2.0, 3.0]
    oe, ot = ember.zeros(*out_shape, dtype=getattr(ember, out_dtype)), torch.zeros(*out_shape, dtype=getattr(torch, out_dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        re, rt = EF.normalize(ember.tensor(data), 0.5, 0, 1e-5, oe), TF.normalize(torch.tensor(data), 0.5, 0, 1e-5, ot)
    assert re is oe and tuple(oe.shape) == tuple(ot.shape) and str(oe.dtype)[6:] == str(ot.dtype)[6:]
    assert oe.tolist() == pytest.approx(ot.tolist())
    with pytest.raises(RuntimeError):  # a float result does not go into an integer out
        TF.normalize(torch.tensor(data), dim=0, out=torch.zeros(2, dtype=torch.int16))
    with pytest.raises(RuntimeError, match="cast"):
        EF.normalize(ember.tensor(data), dim=0, out=ember.zeros(2, dtype=ember.int16))


@pytest.mark.parametrize("p, dim", [(None, 1), (2.0, None), (None, None), (2.0, ()), (1.0, [0, 1]), ("fro", -1)],
                         ids=str)
def test_regression_normalize_takes_torch_norms_p_and_dim(p, dim, torch):
    """p=None is the 2-norm and dim None or () every dim, as torch's Tensor.norm (normalize calls it)."""
    import ember.nn.functional as EF
    import torch.nn.functional as TF

    data = [[3.0, -4.0, 0.5], [0.0, 1.0, -2.0]]
    e, t = EF.normalize(ember.tensor(data), p, dim), TF.normalize(torch.tensor(data), p, dim)
    assert tuple(e.shape) == tuple(t.shape)
    assert e.flatten().tolist() == pytest.approx(t.flatten().tolist(), rel=1e-6)


_RTOL = {"float64": 1e-12, "float32": 2e-6, "float16": 1e-3, "bfloat16": 8e-3}


def _same_values(e, t):
    """Equal dtype and values (NaN equal to NaN, zero signs told apart), to the dtype's precision."""
    import numpy as np
    name = str(e.dtype).split(".")[1]
    assert name == str(t.dtype).split(".")[1]
    a, b = np.asarray(e.double().tolist()), np.asarray(t.double().tolist())
    assert np.allclose(a, b, rtol=_RTOL[name], atol=0, equal_nan=True), (a, b)
    assert (np.signbit(a) == np.signbit(b))[(a == 0) & (b == 0)].all()


def test_regression_i0_of_a_subnormal_is_one(torch):
    """libstdc++'s Bessel I0 is NaN at 5e-324; torch's (and the series') is 1."""
    data = [5e-324, -5e-324, 1e-310, 1e-20, 0.0]
    assert ember.i0(ember.tensor(data, dtype=ember.float64)).tolist() == [1.0] * 5
    x = ember.tensor([5e-324, 1e-20], dtype=ember.float64, requires_grad=True)
    ember.i0(x).sum().backward()
    assert all(math.isfinite(g) and g >= 0 for g in x.grad.tolist())


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 10, 40, 2 ** 31])
def test_regression_polygamma_as_torch(n, dtype, torch):
    """torch's kernels: trigamma with reflection (finite near negative integers), then
    exp(lgamma(n + 1)) zeta(n + 1, x) rounded in x's dtype, n read as a C int."""
    data = [2.0, -2.0, -2.2, -0.22, 1.4e-45, 0.5, 3.7, -104.0, 1e3, math.inf, -math.inf, math.nan, 0.0, -0.0]
    e = ember.polygamma(n, ember.tensor(data, dtype=getattr(ember, dtype)))
    t = torch.polygamma(n, torch.tensor(data, dtype=getattr(torch, dtype)))
    _same_values(e, t)


def test_regression_rfloordiv_reads_the_number_in_a_16bit_dtype(torch):
    """3.4e38 // float16 tensor: the number is inf in float16 first, so every quotient is NaN."""
    for dtype in ["float16", "bfloat16", "float32"]:
        data = [65504.0, 0.5, -3.0, 1.0]
        for number in [3.4e38, 1e5, 7, 2.5]:
            e = number // ember.tensor(data, dtype=getattr(ember, dtype))
            t = number // torch.tensor(data, dtype=getattr(torch, dtype))
            _same_values(e, t)


def test_regression_threshold_takes_an_int_past_int64(torch):
    """A Python int in [2^63, 2^64) is a float to torch's threshold: fine for a float input."""
    import ember.nn.functional as EF
    import torch.nn.functional as TF
    for v in [2 ** 63, 2 ** 63 - 1]:
        e, t = EF.threshold(ember.tensor([1.0, 2.0]), 1.5, v), TF.threshold(torch.tensor([1.0, 2.0]), 1.5, v)
        assert e.tolist() == t.tolist()
        x = ember.tensor([1.0, 2.0])
        EF.threshold_(x, 1.5, v)
        assert x.tolist() == t.tolist()
    with pytest.raises(RuntimeError):
        EF.threshold(ember.tensor([1, 2]), 1, 2 ** 63)
    with pytest.raises(OverflowError):
        EF.threshold(ember.tensor([1.0]), 1, 2 ** 64)


def test_regression_clamp_out_casts_with_tensor_bounds(torch):
    """clamp(out=) of another floating dtype: torch's tensor-bound overload casts, the number one refuses."""
    x, lo = [1.5, -2.0, 3.0], [0.0, 0.0, 0.0]
    e = ember.clamp(ember.tensor(x), min=ember.tensor(lo), out=ember.empty(3, dtype=ember.bfloat16))
    t = torch.clamp(torch.tensor(x), min=torch.tensor(lo), out=torch.empty(3, dtype=torch.bfloat16))
    assert str(e.dtype) == "ember.bfloat16" and e.tolist() == t.tolist()
    with pytest.raises(RuntimeError):
        ember.clamp(ember.tensor(x), min=0.0, out=ember.empty(3, dtype=ember.bfloat16))
    with pytest.raises(RuntimeError):
        ember.clamp(ember.tensor(x), min=ember.tensor(lo), out=ember.empty(3, dtype=ember.int32))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64", "int64", "bool", "uint8"])
def test_number_divided_by_tensor_is_reciprocal_times_number(dtype, torch):
    """`number / t` is torch's Tensor.__rtruediv__, reciprocal(t) * number (two roundings; a
    quarter of float32 quotients differ from the correctly rounded one in the last place), with
    MulBackward0 as its grad_fn; ember.div(number, t) still divides."""
    values = [0.1 + 0.37 * i for i in range(200)]
    for number in (3.0, 1.7, 2, True):
        ours = number / ember.tensor(values).to(getattr(ember, dtype))
        theirs = number / torch.tensor(values).to(getattr(torch, dtype))
        _same(ours, theirs)
    x = ember.tensor([2.0, 3.0], requires_grad=True)
    assert type(3.0 / x).__name__ == "Tensor" and (3.0 / x).grad_fn.name() == "MulBackward0"
    assert ember.div(3.0, ember.tensor([7.0])).item() == torch.div(3.0, torch.tensor([7.0])).item()


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64", "int8", "uint8", "int16", "int64"])
def test_isin_of_many_elements_looks_them_up_as_torch(dtype, torch):
    """Many elements go through a sorted copy of the test elements (65537 against 65537 took 24 s
    pair by pair): NaN is in nothing, -0 finds +0, both forms of invert, empty tests."""
    import numpy as np

    rng = np.random.default_rng(3)
    specials = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1.0, 2.5, -3.0, 65504.0, 1e-8])
    for n, m in [(3000, 3000), (1000, 50), (100, 1), (200, 0)]:
        floating = dtype.startswith(("float", "bfloat"))
        e = rng.choice(specials, n) if floating else rng.integers(-5, 5, n)
        t = rng.choice(specials, m) if floating else rng.integers(-5, 5, m)
        for invert in (False, True):
            ours = ember.isin(ember.tensor(e).to(getattr(ember, dtype)), ember.tensor(t).to(getattr(ember, dtype)),
                              invert=invert)
            theirs = torch.isin(torch.tensor(e).to(getattr(torch, dtype)), torch.tensor(t).to(getattr(torch, dtype)),
                                invert=invert)
            assert ours.tolist() == theirs.tolist(), (n, m, invert)


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64"])
def test_integer_sum_and_prod_wrap_as_torch(dtype, torch):
    """Integer sums and products accumulate in int64 and wrap on overflow, as torch's (computed
    unsigned: UBSan flagged the signed overflow of a uint8 prod)."""
    values = [255, 127, -128, 3, -7, 99, 121, -113, 77, 91, 255, 254] * 3
    ours, theirs = ember.tensor(values).to(getattr(ember, dtype)), torch.tensor(values).to(getattr(torch, dtype))
    assert ours.prod().item() == theirs.prod().item() and ours.sum().item() == theirs.sum().item()
    assert ours.reshape(6, 6).prod(1).tolist() == theirs.reshape(6, 6).prod(1).tolist()
    big = [2**62] * 3
    assert ember.tensor(big).sum().item() == torch.tensor(big).sum().item()


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "int64"])
def test_integer_cumsum_and_cumprod_wrap_as_torch(dtype, torch):
    """cumsum and cumprod of integers (int64 running values) wrap on overflow as torch's."""
    values = [255, 127, -128, 3, -7, 99, 121, -113, 77, 91, 255, 254] * 3
    ours, theirs = ember.tensor(values).to(getattr(ember, dtype)), torch.tensor(values).to(getattr(torch, dtype))
    assert ours.cumprod(0).tolist() == theirs.cumprod(0).tolist()
    assert ours.cumsum(0).tolist() == theirs.cumsum(0).tolist()
    assert ember.tensor([2**62] * 3).cumsum(0).tolist() == torch.tensor([2**62] * 3).cumsum(0).tolist()


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64"])
def test_integer_arithmetic_wraps_as_torch(dtype, torch):
    """+, -, *, neg, abs and square of integers wrap on overflow as torch's (computed unsigned:
    UBSan flagged int64 overflow in add and mul)."""
    info = np.iinfo(dtype)
    values = [info.min, info.min + 1, -1, 0, 1, info.max - 1, info.max]
    ours, theirs = ember.tensor(values, dtype=getattr(ember, dtype)), torch.tensor(values, dtype=getattr(torch, dtype))
    rev_ours, rev_theirs = ours.flip(0), theirs.flip(0)
    for name in ("add", "sub", "mul"):
        assert getattr(ours, name)(rev_ours).tolist() == getattr(theirs, name)(rev_theirs).tolist(), name
        assert getattr(ours, name)(3).tolist() == getattr(theirs, name)(3).tolist(), name
    for name in ("neg", "abs", "square"):
        assert getattr(ours, name)().tolist() == getattr(theirs, name)().tolist(), name


def test_to_numpy_of_a_stride_beyond_int64_bytes(torch):
    """x[::2**63 - 1] has one element and a stride whose byte count overflows int64 (UBSan)."""
    x = ember.arange(5)[:: 2**63 - 1]
    assert x.numpy().tolist() == [0] and x.numpy().shape == (1,)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_an_exponent_beyond_a_16bit_dtype_raises_as_torch(dtype, torch):
    x, xt = ember.ones(2, dtype=getattr(ember, dtype)), torch.ones(2, dtype=getattr(torch, dtype))
    with pytest.raises(RuntimeError):
        xt ** 1e39
    with pytest.raises(RuntimeError, match=f"pow: the exponent 1e\\+39 cannot be converted to {dtype}"):
        x ** 1e39
    assert (x ** math.inf).tolist() == (xt ** math.inf).tolist()


@pytest.mark.parametrize("name,shape", [("max_pool1d", (1, 1, 8)), ("max_pool2d", (1, 1, 8, 8)),
                                        ("avg_pool1d", (1, 1, 8))])
def test_pool_padding_beyond_half_the_kernel_raises_even_when_dilated(name, shape, torch):
    """torch checks padding against half the kernel, not half its dilated extent."""
    kw = {"dilation": 3} if name.startswith("max") else {}
    with pytest.raises(RuntimeError):
        getattr(torch.nn.functional, name)(torch.zeros(shape), 2, 1, padding=2, **kw)
    with pytest.raises(ValueError, match=f"{name}: padding must be at most half of kernel_size"):
        getattr(ember.nn.functional, name)(ember.zeros(shape), 2, 1, padding=2, **kw)
    n = float(np.prod(shape))
    ours = getattr(ember.nn.functional, name)(ember.arange(n).reshape(shape), 2, 1, padding=1, **kw)
    theirs = getattr(torch.nn.functional, name)(torch.arange(n).reshape(shape), 2, 1, padding=1, **kw)
    assert ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("beta", [2.46, 0, 1])
@pytest.mark.parametrize("name,shapes", [("addmm", [(3, 3), (3, 4), (4, 3)]), ("addmv", [(3,), (3, 4), (4,)]),
                                         ("addr", [(3, 4), (3,), (4,)]), ("baddbmm", [(2, 3, 3), (2, 3, 4), (2, 4, 3)]),
                                         ("addbmm", [(3, 3), (3, 3, 4), (3, 4, 3)])])
def test_16bit_beta_alpha_products_round_as_torch(name, shapes, beta, dtype, torch):
    """16-bit beta * input + alpha * product, bit for bit as torch's kernels: addmm and baddbmm in
    float32 rounded once; addmv's gemv scales input first; addr in the dtype throughout (beta and
    alpha rounded to it); addbmm one addmm per batch. Rounding the product first differed from torch
    in most elements."""
    rng = np.random.default_rng(0)
    for _ in range(20):
        data = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        ours = getattr(ember, name)(*[ember.tensor(d).to(getattr(ember, dtype)) for d in data], beta=beta, alpha=-1.05)
        theirs = getattr(torch, name)(*[torch.from_numpy(d).to(getattr(torch, dtype)) for d in data],
                                      beta=beta, alpha=-1.05)
        _same(ours, theirs)


@pytest.mark.parametrize("call", [
    lambda L: L.ones(2).add(L.ones(2), alpha=L.tensor(2.0)),
    lambda L: L.ones(2).sub(L.ones(2), alpha=L.tensor(3)),
    lambda L: L.ones(2).addcmul(L.ones(2), L.ones(2), value=L.tensor(3)),
    lambda L: L.tensor([1, 2], dtype=L.int16).addcmul(L.tensor([1, 2], dtype=L.int16), L.tensor([1, 2], dtype=L.int16),
                                                     value=L.tensor(2)),
    lambda L: L.full((2,), L.tensor(3.0)),
    lambda L: L.ones(3).lerp(L.zeros(3), L.tensor(0.25)),
    lambda L: L.where(L.tensor([True, False]), 2**63, L.zeros(2, dtype=L.bfloat16)),
    lambda L: L.where(L.tensor([True, False]), L.zeros(2), 2**63),
    lambda L: L.zeros(2).where(L.tensor([True, False]), 2**63),
    lambda L: L.gather(L.tensor([[1, 2]]), 1, L.tensor([[1]]), sparse_grad=True),
], ids=lambda c: "")
def test_number_arguments_as_torchs_parser_takes_them(call, torch):
    """A 0-d tensor that needs no gradient stands for a number (alpha=-lr with a tensor lr); an int
    past int64 beside a float tensor is its float value; gather takes sparse_grad."""
    _same(call(ember), call(torch))


def test_a_number_or_a_grad_tensor_where_a_number_or_tensor_goes_raises_typeerror(torch):
    with pytest.raises(TypeError):
        torch.ones(2).add(torch.ones(2), alpha=torch.tensor(2.0, requires_grad=True))
    with pytest.raises(TypeError, match="add: argument 'alpha' must be a number, not Tensor"):
        ember.ones(2).add(ember.ones(2), alpha=ember.tensor(2.0, requires_grad=True))
    with pytest.raises(TypeError, match="add: argument 'alpha' must be a number"):
        ember.ones(2).add(ember.ones(2), alpha=ember.tensor([2.0]))
    # pybind's "Unable to cast Python instance" named neither the op nor the argument (a number
    # weight is taken, as torch multiplies by it)
    with pytest.raises(TypeError, match="multilabel_soft_margin_loss: argument 'weight' must be a Tensor or None, not str"):
        ember.nn.functional.multilabel_soft_margin_loss(ember.ones(1, 2), ember.ones(1, 2), "-1")
    with pytest.raises(TypeError):
        torch.nn.functional.multilabel_soft_margin_loss(torch.ones(1, 2), torch.ones(1, 2), "-1")


def test_matrix_power_multiplies_in_torchs_order_and_copies(torch):
    """n = 3 is (A @ A) @ A, as torch's (bfloat16 results differed by several ulp); A ** 1 is a copy
    (it returned A itself, so writing into the result wrote into A); n may be an integer 0-d tensor."""
    rng = np.random.default_rng(1)
    for n in (1, 2, 3, 4, 5, 7):
        a = rng.standard_normal((4, 3, 3)).astype(np.float32)
        _same(ember.linalg.matrix_power(ember.tensor(a).bfloat16(), n),
              torch.linalg.matrix_power(torch.from_numpy(a).bfloat16(), n))
    a = ember.ones(2, 2)
    ember.linalg.matrix_power(a, 1).add_(1)
    assert a.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    _same(ember.matrix_power(ember.eye(2) * 2, ember.tensor(3)), torch.matrix_power(torch.eye(2) * 2, torch.tensor(3)))


def test_integer_tensor_to_a_float_power_keeps_the_exponent(torch):
    """Only 16-bit float tensors round a number exponent to their dtype: int8 and int32 are narrow
    dtypes too, and rounding 2.65 there gave 7 ** 2 = 49."""
    ours = (ember.tensor([1, 7, 7, 8], dtype=ember.int8)[..., ::2] ** 2.65).tolist()
    theirs = (torch.tensor([1, 7, 7, 8], dtype=torch.int8)[..., ::2] ** 2.65).tolist()
    assert ours == pytest.approx(theirs, rel=1e-6)
    assert (ember.tensor(3, dtype=ember.int32) ** 2.05).item() == pytest.approx(9.508205, rel=1e-6)


@pytest.mark.parametrize("call", [
    lambda L: L.add(7, 2), lambda L: L.add(1.5, other=0.41), lambda L: L.sub(1.5, 4), lambda L: L.mul(-1, True),
    lambda L: L.add(True, True), lambda L: L.div(3, 2), lambda L: L.true_divide(1.5, -0.73),
    lambda L: L.floor_divide(1.5, 2), lambda L: L.floor_divide(7, -2),
    lambda L: L.div(L.tensor([False, True, True]), 4, rounding_mode="trunc"),
    lambda L: L.div(L.tensor([7, -7]), L.tensor([True, True]), rounding_mode="trunc"),
    lambda L: L.nn.functional.instance_norm(L.zeros(2, 3, 0)),
], ids=lambda c: "")
def test_numbers_and_bools_where_torch_takes_them(call, torch):
    """Two numbers for add/sub/mul/div/floor_divide (a tensor of the first); a bool tensor divided
    with rounding_mode='trunc' (it raised from the subtraction inside)."""
    _same(call(ember), call(torch))


@pytest.mark.parametrize("call,exc,match", [
    (lambda L: L.nn.functional.softshrink(L.zeros(2, dtype=L.float16), 1e5), ValueError, "softshrink: lambd must be"),
    (lambda L: L.nn.functional.softshrink(L.zeros(2), math.inf), ValueError, "softshrink: lambd must be"),
    (lambda L: L.nn.functional.hardshrink(L.zeros(2, dtype=L.float16), 1e5), RuntimeError, "hardshrink: value"),
    (lambda L: L.nn.functional.hardtanh(L.zeros(2, dtype=L.int16), -1, 40000), RuntimeError, "hardtanh: value"),
    (lambda L: L.nn.functional.interpolate(L.zeros(3, 3, 5, 3), (1,)), ValueError, "interpolate: Input and output"),
    (lambda L: L.nn.functional.interpolate(L.zeros(3, 3, 5, 3), scale_factor=(2.0, 2.0, 2.0)), ValueError,
     "interpolate: Input and output"),
    (lambda L: L.nn.functional.instance_norm(L.zeros(1, 0, 1)), ValueError, "instance_norm: expected more than 1"),
    (lambda L: L.nn.functional.rrelu(L.ones(2), -1e308, 1, True), RuntimeError, "rrelu: value"),
    (lambda L: L.nn.functional.rrelu(L.ones(2, dtype=L.bfloat16), 0.1, 1e39, False), RuntimeError, "rrelu: value"),
], ids=lambda c: "")
def test_bounds_and_sizes_torch_refuses(call, exc, match, torch):
    """Shrink, hardtanh and rrelu bounds beyond the input's (compute) dtype, a size tuple of the
    wrong length, an instance norm over one spatial element: torch raises, and ember returned."""
    with pytest.raises((RuntimeError, ValueError)):
        call(torch)
    with pytest.raises(exc, match=match):
        call(ember)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_linspace_points_are_torchs_bit_for_bit(dtype, torch):
    """float32/float64: a fused start + step * i; 16-bit floats: every operation rounded to the
    dtype (bfloat16 linspace(2.01, -2.1, 4)[2] was -0.7305, torch's -0.7188)."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        start, end = (float(v) for v in rng.uniform(-30, 30, 2).round(3))
        steps = int(rng.integers(0, 70))
        _same(ember.linspace(start, end, steps, dtype=getattr(ember, dtype)),
              torch.linspace(start, end, steps, dtype=getattr(torch, dtype)))


def test_inplace_views_take_torchs_arguments(torch):
    """squeeze_(1, 3) squeezed dim 1 only (the rest were dropped); unsqueeze_, transpose_ and t_
    took extra positional arguments silently."""
    for L in (ember, torch):
        x = L.zeros((2, 1, 2, 1))
        assert tuple(x.squeeze(1, 3).shape) == tuple(x.clone().squeeze_(1, 3).shape) == (2, 2)
    x = ember.zeros((2, 1, 2, 1))
    with pytest.raises(TypeError, match="unsqueeze_.. takes 1 positional argument but 2 were given"):
        x.unsqueeze_(1, 2)
    with pytest.raises(TypeError, match="transpose_"):
        x.transpose_(0, 1, 2)
    with pytest.raises(TypeError, match="t_"):
        ember.zeros(2, 2).t_(1)


@pytest.mark.parametrize("dtypes", [("float64", "bfloat16", "bfloat16"), ("int64", "float32", "float32"),
                                    ("float16", "float64", "float16")])
def test_addr_promotes_the_three_dtypes(dtypes, torch):
    """A 0-d input counts in addr's promotion as much as the vectors (bfloat16 was returned for a
    float64 0-d input)."""
    def call(L):
        a, b, c = (getattr(L, d) for d in dtypes)
        return L.addr(L.tensor(2, dtype=a), L.tensor([1.0, 2.0], dtype=b), L.tensor([2.0, 3.0, 4.0], dtype=c))
    _same(call(ember), call(torch))


def test_chunk_and_split_sizes_near_int64_max():
    """chunk(2**63 - 1) computed size + chunks - 1, a signed overflow (UBSan, in the ASan run);
    split's loop stops before its offset could overflow. Every element lands in one piece."""
    x = ember.arange(10.0)
    assert [len(c) for c in x.chunk(2**63 - 1)] == [1] * 10
    assert [c.tolist() for c in x.split(2**63 - 1)] == [x.tolist()]
    assert [len(c) for c in x.split(3)] == [3, 3, 3, 1] and [tuple(c.shape) for c in ember.zeros(0).split(2)] == [(0,)]

"""Regressions from the long differential-fuzzing runs (tests/fuzz, seeds 9 to 11, 2.3M calls):
each case a divergence from torch the runs found and that is fixed, with torch as the oracle.
The shorter runs' regressions are in test_fuzz_findings.py, whose helpers these share."""
import math

import numpy as np
import pytest

from op_db import ember
from test_fuzz_findings import _same, _same_values


def _x(L):
    return L.arange(24.0).reshape(2, 3, 4)


@pytest.mark.parametrize("call", [
    lambda L: _x(L).flip(L.tensor(2, dtype=L.int8)),
    lambda L: _x(L).sum(L.tensor(1)),
    lambda L: _x(L).sum((L.tensor(1), 2)),
    lambda L: _x(L).logsumexp(L.tensor(True)),
    lambda L: (_x(L) > 3).all(L.tensor(-1, dtype=L.int16), keepdim=True),
    lambda L: _x(L).moveaxis(L.tensor(0, dtype=L.int16), -1),
    lambda L: L.split(_x(L), L.tensor(1))[1],
    lambda L: L.split(_x(L), [L.tensor(1), L.tensor(1)], 0)[1],
    lambda L: L.zeros((L.tensor(2), 3)),
    lambda L: L.zeros(L.tensor([2])),
    lambda L: _x(L).reshape(L.tensor(4), 6),
    lambda L: L.roll(_x(L), L.tensor([[[1]]], dtype=L.int32), L.tensor([[2]])),
    lambda L: _x(L).max(L.tensor(-1, dtype=L.int8), True).values,
    lambda L: _x(L).min(L.tensor(0), False).indices,
    lambda L: _x(L).max(L.tensor(3.0)),
], ids=lambda c: "")
def test_one_element_integer_tensors_stand_for_ints(call, torch):
    """torch's parser reads a one-element integer (or bool) tensor as an int, in a dim, a size or a
    split (operator.index): flip(x, tensor(2)) raised 'too many indices', x.max(tensor(-1), True)
    returned maximum(x, -1)."""
    _same(call(ember), call(torch))


@pytest.mark.parametrize("call", [
    lambda L: _x(L).reshape(L.tensor([4, 6])),
    lambda L: _x(L).sum(L.tensor(1.0)),
    lambda L: L.zeros((L.tensor([2, 3]),)),
], ids=lambda c: "")
def test_tensors_that_are_no_int_are_refused(call, torch):
    for L in (ember, torch):
        with pytest.raises(TypeError):
            call(L)


@pytest.mark.parametrize("weights", [None, "float32", "float64", "float16", "bfloat16", "int32", "int64"])
@pytest.mark.parametrize("n", [0, 4])
def test_bincount_dtypes_as_torch(weights, n, torch):
    """float32 weights sum in float32, all others in float64 (float16 gave float16); an empty input
    gives int64 whatever the weights."""
    def call(L):
        w = None if weights is None else L.tensor([2.5, 1.0, 3.0, 65504.0][:n], dtype=getattr(L, weights))
        return L.bincount(L.tensor([1, 0, 3, 3][:n], dtype=L.int64), w, minlength=2)
    _same(call(ember), call(torch))


def test_histc_of_a_range_wider_than_the_dtype_counts_nothing(torch):
    """max - min overflows float32: torch's bin edges are NaN and it counts nothing (ember counted
    every element into bin 0)."""
    data = [-3.4028234e38, 1.0, 3.4028234e38, -2.0]
    _same(ember.histc(ember.tensor(data), 3), torch.histc(torch.tensor(data), 3))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("op", ["addmm", "addmv", "addbmm", "baddbmm"])
def test_alpha_zero_skips_the_product_where_torchs_blas_does(op, dtype, torch):
    """float32/float64 addmm, addmv and addbmm call BLAS, which skips the product when alpha is 0:
    an inf in the matrices leaves input as it is (ember gave NaN); baddbmm and the 16-bit kernels
    multiply, NaN included."""
    def call(L, alpha):
        dt = getattr(L, dtype)
        a, b = L.ones(2, 2, dtype=dt), L.tensor([[math.inf, 1.0], [1.0, 1.0]], dtype=dt)
        c = L.full((2, 2), 3.0, dtype=dt)
        if op == "addmm":
            return L.addmm(c, a, b, alpha=alpha)
        if op == "addmv":
            return L.addmv(c[0], b, a[0], alpha=alpha)
        return getattr(L, op)(c if op == "addbmm" else c[None], a[None], b[None], alpha=alpha)
    for alpha in (0, -0.0, 0.5):
        _same(call(ember, alpha), call(torch, alpha))


@pytest.mark.parametrize("other", [2.0, math.inf])
def test_alpha_zero_still_gives_the_matrices_gradients(other, torch):
    """alpha * (g @ other.T): zeros, or NaN where other holds inf, as torch's."""
    grads = []
    for L in (ember, torch):
        a = L.ones(2, 2, requires_grad=True)
        L.addmm(L.ones(2, 2), a, L.full((2, 2), other), alpha=0).sum().backward()
        grads.append(a.grad)
    _same(*grads)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("call", [
    lambda L, d: L.mul(-1.7, d), lambda L, d: L.div(-1.7, d), lambda L, d: L.floor_divide(-1.7, d),
    lambda L, d: L.floor_divide(L.tensor(-1.7), d), lambda L, d: L.mul(L.tensor(-1.7), d),
    lambda L, d: -1.7 * d, lambda L, d: d * -1.7, lambda L, d: -1.7 / d, lambda L, d: -1.7 // d,
    lambda L, d: L.mul(d, L.tensor(-1.7)), lambda L, d: L.div(d, -1.7),
], ids=lambda c: "")
def test_16bit_ops_round_a_first_number_operand(call, dtype, torch):
    """torch's mul, div and floor_divide read a 0-d second operand unrounded in float32 for the
    16-bit floats, but round a first one to the dtype (mul(-1.7, d) differed in a third of the
    elements); number * d is d.mul(number), as torch's __rmul__."""
    values = (np.random.default_rng(0).uniform(-2, 2, 64)).tolist() + [-1.703125, 1.7]
    d = {L: L.tensor(values).to(getattr(L, dtype)) for L in (ember, torch)}
    _same(call(ember, d[ember]), call(torch, d[torch]))


def test_int_over_16bit_float_rounds_the_int_first(torch):
    """65535 is inf in float16, so 65535 // 1.626 is NaN as torch's (ember divided 65535)."""
    for shape in ((), (3,)):
        e = ember.full(shape, 65535, dtype=ember.int32) // ember.tensor(1.6259765625, dtype=ember.float16)
        t = torch.full(shape, 65535, dtype=torch.int32) // torch.tensor(1.6259765625, dtype=torch.float16)
        _same(e, t)


@pytest.mark.parametrize("call", [
    lambda L: L.addcdiv(L.tensor([[7, 6], [0, 8]], dtype=L.uint8), L.tensor([[4.0, -2.0], [0.5, 4.0]], dtype=L.float16),
                        L.tensor(0.7), value=-1.29),
    lambda L: L.addcmul(L.tensor([3]), L.tensor([-1.6], dtype=L.bfloat16), L.tensor(2.5)),
    lambda L: L.addcmul(L.zeros(4, dtype=L.float16), L.tensor([-5, 2147483646, 2, 7], dtype=L.int32),
                        L.tensor([-6, 0, 5, 0], dtype=L.int32), value=-2.66),
], ids=lambda c: "")
def test_addcmul_addcdiv_promote_and_cast_as_torch(call, torch):
    """A 0-d float32 operand does not widen float16 tensors (ember gave float32); int32 operands are
    cast to the result's float16 first (2**31 - 2 is inf there, inf * 0 NaN)."""
    _same(call(ember), call(torch))


def test_integer_division_of_an_empty_tensor_by_zero(torch):
    _same(ember.zeros((1, 0, 2), dtype=ember.int32) // False, torch.zeros((1, 0, 2), dtype=torch.int32) // False)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        ember.ones(2, dtype=ember.int32) // 0


@pytest.mark.parametrize("call", [
    lambda L: L.nn.functional.rrelu(L.ones(2, 3), -1, math.inf),
    lambda L: L.nn.functional.rrelu(L.ones(2, 3), -math.inf, 1),
    lambda L: L.nn.functional.rrelu(L.ones(2, 3), 0.5, 0.1),
    lambda L: L.nn.functional.batch_norm(L.ones(3, 4), L.zeros(4), L.ones(4), training=True, eps=0.0),
    lambda L: L.nn.functional.batch_norm(L.ones(1, 1), L.tensor(0.5), L.ones(1), training=False),
    lambda L: L.nn.functional.batch_norm(L.ones(2, 4), L.zeros(1, 4), L.ones(4)),
    lambda L: L.nn.functional.nll_loss(L.zeros(3, 4), L.tensor([0, 1, 2]), L.ones(4, dtype=L.float64)),
    lambda L: L.nn.functional.instance_norm(L.ones(2, 3, 4), running_var=L.ones(3)),
], ids=lambda c: "")
def test_nn_arguments_torch_refuses(call, torch):
    """rrelu's infinite bounds, batch_norm's eps = 0 in training and running statistics that are no
    vectors, nll_loss weights of another dtype, one running statistic without the other."""
    with pytest.raises(Exception) as t:
        call(torch)
    with pytest.raises(type(t.value)):
        call(ember)


def test_hardtanh_of_uint8_checks_the_truncated_bounds(torch):
    """uint8 with max_val -0.1 is allowed: torch checks the bounds as integers (-0.1 is 0)."""
    for L in (ember, torch):
        x = L.tensor([9, 0], dtype=L.uint8)
        assert L.nn.functional.hardtanh_(x, 1, -0.1).tolist() == [0, 0]


def test_multilabel_margin_loss_masks_infinite_terms(torch):
    """A row whose classes are all targets has no terms; an inf outside the counted terms made NaN."""
    def call(L):
        x = L.tensor([[1e-38, -3.4e38, -math.inf], [-0.0, math.inf, 1.0], [1.0, -0.0, 2.0]])
        return L.nn.functional.multilabel_margin_loss(x, L.tensor([[0, 2, 1], [0, 1, 1], [2, 1, 1]]), reduction="none")
    _same(call(ember), call(torch))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_16bit_softshrink_reads_lambd_unrounded(dtype, torch):
    """torch's kernel computes in float32 with lambd as a float: -0.9121 + 0.9 is -0.01211, where
    lambd rounded to float16 gave -0.01221. (+ 0: the sign of the zeros is a documented difference.)"""
    values = np.random.default_rng(1).uniform(-3, 3, 200).tolist()
    for lambd in (0.9, 2.4, 0.3):
        _same(ember.nn.functional.softshrink(ember.tensor(values, dtype=getattr(ember, dtype)), lambd) + 0,
              torch.nn.functional.softshrink(torch.tensor(values, dtype=getattr(torch, dtype)), lambd) + 0)


def test_shapes_whose_strides_overflow_are_refused(torch):
    """An empty shape can still overflow its strides (the zero size is skipped): torch raises."""
    for L in (ember, torch):
        with pytest.raises(RuntimeError):
            L.zeros((0, 2, 3, 1)).diag_embed(2**31)
    with pytest.raises(RuntimeError, match="stride"):
        ember.zeros((0, 2**40, 2**40))


def test_outer_casts_into_out_as_a_product(torch):
    for L in (ember, torch):
        out = L.zeros(1, 1)
        L.outer(L.tensor([-1.796875], dtype=L.float16), L.tensor([True]), out=out)
        assert out.tolist() == [[-1.796875]]


def test_index_fill_of_an_empty_tensor_checks_no_index(torch):
    _same(ember.index_fill(ember.zeros((1, 3, 0, 2)), 3, ember.tensor([0, 2]), 1.0),
          torch.index_fill(torch.zeros((1, 3, 0, 2)), 3, torch.tensor([0, 2]), 1.0))


def test_log_normal_takes_a_big_int_mean():
    x = ember.zeros(3).log_normal_(2**64)
    assert tuple(x.shape) == (3,) and all(v == math.inf for v in x.tolist())


@pytest.mark.parametrize("op", ["index_add", "index_copy"])
def test_a_2d_index_is_an_index_error(op, torch):
    for L in (ember, torch):
        with pytest.raises(IndexError):
            getattr(L.zeros(3, 4), op)(0, L.tensor([[0, 1]]), L.ones(2, 4))


def test_reduction_dims_are_range_checked_before_repeats(torch):
    for L in (ember, torch):
        with pytest.raises(IndexError):
            L.ones(2, 3).all((0, 0, 5))


@pytest.mark.parametrize("call", [lambda L: L.sub(1.5, other=2, alpha=3), lambda L: L.add(2, 0.25, alpha=-2)],
                         ids=lambda c: "")
def test_two_numbers_with_alpha(call, torch):
    _same(call(ember), call(torch))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_16bit_nextafter_steps_in_its_dtype(dtype, torch):
    """The float32 kernel's step rounded back to x: nextafter(bfloat16 1, 2) was 1, torch's 1.0078."""
    specials = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 65504.0, -65504.0, math.inf, -math.inf, math.nan, 6e-8, -6e-8, 1e-40]
    rng = np.random.default_rng(2)
    x = specials + rng.uniform(-5, 5, 100).tolist() + specials
    y = specials[::-1] + rng.uniform(-5, 5, 100).tolist() + [0.0, 1.0, 3.0, -3.0, math.inf] * 2 + specials[:4]
    e = ember.nextafter(ember.tensor(x, dtype=getattr(ember, dtype)), ember.tensor(y, dtype=getattr(ember, dtype)))
    t = torch.nextafter(torch.tensor(x, dtype=getattr(torch, dtype)), torch.tensor(y, dtype=getattr(torch, dtype)))
    _same(e, t)
    xe = ember.tensor(x, dtype=getattr(ember, dtype))
    xe.nextafter_(ember.tensor(y, dtype=getattr(ember, dtype)))
    _same(xe, t)


def test_inplace_rrelu_in_eval_takes_infinite_bounds(torch):
    """torch's rrelu_ checks finiteness only where it draws slopes; eval mode is leaky_relu."""
    _same(ember.nn.functional.rrelu(ember.tensor([-1.0, 2.0]), upper=math.inf, inplace=True),
          torch.nn.functional.rrelu(torch.tensor([-1.0, 2.0]), upper=math.inf, inplace=True))


@pytest.mark.parametrize("target", [1, 0.3])
def test_multilabel_soft_margin_loss_takes_a_number_target(target, torch):
    x = [[2.0, -2.0], [0.5, 1.0]]
    _same_values(ember.nn.functional.multilabel_soft_margin_loss(ember.tensor(x), target, reduction="none"),
                 torch.nn.functional.multilabel_soft_margin_loss(torch.tensor(x), target, reduction="none"))


@pytest.mark.parametrize("name,kw,dtype", [
    ("huber_loss", {"delta": 0.7}, "float16"), ("huber_loss", {"delta": 3.3}, "float16"),
    ("huber_loss", {"delta": 0.7}, "bfloat16"), ("smooth_l1_loss", {"beta": 0.7}, "bfloat16"),
], ids=str)
def test_16bit_huber_and_smooth_l1_round_as_torch(name, kw, dtype, torch):
    """torch computes float16 huber and bfloat16 smooth_l1 in float32, rounding once (446 of 1000
    float16 huber losses differed); bfloat16 huber in the dtype. (torch's float16 smooth_l1
    follows neither rule: an open allowlist entry.)"""
    rng = np.random.default_rng(0)
    a, b = rng.uniform(-20, 20, 1000).tolist(), rng.uniform(-20, 20, 1000).tolist()
    _same(getattr(ember.nn.functional, name)(ember.tensor(a, dtype=getattr(ember, dtype)),
                                             ember.tensor(b, dtype=getattr(ember, dtype)), reduction="none", **kw),
          getattr(torch.nn.functional, name)(torch.tensor(a, dtype=getattr(torch, dtype)),
                                             torch.tensor(b, dtype=getattr(torch, dtype)), reduction="none", **kw))


@pytest.mark.parametrize("dtype, target_dtype, target_shape", [
    ("bfloat16", "float32", (1, 1, 1)), ("float16", "float64", (5,)), ("float32", "float64", (5,)),
    ("bfloat16", "float32", ())], ids=str)
def test_huber_reads_a_wider_target_in_the_common_dtype(dtype, target_dtype, target_shape, torch):
    """A float32 target beside a bfloat16 input was rounded to bfloat16 first (0.0957 for torch's
    0.0991): torch's kernel reads both in their promoted dtype (broadcast first: a 0-d target too)."""
    rng = np.random.default_rng(1)
    a = rng.uniform(-3, 3, (2, 2, 5)).tolist()
    b = rng.uniform(-3, 3, target_shape).tolist()
    _same(ember.nn.functional.huber_loss(ember.tensor(a, dtype=getattr(ember, dtype)),
                                         ember.tensor(b, dtype=getattr(ember, target_dtype)), reduction="none"),
          torch.nn.functional.huber_loss(torch.tensor(a, dtype=getattr(torch, dtype)),
                                         torch.tensor(b, dtype=getattr(torch, target_dtype)), reduction="none"))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_ldexp_of_zero_and_inf_by_huge_exponents(dtype, torch):
    """2^e overflowed to inf (or 0) before the product: ldexp(0, 2000) was NaN, not 0, and
    ldexp(inf, -2000) NaN, not inf. Exponents in int32's range match torch's."""
    x = [0.0, -0.0, math.inf, -math.inf, 1.5, -3.0, 1e-30, math.nan]
    ex = [2000, 2000, -2000, -2000, 200, -200, 100, 5]
    dt = getattr(ember, dtype)
    _same(ember.ldexp(ember.tensor(x, dtype=dt), ember.tensor(ex)),
          torch.ldexp(torch.tensor(x, dtype=getattr(torch, dtype)), torch.tensor(ex)))
    r = ember.ldexp(ember.tensor([0.0, math.inf, 1.0]), ember.tensor([2**40, -2**40, -2**40]))
    assert r.tolist() == [0.0, math.inf, 0.0]


def test_a_dtype_is_no_number(torch):
    """ember.int64 had __index__ (a pybind11 enum's): F.dropout(x, ember.int64) ran with p = 1."""
    for L in (ember, torch):
        with pytest.raises(TypeError):
            L.nn.functional.dropout(L.ones(3), L.int64)
        with pytest.raises(TypeError):
            L.ones(3).sum(L.int64)
    assert ember.int64 == ember.int64 and len({ember.int64, ember.float32, ember.int64}) == 2


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_16bit_floor_divide_rounds_each_step_as_torch(dtype, torch):
    """torch's kernel for two 16-bit tensors rounds every step of floor division (88.8125 //
    0.09998 is 887, ember gave 888); with a 0-d divisor it computes in float32."""
    rng = np.random.default_rng(3)
    a = (rng.uniform(-100, 100, 4000) * rng.choice([1, 0.01], 4000)).tolist() + [88.8125, -7.0, 0.0, -0.0, math.inf]
    b = rng.uniform(-3, 3, 4000).tolist() + [0.0999755859375, 0.5, -2.0, 3.0, 2.0]
    dt_e, dt_t = getattr(ember, dtype), getattr(torch, dtype)
    _same(ember.tensor(a, dtype=dt_e) // ember.tensor(b, dtype=dt_e), torch.tensor(a, dtype=dt_t) // torch.tensor(b, dtype=dt_t))
    _same(ember.tensor(a, dtype=dt_e) // ember.tensor(0.0999755859375, dtype=dt_e),
          torch.tensor(a, dtype=dt_t) // torch.tensor(0.0999755859375, dtype=dt_t))
    x = ember.tensor(a, dtype=dt_e)
    x //= ember.tensor(b, dtype=dt_e)
    _same(x, torch.tensor(a, dtype=dt_t) // torch.tensor(b, dtype=dt_t))


@pytest.mark.parametrize("call", [
    lambda L: L.tensor(-1.5, dtype=L.float64).ldexp(L.tensor(2.304, dtype=L.bfloat16)),
    lambda L: L.ldexp(L.tensor([0, 3, 200], dtype=L.uint8), L.tensor([200, 200, 200], dtype=L.uint8)),
    lambda L: L.nn.functional.poisson_nll_loss(L.ones(2, 3, dtype=L.float16), L.tensor([5]), full=True),
    lambda L: L.div(1.5, 1.53, rounding_mode="floor"),
    lambda L: L.zeros((1, 0), dtype=L.uint8).scatter_(-2, L.zeros((1, 0), dtype=L.int64), 2**63 - 1),
    lambda L: L.bincount(L.zeros((0,), dtype=L.int32), L.tensor(5, dtype=L.int32), 5),
    lambda L: L.baddbmm(L.ones(4, 1, 5, dtype=L.float16), L.ones(4, 1, 1, dtype=L.float16),
                        L.ones(4, 1, 5, dtype=L.float16), beta=3.4e38),
], ids=lambda c: "")
def test_more_calls_as_torch(call, torch):
    """A float exponent's 2^e in the result's dtype (a bfloat16 exponent gave bfloat16 2^e); an
    integer ldexp as torch's x * 2^e; poisson_nll_loss adds Stirling's term in place (keeps
    float16); two numbers with rounding_mode; an empty scatter or bincount checks no value; the
    16-bit addmm family reads beta in float32."""
    _same(call(ember), call(torch))


@pytest.mark.parametrize("call", [
    lambda L: L.zeros(3, dtype=L.int32).index_copy_(0, L.tensor([-1]), L.tensor([5], dtype=L.int32)),
    lambda L: L.zeros(3, dtype=L.int32).index_add_(0, L.tensor([-1]), L.tensor([5], dtype=L.int32)),
    lambda L: L.tensor(2, dtype=L.int32).index_copy_(-1, L.tensor(-1), L.tensor(-2, dtype=L.int32)),
    lambda L: L.nn.functional.interpolate(L.zeros((2, 0, 7)), size=(1,)),
    lambda L: L.nn.functional.l1_loss(L.ones(2), L.tensor([True, False])),
    lambda L: L.nn.functional.smooth_l1_loss(L.ones(2), L.tensor([True, False]), beta=0.0),
], ids=lambda c: "")
def test_more_refusals_as_torch(call, torch):
    """index_copy_/index_add_ take no negative index (ember wrapped it); zero channels to upsample;
    a bool target subtracted by l1_loss."""
    with pytest.raises(Exception) as t:
        call(torch)
    with pytest.raises(type(t.value)):
        call(ember)


@pytest.mark.parametrize("dtypes", [("bfloat16", "float32"), ("float16", "float64"), ("bfloat16", "float64")])
def test_soft_margin_loss_rounds_its_steps_to_the_input_dtype(dtypes, torch):
    """torch negates, multiplies by target (at target's precision), exps and log1ps in place on a
    tensor of input's dtype; ember rounded target to input's dtype first (7 bfloat16 ulps off)."""
    rng = np.random.default_rng(4)
    x, y = rng.uniform(-3, 3, 300).tolist(), rng.uniform(-3, 3, 300).tolist()
    a, b = dtypes
    _same(ember.nn.functional.soft_margin_loss(ember.tensor(x, dtype=getattr(ember, a)),
                                               ember.tensor(y, dtype=getattr(ember, b)), reduction="none"),
          torch.nn.functional.soft_margin_loss(torch.tensor(x, dtype=getattr(torch, a)),
                                               torch.tensor(y, dtype=getattr(torch, b)), reduction="none"))


def test_lcm_wraps_as_torch(torch):
    """lcm(3, -2**63) overflowed int64 (UBSan): it wraps, as torch's."""
    _same(ember.lcm(ember.tensor([3, -4, 5, 0]), ember.tensor(-2**63)),
          torch.lcm(torch.tensor([3, -4, 5, 0]), torch.tensor(-2**63)))


@pytest.mark.parametrize("call", [
    lambda L: L.tensor(2.2).ldexp(L.tensor(1.5, dtype=L.float16)),
    lambda L: L.tensor(2.2).ldexp(L.tensor([1.5], dtype=L.float16)),
    lambda L: L.tensor(-1.5, dtype=L.float64).ldexp(L.tensor(2.304, dtype=L.bfloat16)),
    lambda L: L.tensor([2, 6, 0, 8], dtype=L.uint8).logical_or_(L.tensor(-32768, dtype=L.int32)),
    lambda L: L.logical_and(L.tensor([1.0, 2.0], dtype=L.float16), L.tensor(1e-10)),
    lambda L: L.logical_xor(L.tensor([0, 1], dtype=L.uint8), L.tensor(256)),
], ids=lambda c: "")
def test_operands_read_in_the_dtype_torch_reads_them(call, torch):
    """ldexp's 2^e is computed in e's dtype (float64 under a float64 x); logical ops take an
    operand's truth after its cast to the common dtype (int32 -32768 is 0 as uint8, 1e-10 is 0 as
    float16)."""
    _same(call(ember), call(torch))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("n", [7, 1000])
@pytest.mark.parametrize("call", [
    lambda L, x, y, xi: L.div(x, y, rounding_mode="trunc"),
    lambda L, x, y, xi: L.div(L.stack([x, x], 1)[:, 0], y, rounding_mode="trunc"),
    lambda L, x, y, xi: L.div(xi, y, rounding_mode="trunc"),
    lambda L, x, y, xi: L.div(x, -0.42, rounding_mode="trunc"),
    lambda L, x, y, xi: L.div(x, L.tensor(0.3337, dtype=L.float64), rounding_mode="trunc"),
    lambda L, x, y, xi: L.div(xi, y[3], rounding_mode="trunc"),
    lambda L, x, y, xi: x.clone().div_(y[:1], rounding_mode="trunc"),
], ids=["tensors", "strided", "int_by_half", "number", "float64_0d", "int_by_0d", "one_element_inplace"])
def test_16bit_trunc_division_as_torch_kernels(call, n, dtype, torch):
    """div(rounding_mode='trunc') of float16/bfloat16: torch rounds the quotient to the dtype and
    then truncates, but for a one-element divisor (a Python number too) it divides in float32 by
    the divisor as given and truncates first. ember did the first everywhere (-1.953 / 0.326 by a
    (1,) tensor gave -6 where torch's -5.99 truncates to -5)."""
    rng = np.random.default_rng(n)
    xd, yd = rng.uniform(-100, 100, n), rng.uniform(-3, 3, n)

    def run(L):
        x, y = L.tensor(xd).to(getattr(L, dtype)), L.tensor(yd).to(getattr(L, dtype))
        return call(L, x, y, L.tensor(xd.astype(np.int8)))
    _same(run(ember), run(torch))


@pytest.mark.parametrize("call", [
    lambda L: L.tensor([[math.nan, 1.0]]).addmm(L.tensor([[-0.77]]), L.tensor([[2.5, 1.0]]), beta=5e-324),
    lambda L: L.tensor([[1.0]]).addmm(L.tensor([[math.inf]]), L.tensor([[2.5]]), alpha=5e-324),
    lambda L: L.tensor([[1.0]]).addmm_(L.tensor([[3.4e38, 1e20]]), L.tensor([[2.0], [-3.4e38]]), alpha=1e-46),
    lambda L: L.tensor([[1.0]], dtype=L.float64).addmm(L.tensor([[1.0]], dtype=L.float64),
                                                       L.tensor([[2.5]], dtype=L.float64), alpha=5e-324),
], ids=lambda c: "")
def test_addmm_reads_alpha_and_beta_in_float32(call, torch):
    """A float32 addmm takes beta and alpha as float32, as torch's BLAS call: 5e-324 is 0 there, so
    the input's NaN (beta) or the product's inf (alpha) is ignored, not multiplied into NaN."""
    _same(call(ember), call(torch))


@pytest.mark.parametrize("call", [
    lambda L: L.scalar_tensor(2**63),
    lambda L: L.asarray(-2**63 - 1, dtype=L.float16),
    lambda L: L.tensor([2**70, 1], dtype=L.float64),
    lambda L: L.tensor(2**64 - 1, dtype=L.float32),
    lambda L: L.as_tensor([[-2**65]], dtype=L.bfloat16),
], ids=lambda c: "")
def test_python_ints_past_int64_round_to_a_float_dtype(call, torch):
    """A Python int past int64 makes a float tensor when a float dtype is asked for (torch rounds it);
    ember refused it as for int64."""
    _same(call(ember), call(torch))


def test_python_ints_past_int64_still_refused_for_integers(torch):
    for L in (ember, torch):
        for data in (2**63, [1, -2**63 - 1]):
            with pytest.raises(ValueError):
                L.tensor(data)
        with pytest.raises((ValueError, RuntimeError)):
            L.tensor(2**70, dtype=L.int64)


@pytest.mark.parametrize("call", [
    lambda L: L.linspace(-1, 2, 4, dtype=L.uint8),
    lambda L: L.linspace(-3, -1, 3, dtype=L.uint8),
    lambda L: L.linspace(-255, 0, 3, dtype=L.uint8),
    lambda L: L.logspace(3, -3, 4, dtype=L.uint8),
    lambda L: L.logspace(-1, 2, 4, dtype=L.uint8),
    lambda L: L.logspace(-2, 2, 5, dtype=L.uint8),
], ids=lambda c: "")
def test_uint8_range_bounds_wrap_as_torch_reads_them(call, torch):
    """linspace and logspace read start and end in the dtype first (c10's Scalar::to): a negative
    int is 256 + it for uint8, so linspace(-1, 2, 4) is [255, 170, 86, 2], not each point wrapped."""
    _same(call(ember), call(torch))


@pytest.mark.parametrize("args", [(-300, 2, 4, "uint8"), (-1.5, 2, 4, "uint8"), (300, 2, 4, "uint8"),
                                  (-129, 0, 3, "int8"), (0, 70000, 3, "float16")])
def test_linspace_bounds_the_dtype_cannot_hold_raise(args, torch):
    *bounds, dtype = args
    for L in (ember, torch):
        with pytest.raises(RuntimeError, match="cannot be converted"):
            L.linspace(*bounds, dtype=getattr(L, dtype))


@pytest.mark.parametrize("call", [
    lambda L: L.nn.functional.local_response_norm(L.ones(1, 1, 2, 2, 2), L.float32),
    lambda L: L.nn.functional.dropout(L.ones(2), L.float32),
    lambda L: L.ones(2).sum(L.float32),
    lambda L: int(L.int16),
], ids=lambda c: "")
def test_a_dtype_is_no_int(call, torch):
    """A dtype where an int or float belongs raises TypeError, as torch's: pybind11 read
    local_response_norm(x, ember.float32) as a size of 8 through the enum's __int__."""
    for L in (ember, torch):
        with pytest.raises(TypeError):
            call(L)


def test_dtypes_still_compare_hash_and_pickle():
    import pickle
    for dt in (ember.bool, ember.uint8, ember.bfloat16, ember.float64):
        assert pickle.loads(pickle.dumps(dt)) == dt
        assert {dt: 1}[dt] == 1 and dt == dt and not dt != dt
    assert ember.float32 != ember.float64 and ember.float32 != 8 and not ember.float32 == "float32"


@pytest.mark.parametrize("device", ["abc", -1, 0, 1.5])
def test_is_pinned_checks_its_device(device, torch):
    """is_pinned(device) (deprecated in torch) still checks the device it names: a bad string, a
    negative index, a GPU index without one, a float raise, as torch's."""
    for L in (ember, torch):
        with pytest.raises((RuntimeError, TypeError)) as info:
            L.ones(2).is_pinned(device)
        assert info.type is (TypeError if isinstance(device, float) else RuntimeError)
    assert ember.ones(2).is_pinned("cuda") is False and ember.ones(2).is_pinned(ember.device("cpu")) is False


@pytest.mark.parametrize("call", [
    lambda L: L.tensor(1 + 2**-11 + 2**-40, dtype=L.float16),
    lambda L: L.tensor([1 + 2**-11 + 2**-40, 3.4e38, -1e300], dtype=L.float16),
    lambda L: L.tensor(np.array([1 + 2**-11 + 2**-40]), dtype=L.float16),
    lambda L: L.tensor([1e39, -1e39]),
    lambda L: L.scalar_tensor(3.4e38, dtype=L.float16),
    lambda L: L.scalar_tensor(1e308, dtype=L.bfloat16),
    lambda L: L.scalar_tensor(L.tensor(2.5), dtype=L.float64),
], ids=lambda c: "")
def test_floats_narrow_as_torch_narrows_them(call, torch):
    """A Python float (a double) becomes float16 through float32, as torch's c10::Half(float(x)):
    1 + 2^-11 + 2^-40 is 1, where NumPy's direct cast gave 1 + 2^-10. Past the range it is inf
    without NumPy's overflow warning, and scalar_tensor takes it for 16-bit floats (torch checks
    float32 only)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _same(call(ember), call(torch))


@pytest.mark.parametrize("call", [
    lambda L: L.scalar_tensor(1e39),
    lambda L: L.scalar_tensor(L.tensor(-1.71), dtype=L.uint8),
    lambda L: L.scalar_tensor(1e5, dtype=L.int16),
], ids=lambda c: "")
def test_scalar_tensor_refuses_what_torch_refuses(call, torch):
    for L in (ember, torch):
        with pytest.raises(RuntimeError, match="cannot be converted"):
            call(L)


@pytest.mark.parametrize("call", [
    lambda L: L.tensor([4, -9], dtype=L.int16).clamp(L.tensor(-1.2, dtype=L.float16), 3),
    lambda L: L.tensor(4, dtype=L.int16).clamp(L.tensor(-1.2, dtype=L.float16), False),
    lambda L: L.clamp(L.tensor([False, True]), min=L.tensor(-9, dtype=L.int32), max=True),
    lambda L: L.tensor([-2.4], dtype=L.bfloat16).clamp(L.tensor(1.0, dtype=L.float64), max=False),
    lambda L: L.clip(L.tensor(-3, dtype=L.int8), True, L.tensor(-2.5, dtype=L.float64)),
    lambda L: L.tensor([-2.4], dtype=L.bfloat16).clamp_(max=2.5, min=L.tensor(-1.0, dtype=L.float64)),
    # both bounds tensors (or one None): their dtypes promote as tensors
    lambda L: L.tensor([4, -9], dtype=L.int16).clamp(L.tensor(-1.2, dtype=L.float16), None),
    lambda L: L.tensor([4, -9], dtype=L.int16).clamp(L.tensor(-1.2, dtype=L.float16), L.tensor(3)),
    # computed in the result's dtype from the start: -1 is not first wrapped to uint8's 255
    lambda L: L.clamp(L.tensor([0, 9, 8, 4], dtype=L.uint8), -1, max=1.61),
    # a NaN number bound gives NaN before the other bound is read (1e39 past float32 is fine)
    lambda L: L.tensor([[1.8]]).clip(math.nan, 1e39),
    lambda L: L.tensor([True]).clamp(1e308, math.nan),
], ids=lambda c: "")
def test_clamp_with_a_number_bound_reads_a_0d_bound_as_a_number(call, torch):
    """A number bound makes clamp torch's (Number, Number) overload, which reads a 0-d tensor bound
    as a number: int16 clamped by a float16 0-d min and a max of 3 is float32 (a Python float's
    dtype), not float16."""
    _same(call(ember), call(torch))


def _assigned(L, index, value):
    x = L.arange(6.0).reshape(3, 2)
    x[index] = value(L)
    return x


@pytest.mark.parametrize("index, value", [
    (0, lambda L: L.ones(1, 1, 2)),
    ((0, 1), lambda L: L.tensor([5.0])),
    ((slice(None), 0), lambda L: L.ones(1, 3)),
    (Ellipsis, lambda L: L.ones(1, 1, 3, 2)),
    ([0, 2], lambda L: L.ones(1, 1, 2)),
    ([True, False, True], lambda L: L.ones(1, 2, 2)),
], ids=lambda c: "")
def test_setitem_drops_the_values_leading_unit_dims(index, value, torch):
    """x[i] = v drops v's leading dims of size 1 before broadcasting, as torch's: x[0] = y[:1] and
    x[:, 0] = col.unsqueeze(0) assign where plain broadcasting refuses."""
    _same(_assigned(ember, index, value), _assigned(torch, index, value))


def test_setitem_refuses_a_value_that_broadcasts_after_no_drop(torch):
    for L in (ember, torch):
        with pytest.raises((RuntimeError, ValueError)):
            _assigned(L, 0, lambda L: L.ones(2, 1, 2))


@pytest.mark.parametrize("args, kwargs", [
    ((), {}), ((5,), {}), ((-1, None), {}), ((), {"from": 3, "to": None}), ((), {"to": 5}), ((2,), {"to": 7}),
    ((), {"from": 2}), ((0,), {}), ((None,), {}), ((1, 2, 3), {}),
], ids=str)
def test_random_takes_torchs_three_forms(args, kwargs, torch):
    """random_(), random_(to) and random_(from, to) with `from` by keyword and to=None (the dtype's
    top): the same draws as torch's and the same errors (random_(0) is an empty range)."""
    outcomes = []
    for L in (ember, torch):
        L.manual_seed(0)
        try:
            outcomes.append(L.zeros(3, dtype=L.int16).random_(*args, **kwargs).tolist())
        except (TypeError, RuntimeError) as e:
            outcomes.append(type(e).__name__)
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("call", [
    lambda L: L.std_mean(L.tensor([-2.6, 0.804, -1e10, 3.0, 88.8, 1e10, -1.836]))[1],
    lambda L: L.var_mean(L.tensor([[-2.6, 1e10, 0.5, -1e10], [1.0, 2.0, 3.0, 4.5]]), dim=1)[1],
    lambda L: L.std_mean(L.tensor([1.5, -1e10, 2.25, 1e10], dtype=L.bfloat16))[1],
    lambda L: L.std_mean(L.tensor([3.4028234663852886e+38]).expand((3,)), -1, True, False)[0],
    lambda L: L.var_mean(L.tensor([[3e38, 3e38], [1.0, 2.0]]), 1)[0],
], ids=lambda c: "")
def test_var_mean_computes_in_float64(call, torch):
    """var_mean and std_mean compute in float64 and round once, as torch's Welford kernel: a
    float32 mean loses the small values beside a 1e10 and a -1e10 that cancel, and a float32
    two-pass var of three FLT_MAX is inf, not 0 (torch's running update can be one float32 ulp
    off the exact mean, ember's is the exact one rounded)."""
    e, t = call(ember), call(torch)
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    np.testing.assert_allclose(e.double().numpy(), t.double().numpy(), rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda L: L.nn.functional.multi_margin_loss(L.tensor(-math.inf), L.tensor(0), reduction="none"),
    lambda L: L.nn.functional.multi_margin_loss(L.tensor([[1e-8, -math.inf], [-104.0, 1e-8]]), L.tensor([1, 1]),
                                                reduction="sum"),
    lambda L: L.nn.functional.multi_margin_loss(L.tensor([[math.inf, 0.5, 2.0]]), L.tensor([0]), p=2),
    lambda L: L.nn.functional.multi_margin_loss(L.tensor([3.0, math.nan, -104.0]), L.tensor(0)),
    lambda L: L.nn.functional.multi_margin_loss(L.tensor([[3.0, 1.0, 2.5]]), L.tensor([1]), p=2.0),
], ids=lambda c: "")
def test_multi_margin_loss_counts_positive_terms_only(call, torch):
    """As torch's kernel, a term counts where margin - x[y] + x[i] > 0: the i == y term (NaN for an
    infinite x[y]) is left out rather than multiplied by 0, and a NaN term adds nothing. p may be
    a float (torch's Scalar)."""
    _same(call(ember), call(torch))


@pytest.mark.parametrize("stats", [(True, False), (False, True)])
def test_batch_norm_training_wants_both_running_statistics_or_neither(stats, torch):
    for L in (ember, torch):
        mean, var = (L.zeros(2) if stats[0] else None), (L.ones(2) if stats[1] else None)
        with pytest.raises(ValueError, match="both be None or neither"):
            L.nn.functional.batch_norm(L.ones(4, 2), mean, var, training=True)


@pytest.mark.parametrize("call", [
    lambda L: L.ones(2, 3).sum(2 ** 64),
    lambda L: L.ones(2, 3).squeeze(2 ** 64),
    lambda L: L.ones(2, 3).unsqueeze_(-2 ** 63 - 1),
    lambda L: L.nn.functional.adaptive_avg_pool1d(L.ones(1, 2, 3), 2 ** 64),
    lambda L: L.randint(2 ** 64, (2,)),
], ids=lambda c: "")
def test_an_int_past_int64_is_a_value_error(call, torch):
    """An int argument past int64 raises ValueError (torch's "Overflow when unpacking long long"),
    not pybind11's message about C++ types."""
    for L in (ember, torch):
        with pytest.raises(ValueError, match="(?i)overflow when unpacking long long"):
            call(L)


@pytest.mark.parametrize("call", [
    lambda L: L.ones(2, 3).view(2 ** 63),
    lambda L: L.ones(2, 3).view(-1, 2 ** 63),
    lambda L: L.ones(2, 3).flip(2 ** 63),
    lambda L: L.ones(2, 3).sum_to_size(2 ** 63),
    lambda L: L.ones(2, 3).expand(3, -2 ** 63 - 1),
    lambda L: L.nn.functional.conv1d(L.ones(1, 1, 3), L.ones(1, 1, 1), stride=(2 ** 63,)),
], ids=lambda c: "")
def test_an_int_past_int64_in_a_list_of_ints_is_a_type_error(call, torch):
    """In a list of ints (a size, dims, a stride tuple) it is torch's TypeError, "failed to unpack
    the object at pos N"."""
    for L in (ember, torch):
        with pytest.raises(TypeError, match="(?i)overflow when unpacking long long"):
            call(L)


def test_an_argument_of_the_wrong_kind_names_its_python_type():
    with pytest.raises(TypeError, match="an argument of type 'float' is not of a kind") as info:
        ember.ones(2, 3).sum(1.5)
    assert "PYBIND11" not in str(info.value) and "C++" not in str(info.value)


@pytest.mark.parametrize("call, exc", [
    (lambda L: L.tensor(5.0).squeeze((0, -1)), RuntimeError),
    (lambda L: L.ones(1, 3).squeeze((0, -2)), RuntimeError),
    (lambda L: L.tensor([1, 2]).nanmean(dtype=L.float32), (RuntimeError, TypeError)),
    (lambda L: L.tensor([1.0, 2.0]).nanmean(dtype=L.int64), (RuntimeError, TypeError)),
    (lambda L: L.nn.functional.one_hot(L.zeros((3, 0), dtype=L.int64), 0), RuntimeError),
    (lambda L: L.zeros(3).uniform_(-1e308, 1.37), RuntimeError),
    (lambda L: L.zeros(3, dtype=L.float16).uniform_(0, 7e4), RuntimeError),
], ids=lambda c: "")
def test_checks_torch_makes(call, exc, torch):
    """A dim named twice in squeeze, an integer input to nanmean (whatever dtype=), one_hot of an
    empty tensor with num_classes=0, uniform_ bounds past the dtype's range: refused, as torch's."""
    for L in (ember, torch):
        with pytest.raises(exc):
            call(L)
    assert ember.nn.functional.one_hot(ember.zeros((3, 0), dtype=ember.int64), 2).shape == (3, 0, 2)


@pytest.mark.parametrize("call", [
    lambda L: L.tensor(True, dtype=L.int16),
    lambda L: L.as_tensor(False, dtype=L.uint8),
    lambda L: L.scalar_tensor(True, dtype=L.int16),
], ids=lambda c: "")
def test_bools_into_integer_dtypes(call, torch):
    """A Python bool into an integer dtype: its range check reads NumPy's bool as an int."""
    _same(call(ember), call(torch))


@pytest.mark.parametrize("call", [
    lambda L: L.tensor([2.256]).lerp(L.tensor([-1.885]), L.tensor(0.7, dtype=L.bfloat16)),
    lambda L: L.tensor([2.256]).lerp_(L.tensor([-1.885]), L.tensor(0.3, dtype=L.float64)),
], ids=lambda c: "")
def test_a_0d_lerp_weight_of_another_dtype(call, torch):
    """A 0-d lerp weight that needs no gradient is torch's Scalar overload, so its dtype may differ
    from the input's (and the fused end + (w - 1) * diff rounds once, as torch's)."""
    _same(call(ember), call(torch))


def test_normal_refuses_an_out_that_is_no_tensor():
    with pytest.raises(TypeError, match="'out' must be Tensor"):
        ember.normal(0.8, ember.ones(2), out=(1, 2))


@pytest.mark.parametrize("call", [
    lambda L: L.zeros(4, 3)[1:].detach_(),
    lambda L: L.zeros(12).view(3, 4).detach_(),
    lambda L: +L.zeros((0, 3), dtype=L.bool),
    lambda L: L.index_put(L.zeros(2, dtype=L.bfloat16), (L.tensor([1, 0]),), L.tensor([1.0, 2.0]), True),
    lambda L: L.zeros(3).index_put_((L.tensor([0]),), L.tensor(5)),
], ids=lambda c: "")
def test_refused_as_torch_refuses(call, torch):
    """detach_ of any view, + of a bool tensor, index_put with values of another dtype."""
    for L in (ember, torch):
        with pytest.raises((RuntimeError, TypeError)):
            call(L)


def test_zero_grad_keeps_a_view_grad_working(torch):
    """zero_grad(set_to_none=False) detaches only a grad with history, as torch's, so a grad that
    is a view (one the user set) is zeroed rather than refused."""
    for L in (ember, torch):
        p = L.nn.Parameter(L.ones(2))
        p.grad = L.ones(4)[:2]
        L.optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
        assert p.grad.tolist() == [0.0, 0.0]


def test_multilabel_margin_loss_counts_positive_terms_only(torch):
    """As torch's kernel, a term counts where 1 - x[y] + x[j] > 0, so a NaN score adds nothing."""
    call = lambda L: L.nn.functional.multilabel_margin_loss(L.tensor([-1e10, math.nan]), L.tensor([0, 0]))
    _same(call(ember), call(torch))


@pytest.mark.parametrize("fill", ["log_normal_", "exponential_", "geometric_"])
def test_fillers_leave_an_empty_integer_tensor_alone(fill, torch):
    """torch checks the dtype of an empty tensor for cauchy_ only: the others return it."""
    for L in (ember, torch):
        t = L.zeros((2, 0), dtype=L.bool)
        assert getattr(t, fill)(*((0.5,) if fill == "geometric_" else ())) is t


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_16bit_lerp_with_a_tensor_weight_rounds_once(dtype, torch):
    """A 16-bit lerp computes in float32 and rounds once, as torch's (it rounded each step)."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(2000).astype(np.float32), rng.standard_normal(2000).astype(np.float32)
    w = rng.uniform(-1, 2, 2000).astype(np.float32)
    call = lambda L: L.tensor(a).to(getattr(L, dtype)).lerp(L.tensor(b).to(getattr(L, dtype)),
                                                            L.tensor(w).to(getattr(L, dtype)))
    _same(call(ember), call(torch))


@pytest.mark.parametrize("call", [
    lambda L: L.sub(1.5, L.tensor(1.0, dtype=L.bfloat16), alpha=2),
    lambda L: L.subtract(1.5, L.tensor(float("nan"), dtype=L.bfloat16), alpha=-0.0),
    lambda L: L.add(2.5, L.tensor([1, 2], dtype=L.int32), alpha=3),
], ids=lambda c: "")
def test_a_number_input_with_alpha_is_a_wrapped_number(call, torch):
    """add/sub(number, tensor, alpha=): torch's parser wraps the number, so a 0-d bfloat16 other
    keeps the result bfloat16 (ember made it float32)."""
    _same(call(ember), call(torch))


@pytest.mark.parametrize("call", [
    lambda L: L.cosine_similarity(L.zeros(4, 5, 2, 1), L.zeros(4, 1, 2, 5).transpose(1, 3), eps=2 ** 64),
    lambda L: L.cosine_similarity(L.tensor([[3.0, 4.0]]), L.tensor([[1.0, 1.0]]), dim=L.tensor(1)),
], ids=lambda c: "")
def test_cosine_similarity_reads_eps_as_a_double_and_dim_as_an_index(call, torch):
    """eps=2**64 raised OverflowError (ember's clamp took the int); a one-element integer tensor dim
    is an int to torch's parser."""
    _same(call(ember), call(torch))


@pytest.mark.parametrize("call", [
    lambda L: L.nn.functional.multilabel_soft_margin_loss(
        L.tensor([[-2.96, 1.66], [-0.2, -0.9]], dtype=L.float64), L.tensor([[0], [1]]), 0.1, reduction="sum"),
    lambda L: L.narrow(L.ones(3, 2), -1, L.tensor(-2), 2),
], ids=lambda c: "")
def test_number_weights_and_tensor_starts(call, torch):
    """multilabel_soft_margin_loss multiplies by any weight, a number too (ember wanted a tensor);
    narrow takes a 0-d integral tensor as start (fuzz seed 50)."""
    _same(call(ember), call(torch))


def test_narrow_refuses_a_float_start(torch):
    with pytest.raises(RuntimeError, match="0-dim integral"):
        ember.narrow(ember.ones(3, 2), -1, ember.tensor(-2.5), 2)
    with pytest.raises(RuntimeError, match="0-dim integral"):
        torch.narrow(torch.ones(3, 2), -1, torch.tensor(-2.5), 2)


@pytest.mark.parametrize("call", [
    lambda L: L.linspace(0.75, 0.39, 1, out=L.tensor(True)),
    lambda L: L.linspace(-2.0, 1.0, steps=2, out=L.zeros(1, 1, 2)),
    lambda L: L.arange(6, out=L.zeros(2, 3)),
    lambda L: L.linspace(0.0, 1.0, steps=3, out=L.zeros(1, 1, 2)),
], ids=lambda c: "")
def test_range_factories_keep_the_shape_of_an_out_with_as_many_elements(call, torch):
    """torch's linspace/logspace/arange resize out only when its number of elements differs (fuzz
    seed 51): ember resized it to 1-d always."""
    _same(call(ember), call(torch))


@pytest.mark.parametrize("call, exc", [
    (lambda L: L.cdist(L.zeros(2, 3), L.zeros(2, 3), compute_mode=-3), ValueError),
    (lambda L: L.cdist(L.zeros(2, 3), L.zeros(2, 3), compute_mode=None), ValueError),
    (lambda L: L.cdist(L.zeros(2, 3), L.zeros(2, 3, dtype=L.float64)), RuntimeError),
    (lambda L: L.zeros(3).cauchy_(0.0, -1.0), RuntimeError),
    (lambda L: L.zeros(3).cauchy_(0.0, 0.0), RuntimeError),
    (lambda L: L.zeros(3, dtype=L.int8).random_(-128, 129), RuntimeError),
    (lambda L: L.zeros(3, dtype=L.int8).random_(-200, 3), RuntimeError),
    (lambda L: L.zeros(3, dtype=L.bool).random_(0, 3), RuntimeError),
    (lambda L: L.zeros(3, dtype=L.int32).random_(2 ** 40), RuntimeError),
    (lambda L: L.isposinf(L.zeros(3), out=L.zeros(3)), RuntimeError),
    (lambda L: L.signbit(L.zeros(3), out=L.zeros(3, dtype=L.int64)), RuntimeError),
    (lambda L: L.floor(L.zeros(3), out=L.zeros(3, dtype=L.float64)), RuntimeError),
    (lambda L: L.neg(L.zeros(3, dtype=L.int64), out=L.zeros(3, dtype=L.int32)), RuntimeError),
    (lambda L: L.zeros(3, 3).index_fill(0, L.tensor([[0]]), 1.0), RuntimeError),
    (lambda L: L.zeros(3, 3).index_fill(0, L.tensor([0], dtype=L.int32), 1.0), IndexError),
    (lambda L: L.zeros(0, 3).index_fill(0, L.tensor([0], dtype=L.int32), 1.0), IndexError),
    (lambda L: L.full((2,), 1e300), RuntimeError),
    (lambda L: L.where(L.tensor([True]), L.tensor([1.0]), 1e39), RuntimeError),
    (lambda L: L.where(L.tensor(True), -1.75, 1e308), RuntimeError),
    (lambda L: L.where(L.tensor([True]), L.tensor([1], dtype=L.int8), 1000), RuntimeError),
    (lambda L: L.nn.functional.celu(L.zeros(3), 1e-300), RuntimeError),
    (lambda L: L.nn.functional.group_norm(L.tensor([[[-2.0]]]), 1), ValueError),
    (lambda L: L.nn.GroupNorm(2, 2)(L.zeros(1, 2, 1)), ValueError),
], ids=lambda c: "")
def test_checks_torch_makes(call, exc, torch):
    """Arguments torch refuses and ember took (fuzz seed 51): cdist's compute_mode and mixed dtypes,
    cauchy_'s sigma, random_'s bounds against the dtype, a non-bool out of the infinity and sign
    predicates, an out of another dtype for the unary ops that keep their dtype, index_fill's
    index, a fill value or where's number past float32's range, celu's 1 / alpha, group_norm of one
    value per group."""
    for L in (ember, torch):
        with pytest.raises(exc):
            call(L)


@pytest.mark.parametrize("call", [
    lambda L: L.where(L.tensor([True]), L.tensor([1], dtype=L.float16), 1e6),
    lambda L: L.where(L.tensor([True]), L.tensor([1], dtype=L.uint8), -1),
    lambda L: L.zeros(3, dtype=L.int8).random_(-128, 128) * 0,
    lambda L: L.abs(L.tensor([-1.0]), out=L.zeros(1)),
    lambda L: L.exp(L.zeros(2), out=L.zeros(2, dtype=L.float64)),
    lambda L: L.isneginf(L.tensor([-math.inf, 1.0]), out=L.zeros(2, dtype=L.bool)),
], ids=lambda c: "")
def test_what_those_checks_let_through(call, torch):
    """The other side of the checks above: what torch takes still works."""
    _same(call(ember), call(torch))


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_16bit_xlogy_rounds_the_log_first(dtype, torch):
    """torch's xlogy kernel computes x * log(y) in the 16-bit type, the log rounded to it before the
    product (kl_div's xlogy(target, target) too): ember rounded once (fuzz seed 51)."""
    rng = np.random.default_rng(3)
    x, y = rng.uniform(-3, 3, 4000), rng.uniform(0, 5, 4000)
    x[:10], y[10:20] = 0.0, math.nan
    for call in (lambda L: L.xlogy(L.tensor(x).to(getattr(L, dtype)), L.tensor(y).to(getattr(L, dtype))),
                 lambda L: L.xlogy(L.tensor(x).to(getattr(L, dtype)), 2.5),
                 lambda L: L.nn.functional.kl_div(L.tensor(x[:40]).float(), L.tensor(y[20:60]).to(getattr(L, dtype)),
                                                  reduction="none")):
        _same(call(ember), call(torch))


@pytest.mark.parametrize("call", [
    lambda L: L.range(2.36, 1, -0.34),
    lambda L: L.range(0.0, 1.0, 0.1),
    lambda L: L.range(-5, 7, 4, dtype=L.int64),
    lambda L: L.nn.functional.fold(L.tensor([[[0.9, 1.5], [-0.07, -0.26]], [[-2.0, -0.07], [-1.8, -0.8]]],
                                            dtype=L.float16), 2, kernel_size=(2, 1)),
    lambda L: L.nn.functional.unfold(L.arange(16.0).reshape(1, 1, 4, 4).to(L.bfloat16), 2),
    lambda L: L.zeros(3, 4, 5)[L.tensor(1), :, [1, 2]],
    lambda L: L.zeros(3, 4, 5)[:, L.tensor(-1, dtype=L.int8), L.tensor([1, 2])],
    lambda L: L.zeros(3, 3, 3, 3)[L.tensor(0), ::3, [], ()],
], ids=lambda c: "")
def test_range_count_16bit_fold_and_0d_integer_indices(call, torch):
    """range counts int((end - start) / step + 1) values, as torch's (2.36 down to 1 by 0.34 is 5
    values, the quotient 3.9999999999999996); fold and unfold take float16/bfloat16; a 0-d integer
    tensor index is an int to torch (a select), so advanced indices beside it stay in place (fuzz
    seed 51)."""
    _same(call(ember), call(torch))


def test_a_0d_integer_tensor_index_is_a_view(torch):
    for L in (ember, torch):
        t = L.zeros(3, 2)
        t[L.tensor(1)].add_(1)
        assert t.tolist() == [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
        assert t[L.tensor(True)].shape == (1, 3, 2)  # a bool one still adds a dim


def test_poisson_nll_loss_reads_its_stirling_numbers_unrounded(torch):
    """full=True with a float16 target: torch's Python scalars (2 pi, 0.5) enter the 16-bit products
    unrounded; ember put them first, where a 0-d operand rounds to the dtype (2 pi to 6.28125), and
    its loss was 1e-3 off (fuzz seed 52)."""
    x = np.array([-1.0, -2.0, 0.5, 3.0], dtype=np.float32)
    t = np.array([2.2168, 1.2314, 7.5, 40.0])
    call = lambda L: L.nn.functional.poisson_nll_loss(L.tensor(x), L.tensor(t, dtype=L.float16), full=True,
                                                      reduction="none")
    _same(call(ember), call(torch))


def test_multi_margin_loss_refuses_a_margin_past_float32(torch):
    for L in (ember, torch):
        with pytest.raises(RuntimeError):
            L.nn.functional.multi_margin_loss(L.tensor([[0.3, 0.1]]), L.tensor([0]), margin=-1e308)


@pytest.mark.parametrize("shape, assign", [
    ((3,), lambda L, x: x.__setitem__([0, 1], L.tensor([1, 2]))),
    ((3,), lambda L, x: x.__setitem__(L.tensor([True, False, True]), L.tensor([1, 2]))),
    ((3,), lambda L, x: x.__setitem__([0, 1], L.tensor(2.0, dtype=L.float64))),
    ((2, 3), lambda L, x: x.__setitem__((slice(None), [0, 1]), L.tensor([1.0, 2.0], dtype=L.float64))),
], ids=lambda c: "")
def test_indexed_assignment_wants_the_dtype(shape, assign, torch):
    """x[index] = value with a tensor or sequence index is torch's index_put_, which refuses a value
    of another dtype (fuzz seed 51); ember cast it."""
    for L in (ember, torch):
        with pytest.raises(RuntimeError, match="dtypes match"):
            assign(L, L.zeros(shape))


@pytest.mark.parametrize("assign", [
    lambda L, x: x.__setitem__(L.tensor([True, False, True]), L.tensor(2)),
    lambda L, x: x.__setitem__([0, 1], 5),
    lambda L, x: x.__setitem__(L.tensor(1), L.tensor(2)),
    lambda L, x: x.__setitem__(slice(0, 2), L.tensor([1, 2])),
    lambda L, x: x.__setitem__([0, 2], L.tensor([1.0, 2.0])),
], ids=lambda c: "")
def test_what_indexed_assignment_casts(assign, torch):
    """A mask with a 0-d value (masked_fill), a number, an int or slice index (a copy) cast, as torch's."""
    results = []
    for L in (ember, torch):
        x = L.zeros(3)
        assign(L, x)
        results.append(x)
    _same(*results)


@pytest.mark.parametrize("args", [(), (1,), ("i",)], ids=repr)
def test_einsum_without_operands_raises_value_error(args, torch):
    for L in (ember, torch):
        with pytest.raises(ValueError, match="must specify the equation string"):
            L.einsum(*args)


@pytest.mark.parametrize("call", [
    lambda L: L.tensor(-2.5, dtype=L.bfloat16).new(L.tensor(9, dtype=L.int8), 2),
    lambda L: L.logspace(0, 1, 3, requires_grad=None),
], ids=lambda c: "")
def test_legacy_new_reads_0d_sizes_and_logspace_a_none_requires_grad(call, torch):
    """Tensor.new(tensor(9), 2) takes the 0-d integer tensor as a size, and logspace requires_grad=None
    as False, as torch's parser (fuzz seed 51)."""
    e, t = call(ember), call(torch)
    assert tuple(e.shape) == tuple(t.shape) and e.requires_grad == t.requires_grad


def test_in_place_alpha_is_read_in_the_computations_dtype(torch):
    """x.sub_(float64 other, alpha=1e308) on a float32 x computes in float64, so alpha fits there, as
    torch's (ember checked it against float32); against a float32 other it does not fit (fuzz seed 53)."""
    call = lambda L: L.tensor([[3.0]]).subtract_(L.tensor([[2.4]], dtype=L.float64), alpha=1e308)
    _same(call(ember), call(torch))
    for L in (ember, torch):
        with pytest.raises(RuntimeError, match="cannot be converted"):
            L.tensor([[3.0]]).add_(L.tensor([[2.4]]), alpha=1e308)
    with pytest.raises(RuntimeError, match=r"value 1e\+308 cannot"):  # printed as Python prints it
        ember.tensor([[3.0]]).add_(ember.tensor([[2.4]]), alpha=1e308)

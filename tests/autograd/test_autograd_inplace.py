"""Autograd and in-place writes: the version counter (ember raises exactly when torch raises), in-place
ops on non-leaves and through views (CopySlices, views refreshed after their base changed), with
torch as the oracle.
"""

import numpy as np
import pytest

import ember
from autograd_helpers import _assert_close, _compare_grads, _grads_both, _leaf, _np, _rand


# ---------------------------------------------------------------------------------------------
# version counter and in-place checks
# ---------------------------------------------------------------------------------------------
def _vc_exp_output(m, x):
    y = x.exp()  # saves its result
    y.add_(1)
    return y.sum()


def _vc_mul_scalar_output(m, x):
    y = x * 2  # saves nothing of y
    y.add_(1)
    return y.sum()


def _vc_sin_input(m, x):
    y = x * 1
    z = y.sin()  # saves its input y
    y.add_(1)
    return z.sum()


def _vc_sin_output(m, x):
    y = x.sin()  # saves x, not y
    y.add_(1)
    return y.sum()


def _vc_mul_self(m, x):
    y = x * 1
    z = y * y
    y.mul_(2)
    return z.sum()


def _vc_sum_then_modify(m, x):
    y = x * 1
    z = y.sum()
    y.add_(1)
    return z


def _vc_sigmoid_output(m, x):
    y = x.sigmoid()
    y.mul_(2)
    return y.sum()


def _vc_tanh_input(m, x):
    y = x * 1
    z = y.tanh()  # saves its result, not y
    y.add_(1)
    return z.sum()


def _vc_exp_input(m, x):
    y = x * 1
    z = y.exp()  # saves its result, not y
    y.add_(1)
    return z.sum()


def _vc_pow_input(m, x):
    y = x * 1
    z = y.pow(2)
    y.add_(1)
    return z.sum()


def _vc_relu_output(m, x):
    y = x.relu()
    y.mul_(2)
    return y.sum()


def _vc_through_view(m, x):
    y = x * 1
    z = y * y
    y[0].add_(1)  # a write through a view bumps the base's version
    return z.sum()


def _vc_base_of_saved_view(m, x):
    y = x * 1
    v = y[1:]
    z = v * v
    y.mul_(2)  # the saved view shares the base's version counter
    return z.sum()


def _vc_detach_shares_version(m, x):
    y = x.exp()
    y.detach().zero_()
    return y.sum()


def _vc_data_does_not(m, x):
    y = x.exp()
    y.data.add_(1)  # .data does not share the version counter
    return y.sum()


def _vc_no_grad_still_counts(m, x):
    y = x.exp()
    with m.no_grad():
        y.add_(1)
    return y.sum()


def _vc_modify_after_backward_prep(m, x):
    y = x * 1
    z = (y * 3).sum()  # mul by a scalar saves nothing
    y.mul_(2)
    return z


def _vc_div_by_scalar(m, x):
    y = x * 1
    z = (y / 3).sum()  # the grad of y needs only the divisor
    y.mul_(2)
    return z


def _vc_mul_by_constant_tensor(m, x):
    y = x * 1
    c = m.full((4,), 3.0, dtype=x.dtype)  # does not require grad
    z = (y * c).sum()  # the grad of y needs only c
    y.mul_(2)
    return z


def _vc_outer_with_constant(m, x):
    y = x * 1
    z = m.outer(y, m.ones(3, dtype=x.dtype)).sum()  # the grad of y needs only the constant
    y.mul_(2)
    return z


def _vc_mm_operand_not_needed(m, x):
    w = x.reshape(2, 2) * 1
    c = m.ones(3, 2, dtype=x.dtype)  # does not require grad
    z = c @ w  # only the grad of w is needed, and that uses c: w itself need not be saved
    w.add_(1)
    return z.sum()


def _vc_mm_operand_needed(m, x):
    w = x.reshape(2, 2) * 1
    c = x.reshape(2, 2).exp()
    z = c @ w  # grad of c needs w
    w.add_(1)
    return z.sum()


VERSION_CASES = [
    _vc_exp_output, _vc_mul_scalar_output, _vc_sin_input, _vc_sin_output, _vc_mul_self,
    _vc_sum_then_modify, _vc_sigmoid_output, _vc_tanh_input, _vc_exp_input, _vc_pow_input,
    _vc_relu_output, _vc_through_view, _vc_base_of_saved_view, _vc_detach_shares_version,
    _vc_data_does_not, _vc_no_grad_still_counts, _vc_modify_after_backward_prep,
    _vc_div_by_scalar, _vc_mul_by_constant_tensor, _vc_outer_with_constant,
    _vc_mm_operand_not_needed,
    _vc_mm_operand_needed,
]


@pytest.mark.parametrize("case", VERSION_CASES, ids=[f.__name__[4:] for f in VERSION_CASES])
def test_version_counter_matches_torch(torch, case):
    a = np.array([0.5, -1.0, 2.0, 0.25])
    grads = {}
    errs = {}
    for name, m in (("ember", ember), ("torch", torch)):
        x = _leaf(m, a)
        loss = case(m, x)  # building the graph and the in-place op never raise
        try:
            loss.backward()
            errs[name] = None
        except RuntimeError as exc:
            errs[name] = exc
        grads[name] = x.grad
    t_raises = errs["torch"] is not None
    e_err = errs["ember"]
    if t_raises:
        assert e_err is not None, "torch raises at backward, ember does not"
        assert "modified by an inplace operation" in str(e_err), str(e_err)
    else:
        assert e_err is None, f"torch does not raise, ember does: {e_err}"
        _assert_close(grads["ember"], grads["torch"], rtol=1e-10)


def test_version_counter_error_message():
    x = _leaf(ember, _rand(3))
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


LEAF_INPLACE = [
    ("add_", lambda x: x.add_(1)),
    ("mul_", lambda x: x.mul_(2)),
    ("zero_", lambda x: x.zero_()),
    ("iadd", lambda x: x.__iadd__(1)),
    ("setitem", lambda x: x.__setitem__(0, 5.0)),
    ("view_mul_", lambda x: x[1:].mul_(2)),
    ("copy_", lambda x: x.copy_(ember.zeros(3, dtype=ember.float64))),
]


@pytest.mark.parametrize("name,op", LEAF_INPLACE, ids=[n for n, _ in LEAF_INPLACE])
def test_inplace_on_leaf_requiring_grad_raises(name, op):
    a = _rand(3)
    x = _leaf(ember, a)
    with pytest.raises(RuntimeError, match="leaf"):
        op(x)
    np.testing.assert_allclose(_np(x), a)  # and leaves it unchanged


def test_inplace_on_leaf_allowed_under_no_grad():
    a = _rand(3)
    x = _leaf(ember, a)
    with ember.no_grad():
        x.mul_(2)
        x[0] = 7.0
        x += 1
    expected = 2 * a + 1
    expected[0] = 8.0
    np.testing.assert_allclose(_np(x), expected)
    assert x.requires_grad and x.is_leaf and x.grad_fn is None
    (x * x).sum().backward()
    np.testing.assert_allclose(_np(x.grad), 2 * expected, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# in-place ops and views with grad (torch is the oracle)
# ---------------------------------------------------------------------------------------------
def _ip_mul_add(m, x, w):
    y = x * 1
    y.mul_(2)
    y.add_(x)
    return (y * w).sum()


def _ip_exp_(m, x, w):
    y = x * 1
    y.exp_()
    return (y * w).sum()


def _ip_sigmoid_then_use(m, x, w):
    y = x * 1
    y.sigmoid_()
    return (y * y * w).sum()


def _ip_col_imul(m, x, w):
    y = x * 1
    y[:, 1] *= 3
    return (y * w).sum()


def _ip_row_of_non_leaf(m, x, w):
    y = x * 1
    y[0].mul_(3)  # torch: CopySlices
    return (y * w).sum()


def _ip_transposed_view(m, x, w):
    y = x * 1
    y.t().mul_(w.t())  # in-place with an operand that requires grad, through a view
    return (y * y).sum()


def _ip_div_by_tensor(m, x, w):
    y = x * 1
    y.div_(w * w + 1)
    return (y * x).sum()


def _ip_into_tensor_not_requiring_grad(m, x, w):
    a = m.zeros(2, 3, dtype=x.dtype)
    a.add_(x * w)  # a now requires grad
    return (a * a).sum()


def _ip_slice_assign_into_plain_tensor(m, x, w):
    a = m.zeros(4, 3, dtype=x.dtype)
    a[1:3] = x.exp()
    return (a * m.cat([w, w])).sum()


def _ip_view_sees_base_inplace(m, x, w):
    y = x * 1
    v = y[0]
    y.mul_(w)  # v's graph must see this
    return (v * v).sum()


def _ip_clamp_(m, x, w):
    y = x * w
    y.clamp_(-0.5, 0.5)
    return (y * x).sum()


INPLACE_GRAD_CASES = [
    _ip_mul_add, _ip_exp_, _ip_sigmoid_then_use, _ip_col_imul, _ip_row_of_non_leaf,
    _ip_transposed_view, _ip_div_by_tensor, _ip_into_tensor_not_requiring_grad,
    _ip_slice_assign_into_plain_tensor, _ip_view_sees_base_inplace, _ip_clamp_,
]


@pytest.mark.parametrize("case", INPLACE_GRAD_CASES, ids=[f.__name__[4:] for f in INPLACE_GRAD_CASES])
def test_inplace_with_grad_matches_torch(torch, case):
    _compare_grads(torch, case, [_rand(2, 3), _rand(2, 3, seed=1)], rtol=1e-10)


def test_setitem_with_tensor_requiring_grad(torch):
    X, Z, W = _rand(2, 3), _rand(3, seed=1), _rand(2, 3, seed=2)

    def f(m, x, z):
        y = x * 1
        y[0] = z
        assert y.requires_grad and not y.is_leaf
        return (y * m.tensor(W.copy())).sum()

    eg, tg = _grads_both(torch, f, [X, Z])
    _assert_close(eg[0], tg[0], what="x.grad")
    _assert_close(eg[1], tg[1], what="z.grad")
    expected_x = W.copy()
    expected_x[0] = 0
    np.testing.assert_allclose(_np(eg[0]), expected_x)
    np.testing.assert_allclose(_np(eg[1]), W[0])


def test_view_ops_grads(torch):
    def f(m, x, w):
        v = x.reshape(3, 2).t()  # (2, 3)
        s = x[:, 1:].transpose(0, 1)  # (2, 2)
        u = x.unsqueeze(0).expand(4, 2, 3).sum(0)
        return (v * w).sum() + (s * s).sum() + (u * w).sum() + x.view(6)[2:5].exp().sum()

    _compare_grads(torch, f, [_rand(2, 3), _rand(2, 3, seed=1)], rtol=1e-10)

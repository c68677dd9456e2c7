"""Autograd's engine: Tensor.backward, retain_graph, ember.autograd.grad / backward, higher-order
derivatives (create_graph), and backward from another thread.

Grad modes are in test_autograd_grad_mode.py; the autograd attributes of a tensor (requires_grad,
leaves, detach, retain_grad, grad_fn) in test_autograd_tensor_attributes.py.

PyTorch (the ``torch`` fixture) is the oracle wherever it defines the answer: each case builds the
same NumPy data into ember and torch tensors and compares gradients
(tests/autograd/autograd_helpers.py). Analytic values are checked directly where they are simple
(x**3, sin, ...).
"""

import threading
import warnings

import numpy as np
import pytest

import ember
from autograd_helpers import _assert_close, _compare_grads, _grads_both, _leaf, _np, _rand


# ---------------------------------------------------------------------------------------------
# Tensor.backward basics
# ---------------------------------------------------------------------------------------------
def test_backward_scalar_output(torch):
    a = _rand(5)
    x = _leaf(ember, a)
    assert x.grad is None
    y = (x * x).sum()
    assert y.shape == ()
    assert y.requires_grad and not y.is_leaf
    assert y.backward() is None
    assert isinstance(x.grad, ember.Tensor)
    assert not x.grad.requires_grad
    assert x.grad.grad_fn is None
    np.testing.assert_allclose(_np(x.grad), 2 * a, rtol=1e-12)
    _compare_grads(torch, lambda m, x: (x * x).sum(), [a])


def test_backward_one_element_non_0d_output(torch):
    # torch accepts any output with numel() == 1 for an implicit gradient
    _compare_grads(torch, lambda m, x: (x * 3.0).sum().reshape(1, 1), [_rand(4)])


def test_backward_with_gradient_argument(torch):
    a, g = _rand(2, 3), _rand(2, 3, seed=1)
    x = _leaf(ember, a)
    y = x * x
    y.backward(ember.tensor(g.copy()))
    np.testing.assert_allclose(_np(x.grad), 2 * a * g, rtol=1e-12)

    xt = _leaf(torch, a)
    (xt * xt).backward(torch.tensor(g))
    _assert_close(x.grad, xt.grad)


def test_backward_gradient_keyword_and_exp(torch):
    a, g = _rand(4), _rand(4, seed=3)
    eg, tg = [], []
    for m, out in ((ember, eg), (torch, tg)):
        x = _leaf(m, a)
        x.exp().backward(gradient=m.tensor(g.copy()))
        out.append(x.grad)
    _assert_close(eg[0], tg[0])
    np.testing.assert_allclose(_np(eg[0]), np.exp(a) * g, rtol=1e-12)


def test_backward_non_scalar_without_gradient_raises():
    x = _leaf(ember, _rand(3))
    y = x * 2
    with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
        y.backward()
    assert x.grad is None


def test_backward_gradient_with_wrong_shape_raises():
    x = _leaf(ember, _rand(3))
    y = x * 2
    with pytest.raises(RuntimeError):
        y.backward(ember.ones(4, dtype=ember.float64))


def test_backward_on_output_not_requiring_grad_raises():
    x = ember.tensor(_rand(3))  # requires_grad False
    y = (x * 2).sum()
    assert not y.requires_grad
    assert y.grad_fn is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_grad_accumulates_across_backward_calls(torch):
    a = _rand(4)
    x = _leaf(ember, a)
    (x * x).sum().backward()
    first = _np(x.grad)
    (x.sin()).sum().backward()
    np.testing.assert_allclose(first, 2 * a, rtol=1e-12)
    np.testing.assert_allclose(_np(x.grad), 2 * a + np.cos(a), rtol=1e-12)

    xt = _leaf(torch, a)
    (xt * xt).sum().backward()
    xt.sin().sum().backward()
    _assert_close(x.grad, xt.grad)


def test_grad_setter_and_deleter():
    a = _rand(3)
    x = _leaf(ember, a)
    x.grad = ember.tensor(np.full(3, 10.0))
    (x * 2).sum().backward()
    np.testing.assert_allclose(_np(x.grad), np.full(3, 12.0))
    del x.grad
    assert x.grad is None
    (x * 2).sum().backward()
    np.testing.assert_allclose(_np(x.grad), np.full(3, 2.0))
    x.grad = None
    assert x.grad is None


def test_grad_setter_rejects_wrong_shape():
    x = _leaf(ember, _rand(3))
    with pytest.raises(RuntimeError):
        x.grad = ember.ones(4, dtype=ember.float64)


def test_leaf_used_twice(torch):
    a = _rand(5)
    x = _leaf(ember, a)
    (x * x + x).sum().backward()
    np.testing.assert_allclose(_np(x.grad), 2 * a + 1, rtol=1e-12)
    _compare_grads(torch, lambda m, x: (x * x + x * x.exp()).sum(), [a])


def test_diamond_graph(torch):
    a = _rand(2, 3)

    def f(m, x):
        h = x.exp()
        b = h * 2
        c = h.sin()
        return (b * c).sum()

    x = _leaf(ember, a)
    f(ember, x).backward()
    e = np.exp(a)
    # d/dx [2 e^x sin(e^x)] = 2 e^x sin(e^x) + 2 e^{2x} cos(e^x)
    np.testing.assert_allclose(_np(x.grad), 2 * e * np.sin(e) + 2 * e * e * np.cos(e), rtol=1e-10)
    _compare_grads(torch, f, [a])


def test_broadcasting_reduces_grads_to_input_shapes(torch):
    arrays = [_rand(3, 1, seed=1), _rand(4, seed=2), np.array(1.5), _rand(2, 3, 4, seed=3),
              _rand(1, 4, seed=4)]

    def f(m, a, b, c, d, e):
        return (((a * b + c) * d - e) / (e * e + 1)).sum()

    eg, tg = _grads_both(torch, f, arrays)
    for i, (e, t) in enumerate(zip(eg, tg)):
        assert tuple(e.shape) == arrays[i].shape, f"grad of input {i} has the input's shape"
        _assert_close(e, t, rtol=1e-10, what=f"grad of input {i}")


def test_float32_leaf_in_float64_computation_gets_float32_grad(torch):
    a, w = _rand(4, dtype=np.float32), _rand(4, seed=1)

    def f(m, x, w):
        return ((x * w).sin() + x.double() ** 2).sum()

    eg, tg = _grads_both(torch, f, [a, w])
    assert eg[0].dtype == ember.float32
    assert eg[1].dtype == ember.float64
    _assert_close(eg[0], tg[0], rtol=1e-5)
    _assert_close(eg[1], tg[1], rtol=1e-5)


def test_inputs_not_requiring_grad_get_no_grad(torch):
    a, c = _rand(3), _rand(3, seed=1)
    x = _leaf(ember, a)
    k = _leaf(ember, c, requires_grad=False)
    (x * k).sum().backward()
    assert k.grad is None
    np.testing.assert_allclose(_np(x.grad), c)


def test_autograd_backward_function_with_several_tensors(torch):
    a, g1 = _rand(3), _rand(3, seed=1)
    res = []
    for m in (ember, torch):
        x = _leaf(m, a)
        y1 = x * x
        y2 = x.sin().sum()
        m.autograd.backward([y1, y2], grad_tensors=[m.tensor(g1.copy()), None])
        res.append(x.grad)
    _assert_close(*res)
    np.testing.assert_allclose(_np(res[0]), 2 * a * g1 + np.cos(a), rtol=1e-12)


def test_autograd_backward_single_tensor():
    a = _rand(3)
    x = _leaf(ember, a)
    ember.autograd.backward((x ** 2).sum())
    np.testing.assert_allclose(_np(x.grad), 2 * a, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# retain_graph
# ---------------------------------------------------------------------------------------------
def test_second_backward_through_freed_graph_raises():
    x = _leaf(ember, _rand(3))
    y = x.exp().sum()  # ExpBackward saves its result
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_second_grad_through_freed_graph_raises():
    x = _leaf(ember, _rand(3))
    y = (x * x).sum()  # MulBackward saves both operands
    ember.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="retain_graph"):
        ember.autograd.grad(y, x)


def test_retain_graph_allows_second_backward_and_accumulates(torch):
    a = _rand(3)
    res = []
    for m in (ember, torch):
        x = _leaf(m, a)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        g1 = _np(x.grad)
        y.backward(retain_graph=True)
        y.backward()
        res.append((g1, x.grad))
    np.testing.assert_allclose(res[0][0], np.exp(a) * (1 + a), rtol=1e-12)
    _assert_close(res[0][1], res[1][1])
    np.testing.assert_allclose(_np(res[0][1]), 3 * np.exp(a) * (1 + a), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# ember.autograd.grad
# ---------------------------------------------------------------------------------------------
def test_create_graph_implies_retain_graph():
    a = _rand(3)
    x = _leaf(ember, a)
    y = (x * x * x).sum()
    (g1,) = ember.autograd.grad(y, x, create_graph=True)  # retain_graph defaults to create_graph
    (g2,) = ember.autograd.grad(y, x)
    np.testing.assert_allclose(_np(g1), _np(g2))
    np.testing.assert_allclose(_np(g2), 3 * a * a, rtol=1e-12)


def test_autograd_grad_wrt_tensor_not_requiring_grad_raises():
    x, k = _leaf(ember, _rand(3)), ember.tensor(_rand(3, seed=1))
    y = (x * k).sum()
    with pytest.raises(RuntimeError, match="does not require grad"):
        ember.autograd.grad(y, [x, k])


def test_grad_mode_during_backward_follows_create_graph(torch):
    seen = {}
    for name, m in (("ember", ember), ("torch", torch)):
        for create in (False, True):
            x = _leaf(m, _rand(3))
            y = x * x
            y.register_hook(lambda g, key=(name, create), m=m: seen.__setitem__(
                key, m.is_grad_enabled()))
            (g,) = m.autograd.grad(y.sum(), x, create_graph=create)
            assert g.requires_grad == create
    assert seen[("torch", False)] is False and seen[("torch", True)] is True
    assert seen[("ember", False)] == seen[("torch", False)]
    assert seen[("ember", True)] == seen[("torch", True)]


def test_autograd_grad_returns_tuple_and_leaves_dot_grad_alone():
    a, b = _rand(3), _rand(3, seed=1)
    x, w = _leaf(ember, a), _leaf(ember, b)
    y = (x * w).sum()
    res = ember.autograd.grad(y, [x, w])
    assert isinstance(res, tuple) and len(res) == 2
    np.testing.assert_allclose(_np(res[0]), b)
    np.testing.assert_allclose(_np(res[1]), a)
    assert x.grad is None and w.grad is None
    assert not res[0].requires_grad  # create_graph=False

    single = ember.autograd.grad((x * 3).sum(), x)
    assert isinstance(single, tuple) and len(single) == 1
    np.testing.assert_allclose(_np(single[0]), np.full(3, 3.0))


def test_autograd_grad_wrt_intermediate(torch):
    a = _rand(4)
    res = []
    for m in (ember, torch):
        x = _leaf(m, a)
        h = x.exp()
        y = (h.sin() * x).sum()
        res.append(m.autograd.grad(y, (h, x)))
    _assert_close(res[0][0], res[1][0], what="d/dh")
    _assert_close(res[0][1], res[1][1], what="d/dx")


def test_autograd_grad_allow_unused():
    x, z = _leaf(ember, _rand(3)), _leaf(ember, _rand(3, seed=1))
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        ember.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = ember.autograd.grad(y, [x, z], allow_unused=True)
    assert gz is None
    np.testing.assert_allclose(_np(gx), np.full(3, 2.0))


def test_autograd_grad_grad_outputs(torch):
    a, g = _rand(2, 3), _rand(2, 3, seed=5)
    res = []
    for m in (ember, torch):
        x = _leaf(m, a)
        y = x.sin() * x
        res.append(m.autograd.grad(y, x, grad_outputs=m.tensor(g.copy()))[0])
    _assert_close(*res)
    np.testing.assert_allclose(_np(res[0]), g * (np.cos(a) * a + np.sin(a)), rtol=1e-12)


def test_higher_order_derivatives_of_cube():
    a = np.array([-1.5, 0.5, 2.0])
    x = _leaf(ember, a)
    (g1,) = ember.autograd.grad((x ** 3).sum(), x, create_graph=True)
    assert g1.requires_grad and g1.grad_fn is not None
    np.testing.assert_allclose(_np(g1), 3 * a ** 2, rtol=1e-12)
    (g2,) = ember.autograd.grad(g1.sum(), x, create_graph=True)
    np.testing.assert_allclose(_np(g2), 6 * a, rtol=1e-12)
    (g3,) = ember.autograd.grad(g2.sum(), x)
    np.testing.assert_allclose(_np(g3), np.full(3, 6.0), rtol=1e-12)
    assert x.grad is None


def test_higher_order_derivatives_of_sin():
    a = _rand(5)
    x = _leaf(ember, a)
    (g1,) = ember.autograd.grad(x.sin().sum(), x, create_graph=True)
    (g2,) = ember.autograd.grad(g1.sum(), x, create_graph=True)
    (g3,) = ember.autograd.grad(g2.sum(), x, create_graph=True)
    (g4,) = ember.autograd.grad(g3.sum(), x)
    np.testing.assert_allclose(_np(g1), np.cos(a), rtol=1e-12)
    np.testing.assert_allclose(_np(g2), -np.sin(a), rtol=1e-12)
    np.testing.assert_allclose(_np(g3), -np.cos(a), rtol=1e-12)
    np.testing.assert_allclose(_np(g4), np.sin(a), rtol=1e-12)


def test_grad_of_grad_through_matmul_and_sum(torch):
    W, X, V = _rand(3, 4), _rand(4, 2, seed=1), _rand(4, 2, seed=2)
    res = []
    for m in (ember, torch):
        w, x = _leaf(m, W), _leaf(m, X)
        y = (w @ x).tanh().pow(2).sum()
        (gx,) = m.autograd.grad(y, x, create_graph=True)
        z = (gx * m.tensor(V.copy())).sum()  # Hessian-vector product
        res.append((gx,) + m.autograd.grad(z, [x, w]))
    for i, name in enumerate(("dy/dx", "d(gx.v)/dx", "d(gx.v)/dw")):
        _assert_close(res[0][i], res[1][i], rtol=1e-9, what=name)


def test_grad_of_grad_through_mm_mv_and_sum_dim(torch):
    A, b = _rand(3, 3), _rand(3, seed=1)
    res = []
    for m in (ember, torch):
        a, v = _leaf(m, A), _leaf(m, b)
        y = (m.mm(a, a.t()).sum(0) * m.mv(a, v)).exp().sum()
        ga, gv = m.autograd.grad(y, [a, v], create_graph=True)
        res.append(m.autograd.grad((ga * ga).sum() + gv.sum(), [a, v]))
    _assert_close(res[0][0], res[1][0], rtol=1e-8, what="d/da")
    _assert_close(res[0][1], res[1][1], rtol=1e-8, what="d/dv")


SOFTMAX_CASES = [("softmax", 1), ("softmax", 0), ("softmax", -1), ("log_softmax", 1),
                 ("log_softmax", 0)]


def test_log_softmax_and_softmax_are_stable_for_large_inputs(torch):
    A, W = np.array([[1000.0, 0.0, -1000.0], [3.0, 2.0, 1.0]]), np.array([[1.0, 2.0, 3.0]] * 2)
    for fname in ("log_softmax", "softmax"):
        res = []
        for m in (ember, torch):
            x = _leaf(m, A)
            y = getattr(m, fname)(x, 1)
            (y * m.tensor(W.copy())).sum().backward()
            res.append((y, x.grad))
        assert np.isfinite(_np(res[0][0])).all() and np.isfinite(_np(res[0][1])).all()
        _assert_close(res[0][0], res[1][0], rtol=1e-12, what=f"{fname} forward")
        _assert_close(res[0][1], res[1][1], rtol=1e-12, what=f"{fname} grad")


def test_softmax_on_3d_tensor(torch):
    A = _rand(2, 3, 4)
    for dim in (0, 1, 2, -2):
        _compare_grads(torch, lambda m, x: (m.softmax(x, dim) ** 2).sum()
                       + (m.log_softmax(x, dim) * x).sum(), [A], rtol=1e-10)


def test_grad_with_several_outputs_and_none_grad_output(torch):
    a, g = _rand(2), _rand(2, seed=1)
    res = []
    for m in (ember, torch):
        x = _leaf(m, a)
        outs = [x * 2, x.sin().sum()]
        res.append(m.autograd.grad(outs, [x], grad_outputs=[m.tensor(g.copy()), None])[0])
    _assert_close(*res)
    np.testing.assert_allclose(_np(res[0]), 2 * g + np.cos(a), rtol=1e-12)


def test_double_backward_through_inplace_on_view(torch):
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    res = []
    for m in (ember, torch):
        x = _leaf(m, A)
        y = x * 1
        y[0].mul_(x[1])  # CopySlices in torch
        (g,) = m.autograd.grad((y * y).sum(), x, create_graph=True)
        res.append((g,) + m.autograd.grad((g * g).sum(), x))
    _assert_close(res[0][0], res[1][0], what="grad")
    _assert_close(res[0][1], res[1][1], what="grad of grad")


@pytest.mark.parametrize("fname,dim", SOFTMAX_CASES, ids=[f"{f}-dim{d}" for f, d in SOFTMAX_CASES])
def test_softmax_grad_and_grad_of_grad(torch, fname, dim):
    A, W, V = _rand(3, 4), _rand(3, 4, seed=1), _rand(3, 4, seed=2)
    res = []
    for m in (ember, torch):
        x = _leaf(m, A)
        y = getattr(m, fname)(x, dim)
        loss = (y * m.tensor(W.copy())).sum()
        (g,) = m.autograd.grad(loss, x, create_graph=True)
        (gg,) = m.autograd.grad((g * m.tensor(V.copy())).sum(), x)
        res.append((y, g, gg))
    for i, what in enumerate(("forward", "grad", "grad of grad")):
        _assert_close(res[0][i], res[1][i], rtol=1e-9, atol=1e-12, what=what)


def test_double_backward_accumulates_into_leaf_grad(torch):
    a = np.array([-1.0, 0.5, 2.0])
    res = []
    for m in (ember, torch):
        x = _leaf(m, a)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns about create_graph with .backward()
            (x ** 3).sum().backward(create_graph=True)
            g = x.grad
            assert g.requires_grad and g.grad_fn is not None
            first = _np(g)
            g.sum().backward()  # d/dx sum(3x^2) = 6x, accumulated into x.grad
        res.append((first, _np(x.grad)))
    np.testing.assert_allclose(res[0][0], 3 * a ** 2, rtol=1e-12)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-12)
    np.testing.assert_allclose(res[0][1], 3 * a ** 2 + 6 * a, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# the engine: backward from another thread, a leaf hook sees the summed gradient
# ---------------------------------------------------------------------------------------------
def test_backward_from_another_thread():
    a = _rand(3)
    x = _leaf(ember, a)
    y = (x * x.exp()).sum()
    errors = []

    def run():
        try:
            y.backward()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    th = threading.Thread(target=run)
    th.start()
    th.join()
    assert not errors
    np.testing.assert_allclose(_np(x.grad), np.exp(a) * (1 + a), rtol=1e-12)


def test_leaf_hook_called_once_with_summed_grad():
    x = _leaf(ember, np.array([1.0, 2.0]))
    calls = []
    x.register_hook(lambda g: calls.append(_np(g)))
    (x * 2 + x * 3 + x.sum()).sum().backward()
    assert len(calls) == 1
    np.testing.assert_allclose(calls[0], np.full(2, 7.0))

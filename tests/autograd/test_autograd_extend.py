"""Autograd extended and observed: hooks, custom Functions, gradcheck on them, anomaly detection,
deep graphs and graph lifetime (live tensor/node counts), and the cases a code review found.
"""

import gc
import os
import pathlib
import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import ember
from autograd_helpers import Cube, _assert_close, _leaf, _np, _rand

THIS_FILE = pathlib.Path(__file__).name  # for the anomaly-mode messages


# ---------------------------------------------------------------------------------------------
# hooks
# ---------------------------------------------------------------------------------------------
def test_hook_on_leaf_sees_and_replaces_grad():
    a = _rand(3)
    x = _leaf(ember, a)
    seen = []

    def hook(g):
        seen.append(_np(g))
        return g * 10

    h = x.register_hook(hook)
    (x * x).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], 2 * a, rtol=1e-12)
    np.testing.assert_allclose(_np(x.grad), 20 * a, rtol=1e-12)

    h.remove()
    x.grad = None
    (x * x).sum().backward()
    assert len(seen) == 1, "a removed hook is not called"
    np.testing.assert_allclose(_np(x.grad), 2 * a, rtol=1e-12)


def test_hook_on_non_leaf_changes_upstream_grad(torch):
    a = _rand(3)
    res = []
    for m in (ember, torch):
        x = _leaf(m, a)
        y = x * 3
        seen = []
        y.register_hook(lambda g: seen.append(_np(g)) or g * 10)
        (y.sin()).sum().backward()
        res.append((seen, x.grad))
    assert len(res[0][0]) == 1
    np.testing.assert_allclose(res[0][0][0], np.cos(3 * a), rtol=1e-12)
    np.testing.assert_allclose(_np(res[0][1]), 30 * np.cos(3 * a), rtol=1e-12)
    _assert_close(res[0][1], res[1][1])


def test_hook_returning_none_keeps_grad():
    a = _rand(3)
    x = _leaf(ember, a)
    calls = []
    x.register_hook(lambda g: calls.append(1))
    (x * 4).sum().backward()
    assert calls == [1]
    np.testing.assert_allclose(_np(x.grad), np.full(3, 4.0))


def test_hooks_run_in_registration_order_and_chain(torch):
    a = _rand(3)
    res = []
    for m in (ember, torch):
        x = _leaf(m, a)
        y = x * 2
        order = []
        y.register_hook(lambda g: order.append("first") or g + 1)
        y.register_hook(lambda g: order.append(("second", _np(g))) or g * 3)
        h3 = y.register_hook(lambda g: order.append("removed"))
        h3.remove()
        y.sum().backward()
        res.append((order, x.grad))
    order, grad = res[0]
    assert [o if isinstance(o, str) else o[0] for o in order] == ["first", "second"]
    np.testing.assert_allclose(order[1][1], np.full(3, 2.0))  # the second sees the first's result
    np.testing.assert_allclose(_np(grad), np.full(3, 12.0))  # ((1 + 1) * 3) * 2
    _assert_close(grad, res[1][1])


def test_hook_and_retain_grad_order_matches_torch(torch):
    a = _rand(3)
    res = []
    for m in (ember, torch):
        x = _leaf(m, a)
        y = x * 2
        y.register_hook(lambda g: g * 5)
        y.retain_grad()
        y.register_hook(lambda g: g + 1)
        y.sum().backward()
        res.append((y.grad, x.grad))
    _assert_close(res[0][0], res[1][0], what="y.grad")
    _assert_close(res[0][1], res[1][1], what="x.grad")


def test_register_hook_on_tensor_not_requiring_grad_raises():
    with pytest.raises(RuntimeError):
        ember.ones(3).register_hook(lambda g: g)


# ---------------------------------------------------------------------------------------------
# custom Functions
# ---------------------------------------------------------------------------------------------
class WrongCube(ember.autograd.Function if hasattr(ember, "autograd") else object):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * x * g  # wrong on purpose


class DetachedCube(ember.autograd.Function if hasattr(ember, "autograd") else object):
    """Right first derivative, but computed from a detached input: gradgradcheck must notice."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xd = x.detach()
        return 3 * xd * xd * g


def test_function_cube():
    a = _rand(4)
    x = _leaf(ember, a)
    y = Cube.apply(x)
    assert y.requires_grad and not y.is_leaf
    assert y.grad_fn is not None and "Cube" in y.grad_fn.name()
    np.testing.assert_allclose(_np(y), a ** 3, rtol=1e-12)
    (y * 2).sum().backward()
    np.testing.assert_allclose(_np(x.grad), 6 * a ** 2, rtol=1e-12)


def test_function_forward_runs_without_grad_tracking():
    x = _leaf(ember, _rand(2))
    y = Cube.apply(x)
    assert y.grad_fn is not None
    assert y.grad_fn.next_functions[0][0] is not None
    (gx,) = ember.autograd.grad(y.sum(), x)
    np.testing.assert_allclose(_np(gx), 3 * _rand(2) ** 2, rtol=1e-12)


def test_function_apply_without_inputs_requiring_grad():
    x = ember.tensor(_rand(3))
    y = Cube.apply(x)
    assert not y.requires_grad
    assert y.grad_fn is None
    np.testing.assert_allclose(_np(y), _rand(3) ** 3, rtol=1e-12)


def test_function_needs_input_grad_and_none_grads():
    record = {}

    class Mul(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            record["needs"] = tuple(ctx.needs_input_grad)
            ga = g * b if ctx.needs_input_grad[0] else None
            gb = g * a if ctx.needs_input_grad[1] else None
            return ga, gb

    A, B = _rand(3), _rand(3, seed=1)
    a, b = _leaf(ember, A), _leaf(ember, B, requires_grad=False)
    Mul.apply(a, b).sum().backward()
    assert record["needs"] == (True, False)
    np.testing.assert_allclose(_np(a.grad), B)
    assert b.grad is None

    a, b = _leaf(ember, A, requires_grad=False), _leaf(ember, B)
    Mul.apply(a, b).sum().backward()
    assert record["needs"] == (False, True)
    np.testing.assert_allclose(_np(b.grad), A)
    assert a.grad is None


def test_function_returning_none_for_an_input_requiring_grad():
    class FirstOnly(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g, None

    a, b = _leaf(ember, _rand(3)), _leaf(ember, _rand(3, seed=1))
    FirstOnly.apply(a, b).sum().backward()
    np.testing.assert_allclose(_np(a.grad), np.ones(3))
    assert b.grad is None


def test_function_multiple_outputs():
    calls = []

    class SinCos(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, gs, gc):
            (x,) = ctx.saved_tensors
            calls.append((_np(gs), _np(gc)))
            return gs * x.cos() - gc * x.sin()

    a = _rand(4)
    x = _leaf(ember, a)
    s, c = SinCos.apply(x)
    assert s.requires_grad and c.requires_grad
    np.testing.assert_allclose(_np(s), np.sin(a), rtol=1e-12)
    np.testing.assert_allclose(_np(c), np.cos(a), rtol=1e-12)
    (s.sum() + (c * c).sum()).backward()
    assert len(calls) == 1, "one backward call for both outputs"
    np.testing.assert_allclose(_np(x.grad), np.cos(a) - 2 * np.cos(a) * np.sin(a), rtol=1e-12)

    # only one output used: the other's grad arrives as zeros (materialize_grads defaults to True)
    x = _leaf(ember, a)
    s, c = SinCos.apply(x)
    s.sum().backward()
    np.testing.assert_allclose(calls[-1][1], np.zeros(4))
    np.testing.assert_allclose(_np(x.grad), np.cos(a), rtol=1e-12)


def test_function_non_tensor_args_and_ctx_attributes():
    class ScaleShift(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, label, shift=0.0):
            ctx.k = k
            ctx.label = label
            return x * k + shift

        @staticmethod
        def backward(ctx, g):
            assert ctx.label == "tag"
            return g * ctx.k, None, None, None

    a = _rand(3)
    x = _leaf(ember, a)
    y = ScaleShift.apply(x, 2.5, "tag", 1.0)
    np.testing.assert_allclose(_np(y), 2.5 * a + 1.0, rtol=1e-12)
    y.sum().backward()
    np.testing.assert_allclose(_np(x.grad), np.full(3, 2.5))


def test_function_chained_with_builtin_ops(torch):
    a = _rand(3)
    x = _leaf(ember, a)
    Cube.apply(x.sin()).exp().sum().backward()
    xt = _leaf(torch, a)
    (xt.sin() ** 3).exp().sum().backward()
    _assert_close(x.grad, xt.grad, rtol=1e-10)


def test_function_double_backward():
    a = _rand(3)
    x = _leaf(ember, a)
    (g,) = ember.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(_np(g), 3 * a ** 2, rtol=1e-12)
    (gg,) = ember.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(_np(gg), 6 * a, rtol=1e-12)


def test_function_backward_with_wrong_number_of_grads_raises():
    class Two(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g  # one gradient for two inputs

    a, b = _leaf(ember, _rand(2)), _leaf(ember, _rand(2, seed=1))
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Two.apply(a, b).sum().backward()


def test_function_backward_with_wrong_grad_shape_raises():
    class BadShape(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return ember.ones(5, dtype=g.dtype)

    a = _leaf(ember, _rand(2))
    with pytest.raises(RuntimeError, match="invalid gradient"):
        BadShape.apply(a).sum().backward()


def test_function_saved_tensor_modified_in_place_raises():
    x = _leaf(ember, _rand(3))
    a = x * 1
    y = Cube.apply(a)
    a.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_function_saving_its_output():
    class Exp(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            r = a.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx, g):
            (r,) = ctx.saved_tensors
            return g * r

    a = _rand(3)
    x = _leaf(ember, a)
    Exp.apply(x).sum().backward()
    np.testing.assert_allclose(_np(x.grad), np.exp(a), rtol=1e-12)
    assert ember.autograd.gradcheck(Exp.apply, (_leaf(ember, a),))
    assert ember.autograd.gradgradcheck(Exp.apply, (_leaf(ember, a),))
    t0, n0 = _live()
    y = Exp.apply(_leaf(ember, a))  # the output saved by its own node: no reference cycle leak
    del y
    assert _live() == (t0, n0)


def test_gradcheck_and_gradgradcheck_on_function():
    x = _leaf(ember, _rand(4))
    assert ember.autograd.gradcheck(Cube.apply, (x,), eps=1e-6, atol=1e-5)
    assert ember.autograd.gradgradcheck(Cube.apply, (x,))


def test_gradcheck_on_builtin_ops():
    a, b = _leaf(ember, _rand(2, 3)), _leaf(ember, _rand(3, 2, seed=1))
    assert ember.autograd.gradcheck(lambda p, q: (p @ q).tanh() * 2, (a, b))
    assert ember.autograd.gradgradcheck(lambda p, q: (p @ q).sin(), (a, b))
    assert ember.autograd.gradcheck(lambda p: ember.softmax(p, 1), (a,))


def test_gradcheck_detects_wrong_backward():
    x = _leaf(ember, _rand(4))
    assert ember.autograd.gradcheck(WrongCube.apply, (x,), raise_exception=False) is False
    with pytest.raises(RuntimeError):
        ember.autograd.gradcheck(WrongCube.apply, (x,))


def test_gradgradcheck_detects_non_differentiable_backward():
    x = _leaf(ember, _rand(4))
    assert ember.autograd.gradcheck(DetachedCube.apply, (x,))  # first order is right
    assert ember.autograd.gradgradcheck(DetachedCube.apply, (x,), raise_exception=False) is False
    with pytest.raises(RuntimeError):
        ember.autograd.gradgradcheck(DetachedCube.apply, (x,))


# ---------------------------------------------------------------------------------------------
# anomaly detection
# ---------------------------------------------------------------------------------------------
def _lineno():
    return sys._getframe(1).f_lineno


def _assert_anomaly_message(msg, op, line):
    assert "Backward" in msg and op.lower() in msg.lower(), f"op not named: {msg}"
    assert THIS_FILE in msg, f"file not named: {msg}"
    assert re.search(rf"(?<!\d){line}(?!\d)", msg), f"forward line {line} not in: {msg}"


def test_detect_anomaly_nan_from_sqrt_backward(torch):
    lines = []

    def run(m):
        x = _leaf(m, np.array([0.0, 4.0]))
        lines.append(_lineno()); y = x.sqrt()  # noqa: E702 - the forward op must be on this line
        (y * 0).sum().backward()  # SqrtBackward0: 0 * inf = nan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.autograd.detect_anomaly():
            with pytest.raises(RuntimeError, match="SqrtBackward"):
                run(torch)
    with pytest.raises(RuntimeError) as info:
        with ember.autograd.detect_anomaly():
            run(ember)
    _assert_anomaly_message(str(info.value), "Sqrt", lines[-1])


def test_detect_anomaly_inf_from_div_backward():
    a = _leaf(ember, np.array([1.0, 2.0]))
    b = _leaf(ember, np.array([0.0, 1.0]))
    with pytest.raises(RuntimeError) as info:
        with ember.autograd.detect_anomaly():
            line = _lineno(); y = a / b  # noqa: E702
            y.sum().backward()  # DivBackward0: 1 / 0 = inf
    _assert_anomaly_message(str(info.value), "Div", line)


def test_detect_anomaly_names_custom_function():
    class NanBack(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    x = _leaf(ember, np.array([1.0]))
    with pytest.raises(RuntimeError) as info:
        with ember.autograd.detect_anomaly():
            line = _lineno(); y = NanBack.apply(x)  # noqa: E702
            y.sum().backward()
    _assert_anomaly_message(str(info.value), "NanBack", line)


def test_no_anomaly_check_outside_anomaly_mode():
    x = _leaf(ember, np.array([0.0, 4.0]))
    (x.sqrt() * 0).sum().backward()
    g = _np(x.grad)
    assert np.isnan(g[0]) and g[1] == 0.0

    a = _leaf(ember, np.array([1.0, 2.0]))
    b = _leaf(ember, np.array([0.0, 1.0]))
    (a / b).sum().backward()
    assert np.isinf(_np(a.grad)[0])


def test_detect_anomaly_off_after_context_and_no_false_positive():
    a = _rand(3)
    x = _leaf(ember, a)
    with ember.autograd.detect_anomaly():
        (x.exp() * x).sum().backward()  # finite grads: no error
    np.testing.assert_allclose(_np(x.grad), np.exp(a) * (1 + a), rtol=1e-12)
    y = _leaf(ember, np.array([0.0]))
    (y.sqrt() * 0).sum().backward()  # mode is off again: no error
    assert np.isnan(_np(y.grad)[0])


def test_set_detect_anomaly_function():
    try:
        ember.autograd.set_detect_anomaly(True)
        x = _leaf(ember, np.array([0.0]))
        line = _lineno(); y = x.sqrt()  # noqa: E702
        with pytest.raises(RuntimeError) as info:
            (y * 0).sum().backward()
        _assert_anomaly_message(str(info.value), "Sqrt", line)
    finally:
        ember.autograd.set_detect_anomaly(False)
    x = _leaf(ember, np.array([0.0]))
    (x.sqrt() * 0).sum().backward()


# ---------------------------------------------------------------------------------------------
# deep graphs and graph lifetime
# ---------------------------------------------------------------------------------------------
_DEEP_CHAIN = textwrap.dedent("""
    import gc, math, sys
    import ember

    N = 100_000
    C = ember._C
    gc.collect()
    base_nodes = C._live_node_count()

    x = ember.tensor(1.0, dtype=ember.float64, requires_grad=True)
    y = x
    for _ in range(N):
        y = y * 1.0000001
    y.backward()
    want = 1.0000001 ** N
    got = x.grad.item()
    assert abs(got - want) < 1e-9 * want, (got, want)
    del y
    gc.collect()

    # a chain that is dropped without any backward
    y = x
    for _ in range(N):
        y = y + 1.0
    assert abs(y.item() - (1.0 + N)) < 1e-6
    del y, x  # the leaf owns its gradient accumulator: it goes with it
    gc.collect()
    assert C._live_node_count() == base_nodes, (C._live_node_count(), base_nodes)
    print("OK")
""")


def test_100k_op_chain_backward_and_free_in_subprocess():
    proc = subprocess.run([sys.executable, "-c", _DEEP_CHAIN], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ))
    assert proc.returncode == 0, (
        f"rc={proc.returncode}\nstdout:\n{proc.stdout[-2000:]}\nstderr:\n{proc.stderr[-4000:]}")
    assert proc.stdout.strip().endswith("OK")


def _live():
    gc.collect()
    return ember._C._live_tensor_count(), ember._C._live_node_count()


def test_live_counters_track_graphs():
    t0, n0 = _live()
    x = _leaf(ember, _rand(3))
    y = (x.exp() * x).sum()
    t1, n1 = _live()
    assert t1 > t0 and n1 > n0, "the counters see the new tensors and nodes"
    del x, y
    assert _live() == (t0, n0)


def _graph_workout():
    x = _leaf(ember, _rand(3, 4))
    w = _leaf(ember, _rand(4, 2, seed=1))
    h = (x @ w).tanh()
    h.retain_grad()
    h.register_hook(lambda g: g * 2)
    loss = ember.softmax(h, 1).pow(2).sum() + Cube.apply(x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    (gx,) = ember.autograd.grad((x.sin() * w.sum()).sum(), x, create_graph=True)
    (ggx,) = ember.autograd.grad(gx.sum(), x)
    y = x * 1
    y[0].mul_(2)
    y.sum().backward()
    with ember.no_grad():
        z = x * 3
    return float(ggx.sum().item() + z.sum().item())


def test_no_memory_stays_alive_after_graphs_are_freed():
    _graph_workout()  # warm up any one-time allocations
    t0, n0 = _live()
    _graph_workout()
    assert _live() == (t0, n0)


def test_graph_kept_by_output_is_freed_with_it():
    t00, n00 = _live()
    x = _leaf(ember, _rand(5))
    (x * 1).sum().backward()  # whatever a used leaf keeps (its grad, an accumulator) exists now
    t0, n0 = _live()
    y = x
    for _ in range(50):
        y = (y * 1.01).sin()
    t1, n1 = _live()
    assert n1 >= n0 + 100
    del y  # never backpropagated
    t2, n2 = _live()
    assert n2 == n0
    del x
    assert _live() == (t00, n00)


def test_no_leak_after_failed_backward():
    t0, n0 = _live()
    x = _leaf(ember, _rand(3))
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError):
        y.sum().backward()
    del x, y
    assert _live() == (t0, n0)


def test_function_ctx_does_not_leak():
    class Keep(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.scale = x.detach() * 2  # a tensor held as a ctx attribute
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    Keep.apply(_leaf(ember, _rand(3))).sum().backward()  # warm up
    t0, n0 = _live()
    x = _leaf(ember, _rand(3))
    Keep.apply(x).sum().backward()
    y = Keep.apply(x)  # graph dropped without backward
    del x, y
    assert _live() == (t0, n0)


# ---------------------------------------------------------------------------------------------
# Cases a code review found (each compared with torch: the same result or the same exception)
# ---------------------------------------------------------------------------------------------
def _pow_scalar_base(L):
    x = L.tensor([0., 1., 2.], requires_grad=True)
    (2 ** x).sum().backward()
    return x.grad


def _grad_wrt_intermediate_keeps_its_node(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = x.exp()
    L.autograd.grad((y * 3).sum(), y)
    (y * 2).sum().backward()
    return x.grad


def _view_taken_before_base_gains_history(L):
    a = L.tensor([1., 2.], requires_grad=True)
    p = L.tensor([1., 1.], requires_grad=True)
    buf = L.zeros(2, 2)
    row1 = buf[1]
    buf[1] = a * 3
    (row1 * p).sum().backward()
    return a.grad


def _prod_hessian_with_zeros(L):
    rows = []
    for values in ([0., 2., 3.], [0., 0., 3.], [1., 2., 3.]):
        x = L.tensor(values, dtype=L.float64, requires_grad=True)
        (g,) = L.autograd.grad(x.prod(), x, create_graph=True)
        rows += [L.autograd.grad(g[i], x, retain_graph=True)[0] for i in range(3)]
    return L.stack(rows)


def _index_modified_after_use(L):
    a = L.tensor([1., 2., 3.], requires_grad=True)
    idx = L.tensor([0, 1])
    y = a[idx]
    idx[0] = 2
    (y * L.tensor([1., 2.])).sum().backward()
    return a.grad


def _create_graph_grad_is_private(L):
    x = L.tensor([1., 2.], requires_grad=True)
    w = L.tensor([3., 4.], requires_grad=True)
    v = L.ones(2)
    (x + w).backward(v, create_graph=True)
    x.grad.mul_(.5)
    return L.stack([x.grad.detach(), w.grad.detach(), v])


def _cumsum_backward_without_cancellation(L):
    x = L.zeros(4, requires_grad=True)
    x.cumsum(0).backward(L.tensor([1e8, 1., 1., 1.]))
    return x.grad


def _hook_removing_itself(L):
    t = L.tensor([1., 2.], requires_grad=True)
    h = t.register_hook(lambda g: (h.remove(), g * 2)[1])
    (t * 1).sum().backward()
    (t * 1).sum().backward()
    return t.grad


def _retain_grad_on_refreshed_view(L):
    a = L.tensor([1., 2., 3.], requires_grad=True)
    b = a * 1
    v = b[0:2]
    v.retain_grad()
    b.mul_(2)
    (v * 5).sum().backward()
    return v.grad


def _hook_removed_after_inplace(L):
    x = L.tensor([1.], requires_grad=True)
    y = x * 2
    h = y.register_hook(lambda g: g * 100)
    y.add_(1)
    h.remove()
    y.sum().backward()
    return x.grad


def _copy_keeps_requires_grad(L):
    a = L.tensor([1., 2.], requires_grad=True)
    w = L.tensor([1., 1.], requires_grad=True)
    b = a * 1
    (b.copy_(L.tensor([5., 6.])) * w).sum().backward()
    return L.stack([a.grad, w.grad])


def _backward_inputs(L):
    x = L.tensor([1., 2.], requires_grad=True)
    w = L.tensor([1., 3.], requires_grad=True)
    (x * w).sum().backward(inputs=[x])
    assert w.grad is None
    return x.grad


def _index_put_accumulate(L):
    x = L.zeros(3, requires_grad=True)
    v = L.tensor([1., 2., 3.], requires_grad=True)
    y = (x * 1).index_put((L.tensor([0, 0, 2]),), v, accumulate=True)
    (y * L.tensor([1., 10., 100.])).sum().backward()
    return L.stack([y.detach(), x.grad, v.grad])


def _unused_input_without_allow_unused(L):
    class PassFirst(L.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g, None

    x = L.tensor([1.], requires_grad=True)
    z = L.tensor([2.], requires_grad=True)
    return L.autograd.grad(PassFirst.apply(x, z).sum(), [x, z])[1]


@pytest.mark.parametrize("case", [
    _pow_scalar_base, _grad_wrt_intermediate_keeps_its_node, _view_taken_before_base_gains_history,
    _prod_hessian_with_zeros, _index_modified_after_use, _create_graph_grad_is_private,
    _cumsum_backward_without_cancellation, _hook_removing_itself, _retain_grad_on_refreshed_view,
    _hook_removed_after_inplace, _copy_keeps_requires_grad, _backward_inputs, _index_put_accumulate,
    _unused_input_without_allow_unused,
], ids=lambda f: f.__name__.strip("_"))
def test_review_case_matches_torch(case, torch):
    def run(L):
        try:
            return case(L)
        except RuntimeError:
            return RuntimeError
    expected, actual = run(torch), run(ember)
    if expected is RuntimeError or actual is RuntimeError:
        assert actual is expected, f"ember gave {actual!r}, torch {expected!r}"
        return
    np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(), rtol=1e-6)


def test_function_mark_dirty_matches_torch(torch):
    def run(L):
        class ReluInPlace(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.clamp_(min=0)
                ctx.mark_dirty(x)
                ctx.save_for_backward(x)
                return x

            @staticmethod
            def backward(ctx, g):
                (y,) = ctx.saved_tensors
                return g * (y > 0)

        a = L.tensor([-1., 2., 3.], requires_grad=True)
        b = a * 2
        c = ReluInPlace.apply(b)
        assert c is b and not b.is_leaf  # the input itself carries the new history
        (c * c).sum().backward()
        with pytest.raises(RuntimeError, match="leaf"):
            ReluInPlace.apply(L.tensor([1.], requires_grad=True))
        return a.grad.detach().numpy()

    np.testing.assert_allclose(run(ember), run(torch))

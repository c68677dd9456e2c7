"""softmax, log_softmax and layer_norm run through fused kernels (cpp/src/cpu/softmax.cpp and
layer_norm.cpp), with ember-ops forms for double backward: compared with torch over the layouts
the kernels split on (reduced dim last or inner, short rows and rows longer than a LaneSum run, a
single row, empty batches), their gradients, grads of grads, and the edge values where torch's
kernel form decides the result."""
import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F

# (shape, dim): last dim, inner dims of every width around the 256-column blocks, long rows.
SOFTMAX_LAYOUTS = [((5, 7), 1), ((5, 7), 0), ((3, 4, 5), 1), ((2, 300, 3), 1), ((2, 3, 600), -1),
                   ((1,), 0), ((4, 1), 1), ((2, 3, 4, 5), 2), ((3, 2, 520), 1), ((2, 2500), 1)]
LN_SHAPES = [((2, 3, 4), 1), ((2, 3, 4), 2), ((5, 2500), 1), ((1, 7), 1), ((0, 4), 1), ((3, 300), 1)]


def _close(e, t, dtype, rtol=None):
    rtol = rtol or (2e-5 if dtype == "float32" else 1e-10)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape,dim", SOFTMAX_LAYOUTS, ids=str)
def test_softmax_family_matches_torch(shape, dim, name, dtype, torch):
    rng = np.random.default_rng(len(shape) * 100 + dim)
    a = (rng.standard_normal(shape) * 4).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    xe, xt = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ye, yt = getattr(ember, name)(xe, dim), getattr(torch, name)(xt, dim)
    _close(ye, yt, dtype)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    _close(xe.grad, xt.grad, dtype)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_of_non_contiguous_input_and_gradient(name, torch):
    a = np.random.default_rng(1).standard_normal((6, 5, 4))
    xe, xt = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ye, yt = getattr(ember, name)(xe.transpose(0, 2), 1), getattr(torch, name)(xt.transpose(0, 2), 1)
    _close(ye, yt, "float64")
    ye[:, ::2].sum().backward()  # a strided, partly zero gradient
    yt[:, ::2].sum().backward()
    _close(xe.grad, xt.grad, "float64")


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_rows_with_nan_and_inf_as_torch(name, torch):
    inf, nan = math.inf, math.nan
    rows = [[0.0, 1.0, nan], [-inf, -inf, -inf], [inf, 0.0, 1.0], [-inf, 0.0, 1.0], [1e30, -1e30, 0.0]]
    e = getattr(ember, name)(ember.tensor(rows), 1).numpy()
    t = getattr(torch, name)(torch.tensor(rows), 1).numpy()
    np.testing.assert_allclose(e, t, rtol=1e-6)  # NaN where torch has NaN


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("affine", ["both", "weight", "bias", "none"])
@pytest.mark.parametrize("shape,k", LN_SHAPES, ids=str)
def test_layer_norm_matches_torch(shape, k, affine, dtype, torch):
    rng = np.random.default_rng(shape[-1] + k)
    ns = shape[-k:]
    a = (rng.standard_normal(shape) * 3 + 5).astype(dtype)  # an offset mean: the sums about it
    g = rng.standard_normal(shape).astype(dtype)
    w, b = rng.standard_normal(ns).astype(dtype), rng.standard_normal(ns).astype(dtype)
    res = []
    for m, fn in ((ember, F.layer_norm), (torch, torch.nn.functional.layer_norm)):
        x = m.tensor(a, requires_grad=True)
        wt = m.tensor(w, requires_grad=True) if affine in ("both", "weight") else None
        bt = m.tensor(b, requires_grad=True) if affine in ("both", "bias") else None
        y = fn(x, ns, wt, bt, eps=1e-5)
        y.backward(m.tensor(g))
        res.append([y, x.grad] + [p.grad for p in (wt, bt) if p is not None])
    for e, t in zip(*res):
        _close(e, t, dtype, rtol=1e-4 if dtype == "float32" else None)


def test_layer_norm_of_an_empty_batch_has_zero_parameter_gradients(torch):
    x = ember.zeros(0, 4, requires_grad=True)
    w, b = ember.ones(4, requires_grad=True), ember.zeros(4, requires_grad=True)
    F.layer_norm(x, (4,), w, b).sum().backward()
    assert w.grad.tolist() == [0.0] * 4 and b.grad.tolist() == [0.0] * 4


@pytest.mark.parametrize("eps", [math.inf, -1.0, 0.0])
def test_layer_norm_edge_eps_as_torch(eps, torch):
    """eps=inf: zeros with torch's signs (x * rstd - mean * rstd, + 0 without a bias); a negative
    eps past the variance: NaN; eps=0 on a constant row: NaN (0 / 0)."""
    rows = [[2.2, 1.1, -1.5, -1.8, -1.2], [3.0, 3.0, 3.0, 3.0, 3.0]]
    e = F.layer_norm(ember.tensor(rows), (5,), eps=eps).numpy()
    t = torch.nn.functional.layer_norm(torch.tensor(rows), (5,), eps=eps).numpy()
    np.testing.assert_allclose(e, t, rtol=1e-6)
    np.testing.assert_array_equal(np.signbit(e), np.signbit(t))


@pytest.mark.parametrize("rows", [[[0.9]], [[3.1, 3.1, 3.1]], [[-7.3], [1e-3]]], ids=str)
def test_layer_norm_of_a_value_at_its_mean_is_zero_as_torch(rows, torch):
    """x * rstd - mean * rstd cancels exactly where x is the mean (no fused multiply-add)."""
    e = F.layer_norm(ember.tensor(rows), (len(rows[0]),)).numpy()
    t = torch.nn.functional.layer_norm(torch.tensor(rows), (len(rows[0]),)).numpy()
    np.testing.assert_array_equal(e, t)
    assert not e.any()


def test_grads_of_grads_follow_the_ops_forms(torch):
    rng = np.random.default_rng(5)
    a, w, b = rng.standard_normal((3, 6)), rng.standard_normal(6), rng.standard_normal(6)
    res = []
    for m, ln in ((ember, F.layer_norm), (torch, torch.nn.functional.layer_norm)):
        x, wt, bt = (m.tensor(v, requires_grad=True) for v in (a, w, b))
        y = ln(x, (6,), wt, bt) + m.softmax(x, 0) * 2 + m.log_softmax(x, 1)
        grads = m.autograd.grad((y * y).sum(), (x, wt, bt), create_graph=True)
        res.append(list(grads) + list(m.autograd.grad(sum((q * q).sum() for q in grads), (x, wt, bt))))
    for e, t in zip(*res):
        _close(e, t, "float64", rtol=1e-8)


def test_gradcheck_and_gradgradcheck():
    x = ember.randn(3, 5, dtype=ember.float64, requires_grad=True)
    w = ember.randn(5, dtype=ember.float64, requires_grad=True)
    b = ember.randn(5, dtype=ember.float64, requires_grad=True)
    for f, inputs in ((lambda x, w, b: F.layer_norm(x, (5,), w, b), (x, w, b)),
                      (lambda x: ember.softmax(x, 0), (x,)), (lambda x: ember.log_softmax(x, 1), (x,))):
        assert ember.autograd.gradcheck(f, inputs)
        assert ember.autograd.gradgradcheck(f, inputs)


def test_captured_step_replays_the_kernels():
    """ember.compile replays the kernels' calls: the same bits as eager, step after step."""
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(8, 16), ember.nn.LayerNorm(16), ember.nn.Linear(16, 4))
    x, y = ember.randn(5, 8), ember.tensor([0, 1, 2, 3, 0])

    def step():
        for p in model.parameters():
            p.grad = None
        loss = F.cross_entropy(ember.log_softmax(model(x), 1), y)
        loss.backward()
        return [loss] + [p.grad for p in model.parameters()]

    eager = [t.detach().clone() for t in step()]
    compiled = ember.compile(step, fullgraph=True)  # raises instead of falling back to eager
    for _ in range(3):
        got = compiled()
        for e, c in zip(eager, got):
            np.testing.assert_array_equal(e.numpy(), c.detach().numpy())

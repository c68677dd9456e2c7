"""Autograd attributes of a tensor: requires_grad (creation functions, the setter,
requires_grad_, integer dtypes), is_leaf, detach / detach_ / .data, numpy() on a tensor requiring
grad, retain_grad, and grad_fn (names matching torch's, next_functions).

Split from test_autograd.py (the engine: backward, retain_graph, autograd.grad). PyTorch (the
``torch`` fixture) is the oracle where it defines the answer (tests/autograd/autograd_helpers.py).
"""

import re
import warnings

import numpy as np
import pytest

import ember
from autograd_helpers import _assert_close, _leaf, _np, _rand, _raises_in


# ---------------------------------------------------------------------------------------------
# requires_grad, leaves, detach, retain_grad, grad_fn
# ---------------------------------------------------------------------------------------------
CREATION = [
    ("tensor", lambda m: m.tensor([1.0, 2.0], requires_grad=True)),
    ("zeros", lambda m: m.zeros(2, 3, requires_grad=True)),
    ("ones", lambda m: m.ones((2, 3), requires_grad=True)),
    ("rand", lambda m: m.rand(2, 3, requires_grad=True)),
    ("randn", lambda m: m.randn(2, 3, requires_grad=True)),
    ("full", lambda m: m.full((2, 3), 1.5, requires_grad=True)),
    ("empty", lambda m: m.empty(2, 3, requires_grad=True)),
    ("arange", lambda m: m.arange(0.0, 3.0, requires_grad=True)),
    ("linspace", lambda m: m.linspace(0, 1, 5, requires_grad=True)),
    ("eye", lambda m: m.eye(3, requires_grad=True)),
    ("zeros_like", lambda m: m.zeros_like(m.ones(2), requires_grad=True)),
    ("ones_like", lambda m: m.ones_like(m.ones(2), requires_grad=True)),
    ("full_like", lambda m: m.full_like(m.ones(2), 3.0, requires_grad=True)),
    ("randn_like", lambda m: m.randn_like(m.ones(2), requires_grad=True)),
]


@pytest.mark.parametrize("name,make", CREATION, ids=[n for n, _ in CREATION])
def test_creation_functions_take_requires_grad(name, make):
    t = make(ember)
    assert t.requires_grad
    assert t.is_leaf
    assert t.grad_fn is None
    assert t.grad is None
    (t * 2).sum().backward()
    np.testing.assert_allclose(_np(t.grad), np.full(tuple(t.shape), 2.0))


def test_requires_grad_defaults_to_false_and_setter():
    x = ember.ones(3)
    assert not x.requires_grad and x.is_leaf
    assert not (x * 2).requires_grad
    x.requires_grad = True
    assert x.requires_grad
    y = x * 2
    assert y.requires_grad and not y.is_leaf
    x.requires_grad = False
    assert not x.requires_grad
    assert not (x * 2).requires_grad


def test_requires_grad_underscore_returns_self():
    x = ember.ones(3)
    assert x.requires_grad_() is x
    assert x.requires_grad
    assert x.requires_grad_(False) is x
    assert not x.requires_grad
    x.requires_grad_(True)
    (x * 4).sum().backward()
    np.testing.assert_allclose(_np(x.grad), np.full(3, 4.0))


INT_REQUIRES_GRAD = [
    ("tensor_int", lambda m: m.tensor([1, 2, 3], requires_grad=True)),
    ("arange_int", lambda m: m.arange(3, requires_grad=True)),
    ("zeros_int64", lambda m: m.zeros(3, dtype=m.int64, requires_grad=True)),
    ("ones_bool", lambda m: m.ones(3, dtype=m.bool, requires_grad=True)),
    ("requires_grad_", lambda m: m.tensor([1, 2, 3]).requires_grad_()),
    ("setter", lambda m: setattr(m.tensor([1, 2, 3]), "requires_grad", True)),
]


@pytest.mark.parametrize("name,make", INT_REQUIRES_GRAD, ids=[n for n, _ in INT_REQUIRES_GRAD])
def test_integer_tensor_cannot_require_grad(torch, name, make):
    terr = _raises_in(torch, make)
    assert isinstance(terr, RuntimeError), "torch raises here"
    with pytest.raises(RuntimeError, match="floating point"):
        make(ember)


def test_integer_tensor_requires_grad_false_is_fine():
    t = ember.tensor([1, 2, 3]).requires_grad_(False)
    assert not t.requires_grad


def test_cannot_clear_requires_grad_on_non_leaf():
    x = _leaf(ember, _rand(3))
    y = x * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)
    assert y.requires_grad


def test_requires_grad_setter_on_non_leaf_raises_even_for_true(torch):
    # torch's setter refuses any change on a non-leaf; requires_grad_(True) is a no-op
    for m in (ember, torch):
        y = _leaf(m, _rand(3)) * 2
        assert y.requires_grad_(True) is y
    ty = _leaf(torch, _rand(3)) * 2
    assert isinstance(_raises_in(torch, lambda m: setattr(ty, "requires_grad", True)), RuntimeError)
    y = _leaf(ember, _rand(3)) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = True


def test_numpy_on_tensor_requiring_grad_raises():
    x = _leaf(ember, _rand(3))
    with pytest.raises(RuntimeError, match="requires grad"):
        x.numpy()
    with pytest.raises(RuntimeError, match="requires grad"):
        (x * 2).numpy()
    np.testing.assert_allclose(x.detach().numpy(), _rand(3))
    # item() and tolist() are fine
    assert x.tolist() == pytest.approx(_rand(3).tolist())
    assert x[0].item() == pytest.approx(_rand(3)[0])


def test_np_asarray_on_tensor_requiring_grad_raises(torch):
    assert isinstance(_raises_in(torch, lambda m: np.asarray(_leaf(m, _rand(3)))), RuntimeError)
    with pytest.raises(RuntimeError):
        np.asarray(_leaf(ember, _rand(3)))


def test_is_leaf():
    x = _leaf(ember, _rand(3))
    c = ember.ones(3)
    assert x.is_leaf and c.is_leaf
    assert (c * 2).is_leaf  # computed from tensors not requiring grad
    y = x * c
    assert not y.is_leaf
    assert y.detach().is_leaf
    assert not y[0].is_leaf
    assert not x.view(3, 1).is_leaf


def test_detach_shares_memory_and_has_no_grad():
    a = _rand(2, 3)
    x = _leaf(ember, a)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad
    assert d.grad_fn is None
    assert d.is_leaf
    assert d.data_ptr() == y.data_ptr()
    np.testing.assert_allclose(_np(d), 2 * a)
    with ember.no_grad():
        y.mul_(0.5)  # y is not a leaf; the write must show through d
    np.testing.assert_allclose(d.numpy(), a)
    # a leaf's detach shares memory too
    dx = x.detach()
    assert dx.data_ptr() == x.data_ptr() and not dx.requires_grad
    dx.zero_()
    np.testing.assert_allclose(_np(x), np.zeros((2, 3)))


def test_detach_in_place():
    x = _leaf(ember, _rand(3))
    y = x * 2
    ptr = y.data_ptr()
    assert y.detach_() is y
    assert not y.requires_grad
    assert y.grad_fn is None
    assert y.is_leaf
    assert y.data_ptr() == ptr
    (y * x).sum().backward()  # y is now a constant
    np.testing.assert_allclose(_np(x.grad), _np(y))


def test_data_property():
    a = _rand(3)
    x = _leaf(ember, a)
    d = x.data
    assert not d.requires_grad
    assert d.data_ptr() == x.data_ptr()
    d.mul_(2)  # allowed: .data is outside autograd
    np.testing.assert_allclose(_np(x), 2 * a)
    assert x.requires_grad and x.is_leaf


def test_retain_grad_populates_non_leaf_grad():
    a = _rand(4)
    x = _leaf(ember, a)
    y = x * 3
    assert not y.retains_grad
    y.retain_grad()
    assert y.retains_grad
    z = x * 5  # no retain_grad
    (y * y + z).sum().backward()
    np.testing.assert_allclose(_np(y.grad), 2 * 3 * a, rtol=1e-12)
    np.testing.assert_allclose(_np(x.grad), 18 * a + 5, rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns when a non-leaf .grad is read
        assert z.grad is None
    assert not x.retains_grad  # retain_grad is for non-leaves; leaves keep .grad anyway


def test_retain_grad_accumulates(torch):
    a = _rand(3)
    res = []
    for m in (ember, torch):
        x = _leaf(m, a)
        y = x.exp()
        y.retain_grad()
        (y * y).sum().backward(retain_graph=True)
        y.sum().backward()
        res.append(y.grad)
    _assert_close(*res)


def test_retain_grad_follows_inplace_op(torch):
    # torch 2.x: after y.mul_(3), y.grad is the gradient of the new (modified) y
    a = np.array([1.0, 2.0])
    res = []
    for m in (ember, torch):
        x = _leaf(m, a)
        y = x * 2
        y.retain_grad()
        y.mul_(3)
        (y * y).sum().backward()
        res.append((y.grad, x.grad))
    np.testing.assert_allclose(_np(res[1][0]), 2 * 6 * a)  # the oracle's value
    _assert_close(res[0][0], res[1][0], what="y.grad")
    _assert_close(res[0][1], res[1][1], what="x.grad")


def test_retain_grad_on_tensor_not_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        ember.ones(2).retain_grad()


def test_integer_and_bool_results_do_not_require_grad(torch):
    for m in (ember, torch):
        x = _leaf(m, np.array([1.5, -2.0]))
        for t in (x > 0, x.argmax(), x.long(), x == x):
            assert not t.requires_grad and t.grad_fn is None and t.is_leaf
        for t in (x.sign(), x.round(), x.floor()):  # float results: differentiable (zero grad)
            assert t.requires_grad and t.grad_fn is not None


GRAD_FN_OPS = [
    ("add", lambda m, x, y: x + y),
    ("add_scalar", lambda m, x, y: x + 1.0),
    ("mul", lambda m, x, y: x * y),
    ("mul_scalar", lambda m, x, y: x * 2.0),
    ("sub", lambda m, x, y: x - y),
    ("div", lambda m, x, y: x / y),
    ("exp", lambda m, x, y: x.exp()),
    ("sum", lambda m, x, y: x.sum()),
    ("neg", lambda m, x, y: -x),
    ("pow_scalar", lambda m, x, y: x ** 2),
]


@pytest.mark.parametrize("name,op", GRAD_FN_OPS, ids=[n for n, _ in GRAD_FN_OPS])
def test_grad_fn_name_matches_torch(torch, name, op):
    a, b = _rand(3), _rand(3, seed=1)
    e = op(ember, _leaf(ember, a), _leaf(ember, b))
    t = op(torch, _leaf(torch, a), _leaf(torch, b))
    tname = type(t.grad_fn).__name__
    assert e.grad_fn is not None
    assert e.grad_fn.name() == tname


OTHER_GRAD_FN_OPS = [
    ("mm", lambda x: x @ x.t()),
    ("tanh", lambda x: x.tanh()),
    ("sin", lambda x: x.sin()),
    ("mean", lambda x: x.mean()),
    ("sum_dim", lambda x: x.sum(0)),
    ("reshape", lambda x: x.reshape(6)),
    ("getitem", lambda x: x[0]),
    ("t", lambda x: x.t()),
    ("sqrt", lambda x: x.sqrt()),
]


@pytest.mark.parametrize("name,op", OTHER_GRAD_FN_OPS, ids=[n for n, _ in OTHER_GRAD_FN_OPS])
def test_grad_fn_name_shape(name, op):
    y = op(_leaf(ember, np.abs(_rand(2, 3)) + 0.5))
    assert y.grad_fn is not None
    n = y.grad_fn.name()
    assert re.fullmatch(r"[A-Z][A-Za-z]*Backward[0-9]+", n), n


def test_grad_fn_is_none_for_leaves_and_next_functions():
    x, w = _leaf(ember, _rand(3)), _leaf(ember, _rand(3, seed=1))
    assert x.grad_fn is None
    y = x * w
    z = y.exp()
    nf = z.grad_fn.next_functions
    assert isinstance(nf, tuple) and len(nf) == 1
    node, idx = nf[0]
    assert idx == 0
    assert node.name() == "MulBackward0"
    leaves = node.next_functions
    assert len(leaves) == 2
    for node2, _ in leaves:
        assert "AccumulateGrad" in node2.name()


def test_inplace_on_non_leaf_updates_grad_fn(torch):
    for m in (ember, torch):
        x = _leaf(m, _rand(3))
        y = x * 1
        y.add_(1)
        assert not y.is_leaf
        name = y.grad_fn.name() if m is ember else type(y.grad_fn).__name__
        assert name == "AddBackward0"


def test_grad_fn_types_are_named_after_their_ops(torch):
    """type(t.grad_fn).__name__ is the node's name, as torch's classes per op (graph printers such
    as torchviz read it), for grad_fn and next_functions alike; each is still a Node."""
    def names(L):
        x, w = L.ones(2, 3, requires_grad=True), L.randn(2, 3, requires_grad=True)
        fn = ((x * w).relu() * 2).exp().sum().grad_fn
        seen = [fn]
        for f in seen:
            seen += [g for g, _ in f.next_functions if g is not None and g not in seen]
        assert all(isinstance(f, L.autograd.graph.Node) for f in seen)
        return [type(f).__name__ for f in seen]
    assert names(ember) == names(torch)

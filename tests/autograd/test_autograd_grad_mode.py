"""Autograd's grad modes: no_grad, enable_grad and set_grad_enabled as context managers, decorators
(of plain and generator functions) and plain calls; their nesting, restoring after an exception,
thread-locality, and backward run under no_grad.

Split from test_autograd.py (the engine: backward, retain_graph, autograd.grad).
"""

import threading

import numpy as np
import pytest

import ember
from autograd_helpers import _leaf, _np, _rand


# ---------------------------------------------------------------------------------------------
# grad modes
# ---------------------------------------------------------------------------------------------
def test_no_grad_context_manager():
    x = _leaf(ember, _rand(3))
    assert ember.is_grad_enabled()
    with ember.no_grad():
        assert not ember.is_grad_enabled()
        y = x * 2
        z = x.exp().sum()
    assert ember.is_grad_enabled()
    for t in (y, z):
        assert not t.requires_grad
        assert t.grad_fn is None
        assert t.is_leaf
    assert (x * 2).requires_grad


def test_no_grad_restored_after_exception():
    with pytest.raises(ValueError):
        with ember.no_grad():
            raise ValueError("boom")
    assert ember.is_grad_enabled()


def test_no_grad_decorator():
    x = _leaf(ember, _rand(3))

    @ember.no_grad()
    def f(t, k=2):
        assert not ember.is_grad_enabled()
        return t * k

    y = f(x, k=3)
    assert not y.requires_grad
    np.testing.assert_allclose(_np(y), _np(x) * 3)
    assert ember.is_grad_enabled()
    assert (x * 2).requires_grad


def test_no_grad_decorator_on_generator_function(torch):
    # torch's decorators also cover generator functions: each step runs under the mode
    for m in (torch, ember):
        x = _leaf(m, _rand(2))

        @m.no_grad()
        def gen():
            for _ in range(2):
                yield m.is_grad_enabled(), (x * 2).requires_grad

        assert list(gen()) == [(False, False), (False, False)], m.__name__
        assert m.is_grad_enabled()


def test_decorated_function_keeps_name_and_doc():
    @ember.no_grad()
    def named(t):
        """doc"""
        return t

    assert named.__name__ == "named" and named.__doc__ == "doc"


def test_no_grad_decorator_without_parentheses():
    # torch 2.x accepts @torch.no_grad as well as @torch.no_grad()
    x = _leaf(ember, _rand(3))

    @ember.no_grad
    def f(t):
        return t * 2

    y = f(x)
    assert not y.requires_grad
    assert ember.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = _leaf(ember, _rand(3))
    with ember.no_grad():
        with ember.enable_grad():
            assert ember.is_grad_enabled()
            y = x * 2
        assert not ember.is_grad_enabled()
        z = x * 2
    assert y.requires_grad and y.grad_fn is not None
    assert not z.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(_np(x.grad), np.full(3, 2.0))


def test_enable_grad_decorator():
    x = _leaf(ember, _rand(3))

    @ember.enable_grad()
    def f(t):
        return t * 2

    with ember.no_grad():
        y = f(x)
        assert not ember.is_grad_enabled()
    assert y.requires_grad


def test_set_grad_enabled_context_manager_and_decorator():
    x = _leaf(ember, _rand(3))
    with ember.set_grad_enabled(False):
        assert not ember.is_grad_enabled()
        assert not (x * 2).requires_grad
        with ember.set_grad_enabled(True):
            assert ember.is_grad_enabled()
            assert (x * 2).requires_grad
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()

    @ember.set_grad_enabled(False)
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    assert ember.is_grad_enabled()


def test_set_grad_enabled_as_a_plain_call():
    x = _leaf(ember, _rand(3))
    try:
        ember.set_grad_enabled(False)
        assert not ember.is_grad_enabled()
        assert not (x * 2).requires_grad
        ember.set_grad_enabled(True)
        assert ember.is_grad_enabled()
        assert (x * 2).requires_grad
    finally:
        ember.set_grad_enabled(True)


def test_grad_mode_nesting():
    states = []
    with ember.no_grad():
        states.append(ember.is_grad_enabled())
        with ember.enable_grad():
            states.append(ember.is_grad_enabled())
            with ember.no_grad():
                states.append(ember.is_grad_enabled())
                with ember.no_grad():
                    states.append(ember.is_grad_enabled())
                states.append(ember.is_grad_enabled())
            states.append(ember.is_grad_enabled())
        states.append(ember.is_grad_enabled())
    states.append(ember.is_grad_enabled())
    assert states == [False, True, False, False, False, True, False, True]


def test_grad_mode_is_thread_local():
    x = _leaf(ember, _rand(3))
    seen = {}

    def worker():
        seen["enabled"] = ember.is_grad_enabled()
        seen["requires_grad"] = (x * 2).requires_grad
        ember.set_grad_enabled(False)  # must not leak into the main thread
        seen["after"] = ember.is_grad_enabled()

    with ember.no_grad():
        th = threading.Thread(target=worker)
        th.start()
        th.join()
        assert not ember.is_grad_enabled()
    assert seen == {"enabled": True, "requires_grad": True, "after": False}
    assert ember.is_grad_enabled()

    th = threading.Thread(target=worker)
    th.start()
    th.join()
    assert ember.is_grad_enabled()
    assert (x * 2).requires_grad


def test_backward_inside_no_grad_still_computes_grads():
    a = _rand(3)
    x = _leaf(ember, a)
    y = (x * x).sum()
    with ember.no_grad():
        y.backward()
    np.testing.assert_allclose(_np(x.grad), 2 * a, rtol=1e-12)

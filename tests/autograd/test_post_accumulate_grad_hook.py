"""Tensor.register_post_accumulate_grad_hook: hook(leaf) runs once backward has accumulated into
the leaf's .grad (what DistributedDataParallel waits for), compared with torch."""
import numpy as np
import pytest

import ember
from autograd_helpers import _leaf, _np, _rand


def _trace(lib, steps=2):
    """Hook calls (name, grad seen) over `steps` backwards through y = w1 * x, z = (y * w2).sum()."""
    w1, w2 = _leaf(lib, _rand(3, seed=1)), _leaf(lib, _rand(3, seed=2))
    x = _leaf(lib, _rand(3, seed=3), requires_grad=False)
    seen = []
    for name, w in (("w1", w1), ("w2", w2)):
        w.register_post_accumulate_grad_hook(lambda p, name=name: seen.append((name, _np(p.grad))))
    for _ in range(steps):
        ((w1 * x) * w2).sum().backward()
    return seen


def test_runs_after_accumulation_like_torch(torch):
    mine, theirs = _trace(ember), _trace(torch)
    assert [n for n, _ in mine] == [n for n, _ in theirs] == ["w2", "w1", "w2", "w1"]
    for (_, a), (_, b) in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(mine[2][1], 2 * mine[0][1])  # the second call sees the sum


def test_hook_gets_the_leaf_and_may_edit_its_grad():
    w = ember.ones(2, requires_grad=True)
    seen = []

    def hook(p):
        seen.append(p.grad.tolist())
        p.grad.mul_(10)  # DDP writes the reduced gradient back here

    w.register_post_accumulate_grad_hook(hook)
    (w * 3).sum().backward()
    assert seen == [[3.0, 3.0]]
    assert w.grad.tolist() == [30.0, 30.0]


def test_remove_and_not_run_by_autograd_grad():
    w = ember.ones(2, requires_grad=True)
    calls = []
    handle = w.register_post_accumulate_grad_hook(lambda p: calls.append(1))
    ember.autograd.grad((w * 2).sum(), [w])  # grad() fills no .grad: no hook, as torch
    assert calls == []
    (w * 2).sum().backward()
    assert calls == [1]
    handle.remove()
    handle.remove()
    (w * 2).sum().backward()
    assert calls == [1]


def test_errors_like_torch(torch):
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="doesn't require gradient"):
            lib.ones(2).register_post_accumulate_grad_hook(lambda p: None)
        with pytest.raises(RuntimeError, match="non-leaf tensors"):
            (lib.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(lambda p: None)
        w = lib.ones(2, requires_grad=True)
        w.register_post_accumulate_grad_hook(lambda p: 5)
        with pytest.raises(TypeError, match="hook returned 'int'"):
            (w * 2).sum().backward()


def _order(lib):
    """Events of one backward through z = ((w1 * x).exp() * w2).sum(): leaves' hooks and y's."""
    w1, w2 = _leaf(lib, _rand(3, seed=1)), _leaf(lib, _rand(3, seed=2))
    events = []
    w1.register_post_accumulate_grad_hook(lambda p: events.append("w1 accumulated"))
    w2.register_post_accumulate_grad_hook(lambda p: events.append("w2 accumulated"))
    y = (w1 * 2).exp()
    y.register_hook(lambda g: events.append("y's gradient"))
    (y * w2).sum().backward()
    return events


def test_a_leaf_accumulates_as_soon_as_its_gradient_is_ready(torch):
    # Leaves run before the rest of the graph that is ready with them (torch gives AccumulateGrad
    # the highest priority): what lets DistributedDataParallel overlap communication with backward.
    assert _order(ember) == _order(torch) == ["w2 accumulated", "y's gradient", "w1 accumulated"]

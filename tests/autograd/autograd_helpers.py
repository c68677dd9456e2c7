"""Helpers shared by the autograd tests (test_autograd*.py): the same NumPy data as ember and torch
leaves, and gradient comparisons with torch as the oracle."""
import numpy as np

import ember


def _rand(*shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _np(t):
    """A tensor's values as NumPy (ember or torch), whatever its requires_grad."""
    return np.array(t.detach().numpy(), copy=True)


def _leaf(m, a, requires_grad=True):
    """The NumPy array ``a`` as a fresh leaf of module ``m`` (ember or torch), with its own memory."""
    return m.tensor(np.array(a, copy=True), requires_grad=requires_grad)


def _assert_close(e, t, rtol=1e-6, atol=1e-9, what=""):
    """ember tensor ``e`` holds what torch tensor ``t`` holds (None only if both are None)."""
    if t is None:
        assert e is None, f"{what}: torch gives None, ember gives {e!r}"
        return
    assert e is not None, f"{what}: ember gives None, torch gives a tensor"
    assert isinstance(e, ember.Tensor), f"{what}: not an ember.Tensor: {type(e)}"
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} != {tuple(t.shape)}"
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], f"{what}: dtype"
    np.testing.assert_allclose(_np(e), _np(t), rtol=rtol, atol=atol, err_msg=what)


def _grads_both(torch, fn, arrays, requires_grad=None):
    """Run ``loss = fn(m, *leaves)`` then ``loss.backward()`` in ember and in torch; return the two
    lists of leaf grads."""
    requires_grad = requires_grad or [True] * len(arrays)
    out = []
    for m in (ember, torch):
        leaves = [_leaf(m, a, rg) for a, rg in zip(arrays, requires_grad)]
        loss = fn(m, *leaves)
        loss.backward()
        out.append([x.grad for x in leaves])
    return out


def _compare_grads(torch, fn, arrays, requires_grad=None, rtol=1e-6, atol=1e-9):
    eg, tg = _grads_both(torch, fn, arrays, requires_grad)
    for i, (e, t) in enumerate(zip(eg, tg)):
        _assert_close(e, t, rtol=rtol, atol=atol, what=f"grad of input {i}")




def _raises_in(m, fn):
    """The exception ``fn(m)`` raises, or None."""
    try:
        fn(m)
    except Exception as exc:  # noqa: BLE001 - any error counts, its type is checked by the caller
        return exc
    return None


class Cube(ember.autograd.Function):
    """x**3 as a custom Function: forward saves x (and whether grad mode was on), backward
    returns 3 x^2 g."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.grad_enabled_in_forward = ember.is_grad_enabled()
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g

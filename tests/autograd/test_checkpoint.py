"""Saved-tensor hooks (ember.autograd.graph) and activation checkpointing (ember.utils.checkpoint):
the hooks see and replace what ops save; a checkpointed model gives the plain run's outputs and
gradients bit for bit (dropout included), keeps fewer tensors alive, and reports what torch's
reports (in-place changes to its inputs, a rerun that saves other tensors, misuse)."""
import threading
import warnings

import numpy as np
import pytest

import ember
from ember import nn
from ember.autograd.graph import disable_saved_tensors_hooks, save_on_cpu, saved_tensors_hooks
from ember.utils.checkpoint import CheckpointError, checkpoint, checkpoint_sequential


# ---- saved_tensors_hooks ------------------------------------------------------------------

def test_hooks_see_each_saved_tensor_and_backward_uses_what_unpack_returns():
    packed, unpacked = [], []

    def pack(t):
        packed.append(tuple(t.shape))
        return t.detach().numpy().copy() * 2  # kept as a doubled NumPy array

    def unpack(a):
        unpacked.append(a.shape)
        return ember.from_numpy(a / 2)

    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with saved_tensors_hooks(pack, unpack):
        y = (x * x).sin().sum()
    assert packed and not unpacked
    y.backward()
    assert len(unpacked) == len(packed)
    np.testing.assert_allclose(x.grad.numpy(), (2 * np.cos(np.array([1.0, 4.0, 9.0])) * [1, 2, 3]), rtol=1e-6)


def test_hooks_nest_stay_with_what_they_saved_and_are_per_thread():
    log = []

    def hooks(tag):
        return saved_tensors_hooks(lambda t: (log.append(("pack", tag)), t)[1],
                                   lambda t: (log.append(("unpack", tag)), t)[1])

    x = ember.ones(2, requires_grad=True)
    with hooks("outer"):
        a = x.exp()
        with hooks("inner"):
            b = a.exp()
        c = b.exp()
    assert [e for e in log if e[0] == "pack"] == [("pack", "outer"), ("pack", "inner"), ("pack", "outer")]
    log.clear()
    c.sum().backward()  # outside the blocks: each saved tensor goes to the hooks it was saved under
    assert sorted(log) == [("unpack", "inner"), ("unpack", "outer"), ("unpack", "outer")]

    seen = []

    def other_thread():
        seen.append(ember.ones(2, requires_grad=True).exp())
    log.clear()
    with hooks("main"):
        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
    assert log == []  # the hooks of one thread do not apply on another


def test_hooks_errors():
    x = ember.ones(2, requires_grad=True)
    with saved_tensors_hooks(lambda t: t, lambda t: "not a tensor"):
        y = x.exp().sum()
    with pytest.raises(TypeError, match="unpack_hook expected to be a Tensor but got result of type str"):
        y.backward()
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        y = x.exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()
    with disable_saved_tensors_hooks("no hooks in here"):
        with pytest.raises(RuntimeError, match="no hooks in here"):
            with saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    with saved_tensors_hooks(lambda t: t, lambda t: t):  # enabled again
        pass

    def failing_pack(t):
        raise ValueError("pack failed")
    with pytest.raises(ValueError, match="pack failed"):
        with saved_tensors_hooks(failing_pack, lambda t: t):
            x.exp()


def test_hooks_with_custom_function_and_retain_graph():
    class Square(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    count = [0]

    def unpack(t):
        count[0] += 1
        return t
    x = ember.tensor([3.0], requires_grad=True)
    with saved_tensors_hooks(lambda t: t, unpack):
        y = Square.apply(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert float(x.grad) == 12.0 and count[0] >= 2


def test_save_on_cpu_keeps_gradients():
    x = ember.randn(3, requires_grad=True)
    with save_on_cpu(pin_memory=False):
        y = (x.exp() * x).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), (np.exp(x.detach().numpy()) * (1 + x.detach().numpy())), rtol=1e-6)


# ---- checkpoint ------------------------------------------------------------------------------

def _model():
    ember.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Dropout(0.3), nn.Linear(16, 16), nn.GELU(),
                         nn.Linear(16, 2))


def _grads(model):
    return [p.grad.numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_checkpoint_gives_the_plain_runs_outputs_and_gradients(use_reentrant):
    x0 = np.random.default_rng(0).standard_normal((5, 6)).astype(np.float32)
    runs = []
    for checkpointed in (False, True):
        model = _model()
        x = ember.tensor(x0, requires_grad=True)
        ember.manual_seed(1)  # dropout's draws: the rerun must draw the same mask
        h = model[:3](x)
        h = checkpoint(model[3:], h, use_reentrant=use_reentrant) if checkpointed else model[3:](h)
        ember.randn(3)  # a draw between forward and backward does not change the rerun's mask
        h.pow(2).sum().backward()
        runs.append((h.detach().numpy(), x.grad.numpy(), _grads(model)))
    (y0, gx0, g0), (y1, gx1, g1) = runs
    np.testing.assert_array_equal(y0, y1)
    np.testing.assert_array_equal(gx0, gx1)
    for a, b in zip(g0, g1):
        np.testing.assert_array_equal(a, b)


def test_non_reentrant_checkpoint_keeps_fewer_tensors_alive():
    # blocks of four layers: plain, each keeps its activations; checkpointed, only its input
    model = nn.Sequential(*[nn.Sequential(nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(),
                                          nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh())
                            for _ in range(8)])
    x = ember.randn(16, 32, requires_grad=True)
    live = []
    for checkpointed in (False, True):
        before = ember._C._live_tensor_count()
        h = x
        for block in model:
            h = checkpoint(block, h, use_reentrant=False) if checkpointed else block(h)
        live.append(ember._C._live_tensor_count() - before)
        h.sum().backward()
        del h
    assert live[1] < live[0] / 2, live


def test_non_reentrant_checkpoint_parameters_get_gradients_when_inputs_do_not_require_them():
    model = _model().eval()
    x = ember.randn(4, 6)  # no grad: the reentrant variant would give the parameters none
    checkpoint(model, x, use_reentrant=False).sum().backward()
    got = _grads(model)
    model.zero_grad()
    model(x).sum().backward()
    for a, b in zip(got, _grads(model)):
        np.testing.assert_array_equal(a, b)


def test_non_reentrant_checkpoint_with_kwargs_nesting_autograd_grad_and_retain_graph():
    lin = nn.Linear(3, 3)

    def f(x, scale=1.0):
        return checkpoint(lambda t: lin(t).tanh(), x * scale, use_reentrant=False).sin()

    x = ember.randn(2, 3, requires_grad=True)
    y = checkpoint(f, x, scale=2.0, use_reentrant=False).sum()
    (gx,) = ember.autograd.grad(y, [x], retain_graph=True)
    (gx_again,) = ember.autograd.grad(y, [x])  # a second pass reruns the function again
    y_plain = lin(x * 2.0).tanh().sin().sum()
    (g_plain,) = ember.autograd.grad(y_plain, [x])
    np.testing.assert_allclose(gx.numpy(), g_plain.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(gx.numpy(), gx_again.numpy())


def test_checkpoint_sequential_equals_the_plain_run():
    for use_reentrant in (False, True):
        ember.manual_seed(2)
        model = nn.Sequential(*[nn.Linear(4, 4) for _ in range(6)])
        x = ember.randn(3, 4, requires_grad=True)
        out = checkpoint_sequential(model, 3, x, use_reentrant=use_reentrant)
        out.sum().backward()
        got = _grads(model) + [x.grad.numpy().copy()]
        model.zero_grad()
        x.grad = None
        ref = model(x)
        ref.sum().backward()
        np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
        for a, b in zip(got, _grads(model) + [x.grad.numpy()]):
            np.testing.assert_array_equal(a, b)


def test_checkpoint_errors():
    lin = nn.Linear(2, 2)
    x = ember.randn(3, 2, requires_grad=True)
    y = checkpoint(lambda t: lin(t * 1), x, use_reentrant=False)
    with ember.no_grad():
        x.add_(1)  # the input changes before backward reruns the function
    with pytest.raises(RuntimeError, match="modified by an inplace operation: argument 0 of the checkpointed function"):
        y.sum().backward()

    calls = [0]

    def changes_shape(t):
        calls[0] += 1
        return (t[: calls[0]] * t[: calls[0]]).sum()
    z = checkpoint(changes_shape, ember.randn(3, 2, requires_grad=True), use_reentrant=False)
    with pytest.raises(CheckpointError, match="different metadata than during the forward pass"):
        z.backward()

    with pytest.raises(ValueError, match="Unexpected keyword arguments: scale"):
        checkpoint(lambda t, scale: t, x, scale=2, use_reentrant=True)
    with pytest.raises(ValueError, match="Passing `context_fn` or `debug` is only supported when use_reentrant=False"):
        checkpoint(lambda t: t, x, use_reentrant=True, debug=True)
    with pytest.raises(ValueError, match="determinism_check should be one of"):
        checkpoint(lambda t: t, x, use_reentrant=False, determinism_check="sometimes")
    with pytest.warns(UserWarning, match="the use_reentrant parameter should be passed explicitly"):
        checkpoint(lambda t: t * 2, x)
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        checkpoint(lambda t: t * 2, ember.ones(2), use_reentrant=True)
    t = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="incompatible with .grad()"):
        ember.autograd.grad(checkpoint(lambda a: (a * 2).sum(), t, use_reentrant=True), [t])
    with pytest.raises(RuntimeError, match="incompatible with .grad()"):
        checkpoint(lambda a: (a * 2).sum(), t, use_reentrant=True).backward(inputs=[t])


def test_checkpoint_messages_as_torch():
    torch = pytest.importorskip("torch")
    import torch.utils.checkpoint as tc
    for lib, ck in ((torch, tc.checkpoint), (ember, checkpoint)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ck(lambda t: t * 2, lib.ones(2, requires_grad=True))
        assert [str(w.message) for w in caught if "use_reentrant" in str(w.message)][0].startswith(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly.")

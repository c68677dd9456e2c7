"""ember.autograd: reverse-mode differentiation of tensor ops (the engine is C++)."""
from ember._C import Tensor, _autograd
from ember.autograd.anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from ember.autograd.function import Function, FunctionCtx
from ember.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                                      set_grad_enabled)
from ember.autograd.gradcheck import gradcheck, gradgradcheck
from ember._legacy import Variable  # noqa: F401  (PyTorch's deprecated wrapper: returns the tensor)


def _check_flag(name, value):
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulates the gradients of tensors (weighted by grad_tensors) into the leaves' .grad, or
    only into the .grad of `inputs` (leaves or not) when given."""
    _check_flag("create_graph", create_graph)
    if grad_tensors is not None and not isinstance(grad_tensors, Tensor):
        n = 1 if isinstance(tensors, Tensor) else len(tensors)
        if len(grad_tensors) != n:
            raise RuntimeError(f"backward: got {n} tensors and {len(grad_tensors)} gradients")
    if inputs is None:
        _autograd.backward(tensors, grad_tensors, retain_graph, create_graph)
        return
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    inputs = tuple({id(t): t for t in inputs}.values())  # a tensor listed twice accumulates once
    if not inputs:
        raise RuntimeError("backward: inputs= cannot be empty (leave it out to reach every leaf)")
    grads = _autograd.grad(tensors, inputs, grad_tensors, retain_graph, create_graph, True)
    for t, g in zip(inputs, grads):
        if g is None:
            continue
        if t.grad is None:
            t.grad = g.clone()  # .grad is the tensor's own (with history under create_graph)
        elif create_graph:
            t.grad = t.grad + g
        else:
            with no_grad():
                t.grad.add_(g)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of outputs with respect to inputs, as a tuple (None for an unused input when
    allow_unused=True); .grad is left alone."""
    _check_flag("create_graph", create_graph)
    if is_grads_batched:
        raise NotImplementedError("grad: is_grads_batched=True is not supported")
    if allow_unused is None:
        allow_unused = materialize_grads
    result = _autograd.grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused)
    if materialize_grads:
        from ember._C import zeros_like
        ins = (inputs,) if not isinstance(inputs, (tuple, list)) else inputs
        result = tuple(g if g is not None else zeros_like(i) for g, i in zip(result, ins))
    return result


__all__ = ["Function", "FunctionCtx", "backward", "detect_anomaly", "enable_grad", "grad",
           "gradcheck", "gradgradcheck", "inference_mode", "is_anomaly_enabled", "is_grad_enabled",
           "no_grad", "set_detect_anomaly", "set_grad_enabled", "Variable"]

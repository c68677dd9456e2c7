"""ember.autograd: reverse-mode differentiation of tensor ops (the engine is C++)."""
from ember._C import Tensor, _autograd
from ember.autograd.anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from ember.autograd.function import Function, FunctionCtx
from ember.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                                      set_grad_enabled)
from ember.autograd.gradcheck import gradcheck, gradgradcheck
from ember.autograd import graph  # noqa: F401  (saved-tensor hooks)
from ember._legacy import Variable  # noqa: F401  (PyTorch's deprecated wrapper: returns the tensor)


def _check_flag(name, value):
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    r"""Computes the gradients of ``tensors`` with respect to the graph's leaves and accumulates them
    into their ``.grad``, as torch.autograd.backward: the vector-Jacobian product
    :math:`\sum_k v_k^T \partial t_k / \partial x` with :math:`v_k` from ``grad_tensors``.
    ``t.backward(g)`` is ``backward(t, g)``.

    Args:
        tensors (Tensor or sequence of Tensor): the outputs to differentiate.
        grad_tensors (Tensor or sequence of Tensor, optional): one :math:`v_k` per output, of its
            shape; None stands for ``ones`` and may be left out for scalar outputs. Default: None.
        retain_graph (bool, optional): keep the graph for another backward pass. Default:
            ``create_graph``.
        create_graph (bool, optional): record the backward pass itself, so that the gradients can
            be differentiated again (higher-order derivatives). Default: False.
        inputs (Tensor or sequence of Tensor, optional): accumulate into these tensors' ``.grad``
            only (leaves or not) instead of every leaf. Default: None.

    Returns:
        None

    Raises:
        RuntimeError: a non-scalar output without its gradient, a count of ``grad_tensors``
            other than of ``tensors``, an empty ``inputs``, or a graph already freed.
        TypeError: ``create_graph`` is not a bool.

    Example::

        >>> x = ember.tensor([1., 2.], requires_grad=True)
        >>> y = x * x
        >>> ember.autograd.backward([y], [ember.ones(2)])
        >>> x.grad
        tensor([2., 4.])
    """
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
    r"""The gradients of ``outputs`` with respect to ``inputs``, returned rather than accumulated
    (``.grad`` is left alone), as torch.autograd.grad: the vector-Jacobian products
    :math:`\sum_k v_k^T \partial y_k / \partial x_i`.

    Args:
        outputs (Tensor or sequence of Tensor): the outputs to differentiate.
        inputs (Tensor or sequence of Tensor): the tensors to differentiate with respect to.
        grad_outputs (Tensor or sequence of Tensor, optional): one :math:`v_k` per output; None
            stands for ``ones`` and may be left out for scalar outputs. Default: None.
        retain_graph (bool, optional): keep the graph for another backward pass. Default:
            ``create_graph``.
        create_graph (bool, optional): record the backward pass, so that the result can be
            differentiated again. Default: False.
        allow_unused (bool, optional): return None for an input the outputs do not depend on,
            instead of raising. Default: None (False, or ``materialize_grads``).
        is_grads_batched (bool, optional): not supported (False only).
        materialize_grads (bool, optional): return zeros instead of None for unused inputs.
            Default: False.

    Returns:
        tuple of Tensor: one gradient (or None) per input.

    Raises:
        RuntimeError: an input the outputs do not depend on (without ``allow_unused``), or a
            non-scalar output without its gradient.
        TypeError: ``create_graph`` is not a bool.
        NotImplementedError: ``is_grads_batched=True``.

    Example::

        >>> x = ember.tensor([1., 2.], requires_grad=True)
        >>> g, = ember.autograd.grad((x * x * x).sum(), x, create_graph=True)
        >>> g                                  # 3 x^2
        tensor([ 3., 12.], grad_fn=<...>)
        >>> ember.autograd.grad(g.sum(), x)    # 6 x
        (tensor([ 6., 12.]),)
    """
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

"""gradcheck / gradgradcheck: analytical Jacobians against finite differences (the checks run in
C++: ember::autograd::gradcheck)."""
from ember._C import Tensor, _autograd


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _wrap(func, inputs):
    """func over the tensors of inputs only (the other arguments stay fixed), returning a list."""
    positions = [i for i, a in enumerate(inputs) if isinstance(a, Tensor)]

    def fn(tensors):
        args = list(inputs)
        for i, t in zip(positions, tensors):
            args[i] = t
        out = func(*args)
        return [o for o in _as_tuple(out) if isinstance(o, Tensor)]

    return fn, [inputs[i] for i in positions]


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **_ignored):
    r"""Checks ``func``'s gradients against finite differences, as torch.autograd.gradcheck: for each
    float64 input that requires grad, each column of the analytical Jacobian (from backward) must
    match the central difference :math:`(f(x + \epsilon e_j) - f(x - \epsilon e_j)) / 2\epsilon`
    within :math:`\text{atol} + \text{rtol} \cdot |\text{numerical}|`. The check runs in C++.

    Args:
        func (callable): takes ``inputs`` (unpacked) and returns a tensor or a tuple of tensors.
        inputs (Tensor or tuple): the arguments; tensors that require grad are checked, the
            others are passed unchanged.
        eps (float, optional): the finite-difference step. Default: 1e-6.
        atol (float, optional): the absolute tolerance. Default: 1e-5.
        rtol (float, optional): the relative tolerance. Default: 1e-3.
        raise_exception (bool, optional): raise on a mismatch (else return False). Default: True.
        **_ignored: PyTorch's other options (fast_mode, check_undefined_grad, ...), accepted and
            ignored.

    Returns:
        bool: True when the gradients match (False on a mismatch without ``raise_exception``).

    Raises:
        RuntimeError: a mismatch (naming the output, input and element), with
            ``raise_exception``.
        TypeError: an input that requires grad is not float64.

    Example::

        >>> x = ember.tensor([0.5, 1.0], dtype=ember.float64, requires_grad=True)
        >>> ember.autograd.gradcheck(ember.sin, (x,))
        True
    """
    fn, tensors = _wrap(func, _as_tuple(inputs))
    return _autograd.gradcheck(fn, tensors, eps, atol, rtol, raise_exception)


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, **_ignored):
    """Checks ``func``'s second derivatives against finite differences, as
    torch.autograd.gradgradcheck: :func:`gradcheck` applied to the function that maps the inputs
    (and ``grad_outputs``) to the vector-Jacobian product of ``func``, built with
    ``create_graph=True``.

    Args:
        func (callable): takes ``inputs`` (unpacked) and returns a tensor or a tuple of tensors.
        inputs (Tensor or tuple): the arguments; float64 tensors that require grad are checked.
        grad_outputs (Tensor or tuple, optional): the vectors of the vector-Jacobian product, one
            per output. Default: None (random float64 tensors).
        eps (float, optional): the finite-difference step. Default: 1e-6.
        atol (float, optional): the absolute tolerance. Default: 1e-5.
        rtol (float, optional): the relative tolerance. Default: 1e-3.
        raise_exception (bool, optional): raise on a mismatch (else return False). Default: True.
        **_ignored: PyTorch's other options, accepted and ignored.

    Returns:
        bool: True when the second derivatives match.

    Raises:
        RuntimeError: a mismatch, with ``raise_exception``.
        TypeError: an input that requires grad is not float64.

    Example::

        >>> x = ember.tensor([0.5, 1.0], dtype=ember.float64, requires_grad=True)
        >>> ember.autograd.gradgradcheck(lambda t: t.sin() * t, (x,))
        True
    """
    fn, tensors = _wrap(func, _as_tuple(inputs))
    gos = None if grad_outputs is None else list(_as_tuple(grad_outputs))
    return _autograd.gradgradcheck(fn, tensors, gos, eps, atol, rtol, raise_exception)

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
    """True when the gradients of func at inputs match central finite differences (float64
    tensors with requires_grad=True are checked); else raises RuntimeError, or returns False when
    raise_exception=False."""
    fn, tensors = _wrap(func, _as_tuple(inputs))
    return _autograd.gradcheck(fn, tensors, eps, atol, rtol, raise_exception)


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, **_ignored):
    """gradcheck of the gradient of func (its vector-Jacobian product with grad_outputs, random
    float64 tensors when not given)."""
    fn, tensors = _wrap(func, _as_tuple(inputs))
    gos = None if grad_outputs is None else list(_as_tuple(grad_outputs))
    return _autograd.gradgradcheck(fn, tensors, gos, eps, atol, rtol, raise_exception)

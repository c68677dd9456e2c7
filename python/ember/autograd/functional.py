"""ember.autograd.functional: derivatives of whole functions, as torch.autograd.functional
(jacobian, hessian, vjp, jvp, hvp, vhp), on ember.func's transforms. Inputs are a tensor or a tuple
of tensors; results come back detached unless create_graph is set."""
import ember
from ember import func as _func


def _as_tuple(x):
    return ((x,), True) if isinstance(x, ember.Tensor) else (tuple(x), False)


def _finish(value, create_graph):
    """Detached (unless create_graph), through tuples."""
    if isinstance(value, tuple):
        return tuple(_finish(v, create_graph) for v in value)
    return value if create_graph else value.detach()


def _inputs(inputs, create_graph):
    """The inputs as tracked leaves: connected to their graphs only when create_graph asks."""
    tensors, single = _as_tuple(inputs)
    for t in tensors:
        if not isinstance(t, ember.Tensor):
            raise TypeError(f"The inputs given to the function must be either a Tensor or a tuple of Tensors but "
                            f"the given inputs contains an element of type {type(t).__name__}")
    if not create_graph:
        tensors = tuple(t.detach() for t in tensors)
    return tensors, single


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    r"""The Jacobian of func at inputs, as torch.autograd.functional.jacobian.

    Args:
        func (callable): takes the inputs, returns a tensor or a tuple of tensors.
        inputs (Tensor or tuple of Tensors): where to differentiate.
        create_graph (bool, optional): keep the graph, so the result can be differentiated.
            Default: False.
        strict (bool, optional): accepted for torch's signature.
        vectorize (bool, optional): accepted for torch's signature.
        strategy (str, optional): ``'reverse-mode'`` or ``'forward-mode'`` (the same numbers).

    Returns:
        The Jacobian: a tensor of shape output.shape + input.shape for one input and one output;
        a tuple over inputs, a tuple over outputs, or a tuple of tuples.

    Example::

        >>> from ember.autograd.functional import jacobian
        >>> jacobian(lambda x: x ** 2, ember.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    tensors, single_in = _inputs(inputs, create_graph)
    argnums = 0 if single_in else tuple(range(len(tensors)))
    jac = _func.jacrev(func, argnums)(*tensors)
    return _finish(jac, create_graph)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    r"""The Hessian of func (returning a one-element tensor) at inputs, as
    torch.autograd.functional.hessian.

    Args:
        func (callable): takes the inputs, returns a one-element tensor.
        inputs (Tensor or tuple of Tensors): where to differentiate.
        create_graph (bool, optional): keep the graph. Default: False.
        strict (bool, optional): accepted for torch's signature.
        vectorize (bool, optional): accepted for torch's signature.
        outer_jacobian_strategy (str, optional): accepted for torch's signature.

    Returns:
        input.shape + input.shape for one input; a tuple of tuples for several.

    Example::

        >>> from ember.autograd.functional import hessian
        >>> hessian(lambda x: (x ** 3).sum(), ember.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    tensors, single_in = _inputs(inputs, create_graph)
    argnums = 0 if single_in else tuple(range(len(tensors)))

    def scalar(*xs):
        out = func(*xs)
        if not isinstance(out, ember.Tensor) or out.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor with a single element")
        return out.reshape(())
    return _finish(_func.hessian(scalar, argnums)(*tensors), create_graph)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    r"""func's outputs at inputs and the vector-Jacobian product v^T J, as
    torch.autograd.functional.vjp.

    Args:
        func (callable): takes the inputs, returns a tensor or a tuple of tensors.
        inputs (Tensor or tuple of Tensors): where to differentiate.
        v (Tensor or tuple of Tensors, optional): the vector, one per output (may be None for a
            one-element output).
        create_graph (bool, optional): keep the graph. Default: False.
        strict (bool, optional): accepted for torch's signature.

    Returns:
        (func_output, vjp), each a tensor or tuple as the function's outputs and inputs are.

    Example::

        >>> from ember.autograd.functional import vjp
        >>> vjp(lambda x: x * 2, ember.tensor([1.0, 2.0]), ember.tensor([1.0, 1.0]))
        (tensor([2., 4.]), tensor([2., 2.]))
    """
    tensors, single_in = _inputs(inputs, create_graph)
    out, pull = _func.vjp(func, *tensors)
    if v is None:
        outs = out if isinstance(out, tuple) else (out,)
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function returns a single Tensor "
                               "with a single element.")
        v = ember.ones_like(outs[0]) if isinstance(out, ember.Tensor) else (ember.ones_like(outs[0]),)
    grads = pull(v)
    return _finish(out, create_graph), _finish(grads[0] if single_in else tuple(grads), create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    r"""func's outputs at inputs and the Jacobian-vector product J v, as
    torch.autograd.functional.jvp.

    Args:
        func (callable): takes the inputs, returns a tensor or a tuple of tensors.
        inputs (Tensor or tuple of Tensors): where to differentiate.
        v (Tensor or tuple of Tensors, optional): the vector, one per input (may be None for a
            one-element input).
        create_graph (bool, optional): keep the graph. Default: False.
        strict (bool, optional): accepted for torch's signature.

    Returns:
        (func_output, jvp).

    Example::

        >>> from ember.autograd.functional import jvp
        >>> jvp(lambda x: x ** 2, ember.tensor([1.0, 3.0]), ember.tensor([1.0, 1.0]))
        (tensor([1., 9.]), tensor([2., 6.]))
    """
    tensors, single_in = _inputs(inputs, create_graph)
    if v is None:
        if len(tensors) != 1 or tensors[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided function is a "
                               "single Tensor with a single element.")
        v = ember.ones_like(tensors[0])
    tangents, _ = _as_tuple(v)
    out, product = _func.jvp(func, tensors, tangents)
    return _finish(out, create_graph), _finish(product, create_graph)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    r"""func's output at inputs and the vector-Hessian product v^T H, as
    torch.autograd.functional.vhp.

    Args:
        func (callable): takes the inputs, returns a one-element tensor.
        inputs (Tensor or tuple of Tensors): where to differentiate.
        v (Tensor or tuple of Tensors): the vector, one per input.
        create_graph (bool, optional): keep the graph. Default: False.
        strict (bool, optional): accepted for torch's signature.

    Returns:
        (func_output, vhp).

    Example::

        >>> from ember.autograd.functional import vhp
        >>> vhp(lambda x: (x ** 3).sum(), ember.tensor([1.0, 2.0]), ember.tensor([1.0, 0.0]))[1]
        tensor([6., 0.])
    """
    tensors, single_in = _inputs(inputs, create_graph)
    argnums = 0 if single_in else tuple(range(len(tensors)))
    value = func(*tensors)
    _, pull = _func.vjp(_func.grad(func, argnums), *tensors)
    product = pull(v if single_in else tuple(v))
    return _finish(value, create_graph), _finish(product[0] if single_in else tuple(product), create_graph)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    r"""func's output at inputs and the Hessian-vector product H v, as
    torch.autograd.functional.hvp (H is symmetric, so this is :func:`vhp`'s product).

    Args:
        func (callable): takes the inputs, returns a one-element tensor.
        inputs (Tensor or tuple of Tensors): where to differentiate.
        v (Tensor or tuple of Tensors): the vector, one per input.
        create_graph (bool, optional): keep the graph. Default: False.
        strict (bool, optional): accepted for torch's signature.

    Returns:
        (func_output, hvp).

    Example::

        >>> from ember.autograd.functional import hvp
        >>> hvp(lambda x: (x ** 3).sum(), ember.tensor([1.0, 2.0]), ember.tensor([0.0, 1.0]))[1]
        tensor([ 0., 12.])
    """
    return vhp(func, inputs, v, create_graph, strict)

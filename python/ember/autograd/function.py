"""ember.autograd.Function: ops written in Python with a hand-written backward, as PyTorch's.

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x ** 2

    y = Cube.apply(x)

forward runs with grad mode off; when an input requires grad, the outputs get a node whose
backward calls the class's backward. Saved tensors are checked for in-place changes and freed
with the graph, like those of ember's own ops.
"""
from ember._C import Tensor, _autograd
from ember.autograd.grad_mode import is_grad_enabled, no_grad


class FunctionCtx:
    """The ``ctx`` that :class:`Function`'s forward receives and its backward gets back, as PyTorch's:
    ``save_for_backward(*tensors)`` keeps tensors for backward (read as ``ctx.saved_tensors``,
    checked for in-place changes), ``mark_non_differentiable`` and ``mark_dirty`` flag outputs,
    ``needs_input_grad`` tells which inputs need a gradient, and any other attribute set on it
    (non-tensor values) is kept as it is.

    Example::

        >>> class Scale(ember.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x, k):
        ...         ctx.k = k                       # a plain attribute
        ...         return x * k
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         return grad * ctx.k, None       # no gradient for k
        >>> x = ember.ones(2, requires_grad=True)
        >>> Scale.apply(x, 3.0).sum().backward()
        >>> x.grad
        tensor([3., 3.])
    """

    def __init__(self):
        self._to_save = ()
        self._saved = None
        self._non_differentiable = ()
        self._dirty = ()
        self.needs_input_grad = ()

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save tensors (or None), got "
                                f"{type(t).__name__}")
        self._to_save = tensors

    @property
    def saved_tensors(self):
        if self._saved is None:
            raise RuntimeError("saved_tensors can only be read inside backward (and before the graph "
                               "is freed)")
        return self._saved

    def mark_non_differentiable(self, *tensors):
        """Outputs among `tensors` get no history (integer-like results: indices, masks)."""
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TypeError("mark_non_differentiable only accepts tensors, got "
                                f"{type(t).__name__}")
        self._non_differentiable = tensors

    def mark_dirty(self, *tensors):
        """Inputs that forward modified in place (and returns): they take this node's history."""
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TypeError(f"mark_dirty only accepts tensors, got {type(t).__name__}")
        self._dirty = tensors

    def set_materialize_grads(self, value):
        if not value:
            raise NotImplementedError("set_materialize_grads(False): ember always passes zeros for "
                                      "outputs that received no gradient")


class Function:
    """Base class of ops written in Python with a hand-written backward, as torch.autograd.Function.
    Subclass it with two staticmethods, ``forward(ctx, *args)`` and ``backward(ctx, *grads)``
    (one gradient per forward argument, None for non-tensors), and call ``apply(*args)``. forward
    runs with grad mode off; when an input requires grad, the outputs get a node named
    ``<Class>Backward`` whose backward calls the class's. Saved tensors are checked for in-place
    changes and freed with the graph, as those of ember's own ops.

    Example::

        >>> class Cube(ember.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x ** 3
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         (x,) = ctx.saved_tensors
        ...         return grad * 3 * x ** 2
        >>> x = ember.tensor([1., 2.], requires_grad=True)
        >>> y = Cube.apply(x)
        >>> y.grad_fn.name()
        'CubeBackward'
        >>> y.sum().backward()
        >>> x.grad
        tensor([ 3., 12.])
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("Function subclasses must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("Function subclasses must define backward(ctx, ...) to be differentiated")

    @classmethod
    def apply(cls, *args):
        ctx = FunctionCtx()
        recording = is_grad_enabled()
        ctx.needs_input_grad = tuple(recording and isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            result = cls.forward(ctx, *args)
        if not any(ctx.needs_input_grad):
            return result
        single = not isinstance(result, tuple)
        outputs = (result,) if single else tuple(result)
        marked = {id(t) for t in ctx._non_differentiable}
        non_differentiable = [i for i, o in enumerate(outputs) if id(o) in marked]
        dirty = {id(t) for t in ctx._dirty}
        for t in ctx._dirty:
            if t.is_leaf and t.requires_grad:
                raise RuntimeError(f"{cls.__name__}: a leaf Variable that requires grad has been used "
                                   "in an in-place operation (mark_dirty).")
        # An input returned as is becomes a new tensor (the same memory), so that it can carry
        # this node's history; a dirty input (modified in place) then takes that history over.
        returned = outputs
        with no_grad():
            outputs = tuple(o.view(o.shape) if isinstance(o, Tensor) and any(o is a for a in args) else o
                            for o in outputs)
        is_tensor = tuple(isinstance(a, Tensor) for a in args)  # (the node must not keep args alive)
        n_args = len(args)
        name = f"{cls.__name__}Backward"

        def backward(grads, saved):
            ctx._saved = saved
            try:
                result = cls.backward(ctx, *grads)
            finally:
                ctx._saved = None
            if not isinstance(result, tuple):
                result = (result,)
            if len(result) < n_args or any(r is not None for r in result[n_args:]):
                raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                                   f"(expected {n_args}, got {len(result)})")
            grads_in = []
            for i, (g, t) in enumerate(zip(result, is_tensor)):
                if g is not None and not isinstance(g, Tensor):
                    raise TypeError(f"function {name}: gradient {i} must be a Tensor or None, "
                                    f"got {type(g).__name__}")
                grads_in.append(g if t else None)
            return grads_in

        _autograd.record_function(
            name, [o if isinstance(o, Tensor) else None for o in outputs],
            [a if isinstance(a, Tensor) else None for a in args], list(ctx._to_save), backward,
            non_differentiable)
        ctx._to_save = ()  # the node holds them now (outputs without a reference cycle)
        ctx._non_differentiable = ()
        if dirty:
            outputs = tuple(r if id(r) in dirty and _autograd.take_history(r, o) is None else o
                            for r, o in zip(returned, outputs))
            ctx._dirty = ()
        return outputs[0] if single else outputs


class _DelayedError(Function):
    """Gives a once-differentiable backward's results a history whose backward raises."""

    @staticmethod
    def forward(ctx, n_outputs, *tensors):
        return tensors[:n_outputs]  # the remaining tensors only connect the node to the graph

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")


def once_differentiable(fn):
    """Decorates a :class:`Function`'s backward that cannot itself be differentiated, as
    torch.autograd.function.once_differentiable: it runs without recording, and when a double
    backward (``create_graph=True``) later reaches its results, that raises RuntimeError instead of
    silently giving a wrong (zero) second derivative.

    Args:
        fn (callable): the ``backward(ctx, *grads)`` staticmethod.

    Returns:
        callable: the wrapped backward.

    Example::

        >>> from ember.autograd.function import once_differentiable
        >>> class Square(ember.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x * x
        ...     @staticmethod
        ...     @once_differentiable
        ...     def backward(ctx, grad):
        ...         (x,) = ctx.saved_tensors
        ...         return 2 * x * grad
        >>> x = ember.tensor([3.0], requires_grad=True)
        >>> Square.apply(x).sum().backward(); x.grad
        tensor([6.])
    """
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            outputs = fn(ctx, *args)
        if not is_grad_enabled():
            return outputs
        tracked = [a for a in args if isinstance(a, Tensor) and a.requires_grad]
        if not tracked:
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        tensors = [o for o in outs if isinstance(o, Tensor)]
        wrapped = iter(_DelayedError.apply(len(tensors), *tensors, *tracked))
        outs = tuple(next(wrapped) if isinstance(o, Tensor) else o for o in outs)
        return outs[0] if single else outs
    return wrapper

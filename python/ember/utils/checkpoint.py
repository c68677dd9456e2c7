"""ember.utils.checkpoint, as torch.utils.checkpoint: activation checkpointing. A checkpointed
function keeps none of its intermediate results for backward; backward runs it again to get
them, trading compute for memory (memory grows with the number of segments instead of the
number of layers).

Two variants, as torch's. ``use_reentrant=False`` (recommended) records the graph as usual, but
the tensors it saves go to hooks (ember.autograd.graph.saved_tensors_hooks) that keep only a
placeholder; the first placeholder backward unpacks reruns the function, catching the tensors
it saves in the same order. ``use_reentrant=True`` runs the function without a graph, then at
backward reruns it with one and calls backward inside the checkpoint's own node.
"""
import contextlib
import warnings
import weakref

import ember
from ember._C import Tensor, _autograd
from ember.autograd import Function
from ember.autograd.graph import saved_tensors_hooks

__all__ = ["CheckpointError", "CheckpointFunction", "check_backward_validity", "checkpoint", "checkpoint_sequential",
           "detach_variable", "noop_context_fn", "set_checkpoint_early_stop"]

_DEBUG_TIP = ("Tip: the checkpointed function must compute the same tensors when backward runs it again (no "
              "branches on values that changed in between, the same random draws: keep preserve_rng_state=True).")
_early_stop_override = None


class CheckpointError(RuntimeError):
    """Raised when the rerun of a checkpointed function does not save what its first run saved
    (another count, shapes or dtypes): the function is not deterministic in what it computes.

    Args:
        (as RuntimeError: the message.)

    Example::

        >>> issubclass(ember.utils.checkpoint.CheckpointError, RuntimeError)
        True
    """


def noop_context_fn():
    """The default ``context_fn`` of :func:`checkpoint`: two empty contexts, for the forward and
    for the recomputation.

    Returns:
        tuple: two context managers that do nothing.

    Example::

        >>> fwd, recompute = ember.utils.checkpoint.noop_context_fn()
        >>> with fwd, recompute:
        ...     pass
    """
    return contextlib.nullcontext(), contextlib.nullcontext()


@contextlib.contextmanager
def set_checkpoint_early_stop(enable):
    """Within the block, whether the non-reentrant recomputation stops as soon as it has
    recomputed every saved tensor backward needs (the default), or runs the whole function.

    Args:
        enable (bool): stop early.

    Example::

        >>> with ember.utils.checkpoint.set_checkpoint_early_stop(False):
        ...     pass
    """
    global _early_stop_override
    previous, _early_stop_override = _early_stop_override, enable
    try:
        yield
    finally:
        _early_stop_override = previous


def detach_variable(inputs):
    """Each tensor of the tuple detached, keeping its ``requires_grad`` (non-tensors as they are).

    Args:
        inputs (tuple): the values.

    Returns:
        tuple: the detached values.

    Raises:
        RuntimeError: ``inputs`` is not a tuple.

    Example::

        >>> x, = ember.utils.checkpoint.detach_variable((ember.ones(2, requires_grad=True) * 2,))
        >>> x.requires_grad, x.grad_fn is None
        (True, True)
    """
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"Only tuple of tensors is supported. Got Unsupported input type: {type(inputs).__name__}")
    out = []
    for inp in inputs:
        if isinstance(inp, Tensor):
            x = inp.detach()
            x.requires_grad = inp.requires_grad
            inp = x
        out.append(inp)
    return tuple(out)


def check_backward_validity(inputs):
    """Warns when no tensor among ``inputs`` requires a gradient (the reentrant checkpoint then
    gives no gradients).

    Args:
        inputs (iterable): the checkpointed function's arguments.

    Example::

        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     ember.utils.checkpoint.check_backward_validity([ember.ones(2)])
        >>> str(caught[0].message)
        'None of the inputs have requires_grad=True. Gradients will be None'
    """
    if not any(inp.requires_grad for inp in inputs if isinstance(inp, Tensor)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)


@contextlib.contextmanager
def _rng_as_in_forward(state):
    """Runs the block with the generator as it was when the forward ran (dropout draws the same
    mask again), then puts the generator back."""
    if state is None:
        yield
        return
    now = ember.get_rng_state()
    ember.set_rng_state(state)
    try:
        yield
    finally:
        ember.set_rng_state(now)


class CheckpointFunction(Function):
    """The reentrant checkpoint's node (``use_reentrant=True``): forward runs the function without
    a graph; backward reruns it with one, from the same random state, and runs backward through
    it inside this node.

    Args:
        run_function (Callable): the function checkpointed (``apply``'s first argument).
        preserve_rng_state (bool): rerun it from the forward's random state.
        args: its arguments.

    Example::

        >>> x = ember.ones(2, requires_grad=True)
        >>> y = ember.utils.checkpoint.CheckpointFunction.apply(lambda t: t.sin(), True, x)
        >>> y.sum().backward()
    """

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.rng_state = ember.get_rng_state() if preserve_rng_state else None
        ctx.inputs = [None if isinstance(arg, Tensor) else arg for arg in args]
        ctx.tensor_indices = [i for i, arg in enumerate(args) if isinstance(arg, Tensor)]
        ctx.requires_grads = [arg.requires_grad for arg in args if isinstance(arg, Tensor)]
        ctx.save_for_backward(*(arg for arg in args if isinstance(arg, Tensor)))
        with ember.no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        if not _autograd._is_checkpoint_valid():
            raise RuntimeError("When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or "
                               "passing an `inputs` parameter to .backward(). To resolve this error, you can either set "
                               "use_reentrant=False, or call .backward() without passing the `inputs` argument.")
        inputs = list(ctx.inputs)
        for i, tensor in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = tensor
        with _rng_as_in_forward(ctx.rng_state):
            detached = detach_variable(tuple(inputs))
            for i, requires_grad in zip(ctx.tensor_indices, ctx.requires_grads):  # as the inputs were
                detached[i].requires_grad_(requires_grad)
            with ember.enable_grad():
                outputs = ctx.run_function(*detached)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads) if isinstance(o, Tensor) and o.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        ember.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(x.grad if isinstance(x, Tensor) else None for x in detached)


class _Holder:
    """What the forward keeps in place of a saved tensor; ``value`` is filled by a rerun."""

    __slots__ = ("value", "__weakref__")

    def __init__(self):
        self.value = None


class _StopRecomputation(Exception):
    pass


class _Frame:
    """One non-reentrant checkpointed call: its inputs (checked for in-place changes), the
    placeholders of what it saved, in order, with their shapes and dtypes, and its rerun."""

    def __init__(self, fn, args, kwargs, preserve_rng_state, early_stop, check_metadata):
        self.fn, self.kwargs = fn, kwargs
        self.args = args
        self.versions = [a._version if isinstance(a, Tensor) else None for a in args]
        self.rng_state = ember.get_rng_state() if preserve_rng_state else None
        self.early_stop = early_stop
        self.check_metadata = check_metadata
        self.holders, self.metadata = [], []

    def pack(self, x):
        holder = _Holder()
        self.holders.append(weakref.ref(holder))  # a node freed before the rerun needs no value
        self.metadata.append((tuple(x.shape), x.dtype))
        return holder

    def unpack(self, holder):
        if holder.value is None:
            self.recompute()
        value, holder.value = holder.value, None
        return value

    def recompute(self):
        for i, (arg, version) in enumerate(zip(self.args, self.versions)):
            if version is not None and arg._version != version:
                raise RuntimeError("one of the variables needed for gradient computation has been modified by an "
                                   f"inplace operation: argument {i} of the checkpointed function, at version "
                                   f"{arg._version}; expected version {version} instead. Hint: checkpoint reruns the "
                                   "function from its inputs at backward, so they must not change before it.")
        count = [0]

        def pack(x):
            i = count[0]
            count[0] += 1
            if i >= len(self.holders):
                raise CheckpointError("torch.utils.checkpoint: trying to save more tensors during recomputation than "
                                      f"during the original forward pass.\n{_DEBUG_TIP}")
            x = x.detach() if x.requires_grad else x
            if self.check_metadata and (tuple(x.shape), x.dtype) != self.metadata[i]:
                raise CheckpointError("torch.utils.checkpoint: Recomputed values for the following tensors have "
                                      "different metadata than during the forward pass.\ntensor at position "
                                      f"{i}:\nsaved metadata: {self.metadata[i]}\nrecomputed metadata: "
                                      f"{(tuple(x.shape), x.dtype)}\n.\n{_DEBUG_TIP}")
            holder = self.holders[i]()
            if holder is not None:
                holder.value = x
            if self.early_stop and count[0] == len(self.holders):
                raise _StopRecomputation
            return x

        try:
            with _rng_as_in_forward(self.rng_state), saved_tensors_hooks(pack, lambda x: x), ember.enable_grad():
                self.fn(*self.args, **self.kwargs)
        except _StopRecomputation:
            pass
        if count[0] != len(self.holders):
            raise CheckpointError("torch.utils.checkpoint: A different number of tensors was saved during the original "
                                  "forward and recomputation.\nNumber of tensors saved during forward: "
                                  f"{len(self.holders)}\nNumber of tensors saved during recomputation: {count[0]}.\n"
                                  f"{_DEBUG_TIP}")


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, preserve_rng_state=True, **kwargs):
    r"""Runs ``function(*args, **kwargs)`` keeping none of its intermediate tensors for backward:
    backward reruns it (from the same random state, so dropout draws the same masks) to get them.
    Results and gradients are those of the plain call.

    Args:
        function (Callable): the part of the model to checkpoint (a module, a method, a function).
        *args: its arguments.
        use_reentrant (bool, optional): the variant. ``False`` (recommended) works when no input
            requires a gradient (parameters inside still get theirs), with
            ``ember.autograd.grad``, keyword arguments and nested checkpoints. ``True`` reruns
            inside a node of its own and gives gradients only through inputs that require them.
            Default: ``None``, which warns and means ``True``, as torch 2.13.
        context_fn (Callable, optional): returns two context managers, entered around the forward
            and around the recomputation (``use_reentrant=False`` only). Default:
            :func:`noop_context_fn`.
        determinism_check (str, optional): ``"default"`` checks that the rerun saves tensors of the
            same shapes and dtypes; ``"none"`` does not. Default: ``"default"``.
        debug (bool, optional): accepted for torch's signature; ember's errors already name the
            first tensor that differs. Default: False.
        preserve_rng_state (bool, optional): rerun from the forward's random state. Default: True.
        **kwargs: keyword arguments of ``function`` (``use_reentrant=False`` only).

    Returns:
        What ``function`` returns.

    Raises:
        ValueError: keyword arguments, ``context_fn`` or ``debug`` with ``use_reentrant=True``;
            an unknown ``determinism_check``.
        CheckpointError: the rerun saved other tensors than the forward.

    Example::

        >>> from ember.utils.checkpoint import checkpoint
        >>> block = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8))
        >>> x = ember.randn(4, 8, requires_grad=True)
        >>> y = checkpoint(block, x, use_reentrant=False)
        >>> y.sum().backward()        # block runs again here
        >>> block[0].weight.grad.shape
        ember.Size([8, 8])
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in "
                      "PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
                      "use_reentrant=False is recommended, but if you need to preserve the current default behavior, "
                      "you can pass use_reentrant=True. Refer to docs for more details on the differences between "
                      "the two variants.", stacklevel=2)
        use_reentrant = True
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve_rng_state, *args)
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    forward_context, recompute_context = context_fn()
    if not ember.is_grad_enabled():
        with forward_context:
            return function(*args, **kwargs)
    early_stop = True if _early_stop_override is None else _early_stop_override

    def rerun(*a, **k):
        with recompute_context:
            return function(*a, **k)
    frame = _Frame(rerun, args, kwargs, preserve_rng_state, early_stop, determinism_check == "default")
    with saved_tensors_hooks(frame.pack, frame.unpack), forward_context:
        return function(*args, **kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Checkpoints a sequential model in ``segments`` parts: each but the last runs under
    :func:`checkpoint`, so only the segments' inputs are kept for backward.

    Args:
        functions (Sequential or list of Callable): run one after the other.
        segments (int): the number of parts.
        input (Tensor): the first one's input.
        use_reentrant (bool, optional): as :func:`checkpoint`'s (``None`` warns and means True).
        **kwargs: ``preserve_rng_state`` only.

    Returns:
        Tensor: the last function's output.

    Raises:
        ValueError: another keyword argument.

    Example::

        >>> from ember.utils.checkpoint import checkpoint_sequential
        >>> model = nn.Sequential(*[nn.Linear(8, 8) for _ in range(6)])
        >>> out = checkpoint_sequential(model, 3, ember.randn(2, 8, requires_grad=True), use_reentrant=False)
        >>> out.sum().backward()
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed "
                      "explicitly. In version 2.9 we will raise an exception if use_reentrant is not passed. "
                      "use_reentrant=False is recommended, but if you need to preserve the current default behavior, "
                      "you can pass use_reentrant=True. Refer to docs for more details on the differences between "
                      "the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    if isinstance(functions, ember.nn.Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end), input, use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1)(input)

"""ember.autograd.graph, as torch.autograd.graph: the graph's nodes, and hooks that take over how
the tensors saved for backward are kept (the engine is C++: ember/autograd.h, SavedTensorHooks).
ember.utils.checkpoint builds on them."""
from ember._C import Node, _autograd  # noqa: F401  (Node: torch.autograd.graph.Node, a grad_fn's type)

__all__ = ["disable_saved_tensors_hooks", "save_on_cpu", "saved_tensors_hooks"]


class saved_tensors_hooks:  # noqa: N801  (PyTorch's name)
    """Within the block, each tensor an op saves for backward goes to ``pack_hook``, and what it
    returns is kept instead of the tensor; backward gives that to ``unpack_hook``, which returns
    the tensor to use (of the same values). The hooks are per thread; blocks nest (the innermost
    applies), and the hooks stay with what was saved under them.

    Args:
        pack_hook (Callable): ``pack_hook(tensor) -> Any``. It must not change the tensor in place.
        unpack_hook (Callable): ``unpack_hook(packed) -> Tensor``.

    Raises:
        RuntimeError: entering while hooks are disabled (:class:`disable_saved_tensors_hooks`).
        TypeError: (at backward) ``unpack_hook`` returns something other than a tensor.

    Example::

        >>> def pack(x):
        ...     return x.detach().numpy().copy()   # kept as a NumPy array
        >>> def unpack(a):
        ...     return ember.from_numpy(a)
        >>> x = ember.ones(3, requires_grad=True)
        >>> with ember.autograd.graph.saved_tensors_hooks(pack, unpack):
        ...     y = (x * x).sum()
        >>> y.backward()
        >>> x.grad
        tensor([2., 2., 2.])
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        _autograd._push_saved_tensors_hooks(self.pack_hook, self.unpack_hook)

    def __exit__(self, *exc):
        _autograd._pop_saved_tensors_hooks()


class save_on_cpu(saved_tensors_hooks):  # noqa: N801
    """Saved tensors are kept on the CPU (copied there from an accelerator) and moved back at
    backward, as torch.autograd.graph.save_on_cpu. ember's tensors live on the CPU, so they are
    kept as they are.

    Args:
        pin_memory (bool, optional): page-locked copies (for faster transfers back). Default: False.
        device_type (str, optional): the device tensors go back to. Default: ``"cuda"``.

    Example::

        >>> x = ember.ones(2, requires_grad=True)
        >>> with ember.autograd.graph.save_on_cpu():
        ...     y = (x * x).sum()
        >>> y.backward()
    """

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(tensor):
            return tensor.device, tensor.cpu()

        def unpack(packed):
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:  # noqa: N801
    """Within the block, entering :class:`saved_tensors_hooks` raises RuntimeError with
    ``error_message`` (for code whose saved tensors must not be taken over).

    Args:
        error_message (str): the error's message.

    Example::

        >>> with ember.autograd.graph.disable_saved_tensors_hooks("not here"):
        ...     with ember.autograd.graph.saved_tensors_hooks(lambda x: x, lambda x: x):
        ...         pass
        Traceback (most recent call last):
          ...
        RuntimeError: not here
    """

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        self._previous = _autograd._saved_tensors_hooks_disabled()
        _autograd._set_saved_tensors_hooks_disabled(self.error_message)

    def __exit__(self, *exc):
        _autograd._set_saved_tensors_hooks_disabled(self._previous)

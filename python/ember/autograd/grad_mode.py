"""Grad mode: no_grad, enable_grad, set_grad_enabled and inference_mode, each usable as a context
manager and as a decorator (with or without parentheses; generator functions run every step
under the mode), as PyTorch's.

The mode is thread-local (kept in C++): a new thread starts with gradients enabled.
"""
import functools
import inspect
import threading

from ember._C import _autograd

is_grad_enabled = _autograd.is_grad_enabled
_inference = threading.local()  # .enabled: inside inference_mode (thread-local, as the grad mode)


def is_inference_mode_enabled():
    """Whether the running code is inside :class:`inference_mode` (on this thread).

    Returns:
        bool

    Example::

        >>> with ember.inference_mode():
        ...     ember.is_inference_mode_enabled()
        True
    """
    return getattr(_inference, "enabled", False)


class _GradMode:
    """Sets grad mode to `mode` on entering a block and restores the previous mode on leaving."""

    mode = True

    def __new__(cls, *args, **kwargs):
        # @no_grad without parentheses: the class is called with the function itself.
        bare = len(args) == 1 and callable(args[0]) and not kwargs
        if bare and cls in (no_grad, enable_grad, inference_mode):
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self):
        self._prev = _autograd.is_grad_enabled()
        _autograd.set_grad_enabled(self.mode)

    def __exit__(self, *exc):
        _autograd.set_grad_enabled(self._prev)
        return False

    def clone(self):
        return _Fixed(self.mode)

    def __call__(self, fn):
        fixed = self.clone
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def generator(*args, **kwargs):
                gen = fn(*args, **kwargs)
                with fixed():
                    request = next(gen)  # each step of the generator runs under the mode
                while True:
                    try:
                        response = yield request
                    except GeneratorExit:
                        with fixed():
                            gen.close()
                        raise
                    except BaseException as exc:
                        with fixed():
                            request = gen.throw(exc)
                    else:
                        with fixed():
                            try:
                                request = gen.send(response)
                            except StopIteration as stop:
                                return stop.value
            return generator

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with fixed():
                return fn(*args, **kwargs)

        return wrapper


class _Fixed(_GradMode):
    def __init__(self, mode):
        self.mode = mode


class no_grad(_GradMode):
    """Context manager (and decorator) under which ops record no history, as torch.no_grad: their
    results do not require grad, which saves the graph's memory (inference, parameter updates).
    The mode is thread-local; the previous one is restored on leaving.

    Args:
        func (callable, optional): the function decorated, when used as ``@ember.no_grad``
            without parentheses.

    Example::

        >>> x = ember.ones(2, requires_grad=True)
        >>> with ember.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
        >>> @ember.no_grad()
        ... def doubler(t):
        ...     return t * 2
        >>> doubler(x).requires_grad
        False
    """

    mode = False


class enable_grad(_GradMode):
    """Context manager (and decorator) that turns recording back on, e.g. inside a :class:`no_grad`
    block, as torch.enable_grad.

    Args:
        func (callable, optional): the function decorated, when used as ``@ember.enable_grad``
            without parentheses.

    Example::

        >>> x = ember.ones(2, requires_grad=True)
        >>> with ember.no_grad():
        ...     with ember.enable_grad():
        ...         y = x * 2
        >>> y.requires_grad
        True
    """

    mode = True


class set_grad_enabled(_GradMode):
    """Sets grad mode on or off, as torch.set_grad_enabled: at once when called, for a block when
    used with ``with`` (the previous mode is then restored), or for the calls of a decorated
    function.

    Args:
        mode (bool): record history (True) or not (False).

    Raises:
        TypeError: ``mode`` is not a bool.

    Example::

        >>> x = ember.ones(2, requires_grad=True)
        >>> with ember.set_grad_enabled(False):
        ...     (x * 2).requires_grad
        False
        >>> _ = ember.set_grad_enabled(False)
        >>> ember.is_grad_enabled()
        False
        >>> _ = ember.set_grad_enabled(True)
    """

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        self._prev = _autograd.is_grad_enabled()
        self.mode = mode
        _autograd.set_grad_enabled(mode)

    def __enter__(self):
        pass

    def __call__(self, fn):
        _autograd.set_grad_enabled(self._prev)  # used as a decorator: applies to calls only
        return super().__call__(fn)


class inference_mode(_GradMode):
    """As :class:`no_grad` (ember has no separate inference tensors), as torch.inference_mode;
    ``inference_mode(False)`` enables grad instead.

    Args:
        mode (bool, optional): turn inference mode on. Default: True.

    Example::

        >>> x = ember.ones(2, requires_grad=True)
        >>> with ember.inference_mode():
        ...     (x * 2).requires_grad
        False
    """

    def __init__(self, mode=True):
        self.mode = not mode
        self.inference = mode

    def __enter__(self):
        super().__enter__()
        self._prev_inference = is_inference_mode_enabled()
        _inference.enabled = self.inference

    def __exit__(self, *exc):
        _inference.enabled = self._prev_inference
        return super().__exit__(*exc)

    def clone(self):
        return inference_mode(self.inference)

"""Grad mode: no_grad, enable_grad and set_grad_enabled, as context managers and decorators.

The mode is thread-local (kept in C++): a new thread starts with gradients enabled.
"""
import functools

from ember._C import _autograd

is_grad_enabled = _autograd.is_grad_enabled


class _GradModeContext:
    """Sets grad mode on entering and restores the previous mode on leaving; also a decorator."""

    _mode = True

    def __enter__(self):
        self._prev = _autograd.is_grad_enabled()
        _autograd.set_grad_enabled(self._mode)
        return None

    def __exit__(self, *exc):
        _autograd.set_grad_enabled(self._prev)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__._fresh(self):
                return fn(*args, **kwargs)

        return wrapper

    def _fresh(self):
        return self.__class__()

    def clone(self):
        return self._fresh()


class no_grad(_GradModeContext):
    """Ops inside record no history: results do not require grad (inference, parameter updates)."""

    _mode = False


class enable_grad(_GradModeContext):
    """Turns recording back on inside a no_grad block."""

    _mode = True


class set_grad_enabled(_GradModeContext):
    """set_grad_enabled(mode): sets grad mode at once (as a call), or for a block (with), or for a
    function (decorator)."""

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        self._prev = _autograd.is_grad_enabled()
        self._mode = mode
        _autograd.set_grad_enabled(mode)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        _autograd.set_grad_enabled(self._prev)
        return False

    def _fresh(self):
        return _DeferredMode(self._mode)


class _DeferredMode(_GradModeContext):
    def __init__(self, mode):
        self._mode = mode

    def _fresh(self):
        return _DeferredMode(self._mode)


class inference_mode(_GradModeContext):
    """As no_grad (ember has no separate inference tensors); inference_mode(False) enables grad."""

    def __init__(self, mode=True):
        self._mode = not mode

    def _fresh(self):
        return inference_mode(not self._mode)

"""Grad mode: no_grad, enable_grad, set_grad_enabled and inference_mode, each usable as a context
manager and as a decorator (with or without parentheses; generator functions run every step
under the mode), as PyTorch's.

The mode is thread-local (kept in C++): a new thread starts with gradients enabled.
"""
import functools
import inspect

from ember._C import _autograd

is_grad_enabled = _autograd.is_grad_enabled


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
        mode = self.mode
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def generator(*args, **kwargs):
                gen = fn(*args, **kwargs)
                with _Fixed(mode):
                    request = next(gen)  # each step of the generator runs under the mode
                while True:
                    try:
                        response = yield request
                    except GeneratorExit:
                        with _Fixed(mode):
                            gen.close()
                        raise
                    except BaseException as exc:
                        with _Fixed(mode):
                            request = gen.throw(exc)
                    else:
                        with _Fixed(mode):
                            try:
                                request = gen.send(response)
                            except StopIteration as stop:
                                return stop.value
            return generator

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with _Fixed(mode):
                return fn(*args, **kwargs)

        return wrapper


class _Fixed(_GradMode):
    def __init__(self, mode):
        self.mode = mode


class no_grad(_GradMode):
    """Ops inside record no history: results do not require grad (inference, parameter updates)."""

    mode = False


class enable_grad(_GradMode):
    """Turns recording back on inside a no_grad block."""

    mode = True


class set_grad_enabled(_GradMode):
    """set_grad_enabled(mode): sets grad mode at once when called, for a block (with), or for a
    function (decorator; the mode is then restored at once)."""

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
    """As no_grad (ember has no separate inference tensors); inference_mode(False) enables grad."""

    def __init__(self, mode=True):
        self.mode = not mode

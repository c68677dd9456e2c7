"""Anomaly detection: a backward that produces NaN or Inf raises, naming the op and the line of
user code that created it. Creation sites are captured only while the mode is on."""
import atexit
import traceback

from ember._C import _autograd


def _creation_site():
    # The Python stack at the op's call, without this frame.
    return "".join(traceback.format_stack()[:-1])


_autograd.set_creation_site_provider(_creation_site)
# The C++ side holds the callable in a static: let it go while Python is still alive.
atexit.register(_autograd.set_creation_site_provider, None)


def is_anomaly_enabled():
    """Whether anomaly detection is on (inside :class:`detect_anomaly` or after
    ``set_detect_anomaly(True)``), as torch.is_anomaly_enabled.

    Returns:
        bool

    Example::

        >>> ember.autograd.is_anomaly_enabled()
        False
        >>> with ember.autograd.detect_anomaly():
        ...     ember.autograd.is_anomaly_enabled()
        True
    """
    return _autograd.is_anomaly_enabled()


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on for a block, as
    torch.autograd.detect_anomaly: a backward function that returns NaN raises a RuntimeError
    naming the op and the line of user code that created it (creation sites are recorded only
    while the mode is on, which slows ops down: use it for debugging).

    Args:
        check_nan (bool, optional): check the backward's outputs for NaN. Default: True.

    Example::

        >>> x = ember.tensor([-1.], requires_grad=True)
        >>> with ember.autograd.detect_anomaly():
        ...     x.sqrt().sum().backward()
        Traceback (most recent call last):
            ...
        RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.
        The op was created at:
        ...
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = _autograd.is_anomaly_enabled()
        _autograd.set_anomaly_enabled(self.check_nan)

    def __exit__(self, *exc):
        _autograd.set_anomaly_enabled(self._prev)
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Sets anomaly detection on or off, at once when called, or for a block when used with
    ``with`` (the previous setting is then restored), as torch.autograd.set_detect_anomaly.

    Args:
        mode (bool): turn anomaly detection on or off.
        check_nan (bool, optional): check the backward's outputs for NaN. Default: True.

    Raises:
        TypeError: ``mode`` is not a bool.

    Example::

        >>> with ember.autograd.set_detect_anomaly(True):
        ...     ember.autograd.is_anomaly_enabled()
        True
        >>> ember.autograd.is_anomaly_enabled()
        False
    """

    def __init__(self, mode, check_nan=True):
        if not isinstance(mode, bool):
            raise TypeError(f"set_detect_anomaly: mode must be a bool, not {type(mode).__name__}")
        self._prev = _autograd.is_anomaly_enabled()
        _autograd.set_anomaly_enabled(bool(mode) and check_nan)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        _autograd.set_anomaly_enabled(self._prev)
        return False

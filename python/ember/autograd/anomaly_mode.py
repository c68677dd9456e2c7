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
    """Context manager (and decorator) turning anomaly detection on for a block."""

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
    """set_detect_anomaly(mode): sets anomaly detection at once, or for a block (with)."""

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

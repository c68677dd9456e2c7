"""ember.accelerator: PyTorch's device-agnostic accelerator queries. This build has no
accelerator backend (the CUDA backend is future work): none is available."""

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index", "synchronize"]


def is_available():
    """Whether an accelerator (a CUDA device) can be used: False in this build.

    Example::

        >>> ember.accelerator.is_available()
        False
    """
    return False


def current_accelerator(check_available=False):
    """The accelerator's device type, or None when there is none (always, in this build).

    Args:
        check_available (bool, optional): also require that it is available. Default: False.

    Example::

        >>> ember.accelerator.current_accelerator() is None
        True
    """
    return None


def device_count():
    """The number of accelerator devices: 0.

    Example::

        >>> ember.accelerator.device_count()
        0
    """
    return 0


def _none_available(name):
    def call(*args, **kwargs):
        raise RuntimeError(f"accelerator.{name}: cannot access an accelerator device when none is available "
                           "(this build of ember has no CUDA backend; the CUDA backend is future work)")

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"""accelerator.{name}: needs an accelerator device.

Raises:
    RuntimeError: always in this build, as torch's when no accelerator is available.

Example::

    >>> if ember.accelerator.is_available():
    ...     ember.accelerator.{name}()
"""
    return call


current_device_index = _none_available("current_device_index")
current_device_idx = current_device_index
set_device_index = _none_available("set_device_index")
set_device_idx = set_device_index
synchronize = _none_available("synchronize")

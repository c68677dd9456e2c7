"""ember.backends.cudnn: torch.backends.cudnn's flags. There is no cuDNN in this build; the
flags keep torch's defaults and can be set (programs that set them run unchanged)."""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    """Whether cuDNN can be used: False (this build has no CUDA backend).

    Example::

        >>> ember.backends.cudnn.is_available()
        False
    """
    return False


def version():
    """cuDNN's version: None, as there is none.

    Example::

        >>> ember.backends.cudnn.version() is None
        True
    """
    return None

"""ember.backends.mps: Apple's Metal backend, which ember does not have."""


def is_available():
    """Whether the MPS device can be used: False.

    Example::

        >>> ember.backends.mps.is_available()
        False
    """
    return False


def is_built():
    """Whether this build carries an MPS backend: False.

    Example::

        >>> ember.backends.mps.is_built()
        False
    """
    return False

"""ember.backends.openmp: ember's CPU kernels run across cores with OpenMP."""


def is_available():
    """Whether ember was built with OpenMP (its CPU kernels use it for large tensors).

    Example::

        >>> ember.backends.openmp.is_available()
        True
    """
    return True

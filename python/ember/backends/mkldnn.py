"""ember.backends.mkldnn: oneDNN, which ember does not use (its CPU kernels and OpenBLAS do the
work); ``enabled`` is assignable as torch's and changes nothing."""
enabled = True


def is_available():
    """Whether oneDNN (MKL-DNN) is used: False in ember.

    Example::

        >>> ember.backends.mkldnn.is_available()
        False
    """
    return False

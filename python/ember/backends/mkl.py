"""ember.backends.mkl: Intel MKL, which ember does not use (its BLAS is OpenBLAS)."""


def is_available():
    """Whether MKL is used: False in ember.

    Example::

        >>> ember.backends.mkl.is_available()
        False
    """
    return False

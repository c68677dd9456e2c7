"""ember.backends.cuda: torch.backends.cuda's queries and matmul flags. This build has no CUDA
backend (the CUDA backend is future work)."""


def is_built():
    """Whether this build carries the CUDA backend (False: it is future work).

    Example::

        >>> ember.backends.cuda.is_built()
        False
    """
    from ember import _C

    return _C._cuda_is_built()


class _MatmulFlags:
    """torch.backends.cuda.matmul: the CUDA matmul precision flags (assignable; unknown names
    raise AttributeError, as torch's)."""

    _defaults = {"allow_tf32": False, "allow_fp16_reduced_precision_reduction": True,
                 "allow_bf16_reduced_precision_reduction": True}

    def __init__(self):
        self.__dict__.update(self._defaults)

    def __setattr__(self, name, value):
        if name not in self._defaults:
            raise AttributeError(f"Unknown attribute {name}")
        self.__dict__[name] = value


matmul = _MatmulFlags()

"""ember.backends: PyTorch's backend flags and queries, answered for this build (CPU kernels with
OpenMP and OpenBLAS; no CUDA, cuDNN, MPS or oneDNN). The flags are assignable as torch's; the
ones of backends ember lacks change nothing."""
from ember.backends import cuda, cudnn, mkl, mkldnn, mps, openmp  # noqa: F401

__all__ = ["cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp"]

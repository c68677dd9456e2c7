"""ember: a deep-learning library with a C++ core, BLAS-backed tensors and a PyTorch-shaped API."""

# libscipy_openblas.so must be loaded (RTLD_GLOBAL) before the core that links it: this works in
# every install layout, editable ones included.
import scipy_openblas32 as _openblas  # noqa: F401


def _load_core():
    """Imports ember._C with OpenMP's idle threads sleeping rather than spinning (libgomp reads
    this once, when it loads): spinning OpenMP threads starve OpenBLAS's own threads, and a
    2-thread MLP step took 10x longer. The caller's environment is left as it was."""
    import os

    previous = os.environ.get("OMP_WAIT_POLICY")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        from ember import _C
    finally:
        if previous is None:
            del os.environ["OMP_WAIT_POLICY"]
    return _C


_C = _load_core()
from ember._tensor_str import tensor_repr as _tensor_repr
from ember.size import Size
from ember import nn  # noqa: E402  (ember.nn.functional)
from ember import autograd  # noqa: E402
from ember import optim  # noqa: E402
from ember.serialization import load, save  # noqa: E402
from ember.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,  # noqa: E402
                                      no_grad, set_grad_enabled)


__version__ = "0.1.0"

Tensor = _C.Tensor
dtype = _C.dtype
device = _C.device
Generator = _C.Generator

bool = _C.dtype.bool  # noqa: A001 - torch.bool, as PyTorch names it
int64 = long = _C.dtype.int64
float32 = float = _C.dtype.float32  # noqa: A001
float64 = double = _C.dtype.float64

dtype.__repr__ = dtype.__str__  # "ember.float32", as torch.float32 prints
Tensor.__repr__ = _tensor_repr
Tensor.__str__ = _tensor_repr
Tensor.__module__ = "ember"
_grad = Tensor.grad
Tensor.grad = property(_grad.fget, _grad.fset, lambda t: _grad.fset(t, None), _grad.__doc__)  # del x.grad


def _backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulates this tensor's gradients into the leaves' .grad (see ember.autograd.backward)."""
    autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)


Tensor.backward = _backward

_exported = [name for name in dir(_C) if not name.startswith("_") and name not in ("dtype", "device")]
globals().update({name: getattr(_C, name) for name in _exported})


def get_cmake_dir():
    """Folder holding emberConfig.cmake, for CMake's -Dember_DIR (native C++ projects)."""
    import os

    return os.path.join(os.path.dirname(_C.__file__), "lib", "cmake", "ember")


def get_include():
    """Folder holding ember's C++ headers (ember/ember.h)."""
    import os

    return os.path.join(os.path.dirname(_C.__file__), "include")


__all__ = sorted(set(_exported) | {
    "Tensor", "Size", "dtype", "device", "Generator", "bool", "int64", "long", "float32", "float",
    "float64", "double", "get_cmake_dir", "get_include", "autograd", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "inference_mode", "save", "load",
})

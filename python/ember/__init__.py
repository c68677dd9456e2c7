"""ember: a deep-learning library with a C++ core, BLAS-backed tensors and a PyTorch-shaped API."""

# What the threads of OpenMP and OpenBLAS do when idle, set while they load (each reads it once):
# OpenMP's sleep rather than spin, and OpenBLAS's spin for 2^14 cycles (a few microseconds) rather
# than its default ~0.1 s. Idle threads that spin starve the other pool's busy ones: a 2-thread
# MLP step took 10x longer, a 2048^2 matmul 2.3x. The caller's settings win, and the environment
# is left as it was.
_IDLE_THREADS = {"OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_THREAD_TIMEOUT": "14"}


def _load_core():
    """Loads libscipy_openblas (RTLD_GLOBAL, before the core that links it: this works in every
    install layout, editable ones included), then imports ember._C, with _IDLE_THREADS set."""
    import os

    added = [k for k in _IDLE_THREADS if k not in os.environ]
    os.environ.update({k: _IDLE_THREADS[k] for k in added})
    try:
        import scipy_openblas32  # noqa: F401
        from ember import _C
    finally:
        for k in added:
            del os.environ[k]
    return _C


_C = _load_core()
from ember._tensor_str import tensor_repr as _tensor_repr
from ember.size import Size
from ember import nn  # noqa: E402  (ember.nn.functional)
from ember import autograd  # noqa: E402
from ember import optim  # noqa: E402
from ember import models  # noqa: E402  (after nn: the ResNets are built from it)
from ember import text  # noqa: E402  (pure Python: vocabularies, tokenizers, sampling)
from ember import data, utils  # noqa: E402  (datasets, samplers, DataLoader; ember.utils.data is ember.data)
from ember import metrics  # noqa: E402  (scikit-learn's classification metrics, C++ kernels)
from ember import transforms  # noqa: E402  (after nn: its transforms are modules)
from ember import linalg  # noqa: E402  (torch.linalg's names)
from ember import distributed  # noqa: E402  (torch.distributed's names; MPI loads at init_process_group)
from ember import distributions  # noqa: E402  (after nn: Bernoulli's log_prob is a loss)
from ember import func  # noqa: E402  (function transforms over autograd)
from ember import testing  # noqa: E402  (assert_close, make_tensor)
from ember import special  # noqa: E402  (torch.special's names)
import ember.autograd.functional  # noqa: E402,F401  (on ember.func)
from ember import train  # noqa: E402  (callbacks, checkpoints, history, Monitor, sanity checks, fit, search)
from ember.serialization import load, save  # noqa: E402
from ember import cuda, accelerator, backends  # noqa: E402  (honest answers: no CUDA backend)
from ember import amp, random  # noqa: E402  (GradScaler, autocast's honest answers; fork_rng)
from ember import errors  # noqa: E402  (ValueError, TypeError, IndexError: also RuntimeErrors)
from ember import multiprocessing  # noqa: E402  (shared tensors cross processes by file descriptor)
from ember.amp import autocast  # noqa: E402
from ember import _legacy  # noqa: E402
from ember._legacy import (BFloat16Tensor, BoolTensor, ByteTensor, CharTensor, DoubleTensor,  # noqa: E402
                           FloatTensor, HalfTensor, IntTensor, LongTensor, ShortTensor,
                           get_default_device, set_default_device, set_default_tensor_type)
from ember.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,  # noqa: E402
                                      is_inference_mode_enabled, no_grad, set_grad_enabled)


__version__ = "0.1.0"

Tensor = _C.Tensor
dtype = _C.dtype
device = _C.device
Generator = _C.Generator

bool = _C.dtype.bool  # noqa: A001 - torch.bool, as PyTorch names it
uint8 = _C.dtype.uint8
int8 = _C.dtype.int8
int16 = short = _C.dtype.int16
int32 = int = _C.dtype.int32  # noqa: A001
int64 = long = _C.dtype.int64
float16 = half = _C.dtype.float16
bfloat16 = _C.dtype.bfloat16
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
Tensor.__format__ = _legacy.tensor_format
Tensor.new = _legacy.tensor_new

from ember import _extras  # noqa: E402  (typename, determinism flags, frombuffer, distribution fillers)
from ember._extras import (cosine_embedding_loss, hinge_embedding_loss, margin_ranking_loss,  # noqa: E402
                           poisson_nll_loss, triplet_margin_loss)
from ember._extras import bilinear, celu_, hardshrink, relu_, rrelu, rrelu_, selu_  # noqa: E402
from ember._type_info import finfo, iinfo  # noqa: E402
from ember._extras import channel_shuffle, instance_norm, rms_norm  # noqa: E402
from ember._extras import (are_deterministic_algorithms_enabled, cosine_similarity, dropout,  # noqa: E402
                           frombuffer, is_deterministic_algorithms_warn_only_enabled, normal, pairwise_distance,
                           randint_like, typename, use_deterministic_algorithms)
from ember._extras import get_float32_matmul_precision, set_float32_matmul_precision  # noqa: E402
from ember._tensor_str import set_printoptions  # noqa: E402
from ember._compile import compile  # noqa: E402  (capture once, replay the kernels in C++)

from ember import _numerics  # noqa: E402  (cov, logspace, trapezoid, ..., the legacy svd/qr/cholesky spellings)
from ember._numerics import (corrcoef, cov, cumulative_trapezoid, diagflat, ger, logspace, msort,  # noqa: E402
                             renorm, trapezoid, trapz)

from ember import _spellings  # noqa: E402  (layout, asarray, range, windows, dtype queries, switches)
from ember._spellings import *  # noqa: E402,F401,F403  (range among them, as in torch's namespace)

_extras.install(Tensor)
_spellings.install(Tensor)
_numerics.install(Tensor)
linalg.install(globals(), Tensor)  # det, inverse, logdet, slogdet, matrix_power (torch's top-level spellings)

_exported = [name for name in dir(_C) if not name.startswith("_") and name not in ("dtype", "device", "return_types")]
globals().update({name: getattr(_C, name) for name in _exported})
from ember import return_types  # noqa: E402  (max(dim)'s named tuples, as torch.return_types)
from ember import _docs  # noqa: E402  (the C++ functions' and classes' docstrings)

_docs.apply(__import__(__name__))
import math as _math  # noqa: E402

e, pi, inf, nan = _math.e, _math.pi, _math.inf, _math.nan  # torch's constants (Python floats, as its)
newaxis = None  # x[:, ember.newaxis], as NumPy's and torch's
vmap = func.vmap  # torch.vmap is torch.func.vmap
GradScaler = amp.GradScaler  # torch.GradScaler is torch.amp.GradScaler
default_generator = _C.default_generator()  # the global Generator object itself, as torch.default_generator
import typing as _typing  # noqa: E402

if _typing.TYPE_CHECKING:  # what the update above exports, for type checkers (ember/_C/*.pyi)
    from ember._C import *  # noqa: F401,F403


def get_cmake_dir():
    """The folder holding emberConfig.cmake, for native C++ projects that link ember:
    ``cmake -Dember_DIR=$(python -c "import ember; print(ember.get_cmake_dir())")``, then
    ``find_package(ember CONFIG REQUIRED)`` and ``target_link_libraries(app PRIVATE ember::core)``.

    Returns:
        str: the path.

    Example::

        >>> import os
        >>> os.path.isfile(os.path.join(ember.get_cmake_dir(), "emberConfig.cmake"))
        True
    """
    import os

    return os.path.join(os.path.dirname(_C.__file__), "lib", "cmake", "ember")


def get_include():
    """Folder holding ember's C++ headers (ember/ember.h) and Cython declarations (ember/*.pxd).

    Returns:
        str: the path to give the C++ compiler (-I) and Cython (cython -I, cythonize's include_path).

    Example::

        >>> import os
        >>> os.path.isfile(os.path.join(ember.get_include(), "ember", "tensor.pxd"))
        True
    """
    import os

    return os.path.join(os.path.dirname(_C.__file__), "include")


__all__ = sorted(set(_exported) | {
    "Tensor", "Size", "dtype", "device", "Generator", "bool", "uint8", "int8", "int16", "short", "int32",
    "int", "int64", "long", "float16", "half", "bfloat16", "float32", "float", "float64", "double", "get_cmake_dir", "get_include", "autograd", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "inference_mode", "save", "load", "return_types",
    "cuda", "accelerator", "backends", "set_default_device", "get_default_device", *_legacy.LEGACY_TYPES,
    "are_deterministic_algorithms_enabled", "cosine_similarity", "dropout", "frombuffer",
    "cosine_embedding_loss", "hinge_embedding_loss", "margin_ranking_loss", "poisson_nll_loss", "triplet_margin_loss",
    "bilinear", "celu_", "hardshrink", "relu_", "rrelu", "rrelu_", "selu_", "channel_shuffle", "instance_norm",
    "rms_norm", "finfo", "iinfo",
    "is_deterministic_algorithms_warn_only_enabled", "pairwise_distance", "randint_like", "typename",
    "use_deterministic_algorithms", "set_printoptions", "compile", *linalg.TOP_LEVEL_NAMES, *_numerics.__all__,
    *_spellings.__all__, "e", "pi", "inf", "nan", "newaxis", "vmap", "GradScaler", "is_inference_mode_enabled",
    "errors", "multiprocessing", "set_default_tensor_type",
})

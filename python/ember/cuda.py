"""ember.cuda: PyTorch's CUDA entry points, answering truthfully for a build without CUDA.

This build of ember has no CUDA backend (the CUDA backend is future work). As in a CPU-only
PyTorch, the queries answer (``is_available()`` is False, ``device_count()`` is 0), the calls
that only tidy up are no-ops (``empty_cache``, ``manual_seed``), and the calls that need a device
raise AssertionError with ember's one no-CUDA message.
"""
from ember import _C

__all__ = ["is_available", "device_count", "is_initialized", "current_device", "get_device_name",
           "get_device_capability", "get_device_properties", "synchronize", "init", "set_device",
           "mem_get_info", "current_stream", "initial_seed", "manual_seed", "manual_seed_all", "seed",
           "seed_all", "empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved",
           "max_memory_reserved", "get_arch_list", "is_bf16_supported"]


def is_available():
    """Whether ember can run on a CUDA device: a build with the CUDA backend that finds one.

    Returns:
        bool: False in this build, which has no CUDA backend.

    Example::

        >>> device = "cuda" if ember.cuda.is_available() else "cpu"
    """
    return _C._cuda_is_built()


def device_count():
    """The number of CUDA devices ember can use: 0 without a CUDA backend.

    Example::

        >>> ember.cuda.device_count()
        0
    """
    return 0


def is_initialized():
    """Whether ember's CUDA state is initialized: never in this build.

    Example::

        >>> ember.cuda.is_initialized()
        False
    """
    return False


def _stub(name, doc, body, behaviour):
    """A module function named name, running body, documented with doc and its behaviour here."""
    def call(*args, **kwargs):
        return body(name)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{doc}\n\n{behaviour}\n\nExample::\n\n    >>> if ember.cuda.is_available():\n    ...     ember.cuda.{name}()\n"
    return call


def _needs_device(name, doc):
    return _stub(name, doc, lambda n: _C._no_cuda("cuda." + n),
                 "Raises:\n    AssertionError: always in this build, which has no CUDA backend (as torch's \"Torch not\n"
                 "        compiled with CUDA enabled\").")


current_device = _needs_device("current_device", "The index of the current CUDA device.")
get_device_name = _needs_device("get_device_name", "The name of a CUDA device.")
get_device_capability = _needs_device("get_device_capability", "A CUDA device's compute capability (major, minor).")
get_device_properties = _needs_device("get_device_properties", "A CUDA device's properties.")
synchronize = _needs_device("synchronize", "Waits for the work queued on a CUDA device.")
init = _needs_device("init", "Initializes ember's CUDA state.")
set_device = _needs_device("set_device", "Selects the current CUDA device.")
mem_get_info = _needs_device("mem_get_info", "A CUDA device's free and total memory in bytes.")
current_stream = _needs_device("current_stream", "The current CUDA stream of a device.")
initial_seed = _needs_device("initial_seed", "The seed of the current CUDA device's generator.")


def _no_op(name, doc, result=None):
    return _stub(name, doc, lambda n: result,
                 f"Without a CUDA backend there is nothing to do, as in a CPU-only PyTorch: returns {result!r}.")


manual_seed = _no_op("manual_seed", "Seeds the current CUDA device's generator (ember.manual_seed seeds the CPU's).")
manual_seed_all = _no_op("manual_seed_all", "Seeds every CUDA device's generator.")
seed = _no_op("seed", "Seeds the current CUDA device's generator from the OS.")
seed_all = _no_op("seed_all", "Seeds every CUDA device's generator from the OS.")
empty_cache = _no_op("empty_cache", "Releases the cached CUDA memory of the allocator.")
memory_allocated = _no_op("memory_allocated", "Bytes of CUDA memory held by tensors.", 0)
max_memory_allocated = _no_op("max_memory_allocated", "The peak of memory_allocated.", 0)
memory_reserved = _no_op("memory_reserved", "Bytes of CUDA memory the allocator holds.", 0)
max_memory_reserved = _no_op("max_memory_reserved", "The peak of memory_reserved.", 0)
is_bf16_supported = _no_op("is_bf16_supported", "Whether the current CUDA device computes in bfloat16.", False)


def get_arch_list():
    """The CUDA architectures this build was compiled for: none.

    Example::

        >>> ember.cuda.get_arch_list()
        []
    """
    return []

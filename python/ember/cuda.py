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
           "max_memory_reserved", "get_arch_list", "is_bf16_supported", "reset_peak_memory_stats",
           "reset_max_memory_allocated", "memory_cached", "max_memory_cached", "memory_stats", "get_rng_state_all",
           "set_rng_state_all", "get_rng_state", "set_rng_state", "ipc_collect", "Event", "Stream",
           "FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor", "IntTensor", "ShortTensor",
           "CharTensor", "ByteTensor", "BoolTensor"]


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
get_rng_state = _needs_device("get_rng_state", "The state of a CUDA device's generator.")
set_rng_state = _needs_device("set_rng_state", "Sets the state of a CUDA device's generator.")
ipc_collect = _needs_device("ipc_collect", "Frees CUDA memory that other processes no longer use.")


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
reset_peak_memory_stats = _no_op("reset_peak_memory_stats", "Resets the peaks of the CUDA memory statistics.")
reset_max_memory_allocated = _no_op("reset_max_memory_allocated", "Resets the peak of memory_allocated.")
memory_cached = _no_op("memory_cached", "The deprecated name of memory_reserved.", 0)
max_memory_cached = _no_op("max_memory_cached", "The deprecated name of max_memory_reserved.", 0)
get_rng_state_all = _no_op("get_rng_state_all", "The states of every CUDA device's generator: none.", [])
set_rng_state_all = _no_op("set_rng_state_all", "Sets the states of every CUDA device's generator: none to set.")


def memory_stats(device=None):
    """The CUDA allocator's statistics: none without a CUDA backend, as in a CPU-only PyTorch.

    Args:
        device (int or ember.device, optional): the device.

    Returns:
        collections.OrderedDict: empty.

    Example::

        >>> ember.cuda.memory_stats()
        OrderedDict()
    """
    import collections

    return collections.OrderedDict()


class _Unavailable:
    """A CUDA class that cannot be made in this build."""

    def __new__(cls, *args, **kwargs):
        raise RuntimeError(f"ember.cuda.{cls.__name__} requires CUDA support (this build of ember has no CUDA "
                           "backend)")


class Event(_Unavailable):
    """A CUDA event (for timing and synchronizing streams): raises RuntimeError in this build,
    which has no CUDA backend, as torch's CPU build does.

    Args:
        enable_timing (bool): record times.
        blocking (bool): wait by blocking.
        interprocess (bool): shareable between processes.

    Example::

        >>> if ember.cuda.is_available():
        ...     start = ember.cuda.Event(enable_timing=True)
    """


class Stream(_Unavailable):
    """A CUDA stream: raises RuntimeError in this build, which has no CUDA backend.

    Args:
        device (int or ember.device, optional): the device.
        priority (int): the stream's priority.

    Example::

        >>> if ember.cuda.is_available():
        ...     s = ember.cuda.Stream()
    """


class _LegacyCudaType(type):
    def __instancecheck__(cls, obj):
        return False  # no tensor lives on a CUDA device here


def _legacy_cuda_type(name):
    def new(cls, *args, **kwargs):
        raise TypeError(f"type ember.cuda.{name} not available: this build of ember has no CUDA backend")

    doc = f"""torch.cuda.{name}, the legacy constructor of CUDA tensors: raises TypeError in this build,
which has no CUDA backend (``isinstance(x, ember.cuda.{name})`` is False for every tensor).

Args:
    *args: sizes or data, as ember.{name}'s.

Example::

    >>> dtype = ember.cuda.{name} if ember.cuda.is_available() else ember.{name}
"""
    return _LegacyCudaType(name, (), {"__new__": new, "__doc__": doc, "__module__": "ember.cuda"})


FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor, \
    BoolTensor = (_legacy_cuda_type(n) for n in ("FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor",
                                                 "LongTensor", "IntTensor", "ShortTensor", "CharTensor", "ByteTensor",
                                                 "BoolTensor"))


def get_arch_list():
    """The CUDA architectures this build was compiled for: none.

    Example::

        >>> ember.cuda.get_arch_list()
        []
    """
    return []

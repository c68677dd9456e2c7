"""torch's top-level names that PyTorch programs reach for and that are plain Python over ember's
ops: the layout objects, asarray, scalar_tensor, range, the window functions, dtype queries
(can_cast, is_signed, is_same_size), and the process-wide switches (interop threads, warn-always,
anomaly mode)."""

import math
import numbers
import operator
import warnings

import ember
from ember import _C, errors


class layout:  # noqa: N801  (torch.layout's name)
    """How a tensor's elements are laid out in memory, as torch.layout. ember's tensors are all
    ``ember.strided`` (dense, with strides); it has no sparse layouts.

    Args:
        name (str): the layout's name.

    Example::

        >>> ember.ones(2).layout
        ember.strided
    """

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"ember.{self._name}"

    def __reduce__(self):
        return self._name  # pickled as the module's global of that name


strided = layout("strided")


class memory_format:  # noqa: N801  (torch.memory_format's name)
    """The order in which a tensor's elements are stored, as torch.memory_format: ember.contiguous_format
    (row-major), ember.channels_last (4-d (N, C, H, W) stored as (N, H, W, C)), ember.channels_last_3d
    (its 5-d form) and ember.preserve_format (keep the input's, for clone and to). Taken by
    ``contiguous``, ``is_contiguous``, ``clone``, ``to`` and ``Module.to``; ember's ops compute on any
    layout.

    Args:
        name (str): the format's name.

    Example::

        >>> x = ember.ones(2, 3, 4, 5).contiguous(memory_format=ember.channels_last)
        >>> x.stride(), x.is_contiguous(memory_format=ember.channels_last)
        ((60, 1, 15, 3), True)
    """

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"ember.{self._name}"

    def __reduce__(self):
        return self._name


contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")


def _tensor_layout(self):
    """The tensor's memory layout: always ``ember.strided``."""
    return strided


def _tensor_is_sparse(self):
    """Whether the tensor is sparse: never (ember's tensors are strided)."""
    return False


def _is_pinned(self, device=None):
    """Whether the tensor's memory is page-locked for a GPU's transfers: never without CUDA.

    Example::

        >>> ember.ones(2).is_pinned()
        False
    """
    if isinstance(device, str):
        if not device:
            raise errors.ValueError("is_pinned: Device string must not be empty")
        ember.device(device)  # a string that names no device raises, as torch's
    elif isinstance(device, int) and not isinstance(device, bool):
        if device < 0:
            raise RuntimeError("is_pinned: Device index must not be negative")
        raise RuntimeError("Cannot access accelerator device when none is available.")
    elif device is not None and not isinstance(device, ember.device):
        raise TypeError(f"is_pinned(): argument 'device' (position 1) must be ember.device, "
                        f"not {type(device).__name__}")
    return False


def _pin_memory(self, device=None):
    """Page-locks the tensor's memory for GPU transfers: raises RuntimeError without an
    accelerator, as torch's CPU build does."""
    raise RuntimeError("Cannot access accelerator device when none is available.")


def _is_inference(self):
    """Whether the tensor is an inference tensor: never (ember's inference_mode is no_grad's)."""
    return False


def install(tensor_cls):
    """Adds the Tensor attributes above."""
    tensor_cls.layout = property(_tensor_layout)
    tensor_cls.is_sparse = property(_tensor_is_sparse)
    tensor_cls.is_pinned = _is_pinned
    tensor_cls.pin_memory = _pin_memory
    tensor_cls.is_inference = _is_inference


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """``obj`` as a tensor, sharing its memory where it can, as torch.asarray: a tensor of the
    requested dtype is returned as it is, a NumPy array (or any buffer) of a dtype ember has
    shares its memory, other data (sequences, numbers) is copied.

    Args:
        obj: a tensor, NumPy array, object with the buffer protocol or DLPack, sequence or number.
        dtype (ember.dtype, optional): the result's dtype (default: the data's; Python floats give
            the default dtype).
        device (str or ember.device, optional): "cpu".
        copy (bool, optional): True always copies; False raises if a copy is needed; None copies
            only when needed.
        requires_grad (bool): whether the result requires grad.

    Returns:
        Tensor

    Raises:
        ValueError: ``copy=False`` and the data cannot be shared.

    Example::

        >>> import numpy as np
        >>> a = np.zeros(3)
        >>> t = ember.asarray(a)
        >>> t[0] = 1; a[0]
        np.float64(1.0)
    """
    _C._check_device(device, "asarray")
    result = obj if isinstance(obj, ember.Tensor) else _shared_view(obj, dtype)
    if result is None:
        if copy is False:
            raise ValueError(f"asarray: can't share memory with a {type(obj).__name__} (copy=False)")
        if obj is None:
            raise TypeError("asarray: expected data (a tensor, array, buffer, sequence or number), got None")
        result, copy = ember.tensor(obj, dtype=dtype), False
    if dtype is not None and result.dtype != dtype:
        if copy is False:
            raise ValueError(f"asarray: converting {result.dtype} to {dtype} needs a copy (copy=False)")
        result, copy = result.to(dtype), False
    if copy:
        result = result.clone()
    return result.requires_grad_() if requires_grad else result


def _shared_view(obj, dtype):
    """A tensor over obj's memory (a NumPy array, a DLPack producer, or any other buffer, read as
    `dtype`, as torch.frombuffer), or None."""
    import numpy as np

    try:
        if isinstance(obj, np.ndarray):
            return ember.from_numpy(obj)
        if hasattr(obj, "__dlpack__"):
            return ember.from_dlpack(obj)
    except (TypeError, ValueError, BufferError):
        return None
    try:
        memoryview(obj)
    except TypeError:
        return None
    return ember.frombuffer(obj, dtype=dtype or ember.get_default_dtype())


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    """A 0-d tensor holding the number ``s``, of the default floating dtype unless ``dtype`` says
    otherwise (an int gives a float tensor), as torch.scalar_tensor.

    Args:
        s (Number): the value.
        dtype (ember.dtype, optional): the dtype (default: ember.get_default_dtype()).
        device (str or ember.device, optional): "cpu".
        requires_grad (bool): whether it requires grad.

    Returns:
        Tensor

    Example::

        >>> ember.scalar_tensor(3)
        tensor(3.)
    """
    _C._check_device(device, "scalar_tensor")
    dtype = ember.get_default_dtype() if dtype is None else dtype
    if isinstance(s, ember.Tensor):  # a 0-d tensor stands for its number, as torch's Scalar
        if s.dim() != 0:
            raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not a {s.dim()}-d Tensor")
        s = s.item()
    if not isinstance(s, numbers.Number):
        raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not {type(s).__name__}")
    # torch checks that a float fits float32; 16-bit floats take it as inf (their fill is unchecked)
    if dtype == ember.float32 and isinstance(s, float) and math.isfinite(s) and abs(s) > ember.finfo(dtype).max:
        raise RuntimeError(f"scalar_tensor: value {s} cannot be converted to type {dtype} without overflow")
    return ember.tensor(s, dtype=dtype, requires_grad=requires_grad)


def range(start, end, step=1, *, dtype=None, device=None, requires_grad=False):  # noqa: A001
    """The values start, start + step, ... up to and including ``end``, as the deprecated
    torch.range (it warns, as torch's; use :func:`ember.arange`, which excludes end).

    Args:
        start (Number): the first value.
        end (Number): the last value (included when the steps reach it).
        step (Number): the step. Default: 1.
        dtype (ember.dtype, optional): the dtype (default: the default floating dtype, even for
            ints, as torch's).
        device (str or ember.device, optional): "cpu".
        requires_grad (bool): whether the result requires grad.

    Returns:
        Tensor: 1-d, ``int((end - start) / step + 1)`` values (torch's count).

    Raises:
        ValueError: a zero step, or one that moves away from end.

    Example::

        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     ember.range(1, 4)
        tensor([1., 2., 3., 4.])
    """
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).", UserWarning, stacklevel=2)
    _C._check_device(device, "range")
    _check_kinds("range", requires_grad=(requires_grad, bool))
    dtype = ember.get_default_dtype() if dtype is None else dtype
    if not isinstance(dtype, ember.dtype):
        raise TypeError(f"range(): argument 'dtype' must be ember.dtype, not {type(dtype).__name__}")
    bounds = (start, end, step)
    if any(not isinstance(v, (int, float)) or isinstance(v, bool) for v in bounds):
        raise TypeError(f"range: start, end and step must be numbers, got {tuple(type(v).__name__ for v in bounds)}")
    if dtype == ember.bool:
        raise NotImplementedError("range: not implemented for dtype ember.bool")
    if not all(math.isfinite(v) for v in bounds):
        raise errors.ValueError(f"range: unsupported range: {start} -> {end} (step {step})")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise errors.ValueError("range: upper bound and lower bound inconsistent with step sign")
    if not dtype.is_floating_point:  # as torch's: the bounds in the integer type, truncated
        start, end, step = (int(v) for v in bounds)
        if not all(-2 ** 63 <= v < 2 ** 63 for v in (start, end, step)):
            raise RuntimeError("range: value cannot be converted to type int64_t without overflow")
    if step == 0:
        raise errors.ValueError("range: step must be nonzero")
    if all(isinstance(v, int) for v in (start, end, step)):
        n = (end - start) // step + 1  # exact
    else:  # torch's count in double: the + 1 before truncating (a quotient a hair below 4 counts 5)
        n = (end - start) / step + 1
    if not n < 2 ** 63:  # inf too
        raise RuntimeError(f"range: the number of elements from {start} to {end} by {step} cannot be represented")
    n = int(n)
    work = ember.float64 if dtype.is_floating_point else ember.int64
    values = ember.arange(n, dtype=work) * step + start
    return values.to(dtype).requires_grad_(requires_grad)


# ---- window functions (signal processing: torch.stft's windows) -------------------------------

def _check_kinds(op, **arguments):
    """TypeError for an argument not of its kind, as torch's argument parser: name=(value, kinds)."""
    for name, (value, kinds) in arguments.items():
        if not isinstance(value, kinds):
            raise TypeError(f"{op}(): argument '{name}' must be {getattr(kinds, '__name__', kinds)}, not "
                            f"{type(value).__name__}")


def _window(name, window_length, periodic, dtype, device, requires_grad, formula):
    _C._check_device(device, name)
    if isinstance(window_length, bool) or not hasattr(window_length, "__index__"):
        raise TypeError(f"{name}: window_length must be an int, got {type(window_length).__name__}")
    window_length = operator.index(window_length)  # an int, or a 0-d integer tensor
    # torch's parser takes None for the windows' requires_grad (as False), not for periodic
    _check_kinds(name, periodic=(periodic, bool), requires_grad=(requires_grad, (bool, type(None))),
                 dtype=(dtype, (ember.dtype, type(None))))
    requires_grad = bool(requires_grad)
    if window_length < 0:
        raise errors.ValueError(f"{name}: window_length must be non-negative, got {window_length}")
    dtype = dtype or ember.get_default_dtype()
    if not dtype.is_floating_point:
        raise TypeError(f"{name}: expected a floating point dtype, got {dtype}")
    if window_length <= 1:
        return ember.ones(window_length, dtype=dtype, requires_grad=requires_grad)
    n = window_length + 1 if periodic else window_length
    # in the result's dtype, in torch's order of operations, so that the roundings agree
    values = formula(ember.arange(n, dtype=dtype), n)
    return values[:window_length].requires_grad_(requires_grad)


def _rounded(k, value):
    """A Python number as k's dtype holds it: torch's window kernels round their constants so."""
    return ember.tensor(value, dtype=k.dtype).item()


def _hamming(alpha, beta):
    return lambda k, n: (k * _rounded(k, 2 * math.pi / (n - 1))).cos() * _rounded(k, -beta) + _rounded(k, alpha)


_WINDOW_ARGS = """Args:
        window_length (int): the window's size (N = window_length + 1 when periodic, the last
            value dropped: the periodic window of spectral analysis; else N = window_length).
        periodic (bool): periodic (True, the default) or symmetric.{extra}
        dtype (ember.dtype, optional): a floating dtype (default: the default dtype).
        device (str or ember.device, optional): "cpu".
        requires_grad (bool): whether the result requires grad.

    Returns:
        Tensor: 1-d of ``window_length`` values, computed in ``dtype`` as torch's are.

    """


def _window_args(extra=""):
    """Puts the Args and Returns the window functions share before their docstring's Example."""
    def decorate(fn):
        fn.__doc__ = fn.__doc__.replace("Example::", _WINDOW_ARGS.format(extra=extra) + "Example::", 1)
        return fn
    return decorate


@_window_args()
def hann_window(window_length, periodic=True, *, dtype=None, device=None, requires_grad=False):
    r"""The Hann window :math:`w[k] = 0.5 - 0.5 \cos(2\pi k / (N - 1))`, as torch.hann_window.

    Example::

        >>> ember.hann_window(4)
        tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad, _hamming(0.5, 0.5))


@_window_args("\n        alpha (float): :math:`\\alpha`. Default: 0.54.\n        beta (float): :math:`\\beta`. Default: 0.46.")
def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, device=None,
                   requires_grad=False):
    r"""The Hamming window :math:`w[k] = \alpha - \beta \cos(2\pi k / (N - 1))`, as torch.hamming_window.

    Example::

        >>> ember.hamming_window(4)
        tensor([0.0800, 0.5400, 1.0000, 0.5400])
    """
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad, _hamming(alpha, beta))


@_window_args()
def blackman_window(window_length, periodic=True, *, dtype=None, device=None, requires_grad=False):
    r"""The Blackman window :math:`0.42 - 0.5 \cos(2\pi k / (N - 1)) + 0.08 \cos(4\pi k / (N - 1))`,
    as torch.blackman_window.

    Example::

        >>> ember.blackman_window(4, periodic=False)
        tensor([-2.9802e-08,  6.3000e-01,  6.3000e-01, -2.9802e-08])
    """
    def formula(k, n):
        w = k * _rounded(k, math.pi / (n - 1))
        return (w * 4).cos() * _rounded(k, 0.08) - (w * 2).cos() * 0.5 + _rounded(k, 0.42)
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad, formula)


@_window_args()
def bartlett_window(window_length, periodic=True, *, dtype=None, device=None, requires_grad=False):
    r"""The Bartlett (triangular) window :math:`1 - |2k / (N - 1) - 1|`, as torch.bartlett_window.

    Example::

        >>> ember.bartlett_window(4)
        tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    def formula(k, n):
        w = k * _rounded(k, 2 / (n - 1))
        half = (n - 1) // 2 + 1  # the rising half as computed; the falling one is 2 - w
        return ember.cat([w[:half], 2 - w[half:]])
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad, formula)


@_window_args("\n        beta (float): the shape parameter :math:`\\beta`. Default: 12.0.")
def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, device=None, requires_grad=False):
    r"""The Kaiser window :math:`I_0(\beta \sqrt{1 - (2k / (N - 1) - 1)^2}) / I_0(\beta)`, as
    torch.kaiser_window.

    Example::

        >>> ember.kaiser_window(3, periodic=False, beta=1.0)
        tensor([0.7898, 1.0000, 0.7898])
    """
    def formula(k, n):
        # torch's kernel computes each value in float32 for the 16-bit dtypes and rounds once
        work = k.float() if k.dtype in (ember.float16, ember.bfloat16) else k
        middle = (n - 1) / 2
        x = (work - middle) / middle
        values = ember.i0((1 - x * x).abs().sqrt() * beta) / ember.i0(ember.tensor(float(beta), dtype=work.dtype))
        return values.to(k.dtype)
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad, formula)


# ---- dtype and shape queries ------------------------------------------------------------------

_KIND = {"bool": 0, "uint8": 1, "int8": 1, "int16": 1, "int32": 1, "int64": 1,
         "float16": 2, "bfloat16": 2, "float32": 2, "float64": 2}


def can_cast(from_, to):
    """Whether torch's casting rules allow ``from_`` to become ``to`` in an op's out= or an
    in-place op: never to a lower kind (float to integer, integer to bool).

    Args:
        from_ (ember.dtype): the source dtype.
        to (ember.dtype): the target dtype.

    Returns:
        bool

    Example::

        >>> ember.can_cast(ember.float64, ember.int32), ember.can_cast(ember.int32, ember.float16)
        (False, True)
    """
    for d in (from_, to):
        if not isinstance(d, ember.dtype):
            raise TypeError(f"can_cast(): argument must be ember.dtype, not {type(d).__name__}")
    return _KIND[str(from_).split(".")[1]] <= _KIND[str(to).split(".")[1]]


def is_signed(input):  # noqa: A002
    """Whether the tensor's dtype is signed (every dtype but bool and uint8), as torch.is_signed.

    Args:
        input (Tensor): the tensor.

    Example::

        >>> ember.is_signed(ember.ones(1)), ember.is_signed(ember.ones(1, dtype=ember.uint8))
        (True, False)
    """
    if not isinstance(input, ember.Tensor):
        raise TypeError(f"is_signed(): argument 'input' must be Tensor, not {type(input).__name__}")
    return input.is_signed()


def is_same_size(input, other):  # noqa: A002
    """Whether two tensors have the same shape, as torch.is_same_size.

    Args:
        input (Tensor): one tensor.
        other (Tensor): the other.

    Example::

        >>> ember.is_same_size(ember.ones(2, 3), ember.zeros(2, 3))
        True
    """
    if not isinstance(input, ember.Tensor) or not isinstance(other, ember.Tensor):
        raise TypeError("is_same_size(): expected two tensors")
    return input.shape == other.shape


# ---- process-wide switches ----------------------------------------------------------------------

_SWITCHES = {"warn_always": False, "interop_threads": 1}


def get_num_interop_threads():
    """The threads that run independent ops at once: 1 (ember runs ops one after another; each
    op uses the intra-op threads of :func:`ember.get_num_threads`).

    Example::

        >>> ember.get_num_interop_threads()
        1
    """
    return _SWITCHES["interop_threads"]


def set_num_interop_threads(num):
    """Accepted for torch's API: ember has no inter-op pool, so the count stays 1 and only the
    argument is checked.

    Args:
        num (int): a positive thread count.

    Raises:
        ValueError: num is not a positive int.

    Example::

        >>> ember.set_num_interop_threads(1)
    """
    if not isinstance(num, int) or isinstance(num, bool) or num < 1:
        raise errors.ValueError(f"set_num_interop_threads: expected a positive int, got {num!r}")


def set_warn_always(b):
    """Makes warnings that torch gives once per process come every time (ember gives its
    warnings through Python's warnings module, whose filters decide).

    Args:
        b (bool): the flag.

    Example::

        >>> ember.set_warn_always(False); ember.is_warn_always_enabled()
        False
    """
    if not isinstance(b, bool):
        raise TypeError(f"set_warn_always: expected a bool, got {type(b).__name__}")
    _SWITCHES["warn_always"] = b


def is_warn_always_enabled():
    """The flag :func:`set_warn_always` sets.

    Example::

        >>> ember.is_warn_always_enabled()
        False
    """
    return _SWITCHES["warn_always"]


def is_anomaly_enabled():
    """Whether anomaly detection is on (:class:`ember.autograd.detect_anomaly`).

    Example::

        >>> ember.is_anomaly_enabled()
        False
    """
    return _C._autograd.is_anomaly_enabled()


def is_anomaly_check_nan_enabled():
    """Whether anomaly detection checks backward results for NaN: always, when it is on.

    Example::

        >>> ember.is_anomaly_check_nan_enabled()
        True
    """
    return True


def set_anomaly_enabled(enabled, check_nan=True):
    """Turns anomaly detection on or off, as torch.set_anomaly_enabled
    (:class:`ember.autograd.set_detect_anomaly` is the context manager).

    Args:
        enabled (bool): on or off.
        check_nan (bool): check backward results for NaN; ember always does when on.

    Example::

        >>> ember.set_anomaly_enabled(False)
    """
    _C._autograd.set_anomaly_enabled(bool(enabled))


__all__ = ["asarray", "bartlett_window", "blackman_window", "can_cast", "channels_last", "channels_last_3d",
           "contiguous_format", "memory_format", "preserve_format", "get_num_interop_threads", "hamming_window",
           "hann_window", "is_anomaly_check_nan_enabled", "is_anomaly_enabled", "is_same_size", "is_signed",
           "is_warn_always_enabled", "kaiser_window", "layout", "range", "scalar_tensor", "set_anomaly_enabled",
           "set_num_interop_threads", "set_warn_always", "strided"]

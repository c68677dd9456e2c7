"""PyTorch's legacy spellings that tutorials still use: the typed tensor classes
(ember.FloatTensor, ...), ember.autograd.Variable, and the default device."""
import warnings

from ember import _C

_Tensor = _C.Tensor


class _LegacyTensorType(type):
    """isinstance(x, ember.FloatTensor) is True for a float32 tensor, as torch's."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, _Tensor) and obj.dtype == cls.dtype


_NO_DEVICE = object()  # torch refuses a tensor with any device= argument, None included


def _legacy_new(cls, *args, device=_NO_DEVICE):
    return _construct(cls.__name__, cls.dtype, args, device)


def tensor_new(self, *args, device=_NO_DEVICE):
    """The legacy constructor of the tensor's dtype, as torch's ``Tensor.new``: ``x.new(2, 3)`` is
    uninitialized of x's dtype, ``x.new([1, 2])`` copies the data into x's dtype, ``x.new()`` is
    empty (prefer ``new_empty``, ``new_tensor``, ...).

    Args:
        *args: sizes (ints), one sequence of data, or a tensor of the same dtype.
        device (str or ember.device, optional): "cpu".

    Returns:
        Tensor

    Example::

        >>> ember.zeros(2, dtype=ember.int64).new([1.7, 2])
        tensor([1, 2])
    """
    return _construct("new", self.dtype, args, device)


def _construct(name, dtype, args, device):
    """A legacy constructor's result: `name` for the messages, `dtype` the result's."""
    if len(args) == 1 and isinstance(args[0], _Tensor) and device is not _NO_DEVICE:
        form = "new of the form tensor.new" if name == "new" else "constructor of the form ember.Tensor"
        raise RuntimeError(f"Legacy tensor {form}(tensor, device=device) is not supported. "
                                  "Use ember.as_tensor(...) instead.")
    _C._check_device(None if device is _NO_DEVICE else device, name)
    if not args:
        return _C.empty(0, dtype=dtype)
    if len(args) == 1 and isinstance(args[0], _Tensor):
        if args[0].dtype != dtype:
            raise TypeError(f"{name}: expected a tensor of dtype {dtype}, got {args[0].dtype}")
        return args[0]
    from ember.size import Size

    if len(args) > 1:  # a 0-d integer tensor among the sizes is an int, as torch's parser reads it
        args = tuple(a.item() if isinstance(a, _Tensor) and a.dim() == 0 and isinstance(a.item(), int)
                     and not isinstance(a.item(), bool) else a for a in args)
    if all(isinstance(a, int) and not isinstance(a, bool) for a in args) or (len(args) == 1 and isinstance(args[0], Size)):
        sizes = list(args[0]) if isinstance(args[0], Size) else list(args)
        if any(not -2 ** 63 <= a < 2 ** 63 for a in sizes):
            raise TypeError(f"{name}(): argument 'size' failed to unpack: a size does not fit in int64: {sizes}")
        if any(a < 0 for a in sizes):
            raise RuntimeError(f"{name}: trying to create tensor with negative dimension: {list(args)}")
        return _C.empty(*args, dtype=dtype)  # sizes (a tuple or list is data, as torch's)
    if len(args) == 1:
        if args[0] is None or isinstance(args[0], (str, bytes, float, bool)):
            raise TypeError(f"{name}: data must be a sequence (got {type(args[0]).__name__})")
        return _C.tensor(args[0], dtype=dtype)
    raise TypeError(f"{name}: expected sizes (ints), one sequence of data or a tensor, got "
                    f"({', '.join(type(a).__name__ for a in args)})")


def _legacy_type(name, dtype):
    doc = f"""{name}(*sizes) or {name}(data): the legacy constructor of {dtype} tensors, as torch.{name}.

Returns an ember.Tensor of dtype {dtype}: uninitialized of the given sizes, a copy of a sequence
of numbers, or the tensor itself when given one of that dtype. ``isinstance(x, ember.{name})``
tells whether x is a {dtype} tensor.

Args:
    *sizes (int): the sizes of a new uninitialized tensor; or
    data (sequence or Tensor): the values to copy (a {dtype} tensor is returned as it is).
    device (str or ember.device, optional): ``"cpu"``, the only device of this build.

Returns:
    Tensor: a tensor of dtype {dtype}.

Example::

    >>> ember.{name}([1, 2]).dtype
    {dtype}
    >>> ember.{name}(2, 3).shape
    ember.Size([2, 3])
"""
    return _LegacyTensorType(name, (), {"dtype": dtype, "is_cuda": False, "__new__": _legacy_new, "__doc__": doc,
                                        "__module__": "ember"})


FloatTensor = _legacy_type("FloatTensor", _C.dtype.float32)
DoubleTensor = _legacy_type("DoubleTensor", _C.dtype.float64)
HalfTensor = _legacy_type("HalfTensor", _C.dtype.float16)
BFloat16Tensor = _legacy_type("BFloat16Tensor", _C.dtype.bfloat16)
LongTensor = _legacy_type("LongTensor", _C.dtype.int64)
IntTensor = _legacy_type("IntTensor", _C.dtype.int32)
ShortTensor = _legacy_type("ShortTensor", _C.dtype.int16)
CharTensor = _legacy_type("CharTensor", _C.dtype.int8)
ByteTensor = _legacy_type("ByteTensor", _C.dtype.uint8)
BoolTensor = _legacy_type("BoolTensor", _C.dtype.bool)
LEGACY_TYPES = ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor", "IntTensor",
                "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, _Tensor)


class Variable(metaclass=_VariableMeta):
    """Variable(data, requires_grad=False, volatile=False): PyTorch's deprecated wrapper, kept for
    old code. Tensors are Variables now: it returns data itself (a tensor), with requires_grad set
    when asked, and ``isinstance(t, Variable)`` is True for every tensor.

    Args:
        data (Tensor, optional): the tensor. Default: an empty float tensor.
        requires_grad (bool, optional): set data.requires_grad. Default: False.
        volatile (bool, optional): removed in PyTorch (warns, no effect); use ember.no_grad().

    Returns:
        Tensor: data.

    Example::

        >>> x = ember.autograd.Variable(ember.ones(2), requires_grad=True)
        >>> x.requires_grad
        True
    """

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with ember.no_grad():` instead.",
                          UserWarning, stacklevel=2)
        if data is None:
            data = _C.empty(0)
        if not isinstance(data, _Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if requires_grad:
            data.requires_grad_(True)
        return data


def set_default_tensor_type(t):
    """Sets the default floating dtype from a legacy tensor type, as the deprecated
    torch.set_default_tensor_type (it warns, as torch's): ``ember.DoubleTensor`` (or the string
    ``"torch.DoubleTensor"``) makes float64 the default.

    Args:
        t (type or str): FloatTensor, DoubleTensor, HalfTensor or BFloat16Tensor, or its name.

    Raises:
        TypeError: not a floating legacy type (a CUDA type: this build has no CUDA).

    Example::

        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     ember.set_default_tensor_type(ember.DoubleTensor)
        ...     d = ember.ones(1).dtype
        ...     ember.set_default_tensor_type("torch.FloatTensor")
        >>> d
        ember.float64
    """
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.", UserWarning,
                  stacklevel=2)
    if not isinstance(t, (str, type)):
        raise TypeError(f"invalid type object: only floating-point types are supported as the default type, got "
                        f"{type(t).__name__}")
    if isinstance(t, str):
        module, _, name = t.rpartition(".")
        if module in ("torch.cuda", "ember.cuda"):
            raise TypeError(f"type {t} not available. ember has no CUDA backend in this build")
        t = globals().get(name) if module in ("torch", "ember") else None
        if t is None:
            raise TypeError(f"invalid type: '{module}.{name}'")
    if not isinstance(t, _LegacyTensorType):
        raise TypeError(f"invalid type object: only floating-point types are supported as the default type, got {t!r}")
    if not t.dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _C.set_default_dtype(t.dtype)


def set_default_device(device):
    """Sets the device that creation ops use when they name none, as torch.set_default_device.
    This build has one device, the CPU: "cpu", "cpu:0", ember.device("cpu") and None are accepted;
    a CUDA device raises AssertionError (this build has no CUDA backend).

    Args:
        device (str or ember.device or None): the device.

    Example::

        >>> ember.set_default_device("cpu")
        >>> ember.get_default_device()
        device(type='cpu')
    """
    _C._check_device(device, "set_default_device")


def get_default_device():
    """The device creation ops use when they name none: the CPU in this build.

    Example::

        >>> ember.get_default_device()
        device(type='cpu')
    """
    return _C.device("cpu")


def tensor_format(self, format_spec):
    """format(t, spec) and f-strings, as torch's: a 0-d tensor formats its value (f"{loss:.4f}");
    other tensors accept only the empty spec (their repr) and raise TypeError for any other."""
    if self.dim() == 0:
        return self.item().__format__(format_spec)
    if format_spec:
        raise TypeError("unsupported format string passed to Tensor.__format__")
    return str(self)

"""ember.testing, as torch.testing: ``assert_close`` (tensors, NumPy arrays, numbers and nested
sequences or mappings of them, compared with dtype-aware default tolerances and torch's messages)
and ``make_tensor`` (random tensors for tests)."""
import collections.abc
import math
import numbers

import numpy as np

import ember
from ember._C import Tensor, dtype as _dtype

__all__ = ["assert_allclose", "assert_close", "make_tensor"]

# (rtol, atol) by dtype, as torch.testing's; other dtypes compare exactly.
_PRECISIONS = {_dtype.float16: (0.001, 1e-5), _dtype.bfloat16: (0.016, 1e-5), _dtype.float32: (1.3e-6, 1e-5),
               _dtype.float64: (1e-7, 1e-7)}
# the deprecated assert_allclose's, looser
_ALLCLOSE_PRECISIONS = {_dtype.float16: (1e-3, 1e-3), _dtype.float32: (1e-4, 1e-5), _dtype.float64: (1e-5, 1e-8)}


class _Mismatch(AssertionError):
    """A difference found, with where it was found (the item path, for nested inputs)."""

    def __init__(self, message, path=()):
        super().__init__(message)
        self.message, self.path = message, path


def _tolerances(dtypes, rtol, atol):
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                         f"{'rtol' if rtol is None else 'atol'}.")
    if rtol is not None:
        return rtol, atol
    pairs = [_PRECISIONS.get(d, (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _mismatch_message(identifier, equality, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol):
    def line(kind, diff, idx, tol):
        text = (f"{kind.title()} difference: {diff}" if idx is None
                else f"Greatest {kind} difference: {diff} at index {idx}")
        return text + ("" if equality else f" (up to {tol} allowed)") + "\n"
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    msg += line("absolute", abs_diff, abs_idx, atol) + line("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _compare_numbers(actual, expected, rtol, atol, equal_nan, check_dtype):
    if check_dtype and type(actual) is not type(expected):
        raise _Mismatch(f"The (d)types do not match: {type(actual)} != {type(expected)}.")
    floating = isinstance(actual, float) or isinstance(expected, float)
    rtol, atol = _tolerances([ember.float64 if floating else ember.int64], rtol, atol)
    if actual == expected or (equal_nan and isinstance(actual, float) and isinstance(expected, float)
                              and math.isnan(actual) and math.isnan(expected)):
        return
    if abs(actual - expected) <= atol + rtol * abs(expected):
        return
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    raise _Mismatch(_mismatch_message("Scalars", rtol == 0 and atol == 0, f"Expected {expected} but got {actual}.",
                                      abs_diff, None, atol, rel_diff, None, rtol))


def _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype, check_stride):
    if actual.shape != expected.shape:
        raise _Mismatch(f"The values for attribute 'shape' do not match: {actual.shape} != {expected.shape}.")
    if check_dtype and actual.dtype != expected.dtype:
        raise _Mismatch(f"The values for attribute 'dtype' do not match: {actual.dtype} != {expected.dtype}.")
    if check_stride and actual.stride() != expected.stride():
        raise _Mismatch(f"The values for attribute 'stride()' do not match: {actual.stride()} != {expected.stride()}.")
    rtol, atol = _tolerances([actual.dtype, expected.dtype], rtol, atol)
    actual, expected = actual.detach(), expected.detach()
    if actual.dtype != expected.dtype:
        common = ember.promote_types(actual.dtype, expected.dtype)
        actual, expected = actual.to(common), expected.to(common)
    matches = ember.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if bool(matches.all()):
        return
    equality = rtol == 0 and atol == 0
    if actual.dim() == 0:
        _compare_numbers(actual.item(), expected.item(), rtol, atol, equal_nan, False)
        return
    total = matches.numel()
    mismatches = total - int(matches.sum())
    extra = f"Mismatched elements: {mismatches} / {total} ({mismatches / total:.1%})"
    a, e, m = actual.flatten(), expected.flatten(), matches.flatten()
    if not actual.dtype.is_floating_point:  # integers and bools: differences in int64
        a, e = a.to(ember.int64), e.to(ember.int64)
    abs_diff = (a - e).abs()
    abs_diff[m] = 0
    max_abs, abs_at = ember.max(abs_diff, 0)
    rel_diff = abs_diff / e.abs()
    rel_diff[m] = 0
    max_rel, rel_at = ember.max(rel_diff, 0)

    def index(flat):
        return tuple(int(i) for i in np.unravel_index(int(flat), tuple(actual.shape)))
    raise _Mismatch(_mismatch_message("Tensor-likes", equality, extra, max_abs.item(), index(abs_at), atol,
                                      max_rel.item(), index(rel_at), rtol))


def _is_number(x):
    return isinstance(x, numbers.Number) and not isinstance(x, (np.ndarray, Tensor))


def _compare(actual, expected, path, options):
    rtol, atol, equal_nan, check_dtype, check_stride, allow_subclasses = options
    if actual is None or expected is None:
        if actual is not expected:
            raise _Mismatch(f"None mismatch: {actual} is not {expected}", path)
        return
    try:
        if isinstance(actual, Tensor) and isinstance(expected, Tensor):
            if not allow_subclasses and type(actual) is not type(expected):
                raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} and "
                                f"{type(expected)}.")
            _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype, check_stride)
            return
        if isinstance(actual, np.ndarray) and isinstance(expected, np.ndarray):
            _compare_tensors(_from_numpy(actual), _from_numpy(expected), rtol, atol, equal_nan, check_dtype,
                             check_stride)
            return
        if _is_number(actual) and _is_number(expected):
            _compare_numbers(actual, expected, rtol, atol, equal_nan,
                             check_dtype or isinstance(actual, bool) != isinstance(expected, bool))
            return
    except _Mismatch as e:
        raise _Mismatch(e.message, path) from None
    if isinstance(actual, collections.abc.Sequence) and isinstance(expected, collections.abc.Sequence) and \
            not isinstance(actual, str) and not isinstance(expected, str):
        if len(actual) != len(expected):
            raise _Mismatch(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", path)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, path + (i,), options)
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        if set(actual) != set(expected):
            raise _Mismatch("The keys of the mappings do not match:\n"
                            f"Missing keys in the actual mapping: {sorted(set(expected) - set(actual))}\n"
                            f"Additional keys in the actual mapping: {sorted(set(actual) - set(expected))}", path)
        for key in expected:
            _compare(actual[key], expected[key], path + (key,), options)
        return
    raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}.")


def _from_numpy(a):
    return ember.from_numpy(np.ascontiguousarray(a))


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False, check_device=True,
                 check_dtype=True, check_layout=True, check_stride=False, msg=None):
    r"""Asserts that ``actual`` and ``expected`` are close: :math:`|a - e| \le atol + rtol \cdot |e|`
    elementwise, with the same shape and (by default) dtype. Tensors, NumPy arrays, Python numbers,
    None, and sequences or mappings of them (compared item by item) are accepted, as
    torch.testing.assert_close. Default tolerances by dtype: float16 (1e-3, 1e-5), bfloat16
    (1.6e-2, 1e-5), float32 (1.3e-6, 1e-5), float64 (1e-7, 1e-7); integers and bools compare
    exactly.

    Args:
        actual (Any): the value checked.
        expected (Any): the reference.
        allow_subclasses (bool, optional): a Parameter compares with a Tensor. Default: True.
        rtol (float, optional): relative tolerance; with ``atol``, or both left out. Default: by dtype.
        atol (float, optional): absolute tolerance. Default: by dtype.
        equal_nan (bool, optional): NaN equals NaN. Default: False.
        check_device (bool, optional): accepted for torch's signature (one device here). Default: True.
        check_dtype (bool, optional): the dtypes (the types of numbers) must be equal. Default: True.
        check_layout (bool, optional): accepted for torch's signature (strided only). Default: True.
        check_stride (bool, optional): the strides must be equal. Default: False.
        msg (str or Callable, optional): the message instead, or a function of the generated one.

    Returns:
        None

    Raises:
        AssertionError: the values differ (the message says how many elements and the greatest
            absolute and relative differences, at which index), or their shapes, dtypes, lengths
            or keys do.
        ValueError: only one of ``rtol`` and ``atol``.
        TypeError: inputs of types that cannot be compared with each other.

    Example::

        >>> ember.testing.assert_close(ember.tensor([1., 2.]), ember.tensor([1., 2.000001]))
        >>> ember.testing.assert_close(ember.tensor([1., 2., 3.]), ember.tensor([1., 2.5, 3.]))
        Traceback (most recent call last):
          ...
        AssertionError: Tensor-likes are not close!
        <BLANKLINE>
        Mismatched elements: 1 / 3 (33.3%)
        Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)
        Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)
    """
    options = (rtol, atol, equal_nan, check_dtype, check_stride, allow_subclasses)
    if (rtol is None) != (atol is None):
        _tolerances([], rtol, atol)  # raises
    try:
        _compare(actual, expected, (), options)
    except _Mismatch as e:
        message = e.message
        if e.path:
            message += "\n\nThe failure occurred for item " + "".join(f"[{p!r}]" for p in e.path)
        if msg is not None:
            message = msg(message) if callable(msg) else msg
        raise AssertionError(message) from None


def make_tensor(*shape, dtype, device="cpu", low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A tensor of random values for tests, as torch.testing.make_tensor: uniform in [low, high)
    (floats; default [-9, 9)), integers in [low, high) (default [-9, 10), [0, 10) for uint8),
    bools at random.

    Args:
        *shape (int or sequence of int): the shape.
        dtype (ember.dtype): the dtype.
        device (str or ember.device, optional): the device. Default: ``"cpu"``.
        low (float, optional): the smallest value. Default: -9 (0 for unsigned).
        high (float, optional): the bound above. Default: 9 (10 for integers).
        requires_grad (bool, optional): a leaf that requires grad (floating dtypes). Default: False.
        noncontiguous (bool, optional): a non-contiguous view of the values. Default: False.
        exclude_zero (bool, optional): replace zeros by the dtype's smallest positive value (1 for
            integers). Default: False.
        memory_format: accepted for torch's signature (must be None here). Default: None.

    Returns:
        Tensor

    Raises:
        ValueError: ``low`` not below ``high``, or a NaN bound.
        TypeError: ``requires_grad`` for a dtype that cannot require it.

    Example::

        >>> t = ember.testing.make_tensor(2, 3, dtype=ember.float32, low=0, high=1)
        >>> t.shape, bool(((t >= 0) & (t < 1)).all())
        (ember.Size([2, 3]), True)
    """
    if memory_format is not None:
        raise ValueError("make_tensor: memory_format is not supported (ember tensors are strided, row-major)")
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = tuple(shape[0])
    shape = tuple(int(s) for s in shape)
    for bound in (low, high):
        if bound is not None and isinstance(bound, float) and math.isnan(bound):
            raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if dtype == ember.bool:
        t = ember.randint(0, 2, shape).to(ember.bool)
    elif dtype.is_floating_point:
        lo = -9.0 if low is None else float(low)
        hi = 9.0 if high is None else float(high)
        if not lo < hi and not (lo == hi):
            raise ValueError(f"`low` must be less than or equal to `high`, but got {lo} > {hi}")
        t = (ember.rand(shape, dtype=ember.float64) * (hi - lo) + lo).to(dtype)
    else:
        lo = (0 if dtype == ember.uint8 else -9) if low is None else math.ceil(low)
        hi = 10 if high is None else math.ceil(high)
        if not lo < hi:
            raise ValueError(f"`low` must be less than `high`, but got {lo} >= {hi}")
        t = ember.randint(lo, hi, shape, dtype=dtype)
    if exclude_zero:
        t = t.masked_fill(t == 0, 1 if not dtype.is_floating_point else ember.finfo(dtype).tiny)
    if noncontiguous and t.numel() > 1:
        t = ember.repeat_interleave(t, 2, dim=-1)[..., ::2]
    if requires_grad:
        t.requires_grad_(True)
    return t


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """The deprecated form of :func:`assert_close`, as torch.testing.assert_allclose (it warns, as
    torch's): numbers and sequences become tensors (``expected`` of ``actual``'s dtype), dtypes and
    strides are not compared, NaNs are equal by default, and the default tolerances are looser
    (float32: rtol 1e-4, atol 1e-5; float64: 1e-5, 1e-8; float16: 1e-3, 1e-3).

    Args:
        actual: a tensor, or data for one.
        expected: a tensor, or data for one.
        rtol (float, optional): relative tolerance (with atol).
        atol (float, optional): absolute tolerance (with rtol).
        equal_nan (bool): NaNs compare equal. Default: True.
        msg (str): the message on failure instead of the generated one.

    Raises:
        AssertionError: the values are not close.

    Example::

        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     ember.testing.assert_allclose(ember.tensor([1.0, 2.0]), [1.0, 2.00001])
    """
    import warnings

    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a future "
                  "release. Please use `torch.testing.assert_close()` instead. You can find detailed upgrade "
                  "instructions in https://github.com/pytorch/pytorch/issues/61844.", FutureWarning, stacklevel=2)
    if not isinstance(actual, Tensor):
        actual = ember.tensor(actual)
    if not isinstance(expected, Tensor):
        expected = ember.tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        pairs = [_ALLCLOSE_PRECISIONS.get(t.dtype, (0.0, 0.0)) for t in (actual, expected)]
        rtol, atol = max(p[0] for p in pairs), max(p[1] for p in pairs)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True, check_dtype=False,
                 check_stride=False, msg=msg or None)

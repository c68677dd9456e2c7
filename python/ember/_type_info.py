"""finfo and iinfo, as torch's: the numerical properties of a floating or an integer dtype."""
import ember

# (bits, eps, max, smallest normal, resolution) of each floating dtype; min is -max.
_FLOATS = {
    "float16": (16, 2.0 ** -10, 65504.0, 2.0 ** -14, 1e-3),
    "bfloat16": (16, 2.0 ** -7, 3.3895313892515355e38, 2.0 ** -126, 1e-2),
    "float32": (32, 2.0 ** -23, 3.4028234663852886e38, 2.0 ** -126, 1e-6),
    "float64": (64, 2.0 ** -52, 1.7976931348623157e308, 2.0 ** -1022, 1e-15),
}
_INTS = {"uint8": (8, 0, 255), "int8": (8, -128, 127), "int16": (16, -32768, 32767),
         "int32": (32, -2 ** 31, 2 ** 31 - 1), "int64": (64, -2 ** 63, 2 ** 63 - 1)}


def _name(dtype):
    return str(dtype).removeprefix("ember.")


def _g(v):
    return f"{v:g}"


class finfo:
    r"""The numerical properties of a floating dtype, as torch.finfo.

    Args:
        type (ember.dtype, optional): float16, bfloat16, float32 or float64. Default: the default dtype.

    Attributes:
        bits (int), eps (float: the gap from 1 to the next value), max, min (float: the largest and
        smallest finite values), tiny and smallest_normal (float: the smallest positive normal
        value), resolution (float), dtype (str).

    Example::

        >>> ember.finfo(ember.float32).eps
        1.1920928955078125e-07
        >>> ember.finfo(ember.float16).max
        65504.0
    """

    def __init__(self, type=None):
        dtype = ember.get_default_dtype() if type is None else type
        if _name(dtype) not in _FLOATS:
            raise TypeError(f"ember.finfo() requires a floating point input type. Use ember.iinfo to handle "
                            f"'{dtype}'")
        self.dtype = _name(dtype)
        self.bits, self.eps, self.max, self.smallest_normal, self.resolution = _FLOATS[self.dtype]
        self.min = -self.max
        self.tiny = self.smallest_normal

    def __repr__(self):
        return (f"finfo(resolution={_g(self.resolution)}, min={_g(self.min)}, max={_g(self.max)}, "
                f"eps={_g(self.eps)}, smallest_normal={_g(self.smallest_normal)}, tiny={_g(self.tiny)}, "
                f"dtype={self.dtype})")


class iinfo:
    r"""The range of an integer dtype, as torch.iinfo.

    Args:
        type (ember.dtype): uint8, int8, int16, int32 or int64.

    Attributes:
        bits (int), min and max (int: the smallest and largest values), dtype (str).

    Example::

        >>> ember.iinfo(ember.int16).max
        32767
    """

    def __init__(self, type):
        if _name(type) not in _INTS:
            raise TypeError(f"ember.iinfo() requires an integer input type. Use ember.finfo to handle '{type}'")
        self.dtype = _name(type)
        self.bits, self.min, self.max = _INTS[self.dtype]

    def __repr__(self):
        return f"iinfo(min={_g(self.min)}, max={_g(self.max)}, dtype={self.dtype})"

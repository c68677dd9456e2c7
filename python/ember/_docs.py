"""The docstrings of ember's C++ functions and classes (what help(), inspect and the API
documentation show), applied once at import by ember/__init__.py.

The names and defaults of the arguments are declared once in C++ (pybind11's py::arg, read by
inspect.signature through the text signature); the prose lives here, one entry per name. A C++
function's __doc__ cannot be assigned from Python, so ember._C._add_docstr replaces the prose
after its text signature (as torch._C._add_docstr); a class's __doc__ is set on the type.

Every Example:: here runs under doctest (tests/test_docstrings.py), from ember.manual_seed(0).
"""

# Argument text shared by many entries, written once. An entry names these by key; any other
# string in its args is an argument's own text.
_ARGS = {
    "input": "input (Tensor): the input tensor.",
    "other": "other (Tensor or Number): the second operand, broadcast against input.",
    "out": "out (Tensor, optional): the output tensor.",
    "dtype": "dtype (ember.dtype, optional): the desired data type of the returned tensor. Default: if None,\n"
             "    the global default (see ember.set_default_dtype()).",
    "dtype_like": "dtype (ember.dtype, optional): the desired data type of the returned tensor. Default: if\n"
                  "    None, input's dtype.",
    "device": "device (str or ember.device, optional): the device of the returned tensor. Default: if None,\n"
              "    the default device (see ember.set_default_device()).",
    "device_like": "device (str or ember.device, optional): the device of the returned tensor. Default: if\n"
                   "    None, input's device.",
    "requires_grad": "requires_grad (bool, optional): if autograd should record operations on the returned\n"
                     "    tensor. Default: False.",
    "generator": "generator (ember.Generator, optional): a pseudorandom number generator for sampling.\n"
                 "    Default: the global one (see ember.manual_seed()).",
    "size": "size (int...): a sequence of integers defining the shape of the output tensor. Can be a\n"
            "    variable number of arguments or a collection like a list or tuple.",
    "dim": "dim (int): the dimension to reduce.",
    "dims": "dim (int or tuple of ints, optional): the dimension or dimensions to reduce. Default: None,\n"
            "    all of them.",
    "keepdim": "keepdim (bool): whether the output tensor has dim retained or not. Default: False.",
    "reduce_dtype": "dtype (ember.dtype, optional): the desired data type of the returned tensor; input is\n"
                    "    cast to it before the operation. Default: None.",
    "tensors": "tensors (sequence of Tensors): the tensors, of one shape except in the dimension they are\n"
               "    joined along (their dtypes are promoted together).",
    "correction": "correction (int): the difference between the sample size and the sample degrees of\n"
                  "    freedom. Default: 1 (Bessel's correction).",
    "unbiased": "unbiased (bool, optional): deprecated spelling of correction (True is 1, False is 0).",
}

_FACTORY = ("dtype", "device", "requires_grad")
_LIKE = ("dtype_like", "device_like", "requires_grad")


def _section(title, items):
    if not items:
        return ""
    lines = "\n".join("    " + _ARGS.get(item, item) for item in items)
    return f"\n{title}:\n{lines}\n"


def _doc(summary, args=(), kwargs=(), example="", notes="", returns=""):
    """One docstring in the house style: summary, notes, Args:, Keyword args:, Returns:, Example::."""
    text = summary.strip() + "\n"
    if notes:
        text += "\n" + notes.strip() + "\n"
    text += _section("Args", args) + _section("Keyword args", kwargs)
    if returns:
        text += f"\nReturns:\n    {returns.strip()}\n"
    return text + "\nExample::\n\n" + example.strip("\n") + "\n"


def _unary(summary, example, notes=""):
    return _doc(summary, ("input",), ("out",), example, notes)


def _binary(summary, example, notes="", other="other"):
    return _doc(summary, ("input", other), ("out",), example, notes)


DOCS = {}

# ---- pointwise, one input (rows of cpp/include/ember/elementwise.def) ----
DOCS["abs"] = _unary("Computes the absolute value of each element of input: out_i = |input_i|.", """
    >>> ember.abs(ember.tensor([-1, -2, 3]))
    tensor([1, 2, 3])
""")
DOCS["acos"] = _unary("Computes the inverse cosine of each element of input (NaN outside [-1, 1]).", """
    >>> ember.acos(ember.tensor([1., 0., -1.]))
    tensor([0.0000, 1.5708, 3.1416])
""")
DOCS["acosh"] = _unary("Computes the inverse hyperbolic cosine of each element of input (NaN below 1).", """
    >>> ember.acosh(ember.tensor([1., 2., 10.]))
    tensor([0.0000, 1.3170, 2.9932])
""")
DOCS["arcsin"] = _unary("Computes the inverse sine of each element of input (NaN outside [-1, 1]).", """
    >>> ember.arcsin(ember.tensor([0., 0.5, 1.]))
    tensor([0.0000, 0.5236, 1.5708])
""")
DOCS["arcsinh"] = _unary("Computes the inverse hyperbolic sine of each element of input.", """
    >>> ember.arcsinh(ember.tensor([-1., 0., 2.]))
    tensor([-0.8814,  0.0000,  1.4436])
""")
DOCS["arctan"] = _unary("Computes the inverse tangent of each element of input, in (-pi/2, pi/2).", """
    >>> ember.arctan(ember.tensor([-1., 0., 1.]))
    tensor([-0.7854,  0.0000,  0.7854])
""")
DOCS["arctanh"] = _unary("Computes the inverse hyperbolic tangent of each element of input (NaN outside [-1, 1]).", """
    >>> ember.arctanh(ember.tensor([-0.5, 0., 0.5]))
    tensor([-0.5493,  0.0000,  0.5493])
""")
DOCS["bitwise_not"] = _unary("Computes the bitwise NOT of input (integer or bool; logical NOT for bool).", """
    >>> ember.bitwise_not(ember.tensor([-1, -2, 3], dtype=ember.int8))
    tensor([ 0,  1, -4], dtype=ember.int8)
    >>> ember.bitwise_not(ember.tensor([True, False]))
    tensor([False,  True])
""")
DOCS["ceil"] = _unary("Returns the smallest integer greater than or equal to each element (integers pass through).", """
    >>> ember.ceil(ember.tensor([-0.5, 1.2, 2.0]))
    tensor([-0., 2., 2.])
""")
DOCS["cos"] = _unary("Computes the cosine of each element of input (in radians).", """
    >>> ember.cos(ember.tensor([0., 3.1416 / 3]))
    tensor([1.0000, 0.5000])
""")
DOCS["cosh"] = _unary("Computes the hyperbolic cosine of each element of input.", """
    >>> ember.cosh(ember.tensor([-1., 0., 1.]))
    tensor([1.5431, 1.0000, 1.5431])
""")
DOCS["deg2rad"] = _unary("Converts each element of input from degrees to radians: input * pi / 180.", """
    >>> ember.deg2rad(ember.tensor([180., -90., 360.]))
    tensor([ 3.1416, -1.5708,  6.2832])
""")
DOCS["digamma"] = _unary("Computes the logarithmic derivative of the gamma function, d/dx ln|gamma(x)|.", """
    >>> ember.digamma(ember.tensor([1., 0.5]))
    tensor([-0.5772, -1.9635])
""", notes="At 0 it is -inf (as torch's); at negative integers, NaN.")
DOCS["erf"] = _unary("Computes the error function of each element: erf(x) = 2/sqrt(pi) * integral of exp(-t^2) from 0 to x.", """
    >>> ember.erf(ember.tensor([0., -1., 10.]))
    tensor([ 0.0000, -0.8427,  1.0000])
""")
DOCS["erfc"] = _unary("Computes the complementary error function of each element: 1 - erf(x), accurate where erf(x) is near 1.", """
    >>> ember.erfc(ember.tensor([0., -1., 3.]))
    tensor([1.0000e+00, 1.8427e+00, 2.2090e-05])
""")
DOCS["erfinv"] = _unary("Computes the inverse error function of each element (defined on [-1, 1]).", """
    >>> ember.erfinv(ember.tensor([0., 0.5, -1.]))
    tensor([0.0000, 0.4769,   -inf])
""")
DOCS["exp"] = _unary("Computes the exponential e^x of each element of input.", """
    >>> ember.exp(ember.tensor([0., 1., -1.]))
    tensor([1.0000, 2.7183, 0.3679])
""")
DOCS["exp2"] = _unary("Computes 2^x for each element of input.", """
    >>> ember.exp2(ember.tensor([0., 1., 3., -1.]))
    tensor([1.0000, 2.0000, 8.0000, 0.5000])
""")
DOCS["expm1"] = _unary("Computes e^x - 1 for each element of input, accurate for x near 0.", """
    >>> ember.expm1(ember.tensor([0., 1e-10, 1.]))
    tensor([0.0000e+00, 1.0000e-10, 1.7183e+00])
""")
DOCS["fix"] = _unary("Rounds each element of input toward zero (an alias of ember.trunc).", """
    >>> ember.fix(ember.tensor([-1.7, -0.2, 0.5, 2.9]))
    tensor([-1., -0.,  0.,  2.])
""")
DOCS["floor"] = _unary("Returns the largest integer less than or equal to each element (integers pass through).", """
    >>> ember.floor(ember.tensor([-0.5, 1.2, 2.0]))
    tensor([-1.,  1.,  2.])
""")
DOCS["frac"] = _unary("Computes the fractional part of each element: input - trunc(input), with input's sign.", """
    >>> ember.frac(ember.tensor([1., 2.5, -3.25]))
    tensor([ 0.0000,  0.5000, -0.2500])
""")
DOCS["i0"] = _unary("Computes the zeroth-order modified Bessel function of the first kind of each element.", """
    >>> ember.i0(ember.arange(5, dtype=ember.float32))
    tensor([ 1.0000,  1.2661,  2.2796,  4.8808, 11.3019])
""")
DOCS["isfinite"] = _unary("Tests whether each element of input is finite (neither infinite nor NaN).", """
    >>> ember.isfinite(ember.tensor([1., float('inf'), 2., float('-inf'), float('nan')]))
    tensor([ True, False,  True, False, False])
""")
DOCS["isinf"] = _unary("Tests whether each element of input is infinite (positive or negative).", """
    >>> ember.isinf(ember.tensor([1., float('inf'), 2., float('-inf'), float('nan')]))
    tensor([False,  True, False,  True, False])
""")
DOCS["isnan"] = _unary("Tests whether each element of input is NaN.", """
    >>> ember.isnan(ember.tensor([1., float('nan'), 2.]))
    tensor([False,  True, False])
""")
DOCS["isneginf"] = _unary("Tests whether each element of input is negative infinity.", """
    >>> ember.isneginf(ember.tensor([-float('inf'), float('inf'), 1.2]))
    tensor([ True, False, False])
""")
DOCS["isposinf"] = _unary("Tests whether each element of input is positive infinity.", """
    >>> ember.isposinf(ember.tensor([-float('inf'), float('inf'), 1.2]))
    tensor([False,  True, False])
""")
DOCS["lgamma"] = _unary("Computes the natural logarithm of the absolute value of the gamma function of each element.", """
    >>> ember.lgamma(ember.tensor([0.5, 1., 1.5]))
    tensor([ 0.5724,  0.0000, -0.1208])
""")
DOCS["log"] = _unary("Computes the natural logarithm of each element of input (NaN below 0, -inf at 0).", """
    >>> ember.log(ember.tensor([1., 2.7183, 0.]))
    tensor([0.0000, 1.0000,   -inf])
""")
DOCS["log10"] = _unary("Computes the base-10 logarithm of each element of input.", """
    >>> ember.log10(ember.tensor([1., 10., 1000.]))
    tensor([0., 1., 3.])
""")
DOCS["log1p"] = _unary("Computes ln(1 + x) for each element of input, accurate for x near 0.", """
    >>> ember.log1p(ember.tensor([0., 1e-10, 1.]))
    tensor([0.0000e+00, 1.0000e-10, 6.9315e-01])
""")
DOCS["log2"] = _unary("Computes the base-2 logarithm of each element of input.", """
    >>> ember.log2(ember.tensor([1., 2., 1024.]))
    tensor([ 0.,  1., 10.])
""")
DOCS["logical_not"] = _unary("Computes the logical NOT of each element: True where input is zero (a bool result).", """
    >>> ember.logical_not(ember.tensor([True, False]))
    tensor([False,  True])
    >>> ember.logical_not(ember.tensor([0., 1.5, -10.]))
    tensor([ True, False, False])
""")
DOCS["neg"] = _unary("Returns the negative of each element of input: -input.", """
    >>> ember.neg(ember.tensor([0.5, -1., 0.]))
    tensor([-0.5000,  1.0000, -0.0000])
""")
DOCS["rad2deg"] = _unary("Converts each element of input from radians to degrees: input * 180 / pi.", """
    >>> ember.rad2deg(ember.tensor([3.142, -3.142, 6.283]))
    tensor([ 180.0233, -180.0233,  359.9894])
""")
DOCS["reciprocal"] = _unary("Computes the reciprocal 1 / x of each element (integer inputs give float32).", """
    >>> ember.reciprocal(ember.tensor([-0.5, 2., 0.]))
    tensor([-2.0000,  0.5000,     inf])
""")
DOCS["relu"] = _unary("Applies the rectified linear unit max(x, 0) to each element (NaN stays NaN).", """
    >>> ember.relu(ember.tensor([-1., 0., 2.]))
    tensor([0., 0., 2.])
""")
DOCS["rsqrt"] = _unary("Computes the reciprocal of the square root of each element: 1 / sqrt(x).", """
    >>> ember.rsqrt(ember.tensor([4., 0.25, 0., -1.]))
    tensor([0.5000, 2.0000,    inf,    nan])
""")
DOCS["sgn"] = _unary("Returns -1, 0 or 1 by the sign of each element (ember.sign, as ember has no complex dtypes).", """
    >>> ember.sgn(ember.tensor([-3., 0., 2.5]))
    tensor([-1.,  0.,  1.])
""")
DOCS["sigmoid"] = _unary("Applies the logistic sigmoid 1 / (1 + e^-x) to each element.", """
    >>> ember.sigmoid(ember.tensor([0., 2., -2.]))
    tensor([0.5000, 0.8808, 0.1192])
""")
DOCS["signbit"] = _unary("Tests whether the sign bit of each element is set (True for -0.0).", """
    >>> ember.signbit(ember.tensor([-1., 0., -0., 2.]))
    tensor([ True, False,  True, False])
""")
DOCS["sin"] = _unary("Computes the sine of each element of input (in radians).", """
    >>> ember.sin(ember.tensor([0., 3.1416 / 6]))
    tensor([0.0000, 0.5000])
""")
DOCS["sinc"] = _unary("Computes the normalized sinc function sin(pi x) / (pi x) of each element (1 at 0).", """
    >>> ember.sinc(ember.tensor([0., 0.5, 1.]))
    tensor([ 1.0000e+00,  6.3662e-01, -2.7828e-08])
""")
DOCS["sinh"] = _unary("Computes the hyperbolic sine of each element of input.", """
    >>> ember.sinh(ember.tensor([-1., 0., 1.]))
    tensor([-1.1752,  0.0000,  1.1752])
""")
DOCS["sqrt"] = _unary("Computes the square root of each element of input (NaN below 0).", """
    >>> ember.sqrt(ember.tensor([4., 2., 0.]))
    tensor([2.0000, 1.4142, 0.0000])
""")
DOCS["square"] = _unary("Computes the square of each element of input: input * input.", """
    >>> ember.square(ember.tensor([-2., 0.5, 3.]))
    tensor([4.0000, 0.2500, 9.0000])
""")
DOCS["tan"] = _unary("Computes the tangent of each element of input (in radians).", """
    >>> ember.tan(ember.tensor([0., 3.1416 / 4]))
    tensor([0.0000, 1.0000])
""")
DOCS["tanh"] = _unary("Computes the hyperbolic tangent of each element of input.", """
    >>> ember.tanh(ember.tensor([-1., 0., 1.]))
    tensor([-0.7616,  0.0000,  0.7616])
""")
DOCS["round"] = _doc("Rounds each element of input to the nearest integer, ties to even (as torch.round).",
    ("input",), ("decimals (int): the number of decimal places to round to (negative: to the left of the\n"
                  "    point). Default: 0.", "out"), """
    >>> ember.round(ember.tensor([0.5, 1.5, 2.5, -1.7]))
    tensor([ 0.,  2.,  2., -2.])
    >>> ember.round(ember.tensor([1.2345, 123.45]), decimals=2)
    tensor([  1.2300, 123.4500])
    >>> ember.round(ember.tensor([1234.5]), decimals=-2)
    tensor([1200.])
""")

# ---- pointwise, two inputs (broadcast, types promoted as torch's) ----
_ALPHA = "alpha (Number): the multiplier for other. Default: 1."
DOCS["add"] = _doc("Adds other, scaled by alpha, to input: out_i = input_i + alpha * other_i.",
    ("input", "other"), (_ALPHA, "out"), """
    >>> a = ember.tensor([1., 2., 3.])
    >>> ember.add(a, 10)
    tensor([11., 12., 13.])
    >>> ember.add(a, ember.tensor([[1.], [-1.]]), alpha=10)
    tensor([[11., 12., 13.],
            [-9., -8., -7.]])
""", notes="Broadcasting and type promotion follow torch's rules (an int64 tensor plus a float gives float32).")
DOCS["sub"] = _doc("Subtracts other, scaled by alpha, from input: out_i = input_i - alpha * other_i.",
    ("input", "other"), (_ALPHA, "out"), """
    >>> ember.sub(ember.tensor([1, 2]), ember.tensor([0, 1]), alpha=2)
    tensor([1, 0])
""")
DOCS["mul"] = _binary("Multiplies input by other, element by element: out_i = input_i * other_i.", """
    >>> ember.mul(ember.tensor([1., 2., 3.]), 100)
    tensor([100., 200., 300.])
    >>> ember.mul(ember.tensor([[1.], [2.]]), ember.tensor([1., 10., 100.]))
    tensor([[  1.,  10., 100.],
            [  2.,  20., 200.]])
""")
DOCS["div"] = _doc("Divides input by other, element by element: out_i = input_i / other_i.",
    ("input (Tensor or Number): the dividend.", "other (Tensor or Number): the divisor."),
    ("rounding_mode (str, optional): None, true division (integer inputs give float32); 'trunc',\n"
     "    rounded toward zero; 'floor', rounded down (as floor_divide). Default: None.", "out"), """
    >>> a = ember.tensor([4., -3., 7.])
    >>> ember.div(a, 2)
    tensor([ 2.0000, -1.5000,  3.5000])
    >>> ember.div(a, 2, rounding_mode='trunc')
    tensor([ 2., -1.,  3.])
    >>> ember.div(a, 2, rounding_mode='floor')
    tensor([ 2., -2.,  3.])
""", notes="A rounded quotient has zero gradient.")
DOCS["pow"] = _doc("Raises each element of input to the power other: out_i = input_i ** other_i.",
    ("input (Tensor or Number): the base.", "other (Tensor or Number): the exponent."), ("out",), """
    >>> ember.pow(ember.tensor([1., 2., 3.]), 2)
    tensor([1., 4., 9.])
    >>> ember.pow(2, ember.tensor([0, 1, 10]))
    tensor([   1,    2, 1024])
""")
DOCS["arctan2"] = _binary("Computes the angle of the point (other_i, input_i): atan(input_i / other_i) by quadrant, in [-pi, pi].", """
    >>> ember.arctan2(ember.tensor([1., 1., -1.]), ember.tensor([1., -1., -1.]))
    tensor([ 0.7854,  2.3562, -2.3562])
""")
DOCS["copysign"] = _binary("Computes |input_i| with the sign of other_i (also the sign of a zero or NaN), in a "
                           "floating dtype.", """
    >>> ember.copysign(ember.tensor([1., -2., 3.]), ember.tensor([-1., 1., -0.]))
    tensor([-1.,  2., -3.])
""")
DOCS["bitwise_and"] = _binary("Computes the bitwise AND of input and other (integer or bool).", """
    >>> ember.bitwise_and(ember.tensor([-1, -2, 3], dtype=ember.int8), ember.tensor([1, 0, 3], dtype=ember.int8))
    tensor([1, 0, 3], dtype=ember.int8)
    >>> ember.bitwise_and(ember.tensor([True, True, False]), ember.tensor([False, True, False]))
    tensor([False,  True, False])
""")
DOCS["bitwise_or"] = _binary("Computes the bitwise OR of input and other (integer or bool).", """
    >>> ember.bitwise_or(ember.tensor([-1, -2, 3], dtype=ember.int8), ember.tensor([1, 0, 3], dtype=ember.int8))
    tensor([-1, -2,  3], dtype=ember.int8)
""")
DOCS["bitwise_left_shift"] = _binary("Shifts the bits of input left by other: input * 2**other, wrapping in "
                                     "the dtype; shifts of other < 0 or of the dtype's width or more give 0 "
                                     "(integers only).", """
    >>> ember.bitwise_left_shift(ember.tensor([1, -3, 64], dtype=ember.int8), ember.tensor([2, 1, 1], dtype=ember.int8))
    tensor([   4,   -6, -128], dtype=ember.int8)
    >>> ember.tensor([1, 2]) << 3
    tensor([ 8, 16])
""")
DOCS["bitwise_right_shift"] = _binary("Shifts the bits of input right by other, keeping the sign (floor of "
                                      "input / 2**other); shifts of other < 0 or of the dtype's width or more give "
                                      "0 or -1 (integers only).", """
    >>> ember.bitwise_right_shift(ember.tensor([16, -16, 7]), ember.tensor([2, 2, 70]))
    tensor([ 4, -4,  0])
    >>> ember.tensor([-1, 8]) >> 1
    tensor([-1,  4])
""")
DOCS["bitwise_xor"] = _binary("Computes the bitwise XOR of input and other (integer or bool).", """
    >>> ember.bitwise_xor(ember.tensor([-1, -2, 3], dtype=ember.int8), ember.tensor([1, 0, 3], dtype=ember.int8))
    tensor([-2, -2,  0], dtype=ember.int8)
""")


def _compare(op, example):
    return _binary(f"Computes input {op} other element-wise (a bool result).", example)


DOCS["eq"] = _compare("==", """
    >>> ember.eq(ember.tensor([[1, 2], [3, 4]]), ember.tensor([[1, 1], [4, 4]]))
    tensor([[ True, False],
            [False,  True]])
""")
DOCS["ne"] = _compare("!=", """
    >>> ember.ne(ember.tensor([[1, 2], [3, 4]]), ember.tensor([[1, 1], [4, 4]]))
    tensor([[False,  True],
            [ True, False]])
""")
DOCS["ge"] = _compare(">=", """
    >>> ember.ge(ember.tensor([[1, 2], [3, 4]]), ember.tensor([[1, 1], [4, 4]]))
    tensor([[ True,  True],
            [False,  True]])
""")
DOCS["le"] = _compare("<=", """
    >>> ember.le(ember.tensor([[1, 2], [3, 4]]), ember.tensor([[1, 1], [4, 4]]))
    tensor([[ True, False],
            [ True,  True]])
""")
DOCS["greater"] = _compare(">", """
    >>> ember.greater(ember.tensor([[1, 2], [3, 4]]), ember.tensor([[1, 1], [4, 4]]))
    tensor([[False,  True],
            [False, False]])
""")
DOCS["less"] = _compare("<", """
    >>> ember.less(ember.tensor([[1, 2], [3, 4]]), ember.tensor([[1, 1], [4, 4]]))
    tensor([[False, False],
            [ True, False]])
""")
DOCS["floor_divide"] = _binary("Divides input by other and rounds the quotient down: floor(input / other).", """
    >>> ember.floor_divide(ember.tensor([4., 3., -3.]), 2)
    tensor([ 2.,  1., -2.])
""", notes="Integer inputs give an integer result (a zero integer divisor is an error).")
DOCS["fmod"] = _binary("Computes C's fmod, the remainder of input / other with the sign of input.", """
    >>> ember.fmod(ember.tensor([-3., -2, -1, 1, 2, 3]), 2)
    tensor([-1., -0., -1.,  1.,  0.,  1.])
""", other="other (Tensor or Number): the divisor.")
DOCS["remainder"] = _binary("Computes the remainder of input / other with the sign of other (Python's %).", """
    >>> ember.remainder(ember.tensor([-3., -2, -1, 1, 2, 3]), 2)
    tensor([1., -0., 1., 1., 0., 1.])
""", other="other (Tensor or Number): the divisor.")
DOCS["fmax"] = _binary("Computes the element-wise maximum of input and other, a NaN ignored unless both are NaN.", """
    >>> ember.fmax(ember.tensor([1., float('nan'), 3.]), ember.tensor([2., 0., float('nan')]))
    tensor([2., 0., 3.])
""")
DOCS["fmin"] = _binary("Computes the element-wise minimum of input and other, a NaN ignored unless both are NaN.", """
    >>> ember.fmin(ember.tensor([1., float('nan'), 3.]), ember.tensor([2., 0., float('nan')]))
    tensor([1., 0., 3.])
""")
DOCS["maximum"] = _binary("Computes the element-wise maximum of input and other (NaN propagates).", """
    >>> ember.maximum(ember.tensor([1, 2, -1]), ember.tensor([3, 0, 4]))
    tensor([3, 2, 4])
""", other="other (Tensor): the second input tensor, broadcast against input.")
DOCS["minimum"] = _binary("Computes the element-wise minimum of input and other (NaN propagates).", """
    >>> ember.minimum(ember.tensor([1, 2, -1]), ember.tensor([3, 0, 4]))
    tensor([ 1,  0, -1])
""", other="other (Tensor): the second input tensor, broadcast against input.")
DOCS["gcd"] = _binary("Computes the greatest common divisor of |input| and |other| (integers; gcd(0, 0) is 0).", """
    >>> ember.gcd(ember.tensor([5, 10, 15]), ember.tensor([3, 4, 5]))
    tensor([1, 2, 5])
""", other="other (Tensor): the second input tensor, broadcast against input.")
DOCS["lcm"] = _binary("Computes the least common multiple of |input| and |other| (integers).", """
    >>> ember.lcm(ember.tensor([5, 10, 15]), ember.tensor([3, 4, 5]))
    tensor([15, 20, 15])
""", other="other (Tensor): the second input tensor, broadcast against input.")
DOCS["heaviside"] = _binary("Computes the Heaviside step function: 0 where input < 0, values where input == 0, 1 where input > 0.", """
    >>> ember.heaviside(ember.tensor([-1.5, 0., 2.]), ember.tensor([0.5]))
    tensor([0.0000, 0.5000, 1.0000])
""", other="values (Tensor): the result where input is zero (of input's dtype, broadcast).")
DOCS["hypot"] = _binary("Computes sqrt(input^2 + other^2) element-wise, without intermediate overflow.", """
    >>> ember.hypot(ember.tensor([4., 5.]), ember.tensor([3., 12.]))
    tensor([ 5., 13.])
""", other="other (Tensor): the second input tensor, broadcast against input.")
DOCS["logaddexp"] = _binary("Computes log(e^input + e^other) element-wise, without intermediate overflow.", """
    >>> ember.logaddexp(ember.tensor([-1.0]), ember.tensor([-1.0, -2, -3]))
    tensor([-0.3069, -0.6867, -0.8731])
    >>> ember.logaddexp(ember.tensor([-100.0, -200, -300]), ember.tensor([-1.0, -2, -3]))
    tensor([-1., -2., -3.])
""", other="other (Tensor): the second input tensor, broadcast against input.")
DOCS["logaddexp2"] = _binary("Computes log2(2^input + 2^other) element-wise, without intermediate overflow.", """
    >>> ember.logaddexp2(ember.tensor([-1.0]), ember.tensor([-1.0, -2, -3]))
    tensor([-1.0602e-08, -4.1504e-01, -6.7807e-01])
""", other="other (Tensor): the second input tensor, broadcast against input.")


def _logical(op, example):
    return _binary(f"Computes the logical {op.upper()} of input and other, nonzero read as True (a bool result).",
                   example)


DOCS["logical_and"] = _logical("and", """
    >>> ember.logical_and(ember.tensor([True, False, True]), ember.tensor([True, False, False]))
    tensor([ True, False, False])
    >>> ember.logical_and(ember.tensor([0, 1, 10]), ember.tensor([4, 0, -1]))
    tensor([False, False,  True])
""")
DOCS["logical_or"] = _logical("or", """
    >>> ember.logical_or(ember.tensor([True, False, True]), ember.tensor([True, False, False]))
    tensor([ True, False,  True])
    >>> ember.logical_or(ember.tensor([0, 1, 10]), ember.tensor([4, 0, -1]))
    tensor([True, True, True])
""")
DOCS["logical_xor"] = _logical("xor", """
    >>> ember.logical_xor(ember.tensor([True, False, True]), ember.tensor([True, False, False]))
    tensor([False, False,  True])
    >>> ember.logical_xor(ember.tensor([0, 1, 10]), ember.tensor([4, 0, -1]))
    tensor([ True,  True, False])
""")

DOCS["nextafter"] = _binary("Returns the next floating-point value after input in the direction of other.", """
    >>> x = ember.tensor([1., 2.], dtype=ember.float64)
    >>> (ember.nextafter(x, ember.tensor([2., 1.], dtype=ember.float64)) - x).tolist()
    [2.220446049250313e-16, -2.220446049250313e-16]
""", other="other (Tensor): the direction, broadcast against input.")
DOCS["xlogy"] = _binary("Computes input * log(other), 0 where input is 0 (NaN where other is NaN).", """
    >>> x = ember.tensor([0., 1., 2.])
    >>> ember.xlogy(x, ember.tensor([0., 3., float('nan')]))
    tensor([0.0000, 1.0986,    nan])
    >>> ember.xlogy(x, 3)
    tensor([0.0000, 1.0986, 2.1972])
""", other="other (Tensor or Number): the argument of the logarithm.")

# ---- making tensors ----
DOCS["tensor"] = _doc("Constructs a tensor with no autograd history by copying data.",
    ("data (array_like): the initial data: a number, a (nested) list or tuple, a NumPy array or a tensor.",),
    ("dtype (ember.dtype, optional): the desired data type of the returned tensor. Default: if None,\n"
     "    inferred from data (bool, int64, or the default dtype for Python floats; a NumPy array\n"
     "    keeps its dtype).", "device", "requires_grad"), """
    >>> ember.tensor([[0.1, 1.2], [2.2, 3.1], [4.9, 5.2]])
    tensor([[0.1000, 1.2000],
            [2.2000, 3.1000],
            [4.9000, 5.2000]])
    >>> ember.tensor([0, 1])
    tensor([0, 1])
    >>> ember.tensor([[0.11111, 0.222222, 0.3333333]], dtype=ember.float64)
    tensor([[0.1111, 0.2222, 0.3333]], dtype=ember.float64)
    >>> ember.tensor(3.14159)
    tensor(3.1416)
    >>> ember.tensor([])
    tensor([])
""", notes="Always copies; ember.as_tensor and ember.from_numpy share memory instead.")
DOCS["as_tensor"] = _doc("Converts data into a tensor, sharing memory with a tensor or NumPy array when it can.",
    ("data (array_like): a number, a (nested) list or tuple, a NumPy array or a tensor.",
     "dtype (ember.dtype, optional): the desired data type. Default: if None, inferred from data.",
     "device (str or ember.device, optional): the desired device. Default: if None, data's device\n"
     "    (or the default one)."), (), """
    >>> import numpy
    >>> a = numpy.array([1, 2, 3])
    >>> t = ember.as_tensor(a)
    >>> t[0] = -1
    >>> a
    array([-1,  2,  3])
    >>> ember.as_tensor(a, dtype=ember.float32)
    tensor([-1.,  2.,  3.])
""", notes="When data is a tensor or array of the requested dtype and device, the result shares its memory;\n"
           "otherwise it is copied (as ember.tensor does).")
DOCS["from_numpy"] = _doc("Creates a tensor sharing memory with a NumPy array (no copy).",
    ("ndarray (numpy.ndarray): the array; its dtype must be one ember has.",), (), """
    >>> import numpy
    >>> a = numpy.array([1, 2, 3])
    >>> t = ember.from_numpy(a)
    >>> t
    tensor([1, 2, 3])
    >>> t[0] = -1
    >>> a
    array([-1,  2,  3])
""", notes="Writes through either one are seen by the other; the array is kept alive by the tensor.")
DOCS["from_dlpack"] = _doc("Creates a tensor sharing memory with any DLPack producer (PyTorch, NumPy, JAX, CuPy on CPU).",
    ("ext_tensor (object): an object with __dlpack__ and __dlpack_device__, or a DLPack capsule.",), (), """
    >>> import numpy
    >>> a = numpy.arange(4.0)
    >>> t = ember.from_dlpack(a)
    >>> t[0] = 10.0
    >>> a
    array([10.,  1.,  2.,  3.])
""")
DOCS["zeros"] = _doc("Returns a tensor filled with the scalar value 0, of the shape given by size.",
    ("size",), ("out", *_FACTORY), """
    >>> ember.zeros(2, 3)
    tensor([[0., 0., 0.],
            [0., 0., 0.]])
    >>> ember.zeros(5, dtype=ember.int64)
    tensor([0, 0, 0, 0, 0])
""")
DOCS["ones"] = _doc("Returns a tensor filled with the scalar value 1, of the shape given by size.",
    ("size",), ("out", *_FACTORY), """
    >>> ember.ones(2, 3)
    tensor([[1., 1., 1.],
            [1., 1., 1.]])
    >>> ember.ones((5,), dtype=ember.bool)
    tensor([True, True, True, True, True])
""")
DOCS["empty"] = _doc("Returns a tensor of the shape given by size whose values are not initialized.",
    ("size",), ("out", *_FACTORY), """
    >>> ember.empty(2, 3).shape
    ember.Size([2, 3])
    >>> ember.empty((2, 3), dtype=ember.int64).dtype
    ember.int64
""", notes="Its memory is left as the allocator gives it: fill it before reading it.")
DOCS["full"] = _doc("Returns a tensor of shape size filled with fill_value.",
    ("size (int...): a list, tuple, or ember.Size of integers defining the shape of the output tensor.",
     "fill_value (Scalar): the value to fill the output tensor with."),
    ("out", "dtype (ember.dtype, optional): the desired data type of the returned tensor. Default: if None,\n"
            "    inferred from fill_value (bool, int64, or the default dtype for a float).",
     "device", "requires_grad"), """
    >>> ember.full((2, 3), 3.141592)
    tensor([[3.1416, 3.1416, 3.1416],
            [3.1416, 3.1416, 3.1416]])
    >>> ember.full((2,), 7)
    tensor([7, 7])
""")
_LIKE_INPUT = "input (Tensor): the size of input will determine size of the output tensor."
DOCS["zeros_like"] = _doc("Returns a tensor filled with 0, of the same size as input.",
    (_LIKE_INPUT,), _LIKE, """
    >>> ember.zeros_like(ember.empty(2, 3))
    tensor([[0., 0., 0.],
            [0., 0., 0.]])
""")
DOCS["ones_like"] = _doc("Returns a tensor filled with 1, of the same size as input.",
    (_LIKE_INPUT,), _LIKE, """
    >>> ember.ones_like(ember.empty(2, 3, dtype=ember.int64))
    tensor([[1, 1, 1],
            [1, 1, 1]])
""")
DOCS["empty_like"] = _doc("Returns an uninitialized tensor of the same size as input.",
    (_LIKE_INPUT,), _LIKE, """
    >>> ember.empty_like(ember.ones(2, 3), dtype=ember.float64).dtype
    ember.float64
""")
DOCS["full_like"] = _doc("Returns a tensor of the same size as input filled with fill_value.",
    (_LIKE_INPUT, "fill_value (Scalar): the value to fill the output tensor with."), _LIKE, """
    >>> ember.full_like(ember.zeros(2, 2), 7.5)
    tensor([[7.5000, 7.5000],
            [7.5000, 7.5000]])
    >>> ember.full_like(ember.zeros(3, dtype=ember.int64), 2.7)
    tensor([2, 2, 2])
""")
DOCS["rand_like"] = _doc("Returns a tensor of the same size as input filled with random numbers uniform on [0, 1).",
    (_LIKE_INPUT,), _LIKE, """
    >>> ember.rand_like(ember.zeros(2, 3)).shape
    ember.Size([2, 3])
""", notes="Only floating dtypes; the numbers come from the global generator.")
DOCS["randn_like"] = _doc("Returns a tensor of the same size as input filled with random numbers from N(0, 1).",
    (_LIKE_INPUT,), _LIKE, """
    >>> ember.randn_like(ember.zeros(2, 3)).shape
    ember.Size([2, 3])
""", notes="Only floating dtypes; the numbers come from the global generator.")
DOCS["arange"] = _doc("Returns a 1-D tensor of the values in [start, end) taken with common difference step.",
    ("start (Number, optional): the starting value for the set of points. Default: 0.",
     "end (Number): the ending value for the set of points (excluded).",
     "step (Number): the gap between each pair of adjacent points. Default: 1."),
    ("out", "dtype (ember.dtype, optional): the desired data type of the returned tensor. Default: if None,\n"
            "    int64 when start, end and step are all integers, else the default dtype.",
     "device", "requires_grad"), """
    >>> ember.arange(5)
    tensor([0, 1, 2, 3, 4])
    >>> ember.arange(1, 4)
    tensor([1, 2, 3])
    >>> ember.arange(1, 2.5, 0.5)
    tensor([1.0000, 1.5000, 2.0000])
""", notes="With one number, it is end: arange(5) is arange(0, 5).")
DOCS["linspace"] = _doc("Returns a 1-D tensor of steps values evenly spaced from start to end, both included.",
    ("start (float): the starting value for the set of points.",
     "end (float): the ending value for the set of points.",
     "steps (int): the size of the constructed tensor."), ("out", *_FACTORY), """
    >>> ember.linspace(3, 10, steps=5)
    tensor([ 3.0000,  4.7500,  6.5000,  8.2500, 10.0000])
    >>> ember.linspace(-10, 10, steps=5)
    tensor([-10.,  -5.,   0.,   5.,  10.])
    >>> ember.linspace(start=-10, end=10, steps=1)
    tensor([-10.])
""")
DOCS["eye"] = _doc("Returns a 2-D tensor with ones on the diagonal and zeros elsewhere.",
    ("n (int): the number of rows.", "m (int, optional): the number of columns. Default: if None, n."),
    ("out", *_FACTORY), """
    >>> ember.eye(3)
    tensor([[1., 0., 0.],
            [0., 1., 0.],
            [0., 0., 1.]])
    >>> ember.eye(2, 3, dtype=ember.int64)
    tensor([[1, 0, 0],
            [0, 1, 0]])
""")
DOCS["clone"] = _doc("Returns a copy of input, recorded by autograd (gradients flow back to input).",
    ("input",), (), """
    >>> a = ember.tensor([1., 2.], requires_grad=True)
    >>> b = ember.clone(a)
    >>> b
    tensor([1., 2.], grad_fn=<CloneBackward0>)
    >>> b.sum().backward()
    >>> a.grad
    tensor([1., 1.])
""")

# ---- random sampling ----
DOCS["rand"] = _doc("Returns a tensor of the shape size filled with random numbers uniform on [0, 1).",
    ("size",), ("generator", "out", *_FACTORY), """
    >>> _ = ember.manual_seed(0)
    >>> ember.rand(4)
    tensor([0.4963, 0.7682, 0.0885, 0.1320])
    >>> ember.rand(2, 3).shape
    ember.Size([2, 3])
    >>> ember.rand(2, 3, dtype=ember.float64).dtype
    ember.float64
""")
DOCS["randn"] = _doc("Returns a tensor of the shape size filled with random numbers from the normal distribution N(0, 1).",
    ("size",), ("generator", "out", *_FACTORY), """
    >>> _ = ember.manual_seed(0)
    >>> ember.randn(4)
    tensor([ 1.5410, -0.2934, -2.1788,  0.5684])
    >>> ember.randn(2, 3).shape
    ember.Size([2, 3])
    >>> ember.randn(2, 3).std() < 3
    tensor(True)
""")
DOCS["randint"] = _doc("Returns a tensor of the shape size filled with random integers uniform on [low, high).",
    ("low (int, optional): the lowest integer to be drawn. Default: 0.",
     "high (int): one above the highest integer to be drawn.",
     "size (tuple): a tuple defining the shape of the output tensor."),
    ("generator", "out", "dtype (ember.dtype, optional): the desired data type. Default: ember.int64.",
     "device", "requires_grad"), """
    >>> x = ember.randint(3, 10, (2, 2))
    >>> x.shape, x.dtype, bool(((x >= 3) & (x < 10)).all())
    (ember.Size([2, 2]), ember.int64, True)
    >>> ember.randint(10, (3,)).shape
    ember.Size([3])
""")
DOCS["randperm"] = _doc("Returns a random permutation of the integers 0 to n - 1.",
    ("n (int): the upper bound (exclusive).",),
    ("generator", "out", "dtype (ember.dtype, optional): the desired data type. Default: ember.int64.",
     "device", "requires_grad"), """
    >>> p = ember.randperm(4)
    >>> p.sort().values
    tensor([0, 1, 2, 3])
""")
DOCS["bernoulli"] = _doc("Draws a binary random number (0 or 1) for each element, 1 with the probability input_i.",
    ("input (Tensor): the probabilities, in [0, 1].",), ("generator",), """
    >>> p = ember.tensor([0., 1., 1., 0.])
    >>> ember.bernoulli(p)
    tensor([0., 1., 1., 0.])
    >>> ember.bernoulli(ember.full((2, 3), 0.5)).shape
    ember.Size([2, 3])
""", returns="Tensor: input's shape and dtype.")
DOCS["seed"] = _doc("Sets the seed of the global generator to a non-deterministic random number and returns it.",
    example="""
    >>> s = ember.seed()
    >>> s == ember.initial_seed()
    True
""", returns="int: the seed.")
DOCS["initial_seed"] = _doc("Returns the seed the global generator was last seeded with (by manual_seed or seed).",
    example="""
    >>> _ = ember.manual_seed(42)
    >>> ember.initial_seed()
    42
""", returns="int: the seed.")
# ---- reductions ----
_KEEP = ("dims", "keepdim")
DOCS["sum"] = _doc("Returns the sum of the elements of input, over all of them or over the dimensions dim.",
    ("input", *_KEEP), ("reduce_dtype", "out"), """
    >>> a = ember.tensor([[1., 2., 3.], [4., 5., 6.]])
    >>> ember.sum(a)
    tensor(21.)
    >>> ember.sum(a, 1)
    tensor([ 6., 15.])
    >>> ember.sum(a, (0, 1), keepdim=True)
    tensor([[21.]])
    >>> ember.sum(ember.tensor([True, True, False]))
    tensor(2)
""", notes="Bool and integer inputs sum in int64 (as torch's).")
DOCS["mean"] = _doc("Returns the mean of the elements of input, over all of them or over the dimensions dim.",
    ("input", *_KEEP), ("reduce_dtype", "out"), """
    >>> a = ember.tensor([[1., 2., 3.], [4., 5., 6.]])
    >>> ember.mean(a)
    tensor(3.5000)
    >>> ember.mean(a, 0)
    tensor([2.5000, 3.5000, 4.5000])
    >>> ember.mean(a, -1, keepdim=True)
    tensor([[2.],
            [5.]])
""", notes="input must be floating (or dtype given): the mean of an integer tensor is refused, as torch's.")
DOCS["prod"] = _doc("Returns the product of the elements of input, over all of them or along the dimension dim.",
    ("input", "dim (int, optional): the dimension to reduce. Default: None, all of them.", "keepdim"),
    ("reduce_dtype", "out"), """
    >>> a = ember.tensor([[1., 2.], [3., 4.]])
    >>> ember.prod(a)
    tensor(24.)
    >>> ember.prod(a, 1)
    tensor([ 2., 12.])
""")
DOCS["amax"] = _doc("Returns the maximum of input over all of its elements or the dimensions dim.",
    ("input", *_KEEP), ("out",), """
    >>> a = ember.tensor([[1., 5., 2.], [4., 0., 6.]])
    >>> ember.amax(a)
    tensor(6.)
    >>> ember.amax(a, 1)
    tensor([5., 6.])
""", notes="Unlike max(input, dim) it returns no indices, and its gradient is split evenly among equal maxima.")
DOCS["amin"] = _doc("Returns the minimum of input over all of its elements or the dimensions dim.",
    ("input", *_KEEP), ("out",), """
    >>> a = ember.tensor([[1., 5., 2.], [4., 0., 6.]])
    >>> ember.amin(a)
    tensor(0.)
    >>> ember.amin(a, 1)
    tensor([1., 0.])
""", notes="Unlike min(input, dim) it returns no indices, and its gradient is split evenly among equal minima.")
DOCS["aminmax"] = _doc("Computes the minimum and maximum of input (as amin and amax) in one call.",
    ("input",), ("dim (int, optional): the dimension to reduce. Default: None, all of them.", "keepdim"), """
    >>> ember.aminmax(ember.tensor([1., 3., 2.]))
    ember.return_types.aminmax(
    min=tensor(1.),
    max=tensor(3.))
    >>> ember.aminmax(ember.tensor([[1, 3], [4, 2]]), dim=1).max
    tensor([3, 4])
""", returns="(Tensor, Tensor): a named tuple (min, max).")
_MAXMIN = """Three forms, as torch's:

- {name}(input): the {word} of all elements, a 0-d tensor.
- {name}(input, dim, keepdim=False): a named tuple (values, indices) of the {word} along dim and
  where it is (the first such index).
- {name}(input, other): ember.{name}imum(input, other)."""
DOCS["max"] = _doc("Returns the maximum value of input, overall or along a dimension with its index.",
    ("input", "dim (int, optional): the dimension to reduce.", "keepdim",
     "other (Tensor): instead of dim, a tensor to compare with element-wise."), ("out",), """
    >>> a = ember.tensor([[1., 5., 2.], [4., 0., 6.]])
    >>> ember.max(a)
    tensor(6.)
    >>> ember.max(a, 1)
    ember.return_types.max(
    values=tensor([5., 6.]),
    indices=tensor([1, 2]))
    >>> ember.max(a, 0, keepdim=True).indices
    tensor([[1, 0, 1]])
""", notes=_MAXMIN.format(name="max", word="maximum"))
DOCS["min"] = _doc("Returns the minimum value of input, overall or along a dimension with its index.",
    ("input", "dim (int, optional): the dimension to reduce.", "keepdim",
     "other (Tensor): instead of dim, a tensor to compare with element-wise."), ("out",), """
    >>> a = ember.tensor([[1., 5., 2.], [4., 0., 6.]])
    >>> ember.min(a)
    tensor(0.)
    >>> ember.min(a, 1)
    ember.return_types.min(
    values=tensor([1., 0.]),
    indices=tensor([0, 1]))
""", notes=_MAXMIN.format(name="min", word="minimum"))
DOCS["argmax"] = _doc("Returns the indices of the maximum values of input, of the flattened tensor or along dim.",
    ("input", "dim (int, optional): the dimension to reduce. Default: None, the flattened input.", "keepdim"),
    ("out",), """
    >>> a = ember.tensor([[1., 5., 2.], [4., 0., 6.]])
    >>> ember.argmax(a)
    tensor(5)
    >>> ember.argmax(a, dim=1)
    tensor([1, 2])
""", notes="With several maxima, the index of the first.")
DOCS["argmin"] = _doc("Returns the indices of the minimum values of input, of the flattened tensor or along dim.",
    ("input", "dim (int, optional): the dimension to reduce. Default: None, the flattened input.", "keepdim"),
    ("out",), """
    >>> a = ember.tensor([[1., 5., 2.], [4., 0., 6.]])
    >>> ember.argmin(a)
    tensor(4)
    >>> ember.argmin(a, dim=1, keepdim=True)
    tensor([[0],
            [1]])
""", notes="With several minima, the index of the first.")
DOCS["all"] = _doc("Tests whether all elements of input are nonzero (True), overall or over the dimensions dim.",
    ("input", *_KEEP), ("out",), """
    >>> a = ember.tensor([[True, False], [True, True]])
    >>> ember.all(a)
    tensor(False)
    >>> ember.all(a, dim=1)
    tensor([False,  True])
    >>> ember.all(ember.tensor([1., 2.]))
    tensor(True)
""", returns="Tensor: bool (uint8 for a uint8 input, as torch's).")
DOCS["any"] = _doc("Tests whether any element of input is nonzero (True), overall or over the dimensions dim.",
    ("input", *_KEEP), ("out",), """
    >>> a = ember.tensor([[True, False], [False, False]])
    >>> ember.any(a)
    tensor(True)
    >>> ember.any(a, dim=1)
    tensor([ True, False])
""", returns="Tensor: bool (uint8 for a uint8 input, as torch's).")
_VAR = "the sample variance: sum((x - mean)^2) / max(0, N - correction)"
DOCS["var"] = _doc(f"Returns the variance of input over the dimensions dim, {_VAR}.",
    ("input", "dims", "unbiased", "keepdim"), ("correction", "out"), """
    >>> a = ember.tensor([[1., 2., 3.], [4., 6., 8.]])
    >>> ember.var(a)
    tensor(6.8000)
    >>> ember.var(a, 1)
    tensor([1., 4.])
    >>> ember.var(a, 1, correction=0)
    tensor([0.6667, 2.6667])
""")
DOCS["std"] = _doc(f"Returns the standard deviation of input over the dimensions dim, the square root of {_VAR}.",
    ("input", "dims", "unbiased", "keepdim"), ("correction", "out"), """
    >>> a = ember.tensor([[1., 2., 3.], [4., 6., 8.]])
    >>> ember.std(a)
    tensor(2.6077)
    >>> ember.std(a, 1, keepdim=True)
    tensor([[1.],
            [2.]])
""")
DOCS["var_mean"] = _doc("Returns the variance and mean of input over the dimensions dim (see ember.var).",
    ("input", "dims", "unbiased", "keepdim"), ("correction",), """
    >>> ember.var_mean(ember.tensor([[1., 2., 3.], [4., 6., 8.]]), 1)
    (tensor([1., 4.]), tensor([2., 6.]))
""", returns="(Tensor, Tensor): (var, mean).")
DOCS["std_mean"] = _doc("Returns the standard deviation and mean of input over the dimensions dim (see ember.std).",
    ("input", "dims", "unbiased", "keepdim"), ("correction",), """
    >>> ember.std_mean(ember.tensor([[1., 2., 3.], [4., 6., 8.]]), 1)
    (tensor([1., 2.]), tensor([2., 6.]))
""", returns="(Tensor, Tensor): (std, mean).")
DOCS["logsumexp"] = _doc("Returns log(sum(exp(input))) over the dimensions dim, computed without overflow.",
    ("input", "dim (int or tuple of ints): the dimension or dimensions to reduce.", "keepdim"), ("out",), """
    >>> a = ember.tensor([[0., 1000.], [0., 0.]])
    >>> ember.logsumexp(a, 1)
    tensor([1.0000e+03, 6.9315e-01])
""")
DOCS["norm"] = _doc("Returns the vector p-norm of input over the dimensions dim (or the Frobenius norm).",
    ("input",
     "p (int, float, inf, -inf or 'fro'): the order of the norm; 'fro' is the 2-norm of all the elements\n"
     "    taken as one vector. Default: 'fro'.", "dims", "keepdim"), ("out",), """
    >>> a = ember.tensor([[3., -4.], [0., 0.]])
    >>> ember.norm(a)
    tensor(5.)
    >>> ember.norm(a, 1)
    tensor(7.)
    >>> ember.norm(a, float('inf'), dim=1)
    tensor([4., 0.])
""", notes="Deprecated in torch in favour of ember.linalg.vector_norm and ember.linalg.matrix_norm.")
DOCS["dist"] = _doc("Returns the p-norm of input - other (broadcast).",
    ("input", "other (Tensor): the right-hand tensor.", "p (float, optional): the norm to compute. Default: 2."), (), """
    >>> x, y = ember.tensor([0., 0.]), ember.tensor([3., 4.])
    >>> ember.dist(x, y)
    tensor(5.)
    >>> ember.dist(x, y, 1)
    tensor(7.)
""")
DOCS["nansum"] = _doc("Returns the sum of the elements of input, NaN counted as zero (see ember.sum).",
    ("input", *_KEEP), ("reduce_dtype",), """
    >>> ember.nansum(ember.tensor([1., float('nan'), 2.]))
    tensor(3.)
""")
DOCS["nanmean"] = _doc("Returns the mean of the non-NaN elements of input (NaN where there are none).",
    ("input", *_KEEP), ("reduce_dtype",), """
    >>> a = ember.tensor([[float('nan'), 1., 2.], [1., 2., 3.]])
    >>> ember.nanmean(a)
    tensor(1.8000)
    >>> ember.nanmean(a, dim=0)
    tensor([1.0000, 1.5000, 2.5000])
""")
DOCS["nanmedian"] = _doc("Returns the median of the non-NaN values of input (NaN where all are NaN).",
    ("input", "dim (int, optional): the dimension to reduce. Default: None, all of them.", "keepdim"), (), """
    >>> a = ember.tensor([[2., 3., 1.], [float('nan'), 1., float('nan')]])
    >>> ember.nanmedian(a)
    tensor(1.)
    >>> ember.nanmedian(a, 1)
    ember.return_types.nanmedian(
    values=tensor([2., 1.]),
    indices=tensor([0, 1]))
""", notes="With dim, a named tuple (values, indices); the lower of the two middle values for an even count.")
DOCS["nanquantile"] = _doc("Returns the q-th quantiles of input ignoring NaN (NaN where a row has no numbers).",
    ("input", "q (float or Tensor): the quantile or quantiles, in [0, 1].",
     "dim (int, optional): the dimension to reduce. Default: None, the flattened input.", "keepdim"),
    ("interpolation (str): 'linear', 'lower', 'higher', 'midpoint' or 'nearest', for a quantile\n"
     "    between two values. Default: 'linear'.",), """
    >>> a = ember.tensor([float('nan'), 1., 2.])
    >>> ember.nanquantile(a, 0.5)
    tensor(1.5000)
    >>> ember.nanquantile(a, ember.tensor([0., 0.25, 1.]))
    tensor([1.0000, 1.2500, 2.0000])
""")
DOCS["kthvalue"] = _doc("Returns the k-th smallest element of input along dim and its index.",
    ("input", "k (int): k for the k-th smallest element, from 1.",
     "dim (int, optional): the dimension to find the kth value along. Default: -1.", "keepdim"), (), """
    >>> x = ember.tensor([3., 1., 2., 5.])
    >>> ember.kthvalue(x, 2)
    ember.return_types.kthvalue(
    values=tensor(2.),
    indices=tensor(2))
""", notes="NaN counts as the largest value.", returns="(Tensor, Tensor): a named tuple (values, indices).")
_TOLERANCES = ("rtol (float, optional): relative tolerance. Default: 1e-05.",
               "atol (float, optional): absolute tolerance. Default: 1e-08.",
               "equal_nan (bool, optional): whether two NaN count as equal. Default: False.")
DOCS["isclose"] = _doc("Tests, element by element, whether |input - other| <= atol + rtol * |other|.",
    ("input", "other (Tensor): the second tensor to compare, broadcast against input.", *_TOLERANCES), (), """
    >>> ember.isclose(ember.tensor([1., 2., 3.]), ember.tensor([1 + 1e-10, 3., 4.]))
    tensor([ True, False, False])
    >>> ember.isclose(ember.tensor([float('nan'), 1.]), ember.tensor([float('nan'), 1.]), equal_nan=True)
    tensor([True, True])
""", returns="Tensor: bool, the broadcast shape.")
DOCS["allclose"] = _doc("Tests whether every element of input is close to other's: |input - other| <= atol + rtol * |other|.",
    ("input", "other (Tensor): the second tensor to compare, broadcast against input.", *_TOLERANCES), (), """
    >>> ember.allclose(ember.tensor([10000., 1e-07]), ember.tensor([10000.1, 1e-08]))
    False
    >>> ember.allclose(ember.tensor([10000., 1e-08]), ember.tensor([10000.1, 1e-09]))
    True
    >>> ember.allclose(ember.tensor([1.0, float('nan')]), ember.tensor([1.0, float('nan')]), equal_nan=True)
    True
""", returns="bool")
DOCS["equal"] = _doc("Tests whether input and other have the same size and elements.",
    ("input", "other (Tensor): the tensor to compare with."), (), """
    >>> ember.equal(ember.tensor([1, 2]), ember.tensor([1, 2]))
    True
    >>> ember.equal(ember.tensor([1, 2]), ember.tensor([1, 2, 3]))
    False
""", returns="bool")

# ---- shapes, joins and splits ----
DOCS["reshape"] = _doc("Returns a tensor with the same data and number of elements as input, of the given shape.",
    ("input", "shape (tuple of int): the new shape; one dimension may be -1, inferred from the others."), (), """
    >>> a = ember.arange(4.)
    >>> ember.reshape(a, (2, 2))
    tensor([[0., 1.],
            [2., 3.]])
    >>> ember.reshape(ember.tensor([[0, 1], [2, 3]]), (-1,))
    tensor([0, 1, 2, 3])
""", notes="A view of input when its strides allow it, else a copy; do not rely on either.")
DOCS["flatten"] = _doc("Flattens the dimensions start_dim to end_dim of input into one.",
    ("input", "start_dim (int): the first dim to flatten. Default: 0.",
     "end_dim (int): the last dim to flatten. Default: -1."), (), """
    >>> t = ember.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
    >>> ember.flatten(t)
    tensor([1, 2, 3, 4, 5, 6, 7, 8])
    >>> ember.flatten(t, start_dim=1)
    tensor([[1, 2, 3, 4],
            [5, 6, 7, 8]])
""")
DOCS["unflatten"] = _doc("Expands the dimension dim of input over several dimensions of the given sizes.",
    ("input", "dim (int): the dimension to unflatten.",
     "sizes (tuple of int): the new shape of that dimension; one may be -1."), (), """
    >>> ember.unflatten(ember.randn(3, 4, 1), 1, (2, 2)).shape
    ember.Size([3, 2, 2, 1])
    >>> ember.unflatten(ember.randn(5, 12, 3), -2, (2, 2, 3, 1, 1)).shape
    ember.Size([5, 2, 2, 3, 1, 1, 3])
""")
DOCS["ravel"] = _doc("Returns input flattened to 1-D (a view when it can be, else a copy).",
    ("input",), (), """
    >>> ember.ravel(ember.tensor([[1, 2], [3, 4]]))
    tensor([1, 2, 3, 4])
""")
DOCS["permute"] = _doc("Returns a view of input with its dimensions reordered.",
    ("input", "dims (tuple of int): the desired ordering of dimensions."), (), """
    >>> ember.permute(ember.randn(2, 3, 5), (2, 0, 1)).shape
    ember.Size([5, 2, 3])
""")
DOCS["t"] = _doc("Returns input (at most 2-D) with dimensions 0 and 1 swapped; 0-D and 1-D input as it is.",
    ("input",), (), """
    >>> ember.t(ember.tensor([[1, 2, 3], [4, 5, 6]]))
    tensor([[1, 4],
            [2, 5],
            [3, 6]])
""")
DOCS["swapdims"] = _doc("Returns a view of input with the dimensions dim0 and dim1 swapped (ember.transpose).",
    ("input", "dim0 (int): the first dimension to be swapped.", "dim1 (int): the second dimension to be swapped."), (), """
    >>> ember.swapdims(ember.tensor([[1, 2, 3], [4, 5, 6]]), 0, 1)
    tensor([[1, 4],
            [2, 5],
            [3, 6]])
""")
DOCS["swapaxes"] = _doc("Returns a view of input with the axes axis0 and axis1 swapped (NumPy's name for ember.transpose).",
    ("input", "axis0 (int): the first dimension to be swapped.", "axis1 (int): the second dimension to be swapped."), (), """
    >>> ember.swapaxes(ember.zeros(2, 3, 4), 0, 2).shape
    ember.Size([4, 3, 2])
""")
DOCS["squeeze"] = _doc("Returns a view of input with the dimensions of size 1 removed (all of them, or those in dim).",
    ("input", "dim (int or tuple of ints, optional): only these dimensions are squeezed (those not of\n"
              "    size 1 are left). Default: None, all of them."), (), """
    >>> x = ember.zeros(2, 1, 2, 1, 2)
    >>> ember.squeeze(x).shape
    ember.Size([2, 2, 2])
    >>> ember.squeeze(x, 0).shape
    ember.Size([2, 1, 2, 1, 2])
    >>> ember.squeeze(x, 1).shape
    ember.Size([2, 2, 1, 2])
    >>> ember.squeeze(x, (1, 3)).shape
    ember.Size([2, 2, 2])
""")
DOCS["unsqueeze"] = _doc("Returns a view of input with a dimension of size one inserted at dim.",
    ("input", "dim (int): the index at which to insert the singleton dimension, in\n"
              "    [-input.dim() - 1, input.dim()]."), (), """
    >>> x = ember.tensor([1, 2, 3, 4])
    >>> ember.unsqueeze(x, 0)
    tensor([[1, 2, 3, 4]])
    >>> ember.unsqueeze(x, 1)
    tensor([[1],
            [2],
            [3],
            [4]])
""")
DOCS["narrow"] = _doc("Returns a view of input narrowed along dim to the elements start to start + length - 1.",
    ("input", "dim (int): the dimension along which to narrow.",
     "start (int or Tensor): the index of the first element (negative from the end).",
     "length (int): the number of elements."), (), """
    >>> x = ember.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    >>> ember.narrow(x, 0, 0, 2)
    tensor([[1, 2, 3],
            [4, 5, 6]])
    >>> ember.narrow(x, 1, 1, 2)
    tensor([[2, 3],
            [5, 6],
            [8, 9]])
""")
DOCS["narrow_copy"] = _doc("Returns a copy of ember.narrow(input, dim, start, length) (a new tensor, not a view).",
    ("input", "dim (int): the dimension along which to narrow.", "start (int): the index of the first element.",
     "length (int): the number of elements."), (), """
    >>> ember.narrow_copy(ember.arange(5), 0, 1, 2)
    tensor([1, 2])
""")
DOCS["select"] = _doc("Returns a view of input at index along dim, that dimension removed.",
    ("input", "dim (int): the dimension to slice.", "index (int): the index to select with."), (), """
    >>> x = ember.tensor([[1, 2, 3], [4, 5, 6]])
    >>> ember.select(x, 0, 1)
    tensor([4, 5, 6])
    >>> ember.select(x, 1, -1)
    tensor([3, 6])
""", notes="ember.select(x, 0, i) is x[i].")
DOCS["unbind"] = _doc("Removes the dimension dim, returning the slices along it as a tuple of views.",
    ("input", "dim (int): the dimension to remove. Default: 0."), (), """
    >>> ember.unbind(ember.tensor([[1, 2, 3], [4, 5, 6]]))
    (tensor([1, 2, 3]), tensor([4, 5, 6]))
""", returns="tuple of Tensors")
DOCS["broadcast_to"] = _doc("Returns a view of input broadcast to the shape size (as Tensor.expand).",
    ("input", "size (tuple of int): the new shape; -1 keeps a dimension's size."), (), """
    >>> ember.broadcast_to(ember.tensor([1, 2, 3]), (2, 3))
    tensor([[1, 2, 3],
            [1, 2, 3]])
""")
DOCS["broadcast_shapes"] = _doc("Returns the shape that tensors of the given shapes broadcast to, without making them.",
    ("*shapes (ember.Size or tuple of ints): the shapes (an int is a 1-D shape).",), (), """
    >>> ember.broadcast_shapes((2,), (3, 1), (1, 1, 1))
    ember.Size([1, 3, 2])
""", returns="ember.Size: the broadcast shape (a RuntimeError if they do not broadcast).")
DOCS["cat"] = _doc("Concatenates tensors along the dimension dim; they must have the same shape elsewhere.",
    ("tensors",
     "dim (int, optional): the dimension over which the tensors are concatenated. Default: 0."), ("out",), """
    >>> x = ember.tensor([[1., 2., 3.], [4., 5., 6.]])
    >>> ember.cat((x, x), 0).shape
    ember.Size([4, 3])
    >>> ember.cat((x, x, x), 1)
    tensor([[1., 2., 3., 1., 2., 3., 1., 2., 3.],
            [4., 5., 6., 4., 5., 6., 4., 5., 6.]])
""", notes="1-D tensors of size 0 are skipped, as torch's.")
DOCS["concat"] = _doc("Concatenates tensors along the dimension dim (an alias of ember.cat).",
    ("tensors", "dim (int, optional): the dimension over which the tensors are concatenated. Default: 0."),
    ("out",), """
    >>> ember.concat([ember.zeros(1, 2), ember.ones(1, 2)], dim=1)
    tensor([[0., 0., 1., 1.]])
""")
DOCS["concatenate"] = _doc("Concatenates tensors along the axis axis (ember.cat with NumPy's argument name).",
    ("tensors", "axis (int, optional): the dimension over which the tensors are concatenated. Default: 0."), (), """
    >>> ember.concatenate([ember.ones(1), ember.zeros(1)])
    tensor([1., 0.])
""")
DOCS["stack"] = _doc("Joins tensors of one shape along a new dimension dim.",
    ("tensors (sequence of Tensors): the tensors, all of one shape.",
     "dim (int, optional): the dimension to insert, in [0, tensors[0].dim()]. Default: 0."), ("out",), """
    >>> x = ember.tensor([[1, 2], [3, 4]])
    >>> ember.stack((x, x)).shape
    ember.Size([2, 2, 2])
    >>> ember.stack((x, x), dim=2)
    tensor([[[1, 1],
             [2, 2]],
    <BLANKLINE>
            [[3, 3],
             [4, 4]]])
""")
DOCS["hstack"] = _doc("Stacks tensors horizontally: concatenates along dim 1 (dim 0 for 1-D tensors).",
    ("tensors (sequence of Tensors): the tensors to concatenate.",), (), """
    >>> ember.hstack([ember.tensor([1, 2]), ember.tensor([3])])
    tensor([1, 2, 3])
    >>> ember.hstack([ember.tensor([[1], [2]]), ember.tensor([[4], [5]])])
    tensor([[1, 4],
            [2, 5]])
""")
DOCS["vstack"] = _doc("Stacks tensors vertically: concatenates along dim 0 the tensors made at least 2-D.",
    ("tensors (sequence of Tensors): the tensors to concatenate.",), (), """
    >>> ember.vstack([ember.tensor([1, 2]), ember.tensor([3, 4])])
    tensor([[1, 2],
            [3, 4]])
""", notes="ember.row_stack is the same function.")
DOCS["dstack"] = _doc("Stacks tensors depthwise: concatenates along dim 2 the tensors made at least 3-D.",
    ("tensors (sequence of Tensors): the tensors to concatenate.",), (), """
    >>> ember.dstack([ember.tensor([1, 2]), ember.tensor([3, 4])])
    tensor([[[1, 3],
             [2, 4]]])
    >>> ember.dstack([ember.ones(2, 2), ember.zeros(2, 2)]).shape
    ember.Size([2, 2, 2])
""")
DOCS["column_stack"] = _doc("Stacks tensors as columns: 0-D and 1-D tensors as columns, then concatenated along dim 1.",
    ("tensors (sequence of Tensors): the tensors to concatenate.",), (), """
    >>> ember.column_stack([ember.tensor([1, 2]), ember.tensor([3, 4])])
    tensor([[1, 3],
            [2, 4]])
""")
DOCS["block_diag"] = _doc("Creates a block-diagonal matrix from the tensors (0-D and 1-D ones as one row each).",
    ("*tensors (Tensor): the blocks, of at most 2 dimensions.",), (), """
    >>> ember.block_diag(ember.ones(1, 1), ember.ones(1, 2) * 2, ember.tensor([[3], [3]]))
    tensor([[1., 0., 0., 0.],
            [0., 2., 2., 0.],
            [0., 0., 0., 3.],
            [0., 0., 0., 3.]])
""")
DOCS["chunk"] = _doc("Splits input into the given number of chunks along dim, as views (the last may be smaller).",
    ("input", "chunks (int): the number of chunks to return.",
     "dim (int): the dimension along which to split. Default: 0."), (), """
    >>> ember.chunk(ember.arange(11), 6)
    (tensor([0, 1]), tensor([2, 3]), tensor([4, 5]), tensor([6, 7]), tensor([8, 9]), tensor([10]))
    >>> ember.chunk(ember.arange(6), 4)
    (tensor([0, 1]), tensor([2, 3]), tensor([4, 5]))
""", notes="Fewer than chunks may come back, as torch's (each chunk has ceil(size / chunks) elements).",
    returns="tuple of Tensors")
DOCS["split"] = _doc("Splits input into views along dim, of split_size each or of the sizes listed.",
    ("input (Tensor): the tensor to split.",
     "split_size_or_sections (int or list of ints): the size of each chunk (the last may be smaller),\n"
     "    or the list of sizes, summing to input's size along dim.",
     "dim (int): the dimension along which to split. Default: 0."), (), """
    >>> a = ember.arange(10).reshape(5, 2)
    >>> ember.split(a, 2)
    (tensor([[0, 1],
            [2, 3]]), tensor([[4, 5],
            [6, 7]]), tensor([[8, 9]]))
    >>> ember.split(a, [1, 4])
    (tensor([[0, 1]]), tensor([[2, 3],
            [4, 5],
            [6, 7],
            [8, 9]]))
""", returns="tuple of Tensors")
_SECTIONS = ("indices_or_sections (int or list of ints): an int n: n equal parts (n must divide the\n"
             "    size); a list of indices: the parts start at them.")
DOCS["hsplit"] = _doc("Splits input horizontally: ember.tensor_split along dim 1 (dim 0 for 1-D input).",
    ("input", _SECTIONS), (), """
    >>> ember.hsplit(ember.arange(16.).reshape(4, 4), 2)[0]
    tensor([[ 0.,  1.],
            [ 4.,  5.],
            [ 8.,  9.],
            [12., 13.]])
    >>> [t.shape for t in ember.hsplit(ember.arange(6), [2, 3])]
    [ember.Size([2]), ember.Size([1]), ember.Size([3])]
""", returns="tuple of Tensors")
DOCS["vsplit"] = _doc("Splits input vertically: ember.tensor_split along dim 0 (input at least 2-D).",
    ("input", _SECTIONS), (), """
    >>> ember.vsplit(ember.arange(16.).reshape(4, 4), [3])
    (tensor([[ 0.,  1.,  2.,  3.],
            [ 4.,  5.,  6.,  7.],
            [ 8.,  9., 10., 11.]]), tensor([[12., 13., 14., 15.]]))
""", returns="tuple of Tensors")
DOCS["dsplit"] = _doc("Splits input depthwise: ember.tensor_split along dim 2 (input at least 3-D).",
    ("input", _SECTIONS), (), """
    >>> [t.shape for t in ember.dsplit(ember.ones(2, 2, 4), 2)]
    [ember.Size([2, 2, 2]), ember.Size([2, 2, 2])]
""", returns="tuple of Tensors")

# ---- indexing ----
DOCS["gather"] = _doc("Gathers values of input along dim at index: out[i][j] = input[index[i][j]][j] for dim 0.",
    ("input (Tensor): the source tensor.", "dim (int): the axis along which to index.",
     "index (Tensor): the int64 indices, of input's number of dimensions (no larger than input in\n"
     "    the other dimensions); the result has its shape."),
    ("sparse_grad (bool): taken for PyTorch's signature; ember's gradient is dense either way.", "out"), """
    >>> t = ember.tensor([[1, 2], [3, 4]])
    >>> ember.gather(t, 1, ember.tensor([[0, 0], [1, 0]]))
    tensor([[1, 1],
            [4, 3]])
""", notes="For a 2-D input: out[i][j] = input[index[i][j]][j] (dim 0), input[i][index[i][j]] (dim 1).")
DOCS["scatter"] = _doc("Returns a copy of input with the values of src written at index along dim (gather's inverse).",
    ("input (Tensor): the destination.", "dim (int): the axis along which to index.",
     "index (Tensor): the int64 indices of the elements to scatter.",
     "src (Tensor or float): the values to scatter, read at the positions of index (or one value)."), (), """
    >>> src = ember.arange(1, 11).reshape((2, 5))
    >>> index = ember.tensor([[0, 1, 2, 0]])
    >>> ember.scatter(ember.zeros(3, 5, dtype=src.dtype), 0, index, src)
    tensor([[1, 0, 0, 4, 0],
            [0, 2, 0, 0, 0],
            [0, 0, 3, 0, 0]])
    >>> ember.scatter(ember.zeros(2, 4), 1, ember.tensor([[2], [3]]), 1.23)
    tensor([[0.0000, 0.0000, 1.2300, 0.0000],
            [0.0000, 0.0000, 0.0000, 1.2300]])
""", notes="With an index repeated, which value is written is unspecified (as torch's).")
DOCS["scatter_add"] = _doc("Returns a copy of input with the values of src added at index along dim (repeats accumulate).",
    ("input (Tensor): the destination.", "dim (int): the axis along which to index.",
     "index (Tensor): the int64 indices of the elements to scatter and add.",
     "src (Tensor): the values to add, read at the positions of index."), (), """
    >>> src = ember.ones((2, 5))
    >>> index = ember.tensor([[0, 1, 2, 0, 0]])
    >>> ember.scatter_add(ember.zeros(3, 5), 0, index, src)
    tensor([[1., 0., 0., 1., 1.],
            [0., 1., 0., 0., 0.],
            [0., 0., 1., 0., 0.]])
""")
DOCS["index_select"] = _doc("Returns the entries of input along dim at the positions in index (a new tensor).",
    ("input", "dim (int): the dimension in which we index.", "index (Tensor): the 1-D int64 (or int32) indices."),
    ("out",), """
    >>> x = ember.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    >>> ember.index_select(x, 0, ember.tensor([0, 2]))
    tensor([[1, 2, 3],
            [7, 8, 9]])
    >>> ember.index_select(x, 1, ember.tensor([2, 2]))
    tensor([[3, 3],
            [6, 6],
            [9, 9]])
""")
DOCS["index_copy"] = _doc("Returns a copy of input with the slices of source written at the positions in index along dim.",
    ("input", "dim (int): the dimension along which to index.", "index (Tensor): the 1-D int64 indices.",
     "source (Tensor): the slices, one for each index."), (), """
    >>> ember.index_copy(ember.zeros(3, 2), 0, ember.tensor([0, 2]), ember.tensor([[1., 2.], [3., 4.]]))
    tensor([[1., 2.],
            [0., 0.],
            [3., 4.]])
""")
DOCS["index_fill"] = _doc("Returns a copy of input with value written in the slices at the positions in index along dim.",
    ("input", "dim (int): the dimension along which to index.", "index (Tensor): the 1-D int64 indices.",
     "value (float): the value to fill with."), (), """
    >>> ember.index_fill(ember.zeros(2, 3), 1, ember.tensor([0, 2]), -1.)
    tensor([[-1.,  0., -1.],
            [-1.,  0., -1.]])
""")
DOCS["index_put"] = _doc("Returns a copy of input with values put at the indices: out[indices] = values.",
    ("input", "indices (tuple of Tensors): one int64 (or bool mask) tensor per leading dimension, as\n"
              "    in input[indices].",
     "values (Tensor): the values, broadcast to the indexed shape.",
     "accumulate (bool): add values into input rather than write them (repeated indices add up).\n"
     "    Default: False."), (), """
    >>> x = ember.zeros(3)
    >>> ember.index_put(x, (ember.tensor([0, 2]),), ember.tensor(5.))
    tensor([5., 0., 5.])
    >>> ember.index_put(x, (ember.tensor([1, 1]),), ember.tensor([1., 2.]), accumulate=True)
    tensor([0., 3., 0.])
""")
DOCS["masked_fill"] = _doc("Returns a copy of input with value written where mask is True.",
    ("input", "mask (Tensor): the bool mask, broadcast against input.",
     "value (float or 0-d Tensor): the value to fill in with."), (), """
    >>> x = ember.tensor([[1., 2.], [3., 4.]])
    >>> ember.masked_fill(x, x > 2, 0.)
    tensor([[1., 2.],
            [0., 0.]])
""")
DOCS["masked_select"] = _doc("Returns a new 1-D tensor of the elements of input where the bool mask is True.",
    ("input", "mask (Tensor): the bool mask, broadcast against input."), ("out",), """
    >>> x = ember.tensor([[1., -2.], [3., -4.]])
    >>> ember.masked_select(x, x > 0)
    tensor([1., 3.])
""")
DOCS["take"] = _doc("Returns the elements of input read as 1-D at index, in index's shape.",
    ("input", "index (Tensor): the int64 indices into the flattened input (negative from the end)."), (), """
    >>> ember.take(ember.tensor([[4, 3, 5], [6, 7, 8]]), ember.tensor([0, 2, 5]))
    tensor([4, 5, 8])
""")
DOCS["nonzero"] = _doc("Returns the indices of the nonzero elements of input.",
    ("input",), ("as_tuple (bool): one 1-D tensor per dimension instead of one 2-D tensor. Default: False.",), """
    >>> x = ember.tensor([[0.6, 0.0], [0.0, 0.4]])
    >>> ember.nonzero(x)
    tensor([[0, 0],
            [1, 1]])
    >>> ember.nonzero(x, as_tuple=True)
    (tensor([0, 1]), tensor([0, 1]))
""", returns="Tensor or tuple of Tensors: a (z, input.dim()) int64 tensor, one row per nonzero element\n"
             "    in row-major order; or, with as_tuple, input.dim() tensors of z indices.")
DOCS["where"] = _doc("Returns elements chosen from input where condition is True, else from other.",
    ("condition (Tensor): the bool mask.", "input (Tensor or Number): the values where condition is True.",
     "other (Tensor or Number): the values where condition is False."), ("out",), """
    >>> x = ember.tensor([[-1., 2.], [3., -4.]])
    >>> ember.where(x > 0, x, 0.)
    tensor([[0., 2.],
            [3., 0.]])
    >>> ember.where(x > 0, 1, -1)
    tensor([[-1,  1],
            [ 1, -1]])
""", notes="The three broadcast together; the dtype is that of input and other promoted.")

# ---- matrices ----
DOCS["matmul"] = _doc("Matrix product of two tensors, by their numbers of dimensions as torch's.",
    ("input (Tensor): the first tensor to be multiplied.", "other (Tensor): the second tensor to be multiplied."),
    ("out",), """
    >>> ember.matmul(ember.randn(3), ember.randn(3)).shape
    ember.Size([])
    >>> ember.matmul(ember.randn(3, 4), ember.randn(4)).shape
    ember.Size([3])
    >>> ember.matmul(ember.randn(10, 3, 4), ember.randn(4, 5)).shape
    ember.Size([10, 3, 5])
    >>> ember.matmul(ember.randn(10, 1, 3, 4), ember.randn(2, 4, 5)).shape
    ember.Size([10, 2, 3, 5])
    >>> ember.matmul(ember.tensor([[1., 2.], [3., 4.]]), ember.tensor([[1.], [1.]]))
    tensor([[3.],
            [7.]])
""", notes="""- both 1-D: the dot product (a 0-d tensor);
- both 2-D: the matrix-matrix product;
- 1-D and 2-D: a 1 is prepended to the first's shape (appended to the second's), then removed;
- more than 2-D: a batched matrix product; the batch dimensions broadcast.""")
DOCS["mm"] = _doc("Matrix product of the (n x m) input and the (m x p) mat2, an (n x p) tensor (no broadcasting).",
    ("input (Tensor): the first matrix to be multiplied.", "mat2 (Tensor): the second matrix to be multiplied."),
    ("out",), """
    >>> ember.mm(ember.tensor([[1., 2.], [3., 4.]]), ember.tensor([[0., 1.], [1., 0.]]))
    tensor([[2., 1.],
            [4., 3.]])
""")
DOCS["bmm"] = _doc("Batched matrix product of the (b x n x m) input and the (b x m x p) mat2, (b x n x p).",
    ("input (Tensor): the first batch of matrices to be multiplied.",
     "mat2 (Tensor): the second batch of matrices to be multiplied."), ("out",), """
    >>> ember.bmm(ember.randn(10, 3, 4), ember.randn(10, 4, 5)).shape
    ember.Size([10, 3, 5])
""", notes="No broadcasting: see ember.matmul for it.")
DOCS["mv"] = _doc("Matrix-vector product of the (n x m) input and the m-vector vec, an n-vector.",
    ("input (Tensor): the matrix to be multiplied.", "vec (Tensor): the vector to be multiplied."), ("out",), """
    >>> ember.mv(ember.tensor([[1., 2.], [3., 4.]]), ember.tensor([1., -1.]))
    tensor([-1., -1.])
""")
DOCS["dot"] = _doc("Computes the dot product of two 1-D tensors of the same number of elements.",
    ("input (Tensor): the first tensor in the dot product, 1-D.",
     "other (Tensor): the second tensor in the dot product, 1-D."), ("out",), """
    >>> ember.dot(ember.tensor([2, 3]), ember.tensor([2, 1]))
    tensor(7)
""", notes="Unlike NumPy's dot, it takes only 1-D tensors (of one dtype, as torch's).")
DOCS["outer"] = _doc("Outer product of the vectors input (n) and vec2 (m), an (n x m) matrix.",
    ("input (Tensor): the 1-D input vector.", "vec2 (Tensor): the 1-D input vector."), ("out",), """
    >>> ember.outer(ember.arange(1., 5.), ember.arange(1., 4.))
    tensor([[ 1.,  2.,  3.],
            [ 2.,  4.,  6.],
            [ 3.,  6.,  9.],
            [ 4.,  8., 12.]])
""")

# ---- activations and clamps ----
DOCS["softmax"] = _doc("Applies softmax along dim: exp(x_i) / sum_j exp(x_j), each slice summing to 1.",
    ("input", "dim (int): the dimension along which softmax is computed.",
     "dtype (ember.dtype, optional): input is cast to it first (to avoid overflow). Default: None."), (), """
    >>> ember.softmax(ember.tensor([[1., 2., 3.], [1., 1., 1.]]), dim=1)
    tensor([[0.0900, 0.2447, 0.6652],
            [0.3333, 0.3333, 0.3333]])
""")
DOCS["log_softmax"] = _doc("Applies log(softmax(x)) along dim, computed stably (x - logsumexp(x)).",
    ("input", "dim (int): the dimension along which log_softmax is computed.",
     "dtype (ember.dtype, optional): input is cast to it first (to avoid overflow). Default: None."), (), """
    >>> ember.log_softmax(ember.tensor([[1., 2., 3.], [1., 1., 1.]]), dim=1)
    tensor([[-2.4076, -1.4076, -0.4076],
            [-1.0986, -1.0986, -1.0986]])
""")
DOCS["clamp"] = _doc("Clamps each element of input into [min, max]: min(max(input_i, min_i), max_i).",
    ("input", "min (Number or Tensor, optional): lower bound. Default: None.",
     "max (Number or Tensor, optional): upper bound. Default: None."), ("out",), """
    >>> a = ember.tensor([-1.7, 0.1, 0.6, 2.3])
    >>> ember.clamp(a, min=-0.5, max=0.5)
    tensor([-0.5000,  0.1000,  0.5000,  0.5000])
    >>> ember.clamp(a, min=ember.tensor([0., 0., 1., 1.]))
    tensor([0.0000, 0.1000, 1.0000, 2.3000])
""", notes="At least one of min and max must be given; where min > max, the result is max.")
DOCS["clamp_min"] = _doc("Clamps each element of input from below: max(input_i, min).",
    ("input", "min (Number or Tensor): lower bound."), (), """
    >>> ember.clamp_min(ember.tensor([-1., 0.5, 2.]), 0.)
    tensor([0.0000, 0.5000, 2.0000])
""")
DOCS["clamp_max"] = _doc("Clamps each element of input from above: min(input_i, max).",
    ("input", "max (Number or Tensor): upper bound."), (), """
    >>> ember.clamp_max(ember.tensor([-1., 0.5, 2.]), 1.)
    tensor([-1.0000,  0.5000,  1.0000])
""")
DOCS["nn.functional.gelu"] = _doc("Applies the Gaussian Error Linear Unit x * Phi(x) element-wise (Phi: the normal CDF).",
    ("input",), ("approximate (str): 'none' for the exact erf form, 'tanh' for\n"
                 "    0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))). Default: 'none'.",), """
    >>> F = ember.nn.functional
    >>> F.gelu(ember.tensor([-1., 0., 1.]))
    tensor([-0.1587,  0.0000,  0.8413])
    >>> F.gelu(ember.tensor([-1., 0., 1.]), approximate='tanh')
    tensor([-0.1588,  0.0000,  0.8412])
""")
DOCS["nn.functional.logsigmoid"] = _doc("Applies log(1 / (1 + e^-x)) element-wise, computed stably.",
    ("input",), (), """
    >>> ember.nn.functional.logsigmoid(ember.tensor([-100., 0., 1.]))
    tensor([-100.0000,   -0.6931,   -0.3133])
""")
DOCS["nn.functional.softplus"] = _doc("Applies softplus 1/beta * log(1 + e^(beta * x)) element-wise; linear above threshold.",
    ("input", "beta (float): the beta of the formula. Default: 1.",
     "threshold (float): where beta * x exceeds it, the result is x. Default: 20."), (), """
    >>> ember.nn.functional.softplus(ember.tensor([-1., 0., 30.]))
    tensor([ 0.3133,  0.6931, 30.0000])
""")
DOCS["nn.functional.prelu"] = _doc("Applies PReLU element-wise: max(0, x) + weight * min(0, x).",
    ("input", "weight (Tensor): the slopes of the negative part: one, or one per channel (dim 1)."), (), """
    >>> ember.nn.functional.prelu(ember.tensor([-1., 2.]), ember.tensor([0.25]))
    tensor([-0.2500,  2.0000])
""")
DOCS["nn.functional.one_hot"] = _doc("Turns int64 class indices into one-hot rows along a new last dimension.",
    ("input (Tensor): the int64 class indices, of any shape.",
     "num_classes (int): the number of classes; -1 for input.max() + 1. Default: -1."), (), """
    >>> F = ember.nn.functional
    >>> F.one_hot(ember.arange(0, 5) % 3)
    tensor([[1, 0, 0],
            [0, 1, 0],
            [0, 0, 1],
            [1, 0, 0],
            [0, 1, 0]])
    >>> F.one_hot(ember.tensor([0, 2]), num_classes=4)
    tensor([[1, 0, 0, 0],
            [0, 0, 1, 0]])
""", returns="Tensor: int64, of shape input.shape + (num_classes,).")

# ---- dtypes, predicates, grad mode ----
DOCS["promote_types"] = _doc("Returns the smallest dtype to which both type1 and type2 can be cast (torch's promotion table).",
    ("type1 (ember.dtype)", "type2 (ember.dtype)"), (), """
    >>> ember.promote_types(ember.int32, ember.float32)
    ember.float32
    >>> ember.promote_types(ember.uint8, ember.int8)
    ember.int16
    >>> ember.promote_types(ember.bool, ember.int16)
    ember.int16
""")
DOCS["result_type"] = _doc("Returns the dtype an arithmetic op on the two tensors gives (0-d tensors weigh less, as torch's).",
    ("tensor1 (Tensor)", "tensor2 (Tensor)"), (), """
    >>> ember.result_type(ember.tensor([1, 2], dtype=ember.int32), ember.tensor([1.]))
    ember.float32
    >>> ember.result_type(ember.tensor([1, 2], dtype=ember.uint8), ember.tensor(1))
    ember.uint8
""", notes="Only tensors, unlike torch's (which also takes Python numbers).")
DOCS["is_tensor"] = _doc("Returns True if obj is an ember.Tensor (or a subclass of it, such as nn.Parameter).",
    ("obj (object): the object to test.",), (), """
    >>> ember.is_tensor(ember.tensor([1, 2]))
    True
    >>> ember.is_tensor([1, 2])
    False
""")
DOCS["is_floating_point"] = _doc("Returns True if input's dtype is a floating one (float16, bfloat16, float32 or float64).",
    ("input",), (), """
    >>> ember.is_floating_point(ember.tensor([1.]))
    True
    >>> ember.is_floating_point(ember.tensor([1]))
    False
""")
DOCS["is_complex"] = _doc("Returns True if input's dtype is complex: always False, as ember has no complex dtypes.",
    ("input",), (), """
    >>> ember.is_complex(ember.tensor([1.]))
    False
""")
DOCS["isreal"] = _doc("Tests whether each element of input is real: all True, as ember has no complex dtypes.",
    ("input",), (), """
    >>> ember.isreal(ember.tensor([1., float('nan')]))
    tensor([True, True])
""", returns="Tensor: bool, input's shape.")
DOCS["is_nonzero"] = _doc("Returns True if the one-element input is not zero (a RuntimeError for other sizes).",
    ("input",), (), """
    >>> ember.is_nonzero(ember.tensor([0.]))
    False
    >>> ember.is_nonzero(ember.tensor([[1.5]]))
    True
    >>> ember.is_nonzero(ember.tensor(False))
    False
""")
DOCS["is_grad_enabled"] = _doc("Returns True if gradient recording is enabled (see ember.no_grad and ember.set_grad_enabled).",
    example="""
    >>> ember.is_grad_enabled()
    True
    >>> with ember.no_grad():
    ...     ember.is_grad_enabled()
    False
""")

# ---- classes ----
DOCS["Tensor"] = _doc("A multi-dimensional array of one dtype on one device, recorded by autograd when it requires grad.",
    ("*args: as torch.Tensor's legacy constructor: sizes (ember.Tensor(2, 3), uninitialized float32),\n"
     "    or data (ember.Tensor([1, 2]), copied as float32); none gives an empty tensor. Prefer\n"
     "    ember.tensor, ember.empty and the other factory functions.",), (), """
    >>> x = ember.tensor([[1., -1.], [1., 1.]], requires_grad=True)
    >>> x.shape, x.dtype, x.device
    (ember.Size([2, 2]), ember.float32, device(type='cpu'))
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([[ 2., -2.],
            [ 2.,  2.]])
    >>> ember.Tensor([1, 2])
    tensor([1., 2.])
    >>> ember.Tensor(2, 3).shape
    ember.Size([2, 3])
""", notes="""A tensor is a cheap handle to storage with sizes, strides and an offset: views (x[0], x.t(),
x.view(...)) share it. Its methods mirror the ember functions (x.sum() is ember.sum(x)); those
ending in _ write in place (x.add_(1)). Printing follows torch's format.""")
DOCS["Node"] = _doc("A recorded operation of the autograd graph: a tensor's grad_fn.",
    ("(none: nodes are made by the ops that record them, never by hand.)",), (), """
    >>> x = ember.ones(2, requires_grad=True)
    >>> y = (x * 2).sum()
    >>> y.grad_fn
    <SumBackward0 object at 0x...>
    >>> y.grad_fn.name()
    'SumBackward0'
    >>> y.grad_fn.next_functions
    ((<MulBackward0 object at 0x...>, 0),)
""", notes="""name() is the op's backward name (as torch's, e.g. SumBackward0); next_functions pairs each input's
node with its output index (AccumulateGrad for a leaf, None for an input not requiring grad).""")
DOCS["Generator"] = _doc("A seedable source of random numbers for the random ops (their generator argument).",
    ("device (str or ember.device, optional): the device of the generator. Default: 'cpu'.",), (), """
    >>> g = ember.Generator().manual_seed(7)
    >>> a = ember.rand(3, generator=g)
    >>> _ = g.manual_seed(7)
    >>> bool((ember.rand(3, generator=g) == a).all())
    True
    >>> g.initial_seed()
    7
""", notes="""manual_seed(seed) seeds it (and returns it), seed() seeds it randomly, initial_seed() returns the
seed; get_state() and set_state(state) save and restore its state as a uint8 tensor.
ember.default_generator (this class's global instance) is the one the random ops use when given none.""")
DOCS["device"] = _doc("Where a tensor's memory lives: ember.device('cpu').",
    ("type (str): the device type, optionally with an index ('cpu', 'cpu:0', 'cuda:1').",), (), """
    >>> ember.device('cpu')
    device(type='cpu')
    >>> ember.tensor([1, 2]).device
    device(type='cpu')
    >>> ember.device('cpu') == ember.tensor([1.]).device
    True
""", notes="""Its attributes are type (e.g. 'cpu') and index (None when not given). Wherever a device argument
is taken, a string such as 'cpu' is accepted as well.""")
DOCS["dtype"] = _doc("A tensor element type: ember.bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64.",
    ("value (int): the number of a dtype (its .value). The dtypes are the constants above; they are\n"
     "    not made by hand.",), (), """
    >>> ember.float32
    ember.float32
    >>> ember.float32.itemsize, ember.float32.is_floating_point
    (4, True)
    >>> ember.tensor([1, 2]).dtype
    ember.int64
    >>> ember.int64 is ember.long
    True
""", notes="""The aliases are torch's: ember.float and ember.double (float32, float64), ember.half (float16),
ember.short, ember.int and ember.long (int16, int32, int64).""")


def apply(ember):
    """Sets each DOCS entry on the C++ function or class of that name under the package ember,
    through ember._C._add_docstr (which keeps its text signature)."""
    add_docstr = ember._C._add_docstr
    for name, doc in DOCS.items():
        obj = ember
        for part in name.split("."):
            obj = getattr(obj, part)
        add_docstr(obj, doc)

"""PyTorch's numerical conveniences that are compositions of ember ops: logspace, diagflat, cov and
corrcoef, the trapezoid rules, msort, ger, renorm, and the Tensor methods and in-place aliases
torch has beside them (fill_diagonal_, sum_to_size, split_with_sizes, H, mH, is_signed, ...).
Each follows torch's ATen formula, so the rounding is torch's too, and checks its arguments as
torch's parser does (TypeError naming the argument)."""
import math
import numbers
import operator
import warnings

import ember

__all__ = ["corrcoef", "cov", "cumulative_trapezoid", "diagflat", "ger", "logspace", "msort", "renorm", "trapezoid",
           "trapz"]

_MISSING = object()  # an argument not given (torch's overloads refuse an explicit None)


def _where(pos):
    return f" (position {pos})" if pos else ""


def _tensor(op, name, value, pos=None):
    if not isinstance(value, ember.Tensor):
        raise TypeError(f"{op}(): argument '{name}'{_where(pos)} must be Tensor, not {type(value).__name__}")
    return value


def _int(op, name, value, pos=None, in_list=False):
    """An int argument as torch's parser takes it: an integer (not a bool) or a one-element integer
    tensor, within int64 (past it, torch's ValueError, or TypeError for an item of a list of ints)."""
    if isinstance(value, ember.Tensor) and value.dtype == ember.bool:
        raise RuntimeError(f"{op}(): argument '{name}'{_where(pos)} expected an integral value, got a bool tensor")
    if not isinstance(value, bool):
        try:
            v = operator.index(value)
        except TypeError:
            pass
        else:
            if -2 ** 63 <= v < 2 ** 63:
                return v
            raise (TypeError if in_list else ValueError)(
                f"{op}(): argument '{name}'{_where(pos)}: {v} does not fit in int64 (overflow when unpacking long long)")
    raise TypeError(f"{op}(): argument '{name}'{_where(pos)} must be int, not {type(value).__name__}")


def _number(op, name, value, pos=None):
    """A Number argument: a real number (bools count) or a one-element tensor."""
    if isinstance(value, ember.Tensor) and value.numel() == 1:
        return value.item()
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and not -2**63 <= value < 2**64:
        raise OverflowError(f"{op}(): argument '{name}'{_where(pos)}: int too big to convert")
    if isinstance(value, numbers.Real):
        return value
    raise TypeError(f"{op}(): argument '{name}'{_where(pos)} must be Number, not {type(value).__name__}")


def _float(op, name, value, pos=None):
    """A float (double) argument: a real number or a 0-d tensor (as torch's parser), as a Python float."""
    if isinstance(value, ember.Tensor) and value.dim() == 0:
        return float(value.item())
    if isinstance(value, numbers.Real) and not isinstance(value, ember.Tensor):
        return float(value)
    raise TypeError(f"{op}(): argument '{name}'{_where(pos)} must be float, not {type(value).__name__}")


def _wrap_dim(op, dim, ndim):
    rank = max(ndim, 1)
    if not -rank <= dim < rank:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got "
                         f"{dim})")
    return dim % rank


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False, out=None):
    r"""``steps`` values from :math:`\text{base}^{\text{start}}` to :math:`\text{base}^{\text{end}}`,
    their exponents evenly spaced, as torch.logspace (computed in double from start and end
    rounded to the dtype, as torch's kernel: an integer dtype truncates them first).

    Args:
        start (float): the first exponent.
        end (float): the last exponent.
        steps (int): the number of values (>= 0).
        base (float, optional): the base. Default: 10.0.

    Keyword args:
        dtype (ember.dtype, optional): default: the default floating dtype.
        device (str or ember.device, optional): where the result lives.
        requires_grad (bool, optional): record operations on the result. Default: False.
        out (Tensor, optional): the output tensor.

    Returns:
        Tensor: 1-d, of ``steps`` elements.

    Example::

        >>> ember.logspace(0, 3, 4)
        tensor([   1.,   10.,  100., 1000.])
        >>> ember.logspace(0, 1, 3, base=2)
        tensor([1.0000, 1.4142, 2.0000])
    """
    import numpy as np

    start, end = _number("logspace", "start", start, 1), _number("logspace", "end", end, 2)
    steps, base = _int("logspace", "steps", steps, 3), _float("logspace", "base", base, 4)
    if out is not None:
        _tensor("logspace", "out", out)
        if dtype is not None and dtype != out.dtype:
            raise RuntimeError(f"logspace: dtype {dtype} does not match dtype of out parameter ({out.dtype})")
    if dtype is not None and not isinstance(dtype, ember.dtype):
        raise TypeError(f"logspace(): argument 'dtype' must be ember.dtype, not {type(dtype).__name__}")
    dtype = dtype or (out.dtype if out is not None else ember.get_default_dtype())
    if steps < 0:
        raise RuntimeError(f"logspace: number of steps must be non-negative, got {steps}")
    if device is not None:
        device = ember._C._check_device(device, "logspace")  # the one no-CUDA error
    requires_grad = False if requires_grad is None else requires_grad  # None is False to torch's parser
    if requires_grad and not dtype.is_floating_point:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    if steps == 0:
        if out is not None:
            return out if out.numel() == 0 else out.resize_(0)
        return ember.empty(0, dtype=dtype, device=device).requires_grad_(requires_grad)
    if steps == 1:  # torch's fill_ with pow(base, start), start unrounded
        with np.errstate(over="ignore", invalid="ignore"):
            value = float(np.power(base, float(start)))
        result = out if out is not None else ember.empty(1, dtype=dtype, device=device)
        if result.numel() != 1:
            result.resize_(1)
        if dtype not in (ember.float16, ember.bfloat16):  # torch's fill checks the value, but for these
            _check_fits("logspace", value, dtype)
        result.copy_(ember.tensor(value, dtype=ember.float64))
        return result if out is not None else result.requires_grad_(requires_grad)
    if dtype == ember.bool:
        raise NotImplementedError('"logspace_cpu" not implemented for \'Bool\'')
    for v in (start, end):  # start and end as the dtype holds them (torch's start.to<scalar_t>()), checked
        _check_fits("logspace", v, dtype)
    if dtype.is_floating_point:
        lo, hi = (ember.tensor(float(v), dtype=ember.float64).to(dtype).to(ember.float64).item() for v in (start, end))
        # end - start is taken in the dtype, the step in double, as torch's kernel
        span = (ember.tensor(hi, dtype=dtype) - ember.tensor(lo, dtype=dtype)).item()
    else:
        # uint8 takes negative ints down to -255, wrapped (-3 is 253), as torch's Scalar::to
        lo, hi = (float(bool(v)) if dtype == ember.bool else float(math.trunc(v) % 256 if dtype == ember.uint8
                                                                  else math.trunc(v)) for v in (start, end))
        span = hi - lo
    i = np.arange(steps, dtype=np.float64)
    step = float(span) / (steps - 1) if steps > 1 else 0.0
    # the first half from start, the second from end, so both ends are exact
    exponents = np.where(i < steps // 2, lo + step * i, hi - step * (steps - i - 1))
    with np.errstate(over="ignore", invalid="ignore"):
        values = np.power(base, exponents)
    result = ember.tensor(values, dtype=ember.float64)
    result = (result != 0) if dtype == ember.bool else result.to(dtype)
    if device is not None:
        result = result.to(device)
    if out is not None:
        if out.numel() != steps:
            out.resize_(steps)
        return out.copy_(result.reshape(out.shape))
    return result.requires_grad_(requires_grad)


def diagflat(input, offset=0):
    """A 2-d tensor with the flattened input on its diagonal ``offset`` (above the main one for
    offset > 0), zeros elsewhere, as torch.diagflat.

    Args:
        input (Tensor): any shape; it is flattened.
        offset (int, optional): which diagonal. Default: 0.

    Returns:
        Tensor: (n + |offset|, n + |offset|) for n elements.

    Example::

        >>> ember.diagflat(ember.tensor([[1, 2], [3, 4]]))
        tensor([[1, 0, 0, 0],
                [0, 2, 0, 0],
                [0, 0, 3, 0],
                [0, 0, 0, 4]])
    """
    _tensor("diagflat", "input", input, 1)
    return ember.diag(input.reshape(-1), _int("diagflat", "offset", offset, 2))


def cov(input, *, correction=1, fweights=None, aweights=None):
    r"""The covariance matrix of the variables in the rows of ``input`` (observations in its
    columns), as torch.cov: weighted by ``fweights`` (integer frequencies) and ``aweights``
    (observation weights), normalized by their sum less ``correction`` (Bessel's correction
    by default).

    Args:
        input (Tensor): (variables, observations), or one variable's 1-d observations.

    Keyword args:
        correction (int, optional): the difference between the sample size and the degrees of
            freedom; 0 gives the population covariance. Default: 1.
        fweights (Tensor, optional): an integer count of each observation (1-d).
        aweights (Tensor, optional): a floating weight of each observation (1-d).

    Returns:
        Tensor: (variables, variables), or 0-d for one variable.

    Raises:
        RuntimeError: input has more than 2 dims or is bool, or the weights are bad.

    Example::

        >>> ember.cov(ember.tensor([[0., 1., 2.], [2., 1., 0.]]))
        tensor([[ 1., -1.],
                [-1.,  1.]])
    """
    _tensor("cov", "input", input, 1)
    correction = _int("cov", "correction", correction)
    for name, w in (("fweights", fweights), ("aweights", aweights)):
        if w is not None:
            _tensor("cov", name, w)
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.dim()} dimensions")
    if input.dtype == ember.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input.view(1, -1) if input.dim() < 2 else input
    n = x.shape[1]
    w = None
    if fweights is not None:
        if fweights.dim() > 1:
            raise RuntimeError(f"cov(): expected fweights to have one or fewer dimensions but got fweights with "
                               f"{fweights.dim()} dimensions")
        if fweights.is_floating_point() or fweights.dtype == ember.bool:
            raise RuntimeError(f"cov(): expected fweights to have integral dtype but got fweights with "
                               f"{fweights.dtype} dtype")
        if fweights.numel() != n:
            raise RuntimeError(f"cov(): expected fweights to have the same numel as there are observations in the "
                               f"input but got {fweights.numel()} != {n}")
        if n > 0 and fweights.min().item() < 0:
            raise RuntimeError("cov(): fweights cannot be negative")
        w = fweights
    if aweights is not None:
        if aweights.dim() > 1:
            raise RuntimeError(f"cov(): expected aweights to have one or fewer dimensions but got aweights with "
                               f"{aweights.dim()} dimensions")
        if not aweights.is_floating_point():
            raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got aweights with "
                               f"{aweights.dtype} dtype")
        if aweights.numel() != n:
            raise RuntimeError(f"cov(): expected aweights to have the same numel as there are observations in the "
                               f"input but got {aweights.numel()} != {n}")
        if n > 0 and not aweights.min().item() >= 0:  # a NaN weight fails too, as torch's
            raise RuntimeError("cov(): aweights cannot be negative")
        w = aweights if w is None else w * aweights
    w_sum = w.sum() if w is not None else ember.tensor(n)
    if w is not None and w_sum.item() == 0:
        raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    # the weighted mean; of one observation, the observation itself (exactly: its deviation is 0)
    avg = x[:, 0].to(ember.result_type(x, 1.0)) if n == 1 else (x * w if w is not None else x).sum(1) / w_sum
    if w is not None and aweights is not None and correction != 0:
        # sum(w a) / sum(w) is the weight a itself for one observation: exact, so that its degrees of
        # freedom are (1 - correction) a, not a rounding error's sign
        scale = aweights.reshape(()) if n == 1 else (w * aweights).sum() / w_sum
        norm_factor = w_sum - correction * scale
    else:
        norm_factor = w_sum - correction
    if norm_factor.item() <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", UserWarning, stacklevel=2)
        norm_factor = ember.zeros_like(norm_factor)
    x = x - avg.unsqueeze(1)
    c = ember.mm(x, (x * w if w is not None else x).t())
    return ember.true_divide(c, norm_factor).squeeze()


def corrcoef(input):
    """The Pearson correlation coefficients of the variables in the rows of ``input``, as
    torch.corrcoef: the covariance normalized by the standard deviations, clipped to [-1, 1].

    Args:
        input (Tensor): (variables, observations), or one variable's 1-d observations.

    Returns:
        Tensor: (variables, variables), or 0-d for one variable (1, or NaN for a constant one).

    Example::

        >>> ember.corrcoef(ember.tensor([[0., 1., 2.], [2., 1., 0.], [0., 1., 3.]]))
        tensor([[ 1.0000, -1.0000,  0.9820],
                [-1.0000,  1.0000, -0.9820],
                [ 0.9820, -0.9820,  1.0000]])
    """
    _tensor("corrcoef", "input", input, 1)
    if input.dim() > 2:
        raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.dim()} dimensions")
    c = cov(input)
    if c.dim() == 0:
        return c / c  # one variable: 1, or NaN for a zero, inf or NaN variance
    stddev = ember.sqrt(c.diagonal())
    c = c / stddev.view(-1, 1)
    c = c / stddev.view(1, -1)
    return c.clip(-1, 1)


def _zeros_except(y, dim):
    shape = list(y.shape)
    del shape[dim]
    return ember.zeros(shape, dtype=y.dtype)


def _x_along(x, y, dim):
    """x viewed so that its differences broadcast against y's along dim (torch's trapezoid rule)."""
    if x.dim() == 1:
        if x.shape[0] != y.shape[dim]:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        shape = [1] * y.dim()
        shape[dim] = x.shape[0]
        return x.view(shape)
    if x.dim() < y.dim():
        return x.view([1] * (y.dim() - x.dim()) + list(x.shape))
    return x


def _trapezoid_args(op, y, x, dx, dim, dx_kind=None):
    """Checks the arguments as torch's two overloads, (y, x, *, dim) and (y, *, dx, dim); returns
    (x or None, dx as a float or None, dim wrapped)."""
    _tensor(op, "y", y, 1)
    if x is not _MISSING and dx is not _MISSING:
        raise TypeError(f"{op}() received an invalid combination of arguments: give x or dx, not both")
    x = None if x is _MISSING else _tensor(op, "x", x, 2)
    dx = None if dx is _MISSING else (dx_kind or _number)(op, "dx", dx)  # a bool is refused after the empty case
    dim = _int(op, "dim", dim)
    if y.dim() == 0:
        raise IndexError(f"{op}: Dimension specified as {dim} but tensor has no dimensions")
    return x, dx, _wrap_dim(op, dim, y.dim())


def _no_bool(op, y, x, dx):
    """torch's dtype checks, after its answer for no samples: no bool values or spacing."""
    if y.dtype == ember.bool or (x is not None and x.dtype == ember.bool):
        raise RuntimeError(f"{op}: received a bool input for `y`, but bool is not supported")
    if isinstance(dx, bool):
        raise RuntimeError(f"{op}: Currently, we only support dx as a real number.")


def _after(t, dim, start, stop=None):
    """t[start:stop] along dim, as a Python slice (so a size-1 dim gives empty pieces)."""
    return t[(slice(None),) * dim + (slice(start, stop),)]


def trapezoid(y, x=_MISSING, *, dx=_MISSING, dim=-1):
    r"""The trapezoidal rule along ``dim``, as torch.trapezoid: :math:`\sum_i (x_{i+1} - x_i)
    (y_i + y_{i+1}) / 2` with sample points ``x``, or evenly spaced ones ``dx`` apart (1 by
    default).

    Args:
        y (Tensor): the values.
        x (Tensor, optional): the sample points (1-d along dim, or broadcasting against y).

    Keyword args:
        dx (float, optional): the spacing of evenly spaced samples (without x). Default: 1.
        dim (int, optional): the dim to integrate along. Default: -1.

    Returns:
        Tensor: y without dim (0 for no samples).

    Example::

        >>> ember.trapezoid(ember.tensor([1., 2., 3.]))
        tensor(4.)
        >>> ember.trapezoid(ember.tensor([1., 2., 3.]), ember.tensor([0., 1., 3.]))
        tensor(6.5000)
    """
    x, dx, dim = _trapezoid_args("trapezoid", y, x, dx, dim)
    if y.shape[dim] == 0:  # numpy's 0, before torch's dtype check
        return _zeros_except(y, dim)
    _no_bool("trapezoid", y, x, dx)
    if x is None:
        step = 1.0 if dx is None else float(dx)
        return (y.sum(dim) - (y.select(dim, 0) + y.select(dim, -1)) * 0.5) * step
    xv = _x_along(x, y, dim)
    d = _after(xv, dim, 1) - _after(xv, dim, 0, -1)
    return ((_after(y, dim, 0, -1) + _after(y, dim, 1)) * d).sum(dim) / 2.0


def trapz(y, x=_MISSING, *, dx=_MISSING, dim=-1):
    """trapezoid under its older name, as torch.trapz.

    Args:
        y, x, dx, dim: as trapezoid's.

    Returns:
        Tensor: the integral along dim.

    Example::

        >>> ember.trapz(ember.tensor([1., 2., 3.]), dx=2.0)
        tensor(8.)
    """
    x, dx, dim = _trapezoid_args("trapz", y, x, dx, dim, _float)  # trapz's dx is a double: a bool is 0 or 1
    return trapezoid(y, *(() if x is None else (x,)), **({} if dx is None else {"dx": dx}), dim=dim)


def cumulative_trapezoid(y, x=_MISSING, *, dx=_MISSING, dim=-1):
    """The running trapezoidal rule along ``dim``, as torch.cumulative_trapezoid: element i is
    the integral over the first i + 2 samples.

    Args:
        y (Tensor): the values.
        x (Tensor, optional): the sample points.

    Keyword args:
        dx (float, optional): the spacing of evenly spaced samples (without x). Default: 1.
        dim (int, optional): the dim to integrate along. Default: -1.

    Returns:
        Tensor: y with one element fewer along dim.

    Example::

        >>> ember.cumulative_trapezoid(ember.tensor([1., 2., 4.]))
        tensor([1.5000, 4.5000])
    """
    x, dx, dim = _trapezoid_args("cumulative_trapezoid", y, x, dx, dim)
    _no_bool("cumulative_trapezoid", y, x, dx)
    left, right = _after(y, dim, 0, -1), _after(y, dim, 1)
    if x is None:
        step = 1.0 if dx is None else float(dx)
        return (step / 2.0 * (left + right)).cumsum(dim)
    xv = _x_along(x, y, dim)
    d = _after(xv, dim, 1) - _after(xv, dim, 0, -1)
    return ((left + right) * d).cumsum(dim) / 2.0


def msort(input):
    """The input sorted along its first dim (ascending), as torch.msort.

    Args:
        input (Tensor): the tensor to sort.

    Returns:
        Tensor: the sorted values.

    Example::

        >>> ember.msort(ember.tensor([[3, 1], [2, 5]]))
        tensor([[2, 1],
                [3, 5]])
    """
    return ember.sort(_tensor("msort", "input", input, 1), dim=0).values


def ger(input, vec2):
    """The outer product of two vectors under its old name, as torch.ger.

    Args:
        input (Tensor): 1-d.
        vec2 (Tensor): 1-d.

    Returns:
        Tensor: (len(input), len(vec2)).

    Example::

        >>> ember.ger(ember.tensor([1, 2]), ember.tensor([3, 4]))
        tensor([[3, 4],
                [6, 8]])
    """
    return ember.outer(input, vec2)


def renorm(input, p, dim, maxnorm):
    """Each slice of ``input`` along ``dim`` whose p-norm exceeds ``maxnorm`` scaled down to norm
    ``maxnorm`` (by ``maxnorm / (norm + 1e-7)``), as torch.renorm; the others are unchanged.

    Args:
        input (Tensor): a floating tensor of at least 2 dims.
        p (float): the norm's power (> 0).
        dim (int): the dim whose slices are renormalized.
        maxnorm (float): the largest norm a slice keeps (>= 0).

    Returns:
        Tensor: input's shape and dtype.

    Example::

        >>> ember.renorm(ember.ones(2, 3), 2, 0, 1.0)
        tensor([[0.5774, 0.5774, 0.5774],
                [0.5774, 0.5774, 0.5774]])
    """
    _tensor("renorm", "input", input, 1)
    p, maxnorm = _number("renorm", "p", p, 2), _number("renorm", "maxnorm", maxnorm, 4)
    dim = _int("renorm", "dim", dim, 3)
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if not maxnorm >= 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {float(maxnorm)}")
    if input.dim() < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.dim()} dimensions")
    dim = _wrap_dim("renorm", dim, input.dim())
    if not input.is_floating_point():
        raise RuntimeError(f"renorm: expected a floating point tensor as input, got {input.dtype}")
    others = [d for d in range(input.dim()) if d != dim]
    # the norm and the factor in torch's accumulate type (float32 for float32 and the 16-bit dtypes:
    # maxnorm and eps rounded to it), the factor then rounded to the input's dtype, as torch's kernel
    acc = ember.float64 if input.dtype == ember.float64 else ember.float32
    norm = ember.linalg.vector_norm(input, p, dim=others, keepdim=True, dtype=acc)
    limit, eps = ember.tensor(float(maxnorm), dtype=acc), ember.tensor(1e-7, dtype=acc)
    factor = ember.where(norm > limit, limit / (norm + eps), ember.ones_like(norm))
    return input * factor.to(input.dtype)


def _renorm_(self, p, dim, maxnorm):
    return self.copy_(renorm(self, p, dim, maxnorm))


# ---- Tensor methods -------------------------------------------------------------------------

def _check_fits(op, value, dtype):
    """torch's check that a number converts to the dtype (c10's overflows): a finite float past a
    floating dtype's range, a float outside an integer dtype's, or an int it cannot hold (an
    unsigned dtype takes ints down to -max, which wrap) raises."""
    if dtype == ember.bool:
        return
    if dtype.is_floating_point:
        ok = not math.isfinite(value) or abs(value) <= ember.finfo(dtype).max
    elif isinstance(value, numbers.Integral):
        info = ember.iinfo(dtype)
        ok = (-info.max if info.min == 0 else info.min) <= value <= info.max
    else:
        info = ember.iinfo(dtype)
        ok = info.min <= value <= info.max  # NaN and inf fail
    if not ok:
        raise RuntimeError(f"{op}: value cannot be converted to type {dtype} without overflow")


def _fill_diagonal_(self, fill_value, wrap=False):
    """Fills the main diagonal (the elements (i, i, ..., i)) in place, as
    torch.Tensor.fill_diagonal_; with wrap, a tall matrix's diagonal starts again every
    ncols + 1 rows."""
    fill_value = _number("fill_diagonal_", "fill_value", fill_value, 1)
    if not isinstance(wrap, bool):
        raise TypeError(f"fill_diagonal_(): argument 'wrap' must be bool, not {type(wrap).__name__}")
    if self.dim() < 2:
        raise RuntimeError("fill_diagonal_: dimensions must larger than 1")
    if self.dim() > 2 and any(s != self.shape[0] for s in self.shape[1:]):
        raise RuntimeError("fill_diagonal_: all dimensions of input must be of equal length")
    height, width = self.shape[0], self.shape[1]
    # wrapped, a tall matrix's diagonal restarts every width + 1 rows (torch's strided walk)
    starts = range(0, height, width + 1) if wrap and self.dim() == 2 and height > width + 1 else (0,)
    for start in starts:
        diagonal = self[start:] if start else self
        while diagonal.dim() > 1:  # (i, i, ..., i): the diagonal of the first two dims, until one is left
            diagonal = diagonal.diagonal(0, 0, 1)
        diagonal.fill_(fill_value)
    return self


def _sum_to_size(self, *size):
    """Sums the tensor down to ``size``, which must broadcast to its shape, as
    torch.Tensor.sum_to_size (what gradients of broadcast operands do)."""
    if not size:
        raise TypeError('sum_to_size() missing 1 required positional arguments: "size"')
    if len(size) == 1 and not isinstance(size[0], (numbers.Integral, ember.Tensor)):
        size = tuple(size[0])
    for s in size:
        if len(size) > 1 and isinstance(s, ember.Tensor) and (s.dtype == ember.bool or s.numel() != 1):
            raise TypeError(f"sum_to_size(): argument 'size' failed to unpack the object: type must be tuple of "
                            f"ints, but got Tensor")
    size = tuple(_int("sum_to_size", "size", s, in_list=True) for s in size)
    try:
        expandable = ember.broadcast_shapes(size, tuple(self.shape)) == tuple(self.shape)
    except (RuntimeError, ValueError):
        expandable = False
    if not expandable:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(self.shape)}}}.")
    if not size:  # torch's sum_to: all of it, a 0-d tensor too (integers then sum to int64)
        return self.sum()
    if size == tuple(self.shape):
        return self
    lead = self.dim() - len(size)
    dims = list(range(lead)) + [lead + i for i, s in enumerate(size) if s == 1 and self.shape[lead + i] != 1]
    return self.sum(dims, keepdim=True).reshape(size)


def _split_with_sizes(self, split_sizes, dim=0):
    """Splits into pieces of the given sizes along dim, as torch.Tensor.split_with_sizes (the
    sizes must add up to the dim's size)."""
    sizes = [_int("split_with_sizes", "split_sizes", s, in_list=True) for s in split_sizes]
    dim = _wrap_dim("split_with_sizes", _int("split_with_sizes", "dim", dim), self.dim())
    if self.dim() == 0:
        raise RuntimeError("split_with_sizes: expected a tensor with at least 1 dimension")
    if sum(sizes) != self.shape[dim]:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {self.shape[dim]} (input "
                           f"tensor's size at dimension {dim}), but got split_sizes={sizes}")
    return self.split(sizes, dim)


def _transposed(self, name, need):
    """self's conjugate transpose (its transpose: ember's dtypes are real) over the last two
    dims; a 0-d tensor is itself, with torch's deprecation warning."""
    if self.dim() == 0:
        warnings.warn(f"{name} is deprecated on 0-D tensors. Consider using x.conj().", UserWarning, stacklevel=3)
        return self.view(())
    if need == 2 and self.dim() != 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self.dim()}-D tensor."
                           + (" For batches of matrices, consider using tensor.mH" if self.dim() > 2 else ""))
    if self.dim() < 2:
        raise RuntimeError(f"{'tensor.mH' if name == 'Tensor.mH' else 'adjoint()'} is only supported on matrices or "
                           f"batches of matrices. Got {self.dim()}-D tensor.")
    return self.transpose(-2, -1)


def _is_same_size(self, other):
    return tuple(self.shape) == tuple(_tensor("is_same_size", "other", other).shape)


def _swapaxes_(self, axis0, axis1):
    return self.transpose_(_int("swapaxes_", "axis0", axis0, 1), _int("swapaxes_", "axis1", axis1, 2))


def _swapdims_(self, dim0, dim1):
    return self.transpose_(_int("swapdims_", "dim0", dim0, 1), _int("swapdims_", "dim1", dim1, 2))


def _renorm_(self, p, dim, maxnorm):
    return self.copy_(renorm(self, p, dim, maxnorm))


def _as_method(fn):
    """fn(input, ...) as a Tensor method, its signature naming the tensor self."""
    import functools
    import inspect

    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)

    params = list(inspect.signature(fn).parameters.values())
    method.__signature__ = inspect.Signature([params[0].replace(name="self")] + params[1:])
    return method


def install(tensor_cls):
    """Adds the methods torch's Tensor has beside these functions, and its in-place aliases."""
    for name in ("cov", "corrcoef", "msort", "diagflat", "ger", "renorm"):
        setattr(tensor_cls, name, _as_method(globals()[name]))
    tensor_cls.renorm_ = _renorm_
    tensor_cls.fill_diagonal_ = _fill_diagonal_
    tensor_cls.sum_to_size = _sum_to_size
    tensor_cls.split_with_sizes = _split_with_sizes
    tensor_cls.H = property(lambda self: _transposed(self, "Tensor.H", 2),
                            doc="The conjugate transpose of a matrix (its transpose: ember's dtypes are real).")
    tensor_cls.mH = property(lambda self: _transposed(self, "Tensor.mH", 0),
                             doc="The conjugate transpose of the last two dims (their transpose: ember's dtypes are real).")
    tensor_cls.adjoint = lambda self: _transposed(self, "adjoint()", 0)
    tensor_cls.is_signed = lambda self: self.dtype not in (ember.uint8, ember.bool)
    tensor_cls.is_same_size = _is_same_size
    tensor_cls.get_device = lambda self: -1  # torch's answer for a CPU tensor
    tensor_cls.is_cpu = property(lambda self: True, doc="True: ember tensors live in CPU memory.")
    tensor_cls.is_inference = lambda self: False
    tensor_cls.swapaxes_ = _swapaxes_
    tensor_cls.swapdims_ = _swapdims_
    for alias, name in (("greater_", "gt_"), ("greater_equal_", "ge_"), ("less_", "lt_"), ("less_equal_", "le_"),
                        ("not_equal_", "ne_")):
        setattr(tensor_cls, alias, getattr(tensor_cls, name))

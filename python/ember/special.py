"""ember.special, as torch.special: the special functions under torch's names. Most are ember's own
ops under a second name (expit is sigmoid, gammaln is lgamma, psi is digamma, ...); entr, xlogy
and xlog1py (a number on either side), ndtr and multigammaln are written here from ember ops,
with torch's values at the edges and its gradients. Not here yet: the Bessel, Airy and
orthogonal-polynomial families, zeta, gammainc/gammaincc, erfcx, i0e/i1/i1e, log_ndtr, ndtri."""
import math

import ember
from ember._C import (digamma, erf, erfc, erfinv, exp2, expm1, i0, lgamma, log1p, log_softmax, logit,  # noqa: F401
                      logsumexp, polygamma, round, sigmoid, sinc, softmax)

__all__ = ["digamma", "entr", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln", "i0", "log1p",
           "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "polygamma", "psi", "round", "sinc", "softmax",
           "xlog1py", "xlogy"]

expit = sigmoid
gammaln = lgamma
psi = digamma


def _floating(op, x):
    if not isinstance(x, ember.Tensor):
        raise TypeError(f"special.{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x if x.dtype.is_floating_point else x.to(ember.get_default_dtype())


class _Entr(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        value = ember.where(x > 0, -x * ember.log(x.clamp(min=ember.finfo(x.dtype).tiny)), ember.zeros_like(x))
        return ember.where(x < 0, ember.full_like(x, -math.inf), value).where(~ember.isnan(x), x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * -(1 + ember.log(x))  # torch's formula: inf at 0, nan below


def entr(input):
    r"""The elementwise entropy term :math:`-x \ln x` (0 at 0, :math:`-\infty` for x < 0), as
    torch.special.entr. Integer inputs compute in the default float dtype.

    Args:
        input (Tensor): the values.

    Returns:
        Tensor

    Example::

        >>> ember.special.entr(ember.tensor([-1., 0., 0.5, 1.]))
        tensor([  -inf, 0.0000, 0.3466, -0.0000])
    """
    return _Entr.apply(_floating("entr", input))


def _pair(op, input, other):
    """input and other as tensors (either may be a number, which takes the other's floating dtype
    or the default one, as torch's wrapped numbers do)."""
    if not isinstance(input, ember.Tensor) and not isinstance(other, ember.Tensor):
        raise TypeError(f"special.{op}(): expected a Tensor for input or other, got two numbers")

    def tensor(number, like):
        return ember.tensor(number, dtype=like.dtype if like.dtype.is_floating_point else ember.get_default_dtype())
    x = input if isinstance(input, ember.Tensor) else tensor(input, other)
    y = other if isinstance(other, ember.Tensor) else tensor(other, x)
    return x, y


def xlogy(input, other):
    r""":math:`x \ln y`, 0 where x is 0 (unless y is NaN), as torch.special.xlogy; either may be a
    number.

    Args:
        input (Tensor or Number): x.
        other (Tensor or Number): y.

    Returns:
        Tensor: broadcast, in the promoted floating dtype.

    Example::

        >>> ember.special.xlogy(ember.tensor([0., 2.]), ember.tensor([0., 3.]))
        tensor([0.0000, 2.1972])
    """
    return ember.xlogy(*_pair("xlogy", input, other))


def xlog1py(input, other):
    r""":math:`x \ln(1 + y)`, 0 where x is 0 (unless y is NaN), as torch.special.xlog1py; either
    may be a number.

    Args:
        input (Tensor or Number): x.
        other (Tensor or Number): y.

    Returns:
        Tensor: broadcast, in the promoted floating dtype.

    Example::

        >>> ember.special.xlog1py(ember.tensor([0., 2.]), ember.tensor([-1., 1.]))
        tensor([0.0000, 1.3863])
    """
    x, y = _pair("xlog1py", input, other)
    dtype = ember.promote_types(x.dtype, y.dtype)
    if not dtype.is_floating_point:
        dtype = ember.get_default_dtype()
    x, y = x.to(dtype), y.to(dtype)
    return ember.where((x == 0) & ~ember.isnan(y), ember.zeros((), dtype=dtype), x * ember.log1p(y))


def ndtr(input):
    r"""The standard normal distribution function :math:`\Phi(x) = \frac{1}{2}\,\mathrm{erfc}(-x/\sqrt{2})`,
    as torch.special.ndtr. Computed from erfc, so the lower tail keeps its relative precision
    (torch's kernel loses digits there: 1e-5 relative at x = -7 in float64, 2e-4 at -3.8 in
    float32).

    Args:
        input (Tensor): x.

    Returns:
        Tensor

    Example::

        >>> ember.special.ndtr(ember.tensor([-1., 0., 1.]))
        tensor([0.1587, 0.5000, 0.8413])
    """
    x = _floating("ndtr", input)
    return 0.5 * ember.erfc(x * -math.sqrt(0.5))


def multigammaln(input, p):
    r"""The multivariate log-gamma function of dimension ``p``:
    :math:`\frac{p(p-1)}{4}\ln\pi + \sum_{j=0}^{p-1} \ln\Gamma(x - j/2)`, as
    torch.special.multigammaln (torch.mvlgamma).

    Args:
        input (Tensor): x; every element must exceed (p - 1) / 2.
        p (int): the dimension, at least 1.

    Returns:
        Tensor

    Raises:
        ValueError: p below 1, or an element not above (p - 1) / 2.

    Example::

        >>> ember.special.multigammaln(ember.tensor([2.5, 4.0]), 2)
        tensor([0.8570, 3.5651])
    """
    x = _floating("multigammaln", input)
    if p < 1:
        raise ValueError("multigammaln: p has to be greater than or equal to 1")
    if not bool((x > 0.5 * (p - 1)).all()):
        raise ValueError("multigammaln: All elements must be greater than (p-1)/2")
    args = ember.arange(-p * 0.5 + 0.5, 0.5, 0.5, dtype=x.dtype)
    return (p * (p - 1) / 4) * math.log(math.pi) + ember.lgamma(x.unsqueeze(-1) + args).sum(-1)

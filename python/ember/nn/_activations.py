"""The pointwise activations of torch.nn.functional beyond relu/elu/gelu/silu (relu6, hardtanh,
hardswish, hardsigmoid, selu, celu, mish, softsign, tanhshrink, threshold, hardshrink, softshrink,
glu, rrelu), the in-place forms torch has, softmin, and gumbel_softmax. The math
is C++ (ember/nn/functional.h); these add the ``inplace`` argument and the docstrings."""
import warnings

from ember import _C
from ember._C import _nn_functional as _F


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    r"""Clamps element-wise to :math:`[\text{min\_val}, \text{max\_val}]`, as torch.nn.functional.hardtanh.
    The gradient is 1 strictly between the bounds and 0 elsewhere.

    Args:
        input (Tensor): the input, of any shape.
        min_val (float, optional): the lower bound. Default: -1.0.
        max_val (float, optional): the upper bound, not below min_val. Default: 1.0.
        inplace (bool, optional): write the result into ``input`` and return it. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.hardtanh(ember.tensor([-2., 0.5, 3.]))
        tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val cannot be greater than max_val ({min_val} > {max_val})")
    return _F.hardtanh_(input, min_val, max_val) if inplace else _F.hardtanh(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place :func:`hardtanh`.

    Args:
        input (Tensor): the input, overwritten.
        min_val (float, optional): the lower bound. Default: -1.0.
        max_val (float, optional): the upper bound. Default: 1.0.

    Example::

        >>> F.hardtanh_(ember.tensor([-2., 3.]))
        tensor([-1.,  1.])
    """
    return _F.hardtanh_(input, min_val, max_val)


def relu6(input, inplace=False):
    r"""Applies :math:`\min(\max(x, 0), 6)` element-wise, as torch.nn.functional.relu6.

    Args:
        input (Tensor): the input, of any shape.
        inplace (bool, optional): write the result into ``input`` and return it. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.relu6(ember.tensor([-1., 3., 8.]))
        tensor([0., 3., 6.])
    """
    return _F.relu6_(input) if inplace else _F.relu6(input)


def hardswish(input, inplace=False):
    r"""Applies :math:`x \cdot \text{relu6}(x + 3) / 6` element-wise, as torch.nn.functional.hardswish.

    Args:
        input (Tensor): a floating input, of any shape.
        inplace (bool, optional): write the result into ``input`` and return it. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.hardswish(ember.tensor([-4., 0., 1., 4.]))
        tensor([-0.0000,  0.0000,  0.6667,  4.0000])
    """
    return _F.hardswish_(input) if inplace else _F.hardswish(input)


def hardsigmoid(input, inplace=False):
    r"""Applies :math:`\text{relu6}(x + 3) / 6` element-wise, as torch.nn.functional.hardsigmoid.

    Args:
        input (Tensor): a floating input, of any shape.
        inplace (bool, optional): write the result into ``input`` and return it. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.hardsigmoid(ember.tensor([-4., 0., 1.5]))
        tensor([0.0000, 0.5000, 0.7500])
    """
    return _F.hardsigmoid_(input) if inplace else _F.hardsigmoid(input)


def selu(input, inplace=False):
    r"""Applies the scaled ELU element-wise: :math:`\text{scale} \cdot \text{elu}(x, \alpha)` with
    :math:`\alpha = 1.6732632423543772`, :math:`\text{scale} = 1.0507009873554805`, as
    torch.nn.functional.selu.

    Args:
        input (Tensor): a floating input, of any shape.
        inplace (bool, optional): write the result into ``input`` and return it. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.selu(ember.tensor([-1., 0., 1.]))
        tensor([-1.1113,  0.0000,  1.0507])
    """
    return _F.selu_(input) if inplace else _F.selu(input)


def celu(input, alpha=1.0, inplace=False):
    r"""Applies :math:`x` where :math:`x > 0`, else :math:`\alpha (e^{x / \alpha} - 1)`, element-wise,
    as torch.nn.functional.celu.

    Args:
        input (Tensor): a floating input, of any shape.
        alpha (float, optional): the scale, not 0. Default: 1.0.
        inplace (bool, optional): write the result into ``input`` and return it. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.celu(ember.tensor([-1., 2.]), alpha=2.)
        tensor([-0.7869,  2.0000])
    """
    return _F.celu_(input, alpha) if inplace else _F.celu(input, alpha)


def mish(input, inplace=False):
    r"""Applies :math:`x \tanh(\text{softplus}(x))` element-wise, as torch.nn.functional.mish.

    Args:
        input (Tensor): a floating input, of any shape.
        inplace (bool, optional): write the result into ``input`` and return it. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.mish(ember.tensor([-1., 0., 1.]))
        tensor([-0.3034,  0.0000,  0.8651])
    """
    return _F.mish_(input) if inplace else _F.mish(input)


def softsign(input):
    r"""Applies :math:`x / (1 + |x|)` element-wise, as torch.nn.functional.softsign.

    Args:
        input (Tensor): a floating input, of any shape.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.softsign(ember.tensor([-3., 1.]))
        tensor([-0.7500,  0.5000])
    """
    return _F.softsign(input)


def tanhshrink(input):
    r"""Applies :math:`x - \tanh(x)` element-wise, as torch.nn.functional.tanhshrink.

    Args:
        input (Tensor): a floating input, of any shape.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.tanhshrink(ember.tensor([0., 1.]))
        tensor([0.0000, 0.2384])
    """
    return _F.tanhshrink(input)


def threshold(input, threshold, value, inplace=False):
    r"""Keeps :math:`x` where :math:`x > \text{threshold}` and writes ``value`` elsewhere, as
    torch.nn.functional.threshold.

    Args:
        input (Tensor): the input, of any shape.
        threshold (float): the value to exceed.
        value (float): what replaces the elements that do not exceed it.
        inplace (bool, optional): write the result into ``input`` and return it. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.threshold(ember.tensor([0.5, 2.]), 1., -1.)
        tensor([-1.,  2.])
    """
    threshold, value = _wide_int(threshold), _wide_int(value)
    return _F.threshold_(input, threshold, value) if inplace else _F.threshold(input, threshold, value)


def _wide_int(v):
    # torch reads a Python int in [2^63, 2^64) as a float (an integer input then refuses it);
    # past that range both raise OverflowError.
    return float(v) if type(v) is int and 2 ** 63 <= v < 2 ** 64 else v


def threshold_(input, threshold, value):
    """In-place :func:`threshold`.

    Args:
        input (Tensor): the input, overwritten.
        threshold (float): the value to exceed.
        value (float): what replaces the elements that do not exceed it.

    Example::

        >>> F.threshold_(ember.tensor([0.5, 2.]), 1., 0.)
        tensor([0., 2.])
    """
    return _F.threshold_(input, _wide_int(threshold), _wide_int(value))


__all__ = ["celu", "hardsigmoid", "hardswish", "hardtanh", "hardtanh_", "mish", "relu6", "selu", "softsign",
           "tanhshrink", "threshold", "threshold_"]


# ---- in-place forms torch.nn.functional has (relu_, elu_, leaky_relu_, selu_, celu_) ----------

def relu_(input):
    """In-place :func:`relu`: ``input`` becomes :math:`\\max(x, 0)`; returns ``input``.

    Args:
        input (Tensor): the input, overwritten.

    Example::

        >>> F.relu_(ember.tensor([-1., 2.]))
        tensor([0., 2.])
    """
    return _C.Tensor.relu_(input)  # the unbound method: a non-tensor is a TypeError


def elu_(input, alpha=1.0):
    """In-place :func:`elu`; returns ``input``.

    Args:
        input (Tensor): a floating input, overwritten.
        alpha (float, optional): the ELU's alpha. Default: 1.0.

    Example::

        >>> F.elu_(ember.tensor([-1., 2.]))
        tensor([-0.6321,  2.0000])
    """
    return _F.elu_(input, alpha)


def leaky_relu_(input, negative_slope=0.01):
    """In-place :func:`leaky_relu`; returns ``input``.

    Args:
        input (Tensor): a floating input, overwritten.
        negative_slope (float, optional): the slope for negative inputs. Default: 0.01.

    Example::

        >>> F.leaky_relu_(ember.tensor([-2., 3.]), 0.5)
        tensor([-1.,  3.])
    """
    return _F.leaky_relu_(input, negative_slope)


def selu_(input):
    """In-place :func:`selu`; returns ``input``.

    Args:
        input (Tensor): a floating input, overwritten.

    Example::

        >>> F.selu_(ember.tensor([0., 1.]))
        tensor([0.0000, 1.0507])
    """
    return _F.selu_(input)


def celu_(input, alpha=1.0):
    """In-place :func:`celu`; returns ``input``.

    Args:
        input (Tensor): a floating input, overwritten.
        alpha (float, optional): the scale, not 0. Default: 1.0.

    Example::

        >>> F.celu_(ember.tensor([-1., 2.]), alpha=2.)
        tensor([-0.7869,  2.0000])
    """
    return _F.celu_(input, alpha)


# ---- shrinkage, gated and randomized activations -----------------------------------------------

def hardshrink(input, lambd=0.5):
    r"""Applies the hard shrinkage element-wise: :math:`x` where :math:`|x| > \lambda`, else 0, as
    torch.nn.functional.hardshrink.

    Args:
        input (Tensor): a floating input, of any shape.
        lambd (float, optional): the threshold :math:`\lambda`. Default: 0.5.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.hardshrink(ember.tensor([-1., -0.5, 0.2, 1.]))
        tensor([-1.,  0.,  0.,  1.])
    """
    return _F.hardshrink(input, lambd)


def softshrink(input, lambd=0.5):
    r"""Applies the soft shrinkage element-wise: :math:`x - \lambda` above :math:`\lambda`,
    :math:`x + \lambda` below :math:`-\lambda`, 0 between, as torch.nn.functional.softshrink.

    Args:
        input (Tensor): a floating input, of any shape.
        lambd (float, optional): the threshold :math:`\lambda`, non-negative. Default: 0.5.

    Returns:
        Tensor: the input's shape and dtype.

    Raises:
        ValueError: ``lambd`` is negative.

    Example::

        >>> F.softshrink(ember.tensor([-1., 0.2, 1.5]))
        tensor([-0.5000,  0.0000,  1.0000])
    """
    return _F.softshrink(input, lambd)


def glu(input, dim=-1):
    r"""The gated linear unit: :math:`a \otimes \sigma(b)`, :math:`a` and :math:`b` the first and second
    halves of ``input`` along ``dim``, as torch.nn.functional.glu.

    Args:
        input (Tensor): a floating input whose size along ``dim`` is even.
        dim (int, optional): the dimension to halve. Default: -1.

    Returns:
        Tensor: the input's shape with ``dim`` halved.

    Raises:
        ValueError: the size along ``dim`` is odd, or the input is 0-d.
        IndexError: ``dim`` is out of range.

    Example::

        >>> F.glu(ember.tensor([[1., 2., 0., 0.]]))
        tensor([[0.5000, 1.0000]])
    """
    return _F.glu(input, dim)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    r"""The randomized leaky ReLU, as torch.nn.functional.rrelu: :math:`x` where :math:`x > 0`, else
    :math:`a x`, with :math:`a` drawn from :math:`U(\text{lower}, \text{upper})` for each element when
    ``training``, and :math:`a = (\text{lower} + \text{upper}) / 2` otherwise.

    Args:
        input (Tensor): a floating input, of any shape.
        lower (float, optional): the lower bound of the slopes. Default: 1/8.
        upper (float, optional): the upper bound of the slopes, not below ``lower``. Default: 1/3.
        training (bool, optional): draw the slopes at random. Default: False.
        inplace (bool, optional): write the result into ``input`` and return it. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.rrelu(ember.tensor([-1., 2.]), 0.1, 0.3)
        tensor([-0.2000,  2.0000])
    """
    return _F.rrelu_(input, lower, upper, training) if inplace else _F.rrelu(input, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place :func:`rrelu`; returns ``input``.

    Args:
        input (Tensor): a floating input, overwritten.
        lower (float, optional): the lower bound of the slopes. Default: 1/8.
        upper (float, optional): the upper bound of the slopes. Default: 1/3.
        training (bool, optional): draw the slopes at random. Default: False.

    Example::

        >>> F.rrelu_(ember.tensor([-1., 2.]), 0.1, 0.3)
        tensor([-0.2000,  2.0000])
    """
    return _F.rrelu_(input, lower, upper, training)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    r"""A sample of the Gumbel-softmax distribution, as torch.nn.functional.gumbel_softmax:
    :math:`\text{softmax}((\text{logits} + g) / \tau)` with Gumbel(0, 1) noise g, a differentiable
    stand-in for drawing a category. With ``hard=True`` the result is the one-hot of its argmax in
    the forward pass and keeps the soft sample's gradient (straight-through).

    Args:
        logits (Tensor): unnormalized log-probabilities, (..., num_classes).
        tau (float, optional): the temperature; lower is closer to one-hot. Default: 1.
        hard (bool, optional): return one-hot samples (straight-through gradient). Default: False.
        eps (float, optional): deprecated, without effect (warns when set, as torch's).
        dim (int, optional): the dim of the categories. Default: -1.

    Returns:
        Tensor: logits' shape; each slice along dim sums to 1.

    Example::

        >>> y = F.gumbel_softmax(ember.zeros(2, 5), tau=0.5, hard=True)
        >>> y.sum(-1).tolist()
        [1.0, 1.0]
    """
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    if not isinstance(logits, _C.Tensor):
        raise TypeError(f"gumbel_softmax(): argument 'logits' must be Tensor, not {type(logits).__name__}")
    if not logits.is_floating_point():  # the Gumbel noise is continuous (torch draws none for an empty input)
        if logits.numel() > 0:
            raise TypeError(f"gumbel_softmax: expected floating logits, got {logits.dtype}")
        logits = logits.to(_C.get_default_dtype())
    gumbels = -_C.empty_like(logits).exponential_().log()  # ~Gumbel(0, 1)
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = _C.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft

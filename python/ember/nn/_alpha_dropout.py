"""Alpha dropout, as torch.nn's: dropout for self-normalizing (SELU) networks, which keeps the
input's mean and variance by setting dropped values to SELU's negative saturation and applying an
affine map (Klambauer et al., 2017). Element-wise (alpha_dropout) or whole channels
(feature_alpha_dropout)."""
import math

import ember
from ember.nn.modules import Module

_SELU_SATURATION = 1.7580993408473766  # -SELU's limit at -inf: scale * alpha


def _check_p(p):
    if not 0.0 <= p <= 1.0:  # NaN too
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _alpha_dropout(input, p, training, inplace, per_channel):
    name = "feature_alpha_dropout" if per_channel else "alpha_dropout"
    if p < 0.0 or p > 1.0:  # torch's order: the range in Python, the input, then NaN in C++
        _check_p(p)
    if not isinstance(input, ember.Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    _check_p(p)
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:  # zeros of input's own dtype (bool stays bool)
        zero = ember.zeros((), dtype=input.dtype)
        return input.mul_(zero) if inplace else input * zero
    if not input.is_floating_point():  # torch's in-place affine map cannot write a float into it
        raise TypeError(f"{name}: expected a floating input, got {input.dtype}")
    if per_channel:
        if input.dim() < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        noise_shape = list(input.shape[:2]) + [1] * (input.dim() - 2)
    else:
        noise_shape = list(input.shape)
    keep = ember.empty(noise_shape, dtype=input.dtype).bernoulli_(1 - p)
    a = 1.0 / math.sqrt((_SELU_SATURATION ** 2 * p + 1) * (1 - p))
    shift = (keep - 1) * (_SELU_SATURATION * a) + _SELU_SATURATION * a * p
    scale = keep * a
    if inplace:
        return input.mul_(scale).add_(shift)
    return input * scale + shift


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    r"""Alpha dropout of each element, as torch.nn.functional.alpha_dropout: while training, each
    element is dropped with probability p to SELU's saturation value, and the result is mapped
    by :math:`a x + b` so that a zero-mean, unit-variance input keeps its mean and variance.

    Args:
        input (Tensor): the input, of any shape.
        p (float, optional): the probability of dropping an element. Default: 0.5.
        training (bool, optional): apply it (else the input is returned). Default: False.
        inplace (bool, optional): write the result into ``input``. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.alpha_dropout(ember.ones(3), 0.5, training=False)
        tensor([1., 1., 1.])
        >>> F.alpha_dropout(ember.randn(10000), 0.2, training=True).std().item() > 0.9
        True
    """
    return _alpha_dropout(input, p, training, inplace, per_channel=False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    r"""Alpha dropout of whole channels, as torch.nn.functional.feature_alpha_dropout: while
    training, each (sample, channel) of an (N, C, ...) input is dropped with probability p as a
    whole, as :func:`alpha_dropout` drops elements.

    Args:
        input (Tensor): (N, C, ...), at least 2-D.
        p (float, optional): the probability of dropping a channel. Default: 0.5.
        training (bool, optional): apply it (else the input is returned). Default: False.
        inplace (bool, optional): write the result into ``input``. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> y = F.feature_alpha_dropout(ember.ones(2, 4, 3), 0.5, training=True)
        >>> bool(((y == y[:, :, :1]).all()))  # one value per channel
        True
    """
    return _alpha_dropout(input, p, training, inplace, per_channel=True)


class _AlphaDropoutBase(Module):
    _function = None

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        _check_p(p)
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return type(self)._function(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class AlphaDropout(_AlphaDropoutBase):
    r"""Alpha dropout of each element while training, as torch.nn.AlphaDropout (see
    :func:`ember.nn.functional.alpha_dropout`): for SELU networks.

    Args:
        p (float, optional): the probability of dropping an element. Default: 0.5.
        inplace (bool, optional): write the result into the input. Default: False.

    Shape:
        input: any; output: the input's.

    Example::

        >>> m = ember.nn.AlphaDropout(0.2)
        >>> m
        AlphaDropout(p=0.2, inplace=False)
        >>> m.eval()(ember.ones(2)).tolist()
        [1.0, 1.0]
    """

    _function = staticmethod(alpha_dropout)


class FeatureAlphaDropout(_AlphaDropoutBase):
    r"""Alpha dropout of whole channels while training, as torch.nn.FeatureAlphaDropout (see
    :func:`ember.nn.functional.feature_alpha_dropout`).

    Args:
        p (float, optional): the probability of dropping a channel. Default: 0.5.
        inplace (bool, optional): write the result into the input. Default: False.

    Shape:
        input: (N, C, ...) or (C, ...); output: the input's.

    Example::

        >>> ember.nn.FeatureAlphaDropout(0.3)
        FeatureAlphaDropout(p=0.3, inplace=False)
    """

    _function = staticmethod(feature_alpha_dropout)

"""ember.nn.init: weight initialization with torch.nn.init's names, signatures and defaults.

Each function fills `tensor` in place without recording history (parameters that require grad
can be filled) and returns it. The formulas are C++ (ember::nn::init), shared with C++ layers.
"""
import numbers
import warnings

from ember._C import _nn_init as _init


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity, as torch.nn.init.calculate_gain: the factor by
    which the initializers scale their standard deviation to keep activations' variance stable.

    ================================================  ==================================
    nonlinearity                                      gain
    ================================================  ==================================
    linear, conv1d/2d/3d, conv_transpose1d/2d/3d      1
    sigmoid                                           1
    tanh                                              5/3
    relu                                              sqrt(2)
    leaky_relu                                        sqrt(2 / (1 + negative_slope^2))
    selu                                              3/4
    ================================================  ==================================

    Args:
        nonlinearity (str): the function's name, as in the table.
        param (float, optional): leaky_relu's negative slope. Default: None (0.01).

    Returns:
        float: the gain.

    Raises:
        ValueError: an unknown ``nonlinearity``, or a ``param`` that is not a number.

    Example::

        >>> nn.init.calculate_gain("tanh")
        1.6666666666666667
        >>> round(nn.init.calculate_gain("leaky_relu", 0.2), 4)
        1.3868
    """
    if param is not None and (isinstance(param, bool) or not isinstance(param, numbers.Real)):
        raise ValueError(f"negative_slope {param} not a valid number")
    return _init.calculate_gain(nonlinearity, param)


def _calculate_fan_in_and_fan_out(tensor):
    return _init.calculate_fan_in_and_fan_out(tensor)


def constant_(tensor, val):
    """Fills ``tensor`` with ``val`` in place, without recording history, as
    torch.nn.init.constant_.

    Args:
        tensor (Tensor): the tensor to fill (a parameter may require grad).
        val (float): the value.

    Returns:
        Tensor: ``tensor``.

    Example::

        >>> nn.init.constant_(ember.empty(2, 3), 0.5)
        tensor([[0.5000, 0.5000, 0.5000],
                [0.5000, 0.5000, 0.5000]])
    """
    return _init.constant_(tensor, val)


def zeros_(tensor):
    """Fills ``tensor`` with 0 in place, without recording history, as torch.nn.init.zeros_.

    Args:
        tensor (Tensor): the tensor to fill.

    Returns:
        Tensor: ``tensor``.

    Example::

        >>> nn.init.zeros_(ember.empty(2))
        tensor([0., 0.])
    """
    return _init.constant_(tensor, 0.0)


def ones_(tensor):
    """Fills ``tensor`` with 1 in place, without recording history, as torch.nn.init.ones_.

    Args:
        tensor (Tensor): the tensor to fill.

    Returns:
        Tensor: ``tensor``.

    Example::

        >>> nn.init.ones_(ember.empty(2))
        tensor([1., 1.])
    """
    return _init.constant_(tensor, 1.0)


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    r"""Fills ``tensor`` in place with draws of the uniform distribution :math:`\mathcal{U}(a, b)`,
    as torch.nn.init.uniform_.

    Args:
        tensor (Tensor): a floating tensor to fill.
        a (float, optional): the lower bound. Default: 0.0.
        b (float, optional): the upper bound. Default: 1.0.
        generator (ember.Generator, optional): the source of randomness. Default: None (ember's
            default generator).

    Returns:
        Tensor: ``tensor``.

    Raises:
        TypeError: ``tensor`` is not floating.
        ValueError: ``a > b``.

    Example::

        >>> w = nn.init.uniform_(ember.empty(3, 5), a=-0.1, b=0.1)
        >>> bool(((w >= -0.1) & (w <= 0.1)).all())
        True
    """
    return _init.uniform_(tensor, a, b, generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    r"""Fills ``tensor`` in place with draws of the normal distribution
    :math:`\mathcal{N}(\text{mean}, \text{std}^2)`, as torch.nn.init.normal_.

    Args:
        tensor (Tensor): a floating tensor to fill.
        mean (float, optional): the mean. Default: 0.0.
        std (float, optional): the standard deviation, non-negative. Default: 1.0.
        generator (ember.Generator, optional): the source of randomness. Default: None (ember's
            default generator).

    Returns:
        Tensor: ``tensor``.

    Raises:
        ValueError: ``std`` is negative.

    Example::

        >>> w = nn.init.normal_(ember.empty(1000, 100), std=0.01)   # small random weights
        >>> round(w.std().item(), 3)
        0.01
    """
    return _init.normal_(tensor, mean, std, generator)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    r"""Glorot (Xavier) uniform initialization, as torch.nn.init.xavier_uniform_: fills
    ``tensor`` with draws of :math:`\mathcal{U}(-a, a)`,
    :math:`a = \text{gain} \sqrt{6 / (\text{fan\_in} + \text{fan\_out})}`
    (Glorot and Bengio, 2010). For a (out, in, k...) tensor, fan_in = in * prod(k) and
    fan_out = out * prod(k).

    Args:
        tensor (Tensor): a floating tensor of at least 2 dims.
        gain (float, optional): the scaling factor (see :func:`calculate_gain`). Default: 1.0.
        generator (ember.Generator, optional): the source of randomness. Default: None (ember's
            default generator).

    Returns:
        Tensor: ``tensor``.

    Raises:
        ValueError: ``tensor`` has fewer than 2 dimensions (no fan in and fan out).

    Example::

        >>> w = nn.init.xavier_uniform_(ember.empty(300, 100))   # a = sqrt(6 / 400)
        >>> bool(w.abs().max() <= 0.1225)
        True
    """
    return _init.xavier_uniform_(tensor, gain, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    r"""Glorot (Xavier) normal initialization, as torch.nn.init.xavier_normal_: fills
    ``tensor`` with draws of :math:`\mathcal{N}(0, \sigma^2)`,
    :math:`\sigma = \text{gain} \sqrt{2 / (\text{fan\_in} + \text{fan\_out})}`.

    Args:
        tensor (Tensor): a floating tensor of at least 2 dims.
        gain (float, optional): the scaling factor (see :func:`calculate_gain`). Default: 1.0.
        generator (ember.Generator, optional): the source of randomness. Default: None (ember's
            default generator).

    Returns:
        Tensor: ``tensor``.

    Raises:
        ValueError: ``tensor`` has fewer than 2 dimensions (no fan in and fan out).

    Example::

        >>> w = nn.init.xavier_normal_(ember.empty(300, 100))   # std = sqrt(2 / 400)
        >>> round(w.std().item(), 2)
        0.07
    """
    return _init.xavier_normal_(tensor, gain, generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r"""He (Kaiming) uniform initialization, as torch.nn.init.kaiming_uniform_: fills
    ``tensor`` with draws of :math:`\mathcal{U}(-b, b)`,
    :math:`b = \text{gain} \sqrt{3 / \text{fan}}`, the gain being
    ``calculate_gain(nonlinearity, a)`` (He et al., 2015). The default (leaky_relu with
    a = 0) gives :math:`b = \sqrt{6 / \text{fan}}`.

    Args:
        tensor (Tensor): a floating tensor of at least 2 dims.
        a (float, optional): the negative slope of the leaky_relu that follows. Default: 0.
        mode (str, optional): ``'fan_in'`` (preserves the forward pass's variance) or
            ``'fan_out'`` (the backward pass's). Default: ``'fan_in'``.
        nonlinearity (str, optional): the nonlinearity that follows, ``'relu'`` or
            ``'leaky_relu'`` advised. Default: ``'leaky_relu'``.
        generator (ember.Generator, optional): the source of randomness. Default: None (ember's
            default generator).

    Returns:
        Tensor: ``tensor``.

    Raises:
        ValueError: ``tensor`` has fewer than 2 dimensions, or a bad ``mode`` or
            ``nonlinearity``.

    Example::

        >>> w = nn.init.kaiming_uniform_(ember.empty(256, 512), nonlinearity="relu")
        >>> bool(w.abs().max() <= (6 / 512) ** 0.5)
        True
    """
    return _init.kaiming_uniform_(tensor, a, mode, nonlinearity, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r"""He (Kaiming) normal initialization, as torch.nn.init.kaiming_normal_: fills ``tensor`` with
    draws of :math:`\mathcal{N}(0, \sigma^2)`, :math:`\sigma = \text{gain} / \sqrt{\text{fan}}`,
    the gain being ``calculate_gain(nonlinearity, a)``; with ``nonlinearity='relu'``,
    :math:`\sigma = \sqrt{2 / \text{fan\_in}}`.

    Args:
        tensor (Tensor): a floating tensor of at least 2 dims.
        a (float, optional): the negative slope of the leaky_relu that follows. Default: 0.
        mode (str, optional): ``'fan_in'`` or ``'fan_out'``. Default: ``'fan_in'``.
        nonlinearity (str, optional): the nonlinearity that follows. Default: ``'leaky_relu'``.
        generator (ember.Generator, optional): the source of randomness. Default: None (ember's
            default generator).

    Returns:
        Tensor: ``tensor``.

    Raises:
        ValueError: ``tensor`` has fewer than 2 dimensions, or a bad ``mode`` or
            ``nonlinearity``.

    Example::

        >>> w = nn.init.kaiming_normal_(ember.empty(256, 512), nonlinearity="relu")
        >>> abs(w.std().item() - (2 / 512) ** 0.5) < 0.001
        True
    """
    return _init.kaiming_normal_(tensor, a, mode, nonlinearity, generator)


def lecun_normal_(tensor, generator=None):
    r"""LeCun normal initialization: fills ``tensor`` with draws of
    :math:`\mathcal{N}(0, 1 / \text{fan\_in})` (LeCun et al., 1998; the initialization SELU
    networks want). ember's own: PyTorch has none (``kaiming_normal_(w, nonlinearity='linear')``
    is the same distribution).

    Args:
        tensor (Tensor): a floating tensor of at least 2 dims.
        generator (ember.Generator, optional): the source of randomness. Default: None (ember's
            default generator).

    Returns:
        Tensor: ``tensor``.

    Raises:
        ValueError: ``tensor`` has fewer than 2 dimensions (no fan in and fan out).

    Example::

        >>> w = nn.init.lecun_normal_(ember.empty(256, 400))   # std = 1 / 20
        >>> abs(w.std().item() - 0.05) < 0.001
        True
    """
    return _init.lecun_normal_(tensor, generator)


def orthogonal_(tensor, gain=1, generator=None):
    """Fills ``tensor`` with a (semi-)orthogonal matrix, as torch.nn.init.orthogonal_ (Saxe et al.,
    2013): the Q of the QR decomposition of a standard normal matrix (its signs fixed by R's
    diagonal), times ``gain``. The tensor is seen as a (size(0), numel / size(0)) matrix: its rows
    are orthonormal when there are fewer rows than columns, else its columns.

    Args:
        tensor (Tensor): a floating tensor of at least 2 dims.
        gain (float, optional): the scaling factor. Default: 1.
        generator (ember.Generator, optional): the source of randomness. Default: None (ember's
            default generator).

    Returns:
        Tensor: ``tensor``.

    Raises:
        ValueError: ``tensor`` has fewer than 2 dimensions.

    Example::

        >>> w = nn.init.orthogonal_(ember.empty(3, 5))
        >>> ember.allclose(w @ w.T, ember.eye(3), atol=1e-6)
        True
    """
    return _init.orthogonal_(tensor, gain, generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    r"""Fills ``tensor`` in place with draws of :math:`\mathcal{N}(\text{mean}, \text{std}^2)`
    truncated to :math:`[a, b]`, as torch.nn.init.trunc_normal_ (the initialization of ViT and
    most transformer code): uniform draws between the bounds' CDFs, mapped through the inverse
    CDF, clamped to ``[a, b]`` against rounding. Warns, as torch, when ``mean`` lies more than 2
    std outside ``[a, b]`` (the samples are then poor).

    Args:
        tensor (Tensor): a floating tensor to fill.
        mean (float, optional): the mean of the normal distribution. Default: 0.0.
        std (float, optional): its standard deviation. Default: 1.0.
        a (float, optional): the lower cutoff (an absolute value, not in stds). Default: -2.0.
        b (float, optional): the upper cutoff. Default: 2.0.
        generator (ember.Generator, optional): the source of randomness. Default: None (ember's
            default generator).

    Returns:
        Tensor: ``tensor``.

    Example::

        >>> w = nn.init.trunc_normal_(ember.empty(768, 768), std=0.02, a=-0.04, b=0.04)
        >>> bool((w.abs() <= 0.04).all())
        True
    """
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values "
                      "may be incorrect.", stacklevel=2)
    return _init.trunc_normal_(tensor, mean, std, a, b, generator)


def dirac_(tensor, groups=1):
    """Fills a 3-, 4- or 5-d convolution weight with the Dirac delta, as torch.nn.init.dirac_: the
    convolution then passes its input channels through unchanged (as many as it has outputs per
    group); with ``groups``, each group's block gets its own identity.

    Args:
        tensor (Tensor): an (out_channels, in_channels, *kernel) tensor of any dtype.
        groups (int, optional): the number of groups of output channels. Default: 1.

    Returns:
        Tensor: ``tensor``.

    Raises:
        ValueError: ``tensor`` has not 3 to 5 dims, or ``groups`` does not divide its size(0).

    Example::

        >>> conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
        >>> _ = nn.init.dirac_(conv.weight)
        >>> x = ember.randn(1, 3, 5, 5)
        >>> ember.allclose(conv(x), x, atol=1e-6)
        True
    """
    return _init.dirac_(tensor, groups)


def eye_(tensor):
    """Fills a 2-d tensor with the identity matrix (ones on the diagonal of a rectangular one), as
    torch.nn.init.eye_: a Linear layer so filled passes its inputs through.

    Args:
        tensor (Tensor): a 2-d tensor of any dtype.

    Returns:
        Tensor: ``tensor``.

    Raises:
        ValueError: ``tensor`` is not 2-d.

    Example::

        >>> nn.init.eye_(ember.empty(2, 3))
        tensor([[1., 0., 0.],
                [0., 1., 0.]])
    """
    return _init.eye_(tensor)


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fills a 2-d tensor as a sparse matrix, as torch.nn.init.sparse_ (Martens, 2010): draws of
    N(0, std^2), then ``ceil(sparsity * rows)`` entries of each column, at random rows, set to zero.

    Args:
        tensor (Tensor): a 2-d floating tensor.
        sparsity (float): the fraction of each column set to zero.
        std (float, optional): the standard deviation of the non-zero entries. Default: 0.01.
        generator (ember.Generator, optional): the source of randomness, for the values and the
            rows chosen. Default: None (ember's default generator).

    Returns:
        Tensor: ``tensor``.

    Raises:
        ValueError: ``tensor`` is not 2-d.

    Example::

        >>> w = nn.init.sparse_(ember.empty(10, 4), sparsity=0.3)
        >>> (w == 0).sum(0).tolist()
        [3, 3, 3, 3]
    """
    return _init.sparse_(tensor, sparsity, std, generator)


def _deprecated(fill, example_args="ember.empty(2, 2)"):
    """torch's old name of an init function (without the trailing underscore), with its
    FutureWarning."""
    def old(*args, **kwargs):
        warnings.warn(f"`nn.init.{fill.__name__[:-1]}` is now deprecated in favor of `nn.init.{fill.__name__}`.",
                      FutureWarning, stacklevel=2)
        return fill(*args, **kwargs)

    old.__name__ = old.__qualname__ = fill.__name__[:-1]
    old.__doc__ = f"""{fill.__name__} under its deprecated name (with a FutureWarning), as torch.nn.init.{old.__name__}.

    Args:
        *args, **kwargs: as {fill.__name__}'s.

    Returns:
        Tensor: the tensor filled.

    Example::

        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     w = nn.init.{old.__name__}({example_args})
        >>> caught[0].category.__name__
        'FutureWarning'
    """
    return old


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_, "ember.empty(2, 2), 0.5")
eye = _deprecated(eye_)
dirac = _deprecated(dirac_, "ember.empty(2, 2, 3)")
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_, "ember.empty(2, 2), 0.5")

__all__ = ["calculate_gain", "constant_", "dirac_", "eye_", "kaiming_normal_", "kaiming_uniform_", "lecun_normal_",
           "normal_", "ones_", "orthogonal_", "sparse_", "trunc_normal_", "uniform_", "xavier_normal_",
           "xavier_uniform_", "zeros_"]

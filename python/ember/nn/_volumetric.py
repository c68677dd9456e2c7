"""The 3-d (volume) forms of torch.nn.functional's pools and channel dropout, over
(N, C, D, H, W) or (C, D, H, W) inputs: video clips, scans. The math is C++
(ember/nn/functional.h); these give PyTorch's Python signatures and docstrings."""
import warnings

from ember._C import _nn_functional as _F


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The max of each kernel_size window of the last three dims, as torch.nn.functional.max_pool3d.

    Args:
        input (Tensor): (N, C, D, H, W) or (C, D, H, W), floating or int64.
        kernel_size (int or tuple): the window's size, one or (kD, kH, kW).
        stride (int or tuple, optional): the window's step. Default: ``kernel_size``.
        padding (int or tuple, optional): -inf padding on each side, at most half the kernel. Default: 0.
        dilation (int or tuple, optional): the spacing of the window's elements. Default: 1.
        ceil_mode (bool, optional): round the output size up. Default: False.
        return_indices (bool, optional): also return each max's place in its volume
            (d * H * W + h * W + w), int64. Default: False.

    Returns:
        Tensor: (N, C, D_out, H_out, W_out) or (C, D_out, H_out, W_out), or (values, indices).

    Example::

        >>> F.max_pool3d(ember.arange(8.).reshape(1, 1, 2, 2, 2), 2)
        tensor([[[[[7.]]]]])
    """
    values, indices = _F.max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (values, indices) if return_indices else values


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """:func:`max_pool3d`'s values and indices, whatever ``return_indices`` says, as
    torch.nn.functional.max_pool3d_with_indices.

    Args:
        input (Tensor): (N, C, D, H, W) or (C, D, H, W), floating or int64.
        kernel_size (int or tuple): the window's size.
        stride (int or tuple, optional): the window's step. Default: ``kernel_size``.
        padding (int or tuple, optional): -inf padding on each side. Default: 0.
        dilation (int or tuple, optional): the spacing of the window's elements. Default: 1.
        ceil_mode (bool, optional): round the output size up. Default: False.
        return_indices (bool, optional): ignored (the indices are always returned).

    Returns:
        tuple: (values, indices), the indices int64 places in each volume.

    Example::

        >>> F.max_pool3d_with_indices(ember.arange(8.).reshape(1, 2, 2, 2), 2)[1]
        tensor([[[[7]]]])
    """
    return _F.max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean of each kernel_size window of the last three dims, as torch.nn.functional.avg_pool3d.

    Args:
        input (Tensor): (N, C, D, H, W) or (C, D, H, W), floating or int64 (means truncated, as torch).
        kernel_size (int or tuple): the window's size, one or (kD, kH, kW).
        stride (int or tuple, optional): the window's step. Default: ``kernel_size``.
        padding (int or tuple, optional): zeros on each side, at most half the kernel. Default: 0.
        ceil_mode (bool, optional): round the output size up. Default: False.
        count_include_pad (bool, optional): divide by the window's size including the padding it
            covers. Default: True.
        divisor_override (int, optional): divide every sum by this instead.

    Returns:
        Tensor: (N, C, D_out, H_out, W_out) or (C, D_out, H_out, W_out).

    Example::

        >>> F.avg_pool3d(ember.ones(1, 1, 4, 4, 4), 2).shape
        ember.Size([1, 1, 2, 2, 2])
    """
    return _F.avg_pool3d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def adaptive_avg_pool3d(input, output_size):
    """Means over windows that split D, H and W into ``output_size`` parts, as
    torch.nn.functional.adaptive_avg_pool3d (the windows of :func:`adaptive_avg_pool2d`, per dim).

    Args:
        input (Tensor): (N, C, D, H, W) or (C, D, H, W), floating.
        output_size (int or tuple): (D_out, H_out, W_out), or one int for all; None in a place
            keeps that dim's size.

    Returns:
        Tensor: (N, C, D_out, H_out, W_out) or (C, D_out, H_out, W_out).

    Example::

        >>> F.adaptive_avg_pool3d(ember.ones(2, 3, 4, 5, 6), 1).shape
        ember.Size([2, 3, 1, 1, 1])
    """
    return _F.adaptive_avg_pool3d(input, output_size)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Maxima over :func:`adaptive_avg_pool3d`'s windows, as torch.nn.functional.adaptive_max_pool3d.

    Args:
        input (Tensor): (N, C, D, H, W) or (C, D, H, W), floating.
        output_size (int or tuple): (D_out, H_out, W_out), or one int for all.
        return_indices (bool, optional): also return each maximum's place in its volume. Default: False.

    Returns:
        Tensor: (N, C, D_out, H_out, W_out) or (C, D_out, H_out, W_out), or (values, indices).

    Example::

        >>> F.adaptive_max_pool3d(ember.arange(8.).reshape(1, 2, 2, 2), 1)
        tensor([[[[7.]]]])
    """
    values, indices = _F.adaptive_max_pool3d(input, output_size)
    return (values, indices) if return_indices else values


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """:func:`adaptive_max_pool3d`'s values and indices, whatever ``return_indices`` says, as
    torch.nn.functional.adaptive_max_pool3d_with_indices.

    Args:
        input (Tensor): (N, C, D, H, W) or (C, D, H, W), floating.
        output_size (int or tuple): (D_out, H_out, W_out), or one int for all.
        return_indices (bool, optional): ignored (torch's signature). Default: False.

    Returns:
        (Tensor, Tensor): the maxima and their places in their volumes.

    Example::

        >>> F.adaptive_max_pool3d_with_indices(ember.arange(8.).reshape(1, 2, 2, 2), 1)[1]
        tensor([[[[7]]]])
    """
    return _F.adaptive_max_pool3d(input, output_size)


def _warn_dropout3d(ndim):
    """PyTorch 2.13's warning for a dropout3d input other than (N, C, D, H, W) or (C, D, H, W)."""
    if ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {ndim}-D input to dropout3d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout3d "
            "exists to provide channel-wise dropout on inputs with 3 spatial dimensions, "
            "a channel dimension, and an optional batch size dimension (i.e. 4D or 5D inputs).", stacklevel=3)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of volumes, as torch.nn.functional.dropout3d.

    Each channel of an (N, C, D, H, W) input (or of a (C, D, H, W) one) is zeroed with
    probability ``p`` and the rest are scaled by 1 / (1 - p) when training. Other ranks are taken
    as (N, C, ...), with PyTorch's warning.

    Args:
        input (Tensor): (N, C, D, H, W) or (C, D, H, W), floating.
        p (float, optional): the probability of zeroing a channel. Default: 0.5.
        training (bool, optional): apply the dropout; False returns the input. Default: True.
        inplace (bool, optional): write the result into the input. Default: False.

    Returns:
        Tensor: the input's shape.

    Example::

        >>> F.dropout3d(ember.ones(2, 3, 2, 4, 4), p=0.5).shape
        ember.Size([2, 3, 2, 4, 4])
    """
    if not 0.0 <= p <= 1.0 and p == p:  # torch's order: the range, the input's rank, then NaN
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    _warn_dropout3d(input.dim())
    if p != p:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    out = _F.dropout3d(input, p, training)
    return input.copy_(out) if inplace else out

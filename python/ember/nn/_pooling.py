"""torch.nn.functional's 1-d and 2-d max, average and adaptive pools (C++: cpp/src/ops/pool.cpp),
with their docstrings. ember.nn.functional re-exports them; the 3-d ones are in _volumetric.py and
the power-average ones in _lp_pool.py."""
from ember._C import _nn_functional as _F


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The max of each kernel_size window of the last two dims, as torch.nn.functional.max_pool2d.

    Args:
        input: (N, C, H, W) or (C, H, W), floating or int64.
        kernel_size, stride, padding, dilation: an int or a pair (stride: the kernel's when None).
            The input is padded with -inf, by at most half of kernel_size.
        ceil_mode: round the output size up, so a last partial window counts.
        return_indices: also return each max's place in its plane (h * W + w), int64.

    Returns:
        Tensor (N, C, H_out, W_out), or (values, indices).

    Example::

        >>> F.max_pool2d(ember.arange(16.).reshape(1, 1, 4, 4), 2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    values, indices = _F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (values, indices) if return_indices else values


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """:func:`max_pool2d`'s values and indices, whatever ``return_indices`` says, as
    torch.nn.functional.max_pool2d_with_indices.

    Args:
        input (Tensor): (N, C, H, W) or (C, H, W), floating or int64.
        kernel_size (int or tuple): the window's size.
        stride (int or tuple, optional): the window's step. Default: ``kernel_size``.
        padding (int or tuple, optional): -inf padding on each side. Default: 0.
        dilation (int or tuple, optional): the spacing of the window's elements. Default: 1.
        ceil_mode (bool, optional): round the output size up. Default: False.
        return_indices (bool, optional): ignored (the indices are always returned).

    Returns:
        tuple: (values, indices), the indices int64 places in each plane (h * W + w).

    Example::

        >>> values, indices = F.max_pool2d_with_indices(ember.arange(16.).reshape(1, 4, 4), 2)
        >>> indices
        tensor([[[ 5,  7],
                 [13, 15]]])
    """
    return _F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The maximum of each window of the last dimension, as torch.nn.functional.max_pool1d.

    Args:
        input (Tensor): (N, C, L) or (C, L), floating or int64.
        kernel_size (int): the window's size.
        stride (int, optional): the window's step. Default: ``kernel_size``.
        padding (int, optional): -inf padding on each side, at most half the kernel. Default: 0.
        dilation (int, optional): the spacing of the window's elements. Default: 1.
        ceil_mode (bool, optional): round the output size up, so a last partial window counts.
            Default: False.
        return_indices (bool, optional): also return each maximum's place along L. Default: False.

    Returns:
        Tensor: (N, C, L_out) or (C, L_out), or (values, indices).

    Raises:
        ValueError: a bad rank, kernel, stride or padding.

    Example::

        >>> F.max_pool1d(ember.tensor([[1., 3., 2., 5.]]), 2)
        tensor([[3., 5.]])
        >>> F.max_pool1d(ember.tensor([[1., 3., 2., 5.]]), 2, return_indices=True)[1]
        tensor([[1, 3]])
    """
    values, indices = _F.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (values, indices) if return_indices else values


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """:func:`max_pool1d`'s values and indices, whatever ``return_indices`` says, as
    torch.nn.functional.max_pool1d_with_indices.

    Args:
        input (Tensor): (N, C, L) or (C, L), floating or int64.
        kernel_size (int): the window's size.
        stride (int, optional): the window's step. Default: ``kernel_size``.
        padding (int, optional): -inf padding on each side. Default: 0.
        dilation (int, optional): the spacing of the window's elements. Default: 1.
        ceil_mode (bool, optional): round the output size up. Default: False.
        return_indices (bool, optional): ignored (the indices are always returned).

    Returns:
        tuple: (values, indices), the indices int64 places along L.

    Example::

        >>> F.max_pool1d_with_indices(ember.tensor([[1., 3., 2., 5.]]), 2)
        (tensor([[3., 5.]]), tensor([[1, 3]]))
    """
    return _F.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean of each kernel_size window of the last two dims, as torch.nn.functional.avg_pool2d.

    Args:
        input: (N, C, H, W) or (C, H, W), floating or int64 (means truncated, as torch).
        kernel_size, stride, padding: an int or a pair (stride: the kernel's when None); the zero
            padding is at most half the kernel.
        ceil_mode: round the output size up.
        count_include_pad: divide by the window's size including the padding it covers.
        divisor_override: divide every sum by this instead.

    Returns:
        Tensor (N, C, H_out, W_out).

    Example::

        >>> F.avg_pool2d(ember.ones(1, 1, 4, 4), 2).shape
        ember.Size([1, 1, 2, 2])
    """
    return _F.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """The mean of each window of the last dimension, as torch.nn.functional.avg_pool1d.

    Args:
        input (Tensor): (N, C, L) or (C, L), floating or int64.
        kernel_size (int): the window's size.
        stride (int, optional): the window's step. Default: ``kernel_size``.
        padding (int, optional): zero padding on each side, at most half the kernel. Default: 0.
        ceil_mode (bool, optional): round the output size up. Default: False.
        count_include_pad (bool, optional): divide by the window's size including the padding
            it covers. Default: True.

    Returns:
        Tensor: (N, C, L_out) or (C, L_out).

    Raises:
        ValueError: a bad rank, kernel, stride or padding.

    Example::

        >>> F.avg_pool1d(ember.tensor([[1., 3., 2., 6.]]), 2)
        tensor([[2., 4.]])
    """
    return _F.avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def adaptive_avg_pool2d(input, output_size):
    r"""Means over windows that split H and W into ``output_size`` parts, as
    torch.nn.functional.adaptive_avg_pool2d: output :math:`o` of a dim of size :math:`n` covers
    :math:`[\lfloor o n / m \rfloor, \lceil (o + 1) n / m \rceil)` for :math:`m` outputs.

    Args:
        input (Tensor): (N, C, H, W) or (C, H, W), floating.
        output_size (int or tuple): (H_out, W_out), or one int for both; None in a place keeps
            that dim's size.

    Returns:
        Tensor: (N, C, H_out, W_out) or (C, H_out, W_out).

    Raises:
        ValueError: a bad rank or output size.

    Example::

        >>> F.adaptive_avg_pool2d(ember.ones(2, 3, 7, 7), 1).shape
        ember.Size([2, 3, 1, 1])
    """
    return _F.adaptive_avg_pool2d(input, output_size)


def adaptive_avg_pool1d(input, output_size):
    """:func:`adaptive_avg_pool2d` over the last dimension, as torch.nn.functional.adaptive_avg_pool1d.

    Args:
        input (Tensor): (N, C, L) or (C, L), floating.
        output_size (int): L_out.

    Returns:
        Tensor: (N, C, L_out) or (C, L_out).

    Raises:
        ValueError: a bad rank or output size.

    Example::

        >>> F.adaptive_avg_pool1d(ember.tensor([[1., 3., 2., 6.]]), 2)
        tensor([[2., 4.]])
    """
    return _F.adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Maxima over :func:`adaptive_avg_pool2d`'s windows, as torch.nn.functional.adaptive_max_pool2d.

    Args:
        input (Tensor): (N, C, H, W) or (C, H, W), floating.
        output_size (int or tuple): (H_out, W_out), or one int for both.
        return_indices (bool, optional): also return each maximum's place in its plane
            (h * W + w). Default: False.

    Returns:
        Tensor: (N, C, H_out, W_out) or (C, H_out, W_out), or (values, indices).

    Raises:
        ValueError: a bad rank or output size.

    Example::

        >>> F.adaptive_max_pool2d(ember.arange(16.).reshape(1, 4, 4), 1)
        tensor([[[15.]]])
    """
    values, indices = _F.adaptive_max_pool2d(input, output_size)
    return (values, indices) if return_indices else values


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """:func:`adaptive_max_pool2d` over the last dimension, as torch.nn.functional.adaptive_max_pool1d.

    Args:
        input (Tensor): (N, C, L) or (C, L), floating.
        output_size (int): L_out.
        return_indices (bool, optional): also return each maximum's place along L. Default: False.

    Returns:
        Tensor: (N, C, L_out) or (C, L_out), or (values, indices).

    Raises:
        ValueError: a bad rank or output size.

    Example::

        >>> F.adaptive_max_pool1d(ember.tensor([[1., 3., 2., 6.]]), 2)
        tensor([[3., 6.]])
    """
    values, indices = _F.adaptive_max_pool1d(input, output_size)
    return (values, indices) if return_indices else values


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """:func:`adaptive_max_pool2d`'s values and indices, whatever ``return_indices`` says, as
    torch.nn.functional.adaptive_max_pool2d_with_indices.

    Args:
        input (Tensor): (N, C, H, W) or (C, H, W), floating.
        output_size (int or tuple): (H_out, W_out), or one int for both.
        return_indices (bool, optional): ignored (torch's signature). Default: False.

    Returns:
        (Tensor, Tensor): the maxima and their places in their planes (h * W + w).

    Example::

        >>> F.adaptive_max_pool2d_with_indices(ember.arange(4.).reshape(1, 2, 2), 1)[1]
        tensor([[[3]]])
    """
    return _F.adaptive_max_pool2d(input, output_size)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """:func:`adaptive_max_pool1d`'s values and indices, whatever ``return_indices`` says, as
    torch.nn.functional.adaptive_max_pool1d_with_indices.

    Args:
        input (Tensor): (N, C, L) or (C, L), floating.
        output_size (int): L_out.
        return_indices (bool, optional): ignored (torch's signature). Default: False.

    Returns:
        (Tensor, Tensor): the maxima and their places along L.

    Example::

        >>> F.adaptive_max_pool1d_with_indices(ember.tensor([[1., 3., 2., 6.]]), 2)[1]
        tensor([[1, 3]])
    """
    return _F.adaptive_max_pool1d(input, output_size)

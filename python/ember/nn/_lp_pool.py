r"""Power-average pooling, as torch.nn's LPPool: the p-norm of each window,
:math:`(\sum x^p)^{1/p}`, built on the average pools (and the max pools for p = ±inf)."""
import ember
from ember.nn import functional as F
from ember.nn.modules import Module


def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, dims):
    sizes = (kernel_size,) * dims if isinstance(kernel_size, int) else tuple(kernel_size)
    if dims > 1 and len(sizes) != dims:  # torch unpacks the kernel's sizes first
        raise ValueError(f"lp_pool{dims}d: kernel_size must be an int or {dims} ints, got {kernel_size}")
    avg_pool, max_pool = {1: (F.avg_pool1d, F.max_pool1d), 2: (F.avg_pool2d, F.max_pool2d),
                          3: (F.avg_pool3d, F.max_pool3d)}[dims]
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    if dims == 1 and not isinstance(kernel_size, int):  # torch multiplies the result by it
        raise TypeError(f"lp_pool1d: kernel_size must be an int, got {kernel_size!r}")
    window = 1
    for size in sizes:
        window *= size
    return (ember.sign(out) * F.relu(out.abs())).mul(window).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    r"""The p-norm of each window along the last dim, as torch.nn.functional.lp_pool1d:
    :math:`(\sum_{window} x^p)^{1/p}`; p = inf is the max of the absolute values.

    Args:
        input (Tensor): (N, C, L) or (C, L).
        norm_type (float): p.
        kernel_size (int): the window's length.
        stride (int, optional): the step between windows. Default: kernel_size.
        ceil_mode (bool, optional): keep a last, partial window. Default: False.

    Returns:
        Tensor: (N, C, L_out) or (C, L_out).

    Example::

        >>> F.lp_pool1d(ember.tensor([[[3., 4., 1.]]]), 2, 2)
        tensor([[[5.]]])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    r"""The p-norm of each window of the last two dims, as torch.nn.functional.lp_pool2d:
    :math:`(\sum_{window} x^p)^{1/p}`; p = inf is the max of the absolute values.

    Args:
        input (Tensor): (N, C, H, W) or (C, H, W).
        norm_type (float): p.
        kernel_size (int or (int, int)): the window's size.
        stride (int or (int, int), optional): the step between windows. Default: kernel_size.
        ceil_mode (bool, optional): keep last, partial windows. Default: False.

    Returns:
        Tensor: (N, C, H_out, W_out) or (C, H_out, W_out).

    Example::

        >>> F.lp_pool2d(ember.ones(1, 1, 4, 4), 1, 2)
        tensor([[[[4., 4.],
                  [4., 4.]]]])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    r"""The p-norm of each window of the last three dims, as torch.nn.functional.lp_pool3d:
    :math:`(\sum_{window} x^p)^{1/p}`; p = inf is the max of the absolute values.

    Args:
        input (Tensor): (N, C, D, H, W) or (C, D, H, W).
        norm_type (float): p.
        kernel_size (int or (int, int, int)): the window's size.
        stride (int or (int, int, int), optional): the step between windows. Default: kernel_size.
        ceil_mode (bool, optional): keep last, partial windows. Default: False.

    Returns:
        Tensor: (N, C, D_out, H_out, W_out) or (C, D_out, H_out, W_out).

    Example::

        >>> F.lp_pool3d(ember.ones(1, 1, 2, 2, 2), 1, 2)
        tensor([[[[[8.]]]]])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3)


class _LPPoolNd(Module):
    _function = None

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return type(self)._function(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    r"""Power-average pooling along the last dim, as torch.nn.LPPool1d (see
    :func:`ember.nn.functional.lp_pool1d`).

    Args:
        norm_type (float): p.
        kernel_size (int): the window's length.
        stride (int, optional): the step between windows. Default: kernel_size.
        ceil_mode (bool, optional): keep a last, partial window. Default: False.

    Shape:
        input: (N, C, L) or (C, L); output: (N, C, L_out) or (C, L_out).

    Example::

        >>> ember.nn.LPPool1d(2, 3, stride=2)
        LPPool1d(norm_type=2, kernel_size=3, stride=2, ceil_mode=False)
    """

    _function = staticmethod(lp_pool1d)


class LPPool2d(_LPPoolNd):
    r"""Power-average pooling over the last two dims, as torch.nn.LPPool2d (see
    :func:`ember.nn.functional.lp_pool2d`).

    Args:
        norm_type (float): p.
        kernel_size (int or (int, int)): the window's size.
        stride (int or (int, int), optional): the step between windows. Default: kernel_size.
        ceil_mode (bool, optional): keep last, partial windows. Default: False.

    Shape:
        input: (N, C, H, W) or (C, H, W); output: (N, C, H_out, W_out) or (C, H_out, W_out).

    Example::

        >>> ember.nn.LPPool2d(1.5, (3, 2))(ember.ones(1, 1, 6, 4)).shape
        ember.Size([1, 1, 2, 2])
    """

    _function = staticmethod(lp_pool2d)


class LPPool3d(_LPPoolNd):
    r"""Power-average pooling over the last three dims, as torch.nn.LPPool3d (see
    :func:`ember.nn.functional.lp_pool3d`).

    Args:
        norm_type (float): p.
        kernel_size (int or (int, int, int)): the window's size.
        stride (int or (int, int, int), optional): the step between windows. Default: kernel_size.
        ceil_mode (bool, optional): keep last, partial windows. Default: False.

    Shape:
        input: (N, C, D, H, W) or (C, D, H, W); output: (N, C, D_out, H_out, W_out) or unbatched.

    Example::

        >>> ember.nn.LPPool3d(2, 2)(ember.ones(1, 1, 4, 4, 4)).shape
        ember.Size([1, 1, 2, 2, 2])
    """

    _function = staticmethod(lp_pool3d)

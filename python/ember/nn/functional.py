"""ember.nn.functional: stateless forms of the layers, as torch.nn.functional."""

import warnings

from ember._C import _nn_functional as _F
from ember._C import log_softmax as _log_softmax, softmax as _softmax
from ember._C import Tensor as _Tensor, broadcast_shapes as _broadcast_shapes, relu as _relu
from ember._C import sigmoid, tanh  # noqa: F401  (torch.nn.functional has them too)
from ember._C._nn_functional import gelu, logsigmoid, one_hot, prelu, softplus
from ember._C._nn_functional import conv1d, conv2d, conv_transpose1d, conv_transpose2d  # noqa: F401


def _maybe_inplace(input, result, inplace):
    """inplace=True writes the result into input and returns input, as PyTorch's."""
    if not inplace:
        return result
    return input.copy_(result)


def relu(input, inplace=False):
    """max(x, 0)."""
    return _Tensor.relu_(input) if inplace else _relu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, negative_slope * x otherwise."""
    return _F.leaky_relu_(input, negative_slope) if inplace else _F.leaky_relu(input, negative_slope)


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, alpha * (e^x - 1) otherwise."""
    return _F.elu_(input, alpha) if inplace else _F.elu(input, alpha)


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    return _F.silu_(input) if inplace else _F.silu(input)


def _softmax_dim(ndim):
    # PyTorch's legacy choice when dim is not given (with a deprecation warning there).
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along dim, computed stably."""
    return _softmax(input, _softmax_dim(input.dim()) if dim is None else dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along dim, computed stably (x - logsumexp(x))."""
    return _log_softmax(input, _softmax_dim(input.dim()) if dim is None else dim, dtype)


from ember._C._nn_modules import _legacy_reduction as _reduction  # noqa: E402


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """mean((input - target)^2) (or their sum, or none)."""
    return _F.mse_loss(input, target, _reduction(size_average, reduce, reduction))


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """mean(|input - target|)."""
    return _F.l1_loss(input, target, _reduction(size_average, reduce, reduction))


def huber_loss(input, target, reduction="mean", delta=1.0):
    """0.5 d^2 where |d| < delta, else delta (|d| - delta / 2)."""
    return _F.huber_loss(input, target, reduction, delta)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2."""
    return _F.smooth_l1_loss(input, target, _reduction(size_average, reduce, reduction), beta)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-w (y log p + (1 - y) log(1 - p)) on probabilities p in [0, 1]."""
    return _F.binary_cross_entropy(input, target, weight, _reduction(size_average, reduce, reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target), computed stably from the logits."""
    return _F.binary_cross_entropy_with_logits(input, target, weight,
                                               _reduction(size_average, reduce, reduction), pos_weight)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """-input[target] per sample (log-probabilities in, class indices as target)."""
    return _F.nll_loss(input, target, weight, ignore_index, _reduction(size_average, reduce, reduction))


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """log_softmax + nll_loss for class indices, or -sum(target * log_softmax) for probabilities."""
    return _F.cross_entropy(input, target, weight, ignore_index,
                            _reduction(size_average, reduce, reduction), label_smoothing)


def linear(input, weight, bias=None):
    """input @ weight.T + bias."""
    return _F.linear(input, weight, bias)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    """Normalizes each channel (dim 1) by the batch's statistics (training; the running ones are
    updated in place) or by the running statistics, then scales and shifts."""
    return _F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalizes over the trailing dims normalized_shape, then scales and shifts."""
    return _F.layer_norm(input, normalized_shape, weight, bias, eps)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zeroes elements with probability p and scales the rest by 1/(1-p) (training only)."""
    return _maybe_inplace(input, _F.dropout(input, p, training), inplace and training and p > 0)


def gaussian_noise(input, std=0.1, training=True):
    """Adds N(0, std^2) noise (training only); ember's own, torch has no such function."""
    return _F.gaussian_noise(input, std, training)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of weight picked by the integer indices in input."""
    if scale_grad_by_freq or sparse:
        raise ValueError("embedding: scale_grad_by_freq and sparse are not supported")
    return _F.embedding(input, weight, padding_idx, max_norm, norm_type)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    r"""Cosine similarity along ``dim``, as torch.nn.functional.cosine_similarity:

    .. math:: \frac{x_1}{\max(\lVert x_1 \rVert_2, \epsilon)} \cdot
              \frac{x_2}{\max(\lVert x_2 \rVert_2, \epsilon)}

    The inputs are broadcast together first; each is divided by its norm before the product,
    which keeps the result in [-1, 1].

    Args:
        x1, x2: floating tensors of broadcastable shapes.
        dim: the dimension of the vectors (of the broadcast shape). Default: 1.
        eps: the smallest norm divided by, so a zero vector gives 0. Default: 1e-8.

    Returns:
        The broadcast shape without ``dim``.

    Example::

        >>> F.cosine_similarity(ember.tensor([[1., 0.], [1., 1.]]), ember.tensor([[1., 0.]]))
        tensor([1.0000, 0.7071])
    """
    for name, x in (("x1", x1), ("x2", x2)):
        if not isinstance(x, _Tensor):
            raise TypeError(f"cosine_similarity: {name} must be a Tensor, got {type(x).__name__}")
        if not x.is_floating_point():
            raise TypeError(f"cosine_similarity: expected floating-point inputs, got {name} of "
                            f"dtype {x.dtype}")
    shape = _broadcast_shapes(x1.shape, x2.shape)
    if not -len(shape) <= dim < max(len(shape), 1):
        raise IndexError(f"cosine_similarity: dim {dim} is out of range for the broadcast shape "
                         f"{tuple(shape)}")
    x1, x2 = x1.expand(shape), x2.expand(shape)
    n1 = x1.norm(dim=dim, keepdim=True).clamp(min=eps)
    n2 = x2.norm(dim=dim, keepdim=True).clamp(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def sign(input, straight_through=False):
    """-1, 0 or 1 by sign; gradient zero, or the identity with straight_through."""
    return _F.sign_straight_through(input) if straight_through else input.sign()


def pad(input, pad, mode="constant", value=None):
    """Pads the last len(pad) // 2 dims, as torch.nn.functional.pad.

    Args:
        input: a tensor.
        pad: (before, after) for the last dim, then for the one before it, ...
        mode: "constant" (negative amounts crop), "reflect", "replicate" or "circular"; the last
            three pad 1 to 3 dims of an input with one or two dims more.
        value: the constant's value (0 when None).

    Returns:
        The padded tensor.

    Example::

        >>> F.pad(ember.tensor([[1., 2., 3.]]), (2, 1), mode="reflect")
        tensor([[3., 2., 1., 2., 3., 2.]])
    """
    return _F.pad(input, pad, mode, value)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """The sliding blocks of an image as columns (im2col), as torch.nn.functional.unfold.

    Args:
        input: (N, C, H, W) or (C, H, W), floating.
        kernel_size, dilation, padding, stride: an int or a pair; the padding is zeros.

    Returns:
        (N, C * kh * kw, L) (or without N), L the number of blocks; column l holds block l.

    Example::

        >>> F.unfold(ember.arange(16.).reshape(1, 1, 4, 4), 2, stride=2).shape
        ember.Size([1, 4, 4])
    """
    return _F.unfold(input, kernel_size, dilation, padding, stride)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """unfold's adjoint (col2im), as torch.nn.functional.fold: each column summed into its block.

    Args:
        input: (N, C * kh * kw, L) or (C * kh * kw, L), floating, L the number of blocks.
        output_size: the image's (H, W) (or one int for both).
        kernel_size, dilation, padding, stride: as unfold's.

    Returns:
        (N, C, H, W) (or without N); overlapping blocks add up.

    Example::

        >>> x = ember.ones(1, 1, 4, 4)
        >>> F.fold(F.unfold(x, 2), 4, 2)[0, 0]   # how many 2x2 blocks cover each pixel
        tensor([[1., 2., 2., 1.],
                [2., 4., 4., 2.],
                [2., 4., 4., 2.],
                [1., 2., 2., 1.]])
    """
    return _F.fold(input, output_size, kernel_size, dilation, padding, stride)


# ---- pooling (C++: cpp/src/ops/pool.cpp) ------------------------------------------------------

def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The max of each kernel_size window of the last two dims, as torch.nn.functional.max_pool2d.

    Args:
        input: (N, C, H, W) or (C, H, W), floating or int64.
        kernel_size, stride, padding, dilation: an int or a pair (stride: the kernel's when None).
            The input is padded with -inf, by at most half the effective kernel.
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
    """max_pool2d's values and indices, whatever return_indices says (as torch's)."""
    return _F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The max of each window of the last dim of (N, C, L) or (C, L): max_pool2d's arguments as
    single ints; indices are places along L.

    Example::

        >>> F.max_pool1d(ember.tensor([[1., 3., 2., 5.]]), 2)
        tensor([[3., 5.]])
    """
    values, indices = _F.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (values, indices) if return_indices else values


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """max_pool1d's values and indices, whatever return_indices says (as torch's)."""
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
    """The mean of each window of the last dim of (N, C, L) or (C, L): avg_pool2d's arguments as
    single ints.

    Example::

        >>> F.avg_pool1d(ember.tensor([[1., 3., 2., 6.]]), 2)
        tensor([[2., 4.]])
    """
    return _F.avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def adaptive_avg_pool2d(input, output_size):
    """Means over windows that split H and W into output_size (an int or a pair): output o of a
    dim of n covers [floor(o n / out), ceil((o + 1) n / out)), as torch's.

    Example::

        >>> F.adaptive_avg_pool2d(ember.ones(2, 3, 7, 7), 1).shape
        ember.Size([2, 3, 1, 1])
    """
    return _F.adaptive_avg_pool2d(input, output_size)


def adaptive_avg_pool1d(input, output_size):
    """adaptive_avg_pool2d over the last dim of (N, C, L) or (C, L).

    Example::

        >>> F.adaptive_avg_pool1d(ember.tensor([[1., 3., 2., 6.]]), 2)
        tensor([[2., 4.]])
    """
    return _F.adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Maxima over adaptive_avg_pool2d's windows; with return_indices, also their places (h * W + w).

    Example::

        >>> F.adaptive_max_pool2d(ember.arange(16.).reshape(1, 4, 4), 1)
        tensor([[[15.]]])
    """
    values, indices = _F.adaptive_max_pool2d(input, output_size)
    return (values, indices) if return_indices else values


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """adaptive_max_pool2d over the last dim of (N, C, L) or (C, L).

    Example::

        >>> F.adaptive_max_pool1d(ember.tensor([[1., 3., 2., 6.]]), 2)
        tensor([[3., 6.]])
    """
    values, indices = _F.adaptive_max_pool1d(input, output_size)
    return (values, indices) if return_indices else values


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Group normalization, as torch.nn.functional.group_norm.

    Splits the C channels (dim 1) into ``num_groups`` groups and normalizes each group of each
    sample with its mean and biased variance, then scales and shifts each channel.

    Args:
        input: an (N, C, *) floating tensor.
        num_groups: the number of groups; C must be divisible by it.
        weight, bias: (C,) tensors, or None.
        eps: added to the variance.

    Returns:
        A tensor of the input's shape.

    Example::

        >>> F.group_norm(ember.tensor([[[1., 3.], [2., 6.]]]), 1).shape
        ember.Size([1, 2, 2])
    """
    return _F.group_norm(input, num_groups, weight, bias, eps)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels, as torch.nn.functional.dropout1d.

    Each channel ``input[n, c]`` of an (N, C, L) input, or ``input[c]`` of a (C, L) one, is
    zeroed with probability ``p`` and the rest are scaled by 1 / (1 - p) when training.

    Args:
        input: a 2-d (C, L) or 3-d (N, C, L) floating tensor.
        p: the probability of zeroing a channel, in [0, 1].
        training: apply the dropout; False returns the input.
        inplace: write the result into the input.

    Returns:
        A tensor of the input's shape.

    Example::

        >>> F.dropout1d(ember.ones(2, 3, 4), p=0.5).shape
        ember.Size([2, 3, 4])
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return _maybe_inplace(input, _F.dropout1d(input, p, training), inplace and training and p > 0)


def _warn_dropout2d(ndim):
    """PyTorch 2.13's warnings for a dropout2d input other than (N, C, H, W)."""
    if ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout2d "
            "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=3)
    if ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.", stacklevel=3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels, as torch.nn.functional.dropout2d.

    Each channel ``input[n, c]`` of an (N, C, H, W) input is zeroed with probability ``p`` and the
    rest are scaled by 1 / (1 - p) when training. As PyTorch 2.13, a 3-d input is taken as
    (N, C, L) and other ranks as (N, C, ...), with PyTorch's warnings.

    Args:
        input: an (N, C, H, W) floating tensor.
        p: the probability of zeroing a channel, in [0, 1].
        training: apply the dropout; False returns the input.
        inplace: write the result into the input.

    Returns:
        A tensor of the input's shape.

    Example::

        >>> F.dropout2d(ember.ones(2, 3, 4, 4), p=0.5).shape
        ember.Size([2, 3, 4, 4])
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    _warn_dropout2d(input.dim())
    return _maybe_inplace(input, _F.dropout2d(input, p, training), inplace and training and p > 0)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resamples the spatial dims, as torch.nn.functional.interpolate.

    The output size is ``size``, or floor(in * scale_factor). ``nearest`` reads the input at
    floor(dst * scale), the scale being 1 / scale_factor when given (and not recomputed), else
    in / out. ``linear`` (3-d input) and ``bilinear`` (4-d) interpolate between the two nearest
    inputs: at dst * (in - 1) / (out - 1) with align_corners, else at (dst + 0.5) * scale - 0.5
    (clamped at 0). A composite of gathers: gradients of every order.

    Args:
        input: an (N, C, L) or (N, C, H, W) floating tensor.
        size: the output's spatial size: an int or one per spatial dim.
        scale_factor: a float or one per spatial dim (give size or scale_factor, not both).
        mode: 'nearest', 'nearest-exact' (pixel centers), 'area' (adaptive average pooling),
            'linear' (3-d input), 'bilinear' or 'bicubic' (4-d); ember has no other modes.
        align_corners: for the linear modes only; None means False.
        recompute_scale_factor: True: the scale is in / out even when scale_factor is given.
        antialias: not implemented (False only).

    Returns:
        A tensor of shape (N, C, *size).

    Example::

        >>> F.interpolate(ember.tensor([[[1., 2.]]]), scale_factor=2)
        tensor([[[1., 1., 2., 2.]]])
    """
    return _F.interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor, antialias)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """interpolate under its old name, as torch.nn.functional.upsample (with its deprecation warning).

    Args:
        input, size, scale_factor, mode, align_corners: as interpolate's.

    Returns:
        The resampled tensor.

    Example::

        >>> F.upsample(ember.ones(1, 1, 2), size=3).shape
        ember.Size([1, 1, 3])
    """
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def pixel_shuffle(input, upscale_factor):
    """Rearranges (*, C r^2, H, W) into (*, C, H r, W r), as torch.nn.functional.pixel_shuffle.

    Args:
        input: a tensor of at least 3 dims whose channels (dim -3) are divisible by r^2.
        upscale_factor: r, a positive int.

    Returns:
        output[..., c, h r + i, w r + j] = input[..., c r^2 + i r + j, h, w].

    Example::

        >>> F.pixel_shuffle(ember.arange(4.).reshape(1, 4, 1, 1), 2)
        tensor([[[[0., 1.],
                  [2., 3.]]]])
    """
    return _F.pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input, downscale_factor):
    """Rearranges (*, C, H r, W r) into (*, C r^2, H, W), the inverse of pixel_shuffle.

    Args:
        input: a tensor of at least 3 dims whose height and width are divisible by r.
        downscale_factor: r, a positive int.

    Returns:
        output[..., c r^2 + i r + j, h, w] = input[..., c, h r + i, w r + j].

    Example::

        >>> F.pixel_unshuffle(ember.ones(1, 1, 4, 4), 2).shape
        ember.Size([1, 4, 2, 2])
    """
    return _F.pixel_unshuffle(input, downscale_factor)


__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "avg_pool1d", "avg_pool2d", "batch_norm", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "conv1d", "conv2d", "conv_transpose1d",
           "conv_transpose2d", "cosine_similarity", "cross_entropy", "dropout", "dropout1d",
           "dropout2d", "elu", "embedding", "fold", "gaussian_noise", "gelu", "group_norm",
           "huber_loss", "interpolate", "l1_loss", "layer_norm", "leaky_relu", "linear",
           "log_softmax", "logsigmoid", "max_pool1d", "max_pool1d_with_indices", "max_pool2d",
           "max_pool2d_with_indices", "mse_loss", "nll_loss", "one_hot", "pad", "pixel_shuffle",
           "pixel_unshuffle", "prelu", "relu", "sigmoid", "sign", "silu", "smooth_l1_loss",
           "softmax", "softplus", "tanh", "unfold", "upsample"]

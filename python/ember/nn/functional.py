"""ember.nn.functional: stateless forms of the layers, as torch.nn.functional."""

import warnings

from ember._C import _nn_functional as _F
from ember._C import log_softmax as _log_softmax, softmax as _softmax
from ember._C import Tensor as _Tensor, broadcast_shapes as _broadcast_shapes, div as _div, relu as _relu
from ember._C import promote_types as _promote_types
from ember import _numerics, errors as _errors
from ember._C import sigmoid, tanh  # noqa: F401  (torch.nn.functional has them too)
from ember._C._nn_functional import gelu, logsigmoid, one_hot, prelu, softplus
from ember._C._nn_functional import conv1d, conv2d, conv3d  # noqa: F401
from ember._C._nn_functional import conv_transpose1d, conv_transpose2d, conv_transpose3d  # noqa: F401
from ember.nn._activations import (celu, hardsigmoid, hardswish, hardtanh, hardtanh_, mish, relu6,  # noqa: F401
                                   selu, softsign, tanhshrink, threshold, threshold_)
from ember.nn._activations import (celu_, elu_, glu, hardshrink, leaky_relu_, relu_, rrelu,  # noqa: F401
                                   rrelu_, selu_, softshrink)


def _maybe_inplace(input, result, inplace):
    """inplace=True writes the result into input and returns input, as PyTorch's."""
    if not inplace:
        return result
    return input.copy_(result)


def relu(input, inplace=False):
    r"""Applies the rectified linear unit element-wise: :math:`\max(x, 0)`, as torch.nn.functional.relu.

    Args:
        input (Tensor): the input, of any shape.
        inplace (bool, optional): write the result into ``input`` and return it. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.relu(ember.tensor([-1., 0., 2.]))
        tensor([0., 0., 2.])
    """
    return _Tensor.relu_(input) if inplace else _relu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    r"""Applies the leaky ReLU element-wise: :math:`x` where :math:`x > 0`, else
    :math:`\text{negative\_slope} \cdot x`, as torch.nn.functional.leaky_relu.

    Args:
        input (Tensor): the input, of any shape.
        negative_slope (float, optional): the slope for negative inputs. Default: 0.01.
        inplace (bool, optional): write the result into ``input`` and return it. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.leaky_relu(ember.tensor([-2., 3.]), negative_slope=0.1)
        tensor([-0.2000,  3.0000])
    """
    return _F.leaky_relu_(input, negative_slope) if inplace else _F.leaky_relu(input, negative_slope)


def elu(input, alpha=1.0, inplace=False):
    r"""Applies the exponential linear unit element-wise: :math:`x` where :math:`x > 0`, else
    :math:`\alpha (e^x - 1)`, as torch.nn.functional.elu.

    Args:
        input (Tensor): the input, of any shape.
        alpha (float, optional): the value the output tends to for large negative inputs is
            :math:`-\alpha`. Default: 1.0.
        inplace (bool, optional): write the result into ``input`` and return it. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.elu(ember.tensor([-1., 0., 2.]))
        tensor([-0.6321,  0.0000,  2.0000])
    """
    return _F.elu_(input, alpha) if inplace else _F.elu(input, alpha)


def silu(input, inplace=False):
    r"""Applies the sigmoid linear unit (swish) element-wise: :math:`x \cdot \sigma(x)`, as
    torch.nn.functional.silu.

    Args:
        input (Tensor): the input, of any shape.
        inplace (bool, optional): write the result into ``input`` and return it. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> F.silu(ember.tensor([-1., 0., 2.]))
        tensor([-0.2689,  0.0000,  1.7616])
    """
    return _F.silu_(input) if inplace else _F.silu(input)


def _softmax_dim(name, ndim, stacklevel):
    """PyTorch's legacy choice when dim is not given, with its deprecation warning."""
    warnings.warn(f"{name}: Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    r"""Softmax along ``dim``: :math:`\exp(x_i) / \sum_j \exp(x_j)`, computed stably (the maximum
    is subtracted first), as torch.nn.functional.softmax. The slices along ``dim`` sum to 1.

    Args:
        input (Tensor): a floating tensor.
        dim (int, optional): the dimension to normalize. None picks PyTorch's legacy choice,
            0 for 0-, 1- and 3-d inputs and 1 otherwise, with PyTorch's deprecation warning.
        _stacklevel (int, optional): the warning's stack level, as PyTorch's. Default: 3.
        dtype (ember.dtype, optional): cast the input to this dtype first. Default: None.

    Returns:
        Tensor: the input's shape.

    Raises:
        IndexError: ``dim`` is out of range.

    Example::

        >>> F.softmax(ember.tensor([[1., 2., 3.]]), dim=1)
        tensor([[0.0900, 0.2447, 0.6652]])
    """
    return _softmax(input, _softmax_dim("softmax", input.dim(), _stacklevel) if dim is None else dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    r"""Softmin along ``dim``: :math:`\exp(-x_i) / \sum_j \exp(-x_j)` (softmax of :math:`-x`), as
    torch.nn.functional.softmin. The slices along ``dim`` sum to 1.

    Args:
        input (Tensor): a floating tensor.
        dim (int, optional): the dimension to normalize. None picks PyTorch's legacy choice, with
            its deprecation warning (see :func:`softmax`).
        _stacklevel (int, optional): the warning's stack level, as PyTorch's. Default: 3.
        dtype (ember.dtype, optional): cast the input to this dtype first. Default: None.

    Returns:
        Tensor: the input's shape.

    Example::

        >>> F.softmin(ember.tensor([[1., 2., 3.]]), dim=1)
        tensor([[0.6652, 0.2447, 0.0900]])
    """
    return _softmax(-input, _softmax_dim("softmin", input.dim(), _stacklevel) if dim is None else dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    r"""The logarithm of softmax along ``dim``: :math:`x_i - \log \sum_j \exp(x_j)`, computed stably
    (more accurate than ``softmax(x).log()``), as torch.nn.functional.log_softmax.

    Args:
        input (Tensor): a floating tensor.
        dim (int, optional): the dimension to normalize. None: as :func:`softmax`.
        _stacklevel (int, optional): the warning's stack level, as PyTorch's. Default: 3.
        dtype (ember.dtype, optional): cast the input to this dtype first. Default: None.

    Returns:
        Tensor: the input's shape.

    Raises:
        IndexError: ``dim`` is out of range.

    Example::

        >>> F.log_softmax(ember.tensor([[1., 2., 3.]]), dim=1)
        tensor([[-2.4076, -1.4076, -0.4076]])
    """
    return _log_softmax(input, _softmax_dim("log_softmax", input.dim(), _stacklevel) if dim is None else dim, dtype)


def linear(input, weight, bias=None):
    """Applies an affine map to the last dimension: :math:`y = x W^T + b`, as
    torch.nn.functional.linear.

    Args:
        input (Tensor): (*, in_features).
        weight (Tensor): (out_features, in_features).
        bias (Tensor, optional): (out_features,). Default: None.

    Returns:
        Tensor: (*, out_features).

    Raises:
        ValueError: ``input``'s last dimension is not ``weight``'s second.

    Example::

        >>> weight, bias = ember.tensor([[1., 1.], [0., 2.]]), ember.tensor([0.5, 0.])
        >>> F.linear(ember.tensor([[1., 2.]]), weight, bias)
        tensor([[3.5000, 4.0000]])
    """
    return _F.linear(input, weight, bias)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    r"""Batch normalization, as torch.nn.functional.batch_norm: each channel :math:`c` (dim 1) becomes
    :math:`\gamma_c (x - \mu_c) / \sqrt{\sigma^2_c + \epsilon} + \beta_c`. In training the mean
    and the biased variance are the batch's (over every dim but 1) and the running statistics, if
    given, are updated in place: :math:`r \leftarrow (1 - m)\, r + m\, s` with the unbiased
    variance; otherwise the running statistics are used.

    Args:
        input (Tensor): (N, C) or (N, C, *), floating.
        running_mean (Tensor): the (C,) running mean, or None (training only).
        running_var (Tensor): the (C,) running variance, or None (training only).
        weight (Tensor, optional): :math:`\gamma`, (C,). Default: None (ones).
        bias (Tensor, optional): :math:`\beta`, (C,). Default: None (zeros).
        training (bool, optional): use and record the batch's statistics. Default: False.
        momentum (float, optional): :math:`m` of the running update. Default: 0.1.
        eps (float, optional): :math:`\epsilon`, added to the variance. Default: 1e-05.

    Returns:
        Tensor: the input's shape.

    Raises:
        ValueError: training with a single value per channel or with one running statistic
            but not the other, or a statistic's, weight's or bias's size is not C.

    Example::

        >>> x = ember.tensor([[1., 10.], [3., 30.]])
        >>> mean, var = ember.zeros(2), ember.ones(2)
        >>> F.batch_norm(x, mean, var, training=True)
        tensor([[-1.0000, -1.0000],
                [ 1.0000,  1.0000]])
        >>> mean
        tensor([0.2000, 2.0000])
    """
    if training and (running_mean is None) != (running_var is None):
        raise ValueError("batch_norm: running_mean and running_var must either both be None or neither be None")
    return _F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    r"""Layer normalization, as torch.nn.functional.layer_norm: each sample is normalized over its
    trailing dims ``normalized_shape``, :math:`y = \gamma (x - \mu) / \sqrt{\sigma^2 + \epsilon}
    + \beta`, with the mean and the biased variance over those dims.

    Args:
        input (Tensor): (*, normalized_shape), floating.
        normalized_shape (int or tuple): the trailing dims to normalize over.
        weight (Tensor, optional): :math:`\gamma`, of shape ``normalized_shape``. Default: None.
        bias (Tensor, optional): :math:`\beta`, of shape ``normalized_shape``. Default: None.
        eps (float, optional): :math:`\epsilon`, added to the variance. Default: 1e-05.

    Returns:
        Tensor: the input's shape.

    Raises:
        ValueError: the input's trailing dims are not ``normalized_shape``.

    Example::

        >>> F.layer_norm(ember.tensor([[1., 2., 3.], [2., 2., 5.]]), (3,))
        tensor([[-1.2247,  0.0000,  1.2247],
                [-0.7071, -0.7071,  1.4142]])
    """
    return _F.layer_norm(input, normalized_shape, weight, bias, eps)


def dropout(input, p=0.5, training=True, inplace=False):
    """Dropout, as torch.nn.functional.dropout: while ``training``, each element is zeroed with
    probability ``p`` and the others are scaled by :math:`1 / (1 - p)`, so the expectation is
    unchanged; otherwise the input is returned.

    Args:
        input (Tensor): the input, of any shape.
        p (float, optional): the probability of zeroing an element, in [0, 1]. Default: 0.5.
        training (bool, optional): apply the dropout. Default: True.
        inplace (bool, optional): write the result into ``input`` and return it. Default: False.

    Returns:
        Tensor: the input's shape.

    Raises:
        ValueError: ``p`` is out of [0, 1].

    Example::

        >>> y = F.dropout(ember.ones(1000), p=0.2)
        >>> sorted(set(y.tolist()))   # zeros, and ones scaled by 1 / 0.8
        [0.0, 1.25]
        >>> F.dropout(ember.ones(3), training=False)
        tensor([1., 1., 1.])
    """
    return _maybe_inplace(input, _F.dropout(input, p, training), inplace and training and p > 0)


def gaussian_noise(input, std=0.1, training=True):
    r"""Adds zero-mean Gaussian noise while training: :math:`x + \mathcal{N}(0, \text{std}^2)`;
    otherwise returns the input. ember's own (a regularizer, as Keras' GaussianNoise); PyTorch has
    no such function.

    Args:
        input (Tensor): a floating tensor, of any shape.
        std (float, optional): the noise's standard deviation, non-negative. Default: 0.1.
        training (bool, optional): add the noise. Default: True.

    Returns:
        Tensor: the input's shape.

    Raises:
        ValueError: ``std`` is negative.

    Example::

        >>> x = ember.zeros(10000)
        >>> round(F.gaussian_noise(x, std=0.5).std().item(), 1)
        0.5
        >>> F.gaussian_noise(ember.ones(2), training=False)
        tensor([1., 1.])
    """
    return _F.gaussian_noise(input, std, training)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Looks up rows of an embedding matrix: ``weight[input]``, as torch.nn.functional.embedding.

    Args:
        input (Tensor): integer indices into the rows of ``weight``, of any shape.
        weight (Tensor): the (num_embeddings, embedding_dim) matrix.
        padding_idx (int, optional): a row whose gradient stays zero. Default: None.
        max_norm (float, optional): rescale in place each row looked up whose ``norm_type``-norm
            exceeds it by ``max_norm / (norm + 1e-7)``, as PyTorch's. Default: None.
        norm_type (float, optional): the p of the p-norm for ``max_norm``. Default: 2.0.
        scale_grad_by_freq (bool, optional): divide each row's gradient by how often ``input``
            picks that row. Default: False.
        sparse (bool, optional): accepted for PyTorch's code; the gradient is dense either way
            (ember has no sparse tensors). Default: False.

    Returns:
        Tensor: (*input.shape, embedding_dim).

    Raises:
        IndexError: an index is out of range.

    Example::

        >>> weight = ember.tensor([[0., 0.], [1., 2.], [3., 4.]])
        >>> F.embedding(ember.tensor([[2, 1]]), weight)
        tensor([[[3., 4.],
                 [1., 2.]]])
    """
    return _F.embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, averages or takes the max of bags of rows of an embedding matrix, without forming the
    looked-up rows of each bag, as torch.nn.functional.embedding_bag.

    Args:
        input (Tensor): int64 or int32 indices: (B, N), B bags of N indices each; or 1-D, the bags
            one after another, cut at ``offsets``.
        weight (Tensor): the (num_embeddings, embedding_dim) matrix.
        offsets (Tensor, optional): for a 1-D input, where each bag starts (1-D, first 0,
            non-decreasing); None for a 2-D input. Default: None.
        max_norm (float, optional): rescale in place each row looked up whose ``norm_type``-norm
            exceeds it by ``max_norm / (norm + 1e-7)``, as PyTorch's. Default: None.
        norm_type (float, optional): the p of the p-norm for ``max_norm``. Default: 2.
        scale_grad_by_freq (bool, optional): divide each row's gradient by how often ``input``
            picks that row (not with ``mode='max'``). Default: False.
        mode (str, optional): ``'sum'``, ``'mean'`` or ``'max'`` (elementwise). Default: ``'mean'``.
        sparse (bool, optional): accepted for PyTorch's code (not with ``mode='max'``); the
            gradient is dense either way (ember has no sparse tensors). Default: False.
        per_sample_weights (Tensor, optional): the input's shape and weight's dtype; each row is
            scaled by its weight before the sum (``mode='sum'`` only). Default: None.
        include_last_offset (bool, optional): ``offsets`` has one more entry, the end of the last
            bag (the CSR layout). Default: False.
        padding_idx (int, optional): indices equal to it are left out of their bag (an empty
            bag gives zeros). Default: None.

    Returns:
        Tensor: (B, embedding_dim).

    Raises:
        ValueError: bad shapes or offsets, or ``scale_grad_by_freq`` or ``sparse`` with
            ``mode='max'``.
        NotImplementedError: ``per_sample_weights`` with a mode other than ``'sum'`` (as PyTorch).
        IndexError: an index is out of range.

    Example::

        >>> weight = ember.tensor([[0., 0.], [1., 2.], [3., 4.], [5., 6.]])
        >>> F.embedding_bag(ember.tensor([1, 2, 3, 1]), weight, ember.tensor([0, 2]), mode="sum")
        tensor([[4., 6.],
                [6., 8.]])
        >>> F.embedding_bag(ember.tensor([[1, 3], [2, 2]]), weight)
        tensor([[3., 4.],
                [3., 4.]])
    """
    return _F.embedding_bag(input, weight, offsets, max_norm, norm_type, mode, per_sample_weights,
                            include_last_offset, padding_idx, scale_grad_by_freq, sparse)


def bilinear(input1, input2, weight, bias=None):
    r"""The bilinear map :math:`y = x_1^T A x_2 + b` over the last dims, as torch.nn.functional.bilinear.

    Args:
        input1 (Tensor): (*, in1_features).
        input2 (Tensor): (*, in2_features), with input1's leading dims.
        weight (Tensor): A, (out_features, in1_features, in2_features).
        bias (Tensor, optional): b, (out_features,). Default: None.

    Returns:
        Tensor: (*, out_features).

    Example::

        >>> w = ember.ones(1, 2, 3)
        >>> F.bilinear(ember.tensor([[1., 2.]]), ember.tensor([[1., 1., 1.]]), w)
        tensor([[9.]])
    """
    return _F.bilinear(input1, input2, weight, bias)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    r"""Root-mean-square normalization over the trailing dims ``normalized_shape``:
    :math:`x / \sqrt{\mathrm{mean}(x^2) + \epsilon} \cdot w`, as torch.nn.functional.rms_norm.

    Args:
        input (Tensor): a floating input (*, *normalized_shape).
        normalized_shape (int or sequence of int): the trailing dims normalized together.
        weight (Tensor, optional): the elementwise scale, of shape ``normalized_shape``. Default: None.
        eps (float, optional): added to the mean square; None: the machine epsilon of the input's
            dtype, as PyTorch's. Default: None.

    Returns:
        Tensor: the input's shape.

    Example::

        >>> F.rms_norm(ember.tensor([[3., 4.]]), [2])
        tensor([[0.8485, 1.1314]])
    """
    return _F.rms_norm(input, normalized_shape, weight, eps)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    r"""Local response normalization across channels (AlexNet's), as
    torch.nn.functional.local_response_norm: each channel divided by
    :math:`(k + \frac{\alpha}{n} \sum x^2)^\beta`, the sum over the ``size`` channels around it
    (zero-padded at the ends).

    Args:
        input (Tensor): a floating (N, C, *) input of 3 or more dims.
        size (int): the number of neighbouring channels summed.
        alpha (float, optional): the multiplicative factor. Default: 0.0001.
        beta (float, optional): the exponent. Default: 0.75.
        k (float, optional): the additive factor. Default: 1.0.

    Returns:
        Tensor: the input's shape.

    Example::

        >>> F.local_response_norm(ember.ones(1, 3, 2), 2, alpha=1.0, beta=1.0).shape
        ember.Size([1, 3, 2])
    """
    return _F.local_response_norm(input, size, alpha, beta, k)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    r"""Instance normalization, as torch.nn.functional.instance_norm: each channel of each sample
    normalized over its spatial dims.

    Args:
        input (Tensor): a floating (N, C, *) input of 3 or more dims.
        running_mean (Tensor, optional): (C,), updated in place by ``momentum`` with the mean over
            the samples when ``use_input_stats``. Default: None.
        running_var (Tensor, optional): (C,), likewise (the variance unbiased). Default: None.
        weight (Tensor, optional): the per-channel scale, (C,). Default: None.
        bias (Tensor, optional): the per-channel shift, (C,). Default: None.
        use_input_stats (bool, optional): normalize with each instance's own statistics; False:
            with the running ones. Default: True.
        momentum (float, optional): the running statistics' update rate. Default: 0.1.
        eps (float, optional): added to the variance. Default: 1e-5.

    Returns:
        Tensor: the input's shape.

    Example::

        >>> y = F.instance_norm(ember.randn(2, 3, 10))
        >>> bool(y.mean(-1).abs().max() < 1e-5)
        True
    """
    return _F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def channel_shuffle(input, groups):
    r"""Shuffles the channels of an (N, C, *) input: viewed as (groups, C / groups), transposed, and
    flattened back, as torch.nn.functional.channel_shuffle (ShuffleNet's).

    Args:
        input (Tensor): an input (N, C, *) of 3 or more dims.
        groups (int): the number of groups, dividing C.

    Returns:
        Tensor: the input's shape.

    Example::

        >>> F.channel_shuffle(ember.arange(4.).reshape(1, 4, 1), 2).flatten()
        tensor([0., 2., 1., 3.])
    """
    return _F.channel_shuffle(input, groups)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    r"""Divides by the :math:`p`-norm along ``dim``: :math:`x / \max(\lVert x \rVert_p, \epsilon)`, as
    torch.nn.functional.normalize.

    Args:
        input (Tensor): a floating tensor.
        p (float, optional): the norm's order (None or "fro": 2). Default: 2.
        dim (int or tuple of ints, optional): the dimension(s) of the vectors (None or (): all). Default: 1.
        eps (float, optional): the smallest norm divided by. Default: 1e-12.
        out (Tensor, optional): where to write the result (resized to it, as torch's div).

    Returns:
        Tensor: the input's shape.

    Example::

        >>> F.normalize(ember.tensor([[3., 4.]]))
        tensor([[0.6000, 0.8000]])
    """
    if out is None and not (p is None or isinstance(p, str) or dim is None or isinstance(dim, (tuple, list))):
        return _F.normalize(input, p, dim, eps)
    # torch's own formula: every p and dim that Tensor.norm takes (p=None is 2, dim=None or ()
    # every dim), and div's out= rules (out resized to the result, no cast to a narrower kind).
    if not isinstance(input, _Tensor):
        raise TypeError(f"normalize: input must be a Tensor, got {type(input).__name__}")
    if out is not None and not isinstance(out, _Tensor):
        raise TypeError(f"normalize: out must be a Tensor, got {type(out).__name__}")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return _div(input, denom, out=out)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    r"""The :math:`p`-norm of :math:`x_1 - x_2 + \epsilon` along the last dimension, as
    torch.nn.functional.pairwise_distance.

    Args:
        x1 (Tensor): a floating tensor.
        x2 (Tensor): a floating tensor broadcastable with ``x1``.
        p (float, optional): the norm's order. Default: 2.
        eps (float, optional): added to the difference, so the norm's gradient is defined at 0. Default: 1e-6.
        keepdim (bool, optional): whether the last dimension stays with size 1. Default: False.

    Returns:
        Tensor: the broadcast shape without its last dimension.

    Example::

        >>> F.pairwise_distance(ember.tensor([[0., 0.]]), ember.tensor([[3., 4.]]))
        tensor([5.0000])
    """
    return _F.pairwise_distance(x1, x2, p, eps, keepdim)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    r"""Cosine similarity along ``dim``, as torch.nn.functional.cosine_similarity:

    .. math:: \frac{x_1}{\max(\lVert x_1 \rVert_2, \epsilon)} \cdot
              \frac{x_2}{\max(\lVert x_2 \rVert_2, \epsilon)}

    The inputs are broadcast together first; each is divided by its norm before the product,
    which keeps the result in [-1, 1].

    Args:
        x1, x2: tensors of broadcastable shapes whose promoted dtype is floating.
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
    dim = _numerics._int("cosine_similarity", "dim", dim)
    if not eps >= 0:
        raise _errors.ValueError(f"cosine_similarity: eps must be non-negative, got: {eps}")
    eps = float(eps)  # torch's eps is a double: an int past int64 is a number like any other
    common = _promote_types(x1.dtype, x2.dtype)
    if not common.is_floating_point:
        raise TypeError(f"cosine_similarity: expected a floating common dtype, got x1 of dtype {x1.dtype} and "
                        f"x2 of dtype {x2.dtype}")
    # as torch's: an integer (or bool) input is cast to the common dtype, a floating one kept
    x1, x2 = (x if x.is_floating_point() else x.to(common) for x in (x1, x2))
    try:
        shape = _broadcast_shapes(x1.shape, x2.shape)
    except ValueError as e:  # name this op, not broadcast_shapes
        raise ValueError(f"cosine_similarity: {str(e).partition(': ')[2]}") from None
    if not -max(len(shape), 1) <= dim < max(len(shape), 1):
        raise IndexError(f"cosine_similarity: dim {dim} is out of range for the broadcast shape "
                         f"{tuple(shape)}")
    x1, x2 = x1.expand(shape), x2.expand(shape)
    if not shape:  # 0-d: each is its own one-element vector (dim 0 or -1, as torch's)
        return cosine_similarity(x1.reshape(1), x2.reshape(1), 0, eps).reshape(())
    n1 = x1.norm(dim=dim, keepdim=True).clamp(min=eps)
    n2 = x2.norm(dim=dim, keepdim=True).clamp(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def sign(input, straight_through=False):
    """The sign of each element, -1, 0 or 1, with a gradient of zero, or with
    ``straight_through=True`` the identity's gradient (the straight-through estimator of binary
    networks, Bengio et al. 2013). ember's own option; ``F.sign(x)`` is ``ember.sign(x)``.

    Args:
        input (Tensor): the input, of any shape.
        straight_through (bool, optional): pass the gradient through unchanged. Default: False.

    Returns:
        Tensor: the input's shape and dtype.

    Example::

        >>> x = ember.tensor([-2., 0., 3.], requires_grad=True)
        >>> y = F.sign(x, straight_through=True)
        >>> y.sum().backward()
        >>> y.detach(), x.grad
        (tensor([-1.,  0.,  1.]), tensor([1., 1., 1.]))
    """
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
    in / out. ``linear`` (3-d input), ``bilinear`` (4-d) and ``trilinear`` (5-d) interpolate
    between the two nearest inputs along each dim: at dst * (in - 1) / (out - 1) with
    align_corners, else at (dst + 0.5) * scale - 0.5 (clamped at 0). A composite of gathers:
    gradients of every order.

    Args:
        input: an (N, C, L), (N, C, H, W) or (N, C, D, H, W) floating tensor.
        size: the output's spatial size: an int or one per spatial dim.
        scale_factor: a float or one per spatial dim (give size or scale_factor, not both).
        mode: 'nearest', 'nearest-exact' (pixel centers), 'area' (adaptive average pooling),
            'linear' (3-d input), 'bilinear' or 'bicubic' (4-d), 'trilinear' (5-d), or
            'lanczos' (4-d, Lanczos-3; needs antialias=True).
        align_corners: for the linear modes only; None means False.
        recompute_scale_factor: True: the scale is in / out even when scale_factor is given.
        antialias: with 'bilinear', 'bicubic' or 'lanczos' on a 4-d float32/float64 input,
            low-pass filter while shrinking: the filter is widened by the scale and its weights
            normalized, as PyTorch's (and Pillow's). Default: False.

    Returns:
        A tensor of shape (N, C, *size).

    Example::

        >>> F.interpolate(ember.tensor([[[1., 2.]]]), scale_factor=2)
        tensor([[[1., 1., 2., 2.]]])
        >>> F.interpolate(ember.arange(8.).reshape(1, 1, 1, 8), size=(1, 2), mode="bilinear",
        ...               antialias=True)
        tensor([[[[1.8929, 5.1071]]]])
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


def upsample_bilinear(input, size=None, scale_factor=None):
    """Bilinear interpolate with align_corners=True under its old name, as
    torch.nn.functional.upsample_bilinear (with its deprecation warning).

    Args:
        input (Tensor): (N, C, H, W).
        size (int or (int, int), optional): the output's (H, W).
        scale_factor (float or (float, float), optional): the multiplier of (H, W).

    Returns:
        Tensor: (N, C, H_out, W_out).

    Example::

        >>> F.upsample_bilinear(ember.ones(1, 1, 2, 2), scale_factor=2).shape
        ember.Size([1, 1, 4, 4])
    """
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def upsample_nearest(input, size=None, scale_factor=None):
    """Nearest interpolate under its old name, as torch.nn.functional.upsample_nearest (with its
    deprecation warning).

    Args:
        input (Tensor): (N, C, L), (N, C, H, W) or (N, C, D, H, W).
        size (int or tuple, optional): the output's spatial size.
        scale_factor (float or tuple, optional): the multiplier of the spatial size.

    Returns:
        Tensor: the resampled input.

    Example::

        >>> F.upsample_nearest(ember.tensor([[[1., 2.]]]), scale_factor=2)
        tensor([[[1., 1., 2., 2.]]])
    """
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


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
           "softmax", "softplus", "tanh", "unfold", "upsample",
           "celu", "hardsigmoid", "hardswish", "hardtanh", "hardtanh_", "mish", "relu6", "selu", "softmin",
           "softsign", "tanhshrink", "threshold", "threshold_", "kl_div", "normalize", "pairwise_distance",
           "cosine_embedding_loss", "gaussian_nll_loss", "hinge_embedding_loss", "margin_ranking_loss",
           "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss", "poisson_nll_loss",
           "soft_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
           "bilinear", "celu_", "elu_", "embedding_bag", "glu", "hardshrink", "leaky_relu_", "relu_", "rrelu",
           "rrelu_", "selu_", "softshrink", "channel_shuffle", "instance_norm", "local_response_norm", "rms_norm"]


# the losses (ember/nn/_losses.py, ember/nn/_margin_losses.py), the 1-d and 2-d pools
# (ember/nn/_pooling.py) and attention (ember/nn/_attention.py): written over the functions above,
# so imported after them
from ember.nn._losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,  # noqa: E402
                              huber_loss, kl_div, l1_loss, mse_loss, nll_loss, smooth_l1_loss)
from ember.nn._pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d,  # noqa: E402
                               adaptive_max_pool1d_with_indices, adaptive_max_pool2d,
                               adaptive_max_pool2d_with_indices, avg_pool1d, avg_pool2d, max_pool1d,
                               max_pool1d_with_indices, max_pool2d, max_pool2d_with_indices)
from ember.nn._margin_losses import (cosine_embedding_loss, gaussian_nll_loss, hinge_embedding_loss,  # noqa: E402
                                     margin_ranking_loss, multi_margin_loss, multilabel_margin_loss,
                                     multilabel_soft_margin_loss, poisson_nll_loss, soft_margin_loss,
                                     triplet_margin_loss, triplet_margin_with_distance_loss)
from ember.nn._attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: E402

__all__ += ["multi_head_attention_forward", "scaled_dot_product_attention"]
from ember.nn._sampling import affine_grid, grid_sample  # noqa: E402,F401
from ember._C import pdist  # noqa: E402,F401  (torch.nn.functional has it too)
from ember.nn._activations import gumbel_softmax  # noqa: E402,F401
from ember.nn._alpha_dropout import alpha_dropout, feature_alpha_dropout  # noqa: E402,F401
from ember.nn._lp_pool import lp_pool1d, lp_pool2d, lp_pool3d  # noqa: E402,F401
from ember.nn._volumetric import (_warn_dropout3d, adaptive_avg_pool3d, adaptive_max_pool3d,  # noqa: E402,F401
                                  adaptive_max_pool3d_with_indices, avg_pool3d, dropout3d, max_pool3d,
                                  max_pool3d_with_indices)
from ember.nn._ctc import ctc_loss  # noqa: E402,F401

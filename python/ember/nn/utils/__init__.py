"""ember.nn.utils: regularization penalties over parameters and activations, the max-norm
constraint, gradient clipping (C++: ember::nn::utils), parameters as one vector, folding an
eval-mode batch norm into the layer before it, skip_init, ember.nn.utils.rnn (sequences of
different lengths: PackedSequence, pad_sequence, pack_padded_sequence, ...), parametrizations
(ember.nn.utils.parametrize, weight and spectral normalization) and their older hook-based forms,
and pruning (ember.nn.utils.prune)."""
import copy
import inspect
import warnings

import ember
from ember._C import Tensor
from ember._C import _nn_init as _init
from ember._C import _nn_utils as _utils
from ember.nn.utils import rnn  # pad_sequence, pack_padded_sequence, PackedSequence, ...


def _tensors(parameters, where):
    """A tensor or an iterable of tensors (model.parameters()), as a list; where: the op's name."""
    if isinstance(parameters, Tensor):
        return [parameters]
    ts = list(parameters)
    for t in ts:
        if not isinstance(t, Tensor):
            raise TypeError(f"{where}: expected tensors (parameters), got {type(t).__name__}")
    return ts


def l1_penalty(parameters, weight=1.0):
    r"""The L1 (lasso) penalty :math:`w \sum_p \sum_i |p_i|` over the parameters, a differentiable
    0-d tensor to add to the loss; it pushes weights to exactly zero (sparsity). ember's own:
    PyTorch leaves it to the user.

    Args:
        parameters (Tensor or iterable of Tensor): the tensors penalized, e.g.
            ``model.parameters()``.
        weight (float, optional): the factor :math:`w`. Default: 1.0.

    Returns:
        Tensor: a 0-d tensor.

    Raises:
        TypeError: ``parameters`` holds something other than tensors.

    Example::

        >>> model = nn.Linear(3, 1)
        >>> loss = model(ember.ones(2, 3)).pow(2).mean() + nn.utils.l1_penalty(model.parameters(), 1e-4)
        >>> nn.utils.l1_penalty([ember.tensor([1., -2.]), ember.tensor([3.])], weight=0.1)
        tensor(0.6000)
    """
    return _utils.l1_penalty(_tensors(parameters, "l1_penalty"), weight)


def l2_penalty(parameters, weight=1.0):
    r"""The L2 (ridge) penalty :math:`w \sum_p \sum_i p_i^2` over the parameters, a differentiable
    0-d tensor to add to the loss. There is no factor 1/2: SGD's ``weight_decay=wd`` equals adding
    ``l2_penalty(params, weight=wd / 2)``. ember's own.

    Args:
        parameters (Tensor or iterable of Tensor): the tensors penalized, e.g.
            ``model.parameters()``.
        weight (float, optional): the factor :math:`w`. Default: 1.0.

    Returns:
        Tensor: a 0-d tensor.

    Raises:
        TypeError: ``parameters`` holds something other than tensors.

    Example::

        >>> nn.utils.l2_penalty([ember.tensor([1., -2.]), ember.tensor([3.])], weight=0.1)
        tensor(1.4000)
    """
    return _utils.l2_penalty(_tensors(parameters, "l2_penalty"), weight)


def elastic_net_penalty(parameters, l1=0.0, l2=0.0):
    r"""The elastic-net penalty :math:`\lambda_1 \sum |p_i| + \lambda_2 \sum p_i^2` over the
    parameters (:func:`l1_penalty` plus :func:`l2_penalty`), a differentiable 0-d tensor. ember's
    own.

    Args:
        parameters (Tensor or iterable of Tensor): the tensors penalized, e.g.
            ``model.parameters()``.
        l1 (float, optional): :math:`\lambda_1`. Default: 0.0.
        l2 (float, optional): :math:`\lambda_2`. Default: 0.0.

    Returns:
        Tensor: a 0-d tensor.

    Raises:
        TypeError: ``parameters`` holds something other than tensors.

    Example::

        >>> nn.utils.elastic_net_penalty([ember.tensor([1., -2.])], l1=0.1, l2=0.01)
        tensor(0.3500)
    """
    return _utils.elastic_net_penalty(_tensors(parameters, "elastic_net_penalty"), l1, l2)


def activity_penalty(activation, l1=0.0, l2=0.0, batch_mean=True):
    r"""Activity regularization (Keras' ActivityRegularization): :math:`(\lambda_1 \sum |x_i| +
    \lambda_2 \sum x_i^2) / N` of an activation :math:`x`, N being its batch size (dim 0) when
    ``batch_mean``, else 1. A differentiable 0-d tensor to add to the loss. ember's own.

    Args:
        activation (Tensor): a layer's output, batch first.
        l1 (float, optional): :math:`\lambda_1`. Default: 0.0.
        l2 (float, optional): :math:`\lambda_2`. Default: 0.0.
        batch_mean (bool, optional): divide by the batch size. Default: True.

    Returns:
        Tensor: a 0-d tensor.

    Raises:
        TypeError: ``activation`` is not a tensor.

    Example::

        >>> h = ember.tensor([[1., -2.], [3., 0.]])
        >>> nn.utils.activity_penalty(h, l1=0.1)          # 0.1 * 6 / 2
        tensor(0.3000)
        >>> nn.utils.activity_penalty(h, l2=0.01, batch_mean=False)
        tensor(0.1400)
    """
    if not isinstance(activation, Tensor):
        raise TypeError(f"activity_penalty: expected a tensor, got {type(activation).__name__}")
    return _utils.activity_penalty(activation, l1, l2, batch_mean)


def max_norm_(parameters, max_norm, norm_type=2.0, dim=0):
    """The max-norm constraint (Srebro et al., 2005; used with dropout), in place: every slice along
    ``dim`` whose ``norm_type``-norm exceeds ``max_norm`` is scaled down to norm ``max_norm``, as
    ``torch.renorm`` does. For a Linear weight (out, in) and ``dim=0``, each unit's incoming
    weights. Call it after ``optimizer.step()``; it records no history.

    Args:
        parameters (Tensor or iterable of Tensor): the tensors to constrain.
        max_norm (float): the largest norm allowed, non-negative.
        norm_type (float, optional): the p of the p-norm. Default: 2.0.
        dim (int, optional): the dimension whose slices are constrained. Default: 0.

    Returns:
        None

    Raises:
        TypeError: ``parameters`` holds something other than tensors.
        ValueError: ``max_norm`` is negative.
        IndexError: ``dim`` is out of range.

    Example::

        >>> w = ember.tensor([[3., 4.], [0.3, 0.4]])
        >>> nn.utils.max_norm_(w, 1.0)
        >>> w
        tensor([[0.6000, 0.8000],
                [0.3000, 0.4000]])
    """
    _utils.max_norm_(_tensors(parameters, "max_norm_"), float(max_norm), float(norm_type), dim)


__all__ = ["activity_penalty", "clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
           "elastic_net_penalty", "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights", "get_total_norm", "l1_penalty", "l2_penalty", "max_norm_",
           "parameters_to_vector", "parametrizations", "parametrize", "prune", "remove_spectral_norm",
           "remove_weight_norm", "rnn", "skip_init", "spectral_norm", "stateless", "vector_to_parameters",
           "weight_norm"]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    r"""Clips the gradients' total norm, in place, as torch.nn.utils.clip_grad_norm_: the norm is taken
    over all the gradients together, as if concatenated into one vector,
    :math:`n = \lVert (\lVert g_1 \rVert_p, \lVert g_2 \rVert_p, \ldots) \rVert_p`, and every
    gradient is multiplied by :math:`\min(1, \text{max\_norm} / (n + 10^{-6}))`. Parameters
    without a gradient are skipped.

    Args:
        parameters (Tensor or iterable of Tensor): the tensors whose ``.grad`` is clipped.
        max_norm (float): the largest total norm.
        norm_type (float, optional): the p of the p-norm; ``float('inf')`` for the largest
            absolute value. Default: 2.0.
        error_if_nonfinite (bool, optional): raise if the total norm is NaN or infinite (else
            the gradients are scaled by it anyway, as PyTorch's). Default: False.
        foreach (bool, optional): PyTorch's implementation switch, accepted and unused.

    Returns:
        Tensor: the total norm before clipping, 0-d.

    Raises:
        TypeError: ``parameters`` holds something other than tensors.
        RuntimeError: the total norm is not finite and ``error_if_nonfinite``.

    Example::

        >>> p = ember.zeros(2, requires_grad=True)
        >>> p.grad = ember.tensor([3., 4.])
        >>> nn.utils.clip_grad_norm_([p], max_norm=1.0)
        tensor(5.)
        >>> p.grad
        tensor([0.6000, 0.8000])
    """
    return _utils.clip_grad_norm_(_tensors(parameters, "clip_grad_norm_"), float(max_norm), float(norm_type),
                                  error_if_nonfinite)


def clip_grad_value_(parameters, clip_value, foreach=None):
    r"""Clamps every gradient element into :math:`[-\text{clip\_value}, \text{clip\_value}]`, in
    place, as torch.nn.utils.clip_grad_value_. Parameters without a gradient are skipped.

    Args:
        parameters (Tensor or iterable of Tensor): the tensors whose ``.grad`` is clipped.
        clip_value (float): the largest absolute value allowed.
        foreach (bool, optional): PyTorch's implementation switch, accepted and unused.

    Returns:
        None

    Raises:
        TypeError: ``parameters`` holds something other than tensors.

    Example::

        >>> p = ember.zeros(3, requires_grad=True)
        >>> p.grad = ember.tensor([0.5, -3., 2.])
        >>> nn.utils.clip_grad_value_(p, 1.0)
        >>> p.grad
        tensor([ 0.5000, -1.0000,  1.0000])
    """
    _utils.clip_grad_value_(_tensors(parameters, "clip_grad_value_"), float(clip_value))


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    r"""The norm of tensors taken together, as if concatenated into one vector, as
    torch.nn.utils.get_total_norm: :math:`\lVert (\lVert t_1 \rVert_p, \lVert t_2 \rVert_p, \ldots) \rVert_p`.
    With clip_grads_with_norm_, the two halves of clip_grad_norm_ (to clip over norms gathered
    from several places).

    Args:
        tensors (Tensor or iterable of Tensor): the tensors, typically the gradients.
        norm_type (float, optional): the p of the p-norm; ``float('inf')`` for the largest
            absolute value. Default: 2.0.
        error_if_nonfinite (bool, optional): raise if the norm is NaN or infinite. Default: False.
        foreach (bool, optional): PyTorch's implementation switch, accepted and unused.

    Returns:
        Tensor: the norm, 0-d (0 for no tensors).

    Raises:
        RuntimeError: the norm is not finite and ``error_if_nonfinite``.

    Example::

        >>> nn.utils.get_total_norm([ember.tensor([3.]), ember.tensor([4.])])
        tensor(5.)
    """
    return _utils.get_total_norm(_tensors(tensors, "get_total_norm"), float(norm_type), error_if_nonfinite)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    r"""Scales the parameters' gradients in place by :math:`\min(1, \text{max\_norm} /
    (\text{total\_norm} + 10^{-6}))`, as torch.nn.utils.clip_grads_with_norm_: the second half of
    clip_grad_norm_, for a total norm from get_total_norm.

    Args:
        parameters (Tensor or iterable of Tensor): the tensors whose ``.grad`` is scaled.
        max_norm (float): the largest total norm.
        total_norm (Tensor): the total norm of the gradients (0-d).
        foreach (bool, optional): PyTorch's implementation switch, accepted and unused.

    Returns:
        None

    Example::

        >>> p = ember.zeros(2, requires_grad=True)
        >>> p.grad = ember.tensor([3., 4.])
        >>> nn.utils.clip_grads_with_norm_([p], 1.0, nn.utils.get_total_norm([p.grad]))
        >>> p.grad
        tensor([0.6000, 0.8000])
    """
    if not isinstance(total_norm, Tensor):
        raise TypeError(f"clip_grads_with_norm_: total_norm must be a tensor, got {type(total_norm).__name__}")
    _utils.clip_grads_with_norm_(_tensors(parameters, "clip_grads_with_norm_"), float(max_norm), total_norm)


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """clip_grad_norm_ under its deprecated name (with torch's FutureWarning), as
    torch.nn.utils.clip_grad_norm.

    Args:
        parameters, max_norm, norm_type, error_if_nonfinite, foreach: as clip_grad_norm_'s.

    Returns:
        Tensor: the total norm before clipping.

    Example::

        >>> import warnings
        >>> p = ember.zeros(2, requires_grad=True)
        >>> p.grad = ember.tensor([3., 4.])
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     nn.utils.clip_grad_norm([p], 1.0)
        tensor(5.)
    """
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def parameters_to_vector(parameters):
    """The parameters flattened and concatenated into one vector, as
    torch.nn.utils.parameters_to_vector (differentiable: a vector-valued view of the model for
    second-order methods and weight-space tricks).

    Args:
        parameters (iterable of Tensor): the tensors, e.g. ``model.parameters()``.

    Returns:
        Tensor: 1-d, of the tensors' total numel.

    Raises:
        ValueError: there are no tensors.

    Example::

        >>> nn.utils.parameters_to_vector(nn.Linear(3, 2).parameters()).shape
        ember.Size([8])
    """
    return ember.cat([p.view(-1) for p in _tensors(parameters, "parameters_to_vector")])


def vector_to_parameters(vec, parameters):
    """Makes each parameter's data the next slice of ``vec``, as
    torch.nn.utils.vector_to_parameters: the parameters then share ``vec``'s memory.

    Args:
        vec (Tensor): a 1-d tensor of at least the parameters' total numel.
        parameters (iterable of Tensor): the tensors, e.g. ``model.parameters()``.

    Returns:
        None

    Raises:
        TypeError: ``vec`` is not a tensor.

    Example::

        >>> model = nn.Linear(2, 1)
        >>> nn.utils.vector_to_parameters(ember.tensor([1., 2., 3.]), model.parameters())
        >>> model.weight, model.bias
        (Parameter containing:
        tensor([[1., 2.]], requires_grad=True), Parameter containing:
        tensor([3.], requires_grad=True))
    """
    if not isinstance(vec, Tensor):
        module = type(vec).__module__
        name = type(vec).__qualname__ if module == "builtins" else f"{module}.{type(vec).__qualname__}"
        raise TypeError(f"expected ember.Tensor, but got: {name}")
    pointer = 0
    for param in _tensors(parameters, "vector_to_parameters"):
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n


def _fused(weight, bias, bn_rm, bn_rv, bn_eps, bn_w, bn_b, scale_shape):
    """The weight and bias of a layer followed by an eval-mode batch norm, folded into one."""
    weight_dtype = weight.dtype
    bias_dtype = weight_dtype if bias is None else bias.dtype
    bias = ember.zeros_like(bn_rm) if bias is None else bias
    bn_w = ember.ones_like(bn_rm) if bn_w is None else bn_w
    bn_b = ember.zeros_like(bn_rm) if bn_b is None else bn_b
    rsqrt = ember.rsqrt(bn_rv + bn_eps)
    fused_w = (weight * (bn_w * rsqrt).reshape(scale_shape)).to(dtype=weight_dtype)
    fused_b = ((bias - bn_rm) * rsqrt * bn_w + bn_b).to(dtype=bias_dtype)
    return ember.nn.Parameter(fused_w, weight.requires_grad), ember.nn.Parameter(fused_b, bias.requires_grad)


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    r"""The weight and bias of a convolution whose output an eval-mode batch norm then normalizes,
    folded into one convolution, as torch.nn.utils.fuse_conv_bn_weights:
    :math:`W' = W \gamma / \sqrt{\sigma^2 + \epsilon}` per output channel,
    :math:`b' = (b - \mu) \gamma / \sqrt{\sigma^2 + \epsilon} + \beta`.

    Args:
        conv_w (Tensor): the convolution's weight.
        conv_b (Tensor or None): its bias.
        bn_rm (Tensor): the batch norm's running mean.
        bn_rv (Tensor): its running variance.
        bn_eps (float): its eps.
        bn_w (Tensor or None): its weight (gamma).
        bn_b (Tensor or None): its bias (beta).
        transpose (bool, optional): the convolution is transposed (output channels on dim 1).
            Default: False.

    Returns:
        (Parameter, Parameter): the fused weight and bias.

    Example::

        >>> w, b = nn.utils.fuse_conv_bn_weights(ember.ones(2, 1, 3, 3), None, ember.zeros(2),
        ...                                      ember.ones(2), 0.0, None, ember.tensor([1., 2.]))
        >>> b
        Parameter containing:
        tensor([1., 2.])
    """
    shape = ([1, -1] if transpose else [-1, 1]) + [1] * (conv_w.dim() - 2)
    return _fused(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, shape)


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """The weight and bias of a Linear layer followed by an eval-mode batch norm, folded into one,
    as torch.nn.utils.fuse_linear_bn_weights.

    Args:
        linear_w (Tensor): the layer's weight (out_features, in_features).
        linear_b (Tensor or None): its bias.
        bn_rm (Tensor): the batch norm's running mean.
        bn_rv (Tensor): its running variance.
        bn_eps (float): its eps.
        bn_w (Tensor): its weight (gamma).
        bn_b (Tensor): its bias (beta).

    Returns:
        (Parameter, Parameter): the fused weight and bias.

    Example::

        >>> w, b = nn.utils.fuse_linear_bn_weights(ember.ones(2, 3), None, ember.zeros(2), ember.ones(2), 0.0,
        ...                                        ember.tensor([2., 3.]), ember.zeros(2))
        >>> w
        Parameter containing:
        tensor([[2., 2., 2.],
                [3., 3., 3.]])
    """
    return _fused(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, [-1, 1])


def _eval_pair(layer, bn):
    if layer.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    return copy.deepcopy(layer)


def fuse_conv_bn_eval(conv, bn, transpose=False):
    """A copy of ``conv`` that computes ``bn(conv(x))`` of the eval-mode pair in one convolution,
    as torch.nn.utils.fuse_conv_bn_eval (inference speed-up; the originals are unchanged).

    Args:
        conv (Module): a Conv1d/2d/3d (or ConvTranspose, with transpose=True) in eval mode.
        bn (Module): the BatchNorm after it, in eval mode, with running statistics.
        transpose (bool, optional): conv is transposed. Default: False.

    Returns:
        Module: the fused convolution.

    Raises:
        AssertionError: either module is in training mode, or bn tracks no statistics.

    Example::

        >>> conv, bn = nn.Conv2d(3, 4, 3).eval(), nn.BatchNorm2d(4).eval()
        >>> fused = nn.utils.fuse_conv_bn_eval(conv, bn)
        >>> x = ember.randn(1, 3, 8, 8)
        >>> ember.allclose(fused(x), bn(conv(x)), atol=1e-5)
        True
    """
    fused = _eval_pair(conv, bn)
    fused.weight, fused.bias = fuse_conv_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                    bn.eps, bn.weight, bn.bias, transpose)
    return fused


def fuse_linear_bn_eval(linear, bn):
    """A copy of ``linear`` that computes ``bn(linear(x))`` of the eval-mode pair in one layer, as
    torch.nn.utils.fuse_linear_bn_eval.

    Args:
        linear (Module): a Linear layer in eval mode.
        bn (Module): the BatchNorm after it (num_features equal to out_features, or 1), in eval
            mode, with running statistics.

    Returns:
        Module: the fused Linear layer.

    Raises:
        AssertionError: either module is in training mode, the sizes do not fit, or bn tracks no
            statistics.

    Example::

        >>> linear, bn = nn.Linear(3, 4).eval(), nn.BatchNorm1d(4).eval()
        >>> x = ember.randn(5, 3)
        >>> ember.allclose(nn.utils.fuse_linear_bn_eval(linear, bn)(x), bn(linear(x)), atol=1e-5)
        True
    """
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError(f"To fuse, linear.out_features == bn.num_features or bn.num_features == 1, got "
                             f"linear.out_features={linear.out_features} and bn.num_features={bn.num_features}")
    fused = _eval_pair(linear, bn)
    fused.weight, fused.bias = fuse_linear_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                      bn.eps, bn.weight, bn.bias)
    return fused


def skip_init(module_cls, *args, **kwargs):
    """Makes ``module_cls(*args, **kwargs)`` without initializing its parameters, as
    torch.nn.utils.skip_init: the init fills are skipped, so the weights hold whatever their
    memory held (to be loaded or initialized by hand) and no random numbers are drawn.

    Args:
        module_cls (type): a Module class that takes a ``device`` argument, as torch requires.
        *args, **kwargs: its constructor's arguments.

    Returns:
        Module: the module, uninitialized.

    Raises:
        RuntimeError: ``module_cls`` is not a Module class or takes no ``device`` argument.

    Example::

        >>> m = nn.utils.skip_init(nn.Linear, 5, 1)
        >>> _ = nn.init.zeros_(m.weight)   # initialize as you choose
    """
    if not (isinstance(module_cls, type) and issubclass(module_cls, ember.nn.Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    return _init._without_init(module_cls, *args, **kwargs)


def _take_forward_pre_hook(module, matches):
    """Runs ``hook.remove(module)`` on the module's first forward pre-hook that ``matches``, then
    unregisters it; the hook, or None when none matches (remove_weight_norm, remove_spectral_norm,
    prune.remove)."""
    hooks = module._forward_pre_hooks
    for key, hook in hooks.items():
        if matches(hook):
            hook.remove(module)
            del hooks[key]
            return hook
    return None


# Parametrized tensors (they import from this package, so they come last).
from ember.nn.utils import parametrizations, parametrize, prune, stateless  # noqa: E402
from ember.nn.utils.spectral_norm import remove_spectral_norm, spectral_norm  # noqa: E402
from ember.nn.utils.weight_norm import remove_weight_norm, weight_norm  # noqa: E402

"""ember.nn.utils: regularization penalties over parameters and activations, the max-norm
constraint, gradient clipping (C++: ember::nn::utils), and ember.nn.utils.rnn (sequences of
different lengths: PackedSequence, pad_sequence, pack_padded_sequence, ...)."""
from ember._C import Tensor
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


__all__ = ["activity_penalty", "clip_grad_norm_", "clip_grad_value_", "elastic_net_penalty", "l1_penalty", "l2_penalty",
           "max_norm_", "rnn"]


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

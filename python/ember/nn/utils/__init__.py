"""ember.nn.utils: regularization penalties over parameters and activations, the max-norm
constraint, gradient clipping (C++: ember::nn::utils), and ember.nn.utils.rnn (sequences of
different lengths: PackedSequence, pad_sequence, pack_padded_sequence, ...)."""
from ember._C import Tensor
from ember._C import _nn_utils as _utils
from ember.nn.utils import rnn  # pad_sequence, pack_padded_sequence, PackedSequence, ...


def _tensors(parameters):
    """A tensor or an iterable of tensors (model.parameters()), as a list."""
    if isinstance(parameters, Tensor):
        return [parameters]
    ts = list(parameters)
    for t in ts:
        if not isinstance(t, Tensor):
            raise TypeError(f"expected tensors (parameters), got {type(t).__name__}")
    return ts


def l1_penalty(parameters, weight=1.0):
    """weight * sum(|p|) over the parameters: add it to the loss (L1 / lasso)."""
    return _utils.l1_penalty(_tensors(parameters), weight)


def l2_penalty(parameters, weight=1.0):
    """weight * sum(p^2) over the parameters (no factor 1/2: SGD's weight_decay=wd is
    l2_penalty(weight=wd / 2))."""
    return _utils.l2_penalty(_tensors(parameters), weight)


def elastic_net_penalty(parameters, l1=0.0, l2=0.0):
    """l1 * sum(|p|) + l2 * sum(p^2) over the parameters."""
    return _utils.elastic_net_penalty(_tensors(parameters), l1, l2)


def activity_penalty(activation, l1=0.0, l2=0.0, batch_mean=True):
    """Activity regularization: l1 * sum(|x|) + l2 * sum(x^2) of an activation, divided by the
    batch size (dim 0) when batch_mean."""
    if not isinstance(activation, Tensor):
        raise TypeError(f"activity_penalty: expected a tensor, got {type(activation).__name__}")
    return _utils.activity_penalty(activation, l1, l2, batch_mean)


def max_norm_(parameters, max_norm, norm_type=2.0, dim=0):
    """In place: scales every slice along dim (dim 0 of a Linear weight: each unit's incoming
    weights) whose norm exceeds max_norm down to max_norm, as torch.renorm. Returns nothing."""
    _utils.max_norm_(_tensors(parameters), float(max_norm), float(norm_type), dim)


__all__ = ["activity_penalty", "clip_grad_norm_", "clip_grad_value_", "elastic_net_penalty", "l1_penalty", "l2_penalty",
           "max_norm_", "rnn"]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scales the gradients in place so that their norm, taken over all of them together, is at
    most max_norm; returns that total norm before clipping (a 0-d tensor), as torch's."""
    return _utils.clip_grad_norm_(_tensors(parameters), float(max_norm), float(norm_type), error_if_nonfinite)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamps every gradient element into [-clip_value, clip_value], in place."""
    _utils.clip_grad_value_(_tensors(parameters), float(clip_value))

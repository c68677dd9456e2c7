"""ember.nn.functional: stateless forms of the layers, as torch.nn.functional."""

from ember._C import log_softmax as _log_softmax, softmax as _softmax
from ember._C._nn_functional import one_hot


def _softmax_dim(ndim):
    # PyTorch's legacy choice when dim is not given (with a deprecation warning there).
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along dim, computed stably."""
    return _softmax(input, _softmax_dim(input.dim()) if dim is None else dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along dim, computed stably (x - logsumexp(x))."""
    return _log_softmax(input, _softmax_dim(input.dim()) if dim is None else dim, dtype)


__all__ = ["log_softmax", "one_hot", "softmax"]

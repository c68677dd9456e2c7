"""ember.nn.functional: stateless forms of the layers, as torch.nn.functional."""

from ember._C import log_softmax as _log_softmax, softmax as _softmax
from ember._C import sigmoid, tanh  # noqa: F401  (torch.nn.functional has them too)
from ember._C._nn_functional import elu as _elu, gelu, leaky_relu as _leaky_relu, logsigmoid, one_hot
from ember._C._nn_functional import prelu, silu as _silu, softplus


def _maybe_inplace(input, result, inplace):
    """inplace=True writes the result into input and returns input, as PyTorch's."""
    if not inplace:
        return result
    return input.copy_(result)


def relu(input, inplace=False):
    """max(x, 0)."""
    return input.relu_() if inplace else input.relu()


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, negative_slope * x otherwise."""
    return _maybe_inplace(input, _leaky_relu(input, negative_slope), inplace)


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, alpha * (e^x - 1) otherwise."""
    return _maybe_inplace(input, _elu(input, alpha), inplace)


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    return _maybe_inplace(input, _silu(input), inplace)


def _softmax_dim(ndim):
    # PyTorch's legacy choice when dim is not given (with a deprecation warning there).
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along dim, computed stably."""
    return _softmax(input, _softmax_dim(input.dim()) if dim is None else dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along dim, computed stably (x - logsumexp(x))."""
    return _log_softmax(input, _softmax_dim(input.dim()) if dim is None else dim, dtype)


__all__ = ["elu", "gelu", "leaky_relu", "log_softmax", "logsigmoid", "one_hot", "prelu", "relu",
           "sigmoid", "silu", "softmax", "softplus", "tanh"]

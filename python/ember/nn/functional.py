"""ember.nn.functional: stateless forms of the layers, as torch.nn.functional."""

from ember._C import _nn_functional as _F
from ember._C import log_softmax as _log_softmax, softmax as _softmax
from ember._C import sigmoid, tanh  # noqa: F401  (torch.nn.functional has them too)
from ember._C._nn_functional import gelu, logsigmoid, one_hot, prelu, softplus


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
    return _maybe_inplace(input, _F.leaky_relu(input, negative_slope), inplace)


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, alpha * (e^x - 1) otherwise."""
    return _maybe_inplace(input, _F.elu(input, alpha), inplace)


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    return _maybe_inplace(input, _F.silu(input), inplace)


def _softmax_dim(ndim):
    # PyTorch's legacy choice when dim is not given (with a deprecation warning there).
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along dim, computed stably."""
    return _softmax(input, _softmax_dim(input.dim()) if dim is None else dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along dim, computed stably (x - logsumexp(x))."""
    return _log_softmax(input, _softmax_dim(input.dim()) if dim is None else dim, dtype)


def _reduction(size_average, reduce, reduction):
    """PyTorch's legacy size_average/reduce flags, turned into a reduction string."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


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


__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "elu", "gelu",
           "huber_loss", "l1_loss", "leaky_relu", "log_softmax", "logsigmoid", "mse_loss", "nll_loss",
           "one_hot", "prelu", "relu", "sigmoid", "silu", "smooth_l1_loss", "softmax", "softplus",
           "tanh"]

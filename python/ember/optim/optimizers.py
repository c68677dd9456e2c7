"""The built-in optimizers: torch.optim's signatures and defaults over ember's C++ classes. The
formulas, PyTorch's, are in the C++ headers (cpp/include/ember/optim/)."""
from ember._C import _optim
from ember.optim.optimizer import Optimizer, _check_implementation_flags


class SGD(Optimizer):
    """Stochastic gradient descent with momentum (and Nesterov), as torch.optim.SGD:
    b = momentum * b + (1 - dampening) * g (b = g on the first step), p -= lr * b.
    Course notes also write momentum as v = momentum * v + lr * g, p -= v: the two agree while
    lr is constant; PyTorch's form (lr outside the buffer) is the one used, so a changed lr
    acts at once."""

    _Impl = _optim.SGD
    _state_has_step = False

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check_implementation_flags("SGD", differentiable=differentiable)
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize))


class Adagrad(Optimizer):
    """Adagrad, as torch.optim.Adagrad: sum += g^2, p -= lr / (1 + (t - 1) lr_decay) * g / (sqrt(sum) + eps)."""

    _Impl = _optim.Adagrad

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_implementation_flags("Adagrad", differentiable=differentiable)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, maximize=maximize))


class RMSprop(Optimizer):
    """RMSprop, as torch.optim.RMSprop: v = alpha v + (1 - alpha) g^2, p -= lr * g / (sqrt(v) + eps)
    (eps outside the root); centered subtracts the squared running mean of g; momentum keeps a
    buffer b = momentum * b + g / (sqrt(v) + eps)."""

    _Impl = _optim.RMSprop

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_implementation_flags("RMSprop", capturable=capturable, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                                      weight_decay=weight_decay, maximize=maximize))


class Adam(Optimizer):
    """Adam, as torch.optim.Adam: m = lerp(m, g, 1 - beta1), v = beta2 v + (1 - beta2) g^2,
    p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps). The second moment is
    corrected with beta2 (course notes that write beta1 there have a slip), and eps is added
    after the correction. weight_decay is an L2 term on the gradient (AdamW decouples it)."""

    _Impl = _optim.Adam

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _check_implementation_flags(type(self).__name__, capturable=capturable, differentiable=differentiable)
        if isinstance(betas, (set, frozenset, dict)):
            raise TypeError(f"{type(self).__name__}: betas must be an ordered pair, got a {type(betas).__name__}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize, decoupled_weight_decay=decoupled_weight_decay))


class AdamW(Adam):
    """Adam with decoupled weight decay, as torch.optim.AdamW: p *= 1 - lr * weight_decay before
    the Adam step, instead of adding weight_decay * p to the gradient."""

    _Impl = _optim.AdamW

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize, capturable=capturable,
                         differentiable=differentiable, decoupled_weight_decay=True)

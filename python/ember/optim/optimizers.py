"""The built-in optimizers: torch.optim's classes over ember's C++ ones. Each class's signature
and defaults come from the fields its C++ options declare, and its formula, PyTorch's, is in
the C++ header (cpp/include/ember/optim/<name>.h); this file holds their documentation.

Example:
    >>> model = ember.nn.Linear(3, 1)
    >>> opt = ember.optim.Adam(model.parameters(), lr=1e-2)
    >>> model(ember.ones(4, 3)).sum().backward()
    >>> opt.step(); opt.zero_grad()
"""
from ember._C import _optim
from ember.optim.optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent with momentum (and Nesterov), as torch.optim.SGD:
    b = momentum * b + (1 - dampening) * g (b = g on the first step), p -= lr * b.
    Course notes also write momentum as v = momentum * v + lr * g, p -= v: the two agree while
    lr is constant; PyTorch's form (lr outside the buffer) is the one used, so a changed lr
    acts at once.

    Args: params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
    maximize=False (and PyTorch's foreach, differentiable, fused)."""

    _Impl = _optim.SGD
    _state_has_step = False


class Adagrad(Optimizer):
    """Adagrad, as torch.optim.Adagrad: sum += g^2, p -= lr / (1 + (t - 1) lr_decay) * g / (sqrt(sum) + eps).

    Args: params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
    foreach=None, *, maximize=False, differentiable=False, fused=None."""

    _Impl = _optim.Adagrad


class RMSprop(Optimizer):
    """RMSprop, as torch.optim.RMSprop: v = alpha v + (1 - alpha) g^2, p -= lr * g / (sqrt(v) + eps)
    (eps outside the root); centered subtracts the squared running mean of g; momentum keeps a
    buffer b = momentum * b + g / (sqrt(v) + eps).

    Args: params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
    capturable=False, foreach=None, maximize=False, differentiable=False."""

    _Impl = _optim.RMSprop


class Adam(Optimizer):
    """Adam, as torch.optim.Adam: m = lerp(m, g, 1 - beta1), v = beta2 v + (1 - beta2) g^2,
    p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps). The second moment is
    corrected with beta2 (course notes that write beta1 there have a slip), and eps is added
    after the correction. weight_decay is an L2 term on the gradient (AdamW decouples it).

    Args: params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
    maximize=False, decoupled_weight_decay=False (and foreach, capturable, differentiable, fused)."""

    _Impl = _optim.Adam


class AdamW(Adam):
    """Adam with decoupled weight decay, as torch.optim.AdamW: p *= 1 - lr * weight_decay before
    the Adam step, instead of adding weight_decay * p to the gradient.

    Args: as Adam's, with weight_decay=1e-2 and no decoupled_weight_decay (always on)."""

    _Impl = _optim.AdamW


class Adadelta(Optimizer):
    """Adadelta, as torch.optim.Adadelta: v = rho v + (1 - rho) g^2,
    delta = sqrt(u + eps) / sqrt(v + eps) * g, u = rho u + (1 - rho) delta^2, p -= lr * delta.

    Args: params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
    maximize=False, differentiable=False.

    Example:
        >>> opt = ember.optim.Adadelta(model.parameters())
    """

    _Impl = _optim.Adadelta


class Adamax(Optimizer):
    """Adamax (Adam with the infinity norm), as torch.optim.Adamax: m = lerp(m, g, 1 - beta1),
    u = max(beta2 u, |g| + eps), p -= lr / (1 - beta1^t) * m / u.

    Args: params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
    maximize=False, differentiable=False, capturable=False.

    Example:
        >>> opt = ember.optim.Adamax(model.parameters(), lr=1e-2)
    """

    _Impl = _optim.Adamax


class NAdam(Optimizer):
    """NAdam (Adam with Nesterov momentum), as torch.optim.NAdam: the momentum is scheduled,
    mu_t = beta1 (1 - 0.5 * 0.96^(t momentum_decay)), and the update looks one step ahead:
    p -= lr (1 - mu_t) / (1 - prod mu) g / d + lr mu_{t+1} / (1 - prod mu * mu_{t+1}) m / d,
    d = sqrt(v / (1 - beta2^t)) + eps.

    Args: params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
    decoupled_weight_decay=False, *, maximize=False (and foreach, capturable, differentiable).

    Example:
        >>> opt = ember.optim.NAdam(model.parameters(), lr=1e-3)
    """

    _Impl = _optim.NAdam


class RAdam(Optimizer):
    """RAdam (rectified Adam), as torch.optim.RAdam: while the variance of the adaptive rate is not
    tractable (rho_t <= 5) the step is SGD with bias-corrected momentum; after, Adam's step
    scaled by the rectification term r_t.

    Args: params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    decoupled_weight_decay=False, *, maximize=False (and foreach, capturable, differentiable).

    Example:
        >>> opt = ember.optim.RAdam(model.parameters(), lr=1e-3)
    """

    _Impl = _optim.RAdam


class ASGD(Optimizer):
    """Averaged SGD, as torch.optim.ASGD: p = p (1 - lambd eta) - eta g, and the state's "ax"
    averages the iterates from step t0 on; eta = lr / (1 + lambd lr t)^alpha.

    Args: params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
    maximize=False, differentiable=False, capturable=False.

    Example:
        >>> opt = ember.optim.ASGD(model.parameters(), lr=1e-2, t0=100)
    """

    _Impl = _optim.ASGD

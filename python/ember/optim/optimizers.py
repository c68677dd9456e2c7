"""The built-in optimizers: torch.optim's classes over ember's C++ ones. Each class's signature
and defaults come from the fields its C++ options declare, and its formula, PyTorch's, is in
the C++ header (cpp/include/ember/optim/<name>.h); this file holds their documentation.

Example:
    >>> model = ember.nn.Linear(3, 1)
    >>> opt = ember.optim.Adam(model.parameters(), lr=1e-2)
    >>> model(ember.ones(4, 3)).sum().backward()
    >>> opt.step(); opt.zero_grad()
"""
import numbers
import typing

from ember._C import Tensor, _optim, tensor as _tensor
from ember.autograd.grad_mode import enable_grad
from ember.optim.optimizer import Optimizer

if typing.TYPE_CHECKING:  # each class's __init__ is made from its C++ options at import (optimizer.py)
    class _BuiltIn(Optimizer):
        def __init__(self, params: typing.Any, *args: typing.Any, **kwargs: typing.Any) -> None: ...
else:
    _BuiltIn = Optimizer


class SGD(_BuiltIn):
    """Stochastic gradient descent with momentum (and Nesterov), as torch.optim.SGD:
    b = momentum * b + (1 - dampening) * g (b = g on the first step), p -= lr * b.
    Course notes also write momentum as v = momentum * v + lr * g, p -= v: the two agree while
    lr is constant; PyTorch's form (lr outside the buffer) is the one used, so a changed lr
    acts at once.

    Args: params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
    maximize=False (and PyTorch's foreach, differentiable, fused).

    Example::

        >>> model = ember.nn.Linear(3, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> model(ember.ones(4, 3)).sum().backward()
        >>> opt.step(); opt.zero_grad()
    """

    _Impl = _optim.SGD
    _state_has_step = False


class Adagrad(_BuiltIn):
    """Adagrad, as torch.optim.Adagrad: sum += g^2, p -= lr / (1 + (t - 1) lr_decay) * g / (sqrt(sum) + eps).

    Args: params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
    foreach=None, *, maximize=False, differentiable=False, fused=None.

    Example::

        >>> model = ember.nn.Linear(3, 1)
        >>> opt = ember.optim.Adagrad(model.parameters(), lr=1e-2)
        >>> model(ember.ones(4, 3)).sum().backward()
        >>> opt.step(); opt.zero_grad()
    """

    _Impl = _optim.Adagrad


class RMSprop(_BuiltIn):
    """RMSprop, as torch.optim.RMSprop: v = alpha v + (1 - alpha) g^2, p -= lr * g / (sqrt(v) + eps)
    (eps outside the root); centered subtracts the squared running mean of g; momentum keeps a
    buffer b = momentum * b + g / (sqrt(v) + eps).

    Args: params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
    capturable=False, foreach=None, maximize=False, differentiable=False.

    Example::

        >>> model = ember.nn.Linear(3, 1)
        >>> opt = ember.optim.RMSprop(model.parameters(), lr=1e-3)
        >>> model(ember.ones(4, 3)).sum().backward()
        >>> opt.step(); opt.zero_grad()
    """

    _Impl = _optim.RMSprop


class Adam(_BuiltIn):
    """Adam, as torch.optim.Adam: m = lerp(m, g, 1 - beta1), v = beta2 v + (1 - beta2) g^2,
    p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps). The second moment is
    corrected with beta2 (course notes that write beta1 there have a slip), and eps is added
    after the correction. weight_decay is an L2 term on the gradient (AdamW decouples it).

    Args: params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
    maximize=False, decoupled_weight_decay=False (and foreach, capturable, differentiable, fused).

    Example::

        >>> model = ember.nn.Linear(3, 1)
        >>> opt = ember.optim.Adam(model.parameters(), lr=1e-3)
        >>> model(ember.ones(4, 3)).sum().backward()
        >>> opt.step(); opt.zero_grad()
    """

    _Impl = _optim.Adam


class AdamW(Adam):
    """Adam with decoupled weight decay, as torch.optim.AdamW: p *= 1 - lr * weight_decay before
    the Adam step, instead of adding weight_decay * p to the gradient.

    Args: as Adam's, with weight_decay=1e-2 and no decoupled_weight_decay (always on).

    Example::

        >>> model = ember.nn.Linear(3, 1)
        >>> opt = ember.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
        >>> model(ember.ones(4, 3)).sum().backward()
        >>> opt.step(); opt.zero_grad()
    """

    _Impl = _optim.AdamW


class Adadelta(_BuiltIn):
    """Adadelta, as torch.optim.Adadelta: v = rho v + (1 - rho) g^2,
    delta = sqrt(u + eps) / sqrt(v + eps) * g, u = rho u + (1 - rho) delta^2, p -= lr * delta.

    Args: params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
    maximize=False, differentiable=False.

    Example::

        >>> model = ember.nn.Linear(3, 1)
        >>> opt = ember.optim.Adadelta(model.parameters())
        >>> model(ember.ones(4, 3)).sum().backward()
        >>> opt.step(); opt.zero_grad()
    """

    _Impl = _optim.Adadelta


class Adamax(_BuiltIn):
    """Adamax (Adam with the infinity norm), as torch.optim.Adamax: m = lerp(m, g, 1 - beta1),
    u = max(beta2 u, |g| + eps), p -= lr / (1 - beta1^t) * m / u.

    Args: params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
    maximize=False, differentiable=False, capturable=False.

    Example::

        >>> model = ember.nn.Linear(3, 1)
        >>> opt = ember.optim.Adamax(model.parameters(), lr=1e-2)
        >>> model(ember.ones(4, 3)).sum().backward()
        >>> opt.step(); opt.zero_grad()
    """

    _Impl = _optim.Adamax


class NAdam(_BuiltIn):
    """NAdam (Adam with Nesterov momentum), as torch.optim.NAdam: the momentum is scheduled,
    mu_t = beta1 (1 - 0.5 * 0.96^(t momentum_decay)), and the update looks one step ahead:
    p -= lr (1 - mu_t) / (1 - prod mu) g / d + lr mu_{t+1} / (1 - prod mu * mu_{t+1}) m / d,
    d = sqrt(v / (1 - beta2^t)) + eps.

    Args: params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
    decoupled_weight_decay=False, *, maximize=False (and foreach, capturable, differentiable).

    Example::

        >>> model = ember.nn.Linear(3, 1)
        >>> opt = ember.optim.NAdam(model.parameters(), lr=1e-3)
        >>> model(ember.ones(4, 3)).sum().backward()
        >>> opt.step(); opt.zero_grad()
    """

    _Impl = _optim.NAdam


class RAdam(_BuiltIn):
    """RAdam (rectified Adam), as torch.optim.RAdam: while the variance of the adaptive rate is not
    tractable (rho_t <= 5) the step is SGD with bias-corrected momentum; after, Adam's step
    scaled by the rectification term r_t.

    Args: params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    decoupled_weight_decay=False, *, maximize=False (and foreach, capturable, differentiable).

    Example::

        >>> model = ember.nn.Linear(3, 1)
        >>> opt = ember.optim.RAdam(model.parameters(), lr=1e-3)
        >>> model(ember.ones(4, 3)).sum().backward()
        >>> opt.step(); opt.zero_grad()
    """

    _Impl = _optim.RAdam


class ASGD(_BuiltIn):
    """Averaged SGD, as torch.optim.ASGD: p = p (1 - lambd eta) - eta g, and the state's "ax"
    averages the iterates from step t0 on; eta = lr / (1 + lambd lr t)^alpha.

    Args: params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
    maximize=False, differentiable=False, capturable=False.

    Example::

        >>> model = ember.nn.Linear(3, 1)
        >>> opt = ember.optim.ASGD(model.parameters(), lr=1e-2, t0=100)
        >>> model(ember.ones(4, 3)).sum().backward()
        >>> opt.step(); opt.zero_grad()
    """

    _Impl = _optim.ASGD


def _loss_value(loss):
    """float(loss) for LBFGS, whose closure must return the loss: a number or a one-element tensor."""
    if isinstance(loss, Tensor):
        if loss.numel() != 1:
            raise ValueError("LBFGS.step: the closure must return the loss as a one-element tensor or a number, got "
                             f"a tensor of shape {tuple(loss.shape)}")
    elif isinstance(loss, bool) or not isinstance(loss, numbers.Real):
        raise TypeError("LBFGS.step: the closure must return the loss as a one-element tensor or a number, got "
                        f"{type(loss).__name__}")
    return float(loss)


def _scalar(value, name):
    """A state entry torch keeps as a Python number or a 0-d tensor, as a float."""
    if isinstance(value, Tensor) or (hasattr(value, "numel") and hasattr(value, "item")):  # ember's or torch's
        if value.numel() != 1:
            raise ValueError(f"LBFGS.load_state_dict: state '{name}' must be a number, got a tensor of shape "
                             f"{tuple(value.shape)}")
        return float(value.item())
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"LBFGS.load_state_dict: state '{name}' must be a number, got {type(value).__name__}")
    return float(value)


class LBFGS(_BuiltIn):
    """L-BFGS, as torch.optim.LBFGS (heavily inspired by minFunc): up to ``max_iter``
    quasi-Newton iterations per ``step(closure)``, the direction ``-H g`` from the two-loop
    recursion over the last ``history_size`` pairs ``(s, y)`` (Nocedal & Wright Alg. 7.4), the
    step ``lr`` (``min(1, 1/|g|_1) * lr`` on the very first iteration), or the strong-Wolfe line
    search (Alg. 3.5-3.6) when ``line_search_fn="strong_wolfe"``.

    One parameter group only: the state is one history over all parameters seen as one flat
    vector (it needs ``param_numel * (2 * history_size + 2)`` extra elements). A missing
    gradient counts as zeros.

    Args:
        params (iterable): parameters to optimize.
        lr (float, optional): learning rate (default: 1).
        max_iter (int, optional): maximal number of iterations per step (default: 20).
        max_eval (int, optional): maximal number of closure evaluations per step
            (default: ``max_iter * 5 // 4``).
        tolerance_grad (float, optional): stop when ``max |g| <= tolerance_grad`` (default: 1e-7).
        tolerance_change (float, optional): stop when the step or the loss changes by less
            (default: 1e-9).
        history_size (int, optional): number of update pairs kept (default: 100).
        line_search_fn (str, optional): ``"strong_wolfe"`` or None (default: None).

    ``step(closure)`` needs the closure: it clears the gradients, re-evaluates the model, calls
    ``backward`` and returns the loss. It is called with gradients enabled, possibly several
    times; ``step`` returns what its first call returned.

    Example::

        >>> model = ember.nn.Linear(3, 1)
        >>> x, y = ember.randn(8, 3), ember.randn(8, 1)
        >>> opt = ember.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = ember.nn.functional.mse_loss(model(x), y)
        ...     loss.backward()
        ...     return loss
        >>> for _ in range(10):
        ...     loss = opt.step(closure)

    Differences from torch: bad ``line_search_fn``, ``max_iter``, ``max_eval`` or
    ``history_size`` values raise ValueError when the optimizer is made (torch raises
    RuntimeError for ``line_search_fn`` at the first step and takes the others). The scalars of
    the algorithm (step length, slopes, curvatures) are doubles where torch keeps some as
    tensors of the parameters' dtype: float64 runs agree with torch's to rounding, float32 runs
    can differ near a flat optimum, where torch's line search accepts steps that leave a
    float32 loss unchanged and ember's does not.
    """

    _Impl = _optim.LBFGS
    _state_has_step = False
    # torch's state keys, in the order its state_dict shows them after a full step.
    _STATE_KEYS = ("func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad",
                   "prev_loss")

    @staticmethod
    def _resolve(arguments):
        # torch keeps the derived max_eval in the group (25 for max_iter 20), not None.
        max_iter = arguments["max_iter"]
        if arguments["max_eval"] is None and isinstance(max_iter, numbers.Integral) and not isinstance(max_iter, bool):
            arguments["max_eval"] = max_iter * 5 // 4

    def step(self, closure):
        """Up to max_iter L-BFGS iterations; returns the closure's first result (the loss before them)."""
        if not callable(closure):
            raise TypeError("LBFGS.step: a closure is required (a function that clears the gradients, re-evaluates "
                            f"the model, calls backward and returns the loss), got {type(closure).__name__}")
        first = []

        def evaluate():
            with enable_grad():
                loss = closure()
            value = _loss_value(loss)
            if not first:
                first.append(loss)
            return value

        self._impl._step_closure(self.param_groups, evaluate)
        return first[0]

    # ---- state: global, filed under the first parameter as torch's --------------------------------

    def _state_of(self, index):
        if index != 0:
            return {}
        raw = self._impl._lbfgs_state()
        if raw["func_evals"] == 0 and raw["n_iter"] == 0 and raw["d"] is None:
            return {}  # never stepped
        state = {"func_evals": raw["func_evals"], "n_iter": raw["n_iter"]}
        if raw["d"] is not None:  # torch saves these at the end of a step that iterated
            dtype = raw["d"].dtype
            state.update(d=raw["d"], t=raw["t"], old_dirs=raw["old_dirs"], old_stps=raw["old_stps"],
                         ro=[_tensor(r, dtype=dtype) for r in raw["ro"]],
                         # torch's H_diag is the int 1 until the history's first update, then a tensor
                         H_diag=_tensor(raw["H_diag"], dtype=dtype) if raw["old_dirs"] else 1,
                         prev_flat_grad=raw["prev_flat_grad"], prev_loss=raw["prev_loss"])
            if raw["al"]:
                state["al"] = [None if a is None else _tensor(a, dtype=dtype) for a in raw["al"]]
        return state

    def load_state_dict(self, state_dict):
        """Resumes from state_dict() (ember's, or torch's with its tensors made ember tensors)."""
        if not (isinstance(state_dict, dict) and "state" in state_dict and "param_groups" in state_dict):
            return super().load_state_dict(state_dict)  # its errors
        states = state_dict["state"]
        if not isinstance(states, dict):
            raise TypeError(f"LBFGS.load_state_dict: 'state' must be a dict, got {type(states).__name__}")
        old_groups = list(self.param_groups)
        super().load_state_dict({**state_dict, "state": {}})  # the groups and their checks
        try:
            first = state_dict["param_groups"][0]["params"][0]
            self._impl._set_lbfgs_state(self._raw_state(states.get(first, {})))
        except BaseException:
            self.param_groups[:] = old_groups
            raise

    @staticmethod
    def _raw_state(saved):
        """torch's state[0] layout -> the C++ fields (ember/optim/lbfgs.h's LBFGSState)."""
        if not isinstance(saved, dict):
            raise TypeError(f"LBFGS.load_state_dict: the state must be a dict, got {type(saved).__name__}")
        unknown = set(saved) - set(LBFGS._STATE_KEYS) - {"al"}
        if unknown:
            raise KeyError(f"LBFGS.load_state_dict: unknown state keys {sorted(unknown)}")
        raw = {"func_evals": 0, "n_iter": 0, "d": None, "t": 0.0, "old_dirs": [], "old_stps": [], "ro": [],
               "H_diag": 1.0, "prev_flat_grad": None, "prev_loss": 0.0, "al": []}
        if saved and ("func_evals" not in saved or "n_iter" not in saved):
            raise KeyError("LBFGS.load_state_dict: the state has no 'func_evals' or 'n_iter'")
        for key in ("func_evals", "n_iter"):
            if key in saved:
                value = saved[key]
                if isinstance(value, Tensor):
                    value = value.item()
                if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                    raise TypeError(f"LBFGS.load_state_dict: state '{key}' must be an integer, got "
                                    f"{type(value).__name__}")
                raw[key] = int(value)
        if "d" in saved:
            missing = [k for k in LBFGS._STATE_KEYS[2:] if k not in saved]
            if missing:
                raise KeyError(f"LBFGS.load_state_dict: the state has 'd' but not {missing}")
            for key in ("d", "prev_flat_grad"):
                raw[key] = saved[key]
            for key in ("old_dirs", "old_stps", "ro"):
                if not isinstance(saved[key], (list, tuple)):
                    raise TypeError(f"LBFGS.load_state_dict: state '{key}' must be a list, got "
                                    f"{type(saved[key]).__name__}")
            raw["old_dirs"], raw["old_stps"] = list(saved["old_dirs"]), list(saved["old_stps"])
            for key in ("old_dirs", "old_stps"):
                for v in raw[key]:
                    if not isinstance(v, Tensor):
                        raise TypeError(f"LBFGS.load_state_dict: state '{key}' must hold tensors, got "
                                        f"{type(v).__name__}")
            raw["ro"] = [_scalar(r, "ro") for r in saved["ro"]]
            for key in ("t", "H_diag", "prev_loss"):
                raw[key] = _scalar(saved[key], key)
        if "al" in saved:
            if not isinstance(saved["al"], (list, tuple)):
                raise TypeError(f"LBFGS.load_state_dict: state 'al' must be a list, got {type(saved['al']).__name__}")
            raw["al"] = [None if a is None else _scalar(a, "al") for a in saved["al"]]
        return raw

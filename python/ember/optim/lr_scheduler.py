"""ember.optim.lr_scheduler: torch.optim.lr_scheduler's API over ember's C++ schedules.

Each schedule computes a group's rate from its base rate ('initial_lr') and the epoch, in
closed form where one exists (C++: ember::optim, formulas in lr_scheduler.h), and this module
writes the rates (and momentum, for the cyclical ones) into the optimizer's param_groups.
Unlike PyTorch's recursive updates, a rate never depends on the previous one, so a resumed run
gets the very same rates. A built-in schedule's arguments (names, order, defaults, checks) are
declared once, as the rows of its C++ options, and its __init__ is made from them. Compose
schedules with ChainedScheduler or SequentialLR; ReduceLROnPlateau takes part in both
(step(metrics) passes the metric on), which PyTorch's cannot. Two schedules stepped separately on one optimizer do not multiply as PyTorch's do:
the last one stepped sets the rate (chain them instead); a schedule that finds its rate changed
behind its back says so with a UserWarning.
"""
import collections
import inspect
import types
import typing
import warnings

from ember._C import _graph, _optim
from ember._signature import make_init, signature_of
from ember.optim.optimizer import Optimizer

__all__ = ["ChainedScheduler", "ConstantLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR",
           "ExponentialLR", "LRScheduler", "LambdaLR", "LinearLR", "MultiStepLR", "MultiplicativeLR", "OneCycleLR",
           "PolynomialLR", "ReduceLROnPlateau", "SequentialLR", "StepLR"]

_ORDER_WARNING = ("Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, "
                  "you should call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  "
                  "Failure to do this will result in PyTorch skipping the first value of the learning rate "
                  "schedule. See more details at https://pytorch.org/docs/stable/optim.html"
                  "#how-to-adjust-learning-rate")


def _check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def _expand(value, optimizer):
    """A per-group argument that C++ has read: one value per group, as floats."""
    values = value if isinstance(value, (list, tuple)) else [value] * len(optimizer.param_groups)
    return [float(v) for v in values]


def _add_momentum_bounds(optimizer, lows, highs):
    """The groups' base_momentum and max_momentum entries, as PyTorch's cyclical schedules add them."""
    for group, low, high in zip(optimizer.param_groups, lows, highs):
        group["max_momentum"], group["base_momentum"] = high, low


def _positive_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _uses_beta1(optimizer):
    return "betas" in optimizer.defaults


def _check_cycle_momentum(optimizer):
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")


_OPTIMIZER = inspect.Parameter("optimizer", inspect.Parameter.POSITIONAL_OR_KEYWORD)
_LAST_EPOCH = inspect.Parameter("last_epoch", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=-1)


def _signature_init(cls):
    """An __init__ with PyTorch's signature for a built-in schedule: (cls._leading, the fields its
    C++ options declare in cpp/include/ember/optim/lr_scheduler.h, cls._trailing); by default
    (optimizer, ..., last_epoch=-1)."""
    signature = signature_of(cls._Impl._signature(), leading=cls._leading, trailing=cls._trailing)

    def body(self, arguments):
        optimizer = arguments.pop("optimizer")
        last_epoch = arguments.pop("last_epoch", -1)
        if optimizer is not None:  # before the arguments' own checks, as torch (None: ChainedScheduler's default)
            _check_optimizer(optimizer)
        optimizer = cls._resolve(arguments, optimizer)
        _check_optimizer(optimizer)
        impl = cls._Impl(arguments, len(optimizer.param_groups))  # reads and checks every argument
        self._arguments = dict(arguments)  # what __setstate__ makes the C++ schedule from again
        self._setup(arguments, optimizer, last_epoch)
        LRScheduler.__init__(self, optimizer, self._start_epoch(last_epoch), _impl=impl)

    return make_init(cls, signature, body, f"Makes a {cls.__name__} that sets the rates of optimizer's groups.")


class LRScheduler:
    """Base of the schedules: sets each group's 'initial_lr' (the base rate) and its rate for
    epoch 0 when made; step() moves one epoch on. A Python subclass may define get_lr() over
    self.last_epoch and self.base_lrs, as with PyTorch's.

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        last_epoch (int): the epoch to resume after; -1 (default) starts fresh.

    Example::

        >>> class Halving(ember.optim.lr_scheduler.LRScheduler):
        ...     def get_lr(self):
        ...         return [base * 0.5 ** self.last_epoch for base in self.base_lrs]
        >>> opt = ember.optim.SGD(ember.nn.Linear(2, 1).parameters(), lr=0.1)
        >>> sched = Halving(opt)
    """

    _Impl = None  # the C++ class of a built-in schedule, whose options declare its arguments
    _leading = (_OPTIMIZER,)  # the Python arguments before and after the rows' (PyTorch's order)
    _trailing = (_LAST_EPOCH,)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_Impl") is not None and "__init__" not in cls.__dict__:
            cls.__init__ = _signature_init(cls)

    @staticmethod
    def _resolve(arguments, optimizer):
        """Fills, in place, the arguments whose default depends on others (OneCycleLR's total_steps)
        and checks what C++ cannot (the composites' schedules); returns the optimizer."""
        return optimizer

    @staticmethod
    def _start_epoch(last_epoch):
        """The epoch the schedule starts from, given last_epoch."""
        return last_epoch

    def _setup(self, arguments, optimizer, last_epoch):
        """Keeps the arguments as attributes of their names, as PyTorch's schedules do (state_dict
        saves them); a schedule that adds entries to the groups (OneCycleLR's max_lr) writes them here."""
        vars(self).update(arguments)

    def __init__(self, optimizer, last_epoch=-1, *, _impl=None):
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        self._impl = _impl
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                                   "scheduler with last_epoch >= 0.")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self._python_epoch = 0
        self.last_epoch = last_epoch + 1
        self._step_count = 1
        self._apply()

    @property
    def last_epoch(self):
        return self._python_epoch if self._impl is None else self._impl.last_epoch

    @last_epoch.setter
    def last_epoch(self, epoch):
        if self._impl is None:
            self._python_epoch = epoch
        else:
            self._impl.last_epoch = epoch

    def get_last_lr(self):
        """The rates the last step set, one per group."""
        return list(self._last_lr)

    def get_lr(self):
        """The rates for the current epoch (what step() set)."""
        return [self._impl.rate(i, base) for i, base in enumerate(self.base_lrs)]

    _warns_order = True  # PyTorch's CosineAnnealingWarmRestarts and ReduceLROnPlateau do not
    _reads_current_rate = False  # a schedule that goes on from the group's rate (SWALR) is not overwriting it

    def _warn_order(self):
        if self._warns_order and self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(_ORDER_WARNING, UserWarning, stacklevel=3)
        self._step_count += 1

    def step(self, epoch=None):
        """One epoch on (call it after optimizer.step()). epoch (deprecated, as in PyTorch) jumps
        to that epoch: every closed-form schedule gets its rate exactly."""
        if _graph.capturing():  # ember.compile: replays step the schedule again
            _graph.effect(lambda: self.step(epoch), name=f"{type(self).__name__}.step")
            return
        self._warn_order()
        if self._impl is None:  # a Python subclass's get_lr
            self.last_epoch = self.last_epoch + 1 if epoch is None else int(epoch)
        elif epoch is None:
            self._impl.advance(None, self.base_lrs)
        else:
            warnings.warn("The epoch parameter in `scheduler.step()` was not necessary and is being deprecated "
                          "where possible. Please use `scheduler.step()` to step the scheduler.", UserWarning,
                          stacklevel=2)
            if self._impl.extra_state():
                raise ValueError(f"{type(self).__name__}.step(epoch): this schedule depends on its history and "
                                 "cannot jump to an epoch")
            self._impl.last_epoch = int(epoch)
        self._apply()

    def _apply(self):
        """Writes the schedule's rates (and momentum, where it sets one) into the groups."""
        if len(self.base_lrs) != len(self.optimizer.param_groups):
            raise ValueError(f"{type(self).__name__}: {len(self.base_lrs)} base rates for "
                             f"{len(self.optimizer.param_groups)} parameter groups (was a group added after the "
                             "scheduler was made?)")
        last = getattr(self, "_last_lr", None)
        if last is not None and not self._reads_current_rate and not getattr(self, "_warned_overwrite", False) and any(
                group["lr"] != lr for group, lr in zip(self.optimizer.param_groups, last)):
            # PyTorch's recursive schedules would go on from the new rate; this one does not.
            warnings.warn(f"{type(self).__name__}: a param group's 'lr' was changed since this scheduler set it "
                          "(by hand, or by another scheduler stepped on its own); ember's schedules compute the rate "
                          "from the base rate, so the change is overwritten. Combine schedules with ChainedScheduler "
                          "or SequentialLR.", UserWarning, stacklevel=3)
            self._warned_overwrite = True
        beta1 = _uses_beta1(self.optimizer)
        rates = self.get_lr()
        for i, group in enumerate(self.optimizer.param_groups):
            group["lr"] = rates[i]
            momentum = None if self._impl is None else self._impl.momentum(i)
            if momentum is not None:
                if beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    # Entries of state_dict that live in the C++ schedule (read through properties).
    _LIVE = ("last_epoch", "T_i", "T_cur", "best", "num_bad_epochs", "cooldown_counter")
    _NOT_SAVED = ("optimizer", "_impl", "_arguments", "_schedulers", "lr_lambdas", "scale_fn", "_python_epoch",
                  "_warned_overwrite")

    def state_dict(self):
        """PyTorch's entries (the hyperparameters, last_epoch, base_lrs, ...) plus the C++
        schedule's own state under '_state': what a resumed run needs. Functions (lr_lambda,
        scale_fn) are not saved, as in PyTorch; callable objects save their __dict__."""
        state = {k: v for k, v in vars(self).items() if k not in self._NOT_SAVED}
        for name in self._LIVE:
            if hasattr(type(self), name):
                state[name] = getattr(self, name)
        if "lr_lambdas" in vars(self):
            state["lr_lambdas"] = [None if isinstance(f, types.FunctionType) else dict(vars(f))
                                   for f in self.lr_lambdas]
        state["_state"] = [] if self._impl is None else list(self._impl.extra_state())
        return state

    def load_state_dict(self, state_dict):
        """Resumes from state_dict(): the saved entries and the C++ schedule's position."""
        if not isinstance(state_dict, dict):
            raise TypeError(f"load_state_dict: expected a dict (what state_dict() gives), got {type(state_dict).__name__}")
        for key, value in state_dict.items():
            if key not in self._LIVE and key not in self._NOT_SAVED and key != "_state":
                setattr(self, key, value)
        for f, saved in zip(getattr(self, "lr_lambdas", []), state_dict.get("lr_lambdas", [])):
            if saved is not None:
                vars(f).update(saved)
        self.last_epoch = int(state_dict["last_epoch"])
        if self._impl is not None:
            self._impl.load_extra_state([float(v) for v in state_dict.get("_state", [])])

    # ---- pickle and copy: the attributes (the optimizer among them, as PyTorch's) and the C++
    # schedule's position; the schedule itself is made again from the arguments it was made with.
    # A lambda among them (LambdaLR's lr_lambda) cannot be pickled, as with PyTorch; it can be copied.

    def __getstate__(self):
        """The attributes and the C++ schedule's epoch and history."""
        state = dict(vars(self))
        impl = state.pop("_impl", None)
        if impl is not None:
            state["_impl_state"] = (impl.last_epoch, list(impl.extra_state()))
        return state

    def __setstate__(self, state):
        """Restores what __getstate__ gave, making the C++ schedule again."""
        state = dict(state)
        impl_state = state.pop("_impl_state", None)
        vars(self).update(state)
        self._impl = None
        if impl_state is not None:
            self._impl = self._Impl(self._arguments, len(self.base_lrs))
            self._impl.last_epoch, extra = impl_state
            self._impl.load_extra_state(extra)


if typing.TYPE_CHECKING:  # each built-in schedule's __init__ is made from its C++ options at import
    class _BuiltIn(LRScheduler):
        def __init__(self, *args: typing.Any, **kwargs: typing.Any) -> None: ...
else:
    _BuiltIn = LRScheduler


class StepLR(_BuiltIn):
    """base * gamma^(epoch // step_size).

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        step_size (int or float): epochs between two decays. A float decays at the epochs that are
            exact multiples of it, as torch's (1.0 as 1; 1.5 every third epoch).
        gamma (float): the decay factor. Default: 0.1.
        last_epoch (int): the epoch to resume after; -1 (default) starts fresh.

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step()
    """

    _Impl = _optim.StepLR


class MultiStepLR(_BuiltIn):
    """base * gamma^(milestones passed); a milestone given twice counts twice.

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        milestones (list of int): the epochs at which to decay.
        gamma (float): the decay factor. Default: 0.1.
        last_epoch (int): the epoch to resume after; -1 (default) starts fresh.

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.MultiStepLR(opt, milestones=[30, 80], gamma=0.1)
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step()
    """

    _Impl = _optim.MultiStepLR

    def _setup(self, arguments, optimizer, last_epoch):
        super()._setup(arguments, optimizer, last_epoch)
        self.milestones = collections.Counter(arguments["milestones"])  # PyTorch's


class ConstantLR(_BuiltIn):
    """base * factor for the first total_iters epochs, then base.

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        factor (float): the multiplier until total_iters. Default: 1/3.
        total_iters (int): epochs at the reduced rate. Default: 5.
        last_epoch (int): the epoch to resume after; -1 (default) starts fresh.

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=4)
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step()
    """

    _Impl = _optim.ConstantLR


class LinearLR(_BuiltIn):
    """A linear ramp of the factor from start_factor to end_factor over total_iters epochs (warm-up).

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        start_factor (float): the first epoch's multiplier. Default: 1/3.
        end_factor (float): the multiplier reached at total_iters. Default: 1.0.
        total_iters (int): epochs of the ramp. Default: 5.
        last_epoch (int): the epoch to resume after; -1 (default) starts fresh.

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=10)
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step()
    """

    _Impl = _optim.LinearLR


class ExponentialLR(_BuiltIn):
    """base * gamma^epoch.

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        gamma (float): the decay factor per epoch.
        last_epoch (int): the epoch to resume after; -1 (default) starts fresh.

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step()
    """

    _Impl = _optim.ExponentialLR


class PolynomialLR(_BuiltIn):
    """base * (1 - min(epoch, total_iters) / total_iters)^power.

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        total_iters (int): epochs until the rate reaches 0. Default: 5.
        power (float): the polynomial's power. Default: 1.0.
        last_epoch (int): the epoch to resume after; -1 (default) starts fresh.

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.PolynomialLR(opt, total_iters=10, power=2.0)
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step()
    """

    _Impl = _optim.PolynomialLR


class CosineAnnealingLR(_BuiltIn):
    """eta_min + (base - eta_min)(1 + cos(pi epoch / T_max)) / 2 (periodic past T_max, as PyTorch's).

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        T_max (int): epochs of the half cosine.
        eta_min (float): the lowest rate. Default: 0.0.
        last_epoch (int): the epoch to resume after; -1 (default) starts fresh.

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step()
    """

    _Impl = _optim.CosineAnnealingLR


class CosineAnnealingWarmRestarts(_BuiltIn):
    """Cosine annealing (SGDR) restarted after T_0 epochs, each period T_mult times the last.

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        T_0 (int): epochs of the first period.
        T_mult (int): each period's length over the last's. Default: 1.
        eta_min (float): the lowest rate. Default: 0.0.
        last_epoch (int): the epoch to resume after; -1 (default) starts fresh.

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=10, T_mult=2)
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step()
    """

    _Impl = _optim.CosineAnnealingWarmRestarts
    _warns_order = False

    @property
    def T_i(self):
        return self._impl.T_i

    @property
    def T_cur(self):
        return self._impl.T_cur


def _keep_lambdas(scheduler, arguments, optimizer):
    """PyTorch's lr_lambdas, one per group (state_dict saves the state of callable objects);
    C++ has checked their number."""
    lr_lambda = arguments["lr_lambda"]
    scheduler.lr_lambdas = (list(lr_lambda) if isinstance(lr_lambda, (list, tuple))
                            else [lr_lambda] * len(optimizer.param_groups))


class LambdaLR(_BuiltIn):
    """base * lr_lambda(epoch) (one function, or one per group).

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        lr_lambda (callable or list of callables): epoch -> multiplier of the base rate (one per group).
        last_epoch (int): the epoch to resume after; -1 (default) starts fresh.

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.LambdaLR(opt, lr_lambda=lambda epoch: 0.95 ** epoch)
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step()
    """

    _Impl = _optim.LambdaLR

    def _setup(self, arguments, optimizer, last_epoch):
        _keep_lambdas(self, arguments, optimizer)


class MultiplicativeLR(_BuiltIn):
    """The rate times lr_lambda(epoch) at every step: base * lr_lambda(1) * ... * lr_lambda(epoch).

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        lr_lambda (callable or list of callables): epoch -> multiplier of the current rate (one per group).
        last_epoch (int): the epoch to resume after; -1 (default) starts fresh.

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.MultiplicativeLR(opt, lr_lambda=lambda epoch: 0.95)
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step()
    """

    _Impl = _optim.MultiplicativeLR

    def _setup(self, arguments, optimizer, last_epoch):
        _keep_lambdas(self, arguments, optimizer)


class OneCycleLR(_BuiltIn):
    """The 1cycle policy (Smith): the rate rises from max_lr / div_factor to max_lr over
    pct_start of the steps and anneals to max_lr / (div_factor * final_div_factor), the momentum
    moving the other way. Step it after every batch; stepping past total_steps raises.

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        max_lr (float or list): the peak rate (per group).
        total_steps (int, optional): the cycle's steps; or give epochs and steps_per_epoch.
        epochs (int, optional): with steps_per_epoch, total_steps = epochs * steps_per_epoch.
        steps_per_epoch (int, optional): see epochs.
        pct_start (float): the fraction of steps spent rising. Default: 0.3.
        anneal_strategy (str): 'cos' (default) or 'linear'.
        cycle_momentum (bool): cycle the momentum (Adam: beta1) inversely. Default: True.
        base_momentum (float or list): the lowest momentum. Default: 0.85.
        max_momentum (float or list): the highest momentum. Default: 0.95.
        div_factor (float): the first rate is max_lr / div_factor. Default: 25.
        final_div_factor (float): the last rate is the first / final_div_factor. Default: 1e4.
        three_phase (bool): a third phase annealing below the first rate. Default: False.
        last_epoch (int): the epoch to resume after; -1 (default) starts fresh.

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=100)
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step()
    """

    _Impl = _optim.OneCycleLR

    @staticmethod
    def _resolve(arguments, optimizer):
        # torch keeps the derived total_steps; bad epochs or steps_per_epoch are left for C++ to refuse.
        epochs, per_epoch = arguments["epochs"], arguments["steps_per_epoch"]
        if arguments["total_steps"] is None and _positive_int(epochs) and _positive_int(per_epoch):
            arguments["total_steps"] = epochs * per_epoch
        return optimizer

    def _setup(self, arguments, optimizer, last_epoch):
        super()._setup(arguments, optimizer, last_epoch)
        self.use_beta1 = _uses_beta1(optimizer)
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, _expand(arguments["max_lr"], optimizer)):
                group["initial_lr"] = top / arguments["div_factor"]  # ZeroDivisionError for 0, as torch
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / arguments["final_div_factor"]
        if arguments["cycle_momentum"]:
            _check_cycle_momentum(optimizer)
            if last_epoch == -1:
                _add_momentum_bounds(optimizer, _expand(arguments["base_momentum"], optimizer),
                                     _expand(arguments["max_momentum"], optimizer))


class CyclicLR(_BuiltIn):
    """Cyclical rates (Smith) between base_lr and max_lr, step_size_up epochs up and
    step_size_down down; modes triangular, triangular2 (amplitude halved each cycle) and
    exp_range (scaled by gamma^epoch), or your own scale_fn. With cycle_momentum the momentum
    (Adam: beta1) cycles the other way, between max_momentum and base_momentum.

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        base_lr (float or list): the cycle's lower rate (per group).
        max_lr (float or list): the cycle's upper rate (per group).
        step_size_up (int): steps rising. Default: 2000.
        step_size_down (int, optional): steps falling. Default: step_size_up.
        mode (str): 'triangular' (default), 'triangular2' or 'exp_range'.
        gamma (float): exp_range's decay per step. Default: 1.0.
        scale_fn (callable, optional): your own amplitude scaling, replacing mode.
        scale_mode (str): whether scale_fn takes the 'cycle' (default) or the 'iterations'.
        cycle_momentum (bool): cycle the momentum inversely. Default: True.
        base_momentum (float or list): the lowest momentum. Default: 0.8.
        max_momentum (float or list): the highest momentum. Default: 0.9.
        last_epoch (int): the epoch to resume after; -1 (default) starts fresh.

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=5)
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step()
    """

    _Impl = _optim.CyclicLR

    @staticmethod
    def _resolve(arguments, optimizer):
        # torch takes any float()-able step size (a tensor, a numeric string), as float(x).
        up = arguments["step_size_up"] = float(arguments["step_size_up"])
        down = arguments["step_size_down"]
        down = arguments["step_size_down"] = up if down is None else float(down)  # torch's default: as long as up
        if up == 0 and down == 0:  # torch divides by the cycle's length before any check
            raise ZeroDivisionError("float division by zero")
        return optimizer

    def _setup(self, arguments, optimizer, last_epoch):
        super()._setup(arguments, optimizer, last_epoch)
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, _expand(arguments["base_lr"], optimizer)):
                group["lr"] = lr
        self.max_lrs = _expand(arguments["max_lr"], optimizer)
        up, down = float(arguments["step_size_up"]), float(arguments["step_size_down"])
        self.total_size, self.step_ratio = up + down, up / (up + down)
        if arguments["scale_fn"] is None:  # the mode's own scale, by cycle or by iteration (PyTorch records which)
            self.scale_mode = "iterations" if arguments["mode"] == "exp_range" else "cycle"
        self.use_beta1 = _uses_beta1(optimizer)
        if arguments["cycle_momentum"]:
            _check_cycle_momentum(optimizer)
            self.base_momentums = _expand(arguments["base_momentum"], optimizer)
            self.max_momentums = _expand(arguments["max_momentum"], optimizer)
            if last_epoch == -1:
                _add_momentum_bounds(optimizer, self.base_momentums, self.max_momentums)


class ReduceLROnPlateau(_BuiltIn):
    """Cuts the rate by factor once the metric has not improved (by threshold, relative or
    absolute) for patience epochs, then waits cooldown epochs; never below min_lr, and a cut
    smaller than eps is skipped. step(metrics) after each evaluation.

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        mode (str): 'min' (the metric should fall, default) or 'max'.
        factor (float): the multiplier of a cut. Default: 0.1.
        patience (int): epochs without improvement before a cut. Default: 10.
        threshold (float): the least change that counts as improvement. Default: 1e-4.
        threshold_mode (str): 'rel' (default) or 'abs'.
        cooldown (int): epochs to wait after a cut. Default: 0.
        min_lr (float or list): the lowest rate (per group). Default: 0.
        eps (float): a smaller cut is skipped. Default: 1e-8.

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=2)
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step(1.0)
    """

    _Impl = _optim.ReduceLROnPlateau
    _trailing = ()  # PyTorch's takes no last_epoch
    _warns_order = False

    def _setup(self, arguments, optimizer, last_epoch):
        # PyTorch keeps min_lr as min_lrs (one per group) and default_min_lr (the one number, if one).
        arguments = dict(arguments)
        min_lr = arguments.pop("min_lr")
        super()._setup(arguments, optimizer, last_epoch)
        self.min_lrs = _expand(min_lr, optimizer)
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else min_lr
        self.mode_worse = float("inf") if arguments["mode"] == "min" else float("-inf")

    best = property(lambda self: self._impl.best)
    num_bad_epochs = property(lambda self: self._impl.num_bad_epochs)
    cooldown_counter = property(lambda self: self._impl.cooldown_counter)

    def step(self, metrics, epoch=None):  # noqa: D401 - PyTorch's signature
        """Weighs metrics (a number or a one-element tensor) and cuts the rate on a plateau."""
        self._warn_order()
        self._impl.advance(float(metrics), self.base_lrs)
        self._apply()


def _check_members(name, optimizer, schedulers):
    if not schedulers:
        raise ValueError(f"{name} expects at least one scheduler, but got no scheduler.")
    for i, s in enumerate(schedulers):
        if not isinstance(s, LRScheduler) or s._impl is None:
            raise TypeError(f"{name} at index {i} should be one of ember's schedulers, got {type(s).__name__}")
        if s.optimizer is not optimizer:
            raise ValueError(f"{name} expects all schedulers to belong to the same optimizer, but got scheduler "
                             f"{type(s).__name__} at index {i} with another optimizer")


class _Composite(_BuiltIn):
    """A schedule made of others on the same optimizer; step(metrics) reaches any
    ReduceLROnPlateau among them. Its schedules are checked in Python (types, the same optimizer)
    before C++ takes theirs."""

    @classmethod
    def _resolve(cls, arguments, optimizer):
        arguments["schedulers"] = schedulers = list(arguments["schedulers"])
        _check_members(cls.__name__, optimizer, schedulers)
        return optimizer

    def _setup(self, arguments, optimizer, last_epoch):
        self._schedulers = arguments["schedulers"]

    @staticmethod
    def _start_epoch(last_epoch):
        return -1  # the composite starts where its schedules are

    def step(self, metrics=None):
        self._warn_order()
        if metrics is None and self._impl.needs_metric():
            raise TypeError(f"{type(self).__name__}.step: a ReduceLROnPlateau among the schedulers needs the metric: "
                            "step(metrics)")
        self._impl.advance(None if metrics is None else float(metrics), self.base_lrs)
        self._apply()

    def state_dict(self):
        state = super().state_dict()
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        for s, saved in zip(self._schedulers, state_dict["_schedulers"]):
            s.load_state_dict(saved)


class ChainedScheduler(_Composite):
    """Every schedule steps at once, each one's rate the next one's base: ConstantLR then
    ExponentialLR gives base * factor * gamma^epoch.

    Args:
        schedulers (sequence of LRScheduler): the schedules, stepped together in order.
        optimizer (Optimizer, optional): their optimizer (default: the first one's).

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.ChainedScheduler([ember.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2), ember.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)])
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step()
    """

    _Impl = _optim.ChainedScheduler
    _leading = ()
    _trailing = (inspect.Parameter("optimizer", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None),)

    @classmethod
    def _resolve(cls, arguments, optimizer):
        arguments["schedulers"] = schedulers = list(arguments["schedulers"])  # a generator is read once
        if not schedulers:
            raise ValueError("ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.")
        if optimizer is None:
            optimizer = getattr(schedulers[0], "optimizer", None)
        _check_optimizer(optimizer)
        return super()._resolve(arguments, optimizer)


class SequentialLR(_Composite):
    """schedulers[k] runs from milestones[k - 1] on, starting at its own epoch 0 there (warm-up
    then decay).

    Args:
        optimizer (Optimizer): the optimizer whose groups' 'lr' the schedule sets.
        schedulers (list of LRScheduler): the schedules, one after another.
        milestones (list of int): the epochs at which the next schedule takes over.
        last_epoch (int): the epoch to resume after; -1 (default) starts fresh.

    Example::

        >>> model = ember.nn.Linear(2, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> sched = ember.optim.lr_scheduler.SequentialLR(opt, [ember.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=2), ember.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)], milestones=[2])
        >>> for epoch in range(3):
        ...     opt.step()
        ...     sched.step()
    """

    _Impl = _optim.SequentialLR

    def _setup(self, arguments, optimizer, last_epoch):
        super()._setup(arguments, optimizer, last_epoch)
        self._milestones = list(arguments["milestones"])


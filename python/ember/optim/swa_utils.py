"""ember.optim.swa_utils: Stochastic Weight Averaging and exponential moving averages of a model's
weights, as torch.optim.swa_utils: AveragedModel keeps the average, SWALR anneals the rate to a
constant one for the averaging phase, update_bn recomputes the batch-norm statistics of the
averaged weights."""
import copy
import itertools
import math

import ember
from ember.nn import BatchNorm1d, BatchNorm2d, BatchNorm3d, Module
from ember.nn.sync_batchnorm import SyncBatchNorm
from ember.optim.lr_scheduler import LRScheduler

__all__ = ["AveragedModel", "SWALR", "get_ema_avg_fn", "get_ema_multi_avg_fn", "get_swa_avg_fn",
           "get_swa_multi_avg_fn", "update_bn"]


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_ema_avg_fn(decay=0.999):
    """The exponential moving average of one tensor, as torch.optim.swa_utils.get_ema_avg_fn:
    ``decay * averaged + (1 - decay) * current``, for AveragedModel's ``avg_fn``.

    Args:
        decay (float, optional): the weight of the average so far, in [0, 1]. Default: 0.999.

    Returns:
        A function (averaged, current, num_averaged) -> the new average.

    Raises:
        ValueError: ``decay`` is outside [0, 1].

    Example::

        >>> ema = get_ema_avg_fn(0.9)
        >>> ema(ember.tensor([1.]), ember.tensor([2.]), 5)
        tensor([1.1000])
    """
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """The running (equal-weight) average of one tensor, as torch.optim.swa_utils.get_swa_avg_fn:
    ``averaged + (current - averaged) / (num_averaged + 1)``, AveragedModel's default.

    Returns:
        A function (averaged, current, num_averaged) -> the new average.

    Example::

        >>> swa = get_swa_avg_fn()
        >>> swa(ember.tensor([1.]), ember.tensor([4.]), 2)   # the mean of [1, 1, 4]
        tensor([2.])
    """
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def get_ema_multi_avg_fn(decay=0.999):
    """The exponential moving average of lists of tensors, in place, as
    torch.optim.swa_utils.get_ema_multi_avg_fn (floating tensors by ``lerp_``, with weight
    ``1 - decay``), for AveragedModel's ``multi_avg_fn``.

    Args:
        decay (float, optional): the weight of the average so far, in [0, 1]. Default: 0.999.

    Returns:
        A function (averaged list, current list, num_averaged) -> None.

    Raises:
        ValueError: ``decay`` is outside [0, 1].

    Example::

        >>> ema_model = AveragedModel(nn.Linear(4, 2), multi_avg_fn=get_ema_multi_avg_fn(0.99))
    """
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _):
        with ember.no_grad():
            for ema, current in zip(ema_param_list, current_param_list):
                if ema.is_floating_point():
                    ema.lerp_(current, 1 - decay)
                else:
                    ema.copy_(ema * decay + current * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn():
    """The running average of lists of tensors, in place, as
    torch.optim.swa_utils.get_swa_multi_avg_fn (floating tensors by ``lerp_`` with weight
    ``1 / (num_averaged + 1)``).

    Returns:
        A function (averaged list, current list, num_averaged) -> None.

    Example::

        >>> swa_model = AveragedModel(nn.Linear(4, 2), multi_avg_fn=get_swa_multi_avg_fn())
    """
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        with ember.no_grad():
            for averaged, current in zip(averaged_param_list, current_param_list):
                if averaged.is_floating_point():
                    averaged.lerp_(current, 1 / (num_averaged + 1))
                else:
                    averaged.add_((current - averaged) / (num_averaged + 1))

    return swa_update


class AveragedModel(Module):
    """A copy of a model whose weights are the average of the model's over training, as
    torch.optim.swa_utils.AveragedModel: Stochastic Weight Averaging by default (the equal-weight
    mean of the weights given to ``update_parameters``), or any average (an EMA with
    ``multi_avg_fn=get_ema_multi_avg_fn(decay)``). Calling it runs the copy.

    Args:
        model (Module): the model to average; it is deep-copied.
        device (str or ember.device, optional): where the copy lives. Default: the model's.
        avg_fn (callable, optional): (averaged, current, num_averaged) -> new average, per tensor.
        multi_avg_fn (callable, optional): (averaged list, current list, num_averaged), updating
            in place (give avg_fn or multi_avg_fn, not both). Default: the running mean.
        use_buffers (bool, optional): average the buffers too (batch-norm statistics) instead of
            copying the model's. Default: False.

    Attributes:
        module (Module): the averaged copy.
        n_averaged (Tensor): an int64 buffer, how many models were averaged.

    Example::

        >>> model = nn.Linear(3, 1)
        >>> swa_model = AveragedModel(model)
        >>> for _ in range(3):
        ...     with ember.no_grad():
        ...         _ = model.weight.add_(1.0)
        ...     swa_model.update_parameters(model)
        >>> int(swa_model.n_averaged)
        3
        >>> ember.allclose(swa_model.module.weight, model.weight - 1)   # the mean of the three
        True
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", ember.tensor(0, dtype=ember.long))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        """Runs the averaged copy."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Averages ``model``'s current weights (and buffers, with use_buffers) into the copy; the
        first call copies them. Without use_buffers the copy's buffers are the model's.

        Args:
            model (Module): a model of the averaged one's structure.
        """
        def tensors(m):
            return itertools.chain(m.parameters(), m.buffers()) if self.use_buffers else m.parameters()

        averaged = [p.detach() for p in (tensors(self.module) if self.use_buffers else self.parameters())]
        current = [p.detach() for p in tensors(model)]
        with ember.no_grad():
            if int(self.n_averaged) == 0:
                for a, c in zip(averaged, current):
                    a.copy_(c)
            elif self.multi_avg_fn is not None:
                self.multi_avg_fn(averaged, current, self.n_averaged)
            else:
                avg_fn = self.avg_fn or get_swa_avg_fn()
                for a, c in zip(averaged, current):
                    a.copy_(avg_fn(a, c, self.n_averaged))
            if not self.use_buffers:  # the statistics follow the model's
                for b_avg, b_model in zip(self.module.buffers(), model.buffers()):
                    b_avg.detach().copy_(b_model.detach())
            self.n_averaged += 1


_BATCH_NORMS = (BatchNorm1d, BatchNorm2d, BatchNorm3d, SyncBatchNorm)


def update_bn(loader, model, device=None):
    """Recomputes the running statistics of every batch-norm layer of ``model`` with one pass
    over ``loader``, as torch.optim.swa_utils.update_bn: the averaged weights need statistics of
    their own. Each layer's statistics are reset and become the plain average over the batches
    (momentum None during the pass); the model's mode and the momenta are restored after.

    Args:
        loader (iterable): batches of inputs, or tuples/lists whose first element is the input.
        model (Module): the model (an AveragedModel, typically).
        device (str or ember.device, optional): where each input is moved first.

    Returns:
        None

    Example::

        >>> swa_model = AveragedModel(nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8)))
        >>> update_bn([ember.randn(16, 4) for _ in range(3)], swa_model)
        >>> int(swa_model.module[1].num_batches_tracked)
        3
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BATCH_NORMS):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for input in loader:
        if isinstance(input, (list, tuple)):
            input = input[0]
        if device is not None:
            input = input.to(device)
        model(input)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's rate from its current value to ``swa_lr`` over ``anneal_epochs``
    steps, then holds it, as torch.optim.swa_utils.SWALR: the rate of the averaging phase of SWA.
    Unlike ember's closed-form schedules it starts from whatever rate the group has when its
    phase begins (another schedule's, typically), as torch's does.

    Args:
        optimizer (Optimizer): the optimizer whose groups' rates are annealed.
        swa_lr (float or list of float): the final rate, for all groups or one per group.
        anneal_epochs (int, optional): the steps the annealing takes (0: at once). Default: 10.
        anneal_strategy (str, optional): 'cos' or 'linear'. Default: 'cos'.
        last_epoch (int, optional): the epoch to resume after. Default: -1.

    Raises:
        ValueError: a bad anneal_strategy, a negative anneal_epochs, or swa_lr's length is not the
            number of groups.

    Example::

        >>> opt = ember.optim.SGD(nn.Linear(2, 1).parameters(), lr=1.0)
        >>> swa_scheduler = SWALR(opt, swa_lr=0.1, anneal_epochs=2, anneal_strategy="linear")
        >>> for _ in range(3):
        ...     opt.step()
        ...     swa_scheduler.step()
        >>> [round(lr, 4) for lr in swa_scheduler.get_last_lr()]
        [0.1]
    """

    _reads_current_rate = True  # its rate starts from the group's, whoever set it

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        if isinstance(swa_lr, (list, tuple)):
            if len(swa_lr) != len(optimizer.param_groups):
                raise ValueError(f"swa_lr must have the same length as optimizer.param_groups. swa_lr has "
                                 f"{len(swa_lr)} values, param_groups has {len(optimizer.param_groups)}.")
            swa_lrs = list(swa_lr)
        else:
            swa_lrs = [swa_lr] * len(optimizer.param_groups)
        for rate, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = rate
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._anneal_strategy = anneal_strategy
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, t):
        """The fraction of the way to swa_lr at fraction t of the annealing."""
        return t if self._anneal_strategy == "linear" else (1 - math.cos(math.pi * t)) / 2

    def get_lr(self):
        """The rates of this step: the group's rate moved on along the annealing curve."""
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        rates = []
        for group in self.optimizer.param_groups:
            # the rate the annealing started from, recovered from the current one
            lr, swa_lr = group["lr"], group["swa_lr"]
            start = swa_lr if prev_alpha == 1 else (lr - prev_alpha * swa_lr) / (1 - prev_alpha)
            rates.append(swa_lr * alpha + start * (1 - alpha))
        return rates

"""The learning-rate range test (Smith, "Cyclical Learning Rates", 2017), which PyTorch does not
ship: train for a few hundred steps while the rate grows exponentially from start_lr to end_lr,
record the loss, and suggest the rate where the (smoothed) loss falls fastest.

    result = ember.optim.lr_finder.lr_range_test(model, optimizer, loss_fn, loader)
    optimizer.param_groups[0]["lr"] = result.suggestion

The model's parameters and the optimizer's state and rates are put back afterwards, so the
real training starts from where it was.
"""
import copy
import itertools
import math
from dataclasses import dataclass, field

from ember._C import Tensor
from ember.autograd.grad_mode import no_grad
from ember.optim.optimizer import Optimizer

__all__ = ["LRRangeTestResult", "lr_range_test"]


@dataclass
class LRRangeTestResult:
    """What :func:`lr_range_test` found; ``plot()`` draws the smoothed loss against the rate
    (needs matplotlib).

    Args:
        lrs (list of float): the rates tried, one per step.
        losses (list of float): the loss at each step.
        smoothed_losses (list of float): their bias-corrected exponential average.
        suggestion (float or None): the rate of steepest descent of the smoothed loss.
        diverged (bool): whether the sweep stopped early because the loss blew up.

    Example::

        >>> r = LRRangeTestResult(lrs=[0.1, 1.0], losses=[2.0, 1.0], smoothed_losses=[2.0, 1.5])
        >>> r.suggestion is None, r.diverged
        (True, False)
    """
    lrs: list = field(default_factory=list)
    losses: list = field(default_factory=list)
    smoothed_losses: list = field(default_factory=list)
    suggestion: float = None
    diverged: bool = False

    def plot(self, ax=None):
        """Smoothed loss against the rate on a log axis (needs matplotlib)."""
        import matplotlib.pyplot as plt  # optional: only this method needs it

        ax = ax or plt.gca()
        ax.plot(self.lrs, self.smoothed_losses)
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss (smoothed)")
        if self.suggestion is not None:
            ax.axvline(self.suggestion, linestyle="--")
        return ax


def _steepest_descent(lrs, losses, skip_start, skip_end):
    """The rate where d loss / d log(lr) is most negative (central differences), or None."""
    end = len(losses) - skip_end
    if end - skip_start < 3:
        return None
    best, best_slope = None, 0.0
    for i in range(max(skip_start, 1), end - 1):
        slope = (losses[i + 1] - losses[i - 1]) / (math.log(lrs[i + 1]) - math.log(lrs[i - 1]))
        if slope < best_slope:
            best, best_slope = lrs[i], slope
    return best


def lr_range_test(model, optimizer, loss_fn, batches, start_lr=1e-7, end_lr=10.0, num_iter=100, smooth=0.98,
                  diverge_threshold=5.0, skip_start=10, skip_end=5, restore=True):
    r"""The learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural Networks",
    2017): trains for up to ``num_iter`` steps while every group's rate grows geometrically from
    ``start_lr`` to ``end_lr``, :math:`\text{lr}_t = \text{start\_lr}\, (\text{end\_lr} /
    \text{start\_lr})^{t / (\text{num\_iter} - 1)}`, records the loss and its bias-corrected
    exponential average, and suggests the rate where the smoothed loss falls fastest (the most
    negative :math:`d\,\text{loss} / d \log \text{lr}`). ember's own; PyTorch has none.

    Each step computes ``loss_fn(model(input), target)``, backpropagates and steps the optimizer.
    The sweep stops early once the smoothed loss exceeds ``diverge_threshold`` times its best.
    With ``restore``, the model's parameters and the optimizer's state and rates are put back
    afterwards, so the real training starts from where it was.

    Args:
        model (callable): the model, usually an ember.nn.Module.
        optimizer (Optimizer): an ember.optim optimizer over the model's parameters.
        loss_fn (callable): ``loss_fn(output, target)`` returning a scalar tensor.
        batches (iterable): a non-empty iterable of (input, target) pairs, cycled as needed.
        start_lr (float, optional): the first rate, positive. Default: 1e-7.
        end_lr (float, optional): the last rate, above ``start_lr``. Default: 10.0.
        num_iter (int, optional): the number of steps, at least 2. Default: 100.
        smooth (float, optional): the weight of the running average, in [0, 1) (0 keeps the raw
            losses). Default: 0.98.
        diverge_threshold (float, optional): stop once the smoothed loss exceeds this multiple of
            its best, above 1. Default: 5.0.
        skip_start (int, optional): points left out at the start of the suggestion's search.
            Default: 10.
        skip_end (int, optional): points left out at the end. Default: 5.
        restore (bool, optional): put the model and the optimizer back. Default: True.

    Returns:
        LRRangeTestResult: the rates, the raw and smoothed losses, the suggestion (None when too
        few points remain) and whether the sweep diverged.

    Raises:
        TypeError: ``optimizer`` is not an ember.optim.Optimizer.
        ValueError: rates not with 0 < start_lr < end_lr < inf, ``num_iter`` below 2, ``smooth``
            out of [0, 1), ``diverge_threshold`` not above 1, a negative skip, or no batches.

    Example::

        >>> model = nn.Linear(3, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> x = ember.randn(64, 3)
        >>> y = x @ ember.tensor([[1.], [-2.], [0.5]])
        >>> result = lr_range_test(model, opt, nn.MSELoss(), [(x, y)], start_lr=1e-4, num_iter=100)
        >>> result.diverged, len(result.lrs) < 100    # it stopped once the loss blew up
        (True, True)
        >>> 0.01 < result.suggestion < 1
        True
        >>> opt.param_groups[0]["lr"]                  # the optimizer's rate is put back
        0.1
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"lr_range_test: {type(optimizer).__name__} is not an ember.optim.Optimizer")
    if not (0 < start_lr < end_lr < math.inf):
        raise ValueError(f"lr_range_test: expected 0 < start_lr < end_lr < inf, got {start_lr} and {end_lr}")
    if not isinstance(num_iter, int) or num_iter < 2:
        raise ValueError(f"lr_range_test: num_iter must be an integer of at least 2, got {num_iter}")
    if not 0 <= smooth < 1:
        raise ValueError(f"lr_range_test: smooth must be in [0, 1), got {smooth}")
    if not diverge_threshold > 1:  # NaN too
        raise ValueError(f"lr_range_test: diverge_threshold must be above 1, got {diverge_threshold}")
    for name, skip in (("skip_start", skip_start), ("skip_end", skip_end)):
        if not isinstance(skip, int) or skip < 0:
            raise ValueError(f"lr_range_test: {name} must be a non-negative integer, got {skip}")
    batches = list(batches)
    if not batches:
        raise ValueError("lr_range_test: batches is empty")
    saved_model = {k: v.clone() for k, v in model.state_dict().items()} if restore else None
    saved_optimizer = optimizer.state_dict() if restore else None
    saved_state = ({i: {k: v.clone() if isinstance(v, Tensor) else copy.deepcopy(v) for k, v in s.items()}
                    for i, s in saved_optimizer["state"].items()} if restore else None)

    result = LRRangeTestResult()
    ratio = (end_lr / start_lr) ** (1.0 / (num_iter - 1))
    average, best = 0.0, math.inf
    source = itertools.cycle(batches)
    try:
        for step in range(num_iter):
            lr = start_lr * ratio ** step
            for group in optimizer.param_groups:
                group["lr"] = lr
            x, y = next(source)
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            value = float(loss)
            average = smooth * average + (1 - smooth) * value
            smoothed = average / (1 - smooth ** (step + 1))  # bias-corrected, as Adam's moments
            result.lrs.append(lr)
            result.losses.append(value)
            result.smoothed_losses.append(smoothed)
            best = min(best, smoothed)
            if not math.isfinite(smoothed) or smoothed > diverge_threshold * best:
                result.diverged = True
                break
    finally:
        if restore:
            with no_grad():
                model.load_state_dict(saved_model)
            saved_optimizer["state"] = saved_state
            optimizer.load_state_dict(saved_optimizer)
            optimizer.zero_grad()
    result.suggestion = _steepest_descent(result.lrs, result.smoothed_losses, skip_start, skip_end)
    return result

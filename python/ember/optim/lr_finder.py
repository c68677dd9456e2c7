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
    """The rates tried, the losses seen (raw and exponentially smoothed) and the suggestion."""
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
    """Sweeps every group's rate geometrically from start_lr to end_lr over num_iter steps.

    batches: a non-empty iterable of (input, target) pairs, cycled as needed; each step computes
    loss_fn(model(input), target), backpropagates and steps the optimizer. smooth: the weight of
    the running average (0 keeps the raw losses). The sweep stops early once the smoothed loss
    exceeds diverge_threshold times its best. The suggestion is the rate of steepest descent of
    the smoothed loss, leaving out the first skip_start and last skip_end points."""
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

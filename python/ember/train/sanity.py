"""Sanity checks to run before a long training (Karpathy, "A Recipe for Training Neural Networks"):
the initial loss of a classifier is about -log(1/C), the model can drive the loss of one small
batch to nearly zero, and the learning rate comes from a range test (``lr_range_test``, the one
in :mod:`ember.optim.lr_finder`, re-exported here).
"""
import math
import warnings
from typing import NamedTuple

import ember
from ember.autograd.grad_mode import no_grad
from ember.nn import functional as F
from ember.optim.lr_finder import LRRangeTestResult, lr_range_test
from ember.train.monitor import TrainingWarning

__all__ = ["InitialLossCheck", "LRRangeTestResult", "check_initial_loss", "lr_range_test", "overfit_one_batch"]


class InitialLossCheck(NamedTuple):
    """What :func:`~ember.train.check_initial_loss` found.

    Args:
        loss (float): the mean loss of the untrained model.
        expected (float): :math:`-\\log(1/C) = \\log C`, the loss of uniform predictions.
        factor (float): ``loss / expected``.
        ok (bool): whether the factor is within the tolerance of 1.

    Example::

        >>> InitialLossCheck(2.4, 2.3, 2.4 / 2.3, True).ok
        True
    """
    loss: float
    expected: float
    factor: float
    ok: bool


def _is_batch(data):
    return isinstance(data, (tuple, list)) and len(data) == 2 and isinstance(data[0], ember.Tensor)


def check_initial_loss(model, loader_or_batch, num_classes, loss_fn=None, tolerance=0.25, max_batches=10):
    """Checks a classifier's loss before training: with small random weights its predictions are
    nearly uniform, so the mean cross-entropy should be close to :math:`-\\log(1/C) = \\log C`. A
    loss far above it means overconfident initial logits (too large an init or an output bias);
    far below it, a leak of the targets or a loss on the wrong scale. Warns
    (:class:`~ember.train.TrainingWarning`) with the factor when ``|loss / log C - 1| > tolerance``. Runs under
    ``no_grad`` in the model's current mode.

    Args:
        model (Module): the untrained classifier; ``model(inputs)`` gives logits (N, C, ...).
        loader_or_batch: one ``(inputs, targets)`` batch, or an iterable of them (a DataLoader).
        num_classes (int): C, at least 2.
        loss_fn (callable, optional): ``loss_fn(logits, targets)`` returning the mean loss.
            Default: ``F.cross_entropy``.
        tolerance (float, optional): the relative distance from log C that warns. Default: 0.25.
        max_batches (int, optional): the batches of a loader to average over; ``None`` for all.
            Default: 10.

    Returns:
        InitialLossCheck: (loss, expected, factor, ok).

    Raises:
        ValueError: ``num_classes`` is not an int of at least 2, or there is no batch.
        TypeError: a batch is not an ``(inputs, targets)`` pair.

    Example::

        >>> model = nn.Linear(8, 10)
        >>> with ember.no_grad():
        ...     _ = model.weight.mul_(0.01)
        >>> check = check_initial_loss(model, (ember.randn(64, 8), ember.randint(0, 10, (64,))), 10)
        >>> round(check.expected, 4), check.ok
        (2.3026, True)
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"check_initial_loss: num_classes must be an int of at least 2, got {num_classes!r}")
    loss_fn = loss_fn or F.cross_entropy
    batches = [loader_or_batch] if _is_batch(loader_or_batch) else loader_or_batch
    total, count = 0.0, 0
    with no_grad():
        for i, batch in enumerate(batches):
            if max_batches is not None and i >= max_batches:
                break
            if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
                raise TypeError("check_initial_loss: loader_or_batch must be an (inputs, targets) batch or an "
                                f"iterable of them, got batches of type {type(batch).__name__}")
            inputs, targets = batch
            n = len(targets)
            total += float(loss_fn(model(inputs), targets)) * n
            count += n
    if count == 0:
        raise ValueError("check_initial_loss: no batch to evaluate")
    loss = total / count
    expected = math.log(num_classes)
    factor = loss / expected
    ok = abs(factor - 1.0) <= tolerance
    if not ok:
        warnings.warn(f"check_initial_loss: the initial loss {loss:.4g} is {factor:.3g} times -log(1/{num_classes}) = "
                      f"{expected:.4g}; expected about 1x for an untrained classifier (check the initialization "
                      "and the output layer's bias)", TrainingWarning, stacklevel=2)
    return InitialLossCheck(loss, expected, factor, ok)


def overfit_one_batch(model, batch, loss_fn, optimizer=None, steps=200, target=0.01, lr=1e-2, restore=True):
    """Trains on a single batch to check that the model and loss can fit it: a healthy setup
    drives the loss to nearly zero within a few hundred steps; one that cannot has a bug (a
    detached graph, wrong targets, a too-small model, a frozen or zero learning rate). Stops at
    ``target``; warns (:class:`~ember.train.TrainingWarning`) with the best loss reached when it cannot.

    Args:
        model (Module): the model, put in training mode for the check.
        batch (tuple): ``(inputs, targets)``.
        loss_fn (callable): ``loss_fn(model(inputs), targets)`` returning a scalar loss.
        optimizer (Optimizer, optional): the optimizer to use; by default Adam at ``lr``.
        steps (int, optional): the most steps. Default: 200.
        target (float, optional): the loss that counts as near zero. Default: 0.01.
        lr (float, optional): Adam's rate when ``optimizer`` is None. Default: 1e-2.
        restore (bool, optional): put the model's parameters and buffers, its training mode and the
            optimizer's state back afterwards. Default: True.

    Returns:
        tuple: (reached, losses): whether the loss reached ``target``, and the loss at each step.

    Example::

        >>> model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
        >>> batch = (ember.randn(8, 4), ember.randint(0, 3, (8,)))
        >>> reached, losses = overfit_one_batch(model, batch, F.cross_entropy)
        >>> reached, losses[-1] <= 0.01 < losses[0]
        (True, True)
    """
    inputs, targets = batch
    optimizer = optimizer or ember.optim.Adam(model.parameters(), lr=lr)
    saved_model = {k: v.clone() for k, v in model.state_dict().items()} if restore else None
    saved_optimizer = optimizer.state_dict() if restore else None
    was_training = model.training
    model.train()
    losses = []
    try:
        for _ in range(steps):
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            losses.append(float(loss))
            if losses[-1] <= target or not math.isfinite(losses[-1]):
                break
            loss.backward()
            optimizer.step()
    finally:
        if restore:
            with no_grad():
                model.load_state_dict(saved_model)
            optimizer.load_state_dict(saved_optimizer)
        model.train(was_training)
    reached = bool(losses) and losses[-1] <= target
    if not reached:
        best = min(range(len(losses)), key=lambda i: losses[i]) if losses else None
        detail = (f"the loss went from {losses[0]:.4g} to {losses[-1]:.4g} (best {losses[best]:.4g} at step {best})"
                  if losses else "no step was taken")
        warnings.warn(f"overfit_one_batch: the loss did not reach {target:g} in {len(losses)} steps on one batch; "
                      f"{detail}. Check the learning rate, that the loss reaches the parameters (no detach), the "
                      "targets, and the model's capacity.", TrainingWarning, stacklevel=2)
    return reached, losses

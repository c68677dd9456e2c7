"""fit(): the optional training loop that runs a model, its optimizer and schedule, streaming
metrics and the callbacks of ember.train (EarlyStopping, Checkpoint, Monitor) for some epochs.

Each training step is exactly the hand-written one (zero_grad, forward, loss, backward, step), so
under the same seed fit's losses equal a plain loop's; what fit adds per batch is one
``loss.item()`` and the callbacks that ask for batches.
"""
import math
import sys

import numpy as np

import ember
from ember.optim import lr_scheduler as _sched
from ember.train.history import History
from ember.train.progress import progress as _progress_bar

__all__ = ["fit"]

# Schedules whose total_steps count batches: fit steps them after every batch.
_PER_BATCH = tuple(c for c in (getattr(_sched, "OneCycleLR", None), getattr(_sched, "CyclicLR", None)) if c)


def _progress(loader, desc, enabled):
    """A progress bar for loader's batches, advanced by hand (so it stays open for the epoch's
    metrics), or None when switched off."""
    if enabled is False or (enabled is None and not sys.stderr.isatty()):
        return None
    total = len(loader) if hasattr(loader, "__len__") else None
    return _progress_bar(total=total, desc=desc, disable=None if enabled is None else not enabled)


def _batch_size(y):
    return y.shape[0] if getattr(y, "ndim", 0) else 1


def _check_metrics(metrics):
    if metrics is None:
        return {}
    if not isinstance(metrics, dict):
        raise TypeError(f"fit: metrics must be a dict of name -> streaming metric (ember.metrics.Accuracy(), ...), "
                        f"got {type(metrics).__name__}")
    for name, m in metrics.items():
        if not (hasattr(m, "update") and hasattr(m, "compute") and hasattr(m, "reset")):
            raise TypeError(f"fit: metrics[{name!r}] must have update, compute and reset (an ember.metrics class), "
                            f"got {m!r}")
    return metrics


def _value(name, metric):
    """A metric's compute() as the number fit logs; ValueError naming it when it is not one number."""
    value = metric.compute()
    numel = getattr(value, "numel", lambda: 1)() if not isinstance(value, np.ndarray) else value.size
    if numel != 1:
        shape = tuple(getattr(value, "shape", ()))
        raise ValueError(f"fit: metrics[{name!r}] ({metric!r}) computes a value of shape {shape}, but fit logs one "
                         f"number per metric (use an average, or compute it in your own loop)")
    return float(value)


def _evaluate(model, loss_fn, loader, metrics, bar_enabled, epoch):
    model.eval()
    total, count = 0.0, 0
    for m in metrics.values():
        m.reset()
    bar = _progress(loader, f"epoch {epoch} val", bar_enabled)
    with ember.no_grad():
        for x, y in loader:
            out = model(x)
            n = _batch_size(y)
            total += float(loss_fn(out, y)) * n
            count += n
            for m in metrics.values():
                m.update(y, out)
            if bar is not None:
                bar.update(1)
    logs = {"val_loss": total / count if count else math.nan}
    logs.update({f"val_{k}": _value(k, m) for k, m in metrics.items()})
    if bar is not None:
        bar.set_postfix(logs, refresh=True)
        bar.close()
    return logs


def fit(model, optimizer, loss_fn, train_loader, val_loader=None, epochs=1, scheduler=None, metrics=None,
        callbacks=(), *, initial_epoch=0, scheduler_step=None, train_metrics=True, progress=None, verbose=False):
    """Trains ``model`` for some epochs and returns its ``History``.

    Each batch ``(x, y)`` of ``train_loader`` runs ``optimizer.zero_grad()``, ``out = model(x)``,
    ``loss = loss_fn(out, y)``, ``loss.backward()``, ``optimizer.step()``, exactly as a
    hand-written loop does, so the losses are the same under the same seed. After each epoch
    ``val_loader`` (if any) is evaluated under ``ember.no_grad()`` with the model in eval mode.

    The scheduler steps once per epoch, except ``OneCycleLR`` and ``CyclicLR``, whose steps count
    batches: they step after every batch (give OneCycleLR ``total_steps=epochs *
    len(train_loader)``, or ``epochs`` and ``steps_per_epoch``). ``ReduceLROnPlateau`` steps with
    the epoch's ``val_loss`` (``loss`` without a validation loader). ``scheduler_step="batch"`` or
    ``"epoch"`` overrides the choice.

    Callbacks follow ember.train's protocol: ``on_train_begin(logs)`` (``logs`` holds ``model`` and
    ``initial_epoch``), ``on_epoch_end(epoch, logs)`` (a truthy return stops training:
    ``EarlyStopping``), ``on_train_end(logs)``, and ``on_train_batch_end(batch, logs)``
    (``Monitor``) where a callback has it, each only if defined. ``logs`` holds ``loss`` (the
    epoch's mean training loss), ``val_loss``, the metrics (``name`` on training batches,
    ``val_name``) and ``lr`` (the first group's rate during the epoch's last step).

    To resume a run, restore its state and continue from the epoch after the last one saved, as
    Keras's ``initial_epoch``: ``fit(..., epochs=10, initial_epoch=ckpt.resume(), callbacks=[stopper,
    ckpt])`` runs epochs ``initial_epoch .. 9``, numbered as in the first run (so Checkpoint names
    and prunes its files in order), and EarlyStopping keeps the state the checkpoint restored.

    Args:
        model (Module): the model.
        optimizer (Optimizer): its optimizer.
        loss_fn (callable): ``loss_fn(output, target)`` -> a 0-d loss tensor (a mean over the batch).
        train_loader (iterable): yields ``(input, target)`` batches (a ``DataLoader``).
        val_loader (iterable, optional): validation batches. Default: None.
        epochs (int): the index of the last epoch plus one (with ``initial_epoch=0``, the number of
            epochs). Default: 1.
        scheduler (LRScheduler, optional): a learning-rate schedule of ``optimizer``. Default: None.
        metrics (dict, optional): name -> a streaming metric of ``ember.metrics`` (``Accuracy()``,
            ``F1Score(average="macro")``, ...), updated with ``(target, output)``. Default: None.
        callbacks (sequence): objects following the callback protocol. Default: ().
        initial_epoch (int): the first epoch's index, to resume a run (0 <= initial_epoch <= epochs).
            Default: 0.
        scheduler_step (str, optional): ``"batch"`` or ``"epoch"``; default: chosen by the schedule.
        train_metrics (bool): also compute the metrics on training batches (with the outputs the
            training step computed, in train mode). Default: True.
        progress (bool, optional): a progress bar per epoch (``ember.train.progress``: tqdm's when
            installed); None: only when stderr is a terminal. Default: None.
        verbose (bool): print one line per epoch. Default: False.

    Returns:
        History: per-epoch records (``history.epochs["val_loss"]``, one entry per epoch run) and
        per-step ones (``history.steps``: loss and lr of every batch).

    Raises:
        ValueError: epochs < 1, initial_epoch outside [0, epochs], an unknown ``scheduler_step``, an
            empty training loader, or a metric whose value is not one number.
        TypeError: metrics that are not streaming metrics.

    Example::

        >>> _ = ember.manual_seed(0)
        >>> x = ember.randn(64, 4); y = (x[:, 0] > -0.5).long() + (x[:, 1] > 0.5).long()
        >>> loader = ember.data.DataLoader(ember.data.TensorDataset(x, y), batch_size=16)
        >>> model = ember.nn.Linear(4, 3)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.5)
        >>> history = fit(model, opt, ember.nn.functional.cross_entropy, loader, loader, epochs=8,
        ...               metrics={"acc": ember.metrics.Accuracy()})
        >>> len(history.epochs["loss"]), history.epochs["val_acc"][-1] > 0.8
        (8, True)
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be an int >= 1, got {epochs!r}")
    if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, int) or not 0 <= initial_epoch <= epochs:
        raise ValueError(f"fit: initial_epoch must be an int in [0, epochs={epochs}], got {initial_epoch!r}")
    if scheduler_step not in (None, "batch", "epoch"):
        raise ValueError(f"fit: scheduler_step must be 'batch', 'epoch' or None, got {scheduler_step!r}")
    metrics = _check_metrics(metrics)
    plateau = isinstance(scheduler, _sched.ReduceLROnPlateau)
    per_batch = scheduler is not None and (scheduler_step == "batch" if scheduler_step else
                                           isinstance(scheduler, _PER_BATCH))
    batch_callbacks = [c for c in callbacks if hasattr(c, "on_train_batch_end")]
    history = History()
    for c in callbacks:
        if hasattr(c, "on_train_begin"):
            c.on_train_begin({"model": model, "initial_epoch": initial_epoch})
    logs = {}
    for epoch in range(initial_epoch, epochs):
        model.train()
        for m in metrics.values():
            m.reset()
        total, count = 0.0, 0
        bar = _progress(train_loader, f"epoch {epoch}", progress)
        for batch, (x, y) in enumerate(train_loader):
            optimizer.zero_grad()
            out = model(x)
            loss = loss_fn(out, y)
            loss.backward()
            optimizer.step()
            lr = optimizer.param_groups[0]["lr"]
            if per_batch:
                scheduler.step()
            value = loss.item()
            n = _batch_size(y)
            total += value * n
            count += n
            history.log(loss=value, lr=lr)
            if train_metrics:
                for m in metrics.values():
                    m.update(y, out.detach())
            for c in batch_callbacks:
                c.on_train_batch_end(batch, {"loss": loss})
            if bar is not None:
                bar.set_postfix(loss=f"{total / count:.4f}", refresh=False)
                bar.update(1)
        if count == 0:
            raise ValueError("fit: train_loader yielded no batches")
        logs = {"loss": total / count}
        if train_metrics:
            logs.update({k: _value(k, m) for k, m in metrics.items()})
        if bar is not None:  # the epoch's line ends with its training metrics
            bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()}, refresh=True)
            bar.close()
        if val_loader is not None:
            logs.update(_evaluate(model, loss_fn, val_loader, metrics, progress, epoch))
        logs["lr"] = lr
        if scheduler is not None and not per_batch:
            if plateau:
                scheduler.step(logs.get("val_loss", logs["loss"]))
            else:
                scheduler.step()
        history.end_epoch(**logs)
        if verbose:
            print("  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in logs.items()))
        stop = False
        for c in callbacks:
            if hasattr(c, "on_epoch_end") and c.on_epoch_end(epoch, logs):
                stop = True
        if stop:
            break
    for c in callbacks:
        if hasattr(c, "on_train_end"):
            c.on_train_end(logs)
    return history

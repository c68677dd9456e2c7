"""The callback protocol of a training loop, and EarlyStopping.

A callback is any object with some of these methods; a loop calls the ones it has:

- ``on_train_begin(logs)`` once before the first epoch,
- ``on_epoch_end(epoch, logs)`` after each epoch with that epoch's values (``{"loss": ...,
  "val_loss": ...}``); a truthy return asks the loop to stop,
- ``on_train_end(logs)`` once after the last epoch.

``Callback`` is a base class with all three doing nothing; subclass it or not.
"""
import copy
import math

__all__ = ["Callback", "EarlyStopping"]


class Callback:
    """The callback protocol with every hook doing nothing: override the ones you need.

    A loop calls ``on_train_begin(logs)`` once, ``on_epoch_end(epoch, logs)`` after each epoch
    (``logs`` maps names such as ``"val_loss"`` to numbers; a truthy return stops the loop) and
    ``on_train_end(logs)`` at the end.

    Example::

        >>> class Printer(Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         print(epoch, logs["loss"])
        >>> Printer().on_epoch_end(0, {"loss": 0.5})
        0 0.5
    """

    def on_train_begin(self, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        return False

    def on_train_end(self, logs=None):
        pass


def _mode_check(owner, mode, monitor):
    if mode not in ("min", "max"):
        raise ValueError(f"{owner}: mode must be 'min' or 'max', got {mode!r}")
    if not isinstance(monitor, str):
        raise TypeError(f"{owner}: monitor must be a str (a key of the logs), got {type(monitor).__name__}")


def _is_better(value, best, mode, min_delta=0.0):
    """Whether value improves on best by more than min_delta (best None: always)."""
    if best is None:
        return True
    return value < best - min_delta if mode == "min" else value > best + min_delta


def _as_number(owner, value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{owner}: the monitored value must be a number, got {type(value).__name__}")
    return float(value)


class EarlyStopping(Callback):
    """Stops training when a monitored value has not improved for ``patience`` epochs.

    From a plain loop call ``step(value, model)`` once per epoch: it returns True when the loop
    should stop. As a callback, ``on_epoch_end(epoch, logs)`` reads ``logs[monitor]`` and does
    the same. A NaN value never counts as an improvement.

    Args:
        monitor (str): the key of the logs to watch (callback use). Default: ``"val_loss"``.
        mode (str): ``"min"`` (lower is better) or ``"max"``. Default: ``"min"``.
        patience (int): the number of epochs without improvement after which to stop (0 and 1
            both stop at the first one, as Keras'). Default: ``0``.
        min_delta (float): the least change that counts as an improvement. Default: ``0.0``.
        restore_best_weights (bool): keep a copy of the best epoch's ``state_dict`` (in memory)
            and load it back into the model when stopping (and at ``on_train_end``).
            Default: ``False``.
        baseline (float, optional): a value the monitored one must beat; until it does, epochs
            count as without improvement. Default: ``None``.
        model (Module, optional): the model whose weights to restore (callback use; ``step``
            takes it as an argument too). Default: ``None``.

    Attributes:
        best (float or None), best_epoch (int), wait (int): epochs since the best,
        stopped_epoch (int or None), should_stop (bool).

    Example::

        >>> stopper = EarlyStopping(patience=2)
        >>> [stopper.step(v) for v in [3.0, 2.0, 2.5, 2.4]]
        [False, False, False, True]
        >>> stopper.best, stopper.best_epoch
        (2.0, 1)
    """

    def __init__(self, monitor="val_loss", mode="min", patience=0, min_delta=0.0, restore_best_weights=False,
                 baseline=None, model=None):
        _mode_check("EarlyStopping", mode, monitor)
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an int >= 0, got {patience!r}")
        if not isinstance(min_delta, (int, float)) or not min_delta >= 0:
            raise ValueError(f"EarlyStopping: min_delta must be a number >= 0, got {min_delta!r}")
        self.monitor, self.mode, self.patience, self.min_delta = monitor, mode, patience, float(min_delta)
        self.restore_best_weights, self.baseline, self.model = restore_best_weights, baseline, model
        self.reset()

    def reset(self):
        """Forgets the history: the next ``step`` is epoch 0 again.

        Example::

            >>> s = EarlyStopping()
            >>> s.step(1.0), s.step(2.0)
            (False, True)
            >>> s.reset(); s.step(2.0)
            False
        """
        self.best, self.best_epoch, self.wait, self.epoch = None, -1, 0, -1
        self.stopped_epoch, self.should_stop, self.best_state = None, False, None

    def step(self, value, model=None):
        """Records one epoch's value; returns True when training should stop.

        Args:
            value (float or 0-d Tensor): this epoch's monitored value.
            model (Module, optional): with ``restore_best_weights``, the model to copy the best
                weights from and restore them into. Default: the one given to the constructor.

        Returns:
            bool: whether to stop now.

        Example::

            >>> s = EarlyStopping(mode="max", patience=2, min_delta=0.01)
            >>> [s.step(a) for a in [0.5, 0.505, 0.6, 0.6, 0.6]]
            [False, False, False, False, True]
        """
        value = _as_number("EarlyStopping", value)
        model = model if model is not None else self.model
        if self.restore_best_weights and model is None:
            raise ValueError("EarlyStopping: restore_best_weights needs the model (step(value, model) or model=)")
        self.epoch += 1
        beats_baseline = self.baseline is None or _is_better(value, self.baseline, self.mode)
        if not math.isnan(value) and beats_baseline and _is_better(value, self.best, self.mode, self.min_delta):
            self.best, self.best_epoch, self.wait = value, self.epoch, 0
            if self.restore_best_weights:
                self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            return self.should_stop
        self.wait += 1
        if self.wait >= self.patience and not self.should_stop:  # Keras' and Lightning's count
            self.should_stop, self.stopped_epoch = True, self.epoch
            self.restore(model)
        return self.should_stop

    def restore(self, model=None):
        """Loads the best weights seen into the model (with ``restore_best_weights``; else nothing).

        Args:
            model (Module, optional): default: the one given to the constructor.

        Example::

            >>> m = ember.nn.Linear(2, 1)
            >>> s = EarlyStopping(restore_best_weights=True, model=m)
            >>> s.step(1.0)
            False
            >>> with ember.no_grad():
            ...     _ = m.weight.fill_(5.0)
            >>> s.restore(); float(m.weight.max()) < 5
            True
        """
        model = model if model is not None else self.model
        if self.best_state is not None and model is not None:
            model.load_state_dict(copy.copy(self.best_state))

    def on_train_begin(self, logs=None):
        logs = logs or {}
        if self.model is None:
            self.model = logs.get("model")  # fit's model: restore_best_weights needs no model= there
        if not logs.get("initial_epoch"):  # a resumed run keeps the state its checkpoint restored
            self.reset()

    def on_epoch_end(self, epoch, logs=None):
        if not logs or self.monitor not in logs:
            raise KeyError(f"EarlyStopping: the logs have no {self.monitor!r} (they have {sorted(logs or {})})")
        return self.step(logs[self.monitor])

    def on_train_end(self, logs=None):
        if self.restore_best_weights and not self.should_stop:
            self.restore()

    def state_dict(self):
        """The stopper's counters and, with ``restore_best_weights``, the best weights (for
        Checkpoint: a resumed run restores the same best weights).

        Returns:
            dict: best, best_epoch, wait, epoch, stopped_epoch, should_stop, best_state.

        Example::

            >>> s = EarlyStopping(); _ = s.step(1.0); s.state_dict()["best"]
            1.0
        """
        return {k: getattr(self, k) for k in ("best", "best_epoch", "wait", "epoch", "stopped_epoch", "should_stop",
                                              "best_state")}

    def load_state_dict(self, state_dict):
        """Restores the counters from ``state_dict``.

        Args:
            state_dict (dict): what ``state_dict`` gave.

        Example::

            >>> s = EarlyStopping(); s.load_state_dict({"best": 0.5, "wait": 2}); s.best
            0.5
        """
        for k, v in state_dict.items():
            setattr(self, k, v)

"""History: per-step and per-epoch records of a run, written as CSV and drawn as PNG curves."""
import csv
import math
import os

from ember.train.callbacks import Callback, _as_number

__all__ = ["History"]

_ACCURACY_NAMES = ("acc", "accuracy")


def _pyplot():
    """matplotlib.pyplot on a file-only backend, or an ImportError saying how to get it."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError("History.plot needs matplotlib, an optional dependency: pip install matplotlib "
                          "(or pip install 'ember[plot]')") from None
    matplotlib.use("Agg", force=False)  # files only; a backend the user chose stays
    import matplotlib.pyplot as plt
    return plt


def _number(value):
    return _as_number("History", value) if hasattr(value, "item") or isinstance(value, (int, float)) else value


class History(Callback):
    """Records a run: values per step (``log``) and per epoch (``end_epoch``).

    ``log(step=None, **values)`` appends one step's values (loss, lr, batch metrics) to
    ``steps``; ``end_epoch(**values)`` closes the epoch: each given value, and for each value
    logged during the epoch but not given, the mean of its steps, is appended to
    ``epochs[name]`` (a dict of lists, one entry per epoch; a name missing in an epoch gets
    NaN, so every list has one entry per epoch). As a callback, ``on_epoch_end(epoch, logs)``
    calls ``end_epoch(**logs)``.

    Names starting with ``val_`` are the validation curve of the name without it: ``plot``
    draws ``loss`` and ``val_loss`` on one figure.

    Example::

        >>> h = History()
        >>> for epoch in range(2):
        ...     for step in range(3):
        ...         h.log(loss=1.0 / (1 + step + 3 * epoch), lr=0.1)
        ...     _ = h.end_epoch(val_loss=0.5 - 0.1 * epoch, val_accuracy=0.8 + 0.1 * epoch)
        >>> [round(v, 3) for v in h.epochs["loss"]], h.epochs["val_loss"], h.epochs["lr"]
        ([0.611, 0.206], [0.5, 0.4], [0.1, 0.1])
        >>> len(h.steps), h.steps[-1]["step"], h.steps[-1]["epoch"]
        (6, 5, 1)
    """

    def __init__(self):
        self.steps, self.epochs, self.epoch = [], {}, 0
        self._epoch_start = 0

    def log(self, step=None, **values):
        """Records one step's values (tensors of one element become floats).

        Args:
            step (int, optional): the global step. Default: one more than the last.
            **values: the step's numbers, e.g. ``loss=0.3, lr=1e-3``.

        Example::

            >>> h = History(); h.log(loss=0.5); h.log(step=10, loss=0.25); [s["step"] for s in h.steps]
            [0, 10]
        """
        if step is None:
            step = self.steps[-1]["step"] + 1 if self.steps else 0
        self.steps.append({"step": int(step), "epoch": self.epoch, **{k: _number(v) for k, v in values.items()}})

    def end_epoch(self, **values):
        """Closes the epoch: records its values and the means of the values logged in its steps.

        Args:
            **values: the epoch's numbers, e.g. ``val_loss=0.2, val_accuracy=0.9``.

        Returns:
            dict: the epoch's record (the given values and the step means).

        Example::

            >>> h = History(); h.log(loss=1.0); h.log(loss=3.0); h.end_epoch(val_loss=1.5)
            {'loss': 2.0, 'val_loss': 1.5}
        """
        record = {}
        for row in self.steps[self._epoch_start:]:
            for k, v in row.items():
                if k not in ("step", "epoch") and isinstance(v, (int, float)):
                    record.setdefault(k, []).append(v)
        # a constant (an lr held over the epoch) stays exact; fsum/len would give 0.10000000000000002
        record = {k: v[0] if min(v) == max(v) else math.fsum(v) / len(v) for k, v in record.items()}
        record.update({k: _number(v) for k, v in values.items()})
        for k in record.keys() - self.epochs.keys():
            self.epochs[k] = [math.nan] * self.epoch
        for k, column in self.epochs.items():
            column.append(record.get(k, math.nan))
        self.epoch += 1
        self._epoch_start = len(self.steps)
        return record

    def on_epoch_end(self, epoch, logs=None):
        self.end_epoch(**(logs or {}))
        return False

    def to_csv(self, path, per="epoch"):
        """Writes the epochs (one row each, a column per name) or the steps as CSV.

        Args:
            path (str or PathLike): the file.
            per (str): ``"epoch"`` or ``"step"``. Default: ``"epoch"``.

        Returns:
            str: the path.

        Example::

            >>> import tempfile
            >>> h = History(); _ = h.end_epoch(loss=0.5)
            >>> p = h.to_csv(os.path.join(tempfile.mkdtemp(), "h.csv")); open(p).read().split()
            ['epoch,loss', '0,0.5']
        """
        if per == "epoch":
            names = sorted(self.epochs)
            rows = [{"epoch": i, **{k: self.epochs[k][i] for k in names}} for i in range(self.epoch)]
            header = ["epoch", *names]
        elif per == "step":
            header = ["step", "epoch", *sorted({k for row in self.steps for k in row} - {"step", "epoch"})]
            rows = self.steps
        else:
            raise ValueError(f"History.to_csv: per must be 'epoch' or 'step', got {per!r}")
        path = os.fspath(path)
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header, restval="")
            writer.writeheader()
            writer.writerows(rows)
        return path

    def plot(self, directory, roc=None, pr=None):
        """Draws each epoch curve (train and ``val_`` together: loss.png, accuracy.png, lr.png, ...)
        and, when given, ROC and precision-recall curves, as PNG files. Needs matplotlib.

        Args:
            directory (str or PathLike): where to write (created when missing).
            roc (tuple or dict, optional): ``(fpr, tpr)`` (as ``ember.metrics.roc_curve`` or
                scikit-learn's give, thresholds may follow), or a dict of label to such a pair.
            pr (tuple or dict, optional): ``(precision, recall)`` likewise.

        Returns:
            list of str: the files written.

        Raises:
            ImportError: naming ``pip install matplotlib`` when it is not installed.

        Example::

            >>> import tempfile
            >>> h = History(); _ = h.end_epoch(loss=1.0, val_loss=1.2); _ = h.end_epoch(loss=0.5, val_loss=0.7)
            >>> [os.path.basename(p) for p in h.plot(tempfile.mkdtemp())]  # doctest: +SKIP
            ['loss.png']
        """
        plt = _pyplot()
        directory = os.fspath(directory)
        os.makedirs(directory, exist_ok=True)
        written = []

        def save(fig, name):
            path = os.path.join(directory, name + ".png")
            fig.savefig(path, dpi=100, bbox_inches="tight")
            plt.close(fig)
            written.append(path)

        epochs = list(range(1, self.epoch + 1))
        bases = sorted({k.removeprefix("val_") for k in self.epochs})
        for base in bases:
            fig, ax = plt.subplots(figsize=(6, 4))
            for key, label in ((base, "train"), ("val_" + base, "validation")):
                if key in self.epochs:
                    ax.plot(epochs, self.epochs[key], marker="o", label=label)
            ax.set_xlabel("epoch")
            ax.set_ylabel(base)
            if base == "lr":
                ax.set_yscale("log")
            ax.legend()
            ax.grid(alpha=0.3)
            save(fig, "accuracy" if base in _ACCURACY_NAMES else base)
        for curves, name, xlabel, ylabel, diagonal in ((roc, "roc", "false positive rate", "true positive rate", True),
                                                       (pr, "pr", "recall", "precision", False)):
            if curves is None:
                continue
            if not isinstance(curves, dict):
                curves = {"": curves}
            fig, ax = plt.subplots(figsize=(5, 5))
            for label, pair in curves.items():
                if len(pair) < 2:
                    raise ValueError(f"History.plot: {name} must be a pair of arrays ({xlabel}, {ylabel}) or a dict of them")
                a, b = ([float(v) for v in (x.tolist() if hasattr(x, "tolist") else x)] for x in pair[:2])
                if len(a) != len(b):
                    raise ValueError(f"History.plot: {name}'s arrays differ in length ({len(a)} and {len(b)})")
                x, y = (a, b) if name == "roc" else (b, a)  # pr: (precision, recall) drawn as recall → precision
                ax.plot(x, y, label=label or None, drawstyle="steps-post" if name == "pr" else "default")
            if diagonal:
                ax.plot([0, 1], [0, 1], linestyle="--", color="gray", linewidth=1)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1.02)
            if any(curves):
                ax.legend()
            ax.grid(alpha=0.3)
            save(fig, name)
        return written

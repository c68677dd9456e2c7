"""Streaming metrics for epoch loops: update(...) per batch, compute() at the end, reset() for the
next epoch. Each keeps what its functional form needs (counts from the C++ kernels, or, for
AUROC, the scores) and compute() gives exactly what that form gives on the concatenated batches."""
import numpy as np

import ember
from ember import metrics as M
from ember.metrics._inputs import (Codes, _kernels, check_targets, label_value, labels_array, tensor,
                                   to_numpy)

# The one table of constructor arguments: name -> (accepts, what it must be).
_ARGS = {
    "top_k": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1, "a positive int"),
    "num_classes": (lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool) and v >= 1),
                    "None or a positive int"),
    "average": (lambda v: v in (None, "binary", "micro", "macro", "weighted"),
                "'binary', 'micro', 'macro', 'weighted' or None"),
    "roc_average": (lambda v: v in (None, "micro", "macro", "weighted"), "'micro', 'macro', 'weighted' or None"),
    "pos_label": (lambda v: isinstance(v, (bool, int, np.integer)), "an int or a bool"),
    "zero_division": (lambda v: v == "warn" or (isinstance(v, (int, float)) and not isinstance(v, bool)
                                                and (v in (0, 1) or np.isnan(v))), "'warn', 0.0, 1.0 or nan"),
    "normalize": (lambda v: v in (None, "true", "pred", "all"), "'true', 'pred', 'all' or None"),
    "multi_class": (lambda v: v in ("raise", "ovr"), "'raise' or 'ovr'"),
    "max_fpr": (lambda v: v is None or (isinstance(v, (int, float)) and 0 < v <= 1), "None or a float in (0, 1]"),
    "threshold": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1,
                  "a float in [0, 1]"),
}


def _labels_from(y_pred, op):
    """Predicted labels: y_pred itself, or the argmax of scores of shape (batch, num_classes)."""
    p = to_numpy(y_pred, op, "y_pred")
    return p.argmax(axis=1) if p.ndim == 2 and p.shape[1] > 1 else p


def _check_args(cls, **kwargs):
    for name, value in kwargs.items():
        accepts, what = _ARGS["roc_average" if cls == "AUROC" and name == "average" else name]
        if not accepts(value):
            raise ValueError(f"{cls}: {name} must be {what}, got {value!r}")


class Metric:
    """Base of the streaming metrics: update(...) per batch, compute() at the end of an epoch,
    reset() to start over. Subclasses define reset, update and compute.

    Example::

        >>> acc = ember.metrics.Accuracy()
        >>> acc.update(ember.tensor([0, 1, 1]), ember.tensor([0, 1, 0]))
        >>> acc.compute()
        0.6666666666666666
        >>> acc.reset()
    """

    def __init__(self):
        self.reset()

    def reset(self):
        """Forgets every batch seen."""
        raise NotImplementedError

    def update(self, *args, **kwargs):
        """Adds a batch."""
        raise NotImplementedError

    def compute(self):
        """The metric over every batch since the last reset."""
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._args.items())
        return f"{type(self).__name__}({args})"


class Accuracy(Metric):
    """Accuracy over batches: with top_k=1 and label predictions, accuracy_score of the
    concatenated batches; with scores of shape (batch, num_classes), top_k_accuracy_score (a hit
    when the true class, a column index, is among the top_k scores).

    A binary classifier's single score per sample (shape (batch,) or (batch, 1), values that are
    not all whole numbers) is thresholded: probabilities at ``threshold``, and logits (any value
    outside [0, 1]) through a sigmoid first, as torchmetrics' BinaryAccuracy does.

    Args:
        top_k (int): how many top-scored classes count as a hit (scores only). Default: 1.
        threshold (float): the probability from which a single score predicts class 1. Default: 0.5.

    Example::

        >>> acc = ember.metrics.Accuracy(top_k=2)
        >>> acc.update([0, 2], [[0.6, 0.3, 0.1], [0.5, 0.3, 0.2]])
        >>> acc.update([1], [[0.1, 0.8, 0.1]])
        >>> acc.compute()
        0.6666666666666666
    """

    def __init__(self, top_k=1, threshold=0.5):
        _check_args("Accuracy", top_k=top_k, threshold=threshold)
        self._args = {"top_k": top_k, "threshold": threshold}
        self.top_k, self.threshold = top_k, threshold
        super().__init__()

    def reset(self):
        self.correct, self.total = 0.0, 0.0

    def update(self, y_true, y_pred, sample_weight=None):
        """Adds a batch: true labels and either predicted labels (batch,) or scores (batch, classes).

        Args:
            y_true (array-like): true labels (class indices when y_pred holds scores).
            y_pred (array-like): predicted labels, or scores of shape (batch, num_classes).
            sample_weight (array-like, optional): a weight per sample.
        """
        op = "Accuracy.update"
        scores = to_numpy(y_pred, op, "y_pred")
        y_pred_was_labels = not (scores.ndim == 2 and scores.shape[1] >= 2)
        if scores.ndim == 2 and scores.shape[1] == 2:
            # Two-class scores (a binary classifier's logits): scikit-learn's top_k_accuracy_score refuses
            # them with binary labels. Top-1 is the top class (a tie goes to the later class, as that
            # function ranks them); top-2 holds both classes, so the predicted label is the true one.
            scores = (scores[:, 1] >= scores[:, 0]).astype(np.int64) if self.top_k == 1 else to_numpy(y_true, op, "y_true")
        if scores.ndim == 2 and scores.shape[1] > 1:
            t = to_numpy(y_true, op, "y_true")
            hits = M.top_k_accuracy_score(t, scores, k=self.top_k, normalize=False, sample_weight=sample_weight,
                                          labels=np.arange(scores.shape[1]))
            self.correct += hits
            self.total += len(t) if sample_weight is None else float(np.sum(to_numpy(sample_weight, op, "w")))
            return
        if scores.ndim == 2 and scores.shape[1] == 1:
            scores = scores[:, 0]
        if scores.dtype.kind == "f" and scores.size and not np.all(np.mod(scores, 1) == 0):
            # One score per sample: probabilities, or logits where any lies outside [0, 1].
            probs = 1 / (1 + np.exp(-scores.astype(np.float64))) if np.any((scores < 0) | (scores > 1)) else scores
            scores = (probs >= self.threshold).astype(np.int64)
        if self.top_k != 1 and y_pred_was_labels:
            raise ValueError(f"{op}: top_k={self.top_k} needs scores of shape (batch, num_classes), got y_pred of "
                             f"shape {scores.shape}")
        _, _, t, p, _ = check_targets(y_true, scores, op, sample_weight)
        w = M.sample_weight_array(sample_weight, len(t), op)
        matched, total = _kernels.match_count(tensor(t, np.int64), tensor(p, np.int64),
                                              None if w is None else tensor(w, np.float64), op)
        self.correct += matched
        self.total += total

    def compute(self):
        """The accuracy over the batches seen; NaN before any."""
        return self.correct / self.total if self.total else float("nan")


class _LabelCounts(Metric):
    """Per-label counts over batches: (tp, predicted, true) for each label seen (or for 0 ..
    num_classes - 1), the whole state precision_recall_fscore_support needs."""

    _beta = 1.0
    _metric = None  # the index into (precision, recall, f-score)

    def __init__(self, num_classes=None, average="binary", pos_label=1, zero_division="warn"):
        _check_args(type(self).__name__, num_classes=num_classes, average=average, pos_label=pos_label,
                    zero_division=zero_division)
        self._args = {"num_classes": num_classes, "average": average, "pos_label": pos_label,
                      "zero_division": zero_division}
        self.num_classes, self.average, self.pos_label, self.zero_division = (num_classes, average, pos_label,
                                                                              zero_division)
        super().__init__()

    def reset(self):
        self.labels = (np.arange(self.num_classes, dtype=np.int64) if self.num_classes
                       else np.zeros(0, dtype=np.int64))
        self.present = np.zeros(len(self.labels), dtype=bool)
        self.counts = np.zeros((3, len(self.labels)), dtype=np.int64)

    def update(self, y_true, y_pred):
        """Adds a batch of true and predicted labels.

        Args:
            y_true (array-like): true labels, shape (batch,).
            y_pred (array-like): predicted labels, shape (batch,), or scores of shape (batch,
                num_classes) whose argmax (column index) is the prediction.
        """
        op = f"{type(self).__name__}.update"
        _, present, t, p, _ = check_targets(y_true, _labels_from(y_pred, op), op)
        if self.num_classes is not None:
            if present[0] < 0 or present[-1] >= self.num_classes:
                raise ValueError(f"{op}: labels must be in [0, {self.num_classes}), got {present.tolist()}")
        elif not np.isin(present, self.labels).all():
            labels = np.union1d(self.labels, present)
            where = np.searchsorted(labels, self.labels)
            counts = np.zeros((3, len(labels)), dtype=np.int64)
            counts[:, where] = self.counts
            seen = np.zeros(len(labels), dtype=bool)
            seen[where] = self.present
            self.labels, self.counts, self.present = labels, counts, seen
        self.present[np.searchsorted(self.labels, present)] = True
        tp, pred, true = _kernels.class_counts(tensor(t, np.int64), tensor(p, np.int64), tensor(self.labels, np.int64),
                                               None, op)
        self.counts += np.stack([tp.numpy(), pred.numpy(), true.numpy()])

    def compute(self):
        """The metric over the batches seen, as the functional form on them concatenated (with
        labels=range(num_classes) when num_classes is given)."""
        op = f"{type(self).__name__}.compute"
        present = self.labels[self.present]
        if len(present) == 0:
            raise ValueError(f"{op}: no batch was added since the last reset")
        y_type = "multiclass" if len(present) > 2 else "binary"
        chosen = M._set_wise_labels(y_type, present, self.average, None if self.num_classes is None else self.labels,
                                    self.pos_label, op, Codes())
        where = np.searchsorted(self.labels, chosen)
        inside = (where < len(self.labels)) & (self.labels[np.minimum(where, len(self.labels) - 1)] == chosen)
        counts = np.zeros((3, len(chosen)), dtype=np.int64)
        counts[:, inside] = self.counts[:, where[inside]]
        warn_for = (("precision", "recall", "f-score")[self._metric],)
        result = M._prf_from_counts(*counts, beta=self._beta, average=self.average, warn_for=warn_for,
                                    zero_division=self.zero_division)
        return result[self._metric]


# The arguments Precision, Recall and F1Score share, in their docstrings.
_COUNT_ARGS = """average (str, optional): 'binary' (default), 'micro', 'macro', 'weighted' or None.
        pos_label (int or bool): the positive class when average='binary'. Default: 1."""


@M._doc(count_args=_COUNT_ARGS)
class Precision(_LabelCounts):
    """Precision over batches: precision_score of the concatenated batches.

    Args:
        num_classes (int, optional): labels are 0 .. num_classes - 1 (as labels=range(num_classes));
            None: the labels seen.
        {count_args}
        zero_division ("warn", 0.0, 1.0 or nan): the value of a 0/0 precision. Default: "warn".

    Example::

        >>> p = ember.metrics.Precision(average="macro")
        >>> p.update([0, 1, 2], [0, 2, 2])
        >>> p.update([1], [1])
        >>> p.compute()
        0.8333333333333334
    """

    _metric = 0


@M._doc(count_args=_COUNT_ARGS)
class Recall(_LabelCounts):
    """Recall over batches: recall_score of the concatenated batches.

    Args:
        num_classes (int, optional): labels are 0 .. num_classes - 1; None: the labels seen.
        {count_args}
        zero_division ("warn", 0.0, 1.0 or nan): the value of a 0/0 recall. Default: "warn".

    Example::

        >>> r = ember.metrics.Recall()
        >>> r.update([0, 1, 1], [0, 1, 0])
        >>> r.compute()
        0.5
    """

    _metric = 1


@M._doc(count_args=_COUNT_ARGS)
class F1Score(_LabelCounts):
    """F1 score over batches: f1_score of the concatenated batches.

    Args:
        num_classes (int, optional): labels are 0 .. num_classes - 1; None: the labels seen.
        {count_args}
        zero_division ("warn", 0.0, 1.0 or nan): the value of a 0/0 score. Default: "warn".

    Example::

        >>> f1 = ember.metrics.F1Score(num_classes=3, average="micro")
        >>> f1.update([0, 1, 2, 2], [0, 1, 1, 2])
        >>> f1.compute()
        0.75
    """

    _metric = 2


class ConfusionMatrix(Metric):
    """The confusion matrix over batches: confusion_matrix(..., labels=range(num_classes)) of the
    concatenated batches, counted in C++ per batch.

    Args:
        num_classes (int): labels are 0 .. num_classes - 1.
        normalize (str, optional): 'true', 'pred' or 'all', as confusion_matrix's.

    Example::

        >>> cm = ember.metrics.ConfusionMatrix(num_classes=2)
        >>> cm.update([0, 1, 1], [0, 1, 0])
        >>> cm.compute()
        tensor([[1, 0],
                [1, 1]])
    """

    def __init__(self, num_classes, normalize=None):
        _check_args("ConfusionMatrix", num_classes=num_classes, normalize=normalize)
        if num_classes is None:
            raise ValueError("ConfusionMatrix: num_classes must be a positive int, got None")
        self._args = {"num_classes": num_classes, "normalize": normalize}
        self.num_classes, self.normalize = num_classes, normalize
        super().__init__()

    def reset(self):
        self.counts = ember.zeros(self.num_classes, self.num_classes, dtype=ember.int64)

    def update(self, y_true, y_pred):
        """Adds a batch of true and predicted labels, all in [0, num_classes).

        Args:
            y_true (array-like): true labels, shape (batch,).
            y_pred (array-like): predicted labels, shape (batch,), or scores of shape (batch,
                num_classes) whose argmax is the prediction.
        """
        op = "ConfusionMatrix.update"
        _, present, t, p, _ = check_targets(y_true, _labels_from(y_pred, op), op)
        if present[0] < 0 or present[-1] >= self.num_classes:
            raise ValueError(f"{op}: labels must be in [0, {self.num_classes}), got {present.tolist()}")
        self.counts += _kernels.confusion_matrix(tensor(t, np.int64), tensor(p, np.int64),
                                                 tensor(np.arange(self.num_classes), np.int64), None, op)

    def compute(self):
        """The (num_classes, num_classes) matrix: int64 counts, float64 when normalized."""
        return M._normalize_confusion(self.counts.clone(), self.normalize)


class AUROC(Metric):
    """ROC AUC over batches: keeps the batches' labels and scores and gives roc_auc_score of
    them concatenated (its arguments as roc_auc_score's).

    Model outputs are taken as they come: scores of shape (batch, 1) are one score per sample; two
    columns (a binary classifier's logits or probabilities) rank samples by their difference, which
    orders them as class 1's probability does; with three or more columns, rows that are not
    probabilities summing to 1 (logits) go through a softmax first.

    Args:
        average (str, optional): multi-class: 'macro' (default), 'weighted', 'micro' or None.
        max_fpr (float, optional): binary only: the standardized partial AUC over [0, max_fpr].
        multi_class (str): 'ovr' for multi-class targets; 'raise' (default) raises for them.

    Example::

        >>> m = ember.metrics.AUROC()
        >>> m.update([0, 0], [0.1, 0.4])
        >>> m.update([1, 1], [0.35, 0.8])
        >>> m.compute()
        0.75
    """

    def __init__(self, average="macro", max_fpr=None, multi_class="raise"):
        _check_args("AUROC", average=average, max_fpr=max_fpr, multi_class=multi_class)
        self._args = {"average": average, "max_fpr": max_fpr, "multi_class": multi_class}
        super().__init__()

    def reset(self):
        self.targets, self.scores = [], []

    def update(self, y_true, y_score):
        """Adds a batch of true labels and scores.

        Args:
            y_true (array-like): true labels, shape (batch,).
            y_score (array-like): scores, shape (batch,) or (batch, num_classes).
        """
        op = "AUROC.update"
        t, s = to_numpy(y_true, op, "y_true"), to_numpy(y_score, op, "y_score")
        M.check_lengths(op, y_true=t, y_score=s)
        t = t[:, 0] if t.ndim == 2 and t.shape[1] == 1 else t
        if s.ndim == 2 and s.shape[1] == 1:
            s = s[:, 0]
        elif s.ndim == 2 and s.shape[1] == 2:
            s = s[:, 1] - s[:, 0]
        elif s.ndim == 2 and s.shape[1] > 2 and s.size and not (np.all((s >= 0) & (s <= 1)) and
                                                                np.allclose(s.sum(axis=1), 1)):
            e = np.exp(s - s.max(axis=1, keepdims=True))
            s = e / e.sum(axis=1, keepdims=True)
        if self.scores and s.shape[1:] != self.scores[0].shape[1:]:
            raise ValueError(f"{op}: y_score has shape {s.shape}, earlier batches {self.scores[0].shape}")
        self.targets.append(ember.from_numpy(np.array(t)))
        self.scores.append(ember.from_numpy(np.array(s)))

    def compute(self):
        """roc_auc_score of the batches seen."""
        if not self.scores:
            raise ValueError("AUROC.compute: no batch was added since the last reset")
        return M.roc_auc_score(ember.cat(self.targets), ember.cat(self.scores), **self._args)


class MeanMetric(Metric):
    """A (weighted) running mean, e.g. of per-batch losses.

    Example::

        >>> m = ember.metrics.MeanMetric()
        >>> m.update(2.0)
        >>> m.update(ember.tensor([4.0, 6.0]))
        >>> m.compute()
        4.0
    """

    def __init__(self):
        self._args = {}
        super().__init__()

    def reset(self):
        self.total, self.weight = 0.0, 0.0

    def update(self, value, weight=1.0):
        """Adds values (a number or every element of an array) with a weight each.

        Args:
            value (number or array-like): the values.
            weight (number or array-like): their weights, broadcast against value. Default: 1.0.
        """
        op = "MeanMetric.update"
        v = np.asarray(to_numpy(value, op, "value"), dtype=np.float64)
        w = np.asarray(to_numpy(weight, op, "weight"), dtype=np.float64)
        try:
            v, w = np.broadcast_arrays(v, w)
        except ValueError:
            raise ValueError(f"{op}: weight of shape {w.shape} does not broadcast to value of shape {v.shape}") from None
        self.total += float((v * w).sum())
        self.weight += float(w.sum())

    def compute(self):
        """The weighted mean of the values seen; NaN before any."""
        return self.total / self.weight if self.weight else float("nan")


__all__ = ["AUROC", "Accuracy", "ConfusionMatrix", "F1Score", "MeanMetric", "Metric", "Precision", "Recall"]

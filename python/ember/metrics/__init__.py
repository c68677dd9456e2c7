"""ember.metrics: scikit-learn's classification metrics (same names, arguments, defaults, return
values, warnings and exception types), computed in C++ (ember/train/metrics.h), and streaming
classes that accumulate them over batches (update, compute, reset).

Inputs are ember tensors, NumPy arrays or lists: labels bool or integer (or integral floats), or
strings in the functional label metrics and curves; multilabel-indicator targets ((n_samples,
n_labels) 0/1 matrices) in the functional ones too; scores float. Where scikit-learn returns arrays
these return ember tensors; where it returns scalars, Python floats. multi_class='ovo', and string
labels or multilabel targets in the streaming classes and top_k_accuracy_score, are not supported.
"""
import numpy as np

import ember
from ember.metrics._inputs import (UndefinedMetricWarning, _kernels, check_finite, check_lengths,
                                   check_pos_label, check_targets, column, is_strings, label_value, labels_array,
                                   labels_int64, sample_weight_array, tensor, to_numpy, type_of_target,
                                   unique, warn)

_AVERAGES = (None, "micro", "macro", "weighted", "samples")

# The arguments precision_score, recall_score, f1_score and fbeta_score share, in their docstrings.
_SCORE_ARGS = """y_true (array-like): true labels.
        y_pred (array-like): predicted labels.
        labels (array-like, optional): the labels to average over.
        pos_label (int or bool): the positive class when average='binary'. Default: 1.
        average (str, optional): 'binary' (default), 'micro', 'macro', 'weighted', 'samples'
            (multilabel targets) or None.
        sample_weight (array-like, optional): a weight per sample."""


def _doc(**parts):
    """Fills the {name} fields of a function's or class's docstring."""
    def fill(obj):
        obj.__doc__ = obj.__doc__.format(**parts)
        return obj
    return fill


def _score_array(y_score, op, name="y_score"):
    """Scores as float32 (kept: its sort keys are half as wide) or float64; ValueError when empty."""
    s = to_numpy(y_score, op, name)
    if s.ndim and s.shape[0] == 0:  # scikit-learn raises too (its curves with a broadcasting error)
        raise ValueError(f"{op}: Found array with 0 sample(s) (shape={s.shape}) while a minimum of 1 is required.")
    return s if s.dtype == np.float32 else s.astype(np.float64, copy=False)


def _check_zero_division(zero_division, op):
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if isinstance(zero_division, (int, float)) and not isinstance(zero_division, bool):
        if zero_division in (0, 1):
            return float(zero_division)
        if np.isnan(zero_division):
            return np.nan
    raise ValueError(f"{op}: zero_division must be 'warn', 0.0, 1.0 or np.nan, got {zero_division!r}")


# --------------------------------------------------------------------------------------------- #
# Label metrics                                                                                    #
# --------------------------------------------------------------------------------------------- #

def accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None):
    """The fraction (or, with normalize=False, the number) of samples whose predicted label equals
    the true one, as sklearn.metrics.accuracy_score.

    Args:
        y_true (Tensor, ndarray or list): true labels, shape (n_samples,).
        y_pred (Tensor, ndarray or list): predicted labels, shape (n_samples,).
        normalize (bool): the fraction when True, else the (weighted) count. Default: True.
        sample_weight (array-like, optional): a weight per sample.

    Returns:
        float: the accuracy.

    Example::

        >>> ember.metrics.accuracy_score([0, 1, 2, 3], [0, 2, 1, 3])
        0.5
        >>> ember.metrics.accuracy_score([0, 1, 2, 3], [0, 2, 1, 3], normalize=False)
        2.0
    """
    op = "accuracy_score"
    y_type, _, t, p, _ = check_targets(y_true, y_pred, op, sample_weight, functional=True)
    w = sample_weight_array(sample_weight, len(t), op)
    if y_type == "multilabel-indicator":  # subset accuracy: a sample counts when all its labels match
        t, p = np.zeros(len(t), np.int64), (t != p).any(axis=1).astype(np.int64)
    matched, total = _kernels.match_count(tensor(t, np.int64), tensor(p, np.int64),
                                          None if w is None else tensor(w, np.float64), op)
    if not normalize:
        return float(matched)
    if total == 0:
        raise ZeroDivisionError(f"{op}: Weights sum to zero, can't be normalized")
    return float(matched / total)


def confusion_matrix(y_true, y_pred, *, labels=None, sample_weight=None, normalize=None):
    """The confusion matrix C: C[i, j] counts the samples of true label labels[i] predicted as
    labels[j], as sklearn.metrics.confusion_matrix. Computed in one pass in C++.

    Args:
        y_true (array-like): true labels, shape (n_samples,).
        y_pred (array-like): predicted labels, shape (n_samples,).
        labels (array-like, optional): the labels that index the matrix, in this order; samples
            with other labels are left out. Default: the sorted labels of y_true and y_pred.
        sample_weight (array-like, optional): a weight per sample (integer weights give an int64
            matrix, float weights a float64 one).
        normalize (str, optional): 'true' (rows sum to 1), 'pred' (columns) or 'all'.

    Returns:
        Tensor: shape (n_labels, n_labels), int64 counts, or float64 when normalized or weighted.

    Example::

        >>> ember.metrics.confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
        tensor([[2, 0, 0],
                [0, 0, 1],
                [1, 0, 2]])
    """
    op = "confusion_matrix"
    if normalize not in ("true", "pred", "all", None):
        raise ValueError(f"{op}: normalize must be 'true', 'pred', 'all' or None, got {normalize!r}")
    y_type, present, t, p, codes = check_targets(y_true, y_pred, op, sample_weight, functional=True)
    if y_type == "multilabel-indicator":
        raise ValueError(f"{op}: {y_type} is not supported")
    if labels is None:
        labels = present
    else:
        labels = codes.codes(labels, op)
        if labels.size == 0:
            raise ValueError(f"{op}: 'labels' should contain at least one label.")
        if len(np.intersect1d(t, labels)) == 0:
            raise ValueError(f"{op}: At least one label specified must be in y_true")
    w = sample_weight_array(sample_weight, len(t), op, dtype=None)
    cm = _kernels.confusion_matrix(tensor(t, np.int64), tensor(p, np.int64), tensor(labels, np.int64),
                                   None if w is None else tensor(w, w.dtype), op)
    if cm.shape == (1, 1):
        warn("A single label was found in 'y_true' and 'y_pred'. For the confusion matrix to have the correct "
             "shape, use the 'labels' parameter to pass all known labels.", UserWarning)
    return _normalize_confusion(cm, normalize)


def _normalize_confusion(cm, normalize):
    """cm divided by its row sums, column sums or total (0 where that is 0), as scikit-learn's."""
    if normalize is None:
        return cm
    c = cm.numpy()
    with np.errstate(all="ignore"):
        if normalize == "true":
            c = c / c.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            c = c / c.sum(axis=0, keepdims=True)
        else:
            c = c / c.sum()
    return ember.from_numpy(np.nan_to_num(c))


def _prf_divide(numerator, denominator, metric, modifier, average, warn_for, zero_division):
    """numerator / denominator with zero_division's value (and the warning) where denominator is 0."""
    mask = denominator == 0
    result = numerator.astype(np.float64) / np.where(mask, 1, denominator).astype(np.float64)
    if not mask.any():
        return result
    result[mask] = _check_zero_division(zero_division, "precision_recall_fscore_support")
    if zero_division == "warn" and metric in warn_for:
        each, of = ("sample", "label") if average == "samples" else ("label", "sample")
        what = "due to" if result.shape[0] == 1 else f"in {each}s with"
        warn(f"{metric.capitalize()} is ill-defined and being set to 0.0 {what} no {modifier} {of}s. Use "
             "`zero_division` parameter to control this behavior.")
    return result


def _nanaverage(a, weights=None):
    if a.shape[0] == 0:
        return np.nan
    mask = np.isnan(a)
    if mask.all():
        return np.nan
    if weights is None:
        return np.nanmean(a)
    a, weights = a[~mask], np.asarray(weights)[~mask]
    try:
        return np.average(a, weights=weights)
    except ZeroDivisionError:
        return np.average(a)


def _set_wise_labels(y_type, present, average, labels, pos_label, op, codes):
    """The labels precision/recall/F average over (as codes): scikit-learn's _check_set_wise_labels."""
    if average not in _AVERAGES and average != "binary":
        raise ValueError(f"{op}: average has to be one of {_AVERAGES}")
    if average == "samples" and y_type != "multilabel-indicator":
        raise ValueError(f"{op}: Samplewise metrics are not available outside of multilabel classification.")
    if average == "binary":
        if y_type == "binary":
            pos = codes.code(pos_label, op)
            if pos not in present and len(present) >= 2:
                raise ValueError(f"{op}: pos_label={pos_label} is not a valid label. It should be one of "
                                 f"{codes.show(present)}")
            return np.array([pos], dtype=np.int64)
        raise ValueError(f"{op}: Target is {y_type} but average='binary'. Please choose another average setting, "
                         f"one of {[None, 'micro', 'macro', 'weighted']}.")
    if pos_label not in (None, 1):
        warn(f"Note that pos_label (set to {pos_label!r}) is ignored when average != 'binary' (got {average!r}). "
             "You may use labels=[pos_label] to specify a single positive class.", UserWarning)
    if labels is None:
        return present
    chosen = codes.codes(labels, op)
    if y_type == "multilabel-indicator" and len(chosen) and (chosen.max() >= len(present) or chosen.min() < 0):
        raise ValueError(f"{op}: All labels must be in [0, n labels) for multilabel targets. Got "
                         f"{chosen.max() if chosen.max() >= len(present) else chosen.min()}")
    return chosen


def _prf_from_counts(tp_sum, pred_sum, true_sum, *, beta, average, warn_for, zero_division, sample_weight=None):
    """precision, recall, F-beta and support from per-label counts (NumPy arrays; per-sample counts
    for average='samples', averaged with sample_weight): the part of precision_recall_fscore_support
    that the streaming classes share."""
    if average == "micro":
        tp_sum, pred_sum, true_sum = (np.array([x.sum()]) for x in (tp_sum, pred_sum, true_sum))
    beta2 = beta ** 2
    precision = _prf_divide(tp_sum, pred_sum, "precision", "predicted", average, warn_for, zero_division)
    recall = _prf_divide(tp_sum, true_sum, "recall", "true", average, warn_for, zero_division)
    if np.isposinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        denom = beta2 * true_sum.astype(np.float64) + pred_sum.astype(np.float64)
        f_score = _prf_divide((1 + beta2) * tp_sum.astype(np.float64), denom, "f-score", "true nor predicted",
                              average, warn_for, zero_division)
    if average is not None:
        weights = true_sum if average == "weighted" else sample_weight if average == "samples" else None
        return (float(_nanaverage(precision, weights)), float(_nanaverage(recall, weights)),
                float(_nanaverage(f_score, weights)), None)
    return (ember.from_numpy(precision), ember.from_numpy(recall), ember.from_numpy(f_score),
            ember.from_numpy(np.ascontiguousarray(true_sum)))


def _check_prf_args(beta, zero_division, op):
    _check_zero_division(zero_division, op)
    if not isinstance(beta, (int, float)) or isinstance(beta, bool) or not beta >= 0:
        raise ValueError(f"{op}: beta must be a float in the range [0.0, inf], got {beta!r}")


def precision_recall_fscore_support(y_true, y_pred, *, beta=1.0, labels=None, pos_label=1, average=None,
                                    warn_for=("precision", "recall", "f-score"), sample_weight=None,
                                    zero_division="warn"):
    """Precision, recall, F-beta score and support for each class, or averaged, as
    sklearn.metrics.precision_recall_fscore_support. The per-class counts take one pass in C++.

    Precision is tp / (tp + fp), recall tp / (tp + fn), F-beta their weighted harmonic mean
    (1 + beta^2) tp / ((1 + beta^2) tp + beta^2 fn + fp), support the number of true samples.

    Args:
        y_true (array-like): true labels, shape (n_samples,).
        y_pred (array-like): predicted labels, shape (n_samples,).
        beta (float): the weight of recall in the F score. Default: 1.0.
        labels (array-like, optional): the labels to report (and average over), in this order.
        pos_label (int or bool): the positive class when average='binary'. Default: 1.
        average (str, optional): None (per class), 'binary' (pos_label's scores), 'micro' (global
            counts), 'macro' (unweighted mean over labels) or 'weighted' (mean weighted by support).
        warn_for (tuple): the metrics that warn when ill-defined.
        sample_weight (array-like, optional): a weight per sample.
        zero_division ("warn", 0.0, 1.0 or nan): the value of a 0/0 metric; "warn" gives 0.0 and
            an UndefinedMetricWarning.

    Returns:
        tuple: (precision, recall, fbeta_score, support): float64 tensors of shape (n_labels,)
        (support int64 without weights) when average is None, else three floats and None.

    Example::

        >>> p, r, f, s = ember.metrics.precision_recall_fscore_support([0, 1, 1, 2], [0, 1, 2, 2])
        >>> p
        tensor([1.0000, 1.0000, 0.5000], dtype=ember.float64)
        >>> s
        tensor([1, 2, 1])
        >>> ember.metrics.precision_recall_fscore_support([0, 1, 1, 2], [0, 1, 2, 2], average="macro")
        (0.8333333333333334, 0.8333333333333334, 0.7777777777777777, None)
    """
    return _prfs("precision_recall_fscore_support", y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label,
                 average=average, warn_for=warn_for, sample_weight=sample_weight, zero_division=zero_division)


def _prfs(op, y_true, y_pred, *, beta, labels, pos_label, average, warn_for, sample_weight, zero_division):
    """precision_recall_fscore_support, its errors starting with op (the public name called)."""
    _check_prf_args(beta, zero_division, op)
    y_type, present, t, p, codes = check_targets(y_true, y_pred, op, sample_weight, functional=True)
    labels = _set_wise_labels(y_type, present, average, labels, pos_label, op, codes)
    w = sample_weight_array(sample_weight, len(t), op)
    if y_type == "multilabel-indicator":
        t, p = t[:, labels], p[:, labels]
        if average == "samples":  # per-sample counts, averaged with the sample weights
            counts = ((t & p).sum(axis=1), p.sum(axis=1), t.sum(axis=1))
        else:
            ww = np.ones(len(t)) if w is None else w
            counts = tuple(ww @ m for m in (t & p, p, t))
            counts = counts if w is not None else tuple(c.astype(np.int64) for c in counts)
        return _prf_from_counts(*counts, beta=beta, average=average, warn_for=warn_for, zero_division=zero_division,
                                sample_weight=w)
    distinct, where = np.unique(labels, return_inverse=True)  # a repeated label gets its counts each time
    tp, pred, true = _kernels.class_counts(tensor(t, np.int64), tensor(p, np.int64), tensor(distinct, np.int64),
                                           None if w is None else tensor(w, np.float64), op)
    return _prf_from_counts(tp.numpy()[where], pred.numpy()[where], true.numpy()[where], beta=beta, average=average,
                            warn_for=warn_for, zero_division=zero_division)


@_doc(score_args=_SCORE_ARGS)
def fbeta_score(y_true, y_pred, *, beta, labels=None, pos_label=1, average="binary", sample_weight=None,
                zero_division="warn"):
    """The F-beta score, (1 + beta^2) precision recall / (beta^2 precision + recall), as
    sklearn.metrics.fbeta_score (arguments as precision_recall_fscore_support's).

    Args:
        y_true (array-like): true labels.
        y_pred (array-like): predicted labels.
        beta (float): the weight of recall.
        labels (array-like, optional): the labels to average over.
        pos_label (int or bool): the positive class when average='binary'. Default: 1.
        average (str, optional): 'binary' (default), 'micro', 'macro', 'weighted', 'samples'
            (multilabel targets) or None.
        sample_weight (array-like, optional): a weight per sample.
        zero_division ("warn", 0.0, 1.0 or nan): the value of a 0/0 score. Default: "warn".

    Returns:
        float, or a float64 Tensor of per-class scores when average is None.

    Example::

        >>> ember.metrics.fbeta_score([0, 1, 1, 0], [0, 1, 0, 1], beta=2.0)
        0.5
    """
    return _fbeta("fbeta_score", y_true, y_pred, beta, labels, pos_label, average, sample_weight, zero_division)


def _fbeta(op, y_true, y_pred, beta, labels, pos_label, average, sample_weight, zero_division):
    return _prfs(op, y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label, average=average,
                 warn_for=("f-score",), sample_weight=sample_weight, zero_division=zero_division)[2]


@_doc(score_args=_SCORE_ARGS)
def f1_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
             zero_division="warn"):
    """The F1 score, 2 precision recall / (precision + recall), as sklearn.metrics.f1_score.

    Args:
        {score_args}
        zero_division ("warn", 0.0, 1.0 or nan): the value of a 0/0 score. Default: "warn".

    Returns:
        float, or a float64 Tensor of per-class scores when average is None.

    Example::

        >>> ember.metrics.f1_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average="macro")
        0.26666666666666666
    """
    return _fbeta("f1_score", y_true, y_pred, 1.0, labels, pos_label, average, sample_weight, zero_division)


@_doc(score_args=_SCORE_ARGS)
def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
                    zero_division="warn"):
    """Precision, tp / (tp + fp), as sklearn.metrics.precision_score.

    Args:
        {score_args}
        zero_division ("warn", 0.0, 1.0 or nan): the value when nothing is predicted positive.

    Returns:
        float, or a float64 Tensor of per-class precisions when average is None.

    Example::

        >>> ember.metrics.precision_score([0, 1, 1, 0], [1, 1, 1, 0])
        0.6666666666666666
    """
    return _prfs("precision_score", y_true, y_pred, beta=1.0, labels=labels, pos_label=pos_label, average=average,
                 warn_for=("precision",), sample_weight=sample_weight, zero_division=zero_division)[0]


@_doc(score_args=_SCORE_ARGS)
def recall_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
                 zero_division="warn"):
    """Recall, tp / (tp + fn), as sklearn.metrics.recall_score.

    Args:
        {score_args}
        zero_division ("warn", 0.0, 1.0 or nan): the value when there are no true positives.

    Returns:
        float, or a float64 Tensor of per-class recalls when average is None.

    Example::

        >>> ember.metrics.recall_score([0, 1, 1, 0], [1, 1, 0, 0])
        0.5
    """
    return _prfs("recall_score", y_true, y_pred, beta=1.0, labels=labels, pos_label=pos_label, average=average,
                 warn_for=("recall",), sample_weight=sample_weight, zero_division=zero_division)[1]


def classification_report(y_true, y_pred, *, labels=None, target_names=None, sample_weight=None, digits=2,
                          output_dict=False, zero_division="warn"):
    """A text report (or a dict) of each class's precision, recall, F1 score and support, then
    accuracy and the macro and weighted averages, as sklearn.metrics.classification_report.

    Args:
        y_true (array-like): true labels.
        y_pred (array-like): predicted labels.
        labels (array-like, optional): the labels to report, in this order.
        target_names (list of str, optional): display names of the labels.
        sample_weight (array-like, optional): a weight per sample.
        digits (int): digits after the point in the text report. Default: 2.
        output_dict (bool): return a dict {label: {metric: value}} instead of text. Default: False.
        zero_division ("warn", 0.0, 1.0 or nan): the value of a 0/0 metric. Default: "warn".

    Returns:
        str or dict: the report.

    Example::

        >>> print(ember.metrics.classification_report([0, 1, 2, 2], [0, 0, 2, 2]))  # doctest: +SKIP
                      precision    recall  f1-score   support
        <BLANKLINE>
                   0       0.50      1.00      0.67         1
                   1       0.00      0.00      0.00         1
                   2       1.00      1.00      1.00         2
        ...
    """
    op = "classification_report"
    y_type, present, t, p, codes = check_targets(y_true, y_pred, op, sample_weight, functional=True)
    labels_given = labels is not None
    shown = labels  # string labels print as themselves
    labels = codes.codes(labels, op) if labels_given else present
    names_dtype = to_numpy(y_true, op, "y_true", strings=True).dtype
    micro_is_accuracy = y_type != "multilabel-indicator" and (not labels_given or set(labels.tolist()) >= set(present.tolist()))
    if target_names is not None and len(labels) != len(target_names):
        if labels_given:
            warn(f"labels size, {len(labels)}, does not match size of target_names, {len(target_names)}", UserWarning)
        else:
            raise ValueError(f"{op}: Number of classes, {len(labels)}, does not match size of target_names, "
                             f"{len(target_names)}. Try specifying the labels parameter")
    if target_names is None and codes.classes is not None:
        target_names = ["%s" % label for label in (shown if labels_given else codes.classes)]
    elif target_names is None:
        # Labels print as the input's kind: 1, 1.0 or True.
        target_names = ["%s" % label for label in labels.astype(names_dtype if names_dtype.kind in "bf" else np.int64)]
    headers = ["precision", "recall", "f1-score", "support"]

    def prf(average):
        return _prfs(op, t, p, beta=1.0, labels=labels, pos_label=1, average=average, sample_weight=sample_weight,
                     warn_for=("precision", "recall", "f-score"), zero_division=zero_division)

    pr, r, f1, s = (x.numpy() for x in prf(None))
    rows = list(zip(target_names, pr, r, f1, s))
    if output_dict:
        report = {row[0]: dict(zip(headers, [float(v) for v in row[1:]])) for row in rows}
    else:
        width = max(max(len(name) for name in target_names), len("weighted avg"), digits)
        head_fmt = "{:>{width}s} " + " {:>9}" * len(headers)
        text = head_fmt.format("", *headers, width=width) + "\n\n"
        row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
        for row in rows:
            text += row_fmt.format(*row, width=width, digits=digits)
        text += "\n"
    averages = ("micro", "macro", "weighted") + (("samples",) if y_type == "multilabel-indicator" else ())
    for average in averages:
        heading = "accuracy" if average == "micro" and micro_is_accuracy else average + " avg"
        avg = [*prf(average)[:3], np.sum(s)]
        if output_dict:
            report[heading] = dict(zip(headers, [float(v) for v in avg]))
        elif heading == "accuracy":
            fmt = "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}" + " {:>9}\n"
            text += fmt.format(heading, "", "", *avg[2:], width=width, digits=digits)
        else:
            text += row_fmt.format(heading, *avg, width=width, digits=digits)
    if output_dict:
        if "accuracy" in report:
            report["accuracy"] = report["accuracy"]["precision"]
        return report
    return text


def top_k_accuracy_score(y_true, y_score, *, k=2, normalize=True, sample_weight=None, labels=None):
    """The fraction of samples whose true class is among the k classes of highest score, as
    sklearn.metrics.top_k_accuracy_score (of equal scores, the later class ranks higher).

    Args:
        y_true (array-like): true labels, shape (n_samples,).
        y_score (array-like): scores, shape (n_samples, n_classes), or (n_samples,) for binary
            targets (the positive class's score).
        k (int): how many top classes count as a hit. Default: 2.
        normalize (bool): the fraction when True, else the (weighted) number of hits.
        sample_weight (array-like, optional): a weight per sample.
        labels (array-like, optional): the sorted labels of y_score's columns. Default: those of y_true.

    Returns:
        float: the top-k accuracy.

    Example::

        >>> y_score = [[0.5, 0.2, 0.2], [0.3, 0.4, 0.2], [0.2, 0.4, 0.3], [0.7, 0.2, 0.1]]
        >>> ember.metrics.top_k_accuracy_score([0, 1, 2, 2], y_score, k=2)
        0.75
    """
    op = "top_k_accuracy_score"
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"{op}: k must be an int in the range [1, inf), got {k!r}")
    t = column(to_numpy(y_true, op, "y_true"), op, "y_true")
    y_type, present = type_of_target(t, op, "y_true")
    if y_type == "binary" and labels is not None and len(labels) > 2:
        y_type = "multiclass"
    if y_type not in ("binary", "multiclass"):
        raise ValueError(f"{op}: y type must be 'binary' or 'multiclass', got '{y_type}' instead.")
    s = _score_array(y_score, op)
    check_finite(s, op, "y_score")
    if y_type == "binary":
        if s.ndim == 2 and s.shape[1] != 1:
            raise ValueError(f"{op}: `y_true` is binary while y_score is 2d with {s.shape[1]} classes. If `y_true` "
                             "does not contain all the labels, `labels` must be provided.")
        s = column(s, op, "y_score")
    elif s.ndim != 2:
        raise ValueError(f"{op}: `y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` contains "
                         f"multiple classes. Got `y_score.shape={s.shape}`.")
    w = sample_weight_array(sample_weight, len(t), op) if sample_weight is not None else None
    check_lengths(op, y_true=t, y_score=s)
    n_score_classes = s.shape[1] if s.ndim == 2 else 2
    t = labels_int64(t)
    if labels is None:
        classes = present
        if len(classes) != n_score_classes:
            raise ValueError(f"{op}: Number of classes in 'y_true' ({len(classes)}) not equal to the number of "
                             f"classes in 'y_score' ({n_score_classes}).You can provide a list of all known classes "
                             "by assigning it to the `labels` parameter.")
    else:
        given = labels_array(labels, op)
        classes = np.unique(given)
        if len(classes) != len(given):
            raise ValueError(f"{op}: Parameter 'labels' must be unique.")
        if not np.array_equal(classes, given):
            raise ValueError(f"{op}: Parameter 'labels' must be ordered.")
        if len(classes) != n_score_classes:
            raise ValueError(f"{op}: Number of given labels ({len(classes)}) not equal to the number of classes in "
                             f"'y_score' ({n_score_classes}).")
        if len(np.setdiff1d(t, classes)):
            raise ValueError(f"{op}: 'y_true' contains labels not in parameter 'labels'.")
    if k >= len(classes):
        warn(f"'k' ({k}) greater than or equal to 'n_classes' ({len(classes)}) will result in a perfect score and is "
             "therefore meaningless.")
    encoded = np.searchsorted(classes, t)
    if y_type == "binary":
        if k == 1:
            threshold = 0.5 if s.min() >= 0 and s.max() <= 1 else 0
            hits = (s > threshold).astype(np.int64) == encoded
        else:
            hits = np.ones(len(s), dtype=bool)
    else:
        hits = _kernels.top_k_hits(tensor(encoded, np.int64), tensor(s, s.dtype), k, op).numpy()
    if normalize:
        return float(np.average(hits, weights=w))
    return float(hits.sum()) if w is None else float(np.dot(hits, w))


# --------------------------------------------------------------------------------------------- #
# Ranking metrics: curves from scores                                                              #
# --------------------------------------------------------------------------------------------- #

def _binary_curve_inputs(y_true, y_score, pos_label, sample_weight, op):
    """(positives as a bool tensor, scores, weights or None, the scores' own dtype) for a binary
    ranking metric."""
    t = to_numpy(y_true, op, "y_true", strings=True)
    raw = to_numpy(y_score, op, "y_score")
    s = _score_array(raw, op)
    check_lengths(op, y_true=t, y_score=s)
    y_type, present = type_of_target(t, op, "y_true")
    if not (y_type == "binary" or (y_type == "multiclass" and pos_label is not None)):
        raise ValueError(f"{op}: {y_type} format is not supported")
    pos = check_pos_label(pos_label, present, op)
    t, s = column(t, op, "y_true"), column(s, op, "y_score")
    w = sample_weight_array(sample_weight, len(t), op)
    positives = t == pos if is_strings(t) else labels_int64(t) == pos
    return (tensor(positives, np.bool_), tensor(s, s.dtype),
            None if w is None else tensor(w, np.float64), raw.dtype)


def roc_curve(y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=True):
    """The receiver operating characteristic curve of a binary classifier, as
    sklearn.metrics.roc_curve: false and true positive rates at each distinct score threshold.
    C++ sorts the scores once and sweeps them in one pass.

    Args:
        y_true (array-like): true binary labels, shape (n_samples,).
        y_score (array-like): scores of the positive class, shape (n_samples,).
        pos_label (int or bool, optional): the positive class; needed unless y_true takes values in
            {0, 1} or {-1, 1}.
        sample_weight (array-like, optional): a weight per sample.
        drop_intermediate (bool): drop thresholds that would not change the curve's shape. Default: True.

    Returns:
        tuple: (fpr, tpr, thresholds), float64 tensors; thresholds descend from +inf.

    Example::

        >>> fpr, tpr, thresholds = ember.metrics.roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> fpr
        tensor([0.0000, 0.0000, 0.5000, 0.5000, 1.0000], dtype=ember.float64)
        >>> tpr
        tensor([0.0000, 0.5000, 0.5000, 1.0000, 1.0000], dtype=ember.float64)
    """
    op = "roc_curve"
    yt, ys, w, _ = _binary_curve_inputs(y_true, y_score, pos_label, sample_weight, op)
    fpr, tpr, thresholds = _kernels.roc_curve(yt, ys, w, bool(drop_intermediate), op)
    if np.isnan(fpr[-1].item()):
        warn("No negative samples in y_true, false positive value should be meaningless")
    if np.isnan(tpr[-1].item()):
        warn("No positive samples in y_true, true positive value should be meaningless")
    return fpr, tpr, thresholds


def precision_recall_curve(y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=False):
    """Precision and recall at each distinct score threshold of a binary classifier, as
    sklearn.metrics.precision_recall_curve. C++ sorts the scores once and sweeps them in one pass.

    Args:
        y_true (array-like): true binary labels, shape (n_samples,).
        y_score (array-like): scores of the positive class, shape (n_samples,).
        pos_label (int or bool, optional): the positive class; needed unless y_true takes values in
            {0, 1} or {-1, 1}.
        sample_weight (array-like, optional): a weight per sample.
        drop_intermediate (bool): drop thresholds where the true positives do not change. Default: False.

    Returns:
        tuple: (precision, recall, thresholds): float64 tensors, recall decreasing to the final
        point (precision 1, recall 0); thresholds ascending in y_score's dtype (float32 or float64),
        one fewer.

    Example::

        >>> precision, recall, thresholds = ember.metrics.precision_recall_curve(
        ...     [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> precision
        tensor([0.5000, 0.6667, 0.5000, 1.0000, 1.0000], dtype=ember.float64)
        >>> recall
        tensor([1.0000, 1.0000, 0.5000, 0.5000, 0.0000], dtype=ember.float64)
    """
    op = "precision_recall_curve"
    yt, ys, w, score_dtype = _binary_curve_inputs(y_true, y_score, pos_label, sample_weight, op)
    precision, recall, thresholds = _kernels.precision_recall_curve(yt, ys, w, bool(drop_intermediate), op)
    if score_dtype.kind in "biu":  # thresholds in y_score's dtype, as scikit-learn's
        thresholds = ember.from_numpy(thresholds.numpy().astype(score_dtype))
    positives = yt.numpy() if w is None else yt.numpy() & (w.numpy() != 0)
    if not positives.any():
        warn("No positive class found in y_true, recall is set to one for all thresholds.", UserWarning)
    return precision, recall, thresholds


def auc(x, y):
    """The area under a curve by the trapezoidal rule, as sklearn.metrics.auc.

    Args:
        x (array-like): x coordinates, monotonic increasing or decreasing, shape (n,), n >= 2.
        y (array-like): y coordinates, shape (n,).

    Returns:
        float: the area.

    Example::

        >>> fpr, tpr, _ = ember.metrics.roc_curve([1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8], pos_label=2)
        >>> ember.metrics.auc(fpr, tpr)
        0.75
    """
    op = "auc"
    xs, ys = to_numpy(x, op, "x"), to_numpy(y, op, "y")
    check_lengths(op, x=xs, y=ys)
    xs, ys = column(xs, op, "x"), column(ys, op, "y")
    return float(_kernels.auc(tensor(xs, np.float64), tensor(ys, np.float64), op))


def _binary_roc_auc(yt, ys, w, max_fpr, op):
    """ROC AUC of one binary problem (bool positives, scores, weights), NaN with a warning when a
    class is missing; max_fpr gives the McClish-corrected partial AUC, as scikit-learn's."""
    positives = int(yt.numpy().sum())
    if positives == 0 or positives == yt.shape[0]:
        warn("Only one class is present in y_true. ROC AUC score is not defined in that case.")
        return np.nan
    if max_fpr is None or max_fpr == 1:
        return _kernels.roc_auc(yt, ys, w, op)
    fpr, tpr, _ = _kernels.roc_curve(yt, ys, w, True, op)
    fpr, tpr = fpr.numpy(), tpr.numpy()
    stop = np.searchsorted(fpr, max_fpr, "right")
    interp = np.interp(max_fpr, [fpr[stop - 1], fpr[stop]], [tpr[stop - 1], tpr[stop]])
    partial = _kernels.auc(tensor(np.append(fpr[:stop], max_fpr), np.float64),
                           tensor(np.append(tpr[:stop], interp), np.float64), op)
    min_area, max_area = 0.5 * max_fpr ** 2, max_fpr
    return 0.5 * (1 + (partial - min_area) / (max_area - min_area))


def _average_binary_score(score_fn, onehot, s, average, w):
    """scikit-learn's _average_binary_score over the columns of a one-vs-rest indicator matrix:
    score_fn(positives, scores, weights) per column, or once on the raveled arrays for 'micro', or
    per row averaged with the sample weights for 'samples' (multilabel targets)."""
    if average == "samples":
        scores = [score_fn(tensor(onehot[i], np.bool_), tensor(s[i], s.dtype), None) for i in range(len(onehot))]
        return float(np.average(scores, weights=w))
    if average == "micro":
        ww = None if w is None else np.repeat(w, onehot.shape[1])
        return float(score_fn(tensor(onehot.ravel(), np.bool_), tensor(s.ravel(), s.dtype),
                              None if ww is None else tensor(ww, np.float64)))
    weight = None
    if average == "weighted":
        weight = (onehot * (1.0 if w is None else w[:, None])).sum(axis=0)
        if np.isclose(weight.sum(), 0.0):
            return 0
    wt = None if w is None else tensor(w, np.float64)
    scores = np.array([score_fn(tensor(onehot[:, c], np.bool_), tensor(s[:, c], s.dtype), wt)
                       for c in range(onehot.shape[1])])
    if average is None:
        return ember.from_numpy(scores)
    if weight is not None:
        scores[weight == 0] = 0
    return float(np.average(scores, weights=weight))


def _multilabel_score(score_fn, t, s, average, sample_weight, op):
    """A ranking metric of a multilabel-indicator target: score_fn per label column (or per sample),
    averaged as scikit-learn's."""
    if s.shape != t.shape:
        raise ValueError(f"{op}: y_true and y_score have different shapes, {t.shape} and {s.shape}")
    check_finite(s, op, "y_score")
    w = sample_weight_array(sample_weight, len(t), op)
    return _average_binary_score(score_fn, t.astype(bool), s, average, w)


def _multiclass_labels(t, present, labels, s, op, what):
    """The sorted classes of y_score's columns, with scikit-learn's checks of labels."""
    if labels is None:
        if len(present) != s.shape[1]:
            raise ValueError(f"{op}: Number of classes in y_true not equal to the number of columns in 'y_score'")
        return present
    given = column(np.asarray(labels).astype(str), op, "labels") if is_strings(present) else labels_array(labels, op)
    classes = np.unique(given)
    if len(classes) != len(given):
        raise ValueError(f"{op}: Parameter 'labels' must be unique")
    if not np.array_equal(classes, given):
        raise ValueError(f"{op}: Parameter 'labels' must be ordered")
    if len(classes) != s.shape[1]:
        raise ValueError(f"{op}: Number of given labels, {len(classes)}, not equal to the number of columns in "
                         f"'y_score', {s.shape[1]}")
    if len(np.setdiff1d(t, classes)):
        raise ValueError(f"{op}: 'y_true' contains labels not in parameter 'labels'")
    return classes


def roc_auc_score(y_true, y_score, *, average="macro", sample_weight=None, max_fpr=None, multi_class="raise",
                  labels=None):
    """The area under the ROC curve, as sklearn.metrics.roc_auc_score: binary, multi-class
    one-vs-rest (multi_class='ovr') averaged over classes, or multilabel averaged over labels.

    Args:
        y_true (array-like): true labels, shape (n_samples,).
        y_score (array-like): for binary targets the greater label's scores, shape (n_samples,);
            for multi-class targets probabilities, shape (n_samples, n_classes), rows summing to 1.
        average (str, optional): multi-class: 'macro' (default), 'weighted' (by prevalence),
            'micro' or None (per-class scores).
        sample_weight (array-like, optional): a weight per sample.
        max_fpr (float, optional): binary only: the standardized partial AUC over [0, max_fpr].
        multi_class (str): 'ovr' for multi-class targets; 'raise' (default) raises for them.
            'ovo' is not supported.
        labels (array-like, optional): multi-class: the sorted labels of y_score's columns.

    Returns:
        float, or a float64 Tensor of per-class AUCs when average is None. NaN, with an
        UndefinedMetricWarning, when y_true holds one class.

    Example::

        >>> ember.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        0.75
    """
    op = "roc_auc_score"
    t = to_numpy(y_true, op, "y_true", strings=True)
    y_type, present = type_of_target(t, op, "y_true")
    s = _score_array(y_score, op)
    check_finite(s, op, "y_score")
    check_lengths(op, y_true=t, y_score=s)
    if max_fpr is not None and not (isinstance(max_fpr, (int, float)) and 0 < max_fpr <= 1):
        raise ValueError(f"{op}: max_fpr must be a float in the range (0.0, 1.0] or None, got {max_fpr!r}")
    if multi_class not in ("raise", "ovr", "ovo"):
        raise ValueError(f"{op}: multi_class must be 'raise', 'ovr' or 'ovo', got {multi_class!r}")
    if average not in _AVERAGES:
        raise ValueError(f"{op}: average must be 'micro', 'macro', 'samples', 'weighted' or None, got {average!r}")
    binary = lambda yt, ys, ww: _binary_roc_auc(yt, ys, ww, max_fpr, op)  # noqa: E731
    if y_type == "multilabel-indicator":
        return _multilabel_score(binary, t, s, average, sample_weight, op)
    if y_type not in ("binary", "multiclass"):
        raise ValueError(f"{op}: {y_type} format is not supported")
    t = column(t, op, "y_true")
    t = t if is_strings(t) else labels_int64(t)
    w = sample_weight_array(sample_weight, len(t), op)
    if y_type == "multiclass" or (s.ndim == 2 and s.shape[1] > 2):
        if max_fpr is not None and max_fpr != 1.0:
            raise ValueError(f"{op}: Partial AUC computation not available in multiclass setting, 'max_fpr' must be "
                             f"set to `None`, received `max_fpr={max_fpr}` instead")
        if multi_class == "raise":
            raise ValueError(f"{op}: multi_class must be in ('ovo', 'ovr')")
        if multi_class == "ovo":
            raise NotImplementedError(f"{op}: multi_class='ovo' is not supported by ember.metrics; use 'ovr'")
        if s.ndim != 2:
            raise ValueError(f"{op}: `y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` contains "
                             f"multiple classes. Got `y_score.shape={s.shape}`.")
        if not np.allclose(1, s.sum(axis=1)):
            raise ValueError(f"{op}: Target scores need to be probabilities for multiclass roc_auc, i.e. they should "
                             "sum up to 1.0 over classes")
        if average not in ("micro", "macro", "weighted", None):
            raise ValueError(f"{op}: average must be one of ('micro', 'macro', 'weighted', None) for multiclass "
                             "problems")
        classes = _multiclass_labels(t, present, labels, s, op, "roc_auc_score")
        return _average_binary_score(binary, t[:, None] == classes[None, :], s, average, w)
    # Binary: the greater label is the positive class.
    s = column(s, op, "y_score")
    positives = t == present[-1] if len(present) == 2 else np.zeros(len(t), dtype=bool)
    return float(binary(tensor(positives, np.bool_), tensor(s, s.dtype), None if w is None else tensor(w, np.float64)))


def average_precision_score(y_true, y_score, *, average="macro", pos_label=1, sample_weight=None):
    """Average precision, the precision-recall curve's step integral sum_n (R_n - R_{n-1}) P_n,
    as sklearn.metrics.average_precision_score (binary, or multi-class one-vs-rest averaged).

    Args:
        y_true (array-like): true labels, shape (n_samples,).
        y_score (array-like): scores, shape (n_samples,) for binary targets, (n_samples,
            n_classes) for multi-class ones.
        average (str, optional): multi-class: 'macro' (default), 'weighted', 'micro' or None.
        pos_label (int or bool): binary: the positive class. Default: 1.
        sample_weight (array-like, optional): a weight per sample.

    Returns:
        float, or a float64 Tensor of per-class scores when average is None.

    Example::

        >>> ember.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        0.8333333333333333
    """
    op = "average_precision_score"
    if average not in _AVERAGES:
        raise ValueError(f"{op}: average must be 'micro', 'macro', 'samples', 'weighted' or None, got {average!r}")
    t = to_numpy(y_true, op, "y_true", strings=True)
    y_type, present = type_of_target(t, op, "y_true")
    s = _score_array(y_score, op)
    check_lengths(op, y_true=t, y_score=s)

    def binary(yt, ys, ww):
        if not yt.numpy().any():
            warn("No positive class found in y_true, recall is set to one for all thresholds.", UserWarning)
        precision, recall, _ = _kernels.precision_recall_curve(yt, ys, ww, False, op)
        return _kernels.average_precision(precision, recall)

    if y_type == "multilabel-indicator":
        return _multilabel_score(binary, t, s, average, sample_weight, op)
    w = sample_weight_array(sample_weight, len(t), op)
    t = column(t, op, "y_true")
    t = t if is_strings(t) else labels_int64(t)
    if y_type == "binary":
        pos = pos_label if is_strings(t) else label_value(pos_label, op)
        if len(present) == 2 and pos not in present:
            raise ValueError(f"{op}: pos_label={pos_label} is not a valid label. It should be one of {present}")
        s = column(s, op, "y_score")
        return float(binary(tensor(t == pos, np.bool_), tensor(s, s.dtype), None if w is None else tensor(w, np.float64)))
    if y_type != "multiclass":
        raise ValueError(f"{op}: {y_type} format is not supported")
    if pos_label != 1:
        raise ValueError(f"{op}: Parameter pos_label is fixed to 1 for multiclass y_true. Do not set pos_label or set "
                         "pos_label to 1.")
    if s.shape != (len(t), len(present)):
        raise ValueError(f"{op}: `y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` contains "
                         f"multiple classes. Got `y_score.shape={s.shape}`.")
    check_finite(s, op, "y_score")
    return _average_binary_score(binary, t[:, None] == present[None, :], s, average, w)


from ember.metrics.streaming import (AUROC, Accuracy, ConfusionMatrix, F1Score, MeanMetric, Metric,  # noqa: E402
                                     Precision, Recall)

__all__ = ["AUROC", "Accuracy", "ConfusionMatrix", "F1Score", "MeanMetric", "Metric", "Precision", "Recall",
           "UndefinedMetricWarning", "accuracy_score", "auc", "average_precision_score", "classification_report",
           "confusion_matrix", "f1_score", "fbeta_score", "precision_recall_curve", "precision_recall_fscore_support",
           "precision_score", "recall_score", "roc_auc_score", "roc_curve", "top_k_accuracy_score"]

"""Input handling of ember.metrics: ember tensors, NumPy arrays and lists become NumPy arrays, then
scikit-learn's target checks (type_of_target, _check_targets) with its exception types; the
arrays the C++ kernels take are made here."""
import numbers
import warnings

import numpy as np

import ember
from ember import _C

_kernels = _C._metrics


class UndefinedMetricWarning(UserWarning):
    """Warning raised when a metric is ill-defined (a zero division, a class that never occurs), as
    scikit-learn's ``sklearn.exceptions.UndefinedMetricWarning``.

    Args:
        message (str): what is ill-defined and the value used instead.

    Example::

        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as w:
        ...     warnings.simplefilter("always")
        ...     _ = ember.metrics.precision_score([1, 1], [0, 0])
        >>> w[0].category is ember.metrics.UndefinedMetricWarning
        True
    """


def to_numpy(x, op, name, strings=False):
    """x (an ember tensor, a NumPy array, a list or a number) as a NumPy array (no copy where it can);
    strings: string labels are taken too (as a str array)."""
    if isinstance(x, ember.Tensor):
        if x.dtype == ember.bfloat16:  # NumPy has no bfloat16: its values are exact in float32
            x = x.float()
        return x.detach().cpu().numpy()
    if x is None:
        raise TypeError(f"{op}: {name} must be an array-like, got None")
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind in "OUS":
            if strings and (arr.dtype.kind in "US" or all(isinstance(v, str) for v in arr.ravel())):
                return arr.astype(str)
            if strings and arr.dtype.kind == "O":
                raise TypeError(f"{op}: {name} mixes label types (strings and numbers)")
            raise TypeError(f"{op}: {name} has labels of dtype {arr.dtype}: this metric takes bool, integer or float "
                            "labels (the functional label metrics and curves take string labels too)")
        raise TypeError(f"{op}: {name} has an unsupported dtype {arr.dtype}")
    return arr


def is_strings(arr):
    """Whether arr holds string labels (to_numpy gives them as a str array)."""
    return arr.dtype.kind in "US"


class Codes:
    """The label values of one call. Numeric labels stand for themselves (int64). String labels,
    which scikit-learn takes too, are coded by their rank among the call's sorted distinct labels;
    a label the data does not hold (in labels= or pos_label=) gets a code past them, so it counts
    nothing."""

    def __init__(self, classes=None):
        self.classes = classes  # None for numeric labels
        self.unknown = {}

    def code(self, label, op, name="pos_label"):
        """One label argument (pos_label, an entry of labels) as an int64 code."""
        if self.classes is None:
            return label_value(label, op, name)
        hit = np.searchsorted(self.classes, label) if isinstance(label, str) else len(self.classes)
        if hit < len(self.classes) and self.classes[hit] == label:
            return int(hit)
        return len(self.classes) + self.unknown.setdefault(repr(label), len(self.unknown))

    def codes(self, labels, op):
        """The labels argument as int64 codes."""
        if self.classes is None:
            return labels_array(labels, op)
        arr = column(np.asarray(labels, dtype=object), op, "labels")
        return np.array([self.code(v, op, "labels") for v in arr], dtype=np.int64)

    def show(self, codes):
        """What a message prints for codes: the labels themselves."""
        return codes if self.classes is None else self.classes[codes]


def tensor(arr, dtype):
    """A contiguous NumPy array of `dtype` as an ember tensor sharing its memory."""
    return ember.from_numpy(np.ascontiguousarray(arr, dtype=dtype))


def column(arr, op, name):
    """A 1-D view of a vector or a column (scikit-learn's column_or_1d); ValueError otherwise."""
    if arr.ndim == 1:
        return arr
    if arr.ndim == 2 and arr.shape[1] == 1:
        return arr.ravel()
    if arr.ndim == 0:
        return arr.reshape(1)
    raise ValueError(f"{op}: {name} should be a 1d array, got an array of shape {arr.shape} instead.")


def check_lengths(op, **arrays):
    """ValueError naming every array and its shape when their numbers of samples differ."""
    given = {k: v for k, v in arrays.items() if v is not None}
    if len({len(v) if v.ndim else 1 for v in given.values()}) > 1:
        shapes = ", ".join(f"{k} {tuple(v.shape)}" for k, v in given.items())
        raise ValueError(f"{op}: Found input variables with inconsistent numbers of samples: {shapes}")


def check_finite(arr, op, name):
    """ValueError with scikit-learn's wording when a floating array holds NaN or infinity."""
    # A float64 sum is finite when every value is (the common case: one pass, no temporary); only a
    # sum that overflows or meets NaN/inf needs the elementwise look.
    if arr.dtype.kind == "f" and not np.isfinite(arr.sum(dtype=np.float64)) and not np.isfinite(arr).all():
        kind = "NaN" if np.isnan(arr).any() else "infinity or a value too large for dtype('float64')"
        raise ValueError(f"{op}: Input {name} contains {kind}.")


def labels_int64(arr):
    """Class labels (bool, int, or integral floats) as int64 for the kernels."""
    return np.ascontiguousarray(arr, dtype=np.int64)


def unique(arr):
    """Sorted distinct labels of an int64 vector (C++: one pass for a small range)."""
    return _kernels.unique_labels(tensor(arr, np.int64)).numpy()


def type_of_target(y, op, name):
    """scikit-learn's type_of_target for numeric y: ('binary' | 'multiclass', its sorted distinct
    int64 labels) or (one of 'continuous', 'multilabel-indicator', '(multiclass|continuous)-multioutput',
    'unknown'; None)."""
    if y.ndim > 2 or (y.ndim == 2 and y.shape[1] == 0):
        return "unknown", None
    suffix = "-multioutput" if y.ndim == 2 and y.shape[1] > 1 else ""
    if is_strings(y):
        if suffix:
            return "multiclass" + suffix, None
        present = np.unique(y.ravel())
        return ("multiclass" if len(present) > 2 else "binary"), present
    if y.ndim == 2 and y.shape[1] > 1 and y.size and np.isin(y, (0, 1)).all():
        return "multilabel-indicator", None
    if y.dtype.kind == "f":
        check_finite(y, op, name)
        if np.any(y != y.astype(np.int64)):
            return "continuous" + suffix, None
    if suffix:
        return "multiclass" + suffix, None
    present = unique(labels_int64(y.ravel()))
    return ("multiclass" if len(present) > 2 else "binary"), present


def sample_weight_array(sample_weight, n, op, dtype=np.float64):
    """sample_weight as a 1-d array of n weights (None stays None); ValueError for another length."""
    if sample_weight is None:
        return None
    w = column(to_numpy(sample_weight, op, "sample_weight"), op, "sample_weight")
    if len(w) != n:
        raise ValueError(f"{op}: sample_weight has shape {tuple(w.shape)}, expected ({n},)")
    check_finite(w, op, "sample_weight")
    if n and not w.any():
        raise ValueError(f"{op}: Sample weights must contain at least one non-zero number.")
    return np.ascontiguousarray(w, dtype=dtype if dtype is not None else (np.int64 if w.dtype.kind in "biu" else np.float64))


def check_targets(y_true, y_pred, op, sample_weight=None, functional=False):
    """scikit-learn's _check_targets: returns (y_type, sorted present labels, y_true, y_pred, Codes)
    with int64 label vectors; ValueError for a mix of target types, continuous and multioutput
    targets. `functional` (the functional metrics) also takes string labels, as their codes, and
    multilabel-indicator targets, as int64 (n_samples, n_labels) 0/1 matrices with present
    arange(n_labels); the streaming classes take neither."""
    strings = functional
    t, p = to_numpy(y_true, op, "y_true", strings), to_numpy(y_pred, op, "y_pred", strings)
    if is_strings(t) or is_strings(p):
        if not (is_strings(t) and is_strings(p)):
            raise ValueError(f"{op}: Mix of label input types (string and number); Got {np.unique(t)} and "
                             f"{np.unique(p)}.")
        return _check_string_targets(t, p, op, sample_weight)
    w = None if sample_weight is None else to_numpy(sample_weight, op, "sample_weight")
    check_lengths(op, y_true=t, y_pred=p, sample_weight=w)
    (type_true, present_true), (type_pred, present_pred) = type_of_target(t, op, "y_true"), type_of_target(p, op, "y_pred")
    if t.size == 0 or p.size == 0 or (t.ndim and len(t) == 0):
        raise ValueError(f"{op}: Found empty input array (e.g., `y_true` or `y_pred`) while a minimum of 1 sample "
                         "is required.")
    types = {type_true, type_pred}
    if types == {"binary", "multiclass"}:
        types = {"multiclass"}
    if len(types) > 1:
        raise ValueError(f"{op}: Classification metrics can't handle a mix of {type_true} and {type_pred} targets")
    y_type = types.pop()
    if y_type == "multilabel-indicator":
        if not functional:
            raise ValueError(f"{op}: multilabel-indicator targets are not supported here (the functional metrics "
                             "take them)")
        if t.shape[1] != p.shape[1]:
            raise ValueError(f"{op}: y_true and y_pred have different numbers of labels, {t.shape[1]} and "
                             f"{p.shape[1]}")
        return y_type, np.arange(t.shape[1], dtype=np.int64), labels_int64(t), labels_int64(p), Codes()
    if y_type not in ("binary", "multiclass"):
        raise ValueError(f"{op}: {y_type} is not supported")
    t, p = labels_int64(column(t, op, "y_true")), labels_int64(column(p, op, "y_pred"))
    present = np.union1d(present_true, present_pred)
    if y_type == "binary" and len(present) > 2:
        y_type = "multiclass"
    return y_type, present, t, p, Codes()


def _check_string_targets(t, p, op, sample_weight):
    """check_targets for string labels: the same checks, the labels as their codes."""
    w = None if sample_weight is None else to_numpy(sample_weight, op, "sample_weight")
    check_lengths(op, y_true=t, y_pred=p, sample_weight=w)
    if t.size == 0 or p.size == 0:
        raise ValueError(f"{op}: Found empty input array (e.g., `y_true` or `y_pred`) while a minimum of 1 sample "
                         "is required.")
    t, p = column(t, op, "y_true"), column(p, op, "y_pred")
    classes = np.union1d(t, p)
    y_type = "multiclass" if len(classes) > 2 else "binary"
    return (y_type, np.arange(len(classes), dtype=np.int64), np.searchsorted(classes, t).astype(np.int64),
            np.searchsorted(classes, p).astype(np.int64), Codes(classes))


def label_value(label, op, name="pos_label"):
    """A label argument (pos_label, an entry of labels) as an int64 value; strings are refused."""
    if isinstance(label, (bool, np.bool_, numbers.Integral)):
        return int(label)
    if isinstance(label, numbers.Real) and float(label).is_integer():
        return int(label)
    raise ValueError(f"{op}: {name}={label!r} is not a valid label: ember.metrics takes bool or integer labels")


def labels_array(labels, op):
    """The `labels` argument as int64 class labels; ValueError for non-integral values."""
    arr = column(to_numpy(labels, op, "labels"), op, "labels")
    if arr.dtype.kind == "f" and np.any(arr != np.round(arr)):
        raise ValueError(f"{op}: labels must be integers, got {arr}")
    return labels_int64(arr)


def check_pos_label(pos_label, present, op):
    """scikit-learn's _check_pos_label_consistency: pos_label 1 where y_true takes values in {0, 1},
    {-1, 1} or one of them; otherwise it must be given (for string labels it is returned as given)."""
    if pos_label is None:
        if is_strings(present) or not (set(present.tolist()) <= {0, 1} or set(present.tolist()) <= {-1, 1}):
            raise ValueError(f"{op}: y_true takes value in {{{', '.join(map(repr, present.tolist()))}}} and pos_label "
                             "is not specified: either make y_true take value in {0, 1} or {-1, 1} or pass "
                             "pos_label explicitly.")
        return 1
    return pos_label if is_strings(present) else label_value(pos_label, op)


def warn(message, category=UndefinedMetricWarning):
    """Warns at the caller of the public metric function (two frames up), as scikit-learn does."""
    warnings.warn(message, category, stacklevel=3)

"""Splits of a dataset's indices: train_val_test_split (optionally stratified) and the k-fold
cross-validators KFold and StratifiedKFold, with scikit-learn's signatures, folds and errors.

Without shuffling, the folds are scikit-learn's exactly. Shuffled splits draw from ember's
generator, so they repeat under the same seed but differ from scikit-learn's (NumPy's RNG).
"""
import math
import numbers
import warnings

import ember
from ember.data.dataset import Subset, _fraction_lengths

__all__ = ["KFold", "StratifiedKFold", "train_val_test_split"]


def _lengths_from_fractions(n, fractions, owner):
    """random_split's lengths for fractions, which must be in [0, 1] and sum to 1."""
    fractions = tuple(fractions)
    for i, f in enumerate(fractions):
        if isinstance(f, bool) or not isinstance(f, numbers.Real) or not 0 <= f <= 1:
            raise ValueError(f"{owner}: fraction at index {i} of fractions={fractions} is not between 0 and 1")
    total = math.fsum(fractions)
    if not (math.isclose(total, 1) and total <= 1 + 1e-12):
        raise ValueError(f"{owner}: fractions={fractions} must sum to 1, got {total}")
    return _fraction_lengths(n, fractions)


def _labels_list(labels, owner):
    """Labels as a Python list (an ember tensor, a NumPy array or any sequence), 1-D."""
    if isinstance(labels, ember.Tensor) or hasattr(labels, "__array__") and hasattr(labels, "ndim"):
        if labels.ndim != 1:
            raise ValueError(f"{owner}: labels must be 1-D, got shape {tuple(labels.shape)}")
        return labels.tolist()
    return list(labels)


def _num_samples(x, owner):
    """The number of samples of X: an int itself, a tensor's or array's first dim, or len()."""
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        if x < 0:
            raise ValueError(f"{owner}: the number of samples must be non-negative, got {x}")
        return int(x)
    shape = getattr(x, "shape", None)
    if shape is not None and not callable(shape):
        if len(shape) == 0:
            raise TypeError(f"{owner}: singleton array {x!r} cannot be considered a valid collection.")
        return int(shape[0])
    if hasattr(x, "__len__"):
        return len(x)
    raise TypeError(f"{owner}: expected an int, a tensor, an array or a sequence, got {type(x).__name__}")


def _generator(random_state):
    """ember's generator for a random_state: None is the default one, an int seeds a new one,
    a Generator is used as it is."""
    if random_state is None:
        return ember._C.default_generator()
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return ember.Generator().manual_seed(int(random_state))
    if isinstance(random_state, ember.Generator):
        return random_state
    raise ValueError(f"{random_state!r} cannot be used to seed an ember.Generator (an int, a Generator or None)")


def train_val_test_split(dataset_or_n, fractions=(0.6, 0.2, 0.2), *, stratify=None, generator=None):
    """Splits ``n`` samples (or a dataset's) at random into train, validation and test parts.

    The parts' sizes follow ``torch.utils.data.random_split``'s rule for fractions:
    ``floor(n * f)`` each, the remaining samples dealt one at a time to the parts in order. Every
    index lands in exactly one part, and the same generator seed gives the same parts.

    With ``stratify=labels`` each class is split by the same fractions, so every part keeps the
    classes' proportions: class ``c``'s share of part ``k`` is ``floor(n_c * f_k)`` or one more.
    The samples left over after the floors go, class by class (those with the most left over
    first), to the parts furthest below their unstratified size, ties to the part where the
    class's fraction was cut most, then to the first part; so the part sizes equal the
    unstratified split's wherever that is possible.

    Args:
        dataset_or_n (int or Dataset): the number of samples, or a dataset (anything with
            ``len()`` and indexing).
        fractions (sequence of float, optional): the train, validation and test fractions, each in
            [0, 1], summing to 1. Default: (0.6, 0.2, 0.2).
        stratify (sequence, optional): one class label per sample (a tensor, an array or a list),
            whose proportions every part keeps. Default: None.
        generator (ember.Generator, optional): the source of randomness. Default: ember's
            default generator.

    Returns:
        (train, val, test): three int64 index tensors for an int; three ``Subset`` objects of the dataset
        for a dataset. Within a part the indices are in random order.

    Raises:
        ValueError: fractions out of [0, 1], not three of them, or not summing to 1; labels of
            another length than the samples.

    Example::

        >>> g = ember.Generator().manual_seed(0)
        >>> train, val, test = ember.data.train_val_test_split(10, (0.6, 0.2, 0.2), generator=g)
        >>> len(train), len(val), len(test)
        (6, 2, 2)
        >>> sorted(ember.cat([train, val, test]).tolist()) == list(range(10))
        True
    """
    owner = "train_val_test_split"
    is_n = isinstance(dataset_or_n, numbers.Integral) and not isinstance(dataset_or_n, bool)
    n = _num_samples(dataset_or_n, owner)
    fractions = tuple(fractions)
    if len(fractions) != 3:
        raise ValueError(f"{owner}: expected three fractions (train, val, test), got fractions={fractions}")
    lengths = _lengths_from_fractions(n, fractions, owner)
    generator = ember._C.default_generator() if generator is None else generator
    perm = ember.randperm(n, generator=generator)
    if stratify is None:
        parts = [perm[end - length:end] for end, length in _ends(lengths)]
    else:
        labels = _labels_list(stratify, owner)
        if len(labels) != n:
            raise ValueError(f"{owner}: stratify has {len(labels)} labels for {n} samples")
        parts = _stratified_parts(perm.tolist(), labels, fractions, lengths)
    if is_n:
        return tuple(parts)
    return tuple(Subset(dataset_or_n, part.tolist()) for part in parts)


def _ends(lengths):
    end = 0
    for length in lengths:
        end += length
        yield end, length


def _stratified_parts(perm, labels, fractions, targets):
    """Index tensors per part: each class's samples (in perm's random order) cut by the fractions,
    the leftovers placed as train_val_test_split's docstring says; a part keeps perm's order."""
    members = {}
    for i in perm:
        members.setdefault(labels[i], []).append(i)
    parts_n = len(fractions)
    counts, leftover = {}, {}
    for c, idx in members.items():
        exact = [len(idx) * f for f in fractions]
        counts[c] = [math.floor(e) for e in exact]
        leftover[c] = [e - math.floor(e) for e in exact]
    deficit = [targets[k] - sum(counts[c][k] for c in members) for k in range(parts_n)]
    # Classes with the most samples left over first (then in order of first appearance in perm).
    for c in sorted(members, key=lambda c: -(len(members[c]) - sum(counts[c]))):
        extra = len(members[c]) - sum(counts[c])
        order = sorted(range(parts_n), key=lambda k: (-deficit[k], -leftover[c][k], k))
        for k in order[:extra]:
            counts[c][k] += 1
            deficit[k] -= 1
    part_of = {}
    for c, idx in members.items():
        start = 0
        for k, count in enumerate(counts[c]):
            for i in idx[start:start + count]:
                part_of[i] = k
            start += count
    parts = [[] for _ in range(parts_n)]
    for i in perm:
        parts[part_of[i]].append(i)
    return [ember.tensor(p, dtype=ember.int64) for p in parts]


class _BaseKFold:
    """scikit-learn's _BaseKFold: the argument checks, split's sample count check, and the folds
    as (train, test) index tensors from a fold number per sample."""

    def __init__(self, n_splits=5, *, shuffle=False, random_state=None):
        if not isinstance(n_splits, numbers.Integral):
            raise ValueError("The number of folds must be of Integral type. "  # noqa: TRY004 (scikit-learn's type)
                             f"{n_splits} of type {type(n_splits)} was passed.")
        n_splits = int(n_splits)
        if n_splits <= 1:
            raise ValueError("k-fold cross-validation requires at least one train/test split by setting "
                             f"n_splits=2 or more, got n_splits={n_splits}.")
        if not isinstance(shuffle, bool):
            raise TypeError(f"shuffle must be True or False; got {shuffle}")
        if not shuffle and random_state is not None:
            raise ValueError("Setting a random_state has no effect since shuffle is False. You should leave "
                             "random_state to its default (None), or set shuffle=True.")
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds (n_splits); the arguments are ignored, as scikit-learn's.

        Args:
            X, y, groups: ignored.

        Returns:
            int: n_splits.

        Example::

            >>> ember.data.KFold(3).get_n_splits()
            3
        """
        return self.n_splits

    def _samples(self, X, y, groups):
        name = type(self).__name__
        n = _num_samples(X, f"{name}.split")
        lengths = [n] + [_num_samples(v, f"{name}.split") for v in (y, groups) if v is not None]
        if len(set(lengths)) > 1:
            raise ValueError(f"Found input variables with inconsistent numbers of samples: {lengths}")
        if self.n_splits > n:
            raise ValueError(f"Cannot have number of splits n_splits={self.n_splits} greater than the number "
                             f"of samples: n_samples={n}.")
        return n

    def _folds(self, fold_of):
        """(train, test) per fold from the fold number of each sample, both ascending (as scikit-learn's).
        split is a generator, as scikit-learn's: its checks run at the first next()."""
        folds = ember.tensor(fold_of, dtype=ember.int64)
        indices = ember.arange(len(fold_of))
        for i in range(self.n_splits):
            test = folds == i
            yield indices[~test], indices[test]

    def __repr__(self):
        return f"{type(self).__name__}(n_splits={self.n_splits}, random_state={self.random_state!r}, " \
               f"shuffle={self.shuffle})"


class KFold(_BaseKFold):
    """K-fold cross-validation, as scikit-learn's ``KFold``: the samples (shuffled first when
    ``shuffle``) are cut into ``n_splits`` consecutive folds, the first ``n % n_splits`` of
    them one sample larger; each fold is the test set once, the rest the training set.

    Without shuffling the folds equal scikit-learn's. With shuffling they come from ember's
    generator: an int ``random_state`` gives the same folds at every ``split`` call (and differs
    from scikit-learn's, whose RNG is NumPy's); None draws from ember's default generator.

    Args:
        n_splits (int, optional): the number of folds, at least 2. Default: 5.
        shuffle (bool, optional): shuffle the samples before cutting the folds. Default: False.
        random_state (int or ember.Generator, optional): the seed (or generator) of the shuffle;
            only with ``shuffle=True``. Default: None.

    Example::

        >>> for train, test in ember.data.KFold(3).split(ember.zeros(5, 2)):
        ...     print(train.tolist(), test.tolist())
        [2, 3, 4] [0, 1]
        [0, 1, 4] [2, 3]
        [0, 1, 2, 3] [4]
    """

    def split(self, X, y=None, groups=None):
        """Yields (train, test) int64 index tensors, one pair per fold, each ascending.

        Args:
            X: the samples: a tensor or array (its first dim), a sequence (its length) or an int.
            y (optional): labels, ignored (their length must match).
            groups (optional): ignored, with a warning (as scikit-learn's).

        Returns:
            an iterator of ``(train_index, test_index)``.

        Example::

            >>> [test.tolist() for _, test in ember.data.KFold(2).split(range(4))]
            [[0, 1], [2, 3]]
        """
        if groups is not None:
            warnings.warn(f"The groups parameter is ignored by {type(self).__name__}", UserWarning, stacklevel=2)
        n = self._samples(X, y, groups)
        order = list(range(n))
        if self.shuffle:
            order = ember.randperm(n, generator=_generator(self.random_state)).tolist()
        fold_of = [0] * n
        start = 0
        for i in range(self.n_splits):
            size = n // self.n_splits + (1 if i < n % self.n_splits else 0)
            for j in order[start:start + size]:
                fold_of[j] = i
            start += size
        yield from self._folds(fold_of)


class StratifiedKFold(_BaseKFold):
    """Stratified k-fold cross-validation, as scikit-learn's ``StratifiedKFold``: each fold keeps
    the classes' proportions. Each class is dealt to the folds as scikit-learn does (the
    sorted labels round robin over the folds give each fold's count of each class, and a class's
    samples fill its folds in order of index, or in a shuffled order when ``shuffle``).

    Without shuffling the folds equal scikit-learn's, with its errors (more folds than members
    of every class) and warnings (a class with fewer members than folds). Shuffled folds come
    from ember's generator (see ``KFold``).

    Args:
        n_splits (int, optional): the number of folds, at least 2. Default: 5.
        shuffle (bool, optional): shuffle each class's fold assignment. Default: False.
        random_state (int or ember.Generator, optional): the seed (or generator) of the shuffle;
            only with ``shuffle=True``. Default: None.

    Example::

        >>> y = ember.tensor([0, 0, 0, 0, 1, 1])
        >>> for train, test in ember.data.StratifiedKFold(2).split(y, y):
        ...     print(test.tolist())
        [0, 1, 4]
        [2, 3, 5]
    """

    def split(self, X, y, groups=None):
        """Yields (train, test) int64 index tensors, one pair per fold, each ascending.

        Args:
            X: the samples: a tensor or array (its first dim), a sequence (its length) or an int.
            y: one class label per sample (a tensor, an array or a sequence).
            groups (optional): ignored, with a warning (as scikit-learn's).

        Returns:
            an iterator of ``(train_index, test_index)``.

        Example::

            >>> y = [1, 1, 2, 2]
            >>> [test.tolist() for _, test in ember.data.StratifiedKFold(2).split(y, y)]
            [[0, 2], [1, 3]]
        """
        if groups is not None:
            warnings.warn(f"The groups parameter is ignored by {type(self).__name__}", UserWarning, stacklevel=2)
        if y is None:
            raise ValueError("StratifiedKFold.split: y (one class label per sample) is required")
        self._samples(X, y, None)
        labels = _labels_list(y, "StratifiedKFold.split")
        if any(isinstance(v, float) and not v.is_integer() for v in labels):
            raise ValueError("Supported target types are: ('binary', 'multiclass'). Got 'continuous' instead.")
        if any(isinstance(v, (list, tuple)) for v in labels):
            raise ValueError("Supported target types are: ('binary', 'multiclass'). "
                             "Got 'multiclass-multioutput' instead.")
        # Classes numbered by first appearance, as scikit-learn's.
        code = {}
        encoded = [code.setdefault(v, len(code)) for v in labels]
        counts = [0] * len(code)
        for c in encoded:
            counts[c] += 1
        if all(self.n_splits > c for c in counts):
            raise ValueError(f"n_splits={self.n_splits} cannot be greater than the number of members in each class.")
        if self.n_splits > min(counts):
            warnings.warn(f"The least populated class in y has only {min(counts)} members, which is less than "
                          f"n_splits={self.n_splits}.", UserWarning, stacklevel=2)
        # allocation[f][c]: class c's samples in fold f, from the sorted labels dealt round robin.
        ordered = sorted(encoded)
        allocation = [[0] * len(code) for _ in range(self.n_splits)]
        for f in range(self.n_splits):
            for c in ordered[f::self.n_splits]:
                allocation[f][c] += 1
        generator = _generator(self.random_state) if self.shuffle else None
        members = [[] for _ in code]
        for i, c in enumerate(encoded):
            members[c].append(i)
        fold_of = [0] * len(encoded)
        for c, idx in enumerate(members):
            folds = [f for f in range(self.n_splits) for _ in range(allocation[f][c])]
            if generator is not None:
                folds = [folds[j] for j in ember.randperm(len(folds), generator=generator).tolist()]
            for i, f in zip(idx, folds):
                fold_of[i] = f
        yield from self._folds(fold_of)

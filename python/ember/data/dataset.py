"""Datasets: the map-style and iterable-style bases, their combinations, and random_split, with
torch.utils.data's names and semantics."""
import bisect
import collections.abc
import itertools
import math
import warnings
from typing import Generic, TypeVar

import ember

__all__ = ["ChainDataset", "ConcatDataset", "Dataset", "IterableDataset", "StackDataset", "Subset",
           "TensorDataset", "random_split"]

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """The base of map-style datasets: a map from keys (usually ``0 .. len - 1``) to samples.

    Subclasses define ``__getitem__`` and, for the default samplers, ``__len__``. They may define
    ``__getitems__(indices)`` returning the list of samples of a batch, which the DataLoader then
    calls once per batch instead of ``__getitem__`` once per sample. ``a + b`` concatenates.

    Example::

        >>> class Squares(ember.data.Dataset):
        ...     def __len__(self):
        ...         return 4
        ...     def __getitem__(self, i):
        ...         return i * i
        >>> [Squares()[i] for i in range(4)]
        [0, 1, 4, 9]
    """

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co], collections.abc.Iterable):
    """The base of iterable-style datasets (streams): subclasses define ``__iter__``.

    With ``num_workers > 0`` each worker iterates its own copy of the dataset; use
    :func:`get_worker_info` in ``__iter__`` (or a ``worker_init_fn``) to give each copy its share,
    else every worker yields the whole stream. ``a + b`` chains two streams.

    Example::

        >>> class Range(ember.data.IterableDataset):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         info = ember.data.get_worker_info()
        ...         start, step = (0, 1) if info is None else (info.id, info.num_workers)
        ...         return iter(range(start, self.n, step))
        >>> list(ember.data.DataLoader(Range(4), batch_size=2))
        [tensor([0, 1]), tensor([2, 3])]
    """

    def __add__(self, other):
        return ChainDataset([self, other])


class _TensorBatch(collections.abc.Sequence):
    """The samples of one batch of a TensorDataset, held as one gathered tensor per field:
    ``batch[i]`` is sample i's tuple, and default_collate returns the gathered tensors directly."""

    __slots__ = ("tensors",)

    def __init__(self, tensors):
        self.tensors = tensors

    def __len__(self):
        return self.tensors[0].shape[0]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return tuple(t[i] for t in self.tensors)


class TensorDataset(Dataset):
    """A dataset of tensors sharing their first dimension: sample ``i`` is
    ``tuple(t[i] for t in tensors)``.

    A DataLoader with the default collate gathers a whole batch with one indexing op per tensor
    (``__getitems__``), never one sample at a time.

    Args:
        *tensors (Tensor): tensors with the same size of the first dimension.

    Example::

        >>> x, y = ember.randn(100, 3), ember.arange(100)
        >>> ds = ember.data.TensorDataset(x, y)
        >>> len(ds), ds[5][1]
        (100, tensor(5))
    """

    def __init__(self, *tensors):
        if any(tensors[0].size(0) != t.size(0) for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __getitems__(self, indices):
        if not all(isinstance(t, ember.Tensor) for t in self.tensors):
            return [self[i] for i in indices]
        index = indices if isinstance(indices, ember.Tensor) else ember.tensor(indices, dtype=ember.int64)
        return _TensorBatch(tuple(t[index] for t in self.tensors))

    def __len__(self):
        return self.tensors[0].size(0)


class StackDataset(Dataset):
    """Datasets of equal length side by side: sample ``i`` is ``(a[i], b[i], ...)`` for
    positional datasets, ``{"k": a[i], ...}`` for keyword ones.

    Args:
        *args (Dataset): datasets whose samples form a tuple.
        **kwargs (Dataset): datasets whose samples form a dict (not with ``args``).

    Example::

        >>> ds = ember.data.StackDataset(image=[10, 11, 12], label=[0, 1, 0])
        >>> ds[1]
        {'image': 11, 'label': 1}
    """

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like "
                             "input/output, but both types are given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        parts = args or list(kwargs.values())
        self._length = len(parts[0])
        if any(self._length != len(d) for d in parts):
            raise ValueError("Size mismatch between datasets")
        self.datasets = args or kwargs

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices):
        named = isinstance(self.datasets, dict)
        items = self.datasets.items() if named else enumerate(self.datasets)
        columns = {}
        for key, dataset in items:
            if callable(getattr(dataset, "__getitems__", None)):
                column = dataset.__getitems__(indices)
                if len(column) != len(indices):
                    raise ValueError(f"Nested dataset's output size mismatch. Expected {len(indices)}, "
                                     f"got {len(column)}")
            else:
                column = [dataset[i] for i in indices]
            columns[key] = column
        if named:
            return [{k: c[j] for k, c in columns.items()} for j in range(len(indices))]
        return [tuple(c[j] for c in columns.values()) for j in range(len(indices))]

    def __len__(self):
        return self._length


class ConcatDataset(Dataset):
    """Map-style datasets one after another: indices ``0 .. len(a) - 1`` reach ``a``, the next
    ones ``b``, and so on.

    Args:
        datasets (iterable): the map-style datasets to concatenate (at least one).

    Example::

        >>> ds = ember.data.ConcatDataset([[1, 2], [3, 4, 5]])
        >>> len(ds), ds[2], ds.cumulative_sizes
        (5, 3, [2, 5])
    """

    @staticmethod
    def cumsum(sequence):
        """Running totals of the lengths of ``sequence``'s datasets.

        Args:
            sequence (iterable): datasets with ``__len__``.

        Returns:
            list[int]: ``[len(d0), len(d0) + len(d1), ...]``.

        Example::

            >>> ember.data.ConcatDataset.cumsum([[0], [0, 0]])
            [1, 3]
        """
        return list(itertools.accumulate(len(d) for d in sequence))

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][idx - start]


class ChainDataset(IterableDataset):
    """Iterable datasets one after another, chained lazily.

    Args:
        datasets (iterable of IterableDataset): the streams to chain.

    Example::

        >>> class Stream(ember.data.IterableDataset):
        ...     def __init__(self, items):
        ...         self.items = items
        ...     def __iter__(self):
        ...         return iter(self.items)
        >>> list(ember.data.ChainDataset([Stream([1, 2]), Stream([3])]))
        [1, 2, 3]
    """

    def __init__(self, datasets):
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self):
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    A subclass that overrides ``__getitem__`` must override ``__getitems__`` too (the DataLoader
    calls the latter), as in PyTorch.

    Args:
        dataset (Dataset): the whole dataset.
        indices (sequence): the indices of the subset's samples in ``dataset``.

    Example::

        >>> sub = ember.data.Subset([10, 11, 12, 13], [3, 0])
        >>> len(sub), sub[0], sub[1]
        (2, 13, 10)
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices
        if type(self).__getitem__ is not Subset.__getitem__ and type(self).__getitems__ is Subset.__getitems__:
            raise NotImplementedError(
                f"{type(self).__name__} overrides __getitem__ but not __getitems__. When subclassing Subset "
                "and overriding __getitem__, you must also override __getitems__ to ensure DataLoader works "
                "correctly with your custom logic. A simple implementation:\n\n"
                "def __getitems__(self, indices):\n    return [self.__getitem__(idx) for idx in indices]")

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        inner = [self.indices[i] for i in indices]
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(inner)
        return [self.dataset[i] for i in inner]

    def __len__(self):
        return len(self.indices)


_DEFAULT_GENERATOR = ember._C.default_generator()  # the object, as torch's default argument


def _fraction_lengths(n, fractions):
    """PyTorch's lengths for fractions of n samples: floor(n * f) each, then the remainder dealt
    one at a time to the parts in order (round robin). Also train_val_test_split's rule."""
    counts = [math.floor(n * f) for f in fractions]
    for i in range(n - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def random_split(dataset, lengths, generator=_DEFAULT_GENERATOR):
    """Splits a dataset into non-overlapping random subsets of the given lengths.

    Fractions summing to 1 give ``floor(frac * len(dataset))`` samples each, and the remainder is
    dealt one at a time to the splits in order (round robin), as PyTorch does.

    Args:
        dataset (Dataset): the dataset to split.
        lengths (sequence): the lengths of the splits, or fractions summing to 1.
        generator (ember.Generator, optional): the source of the permutation. Default: ember's
            default generator.

    Returns:
        list[Subset]: one Subset per length.

    Example::

        >>> train, val = ember.data.random_split(range(10), [0.8, 0.2],
        ...                                      generator=ember.Generator().manual_seed(0))
        >>> len(train), len(val), sorted(list(train) + list(val)) == list(range(10))
        (8, 2, True)
    """
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        lengths = _fraction_lengths(n, lengths)
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                              stacklevel=2)
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    indices = ember.randperm(sum(lengths), generator=generator).tolist()
    return [Subset(dataset, indices[end - length:end])
            for end, length in zip(itertools.accumulate(lengths), lengths)]

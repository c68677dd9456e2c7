"""Samplers: the orders in which a DataLoader visits a map-style dataset's indices, with
torch.utils.data's names and semantics. Random ones draw from ember's generators."""
import itertools
import math
from typing import Generic, TypeVar

import ember

__all__ = ["BatchSampler", "DistributedSampler", "RandomSampler", "Sampler", "SequentialSampler",
           "SubsetRandomSampler", "WeightedRandomSampler"]

T_co = TypeVar("T_co", covariant=True)


def _fresh_generator():
    """A generator seeded from ember's default one: what a sampler without a generator uses for an
    epoch, so ember.manual_seed repeats the epochs and each epoch differs."""
    seed = int(ember.empty((), dtype=ember.int64).random_().item())
    return ember.Generator().manual_seed(seed)


class Sampler(Generic[T_co]):
    """The base of samplers: ``__iter__`` yields indices (or lists of indices, for batch samplers),
    and ``__len__``, when defined, says how many.

    Example::

        >>> class Backwards(ember.data.Sampler):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(self.n - 1, -1, -1))
        ...     def __len__(self):
        ...         return self.n
        >>> list(Backwards(3))
        [2, 1, 0]
    """

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler[int]):
    """Yields ``0, 1, ..., len(data_source) - 1``.

    Args:
        data_source (Sized): the dataset (only its length is read).

    Example::

        >>> list(ember.data.SequentialSampler(range(4)))
        [0, 1, 2, 3]
    """

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """Yields the indices in a random order: a fresh permutation each pass without replacement,
    independent uniform draws with it.

    Without a generator each pass seeds a new generator from ember's default one, so
    ``ember.manual_seed`` repeats the order and successive passes differ.

    Args:
        data_source (Sized): the dataset (only its length is read).
        replacement (bool): draw with replacement. Default: ``False``.
        num_samples (int, optional): how many indices per pass. Default: ``len(data_source)``
            (without replacement, more than that chains several permutations).
        generator (ember.Generator, optional): the source of randomness.

    Example::

        >>> g = ember.Generator().manual_seed(0)
        >>> sorted(ember.data.RandomSampler(range(5), generator=g))
        [0, 1, 2, 3, 4]
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self):
        """The number of indices per pass (the dataset's current length unless given)."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        generator = self.generator if self.generator is not None else _fresh_generator()
        if self.replacement:
            # in chunks of 32, as PyTorch draws them
            for _ in range(self.num_samples // 32):
                yield from ember.randint(n, (32,), dtype=ember.int64, generator=generator).tolist()
            yield from ember.randint(n, (self.num_samples % 32,), dtype=ember.int64, generator=generator).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from ember.randperm(n, generator=generator).tolist()
            yield from ember.randperm(n, generator=generator).tolist()[:self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """Yields the given indices in a random order (a new permutation each pass).

    Args:
        indices (sequence): the indices to sample from.
        generator (ember.Generator, optional): the source of randomness.

    Example::

        >>> sorted(ember.data.SubsetRandomSampler([7, 3, 5]))
        [3, 5, 7]
    """

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in ember.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """Yields ``num_samples`` indices of ``0 .. len(weights) - 1``, index i drawn with probability
    proportional to ``weights[i]`` (the weights need not sum to 1).

    Args:
        weights (sequence): the non-negative weights, one per index.
        num_samples (int): how many indices per pass.
        replacement (bool): draw with replacement; without it an index comes at most once.
            Default: ``True``.
        generator (ember.Generator, optional): the source of randomness.

    Example::

        >>> s = ember.data.WeightedRandomSampler([0.0, 1.0, 0.0], 3)
        >>> list(s)
        [1, 1, 1]
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        weights = ember.as_tensor(weights, dtype=ember.float64)
        if weights.dim() != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(weights.shape)}")
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        yield from ember.multinomial(self.weights, self.num_samples, self.replacement,
                                     generator=self.generator).tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler[list]):
    """Groups another sampler's indices into lists of ``batch_size``.

    Args:
        sampler (Sampler or Iterable): the indices to group.
        batch_size (int): the size of each batch.
        drop_last (bool): drop the last batch when it is shorter than ``batch_size``.

    Example::

        >>> list(ember.data.BatchSampler(range(7), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6]]
        >>> list(ember.data.BatchSampler(range(7), batch_size=3, drop_last=True))
        [[0, 1, 2], [3, 4, 5]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        it = iter(self.sampler)
        while batch := list(itertools.islice(it, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size


class DistributedSampler(Sampler[int]):
    """Restricts each of ``num_replicas`` processes to its own share of the dataset, for
    data-parallel training: the (optionally shuffled) indices are padded by repetition to a
    multiple of ``num_replicas`` (or cut, with ``drop_last``), and rank r takes every
    ``num_replicas``-th from position r.

    The shuffle is a permutation from a generator seeded with ``seed + epoch``: the same on every
    replica; call :meth:`set_epoch` at the start of each epoch for a new order. Without
    ``num_replicas`` and ``rank`` it takes the default process group's (``ember.distributed``).

    Args:
        dataset (Dataset): the dataset (only its length is read).
        num_replicas (int, optional): the number of processes. Default: the world size.
        rank (int, optional): this process's rank in ``[0, num_replicas - 1]``. Default: the rank
            in the default process group.
        shuffle (bool): shuffle the indices. Default: ``True``.
        seed (int): the shuffle's seed, the same on every replica. Default: ``0``.
        drop_last (bool): drop the tail instead of padding. Default: ``False``.

    Example::

        >>> shards = [list(ember.data.DistributedSampler(range(5), num_replicas=2, rank=r, shuffle=False))
        ...           for r in range(2)]
        >>> shards
        [[0, 2, 4], [1, 3, 0]]
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            from ember import distributed as dist  # here: ember.data loads before it

            if not dist.is_available():
                raise RuntimeError("Requires distributed package to be available (pip install \"ember[distributed]\")")
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            g = ember.Generator().manual_seed(self.seed + self.epoch)
            indices = ember.randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            pad = self.total_size - len(indices)
            indices += (indices * math.ceil(pad / len(indices)))[:pad] if pad > 0 else []
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Sets the epoch, which seeds the next pass's shuffle (with ``seed``).

        Args:
            epoch (int): the epoch number.

        Example::

            >>> s = ember.data.DistributedSampler(range(8), num_replicas=2, rank=0)
            >>> s.set_epoch(1)
            >>> len(list(s))
            4
        """
        self.epoch = epoch

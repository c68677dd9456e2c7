"""Samplers against torch.utils.data: deterministic index streams equal torch's exactly; random ones
(ember's generator is not torch's) are checked for their properties and for repeating under a seed."""
import collections

import pytest

import ember
from ember.data import (BatchSampler, DistributedSampler, RandomSampler, Sampler, SequentialSampler,
                        SubsetRandomSampler, WeightedRandomSampler)


def test_sampler_base():
    with pytest.raises(NotImplementedError):
        iter(Sampler())
    with pytest.raises(TypeError):
        len(Sampler())


def test_sequential_matches_torch(torch):
    for n in (0, 1, 9):
        assert list(SequentialSampler(range(n))) == list(torch.utils.data.SequentialSampler(range(n)))
        assert len(SequentialSampler(range(n))) == n


@pytest.mark.parametrize("n", [0, 1, 10, 11, 12])
@pytest.mark.parametrize("batch_size", [1, 3, 4, 12, 20])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler_matches_torch(torch, n, batch_size, drop_last):
    ours = BatchSampler(SequentialSampler(range(n)), batch_size, drop_last)
    theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)), batch_size, drop_last)
    assert list(ours) == list(theirs) and len(ours) == len(theirs) == len(list(ours))


def test_batch_sampler_errors_match_torch(torch):
    for make in (BatchSampler, torch.utils.data.BatchSampler):
        for bad in (0, -1, 2.0, True):
            with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
                make(range(3), bad, False)
        with pytest.raises(ValueError, match="drop_last should be a boolean value"):
            make(range(3), 2, 1)


def test_random_sampler_permutes_and_repeats_under_a_seed():
    g = ember.Generator().manual_seed(0)
    s = RandomSampler(range(100), generator=g)
    first, second = list(s), list(s)
    assert sorted(first) == sorted(second) == list(range(100)) and first != second and len(s) == 100
    g.manual_seed(0)
    assert list(s) == first
    # no generator: each pass seeds one from ember's default generator
    s = RandomSampler(range(100))
    ember.manual_seed(3)
    a, b = list(s), list(s)
    ember.manual_seed(3)
    assert list(s) == a and list(s) == b and a != b


def test_random_sampler_num_samples_and_replacement():
    g = ember.Generator().manual_seed(1)
    more = list(RandomSampler(range(10), num_samples=25, generator=g))
    counts = collections.Counter(more)
    assert len(more) == 25 and sorted(more[:10]) == sorted(more[10:20]) == list(range(10))
    assert set(counts.values()) <= {2, 3}
    fewer = list(RandomSampler(range(10), num_samples=4, generator=g))
    assert len(fewer) == 4 and len(set(fewer)) == 4
    drawn = list(RandomSampler(range(5), replacement=True, num_samples=1000, generator=g))
    assert len(drawn) == 1000 and set(drawn) == set(range(5)) and max(collections.Counter(drawn).values()) > 150
    assert len(RandomSampler(range(7), replacement=True)) == 7


def test_random_sampler_errors_match_torch(torch):
    for make in (RandomSampler, torch.utils.data.RandomSampler):
        with pytest.raises(TypeError, match="replacement should be a boolean value"):
            make(range(3), replacement=1)
        for bad in (0, -2, 1.5):
            with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
                make(range(3), num_samples=bad)
        with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
            make(range(0))


def test_subset_random_sampler():
    g = ember.Generator().manual_seed(2)
    s = SubsetRandomSampler([10, 20, 30, 40], generator=g)
    a = list(s)
    assert sorted(a) == [10, 20, 30, 40] and len(s) == 4
    g.manual_seed(2)
    assert list(s) == a


def test_weighted_random_sampler():
    g = ember.Generator().manual_seed(0)
    s = WeightedRandomSampler([0.0, 1.0, 3.0, 0.0], 4000, generator=g)
    counts = collections.Counter(s)
    assert set(counts) == {1, 2} and len(s) == 4000 and 0.2 < counts[1] / 4000 < 0.3
    without = list(WeightedRandomSampler([1, 2, 3, 4, 5], 5, replacement=False, generator=g))
    assert sorted(without) == [0, 1, 2, 3, 4]
    g.manual_seed(9)
    a = list(WeightedRandomSampler([1.0, 1.0, 1.0], 50, generator=g))
    g.manual_seed(9)
    assert list(WeightedRandomSampler([1.0, 1.0, 1.0], 50, generator=g)) == a


def test_weighted_random_sampler_errors_match_torch(torch):
    for make in (WeightedRandomSampler, torch.utils.data.WeightedRandomSampler):
        for bad in (0, True, 2.0):
            with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
                make([1.0, 2.0], bad)
        with pytest.raises(ValueError, match="replacement should be a boolean value"):
            make([1.0, 2.0], 2, replacement=0)
        with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights have shape \(2, 1\)"):
            make([[1.0], [2.0]], 2)
    with pytest.raises((ValueError, RuntimeError)):
        list(WeightedRandomSampler([-1.0, 2.0], 2))


@pytest.mark.parametrize("n", [1, 7, 10, 12])
@pytest.mark.parametrize("replicas", [1, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_without_shuffle_matches_torch(torch, n, replicas, drop_last):
    for rank in range(replicas):
        ours = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = torch.utils.data.DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)
        assert (ours.num_samples, ours.total_size) == (theirs.num_samples, theirs.total_size)


def test_distributed_sampler_shuffle_shards_one_permutation():
    n, replicas = 23, 4
    shards = [DistributedSampler(range(n), replicas, r, seed=7) for r in range(replicas)]
    epoch0 = [list(s) for s in shards]
    assert all(len(e) == 6 for e in epoch0)
    flat = [i for e in epoch0 for i in e]
    assert set(flat) == set(range(n)) and len(flat) == 24  # one index repeated as padding
    assert [list(s) for s in shards] == epoch0  # same epoch, same order
    for s in shards:
        s.set_epoch(1)
    epoch1 = [list(s) for s in shards]
    assert epoch1 != epoch0 and {i for e in epoch1 for i in e} == set(range(n))
    assert [list(DistributedSampler(range(n), replicas, r, seed=8)) for r in range(replicas)] != epoch0
    dropped = [list(DistributedSampler(range(n), replicas, r, seed=7, drop_last=True)) for r in range(replicas)]
    flat = [i for e in dropped for i in e]
    assert len(flat) == 20 and len(set(flat)) == 20


def test_distributed_sampler_errors(torch):
    for make in (DistributedSampler, torch.utils.data.DistributedSampler):
        for rank in (-1, 3):
            with pytest.raises(ValueError, match=r"Invalid rank -?\d, rank should be in the interval \[0, 2\]"):
                make(range(5), num_replicas=3, rank=rank)
    # no process group: both ask for one (ValueError with torch's message)
    for make in (DistributedSampler, torch.utils.data.DistributedSampler):
        for kwargs in ({}, {"num_replicas": 2}, {"rank": 0}):
            with pytest.raises(ValueError, match="Default process group has not been initialized"):
                make(range(5), **kwargs)

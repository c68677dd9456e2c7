"""DataLoader in the main process (num_workers=0) against torch.utils.data.DataLoader: the same batches
where the order is deterministic, the same len() and argument errors; shuffling repeats under a
generator; a TensorDataset is gathered per batch, equal to the per-sample path."""
import warnings

import numpy as np
import pytest

import ember
from ember.data import BatchSampler, DataLoader, Dataset, IterableDataset, SequentialSampler, TensorDataset


def as_lists(batches):
    """Batches with tensors as nested lists (comparable across libraries)."""
    def conv(b):
        if hasattr(b, "tolist"):
            return b.tolist()
        if isinstance(b, dict):
            return {k: conv(v) for k, v in b.items()}
        if isinstance(b, (list, tuple)):
            return [conv(x) for x in b]
        return b
    return [conv(b) for b in batches]


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": float(i) ** 2, "i": i}


def counting(base):
    """A stream of 0 .. n-1 whose len() says ``reported`` (default n), on ember's or torch's base."""
    class Count(base):
        def __init__(self, n, reported=None):
            self.n, self.reported = n, reported

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n if self.reported is None else self.reported
    return Count


Count = counting(IterableDataset)


CONFIGS = [dict(), dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None),
           dict(batch_size=4, sampler=[9, 1, 5, 5, 0]), dict(batch_sampler=[[1, 2], [0], [9, 8, 7]]),
           dict(batch_size=2, collate_fn=lambda b: b)]


@pytest.mark.parametrize("config", range(len(CONFIGS)))
def test_batches_and_len_match_torch(torch, config):
    kw = CONFIGS[config]
    ours = DataLoader(Squares(10), **kw)
    theirs = torch.utils.data.DataLoader(Squares(10), **kw)
    assert as_lists(ours) == as_lists(theirs)
    assert len(ours) == len(theirs)


@pytest.mark.parametrize("kw", [dict(batch_size=2), dict(batch_size=2, drop_last=True), dict(batch_size=None),
                                dict(batch_size=3)])
def test_iterable_dataset_matches_torch(torch, kw):
    TorchCount = counting(torch.utils.data.IterableDataset)
    ours, theirs = DataLoader(Count(7), **kw), torch.utils.data.DataLoader(TorchCount(7), **kw)
    assert as_lists(ours) == as_lists(theirs) and len(ours) == len(theirs)


def test_iterable_dataset_len_warning_matches_torch(torch):
    for make, Count in ((DataLoader, counting(IterableDataset)),
                        (torch.utils.data.DataLoader, counting(torch.utils.data.IterableDataset))):
        loader = make(Count(6, reported=2), batch_size=1)
        assert len(loader) == 2
        with pytest.warns(UserWarning, match=r"Length of IterableDataset .* was reported to be 2"):
            assert len(list(loader)) == 6
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            list(make(Count(6, reported=2), batch_size=1))  # len() not asked: no warning


def test_argument_errors_match_torch(torch):
    cases = [dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2), dict(persistent_workers=True),
             dict(num_workers=1, prefetch_factor=-1), dict(sampler=[0, 1], shuffle=True),
             dict(batch_sampler=[[0]], batch_size=2), dict(batch_sampler=[[0]], shuffle=True),
             dict(batch_sampler=[[0]], sampler=[0]), dict(batch_sampler=[[0]], drop_last=True),
             dict(batch_size=None, drop_last=True), dict(multiprocessing_context="fork"),
             dict(num_workers=1, multiprocessing_context="nonsense")]
    for kw in cases:
        with pytest.raises(ValueError) as theirs:
            torch.utils.data.DataLoader(range(4), **kw)
        with pytest.raises(ValueError) as ours:
            DataLoader(range(4), **kw)
        assert str(ours.value).split(":")[0] == str(theirs.value).split(":")[0], kw
    for make, Count in ((DataLoader, counting(IterableDataset)),
                        (torch.utils.data.DataLoader, counting(torch.utils.data.IterableDataset))):
        with pytest.raises(TypeError, match="multiprocessing_context option should be a valid context"):
            make(range(4), num_workers=1, multiprocessing_context=3)
        for kw in (dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])):
            with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected unspecified"):
                make(Count(3), **kw)
        loader = make(range(4))
        for attr in ("batch_size", "sampler", "dataset", "drop_last", "batch_sampler", "persistent_workers"):
            with pytest.raises(ValueError, match=f"{attr} attribute should not be set after DataLoader is initialized"):
                setattr(loader, attr, None)
        loader.num_workers = 0  # others may change


def test_defaults_match_torch(torch):
    import inspect

    ours = inspect.signature(DataLoader).parameters
    theirs = inspect.signature(torch.utils.data.DataLoader).parameters
    assert list(ours) == list(theirs)
    assert {k: p.default for k, p in ours.items()} == {k: p.default for k, p in theirs.items()}
    loader = DataLoader(range(3), num_workers=2)
    assert (loader.prefetch_factor, loader.batch_size, loader.timeout, loader.in_order) == (2, 1, 0, True)
    assert loader.collate_fn is ember.data.default_collate
    assert DataLoader(range(3), batch_size=None).collate_fn is ember.data.default_convert


def test_pin_memory_is_a_no_op_with_torchs_warning():
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found"):
        batches = list(DataLoader(range(5), batch_size=2, pin_memory=True))
    assert as_lists(batches) == [[0, 1], [2, 3], [4]]


def test_shuffle_draws_from_the_generator_once_per_epoch():
    loader = DataLoader(range(50), batch_size=8, shuffle=True, generator=ember.Generator().manual_seed(0))
    epoch1, epoch2 = as_lists(loader), as_lists(loader)
    flat1 = [i for b in epoch1 for i in b]
    assert sorted(flat1) == list(range(50)) and [len(b) for b in epoch1] == [8] * 6 + [2]
    assert epoch1 != epoch2
    again = DataLoader(range(50), batch_size=8, shuffle=True, generator=ember.Generator().manual_seed(0))
    assert as_lists(again) == epoch1 and as_lists(again) == epoch2
    # with no generator, ember's default one
    ember.manual_seed(11)
    a = as_lists(DataLoader(range(50), batch_size=8, shuffle=True))
    ember.manual_seed(11)
    assert as_lists(DataLoader(range(50), batch_size=8, shuffle=True)) == a


@pytest.mark.parametrize("kw", [dict(batch_size=7), dict(batch_size=7, shuffle=True, drop_last=True),
                                dict(batch_size=64, shuffle=True), dict(batch_size=None),
                                dict(batch_sampler=BatchSampler(SequentialSampler(range(30)), 4, False))])
def test_tensor_dataset_gathering_equals_the_per_sample_path(kw):
    x = ember.randn(30, 3, 2)
    y = ember.arange(30)
    z = ember.randint(0, 255, (30,), dtype=ember.uint8)
    fast = DataLoader(TensorDataset(x, y, z), generator=ember.Generator().manual_seed(4), **kw)

    class PerSample(Dataset):  # the same data without __getitems__
        def __len__(self):
            return 30

        def __getitem__(self, i):
            return (x[i], y[i], z[i])

    slow = DataLoader(PerSample(), generator=ember.Generator().manual_seed(4), **kw)
    a, b = list(fast), list(slow)
    assert len(a) == len(b) > 0
    for p, q in zip(a, b):
        assert type(p) is type(q)
        for u, v in zip(p, q):
            assert u.dtype == v.dtype and u.shape == v.shape and ember.equal(u, v)


def test_tensor_dataset_custom_collate_gets_a_list_of_samples():
    seen = []

    def collate(samples):
        seen.append(samples)
        return len(samples)

    ds = TensorDataset(ember.arange(5), ember.arange(5) * 2)
    assert list(DataLoader(ds, batch_size=2, collate_fn=collate)) == [2, 2, 1]
    assert type(seen[0]) is list and seen[0][1][1].item() == 2 and isinstance(seen[0][0], tuple)


def test_keyboard_interrupt_from_the_dataset_propagates():
    class Interrupting(Dataset):
        def __len__(self):
            return 10

        def __getitem__(self, i):
            if i == 3:
                raise KeyboardInterrupt
            return i

    got = []
    with pytest.raises(KeyboardInterrupt):
        for batch in DataLoader(Interrupting(), batch_size=1):
            got.append(batch.item())
    assert got == [0, 1, 2]


def test_errors_in_the_dataset_propagate_unwrapped():
    class Failing(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            raise ValueError(f"bad sample {i}")

    with pytest.raises(ValueError, match="bad sample 0"):
        next(iter(DataLoader(Failing())))


def test_numpy_samples_become_tensors():
    class Arrays(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return np.full((2,), i, dtype=np.float32), np.int64(i)

    x, y = next(iter(DataLoader(Arrays(), batch_size=4)))
    assert x.dtype == ember.float32 and x.shape == (4, 2) and y.dtype == ember.int64 and y.tolist() == [0, 1, 2, 3]

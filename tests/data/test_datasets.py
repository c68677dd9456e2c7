"""Datasets and random_split against torch.utils.data: the same samples, lengths and errors."""
import warnings

import numpy as np
import pytest

import ember
from ember.data import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset, TensorDataset,
                        random_split)


class Stream(IterableDataset):
    def __init__(self, items):
        self.items = list(items)

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def test_utils_data_is_the_same_module():
    import ember.utils.data as d
    from ember.utils.data import DataLoader

    assert d is ember.data and ember.utils.data is ember.data and DataLoader is ember.data.DataLoader


def test_the_names_of_torch_utils_data_are_here(torch):
    ours = set(ember.data.__all__)
    theirs = {n for n in torch.utils.data.__all__ if not n.startswith("_") and "DataPipe" not in n
              and n not in {"DataChunk", "argument_validation", "functional_datapipe", "guaranteed_datapipes_determinism",
                            "non_deterministic", "runtime_validation", "runtime_validation_disabled"}}
    assert theirs <= ours, theirs - ours


def test_dataset_base():
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement __getitem__"):
        Dataset()[0]
    both = Subset([1, 2], [0, 1]) + Subset([3], [0])
    assert isinstance(both, ConcatDataset) and list(both) == [1, 2, 3]
    chained = Stream([1]) + Stream([2, 3])
    assert isinstance(chained, ChainDataset) and list(chained) == [1, 2, 3]


def test_tensor_dataset_matches_torch(torch):
    x = np.arange(24, dtype=np.float32).reshape(6, 4)
    y = np.arange(6)
    ours = TensorDataset(ember.tensor(x), ember.tensor(y))
    theirs = torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y))
    assert len(ours) == len(theirs) == 6
    for i in (0, 3, -1):
        for a, b in zip(ours[i], theirs[i]):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    for make, T in ((TensorDataset, ember.zeros), (torch.utils.data.TensorDataset, torch.zeros)):
        with pytest.raises(AssertionError, match="Size mismatch between tensors"):
            make(T(3, 2), T(4))


def test_tensor_dataset_getitems_gathers_the_batch():
    x, y = ember.randn(10, 3), ember.arange(10)
    ds = TensorDataset(x, y)
    idx = [7, 2, 2, -1]
    batch = ds.__getitems__(idx)
    assert len(batch) == 4
    for j, i in enumerate(idx):  # the samples, as __getitem__ gives them
        assert ember.equal(batch[j][0], ds[i][0]) and ember.equal(batch[j][1], ds[i][1])
    assert all(ember.equal(a[0], ds[2][0]) for a in batch[1:3]) and len(batch[1:3]) == 2
    collated = ember.data.default_collate(batch)
    assert ember.equal(collated[0], ember.stack([x[i] for i in idx])) and collated[1].tolist() == [7, 2, 2, 9]
    with pytest.raises(IndexError):
        ds.__getitems__([10])


def test_subset(torch):
    base = list(range(10, 20))
    ours, theirs = Subset(base, [4, 0, 9]), torch.utils.data.Subset(base, [4, 0, 9])
    assert [ours[i] for i in range(3)] == [theirs[i] for i in range(3)] == [14, 10, 19]
    assert ours.__getitems__([2, 0]) == theirs.__getitems__([2, 0]) == [19, 14]
    tensors = TensorDataset(ember.arange(10))
    assert Subset(tensors, [3, 5]).__getitems__([1, 0])[0][0].item() == 5  # through the gathering path

    class Bad(Subset):
        def __getitem__(self, i):
            return 0

    for base_cls in (Subset, torch.utils.data.Subset):
        Bad.__bases__ = (base_cls,)
        with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
            Bad(base, [0])


def test_concat_dataset_matches_torch(torch):
    parts = [[1, 2, 3], [4], [], [5, 6]]
    ours, theirs = ConcatDataset(parts), torch.utils.data.ConcatDataset(parts)
    assert len(ours) == len(theirs) == 6 and ours.cumulative_sizes == theirs.cumulative_sizes
    assert [ours[i] for i in range(-6, 6)] == [theirs[i] for i in range(-6, 6)]
    for ds in (ours, theirs):
        with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
            ds[-7]
        with pytest.raises(IndexError):
            ds[6]
    for make in (ConcatDataset, torch.utils.data.ConcatDataset):
        with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
            make([])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([Stream([1])])


def test_chain_dataset():
    ds = ChainDataset([Stream([1, 2]), Stream([]), Stream([3])])
    assert list(ds) == [1, 2, 3] and len(ds) == 3
    bad = ChainDataset([Stream([1]), [2]])
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(bad)
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        len(bad)


def test_stack_dataset_matches_torch(torch):
    a, b = list(range(5)), list("abcde")
    for make in (StackDataset, torch.utils.data.StackDataset):
        assert make(a, b)[2] == (2, "c") and make(x=a, y=b)[4] == {"x": 4, "y": "e"} and len(make(a, b)) == 5
        assert make(a, Subset(b, range(5))).__getitems__([1, 3]) == [(1, "b"), (3, "d")]
        assert make(x=a, y=Subset(b, range(5))).__getitems__([0]) == [{"x": 0, "y": "a"}]
        with pytest.raises(ValueError, match="Size mismatch between datasets"):
            make(a, b[:3])
        with pytest.raises(ValueError, match="At least one dataset should be passed"):
            make()
        with pytest.raises(ValueError, match="both types are given"):
            make(a, y=b)
    ds = StackDataset(TensorDataset(ember.arange(5)), a)
    first = ds.__getitems__([4, 1])
    assert first[0][0][0].item() == 4 and first[1][1] == 1


@pytest.mark.parametrize("n", [0, 1, 7, 10, 101])
@pytest.mark.parametrize("fractions", [[0.5, 0.5], [0.6, 0.2, 0.2], [0.1, 0.3, 0.3, 0.3], [1 / 3] * 3, [1.0]])
def test_random_split_lengths_match_torch(torch, n, fractions):
    with warnings.catch_warnings(record=True) as ours_w:
        warnings.simplefilter("always")
        ours = random_split(range(n), fractions, generator=ember.Generator().manual_seed(0))
    with warnings.catch_warnings(record=True) as theirs_w:
        warnings.simplefilter("always")
        theirs = torch.utils.data.random_split(range(n), fractions, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    assert [str(w.message) for w in ours_w] == [str(w.message) for w in theirs_w]
    assert sorted(i for s in ours for i in s) == list(range(n))  # disjoint, covering


def test_random_split_is_a_seeded_permutation():
    def split(seed):
        return [list(s) for s in random_split(range(50), [20, 30], generator=ember.Generator().manual_seed(seed))]

    a = split(0)
    assert [len(s) for s in a] == [20, 30] and sorted(a[0] + a[1]) == list(range(50))
    assert split(0) == a and split(1) != a
    ember.manual_seed(5)
    b = [list(s) for s in random_split(range(50), [0.4, 0.6])]
    ember.manual_seed(5)
    assert [list(s) for s in random_split(range(50), [0.4, 0.6])] == b


def test_random_split_errors_match_torch(torch):
    for split in (random_split, torch.utils.data.random_split):
        with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset"):
            split(range(10), [3, 3])
        with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
            split(range(10), [0.5, 0.4])
        with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):  # 1.5 + -0.5 sums to 1
            split(range(10), [0.5, 1.5, -1.0])


def test_docstring_examples_run():
    import doctest

    import ember.data._collate
    import ember.data._worker
    import ember.data.dataloader
    import ember.data.dataset
    import ember.data.sampler

    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for module in (ember.data.dataset, ember.data.sampler, ember.data._collate, ember.data.dataloader,
                   ember.data._worker):
        for test in doctest.DocTestFinder().find(module, globs={"ember": ember}):
            ember.manual_seed(0)
            runner.run(test)
    assert runner.failures == 0 and runner.tries > 40, (runner.failures, runner.tries)

"""default_collate and default_convert against torch.utils.data's: the same structure and types, tensors
equal to torch's (compared through NumPy) with the same dtypes, and the same errors."""
import collections

import numpy as np
import pytest

import ember
from ember.data import default_collate, default_convert

Point = collections.namedtuple("Point", ["x", "y"])


class Frozen(collections.abc.Mapping):  # an immutable mapping that takes a dict
    def __init__(self, d):
        self.d = dict(d)

    def __getitem__(self, k):
        return self.d[k]

    def __iter__(self):
        return iter(self.d)

    def __len__(self):
        return len(self.d)


def to_torch(obj, torch):
    """The same sample with ember tensors as torch tensors."""
    if isinstance(obj, ember.Tensor):
        return torch.from_numpy(obj.numpy().copy())
    if isinstance(obj, Point):
        return Point(*(to_torch(o, torch) for o in obj))
    if isinstance(obj, Frozen):
        return Frozen({k: to_torch(v, torch) for k, v in obj.items()})
    if isinstance(obj, dict):
        return {k: to_torch(v, torch) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_torch(o, torch) for o in obj)
    return obj


def assert_same(ours, theirs, torch):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ember.Tensor), type(ours)
        assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        return
    assert type(ours) is type(theirs), (type(ours), type(theirs))
    if isinstance(theirs, collections.abc.Mapping):
        assert list(ours) == list(theirs)
        for k in theirs:
            assert_same(ours[k], theirs[k], torch)
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b, torch)
    elif isinstance(theirs, np.ndarray):
        np.testing.assert_array_equal(ours, theirs)
    else:
        assert ours == theirs


BATCHES = {
    "tensors": [ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])],
    "int_tensors": [ember.tensor([[1, 2]], dtype=ember.int32), ember.tensor([[3, 4]], dtype=ember.int32)],
    "scalar_tensors": [ember.tensor(1, dtype=ember.uint8), ember.tensor(2, dtype=ember.uint8)],
    "ints": [0, 1, 2],
    "floats": [0.5, 1.5],
    "mixed_numbers": [1, 2.5],
    "bools": [True, False],
    "strings": ["a", "bc"],
    "bytes": [b"a", b"b"],
    "arrays": [np.arange(3, dtype=np.float64), np.arange(3, 6, dtype=np.float64)],
    "int32_arrays": [np.ones((2, 2), np.int32), np.zeros((2, 2), np.int32)],
    "uint8_arrays": [np.ones(3, np.uint8), np.zeros(3, np.uint8)],
    "np_float32": [np.float32(1), np.float32(2)],
    "np_float64": [np.float64(1), np.float64(2)],
    "np_int16": [np.int16(1), np.int16(2)],
    "np_bool": [np.bool_(True), np.bool_(False)],
    "tuples": [(ember.tensor([1.0]), 0, "a"), (ember.tensor([2.0]), 1, "b")],
    "lists": [[1, 2.0], [3, 4.0]],
    "namedtuples": [Point(1, 2.0), Point(3, 4.0)],
    "dicts": [{"img": ember.ones(2, 2), "label": 1, "name": "x"}, {"img": ember.zeros(2, 2), "label": 0, "name": "y"}],
    "mappings": [Frozen({"a": 1}), Frozen({"a": 2})],
    "nested": [{"pair": (np.ones(2), [1, 2]), "p": Point(ember.tensor(1.0), "s")},
               {"pair": (np.zeros(2), [3, 4]), "p": Point(ember.tensor(2.0), "t")}],
}


@pytest.mark.parametrize("name", sorted(BATCHES))
def test_default_collate_matches_torch(torch, name):
    batch = BATCHES[name]
    assert_same(default_collate(batch), torch.utils.data.default_collate(to_torch(batch, torch)), torch)


@pytest.mark.parametrize("name", sorted(BATCHES))
def test_default_convert_matches_torch(torch, name):
    sample = BATCHES[name][0]
    assert_same(default_convert(sample), torch.utils.data.default_convert(to_torch(sample, torch)), torch)


def test_default_convert_leaves_string_arrays(torch):
    arr = np.array(["a", "b"])
    assert default_convert(arr) is arr and torch.utils.data.default_convert(arr) is arr
    assert default_convert(5) == 5 and default_convert("s") == "s"


def test_default_collate_errors_match_torch(torch):
    cases = [([object(), object()], TypeError, "found <class 'object'>"),
             ([np.array(["a"]), np.array(["b"])], TypeError, "found <U1"),
             ([[1, 2], [3]], RuntimeError, "each element in list of batch should be of equal size"),
             ([None, None], TypeError, "found <class 'NoneType'>")]
    for batch, error, message in cases:
        for collate in (default_collate, torch.utils.data.default_collate):
            with pytest.raises(error, match=message) as info:
                collate(batch)
            assert str(info.value).startswith("default_collate: ") or error is RuntimeError
    for collate, T in ((default_collate, ember.zeros), (torch.utils.data.default_collate, torch.zeros)):
        with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[2\] at entry "
                                               r"0 and \[3\] at entry 1"):
            collate([T(2), T(3)])

"""Subscripts (__getitem__ / __setitem__) against PyTorch and NumPy, plus Hypothesis property
tests of basic indexing, broadcasting, reshape and reductions against NumPy."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

SETTINGS = settings(max_examples=50, deadline=None)


def _em(a):
    """An ember tensor holding a copy of the NumPy array a (any shape, 0-d included)."""
    return ember.from_numpy(np.array(a, copy=True, order="C"))


class Ix:
    """A tensor index, built as an ember / torch / numpy integer or bool array per library."""

    def __init__(self, values, dtype=None):
        self.a = np.asarray(values, dtype=dtype)
        if self.a.dtype.kind in "iu":
            self.a = self.a.astype(np.int64)

    def __repr__(self):
        if self.a.size > 6:
            return f"Ix<{self.a.dtype}{list(self.a.shape)}>"
        return f"Ix({self.a.tolist()!r})"


def _convert(idx, lib, torch=None):
    if isinstance(idx, tuple):
        return tuple(_convert(i, lib, torch) for i in idx)
    if isinstance(idx, Ix):
        if lib == "ember":
            return _em(idx.a)
        if lib == "torch":
            return torch.from_numpy(idx.a.copy())
        return idx.a
    return idx


def _assert_matches_torch(e, t):
    torch = pytest.importorskip("torch")
    assert isinstance(e, ember.Tensor), type(e)
    assert tuple(e.shape) == tuple(t.shape)
    names = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64",
             torch.bool: "bool"}
    assert str(e.dtype) == "ember." + names[t.dtype]
    np.testing.assert_array_equal(np.asarray(e), t.numpy())


X_SHAPE = (4, 5, 6)


def _x(dtype=np.float64):
    return np.arange(int(np.prod(X_SHAPE))).reshape(X_SHAPE).astype(dtype)


rng = np.random.default_rng(1234)
MASK_FULL = rng.random(X_SHAPE) > 0.5
MASK_0 = np.array([True, False, True, True])
MASK_01 = rng.random((4, 5)) > 0.4
MASK_1 = np.array([False, True, True, False, True])
MASK_12 = rng.random((5, 6)) > 0.6

GETITEM_CASES = [
    # ints
    0, 3, -1, -4, (1, 2), (-1, -2, -3), (0, 4, 5), (2, -1),
    # slices
    slice(None), slice(1, 3), slice(None, None, 2), slice(1, None, 3), slice(None, -1),
    slice(-3, None), slice(10, 20), slice(3, 1), slice(None, None, 10), slice(-100, 100),
    (slice(1, 3), slice(None, None, 2)),
    (slice(None), slice(None), slice(1, 5, 2)), (1, slice(None, None, 2), -1), (slice(0, 0), 2),
    # None and Ellipsis
    None, (None, 0), (Ellipsis, None), (0, Ellipsis, 1), (Ellipsis,), (Ellipsis, 2),
    (None, Ellipsis, None, 1),
    (slice(None), None, slice(1, 3), None), (None, None, None), (Ellipsis, slice(None, None, 4)),
    (),
    # integer lists and tensors
    [0, 2], Ix([[0, 1], [2, 3]]), [-1, 0], [3, 3, 1], Ix([2, 0]), Ix([[1], [2]]), Ix(2),
    Ix(np.zeros(0, dtype=np.int64)), [],
    ([0, 1], [1, 2]), ([0, 1], slice(None), [1, 2]), (slice(None), [0, 1], [2, 3]),
    ([0, 1], 2), (1, slice(None), [0, 2]), (0, slice(None), [1, 2]),
    (None, [0, 1], slice(None), [1, 2]),
    (Ix([[0], [3]]), Ix([1, 2, 4])), (Ix([[0], [3]]), slice(None), Ix([1, 2, 5])),
    (slice(1, 3), Ix([[0, 4], [1, 1]])), (Ellipsis, Ix([0, -1])),
    (Ix([0, 1]), Ellipsis, Ix([5, 4])),
    (slice(None), Ix([0, 1]), None, Ix([1, 2])), ([0, 1], None, [1, 2]),
    (Ix([1, 2]), slice(None, None, 2), 3), (Ix(1), Ix([0, 1])), ([2], [3], [4]),
    # bool masks
    Ix(MASK_FULL), Ix(MASK_0), Ix(MASK_01), (slice(None), Ix(MASK_1)), (slice(None), Ix(MASK_12)),
    (Ix(MASK_0), Ix([0, 1, 2])), (Ix(MASK_0), slice(None), Ix([0, 1, 2])), (Ellipsis, Ix(MASK_12)),
    Ix(np.zeros(4, dtype=bool)), Ix(np.ones(X_SHAPE, dtype=bool)), (1, Ix(MASK_12)),
    (Ix(MASK_01), 2), True, False, (True, 0), (None, False), (Ix(True), slice(1, 2)),
]


@pytest.mark.parametrize("idx", GETITEM_CASES, ids=repr)
def test_getitem_matches_torch(idx):
    torch = pytest.importorskip("torch")
    x = _x()
    e = _em(x)[_convert(idx, "ember")]
    t = torch.from_numpy(x.copy())[_convert(idx, "torch", torch)]
    _assert_matches_torch(e, t)


@pytest.mark.parametrize("dtype", [np.bool_, np.int64, np.float32, np.float64])
@pytest.mark.parametrize(
    "idx", [1, (slice(None), 2), (Ix([0, 3]), slice(1, 4)), Ix(MASK_01), (Ellipsis, Ix([1, 0]))],
    ids=repr
)
def test_getitem_dtypes(dtype, idx):
    torch = pytest.importorskip("torch")
    x = (_x() % 3).astype(dtype)
    e = _em(x)[_convert(idx, "ember")]
    t = torch.from_numpy(x.copy())[_convert(idx, "torch", torch)]
    _assert_matches_torch(e, t)


@pytest.mark.parametrize(
    "idx",
    [0, slice(1, 3), (slice(None), 2), (Ellipsis, -1), None, [0, 1], Ix([[1, 1], [0, 2]]),
     Ix(MASK_0), (1, 2), (slice(None, None, 2), Ix([2, 0]))],
    ids=repr,
)
def test_getitem_matches_numpy_where_semantics_agree(idx):
    x = _x()
    np.testing.assert_array_equal(np.asarray(_em(x)[_convert(idx, "ember")]),
                                  x[_convert(idx, "numpy")])


@pytest.mark.parametrize(
    "idx",
    [np.array([0, 2]), np.array([[1], [3]]), (slice(None), np.array([4, 0])), MASK_0, MASK_01,
     np.int64(2), (np.int64(1), slice(None), np.array([5, 5]))],
    ids=["int_array", "int_2d", "slice_array", "mask0", "mask01", "np_int", "mixed"],
)
def test_numpy_arrays_as_indices_match_torch(idx):
    torch = pytest.importorskip("torch")
    x = _x()
    _assert_matches_torch(_em(x)[idx], torch.from_numpy(x.copy())[idx])
    ex, tx = _em(x), torch.from_numpy(x.copy())
    ex[idx] = -1.0
    tx[idx] = -1.0
    _assert_matches_torch(ex, tx)


def test_setitem_numpy_array_value():
    x = _em(np.zeros((2, 3)))
    x[1] = np.array([1.0, 2.0, 3.0])
    x[:, 0] = np.array([7, 8])
    assert x.tolist() == [[7.0, 0.0, 0.0], [8.0, 2.0, 3.0]]


def test_advanced_index_result_placement():
    """Adjacent advanced indices stay in place; separated ones move to the front (as torch)."""
    x = _em(np.zeros((2, 3, 4, 5)))
    i = ember.from_numpy(np.array([0, 1, 0]))
    assert tuple(x[:, i, i].shape) == (2, 3, 5)
    assert tuple(x[:, :, i, i].shape) == (2, 3, 3)
    assert tuple(x[i, :, i].shape) == (3, 3, 5)
    assert tuple(x[:, i, :, i].shape) == (3, 2, 4)
    assert tuple(x[i, ..., i].shape) == (3, 3, 4)
    j = ember.from_numpy(np.array([[0], [1]]))
    assert tuple(x[:, j, i].shape) == (2, 2, 3, 5)
    assert tuple(x[j, :, :, i].shape) == (2, 3, 3, 4)


def test_zero_d_tensor_indexing():
    torch = pytest.importorskip("torch")
    for idx in [(), Ellipsis, None, (None, None), (Ellipsis, None), True, False]:
        e = _em(np.array(3.5))[idx]
        t = torch.tensor(3.5, dtype=torch.float64)[idx]
        _assert_matches_torch(e, t)
    with pytest.raises(IndexError):
        _em(np.array(3.5))[0]
    with pytest.raises(IndexError):
        _em(np.array(3.5))[:]


def test_zero_d_index_result_item():
    x = _em(_x())
    v = x[1, 2, 3]
    assert v.dim() == 0 and tuple(v.shape) == ()
    assert v.item() == _x()[1, 2, 3]


def test_getitem_tensor_index_is_int_like():
    x = _em(_x())
    k = ember.from_numpy(np.array(2))
    np.testing.assert_array_equal(np.asarray(x[k]), _x()[2])
    np.testing.assert_array_equal(np.asarray(x[np.int64(1), 2]), _x()[1, 2])


@pytest.mark.parametrize(
    "idx,shape",
    [(slice(2, 2), (0, 5, 6)), (Ix(np.zeros(4, dtype=bool)), (0, 5, 6)), ([], (0, 5, 6)),
     ((slice(None), slice(5, None)), (4, 0, 6)), ((Ix([], dtype=np.int64), slice(None), 0), (0, 5)),
     (False, (0, 4, 5, 6))],
    ids=repr,
)
def test_empty_results(idx, shape):
    e = _em(_x())[_convert(idx, "ember")]
    assert tuple(e.shape) == shape
    assert e.numel() == 0
    assert e.tolist() == np.zeros(shape).tolist()


def test_indexing_empty_tensor():
    torch = pytest.importorskip("torch")
    x = np.zeros((0, 3))
    for idx in [slice(None), (slice(None), 1), (Ellipsis, slice(1, 2)), Ix([], dtype=np.int64),
                None]:
        e = _em(x)[_convert(idx, "ember")]
        t = torch.from_numpy(x.copy())[_convert(idx, "torch", torch)]
        _assert_matches_torch(e, t)


# ---- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "idx,size",
    [(4, 4), (-5, 4), ((0, 5), 5), ((0, 0, 6), 6), ((0, -7), 5), (Ix([0, 7]), 4),
     ((slice(None), Ix([-6])), 5), ((Ellipsis, 9), 6), ((None, 4), 4)],
    ids=repr,
)
def test_out_of_range_index_error_names_size(idx, size):
    torch = pytest.importorskip("torch")
    with pytest.raises(IndexError) as torch_err:
        torch.from_numpy(_x())[_convert(idx, "torch", torch)]
    assert f"size {size}" in str(torch_err.value)
    with pytest.raises(IndexError, match=f"size {size}"):
        _em(_x())[_convert(idx, "ember")]


@pytest.mark.parametrize("idx,size",
                         [(4, 4), ((0, 5), 5), (Ix([0, 7]), 4), ((slice(None), Ix([5])), 5)],
                         ids=repr)
def test_out_of_range_setitem_error_names_size(idx, size):
    x = _em(_x())
    before = np.asarray(x).copy()
    with pytest.raises(IndexError, match=f"size {size}"):
        x[_convert(idx, "ember")] = ember.full((), 1.0, dtype=ember.float64)
    np.testing.assert_array_equal(np.asarray(x), before)


@pytest.mark.parametrize(
    "idx,exc",
    [((0, 0, 0, 0), IndexError), (1.5, IndexError), (Ix([1.0, 2.0]), IndexError),
     (Ix(np.ones(3, dtype=bool)), IndexError),
     ((slice(None), Ix(np.ones((5, 5), dtype=bool))), IndexError),
     (slice(None, None, -1), ValueError), ((slice(None), slice(0, 3, -2)), ValueError),
     (slice(None, None, 0), ValueError), (Ix([[0, 1], [1, 2]]), None)],
    ids=repr,
)
def test_invalid_indices_raise_like_torch(idx, exc):
    torch = pytest.importorskip("torch")
    x = _x()
    if exc is None:  # a valid control case
        _assert_matches_torch(_em(x)[_convert(idx, "ember")],
                              torch.from_numpy(x)[_convert(idx, "torch", torch)])
        return
    with pytest.raises(exc):
        torch.from_numpy(x)[_convert(idx, "torch", torch)]
    with pytest.raises(exc):
        _em(x)[_convert(idx, "ember")]


def test_non_index_objects_raise():
    x = _em(_x())
    for bad in ("a", object(), 1j, {1: 2}):
        with pytest.raises((IndexError, TypeError)):
            x[bad]


def test_broadcast_mismatch_of_advanced_indices():
    x = _em(_x())
    with pytest.raises((IndexError, ValueError)):
        x[[0, 1], [0, 1, 2]]


# ---- views share memory ---------------------------------------------------------------


@pytest.mark.parametrize(
    "idx",
    [0, -1, slice(1, 3), (slice(None), 2), (Ellipsis, slice(None, None, 2)), (1, slice(1, 4), None),
     (None, Ellipsis), (2, 3), (slice(None, None, 3), 1, slice(2, None))],
    ids=repr,
)
def test_basic_indexing_returns_views(idx):
    x = _em(_x())
    v = x[idx]
    xs = _x()[idx]
    # Same memory: the offset of the view is where NumPy's view starts.
    base_np = _x()
    offset_elems = (np.asarray(base_np[idx]).__array_interface__["data"][0]
                    - base_np.__array_interface__["data"][0]) // 8
    assert v.data_ptr() == x.data_ptr() + offset_elems * x.element_size()
    assert v.storage_offset() == offset_elems
    assert tuple(v.shape) == np.shape(xs)
    v.fill_(-1.0)
    expected = _x()
    expected[idx] = -1.0
    np.testing.assert_array_equal(np.asarray(x), expected)


def test_view_of_view_writes_through():
    x = _em(np.zeros((4, 6)))
    v = x[1:][:, ::2][1]
    v.add_(3)
    expected = np.zeros((4, 6))
    expected[2, ::2] = 3
    np.testing.assert_array_equal(np.asarray(x), expected)
    assert x[2, 2].item() == 3


def test_advanced_indexing_returns_a_copy():
    x = _em(_x())
    for idx in [[0, 1], ember.from_numpy(MASK_0.copy()), (slice(None), [1, 2])]:
        c = x[idx]
        c.fill_(-5.0)
        np.testing.assert_array_equal(np.asarray(x), _x())


# ---- setitem ------------------------------------------------------------------------------

SETITEM_CASES = [
    (0, 5.0),
    (-1, -2.5),
    ((1, 2, 3), 7.0),
    ((1, 2), np.arange(6.0)),
    ((slice(None), 1), np.arange(6.0)),
    ((slice(None), 1), np.arange(4.0).reshape(4, 1)),
    ((slice(1, 3), slice(None, None, 2)), np.arange(6.0).reshape(1, 1, 6)),
    ((Ellipsis, 0), np.arange(5.0)),
    (None, np.ones((1, 5, 6))),
    ((None, 1), 9.0),
    ([0, 2], 1.5),
    (Ix([0, 2]), np.arange(30.0).reshape(5, 6)),
    (Ix(MASK_FULL), 0.0),
    (Ix(MASK_FULL), np.arange(float(MASK_FULL.sum()))),
    (Ix(MASK_0), np.arange(6.0)),
    (Ix(MASK_01), np.arange(float(MASK_01.sum() * 6)).reshape(-1, 6)),
    ((slice(None), Ix(MASK_1)), -3.0),
    ((Ix([0, 1]), Ix([1, 2])), np.array([7.0, 8.0]).reshape(2, 1)),
    ((slice(None), Ix([0, 2]), slice(1, 3)), np.arange(16.0).reshape(4, 2, 2)),
    ((Ix([0, 1]), slice(None), Ix([1, 2])), np.arange(10.0).reshape(2, 5)),
    ((0, slice(None), Ix([1, 2])), np.arange(10.0).reshape(5, 2)),
    ((Ix([[0], [3]]), Ix([1, 2, 4])), np.arange(6.0)),
    ((Ellipsis, Ix([5, 0])), np.array([-1.0, -2.0])),
    (Ix(np.zeros(4, dtype=bool)), 4.0),
    (slice(2, 2), 4.0),
    (True, np.arange(6.0)),
    (Ellipsis, 2.0),
]


@pytest.mark.parametrize("idx,value", SETITEM_CASES, ids=repr)
@pytest.mark.parametrize("as_tensor", [False, True], ids=["py", "tensor"])
def test_setitem_matches_torch(idx, value, as_tensor):
    torch = pytest.importorskip("torch")
    x = _x()
    ex = _em(x)
    tx = torch.from_numpy(x.copy())
    if isinstance(value, np.ndarray):
        # torch only takes tensors here; ember also takes nested lists (as NumPy does)
        ev = _em(value) if as_tensor else value.tolist()
        tv = torch.from_numpy(value.copy())
    else:
        ev = _em(np.array(value)) if as_tensor else value
        tv = torch.tensor(value, dtype=torch.float64) if as_tensor else value
    ex[_convert(idx, "ember")] = ev
    tx[_convert(idx, "torch", torch)] = tv
    _assert_matches_torch(ex, tx)


@pytest.mark.parametrize(
    "idx,value",
    [(0, 5), ((1, 2, 3), 7), ((slice(None), 1), 3), ([0, 2], 1), (Ix(MASK_FULL), 0)],
    ids=repr,
)
def test_setitem_python_scalars_into_tensors_of_each_dtype(idx, value):
    torch = pytest.importorskip("torch")
    for dtype in (np.int64, np.float32, np.float64, np.bool_):
        x = (_x() % 2).astype(dtype)
        v = bool(value) if dtype == np.bool_ else value
        ex, tx = _em(x), torch.from_numpy(x.copy())
        ex[_convert(idx, "ember")] = v
        tx[_convert(idx, "torch", torch)] = v
        _assert_matches_torch(ex, tx)


def test_setitem_float_into_int_tensor_truncates_like_torch():
    torch = pytest.importorskip("torch")
    ex = _em(np.zeros(4, dtype=np.int64))
    tx = torch.zeros(4, dtype=torch.int64)
    ex[1:3] = 2.7
    tx[1:3] = 2.7
    _assert_matches_torch(ex, tx)
    ex[ember.from_numpy(np.array([0]))] = -3.9
    tx[torch.tensor([0])] = -3.9
    _assert_matches_torch(ex, tx)
    ex[3] = 5.5
    tx[3] = 5.5
    _assert_matches_torch(ex, tx)


def test_setitem_other_dtype_tensor_value():
    x = _em(np.zeros((2, 3)))
    x[0] = ember.from_numpy(np.array([True, False, True]))
    x[1] = ember.from_numpy(np.array([4, 5, 6]))
    assert x.tolist() == [[1.0, 0.0, 1.0], [4.0, 5.0, 6.0]]
    assert x.dtype == ember.float64


def test_setitem_zero_d_target():
    x = _em(np.array(1.5))
    x[()] = 4.0
    assert x.item() == 4.0
    x[...] = _em(np.array(-2.0))
    assert x.item() == -2.0
    assert x.shape == ()


def test_setitem_into_view_writes_base():
    x = _em(np.zeros((3, 4)))
    v = x[1:]
    v[:, 1] = 5.0
    v[ember.from_numpy(np.array([1])), 3] = 7.0
    expected = np.zeros((3, 4))
    expected[1:, 1] = 5
    expected[2, 3] = 7
    np.testing.assert_array_equal(np.asarray(x), expected)


def test_setitem_shape_mismatch_raises():
    torch = pytest.importorskip("torch")
    x = _x()
    with pytest.raises(RuntimeError):
        torch.from_numpy(x)[0] = torch.zeros(3, 3, dtype=torch.float64)
    with pytest.raises((ValueError, RuntimeError)):
        _em(x)[0] = _em(np.zeros((3, 3)))
    with pytest.raises((ValueError, RuntimeError)):
        _em(x)[[0, 1]] = _em(np.zeros((3, 5, 6)))
    with pytest.raises((ValueError, RuntimeError)):
        _em(x)[Ix(MASK_0).a.tolist()] = _em(np.zeros(2))


def test_setitem_bumps_version():
    x = _em(np.zeros(5))
    v0 = x._version
    x[1:3] = 1.0
    v1 = x._version
    x[[0, 4]] = 2.0
    v2 = x._version
    assert v0 < v1 < v2
    assert x.tolist() == [2.0, 1.0, 1.0, 0.0, 2.0]


def test_iteration_and_len():
    x = _em(_x())
    assert len(x) == 4
    rows = list(x)
    assert len(rows) == 4
    for i, r in enumerate(rows):
        np.testing.assert_array_equal(np.asarray(r), _x()[i])
    with pytest.raises(TypeError):
        len(_em(np.array(1.0)))


# ---------------------------------------------------------------------------------------
# Hypothesis property tests against NumPy
# ---------------------------------------------------------------------------------------

shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)


@st.composite
def basic_index(draw, shape):
    """A random tuple of ints, positive-step slices, None and at most one Ellipsis for shape."""
    n = len(shape)
    consumed = draw(st.integers(0, n))
    entries = []
    for d in range(consumed):
        size = shape[d]
        if size > 0 and draw(st.booleans()):
            entries.append(draw(st.integers(-size, size - 1)))
        else:
            bound = st.none() | st.integers(-size - 3, size + 3)
            entries.append(slice(draw(bound), draw(bound), draw(st.none() | st.integers(1, 4))))
    for _ in range(draw(st.integers(0, 2))):
        entries.insert(draw(st.integers(0, len(entries))), None)
    if draw(st.booleans()):
        # An Ellipsis standing for the dims between the entries taken from the front and the back.
        k = draw(st.integers(0, len(entries)))
        tail = [e for e in entries[k:]]
        head = entries[:k]
        # Re-target the tail entries at the last dims: valid for any entry since they only
        # consume dims, and an int must stay within its (new) dim's size.
        fixed_tail = []
        tail_dims = [e for e in tail if e is not None]
        first_dim = n - len(tail_dims)
        di = first_dim
        for e in tail:
            if e is None:
                fixed_tail.append(None)
                continue
            size = shape[di]
            if isinstance(e, int):
                if size == 0:
                    e = slice(None)
                else:
                    e = max(-size, min(e, size - 1))
            fixed_tail.append(e)
            di += 1
        entries = head + [Ellipsis] + fixed_tail
    return tuple(entries)


@st.composite
def array_and_index(draw):
    shape = draw(shapes)
    return shape, draw(basic_index(shape))


@SETTINGS
@given(array_and_index(), st.sampled_from([np.float32, np.float64, np.int64, np.bool_]))
def test_hypothesis_basic_indexing_matches_numpy(case, dtype):
    shape, idx = case
    a = np.array(np.arange(int(np.prod(shape))).reshape(shape) % 7, dtype=dtype)
    t = _em(a)
    raw = a[idx]  # a NumPy scalar (not a view) when every dim of a 0-d or n-d array is taken
    expected = np.asarray(raw)
    got = t[idx]
    assert tuple(got.shape) == expected.shape, (shape, idx)
    np.testing.assert_array_equal(np.asarray(got), expected)
    # basic indexing is a view: its strides and offset are NumPy's
    if isinstance(raw, np.ndarray) and expected.size > 0:
        itemsize = a.itemsize
        for size, stride, np_stride in zip(expected.shape, got.stride(), expected.strides):
            if size > 1:
                assert stride * itemsize == np_stride, (shape, idx, got.stride(), expected.strides)
        offset = (expected.__array_interface__["data"][0]
                  - a.__array_interface__["data"][0]) // itemsize
        assert got.storage_offset() == offset


@SETTINGS
@given(array_and_index())
def test_hypothesis_basic_setitem_matches_numpy(case):
    shape, idx = case
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    t = _em(a)
    target_shape = a[idx].shape
    value = -np.arange(int(np.prod(target_shape)), dtype=np.float64).reshape(target_shape) - 1
    a[idx] = value
    t[idx] = _em(value)
    np.testing.assert_array_equal(np.asarray(t), a)


@SETTINGS
@given(
    hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=0, max_side=4),
    st.sampled_from([np.float32, np.float64, np.int64]),
    st.sampled_from(["add", "mul", "sub"]),
)
def test_hypothesis_broadcasting_binary_ops_match_numpy(shapes_, dtype, op):
    (s1, s2), result = shapes_.input_shapes, shapes_.result_shape
    rng_ = np.random.default_rng(0)
    a = rng_.integers(-20, 20, size=s1).astype(dtype)
    b = rng_.integers(-20, 20, size=s2).astype(dtype)
    expected = getattr(np, {"add": "add", "mul": "multiply", "sub": "subtract"}[op])(a, b)
    got = getattr(ember, op)(_em(a), _em(b))
    assert tuple(got.shape) == result
    np.testing.assert_array_equal(np.asarray(got), expected)
    sym = {"add": lambda x, y: x + y, "mul": lambda x, y: x * y, "sub": lambda x, y: x - y}[op]
    np.testing.assert_array_equal(np.asarray(sym(_em(a), _em(b))), expected)


def _prime_factors(n):
    out, p = [], 2
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out


@st.composite
def reshape_case(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=6))
    n = int(np.prod(shape))
    factors = draw(st.permutations(_prime_factors(n)))
    ndim = draw(st.integers(1, 4))
    groups = [1] * ndim
    for f in factors:
        groups[draw(st.integers(0, ndim - 1))] *= f
    new_shape = list(groups)
    if draw(st.booleans()):
        new_shape[draw(st.integers(0, ndim - 1))] = -1
    transpose = draw(st.booleans())
    return shape, tuple(new_shape), transpose


@SETTINGS
@given(reshape_case())
def test_hypothesis_reshape_with_inferred_dim_matches_numpy(case):
    shape, new_shape, transpose = case
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    if transpose:
        a = a.T
    t = _em(np.ascontiguousarray(a.T)).T if transpose else _em(a)
    expected = a.reshape(new_shape)
    got = t.reshape(new_shape)
    assert tuple(got.shape) == expected.shape
    np.testing.assert_array_equal(np.asarray(got), expected)
    got2 = t.reshape(*new_shape)
    assert tuple(got2.shape) == expected.shape
    if t.is_contiguous() and t.dim() > 0:
        # a contiguous reshape is a view (0-d inputs: see test_inplace_views.py)
        assert got.data_ptr() == t.data_ptr()
        v = t.view(new_shape)
        assert tuple(v.shape) == expected.shape
        assert v.data_ptr() == t.data_ptr()


@SETTINGS
@given(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
def test_hypothesis_reshape_errors(shape):
    n = int(np.prod(shape))
    t = _em(np.zeros(shape))
    with pytest.raises(ValueError):
        t.reshape(-1, -1)
    with pytest.raises((ValueError, RuntimeError)):
        t.reshape(n + 1)
    if n > 1:
        with pytest.raises((ValueError, RuntimeError)):
            t.reshape(-1, n + 1)


@st.composite
def reduction_case(draw, min_side):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=min_side, max_side=4))
    n = len(shape)
    dims = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    dims = [d - n if draw(st.booleans()) else d for d in dims]
    keepdim = draw(st.booleans())
    as_int = len(dims) == 1 and draw(st.booleans())
    return shape, dims, keepdim, as_int


@SETTINGS
@given(reduction_case(min_side=1), st.sampled_from([np.float32, np.float64, np.int64, np.bool_]))
def test_hypothesis_sum_over_dims_matches_numpy(case, dtype):
    shape, dims, keepdim, as_int = case
    rng_ = np.random.default_rng(1)
    a = rng_.integers(-5, 6, size=shape).astype(dtype)
    dim = dims[0] if as_int else tuple(dims)
    expected = a.sum(axis=tuple(dims), keepdims=keepdim)
    if dtype == np.bool_:
        expected = expected.astype(np.int64)
    got = _em(a).sum(dim=dim, keepdim=keepdim)
    assert tuple(got.shape) == expected.shape
    assert np.asarray(got).dtype == (np.int64 if dtype in (np.int64, np.bool_) else dtype)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-5)
    got_fn = ember.sum(_em(a), dim, keepdim)
    np.testing.assert_allclose(np.asarray(got_fn), expected, rtol=1e-5)


@SETTINGS
@given(reduction_case(min_side=1), st.sampled_from([np.float32, np.float64, np.int64]))
def test_hypothesis_amax_amin_over_dims_match_numpy(case, dtype):
    shape, dims, keepdim, as_int = case
    rng_ = np.random.default_rng(2)
    a = rng_.integers(-100, 100, size=shape).astype(dtype)
    dim = dims[0] if as_int else tuple(dims)
    for name, ref in (("amax", np.max), ("amin", np.min)):
        expected = ref(a, axis=tuple(dims), keepdims=keepdim)
        got = getattr(_em(a), name)(dim=dim, keepdim=keepdim)
        assert tuple(got.shape) == expected.shape
        np.testing.assert_array_equal(np.asarray(got), expected)


@SETTINGS
@given(reduction_case(min_side=1), st.sampled_from([np.float32, np.float64]))
def test_hypothesis_mean_over_dims_matches_numpy(case, dtype):
    shape, dims, keepdim, as_int = case
    rng_ = np.random.default_rng(3)
    a = rng_.standard_normal(size=shape).astype(dtype)
    dim = dims[0] if as_int else tuple(dims)
    expected = a.astype(np.float64).mean(axis=tuple(dims), keepdims=keepdim)
    got = _em(a).mean(dim=dim, keepdim=keepdim)
    assert tuple(got.shape) == expected.shape
    assert np.asarray(got).dtype == dtype
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-5, atol=1e-6)


@SETTINGS
@given(reduction_case(min_side=1))
def test_hypothesis_reductions_on_non_contiguous_input(case):
    shape, dims, keepdim, as_int = case
    a = np.arange(int(np.prod(shape)) * 2, dtype=np.float64).reshape(shape[:-1] + (shape[-1] * 2,))
    t = _em(a)[..., ::2]
    a = a[..., ::2]
    if a.ndim > 1:
        t, a = t.transpose(0, -1), np.swapaxes(a, 0, -1)
    expected = a.sum(axis=tuple(dims), keepdims=keepdim)
    got = t.sum(dim=tuple(dims), keepdim=keepdim)
    assert tuple(got.shape) == expected.shape
    np.testing.assert_allclose(np.asarray(got), expected)
    np.testing.assert_array_equal(np.asarray(t.amax(dim=tuple(dims), keepdim=keepdim)),
                                  a.max(axis=tuple(dims), keepdims=keepdim))


def test_reduction_duplicate_or_bad_dims_raise():
    t = _em(np.zeros((2, 3)))
    with pytest.raises((ValueError, RuntimeError, IndexError)):
        t.sum(dim=(0, 0))
    with pytest.raises(IndexError):
        t.sum(dim=2)
    with pytest.raises(IndexError):
        t.amax(dim=-3)
    assert math.isclose(t.sum().item(), 0.0)


EMPTY_REDUCTIONS = [
    # (shape, dims, op): reductions whose input has a zero-size dim
    ((0,), None, "sum"),
    ((0,), 0, "sum"),
    ((2, 0), None, "sum"),
    ((2, 0), 0, "sum"),
    ((2, 0), 1, "sum"),
    ((0, 3), 0, "sum"),
    ((0, 3), 1, "sum"),
    ((3, 0), (0, 1), "sum"),
    ((2, 0, 3), (0, 2), "sum"),
    ((0, 3), 1, "amax"),
    ((3, 0), 0, "amin"),
    ((2, 0), None, "mean"),
    ((0, 3), 0, "mean"),
    ((0, 3), 1, "mean"),
    ((2, 0), 0, "prod"),
]


@pytest.mark.parametrize("shape,dims,op", EMPTY_REDUCTIONS, ids=repr)
def test_reductions_of_empty_tensors_match_torch(shape, dims, op):
    torch = pytest.importorskip("torch")
    kw = {} if dims is None else {"dim": dims}
    expected = getattr(torch.zeros(shape), op)(**kw)
    r = getattr(ember.zeros(shape), op)(**kw)
    assert tuple(r.shape) == tuple(expected.shape)
    np.testing.assert_array_equal(np.asarray(r), expected.numpy())


@pytest.mark.parametrize("key", [slice(0, 2**70), slice(-2**70, 3), slice(2**70, None), slice(None, 2**70, 2)])
def test_slice_bounds_beyond_int64_are_clamped_with_torchs_warning(key):
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning, match="Truncating the start/stop/step of slice"):
        got = ember.arange(5)[key].tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns once per process
        assert got == torch.arange(5)[key].tolist() == np.arange(5)[key].tolist()


def test_a_step_beyond_int64_takes_the_first_element_as_python():
    # torch's length arithmetic overflows here and gives [] (NumPy and Python lists give [0])
    with pytest.warns(UserWarning, match="Truncating"):
        assert ember.arange(5)[::2**70].tolist() == np.arange(5)[::2**70].tolist() == [0]


@pytest.mark.parametrize("idx", [
    lambda L: L.tensor([1, 0, 1], dtype=L.uint8),
    lambda L: (L.tensor([1, 0, 1], dtype=L.uint8), 1),
    lambda L: L.tensor(1, dtype=L.uint8),
    lambda L: L.tensor([[1, 0], [0, 1], [1, 1]], dtype=L.uint8),
])
def test_uint8_indices_are_masks_with_torchs_warning(idx):
    """torch's deprecated form: a uint8 index tensor is a mask (nonzero = True), with a warning."""
    torch = pytest.importorskip("torch")
    data = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    with pytest.warns(UserWarning, match="indexing with dtype ember.uint8 is now deprecated"):
        e = ember.tensor(data)[idx(ember)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.tensor(data)[idx(torch)]
    assert tuple(e.shape) == tuple(t.shape) and e.tolist() == t.tolist()
    x = ember.tensor(data)
    with pytest.warns(UserWarning):
        x[ember.tensor([1, 0, 1], dtype=ember.uint8)] = ember.tensor([[7.0, 7.0], [8.0, 8.0]])
    assert x.tolist() == [[7.0, 7.0], [3.0, 4.0], [8.0, 8.0]]
    with pytest.raises(IndexError, match="int64, int32, uint8 \\(a mask\\) or bool, got int16"):
        ember.tensor(data)[ember.tensor([0, 1], dtype=ember.int16)]
    # a 2-d uint8 mask uses up two dims, as a bool one: one more index is too many (was a crash)
    with pytest.raises(IndexError, match="too many indices"):
        ember.index_put(ember.zeros(2, 1), (ember.tensor([[1], [0]], dtype=ember.uint8), ember.tensor([[1], [1]])),
                        ember.ones(2, 1))

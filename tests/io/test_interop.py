"""Interop: NumPy zero-copy both ways (from_numpy, __array__, buffer protocol, .numpy()) and
DLPack both ways against PyTorch and NumPy, with memory sharing and lifetime checks."""

import gc
import sys
import weakref

import numpy as np
import pytest

import ember

NP_DTYPES = [np.bool_, np.int64, np.float32, np.float64]
EMBER_OF_NP = {
    np.dtype(np.bool_): ember.bool,
    np.dtype(np.int64): ember.int64,
    np.dtype(np.float32): ember.float32,
    np.dtype(np.float64): ember.float64,
}


def _np_data(dtype, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if dtype == np.bool_:
        return (rng.random(n) > 0.5).reshape(shape)
    if dtype == np.int64:
        return rng.integers(-50, 50, size=n, dtype=np.int64).reshape(shape)
    return rng.standard_normal(n).astype(dtype).reshape(shape)


def _other_value(dtype):
    """A value different from anything _np_data makes, for write-through checks."""
    if dtype == np.bool_:
        return None
    return dtype(1234)


def _byte_strides(t):
    return tuple(s * t.element_size() for s in t.stride())


# ---------------------------------------------------------------------------------------
# NumPy -> ember (from_numpy)
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", NP_DTYPES, ids=lambda d: np.dtype(d).name)
def test_from_numpy_dtype_shape_and_values(dtype):
    a = _np_data(dtype)
    t = ember.from_numpy(a)
    assert t.dtype == EMBER_OF_NP[np.dtype(dtype)]
    assert tuple(t.shape) == a.shape
    assert t.stride() == tuple(s // a.itemsize for s in a.strides)
    assert t.data_ptr() == a.ctypes.data
    np.testing.assert_array_equal(np.asarray(t), a)
    assert t.tolist() == a.tolist()


@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.float64],
                         ids=lambda d: np.dtype(d).name)
def test_from_numpy_write_through_both_ways(dtype):
    a = np.zeros((2, 3), dtype=dtype)
    t = ember.from_numpy(a)
    a[1, 2] = 7
    assert t[1, 2].item() == 7
    t[0, 1].fill_(5)
    assert a[0, 1] == 5
    t.fill_(3)
    assert (a == 3).all()
    t.add_(1)
    np.testing.assert_array_equal(a, np.full((2, 3), 4, dtype=dtype))


def test_from_numpy_bool_write_through():
    a = np.zeros(4, dtype=np.bool_)
    t = ember.from_numpy(a)
    t[2].fill_(True)
    assert a.tolist() == [False, False, True, False]
    a[0] = True
    assert t.tolist() == [True, False, True, False]


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a[:, ::2],
        lambda a: a.T,
        lambda a: a[1:, 1:3],
        lambda a: a[::2, ::3],
        lambda a: a.transpose(1, 0)[2:],
        lambda a: np.broadcast_to(a[:1], (3, 6)),  # stride 0 (read-only in NumPy)
    ],
    ids=["step", "T", "offset", "step2", "T_offset", "broadcast"],
)
def test_from_numpy_non_contiguous(make):
    base = np.arange(18, dtype=np.float64).reshape(3, 6)
    a = make(base)
    t = ember.from_numpy(a)
    assert tuple(t.shape) == a.shape
    assert _byte_strides(t) == a.strides
    assert t.data_ptr() == a.ctypes.data
    np.testing.assert_array_equal(np.asarray(t), a)
    assert t.is_contiguous() == a.flags["C_CONTIGUOUS"] or a.size <= 1
    # reductions and copies over the strided memory see NumPy's values
    assert t.sum().item() == pytest.approx(a.sum())
    np.testing.assert_array_equal(np.asarray(t.contiguous()), np.ascontiguousarray(a))


def test_from_numpy_non_contiguous_write_through():
    base = np.zeros((4, 6), dtype=np.float32)
    t = ember.from_numpy(base[1::2, ::3])
    t.fill_(1)
    expected = np.zeros((4, 6), dtype=np.float32)
    expected[1::2, ::3] = 1
    np.testing.assert_array_equal(base, expected)


def test_from_numpy_zero_d_and_empty():
    a = np.array(2.5)
    t = ember.from_numpy(a)
    assert t.shape == () and t.dim() == 0
    assert t.item() == 2.5
    a[()] = -1.0
    assert t.item() == -1.0
    for shape in [(0,), (3, 0), (0, 4, 2)]:
        e = np.zeros(shape, dtype=np.float32)
        te = ember.from_numpy(e)
        assert tuple(te.shape) == shape
        assert te.numel() == 0
        assert np.asarray(te).shape == shape


@pytest.mark.parametrize(
    "dtype",
    [np.uint16, np.uint32, np.uint64, np.complex64, np.complex128, object]
)
def test_from_numpy_unsupported_dtype_raises_type_error(dtype):
    a = np.zeros(3, dtype=dtype)
    with pytest.raises(TypeError):
        ember.from_numpy(a)


def test_from_numpy_uint32_type_error_names_dtype():
    with pytest.raises(TypeError, match="uint32"):
        ember.from_numpy(np.arange(3, dtype=np.uint32))


def test_from_numpy_big_endian_raises_type_error():
    with pytest.raises(TypeError):
        ember.from_numpy(np.arange(3, dtype=">f8"))


@pytest.mark.parametrize(
    "make", [lambda a: a[::-1], lambda a: a.reshape(2, 3)[:, ::-1], lambda a: a.reshape(2, 3)[::-1]]
)
def test_from_numpy_negative_strides_raise_value_error(make):
    a = make(np.arange(6, dtype=np.float64))
    with pytest.raises(ValueError, match="negative strides"):
        ember.from_numpy(a)
    # The array is not left with an extra reference after the failed call.
    ember.from_numpy(np.ascontiguousarray(a))


@pytest.mark.parametrize("obj", [[1.0, 2.0], (1, 2), 3.0, "abc", None])
def test_from_numpy_rejects_non_arrays(obj):
    with pytest.raises(TypeError):
        ember.from_numpy(obj)


def test_from_numpy_keeps_source_alive():
    a = np.arange(1000, dtype=np.float64) * 2
    ref = weakref.ref(a)
    t = ember.from_numpy(a)
    del a
    gc.collect()
    assert ref() is not None, "the tensor must keep its NumPy array alive"
    assert t[999].item() == 1998.0
    assert t.sum().item() == pytest.approx(999 * 1000)
    view = t[10:20]
    del t
    gc.collect()
    assert ref() is not None, "a view of the tensor must keep the array alive"
    assert view.tolist() == [float(2 * i) for i in range(10, 20)]
    del view
    gc.collect()
    assert ref() is None, "the array must be released once no tensor uses it"


def test_from_numpy_refcount_released():
    a = np.arange(10, dtype=np.int64)
    before = sys.getrefcount(a)
    t = ember.from_numpy(a)
    assert sys.getrefcount(a) > before
    del t
    gc.collect()
    assert sys.getrefcount(a) == before


def test_from_numpy_view_of_view_keeps_base_alive():
    base = np.arange(24, dtype=np.float32).reshape(4, 6).copy()  # owns its memory
    ref = weakref.ref(base)
    t = ember.from_numpy(base[1:3, 2:5])
    del base
    gc.collect()
    assert ref() is not None
    assert t.tolist() == [[8.0, 9.0, 10.0], [14.0, 15.0, 16.0]]
    del t
    gc.collect()
    assert ref() is None


def test_as_tensor_shares_memory_with_numpy():
    a = np.arange(6, dtype=np.float64)
    t = ember.as_tensor(a)
    a[0] = 42
    assert t[0].item() == 42
    assert t.dtype == ember.float64


def test_tensor_from_numpy_copies():
    a = np.arange(6, dtype=np.float64)
    t = ember.tensor(a)
    a[0] = 42
    assert t[0].item() == 0
    assert t.data_ptr() != a.ctypes.data


# ---------------------------------------------------------------------------------------
# ember -> NumPy (__array__, .numpy(), buffer protocol)
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", NP_DTYPES, ids=lambda d: np.dtype(d).name)
def test_asarray_dtype_and_shares_memory(dtype):
    src = _np_data(dtype)
    t = ember.tensor(src)
    a = np.asarray(t)
    assert a.dtype == np.dtype(dtype)
    assert a.shape == tuple(t.shape)
    assert a.ctypes.data == t.data_ptr()
    np.testing.assert_array_equal(a, src)
    v = _other_value(dtype)
    if v is not None:
        a[0, 0] = v
        assert t[0, 0].item() == v
        t[2, 3].fill_(v)
        assert a[2, 3] == v
    else:
        a[0, 0] = not a[0, 0]
        assert t[0, 0].item() == a[0, 0]


def test_numpy_method_shares_memory():
    t = ember.arange(6.0).reshape(2, 3)
    a = t.numpy()
    assert a.dtype == np.float32
    assert np.shares_memory(a, np.asarray(t))
    assert a.ctypes.data == t.data_ptr()
    a[1, 1] = -3
    assert t[1, 1].item() == -3
    v = t.T.numpy()
    assert v.strides == (4, 12)
    assert v.ctypes.data == t.data_ptr()


def test_numpy_force_copies_correct_values():
    # gc.freeze(): each collection below walks only what this test allocates, not the whole heap
    # of the pytest session (200 full collections of that take half a minute).
    gc.freeze()
    try:
        t = ember.arange(6.0).reshape(2, 3)
        for _ in range(200):
            c = t.numpy(force=True)
            gc.collect()
            np.testing.assert_array_equal(c, np.arange(6.0).reshape(2, 3))
            assert not np.shares_memory(c, np.asarray(t))
            c[0, 0] = 99
            assert t[0, 0].item() == 0
            _tmp = [ember.ones(2, 3) for _ in range(4)]  # reuse freed memory, if any
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(
    "make",
    [
        lambda t: t.T,
        lambda t: t[:, ::2],
        lambda t: t[1:, 2:],
        lambda t: t.transpose(0, 1)[::2],
        lambda t: t[:1].expand(4, 6),
        lambda t: t[2],
        lambda t: t[:, 3],
    ],
    ids=["T", "step", "offset", "T_step", "expand", "row", "col"],
)
def test_asarray_non_contiguous_views(make):
    t = ember.arange(24.0).reshape(4, 6)
    base = np.arange(24.0, dtype=np.float32).reshape(4, 6)
    v = make(t)
    a = np.asarray(v)
    assert a.shape == tuple(v.shape)
    assert a.strides == _byte_strides(v)
    assert a.ctypes.data == v.data_ptr()
    np.testing.assert_array_equal(a, np.asarray(v.contiguous()))


def test_asarray_non_contiguous_values_match_numpy():
    t = ember.arange(24.0).reshape(4, 6)
    base = np.arange(24.0, dtype=np.float32).reshape(4, 6)
    np.testing.assert_array_equal(np.asarray(t.T), base.T)
    np.testing.assert_array_equal(np.asarray(t[:, ::2]), base[:, ::2])
    np.testing.assert_array_equal(np.asarray(t[1:, 2:]), base[1:, 2:])
    np.testing.assert_array_equal(np.asarray(t[1::2, ::3]), base[1::2, ::3])


def test_asarray_non_contiguous_write_through():
    t = ember.zeros(3, 4)
    a = np.asarray(t[:, 1::2])
    a[...] = 5
    assert t.tolist() == [[0.0, 5.0, 0.0, 5.0]] * 3


def test_asarray_dtype_and_copy_arguments():
    t = ember.arange(4.0)
    a64 = np.asarray(t, dtype=np.float64)
    assert a64.dtype == np.float64
    np.testing.assert_array_equal(a64, [0, 1, 2, 3])
    same = np.asarray(t, dtype=np.float32)
    assert same.ctypes.data == t.data_ptr()
    copied = np.array(t, copy=True)
    assert copied.ctypes.data != t.data_ptr()
    copied[0] = 10
    assert t[0].item() == 0


def test_asarray_zero_d_and_empty():
    t = ember.full((), 3.5)
    a = np.asarray(t)
    assert a.shape == () and a.dtype == np.float32 and a[()] == 3.5
    e = ember.zeros(2, 0, 3)
    ae = np.asarray(e)
    assert ae.shape == (2, 0, 3) and ae.size == 0


def test_numpy_array_outlives_tensor():
    t = ember.arange(100.0)
    a = np.asarray(t)
    del t
    gc.collect()
    np.testing.assert_array_equal(a, np.arange(100.0, dtype=np.float32))
    a[:] = 1  # writes into the still-alive storage
    assert a.sum() == 100


def test_numpy_view_of_temporary_outlives_it():
    a = ember.arange(12).reshape(3, 4).T.numpy()
    gc.collect()
    np.testing.assert_array_equal(a, np.arange(12).reshape(3, 4).T)
    b = np.asarray(ember.ones(5) * 3)
    gc.collect()
    np.testing.assert_array_equal(b, np.full(5, 3, dtype=np.float32))


def test_numpy_array_keeps_tensor_object_alive():
    t = ember.arange(10.0)
    before = sys.getrefcount(t)
    a = np.asarray(t)
    assert sys.getrefcount(t) > before
    del a
    gc.collect()
    assert sys.getrefcount(t) == before


@pytest.mark.parametrize(
    "dtype,fmt", [(ember.bool, "?"), (ember.int64, "q"), (ember.float32, "f"), (ember.float64, "d")]
)
def test_memoryview_format_shape_strides(dtype, fmt):
    t = ember.zeros(3, 4, dtype=dtype)
    m = memoryview(t)
    assert m.format == fmt
    assert m.itemsize == t.element_size()
    assert m.shape == (3, 4)
    assert m.strides == _byte_strides(t)
    assert m.ndim == 2
    assert m.nbytes == t.nbytes
    assert not m.readonly


def test_memoryview_write_through_and_numpy_frombuffer():
    t = ember.zeros(6, dtype=ember.float64)
    m = memoryview(t)
    m[2] = 4.5
    assert t[2].item() == 4.5
    t[3].fill_(1.25)
    assert m[3] == 1.25
    a = np.frombuffer(m, dtype=np.float64)
    assert a.ctypes.data == t.data_ptr()
    np.testing.assert_array_equal(a, [0, 0, 4.5, 1.25, 0, 0])
    assert m.tolist() == t.tolist()
    m.release()


def test_memoryview_non_contiguous_view():
    t = ember.arange(12).reshape(3, 4)
    v = t.T[1:]
    m = memoryview(v)
    assert m.shape == (3, 3)
    assert m.strides == _byte_strides(v)
    assert not m.c_contiguous
    assert m.tolist() == v.tolist()
    assert np.asarray(m).tolist() == np.arange(12).reshape(3, 4).T[1:].tolist()


def test_memoryview_zero_d():
    t = ember.full((), 7)
    m = memoryview(t)
    assert m.ndim == 0 and m.shape == ()
    assert m.format == "q"
    assert m[()] == 7


def test_memoryview_keeps_storage_alive():
    t = ember.arange(5) * 2
    m = memoryview(t)
    del t
    gc.collect()
    assert m.tolist() == [0, 2, 4, 6, 8]


def test_numpy_round_trip_is_zero_copy():
    a = np.arange(12, dtype=np.float64).reshape(3, 4)[:, 1:]
    t = ember.from_numpy(a)
    b = np.asarray(t)
    assert np.shares_memory(a, b)
    assert b.strides == a.strides
    t2 = ember.from_numpy(b)
    t2[0, 0].fill_(-1)
    assert a[0, 0] == -1


# ---------------------------------------------------------------------------------------
# DLPack
# ---------------------------------------------------------------------------------------

torch_dtypes = {}


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    torch_dtypes.update(
        {ember.bool: torch.bool, ember.int64: torch.int64, ember.float32: torch.float32,
         ember.float64: torch.float64}
    )
    return torch


ALL_DTYPES = [ember.bool, ember.int64, ember.float32, ember.float64]


def _ember_data(dtype, shape=(3, 4)):
    return ember.tensor(_np_data({ember.bool: np.bool_, ember.int64: np.int64,
                                  ember.float32: np.float32,
                                  ember.float64: np.float64}[dtype], shape))


def test_dlpack_device():
    assert ember.zeros(3).__dlpack_device__() == (1, 0)
    assert tuple(ember.full((), 1.0).__dlpack_device__()) == (1, 0)
    assert ember.zeros(0).__dlpack_device__() == (1, 0)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_torch_from_dlpack_of_ember(torch, dtype):
    t = _ember_data(dtype)
    tt = torch.from_dlpack(t)
    assert tt.dtype == torch_dtypes[dtype]
    assert tuple(tt.shape) == tuple(t.shape)
    assert tt.stride() == t.stride()
    assert tt.data_ptr() == t.data_ptr()
    assert tt.tolist() == t.tolist()


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_ember_from_dlpack_of_torch(torch, dtype):
    tt = torch.from_numpy(_np_data({ember.bool: np.bool_, ember.int64: np.int64,
                                    ember.float32: np.float32,
                                    ember.float64: np.float64}[dtype], (2, 5)))
    t = ember.from_dlpack(tt)
    assert t.dtype == dtype
    assert tuple(t.shape) == tuple(tt.shape)
    assert t.stride() == tt.stride()
    assert t.data_ptr() == tt.data_ptr()
    assert t.tolist() == tt.tolist()


@pytest.mark.parametrize("dtype", [ember.int64, ember.float32, ember.float64], ids=str)
def test_dlpack_write_through_ember_to_torch(torch, dtype):
    t = ember.zeros(2, 3, dtype=dtype)
    tt = torch.from_dlpack(t)
    tt[1, 2] = 9
    assert t[1, 2].item() == 9
    t[0, 0].fill_(4)
    assert tt[0, 0].item() == 4
    t.add_(1)
    assert tt.tolist() == [[5, 1, 1], [1, 1, 10]]


@pytest.mark.parametrize("dtype", [ember.int64, ember.float32, ember.float64], ids=str)
def test_dlpack_write_through_torch_to_ember(torch, dtype):
    tt = torch.zeros(2, 3, dtype=torch_dtypes[dtype])
    t = ember.from_dlpack(tt)
    t[1, 2].fill_(9)
    assert tt[1, 2].item() == 9
    tt[0, 0] = 4
    assert t[0, 0].item() == 4
    tt.mul_(2)
    assert t.tolist() == [[8, 0, 0], [0, 0, 18]]


def test_dlpack_bool_write_through(torch):
    t = ember.zeros(4, dtype=ember.bool)
    tt = torch.from_dlpack(t)
    tt[1] = True
    assert t.tolist() == [False, True, False, False]
    t2 = ember.from_dlpack(tt)
    t2[3].fill_(True)
    assert tt.tolist() == [False, True, False, True]


# Non-contiguous views of a 4x6 tensor, the same in ember and torch.
_NONCONTIG_VIEWS = pytest.mark.parametrize(
    "make",
    [
        lambda t: t.T,
        lambda t: t[:, ::2],
        lambda t: t[1:, 2:],
        lambda t: t[1],
        lambda t: t[:, 3],
        lambda t: t.transpose(0, 1)[1::2],
        lambda t: t[:1].expand(4, 6),
    ],
    ids=["T", "step", "offset", "row", "col", "T_step", "expand"],
)


@_NONCONTIG_VIEWS
def test_dlpack_non_contiguous_ember_to_torch(torch, make):
    t = ember.arange(24.0).reshape(4, 6)
    ref = make(torch.arange(24.0).reshape(4, 6))
    v = make(t)
    tt = torch.from_dlpack(v)
    assert tuple(tt.shape) == tuple(ref.shape)
    assert tt.stride() == v.stride() == ref.stride()
    assert tt.data_ptr() == v.data_ptr()
    assert torch.equal(tt, ref)
    if make(ember.zeros(4, 6)).stride().count(0) == 0:
        tt.fill_(-1)
        assert (t == -1).sum().item() == v.numel()


@_NONCONTIG_VIEWS
def test_dlpack_non_contiguous_torch_to_ember(torch, make):
    base = torch.arange(24.0).reshape(4, 6)
    ref = make(base)
    t = ember.from_dlpack(ref)
    assert tuple(t.shape) == tuple(ref.shape)
    assert t.stride() == ref.stride()
    assert t.data_ptr() == ref.data_ptr()
    assert t.tolist() == ref.tolist()
    assert t.contiguous().tolist() == ref.contiguous().tolist()
    assert t.sum().item() == ref.sum().item()
    if 0 not in ref.stride():
        t.fill_(-1)
        assert (base == -1).sum().item() == ref.numel()


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_dlpack_zero_d(torch, dtype):
    t = ember.ones((), dtype=dtype)
    tt = torch.from_dlpack(t)
    assert tt.shape == () and tt.dtype == torch_dtypes[dtype]
    assert tt.item() == t.item()
    back = ember.from_dlpack(torch.ones((), dtype=torch_dtypes[dtype]))
    assert back.shape == () and back.dtype == dtype
    assert back.item() == 1


@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 2, 5)])
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_dlpack_empty(torch, dtype, shape):
    t = ember.zeros(shape, dtype=dtype)
    tt = torch.from_dlpack(t)
    assert tuple(tt.shape) == shape and tt.dtype == torch_dtypes[dtype]
    assert tt.numel() == 0
    back = ember.from_dlpack(torch.zeros(shape, dtype=torch_dtypes[dtype]))
    assert tuple(back.shape) == shape and back.dtype == dtype
    assert back.numel() == 0
    assert back.tolist() == torch.zeros(shape).tolist()


def test_dlpack_round_trip_shares_memory(torch):
    t = ember.arange(10.0)
    t2 = ember.from_dlpack(torch.from_dlpack(t))
    assert t2.data_ptr() == t.data_ptr()
    t2[5].fill_(100)
    assert t[5].item() == 100
    tt = torch.arange(10.0)
    tt2 = torch.from_dlpack(ember.from_dlpack(tt))
    tt2[0] = -7
    assert tt[0].item() == -7


def test_dlpack_round_trip_of_offset_views(torch):
    base = torch.arange(24.0).reshape(4, 6)
    v = base[1:, 2:5]
    t = ember.from_dlpack(v)
    back = torch.from_dlpack(t[1:, ::2])
    ref = v[1:, ::2]
    assert back.data_ptr() == ref.data_ptr()
    assert back.stride() == ref.stride()
    assert torch.equal(back, ref)
    back.fill_(-1)
    assert (base == -1).sum().item() == ref.numel()


def test_numpy_to_ember_to_torch_chain_lifetime(torch):
    a = np.arange(20, dtype=np.float64).reshape(4, 5).copy()
    ref = weakref.ref(a)
    t = ember.from_numpy(a)[1:]
    tt = torch.from_dlpack(t)
    del a, t
    gc.collect()
    assert ref() is not None, \
        "torch's import must keep ember's storage and so the NumPy array alive"
    assert tt.tolist() == np.arange(20.0).reshape(4, 5)[1:].tolist()
    del tt
    gc.collect()
    assert ref() is None


def test_dlpack_ember_source_deleted_torch_still_valid(torch):
    t = ember.arange(1000.0, dtype=ember.float64)
    v = t[::3]
    tt = torch.from_dlpack(v)
    del t, v
    gc.collect()
    assert torch.equal(tt, torch.arange(1000.0, dtype=torch.float64)[::3])
    tt.add_(1)  # writes into memory ember must still be holding
    assert tt[0].item() == 1.0


def test_dlpack_torch_source_deleted_ember_still_valid(torch):
    tt = torch.arange(500, dtype=torch.int64) * 3
    t = ember.from_dlpack(tt[10:])
    del tt
    gc.collect()
    assert t.tolist() == [3 * i for i in range(10, 500)]
    t.fill_(2)
    assert t.sum().item() == 2 * 490


def test_dlpack_torch_storage_released_after_ember_dies(torch):
    # ember holds a reference to torch's tensor until the import is released.
    tt = torch.ones(4)
    before = sys.getrefcount(tt)
    t = ember.from_dlpack(tt)
    assert t.sum().item() == 4
    del t
    gc.collect()
    assert sys.getrefcount(tt) == before


def test_dlpack_many_round_trips_no_crash(torch):
    tt = torch.arange(64.0)
    for _ in range(200):
        t = ember.from_dlpack(tt)
        tt = torch.from_dlpack(t)
    gc.collect()
    assert torch.equal(tt, torch.arange(64.0))


def test_from_dlpack_numpy(torch):
    a = np.arange(12, dtype=np.float64).reshape(3, 4)
    t = ember.from_dlpack(a)
    assert t.dtype == ember.float64
    assert tuple(t.shape) == (3, 4)
    assert t.data_ptr() == a.ctypes.data
    t[0, 0].fill_(42)
    assert a[0, 0] == 42
    a[2, 3] = -1
    assert t[2, 3].item() == -1


@pytest.mark.parametrize("dtype", NP_DTYPES, ids=lambda d: np.dtype(d).name)
def test_from_dlpack_numpy_dtypes(dtype):
    a = _np_data(dtype, (2, 3))
    t = ember.from_dlpack(a)
    assert t.dtype == EMBER_OF_NP[np.dtype(dtype)]
    assert t.tolist() == a.tolist()


def test_from_dlpack_numpy_non_contiguous_and_lifetime():
    a = np.arange(24, dtype=np.int64).reshape(4, 6).copy()  # owns its memory
    ref = weakref.ref(a)
    v = a[1:, ::2].T
    t = ember.from_dlpack(v)
    assert _byte_strides(t) == v.strides
    assert t.tolist() == v.tolist()
    del a, v
    gc.collect()
    assert ref() is not None
    assert t.tolist() == np.arange(24).reshape(4, 6)[1:, ::2].T.tolist()
    del t
    gc.collect()
    assert ref() is None


def test_numpy_from_dlpack_of_ember():
    t = ember.arange(6).reshape(2, 3)
    a = np.from_dlpack(t)
    assert a.dtype == np.int64
    assert a.ctypes.data == t.data_ptr()
    np.testing.assert_array_equal(a, [[0, 1, 2], [3, 4, 5]])
    del t
    gc.collect()
    np.testing.assert_array_equal(a, [[0, 1, 2], [3, 4, 5]])


def test_from_dlpack_numpy_negative_strides_value_error():
    a = np.arange(6, dtype=np.float64)[::-1]
    with pytest.raises(ValueError):
        ember.from_dlpack(a)


def test_from_dlpack_unsupported_dtype(torch):
    for dt in (torch.uint16, torch.uint32, torch.complex64):
        with pytest.raises(TypeError):
            ember.from_dlpack(torch.zeros(3, dtype=dt))
    with pytest.raises(TypeError):
        ember.from_dlpack(np.zeros(3, dtype=np.uint32))


def test_from_dlpack_rejects_non_producers():
    for obj in ([1, 2], 3.0, "x", None, object()):
        with pytest.raises(TypeError):
            ember.from_dlpack(obj)


def test_dlpack_legacy_capsule_both_ways(torch):
    from torch.utils import dlpack as tdl

    t = ember.arange(5.0)
    cap = t.__dlpack__()
    tt = tdl.from_dlpack(cap)
    tt[0] = 10
    assert t[0].item() == 10
    # a capsule can be consumed only once
    with pytest.raises(Exception):
        tdl.from_dlpack(cap)
    t2 = ember.from_dlpack(tdl.to_dlpack(torch.arange(3)))
    assert t2.tolist() == [0, 1, 2]
    cap2 = tdl.to_dlpack(torch.arange(3))
    ember.from_dlpack(cap2)
    with pytest.raises(TypeError):
        ember.from_dlpack(cap2)


def test_dlpack_unused_capsule_is_freed():
    t = ember.arange(100.0)
    for _ in range(100):
        cap = t.__dlpack__()
        cap2 = t.__dlpack__(max_version=(1, 0))
        del cap, cap2
    gc.collect()
    assert t.sum().item() == 4950.0


def test_dlpack_versioned_capsule_and_copy(torch):
    t = ember.arange(4.0)
    cap = t.__dlpack__(max_version=(1, 0))
    assert "dltensor_versioned" in repr(cap)
    c = ember.from_dlpack(_Producer(t.__dlpack__(max_version=(1, 0), copy=True)))
    c[0].fill_(50)
    assert t[0].item() == 0
    assert c.tolist() == [50.0, 1.0, 2.0, 3.0]
    del cap


class _Producer:
    """Wraps an already-made capsule as a DLPack producer."""

    def __init__(self, cap):
        self.cap = cap

    def __dlpack__(self, **kwargs):
        return self.cap

    def __dlpack_device__(self):
        return (1, 0)


def test_dlpack_rejects_non_cpu_export():
    t = ember.zeros(2)
    with pytest.raises((ValueError, RuntimeError, BufferError)):
        t.__dlpack__(dl_device=(2, 0))


def test_dlpack_gc_cycle_with_torch(torch):
    # A reference cycle holding both sides must collect without crashing.
    class Holder:
        pass

    h = Holder()
    h.e = ember.arange(10.0)
    h.t = torch.from_dlpack(h.e)
    h.self = h
    ref = weakref.ref(h)
    del h
    gc.collect()
    assert ref() is None

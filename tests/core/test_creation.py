"""Creation ops (tensor, zeros/ones/full/empty, arange, linspace, eye, *_like), the random ops,
shape errors and allocation limits, and repr text against PyTorch."""

import math

import numpy as np
import pytest

import ember

DTYPES = [ember.bool, ember.int64, ember.float32, ember.float64]


def _torch():
    return pytest.importorskip("torch")


def _tdtype(dtype):
    torch = _torch()
    return {ember.bool: torch.bool, ember.int64: torch.int64, ember.float32: torch.float32,
            ember.float64: torch.float64}[dtype]


def _edtype(tdtype):
    torch = _torch()
    return {torch.bool: ember.bool, torch.int64: ember.int64, torch.float32: ember.float32,
            torch.float64: ember.float64}[tdtype]


def _assert_matches_torch(e, t, exact=True):
    assert tuple(e.shape) == tuple(t.shape)
    assert e.dtype == _edtype(t.dtype)
    if exact:
        np.testing.assert_array_equal(np.asarray(e), t.numpy())
    else:
        np.testing.assert_allclose(np.asarray(e), t.numpy(), rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------------------------------
# tensor()
# ---------------------------------------------------------------------------------------

TENSOR_DATA = [
    [[1.0, 2.0], [3.0, 4.0]],
    [1, 2, 3],
    [[1, -2], [3, 4]],
    [True, False, True],
    [1, 2.5],
    [True, 2],
    [True, 2.5],
    [[[1.5]]],
    [],
    [[]],
    [[], []],
    [-(2**62), 2**62],
    [1e30, -1e-30],
    [float("inf"), float("-inf")],
    [[0.0] * 3] * 4,
]


@pytest.mark.parametrize("data", TENSOR_DATA, ids=repr)
def test_tensor_from_nested_lists_matches_torch(data):
    torch = _torch()
    _assert_matches_torch(ember.tensor(data), torch.tensor(data))


def test_tensor_nan_list():
    t = ember.tensor([float("nan"), 1.0])
    assert t.dtype == ember.float32
    assert math.isnan(t[0].item()) and t[1].item() == 1.0


@pytest.mark.parametrize(
    "data,dtype",
    [(1.5, ember.float32), (7, ember.int64), (True, ember.bool), (-3, ember.int64),
     (0.0, ember.float32)],
    ids=["float", "int", "bool", "negative_int", "zero_float"],
)
def test_tensor_from_python_scalar_is_zero_d(data, dtype):
    torch = _torch()
    t = ember.tensor(data)
    assert tuple(t.shape) == () and t.dim() == 0, \
        f"ember.tensor({data!r}) has shape {tuple(t.shape)}"
    assert t.dtype == dtype
    assert t.item() == data
    _assert_matches_torch(t, torch.tensor(data))


@pytest.mark.parametrize(
    "make", [lambda: np.arange(6.0).reshape(2, 3), lambda: np.array([1.5], dtype=np.float64),
             lambda: np.float64(2.5), lambda: np.array(2.5)],
    ids=["2d", "1d", "np_scalar", "0d"],
)
def test_tensor_keeps_numpy_float64(make):
    torch = _torch()
    a = make()
    t = ember.tensor(a)
    assert t.dtype == ember.float64
    _assert_matches_torch(t, torch.tensor(a))


@pytest.mark.parametrize(
    "a", [np.arange(4, dtype=np.float32), np.array([True, False]), np.arange(6).reshape(2, 3),
          np.arange(6.0)[::2], np.arange(12.0).reshape(3, 4).T],
    ids=["f32", "bool", "i64", "strided", "T"],
)
def test_tensor_from_numpy_arrays_matches_torch(a):
    torch = _torch()
    t = ember.tensor(a)
    _assert_matches_torch(t, torch.tensor(a))
    assert t.is_contiguous()


def test_tensor_from_other_numpy_int_widths():
    torch = _torch()
    for dt in (np.int32, np.int16, np.uint8, np.int8, np.uint16):
        a = np.array([1, 2, 3], dtype=dt)
        t = ember.tensor(a)
        # NumPy arrays keep their dtype, as in torch; uint16 (which ember lacks) widens to int64.
        expected = "int64" if dt is np.uint16 else str(torch.tensor(a).dtype).split(".")[-1]
        assert str(t.dtype) == "ember." + expected
        assert t.tolist() == [1, 2, 3]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_tensor_dtype_argument(dtype):
    torch = _torch()
    data = [[0, 1, 2], [3, 0, 5]]
    _assert_matches_torch(ember.tensor(data, dtype=dtype), torch.tensor(data, dtype=_tdtype(dtype)))
    data_f = [0.0, 1.5, -2.75]
    if dtype != ember.bool:
        _assert_matches_torch(ember.tensor(data_f, dtype=dtype),
                              torch.tensor(data_f, dtype=_tdtype(dtype)))


def test_tensor_from_tensor_copies():
    a = ember.tensor([1.0, 2.0])
    b = ember.tensor(a)
    assert b.data_ptr() != a.data_ptr()
    b.fill_(0)
    assert a.tolist() == [1.0, 2.0]
    c = ember.tensor(a, dtype=ember.float64)
    assert c.dtype == ember.float64 and c.tolist() == [1.0, 2.0]


def test_tensor_from_list_of_tensors():
    torch = _torch()
    parts = [ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])]
    _assert_matches_torch(ember.tensor([p.tolist() for p in parts]),
                          torch.tensor([[1.0, 2.0], [3.0, 4.0]]))


@pytest.mark.parametrize("data", [[[1, 2], [3]], [[1], [2, 3]], [1, [2]], [[[1, 2]], [[3]]]],
                         ids=repr)
def test_tensor_ragged_raises_value_error(data):
    with pytest.raises(ValueError):
        ember.tensor(data)


@pytest.mark.parametrize("data", ["abc", ["a"], [1, "a"], [["x", "y"]], np.array(["a", "b"])],
                         ids=repr)
def test_tensor_strings_raise_type_error(data):
    with pytest.raises(TypeError):
        ember.tensor(data)


@pytest.mark.parametrize("data", [None, [None], object(), {1: 2}, 1 + 2j, [1j]],
                         ids=["None", "list_None", "object", "dict", "complex", "list_complex"])
def test_tensor_other_non_numbers_raise(data):
    with pytest.raises((TypeError, ValueError, RuntimeError)):
        ember.tensor(data)


def test_tensor_requires_grad_and_device_arguments():
    assert ember.tensor([1.0], device="cpu").tolist() == [1.0]
    t = ember.tensor([1.0], requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad is None
    with pytest.raises(RuntimeError, match="floating point"):
        ember.tensor([1], requires_grad=True)
    with pytest.raises((TypeError, ValueError, RuntimeError)):
        ember.tensor([1.0], device=3)


# ---------------------------------------------------------------------------------------
# zeros / ones / full / empty and *_like
# ---------------------------------------------------------------------------------------

SHAPES = [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 1, 1, 2)]


@pytest.mark.parametrize("shape", SHAPES, ids=repr)
@pytest.mark.parametrize("name", ["zeros", "ones"])
@pytest.mark.parametrize("dtype", DTYPES + [None], ids=str)
def test_zeros_ones_match_torch(name, shape, dtype):
    torch = _torch()
    kw = {} if dtype is None else {"dtype": dtype}
    tkw = {} if dtype is None else {"dtype": _tdtype(dtype)}
    e = getattr(ember, name)(shape, **kw)
    _assert_matches_torch(e, getattr(torch, name)(shape, **tkw))
    assert e.stride() == torch.zeros(shape).stride()
    if e.numel() > 0:  # empty tensors: test_empty_tensors_are_contiguous
        assert e.is_contiguous()
    if len(shape) > 0:
        # varargs form
        _assert_matches_torch(getattr(ember, name)(*shape, **kw),
                              getattr(torch, name)(*shape, **tkw))
        _assert_matches_torch(getattr(ember, name)(list(shape), **kw),
                              getattr(torch, name)(list(shape), **tkw))


def test_sizes_from_ember_size_and_tensor_shape():
    a = ember.zeros(2, 3)
    assert tuple(ember.ones(a.shape).shape) == (2, 3)
    assert tuple(ember.zeros(a.size()).shape) == (2, 3)
    assert tuple(ember.empty(*a.shape).shape) == (2, 3)
    assert tuple(ember.zeros((np.int64(2), 3)).shape) == (2, 3)


def test_sizes_from_numpy_integers_like_torch():
    torch = _torch()
    assert tuple(torch.zeros(np.int64(4)).shape) == (4,)
    assert tuple(ember.zeros(np.int64(4)).shape) == (4,)
    assert tuple(ember.ones(np.int64(2), np.int64(3)).shape) == (2, 3)


@pytest.mark.parametrize(
    "value,dtype",
    [(7, None), (1.5, None), (True, None), (-2, ember.float64), (2.75, ember.int64),
     (0, ember.bool),
                    (3, ember.float32), (float("inf"), None)],
    ids=lambda v: str(v),
)
def test_full_matches_torch(value, dtype):
    torch = _torch()
    for shape in [(2, 3), (), (0,)]:
        e = ember.full(shape, value) if dtype is None else ember.full(shape, value, dtype=dtype)
        if dtype is None:
            t = torch.full(shape, value)
        else:
            t = torch.full(shape, value, dtype=_tdtype(dtype))
        _assert_matches_torch(e, t)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_empty_shape_and_dtype(dtype):
    e = ember.empty(3, 4, dtype=dtype)
    assert tuple(e.shape) == (3, 4) and e.dtype == dtype and e.is_contiguous()
    assert e.stride() == (4, 1)
    e.fill_(1)
    assert e.sum().item() == 12
    assert tuple(ember.empty(()).shape) == ()
    assert ember.empty(0).numel() == 0


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_like_functions_match_torch(dtype):
    torch = _torch()
    np_dtype = {ember.bool: np.bool_, ember.int64: np.int64, ember.float32: np.float32,
                ember.float64: np.float64}[dtype]
    src = np.arange(6).reshape(2, 3).astype(np_dtype)
    e, t = ember.from_numpy(src.copy()), torch.from_numpy(src.copy())
    _assert_matches_torch(ember.zeros_like(e), torch.zeros_like(t))
    _assert_matches_torch(ember.ones_like(e), torch.ones_like(t))
    _assert_matches_torch(ember.full_like(e, 1), torch.full_like(t, 1))
    _assert_matches_torch(ember.zeros_like(e, dtype=ember.float64),
                          torch.zeros_like(t, dtype=torch.float64))
    _assert_matches_torch(ember.ones_like(e, dtype=ember.int64),
                          torch.ones_like(t, dtype=torch.int64))
    el = ember.empty_like(e)
    assert tuple(el.shape) == (2, 3) and el.dtype == dtype
    assert el.data_ptr() != e.data_ptr()
    if dtype.is_floating_point:
        _assert_matches_torch(ember.full_like(e, 2.5), torch.full_like(t, 2.5))
        r = ember.rand_like(e)
        assert tuple(r.shape) == (2, 3) and r.dtype == dtype
        assert 0 <= ember.amin(r).item() and ember.amax(r).item() < 1
        assert tuple(ember.randn_like(e).shape) == (2, 3)


def test_like_of_non_contiguous_input():
    torch = _torch()
    e = ember.arange(12.0).reshape(3, 4).T
    t = torch.arange(12.0).reshape(3, 4).T
    for name in ("zeros_like", "ones_like"):
        z = getattr(ember, name)(e)
        _assert_matches_torch(z, getattr(torch, name)(t))


# ---------------------------------------------------------------------------------------
# arange / linspace / eye
# ---------------------------------------------------------------------------------------

ARANGE_ARGS = [
    (5,), (0,), (5.0,), (1, 10), (1, 10, 3), (10, 0, -2), (0, -5, -1), (5, 5), (0, 1, 0.1),
    (1.0, 0.0, -0.25), (-3, 3), (-2.5, 2.5, 0.5), (0, 10, 3.0), (2, 3.5), (0.5, 5), (3, -3, -1.5),
    (0, 1e-3, 1e-4), (10, 1, -3),
]


@pytest.mark.parametrize("args", ARANGE_ARGS, ids=repr)
def test_arange_matches_torch(args):
    torch = _torch()
    e, t = ember.arange(*args), torch.arange(*args)
    assert tuple(e.shape) == tuple(t.shape)
    assert e.dtype == _edtype(t.dtype)
    np.testing.assert_allclose(np.asarray(e), t.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", [ember.int64, ember.float32, ember.float64], ids=str)
def test_arange_dtype_argument(dtype):
    torch = _torch()
    _assert_matches_torch(ember.arange(1, 8, 2, dtype=dtype),
                          torch.arange(1, 8, 2, dtype=_tdtype(dtype)))
    _assert_matches_torch(ember.arange(6, dtype=dtype), torch.arange(6, dtype=_tdtype(dtype)))


@pytest.mark.parametrize("args", [(1.15,), (0.5, 3.7, 1.5), (-2.5, 2.5), (2.9,), (-1.5, 3), (0.5, 3.7, 0.9)],
                         ids=repr)
@pytest.mark.parametrize("dtype", ["int64", "int8", "uint8"])
def test_arange_of_an_integer_dtype_truncates_its_bounds(args, dtype):
    """As torch: start, end and step are truncated first (so a step of 0.9 becomes 0)."""
    torch = _torch()
    if dtype == "uint8" and args[0] < 0:
        args = tuple(abs(a) for a in args)
    try:
        expected = torch.arange(*args, dtype=getattr(torch, dtype))
    except (RuntimeError, ValueError):
        with pytest.raises((RuntimeError, ValueError), match="arange"):
            ember.arange(*args, dtype=getattr(ember, dtype))
        return
    actual = ember.arange(*args, dtype=getattr(ember, dtype))
    assert str(actual.dtype) == "ember." + dtype
    assert actual.tolist() == expected.tolist()


@pytest.mark.parametrize("args", [(-2.87, -1.68, 4), (0.5, 3.7, 5), (-1.5, 1.5, 4), (0, 10, 4)], ids=repr)
def test_linspace_of_an_integer_dtype_truncates_its_bounds(args):
    torch = _torch()
    assert ember.linspace(*args, dtype=ember.int64).tolist() == torch.linspace(*args, dtype=torch.int64).tolist()


def test_arange_keyword_arguments():
    assert ember.arange(start=2, end=5).tolist() == [2, 3, 4]
    assert ember.arange(0, 10, step=4).tolist() == [0, 4, 8]


def test_arange_end_only_keyword_like_torch():
    torch = _torch()
    assert torch.arange(end=3).tolist() == [0, 1, 2]
    assert ember.arange(end=3).tolist() == [0, 1, 2]


@pytest.mark.parametrize("args", [(0, 5, 0), (1, 2, 0.0), (5, 0, 0)], ids=repr)
def test_arange_zero_step_raises_value_error(args):
    with pytest.raises(ValueError):
        ember.arange(*args)


@pytest.mark.parametrize("args",
                         [(0, 5, -1), (5, 0, 1), (0.0, -1.0, 0.5), (0, float("inf")),
                          (float("nan"), 3)],
                         ids=repr)
def test_arange_inconsistent_or_non_finite_bounds_raise(args):
    torch = _torch()
    with pytest.raises((RuntimeError, ValueError)):
        torch.arange(*args)
    with pytest.raises((ValueError, RuntimeError)):
        ember.arange(*args)


LINSPACE_ARGS = [(0, 1, 5), (-1, 1, 1), (0, 1, 0), (1, 0, 4), (0, 10, 11), (-5.5, 2.25, 7),
                 (3, 3, 4), (0, 1, 2), (1e-3, 1e3, 9), (0, 1, 100)]


@pytest.mark.parametrize("args", LINSPACE_ARGS, ids=repr)
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64], ids=str)
def test_linspace_matches_torch(args, dtype):
    torch = _torch()
    e = ember.linspace(*args, dtype=dtype)
    t = torch.linspace(*args, dtype=_tdtype(dtype))
    assert tuple(e.shape) == tuple(t.shape) and e.dtype == dtype
    tol = 1e-5 if dtype == ember.float32 else 1e-12
    np.testing.assert_allclose(np.asarray(e), t.numpy(), rtol=tol, atol=tol)
    if args[2] >= 2:
        assert e[0].item() == pytest.approx(args[0], rel=tol, abs=tol)
        assert e[-1].item() == pytest.approx(args[1], rel=tol, abs=tol)


def test_linspace_default_dtype_and_errors():
    assert ember.linspace(0, 1, 3).dtype == ember.float32
    with pytest.raises((ValueError, RuntimeError)):
        ember.linspace(0, 1, -1)


@pytest.mark.parametrize("args", [(3,), (2, 4), (4, 2), (0,), (1,), (0, 3), (3, 0)], ids=repr)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_eye_matches_torch(args, dtype):
    torch = _torch()
    e = ember.eye(*args, dtype=dtype)
    t = torch.eye(*args, dtype=_tdtype(dtype))
    _assert_matches_torch(e, t)
    assert e.stride() == t.stride()
    if e.numel() > 0:  # empty tensors: test_empty_tensors_are_contiguous
        assert e.is_contiguous()


@pytest.mark.parametrize(
    "make",
    [lambda m: m.zeros(2, 0, 4), lambda m: m.ones(3, 0), lambda m: m.empty(0, 2),
     lambda m: m.eye(0),
             lambda m: m.eye(3, 0), lambda m: m.zeros(0), lambda m: m.full((0, 1, 2), 1.0)],
    ids=["zeros", "ones", "empty", "eye0", "eye30", "zeros0", "full"],
)
def test_empty_tensors_are_contiguous(make):
    torch = _torch()
    e, t = make(ember), make(torch)
    assert e.stride() == t.stride()
    assert t.is_contiguous()
    assert e.is_contiguous(), f"shape {tuple(e.shape)}, strides {e.stride()}"


def test_eye_default_and_errors():
    torch = _torch()
    _assert_matches_torch(ember.eye(3), torch.eye(3))
    with pytest.raises((ValueError, RuntimeError)):
        ember.eye(-1)
    with pytest.raises((ValueError, RuntimeError)):
        ember.eye(2, -3)


# ---------------------------------------------------------------------------------------
# random
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "draw",
    [lambda: ember.rand(7), lambda: ember.randn(3, 4), lambda: ember.randint(0, 100, (20,)),
     lambda: ember.randperm(30),
     lambda: ember.bernoulli(ember.full((50,), 0.5)), lambda: ember.rand(5, dtype=ember.float64),
     lambda: ember.normal(0.0, 2.0, (6,)), lambda: ember.empty(8).uniform_(-2, 2),
     lambda: ember.empty(8).normal_(1, 3)],
    ids=["rand", "randn", "randint", "randperm", "bernoulli", "rand64", "normal", "uniform_",
         "normal_"],
)
def test_manual_seed_reproducible(draw):
    ember.manual_seed(1234)
    a = draw().tolist()
    ember.manual_seed(1234)
    b = draw().tolist()
    assert a == b
    ember.manual_seed(4321)
    c = draw().tolist()
    assert a != c


def test_manual_seed_sets_initial_seed():
    ember.manual_seed(77)
    assert ember.initial_seed() == 77
    ember.manual_seed(0)
    assert ember.initial_seed() == 0


@pytest.mark.parametrize("seed", [2**64 - 1, 2**63, -1, -2**63, True])
def test_manual_seed_takes_torchs_range_and_returns_the_generator(seed):
    torch = _torch()
    g = ember.manual_seed(seed)
    assert g is ember.default_generator
    assert ember.initial_seed() == torch.manual_seed(seed).initial_seed()
    assert ember.Generator().manual_seed(seed).initial_seed() == ember.initial_seed()


@pytest.mark.parametrize("seed", [2**64, -2**63 - 1])
def test_manual_seed_out_of_range_raises(seed):
    with pytest.raises(ValueError, match=r"manual_seed: seed must be within \[-2\*\*63, 2\*\*64 - 1\]"):
        ember.manual_seed(seed)
    with pytest.raises(ValueError, match=r"manual_seed: seed must be within"):
        ember.Generator().manual_seed(seed)


@pytest.mark.parametrize("data", [
    [np.float64(1.5), 2.0], [np.float16(1.5), 2.0], [np.int32(1), 2], [np.int32(1), True],
    [np.int8(1), np.uint8(2)], [np.float16(1), np.int64(3)], [[np.int16(1)], [2]], [np.float64(1.0)],
    [np.float32(1), np.float64(2)], [np.array([1.0, 2.0]), np.array([3.0, 4.0])], (np.float32(1),),
    [np.int32(3), np.array(2, dtype=np.int8)], [1, 2.5], [True, 1], [], [[]]])
def test_sequences_of_numpy_scalars_take_torchs_dtype(data):
    # torch promotes the elements' own dtypes (Python numbers count as bool, int64, default float)
    torch = _torch()
    expected = str(torch.tensor(data).dtype).replace("torch.", "ember.")
    assert str(ember.tensor(data).dtype) == expected
    assert str(ember.as_tensor(data).dtype) == expected


def test_consecutive_draws_differ():
    ember.manual_seed(0)
    assert ember.rand(10).tolist() != ember.rand(10).tolist()


def test_generator_objects():
    g1 = ember.Generator()
    assert g1.manual_seed(42) is g1
    assert g1.initial_seed() == 42
    g2 = ember.Generator().manual_seed(42)
    a = ember.rand(10, generator=g1)
    b = ember.rand(10, generator=g2)
    assert a.tolist() == b.tolist()
    # the default generator does not disturb a private one, and vice versa
    g3 = ember.Generator().manual_seed(42)
    ember.manual_seed(5)
    ember.rand(100)
    assert ember.rand(10, generator=g3).tolist() == a.tolist()
    ember.manual_seed(5)
    x = ember.rand(4)
    ember.manual_seed(5)
    ember.rand(3, generator=ember.Generator().manual_seed(9))
    assert ember.rand(4).tolist() == x.tolist()
    g4 = ember.Generator().manual_seed(43)
    assert ember.rand(10, generator=g4).tolist() != a.tolist()


def test_generator_with_every_random_op():
    def draws(seed):
        g = ember.Generator().manual_seed(seed)
        return [
            ember.rand(3, generator=g).tolist(),
            ember.randn(3, generator=g).tolist(),
            ember.randint(0, 9, (4,), generator=g).tolist(),
            ember.randperm(6, generator=g).tolist(),
            ember.bernoulli(ember.full((8,), 0.5), generator=g).tolist(),
            ember.normal(0.0, 1.0, (2,), generator=g).tolist(),
            ember.empty(3).uniform_(0, 5, generator=g).tolist(),
            ember.empty(3).normal_(generator=g).tolist(),
        ]

    assert draws(1) == draws(1)
    assert draws(1) != draws(2)


def test_default_generator_object():
    g = ember.default_generator
    assert g is ember._C.default_generator()  # the global object itself, as torch.default_generator
    g.manual_seed(11)
    assert ember.initial_seed() == 11
    a = ember.rand(3).tolist()
    ember.manual_seed(11)
    assert ember.rand(3).tolist() == a


def test_seed_returns_a_new_seed():
    s = ember.seed()
    assert isinstance(s, int)
    assert ember.initial_seed() == s


N = 100_000


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64], ids=str)
def test_rand_range_and_moments(dtype):
    ember.manual_seed(0)
    x = np.asarray(ember.rand(N, dtype=dtype))
    assert x.dtype == (np.float32 if dtype == ember.float32 else np.float64)
    assert x.min() >= 0.0 and x.max() < 1.0
    assert abs(x.mean() - 0.5) < 0.01
    assert abs(x.var() - 1 / 12) < 0.005
    # roughly uniform: every tenth holds about a tenth of the samples
    counts = np.histogram(x, bins=10, range=(0, 1))[0]
    assert counts.min() > N / 10 * 0.9 and counts.max() < N / 10 * 1.1
    assert len(np.unique(x)) > N * 0.9


def test_rand_shapes():
    assert tuple(ember.rand(()).shape) == ()
    assert tuple(ember.rand(2, 3).shape) == (2, 3)
    assert tuple(ember.rand((2, 0)).shape) == (2, 0)
    assert ember.rand(3).dtype == ember.float32
    with pytest.raises(TypeError):
        ember.rand(3, dtype=ember.int64)


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64], ids=str)
def test_randn_moments(dtype):
    ember.manual_seed(1)
    x = np.asarray(ember.randn(N, dtype=dtype)).astype(np.float64)
    assert abs(x.mean()) < 0.02
    assert abs(x.std() - 1.0) < 0.02
    assert abs((np.abs(x) < 1).mean() - 0.6827) < 0.01
    assert np.isfinite(x).all()
    assert (x < 0).any() and (x > 2).any()


def test_normal_and_normal_moments():
    ember.manual_seed(2)
    x = np.asarray(ember.normal(3.0, 2.0, (N,))).astype(np.float64)
    assert abs(x.mean() - 3.0) < 0.04 and abs(x.std() - 2.0) < 0.04
    y = np.asarray(ember.empty(N, dtype=ember.float64).normal_(-1.0, 0.5))
    assert abs(y.mean() + 1.0) < 0.01 and abs(y.std() - 0.5) < 0.01


def test_uniform_range_on_views():
    ember.manual_seed(3)
    base = ember.zeros(100, 4)
    v = base[:, 1]
    v.uniform_(-2.0, 5.0)
    x = np.asarray(base)
    assert (x[:, [0, 2, 3]] == 0).all()
    assert x[:, 1].min() >= -2.0 and x[:, 1].max() < 5.0
    assert len(np.unique(x[:, 1])) > 90


def test_randint_bounds_and_coverage():
    ember.manual_seed(4)
    x = np.asarray(ember.randint(-3, 7, (N,)))
    assert x.dtype == np.int64
    assert x.min() == -3 and x.max() == 6
    assert set(np.unique(x).tolist()) == set(range(-3, 7))
    counts = np.bincount(x + 3)
    assert counts.min() > N / 10 * 0.9
    y = ember.randint(5, (3, 4))
    assert tuple(y.shape) == (3, 4) and y.dtype == ember.int64
    assert 0 <= ember.amin(y).item() and ember.amax(y).item() < 5
    z = ember.randint(0, 1, (10,))
    assert z.tolist() == [0] * 10
    big = np.asarray(ember.randint(0, 2**62, (1000,)))
    assert big.min() >= 0 and big.max() > 2**60
    assert ember.randint(0, 10, (4,), dtype=ember.float32).dtype == ember.float32


def test_randint_errors():
    with pytest.raises((ValueError, RuntimeError)):
        ember.randint(5, 5, (2,))
    with pytest.raises((ValueError, RuntimeError)):
        ember.randint(5, 2, (2,))
    with pytest.raises((ValueError, RuntimeError)):
        ember.randint(0, 5, (-1,))


@pytest.mark.parametrize("n", [0, 1, 2, 10, 1000])
def test_randperm_is_permutation(n):
    ember.manual_seed(n)
    p = ember.randperm(n)
    assert p.dtype == ember.int64 and tuple(p.shape) == (n,)
    assert sorted(p.tolist()) == list(range(n))


def test_randperm_is_shuffled_and_dtype():
    ember.manual_seed(0)
    p = ember.randperm(1000).tolist()
    assert p != list(range(1000))
    # about n / 1 fixed points would mean no shuffling; a random permutation has ~1
    assert sum(i == v for i, v in enumerate(p)) < 20
    q = ember.randperm(5, dtype=ember.float64)
    assert q.dtype == ember.float64 and sorted(q.tolist()) == [0.0, 1.0, 2.0, 3.0, 4.0]
    with pytest.raises((ValueError, RuntimeError)):
        ember.randperm(-1)


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64], ids=str)
def test_bernoulli(dtype):
    ember.manual_seed(5)
    p = ember.full((N,), 0.3, dtype=dtype)
    x = ember.bernoulli(p)
    assert x.dtype == dtype and tuple(x.shape) == (N,)
    a = np.asarray(x)
    assert set(np.unique(a).tolist()) <= {0.0, 1.0}
    assert abs(a.mean() - 0.3) < 0.01
    assert ember.bernoulli(ember.zeros(100, dtype=dtype)).sum().item() == 0
    assert ember.bernoulli(ember.ones(100, dtype=dtype)).sum().item() == 100
    m = ember.from_numpy(np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float64))
    assert m.bernoulli().tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_bernoulli_per_element_probabilities_and_errors():
    ember.manual_seed(6)
    p = ember.from_numpy(np.tile(np.array([0.1, 0.9], dtype=np.float32), (N // 2, 1)))
    x = np.asarray(ember.bernoulli(p))
    assert abs(x[:, 0].mean() - 0.1) < 0.01 and abs(x[:, 1].mean() - 0.9) < 0.01
    with pytest.raises((ValueError, RuntimeError)):
        ember.bernoulli(ember.full((3,), 1.5))
    with pytest.raises((ValueError, RuntimeError)):
        ember.bernoulli(ember.full((3,), -0.1))
    with pytest.raises((TypeError, RuntimeError)):
        ember.bernoulli(ember.ones(3, dtype=ember.int64))
    y = np.asarray(ember.zeros(N).bernoulli_(0.25))
    assert abs(y.mean() - 0.25) < 0.01


# ---------------------------------------------------------------------------------------
# shape errors and allocation limits
# ---------------------------------------------------------------------------------------

NEGATIVE_SHAPE_CALLS = [
    lambda: ember.zeros(-1),
    lambda: ember.ones(2, -3),
    lambda: ember.empty((-1, 2)),
    lambda: ember.full((-2,), 1.0),
    lambda: ember.rand(-2),
    lambda: ember.randn(3, -1),
    lambda: ember.randint(0, 3, (-1,)),
    lambda: ember.zeros((2, -5), dtype=ember.int64),
]


@pytest.mark.parametrize("call", NEGATIVE_SHAPE_CALLS, ids=range(len(NEGATIVE_SHAPE_CALLS)))
def test_negative_dims_raise_value_error(call):
    with pytest.raises(ValueError, match="negative"):
        call()


@pytest.mark.parametrize(
    "call",
    [lambda: ember.zeros(2**40, 2**40), lambda: ember.ones(2**31, 2**31, 2**31),
     lambda: ember.empty(2**62, 4),
     lambda: ember.empty(2**61, dtype=ember.float64), lambda: ember.full((2**40, 2**40), 1.0),
     lambda: ember.rand(2**40, 2**40), lambda: ember.zeros(2**63 - 1)],
    ids=["zeros", "ones3", "empty_bytes", "empty_f64", "full", "rand", "zeros_max"],
)
def test_overflowing_numel_raises_without_crash(call):
    with pytest.raises((ValueError, RuntimeError)):
        call()


@pytest.mark.parametrize(
    "call",
    [lambda: ember.empty(2**45), lambda: ember.zeros(2**45),
     lambda: ember.ones(2**43, dtype=ember.float64),
             lambda: ember.empty(2**20, 2**25)],
    ids=["empty", "zeros", "ones_f64", "empty_2d"],
)
def test_huge_allocation_raises_runtime_error(call):
    with pytest.raises(RuntimeError):
        call()
    # ember stays usable afterwards
    assert ember.ones(3).sum().item() == 3


def test_shape_of_wrong_type_raises_type_error():
    for bad in ("3", 2.5, [1.5, 2], None):
        with pytest.raises(TypeError):
            ember.zeros(bad)


# ---------------------------------------------------------------------------------------
# repr against torch
# ---------------------------------------------------------------------------------------


def _repr_pair(a):
    torch = _torch()
    a = np.asarray(a)
    e = ember.from_numpy(a.copy())
    t = torch.from_numpy(a.copy())
    return repr(e), repr(t).replace("torch", "ember")


REPR_CASES = {
    "ints": np.array([1, 2, 3]),
    "ints_2d_widths": np.array([[1, -20], [300, 4]]),
    "big_ints": np.array([10**12, 1, -5]),
    "floats": np.array([1.5, 2.25, -3.125], dtype=np.float32),
    "whole_floats": np.array([1.0, 2.0, 3.0], dtype=np.float32),
    "tenths": np.array([0.1, 0.2, 0.3], dtype=np.float32),
    "mixed_small": np.array([1e-5, 1.0, 1000.0], dtype=np.float32),
    "mixed_large": np.array([1e10, 1.0], dtype=np.float32),
    "whole_ratio": np.array([1.0, 2000.0], dtype=np.float32),
    "whole_big": np.array([1.0, 2e8], dtype=np.float32),
    "tiny": np.array([1e-5, 2e-5], dtype=np.float32),
    "neg_mixed": np.array([-1e-3, 5.0, 123.456], dtype=np.float32),
    "float64": np.array([1.5, 2.5], dtype=np.float64),
    "float64_2d": np.arange(6, dtype=np.float64).reshape(2, 3) / 7,
    "nan_inf": np.array([np.nan, 1.0, np.inf], dtype=np.float32),
    "nan_frac": np.array([np.nan, 1.5, -np.inf], dtype=np.float32),
    "all_nan": np.array([np.nan, np.nan], dtype=np.float32),
    "zeros": np.zeros(3, dtype=np.float32),
    "bool": np.array([True, False]),
    "bool_all_true": np.array([[True], [True]]),
    "bool_2d": np.array([[True, False, True], [False, False, True]]),
    "zero_d_float": np.array(3.5, dtype=np.float32),
    "zero_d_int": np.array(7),
    "zero_d_bool": np.array(True),
    "zero_d_f64": np.array(2.25, dtype=np.float64),
    "zero_d_neg_sci": np.array(-1.5e-7, dtype=np.float32),
    "empty_f32": np.zeros(0, dtype=np.float32),
    "empty_2d": np.zeros((2, 0), dtype=np.float32),
    "empty_int": np.zeros(0, dtype=np.int64),
    "empty_int_3d": np.zeros((0, 2, 3), dtype=np.int64),
    "empty_f64": np.zeros(0, dtype=np.float64),
    "empty_bool": np.zeros(0, dtype=np.bool_),
    "matrix": np.arange(6).reshape(2, 3),
    "matrix_f": np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 0.5,
    "cube": np.arange(24, dtype=np.float32).reshape(2, 3, 4),
    "cube_int": np.arange(24).reshape(2, 3, 4) - 12,
    "four_d": np.arange(16).reshape(2, 2, 2, 2),
    "wrap_floats": np.arange(30, dtype=np.float32) / 3,
    "wrap_ints": np.arange(100),
    "large_float": np.arange(2000, dtype=np.float32),
    "large_int": np.arange(3000),
    "large_2d": np.arange(3000, dtype=np.float32).reshape(30, 100) / 7,
    "large_3d": np.arange(2000).reshape(10, 10, 20),
    "large_bool": np.arange(2000) % 3 == 0,
    "threshold": np.arange(1000, dtype=np.float32),
    "over_threshold": np.arange(1001, dtype=np.float32),
    "random": np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32),
    "random_big": np.random.default_rng(1).standard_normal((40, 40)).astype(np.float32) * 100,
    "negative_zero": np.array([-0.0, 1.5], dtype=np.float32),
}


@pytest.mark.parametrize("name", list(REPR_CASES))
def test_repr_matches_torch(name):
    got, expected = _repr_pair(REPR_CASES[name])
    assert got == expected


def test_str_matches_repr():
    t = ember.from_numpy(np.arange(6.0).reshape(2, 3))
    assert str(t) == repr(t)


def test_repr_of_non_contiguous_view():
    torch = _torch()
    a = np.arange(24, dtype=np.float32).reshape(4, 6)
    e = ember.from_numpy(a.copy())[:, ::2].T
    t = torch.from_numpy(a.copy())[:, ::2].T
    assert repr(e) == repr(t).replace("torch", "ember")


def test_dtype_device_and_size_reprs():
    assert repr(ember.float32) == "ember.float32"
    assert repr(ember.int64) == "ember.int64"
    assert repr(ember.bool) == "ember.bool"
    assert repr(ember.float64) == "ember.float64"
    assert (ember.double is ember.float64 and ember.long is ember.int64
            and ember.float is ember.float32)
    assert repr(ember.zeros(2, 3).shape) == "ember.Size([2, 3])"
    assert repr(ember.zeros(()).shape) == "ember.Size([])"
    assert repr(ember.device("cpu")) == "device(type='cpu')"
    assert ember.zeros(1).device == ember.device("cpu") and ember.zeros(1).device.type == "cpu"
    assert ember.zeros(1).device != "cpu"  # a string is no device, as torch's


def test_legacy_tensor_constructor_matches_torch():
    torch = pytest.importorskip("torch")
    for args in [(2, 3), (0,), ()]:
        assert tuple(ember.Tensor(*args).shape) == tuple(torch.Tensor(*args).shape)
        assert ember.Tensor(*args).dtype == ember.float32
    for data in [[1, 2], [[1.5, 2.5]], [True, False]]:
        e, t = ember.Tensor(data), torch.Tensor(data)
        assert e.dtype == ember.float32 and t.dtype == torch.float32
        np.testing.assert_array_equal(np.asarray(e), t.numpy())
    with pytest.raises(ValueError, match="negative dimension"):
        ember.Tensor(2, -1)


def test_new_methods_match_torch():
    torch = pytest.importorskip("torch")
    for dtype in ["float64", "int64", "bool"]:
        e = ember.zeros(2, dtype=getattr(ember, dtype))
        t = torch.zeros(2, dtype=getattr(torch, dtype))
        pairs = [
            (e.new_zeros((2, 3)), t.new_zeros((2, 3))),
            (e.new_ones([4]), t.new_ones([4])),
            (e.new_full((2,), 1), t.new_full((2,), 1)),
            (e.new_tensor([[1, 0]]), t.new_tensor([[1, 0]])),
            (e.new_zeros(3, dtype=ember.float32), t.new_zeros(3, dtype=torch.float32)),
        ]
        for got, want in pairs:
            assert str(got.dtype).split(".")[1] == str(want.dtype).split(".")[1]
            np.testing.assert_array_equal(np.asarray(got), want.numpy())
        assert tuple(e.new_empty((3, 0)).shape) == (3, 0)
    with pytest.raises(ValueError, match="negative dimension"):
        ember.zeros(1).new_zeros((2, -1))

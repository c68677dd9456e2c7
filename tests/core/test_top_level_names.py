"""torch's top-level names that programs reach for, plain Python over ember's ops (ember/_spellings.py
and friends): each against torch."""

import warnings

import numpy as np
import pytest

import ember
from bad_inputs import exception_type

torch = pytest.importorskip("torch")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]


def _same_outcome(fn):
    """fn(ember) and fn(torch): equal values (dtype names and lists) or the same exception type."""
    def run(lib):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = fn(lib)
        except Exception as e:  # noqa: BLE001 - the type is compared
            return exception_type(e) if lib is ember else type(e)
        return (str(r.dtype).split(".")[-1], tuple(r.shape), r.tolist()) if hasattr(r, "dtype") else r
    e, t = run(ember), run(torch)
    if isinstance(t, type) and issubclass(t, Exception):
        assert e is t or (t is RuntimeError and e in (ValueError, TypeError)), (e, t)
    else:
        assert e[:2] == t[:2], (e, t)
        np.testing.assert_allclose(np.asarray(e[2], dtype=float), np.asarray(t[2], dtype=float), rtol=1e-6, atol=1e-7)
    return e


def test_names_exist():
    names = ["e", "pi", "inf", "nan", "newaxis", "asarray", "scalar_tensor", "range", "layout", "hann_window",
             "hamming_window", "blackman_window", "bartlett_window", "kaiser_window", "can_cast", "is_signed",
             "is_same_size", "get_num_interop_threads", "set_num_interop_threads", "set_warn_always",
             "is_warn_always_enabled", "is_anomaly_enabled", "is_anomaly_check_nan_enabled", "set_anomaly_enabled",
             "is_inference_mode_enabled", "vmap", "GradScaler", "set_default_tensor_type", "multiprocessing"]
    assert [n for n in names if not hasattr(torch, n)] == []
    assert [n for n in names if not hasattr(ember, n)] == []
    for n in ("e", "pi", "inf", "nan", "newaxis"):
        assert repr(getattr(ember, n)) == repr(getattr(torch, n))
    assert ember.vmap is ember.func.vmap and ember.GradScaler is ember.amp.GradScaler
    assert ember.ones(2, 3)[:, ember.newaxis].shape == (2, 1, 3)


def test_layout_and_tensor_flags():
    x, t = ember.ones(2), torch.ones(2)
    assert repr(x.layout) == "ember.strided" and x.layout is ember.strided and repr(t.layout) == "torch.strided"
    assert x.is_sparse is t.is_sparse is False
    assert x.is_pinned() is t.is_pinned() is False and x.is_inference() is t.is_inference() is False
    for y in (x, t):
        with pytest.raises(RuntimeError, match="Device string must not be empty"):
            y.is_pinned("")
    for lib, y in ((ember, x), (torch, t)):
        with pytest.raises(RuntimeError, match="accelerator"):
            y.pin_memory()
    import pickle
    assert pickle.loads(pickle.dumps(ember.strided)) is ember.strided


def test_asarray_shares_and_converts_as_torch():
    for data in ([1, 2], [1.0, 2.5], [[True, False]], 3, 2.5, np.arange(4, dtype=np.int32),
                 np.ones((2, 2)), np.ones(3, dtype=np.float16)):
        _same_outcome(lambda L, d=data: L.asarray(d))
        _same_outcome(lambda L, d=data: L.asarray(d, dtype=L.float64))
    a = np.zeros(3)
    for lib in (ember, torch):
        shared = lib.asarray(a)
        shared[0] = 7
        assert a[0] == 7
        a[0] = 0
        copied = lib.asarray(a, copy=True)
        copied[1] = 5
        assert a[1] == 0
    x = ember.ones(2)
    assert ember.asarray(x) is x and ember.asarray(x, dtype=ember.float64).dtype == ember.float64
    assert ember.asarray([1.0], requires_grad=True).requires_grad
    with pytest.raises(ValueError):
        ember.asarray([1, 2], copy=False)
    with pytest.raises(ValueError):
        ember.asarray(x, dtype=ember.int64, copy=False)


def test_scalar_tensor_and_range_as_torch():
    for s in (3, 2.5, True, -7):
        _same_outcome(lambda L, s=s: L.scalar_tensor(s))
        _same_outcome(lambda L, s=s: L.scalar_tensor(s, dtype=L.int64))
    for args, kw in (((1, 4), {}), ((0, 1, 0.3), {}), ((1, 4), {"dtype": "int64"}), ((5,), {}), ((4, 1, -1), {}),
                     ((0, 1, 0.1), {"dtype": "float64"}), ((1, 0), {}), ((0, 5, 0), {}), ((-2.5, 2.5, 0.5), {})):
        _same_outcome(lambda L, a=args, k=kw: L.range(*a, **{n: getattr(L, v) for n, v in k.items()}))
    with pytest.warns(UserWarning, match="deprecated"):
        ember.range(1, 2)


@pytest.mark.parametrize("name", ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
                                  "kaiser_window"])
def test_windows_as_torch(name):
    for n in range(0, 10):
        for periodic in (True, False):
            for dtype in ("float32", "float64"):
                e = getattr(ember, name)(n, periodic, dtype=getattr(ember, dtype))
                t = getattr(torch, name)(n, periodic, dtype=getattr(torch, dtype))
                assert e.dtype == getattr(ember, dtype) and tuple(e.shape) == tuple(t.shape)
                np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6 if dtype == "float32" else 1e-13,
                                           atol=1e-7 if dtype == "float32" else 1e-15)
    if name == "kaiser_window":
        for beta in (0.5, 5.0, 20.0):
            np.testing.assert_allclose(ember.kaiser_window(7, True, beta, dtype=ember.float64).numpy(),
                                       torch.kaiser_window(7, True, beta, dtype=torch.float64).numpy(), rtol=1e-12)
    for dtype in ("float16", "bfloat16"):  # each value rounded as torch's kernels round it
        for n in (5, 8, 33):
            np.testing.assert_array_equal(getattr(ember, name)(n, dtype=getattr(ember, dtype)).float().numpy(),
                                          getattr(torch, name)(n, dtype=getattr(torch, dtype)).float().numpy())
    if name == "hamming_window":
        np.testing.assert_allclose(ember.hamming_window(6, True, 0.6, 0.4).numpy(),
                                   torch.hamming_window(6, True, 0.6, 0.4).numpy(), rtol=1e-6)
    assert getattr(ember, name)(5, requires_grad=True).requires_grad
    _same_outcome(lambda L: getattr(L, name)(-1))
    _same_outcome(lambda L: getattr(L, name)(4, dtype=L.int64))


def test_dtype_queries_as_torch():
    for a in DTYPES:
        for b in DTYPES:
            assert ember.can_cast(getattr(ember, a), getattr(ember, b)) == \
                torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)
        assert ember.is_signed(ember.ones(1, dtype=getattr(ember, a))) == \
            torch.is_signed(torch.ones(1, dtype=getattr(torch, a))), a
    assert ember.is_same_size(ember.ones(2, 3), ember.ones(2, 3)) and not ember.is_same_size(ember.ones(2), ember.ones(3))
    _same_outcome(lambda L: L.can_cast(L.float32, 3))


def test_switches():
    assert ember.get_num_interop_threads() == 1
    ember.set_num_interop_threads(4)
    assert ember.get_num_interop_threads() == 1  # ember has no inter-op pool (documented)
    with pytest.raises(ValueError):
        ember.set_num_interop_threads(0)
    ember.set_warn_always(True)
    assert ember.is_warn_always_enabled()
    ember.set_warn_always(False)
    assert not ember.is_anomaly_enabled() and ember.is_anomaly_check_nan_enabled()
    ember.set_anomaly_enabled(True)
    try:
        assert ember.is_anomaly_enabled() and ember.autograd.is_anomaly_enabled()
    finally:
        ember.set_anomaly_enabled(False)


def test_inference_mode_flag_as_torch():
    for lib in (ember, torch):
        assert not lib.is_inference_mode_enabled()
        with lib.inference_mode():
            assert lib.is_inference_mode_enabled() and not lib.is_grad_enabled()
            with lib.inference_mode(False):
                assert not lib.is_inference_mode_enabled()
            assert lib.is_inference_mode_enabled()

        @lib.inference_mode()
        def inside():
            return lib.is_inference_mode_enabled()

        assert inside() and not lib.is_inference_mode_enabled()


def test_tensor_new_as_torch():
    for dtype in ("float32", "int64", "float64"):
        for args in ((2, 3), ([1.7, 2],), (), ((2, 2),), ([[1, 2], [3, 4]],)):
            e = _same_outcome(lambda L, a=args, d=dtype: L.zeros(1, dtype=getattr(L, d)).new(*a).zero_()
                              if a and isinstance(a[0], int) else L.zeros(1, dtype=getattr(L, d)).new(*a))
            assert e is not None
    x = ember.ones(2)
    assert x.new(x) is x
    _same_outcome(lambda L: L.ones(2).new(-1))
    for device in (None, "cpu"):  # a tensor with any device= is refused, as torch's
        _same_outcome(lambda L, d=device: L.ones(2).new(L.ones(2), device=d))
        _same_outcome(lambda L, d=device: L.FloatTensor(L.ones(2), device=d))
        _same_outcome(lambda L, d=device: L.ones(2).new(2, device=d).zero_())


def test_set_default_tensor_type_as_torch():
    try:
        for lib in (ember, torch):
            with pytest.warns(UserWarning, match="deprecated"):
                lib.set_default_tensor_type(lib.DoubleTensor)
            assert lib.ones(1).dtype == lib.float64 and lib.get_default_dtype() == lib.float64
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lib.set_default_tensor_type("torch.FloatTensor")
            assert lib.ones(1).dtype == lib.float32
        for bad in ("LongTensor", "float64"):
            _same_outcome(lambda L, b=bad: L.set_default_tensor_type(getattr(L, b)))
        _same_outcome(lambda L: L.set_default_tensor_type(L.cuda.FloatTensor))
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


def test_assert_allclose_as_torch():
    cases = [([1.0, 2.0], [1.0, 2.00001]), ([1.0, 2.0], [1.0, 2.1]), ([float("nan")], [float("nan")]),
             ([1, 2], [1, 2]), ([1, 2], [1, 3])]
    for actual, expected in cases:
        outcome = []
        for lib in (ember, torch):
            with pytest.warns(FutureWarning):
                try:
                    lib.testing.assert_allclose(lib.tensor(actual), expected)
                    outcome.append(None)
                except AssertionError as e:
                    outcome.append(str(e).splitlines()[0])
        assert outcome[0] == outcome[1], (actual, expected, outcome)


def _once_differentiable_square(lib):
    once = (ember if lib is ember else torch).autograd.function.once_differentiable

    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad
    return Square


def test_once_differentiable_as_torch():
    import ember.autograd.function  # noqa: F401
    import torch.autograd.function  # noqa: F401
    for lib in (ember, torch):
        square = _once_differentiable_square(lib)
        x = lib.tensor([3.0], requires_grad=True)
        square.apply(x).sum().backward()
        assert x.grad.tolist() == [6.0]
        z = (square.apply(x) * x).sum()
        (g,) = lib.autograd.grad(z, x, create_graph=True)
        assert g.tolist() == [27.0] and g.requires_grad
        with pytest.raises(RuntimeError, match="differentiate twice a function that was marked with @once_differentiable"):
            g.sum().backward()


def test_cuda_names_answer_as_a_cpu_build():
    for name in ("FloatTensor", "LongTensor", "ByteTensor"):
        with pytest.raises(TypeError, match="not available"):
            getattr(ember.cuda, name)(2)
        with pytest.raises(TypeError, match="not available"):
            getattr(torch.cuda, name)(2)
        assert not isinstance(ember.ones(1), getattr(ember.cuda, name))
    with pytest.raises(RuntimeError):
        ember.cuda.Event(enable_timing=True)
    with pytest.raises(RuntimeError):
        torch.cuda.Event(enable_timing=True)
    with pytest.raises(RuntimeError):
        ember.cuda.Stream()
    assert dict(ember.cuda.memory_stats()) == dict(torch.cuda.memory_stats()) == {}
    assert ember.cuda.memory_cached() == torch.cuda.memory_cached() == 0
    assert ember.cuda.get_rng_state_all() == torch.cuda.get_rng_state_all() == []
    ember.cuda.reset_peak_memory_stats()


def test_memory_formats_as_torch():
    def layouts(L):
        x = L.arange(120.0).reshape(2, 3, 4, 5)
        y = x.contiguous(memory_format=L.channels_last)
        v = L.arange(240.0).reshape(2, 3, 2, 4, 5).contiguous(memory_format=L.channels_last_3d)
        conv = L.nn.Conv2d(3, 4, 3).to(memory_format=L.channels_last)
        return [y.stride(), y.is_contiguous(), y.is_contiguous(memory_format=L.channels_last),
                y.contiguous(memory_format=L.channels_last) is y, bool((y == x).all()),
                y.clone(memory_format=L.preserve_format).stride(), y.clone(memory_format=L.contiguous_format).stride(),
                x.clone(memory_format=L.channels_last).stride(), x.to(memory_format=L.channels_last).stride(),
                y.to(memory_format=L.contiguous_format).stride(), v.stride(),
                v.is_contiguous(memory_format=L.channels_last_3d), conv.weight.stride(), conv.bias.stride(),
                L.ones(2, 3, 1, 1).is_contiguous(memory_format=L.channels_last),
                x.contiguous(memory_format=L.preserve_format).stride(), repr(L.channels_last).split(".")[1],
                x.contiguous() is x, x.mT.contiguous() is x.mT]
    assert layouts(ember) == layouts(torch)
    y = ember.randn(2, 3, 6, 6).contiguous(memory_format=ember.channels_last)
    conv = ember.nn.Conv2d(3, 4, 3).to(memory_format=ember.channels_last)
    np.testing.assert_allclose(conv(y).detach().numpy(), conv(y.contiguous()).detach().numpy(), rtol=1e-6, atol=1e-6)
    for fn in (lambda L: L.ones(3).contiguous(memory_format=L.channels_last),
               lambda L: L.ones(2, 3).to(memory_format=L.channels_last),
               lambda L: L.ones(2, 3, 4, 5).contiguous(memory_format=3)):
        _same_outcome(fn)
    import pickle
    assert pickle.loads(pickle.dumps(ember.channels_last)) is ember.channels_last


def test_argument_kinds_refused_as_torch():
    # found by a 5-minute fuzz run of this stop's names (seed 5)
    for fn in (lambda L: L.blackman_window(0, dtype="abc"), lambda L: L.hann_window(2, -0.85),
               lambda L: L.kaiser_window(3, requires_grad=2), lambda L: L.range(3.4e38, 0, requires_grad=()),
               lambda L: L.range(0.22, 5e-324, 5e-324), lambda L: L.ones(2).new(-2 ** 63 - 1, 3),
               lambda L: L.chain_matmul(L.tensor(1.5), 2)):
        _same_outcome(fn)

"""Tensor.unfold (sliding windows as a view), the bit shifts (<<, >>, bitwise_left_shift,
bitwise_right_shift) and copysign against torch: values, views, gradients (gradcheck in float64)
and errors."""
import re

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

UNFOLD = [((10,), 0, 3, 2), ((10,), 0, 3, 3), ((10,), 0, 2, 5), ((4, 9), 1, 4, 1), ((4, 9), 0, 2, 2),
          ((2, 3, 8), -1, 8, 1), ((2, 3, 8), 2, 0, 3), ((5, 6), -2, 5, 7), ((), 0, 1, 1), ((), -1, 0, 2),
          ((3, 0, 4), 2, 2, 1), ((3, 0, 4), 1, 0, 1)]


@pytest.mark.parametrize("shape, dim, size, step", UNFOLD, ids=[str(c) for c in UNFOLD])
def test_unfold_matches_torch(shape, dim, size, step):
    x = np.random.default_rng(0).standard_normal(shape)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = xe.unfold(dim, size, step), xt.unfold(dim, size, step)
    assert tuple(ye.shape) == tuple(yt.shape)
    np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().numpy())
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape))
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert ye.grad_fn.name() == "UnfoldBackward0"


def test_unfold_is_a_view_of_a_strided_input():
    results = []
    for L in (ember, torch):
        x = L.arange(24.0).reshape(4, 6).t()  # non-contiguous
        w = x.unfold(0, 2, 2)
        x[0, 0] = 100.0  # a write through the base shows in the windows, and one through a window in the base
        w[1, 2, 1] = -5.0
        results.append((w.numpy().copy(), x.numpy().copy()))
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("shape, dim, size, step", [((7,), 0, 3, 2), ((3, 5), 1, 2, 1), ((2, 6), 0, 1, 1)])
def test_unfold_gradcheck(shape, dim, size, step):
    x = ember.tensor(np.random.default_rng(2).standard_normal(shape), requires_grad=True)
    fn = lambda t: t.unfold(dim, size, step) * 1.5  # noqa: E731
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))


def test_patches_of_an_image_as_vision_transformers_cut_them():
    img = np.random.default_rng(3).standard_normal((2, 3, 8, 8)).astype(np.float32)
    pe = ember.tensor(img).unfold(2, 4, 4).unfold(3, 4, 4).reshape(2, 3, 4, 16)
    pt = torch.tensor(img).unfold(2, 4, 4).unfold(3, 4, 4).reshape(2, 3, 4, 16)
    np.testing.assert_array_equal(pe.numpy(), pt.numpy())


@pytest.mark.parametrize("shape, dim, size, step", [((5,), 0, 6, 1), ((5,), 0, -1, 1), ((5,), 0, 2, 0),
                                                    ((5,), 1, 2, 1), ((), 0, 2, 1), ((2, 3), -3, 1, 1)])
def test_unfold_errors_match_torch(shape, dim, size, step):
    with pytest.raises(Exception) as expected:
        torch.zeros(shape).unfold(dim, size, step)
    with pytest.raises(type(expected.value)) as got:
        ember.zeros(shape).unfold(dim, size, step)
    words = re.sub(r"\(.*", "", str(expected.value)).strip()
    assert words.split(",")[0] in str(got.value) or "out of range" in str(got.value)


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8"])
def test_shifts_match_torch_at_every_count(dtype):
    info = np.iinfo(dtype)
    x = np.array([0, 1, -1, 5, -7, info.max, info.min, 100], dtype=np.int64).astype(dtype)
    counts = np.array([-70, -1, 0, 1, 2, 7, 8, 15, 16, 31, 32, 63, 64, 65], dtype=np.int64)
    for c in counts:
        for op in ("__lshift__", "__rshift__"):
            e = getattr(ember.tensor(x), op)(int(c))
            t = getattr(torch.tensor(x), op)(int(c))
            assert e.dtype == getattr(ember, str(t.dtype).split(".")[1]), (op, c)
            np.testing.assert_array_equal(e.numpy(), t.numpy(), err_msg=f"{op} {c}")
    ce = ember.tensor(np.resize(counts, x.size).astype(dtype) if dtype != "uint8" else np.arange(x.size, dtype=dtype))
    ct = torch.tensor(ce.numpy())
    for fn in ("bitwise_left_shift", "bitwise_right_shift"):
        np.testing.assert_array_equal(getattr(ember, fn)(ember.tensor(x), ce).numpy(),
                                      getattr(torch, fn)(torch.tensor(x), ct).numpy())


def test_shift_spellings_match_torch():
    for L in (ember, torch):
        x = L.tensor([1, 2, -8])
        y = x.clone()
        y <<= 2
        z = x.clone()
        z >>= L.tensor([1, 0, 2])
        results = [x << 3, 2 << x.abs(), x >> 1, 64 >> x.abs(), y, z, L.bitwise_left_shift(3, x.abs()),
                   x.bitwise_right_shift(1), x.clone().bitwise_left_shift_(1), L.tensor([True, False]) << 1]
        if L is ember:
            mine = [r.numpy() for r in results]
        else:
            theirs = [r.numpy() for r in results]
    for a, b in zip(mine, theirs):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    for L in (ember, torch):
        with pytest.raises((TypeError, NotImplementedError, RuntimeError)):
            L.ones(2) << 1
        with pytest.raises((TypeError, NotImplementedError, RuntimeError)):
            L.tensor([True]) << L.tensor([True])


def test_copysign_matches_torch_on_zeros_nan_and_integers():
    x = [0.0, -0.0, 1.5, -2.0, float("nan"), float("inf")]
    y = [-1.0, 1.0, -0.0, 0.0, -1.0, float("-nan")]
    e, t = ember.copysign(ember.tensor(x), ember.tensor(y)), torch.copysign(torch.tensor(x), torch.tensor(y))
    np.testing.assert_array_equal(np.signbit(e.numpy()), np.signbit(t.numpy()))
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    e, t = ember.copysign(ember.tensor([3, -2]), -1), torch.copysign(torch.tensor([3, -2]), -1)
    assert e.dtype == ember.float32 and e.tolist() == t.tolist()
    a = ember.tensor([0.0, 2.0, -3.0], requires_grad=True)
    a.copysign(ember.tensor([-1.0, -1.0, 1.0])).sum().backward()
    assert a.grad.tolist() == [0.0, -1.0, -1.0]  # torch's: zero where x is 0

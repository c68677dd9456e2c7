"""The 3-d (volume) ops against torch's: conv3d and conv_transpose3d (strides, paddings, 'same',
dilations, groups, output_padding), max/avg/adaptive pools with their indices, dropout3d and
lp_pool3d: values, gradients, gradcheck and gradgradcheck in float64, ties and NaN, 16-bit inputs,
and the bad inputs. (The layers' rows are in tests/nn/module_db_cnn.py.)"""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

CONV = [  # (C, O, kernel, kwargs)
    (3, 4, (3, 3, 3), {}), (3, 4, (2, 3, 1), dict(stride=(2, 1, 2), padding=(1, 0, 1))),
    (4, 6, (3, 2, 2), dict(groups=2, dilation=(2, 1, 2))), (4, 4, (3, 3, 3), dict(groups=4, padding="same")),
    (2, 3, (2, 3, 2), dict(padding="same")), (2, 3, (2, 2, 2), dict(padding="valid", stride=2)),
    (1, 2, (1, 1, 1), {}),
]


def _conv_pair(c, o, kernel, groups, dtype, seed, transposed=False):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, c, 5, 6, 7)).astype(dtype)
    w_shape = (c, o // groups) + kernel if transposed else (o, c // groups) + kernel
    return x, rng.standard_normal(w_shape).astype(dtype), rng.standard_normal(o).astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
@pytest.mark.parametrize("c, o, kernel, kw", CONV, ids=[str(i) for i in range(len(CONV))])
def test_conv3d_matches_torch(c, o, kernel, kw, dtype):
    x, w, b = _conv_pair(c, o, kernel, kw.get("groups", 1), dtype, 0)
    args = [(ember.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)) for v in (x, w, b)]
    ye = F.conv3d(*[a[0] for a in args], **kw)
    yt = TF.conv3d(*[a[1] for a in args], **kw)
    assert tuple(ye.shape) == tuple(yt.shape) and ye.is_contiguous()
    tol = 1e-4 if dtype == "float32" else 1e-11
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(dtype)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    for e, t in args:
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


TRANSPOSED = [
    (3, 4, (3, 3, 3), {}), (4, 6, (3, 2, 2), dict(stride=2, padding=1, output_padding=1)),
    (4, 4, (2, 3, 2), dict(groups=2, dilation=(2, 1, 3), stride=(1, 2, 1))),
    (2, 3, (2, 3, 2), dict(stride=(2, 1, 3), padding=(0, 1, 1), output_padding=(1, 0, 2))),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("c, o, kernel, kw", TRANSPOSED, ids=[str(i) for i in range(len(TRANSPOSED))])
def test_conv_transpose3d_matches_torch(c, o, kernel, kw, dtype):
    x, w, b = _conv_pair(c, o, kernel, kw.get("groups", 1), dtype, 2, transposed=True)
    args = [(ember.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)) for v in (x, w, b)]
    ye = F.conv_transpose3d(*[a[0] for a in args], **kw)
    yt = TF.conv_transpose3d(*[a[1] for a in args], **kw)
    assert tuple(ye.shape) == tuple(yt.shape)
    tol = 1e-4 if dtype == "float32" else 1e-11
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    g = np.random.default_rng(3).standard_normal(tuple(yt.shape)).astype(dtype)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    for e, t in args:
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


def test_conv3d_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(4)
    x = ember.tensor(rng.standard_normal((1, 2, 3, 3, 4)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((2, 1, 2, 2, 2)), requires_grad=True)
    b = ember.tensor(rng.standard_normal(2), requires_grad=True)
    for f in (lambda x, w, b: F.conv3d(x, w, b, stride=(1, 2, 1), padding=(1, 0, 1), groups=2),
              lambda x, w, b: F.conv_transpose3d(x, w, b, stride=2, output_padding=(1, 0, 1), groups=2)):
        assert gradcheck(f, (x, w, b))
        assert gradgradcheck(f, (x, w, b))


def test_conv3d_unbatched_int64_and_16_bit():
    x, w, _ = _conv_pair(2, 3, (2, 2, 2), 1, "float32", 5)
    ye, yt = F.conv3d(ember.tensor(x[0]), ember.tensor(w)), TF.conv3d(torch.tensor(x[0]), torch.tensor(w))
    np.testing.assert_allclose(ye.numpy(), yt.numpy(), rtol=1e-4, atol=1e-4)
    xi, wi = np.round(x * 3).astype(np.int64), np.round(w * 3).astype(np.int64)
    np.testing.assert_array_equal(F.conv3d(ember.tensor(xi), ember.tensor(wi)).numpy(),
                                  TF.conv3d(torch.tensor(xi), torch.tensor(wi)).numpy())
    y16 = F.conv3d(ember.tensor(x).to(ember.bfloat16), ember.tensor(w).to(ember.bfloat16))
    assert y16.dtype == ember.bfloat16
    np.testing.assert_allclose(y16.float().numpy(), TF.conv3d(torch.tensor(x), torch.tensor(w)).numpy(), rtol=0.05,
                               atol=0.1)


@pytest.mark.parametrize("make, op", [
    (lambda L: (L.ones(1, 5, 4, 4, 4), L.ones(4, 3, 3, 3, 3)), "conv3d"),    # channels
    (lambda L: (L.ones(1, 3, 2, 4, 4), L.ones(4, 3, 3, 3, 3)), "conv3d"),    # kernel over the depth
    (lambda L: (L.ones(3, 4, 4), L.ones(4, 3, 3, 3, 3)), "conv3d"),          # rank
    (lambda L: (L.ones(1, 3, 4, 4, 4), L.ones(4, 3, 3, 3)), "conv3d"),       # weight rank
    (lambda L: (L.ones(1, 5, 4, 4, 4), L.ones(3, 4, 3, 3, 3)), "conv_transpose3d"),
])
def test_conv3d_bad_inputs(make, op):
    for L, f in ((ember, getattr(F, op)), (torch, getattr(TF, op))):
        with pytest.raises(RuntimeError):
            f(*make(L))


POOLS = [  # (kernel, stride, padding, dilation, ceil_mode)
    (2, None, 0, 1, False), (3, 2, 1, 1, False), ((2, 3, 2), (1, 2, 1), (1, 1, 0), 1, False),
    (3, 1, 1, 2, False), (3, 2, 1, 1, True), ((3, 2, 3), (2, 2, 1), 0, (1, 2, 1), True),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode", POOLS)
def test_max_pool3d_matches_torch(kernel, stride, padding, dilation, ceil_mode, dtype):
    x = np.random.default_rng(6).standard_normal((2, 3, 6, 7, 8)).astype(dtype)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (ve, ie) = F.max_pool3d(xe, kernel, stride, padding, dilation, ceil_mode, return_indices=True)
    (vt, it) = TF.max_pool3d(xt, kernel, stride, padding, dilation, ceil_mode, return_indices=True)
    np.testing.assert_array_equal(ve.detach().numpy(), vt.detach().numpy())
    np.testing.assert_array_equal(ie.numpy(), it.numpy())
    g = np.random.default_rng(7).standard_normal(tuple(vt.shape)).astype(dtype)
    ve.backward(ember.tensor(g))
    vt.backward(torch.tensor(g))
    tol = 1e-6 if dtype == "float32" else 1e-12  # overlapping windows add in another order
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)


def test_max_pool3d_ties_and_nan_pick_torchs_places():
    """Ties: the first in (d, h, w) order; NaN: the last NaN, as torch's kernel scans."""
    x = np.zeros((1, 1, 4, 4, 4), dtype=np.float32)
    x[0, 0, 1, 0, 1] = x[0, 0, 0, 1, 1] = 5.0  # a tie across depths within one window
    x[0, 0, 2, 2, 2] = x[0, 0, 3, 3, 3] = np.nan  # two NaNs in one window
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1)):
        ve, ie = F.max_pool3d(ember.tensor(x), return_indices=True, **kw)
        vt, it = TF.max_pool3d(torch.tensor(x), return_indices=True, **kw)
        np.testing.assert_array_equal(ve.numpy(), vt.numpy())
        np.testing.assert_array_equal(ie.numpy(), it.numpy())
    ve, ie = F.adaptive_max_pool3d(ember.tensor(x), 2, return_indices=True)
    vt, it = TF.adaptive_max_pool3d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(ve.numpy(), vt.numpy())
    np.testing.assert_array_equal(ie.numpy(), it.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("kernel, stride, padding, ceil_mode, count_include_pad, divisor", [
    (2, None, 0, False, True, None), (3, 2, 1, False, True, None), (3, 2, 1, False, False, None),
    (3, 2, 1, True, True, None), (3, 2, 1, True, False, None), ((2, 3, 2), (1, 2, 1), (1, 1, 0), False, True, 7),
])
def test_avg_pool3d_matches_torch(kernel, stride, padding, ceil_mode, count_include_pad, divisor, dtype):
    rng = np.random.default_rng(8)
    x = (rng.integers(-50, 50, (2, 3, 5, 6, 7)) if dtype == "int64" else rng.standard_normal((2, 3, 5, 6, 7))
         ).astype(dtype)
    ye = F.avg_pool3d(ember.tensor(x), kernel, stride, padding, ceil_mode, count_include_pad, divisor)
    yt = TF.avg_pool3d(torch.tensor(x), kernel, stride, padding, ceil_mode, count_include_pad, divisor)
    assert ye.dtype == getattr(ember, dtype)
    tol = 1e-6 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(ye.numpy(), yt.numpy(), rtol=tol, atol=tol)
    if dtype == "float64":
        xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        F.avg_pool3d(xe, kernel, stride, padding, ceil_mode, count_include_pad, divisor).sum().backward()
        TF.avg_pool3d(xt, kernel, stride, padding, ceil_mode, count_include_pad, divisor).sum().backward()
        np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("size", [1, (2, 3, 4), (5, 6, 7), (3, None, 2), (7, 9, 10)])
def test_adaptive_pools_3d_match_torch(size):
    x = np.random.default_rng(9).standard_normal((2, 3, 5, 6, 7))
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = F.adaptive_avg_pool3d(xe, size), TF.adaptive_avg_pool3d(xt, size)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
    ye.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-12)
    (ve, ie), (vt, it) = F.adaptive_max_pool3d_with_indices(ember.tensor(x), size), \
        TF.adaptive_max_pool3d_with_indices(torch.tensor(x), size)
    np.testing.assert_array_equal(ve.numpy(), vt.numpy())
    np.testing.assert_array_equal(ie.numpy(), it.numpy())


def test_pools_3d_gradcheck_and_gradgradcheck():
    x = ember.tensor(np.random.default_rng(10).permutation(60).reshape(1, 1, 3, 4, 5) / 7.0, requires_grad=True)
    for f in (lambda t: F.max_pool3d(t, 2, 1, 1),
              lambda t: F.avg_pool3d(t, (2, 3, 2), 1, 1, ceil_mode=True, count_include_pad=False),
              lambda t: F.adaptive_avg_pool3d(t, (2, 3, 2)), lambda t: F.adaptive_max_pool3d(t, 2),
              lambda t: F.lp_pool3d(t + 0.5, 2, 2, 1)):
        assert gradcheck(f, (x,))
        assert gradgradcheck(f, (x,))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_pools_3d_16_bit(dtype):
    """max picks exactly torch's values; torch's CPU avg_pool3d has no 16-bit kernel, so ember's
    (summed in float32, rounded once) is the float32 result rounded."""
    x = np.random.default_rng(11).standard_normal((1, 2, 4, 5, 6)).astype(np.float32)
    xe, xt = ember.tensor(x).to(getattr(ember, dtype)), torch.tensor(x).to(getattr(torch, dtype))
    ye, yt = F.max_pool3d(xe, 2), TF.max_pool3d(xt, 2)
    assert ye.dtype == xe.dtype
    np.testing.assert_array_equal(ye.float().numpy(), yt.float().numpy())
    ye = F.avg_pool3d(xe, 2, 1, 1)
    assert ye.dtype == xe.dtype
    expected = TF.avg_pool3d(xt.float(), 2, 1, 1).to(getattr(torch, dtype)).float()
    np.testing.assert_array_equal(ye.float().numpy(), expected.numpy())


@pytest.mark.parametrize("call, error", [
    (lambda L, F: F.max_pool3d(L.ones(1, 1, 2, 2, 2), 3), RuntimeError),
    (lambda L, F: F.max_pool3d(L.ones(2, 2, 2), 1), RuntimeError),
    (lambda L, F: F.max_pool3d(L.ones(1, 1, 4, 4, 4), 2, padding=2), RuntimeError),
    (lambda L, F: F.avg_pool3d(L.ones(1, 1, 4, 4, 4), 2, divisor_override=0), RuntimeError),
    (lambda L, F: F.avg_pool3d(L.ones(1, 1, 4, 4, 4), (2, 2)), RuntimeError),
    (lambda L, F: F.adaptive_avg_pool3d(L.ones(1, 1, 4, 4, 4), (2, 2)), RuntimeError),
    (lambda L, F: F.adaptive_avg_pool3d(L.ones(1, 0, 4, 4, 4), 2), RuntimeError),
])
def test_pools_3d_bad_inputs(call, error):
    """ember raises ValueError where torch raises RuntimeError (ember's convention, a subclass check
    would not hold): both refuse."""
    with pytest.raises(error):
        call(torch, TF)
    with pytest.raises((ValueError, TypeError, RuntimeError)):
        call(ember, F)


def test_avg_pool3d_refuses_an_input_smaller_than_the_kernel_as_torch():
    for L, f in ((ember, F.avg_pool3d), (torch, TF.avg_pool3d)):
        with pytest.raises((RuntimeError, ValueError)):
            f(L.ones(1, 1, 2, 2, 4), 3, padding=1)


def test_dropout3d():
    x = ember.ones(4, 6, 2, 3, 3)
    y = F.dropout3d(x, 0.5, training=True)
    per_channel = y.reshape(4, 6, -1)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()
    y = F.dropout3d(ember.ones(6, 2, 3, 3), 0.5, training=True)  # unbatched: channels are dim 0
    assert ((y.reshape(6, -1) == 0).all(-1) | (y.reshape(6, -1) == 2).all(-1)).all()
    with pytest.warns(UserWarning, match="dropout3d: Received a 3-D input"):
        F.dropout3d(ember.ones(2, 3, 4), 0.5)
    with pytest.warns(UserWarning):  # as torch's: any input but a 5-d one is one sample, dim 0 its channels
        y = F.dropout3d(ember.ones(6, 5), 0.5)
        assert ((y == 0).all(-1) | (y == 2).all(-1)).all()
        assert F.dropout3d(ember.tensor(3, dtype=ember.uint8), 1.0).tolist() == 0  # p = 1 takes any dtype
    with pytest.raises(ValueError, match="nan"):
        F.dropout3d(x, float("nan"), training=False)
    assert F.dropout3d(x, 0.5, training=False) is x
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout3d(x, 1.5)


def test_video_classifier_trains_as_torch():
    """A small 3-d CNN (conv, batch norm, pools, dropout off) trained three SGD steps in both."""
    def build(L):
        N = L.nn
        return N.Sequential(N.Conv3d(2, 4, 3, padding=1), N.BatchNorm3d(4), N.ReLU(), N.MaxPool3d(2),
                            N.Conv3d(4, 4, (1, 3, 3), padding=(0, 1, 1), groups=2), N.ReLU(),
                            N.AdaptiveAvgPool3d(1), N.Flatten(), N.Linear(4, 3))
    me, mt = build(ember), build(torch)
    rng = np.random.default_rng(12)
    with torch.no_grad(), ember.no_grad():
        for pe, pt in zip(me.parameters(), mt.parameters()):
            v = rng.uniform(-0.3, 0.3, tuple(pt.shape)).astype(np.float32)
            pe.copy_(ember.tensor(v))
            pt.copy_(torch.tensor(v))
    oe, ot = ember.optim.SGD(me.parameters(), lr=0.1), torch.optim.SGD(mt.parameters(), lr=0.1)
    x = rng.standard_normal((4, 2, 4, 6, 6)).astype(np.float32)
    y = rng.integers(0, 3, 4)
    for _ in range(3):
        le = F.cross_entropy(me(ember.tensor(x)), ember.tensor(y))
        lt = TF.cross_entropy(mt(torch.tensor(x)), torch.tensor(y))
        for o, loss in ((oe, le), (ot, lt)):
            o.zero_grad()
            loss.backward()
            o.step()
        assert abs(le.item() - lt.item()) < 1e-4
    for pe, pt in zip(me.parameters(), mt.parameters()):
        np.testing.assert_allclose(pe.detach().numpy(), pt.detach().numpy(), rtol=1e-3, atol=1e-4)

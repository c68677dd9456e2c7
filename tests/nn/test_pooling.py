"""Pooling ops against torch.nn.functional (the oracle) over a grid of kernels, strides, paddings,
dilations, ceil_mode and divisor rules, in float32 and float64, on contiguous, transposed and
channels-last-strided inputs: outputs, indices and input gradients; gradcheck and gradgradcheck in
float64; the edge rules (NaN wins, all -inf windows, integer max pools, empty outputs). The layers'
parity (repr, signature, attributes, errors) is module_db's (module_db_cnn.py)."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

MAX2D = [(2, None, 0, 1, False), (3, 2, 1, 1, True), (3, 1, 1, 2, False), ((2, 3), (1, 2), (1, 1), 1, True),
         (3, 3, 0, 1, True), ((3, 1), 2, (1, 0), (2, 1), False)]
AVG2D = [(2, None, 0, False, True, None), (3, 2, 1, True, False, None), (3, 2, 1, True, True, None),
         ((2, 3), (1, 2), (1, 1), True, True, 3), (3, 3, 1, False, False, 2)]
MAX1D = [(2, None, 0, 1, False), (3, 2, 1, 2, True), (4, 1, 2, 1, False)]
AVG1D = [(2, None, 0, False, True), (3, 2, 1, True, False), (4, 3, 2, True, True)]
ADAPTIVE2D = [1, (2, 3), (5, 7), (9, 11), (3, 1)]
LAYOUTS = ["contiguous", "transposed", "channels_last"]


def _pair(shape, dtype, layout, rng):
    """The same values as an ember and a torch leaf, laid out as asked (values unchanged)."""
    a = rng.standard_normal(shape).astype(dtype)
    if layout == "transposed":  # a view whose last two dims are swapped back
        a = np.ascontiguousarray(np.swapaxes(a, -1, -2))
        e, t = ember.tensor(a).transpose(-1, -2), torch.tensor(a).transpose(-1, -2)
    elif layout == "channels_last" and len(shape) == 4:
        a = np.ascontiguousarray(a.transpose(0, 2, 3, 1))
        e, t = ember.tensor(a).permute(0, 3, 1, 2), torch.tensor(a).permute(0, 3, 1, 2)
    else:
        e, t = ember.tensor(a), torch.tensor(a)
    return e.requires_grad_(), t.requires_grad_()


def _check(fe, ft, shape, dtype, layout="contiguous", seed=0):
    rng = np.random.default_rng(seed)
    xe, xt = _pair(shape, dtype, layout, rng)
    ye, yt = fe(xe), ft(xt)
    if isinstance(yt, tuple):
        np.testing.assert_array_equal(ye[1].numpy(), yt[1].numpy())
        ye, yt = ye[0], yt[0]
    assert tuple(ye.shape) == tuple(yt.shape)
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    g = rng.standard_normal(tuple(yt.shape)).astype(dtype)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("args", MAX2D, ids=str)
def test_max_pool2d_matches_torch(args, layout, dtype):
    k, s, p, d, c = args
    for shape in [(2, 3, 9, 8), (3, 7, 10), (1, 1, 5, 5)]:
        _check(lambda x: F.max_pool2d(x, k, s, p, d, c, True), lambda x: TF.max_pool2d(x, k, s, p, d, c, True),
               shape, dtype, layout)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("args", AVG2D, ids=str)
def test_avg_pool2d_matches_torch(args, layout, dtype):
    k, s, p, c, cip, dv = args
    for shape in [(2, 3, 9, 8), (3, 7, 10)]:
        _check(lambda x: F.avg_pool2d(x, k, s, p, c, cip, dv), lambda x: TF.avg_pool2d(x, k, s, p, c, cip, dv),
               shape, dtype, layout)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", ADAPTIVE2D, ids=str)
def test_adaptive_pool2d_matches_torch(size, dtype):
    for layout in LAYOUTS:
        _check(lambda x: F.adaptive_avg_pool2d(x, size), lambda x: TF.adaptive_avg_pool2d(x, size),
               (2, 3, 9, 8), dtype, layout)
        _check(lambda x: F.adaptive_max_pool2d(x, size, True), lambda x: TF.adaptive_max_pool2d(x, size, True),
               (2, 3, 9, 8), dtype, layout)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_1d_pools_match_torch(dtype):
    for k, s, p, d, c in MAX1D:
        _check(lambda x: F.max_pool1d(x, k, s, p, d, c, True), lambda x: TF.max_pool1d(x, k, s, p, d, c, True),
               (2, 3, 11), dtype, "transposed")
    for k, s, p, c, cip in AVG1D:
        _check(lambda x: F.avg_pool1d(x, k, s, p, c, cip), lambda x: TF.avg_pool1d(x, k, s, p, c, cip),
               (3, 11), dtype)
    for size in (1, 4, 13):
        _check(lambda x: F.adaptive_avg_pool1d(x, size), lambda x: TF.adaptive_avg_pool1d(x, size), (2, 3, 11), dtype)
        _check(lambda x: F.adaptive_max_pool1d(x, size, True), lambda x: TF.adaptive_max_pool1d(x, size, True),
               (2, 3, 11), dtype)


@pytest.mark.parametrize("fn", [
    lambda x: F.max_pool2d(x, 3, 2, 1),
    lambda x: F.max_pool2d(x, (2, 3), 1, 0, (2, 1), True),
    lambda x: F.avg_pool2d(x, 3, 2, 1, True, False),
    lambda x: F.avg_pool2d(x, 2, divisor_override=3),
    lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
    lambda x: F.adaptive_max_pool2d(x, 2),
    lambda x: F.max_pool1d(x.flatten(-2), 3, 2, 1),
    lambda x: F.avg_pool1d(x.flatten(-2), 3, 2, 1),
], ids=["max", "max-dilated-ceil", "avg", "avg-divisor", "adaptive-avg", "adaptive-max", "max1d", "avg1d"])
def test_gradcheck_and_gradgradcheck(fn):
    x = ember.tensor(np.random.default_rng(1).standard_normal((1, 2, 5, 6)), requires_grad=True)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_layers_return_indices_as_torch():
    x = np.random.default_rng(2).standard_normal((2, 3, 6, 6)).astype(np.float32)
    for name, args in [("MaxPool2d", (2,)), ("AdaptiveMaxPool2d", (3,))]:
        ve, ie = getattr(ember.nn, name)(*args, return_indices=True)(ember.tensor(x))
        vt, it = getattr(torch.nn, name)(*args, return_indices=True)(torch.tensor(x))
        np.testing.assert_array_equal(ve.numpy(), vt.numpy())
        np.testing.assert_array_equal(ie.numpy(), it.numpy())
    ve, ie = ember.nn.MaxPool1d(3, return_indices=True)(ember.tensor(x[0, 0]))
    vt, it = torch.nn.MaxPool1d(3, return_indices=True)(torch.tensor(x[0, 0]))
    np.testing.assert_array_equal(ie.numpy(), it.numpy())


def test_edge_values_as_torch():
    """NaN wins a max (its gradient goes to the NaN), a window of -inf stays -inf, integer max
    and average pools work (no gradient), and an adaptive output of size 0 is empty."""
    a = np.array([[[[1.0, np.nan, 3.0, -np.inf], [0.0, 2.0, -np.inf, -np.inf]]]], dtype=np.float32)
    _check(lambda x: F.max_pool2d(x, 2, return_indices=True), lambda x: TF.max_pool2d(x, 2, return_indices=True),
           a.shape, np.float32)  # shapes only: the values below
    ve, ie = F.max_pool2d(ember.tensor(a), 2, return_indices=True)
    vt, it = TF.max_pool2d(torch.tensor(a), 2, return_indices=True)
    np.testing.assert_array_equal(ve.numpy(), vt.numpy())
    np.testing.assert_array_equal(ie.numpy(), it.numpy())
    ints = np.arange(16).reshape(1, 1, 4, 4)[..., ::-1].copy()
    assert F.max_pool2d(ember.tensor(ints), 2).tolist() == TF.max_pool2d(torch.tensor(ints), 2).tolist()
    signed = np.random.default_rng(3).integers(-50, 50, (2, 3, 7, 8))  # means truncated toward zero, as torch's
    for kw in [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
               dict(kernel_size=3, ceil_mode=True), dict(kernel_size=2, divisor_override=3)]:
        assert F.avg_pool2d(ember.tensor(signed), **kw).tolist() == TF.avg_pool2d(torch.tensor(signed), **kw).tolist()
    assert tuple(F.adaptive_avg_pool2d(ember.ones(1, 2, 4, 4), 0).shape) == (1, 2, 0, 0)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: F.max_pool2d(ember.ones(1, 1, 3, 3), 4), ValueError, ("max_pool2d", "(1, 1, 3, 3)", "too small")),
    (lambda: F.max_pool2d(ember.ones(1, 1, 4, 4), 2, 0), ValueError, ("max_pool2d", "stride")),
    (lambda: F.max_pool2d(ember.ones(1, 1, 4, 4), 2, padding=2), ValueError, ("max_pool2d", "padding")),
    (lambda: F.max_pool2d(ember.ones(1, 1, 4, 4), 0), ValueError, ("max_pool2d", "kernel_size")),
    (lambda: F.max_pool2d(ember.ones(1, 1, 4, 4), 2, dilation=0), ValueError, ("max_pool2d", "dilation")),
    (lambda: F.max_pool2d(ember.ones(4, 4), 2), ValueError, ("max_pool2d", "(4, 4)")),
    (lambda: F.max_pool2d(ember.ones(1, 1, 4, 4), "a"), TypeError, ("max_pool2d", "kernel_size")),
    (lambda: F.max_pool2d(ember.ones(1, 1, 4, 4, dtype=ember.bool), 2), TypeError, ("max_pool2d", "bool")),
    (lambda: F.avg_pool2d(ember.ones(1, 1, 4, 4), 2, divisor_override=0), ValueError, ("avg_pool2d", "divisor")),
    (lambda: F.avg_pool1d(ember.ones(1, 1, 4), (2, 2)), ValueError, ("avg_pool1d", "kernel_size")),
    (lambda: F.adaptive_avg_pool2d(ember.ones(1, 1, 4, 4), (1, 2, 3)), ValueError, ("adaptive_avg_pool2d",)),
    (lambda: F.adaptive_max_pool2d(ember.ones(2, 0, 4, 4), 2), ValueError, ("adaptive_max_pool2d", "(2, 0, 4, 4)")),
])
def test_bad_inputs_name_the_op_and_shapes(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for w in words:
        assert w in str(info.value), (w, str(info.value))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=(2, 3), stride=(1, 2))], ids=["k2", "k3s2p1", "k2x3s1x2"])
def test_max_pool2d_ties_take_the_first_place_as_torch(kw):
    """Windows full of equal values (a few distinct levels): the index is the first place in the
    window's row-major order holding the max, as torch's, in float32 (the vectorized walk) too."""
    torch = pytest.importorskip("torch")
    a = np.floor(np.random.default_rng(3).random((2, 3, 17, 40)) * 3).astype(np.float32)
    v, i = F.max_pool2d(ember.tensor(a), return_indices=True, **kw)
    tv, ti = torch.nn.functional.max_pool2d(torch.tensor(a), return_indices=True, **kw)
    np.testing.assert_array_equal(v.numpy(), tv.numpy())
    np.testing.assert_array_equal(i.numpy(), ti.numpy())


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32"])
def test_max_pools_take_every_integer_dtype_as_torch(dtype):
    """torch's max pools with indices pool the narrow integer dtypes too (uint8 images): values exact,
    dtype kept. (Its 1-d pool without indices refuses every integer dtype; ember's takes them.)"""
    data = [[[[1, 5, 0, 7], [3, 2, 9, 9], [4, 4, 1, 0]]]]
    for fn in (lambda L, x: L.nn.functional.max_pool1d_with_indices(x[0], 2, padding=1)[0],
               lambda L, x: L.nn.functional.max_pool1d(x[0], 3, ceil_mode=True, return_indices=True)[0],
               lambda L, x: L.nn.functional.max_pool2d(x, 2, ceil_mode=True),
               lambda L, x: L.nn.functional.max_pool2d(x, 2, return_indices=True)[1],
               lambda L, x: L.nn.functional.max_pool2d(x[0], (1, 3), padding=(0, 1)),
               lambda L, x: L.nn.functional.max_pool3d(x, (1, 2, 2)),
               lambda L, x: L.nn.MaxPool2d(2)(x)):
        e = fn(ember, ember.tensor(data, dtype=getattr(ember, dtype)))
        t = fn(torch, torch.tensor(data, dtype=getattr(torch, dtype)))
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        assert e.tolist() == t.tolist()


@pytest.mark.parametrize("dtype", ["float32", "int16", "int64"])
def test_max_pool_windows_wholly_in_the_padding_as_torch(dtype):
    """A window that only covers padding has the dtype's lowest value (-inf for floats); 3-d pools
    used to fail on its index."""
    x = [[[[-2.19921875]]]]
    kw = dict(padding=(1, 1, 1), dilation=(2, 2, 2))
    e = F.max_pool3d_with_indices(ember.tensor(x).to(getattr(ember, dtype)), (2, 2, 2), **kw)[0]
    t = torch.nn.functional.max_pool3d_with_indices(torch.tensor(x).to(getattr(torch, dtype)), (2, 2, 2), **kw)[0]
    assert e.tolist() == t.tolist()
    if dtype == "int16":
        e = F.max_pool2d(ember.tensor([[[8], [-9], [7]]], dtype=ember.int16), 3, padding=1, dilation=2, ceil_mode=True)
        t = torch.nn.functional.max_pool2d(torch.tensor([[[8], [-9], [7]]], dtype=torch.int16), 3, padding=1,
                                           dilation=2, ceil_mode=True)
        assert e.tolist() == t.tolist()

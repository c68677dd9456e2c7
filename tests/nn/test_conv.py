"""ember.nn.functional's convolutions (conv1d, conv2d, conv_transpose1d, conv_transpose2d)
against torch.nn.functional: outputs and input/weight/bias gradients over a grid of strides,
paddings ('same', 'valid', ints, tuples), dilations, groups (depthwise too), odd sizes, batch 1,
unbatched, non-contiguous and channels-last inputs, in float32 and float64; gradcheck and
gradgradcheck in float64; bad inputs raise torch's exception type with a message naming the op."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
# torch warns that its 'same' padding with an even kernel copies the input; ember's does not.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

TOL = {"float32": dict(rtol=1e-4, atol=1e-4), "float64": dict(rtol=1e-10, atol=1e-10)}


def _close(actual, desired, dtype):
    """Equal to rounding: the absolute tolerance grows with the largest value (a weight
    gradient sums thousands of products, whose float32 rounding the order changes)."""
    tol = TOL[dtype]
    scale = max(1.0, float(np.abs(desired).max(initial=0)))
    np.testing.assert_allclose(actual, desired, rtol=tol["rtol"], atol=tol["atol"] * scale)


def _pair(shape, dtype, rng, requires_grad=True):
    a = rng.standard_normal(shape).astype(dtype)
    return (ember.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))


def _compare(name, x_shape, w_shape, kw, dtype, bias=True, layout=None, seed=0):
    """Runs F.<name> in ember and torch on the same data; compares the output and every
    gradient (for a random cotangent). layout(t, lib) may restride the input first."""
    rng = np.random.default_rng(seed)
    x, xt = _pair(x_shape, dtype, rng)
    w, wt = _pair(w_shape, dtype, rng)
    transposed = name.startswith("conv_transpose")
    out_channels = (w_shape[1] * kw.get("groups", 1)) if transposed else w_shape[0]
    b, bt = _pair((out_channels,), dtype, rng) if bias else (None, None)
    xe, xte = (layout(x, ember), layout(xt, torch)) if layout else (x, xt)
    y = getattr(F, name)(xe, w, b, **kw)
    yt = getattr(TF, name)(xte, wt, bt, **kw)
    assert tuple(y.shape) == tuple(yt.shape)
    _close(y.detach().numpy(), yt.detach().numpy(), dtype)
    cot = rng.standard_normal(tuple(yt.shape)).astype(dtype)
    y.backward(ember.tensor(cot))
    yt.backward(torch.tensor(cot))
    pairs = [(x, xt), (w, wt)] + ([(b, bt)] if bias else [])
    for e, t in pairs:
        _close(e.grad.numpy(), t.grad.numpy(), dtype)


# (input shape, weight shape, kwargs)
CONV2D = [
    ((2, 3, 8, 8), (4, 3, 3, 3), {}),
    ((2, 3, 9, 7), (5, 3, 3, 2), dict(stride=2)),
    ((2, 3, 9, 7), (5, 3, 3, 3), dict(stride=(2, 3), padding=(1, 2))),
    ((1, 4, 10, 11), (6, 4, 3, 3), dict(padding=2, dilation=2)),
    ((2, 4, 11, 9), (6, 2, 3, 3), dict(stride=2, padding=1, dilation=(1, 2), groups=2)),
    ((2, 6, 7, 7), (6, 1, 3, 3), dict(padding=1, groups=6)),               # depthwise
    ((2, 4, 7, 7), (8, 1, 5, 5), dict(padding="same", groups=4)),          # depthwise x2
    ((2, 3, 8, 9), (4, 3, 4, 2), dict(padding="same")),                    # odd totals: asymmetric
    ((2, 3, 8, 9), (4, 3, 4, 3), dict(padding="same", dilation=(1, 2))),
    ((2, 3, 8, 9), (4, 3, 3, 3), dict(padding="valid", stride=2)),
    ((3, 5, 6, 6), (7, 5, 1, 1), {}),                                      # 1x1: straight to gemm
    ((2, 6, 6, 6), (4, 3, 1, 1), dict(groups=2)),                          # 1x1 grouped
    ((2, 5, 7, 6), (7, 5, 1, 1), dict(stride=2)),                          # 1x1 strided: im2col
    ((2, 5, 7, 6), (7, 5, 1, 1), dict(padding=1)),                         # 1x1 padded: im2col
    ((1, 2, 5, 5), (3, 2, 5, 5), {}),                                      # kernel = input
    ((2, 3, 1, 9), (4, 3, 1, 3), dict(stride=(1, 2))),
    ((2, 3, 7, 7), (4, 3, 3, 3), dict(padding=[1, 0], stride=[1, 2])),     # lists as tuples
    ((20, 16, 40, 40), (8, 16, 3, 3), dict(padding=1)),                    # several image tiles
    ((2, 64, 64, 64), (4, 64, 3, 3), {}),                                  # one image > the budget:
    # its output rows in two chunks (overlapping windows across the chunk boundary)
]


def _ids(cases):
    return [f"{x}-{w}-{kw}".replace(" ", "") for x, w, kw in cases]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("x_shape,w_shape,kw", CONV2D, ids=_ids(CONV2D))
def test_conv2d_matches_torch(x_shape, w_shape, kw, dtype):
    _compare("conv2d", x_shape, w_shape, kw, dtype, bias=len(kw) % 2 == 0)


# 3x3, stride 1, float32, 64 or more 2x2 output tiles: the Winograd path on CPUs with AVX2+FMA or AVX-512
# (forward, input and weight gradient). Odd sizes leave partial tiles;
# paddings 0-3 give windows that start outside, at and inside the input (and, for the input
# gradient, padding 2 - pad below zero); channels off multiples of 8 leave partial row groups.
WINOGRAD = [
    ((2, 16, 16, 16), (16, 16, 3, 3), dict(padding=1)),
    ((1, 5, 17, 19), (11, 5, 3, 3), dict(padding=1)),
    ((3, 4, 15, 14), (9, 4, 3, 3), {}),
    ((2, 9, 12, 13), (37, 9, 3, 3), dict(padding=2)),
    ((1, 7, 18, 18), (4, 7, 3, 3), dict(padding=3)),
    ((1, 5, 40, 9), (4, 5, 3, 3), dict(padding=(1, 0))),
    ((3, 260, 9, 9), (20, 260, 3, 3), dict(padding="same")),   # inner products in two passes
    ((16, 8, 4, 4), (8, 8, 3, 3), dict(padding=1)),             # tiles from several images
    ((1, 4, 6, 69), (5, 4, 3, 3), dict(padding=2)),             # rows of 36 tiles: 16 + 16 + 4
]


@pytest.mark.parametrize("x_shape,w_shape,kw", WINOGRAD, ids=_ids(WINOGRAD))
def test_winograd_shapes_match_torch(x_shape, w_shape, kw):
    _compare("conv2d", x_shape, w_shape, kw, "float32")
    # A stride-1 3x3 transposed convolution is the input gradient's kernel run forward.
    pad = kw.get("padding", 0)
    if isinstance(pad, int) and pad <= 2:
        _compare("conv_transpose2d", x_shape, w_shape[1::-1] + w_shape[2:], dict(padding=pad), "float32")


CONV1D = [
    ((2, 3, 10), (4, 3, 3), {}),
    ((2, 3, 11), (4, 3, 3), dict(stride=2, padding=1)),
    ((2, 4, 11), (6, 2, 3), dict(dilation=2, groups=2, padding=(2,))),
    ((2, 4, 9), (4, 1, 4), dict(padding="same", groups=4)),                 # depthwise, asymmetric
    ((1, 3, 9), (5, 3, 3), dict(padding="valid")),
    ((3, 5, 7), (2, 5, 1), {}),                                             # 1x1
    ((3, 9), (4, 3, 3), dict(stride=3, padding=1)),                         # unbatched
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("x_shape,w_shape,kw", CONV1D, ids=_ids(CONV1D))
def test_conv1d_matches_torch(x_shape, w_shape, kw, dtype):
    _compare("conv1d", x_shape, w_shape, kw, dtype, bias=len(kw) % 2 == 1)


# Transposed: weight (C_in, C_out / groups, k...).
CONV_T2D = [
    ((2, 4, 5, 5), (4, 3, 3, 3), {}),
    ((2, 4, 5, 6), (4, 3, 3, 2), dict(stride=2, padding=1, output_padding=1)),
    ((2, 4, 5, 5), (4, 3, 3, 3), dict(stride=(2, 3), padding=(0, 1), output_padding=(1, 2))),
    ((2, 4, 5, 5), (4, 2, 3, 3), dict(groups=2, dilation=2, padding=1)),
    ((2, 4, 5, 5), (4, 3, 3, 3), dict(stride=1, dilation=3, output_padding=2)),  # op < dilation
    ((2, 6, 4, 4), (6, 1, 3, 3), dict(groups=6, stride=2)),                     # depthwise
    ((1, 5, 6, 6), (5, 7, 1, 1), {}),                                           # 1x1
    ((4, 5, 5), (4, 3, 3, 3), dict(stride=2)),                                  # unbatched
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("x_shape,w_shape,kw", CONV_T2D, ids=_ids(CONV_T2D))
def test_conv_transpose2d_matches_torch(x_shape, w_shape, kw, dtype):
    _compare("conv_transpose2d", x_shape, w_shape, kw, dtype, bias=len(kw) % 2 == 0)


CONV_T1D = [
    ((2, 4, 7), (4, 3, 3), {}),
    ((2, 4, 7), (4, 3, 4), dict(stride=3, padding=2, output_padding=2, dilation=2)),
    ((2, 4, 7), (4, 1, 3), dict(groups=4, stride=2, output_padding=1)),
    ((4, 7), (4, 2, 3), dict(padding=1)),                                       # unbatched
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("x_shape,w_shape,kw", CONV_T1D, ids=_ids(CONV_T1D))
def test_conv_transpose1d_matches_torch(x_shape, w_shape, kw, dtype):
    _compare("conv_transpose1d", x_shape, w_shape, kw, dtype, bias=len(kw) % 2 == 1)


def test_unbatched_and_batch_one_conv2d():
    _compare("conv2d", (3, 9, 8), (4, 3, 3, 3), dict(stride=2, padding=1), "float64")
    _compare("conv2d", (1, 3, 9, 8), (4, 3, 3, 3), dict(padding="same"), "float64", bias=False)


LAYOUTS = {
    # A strided slice of a larger tensor.
    "sliced": lambda t, lib: t[:, :, ::2, 1::2],
    # Channels-last memory: NHWC data viewed as NCHW.
    "channels_last": lambda t, lib: t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2),
    # Height and width swapped (a transposed view).
    "transposed": lambda t, lib: t.transpose(2, 3),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
def test_non_contiguous_inputs(layout, dtype):
    x_shape = (2, 3, 14, 12) if layout == "sliced" else (2, 3, 7, 6)
    _compare("conv2d", x_shape, (4, 3, 3, 3), dict(padding=1), dtype, layout=LAYOUTS[layout])
    _compare("conv_transpose2d", x_shape[:1] + (4,) + x_shape[2:], (4, 3, 3, 3), dict(stride=2), dtype,
             layout=LAYOUTS[layout])


def test_non_contiguous_weight():
    rng = np.random.default_rng(1)
    x, xt = _pair((2, 3, 6, 6), "float64", rng)
    w, wt = _pair((3, 4, 3, 3), "float64", rng)
    y, yt = F.conv2d(x, w.transpose(0, 1), padding=1), TF.conv2d(xt, wt.transpose(0, 1), padding=1)
    _close(y.detach().numpy(), yt.detach().numpy(), "float64")
    y.sum().backward()
    yt.sum().backward()
    _close(w.grad.numpy(), wt.grad.numpy(), "float64")


def test_empty_batch_and_zero_channels():
    rng = np.random.default_rng(2)
    x, xt = _pair((0, 3, 6, 6), "float64", rng)
    w, wt = _pair((4, 3, 3, 3), "float64", rng)
    y, yt = F.conv2d(x, w), TF.conv2d(xt, wt)
    assert tuple(y.shape) == tuple(yt.shape) == (0, 4, 4, 4)
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), wt.grad.numpy())
    # No input channels: an empty sum, zeros of the output's shape (torch returns a (2, 0, 6, 6)
    # tensor here, which is not the output's shape).
    x = ember.zeros((2, 0, 6, 6), requires_grad=True)
    w = ember.zeros((4, 0, 3, 3), requires_grad=True)
    y = F.conv2d(x, w, ember.ones(4))
    np.testing.assert_array_equal(y.detach().numpy(), np.ones((2, 4, 4, 4)))
    y.sum().backward()
    assert tuple(x.grad.shape) == (2, 0, 6, 6) and tuple(w.grad.shape) == (4, 0, 3, 3)
    y = F.conv_transpose2d(ember.zeros((0, 4, 3, 3)), ember.zeros((4, 2, 3, 3)))
    assert tuple(y.shape) == (0, 2, 5, 5)


GRADCHECK = [
    ("conv2d", (2, 4, 5, 6), (4, 2, 3, 2), dict(stride=2, padding=1, dilation=(2, 1), groups=2)),
    ("conv2d", (1, 2, 5, 4), (3, 2, 2, 3), dict(padding="same")),
    ("conv2d", (2, 3, 4, 4), (2, 3, 1, 1), {}),
    ("conv1d", (2, 2, 7), (3, 2, 3), dict(stride=2, padding=2, dilation=2)),
    ("conv1d", (2, 7), (3, 2, 4), dict(padding="same")),
    ("conv_transpose2d", (2, 4, 3, 4), (4, 1, 3, 3), dict(stride=2, padding=1, output_padding=1, groups=2)),
    ("conv_transpose2d", (2, 3, 3, 3), (3, 2, 2, 2), dict(dilation=2, output_padding=1)),
    ("conv_transpose1d", (2, 3, 5), (3, 2, 3), dict(stride=3, padding=1, output_padding=2)),
]


@pytest.mark.parametrize("name,x_shape,w_shape,kw", GRADCHECK, ids=[f"{c[0]}-{c[3]}" for c in GRADCHECK])
def test_gradcheck_and_gradgradcheck(name, x_shape, w_shape, kw):
    rng = np.random.default_rng(3)
    out_channels = w_shape[1] * kw.get("groups", 1) if name.startswith("conv_transpose") else w_shape[0]
    args = tuple(ember.tensor(rng.standard_normal(s), requires_grad=True)
                 for s in (x_shape, w_shape, (out_channels,)))
    fn = lambda x, w, b: getattr(F, name)(x, w, b, **kw)  # noqa: E731
    assert ember.autograd.gradcheck(fn, args)
    assert ember.autograd.gradgradcheck(fn, args)


def test_double_backward_matches_torch():
    """grad of (grad of the output wrt x and w) against torch's, through create_graph."""
    rng = np.random.default_rng(4)
    x, xt = _pair((2, 4, 6, 5), "float64", rng)
    w, wt = _pair((6, 2, 3, 3), "float64", rng)
    kw = dict(stride=2, padding=1, groups=2)
    results = []
    for lib, f, a, b in [(ember, F, x, w), (torch, TF, xt, wt)]:
        y = f.conv2d(a, b, **kw)
        gx, gw = (ember.autograd.grad if lib is ember else torch.autograd.grad)(
            (y * y).sum(), (a, b), create_graph=True)
        ((gx * gx).sum() + (gw * gw).sum()).backward()
        results.append((a.grad.numpy(), b.grad.numpy()))
    for e, t in zip(*results):
        _close(e, t, "float64")


X4, W4 = (2, 3, 8, 8), (4, 3, 3, 3)
# (id, function name, input shape, weight shape, bias shape, kwargs, input dtype); each must
# raise the type torch raises, with the op's name in the message.
BAD = [
    ("input rank 5", "conv2d", (1, 2, 3, 8, 8), W4, None, {}, "float32"),
    ("input rank 2", "conv2d", (3, 8), W4, None, {}, "float32"),
    ("conv1d input rank 4", "conv1d", (2, 3, 8, 8), (4, 3, 3), None, {}, "float32"),
    ("channel mismatch", "conv2d", (2, 4, 8, 8), W4, None, {}, "float32"),
    ("unbatched channel mismatch", "conv2d", (4, 8, 8), W4, None, {}, "float32"),
    ("kernel larger than padded input", "conv2d", (2, 3, 2, 2), W4, None, {}, "float32"),
    ("dilated kernel too large", "conv2d", (2, 3, 4, 4), W4, None, dict(dilation=2), "float32"),
    ("stride 0", "conv2d", X4, W4, None, dict(stride=0), "float32"),
    ("negative stride", "conv2d", X4, W4, None, dict(stride=(1, -1)), "float32"),
    ("negative padding", "conv2d", X4, W4, None, dict(padding=-1), "float32"),
    ("dilation 0", "conv2d", X4, W4, None, dict(dilation=0), "float32"),
    ("stride of 3 values", "conv2d", X4, W4, None, dict(stride=(1, 1, 1)), "float32"),
    ("groups 0", "conv2d", X4, W4, None, dict(groups=0), "float32"),
    ("groups not dividing out channels", "conv2d", (2, 3, 8, 8), (8, 1, 3, 3), None, dict(groups=3), "float32"),
    ("dtype mismatch", "conv2d", X4, W4, None, {}, "float64"),
    ("bias of the wrong size", "conv2d", X4, W4, (5,), {}, "float32"),
    ("bias 2-D", "conv2d", X4, W4, (4, 1), {}, "float32"),
    ("same with stride 2", "conv2d", X4, W4, None, dict(padding="same", stride=2), "float32"),
    ("unknown padding string", "conv2d", X4, W4, None, dict(padding="full"), "float32"),
    ("no out channels", "conv2d", X4, (0, 3, 3, 3), None, {}, "float32"),
    ("transposed channel mismatch", "conv_transpose2d", (2, 3, 5, 5), (4, 3, 3, 3), None, {}, "float32"),
    ("transposed output_padding too large", "conv_transpose2d", (2, 4, 5, 5), (4, 3, 3, 3), None,
     dict(stride=2, output_padding=2), "float32"),
    ("transposed negative output_padding", "conv_transpose2d", (2, 4, 5, 5), (4, 3, 3, 3), None,
     dict(output_padding=-1), "float32"),
    ("transposed output size not positive", "conv_transpose2d", (2, 4, 5, 5), (4, 3, 3, 3), None,
     dict(padding=4), "float32"),
    ("transposed groups", "conv_transpose2d", (2, 4, 5, 5), (4, 3, 3, 3), None, dict(groups=3), "float32"),
    ("transposed string padding", "conv_transpose2d", (2, 4, 5, 5), (4, 3, 3, 3), None, dict(padding="same"),
     "float32"),
    ("transposed bias", "conv_transpose1d", (2, 4, 5), (4, 3, 3), (4,), {}, "float32"),
    ("kernel size 0", "conv2d", X4, (4, 3, 0, 3), None, {}, "float32"),
    ("transposed kernel size 0", "conv_transpose1d", (2, 4, 5), (4, 3, 0), None, {}, "float32"),
]


@pytest.mark.parametrize("cid,name,x_shape,w_shape,b_shape,kw,x_dtype", BAD, ids=[c[0] for c in BAD])
def test_bad_inputs_raise_torchs_type(cid, name, x_shape, w_shape, b_shape, kw, x_dtype):
    def call(lib, f):
        x = lib.zeros(x_shape, dtype=getattr(lib, x_dtype))
        w = lib.zeros(w_shape, dtype=lib.float32)
        b = None if b_shape is None else lib.zeros(b_shape, dtype=lib.float32)
        return getattr(f, name)(x, w, b, **kw)

    with pytest.raises(Exception) as torch_err:
        call(torch, TF)
    with pytest.raises(Exception) as err:
        call(ember, F)
    assert type(err.value).__name__ == type(torch_err.value).__name__, (err.value, torch_err.value)
    assert name in str(err.value)


@pytest.mark.parametrize("name,kw", [
    ("conv2d", dict(dilation=2**62)), ("conv2d", dict(padding=2**62)), ("conv2d", dict(padding=2**62, dilation=2**62)),
    ("conv_transpose2d", dict(stride=2**62)), ("conv_transpose2d", dict(dilation=2**62)),
    ("conv_transpose2d", dict(padding=2**62)), ("conv_transpose2d", dict(stride=2**63 - 1, output_padding=2**62)),
])
def test_huge_arguments_are_refused_not_wrapped(name, kw):
    # Sizes past int64 must be an error (not a wrapped-around size, nor an out-of-range read).
    x, w = ember.randn(1, 2, 5, 5), ember.randn(2, 2, 3, 3)
    with pytest.raises((RuntimeError, ValueError, MemoryError), match=name):
        getattr(F, name)(x, w, **kw)


def test_huge_stride_takes_one_window():
    x, w = ember.randn(1, 2, 5, 5, dtype=ember.float64), ember.randn(3, 2, 3, 3, dtype=ember.float64)
    xt, wt = torch.tensor(x.numpy()), torch.tensor(w.numpy())
    np.testing.assert_allclose(F.conv2d(x, w, stride=2**62).numpy(), TF.conv2d(xt, wt, stride=2**62).numpy())


def test_channel_mismatch_message_names_both_counts():
    with pytest.raises(RuntimeError, match=r"conv2d: expected input with 3 channels \(weight \(8, 3, 3, 3\), "
                                           r"groups 1\), got input \(2, 4, 8, 8\)"):
        F.conv2d(ember.zeros((2, 4, 8, 8)), ember.zeros((8, 3, 3, 3)))


@pytest.mark.parametrize("args", [{}, dict(stride=2, padding=1), dict(dilation=2, groups=3), dict(padding="same")],
                         ids=str)
def test_integer_convolutions_match_torch(args):
    """torch convolves int64 tensors on the CPU, exactly; so does ember (no BLAS: exact sums)."""
    rng = np.random.default_rng(0)
    x, w, b = rng.integers(-5, 5, (2, 3, 7, 8)), rng.integers(-3, 3, (6, 3 // args.get("groups", 1), 3, 3)), \
        rng.integers(-3, 3, (6,))
    got = F.conv2d(ember.tensor(x), ember.tensor(w), ember.tensor(b), **args)
    want = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), **args)
    assert got.dtype == ember.int64
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    wt = rng.integers(-3, 3, (3, 4, 3, 3))
    np.testing.assert_array_equal(F.conv_transpose2d(ember.tensor(x), ember.tensor(wt), stride=2).numpy(),
                                  torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(wt), stride=2).numpy())


def test_bool_input_is_refused():
    with pytest.raises(RuntimeError, match="conv2d: expected a floating or int64 input, got bool"):
        F.conv2d(ember.zeros((1, 3, 4, 4), dtype=ember.bool), ember.zeros((2, 3, 3, 3), dtype=ember.bool))


def test_docstrings_give_torchs_signature():
    for name in ("conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"):
        doc = getattr(F, name).__doc__
        assert doc.startswith(name + "(") and "Args:" in doc and "Returns:" in doc and "Example" in doc
    # torch's are builtins without a signature; compare the names and defaults its docs give.
    assert F.conv2d.__doc__.splitlines()[0] == (
        "conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor")
    assert F.conv_transpose2d.__doc__.splitlines()[0] == (
        "conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, "
        "dilation=1) -> Tensor")


@pytest.mark.parametrize("size", [(14, 16), (1, 4, 13, 15), [14, 15]])
def test_conv_transpose2d_output_size_matches_torch(size):
    """ConvTranspose2d.forward(input, output_size) picks the output_padding, as torch's; sizes
    outside the valid range are a ValueError naming both."""
    torch.manual_seed(0)
    theirs = torch.nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1)
    mine = ember.nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1)
    mine.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((1, 3, 7, 8)).astype(np.float32)
    expected = theirs(torch.tensor(x), output_size=size).detach().numpy()
    np.testing.assert_allclose(mine(ember.tensor(x), output_size=size).detach().numpy(), expected, rtol=1e-5,
                               atol=1e-5)
    with pytest.raises(ValueError, match="valid sizes range"):
        mine(ember.tensor(x), output_size=(20, 20))
    with pytest.raises(ValueError, match="output_size must have"):
        mine(ember.tensor(x), output_size=(15,))

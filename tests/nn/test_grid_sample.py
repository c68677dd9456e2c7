"""affine_grid and grid_sample against torch's: every mode, padding mode and align_corners, 2-D and
3-D; values, gradients to the input, the grid and theta; gradcheck and gradgradcheck in float64;
edge places (NaN, inf, the borders); the bad inputs; and the spatial transformer tutorial's model."""
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

CASES = [(nd, mode, pm, ac) for nd in (2, 3) for mode in ("bilinear", "nearest", "bicubic")
         for pm in ("zeros", "border", "reflection") for ac in (False, True) if not (nd == 3 and mode == "bicubic")]


def _inputs(nd, dtype, seed=0, spread=1.3):
    rng = np.random.default_rng(seed)
    shape, gshape = ((2, 3, 5, 6), (2, 4, 7, 2)) if nd == 2 else ((2, 3, 4, 5, 3), (2, 3, 2, 4, 3))
    return rng.standard_normal(shape).astype(dtype), rng.uniform(-spread, spread, gshape).astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("nd, mode, padding_mode, align_corners", CASES)
def test_grid_sample_matches_torch(nd, mode, padding_mode, align_corners, dtype):
    x, g = _inputs(nd, dtype)
    xe, ge = ember.tensor(x, requires_grad=True), ember.tensor(g, requires_grad=True)
    xt, gt = torch.tensor(x, requires_grad=True), torch.tensor(g, requires_grad=True)
    ye = F.grid_sample(xe, ge, mode, padding_mode, align_corners)
    yt = TF.grid_sample(xt, gt, mode, padding_mode, align_corners)
    assert tuple(ye.shape) == tuple(yt.shape) and ye.dtype == xe.dtype
    tol = 2e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    w = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(dtype)
    (ye * ember.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)
    if mode != "nearest":  # nearest's places are constant: torch's grid gradient is zeros
        np.testing.assert_allclose(ge.grad.numpy(), gt.grad.numpy(), rtol=10 * tol, atol=10 * tol)


@pytest.mark.parametrize("nd, mode, padding_mode, align_corners",
                         [c for c in CASES if c[1] != "nearest" and c[3] is False] + [(2, "bicubic", "zeros", True)])
def test_grid_sample_gradcheck(nd, mode, padding_mode, align_corners):
    x, g = _inputs(nd, "float64", seed=3, spread=1.1)
    x, g = x[:1, :2], g[:1]
    xe, ge = ember.tensor(x, requires_grad=True), ember.tensor(g, requires_grad=True)

    def f(a, b):
        return F.grid_sample(a, b, mode, padding_mode, align_corners)

    assert gradcheck(f, (xe, ge))
    assert gradgradcheck(f, (xe, ge))


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_edge_places(padding_mode):
    image = np.arange(12, dtype=np.float32).reshape(1, 1, 3, 4)
    places = [-1, 1, -1.5, 1.5, 0, 1e30, -1e30, float("inf"), float("-inf"), float("nan"), 3.0, -7.25]
    g = np.array([[[[a, b] for a in places] for b in places]], dtype=np.float32)
    for align_corners in (False, True):
        for mode in ("bilinear", "nearest"):
            ye = F.grid_sample(ember.tensor(image), ember.tensor(g), mode, padding_mode, align_corners)
            yt = TF.grid_sample(torch.tensor(image), torch.tensor(g), mode, padding_mode, align_corners)
            finite = np.isfinite(g).all(-1)[:, None]
            # Finite places give torch's values; a NaN or infinite one gives NaN in both where
            # torch's kernel weights a tap by it (an inf clamped by 'border' reads the edge).
            np.testing.assert_allclose(ye.numpy()[np.broadcast_to(finite, ye.shape)],
                                       yt.numpy()[np.broadcast_to(finite, yt.shape)], rtol=1e-6)


def test_grid_sample_nan_place_is_nan_as_torch():
    image = ember.tensor([[[[1., 2.], [3., 4.]]]])
    grid = ember.tensor([[[[float("nan"), 0.]]]])
    assert np.isnan(F.grid_sample(image, grid, align_corners=False).item())
    assert np.isnan(TF.grid_sample(torch.tensor([[[[1., 2.], [3., 4.]]]]), torch.tensor([[[[float("nan"), 0.]]]]),
                                   align_corners=False).item())


@pytest.mark.parametrize("dtype, tol", [("float16", 1.5e-2), ("bfloat16", 6e-2)])
def test_grid_sample_16_bit(dtype, tol):
    """16-bit inputs are sampled in float32 and rounded once; torch's kernel rounds its steps, so
    it is compared within a few of the dtype's steps (docs/pytorch_differences.rst)."""
    x, g = _inputs(2, "float32")
    xe, ge = ember.tensor(x).to(getattr(ember, dtype)), ember.tensor(g).to(getattr(ember, dtype))
    ye = F.grid_sample(xe, ge, align_corners=False)
    assert ye.dtype == getattr(ember, dtype)
    exact = F.grid_sample(xe.float(), ge.float(), align_corners=False).to(getattr(ember, dtype))
    assert ember.equal(ye, exact)
    yt = TF.grid_sample(torch.tensor(x).to(getattr(torch, dtype)), torch.tensor(g).to(getattr(torch, dtype)),
                        align_corners=False)
    np.testing.assert_allclose(ye.float().numpy(), yt.float().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("shape, gshape", [((0, 2, 3, 4), (0, 5, 6, 2)), ((1, 0, 3, 4), (1, 5, 6, 2)),
                                           ((1, 2, 3, 4), (1, 0, 6, 2))])
def test_grid_sample_empty(shape, gshape):
    ye = F.grid_sample(ember.zeros(*shape), ember.zeros(*gshape), align_corners=False)
    yt = TF.grid_sample(torch.zeros(*shape), torch.zeros(*gshape), align_corners=False)
    assert tuple(ye.shape) == tuple(yt.shape)


def test_align_corners_none_warns_as_torch():
    x, g = ember.ones(1, 1, 2, 2), ember.zeros(1, 1, 1, 2)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.grid_sample(x, g)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.affine_grid(ember.zeros(1, 2, 3), (1, 1, 2, 2))


@pytest.mark.parametrize("make, error", [
    (lambda L: (L.ones(1, 1, 2, 2), L.zeros(1, 1, 1, 2, dtype=L.float64)), RuntimeError),
    (lambda L: (L.ones(1, 1, 2, 2), L.zeros(1, 1, 1, 1)), RuntimeError),
    (lambda L: (L.ones(2, 1, 2, 2), L.zeros(1, 1, 1, 2)), RuntimeError),
    (lambda L: (L.ones(1, 1, 2, 2), L.zeros(1, 1, 1, 1, 3)), RuntimeError),
    (lambda L: (L.ones(1, 2, 2), L.zeros(1, 1, 2)), RuntimeError),
    (lambda L: (L.ones(1, 1, 0, 2), L.zeros(1, 1, 1, 2)), RuntimeError),
    (lambda L: (L.ones(1, 1, 2, 2, 2), L.zeros(1, 1, 1, 1, 3)), RuntimeError),  # bicubic below
    (lambda L: (L.ones(1, 1, 2, 2, dtype=L.int64), L.zeros(1, 1, 1, 2, dtype=L.int64)), NotImplementedError),
])
def test_grid_sample_bad_inputs(make, error):
    mode = "bicubic" if make(ember)[0].dim() == 5 else "bilinear"
    for L, f in ((ember, F.grid_sample), (torch, TF.grid_sample)):
        x, g = make(L)
        with pytest.raises(error):
            f(x, g, mode, align_corners=False)


@pytest.mark.parametrize("kw, error", [(dict(mode="linear"), ValueError), (dict(padding_mode="wrap"), ValueError)])
def test_grid_sample_bad_modes(kw, error):
    for L, f in ((ember, F.grid_sample), (torch, TF.grid_sample)):
        with pytest.raises(error, match="nn.functional.grid_sample"):
            f(L.ones(1, 1, 2, 2), L.zeros(1, 1, 1, 2), align_corners=False, **kw)


@pytest.mark.parametrize("size, theta_shape", [((3, 2, 4, 5), (3, 2, 3)), ((2, 1, 1, 4), (2, 2, 3)),
                                               ((3, 2, 4, 5, 6), (3, 3, 4)), ((1, 1, 2, 1, 3), (1, 3, 4))])
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_matches_torch(size, theta_shape, align_corners):
    theta = np.random.default_rng(2).standard_normal(theta_shape)
    te, tt = ember.tensor(theta, requires_grad=True), torch.tensor(theta, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unit-size grids with align_corners warn in both
        ge, gt = F.affine_grid(te, size, align_corners), TF.affine_grid(tt, size, align_corners)
        assert gradcheck(lambda t: F.affine_grid(t, size, align_corners), (ember.tensor(theta, requires_grad=True),))
    np.testing.assert_allclose(ge.detach().numpy(), gt.detach().numpy(), rtol=1e-12, atol=1e-12)
    w = np.random.default_rng(3).standard_normal(tuple(gt.shape))
    (ge * ember.tensor(w)).sum().backward()
    (gt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(te.grad.numpy(), tt.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("theta_shape, size, error", [
    ((1, 2, 3), (1, 1, 2, 2, 2), ValueError), ((1, 3, 4), (1, 1, 2, 2), ValueError),
    ((1, 2, 3), (1, 1, 2), NotImplementedError), ((1, 2, 3), (1, 1, 0, 2), ValueError),
])
def test_affine_grid_bad_inputs(theta_shape, size, error):
    for L, f in ((ember, F.affine_grid), (torch, TF.affine_grid)):
        with pytest.raises(error):
            f(L.zeros(*theta_shape), size, align_corners=False)
        with pytest.raises(ValueError, match="floating point"):
            f(L.zeros(*theta_shape, dtype=L.int64), size, align_corners=False)


def _stn(L):
    """The model of PyTorch's "Spatial Transformer Networks" tutorial, in L (ember or torch)."""
    N, LF = L.nn, L.nn.functional

    class Net(N.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = N.Conv2d(1, 10, kernel_size=5)
            self.conv2 = N.Conv2d(10, 20, kernel_size=5)
            self.fc1 = N.Linear(320, 50)
            self.fc2 = N.Linear(50, 10)
            self.localization = N.Sequential(N.Conv2d(1, 8, kernel_size=7), N.MaxPool2d(2, stride=2), N.ReLU(True),
                                             N.Conv2d(8, 10, kernel_size=5), N.MaxPool2d(2, stride=2), N.ReLU(True))
            self.fc_loc = N.Sequential(N.Linear(10 * 3 * 3, 32), N.ReLU(True), N.Linear(32, 3 * 2))
            self.fc_loc[2].weight.data.zero_()
            self.fc_loc[2].bias.data.copy_(L.tensor([1, 0, 0, 0, 1, 0], dtype=L.float))

        def stn(self, x):
            theta = self.fc_loc(self.localization(x).view(-1, 10 * 3 * 3)).view(-1, 2, 3)
            grid = LF.affine_grid(theta, x.size(), align_corners=False)
            return LF.grid_sample(x, grid, align_corners=False)

        def forward(self, x):
            x = self.stn(x)
            x = LF.relu(LF.max_pool2d(self.conv1(x), 2))
            x = LF.relu(LF.max_pool2d(self.conv2(x), 2))
            x = LF.relu(self.fc1(x.view(-1, 320)))
            return LF.log_softmax(self.fc2(x), dim=1)

    return Net()


def test_spatial_transformer_tutorial_trains_as_torch():
    me, mt = _stn(ember), _stn(torch)
    rng = np.random.default_rng(5)
    with torch.no_grad(), ember.no_grad():
        for (_, pe), (_, pt) in zip(me.named_parameters(), mt.named_parameters()):
            v = rng.uniform(-0.1, 0.1, tuple(pt.shape)).astype(np.float32)
            pe.copy_(ember.tensor(v))
            pt.copy_(torch.tensor(v))
    oe, ot = ember.optim.SGD(me.parameters(), lr=0.05), torch.optim.SGD(mt.parameters(), lr=0.05)
    x = rng.standard_normal((8, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 8)
    for _ in range(3):
        le = F.nll_loss(me(ember.tensor(x)), ember.tensor(y))
        lt = TF.nll_loss(mt(torch.tensor(x)), torch.tensor(y))
        oe.zero_grad(), ot.zero_grad()
        le.backward(), lt.backward()
        oe.step(), ot.step()
        assert abs(le.item() - lt.item()) < 1e-5
    for pe, pt in zip(me.parameters(), mt.parameters()):
        np.testing.assert_allclose(pe.detach().numpy(), pt.detach().numpy(), rtol=1e-4, atol=1e-5)

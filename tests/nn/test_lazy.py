"""Lazy layers against torch's: the reprs before and after the first call, the sizes read from it,
the class they become, the errors, and a Dive-into-Deep-Learning style model (LazyLinear,
LazyConv2d, LazyBatchNorm2d) trained with the same weights in both libraries."""
import copy
import re
import math
import pickle

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

LAZY = [("LazyLinear", (5,), (2, 7)), ("LazyLinear", (3, False), (4, 2, 6)),
        ("LazyConv1d", (4, 3), (2, 3, 8)), ("LazyConv2d", (6, 3), (2, 4, 7, 7)),
        ("LazyConv2d", (6, (3, 1)), (4, 7, 7)),  # unbatched: in_channels from dim 0
        ("LazyConv2d", dict(out_channels=4, kernel_size=3, groups=2, padding=1, bias=False), (1, 6, 5, 5)),
        ("LazyConv3d", (2, 2), (1, 3, 4, 4, 4)), ("LazyConvTranspose1d", (4, 3, 2), (2, 3, 5)),
        ("LazyConvTranspose2d", dict(out_channels=4, kernel_size=2, stride=2, groups=2), (1, 6, 3, 3)),
        ("LazyConvTranspose3d", (2, 2), (1, 3, 2, 2, 2)), ("LazyBatchNorm1d", (), (8, 3)),
        ("LazyBatchNorm2d", dict(momentum=0.3), (4, 3, 2, 2)), ("LazyBatchNorm3d", dict(affine=False), (4, 3, 2, 2, 2)),
        ("LazyInstanceNorm1d", (), (4, 3, 5)), ("LazyInstanceNorm2d", dict(affine=False, track_running_stats=False),
                                                (4, 3, 5, 5)),
        ("LazyInstanceNorm3d", dict(track_running_stats=False), (2, 3, 3, 3, 3))]


def _make(L, name, args):
    cls = getattr(L.nn, name)
    return cls(**args) if isinstance(args, dict) else cls(*args)


@pytest.mark.parametrize("name, args, shape", LAZY, ids=[f"{n}-{s}" for n, _, s in LAZY])
def test_lazy_layers_size_themselves_as_torch(name, args, shape):
    mine, theirs = _make(ember, name, args), _make(torch, name, args)
    assert repr(mine) == repr(theirs)
    assert mine.has_uninitialized_params()
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    theirs(torch.tensor(x))
    mine(ember.tensor(x))
    assert repr(mine) == repr(theirs) and type(mine).__name__ == type(theirs).__name__ == name[4:]
    assert isinstance(mine, getattr(ember.nn, name[4:])) and not hasattr(mine, "has_uninitialized_params")
    state_t = theirs.state_dict()
    assert list(mine.state_dict()) == list(state_t)
    for k, v in mine.state_dict().items():
        assert tuple(v.shape) == tuple(state_t[k].shape), k
    # the same weights give the same outputs and gradients
    mine.load_state_dict({k: ember.tensor(v.numpy()) for k, v in state_t.items()})
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = mine(xe), theirs(xt)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(np.float32)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_lazy_weights_are_initialized_for_the_size_read():
    ember.manual_seed(0)
    lin = ember.nn.LazyLinear(300)
    lin(ember.ones(1, 400))
    bound = 1 / math.sqrt(400)  # kaiming_uniform(a=sqrt 5) of fan_in 400, and the bias's
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound and abs(w.std() - bound / math.sqrt(3)) < 1e-3
    assert np.abs(b).max() <= bound and b.std() > 0.5 * bound / math.sqrt(3)
    bn = ember.nn.LazyBatchNorm1d()
    bn.eval()
    bn(ember.ones(2, 3))
    assert bn.weight.tolist() == [1.0] * 3 and bn.running_var.tolist() == [1.0] * 3


def test_an_optimizer_made_before_the_first_call_trains_the_sized_weights():
    net = ember.nn.Sequential(ember.nn.LazyLinear(8), ember.nn.ReLU(), ember.nn.LazyLinear(1))
    opt = ember.optim.Adam(net.parameters(), lr=0.01)
    x, y = ember.randn(32, 5), ember.randn(32, 1)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = ember.nn.functional.mse_loss(net(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert tuple(net[0].weight.shape) == (8, 5) and losses[-1] < 0.9 * losses[0]


def d2l_lenet(L):
    """Dive into Deep Learning's LeNet (section 7.6, batch-normalized as in 8.5) with lazy layers."""
    nn = L.nn
    return nn.Sequential(
        nn.LazyConv2d(6, kernel_size=5), nn.LazyBatchNorm2d(), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.LazyConv2d(16, kernel_size=5), nn.LazyBatchNorm2d(), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.LazyLinear(120), nn.LazyBatchNorm1d(), nn.Sigmoid(), nn.LazyLinear(84),
        nn.LazyBatchNorm1d(), nn.Sigmoid(), nn.LazyLinear(10))


def test_d2l_lenet_trains_equal_to_torch():
    mine, theirs = d2l_lenet(ember), d2l_lenet(torch)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 8)
    theirs(torch.tensor(x))  # d2l's dry run sizes the layers
    mine(ember.tensor(x))
    assert repr(mine) == repr(theirs)
    mine.load_state_dict({k: ember.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    opt_e = ember.optim.SGD(mine.parameters(), lr=0.1)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1)
    for _ in range(3):
        loss_e = ember.nn.functional.cross_entropy(mine(ember.tensor(x)), ember.tensor(y))
        loss_t = torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y))
        np.testing.assert_allclose(loss_e.item(), loss_t.item(), rtol=1e-5)
        for opt, loss in ((opt_e, loss_e), (opt_t, loss_t)):
            opt.zero_grad()
            loss.backward()
            opt.step()


def test_lazy_layers_copy_and_pickle_before_and_after_sizing():
    lazy = ember.nn.LazyLinear(3)
    for clone in (copy.deepcopy(lazy), pickle.loads(pickle.dumps(lazy))):
        assert type(clone) is ember.nn.LazyLinear and clone.has_uninitialized_params()
        assert tuple(clone(ember.ones(2, 4)).shape) == (2, 3) and clone.in_features == 4
    assert lazy.in_features == 0  # the copies sized themselves, not the original
    lazy(ember.ones(1, 6))
    clone = pickle.loads(pickle.dumps(lazy))
    assert type(clone).__name__ == "Linear" and ember.equal(clone.weight, lazy.weight)


@pytest.mark.parametrize("name, args, shape, exc, words", [
    ("LazyConv2d", (4, 3), (2, 3, 4, 4, 4), RuntimeError, "Expected 3D (unbatched) or 4D (batched) input to LazyConv2d"),
    ("LazyConv1d", dict(out_channels=4, kernel_size=1, groups=2), (1, 3, 5), ValueError,
     "in_channels must be divisible by groups"),
])
def test_lazy_errors_match_torch(name, args, shape, exc, words):
    for L in (torch, ember):
        m = _make(L, name, args)
        with pytest.raises(exc, match=re.escape(words)):
            m(L.zeros(shape))
        assert type(m).__name__ == name  # still lazy: a later call may size it


def test_loading_a_state_dict_sizes_lazy_layers():
    """A checkpoint of the sized model loads into a fresh lazy one (torch's lazy layers take the
    tensors' shapes on loading too); the outputs are then the checkpoint's."""
    theirs = d2l_lenet(torch)
    x = np.random.default_rng(2).standard_normal((4, 1, 28, 28)).astype(np.float32)
    theirs(torch.tensor(x))
    theirs.eval()
    mine = d2l_lenet(ember)
    result = mine.load_state_dict({k: ember.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert type(mine[0]).__name__ == "Conv2d" and mine[0].in_channels == 1 and mine[9].in_features == 256
    mine.eval()
    np.testing.assert_allclose(mine(ember.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-5)
    lazy = ember.nn.LazyLinear(3)
    with pytest.raises(RuntimeError, match="size mismatch for bias"):
        lazy.load_state_dict({"weight": ember.zeros(3, 5), "bias": ember.zeros(4)})
    untouched = ember.nn.LazyLinear(3)
    assert untouched.load_state_dict({}, strict=False).missing_keys == ["weight", "bias"]
    assert untouched.has_uninitialized_params()


def test_hooks_run_once_on_the_sizing_call():
    for L in (ember, torch):
        m = L.nn.LazyLinear(2)
        calls = []
        m.register_forward_pre_hook(lambda mod, args: calls.append("pre"))
        m.register_forward_hook(lambda mod, args, out: calls.append("post"))
        m(L.ones(1, 3))
        m(L.ones(1, 3))
        assert calls == ["pre", "post", "pre", "post"], (L.__name__, calls)

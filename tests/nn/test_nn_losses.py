"""ember.nn.functional losses against torch.nn.functional: values and input gradients for every
reduction, weights, ignore_index, label smoothing, probability targets, extreme logits."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F

RNG = np.random.default_rng(7)
X = RNG.standard_normal((6, 5))
Y = RNG.standard_normal((6, 5))
P = RNG.uniform(0.02, 0.98, (6, 5))
B = (RNG.random((6, 5)) < 0.5).astype(np.float64)
W5 = RNG.uniform(0.5, 2.0, 5)
LOGITS = np.concatenate([X * 3, np.array([[100., -100., 0., 40., -40.]])])
B7 = np.concatenate([B, np.array([[0., 1., 1., 0., 1.]])])
T = np.array([0, 4, 2, 2, 1, 3])
T_IGN = np.array([0, -100, 2, 2, -100, 3])
X3 = RNG.standard_normal((3, 5, 4))  # (N, C, d)
T3 = RNG.integers(0, 5, (3, 4))
PROBS = RNG.dirichlet(np.ones(5), 6)


def _case(name, args, kwargs=None):
    return pytest.param(name, args, kwargs or {}, id=f"{name}-{len(args)}-{'-'.join(map(str, (kwargs or {}).values()))}")


CASES = []
for red in ("mean", "sum", "none"):
    CASES += [
        _case("mse_loss", ("x", Y), {"reduction": red}),
        _case("l1_loss", ("x", Y), {"reduction": red}),
        _case("huber_loss", ("x", Y), {"reduction": red, "delta": 0.5}),
        _case("smooth_l1_loss", ("x", Y), {"reduction": red, "beta": 0.5}),
        _case("binary_cross_entropy", ("p", B), {"reduction": red}),
        _case("binary_cross_entropy_with_logits", ("logits", B7), {"reduction": red}),
        _case("nll_loss", ("x", T), {"reduction": red}),
        _case("cross_entropy", ("x", T), {"reduction": red}),
        _case("cross_entropy", ("x", T_IGN), {"reduction": red, "weight": W5, "label_smoothing": 0.1}),
        _case("cross_entropy", ("x", PROBS), {"reduction": red, "weight": W5, "label_smoothing": 0.2}),
        _case("cross_entropy", ("x3", T3), {"reduction": red, "label_smoothing": 0.05}),
    ]
CASES += [
    _case("huber_loss", ("x", Y)), _case("smooth_l1_loss", ("x", Y), {"beta": 0.0}),
    _case("binary_cross_entropy", ("p", B), {"weight": W5}),
    _case("binary_cross_entropy_with_logits", ("logits", B7), {"weight": W5, "pos_weight": np.full(5, 3.0)}),
    _case("nll_loss", ("x", T_IGN), {"weight": W5}), _case("nll_loss", ("x", T), {"ignore_index": 2}),
    _case("nll_loss", ("x3", T3), {"weight": W5}), _case("nll_loss", ("x1", np.array(3))),
    _case("cross_entropy", ("x1", np.array(3)), {"label_smoothing": 0.3}),
    _case("cross_entropy", ("x", PROBS)), _case("cross_entropy", ("x", T), {"weight": W5}),
    _case("mse_loss", ("x", Y[0])),  # broadcast target
]
INPUTS = {"x": X, "p": P, "logits": LOGITS, "x3": X3, "x1": X[0]}


def _run(L, name, args, kwargs):
    x = L.tensor(INPUTS[args[0]], requires_grad=True)
    conv = {k: (L.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    loss = getattr(L.nn.functional, name)(x, L.tensor(args[1]), **conv)
    loss.backward(L.ones_like(loss))
    return loss.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("name,args,kwargs", CASES)
def test_loss_matches_torch(name, args, kwargs, torch):
    (v, g), (vt, gt) = _run(ember, name, args, kwargs), _run(torch, name, args, kwargs)
    np.testing.assert_allclose(v, vt, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g, gt, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name,args,kwargs", [
    _case("cross_entropy", ("x", T_IGN), {"weight": W5, "label_smoothing": 0.1}),
    _case("cross_entropy", ("x", PROBS), {"label_smoothing": 0.2}),
    _case("binary_cross_entropy_with_logits", ("x", B), {"pos_weight": np.full(5, 2.0)}),
    _case("huber_loss", ("x", Y)), _case("nll_loss", ("x", T_IGN), {"weight": W5})])
def test_loss_gradcheck(name, args, kwargs):
    conv = {k: (ember.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    fn = lambda x: getattr(F, name)(x, ember.tensor(args[1]), **conv)  # noqa: E731
    x = ember.tensor(INPUTS[args[0]], requires_grad=True)
    assert ember.autograd.gradcheck(fn, (x,)) and ember.autograd.gradgradcheck(fn, (x,))


@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_unbatched_input_takes_a_target_of_shape_1(name, reduction, torch):
    """An unbatched (C,) input takes a 0-d target or one of shape (1,), as torch's forward does (torch's
    backward then fails on the (1,) target); ember's loss and gradient are the 0-d target's."""
    def run(L, t):
        x = L.tensor(X[0], requires_grad=True)
        loss = getattr(L.nn.functional, name)(x, L.tensor(t), reduction=reduction)
        return loss, x
    loss_t, _ = run(torch, np.array([3]))
    loss, x = run(ember, np.array([3]))
    ref, x0 = run(ember, np.array(3))
    assert tuple(loss.shape) == tuple(loss_t.shape) == ()
    np.testing.assert_allclose(loss.detach().numpy(), loss_t.detach().numpy(), rtol=1e-12)
    loss.backward()
    ref.backward()
    np.testing.assert_array_equal(x.grad.numpy(), x0.grad.numpy())


def test_legacy_reduction_flags():
    x, y = ember.tensor(X), ember.tensor(Y)
    assert ember.allclose(F.mse_loss(x, y, size_average=False), F.mse_loss(x, y, reduction="sum"))
    assert F.l1_loss(x, y, reduce=False).shape == (6, 5)


def test_bad_inputs():
    x = ember.tensor(X)
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(x, x, reduction="avg")
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(x, ember.tensor(B))
    with pytest.raises(ValueError, match="same as input size"):
        F.binary_cross_entropy_with_logits(x, ember.tensor(B[:2]))
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(x, ember.tensor(np.array([0, 5, 1, 1, 1, 1])))
    with pytest.raises(TypeError, match="int64"):
        F.nll_loss(x, ember.tensor(T.astype(np.float64)))
    with pytest.raises(ValueError, match="target of shape"):
        F.nll_loss(x, ember.tensor(T[:3]))
    with pytest.raises(ValueError, match="one entry per class"):
        F.nll_loss(x, ember.tensor(T), weight=ember.ones(4, dtype=ember.float64))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, ember.tensor(T), label_smoothing=1.5)

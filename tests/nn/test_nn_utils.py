"""ember.nn.utils: penalties (values and gradients against NumPy and torch) and max_norm_ against
torch.renorm."""
import numpy as np
import pytest

import ember
from ember.nn import utils

RNG = np.random.default_rng(3)
W, B = RNG.standard_normal((4, 3)), RNG.standard_normal(4)


def _params():
    return [ember.tensor(W, requires_grad=True), ember.tensor(B, requires_grad=True)]


@pytest.mark.parametrize("name,kw,value,grad", [
    ("l1_penalty", {"weight": 0.1}, lambda a: 0.1 * np.abs(a).sum(), lambda a: 0.1 * np.sign(a)),
    ("l2_penalty", {"weight": 0.1}, lambda a: 0.1 * (a * a).sum(), lambda a: 0.2 * a),
    ("elastic_net_penalty", {"l1": 0.3, "l2": 0.05}, lambda a: 0.3 * np.abs(a).sum() + 0.05 * (a * a).sum(),
     lambda a: 0.3 * np.sign(a) + 0.1 * a)])
def test_penalties(name, kw, value, grad):
    ps = _params()
    pen = getattr(utils, name)(ps, **kw)
    assert pen.shape == () and pen.requires_grad
    np.testing.assert_allclose(pen.item(), value(W) + value(B), rtol=1e-12)
    pen.backward()
    for p, a in zip(ps, (W, B)):
        np.testing.assert_allclose(p.grad.numpy(), grad(a), rtol=1e-12)
    assert ember.autograd.gradgradcheck(lambda w: getattr(utils, name)(w, **kw), (_params()[0],))


def test_l2_penalty_equals_sgd_weight_decay(torch):
    """d/dp l2_penalty(weight=wd/2) = wd * p: what torch.optim.SGD's weight_decay adds."""
    p = ember.tensor(W, requires_grad=True)
    utils.l2_penalty(p, weight=0.05).backward()
    pt = torch.tensor(W, requires_grad=True)
    opt = torch.optim.SGD([pt], lr=1.0, weight_decay=0.1)
    pt.grad = torch.zeros_like(pt)
    opt.step()
    np.testing.assert_allclose(p.grad.numpy(), W - pt.detach().numpy(), rtol=1e-12)


def test_activity_penalty():
    x = ember.tensor(RNG.standard_normal((8, 5)))
    want = (0.01 * np.abs(x.numpy()).sum() + 0.02 * (x.numpy() ** 2).sum()) / 8
    assert utils.activity_penalty(x, l1=0.01, l2=0.02).item() == pytest.approx(want, rel=1e-12)
    assert utils.activity_penalty(x, l1=0.01, batch_mean=False).item() == pytest.approx(
        0.01 * np.abs(x.numpy()).sum(), rel=1e-12)


@pytest.mark.parametrize("shape,max_norm,p,dim", [((5, 3), 1.0, 2.0, 0), ((5, 3), 0.5, 1.0, 1),
                                                  ((2, 3, 4), 1.5, 2.0, 0)])
def test_max_norm_matches_renorm(shape, max_norm, p, dim, torch):
    a = RNG.standard_normal(shape) * 2
    w = ember.tensor(a, requires_grad=True)
    utils.max_norm_([w], max_norm, norm_type=p, dim=dim)
    expected = torch.renorm(torch.tensor(a), p, dim, max_norm)
    np.testing.assert_allclose(w.detach().numpy(), expected.numpy(), rtol=1e-12)
    assert w.is_leaf and w.grad_fn is None


def test_max_norm_of_a_vector_limits_each_element():
    w = ember.tensor([0.2, -3.0, 1.0], dtype=ember.float64)
    utils.max_norm_(w, 0.7)
    np.testing.assert_allclose(w.numpy(), [0.2, -0.7 * 3 / (3 + 1e-7), 0.7 / (1 + 1e-7)], rtol=1e-12)


def test_bad_inputs():
    with pytest.raises(TypeError, match="^l1_penalty: expected tensors"):
        utils.l1_penalty([ember.ones(2), 3])
    with pytest.raises(TypeError, match="^clip_grad_norm_: expected tensors"):
        utils.clip_grad_norm_([None], 1.0)
    with pytest.raises(ValueError, match="max_norm"):
        utils.max_norm_(ember.ones(2, 2), -1.0)
    assert utils.l2_penalty([]).item() == 0.0

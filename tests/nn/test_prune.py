"""ember.nn.utils.prune against torch's: PyTorch's pruning tutorial on LeNet with the same weights
(masks, names, state dicts, hooks, outputs and gradients equal to torch's), the random methods'
counts, chained pruning, removal and the errors."""
import numpy as np
import pytest

import ember
from ember import nn

torch = pytest.importorskip("torch")
import torch.nn.utils.prune  # noqa: E402,F401  (not imported by torch.nn.utils)


def _lenet(L):
    class LeNet(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = L.nn.Conv2d(1, 6, 3)
            self.conv2 = L.nn.Conv2d(6, 16, 3)
            self.fc1 = L.nn.Linear(16 * 5 * 5, 120)
            self.fc2 = L.nn.Linear(120, 84)
            self.fc3 = L.nn.Linear(84, 10)

        def forward(self, x):
            F = L.nn.functional
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(-1, int(x.nelement() / x.shape[0]))
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)
    return LeNet()


def _pair():
    torch.manual_seed(0)
    theirs, mine = _lenet(torch), _lenet(ember)
    mine.load_state_dict({k: ember.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    return mine, theirs


def _same(a, b, **tol):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), **(tol or dict(rtol=0, atol=0)))


def _check_like_torch(mine, theirs):
    assert list(mine.state_dict()) == list(theirs.state_dict())
    for (k, a), (_, b) in zip(mine.state_dict().items(), theirs.state_dict().items()):
        _same(a, b)
    x = np.random.default_rng(1).standard_normal((2, 1, 28, 28)).astype(np.float32)
    ye, yt = mine(ember.tensor(x)), theirs(torch.tensor(x))
    _same(ye, yt, rtol=1e-5, atol=1e-5)
    ye.sum().backward()
    yt.sum().backward()
    for (n, p), (_, q) in zip(mine.named_parameters(), theirs.named_parameters()):
        _same(p.grad, q.grad, rtol=1e-4, atol=1e-5)


def test_pruning_tutorial_as_torch():
    prune_e, prune_t = nn.utils.prune, torch.nn.utils.prune
    mine, theirs = _pair()
    for m, prune in ((mine.conv1, prune_e), (theirs.conv1, prune_t)):
        prune.l1_unstructured(m, name="weight", amount=0.3)
    assert [n for n, _ in mine.conv1.named_parameters()] == ["bias", "weight_orig"]
    assert [n for n, _ in mine.conv1.named_buffers()] == ["weight_mask"]
    assert [type(h).__name__ for h in mine.conv1._forward_pre_hooks.values()] == ["L1Unstructured"]
    _same(mine.conv1.weight, theirs.conv1.weight)
    for m, prune in ((mine.conv1, prune_e), (theirs.conv1, prune_t)):
        prune.l1_unstructured(m, name="bias", amount=3)
        prune.ln_structured(m, name="weight", amount=0.5, n=2, dim=0)
    hook = [h for h in mine.conv1._forward_pre_hooks.values() if h._tensor_name == "weight"][0]
    assert [type(h).__name__ for h in hook] == ["L1Unstructured", "LnStructured"]
    _check_like_torch(mine, theirs)
    for m, prune in ((mine.conv1, prune_e), (theirs.conv1, prune_t)):
        prune.remove(m, "weight")
    assert [n for n, _ in mine.conv1.named_parameters()] == [n for n, _ in theirs.conv1.named_parameters()]
    _check_like_torch(mine, theirs)

    mine, theirs = _pair()
    for model, prune, L in ((mine, prune_e, ember), (theirs, prune_t, torch)):
        for name, module in model.named_modules():
            if isinstance(module, L.nn.Conv2d):
                prune.l1_unstructured(module, name="weight", amount=0.2)
            elif isinstance(module, L.nn.Linear):
                prune.l1_unstructured(module, name="weight", amount=0.4)
    assert list(dict(mine.named_buffers())) == list(dict(theirs.named_buffers()))
    _check_like_torch(mine, theirs)

    mine, theirs = _pair()
    for model, prune in ((mine, prune_e), (theirs, prune_t)):
        parameters = ((model.conv1, "weight"), (model.conv2, "weight"), (model.fc1, "weight"), (model.fc2, "weight"),
                      (model.fc3, "weight"))
        prune.global_unstructured(parameters, pruning_method=prune.L1Unstructured, amount=0.2)
    _check_like_torch(mine, theirs)
    zeros = sum(int((getattr(mine, n).weight == 0).sum()) for n in ("conv1", "conv2", "fc1", "fc2", "fc3"))
    total = sum(getattr(mine, n).weight.nelement() for n in ("conv1", "conv2", "fc1", "fc2", "fc3"))
    assert zeros == round(0.2 * total)


def test_custom_pruning_method_as_torch():
    def foobar(L):
        class FooBarPruningMethod(L.nn.utils.prune.BasePruningMethod):
            PRUNING_TYPE = "unstructured"

            def compute_mask(self, t, default_mask):
                mask = default_mask.clone()
                mask.view(-1)[::2] = 0
                return mask
        return FooBarPruningMethod

    mine, theirs = _pair()
    foobar(ember).apply(mine.fc3, name="bias")
    foobar(torch).apply(theirs.fc3, name="bias")
    _same(mine.fc3.bias_mask, theirs.fc3.bias_mask)
    nn.utils.prune.custom_from_mask(mine.fc2, "weight", ember.tensor((theirs.fc2.weight.detach().numpy() > 0) * 1.0))
    torch.nn.utils.prune.custom_from_mask(theirs.fc2, "weight", (theirs.fc2.weight > 0).float())
    _check_like_torch(mine, theirs)
    assert nn.utils.prune.is_pruned(mine) and not nn.utils.prune.is_pruned(_lenet(ember))


def test_random_methods_prune_the_amount_asked():
    m = nn.Linear(10, 8)
    nn.utils.prune.random_unstructured(m, "weight", amount=0.25)
    assert int((m.weight_mask == 0).sum()) == 20 and int((m.weight == 0).sum()) >= 20
    nn.utils.prune.random_unstructured(m, "weight", amount=10)  # ten more, among those kept
    assert int((m.weight_mask == 0).sum()) == 30
    c = nn.Conv2d(2, 6, 3)
    nn.utils.prune.random_structured(c, "weight", amount=0.5, dim=0)
    filters = c.weight_mask.sum((1, 2, 3))
    assert int((filters == 0).sum()) == 3 and bool(((filters == 0) | (filters == 18)).all())


def test_training_a_pruned_layer_keeps_pruned_weights_at_zero():
    m = nn.utils.prune.l1_unstructured(nn.Linear(6, 3), "weight", amount=0.5)
    opt = ember.optim.SGD(m.parameters(), lr=0.5)
    x = ember.randn(8, 6)
    for _ in range(3):
        opt.zero_grad()
        m(x).pow(2).sum().backward()
        assert bool((m.weight_orig.grad[m.weight_mask == 0] == 0).all())  # no gradient through the mask
        opt.step()
    assert int((m.weight == 0).sum()) >= 9
    w = (m.weight_orig * m.weight_mask).detach()  # m.weight is as of the last call, before the step
    nn.utils.prune.remove(m, "weight")
    assert ember.equal(m.weight, w) and isinstance(m.weight, nn.Parameter)


def test_pruning_errors_as_torch():
    for L in (ember, torch):
        prune = L.nn.utils.prune
        with pytest.raises(ValueError, match=r"amount=1.5 should either be a float in the range \[0, 1\] or a "
                                             "non-negative integer"):
            prune.l1_unstructured(L.nn.Linear(2, 2), "weight", amount=1.5)
        with pytest.raises(TypeError, match="Invalid type for amount: 1. Must be int or float."):
            prune.l1_unstructured(L.nn.Linear(2, 2), "weight", amount="1")
        with pytest.raises(ValueError, match="amount=5 should be smaller than the number of parameters to prune=4"):
            prune.l1_unstructured(L.nn.Linear(2, 2), "weight", amount=5)
        with pytest.raises(ValueError, match="Structured pruning can only be applied to multidimensional tensors"):
            prune.ln_structured(L.nn.Linear(2, 2), "bias", amount=1, n=2, dim=0)
        with pytest.raises(ValueError, match="has to be pruned before pruning can be removed"):
            prune.remove(L.nn.Linear(2, 2), "weight")
        with pytest.raises(TypeError, match='Only "unstructured" PRUNING_TYPE supported'):
            prune.global_unstructured([(L.nn.Linear(2, 2), "weight")], pruning_method=prune.LnStructured,
                                      amount=1, n=2, dim=0)
        m = L.nn.Linear(2, 2)
        with pytest.raises(ValueError):
            prune.l1_unstructured(m, "weight", amount=9)
        assert [n for n, _ in m.named_parameters()] == ["bias", "weight"]  # back (after bias, as torch's)

"""ember.models against torch (tests/nn/torch_resnet.py, torchvision's architecture written for
torch): the parameter names and shapes are torchvision's, a torch state_dict saved as
safetensors loads, and the models give torch's logits and gradients with the same weights."""
import numpy as np
import pytest

import ember
import ember.models

torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")
torch_resnet = pytest.importorskip("torch_resnet")


def _randomize_statistics(model, seed):
    """Running statistics away from 0 and 1, so eval mode depends on them."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)


def _shapes(state):
    return {k: tuple(v.shape) for k, v in state.items()}


@pytest.mark.parametrize("name", ["resnet18", "resnet34", "resnet50", "resnet20"])
def test_parameter_names_and_shapes_are_torchvisions(name):
    mine = ember.models.__dict__[name]()
    theirs = (torch_resnet.ResNet(torch_resnet.BasicBlock, [3, 4, 6, 3]) if name == "resnet34"
              else getattr(torch_resnet, name)())
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert _shapes(mine.state_dict()) == _shapes(theirs.state_dict())


def test_resnet18_loads_a_torch_checkpoint_and_gives_its_logits(tmp_path):
    torch.manual_seed(0)
    theirs = torch_resnet.resnet18()
    _randomize_statistics(theirs, 1)
    theirs.eval()
    safetensors_torch.save_file(theirs.state_dict(), str(tmp_path / "resnet18.safetensors"))
    mine = ember.models.resnet18()
    result = mine.load_state_dict(ember.load(tmp_path / "resnet18.safetensors"))
    assert not result.missing_keys and not result.unexpected_keys
    mine.eval()
    x = np.random.default_rng(2).standard_normal((2, 3, 96, 96)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.tensor(x)).numpy()
    with ember.no_grad():
        got = mine(ember.tensor(x)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["resnet20", "resnet50"])
def test_training_step_matches_torch(name):
    """Training mode (batch statistics, running averages) forward, loss and every parameter's
    gradient, in float64, from the same weights."""
    torch.manual_seed(3)
    theirs = getattr(torch_resnet, name)(num_classes=10).double()
    mine = ember.models.__dict__[name](num_classes=10).double()
    mine.load_state_dict({k: ember.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    size = 32 if name == "resnet20" else 64
    x = np.random.default_rng(4).standard_normal((4, 3, size, size))
    y = np.array([1, 0, 3, 9])
    lt = torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y))
    lt.backward()
    le = ember.nn.functional.cross_entropy(mine(ember.tensor(x)), ember.tensor(y))
    le.backward()
    np.testing.assert_allclose(le.item(), lt.item(), rtol=1e-10)
    grads = dict(theirs.named_parameters())
    for k, p in mine.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), grads[k].grad.numpy(), rtol=1e-7, atol=1e-9, err_msg=k)
    buffers = dict(theirs.named_buffers())
    for k, b in mine.named_buffers():
        np.testing.assert_allclose(b.numpy(), buffers[k].numpy(), rtol=1e-10, atol=1e-12, err_msg=k)


def test_parameter_counts_are_the_documented_ones():
    counts = {"resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032, "resnet20": 269_722}
    for name, n in counts.items():
        assert sum(p.numel() for p in ember.models.__dict__[name]().parameters()) == n, name


def test_torchvision_arguments_are_taken():
    """weights=None and progress are torchvision's keyword arguments; asking for pretrained
    weights says how to load them instead."""
    assert ember.models.resnet18(weights=None, progress=False, num_classes=3).fc.out_features == 3
    with pytest.raises(NotImplementedError, match="safetensors"):
        ember.models.resnet50(weights="IMAGENET1K_V2")
    with pytest.raises(TypeError):
        ember.models.resnet34(10)  # keyword-only, as torchvision's

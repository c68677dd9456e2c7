"""ember.nn.utils' parameter vectors, split gradient clipping, batch-norm folding and skip_init
against torch.nn.utils: the same values from the same weights, the same errors and warnings."""
import warnings

import numpy as np
import pytest

import ember
from ember.nn import utils

torch = pytest.importorskip("torch")


def _same(mine, theirs):
    """Loads torch module ``theirs``' state into ember module ``mine``."""
    mine.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return mine


def _trained_bn(L, bn, channels, rng_seed=0):
    """A batch norm with non-trivial statistics and affine parameters."""
    rng = np.random.default_rng(rng_seed)
    with L.no_grad():
        if bn.weight is not None:
            bn.weight.copy_(L.tensor(rng.uniform(0.5, 2, channels).astype(np.float32)))
            bn.bias.copy_(L.tensor(rng.standard_normal(channels).astype(np.float32)))
        bn.running_mean.copy_(L.tensor(rng.standard_normal(channels).astype(np.float32)))
        bn.running_var.copy_(L.tensor(rng.uniform(0.5, 3, channels).astype(np.float32)))
    return bn.eval()


@pytest.mark.parametrize("kind, conv_kw, bn_kw", [
    ("Conv2d", dict(in_channels=3, out_channels=4, kernel_size=3), {}),
    ("Conv2d", dict(in_channels=3, out_channels=4, kernel_size=3, bias=False), dict(affine=False)),
    ("Conv1d", dict(in_channels=2, out_channels=5, kernel_size=2, groups=1), {}),
    ("Conv3d", dict(in_channels=2, out_channels=3, kernel_size=2), {}),
    ("ConvTranspose2d", dict(in_channels=3, out_channels=4, kernel_size=3), {}),
])
def test_fuse_conv_bn_eval_matches_torch(kind, conv_kw, bn_kw):
    rank = int(kind[-2])
    bn_cls = f"BatchNorm{rank}d"
    out = conv_kw["out_channels"]
    conv_t = getattr(torch.nn, kind)(**conv_kw).eval()
    bn_t = _trained_bn(torch, getattr(torch.nn, bn_cls)(out, **bn_kw), out)
    conv_e = _same(getattr(ember.nn, kind)(**conv_kw), conv_t).eval()
    bn_e = _same(getattr(ember.nn, bn_cls)(out, **bn_kw), bn_t).eval()
    transpose = kind.startswith("ConvTranspose")
    fused_t = torch.nn.utils.fuse_conv_bn_eval(conv_t, bn_t, transpose)
    fused_e = utils.fuse_conv_bn_eval(conv_e, bn_e, transpose)
    for name in ("weight", "bias"):
        np.testing.assert_allclose(getattr(fused_e, name).detach().numpy(), getattr(fused_t, name).detach().numpy(),
                                   rtol=1e-6, atol=1e-7)
        assert isinstance(getattr(fused_e, name), ember.nn.Parameter)
    x = np.random.default_rng(1).standard_normal((2, conv_kw["in_channels"]) + (6,) * rank).astype(np.float32)
    np.testing.assert_allclose(fused_e(ember.tensor(x)).detach().numpy(), bn_e(conv_e(ember.tensor(x))).detach().numpy(),
                               rtol=1e-4, atol=1e-5)
    assert fused_e is not conv_e and (conv_e.bias is None) == ("bias" in conv_kw)  # the original is unchanged


@pytest.mark.parametrize("features", [4, 1])
def test_fuse_linear_bn_eval_matches_torch(features):
    lin_t = torch.nn.Linear(3, 4).eval()
    bn_t = _trained_bn(torch, torch.nn.BatchNorm1d(features), features)
    lin_e, bn_e = _same(ember.nn.Linear(3, 4), lin_t).eval(), _same(ember.nn.BatchNorm1d(features), bn_t).eval()
    fused_t, fused_e = torch.nn.utils.fuse_linear_bn_eval(lin_t, bn_t), utils.fuse_linear_bn_eval(lin_e, bn_e)
    for name in ("weight", "bias"):
        np.testing.assert_allclose(getattr(fused_e, name).detach().numpy(), getattr(fused_t, name).detach().numpy(),
                                   rtol=1e-6, atol=1e-7)


def test_fusion_refuses_training_modules_and_mismatched_sizes():
    with pytest.raises(AssertionError, match="Fusion only for eval"):
        utils.fuse_conv_bn_eval(ember.nn.Conv2d(1, 2, 1), ember.nn.BatchNorm2d(2).eval())
    with pytest.raises(AssertionError, match="running_mean"):
        utils.fuse_conv_bn_eval(ember.nn.Conv2d(1, 2, 1).eval(), ember.nn.BatchNorm2d(2, track_running_stats=False).eval())
    with pytest.raises(AssertionError, match="out_features=3 and bn.num_features=2"):
        utils.fuse_linear_bn_eval(ember.nn.Linear(2, 3).eval(), ember.nn.BatchNorm1d(2).eval())


def test_parameters_to_vector_and_back_as_torch():
    lin_t = torch.nn.Linear(3, 2)
    lin_e = _same(ember.nn.Linear(3, 2), lin_t)
    v_t = torch.nn.utils.parameters_to_vector(lin_t.parameters())
    v_e = utils.parameters_to_vector(lin_e.parameters())
    np.testing.assert_array_equal(v_e.detach().numpy(), v_t.detach().numpy())
    v_e.sum().backward()  # differentiable: the gradient reaches every parameter
    assert all(np.all(p.grad.numpy() == 1) for p in lin_e.parameters())
    new = ember.arange(8.0)
    utils.vector_to_parameters(new, lin_e.parameters())
    np.testing.assert_array_equal(lin_e.weight.detach().numpy(), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(lin_e.bias.detach().numpy(), [6.0, 7.0])
    new[0] = 100.0  # the parameters share the vector's memory, as torch's
    assert lin_e.weight[0, 0].item() == 100.0 and lin_e.weight.requires_grad
    for L, mod in ((torch, torch.nn.utils), (ember, utils)):
        with pytest.raises(TypeError, match="Tensor, but got: list"):
            mod.vector_to_parameters([1.0], [L.zeros(1)])
        with pytest.raises(ValueError, match="non-empty list"):
            mod.parameters_to_vector([])


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3.5])
def test_total_norm_and_clipping_halves_equal_clip_grad_norm(norm_type):
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s).astype(np.float32) for s in ((3, 4), (5,), ())]

    def params(L):
        ps = [L.zeros(g.shape, requires_grad=True) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = L.tensor(g)
        return ps

    pe, pt = params(ember), params(torch)
    total_e = utils.get_total_norm([p.grad for p in pe], norm_type)
    total_t = torch.nn.utils.get_total_norm([p.grad for p in pt], norm_type)
    np.testing.assert_allclose(total_e.numpy(), total_t.numpy(), rtol=1e-6)
    utils.clip_grads_with_norm_(pe, 0.5, total_e)
    torch.nn.utils.clip_grads_with_norm_(pt, 0.5, total_t)
    for a, b in zip(pe, pt):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6)
    assert utils.get_total_norm([]).item() == 0.0 and utils.get_total_norm([]).dtype == ember.float32
    with pytest.raises(RuntimeError, match="non-finite"):
        utils.get_total_norm([ember.tensor([float("inf")])], error_if_nonfinite=True)


def test_clip_grad_norm_old_name_warns_as_torch():
    p = ember.zeros(2, requires_grad=True)
    p.grad = ember.tensor([3.0, 4.0])
    with pytest.warns(FutureWarning, match="clip_grad_norm_") as caught:
        total = utils.clip_grad_norm(p, 1.0)
    assert total.item() == 5.0 and caught[0].filename == __file__
    q = torch.zeros(2, requires_grad=True)
    q.grad = torch.tensor([3.0, 4.0])
    with pytest.warns(FutureWarning) as expected:
        torch.nn.utils.clip_grad_norm(q, 1.0)
    assert str(caught[0].message) == str(expected[0].message)


def test_skip_init_draws_nothing_and_checks_its_class():
    ember.manual_seed(0)
    m = utils.skip_init(ember.nn.Linear, 20, 10, bias=True)
    after_skip = ember.rand(3)
    ember.manual_seed(0)
    expected = ember.rand(3)
    assert ember.equal(after_skip, expected)  # the generator did not move
    assert tuple(m.weight.shape) == (10, 20) and m.weight.requires_grad
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tuple(utils.skip_init(ember.nn.Conv2d, 3, 4, 3).weight.shape) == (4, 3, 3, 3)
    with pytest.raises(RuntimeError, match="Expected a Module"):
        utils.skip_init(int, 3)

    class NoDevice(ember.nn.Module):
        def __init__(self, n):
            super().__init__()

    with pytest.raises(RuntimeError, match="'device' arg"):
        utils.skip_init(NoDevice, 3)

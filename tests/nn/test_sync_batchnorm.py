"""nn.SyncBatchNorm in one process: with no process group (or one rank) it is BatchNorm, compared
with torch's BatchNorm; with a stand-in all-reduce across two threads (two "ranks" of different
batch sizes) it equals BatchNorm on the union. The real 2-rank runs are in tests/distributed."""
import threading
import types

import numpy as np
import pytest

import ember
from ember import nn
from ember.nn import sync_batchnorm


def _np(t):
    return t.detach().numpy()


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (3, 3, 4, 4)])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_one_process_is_batch_norm_as_torch(torch, shape, momentum):
    rng = np.random.default_rng(0)
    x, up = rng.standard_normal(shape), rng.standard_normal(shape)
    sync = nn.SyncBatchNorm(3, momentum=momentum).double()
    ref = {2: torch.nn.BatchNorm1d, 3: torch.nn.BatchNorm1d, 4: torch.nn.BatchNorm2d}[len(shape)](
        3, momentum=momentum).double()
    for _ in range(2):
        xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ye, yt = sync(xe), ref(xt)
        (ye * ember.tensor(up)).sum().backward()
        (yt * torch.tensor(up)).sum().backward()
    np.testing.assert_allclose(_np(ye), _np(yt), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_np(xe.grad), _np(xt.grad), rtol=1e-9, atol=1e-12)
    for name in ("weight", "bias"):
        np.testing.assert_allclose(_np(getattr(sync, name).grad), _np(getattr(ref, name).grad), rtol=1e-9)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(_np(getattr(sync, name)), _np(getattr(ref, name)), rtol=1e-12)
    sync.eval(), ref.eval()
    np.testing.assert_allclose(_np(sync(ember.tensor(x))), _np(ref(torch.tensor(x))), rtol=1e-10, atol=1e-12)


class _TwoThreadRanks:
    """all_reduce(SUM) between two threads, standing in for MPI."""

    def __init__(self):
        self.barrier = threading.Barrier(2)
        self.slots = [None, None]
        self.rank = threading.local()

    def all_reduce_sum(self, t, group):
        self.slots[self.rank.value] = t.clone()
        self.barrier.wait()
        total = self.slots[0] + self.slots[1]
        self.barrier.wait()
        t.copy_(total)


def test_two_ranks_equal_batch_norm_on_the_union(monkeypatch):
    ranks = _TwoThreadRanks()
    monkeypatch.setattr(sync_batchnorm, "_all_reduce_sum", ranks.all_reduce_sum)
    monkeypatch.setattr(sync_batchnorm, "dist", types.SimpleNamespace(is_initialized=lambda: True,
                                                                     get_world_size=lambda group: 2))
    rng = np.random.default_rng(1)
    whole = rng.standard_normal((7, 3, 4)) * 2 + 1
    up = rng.standard_normal((7, 3, 4))
    parts = [slice(0, 2), slice(2, 7)]  # different batch sizes
    layers = [nn.SyncBatchNorm(3).double() for _ in parts]
    results, errors = [None, None], []

    def run(r):
        try:
            ranks.rank.value = r
            x = ember.tensor(whole[parts[r]], requires_grad=True)
            y = layers[r](x)
            (y * ember.tensor(up[parts[r]])).sum().backward()
            results[r] = (_np(y), _np(x.grad))
        except Exception as e:  # reported by the main thread
            errors.append(e)
            ranks.barrier.abort()

    threads = [threading.Thread(target=run, args=(r,)) for r in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    ref = nn.BatchNorm1d(3).double()
    x = ember.tensor(whole, requires_grad=True)
    y = ref(x)
    (y * ember.tensor(up)).sum().backward()
    for r, part in enumerate(parts):
        np.testing.assert_allclose(results[r][0], _np(y)[part], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(results[r][1], _np(x.grad)[part], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(_np(layers[r].running_var), _np(ref.running_var), rtol=1e-12)
        np.testing.assert_allclose(_np(layers[r].running_mean), _np(ref.running_mean), rtol=1e-12)
    for name in ("weight", "bias"):  # each rank holds its share of the parameter gradients
        total = _np(getattr(layers[0], name).grad) + _np(getattr(layers[1], name).grad)
        np.testing.assert_allclose(total, _np(getattr(ref, name).grad), rtol=1e-9)


def test_convert_sync_batchnorm_keeps_parameters_buffers_and_flags():
    net = nn.Sequential(nn.Conv2d(2, 3, 1), nn.BatchNorm2d(3, momentum=0.3), nn.Sequential(nn.BatchNorm1d(4)))
    net[1].weight.requires_grad_(False)
    net[2][0].eval()
    weight, mean = net[1].weight, net[1].running_mean
    before = {k: v.clone() for k, v in net.state_dict().items()}
    out = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    assert out is net
    assert type(net[1]) is nn.SyncBatchNorm and type(net[2][0]) is nn.SyncBatchNorm
    assert net[1].weight is weight and net[1].running_mean is mean and not net[1].weight.requires_grad
    assert net[1].momentum == 0.3 and net[1].training and not net[2][0].training
    after = net.state_dict()
    assert list(after) == list(before)
    for k in before:
        assert np.array_equal(_np(after[k]), _np(before[k])), k
    single = nn.BatchNorm1d(5)
    assert type(nn.SyncBatchNorm.convert_sync_batchnorm(single)) is nn.SyncBatchNorm


def test_options_and_errors():
    bn = nn.SyncBatchNorm(2, affine=False, track_running_stats=False)
    assert bn.weight is None and bn.running_mean is None and list(bn.state_dict()) == []
    assert bn(ember.randn(3, 2)).shape == (3, 2)
    assert repr(nn.SyncBatchNorm(4)) == \
        "SyncBatchNorm(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    assert nn.SyncBatchNorm(4, bias=False).bias is None
    with pytest.raises(ValueError, match=r"SyncBatchNorm: expected at least 2D input \(got 1D input\)"):
        nn.SyncBatchNorm(2)(ember.ones(2))
    with pytest.raises(ValueError, match=r"SyncBatchNorm: expected input with 2 channels.*\[3, 5\]"):
        nn.SyncBatchNorm(2)(ember.ones(3, 5))
    with pytest.raises(ValueError, match="SyncBatchNorm number of input channels should be non-zero"):
        nn.SyncBatchNorm(2)(ember.ones(3, 0))

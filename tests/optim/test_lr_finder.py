"""ember.optim.lr_finder.lr_range_test: the sweep's rates, the smoothing, divergence, the
suggestion, and that the model and optimizer come back as they were."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.optim.lr_finder import _steepest_descent, lr_range_test


def _setup(seed=0):
    ember.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0).astype("int64")
    batches = [(ember.tensor(x[i:i + 16]), ember.tensor(y[i:i + 16])) for i in range(0, 64, 16)]
    return model, batches


def test_sweep_rates_are_geometric_and_the_suggestion_is_inside():
    model, batches = _setup()
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    r = lr_range_test(model, opt, F.cross_entropy, batches, start_lr=1e-5, end_lr=10.0, num_iter=60,
                      diverge_threshold=1e9)
    assert len(r.lrs) == len(r.losses) == len(r.smoothed_losses) == 60 and not r.diverged
    np.testing.assert_allclose(r.lrs, np.geomspace(1e-5, 10.0, 60), rtol=1e-12)
    assert 1e-5 < r.suggestion < 10.0
    # The suggestion is where the smoothed loss falls fastest per unit of log(lr).
    slopes = np.gradient(r.smoothed_losses, np.log(r.lrs))
    i = r.lrs.index(r.suggestion)
    assert slopes[i] < 0 and slopes[i] <= np.min(slopes[10:-5]) + 1e-12


def test_smoothing_is_a_bias_corrected_running_average():
    model, batches = _setup(1)
    opt = ember.optim.Adam(model.parameters())
    r = lr_range_test(model, opt, F.cross_entropy, batches, num_iter=20, smooth=0.5, diverge_threshold=1e9)
    avg = 0.0
    for k, loss in enumerate(r.losses):
        avg = 0.5 * avg + 0.5 * loss
        assert math.isclose(r.smoothed_losses[k], avg / (1 - 0.5 ** (k + 1)), rel_tol=1e-12)


def test_stops_when_the_loss_diverges():
    model, batches = _setup(2)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    r = lr_range_test(model, opt, F.cross_entropy, batches, start_lr=1e-3, end_lr=1e4, num_iter=200)
    assert r.diverged and len(r.lrs) < 200


def test_model_and_optimizer_are_restored():
    model, batches = _setup(3)
    opt = ember.optim.Adam(model.parameters(), lr=3e-4)
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    lr_range_test(model, opt, F.cross_entropy, batches, num_iter=30)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])
    assert opt.param_groups[0]["lr"] == 3e-4 and opt.state_dict()["state"] == {}
    assert all(p.grad is None for p in model.parameters())


def test_steepest_descent_needs_enough_points():
    assert _steepest_descent([1e-3, 1e-2], [1.0, 0.5], 0, 0) is None
    assert _steepest_descent([1e-3, 1e-2, 1e-1, 1.0], [1.0, 0.9, 0.2, 0.15], 0, 0) == 1e-2


@pytest.mark.parametrize("bad", [dict(start_lr=0), dict(start_lr=1.0, end_lr=0.1), dict(num_iter=1),
                                 dict(smooth=1.0), dict(diverge_threshold=1.0)])
def test_bad_arguments_raise_value_error(bad):
    model, batches = _setup()
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="lr_range_test"):
        lr_range_test(model, opt, F.cross_entropy, batches, **bad)


def test_not_an_optimizer_raises_type_error():
    model, batches = _setup()
    with pytest.raises(TypeError, match="Optimizer"):
        lr_range_test(model, object(), F.cross_entropy, batches)

"""ember.train's sanity checks: the initial loss against -log(1/C), overfitting one batch, and the
learning-rate range test re-exported from ember.optim.lr_finder."""
import math
import warnings

import ember
import ember.nn.functional as F
import numpy as np
import pytest
from ember import nn
from ember.train import TrainingWarning, check_initial_loss, overfit_one_batch


def classifier(d=8, classes=5):
    return nn.Sequential(nn.Linear(d, 32), nn.ReLU(), nn.Linear(32, classes))


def numpy_cross_entropy(logits, targets):
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(targets)), targets].mean())


def test_initial_loss_of_a_healthy_model_is_silent_and_matches_numpy():
    ember.manual_seed(0)
    model = classifier()
    x, y = ember.randn(128, 8), ember.randint(0, 5, (128,))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check = check_initial_loss(model, (x, y), 5)
    with ember.no_grad():
        expected = numpy_cross_entropy(model(x).numpy().astype(np.float64), y.numpy())
    assert check.loss == pytest.approx(expected, rel=1e-5)
    assert check.expected == pytest.approx(math.log(5)) and check.factor == pytest.approx(expected / math.log(5))
    assert check.ok


def test_initial_loss_warns_with_the_factor_on_a_wrong_output_bias():
    ember.manual_seed(0)
    model = classifier()
    with ember.no_grad():
        model[2].bias.copy_(ember.tensor([20.0, 0.0, 0.0, 0.0, 0.0]))   # confidently class 0 before training
    x, y = ember.randn(128, 8), ember.randint(1, 5, (128,))              # never class 0
    with pytest.warns(TrainingWarning, match=r"check_initial_loss: the initial loss .* is \d+(\.\d+)? times "
                                             r"-log\(1/5\) = 1\.609") as caught:
        check = check_initial_loss(model, (x, y), 5)
    assert not check.ok and check.factor > 10
    assert f"{check.factor:.3g} times" in str(caught[0].message)


def test_initial_loss_over_a_loader_weights_by_batch_size():
    ember.manual_seed(0)
    model = classifier()
    x, y = ember.randn(50, 8), ember.randint(0, 5, (50,))
    loader = ember.data.DataLoader(ember.data.TensorDataset(x, y), batch_size=16)   # 16, 16, 16, 2
    check = check_initial_loss(model, loader, 5, max_batches=None)
    with ember.no_grad():
        full = float(F.cross_entropy(model(x), y))
    assert check.loss == pytest.approx(full, rel=1e-5)
    first = check_initial_loss(model, loader, 5, max_batches=1)
    with ember.no_grad():
        assert first.loss == pytest.approx(float(F.cross_entropy(model(x[:16]), y[:16])), rel=1e-5)


def test_initial_loss_with_a_custom_loss_and_bad_arguments():
    model = classifier(classes=2)
    x, y = ember.randn(8, 8), ember.randint(0, 2, (8,))
    check = check_initial_loss(model, (x, y), 2, loss_fn=lambda logits, t: F.cross_entropy(logits, t) * 0 + math.log(2))
    assert check.factor == pytest.approx(1.0) and check.ok
    for bad in (1, 2.5, True):
        with pytest.raises(ValueError, match="check_initial_loss: num_classes must be an int of at least 2"):
            check_initial_loss(model, (x, y), bad)
    with pytest.raises(TypeError, match="check_initial_loss: loader_or_batch must be an"):
        check_initial_loss(model, x, 2)  # a bare tensor: its rows are no (inputs, targets) pairs
    with pytest.raises(ValueError, match="check_initial_loss: no batch"):
        check_initial_loss(model, [], 2)


def test_overfit_one_batch_reaches_near_zero_and_restores_the_model():
    ember.manual_seed(0)
    model = classifier()
    model.eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    batch = (ember.randn(16, 8), ember.randint(0, 5, (16,)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reached, losses = overfit_one_batch(model, batch, F.cross_entropy, steps=300, target=0.01)
    assert reached and losses[-1] <= 0.01 < losses[0] and len(losses) < 300
    assert all(ember.equal(v, before[k]) for k, v in model.state_dict().items()) and not model.training


def test_overfit_one_batch_reports_failure_with_a_zero_rate():
    ember.manual_seed(0)
    model = classifier()
    batch = (ember.randn(16, 8), ember.randint(0, 5, (16,)))
    with pytest.warns(TrainingWarning, match=r"overfit_one_batch: the loss did not reach 0\.01 in 20 steps on one "
                                             r"batch; the loss went from"):
        reached, losses = overfit_one_batch(model, batch, F.cross_entropy, lr=0.0, steps=20)
    assert not reached and len(losses) == 20 and max(losses) == min(losses)


def test_overfit_one_batch_with_a_given_optimizer_keeps_the_weights_when_asked():
    ember.manual_seed(0)
    model = classifier()
    opt = ember.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    batch = (ember.randn(8, 8), ember.randint(0, 5, (8,)))
    w0 = model[0].weight.clone()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingWarning)
        _, losses = overfit_one_batch(model, batch, F.cross_entropy, optimizer=opt, steps=5, restore=False)
    assert len(losses) == 5 and losses[-1] < losses[0]
    assert not ember.equal(model[0].weight, w0)


def test_lr_range_test_is_the_optim_one():
    import ember.train
    from ember.optim import lr_finder

    assert ember.train.lr_range_test is lr_finder.lr_range_test
    assert ember.train.LRRangeTestResult is lr_finder.LRRangeTestResult

"""ember.optim.swa_utils against torch.optim.swa_utils: the SWA recipe of PyTorch's documentation
(a cosine schedule, then SWALR and AveragedModel, then update_bn), and EMA averaging, run by the
same code with either library from the same weights and data: the rates, the averaged weights,
the batch-norm statistics and the averaged model's outputs must agree."""
import copy
import math

import numpy as np
import pytest

import ember
from ember.optim import swa_utils

torch = pytest.importorskip("torch")


def _model(L):
    nn = L.nn
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))


def _pair():
    theirs = _model(torch)
    mine = _model(ember)
    mine.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return mine, theirs


def _data(n=6, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((16, 4)).astype(np.float32), rng.standard_normal((16, 1)).astype(np.float32))
            for _ in range(n)]


def _swa_recipe(L, model, data, anneal_strategy, use_buffers):
    """The documentation's example: SGD under a cosine schedule, then SWA from epoch 3."""
    opt = L.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    swa_model = L.optim.swa_utils.AveragedModel(model, use_buffers=use_buffers)
    scheduler = L.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    swa_scheduler = L.optim.swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=3, anneal_strategy=anneal_strategy)
    rates = []
    for epoch in range(8):
        for x, y in data:
            opt.zero_grad()
            L.nn.functional.mse_loss(model(L.tensor(x)), L.tensor(y)).backward()
            opt.step()
        if epoch >= 3:
            swa_model.update_parameters(model)
            swa_scheduler.step()
        else:
            scheduler.step()
        rates.append(opt.param_groups[0]["lr"])
    L.optim.swa_utils.update_bn([L.tensor(x) for x, _ in data], swa_model)
    swa_model.eval()
    return rates, swa_model, swa_model(L.tensor(data[0][0]))


@pytest.mark.parametrize("anneal_strategy", ["cos", "linear"])
@pytest.mark.parametrize("use_buffers", [False, True])
def test_the_swa_recipe_matches_torch(anneal_strategy, use_buffers):
    mine, theirs = _pair()
    data = _data()
    rates_e, swa_e, out_e = _swa_recipe(ember, mine, data, anneal_strategy, use_buffers)
    rates_t, swa_t, out_t = _swa_recipe(torch, theirs, data, anneal_strategy, use_buffers)
    np.testing.assert_allclose(rates_e, rates_t, rtol=1e-12)
    assert int(swa_e.n_averaged) == int(swa_t.n_averaged) == 5
    state_t = swa_t.state_dict()
    assert list(swa_e.state_dict()) == list(state_t)
    for k, v in swa_e.state_dict().items():
        np.testing.assert_allclose(v.numpy(), state_t[k].numpy(), rtol=2e-4, atol=2e-5, err_msg=k)
    np.testing.assert_allclose(out_e.detach().numpy(), out_t.detach().numpy(), rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("how", ["ema_multi", "ema_avg", "swa_multi", "custom"])
def test_averaging_functions_match_torch(how):
    mine, theirs = _pair()

    def made(L):
        u = L.optim.swa_utils
        kw = {"ema_multi": dict(multi_avg_fn=u.get_ema_multi_avg_fn(0.9)),
              "ema_avg": dict(avg_fn=u.get_ema_avg_fn(0.8)), "swa_multi": dict(multi_avg_fn=u.get_swa_multi_avg_fn()),
              "custom": dict(avg_fn=lambda a, c, n: 0.5 * a + 0.5 * c)}[how]
        return kw

    avg_e = swa_utils.AveragedModel(mine, **made(ember))
    avg_t = torch.optim.swa_utils.AveragedModel(theirs, **made(torch))
    for step in range(4):
        for m, L in ((mine, ember), (theirs, torch)):
            with L.no_grad():
                for p in m.parameters():
                    p.mul_(1.1).add_(0.01 * (step + 1))
        avg_e.update_parameters(mine)
        avg_t.update_parameters(theirs)
    state_t = avg_t.state_dict()
    for k, v in avg_e.state_dict().items():
        np.testing.assert_allclose(v.numpy(), state_t[k].numpy(), rtol=1e-6, atol=1e-7, err_msg=k)


def test_the_averaged_model_is_a_copy_and_pickles():
    model = _model(ember)
    avg = swa_utils.AveragedModel(model)
    assert all(a is not b for a, b in zip(avg.module.parameters(), model.parameters()))
    avg.update_parameters(model)
    clone = copy.deepcopy(avg)
    assert int(clone.n_averaged) == 1 and ember.equal(clone.module[0].weight, avg.module[0].weight)
    avg.train()
    x = ember.randn(5, 4)
    assert ember.allclose(avg(x), avg.module(x))


def test_update_bn_without_batch_norms_does_nothing_and_keeps_modes():
    model = ember.nn.Sequential(ember.nn.Linear(2, 2))
    model.eval()
    swa_utils.update_bn([ember.randn(3, 2)], model)
    assert not model.training
    bn = ember.nn.BatchNorm1d(3, momentum=0.3)
    model = ember.nn.Sequential(bn)
    model.eval()
    swa_utils.update_bn([(ember.ones(4, 3), "label"), [ember.zeros(4, 3)]], model)
    assert not model.training and bn.momentum == 0.3
    np.testing.assert_allclose(bn.running_mean.numpy(), [0.5, 0.5, 0.5])  # the plain mean of the two batches


def test_swalr_rates_follow_torchs_formula_from_any_start():
    """After another schedule moved the rate, SWALR anneals from there, with no overwrite warning."""
    import warnings
    for strategy, f in (("cos", lambda t: (1 - math.cos(math.pi * t)) / 2), ("linear", lambda t: t)):
        opt = ember.optim.SGD(ember.nn.Linear(2, 1).parameters(), lr=1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sched = swa_utils.SWALR(opt, swa_lr=0.2, anneal_epochs=4, anneal_strategy=strategy)
            opt.param_groups[0]["lr"] = 0.6  # another schedule's doing
            rates = []
            for _ in range(6):
                opt.step()
                sched.step()
                rates.append(sched.get_last_lr()[0])
        start = (0.6 - f(0) * 0.2) / (1 - f(0))
        expected = [0.2 * f(min(1, s / 4)) + start * (1 - f(min(1, s / 4))) for s in range(1, 7)]
        # each step recovers the start rate from the last one: the closed form of a fixed start
        np.testing.assert_allclose(rates, expected, rtol=1e-12)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: swa_utils.SWALR(ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=0.1), 0.05,
                             anneal_strategy="step"), ValueError, "anneal_strategy"),
    (lambda: swa_utils.SWALR(ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=0.1), 0.05, anneal_epochs=-1),
     ValueError, "anneal_epochs"),
    (lambda: swa_utils.SWALR(ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=0.1), [0.05, 0.1]),
     ValueError, "swa_lr must have the same length"),
    (lambda: swa_utils.get_ema_multi_avg_fn(1.5), ValueError, "decay"),
    (lambda: swa_utils.AveragedModel(ember.nn.Linear(1, 1), avg_fn=lambda *a: a[0],
                                     multi_avg_fn=lambda *a: None), AssertionError, "Only one"),
])
def test_bad_arguments_raise_as_torch(call, exc, words):
    with pytest.raises(exc, match=words):
        call()

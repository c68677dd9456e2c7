"""ember.train.Monitor: statistics against NumPy, warnings on purpose-built sick networks, silence on
a healthy one, the NaN stop naming step and layer, the gradient-flow plot and hook removal."""
import math
import warnings

import ember
import ember.nn.functional as F
import numpy as np
import pytest
from ember import nn
from ember.train import Monitor, TrainingWarning


def batch(n=64, d=8, classes=3):
    return ember.randn(n, d), ember.randint(0, classes, (n,))


def mlp(*hidden, d=8, classes=3, act=nn.ReLU):
    layers, width = [], d
    for h in hidden:
        layers += [nn.Linear(width, h), act()]
        width = h
    return nn.Sequential(*layers, nn.Linear(width, classes))


def train(model, monitor, steps=5, lr=0.1, epochs=1, data=None):
    opt = ember.optim.SGD(model.parameters(), lr=lr)
    x, y = data or batch()
    for _ in range(epochs):
        for _ in range(steps):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            monitor.step(loss)
        monitor.end_epoch()


def caught_messages(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    assert all(w.category is TrainingWarning for w in caught), [str(w.message) for w in caught]
    return [str(w.message) for w in caught]


def test_statistics_match_numpy():
    ember.manual_seed(0)
    model = mlp(16, 16)
    monitor = Monitor(model, bins=7)
    outputs = {}
    handles = [m.register_forward_hook(lambda mod, args, out, name=name: outputs.__setitem__(name, out.detach().numpy().copy()))
               for name, m in model.named_modules() if name]
    x, y = batch()
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    before = {n: p.detach().numpy().copy() for n, p in model.named_parameters()}
    for step in range(2):
        if step == 1:
            before = {n: p.detach().numpy().copy() for n, p in model.named_parameters()}
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        record = monitor.step(loss)
    after = {n: p.detach().numpy() for n, p in model.named_parameters()}
    grads = {n: p.grad.numpy() for n, p in model.named_parameters()}

    assert record["step"] == 1 and record["loss"] == pytest.approx(float(loss))
    for layer in ("0", "2", "4"):
        names = [f"{layer}.weight", f"{layer}.bias"]
        expected = math.sqrt(sum(np.sum(grads[n].astype(np.float64) ** 2) for n in names))
        assert record["grad_norm"][layer] == pytest.approx(expected, rel=1e-5)
        change = math.sqrt(sum(np.sum((after[n] - before[n]).astype(np.float64) ** 2) for n in names))
        weight = math.sqrt(sum(np.sum(before[n].astype(np.float64) ** 2) for n in names))
        assert record["update_ratio"][layer] == pytest.approx(change / weight, rel=1e-4)
    assert list(record["grad_norm"]) == ["0", "2", "4"]            # forward order
    for layer in ("0", "1", "2", "3", "4"):
        assert record["act_mean"][layer] == pytest.approx(outputs[layer].mean(), rel=1e-4, abs=1e-6)
        assert record["act_std"][layer] == pytest.approx(outputs[layer].std(), rel=1e-4)
    assert "update_ratio" not in monitor.steps[0] or monitor.steps[0]["update_ratio"] == {}

    epoch = monitor.end_epoch()
    for layer in ("1", "3"):                                       # the ReLUs: units never active
        dead = float(np.mean(~(outputs[layer] > 0).any(axis=0)))
        assert epoch["dead_fraction"][layer] == pytest.approx(dead)
    counts, lo, hi = epoch["histograms"]["2"]
    assert (lo, hi) == pytest.approx((outputs["2"].min(), outputs["2"].max()))
    np_counts, _ = np.histogram(outputs["2"], bins=7, range=(lo, hi))
    assert np.abs(np.array(counts) - np_counts).sum() <= 2 and sum(counts) == outputs["2"].size
    for h in handles:
        h.remove()


def test_dead_units_accumulate_across_batches_and_channels():
    # A unit active in one batch only is alive over the epoch; conv units are channels.
    conv = nn.Conv2d(1, 4, 3)
    model = nn.Sequential(conv, nn.ReLU())
    with ember.no_grad():
        conv.weight.zero_()
        conv.bias.copy_(ember.tensor([1.0, -1.0, -1.0, -1.0]))
    monitor = Monitor(model)
    model(ember.randn(2, 1, 5, 5))
    with ember.no_grad():
        conv.bias.copy_(ember.tensor([-1.0, 1.0, -1.0, -1.0]))
    model(ember.randn(2, 1, 5, 5))
    with ember.no_grad():                                          # not counted: grad mode off
        conv.bias.fill_(1.0)
        model(ember.randn(2, 1, 5, 5))
    messages = caught_messages(lambda: monitor.end_epoch())
    assert monitor.epochs[0]["dead_fraction"] == {"1": 0.5} and messages == []
    monitor.dead_fraction = 0.4
    model(ember.randn(2, 1, 5, 5))                                 # all active now: a fresh epoch
    assert caught_messages(lambda: monitor.end_epoch()) == [] and monitor.epochs[1]["dead_fraction"] == {"1": 0.0}


def test_every_skips_activation_statistics_but_not_dead_units():
    ember.manual_seed(0)
    model = mlp(8, act=nn.Sigmoid)
    monitor = Monitor(model, every=2)
    train(model, monitor, steps=4)
    assert [sorted(s["act_mean"]) for s in monitor.steps] == [["0", "1", "2"], [], ["0", "1", "2"], []]
    assert [sorted(s["saturation"]) for s in monitor.steps] == [["1"], [], ["1"], []]
    assert all(len(s["grad_norm"]) == 2 for s in monitor.steps)


def test_vanishing_gradients_in_a_deep_sigmoid_stack():
    ember.manual_seed(0)
    model = mlp(*[32] * 9, act=nn.Sigmoid)
    monitor = Monitor(model)
    messages = caught_messages(lambda: train(model, monitor, steps=3))
    vanishing = [m for m in messages if "vanishing gradients" in m]
    assert vanishing and "layer '0' (Linear)" in vanishing[0]
    assert len(vanishing) == len(set(vanishing))                     # once per layer
    norms = monitor.steps[-1]["grad_norm"]
    assert norms["0"] < 1e-3 * norms["18"]


def test_dead_relu_from_a_large_negative_bias():
    ember.manual_seed(0)
    model = mlp(32)
    with ember.no_grad():
        model[0].bias.fill_(-10.0)
    monitor = Monitor(model)
    messages = caught_messages(lambda: train(model, monitor, steps=3, epochs=2))
    dead = [m for m in messages if "dead ReLU" in m]
    assert dead == ["Monitor: 100% of the units of layer '1' (ReLU) were never active during epoch 0 (dead ReLUs)"]


def test_saturated_tanh():
    ember.manual_seed(0)
    model = mlp(32, act=nn.Tanh)
    with ember.no_grad():
        model[0].weight.mul_(30.0)
    monitor = Monitor(model)
    messages = caught_messages(lambda: train(model, monitor, steps=2))
    assert any("outputs of layer '1' (Tanh) are saturated" in m for m in messages)
    assert monitor.steps[0]["saturation"]["1"] > 0.5


def test_saturated_sigmoid_fraction():
    model = nn.Sequential(nn.Sigmoid())
    monitor = Monitor(model, saturation_eps=0.1)
    model(ember.tensor([[-10.0, 0.0, 0.5, 10.0]], requires_grad=True))
    messages = caught_messages(lambda: monitor.step())
    assert monitor.steps[0]["saturation"] == {"0": 0.5} and messages == []


def test_exploding_gradients_then_nan_stop_from_a_huge_learning_rate():
    ember.manual_seed(0)
    model = mlp(32, 32)
    monitor = Monitor(model)
    with pytest.raises(RuntimeError, match=r"Monitor: .* at step \d+; .*layer '\d' \(Linear\)") as err:
        messages = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                train(model, monitor, steps=50, lr=1e4)
            finally:
                messages = [str(w.message) for w in caught]
    assert any("exploding gradients in layer" in m for m in messages)
    assert f"at step {len(monitor.steps)};" in str(err.value)          # the step that failed
    assert "detect_anomaly" in str(err.value)


def test_nan_loss_names_the_first_layer_with_non_finite_outputs():
    model = mlp(4, 4)
    monitor = Monitor(model)
    x, y = ember.randn(3, 8), ember.tensor([0, 1, 2])
    F.cross_entropy(model(x), y).backward()
    monitor.step()                                                 # step 0 is fine
    with ember.no_grad():
        model[2].weight[0, 0] = float("inf")                       # layer '2' overflows at step 1
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    with pytest.raises(RuntimeError, match=r"the loss is nan at step 1; non-finite values first appear in the "
                                           r"forward output of layer '2' \(Linear\)"):
        monitor.step(loss)


def test_a_model_that_is_one_layer_is_named_as_the_model():
    model = nn.Linear(8, 3)
    monitor = Monitor(model)
    with ember.no_grad():
        model.weight[0, 0] = float("inf")
    loss = F.cross_entropy(model(ember.randn(3, 8)), ember.tensor([0, 1, 2]))
    loss.backward()
    with pytest.raises(RuntimeError, match=r"forward output of the model \(Linear\)"):
        monitor.step(loss)


def test_non_finite_gradient_with_a_finite_loss():
    class SqrtOfZero(nn.Module):
        def forward(self, x):
            return (x * 0).sqrt() + x                  # finite forward, d sqrt at 0 is inf: NaN backward

    model = nn.Sequential(nn.Linear(4, 4), SqrtOfZero(), nn.Linear(4, 2))
    monitor = Monitor(model)
    loss = model(ember.randn(2, 4)).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match=r"the gradients are not finite at step 0; the forward activations are "
                                           r"finite; non-finite gradients first appear in layer '0' \(Linear\)"):
        monitor.step(loss)


def test_silent_on_a_healthy_network():
    ember.manual_seed(0)
    model = mlp(32, 32)
    monitor = Monitor(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train(model, monitor, steps=10, epochs=2)
    assert len(monitor.steps) == 20 and len(monitor.epochs) == 2
    second = monitor.steps[10:]
    assert monitor.epochs[1]["grad_norm"]["2"] == pytest.approx(sum(s["grad_norm"]["2"] for s in second) / 10)
    assert monitor.epochs[0]["update_ratio"]["0"] == pytest.approx(
        sum(s["update_ratio"]["0"] for s in monitor.steps[1:10]) / 9)
    assert monitor.steps[-1]["loss"] < monitor.steps[0]["loss"]


def test_callback_protocol_and_warnings_once():
    ember.manual_seed(0)
    model = mlp(16)
    with ember.no_grad():
        model[0].bias.fill_(-10.0)
    monitor = Monitor(model, vanish_ratio=0.0)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    x, y = batch()

    def run():
        monitor.on_train_begin()
        for epoch in range(2):
            for i in range(2):
                opt.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
                monitor.on_train_batch_end(i, {"loss": loss})
            monitor.on_epoch_end(epoch)
        monitor.on_train_end()

    assert len([m for m in caught_messages(run) if "dead" in m]) == 1
    assert [e["epoch"] for e in monitor.epochs] == [0, 1] and len(monitor.steps) == 4
    assert len([m for m in caught_messages(run) if "dead" in m]) == 1       # a new run warns again


def test_plot_grad_flow_writes_a_file(tmp_path):
    pytest.importorskip("matplotlib")
    ember.manual_seed(0)
    model = mlp(16, 16)
    monitor = Monitor(model)
    with pytest.raises(RuntimeError, match="no step recorded"):
        monitor.plot_grad_flow(tmp_path / "none.png")
    train(model, monitor, steps=3)
    path = tmp_path / "flow.png"
    fig = monitor.plot_grad_flow(path)
    assert path.stat().st_size > 1000 and path.read_bytes()[:4] == b"\x89PNG"
    assert [t.get_text() for t in fig.axes[-1].get_xticklabels()] == ["0", "2", "4"]


def test_plot_grad_flow_without_matplotlib(monkeypatch, tmp_path):
    import sys

    monitor = Monitor(mlp(4))
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        monitor.plot_grad_flow(tmp_path / "x.png")


def test_remove_detaches_every_hook():
    model = mlp(8, act=nn.Sigmoid)
    monitor = Monitor(model)
    model(ember.randn(2, 8))
    assert set(monitor._acts) == {"0", "1", "2"}
    monitor.step()
    monitor.remove()
    model(ember.randn(2, 8)).sum().backward()
    assert monitor._acts == {} and monitor._saturation == {} and monitor._last_out == {}
    assert monitor.step()["act_mean"] == {}


def test_bad_arguments():
    with pytest.raises(TypeError, match="Monitor: model must be an ember.nn.Module"):
        Monitor(lambda x: x)
    with pytest.raises(ValueError, match="Monitor: bins must be positive"):
        Monitor(mlp(4), bins=0)
    with pytest.raises(ValueError, match="Monitor: every must be positive"):
        Monitor(mlp(4), every=0)
    with pytest.raises(KeyError, match="no activation recorded"):
        Monitor(mlp(4)).histogram("0")

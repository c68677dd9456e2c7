"""ember.train.fit: its losses equal a hand-written loop's under the same seed, EarlyStopping stops
it, schedules step per epoch (per batch for OneCycleLR), metrics and callbacks see what they should,
and bad arguments raise clear errors."""
import ember
import ember.nn.functional as F
import pytest
from ember import data, metrics, nn, train
from ember.optim import lr_scheduler


def make_data(n=96, seed=0):
    g = ember.Generator().manual_seed(seed)
    x = ember.randn(n, 6, generator=g)
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).long() + (x[:, 3] > 0.8).long()  # 3 classes
    return data.TensorDataset(x, y)


def make_run(seed=0, batch_size=16):
    """A model with dropout (so the generator's use matters), its optimizer and a shuffled loader."""
    ember.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 3))
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loader = data.DataLoader(make_data(), batch_size=batch_size, shuffle=True,
                             generator=ember.Generator().manual_seed(seed))
    return model, opt, loader


def hand_loop(model, opt, loader, val_loader, epochs, scheduler=None, per_batch=False):
    steps, val = [], []
    for _ in range(epochs):
        model.train()
        for x, y in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            if per_batch:
                scheduler.step()
            steps.append(loss.item())
        model.eval()
        total, n = 0.0, 0
        with ember.no_grad():
            for x, y in val_loader:
                total += F.cross_entropy(model(x), y).item() * len(y)
                n += len(y)
        val.append(total / n)
        if scheduler is not None and not per_batch:
            scheduler.step()
    return steps, val


def test_fit_equals_a_hand_written_loop_exactly():
    val_loader = data.DataLoader(make_data(48, seed=1), batch_size=32)
    model, opt, loader = make_run()
    steps, val = hand_loop(model, opt, loader, val_loader, epochs=3)
    weights = [p.detach().clone() for p in model.parameters()]
    model, opt, loader = make_run()
    history = train.fit(model, opt, F.cross_entropy, loader, val_loader, epochs=3, progress=False)
    assert [s["loss"] for s in history.steps] == steps  # bit for bit
    assert history.epochs["val_loss"] == val
    assert len(steps) == 3 * 6 and len(set(steps)) > 10
    for a, b in zip(weights, model.parameters()):
        assert ember.equal(a, b)
    # the epoch loss is the sample-weighted mean of the steps (equal batches here)
    assert history.epochs["loss"][0] == pytest.approx(sum(steps[:6]) / 6, rel=1e-12)


def test_early_stopping_stops_fit():
    _, _, loader = make_run()
    model = nn.Sequential(nn.Linear(6, 3))  # lr 0 and no dropout: the loss never improves after epoch 0
    opt = ember.optim.SGD(model.parameters(), lr=0.0)
    stopper = train.EarlyStopping(monitor="loss", patience=1)
    history = train.fit(model, opt, F.cross_entropy, loader, epochs=10, callbacks=[stopper], progress=False)
    assert len(history.epochs["loss"]) == stopper.stopped_epoch + 1 <= 3  # patience 1: stops at epoch 1 or 2
    assert len(history.steps) == (stopper.stopped_epoch + 1) * len(loader)


def test_early_stopping_on_val_accuracy_restores_the_best_weights():
    val_loader = data.DataLoader(make_data(48, seed=1), batch_size=48)
    model, opt, loader = make_run()
    stopper = train.EarlyStopping(monitor="val_acc", mode="max", patience=2, restore_best_weights=True, model=model)
    history = train.fit(model, opt, F.cross_entropy, loader, val_loader, epochs=30, callbacks=[stopper],
                        metrics={"acc": metrics.Accuracy()}, progress=False)
    ran = len(history.epochs["val_acc"])
    assert ran < 30 and stopper.stopped_epoch == ran - 1
    model.eval()
    x, y = next(iter(val_loader))
    with ember.no_grad():
        assert metrics.accuracy_score(y, model(x).argmax(1)) == max(history.epochs["val_acc"])


def test_scheduler_steps_per_epoch():
    model, opt, loader = make_run()
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    history = train.fit(model, opt, F.cross_entropy, loader, epochs=3, scheduler=sched, progress=False)
    assert history.epochs["lr"] == [0.1, 0.05, 0.025]
    assert [s["lr"] for s in history.steps[:7]] == [0.1] * 6 + [0.05]
    assert sched.last_epoch == 3


def test_one_cycle_steps_per_batch_and_equals_the_hand_loop():
    val_loader = data.DataLoader(make_data(48, seed=1), batch_size=48)
    model, opt, loader = make_run()
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.5, epochs=3, steps_per_epoch=len(loader))
    steps, _ = hand_loop(model, opt, loader, val_loader, 3, sched, per_batch=True)
    model, opt, loader = make_run()
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.5, epochs=3, steps_per_epoch=len(loader))
    history = train.fit(model, opt, F.cross_entropy, loader, val_loader, epochs=3, scheduler=sched, progress=False)
    assert sched.last_epoch == 3 * len(loader)
    assert [s["loss"] for s in history.steps] == steps
    lrs = [s["lr"] for s in history.steps]
    assert lrs.index(max(lrs)) not in (0, len(lrs) - 1) and max(lrs) == pytest.approx(0.5, rel=0.02)
    # forcing per-epoch stepping: OneCycleLR then moves once per epoch
    model, opt, loader = make_run()
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=10)
    history = train.fit(model, opt, F.cross_entropy, loader, epochs=2, scheduler=sched, scheduler_step="epoch",
                        progress=False)
    assert sched.last_epoch == 2 and len({s["lr"] for s in history.steps[:6]}) == 1


def test_reduce_on_plateau_gets_the_validation_loss():
    _, _, loader = make_run()
    model = nn.Sequential(nn.Linear(6, 3))
    opt = ember.optim.SGD(model.parameters(), lr=0.0)
    seen = []

    class Spy(lr_scheduler.ReduceLROnPlateau):
        def step(self, metrics):
            seen.append(metrics)
            return super().step(metrics)

    sched = Spy(opt, patience=0)
    history = train.fit(model, opt, F.cross_entropy, loader, loader, epochs=2, scheduler=sched, progress=False)
    assert seen == history.epochs["val_loss"]


def test_metrics_and_callback_protocol():
    val_loader = data.DataLoader(make_data(48, seed=1), batch_size=20)
    model, opt, loader = make_run()
    calls = []

    class Recorder:
        def on_train_begin(self, logs=None):
            calls.append("begin")

        def on_train_batch_end(self, batch, logs=None):
            assert logs["loss"].ndim == 0
            calls.append(("batch", batch))

        def on_epoch_end(self, epoch, logs=None):
            calls.append(("epoch", epoch, sorted(logs)))

        def on_train_end(self, logs=None):
            calls.append("end")

    class OnlyEpochs:  # the hooks are optional
        def on_epoch_end(self, epoch, logs=None):
            return False

    history = train.fit(model, opt, F.cross_entropy, loader, val_loader, epochs=2, progress=False,
                        metrics={"acc": metrics.Accuracy(), "f1": metrics.F1Score(num_classes=3, average="macro")},
                        callbacks=[Recorder(), OnlyEpochs()])
    keys = ["acc", "f1", "loss", "lr", "val_acc", "val_f1", "val_loss"]
    assert calls == ["begin", *[("batch", b) for b in range(6)], ("epoch", 0, keys),
                     *[("batch", b) for b in range(6)], ("epoch", 1, keys), "end"]
    model.eval()
    with ember.no_grad():
        x, y = data.default_collate([make_data(48, seed=1)[i] for i in range(48)])
        pred = model(x).argmax(1)
    assert history.epochs["val_acc"][-1] == metrics.accuracy_score(y, pred)
    assert history.epochs["val_f1"][-1] == pytest.approx(metrics.f1_score(y, pred, average="macro", labels=[0, 1, 2]))
    assert 0.0 <= history.epochs["acc"][0] <= 1.0


def test_monitor_runs_as_a_callback():
    model, opt, loader = make_run()
    monitor = train.Monitor(model)
    train.fit(model, opt, F.cross_entropy, loader, epochs=1, callbacks=[monitor], progress=False)
    assert len(monitor.steps) == len(loader)


def test_progress_bar_draws_when_forced(capsys):
    model, opt, loader = make_run()
    train.fit(model, opt, F.cross_entropy, loader, epochs=1, progress=True, metrics={"acc": metrics.Accuracy()})
    err = capsys.readouterr().err
    assert "epoch 0" in err and "acc=" in err  # the epoch's line ends with its metrics


def _resumable(directory, stopper):
    """A run whose whole state a Checkpoint saves each epoch (the stopper's counters included)."""
    model, opt, loader = make_run()
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
    ckpt = train.Checkpoint(directory, model=model, optimizer=opt, scheduler=sched, generators={"loader": loader.generator},
                            objects={"stopper": stopper}, keep_last_n=2)
    return model, opt, loader, sched, ckpt


def test_fit_resumes_from_a_checkpoint_with_initial_epoch(tmp_path):
    """Stopped after epoch 1 of 4 and resumed in fresh objects, fit gives the uninterrupted run's
    losses bit for bit; the checkpoint files keep their epoch numbers (and keep_last_n keeps the
    newest); EarlyStopping carries on from the state the checkpoint restored."""
    whole = train.EarlyStopping(monitor="loss", patience=5)
    model, opt, loader, sched, ckpt = _resumable(tmp_path / "whole", whole)
    full = train.fit(model, opt, F.cross_entropy, loader, epochs=4, scheduler=sched, callbacks=[whole, ckpt],
                     progress=False)
    first = train.EarlyStopping(monitor="loss", patience=5)
    model, opt, loader, sched, ckpt = _resumable(tmp_path / "cut", first)
    part = train.fit(model, opt, F.cross_entropy, loader, epochs=2, scheduler=sched, callbacks=[first, ckpt],
                     progress=False)
    stopper = train.EarlyStopping(monitor="loss", patience=5)
    model, opt, loader, sched, ckpt = _resumable(tmp_path / "cut", stopper)
    start = ckpt.resume()
    assert start == 2 and stopper.epoch == 1
    rest = train.fit(model, opt, F.cross_entropy, loader, epochs=4, initial_epoch=start, scheduler=sched,
                     callbacks=[stopper, ckpt], progress=False)
    assert [s["loss"] for s in part.steps + rest.steps] == [s["loss"] for s in full.steps]
    assert part.epochs["loss"] + rest.epochs["loss"] == full.epochs["loss"]
    assert sorted(p.name for p in (tmp_path / "cut").iterdir()) == ["epoch-0002.safetensors", "epoch-0003.safetensors"]
    assert (stopper.epoch, stopper.best, stopper.best_epoch, stopper.wait) == (whole.epoch, whole.best,
                                                                               whole.best_epoch, whole.wait)
    assert ckpt.resume() == 4


def test_early_stopping_takes_fit_s_model():
    """restore_best_weights needs no model= as a fit callback: fit hands its model over."""
    val_loader = data.DataLoader(make_data(48, seed=1), batch_size=48)
    model, opt, loader = make_run()
    stopper = train.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    train.fit(model, opt, F.cross_entropy, loader, val_loader, epochs=3, callbacks=[stopper], progress=False)
    assert stopper.model is model and stopper.best_state is not None


def test_a_metric_that_is_not_one_number_is_named():
    model, opt, loader = make_run()
    with pytest.raises(ValueError, match=r"fit: metrics\['cm'\] \(ConfusionMatrix.*shape \(3, 3\)"):
        train.fit(model, opt, F.cross_entropy, loader, epochs=1, metrics={"cm": metrics.ConfusionMatrix(3)},
                  progress=False)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"epochs": 0}, ValueError, "fit: epochs must be an int >= 1"),
    ({"epochs": 2.0}, ValueError, "fit: epochs must be an int >= 1"),
    ({"initial_epoch": 2}, ValueError, r"fit: initial_epoch must be an int in \[0, epochs=1\]"),
    ({"initial_epoch": -1}, ValueError, "fit: initial_epoch must be an int in"),
    ({"scheduler_step": "step"}, ValueError, "fit: scheduler_step must be 'batch', 'epoch' or None"),
    ({"metrics": [metrics.Accuracy()]}, TypeError, "fit: metrics must be a dict"),
    ({"metrics": {"acc": "accuracy"}}, TypeError, r"fit: metrics\['acc'\] must have update, compute and reset"),
    ({"train_loader": []}, ValueError, "fit: train_loader yielded no batches"),
])
def test_bad_arguments(kwargs, error, message):
    model, opt, loader = make_run()
    args = {"train_loader": loader, **kwargs}
    with pytest.raises(error, match=message):
        train.fit(model, opt, F.cross_entropy, progress=False, **args)

"""Checkpoint: a run stopped after epoch k and resumed in fresh objects gives bit-identical losses
to an uninterrupted one; rotation (keep_last_n, keep_best); a save killed mid-write leaves the
previous checkpoint intact."""
import os
import random
import resource
import signal
import subprocess
import sys
import textwrap

import ember
import numpy as np
import pytest
from ember.train import Checkpoint, EarlyStopping

EPOCHS = 4


def make_run(kind):
    """Fresh model, optimizer, scheduler and shuffled loader, built from seed 0 as a script would."""
    ember.manual_seed(0)
    data = np.random.default_rng(0)
    x = ember.tensor(data.standard_normal((48, 6)).astype(np.float32))
    y = ember.tensor(data.integers(0, 3, 48))
    model = ember.nn.Sequential(ember.nn.Linear(6, 16), ember.nn.ReLU(), ember.nn.Dropout(0.3), ember.nn.Linear(16, 3))
    g = ember.Generator().manual_seed(1)
    loader = ember.data.DataLoader(ember.data.TensorDataset(x, y), batch_size=8, shuffle=True, generator=g)
    if kind == "sgd":
        opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        sched = ember.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    else:
        opt = ember.optim.Adam(model.parameters(), lr=0.01)
        sched = ember.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=EPOCHS * len(loader))
    return model, opt, sched, loader, g


def train(kind, folder=None, stop_after=None, resume=False):
    """The losses of each step, from the epoch the run starts at to EPOCHS or stop_after."""
    model, opt, sched, loader, g = make_run(kind)
    ckpt = None if folder is None else Checkpoint(folder, model=model, optimizer=opt, scheduler=sched,
                                                  generators={"loader": g}, monitor="loss", keep_last_n=2)
    start = ckpt.resume() if resume else 0
    losses = []
    for epoch in range(start, EPOCHS):
        model.train()
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = ember.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            if kind == "adam":
                sched.step()
            losses.append(loss.item())
            total += loss.item()
        if kind == "sgd":
            sched.step()
        if ckpt is not None:
            ckpt.save(epoch, {"loss": total})
        if epoch == stop_after:
            break
    return losses


@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_resume_is_bit_identical_at_every_epoch(kind, tmp_path):
    reference = train(kind)
    steps = len(reference) // EPOCHS
    for k in range(EPOCHS - 1):
        folder = tmp_path / f"{kind}-{k}"
        first = train(kind, folder, stop_after=k)
        ember.manual_seed(999)  # the resumed process starts elsewhere: the checkpoint must set it
        random.seed(999)
        rest = train(kind, folder, resume=True)
        assert first + rest == reference, f"resumed after epoch {k}"
        assert len(rest) == (EPOCHS - 1 - k) * steps


def test_without_the_generator_state_resume_differs(tmp_path):
    # the loader's generator is what makes the shuffle resumable: leaving it out must show
    reference = train("sgd")
    train("sgd", tmp_path, stop_after=0)
    model, opt, sched, loader, _ = make_run("sgd")
    Checkpoint(tmp_path, model=model, optimizer=opt, scheduler=sched).resume()
    first_batch = next(iter(loader))
    model2, opt2, sched2, loader2, g2 = make_run("sgd")
    Checkpoint(tmp_path, model=model2, optimizer=opt2, scheduler=sched2, generators={"loader": g2}).resume()
    assert not ember.equal(first_batch[0], next(iter(loader2))[0])
    assert len(reference) == EPOCHS * 6


def test_state_holds_everything(tmp_path):
    model, opt, sched, _, g = make_run("sgd")
    stopper = EarlyStopping(monitor="loss", patience=3, restore_best_weights=True, model=model)
    stopper.step(2.0)
    ckpt = Checkpoint(tmp_path / "run.safetensors", model=model, optimizer=opt, scheduler=sched,
                      generators=[g], objects={"stopper": stopper})
    opt.zero_grad()
    model(ember.randn(2, 6)).sum().backward()
    opt.step()
    path = ckpt.save(5, {"loss": ember.tensor(0.5)})
    assert path == str(tmp_path / "run.safetensors") and ckpt.files() == [path]
    raw = ember.load(path)
    assert raw["epoch"] == 5 and raw["logs"] == {"loss": 0.5}
    assert isinstance(raw["optimizer"]["state"][0]["momentum_buffer"], ember.Tensor)
    assert set(raw["rng"]) == {"default", "python", "numpy", "generators"}
    # the tensors are stored under stable dotted names
    flat = ember.load(path)  # same file, read again
    assert ember.equal(flat["model"]["0.weight"], model.state_dict()["0.weight"])
    stopper.step(9.0)
    model2, opt2, sched2, _, g2 = make_run("sgd")
    stopper2 = EarlyStopping(monitor="loss", patience=3)
    c2 = Checkpoint(tmp_path / "run.safetensors", model=model2, optimizer=opt2, scheduler=sched2,
                    generators=[g2], objects={"stopper": stopper2})
    assert c2.resume() == 6
    assert stopper2.best == 2.0 and stopper2.wait == 0
    assert ember.equal(stopper2.best_state["0.weight"], stopper.best_state["0.weight"])
    assert ember.equal(model2.state_dict()["0.weight"], model.state_dict()["0.weight"])
    assert ember.equal(opt2.state_dict()["state"][0]["momentum_buffer"], opt.state_dict()["state"][0]["momentum_buffer"])
    assert ember.equal(g2.get_state(), g.get_state())


def test_keep_last_n_and_keep_best(tmp_path):
    model = ember.nn.Linear(2, 1)
    ckpt = Checkpoint(tmp_path, model=model, monitor="val_loss", keep_last_n=2, keep_best=True)
    for epoch, v in enumerate([0.9, 0.3, 0.5, 0.6, 0.7]):
        ckpt.save(epoch, {"val_loss": v})
    names = sorted(os.listdir(tmp_path))
    assert names == ["epoch-0001.safetensors", "epoch-0003.safetensors", "epoch-0004.safetensors"]
    assert ckpt.best == 0.3 and ckpt.best_path.endswith("epoch-0001.safetensors")
    assert ckpt.load("best")["epoch"] == 1 and ckpt.load()["epoch"] == 4
    # a new Checkpoint on the folder picks the best up from the newest file
    again = Checkpoint(tmp_path, model=ember.nn.Linear(2, 1), monitor="val_loss", keep_last_n=2, keep_best=True)
    assert again.resume() == 5 and again.best == 0.3
    again.save(5, {"val_loss": 0.1})
    assert sorted(os.listdir(tmp_path)) == ["epoch-0004.safetensors", "epoch-0005.safetensors"]


def test_bad_arguments():
    with pytest.raises(ValueError, match="^Checkpoint: keep_last_n"):
        Checkpoint("d", keep_last_n=0)
    with pytest.raises(ValueError, match="^Checkpoint: keep_best needs monitor"):
        Checkpoint("d", keep_best=True)
    with pytest.raises(ValueError, match="^Checkpoint: mode"):
        Checkpoint("d", monitor="loss", mode="up")
    with pytest.raises(TypeError, match="generators"):
        Checkpoint("d", generators={"g": 3})


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        Checkpoint(tmp_path).load()
    other = tmp_path / "other.safetensors"
    ember.save({"w": ember.ones(2)}, other)
    with pytest.raises(ValueError, match="not a checkpoint"):
        Checkpoint(other).load()
    ckpt = Checkpoint(tmp_path / "c.safetensors", model=ember.nn.Linear(1, 1))
    ckpt.save(0)
    with pytest.raises(KeyError, match="no optimizer"):
        Checkpoint(tmp_path / "c.safetensors", model=ember.nn.Linear(1, 1),
                   optimizer=ember.optim.SGD(ember.nn.Linear(1, 1).parameters(), lr=0.1)).resume()


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE (POSIX)")
def test_a_save_killed_mid_write_leaves_the_previous_checkpoint(tmp_path):
    model = ember.nn.Linear(4, 4)
    Checkpoint(tmp_path, model=model).save(0)
    before = sorted(os.listdir(tmp_path))
    # The child dies of SIGXFSZ while writing (the file-size limit is below the checkpoint's size;
    # Python ignores the signal by default, the child restores its default action: death).
    script = textwrap.dedent(f"""
        import signal
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        import ember
        from ember.train import Checkpoint
        model = ember.nn.Linear(1024, 1024)
        Checkpoint({str(tmp_path)!r}, model=model, keep_last_n=1).save(1)
    """)

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    done = subprocess.run([sys.executable, "-c", script], preexec_fn=limit, capture_output=True, check=False)
    assert done.returncode == -signal.SIGXFSZ, done.stderr.decode()[-2000:]
    assert sorted(os.listdir(tmp_path)) == before  # no partial file, no temporary left in view
    ckpt = Checkpoint(tmp_path, model=ember.nn.Linear(4, 4))
    assert ckpt.resume() == 1
    assert ember.equal(ckpt.model.weight, model.weight)

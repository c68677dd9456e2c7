"""History records, CSV and plots; progress bars."""
import csv
import io
import math

import ember
import numpy as np
import pytest
from ember.train import History, progress


def filled():
    h = History()
    for epoch in range(3):
        for step in range(4):
            h.log(loss=ember.tensor(1.0 / (1 + step + epoch)), lr=0.1 * 0.5 ** epoch)
        h.end_epoch(val_loss=0.9 - 0.1 * epoch, accuracy=0.6 + 0.1 * epoch, val_accuracy=0.55 + 0.1 * epoch)
    return h


def test_records():
    h = filled()
    assert len(h.steps) == 12 and h.steps[5] == {"step": 5, "epoch": 1, "loss": pytest.approx(1.0 / 3), "lr": 0.05}
    assert h.epochs["loss"][0] == pytest.approx(np.mean([1, 1 / 2, 1 / 3, 1 / 4]))
    assert h.epochs["lr"] == [0.1, 0.05, 0.025]
    assert h.epochs["val_loss"] == pytest.approx([0.9, 0.8, 0.7])
    h.end_epoch(test_score=1.0)  # a new name: earlier epochs get NaN, unlogged names too
    assert len(h.epochs["test_score"]) == 4 and math.isnan(h.epochs["test_score"][0])
    assert math.isnan(h.epochs["loss"][3])
    assert all(len(v) == 4 for v in h.epochs.values())


def test_callback_and_steps_numbering():
    h = History()
    h.log(step=100, loss=1.0)
    h.log(loss=2.0)
    assert [s["step"] for s in h.steps] == [100, 101]
    h.on_epoch_end(0, {"val_loss": 0.5})
    assert h.epochs == {"loss": [1.5], "val_loss": [0.5]}


def test_to_csv(tmp_path):
    h = filled()
    with open(h.to_csv(tmp_path / "e.csv")) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 and rows[2]["epoch"] == "2" and float(rows[1]["val_loss"]) == pytest.approx(0.8)
    with open(h.to_csv(tmp_path / "s.csv", per="step")) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 12 and set(rows[0]) == {"step", "epoch", "loss", "lr"}
    with pytest.raises(ValueError, match="per must be"):
        h.to_csv(tmp_path / "x.csv", per="batch")


def test_plot_writes_pngs(tmp_path):
    pytest.importorskip("matplotlib")
    h = filled()
    fpr, tpr = np.array([0, 0.1, 0.5, 1]), np.array([0, 0.6, 0.9, 1])
    paths = h.plot(tmp_path / "plots", roc=(fpr, tpr, None), pr={"model": ([1, 0.8, 0.6], [0, 0.5, 1])})
    names = sorted(p.rsplit("/", 1)[-1] for p in paths)
    assert names == ["accuracy.png", "loss.png", "lr.png", "pr.png", "roc.png"]
    for p in paths:
        with open(p, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="differ in length"):
        h.plot(tmp_path, roc=([0, 1], [0, 0.5, 1]))


def test_plot_without_matplotlib_names_the_install(monkeypatch, tmp_path):
    import builtins

    real = builtins.__import__

    def no_matplotlib(name, *args, **kw):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(name)
        return real(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        filled().plot(tmp_path)


@pytest.mark.parametrize("use_tqdm", [False, None])
def test_progress_silent_off_a_terminal(use_tqdm):
    out = io.StringIO()
    bar = progress(range(5), desc="train", file=out, use_tqdm=use_tqdm)
    seen = []
    for i in bar:
        bar.set_postfix(loss=ember.tensor(0.5), acc=0.9)
        seen.append(i)
    assert seen == list(range(5)) and out.getvalue() == ""


def test_plain_progress_draws_count_rate_and_values():
    out = io.StringIO()
    bar = progress(range(5), desc="train", file=out, disable=False, use_tqdm=False)
    bar.mininterval = 0
    for _ in bar:
        bar.set_postfix(loss=0.25)
    text = out.getvalue()
    assert "train: 5/5" in text and "it/s" in text and "loss=0.25" in text and text.endswith("\n")


def test_tqdm_progress_when_forced_on():
    pytest.importorskip("tqdm")
    out = io.StringIO()
    bar = progress(range(3), desc="train", file=out, disable=False, use_tqdm=True)
    for _ in bar:
        bar.set_postfix(loss=0.5)
    bar.close()
    assert "3/3" in out.getvalue() and "loss=0.5" in out.getvalue()

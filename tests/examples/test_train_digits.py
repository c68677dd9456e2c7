"""examples/train_digits.py and train_breast_cancer.py run end to end in ``--quick`` mode in a
subprocess (as a user runs them): they train, report the test set (accuracy above a bar, a 10x10
confusion matrix whose rows sum to the class counts, the per-class report; AUC and AP for the
binary one) and write the history CSV (and plots when matplotlib is installed)."""
import pathlib
import re
import subprocess
import sys

import pytest

pytest.importorskip("sklearn")
EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def run_example(name, out_dir):
    done = subprocess.run([sys.executable, str(EXAMPLES / name), "--quick", "--out", str(out_dir)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
    assert "\r" not in done.stdout + done.stderr  # not a terminal: no progress bar redraws
    return done.stdout


def check_outputs(out, out_dir, plots, columns):
    header = (out_dir / "history.csv").read_text().splitlines()[0].split(",")
    assert {"epoch", "loss", "val_loss", "lr", *columns} <= set(header), header
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "no plots:" in out
        return
    for name in plots:
        assert (out_dir / name).stat().st_size > 1000, name


def test_train_digits_quick(tmp_path):
    out = run_example("train_digits.py", tmp_path)
    assert re.search(r"1079 train / 359 val / 359 test images", out), out
    accuracy = float(re.search(r"test accuracy (\S+)", out).group(1))
    assert accuracy >= 0.85, out  # 8 epochs (0.91 here); the full run reaches >= 0.98
    rows = re.findall(r"^\s*(\d)\s+((?:\s*\d+){10})$", out, re.MULTILINE)
    assert [int(r[0]) for r in rows] == list(range(10)), out
    counts = [sum(int(v) for v in r[1].split()) for r in rows]
    assert sum(counts) == 359 and min(counts) >= 35, counts  # stratified: 35-37 per digit
    assert re.search(r"macro avg\s+0\.[89]\d\d", out), out
    check_outputs(out, tmp_path, ["loss.png", "accuracy.png", "lr.png"], ["accuracy", "val_accuracy"])


def test_train_breast_cancer_quick(tmp_path):
    out = run_example("train_breast_cancer.py", tmp_path)
    auc = float(re.search(r"ROC AUC (\S+)", out).group(1))
    ap = float(re.search(r"average precision (\S+)", out).group(1))
    accuracy = float(re.search(r"test accuracy (\S+)", out).group(1))
    assert auc > 0.97 and ap > 0.97 and accuracy > 0.9, out
    assert "malignant" in out and "benign" in out
    check_outputs(out, tmp_path, ["loss.png", "roc.png", "pr.png"], [])

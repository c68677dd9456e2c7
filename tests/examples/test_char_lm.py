"""examples/char_lm.py runs end to end: ``--quick`` in a subprocess (as a user runs it) finishes,
reports a finite validation perplexity that beats guessing uniformly over the vocabulary, its
throughput, and two samples that continue the prompt; the same with ``--torch``."""
import math
import pathlib
import re
import subprocess
import sys

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "char_lm.py"


def run_example(*flags):
    done = subprocess.run([sys.executable, str(EXAMPLE), "--quick", "--threads", "1", *flags],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"char_lm.py failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def check_output(out):
    vocab = int(re.search(r"vocabulary (\d+)", out).group(1))
    assert 50 <= vocab <= 120, out  # Python source: ASCII plus a few rare characters
    ppl = [float(p) for p in re.findall(r"perplexity (\S+) \|", out)]
    assert len(ppl) == 1, out  # one epoch in --quick
    assert math.isfinite(ppl[0]) and 1.0 < ppl[0] < 0.5 * vocab, out  # it learned something
    rate = re.search(r"trained 1 epochs in \S+ s: ([\d,]+) tokens/s", out)
    assert rate and int(rate.group(1).replace(",", "")) > 0, out
    samples = re.split(r"\n--- sample, temperature (\S+) ---\n", out)
    assert samples[1::2] == ["0.5", "1.0"], out
    for body in samples[2::2]:
        assert body.startswith("def ") and len(body) >= len("def ") + 80, out  # prompt + 80 drawn
    assert samples[4].strip() != "def", out  # at temperature 1 not only whitespace is drawn
    # Not a terminal: no progress bar redraws in the captured output.
    assert "\r" not in out


def test_char_lm_quick():
    check_output(run_example())


def test_char_lm_quick_same_seed_same_output():
    first, second = run_example("--seed", "3"), run_example("--seed", "3")
    strip = lambda s: re.sub(r"[\d.]+ s, [\d,]+ tokens/s|in \S+ s: [\d,]+ tokens/s", "", s)
    assert strip(first) == strip(second)


def test_char_lm_quick_with_torch():
    pytest.importorskip("torch")
    check_output(run_example("--torch"))

"""examples/tour.py, the README's demo, runs as a new user runs it (--quick: a small matmul)."""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def test_tour_runs_and_trains():
    tour = os.path.join(HERE, "..", "..", "examples", "tour.py")
    run = subprocess.run([sys.executable, tour, "--quick"], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    out = run.stdout
    losses = [float(x) for x in re.findall(r"step +\d+: loss ([0-9.]+)", out)]
    assert len(losses) == 4 and losses[-1] < 0.1 * losses[0], out
    assert "restored model gives the same outputs: True" in out, out
    gflops = [float(x) for x in re.findall(r"(?:ember|numpy) +([0-9.]+) GFLOPS", out)]
    assert len(gflops) == 2 and all(g > 0 for g in gflops), out

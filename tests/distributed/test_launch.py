"""Launching: ``python -m ember.distributed.run -n 2`` starts 2 ranks that see each other, and a
Checkpoint saved by a 2-rank run is written by rank 0 alone and resumes in one process."""
import os
import subprocess
import sys

import ember
import numpy as np
import pytest
from ember.train import Checkpoint
from mpi_helpers import HERE, run_ranks


def test_launcher_starts_two_ranks():
    pytest.importorskip("mpi4py")
    from ember.distributed.run import find_mpirun

    if find_mpirun() is None:
        pytest.skip("no mpirun")
    env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
    done = subprocess.run([sys.executable, "-m", "ember.distributed.run", "-n", "2", str(HERE / "rank_hello.py")],
                          capture_output=True, text=True, timeout=60, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(done.stdout.split("\n"))[-2:] == ["rank 0 of 2: 2", "rank 1 of 2: 2"], done.stdout


def test_launcher_rejects_bad_arguments():
    done = subprocess.run([sys.executable, "-m", "ember.distributed.run", "--mpirun", "", "-n", "0", "x.py"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "nproc must be an int >= 1, got 0" in done.stderr, done.stderr


def test_checkpoint_is_written_by_rank_0_and_resumes_on_one_process(tmp_path):
    done = run_ranks("rank_checkpoint.py", tmp_path, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = sorted(line for line in done.stdout.splitlines() if " wrote " in line)
    assert lines == ["rank 0 wrote ['epoch-0000.safetensors', 'epoch-0001.safetensors']", "rank 1 wrote []"], lines
    assert sorted(os.listdir(tmp_path)) == ["epoch-0001.safetensors"]
    # a different world size: one process resumes the 2-rank run where it ended
    ember.manual_seed(0)
    model = ember.nn.Linear(3, 2)
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        model(ember.ones(4, 3)).sum().backward()
        opt.step()
    fresh = ember.nn.Linear(3, 2)
    fresh_opt = ember.optim.SGD(fresh.parameters(), lr=0.1, momentum=0.9)
    assert Checkpoint(tmp_path, model=fresh, optimizer=fresh_opt).resume() == 2
    for a, b in zip(model.parameters(), fresh.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert fresh_opt.state_dict()["state"].keys() == opt.state_dict()["state"].keys()


def test_train_digits_example_runs_on_two_ranks(tmp_path):
    pytest.importorskip("sklearn")
    example = HERE.parents[1] / "examples" / "train_digits.py"
    done = run_ranks(example, "--distributed", "--quick", "--epochs", "4", "--threads", "1", "--out", tmp_path,
                        timeout=120)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "distributed: 2 ranks, 17 batches of 32 per rank and epoch" in out, out  # 1079 images / 2 / 32
    assert out.count("test accuracy") == 1 and out.count("val_loss") == 4, out  # rank 0 alone reports
    assert float(out.split("test accuracy ")[1].split()[0]) >= 0.5, out  # 10 classes: chance is 0.1
    assert (tmp_path / "history.csv").exists()

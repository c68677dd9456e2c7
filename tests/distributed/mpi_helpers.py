"""Runs a script as MPI ranks for the tests: ``run_ranks(script, n=2)`` launches it with the
mpirun beside this Python (ember.distributed.run finds it) and a timeout, and skips the calling
test cleanly when mpi4py or mpirun is absent. The scripts live beside the tests, named rank_*.py
so pytest does not collect them."""
import os
import pathlib
import signal
import subprocess

import pytest

HERE = pathlib.Path(__file__).resolve().parent


def run_ranks(script, *args, n=2, timeout=60, env=None):
    """Runs ``python script args`` as ``n`` ranks; returns the CompletedProcess (output as text).
    A job that outlives ``timeout`` fails the test (it must never hang)."""
    pytest.importorskip("mpi4py")
    from ember.distributed.run import find_mpirun, mpirun_command

    if find_mpirun() is None:
        pytest.skip("no mpirun beside Python or on PATH")
    full_env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
                "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", **(env or {})}
    cmd = mpirun_command(n, [str(HERE / script), *map(str, args)])  # an absolute script path stays as it is
    # A session of its own, so that a hung job is killed whole (mpirun and its ranks).
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full_env,
                          start_new_session=True) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            pytest.fail(f"{script} under mpirun -n {n} hung past {timeout} s:\n{out}\n{err}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def assert_ranks_passed(done, at_least, n=2, same_count=True):
    """The job ran cleanly and each of its n ranks printed "rank R: N checks passed" with N >
    at_least, the same N on every rank unless ``same_count`` is False (rooted collectives check
    their results on the root only)."""
    assert done.returncode == 0, done.stdout + done.stderr
    lines = sorted(line for line in done.stdout.splitlines() if "checks passed" in line)
    assert [line.split(":")[0] for line in lines] == [f"rank {r}" for r in range(n)], done.stdout
    counts = [int(line.split()[2]) for line in lines]
    assert min(counts) > at_least and (not same_count or len(set(counts)) == 1), lines

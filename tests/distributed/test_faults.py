"""Faults end a 2-rank job instead of hanging it: a collective that a rank skips raises within the
group's timeout (naming the op, rank and timeout), and a rank that raises aborts the others."""
from mpi_helpers import run_ranks


def failed_job(script):
    """The output of a job that must fail (nonzero exit) and end by itself: run_ranks fails the test
    when it outlives 30 s, a quarter of what the job would take if nothing stopped it (rank_timeout's
    rank 1 sleeps 120 s; rank_crash's rank 0 waits on a 60 s all_reduce timeout)."""
    done = run_ranks(script, timeout=30)
    out = done.stdout + done.stderr
    assert done.returncode != 0, out
    return out


def test_a_skipped_collective_times_out_and_the_job_ends():
    out = failed_job("rank_timeout.py")
    assert "all_reduce: rank 0 timed out after 0:00:02" in out, out
    assert "barrier: the process group is unusable after an earlier failure" in out, out
    assert "ember.distributed: rank 0 raised RuntimeError; aborting the MPI job" in out, out
    caught = float(out.split("caught after ")[1].split(" s")[0])
    assert caught >= 2.0, out  # not given up before the group's 2 s timeout


def test_a_crashing_rank_ends_the_job_within_the_timeout():
    out = failed_job("rank_crash.py")
    assert "ValueError: rank 1 fails on purpose" in out, out
    assert "ember.distributed: rank 1 raised ValueError; aborting the MPI job" in out, out
    assert "rank 0 passed the all_reduce" not in out, out

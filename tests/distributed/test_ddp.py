"""DistributedDataParallel and SyncBatchNorm over 2 MPI ranks against single-process training on
the concatenated batch: MLP and CNN (BatchNorm -> SyncBatchNorm) over 20 steps with SGD and Adam,
buckets of several sizes, no_sync accumulation, unused parameters (rank_ddp.py holds the checks;
one job runs them all)."""
from mpi_helpers import run_ranks


def test_ddp_equals_single_process_on_two_ranks():
    done, _ = run_ranks("rank_ddp.py", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = sorted(line for line in done.stdout.splitlines() if "checks passed" in line)
    assert len(lines) == 2 and lines[0].startswith("rank 0:") and lines[1].startswith("rank 1:"), done.stdout
    assert int(lines[0].split()[2]) == int(lines[1].split()[2]) > 60, lines

"""DistributedDataParallel and SyncBatchNorm over 2 MPI ranks against single-process training on
the concatenated batch: MLP and CNN (BatchNorm -> SyncBatchNorm) over 20 steps with SGD and Adam,
buckets of several sizes, no_sync accumulation, unused parameters (rank_ddp.py holds the checks;
one job runs them all)."""
from mpi_helpers import assert_ranks_passed, run_ranks


def test_ddp_equals_single_process_on_two_ranks():
    done = run_ranks("rank_ddp.py", timeout=120)
    assert_ranks_passed(done, 60)

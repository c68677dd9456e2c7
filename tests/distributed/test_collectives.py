"""The collectives over 2 MPI ranks against NumPy: every op and dtype, broadcast from each rank,
the gathers and reduce-scatters, async Work waited out of order, barrier, views written back, zero
copies, argument errors, and ranks that disagree on a size (rank_collectives.py holds the checks;
one job runs them all)."""
from mpi_helpers import assert_ranks_passed, run_ranks


def test_collectives_match_numpy_on_two_ranks():
    done = run_ranks("rank_collectives.py", timeout=90)
    assert_ranks_passed(done, 150)

"""Subgroups, the rooted collectives, all-to-all, point-to-point messages and the object collectives
over 3 MPI ranks (rank_groups.py holds the checks; one job runs them all)."""
from mpi_helpers import assert_ranks_passed, run_ranks


def test_groups_and_point_to_point_on_three_ranks():
    done = run_ranks("rank_groups.py", n=3, timeout=120)
    assert_ranks_passed(done, 80, n=3, same_count=False)

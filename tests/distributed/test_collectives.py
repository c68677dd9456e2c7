"""The collectives over 2 MPI ranks against NumPy: every op and dtype, broadcast from each rank,
the gathers and reduce-scatters, async Work waited out of order, barrier, views written back, zero
copies, argument errors, and ranks that disagree on a size (rank_collectives.py holds the checks;
one job runs them all)."""
from mpi_helpers import run_ranks


def test_collectives_match_numpy_on_two_ranks():
    done, _ = run_ranks("rank_collectives.py", timeout=90)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = sorted(line for line in done.stdout.splitlines() if "checks passed" in line)
    assert len(lines) == 2 and lines[0].startswith("rank 0:") and lines[1].startswith("rank 1:"), done.stdout
    assert int(lines[0].split()[2]) == int(lines[1].split()[2]) > 150, lines

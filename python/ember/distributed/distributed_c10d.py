"""The process group and the collectives of ember.distributed, over MPI (mpi4py).

Each collective starts MPI's nonblocking form (Iallreduce, Ibcast, ...) on the tensor's own memory
and returns a Work whose ``wait`` polls the request until it completes or the group's timeout
passes. mpi4py is imported by ``init_process_group`` only, so ``import ember`` never loads MPI.
"""
import ctypes
import datetime
import enum
import importlib.util
import os
import sys
import threading
import time
import warnings

import ember

__all__ = ["GroupMember", "ProcessGroup", "ReduceOp", "Work", "all_gather", "all_gather_into_tensor",
           "all_gather_single", "all_reduce", "all_to_all", "all_to_all_single", "barrier", "broadcast",
           "destroy_process_group", "gather", "get_backend", "get_global_rank", "get_group_rank",
           "get_process_group_ranks", "get_rank", "get_world_size", "group", "init_process_group", "is_available",
           "is_initialized", "is_mpi_available", "new_group", "reduce", "reduce_scatter", "reduce_scatter_single",
           "reduce_scatter_tensor", "scatter"]

# Work.wait's busy phase before it sleeps between tests. Short: with ranks sharing cores (2 ranks,
# 2 loaded cores) a spinning rank starves the peer it waits for; 100 us then sleeps gave a 4 KB
# all-reduce 0.6 ms (20 ms with 1 s of spinning, 8 ms for MPI's own spinning Allreduce), and 100 MB
# no slower.
_SPIN_SECONDS = 1e-4
_NOT_INITIALIZED = ("Default process group has not been initialized, "
                    "please make sure to call init_process_group.")
_TORCH_BACKENDS = ("gloo", "nccl", "ucc", "xccl", "cuda:nccl", "cpu:gloo")


# Open MPI's nonblocking all-reduce picks recursive doubling for 2 ranks whatever the size; its
# Rabenseifner algorithm (reduce-scatter + all-gather) was 3x faster at 100 MB and 10x at 1 MB
# here, and no slower at 4 KB (benchmarks/dist_allreduce.py). Read at MPI_Init; the user's wins.
_OPEN_MPI_DEFAULTS = {"OMPI_MCA_coll_libnbc_iallreduce_algorithm": "rabenseifner"}


def _mpi():
    for key, value in _OPEN_MPI_DEFAULTS.items():
        os.environ.setdefault(key, value)
    from mpi4py import MPI  # initializes MPI on first import (MPI_Init_thread, THREAD_MULTIPLE)

    return MPI


class ReduceOp:
    """How a reduction combines the ranks' values, as ``torch.distributed.ReduceOp``.

    ``SUM``, ``AVG`` (the sum divided by the world size; integers truncate, as NCCL's), ``PRODUCT``,
    ``MIN``, ``MAX``, and the bitwise ``BAND``, ``BOR``, ``BXOR`` (integer and bool tensors only).
    On bool tensors SUM and MAX are a logical or, PRODUCT and MIN a logical and.

    Example::

        >>> ReduceOp.SUM
        <RedOpType.SUM: 0>
        >>> ReduceOp.AVG in (ReduceOp.SUM, ReduceOp.AVG)
        True
    """

    class RedOpType(enum.IntEnum):
        """The members of ReduceOp (torch's ``ReduceOp.RedOpType``)."""

        SUM = 0
        AVG = 1
        PRODUCT = 2
        MIN = 3
        MAX = 4
        BAND = 5
        BOR = 6
        BXOR = 7

    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR


# MPI's name for each dtype's elements. The halves move as raw 16-bit words and are reduced in
# float32 (MPI has no half arithmetic); bool moves as bytes 0/1, so MAX/MIN are its or/and.
_dt = ember._C.dtype  # `import ember` loads this module before ember.float32 exists
_MPI_TYPE = {_dt.float32: "FLOAT", _dt.float64: "DOUBLE", _dt.int8: "INT8_T", _dt.int16: "INT16_T",
             _dt.int32: "INT32_T", _dt.int64: "INT64_T", _dt.uint8: "UINT8_T", _dt.bool: "UINT8_T",
             _dt.float16: "UINT16_T", _dt.bfloat16: "UINT16_T"}
_HALVES = (_dt.float16, _dt.bfloat16)
_FLOATS = (_dt.float32, _dt.float64) + _HALVES
_BOOL_OP = {ReduceOp.SUM: "MAX", ReduceOp.MAX: "MAX", ReduceOp.BOR: "MAX", ReduceOp.PRODUCT: "MIN",
            ReduceOp.MIN: "MIN", ReduceOp.BAND: "MIN", ReduceOp.BXOR: "BXOR"}
_MPI_OP = {ReduceOp.SUM: "SUM", ReduceOp.AVG: "SUM", ReduceOp.PRODUCT: "PROD", ReduceOp.MIN: "MIN",
           ReduceOp.MAX: "MAX", ReduceOp.BAND: "BAND", ReduceOp.BOR: "BOR", ReduceOp.BXOR: "BXOR"}


class ProcessGroup:
    """The ranks that take part in collectives: the default group, every process of the MPI job
    (made by :func:`init_process_group` on a duplicate of ``MPI.COMM_WORLD``, so the user's own mpi4py
    messages never mix with ember's), or a subgroup made by :func:`new_group`. Collectives take it as
    ``group`` (``None`` means the default group).

    Args:
        comm (mpi4py.MPI.Comm): the communicator (owned by the group from then on).
        timeout (datetime.timedelta): how long a collective may take before it raises.
        ranks (list of int): the global rank of each of the group's ranks, in group-rank order.

    Example::

        >>> dist.init_process_group()                      # doctest: +SKIP
        >>> dist.group.WORLD.rank(), dist.group.WORLD.size()  # doctest: +SKIP
        (0, 2)
    """

    def __init__(self, comm, timeout, ranks):
        self.comm, self.timeout, self.ranks = comm, timeout, list(ranks)
        self._rank, self._size = comm.Get_rank(), comm.Get_size()
        self._pending = []  # unfinished Works: each new collective tests them, so MPI progresses them
        self._failed = None  # the first timeout's message: the group's collectives are out of step after it
        self._lock = threading.Lock()  # a Work may be tested from autograd hooks and the main thread at once

    def rank(self):
        """This process's rank in the group.

        Returns:
            int: in ``[0, size() - 1]``.

        Example::

            >>> dist.group.WORLD.rank()  # doctest: +SKIP
            0
        """
        return self._rank

    def size(self):
        """The number of processes in the group.

        Returns:
            int: the world size.

        Example::

            >>> dist.group.WORLD.size()  # doctest: +SKIP
            2
        """
        return self._size

    def __repr__(self):
        return (f"ProcessGroup(backend='mpi', rank={self._rank}, size={self._size}, ranks={self.ranks}, "
                f"timeout={self.timeout})")


class group:
    """Holds ``WORLD``, the default process group once :func:`init_process_group` ran (else None),
    as ``torch.distributed.group.WORLD``.

    Example::

        >>> group.WORLD is None or isinstance(group.WORLD, ProcessGroup)
        True
    """

    WORLD = None


class _NonGroupMember:
    def __repr__(self):
        return "GroupMember.NON_GROUP_MEMBER"


class GroupMember:
    """What :func:`new_group` returns on the ranks it leaves out (``NON_GROUP_MEMBER``), and
    ``WORLD``, the default group, as ``torch.distributed.GroupMember``. A collective given
    ``NON_GROUP_MEMBER`` does nothing there (with a warning) and returns None; ``get_rank`` and
    ``get_world_size`` of it are -1.

    Example::

        >>> GroupMember.NON_GROUP_MEMBER
        GroupMember.NON_GROUP_MEMBER
    """

    WORLD = None
    NON_GROUP_MEMBER = _NonGroupMember()


_state = {"pg": None, "excepthook": None, "subgroups": []}


def is_available():
    """Whether ember.distributed can run: True when mpi4py is installed (``pip install
    "ember[distributed]"``). It does not import mpi4py, so it does not start MPI.

    Returns:
        bool: True when the MPI backend is usable.

    Example::

        >>> isinstance(is_available(), bool)
        True
    """
    return importlib.util.find_spec("mpi4py") is not None


def is_mpi_available():
    """Whether the MPI backend is available (the same as :func:`is_available`: MPI is ember's backend).

    Returns:
        bool: True when mpi4py is installed.

    Example::

        >>> is_mpi_available() == is_available()
        True
    """
    return is_available()


def is_initialized():
    """Whether :func:`init_process_group` has run (and :func:`destroy_process_group` has not since).

    Returns:
        bool: True when the default process group exists.

    Example::

        >>> is_initialized()
        False
    """
    return _state["pg"] is not None


def _abort_on_exception(exc_type, exc, tb):
    """sys.excepthook while a group exists: an uncaught exception on one rank ends the whole job,
    instead of leaving the other ranks waiting in a collective until their timeout."""
    hook = _state["excepthook"] or sys.__excepthook__
    hook(exc_type, exc, tb)
    pg = _state["pg"]
    if pg is None:
        return
    sys.stderr.write(f"ember.distributed: rank {pg.rank()} raised {exc_type.__name__}; aborting the MPI job "
                     f"(MPI_Abort) so that the other {pg.size() - 1} rank(s) stop\n")
    sys.stderr.flush()
    _mpi().COMM_WORLD.Abort(1)


def init_process_group(backend="mpi", init_method=None, timeout=datetime.timedelta(minutes=30), world_size=-1,
                       rank=-1):
    """Starts the default process group over MPI, as ``torch.distributed.init_process_group``.

    The job is launched by ``mpirun -n N python script.py`` (or ``python -m ember.distributed.run``),
    which gives each process its rank and the world size. Every rank must call this.

    It also installs a ``sys.excepthook`` that, after printing the traceback, calls ``MPI_Abort``:
    a rank that raises ends the whole job rather than leaving the others waiting.

    Args:
        backend (str): ``"mpi"`` (the only backend; ``None`` means it). Default: ``"mpi"``.
        init_method (str, optional): ignored (MPI's launcher connects the ranks); kept for torch's
            signature. Default: ``None``.
        timeout (datetime.timedelta): how long a collective may wait for the other ranks before it
            raises RuntimeError. Default: 30 minutes.
        world_size (int): the expected number of processes; ``-1`` takes MPI's. A different value
            raises ValueError. Default: ``-1``.
        rank (int): the expected rank of this process; ``-1`` takes MPI's. Default: ``-1``.

    Raises:
        ValueError: when called twice, or world_size/rank disagree with MPI's.
        RuntimeError: when mpi4py is missing or the backend is not ``"mpi"``.

    Example::

        >>> import ember.distributed as dist
        >>> dist.init_process_group("mpi")                  # doctest: +SKIP
        >>> dist.get_rank(), dist.get_world_size()          # doctest: +SKIP
        (0, 2)
    """
    if _state["pg"] is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if backend is not None and not isinstance(backend, str):
        raise TypeError(f"init_process_group: backend must be a str, got {type(backend).__name__}")
    name = "mpi" if backend is None else backend.lower()
    if name in _TORCH_BACKENDS:
        raise RuntimeError(f"init_process_group: backend {backend!r} is not available in ember; use 'mpi'")
    if name != "mpi":
        raise ValueError(f"init_process_group: invalid backend {backend!r}; ember's backend is 'mpi'")
    if init_method is not None and not isinstance(init_method, str):
        raise TypeError(f"init_process_group: init_method must be a str or None, got {type(init_method).__name__}")
    if not isinstance(timeout, datetime.timedelta):
        raise TypeError(f"init_process_group: timeout must be a datetime.timedelta, got {type(timeout).__name__}")
    if timeout.total_seconds() <= 0:
        raise ValueError(f"init_process_group: timeout must be positive, got {timeout}")
    for arg, value in (("world_size", world_size), ("rank", rank)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"init_process_group: {arg} must be an int, got {type(value).__name__}")
    if not is_available():
        raise RuntimeError("init_process_group: the MPI backend needs mpi4py and an MPI: "
                           "pip install \"ember[distributed]\"")
    try:
        world = _mpi().COMM_WORLD
    except (ImportError, RuntimeError) as e:  # mpi4py installed without an MPI library to load
        raise RuntimeError(f"init_process_group: mpi4py could not start MPI ({e}); "
                           "pip install \"ember[distributed]\" installs Open MPI") from e
    if world_size != -1 and world_size != world.Get_size():
        raise ValueError(f"init_process_group: world_size={world_size} but MPI started {world.Get_size()} "
                         "processes (mpirun -n)")
    if rank != -1 and rank != world.Get_rank():
        raise ValueError(f"init_process_group: rank={rank} but MPI gave this process rank {world.Get_rank()}")
    pg = ProcessGroup(world.Dup(), timeout, range(world.Get_size()))
    _state["pg"] = group.WORLD = GroupMember.WORLD = pg
    if sys.excepthook is not _abort_on_exception:
        _state["excepthook"], sys.excepthook = sys.excepthook, _abort_on_exception


def destroy_process_group(group=None):
    """Ends a process group and frees its communicator. Without ``group`` (or with the default
    group) it ends every group and restores ``sys.excepthook``; :func:`init_process_group` may be
    called again afterwards.

    Args:
        group (ProcessGroup, optional): the group to end. Default: ``None`` (all of them).

    Example::

        >>> dist.destroy_process_group()  # doctest: +SKIP
        >>> dist.is_initialized()         # doctest: +SKIP
        False
    """
    pg = _group("destroy_process_group", group)
    if pg is None:
        return
    if pg is not _state["pg"]:
        _state["subgroups"].remove(pg)
        pg.comm.Free()
        pg.comm = None
        return
    for sub in _state["subgroups"]:
        sub.comm.Free()
        sub.comm = None
    _state["subgroups"] = []
    _state["pg"] = globals()["group"].WORLD = GroupMember.WORLD = None
    if sys.excepthook is _abort_on_exception:
        sys.excepthook = _state["excepthook"] or sys.__excepthook__
    _state["excepthook"] = None
    pg.comm.Free()


def _group(op, group):
    """The ProcessGroup that ``group`` names (None: the default one), or None on a rank that
    new_group left out: torch's collectives then warn and do nothing there."""
    world = _state["pg"]
    if world is None:
        raise ValueError(_NOT_INITIALIZED)
    if group is None:
        return world
    if group is GroupMember.NON_GROUP_MEMBER:
        warnings.warn(f"Running {op} on global rank {world.rank()} which does not belong to the given group.",
                      stacklevel=3)
        return None
    if not isinstance(group, ProcessGroup):
        raise ValueError(f"{op}: group must be None or a ProcessGroup (init_process_group, new_group), got {group!r}")
    if group.comm is None:
        raise ValueError(f"{op}: the group {group!r} has been destroyed")
    return group


def _member_group(op, group):
    """_group for the questions only a member can ask (its backend, its ranks): ValueError elsewhere."""
    if group is GroupMember.NON_GROUP_MEMBER:
        raise ValueError(f"{op}: invalid process group specified (this rank is not in it)")
    return _group(op, group)


def _check_rank_arg(op, name, value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{op}: {name} must be an int, got {type(value).__name__}")


def _peer(op, pg, rank, group_rank, what):
    """The group rank that ``rank`` (a global rank, as torch's src/dst) or ``group_rank`` (torch's
    group_src/group_dst) names; exactly one of them is given."""
    if rank is not None and group_rank is not None:
        raise ValueError(f"{op}: give {what} or group_{what}, not both")
    if group_rank is not None:
        _check_rank_arg(op, f"group_{what}", group_rank)
        if not 0 <= group_rank < pg.size():
            raise ValueError(f"{op}: group_{what} must be a rank in [0, {pg.size() - 1}], got {group_rank}")
        return group_rank
    if rank is None:
        raise ValueError(f"{op}: {what} or group_{what} must be given")
    _check_rank_arg(op, what, rank)
    if rank not in pg.ranks:
        where = f"in [0, {pg.size() - 1}]" if pg.ranks == list(range(pg.size())) else f"of the group ({pg.ranks})"
        raise ValueError(f"{op}: {what} must be a rank {where}, got {rank}")
    return pg.ranks.index(rank)


def get_rank(group=None):
    """This process's rank in ``group``.

    Args:
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).

    Returns:
        int: in ``[0, get_world_size(group) - 1]``; -1 on a rank that is not in the group.

    Example::

        >>> dist.get_rank()  # doctest: +SKIP
        1
    """
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return _group("get_rank", group).rank()


def get_world_size(group=None):
    """The number of processes in ``group``.

    Args:
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).

    Returns:
        int: the group's size; -1 on a rank that is not in the group.

    Example::

        >>> dist.get_world_size()  # doctest: +SKIP
        2
    """
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return _group("get_world_size", group).size()


def get_backend(group=None):
    """The backend of a process group.

    Args:
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).

    Returns:
        str: ``"mpi"``.

    Example::

        >>> dist.get_backend()  # doctest: +SKIP
        'mpi'
    """
    _member_group("get_backend", group)
    return "mpi"


def get_process_group_ranks(group):
    """The global ranks of ``group``'s processes, in group-rank order.

    Args:
        group (ProcessGroup): the group (None: the default group).

    Returns:
        list of int: the global rank of group rank 0, 1, ...

    Example::

        >>> dist.get_process_group_ranks(dist.new_group([0, 1]))  # doctest: +SKIP
        [0, 1]
    """
    pg = _member_group("get_process_group_ranks", group)
    return list(pg.ranks)


def get_group_rank(group, global_rank):
    """The rank in ``group`` of the process whose global rank is ``global_rank``.

    Args:
        group (ProcessGroup): the group (None: the default group).
        global_rank (int): a rank of the default group.

    Returns:
        int: its rank in ``group``.

    Raises:
        ValueError: when that process is not in the group.

    Example::

        >>> dist.get_group_rank(dist.new_group([1]), 1)  # doctest: +SKIP
        0
    """
    pg = _member_group("get_group_rank", group)
    _check_rank_arg("get_group_rank", "global_rank", global_rank)
    if global_rank not in pg.ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {pg!r}")
    return pg.ranks.index(global_rank)


def get_global_rank(group, group_rank):
    """The global rank of the process whose rank in ``group`` is ``group_rank``.

    Args:
        group (ProcessGroup): the group (None: the default group).
        group_rank (int): a rank in ``group``.

    Returns:
        int: its rank in the default group.

    Raises:
        ValueError: when ``group_rank`` is not a rank of the group.

    Example::

        >>> dist.get_global_rank(dist.new_group([1]), 0)  # doctest: +SKIP
        1
    """
    pg = _member_group("get_global_rank", group)
    _check_rank_arg("get_global_rank", "group_rank", group_rank)
    if not 0 <= group_rank < pg.size():
        raise ValueError(f"Group rank {group_rank} is not part of group {pg!r}")
    return pg.ranks[group_rank]


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False,
              group_desc=None, device_id=None):
    """Makes a process group of some of the default group's processes, as
    ``torch.distributed.new_group``. Every rank of the default group must call it, with the same
    ``ranks`` (it splits MPI's communicator, a collective over all ranks). Group ranks follow the
    order of the global ranks.

    Args:
        ranks (list of int, optional): the global ranks of the members. Default: ``None`` (all).
        timeout (datetime.timedelta, optional): the group's collective timeout. Default: the
            default group's.
        backend (str, optional): ``"mpi"`` or ``None``. Default: ``None``.
        pg_options, group_desc, device_id: accepted for torch's signature; ignored.
        use_local_synchronization (bool): accepted; every rank still takes part (MPI's split).

    Returns:
        ProcessGroup: on the members; :attr:`GroupMember.NON_GROUP_MEMBER` on the other ranks.

    Raises:
        ValueError: a rank out of range or repeated, or an unknown backend.

    Example::

        >>> evens = dist.new_group([0])           # doctest: +SKIP
        >>> dist.get_world_size(evens)            # doctest: +SKIP
        1
    """
    world = _group("new_group", None)
    if backend is not None and (not isinstance(backend, str) or backend.lower() != "mpi"):
        raise ValueError(f"new_group: backend must be 'mpi' or None, got {backend!r}")
    if timeout is not None and not isinstance(timeout, datetime.timedelta):
        raise TypeError(f"new_group: timeout must be a datetime.timedelta or None, got {type(timeout).__name__}")
    if ranks is None:
        ranks = list(range(world.size()))
    try:
        ranks = sorted(ranks)
    except TypeError:
        raise TypeError(f"new_group: ranks must be a list of ints, got {ranks!r}") from None
    for r in ranks:
        _check_rank_arg("new_group", "ranks", r)
        if not 0 <= r < world.size():
            raise ValueError(f"new_group: rank {r} is out of range [0, {world.size() - 1}] of the default group")
    if len(set(ranks)) != len(ranks):
        raise ValueError(f"new_group: ranks {ranks} has duplicates")
    MPI = _mpi()
    member = world.rank() in ranks
    comm = world.comm.Split(0 if member else MPI.UNDEFINED, world.rank())
    if not member:
        return GroupMember.NON_GROUP_MEMBER
    pg = ProcessGroup(comm, timeout or world.timeout, ranks)
    _state["subgroups"].append(pg)
    return pg


class Work:
    """A collective in flight, returned by a collective called with ``async_op=True``, as
    ``torch.distributed.Work``: ``wait()`` blocks until it completes (results are in the tensors
    only then), ``is_completed()`` asks without blocking (and lets MPI progress the transfer).

    Args:
        op (str): the collective's name (for messages).
        pg (ProcessGroup): its group.
        request (mpi4py.MPI.Request): MPI's request.
        finish (callable, optional): run once after completion (copies back, the AVG division).
        status (mpi4py.MPI.Status, optional): filled in on completion (a receive's sender).

    Example::

        >>> work = dist.all_reduce(t, async_op=True)  # doctest: +SKIP
        >>> work.wait()                               # doctest: +SKIP
        True
    """

    def __init__(self, op, pg, request, finish=None, status=None):
        self._op, self._pg, self._request, self._finish, self._status = op, pg, request, finish, status
        self._started = time.monotonic()
        self._done = False
        pg._pending.append(self)

    def _test(self):
        MPI = _mpi()
        with self._pg._lock:
            try:
                done = self._done or self._request.Test(self._status)
            except MPI.Exception as e:  # e.g. MPI_ERR_TRUNCATE: the ranks passed different sizes
                msg = (f"{self._op}: MPI failed on rank {self._pg.rank()}: {e.Get_error_string()} (do all ranks "
                       "pass tensors of the same shape and dtype?)")
                self._pg._failed = msg
                raise RuntimeError(msg) from None
            if done and not self._done:
                self._complete()
        return self._done

    def _complete(self):
        self._done = True
        self._pg._pending.remove(self)
        if self._finish is not None:
            finish, self._finish = self._finish, None
            finish()

    def is_completed(self):
        """Whether the collective has completed (testing it also moves MPI's transfer on).

        Returns:
            bool: True once the results are in the tensors.

        Example::

            >>> work.is_completed()  # doctest: +SKIP
            False
        """
        return self._test()

    def is_success(self):
        """Whether the collective completed without error.

        Returns:
            bool: True once it completed.

        Example::

            >>> work.wait(); work.is_success()  # doctest: +SKIP
            True
        """
        return self._test()

    def wait(self, timeout=None):
        """Blocks until the collective completes.

        Args:
            timeout (datetime.timedelta, optional): the longest wait from now. Default: the process
                group's timeout, counted from the collective's start.

        Returns:
            bool: True.

        Raises:
            RuntimeError: when it does not complete in time (another rank did not call the same
                collective, or died). The process group is unusable afterwards.

        Example::

            >>> dist.broadcast(t, src=0, async_op=True).wait()  # doctest: +SKIP
            True
        """
        if timeout is None:
            limit, deadline = self._pg.timeout, self._started + self._pg.timeout.total_seconds()
        elif isinstance(timeout, datetime.timedelta):
            limit, deadline = timeout, time.monotonic() + timeout.total_seconds()
        else:
            raise TypeError(f"Work.wait: timeout must be a datetime.timedelta or None, got {type(timeout).__name__}")
        # MPI moves the data only inside MPI calls: Test back to back for _SPIN_SECONDS, then
        # sleep between tests (growing to 1 ms) to leave the cores to the peers.
        spin_until = time.monotonic() + _SPIN_SECONDS
        pause = 2e-5
        while not self._test():
            now = time.monotonic()
            if now > deadline:
                self._timed_out(limit)
            if now > spin_until:
                time.sleep(pause)
                pause = min(pause * 2, 1e-3)
        return True

    def _timed_out(self, limit):
        msg = (f"{self._op}: rank {self._pg.rank()} timed out after {limit} waiting for the other ranks "
               f"(world size {self._pg.size()}); a rank did not call {self._op} or has failed")
        self._pg._failed = msg
        raise RuntimeError(msg)


def _launch(op, pg, start, finish=None, async_op=False, status=None):
    """Starts a nonblocking MPI call, then returns its Work (async_op) or waits for it."""
    if pg._failed is not None:
        raise RuntimeError(f"{op}: the process group is unusable after an earlier failure: {pg._failed}")
    for work in list(pg._pending):
        work._test()
    MPI = _mpi()
    try:
        request = start(MPI)
    except MPI.Exception as e:
        raise RuntimeError(f"{op}: MPI failed: {e.Get_error_string()}") from None
    work = Work(op, pg, request, finish, status)
    if async_op:
        return work
    work.wait()
    return None


def _check_tensor(op, name, t):
    if not isinstance(t, ember.Tensor):
        raise TypeError(f"{op}: expected {name} to be an ember.Tensor, got {type(t).__name__}")
    if t.device.type != "cpu":
        raise RuntimeError(f"{op}: {name} must be a CPU tensor, got one on {t.device}")
    if t.dtype not in _MPI_TYPE:
        raise TypeError(f"{op}: {name} has dtype {t.dtype}, which ember.distributed does not support")


def _check_list(op, name, tensors, like, pg):
    if not isinstance(tensors, list):
        raise TypeError(f"{op}: expected {name} to be a list of ember.Tensor, got {type(tensors).__name__}")
    if len(tensors) != pg.size():
        raise ValueError(f"{op}: {name} has {len(tensors)} tensors, expected one per rank ({pg.size()})")
    for i, t in enumerate(tensors):
        _check_tensor(op, f"{name}[{i}]", t)
        if t.dtype != like.dtype or t.numel() != like.numel():
            raise ValueError(f"{op}: {name}[{i}] has shape {list(t.shape)} and dtype {t.dtype}, expected "
                             f"{like.numel()} elements of {like.dtype} (shape {list(like.shape)})")


def _check_op(op_name, op, dtype):
    if not isinstance(op, ReduceOp.RedOpType):
        raise TypeError(f"{op_name}: op must be a ReduceOp (ReduceOp.SUM, ...), got {op!r}")
    if dtype in _FLOATS and op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR):
        raise ValueError(f"{op_name}: {op.name} needs integer or bool tensors, got {dtype}")
    if dtype == ember.bool and op == ReduceOp.AVG:
        raise ValueError(f"{op_name}: AVG is not defined for bool tensors")


def _raw_bytes(t):
    """A writable byte view of contiguous ``t``'s memory. bfloat16 has no buffer-protocol format, so
    its bytes are mapped by address (the view lives no longer than the _Buffer holding ``t``)."""
    nbytes = t.numel() * t.element_size()
    if nbytes == 0:
        return memoryview(bytearray())
    if t.dtype != ember.bfloat16:
        return memoryview(t).cast("B")
    return memoryview((ctypes.c_uint8 * nbytes).from_address(t.data_ptr())).cast("B")


class _Buffer:
    """A tensor's memory for MPI: the tensor's own storage when it is contiguous (no copy), else a
    contiguous copy, written back by ``finish``. ``reduce=True`` gives the halves a float32 copy,
    since MPI reduces them in float32."""

    def __init__(self, t, reduce=False):
        self.tensor = t.detach()  # shares t's storage, outside autograd
        self.work = self.tensor
        if reduce and t.dtype in _HALVES:
            self.work = self.tensor.to(ember.float32)
        elif not self.tensor.is_contiguous():
            self.work = self.tensor.contiguous()
        self.dtype = self.work.dtype
        self.view = _raw_bytes(self.work)  # no copy: MPI reads and writes the storage itself

    def spec(self, MPI):
        return [self.view, getattr(MPI, _MPI_TYPE[self.dtype])]

    def finish(self):
        if self.work is not self.tensor:
            self.tensor.copy_(self.work)


def _reduced(dtype, op):
    """The MPI op name for ``op`` on ``dtype``."""
    return _BOOL_OP[op] if dtype == ember.bool else _MPI_OP[op]


def _average(t, size):
    if t.dtype in _FLOATS:
        t.div_(size)
    else:
        t.div_(size, rounding_mode="trunc")


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduces ``tensor`` across all ranks, in place: afterwards every rank holds the result, as
    ``torch.distributed.all_reduce``. A contiguous tensor is handed to MPI without a copy.

    Args:
        tensor (Tensor): the input and the output (the same shape and dtype on every rank).
        op (ReduceOp): how values combine. Default: ``ReduceOp.SUM``.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        async_op (bool): return a :class:`Work` at once instead of waiting. Default: ``False``.

    Returns:
        Work or None: the Work when ``async_op``, else None.

    Example::

        >>> t = ember.tensor([1.0, 2.0]) * (dist.get_rank() + 1)  # doctest: +SKIP
        >>> dist.all_reduce(t); t                                # doctest: +SKIP
        tensor([3., 6.])
    """
    pg = _group("all_reduce", group)
    if pg is None:
        return None
    _check_tensor("all_reduce", "tensor", tensor)
    _check_op("all_reduce", op, tensor.dtype)
    buf = _Buffer(tensor, reduce=True)

    def finish():
        if op == ReduceOp.AVG:
            _average(buf.work, pg.size())
        buf.finish()

    return _launch("all_reduce", pg,
                   lambda MPI: pg.comm.Iallreduce(MPI.IN_PLACE, buf.spec(MPI), getattr(MPI, _reduced(buf.dtype, op))),
                   finish, async_op)


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copies ``tensor`` from rank ``src`` into ``tensor`` on every other rank, as
    ``torch.distributed.broadcast``.

    Args:
        tensor (Tensor): the data on ``src``, the output elsewhere (the same shape and dtype everywhere).
        src (int): the global rank that sends (or give ``group_src``).
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        async_op (bool): return a :class:`Work` at once instead of waiting. Default: ``False``.
        group_src (int, optional): the sender's rank in ``group`` instead of ``src``.

    Returns:
        Work or None: the Work when ``async_op``, else None.

    Example::

        >>> t = ember.full((2,), float(dist.get_rank()))  # doctest: +SKIP
        >>> dist.broadcast(t, src=1); t                  # doctest: +SKIP
        tensor([1., 1.])
    """
    pg = _group("broadcast", group)
    if pg is None:
        return None
    _check_tensor("broadcast", "tensor", tensor)
    root = _peer("broadcast", pg, src, group_src, "src")
    buf = _Buffer(tensor)
    return _launch("broadcast", pg, lambda MPI: pg.comm.Ibcast(buf.spec(MPI), root=root), buf.finish, async_op)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Gathers ``tensor`` from every rank into ``tensor_list`` on every rank, as
    ``torch.distributed.all_gather``: ``tensor_list[r]`` receives rank r's tensor. (MPI gathers into
    one buffer, copied out to the list; :func:`all_gather_into_tensor` needs no copy.)

    Args:
        tensor_list (list of Tensor): one output tensor per rank, each with ``tensor``'s number of
            elements and dtype.
        tensor (Tensor): this rank's input.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        async_op (bool): return a :class:`Work` at once instead of waiting. Default: ``False``.

    Returns:
        Work or None: the Work when ``async_op``, else None.

    Example::

        >>> out = [ember.zeros(2) for _ in range(2)]                              # doctest: +SKIP
        >>> dist.all_gather(out, ember.full((2,), float(dist.get_rank()))); out  # doctest: +SKIP
        [tensor([0., 0.]), tensor([1., 1.])]
    """
    pg = _group("all_gather", group)
    if pg is None:
        return None
    _check_tensor("all_gather", "tensor", tensor)
    _check_list("all_gather", "tensor_list", tensor_list, tensor, pg)
    src = _Buffer(tensor)
    out = _Buffer(ember.empty(pg.size() * tensor.numel(), dtype=tensor.dtype))

    def finish():
        for r, t in enumerate(tensor_list):
            t.detach().copy_(out.tensor.narrow(0, r * tensor.numel(), tensor.numel()).reshape(t.shape))

    return _launch("all_gather", pg, lambda MPI: pg.comm.Iallgather(src.spec(MPI), out.spec(MPI)), finish, async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Gathers ``input_tensor`` from every rank into ``output_tensor``, rank after rank, as
    ``torch.distributed.all_gather_into_tensor``. A contiguous output is written by MPI directly.

    Args:
        output_tensor (Tensor): world size times the input's elements, e.g. shape ``(world * n, ...)``
            or ``(world, n, ...)``.
        input_tensor (Tensor): this rank's input.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        async_op (bool): return a :class:`Work` at once instead of waiting. Default: ``False``.

    Returns:
        Work or None: the Work when ``async_op``, else None.

    Example::

        >>> out = ember.zeros(4)                                                              # doctest: +SKIP
        >>> dist.all_gather_into_tensor(out, ember.full((2,), float(dist.get_rank()))); out  # doctest: +SKIP
        tensor([0., 0., 1., 1.])
    """
    op = "all_gather_into_tensor"
    pg = _group(op, group)
    if pg is None:
        return None
    _check_tensor(op, "output_tensor", output_tensor)
    _check_tensor(op, "input_tensor", input_tensor)
    if output_tensor.dtype != input_tensor.dtype or output_tensor.numel() != pg.size() * input_tensor.numel():
        raise ValueError(f"{op}: output_tensor (shape {list(output_tensor.shape)}, {output_tensor.dtype}) must hold "
                         f"{pg.size()} x input_tensor (shape {list(input_tensor.shape)}, {input_tensor.dtype})")
    src, out = _Buffer(input_tensor), _Buffer(output_tensor)
    return _launch(op, pg, lambda MPI: pg.comm.Iallgather(src.spec(MPI), out.spec(MPI)), out.finish, async_op)


def _reduce_scatter(op_name, pg, output, flat_input, op, async_op):
    """Reduces ``flat_input`` (world size x output's elements) and scatters rank r's block to r."""
    src = _Buffer(flat_input, reduce=True)
    out = _Buffer(output, reduce=True)

    def finish():
        if op == ReduceOp.AVG:
            _average(out.work, pg.size())
        out.finish()

    def start(MPI):
        return pg.comm.Ireduce_scatter_block(src.spec(MPI), out.spec(MPI), getattr(MPI, _reduced(src.dtype, op)))

    return _launch(op_name, pg, start, finish, async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduces ``input_list`` elementwise across ranks and gives rank r the reduced
    ``input_list[r]`` in ``output``, as ``torch.distributed.reduce_scatter``. (The list is first
    concatenated into one buffer; :func:`reduce_scatter_tensor` needs no copy.)

    Args:
        output (Tensor): this rank's result.
        input_list (list of Tensor): one tensor per rank, each with ``output``'s elements and dtype.
        op (ReduceOp): how values combine. Default: ``ReduceOp.SUM``.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        async_op (bool): return a :class:`Work` at once instead of waiting. Default: ``False``.

    Returns:
        Work or None: the Work when ``async_op``, else None.

    Example::

        >>> out = ember.zeros(1)                                             # doctest: +SKIP
        >>> dist.reduce_scatter(out, [ember.ones(1), ember.ones(1) * 2]); out  # doctest: +SKIP
        tensor([2.])
    """
    pg = _group("reduce_scatter", group)
    if pg is None:
        return None
    _check_tensor("reduce_scatter", "output", output)
    _check_list("reduce_scatter", "input_list", input_list, output, pg)
    _check_op("reduce_scatter", op, output.dtype)
    flat = ember.cat([t.detach().reshape(-1) for t in input_list])
    return _reduce_scatter("reduce_scatter", pg, output, flat, op, async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduces ``input`` elementwise across ranks and gives rank r its block r (of world-size
    equal blocks) in ``output``, as ``torch.distributed.reduce_scatter_tensor``. Contiguous tensors
    are handed to MPI without a copy.

    Args:
        output (Tensor): this rank's result.
        input (Tensor): world size times ``output``'s elements.
        op (ReduceOp): how values combine. Default: ``ReduceOp.SUM``.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        async_op (bool): return a :class:`Work` at once instead of waiting. Default: ``False``.

    Returns:
        Work or None: the Work when ``async_op``, else None.

    Example::

        >>> out = ember.zeros(2)                                                # doctest: +SKIP
        >>> dist.reduce_scatter_tensor(out, ember.arange(4.0)); out  # 2 ranks  # doctest: +SKIP
        tensor([0., 2.])
    """
    op_name = "reduce_scatter_tensor"
    pg = _group(op_name, group)
    if pg is None:
        return None
    _check_tensor(op_name, "output", output)
    _check_tensor(op_name, "input", input)
    _check_op(op_name, op, output.dtype)
    if output.dtype != input.dtype or input.numel() != pg.size() * output.numel():
        raise ValueError(f"{op_name}: input (shape {list(input.shape)}, {input.dtype}) must hold {pg.size()} x "
                         f"output (shape {list(output.shape)}, {output.dtype})")
    return _reduce_scatter(op_name, pg, output, input, op, async_op)


# torch 2.13's new names for the two single-tensor collectives (ember keeps the old ones without
# torch's FutureWarning).
all_gather_single = all_gather_into_tensor
reduce_scatter_single = reduce_scatter_tensor


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduces ``tensor`` across all ranks into ``tensor`` on rank ``dst`` only, as
    ``torch.distributed.reduce``; the other ranks' tensors are left as they were.

    Args:
        tensor (Tensor): the input everywhere, the output on ``dst``.
        dst (int): the global rank that receives the result (or give ``group_dst``).
        op (ReduceOp): how values combine. Default: ``ReduceOp.SUM``.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        async_op (bool): return a :class:`Work` at once instead of waiting. Default: ``False``.
        group_dst (int, optional): the receiver's rank in ``group`` instead of ``dst``.

    Returns:
        Work or None: the Work when ``async_op``, else None.

    Example::

        >>> t = ember.ones(2) * (dist.get_rank() + 1)  # doctest: +SKIP
        >>> dist.reduce(t, dst=0); t                   # doctest: +SKIP
        tensor([3., 3.])
    """
    pg = _group("reduce", group)
    if pg is None:
        return None
    _check_tensor("reduce", "tensor", tensor)
    _check_op("reduce", op, tensor.dtype)
    root = _peer("reduce", pg, dst, group_dst, "dst")
    buf = _Buffer(tensor, reduce=True)
    mine = pg.rank() == root

    def start(MPI):
        mpi_op = getattr(MPI, _reduced(buf.dtype, op))
        if mine:
            return pg.comm.Ireduce(MPI.IN_PLACE, buf.spec(MPI), mpi_op, root=root)
        return pg.comm.Ireduce(buf.spec(MPI), None, mpi_op, root=root)

    def finish():
        if mine:
            if op == ReduceOp.AVG:
                _average(buf.work, pg.size())
            buf.finish()

    return _launch("reduce", pg, start, finish, async_op)


def _rooted_list(op, name, tensors, like, pg, root, role):
    """Checks a list that only the root rank of gather/scatter passes (torch: may be omitted elsewhere)."""
    if pg.rank() == root:
        _check_list(op, name, tensors, like, pg)
    elif tensors:
        raise ValueError(f"Argument ``{name}`` must NOT be specified on non-{role} ranks.")


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Gathers ``tensor`` from every rank into ``gather_list`` on rank ``dst``, as
    ``torch.distributed.gather``: ``gather_list[r]`` receives rank r's tensor.

    Args:
        tensor (Tensor): this rank's input.
        gather_list (list of Tensor, optional): on ``dst``, one output per rank, each with
            ``tensor``'s number of elements and dtype; omitted (or empty) elsewhere.
        dst (int, optional): the global rank that receives. Default: 0 when ``group_dst`` is None too.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        async_op (bool): return a :class:`Work` at once instead of waiting. Default: ``False``.
        group_dst (int, optional): the receiver's rank in ``group`` instead of ``dst``.

    Returns:
        Work or None: the Work when ``async_op``, else None.

    Example::

        >>> out = [ember.zeros(1) for _ in range(2)] if dist.get_rank() == 0 else None  # doctest: +SKIP
        >>> dist.gather(ember.ones(1) * dist.get_rank(), out, dst=0); out               # doctest: +SKIP
        [tensor([0.]), tensor([1.])]
    """
    pg = _group("gather", group)
    if pg is None:
        return None
    _check_tensor("gather", "tensor", tensor)
    if dst is None and group_dst is None:
        dst = 0
    root = _peer("gather", pg, dst, group_dst, "dst")
    _rooted_list("gather", "gather_list", gather_list, tensor, pg, root, "destination")
    src = _Buffer(tensor)
    out = _Buffer(ember.empty(pg.size() * tensor.numel(), dtype=tensor.dtype)) if pg.rank() == root else None

    def finish():
        if out is not None:
            for r, t in enumerate(gather_list):
                t.detach().copy_(out.tensor.narrow(0, r * tensor.numel(), tensor.numel()).reshape(t.shape))

    def start(MPI):
        return pg.comm.Igather(src.spec(MPI), out.spec(MPI) if out else None, root=root)

    return _launch("gather", pg, start, finish, async_op)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Sends ``scatter_list[r]`` from rank ``src`` into ``tensor`` on each rank r, as
    ``torch.distributed.scatter``.

    Args:
        tensor (Tensor): this rank's output.
        scatter_list (list of Tensor, optional): on ``src``, one input per rank, each with ``tensor``'s
            number of elements and dtype; omitted (or empty) elsewhere.
        src (int, optional): the global rank that sends. Default: 0 when ``group_src`` is None too.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        async_op (bool): return a :class:`Work` at once instead of waiting. Default: ``False``.
        group_src (int, optional): the sender's rank in ``group`` instead of ``src``.

    Returns:
        Work or None: the Work when ``async_op``, else None.

    Example::

        >>> t = ember.zeros(1)                                                          # doctest: +SKIP
        >>> parts = [ember.ones(1) * 5, ember.ones(1) * 7] if dist.get_rank() == 0 else None  # doctest: +SKIP
        >>> dist.scatter(t, parts, src=0); t                # on rank 1                 # doctest: +SKIP
        tensor([7.])
    """
    pg = _group("scatter", group)
    if pg is None:
        return None
    _check_tensor("scatter", "tensor", tensor)
    if src is None and group_src is None:
        src = 0
    root = _peer("scatter", pg, src, group_src, "src")
    _rooted_list("scatter", "scatter_list", scatter_list, tensor, pg, root, "source")
    out = _Buffer(tensor)
    flat = _Buffer(ember.cat([t.detach().reshape(-1) for t in scatter_list])) if pg.rank() == root else None

    def start(MPI):
        return pg.comm.Iscatter(flat.spec(MPI) if flat else None, out.spec(MPI), root=root)

    return _launch("scatter", pg, start, out.finish, async_op)


def _split_sizes(op, name, sizes, tensor, pg):
    """Element counts of the blocks along dim 0 that all_to_all_single sends or receives."""
    rows = tensor.shape[0] if tensor.dim() > 0 else 1
    per_row = tensor.numel() // rows if rows else 0
    if sizes is None or len(sizes) == 0:
        if rows % pg.size():
            raise ValueError(f"{op}: {name.split('_')[0]} (shape {list(tensor.shape)}) has {rows} rows, which do not "
                             f"split evenly over {pg.size()} ranks; give {name}")
        return [rows // pg.size() * per_row] * pg.size()
    sizes = list(sizes)
    if len(sizes) != pg.size() or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in sizes):
        raise ValueError(f"{op}: {name} must be {pg.size()} non-negative ints (one per rank), got {sizes}")
    if sum(sizes) != rows:
        raise ValueError(f"{op}: {name} {sizes} add up to {sum(sizes)}, but the tensor (shape {list(tensor.shape)}) "
                         f"has {rows} rows")
    return [n * per_row for n in sizes]


def _alltoallv(op, pg, output, flat_in, send_counts, recv_counts, async_op, finish=None):
    src, out = _Buffer(flat_in), _Buffer(output)

    def offsets(counts):
        return [sum(counts[:r]) for r in range(len(counts))]

    def start(MPI):
        kind = getattr(MPI, _MPI_TYPE[src.dtype])
        send = [src.view, (send_counts, offsets(send_counts)), kind]
        recv = [out.view, (recv_counts, offsets(recv_counts)), kind]
        return pg.comm.Ialltoallv(send, recv)

    def done():
        out.finish()
        if finish is not None:
            finish(out.tensor)

    return _launch(op, pg, start, done, async_op)


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None, group=None,
                      async_op=False):
    """Splits ``input`` along dim 0 into one block per rank, sends block r to rank r, and
    concatenates the blocks received, rank after rank, into ``output``, as
    ``torch.distributed.all_to_all_single``.

    Args:
        output (Tensor): the received blocks, concatenated along dim 0.
        input (Tensor): the blocks to send, concatenated along dim 0.
        output_split_sizes (list of int, optional): rows received from each rank. Default: equal blocks.
        input_split_sizes (list of int, optional): rows sent to each rank. Default: equal blocks.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        async_op (bool): return a :class:`Work` at once instead of waiting. Default: ``False``.

    Returns:
        Work or None: the Work when ``async_op``, else None.

    Example::

        >>> out = ember.zeros(2)                                                       # doctest: +SKIP
        >>> dist.all_to_all_single(out, ember.arange(2.0) + 2 * dist.get_rank()); out  # doctest: +SKIP
        tensor([0., 2.])
    """
    op = "all_to_all_single"
    pg = _group(op, group)
    if pg is None:
        return None
    _check_tensor(op, "output", output)
    _check_tensor(op, "input", input)
    if output.dtype != input.dtype:
        raise ValueError(f"{op}: output ({output.dtype}) and input ({input.dtype}) must have the same dtype")
    if output.shape[1:] != input.shape[1:]:
        raise ValueError(f"{op}: output (shape {list(output.shape)}) and input (shape {list(input.shape)}) must "
                         "agree beyond dim 0")
    send = _split_sizes(op, "input_split_sizes", input_split_sizes, input, pg)
    recv = _split_sizes(op, "output_split_sizes", output_split_sizes, output, pg)
    return _alltoallv(op, pg, output, input, send, recv, async_op)


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Sends ``input_tensor_list[r]`` to rank r and receives rank r's tensor for this rank into
    ``output_tensor_list[r]``, as ``torch.distributed.all_to_all``. The tensors may differ in size
    (the receiver's output must match what its peer sends).

    Args:
        output_tensor_list (list of Tensor): one output per rank.
        input_tensor_list (list of Tensor): one input per rank, all of one dtype.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        async_op (bool): return a :class:`Work` at once instead of waiting. Default: ``False``.

    Returns:
        Work or None: the Work when ``async_op``, else None.

    Example::

        >>> out = [ember.zeros(1) for _ in range(2)]                                           # doctest: +SKIP
        >>> dist.all_to_all(out, [ember.ones(1) * (2 * dist.get_rank() + r) for r in range(2)])  # doctest: +SKIP
        >>> out                                           # on rank 0                          # doctest: +SKIP
        [tensor([0.]), tensor([2.])]
    """
    op = "all_to_all"
    pg = _group(op, group)
    if pg is None:
        return None
    for name, tensors in (("output_tensor_list", output_tensor_list), ("input_tensor_list", input_tensor_list)):
        if not isinstance(tensors, list):
            raise TypeError(f"{op}: expected {name} to be a list of ember.Tensor, got {type(tensors).__name__}")
        if len(tensors) != pg.size():
            raise ValueError(f"{op}: {name} has {len(tensors)} tensors, expected one per rank ({pg.size()})")
        for i, t in enumerate(tensors):
            _check_tensor(op, f"{name}[{i}]", t)
            if t.dtype != input_tensor_list[0].dtype:
                raise ValueError(f"{op}: {name}[{i}] has dtype {t.dtype}, expected {input_tensor_list[0].dtype}")
    flat_in = ember.cat([t.detach().reshape(-1) for t in input_tensor_list])
    recv = [t.numel() for t in output_tensor_list]
    output = ember.empty(sum(recv), dtype=flat_in.dtype)

    def finish(flat_out):
        at = 0
        for t, n in zip(output_tensor_list, recv):
            t.detach().copy_(flat_out.narrow(0, at, n).reshape(t.shape))
            at += n

    return _alltoallv(op, pg, output, flat_in, [t.numel() for t in input_tensor_list], recv, async_op, finish)


def barrier(group=None, async_op=False):
    """Waits until every rank has called ``barrier``, as ``torch.distributed.barrier``.

    Args:
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        async_op (bool): return a :class:`Work` at once instead of waiting. Default: ``False``.

    Returns:
        Work or None: the Work when ``async_op``, else None.

    Example::

        >>> dist.barrier()  # doctest: +SKIP
    """
    pg = _group("barrier", group)
    if pg is None:
        return None
    return _launch("barrier", pg, lambda MPI: pg.comm.Ibarrier(), None, async_op)

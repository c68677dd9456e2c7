"""ember.multiprocessing: Python's :mod:`multiprocessing`, with tensors in shared memory handed to
other processes without a copy, and ``spawn``, as torch.multiprocessing.

Everything of :mod:`multiprocessing` is here under its name (``Process``, ``Queue``, ``Pool``,
``get_context``, ...). A tensor moved to shared memory (:meth:`ember.Tensor.share_memory_`, or
``Module.share_memory()`` for a model) is shared by processes forked afterwards, and one pickled to
another process by multiprocessing (``Process`` arguments under the ``spawn`` and ``forkserver``
start methods, ``Queue`` and ``Pipe`` messages) arrives as the same memory, passed as a file
descriptor: writes in either process are seen by both, as Hogwild training needs. Other tensors
are copied, as ordinary pickles (torch moves them to shared memory on the way; ember leaves that
to ``share_memory_``).

Example::

    >>> import ember.multiprocessing as mp
    >>> x = ember.zeros(3).share_memory_()
    >>> q = mp.get_context("spawn").SimpleQueue()
    >>> q.put(x); y = q.get()
    >>> y.add_(1); x                        # y is x's memory
    tensor([1., 1., 1.])
"""

import multiprocessing
import signal
import traceback
from multiprocessing import *  # noqa: F401,F403  (torch.multiprocessing re-exports it too)
from multiprocessing.reduction import DupFd, ForkingPickler

from ember import _C
from ember._C import Tensor

__all__ = [*multiprocessing.__all__, "ProcessContext", "ProcessException", "ProcessExitedException",
           "ProcessRaisedException", "get_all_sharing_strategies", "get_sharing_strategy", "set_sharing_strategy",
           "spawn", "start_processes"]

# ---- tensors across processes ------------------------------------------------------------------

_STRATEGIES = {"file_descriptor"}


def get_all_sharing_strategies():
    """The ways shared tensors can cross processes: file descriptors only (memfd mappings; torch
    also has ``file_system``, named files).

    Returns:
        set[str]: ``{"file_descriptor"}``.

    Example::

        >>> ember.multiprocessing.get_all_sharing_strategies()
        {'file_descriptor'}
    """
    return set(_STRATEGIES)


def get_sharing_strategy():
    """The way shared tensors cross processes.

    Returns:
        str: ``"file_descriptor"``.

    Example::

        >>> ember.multiprocessing.get_sharing_strategy()
        'file_descriptor'
    """
    return "file_descriptor"


def set_sharing_strategy(new_strategy):
    """Sets the way shared tensors cross processes; ``"file_descriptor"`` is the one ember has.

    Args:
        new_strategy (str): ``"file_descriptor"``.

    Raises:
        ValueError: another strategy (torch's ``"file_system"`` is not implemented).

    Example::

        >>> ember.multiprocessing.set_sharing_strategy("file_descriptor")
    """
    if new_strategy not in _STRATEGIES:
        raise ValueError(f"set_sharing_strategy: unknown strategy {new_strategy!r}; ember shares memory by "
                         "'file_descriptor' only")


def _rebuild_shared(fd, nbytes, dtype, sizes, strides, offset, requires_grad):
    t = _C._tensor_from_shared_fd(fd.detach(), nbytes, dtype, list(sizes), list(strides), offset)
    return t.requires_grad_() if requires_grad else t


def _rebuild_shared_parameter(cls, fd, nbytes, dtype, sizes, strides, offset, requires_grad):
    return cls(_rebuild_shared(fd, nbytes, dtype, sizes, strides, offset, False), requires_grad)


def _reduce_tensor(t):
    """multiprocessing's pickling of a tensor: a shared one as its memory's file descriptor (and its
    view of it), any other as pickle does (a copy)."""
    if not t.is_shared():
        return type(t).__reduce_ex__(t, 4)
    if t.requires_grad and not t.is_leaf:
        raise RuntimeError("Cowardly refusing to serialize non-leaf tensor which requires_grad, since autograd does "
                           "not support crossing process boundaries.  If you just want to transfer the data, call "
                           "detach() on the tensor before serializing (e.g., putting it on the queue).")
    fd, nbytes = _C._shared_memory(t)
    args = (DupFd(fd), nbytes, t.dtype, tuple(t.shape), t.stride(), t.storage_offset(), t.requires_grad)
    if isinstance(t, _C._nn_modules.Parameter):
        return _rebuild_shared_parameter, (type(t), *args)
    return _rebuild_shared, args


ForkingPickler.register(Tensor, _reduce_tensor)
ForkingPickler.register(_C._nn_modules.Parameter, _reduce_tensor)


# ---- spawn ---------------------------------------------------------------------------------------

class ProcessException(Exception):
    """A process that :func:`spawn` started failed.

    Args:
        msg (str): what happened.
        error_index (int): the failed process's index (its first argument).
        pid (int): its process id.

    Example::

        >>> e = ember.multiprocessing.ProcessException("process 0 failed", 0, 1234)
        >>> e.error_index, e.pid
        (0, 1234)
    """

    def __init__(self, msg, error_index, pid):
        super().__init__(msg)
        self.msg, self.error_index, self.pid = msg, error_index, pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid)


class ProcessRaisedException(ProcessException):
    """A process that :func:`spawn` started raised an exception; the message holds its traceback.

    Args:
        msg (str): the failed process's traceback.
        error_index (int): the failed process's index.
        error_pid (int): its process id.

    Example::

        >>> ember.multiprocessing.ProcessRaisedException("Traceback ...", 1, 1234).error_index
        1
    """


class ProcessExitedException(ProcessException):
    """A process that :func:`spawn` started exited with a non-zero code or was killed by a signal.

    Args:
        msg (str): what happened.
        error_index (int): the failed process's index.
        error_pid (int): its process id.
        exit_code (int): its exit code (negative: minus the signal's number).
        signal_name (str, optional): the signal's name when one killed it.

    Example::

        >>> ember.multiprocessing.ProcessExitedException("process 0 terminated with exit code 3", 0, 1234, 3).exit_code
        3
    """

    def __init__(self, msg, error_index, error_pid, exit_code, signal_name=None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code, self.signal_name = exit_code, signal_name

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid, self.exit_code, self.signal_name)


def _wrap(fn, i, args, error_queue):
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass  # the parent stops the others
    except Exception:  # noqa: BLE001  (the parent re-raises it with the traceback)
        error_queue.put(traceback.format_exc())
        raise SystemExit(1) from None


class ProcessContext:
    """The processes :func:`start_processes` started, to join.

    Args:
        processes (list[multiprocessing.Process]): the processes, by index.
        error_queues (list): one SimpleQueue per process, where it puts its traceback on failure.

    Example::

        >>> import operator
        >>> context = ember.multiprocessing.spawn(operator.add, args=(1,), nprocs=2, join=False)
        >>> while not context.join():
        ...     pass
    """

    def __init__(self, processes, error_queues):
        self.processes, self.error_queues = processes, error_queues
        self.sentinels = {p.sentinel: i for i, p in enumerate(processes)}

    def pids(self):
        """The processes' ids, by index."""
        return [p.pid for p in self.processes]

    def join(self, timeout=None):
        """Waits up to `timeout` seconds (None: until one changes) for the processes.

        Returns:
            bool: True once all exited successfully, False while some still run.

        Raises:
            ProcessRaisedException: a process raised (the others are terminated).
            ProcessExitedException: a process exited with a non-zero code or a signal.
        """
        if not self.sentinels:
            return True
        import multiprocessing.connection  # (here: ember's import does not pay for it)

        ready = multiprocessing.connection.wait(self.sentinels, timeout=timeout)
        failed = None
        for sentinel in ready:
            i = self.sentinels.pop(sentinel)
            p = self.processes[i]
            p.join()
            if p.exitcode != 0:
                failed = i
                break
        if failed is None:
            return not self.sentinels
        for p in self.processes:  # as torch's: one failure stops them all
            if p.is_alive():
                p.terminate()
            p.join()
        p = self.processes[failed]
        if not self.error_queues[failed].empty():
            trace = self.error_queues[failed].get()
            raise ProcessRaisedException(f"\n\n-- Process {failed} terminated with the following error:\n{trace}",
                                         failed, p.pid)
        if p.exitcode < 0:
            name = signal.Signals(-p.exitcode).name
            raise ProcessExitedException(f"process {failed} terminated with signal {name}", failed, p.pid,
                                         p.exitcode, name)
        raise ProcessExitedException(f"process {failed} terminated with exit code {p.exitcode}", failed, p.pid,
                                     p.exitcode)


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Runs ``fn(i, *args)`` in `nprocs` new processes, i = 0 .. nprocs - 1, as torch's.

    Args:
        fn (callable): a function importable by name (the processes pickle it), called with the
            process's index first.
        args (tuple): the other arguments.
        nprocs (int): how many processes.
        join (bool): wait for them all (default) or return their :class:`ProcessContext`.
        daemon (bool): start them as daemons.
        start_method (str): ``"spawn"`` (default), ``"fork"`` or ``"forkserver"``.

    Returns:
        ProcessContext: with ``join=False``; None otherwise.

    Raises:
        ProcessRaisedException: a process raised (its traceback is in the message).
        ProcessExitedException: a process exited with a non-zero code or was killed.

    Example::

        >>> import operator
        >>> ember.multiprocessing.start_processes(operator.add, args=(1,), nprocs=2)
    """
    context = multiprocessing.get_context(start_method)
    queues, processes = [], []
    for i in range(nprocs):
        queue = context.SimpleQueue()
        p = context.Process(target=_wrap, args=(fn, i, args, queue), daemon=daemon)
        p.start()
        queues.append(queue)
        processes.append(p)
    process_context = ProcessContext(processes, queues)
    if not join:
        return process_context
    while not process_context.join():
        pass
    return None


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """:func:`start_processes` with the ``spawn`` start method, as torch.multiprocessing.spawn.

    Args:
        fn (callable): called as ``fn(i, *args)`` in process i; importable by name.
        args (tuple): the other arguments.
        nprocs (int): how many processes.
        join (bool): wait for them (default) or return their :class:`ProcessContext`.
        daemon (bool): start them as daemons.
        start_method (str): ``"spawn"``.

    Returns:
        ProcessContext: with ``join=False``; None otherwise.

    Example::

        >>> import operator
        >>> ember.multiprocessing.spawn(operator.add, args=(1,), nprocs=2)
    """
    return start_processes(fn, args, nprocs, join, daemon, start_method)

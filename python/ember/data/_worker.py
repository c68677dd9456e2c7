"""What runs inside a DataLoader worker process: seeding, get_worker_info, the fetch loop, and the
wrapper that carries an exception with its traceback back to the main process."""
import dataclasses
import itertools
import os
import pickle
import queue
import random
import sys
import traceback

import ember
from ember.data import _transport

# How often a waiting worker checks that its parent is alive, and a waiting main process that
# its workers are (seconds).
STATUS_CHECK_INTERVAL = 1.0

_worker_info = None


@dataclasses.dataclass(frozen=True)
class WorkerInfo:
    """What :func:`get_worker_info` returns inside a worker (the DataLoader makes it).

    Args:
        id (int): this worker's id, in ``[0, num_workers - 1]``.
        num_workers (int): the number of workers.
        seed (int): the seed of this worker's ember and ``random`` generators (the epoch's base
            seed + id).
        dataset: this worker's copy of the dataset.
        rng: None (PyTorch's thread workers keep their generators here).
        worker_method (str): ``"multiprocessing"``.

    Example::

        >>> def init(worker_id):   # a worker_init_fn
        ...     info = ember.data.get_worker_info()
        ...     assert info.id == worker_id and 0 <= info.id < info.num_workers
        >>> loader = ember.data.DataLoader(range(4), num_workers=2, worker_init_fn=init)
        >>> sorted(int(x) for x in loader)
        [0, 1, 2, 3]
    """

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None  # torch's thread workers keep their generators here; process workers do not
    worker_method: str = "multiprocessing"


def get_worker_info():
    """Information about the DataLoader worker process that calls it, or None in the main process.

    Use it in an IterableDataset's ``__iter__`` or a ``worker_init_fn`` to give each worker's copy
    of the dataset its own share, or to seed other libraries from ``seed``.

    Returns:
        WorkerInfo or None: ``id``, ``num_workers``, ``seed`` and ``dataset`` of this worker.

    Example::

        >>> ember.data.get_worker_info() is None   # the main process
        True
    """
    return _worker_info


@dataclasses.dataclass(frozen=True)
class IterableEnd:
    """A worker's reply once its copy of an IterableDataset is exhausted."""

    worker_id: int


@dataclasses.dataclass(frozen=True)
class ResumeIteration:
    """Sent to persistent workers at the start of each epoch after the first."""


class ExceptionWrapper:
    """An exception caught in a worker, with its formatted traceback (picklable)."""

    def __init__(self, where):
        exc_type, exc, tb = sys.exc_info()
        try:
            pickle.dumps(exc_type)
        except Exception:  # a class pickle cannot name (defined in a function): keep the message
            exc_type = RuntimeError
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where

    def reraise(self):
        """Raises the same exception type in the caller, the worker's traceback in the message."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            raise KeyError(_KeyErrorMessage(msg))
        try:
            exception = self.exc_type(msg)
        except Exception:  # an exception type that takes other arguments
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            del exception  # no cycle exception -> traceback -> this frame: the iterator dies with its last reference


class _KeyErrorMessage(str):
    """KeyError prints its argument's repr, which would put the traceback on one line."""

    def __repr__(self):
        return str(self)


def _main_watch(main_pid):
    """A function telling whether the loader's process still runs. A fork or spawn worker's parent
    is that process, and its parent id changes when it dies. A forkserver worker's parent is the
    server, and a worker that starts after the loader died has another parent already: for those
    the kernel is asked about main_pid."""
    if os.getppid() == main_pid:
        return lambda: os.getppid() == main_pid

    def alive():
        try:
            os.kill(main_pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True
    return alive


def worker_loop(make_fetcher, dataset, index_queue, result_queue, done_event, base_seed, init_fn,
                worker_id, num_workers, shared_prefix, main_pid):
    """The body of a worker process: fetch ``(task, index)`` from ``index_queue`` and put
    ``(task, batch)`` on ``result_queue`` until told to stop (None), the parent dies, or Ctrl-C."""
    global _worker_info
    try:
        # OpenMP in a forked child may hang if the parent ran parallel regions; one thread per
        # worker also keeps the workers from oversubscribing the cores (as torch does)
        ember.set_num_threads(1)
        seed = base_seed + worker_id
        _seed_worker_seeds(seed, base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_error = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = make_fetcher(dataset)
        except Exception:
            init_error = ExceptionWrapper(f"in DataLoader worker process {worker_id}")
        ended = False
        counter = itertools.count()
        prefix = shared_prefix and f"{shared_prefix}w{worker_id}-"

        def send(task, data):
            result_queue.put(_pack(task, data, worker_id, prefix, next(counter)))

        main_alive = _main_watch(main_pid)  # read once the worker runs: the loader may be gone by then
        while main_alive():
            try:
                r = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if r is None:
                break
            if isinstance(r, ResumeIteration):
                send(r, None)
                ended = False
                fetcher = make_fetcher(dataset)
                continue
            if done_event.is_set() or ended:
                continue
            task, index = r
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher(index)
                except StopIteration:
                    data, ended = IterableEnd(worker_id), True
                except Exception:
                    data = ExceptionWrapper(f"in DataLoader worker process {worker_id}")
            send(task, data)
            del data, r, index
        if not main_alive():
            # the main process died without cleaning up (SIGKILL, a crash): nobody will map the
            # batches this worker sent, so their shared files go with it
            _transport.remove_leftovers(prefix)
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        # leave without flushing results nobody will read (else the exit would block on the pipe)
        result_queue.cancel_join_thread()
        result_queue.close()


def _pack(task, data, worker_id, prefix, counter):
    """Pickles a result here rather than in the queue's feeder thread, where a failure would be
    printed and the result lost (the main process would wait for it forever)."""
    try:
        return _transport.pack((task, data), prefix, counter)
    except Exception:
        return _transport.pack((task, ExceptionWrapper(f"in DataLoader worker process {worker_id}")), None, counter)


def _seed_worker_seeds(seed, base_seed, worker_id):
    """Seeds Python's random and ember's default generator with ``seed``, and NumPy's global
    generator with the state torch derives from (base_seed, worker_id)."""
    random.seed(seed)
    # ember's seeds are 64-bit: the same seed as the unsigned value past 2^63 - 1
    seed &= (1 << 64) - 1
    ember.manual_seed(seed - (1 << 64) if seed >= 1 << 63 else seed)
    import numpy as np

    # numpy's SeedSequence hash of [id, low, high, 0]: the state torch gives NumPy's generator
    entropy = [worker_id, base_seed & 0xFFFF_FFFF, base_seed >> 32, 0]
    np.random.seed(np.random.SeedSequence(entropy).generate_state(4))

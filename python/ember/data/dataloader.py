"""DataLoader: batches of a dataset, loaded in the main process or in parallel worker processes,
with torch.utils.data.DataLoader's arguments, defaults, errors and seeding."""
import atexit
import functools
import itertools
import math
import multiprocessing
import os
import queue
import warnings
import weakref

import ember
from ember.data import _transport, _worker
from ember.data._collate import default_collate, default_convert
from ember.data.dataset import IterableDataset, _TensorBatch
from ember.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader"]

_live_iterators = weakref.WeakSet()  # iterators with workers, stopped at exit
_exiting = False


def _stop_all_at_exit():
    """Stops the workers of the iterators still alive (persistent ones, an epoch cut short) while
    the modules are intact, then lets the interpreter's teardown skip them."""
    global _exiting
    for it in list(_live_iterators):
        it._shutdown_workers()
    _exiting = True


atexit.register(_stop_all_at_exit)


def _widen_pipe(q):
    """Grows the result queue's pipe (64 KiB by default on Linux) to the most an unprivileged process
    may ask for (1 MiB by default): a message then crosses in one read instead of one per 64 KiB,
    each a context switch between a worker and the main process (a batch of 64 3x32x32 images sent
    through the pipe came 2x faster)."""
    try:
        import fcntl

        with open("/proc/sys/fs/pipe-max-size") as f:
            size = int(f.read())
        fcntl.fcntl(q._writer.fileno(), fcntl.F_SETPIPE_SZ, size)
    except (ImportError, AttributeError, OSError, ValueError):  # not Linux: keep the default
        pass


class _InfiniteConstantSampler(Sampler):
    """The sampler of an IterableDataset: yields None forever (the dataset decides when to end)."""

    def __iter__(self):
        while True:
            yield None


class _MapFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        getitems = getattr(dataset, "__getitems__", None)
        self.getitems = getitems if callable(getitems) else None

    def __call__(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.getitems is not None:
            data = self.getitems(index)
            if type(data) is _TensorBatch and self.collate_fn is not default_collate:
                data = list(data)  # other collate functions get the list of samples
        else:
            data = [self.dataset[i] for i in index]
        return self.collate_fn(data)


class _IterableFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.it = iter(dataset)
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.ended = False

    def __call__(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.it))
        data = list(itertools.islice(self.it, len(index)))
        if len(data) < len(index):
            self.ended = True
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def _make_fetcher(iterable, auto_collation, collate_fn, drop_last, dataset):
    kind = _IterableFetcher if iterable else _MapFetcher
    return kind(dataset, auto_collation, collate_fn, drop_last)


class DataLoader:
    """Iterates over a dataset in batches: a sampler orders the indices, a batch sampler groups
    them, the dataset gives the samples and ``collate_fn`` merges them, in the main process
    (``num_workers=0``) or in worker processes.

    Workers are real processes (the default start method: fork on Linux), each holding
    ``prefetch_factor`` batches in flight; batches come back in the sampler's order. Each worker
    seeds ember's default generator and Python's ``random`` with the epoch's base seed + its id
    (the base seed drawn from ``generator``, else ember's default generator, once per epoch; once
    per worker lifetime with ``persistent_workers``, as in PyTorch) and runs ember on one thread. A worker's exception is raised again in the main process, of the
    same type, with the worker's traceback in the message. Breaking out of the loop, an error,
    garbage collection of the iterator and interpreter exit stop the workers.

    A TensorDataset with the default collate is gathered with one indexing op per tensor per
    batch.

    Args:
        dataset (Dataset): the map-style or iterable dataset to load from.
        batch_size (int, optional): samples per batch; None turns batching off. Default: ``1``.
        shuffle (bool, optional): a new random order each epoch. Default: ``False``.
        sampler (Sampler or Iterable, optional): the order of the indices (not with ``shuffle``).
        batch_sampler (Sampler or Iterable, optional): yields lists of indices (not with
            ``batch_size``, ``shuffle``, ``sampler`` or ``drop_last``).
        num_workers (int, optional): worker processes; 0 loads in the main process. Default: ``0``.
        collate_fn (Callable, optional): merges a list of samples into a batch. Default:
            :func:`default_collate` (:func:`default_convert` without batching).
        pin_memory (bool, optional): accepted; ember has no accelerator yet, so a no-op (with
            PyTorch's warning). Default: ``False``.
        drop_last (bool, optional): drop the last, short batch. Default: ``False``.
        timeout (float, optional): seconds to wait for a batch from the workers before raising
            RuntimeError; 0 waits forever. Default: ``0``.
        worker_init_fn (Callable, optional): called in each worker with its id after seeding.
        multiprocessing_context (str or multiprocessing context, optional): the workers' start
            method. Default: multiprocessing's default.
        generator (ember.Generator, optional): the source of the shuffle and of the workers' base
            seed. Default: ember's default generator.
        prefetch_factor (int, optional): batches in flight per worker. Default: ``2`` with
            workers, and must be None without.
        persistent_workers (bool, optional): keep the workers across epochs. Default: ``False``.
        pin_memory_device (str, optional): deprecated in PyTorch; accepted. Default: ``""``.
        in_order (bool, optional): return batches in the sampler's order; False returns each as it
            arrives. Default: ``True``.

    Example::

        >>> ds = ember.data.TensorDataset(ember.arange(10.0), ember.arange(10))
        >>> loader = ember.data.DataLoader(ds, batch_size=4, drop_last=True)
        >>> len(loader)
        2
        >>> [y.tolist() for _, y in loader]
        [[0, 1, 2, 3], [4, 5, 6, 7]]
    """

    _initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers "
                             "> 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        self._is_iterable = isinstance(dataset, IterableDataset)
        if self._is_iterable:
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                                 f"shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler option, but got "
                                 f"sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler option, but "
                                 f"got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        if sampler is None:
            if self._is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._IterableDataset_len_called = None
        self._iterator = None
        self._initialized = True
        self.check_worker_number_rationality()

    @property
    def multiprocessing_context(self):
        """The multiprocessing context the workers start from (None: multiprocessing's default)."""
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context):
        if context is not None:
            if self.num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process loading "
                                 f"(num_workers > 0), but got num_workers={self.num_workers}")
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError("multiprocessing_context option should specify a valid start method in "
                                     f"{methods!r}, but got multiprocessing_context={context!r}")
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError("multiprocessing_context option should be a valid context object or a string "
                                f"specifying the start method, but got multiprocessing_context={context}")
        self._multiprocessing_context = context

    def __setattr__(self, attr, val):
        if self._initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                                          "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if not self.persistent_workers:
            return _MultiProcessIter(self)
        if self._iterator is None:
            self._iterator = _MultiProcessIter(self)
        else:
            self._iterator._reset(self)
        return self._iterator

    def __len__(self):
        if self._is_iterable:
            # a guess PyTorch also makes: the dataset's length in batches
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self):
        """Warns when ``num_workers`` exceeds the CPUs this process may use, as PyTorch does.

        Example::

            >>> ember.data.DataLoader(range(4)).check_worker_number_rationality()   # no workers: silent
        """
        if self.num_workers == 0:
            return
        has_affinity = hasattr(os, "sched_getaffinity")
        cpus = len(os.sched_getaffinity(0)) if has_affinity else os.cpu_count()
        if cpus is None or self.num_workers > cpus:
            suggestion = (f"Our suggested max number of worker in current system is {cpus}"
                          f"{'' if has_affinity else ' (`cpuset` is not taken into account)'}, which is smaller "
                          "than what this DataLoader is going to create." if cpus is not None else
                          "DataLoader is not able to compute a suggested max number of worker in current system.")
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in total. {suggestion} "
                          "Please be aware that excessive worker creation might get DataLoader running slow or "
                          "even freeze, lower the worker number to avoid potential slowness/freeze if necessary.",
                          stacklevel=2)


class _BaseIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._is_iterable = loader._is_iterable
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._collate_fn = loader.collate_fn
        self._timeout = loader.timeout
        self._persistent_workers = loader.persistent_workers
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        if loader.pin_memory and not ember.accelerator.is_available():
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device pinned "
                          "memory won't be used.", stacklevel=3)
        self._sampler_iter = iter(self._index_sampler)
        # one draw per epoch (per iterator): the workers' base seed, as PyTorch's
        self._base_seed = int(ember.empty((), dtype=ember.int64).random_(generator=loader.generator).item())
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (self._is_iterable and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            msg = (f"Length of IterableDataset {self._dataset} was reported to be {self._IterableDataset_len_called}"
                   f"(when accessing len(dataloader)), but {self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                msg += ("For multiprocessing data-loading, this could be caused by not properly configuring the "
                        "IterableDataset replica at each worker.")
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{type(self).__name__} cannot be pickled")


class _SingleProcessIter(_BaseIter):
    def __init__(self, loader):
        super().__init__(loader)
        self._fetch = _make_fetcher(self._is_iterable, self._auto_collation, self._collate_fn, self._drop_last,
                                    self._dataset)

    def _next_data(self):
        return self._fetch(self._next_index())


class _MultiProcessIter(_BaseIter):
    """Workers with an index queue each and one shared result queue. Tasks are numbered as they
    are sent (round robin over the live workers, prefetch_factor per worker in flight); results
    that arrive early wait in _task_info until their turn (in_order)."""

    def __init__(self, loader):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        context = loader.multiprocessing_context or multiprocessing.get_context()
        self._result_queue = context.Queue()
        _widen_pipe(self._result_queue)
        self._done_event = context.Event()
        self._shutdown = False
        self._index_queues, self._workers = [], []
        self._shared_prefix = _transport.shared_prefix(f"{os.getpid()}-{id(self):x}")
        _live_iterators.add(self)
        make_fetcher = functools.partial(_make_fetcher, self._is_iterable, self._auto_collation, self._collate_fn,
                                         self._drop_last)
        try:
            for i in range(self._num_workers):
                index_queue = context.Queue()
                index_queue.cancel_join_thread()  # the main process never blocks on exit for unsent indices
                w = context.Process(target=_worker.worker_loop, daemon=True,
                                    args=(make_fetcher, self._dataset, index_queue, self._result_queue,
                                          self._done_event, self._base_seed, loader.worker_init_fn, i,
                                          self._num_workers, self._shared_prefix, os.getpid()))
                w.start()
                self._index_queues.append(index_queue)
                self._workers.append(w)
        except BaseException:
            self._shutdown_workers()
            raise
        self._reset(loader, first=True)

    def _reset(self, loader, first=False):
        super()._reset(loader)
        self._send_idx = 0  # the next task to send
        self._rcvd_idx = 0  # the next task to return
        self._task_info = {}  # task -> (worker,) while in flight, (worker, data) once arrived early
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        if not first:  # persistent workers: start a new epoch in each
            for q in self._index_queues:
                q.put(_worker.ResumeIteration())
            pending = self._num_workers
            while pending > 0:
                task, _ = self._get_data()
                if isinstance(task, _worker.ResumeIteration):
                    pending -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_get_data(self, timeout):
        try:
            return True, _transport.unpack(self._result_queue.get(timeout=timeout))
        except queue.Empty:
            pass
        failed = [w for i, w in enumerate(self._workers) if self._workers_status[i] and not w.is_alive()]
        if failed:
            for i, w in enumerate(self._workers):
                if w in failed:
                    self._mark_worker_unavailable(i)
            pids = ", ".join(str(w.pid) for w in failed)
            raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly")
        return False, None

    def _get_data(self):
        if self._timeout > 0:
            ok, data = self._try_get_data(self._timeout)
            if not ok:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            return data
        while True:
            ok, data = self._try_get_data(_worker.STATUS_CHECK_INTERVAL)
            if ok:
                return data

    def _next_data(self):
        while True:
            # skip tasks of workers that ended (an IterableDataset's) without a result
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info and (len(info) == 2 or self._workers_status[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:  # arrived earlier
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process(data, worker_id)
            task, data = self._get_data()
            self._tasks_outstanding -= 1
            if isinstance(data, _worker.IterableEnd):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if task != self._rcvd_idx:
                if not self._in_order:
                    return self._process(data, self._task_info.pop(task)[0])
                self._task_info[task] += (data,)
                continue
            worker_id = self._task_info.pop(task)[0]
            self._rcvd_idx += 1
            return self._process(data, worker_id)

    def _try_put_index(self):
        max_tasks = self._prefetch_factor * self._num_workers
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):  # the next live worker with room
            worker_id = next(self._worker_cycle)
            if self._workers_status[worker_id] and (
                    self._in_order or self._workers_num_tasks[worker_id] < max_tasks // sum(self._workers_status)):
                break
        else:
            return
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._workers_num_tasks[worker_id] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process(self, data, worker_id):
        self._workers_num_tasks[worker_id] -= 1
        self._try_put_index()
        if isinstance(data, _worker.ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_unavailable(self, worker_id):
        self._index_queues[worker_id].put(None)
        self._workers_status[worker_id] = False

    def _shutdown_workers(self):
        if self._shutdown or _exiting:
            return
        self._shutdown = True
        try:
            self._done_event.set()
            for q in self._index_queues:
                try:
                    q.put(None)  # the worker leaves its loop
                except (OSError, ValueError):
                    pass
            for w in self._workers:
                w.join(timeout=_worker.STATUS_CHECK_INTERVAL)
            for q in self._index_queues:
                q.close()
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=_worker.STATUS_CHECK_INTERVAL)
            self._result_queue.cancel_join_thread()
            self._result_queue.close()
            _transport.remove_leftovers(self._shared_prefix)

    def __del__(self):
        if hasattr(self, "_shutdown"):
            self._shutdown_workers()

"""DataLoader with worker processes: the same batches as the main process, per-worker seeds that
repeat under a generator, errors with the worker's traceback, timeouts, and shutdown (break, error,
KeyboardInterrupt, garbage collection, interpreter exit) that leaves no process behind.

Kept few and small: each loader starts processes. Every test runs under an alarm, so a hang fails."""
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import ember
from ember.data import DataLoader, Dataset, IterableDataset, get_worker_info

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fork-based workers")


@pytest.fixture(autouse=True)
def deadline():
    def expired(signum, frame):
        raise TimeoutError("the test hung")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def alive(pid):
    """Whether the process runs (a zombie has exited)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def wait_gone(pids, seconds=10.0):
    end = time.monotonic() + seconds
    while any(alive(p) for p in pids) and time.monotonic() < end:
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


class Probe(Dataset):
    """Each sample says who made it: the index, the worker, its seed, and draws from ember's and
    Python's generators."""

    def __init__(self, n, fail_at=None, exit_at=None, sleep=0.0):
        self.n, self.fail_at, self.exit_at, self.sleep = n, fail_at, exit_at, sleep

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.fail_at:
            raise ValueError(f"sample {i} is broken")
        if i == self.exit_at:
            os._exit(3)
        time.sleep(self.sleep)
        info = get_worker_info()
        return {"i": i, "worker": info.id, "num_workers": info.num_workers, "seed": info.seed,
                "ember": ember.rand(1).item(), "random": random.random(), "numpy": np.random.random(),
                "pid": os.getpid(),
                "same_dataset": type(info.dataset) is Probe and info.dataset.n == self.n}


def records(loader):
    """One dict per sample from batches of Probe's collated dicts."""
    out = []
    for b in loader:
        for j in range(len(b["i"])):
            out.append({k: (v[j].item() if hasattr(v, "tolist") else v[j]) for k, v in b.items()})
    return out


def test_same_batches_as_the_main_process_in_order():
    data = ember.data.TensorDataset(ember.randn(37, 4), ember.arange(37))
    kw = dict(batch_size=5, shuffle=True)
    main = list(DataLoader(data, generator=ember.Generator().manual_seed(1), **kw))
    it = iter(DataLoader(data, num_workers=2, prefetch_factor=3, generator=ember.Generator().manual_seed(1), **kw))
    assert it._send_idx == 6  # prefetch_factor batches in flight per worker
    workers = list(it)
    assert len(main) == len(workers) == 8
    for (x0, y0), (x1, y1) in zip(main, workers):
        assert ember.equal(x0, x1) and ember.equal(y0, y1)
    unordered = list(DataLoader(data, num_workers=2, prefetch_factor=1, in_order=False,
                                generator=ember.Generator().manual_seed(1), **kw))
    assert sorted(y.tolist() for _, y in unordered) == sorted(y.tolist() for _, y in main)


def shared_files():
    return [f for f in os.listdir("/dev/shm") if f.startswith(f"ember-loader-{os.getpid()}-")] \
        if os.path.isdir("/dev/shm") else []


def test_large_batches_cross_in_shared_memory_intact():
    x = ember.randn(64, 3, 32, 32)
    y = ember.arange(64)
    data = ember.data.TensorDataset(x, y)
    loader = DataLoader(data, batch_size=16, num_workers=2)
    batches = list(loader)
    assert len(batches) == 4
    for k, (bx, by) in enumerate(batches):
        assert ember.equal(bx, x[16 * k:16 * (k + 1)]) and ember.equal(by, y[16 * k:16 * (k + 1)])
        bx.mul_(2)  # writable, and its own memory
    assert ember.equal(batches[0][0], x[:16] * 2) and shared_files() == []
    it = iter(DataLoader(data, batch_size=8, num_workers=2))
    next(it)
    time.sleep(0.2)  # the workers write their prefetched batches
    del it  # an epoch cut short: the unread batches' files go too
    assert shared_files() == []


def test_worker_seeds_differ_per_worker_and_epoch_and_repeat_under_a_generator():
    def base_seed(seed):  # the loader's first draw from its generator each epoch
        return ember.empty((), dtype=ember.int64).random_(generator=ember.Generator().manual_seed(seed)).item()

    loader = DataLoader(Probe(8), batch_size=2, num_workers=2, generator=ember.Generator().manual_seed(5))
    epoch1, epoch2 = records(loader), records(loader)
    assert [r["i"] for r in epoch1] == list(range(8))
    assert [r["worker"] for r in epoch1] == [0, 0, 1, 1, 0, 0, 1, 1]  # round robin, batch by batch
    assert all(r["num_workers"] == 2 and r["same_dataset"] for r in epoch1)
    assert {r["seed"] for r in epoch1} == {base_seed(5), base_seed(5) + 1}
    assert len({r["pid"] for r in epoch1} | {os.getpid()}) == 3
    for key in ("ember", "random", "numpy"):
        by_worker = [[r[key] for r in epoch1 if r["worker"] == w] for w in (0, 1)]
        assert by_worker[0] != by_worker[1], key
        assert [r[key] for r in epoch1] != [r[key] for r in epoch2], key
    again = records(DataLoader(Probe(8), batch_size=2, num_workers=2, generator=ember.Generator().manual_seed(5)))
    torch_worker = pytest.importorskip("torch.utils.data._utils.worker")
    for first, wid in ((epoch1[0], 0), (epoch1[2], 1)):  # NumPy's state is the one torch derives
        state = torch_worker._generate_state(base_seed(5), wid)
        assert first["worker"] == wid and first["numpy"] == np.random.RandomState(state).random_sample()
    keys = ("seed", "ember", "random", "numpy")
    assert [[r[k] for k in keys] for r in again] == [[r[k] for k in keys] for r in epoch1]


def test_persistent_workers_live_across_epochs_and_others_do_not():
    loader = DataLoader(Probe(4), batch_size=2, num_workers=2, persistent_workers=True)
    a, b = records(loader), records(loader)
    pids = {r["pid"] for r in a}
    assert pids == {r["pid"] for r in b} and all(alive(p) for p in pids)
    assert [r["i"] for r in b] == [0, 1, 2, 3]
    del loader
    assert wait_gone(pids) == []
    loader = DataLoader(Probe(4), batch_size=2, num_workers=2)
    first = {r["pid"] for r in records(loader)}
    assert wait_gone(first) == []  # an exhausted epoch stops its workers
    assert first.isdisjoint({r["pid"] for r in records(loader)})


def test_worker_exception_carries_the_workers_traceback():
    it = iter(DataLoader(Probe(10, fail_at=3), batch_size=1, num_workers=2))
    pids = [w.pid for w in it._workers]
    assert [next(it)["i"].item() for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ValueError) as info:
        next(it)
    msg = str(info.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 1.\nOriginal Traceback")
    assert "in __getitem__" in msg and "sample 3 is broken" in msg
    del it, info  # the traceback holds the iterator's frames
    assert wait_gone(pids) == []


def test_worker_init_fn_runs_in_each_worker_and_its_errors_reach_the_main_process():
    def init(worker_id):
        info = get_worker_info()
        info.dataset.n = 100 + worker_id  # this worker's copy only
        if worker_id == 1:
            raise KeyError("no such shard")

    loader = DataLoader(Probe(4), batch_size=1, num_workers=2, worker_init_fn=init)
    it = iter(loader)
    assert next(it)["i"].item() == 0
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 1") as info:
        next(it)
    assert "no such shard" in str(info.value)
    assert loader.dataset.n == 4


def test_break_mid_epoch_and_keyboard_interrupt_stop_the_workers():
    for interrupt in (False, True):
        it = iter(DataLoader(Probe(40), batch_size=2, num_workers=2))
        pids = [w.pid for w in it._workers]
        try:
            for k, _ in enumerate(it):
                if k == 2:
                    if interrupt:
                        raise KeyboardInterrupt
                    break
        except KeyboardInterrupt:
            pass
        assert all(alive(p) for p in pids)
        del it
        assert wait_gone(pids) == [], interrupt


def test_timeout_raises_runtime_error():
    it = iter(DataLoader(Probe(4, sleep=0.8), num_workers=1, timeout=0.2))
    pids = [w.pid for w in it._workers]
    t = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.2 seconds"):
        next(it)
    assert time.monotonic() - t < 0.75
    del it
    assert wait_gone(pids) == []


def test_a_worker_that_dies_is_reported():
    it = iter(DataLoader(Probe(4, exit_at=1), batch_size=1, num_workers=2))
    next(it)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"):
        next(it)


class Shards(IterableDataset):
    def __init__(self, n, shard):
        self.n, self.shard = n, shard

    def __iter__(self):
        info = get_worker_info()
        if not self.shard or info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


def test_iterable_dataset_is_replicated_per_worker():
    sharded = [int(x) for b in DataLoader(Shards(11, True), batch_size=3, num_workers=2) for x in b]
    assert sorted(sharded) == list(range(11))  # no duplicates: each worker took its share
    copies = [int(x) for b in DataLoader(Shards(5, False), batch_size=2, num_workers=2) for x in b]
    assert sorted(copies) == sorted(list(range(5)) * 2)  # without sharding, every worker yields all
    dropped = list(DataLoader(Shards(11, True), batch_size=3, num_workers=2, drop_last=True))
    assert all(len(b) == 3 for b in dropped) and len(dropped) == 3  # each worker's short tail is dropped
    persistent = DataLoader(Shards(6, True), batch_size=2, num_workers=2, persistent_workers=True)
    assert sorted(int(x) for _ in range(2) for b in persistent for x in b) == sorted(list(range(6)) * 2)


class EmberWork(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        x = ember.full((3, 256, 256), float(i))  # big enough for ember's parallel loops
        return (ember.exp(x * 0.001) @ ember.ones(256, 8)).sum()


def test_workers_after_the_parent_ran_threaded_ops_do_not_hang():
    # the parent runs OpenMP and OpenBLAS threads before the fork; the workers run ember ops
    a = ember.randn(1024, 1024)
    (a @ a).sum()
    ember.exp(ember.randn(4_000_000)).sum()
    out = [x for b in DataLoader(EmberWork(), batch_size=2, num_workers=2) for x in b.tolist()]
    expected = [(ember.exp(ember.full((3, 256, 256), float(i)) * 0.001) @ ember.ones(256, 8)).sum().item()
                for i in range(8)]
    assert out == pytest.approx(expected, rel=1e-5)


def test_interpreter_exit_and_ctrl_c_leave_no_workers(tmp_path):
    script = textwrap.dedent("""
        import os, signal, sys, time, ember
        class Slow(ember.data.Dataset):
            def __len__(self):
                return 1000
            def __getitem__(self, i):
                return ember.full((20000,), float(i))  # 80 kB: batches cross in shared memory
        loaders = [ember.data.DataLoader(Slow(), num_workers=2, persistent_workers=True),
                   ember.data.DataLoader(Slow(), num_workers=2)]
        its = [iter(l) for l in loaders]
        for it in its:
            next(it)
        print(os.getpid(), " ".join(str(w.pid) for it in its for w in it._workers), flush=True)
        if sys.argv[1] == "interrupt":
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C in the main process, mid-epoch
            for _ in range(300):  # another thread may take the signal: the main one raises in here, not after exit
                time.sleep(0.1)
        """)
    path = tmp_path / "loader_exit.py"
    path.write_text(script)
    for mode in ("exit", "interrupt"):
        run = subprocess.run([sys.executable, str(path), mode], capture_output=True, text=True, timeout=50,
                             check=False)
        parent, *pids = [int(p) for p in run.stdout.split()]
        assert len(pids) == 4, run.stderr
        assert (run.returncode != 0) == (mode == "interrupt"), run.stderr
        if mode == "interrupt":
            assert "KeyboardInterrupt" in run.stderr
        assert wait_gone(pids) == [], mode
        if os.path.isdir("/dev/shm"):  # no shared batch files left behind
            assert [f for f in os.listdir("/dev/shm") if f.startswith(f"ember-loader-{parent}-")] == []


def test_a_killed_main_process_leaves_no_shared_files(tmp_path):
    if not os.path.isdir("/dev/shm"):
        pytest.skip("batches cross through the pipe where /dev/shm is missing")
    script = textwrap.dedent("""
        import os, time, ember
        class Big(ember.data.Dataset):
            def __len__(self):
                return 1000
            def __getitem__(self, i):
                return ember.full((20000,), float(i))  # 80 kB: batches cross in shared memory
        it = iter(ember.data.DataLoader(Big(), batch_size=2, num_workers=2))
        next(it)
        print(" ".join(str(w.pid) for w in it._workers), flush=True)
        time.sleep(60)  # killed here, with prefetched batches waiting in /dev/shm
        """)
    path = tmp_path / "loader_killed.py"
    path.write_text(script)
    proc = subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in proc.stdout.readline().split()]
    prefix = f"ember-loader-{proc.pid}-"
    deadline = time.monotonic() + 20
    while not any(f.startswith(prefix) for f in os.listdir("/dev/shm")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(f.startswith(prefix) for f in os.listdir("/dev/shm")), "no prefetched batch reached /dev/shm"
    proc.kill()
    proc.wait()
    assert wait_gone(pids) == []  # the workers notice the parent's death and leave
    assert [f for f in os.listdir("/dev/shm") if f.startswith(prefix)] == []

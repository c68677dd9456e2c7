"""Python threads: ops on large tensors release the GIL, so threads compute in parallel; their
results are those of running one after the other; hooks and custom Functions take the GIL back
inside a backward pass that runs without it; set_num_threads is process-wide; grad mode is
per thread and anomaly mode process-wide, as PyTorch's.
"""
import threading
import time

import numpy as np
import pytest

import ember
from autograd_helpers import Cube

N = 256  # 256 x 256 operands: above the size from which ops release the GIL (python/src/gil.h)


def run_threads(fns):
    """Runs each fn on a thread of its own; re-raises the first failure."""
    errors = []

    def wrap(fn):
        try:
            fn()
        except BaseException as e:  # noqa: BLE001  (reported on the main thread)
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def train(seed, steps=3):
    """A few SGD steps of a two-layer model on data from seed; returns its final weights."""
    rng = np.random.default_rng(seed)
    w1 = ember.tensor(rng.standard_normal((N, N)) / 16, requires_grad=True)
    w2 = ember.tensor(rng.standard_normal((N, N)) / 16, requires_grad=True)
    x = ember.tensor(rng.standard_normal((N, N)))
    opt = ember.optim.SGD([w1, w2], lr=0.1, momentum=0.9)
    for _ in range(steps):
        opt.zero_grad()
        loss = (ember.tanh(x @ w1) @ w2).pow(2).mean()
        loss.backward()
        opt.step()
    return w1.detach().numpy().copy(), w2.detach().numpy().copy()


def test_two_threads_training_match_sequential():
    expected = [train(s) for s in (1, 2)]
    got = [None, None]

    def job(i):
        def fn():
            got[i] = train(i + 1)
        return fn

    run_threads([job(0), job(1)])
    for e, g in zip(expected, got):
        for a, b in zip(e, g):
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)


def test_shared_leaf_accumulates_from_both_threads():
    rng = np.random.default_rng(0)
    w = ember.tensor(rng.standard_normal((N, N)), requires_grad=True)
    xs = [rng.standard_normal((N, N)) for _ in range(2)]
    rounds = 5

    def job(x):
        def fn():
            xt = ember.tensor(x)
            for _ in range(rounds):
                (xt @ w).sum().backward()
        return fn

    run_threads([job(x) for x in xs])
    # d/dw sum(x @ w) = x^T 1: every row of the gradient is the column sums of x.
    expected = rounds * sum(np.broadcast_to(x.sum(0)[:, None], (N, N)) for x in xs)
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-10)


def test_python_hook_and_custom_function_run_in_gil_free_backward():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((N, N))
    seen = [[], []]

    def job(i):
        def fn():
            x = ember.tensor(a, requires_grad=True)
            y = Cube.apply(x)
            y.register_hook(lambda g: seen[i].append(g.shape) or g * 2)
            for _ in range(3):
                x.grad = None
                y.sum().backward(retain_graph=True)
                np.testing.assert_allclose(x.grad.numpy(), 6 * a * a, rtol=1e-12)
            (gx,) = ember.autograd.grad(y.sum(), [x])
            np.testing.assert_allclose(gx.numpy(), 6 * a * a, rtol=1e-12)
        return fn

    run_threads([job(0), job(1)])
    assert seen == [[ember.Size([N, N])] * 4] * 2


def test_matmul_lets_other_threads_run():
    a = ember.randn(1024, 1024)
    count = [0]
    stop = threading.Event()

    def counter():
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=counter)
    t.start()
    try:
        progressed = False
        for _ in range(10):  # the counter thread needs a core; retry on a busy machine
            before = count[0]
            ember.matmul(a, a)
            if count[0] > before:
                progressed = True
                break
            time.sleep(0.01)
    finally:
        stop.set()
        t.join()
    assert progressed, "the counter thread made no progress while matmul ran: the GIL was held"


def test_set_num_threads_reaches_threads_started_later():
    before = ember.get_num_threads()
    seen = []
    try:
        ember.set_num_threads(1)
        run_threads([lambda: seen.append(ember.get_num_threads())])
        ember.set_num_threads(2)
        run_threads([lambda: seen.append(ember.get_num_threads())])
    finally:
        ember.set_num_threads(before)
    assert seen == [1, 2]


def test_grad_mode_per_thread_anomaly_mode_process_wide(torch):
    def observe(lib, is_anomaly_enabled):
        seen = []
        lib.autograd.set_detect_anomaly(True)
        try:
            with lib.no_grad():
                run_threads([lambda: seen.append((lib.is_grad_enabled(), is_anomaly_enabled()))])
        finally:
            lib.autograd.set_detect_anomaly(False)
        return seen

    expected = observe(torch, torch.is_anomaly_enabled)
    assert expected == [(True, True)]
    assert observe(ember, ember.autograd.is_anomaly_enabled) == expected

"""Tensors in shared memory (Tensor.share_memory_, Module.share_memory) and ember.multiprocessing:
writes in one process are seen by the others, through fork and through pickling (spawn arguments,
queues), as torch.multiprocessing's; spawn's errors as torch's."""

import multiprocessing as std_mp
import operator
import sys

import numpy as np
import pytest

import ember
import ember.multiprocessing as mp

torch = pytest.importorskip("torch")


def test_share_memory_keeps_values_views_and_identity():
    for dtype in (ember.float32, ember.float64, ember.float16, ember.int64, ember.uint8, ember.bool):
        base = ember.arange(12).reshape(3, 4).to(dtype)
        expected = base.tolist()
        view = base[1:, ::2]
        assert not base.is_shared() and base.share_memory_() is base
        assert base.is_shared() and view.is_shared() and base.tolist() == expected
        view.fill_(0)  # a view taken before still shares the (moved) memory
        assert base[1:, ::2].tolist() == view.tolist() and base[0].tolist() == expected[0]
    assert ember.tensor(2.5).share_memory_().item() == 2.5 and ember.empty(0).share_memory_().is_shared()
    x = ember.ones(3).share_memory_()
    assert x.share_memory_() is x  # a second call changes nothing


def test_arrays_taken_before_keep_the_old_memory():
    x = ember.ones(3)
    a = np.asarray(x)
    x.share_memory_()
    x[0] = 5
    assert a.tolist() == [1.0, 1.0, 1.0] and x.tolist() == [5.0, 1.0, 1.0]  # no dangling pointer (torch's is)


def test_autograd_state_survives():
    w = ember.ones(2, requires_grad=True)
    (w * 3).sum().backward()
    w.share_memory_()
    (w * 3).sum().backward()
    assert w.requires_grad and w.grad.tolist() == [6.0, 6.0]


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_writes_in_a_child_are_seen(method):
    shared = ember.zeros(4).share_memory_()
    private = ember.zeros(4)
    ctx = std_mp.get_context(method)
    for t in (shared, private, shared[1:3]):
        # through mp's pickler as a Process argument (spawn, forkserver) or inherited (fork)
        p = ctx.Process(target=operator.iadd, args=(t, 1.0))
        p.start()
        p.join()
        assert p.exitcode == 0
    assert shared.tolist() == [1.0, 2.0, 2.0, 1.0]
    assert private.tolist() == [0.0] * 4  # an ordinary tensor is the child's copy


def test_queue_passes_shared_tensors_and_parameters_by_memory():
    q = mp.get_context("spawn").SimpleQueue()
    x = ember.zeros(2, 3).share_memory_()
    p = ember.nn.Parameter(ember.zeros(2), requires_grad=False).share_memory_()
    w = ember.nn.Parameter(ember.zeros(2)).share_memory_()
    for sent in (x, x.t(), x[1], p, w):
        q.put(sent)
        got = q.get()
        assert type(got) is type(sent) and got.is_shared() and got.requires_grad == sent.requires_grad
        assert got.shape == sent.shape and got.stride() == sent.stride()
        with ember.no_grad():
            got.add_(1)
    assert x.tolist() == [[2.0, 2.0, 2.0], [3.0, 3.0, 3.0]] and p.tolist() == [1.0, 1.0] and w.tolist() == [1.0, 1.0]
    q.put(ember.ones(2))  # not shared: a copy
    assert not q.get().is_shared()
    with pytest.raises(RuntimeError, match="non-leaf"):
        q.put((ember.ones(2, requires_grad=True) * 2).share_memory_())


def _hogwild_worker(rank, model, steps):
    ember.manual_seed(rank)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        opt.zero_grad()
        model(ember.ones(1, 2)).sum().backward()
        opt.step()


def test_module_share_memory_hogwild():
    model = ember.nn.Linear(2, 1)
    with ember.no_grad():
        model.weight.fill_(0)
        model.bias.fill_(0)
    model.weight.grad = ember.zeros(1, 2)
    assert model.share_memory() is model
    assert all(t.is_shared() for t in (model.weight, model.bias, model.weight.grad))
    ctx = std_mp.get_context("fork")
    workers = [ctx.Process(target=_hogwild_worker, args=(rank, model, 5)) for rank in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
        assert w.exitcode == 0
    # each of the 10 steps moved every parameter by -0.1 (the gradient of sum(x @ w.T + b) is 1)
    np.testing.assert_allclose(model.bias.tolist(), [-1.0], atol=1e-6)
    np.testing.assert_allclose(model.weight.tolist(), [[-1.0, -1.0]], atol=1e-6)


def test_spawn_runs_and_reports_failures_as_torch():
    assert mp.spawn(operator.add, args=(1,), nprocs=2) is None
    context = mp.spawn(operator.add, args=(1,), nprocs=2, join=False)
    assert len(context.pids()) == 2
    while not context.join():
        pass
    with pytest.raises(mp.ProcessRaisedException, match="Process 0 terminated with the following error") as e:
        mp.spawn(operator.truediv, args=(0,), nprocs=1)
    assert "ZeroDivisionError" in str(e.value) and e.value.error_index == 0
    with pytest.raises(mp.ProcessExitedException, match="process 1 terminated with exit code 1") as e:
        mp.spawn(sys.exit, nprocs=2)  # sys.exit(0) in process 0, sys.exit(1) in process 1
    assert e.value.exit_code == 1 and e.value.error_index == 1


def test_names_and_strategies_as_torch():
    missing = {n for n in torch.multiprocessing.__all__ if not hasattr(mp, n)}
    assert missing <= {"init_reductions"}, missing  # torch's hook for its own reducers
    assert issubclass(mp.ProcessRaisedException, mp.ProcessException)
    assert mp.get_sharing_strategy() == "file_descriptor" and mp.get_all_sharing_strategies() == {"file_descriptor"}
    with pytest.raises(ValueError, match="file_descriptor"):
        mp.set_sharing_strategy("file_system")
    assert ember.multiprocessing.Process is std_mp.Process

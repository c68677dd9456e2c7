"""Run by test_groups.py as 3 MPI ranks: the rooted collectives (reduce, gather, scatter), all-to-all,
point-to-point messages, the object collectives, and subgroups made by new_group, against NumPy.
Prints "rank R: N checks passed"; any failure raises, which aborts the job."""
import datetime
import warnings

import ember
import ember.distributed as dist
import numpy as np

RO = dist.ReduceOp
dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=30))
RANK, WORLD = dist.get_rank(), dist.get_world_size()
assert WORLD == 3, "run with 3 ranks"
DTYPES = (ember.float32, ember.float64, ember.float16, ember.int64, ember.uint8, ember.bool)
checks = 0


def data(rank, dtype, shape=(2, 3)):
    rng = np.random.default_rng(7 + rank)
    if dtype == ember.bool:
        return rng.random(shape) > 0.5
    return rng.integers(0, 5, shape).astype(ember.empty(0, dtype=dtype).numpy().dtype)


def check(got, want, what):
    global checks
    got = got.numpy() if isinstance(got, ember.Tensor) else np.asarray(got)
    want = np.asarray(want)
    assert got.shape == want.shape and np.array_equal(got, want.astype(got.dtype)), \
        f"rank {RANK}: {what}: got {got}, want {want}"
    checks += 1


def raises(exc, text, fn, *args, **kwargs):
    global checks
    try:
        fn(*args, **kwargs)
    except exc as e:
        assert text in str(e), f"rank {RANK}: {fn.__name__}: message {e!r} lacks {text!r}"
        checks += 1
        return
    raise AssertionError(f"rank {RANK}: {fn.__name__}{args} did not raise {exc.__name__}")


every = {dt: [data(r, dt) for r in range(WORLD)] for dt in DTYPES}

# reduce: only dst holds the result; the others keep their input
for dt in DTYPES:
    for dst in range(WORLD):
        op = RO.SUM if dt != ember.bool else RO.MAX
        t = ember.tensor(every[dt][RANK])
        dist.reduce(t, dst=dst, op=op)
        want = np.stack(every[dt]).any(0) if dt == ember.bool else np.stack(every[dt]).sum(0, dtype=every[dt][0].dtype)
        check(t, want if RANK == dst else every[dt][RANK], f"reduce dst={dst} {dt}")
t = ember.tensor(every[ember.float64][RANK])
dist.reduce(t, group_dst=1, op=RO.AVG)
if RANK == 1:
    check(t, np.stack(every[ember.float64]).mean(0), "reduce AVG group_dst=1")
t = ember.tensor(every[ember.int64][RANK])
dist.reduce(t, 2, RO.MAX)
if RANK == 2:
    check(t, np.stack(every[ember.int64]).max(0), "reduce MAX")

# gather and scatter from every root, every dtype
for dt in DTYPES:
    for root in range(WORLD):
        out = [ember.zeros(2, 3, dtype=dt) for _ in range(WORLD)] if RANK == root else None
        assert dist.gather(ember.tensor(every[dt][RANK]), out, dst=root) is None
        if RANK == root:
            for r in range(WORLD):
                check(out[r], every[dt][r], f"gather dst={root} [{r}] {dt}")
        t = ember.zeros(2, 3, dtype=dt)
        parts = [ember.tensor(a) for a in every[dt]] if RANK == root else None
        dist.scatter(t, parts, src=root)
        check(t, every[dt][RANK], f"scatter src={root} {dt}")
out = [ember.zeros(3) for _ in range(WORLD)] if RANK == 0 else []
dist.gather(ember.arange(3.0) + RANK, out)  # dst defaults to 0; [] stands for "no list" elsewhere
if RANK == 0:
    check(ember.stack(out), np.arange(3.0)[None] + np.arange(WORLD)[:, None], "gather default dst")
work = dist.scatter(ember.zeros(1), [ember.ones(1) * r for r in range(WORLD)] if RANK == 0 else None, async_op=True)
assert isinstance(work, dist.Work) and work.wait()
checks += 1

# all_to_all_single: equal blocks, then uneven ones (rank r sends r + 1 rows to each peer)
x = ember.arange(WORLD * 2.0).reshape(WORLD, 2) + 100 * RANK
out = ember.zeros(WORLD, 2)
dist.all_to_all_single(out, x)
check(out, np.stack([np.arange(2.0 * RANK, 2.0 * RANK + 2) + 100 * r for r in range(WORLD)]), "all_to_all_single")
send = ember.full((WORLD * (RANK + 1), 2), float(RANK))
out = ember.zeros(sum(r + 1 for r in range(WORLD)), 2)
dist.all_to_all_single(out, send, output_split_sizes=[r + 1 for r in range(WORLD)],
                       input_split_sizes=[RANK + 1] * WORLD)
check(out, np.concatenate([np.full((r + 1, 2), float(r)) for r in range(WORLD)]), "all_to_all_single uneven")
ins = [ember.full((RANK + 1,), float(10 * RANK + peer), dtype=ember.float64) for peer in range(WORLD)]
outs = [ember.zeros(r + 1, dtype=ember.float64) for r in range(WORLD)]
dist.all_to_all(outs, ins)
for r in range(WORLD):
    check(outs[r], np.full(r + 1, 10.0 * r + RANK), f"all_to_all from {r}")

# point to point: a ring through batch_isend_irecv, tags matched out of order, any-source recv
right, left = (RANK + 1) % WORLD, (RANK - 1) % WORLD
got = ember.zeros(4, dtype=ember.int64)
works = dist.batch_isend_irecv([dist.P2POp(dist.isend, ember.full((4,), RANK, dtype=ember.int64), right),
                                dist.P2POp(dist.irecv, got, left)])
for w in works:
    w.wait()
check(got, np.full(4, left), "ring exchange")
if RANK == 0:
    dist.send(ember.ones(2), dst=1, tag=5)
    dist.send(ember.ones(2) * 2, dst=1, tag=6)
    check(np.array(dist.recv(got)), np.array(2), "recv from any source returns the sender")
elif RANK == 1:
    a, b = ember.zeros(2), ember.zeros(2)
    wb = dist.irecv(b, src=0, tag=6)
    wa = dist.irecv(a, src=0, tag=5)
    wb.wait(), wa.wait()
    check(a, np.ones(2), "tag 5")
    check(b, np.full(2, 2.0), "tag 6")
else:
    dist.send(ember.full((4,), 9, dtype=ember.int64), dst=0)
if RANK == 0:
    check(got, np.full(4, 9), "any-source payload")
raises(ValueError, "Invalid destination rank", dist.send, ember.ones(1), RANK)
raises(ValueError, "send: dst must be a rank in [0, 2]", dist.send, ember.ones(1), 3)
raises(ValueError, "tag must be an int", dist.isend, ember.ones(1), right, tag=-1)
raises(ValueError, "Invalid ``op``", dist.P2POp, dist.send, ember.ones(1), right)

# objects
objs = [None] * WORLD
dist.all_gather_object(objs, {"rank": RANK, "name": "r" * RANK})
check(np.array([o["rank"] for o in objs]), np.arange(WORLD), "all_gather_object")
assert objs[2]["name"] == "rr"
got_objs = [None] * WORLD if RANK == 1 else None
dist.gather_object((RANK, [RANK] * RANK), got_objs, dst=1)
if RANK == 1:
    assert got_objs == [(r, [r] * r) for r in range(WORLD)], got_objs
    checks += 1
lst = [{"lr": 0.1}, "config", 3] if RANK == 2 else [None, None, None]
dist.broadcast_object_list(lst, src=2)
assert lst == [{"lr": 0.1}, "config", 3], lst
out = [None]
dist.scatter_object_list(out, [f"part{r}" * (r + 1) for r in range(WORLD)] if RANK == 0 else None, src=0)
assert out == [f"part{RANK}" * (RANK + 1)], out
checks += 2

# argument errors
raises(ValueError, "must NOT be specified on non-destination ranks", dist.gather, ember.ones(1),
       [ember.ones(1)] * WORLD, dst=(RANK + 1) % WORLD)
raises(ValueError, "must NOT be specified on non-source ranks", dist.scatter, ember.ones(1),
       [ember.ones(1)] * WORLD, src=(RANK + 1) % WORLD)
raises(ValueError, "reduce: give dst or group_dst, not both", dist.reduce, ember.ones(1), 0, group_dst=0)
raises(ValueError, "reduce: dst or group_dst must be given", dist.reduce, ember.ones(1))
raises(TypeError, "gather: dst must be an int", dist.gather, ember.ones(1), dst="0")
raises(ValueError, "all_to_all_single: input_split_sizes [1, 1, 0] add up to 2", dist.all_to_all_single,
       ember.zeros(3), ember.zeros(3), input_split_sizes=[1, 1, 0])
raises(ValueError, "all_to_all_single: input_split_sizes must be 3", dist.all_to_all_single,
       ember.zeros(3), ember.zeros(3), input_split_sizes=[1, 2])
raises(ValueError, "all_to_all_single: input (shape [4]) has 4 rows", dist.all_to_all_single,
       ember.zeros(3), ember.zeros(4))

# subgroups: ranks 0 and 2; rank 1 is left out
g = dist.new_group([2, 0])
if RANK == 1:
    assert g is dist.GroupMember.NON_GROUP_MEMBER
    assert dist.get_rank(g) == -1 and dist.get_world_size(g) == -1
    t = ember.ones(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert dist.all_reduce(t, group=g) is None
    assert "does not belong to the given group" in str(caught[0].message), caught
    check(t, np.ones(2), "a left-out rank's tensor is untouched")
else:
    assert isinstance(g, dist.ProcessGroup) and dist.get_process_group_ranks(g) == [0, 2]
    check(np.array([dist.get_rank(g), dist.get_world_size(g)]), np.array([RANK // 2, 2]), "subgroup rank and size")
    assert dist.get_group_rank(g, 2) == 1 and dist.get_global_rank(g, 1) == 2
    t = ember.full((3,), float(RANK + 1))
    dist.all_reduce(t, group=g)
    check(t, np.full(3, 4.0), "subgroup all_reduce (1 + 3)")
    t = ember.full((2,), float(RANK))
    dist.broadcast(t, src=2, group=g)
    check(t, np.full(2, 2.0), "subgroup broadcast from global rank 2")
    t = ember.full((2,), float(RANK))
    dist.broadcast(t, group=g, group_src=0)
    check(t, np.zeros(2), "subgroup broadcast from group rank 0")
    objs = [None, None]
    dist.all_gather_object(objs, RANK, group=g)
    assert objs == [0, 2], objs
    raises(ValueError, "broadcast: src must be a rank of the group ([0, 2])", dist.broadcast, t, 1, group=g)
    raises(ValueError, "Global rank 1 is not part of group", dist.get_group_rank, g, 1)
    # DDP over the subgroup: rank 2's different initial weights are replaced by its group rank 0's
    ember.manual_seed(RANK)
    model = ember.nn.parallel.DistributedDataParallel(ember.nn.Linear(3, 2), process_group=g)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    model(ember.full((4, 3), float(RANK))).pow(2).sum().backward()
    opt.step()
    weights = [None, None]
    dist.all_gather_object(weights, model.module.weight.detach().numpy(), group=g)
    check(weights[0], weights[1], "DDP replicas agree over the subgroup")
    dist.barrier(group=g)
    dist.destroy_process_group(g)
    raises(ValueError, "has been destroyed", dist.all_reduce, t, group=g)
raises(ValueError, "new_group: rank 5 is out of range", dist.new_group, [0, 5])
raises(ValueError, "new_group: ranks [0, 0] has duplicates", dist.new_group, [0, 0])
whole = dist.new_group()
t = ember.ones(1)
dist.all_reduce(t, group=whole)
check(t, np.full(1, 3.0), "new_group() spans every rank")
dist.destroy_process_group()
assert not dist.is_initialized()
print(f"rank {RANK}: {checks} checks passed", flush=True)

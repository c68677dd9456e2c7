"""Run by test_collectives.py as 2 MPI ranks: every collective, op and dtype against NumPy, async
Work, barrier, views and argument errors. Prints "rank R: N checks passed"; any failure raises,
which aborts the job (ember.distributed's excepthook)."""
import datetime

import ember
import ember.distributed as dist
import numpy as np

RO = dist.ReduceOp
dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=30))
RANK, WORLD = dist.get_rank(), dist.get_world_size()
HALVES = (ember.float16, ember.bfloat16)
FLOATS = (ember.float32, ember.float64, *HALVES)
INTS = (ember.int32, ember.int64, ember.uint8, ember.int8, ember.int16)
DTYPES = FLOATS + INTS + (ember.bool,)
checks = 0


def data(rank, dtype, shape=(3, 4)):
    """Rank ``rank``'s input as a NumPy array (float32 for the halves: values they hold exactly)."""
    rng = np.random.default_rng(100 + rank)
    if dtype == ember.bool:
        return rng.random(shape) > 0.5
    if dtype in FLOATS:
        values = rng.integers(-8, 9, shape) / 4 if dtype in HALVES else rng.standard_normal(shape)
        return values.astype(np.float64 if dtype == ember.float64 else np.float32)
    low = 0 if dtype == ember.uint8 else -5
    return rng.integers(low, 6, shape).astype(ember.empty(0, dtype=dtype).numpy().dtype)


def tensor(a, dtype):
    return ember.tensor(a).to(dtype)


def numpy(t):
    return (t.to(ember.float32) if t.dtype in HALVES else t).numpy()


def check(got, want, what):
    global checks
    got = numpy(got) if isinstance(got, ember.Tensor) else got
    want = np.asarray(want)
    assert got.shape == want.shape and np.array_equal(got, want.astype(got.dtype)), \
        f"rank {RANK}: {what}: got {got}, want {want}"
    checks += 1


def reference(op, dtype, arrays):
    stack = np.stack(arrays)
    if dtype == ember.bool:
        return {RO.SUM: stack.any(0), RO.MAX: stack.any(0), RO.BOR: stack.any(0), RO.MIN: stack.all(0),
                RO.PRODUCT: stack.all(0), RO.BAND: stack.all(0), RO.BXOR: np.logical_xor.reduce(stack)}[op]
    if op == RO.AVG:
        if dtype in FLOATS:
            return (stack.sum(0, dtype=np.float64) / WORLD).astype(stack.dtype)
        total = stack.astype(np.int64).sum(0)
        return np.sign(total) * (np.abs(total) // WORLD)  # truncating, as NCCL's integer average
    return {RO.SUM: lambda s: s.sum(0, dtype=s.dtype), RO.PRODUCT: lambda s: s.prod(0, dtype=s.dtype),
            RO.MIN: lambda s: s.min(0), RO.MAX: lambda s: s.max(0), RO.BAND: np.bitwise_and.reduce,
            RO.BOR: np.bitwise_or.reduce, RO.BXOR: np.bitwise_xor.reduce}[op](stack)


def ops_for(dtype):
    if dtype == ember.bool:
        return [op for op in RO.RedOpType if op != RO.AVG]
    return [op for op in RO.RedOpType if dtype not in FLOATS or op not in (RO.BAND, RO.BOR, RO.BXOR)]


every = {dt: [data(r, dt) for r in range(WORLD)] for dt in DTYPES}

for dt in DTYPES:
    for op in ops_for(dt):
        t = tensor(every[dt][RANK], dt)
        dist.all_reduce(t, op=op)
        check(t, reference(op, dt, every[dt]), f"all_reduce {op.name} {dt}")
    for src in range(WORLD):
        t = tensor(every[dt][RANK], dt)
        assert dist.broadcast(t, src=src) is None
        check(t, every[dt][src], f"broadcast src={src} {dt}")
    outs = [ember.zeros(3, 4, dtype=dt) for _ in range(WORLD)]
    dist.all_gather(outs, tensor(every[dt][RANK], dt))
    for r in range(WORLD):
        check(outs[r], every[dt][r], f"all_gather [{r}] {dt}")
    out = ember.zeros(WORLD * 3, 4, dtype=dt)
    dist.all_gather_into_tensor(out, tensor(every[dt][RANK], dt))
    check(out, np.concatenate(every[dt]), f"all_gather_into_tensor {dt}")
    # reduce_scatter: rank r's input list is its data split in WORLD blocks of rows
    op = RO.SUM if dt != ember.bool else RO.MAX
    whole = reference(op, dt, [np.concatenate([a] * WORLD) for a in every[dt]])
    out = ember.zeros(3, 4, dtype=dt)
    dist.reduce_scatter_tensor(out, tensor(np.concatenate([every[dt][RANK]] * WORLD), dt), op=op)
    check(out, whole[3 * RANK:3 * RANK + 3], f"reduce_scatter_tensor {dt}")
    out = ember.zeros(3, 4, dtype=dt)
    dist.reduce_scatter(out, [tensor(every[dt][RANK], dt) for _ in range(WORLD)], op=op)
    check(out, whole[3 * RANK:3 * RANK + 3], f"reduce_scatter {dt}")

# AVG through reduce_scatter; a reduction of float16 rounds once, after summing in float32
out = ember.zeros(2)
dist.reduce_scatter_tensor(out, ember.arange(2.0 * WORLD) * (RANK + 1), op=RO.AVG)
check(out, np.arange(2.0 * WORLD, dtype=np.float32)[2 * RANK:2 * RANK + 2] * (WORLD + 1) / 2, "reduce_scatter AVG")
t = ember.full((4,), 2048.0 + RANK, dtype=ember.float16)
dist.all_reduce(t)
check(t, np.full(4, np.float16(sum(np.float32(2048 + r) for r in range(WORLD)))), "all_reduce float16 rounding")

# views: a non-contiguous tensor is reduced through a temporary and written back into its storage
base = tensor(every[ember.float64][RANK], ember.float64)
view = base.t()[1:3]
dist.all_reduce(view)
want = every[ember.float64][RANK].copy()
want.T[1:3] = sum(a.T[1:3] for a in every[ember.float64])
check(base, want, "all_reduce of a transposed slice, seen in its base")
# zero copies: a contiguous tensor's own memory is what MPI writes
t = ember.ones(5)
ptr = t.data_ptr()
dist.broadcast(t, src=0)
assert t.data_ptr() == ptr
# 0-d and empty tensors, and a leaf that requires grad (written without autograd, as torch's)
t = ember.tensor(float(RANK + 1))
dist.all_reduce(t, op=RO.MAX)
check(t, np.float32(WORLD), "0-d all_reduce")
t = ember.zeros(0, 3)
dist.all_reduce(t)
check(t, np.zeros((0, 3), np.float32), "empty all_reduce")
w = ember.ones(3, requires_grad=True)
dist.all_reduce(w)
assert w.requires_grad and w.is_leaf and w.grad_fn is None
check(w.detach(), np.full(3, WORLD, np.float32), "all_reduce of a leaf that requires grad")

# async: several collectives in flight, waited for out of order
ts = [ember.full((1000,), float(RANK + i)) for i in range(3)]
works = [dist.all_reduce(t, async_op=True) for t in ts]
b = ember.full((7,), float(RANK))
works.append(dist.broadcast(b, src=WORLD - 1, async_op=True))
works.append(dist.barrier(async_op=True))
for work in reversed(works):
    assert isinstance(work, dist.Work) and work.wait() is True
    assert work.is_completed() and work.is_success()
for i, t in enumerate(ts):
    check(t, np.full(1000, sum(r + i for r in range(WORLD)), np.float32), f"async all_reduce {i}")
check(b, np.full(7, WORLD - 1, np.float32), "async broadcast")
work = dist.all_reduce(ember.ones(3), async_op=True)
done = work.wait(timeout=datetime.timedelta(seconds=20))  # wait's timeout argument: a timedelta
assert done is True and work.is_completed()
assert dist.barrier() is None

# argument errors: raised locally, before any rank communicates
def raises(exc, text, fn, *args, **kwargs):
    global checks
    try:
        fn(*args, **kwargs)
    except exc as e:
        assert text in str(e), f"rank {RANK}: {fn.__name__}: message {e!r} lacks {text!r}"
        checks += 1
        return
    raise AssertionError(f"rank {RANK}: {fn.__name__}{args} did not raise {exc.__name__}")


x = ember.zeros(3)
raises(ValueError, "all_gather: tensor_list has 1 tensors", dist.all_gather, [ember.zeros(3)], x)
raises(ValueError, "all_gather: tensor_list[1]", dist.all_gather, [ember.zeros(3), ember.zeros(4)], x)
raises(ValueError, "all_gather: tensor_list[0]", dist.all_gather, [ember.zeros(3, dtype=ember.int64)] * WORLD, x)
raises(TypeError, "all_gather: expected tensor_list", dist.all_gather, (x, x), x)
raises(ValueError, "all_gather_into_tensor: output_tensor", dist.all_gather_into_tensor, ember.zeros(5), x)
raises(ValueError, "reduce_scatter: input_list has 3", dist.reduce_scatter, x, [x, x, x])
raises(ValueError, "reduce_scatter_tensor: input", dist.reduce_scatter_tensor, x, ember.zeros(4))
raises(ValueError, "broadcast: src must be a rank in [0, 1]", dist.broadcast, x, WORLD)
raises(ValueError, "broadcast: src", dist.broadcast, x, -1)
raises(TypeError, "all_reduce: expected tensor", dist.all_reduce, np.zeros(3))
raises(TypeError, "all_reduce: op must be a ReduceOp", dist.all_reduce, x, "sum")
raises(ValueError, "all_reduce: BAND needs integer", dist.all_reduce, x, RO.BAND)
raises(ValueError, "all_reduce: AVG is not defined for bool", dist.all_reduce, ember.zeros(2, dtype=ember.bool), RO.AVG)
raises(ValueError, "all_reduce: group must be None", dist.all_reduce, x, group="world")
raises(ValueError, "initialize the default process group twice", dist.init_process_group)

assert dist.get_backend() == "mpi" and dist.group.WORLD.size() == WORLD and dist.is_initialized()
dist.destroy_process_group()
assert not dist.is_initialized() and dist.group.WORLD is None
raises(ValueError, "Default process group has not been initialized", dist.all_reduce, x)
raises(ValueError, f"world_size=5 but MPI started {WORLD}", dist.init_process_group, world_size=5)
raises(ValueError, "rank=7 but MPI gave", dist.init_process_group, rank=7)
dist.init_process_group(world_size=WORLD, rank=RANK)  # again after destroy, values that agree
t = ember.ones(2)
dist.all_reduce(t)
check(t, np.full(2, WORLD, np.float32), "all_reduce after a new init")
dist.destroy_process_group()

# ranks that disagree on the size: an error naming the op on every rank (MPI's truncation error
# where it is detected, the timeout elsewhere), never a hang; the group is unusable afterwards
dist.init_process_group(timeout=datetime.timedelta(seconds=3))
raises(RuntimeError, "all_reduce: ", dist.all_reduce, ember.ones(1000 + 1000 * RANK))
raises(RuntimeError, "unusable after an earlier failure", dist.barrier)
print(f"rank {RANK}: {checks} checks passed", flush=True)

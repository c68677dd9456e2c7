"""Run by test_ddp.py as 2 MPI ranks: DistributedDataParallel (and SyncBatchNorm in a CNN) against
single-process training on the concatenated batch, which every rank also runs. Prints
"rank R: N checks passed"; any failure raises, which aborts the job."""
import datetime
import weakref

import ember
import ember.distributed as dist
import numpy as np
from ember import nn
from ember.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=30))
RANK, WORLD = dist.get_rank(), dist.get_world_size()
checks = 0


def check(ok, what):
    global checks
    assert ok, f"rank {RANK}: {what}"
    checks += 1


def close(a, b, what, tol=1e-5):
    a, b = a.detach().numpy(), b.detach().numpy()
    check(a.shape == b.shape and np.allclose(a, b, rtol=tol, atol=tol),
          f"{what}: max difference {np.abs(a - b).max() if a.shape == b.shape else (a.shape, b.shape)}")


def batch(step, n=8, shape=(6,), classes=3):
    """The whole batch of a step (the same on every rank) and this rank's share of it."""
    rng = np.random.default_rng(1000 + step)
    x = ember.tensor(rng.standard_normal((n * WORLD, *shape)).astype(np.float32))
    y = ember.tensor(rng.integers(0, classes, n * WORLD))
    return x, y, x[RANK * n:(RANK + 1) * n], y[RANK * n:(RANK + 1) * n]


def mlp():
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))


def cnn(norm):
    # No conv bias before a norm: its gradient is zero up to rounding, which Adam would amplify.
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, bias=False), norm(4), nn.ReLU(), nn.Conv2d(4, 4, 3, bias=False), norm(4),
                         nn.ReLU(), nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


def replicas(make, seed, **ddp_args):
    """A DDP model (each rank seeded differently: the wrap must broadcast rank 0's values) and the
    single-process reference holding the same values."""
    ember.manual_seed(seed + RANK)
    ddp = DDP(make(), **ddp_args)
    ember.manual_seed(seed + 7)
    ref = make()
    ref.load_state_dict(ddp.module.state_dict())
    return ddp, ref


def same_params(ddp, ref, what, tol=1e-5):
    for (name, p), q in zip(ddp.module.named_parameters(), ref.parameters()):
        close(p, q, f"{what}: {name}", tol)


def train_equal(make, optimizer, what, steps=20, ref_make=None, shape=(6,), **ddp_args):
    ddp, ref = replicas(make, 1, **ddp_args)
    if ref_make is not None:
        ref = ref_make()
        ref.load_state_dict(ddp.module.state_dict())
    loss_fn = nn.CrossEntropyLoss()
    opt_d, opt_r = optimizer(ddp.parameters()), optimizer(ref.parameters())
    for step in range(steps):
        x, y, xs, ys = batch(step, shape=shape)
        for model, opt, inp, tgt in ((ddp, opt_d, xs, ys), (ref, opt_r, x, y)):
            opt.zero_grad()
            loss_fn(model(inp), tgt).backward()
            opt.step()
    same_params(ddp, ref, what, tol=1e-4)
    for (name, b), rb in zip(ddp.module.named_buffers(), ref.buffers()):
        close(b.to(ember.float64), rb.to(ember.float64), f"{what}: buffer {name}", 1e-4)
    return ddp


# ---- wrapping ----------------------------------------------------------------------------------
ddp, ref = replicas(mlp, 5)
same_params(ddp, ref, "parameters broadcast from rank 0 at wrap")
check(list(ddp.state_dict())[0] == "module.0.weight" and list(ddp.module.state_dict())[0] == "0.weight",
      f"state_dict keys: {list(ddp.state_dict())[:2]}")
check(len(ddp._buckets) == 1, "default buckets: a small model fits the first bucket")

# ---- 20 steps equal single-process training on the whole batch --------------------------------
train_equal(mlp, lambda ps: ember.optim.SGD(ps, lr=0.1, momentum=0.9), "MLP, SGD")
train_equal(mlp, lambda ps: ember.optim.Adam(ps, lr=0.01), "MLP, Adam")
tiny = train_equal(mlp, lambda ps: ember.optim.SGD(ps, lr=0.1), "MLP, a bucket per parameter", steps=5,
                   bucket_cap_mb=0)
check(len(tiny._buckets) == 6 and [b.indices for b in tiny._buckets] == [[i] for i in range(5, -1, -1)],
      f"bucket_cap_mb=0 buckets: {[b.indices for b in tiny._buckets]}")
mid = train_equal(mlp, lambda ps: ember.optim.SGD(ps, lr=0.1), "MLP, 1 KiB buckets", steps=5,
                  bucket_cap_mb=1 / 1024)
check(1 < len(mid._buckets) < 6, f"1 KiB buckets: {[b.indices for b in mid._buckets]}")
check(mid.comm_stats["iterations"] == 5 and mid.comm_stats["in_flight_s"] > 0, f"stats {mid.comm_stats}")
train_equal(lambda: cnn(nn.SyncBatchNorm), lambda ps: ember.optim.SGD(ps, lr=0.05, momentum=0.9),
            "CNN with SyncBatchNorm, SGD", ref_make=lambda: cnn(nn.BatchNorm2d), shape=(2, 6, 6))
train_equal(lambda: cnn(nn.SyncBatchNorm), lambda ps: ember.optim.Adam(ps, lr=0.01),
            "CNN with SyncBatchNorm, Adam", ref_make=lambda: cnn(nn.BatchNorm2d), shape=(2, 6, 6))

# ---- SyncBatchNorm alone: ranks with different batch sizes equal BatchNorm on the union -----------
for shape, norm in (((6, 3), nn.BatchNorm1d), ((7, 3, 5), nn.BatchNorm1d), ((5, 3, 4, 4), nn.BatchNorm2d)):
    rng = np.random.default_rng(7)
    whole = rng.standard_normal(shape).astype(np.float32) * 3 + 1
    upstream = rng.standard_normal(shape).astype(np.float32)
    cut = 2  # rank 0 holds 2 samples, rank 1 the rest
    mine = slice(0, cut) if RANK == 0 else slice(cut, None)
    sync, ref = nn.SyncBatchNorm(3, momentum=None), norm(3, momentum=None)
    with ember.no_grad():
        for m in (sync, ref):
            m.weight.copy_(ember.tensor([0.5, 2.0, -1.0]))
            m.bias.copy_(ember.tensor([0.1, 0.2, 0.3]))
    for _ in range(2):
        xs, x = ember.tensor(whole[mine], requires_grad=True), ember.tensor(whole, requires_grad=True)
        ys, y = sync(xs), ref(x)
        (ys * ember.tensor(upstream[mine])).sum().backward()
        (y * ember.tensor(upstream)).sum().backward()
    close(ys, y[mine], f"SyncBatchNorm {shape}: output")
    close(xs.grad, x.grad[mine], f"SyncBatchNorm {shape}: input gradient")
    for name in ("weight", "bias"):
        g = getattr(sync, name).grad.clone()
        dist.all_reduce(g)  # each rank holds its share: the sum is BatchNorm's on the union
        close(g, getattr(ref, name).grad, f"SyncBatchNorm {shape}: {name} gradient", 1e-4)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        close(getattr(sync, name), getattr(ref, name), f"SyncBatchNorm {shape}: {name}")
    sync.eval(), ref.eval()
    close(sync(ember.tensor(whole[mine])), ref(ember.tensor(whole))[mine], f"SyncBatchNorm {shape}: eval")

converted = nn.SyncBatchNorm.convert_sync_batchnorm(cnn(nn.BatchNorm2d))
check(type(converted[1]) is nn.SyncBatchNorm and type(converted[4]) is nn.SyncBatchNorm, f"{converted}")

# ---- no_sync: two accumulated micro-batches then one synced equal the big batch ---------------
ddp, ref = replicas(mlp, 9)
loss_fn = nn.CrossEntropyLoss(reduction="sum")
parts = [batch(s) for s in range(3)]
with ddp.no_sync():
    for _, _, xs, ys in parts[:2]:
        loss_fn(ddp(xs), ys).backward()
local = [p.grad.clone() for p in ddp.parameters()]
others = [g.clone() for g in local]
for g in others:
    dist.all_reduce(g)
check(any(not np.allclose(a.numpy(), b.numpy() / 2) for a, b in zip(local, others)),
      "no_sync gradients are local (they differ across ranks)")
loss_fn(ddp(parts[2][2]), parts[2][3]).backward()
for x, y, _, _ in parts:
    loss_fn(ref(x), y).backward()
for p, q in zip(ddp.parameters(), ref.parameters()):
    close(p.grad, q.grad / WORLD, "no_sync accumulation equals the big batch (averaged over ranks)")


# ---- unused parameters -------------------------------------------------------------------------
class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(6, 3), nn.Linear(6, 3)
        self.c = nn.Parameter(ember.zeros(3))

    def forward(self, x, use_b):
        return self.a(x) + (self.b(x) if use_b else 0) + 0 * self.c.sum()


ddp, ref = replicas(Branchy, 3, find_unused_parameters=True)
_, _, xs, _ = batch(0)
ddp(xs, use_b=RANK == 0).sum().backward()  # b is used on rank 0 only
x, _, _, _ = batch(0)
ref(x[:8], True).sum().backward()
ref(x[8:], False).sum().backward()  # rank 1's half, without b
for name in ("a.weight", "b.weight", "c"):
    close(ddp.module.get_parameter(name).grad, ref.get_parameter(name).grad / WORLD, f"unused on one rank: {name}")
ddp.zero_grad()
ddp(xs, use_b=False).sum().backward()  # b used by no rank: its grad stays None, as torch's
check(ddp.module.b.weight.grad is None, "a parameter no rank used keeps grad None")
check(ddp.module.a.weight.grad is not None, "used parameters get grads")

ddp, _ = replicas(Branchy, 3)
ddp(xs, use_b=False).sum().backward()
try:
    ddp(xs, use_b=False)
    check(False, "an unused parameter without find_unused_parameters raises at the next forward")
except RuntimeError as e:
    # b's weight and bias (c comes first: a module's own parameters precede its children's)
    check("Expected to have finished reduction in the prior iteration" in str(e) and f"rank {RANK}: [3, 4]" in str(e),
          str(e))

# ---- a module outliving its wrapper trains alone (no hooks left, no communication) ----------------
net = mlp()
ddp = DDP(net)
alive = weakref.ref(ddp)
del ddp
check(alive() is None, "the wrapper is freed at once: its hooks hold it weakly")
x, y, xs, ys = batch(0)
nn.CrossEntropyLoss()(net(xs), ys).backward()
check(all(p.grad is not None for p in net.parameters()), "the unwrapped module's own gradients")

print(f"rank {RANK}: {checks} checks passed", flush=True)
dist.destroy_process_group()

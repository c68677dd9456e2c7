"""A short tour of ember: tensors, autograd, a model trained with an optimizer and a schedule, a
checkpoint saved and loaded, and a matmul timing beside NumPy.

Run: python examples/tour.py            (--quick: a small matmul only, for the tests)
"""

import os
import statistics
import sys
import tempfile
import time

import numpy as np

import ember

ember.manual_seed(0)

print("ember", ember.__version__)
x = ember.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print("x =", x)
print("x.shape =", x.shape, " x.dtype =", x.dtype)
print("x.T @ x =", x.T @ x)
print("x.sum(dim=1) =", x.sum(dim=1))
print("x.max(dim=0) =", x.max(dim=0))
print("broadcasting: x + [10, 20, 30] =", x + ember.tensor([10.0, 20.0, 30.0]))
print("views share memory: x[:, 1:] =", x[:, 1:], " is_contiguous:", x[:, 1:].is_contiguous())
print("masks: x[x > 2] =", x[x > 2])
print("NumPy without a copy:", np.asarray(x).ctypes.data == x.data_ptr())

try:
    ember.ones(2, 3) @ ember.ones(4, 5)
except ValueError as err:
    print("errors name the op and the shapes:", err)

w = ember.randn(3, 2, requires_grad=True)
loss = (x @ w).tanh().pow(2).mean()
loss.backward()
print("autograd: loss =", loss.item(), " d loss / d w =", w.grad)
(g,) = ember.autograd.grad((w ** 3).sum(), w, create_graph=True)
print("gradients of gradients: d/dw sum(3 w^2) =", ember.autograd.grad(g.sum(), w)[0])

import ember.nn as nn
import ember.nn.functional as F

print("\na model, an optimizer and a schedule: fit y = sin(3x) on [-1, 1]")
model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))
print(model)
opt = ember.optim.Adam(model.parameters(), lr=0.05)
sched = ember.optim.lr_scheduler.StepLR(opt, step_size=100, gamma=0.3)
inputs = ember.linspace(-1, 1, 128).unsqueeze(1)
targets = ember.sin(3 * inputs)
for step in range(300):
    opt.zero_grad()
    loss = F.mse_loss(model(inputs), targets)
    loss.backward()
    opt.step()
    sched.step()
    if step % 100 == 0 or step == 299:
        print(f"  step {step:3d}: loss {loss.item():.5f}, lr {sched.get_last_lr()[0]:.4f}")

with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "checkpoint.safetensors")
    ember.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 300}, path)
    restored = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))
    checkpoint = ember.load(path)
    restored.load_state_dict(checkpoint["model"])
    with ember.no_grad():
        same = ember.equal(restored(inputs), model(inputs))
    print(f"checkpoint: {os.path.getsize(path)} bytes, epoch {checkpoint['epoch']}, "
          f"restored model gives the same outputs: {same}")


def median_seconds(fn, budget=0.2, runs=7):
    """Median time of one fn() call: a warm-up call, then `runs` timed batches of calls."""
    fn()
    start = time.perf_counter()
    fn()
    reps = max(1, int(budget / runs / max(time.perf_counter() - start, 1e-9)))
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        samples.append((time.perf_counter() - start) / reps)
    return statistics.median(samples)


# The median of several batches after a warm-up: one slow batch on a busy machine does not
# move it, where a single timing (or the mean) would.
print(f"\nfloat32 matmul, {ember.get_num_threads()} threads (median of 7 runs after a warm-up):")
for n in (64,) if "--quick" in sys.argv else (256, 1024, 2048):
    a, b = ember.randn(n, n), ember.randn(n, n)
    na, nb = np.asarray(a), np.asarray(b)
    cases = (("ember", lambda a=a, b=b: a @ b), ("numpy", lambda a=na, b=nb: a @ b))
    gflops = {name: 2 * n**3 / median_seconds(fn) / 1e9 for name, fn in cases}
    print(f"  n={n:5d}: ember {gflops['ember']:6.1f} GFLOPS, numpy {gflops['numpy']:6.1f} GFLOPS")
load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
if load > (os.cpu_count() or 1):
    print(f"  (load average {load:.1f} on {os.cpu_count()} cores: other programs share the CPU,"
          " so both libraries ran slower than they can)")

"""A short tour of ember's tensors, ending with a matmul timing beside NumPy.

Run: python examples/tour.py
"""

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

print(f"\nfloat32 matmul, {ember.get_num_threads()} threads:")
for n in (256, 1024, 2048):
    a, b = ember.randn(n, n), ember.randn(n, n)
    na, nb = np.asarray(a), np.asarray(b)
    timings = {}
    for name, fn in (("ember", lambda: a @ b), ("numpy", lambda: na @ nb)):
        fn()
        reps = max(1, int(2e9 // (2 * n**3)))
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for _ in range(reps):
                fn()
            best = min(best, (time.perf_counter() - start) / reps)
        timings[name] = best
    gflops = {k: 2 * n**3 / v / 1e9 for k, v in timings.items()}
    print(f"  n={n:5d}: ember {gflops['ember']:6.1f} GFLOPS, numpy {gflops['numpy']:6.1f} GFLOPS")

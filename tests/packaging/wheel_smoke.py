"""Smoke test of an installed ember, run from outside the source tree: by test_wheel.py in a fresh
virtual environment, and by cibuildwheel on each wheel it builds. Prints where ember was imported
from (the last line), so the caller can check that it is the installed wheel."""

import os

import numpy as np

import ember

a = ember.randn(5, 4, requires_grad=True)
b = ember.randn(4, 3, requires_grad=True)
np.testing.assert_allclose((a @ b).detach().numpy(), a.detach().numpy() @ b.detach().numpy(),
                           rtol=1e-5, atol=1e-5)

# backward through matmul (OpenBLAS) and a pointwise op: d/da sum(relu(a @ b)) = mask @ b^T
(a @ b).relu().sum().backward()
mask = (a.detach().numpy() @ b.detach().numpy() > 0).astype(np.float32)
np.testing.assert_allclose(a.grad.numpy(), mask @ b.detach().numpy().T, rtol=1e-5, atol=1e-5)

# one optimizer step on a layer moves its weights by -lr * grad
model = ember.nn.Linear(4, 3)
opt = ember.optim.SGD(model.parameters(), lr=0.1)
before = model.weight.detach().numpy().copy()
opt.zero_grad()
model(a.detach()).pow(2).mean().backward()
grad = model.weight.grad.numpy().copy()
opt.step()
assert np.abs(grad).max() > 0, "smoke: the loss has no gradient"
np.testing.assert_allclose(model.weight.detach().numpy(), before - 0.1 * grad, rtol=1e-5, atol=1e-6)

# what C++ and Cython users build against is installed beside the package
assert os.path.isfile(os.path.join(ember.get_cmake_dir(), "emberConfig.cmake"))
assert os.path.isfile(os.path.join(ember.get_include(), "ember", "ember.h"))
print(ember.__file__)

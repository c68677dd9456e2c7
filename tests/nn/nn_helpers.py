"""Helpers shared by the ember.nn.Module tests (test_nn_module.py, test_nn_module_state.py and
test_nn_module_repr_hooks.py): the random generator they draw from, tensors as NumPy arrays, a
small model built in either library (``L`` is ember or torch) and its parameters randomized.
Importable as a plain module (tests/conftest.py puts this folder on sys.path)."""
import numpy as np

import ember

RNG = np.random.default_rng(11)


def _np(t):
    return np.array(t.detach().numpy(), copy=True)


def _randomize(m):
    with ember.no_grad():
        for p in m.parameters():
            p.copy_(ember.tensor(RNG.uniform(-1, 1, tuple(p.shape)), dtype=p.dtype))


def _make_net(L):
    N = L.nn

    class Net(N.Module):
        def __init__(self):
            super().__init__()
            self.fc = N.Linear(4, 3)
            self.scale = N.Parameter(L.ones(3))
            self.label = "net"  # a plain attribute
            self.factor = 2.0
            self.body = N.Sequential(N.Linear(3, 5), N.ReLU(), N.Linear(5, 2))
            self.bn = N.BatchNorm1d(2)
            self.register_buffer("steps", L.zeros(1))

        def forward(self, x):
            return self.bn(self.body(self.fc(x) * self.scale)) * self.factor

    return Net()

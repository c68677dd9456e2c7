"""The eager per-op overhead cases (issue 18): the hottest Python calls on tiny tensors, where
the binding, not the kernel, sets the time. Each is a setup function of a library module that
returns the callable to time (benchmarks/run.py lists them in CASES). The 4-element add and the
20-op chain rows stay in run.py."""

from inputs import randn


def add_python_float(m):  # same expression for all three libraries
    x = randn(m, 4)
    return lambda: x + 0.5


def index_int(m):
    x = randn(m, 4, 4)
    return lambda: x[1]


def index_slice(m):
    x = randn(m, 16)
    return lambda: x[2:10]


def tanh_with_grad(m):
    """One unary op recorded for autograd (a method call, no operator slot)."""
    x = randn(m, 4).requires_grad_()
    return lambda: x.tanh()


def tiny_backward(m):
    """x * 2 summed, then backward: the engine's fixed cost on a 2-node graph."""
    x = randn(m, 4).requires_grad_()

    def run():
        (x * 2.0).sum().backward()
        x.grad = None

    return run


def linear_call(m):
    """A module __call__ on a 1x4 input (Linear 4 -> 4), no gradients."""
    layer, x = m.nn.Linear(4, 4), randn(m, 1, 4)

    def run():
        with m.no_grad():
            return layer(x)

    return run


def adam_step_small(m):
    """Adam's step over 3 parameters of 4 elements: the per-step overhead, not bandwidth."""
    params = [randn(m, 4).requires_grad_() for _ in range(3)]
    for p in params:
        p.grad = randn(m, 4)
    opt = m.optim.Adam(params, lr=1e-3)
    return opt.step

# distutils: language = c++
# cython: language_level=3
# A small Cython extension over ember's C++ API, built by test_cython.py against the installed
# package (include path ember.get_include(), library ember/lib/libember_core.so).
from libc.stdint cimport int64_t
from libcpp cimport bool
from libcpp.memory cimport make_shared, static_pointer_cast
from libcpp.optional cimport optional
from libcpp.pair cimport pair
from libcpp.vector cimport vector

from ember cimport autograd
from ember.nn cimport Linear, Module, ModulePtr, ReLU, Sequential, mse_loss
from ember.optim cimport SGD, SGDOptions
from ember.python cimport from_python, to_python
from ember.tensor cimport (DType, Scalar, Tensor, arange, manual_seed, matmul, max_dim, mean, mul, mul_, ones,
                           randn, reshape, scalar_tensor, sum, tanh, to_dtype)


def arange_matrix():
    """arange(6).reshape(2, 3) in float32, made in C++."""
    return to_python(reshape(to_dtype(arange(Scalar(<int64_t>0), Scalar(<int64_t>6)), DType.Float32), [2, 3]))


def tanh_matmul_backward(int64_t seed):
    """w (3, 2) random, loss = mean(tanh(ones(4, 3) @ w)); backward in C++. Returns (w, loss)."""
    manual_seed(seed)
    cdef Tensor w = randn([3, 2], DType.Float64)
    w.requires_grad_(True)
    cdef Tensor loss = mean(tanh(matmul(ones([4, 3], DType.Float64), w)))
    loss.backward()
    return to_python(w), to_python(loss)


def row_max(t):
    """(values, indices) of max over dim 1 of a Python tensor."""
    cdef pair[Tensor, Tensor] r = max_dim(from_python(t), 1)
    return to_python(r.first), to_python(r.second)


def double_in_place(t):
    """t *= 2 in C++, on the Python tensor's own memory."""
    cdef Tensor c = from_python(t)
    mul_(c, scalar_tensor(Scalar(2.0)))


def sum_of_squares(t):
    """sum(t * t) recorded in C++ on the Python tensor (its graph continues in Python)."""
    cdef Tensor c = from_python(t)
    return to_python(sum(mul(c, c)))


def backward_sum(t):
    """autograd.backward([t.sum()]) run from C++."""
    cdef vector[Tensor] outs
    outs.push_back(sum(from_python(t)))
    autograd.backward(outs)


def grad_of_cube(t):
    """d/dt sum(t^3) = 3 t^2 through autograd::grad, with create_graph."""
    cdef Tensor c = from_python(t)
    cdef vector[Tensor] outs, ins
    outs.push_back(sum(mul(mul(c, c), c)))
    ins.push_back(c)
    cdef vector[Tensor] g = autograd.grad(outs, ins, vector[Tensor](), optional[bool](), True)
    return to_python(g[0])


def tanh_without_grad(t):
    """tanh(t) under a NoGradGuard: (requires_grad of the result, grad mode inside)."""
    cdef autograd.NoGradGuard* guard = new autograd.NoGradGuard()
    cdef Tensor r
    try:
        r = tanh(from_python(t))
        return r.requires_grad(), autograd.is_grad_enabled()
    finally:
        del guard


def same_tensor(a, b):
    return from_python(a).is_same(from_python(b))


def train_mlp(int64_t steps):
    """Linear(2, 16) -> ReLU -> Linear(16, 1) fits y = x0 - 2 x1 with SGD; (first, last loss, model's params)."""
    manual_seed(0)
    cdef vector[ModulePtr] layers
    layers.push_back(static_pointer_cast[Module, Linear](make_shared[Linear](<int64_t>2, <int64_t>16)))
    layers.push_back(static_pointer_cast[Module, ReLU](make_shared[ReLU]()))
    layers.push_back(static_pointer_cast[Module, Linear](make_shared[Linear](<int64_t>16, <int64_t>1)))
    cdef Sequential* model = new Sequential(layers)
    cdef SGDOptions options
    options.lr = 0.05
    options.momentum = 0.9
    cdef SGD* opt = new SGD(model.parameters(), options)
    cdef Tensor x = randn([64, 2])
    cdef Tensor y = matmul(x, reshape(arange(Scalar(1.0), Scalar(-3.0), Scalar(-2.0)), [2, 1]))
    cdef Tensor loss
    cdef double first = 0
    try:
        for step in range(steps):
            opt.zero_grad()
            loss = mse_loss(model.forward(x), y)
            loss.backward()
            opt.step()
            if step == 0:
                first = loss.item[double]()
        return first, loss.item[double](), [to_python(p) for p in model.parameters()]
    finally:
        del opt
        del model


def bad_matmul():
    matmul(ones([2, 3]), ones([4, 5]))

# Cython declarations of ember/autograd.h: running backward, gradients, grad mode.
# A no-grad scope: Cython drops unused locals, so a stack `cdef NoGradGuard g` would do nothing;
#     cdef NoGradGuard* guard = new NoGradGuard()
#     try: ...
#     finally: del guard
# Pass an empty optional as optional[bool]() (libcpp's bool): optional[bint]() converts to
# optional<bool>(false) in C++17.
from libcpp cimport bool
from libcpp.optional cimport optional
from libcpp.vector cimport vector

from ember.tensor cimport Tensor, raise_python_error

cdef extern from "ember/autograd.h" namespace "ember::autograd" nogil:
    bool is_grad_enabled()
    void set_grad_enabled(bool enabled)
    cdef cppclass GradModeGuard:
        GradModeGuard(bool enabled)
    cdef cppclass NoGradGuard(GradModeGuard):
        NoGradGuard()
    bool is_anomaly_enabled()
    void set_anomaly_enabled(bool enabled)

    bool requires_grad(const Tensor& t)
    void set_requires_grad(const Tensor& t, bool requires_grad) except +raise_python_error
    bool is_leaf(const Tensor& t)
    Tensor grad(const Tensor& t)
    void set_grad(const Tensor& t, const Tensor& grad) except +raise_python_error
    Tensor detach(const Tensor& t) except +raise_python_error
    void retain_grad(const Tensor& t) except +raise_python_error

    # Accumulates d(sum of tensors * grad_tensors)/d(leaf) into every leaf's grad.
    void backward(const vector[Tensor]& tensors) except +raise_python_error
    void backward(const vector[Tensor]& tensors, const vector[Tensor]& grad_tensors) except +raise_python_error
    void backward(const vector[Tensor]& tensors, const vector[Tensor]& grad_tensors, optional[bool] retain_graph) except +raise_python_error
    void backward(const vector[Tensor]& tensors, const vector[Tensor]& grad_tensors, optional[bool] retain_graph, bool create_graph) except +raise_python_error
    # The gradients of outputs with respect to inputs (ember.autograd.grad).
    vector[Tensor] grad(const vector[Tensor]& outputs, const vector[Tensor]& inputs) except +raise_python_error
    vector[Tensor] grad(const vector[Tensor]& outputs, const vector[Tensor]& inputs, const vector[Tensor]& grad_outputs) except +raise_python_error
    vector[Tensor] grad(const vector[Tensor]& outputs, const vector[Tensor]& inputs, const vector[Tensor]& grad_outputs, optional[bool] retain_graph) except +raise_python_error
    vector[Tensor] grad(const vector[Tensor]& outputs, const vector[Tensor]& inputs, const vector[Tensor]& grad_outputs, optional[bool] retain_graph, bool create_graph) except +raise_python_error
    vector[Tensor] grad(const vector[Tensor]& outputs, const vector[Tensor]& inputs, const vector[Tensor]& grad_outputs, optional[bool] retain_graph, bool create_graph, bool allow_unused) except +raise_python_error

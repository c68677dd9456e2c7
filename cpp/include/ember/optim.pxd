# Cython declarations of ember/optim.h: the Optimizer base and SGD, Adam, AdamW (ember::optim).
# Options are structs with PyTorch's names and defaults: cdef SGDOptions o; o.lr = 0.1.
from libcpp cimport bool
from libcpp.vector cimport vector

from ember.tensor cimport Tensor, raise_python_error

cdef extern from "ember/optim.h" namespace "ember::optim" nogil:
    cdef cppclass Optimizer:
        void step() except +raise_python_error
        void zero_grad() except +raise_python_error
        void zero_grad(bool set_to_none) except +raise_python_error
        const vector[Tensor]& parameters()
        size_t num_groups()
        double lr(size_t group) except +raise_python_error
        void set_lr(size_t group, double lr) except +raise_python_error

    cdef cppclass Betas:
        double first
        double second

    cdef cppclass SGDOptions:
        double lr
        double momentum
        double dampening
        double weight_decay
        bool nesterov
        bool maximize
    cdef cppclass SGD(Optimizer):
        SGD(const vector[Tensor]& params) except +raise_python_error
        SGD(const vector[Tensor]& params, const SGDOptions& options) except +raise_python_error

    cdef cppclass AdamOptions:
        double lr
        Betas betas
        double eps
        double weight_decay
        bool amsgrad
        bool maximize
    cdef cppclass Adam(Optimizer):
        Adam(const vector[Tensor]& params) except +raise_python_error
        Adam(const vector[Tensor]& params, const AdamOptions& options) except +raise_python_error
    cdef cppclass AdamWOptions(AdamOptions):
        pass
    cdef cppclass AdamW(Adam):
        AdamW(const vector[Tensor]& params) except +raise_python_error
        AdamW(const vector[Tensor]& params, const AdamWOptions& options) except +raise_python_error

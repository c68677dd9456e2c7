# Cython declarations of ember/nn.h: the Module tree, common layers and losses (ember::nn).
# Modules live in shared_ptrs (ModulePtr), as in C++: make_shared[Linear](4, 2).
from libc.stdint cimport int64_t
from libcpp cimport bool
from libcpp.memory cimport shared_ptr
from libcpp.pair cimport pair
from libcpp.string cimport string
from libcpp.vector cimport vector

from ember.tensor cimport DType, Tensor, raise_python_error

cdef extern from "ember/nn.h" namespace "ember::nn" nogil:
    cdef cppclass Module:
        Tensor forward(const Tensor& input) except +raise_python_error
        Tensor operator()(const Tensor& input) except +raise_python_error
        string type_name()
        string repr() except +raise_python_error
        vector[Tensor] parameters() except +raise_python_error
        vector[Tensor] parameters(bool recurse) except +raise_python_error
        vector[pair[string, Tensor]] named_parameters() except +raise_python_error
        vector[pair[string, Tensor]] named_parameters(bool recurse) except +raise_python_error
        vector[Tensor] buffers() except +raise_python_error
        vector[Tensor] buffers(bool recurse) except +raise_python_error
        vector[pair[string, Tensor]] state_dict() except +raise_python_error
        void train() except +raise_python_error
        void train(bool on) except +raise_python_error
        void eval() except +raise_python_error
        void zero_grad() except +raise_python_error
        void zero_grad(bool set_to_none) except +raise_python_error
        void to(DType dtype) except +raise_python_error
    ctypedef shared_ptr[Module] ModulePtr

    cdef cppclass Linear(Module):
        Linear(int64_t in_features, int64_t out_features) except +raise_python_error
        Linear(int64_t in_features, int64_t out_features, bool bias) except +raise_python_error
        Tensor weight()
        Tensor bias()
    cdef cppclass ReLU(Module):
        ReLU() except +raise_python_error
    cdef cppclass Tanh(Module):
        Tanh() except +raise_python_error
    cdef cppclass Sigmoid(Module):
        Sigmoid() except +raise_python_error
    cdef cppclass Sequential(Module):
        Sequential() except +raise_python_error
        Sequential(const vector[ModulePtr]& modules) except +raise_python_error
        void push_back(ModulePtr module) except +raise_python_error
        int64_t size()

cdef extern from "ember/nn.h" namespace "ember::nn::functional" nogil:
    Tensor mse_loss(const Tensor& input, const Tensor& target) except +raise_python_error
    Tensor mse_loss(const Tensor& input, const Tensor& target, const string& reduction) except +raise_python_error
    Tensor l1_loss(const Tensor& input, const Tensor& target) except +raise_python_error
    Tensor l1_loss(const Tensor& input, const Tensor& target, const string& reduction) except +raise_python_error
    Tensor cross_entropy(const Tensor& input, const Tensor& target) except +raise_python_error
    Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight) except +raise_python_error
    Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index) except +raise_python_error
    Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index, const string& reduction) except +raise_python_error
    Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index, const string& reduction, double label_smoothing) except +raise_python_error
    Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target) except +raise_python_error
    Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight) except +raise_python_error
    Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight, const string& reduction) except +raise_python_error
    Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight, const string& reduction, const Tensor& pos_weight) except +raise_python_error

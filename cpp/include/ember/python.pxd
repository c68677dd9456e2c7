# Tensors shared between C++ (Cython) and the Python package, through ember/python.h: the two
# sides then hold the same tensor (memory, requires_grad, grad and graph), nothing is copied.
#   py_tensor = to_python(cpp_tensor)     # an ember.Tensor
#   cpp_tensor = from_python(py_tensor)   # TypeError for anything else
from ember.tensor cimport Tensor, raise_python_error

cdef extern from "ember/python.h" namespace "ember::python":
    object tensor_to_capsule(const Tensor& t)
    Tensor tensor_from_capsule(object capsule) except +raise_python_error

cdef inline object to_python(const Tensor& t):
    from ember import _C
    return _C._tensor_from_capsule(tensor_to_capsule(t))

cdef inline Tensor from_python(object tensor) except *:
    from ember import _C
    return tensor_from_capsule(_C._tensor_to_capsule(tensor))

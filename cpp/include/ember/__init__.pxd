# Cython declarations of ember's C++ API (the .pxd files beside the headers they declare):
#   ember.tensor    DType, Device, Scalar, Tensor, Generator and the ops (ember/ops.h)
#   ember.autograd  backward, grad, grad mode and NoGradGuard (ember/autograd.h)
#   ember.nn        Module, the common layers and losses (ember/nn.h)
#   ember.optim     Optimizer, SGD, Adam, AdamW (ember/optim.h)
#   ember.python    to_python / from_python: tensors shared with the Python package ember
# Compile with `cython -I <ember.get_include()>` (or include_path=[ember.get_include()]) and link
# ember::core (CMake) or <ember.get_include()>/../lib/libember_core.so. See the Cython guide in docs/.

#pragma once
// Python's cyclic GC for the Python objects that wrap C++ ones: tensors, graph nodes, modules.
// A cycle that runs through C++ (a hook's closure holding its own tensor, a Function's ctx holding
// its output, a module among its own children) is invisible to Python unless the wrapper's
// tp_traverse visits the Python objects its C++ object holds. A wrapper visits only what it alone
// owns: when its C++ object is shared (use_count() > 1, PyTorch's rule), the other owner may be
// alive, and counting its references here would let the GC clear live objects.
#include "gil.h"

namespace ember::py_gc {

/// A Python tensor hook as C++ stores it (a HookFn): a named type, so that the GC finds the
/// callable inside the std::function. Once the GC has dropped it, the hook does nothing. Called
/// and dropped from backward passes that run without the GIL: takes it.
struct TensorHook {
  py_gil::Object fn;
  Tensor operator()(const Tensor& grad) const;
};

/// A Python post-accumulate-grad hook as C++ stores it (a PostAccumulateGradHookFn), named for
/// the GC as TensorHook; takes the GIL to run. The hook must return None, as torch's.
struct PostAccumulateGradHook {
  py_gil::Object fn;
  void operator()(const Tensor& leaf) const;
};

/// A custom Function's backward as its node stores it (a BackwardFn); defined in bind_autograd.cpp.
/// Takes the GIL to run, as TensorHook.
struct FunctionBackward {
  py_gil::Object fn;
  Tensors operator()(const Tensors& grads, const Tensors& saved) const;
};

/// Type setups (py::class_ extras) that make the objects of a class take part in the GC.
py::custom_type_setup tensor_type_setup();
py::custom_type_setup node_type_setup();
/// For ember.nn.Module and every layer class (py::dynamic_attr ones).
py::custom_type_setup module_type_setup();

}  // namespace ember::py_gc

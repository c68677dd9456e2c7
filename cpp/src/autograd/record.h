#pragma once
// What ops need from autograd on their hot path: the recording gate (one thread-local load and
// a pointer test per input) and a guard that keeps a primitive's inner ops from recording.
#include <cctype>
#include <string>

#include "ember/autograd.h"

namespace ember::autograd {

namespace state {
extern thread_local bool grad_enabled;
}

/// A view taken without history whose base has gained history through an in-place write since.
bool view_gained_history(const TensorImpl& view);

inline bool requires_grad_fast(const Tensor& t) {
  const TensorImpl* impl = t.impl();
  const AutogradMeta* m = impl->autograd.get();
  if (m) return m->requires_grad;
  return impl->view_base && view_gained_history(*impl);
}
/// Whether an op on these inputs records a node.
inline bool needs_grad(const Tensor& a) { return state::grad_enabled && requires_grad_fast(a); }
inline bool needs_grad(const Tensor& a, const Tensor& b) {
  return state::grad_enabled && (requires_grad_fast(a) || requires_grad_fast(b));
}
inline bool needs_grad(const Tensors& ts) {
  if (!state::grad_enabled) return false;
  for (const Tensor& t : ts)
    if (t.defined() && requires_grad_fast(t)) return true;
  return false;
}

/// While a primitive op that records its own node runs its forward, its inner ops must not.
class RecordingOff {
 public:
  explicit RecordingOff(bool active) : active_(active) {
    if (active_) state::grad_enabled = false;
  }
  ~RecordingOff() {
    if (active_) state::grad_enabled = true;
  }
  RecordingOff(const RecordingOff&) = delete;
  RecordingOff& operator=(const RecordingOff&) = delete;

 private:
  bool active_;
};

/// PyTorch's node names: "log_softmax" -> "LogSoftmaxBackward0", "fill_" -> "FillBackward0".
inline std::string backward_name(const char* op) {
  std::string out;
  bool upper = true;
  for (const char* c = op; *c; ++c) {
    if (*c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(*c))) : *c;
    upper = false;
  }
  return out + "Backward0";
}

/// Names t's grad_fn after the composite op that made it (backward_name(op)), as torch's
/// single node for the op; no-op when t has no history.
inline const Tensor& name_grad_fn(const Tensor& t, const char* op) {
  if (std::shared_ptr<Node> fn = grad_fn(t)) fn->renamed = backward_name(op);
  return t;
}

}  // namespace ember::autograd

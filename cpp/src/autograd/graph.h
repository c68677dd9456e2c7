#pragma once
// Internal pieces of the graph shared by the recording code, the engine and the in-place rules.
#include <mutex>

#include "ember/autograd.h"

namespace ember {

/// The node at a leaf that requires grad: adds the incoming gradient into the leaf's .grad. The
/// leaf owns it (made once, not per graph); it refers back to the leaf weakly. Backward passes
/// on several threads may reach one leaf at once: they add into its .grad one at a time.
struct AccumulateGrad : Node {
  explicit AccumulateGrad(const Tensor& leaf);
  Tensors apply(Tensors&& grads) override;
  std::string name() const override { return "AccumulateGrad"; }
  void run_hooks(Tensors& grads) override;
  /// Adds g into m.grad (the caller holds `mutex`).
  static void accumulate(const std::shared_ptr<TensorImpl>& leaf, Tensor g);

  std::weak_ptr<TensorImpl> variable;
  std::mutex mutex;  // held while .grad is updated
};

namespace autograd {
/// A view whose memory was written in place since its history was recorded takes a fresh
/// history: the matching part of its base's.
void refresh_view(const Tensor& view);
}  // namespace autograd

}  // namespace ember

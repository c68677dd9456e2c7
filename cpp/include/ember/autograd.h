#pragma once
// Reverse-mode automatic differentiation: the graph each op records, the engine that sweeps it,
// grad mode, hooks, anomaly mode and gradcheck. Backward formulas live in ember ops, right below
// their forwards (cpp/src/ops/), written with ember ops so that create_graph gives higher orders.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ember/tensor.h"

namespace ember {

using Tensors = std::vector<Tensor>;
struct Node;

/// Where a gradient goes: input `input_nr` of node `fn` (null when the input needs no gradient).
struct Edge {
  std::shared_ptr<Node> fn;
  uint32_t input_nr = 0;
};

/// A tensor hook: takes the gradient, returns a replacement (or an undefined tensor to keep it).
using HookFn = std::function<Tensor(const Tensor&)>;
/// A leaf's post-accumulate-grad hook: takes the leaf once backward has added into its .grad.
using PostAccumulateGradHookFn = std::function<void(const Tensor&)>;

/// What autograd knows of a tensor; allocated the first time a tensor takes part in autograd.
struct EMBER_API AutogradMeta {
  bool requires_grad = false;  // a leaf the user marked, or any tensor with a grad_fn
  bool retains_grad = false;
  uint32_t output_nr = 0;      // which output of grad_fn this tensor is
  std::shared_ptr<Node> grad_fn;
  std::shared_ptr<Node> grad_accumulator;  // leaves: their AccumulateGrad node (it holds them weakly)
  Tensor grad;
  std::vector<std::pair<int64_t, HookFn>> hooks;  // leaves' hooks (others live on grad_fn)
  std::vector<std::pair<int64_t, PostAccumulateGradHookFn>> post_accumulate_grad_hooks;  // leaves only
};

/// Hooks that take over how saved tensors are kept (ember.autograd.graph.saved_tensors_hooks):
/// pack gets each tensor as an op saves it and returns what to keep instead (the tensor is then
/// not held); unpack gets that back when backward needs the tensor.
struct EMBER_API SavedTensorHooks {
  std::function<std::shared_ptr<void>(const Tensor&)> pack;
  std::function<Tensor(const std::shared_ptr<void>&)> unpack;
};

/// A tensor saved for backward: checked against in-place changes when unpacked, dropped when
/// the graph is freed. Outputs of the saving node are held without a reference cycle. Under
/// saved-tensor hooks, what their pack returned is held instead (no version check then).
class EMBER_API SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const Tensor& t, bool is_output);
  /// The tensor as saved (with its history, so create_graph can differentiate through it).
  Tensor unpack(const Node& owner) const;
  void reset();
  bool defined() const { return data_.defined(); }

 private:
  Tensor data_;                       // leaves: the tensor itself; others: an alias without history
  std::shared_ptr<void> packed_;      // under hooks: what pack returned (data_ stays empty)
  std::shared_ptr<const SavedTensorHooks> hooks_;
  std::shared_ptr<Node> grad_fn_;     // inputs' history
  std::weak_ptr<Node> output_fn_;     // outputs' history (the owner itself: weak, no cycle)
  uint32_t output_nr_ = 0;
  uint32_t version_ = 0;
  bool requires_grad_ = false;
  bool is_output_ = false;
  bool was_defined_ = false;
};

/// One recorded op: computes the gradients of its inputs from those of its outputs.
struct EMBER_API Node {
  struct Meta {
    Shape sizes;
    DType dtype;
  };
  Node();
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /// Gradients of the inputs (one per next_edges entry, undefined where none) from those of
  /// the outputs (undefined ones already replaced by zeros).
  virtual Tensors apply(Tensors&& grads) = 0;
  virtual std::string name() const = 0;
  /// The name users see (grad_fn.name(), its repr): name(), or the public op's where a composite's
  /// outermost node stands for it (a loss's, "MseLossBackward0", as torch's).
  std::string display_name() const { return renamed.empty() ? name() : renamed; }
  std::string renamed;
  /// Drops saved tensors (after a backward without retain_graph).
  virtual void release() {}
  /// Tensor hooks registered on this node's outputs, run on the incoming gradients.
  virtual void run_hooks(Tensors& grads);

  std::vector<Edge> next_edges;
  std::vector<Meta> input_meta;   // per input: what its gradient must look like
  std::vector<Meta> output_meta;  // per output: for zeros where no gradient arrives
  uint64_t sequence_nr;           // creation order: the engine runs later nodes first (leaves' accumulators: max)
  std::string creation_site;      // where user code created the op (anomaly mode only)
  struct Hook {
    uint32_t output_nr;
    int64_t id;
    HookFn fn;
  };
  std::vector<Hook> hooks;
  std::vector<std::pair<uint32_t, std::weak_ptr<TensorImpl>>> retained;  // retain_grad() outputs
};

/// Backward of a recorded op: (gradients of the outputs, unpacked saved tensors) -> gradients of
/// the inputs.
using BackwardFn = std::function<Tensors(const Tensors& grads, const Tensors& saved)>;

/// The node the ops record: a name, saved tensors and a backward closure.
struct EMBER_API FunctionNode : Node {
  FunctionNode(std::string name, BackwardFn fn) : name_(std::move(name)), fn_(std::move(fn)) {}
  ~FunctionNode() override;
  Tensors apply(Tensors&& grads) override;
  std::string name() const override { return name_; }
  void release() override;
  /// The backward closure (the Python bindings reach the callable it holds, for the GC).
  BackwardFn& backward_fn() { return fn_; }

  std::vector<SavedTensor> saved;

 private:
  std::string name_;
  BackwardFn fn_;
  bool released_ = false;
  std::mutex mutex_;  // backward passes on two threads through one node: unpack and release in turn
};

namespace autograd {

// ---- saved-tensor hooks (thread-local) -------------------------------------------------
/// Tensors saved on this thread go through `hooks` until the matching pop (the innermost pair
/// applies). RuntimeError while disabled (set_saved_tensor_hooks_disabled).
EMBER_API void push_saved_tensor_hooks(std::shared_ptr<const SavedTensorHooks> hooks);
EMBER_API void pop_saved_tensor_hooks();
/// A non-empty message disables pushing hooks on this thread (the error says it); empty enables.
EMBER_API void set_saved_tensor_hooks_disabled(std::string message);
EMBER_API const std::string& saved_tensor_hooks_disabled();

// ---- grad mode (thread-local) ----------------------------------------------------------
EMBER_API bool is_grad_enabled();
EMBER_API void set_grad_enabled(bool enabled);
/// Sets grad mode for a scope and restores it after.
class EMBER_API GradModeGuard {
 public:
  explicit GradModeGuard(bool enabled) : prev_(is_grad_enabled()) { set_grad_enabled(enabled); }
  ~GradModeGuard() { set_grad_enabled(prev_); }
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool prev_;
};
struct EMBER_API NoGradGuard : GradModeGuard {
  NoGradGuard() : GradModeGuard(false) {}
};

// ---- anomaly mode (process-wide, as PyTorch's) ---------------------------------------------
EMBER_API bool is_anomaly_enabled();
EMBER_API void set_anomaly_enabled(bool enabled);
/// Describes where user code is now (Python installs one giving the Python stack).
EMBER_API void set_creation_site_provider(std::function<std::string()> provider);

// ---- tensor attributes ---------------------------------------------------------------------
EMBER_API bool requires_grad(const Tensor& t);
/// Marks a leaf (raises for a non-leaf being set to false, and for non-float dtypes).
EMBER_API void set_requires_grad(const Tensor& t, bool requires_grad);
EMBER_API bool is_leaf(const Tensor& t);
EMBER_API std::shared_ptr<Node> grad_fn(const Tensor& t);
EMBER_API Tensor grad(const Tensor& t);
EMBER_API void set_grad(const Tensor& t, const Tensor& grad);
/// Drops (set_to_none) or zeroes, detached, the gradient of each tensor (Module.zero_grad and
/// Optimizer.zero_grad).
EMBER_API void zero_grads(const std::vector<Tensor>& tensors, bool set_to_none = true);
/// Same memory, no history.
EMBER_API Tensor detach(const Tensor& t);
/// t.data = src: t keeps its identity and history but takes src's memory, shape and dtype.
EMBER_API void set_data(const Tensor& t, const Tensor& src);
/// In place: drops t's history.
EMBER_API void detach_(const Tensor& t);
/// Keeps the gradient of a non-leaf in its .grad after backward.
EMBER_API void retain_grad(const Tensor& t);
EMBER_API bool retains_grad(const Tensor& t);
/// Registers a hook run on t's gradient; returns an id for remove_hook.
EMBER_API int64_t register_hook(const Tensor& t, HookFn fn);
/// Registers a hook run on leaf t after backward has accumulated into t.grad (DDP's signal
/// that a gradient is ready); remove_hook takes it off.
EMBER_API int64_t register_post_accumulate_grad_hook(const Tensor& t, PostAccumulateGradHookFn fn);
EMBER_API void remove_hook(const Tensor& t, int64_t id);
/// Where t's gradient goes (t's grad_fn and output number, or its leaf accumulator).
EMBER_API Edge gradient_edge(const Tensor& t);

// ---- running backward ---------------------------------------------------------------------
/// Accumulates d(sum of tensors * grad_tensors)/d(leaf) into every leaf's .grad.
EMBER_API void backward(const Tensors& tensors, const Tensors& grad_tensors = {},
                        std::optional<bool> retain_graph = {}, bool create_graph = false);
/// The gradients of outputs with respect to inputs (undefined where unused and allow_unused).
EMBER_API Tensors grad(const Tensors& outputs, const Tensors& inputs, const Tensors& grad_outputs = {},
                       std::optional<bool> retain_graph = {}, bool create_graph = false, bool allow_unused = false);
/// Whether the backward pass running on this thread reaches every leaf (backward() without
/// inputs=): false inside grad() or backward(inputs=...), where a node that runs backward of its
/// own would accumulate into .grad behind the caller's back (the reentrant checkpoint refuses).
EMBER_API bool is_checkpoint_valid();

// ---- recording (for ops, custom functions and bindings) -----------------------------------
/// Whether an op on these inputs must record: grad mode on and one of them requires grad.
EMBER_API bool any_requires_grad(std::initializer_list<const Tensor*> inputs);
/// Connects outputs to a new node computing the gradients of inputs. Tensors in `saved` that
/// are among outputs are saved without a reference cycle. Non-float outputs get no history.
EMBER_API std::shared_ptr<FunctionNode> record(const char* name, const Tensors& outputs, const Tensors& inputs,
                                                const Tensors& saved, BackwardFn backward);
/// Gives a node its input edges and metadata from inputs and makes it the history of outputs.
EMBER_API void connect(const std::shared_ptr<Node>& node, const Tensors& outputs, const Tensors& inputs);

// ---- in-place ops -----------------------------------------------------------------------
/// Whether an in-place op writing x from `others` must record (x or its base or an operand
/// requires grad, with grad mode on); raises for a leaf (or a view of one) requiring grad.
EMBER_API bool inplace_requires_grad(const Tensor& x, std::initializer_list<const Tensor*> others, const char* op);
/// Runs an in-place op under autograd: `compute(old)` returns the new value with its history,
/// out of place; the value is written into x, and x (and the base it views) takes the history.
/// `keeps_old`: compute's backward saves old, which then must be a copy (x is overwritten).
EMBER_API Tensor& apply_inplace(Tensor& x, const char* op, const std::function<Tensor(const Tensor&)>& compute,
                                bool keeps_old);

// ---- gradcheck ------------------------------------------------------------------------------
using Function = std::function<Tensors(const Tensors&)>;
struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
  bool raise_exception = true;
};
/// Compares the analytical Jacobian of fn at inputs (float64 tensors requiring grad are checked)
/// with central finite differences; raises (or returns false) on a mismatch.
EMBER_API bool gradcheck(const Function& fn, const Tensors& inputs, const GradcheckOptions& opts = {});
/// gradcheck of the gradient of fn (vector-Jacobian products with grad_outputs, random when empty).
EMBER_API bool gradgradcheck(const Function& fn, const Tensors& inputs, const Tensors& grad_outputs = {},
                             const GradcheckOptions& opts = {});

/// Live TensorImpl and Node objects (tests check that a freed graph leaves nothing behind).
EMBER_API int64_t live_tensor_count();
EMBER_API int64_t live_node_count();

}  // namespace autograd
}  // namespace ember

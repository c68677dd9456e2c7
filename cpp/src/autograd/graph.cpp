// The graph: nodes, saved tensors, leaf accumulators, recording, tensor attributes and hooks.
#include <algorithm>
#include <atomic>
#include <limits>

#include "autograd/graph.h"
#include "autograd/record.h"
#include "ember/graph.h"
#include "ember/ops.h"
#include "graph_io.h"

namespace ember {

namespace {
std::atomic<int64_t> live_tensors{0};
std::atomic<int64_t> live_nodes{0};
std::atomic<uint64_t> next_sequence_nr{0};
std::atomic<int64_t> next_hook_id{0};
std::atomic<bool> anomaly_enabled{false};
std::function<std::string()>& site_provider() {
  static std::function<std::string()> provider;
  return provider;
}

/// Destroying the last tensor of a long chain frees its nodes one by one: each node hands its
/// children here instead of destroying them inside its own destructor (no recursion).
struct PendingRelease {
  std::vector<std::shared_ptr<Node>> nodes;
  bool draining = false;
};
thread_local PendingRelease pending;

void defer(std::shared_ptr<Node>&& n) {
  if (n) pending.nodes.push_back(std::move(n));
}

void drain_pending() {
  if (pending.draining) return;
  pending.draining = true;
  while (!pending.nodes.empty()) {
    std::shared_ptr<Node> n = std::move(pending.nodes.back());
    pending.nodes.pop_back();
    n.reset();  // its destructor defers its own children
  }
  pending.draining = false;
}

AutogradMeta& meta_of(const Tensor& t) {
  auto& m = t.impl()->autograd;
  if (!m) m = std::make_shared<AutogradMeta>();
  return *m;
}

/// A second handle on t's memory and geometry, with no history and no base.
Tensor alias_of(const Tensor& t) {
  Tensor a = Tensor::make_view(t, t.sizes(), t.strides(), t.offset());
  a.impl()->is_wrapped_number = t.impl()->is_wrapped_number;
  return a;
}

/// impl's .grad = g; a graph capture records it as an effect (a replay assigns it again).
void assign_grad(const std::shared_ptr<TensorImpl>& impl, const Tensor& g) {
  graph::effect("assign .grad", [impl, g] { meta_of(Tensor(impl)).grad = g; }, [impl, g](graph::StepWriter& w) {
    w.word("set_grad");
    w.leaf(Tensor(impl));
    w.tensor(g);
  });
}

std::string describe(const Tensor& t) { return detail::cat("[", dtype_name(t.dtype()), " ", shape_str(t.sizes()), "]"); }
}  // namespace

TensorImpl::TensorImpl() { live_tensors.fetch_add(1, std::memory_order_relaxed); }
TensorImpl::~TensorImpl() {
  // A tensor's history may be the head of a long chain: release it without recursion.
  if (autograd && autograd.use_count() == 1) defer(std::move(autograd->grad_fn));
  autograd.reset();
  drain_pending();
  live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

// ---- nodes --------------------------------------------------------------------------------
Node::Node() : sequence_nr(next_sequence_nr.fetch_add(1, std::memory_order_relaxed)) {
  live_nodes.fetch_add(1, std::memory_order_relaxed);
}

Node::~Node() {
  for (Edge& e : next_edges) defer(std::move(e.fn));
  drain_pending();
  live_nodes.fetch_sub(1, std::memory_order_relaxed);
}

namespace {
/// A hook may return a replacement gradient: of the same shape and dtype.
void take_hook_result(Tensor& grad, const Tensor& r, const std::string& where) {
  if (!r.defined()) return;
  EMBER_CHECK_RUNTIME(r.sizes() == grad.sizes(), "hook on ", where, " has changed the size of value: expected ",
                      shape_str(grad.sizes()), ", got ", shape_str(r.sizes()));
  EMBER_CHECK_TYPE(r.dtype() == grad.dtype(), "hook on ", where, " has changed the type of value: expected ",
                   dtype_name(grad.dtype()), ", got ", dtype_name(r.dtype()));
  grad = r;
}
}  // namespace

void Node::run_hooks(Tensors& grads) {
  const std::vector<Hook> snapshot = hooks;  // a hook may remove itself or add others
  for (const Hook& h : snapshot) {
    if (h.output_nr >= grads.size() || !grads[h.output_nr].defined()) continue;
    take_hook_result(grads[h.output_nr], h.fn(grads[h.output_nr]), "an output of " + name());
  }
  for (const auto& [nr, weak] : retained) {
    std::shared_ptr<TensorImpl> impl = weak.lock();
    if (!impl || nr >= grads.size() || !grads[nr].defined()) continue;
    AutogradMeta& m = meta_of(Tensor(impl));
    assign_grad(impl, m.grad.defined() ? add(m.grad, grads[nr]) : clone(grads[nr]));
  }
}

Tensors FunctionNode::apply(Tensors&& grads) {
  Tensors unpacked;
  {
    std::lock_guard<std::mutex> lock(mutex_);  // a backward pass on another thread may release them
    EMBER_CHECK_RUNTIME(!released_, name_,
                        ": Trying to backward through the graph a second time (or directly access saved tensors "
                        "after they have already been freed). Saved intermediate values of the graph are freed when "
                        "you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
                        "through the graph a second time or if you need to access saved tensors after calling "
                        "backward.");
    unpacked.reserve(saved.size());
    for (const SavedTensor& s : saved) unpacked.push_back(s.unpack(*this));
  }
  return fn_(grads, unpacked);
}

void FunctionNode::release() {
  std::vector<SavedTensor> dropped;  // freed after the lock: freeing a graph may wait for the GIL
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (saved.empty()) return;  // nothing saved: the node can run again, as PyTorch's can
    dropped.swap(saved);
    released_ = true;
  }
  for (SavedTensor& s : dropped) s.reset();
}

FunctionNode::~FunctionNode() {
  for (SavedTensor& s : saved) s.reset();
}

AccumulateGrad::AccumulateGrad(const Tensor& leaf) : variable(leaf.impl_ptr()) {
  // Made once per leaf, it would sort before every newer node; as torch's, it runs as soon as it is
  // ready instead, so .grad (and post-accumulate-grad hooks, DDP's buckets) fill during backward.
  sequence_nr = std::numeric_limits<uint64_t>::max();
  output_meta.push_back({leaf.sizes(), leaf.dtype()});
}

void AccumulateGrad::run_hooks(Tensors& grads) {
  std::shared_ptr<TensorImpl> leaf = variable.lock();
  const AutogradMeta* m = leaf ? leaf->autograd.get() : nullptr;
  if (!m || grads.empty() || !grads[0].defined()) return;
  const auto snapshot = m->hooks;  // a hook may remove itself or add others
  for (const auto& [id, fn] : snapshot) take_hook_result(grads[0], fn(grads[0]), "a leaf");
}

Tensors AccumulateGrad::apply(Tensors&& grads) {
  Tensor g = std::move(grads[0]);
  grads.clear();
  std::shared_ptr<TensorImpl> leaf = variable.lock();
  if (!g.defined() || !leaf) return {};  // a leaf nobody holds any more has no .grad to fill
  AutogradMeta& m = *leaf->autograd;
  {
    std::lock_guard<std::mutex> lock(mutex);
    accumulate(leaf, std::move(g));
  }
  // Outside the lock: a Python hook takes the GIL, which another backward thread may hold.
  const auto snapshot = m.post_accumulate_grad_hooks;  // a hook may remove itself or add others
  for (const auto& [id, fn] : snapshot) fn(Tensor(leaf));
  return {};
}

void AccumulateGrad::accumulate(const std::shared_ptr<TensorImpl>& leaf, Tensor g) {
  AutogradMeta& m = *leaf->autograd;
  // Take the buffer when nothing else can see it; otherwise a copy of our own.
  const bool exclusive = g.impl_ptr().use_count() == 1 && g.storage().use_count() == 1 && !g.is_view() &&
                         g.is_contiguous();
  if (autograd::is_grad_enabled()) {  // create_graph: the gradient keeps its own history
    assign_grad(leaf, m.grad.defined() ? add(m.grad, g) : (exclusive ? g : clone(g)));
  } else if (!m.grad.defined()) {
    assign_grad(leaf, exclusive && !autograd::requires_grad(g) ? g : autograd::detach(clone(g)));
  } else if (autograd::requires_grad(m.grad)) {
    assign_grad(leaf, autograd::detach(add(m.grad, g)));
  } else {
    add_(m.grad, g);
  }
}

// ---- saved tensors ------------------------------------------------------------------------
namespace {
thread_local std::vector<std::shared_ptr<const SavedTensorHooks>> saved_hooks;
thread_local std::string saved_hooks_disabled;
}  // namespace

namespace autograd {
void push_saved_tensor_hooks(std::shared_ptr<const SavedTensorHooks> hooks) {
  EMBER_CHECK_RUNTIME(saved_hooks_disabled.empty(), saved_hooks_disabled);
  saved_hooks.push_back(std::move(hooks));
}
void pop_saved_tensor_hooks() {
  if (!saved_hooks.empty()) saved_hooks.pop_back();
}
void set_saved_tensor_hooks_disabled(std::string message) { saved_hooks_disabled = std::move(message); }
const std::string& saved_tensor_hooks_disabled() { return saved_hooks_disabled; }
}  // namespace autograd

SavedTensor::SavedTensor(const Tensor& t, bool is_output) {
  if (!t.defined()) return;
  was_defined_ = true;
  version_ = t.storage()->version.load(std::memory_order_relaxed);
  const AutogradMeta* m = t.impl()->autograd.get();
  requires_grad_ = m && m->requires_grad;
  is_output_ = is_output;
  if (!saved_hooks.empty()) {
    // pack gets the tensor; an output of the saving node without its history (the node would
    // otherwise hold itself through what pack keeps). The history is kept here, for create_graph.
    hooks_ = saved_hooks.back();
    packed_ = hooks_->pack(is_output && m && m->grad_fn ? alias_of(t) : t);
    if (m && m->grad_fn) {
      if (is_output) output_fn_ = m->grad_fn;
      else grad_fn_ = m->grad_fn;
      output_nr_ = m->output_nr;
    }
    return;
  }
  if (is_output && m && m->grad_fn) {
    data_ = alias_of(t);  // the node holding this must not hold its own output: no cycle
    output_fn_ = m->grad_fn;
    output_nr_ = m->output_nr;
  } else if (m && m->grad_fn) {
    data_ = alias_of(t);
    grad_fn_ = m->grad_fn;
    output_nr_ = m->output_nr;
  } else {
    data_ = t;  // a leaf (or a constant): the tensor itself, so gradients reach its .grad
  }
}

void SavedTensor::reset() {
  data_ = Tensor();
  packed_.reset();  // what pack kept: a Python object is freed under the GIL (its deleter takes it)
  defer(std::move(grad_fn_));
  drain_pending();
}

Tensor SavedTensor::unpack(const Node& owner) const {
  if (!was_defined_) return {};
  EMBER_CHECK_RUNTIME(data_.defined() || packed_, owner.name(),
                      ": Trying to backward through the graph a second time (or directly access saved tensors after "
                      "they have already been freed). Specify retain_graph=True if you need to backward through the "
                      "graph a second time.");
  Tensor data = data_;
  if (packed_) {
    data = hooks_->unpack(packed_);
  } else {
    const uint32_t now = data_.storage()->version.load(std::memory_order_relaxed);
    EMBER_CHECK_RUNTIME(now == version_, "one of the variables needed for gradient computation has been modified by "
                        "an inplace operation: ", describe(data_), ", saved by ", owner.name(), ", is at version ",
                        now, "; expected version ", version_, " instead. Hint: the in-place op came after ",
                        owner.name(), " saved it; use an out-of-place op or clone() the tensor first.");
  }
  if (!autograd::is_grad_enabled() || !(grad_fn_ || is_output_)) return data;
  // create_graph: the saved value takes part in the new graph through its history.
  std::shared_ptr<Node> fn = is_output_ ? output_fn_.lock() : grad_fn_;
  if (!fn) return data;
  Tensor t = alias_of(data);
  AutogradMeta& m = meta_of(t);
  m.requires_grad = true;
  m.grad_fn = std::move(fn);
  m.output_nr = output_nr_;
  return t;
}

// ---- grad mode, anomaly mode, counters ------------------------------------------------------
namespace autograd {
namespace state {
thread_local bool grad_enabled = true;
}

bool is_grad_enabled() { return state::grad_enabled; }
void set_grad_enabled(bool enabled) { state::grad_enabled = enabled; }
bool is_anomaly_enabled() { return anomaly_enabled; }
void set_anomaly_enabled(bool enabled) { anomaly_enabled = enabled; }
void set_creation_site_provider(std::function<std::string()> provider) { site_provider() = std::move(provider); }
int64_t live_tensor_count() { return live_tensors.load(); }
int64_t live_node_count() { return live_nodes.load(); }

// ---- tensor attributes ----------------------------------------------------------------------
bool requires_grad(const Tensor& t) { return requires_grad_fast(t); }

bool is_leaf(const Tensor& t) {
  if (!t.impl()->autograd && !requires_grad_fast(t)) return true;
  gradient_edge(t);  // a view whose base gained history takes its own here
  const AutogradMeta* m = t.impl()->autograd.get();
  return !m || !m->grad_fn;
}

bool view_gained_history(const TensorImpl& view) {
  const AutogradMeta* bm = view.view_base->autograd.get();
  return bm && bm->grad_fn && view.storage->version.load(std::memory_order_relaxed) != view.view_version;
}

void set_requires_grad(const Tensor& t, bool value) {
  if (!is_leaf(t)) {
    EMBER_CHECK_RUNTIME(value, "requires_grad: you can only change requires_grad flags of leaf variables. If you want "
                        "to use a computed variable in a subgraph that doesn't require differentiation use "
                        "var_no_grad = var.detach().");
    return;
  }
  EMBER_CHECK_RUNTIME(!value || is_floating(t.dtype()), "requires_grad: only Tensors of floating point dtype can "
                      "require gradients, got ", dtype_name(t.dtype()));
  if (!value && !t.impl()->autograd) return;
  meta_of(t).requires_grad = value;
}

std::shared_ptr<Node> grad_fn(const Tensor& t) {
  if (is_leaf(t)) return nullptr;
  return gradient_edge(t).fn;  // a stale view's history is rebuilt first
}

Tensor grad(const Tensor& t) {
  const AutogradMeta* m = t.impl()->autograd.get();
  return m ? m->grad : Tensor();
}

void zero_grads(const std::vector<Tensor>& tensors, bool set_to_none) {
  for (const Tensor& t : tensors) {
    Tensor g = grad(t);
    if (!g.defined()) continue;
    if (set_to_none) {
      set_grad(t, Tensor());
    } else {
      detach_(g);
      zero_(g);
    }
  }
}

void set_grad(const Tensor& t, const Tensor& g) {
  if (g.defined()) {
    EMBER_CHECK_RUNTIME(g.sizes() == t.sizes(), "grad: assigned grad has shape ", shape_str(g.sizes()),
                        " but the tensor has shape ", shape_str(t.sizes()));
    EMBER_CHECK_TYPE(g.dtype() == t.dtype(), "grad: assigned grad has dtype ", dtype_name(g.dtype()),
                     " but the tensor has dtype ", dtype_name(t.dtype()));
    EMBER_CHECK_RUNTIME(!g.is_same(t), "grad: can't assign a tensor as its own grad");
  } else if (!t.impl()->autograd) {
    return;
  }
  assign_grad(t.impl_ptr(), g);
}

Tensor detach(const Tensor& t) { return alias_of(t); }

void set_data(const Tensor& t, const Tensor& src) {
  EMBER_CHECK_RUNTIME(!t.requires_grad() || is_floating(src.dtype()), "data: data set to a tensor that "
                      "requires gradients must be floating point, got ", dtype_name(src.dtype()));
  TensorImpl* impl = t.impl();
  impl->storage = src.storage();
  impl->sizes = src.sizes();
  impl->strides = src.strides();
  impl->offset = src.offset();
  impl->numel = src.numel();
  impl->dtype = src.dtype();
}

void detach_(const Tensor& t) {
  EMBER_CHECK_RUNTIME(!(t.is_view() && t.impl()->autograd && t.impl()->autograd->grad_fn),
                      "detach_: can't detach views in-place; use detach() instead");
  AutogradMeta* m = t.impl()->autograd.get();
  if (!m) return;
  m->grad_fn.reset();
  m->requires_grad = false;
  m->output_nr = 0;
}

void retain_grad(const Tensor& t) {
  EMBER_CHECK_RUNTIME(requires_grad(t), "retain_grad: can't retain_grad on Tensor that has requires_grad=False");
  if (is_leaf(t)) return;  // a leaf's .grad is kept anyway (is_leaf rebuilds a stale view's history)
  AutogradMeta& m = meta_of(t);
  if (m.retains_grad) return;
  m.retains_grad = true;
  m.grad_fn->retained.emplace_back(m.output_nr, t.impl_ptr());
}

bool retains_grad(const Tensor& t) {
  const AutogradMeta* m = t.impl()->autograd.get();
  return m && m->retains_grad && m->grad_fn;
}

int64_t register_hook(const Tensor& t, HookFn fn) {
  EMBER_CHECK_RUNTIME(requires_grad(t), "register_hook: cannot register a hook on a tensor that doesn't require "
                      "gradient");
  const int64_t id = next_hook_id.fetch_add(1);
  const Edge e = gradient_edge(t);  // a stale view's history is rebuilt first
  AutogradMeta& m = meta_of(t);
  if (m.grad_fn) e.fn->hooks.push_back({e.input_nr, id, std::move(fn)});
  else m.hooks.emplace_back(id, std::move(fn));
  return id;
}

int64_t register_post_accumulate_grad_hook(const Tensor& t, PostAccumulateGradHookFn fn) {
  EMBER_CHECK_RUNTIME(requires_grad(t), "register_post_accumulate_grad_hook: cannot register a hook on a tensor "
                      "that doesn't require gradient");
  EMBER_CHECK_RUNTIME(is_leaf(t), "register_post_accumulate_grad_hook: post accumulate grad hooks cannot be "
                      "registered on non-leaf tensors");
  const int64_t id = next_hook_id.fetch_add(1);
  meta_of(t).post_accumulate_grad_hooks.emplace_back(id, std::move(fn));
  return id;
}

void remove_hook(const Tensor& t, int64_t id) {
  AutogradMeta* m = t.impl()->autograd.get();
  if (!m) return;
  auto drop = [id](auto& hooks, auto id_of) {
    hooks.erase(std::remove_if(hooks.begin(), hooks.end(), [&](const auto& h) { return id_of(h) == id; }), hooks.end());
  };
  drop(m->hooks, [](const auto& h) { return h.first; });
  drop(m->post_accumulate_grad_hooks, [](const auto& h) { return h.first; });
  if (m->grad_fn) drop(m->grad_fn->hooks, [](const Node::Hook& h) { return h.id; });
}

Edge gradient_edge(const Tensor& t) {
  AutogradMeta* m = t.impl()->autograd.get();
  if (!m) {
    if (!t.is_view() || !view_gained_history(*t.impl())) return {};
    refresh_view(t);
    m = t.impl()->autograd.get();
  }
  if (m->grad_fn) {
    if (t.is_view() && t.impl()->view_version != t.storage()->version.load(std::memory_order_relaxed)) refresh_view(t);
    return {m->grad_fn, m->output_nr};
  }
  if (!m->requires_grad) return {};
  // Ops on two threads (without the GIL) may record a shared leaf at once: one accumulator.
  std::shared_ptr<Node> acc = std::atomic_load(&m->grad_accumulator);
  if (!acc) {
    static std::mutex creating;
    std::lock_guard<std::mutex> lock(creating);
    acc = std::atomic_load(&m->grad_accumulator);
    if (!acc) {
      acc = std::make_shared<AccumulateGrad>(t);
      std::atomic_store(&m->grad_accumulator, acc);
    }
  }
  return {std::move(acc), 0};
}

// ---- recording --------------------------------------------------------------------------------
bool any_requires_grad(std::initializer_list<const Tensor*> inputs) {
  if (!state::grad_enabled) return false;
  for (const Tensor* t : inputs)
    if (t && t->defined() && requires_grad_fast(*t)) return true;
  return false;
}

void connect(const std::shared_ptr<Node>& node, const Tensors& outputs, const Tensors& inputs) {
  node->next_edges.reserve(inputs.size());
  node->input_meta.reserve(inputs.size());
  for (const Tensor& in : inputs) {
    if (in.defined() && requires_grad_fast(in)) {
      node->next_edges.push_back(gradient_edge(in));
      node->input_meta.push_back({in.sizes(), in.dtype()});
    } else {
      node->next_edges.emplace_back();
      node->input_meta.push_back({{}, DType::Float32});
    }
  }
  if (anomaly_enabled && site_provider()) node->creation_site = site_provider()();
  node->output_meta.reserve(outputs.size());
  uint32_t nr = 0;
  for (const Tensor& out : outputs) {
    node->output_meta.push_back({out.defined() ? out.sizes() : Shape{}, out.defined() ? out.dtype() : DType::Float32});
    const uint32_t i = nr++;
    if (!out.defined() || !is_floating(out.dtype())) continue;  // indices and masks carry no gradient
    bool is_input = false;
    for (const Tensor& in : inputs) is_input = is_input || (in.defined() && in.is_same(out));
    if (is_input) continue;  // an op that returned its input unchanged leaves its history alone
    AutogradMeta& m = meta_of(out);
    m.requires_grad = true;
    m.grad_fn = node;
    m.output_nr = i;
    if (out.is_view()) out.impl()->view_version = out.storage()->version.load(std::memory_order_relaxed);
  }
}

std::shared_ptr<FunctionNode> record(const char* name, const Tensors& outputs, const Tensors& inputs,
                                     const Tensors& saved, BackwardFn backward) {
  auto node = std::make_shared<FunctionNode>(name, std::move(backward));
  connect(node, outputs, inputs);
  node->saved.reserve(saved.size());
  for (const Tensor& s : saved) {
    bool is_output = false;
    for (const Tensor& o : outputs) is_output = is_output || (s.defined() && o.defined() && o.is_same(s));
    node->saved.emplace_back(s, is_output);
  }
  return node;
}

}  // namespace autograd

// ---- Tensor's autograd members -------------------------------------------------------------------
void Tensor::set_view_of(const Tensor& of) const {
  impl_->view_base = of.impl_->view_base ? of.impl_->view_base : of.impl_;
  impl_->view_version = impl_->storage->version.load(std::memory_order_relaxed);
  impl_->view_without_grad = !autograd::state::grad_enabled && autograd::requires_grad_fast(of);
}
bool Tensor::requires_grad() const { return autograd::requires_grad(*this); }
Tensor& Tensor::requires_grad_(bool value) {
  autograd::set_requires_grad(*this, value);
  return *this;
}
Tensor Tensor::grad() const { return autograd::grad(*this); }
void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph) const {
  autograd::backward({*this}, {gradient}, retain_graph, create_graph);
}
Tensor Tensor::detach() const { return autograd::detach(*this); }

}  // namespace ember

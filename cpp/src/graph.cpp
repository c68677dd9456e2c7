// Graph capture and replay (ember/graph.h): the recorder call_kernel feeds, effects, and the
// check that the host did not read runtime data during a capture.
#include "ember/graph.h"

#include <algorithm>
#include <cstdlib>
#include <unordered_map>
#include <unordered_set>

#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/ops.h"
#include "graph_fuse.h"
#include "kernels.h"

namespace ember::graph {

/// What a capture tracks besides its steps: which storages hold constants (made during the
/// capture and written only by the host or by kernels that read constants alone), so a host
/// access to anything else marks the capture data-dependent.
struct CaptureState {
  std::shared_ptr<Graph> graph = std::make_shared<Graph>();
  std::unordered_set<const Storage*> constants;
  const char* last_op = "the start";

  /// A constant the host wrote or read: the memory plan must keep its contents.
  void pin(const std::shared_ptr<Storage>& storage) {
    for (const auto& s : graph->pinned_)
      if (s == storage) return;
    graph->pinned_.push_back(storage);
  }

  void push(Step s) { graph->steps_.push_back(std::move(s)); }
  void refuse(const std::string& why) {
    if (graph->why_not_.empty()) graph->why_not_ = why;
  }
  void backward() { graph->ran_backward_ = true; }
};

namespace detail {
thread_local CaptureState* t_capture = nullptr;

void record_kernel(const char* op, std::vector<Tensor> tensors, std::function<void()> run, bool keep,
                   bool writes_first_only, const void* kernel, std::function<void(StepWriter&)> save,
                   int pointwise_row) {
  CaptureState& c = *t_capture;
  bool constant = !keep;
  for (const Tensor& t : tensors) constant = constant && c.constants.count(t.storage().get());
  if (!constant)
    for (const Tensor& t : tensors) c.constants.erase(t.storage().get());
  c.push(Step{op, false, std::move(tensors), std::move(run), keep, writes_first_only, kernel, std::move(save),
              pointwise_row});
  c.last_op = op;
}

void host_access(const Tensor& t) {
  CaptureState& c = *t_capture;
  if (KernelScope::current()) return;
  if (c.constants.count(t.storage().get())) return c.pin(t.storage());
  refuse("the host read or wrote the values of a tensor of shape " + shape_str(t.sizes()) + " after " +
         std::to_string(c.graph->kernel_count()) + " kernels (the last " + c.last_op +
         "): data-dependent (item(), tolist(), numpy(), printing, or an op that reads values on the host)");
}

void note_alloc(const std::shared_ptr<Storage>& s, bool filled) {
  t_capture->constants.insert(s.get());
  if (filled) t_capture->pin(s);
}
}  // namespace detail

int64_t Graph::kernel_count() const {
  int64_t n = 0;
  for (const Step& s : steps_) n += !s.effect;
  return n;
}

int64_t Graph::effect_count() const { return static_cast<int64_t>(steps_.size()) - kernel_count(); }

void Graph::replay() {
  EMBER_CHECK_RUNTIME(replayable(), "replay: this graph cannot be replayed: ", why_not_);
  EMBER_CHECK_RUNTIME(!detail::t_capture, "replay: cannot replay a graph while capturing another");
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Step& s : steps_) s.run();
}

namespace {
/// Bytes from t's element 0 to past its last element.
int64_t span_bytes(const Tensor& t) {
  if (t.numel() == 0) return 0;
  int64_t last = 0;
  for (int64_t d = 0; d < t.dim(); ++d) last += (t.sizes()[d] - 1) * t.strides()[d];
  return (last + 1) * t.itemsize();
}
/// Points input (a make_input tensor) at t's memory.
void point_at(const Tensor& input, const Tensor& t) {
  Storage& s = *input.storage();
  s.owner = std::shared_ptr<void>(t.storage()->owner, t.raw_data());
  s.nbytes = span_bytes(t);
  s.readonly = t.storage()->readonly;
}
}  // namespace

Tensor make_input(const Tensor& t) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::wrap(nullptr, 0, t.device());
  impl->sizes = t.sizes();
  impl->strides = t.strides();
  impl->numel = t.numel();
  impl->dtype = t.dtype();
  Tensor input(std::move(impl));
  point_at(input, t);
  return input;
}

void Graph::set_io(std::vector<Tensor> inputs, std::vector<Tensor> outputs) {
  inputs_ = std::move(inputs);
  outputs_ = std::move(outputs);
}

std::vector<Tensor> Graph::run(const std::vector<Tensor>& inputs) {
  EMBER_CHECK_RUNTIME(replayable(), "replay: this graph cannot be replayed: ", why_not_);
  EMBER_CHECK_RUNTIME(!detail::t_capture, "replay: cannot replay a graph while capturing another");
  EMBER_CHECK_RUNTIME(inputs.size() == inputs_.size(), "replay: expected ", inputs_.size(), " input tensors, got ",
                      inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor &want = inputs_[i], &t = inputs[i];
    EMBER_CHECK_RUNTIME(t.sizes() == want.sizes() && t.strides() == want.strides() && t.dtype() == want.dtype() &&
                            t.device() == want.device(),
                        "replay: input ", i, " is ", dtype_name(t.dtype()), " ", shape_str(t.sizes()),
                        " with strides ", shape_str(t.strides()), ", but the graph was captured for ",
                        dtype_name(want.dtype()), " ", shape_str(want.sizes()), " with strides ",
                        shape_str(want.strides()));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (!plan_.done) optimize();
  for (size_t i = 0; i < inputs.size(); ++i) point_at(inputs_[i], inputs[i]);
  for (const Step& s : steps_) s.run();
  std::vector<Tensor> out;
  out.reserve(outputs_.size());
  autograd::NoGradGuard no_grad;
  for (const Tensor& t : outputs_) out.push_back(t.defined() ? clone(t) : t);
  return out;
}

Tensor Graph::named(const std::string& name) const {
  for (const auto& [n, t] : named_)
    if (n == name) return t;
  throw IndexError(ember::detail::cat("graph: no tensor named '", name, "' (", named_.size(), " named)"));
}

void Graph::set_options(bool dead_code_elimination, bool memory_plan, bool pointwise_fusion) {
  dead_code_elimination_ = dead_code_elimination;
  memory_plan_ = memory_plan;
  pointwise_fusion_ = pointwise_fusion;
}

namespace detail {
/// Which storages only the graph holds (the graph's own buffers): every tensor on them is held by
/// graph steps alone (its handles in steps, plus the graph's views of it), and no other tensor
/// is on them. Anything else (inputs, outputs, parameters, gradients, optimizer state, what an
/// effect or Python holds) is visible after a replay.
std::unordered_set<const Storage*> graph_only_storages(const std::vector<Step>& steps,
                                                       const std::vector<Tensor>& visible) {
  struct Held {
    const std::shared_ptr<TensorImpl>* handle;
    long count = 0;
  };
  std::unordered_map<const TensorImpl*, Held> held;
  for (const Step& s : steps)
    for (const Tensor& t : s.tensors) {
      Held& h = held[t.impl()];
      h.handle = &t.impl_ptr();
      h.count += 2;  // the step's list and its closure's copy of the argument
    }
  std::vector<const TensorImpl*> views;
  for (const auto& [impl, h] : held)
    if (impl->view_base) views.push_back(impl);
  for (const TensorImpl* v : views) {
    Held& h = held[v->view_base.get()];
    h.handle = &v->view_base;
    ++h.count;
  }
  std::unordered_map<const Storage*, std::vector<const TensorImpl*>> on;
  for (const auto& [impl, h] : held) on[impl->storage.get()].push_back(impl);
  std::unordered_set<const Storage*> seen_visible;
  for (const Tensor& t : visible)
    if (t.defined()) seen_visible.insert(t.storage().get());
  std::unordered_set<const Storage*> own;
  for (const auto& [storage, impls] : on) {
    if (seen_visible.count(storage)) continue;
    bool only = impls.front()->storage.use_count() == static_cast<long>(impls.size());
    for (const TensorImpl* impl : impls) only = only && held[impl].handle->use_count() == held[impl].count;
    if (only) own.insert(storage);
  }
  return own;
}
}  // namespace detail

void Graph::optimize() {
  plan_.done = true;
  std::vector<Tensor> visible = inputs_;
  visible.insert(visible.end(), outputs_.begin(), outputs_.end());
  const std::unordered_set<const Storage*> own = detail::graph_only_storages(steps_, visible);
  if (dead_code_elimination_) {
    // Backwards: a kernel is needed when it writes memory seen after the replay or touched by a
    // later needed step; then everything it touches is needed before it.
    std::unordered_set<const Storage*> needed;
    std::vector<Step> kept;
    for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
      bool need = it->effect || it->keep || it->tensors.empty();
      // What the kernel writes: its first tensor, or (not known) every tensor it touches.
      const size_t written = it->writes_first_only ? 1 : it->tensors.size();
      for (size_t k = 0; k < written && k < it->tensors.size(); ++k) {
        const Storage* s = it->tensors[k].storage().get();
        need = need || !own.count(s) || needed.count(s);
      }
      if (!need) {
        ++plan_.kernels_dropped;
        continue;
      }
      for (const Tensor& t : it->tensors) needed.insert(t.storage().get());
      kept.push_back(std::move(*it));
    }
    steps_.assign(std::make_move_iterator(kept.rbegin()), std::make_move_iterator(kept.rend()));
  }
  std::unordered_set<const Storage*> pinned;
  for (const auto& p : pinned_) pinned.insert(p.get());
  if (pointwise_fusion_) fuse_pointwise(steps_, own, pinned, plan_);
  if (!memory_plan_) return;
  // Lifetimes of the graph's own buffers over the steps (pinned constants keep their memory).
  struct Buffer {
    std::shared_ptr<Storage> storage;
    size_t first, last;
    int64_t size, offset = 0;
  };
  std::unordered_map<const Storage*, size_t> index;
  std::vector<Buffer> buffers;
  for (size_t i = 0; i < steps_.size(); ++i)
    for (const Tensor& t : steps_[i].tensors) {
      const Storage* s = t.storage().get();
      if (!own.count(s) || pinned.count(s) || s->nbytes == 0) continue;
      auto [at, fresh] = index.emplace(s, buffers.size());
      if (fresh) buffers.push_back({t.storage(), i, i, (s->nbytes + 63) / 64 * 64});
      buffers[at->second].last = i;
    }
  // Largest first, each into the smallest gap among the placed buffers whose lifetimes overlap.
  std::vector<Buffer*> order;
  for (Buffer& b : buffers) order.push_back(&b);
  std::sort(order.begin(), order.end(), [](const Buffer* a, const Buffer* b) { return a->size > b->size; });
  std::vector<const Buffer*> placed;
  int64_t total = 0;
  for (Buffer* b : order) {
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (const Buffer* p : placed)
      if (p->first <= b->last && b->first <= p->last) busy.emplace_back(p->offset, p->offset + p->size);
    std::sort(busy.begin(), busy.end());
    int64_t at = 0, best = -1, best_gap = 0;
    for (const auto& [lo, hi] : busy) {
      if (lo - at >= b->size && (best < 0 || lo - at < best_gap)) best = at, best_gap = lo - at;
      at = std::max(at, hi);
    }
    b->offset = best >= 0 ? best : at;
    total = std::max(total, b->offset + b->size);
    placed.push_back(b);
  }
  plan_.planned_buffers = static_cast<int64_t>(buffers.size());
  for (const Buffer& b : buffers) plan_.planned_bytes += b.size;
  plan_.arena_bytes = total;
  if (buffers.empty()) return;
  void* p = std::aligned_alloc(64, static_cast<size_t>(total));
  EMBER_CHECK_RUNTIME(p != nullptr, "replay: cannot allocate the graph's arena of ", total, " bytes");
  arena_ = std::shared_ptr<void>(p, std::free);
  for (const Buffer& b : buffers)  // the buffers' own memory is freed here
    b.storage->owner = std::shared_ptr<void>(arena_, static_cast<char*>(p) + b.offset);
}

Capture::Capture() : state_(std::make_unique<CaptureState>()) {
  EMBER_CHECK_RUNTIME(!detail::t_capture, "compile: captures do not nest (this thread is capturing already)");
  detail::t_capture = state_.get();
  if (autograd::is_anomaly_enabled()) refuse("anomaly detection is on (its checks read values on the host)");
}

Capture::~Capture() {
  if (detail::t_capture == state_.get()) detail::t_capture = nullptr;
}

std::shared_ptr<Graph> Capture::finish() {
  if (detail::t_capture == state_.get()) detail::t_capture = nullptr;
  return state_->graph;
}

bool capturing() { return detail::t_capture != nullptr; }

void detail::record_effect(const char* name, std::function<void()> fn, std::function<void(StepWriter&)> save) {
  CaptureState* c = detail::t_capture;
  c->push(Step{name, true, {}, fn, true, false, nullptr, std::move(save)});
  detail::t_capture = nullptr;  // what the effect runs is the effect's, not the graph's
  try {
    fn();
  } catch (...) {
    detail::t_capture = c;
    throw;
  }
  detail::t_capture = c;
}

void refuse(const std::string& why) {
  if (CaptureState* c = detail::t_capture) c->refuse(why);
}

void note_backward() {
  if (CaptureState* c = detail::t_capture) c->backward();
}

}  // namespace ember::graph

// Graph capture and replay (ember/graph.h): the recorder call_kernel feeds, effects, and the
// check that the host did not read runtime data during a capture.
#include "ember/graph.h"

#include <unordered_set>

#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember::graph {

/// What a capture tracks besides its steps: which storages hold constants (made during the
/// capture and written only by the host or by kernels that read constants alone), so a host
/// access to anything else marks the capture data-dependent.
struct CaptureState {
  std::shared_ptr<Graph> graph = std::make_shared<Graph>();
  std::unordered_set<const Storage*> constants;
  const char* last_op = "the start";

  void push(Step s) { graph->steps_.push_back(std::move(s)); }
  void refuse(const std::string& why) {
    if (graph->why_not_.empty()) graph->why_not_ = why;
  }
  void backward() { graph->ran_backward_ = true; }
};

namespace detail {
thread_local CaptureState* t_capture = nullptr;

void record_kernel(const char* op, std::vector<Tensor> tensors, std::function<void()> run, bool random) {
  CaptureState& c = *t_capture;
  bool constant = !random;
  for (const Tensor& t : tensors) constant = constant && c.constants.count(t.storage().get());
  if (!constant)
    for (const Tensor& t : tensors) c.constants.erase(t.storage().get());
  c.push(Step{op, false, std::move(tensors), std::move(run)});
  c.last_op = op;
}

void host_access(const Tensor& t) {
  CaptureState& c = *t_capture;
  if (KernelScope::current() || c.constants.count(t.storage().get())) return;
  refuse("the host read or wrote the values of a tensor of shape " + shape_str(t.sizes()) + " after " +
         std::to_string(c.graph->kernel_count()) + " kernels (the last " + c.last_op +
         "): data-dependent (item(), tolist(), numpy(), printing, or an op that reads values on the host)");
}

void note_alloc(const Storage* s) { t_capture->constants.insert(s); }
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
  for (size_t i = 0; i < inputs.size(); ++i) point_at(inputs_[i], inputs[i]);
  for (const Step& s : steps_) s.run();
  std::vector<Tensor> out;
  out.reserve(outputs_.size());
  autograd::NoGradGuard no_grad;
  for (const Tensor& t : outputs_) out.push_back(t.defined() ? clone(t) : t);
  return out;
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

void detail::record_effect(const char* name, std::function<void()> fn) {
  CaptureState* c = detail::t_capture;
  c->push(Step{name, true, {}, fn});
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

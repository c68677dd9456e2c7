// Saving a captured graph and loading it back (ember/graph.h's save and load). The file is a
// safetensors file: the graph as text in its metadata, one line per buffer, leaf, optimizer
// group, step, input, output and name, and the contents of the buffers a run reads before it
// writes them (parameters, optimizer state, constants) as uint8 tensors "buffer.<n>". Scratch
// buffers (only the steps hold them) and inputs are sizes alone. Kernels are named by the table
// below, their arguments written by type (graph_io.h), and effects by what they do: assign a
// .grad, zero the gradients, step an optimizer (its options and state are saved with it).
#include "graph_io.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/optim/adagrad.h"
#include "ember/optim/adam.h"
#include "ember/optim/rmsprop.h"
#include "ember/optim/sgd.h"
#include "ember/serialize.h"
#include "kernels.h"

namespace ember {
namespace graph {
namespace {
constexpr const char* kVersion = "1";
constexpr const char* kVersionKey = "ember.graph.version";
constexpr const char* kGraphKey = "ember.graph";

/// An op name as one word: spaces and percent signs percent-encoded ("assign .grad").
std::string escape(const std::string& name) {
  std::string out;
  for (char c : name) out += c == ' ' ? "%20" : c == '%' ? "%25" : std::string(1, c);
  return out;
}
std::string unescape(const std::string& word) {
  std::string out;
  for (size_t i = 0; i < word.size(); ++i) {
    if (word[i] == '%' && word.compare(i, 3, "%20") == 0) out += ' ', i += 2;
    else if (word[i] == '%' && word.compare(i, 3, "%25") == 0) out += '%', i += 2;
    else out += word[i];
  }
  return out;
}

/// op names read from files: a Step keeps a const char*.
const char* intern(const std::string& name) {
  static std::mutex mutex;
  static std::set<std::string> names;
  std::lock_guard<std::mutex> lock(mutex);
  return names.insert(name).first->c_str();
}
}  // namespace

// ---- words -----------------------------------------------------------------------------------

void StepWriter::word(const std::string& w) { out << ' ' << w; }
void StepWriter::i64(int64_t v) { out << ' ' << v; }
void StepWriter::f64(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%a", v);
  out << ' ' << buf;
}
void StepWriter::tensor(const Tensor& t) {
  if (!t.defined()) return word("-");
  auto [at, fresh] = buffer_ids.emplace(t.storage().get(), static_cast<int64_t>(buffers.size()));
  if (fresh) buffers.push_back(t.storage());
  i64(at->second);
  word(dtype_name(t.dtype()));
  i64(t.dim());
  for (int64_t s : t.sizes()) i64(s);
  for (int64_t s : t.strides()) i64(s);
  i64(t.offset());
}
void StepWriter::leaf(const Tensor& t) {
  auto [at, fresh] = leaf_ids.emplace(t.impl(), static_cast<int64_t>(leaves.size()));
  if (fresh) leaves.push_back(t);
  i64(at->second);
}
void StepWriter::optimizer(optim::Optimizer* opt) {
  auto [at, fresh] = optimizer_ids.emplace(opt, static_cast<int64_t>(optimizers.size()));
  if (fresh) optimizers.push_back(opt);
  i64(at->second);
}
void StepWriter::cannot(const std::string& why) {
  if (why_not.empty()) why_not = why;
}

void StepReader::fail(const std::string& why) const {
  throw ValueError(ember::detail::cat("load: ", path, ": line ", line, " of the graph: ", why));
}
std::string StepReader::word() {
  std::string w;
  if (!(in >> w)) fail("the line ends early");
  return w;
}
int64_t StepReader::i64() {
  const std::string w = word();
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(w.c_str(), &end, 10);
  if (*end || end == w.c_str() || errno) fail("expected an integer, got '" + w + "'");
  return v;
}
double StepReader::f64() {
  const std::string w = word();
  char* end = nullptr;
  const double v = std::strtod(w.c_str(), &end);
  if (*end || end == w.c_str()) fail("expected a number, got '" + w + "'");
  return v;
}
Tensor StepReader::tensor() {
  const std::string first = word();
  if (first == "-") return Tensor();
  char* end = nullptr;
  const long long id = std::strtoll(first.c_str(), &end, 10);
  if (*end || end == first.c_str()) fail("expected a buffer number, got '" + first + "'");
  if (id < 0 || id >= static_cast<int64_t>(buffers.size())) fail("buffer " + std::to_string(id) + " is not declared");
  const std::string dt = word();
  int d = 0;
  while (d < kNumDTypes && dt != dtype_name(static_cast<DType>(d))) ++d;
  if (d == kNumDTypes) fail("unknown dtype '" + dt + "'");
  const int64_t ndim = i64();
  if (ndim < 0 || ndim > 64) fail("a tensor of " + std::to_string(ndim) + " dims");
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = buffers[id];
  impl->dtype = static_cast<DType>(d);
  impl->sizes.resize(ndim);
  impl->strides.resize(ndim);
  impl->numel = 1;
  for (int64_t& s : impl->sizes) {
    s = i64();
    if (s < 0 || (s > 0 && impl->numel > (int64_t(1) << 48) / s)) fail("a size of " + std::to_string(s));
    impl->numel *= s;
  }
  for (int64_t& s : impl->strides) {
    s = i64();
    if (s < -(int64_t(1) << 48) || s > (int64_t(1) << 48)) fail("a stride of " + std::to_string(s));
  }
  impl->offset = i64();
  // Every element must lie inside the buffer (a file cannot point a kernel outside its memory).
  __int128 lo = impl->offset, hi = impl->offset;  // sizes and strides below 2^48: no overflow
  for (int64_t k = 0; k < ndim && impl->numel > 0; ++k) {
    const __int128 reach = static_cast<__int128>(impl->sizes[k] - 1) * impl->strides[k];
    (reach < 0 ? lo : hi) += reach;
  }
  const int64_t size = itemsize(impl->dtype), nbytes = buffers[id]->nbytes;
  const bool input = buffers[id]->owner == nullptr;  // pointed at the caller's memory by run()
  if (impl->numel > 0 && !input && (lo < 0 || (hi + 1) * size > nbytes))
    fail("a tensor reaches outside buffer " + std::to_string(id) + " of " + std::to_string(nbytes) + " bytes");
  return Tensor(std::move(impl));
}
Tensor StepReader::leaf() {
  const int64_t id = i64();
  if (id < 0 || id >= static_cast<int64_t>(leaves.size())) fail("leaf " + std::to_string(id) + " is not declared");
  return leaves[id];
}
std::shared_ptr<optim::Optimizer> StepReader::optimizer() {
  const int64_t id = i64();
  if (id < 0 || id >= static_cast<int64_t>(optimizers.size()))
    fail("optimizer " + std::to_string(id) + " is not declared");
  return optimizers[id];
}

// ---- argument types ----------------------------------------------------------------------------

namespace {
/// A count of things that follow on the line (at most one per word left, so a bad file cannot
/// make a huge allocation).
size_t count(StepReader& r) {
  const int64_t n = r.i64();
  if (n < 0 || n > static_cast<int64_t>(r.in.str().size())) r.fail("a count of " + std::to_string(n));
  return static_cast<size_t>(n);
}
}  // namespace

void put(StepWriter& w, const Scalar& v) {
  w.word(dtype_name(v.kind()));
  if (v.is_floating()) w.f64(v.to_double());
  else w.i64(v.to<int64_t>());
}
void get(StepReader& r, Scalar& v) {
  const std::string kind = r.word();
  if (kind == dtype_name(DType::Float64)) v = Scalar(r.f64());
  else if (kind == dtype_name(DType::Bool)) v = Scalar(r.i64() != 0);
  else if (kind == dtype_name(DType::Int64)) v = Scalar(r.i64());
  else r.fail("unknown scalar kind '" + kind + "'");
}
void put(StepWriter& w, Generator* g) {
  if (g != &default_generator()) w.cannot("it draws from a generator of its own (only the default one is saved)");
  w.word("default");
}
void get(StepReader& r, Generator*& g) {
  if (r.word() != "default") r.fail("unknown generator");
  g = &default_generator();
}
void put(StepWriter& w, const std::vector<Tensor>& ts) {
  w.i64(static_cast<int64_t>(ts.size()));
  for (const Tensor& t : ts) w.tensor(t);
}
void get(StepReader& r, std::vector<Tensor>& ts) {
  ts.resize(count(r));
  for (Tensor& t : ts) t = r.tensor();
}
void put(StepWriter& w, const std::vector<int64_t>& vs) {
  w.i64(static_cast<int64_t>(vs.size()));
  for (int64_t v : vs) w.i64(v);
}
void get(StepReader& r, std::vector<int64_t>& vs) {
  vs.resize(count(r));
  for (int64_t& v : vs) v = r.i64();
}

namespace {
/// Writes or reads a struct's fields in order (f is put or get for each).
template <class W, class... T>
void fields(W& w, T&... f) {
  if constexpr (std::is_same_v<W, StepWriter>) (put(w, f), ...);
  else (get(w, f), ...);
}
}  // namespace
}  // namespace graph

namespace cpu {
using graph::fields;
void put(graph::StepWriter& w, const PoolWindows& p) { fields(w, p.first, p.taps, p.divisor, p.step); }
void get(graph::StepReader& r, PoolWindows& p) { fields(r, p.first, p.taps, p.divisor, p.step); }
void put(graph::StepWriter& w, const ConvGeom& g) {
  fields(w, g.stride[0], g.stride[1], g.pad[0], g.pad[1], g.dilation[0], g.dilation[1], g.groups);
}
void get(graph::StepReader& r, ConvGeom& g) {
  fields(r, g.stride[0], g.stride[1], g.pad[0], g.pad[1], g.dilation[0], g.dilation[1], g.groups);
}
void put(graph::StepWriter& w, const RnnGeom& g) {
  fields(w, g.mode, g.input, g.hidden, g.proj, g.batch, g.batch_sizes, g.reverse);
}
void get(graph::StepReader& r, RnnGeom& g) {
  fields(r, g.mode, g.input, g.hidden, g.proj, g.batch, g.batch_sizes, g.reverse);
}
void put(graph::StepWriter& w, const RnnWork& k) { fields(w, k.gates, k.hprev, k.cprev, k.tanh_c, k.hpre, k.hn); }
void get(graph::StepReader& r, RnnWork& k) { fields(r, k.gates, k.hprev, k.cprev, k.tanh_c, k.hpre, k.hn); }
void put(graph::StepWriter& w, const RnnGrads& d) {
  fields(w, d.dx, d.dh0, d.dc0, d.dw_ih, d.dw_hh, d.db_ih, d.db_hh, d.dw_hr);
}
void get(graph::StepReader& r, RnnGrads& d) {
  fields(r, d.dx, d.dh0, d.dc0, d.dw_ih, d.dw_hh, d.db_ih, d.db_hh, d.dw_hr);
}
}  // namespace cpu

namespace graph {
namespace {

// ---- the kernels a saved graph can name ------------------------------------------------------

struct KernelEntry {
  const char* name;
  const void* fn;
  /// Reads the arguments and makes the step that calls the kernel on them.
  Step (*read)(StepReader& r, const char* op);
};

template <auto F>
Step read_call(StepReader& r, const char* op) {
  using Params = detail::KernelParams<decltype(F)>;
  auto tup = std::make_shared<typename Params::Tuple>();
  get_args(r, *tup);
  Step s;
  s.op = op;
  s.tensors = detail::tensors_of(*tup);
  s.run = [op, tup] {
    KernelScope scope(op);
    std::apply(F, *tup);
  };
  s.writes_first_only = detail::writes_first_only<decltype(F)>();
  s.kernel = reinterpret_cast<const void*>(F);
  s.save = [tup](StepWriter& w) { put_args(w, *tup); };
  s.pointwise_row = detail::pointwise_row_of(F);  // a loaded graph fuses again on its first run
  return s;
}

template <auto F>
KernelEntry entry(const char* name) {
  return {name, reinterpret_cast<const void*>(F), &read_call<F>};
}

/// Every kernel a recorded step may call through a function pointer, by its name in cpu::.
const std::vector<KernelEntry>& kernel_table() {
  static const std::vector<KernelEntry> table = {
      entry<&cpu::copy>("copy"),
      entry<&cpu::fill>("fill"),
      entry<&cpu::copy_blocks>("copy_blocks"),
#define EMBER_UNARY(name, ...) entry<&cpu::name>(#name),
#define EMBER_BINARY(name, ...) entry<&cpu::name>(#name),
#include "ember/elementwise.def"
#define EMBER_SCAN(name, ...) entry<&cpu::name>(#name),
#define EMBER_SCAN_INDEXED(name, ...) entry<&cpu::name>(#name),
#include "ember/scan.def"
      entry<&cpu::where>("where"),
      entry<&cpu::multiply_add>("multiply_add"),
      entry<&cpu::lerp>("lerp"),
      entry<&cpu::reduce>("reduce"),
      entry<&cpu::sum_sq_dev>("sum_sq_dev"),
      entry<&cpu::arg_reduce>("arg_reduce"),
      entry<&cpu::sort>("sort"),
      entry<&cpu::topk>("topk"),
      entry<&cpu::searchsorted>("searchsorted"),
      entry<&cpu::gemm>("gemm"),
      entry<&cpu::max_pool2d>("max_pool2d"),
      entry<&cpu::max_pool2d_backward>("max_pool2d_backward"),
      entry<&cpu::avg_pool2d>("avg_pool2d"),
      entry<&cpu::avg_pool2d_backward>("avg_pool2d_backward"),
      entry<&cpu::conv2d>("conv2d"),
      entry<&cpu::conv2d_backward_input>("conv2d_backward_input"),
      entry<&cpu::conv2d_backward_weight>("conv2d_backward_weight"),
      entry<&cpu::softmax>("softmax"),
      entry<&cpu::softmax_backward>("softmax_backward"),
      entry<&cpu::layer_norm>("layer_norm"),
      entry<&cpu::layer_norm_backward>("layer_norm_backward"),
      entry<&cpu::unfold>("unfold"),
      entry<&cpu::fold>("fold"),
      entry<&cpu::rnn_forward>("rnn_forward"),
      entry<&cpu::rnn_backward>("rnn_backward"),
      entry<&cpu::gather>("gather"),
      entry<&cpu::index_rows>("index_rows"),
      entry<&cpu::scatter>("scatter"),
      entry<&cpu::take_offsets>("take_offsets"),
      entry<&cpu::put_offsets>("put_offsets"),
      entry<&cpu::nonzero>("nonzero"),
      entry<&cpu::arange>("arange"),
      entry<&cpu::linspace>("linspace"),
      entry<&check_class_range>("check_class_range"),
      entry<&check_index_bounds>("check_index_bounds"),
      entry<&check_embedding_indices>("check_embedding_indices"),
      entry<&check_nonzero_divisor>("check_nonzero_divisor"),
      entry<&check_probabilities>("check_probabilities"),
      entry<&check_target_range>("check_target_range"),
      entry<&check_nonnegative_var>("check_nonnegative_var"),
  };
  return table;
}

// ---- optimizers ----------------------------------------------------------------------------------

/// Writes or reads an options struct's fields (numbers, flags, betas; switches are not kept).
struct OptionFields {
  StepWriter* w = nullptr;
  StepReader* r = nullptr;
  template <class T, class Default>
  void operator()(std::string_view name, T& field, ArgKind, const Default&) {
    if constexpr (std::is_same_v<T, Switch>) {
      return;
    } else if (w) {
      w->word(std::string(name));
      if constexpr (std::is_same_v<T, Betas>) put(*w, field.first), put(*w, field.second);
      else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, bool> || std::is_same_v<T, int64_t>)
        put(*w, field);
      else w->cannot("option " + std::string(name) + " has a type that is not saved");
    } else {
      if (r->word() != name) r->fail("expected the option " + std::string(name));
      if constexpr (std::is_same_v<T, Betas>) get(*r, field.first), get(*r, field.second);
      else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, bool> || std::is_same_v<T, int64_t>)
        get(*r, field);
    }
  }
};

struct OptimizerEntry {
  const char* name;
  void (*write)(StepWriter& w, optim::Optimizer& opt);
  std::shared_ptr<optim::Optimizer> (*read)(StepReader& r);
};

/// Opt made from CtorOptions; its groups keep GroupOptions (AdamW: AdamWOptions, AdamOptions).
template <class Opt, class CtorOptions, class GroupOptions = CtorOptions>
OptimizerEntry optimizer_entry(const char* name) {
  auto write = [](StepWriter& w, optim::Optimizer& base) {
    auto& opt = static_cast<optim::OptimizerOf<GroupOptions>&>(base);
    w.i64(static_cast<int64_t>(opt.param_groups().size()));
    for (auto& group : opt.param_groups()) {
      w.word("group");
      w.i64(static_cast<int64_t>(group.params.size()));
      for (const Tensor& p : group.params) w.leaf(p);
      GroupOptions::visit(group.options, OptionFields{&w, nullptr});
    }
    for (optim::ParamState& s : opt.state()) {
      w.word("state");
      w.i64(s.step);
      w.i64(static_cast<int64_t>(s.tensors.size()));
      for (const auto& [key, t] : s.tensors) w.word(key), w.tensor(t);
    }
  };
  auto read = [](StepReader& r) -> std::shared_ptr<optim::Optimizer> {
    const size_t groups = count(r);
    if (groups < 1) r.fail("an optimizer without groups");
    std::shared_ptr<Opt> opt;
    for (size_t g = 0; g < groups; ++g) {
      if (r.word() != "group") r.fail("expected a group");
      std::vector<Tensor> params(count(r));
      for (Tensor& p : params) p = r.leaf();
      CtorOptions o;
      CtorOptions::visit(o, OptionFields{nullptr, &r});
      if (!opt) opt = std::make_shared<Opt>(params, o);
      else opt->add_param_group(params, o);
    }
    for (size_t i = 0; i < opt->parameters().size(); ++i) {
      if (r.word() != "state") r.fail("expected a parameter's state");
      optim::ParamState s;
      s.step = r.i64();
      const size_t n = count(r);
      for (size_t k = 0; k < n; ++k) {
        std::string key = r.word();
        s.tensors.emplace_back(std::move(key), r.tensor());
      }
      if (s.step > 0 || !s.tensors.empty()) opt->set_state(i, s);
    }
    return opt;
  };
  return {name, write, read};
}

const std::vector<OptimizerEntry>& optimizer_table() {
  static const std::vector<OptimizerEntry> table = {
      optimizer_entry<optim::SGD, optim::SGDOptions>("SGD"),
      optimizer_entry<optim::Adam, optim::AdamOptions>("Adam"),
      optimizer_entry<optim::AdamW, optim::AdamWOptions, optim::AdamOptions>("AdamW"),
      optimizer_entry<optim::Adagrad, optim::AdagradOptions>("Adagrad"),
      optimizer_entry<optim::RMSprop, optim::RMSpropOptions>("RMSprop"),
  };
  return table;
}

// ---- effects -------------------------------------------------------------------------------------

Step read_effect(StepReader& r, const char* op) {
  Step s;
  s.op = op;
  s.effect = true;
  s.keep = true;
  const std::string kind = r.word();
  if (kind == "set_grad") {
    Tensor p = r.leaf(), g = r.tensor();
    s.run = [p, g] { autograd::set_grad(p, g); };
  } else if (kind == "zero_grad") {
    std::shared_ptr<optim::Optimizer> opt = r.optimizer();
    const bool set_to_none = r.i64() != 0;
    s.run = [opt, set_to_none] { opt->zero_grad(set_to_none); };
  } else if (kind == "optimizer_step") {
    std::shared_ptr<optim::Optimizer> opt = r.optimizer();
    s.run = [opt] { opt->step(); };
  } else {
    r.fail("unknown effect '" + kind + "'");
  }
  return s;
}

/// Why a step cannot be saved, or "" (its words are written to w).
std::string write_step(StepWriter& w, const Step& s, size_t index) {
  const std::string what = ember::detail::cat("save: step ", index, " (", s.effect ? "effect '" : "kernel of '", s.op,
                                              "')");
  if (!s.save) {
    if (s.pointwise_row < 0 && s.kernel == nullptr && std::string_view(s.op) == "fused pointwise")
      return what + " cannot be saved: it is a fused chain; save the graph before its first run (compiled.export "
                    "captures it anew), and a loaded graph fuses again";
    return what + (s.effect ? " cannot be saved: it runs Python (or host code) that only a live process has"
                            : " cannot be saved: its kernel is a lambda, not a named kernel");
  }
  w.out << "\nstep " << (s.effect ? "e " : "k ") << escape(s.op) << ' ' << s.keep;
  if (!s.effect) {
    const KernelEntry* e = nullptr;
    for (const KernelEntry& k : kernel_table())
      if (k.fn == s.kernel) e = &k;
    if (!e) return what + " cannot be saved: its kernel has no name in the table of graph_io.cpp";
    w.word(e->name);
  }
  w.why_not.clear();
  s.save(w);
  return w.why_not.empty() ? "" : what + " cannot be saved: " + w.why_not;
}

bool has_space(const std::string& s) {
  if (s.empty()) return true;
  for (char c : s)
    if (c <= ' ') return true;
  return false;
}
}  // namespace

/// Graph's friend: reads and writes its private parts.
struct GraphIO {
  static void save(const Graph& g, const std::string& path);
  static std::shared_ptr<Graph> load(const std::string& path);
};

void GraphIO::save(const Graph& g, const std::string& path) {
  EMBER_CHECK_RUNTIME(g.replayable(), "save: this graph cannot be replayed, so it cannot be saved: ", g.why_not());
  // Scratch: buffers only the steps hold and no host code filled; their contents are not saved.
  std::vector<Tensor> visible = g.inputs_;
  visible.insert(visible.end(), g.outputs_.begin(), g.outputs_.end());
  for (const auto& [name, t] : g.named_) visible.push_back(t);
  std::unordered_set<const Storage*> scratch = detail::graph_only_storages(g.steps_, visible);
  for (const auto& p : g.pinned_) scratch.erase(p.get());

  StepWriter w;
  std::ostringstream io;
  for (size_t i = 0; i < g.steps_.size(); ++i) {
    const std::string why = write_step(w, g.steps_[i], i);
    EMBER_CHECK_RUNTIME(why.empty(), why);
  }
  std::unordered_set<const Storage*> inputs;
  for (const Tensor& t : g.inputs_) {
    w.out << "\ninput";
    w.tensor(t);
    inputs.insert(t.storage().get());
  }
  for (const Tensor& t : g.outputs_) {
    w.out << "\noutput";
    w.tensor(t);
  }
  const std::string body = w.out.str();
  // Optimizers, then leaves: each may number more buffers (state) or leaves (parameters).
  w.out.str("");
  for (size_t i = 0; i < w.optimizers.size(); ++i) {
    const char* kind = nullptr;
    for (const OptimizerEntry& e : optimizer_table())
      if (w.optimizers[i]->name() == e.name) kind = e.name;
    EMBER_CHECK_RUNTIME(kind, "save: optimizer ", w.optimizers[i]->name(),
                        " cannot be saved (saved: SGD, Adam, AdamW, Adagrad, RMSprop)");
    w.out << "\noptimizer " << i << ' ' << kind;
    w.why_not.clear();
    for (const OptimizerEntry& e : optimizer_table())
      if (e.name == kind) e.write(w, *w.optimizers[i]);
    EMBER_CHECK_RUNTIME(w.why_not.empty(), "save: optimizer ", kind, " cannot be saved: ", w.why_not);
  }
  // Names: a leaf by its number (a loaded graph's parameter is the one its optimizer updates).
  for (const auto& [name, t] : g.named_) {
    EMBER_CHECK(!has_space(name), "save: the name '", name, "' is empty or holds a space");
    w.out << "\nname " << name;
    if (w.leaf_ids.count(t.impl())) w.word("leaf"), w.leaf(t);
    else w.word("tensor"), w.tensor(t);
  }
  const std::string optimizers = w.out.str();
  w.out.str("");
  for (size_t i = 0; i < w.leaves.size(); ++i) {
    w.out << "\nleaf " << i;
    w.tensor(w.leaves[i]);
    w.i64(w.leaves[i].requires_grad());
  }
  const std::string leaves = w.out.str();

  NamedTensors contents;
  std::ostringstream head;
  head << "ember-graph " << kVersion;
  for (size_t i = 0; i < w.buffers.size(); ++i) {
    const Storage* s = w.buffers[i].get();
    const char* kind = inputs.count(s) ? "input" : scratch.count(s) ? "scratch" : "data";
    head << "\nbuffer " << i << ' ' << s->nbytes << ' ' << kind;
    if (kind[0] != 'd') continue;
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = w.buffers[i];
    impl->sizes = impl->strides = Shape{s->nbytes};
    impl->strides[0] = 1;
    impl->numel = s->nbytes;
    impl->dtype = DType::UInt8;
    contents.emplace_back("buffer." + std::to_string(i), Tensor(std::move(impl)));
  }
  const std::string text = head.str() + leaves + optimizers + body + "\n";
  save_safetensors(contents, path, {{kVersionKey, kVersion}, {kGraphKey, text}});
}

std::shared_ptr<Graph> GraphIO::load(const std::string& path) {
  Loaded file = load_safetensors(path);
  const auto version = file.metadata.find(kVersionKey);
  const auto text = file.metadata.find(kGraphKey);
  EMBER_CHECK(version != file.metadata.end() && text != file.metadata.end(), "load: ", path,
              " holds no ember graph (its metadata has no '", kGraphKey, "')");
  EMBER_CHECK(version->second == kVersion, "load: ", path, " is an ember graph of format version ", version->second,
              ", but this ember reads version ", kVersion);
  std::map<std::string, Tensor> contents(file.tensors.begin(), file.tensors.end());
  auto g = std::make_shared<Graph>();
  StepReader r;
  r.path = path;
  std::istringstream lines(text->second);
  std::string line;
  std::vector<Tensor> inputs, outputs;
  while (std::getline(lines, line)) {
    ++r.line;
    r.in.clear();
    r.in.str(line);
    const std::string what = r.word();
    if (r.line == 1) {
      if (what != "ember-graph" || r.word() != kVersion) r.fail("not an ember graph of version " + std::string(kVersion));
    } else if (what == "buffer") {
      if (r.i64() != static_cast<int64_t>(r.buffers.size())) r.fail("buffers out of order");
      const int64_t nbytes = r.i64();
      const std::string kind = r.word();
      if (nbytes < 0) r.fail("a buffer of negative size");
      const std::string name = "buffer." + std::to_string(r.buffers.size());
      if (kind == "input") {
        r.buffers.push_back(Storage::wrap(nullptr, 0, Device{}));
      } else if (kind == "scratch") {
        r.buffers.push_back(Storage::allocate(nbytes, Device{}, "load"));
        std::memset(r.buffers.back()->data(), 0, nbytes);
      } else if (kind == "data") {
        const auto at = contents.find(name);
        if (at == contents.end()) r.fail(name + " (" + std::to_string(nbytes) + " bytes) is missing from the file");
        const Tensor& t = at->second;
        if (t.dtype() != DType::UInt8 || t.nbytes() != nbytes)
          r.fail(name + " holds " + std::to_string(t.nbytes()) + " bytes, not " + std::to_string(nbytes));
        r.buffers.push_back(Storage::allocate(nbytes, Device{}, "load"));
        std::memcpy(r.buffers.back()->data(), t.raw_data(), nbytes);
        g->pinned_.push_back(r.buffers.back());  // its contents are read: the memory plan keeps them
      } else {
        r.fail("unknown buffer kind '" + kind + "'");
      }
    } else if (what == "leaf") {
      if (r.i64() != static_cast<int64_t>(r.leaves.size())) r.fail("leaves out of order");
      Tensor t = r.tensor();
      if (!t.defined()) r.fail("an undefined leaf");
      if (r.i64()) autograd::set_requires_grad(t, true);
      r.leaves.push_back(t);
    } else if (what == "optimizer") {
      if (r.i64() != static_cast<int64_t>(r.optimizers.size())) r.fail("optimizers out of order");
      const std::string kind = r.word();
      const OptimizerEntry* e = nullptr;
      for (const OptimizerEntry& k : optimizer_table())
        if (kind == k.name) e = &k;
      if (!e) r.fail("unknown optimizer '" + kind + "'");
      r.optimizers.push_back(e->read(r));
    } else if (what == "step") {
      const std::string type = r.word();
      const char* op = intern(unescape(r.word()));
      const bool keep = r.i64() != 0;
      Step s;
      if (type == "e") {
        s = read_effect(r, op);
      } else if (type == "k") {
        const std::string name = r.word();
        const KernelEntry* e = nullptr;
        for (const KernelEntry& k : kernel_table())
          if (name == k.name) e = &k;
        if (!e) r.fail("unknown kernel '" + name + "'");
        s = e->read(r, op);
      } else {
        r.fail("unknown step type '" + type + "'");
      }
      s.keep = keep;
      g->steps_.push_back(std::move(s));
    } else if (what == "input") {
      inputs.push_back(r.tensor());
    } else if (what == "output") {
      outputs.push_back(r.tensor());
    } else if (what == "name") {
      std::string name = r.word();
      const std::string how = r.word();
      if (how != "leaf" && how != "tensor") r.fail("expected 'leaf' or 'tensor'");
      g->named_.emplace_back(std::move(name), how == "leaf" ? r.leaf() : r.tensor());
    } else {
      r.fail("unknown line '" + what + "'");
    }
    std::string extra;
    if (r.in >> extra) r.fail("unexpected '" + extra + "' at the end of the line");
  }
  EMBER_CHECK(r.line > 0, "load: ", path, ": the graph is empty");
  g->set_io(std::move(inputs), std::move(outputs));
  return g;
}

void save(const Graph& graph, const std::string& path) { GraphIO::save(graph, path); }
std::shared_ptr<Graph> load(const std::string& path) { return GraphIO::load(path); }

}  // namespace graph
}  // namespace ember

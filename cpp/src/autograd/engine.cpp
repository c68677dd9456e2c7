// The engine: counts each node's dependencies, then runs nodes in reverse topological order
// (latest created first among the ready ones), accumulating gradients into per-node buffers.
// Iterative throughout: a graph of any depth needs no stack.
#include <cmath>
#include <queue>
#include <unordered_map>

#include "autograd/graph.h"
#include "autograd/record.h"
#include "ember/graph.h"
#include "ember/ops.h"

namespace ember::autograd {

namespace {
struct LaterFirst {
  bool operator()(const Node* a, const Node* b) const { return a->sequence_nr < b->sequence_nr; }
};

/// Where autograd.grad() wants gradients: (node, its output number) -> index of the input.
struct Capture {
  uint32_t output_nr;
  size_t index;
};

struct GraphTask {
  bool keep_graph = false;
  bool create_graph = false;
  bool capturing = false;  // autograd.grad(): gradients go to `captured`, not into .grad
  std::unordered_map<Node*, int64_t> deps;
  std::unordered_map<Node*, Tensors> buffers;
  std::unordered_map<Node*, std::vector<Capture>> captures;
  std::unordered_map<Node*, bool> needed;  // capturing: the node leads to a captured gradient
  Tensors captured;
};

void accumulate(Tensors& buffer, size_t slot, Tensor g) {
  if (buffer.size() <= slot) buffer.resize(slot + 1);
  buffer[slot] = buffer[slot].defined() ? add(buffer[slot], g) : std::move(g);
}

/// Counts dependencies from the roots and, when capturing, marks the nodes that lead to a
/// capture (children are finished before their parents in the post-order walk).
void prepare(GraphTask& task, const std::vector<Node*>& roots) {
  struct Frame {
    Node* node;
    size_t next;
  };
  std::vector<Frame> stack;
  std::vector<Node*> post_order;
  std::unordered_map<Node*, bool> seen;
  for (Node* r : roots) {
    if (seen[r]) continue;
    seen[r] = true;
    stack.push_back({r, 0});
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next < f.node->next_edges.size()) {
        Node* child = f.node->next_edges[f.next++].fn.get();
        if (!child) continue;
        ++task.deps[child];
        if (!seen[child]) {
          seen[child] = true;
          stack.push_back({child, 0});
        }
      } else {
        post_order.push_back(f.node);
        stack.pop_back();
      }
    }
  }
  if (!task.capturing) return;
  // A node runs when a capture lies below it; a captured node itself only needs its incoming
  // gradient (taken before it would run), so it runs only if another capture lies below it.
  for (Node* n : post_order) {
    bool need = false;
    for (const Edge& e : n->next_edges)
      if (e.fn && (task.needed[e.fn.get()] || task.captures.count(e.fn.get()))) need = true;
    task.needed[n] = need;
  }
}

/// Brings a node's input gradient to the input's shape and dtype (broadcast inputs receive a
/// gradient of the broadcast shape: summed back here, once for every op).
Tensor conform(const Node& node, size_t i, Tensor g) {
  const Node::Meta& m = node.input_meta[i];
  if (g.sizes() != m.sizes) {
    bool expandable = static_cast<size_t>(g.dim()) >= m.sizes.size();
    for (size_t k = 0; expandable && k < m.sizes.size(); ++k) {
      const int64_t have = m.sizes[m.sizes.size() - 1 - k], got = g.sizes()[g.sizes().size() - 1 - k];
      expandable = have == got || have == 1;
    }
    EMBER_CHECK_RUNTIME(expandable, "Function ", node.name(), " returned an invalid gradient at index ", i, " - got ",
                        shape_str(g.sizes()), " but expected shape compatible with ", shape_str(m.sizes));
    g = sum_to(g, m.sizes);
  }
  if (g.dtype() != m.dtype) g = to_dtype(g, m.dtype);
  return g;
}

void check_anomaly(const Node& node, const Tensors& grads) {
  for (size_t i = 0; i < grads.size(); ++i) {
    const Tensor& g = grads[i];
    if (!g.defined() || !is_floating(g.dtype()) || g.numel() == 0) continue;
    const bool nan = any(isnan(g)).item<bool>();
    if (!nan && all(isfinite(g)).item<bool>()) continue;
    std::string site = node.creation_site.empty()
                           ? std::string("\n(no creation site: the op was recorded before anomaly mode was enabled)")
                           : "\nThe op was created at:\n" + node.creation_site;
    throw RuntimeError(detail::cat("Function '", node.name(), "' returned ", nan ? "nan" : "inf", " values in its ", i,
                                   "th output.", site));
  }
}

Tensors run(const Tensors& roots, const Tensors& grad_roots, bool keep_graph, bool create_graph,
            const Tensors* inputs) {
  EMBER_CHECK_RUNTIME(grad_roots.empty() || grad_roots.size() == roots.size(), "backward: got ", roots.size(),
                      " tensors and ", grad_roots.size(), " gradients");
  graph::note_backward();
  GraphTask task;
  task.keep_graph = keep_graph;
  task.create_graph = create_graph;
  task.capturing = inputs != nullptr;

  std::vector<Node*> root_nodes;
  std::vector<std::pair<Edge, Tensor>> seeds;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& r = roots[i];
    EMBER_CHECK_RUNTIME(r.defined(), "backward: element ", i, " of tensors is None");
    EMBER_CHECK_RUNTIME(requires_grad(r), "element ", i, " of tensors does not require grad and does not have a "
                        "grad_fn");
    Tensor g = i < grad_roots.size() ? grad_roots[i] : Tensor();
    if (!g.defined()) {
      EMBER_CHECK_RUNTIME(r.numel() == 1, "grad can be implicitly created only for scalar outputs (output ", i,
                          " has shape ", shape_str(r.sizes()), ")");
      g = ones(r.sizes(), r.dtype());
    } else {
      EMBER_CHECK_RUNTIME(g.sizes() == r.sizes(), "Mismatch in shape: grad_output[", i, "] has a shape of ",
                          shape_str(g.sizes()), " and output[", i, "] has a shape of ", shape_str(r.sizes()), ".");
      EMBER_CHECK_TYPE(is_floating(g.dtype()), "backward: grad_output[", i, "] must be floating point, got ",
                       dtype_name(g.dtype()));
      if (g.dtype() != r.dtype()) g = to_dtype(g, r.dtype());
    }
    Edge e = gradient_edge(r);
    root_nodes.push_back(e.fn.get());
    seeds.emplace_back(std::move(e), std::move(g));
  }

  std::vector<Edge> input_edges;
  if (inputs) {
    task.captured.resize(inputs->size());
    for (size_t i = 0; i < inputs->size(); ++i) {
      const Tensor& t = (*inputs)[i];
      EMBER_CHECK_RUNTIME(t.defined() && requires_grad(t), "grad: One of the differentiated Tensors (input ", i,
                          ") does not require grad");
      input_edges.push_back(gradient_edge(t));  // kept alive while the graph runs
      task.captures[input_edges.back().fn.get()].push_back({input_edges.back().input_nr, i});
    }
  }

  prepare(task, root_nodes);

  std::priority_queue<Node*, std::vector<Node*>, LaterFirst> ready;
  for (auto& [edge, g] : seeds) accumulate(task.buffers[edge.fn.get()], edge.input_nr, std::move(g));
  for (Node* n : root_nodes) {
    if (task.deps[n] == 0) {
      task.deps[n] = -1;  // queued once even when several roots share it
      ready.push(n);
    }
  }

  GradModeGuard mode(create_graph);
  while (!ready.empty()) {
    Node* n = ready.top();
    ready.pop();
    Tensors grads = std::move(task.buffers[n]);
    task.buffers.erase(n);
    grads.resize(n->output_meta.size());
    n->run_hooks(grads);
    if (task.capturing) {
      auto c = task.captures.find(n);
      if (c != task.captures.end())
        for (const Capture& cap : c->second) task.captured[cap.index] = grads[cap.output_nr];
    }
    // A node no gradient reached (every incoming one undefined) passes none on, as PyTorch's
    // formulas do: leaves below it keep .grad None rather than zeros.
    bool reached = false;
    for (const Tensor& g : grads) reached = reached || g.defined();
    const bool at_leaf = dynamic_cast<AccumulateGrad*>(n) != nullptr;
    const bool execute = reached && (!task.capturing || (task.needed[n] && !at_leaf));
    Tensors outs;
    if (execute) {
      for (size_t i = 0; i < grads.size(); ++i)
        if (!grads[i].defined()) grads[i] = zeros(n->output_meta[i].sizes, n->output_meta[i].dtype);
      outs = n->apply(std::move(grads));
      if (!keep_graph) n->release();
      if (!at_leaf) {
        EMBER_CHECK_RUNTIME(outs.size() == n->next_edges.size(), "function ", n->name(), " returned an incorrect "
                            "number of gradients (expected ", n->next_edges.size(), ", got ", outs.size(), ")");
        for (size_t i = 0; i < outs.size(); ++i) {
          if (!n->next_edges[i].fn) outs[i] = Tensor();
          else if (outs[i].defined()) outs[i] = conform(*n, i, std::move(outs[i]));
        }
        if (is_anomaly_enabled()) check_anomaly(*n, outs);
      }
    }
    for (size_t i = 0; i < n->next_edges.size(); ++i) {
      Node* child = n->next_edges[i].fn.get();
      if (!child) continue;
      if (i < outs.size() && outs[i].defined()) accumulate(task.buffers[child], n->next_edges[i].input_nr, std::move(outs[i]));
      if (--task.deps[child] == 0) ready.push(child);
    }
  }
  return std::move(task.captured);
}
}  // namespace

namespace {
thread_local std::vector<bool> partial_passes;  // one entry per pass running on this thread, innermost last

/// Marks a pass on this thread for is_checkpoint_valid while it runs.
class PassGuard {
 public:
  explicit PassGuard(bool partial) { partial_passes.push_back(partial); }
  ~PassGuard() { partial_passes.pop_back(); }
  PassGuard(const PassGuard&) = delete;
  PassGuard& operator=(const PassGuard&) = delete;
};
}  // namespace

bool is_checkpoint_valid() { return partial_passes.empty() || !partial_passes.back(); }

void backward(const Tensors& tensors, const Tensors& grad_tensors, std::optional<bool> retain_graph, bool create_graph) {
  PassGuard pass(false);
  run(tensors, grad_tensors, retain_graph.value_or(create_graph), create_graph, nullptr);
}

Tensors grad(const Tensors& outputs, const Tensors& inputs, const Tensors& grad_outputs, std::optional<bool> retain_graph,
             bool create_graph, bool allow_unused) {
  EMBER_CHECK_RUNTIME(!inputs.empty(), "grad: requires at least one input");
  PassGuard pass(true);
  Tensors result = run(outputs, grad_outputs, retain_graph.value_or(create_graph), create_graph, &inputs);
  for (size_t i = 0; i < result.size(); ++i) {  // an input no gradient reached was not used
    EMBER_CHECK_RUNTIME(result[i].defined() || allow_unused, "grad: One of the differentiated Tensors (input ", i,
                        ") appears to not have been used in the graph. Set allow_unused=True if this is the desired "
                        "behavior.");
    if (result[i].defined() && !create_graph) result[i] = detach(result[i]);
  }
  return result;
}

}  // namespace ember::autograd

#pragma once
// Capture and replay at the kernel level, like a CUDA graph on the CPU. While a Capture lives on a
// thread, every kernel that thread runs through call_kernel is recorded with copies of its
// arguments (tensor handles keep their memory alive), and every host action outside tensor memory
// (a leaf's .grad assigned, an optimizer's step) is recorded as an effect. Graph::replay runs the
// recorded steps again in order: the same kernels on the same memory, so results equal the
// captured run's bit for bit, with no autograd, no dispatch and no allocation.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ember/tensor.h"

namespace ember::graph {

class StepWriter;  // export's writer of a step (cpp/src/graph_io.h)

/// One recorded step: a kernel (op's name, the tensors it was given) or an effect.
struct Step {
  const char* op = "";
  bool effect = false;
  std::vector<Tensor> tensors;  // a kernel's tensor arguments (empty for effects)
  std::function<void()> run;
  bool keep = false;  // random draws and value checks: dead-code elimination never drops them
  bool writes_first_only = false;  // a kernel that writes its first tensor and nothing else
  const void* kernel = nullptr;  // the kernel function called (save names it; null for a lambda)
  std::function<void(StepWriter&)> save;  // writes the step to a file (null: it cannot be saved)
  int pointwise_row = -1;  // a kernel of elementwise.def (or copy, one past its rows): fusion reads it
};

/// What a graph's optimizations did before its first replay.
struct Plan {
  bool done = false;
  int64_t kernels_dropped = 0;  // dead-code elimination
  int64_t planned_buffers = 0, planned_bytes = 0, arena_bytes = 0;  // memory plan: before, after
  /// One chain of pointwise kernels that fusion replaced by a single tiled step.
  struct Fused {
    std::vector<std::string> ops;  // the kernels' op names, in order
    int64_t numel = 0;             // elements per kernel
    int64_t bytes_not_written = 0;  // what its kernels no longer write to memory (intermediates)
  };
  std::vector<Fused> fused;
};

/// A captured sequence of steps; replayable unless the capture saw something it cannot repeat.
class EMBER_API Graph {
 public:
  const std::vector<Step>& steps() const { return steps_; }
  bool replayable() const { return why_not_.empty(); }
  /// Why the capture cannot be replayed ("" when it can).
  const std::string& why_not() const { return why_not_; }
  /// Whether a backward pass ran during the capture (outputs then carry no live history).
  bool ran_backward() const { return ran_backward_; }
  int64_t kernel_count() const;
  int64_t effect_count() const;
  /// Runs every step in order (one replay at a time per graph; raises what a kernel raises).
  void replay();
  /// The captured run's inputs (tensors made by make_input) and the tensors it returned.
  void set_io(std::vector<Tensor> inputs, std::vector<Tensor> outputs);
  const std::vector<Tensor>& inputs() const { return inputs_; }
  const std::vector<Tensor>& outputs() const { return outputs_; }
  /// Points the inputs at new tensors' memory (each of its input's shape, strides and dtype, so
  /// in-place writes land in the caller's tensors), replays, and returns copies of the outputs
  /// (a result the caller keeps is not overwritten by the next run).
  std::vector<Tensor> run(const std::vector<Tensor>& inputs);
  /// The optimizations run() applies once, before its first replay (all on by default):
  /// dropping kernels whose results nothing reads, fusing chains of pointwise kernels into one
  /// pass over memory in tiles (graph_fuse.cpp), and placing the buffers only the graph holds in
  /// one arena, by lifetime.
  void set_options(bool dead_code_elimination, bool memory_plan, bool pointwise_fusion = true);
  const Plan& plan() const { return plan_; }
  /// The tensors a saved graph names (parameters, buffers): a loaded graph's are its own, and
  /// steps and runs update them in place.
  const std::vector<std::pair<std::string, Tensor>>& named() const { return named_; }
  /// The tensor called name (KeyError-like IndexError when there is none).
  Tensor named(const std::string& name) const;
  void set_named(std::vector<std::pair<std::string, Tensor>> named) { named_ = std::move(named); }

 private:
  friend class Capture;
  friend struct CaptureState;
  friend struct GraphIO;
  std::vector<std::pair<std::string, Tensor>> named_;
  std::vector<Step> steps_;
  void optimize();
  std::vector<Tensor> inputs_, outputs_;
  std::vector<std::shared_ptr<Storage>> pinned_;  // written by the host during the capture: kept as they are
  bool dead_code_elimination_ = true, memory_plan_ = true, pointwise_fusion_ = true;
  Plan plan_;
  std::shared_ptr<void> arena_;
  std::string why_not_;
  bool ran_backward_ = false;
  std::mutex mutex_;
};

struct CaptureState;

/// Saves a replayable graph to path (a safetensors file: the steps as text in its metadata, the
/// contents of every buffer the steps do not write first as tensors), so that load() gives a
/// graph whose runs equal this one's bit for bit. Raises naming the first step that cannot be
/// saved (a kernel without a name in the table, a Python effect, a generator of its own).
EMBER_API void save(const Graph& graph, const std::string& path);
/// Loads a graph saved by save(): its parameters, optimizer state and constants are its own
/// tensors; run() replays it. Raises ValueError for a file that is not a graph of this version,
/// is truncated, or lacks a buffer.
EMBER_API std::shared_ptr<Graph> load(const std::string& path);

/// Records what this thread runs while it lives. Captures do not nest.
class EMBER_API Capture {
 public:
  Capture();
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  /// Ends the capture and returns the graph.
  std::shared_ptr<Graph> finish();

 private:
  std::unique_ptr<CaptureState> state_;
};

/// A stand-in for t to capture with: a tensor of its own, without history, on t's memory; a
/// graph's run later points it at another tensor's memory.
EMBER_API Tensor make_input(const Tensor& t);

/// Whether this thread is capturing now (not inside an effect).
EMBER_API bool capturing();
namespace detail {
EMBER_API void record_effect(const char* name, std::function<void()> fn, std::function<void(StepWriter&)> save = {});
}
/// Runs fn; while capturing, also records it to run again at every replay (the kernels it runs
/// are not recorded: a replay runs fn itself, which reads the live state, as eager does).
/// save (optional) writes the effect when the graph is saved (see save()).
template <class F>
void effect(const char* name, F&& fn, std::function<void(StepWriter&)> save = {}) {
  if (!detail::t_capture) [[likely]] {
    fn();
    return;
  }
  detail::record_effect(name, std::function<void()>(std::forward<F>(fn)), std::move(save));
}
/// Marks this thread's capture as not replayable (the first reason is kept).
EMBER_API void refuse(const std::string& why);
/// Tells the capture that a backward pass ran.
EMBER_API void note_backward();

namespace detail {
// t_capture (this thread's capture) and host_access are declared in tensor.h, whose raw_data
// calls them.
/// Appends a kernel step (call_kernel calls it while capturing, outside any kernel).
/// keep: a random draw or a value check, which the graph's dead-code elimination never drops.
/// kernel and save: the kernel function and the writer of its arguments (null: not saveable).
EMBER_API void record_kernel(const char* op, std::vector<Tensor> tensors, std::function<void()> run, bool keep,
                             bool writes_first_only, const void* kernel = nullptr,
                             std::function<void(StepWriter&)> save = {}, int pointwise_row = -1);
/// A storage made during the capture (its contents are constants until a kernel writes it);
/// filled: it holds values already (memory wrapped from elsewhere), which the graph keeps.
EMBER_API void note_alloc(const std::shared_ptr<Storage>& s, bool filled);
}  // namespace detail

}  // namespace ember::graph

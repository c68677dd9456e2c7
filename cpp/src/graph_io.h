#pragma once
// Saving and loading captured graphs (ember/graph.h's save and load): how each argument type of a
// kernel is written and read. A saved graph is text, one step a line of space-separated words;
// tensors are written as references to buffers (one per storage), whose contents the file holds
// as tensors beside the text. kernels.h writes each recorded call's arguments through put();
// graph_io.cpp reads them back through get(), with the table that names the kernels.
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ember/graph.h"
#include "ember/random.h"
#include "ember/tensor.h"

namespace ember {
namespace optim {
class Optimizer;
}

namespace graph {

/// Writes steps as words, numbering the storages (buffers), leaf tensors and optimizers they use.
class EMBER_API StepWriter {
 public:
  void word(const std::string& w);
  void i64(int64_t v);
  /// Exactly (hexadecimal floating point).
  void f64(double v);
  /// A view on a buffer: its number, dtype, sizes, strides and offset ("-" when undefined).
  void tensor(const Tensor& t);
  /// A tensor whose identity matters (an effect's parameter: its .grad, its optimizer state).
  void leaf(const Tensor& t);
  void optimizer(optim::Optimizer* opt);
  /// Marks the step being written as one that cannot be saved, and why (the first reason is kept).
  void cannot(const std::string& why);

  std::ostringstream out;
  std::string why_not;
  std::unordered_map<const Storage*, int64_t> buffer_ids;
  std::vector<std::shared_ptr<Storage>> buffers;
  std::unordered_map<const TensorImpl*, int64_t> leaf_ids;
  std::vector<Tensor> leaves;
  std::unordered_map<const optim::Optimizer*, int64_t> optimizer_ids;
  std::vector<optim::Optimizer*> optimizers;
};

/// Reads what StepWriter wrote; raises ValueError naming the file and line on anything malformed.
class EMBER_API StepReader {
 public:
  std::string word();
  int64_t i64();
  double f64();
  Tensor tensor();
  Tensor leaf();
  std::shared_ptr<optim::Optimizer> optimizer();
  [[noreturn]] void fail(const std::string& why) const;

  std::istringstream in;
  std::string path;
  int64_t line = 0;
  std::vector<std::shared_ptr<Storage>> buffers;
  std::vector<Tensor> leaves;
  std::vector<std::shared_ptr<optim::Optimizer>> optimizers;  // the effects that use one hold it
};

// One overload per argument type a kernel takes (the structs of kernels.h have theirs there).
inline void put(StepWriter& w, const Tensor& t) { w.tensor(t); }
inline void put(StepWriter& w, int64_t v) { w.i64(v); }
inline void put(StepWriter& w, double v) { w.f64(v); }
inline void put(StepWriter& w, bool v) { w.i64(v); }
EMBER_API void put(StepWriter& w, const Scalar& v);
EMBER_API void put(StepWriter& w, Generator* g);
EMBER_API void put(StepWriter& w, const std::vector<Tensor>& ts);
EMBER_API void put(StepWriter& w, const std::vector<int64_t>& vs);
template <class E, std::enable_if_t<std::is_enum_v<E>, int> = 0>
void put(StepWriter& w, E e) {
  w.i64(static_cast<int64_t>(e));
}
inline void get(StepReader& r, Tensor& t) { t = r.tensor(); }
inline void get(StepReader& r, int64_t& v) { v = r.i64(); }
inline void get(StepReader& r, double& v) { v = r.f64(); }
inline void get(StepReader& r, bool& v) { v = r.i64() != 0; }
EMBER_API void get(StepReader& r, Scalar& v);
EMBER_API void get(StepReader& r, Generator*& g);
EMBER_API void get(StepReader& r, std::vector<Tensor>& ts);
EMBER_API void get(StepReader& r, std::vector<int64_t>& vs);
template <class E, std::enable_if_t<std::is_enum_v<E>, int> = 0>
void get(StepReader& r, E& e) {
  e = static_cast<E>(r.i64());
}

template <class Tuple>
void put_args(StepWriter& w, const Tuple& args) {
  std::apply([&w](const auto&... a) { (put(w, a), ...); }, args);
}
template <class Tuple>
void get_args(StepReader& r, Tuple& args) {
  std::apply([&r](auto&... a) { (get(r, a), ...); }, args);
}

namespace detail {
/// The storages only the graph's steps hold (graph.cpp): scratch, whose contents a run rewrites.
std::unordered_set<const Storage*> graph_only_storages(const std::vector<Step>& steps,
                                                       const std::vector<Tensor>& visible);
}  // namespace detail

}  // namespace graph
}  // namespace ember

// ember._C._metrics: the kernels of ember.metrics (ember/train/metrics.h). ember/metrics converts
// and validates user input before it calls them; they run without the GIL.
#include <pybind11/stl.h>

#include "convert.h"
#include "ember/train/metrics.h"

namespace ember {

namespace {
Tensor or_undefined(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }
}  // namespace

void bind_metrics(py::module_& m) {
  py::module_ mm = m.def_submodule("_metrics", "C++ side of ember.metrics");
  using W = const std::optional<Tensor>&;
  const auto nogil = py::call_guard<py::gil_scoped_release>();
  mm.def("unique_labels", &metrics::unique_labels, py::arg("y"), nogil);
  mm.def("threshold_counts", [](const Tensor& y_true, const Tensor& y_score, W w, const std::string& op) {
    const metrics::ThresholdCounts c = metrics::threshold_counts(y_true, y_score, or_undefined(w), op.c_str());
    return std::make_tuple(c.fps, c.tps, c.thresholds);
  }, py::arg("y_true"), py::arg("y_score"), py::arg("sample_weight"), py::arg("op"), nogil);
  mm.def("roc_curve", [](const Tensor& y_true, const Tensor& y_score, W w, bool drop, const std::string& op) {
    return metrics::roc_curve(y_true, y_score, or_undefined(w), drop, op.c_str());
  }, py::arg("y_true"), py::arg("y_score"), py::arg("sample_weight"), py::arg("drop_intermediate"), py::arg("op"),
     nogil);
  mm.def("roc_auc", [](const Tensor& y_true, const Tensor& y_score, W w, const std::string& op) {
    return metrics::roc_auc(y_true, y_score, or_undefined(w), op.c_str());
  }, py::arg("y_true"), py::arg("y_score"), py::arg("sample_weight"), py::arg("op"), nogil);
  mm.def("precision_recall_curve", [](const Tensor& y_true, const Tensor& y_score, W w, bool drop,
                                      const std::string& op) {
    return metrics::precision_recall_curve(y_true, y_score, or_undefined(w), drop, op.c_str());
  }, py::arg("y_true"), py::arg("y_score"), py::arg("sample_weight"), py::arg("drop_intermediate"), py::arg("op"),
     nogil);
  mm.def("auc", [](const Tensor& x, const Tensor& y, const std::string& op) { return metrics::auc(x, y, op.c_str()); },
         py::arg("x"), py::arg("y"), py::arg("op"), nogil);
  mm.def("average_precision", &metrics::average_precision, py::arg("precision"), py::arg("recall"), nogil);
  mm.def("confusion_matrix", [](const Tensor& y_true, const Tensor& y_pred, const Tensor& labels, W w,
                                const std::string& op) {
    return metrics::confusion_matrix(y_true, y_pred, labels, or_undefined(w), op.c_str());
  }, py::arg("y_true"), py::arg("y_pred"), py::arg("labels"), py::arg("sample_weight"), py::arg("op"), nogil);
  mm.def("class_counts", [](const Tensor& y_true, const Tensor& y_pred, const Tensor& labels, W w,
                            const std::string& op) {
    return metrics::class_counts(y_true, y_pred, labels, or_undefined(w), op.c_str());
  }, py::arg("y_true"), py::arg("y_pred"), py::arg("labels"), py::arg("sample_weight"), py::arg("op"), nogil);
  mm.def("match_count", [](const Tensor& y_true, const Tensor& y_pred, W w, const std::string& op) {
    return metrics::match_count(y_true, y_pred, or_undefined(w), op.c_str());
  }, py::arg("y_true"), py::arg("y_pred"), py::arg("sample_weight"), py::arg("op"), nogil);
  mm.def("top_k_hits", [](const Tensor& y_true, const Tensor& y_score, int64_t k, const std::string& op) {
    return metrics::top_k_hits(y_true, y_score, k, op.c_str());
  }, py::arg("y_true"), py::arg("y_score"), py::arg("k"), py::arg("op"), nogil);
}

}  // namespace ember

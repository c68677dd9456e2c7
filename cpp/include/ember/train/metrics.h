#pragma once
// The kernels of ember.metrics (scikit-learn's classification metrics). Ranking curves sort the
// scores once, descending, then find the distinct thresholds and the cumulative true and false
// positives in one pass; per-class counts take one pass over the samples. Inputs are 1-D CPU
// tensors of the dtypes named below (ember/metrics/__init__.py converts and validates user input
// and raises scikit-learn's warnings); `op` starts every error message.
#include <tuple>
#include <utility>

#include "ember/tensor.h"

namespace ember::metrics {

/// The sorted distinct values of 1-D int64 labels (one pass over a bitmap when their range is small).
EMBER_API Tensor unique_labels(const Tensor& y);

/// Weighted false and true positives (float64) among the samples scored at or above each
/// distinct score, thresholds descending in y_score's dtype (float32/float64); y_true bool;
/// sample_weight float64 or undefined. Samples of weight 0 are left out, as scikit-learn's.
struct ThresholdCounts {
  Tensor fps, tps, thresholds;
};
EMBER_API ThresholdCounts threshold_counts(const Tensor& y_true, const Tensor& y_score, const Tensor& sample_weight,
                                           const char* op);

/// The area under the ROC curve, computed during the sweep without building the curve (equal to
/// auc() of roc_curve(), exactly so without weights); NaN when a class has no weight.
EMBER_API double roc_auc(const Tensor& y_true, const Tensor& y_score, const Tensor& sample_weight,
                         const char* op = "roc_auc_score");
/// (fpr, tpr, thresholds float64 from +inf down); drop_intermediate drops collinear points. A
/// rate whose total (negatives, positives) is 0 is NaN throughout.
EMBER_API std::tuple<Tensor, Tensor, Tensor> roc_curve(const Tensor& y_true, const Tensor& y_score,
                                                       const Tensor& sample_weight, bool drop_intermediate,
                                                       const char* op = "roc_curve");
/// (precision, recall, thresholds ascending): recall falls to the appended point (1, 0); with no
/// positives recall is 1 throughout. drop_intermediate keeps only the points where tps changes.
EMBER_API std::tuple<Tensor, Tensor, Tensor> precision_recall_curve(const Tensor& y_true, const Tensor& y_score,
                                                                    const Tensor& sample_weight,
                                                                    bool drop_intermediate,
                                                                    const char* op = "precision_recall_curve");
/// Trapezoidal area under y(x) for float64 x monotonic in either direction.
EMBER_API double auc(const Tensor& x, const Tensor& y, const char* op = "auc");
/// Step integral of a precision_recall_curve: sum (recall[i] - recall[i+1]) * precision[i], at least 0.
EMBER_API double average_precision(const Tensor& precision, const Tensor& recall);

/// The (L, L) counts of samples with true label labels[i] and predicted labels[j]; samples with
/// either label outside `labels` are left out. int64 labels; int64 (weights undefined or int64)
/// or float64 (float64 weights) counts.
EMBER_API Tensor confusion_matrix(const Tensor& y_true, const Tensor& y_pred, const Tensor& labels,
                                  const Tensor& sample_weight, const char* op = "confusion_matrix");
/// Per label of `labels`: (true positives, predicted, true) counts, int64 without weights and
/// float64 with them.
EMBER_API std::tuple<Tensor, Tensor, Tensor> class_counts(const Tensor& y_true, const Tensor& y_pred,
                                                          const Tensor& labels, const Tensor& sample_weight,
                                                          const char* op);
/// (weight of the samples where y_true == y_pred, total weight): int64 labels, float64 weights or undefined.
EMBER_API std::pair<double, double> match_count(const Tensor& y_true, const Tensor& y_pred,
                                                const Tensor& sample_weight, const char* op);
/// Whether each row's true class (int64 index into y_score's columns) ranks among its k highest
/// scores (float32/float64, (n, C)); of equal scores the higher column ranks first, as scikit-learn's.
EMBER_API Tensor top_k_hits(const Tensor& y_true, const Tensor& y_score, int64_t k, const char* op);

}  // namespace ember::metrics

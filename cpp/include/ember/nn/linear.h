#pragma once
// Dense layers: Linear and Bilinear (as torch.nn's) and the classic Perceptron.
#include <utility>
#include <vector>

#include "ember/nn/layer.h"

namespace ember::nn {

/// y = x W^T + b over the last dim; W is (out_features, in_features). PyTorch's default
/// initialization: W and b uniform in +-1/sqrt(in_features).
#define EMBER_LINEAR_FIELDS(X)                                                                        \
  X(Required, int64_t, in_features, 0, valid::at_least(0, "Linear: in_features must be non-negative, got "), \
    Named)                                                                                            \
  X(Required, int64_t, out_features, 0,                                                               \
    valid::at_least(0, "Linear: out_features must be non-negative, got "), Named)                     \
  X(Arg, bool, bias, true, valid::any, Named | NoAttr)                                                \
  EMBER_FACTORY_FIELDS(X)
struct LinearOptions {
  EMBER_LAYER_OPTIONS(EMBER_LINEAR_FIELDS)
};
class EMBER_API Linear : public Layer<LinearOptions> {
 public:
  explicit Linear(LinearOptions options = {});
  EMBER_LAYER_SHORT_FORM(Linear)
  Tensor forward(const Tensor& input) override;
  void reset_parameters();
  Tensor weight() const { return parameter("weight"); }
  Tensor bias() const { return parameter("bias"); }  // undefined without one
};

/// y = x1^T A x2 + b over the last dims, as torch.nn.Bilinear: A is (out_features, in1_features,
/// in2_features); A and b start uniform in +-1/sqrt(in1_features).
#define EMBER_BILINEAR_FIELDS(X)                                                                      \
  X(Required, int64_t, in1_features, 0, valid::at_least(1, "Bilinear: in1_features must be > 0, got "), Named) \
  X(Required, int64_t, in2_features, 0,                                                               \
    valid::at_least(0, "Bilinear: in2_features must be non-negative, got "), Named)                   \
  X(Required, int64_t, out_features, 0,                                                               \
    valid::at_least(0, "Bilinear: out_features must be non-negative, got "), Named)                   \
  X(Arg, bool, bias, true, valid::any, Named | NoAttr)                                                \
  EMBER_FACTORY_FIELDS(X)
struct BilinearOptions {
  EMBER_LAYER_OPTIONS(EMBER_BILINEAR_FIELDS)
};
class EMBER_API Bilinear : public Layer<BilinearOptions> {
 public:
  explicit Bilinear(BilinearOptions options = {});
  EMBER_LAYER_SHORT_FORM(Bilinear)
  /// Bilinear takes two inputs: forward(input) alone raises.
  Tensor forward(const Tensor& input) override;
  Tensor forward(const Tensor& input1, const Tensor& input2);
  void reset_parameters();
  Tensor weight() const { return parameter("weight"); }
  Tensor bias() const { return parameter("bias"); }  // undefined without one
};

/// Rosenblatt's perceptron: predicts sign(w.x + b) as -1 or +1 and learns by the classic rule,
/// w <- w + lr * y * x and b <- b + lr * y on each misclassified sample (y * (w.x + b) <= 0).
#define EMBER_PERCEPTRON_FIELDS(X)                                                                     \
  X(Required, int64_t, in_features, 0, valid::at_least(1, "Perceptron: in_features must be at least 1, got "), \
    Named | Fixed)                                                                                     \
  X(Arg, std::optional<DType>, dtype, std::nullopt, valid::any, Ctor) /* unset: float64 */
struct PerceptronOptions {
  EMBER_LAYER_OPTIONS(EMBER_PERCEPTRON_FIELDS)
};
class EMBER_API Perceptron : public Layer<PerceptronOptions> {
 public:
  struct FitResult {
    bool converged = false;       // an epoch passed with no mistake
    int64_t epochs = 0;           // epochs run
    std::vector<int64_t> mistakes;  // per epoch
  };
  /// Starts from zero weights (the rule needs no random start).
  explicit Perceptron(PerceptronOptions options = {});
  EMBER_LAYER_SHORT_FORM(Perceptron)
  /// w.x + b, shape (N,) for x of shape (N, in_features) (or () for one sample).
  Tensor decision_function(const Tensor& x);
  /// -1 or +1 for each sample (+1 where w.x + b >= 0).
  Tensor forward(const Tensor& x) override;
  /// Sweeps the samples in order, up to max_epochs times, until an epoch makes no mistake.
  /// Labels are -1/+1 (0/1 is taken as -1/+1).
  FitResult fit(const Tensor& x, const Tensor& y, double lr = 1.0, int64_t max_epochs = 100);
  // (in_features,) and (); learned by fit, not by gradients.
  Tensor weight() const { return parameter("weight"); }
  Tensor bias() const { return parameter("bias"); }

 private:
  /// weight and bias, checked: reassigned from Python, they may no longer fit in_features.
  std::pair<Tensor, Tensor> checked_parameters() const;
};

}  // namespace ember::nn

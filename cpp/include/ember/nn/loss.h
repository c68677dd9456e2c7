#pragma once
// Losses, as torch.nn.functional's: composites of ember ops (gradients come from the ops),
// computed stably (log-sigmoid, log-softmax). reduction: "mean" (default), "sum" or "none".
#include <optional>
#include <string>
#include <type_traits>

#include "ember/nn/layer.h"
#include "ember/tensor.h"

namespace ember::nn::functional {

EMBER_API Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");
EMBER_API Tensor l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");
/// 0.5 d^2 where |d| < delta, else delta * (|d| - 0.5 delta).
EMBER_API Tensor huber_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
                            double delta = 1.0);
/// 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (beta = 0: L1).
EMBER_API Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
                                double beta = 1.0);
/// -w (y log p + (1 - y) log(1 - p)), the logs clamped at -100 (as PyTorch); p in [0, 1].
EMBER_API Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                                      const std::string& reduction = "mean");
/// -w (pos_weight y log sigmoid(x) + (1 - y) log sigmoid(-x)), from logits, stably.
EMBER_API Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                                                  const std::string& reduction = "mean", const Tensor& pos_weight = {});
/// -weight[t] * input[t] over the class dim (1, or 0 for unbatched input); targets equal to
/// ignore_index count for nothing; "mean" divides by the summed weights of the counted targets.
EMBER_API Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                          int64_t ignore_index = -100, const std::string& reduction = "mean");
/// log_softmax + nll_loss for class-index targets (int64), or -sum(target * log_softmax) for
/// class-probability targets (float, input's shape); label_smoothing mixes in the uniform
/// distribution.
EMBER_API Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                               int64_t ignore_index = -100, const std::string& reduction = "mean",
                               double label_smoothing = 0.0);

/// The Kullback-Leibler divergence of target from input (log-probabilities): target * (log target
/// - input), target read as log-probabilities with log_target; reduction also "batchmean" (the
/// sum over the batch size, input's dim 0).
EMBER_API Tensor kl_div(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
                        bool log_target = false);

/// max(0, -target (input1 - input2) + margin): target 1 ranks input1 first, -1 input2. The three
/// must have the same number of dims and broadcast together.
EMBER_API Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                                     double margin = 0, const std::string& reduction = "mean");
/// input where target is 1, max(0, margin - input) where it is -1 (targets other than +-1 give
/// the sum of both, as PyTorch's).
EMBER_API Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, double margin = 1.0,
                                      const std::string& reduction = "mean");
/// log(1 + exp(-target input)), in input's dtype; target broadcasts to input's shape.
EMBER_API Tensor soft_margin_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");
/// 1 - cos(input1, input2) where target is 1, max(0, cos - margin) where it is -1; rows (N, D)
/// with a (N,) target, or one (D,) pair with a 0-d target.
EMBER_API Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                                       double margin = 0, const std::string& reduction = "mean");
/// max(0, margin + d(anchor, positive) - d(anchor, negative)), d the pairwise p-norm distance over
/// the last dim (eps added to the difference); swap takes d(positive, negative) where smaller.
EMBER_API Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                                     double margin = 1.0, double p = 2, double eps = 1e-6, bool swap = false,
                                     const std::string& reduction = "mean");
/// The mean over the last (class) dim of -w (y log sigmoid(x) + (1 - y) log sigmoid(-x)).
EMBER_API Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                                             const std::string& reduction = "mean");
/// For each sample (input (N, C), (C,) or 0-d; int64 class indices y): the sum over the classes
/// i != y of w[y] max(0, margin - x[y] + x[i])^p, divided by C; p is 1 or 2.
EMBER_API Tensor multi_margin_loss(const Tensor& input, const Tensor& target, int64_t p = 1, double margin = 1.0,
                                   const Tensor& weight = {}, const std::string& reduction = "mean");
/// For each sample: the sum over its target classes j (target's leading entries up to the first
/// -1) and the other classes i of max(0, 1 - (x[j] - x[i])), divided by C.
EMBER_API Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target,
                                        const std::string& reduction = "mean");
/// exp(input) - target input (log_input), else input - target log(input + eps); full adds
/// Stirling's term target log target - target + 0.5 log(2 pi target) where target > 1.
EMBER_API Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, bool log_input = true,
                                  bool full = false, double eps = 1e-8, const std::string& reduction = "mean");
/// 0.5 (log v + (input - target)^2 / v), v = var clamped below at eps (the clamp passes the
/// gradient through, as PyTorch's); full adds 0.5 log(2 pi). var: input's shape, input's shape
/// less its last dim, or one dim of size 1 where input's differs; never negative.
EMBER_API Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, const Tensor& var, bool full = false,
                                   double eps = 1e-6, const std::string& reduction = "mean");
/// gaussian_nll_loss with one variance for every element.
EMBER_API Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, double var, bool full = false,
                                   double eps = 1e-6, const std::string& reduction = "mean");

}  // namespace ember::nn::functional

namespace ember::nn {

/// PyTorch's legacy size_average and reduce flags (either set) turned into a reduction.
EMBER_API std::string legacy_reduction(std::optional<bool> size_average, std::optional<bool> reduce,
                                       std::string reduction);

/// A loss as a module: forward(input, target) calls the functional form with the module's
/// settings. Weights (class weights, pos_weight) are buffers, so state_dict holds them.
class EMBER_API Loss : public Module {
 public:
  using Module::Module;
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  /// A loss needs a target: forward(input) alone raises.
  Tensor forward(const Tensor& input) override;
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }
};

/// A loss of three tensors (MarginRankingLoss: input1, input2, target; TripletMarginLoss: anchor,
/// positive, negative; GaussianNLLLoss: input, target, var): forward with two raises.
class EMBER_API TernaryLoss : public Loss {
 public:
  using Loss::Loss;
  virtual Tensor forward(const Tensor& a, const Tensor& b, const Tensor& c) = 0;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  using Loss::forward;
  Tensor operator()(const Tensor& a, const Tensor& b, const Tensor& c) { return forward(a, b, c); }
};

namespace detail {
template <class T, class = void>
constexpr bool has_legacy_flags = false;
template <class T>
constexpr bool has_legacy_flags<T, std::void_t<decltype(T::size_average)>> = true;
}  // namespace detail

/// A loss made from its rows: the legacy flags, where it has them, resolved into reduction,
/// which must be 'none', 'mean' or 'sum'.
template <class O>
constexpr bool accepts_batchmean = false;  // KLDivLoss's options take reduction="batchmean" too

template <class O, class Base = Loss>
class LossLayer : public Layer<O, Base> {
 public:
  LossLayer(std::string type_name, O options) : Layer<O, Base>(std::move(type_name), resolved(std::move(options))) {
    const std::string& r = this->options.reduction;
    EMBER_CHECK(r == "mean" || r == "sum" || r == "none" || (accepts_batchmean<O> && r == "batchmean"),
                this->type_name(), ": ", r,
                " is not a valid value for reduction (use 'none', 'mean' or 'sum')");
  }
  using Base::forward;

 private:
  static O resolved(O o) {
    if constexpr (detail::has_legacy_flags<O>) o.reduction = legacy_reduction(o.size_average, o.reduce, o.reduction);
    return o;
  }
};

// The rows losses share, in the places PyTorch's signatures put them.
#define EMBER_LOSS_SIZE_AVERAGE(X) X(Arg, std::optional<bool>, size_average, std::nullopt, valid::any, Ctor)
#define EMBER_LOSS_REDUCE(X) X(Arg, std::optional<bool>, reduce, std::nullopt, valid::any, Ctor)
#define EMBER_LOSS_REDUCTION(X) X(Arg, std::string, reduction, "mean", valid::any, Quiet)
#define EMBER_LOSS_KW_REDUCTION(X) X(Kw, std::string, reduction, "mean", valid::any, Quiet)
#define EMBER_LOSS_WEIGHT(X) X(Arg, Tensor, weight, {}, valid::any, Ctor) /* kept as a buffer */
#define EMBER_LOSS_IGNORE_INDEX(X) X(Arg, int64_t, ignore_index, -100, valid::any, Quiet)
#define EMBER_LEGACY_LOSS_FIELDS(X) EMBER_LOSS_SIZE_AVERAGE(X) EMBER_LOSS_REDUCE(X) EMBER_LOSS_REDUCTION(X)

/// A loss class with its options struct: Name(NameOptions), forward(input, target).
#define EMBER_LOSS(Name, FIELDS)                                                     \
  struct Name##Options {                                                             \
    EMBER_LAYER_OPTIONS(FIELDS)                                                      \
  };                                                                                 \
  class EMBER_API Name : public LossLayer<Name##Options> {                           \
   public:                                                                           \
    explicit Name(Name##Options options = {});                                       \
    EMBER_LAYER_SHORT_FORM(Name)                                                     \
    using Loss::forward;                                                             \
    Tensor forward(const Tensor& input, const Tensor& target) override;              \
  };

/// A loss of three tensors: Name(NameOptions), forward(a, b, c).
#define EMBER_TERNARY_LOSS(Name, FIELDS)                                             \
  struct Name##Options {                                                             \
    EMBER_LAYER_OPTIONS(FIELDS)                                                      \
  };                                                                                 \
  class EMBER_API Name : public LossLayer<Name##Options, TernaryLoss> {              \
   public:                                                                           \
    explicit Name(Name##Options options = {});                                       \
    EMBER_LAYER_SHORT_FORM(Name)                                                     \
    using TernaryLoss::forward;                                                      \
    Tensor forward(const Tensor& a, const Tensor& b, const Tensor& c) override;      \
  };

#define EMBER_MSE_LOSS_FIELDS(X) EMBER_LEGACY_LOSS_FIELDS(X)
EMBER_LOSS(MSELoss, EMBER_MSE_LOSS_FIELDS)

#define EMBER_L1_LOSS_FIELDS(X) EMBER_LEGACY_LOSS_FIELDS(X)
EMBER_LOSS(L1Loss, EMBER_L1_LOSS_FIELDS)

#define EMBER_HUBER_LOSS_FIELDS(X) EMBER_LOSS_REDUCTION(X) X(Arg, double, delta, 1.0, valid::any, Quiet)
EMBER_LOSS(HuberLoss, EMBER_HUBER_LOSS_FIELDS)

#define EMBER_SMOOTH_L1_LOSS_FIELDS(X) EMBER_LEGACY_LOSS_FIELDS(X) X(Arg, double, beta, 1.0, valid::any, Quiet)
EMBER_LOSS(SmoothL1Loss, EMBER_SMOOTH_L1_LOSS_FIELDS)

#define EMBER_KL_DIV_LOSS_FIELDS(X) EMBER_LEGACY_LOSS_FIELDS(X) X(Arg, bool, log_target, false, valid::any, Quiet)
EMBER_LOSS(KLDivLoss, EMBER_KL_DIV_LOSS_FIELDS)
template <>
inline constexpr bool accepts_batchmean<KLDivLossOptions> = true;

#define EMBER_BCE_LOSS_FIELDS(X) EMBER_LOSS_WEIGHT(X) EMBER_LEGACY_LOSS_FIELDS(X)
EMBER_LOSS(BCELoss, EMBER_BCE_LOSS_FIELDS)

#define EMBER_BCE_WITH_LOGITS_LOSS_FIELDS(X) \
  EMBER_LOSS_WEIGHT(X) EMBER_LEGACY_LOSS_FIELDS(X) X(Arg, Tensor, pos_weight, {}, valid::any, Ctor)
EMBER_LOSS(BCEWithLogitsLoss, EMBER_BCE_WITH_LOGITS_LOSS_FIELDS)

#define EMBER_NLL_LOSS_FIELDS(X) \
  EMBER_LOSS_WEIGHT(X) EMBER_LOSS_SIZE_AVERAGE(X) EMBER_LOSS_IGNORE_INDEX(X) EMBER_LOSS_REDUCE(X) EMBER_LOSS_REDUCTION(X)
EMBER_LOSS(NLLLoss, EMBER_NLL_LOSS_FIELDS)

#define EMBER_CROSS_ENTROPY_LOSS_FIELDS(X)                                                                      \
  EMBER_NLL_LOSS_FIELDS(X)                                                                                      \
  /* torch refuses only a smoothing above 1: one that is not positive (NaN too) smooths nothing */          \
  X(Arg, double, label_smoothing, 0.0,                                                                          \
    valid::holds([](double v) { return !(v > 1); }, "CrossEntropyLoss: label_smoothing must be at most 1, got "), \
    Quiet)
EMBER_LOSS(CrossEntropyLoss, EMBER_CROSS_ENTROPY_LOSS_FIELDS)

#define EMBER_MARGIN_RANKING_LOSS_FIELDS(X) X(Arg, double, margin, 0.0, valid::any, Quiet) EMBER_LEGACY_LOSS_FIELDS(X)
EMBER_TERNARY_LOSS(MarginRankingLoss, EMBER_MARGIN_RANKING_LOSS_FIELDS)

#define EMBER_HINGE_EMBEDDING_LOSS_FIELDS(X) X(Arg, double, margin, 1.0, valid::any, Quiet) EMBER_LEGACY_LOSS_FIELDS(X)
EMBER_LOSS(HingeEmbeddingLoss, EMBER_HINGE_EMBEDDING_LOSS_FIELDS)

#define EMBER_SOFT_MARGIN_LOSS_FIELDS(X) EMBER_LEGACY_LOSS_FIELDS(X)
EMBER_LOSS(SoftMarginLoss, EMBER_SOFT_MARGIN_LOSS_FIELDS)

#define EMBER_COSINE_EMBEDDING_LOSS_FIELDS(X) X(Arg, double, margin, 0.0, valid::any, Quiet) EMBER_LEGACY_LOSS_FIELDS(X)
EMBER_TERNARY_LOSS(CosineEmbeddingLoss, EMBER_COSINE_EMBEDDING_LOSS_FIELDS)

#define EMBER_TRIPLET_MARGIN_LOSS_FIELDS(X)                                                                   \
  X(Arg, double, margin, 1.0,                                                                                 \
    valid::holds([](double m) { return m > 0; }, "TripletMarginLoss: expected margin to be greater than 0, got "), \
    Quiet)                                                                                                    \
  X(Arg, double, p, 2.0, valid::any, Quiet)                                                                   \
  X(Arg, double, eps, 1e-6, valid::any, Quiet)                                                                \
  X(Arg, bool, swap, false, valid::any, Quiet)                                                                \
  EMBER_LEGACY_LOSS_FIELDS(X)
EMBER_TERNARY_LOSS(TripletMarginLoss, EMBER_TRIPLET_MARGIN_LOSS_FIELDS)

#define EMBER_MULTILABEL_SOFT_MARGIN_LOSS_FIELDS(X) EMBER_LOSS_WEIGHT(X) EMBER_LEGACY_LOSS_FIELDS(X)
EMBER_LOSS(MultiLabelSoftMarginLoss, EMBER_MULTILABEL_SOFT_MARGIN_LOSS_FIELDS)

#define EMBER_MULTI_MARGIN_LOSS_FIELDS(X)                                                                     \
  X(Arg, int64_t, p, 1,                                                                                       \
    valid::holds([](int64_t p) { return p == 1 || p == 2; }, "MultiMarginLoss: only p == 1 and p == 2 supported, got "), \
    Quiet)                                                                                                    \
  X(Arg, double, margin, 1.0, valid::any, Quiet)                                                              \
  X(Arg, Tensor, weight, {},                                                                                  \
    valid::that([](const Tensor& w) { return !w.defined() || w.dim() == 1; },                                 \
                "MultiMarginLoss: expected weight to be None or a 1-d tensor"),                               \
    Ctor)                                                                                                     \
  EMBER_LEGACY_LOSS_FIELDS(X)
EMBER_LOSS(MultiMarginLoss, EMBER_MULTI_MARGIN_LOSS_FIELDS)

#define EMBER_MULTILABEL_MARGIN_LOSS_FIELDS(X) EMBER_LEGACY_LOSS_FIELDS(X)
EMBER_LOSS(MultiLabelMarginLoss, EMBER_MULTILABEL_MARGIN_LOSS_FIELDS)

#define EMBER_POISSON_NLL_LOSS_FIELDS(X)                                                                      \
  X(Arg, bool, log_input, true, valid::any, Quiet)                                                            \
  X(Arg, bool, full, false, valid::any, Quiet)                                                                \
  EMBER_LOSS_SIZE_AVERAGE(X)                                                                                  \
  X(Arg, double, eps, 1e-8, valid::any, Quiet)                                                                \
  EMBER_LOSS_REDUCE(X) EMBER_LOSS_REDUCTION(X)
EMBER_LOSS(PoissonNLLLoss, EMBER_POISSON_NLL_LOSS_FIELDS)

#define EMBER_GAUSSIAN_NLL_LOSS_FIELDS(X)                                                                     \
  X(Kw, bool, full, false, valid::any, Quiet) X(Kw, double, eps, 1e-6, valid::any, Quiet) EMBER_LOSS_KW_REDUCTION(X)
EMBER_TERNARY_LOSS(GaussianNLLLoss, EMBER_GAUSSIAN_NLL_LOSS_FIELDS)

}  // namespace ember::nn

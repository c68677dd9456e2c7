// Losses as composites of ember ops, with PyTorch's formulas, reductions and checks.
#include "ember/nn/loss.h"

#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"

namespace ember::nn::functional {

namespace {
Tensor number(double v) { return scalar_tensor(v); }

Tensor reduce(const Tensor& loss, const std::string& reduction, const char* op) {
  if (reduction == "none") return loss;
  if (reduction == "sum") return sum(loss);
  EMBER_CHECK(reduction == "mean", op, ": ", reduction, " is not a valid value for reduction (use 'none', 'mean' or "
              "'sum')");
  return mean(loss);
}

void check_floating(const Tensor& t, const char* op, const char* what) {
  EMBER_CHECK_TYPE(is_floating(t.dtype()), op, ": expected a floating ", what, ", got ", dtype_name(t.dtype()));
}

void check_same_size(const Tensor& input, const Tensor& target, const char* op) {
  EMBER_CHECK(input.sizes() == target.sizes(), op, ": target size ", shape_str(target.sizes()),
              " must be the same as input size ", shape_str(input.sizes()));
}

/// weight (one per class) shaped to broadcast along the class dim of an input with `dims` dims.
Tensor per_class(const Tensor& weight, int64_t dims, int64_t class_dim) {
  Shape shape(static_cast<size_t>(dims), 1);
  shape[class_dim] = weight.numel();
  return reshape(weight, shape);
}
}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  check_floating(input, "mse_loss", "input");
  return reduce(square(sub(input, target)), reduction, "mse_loss");
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  check_floating(input, "l1_loss", "input");
  return reduce(abs(sub(input, target)), reduction, "l1_loss");
}

Tensor huber_loss(const Tensor& input, const Tensor& target, const std::string& reduction, double delta) {
  check_floating(input, "huber_loss", "input");
  EMBER_CHECK(delta > 0, "huber_loss: delta must be positive, got ", delta);
  Tensor z = abs(sub(input, target));
  Tensor loss = where(z < delta, mul(number(0.5), square(z)), mul(number(delta), sub(z, number(0.5 * delta))));
  return reduce(loss, reduction, "huber_loss");
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction, double beta) {
  check_floating(input, "smooth_l1_loss", "input");
  EMBER_CHECK(beta >= 0, "smooth_l1_loss: beta must be non-negative, got ", beta);
  Tensor z = abs(sub(input, target));
  if (beta == 0) return reduce(z, reduction, "smooth_l1_loss");
  Tensor loss = where(z < beta, div(mul(number(0.5), square(z)), number(beta)), sub(z, number(0.5 * beta)));
  return reduce(loss, reduction, "smooth_l1_loss");
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                            const std::string& reduction) {
  check_floating(input, "binary_cross_entropy", "input");
  check_same_size(input, target, "binary_cross_entropy");
  // torch refuses a target of another dtype here (not in the _with_logits form, which promotes).
  EMBER_CHECK_TYPE(target.dtype() == input.dtype(), "binary_cross_entropy: expected input and target to have the "
                   "same dtype, but got ", dtype_name(input.dtype()), " and ", dtype_name(target.dtype()));
  {
    autograd::NoGradGuard no_grad;
    for (const auto& [t, what] : {std::pair{&input, "input"}, std::pair{&target, "target"}})
      EMBER_CHECK_RUNTIME(t->numel() == 0 || all(logical_and(*t >= 0, le(*t, number(1.0)))).item<bool>(),
                          "binary_cross_entropy: all elements of ", what, " should be between 0 and 1");
  }
  const Tensor floor = number(-100.0);  // PyTorch clamps the logs, so p = 0 or 1 gives a finite loss
  Tensor log_p = clamp(log(input), floor, std::nullopt), log_q = clamp(log1p(neg(input)), floor, std::nullopt);
  Tensor loss = neg(add(mul(target, log_p), mul(sub(number(1.0), target), log_q)));
  if (weight.defined()) loss = mul(loss, weight);
  return reduce(loss, reduction, "binary_cross_entropy");
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight,
                                        const std::string& reduction, const Tensor& pos_weight) {
  check_floating(input, "binary_cross_entropy_with_logits", "input");
  check_same_size(input, target, "binary_cross_entropy_with_logits");
  Tensor positive = mul(target, logsigmoid(input));
  if (pos_weight.defined()) positive = mul(positive, pos_weight);
  Tensor loss = neg(add(positive, mul(sub(number(1.0), target), logsigmoid(neg(input)))));
  if (weight.defined()) loss = mul(loss, weight);
  return reduce(loss, reduction, "binary_cross_entropy_with_logits");
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
                const std::string& reduction) {
  check_floating(input, "nll_loss", "input");
  EMBER_CHECK_TYPE(target.dtype() == DType::Int64, "nll_loss: expected int64 class indices as target, got ",
                   dtype_name(target.dtype()));
  EMBER_CHECK(input.dim() >= 1, "nll_loss: input must have at least 1 dim, got a 0-d tensor");
  const bool unbatched = input.dim() == 1;
  const Tensor x = unbatched ? unsqueeze(input, 0) : input;
  const Tensor t = unbatched ? unsqueeze(target, 0) : target;
  Shape expected = x.sizes();
  expected.erase(expected.begin() + 1);
  EMBER_CHECK(t.sizes() == expected, "nll_loss: expected target of shape ", shape_str(expected), " for input of shape ",
              shape_str(input.sizes()), ", got ", shape_str(target.sizes()));
  const int64_t classes = x.sizes()[1];
  if (weight.defined())
    EMBER_CHECK(weight.dim() == 1 && weight.numel() == classes, "nll_loss: weight must have one entry per class (",
                classes, "), got shape ", shape_str(weight.sizes()));
  Tensor counted = ne(t, scalar_tensor(ignore_index)), safe = where(counted, t, zeros({}, DType::Int64));
  if (safe.numel() > 0) {
    const int64_t lo = amin(safe).item<int64_t>(), hi = amax(safe).item<int64_t>();
    EMBER_CHECK_INDEX(lo >= 0 && hi < classes, "nll_loss: target ", lo < 0 ? lo : hi, " is out of bounds for ",
                      classes, " classes");
  }
  Tensor picked = squeeze(gather(x, 1, unsqueeze(safe, 1)), Dims{1});
  Tensor w = weight.defined() ? reshape(index_select(weight, 0, reshape(safe, {-1})), safe.sizes())
                              : ones(safe.sizes(), x.dtype());
  w = mul(w, to_dtype(counted, x.dtype()));
  Tensor loss = neg(mul(picked, w));
  if (reduction == "mean") return div(sum(loss), sum(w));  // a weighted mean over the counted targets
  Tensor r = reduce(loss, reduction, "nll_loss");
  return unbatched && reduction == "none" ? squeeze(r, Dims{0}) : r;
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
                     const std::string& reduction, double label_smoothing) {
  check_floating(input, "cross_entropy", "input");
  EMBER_CHECK(label_smoothing >= 0 && label_smoothing <= 1, "cross_entropy: label_smoothing must be in [0, 1], got ",
              label_smoothing);
  EMBER_CHECK(input.dim() >= 1, "cross_entropy: input must have at least 1 dim, got a 0-d tensor");
  const int64_t class_dim = input.dim() == 1 ? 0 : 1, classes = input.sizes()[class_dim];
  Tensor logp = log_softmax(input, class_dim);
  Tensor w = weight.defined() ? per_class(weight, input.dim(), class_dim) : Tensor();
  if (is_floating(target.dtype())) {  // class probabilities, one row per sample
    check_same_size(input, target, "cross_entropy");
    Tensor p = label_smoothing > 0 ? add(mul(target, number(1 - label_smoothing)), number(label_smoothing / classes))
                                   : target;
    Tensor terms = mul(logp, p);
    if (w.defined()) terms = mul(terms, w);
    Tensor loss = neg(sum(terms, Dims{class_dim}));
    if (reduction == "mean")  // over the samples: with no classes 0 / 0, NaN (as PyTorch)
      return div(sum(loss), number(classes ? static_cast<double>(input.numel() / classes) : 0.0));
    return reduce(loss, reduction, "cross_entropy");
  }
  Tensor nll = nll_loss(logp, target, weight, ignore_index, reduction);
  if (label_smoothing == 0) return nll;
  // The smoothing term: the (weighted) mean of -log p over the classes, on counted targets.
  Tensor counted = to_dtype(ne(target, scalar_tensor(ignore_index)), input.dtype());
  Tensor smooth = neg(sum(w.defined() ? mul(logp, w) : logp, Dims{class_dim}));
  smooth = mul(smooth, counted);
  Tensor reduced;
  if (reduction == "mean") {
    Tensor norm = counted;
    if (weight.defined()) {
      Tensor safe = where(ne(target, scalar_tensor(ignore_index)), target, zeros({}, DType::Int64));
      norm = mul(reshape(index_select(weight, 0, reshape(safe, {-1})), safe.sizes()), counted);
    }
    reduced = div(sum(smooth), sum(norm));
  } else {
    reduced = reduce(smooth, reduction, "cross_entropy");
  }
  return add(mul(nll, number(1 - label_smoothing)), mul(reduced, number(label_smoothing / classes)));
}

}  // namespace ember::nn::functional

namespace ember::nn {

namespace F = functional;

Loss::Loss(std::string type_name, std::string reduction) : Module(std::move(type_name)), reduction(std::move(reduction)) {
  EMBER_CHECK(this->reduction == "mean" || this->reduction == "sum" || this->reduction == "none",
              this->type_name(), ": ", this->reduction, " is not a valid value for reduction (use 'none', 'mean' or "
              "'sum')");
}

Tensor Loss::forward(const Tensor&) {
  throw TypeError(type_name() + ".forward: a loss takes two tensors, input and target");
}

Tensor MSELoss::forward(const Tensor& input, const Tensor& target) { return F::mse_loss(input, target, reduction); }

Tensor L1Loss::forward(const Tensor& input, const Tensor& target) { return F::l1_loss(input, target, reduction); }

HuberLoss::HuberLoss(std::string reduction, double delta) : Loss("HuberLoss", std::move(reduction)), delta(delta) {}
Tensor HuberLoss::forward(const Tensor& input, const Tensor& target) {
  return F::huber_loss(input, target, reduction, delta);
}

SmoothL1Loss::SmoothL1Loss(std::string reduction, double beta) : Loss("SmoothL1Loss", std::move(reduction)), beta(beta) {}
Tensor SmoothL1Loss::forward(const Tensor& input, const Tensor& target) {
  return F::smooth_l1_loss(input, target, reduction, beta);
}

BCELoss::BCELoss(const Tensor& weight, std::string reduction) : Loss("BCELoss", std::move(reduction)) {
  register_buffer("weight", weight);
}
Tensor BCELoss::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy(input, target, buffer("weight"), reduction);
}

BCEWithLogitsLoss::BCEWithLogitsLoss(const Tensor& weight, std::string reduction, const Tensor& pos_weight)
    : Loss("BCEWithLogitsLoss", std::move(reduction)) {
  register_buffer("weight", weight);
  register_buffer("pos_weight", pos_weight);
}
Tensor BCEWithLogitsLoss::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy_with_logits(input, target, buffer("weight"), reduction,
                                             buffer("pos_weight"));
}

NLLLoss::NLLLoss(const Tensor& weight, int64_t ignore_index, std::string reduction)
    : Loss("NLLLoss", std::move(reduction)), ignore_index(ignore_index) {
  register_buffer("weight", weight);
}
Tensor NLLLoss::forward(const Tensor& input, const Tensor& target) {
  return F::nll_loss(input, target, buffer("weight"), ignore_index, reduction);
}

CrossEntropyLoss::CrossEntropyLoss(const Tensor& weight, int64_t ignore_index, std::string reduction,
                                   double label_smoothing)
    : Loss("CrossEntropyLoss", std::move(reduction)), ignore_index(ignore_index), label_smoothing(label_smoothing) {
  EMBER_CHECK(label_smoothing >= 0 && label_smoothing <= 1, "CrossEntropyLoss: label_smoothing must be in [0, 1], got ",
              label_smoothing);
  register_buffer("weight", weight);
}
Tensor CrossEntropyLoss::forward(const Tensor& input, const Tensor& target) {
  return F::cross_entropy(input, target, buffer("weight"), ignore_index, reduction,
                          label_smoothing);
}

}  // namespace ember::nn

// Losses as composites of ember ops, with PyTorch's formulas, reductions and checks.
#include "ember/nn/loss.h"

#include <algorithm>
#include <utility>

#include "autograd/record.h"
#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember {
void check_class_range(const Tensor& target, int64_t classes) {
  const int64_t lo = amin(target).item<int64_t>(), hi = amax(target).item<int64_t>();
  EMBER_CHECK_INDEX(lo >= 0 && hi < classes, KernelScope::current(), ": target ", lo < 0 ? lo : hi,
                    " is out of bounds for ", classes, " classes");
}

void check_probabilities(const Tensor& input, const Tensor& target) {
  autograd::NoGradGuard no_grad;
  for (const auto& [t, what] : {std::pair{&input, "input"}, std::pair{&target, "target"}})
    EMBER_CHECK_RUNTIME(t->numel() == 0 || all(logical_and(*t >= 0, le(*t, scalar_tensor(1.0)))).item<bool>(),
                        KernelScope::current(), ": all elements of ", what, " should be between 0 and 1");
}

void check_target_range(const Tensor& target, int64_t lo, int64_t hi) {
  const int64_t least = amin(target).item<int64_t>(), most = amax(target).item<int64_t>();
  EMBER_CHECK_INDEX(least >= lo && most < hi, KernelScope::current(), ": target ", least < lo ? least : most,
                    " is out of bounds [", lo, ", ", hi, ")");
}

void check_nonnegative_var(const Tensor& var) {
  autograd::NoGradGuard no_grad;
  EMBER_CHECK(var.numel() == 0 || !any(lt(var, scalar_tensor(0.0))).item<bool>(), KernelScope::current(),
              ": var has negative entry/entries");
}
}  // namespace ember

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

/// torch's pointwise loss kernels run in the operands' promoted dtype, which must be floating (an
/// integer input with a floating target is fine).
void check_floating_common(const Tensor& input, const Tensor& target, const char* op) {
  const DType common = promote_types(input.dtype(), target.dtype());
  EMBER_CHECK_TYPE(is_floating(common), op, ": expected a floating input or target, got ", dtype_name(input.dtype()),
                   " and ", dtype_name(target.dtype()));
}

void check_same_size(const Tensor& input, const Tensor& target, const char* op) {
  EMBER_CHECK(input.sizes() == target.sizes(), op, ": target size ", shape_str(target.sizes()),
              " must be the same as input size ", shape_str(input.sizes()));
}

/// Checks up front that `what` broadcasts with the input (grow: the result may take a larger shape,
/// as a target may; else, as a weight, it must broadcast to the input's shape), so the error names
/// the loss and both shapes rather than the inner op (sub, mul) that would fail. torch broadcasts
/// a target of another shape with a warning; ember has no warnings.
void check_broadcast(const Tensor& input, const Tensor& other, const char* op, const char* what, bool grow) {
  const Shape &a = input.sizes(), &b = other.sizes();
  bool ok = grow || b.size() <= a.size();
  for (size_t i = 1; i <= std::min(a.size(), b.size()); ++i) {
    const int64_t da = a[a.size() - i], db = b[b.size() - i];
    ok = ok && (da == db || db == 1 || (grow && da == 1));
  }
  EMBER_CHECK(ok, op, ": ", what, " of shape ", shape_str(b), " cannot be broadcast ", grow ? "with" : "to",
              " input of shape ", shape_str(a));
}

/// input - target in both dtypes promoted as peers: torch's functional broadcasts the two first,
/// so a 0-d target promotes like a tensor with dims (float32 input, float64 0-d target: float64).
Tensor difference(const Tensor& input, const Tensor& target) {
  const DType dt = promote_types(input.dtype(), target.dtype());
  return sub(to_dtype(input, dt), to_dtype(target, dt));
}

/// weight (one per class) shaped to broadcast along the class dim of an input with `dims` dims.
Tensor per_class(const Tensor& weight, int64_t dims, int64_t class_dim) {
  Shape shape(static_cast<size_t>(dims), 1);
  shape[class_dim] = weight.numel();
  return reshape(weight, shape);
}
}  // namespace

namespace {
void check_reduction(const std::string& reduction, const char* op) {
  EMBER_CHECK(reduction == "mean" || reduction == "sum" || reduction == "none", op, ": ", reduction,
              " is not a valid value for reduction (use 'none', 'mean' or 'sum')");
}

Tensor clamp_min(const Tensor& x, double lo) { return clamp(x, number(lo), std::nullopt); }
}  // namespace

Tensor kl_div(const Tensor& input, const Tensor& target, const std::string& reduction, bool log_target) {
  check_floating(input, "kl_div", "input");
  check_floating(target, "kl_div", "target");
  // xlogy makes 0 * log 0 = 0: a target of 0 adds nothing, as the divergence's limit.
  const Tensor loss = log_target ? mul(exp(target), sub(target, input)) : sub(xlogy(target, target), mul(target, input));
  if (reduction != "batchmean") return autograd::name_grad_fn(reduce(loss, reduction, "kl_div"), "kl_div");
  const Tensor total = sum(loss);
  return autograd::name_grad_fn(input.dim() == 0 ? total : div(total, number(double(input.sizes()[0]))), "kl_div");
}

Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  check_floating_common(input, target, "mse_loss");
  check_broadcast(input, target, "mse_loss", "target", true);
  return autograd::name_grad_fn(reduce(square(difference(input, target)), reduction, "mse_loss"), "mse_loss");
}

namespace {
/// torch's l1_loss (and smooth_l1_loss with beta 0, which is it) is |input - target| in any dtype
/// the subtraction takes (integers too: its mean then refuses them), so a bool operand hits the
/// bool subtraction error.
Tensor l1_difference(const Tensor& input, const Tensor& target, const char* op) {
  EMBER_CHECK_RUNTIME(input.dtype() != DType::Bool && target.dtype() != DType::Bool, op, ": subtraction, the `-` "
                      "operator, with a bool tensor is not supported (a bool ",
                      input.dtype() == DType::Bool ? "input" : "target", ")");
  return abs(difference(input, target));
}
}  // namespace

Tensor l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  check_broadcast(input, target, "l1_loss", "target", true);
  return reduce(l1_difference(input, target, "l1_loss"), reduction, "l1_loss");
}

Tensor huber_loss(const Tensor& input, const Tensor& target, const std::string& reduction, double delta) {
  check_floating(input, "huber_loss", "input");
  check_broadcast(input, target, "huber_loss", "target", true);
  EMBER_CHECK(delta > 0, "huber_loss: delta must be positive, got ", delta);
  // torch's huber keeps the input's dtype; its kernel reads both operands (broadcast first, so a
  // 0-d target counts in full) in their promoted dtype, computing float16 in float32 (rounding
  // once) and bfloat16 in bfloat16
  const DType dt = input.dtype(), common = promote_types(dt, target.dtype());
  const DType ct = common == DType::Float16 ? DType::Float32 : common;
  const Tensor z = abs(sub(to_dtype(input, ct), to_dtype(to_dtype(target, common), ct)));
  Tensor loss = where(z < delta, mul(number(0.5), square(z)), mul(number(delta), sub(z, number(0.5 * delta))));
  loss = to_dtype(loss, dt);
  return autograd::name_grad_fn(reduce(loss, reduction, "huber_loss"), "huber_loss");
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction, double beta) {
  check_broadcast(input, target, "smooth_l1_loss", "target", true);
  EMBER_CHECK(beta >= 0, "smooth_l1_loss: beta must be non-negative, got ", beta);
  if (beta == 0)
    return autograd::name_grad_fn(reduce(l1_difference(input, target, "smooth_l1_loss"), reduction, "smooth_l1_loss"),
                                  "smooth_l1_loss");
  check_floating_common(input, target, "smooth_l1_loss");
  Tensor z = abs(difference(input, target));
  // torch's kernel computes bfloat16 in float32 (rounding once), float16 in float16
  const DType dt = z.dtype();
  if (dt == DType::BFloat16) {
    const auto wide = [dt](const Tensor& t) { return to_dtype(to_dtype(t, dt), DType::Float32); };
    z = abs(sub(wide(input), wide(target)));
  }
  Tensor loss = where(z < beta, div(mul(number(0.5), square(z)), number(beta)), sub(z, number(0.5 * beta)));
  loss = to_dtype(loss, dt);
  return autograd::name_grad_fn(reduce(loss, reduction, "smooth_l1_loss"), "smooth_l1_loss");
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                            const std::string& reduction) {
  check_same_size(input, target, "binary_cross_entropy");  // first, as torch's functional
  check_floating(input, "binary_cross_entropy", "input");
  if (weight.defined()) check_broadcast(input, weight, "binary_cross_entropy", "weight", false);
  // torch refuses a target of another dtype here (not in the _with_logits form, which promotes).
  EMBER_CHECK_TYPE(target.dtype() == input.dtype(), "binary_cross_entropy: expected input and target to have the "
                   "same dtype, but got ", dtype_name(input.dtype()), " and ", dtype_name(target.dtype()));
  // A kernel call of its own, so a captured graph (ember/graph.h) checks at every replay.
  call_check(input.device(), "binary_cross_entropy", check_probabilities, input, target);
  const Tensor floor = number(-100.0);  // PyTorch clamps the logs, so p = 0 or 1 gives a finite loss
  Tensor log_p = clamp(log(input), floor, std::nullopt), log_q = clamp(log1p(neg(input)), floor, std::nullopt);
  Tensor loss = neg(add(mul(target, log_p), mul(sub(number(1.0), target), log_q)));
  if (weight.defined()) loss = to_dtype(mul(loss, weight), input.dtype());  // torch's loss.mul_(weight)
  return autograd::name_grad_fn(reduce(loss, reduction, "binary_cross_entropy"), "binary_cross_entropy");
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight,
                                        const std::string& reduction, const Tensor& pos_weight) {
  check_same_size(input, target, "binary_cross_entropy_with_logits");  // first, as torch's functional
  check_floating(input, "binary_cross_entropy_with_logits", "input");
  if (weight.defined()) check_broadcast(input, weight, "binary_cross_entropy_with_logits", "weight", false);
  if (pos_weight.defined())
    check_broadcast(input, pos_weight, "binary_cross_entropy_with_logits", "pos_weight", false);
  // torch's formula, (1 - t) x - log sigmoid(x) ((pw - 1) t + 1), with its dtypes: each of its
  // in-place steps keeps its left operand's dtype, so the log-sigmoid stays in the input's dtype
  // and the loss takes the target's (a float input with an integer target is refused).
  const DType dt = target.dtype();
  EMBER_CHECK_TYPE(is_floating(dt), "binary_cross_entropy_with_logits: result type ",
                   dtype_name(promote_types(input.dtype(), dt)), " can't be cast to the target's dtype ",
                   dtype_name(dt));
  Tensor log_sigmoid = logsigmoid(input);
  if (pos_weight.defined()) {  // pw - 1 with the int 1, as torch's: a uint8 pos_weight of 0 wraps to 255
    const Tensor one = scalar_tensor(int64_t{1});
    log_sigmoid = to_dtype(mul(log_sigmoid, add(mul(sub(pos_weight, one), target), one)), input.dtype());
  }
  Tensor loss = to_dtype(sub(to_dtype(mul(sub(number(1.0), target), input), dt), log_sigmoid), dt);
  if (weight.defined()) loss = to_dtype(mul(loss, weight), dt);
  return autograd::name_grad_fn(reduce(loss, reduction, "binary_cross_entropy_with_logits"),
                               "binary_cross_entropy_with_logits");
}

namespace {
void check_class_weight(const Tensor& weight, int64_t classes, const char* op) {
  if (weight.defined())
    EMBER_CHECK(weight.dim() == 1 && weight.numel() == classes, op, ": weight must have one entry per class (",
                classes, "), got shape ", shape_str(weight.sizes()));
}

/// The checks of a class-index target, run under the name of the op the user called (nll_loss or
/// cross_entropy), before any inner op can fail with a message of its own.
void check_class_target(const Tensor& input, const Tensor& target, const Tensor& weight, const char* op) {
  // uint8 too, as torch's ("Long or Byte"); the losses read either as int64 (class_indices)
  EMBER_CHECK_TYPE(target.dtype() == DType::Int64 || target.dtype() == DType::UInt8, op,
                   ": expected int64 (or uint8) class indices as target, got ", dtype_name(target.dtype()));
  EMBER_CHECK(input.dim() >= 1, op, ": input must have at least 1 dim, got a 0-d tensor");
  if (input.dim() == 1) {  // unbatched: one class index, 0-d or (as torch takes it) of shape (1,)
    EMBER_CHECK(target.dim() == 0 || target.sizes() == Shape{1}, op, ": expected a 0-d target (or one of shape "
                "(1,)) for unbatched input of shape ", shape_str(input.sizes()), ", got ", shape_str(target.sizes()));
  } else {
    Shape expected = input.sizes();
    expected.erase(expected.begin() + 1);
    EMBER_CHECK(target.sizes() == expected, op, ": expected target of shape ", shape_str(expected),
                " for input of shape ", shape_str(input.sizes()), ", got ", shape_str(target.sizes()));
  }
  check_class_weight(weight, input.sizes()[input.dim() == 1 ? 0 : 1], op);
  EMBER_CHECK_RUNTIME(!weight.defined() || weight.dtype() == input.dtype(), op, ": expected weight of input's dtype ",
                      dtype_name(input.dtype()), ", got ", dtype_name(weight.dtype()));
}

/// nll_loss on checked arguments; op names the caller in the out-of-range error.
Tensor nll_loss_checked(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
                        const std::string& reduction, const char* op) {
  const bool unbatched = input.dim() == 1;
  const Tensor x = unbatched ? unsqueeze(input, 0) : input;
  const Tensor t = unbatched ? reshape(target, {1}) : target;
  const int64_t classes = x.sizes()[1];
  Tensor counted = ne(t, scalar_tensor(ignore_index)), safe = where(counted, t, zeros({}, DType::Int64));
  if (safe.numel() > 0)  // a kernel call of its own, so a captured graph checks at every replay
    call_check(safe.device(), op, check_class_range, safe, classes);
  Tensor picked = squeeze(gather(x, 1, unsqueeze(safe, 1)), Dims{1});
  Tensor w = weight.defined() ? reshape(index_select(weight, 0, reshape(safe, {-1})), safe.sizes())
                              : ones(safe.sizes(), x.dtype());
  w = mul(w, to_dtype(counted, x.dtype()));
  Tensor loss = neg(mul(picked, w));
  if (reduction == "mean") return div(sum(loss), sum(w));  // a weighted mean over the counted targets
  Tensor r = reduce(loss, reduction, op);
  return unbatched && reduction == "none" ? squeeze(r, Dims{0}) : r;
}
}  // namespace

Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
                const std::string& reduction) {
  check_floating(input, "nll_loss", "input");
  check_class_target(input, target, weight, "nll_loss");
  return autograd::name_grad_fn(nll_loss_checked(input, to_dtype(target, DType::Int64), weight, ignore_index,
                                                 reduction, "nll_loss"), "nll_loss");
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
                     const std::string& reduction, double label_smoothing) {
  check_floating(input, "cross_entropy", "input");
  // torch refuses only a smoothing above 1; one that is not positive (NaN included) smooths nothing
  EMBER_CHECK(!(label_smoothing > 1), "cross_entropy: label_smoothing must be in [0, 1], got ", label_smoothing);
  const bool smoothing = label_smoothing > 0;
  EMBER_CHECK(input.dim() >= 1, "cross_entropy: input must have at least 1 dim, got a 0-d tensor");
  const int64_t class_dim = input.dim() == 1 ? 0 : 1, classes = input.sizes()[class_dim];
  // torch's rule: a target of the input's shape holds class probabilities, any other class indices
  const bool probabilities = input.sizes() == target.sizes();
  if (probabilities) {
    EMBER_CHECK_TYPE(is_floating(target.dtype()), "cross_entropy: expected a floating target for class "
                     "probabilities (a target of the input's shape), got ", dtype_name(target.dtype()));
    EMBER_CHECK(ignore_index < 0, "cross_entropy: ignore_index is not supported for floating point target "
                "(class probabilities), got ", ignore_index);
    check_class_weight(weight, classes, "cross_entropy");
  } else {
    check_class_target(input, target, weight, "cross_entropy");
  }
  Tensor logp = log_softmax(input, class_dim);
  Tensor w = weight.defined() ? per_class(weight, input.dim(), class_dim) : Tensor();
  if (probabilities) {  // one row of class probabilities per sample
    Tensor p = smoothing ? add(mul(target, number(1 - label_smoothing)), number(label_smoothing / classes))
                                   : target;
    Tensor terms = mul(logp, p);
    if (w.defined()) terms = mul(terms, w);
    Tensor loss = neg(sum(terms, Dims{class_dim}));
    if (reduction == "mean")  // over the samples: with no classes 0 / 0, NaN (as PyTorch)
      return div(sum(loss), number(classes ? static_cast<double>(input.numel() / classes) : 0.0));
    return reduce(loss, reduction, "cross_entropy");
  }
  const Tensor indices = to_dtype(target, DType::Int64);  // a uint8 target read as int64, as torch's
  Tensor nll = nll_loss_checked(logp, indices, weight, ignore_index, reduction, "cross_entropy");
  if (!smoothing) return autograd::name_grad_fn(nll, "nll_loss");  // torch's cross_entropy ends in nll_loss
  const Tensor t = input.dim() == 1 ? reshape(indices, {}) : indices;  // an unbatched (1,) target as 0-d
  // The smoothing term: the (weighted) mean of -log p over the classes, on counted targets.
  Tensor counted = to_dtype(ne(t, scalar_tensor(ignore_index)), input.dtype());
  Tensor smooth = neg(sum(w.defined() ? mul(logp, w) : logp, Dims{class_dim}));
  smooth = mul(smooth, counted);
  Tensor reduced;
  if (reduction == "mean") {
    Tensor norm = counted;
    if (weight.defined()) {
      Tensor safe = where(ne(t, scalar_tensor(ignore_index)), t, zeros({}, DType::Int64));
      norm = mul(reshape(index_select(weight, 0, reshape(safe, {-1})), safe.sizes()), counted);
    }
    reduced = div(sum(smooth), sum(norm));
  } else {
    reduced = reduce(smooth, reduction, "cross_entropy");
  }
  return add(mul(nll, number(1 - label_smoothing)), mul(reduced, number(label_smoothing / classes)));
}


// ---- margin and embedding losses (PyTorch's aten/src/ATen/native/Loss.cpp and functional.py) -----

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                           const std::string& reduction) {
  const char* op = "margin_ranking_loss";
  check_reduction(reduction, op);
  EMBER_CHECK(input1.dim() == input2.dim() && input1.dim() == target.dim(), op,
              ": all input tensors should have the same number of dims, got input1 ", shape_str(input1.sizes()),
              ", input2 ", shape_str(input2.sizes()), " and target ", shape_str(target.sizes()));
  broadcast_shapes(broadcast_shapes(input1.sizes(), input2.sizes(), op), target.sizes(), op);
  Tensor loss = clamp_min(add(mul(neg(target), sub(input1, input2)), number(margin)), 0.0);
  return reduce(loss, reduction, op);
}

Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, double margin, const std::string& reduction) {
  const char* op = "hinge_embedding_loss";
  check_reduction(reduction, op);
  broadcast_shapes(input.sizes(), target.sizes(), op);
  // As torch, in the input's dtype throughout: the margin is filled into it (an integer input
  // truncates it and wraps margin - x; a margin out of the dtype's range is an error).
  check_fits(margin, input.dtype(), op);
  const Tensor zero = zeros({}, input.dtype());
  const Tensor margins = full(input.sizes(), margin, input.dtype(), input.device());
  // target compared with the integers 1 and -1, as torch: a uint8 target of 255 reads as -1.
  const Tensor one = scalar_tensor(int64_t{1}), minus_one = scalar_tensor(int64_t{-1});
  Tensor below = where(ne(target, one), clamp(sub(margins, input), zero, std::nullopt), zero);
  Tensor kept = where(ne(target, minus_one), input, zero);
  return reduce(add(below, kept), reduction, op);
}

Tensor soft_margin_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  const char* op = "soft_margin_loss";
  check_reduction(reduction, op);
  check_floating(input, op, "input");
  check_broadcast(input, target, op, "target", false);  // torch writes into a tensor of input's shape
  // torch's steps, in place on a tensor of input's dtype: the product computed with target's own
  // precision, each step rounded to input's dtype
  Tensor loss = log1p(exp(to_dtype(mul(neg(input), target), input.dtype())));
  return autograd::name_grad_fn(reduce(loss, reduction, op), op);
}

Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                             const std::string& reduction) {
  const char* op = "cosine_embedding_loss";
  check_reduction(reduction, op);
  const int64_t dim = target.dim();
  EMBER_CHECK(dim <= 1, op, ": expected a 0-d or 1-d target, got shape ", shape_str(target.sizes()),
              " (multi-target is not supported)");
  EMBER_CHECK(input1.dim() == dim + 1 && input2.dim() == dim + 1, op, ": a ", dim, "-d target expects ", dim + 1,
              "-d inputs, got input1 ", shape_str(input1.sizes()), " and input2 ", shape_str(input2.sizes()));
  Shape rows = broadcast_shapes(input1.sizes(), input2.sizes(), op);
  rows.pop_back();
  broadcast_shapes(rows, target.sizes(), op);
  const double epsilon = 1e-12;  // PyTorch's, added to each squared norm
  Tensor dot = sum(mul(input1, input2), Dims{dim});
  Tensor norms = sqrt(mul(add(sum(mul(input1, input1), Dims{dim}), number(epsilon)),
                          add(sum(mul(input2, input2), Dims{dim}), number(epsilon))));
  Tensor cos = div(dot, norms);
  const Tensor zero = zeros({}, cos.dtype());
  Tensor loss = add(where(eq(target, number(1.0)), sub(number(1.0), cos), zero),
                    where(eq(target, number(-1.0)), clamp_min(sub(cos, number(margin)), 0.0), zero));
  return reduce(loss, reduction, op);
}

Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, double margin,
                           double p, double eps, bool swap, const std::string& reduction) {
  const char* op = "triplet_margin_loss";
  check_reduction(reduction, op);
  EMBER_CHECK(margin > 0, op, ": margin must be greater than 0, got ", margin);
  EMBER_CHECK(anchor.dim() == positive.dim() && positive.dim() == negative.dim(), op,
              ": the anchor, positive and negative tensors are expected to have the same number of dims, got "
              "anchor ", shape_str(anchor.sizes()), ", positive ", shape_str(positive.sizes()), " and negative ",
              shape_str(negative.sizes()));
  broadcast_shapes(broadcast_shapes(anchor.sizes(), positive.sizes(), op), negative.sizes(), op);
  Tensor d_pos = pairwise_distance(anchor, positive, p, eps);
  Tensor d_neg = pairwise_distance(anchor, negative, p, eps);
  if (swap) d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps));
  return reduce(clamp_min(sub(add(d_pos, number(margin)), d_neg), 0.0), reduction, op);
}

Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                                   const std::string& reduction) {
  const char* op = "multilabel_soft_margin_loss";
  check_reduction(reduction, op);
  EMBER_CHECK_INDEX(input.dim() >= 1, op, ": expected an input with the classes in its last dim, got a 0-d tensor");
  check_floating(input, op, "input");
  Shape shape = broadcast_shapes(input.sizes(), target.sizes(), op);
  if (weight.defined()) broadcast_shapes(shape, weight.sizes(), op);
  // 1 - target with the int 1, as torch's functional: an integer target keeps its dtype (uint8 wraps).
  const Tensor one = scalar_tensor(int64_t{1});
  Tensor loss = neg(add(mul(target, logsigmoid(input)), mul(sub(one, target), logsigmoid(neg(input)))));
  if (weight.defined()) loss = mul(loss, weight);
  // As PyTorch's: the sum over dim input.dim() - 1 of the (broadcast) loss, over the input's classes.
  const int64_t class_dim = input.dim() - 1;
  loss = div(sum(loss, Dims{class_dim}), number(double(input.sizes()[class_dim])));
  return reduce(loss, reduction, op);
}

namespace {
/// The shape checks PyTorch's multi_margin_loss and multilabel_margin_loss kernels make: input (N, C),
/// (C,) or 0-d, with C > 0. Returns {N, C}.
std::pair<int64_t, int64_t> margin_frames(const Tensor& input, const Tensor& target, const char* op) {
  check_floating(input, op, "input");
  // uint8 too, as torch's ("Long or Byte"); the losses read either as int64 (class_indices)
  EMBER_CHECK_TYPE(target.dtype() == DType::Int64 || target.dtype() == DType::UInt8, op,
                   ": expected int64 (or uint8) class indices as target, got ", dtype_name(target.dtype()));
  const int64_t dims = input.dim();
  EMBER_CHECK((dims == 2 && input.sizes()[1] != 0) || (dims == 1 && input.sizes()[0] != 0) || dims == 0, op,
              ": expected a non-empty vector or matrix with an optional 0-dim batch size, got input of shape ",
              shape_str(input.sizes()));
  return {dims <= 1 ? 1 : input.sizes()[0], dims == 0 ? 1 : input.sizes()[dims - 1]};
}
}  // namespace

Tensor multi_margin_loss(const Tensor& input, const Tensor& target, int64_t p, double margin, const Tensor& weight,
                         const std::string& reduction) {
  const char* op = "multi_margin_loss";
  check_reduction(reduction, op);
  EMBER_CHECK(p == 1 || p == 2, op, ": only p == 1 and p == 2 supported, got ", p);
  if (weight.defined())
    EMBER_CHECK(weight.dim() == 1, op, ": weight must be one-dimensional, got shape ", shape_str(weight.sizes()));
  if (is_floating(input.dtype())) check_fits(Scalar(margin), widened(input.dtype()), op);  // torch's kernel reads it so
  const auto [frames, classes] = margin_frames(input, target, op);
  EMBER_CHECK(target.dim() <= 1 && target.numel() == frames, op, ": expected a target of shape (", frames,
              ",) for input of shape ", shape_str(input.sizes()), ", got ", shape_str(target.sizes()));
  if (weight.defined()) {
    EMBER_CHECK(weight.numel() == classes, op, ": expected a weight of shape (", classes, ",) for input of shape ",
                shape_str(input.sizes()), ", got ", shape_str(weight.sizes()));
    EMBER_CHECK_TYPE(weight.dtype() == input.dtype(), op, ": expected weight of input's dtype ",
                     dtype_name(input.dtype()), ", got ", dtype_name(weight.dtype()));
  }
  if (target.numel() > 0) call_check(target.device(), op, check_class_range, target, classes);
  const Tensor x = reshape(input, {frames, classes}), t = reshape(target, {frames, 1});
  // max(0, margin - x[y] + x[i]) over the classes i != y, as torch's kernel: z > 0 counts, so a
  // NaN z adds nothing (and its gradient at 0 is 0).
  const Tensor z = add(sub(number(margin), gather(x, 1, t)), x);
  Tensor h = where(gt(z, zeros({}, z.dtype())), z, zeros({}, z.dtype()));
  if (p == 2) h = square(h);
  if (weight.defined()) h = mul(h, unsqueeze(index_select(weight, 0, reshape(t, {frames})), 1));
  // where, not a product with the mask: the i == y term is NaN for an infinite x[y] (inf - inf)
  h = where(ne(arange(0, classes, 1, DType::Int64), t), h, zeros({}, h.dtype()));
  Tensor loss = div(sum(h, Dims{1}), number(double(classes)));
  if (reduction == "none" && target.dim() == 0) loss = reshape(loss, {});
  return autograd::name_grad_fn(reduce(loss, reduction, op), op);
}

Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  const char* op = "multilabel_margin_loss";
  check_reduction(reduction, op);
  const auto [frames, classes] = margin_frames(input, target, op);
  const bool ok = input.dim() <= 1 ? target.dim() <= 1 && target.numel() == classes
                                   : target.sizes() == input.sizes();
  EMBER_CHECK(ok, op, ": expected a target of input's shape ", shape_str(input.sizes()), ", got ",
              shape_str(target.sizes()));
  if (target.numel() > 0) call_check(target.device(), op, check_target_range, target, int64_t{-1}, classes);
  const Tensor x = reshape(input, {frames, classes}), t = reshape(target, {frames, classes});
  // A sample's targets are its leading entries up to the first -1.
  const Tensor listed = eq(cumsum(to_dtype(eq(t, scalar_tensor(int64_t{-1})), DType::Int64), 1),
                           scalar_tensor(int64_t{0}));
  const Tensor safe = where(listed, t, zeros({}, DType::Int64));
  const Tensor counted = unsqueeze(to_dtype(listed, DType::Int64), 2);  // (N, C_j, 1)
  // (one_hot would read the classes on the host, which a captured graph cannot replay)
  const Tensor hits = eq(unsqueeze(safe, 2), reshape(arange(0, classes, 1, DType::Int64, t.device()), {1, 1, classes}));
  const Tensor is_target = gt(sum(mul(to_dtype(hits, DType::Int64), counted), Dims{1}), scalar_tensor(int64_t{0}));
  // z[n, j, i] = 1 - x[n, y_j] + x[n, i], counted for listed j and non-target i where z > 0, as the
  // kernel's (a NaN z adds nothing)
  const Tensor z = add(sub(number(1.0), unsqueeze(gather(x, 1, safe), 2)), unsqueeze(x, 1));
  Tensor mask = logical_and(logical_and(unsqueeze(listed, 2), unsqueeze(logical_not(is_target), 1)),
                            gt(z, zeros({}, z.dtype())));
  // where, not a product with the mask: an inf z outside the mask must not make NaN
  Tensor loss = div(sum(where(mask, z, zeros({}, z.dtype())), Dims{1, 2}), number(double(classes)));
  if (reduction == "none" && input.dim() <= 1) loss = reshape(loss, {});
  return autograd::name_grad_fn(reduce(loss, reduction, op), op);
}

Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, bool log_input, bool full, double eps,
                        const std::string& reduction) {
  const char* op = "poisson_nll_loss";
  check_reduction(reduction, op);
  broadcast_shapes(input.sizes(), target.sizes(), op);
  Tensor loss = log_input ? sub(exp(input), mul(target, input)) : sub(input, mul(target, log(add(input, number(eps)))));
  if (full) {  // Stirling's approximation of log(target!), where target > 1
    // the numbers second, as torch's Python scalars: a float16 target reads them unrounded
    Tensor stirling = add(sub(mul(target, log(target)), target),
                          mul(log(mul(target, number(2 * M_PI))), number(0.5)));
    // added in place, as torch's (loss += ...): loss keeps its dtype (a float16 input's, against an int target)
    loss = to_dtype(add(loss, where(le(target, number(1.0)), zeros({}, stirling.dtype()), stirling)), loss.dtype());
  }
  return reduce(loss, reduction, op);
}

Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, const Tensor& var_in, bool full, double eps,
                         const std::string& reduction) {
  const char* op = "gaussian_nll_loss";
  check_floating(var_in, op, "var");
  if (var_in.numel() > 0) call_check(var_in.device(), op, check_nonnegative_var, var_in);
  Tensor var = var_in;
  const Shape &in = input.sizes(), &vs = var.sizes();
  if (vs != in) {
    if (!in.empty() && Shape(in.begin(), in.end() - 1) == vs) {
      var = unsqueeze(var, -1);  // one variance per row: homoscedastic
    } else {
      // var of input's rank differing in one dim, where var's size is 1 (PyTorch's rule: the sizes of
      // var in the dims that differ sum to 1).
      int64_t differing = 0;
      if (vs.size() == in.size())
        for (size_t i = 0; i < vs.size(); ++i) differing += vs[i] != in[i] ? vs[i] : 0;
      EMBER_CHECK(vs.size() == in.size() && differing == 1, op, ": var is of incorrect size: got ", shape_str(vs),
                  " for input of shape ", shape_str(in));
    }
  }
  check_reduction(reduction, op);
  broadcast_shapes(broadcast_shapes(in, target.sizes(), op), var.sizes(), op);
  // As PyTorch's: the clamp is applied without recording, so the gradient passes through it.
  var = clone(var);
  {
    autograd::NoGradGuard no_grad;
    clamp_(var, number(eps), std::nullopt);
  }
  Tensor loss = mul(number(0.5), add(log(var), div(square(sub(input, target)), var)));
  if (full) loss = add(loss, number(0.5 * std::log(2 * M_PI)));
  return reduce(loss, reduction, op);
}

Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, double var, bool full, double eps,
                         const std::string& reduction) {
  EMBER_CHECK(!(var < 0), "gaussian_nll_loss: var has negative entry/entries");
  return gaussian_nll_loss(input, target, mul(number(var), ones(input.sizes(), input.dtype())), full, eps, reduction);
}

}  // namespace ember::nn::functional

namespace ember::nn {

namespace F = functional;

std::string legacy_reduction(std::optional<bool> size_average, std::optional<bool> reduce, std::string reduction) {
  if (!size_average && !reduce) return reduction;
  if (!reduce.value_or(true)) return "none";
  return size_average.value_or(true) ? "mean" : "sum";
}

Tensor Loss::forward(const Tensor&) {
  throw TypeError(type_name() + ".forward: a loss takes two tensors, input and target");
}

Tensor TernaryLoss::forward(const Tensor&, const Tensor&) {
  throw TypeError(type_name() + ".forward: this loss takes three tensors");
}

MarginRankingLoss::MarginRankingLoss(MarginRankingLossOptions options)
    : LossLayer("MarginRankingLoss", std::move(options)) {}
Tensor MarginRankingLoss::forward(const Tensor& input1, const Tensor& input2, const Tensor& target) {
  return F::margin_ranking_loss(input1, input2, target, options.margin, options.reduction);
}

HingeEmbeddingLoss::HingeEmbeddingLoss(HingeEmbeddingLossOptions options)
    : LossLayer("HingeEmbeddingLoss", std::move(options)) {}
Tensor HingeEmbeddingLoss::forward(const Tensor& input, const Tensor& target) {
  return F::hinge_embedding_loss(input, target, options.margin, options.reduction);
}

SoftMarginLoss::SoftMarginLoss(SoftMarginLossOptions options) : LossLayer("SoftMarginLoss", std::move(options)) {}
Tensor SoftMarginLoss::forward(const Tensor& input, const Tensor& target) {
  return F::soft_margin_loss(input, target, options.reduction);
}

CosineEmbeddingLoss::CosineEmbeddingLoss(CosineEmbeddingLossOptions options)
    : LossLayer("CosineEmbeddingLoss", std::move(options)) {}
Tensor CosineEmbeddingLoss::forward(const Tensor& input1, const Tensor& input2, const Tensor& target) {
  return F::cosine_embedding_loss(input1, input2, target, options.margin, options.reduction);
}

TripletMarginLoss::TripletMarginLoss(TripletMarginLossOptions options)
    : LossLayer("TripletMarginLoss", std::move(options)) {}
Tensor TripletMarginLoss::forward(const Tensor& anchor, const Tensor& positive, const Tensor& negative) {
  return F::triplet_margin_loss(anchor, positive, negative, options.margin, options.p, options.eps, options.swap,
                                options.reduction);
}

MultiLabelSoftMarginLoss::MultiLabelSoftMarginLoss(MultiLabelSoftMarginLossOptions options)
    : LossLayer("MultiLabelSoftMarginLoss", std::move(options)) {
  register_buffer("weight", std::exchange(this->options.weight, {}));
}
Tensor MultiLabelSoftMarginLoss::forward(const Tensor& input, const Tensor& target) {
  return F::multilabel_soft_margin_loss(input, target, buffer("weight"), options.reduction);
}

MultiMarginLoss::MultiMarginLoss(MultiMarginLossOptions options) : LossLayer("MultiMarginLoss", std::move(options)) {
  register_buffer("weight", std::exchange(this->options.weight, {}));
}
Tensor MultiMarginLoss::forward(const Tensor& input, const Tensor& target) {
  return F::multi_margin_loss(input, target, options.p, options.margin, buffer("weight"), options.reduction);
}

MultiLabelMarginLoss::MultiLabelMarginLoss(MultiLabelMarginLossOptions options)
    : LossLayer("MultiLabelMarginLoss", std::move(options)) {}
Tensor MultiLabelMarginLoss::forward(const Tensor& input, const Tensor& target) {
  return F::multilabel_margin_loss(input, target, options.reduction);
}

PoissonNLLLoss::PoissonNLLLoss(PoissonNLLLossOptions options) : LossLayer("PoissonNLLLoss", std::move(options)) {}
Tensor PoissonNLLLoss::forward(const Tensor& input, const Tensor& target) {
  return F::poisson_nll_loss(input, target, options.log_input, options.full, options.eps, options.reduction);
}

GaussianNLLLoss::GaussianNLLLoss(GaussianNLLLossOptions options) : LossLayer("GaussianNLLLoss", std::move(options)) {}
Tensor GaussianNLLLoss::forward(const Tensor& input, const Tensor& target, const Tensor& var) {
  return F::gaussian_nll_loss(input, target, var, options.full, options.eps, options.reduction);
}

KLDivLoss::KLDivLoss(KLDivLossOptions options) : LossLayer("KLDivLoss", std::move(options)) {}
Tensor KLDivLoss::forward(const Tensor& input, const Tensor& target) {
  return F::kl_div(input, target, options.reduction, options.log_target);
}

MSELoss::MSELoss(MSELossOptions options) : LossLayer("MSELoss", std::move(options)) {}
Tensor MSELoss::forward(const Tensor& input, const Tensor& target) {
  return F::mse_loss(input, target, options.reduction);
}

L1Loss::L1Loss(L1LossOptions options) : LossLayer("L1Loss", std::move(options)) {}
Tensor L1Loss::forward(const Tensor& input, const Tensor& target) {
  return F::l1_loss(input, target, options.reduction);
}

HuberLoss::HuberLoss(HuberLossOptions options) : LossLayer("HuberLoss", std::move(options)) {}
Tensor HuberLoss::forward(const Tensor& input, const Tensor& target) {
  return F::huber_loss(input, target, options.reduction, options.delta);
}

SmoothL1Loss::SmoothL1Loss(SmoothL1LossOptions options) : LossLayer("SmoothL1Loss", std::move(options)) {}
Tensor SmoothL1Loss::forward(const Tensor& input, const Tensor& target) {
  return F::smooth_l1_loss(input, target, options.reduction, options.beta);
}

// Class weights become buffers (state_dict holds them); the options keep no second reference.
BCELoss::BCELoss(BCELossOptions options) : LossLayer("BCELoss", std::move(options)) {
  register_buffer("weight", std::exchange(this->options.weight, {}));
}
Tensor BCELoss::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy(input, target, buffer("weight"), options.reduction);
}

BCEWithLogitsLoss::BCEWithLogitsLoss(BCEWithLogitsLossOptions options)
    : LossLayer("BCEWithLogitsLoss", std::move(options)) {
  register_buffer("weight", std::exchange(this->options.weight, {}));
  register_buffer("pos_weight", std::exchange(this->options.pos_weight, {}));
}
Tensor BCEWithLogitsLoss::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy_with_logits(input, target, buffer("weight"), options.reduction,
                                             buffer("pos_weight"));
}

NLLLoss::NLLLoss(NLLLossOptions options) : LossLayer("NLLLoss", std::move(options)) {
  register_buffer("weight", std::exchange(this->options.weight, {}));
}
Tensor NLLLoss::forward(const Tensor& input, const Tensor& target) {
  return F::nll_loss(input, target, buffer("weight"), options.ignore_index, options.reduction);
}

CrossEntropyLoss::CrossEntropyLoss(CrossEntropyLossOptions options) : LossLayer("CrossEntropyLoss", std::move(options)) {
  register_buffer("weight", std::exchange(this->options.weight, {}));
}
Tensor CrossEntropyLoss::forward(const Tensor& input, const Tensor& target) {
  return F::cross_entropy(input, target, buffer("weight"), options.ignore_index, options.reduction,
                          options.label_smoothing);
}

}  // namespace ember::nn

// Regularization penalties (composites, so they are differentiable) and max_norm_.
#include "ember/nn/utils.h"

#include "ember/autograd.h"
#include "ember/ops.h"

namespace ember::nn::utils {

namespace {
/// sum over the tensors of sum(f(p)), as one 0-d tensor (0 for an empty list).
template <class F>
Tensor total(const std::vector<Tensor>& params, const char* op, F term) {
  Tensor acc;
  for (const Tensor& p : params) {
    EMBER_CHECK_TYPE(p.defined() && is_floating(p.dtype()), op, ": expected floating tensors");
    Tensor s = sum(term(p));
    acc = acc.defined() ? add(acc, s) : s;
  }
  return acc.defined() ? acc : zeros({});
}
Tensor number(double v) { return scalar_tensor(v); }
}  // namespace

Tensor l1_penalty(const std::vector<Tensor>& params, double weight) {
  return mul(total(params, "l1_penalty", [](const Tensor& p) { return abs(p); }), number(weight));
}

Tensor l2_penalty(const std::vector<Tensor>& params, double weight) {
  return mul(total(params, "l2_penalty", [](const Tensor& p) { return square(p); }), number(weight));
}

Tensor elastic_net_penalty(const std::vector<Tensor>& params, double l1, double l2) {
  return add(l1_penalty(params, l1), l2_penalty(params, l2));
}

Tensor activity_penalty(const Tensor& activation, double l1, double l2, bool batch_mean) {
  Tensor p = elastic_net_penalty({activation}, l1, l2);
  if (batch_mean && activation.dim() > 0 && activation.sizes()[0] > 0)
    p = div(p, number(static_cast<double>(activation.sizes()[0])));
  return p;
}

void max_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type, int64_t dim) {
  EMBER_CHECK(max_norm >= 0, "max_norm_: max_norm must be non-negative, got ", max_norm);
  EMBER_CHECK(norm_type > 0, "max_norm_: norm_type must be positive, got ", norm_type);
  autograd::NoGradGuard no_grad;
  for (Tensor p : params) {
    EMBER_CHECK_TYPE(p.defined() && is_floating(p.dtype()), "max_norm_: expected floating tensors");
    if (p.numel() == 0) continue;
    if (p.dim() == 0) {
      Tensor n = abs(p);
      mul_(p, where(n > max_norm, div(number(max_norm), add(n, number(1e-7))), number(1.0)));
      continue;
    }
    const int64_t d = wrap_dim(dim, p.dim(), "max_norm_");
    Dims others;
    for (int64_t k = 0; k < p.dim(); ++k)
      if (k != d) others.push_back(k);
    Tensor norms = others.empty() ? abs(p) : norm(p, norm_type, others, true);
    // As torch.renorm: slices above the limit are scaled by max_norm / (norm + 1e-7).
    Tensor scale = where(norms > max_norm, div(number(max_norm), add(norms, number(1e-7))), number(1.0));
    mul_(p, to_dtype(scale, p.dtype()));
  }
}

}  // namespace ember::nn::utils

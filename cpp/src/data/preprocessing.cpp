// Standardize and PCAWhitening: statistics fitted under no_grad with ember ops, applied with ember
// ops in the input's dtype.
#include "ember/data/preprocessing.h"

#include <cfloat>

#include "ember/autograd.h"
#include "ember/ops.h"

namespace ember::data {
namespace {

/// A (N, features) float32 or float64 tensor, else ValueError (rank) or TypeError (dtype).
void check_input(const std::string& op, const Tensor& x) {
  EMBER_CHECK(x.defined() && x.dim() == 2, op, ": expected a 2-D (N, features) tensor, got shape ",
              x.defined() ? shape_str(x.sizes()) : "None");
  EMBER_CHECK_TYPE(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, op,
                   ": expected a float32 or float64 tensor, got ", dtype_name(x.dtype()));
}

void check_fitted(bool fitted, const char* owner, const char* method) {
  EMBER_CHECK_RUNTIME(fitted, owner, ": ", method, " called before fit");
}

/// x's features (dim 1) must number `expected`, what the fitted `stat` says.
void check_features(const std::string& op, const Tensor& x, int64_t expected, const char* owner, const char* stat,
                    const Tensor& fitted) {
  EMBER_CHECK(x.sizes()[1] == expected, op, ": x has ", x.sizes()[1], " features (shape ", shape_str(x.sizes()),
              "), but ", owner, " was fitted on ", expected, " (", stat, " of shape ", shape_str(fitted.sizes()), ")");
}

Tensor number(double v) { return scalar_tensor(v); }

/// state[key], which must be there (RuntimeError), a float tensor of `dims` dims (a copy).
Tensor state_entry(const std::map<std::string, Tensor>& state, const char* owner, const char* key, int64_t dims) {
  auto it = state.find(key);
  EMBER_CHECK_RUNTIME(it != state.end() && it->second.defined(), owner, ".load_state_dict: missing key '", key, "'");
  const Tensor& t = it->second;
  EMBER_CHECK(t.dim() == dims, owner, ".load_state_dict: '", key, "' must be ", dims, "-D, got shape ",
              shape_str(t.sizes()));
  EMBER_CHECK_TYPE(t.dtype() == DType::Float32 || t.dtype() == DType::Float64, owner, ".load_state_dict: '", key,
                   "' must be float32 or float64, got ", dtype_name(t.dtype()));
  return autograd::detach(clone(t));
}

void check_keys(const std::map<std::string, Tensor>& state, const char* owner,
                std::initializer_list<const char*> keys) {
  for (const auto& [key, value] : state) {
    bool known = false;
    for (const char* k : keys) known = known || key == k;
    EMBER_CHECK_RUNTIME(known, owner, ".load_state_dict: unexpected key '", key, "'");
  }
}

}  // namespace

// ---- Standardize --------------------------------------------------------------------------------

Standardize::Standardize(Options o) : options(std::move(o)) { options.validate(); }

Standardize& Standardize::fit(const Tensor& x) {
  check_input("Standardize.fit", x);
  EMBER_CHECK(x.sizes()[0] >= 1, "Standardize.fit: needs at least 1 sample, got shape ", shape_str(x.sizes()));
  autograd::NoGradGuard no_grad;
  // Moments in float64 (as scikit-learn accumulates), kept in x's dtype.
  const Tensor xd = to_dtype(autograd::detach(x), DType::Float64);
  const Tensor m = mean(xd, Dims{0});
  const Tensor v = var(xd, Dims{0}, 0);
  // Constant features: std at most eps, or a variance within the rounding error of the mean's
  // computation (scikit-learn's bound, _is_constant_feature).
  const double ne = static_cast<double>(x.sizes()[0]) * DBL_EPSILON;
  const Tensor bound = add(mul(v, number(ne)), square(mul(m, number(ne))));
  const Tensor sd = sqrt(v);
  const Tensor constant = logical_or(le(v, bound), le(sd, number(options.eps)));
  mean_ = to_dtype(m, x.dtype());
  std_ = to_dtype(where(constant, ones(sd.sizes(), sd.dtype()), sd), x.dtype());
  return *this;
}

Tensor Standardize::transform(const Tensor& x) const {
  check_fitted(fitted(), "Standardize", "transform");
  check_input("Standardize.transform", x);
  check_features("Standardize.transform", x, mean_.numel(), "Standardize", "mean", mean_);
  return div(sub(x, to_dtype(mean_, x.dtype())), to_dtype(std_, x.dtype()));
}

Tensor Standardize::inverse_transform(const Tensor& x) const {
  check_fitted(fitted(), "Standardize", "inverse_transform");
  check_input("Standardize.inverse_transform", x);
  check_features("Standardize.inverse_transform", x, mean_.numel(), "Standardize", "mean", mean_);
  return add(mul(x, to_dtype(std_, x.dtype())), to_dtype(mean_, x.dtype()));
}

StateDict Standardize::state_dict() const {
  check_fitted(fitted(), "Standardize", "state_dict");
  return {{"mean", mean_}, {"std", std_}};
}

void Standardize::load_state_dict(const std::map<std::string, Tensor>& state) {
  check_keys(state, "Standardize", {"mean", "std"});
  Tensor m = state_entry(state, "Standardize", "mean", 1), s = state_entry(state, "Standardize", "std", 1);
  EMBER_CHECK(m.sizes() == s.sizes(), "Standardize.load_state_dict: mean of shape ", shape_str(m.sizes()),
              " and std of shape ", shape_str(s.sizes()), " differ");
  mean_ = m, std_ = s;
}

// ---- PCAWhitening -------------------------------------------------------------------------------

PCAWhitening::PCAWhitening(Options o) : options(std::move(o)) { options.validate(); }

PCAWhitening& PCAWhitening::fit(const Tensor& x) {
  check_input("PCAWhitening.fit", x);
  const int64_t n = x.sizes()[0], features = x.sizes()[1];
  EMBER_CHECK(n >= 2, "PCAWhitening.fit: needs at least 2 samples for a covariance, got shape ", shape_str(x.sizes()));
  const int64_t k = options.n_components.value_or(features);
  EMBER_CHECK(k <= features, "PCAWhitening.fit: n_components=", k, " must be at most the number of features, ",
              features, " (x of shape ", shape_str(x.sizes()), ")");
  autograd::NoGradGuard no_grad;
  // In float64 whatever x's dtype: float32 rounding of the covariance would leave the whitened
  // data's covariance off the identity by eps32 times the condition number.
  const Tensor xd = to_dtype(autograd::detach(x), DType::Float64);
  const Tensor m = mean(xd, Dims{0});
  const Tensor xc = sub(xd, m);
  // The covariance divided by N - 1, as scikit-learn's explained_variance_.
  const Tensor cov = div(matmul(matrix_transpose(xc), xc), number(static_cast<double>(n - 1)));
  auto [values, vectors] = linalg_eigh(cov);
  // Descending, the top k; each column signed so that its largest-magnitude entry is positive.
  const Tensor top_values = narrow(flip(values, {0}), 0, 0, k);
  Tensor top_vectors = narrow(flip(vectors, {1}), 1, 0, k);
  const Tensor peak = gather(top_vectors, 0, argmax(abs(top_vectors), 0, true));
  top_vectors = mul(top_vectors, sign(peak));
  mean_ = to_dtype(m, x.dtype());
  components_ = contiguous(to_dtype(matrix_transpose(top_vectors), x.dtype()));
  variance_ = contiguous(to_dtype(top_values, x.dtype()));
  return *this;
}

namespace {
/// 1 / sqrt(max(variance, eps)) in dtype: the whitening scale of each component.
Tensor inverse_scale(const Tensor& variance, double eps, DType dtype) {
  return rsqrt(clamp(to_dtype(variance, dtype), scalar_tensor(eps, dtype), std::nullopt));
}
}  // namespace

Tensor PCAWhitening::transform(const Tensor& x) const {
  check_fitted(fitted(), "PCAWhitening", "transform");
  check_input("PCAWhitening.transform", x);
  check_features("PCAWhitening.transform", x, mean_.numel(), "PCAWhitening", "mean", mean_);
  const Tensor c = to_dtype(components_, x.dtype());
  Tensor z = mul(matmul(sub(x, to_dtype(mean_, x.dtype())), matrix_transpose(c)),
                 inverse_scale(variance_, options.eps, x.dtype()));
  return options.zca ? matmul(z, c) : z;
}

Tensor PCAWhitening::inverse_transform(const Tensor& z) const {
  check_fitted(fitted(), "PCAWhitening", "inverse_transform");
  check_input("PCAWhitening.inverse_transform", z);
  const Tensor c = to_dtype(components_, z.dtype());
  if (options.zca) check_features("PCAWhitening.inverse_transform", z, mean_.numel(), "PCAWhitening", "mean", mean_);
  else check_features("PCAWhitening.inverse_transform", z, c.sizes()[0], "PCAWhitening", "components", c);
  const Tensor coords = options.zca ? matmul(z, matrix_transpose(c)) : z;
  return add(matmul(div(coords, inverse_scale(variance_, options.eps, z.dtype())), c), to_dtype(mean_, z.dtype()));
}

StateDict PCAWhitening::state_dict() const {
  check_fitted(fitted(), "PCAWhitening", "state_dict");
  return {{"mean", mean_}, {"components", components_}, {"explained_variance", variance_}};
}

void PCAWhitening::load_state_dict(const std::map<std::string, Tensor>& state) {
  check_keys(state, "PCAWhitening", {"mean", "components", "explained_variance"});
  Tensor m = state_entry(state, "PCAWhitening", "mean", 1);
  Tensor c = state_entry(state, "PCAWhitening", "components", 2);
  Tensor v = state_entry(state, "PCAWhitening", "explained_variance", 1);
  EMBER_CHECK(c.sizes()[1] == m.numel() && v.numel() == c.sizes()[0],
              "PCAWhitening.load_state_dict: components of shape ", shape_str(c.sizes()), " must be (k, features) for "
              "mean of shape ", shape_str(m.sizes()), " and explained_variance of shape ", shape_str(v.sizes()));
  mean_ = m, components_ = c, variance_ = v;
}

}  // namespace ember::data

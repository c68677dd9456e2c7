#pragma once
// Preprocessing fitted on the training set only: fit() learns statistics from (N, features) data,
// transform() applies them to any data with the same features (validation, test, new samples).
// Statistics are computed with ember ops under no_grad and kept detached; transform is written in
// ember ops, so gradients flow through it to its input. Each class's constructor arguments are
// the rows of its options struct (ember/options.h).
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ember/export.h"
#include "ember/options.h"
#include "ember/tensor.h"

namespace ember::data {

/// A state dict: named tensors in a fixed order.
using StateDict = std::vector<std::pair<std::string, Tensor>>;

/// What a preprocessing step offers: fit on training data (N, features), float32 or float64, then
/// transform any data with the same features. Other ranks are a ValueError naming the shape, other
/// dtypes a TypeError; transform before fit (or load_state_dict) is a RuntimeError.
class EMBER_API Preprocessing {
 public:
  virtual ~Preprocessing() = default;
  /// Learns the statistics from x; returns *this.
  virtual Preprocessing& fit(const Tensor& x) = 0;
  /// x transformed, in x's dtype (differentiable in x).
  virtual Tensor transform(const Tensor& x) const = 0;
  /// transform's inverse: back to the input's space.
  virtual Tensor inverse_transform(const Tensor& x) const = 0;
  /// fit(x), then transform(x).
  Tensor fit_transform(const Tensor& x) { return fit(x).transform(x); }
  virtual bool fitted() const = 0;
  /// The fitted statistics (RuntimeError before fit).
  virtual StateDict state_dict() const = 0;
  /// Takes a state_dict's statistics (exactly its keys).
  virtual void load_state_dict(const std::map<std::string, Tensor>& state) = 0;
};

#define EMBER_STANDARDIZE_FIELDS(X) \
  X(Arg, double, eps, 1e-8, valid::at_least(0, "Standardize: eps must be non-negative, got "))
struct EMBER_API StandardizeOptions : Options {
  EMBER_OPTIONS(EMBER_STANDARDIZE_FIELDS)
};

/// x -> (x - mean) / std per feature, as scikit-learn's StandardScaler: the mean and the
/// population std (correction 0) over the N >= 1 samples, computed in float64; a feature whose std
/// is at most eps is constant and divided by 1 (only centred), as scikit-learn does. The state is
/// {"mean", "std"}, std being the divisor, both (features,).
class EMBER_API Standardize : public Preprocessing {
 public:
  using Options = StandardizeOptions;
  explicit Standardize(Options options = {});
  Standardize& fit(const Tensor& x) override;
  Tensor transform(const Tensor& x) const override;
  Tensor inverse_transform(const Tensor& x) const override;
  bool fitted() const override { return mean_.defined(); }
  StateDict state_dict() const override;
  void load_state_dict(const std::map<std::string, Tensor>& state) override;
  Options options;

 private:
  Tensor mean_, std_;
};

#define EMBER_PCA_WHITENING_FIELDS(X)                                                                     \
  X(Arg, std::optional<int64_t>, n_components, std::nullopt,                                               \
    valid::none_or(valid::at_least(1, "PCAWhitening: n_components must be at least 1, got ")))            \
  X(Kw, double, eps, 1e-5, valid::at_least(0, "PCAWhitening: eps must be non-negative, got "))              \
  X(Kw, bool, zca, false, valid::any)
struct EMBER_API PCAWhiteningOptions : Options {
  EMBER_OPTIONS(EMBER_PCA_WHITENING_FIELDS)
};

/// PCA whitening: z = (x - mean) U_k diag(1 / sqrt(max(lambda_k, eps))), where lambda_k, U_k are the
/// top n_components eigenpairs of the covariance (divided by N - 1, as scikit-learn's PCA), so
/// whitened training data has identity covariance; with zca, z U_k^T (rotated back to the input's
/// axes). Each component's sign makes its largest-magnitude entry positive (scikit-learn's svd_flip).
/// fit (N >= 2) computes in float64 and keeps the statistics in x's dtype: {"mean" (features,),
/// "components" (k, features) as rows, "explained_variance" (k,), descending}.
class EMBER_API PCAWhitening : public Preprocessing {
 public:
  using Options = PCAWhiteningOptions;
  explicit PCAWhitening(Options options = {});
  PCAWhitening& fit(const Tensor& x) override;
  /// (N, n_components), or (N, features) with zca.
  Tensor transform(const Tensor& x) const override;
  /// Exact for n_components = features; else the projection onto the components.
  Tensor inverse_transform(const Tensor& z) const override;
  bool fitted() const override { return mean_.defined(); }
  StateDict state_dict() const override;
  void load_state_dict(const std::map<std::string, Tensor>& state) override;
  Options options;

 private:
  Tensor mean_, components_, variance_;
};

}  // namespace ember::data

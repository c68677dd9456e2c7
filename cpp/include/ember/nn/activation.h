#pragma once
// Activation modules, as torch.nn's (their math is in functional.h).
#include <optional>
#include <string>

#include "ember/nn/module.h"

namespace ember::nn {

class EMBER_API Sigmoid : public Module {
 public:
  Sigmoid() : Module("Sigmoid") {}
  Tensor forward(const Tensor& input) override;
};

class EMBER_API Tanh : public Module {
 public:
  Tanh() : Module("Tanh") {}
  Tensor forward(const Tensor& input) override;
};

class EMBER_API ReLU : public Module {
 public:
  explicit ReLU(bool inplace = false) : Module("ReLU"), inplace(inplace) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  bool inplace;
};

class EMBER_API LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01, bool inplace = false)
      : Module("LeakyReLU"), negative_slope(negative_slope), inplace(inplace) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  double negative_slope;
  bool inplace;
};

/// LeakyReLU with a learned slope: one for all channels or one per channel (dim 1).
class EMBER_API PReLU : public Module {
 public:
  explicit PReLU(int64_t num_parameters = 1, double init = 0.25);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  /// Sets every slope back to init.
  void reset_parameters();
  int64_t num_parameters;
  double init;
  Tensor weight() const { return parameter("weight"); }
};

class EMBER_API ELU : public Module {
 public:
  explicit ELU(double alpha = 1.0, bool inplace = false) : Module("ELU"), alpha(alpha), inplace(inplace) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  double alpha;
  bool inplace;
};

/// approximate: "none" (exact, with erf) or "tanh".
class EMBER_API GELU : public Module {
 public:
  explicit GELU(std::string approximate = "none");
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  std::string approximate;
};

class EMBER_API SiLU : public Module {
 public:
  explicit SiLU(bool inplace = false) : Module("SiLU"), inplace(inplace) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  bool inplace;
};

/// log(sigmoid(x)), computed stably (functional.h's logsigmoid).
class EMBER_API LogSigmoid : public Module {
 public:
  LogSigmoid() : Module("LogSigmoid") {}
  Tensor forward(const Tensor& input) override;
};

class EMBER_API Softplus : public Module {
 public:
  explicit Softplus(double beta = 1.0, double threshold = 20.0)
      : Module("Softplus"), beta(beta), threshold(threshold) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  double beta, threshold;
};

/// dim unset: PyTorch's legacy choice (0 for 0-, 1- and 3-d inputs, else 1).
class EMBER_API Softmax : public Module {
 public:
  explicit Softmax(std::optional<int64_t> dim = {}) : Module("Softmax"), dim(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  std::optional<int64_t> dim;
};

class EMBER_API LogSoftmax : public Module {
 public:
  explicit LogSoftmax(std::optional<int64_t> dim = {}) : Module("LogSoftmax"), dim(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  std::optional<int64_t> dim;
};

/// The perceptron's step: -1, 0 or 1 by the sign of x. Its gradient is zero (as torch.sign's),
/// or with straight_through the identity (the straight-through estimator), which lets a
/// network with sign units train by backpropagation.
class EMBER_API Sign : public Module {
 public:
  explicit Sign(bool straight_through = false) : Module("Sign"), straight_through(straight_through) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  bool straight_through;
};

/// The dim softmax takes when none is given.
EMBER_API int64_t legacy_softmax_dim(int64_t ndim);

}  // namespace ember::nn

#pragma once
// Regularizing noise layers: Dropout (inverted, as torch.nn.Dropout) and GaussianNoise.
#include "ember/nn/module.h"

namespace ember::nn {

/// Training mode: zeroes each element with probability p and scales the rest by 1 / (1 - p),
/// so evaluation mode (the identity) needs no rescaling.
class EMBER_API Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, bool inplace = false);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  double p;
  bool inplace;
};

/// Training mode: adds N(0, std^2) noise to each element; evaluation mode: the identity.
class EMBER_API GaussianNoise : public Module {
 public:
  explicit GaussianNoise(double std = 0.1);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  double std;
};

}  // namespace ember::nn

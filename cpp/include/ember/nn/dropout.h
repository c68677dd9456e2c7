#pragma once
// Regularizing noise layers: Dropout (inverted, as torch.nn.Dropout) and GaussianNoise.
#include <cmath>

#include "ember/nn/layer.h"

namespace ember::nn {

/// Training mode: zeroes each element with probability p and scales the rest by 1 / (1 - p),
/// so evaluation mode (the identity) needs no rescaling.
#define EMBER_DROPOUT_FIELDS(X)                                                                               \
  X(Arg, double, p, 0.5, valid::between(0, 1, "Dropout: dropout probability has to be between 0 and 1, but got "), \
    Named)                                                                                                    \
  X(Arg, bool, inplace, false, valid::any, Named)
struct DropoutOptions {
  EMBER_LAYER_OPTIONS(EMBER_DROPOUT_FIELDS)
};
class EMBER_API Dropout : public Layer<DropoutOptions> {
 public:
  explicit Dropout(DropoutOptions options = {}) : Layer("Dropout", options) {}
  EMBER_LAYER_SHORT_FORM(Dropout)
  Tensor forward(const Tensor& input) override;
};

/// Training mode: adds N(0, std^2) noise to each element; evaluation mode: the identity.
#define EMBER_GAUSSIAN_NOISE_FIELDS(X)                                                             \
  X(Arg, double, std, 0.1,                                                                         \
    valid::holds([](double s) { return s >= 0 && s < INFINITY; }, "GaussianNoise: std must be a non-negative number, got "), \
    Named)
struct GaussianNoiseOptions {
  EMBER_LAYER_OPTIONS(EMBER_GAUSSIAN_NOISE_FIELDS)
};
class EMBER_API GaussianNoise : public Layer<GaussianNoiseOptions> {
 public:
  explicit GaussianNoise(GaussianNoiseOptions options = {}) : Layer("GaussianNoise", options) {}
  EMBER_LAYER_SHORT_FORM(GaussianNoise)
  Tensor forward(const Tensor& input) override;
};

}  // namespace ember::nn

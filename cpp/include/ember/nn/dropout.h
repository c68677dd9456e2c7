#pragma once
// Regularizing noise layers: Dropout (inverted, as torch.nn.Dropout), Dropout1d, Dropout2d
// (whole channels) and GaussianNoise.
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

/// Dropout1d and Dropout2d: training mode zeroes whole channels (each (n, c) slice) with
/// probability p and scales the rest by 1 / (1 - p). Dropout1d takes (N, C, L) or (C, L);
/// Dropout2d takes (N, C, H, W) and, as PyTorch 2.13, treats a 3-d input as (N, C, L) (Python
/// warns about it, and about inputs of other ranks).
#define EMBER_DROPOUT_ND_FIELDS(X, message)                               \
  X(Arg, double, p, 0.5, valid::between(0, 1, message), Named)            \
  X(Arg, bool, inplace, false, valid::any, Named)
#define EMBER_DROPOUT1D_FIELDS(X) \
  EMBER_DROPOUT_ND_FIELDS(X, "Dropout1d: dropout probability has to be between 0 and 1, but got ")
#define EMBER_DROPOUT2D_FIELDS(X) \
  EMBER_DROPOUT_ND_FIELDS(X, "Dropout2d: dropout probability has to be between 0 and 1, but got ")
#define EMBER_DROPOUT3D_FIELDS(X) \
  EMBER_DROPOUT_ND_FIELDS(X, "Dropout3d: dropout probability has to be between 0 and 1, but got ")
struct Dropout1dOptions {
  EMBER_LAYER_OPTIONS(EMBER_DROPOUT1D_FIELDS)
};
struct Dropout2dOptions {
  EMBER_LAYER_OPTIONS(EMBER_DROPOUT2D_FIELDS)
};
struct Dropout3dOptions {
  EMBER_LAYER_OPTIONS(EMBER_DROPOUT3D_FIELDS)
};
class EMBER_API Dropout1d : public Layer<Dropout1dOptions> {
 public:
  explicit Dropout1d(Dropout1dOptions options = {}) : Layer("Dropout1d", options) {}
  EMBER_LAYER_SHORT_FORM(Dropout1d)
  Tensor forward(const Tensor& input) override;
};
class EMBER_API Dropout2d : public Layer<Dropout2dOptions> {
 public:
  explicit Dropout2d(Dropout2dOptions options = {}) : Layer("Dropout2d", options) {}
  EMBER_LAYER_SHORT_FORM(Dropout2d)
  Tensor forward(const Tensor& input) override;
};
/// Dropout3d: whole channels of (N, C, D, H, W) or (C, D, H, W) inputs (Python warns about
/// other ranks, taking them as (N, C, ...)).
class EMBER_API Dropout3d : public Layer<Dropout3dOptions> {
 public:
  explicit Dropout3d(Dropout3dOptions options = {}) : Layer("Dropout3d", options) {}
  EMBER_LAYER_SHORT_FORM(Dropout3d)
  Tensor forward(const Tensor& input) override;
};

}  // namespace ember::nn

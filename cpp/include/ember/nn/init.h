#pragma once
// Weight initialization, as torch.nn.init: each function fills a tensor in place (recording no
// history, so parameters that require grad can be filled) and returns it.
#include <optional>
#include <string>
#include <utility>

#include "ember/random.h"
#include "ember/tensor.h"

namespace ember::nn::init {

/// The recommended gain for a nonlinearity (linear, conv*, sigmoid: 1; tanh: 5/3; relu: sqrt 2;
/// leaky_relu: sqrt(2 / (1 + slope^2)), slope 0.01 unless given; selu: 3/4).
EMBER_API double calculate_gain(const std::string& nonlinearity, std::optional<double> param = {});
/// (fan_in, fan_out): size(1) and size(0) times the receptive field (the product of the rest).
EMBER_API std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t);

EMBER_API Tensor& constant_(Tensor& t, double value);
EMBER_API Tensor& zeros_(Tensor& t);
EMBER_API Tensor& ones_(Tensor& t);
/// U(a, b).
EMBER_API Tensor& uniform_(Tensor& t, double a = 0, double b = 1, Generator* gen = nullptr);
/// N(mean, std^2); the small-normal init is normal_(w, 0, 0.01).
EMBER_API Tensor& normal_(Tensor& t, double mean = 0, double std = 1, Generator* gen = nullptr);
/// Glorot: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).
EMBER_API Tensor& xavier_uniform_(Tensor& t, double gain = 1, Generator* gen = nullptr);
/// Glorot: N(0, gain^2 * 2 / (fan_in + fan_out)).
EMBER_API Tensor& xavier_normal_(Tensor& t, double gain = 1, Generator* gen = nullptr);
/// He: U(-b, b) with b = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a); mode
/// "fan_in" (default) or "fan_out".
EMBER_API Tensor& kaiming_uniform_(Tensor& t, double a = 0, const std::string& mode = "fan_in",
                                   const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
/// He: N(0, gain^2 / fan) (with relu: N(0, 1) * sqrt(2 / fan_in), "Xavier2").
EMBER_API Tensor& kaiming_normal_(Tensor& t, double a = 0, const std::string& mode = "fan_in",
                                  const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
/// LeCun: N(0, 1) * sqrt(1 / fan_in) (the "simple Xavier"; not in PyTorch).
EMBER_API Tensor& lecun_normal_(Tensor& t, Generator* gen = nullptr);
/// A (semi-)orthogonal matrix (tensor flattened to size(0) rows) from the QR decomposition of a
/// standard normal one, times gain.
EMBER_API Tensor& orthogonal_(Tensor& t, double gain = 1, Generator* gen = nullptr);

/// N(mean, std^2) truncated to [a, b]: inverse-CDF sampling, as PyTorch's (uniform draws between
/// the bounds' CDFs through erfinv, clamped to [a, b] against rounding).
EMBER_API Tensor& trunc_normal_(Tensor& t, double mean = 0, double std = 1, double a = -2, double b = 2,
                                Generator* gen = nullptr);
/// The identity of a 3-, 4- or 5-d convolution weight (out, in, *kernel): ones at the kernel's
/// centre for channel d -> d of each of `groups` groups, zeros elsewhere.
EMBER_API Tensor& dirac_(Tensor& t, int64_t groups = 1);
/// The (rectangular) identity matrix of a 2-d tensor.
EMBER_API Tensor& eye_(Tensor& t);
/// N(0, std^2) with ceil(sparsity * rows) entries of each column, at random rows, set to zero
/// (Martens, 2010).
EMBER_API Tensor& sparse_(Tensor& t, double sparsity, double std = 0.01, Generator* gen = nullptr);

/// While one is alive on this thread, the fills above leave tensors as they are and draw
/// nothing from the generator: a layer rebuilt from a pickle or a deep copy is made with its
/// constructor, then given the saved tensors (so copying a model does not move the random stream).
class EMBER_API SkipInitGuard {
 public:
  SkipInitGuard();
  ~SkipInitGuard();
  SkipInitGuard(const SkipInitGuard&) = delete;
  SkipInitGuard& operator=(const SkipInitGuard&) = delete;
  static bool active();

 private:
  bool previous_;
};

}  // namespace ember::nn::init

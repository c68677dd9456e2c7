#pragma once
// Activation modules, as torch.nn's (their math is in functional.h). Each declares its
// arguments once, as rows (layer.h).
#include <string>

#include "ember/nn/layer.h"

namespace ember::nn {

class EMBER_API Sigmoid : public Layer<NoOptions> {
 public:
  explicit Sigmoid(NoOptions options = {}) : Layer("Sigmoid", options) {}
  Tensor forward(const Tensor& input) override;
};

class EMBER_API Tanh : public Layer<NoOptions> {
 public:
  explicit Tanh(NoOptions options = {}) : Layer("Tanh", options) {}
  Tensor forward(const Tensor& input) override;
};

#define EMBER_RELU_FIELDS(X) X(Arg, bool, inplace, false, valid::any, Unless)
struct ReLUOptions {
  EMBER_LAYER_OPTIONS(EMBER_RELU_FIELDS)
};
class EMBER_API ReLU : public Layer<ReLUOptions> {
 public:
  explicit ReLU(ReLUOptions options = {}) : Layer("ReLU", options) {}
  EMBER_LAYER_SHORT_FORM(ReLU)
  Tensor forward(const Tensor& input) override;
};

#define EMBER_LEAKY_RELU_FIELDS(X)                              \
  X(Arg, double, negative_slope, 0.01, valid::any, Named)       \
  X(Arg, bool, inplace, false, valid::any, Unless)
struct LeakyReLUOptions {
  EMBER_LAYER_OPTIONS(EMBER_LEAKY_RELU_FIELDS)
};
class EMBER_API LeakyReLU : public Layer<LeakyReLUOptions> {
 public:
  explicit LeakyReLU(LeakyReLUOptions options = {}) : Layer("LeakyReLU", options) {}
  EMBER_LAYER_SHORT_FORM(LeakyReLU)
  Tensor forward(const Tensor& input) override;
};

/// LeakyReLU with a learned slope: one for all channels or one per channel (dim 1).
#define EMBER_PRELU_FIELDS(X)                                                                                     \
  X(Arg, int64_t, num_parameters, 1, valid::at_least(1, "PReLU: num_parameters must be at least 1, got "),        \
    Named | Fixed)                                                                                                \
  X(Arg, double, init, 0.25, valid::any, Quiet)                                                                   \
  EMBER_FACTORY_FIELDS(X)
struct PReLUOptions {
  EMBER_LAYER_OPTIONS(EMBER_PRELU_FIELDS)
};
class EMBER_API PReLU : public Layer<PReLUOptions> {
 public:
  explicit PReLU(PReLUOptions options = {});
  EMBER_LAYER_SHORT_FORM(PReLU)
  Tensor forward(const Tensor& input) override;
  /// Sets every slope back to init.
  void reset_parameters();
  Tensor weight() const { return parameter("weight"); }
};

#define EMBER_ELU_FIELDS(X)                              \
  X(Arg, double, alpha, 1.0, valid::any, Named)          \
  X(Arg, bool, inplace, false, valid::any, Unless)
struct ELUOptions {
  EMBER_LAYER_OPTIONS(EMBER_ELU_FIELDS)
};
class EMBER_API ELU : public Layer<ELUOptions> {
 public:
  explicit ELU(ELUOptions options = {}) : Layer("ELU", options) {}
  EMBER_LAYER_SHORT_FORM(ELU)
  Tensor forward(const Tensor& input) override;
};

/// approximate: "none" (exact, with erf) or "tanh".
#define EMBER_GELU_FIELDS(X)                                                                                  \
  X(Arg, std::string, approximate, "none",                                                                    \
    valid::one_of({"none", "tanh"}, "GELU: approximate must be 'none' or 'tanh', got '", "'"), Named | Fixed)
struct GELUOptions {
  EMBER_LAYER_OPTIONS(EMBER_GELU_FIELDS)
};
class EMBER_API GELU : public Layer<GELUOptions> {
 public:
  explicit GELU(GELUOptions options = {}) : Layer("GELU", options) {}
  EMBER_LAYER_SHORT_FORM(GELU)
  Tensor forward(const Tensor& input) override;
};

#define EMBER_SILU_FIELDS(X) X(Arg, bool, inplace, false, valid::any, Unless)
struct SiLUOptions {
  EMBER_LAYER_OPTIONS(EMBER_SILU_FIELDS)
};
class EMBER_API SiLU : public Layer<SiLUOptions> {
 public:
  explicit SiLU(SiLUOptions options = {}) : Layer("SiLU", options) {}
  EMBER_LAYER_SHORT_FORM(SiLU)
  Tensor forward(const Tensor& input) override;
};

/// log(sigmoid(x)), computed stably (functional.h's logsigmoid).
class EMBER_API LogSigmoid : public Layer<NoOptions> {
 public:
  explicit LogSigmoid(NoOptions options = {}) : Layer("LogSigmoid", options) {}
  Tensor forward(const Tensor& input) override;
};

#define EMBER_SOFTPLUS_FIELDS(X)                         \
  X(Arg, double, beta, 1.0, valid::any, Named)           \
  X(Arg, double, threshold, 20.0, valid::any, Named)
struct SoftplusOptions {
  EMBER_LAYER_OPTIONS(EMBER_SOFTPLUS_FIELDS)
};
class EMBER_API Softplus : public Layer<SoftplusOptions> {
 public:
  explicit Softplus(SoftplusOptions options = {}) : Layer("Softplus", options) {}
  EMBER_LAYER_SHORT_FORM(Softplus)
  Tensor forward(const Tensor& input) override;
};

// The activations below forward to functional.h; those with inplace write into their input.
/// min_value and max_value: PyTorch's deprecated spellings, which win over min_val and max_val.
#define EMBER_HARDTANH_FIELDS(X)                                            \
  X(Arg, double, min_val, -1.0, valid::any, Named)                          \
  X(Arg, double, max_val, 1.0, valid::any, Named)                           \
  X(Arg, bool, inplace, false, valid::any, Unless)                          \
  X(Arg, std::optional<double>, min_value, std::nullopt, valid::any, Ctor)  \
  X(Arg, std::optional<double>, max_value, std::nullopt, valid::any, Ctor)
struct EMBER_API HardtanhOptions {
  EMBER_LAYER_OPTIONS(EMBER_HARDTANH_FIELDS)
  void cross_checks() const;
};
/// min_val below min_val, max_val above max_val, x between.
class EMBER_API Hardtanh : public Layer<HardtanhOptions> {
 public:
  explicit Hardtanh(HardtanhOptions options = {});
  EMBER_LAYER_SHORT_FORM(Hardtanh)
  Tensor forward(const Tensor& input) override;
};

/// One row, inplace, for the activations whose only argument it is (ReLU6, Hardswish, ...); torch's
/// repr shows it when set, except Hardswish's and Hardsigmoid's (Quiet).
#define EMBER_INPLACE_FIELDS(X) X(Arg, bool, inplace, false, valid::any, Unless)
struct InplaceOptions {
  EMBER_LAYER_OPTIONS(EMBER_INPLACE_FIELDS)
};
#define EMBER_QUIET_INPLACE_FIELDS(X) X(Arg, bool, inplace, false, valid::any, Quiet)
struct QuietInplaceOptions {
  EMBER_LAYER_OPTIONS(EMBER_QUIET_INPLACE_FIELDS)
};
#define EMBER_INPLACE_ACTIVATION(Name, Opts)                                       \
  using Name##Options = Opts;                                                      \
  class EMBER_API Name : public Layer<Opts> {                                      \
   public:                                                                         \
    explicit Name(Opts options = {}) : Layer(#Name, options) {}                    \
    EMBER_LAYER_SHORT_FORM(Name)                                                   \
    Tensor forward(const Tensor& input) override;                                  \
  };
/// min(max(x, 0), 6).
EMBER_INPLACE_ACTIVATION(ReLU6, InplaceOptions)
/// x * relu6(x + 3) / 6.
EMBER_INPLACE_ACTIVATION(Hardswish, QuietInplaceOptions)
/// relu6(x + 3) / 6.
EMBER_INPLACE_ACTIVATION(Hardsigmoid, QuietInplaceOptions)
/// scale * elu(x, alpha) with the self-normalizing constants.
EMBER_INPLACE_ACTIVATION(SELU, InplaceOptions)
/// x * tanh(softplus(x)).
EMBER_INPLACE_ACTIVATION(Mish, InplaceOptions)
#undef EMBER_INPLACE_ACTIVATION

#define EMBER_CELU_FIELDS(X)                             \
  X(Arg, double, alpha, 1.0, valid::any, Named)          \
  X(Arg, bool, inplace, false, valid::any, Unless)
struct CELUOptions {
  EMBER_LAYER_OPTIONS(EMBER_CELU_FIELDS)
};
/// x for x > 0, alpha * (e^(x / alpha) - 1) otherwise.
class EMBER_API CELU : public Layer<CELUOptions> {
 public:
  explicit CELU(CELUOptions options = {}) : Layer("CELU", options) {}
  EMBER_LAYER_SHORT_FORM(CELU)
  Tensor forward(const Tensor& input) override;
};

#define EMBER_THRESHOLD_FIELDS(X)                          \
  X(Required, double, threshold, 0.0, valid::any, Named)   \
  X(Required, double, value, 0.0, valid::any, Named)       \
  X(Arg, bool, inplace, false, valid::any, Unless)
struct ThresholdOptions {
  EMBER_LAYER_OPTIONS(EMBER_THRESHOLD_FIELDS)
};
/// x where x > threshold, value elsewhere.
class EMBER_API Threshold : public Layer<ThresholdOptions> {
 public:
  explicit Threshold(ThresholdOptions options = {}) : Layer("Threshold", options) {}
  EMBER_LAYER_SHORT_FORM(Threshold)
  Tensor forward(const Tensor& input) override;
};

/// x / (1 + |x|).
class EMBER_API Softsign : public Layer<NoOptions> {
 public:
  explicit Softsign(NoOptions options = {}) : Layer("Softsign", options) {}
  Tensor forward(const Tensor& input) override;
};

/// x - tanh(x).
class EMBER_API Tanhshrink : public Layer<NoOptions> {
 public:
  explicit Tanhshrink(NoOptions options = {}) : Layer("Tanhshrink", options) {}
  Tensor forward(const Tensor& input) override;
};

/// dim unset: PyTorch's legacy choice (0 for 0-, 1- and 3-d inputs, else 1).
#define EMBER_SOFTMAX_FIELDS(X) X(Arg, std::optional<int64_t>, dim, std::nullopt, valid::any, Named)
struct SoftmaxOptions {
  EMBER_LAYER_OPTIONS(EMBER_SOFTMAX_FIELDS)
};
class EMBER_API Softmax : public Layer<SoftmaxOptions> {
 public:
  explicit Softmax(SoftmaxOptions options = {}) : Layer("Softmax", options) {}
  EMBER_LAYER_SHORT_FORM(Softmax)
  Tensor forward(const Tensor& input) override;
};

using LogSoftmaxOptions = SoftmaxOptions;
class EMBER_API LogSoftmax : public Layer<LogSoftmaxOptions> {
 public:
  explicit LogSoftmax(LogSoftmaxOptions options = {}) : Layer("LogSoftmax", options) {}
  EMBER_LAYER_SHORT_FORM(LogSoftmax)
  Tensor forward(const Tensor& input) override;
};

/// softmax(-x) along dim.
using SoftminOptions = SoftmaxOptions;
class EMBER_API Softmin : public Layer<SoftminOptions> {
 public:
  explicit Softmin(SoftminOptions options = {}) : Layer("Softmin", options) {}
  EMBER_LAYER_SHORT_FORM(Softmin)
  Tensor forward(const Tensor& input) override;
};

/// The first half of input along dim times the sigmoid of the second half (dim's size is even).
#define EMBER_GLU_FIELDS(X) X(Arg, int64_t, dim, -1, valid::any, Named)
struct GLUOptions {
  EMBER_LAYER_OPTIONS(EMBER_GLU_FIELDS)
};
class EMBER_API GLU : public Layer<GLUOptions> {
 public:
  explicit GLU(GLUOptions options = {}) : Layer("GLU", options) {}
  EMBER_LAYER_SHORT_FORM(GLU)
  Tensor forward(const Tensor& input) override;
};

/// x where |x| > lambd, 0 elsewhere.
#define EMBER_HARDSHRINK_FIELDS(X) X(Arg, double, lambd, 0.5, valid::any, Bare)
struct HardshrinkOptions {
  EMBER_LAYER_OPTIONS(EMBER_HARDSHRINK_FIELDS)
};
class EMBER_API Hardshrink : public Layer<HardshrinkOptions> {
 public:
  explicit Hardshrink(HardshrinkOptions options = {}) : Layer("Hardshrink", options) {}
  EMBER_LAYER_SHORT_FORM(Hardshrink)
  Tensor forward(const Tensor& input) override;
};

/// x - lambd above lambd, x + lambd below -lambd, 0 between (lambd >= 0).
#define EMBER_SOFTSHRINK_FIELDS(X) X(Arg, double, lambd, 0.5, valid::any, Bare)
struct SoftshrinkOptions {
  EMBER_LAYER_OPTIONS(EMBER_SOFTSHRINK_FIELDS)
};
class EMBER_API Softshrink : public Layer<SoftshrinkOptions> {
 public:
  explicit Softshrink(SoftshrinkOptions options = {}) : Layer("Softshrink", options) {}
  EMBER_LAYER_SHORT_FORM(Softshrink)
  Tensor forward(const Tensor& input) override;
};

/// Softmax over the channels (dim -3) of a (C, H, W) or (N, C, H, W) input.
class EMBER_API Softmax2d : public Layer<NoOptions> {
 public:
  explicit Softmax2d(NoOptions options = {}) : Layer("Softmax2d", options) {}
  Tensor forward(const Tensor& input) override;
};

/// Randomized leaky ReLU: when training, each negative element's slope is drawn uniformly from
/// [lower, upper]; in evaluation the slope is (lower + upper) / 2.
#define EMBER_RRELU_FIELDS(X)                              \
  X(Arg, double, lower, 0.125, valid::any, Named)          \
  X(Arg, double, upper, 1.0 / 3.0, valid::any, Named)      \
  X(Arg, bool, inplace, false, valid::any, Unless)
struct RReLUOptions {
  EMBER_LAYER_OPTIONS(EMBER_RRELU_FIELDS)
};
class EMBER_API RReLU : public Layer<RReLUOptions> {
 public:
  explicit RReLU(RReLUOptions options = {}) : Layer("RReLU", options) {}
  EMBER_LAYER_SHORT_FORM(RReLU)
  Tensor forward(const Tensor& input) override;
};

/// The perceptron's step: -1, 0 or 1 by the sign of x. Its gradient is zero (as torch.sign's),
/// or with straight_through the identity (the straight-through estimator), which lets a
/// network with sign units train by backpropagation.
#define EMBER_SIGN_FIELDS(X) X(Arg, bool, straight_through, false, valid::any, Unless)
struct SignOptions {
  EMBER_LAYER_OPTIONS(EMBER_SIGN_FIELDS)
};
class EMBER_API Sign : public Layer<SignOptions> {
 public:
  explicit Sign(SignOptions options = {}) : Layer("Sign", options) {}
  EMBER_LAYER_SHORT_FORM(Sign)
  Tensor forward(const Tensor& input) override;
};

/// The dim softmax takes when none is given.
EMBER_API int64_t legacy_softmax_dim(int64_t ndim);

}  // namespace ember::nn

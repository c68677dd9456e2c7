#pragma once
// Padding layers, as torch.nn's: ZeroPad, ConstantPad, ReflectionPad, ReplicationPad and
// CircularPad over the last one (1d), two (2d) or three (3d) dims, each forwarding to
// functional::pad. The padding is kept as PyTorch keeps it: an int becomes a tuple of 2, 4 or 6
// sizes (left, right[, top, bottom[, front, back]]); a tuple stays as given. Header-only.
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "ember/nn/functional.h"
#include "ember/nn/layer.h"

namespace ember::nn {

/// ZeroPad, ReflectionPad, ReplicationPad and CircularPad: the padding alone, shown bare.
#define EMBER_PAD_FIELDS(X) X(Required, Sizes, padding, {}, valid::any, Bare)
struct PadOptions {
  EMBER_LAYER_OPTIONS(EMBER_PAD_FIELDS)
};
/// ConstantPad: the padding and the value it fills with.
#define EMBER_CONSTANT_PAD_FIELDS(X)                           \
  X(Required, Sizes, padding, {}, valid::any, Named)           \
  X(Required, double, value, 0.0, valid::any, Named)
struct ConstantPadOptions {
  EMBER_LAYER_OPTIONS(EMBER_CONSTANT_PAD_FIELDS)
};

/// What the padding layers share: the padding made a tuple of 2 * dims sizes when given as an
/// int, and forward = functional::pad(input, padding, mode, value).
template <class O>
class PadLayer : public Layer<O> {
 public:
  Tensor forward(const Tensor& input) override {
    std::optional<double> value;
    if constexpr (std::is_same_v<O, ConstantPadOptions>) value = this->options.value;
    else if (std::string_view(mode_) == "constant") value = 0.0;
    return functional::pad(input, this->options.padding, mode_, value);
  }

 protected:
  PadLayer(std::string type_name, O options, size_t dims, const char* mode)
      : Layer<O>(std::move(type_name), std::move(options)), mode_(mode) {
    Sizes& padding = this->options.padding;
    if (padding.spelling == Sizes::Spelling::Int) padding.dims.assign(2 * dims, padding.dims.at(0));
    padding.spelling = Sizes::Spelling::Tuple;  // PyTorch's _pair / _quadruple keep a tuple
  }

 private:
  const char* mode_;
};

#define EMBER_PAD_LAYER(Cls, Opts, dims, mode)                                                 \
  using Cls##Options = Opts;                                                                  \
  class EMBER_API Cls : public PadLayer<Opts> {                                               \
   public:                                                                                    \
    explicit Cls(Opts options = {}) : PadLayer(#Cls, std::move(options), dims, mode) {}       \
    EMBER_LAYER_SHORT_FORM(Cls)                                                               \
  };

EMBER_PAD_LAYER(ZeroPad1d, PadOptions, 1, "constant")
EMBER_PAD_LAYER(ZeroPad2d, PadOptions, 2, "constant")
EMBER_PAD_LAYER(ConstantPad1d, ConstantPadOptions, 1, "constant")
EMBER_PAD_LAYER(ConstantPad2d, ConstantPadOptions, 2, "constant")
EMBER_PAD_LAYER(ReflectionPad1d, PadOptions, 1, "reflect")
EMBER_PAD_LAYER(ReflectionPad2d, PadOptions, 2, "reflect")
EMBER_PAD_LAYER(ReplicationPad1d, PadOptions, 1, "replicate")
EMBER_PAD_LAYER(ReplicationPad2d, PadOptions, 2, "replicate")
EMBER_PAD_LAYER(CircularPad1d, PadOptions, 1, "circular")
EMBER_PAD_LAYER(CircularPad2d, PadOptions, 2, "circular")
EMBER_PAD_LAYER(ZeroPad3d, PadOptions, 3, "constant")
EMBER_PAD_LAYER(ConstantPad3d, ConstantPadOptions, 3, "constant")
EMBER_PAD_LAYER(ReflectionPad3d, PadOptions, 3, "reflect")
EMBER_PAD_LAYER(ReplicationPad3d, PadOptions, 3, "replicate")
EMBER_PAD_LAYER(CircularPad3d, PadOptions, 3, "circular")
#undef EMBER_PAD_LAYER

}  // namespace ember::nn

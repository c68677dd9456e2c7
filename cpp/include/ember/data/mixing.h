#pragma once
// Label mixing, as torchvision.transforms.v2's CutMix and MixUp, and CowMix (French et al.,
// "Milking CowMask for semi-supervised image classification"): called on (images, labels), each
// image i is mixed with image i - 1 (the batch rolled by one) and its label with theirs, weighted
// by the share of image i that stays. Each image draws its own parameters (torchvision's draw
// once per batch).
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "ember/data/transform.h"

namespace ember::transforms {

// The label rows every mixing transform has: num_classes (needed for index labels (N,); taken
// from (N, num_classes) probability labels when None) and labels_getter (only 'default', the
// second argument, is taken).
#define EMBER_MIX_LABEL_FIELDS(X, op)                                                                   \
  X(Kw, std::optional<int64_t>, num_classes, std::nullopt,                                             \
    valid::none_or(valid::at_least(1, op ": num_classes must be at least 1, got ")), Unless)           \
  X(Kw, std::string, labels_getter, "default",                                                         \
    valid::word("default", op ": only labels_getter='default' (the second argument) is supported"), Quiet)
#define EMBER_MIX_ALPHA_FIELD(X, op)                                                                    \
  X(Kw, double, alpha, 1.0,                                                                            \
    valid::holds([](double a) { return a > 0 && a < INFINITY; }, op ": alpha must be a positive number, got "), Named)

/// MixUp (Zhang et al.): image i becomes lam x_i + (1 - lam) x_{i-1}, lam ~ Beta(alpha, alpha).
#define EMBER_MIXUP_FIELDS(X) EMBER_MIX_ALPHA_FIELD(X, "MixUp") EMBER_MIX_LABEL_FIELDS(X, "MixUp")
/// CutMix (Yun et al.): a box of area about (1 - lam) of image i, lam ~ Beta(alpha, alpha),
/// taken from image i - 1; the label weight is the box's actual share (torchvision's lam_adjusted).
#define EMBER_CUTMIX_FIELDS(X) EMBER_MIX_ALPHA_FIELD(X, "CutMix") EMBER_MIX_LABEL_FIELDS(X, "CutMix")
/// CowMix: per image, N(0, 1) noise per pixel smoothed by a Gaussian of sigma (pixels) drawn
/// log-uniformly from `sigma`, thresholded at mean + sqrt(2) std erfinv(2p - 1) so that about a
/// proportion p (uniform in `p`) of the pixels keep image i, the rest taking image i - 1; the
/// label weight is the mask's actual kept share.
#define EMBER_COWMIX_FIELDS(X)                                                                          \
  X(Kw, Numbers, sigma, (Numbers(std::vector<double>{4.0, 16.0})),                                    \
    [](const Numbers& v) { detail::check_mix_range(v, "sigma", false); }, Named)                       \
  X(Kw, Numbers, p, (Numbers(std::vector<double>{0.2, 0.8})), [](const Numbers& v) { detail::check_mix_range(v, "p", true); }, \
    Named)                                                                                             \
  EMBER_MIX_LABEL_FIELDS(X, "CowMix")

namespace detail {
EMBER_API void check_mix_range(const Numbers& v, const char* name, bool proportion);
}

struct MixUpOptions {
  EMBER_LAYER_OPTIONS(EMBER_MIXUP_FIELDS)
};
struct CutMixOptions {
  EMBER_LAYER_OPTIONS(EMBER_CUTMIX_FIELDS)
};
struct CowMixOptions {
  EMBER_LAYER_OPTIONS(EMBER_COWMIX_FIELDS)
};

/// A mixing transform: forward(images, labels) -> (mixed images, soft labels (N, num_classes)).
/// Images (N, ..., C, H, W), float or uint8 (MixUp rounds uint8 to the nearest integer); labels
/// int64 (N,) or probabilities (N, num_classes).
template <class O>
class MixLayer : public Transform<O> {
 public:
  using Transform<O>::Transform;
  virtual std::pair<Tensor, Tensor> mix(const Tensor& images, const Tensor& labels) = 0;
  /// One tensor in: refused, a mixing transform needs the labels too.
  Tensor forward(const Tensor& input) override {
    EMBER_CHECK_TYPE(false, this->type_name(), ": expected (images, labels), got one tensor of shape ",
                     shape_str(input.sizes()));
    return input;
  }
};

class EMBER_API MixUp : public MixLayer<MixUpOptions> {
 public:
  explicit MixUp(MixUpOptions options = {}) : MixLayer("MixUp", options) {}
  std::pair<Tensor, Tensor> mix(const Tensor& images, const Tensor& labels) override;
};
class EMBER_API CutMix : public MixLayer<CutMixOptions> {
 public:
  explicit CutMix(CutMixOptions options = {}) : MixLayer("CutMix", options) {}
  std::pair<Tensor, Tensor> mix(const Tensor& images, const Tensor& labels) override;
};
class EMBER_API CowMix : public MixLayer<CowMixOptions> {
 public:
  explicit CowMix(CowMixOptions options = {}) : MixLayer("CowMix", std::move(options)) {}
  std::pair<Tensor, Tensor> mix(const Tensor& images, const Tensor& labels) override;
};

}  // namespace ember::transforms

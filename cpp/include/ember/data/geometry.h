#pragma once
// Geometric transforms of ember.transforms (torchvision.transforms.v2's): flips, crops, resizing
// and affine warps, each a batched kernel over (..., C, H, W) images (ember/data/transform.h).
#include "ember/data/transform.h"

namespace ember::transforms {

/// Flips each image left to right with probability p, each image drawing its own coin.
#define EMBER_RANDOM_HORIZONTAL_FLIP_FIELDS(X) EMBER_TRANSFORM_P_FIELD(X, "RandomHorizontalFlip: ")
struct RandomHorizontalFlipOptions {
  EMBER_LAYER_OPTIONS(EMBER_RANDOM_HORIZONTAL_FLIP_FIELDS)
};
class EMBER_API RandomHorizontalFlip : public Transform<RandomHorizontalFlipOptions> {
 public:
  explicit RandomHorizontalFlip(RandomHorizontalFlipOptions options = {})
      : Transform("RandomHorizontalFlip", options) {}
  EMBER_LAYER_SHORT_FORM(RandomHorizontalFlip)
  Tensor forward(const Tensor& input) override;
};

/// Flips each image top to bottom with probability p, each image drawing its own coin.
#define EMBER_RANDOM_VERTICAL_FLIP_FIELDS(X) EMBER_TRANSFORM_P_FIELD(X, "RandomVerticalFlip: ")
struct RandomVerticalFlipOptions {
  EMBER_LAYER_OPTIONS(EMBER_RANDOM_VERTICAL_FLIP_FIELDS)
};
class EMBER_API RandomVerticalFlip : public Transform<RandomVerticalFlipOptions> {
 public:
  explicit RandomVerticalFlip(RandomVerticalFlipOptions options = {}) : Transform("RandomVerticalFlip", options) {}
  EMBER_LAYER_SHORT_FORM(RandomVerticalFlip)
  Tensor forward(const Tensor& input) override;
};

}  // namespace ember::transforms

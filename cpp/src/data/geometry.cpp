// Kernels of the geometric transforms (ember/data/geometry.h): per-image parameters drawn
// first, then the images in parallel.
#include "ember/data/geometry.h"

#include <cstring>

#include "data/images.h"

namespace ember::transforms {

namespace {
/// Copies each image, mirrored left-right (horizontal) or top-bottom where flip[i] says so.
Tensor flip_images(const Tensor& input, double p, Generator* gen, bool horizontal, const char* op) {
  const ImageBatch b = image_batch(input, op);
  const std::vector<char> flip = draw_per_image<char>(b.n, gen, [&](Generator& g) { return g.next_double() < p; });
  Tensor out = b.empty(b.h, b.w);
  visit_all_dtypes(b.images.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(b.images.raw_data());
    T* y = static_cast<T*>(out.raw_data());
    const int64_t plane = b.h * b.w, image = b.c * plane;
    for_each_image(b.n, image, [&](int64_t i) {
      const T* xi = x + i * image;
      T* yi = y + i * image;
      if (!flip[i]) {
        std::memcpy(yi, xi, sizeof(T) * image);
        return;
      }
      for (int64_t r = 0; r < b.c * b.h; ++r) {
        const int64_t src_row = horizontal ? r : (r / b.h) * b.h + (b.h - 1 - r % b.h);
        const T* src = xi + src_row * b.w;
        T* dst = yi + r * b.w;
        if (horizontal) std::reverse_copy(src, src + b.w, dst);
        else std::memcpy(dst, src, sizeof(T) * b.w);
      }
    });
  });
  return b.restore(out);
}
}  // namespace

Tensor RandomHorizontalFlip::forward(const Tensor& input) {
  return flip_images(input, options.p, generator, true, "RandomHorizontalFlip");
}
Tensor RandomVerticalFlip::forward(const Tensor& input) {
  return flip_images(input, options.p, generator, false, "RandomVerticalFlip");
}

}  // namespace ember::transforms

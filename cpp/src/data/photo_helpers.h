#pragma once
// TEMPORARY stand-ins for ember/data/transform.h (h-geom's); replaced after the merge.
#include <mutex>
#include <vector>

#include "../cpu/threads.h"
#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/ops.h"
#include "ember/random.h"

namespace ember::transforms {

struct ImageBatch {
  Tensor images;  // (N, C, H, W)
  Shape shape;    // the input's
  int64_t n = 0, c = 0, h = 0, w = 0;
  Tensor restore(const Tensor& out) const { return reshape(out, shape); }
};

inline ImageBatch image_batch(const Tensor& x, const char* op) {
  EMBER_CHECK(x.dim() >= 3, op, ": expected an image (C, H, W) or a batch (..., C, H, W), got shape ",
              shape_str(x.sizes()));
  ImageBatch b;
  b.shape = x.sizes();
  b.c = x.size(-3), b.h = x.size(-2), b.w = x.size(-1);
  b.n = b.c * b.h * b.w == 0 ? 0 : x.numel() / (b.c * b.h * b.w);
  int64_t n = 1;
  for (int64_t d = 0; d < x.dim() - 3; ++d) n *= x.size(d);
  b.n = n;
  b.images = reshape(x, {n, b.c, b.h, b.w});
  return b;
}

inline void refuse_grad(const Tensor& x, const char* op) {
  EMBER_CHECK_RUNTIME(!(x.requires_grad() && autograd::is_grad_enabled()), op,
                      ": the input requires grad, and this transform is not differentiable (apply it to data, or "
                      "detach the input first); input of shape ", shape_str(x.sizes()));
}

template <class P, class Draw>
std::vector<P> draw_per_image(int64_t n, Draw draw) {
  Generator& gen = default_generator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  std::vector<P> out;
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i) out.push_back(draw(gen));
  return out;
}

template <class F>
void for_each_image(int64_t n, F f) {
  const int threads = n > 1 ? cpu::num_threads() : 1;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (int64_t i = 0; i < n; ++i) f(i);
}

}  // namespace ember::transforms

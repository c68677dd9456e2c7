// MixUp, CutMix and CowMix: each image's lambda, box or mask parameters drawn serially, then the
// images mixed with the rolled batch in parallel.
#include "ember/data/mixing.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "../elementwise_fn.h"
#include "data/images.h"
#include "ember/autograd.h"
#include "ember/ops.h"

namespace ember::transforms {

namespace detail {
void check_mix_range(const Numbers& v, const char* name, bool proportion) {
  rule::sequence(v, "CowMix", name, {2});
  const double lo = v[0], hi = v[1];
  if (proportion)
    EMBER_CHECK(0 <= lo && lo <= hi && hi <= 1, "CowMix: p should be (min, max) with 0 <= min <= max <= 1, got (",
                nn::repr_float(lo), ", ", nn::repr_float(hi), ")");
  else
    EMBER_CHECK(0 < lo && lo <= hi && hi < INFINITY, "CowMix: sigma should be (min, max) with 0 < min <= max, got (",
                nn::repr_float(lo), ", ", nn::repr_float(hi), ")");
}
}  // namespace detail

namespace {

/// Gamma(shape, 1) from gen (Marsaglia and Tsang; a shape below 1 boosted by U^(1/shape)).
double sample_gamma(Generator& gen, double shape) {
  if (shape < 1) {
    double u;
    do u = gen.next_double();
    while (u <= 0.0);
    return sample_gamma(gen, shape + 1) * std::exp(std::log(u) / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = gen.next_normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = gen.next_double();
    if (u < 1.0 - 0.0331 * (x * x) * (x * x)) return d * v;
    if (u > 0.0 && std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

/// Beta(a, a) as X / (X + Y), X and Y ~ Gamma(a) (torch.distributions.Beta's construction).
double sample_beta(Generator& gen, double a) {
  const double x = sample_gamma(gen, a), y = sample_gamma(gen, a);
  if (x + y == 0) return gen.next_double() < 0.5 ? 1.0 : 0.0;  // both underflowed: tiny alpha, mass at 0 and 1
  return x / (x + y);
}

/// The checks torchvision's _BaseMixUpCutMix makes, and the labels as (N, K) probabilities.
Tensor soft_labels(const Tensor& images, const Tensor& labels, const std::optional<int64_t>& num_classes,
                   const char* op) {
  EMBER_CHECK(labels.dim() == 1 || labels.dim() == 2, op, ": labels should be index based with shape (batch_size,) "
              "or probability based with shape (batch_size, num_classes), but got a tensor of shape ",
              shape_str(labels.sizes()), " instead.");
  EMBER_CHECK(images.dim() >= 4, op, ": expected a batched input with 4 dims (N, C, H, W), but got ", images.dim(),
              " dimensions instead (shape ", shape_str(images.sizes()), ").");
  EMBER_CHECK(images.size(0) == labels.size(0), op, ": the batch size of the images does not match the batch size "
              "of the labels: ", images.size(0), " != ", labels.size(0), " (images ", shape_str(images.sizes()),
              ", labels ", shape_str(labels.sizes()), ").");
  if (labels.dim() == 2) {
    EMBER_CHECK(!num_classes || labels.size(1) == *num_classes, op, ": when passing 2D labels, the number of "
                "elements in last dimension must match num_classes: ", labels.size(1), " != ", *num_classes,
                ". You can leave num_classes to None.");
    return is_floating(labels.dtype()) ? labels : to_dtype(labels, DType::Float32);  // as torchvision's label.float()
  }
  EMBER_CHECK(num_classes.has_value(), op, ": num_classes must be passed if the labels are index-based (1D)");
  EMBER_CHECK_RUNTIME(labels.dtype() == DType::Int64, op, ": index labels must be int64 (one_hot is only applicable "
                      "to index tensor), got ", dtype_name(labels.dtype()));
  const Tensor l = contiguous(labels);
  const int64_t* v = l.data<int64_t>();
  for (int64_t i = 0; i < l.numel(); ++i)
    EMBER_CHECK_RUNTIME(0 <= v[i] && v[i] < *num_classes, op, ": class values must be in [0, num_classes = ",
                        *num_classes, "), got ", v[i], " at index ", i);
  Tensor out = zeros({l.numel(), *num_classes}, DType::Float32);
  float* o = out.data<float>();
  for (int64_t i = 0; i < l.numel(); ++i) o[i * *num_classes + v[i]] = 1;
  return out;
}

/// weight_i y_i + (1 - weight_i) y_{i-1}, written with ember ops (differentiable in the labels).
Tensor mix_labels(const Tensor& y, const std::vector<double>& weight) {
  const int64_t n = y.size(0);
  Tensor w = Tensor::empty({n, 1}, y.dtype());
  visit_floating(y.dtype(), "mix labels", [&](auto tag) {
    using T = decltype(tag);
    for (int64_t i = 0; i < n; ++i) w.data<T>()[i] = static_cast<T>(weight[i]);
  });
  return add(mul(y, w), mul(roll(y, {1}, {0}), sub(scalar_tensor(1.0, y.dtype()), w)));
}

/// Image i keeps x_i where its mask is 1 and takes x_{i-1} elsewhere; mask(i, m) fills m (h w
/// bytes, one per pixel). Or, with `blend`, lam_i x_i + (1 - lam_i) x_{i-1} everywhere. The input
/// requiring grad, the same in ember ops.
template <class Mask>
Tensor mix_images(const Tensor& images, const char* op, const std::vector<double>* blend, Mask mask_of) {
  const int64_t n = images.size(0), h = images.size(-2), w = images.size(-1), hw = h * w;
  const int64_t planes = n == 0 ? 0 : images.numel() / (n * std::max<int64_t>(hw, 1));  // C (and more) per image
  if (images.requires_grad() && autograd::is_grad_enabled()) {
    EMBER_CHECK_TYPE(is_floating(images.dtype()), op, ": expected float images, got ", dtype_name(images.dtype()));
    Shape shape(images.dim(), 1);
    shape[0] = n;
    if (blend) {
      Tensor lam = Tensor::empty(shape, images.dtype());
      visit_floating(images.dtype(), op, [&](auto tag) {
        for (int64_t i = 0; i < n; ++i) lam.data<decltype(tag)>()[i] = static_cast<decltype(tag)>((*blend)[i]);
      });
      return add(mul(images, lam), mul(roll(images, {1}, {0}), sub(scalar_tensor(1.0, images.dtype()), lam)));
    }
    shape[images.dim() - 2] = h, shape[images.dim() - 1] = w;
    Tensor mask = Tensor::empty(shape, DType::Bool);
    bool* m = mask.data<bool>();
    std::vector<uint8_t> one;
    for (int64_t i = 0; i < n; ++i) {
      mask_of(i, one);
      for (int64_t k = 0; k < hw; ++k) m[i * hw + k] = one[k] != 0;
    }
    return where(mask, images, roll(images, {1}, {0}));
  }
  const Tensor x = contiguous(images);
  Tensor out = Tensor::empty(images.sizes(), images.dtype());
  const int64_t per = planes * hw;
  visit_image_dtype(images.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    const T* src = x.data<T>();
    T* dst = out.data<T>();
    for_each_image(n, per, [&](int64_t i) {
      const T* a = src + i * per;
      const T* b = src + ((i + n - 1) % n) * per;
      T* o = dst + i * per;
      if (blend) {
        using F = std::conditional_t<std::is_same_v<T, double>, double, float>;
        const F lam = static_cast<F>((*blend)[i]), rest = static_cast<F>(1.0 - (*blend)[i]);
        for (int64_t k = 0; k < per; ++k) o[k] = to_pixel<T>(a[k] * lam + b[k] * rest);
        return;
      }
      std::vector<uint8_t> keep;
      mask_of(i, keep);
      for (int64_t p = 0; p < planes; ++p)
        for (int64_t k = 0; k < hw; ++k) o[p * hw + k] = keep[k] ? a[p * hw + k] : b[p * hw + k];
    });
  });
  return out;
}

}  // namespace

// ---- MixUp ----------------------------------------------------------------------------------

std::pair<Tensor, Tensor> MixUp::mix(const Tensor& images, const Tensor& labels) {
  const Tensor y = soft_labels(images, labels, options.num_classes, "MixUp");
  const double alpha = options.alpha;
  const std::vector<double> lam =
      draw_per_image<double>(images.size(0), generator, [&](Generator& g) { return sample_beta(g, alpha); });
  Tensor out = mix_images(images, "MixUp", &lam, [](int64_t, std::vector<uint8_t>&) {});
  return {out, mix_labels(y, lam)};
}

// ---- CutMix ---------------------------------------------------------------------------------

namespace {
struct Box {
  int64_t x1, y1, x2, y2;
};
}  // namespace

std::pair<Tensor, Tensor> CutMix::mix(const Tensor& images, const Tensor& labels) {
  const Tensor y = soft_labels(images, labels, options.num_classes, "CutMix");
  const int64_t n = images.size(0), H = images.size(-2), W = images.size(-1);
  EMBER_CHECK(H > 0 && W > 0, "CutMix: expected images of positive height and width, got shape ", shape_str(images.sizes()));
  const double alpha = options.alpha;
  // torchvision's draw, per image: lam, the box centre (x, then y), the box clipped to the image.
  const std::vector<Box> boxes = draw_per_image<Box>(n, generator, [&](Generator& g) {
    const double lam = sample_beta(g, alpha);
    const int64_t rx = randint(g, 0, W), ry = randint(g, 0, H);
    const double r = 0.5 * std::sqrt(1.0 - lam);
    const auto rw = static_cast<int64_t>(r * W), rh = static_cast<int64_t>(r * H);
    return Box{std::max<int64_t>(rx - rw, 0), std::max<int64_t>(ry - rh, 0), std::min(rx + rw, W), std::min(ry + rh, H)};
  });
  std::vector<double> kept(n);
  for (int64_t i = 0; i < n; ++i) {
    const Box& b = boxes[i];
    kept[i] = 1.0 - static_cast<double>((b.x2 - b.x1) * (b.y2 - b.y1)) / static_cast<double>(W * H);
  }
  Tensor out = mix_images(images, "CutMix", nullptr, [&](int64_t i, std::vector<uint8_t>& keep) {
    const Box& b = boxes[i];
    keep.assign(H * W, 1);
    for (int64_t py = b.y1; py < b.y2; ++py) std::fill(keep.begin() + py * W + b.x1, keep.begin() + py * W + b.x2, 0);
  });
  return {out, mix_labels(y, kept)};
}

// ---- CowMix ---------------------------------------------------------------------------------

namespace {

struct CowDraw {
  double sigma, p;
  uint64_t seed;
};

/// The weights of a 1-d Gaussian blur of a length-n signal (radius 4 sigma, normalized, borders
/// reflected as scipy's mode='reflect'): row o holds the weights of inputs lo[o]..hi[o].
struct Blur {
  int64_t n;
  std::vector<int64_t> lo, hi;
  std::vector<float> weights;  // n x n, zero outside each row's span
  Blur(int64_t n_, double sigma) : n(n_), lo(n_), hi(n_), weights(n_ * n_, 0.0f) {
    const auto radius = static_cast<int64_t>(std::ceil(4 * sigma));
    std::vector<double> g(2 * radius + 1);
    double total = 0;
    for (int64_t k = -radius; k <= radius; ++k) total += g[k + radius] = std::exp(-0.5 * double(k * k) / (sigma * sigma));
    const auto fold = [&](int64_t j) {  // d c b a | a b c d | d c b a, repeating
      const int64_t m = ((j % (2 * n)) + 2 * n) % (2 * n);
      return m < n ? m : 2 * n - 1 - m;
    };
    for (int64_t o = 0; o < n; ++o) {
      lo[o] = n, hi[o] = -1;
      for (int64_t k = -radius; k <= radius; ++k) {
        const int64_t j = fold(o + k);
        weights[o * n + j] += static_cast<float>(g[k + radius] / total);
        lo[o] = std::min(lo[o], j), hi[o] = std::max(hi[o], j);
      }
    }
  }
};

/// One CowMask (h x w, 1 = keep): smoothed noise at or below its p-quantile under a normal fit.
void cow_mask(const CowDraw& d, int64_t h, int64_t w, std::vector<uint8_t>& mask) {
  Generator gen(d.seed);
  std::vector<float> noise(h * w), rows(h * w), smooth(h * w, 0.0f);
  for (float& v : noise) v = static_cast<float>(gen.next_normal());
  const Blur bw(w, d.sigma), bh(h, d.sigma);
  for (int64_t y = 0; y < h; ++y)  // along each row
    for (int64_t o = 0; o < w; ++o) {
      float s = 0;
      for (int64_t j = bw.lo[o]; j <= bw.hi[o]; ++j) s += bw.weights[o * w + j] * noise[y * w + j];
      rows[y * w + o] = s;
    }
  for (int64_t o = 0; o < h; ++o)  // then along each column
    for (int64_t i = bh.lo[o]; i <= bh.hi[o]; ++i) {
      const float wt = bh.weights[o * h + i];
      for (int64_t x = 0; x < w; ++x) smooth[o * w + x] += wt * rows[i * w + x];
    }
  double sum = 0, sq = 0;
  for (float v : smooth) sum += v;
  const double mean = sum / double(h * w);
  for (float v : smooth) sq += (v - mean) * (v - mean);
  const double std = std::sqrt(sq / double(h * w));
  const double tau = mean + std::sqrt(2.0) * std * ember_erfinv(2 * d.p - 1);
  mask.resize(h * w);
  for (int64_t k = 0; k < h * w; ++k) mask[k] = smooth[k] <= tau;
}

}  // namespace

std::pair<Tensor, Tensor> CowMix::mix(const Tensor& images, const Tensor& labels) {
  const Tensor y = soft_labels(images, labels, options.num_classes, "CowMix");
  const int64_t n = images.size(0), H = images.size(-2), W = images.size(-1);
  const double ls0 = std::log(options.sigma[0]), ls1 = std::log(options.sigma[1]);
  const double p0 = options.p[0], p1 = options.p[1];
  const std::vector<CowDraw> draws = draw_per_image<CowDraw>(n, generator, [&](Generator& g) {
    CowDraw d;
    d.sigma = std::exp(uniform(g, ls0, ls1));
    d.p = uniform(g, p0, p1);
    d.seed = g.next_u64();
    return d;
  });
  std::vector<std::vector<uint8_t>> masks(n);
  for_each_image(n, H * W * 64, [&](int64_t i) { cow_mask(draws[i], H, W, masks[i]); });
  std::vector<double> kept(n);
  for (int64_t i = 0; i < n; ++i)
    kept[i] = H * W == 0 ? 1.0 : static_cast<double>(std::count(masks[i].begin(), masks[i].end(), 1)) / double(H * W);
  Tensor out = mix_images(images, "CowMix", nullptr, [&](int64_t i, std::vector<uint8_t>& keep) { keep = masks[i]; });
  return {out, mix_labels(y, kept)};
}

}  // namespace ember::transforms

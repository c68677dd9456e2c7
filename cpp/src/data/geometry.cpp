// Kernels of the geometric transforms (ember/data/geometry.h): per-image parameters drawn
// first, then the images in parallel.
#include "ember/data/geometry.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>

#include "data/images.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"

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

// ---- crops -----------------------------------------------------------------------------------

namespace {
enum class PadMode { Constant, Edge, Reflect, Symmetric };
PadMode pad_mode(const std::string& mode, const char* op) {
  rule::padding_mode(op)(mode);
  return mode == "edge" ? PadMode::Edge : mode == "reflect" ? PadMode::Reflect
                                        : mode == "symmetric" ? PadMode::Symmetric : PadMode::Constant;
}

/// Index i of a line of n pixels, extended past its ends as the mode pads (numpy.pad's modes,
/// repeating for any width); -1 where constant padding puts the fill.
int64_t padded_index(int64_t i, int64_t n, PadMode mode) {
  if (0 <= i && i < n) return i;
  switch (mode) {
    case PadMode::Constant: return -1;
    case PadMode::Edge: return i < 0 ? 0 : n - 1;
    case PadMode::Reflect: {
      if (n == 1) return 0;
      const int64_t period = 2 * (n - 1), m = ((i % period) + period) % period;
      return m < n ? m : period - m;
    }
    case PadMode::Symmetric: {
      const int64_t period = 2 * n, m = ((i % period) + period) % period;
      return m < n ? m : period - 1 - m;
    }
  }
  return -1;
}

/// Where an image's crop starts, in its own rows and columns (negative, or past its end: padding).
struct Window {
  int64_t top, left;
};

/// Each image's (oh, ow) window at[i] of the image extended by the padding mode.
Tensor crop_windows(const ImageBatch& b, const std::vector<Window>& at, int64_t oh, int64_t ow, PadMode mode,
                    const std::vector<double>& fill, const char* op) {
  Tensor out = b.empty(oh, ow);
  visit_image_dtype(b.images.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    std::vector<T> fills;
    for (double f : fill) fills.push_back(to_pixel<T>(f));
    const T* x = static_cast<const T*>(b.images.raw_data());
    T* y = static_cast<T*>(out.raw_data());
    for_each_image(b.n, b.c * oh * ow, [&](int64_t i) {
      const int64_t top = at[i].top, left = at[i].left;
      // Output columns [x0, x1) read the image's row straight; the others are padding.
      const int64_t x0 = std::clamp<int64_t>(-left, 0, ow), x1 = std::clamp<int64_t>(b.w - left, x0, ow);
      for (int64_t c = 0; c < b.c; ++c) {
        const T* plane = x + (i * b.c + c) * b.h * b.w;
        for (int64_t r = 0; r < oh; ++r) {
          T* row = y + ((i * b.c + c) * oh + r) * ow;
          const int64_t sr = padded_index(top + r, b.h, mode);
          if (sr < 0) {
            std::fill(row, row + ow, fills[c]);
            continue;
          }
          const T* src = plane + sr * b.w;
          auto pad = [&](int64_t from, int64_t to) {
            for (int64_t xx = from; xx < to; ++xx) {
              const int64_t sc = padded_index(left + xx, b.w, mode);
              row[xx] = sc < 0 ? fills[c] : src[sc];
            }
          };
          pad(0, x0);
          if (x1 > x0) std::memcpy(row + x0, src + left + x0, sizeof(T) * (x1 - x0));
          pad(x1, ow);
        }
      }
    });
  });
  return out;
}

/// Checks only the rank (crops made of views keep their gradient).
void check_rank(const Tensor& input, const char* op) {
  EMBER_CHECK(input.dim() >= 2, op, ": expected an image (C, H, W) or (H, W) or a batch of images (..., C, H, W), "
              "got shape ", shape_str(input.sizes()));
}

/// torchvision's center_crop: zero padding where the crop is larger, then the centered window
/// (its corner rounded half to even, as Python's round); a view where nothing is padded.
Tensor center_crop(const Tensor& input, int64_t ch, int64_t cw) {
  Tensor img = input;
  int64_t h = input.size(-2), w = input.size(-1);
  if (ch > h || cw > w) {
    const int64_t pw = std::max<int64_t>(cw - w, 0), ph = std::max<int64_t>(ch - h, 0);
    img = nn::functional::pad(input, {pw / 2, (pw + 1) / 2, ph / 2, (ph + 1) / 2}, "constant", 0.0);
    h = img.size(-2), w = img.size(-1);
  }
  const auto top = static_cast<int64_t>(std::nearbyint((h - ch) / 2.0));
  const auto left = static_cast<int64_t>(std::nearbyint((w - cw) / 2.0));
  return narrow(narrow(img, -2, top, ch), -1, left, cw);
}

/// torchvision's five_crop: the corners, then the center.
std::vector<Tensor> five_crops(const Tensor& input, const Sizes& size, const char* op) {
  check_rank(input, op);
  const auto [ch, cw] = size_hw(size);
  const int64_t h = input.size(-2), w = input.size(-1);
  EMBER_CHECK(ch <= h && cw <= w, op, ": Requested crop size ", nn::repr_value(size), " is bigger than input size (", h,
              ", ", w, ")");
  auto crop = [&](int64_t top, int64_t left) { return narrow(narrow(input, -2, top, ch), -1, left, cw); };
  return {crop(0, 0), crop(0, w - cw), crop(h - ch, 0), crop(h - ch, w - cw), center_crop(input, ch, cw)};
}
}  // namespace

RandomCrop::RandomCrop(RandomCropOptions o) : Transform("RandomCrop", std::move(o)) {
  options.size = setup_size(options.size);
  // Kept as torchvision keeps it: [left, right, top, bottom]; padding 0 is no padding.
  if (options.padding && !options.padding_kept) {
    const Shape& p = options.padding->dims;
    if (options.padding->spelling == Sizes::Spelling::Int && p[0] == 0) options.padding.reset();
    else if (p.size() == 1) options.padding = Sizes({p[0], p[0], p[0], p[0]});
    else if (p.size() == 2) options.padding = Sizes({p[0], p[0], p[1], p[1]});
    else options.padding = Sizes({p[0], p[2], p[1], p[3]});
    if (options.padding) options.padding->spelling = Sizes::Spelling::List;
  }
  options.padding_kept = true;
}

Tensor RandomCrop::forward(const Tensor& input) {
  const char* op = "RandomCrop";
  const PadMode mode = pad_mode(options.padding_mode, op);
  const ImageBatch b = image_batch(input, op);
  EMBER_CHECK(mode == PadMode::Constant || (b.h > 0 && b.w > 0), op, ": padding_mode ", options.padding_mode,
              " extends the image's own pixels, but the images are empty (", b.h, ", ", b.w, ")");
  const auto [ch, cw] = size_hw(options.size);
  int64_t pl = 0, pr = 0, pt = 0, pb = 0;
  if (options.padding) {
    const Shape& p = options.padding->dims;  // [left, right, top, bottom], or one amount for all
    pl = p.at(0), pr = p.size() > 1 ? p[1] : pl, pt = p.size() > 2 ? p[2] : pl, pb = p.size() > 3 ? p[3] : pt;
  }
  int64_t ph = b.h + pt + pb, pw = b.w + pl + pr;
  if (options.pad_if_needed) {
    if (ph < ch) pt += ch - ph, pb += ch - ph, ph += 2 * (ch - ph);
    if (pw < cw) pl += cw - pw, pr += cw - pw, pw += 2 * (cw - pw);
  }
  EMBER_CHECK(ph >= ch && pw >= cw, op, ": Required crop size (", ch, ", ", cw, ") is larger than ",
              options.padding ? "padded " : "", "input image size (", ph, ", ", pw, ").");
  const std::vector<double> fill = fill_values(options.fill, b.c, op);
  // torchvision draws a corner only along a dim with room to move.
  const auto at = draw_per_image<Window>(b.n, generator, [&](Generator& g) {
    const int64_t top = ph > ch ? randint(g, 0, ph - ch + 1) : 0;
    const int64_t left = pw > cw ? randint(g, 0, pw - cw + 1) : 0;
    return Window{top - pt, left - pl};
  });
  return b.restore(crop_windows(b, at, ch, cw, mode, fill, op));
}

CenterCrop::CenterCrop(CenterCropOptions o) : Transform("CenterCrop", std::move(o)) {
  options.size = setup_size(options.size);
}
Tensor CenterCrop::forward(const Tensor& input) {
  check_rank(input, "CenterCrop");
  const auto [ch, cw] = size_hw(options.size);
  return center_crop(input, ch, cw);
}

std::vector<Tensor> FiveCrop::crops(const Tensor& input) const { return five_crops(input, options.size, "FiveCrop"); }

std::vector<Tensor> TenCrop::crops(const Tensor& input) const {
  std::vector<Tensor> out = five_crops(input, options.size, "TenCrop");
  const std::vector<Tensor> flipped = five_crops(flip(input, {options.vertical_flip ? -2 : -1}), options.size, "TenCrop");
  out.insert(out.end(), flipped.begin(), flipped.end());
  return out;
}

// ---- resampling -------------------------------------------------------------------------------

namespace {
/// A region of an image: its rows [top, top + h) and columns [left, left + w).
struct Region {
  int64_t top, left, h, w;
};

/// Each image's region resized to (oh, ow) by nn.functional.interpolate, as torchvision resizes
/// tensors (align_corners=False; antialias with BILINEAR and BICUBIC only): uint8 images through
/// torch's integer kernels, as torchvision on CPUs with AVX2, so its results bit for bit.
Tensor resample(const ImageBatch& b, const std::vector<Region>& regions, int64_t oh, int64_t ow,
                InterpolationMode mode, bool antialias, const char* op) {
  EMBER_CHECK(b.h > 0 && b.w > 0 && oh > 0 && ow > 0, op, ": Input and output sizes should be greater than 0, but got input (H: ", b.h,
              ", W: ", b.w, ") output (H: ", oh, ", W: ", ow, ")");
  visit_image_dtype(b.images.dtype(), op, [](auto) {});
  const bool filtered = mode == InterpolationMode::Bilinear || mode == InterpolationMode::Bicubic;
  const std::string how = interpolation_value(mode);
  const auto resize = [&](const Tensor& x) {
    return nn::functional::interpolate(x, Shape{oh, ow}, {}, how, filtered ? std::optional<bool>(false) : std::nullopt,
                                       {}, filtered && antialias);
  };
  const bool whole = std::all_of(regions.begin(), regions.end(), [&](const Region& r) {
    return r.top == 0 && r.left == 0 && r.h == b.h && r.w == b.w;
  });
  if (whole) return resize(b.images);
  Tensor out = b.empty(oh, ow);
  for (int64_t i = 0; i < b.n; ++i) {
    const Region& r = regions[static_cast<size_t>(i)];
    Tensor dst = narrow(out, 0, i, 1);
    copy_(dst, resize(narrow(narrow(narrow(b.images, 0, i, 1), 2, r.top, r.h), 3, r.left, r.w)));
  }
  return out;
}

bool antialias_of(const std::optional<bool>& a) { return a.value_or(false); }  // None: False, as torchvision
}  // namespace

void ResizeOptions::cross_checks() const {
  EMBER_CHECK(!max_size || !size || size->dims.size() == 1,
              "Resize: max_size should only be passed if size is None or specifies the length of the smaller edge, "
              "i.e. size should be an int or a sequence of length 1 in torchscript mode.");
  EMBER_CHECK(size || max_size, "Resize: max_size must be an integer when size is None, but got None instead.");
}

Resize::Resize(ResizeOptions o) : Transform("Resize", std::move(o)) {
  if (options.size) options.size->spelling = Sizes::Spelling::List;  // torchvision keeps a list
}

Tensor Resize::forward(const Tensor& input) {
  const char* op = "Resize";
  check_rank(input, op);
  options.validate();  // attributes set since
  const int64_t h = input.size(-2), w = input.size(-1);
  // torchvision's _compute_resized_output_size.
  int64_t oh, ow;
  if (options.size && options.size->dims.size() == 2) {
    oh = options.size->dims[0], ow = options.size->dims[1];
  } else {
    const int64_t small = std::min(h, w), large = std::max(h, w);
    int64_t new_small, new_large;
    if (!options.size) {
      new_large = *options.max_size;
      new_small = static_cast<int64_t>(static_cast<double>(*options.max_size) * small / large);
    } else {
      const int64_t requested = options.size->dims[0];
      new_small = requested, new_large = static_cast<int64_t>(static_cast<double>(requested) * large / small);
      if (options.max_size) {
        EMBER_CHECK(*options.max_size > requested, op, ": max_size = ", *options.max_size,
                    " must be strictly greater than the requested size for the smaller edge size = ",
                    nn::repr_value(*options.size));
        if (new_large > *options.max_size)
          new_small = static_cast<int64_t>(static_cast<double>(*options.max_size) * new_small / new_large),
          new_large = *options.max_size;
      }
    }
    oh = w <= h ? new_large : new_small;
    ow = w <= h ? new_small : new_large;
  }
  if (oh == h && ow == w) return input;
  const ImageBatch b = image_batch(input, op);
  const std::vector<Region> regions(static_cast<size_t>(b.n), Region{0, 0, h, w});
  return b.restore(resample(b, regions, oh, ow, options.interpolation, antialias_of(options.antialias), op));
}

RandomResizedCrop::RandomResizedCrop(RandomResizedCropOptions o) : Transform("RandomResizedCrop", std::move(o)) {
  options.size = setup_size(options.size);
}

Tensor RandomResizedCrop::forward(const Tensor& input) {
  const char* op = "RandomResizedCrop";
  const ImageBatch b = image_batch(input, op);
  const auto [oh, ow] = size_hw(options.size);
  const double s0 = options.scale[0], s1 = options.scale[1], r0 = options.ratio[0], r1 = options.ratio[1];
  const double area = static_cast<double>(b.h * b.w), log_r0 = std::log(r0), log_r1 = std::log(r1);
  // torchvision's get_params: 10 tries, then the largest centered crop with a ratio in range.
  const auto regions = draw_per_image<Region>(b.n, generator, [&](Generator& g) {
    for (int attempt = 0; attempt < 10; ++attempt) {
      const double target = area * uniform(g, s0, s1), aspect = std::exp(uniform(g, log_r0, log_r1));
      const auto w = static_cast<int64_t>(std::nearbyint(std::sqrt(target * aspect)));
      const auto h = static_cast<int64_t>(std::nearbyint(std::sqrt(target / aspect)));
      if (0 < w && w <= b.w && 0 < h && h <= b.h) {
        const int64_t top = randint(g, 0, b.h - h + 1);
        return Region{top, randint(g, 0, b.w - w + 1), h, w};
      }
    }
    const double in_ratio = static_cast<double>(b.w) / static_cast<double>(b.h);
    int64_t w = b.w, h = b.h;
    if (in_ratio < std::min(r0, r1)) h = static_cast<int64_t>(std::nearbyint(w / std::min(r0, r1)));
    else if (in_ratio > std::max(r0, r1)) w = static_cast<int64_t>(std::nearbyint(h * std::max(r0, r1)));
    h = std::max<int64_t>(h, 1), w = std::max<int64_t>(w, 1);  // a ratio range far from the image's
    return Region{(b.h - h) / 2, (b.w - w) / 2, h, w};
  });
  return b.restore(resample(b, regions, oh, ow, options.interpolation, antialias_of(options.antialias), op));
}

// ---- affine warps -----------------------------------------------------------------------------

namespace {
/// cos and sin of an angle in degrees, exact at multiples of 90 degrees (where torchvision's
/// rotate takes its exact rot90 path).
std::pair<double, double> cos_sin_degrees(double degrees) {
  const double quarters = degrees / 90.0;
  if (quarters == std::floor(quarters) && std::abs(quarters) < 1e15) {
    static const double kCos[4] = {1, 0, -1, 0}, kSin[4] = {0, 1, 0, -1};
    const int k = static_cast<int>(((static_cast<int64_t>(quarters) % 4) + 4) % 4);
    return {kCos[k], kSin[k]};
  }
  const double rad = degrees * M_PI / 180.0;
  return {std::cos(rad), std::sin(rad)};
}

/// torchvision's _get_inverse_affine_matrix (inverted=True): output pixel -> input pixel, both
/// relative to the image center, for a rotation of `angle` degrees, a translation, a scale and
/// shears (degrees) about `center` (relative to the image center).
std::array<double, 6> inverse_affine(double cx, double cy, double angle, double tx, double ty, double scale,
                                     double shear_x, double shear_y) {
  const auto [cos_rot, sin_rot] = cos_sin_degrees(angle);
  const auto [cos_rsy, sin_rsy] = cos_sin_degrees(angle - shear_y);
  const double cos_sy = cos_sin_degrees(shear_y).first, tan_sx = std::tan(shear_x * M_PI / 180.0);
  const double a = cos_rsy / cos_sy, b = -(a * tan_sx + sin_rot);
  const double c = sin_rsy / cos_sy, d = cos_rot - c * tan_sx;
  std::array<double, 6> m = {d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0};
  m[2] += cx - m[0] * (cx + tx) - m[1] * (cy + ty);
  m[5] += cy - m[3] * (cx + tx) - m[4] * (cy + ty);
  return m;
}

/// torchvision's _compute_affine_output_size (in float32, as its tensors): the (w, h) holding the
/// whole image of (w, h) under the matrix.
std::pair<int64_t, int64_t> affine_output_size(const std::array<double, 6>& m, int64_t w, int64_t h) {
  const float hw = 0.5f * w, hh = 0.5f * h;
  const float pts[4][2] = {{-hw, -hh}, {-hw, hh}, {hw, hh}, {hw, -hh}};
  float lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
  for (const auto& p : pts)
    for (int k = 0; k < 2; ++k) {
      const float v = static_cast<float>(m[3 * k]) * p[0] + static_cast<float>(m[3 * k + 1]) * p[1] +
                      static_cast<float>(m[3 * k + 2]);
      lo[k] = std::min(lo[k], v), hi[k] = std::max(hi[k], v);
    }
  int64_t size[2];
  for (int k = 0; k < 2; ++k) {
    const float half = k == 0 ? hw : hh;
    // Truncated to 1e-4 first, so that 1e-15 above a whole number does not round up.
    const float top = std::ceil(std::trunc((hi[k] + half) * 1e4f) * 1e-4f);
    const float bottom = std::floor(std::trunc((lo[k] + half) * 1e4f) * 1e-4f);
    size[k] = static_cast<int64_t>(top - bottom);
  }
  return {size[0], size[1]};
}

/// Each image warped by its matrix onto (oh, ow): torchvision's affine grid and grid_sample
/// (align_corners=False, zeros outside), then its fill blend: NEAREST takes fill outside the
/// image; BILINEAR gives v * m + fill * (1 - m), m the weight of the taps inside.
Tensor warp(const ImageBatch& b, const std::vector<std::array<double, 6>>& matrices, int64_t oh, int64_t ow,
            InterpolationMode mode, const std::vector<double>& fill, const char* op) {
  Tensor out = b.empty(oh, ow);
  const bool bilinear = mode == InterpolationMode::Bilinear;
  visit_image_dtype(b.images.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(b.images.raw_data());
    T* y = static_cast<T*>(out.raw_data());
    const int64_t plane = b.h * b.w, out_plane = oh * ow;
    for_each_image(b.n, b.c * out_plane * (bilinear ? 4 : 1), [&](int64_t i) {
      const auto& m = matrices[i];
      const T* img = x + i * b.c * plane;
      T* dst = y + i * b.c * out_plane;
      for (int64_t r = 0; r < oh; ++r) {
        const double yc = r - (oh - 1) * 0.5;
        for (int64_t q = 0; q < ow; ++q) {
          const double xc = q - (ow - 1) * 0.5;
          const double ix = m[0] * xc + m[1] * yc + m[2] + (b.w - 1) * 0.5;
          const double iy = m[3] * xc + m[4] * yc + m[5] + (b.h - 1) * 0.5;
          const int64_t at = r * ow + q;
          if (!bilinear) {
            const double jx = std::nearbyint(ix), jy = std::nearbyint(iy);
            const bool inside = 0 <= jx && jx < b.w && 0 <= jy && jy < b.h;
            const int64_t src = inside ? static_cast<int64_t>(jy) * b.w + static_cast<int64_t>(jx) : 0;
            for (int64_t c = 0; c < b.c; ++c)
              dst[c * out_plane + at] = inside ? img[c * plane + src] : to_pixel<T>(fill[c]);
            continue;
          }
          const double fx = std::floor(ix), fy = std::floor(iy);
          const double wx[2] = {1 - (ix - fx), ix - fx}, wy[2] = {1 - (iy - fy), iy - fy};
          int64_t taps[4];
          double weights[4], mask = 0;
          int n = 0;
          for (int dy = 0; dy < 2; ++dy)
            for (int dx = 0; dx < 2; ++dx) {
              const double sx = fx + dx, sy = fy + dy;
              if (sx < 0 || sx >= b.w || sy < 0 || sy >= b.h) continue;
              taps[n] = static_cast<int64_t>(sy) * b.w + static_cast<int64_t>(sx);
              weights[n] = wx[dx] * wy[dy];
              mask += weights[n++];
            }
          for (int64_t c = 0; c < b.c; ++c) {
            double v = 0;
            for (int k = 0; k < n; ++k) v += weights[k] * static_cast<double>(img[c * plane + taps[k]]);
            dst[c * out_plane + at] = to_pixel<T>((v - fill[c]) * mask + fill[c]);
          }
        }
      }
    });
  });
  return out;
}

/// The center row of a transform as torchvision's image functions take it: relative to the
/// image's center.
std::pair<double, double> relative_center(const std::optional<Numbers>& center, int64_t h, int64_t w) {
  if (!center) return {0.0, 0.0};
  return {(*center)[0] - w * 0.5, (*center)[1] - h * 0.5};
}
}  // namespace

RandomAffine::RandomAffine(RandomAffineOptions o) : Transform("RandomAffine", std::move(o)) {
  options.degrees = setup_angle(options.degrees);
  if (options.shear) options.shear = setup_angle(*options.shear);
}

Tensor RandomAffine::forward(const Tensor& input) {
  const char* op = "RandomAffine";
  const ImageBatch b = image_batch(input, op);
  const std::vector<double> fill = fill_values(options.fill, b.c, op);
  const Numbers degrees = setup_angle(options.degrees);
  const std::optional<Numbers> shear = options.shear ? std::optional<Numbers>(setup_angle(*options.shear)) : std::nullopt;
  const auto [cx, cy] = relative_center(options.center, b.h, b.w);
  // torchvision's get_params, in its order of draws.
  const auto matrices = draw_per_image<std::array<double, 6>>(b.n, generator, [&](Generator& g) {
    const double angle = uniform(g, degrees[0], degrees[1]);
    double tx = 0, ty = 0, scale = 1, shear_x = 0, shear_y = 0;
    if (options.translate) {
      const double max_dx = (*options.translate)[0] * b.w, max_dy = (*options.translate)[1] * b.h;
      tx = std::nearbyint(uniform(g, -max_dx, max_dx));
      ty = std::nearbyint(uniform(g, -max_dy, max_dy));
    }
    if (options.scale) scale = uniform(g, (*options.scale)[0], (*options.scale)[1]);
    if (shear) {
      shear_x = uniform(g, (*shear)[0], (*shear)[1]);
      if (shear->size() == 4) shear_y = uniform(g, (*shear)[2], (*shear)[3]);
    }
    return inverse_affine(cx, cy, angle, tx, ty, scale, shear_x, shear_y);
  });
  return b.restore(warp(b, matrices, b.h, b.w, options.interpolation, fill, op));
}

RandomRotation::RandomRotation(RandomRotationOptions o) : Transform("RandomRotation", std::move(o)) {
  options.degrees = setup_angle(options.degrees);
}

Tensor RandomRotation::forward(const Tensor& input) {
  const char* op = "RandomRotation";
  const ImageBatch b = image_batch(input, op);
  const std::vector<double> fill = fill_values(options.fill, b.c, op);
  const Numbers degrees = setup_angle(options.degrees);
  const auto [cx, cy] = relative_center(options.center, b.h, b.w);
  const auto angles = draw_per_image<double>(b.n, generator, [&](Generator& g) { return uniform(g, degrees[0], degrees[1]); });
  std::vector<std::array<double, 6>> matrices;
  int64_t oh = options.expand && b.n > 0 ? 0 : b.h, ow = options.expand && b.n > 0 ? 0 : b.w;
  for (double angle : angles) {
    // rotate's matrix turns by -angle (torchvision's affine and rotate count angles oppositely).
    matrices.push_back(inverse_affine(cx, cy, -angle, 0, 0, 1, 0, 0));
    if (!options.expand) continue;
    // Right angles about the center: torchvision's rot90 path, the canvas exactly the turned image.
    const bool right = !options.center && angle / 90.0 == std::floor(angle / 90.0);
    const bool odd = right && static_cast<int64_t>(std::abs(angle) / 90.0) % 2 == 1;
    const auto [w, h] = right ? std::pair<int64_t, int64_t>{odd ? b.h : b.w, odd ? b.w : b.h}
                              : affine_output_size(matrices.back(), b.w, b.h);
    ow = std::max(ow, w), oh = std::max(oh, h);
  }
  return b.restore(warp(b, matrices, oh, ow, options.interpolation, fill, op));
}

}  // namespace ember::transforms

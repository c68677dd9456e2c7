// The pieces every image transform shares (ember/data/transform.h).
#include "ember/data/transform.h"

#include "ember/autograd.h"
#include "ember/ops.h"

namespace ember::transforms {

std::string repr_value(const Numbers& v) {
  auto one = [&](double x) { return v.integral ? std::to_string(static_cast<int64_t>(x)) : nn::repr_float(x); };
  if (v.is_number()) return one(v.values.at(0));
  const bool list = v.spelling == Numbers::Spelling::List;
  std::string s = list ? "[" : "(";
  for (size_t i = 0; i < v.values.size(); ++i) s += (i ? ", " : "") + one(v.values[i]);
  if (!list && v.values.size() == 1) s += ",";
  return s + (list ? "]" : ")");
}

namespace {
struct ModeName {
  InterpolationMode mode;
  const char *value, *name;
};
constexpr ModeName kModes[] = {
    {InterpolationMode::Nearest, "nearest", "NEAREST"},
    {InterpolationMode::NearestExact, "nearest-exact", "NEAREST_EXACT"},
    {InterpolationMode::Bilinear, "bilinear", "BILINEAR"},
    {InterpolationMode::Bicubic, "bicubic", "BICUBIC"},
    {InterpolationMode::Box, "box", "BOX"},
    {InterpolationMode::Hamming, "hamming", "HAMMING"},
    {InterpolationMode::Lanczos, "lanczos", "LANCZOS"},
};
const ModeName& mode_name(InterpolationMode mode) { return kModes[static_cast<int>(mode)]; }
}  // namespace

const char* interpolation_value(InterpolationMode mode) { return mode_name(mode).value; }
std::string repr_value(InterpolationMode mode) { return std::string("InterpolationMode.") + mode_name(mode).name; }

void check_interpolation(InterpolationMode mode, std::initializer_list<InterpolationMode> allowed, const char* op) {
  std::string names;
  for (InterpolationMode a : allowed) {
    if (a == mode) return;
    names += (names.empty() ? "" : ", ") + repr_value(a);
  }
  EMBER_CHECK(false, op, ": interpolation ", repr_value(mode), " is not supported (ember implements ", names, ")");
}

Sizes setup_size(const Sizes& s) {
  if (s.spelling != Sizes::Spelling::Int && s.dims.size() != 1) return s;
  Sizes out({s.dims.at(0), s.dims.at(0)});
  out.spelling = Sizes::Spelling::Tuple;
  return out;
}

Numbers setup_angle(const Numbers& v) {
  if (v.is_number()) return Numbers({-v[0], v[0]}, Numbers::Spelling::List);
  return Numbers(v.values, Numbers::Spelling::List);
}

std::vector<double> fill_values(const Numbers& fill, int64_t channels, const char* op) {
  const auto k = static_cast<int64_t>(fill.size());
  EMBER_CHECK(k == 1 || k == channels, op, ": The number of elements in 'fill' cannot broadcast to match the number of "
              "channels of the image (", k, " != ", channels, ")");
  return k == 1 ? std::vector<double>(static_cast<size_t>(channels), fill[0]) : fill.values;
}

void rule::sequence(const Numbers& v, const char* op, const char* name, std::initializer_list<size_t> lengths) {
  std::string which;
  bool ok = false;
  for (size_t n : lengths) {
    which += (which.empty() ? "" : " or ") + std::to_string(n);
    ok = ok || v.size() == n;
  }
  EMBER_CHECK_TYPE(!v.is_number(), op, ": ", name, " should be a sequence of length ", which, ".");
  EMBER_CHECK(ok, op, ": ", name, " should be a sequence of length ", which, ".");
}

Tensor ImageBatch::empty(int64_t height, int64_t width) const {
  return Tensor::empty({n, c, height, width}, images.dtype(), images.device());
}

Tensor ImageBatch::restore(const Tensor& out) const {
  Shape sizes = lead;
  sizes.insert(sizes.end(), out.sizes().end() - (channels ? 3 : 2), out.sizes().end());
  return reshape(out, sizes);
}

ImageBatch image_batch(const Tensor& input, const char* op, bool plain_2d) {
  EMBER_CHECK(input.dim() >= 3 || (plain_2d && input.dim() == 2), op, ": expected an image (C, H, W)",
              plain_2d ? " or (H, W)" : "", " or a batch of images (..., C, H, W), got shape ", shape_str(input.sizes()));
  if (input.dim() == 2) {
    ImageBatch b = image_batch(unsqueeze(input, 0), op);
    b.channels = false;
    return b;
  }
  EMBER_CHECK_RUNTIME(!(input.requires_grad() && autograd::is_grad_enabled()), op,
                      ": the input requires grad, but transforms have no gradient (apply them to data, or to "
                      "input.detach())");
  EMBER_CHECK(input.device().is_cpu(), op, ": not implemented for ", input.device().str());
  ImageBatch b;
  const Shape& s = input.sizes();
  b.lead.assign(s.begin(), s.end() - 3);
  b.c = s[s.size() - 3], b.h = s[s.size() - 2], b.w = s[s.size() - 1];
  b.n = 1;
  for (int64_t d : b.lead) b.n *= d;
  b.images = contiguous(reshape(input, {b.n, b.c, b.h, b.w}));
  return b;
}

}  // namespace ember::transforms

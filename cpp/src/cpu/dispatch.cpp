// Picks the table-driven kernels (pointwise, scans), batch norm's, softmax's and layer norm's
// for this CPU once: AVX2+FMA where the CPU has them, else baseline. The Winograd convolution's:
// AVX-512, else AVX2+FMA, else none.
#include <stdexcept>

#include "cpu/winograd.h"
#include "kernels.h"

namespace ember::cpu {

#define EMBER_UNARY(name, kind, formula, doc, ...) void name(const Tensor& out, const Tensor& x);
#define EMBER_BINARY(name, kind, formula, doc, ...) void name(const Tensor& out, const Tensor& x, const Tensor& y);
#define EMBER_TERNARY_KERNELS                                                                      \
  void multiply_add(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c); \
  void lerp(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& w);
namespace pointwise::baseline {
#include "ember/elementwise.def"
EMBER_TERNARY_KERNELS
}
#ifdef EMBER_HAVE_AVX2
#define EMBER_UNARY(name, kind, formula, doc, ...) void name(const Tensor& out, const Tensor& x);
#define EMBER_BINARY(name, kind, formula, doc, ...) void name(const Tensor& out, const Tensor& x, const Tensor& y);
namespace pointwise::avx2 {
#include "ember/elementwise.def"
EMBER_TERNARY_KERNELS
}
#endif
#undef EMBER_TERNARY_KERNELS

namespace pointwise::baseline {
extern const PointwiseSpan spans[];
}
#ifdef EMBER_HAVE_AVX2
namespace pointwise::avx2 {
extern const PointwiseSpan spans[];
}
#endif

#define EMBER_SCAN(name, ...) void name(const Tensor& out, const Tensor& in, int64_t dim);
#define EMBER_SCAN_INDEXED(name, ...) void name(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim);
namespace scan::baseline {
#include "ember/scan.def"
}
#ifdef EMBER_HAVE_AVX2
#define EMBER_SCAN(name, ...) void name(const Tensor& out, const Tensor& in, int64_t dim);
#define EMBER_SCAN_INDEXED(name, ...) void name(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim);
namespace scan::avx2 {
#include "ember/scan.def"
}
#endif

#define EMBER_CHANNEL_KERNELS                                                                                    \
  void channel_moments(std::vector<double>& mean, std::vector<double>& var, const Tensor& x);                     \
  void channel_sums(std::vector<double>& sum_a, std::vector<double>& sum_ab, const Tensor& a, const Tensor& b,     \
                    const std::vector<double>& center);                                                            \
  void channel_affine(const Tensor& out, const Tensor& a, const std::vector<double>& ka, const Tensor& b,          \
                      const std::vector<double>& kb, const std::vector<double>& k);
namespace channels::baseline {
EMBER_CHANNEL_KERNELS
}
#ifdef EMBER_HAVE_AVX2
namespace channels::avx2 {
EMBER_CHANNEL_KERNELS
}
#endif
#undef EMBER_CHANNEL_KERNELS

#define EMBER_SOFTMAX_KERNELS                                                                 \
  void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log);                   \
  void softmax_backward(const Tensor& dx, const Tensor& g, const Tensor& y, int64_t dim, bool log);
#define EMBER_LAYER_NORM_KERNELS                                                                                 \
  void layer_norm(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& w,       \
                  const Tensor& b, double eps);                                                                   \
  void layer_norm_backward(const Tensor& dx, const Tensor& dw, const Tensor& db, const Tensor& g, const Tensor& x, \
                           const Tensor& mean, const Tensor& rstd, const Tensor& w);
namespace softmax_rows::baseline {
EMBER_SOFTMAX_KERNELS
}
namespace layer_norm_rows::baseline {
EMBER_LAYER_NORM_KERNELS
}
#ifdef EMBER_HAVE_AVX2
namespace softmax_rows::avx2 {
EMBER_SOFTMAX_KERNELS
}
namespace layer_norm_rows::avx2 {
EMBER_LAYER_NORM_KERNELS
}
#endif
#undef EMBER_SOFTMAX_KERNELS
#undef EMBER_LAYER_NORM_KERNELS

#define EMBER_WINOGRAD_KERNELS                                                                       \
  void conv3x3(const float* x, const float* w, bool transposed, float* y, const Shape& s); \
  void conv3x3_weight_grad(const float* x, const float* dy, float* dw, const Shape& s);
#ifdef EMBER_HAVE_AVX2
namespace winograd::avx2 {
EMBER_WINOGRAD_KERNELS
}
#endif
#ifdef EMBER_HAVE_AVX512
namespace winograd::avx512 {
EMBER_WINOGRAD_KERNELS
}
#endif
#undef EMBER_WINOGRAD_KERNELS

namespace {
bool use_avx2() {
#ifdef EMBER_HAVE_AVX2
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
#else
  return false;
#endif
}

bool use_avx512() {
#ifdef EMBER_HAVE_AVX512
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes;
#else
  return false;
#endif
}
}  // namespace

// EMBER_PICK(family, name, args...): the family's kernel `name` for this CPU.
#ifdef EMBER_HAVE_AVX2
#define EMBER_PICK(family, name, ...) (use_avx2() ? family::avx2::name(__VA_ARGS__) : family::baseline::name(__VA_ARGS__))
#else
#define EMBER_PICK(family, name, ...) family::baseline::name(__VA_ARGS__)
#endif
#define EMBER_UNARY(name, kind, formula, doc, ...) \
  void name(const Tensor& out, const Tensor& x) { EMBER_PICK(pointwise, name, out, x); }
#define EMBER_BINARY(name, kind, formula, doc, ...) \
  void name(const Tensor& out, const Tensor& x, const Tensor& y) { EMBER_PICK(pointwise, name, out, x, y); }
#include "ember/elementwise.def"
#define EMBER_SCAN(name, ...) \
  void name(const Tensor& out, const Tensor& in, int64_t dim) { EMBER_PICK(scan, name, out, in, dim); }
#define EMBER_SCAN_INDEXED(name, ...)                                                       \
  void name(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim) { \
    EMBER_PICK(scan, name, values, indices, in, dim);                                      \
  }
#include "ember/scan.def"

void multiply_add(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c) {
  EMBER_PICK(pointwise, multiply_add, out, a, b, c);
}
void lerp(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& w) { EMBER_PICK(pointwise, lerp, out, a, b, w); }

PointwiseSpan pointwise_span(int row) {
#ifdef EMBER_HAVE_AVX2
  if (use_avx2()) return pointwise::avx2::spans[row];
#endif
  return pointwise::baseline::spans[row];
}

void channel_moments(std::vector<double>& mean, std::vector<double>& var, const Tensor& x) {
  EMBER_PICK(channels, channel_moments, mean, var, x);
}
void channel_sums(std::vector<double>& sum_a, std::vector<double>& sum_ab, const Tensor& a, const Tensor& b,
                  const std::vector<double>& center) {
  EMBER_PICK(channels, channel_sums, sum_a, sum_ab, a, b, center);
}
void channel_affine(const Tensor& out, const Tensor& a, const std::vector<double>& ka, const Tensor& b,
                    const std::vector<double>& kb, const std::vector<double>& k) {
  EMBER_PICK(channels, channel_affine, out, a, ka, b, kb, k);
}

void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log) { EMBER_PICK(softmax_rows, softmax, out, x, dim, log); }
void softmax_backward(const Tensor& dx, const Tensor& g, const Tensor& y, int64_t dim, bool log) {
  EMBER_PICK(softmax_rows, softmax_backward, dx, g, y, dim, log);
}
void layer_norm(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& w,
                const Tensor& b, double eps) {
  EMBER_PICK(layer_norm_rows, layer_norm, y, mean, rstd, x, w, b, eps);
}
void layer_norm_backward(const Tensor& dx, const Tensor& dw, const Tensor& db, const Tensor& g, const Tensor& x,
                         const Tensor& mean, const Tensor& rstd, const Tensor& w) {
  EMBER_PICK(layer_norm_rows, layer_norm_backward, dx, dw, db, g, x, mean, rstd, w);
}

namespace winograd {
bool available() { return use_avx512() || use_avx2(); }

// EMBER_PICK_WINOGRAD(name, args...): AVX-512's kernel where the CPU has it, else AVX2's.
#if defined(EMBER_HAVE_AVX512) && defined(EMBER_HAVE_AVX2)
#define EMBER_PICK_WINOGRAD(name, ...) (use_avx512() ? avx512::name(__VA_ARGS__) : avx2::name(__VA_ARGS__))
#elif defined(EMBER_HAVE_AVX2)
#define EMBER_PICK_WINOGRAD(name, ...) avx2::name(__VA_ARGS__)
#else
#define EMBER_PICK_WINOGRAD(name, ...) throw std::logic_error("winograd: no kernels for this CPU")
#endif
void conv3x3(const float* x, const float* w, bool transposed, float* y, const Shape& s) {
  EMBER_PICK_WINOGRAD(conv3x3, x, w, transposed, y, s);
}
void conv3x3_weight_grad(const float* x, const float* dy, float* dw, const Shape& s) {
  EMBER_PICK_WINOGRAD(conv3x3_weight_grad, x, dy, dw, s);
}
#undef EMBER_PICK_WINOGRAD
}  // namespace winograd

}  // namespace ember::cpu

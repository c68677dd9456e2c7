// Picks the table-driven kernels (pointwise, scans) for this CPU once: AVX2+FMA where the CPU
// has them, else baseline.
#include "kernels.h"

namespace ember::cpu {

#define EMBER_UNARY(name, kind, formula, doc, ...) void name(const Tensor& out, const Tensor& x);
#define EMBER_BINARY(name, kind, formula, doc, ...) void name(const Tensor& out, const Tensor& x, const Tensor& y);
namespace pointwise::baseline {
#include "ember/elementwise.def"
}
#ifdef EMBER_HAVE_AVX2
#define EMBER_UNARY(name, kind, formula, doc, ...) void name(const Tensor& out, const Tensor& x);
#define EMBER_BINARY(name, kind, formula, doc, ...) void name(const Tensor& out, const Tensor& x, const Tensor& y);
namespace pointwise::avx2 {
#include "ember/elementwise.def"
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

namespace {
bool use_avx2() {
#ifdef EMBER_HAVE_AVX2
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
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

}  // namespace ember::cpu

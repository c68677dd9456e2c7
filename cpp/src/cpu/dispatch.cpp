// Picks the pointwise kernels for this CPU once: AVX2+FMA where the CPU has them, else baseline.
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

#ifdef EMBER_HAVE_AVX2
#define EMBER_PICK(name, ...) (use_avx2() ? pointwise::avx2::name(__VA_ARGS__) : pointwise::baseline::name(__VA_ARGS__))
#else
#define EMBER_PICK(name, ...) pointwise::baseline::name(__VA_ARGS__)
#endif
#define EMBER_UNARY(name, kind, formula, doc, ...) \
  void name(const Tensor& out, const Tensor& x) { EMBER_PICK(name, out, x); }
#define EMBER_BINARY(name, kind, formula, doc, ...) \
  void name(const Tensor& out, const Tensor& x, const Tensor& y) { EMBER_PICK(name, out, x, y); }
#include "ember/elementwise.def"

}  // namespace ember::cpu

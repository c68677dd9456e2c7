// CPU kernels of batch norm over a contiguous (N, C, S) input: per-channel moments and sums
// (threads split the channels; each channel's N runs of S values are read in order, as partial
// sums: float's in float over short runs, added up in double), and a per-channel affine combination (threads split the
// N x C planes; the inner loop runs over a contiguous plane and vectorizes). Compiled once per
// instruction set (cpu/isa.h).
#include <climits>
#include <type_traits>

#include "cpu/lane_sum.h"
#include "cpu/loops.h"
#include "kernels.h"

namespace ember::cpu::channels::EMBER_ISA {

namespace {
struct Layout {
  int64_t N, C, S;
};
Layout layout_of(const Tensor& x) { return {x.sizes()[0], x.sizes()[1], x.sizes()[2]}; }

/// f(c) for each channel, in parallel when there is enough work.
template <class F>
void for_channels(const Layout& l, F f) {
  parallel_range(l.C, l.N * l.S, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) f(c);
  });
}
}  // namespace

void channel_moments(std::vector<double>& mean, std::vector<double>& var, const Tensor& x) {
  const Layout l = layout_of(x);
  mean.assign(l.C, 0.0), var.assign(l.C, 0.0);
  const double count = static_cast<double>(l.N * l.S);
  if (count == 0) return;
  visit_floating(x.dtype(), "batch_norm", [&](auto tag) {
    using T = decltype(tag);
    const T* p = static_cast<const T*>(x.raw_data());
    for_channels(l, [&](int64_t c) {
      LaneSum<T> sum, sq;  // two passes: the mean, then the squares about it (no cancellation)
      for (int64_t n = 0; n < l.N; ++n) {
        const T* row = p + (n * l.C + c) * l.S;
        sum.add(l.S, [row](int64_t s) { return row[s]; });
      }
      const double m = sum.total() / count;
      const T mt = static_cast<T>(m);  // (rounding the mean adds its error squared to the variance)
      for (int64_t n = 0; n < l.N; ++n) {
        const T* row = p + (n * l.C + c) * l.S;
        sq.add(l.S, [row, mt](int64_t s) {
          const T d = row[s] - mt;
          return d * d;
        });
      }
      mean[c] = m, var[c] = sq.total() / count;
    });
  });
}

void channel_sums(std::vector<double>& sum_a, std::vector<double>& sum_ab, const Tensor& a, const Tensor& b,
                  const std::vector<double>& center) {
  const Layout l = layout_of(a);
  sum_a.assign(l.C, 0.0), sum_ab.assign(l.C, 0.0);
  visit_floating(a.dtype(), "batch_norm_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* pa = static_cast<const T*>(a.raw_data());
    const T* pb = b.defined() ? static_cast<const T*>(b.raw_data()) : nullptr;
    for_channels(l, [&](int64_t c) {
      LaneSum<T> s1, s2;
      const T mid = static_cast<T>(center[c]);
      for (int64_t n = 0; n < l.N; ++n) {
        const T* ra = pa + (n * l.C + c) * l.S;
        s1.add(l.S, [ra](int64_t s) { return ra[s]; });
        if (pb) {
          const T* rb = pb + (n * l.C + c) * l.S;
          s2.add(l.S, [ra, rb, mid](int64_t s) { return ra[s] * (rb[s] - mid); });
        }
      }
      sum_a[c] = s1.total(), sum_ab[c] = s2.total();
    });
  });
}

void channel_affine(const Tensor& out, const Tensor& a, const std::vector<double>& ka, const Tensor& b,
                    const std::vector<double>& kb, const std::vector<double>& k) {
  const Layout l = layout_of(a);
  visit_floating(a.dtype(), "batch_norm", [&](auto tag) {
    using T = decltype(tag);
    const T* pa = static_cast<const T*>(a.raw_data());
    const T* pb = b.defined() ? static_cast<const T*>(b.raw_data()) : nullptr;
    T* po = static_cast<T*>(out.raw_data());
    parallel_range(l.N * l.C, l.S, [&](int64_t begin, int64_t end) {
      for (int64_t plane = begin; plane < end; ++plane) {
        const int64_t c = plane % l.C, at = plane * l.S;
        const T x1 = static_cast<T>(ka[c]), x0 = static_cast<T>(k[c]);
        if (pb) {
          const T x2 = static_cast<T>(kb[c]);
          for (int64_t s = 0; s < l.S; ++s) po[at + s] = pa[at + s] * x1 + pb[at + s] * x2 + x0;
        } else {
          for (int64_t s = 0; s < l.S; ++s) po[at + s] = pa[at + s] * x1 + x0;
        }
      }
    });
  });
}

}  // namespace ember::cpu::channels::EMBER_ISA

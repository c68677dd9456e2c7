// CPU kernels that move data: copy (with dtype conversion), fill and where.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "cpu/loops.h"
#include "kernels.h"

namespace ember::cpu {
namespace {
/// A transposing copy (src contiguous along dim 0, dst along dim 1) in small square tiles, so
/// neither side walks memory with a large stride. 8 rows: power-of-two strides map a tile's
/// lines to one L1 set, and larger tiles thrash it (measured 1.2 ms vs 3.3 ms for 32 at 1024^2).
/// Returns false for other layouts.
template <class D, class S>
bool copy_transposed(const Tensor& dst, const Tensor& src) {
  const Geometry<2> g({&dst, &src});
  if (g.nd != 2 || g.strides[0][1] != sizeof(D) || g.strides[1][0] != sizeof(S) || g.numel < 4096) return false;
  constexpr int64_t kTile = 8;
  const int64_t rows = g.sizes[0], cols = g.sizes[1];
  const int64_t drow = g.strides[0][0] / int64_t(sizeof(D)), scol = g.strides[1][1] / int64_t(sizeof(S));
  D* d = reinterpret_cast<D*>(g.base[0]);
  const S* s = reinterpret_cast<const S*>(g.base[1]);
  parallel_range((rows + kTile - 1) / kTile, kTile * cols, [&](int64_t tb, int64_t te) {
    for (int64_t i0 = tb * kTile; i0 < std::min(rows, te * kTile); i0 += kTile)
      for (int64_t j0 = 0; j0 < cols; j0 += kTile)
        for (int64_t j = j0; j < std::min(cols, j0 + kTile); ++j)
          for (int64_t i = i0; i < std::min(rows, i0 + kTile); ++i) d[i * drow + j] = static_cast<D>(s[i + j * scol]);
  });
  return true;
}

template <class D, class S>
struct Cast {
  D operator()(S v) const { return static_cast<D>(v); }
};
}  // namespace

void copy(const Tensor& dst, const Tensor& src) {
  visit_all_dtypes(dst.dtype(), [&](auto dtag) {
    using D = decltype(dtag);
    visit_all_dtypes(src.dtype(), [&](auto stag) {
      using S = decltype(stag);
      if (!copy_transposed<D, S>(dst, src)) map<D, S>(dst, src, Cast<D, S>{});
    });
  });
}

void copy_run(DType dst, DType src, char* const* ptrs, const int64_t* strides, int64_t n) {
  visit_all_dtypes(dst, [&](auto dtag) {
    using D = decltype(dtag);
    visit_all_dtypes(src, [&](auto stag) {
      using S = decltype(stag);
      map_run<D, S>(Cast<D, S>{}, ptrs, strides, n);
    });
  });
}

void copy_blocks(const Tensor& dst, const std::vector<Tensor>& parts, int64_t outer) {
  const int64_t isz = dst.itemsize();
  char* out = static_cast<char*>(dst.raw_data());
  int64_t row = 0;  // bytes of one output row
  for (const Tensor& p : parts) row += p.numel() / outer * isz;
  parallel_range(outer, row / isz, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      char* d = out + o * row;
      for (const Tensor& p : parts) {
        const int64_t block = p.numel() / outer * isz;
        std::memcpy(d, static_cast<const char*>(p.raw_data()) + o * block, block);
        d += block;
      }
    }
  });
}

void fill(const Tensor& dst, Scalar value) {
  visit_all_dtypes(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T v = value.to<T>();
    const bool zero_bits = v == T(0) && !std::signbit(static_cast<double>(v));  // -0.0 is not all zero bytes
    for_each<1>({&dst}, [v, zero_bits](char* const* p, const int64_t* s, int64_t n) {
      if (s[0] == sizeof(T)) {
        T* o = reinterpret_cast<T*>(p[0]);
        if (zero_bits) {
          std::memset(o, 0, n * sizeof(T));  // libc's memset uses the widest stores the CPU has
          return;
        }
        for (int64_t i = 0; i < n; ++i) o[i] = v;
      } else {
        for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
      }
    });
  });
}

namespace {
/// c ? x : y by bit masks: no branch for the compiler to put back, so the loop vectorizes.
template <class T>
inline T select(bool c, T x, T y) {
  using U = std::conditional_t<sizeof(T) == 8, uint64_t,
                               std::conditional_t<sizeof(T) == 4, uint32_t,
                                                  std::conditional_t<sizeof(T) == 2, uint16_t, uint8_t>>>;
  static_assert(sizeof(T) == sizeof(U));
  U xb, yb;
  std::memcpy(&xb, &x, sizeof(T));
  std::memcpy(&yb, &y, sizeof(T));
  const U mask = U(0) - U(c);
  const U r = (xb & mask) | (yb & ~mask);
  T out;
  std::memcpy(&out, &r, sizeof(T));
  return out;
}
}  // namespace

void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  visit_all_dtypes(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    // No branch on the (often random) condition: a mispredicted branch per element cost 3 ns.
    for_each<4>({&out, &cond, &a, &b}, [](char* const* p, const int64_t* s, int64_t n) {
      // Contiguous runs, either value operand possibly one broadcast scalar (relu's backward
      // is where(r <= 0, 0, g)): plain loops that vectorize.
      const bool x_one = s[2] == 0, y_one = s[3] == 0;
      if (s[0] == sizeof(T) && s[1] == 1 && (x_one || s[2] == sizeof(T)) && (y_one || s[3] == sizeof(T))) {
        T* o = reinterpret_cast<T*>(p[0]);
        const bool* c = reinterpret_cast<const bool*>(p[1]);
        const T* x = reinterpret_cast<const T*>(p[2]);
        const T* y = reinterpret_cast<const T*>(p[3]);
        if (!x_one && !y_one)
          for (int64_t i = 0; i < n; ++i) o[i] = select(c[i], x[i], y[i]);
        else if (x_one && !y_one)
          for (int64_t i = 0; i < n; ++i) o[i] = select(c[i], x[0], y[i]);
        else if (!x_one)
          for (int64_t i = 0; i < n; ++i) o[i] = select(c[i], x[i], y[0]);
        else
          for (int64_t i = 0; i < n; ++i) o[i] = select(c[i], x[0], y[0]);
        return;
      }
      for (int64_t i = 0; i < n; ++i) {
        const bool c = *reinterpret_cast<const bool*>(p[1] + i * s[1]);
        const T x = *reinterpret_cast<const T*>(p[2] + i * s[2]), y = *reinterpret_cast<const T*>(p[3] + i * s[3]);
        *reinterpret_cast<T*>(p[0] + i * s[0]) = select(c, x, y);
      }
    });
  });
}

}  // namespace ember::cpu

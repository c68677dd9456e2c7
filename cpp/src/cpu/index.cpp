// CPU kernels of indexing: gather/scatter along a dim, take/put at element offsets, nonzero.
#include <cmath>
#include <cstring>
#include <type_traits>

#include "cpu/loops.h"
#include "kernels.h"

namespace ember::cpu {

void gather(const Tensor& out, const Tensor& src, const Tensor& index, int64_t dim_stride) {
  visit_all_dtypes(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for_each<3>({&out, &index, &src}, [dim_stride](char* const* p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = *reinterpret_cast<const int64_t*>(p[1] + i * s[1]);
        *reinterpret_cast<T*>(p[0] + i * s[0]) = reinterpret_cast<const T*>(p[2] + i * s[2])[k * dim_stride];
      }
    });
  });
}

void index_rows(const Tensor& out, const Tensor& src, const Tensor& index, int64_t dim) {
  int64_t outer = 1, row = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= src.sizes()[d];
  for (int64_t d = dim + 1; d < src.dim(); ++d) row *= src.sizes()[d];
  const int64_t n = src.sizes()[dim], m = index.numel(), istride = index.strides()[0];
  const int64_t* idx = static_cast<const int64_t*>(index.raw_data());
  visit_all_dtypes(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* s = static_cast<const T*>(src.raw_data());
    T* o = static_cast<T*>(out.raw_data());
    parallel_range(outer * m, row, [&](int64_t b, int64_t e) {
      int64_t r = b / m, j = b % m;  // out's row i is (src block r, index j)
      for (int64_t i = b; i < e; ++i) {
        const T* from = s + (r * n + idx[j * istride]) * row;
        if (row == 1) o[i] = *from;
        else std::memcpy(o + i * row, from, row * sizeof(T));
        if (++j == m) j = 0, ++r;
      }
    });
  });
}

void scatter(const Tensor& dst, const Tensor& src, const Tensor& index, int64_t dim_stride, ScatterOp op) {
  visit_all_dtypes(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Geometry<3> g({&dst, &index, &src});
    auto run = [dim_stride, op](char* const* p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = *reinterpret_cast<const int64_t*>(p[1] + i * s[1]);
        T& d = reinterpret_cast<T*>(p[0] + i * s[0])[k * dim_stride];
        const T v = *reinterpret_cast<const T*>(p[2] + i * s[2]);
        if constexpr (std::is_same_v<T, bool>) {
          d = op == ScatterOp::Assign ? v : (op == ScatterOp::Add || op == ScatterOp::Max) ? (d || v) : (d && v);
        } else {
          switch (op) {
            case ScatterOp::Assign: d = v; break;
            case ScatterOp::Add: d = T(d + v); break;
            case ScatterOp::Prod: d = T(d * v); break;
            // NaN wins, as torch's: v != v only for NaN, and d stays NaN once it is.
            case ScatterOp::Max: if (v != v || v > d) d = v; break;
            case ScatterOp::Min: if (v != v || v < d) d = v; break;
          }
        }
      }
    };
    g.for_range(0, g.numel, run);  // serial: several indices may name one element
  });
}

namespace {
/// x[idx] on a row-major x: each index selects a whole contiguous row, so copy rows, not
/// elements (the random access is then one cache miss per row). False for other layouts.
bool take_rows(const Tensor& out, const Tensor& src, const Tensor& offsets) {
  const int64_t nd = out.dim();
  int64_t k = nd;  // dims [0, k) are the index dims, [k, nd) the row
  while (k > 0 && offsets.strides()[k - 1] == 0) --k;
  int64_t rows = 1, row = 1, src_expect = 1, off_expect = 1;
  for (int64_t d = nd - 1; d >= 0; --d) {
    const int64_t size = out.sizes()[d];
    if (size == 1) continue;
    if (d >= k) {
      if (src.strides()[d] != src_expect) return false;
      src_expect *= size;
      row *= size;
    } else {
      if (src.strides()[d] != 0 || offsets.strides()[d] != off_expect) return false;
      off_expect *= size;
      rows *= size;
    }
  }
  if (!out.is_contiguous() || out.numel() == 0) return false;
  const int64_t* off = static_cast<const int64_t*>(offsets.raw_data());
  visit_all_dtypes(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* base = static_cast<const T*>(src.raw_data());
    T* o = static_cast<T*>(out.raw_data());
    parallel_range(rows, row, [&](int64_t b, int64_t e) {
      if (row == 1) {
        for (int64_t i = b; i < e; ++i) o[i] = base[off[i]];
      } else {
        for (int64_t i = b; i < e; ++i) std::memcpy(o + i * row, base + off[i], row * sizeof(T));
      }
    });
  });
  return true;
}
}  // namespace

void take_offsets(const Tensor& out, const Tensor& src, const Tensor& offsets) {
  if (take_rows(out, src, offsets)) return;
  visit_all_dtypes(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for_each<3>({&out, &offsets, &src}, [](char* const* p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = *reinterpret_cast<const int64_t*>(p[1] + i * s[1]);
        *reinterpret_cast<T*>(p[0] + i * s[0]) = reinterpret_cast<const T*>(p[2] + i * s[2])[k];
      }
    });
  });
}

void put_offsets(const Tensor& dst, const Tensor& value, const Tensor& offsets, bool accumulate) {
  visit_all_dtypes(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Geometry<3> g({&dst, &offsets, &value});
    auto run = [accumulate](char* const* p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = *reinterpret_cast<const int64_t*>(p[1] + i * s[1]);
        T& d = reinterpret_cast<T*>(p[0] + i * s[0])[k];
        const T v = *reinterpret_cast<const T*>(p[2] + i * s[2]);
        d = accumulate ? T(d + v) : v;
      }
    };
    g.for_range(0, g.numel, run);
  });
}

int64_t count_nonzero(const Tensor& t) {
  int64_t count = 0;
  visit_all_dtypes(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Geometry<1> g({&t});
    auto run = [&count](char* const* p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) count += *reinterpret_cast<const T*>(p[0] + i * s[0]) != T(0);
    };
    g.for_range(0, g.numel, run);
  });
  return count;
}

void nonzero(const Tensor& out, const Tensor& t) {
  const int64_t nd = t.dim();
  int64_t* o = out.data<int64_t>();
  std::vector<int64_t> idx(nd, 0);
  visit_all_dtypes(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* base = static_cast<const T*>(t.raw_data());
    for (int64_t flat = 0; flat < t.numel(); ++flat) {
      int64_t off = 0;
      for (int64_t d = 0; d < nd; ++d) off += idx[d] * t.strides()[d];
      if (base[off] != T(0)) {
        for (int64_t d = 0; d < nd; ++d) *o++ = idx[d];
      }
      for (int64_t d = nd - 1; d >= 0; --d) {
        if (++idx[d] < t.sizes()[d]) break;
        idx[d] = 0;
      }
    }
  });
}

void arange(const Tensor& out, double start, double step) {
  visit_all_dtypes(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = static_cast<T*>(out.raw_data());
    for (int64_t i = 0; i < out.numel(); ++i) o[i] = static_cast<T>(start + static_cast<double>(i) * step);
  });
}

void linspace(const Tensor& out, double start, double end) {
  const int64_t n = out.numel();
  if (n == 1) end = start;  // a single point is the start, as PyTorch
  // Symmetric from both ends, as PyTorch, so the last point is exactly `end`; in PyTorch's
  // arithmetic, bit for bit: float32 and float64 fuse step * i + start; float16 and bfloat16
  // round every operation to the dtype; integers are computed in double.
  visit_all_dtypes(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = static_cast<T*>(out.raw_data());
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      const T s = static_cast<T>(start), e = static_cast<T>(end), step = n > 1 ? (e - s) / static_cast<T>(n - 1) : T(0);
      for (int64_t i = 0; i < n; ++i)
        o[i] = i < n / 2 ? std::fma(step, static_cast<T>(i), s) : std::fma(-step, static_cast<T>(n - 1 - i), e);
    } else if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
      const auto r = [](float x) { return static_cast<float>(T(x)); };  // one operation in the dtype
      const float s = r(static_cast<float>(start)), e = r(static_cast<float>(end));
      const float step = n > 1 ? r(r(e - s) / static_cast<float>(n - 1)) : 0.0f;
      for (int64_t i = 0; i < n; ++i)
        o[i] = T(i < n / 2 ? s + r(step * static_cast<float>(i)) : e - r(step * static_cast<float>(n - 1 - i)));
    } else {
      const double step = n > 1 ? (end - start) / static_cast<double>(n - 1) : 0.0;
      for (int64_t i = 0; i < n; ++i)
        o[i] = static_cast<T>(i < n / 2 ? start + step * static_cast<double>(i)
                                        : end - step * static_cast<double>(n - 1 - i));
    }
  });
}

}  // namespace ember::cpu

#pragma once
// The one strided-iteration helper of the CPU kernels. Operands share one shape (inputs are
// already broadcast with stride-0 dims); dims are collapsed where every operand is contiguous
// across them, so a contiguous op becomes one flat run, and large ops are split across threads.
#include <omp.h>

#include <array>
#include <cstdint>

#include "cpu/isa.h"
#include "cpu/threads.h"
#include "ember/tensor.h"

namespace ember::cpu {
inline namespace EMBER_ISA {

constexpr int64_t kMaxDims = 64;
/// Below this many elements a kernel runs on one thread: waking the (sleeping, see
/// ember/__init__.py) OpenMP threads costs more than it saves.
constexpr int64_t kParallelGrain = 262144;

/// Shape and byte strides of N operands after collapsing dims; operand 0 is the output.
template <size_t N>
struct Geometry {
  int nd = 0;
  int64_t sizes[kMaxDims];
  int64_t strides[N][kMaxDims];  // bytes
  std::array<char*, N> base;
  int64_t numel = 1;

  explicit Geometry(const std::array<const Tensor*, N>& ts) {
    const Tensor& t0 = *ts[0];
    for (size_t k = 0; k < N; ++k) base[k] = static_cast<char*>(ts[k]->raw_data());
    // An empty shape runs nothing. Any other has at most 62 dims of size > 1 (its numel fits
    // int64), the only ones kept: a tensor of any number of dims fits the arrays.
    numel = numel_of(t0.sizes());
    if (numel == 0) return;
    // Drop size-1 dims, then merge neighbours that are contiguous for every operand.
    for (int64_t d = 0; d < t0.dim(); ++d) {
      int64_t sz = t0.sizes()[d];
      if (sz == 1) continue;
      bool merge = nd > 0;
      for (size_t k = 0; merge && k < N; ++k) {
        int64_t s = ts[k]->strides()[d] * ts[k]->itemsize();
        merge = strides[k][nd - 1] == s * sz;
      }
      if (merge) {
        sizes[nd - 1] *= sz;
        for (size_t k = 0; k < N; ++k) strides[k][nd - 1] = ts[k]->strides()[d] * ts[k]->itemsize();
      } else {
        sizes[nd] = sz;
        for (size_t k = 0; k < N; ++k) strides[k][nd] = ts[k]->strides()[d] * ts[k]->itemsize();
        ++nd;
      }
    }
  }

  /// Calls run(ptrs, inner_strides, n) for each innermost run of the flat range [begin, end).
  template <class F>
  void for_range(int64_t begin, int64_t end, F& run) const {
    std::array<char*, N> p;
    if (begin >= end) return;
    if (nd == 0) {
      int64_t zero[N] = {};
      if (begin < end) run(base.data(), zero, int64_t{1});
      return;
    }
    int64_t idx[kMaxDims];
    int64_t rem = begin;
    for (int d = nd - 1; d >= 0; --d) {
      idx[d] = rem % sizes[d];
      rem /= sizes[d];
    }
    int64_t inner_strides[N];
    for (size_t k = 0; k < N; ++k) inner_strides[k] = strides[k][nd - 1];
    const int64_t inner = sizes[nd - 1];
    while (begin < end) {
      for (size_t k = 0; k < N; ++k) {
        char* q = base[k];
        for (int d = 0; d < nd; ++d) q += idx[d] * strides[k][d];
        p[k] = q;
      }
      int64_t n = std::min(inner - idx[nd - 1], end - begin);
      run(p.data(), inner_strides, n);
      begin += n;
      idx[nd - 1] += n;
      for (int d = nd - 1; d > 0 && idx[d] == sizes[d]; --d) {
        idx[d] = 0;
        ++idx[d - 1];
      }
    }
  }
};

/// Runs a kernel over all elements of the operands, in parallel when large enough.
template <size_t N, class F>
void for_each(const std::array<const Tensor*, N>& ts, F run) {
  Geometry<N> g(ts);
  if (g.numel == 0) return;
  if (g.numel < kParallelGrain || num_threads() == 1) {
    g.for_range(0, g.numel, run);
    return;
  }
#pragma omp parallel
  {
    int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
    int64_t chunk = (g.numel + nt - 1) / nt;
    int64_t b = std::min(g.numel, t * chunk), e = std::min(g.numel, b + chunk);
    F local = run;
    g.for_range(b, e, local);
  }
}

/// out = f(x) over one run of n elements (pointers and byte strides, out first); a contiguous
/// run is a plain loop the compiler vectorizes. A fused graph replay runs its tiles through it too.
template <class R, class T, class F>
void map_run(F f, char* const* p, const int64_t* s, int64_t n) {
  R* o = reinterpret_cast<R*>(p[0]);
  const T* a = reinterpret_cast<const T*>(p[1]);
  if (s[0] == sizeof(R) && s[1] == sizeof(T)) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<R*>(p[0] + i * s[0]) = f(*reinterpret_cast<const T*>(p[1] + i * s[1]));
  }
}

/// out = f(x) elementwise (x broadcast to out's shape).
template <class R, class T, class F>
void map(const Tensor& out, const Tensor& x, F f) {
  for_each<2>({&out, &x}, [f](char* const* p, const int64_t* s, int64_t n) { map_run<R, T>(f, p, s, n); });
}

/// A view of t with dim removed (its first slice along dim).
inline Tensor drop_dim(const Tensor& t, int64_t dim) {
  Shape sizes = t.sizes(), strides = t.strides();
  sizes.erase(sizes.begin() + dim);
  strides.erase(strides.begin() + dim);
  return Tensor::make_view(t, sizes, strides, t.offset());
}

/// Runs body(begin, end) over [0, n) split across threads when n * cost_per_item is large.
template <class F>
void parallel_range(int64_t n, int64_t cost_per_item, F body) {
  if (n * cost_per_item < kParallelGrain || n < 2 || num_threads() == 1) {
    body(int64_t{0}, n);
    return;
  }
#pragma omp parallel
  {
    int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
    int64_t chunk = (n + nt - 1) / nt;
    int64_t b = std::min(n, t * chunk), e = std::min(n, b + chunk);
    if (b < e) body(b, e);
  }
}

}  // namespace EMBER_ISA
}  // namespace ember::cpu

// CPU kernels of layer norm over the rows of n normalized values of a contiguous tensor, and its
// backward: per row, two passes for the mean and the variance about it (LaneSums, cpu/lane_sum.h)
// and one for y; threads split the rows, and blocks of columns for the weight's and the bias's
// gradients. Compiled once per instruction set (cpu/isa.h), without fused multiply-adds
// (CMakeLists.txt): PyTorch's form x * rstd - mean * rstd must cancel where x is the mean.
#include <algorithm>
#include <cmath>

#include "cpu/lane_sum.h"
#include "cpu/loops.h"
#include "kernels.h"

namespace ember::cpu::layer_norm_rows::EMBER_ISA {

namespace {
/// Columns per work item of the weight's and bias's gradients (their double sums stay in cache).
constexpr int64_t kColumns = 256;
}  // namespace

// y = (x * rstd - mean * rstd) * w + b, PyTorch's kernel's form (a missing w is 1, a missing b
// 0: its signed zeros too); rstd = 1 / sqrt(max(var, 0) + eps) with the biased variance.
void layer_norm(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& w,
                const Tensor& b, double eps) {
  const int64_t rows = mean.numel(), n = rows > 0 ? x.numel() / rows : 0;
  visit_floating(x.dtype(), "layer_norm", [&](auto tag) {
    using T = decltype(tag);
    const T* px = static_cast<const T*>(x.raw_data());
    const T* pw = w.defined() ? static_cast<const T*>(w.raw_data()) : nullptr;
    const T* pb = b.defined() ? static_cast<const T*>(b.raw_data()) : nullptr;
    T *py = static_cast<T*>(y.raw_data()), *pm = static_cast<T*>(mean.raw_data()), *pr = static_cast<T*>(rstd.raw_data());
    parallel_range(rows, n, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const T* xr = px + r * n;
        T* yr = py + r * n;
        LaneSum<T> sum, sq;  // two passes: the mean, then the squares about it (no cancellation)
        sum.add(n, [=](int64_t k) { return xr[k]; });
        const T mu = static_cast<T>(sum.total() / static_cast<double>(n));
        sq.add(n, [=](int64_t k) {
          const T d = xr[k] - mu;
          return d * d;
        });
        const T var = static_cast<T>(sq.total() / static_cast<double>(n));
        const T scale = T(1) / std::sqrt(std::max(var, T(0)) + static_cast<T>(eps)), shift = -scale * mu;
        pm[r] = mu, pr[r] = scale;
        if (pw && pb)
          for (int64_t k = 0; k < n; ++k) yr[k] = (xr[k] * scale + shift) * pw[k] + pb[k];
        else if (pw)
          for (int64_t k = 0; k < n; ++k) yr[k] = (xr[k] * scale + shift) * pw[k] + T(0);
        else if (pb)
          for (int64_t k = 0; k < n; ++k) yr[k] = (xr[k] * scale + shift) + pb[k];
        else
          for (int64_t k = 0; k < n; ++k) yr[k] = (xr[k] * scale + shift) + T(0);
      }
    });
  });
}

// With xhat = (x - mean) rstd and gw = g w: dx = rstd (gw - mean(gw) - xhat mean(gw xhat)), the
// sums taken about the mean (not as sum(gw x) - mean sum(gw), which cancels); dw = sum over the
// rows of g xhat, db = sum of g.
void layer_norm_backward(const Tensor& dx, const Tensor& dw, const Tensor& db, const Tensor& g, const Tensor& x,
                         const Tensor& mean, const Tensor& rstd, const Tensor& w) {
  // (no rows: dw and db are still written, as zeros)
  const int64_t rows = mean.numel(), n = dw.defined() ? dw.numel() : db.defined() ? db.numel()
                                         : rows > 0 ? x.numel() / rows : 0;
  visit_floating(x.dtype(), "layer_norm_backward", [&](auto tag) {
    using T = decltype(tag);
    const T *pg = static_cast<const T*>(g.raw_data()), *px = static_cast<const T*>(x.raw_data());
    const T *pm = static_cast<const T*>(mean.raw_data()), *pr = static_cast<const T*>(rstd.raw_data());
    const T* pw = w.defined() ? static_cast<const T*>(w.raw_data()) : nullptr;
    if (dx.defined()) {
      T* pd = static_cast<T*>(dx.raw_data());
      parallel_range(rows, 2 * n, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
          const T *gr = pg + r * n, *xr = px + r * n;
          T* dr = pd + r * n;
          const T mu = pm[r], a = pr[r];
          LaneSum<T> s_gw, s_gwx;
          if (pw) {
            s_gw.add(n, [=](int64_t k) { return gr[k] * pw[k]; });
            s_gwx.add(n, [=](int64_t k) { return gr[k] * pw[k] * (xr[k] - mu); });
          } else {
            s_gw.add(n, [=](int64_t k) { return gr[k]; });
            s_gwx.add(n, [=](int64_t k) { return gr[k] * (xr[k] - mu); });
          }
          const double inv_n = 1 / static_cast<double>(n);
          const T shift = static_cast<T>(-a * s_gw.total() * inv_n);
          const T slope = static_cast<T>(-static_cast<double>(a) * a * a * s_gwx.total() * inv_n);
          if (pw)
            for (int64_t k = 0; k < n; ++k) dr[k] = a * (gr[k] * pw[k]) + slope * (xr[k] - mu) + shift;
          else
            for (int64_t k = 0; k < n; ++k) dr[k] = a * gr[k] + slope * (xr[k] - mu) + shift;
        }
      });
    }
    if (!dw.defined() && !db.defined()) return;
    T* pdw = dw.defined() ? static_cast<T*>(dw.raw_data()) : nullptr;
    T* pdb = db.defined() ? static_cast<T*>(db.raw_data()) : nullptr;
    // Blocks of columns, each summed over every row in double: no per-thread copies to add up.
    parallel_range((n + kColumns - 1) / kColumns, rows * kColumns, [&](int64_t begin, int64_t end) {
      for (int64_t block = begin; block < end; ++block) {
        const int64_t j0 = block * kColumns, width = std::min(kColumns, n - j0);
        double sw[kColumns] = {}, sb[kColumns] = {};
        for (int64_t r = 0; r < rows; ++r) {
          const T *gr = pg + r * n + j0, *xr = px + r * n + j0;
          const T mu = pm[r], a = pr[r];
          for (int64_t i = 0; i < width; ++i) sw[i] += gr[i] * ((xr[i] - mu) * a);
          for (int64_t i = 0; i < width; ++i) sb[i] += gr[i];
        }
        for (int64_t i = 0; i < width; ++i) {
          if (pdw) pdw[j0 + i] = static_cast<T>(sw[i]);
          if (pdb) pdb[j0 + i] = static_cast<T>(sb[i]);
        }
      }
    });
  });
}

}  // namespace ember::cpu::layer_norm_rows::EMBER_ISA

// CPU kernels of the recurrent layers (RNN tanh/relu, LSTM with its projection, GRU): one
// direction of one layer over a packed sequence. The input projection of every step is one GEMM
// into the gates buffer; each step then adds h_prev W_hh^T to its rows (a GEMM on the active rows)
// and one pass applies the nonlinearities and the state update. The backward runs the steps in
// reverse with one GEMM per step (the gradient reaching h_prev), then the weights' gradients and
// the input's as one GEMM each over all steps. Gate order and formulas are PyTorch's:
//   LSTM: i, f, g, o = s(.), s(.), tanh(.), s(.); c = f c_prev + i g; h = o tanh(c) (then W_hr h)
//   GRU:  r, z = s(.), s(.); n = tanh(x_n + b_in + r (W_hn h_prev + b_hn)); h = (1 - z) n + z h_prev
// BLAS is called outside any parallel region; the pointwise passes run on one thread (a step's
// rows are few) and vectorize.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "cpu/blas.h"
#include "cpu/threads.h"
#include "elementwise_fn.h"
#include "kernels.h"

namespace ember::cpu {
namespace {

// The pointwise passes' copies for AVX-512 and AVX2, picked per CPU at load time (an LSTM step's
// five exponentials per element made the baseline copy cost as much as the step's GEMM).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define EMBER_RNN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define EMBER_RNN_CLONES
#endif

/// c (m x n, ldc) = op(a) op(b) + beta c, row-major; op transposes where asked.
template <class T>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb,
          T beta, T* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == T(0) ? T(0) : beta * c[i * ldc + j];
    return;
  }
  const auto A = ta ? CblasTrans : CblasNoTrans, B = tb ? CblasTrans : CblasNoTrans;
  const int M = static_cast<int>(m), N = static_cast<int>(n), K = static_cast<int>(k);
  BlasScope scope;
  if constexpr (std::is_same_v<T, float>)
    EMBER_CBLAS(sgemm)(CblasRowMajor, A, B, M, N, K, 1.0f, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta, c,
                       static_cast<int>(ldc));
  else
    EMBER_CBLAS(dgemm)(CblasRowMajor, A, B, M, N, K, 1.0, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta, c,
                       static_cast<int>(ldc));
}

/// The per-step GEMMs are small (a step's rows): BLAS runs them on the calling thread. Its helper
/// threads gain nothing there, and on a busy machine each handoff to them can wait for a time
/// slice, a hundred times per sequence. The whole-sequence GEMMs keep every thread.
struct SerialBlas : BlasScope {
  SerialBlas() : BlasScope(/*serial=*/true) {}
};

/// A GEMM too small for BLAS's threads to pay (m n k below 4M multiply-adds).
bool small_gemm(int64_t m, int64_t n, int64_t k) { return m * n * k < (int64_t{1} << 22); }

template <class T>
EMBER_INLINE T sigmoid_of(T x) {
  return T(1) / (T(1) + ember_exp(-x));
}

/// Scratch memory left uninitialized (every element is written before it is read).
template <class T>
std::unique_ptr<T[]> scratch(int64_t n) {
  return std::unique_ptr<T[]>(new T[static_cast<size_t>(std::max<int64_t>(n, 1))]);
}

template <class T>
T* ptr(const Tensor& t) {
  return t.defined() ? static_cast<T*>(t.raw_data()) : nullptr;
}

// ---- the pointwise passes over one step's active rows (b rows) ----------------------------------

/// LSTM: g (b, 4H) holds x W_ih^T + h_prev W_hh^T, replaced by the activated gates; c (state rows,
/// updated), tc = tanh(c), h (ldh apart) = o tanh(c).
template <class T>
EMBER_RNN_CLONES void lstm_step(int64_t b, int64_t H, T* g, const T* bias, T* c, T* tc, T* h, int64_t ldh) {
  for (int64_t r = 0; r < b; ++r) {
    T *gi = g + r * 4 * H, *gf = gi + H, *gg = gf + H, *go = gg + H;
    T *cr = c + r * H, *tr = tc + r * H, *hr = h + r * ldh;
#pragma omp simd
    for (int64_t j = 0; j < H; ++j) {
      const T i = sigmoid_of(gi[j] + bias[j]), f = sigmoid_of(gf[j] + bias[H + j]);
      const T n = ember_tanh(gg[j] + bias[2 * H + j]), o = sigmoid_of(go[j] + bias[3 * H + j]);
      const T cn = f * cr[j] + i * n, t = ember_tanh(cn);
      gi[j] = i, gf[j] = f, gg[j] = n, go[j] = o;
      cr[j] = cn, tr[j] = t, hr[j] = o * t;
    }
  }
}

/// GRU: xg (b, 3H) holds x W_ih^T, hg (b, 3H) h_prev W_hh^T; xg becomes the gates r, z, n; hn keeps
/// W_hn h_prev + b_hn; h (state rows, ldh apart) = (1 - z) n + z h_prev.
template <class T>
EMBER_RNN_CLONES void gru_step(int64_t b, int64_t H, T* xg, const T* hg, const T* bias, const T* bias_hn, T* hn, T* h,
                               int64_t ldh) {
  for (int64_t r = 0; r < b; ++r) {
    T *xr = xg + r * 3 * H, *xz = xr + H, *xn = xz + H;
    const T *hr = hg + r * 3 * H, *hz = hr + H, *hh = hz + H;
    T *nr = hn + r * H, *out = h + r * ldh;
#pragma omp simd
    for (int64_t j = 0; j < H; ++j) {
      const T rg = sigmoid_of(xr[j] + hr[j] + bias[j]), z = sigmoid_of(xz[j] + hz[j] + bias[H + j]);
      const T hnj = hh[j] + bias_hn[j];
      const T n = ember_tanh(xn[j] + bias[2 * H + j] + rg * hnj);
      xr[j] = rg, xz[j] = z, xn[j] = n, nr[j] = hnj;
      out[j] = (T(1) - z) * n + z * out[j];
    }
  }
}

/// RNN: g (b, H) holds the pre-activation, replaced by h = tanh(.) or relu(.).
template <class T, bool kRelu>
EMBER_RNN_CLONES void simple_step(int64_t b, int64_t H, T* g, const T* bias) {
  for (int64_t r = 0; r < b; ++r) {
    T* gr = g + r * H;
#pragma omp simd
    for (int64_t j = 0; j < H; ++j) {
      const T v = gr[j] + bias[j];
      gr[j] = kRelu ? (v > T(0) ? v : T(0)) : ember_tanh(v);
    }
  }
}

/// LSTM backward of one step: dh (b, H) reaching h (before the projection), dc the state rows'
/// gradient (dc_t in, dc_{t-1} out); dg (b, 4H) = the pre-activation gates' gradient; db += dg.
template <class T>
EMBER_RNN_CLONES void lstm_step_backward(int64_t b, int64_t H, const T* g, const T* cp, const T* tc, const T* dh,
                                         T* dc, T* dg, T* db) {
  for (int64_t r = 0; r < b; ++r) {
    const T *gi = g + r * 4 * H, *gf = gi + H, *gg = gf + H, *go = gg + H;
    const T *cpr = cp + r * H, *tr = tc + r * H, *dhr = dh + r * H;
    T *dcr = dc + r * H, *di = dg + r * 4 * H, *df = di + H, *dgg = df + H, *dgo = dgg + H;
#pragma omp simd
    for (int64_t j = 0; j < H; ++j) {
      const T i = gi[j], f = gf[j], n = gg[j], o = go[j], t = tr[j];
      const T d = dcr[j] + dhr[j] * o * (T(1) - t * t);
      di[j] = d * n * i * (T(1) - i);
      df[j] = d * cpr[j] * f * (T(1) - f);
      dgg[j] = d * i * (T(1) - n * n);
      dgo[j] = dhr[j] * t * o * (T(1) - o);
      dcr[j] = d * f;
    }
  }
  if (db)
    for (int64_t r = 0; r < b; ++r) {
      const T* row = dg + r * 4 * H;
#pragma omp simd
      for (int64_t j = 0; j < 4 * H; ++j) db[j] += row[j];
    }
}

/// GRU backward of one step: dh (state rows, ldh apart) holds the gradient reaching h and leaves
/// with its direct part z dh; dxg, dhg (b, 3H): the gradients of x W_ih^T and of W_hh h_prev + b_hh.
template <class T>
EMBER_RNN_CLONES void gru_step_backward(int64_t b, int64_t H, const T* gates, const T* hn, const T* hp, T* dh,
                                        int64_t ldh, T* dxg, T* dhg) {
  for (int64_t r = 0; r < b; ++r) {
    const T *gr = gates + r * 3 * H, *gz = gr + H, *gn = gz + H, *hnr = hn + r * H, *hpr = hp + r * H;
    T *dhr = dh + r * ldh, *xr = dxg + r * 3 * H, *xz = xr + H, *xn = xz + H, *hr = dhg + r * 3 * H, *hz = hr + H,
      *hh = hz + H;
#pragma omp simd
    for (int64_t j = 0; j < H; ++j) {
      const T rg = gr[j], z = gz[j], n = gn[j], d = dhr[j];
      const T dn = d * (T(1) - z) * (T(1) - n * n);
      const T dr = dn * hnr[j] * rg * (T(1) - rg), dz = d * (hpr[j] - n) * z * (T(1) - z);
      xr[j] = hr[j] = dr;
      xz[j] = hz[j] = dz;
      xn[j] = dn;
      hh[j] = dn * rg;
      dhr[j] = d * z;
    }
  }
}

/// RNN backward of one step: dg (b, H) = dh through the activation, whose output g holds.
template <class T, bool kRelu>
EMBER_RNN_CLONES void simple_step_backward(int64_t b, int64_t H, const T* g, const T* dh, T* dg) {
  const int64_t n = b * H;
#pragma omp simd
  for (int64_t j = 0; j < n; ++j) dg[j] = kRelu ? (g[j] > T(0) ? dh[j] : T(0)) : dh[j] * (T(1) - g[j] * g[j]);
}

template <class T>
void add_rows(int64_t b, int64_t n, const T* src, T* dst) {
  for (int64_t r = 0; r < b; ++r) {
    const T* s = src + r * n;
    T* d = dst + r * n;
#pragma omp simd
    for (int64_t j = 0; j < n; ++j) d[j] += s[j];
  }
}

/// Column sums of a (rows, n) into out (n), accumulated.
template <class T>
void column_sums(int64_t rows, int64_t n, const T* a, T* out) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = a + r * n;
#pragma omp simd
    for (int64_t j = 0; j < n; ++j) out[j] += row[j];
  }
}

/// The first row of each step, in the order the steps run.
struct Steps {
  std::vector<int64_t> offset, order;
};
Steps steps_of(const RnnGeom& g) {
  Steps s;
  int64_t off = 0;
  const auto T = static_cast<int64_t>(g.batch_sizes.size());
  for (int64_t t = 0; t < T; ++t) {
    s.offset.push_back(off);
    off += g.batch_sizes[t];
  }
  for (int64_t k = 0; k < T; ++k) s.order.push_back(g.reverse ? T - 1 - k : k);
  return s;
}

template <class T>
void forward_impl(const RnnGeom& g, const Tensor& out_t, const Tensor& h_n, const Tensor& c_n, RnnWork& w,
                  const Tensor& x_t, const Tensor& h0, const Tensor& c0, const Tensor& w_ih_t, const Tensor& w_hh_t,
                  const Tensor& b_ih, const Tensor& b_hh, const Tensor& w_hr_t) {
  const int64_t H = g.hidden, P = g.out(), G = g.gates(), I = g.input, B = g.batch, N = g.rows();
  const bool lstm = g.mode == RnnMode::Lstm, gru = g.mode == RnnMode::Gru, proj = g.proj > 0;
  const T *x = ptr<T>(x_t), *w_ih = ptr<T>(w_ih_t), *w_hh = ptr<T>(w_hh_t), *w_hr = ptr<T>(w_hr_t);
  T *out = ptr<T>(out_t), *hs = ptr<T>(h_n), *cs = ptr<T>(c_n);
  // The biases folded into one vector (GRU keeps b_hn apart: r multiplies it).
  std::vector<T> bias(G, T(0)), bias_hn(gru ? H : 0, T(0));
  const T *bi = ptr<T>(b_ih), *bh = ptr<T>(b_hh);
  for (int64_t j = 0; j < G; ++j) {
    if (bi) bias[j] += bi[j];
    if (bh && !(gru && j >= 2 * H)) bias[j] += bh[j];
  }
  if (gru && bh) std::copy(bh + 2 * H, bh + 3 * H, bias_hn.begin());

  std::memcpy(hs, ptr<T>(h0), sizeof(T) * B * P);
  if (lstm) std::memcpy(cs, ptr<T>(c0), sizeof(T) * B * H);
  T* gates = ptr<T>(w.gates);
  std::optional<SerialBlas> serial;
  if (small_gemm(N, G, I)) serial.emplace();  // a cell's, or a short sequence's
  gemm<T>(false, true, N, G, I, x, I, w_ih, I, T(0), gates, G);  // every step's input projection at once
  if (!serial) serial.emplace();
  T *hprev = ptr<T>(w.hprev), *cprev = ptr<T>(w.cprev), *tc = ptr<T>(w.tanh_c), *hpre = ptr<T>(w.hpre),
    *hn = ptr<T>(w.hn);
  std::unique_ptr<T[]> hg = scratch<T>(gru ? B * G : 0);
  // Over many steps, W_hh^T (P, G) made contiguous once lets each step's GEMM read it untransposed,
  // which BLAS packs faster than the transposed layout, step after step.
  std::unique_ptr<T[]> w_hh_tr;
  const T* whh = w_hh;
  bool whh_trans = true;
  if (g.batch_sizes.size() > 1) {
    w_hh_tr = scratch<T>(G * P);
    for (int64_t r = 0; r < G; ++r)
      for (int64_t c = 0; c < P; ++c) w_hh_tr[c * G + r] = w_hh[r * P + c];
    whh = w_hh_tr.get(), whh_trans = false;
  }
  const int64_t ldw = whh_trans ? P : G;
  const Steps steps = steps_of(g);
  for (int64_t t : steps.order) {
    const int64_t off = steps.offset[t], b = g.batch_sizes[t];
    T *hp = hprev + off * P, *gt = gates + off * G;
    std::memcpy(hp, hs, sizeof(T) * b * P);
    if (lstm) {
      std::memcpy(cprev + off * H, cs, sizeof(T) * b * H);
      gemm<T>(false, whh_trans, b, G, P, hp, P, whh, ldw, T(1), gt, G);
      T* h = proj ? hpre + off * H : out + off * P;
      lstm_step<T>(b, H, gt, bias.data(), cs, tc + off * H, h, H);
      if (proj) gemm<T>(false, true, b, P, H, h, H, w_hr, H, T(0), out + off * P, P);
      if (hs != out + off * P) std::memcpy(hs, out + off * P, sizeof(T) * b * P);  // a cell's are one
    } else if (gru) {
      gemm<T>(false, whh_trans, b, G, H, hp, H, whh, ldw, T(0), hg.get(), G);
      gru_step<T>(b, H, gt, hg.get(), bias.data(), bias_hn.data(), hn + off * H, hs, H);
      if (hs != out + off * H) std::memcpy(out + off * H, hs, sizeof(T) * b * H);
    } else {
      gemm<T>(false, whh_trans, b, H, H, hp, H, whh, ldw, T(1), gt, H);
      if (g.mode == RnnMode::Relu) simple_step<T, true>(b, H, gt, bias.data());
      else simple_step<T, false>(b, H, gt, bias.data());
      std::memcpy(out + off * H, gt, sizeof(T) * b * H);
      if (hs != out + off * H) std::memcpy(hs, gt, sizeof(T) * b * H);
    }
  }
}

template <class T>
void backward_impl(const RnnGeom& g, RnnGrads& d, const Tensor& dout_t, const Tensor& dh_n, const Tensor& dc_n,
                   const RnnWork& w, const Tensor& x_t, const Tensor& w_ih_t, const Tensor& w_hh_t,
                   const Tensor& w_hr_t) {
  const int64_t H = g.hidden, P = g.out(), G = g.gates(), I = g.input, B = g.batch, N = g.rows();
  const bool lstm = g.mode == RnnMode::Lstm, gru = g.mode == RnnMode::Gru, proj = g.proj > 0;
  const T *x = ptr<T>(x_t), *w_ih = ptr<T>(w_ih_t), *w_hh = ptr<T>(w_hh_t), *w_hr = ptr<T>(w_hr_t);
  const T *dout = ptr<T>(dout_t), *gates = ptr<T>(w.gates), *hprev = ptr<T>(w.hprev), *cprev = ptr<T>(w.cprev),
          *tc = ptr<T>(w.tanh_c), *hpre = ptr<T>(w.hpre), *hn = ptr<T>(w.hn);
  // The state rows' gradients: dh (batch, out) and LSTM's dc (batch, hidden).
  std::vector<T> dh(ptr<T>(dh_n), ptr<T>(dh_n) + B * P), dc;
  if (lstm) dc.assign(ptr<T>(dc_n), ptr<T>(dc_n) + B * H);
  // Per row: the gradient of the input projection (dxg) and of the hidden one (dhg; GRU only differs).
  std::unique_ptr<T[]> dxg = scratch<T>(N * G), dhg = scratch<T>(gru ? N * G : 0), dhp = scratch<T>(proj ? N * P : 0),
                       dpre = scratch<T>(proj ? B * H : 0);
  std::vector<T> db_ih(G, T(0));
  const Steps steps = steps_of(g);
  std::optional<SerialBlas> serial(std::in_place);
  for (auto it = steps.order.rbegin(); it != steps.order.rend(); ++it) {
    const int64_t t = *it, off = steps.offset[t], b = g.batch_sizes[t];
    add_rows<T>(b, P, dout + off * P, dh.data());  // the output's gradient joins the carried one
    T* dg = dxg.get() + off * G;
    if (lstm) {
      const T* dhh = dh.data();  // the gradient reaching h before the projection
      if (proj) {
        std::memcpy(dhp.get() + off * P, dh.data(), sizeof(T) * b * P);
        gemm<T>(false, false, b, H, P, dh.data(), P, w_hr, H, T(0), dpre.get(), H);
        dhh = dpre.get();
      }
      lstm_step_backward<T>(b, H, gates + off * G, cprev + off * H, tc + off * H, dhh, dc.data(), dg, db_ih.data());
      gemm<T>(false, false, b, P, G, dg, G, w_hh, P, T(0), dh.data(), P);
    } else if (gru) {
      T* dgh = dhg.get() + off * G;
      gru_step_backward<T>(b, H, gates + off * G, hn + off * H, hprev + off * H, dh.data(), H, dg, dgh);
      gemm<T>(false, false, b, H, G, dgh, G, w_hh, H, T(1), dh.data(), H);
    } else {
      if (g.mode == RnnMode::Relu) simple_step_backward<T, true>(b, H, gates + off * G, dh.data(), dg);
      else simple_step_backward<T, false>(b, H, gates + off * G, dh.data(), dg);
      gemm<T>(false, false, b, H, H, dg, H, w_hh, H, T(0), dh.data(), H);
    }
  }
  if (!small_gemm(N, G, std::max(I, P))) serial.reset();
  if (d.dh0.defined()) std::memcpy(ptr<T>(d.dh0), dh.data(), sizeof(T) * B * P);
  if (d.dc0.defined()) std::memcpy(ptr<T>(d.dc0), dc.data(), sizeof(T) * B * H);
  const T* dhg_all = gru ? dhg.get() : dxg.get();
  if (d.dx.defined()) gemm<T>(false, false, N, I, G, dxg.get(), G, w_ih, I, T(0), ptr<T>(d.dx), I);
  if (d.dw_ih.defined()) gemm<T>(true, false, G, I, N, dxg.get(), G, x, I, T(0), ptr<T>(d.dw_ih), I);
  if (d.dw_hh.defined()) gemm<T>(true, false, G, P, N, dhg_all, G, hprev, P, T(0), ptr<T>(d.dw_hh), P);
  if (d.dw_hr.defined()) gemm<T>(true, false, P, H, N, dhp.get(), P, hpre, H, T(0), ptr<T>(d.dw_hr), H);
  if (d.db_ih.defined() || d.db_hh.defined()) {
    if (!lstm) column_sums<T>(N, G, dxg.get(), db_ih.data());  // LSTM summed them step by step
    std::vector<T> db_hh = db_ih;
    if (gru) {
      std::fill(db_hh.begin(), db_hh.end(), T(0));
      column_sums<T>(N, G, dhg.get(), db_hh.data());
    }
    if (d.db_ih.defined()) std::copy(db_ih.begin(), db_ih.end(), ptr<T>(d.db_ih));
    if (d.db_hh.defined()) std::copy(db_hh.begin(), db_hh.end(), ptr<T>(d.db_hh));
  }
}

}  // namespace

void rnn_forward(const RnnGeom& g, const Tensor& out, const Tensor& h_n, const Tensor& c_n, RnnWork& work,
                 const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& w_ih, const Tensor& w_hh,
                 const Tensor& b_ih, const Tensor& b_hh, const Tensor& w_hr) {
  EMBER_CHECK_RUNTIME(g.rows() <= INT_MAX && g.gates() <= INT_MAX && g.input <= INT_MAX,
                      "rnn: sizes exceed what the 32-bit BLAS can address");
  if (x.dtype() == DType::Float32) forward_impl<float>(g, out, h_n, c_n, work, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr);
  else forward_impl<double>(g, out, h_n, c_n, work, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr);
}

void rnn_backward(const RnnGeom& g, RnnGrads& grads, const Tensor& dout, const Tensor& dh_n, const Tensor& dc_n,
                  const RnnWork& work, const Tensor& x, const Tensor& w_ih, const Tensor& w_hh, const Tensor& w_hr) {
  if (x.dtype() == DType::Float32) backward_impl<float>(g, grads, dout, dh_n, dc_n, work, x, w_ih, w_hh, w_hr);
  else backward_impl<double>(g, grads, dout, dh_n, dc_n, work, x, w_ih, w_hh, w_hr);
}

}  // namespace ember::cpu

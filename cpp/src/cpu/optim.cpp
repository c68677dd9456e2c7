// The optimizers' fused steps: each element of a parameter is read, updated with its state and
// written back in one pass. The scalar formulas follow PyTorch's op order (lerp, addcmul,
// addcdiv), so float64 trajectories agree to rounding; float32 computes in float32 as PyTorch.
#include <omp.h>

#include <algorithm>
#include <functional>
#include <vector>
#include <cmath>
#include <type_traits>

#include "cpu/loops.h"
#include "kernels.h"

namespace ember::cpu {

namespace {

/// Calls f(std::bool_constant<flag>...) for run-time flags, so that each combination is its
/// own loop without branches, which the compiler vectorizes.
template <class F>
void with_flags(F&& f) {
  f();
}
template <class F, class... Flags>
void with_flags(F&& f, bool first, Flags... rest) {
  if (first) with_flags([&](auto... c) { f(std::true_type{}, c...); }, rest...);
  else with_flags([&](auto... c) { f(std::false_type{}, c...); }, rest...);
}

/// PyTorch's lerp: a + w (b - a) for w < 0.5, else b + (w - 1)(b - a) (exact at w = 1), each one
/// fused multiply-add as its kernel's fmadd; kLow says which (w is the same for every element).
template <bool kLow, class T>
inline T lerp(T a, T b, T w) {
  if constexpr (kLow) return std::fma(w, b - a, a);
  else return std::fma(w - T(1), b - a, b);
}

/// Calls f(T{}) for float or double.
template <class F>
void floating(const Tensor& p, F f) {
  if (p.dtype() == DType::Float64) f(double{});
  else f(float{});
}

template <class T>
T* ptr(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

}  // namespace

/// Elements above which the steps are split across threads: lower than the pointwise ops' grain,
/// since a step moves 3-7 values per element (a 100k-element Adam step takes ~0.2 ms alone).
constexpr int64_t kStepGrain = 32768;

void for_each_range(const std::vector<int64_t>& sizes, const std::function<void(size_t, int64_t, int64_t)>& work) {
  int64_t total = 0;
  for (int64_t n : sizes) total += n;
  const int threads = total >= kStepGrain ? num_threads() : 1;
  // Thread t takes elements [total t / nt, total (t + 1) / nt) of all the tensors laid end to end.
  auto share = [&](int64_t lo, int64_t hi) {
    int64_t start = 0;
    for (size_t i = 0; i < sizes.size() && start < hi; ++i) {
      const int64_t end = start + sizes[i], a = std::max(lo, start), b = std::min(hi, end);
      if (a < b) work(i, a - start, b - start);
      start = end;
    }
  };
  if (threads <= 1) {
    share(0, total);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    share(total * t / nt, total * (t + 1) / nt);
  }
}

// The loops spell torch's fused multiply-adds (each add_ with alpha, lerp) as std::fma, and only
// those: the file is built with -ffp-contract=off, so nothing else fuses and the rounding stays
// PyTorch's. A copy for CPUs with FMA (which implies 256-bit AVX) makes each one instruction,
// picked at load time; the baseline copy calls libm's fma, which rounds alike.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define EMBER_STEP_CLONES __attribute__((target_clones("fma", "default")))
#else
#define EMBER_STEP_CLONES
#endif

// Each kernel's loop is a function of its own whose scalars are by-value arguments: the
// compiler then knows no store can change them, and vectorizes. Every loop touches element i
// of each tensor only, so `omp simd` is safe even if two of them shared memory.

namespace {

template <class T>
struct SgdScalars {
  T lr, momentum, keep, weight_decay, sign;
};

/// torch's SGD step, op by op: each add_ with alpha is one fused multiply-add there (its add
/// kernel's fmadd(other, alpha, self)), the momentum's mul_ a rounding of its own.
template <class T, bool kDecay, bool kBuffer, bool kFirst, bool kNesterov>
EMBER_STEP_CLONES void sgd_range(int64_t begin, int64_t end, T* pp, const T* gp, T* bp, SgdScalars<T> c) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    T d = c.sign * gp[i];
    if constexpr (kDecay) d = std::fma(pp[i], c.weight_decay, d);  // grad.add(param, alpha=weight_decay)
    if constexpr (kBuffer) {
      const T b = kFirst ? d : std::fma(d, c.keep, bp[i] * c.momentum);  // buf.mul_(m).add_(grad, alpha=keep)
      bp[i] = b;
      d = kNesterov ? std::fma(b, c.momentum, d) : b;  // grad.add(buf, alpha=momentum)
    }
    pp[i] = std::fma(d, -c.lr, pp[i]);  // param.add_(grad, alpha=-lr)
  }
}

template <class T>
struct AdagradScalars {
  T neg_clr, weight_decay, eps, sign;
};

template <class T, bool kDecay>
EMBER_STEP_CLONES void adagrad_range(int64_t begin, int64_t end, T* pp, const T* gp, T* sp,
                                     AdagradScalars<T> c) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    T d = c.sign * gp[i];
    if constexpr (kDecay) d = std::fma(pp[i], c.weight_decay, d);  // grad.add(param, alpha=weight_decay)
    const T s = std::fma(d, d, sp[i]);  // state_sum.addcmul_(grad, grad, value=1)
    sp[i] = s;
    pp[i] = pp[i] + c.neg_clr * d / (std::sqrt(s) + c.eps);
  }
}

template <class T>
struct RmspropScalars {
  T lr, alpha, rest, weight_decay, eps, momentum, sign;
};

template <class T, bool kDecay, bool kCentered, bool kBuffer, bool kLow>
EMBER_STEP_CLONES void rmsprop_range(int64_t begin, int64_t end, T* pp, const T* gp, T* vp, T* mp, T* bp,
                                     RmspropScalars<T> c) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    T d = c.sign * gp[i];
    if constexpr (kDecay) d = std::fma(pp[i], c.weight_decay, d);  // grad.add(param, alpha=weight_decay)
    // square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
    const T v = std::fma(c.rest * d, d, vp[i] * c.alpha);
    vp[i] = v;
    T avg;
    if constexpr (kCentered) {
      const T m = lerp<kLow>(mp[i], d, c.rest);
      mp[i] = m;
      // square_avg.addcmul(grad_avg, grad_avg, value=-1): one rounding, so m^2 never overflows alone
      avg = std::sqrt(std::fma(-m, m, v)) + c.eps;
    } else {
      avg = std::sqrt(v) + c.eps;
    }
    if constexpr (kBuffer) {
      const T b = bp[i] * c.momentum + d / avg;
      bp[i] = b;
      pp[i] = std::fma(b, -c.lr, pp[i]);  // param.add_(buf, alpha=-lr)
    } else {
      pp[i] = pp[i] + -c.lr * d / avg;
    }
  }
}

template <class T>
struct AdamScalars {
  T neg_step_size, correction2_sqrt, w1, beta2, w2, eps, weight_decay, sign, shrink;
};

template <class T, bool kL2, bool kDecoupled, bool kAmsgrad, bool kLow>
EMBER_STEP_CLONES void adam_range(int64_t begin, int64_t end, T* pp, const T* gp, T* mp, T* vp, T* xp,
                                  AdamScalars<T> c) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    T x = pp[i], d = c.sign * gp[i];
    if constexpr (kDecoupled) x = x * c.shrink;
    if constexpr (kL2) d = std::fma(x, c.weight_decay, d);  // grad.add(param, alpha=weight_decay)
    const T m = lerp<kLow>(mp[i], d, c.w1);
    const T v = std::fma(c.w2 * d, d, vp[i] * c.beta2);  // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, ...)
    mp[i] = m;
    vp[i] = v;
    T second = v;
    if constexpr (kAmsgrad) {
      second = std::max(xp[i], v);
      xp[i] = second;
    }
    pp[i] = x + c.neg_step_size * m / (std::sqrt(second) / c.correction2_sqrt + c.eps);
  }
}

template <class T>
struct AdadeltaScalars {
  T neg_lr, rho, rest, eps, weight_decay, sign;
};

template <class T, bool kDecay>
EMBER_STEP_CLONES void adadelta_range(int64_t begin, int64_t end, T* pp, const T* gp, T* vp, T* up,
                                      AdadeltaScalars<T> c) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    T d = c.sign * gp[i];
    if constexpr (kDecay) d = std::fma(pp[i], c.weight_decay, d);  // grad.add(param, alpha=weight_decay)
    const T v = std::fma(c.rest * d, d, vp[i] * c.rho);  // square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
    vp[i] = v;
    const T delta = std::sqrt(up[i] + c.eps) / std::sqrt(v + c.eps) * d;
    // acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
    up[i] = std::fma(c.rest * delta, delta, up[i] * c.rho);
    pp[i] = std::fma(delta, c.neg_lr, pp[i]);  // param.add_(delta, alpha=-lr)
  }
}

/// max that propagates NaN from either side, as torch.maximum.
template <class T>
inline T nan_max(T a, T b) {
  return (a > b || a != a) ? a : b;
}

template <class T>
struct AdamaxScalars {
  T neg_clr, w1, beta2, eps, weight_decay, sign;
};

template <class T, bool kDecay, bool kLow>
EMBER_STEP_CLONES void adamax_range(int64_t begin, int64_t end, T* pp, const T* gp, T* mp, T* up,
                                    AdamaxScalars<T> c) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    T d = c.sign * gp[i];
    if constexpr (kDecay) d = std::fma(pp[i], c.weight_decay, d);  // grad.add(param, alpha=weight_decay)
    const T m = lerp<kLow>(mp[i], d, c.w1);
    const T u = nan_max(up[i] * c.beta2, std::abs(d) + c.eps);
    mp[i] = m;
    up[i] = u;
    pp[i] = pp[i] + c.neg_clr * m / u;
  }
}

template <class T>
struct NadamScalars {
  T grad_coef, avg_coef, correction2, w1, beta2, w2, eps, weight_decay, sign, shrink;
};

template <class T, bool kL2, bool kDecoupled, bool kLow>
EMBER_STEP_CLONES void nadam_range(int64_t begin, int64_t end, T* pp, const T* gp, T* mp, T* vp, NadamScalars<T> c) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    T x = pp[i], d = c.sign * gp[i];
    if constexpr (kDecoupled) x = x * c.shrink;
    if constexpr (kL2) d = std::fma(x, c.weight_decay, d);  // grad.add(param, alpha=weight_decay)
    const T m = lerp<kLow>(mp[i], d, c.w1);
    const T v = std::fma(c.w2 * d, d, vp[i] * c.beta2);  // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, ...)
    mp[i] = m;
    vp[i] = v;
    const T denom = std::sqrt(v / c.correction2) + c.eps;
    x = x + c.grad_coef * d / denom;
    pp[i] = x + c.avg_coef * m / denom;
  }
}

template <class T>
struct RadamScalars {
  T correction1, lr, correction2_sqrt, rect, w1, beta2, w2, eps, weight_decay, sign, shrink;
};

template <class T, bool kL2, bool kDecoupled, bool kRectified, bool kLow>
EMBER_STEP_CLONES void radam_range(int64_t begin, int64_t end, T* pp, const T* gp, T* mp, T* vp, RadamScalars<T> c) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    T x = pp[i], d = c.sign * gp[i];
    if constexpr (kDecoupled) x = x * c.shrink;
    if constexpr (kL2) d = std::fma(x, c.weight_decay, d);  // grad.add(param, alpha=weight_decay)
    const T m = lerp<kLow>(mp[i], d, c.w1);
    const T v = std::fma(c.w2 * d, d, vp[i] * c.beta2);  // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, ...)
    mp[i] = m;
    vp[i] = v;
    T update = m / c.correction1 * c.lr;
    if constexpr (kRectified) update = update * (c.correction2_sqrt / (std::sqrt(v) + c.eps)) * c.rect;
    pp[i] = x - update;
  }
}

template <class T>
struct AsgdScalars {
  T decay, neg_eta, mu, weight_decay, sign;
};

template <class T, bool kDecay, bool kAverage>
EMBER_STEP_CLONES void asgd_range(int64_t begin, int64_t end, T* pp, const T* gp, T* ap, AsgdScalars<T> c) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    T d = c.sign * gp[i];
    if constexpr (kDecay) d = std::fma(pp[i], c.weight_decay, d);  // grad.add(param, alpha=weight_decay)
    const T x = std::fma(d, c.neg_eta, pp[i] * c.decay);  // param.mul_(1 - lambd * eta).add_(grad, alpha=-eta)
    pp[i] = x;
    ap[i] = kAverage ? ap[i] + (x - ap[i]) * c.mu : x;
  }
}

}  // namespace

void sgd_step(const Tensor& p, const Tensor& g, const Tensor& buf, const SgdStep& s, int64_t begin, int64_t end) {
  floating(p, [&](auto zero) {
    using T = decltype(zero);
    T *pp = ptr<T>(p), *bp = ptr<T>(buf);
    const T* gp = ptr<T>(g);
    const SgdScalars<T> c{T(s.lr), T(s.momentum), T(s.keep), T(s.weight_decay), T(s.sign)};
    with_flags([&](auto kDecay, auto kBuffer, auto kFirst, auto kNesterov) {
      sgd_range<T, kDecay, kBuffer, kFirst, kNesterov>(begin, end, pp, gp, bp, c);
    }, s.weight_decay != 0, bp != nullptr, s.first, s.nesterov);
  });
}

void adagrad_step(const Tensor& p, const Tensor& g, const Tensor& sum, const AdagradStep& s, int64_t begin,
                  int64_t end) {
  floating(p, [&](auto zero) {
    using T = decltype(zero);
    T *pp = ptr<T>(p), *sp = ptr<T>(sum);
    const T* gp = ptr<T>(g);
    const AdagradScalars<T> c{T(s.neg_clr), T(s.weight_decay), T(s.eps), T(s.sign)};
    with_flags([&](auto kDecay) {
      adagrad_range<T, kDecay>(begin, end, pp, gp, sp, c);
    }, s.weight_decay != 0);
  });
}

void rmsprop_step(const Tensor& p, const Tensor& g, const Tensor& square_avg, const Tensor& grad_avg,
                  const Tensor& buf, const RmspropStep& s, int64_t begin, int64_t end) {
  floating(p, [&](auto zero) {
    using T = decltype(zero);
    T *pp = ptr<T>(p), *vp = ptr<T>(square_avg), *mp = ptr<T>(grad_avg), *bp = ptr<T>(buf);
    const T* gp = ptr<T>(g);
    const RmspropScalars<T> c{T(s.lr), T(s.alpha), T(s.rest), T(s.weight_decay), T(s.eps), T(s.momentum), T(s.sign)};
    with_flags([&](auto kDecay, auto kCentered, auto kBuffer, auto kLow) {
      rmsprop_range<T, kDecay, kCentered, kBuffer, kLow>(begin, end, pp, gp, vp, mp, bp, c);
    }, s.weight_decay != 0, mp != nullptr, bp != nullptr, c.rest < T(0.5));
  });
}

void adam_step(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const Tensor& vmax,
               const AdamStep& s, int64_t begin, int64_t end) {
  floating(p, [&](auto zero) {
    using T = decltype(zero);
    T *pp = ptr<T>(p), *mp = ptr<T>(m), *vp = ptr<T>(v), *xp = ptr<T>(vmax);
    const T* gp = ptr<T>(g);
    const AdamScalars<T> c{T(s.neg_step_size), T(s.correction2_sqrt), T(s.w1), T(s.beta2), T(s.w2), T(s.eps),
                           T(s.weight_decay), T(s.sign), T(s.shrink)};
    with_flags([&](auto kL2, auto kDecoupled, auto kAmsgrad, auto kLow) {
      adam_range<T, kL2, kDecoupled, kAmsgrad, kLow>(begin, end, pp, gp, mp, vp, xp, c);
    }, s.l2, s.decoupled, xp != nullptr, c.w1 < T(0.5));
  });
}

void adadelta_step(const Tensor& p, const Tensor& g, const Tensor& square_avg, const Tensor& acc_delta,
                   const AdadeltaStep& s, int64_t begin, int64_t end) {
  floating(p, [&](auto zero) {
    using T = decltype(zero);
    T *pp = ptr<T>(p), *vp = ptr<T>(square_avg), *up = ptr<T>(acc_delta);
    const T* gp = ptr<T>(g);
    const AdadeltaScalars<T> c{T(s.neg_lr), T(s.rho), T(s.rest), T(s.eps), T(s.weight_decay), T(s.sign)};
    with_flags([&](auto kDecay) {
      adadelta_range<T, kDecay>(begin, end, pp, gp, vp, up, c);
    }, s.weight_decay != 0);
  });
}

void adamax_step(const Tensor& p, const Tensor& g, const Tensor& exp_avg, const Tensor& exp_inf, const AdamaxStep& s,
                 int64_t begin, int64_t end) {
  floating(p, [&](auto zero) {
    using T = decltype(zero);
    T *pp = ptr<T>(p), *mp = ptr<T>(exp_avg), *up = ptr<T>(exp_inf);
    const T* gp = ptr<T>(g);
    const AdamaxScalars<T> c{T(s.neg_clr), T(s.w1), T(s.beta2), T(s.eps), T(s.weight_decay), T(s.sign)};
    with_flags([&](auto kDecay, auto kLow) {
      adamax_range<T, kDecay, kLow>(begin, end, pp, gp, mp, up, c);
    }, s.weight_decay != 0, c.w1 < T(0.5));
  });
}

void nadam_step(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const NadamStep& s, int64_t begin,
                int64_t end) {
  floating(p, [&](auto zero) {
    using T = decltype(zero);
    T *pp = ptr<T>(p), *mp = ptr<T>(m), *vp = ptr<T>(v);
    const T* gp = ptr<T>(g);
    const NadamScalars<T> c{T(s.grad_coef), T(s.avg_coef), T(s.correction2), T(s.w1), T(s.beta2), T(s.w2),
                            T(s.eps), T(s.weight_decay), T(s.sign), T(s.shrink)};
    with_flags([&](auto kL2, auto kDecoupled, auto kLow) {
      nadam_range<T, kL2, kDecoupled, kLow>(begin, end, pp, gp, mp, vp, c);
    }, s.l2, s.decoupled, c.w1 < T(0.5));
  });
}

void radam_step(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const RadamStep& s, int64_t begin,
                int64_t end) {
  floating(p, [&](auto zero) {
    using T = decltype(zero);
    T *pp = ptr<T>(p), *mp = ptr<T>(m), *vp = ptr<T>(v);
    const T* gp = ptr<T>(g);
    const RadamScalars<T> c{T(s.correction1), T(s.lr), T(s.correction2_sqrt), T(s.rect), T(s.w1), T(s.beta2),
                            T(s.w2), T(s.eps), T(s.weight_decay), T(s.sign), T(s.shrink)};
    with_flags([&](auto kL2, auto kDecoupled, auto kRectified, auto kLow) {
      radam_range<T, kL2, kDecoupled, kRectified, kLow>(begin, end, pp, gp, mp, vp, c);
    }, s.l2, s.decoupled, s.rect != 0, c.w1 < T(0.5));
  });
}

void asgd_step(const Tensor& p, const Tensor& g, const Tensor& ax, const AsgdStep& s, int64_t begin, int64_t end) {
  floating(p, [&](auto zero) {
    using T = decltype(zero);
    T *pp = ptr<T>(p), *ap = ptr<T>(ax);
    const T* gp = ptr<T>(g);
    const AsgdScalars<T> c{T(s.decay), T(s.neg_eta), T(s.mu), T(s.weight_decay), T(s.sign)};
    with_flags([&](auto kDecay, auto kAverage) {
      asgd_range<T, kDecay, kAverage>(begin, end, pp, gp, ap, c);
    }, s.weight_decay != 0, s.mu != 1);
  });
}

}  // namespace ember::cpu

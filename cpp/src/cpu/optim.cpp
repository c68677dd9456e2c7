// The optimizers' fused steps: each element of a parameter is read, updated with its state and
// written back in one pass. The scalar formulas follow PyTorch's op order (lerp, addcmul,
// addcdiv), so float64 trajectories agree to rounding; float32 computes in float32 as PyTorch.
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "cpu/loops.h"
#include "kernels.h"

namespace ember::cpu {

namespace {

/// f(begin, end) over [0, n), split across threads when n is large.
template <class F>
void parallel_ranges(int64_t n, F f) {
  const int threads = n >= kParallelGrain ? omp_get_max_threads() : 1;
  if (threads <= 1) {
    f(int64_t{0}, n);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    f(n * t / nt, n * (t + 1) / nt);
  }
}

/// PyTorch's lerp: a + w (b - a) for w < 0.5, else b - (b - a)(1 - w) (exact at w = 1).
template <class T>
inline T lerp(T a, T b, T w) {
  return w < T(0.5) ? a + w * (b - a) : b - (b - a) * (T(1) - w);
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

void sgd_step(const Tensor& p, const Tensor& g, const Tensor& buf, const optim::SGDOptions& o, bool first) {
  floating(p, [&](auto zero) {
    using T = decltype(zero);
    T *pp = ptr<T>(p), *bp = ptr<T>(buf);
    const T* gp = ptr<T>(g);
    const T lr = T(o.lr), mom = T(o.momentum), keep = T(1 - o.dampening), wd = T(o.weight_decay);
    const T sign = o.maximize ? T(-1) : T(1);
    const bool decay = o.weight_decay != 0, nesterov = o.nesterov;
    parallel_ranges(p.numel(), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        T d = sign * gp[i];
        if (decay) d = d + wd * pp[i];
        if (bp) {
          const T b = first ? d : bp[i] * mom + keep * d;
          bp[i] = b;
          d = nesterov ? d + mom * b : b;
        }
        pp[i] = pp[i] + -lr * d;
      }
    });
  });
}

void adagrad_step(const Tensor& p, const Tensor& g, const Tensor& sum, const optim::AdagradOptions& o, double clr) {
  floating(p, [&](auto zero) {
    using T = decltype(zero);
    T *pp = ptr<T>(p), *sp = ptr<T>(sum);
    const T* gp = ptr<T>(g);
    const T step = T(-clr), wd = T(o.weight_decay), eps = T(o.eps), sign = o.maximize ? T(-1) : T(1);
    const bool decay = o.weight_decay != 0;
    parallel_ranges(p.numel(), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        T d = sign * gp[i];
        if (decay) d = d + wd * pp[i];
        const T s = sp[i] + d * d;
        sp[i] = s;
        pp[i] = pp[i] + step * d / (std::sqrt(s) + eps);
      }
    });
  });
}

void rmsprop_step(const Tensor& p, const Tensor& g, const Tensor& square_avg, const Tensor& grad_avg,
                  const Tensor& buf, const optim::RMSpropOptions& o) {
  floating(p, [&](auto zero) {
    using T = decltype(zero);
    T *pp = ptr<T>(p), *vp = ptr<T>(square_avg), *mp = ptr<T>(grad_avg), *bp = ptr<T>(buf);
    const T* gp = ptr<T>(g);
    const T lr = T(o.lr), alpha = T(o.alpha), rest = T(1 - o.alpha), wd = T(o.weight_decay), eps = T(o.eps);
    const T mom = T(o.momentum), sign = o.maximize ? T(-1) : T(1);
    const bool decay = o.weight_decay != 0;
    parallel_ranges(p.numel(), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        T d = sign * gp[i];
        if (decay) d = d + wd * pp[i];
        const T v = vp[i] * alpha + rest * d * d;
        vp[i] = v;
        T avg;
        if (mp) {
          const T m = lerp(mp[i], d, rest);
          mp[i] = m;
          avg = std::sqrt(v + T(-1) * m * m) + eps;
        } else {
          avg = std::sqrt(v) + eps;
        }
        if (bp) {
          const T b = bp[i] * mom + d / avg;
          bp[i] = b;
          pp[i] = pp[i] + -lr * b;
        } else {
          pp[i] = pp[i] + -lr * d / avg;
        }
      }
    });
  });
}

namespace {
/// Adam's loop with its branches fixed at compile time (the hot path of the benchmarks).
template <class T, bool kL2, bool kAmsgrad>
void adam_loop(int64_t n, T* pp, const T* gp, T* mp, T* vp, T* xp, const optim::AdamOptions& o, int64_t step) {
  const double t = static_cast<double>(step);
  const double correction1 = 1 - std::pow(o.beta1, t), correction2 = 1 - std::pow(o.beta2, t);
  const T neg_step_size = T(-(o.lr / correction1)), correction2_sqrt = T(std::sqrt(correction2));
  const T w1 = T(1 - o.beta1), beta2 = T(o.beta2), w2 = T(1 - o.beta2), eps = T(o.eps);
  const T wd = T(o.weight_decay), sign = o.maximize ? T(-1) : T(1);
  const T shrink = T(1 - o.lr * o.weight_decay);  // AdamW's decoupled decay
  const bool decoupled = o.decoupled_weight_decay && o.weight_decay != 0;
  parallel_ranges(n, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      T p = pp[i], d = sign * gp[i];
      if (decoupled) p = p * shrink;
      if constexpr (kL2) d = d + wd * p;
      const T m = lerp(mp[i], d, w1);
      const T v = vp[i] * beta2 + w2 * d * d;
      mp[i] = m;
      vp[i] = v;
      T second = v;
      if constexpr (kAmsgrad) {
        second = std::max(xp[i], v);
        xp[i] = second;
      }
      pp[i] = p + neg_step_size * m / (std::sqrt(second) / correction2_sqrt + eps);
    }
  });
}
}  // namespace

void adam_step(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const Tensor& vmax,
               const optim::AdamOptions& o, int64_t step) {
  floating(p, [&](auto zero) {
    using T = decltype(zero);
    const bool l2 = !o.decoupled_weight_decay && o.weight_decay != 0;
    auto run = [&](auto loop) { loop(p.numel(), ptr<T>(p), ptr<T>(g), ptr<T>(m), ptr<T>(v), ptr<T>(vmax), o, step); };
    if (l2) {
      if (vmax.defined()) run(adam_loop<T, true, true>);
      else run(adam_loop<T, true, false>);
    } else {
      if (vmax.defined()) run(adam_loop<T, false, true>);
      else run(adam_loop<T, false, false>);
    }
  });
}

}  // namespace ember::cpu

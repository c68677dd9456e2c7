// Creation ops, conversion and the random ops.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include "autograd/record.h"
#include "ember/ops.h"
#include "kernels.h"
#include "ops/dtype_limits.h"

namespace ember {

Tensor empty(const Shape& size, DType dtype, Device device) { return Tensor::empty(size, dtype, device); }

Tensor zeros(const Shape& size, DType dtype, Device device) { return full(size, 0, dtype, device); }

Tensor ones(const Shape& size, DType dtype, Device device) { return full(size, 1, dtype, device); }

namespace {
DType default_dtype_for(Scalar v) {
  return v.kind() == DType::Float64 ? default_dtype() : v.kind();
}
}  // namespace

void check_fits(Scalar v, DType dtype, const char* op) {
  if (dtype == DType::Bool || dtype == DType::Float64 || v.kind() == DType::Bool) return;
  bool fits = true;
  if (is_floating(dtype)) {  // the floats hold infinities and NaN; finite values must be in range
    const double max = dtype == DType::Float32 ? 3.4028234663852886e38
                       : dtype == DType::Float16 ? 65504.0 : 3.3895313892515355e38;
    const double x = v.to_double();
    fits = !std::isfinite(x) || std::fabs(x) <= max;
  } else {
    const int bits = static_cast<int>(itemsize(dtype)) * 8;
    const bool is_unsigned = dtype == DType::UInt8;
    const double hi = is_unsigned ? 255.0 : std::ldexp(1.0, bits - 1) - 1, lo = is_unsigned ? 0.0 : -hi - 1;
    if (v.is_floating()) {
      const double x = v.to_double();
      fits = std::isfinite(x) && (dtype == DType::Int64 ? x >= -9223372036854775808.0 && x < 9223372036854775808.0
                                                         : x >= lo && x <= hi);
    } else if (dtype != DType::Int64) {
      // Negative integers may wrap into uint8 (x - y read as x + 255 y), as PyTorch allows.
      const int64_t x = v.to<int64_t>();
      fits = x <= static_cast<int64_t>(hi) && x >= (is_unsigned ? -255 : static_cast<int64_t>(lo));
    }
  }
  char number[32];  // a float as Python prints it (1e+308, not its 309 digits)
  if (v.is_floating()) std::snprintf(number, sizeof number, "%.17g", v.to_double());
  EMBER_CHECK_RUNTIME(fits, op, ": value ", v.is_floating() ? std::string(number) : std::to_string(v.to<int64_t>()),
                      " cannot be converted to ", dtype_name(dtype), " without overflow");
}

Tensor full(const Shape& size, Scalar value, OptDType dtype, Device device) {
  const DType dt = dtype.value_or(default_dtype_for(value));
  check_fits(value, dt, "full");  // a float past float32's range refused for the default dtype too, as torch's
  Tensor t = Tensor::empty(size, dt, device);
  call_kernel(device, "full", cpu::fill, t, value);
  return t;
}

Tensor& resize_(Tensor& t, const Shape& size) {
  if (t.sizes() == size) return t;
  EMBER_CHECK_RUNTIME(!t.requires_grad(), "resize_: cannot resize a tensor that requires grad");
  t.check_writable("resize_");
  TensorImpl& impl = *t.impl();
  const int64_t n = checked_numel(size, t.itemsize(), "resize_");
  const int64_t needed = (impl.offset + n) * t.itemsize();
  if (needed > impl.storage->nbytes) {
    auto grown = Storage::allocate(needed, t.device(), "resize_");
    std::memcpy(grown->data(), impl.storage->data(), static_cast<size_t>(impl.storage->nbytes));
    impl.storage = std::move(grown);
  }
  impl.sizes = size;
  impl.strides = contiguous_strides(size);
  impl.numel = n;
  t.bump_version();
  return t;
}

Tensor scalar_tensor(Scalar value, OptDType dtype, Device device) {
  Tensor t = Tensor::empty({}, dtype.value_or(value.kind()), device);
  visit_all_dtypes(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    *static_cast<T*>(t.raw_data()) = value.to<T>();
  });
  t.impl()->is_wrapped_number = !dtype.has_value();
  return t;
}

Tensor arange(Scalar start, Scalar end, Scalar step, OptDType dtype, Device device) {
  const bool any_float = start.is_floating() || end.is_floating() || step.is_floating();
  const DType dt = dtype.value_or(any_float ? default_dtype() : DType::Int64);
  const double a = start.to_double(), b = end.to_double(), s = step.to_double();
  EMBER_CHECK(std::isfinite(a) && std::isfinite(b), "arange: start and end must be finite, got ", a, " and ", b);
  EMBER_CHECK(s != 0, "arange: step must be nonzero");
  EMBER_CHECK((s > 0 && b >= a) || (s < 0 && b <= a), "arange: upper bound and larger bound inconsistent with step sign (start=",
              a, ", end=", b, ", step=", s, ")");
  if (any_float && is_integral(dt, false)) {
    // An integer range starts and steps by the truncated values, as torch's; its length comes
    // from the truncated values for int64 and from the given ones for the narrower dtypes
    // (whose truncated step may be 0: the start repeated).
    EMBER_CHECK(std::isfinite(s) && std::fabs(a) < 9.2e18 && std::fabs(b) < 9.2e18 && std::fabs(s) < 9.2e18,
                "arange: start, end and step must fit int64 for dtype ", dtype_name(dt));
    const auto ia = static_cast<int64_t>(a), ib = static_cast<int64_t>(b), is = static_cast<int64_t>(s);
    if (dt == DType::Int64) return arange(Scalar(ia), Scalar(ib), Scalar(is), dt, device);
    const auto n = static_cast<int64_t>(std::ceil((b - a) / s));
    return to_dtype(add(mul(arange(Scalar(int64_t{0}), Scalar(n), Scalar(int64_t{1}), DType::Int64, device),
                            scalar_tensor(is)), scalar_tensor(ia)), dt);
  }
  if (!any_float && is_integral(dt, false)) {
    // Integer bounds in integer arithmetic: doubles lose precision beyond 2^53.
    const __int128 ia = start.to<int64_t>(), ib = end.to<int64_t>(), is = step.to<int64_t>();
    const __int128 n = (ib - ia + is + (is > 0 ? -1 : 1)) / is;
    Tensor t = Tensor::empty({static_cast<int64_t>(n)}, DType::Int64, device);
    int64_t* p = t.data<int64_t>();
    for (int64_t i = 0; i < static_cast<int64_t>(n); ++i) p[i] = static_cast<int64_t>(ia + is * i);
    return to_dtype(t, dt);
  }
  const double count = std::ceil((b - a) / s);
  EMBER_CHECK(count < 9.2e18, "arange: ", count, " elements are too many");
  Tensor t = Tensor::empty({static_cast<int64_t>(count)}, dt, device);
  call_kernel(device, "arange", cpu::arange, t, a, s);
  return t;
}

Tensor linspace(double start, double end, int64_t steps, DType dtype, Device device) {
  EMBER_CHECK(steps >= 0, "linspace: number of steps must be non-negative, got ", steps);
  if (is_integral(dtype, false)) {  // integer points between the bounds truncated, as torch's
    EMBER_CHECK(std::isfinite(start) && std::isfinite(end), "linspace: start and end must be finite for dtype ",
                dtype_name(dtype));
    // The bounds as torch's kernel reads them (Scalar::to<T>): checked to fit, a whole number
    // read as the int it came from, so uint8 takes -255..-1 and wraps them (-3 is 253).
    for (double* bound : {&start, &end}) {
      const double v = *bound;
      check_fits(v == std::trunc(v) && std::fabs(v) < 9e18 ? Scalar(static_cast<int64_t>(v)) : Scalar(v), dtype,
                 "linspace");
      *bound = std::trunc(v) + (dtype == DType::UInt8 && v < 0 ? 256 : 0);
    }
  } else {
    check_fits(Scalar(start), dtype, "linspace");
    check_fits(Scalar(end), dtype, "linspace");
  }
  Tensor t = Tensor::empty({steps}, dtype, device);
  call_kernel(device, "linspace", cpu::linspace, t, start, end);
  return t;
}

Tensor eye(int64_t n, std::optional<int64_t> m_opt, DType dtype, Device device) {
  const int64_t m = m_opt.value_or(n);
  EMBER_CHECK(n >= 0, "eye: n must be non-negative, got ", n);
  EMBER_CHECK(m >= 0, "eye: m must be non-negative, got ", m);
  Tensor t = zeros({n, m}, dtype, device);
  Tensor diag = Tensor::make_view(t, {std::min(n, m)}, {m + 1}, 0);
  fill_(diag, 1);
  return t;
}

// ---- random ---------------------------------------------------------------------------
// Every draw runs inside call_kernel with the generator as an argument, so a captured graph
// (ember/graph.h) draws fresh numbers from the live generator at each replay, as eager does.
namespace {
Generator* generator_or_default(Generator* gen) { return gen ? gen : &default_generator(); }

/// Runs fill(out, generator) on the contiguous out under the generator's lock, inside call_kernel
/// (fill captures by value: a recorded call outlives this frame).
template <class F>
void locked_fill(const char* op, const Tensor& t, Generator* gen, F fill) {
  call_kernel(t.device(), op, [fill](const Tensor& out, Generator* g) {
    std::lock_guard<std::mutex> lock(g->mutex());
    fill(out, *g);
  }, t, generator_or_default(gen));
}
/// A fill that draws each element in turn: out[i] = draw(generator, i), cast to out's dtype.
template <class F>
auto each_element(F draw) {
  return [draw](const Tensor& out, Generator& g) {
    visit_all_dtypes(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* p = static_cast<T*>(out.raw_data());
      for (int64_t i = 0; i < out.numel(); ++i) p[i] = static_cast<T>(draw(g, i));
    });
  };
}
template <class F>
void random_fill(const char* op, const Tensor& t, Generator* gen, F draw) {
  locked_fill(op, t, gen, each_element(draw));
}
/// Runs a fill on a contiguous temporary and copies it into t when t is a strided view.
template <class F>
Tensor& random_fill_(Tensor& t, const char* op, Generator* gen, F fill) {
  t.check_in_place(op);
  if (autograd::inplace_requires_grad(t, {}, op))  // new values owe nothing to the old ones
    return autograd::apply_inplace(t, op, [&](const Tensor& old) {
      Tensor fresh = Tensor::empty(old.sizes(), old.dtype(), old.device());
      locked_fill(op, fresh, gen, fill);
      return fresh;
    }, false);
  if (t.is_contiguous()) {
    locked_fill(op, t, gen, fill);
  } else {
    Tensor tmp = Tensor::empty(t.sizes(), t.dtype(), t.device());
    locked_fill(op, tmp, gen, fill);
    call_kernel(t.device(), op, cpu::copy, t, tmp);
  }
  t.bump_version();
  return t;
}

/// torch's normal_ for 16 or more contiguous elements: uniforms for all of them, then Box-Muller
/// over the two halves of each block of 16; when the size is no multiple of 16, the last 16 are
/// drawn again and transformed (cpu/random_fill.cpp: float32 through torch's AVX2 approximations,
/// float64 through libm).
template <class T, class Draw>
void normal_in_blocks(T* d, int64_t n, T mean, T std, Draw draw) {
  for (int64_t i = 0; i < n; ++i) d[i] = draw();
  cpu::normal_blocks16(d, n / 16, mean, std);
  if (n % 16 != 0) {
    for (int64_t i = n - 16; i < n; ++i) d[i] = draw();
    cpu::normal_blocks16(d + n - 16, 1, mean, std);
  }
}
/// The same into out of any floating dtype: float16 and bfloat16 are torch's float32 values for
/// whole blocks over the size rounded up to 16, the last 16 taken from the padded last block.
void normal_blocks(const Tensor& out, double mean, double std, Generator& g) {
  const int64_t n = out.numel();
  const auto doubles = [&g] { return g.next_double(); };
  const auto floats = [&g] { return g.next_float(); };
  if (out.dtype() == DType::Float64) return normal_in_blocks(out.data<double>(), n, mean, std, doubles);
  const float m = static_cast<float>(mean), s = static_cast<float>(std);
  if (out.dtype() == DType::Float32) return normal_in_blocks(out.data<float>(), n, m, s, floats);
  const int64_t padded = (n + 15) / 16 * 16;
  std::vector<float> buf(padded);
  normal_in_blocks(buf.data(), padded, m, s, floats);
  if (padded != n) std::copy(buf.end() - 16, buf.end(), buf.begin() + (n - 16));
  visit_all_dtypes(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = static_cast<T*>(out.raw_data());
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(buf[i]);
  });
}
}  // namespace

Tensor rand(const Shape& size, DType dtype, Generator* gen) {
  Tensor t = Tensor::empty(size, dtype);
  return uniform_(t, 0, 1, gen);
}

Tensor randn(const Shape& size, DType dtype, Generator* gen) {
  Tensor t = Tensor::empty(size, dtype);
  return normal_(t, 0, 1, gen);
}

Tensor randint(int64_t low, int64_t high, const Shape& size, DType dtype, Generator* gen) {
  EMBER_CHECK_RUNTIME(low < high, "randint: expected low < high, got low=", low, ", high=", high);  // torch: RuntimeError
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  Tensor t = Tensor::empty(size, dtype);
  random_fill("randint", t, gen, [low, range](Generator& g, int64_t) { return static_cast<int64_t>(low + g.next_below(range)); });
  return t;
}

Tensor randperm(int64_t n, DType dtype, Generator* gen) {
  EMBER_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  Tensor t = arange(0, n, 1, DType::Int64);
  // torch's shuffle: element i swaps with one of i..n-1, picked by one draw modulo n - i
  call_kernel(t.device(), "randperm", [](const Tensor& perm, Generator* g) {
    std::lock_guard<std::mutex> lock(g->mutex());
    int64_t* p = perm.data<int64_t>();
    for (int64_t i = 0, n = perm.numel(); i + 1 < n; ++i) std::swap(p[i], p[i + g->next_u32() % (n - i)]);
  }, t, generator_or_default(gen));
  return to_dtype(t, dtype);
}

Tensor bernoulli(const Tensor& p, Generator* gen) {
  EMBER_CHECK_TYPE(is_floating(p.dtype()), "bernoulli: expected a floating probability tensor, got ",
                   dtype_name(p.dtype()));
  Tensor pc = contiguous(to_dtype(p, DType::Float64));
  Tensor out = Tensor::empty(p.sizes(), p.dtype());
  // The probabilities are checked inside the kernel, so a replayed graph checks them too.
  const bool doubles = p.dtype() == DType::Float64;
  call_kernel(p.device(), "bernoulli", [doubles](const Tensor& o, const Tensor& probs, Generator* g) {
    const double* pp = probs.data<double>();
    for (int64_t i = 0; i < probs.numel(); ++i)
      EMBER_CHECK(pp[i] >= 0 && pp[i] <= 1, "bernoulli: expected all probabilities in [0, 1], got ", pp[i]);
    std::lock_guard<std::mutex> lock(g->mutex());
    visit_all_dtypes(o.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* q = static_cast<T*>(o.raw_data());
      // torch's: a uniform of the probabilities' precision (double for float64, else float)
      for (int64_t i = 0; i < o.numel(); ++i)
        q[i] = static_cast<T>(doubles ? g->next_double() < pp[i] : g->next_float() < static_cast<float>(pp[i]));
    });
  }, out, pc, generator_or_default(gen));
  return out;
}

Tensor& uniform_(Tensor& t, double from, double to, Generator* gen) {
  EMBER_CHECK_TYPE(is_floating(t.dtype()), "uniform_: expected a floating tensor, got ", dtype_name(t.dtype()));
  // torch's order: each bound within the dtype's finite range, then from <= to
  const double top = finite_max(t.dtype());
  EMBER_CHECK_RUNTIME(-top <= from && from <= top, "uniform_: from is out of bounds for ", dtype_name(t.dtype()),
                      ", got ", from);
  EMBER_CHECK_RUNTIME(-top <= to && to <= top, "uniform_: to is out of bounds for ", dtype_name(t.dtype()), ", got ",
                      to);
  EMBER_CHECK(from <= to, "uniform_: expected from <= to, got from=", from, ", to=", to);
  // torch's: from + u * (to - from) as one fused multiply-add, float64 from 53 random bits, the others
  // from 24 in float32, rounded to the dtype; a value that rounds to `to` is `from`, so `to` never
  // comes out
  if (t.dtype() == DType::Float64)
    return random_fill_(t, "uniform_", gen, each_element([from, to](Generator& g, int64_t) {
      return std::fma(g.next_double(), to - from, from);
    }));
  const float lo = static_cast<float>(from), hi = static_cast<float>(to);
  return random_fill_(t, "uniform_", gen, [lo, hi](const Tensor& out, Generator& g) {
    if (out.dtype() == DType::Float32) return cpu::uniform_floats(out.data<float>(), out.numel(), lo, hi, g);
    std::vector<float> buf(out.numel());
    cpu::uniform_floats(buf.data(), out.numel(), lo, hi, g);
    visit_all_dtypes(out.dtype(), [&](auto tag) {  // rounded to the 16-bit dtype, `to` again `from`
      using T = decltype(tag);
      const T top = static_cast<T>(hi), bottom = static_cast<T>(lo);
      T* p = static_cast<T*>(out.raw_data());
      for (int64_t i = 0; i < out.numel(); ++i) {
        const T v = static_cast<T>(buf[i]);
        p[i] = v == top ? bottom : v;
      }
    });
  });
}

Tensor& normal_(Tensor& t, double mean, double std, Generator* gen) {
  EMBER_CHECK_TYPE(is_floating(t.dtype()), "normal_: expected a floating tensor, got ", dtype_name(t.dtype()));
  EMBER_CHECK(std >= 0, "normal_: expected std >= 0, got ", std);
  // as torch's kernel: blocks of 16 for 16 or more contiguous elements, else one draw of the
  // generator's double normal per element
  const bool blocks = t.numel() >= 16 && t.is_contiguous();
  auto one_by_one = each_element([mean, std](Generator& g, int64_t) { return std::fma(g.next_normal(), std, mean); });
  return random_fill_(t, "normal_", gen, [blocks, mean, std, one_by_one](const Tensor& out, Generator& g) {
    if (blocks) normal_blocks(out, mean, std, g);
    else one_by_one(out, g);
  });
}

Tensor& bernoulli_(Tensor& t, double p, Generator* gen) {
  EMBER_CHECK(p >= 0 && p <= 1, "bernoulli_: expected p in [0, 1], got ", p);
  return random_fill_(t, "bernoulli_", gen, each_element([p](Generator& g, int64_t) { return g.next_double() < p; }));
}

namespace {
/// multinomial's kernel: checks each row of w (float64, contiguous) and draws into out.
void multinomial_draw(const Tensor& out, const Tensor& w, bool replacement, Generator* gen) {
  const bool two_d = w.dim() == 2;
  const int64_t n = w.sizes().back(), rows = two_d ? w.sizes()[0] : 1, num_samples = out.sizes().back();
  const double* pw = w.data<double>();
  for (int64_t r = 0; r < rows; ++r) {
    const double* row = pw + r * n;
    double total = 0;
    for (int64_t i = 0; i < n; ++i) {
      EMBER_CHECK_RUNTIME(std::isfinite(row[i]) && row[i] >= 0, "multinomial: probability tensor contains either "
                          "`inf`, `nan` or element < 0 (", row[i], " at ", two_d ? "row " : "",
                          two_d ? std::to_string(r) + ", " : "", "index ", i, ")");
      total += row[i];
    }
    EMBER_CHECK_RUNTIME(total > 0, "multinomial: invalid multinomial distribution (sum of probabilities <= 0)",
                        two_d ? " in row " + std::to_string(r) : "");
  }
  int64_t* po = out.data<int64_t>();
  Generator& g = *gen;
  std::lock_guard<std::mutex> lock(g.mutex());
  std::vector<double> cdf(n);
  std::vector<std::pair<double, int64_t>> race;
  for (int64_t r = 0; r < rows; ++r) {
    const double* row = pw + r * n;
    int64_t* o = po + r * num_samples;
    if (replacement && num_samples > 1) {
      double sum = 0;
      int64_t last = 0;  // the last category of nonzero weight (for u * total rounding up to total)
      for (int64_t i = 0; i < n; ++i) {
        sum += row[i];
        cdf[i] = sum;
        if (row[i] > 0) last = i;
      }
      for (int64_t s = 0; s < num_samples; ++s) {
        const double u = g.next_double() * sum;
        const int64_t i = std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin();
        o[s] = std::min(i, last);
      }
      continue;
    }
    race.clear();
    for (int64_t i = 0; i < n; ++i) {
      const double e = -std::log1p(-g.next_double());  // Exp(1); 0 gives an infinite key
      race.emplace_back(row[i] > 0 ? row[i] / e : -e, i);
    }
    auto larger = [](const std::pair<double, int64_t>& a, const std::pair<double, int64_t>& b) {
      return a.first > b.first || (a.first == b.first && a.second < b.second);
    };
    std::partial_sort(race.begin(), race.begin() + num_samples, race.end(), larger);
    for (int64_t s = 0; s < num_samples; ++s) o[s] = race[s].second;
  }
}
}  // namespace

/// Each row of weights is checked (finite, >= 0, a positive sum), then drawn from under the
/// generator's lock. With replacement (more than one sample), a draw inverts the row's cumulative
/// sum at a uniform in [0, total): a zero weight adds an empty interval, so it is never drawn.
/// Without replacement or for one sample, the exponential race: each category gets w / E with
/// E ~ Exp(1) (torch's exponential_: -log1p(-u) of a double uniform), and the
/// num_samples largest, in decreasing order, are distributed as successive draws that remove what
/// they took (as PyTorch's CPU kernel). Zero weights get -E, after every positive key: once the
/// nonzero categories run out, the rest come in random order, as PyTorch's.
Tensor multinomial(const Tensor& weights, int64_t num_samples, bool replacement, Generator* gen) {
  EMBER_CHECK_RUNTIME(weights.dim() == 1 || weights.dim() == 2, "multinomial: prob_dist must be 1 or 2 dim, got shape ",
                      shape_str(weights.sizes()));
  EMBER_CHECK_TYPE(is_floating(weights.dtype()), "multinomial: only supports floating-point dtypes for input, got ",
                   dtype_name(weights.dtype()));
  EMBER_CHECK_RUNTIME(num_samples > 0, "multinomial: cannot sample n_sample <= 0 samples (num_samples=", num_samples,
                      ")");
  const int64_t n = weights.sizes().back(), rows = weights.dim() == 2 ? weights.sizes()[0] : 1;
  EMBER_CHECK_RUNTIME(replacement || num_samples <= n, "multinomial: cannot sample n_sample > prob_dist.size(-1) "
                      "samples without replacement (num_samples=", num_samples, ", ", n, " categories)");
  const Tensor w = contiguous(to_dtype(weights, DType::Float64));
  Shape out_shape = weights.dim() == 2 ? Shape{rows, num_samples} : Shape{num_samples};
  Tensor out = Tensor::empty(out_shape, DType::Int64);
  // Checks and draws in one kernel, so a replayed graph checks the weights it draws from.
  call_kernel(weights.device(), "multinomial", multinomial_draw, out, w, replacement, generator_or_default(gen));
  return out;
}

// ---- copies and conversion ------------------------------------------------------------

Tensor& copy_(Tensor& dst, const Tensor& src) {
  dst.check_in_place("copy_");
  if (src.sizes() != dst.sizes()) {
    const Shape b = broadcast_shapes(dst.sizes(), src.sizes(), "copy_");
    EMBER_CHECK(b == dst.sizes(), "copy_: source of shape ", shape_str(src.sizes()),
                " cannot be broadcast to the destination's shape ", shape_str(dst.sizes()));
  }
  if (autograd::inplace_requires_grad(dst, {&src}, "copy_"))
    return autograd::apply_inplace(dst, "copy_", [&](const Tensor&) {
      return to_dtype(expand(src, dst.sizes()), dst.dtype(), true);
    }, false);
  Tensor s = unaliased(src, dst);
  if (src.sizes() != dst.sizes()) s = expand(s, dst.sizes());
  call_kernel(dst.device(), "copy_", cpu::copy, dst, s);
  dst.bump_version();
  return dst;
}

Tensor& fill_(Tensor& t, Scalar value) {
  t.check_writable("fill_");
  check_fits(value, t.dtype(), "fill_");
  if (autograd::inplace_requires_grad(t, {}, "fill_"))
    return autograd::apply_inplace(t, "fill_", [&](const Tensor& old) {
      return full(old.sizes(), value, old.dtype(), old.device());
    }, false);
  call_kernel(t.device(), "fill_", cpu::fill, t, value);
  t.bump_version();
  return t;
}

Tensor& zero_(Tensor& t) { return fill_(t, 0); }

Tensor unaliased(const Tensor& src, const Tensor& dst) {
  const bool same_view = src.offset() == dst.offset() && src.sizes() == dst.sizes() && src.strides() == dst.strides();
  return src.storage() == dst.storage() && !same_view ? clone(src) : src;
}

Tensor clone(const Tensor& t) {
  Tensor out = Tensor::empty(t.sizes(), t.dtype(), t.device());
  call_kernel(t.device(), "clone", cpu::copy, out, t);
  if (autograd::needs_grad(t))
    autograd::record("CloneBackward0", {out}, {t}, {}, [](const Tensors& g, const Tensors&) { return Tensors{g[0]}; });
  return out;
}

Tensor contiguous(const Tensor& t) { return t.is_contiguous() ? t : clone(t); }

Tensor to_dtype(const Tensor& t, DType dtype, bool copy) {
  if (t.dtype() == dtype && !copy) return t;
  Tensor out = Tensor::empty(t.sizes(), dtype, t.device());
  call_kernel(t.device(), "to", cpu::copy, out, t);
  if (autograd::needs_grad(t) && is_floating(dtype))  // the gradient goes back in the input's dtype
    autograd::record("ToCopyBackward0", {out}, {t}, {}, [from = t.dtype()](const Tensors& g, const Tensors&) {
      return Tensors{to_dtype(g[0], from)};
    });
  return out;
}

}  // namespace ember

// Pointwise ops composed of the table's (elementwise.def): add and sub with alpha, addcmul,
// addcdiv and lerp (on the fused multiply-add kernel where PyTorch's kernels fuse, each with
// PyTorch's backward, so that values and gradients round as theirs), nan_to_num, logit,
// float_power, ldexp, polygamma, isin. The others have no kernel of their own and no backward but
// logit's (torch's formula, which the composite's chain rule does not give at 0, 1 and outside
// [0, 1]): their gradients, double gradients and every dtype come from the ops they are written with.
#include <algorithm>
#include <cmath>
#include <limits>

#include "autograd/record.h"
#include "ember/autograd.h"
#include "ember/ops.h"
#include "kernels.h"
#include "ops/dtype_limits.h"
#include "ops/inplace.h"
#include "ops/multiply_add.h"
#include "ops/promotion.h"

namespace ember {

Tensor& assign_composite(Tensor& x, const char* op, std::initializer_list<const Tensor*> others,
                         const std::function<Tensor(const Tensor&)>& f) {
  x.check_in_place(op);
  // The result must keep x's shape and fit x's dtype (a float result does not fit an integer x).
  auto fitted = [&x, op](const Tensor& r) {
    EMBER_CHECK(r.sizes() == x.sizes(), op, ": output with shape ", shape_str(x.sizes()),
                " doesn't match the broadcast shape ", shape_str(r.sizes()));
    const bool too_wide = (is_floating(r.dtype()) && !is_floating(x.dtype())) ||
                          (r.dtype() != DType::Bool && x.dtype() == DType::Bool);
    EMBER_CHECK_RUNTIME(!too_wide, op, ": result type ", dtype_name(r.dtype()), " can't be cast to the desired output type ",
                        dtype_name(x.dtype()));
    return to_dtype(r, x.dtype());
  };
  if (autograd::inplace_requires_grad(x, others, op))
    return autograd::apply_inplace(x, op, [&](const Tensor& old) { return fitted(f(old)); }, true);
  return copy_(x, fitted(f(x)));
}

namespace {
using TernaryKernel = void (*)(const Tensor&, const Tensor&, const Tensor&, const Tensor&);

/// kernel(out, a, b, c) on the operands cast to widened(dt) (float32 for the 16-bit floats) and
/// broadcast, the result cast to dt (floating). The kernels are cpu::multiply_add (a * b + c
/// rounded once: PyTorch's kernels fuse add with alpha, addcmul and lerp so, its vectorized loops'
/// fmadd and its scalar loops compiled to the same) and cpu::lerp. No history: the callers record
/// their ops' nodes.
Tensor ternary(const char* op, TernaryKernel kernel, const Tensor& a, const Tensor& b, const Tensor& c, DType dt) {
  const DType ct = widened(dt);
  const Shape shape = broadcast_shapes(broadcast_shapes(a.sizes(), b.sizes(), op), c.sizes(), op);
  auto operand = [&](const Tensor& t) {
    const Tensor w = to_dtype(t, ct);
    return w.sizes() == shape ? w : expand(w, shape);
  };
  Tensor out = Tensor::empty(shape, ct, c.device());
  call_kernel(c.device(), op, kernel, out, operand(a), operand(b), operand(c));
  return to_dtype(out, dt);
}

}  // namespace

Tensor multiply_add(const Tensor& a, const Tensor& b, const Tensor& c, DType dt) {
  return ternary("multiply_add", cpu::multiply_add, a, b, c, dt);
}

namespace {
/// float32 or float64: the dtypes the ternary kernels run in (16-bit results go through float32;
/// their add with alpha keeps torch's scalar loop where torch does: see add_alpha).
bool fused(DType dt) { return dt == DType::Float32 || dt == DType::Float64; }

/// x = kernel(a, b, c) in one pass when no history is recorded, x is float32 or float64 and the
/// op's result (of dtype `result`) keeps x's dtype and shape (hand-written SGD's
/// p.add_(g, alpha=-lr), an EMA's lerp_): true when done, false leaves x to the composite's rules.
bool ternary_into(Tensor& x, const char* op, TernaryKernel kernel, const Tensor& a, const Tensor& b, const Tensor& c,
                  DType result) {
  if (!fused(x.dtype()) || result != x.dtype() || autograd::needs_grad({x, a, b, c})) return false;
  const Shape shape = broadcast_shapes(broadcast_shapes(a.sizes(), b.sizes(), op), c.sizes(), op);
  if (shape != x.sizes()) return false;
  auto operand = [&](const Tensor& t) { return expand(to_dtype(unaliased(t, x), x.dtype()), shape); };
  call_kernel(x.device(), op, kernel, x, operand(a), operand(b), operand(c));
  x.bump_version();
  return true;
}

/// Whether strides lay out elements of these sizes without gaps or overlaps, in some order of
/// the dims.
bool dense(const Shape& sizes, const Shape& strides) {
  std::vector<std::pair<int64_t, int64_t>> dims;  // (stride, size) of the dims of size > 1
  for (size_t d = 0; d < sizes.size(); ++d)
    if (sizes[d] > 1) dims.emplace_back(strides[d], sizes[d]);
  std::sort(dims.begin(), dims.end());
  int64_t expected = 1;
  for (auto [stride, size] : dims) {
    if (stride != expected) return false;
    expected *= size;
  }
  return true;
}

/// Where torch's AVX2 add kernel takes its vectorized loop for a float16/bfloat16 result: the
/// first n - n % 32 elements of each run of n it walks (two registers of 16 per step), the rest
/// going to its scalar loop. Its TensorIterator copies an operand of another dtype into the
/// result's first (the layout kept if dense), orders the dims by the operands' strides (its
/// insertion sort: the smaller stride inner, broadcast dims deferring to the next operand, equal
/// strides the smaller size inner), lays the result out in that order, and merges dims from the
/// innermost while every operand is contiguous across them: the merged dims are a run. It
/// vectorizes a run whose innermost stride is 1 for every operand, or 0 for one input; runs of
/// other layouts (an undefined mask here), and runs under 32, take the scalar loop throughout.
/// One range is assumed: torch splits tensors past 32768 elements among its threads, each part
/// with a tail of its own.
Tensor vector_loop_mask(const Tensor& input, const Tensor& other, DType dt) {
  constexpr int64_t kStep = 32;
  const Shape shape = broadcast_shapes(input.sizes(), other.sizes(), "add");
  const int64_t nd = static_cast<int64_t>(shape.size());
  if (numel_of(shape) < kStep) return Tensor();
  std::vector<Shape> strides;  // each input's as torch walks it, broadcast (0-d ones are scalars)
  int scalars = 0;             // inputs read as one value along the run
  for (const Tensor* t : {&input, &other}) {
    if (t->dim() == 0) {
      ++scalars;
      continue;
    }
    const bool kept = t->dtype() == dt || dense(t->sizes(), t->strides());
    const Shape own = kept ? t->strides() : contiguous_strides(t->sizes());
    Shape st(nd, 0);
    for (int64_t d = t->dim() - 1, e = nd - 1; d >= 0; --d, --e) st[e] = t->sizes()[d] == 1 ? 0 : own[d];
    strides.push_back(st);
  }
  // torch's reorder_dimensions: perm[0] the innermost dim.
  std::vector<int64_t> perm(nd);
  for (int64_t i = 0; i < nd; ++i) perm[i] = nd - 1 - i;
  auto should_swap = [&](int64_t d0, int64_t d1) {
    for (const Shape& st : strides) {
      if (st[d0] == 0 || st[d1] == 0) continue;
      if (st[d0] != st[d1]) return st[d0] < st[d1] ? -1 : 1;
      if (shape[d0] > shape[d1]) return 1;
    }
    return 0;
  };
  for (int64_t i = 1; i < nd; ++i) {
    int64_t d1 = i;
    for (int64_t d0 = i - 1; d0 >= 0; --d0) {
      const int c = should_swap(perm[d0], perm[d1]);
      if (c > 0) {
        std::swap(perm[d0], perm[d1]);
        d1 = d0;
      } else if (c < 0) {
        break;
      }
    }
  }
  // The result, laid out in that order, is contiguous across any dims; the inputs decide the run.
  int64_t run = 1, inner = -1;  // inner: the run's innermost dim of size > 1
  Shape run_stride(nd, 0);      // an element's place in its run, by dim
  for (int64_t i = 0; i < nd; ++i) {
    const int64_t d = perm[i];
    if (shape[d] == 1) continue;
    if (inner >= 0) {
      bool merges = true;
      for (const Shape& st : strides) merges = merges && st[d] == st[inner] * run;
      if (!merges) break;
    } else {
      inner = d;
    }
    run_stride[d] = run;
    run *= shape[d];
  }
  for (const Shape& st : strides) {
    if (st[inner] != 0 && st[inner] != 1) return Tensor();
    scalars += st[inner] == 0;
  }
  if (scalars > 1 || run < kStep) return Tensor();
  const Tensor positions = Tensor::make_view(arange(0, run, 1, DType::Int64, input.device()), shape, run_stride, 0);
  return lt(positions, scalar_tensor(run - run % kStep));
}

/// input + alpha * other (alpha negated for sub), as PyTorch's add kernel.
Tensor add_alpha(const char* op, const Tensor& input, const Tensor& other, Scalar alpha, bool negate) {
  const DType dt = result_type(input, other);
  check_fits(alpha, dt, op);  // alpha is read in the result's dtype, as torch's
  const double k = negate ? -alpha.to_double() : alpha.to_double();
  const bool rec = autograd::needs_grad(input, other);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    if (fused(dt)) {
      out = multiply_add(other, scalar_tensor(k, dt), input, dt);
    } else {
      // Integers: alpha * other in int64, wrapping as theirs. The 16-bit floats: alpha read in
      // the dtype, the product rounded to it before the sum, as torch's scalar loop; where its
      // vectorized loop runs, one multiply-add in float32 (docs: PyTorch differences).
      const DType compute = is_floating(dt) ? dt : widened(dt);
      const Tensor scaled = mul(to_dtype(other, compute), scalar_tensor(alpha, compute));
      const Tensor wide = to_dtype(input, compute);
      out = to_dtype(negate ? sub(wide, scaled) : add(wide, scaled), dt);
      const Tensor vector_loop = is_floating(dt) ? vector_loop_mask(input, other, dt) : Tensor();
      if (vector_loop.defined())
        out = where(vector_loop, multiply_add(to_dtype(other, dt), scalar_tensor(k, dt), to_dtype(input, dt), dt), out);
    }
  }
  if (rec)  // torch's: grad, grad * alpha
    autograd::record(negate ? "SubBackward0" : "AddBackward0", {out}, {input, other}, {},
                     [k](const Tensors& g, const Tensors&) { return Tensors{g[0], mul(g[0], scalar_tensor(k))}; });
  return out;
}

/// x = add_alpha(x, other), in one pass where it can (ternary_into).
Tensor& add_alpha_(const char* op, Tensor& x, const Tensor& other, Scalar alpha, bool negate) {
  const char* name = negate ? "sub_" : "add_";
  x.check_in_place(name);
  if (fused(x.dtype())) {
    check_fits(alpha, result_type(x, other), op);  // read in the computation's dtype (float64 for a float64 other)
    const Tensor k = scalar_tensor(negate ? -alpha.to_double() : alpha.to_double(), x.dtype());
    if (ternary_into(x, op, cpu::multiply_add, other, k, x, result_type(x, other))) return x;
  }
  return assign_composite(x, name, {&other},
                          [&](const Tensor& old) { return add_alpha(op, old, other, alpha, negate); });
}

/// The common dtype of addcmul's and addcdiv's operands, checked as PyTorch's: not bool, shapes
/// that broadcast, value that fits (read in float32 for the 16-bit floats; an integer dtype
/// truncates a float value).
DType addc_dtype(const char* op, const Tensor& input, const Tensor& tensor1, const Tensor& tensor2, Scalar value) {
  const DType dt = result_type_of({&input, &tensor1, &tensor2});
  EMBER_CHECK_TYPE(dt != DType::Bool, op, ": not implemented for bool tensors");
  broadcast_shapes(broadcast_shapes(input.sizes(), tensor1.sizes(), op), tensor2.sizes(), op);
  check_fits(value, is_floating(dt) ? widened(dt) : dt, op);
  return dt;
}

/// Each operand cast to dt (an int32 2**31 - 1 is inf in float16), then to the compute dtype.
Tensor in_compute(const Tensor& t, DType dt) { return to_dtype(to_dtype(t, dt), widened(dt)); }

/// value * t1, rounded in the compute dtype as the first step of PyTorch's addcmul and addcdiv.
Tensor scaled(const Tensor& t1, Scalar value, DType dt) {
  const DType ct = widened(dt);
  const Tensor t = in_compute(t1, dt);
  if (value.to_double() == 1) return t;
  return mul(scalar_tensor(is_floating(ct) ? value : Scalar(value.to<int64_t>()), ct), t);
}
}  // namespace

Tensor add(const Tensor& input, const Tensor& other, Scalar alpha) { return add_alpha("add", input, other, alpha, false); }
Tensor sub(const Tensor& input, const Tensor& other, Scalar alpha) { return add_alpha("sub", input, other, alpha, true); }
Tensor& add_(Tensor& x, const Tensor& other, Scalar alpha) { return add_alpha_("add", x, other, alpha, false); }
Tensor& sub_(Tensor& x, const Tensor& other, Scalar alpha) { return add_alpha_("sub", x, other, alpha, true); }

Tensor addcmul(const Tensor& input, const Tensor& tensor1, const Tensor& tensor2, Scalar value) {
  const DType dt = addc_dtype("addcmul", input, tensor1, tensor2, value);
  const bool rec = autograd::needs_grad({input, tensor1, tensor2});
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    const Tensor t = scaled(tensor1, value, dt), t2 = in_compute(tensor2, dt);
    out = is_floating(dt) ? multiply_add(t, t2, in_compute(input, dt), dt)
                          : to_dtype(add(in_compute(input, dt), mul(t, t2)), dt);
  }
  if (rec) {
    const double v = value.to_double();
    // PyTorch's: grad, grad * (tensor2 * value), grad * (tensor1 * value)
    autograd::record("AddcmulBackward0", {out}, {input, tensor1, tensor2}, {tensor1, tensor2},
                     [v](const Tensors& g, const Tensors& s) {
                       return Tensors{g[0], mul(g[0], mul(s[1], scalar_tensor(v))), mul(g[0], mul(s[0], scalar_tensor(v)))};
                     });
  }
  return out;
}
Tensor& addcmul_(Tensor& x, const Tensor& tensor1, const Tensor& tensor2, Scalar value) {
  x.check_in_place("addcmul_");
  if (fused(x.dtype()) && !autograd::needs_grad({x, tensor1, tensor2})) {
    const DType dt = addc_dtype("addcmul", x, tensor1, tensor2, value);
    if (dt == x.dtype() && ternary_into(x, "addcmul", cpu::multiply_add, scaled(tensor1, value, dt), tensor2, x, dt))
      return x;
  }
  return assign_composite(x, "addcmul_", {&tensor1, &tensor2},
                          [&](const Tensor& old) { return addcmul(old, tensor1, tensor2, value); });
}

Tensor addcdiv(const Tensor& input, const Tensor& tensor1, const Tensor& tensor2, Scalar value) {
  EMBER_CHECK_RUNTIME(is_floating(tensor1.dtype()) || is_floating(tensor2.dtype()),
                      "addcdiv: integer division with addcdiv is not supported (tensor1 ",
                      dtype_name(tensor1.dtype()), ", tensor2 ", dtype_name(tensor2.dtype()),
                      "); use addcmul(input, tensor1, 1 / tensor2) or div with rounding_mode");
  const DType dt = addc_dtype("addcdiv", input, tensor1, tensor2, value);
  const bool rec = autograd::needs_grad({input, tensor1, tensor2});
  Tensor out;
  {
    // value * t1 / t2 + input: the division keeps it from fusing, in torch's kernel too.
    autograd::RecordingOff off(rec);
    out = to_dtype(add(in_compute(input, dt), div(scaled(tensor1, value, dt), in_compute(tensor2, dt))), dt);
  }
  if (rec) {
    const double v = value.to_double();
    // PyTorch's: grad, grad * (value / tensor2), -grad * (value * tensor1 / (tensor2 * tensor2))
    autograd::record("AddcdivBackward0", {out}, {input, tensor1, tensor2}, {tensor1, tensor2},
                     [v](const Tensors& g, const Tensors& s) {
                       const Tensor &t1 = s[0], &t2 = s[1];
                       return Tensors{g[0], mul(g[0], div(scalar_tensor(v), t2)),
                                      mul(neg(g[0]), div(mul(scalar_tensor(v), t1), mul(t2, t2)))};
                     });
  }
  return out;
}
Tensor& addcdiv_(Tensor& x, const Tensor& tensor1, const Tensor& tensor2, Scalar value) {
  return assign_composite(x, "addcdiv_", {&tensor1, &tensor2},
                          [&](const Tensor& old) { return addcdiv(old, tensor1, tensor2, value); });
}

Tensor lerp(const Tensor& input, const Tensor& end, const Tensor& weight) {
  EMBER_CHECK_TYPE(is_floating(input.dtype()), "lerp: not implemented for ", dtype_name(input.dtype()),
                   " tensors (floating only)");
  EMBER_CHECK_TYPE(end.dtype() == input.dtype(), "lerp: expected dtype ", dtype_name(input.dtype()),
                   " for `end` but got dtype ", dtype_name(end.dtype()));
  const bool number = weight.impl()->is_wrapped_number;
  EMBER_CHECK_TYPE(number || weight.dtype() == input.dtype(), "lerp: expected dtype ",
                   dtype_name(input.dtype()), " for `weight` but got dtype ", dtype_name(weight.dtype()));
  broadcast_shapes(broadcast_shapes(input.sizes(), end.sizes(), "lerp"), weight.sizes(), "lerp");
  // PyTorch's two-sided form, exact at both ends (weight 0 gives input, weight 1 gives end), in
  // float32 for the 16-bit floats (cpu::lerp), a number weight read in that dtype.
  const DType dt = input.dtype();
  const bool rec = autograd::needs_grad({input, end, weight});
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = ternary("lerp", cpu::lerp, input, end, number ? scalar_tensor(weight.item<double>(), widened(dt)) : weight, dt);
  }
  if (!rec) return out;
  if (number) {  // PyTorch's: grad * (1 - weight), grad * weight, the weight a double
    const double w = weight.item<double>();
    autograd::record("LerpBackward0", {out}, {input, end}, {}, [w](const Tensors& g, const Tensors&) {
      return Tensors{mul(g[0], scalar_tensor(1.0 - w)), mul(g[0], scalar_tensor(w))};
    });
  } else {  // grad * (1 - weight), grad * weight, grad * (end - input)
    autograd::record("LerpBackward1", {out}, {input, end, weight}, {input, end, weight},
                     [](const Tensors& g, const Tensors& s) {
                       return Tensors{mul(g[0], sub(scalar_tensor(1.0), s[2])), mul(g[0], s[2]), mul(g[0], sub(s[1], s[0]))};
                     });
  }
  return out;
}
Tensor& lerp_(Tensor& x, const Tensor& end, const Tensor& weight) {
  x.check_in_place("lerp_");
  if (fused(x.dtype()) && end.dtype() == x.dtype() && (weight.impl()->is_wrapped_number || weight.dtype() == x.dtype())) {
    const Tensor w = weight.impl()->is_wrapped_number ? scalar_tensor(weight.item<double>(), x.dtype()) : weight;
    if (ternary_into(x, "lerp", cpu::lerp, x, end, w, x.dtype())) return x;
  }
  return assign_composite(x, "lerp_", {&end, &weight}, [&](const Tensor& old) { return lerp(old, end, weight); });
}

Tensor nan_to_num(const Tensor& x, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  if (!is_floating(x.dtype())) return clone(x);
  const DType dt = x.dtype();
  const double top = finite_max(dt);
  // Where x is not finite the result is a constant: the gradient there is 0 (where's), as PyTorch's.
  Tensor out = where(isnan(x), scalar_tensor(nan.value_or(0.0), dt), x);
  out = where(isposinf(x), scalar_tensor(posinf.value_or(top), dt), out);
  return where(isneginf(x), scalar_tensor(neginf.value_or(-top), dt), out);
}
Tensor& nan_to_num_(Tensor& x, std::optional<double> nan, std::optional<double> posinf, std::optional<double> neginf) {
  return assign_composite(x, "nan_to_num_", {}, [&](const Tensor& old) { return nan_to_num(old, nan, posinf, neginf); });
}

Tensor logit(const Tensor& x, std::optional<double> eps) {
  const Tensor xf = is_floating(x.dtype()) ? x : to_dtype(x, DType::Float32);
  // Clamped to [eps, 1 - eps] first, by torch's comparisons (x < eps ? eps : x > 1 - eps ? 1 - eps :
  // x): a negative eps clamps nothing, nor does a NaN one, and with eps > 0.5 the low bound wins.
  // where's gradient is 0 on the clamped elements, as PyTorch's logit backward.
  const bool clamped = eps && !(*eps < 0);  // a NaN eps compares false: it clamps and masks nothing
  const double lo = clamped ? *eps : 0.0, hi = clamped ? 1.0 - *eps : 1.0;
  if (eps) check_fits(Scalar(*eps), xf.dtype(), "logit");  // torch casts eps to the dtype first
  const bool rec = autograd::needs_grad(xf);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    Tensor z = xf;
    if (clamped)
      z = where(lt(xf, scalar_tensor(lo)), scalar_tensor(lo, xf.dtype()),
                where(gt(xf, scalar_tensor(hi)), scalar_tensor(hi, xf.dtype()), xf));
    out = log(div(z, sub(scalar_tensor(1.0), z)));
  }
  if (!rec) return out;
  // torch's: g / (x (1 - x)) (inf at 0 and 1); 0 where eps clamped x, NaN outside [0, 1] without eps
  autograd::record("LogitBackward0", {out}, {xf}, {xf}, [clamped, lo, hi](const Tensors& g, const Tensors& s) {
    const Tensor& x = s[0];
    const Tensor outside = logical_or(lt(x, scalar_tensor(lo)), gt(x, scalar_tensor(hi)));
    const Tensor grad = div(g[0], mul(x, sub(scalar_tensor(1.0), x)));
    const double there = clamped ? 0.0 : std::numeric_limits<double>::quiet_NaN();
    return Tensors{where(outside, scalar_tensor(there, grad.dtype()), grad)};
  });
  return out;
}
Tensor& logit_(Tensor& x, std::optional<double> eps) {
  return assign_composite(x, "logit_", {}, [&](const Tensor& old) { return logit(old, eps); });
}

Tensor round_decimals(const Tensor& x, int64_t decimals) {
  EMBER_CHECK_TYPE(is_floating(x.dtype()), "round: decimals= is not implemented for ", dtype_name(x.dtype()),
                   " tensors");
  if (decimals == 0) return round(x);
  // As PyTorch's kernel: the arithmetic and the power of ten in float32 for the 16-bit floats (1e39
  // is inf there, so the result NaN; 1e6 is not, though it is inf in float16), one rounding to x's
  // dtype at the end.
  const DType compute = widened(x.dtype());
  const double power = std::pow(10.0, static_cast<double>(decimals > 0 ? decimals : -decimals));
  const Tensor ten_pow = scalar_tensor(power, compute), xc = to_dtype(x, compute);
  const Tensor r = decimals > 0 ? div(round(mul(xc, ten_pow)), ten_pow) : mul(round(div(xc, ten_pow)), ten_pow);
  return to_dtype(r, x.dtype());
}
Tensor& round_decimals_(Tensor& x, int64_t decimals) {
  return assign_composite(x, "round_", {}, [&](const Tensor& old) { return round_decimals(old, decimals); });
}

Tensor float_power(const Tensor& x, const Tensor& exponent) {
  return pow(to_dtype(x, DType::Float64), to_dtype(exponent, DType::Float64));
}
Tensor& float_power_(Tensor& x, const Tensor& exponent) {
  EMBER_CHECK_RUNTIME(x.dtype() == DType::Float64, "float_power_: the base given to float_power_ has dtype ",
                      dtype_name(x.dtype()), " but the operation's result requires dtype float64");
  return assign_composite(x, "float_power_", {&exponent}, [&](const Tensor& old) { return float_power(old, exponent); });
}

// x * 2^other computed as PyTorch's (2^other in float32 for an integer other, the product in the
// wider of the two), rounded once into x and other's floating result type.
Tensor ldexp(const Tensor& x, const Tensor& other) {
  const DType rt = result_type(x, other), dt = is_floating(rt) ? rt : default_dtype();
  // torch's composite, x * 2^e, where either is no float x with an integer e (an integer x times
  // 2^200 of 0 is NaN there too)
  if (is_floating(other.dtype()) || !is_floating(x.dtype())) {
    // 2^e in e's dtype (rounded there: float32 x * float16 2^1.5), in float64 under a float64 x,
    // as torch's
    const DType pow_dtype = x.dtype() == DType::Float64 && is_floating(other.dtype()) ? DType::Float64 : other.dtype();
    return to_dtype(mul(x, pow(scalar_tensor(2.0), to_dtype(other, pow_dtype))), dt);
  }
  // A float x and an integer e: std::ldexp's value, as torch's kernel, as three finite factors
  // 2^(e/3) in float64, so that 0 * 2^2000 is 0 and inf * 2^-2000 inf (one factor 2^e
  // overflowed to inf or 0: NaN). Clamping e to three times the largest exponent changes no
  // result; float64 rounds the other dtypes' results once.
  const int64_t max_exp = dt == DType::Float64 ? 1023 : 127;
  const auto exponent = [](int64_t v) { return scalar_tensor(v, DType::Int64); };
  const Tensor e = clamp(to_dtype(other, DType::Int64), exponent(-3 * max_exp), exponent(3 * max_exp));
  const Tensor e1 = div(e, exponent(3), std::string("trunc"));
  const Tensor e2 = div(sub(e, e1), exponent(2), std::string("trunc"));
  const Tensor e3 = sub(sub(e, e1), e2);
  const auto factor = [](const Tensor& ei) { return pow(scalar_tensor(2.0, DType::Float64), to_dtype(ei, DType::Float64)); };
  const Tensor r = mul(mul(mul(to_dtype(x, DType::Float64), factor(e1)), factor(e2)), factor(e3));
  return to_dtype(r, dt);
}
Tensor& ldexp_(Tensor& x, const Tensor& other) {
  return assign_composite(x, "ldexp_", {&other}, [&](const Tensor& old) { return ldexp(old, other); });
}

namespace {
/// v rounded to dtype dt (a floating dtype), as a double.
double rounded_to(DType dt, double v) {
  switch (dt) {
    case DType::Float16: return Half(v);
    case DType::BFloat16: return BFloat16(v);
    case DType::Float32: return static_cast<float>(v);
    default: return v;
  }
}
}  // namespace

Tensor polygamma(int64_t n, const Tensor& x) {
  EMBER_CHECK_RUNTIME(n >= 0, "polygamma: polygamma(n, x) does not support negative n, got n=", n);
  if (n == 0) return digamma(x);
  if (n == 1) return _trigamma(x);
  const Tensor xf = is_floating(x.dtype()) ? x : to_dtype(x, default_dtype());
  const DType dt = xf.dtype();
  // PyTorch's kernel: (-1)^(n+1) exp(lgamma(n + 1)) zeta(n + 1, x), with n read as a C int
  // (2^31 wraps to -2^31): in double for float64; for the others n + 1 in x's dtype, the factor
  // in float, zeta rounded to x's dtype (computed in double for float32, float below), and the
  // product in float, rounded to x's dtype.
  const auto ni = static_cast<int32_t>(static_cast<uint32_t>(n));
  const auto n1 = static_cast<int32_t>(static_cast<uint32_t>(ni) + 1u);
  const double sign = ni % 2 ? 1.0 : -1.0;
  if (dt == DType::Float64)
    return mul(_zeta(scalar_tensor(static_cast<double>(n1), dt), xf),
               scalar_tensor(sign * std::exp(std::lgamma(static_cast<double>(ni) + 1)), dt));
  const float factor = static_cast<float>(sign) * std::exp(std::lgamma(static_cast<float>(rounded_to(dt, rounded_to(dt, ni) + 1))));
  const Tensor z = to_dtype(_zeta(scalar_tensor(rounded_to(dt, n1), DType::Float32), to_dtype(xf, DType::Float32)), dt);
  return to_dtype(mul(to_dtype(z, DType::Float32), scalar_tensor(factor, DType::Float32)), dt);
}
Tensor& polygamma_(Tensor& x, int64_t n) {
  return assign_composite(x, "polygamma_", {}, [&](const Tensor& old) { return polygamma(n, old); });
}

Tensor isin(const Tensor& elements, const Tensor& test_elements, bool /*assume_unique*/, bool invert) {
  // Both in their common dtype first, as torch's (a Python number is read in the tensor's dtype:
  // 5e-324 is 0 against float16).
  const DType dt = result_type(elements, test_elements);
  const int64_t n = elements.numel(), m = test_elements.numel();
  if (m > 0 && dt != DType::Bool && static_cast<double>(n) >= 10.0 * std::pow(static_cast<double>(m), 0.145)) {
    // Many elements: the test elements sorted, each element looked up there (n log m), where
    // torch's isin switches too (65537 against 65537 took 24 s by pairs). NaN finds no equal;
    // -0 finds +0.
    const Tensor sorted = sort(reshape(to_dtype(test_elements, dt), {m})).first;
    const Tensor values = reshape(to_dtype(elements, dt), {n});
    const Tensor at = clamp(searchsorted(sorted, values), std::nullopt, scalar_tensor(Scalar(m - 1), DType::Int64));
    const Tensor found = reshape(eq(index_select(sorted, 0, at), values), elements.sizes());
    return invert ? logical_not(found) : found;
  }
  // Few: each element against every test element, in blocks so the comparison matrix stays small.
  const Tensor flat = reshape(to_dtype(elements, dt), {elements.numel(), 1}),
               tests = reshape(to_dtype(test_elements, dt), {1, test_elements.numel()});
  const int64_t block = std::max<int64_t>(1, (int64_t{1} << 22) / std::max<int64_t>(1, test_elements.numel()));
  std::vector<Tensor> parts;
  for (int64_t start = 0; start < elements.numel() || parts.empty(); start += block) {
    const int64_t len = std::min(block, elements.numel() - start);
    parts.push_back(any(eq(narrow(flat, 0, start, len), tests), Dims{1}));
  }
  Tensor found = reshape(parts.size() == 1 ? parts[0] : cat(parts, 0), elements.sizes());
  return invert ? logical_not(found) : found;
}

}  // namespace ember

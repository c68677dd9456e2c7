// The pointwise ops of elementwise.def: type promotion, broadcasting and in-place rules are
// written once here for the whole family. The backward of each row joins the table with autograd.
#include <cmath>
#include <limits>
#include <string_view>

#include "autograd/record.h"
#include "ember/ops.h"
#include "kernels.h"
#include "ops/promotion.h"
#include "ops/widen.h"

namespace ember {

void check_nonzero_divisor(const Tensor& divisor) {
  EMBER_CHECK_RUNTIME(cpu::count_nonzero(divisor) == divisor.numel(), KernelScope::current(),
                      ": ZeroDivisionError (integer division by zero)");
}

namespace {
int category(DType t) { return is_floating(t) ? 2 : (t == DType::Bool ? 0 : 1); }
DType default_of_category(int c) { return c == 0 ? DType::Bool : (c == 1 ? DType::Int64 : default_dtype()); }

enum class Kind {
  FLOAT, NUMERIC, ANY, SQUARE, ROUND, PREDICATE, INTEGRAL, ARITH, NONBOOL, DIVIDE, COMPARE, LOGICAL, BITWISE, FLOATING, INTEGER
};
/// What a row's gradient formula reads (the `saves` columns of elementwise.def).
enum Saves { NONE = 0, X = 1, Y = 2, R = 4, XY = X | Y, XR = X | R, YR = Y | R, XYR = X | Y | R };
/// What a binary op checks beyond its kind (the `rules` column of elementwise.def).
enum Rules {
  NO_RULE = 0,
  NO_BOOL_OPERAND = 1,
  BOOL_BY_PYTHON_BOOL = 2,
  NONNEG_INT_EXPONENT = 4,
  NONZERO_INT_DIVISOR = 8,
  EXACT_SCALAR = 16,
  TINY_EXPONENT = 32,
  SAME_DTYPE = 64,
  STEP_IN_DTYPE = 128,
  ROUND_EACH_STEP = 256
};

/// The dtype a pointwise op computes in, for an input of dtype t (after promotion).
DType compute_dtype(Kind kind, DType t, const char* op) {
  switch (kind) {
    case Kind::FLOAT:
    case Kind::DIVIDE: return is_floating(t) ? t : default_dtype();
    case Kind::NUMERIC:
    case Kind::NONBOOL:
      EMBER_CHECK_TYPE(t != DType::Bool, op, ": not supported for bool tensors");
      return t;
    case Kind::SQUARE: return t == DType::Bool ? DType::Int64 : t;
    case Kind::INTEGRAL:
    case Kind::BITWISE:
      EMBER_CHECK_TYPE(!is_floating(t), op, ": only integer and bool tensors are supported, got ", dtype_name(t));
      return t;
    case Kind::FLOATING:
      EMBER_CHECK_TYPE(is_floating(t), op, ": not implemented for ", dtype_name(t), " tensors (floating only)");
      return t;
    case Kind::INTEGER:
      EMBER_CHECK_TYPE(is_integral(t, false), op, ": not implemented for ", dtype_name(t), " tensors (integers only)");
      return t;
    case Kind::LOGICAL: return DType::Bool;
    default: return t;
  }
}
DType output_dtype(Kind kind, DType compute) {
  return (kind == Kind::PREDICATE || kind == Kind::COMPARE || kind == Kind::LOGICAL) ? DType::Bool : compute;
}

using UnaryKernel = void (*)(const Tensor&, const Tensor&);
using BinaryKernel = void (*)(const Tensor&, const Tensor&, const Tensor&);

Tensor unary_op(const char* op, Kind kind, const Tensor& x, UnaryKernel kernel) {
  const DType ct = compute_dtype(kind, x.dtype(), op);
  if (kind == Kind::ROUND && !is_floating(x.dtype())) {
    EMBER_CHECK_TYPE(x.dtype() != DType::Bool, op, ": not supported for bool tensors");
    return clone(x);  // rounding an integer is the identity
  }
  Tensor out = Tensor::empty(x.sizes(), output_dtype(kind, ct), x.device());
  if (x.dtype() == ct && !is_narrow(ct) && !is_narrow(out.dtype())) {  // no casts (see binary_op)
    call_kernel(x.device(), op, kernel, out, x);
    return out;
  }
  const Tensor result = kernel_output(out);
  call_kernel(x.device(), op, kernel, result, kernel_input(x, ct));
  finish_output(out, result);
  return out;
}

/// Divisors of integer ops must be nonzero: checked before the op's kernel, in a kernel call of
/// its own, so a replayed graph (ember/graph.h) checks them too.
void check_integer_divisor(const char* op, const Tensor& y, DType ct) {
  if (is_floating(ct) || y.numel() == 0) return;
  call_check(y.device(), op, check_nonzero_divisor, y);
}

/// An operand as the kernel reads it; a 0-d y skips the rounding to a 16-bit ct where the row
/// says so (EXACT_SCALAR; torch's kernels round a 0-d x).
Tensor operand(const Tensor& t, DType ct, int rules) {
  return rules & EXACT_SCALAR && t.dim() == 0 && is_floating(ct) ? to_dtype(t, widened(ct)) : kernel_input(t, ct);
}

/// Checks the op's kind and rules, then returns the compute dtype of x (op) y.
DType binary_compute_dtype(const char* op, Kind kind, int rules, const Tensor& x, const Tensor& y) {
  if (rules & SAME_DTYPE)
    EMBER_CHECK_RUNTIME(x.dtype() == y.dtype(), op, ": not implemented for tensors of different dtypes, got ",
                        dtype_name(x.dtype()), " and ", dtype_name(y.dtype()));
  const DType promoted = result_type(x, y);
  if (rules & BOOL_BY_PYTHON_BOOL && promoted == DType::Bool && y.impl()->is_wrapped_number) return DType::Bool;
  const DType ct = compute_dtype(kind, promoted, op);
  if (rules & NO_BOOL_OPERAND)
    EMBER_CHECK_RUNTIME(x.dtype() != DType::Bool && y.dtype() != DType::Bool, op,
                        ": subtraction, the `-` operator, with a bool tensor is not supported; to invert a mask "
                        "use the `~` or `logical_not()` operator instead");
  if (rules & NONNEG_INT_EXPONENT && is_integral(ct, false) && y.impl()->is_wrapped_number)
    EMBER_CHECK_RUNTIME(y.item<int64_t>() >= 0, op, ": integers to negative integer powers are not allowed");
  // The divisor as the kernel reads it: a Python int cast to int16 may wrap to 0 (2**31). An empty
  // result divides nothing (torch's returns it).
  if (rules & NONZERO_INT_DIVISOR && x.numel() > 0)
    check_integer_divisor(op, y.dtype() == ct ? y : to_dtype(y, ct), ct);
  return ct;
}

/// ye, the operand y as the kernel reads it. With TINY_EXPONENT a Python float y too small for
/// that dtype stays nonzero (the smallest subnormal of its sign): x ** y then rounds as with
/// PyTorch's double exponent (0 ** 1e-300 is 0, not 1; every other base gives what the tiny
/// exponent gives). Against a 16-bit float x, PyTorch rounds the exponent to x's dtype instead
/// (x ** 1e-300 is 1, and x ** 2.001 of a bfloat16 is x ** 2), and refuses one it overflows.
Tensor exponent_operand(const char* op, const Tensor& x, const Tensor& y, Tensor ye, int rules) {
  if (rules & TINY_EXPONENT && y.impl()->is_wrapped_number && is_floating(ye.dtype())) {
    if (is_narrow(x.dtype()) && is_floating(x.dtype())) {
      const Tensor rounded = to_dtype(y, x.dtype());
      EMBER_CHECK_RUNTIME(std::isfinite(rounded.item<double>()) || !std::isfinite(y.item<double>()), op,
                          ": the exponent ", y.item<double>(), " cannot be converted to ", dtype_name(x.dtype()),
                          " without overflow");
      return to_dtype(rounded, ye.dtype());
    }
    const double v = y.item<double>();
    // Only float32 (which the 16-bit floats compute in) can underflow a double.
    const double tiny = ye.dtype() == DType::Float32 ? std::numeric_limits<float>::denorm_min() : 0.0;
    if (v != 0 && ye.item<double>() == 0) ye = scalar_tensor(std::copysign(tiny, v), ye.dtype());
  }
  return ye;
}

/// nextafter(x, y) in a 16-bit float dtype ct, composed in float64: a step of one unit in x's
/// last place (2^(e - p + 1) for 2^e <= |x| < 2^(e+1), p the dtype's precision), half that
/// toward zero from a power of two, never below the smallest subnormal.
Tensor step_in_dtype(const Tensor& x, const Tensor& y, DType ct) {
  const bool half = ct == DType::Float16;
  const double p = half ? 11 : 8, tiny = half ? 0x1p-24 : 0x1p-133, top = half ? 65504.0 : 0x1.fep127;
  const Tensor a = kernel_input(x, ct), b = kernel_input(y, ct);
  const Tensor a64 = to_dtype(a, DType::Float64), b64 = to_dtype(b, DType::Float64);
  auto num = [](double v) { return scalar_tensor(v, DType::Float64); };
  const Tensor mag = abs(a64), e = floor(log2(mag));
  const Tensor up = gt(b64, a64), shrinking = logical_xor(up, gt(a64, num(0)));
  Tensor ulp = exp2(sub(e, num(p - 1)));
  ulp = where(logical_and(shrinking, eq(mag, exp2(e))), mul(ulp, num(0.5)), ulp);
  ulp = maximum(ulp, num(tiny));
  Tensor r = where(up, add(a64, ulp), sub(a64, ulp));
  r = where(eq(r, num(0)), mul(a64, num(0)), r);  // a zero keeps x's sign, as std::nextafter's
  r = where(eq(a64, num(0)), where(up, num(tiny), num(-tiny)), r);
  r = where(isinf(a64), where(gt(a64, num(0)), num(top), num(-top)), r);  // toward y, so inward
  r = where(eq(a64, b64), b64, r);
  r = where(logical_or(isnan(a64), isnan(b64)), num(std::nan("")), r);
  return to_dtype(r, ct);
}

/// floor_divide of 16-bit floats as PyTorch's kernel for two tensors computes it: ember_floor_divide's
/// steps (elementwise_fn.h), each rounded to ct, composed of the table's ops in ct.
Tensor floor_divide_each_step_rounded(const Tensor& x, const Tensor& y, DType ct) {
  const Tensor a = to_dtype(x, ct), b = to_dtype(y, ct);
  auto num = [ct](double v) { return scalar_tensor(v, ct); };
  const Tensor quotient = div(a, b), mod = fmod(a, b);
  Tensor d = div(sub(a, mod), b);
  d = where(logical_and(ne(mod, num(0)), ne(lt(b, num(0)), lt(mod, num(0)))), sub(d, num(1)), d);
  Tensor r = floor(d);
  r = where(gt(sub(d, r), num(0.5)), add(r, num(1)), r);
  r = where(eq(d, num(0)), mul(quotient, num(0)), r);  // a zero with the quotient's sign
  return where(eq(b, num(0)), quotient, r);
}

/// xlogy in float16/bfloat16 as torch's kernel computes it there: log(y) rounded to the dtype, then
/// the product rounded (0 where x is 0, y where y is NaN, as ember_xlogy).
Tensor xlogy_each_step_rounded(const Tensor& x, const Tensor& y, DType ct) {
  const Tensor a = to_dtype(x, ct), b = to_dtype(y, ct), zero = scalar_tensor(0, ct);
  return where(isnan(b), b, where(eq(a, zero), zero, mul(a, log(b))));
}

/// Whether a 16-bit op goes through a composite of its own (STEP_IN_DTYPE, ROUND_EACH_STEP).
bool composed_in_dtype(int rules, DType ct, const Tensor& y) {
  if (!is_narrow(ct) || !is_floating(ct)) return false;
  return rules & STEP_IN_DTYPE || (rules & ROUND_EACH_STEP && !(rules & EXACT_SCALAR && y.dim() == 0));
}
Tensor composite_in_dtype(const char* op, int rules, const Tensor& x, const Tensor& y, DType ct) {
  if (rules & STEP_IN_DTYPE) return step_in_dtype(x, y, ct);
  return std::string_view(op) == "xlogy" ? xlogy_each_step_rounded(x, y, ct) : floor_divide_each_step_rounded(x, y, ct);
}

Tensor binary_op(const char* op, Kind kind, int rules, const Tensor& x, const Tensor& y, BinaryKernel kernel,
                 bool recording) {
  autograd::RecordingOff off(recording);  // the casts and expands below are not the op's history
  if (kind == Kind::LOGICAL) {  // truth after the cast to the common dtype, as torch's: int32 -32768 is 0 as uint8
    const DType common = result_type(x, y);
    if (x.dtype() != common || y.dtype() != common)
      return binary_op(op, kind, rules, to_dtype(x, common), to_dtype(y, common), kernel, false);
  }
  const DType ct = binary_compute_dtype(op, kind, rules, x, y);
  if (composed_in_dtype(rules, ct, y)) return composite_in_dtype(op, rules, x, y, ct);
  const DType rt = output_dtype(kind, ct);
  // Operands of one shape already in a compute dtype of its own kernels: no casts, expands or
  // temporaries. A tiny op's time is mostly such overhead (each Tensor copy alone is an atomic
  // increment and decrement).
  if (x.dtype() == ct && y.dtype() == ct && !is_narrow(ct) && !is_narrow(rt) && x.sizes() == y.sizes()) {
    Tensor out = Tensor::empty(x.sizes(), rt, x.device());
    call_kernel(x.device(), op, kernel, out, x, y);
    return out;
  }
  const Shape shape = broadcast_shapes(x.sizes(), y.sizes(), op);
  Tensor out = Tensor::empty(shape, rt, x.device());
  Tensor xe = operand(x, ct, rules & ~EXACT_SCALAR), ye = exponent_operand(op, x, y, operand(y, ct, rules), rules);
  if (xe.sizes() != shape) xe = expand(xe, shape);
  if (ye.sizes() != shape) ye = expand(ye, shape);
  const Tensor result = kernel_output(out);
  call_kernel(x.device(), op, kernel, result, xe, ye);
  finish_output(out, result);
  return out;
}

/// x = x (op) y: the result must fit x's shape and dtype (as PyTorch's in-place rules).
Tensor& binary_op_(const char* op, Kind kind, int rules, Tensor& x, const Tensor& y, BinaryKernel kernel,
                   Tensor (*out_of_place)(const Tensor&, const Tensor&), const int* saves) {
  x.check_in_place(op);
  const DType ct = binary_compute_dtype(op, kind, rules, x, y);
  const DType rt = output_dtype(kind, ct);
  EMBER_CHECK_RUNTIME(category(rt) <= category(x.dtype()), op, "_: result type ", dtype_name(rt),
                      " can't be cast to the desired output type ", dtype_name(x.dtype()));
  const Shape shape = broadcast_shapes(x.sizes(), y.sizes(), op);
  EMBER_CHECK(shape == x.sizes(), op, "_: output with shape ", shape_str(x.sizes()),
              " doesn't match the broadcast shape ", shape_str(shape));
  if (autograd::inplace_requires_grad(x, {&y}, op)) {
    // x's old value needs a copy of its own only when a gradient formula keeps it.
    const bool keeps_old = (autograd::requires_grad(x) && saves[0] & X) || (autograd::requires_grad(y) && saves[1] & X);
    return autograd::apply_inplace(x, op, [&](const Tensor& old) { return out_of_place(old, y); }, keeps_old);
  }
  if (kind == Kind::LOGICAL && y.dtype() != result_type(x, y)) {  // y read in the common dtype (binary_op)
    const Tensor common_y = to_dtype(y, result_type(x, y));
    return binary_op_(op, kind, rules, x, common_y, kernel, out_of_place, saves);
  }
  if (composed_in_dtype(rules, ct, y)) {  // no kernel of its own: the out-of-place op's result
    copy_(x, out_of_place(x, y));
    return x;
  }
  Tensor ye = exponent_operand(op, x, y, operand(unaliased(y, x), ct, rules), rules);
  if (ye.sizes() != shape) ye = expand(ye, shape);
  if (ct == x.dtype() && rt == x.dtype() && widened(ct) == ct) {
    call_kernel(x.device(), op, kernel, x, x, ye);
  } else {
    Tensor tmp = Tensor::empty(shape, widened(rt), x.device());
    call_kernel(x.device(), op, kernel, tmp, kernel_input(x, ct), ye);
    call_kernel(x.device(), op, cpu::copy, x, tmp);
  }
  x.bump_version();
  return x;
}

/// x = f(x): the result must fit x's dtype (as PyTorch's in-place rules).
Tensor& unary_op_(const char* op, Kind kind, Tensor& x, UnaryKernel kernel, Tensor (*out_of_place)(const Tensor&),
                  int saves) {
  x.check_in_place(op);
  const DType ct = compute_dtype(kind, x.dtype(), op);
  if (kind == Kind::ROUND && !is_floating(x.dtype())) {
    EMBER_CHECK_TYPE(x.dtype() != DType::Bool, op, "_: not supported for bool tensors");
    return x;
  }
  const DType rt = output_dtype(kind, ct);
  EMBER_CHECK_RUNTIME(category(rt) <= category(x.dtype()), op, "_: result type ", dtype_name(rt),
                      " can't be cast to the desired output type ", dtype_name(x.dtype()));
  if (autograd::inplace_requires_grad(x, {}, op)) return autograd::apply_inplace(x, op, out_of_place, saves & X);
  if (rt == x.dtype() && ct == x.dtype() && widened(ct) == ct) {
    call_kernel(x.device(), op, kernel, x, x);
  } else {
    Tensor tmp = Tensor::empty(x.sizes(), widened(rt), x.device());
    call_kernel(x.device(), op, kernel, tmp, kernel_input(x, ct));
    call_kernel(x.device(), op, cpu::copy, x, tmp);
  }
  x.bump_version();
  return x;
}
}  // namespace

DType result_type(const Tensor& a, const Tensor& b) { return result_type_of({&a, &b}); }

DType result_type_of(std::initializer_list<const Tensor*> operands) {
  // Three priority groups, as PyTorch: tensors with dims, 0-d tensors, Python numbers. A lower
  // group only matters when it is of a higher category (bool < integer < float).
  int groups[3] = {-1, -1, -1};
  DType types[3] = {DType::Bool, DType::Bool, DType::Bool};
  for (const Tensor* t : operands) {
    const int g = t->impl()->is_wrapped_number ? 2 : (t->dim() == 0 ? 1 : 0);
    types[g] = groups[g] < 0 ? t->dtype() : promote_types(types[g], t->dtype());
    groups[g] = 1;
  }
  DType result = DType::Bool;
  int cat = -1;
  if (groups[0] > 0) {
    result = types[0];
    cat = category(result);
  }
  if (groups[1] > 0 && category(types[1]) > cat) {
    result = types[1];
    cat = category(result);
  }
  if (groups[2] > 0 && category(types[2]) > cat) result = default_of_category(category(types[2]));
  return result;
}

// ---- backward of the table's rows -----------------------------------------------------------
namespace {
Tensor zero() { return scalar_tensor(0.0); }
/// atan2's 1 / (x^2 + y^2), 0 at the origin so that its gradient there is 0 (PyTorch's).
Tensor atan2_scale(const Tensor& x, const Tensor& y) {
  Tensor r2 = x * x + y * y;
  return where(r2 == 0, zero(), reciprocal(r2));
}
Tensor zeros_like(const Tensor& t) { return zeros(t.sizes(), t.dtype()); }
/// sinc's derivative, (pi x cos(pi x) - sin(pi x)) / (pi x^2), 0 at 0 (PyTorch's).
Tensor sinc_grad(const Tensor& x) {
  const Tensor px = x * M_PI;
  return where(x == 0, zero(), (px * cos(px) - sin(px)) / (px * x));
}
/// pow's exponent less one. A Python number stays one, computed in double as torch's Scalar
/// exponent: `y - 1` of two numbers would promote to the default dtype (float32).
Tensor exponent_less_one(const Tensor& y) {
  if (!y.impl()->is_wrapped_number) return y - 1;
  Tensor e = scalar_tensor(y.item<double>() - 1, y.dtype());
  e.impl()->is_wrapped_number = true;
  return e;
}
#define NOGRAD Tensor()

/// A row's gradient formula: (g, x, y, r) -> the gradient of one input.
using GradFormula = Tensor (*)(const Tensor& g, const Tensor& x, const Tensor& y, const Tensor& r);

void record_pointwise(const std::string& name, const Tensor& out, const Tensor& x, const Tensor* y,
                      const int* saves, const GradFormula* grads) {
  const bool need_x = autograd::requires_grad(x), need_y = y && autograd::requires_grad(*y);
  const uint8_t needs = static_cast<uint8_t>(need_x | need_y << 1);
  const int save = (need_x ? saves[0] : NONE) | (need_y ? saves[1] : NONE);
  const Tensor none;
  Tensors saved;
  if (save != NONE) saved = {save & X ? x : none, save & Y ? *y : none, save & R ? out : none};
  autograd::record(name.c_str(), {out}, y ? Tensors{x, *y} : Tensors{x}, saved,
                   [grads, needs](const Tensors& g, const Tensors& s) {
                     const Tensor none;
                     const Tensor &x = s.empty() ? none : s[0], &y = s.empty() ? none : s[1], &r = s.empty() ? none : s[2];
                     Tensors in(grads[1] ? 2 : 1);
                     for (size_t i = 0; i < in.size(); ++i)
                       if (needs >> i & 1) in[i] = grads[i](g[0], x, y, r);
                     return in;
                   });
}

}  // namespace

#define EMBER_GRAD_FORMULA(expr)                                                          \
  [](const Tensor& g, const Tensor& x, const Tensor& y, const Tensor& r) -> Tensor {        \
    (void)g, (void)x, (void)y, (void)r;                                                     \
    return expr;                                                                            \
  }
#define EMBER_UNARY(name, kind, formula, doc, saves, grad)                                              \
  Tensor name(const Tensor& x) {                                                                        \
    const bool rec = autograd::needs_grad(x);                                                           \
    Tensor out = unary_op(#name, Kind::kind, x, cpu::name);                                             \
    if (rec && is_floating(out.dtype())) {                                                              \
      static const std::string node = autograd::backward_name(#name);                                            \
      static const GradFormula grads[2] = {EMBER_GRAD_FORMULA(grad), nullptr};                          \
      static const int save[2] = {saves, NONE};                                                        \
      record_pointwise(node, out, x, nullptr, save, grads);                                             \
    }                                                                                                   \
    return out;                                                                                         \
  }                                                                                                     \
  Tensor& name##_(Tensor& x) { return unary_op_(#name, Kind::kind, x, cpu::name, &name, saves); }
#define EMBER_BINARY(name, kind, formula, doc, rules, saves_x, grad_x, saves_y, grad_y)                 \
  Tensor name(const Tensor& x, const Tensor& y) {                                                       \
    const bool rec = autograd::needs_grad(x, y);                                                        \
    Tensor out = binary_op(#name, Kind::kind, rules, x, y, cpu::name, rec);                             \
    if (rec && is_floating(out.dtype())) {                                                              \
      static const std::string node = autograd::backward_name(#name);                                            \
      static const GradFormula grads[2] = {EMBER_GRAD_FORMULA(grad_x), EMBER_GRAD_FORMULA(grad_y)};     \
      static const int save[2] = {saves_x, saves_y};                                                   \
      record_pointwise(node, out, x, &y, save, grads);                                                  \
    }                                                                                                   \
    return out;                                                                                         \
  }                                                                                                     \
  Tensor& name##_(Tensor& x, const Tensor& y) {                                                       \
    static const int save[2] = {saves_x, saves_y};                                                     \
    return binary_op_(#name, Kind::kind, rules, x, y, cpu::name, &name, save);                          \
  }
#include "ember/elementwise.def"
#undef EMBER_GRAD_FORMULA
#undef NOGRAD

Tensor clamp(const Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max) {
  EMBER_CHECK(min || max, "clamp: at least one of 'min' or 'max' must not be None");
  DType rt = x.dtype();
  for (const auto& b : {min, max}) {
    if (!b) continue;
    broadcast_shapes(x.sizes(), b->sizes(), "clamp");
    rt = promote_types(rt, result_type(x, *b));
  }
  // A number bound is read in the result's dtype and must fit it, as torch's, unless a bound is a
  // NaN number: torch's result is then NaN before any bound is read.
  auto nan_number = [](const std::optional<Tensor>& b) {
    return b && b->impl()->is_wrapped_number && is_floating(b->dtype()) && std::isnan(b->item<double>());
  };
  if (!nan_number(min) && !nan_number(max))
    for (const auto& b : {min, max})
      if (b && b->impl()->is_wrapped_number) check_fits(b->item(), rt, "clamp");
  const Tensor lo = min.value_or(Tensor()), hi = max.value_or(Tensor());
  if (rt == DType::Bool) {
    // One bool tensor bound is torch's maximum or minimum of bools: or, and.
    const Tensor& bound = min ? lo : hi;
    EMBER_CHECK_TYPE(!(min && max) && !bound.impl()->is_wrapped_number,
                     "clamp: not implemented for bool tensors with two bounds or a number bound");
    return min ? logical_or(x, bound) : logical_and(x, bound);
  }
  const bool rec = autograd::any_requires_grad({&x, &lo, &hi});
  // In the result's dtype from the start: a uint8 x with min=-1 and max=1.61 is clamped as floats,
  // not first against -1 wrapped to 255.
  Tensor out = x.dtype() == rt ? x : to_dtype(x, rt);
  {
    autograd::RecordingOff off(rec);
    // NaN in x propagates; NaN bounds propagate too, as PyTorch's.
    if (min) out = maximum(out, *min);
    if (max) out = minimum(out, *max);
  }
  if (rec && is_floating(out.dtype())) {
    // The gradient passes where x is inside [min, max], bounds included (PyTorch's rule; a
    // bound gets it where it is the value, and where min > max the max wins).
    autograd::record("ClampBackward1", {out}, {x, lo, hi}, {x, lo, hi}, [](const Tensors& g, const Tensors& s) {
      const Tensor &x = s[0], &lo = s[1], &hi = s[2];
      Tensor pass = lo.defined() ? ge(x, lo) : Tensor();
      if (hi.defined()) pass = pass.defined() ? logical_and(pass, le(x, hi)) : le(x, hi);
      Tensors in(3);
      in[0] = where(pass, g[0], zero());
      if (lo.defined()) in[1] = where(hi.defined() ? logical_and(x < lo, lo < hi) : x < lo, g[0], zero());
      if (hi.defined()) in[2] = where(lo.defined() ? logical_or(x > hi, hi < lo) : x > hi, g[0], zero());
      return in;
    });
  }
  return out.is_same(x) ? clone(x) : out;
}

Tensor& clamp_(Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max) {
  const Tensor lo = min.value_or(Tensor()), hi = max.value_or(Tensor());
  if (autograd::inplace_requires_grad(x, {&lo, &hi}, "clamp_")) {
    x.check_in_place("clamp_");
    return autograd::apply_inplace(x, "clamp_", [&](const Tensor& old) { return clamp(old, min, max); }, true);
  }
  Tensor r = clamp(x, min, max);
  // Any result of x's kind fits x (float64 into float32), as torch's in-place rule.
  const bool too_wide = (is_floating(r.dtype()) && !is_floating(x.dtype())) ||
                        (r.dtype() != DType::Bool && x.dtype() == DType::Bool);
  EMBER_CHECK_RUNTIME(!too_wide, "clamp_: result type ", dtype_name(r.dtype()),
                      " can't be cast to the desired output type ", dtype_name(x.dtype()));
  return copy_(x, r);
}

Tensor div(const Tensor& x, const Tensor& y, const std::optional<std::string>& rounding_mode) {
  if (!rounding_mode) return div(x, y);
  EMBER_CHECK_RUNTIME(*rounding_mode == "trunc" || *rounding_mode == "floor",
                      "div: expected rounding_mode to be one of None, 'trunc', or 'floor' but found '", *rounding_mode,
                      "'");
  if (*rounding_mode == "floor") return floor_divide(x, y);
  // trunc: integers stay integers (x - fmod(x, y) divides exactly); floats are trunc(x / y). For
  // 16-bit floats as torch's kernels: the quotient rounds to the dtype before it truncates, but
  // a one-element divisor (a Python number too) divides in float32 as given (unrounded) and the
  // quotient truncates first. The gradient is 0, as PyTorch's (trunc's zero times div's, at
  // y = 0, would be NaN).
  const DType ct = binary_compute_dtype("div", Kind::NONBOOL, NONZERO_INT_DIVISOR, x, y);
  const bool rec = autograd::needs_grad(x, y) && is_floating(ct);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    if (is_floating(ct) && is_narrow(ct) && y.numel() == 1) {
      const Tensor q = div(to_dtype(to_dtype(x, ct), DType::Float32), to_dtype(y, DType::Float32));
      out = to_dtype(trunc(q), ct);
    } else if (is_floating(ct)) {
      out = trunc(div(x, y));
    } else {
      const Tensor xc = to_dtype(x, ct);  // a bool x (divided by an int) counts as 0 and 1
      out = floor_divide(sub(xc, fmod(xc, y)), y);
    }
  }
  if (rec)
    autograd::record("DivBackward2", {out}, {x, y}, {}, [](const Tensors& g, const Tensors&) {
      return Tensors{zeros_like(g[0]), zeros_like(g[0])};
    });
  return out;
}

Tensor& div_(Tensor& x, const Tensor& y, const std::optional<std::string>& rounding_mode) {
  if (!rounding_mode) return div_(x, y);
  if (autograd::inplace_requires_grad(x, {&y}, "div_")) {
    x.check_in_place("div_");
    return autograd::apply_inplace(x, "div_", [&](const Tensor& old) { return div(old, y, rounding_mode); }, false);
  }
  Tensor r = div(x, y, rounding_mode);
  EMBER_CHECK_RUNTIME(category(r.dtype()) <= category(x.dtype()), "div_: result type ", dtype_name(r.dtype()),
                      " can't be cast to the desired output type ", dtype_name(x.dtype()));
  EMBER_CHECK(r.sizes() == x.sizes(), "div_: output with shape ", shape_str(x.sizes()),
              " doesn't match the broadcast shape ", shape_str(r.sizes()));
  return copy_(x, r);
}

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  EMBER_CHECK_TYPE(a.dtype() == b.dtype(), "isclose: expected tensors of one dtype, got ", dtype_name(a.dtype()),
                   " and ", dtype_name(b.dtype()));
  EMBER_CHECK(rtol >= 0 && atol >= 0, "isclose: rtol and atol must be non-negative, got rtol=", rtol, ", atol=", atol);
  Tensor close = eq(a, b);
  if (equal_nan && is_floating(a.dtype())) close = logical_or(close, logical_and(isnan(a), isnan(b)));
  if (rtol == 0 && atol == 0) return close;
  // Integers and bools compare within the tolerance as numbers of the default dtype, as PyTorch's
  // (a difference in their own type would wrap: uint8 1 - 8 is 249).
  const bool as_float = is_integral(a.dtype(), true);
  const Tensor x = as_float ? to_dtype(a, default_dtype()) : a;
  const Tensor y = as_float ? to_dtype(b, default_dtype()) : b;
  Tensor diff = abs(sub(x, y));
  Tensor tol = add(scalar_tensor(atol), abs(mul(scalar_tensor(rtol), y)));
  return logical_or(close, logical_and(le(diff, tol), isfinite(diff)));
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  return all(isclose(a, b, rtol, atol, equal_nan)).item<bool>();
}

bool equal(const Tensor& a, const Tensor& b) {
  return a.sizes() == b.sizes() && all(eq(a, b)).item<bool>();
}

}  // namespace ember

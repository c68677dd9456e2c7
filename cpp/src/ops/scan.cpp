// Scans along one dim (the table in scan.def): checks, dtypes, 0-d inputs and recording are
// written once here for the family; below them each row's backward, then the ops the rows make.
// The backwards are ember ops, so create_graph gives higher-order gradients.
#include <limits>

#include "autograd/record.h"
#include "ember/ops.h"
#include "kernels.h"
#include "ops/widen.h"

namespace ember {

namespace {
enum class Kind { SUM, FLOAT };
/// What a row's backward reads (the `saves` column of scan.def).
enum Saves { NONE = 0, XR = 1 };

using ScanKernel = void (*)(const Tensor&, const Tensor&, int64_t);
using IndexedKernel = void (*)(const Tensor&, const Tensor&, const Tensor&, int64_t);
/// backward(g, x, result, dim): x and result are undefined unless the row saves them.
using ScanBackward = Tensor (*)(const Tensor&, const Tensor&, const Tensor&, int64_t);

/// The dtype a scan computes and returns in.
DType scan_dtype(Kind kind, const Tensor& t, OptDType dtype, const char* op) {
  if (kind == Kind::SUM) {
    const DType dt = dtype.value_or(is_floating(t.dtype()) ? t.dtype() : DType::Int64);
    EMBER_CHECK_TYPE(dt != DType::Bool, op, ": not implemented for bool results (dtype=bool)");
    return dt;
  }
  const DType dt = dtype.value_or(t.dtype());
  EMBER_CHECK_TYPE(is_floating(dt), op, ": expected a floating tensor, got ", dtype_name(dt));
  return dt;
}

/// A 0-d tensor is scanned as a 1-element one.
Tensor as_line(const Tensor& t) { return t.dim() == 0 ? reshape(t, {1}) : t; }

Tensor value_scan(const char* op, const std::string& node, Kind kind, ScanKernel kernel, int saves,
                  ScanBackward backward, const Tensor& t, int64_t dim, OptDType dtype) {
  dim = wrap_dim(dim, t.dim(), op);
  const DType dt = scan_dtype(kind, t, dtype, op);
  // A floating input is cast first, so that a cast records its own node, and so is any input
  // scanned in a floating dtype (as PyTorch's: int16 values round to float16 before the sum);
  // bool and integer inputs scanned as integers are converted by the kernel as it reads them.
  const Tensor x = is_floating(t.dtype()) || is_floating(dt) ? to_dtype(t, dt) : t;
  const bool rec = autograd::needs_grad(x) && is_floating(dt);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    if (x.dim() == 0) {  // a scan of one element is that element, -0.0 kept (as PyTorch's copy)
      out = clone(to_dtype(x, dt));
    } else {
      out = Tensor::empty(x.sizes(), dt, x.device());
      // a 16-bit float result is written by the kernel, which runs it in float (not double)
      const Tensor result = is_floating(dt) && is_narrow(dt) ? out : kernel_output(out);
      call_kernel(x.device(), op, kernel, result, kernel_input(x, x.dtype()), dim);
      finish_output(out, result);
    }
  }
  if (rec)
    autograd::record(node.c_str(), {out}, {x}, saves == XR ? Tensors{x, out} : Tensors{},
                     [backward, dim](const Tensors& g, const Tensors& s) {
                       const bool saved = !s.empty();
                       return Tensors{backward(g[0], saved ? s[0] : Tensor(), saved ? s[1] : Tensor(), dim)};
                     });
  return out;
}

/// t reversed along dim (a gather, so it has a gradient).
Tensor flip(const Tensor& t, int64_t dim) {
  const int64_t n = t.sizes()[dim];
  return index_select(t, dim, n > 0 ? arange(n - 1, -1, -1) : zeros({0}, DType::Int64));
}

/// out_i = sum over k >= i of t_k: the running sum taken from the end (no cancellation).
Tensor reversed_cumsum(const Tensor& t, int64_t dim) { return flip(cumsum(flip(t, dim), dim), dim); }

bool trivial(const Tensor& g) { return g.dim() == 0 || g.numel() == 0; }
}  // namespace

// ---- cumsum: element i feeds every running sum from i on --------------------------------------
namespace {
Tensor cumsum_backward(const Tensor& g, const Tensor&, const Tensor&, int64_t dim) {
  return trivial(g) ? g : reversed_cumsum(g, dim);
}
}  // namespace

// ---- cumprod -----------------------------------------------------------------------------------
namespace {
/// dx_i = sum over k >= i of g_k * prod(x_j, j <= k, j != i), without a division: row i of an
/// n x n table is the running product of x with x_i replaced by 1. O(n^2) memory along dim, so
/// only for higher-order gradients of inputs holding zeros (as PyTorch).
Tensor cumprod_backward_exact(const Tensor& g, const Tensor& x, int64_t dim) {
  const int64_t n = x.sizes()[dim];
  const Tensor i = reshape(arange(0, n), {n, 1}), k = reshape(arange(0, n), {1, n});
  const Tensor one = scalar_tensor(1.0, x.dtype()), zero = scalar_tensor(0.0, x.dtype());
  Tensor rows = where(eq(i, k), one, unsqueeze(movedim(x, dim, -1), -2));  // (..., n, n)
  Tensor terms = mul(cumprod(rows, -1), unsqueeze(movedim(g, dim, -1), -2));
  return movedim(sum(where(ge(k, i), terms, zero), Dims{-1}), -1, dim);
}

/// Without zeros dx_i = sum over k >= i of g_k y_k, divided by x_i. With zeros, a division by x
/// is wrong: before the first zero z the formula holds with k < z; at z the products skip z
/// itself: the product before z times the sum of g_k prod(x_(z+1..k)) for k before the second
/// zero; after z every product holds x_z = 0. Terms are masked out, not multiplied by 0 (inf * 0
/// is NaN), and the product before z is a factor of its own, as PyTorch (no inf - inf).
Tensor cumprod_backward(const Tensor& g, const Tensor& x, const Tensor& y, int64_t dim) {
  if (trivial(g) || x.sizes()[dim] == 1) return g;
  const Tensor is_zero = eq(x, scalar_tensor(0.0, x.dtype()));
  if (!any(is_zero).item<bool>()) return div(reversed_cumsum(mul(g, y), dim), x);
  // The masked form below is right in value but not in its own derivative.
  if (autograd::is_grad_enabled()) return cumprod_backward_exact(g, x, dim);
  const Tensor one = scalar_tensor(1.0, x.dtype()), zero = scalar_tensor(0.0, x.dtype());
  const Tensor zeros_so_far = cumsum(is_zero, dim);
  const Tensor before = eq(zeros_so_far, scalar_tensor(0)), upto_second = eq(zeros_so_far, scalar_tensor(1));
  const Tensor first_zero = logical_and(is_zero, upto_second), between = logical_xor(upto_second, first_zero);
  const Tensor to_first = reversed_cumsum(where(before, mul(g, y), zero), dim);
  const Tensor after_first = cumprod(where(between, x, one), dim);
  const Tensor at_first = mul(prod(where(before, x, one), Dims{dim}, true),
                              sum(where(upto_second, mul(g, after_first), zero), Dims{dim}, true));
  return where(before, div(to_first, where(before, x, one)), where(first_zero, at_first, zero));
}
}  // namespace

// ---- logcumsumexp ------------------------------------------------------------------------------
namespace {
/// dx_i = exp(x_i) * sum over k >= i of g_k exp(-y_k), taken as PyTorch does: the positive and
/// negative parts of g go through logs and a reversed logcumsumexp, so nothing overflows (`none`,
/// the lowest finite value, stands for log 0 and keeps -inf - -inf out).
Tensor logcumsumexp_backward(const Tensor& g, const Tensor& x, const Tensor& y, int64_t dim) {
  if (trivial(g)) return g;
  const double lowest = g.dtype() == DType::Float32 ? double(std::numeric_limits<float>::lowest())
                                                    : std::numeric_limits<double>::lowest();
  const Tensor none = scalar_tensor(lowest, g.dtype()), zero = scalar_tensor(0.0, g.dtype());
  const Tensor log_abs = log(abs(g));
  auto part = [&](const Tensor& log_g) {
    return exp(add(flip(logcumsumexp(flip(sub(log_g, y), dim), dim), dim), x));
  };
  return sub(part(where(gt(g, zero), log_abs, none)), part(where(lt(g, zero), log_abs, none)));
}
}  // namespace

// ---- cummax, cummin: the gradient goes to the index each value came from -----------------------
namespace {
Tensor cummaxmin_backward(const Tensor& g, const Tensor& indices, int64_t dim) {
  return trivial(g) ? g : scatter_add(zeros(g.sizes(), g.dtype(), g.device()), dim, indices, g);
}

std::pair<Tensor, Tensor> indexed_scan(const char* op, const std::string& node, IndexedKernel kernel, const Tensor& t,
                                       int64_t dim) {
  dim = wrap_dim(dim, t.dim(), op);
  const bool rec = autograd::needs_grad(t);
  Tensor values, indices;
  {
    autograd::RecordingOff off(rec);
    const Tensor in = as_line(t);
    values = Tensor::empty(in.sizes(), t.dtype(), t.device());
    indices = Tensor::empty(in.sizes(), DType::Int64, t.device());
    const Tensor picked = kernel_output(values);
    call_kernel(t.device(), op, kernel, picked, indices, kernel_input(in, in.dtype()), dim);
    finish_output(values, picked);
    if (t.dim() == 0) {
      values = reshape(values, {});
      indices = reshape(indices, {});
    }
  }
  if (rec)
    autograd::record(node.c_str(), {values}, {t}, {indices}, [dim](const Tensors& g, const Tensors& s) {
      return Tensors{cummaxmin_backward(g[0], s[0], dim)};
    });
  return {values, indices};
}
}  // namespace

// The ops of the table. Node names as PyTorch's (CumsumBackward0, ...).
#define EMBER_SCAN(name, kind, running, init, step, saves)                                        \
  Tensor name(const Tensor& t, int64_t dim, OptDType dtype) {                                     \
    static const std::string node = autograd::backward_name(#name);                               \
    return value_scan(#name, node, Kind::kind, cpu::name, saves, name##_backward, t, dim, dtype); \
  }
#define EMBER_SCAN_INDEXED(name, keeps)                             \
  std::pair<Tensor, Tensor> name(const Tensor& t, int64_t dim) {    \
    static const std::string node = autograd::backward_name(#name); \
    return indexed_scan(#name, node, cpu::name, t, dim);            \
  }
#include "ember/scan.def"

// In place: the result keeps t's dtype (a dtype= must be it, as PyTorch).
namespace {
Tensor& scan_(const char* op, Tensor& t, int64_t dim, OptDType dtype, Tensor (*scan)(const Tensor&, int64_t, OptDType),
              bool keeps_old) {
  t.check_in_place(op);
  EMBER_CHECK_RUNTIME(!dtype || *dtype == t.dtype(), op, ": dtype=", dtype_name(dtype.value_or(t.dtype())),
                      " must be the tensor's own dtype ", dtype_name(t.dtype()), " for an in-place scan");
  const DType own = t.dtype();
  if (autograd::inplace_requires_grad(t, {}, op))
    return autograd::apply_inplace(t, op, [&](const Tensor& old) { return scan(old, dim, own); }, keeps_old);
  return copy_(t, scan(t, dim, own));
}
}  // namespace

Tensor& cumsum_(Tensor& t, int64_t dim, OptDType dtype) { return scan_("cumsum_", t, dim, dtype, &cumsum, false); }

Tensor& cumprod_(Tensor& t, int64_t dim, OptDType dtype) { return scan_("cumprod_", t, dim, dtype, &cumprod, true); }

}  // namespace ember

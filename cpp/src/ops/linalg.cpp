// Matrix products, symmetric eigendecompositions and the factorizations of linalg (LU: solve, inv,
// det, slogdet; Cholesky; QR; SVD), each with its backward in ember ops. Every product reduces to
// the batched 3-D gemm kernel over views: vectors become 1-row or 1-column matrices, broadcast
// batch dims become stride-0 batches.
#include "autograd/record.h"
#include "ember/ops.h"
#include "kernels.h"
#include "ops/widen.h"

namespace ember {

namespace {
DType matmul_dtype(const char* op, const Tensor& a, const Tensor& b) {
  EMBER_CHECK_TYPE(a.dtype() != DType::Bool && b.dtype() != DType::Bool, op, ": not implemented for bool tensors");
  EMBER_CHECK_TYPE(a.dtype() == b.dtype(), op, ": expected both operands to have the same dtype, but got ",
                   dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
  return a.dtype();
}

/// out (B, M, N) = a (B, M, K) @ b (B, K, N); 16-bit floats through the float32 GEMM.
Tensor gemm3(const char* op, const Tensor& a, const Tensor& b) {
  Tensor out = Tensor::empty({a.sizes()[0], a.sizes()[1], b.sizes()[2]}, a.dtype(), a.device());
  const Tensor result = kernel_output(out);
  call_kernel(a.device(), op, cpu::gemm, result, kernel_input(a, a.dtype()), kernel_input(b, b.dtype()), false);
  finish_output(out, result);
  return out;
}

std::string mismatch(const Tensor& a, const Tensor& b) {
  return detail::cat(": shapes ", shape_str(a.sizes()), " and ", shape_str(b.sizes()), " cannot be multiplied");
}

Tensor matmul_forward(const Tensor& a, const Tensor& b);

/// The backward of every matrix product (written once, through matmul): vectors are made
/// matrices as in the forward, ga = g @ b^T and gb = a^T @ g, summed over broadcast batches.
void record_matmul(const char* name, const Tensor& out, const Tensor& a, const Tensor& b) {
  const bool need_a = autograd::requires_grad(a), need_b = autograd::requires_grad(b);
  const bool a_vec = a.dim() == 1, b_vec = b.dim() == 1;
  autograd::record(name, {out}, {a, b}, {need_b ? a : Tensor(), need_a ? b : Tensor()},
                   [need_a, need_b, a_vec, b_vec](const Tensors& g, const Tensors& s) {
                     Tensor gm = g[0];
                     if (b_vec) gm = unsqueeze(gm, gm.dim());
                     if (a_vec) gm = unsqueeze(gm, gm.dim() - 1);
                     Tensors in(2);
                     if (need_a) {
                       const Tensor& b = s[1];
                       Tensor bm = b_vec ? unsqueeze(b, 1) : b;
                       Tensor ga = matmul(gm, matrix_transpose(bm));
                       // The engine sums broadcast batch dims back; a vector also drops its row.
                       in[0] = a_vec ? reshape(sum_to(ga, {1, ga.sizes().back()}), {ga.sizes().back()}) : ga;
                     }
                     if (need_b) {
                       const Tensor& a = s[0];
                       Tensor am = a_vec ? unsqueeze(a, 0) : a;
                       Tensor gb = matmul(matrix_transpose(am), gm);
                       const int64_t k = gb.sizes()[gb.dim() - 2];
                       in[1] = b_vec ? reshape(sum_to(gb, {k, 1}), {k}) : gb;
                     }
                     return in;
                   });
}
}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.dim() == 2 && b.dim() == 2, "mm: expected 2-D tensors, got shapes ", shape_str(a.sizes()), " and ",
              shape_str(b.sizes()));
  EMBER_CHECK(a.sizes()[1] == b.sizes()[0], "mm", mismatch(a, b));
  matmul_dtype("mm", a, b);
  const bool rec = autograd::needs_grad(a, b);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    Tensor r = gemm3("mm", unsqueeze(a, 0), unsqueeze(b, 0));
    out = Tensor::make_view(r, {a.sizes()[0], b.sizes()[1]}, {b.sizes()[1], 1}, 0);
  }
  if (rec && is_floating(out.dtype())) record_matmul("MmBackward0", out, a, b);
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.dim() == 3 && b.dim() == 3, "bmm: expected 3-D tensors, got shapes ", shape_str(a.sizes()), " and ",
              shape_str(b.sizes()));
  EMBER_CHECK(a.sizes()[0] == b.sizes()[0] && a.sizes()[2] == b.sizes()[1], "bmm", mismatch(a, b));
  matmul_dtype("bmm", a, b);
  const bool rec = autograd::needs_grad(a, b);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = gemm3("bmm", a, b);
  }
  if (rec && is_floating(out.dtype())) record_matmul("BmmBackward0", out, a, b);
  return out;
}

Tensor mv(const Tensor& a, const Tensor& v) {
  EMBER_CHECK(a.dim() == 2 && v.dim() == 1, "mv: expected a 2-D matrix and a 1-D vector, got shapes ",
              shape_str(a.sizes()), " and ", shape_str(v.sizes()));
  EMBER_CHECK(a.sizes()[1] == v.sizes()[0], "mv", mismatch(a, v));
  matmul_dtype("mv", a, v);
  return matmul(a, v);
}

Tensor dot(const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.dim() == 1 && b.dim() == 1, "dot: expected 1-D tensors, got shapes ", shape_str(a.sizes()), " and ",
              shape_str(b.sizes()));
  EMBER_CHECK(a.sizes()[0] == b.sizes()[0], "dot: inconsistent tensor size, expected tensor ", shape_str(a.sizes()),
              " and ", shape_str(b.sizes()), " to have the same number of elements");
  matmul_dtype("dot", a, b);
  return matmul(a, b);
}

Tensor outer(const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.dim() == 1 && b.dim() == 1, "outer: expected 1-D tensors, got shapes ", shape_str(a.sizes()), " and ",
              shape_str(b.sizes()));
  return mul(unsqueeze(a, 1), unsqueeze(b, 0));
}

namespace {
/// torch's linear beyond the layer's form: a 1-D weight (one dot product per row of x) or a bias of
/// any shape that broadcasts to the result (added in place, so it may not grow the result).
Tensor linear_general(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  EMBER_CHECK(weight.dim() == 1 || weight.dim() == 2, "linear: weight must be 2-D (out_features, in_features) "
              "or 1-D, got ", shape_str(weight.sizes()));
  EMBER_CHECK(x.dim() >= 1 && x.sizes().back() == weight.sizes().back(), "linear: input ", shape_str(x.sizes()),
              " and weight ", shape_str(weight.sizes()), " cannot be multiplied (the input's last dim must be ",
              weight.sizes().back(), ")");
  // torch adds a bias by addmm (on the input flattened to 2-D), which needs a 2-D weight
  EMBER_CHECK(!bias.defined() || weight.dim() == 2, "linear: a bias needs a 2-D weight, got weight ",
              shape_str(weight.sizes()));
  Tensor out = matmul(x, weight.dim() == 2 ? transpose(weight, 0, 1) : weight);
  if (!bias.defined()) return out;
  // added in place by torch, so the bias may not grow the result (torch's addmm path for
  // contiguous 3-D inputs refuses some biases that broadcast; ember takes every one that does)
  const Shape& o = out.sizes();
  const Shape& b = bias.sizes();
  bool fits = b.size() <= o.size();
  for (size_t i = 1; fits && i <= b.size(); ++i) fits = b[b.size() - i] == 1 || b[b.size() - i] == o[o.size() - i];
  EMBER_CHECK(fits, "linear: bias ", shape_str(b), " cannot be broadcast to the result's shape ", shape_str(o));
  EMBER_CHECK_TYPE(bias.dtype() == x.dtype(), "linear: bias has dtype ", dtype_name(bias.dtype()),
                   ", input and weight ", dtype_name(x.dtype()));
  return add(out, bias);
}
}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  if (weight.dim() != 2 || (bias.defined() && (bias.dim() != 1 || bias.numel() != weight.sizes()[0])))
    return linear_general(x, weight, bias);
  const int64_t out_features = weight.sizes()[0], in_features = weight.sizes()[1];
  EMBER_CHECK(x.dim() >= 1 && x.sizes().back() == in_features, "linear: input ", shape_str(x.sizes()),
              " and weight ", shape_str(weight.sizes()), " cannot be multiplied (the input's last dim must be ",
              in_features, ")");
  matmul_dtype("linear", x, weight);
  if (bias.defined())
    EMBER_CHECK_TYPE(bias.dtype() == x.dtype(), "linear: bias has dtype ", dtype_name(bias.dtype()),
                     ", input and weight ", dtype_name(x.dtype()));
  if (is_narrow(x.dtype())) {  // float16/bfloat16 in float32, rounded once
    const DType w = widened(x.dtype());
    return to_dtype(linear(to_dtype(x, w), to_dtype(weight, w), bias.defined() ? to_dtype(bias, w) : bias), x.dtype());
  }
  const bool rec = autograd::needs_grad(x, weight) || (bias.defined() && autograd::needs_grad(bias));
  int64_t rows = 1;
  for (int64_t d = 0; d + 1 < x.dim(); ++d) rows *= x.sizes()[d];
  Shape out_shape = x.sizes();
  out_shape.back() = out_features;
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    Tensor x2 = reshape(x, {1, rows, in_features});
    out = Tensor::empty({1, rows, out_features}, x.dtype(), x.device());
    // The bias goes in first; the product is added onto it (BLAS beta = 1).
    if (bias.defined()) copy_(out, expand(bias, out.sizes()));
    call_kernel(x.device(), "linear", cpu::gemm, out, x2, unsqueeze(transpose(weight, 0, 1), 0), bias.defined());
    out = reshape(out, out_shape);
  }
  if (!rec) return out;
  const bool need_x = autograd::requires_grad(x), need_w = autograd::requires_grad(weight);
  const bool has_bias = bias.defined(), need_b = has_bias && autograd::requires_grad(bias);
  autograd::record(bias.defined() ? "AddmmBackward0" : "MmBackward0", {out},
                   bias.defined() ? Tensors{x, weight, bias} : Tensors{x, weight},
                   {need_w ? x : Tensor(), need_x ? weight : Tensor()},
                   [need_x, need_w, need_b, has_bias, rows, in_sizes = x.sizes()](const Tensors& g, const Tensors& s) {
                     const int64_t out_features = g[0].sizes().back();
                     Tensor g2 = reshape(g[0], {rows, out_features});
                     Tensors grads(has_bias ? 3 : 2);
                     if (need_x) grads[0] = reshape(mm(g2, s[1]), in_sizes);
                     if (need_w) grads[1] = mm(transpose(g2, 0, 1), reshape(s[0], {rows, s[0].sizes().back()}));
                     if (need_b) grads[2] = sum(g2, Dims{0});
                     return grads;
                   });
  return out;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.dim() > 0 && b.dim() > 0, "matmul: both arguments need at least 1 dim, got shapes ",
              shape_str(a.sizes()), " and ", shape_str(b.sizes()));
  matmul_dtype("matmul", a, b);
  const bool rec = autograd::needs_grad(a, b);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = matmul_forward(a, b);
  }
  if (rec && is_floating(out.dtype())) {
    const char* name = a.dim() == 2 && b.dim() == 2 ? "MmBackward0"
                       : a.dim() == 1 && b.dim() == 1 ? "DotBackward0"
                       : a.dim() == 2 && b.dim() == 1 ? "MvBackward0"
                                                      : "MatmulBackward0";
    record_matmul(name, out, a, b);
  }
  return out;
}

namespace {
Tensor matmul_forward(const Tensor& a, const Tensor& b) {
  // Vectors become matrices; the added dim is dropped from the result.
  const bool a_vec = a.dim() == 1, b_vec = b.dim() == 1;
  Tensor am = a_vec ? unsqueeze(a, 0) : a;
  Tensor bm = b_vec ? unsqueeze(b, 1) : b;
  const int64_t M = am.sizes()[am.dim() - 2], K = am.sizes()[am.dim() - 1];
  const int64_t K2 = bm.sizes()[bm.dim() - 2], N = bm.sizes()[bm.dim() - 1];
  EMBER_CHECK(K == K2, "matmul", mismatch(a, b));
  const Shape a_batch(am.sizes().begin(), am.sizes().end() - 2), b_batch(bm.sizes().begin(), bm.sizes().end() - 2);
  Shape batch;
  try {
    batch = broadcast_shapes(a_batch, b_batch, "matmul");
  } catch (const ValueError&) {
    throw ValueError(detail::cat("matmul: batch dims of shapes ", shape_str(a.sizes()), " and ", shape_str(b.sizes()),
                                 " cannot be broadcast together"));
  }
  Shape a_full = batch, b_full = batch;
  a_full.insert(a_full.end(), {M, K});
  b_full.insert(b_full.end(), {K, N});
  // The batch dims flatten into one (a view when the broadcast strides allow, a copy otherwise).
  const int64_t nb = numel_of(batch);
  Tensor a3 = reshape(expand(am, a_full), {nb, M, K});
  Tensor b3 = reshape(expand(bm, b_full), {nb, K, N});
  Shape out_shape = batch;
  if (!a_vec) out_shape.push_back(M);
  if (!b_vec) out_shape.push_back(N);
  Tensor out = gemm3("matmul", a3, b3);
  return Tensor::make_view(out, out_shape, contiguous_strides(out_shape), 0);
}
}  // namespace

namespace {
/// linalg.eigh's checks (torch's messages and types); whether UPLO names the upper triangle.
bool eigh_checks(const char* op, const Tensor& a, const std::string& uplo) {
  EMBER_CHECK_RUNTIME(uplo == "L" || uplo == "l" || uplo == "U" || uplo == "u", op,
                      ": Expected UPLO argument to be 'L' or 'U', but got ", uplo);
  EMBER_CHECK_RUNTIME(a.dim() >= 2, op, ": The input tensor A must have at least 2 dimensions, got shape ",
                      shape_str(a.sizes()));
  const int64_t rows = a.sizes()[a.dim() - 2], cols = a.sizes().back();
  EMBER_CHECK_RUNTIME(rows == cols, op, ": A must be batches of square matrices, but they are ", rows, " by ", cols,
                      " matrices (shape ", shape_str(a.sizes()), ")");
  EMBER_CHECK_T(NotImplementedError, a.dtype() == DType::Float32 || a.dtype() == DType::Float64, op,
                ": not implemented for ", dtype_name(a.dtype()), " tensors (float32 and float64 only)");
  return uplo == "U" || uplo == "u";
}

/// The decomposition without history: values (..., n) and, with `vectors`, V (..., n, n) whose
/// columns are the eigenvectors (a transposed view of LAPACK's rows, strides as torch's).
std::pair<Tensor, Tensor> eigh_forward(const char* op, const Tensor& a, bool upper, bool vectors) {
  const int64_t n = a.sizes().back();
  const Shape batch(a.sizes().begin(), a.sizes().end() - 2);
  const int64_t nb = numel_of(batch);
  Tensor work = empty({nb, n, n}, a.dtype(), a.device());  // LAPACK overwrites its input
  copy_(work, reshape(a, {nb, n, n}));
  Tensor values = empty({nb, n}, a.dtype(), a.device());
  int64_t failed = -1;
  int info = 0;
  call_kernel(a.device(), op, cpu::eigh, values, work, upper, vectors, &failed, &info);
  EMBER_CHECK_RUNTIME(failed < 0, op, ": ", batch.empty() ? "" : detail::cat("(Batch element ", failed, "): "),
                      "The algorithm failed to converge because the input matrix is ill-conditioned or has too many "
                      "repeated eigenvalues (error code: ", info, ").");
  Shape values_shape = batch, vectors_shape = batch;
  values_shape.push_back(n);
  vectors_shape.insert(vectors_shape.end(), {n, n});
  Tensor V = vectors ? matrix_transpose(reshape(work, vectors_shape)) : Tensor();
  return {reshape(values, values_shape), V};
}
}  // namespace

std::pair<Tensor, Tensor> linalg_eigh(const Tensor& a, const std::string& uplo) {
  const bool upper = eigh_checks("linalg.eigh", a, uplo);
  const bool rec = autograd::needs_grad(a);
  std::pair<Tensor, Tensor> out;
  {
    autograd::RecordingOff off(rec);
    out = eigh_forward("linalg.eigh", a, upper, true);
  }
  if (!rec) return out;
  // torch's backward (Hermitian case): gA = V (diag(gL) + skew(V^T gV) / E) V^T, where
  // skew(M) = (M - M^T) / 2 and E[i][j] = L[j] - L[i] (1 on the diagonal, where skew is 0).
  // Distinct eigenvalues are assumed; repeated ones make the eigenvectors' gradient infinite.
  autograd::record("LinalgEighBackward0", {out.first, out.second}, {a}, {out.first, out.second},
                   [](const Tensors& g, const Tensors& s) {
                     const Tensor &L = s[0], &V = s[1];
                     const Tensor Vt = matrix_transpose(V);
                     Tensor inner = diag_embed(g[0]);
                     // The engine passes zeros for an unused V: skip its part, which is 0 / 0 where
                     // eigenvalues repeat (eigvalsh of the identity had a NaN gradient).
                     if (g[1].defined() && any(ne(g[1], scalar_tensor(0.0, g[1].dtype()))).item<bool>()) {
                       const Tensor VtgV = matmul(Vt, g[1]);
                       const Tensor skew = mul(sub(VtgV, matrix_transpose(VtgV)), scalar_tensor(0.5));
                       const int64_t n = L.sizes().back();
                       const Tensor E = add(sub(unsqueeze(L, -2), unsqueeze(L, -1)), eye(n, n, L.dtype(), L.device()));
                       inner = add(inner, div(skew, E));
                     }
                     return Tensors{matmul(V, matmul(inner, Vt))};
                   });
  return out;
}

Tensor linalg_eigvalsh(const Tensor& a, const std::string& uplo) {
  const bool upper = eigh_checks("linalg.eigvalsh", a, uplo);
  // The gradient of the values needs the vectors: then it is eigh's first result.
  if (autograd::needs_grad(a)) return linalg_eigh(a, uplo).first;
  return eigh_forward("linalg.eigvalsh", a, upper, false).first;
}

// ---- factorizations: LU (solve, inv, det, slogdet), Cholesky, QR, SVD --------------------------
// LAPACK is column-major: each op copies its input into a tensor whose memory holds the matrices
// transposed, row-major ("work", shape (..., cols, rows)); matrix_transpose(work) is then the
// result with torch's (column-major) strides.
namespace {
void check_float(const char* op, const Tensor& a, const char* name = "A") {
  EMBER_CHECK_TYPE(a.dtype() == DType::Float32 || a.dtype() == DType::Float64, op, ": expected ", name,
                   " to be a float32 or float64 tensor, got ", dtype_name(a.dtype()));
}

/// torch's checks of a batch of matrices (at least 2 dims; square when `square`) and its dtype.
void check_matrices(const char* op, const Tensor& a, bool square = true) {
  EMBER_CHECK(a.dim() >= 2, op, ": The input tensor A must have at least 2 dimensions, got shape ",
              shape_str(a.sizes()));
  const int64_t rows = a.sizes()[a.dim() - 2], cols = a.sizes().back();
  EMBER_CHECK(!square || rows == cols, op, ": A must be batches of square matrices, but they are ", rows, " by ", cols,
              " matrices (shape ", shape_str(a.sizes()), ")");
  check_float(op, a);
}

Tensor zeros_of(const Tensor& t) { return zeros(t.sizes(), t.dtype(), t.device()); }
Shape batch_of(const Tensor& a) { return Shape(a.sizes().begin(), a.sizes().end() - 2); }
Shape with(Shape s, std::initializer_list<int64_t> tail) {
  s.insert(s.end(), tail);
  return s;
}

/// a (..., r, c) copied into column-major memory: (..., c, r) contiguous.
Tensor column_major(const Tensor& a) {
  Tensor work = empty(with(batch_of(a), {a.sizes().back(), a.sizes()[a.dim() - 2]}), a.dtype(), a.device());
  copy_(work, matrix_transpose(a));
  return work;
}

/// The contiguous (B, x, y) view of a contiguous (..., x, y) tensor that the kernels take.
Tensor flat3(const Tensor& t) {
  const int64_t d = t.dim();
  return reshape(t, {numel_of(batch_of(t)), t.sizes()[d - 2], t.sizes()[d - 1]});
}
Tensor flat2(const Tensor& t) { return reshape(t, {numel_of(Shape(t.sizes().begin(), t.sizes().end() - 1)), t.sizes().back()}); }

/// The first batch element whose LAPACK info is positive, or -1.
int64_t first_failure(const Tensor& infos, int* info) {
  const int* p = static_cast<const int*>(infos.raw_data());
  for (int64_t b = 0; b < infos.numel(); ++b)
    if (p[b] > 0) {
      *info = p[b];
      return b;
    }
  return -1;
}
std::string batch_prefix(const Shape& batch, int64_t b) {
  return batch.empty() ? "" : detail::cat("(Batch element ", b, "): ");
}

struct LU {
  Tensor work, pivots, infos;  // work: (..., n, n) column-major; pivots (..., n) int32
};
LU lu_forward(const char* op, const Tensor& a) {
  LU lu{column_major(a), empty(with(batch_of(a), {a.sizes().back()}), DType::Int32, a.device()),
        empty({numel_of(batch_of(a))}, DType::Int32, a.device())};
  call_kernel(a.device(), op, cpu::lu_factor, flat3(lu.work), flat2(lu.pivots), lu.infos);
  return lu;
}

void check_invertible(const char* op, const Tensor& a, const LU& lu, bool inv) {
  int info = 0;
  const int64_t b = first_failure(lu.infos, &info);
  if (b < 0) return;
  if (inv)
    throw LinAlgError(detail::cat(op, ": ", batch_prefix(batch_of(a), b), "The diagonal element ", info,
                                  " is zero, the inversion could not be completed because the input matrix is "
                                  "singular."));
  throw LinAlgError(detail::cat(op, ": ", batch_prefix(batch_of(a), b),
                                "The solver failed because the input matrix is singular."));
}

/// X = A^-1 B for A (..., n, n) and B (..., n, k) of equal batch dims, without history.
Tensor solve_forward(const char* op, const Tensor& a, const Tensor& b, bool inv) {
  const LU lu = lu_forward(op, a);
  check_invertible(op, a, lu, inv);
  Tensor x = column_major(b);  // (..., k, n)
  call_kernel(a.device(), op, cpu::lu_solve, flat3(lu.work), flat2(lu.pivots), flat3(x), false);
  return matrix_transpose(x);
}

/// torch's rule: B is a batch of vectors when 1-D or shaped as A without its last dim.
bool vector_rhs(const Tensor& a, const Tensor& b) {
  return b.dim() == 1 || (b.dim() == a.dim() - 1 && b.sizes() == Shape(a.sizes().begin(), a.sizes().end() - 1));
}
}  // namespace

namespace {
LU lu_factor_checked(const char* op, const Tensor& a) {
  check_matrices(op, a);
  EMBER_CHECK_RUNTIME(!autograd::needs_grad(a), op, ": the gradient of the LU factorization is not implemented; "
                      "factor A.detach(), or use linalg.solve, inv, det or slogdet, which are differentiable");
  return lu_forward(op, a);
}
}  // namespace

std::tuple<Tensor, Tensor, Tensor> linalg_lu_factor_ex(const Tensor& a) {
  LU lu = lu_factor_checked("linalg.lu_factor_ex", a);
  return {matrix_transpose(lu.work), lu.pivots, reshape(lu.infos, batch_of(a))};
}

std::pair<Tensor, Tensor> linalg_lu_factor(const Tensor& a) {
  LU lu = lu_factor_checked("linalg.lu_factor", a);
  int info = 0;  // as torch's lu_factor (not lu_factor_ex): a zero on U's diagonal is an error
  const int64_t b = first_failure(lu.infos, &info);
  if (b >= 0)
    throw LinAlgError(detail::cat("linalg.lu_factor: ", batch_prefix(batch_of(a), b), "U[", info, ",", info,
                                  "] is zero and using it on lu_solve would result in a division by zero."));
  return {matrix_transpose(lu.work), lu.pivots};
}

namespace {
/// The broadcast batch dims of A and of the right-hand sides bm (B as solved, `b` as the caller
/// gave it, for the message), named after the solver that failed.
Shape broadcast_batches(const char* op, const Tensor& a, const Tensor& bm, const Tensor& b) {
  try {
    return broadcast_shapes(batch_of(a), batch_of(bm), op);
  } catch (const ValueError&) {
    throw ValueError(detail::cat(op, ": the batch dims of A ", shape_str(a.sizes()), " and B ", shape_str(b.sizes()),
                                 " cannot be broadcast together"));
  }
}
}  // namespace

Tensor linalg_solve(const Tensor& a, const Tensor& b, bool left) {
  const char* op = "linalg.solve";
  check_matrices(op, a);
  check_float(op, b, "B");
  EMBER_CHECK_TYPE(a.dtype() == b.dtype(), op, ": Expected A and B to have the same dtype, but found A of type ",
                   dtype_name(a.dtype()), " and B of type ", dtype_name(b.dtype()), " instead");
  const bool vec = vector_rhs(a, b);
  const int64_t n = a.sizes().back();
  if (!left) {  // X A = B is A^T X^T = B^T
    EMBER_CHECK(!vec, op, ": Vector broadcasting of the left hand side is not supported for left=False. In this case "
                "linalg.solve is equivalent to B / A.squeeze(-1) (A ", shape_str(a.sizes()), ", B ", shape_str(b.sizes()), ")");
    EMBER_CHECK(b.sizes().back() == n, op, ": Incompatible shapes of A and B for the equation XA = B (A ",
                shape_str(a.sizes()), ", B ", shape_str(b.sizes()), ")");
    return matrix_transpose(linalg_solve(matrix_transpose(a), matrix_transpose(b), true));
  }
  const Tensor bm = vec ? unsqueeze(b, -1) : b;
  EMBER_CHECK(bm.dim() >= 2 && bm.sizes()[bm.dim() - 2] == n, op,
              ": Incompatible shapes of A and B for the equation AX = B (A ", shape_str(a.sizes()), ", B ",
              shape_str(b.sizes()), ")");
  const Shape batch = broadcast_batches(op, a, bm, b);
  const int64_t k = bm.sizes().back();
  const bool rec = autograd::needs_grad(a, b);
  Tensor x;
  {
    autograd::RecordingOff off(rec);
    x = solve_forward(op, expand(a, with(batch, {n, n})), expand(bm, with(batch, {n, k})), false);
    if (vec) x = squeeze(x, Dims{-1});
  }
  if (!rec) return x;
  // torch's: gB = A^-T gX (a solve again, so higher orders follow), gA = -gB X^T.
  const bool need_a = autograd::requires_grad(a), need_b = autograd::requires_grad(b);
  autograd::record("LinalgSolveExBackward0", {x}, {a, b}, {a, x}, [need_a, need_b, vec](const Tensors& g, const Tensors& s) {
    const Tensor& A = s[0];
    const Tensor& X = s[1];
    Tensor gB = linalg_solve(matrix_transpose(A), g[0], true);
    Tensors in(2);
    if (need_a) in[0] = neg(vec ? mul(unsqueeze(gB, -1), unsqueeze(X, -2)) : matmul(gB, matrix_transpose(X)));
    if (need_b) in[1] = gB;
    return in;
  });
  return x;
}

Tensor linalg_solve_triangular(const Tensor& a, const Tensor& b, bool upper, bool left, bool unitriangular) {
  const char* op = "linalg.solve_triangular";
  check_matrices(op, a);
  check_float(op, b, "B");
  EMBER_CHECK_TYPE(a.dtype() == b.dtype(), op, ": Expected A and B to have the same dtype, but found A of type ",
                   dtype_name(a.dtype()), " and B of type ", dtype_name(b.dtype()), " instead");
  EMBER_CHECK(b.dim() >= 2, op, ": The input tensor B must have at least 2 dimensions, got shape ",
              shape_str(b.sizes()));
  const int64_t n = a.sizes().back(), rows = b.sizes()[b.dim() - 2], cols = b.sizes().back();
  EMBER_CHECK((left ? rows : cols) == n, op, ": Incompatible shapes of A and B for the equation ",
              left ? "AX = B" : "XA = B", " (A ", shape_str(a.sizes()), ", B ", shape_str(b.sizes()), ")");
  const Shape batch = broadcast_batches(op, a, b, b);
  const bool rec = autograd::needs_grad(a, b);
  Tensor x;
  {
    autograd::RecordingOff off(rec);
    const Tensor am = contiguous(expand(a, with(batch, {n, n})));
    x = clone(expand(b, with(batch, {rows, cols})));  // contiguous and fresh: solved in place
    call_kernel(a.device(), op, cpu::triangular_solve, flat3(am), flat3(x), upper, left, unitriangular);
  }
  if (!rec) return x;
  // torch's: gB solves the transposed system (a triangular solve again, so higher orders follow);
  // gA = -gB X^T (left) or -X^T gB, kept to the triangle that was read.
  const bool need_a = autograd::requires_grad(a), need_b = autograd::requires_grad(b);
  autograd::record("LinalgSolveTriangularBackward0", {x}, {a, b}, {a, x},
                   [need_a, need_b, upper, left, unitriangular](const Tensors& g, const Tensors& s) {
                     const Tensor& A = s[0];
                     const Tensor& X = s[1];
                     Tensor gB = linalg_solve_triangular(matrix_transpose(A), g[0], !upper, left, unitriangular);
                     Tensors in(2);
                     if (need_a) {
                       Tensor gA = neg(left ? matmul(gB, matrix_transpose(X)) : matmul(matrix_transpose(X), gB));
                       const int64_t skip = unitriangular ? 1 : 0;  // a unit diagonal is not read
                       in[0] = upper ? triu(gA, skip) : tril(gA, -skip);
                     }
                     if (need_b) in[1] = gB;
                     return in;
                   });
  return x;
}

Tensor linalg_inv(const Tensor& a) {
  const char* op = "linalg.inv";
  check_matrices(op, a);
  const int64_t n = a.sizes().back();
  const bool rec = autograd::needs_grad(a);
  Tensor x;
  {
    autograd::RecordingOff off(rec);
    x = solve_forward(op, a, expand(eye(n, n, a.dtype(), a.device()), a.sizes()), true);
  }
  if (!rec) return x;
  // gA = -A^-T gX A^-T, from the saved inverse.
  autograd::record("LinalgInvExBackward0", {x}, {a}, {x}, [](const Tensors& g, const Tensors& s) {
    const Tensor Xt = matrix_transpose(s[0]);
    return Tensors{neg(matmul(Xt, matmul(g[0], Xt)))};
  });
  return x;
}

namespace {
/// (sign of the row permutation, LU's diagonal) of a's LU factorization, without history.
std::pair<Tensor, Tensor> det_parts(const char* op, const Tensor& a) {
  const LU lu = lu_forward(op, a);
  const int64_t n = a.sizes().back();
  const Tensor swaps = sum(ne(lu.pivots, arange(1, n + 1, 1, DType::Int32, a.device())), Dims{-1});
  const Tensor perm_sign = sub(scalar_tensor(1.0, a.dtype()), mul(scalar_tensor(2.0, a.dtype()),
                                                                  to_dtype(remainder(swaps, scalar_tensor(2)), a.dtype())));
  return {perm_sign, diagonal(lu.work, 0, -2, -1)};
}
}  // namespace

Tensor linalg_det(const Tensor& a) {
  const char* op = "linalg.det";
  check_matrices(op, a);
  const bool rec = autograd::needs_grad(a);
  Tensor det;
  {
    autograd::RecordingOff off(rec);
    auto [perm_sign, diag] = det_parts(op, a);
    det = mul(perm_sign, prod(diag, Dims{-1}));
  }
  if (!rec) return det;
  // d det / dA is A's cofactor matrix: det A^-T where A is invertible. When a matrix of the batch is
  // singular (the inverse raises), the cofactors come from the SVD A = U S Vh, as torch's:
  // det(U) det(Vh) U diag(prod_{j != i} S_j) Vh, finite for any A.
  autograd::record("LinalgDetBackward0", {det}, {a}, {a, det}, [](const Tensors& g, const Tensors& s) {
    const Tensor& A = s[0];
    const Tensor gm = unsqueeze(unsqueeze(g[0], -1), -1);
    try {
      return Tensors{mul(mul(gm, unsqueeze(unsqueeze(s[1], -1), -1)), matrix_transpose(linalg_inv(A)))};
    } catch (const LinAlgError&) {
    }
    const auto [U, S, Vh] = linalg_svd(A, false);
    const int64_t n = S.sizes().back();
    const Tensor I = eye(n, n, S.dtype(), S.device());
    // others[..., i, j] = S_j, with 1 for j = i: its row products are the products of the other values.
    const Tensor others = add(mul(unsqueeze(S, -2), sub(scalar_tensor(1.0, S.dtype()), I)), I);
    const Tensor pi = prod(others, Dims{-1});
    const Tensor signs = mul(linalg_det(U), linalg_det(Vh));
    const Tensor cof = matmul(mul(U, unsqueeze(pi, -2)), Vh);
    return Tensors{mul(mul(gm, unsqueeze(unsqueeze(signs, -1), -1)), cof)};
  });
  return det;
}

std::pair<Tensor, Tensor> linalg_slogdet(const Tensor& a) {
  const char* op = "linalg.slogdet";
  check_matrices(op, a);
  const bool rec = autograd::needs_grad(a);
  Tensor sgn, logabs;
  {
    autograd::RecordingOff off(rec);
    auto [perm_sign, diag] = det_parts(op, a);
    sgn = mul(perm_sign, prod(sign(diag), Dims{-1}));
    logabs = sum(log(abs(diag)), Dims{-1});
  }
  if (!rec) return {sgn, logabs};
  // The sign is piecewise constant; d logabsdet / dA = A^-T.
  autograd::record("LinalgSlogdetBackward0", {sgn, logabs}, {a}, {a}, [](const Tensors& g, const Tensors& s) {
    if (!g[1].defined()) return Tensors{zeros_of(s[0])};
    return Tensors{mul(unsqueeze(unsqueeze(g[1], -1), -1), matrix_transpose(linalg_inv(s[0])))};
  });
  return {sgn, logabs};
}

Tensor linalg_cholesky(const Tensor& a, bool upper) {
  const char* op = "linalg.cholesky";
  check_matrices(op, a);
  // upper reads A's upper triangle (LAPACK's uplo 'U', as torch): the lower factor of A^T, transposed.
  if (upper) return matrix_transpose(linalg_cholesky(matrix_transpose(a), false));
  const bool rec = autograd::needs_grad(a);
  Tensor L;
  {
    autograd::RecordingOff off(rec);
    Tensor work = column_major(a);
    Tensor infos = empty({numel_of(batch_of(a))}, DType::Int32, a.device());
    call_kernel(a.device(), op, cpu::cholesky, flat3(work), infos);
    int info = 0;
    const int64_t b = first_failure(infos, &info);
    if (b >= 0)
      throw LinAlgError(detail::cat(op, ": ", batch_prefix(batch_of(a), b),
                                    "The factorization could not be completed because the input is not "
                                    "positive-definite (the leading minor of order ", info,
                                    " is not positive-definite)."));
    // potrf leaves the other triangle as it was: zero it (in the column-major memory, so the result
    // keeps torch's strides).
    triu_(work);  // work holds L^T row-major: L's lower triangle is work's upper one
    L = matrix_transpose(work);
  }
  if (rec) {
    // torch's (Murray 2016): gA = L^-T Phi(L^T gL) L^-1 with Phi(M) = tril(M), diagonal halved, symmetrized.
    autograd::record("LinalgCholeskyExBackward0", {L}, {a}, {L}, [](const Tensors& g, const Tensors& s) {
      const Tensor& L = s[0];
      Tensor gA = tril(matmul(matrix_transpose(L), g[0]));
      gA = mul(add(gA, matrix_transpose(tril(gA, -1))), scalar_tensor(0.5));
      gA = linalg_solve(matrix_transpose(L), gA, true);
      return Tensors{linalg_solve(L, gA, false)};
    });
  }
  return L;
}

std::pair<Tensor, Tensor> linalg_qr(const Tensor& a, const std::string& mode) {
  const char* op = "linalg.qr";
  EMBER_CHECK(mode == "reduced" || mode == "complete" || mode == "r", op, ": received unrecognized mode '", mode,
              "' but expected one of 'reduced' (default), 'r', or 'complete'");
  check_matrices(op, a, false);
  const int64_t m = a.sizes()[a.dim() - 2], n = a.sizes().back(), k = std::min(m, n);
  const Shape batch = batch_of(a);
  const bool complete = mode == "complete", want_q = mode != "r";
  const bool rec = autograd::needs_grad(a);
  Tensor Q, R;
  {
    autograd::RecordingOff off(rec);
    Tensor work = column_major(a);  // (..., n, m)
    Tensor tau = empty(with(batch, {k}), a.dtype(), a.device());
    call_kernel(a.device(), op, cpu::geqrf, flat3(work), flat2(tau));
    const int64_t r_rows = complete ? m : k;
    R = triu(narrow(matrix_transpose(work), -2, 0, r_rows));  // complete: (m, n), zeros below n rows
    if (want_q) {
      const int64_t q_cols = complete ? m : k;
      Tensor q = zeros(with(batch, {q_cols, m}), a.dtype(), a.device());  // column-major m x q_cols
      Tensor reflectors = narrow(q, -2, 0, std::min(q_cols, n));
      copy_(reflectors, narrow(work, -2, 0, std::min(q_cols, n)));
      call_kernel(a.device(), op, cpu::orgqr, flat3(q), flat2(tau));
      Q = matrix_transpose(q);
    } else {
      Q = empty({0}, a.dtype(), a.device());
    }
  }
  if (!rec) return {Q, R};
  // Differentiable where torch's is: Q computed, and reduced or m <= n. For m >= n (full column
  // rank): M = R gR^T - gQ^T Q, gA = (gQ + Q copyltu(M)) R^-T (Walter and Lehmann 2018; torch's).
  // For m < n, A = Q [X | Y] with X square: the X part as above (gY's contribution added to gQ),
  // A's Y columns equal Q Y: their gradient is Q gY, and Q's grows by A_Y gY^T = Q Y gY^T.
  const bool differentiable = want_q && (!complete || m <= n);
  autograd::record("LinalgQrBackward0", {Q, R}, {a}, {Q, R}, [differentiable, m, n, mode](const Tensors& g, const Tensors& s) {
    EMBER_CHECK_RUNTIME(differentiable, "linalg.qr: ",
                        mode == "r" ? "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                                      "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                                      "through linalg.qr."
                                    : "The QR decomposition is not differentiable when mode='complete' and nrows > ncols.");
    const Tensor& Q = s[0];
    const Tensor& R = s[1];
    Tensor gQ = g[0].defined() ? g[0] : zeros_of(Q);
    Tensor gR = g[1].defined() ? g[1] : zeros_of(R);
    auto square_part = [](const Tensor& Q, const Tensor& R, const Tensor& gQ, const Tensor& gR) {
      const Tensor M = sub(matmul(R, matrix_transpose(gR)), matmul(matrix_transpose(gQ), Q));
      const Tensor low = tril(M, -1);
      const Tensor copyltu = add(add(low, matrix_transpose(low)), diag_embed(diagonal(M, 0, -2, -1)));
      const Tensor rhs = add(gQ, matmul(Q, copyltu));  // (gQ + Q copyltu(M)) R^-T: solve X R^T = rhs
      return linalg_solve(matrix_transpose(R), rhs, false);
    };
    if (m >= n) return Tensors{square_part(Q, R, gQ, gR)};
    const Tensor X = narrow(R, -1, 0, m), Y = narrow(R, -1, m, n - m);
    const Tensor gX = narrow(gR, -1, 0, m), gY = narrow(gR, -1, m, n - m);
    const Tensor gA_x = square_part(Q, X, add(gQ, matmul(Q, matmul(Y, matrix_transpose(gY)))), gX);
    return Tensors{cat({gA_x, matmul(Q, gY)}, -1)};
  });
  return {Q, R};
}

namespace {
/// (U, S, Vh) without history; U and Vh undefined unless `vectors`.
std::tuple<Tensor, Tensor, Tensor> svd_forward(const char* op, const Tensor& a, bool full, bool vectors) {
  const int64_t m = a.sizes()[a.dim() - 2], n = a.sizes().back(), k = std::min(m, n);
  const Shape batch = batch_of(a);
  // LAPACK's gesdd may loop forever, or return garbage, on inf or NaN: refused first, as torch's
  if (a.numel() > 0) {
    const Tensor finite = contiguous(reshape(all(isfinite(a), Dims{-2, -1}), {numel_of(batch)}));
    const bool* ok = finite.data<bool>();
    for (int64_t b = 0; b < numel_of(batch); ++b)
      if (!ok[b])
        throw LinAlgError(detail::cat("linalg.svd: ", batch_prefix(batch, b), "The algorithm failed to converge "
                                      "because the input matrix contained non-finite values."));
  }
  Tensor work = column_major(a);
  Tensor S = empty(with(batch, {k}), a.dtype(), a.device());
  Tensor u, vt;
  const int64_t uc = full ? m : k, vr = full ? n : k;
  if (vectors) {
    u = empty(with(batch, {uc, m}), a.dtype(), a.device());   // column-major m x uc
    vt = empty(with(batch, {n, vr}), a.dtype(), a.device());  // column-major vr x n
    if (k == 0) {  // LAPACK is not called: the full bases are identities
      copy_(u, expand(eye(uc, m, a.dtype(), a.device()), u.sizes()));
      copy_(vt, expand(eye(n, vr, a.dtype(), a.device()), vt.sizes()));
    }
  }
  Tensor infos = empty({numel_of(batch)}, DType::Int32, a.device());
  call_kernel(a.device(), op, cpu::svd, flat3(work), flat2(S), vectors ? flat3(u) : Tensor(), vectors ? flat3(vt) : Tensor(),
              infos);
  int info = 0;
  const int64_t b = first_failure(infos, &info);
  if (b >= 0)
    throw LinAlgError(detail::cat(op, ": ", batch_prefix(batch, b), "The algorithm failed to converge because the "
                                  "input matrix is ill-conditioned or has too many repeated singular values (error code: ",
                                  info, ")."));
  if (!vectors) return {Tensor(), S, Tensor()};
  return {matrix_transpose(u), S, matrix_transpose(vt)};
}
}  // namespace

std::tuple<Tensor, Tensor, Tensor> linalg_svd(const Tensor& a, bool full_matrices) {
  const char* op = "linalg.svd";
  check_matrices(op, a, false);
  const bool rec = autograd::needs_grad(a);
  std::tuple<Tensor, Tensor, Tensor> out;
  {
    autograd::RecordingOff off(rec);
    out = svd_forward(op, a, full_matrices, true);
  }
  if (!rec) return out;
  const int64_t m = a.sizes()[a.dim() - 2], n = a.sizes().back();
  // torch's backward (real case), for the reduced decomposition (full_matrices with m == n too):
  // with E[i][j] = S[j]^2 - S[i]^2, J = U^T gU, K = Vh gVh^T (= V^T gV),
  // gA = U [diag(gS) + (skew(J) / E) S + S (skew(K) / E)] Vh  (skew(X) = X - X^T, 1 on E's diagonal)
  //      + (I - U U^T) gU S^-1 Vh + U S^-1 gVh (I - V Vh)   (the last two only for rectangular A).
  // With full_matrices, the columns of U and rows of Vh past k are not unique: as torch, they get
  // no gradient (the formula runs on the first k).
  auto& [U, S, Vh] = out;
  autograd::record("LinalgSvdBackward0", {U, S, Vh}, {a}, {U, S, Vh}, [m, n](const Tensors& g, const Tensors& s) {
    const Tensor &U = s[0], &S = s[1], &Vh = s[2];
    const int64_t k = S.sizes().back();
    const Tensor Ur = narrow(U, -1, 0, k), Vhr = narrow(Vh, -2, 0, k);
    // The singular values alone (the engine passes zeros for U's and Vh's unused gradients): U diag(gS)
    // Vh, as torch's for undefined gU and gVh, finite where singular values repeat (where E has zeros).
    auto unused = [](const Tensor& t) { return !t.defined() || !any(ne(t, scalar_tensor(0.0, t.dtype()))).item<bool>(); };
    if (unused(g[0]) && unused(g[2])) return Tensors{matmul(Ur, mul(unsqueeze(g[1], -1), Vhr))};
    const Tensor gU = g[0].defined() ? narrow(g[0], -1, 0, k) : zeros_of(Ur);
    const Tensor gVh = g[2].defined() ? narrow(g[2], -2, 0, k) : zeros_of(Vhr);
    const Tensor gS = g[1].defined() ? g[1] : zeros_of(S);
    const Tensor S2 = mul(S, S);
    const Tensor E = add(sub(unsqueeze(S2, -2), unsqueeze(S2, -1)), eye(k, k, S.dtype(), S.device()));
    const Tensor J = matmul(matrix_transpose(Ur), gU), K = matmul(Vhr, matrix_transpose(gVh));
    const Tensor skewJ = div(sub(J, matrix_transpose(J)), E), skewK = div(sub(K, matrix_transpose(K)), E);
    Tensor inner = add(diag_embed(gS), add(mul(skewJ, unsqueeze(S, -2)), mul(unsqueeze(S, -1), skewK)));
    Tensor gA = matmul(Ur, matmul(inner, Vhr));
    const Tensor Sinv = reciprocal(S);
    if (m > k) {  // (I - U U^T) gU S^-1 Vh
      const Tensor proj = sub(gU, matmul(Ur, matmul(matrix_transpose(Ur), gU)));
      gA = add(gA, matmul(mul(proj, unsqueeze(Sinv, -2)), Vhr));
    }
    if (n > k) {  // U S^-1 gVh (I - V Vh)
      const Tensor proj = sub(gVh, matmul(matmul(gVh, matrix_transpose(Vhr)), Vhr));
      gA = add(gA, matmul(Ur, mul(unsqueeze(Sinv, -1), proj)));
    }
    return Tensors{gA};
  });
  return out;
}

Tensor linalg_svdvals(const Tensor& a) {
  const char* op = "linalg.svdvals";
  check_matrices(op, a, false);
  // The gradient needs the singular vectors: then it is svd's second result.
  if (autograd::needs_grad(a)) return std::get<1>(linalg_svd(a, false));
  return std::get<1>(svd_forward(op, a, false, false));
}

}  // namespace ember

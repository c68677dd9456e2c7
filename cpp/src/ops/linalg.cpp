// Matrix products and symmetric eigendecompositions. Every product reduces to the batched 3-D gemm
// kernel over views: vectors become 1-row or 1-column matrices, broadcast batch dims become
// stride-0 batches.
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

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  EMBER_CHECK(weight.dim() == 2, "linear: weight must be 2-D (out_features, in_features), got ",
              shape_str(weight.sizes()));
  const int64_t out_features = weight.sizes()[0], in_features = weight.sizes()[1];
  EMBER_CHECK(x.dim() >= 1 && x.sizes().back() == in_features, "linear: input ", shape_str(x.sizes()),
              " and weight ", shape_str(weight.sizes()), " cannot be multiplied (the input's last dim must be ",
              in_features, ")");
  matmul_dtype("linear", x, weight);
  if (bias.defined()) {
    EMBER_CHECK(bias.dim() == 1 && bias.numel() == out_features, "linear: bias ", shape_str(bias.sizes()),
                " does not match weight ", shape_str(weight.sizes()));
    EMBER_CHECK_TYPE(bias.dtype() == x.dtype(), "linear: bias has dtype ", dtype_name(bias.dtype()),
                     ", input and weight ", dtype_name(x.dtype()));
  }
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
                     if (g[1].defined()) {
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

}  // namespace ember

// CPU matrix products: BLAS for floats (strided operands passed as transpose flags and leading
// dimensions, copied only when neither layout fits), a plain loop for int64 and bool; symmetric
// eigendecompositions and the factorizations of linalg (LU, Cholesky, QR, SVD) through LAPACK.
#include <climits>
#include <cmath>

#include "cpu/blas.h"
#include "cpu/threads.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember::cpu {
namespace {

/// How BLAS can read a rows x cols matrix with the given strides (elements), if at all.
struct Layout {
  bool ok = false;
  bool trans = false;
  int64_t ld = 0;
};
Layout layout_of(int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  // A size-1 dim's stride is irrelevant: pick whatever makes the layout valid.
  int64_t r = rows == 1 ? std::max<int64_t>(cols, 1) : rs, c = cols == 1 ? 1 : cs;
  if (c == 1 && r >= std::max<int64_t>(1, cols)) return {true, false, r};
  r = rows == 1 ? 1 : rs;
  c = cols == 1 ? std::max<int64_t>(rows, 1) : cs;
  if (r == 1 && c >= std::max<int64_t>(1, rows)) return {true, true, c};
  return {};
}

template <class T>
void gemm_blas(const Tensor& out, Tensor a, Tensor b, bool accumulate) {
  const int64_t B = out.sizes()[0], M = out.sizes()[1], N = out.sizes()[2], K = a.sizes()[2];
  EMBER_CHECK_RUNTIME(M <= INT_MAX && N <= INT_MAX && K <= INT_MAX, "matmul: dimensions (", M, ", ", K,
                      ", ", N, ") exceed what the 32-bit BLAS can address");
  Layout la = layout_of(M, K, a.strides()[1], a.strides()[2]);
  if (!la.ok) {
    a = contiguous(a);
    la = layout_of(M, K, a.strides()[1], a.strides()[2]);
  }
  Layout lb = layout_of(K, N, b.strides()[1], b.strides()[2]);
  if (!lb.ok) {
    b = contiguous(b);
    lb = layout_of(K, N, b.strides()[1], b.strides()[2]);
  }
  const T* pa = static_cast<const T*>(a.raw_data());
  const T* pb = static_cast<const T*>(b.raw_data());
  T* po = static_cast<T*>(out.raw_data());
  const CBLAS_TRANSPOSE ta = la.trans ? CblasTrans : CblasNoTrans, tb = lb.trans ? CblasTrans : CblasNoTrans;
  const T beta = accumulate ? T(1) : T(0);
  BlasScope scope;
  // x^T @ x or x @ x^T (b is a transposed in place: a Gram matrix, a covariance): syrk computes one
  // triangle with half the flops, and the other is mirrored.
  const bool same_batches = B == 1 || a.strides()[0] == b.strides()[0];
  if (!accumulate && M == N && M > 1 && pa == pb && same_batches && la.trans != lb.trans && la.ld == lb.ld) {
    for (int64_t i = 0; i < B; ++i) {
      T* oi = po + i * M * N;
      if constexpr (std::is_same_v<T, float>)
        EMBER_CBLAS(ssyrk)(CblasRowMajor, CblasUpper, ta, N, K, 1.0f, pa + i * a.strides()[0], la.ld, 0.0f, oi, N);
      else
        EMBER_CBLAS(dsyrk)(CblasRowMajor, CblasUpper, ta, N, K, 1.0, pa + i * a.strides()[0], la.ld, 0.0, oi, N);
      for (int64_t r = 1; r < N; ++r)
        for (int64_t c = 0; c < r; ++c) oi[r * N + c] = oi[c * N + r];
    }
    return;
  }
  // A 1-wide side (dot, matrix @ vector, vector @ matrix): dot and gemv, which sgemm's blocking
  // makes several times slower (a 100k-element dot: 110 us -> 10 us). A vector's stride is its
  // BLAS increment (free when K is 1).
  const int64_t inc_a = K == 1 ? 1 : a.strides()[2], inc_b = K == 1 ? 1 : b.strides()[1];
  if ((M == 1 && N == 1 && inc_a > 0 && inc_b > 0) || (N == 1 && M > 1 && inc_b > 0) || (M == 1 && N > 1 && inc_a > 0)) {
    for (int64_t i = 0; i < B; ++i) {
      const T* ai = pa + i * a.strides()[0];
      const T* bi = pb + i * b.strides()[0];
      T* oi = po + i * M * N;
      if (M == 1 && N == 1) {
        T d;
        if constexpr (std::is_same_v<T, float>) d = EMBER_CBLAS(sdot)(K, ai, inc_a, bi, inc_b);
        else d = EMBER_CBLAS(ddot)(K, ai, inc_a, bi, inc_b);
        oi[0] = accumulate ? oi[0] + d : d;
        continue;
      }
      // a @ x reads a as stored (rows x cols, transposed or not); x @ b is b^T x.
      const bool matrix_a = N == 1;
      const Layout& lm = matrix_a ? la : lb;
      const int64_t rows = matrix_a ? M : K, cols = matrix_a ? K : N;  // the matrix's logical shape
      const int64_t sr = lm.trans ? cols : rows, sc = lm.trans ? rows : cols;  // as stored, row-major
      const CBLAS_TRANSPOSE t = (matrix_a ? lm.trans : !lm.trans) ? CblasTrans : CblasNoTrans;
      const T* m = matrix_a ? ai : bi;
      const T* x = matrix_a ? bi : ai;
      const int64_t inc = matrix_a ? inc_b : inc_a;
      if constexpr (std::is_same_v<T, float>) EMBER_CBLAS(sgemv)(CblasRowMajor, t, sr, sc, 1.0f, m, lm.ld, x, inc, beta, oi, 1);
      else EMBER_CBLAS(dgemv)(CblasRowMajor, t, sr, sc, 1.0, m, lm.ld, x, inc, beta, oi, 1);
    }
    return;
  }
  for (int64_t i = 0; i < B; ++i) {
    const T* ai = pa + i * a.strides()[0];
    const T* bi = pb + i * b.strides()[0];
    T* oi = po + i * M * N;
    if constexpr (std::is_same_v<T, float>) {
      EMBER_CBLAS(sgemm)(CblasRowMajor, ta, tb, M, N, K, 1.0f, ai, la.ld, bi, lb.ld, beta, oi, std::max<int64_t>(N, 1));
    } else {
      EMBER_CBLAS(dgemm)(CblasRowMajor, ta, tb, M, N, K, 1.0, ai, la.ld, bi, lb.ld, beta, oi, std::max<int64_t>(N, 1));
    }
  }
}

template <class T>
void gemm_loop(const Tensor& out, const Tensor& a, const Tensor& b, bool accumulate) {
  const int64_t B = out.sizes()[0], M = out.sizes()[1], N = out.sizes()[2], K = a.sizes()[2];
  const T* pa = static_cast<const T*>(a.raw_data());
  const T* pb = static_cast<const T*>(b.raw_data());
  T* po = static_cast<T*>(out.raw_data());
  const auto& sa = a.strides();
  const auto& sb = b.strides();
  for (int64_t i = 0; i < B; ++i)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        T acc = accumulate ? po[(i * M + m) * N + n] : T(0);
        for (int64_t k = 0; k < K; ++k) {
          const T x = pa[i * sa[0] + m * sa[1] + k * sa[2]], y = pb[i * sb[0] + k * sb[1] + n * sb[2]];
          if constexpr (std::is_same_v<T, bool>) acc = acc || (x && y);
          else acc += x * y;
        }
        po[(i * M + m) * N + n] = acc;
      }
}

}  // namespace

void gemm(const Tensor& out, const Tensor& a, const Tensor& b, bool accumulate) {
  if (out.numel() == 0) return;
  if (a.sizes()[2] == 0) {  // an empty sum; BLAS would reject the leading dims
    if (!accumulate) fill(out, 0);
    return;
  }
  switch (out.dtype()) {
    case DType::Float32: return gemm_blas<float>(out, a, b, accumulate);
    case DType::Float64: return gemm_blas<double>(out, a, b, accumulate);
    case DType::Int64: return gemm_loop<int64_t>(out, a, b, accumulate);
    case DType::Bool: return gemm_loop<bool>(out, a, b, accumulate);
  }
}

namespace {

template <class T>
void syevd(const char* jobz, const char* uplo, int n, T* a, T* w, T* work, int lwork, int* iwork, int liwork,
           int* info) {
  const int lda = std::max(n, 1);
  if constexpr (std::is_same_v<T, float>)
    EMBER_LAPACK(ssyevd)(jobz, uplo, &n, a, &lda, w, work, &lwork, iwork, &liwork, info, 1, 1);
  else
    EMBER_LAPACK(dsyevd)(jobz, uplo, &n, a, &lda, w, work, &lwork, iwork, &liwork, info, 1, 1);
}

template <class T>
int64_t eigh_lapack(const Tensor& values, const Tensor& a, bool upper, bool vectors, int* info) {
  const int64_t B = a.sizes()[0], n64 = a.sizes()[1];
  EMBER_CHECK_RUNTIME(n64 <= INT_MAX, "linalg.eigh: matrices of size ", n64,
                      " exceed what the 32-bit LAPACK can address");
  const int n = static_cast<int>(n64);
  // LAPACK reads the row-major matrix as its transpose: its upper triangle is our lower one.
  const char* jobz = vectors ? "V" : "N";
  const char* uplo = upper ? "L" : "U";
  T* pa = static_cast<T*>(a.raw_data());
  T* pw = static_cast<T*>(values.raw_data());
  T work_size = 0;
  int iwork_size = 0, query = 0;
  syevd<T>(jobz, uplo, n, pa, pw, &work_size, -1, &iwork_size, -1, &query);
  std::vector<T> work(static_cast<size_t>(work_size) + 1);
  std::vector<int> iwork(std::max(iwork_size, 1));
  // syevd's reduction to tridiagonal form is level-2 BLAS, which OpenBLAS's threads slow down on
  // small matrices (n = 256 on 2 cores: 16 ms on one thread, 72 ms on two while the machine is
  // busy), so those run on one.
  BlasScope scope(/*serial=*/n < 512);
  for (int64_t b = 0; b < B; ++b) {
    syevd<T>(jobz, uplo, n, pa + b * n64 * n64, pw + b * n64, work.data(), static_cast<int>(work.size()),
             iwork.data(), static_cast<int>(iwork.size()), info);
    if (*info != 0) return b;
  }
  return -1;
}

}  // namespace

void eigh(const Tensor& values, const Tensor& a, bool upper, bool vectors, int64_t* failed, int* info) {
  *failed = -1, *info = 0;
  if (a.numel() == 0) return;
  switch (a.dtype()) {
    case DType::Float32: *failed = eigh_lapack<float>(values, a, upper, vectors, info); return;
    case DType::Float64: *failed = eigh_lapack<double>(values, a, upper, vectors, info); return;
    default: dtype_not_implemented(a.dtype());
  }
}

}  // namespace ember::cpu

// ---- factorizations (getrf, getrs, potrf, geqrf, orgqr, gesdd) ----------------------------------
namespace ember::cpu {
namespace {

int lapack_int(int64_t v, const char* op) {
  EMBER_CHECK_RUNTIME(v <= INT_MAX, op, ": matrices of size ", v, " exceed what the 32-bit LAPACK can address");
  return static_cast<int>(v);
}

/// Runs f(b) for every batch element; the factorizations are level-3 BLAS only from a few hundred
/// rows on, so smaller matrices run BLAS on one thread (as eigh).
template <class F>
void each_matrix(int64_t B, int64_t size, F f) {
  BlasScope scope(/*serial=*/size < 512);
  for (int64_t b = 0; b < B; ++b) f(b);
}

template <class T>
void lu_factor_lapack(const Tensor& a, const Tensor& pivots, const Tensor& infos) {
  const int64_t B = a.sizes()[0];
  const int n = lapack_int(a.sizes()[1], "linalg.lu_factor"), m = lapack_int(a.sizes()[2], "linalg.lu_factor");
  const int lda = std::max(m, 1), k = std::min(m, n);
  T* pa = static_cast<T*>(a.raw_data());
  int* pp = static_cast<int*>(pivots.raw_data());
  int* pi = static_cast<int*>(infos.raw_data());
  each_matrix(B, std::max(m, n), [&](int64_t b) {
    if constexpr (std::is_same_v<T, float>) EMBER_LAPACK(sgetrf)(&m, &n, pa + b * m * n, &lda, pp + b * k, pi + b);
    else EMBER_LAPACK(dgetrf)(&m, &n, pa + b * m * n, &lda, pp + b * k, pi + b);
  });
}

template <class T>
void lu_solve_lapack(const Tensor& lu, const Tensor& pivots, const Tensor& rhs, bool transpose) {
  const int64_t B = rhs.sizes()[0];
  const int nrhs = lapack_int(rhs.sizes()[1], "linalg.solve"), n = lapack_int(rhs.sizes()[2], "linalg.solve");
  const int ld = std::max(n, 1);
  const char* trans = transpose ? "T" : "N";
  const T* pa = static_cast<const T*>(lu.raw_data());
  const int* pp = static_cast<const int*>(pivots.raw_data());
  T* pb = static_cast<T*>(rhs.raw_data());
  each_matrix(B, n, [&](int64_t b) {
    int info = 0;
    if constexpr (std::is_same_v<T, float>)
      EMBER_LAPACK(sgetrs)(trans, &n, &nrhs, pa + b * n * n, &ld, pp + b * n, pb + b * n * nrhs, &ld, &info, 1);
    else
      EMBER_LAPACK(dgetrs)(trans, &n, &nrhs, pa + b * n * n, &ld, pp + b * n, pb + b * n * nrhs, &ld, &info, 1);
  });
}

/// Reference LAPACK's unblocked lower Cholesky (potf2) of the column-major n x n matrix m: the
/// factor of a matrix holding inf or NaN as torch's LAPACK gives it. OpenBLAS's potrf differs there:
/// it scales a column by 1/pivot with a scal that turns NaN * 0 into 0, and passes a NaN pivot.
template <class T>
int cholesky_reference(T* m, int n) {
  for (int j = 0; j < n; ++j) {
    T pivot = m[j + j * n];
    for (int k = 0; k < j; ++k) pivot -= m[j + k * n] * m[j + k * n];
    if (!(pivot > 0)) {  // also a NaN
      m[j + j * n] = pivot;
      return j + 1;
    }
    pivot = std::sqrt(pivot);
    m[j + j * n] = pivot;
    const T scale = T(1) / pivot;
    for (int i = j + 1; i < n; ++i) {
      T v = m[i + j * n];
      for (int k = 0; k < j; ++k) v -= m[i + k * n] * m[j + k * n];
      m[i + j * n] = v * scale;
    }
  }
  return 0;
}

template <class T>
void cholesky_lapack(const Tensor& a, const Tensor& infos) {
  const int64_t B = a.sizes()[0];
  const int n = lapack_int(a.sizes()[1], "linalg.cholesky"), ld = std::max(n, 1);
  T* pa = static_cast<T*>(a.raw_data());
  int* pi = static_cast<int*>(infos.raw_data());
  each_matrix(B, n, [&](int64_t b) {
    T* m = pa + b * n * n;
    bool finite = true;
    for (int j = 0; j < n && finite; ++j)
      for (int i = j; i < n && finite; ++i) finite = std::isfinite(m[i + j * n]);
    if (!finite) pi[b] = cholesky_reference(m, n);
    else if constexpr (std::is_same_v<T, float>) EMBER_LAPACK(spotrf)("L", &n, m, &ld, pi + b, 1);
    else EMBER_LAPACK(dpotrf)("L", &n, m, &ld, pi + b, 1);
  });
}

template <class T>
void triangular_solve_blas(const Tensor& a, const Tensor& rhs, bool upper, bool left, bool unit) {
  const int64_t B = rhs.sizes()[0];
  const int m = lapack_int(rhs.sizes()[1], "linalg.solve_triangular");
  const int k = lapack_int(rhs.sizes()[2], "linalg.solve_triangular");
  const int n = left ? m : k;
  const T* pa = static_cast<const T*>(a.raw_data());
  T* pb = static_cast<T*>(rhs.raw_data());
  const auto side = left ? CblasLeft : CblasRight;
  const auto uplo = upper ? CblasUpper : CblasLower;
  const auto diag = unit ? CblasUnit : CblasNonUnit;
  each_matrix(B, std::max(m, k), [&](int64_t b) {
    const T* am = pa + b * n * n;
    T* bm = pb + b * m * k;
    if constexpr (std::is_same_v<T, float>)
      EMBER_CBLAS(strsm)(CblasRowMajor, side, uplo, CblasNoTrans, diag, m, k, 1.0f, am, std::max(n, 1), bm,
                         std::max(k, 1));
    else
      EMBER_CBLAS(dtrsm)(CblasRowMajor, side, uplo, CblasNoTrans, diag, m, k, 1.0, am, std::max(n, 1), bm,
                         std::max(k, 1));
  });
}

template <class T>
void geqrf_lapack(const Tensor& a, const Tensor& tau) {
  const int64_t B = a.sizes()[0];
  const int n = lapack_int(a.sizes()[1], "linalg.qr"), m = lapack_int(a.sizes()[2], "linalg.qr");
  const int lda = std::max(m, 1), k = std::min(m, n);
  T* pa = static_cast<T*>(a.raw_data());
  T* pt = static_cast<T*>(tau.raw_data());
  T size = 0;
  int query = -1, info = 0;
  if constexpr (std::is_same_v<T, float>) EMBER_LAPACK(sgeqrf)(&m, &n, pa, &lda, pt, &size, &query, &info);
  else EMBER_LAPACK(dgeqrf)(&m, &n, pa, &lda, pt, &size, &query, &info);
  std::vector<T> work(static_cast<size_t>(size) + 1);
  const int lwork = static_cast<int>(work.size());
  each_matrix(B, std::max(m, n), [&](int64_t b) {
    if constexpr (std::is_same_v<T, float>)
      EMBER_LAPACK(sgeqrf)(&m, &n, pa + b * m * n, &lda, pt + b * k, work.data(), &lwork, &info);
    else
      EMBER_LAPACK(dgeqrf)(&m, &n, pa + b * m * n, &lda, pt + b * k, work.data(), &lwork, &info);
  });
}

template <class T>
void orgqr_lapack(const Tensor& q, const Tensor& tau) {
  const int64_t B = q.sizes()[0];
  const int c = lapack_int(q.sizes()[1], "linalg.qr"), m = lapack_int(q.sizes()[2], "linalg.qr");
  const int k = static_cast<int>(tau.sizes()[1]), lda = std::max(m, 1);
  T* pq = static_cast<T*>(q.raw_data());
  const T* pt = static_cast<const T*>(tau.raw_data());
  T size = 0;
  int query = -1, info = 0;
  if constexpr (std::is_same_v<T, float>) EMBER_LAPACK(sorgqr)(&m, &c, &k, pq, &lda, pt, &size, &query, &info);
  else EMBER_LAPACK(dorgqr)(&m, &c, &k, pq, &lda, pt, &size, &query, &info);
  std::vector<T> work(static_cast<size_t>(size) + 1);
  const int lwork = static_cast<int>(work.size());
  each_matrix(B, m, [&](int64_t b) {
    if constexpr (std::is_same_v<T, float>)
      EMBER_LAPACK(sorgqr)(&m, &c, &k, pq + b * m * c, &lda, pt + b * k, work.data(), &lwork, &info);
    else
      EMBER_LAPACK(dorgqr)(&m, &c, &k, pq + b * m * c, &lda, pt + b * k, work.data(), &lwork, &info);
  });
}

template <class T>
void svd_lapack(const Tensor& a, const Tensor& s, const Tensor& u, const Tensor& vt, const Tensor& infos) {
  const int64_t B = a.sizes()[0];
  const int n = lapack_int(a.sizes()[1], "linalg.svd"), m = lapack_int(a.sizes()[2], "linalg.svd");
  const int lda = std::max(m, 1), k = std::min(m, n);
  const bool vectors = u.defined();
  const int uc = vectors ? static_cast<int>(u.sizes()[1]) : 1, vr = vectors ? static_cast<int>(vt.sizes()[2]) : 1;
  const char* jobz = !vectors ? "N" : (uc == k && vr == k) ? "S" : "A";
  const int ldu = std::max(m, 1), ldvt = std::max(vr, 1);
  T* pa = static_cast<T*>(a.raw_data());
  T* ps = static_cast<T*>(s.raw_data());
  T* pu = vectors ? static_cast<T*>(u.raw_data()) : nullptr;
  T* pv = vectors ? static_cast<T*>(vt.raw_data()) : nullptr;
  int* pi = static_cast<int*>(infos.raw_data());
  T udummy = 0, vdummy = 0, size = 0;
  std::vector<int> iwork(8 * static_cast<size_t>(std::max(k, 1)));
  int query = -1, info = 0;
  if constexpr (std::is_same_v<T, float>)
    EMBER_LAPACK(sgesdd)(jobz, &m, &n, pa, &lda, ps, pu ? pu : &udummy, &ldu, pv ? pv : &vdummy, &ldvt, &size, &query,
                         iwork.data(), &info, 1);
  else
    EMBER_LAPACK(dgesdd)(jobz, &m, &n, pa, &lda, ps, pu ? pu : &udummy, &ldu, pv ? pv : &vdummy, &ldvt, &size, &query,
                         iwork.data(), &info, 1);
  std::vector<T> work(static_cast<size_t>(size) + 1);
  const int lwork = static_cast<int>(work.size());
  each_matrix(B, std::max(m, n), [&](int64_t b) {
    T* ub = vectors ? pu + b * int64_t(m) * uc : &udummy;
    T* vb = vectors ? pv + b * int64_t(n) * vr : &vdummy;
    if constexpr (std::is_same_v<T, float>)
      EMBER_LAPACK(sgesdd)(jobz, &m, &n, pa + b * m * n, &lda, ps + b * k, ub, &ldu, vb, &ldvt, work.data(), &lwork,
                           iwork.data(), pi + b, 1);
    else
      EMBER_LAPACK(dgesdd)(jobz, &m, &n, pa + b * m * n, &lda, ps + b * k, ub, &ldu, vb, &ldvt, work.data(), &lwork,
                           iwork.data(), pi + b, 1);
  });
}

}  // namespace

#define EMBER_FLOAT_DISPATCH(dtype, fn, ...)                  \
  switch (dtype) {                                            \
    case DType::Float32: return fn<float>(__VA_ARGS__);       \
    case DType::Float64: return fn<double>(__VA_ARGS__);      \
    default: dtype_not_implemented(dtype);                    \
  }

void lu_factor(const Tensor& a, const Tensor& pivots, const Tensor& infos) {
  fill(infos, 0);
  if (a.numel() == 0) return;
  EMBER_FLOAT_DISPATCH(a.dtype(), lu_factor_lapack, a, pivots, infos)
}
void lu_solve(const Tensor& lu, const Tensor& pivots, const Tensor& b, bool transpose) {
  if (b.numel() == 0) return;
  EMBER_FLOAT_DISPATCH(b.dtype(), lu_solve_lapack, lu, pivots, b, transpose)
}
void cholesky(const Tensor& a, const Tensor& infos) {
  fill(infos, 0);
  if (a.numel() == 0) return;
  EMBER_FLOAT_DISPATCH(a.dtype(), cholesky_lapack, a, infos)
}
void triangular_solve(const Tensor& a, const Tensor& b, bool upper, bool left, bool unit) {
  if (b.numel() == 0) return;
  EMBER_FLOAT_DISPATCH(b.dtype(), triangular_solve_blas, a, b, upper, left, unit)
}
void geqrf(const Tensor& a, const Tensor& tau) {
  if (a.numel() == 0) return;
  EMBER_FLOAT_DISPATCH(a.dtype(), geqrf_lapack, a, tau)
}
void orgqr(const Tensor& q, const Tensor& tau) {
  if (q.numel() == 0) return;
  EMBER_FLOAT_DISPATCH(q.dtype(), orgqr_lapack, q, tau)
}
void svd(const Tensor& a, const Tensor& s, const Tensor& u, const Tensor& vt, const Tensor& infos) {
  fill(infos, 0);
  if (a.numel() == 0) return;
  EMBER_FLOAT_DISPATCH(a.dtype(), svd_lapack, a, s, u, vt, infos)
}
#undef EMBER_FLOAT_DISPATCH

}  // namespace ember::cpu

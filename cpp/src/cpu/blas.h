#pragma once
// The BLAS entry points ember uses. scipy-openblas32 (the default) prefixes every symbol with
// scipy_; a build against another BLAS sets EMBER_BLAS_PREFIX to empty.
#include <cblas.h>

#ifndef EMBER_BLAS_NO_PREFIX
#define EMBER_CBLAS(name) scipy_cblas_##name
#define EMBER_OPENBLAS(name) scipy_openblas_##name
#else
#define EMBER_CBLAS(name) cblas_##name
#define EMBER_OPENBLAS(name) openblas_##name
#endif

// LAPACK through its Fortran entry points (scipy-openblas32: 32-bit integers; the hidden string
// lengths gfortran passes come last).
#ifndef EMBER_BLAS_NO_PREFIX
#define EMBER_LAPACK(name) scipy_##name##_
#else
#define EMBER_LAPACK(name) name##_
#endif
#include <cstddef>
extern "C" {
/// Eigenvalues (ascending) and, when jobz is 'V', eigenvectors of a symmetric matrix (column-major,
/// the triangle uplo names is read), by divide and conquer; lwork = liwork = -1 asks the sizes.
void EMBER_LAPACK(ssyevd)(const char* jobz, const char* uplo, const int* n, float* a, const int* lda, float* w,
                          float* work, const int* lwork, int* iwork, const int* liwork, int* info, size_t jobz_len,
                          size_t uplo_len);
void EMBER_LAPACK(dsyevd)(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
                          double* work, const int* lwork, int* iwork, const int* liwork, int* info, size_t jobz_len,
                          size_t uplo_len);
}
// The factorizations of linalg (column-major; getrs' trans, potrf's uplo and gesdd's jobz are
// 1-character strings whose hidden lengths come last).
extern "C" {
void EMBER_LAPACK(sgetrf)(const int* m, const int* n, float* a, const int* lda, int* ipiv, int* info);
void EMBER_LAPACK(dgetrf)(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void EMBER_LAPACK(sgetrs)(const char* trans, const int* n, const int* nrhs, const float* a, const int* lda,
                          const int* ipiv, float* b, const int* ldb, int* info, size_t trans_len);
void EMBER_LAPACK(dgetrs)(const char* trans, const int* n, const int* nrhs, const double* a, const int* lda,
                          const int* ipiv, double* b, const int* ldb, int* info, size_t trans_len);
void EMBER_LAPACK(spotrf)(const char* uplo, const int* n, float* a, const int* lda, int* info, size_t uplo_len);
void EMBER_LAPACK(dpotrf)(const char* uplo, const int* n, double* a, const int* lda, int* info, size_t uplo_len);
void EMBER_LAPACK(sgeqrf)(const int* m, const int* n, float* a, const int* lda, float* tau, float* work,
                          const int* lwork, int* info);
void EMBER_LAPACK(dgeqrf)(const int* m, const int* n, double* a, const int* lda, double* tau, double* work,
                          const int* lwork, int* info);
void EMBER_LAPACK(sorgqr)(const int* m, const int* n, const int* k, float* a, const int* lda, const float* tau,
                          float* work, const int* lwork, int* info);
void EMBER_LAPACK(dorgqr)(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau,
                          double* work, const int* lwork, int* info);
void EMBER_LAPACK(sgesdd)(const char* jobz, const int* m, const int* n, float* a, const int* lda, float* s, float* u,
                          const int* ldu, float* vt, const int* ldvt, float* work, const int* lwork, int* iwork,
                          int* info, size_t jobz_len);
void EMBER_LAPACK(dgesdd)(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s,
                          double* u, const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork,
                          int* iwork, int* info, size_t jobz_len);
}

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

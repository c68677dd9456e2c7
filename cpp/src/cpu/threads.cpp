// Thread control of the CPU backend: ember's OpenMP kernels and OpenBLAS's, set together.
#include <omp.h>

#include "cpu/blas.h"
#include "ember/ops.h"

namespace ember {

void set_num_threads(int n) {
  EMBER_CHECK(n >= 1 && n <= 1024, "set_num_threads: expected a number of threads in [1, 1024], got ", n);
  omp_set_num_threads(n);
  EMBER_OPENBLAS(set_num_threads)(n);
}

int get_num_threads() { return omp_get_max_threads(); }

}  // namespace ember

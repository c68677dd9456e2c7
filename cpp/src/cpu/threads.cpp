// Thread control of the CPU backend: ember's OpenMP kernels and OpenBLAS's, set together.
#include "cpu/threads.h"

#include <omp.h>

#include <atomic>
#include <mutex>

#include "cpu/blas.h"
#include "ember/ops.h"

namespace ember {
namespace {
std::atomic<int> requested{0};  // set_num_threads's count; 0 until it is called
thread_local int applied = 0;   // the count this thread last gave OpenMP

/// OpenBLAS's thread count is one process-wide setting: it follows the calls in flight.
struct BlasThreads {
  std::mutex mutex;
  int alone = 0;  // for a call alone (0: OpenBLAS's own default, read on first use)
  int in_effect = 0;
  int callers = 0, serial = 0;

  void update() {
    if (alone == 0) alone = EMBER_OPENBLAS(get_num_threads)();
    const int want = serial > 0 || callers > 1 ? 1 : alone;
    if (want != in_effect) EMBER_OPENBLAS(set_num_threads)(want);
    in_effect = want;
  }
};
BlasThreads& blas_threads() {
  static BlasThreads b;
  return b;
}
}  // namespace

void set_num_threads(int n) {
  EMBER_CHECK(n >= 1 && n <= 1024, "set_num_threads: expected a number of threads in [1, 1024], got ", n);
  requested.store(n);
  cpu::num_threads();
  BlasThreads& b = blas_threads();
  std::lock_guard<std::mutex> lock(b.mutex);
  b.alone = n;
  b.update();
}

int get_num_threads() { return cpu::num_threads(); }

namespace cpu {

int num_threads() {
  const int n = requested.load(std::memory_order_relaxed);
  if (n != 0 && n != applied) {
    omp_set_num_threads(n);
    applied = n;
  }
  return omp_get_max_threads();
}

BlasScope::BlasScope(bool serial) : serial_(serial) {
  BlasThreads& b = blas_threads();
  std::lock_guard<std::mutex> lock(b.mutex);
  ++(serial_ ? b.serial : b.callers);
  b.update();
}

BlasScope::~BlasScope() {
  BlasThreads& b = blas_threads();
  std::lock_guard<std::mutex> lock(b.mutex);
  --(serial_ ? b.serial : b.callers);
  b.update();
}

}  // namespace cpu
}  // namespace ember

#pragma once
// How many threads the CPU kernels use, and how BLAS shares the cores between calling threads.

namespace ember::cpu {

/// Threads an OpenMP region started by the calling thread gets: set_num_threads's count (process-
/// wide, as PyTorch's; omp_set_num_threads sets only its caller's value, an OpenMP ICV, so each
/// thread takes the count here before it starts a region), fewer while other processes keep the
/// cores busy (free_cores).
int num_threads();

/// The cores other processes leave free, at least 1: the cores this process may use less the
/// threads of other processes Linux counts as runnable (/proc/loadavg less this process's own
/// runnable threads), read at most every 10 ms.
/// A thread woken onto a taken core waits for the scheduler, and the kernel waits for its part: on
/// 2 cores beside a compiler a 2-thread 256^3 GEMM took 24 ms instead of 0.4 (one thread: 0.5).
/// The count is machine-wide, so where the process may use only some cores it is not read.
int free_cores();

/// Held around BLAS calls. OpenBLAS runs overlapping multithreaded GEMMs one after another, so
/// two Python threads' matmuls would take as long in parallel as in turn: while calls from more
/// than one thread overlap, each runs on one BLAS thread; a call alone gets set_num_threads's
/// count. `serial`: this call and those overlapping it run on one BLAS thread (a recurrence's
/// per-step GEMMs, too small for BLAS's helper threads to pay).
class BlasScope {
 public:
  explicit BlasScope(bool serial = false);
  ~BlasScope();
  BlasScope(const BlasScope&) = delete;
  BlasScope& operator=(const BlasScope&) = delete;

 private:
  bool serial_;
};

}  // namespace ember::cpu

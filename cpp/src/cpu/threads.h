#pragma once
// How many threads the CPU kernels use, and how BLAS shares the cores between calling threads.

namespace ember::cpu {

/// Threads an OpenMP region started by the calling thread gets. set_num_threads is process-wide,
/// as PyTorch's, but omp_set_num_threads sets only its caller's value (an OpenMP ICV), so each
/// thread takes the process-wide count here before it starts a region.
int num_threads();

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

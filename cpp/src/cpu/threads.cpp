// Thread control of the CPU backend: ember's OpenMP kernels and OpenBLAS's, set together.
#include "cpu/threads.h"

#include <dirent.h>
#include <fcntl.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "cpu/blas.h"
#include "ember/ops.h"

namespace ember {
namespace {
std::atomic<int> requested{0};  // set_num_threads's count; 0 until it is called
thread_local int applied = 0;   // the count this thread last gave OpenMP

/// set_num_threads's count, or OpenMP's default (OMP_NUM_THREADS, else the cores) before a call.
int configured_threads() {
  static const int omp_default = omp_get_max_threads();  // read before any omp_set_num_threads
  const int n = requested.load(std::memory_order_relaxed);
  return n != 0 ? n : omp_default;
}

/// The file at path read into buf (NUL-terminated), or false.
bool read_small_file(const char* path, char* buf, size_t size) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t got = ::read(fd, buf, size - 1);
  ::close(fd);
  if (got <= 0) return false;
  buf[got] = 0;
  return true;
}

/// Linux's count of runnable threads, this process's included (the 4th field of /proc/loadavg,
/// "running/total"), or 0 where it cannot be read.
int runnable_threads() {
  char buf[128];
  if (!read_small_file("/proc/loadavg", buf, sizeof buf)) return 0;
  const char* p = buf;
  for (int field = 0; field < 3 && p; ++field)
    if ((p = std::strchr(p, ' '))) ++p;
  return p ? std::atoi(p) : 0;
}

/// This process's runnable threads (state R in /proc/self/task/*/stat), the caller included:
/// OpenBLAS's helpers spin for a few microseconds after each call, and must not count as others.
int own_runnable_threads() {
  DIR* dir = ::opendir("/proc/self/task");
  if (!dir) return 1;
  int n = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    char path[64], buf[512];
    std::snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
    if (!read_small_file(path, buf, sizeof buf)) continue;
    const char* state = std::strrchr(buf, ')');  // the name in parentheses may hold anything
    n += state && state[1] == ' ' && state[2] == 'R';
  }
  ::closedir(dir);
  return std::max(n, 1);
}

/// OpenBLAS's thread count is one process-wide setting: it follows the calls in flight.
struct BlasThreads {
  std::mutex mutex;
  int alone = 0;  // for a call alone (0: OpenBLAS's own default, read on first use)
  int in_effect = 0;
  int callers = 0, serial = 0;

  void update() {
    if (alone == 0) alone = EMBER_OPENBLAS(get_num_threads)();
    const int want = serial > 0 || callers > 1 ? 1 : std::min(alone, cpu::free_cores());
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

int get_num_threads() { return configured_threads(); }

namespace cpu {

int num_threads() {
  const int n = std::min(configured_threads(), free_cores());
  if (n != applied) {
    omp_set_num_threads(n);
    applied = n;
  }
  return n;
}

int free_cores() {
  static const int cores = omp_get_num_procs();
  static const bool whole_machine = cores == sysconf(_SC_NPROCESSORS_ONLN);
  static std::atomic<int64_t> next_read{0};
  static std::atomic<int> last{cores};
  if (!whole_machine) return cores;
  const int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  if (now < next_read.load(std::memory_order_relaxed)) return last.load(std::memory_order_relaxed);
  next_read.store(now + std::chrono::steady_clock::duration(std::chrono::milliseconds(10)).count(),
                  std::memory_order_relaxed);
  const int running = runnable_threads();
  const int free = running > 0 ? std::clamp(cores - (running - own_runnable_threads()), 1, cores) : cores;
  last.store(free, std::memory_order_relaxed);
  return free;
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

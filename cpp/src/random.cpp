#include "ember/random.h"

#include <cmath>

namespace ember {

uint64_t Generator::seed() {
  std::random_device rd;
  const uint64_t s = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  manual_seed(s);
  has_spare_ = false;
  return s;
}

uint64_t Generator::next_below(uint64_t n) {
  // Lemire's rejection: uniform without modulo bias.
  const uint64_t limit = (0 - n) % n;
  uint64_t x;
  do x = engine_();
  while (x < limit);
  return x % n;
}

double Generator::next_normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1;
  do u1 = next_double();
  while (u1 <= 0.0);
  const double u2 = next_double();
  const double r = std::sqrt(-2.0 * std::log(u1)), theta = 2.0 * M_PI * u2;
  spare_ = r * std::sin(theta);
  has_spare_ = true;
  return r * std::cos(theta);
}

Generator& default_generator() {
  // Seeded from the OS once per process, as torch's default generator (initial_seed() differs
  // from run to run; manual_seed makes a run reproducible). New Generators keep the fixed seed.
  static Generator gen;
  static const bool seeded = (gen.seed(), true);
  (void)seeded;
  return gen;
}

void manual_seed(uint64_t seed) {
  Generator& g = default_generator();
  std::lock_guard<std::mutex> lock(g.mutex());
  g.manual_seed(seed);
}

}  // namespace ember

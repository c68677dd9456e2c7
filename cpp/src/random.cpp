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

double Generator::next_gamma(double shape) {
  if (shape < 1) {
    // Gamma(a) = Gamma(a + 1) U^(1/a); in log space so that tiny shapes do not underflow to 0 early.
    double u;
    do u = next_double();
    while (u <= 0.0);
    return next_gamma(shape + 1) * std::exp(std::log(u) / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = next_normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = next_double();
    if (u < 1.0 - 0.0331 * (x * x) * (x * x)) return d * v;
    if (u > 0.0 && std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

double Generator::next_beta(double a, double b) {
  const double x = next_gamma(a), y = next_gamma(b);
  // Both underflowing (tiny a and b): the mass sits at 0 and 1 equally, as Beta(a, a) does then.
  if (x + y == 0) return next_double() < a / (a + b) ? 1.0 : 0.0;
  return x / (x + y);
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

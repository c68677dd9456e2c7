#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>

#include "ember/export.h"

namespace ember {

class Tensor;

/// A seedable source of random bits (64-bit Mersenne Twister). Same seed, same sequence.
class EMBER_API Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ULL) { manual_seed(seed); }
  void manual_seed(uint64_t seed) {
    seed_ = seed;
    engine_.seed(seed);
    has_spare_ = false;
  }
  uint64_t initial_seed() const { return seed_; }
  /// Seeds from the OS entropy source and returns the seed.
  uint64_t seed();
  uint64_t next_u64() { return engine_(); }
  /// Uniform in [0, 1) with 24 (float) or 53 (double) random bits.
  float next_float() { return static_cast<float>(engine_() >> 40) * 0x1.0p-24f; }
  double next_double() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  /// Uniform integer in [0, n) without modulo bias.
  uint64_t next_below(uint64_t n);
  /// Standard normal (Box-Muller, the spare value kept).
  double next_normal();
  std::mutex& mutex() { return mutex_; }
  /// The whole state (engine, seed, spare normal) as a 1-D uint8 tensor of kStateBytes bytes;
  /// set_state(get_state()) repeats the stream from that point. Native byte order and standard
  /// library: a state moves between processes and runs, not between platforms.
  Tensor get_state();
  /// Restores a state from get_state (RuntimeError on a wrong size, TypeError on a non-uint8 one).
  void set_state(const Tensor& state);
  /// Header words (magic, seed, has_spare, spare, word count) and the engine's words, 8 bytes each.
  static constexpr size_t kStateBytes = (5 + 313) * 8;

 private:
  std::mt19937_64 engine_;
  uint64_t seed_ = 0;
  bool has_spare_ = false;
  double spare_ = 0;
  std::mutex mutex_;
};

/// The CPU generator every random op uses unless given another.
EMBER_API Generator& default_generator();
/// Seeds the default generator: same seed, same run.
EMBER_API void manual_seed(uint64_t seed);
/// The default generator's state (Generator::get_state).
EMBER_API Tensor get_rng_state();
/// Restores the default generator's state (Generator::set_state).
EMBER_API void set_rng_state(const Tensor& state);

}  // namespace ember

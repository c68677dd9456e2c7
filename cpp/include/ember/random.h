#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>

#include "ember/export.h"

namespace ember {

class Tensor;

/// A seedable source of random bits: the 32-bit Mersenne Twister of PyTorch's CPU generator,
/// seeded and read as PyTorch reads it, so that a seed gives torch's numbers (rand, randn,
/// randint, randperm, bernoulli, dropout masks, the layers' initial weights).
class EMBER_API Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ULL) { manual_seed(seed); }
  void manual_seed(uint64_t seed) {
    seed_ = seed;
    engine_.seed(static_cast<uint32_t>(seed));  // the low 32 bits, as torch's mt19937
    has_spare_ = false;
  }
  uint64_t initial_seed() const { return seed_; }
  /// Seeds from the OS entropy source and returns the seed.
  uint64_t seed();
  /// 32 random bits (torch's random()), and 64 from two draws, the first the high half (random64()).
  uint32_t next_u32() { return static_cast<uint32_t>(engine_()); }
  uint64_t next_u64() {
    const uint64_t high = next_u32();
    return high << 32 | next_u32();
  }
  /// Uniform in [0, 1): the low 24 bits of one draw (float) or 53 of two (double), as torch's.
  float next_float() { return static_cast<float>(next_u32() & 0xffffffu) * 0x1.0p-24f; }
  double next_double() { return static_cast<double>(next_u64() & ((uint64_t{1} << 53) - 1)) * 0x1.0p-53; }
  /// Uniform integer in [0, n) as torch's random_from_to: one draw modulo n below 2^32, two above.
  uint64_t next_below(uint64_t n) {
    return n < (uint64_t{1} << 32) ? next_u32() % static_cast<uint32_t>(n) : next_u64() % n;
  }
  /// Standard normal, torch's Box-Muller on two doubles; the second value is kept for the next call.
  double next_normal();
  std::mutex& mutex() { return mutex_; }
  /// The whole state (engine, seed, spare normal) as a 1-D uint8 tensor of kStateBytes bytes;
  /// set_state(get_state()) repeats the stream from that point. Native byte order and standard
  /// library: a state moves between processes and runs, not between platforms.
  Tensor get_state();
  /// Restores a state from get_state (RuntimeError on a wrong size, TypeError on a non-uint8 one).
  void set_state(const Tensor& state);
  /// Header words (magic, seed, has_spare, spare, word count) and the engine's 625 words (624 of
  /// state and the position), 8 bytes each.
  static constexpr size_t kStateBytes = (5 + 625) * 8;

 private:
  std::mt19937 engine_;
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

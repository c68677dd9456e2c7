#include "ember/random.h"

#include <cmath>
#include <cstring>
#include <sstream>
#include <vector>

#include "ember/error.h"
#include "ember/ops.h"
#include "ember/tensor.h"

namespace ember {

uint64_t Generator::seed() {
  std::random_device rd;
  const uint64_t s = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  manual_seed(s);
  has_spare_ = false;
  return s;
}

double Generator::next_normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // torch's order: the first uniform sets the angle, the second the radius (through log1p(-u),
  // finite for u in [0, 1)).
  const double u1 = next_double(), u2 = next_double();
  const double r = std::sqrt(-2.0 * std::log1p(-u2)), theta = 2.0 * M_PI * u1;
  spare_ = r * std::sin(theta);
  has_spare_ = true;
  return r * std::cos(theta);
}

namespace {
constexpr uint64_t kStateMagic = 0x32304e52524d4245ULL;  // "EMBRRN02"
constexpr size_t kHeaderWords = 5, kEngineWords = Generator::kStateBytes / 8 - kHeaderWords;
}  // namespace

// The standard engine exposes its state only as text (its words, in the library's order):
// parsed into words so the state is a fixed-size byte tensor, as torch's.
Tensor Generator::get_state() {
  std::vector<uint64_t> words;
  std::lock_guard<std::mutex> lock(mutex_);
  {
    std::ostringstream text;
    text << engine_;
    std::istringstream in(text.str());
    for (uint64_t w; in >> w;) words.push_back(w);
  }
  EMBER_CHECK_RUNTIME(words.size() <= kEngineWords, "get_state: the engine has ", words.size(), " state words, more than ",
                      kEngineWords);
  uint64_t spare_bits;
  std::memcpy(&spare_bits, &spare_, 8);
  std::vector<uint64_t> all = {kStateMagic, seed_, has_spare_ ? 1u : 0u, spare_bits, words.size()};
  all.insert(all.end(), words.begin(), words.end());
  all.resize(kStateBytes / 8, 0);
  Tensor out = Tensor::empty({static_cast<int64_t>(kStateBytes)}, DType::UInt8);
  std::memcpy(out.raw_data(), all.data(), kStateBytes);
  return out;
}

void Generator::set_state(const Tensor& state) {
  EMBER_CHECK_TYPE(state.dtype() == DType::UInt8, "set_state: the RNG state must be a uint8 tensor, got ",
                   dtype_name(state.dtype()));
  EMBER_CHECK_RUNTIME(state.numel() == static_cast<int64_t>(kStateBytes), "set_state: expected a generator state of ",
                      kStateBytes, " bytes but found the input RNG state size to be ", state.numel());
  std::vector<uint64_t> all(kStateBytes / 8);
  std::memcpy(all.data(), contiguous(state).raw_data(), kStateBytes);
  EMBER_CHECK_RUNTIME(all[0] == kStateMagic && all[2] <= 1 && all[4] <= kEngineWords,
                      "set_state: the tensor is not a state from Generator.get_state");
  std::ostringstream text;
  for (size_t i = 0; i < all[4]; ++i) text << all[kHeaderWords + i] << ' ';
  std::istringstream in(text.str());
  std::mt19937 engine;
  in >> engine;
  EMBER_CHECK_RUNTIME(!in.fail(), "set_state: the tensor is not a state from Generator.get_state (engine words)");
  std::lock_guard<std::mutex> lock(mutex_);
  engine_ = engine;
  seed_ = all[1];
  has_spare_ = all[2] == 1;
  std::memcpy(&spare_, &all[3], 8);
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

Tensor get_rng_state() { return default_generator().get_state(); }

void set_rng_state(const Tensor& state) { default_generator().set_state(state); }

}  // namespace ember

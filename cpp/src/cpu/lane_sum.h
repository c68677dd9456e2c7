#pragma once
// LaneSum: the accurate, vectorizing sum the CPU kernels of normalization and softmax share.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <type_traits>

#include "cpu/isa.h"

namespace ember::cpu {
inline namespace EMBER_ISA {

/// A sum of terms, in double, taken as partial sums (term s to lane s mod kLanes) added up at
/// the end, since independent sums vectorize where one running sum would wait on each addition.
/// Float terms are summed in float (twice the lanes per vector, no conversions), the lanes
/// emptied into the double total after every kRun terms, so that no float sum grows long.
template <class T>
class LaneSum {
  static constexpr bool kSingle = std::is_same_v<T, float>;
  using Acc = std::conditional_t<kSingle, float, double>;
  static constexpr int kLanes = kSingle ? 32 : 8;
  static constexpr int64_t kRun = kSingle ? 1024 : INT64_MAX;

 public:
  /// Adds term(s) for s in [0, n).
  template <class F>
  void add(int64_t n, F term) {
    Acc lanes[kLanes];  // a local copy: no store term makes (softmax writes its exponentials) can reach it
    std::copy_n(lanes_, kLanes, lanes);
    for (int64_t s0 = 0; s0 < n;) {
      const int64_t end = s0 + std::min(kRun - pending_, n - s0);
      int64_t s = s0;
      for (; s + kLanes <= end; s += kLanes)
        for (int j = 0; j < kLanes; ++j) lanes[j] += term(s + j);
      for (; s < end; ++s) total_ += term(s);
      pending_ += end - s0, s0 = end;
      if (pending_ >= kRun) flush(lanes);
    }
    std::copy_n(lanes, kLanes, lanes_);
  }
  double total() {
    flush(lanes_);
    return total_;
  }

 private:
  void flush(Acc* lanes) {  // the lanes added pairwise (a tree, not one chain of kLanes dependent adds)
    for (int width = kLanes / 2; width >= 1; width /= 2)
      for (int j = 0; j < width; ++j) lanes[j] += lanes[j + width];
    total_ += lanes[0];
    std::fill_n(lanes, kLanes, Acc(0));
    pending_ = 0;
  }
  Acc lanes_[kLanes] = {};
  double total_ = 0;
  int64_t pending_ = 0;
};

}  // namespace EMBER_ISA
}  // namespace ember::cpu

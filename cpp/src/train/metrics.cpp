// ember.metrics' kernels (ember/train/metrics.h): ranking curves and per-class counts, with
// scikit-learn's arithmetic (same summation order, same drop rules) so results match it.
#include "ember/train/metrics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/ops.h"
#include "../cpu/threads.h"

namespace ember::metrics {
namespace {

void check_vector(const Tensor& t, const char* op, const char* name) {
  EMBER_CHECK(t.defined(), op, ": ", name, " is missing");
  EMBER_CHECK(t.device().is_cpu(), op, ": ", name, " must be on the CPU");
  EMBER_CHECK(t.dim() == 1, op, ": ", name, " must be 1-D, got shape ", shape_str(t.sizes()));
}

void check_vector(const Tensor& t, DType dtype, const char* op, const char* name) {
  check_vector(t, op, name);
  EMBER_CHECK_TYPE(t.dtype() == dtype, op, ": ", name, " must be ", dtype_name(dtype), ", got ", dtype_name(t.dtype()));
}

void check_lengths(const Tensor& a, const Tensor& b, const char* op, const char* name_a, const char* name_b) {
  EMBER_CHECK(a.numel() == b.numel(), op, ": ", name_a, " and ", name_b, " have different numbers of samples: ",
              shape_str(a.sizes()), " and ", shape_str(b.sizes()));
}

/// Optional weights: undefined, or a vector of `dtypes` as long as y.
void check_weights(const Tensor& w, const Tensor& y, std::initializer_list<DType> dtypes, const char* op) {
  if (!w.defined()) return;
  check_vector(w, op, "sample_weight");
  EMBER_CHECK_TYPE(std::find(dtypes.begin(), dtypes.end(), w.dtype()) != dtypes.end(), op,
                   ": sample_weight has an unsupported dtype ", dtype_name(w.dtype()));
  check_lengths(y, w, op, "y_true", "sample_weight");
}

template <class T>
Tensor to_tensor(const std::vector<T>& v) {
  Tensor t = Tensor::empty({static_cast<int64_t>(v.size())}, dtype_of<T>::value);
  if (!v.empty()) std::memcpy(t.raw_data(), v.data(), v.size() * sizeof(T));
  return t;
}

/// Float scores: float32 keeps its 4-byte sort keys; anything else was converted by the caller.
template <class F>
decltype(auto) visit_score(DType t, const char* op, F&& f) {
  if (t == DType::Float32) return f(float{});
  EMBER_CHECK_TYPE(t == DType::Float64, op, ": y_score must be float32 or float64, got ", dtype_name(t));
  return f(double{});
}

/// A label value's position in `labels` (-1 when absent; the last of repeated labels wins, as
/// scikit-learn's dict): a table over the labels' range when it is small, else a binary search.
class LabelIndex {
 public:
  explicit LabelIndex(const Tensor& labels) {
    const Tensor l = contiguous(labels);
    const int64_t* v = l.data<int64_t>();
    const int64_t n = l.numel();
    if (n == 0) return;
    lo_ = *std::min_element(v, v + n);
    const int64_t hi = *std::max_element(v, v + n);
    const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo_);
    if (range < static_cast<uint64_t>(std::max<int64_t>(4 * n, 4096))) {
      table_.assign(range + 1, -1);
      for (int64_t i = 0; i < n; ++i) table_[v[i] - lo_] = i;
      dense_ = true;
      return;
    }
    for (int64_t i = 0; i < n; ++i) sorted_.push_back({v[i], i});
    std::stable_sort(sorted_.begin(), sorted_.end(), [](auto& a, auto& b) { return a.first < b.first; });
  }
  int64_t operator()(int64_t x) const {
    if (dense_) {
      const uint64_t off = static_cast<uint64_t>(x) - static_cast<uint64_t>(lo_);
      return off < table_.size() ? table_[off] : -1;
    }
    auto it = std::upper_bound(sorted_.begin(), sorted_.end(), x, [](int64_t a, auto& b) { return a < b.first; });
    return it != sorted_.begin() && (it - 1)->first == x ? (it - 1)->second : -1;
  }

 private:
  bool dense_ = false;
  int64_t lo_ = 0;
  std::vector<int64_t> table_;
  std::vector<std::pair<int64_t, int64_t>> sorted_;
};

/// Calls f(i, weight) for each sample, weight 1 (int64_t) without weights.
template <class F>
void for_weighted(const Tensor& w, int64_t n, F&& f) {
  if (!w.defined()) {
    for (int64_t i = 0; i < n; ++i) f(i, int64_t{1});
  } else if (w.dtype() == DType::Int64) {
    const int64_t* p = w.data<int64_t>();
    for (int64_t i = 0; i < n; ++i) f(i, p[i]);
  } else {
    const double* p = w.data<double>();
    for (int64_t i = 0; i < n; ++i) f(i, p[i]);
  }
}


/// True and predicted labels (int64 vectors of one length) and optional weights, checked and contiguous.
struct LabelPairs {
  LabelPairs(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight,
             std::initializer_list<DType> weight_dtypes, const char* op) {
    check_vector(y_true, DType::Int64, op, "y_true");
    check_vector(y_pred, DType::Int64, op, "y_pred");
    check_lengths(y_true, y_pred, op, "y_true", "y_pred");
    check_weights(sample_weight, y_true, weight_dtypes, op);
    t = contiguous(y_true), p = contiguous(y_pred);
    w = sample_weight.defined() ? contiguous(sample_weight) : Tensor();
    T = t.data<int64_t>(), P = p.data<int64_t>();
  }
  Tensor t, p, w;
  const int64_t *T, *P;
};

/// Sample indices by descending score, ties in index order (scikit-learn's stable sort): an MSD
/// radix sort of (order key, 32-bit index and label) pairs, each range split by its highest varying
/// bits (up to 11, fewer for a small range) in one stable pass, short ranges finished by insertion.
/// Two passes over memory for most data, then work in cache: a third of the traffic of
/// ember::sort's LSD passes over the whole array. The passes alternate between two buffers, so
/// nothing is copied back but the ranges a pass leaves in the second one. The label rides in the
/// index's top bit and the score is read back from the key, so the sweep after the sort reads memory
/// in order. Scores are finite (checked before). The buckets of the first pass are sorted in
/// parallel (they are disjoint ranges of the arrays). The buffers are tensors' storage: large ones
/// get huge pages, and nothing is zeroed first.
template <class T>
class SortedScores {
  using K = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  static constexpr int kMaxBits = 11;
  static constexpr int64_t kInsertion = 32;  // ranges this short are sorted by insertion
  static constexpr int64_t kParallel = int64_t{1} << 18;  // fewer scores sort faster on one thread
  static constexpr K kSign = K{1} << (8 * sizeof(K) - 1);
  static constexpr uint32_t kLabelBit = 1u << 31, kIndexMask = kLabelBit - 1;
  static constexpr DType kKeyType = sizeof(K) == 4 ? DType::Int32 : DType::Int64;

 public:
  SortedScores(const T* s, const bool* positive, int64_t n, const char* op) {
    EMBER_CHECK(n <= kIndexMask, op, ": at most 2^31 - 1 scores, got ", n);
    for (int b = 0; b < 2; ++b) {
      key_tensor_[b] = Tensor::empty({n}, kKeyType);
      idx_tensor_[b] = Tensor::empty({n}, DType::Int32);
      key_[b] = static_cast<K*>(key_tensor_[b].raw_data());
      idx_[b] = static_cast<uint32_t*>(idx_tensor_[b].raw_data());
    }
    K* key = key_[0];
    uint32_t* idx = idx_[0];
    for (int64_t i = 0; i < n; ++i) {
      T x = s[i] == 0 ? T(0) : s[i];  // -0 sorts with +0
      K b;
      std::memcpy(&b, &x, sizeof b);
      key[i] = (b & kSign) ? b : ~(b | kSign);  // ascending keys = descending scores
      idx[i] = static_cast<uint32_t>(i) | (positive[i] ? kLabelBit : 0u);
    }
    sort_range(0, n, /*from=*/0, /*top=*/true);
    key_tensor_[1] = idx_tensor_[1] = Tensor();  // the scratch buffer, freed now
  }
  int64_t index(int64_t rank) const { return idx_[0][rank] & kIndexMask; }
  bool positive(int64_t rank) const { return idx_[0][rank] & kLabelBit; }
  K key(int64_t rank) const { return key_[0][rank]; }
  T score(int64_t rank) const {
    const K k = key_[0][rank];
    const K b = (k & kSign) ? k : (~k & ~kSign);
    T x;
    std::memcpy(&x, &b, sizeof x);
    return x;
  }

 private:
  /// Sorts entries [lo, hi), which lie in buffer `from` (0 or 1), into buffer 0; the other buffer's
  /// entries at the same positions are scratch.
  void sort_range(int64_t lo, int64_t hi, int from, bool top = false) {
    const int64_t n = hi - lo;
    const K* key = key_[from];
    const uint32_t* idx = idx_[from];
    if (n <= kInsertion) return insertion_sort(lo, hi, from);
    const auto [mn, mx] = std::minmax_element(key + lo, key + hi);
    if (*mn == *mx) return settle(lo, hi, from);
    const int varying = 64 - __builtin_clzll(static_cast<uint64_t>(*mn ^ *mx));  // bits [0, varying) differ
    const int bits = std::min(kMaxBits, 64 - __builtin_clzll(static_cast<uint64_t>(n)) - 2);
    const int shift = std::max(0, varying - bits);
    const int64_t buckets = int64_t{1} << bits, mask = buckets - 1;
    // next[d + 1]: how many keys have digit d; then where the next of them goes; after the pass,
    // where bucket d ends (16 KiB a level: at most 16 levels deep, as each fixes 4 or more bits).
    std::array<int64_t, (1 << kMaxBits) + 1> next{};
    const int to = 1 - from;
    const int threads = top && n >= kParallel ? cpu::num_threads() : 1;
    if (threads > 1) {
      distribute_in_parallel(lo, hi, from, shift, mask, buckets, threads, next.data());
    } else {
      for (int64_t i = lo; i < hi; ++i) ++next[((key[i] >> shift) & mask) + 1];
      next[0] = lo;
      for (int64_t d = 1; d <= buckets; ++d) next[d] += next[d - 1];
      K* key_to = key_[to];
      uint32_t* idx_to = idx_[to];
      for (int64_t i = lo; i < hi; ++i) {
        const int64_t at = next[(key[i] >> shift) & mask]++;
        key_to[at] = key[i];
        idx_to[at] = idx[i];
      }
    }
    if (shift == 0) return settle(lo, hi, to);  // the digit held every varying bit
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1)
    for (int64_t d = 0; d < buckets; ++d) sort_range(d == 0 ? lo : next[d - 1], next[d], to);
  }

  /// The pass above on `threads` threads, each counting then moving a contiguous chunk of the
  /// range (chunk c's entries of a digit go after chunk c - 1's: the pass stays stable). Leaves
  /// next[d] where bucket d ends, as the serial pass does.
  void distribute_in_parallel(int64_t lo, int64_t hi, int from, int shift, int64_t mask, int64_t buckets,
                              int threads, int64_t* next) {
    const K* key = key_[from];
    const uint32_t* idx = idx_[from];
    K* key_to = key_[1 - from];
    uint32_t* idx_to = idx_[1 - from];
    const int64_t n = hi - lo;
    auto chunk_start = [&](int c) { return lo + n * c / threads; };
    // at[c * buckets + d]: chunk c's count of digit d, then where its next entry of that digit goes.
    std::vector<int64_t> at(static_cast<size_t>(threads * buckets), 0);
#pragma omp parallel for schedule(static, 1) num_threads(threads)
    for (int c = 0; c < threads; ++c) {
      int64_t* count = at.data() + c * buckets;
      for (int64_t i = chunk_start(c); i < chunk_start(c + 1); ++i) ++count[(key[i] >> shift) & mask];
    }
    int64_t position = lo;
    for (int64_t d = 0; d < buckets; ++d) {
      for (int c = 0; c < threads; ++c) position += std::exchange(at[c * buckets + d], position);
      next[d] = position;
    }
#pragma omp parallel for schedule(static, 1) num_threads(threads)
    for (int c = 0; c < threads; ++c) {
      int64_t* where = at.data() + c * buckets;
      for (int64_t i = chunk_start(c); i < chunk_start(c + 1); ++i) {
        const int64_t to = where[(key[i] >> shift) & mask]++;
        key_to[to] = key[i];
        idx_to[to] = idx[i];
      }
    }
  }

  /// Entries [lo, hi) of buffer `from`, already in order, into buffer 0.
  void settle(int64_t lo, int64_t hi, int from) {
    if (from == 0) return;
    std::copy(key_[1] + lo, key_[1] + hi, key_[0] + lo);
    std::copy(idx_[1] + lo, idx_[1] + hi, idx_[0] + lo);
  }

  void insertion_sort(int64_t lo, int64_t hi, int from) {
    settle(lo, hi, from);
    K* key = key_[0];
    uint32_t* idx = idx_[0];
    for (int64_t i = lo + 1; i < hi; ++i) {
      const K k = key[i];
      const uint32_t x = idx[i];
      int64_t j = i;
      for (; j > lo && key[j - 1] > k; --j) {
        key[j] = key[j - 1];
        idx[j] = idx[j - 1];
      }
      key[j] = k;
      idx[j] = x;
    }
  }

  Tensor key_tensor_[2], idx_tensor_[2];  // buffer 0 holds the result, buffer 1 is scratch
  K* key_[2];
  uint32_t* idx_[2];
};

}  // namespace

Tensor unique_labels(const Tensor& y) {
  check_vector(y, DType::Int64, "unique_labels", "y");
  const Tensor c = contiguous(y);
  const int64_t* v = c.data<int64_t>();
  const int64_t n = c.numel();
  if (n == 0) return Tensor::empty({0}, DType::Int64);
  const auto [lo_it, hi_it] = std::minmax_element(v, v + n);
  const int64_t lo = *lo_it, hi = *hi_it;
  const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (range >= static_cast<uint64_t>(std::max<int64_t>(n, 65536))) return std::get<0>(unique(c));
  std::vector<uint8_t> seen(range + 1, 0);
  for (int64_t i = 0; i < n; ++i) seen[v[i] - lo] = 1;
  std::vector<int64_t> out;
  for (uint64_t k = 0; k <= range; ++k)
    if (seen[k]) out.push_back(lo + static_cast<int64_t>(k));
  return to_tensor(out);
}

namespace {
/// Entries [start, start + len) of a 1-D buffer written in place: a view, or a copy when it keeps
/// less than half of the buffer (a curve may keep few of many points).
Tensor slice_of(const Tensor& buffer, int64_t start, int64_t len) {
  const Tensor view = narrow(buffer, 0, start, len);
  return 2 * len < buffer.numel() ? clone(view) : view;
}

/// Sorts the scores (descending) and calls emit(fp, tp, score) at each distinct score: the weighted
/// false and true positives among the samples scored at or above it, and the score (of y_score's
/// type). Samples of weight 0 are left out, as scikit-learn's.
template <class Emit>
void sweep_thresholds(const Tensor& y_true, const Tensor& y_score, const Tensor& sample_weight, const char* op,
                      Emit&& emit) {
  check_vector(y_true, DType::Bool, op, "y_true");
  check_vector(y_score, op, "y_score");
  check_lengths(y_true, y_score, op, "y_true", "y_score");
  check_weights(sample_weight, y_true, {DType::Float64}, op);
  const Tensor yt = contiguous(y_true);
  const Tensor w = sample_weight.defined() ? contiguous(sample_weight) : Tensor();
  const bool* y = yt.data<bool>();
  const double* wp = w.defined() ? w.data<double>() : nullptr;
  visit_score(y_score.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    const Tensor sc = contiguous(y_score);
    const T* s = sc.template data<T>();
    const int64_t n = sc.numel();
    for (int64_t i = 0; i < n; ++i)
      EMBER_CHECK(std::isfinite(s[i]), op, ": Input y_score contains ", std::isnan(s[i]) ? "NaN" : "infinity");
    const SortedScores<T> sorted(s, y, n, op);
    double tp = 0, fp = 0;
    int64_t last = -1;  // the previous kept sample's rank: its group ends where the key changes
    for (int64_t r = 0; r < n; ++r) {
      const double wj = wp ? wp[sorted.index(r)] : 1.0;
      if (wj == 0) continue;
      if (last >= 0 && sorted.key(r) != sorted.key(last)) emit(fp, tp, sorted.score(last));
      last = r;
      (sorted.positive(r) ? tp : fp) += wj;
    }
    if (last >= 0) emit(fp, tp, sorted.score(last));
    return 0;
  });
}
}  // namespace

ThresholdCounts threshold_counts(const Tensor& y_true, const Tensor& y_score, const Tensor& sample_weight,
                                 const char* op) {
  const int64_t n = y_score.numel();
  Tensor fps = Tensor::empty({n}, DType::Float64), tps = Tensor::empty({n}, DType::Float64);
  Tensor thresholds = Tensor::empty({n}, y_score.dtype());
  double *F = fps.data<double>(), *P = tps.data<double>();
  int64_t m = 0;
  sweep_thresholds(y_true, y_score, sample_weight, op, [&](double fp, double tp, auto score) {
    F[m] = fp, P[m] = tp;
    static_cast<decltype(score)*>(thresholds.raw_data())[m] = score;
    ++m;
  });
  return ThresholdCounts{slice_of(fps, 0, m), slice_of(tps, 0, m), slice_of(thresholds, 0, m)};
}

double roc_auc(const Tensor& y_true, const Tensor& y_score, const Tensor& sample_weight, const char* op) {
  // Twice the area in counts: the sum of (fp - fp0)(tp + tp0) over the curve's points. Without
  // weights every term and partial sum is an integer below 2^53, so the sum is exact.
  double area = 0, fp0 = 0, tp0 = 0;
  sweep_thresholds(y_true, y_score, sample_weight, op, [&](double fp, double tp, auto) {
    area += (fp - fp0) * (tp + tp0);
    fp0 = fp, tp0 = tp;
  });
  return fp0 > 0 && tp0 > 0 ? area / (2 * fp0 * tp0) : std::numeric_limits<double>::quiet_NaN();
}

std::tuple<Tensor, Tensor, Tensor> roc_curve(const Tensor& y_true, const Tensor& y_score, const Tensor& sample_weight,
                                             bool drop_intermediate, const char* op) {
  const ThresholdCounts c = threshold_counts(y_true, y_score, sample_weight, op);
  const double *F = c.fps.data<double>(), *P = c.tps.data<double>();
  const int64_t m = c.fps.numel();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double neg = m ? F[m - 1] : 0, pos = m ? P[m - 1] : 0;
  // Room for every point; the kept ones are written in one pass and the outputs are their prefix.
  Tensor fpr = Tensor::empty({m + 1}, DType::Float64), tpr = Tensor::empty({m + 1}, DType::Float64);
  Tensor thresholds = Tensor::empty({m + 1}, DType::Float64);
  double *X = fpr.data<double>(), *Y = tpr.data<double>(), *H = thresholds.data<double>();
  X[0] = neg > 0 ? 0.0 : nan, Y[0] = pos > 0 ? 0.0 : nan, H[0] = std::numeric_limits<double>::infinity();
  int64_t k = 1;
  visit_score(c.thresholds.dtype(), op, [&](auto zero) {
    const auto* scores = c.thresholds.template data<decltype(zero)>();
    for (int64_t i = 0; i < m; ++i) {
      // Kept points: all, or those where the curve bends (scikit-learn's nonzero second differences).
      const bool keep = !drop_intermediate || m <= 2 || i == 0 || i == m - 1 ||
                        (F[i + 1] - F[i]) - (F[i] - F[i - 1]) != 0 || (P[i + 1] - P[i]) - (P[i] - P[i - 1]) != 0;
      if (!keep) continue;
      X[k] = neg > 0 ? F[i] / neg : nan;
      Y[k] = pos > 0 ? P[i] / pos : nan;
      H[k] = scores[i];
      ++k;
    }
    return 0;
  });
  return {slice_of(fpr, 0, k), slice_of(tpr, 0, k), slice_of(thresholds, 0, k)};
}

std::tuple<Tensor, Tensor, Tensor> precision_recall_curve(const Tensor& y_true, const Tensor& y_score,
                                                          const Tensor& sample_weight, bool drop_intermediate,
                                                          const char* op) {
  const ThresholdCounts c = threshold_counts(y_true, y_score, sample_weight, op);
  const double *F = c.fps.data<double>(), *P = c.tps.data<double>();
  const int64_t m = c.fps.numel();
  const double pos = m ? P[m - 1] : 0;
  // Outputs run from the lowest threshold up, then the point (precision 1, recall 0): the kept
  // points are written backwards from position m - 1 in one pass, and the outputs are the suffix.
  Tensor precision = Tensor::empty({m + 1}, DType::Float64), recall = Tensor::empty({m + 1}, DType::Float64);
  Tensor thresholds = Tensor::empty({m}, c.thresholds.dtype());
  double *Pr = precision.data<double>(), *R = recall.data<double>();
  int64_t at = m;  // the last position written
  visit_score(c.thresholds.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    const T* H = c.thresholds.template data<T>();
    T* out = thresholds.template data<T>();
    for (int64_t i = 0; i < m; ++i) {
      const bool keep = !drop_intermediate || m <= 2 || i == 0 || i == m - 1 || P[i] != P[i - 1] || P[i + 1] != P[i];
      if (!keep) continue;
      --at;
      const double ps = P[i] + F[i];
      Pr[at] = ps != 0 ? P[i] / ps : 0.0;
      R[at] = pos == 0 ? 1.0 : P[i] / pos;
      out[at] = H[i];
    }
    return 0;
  });
  Pr[m] = 1.0;
  R[m] = 0.0;
  return {slice_of(precision, at, m + 1 - at), slice_of(recall, at, m + 1 - at), slice_of(thresholds, at, m - at)};
}

double auc(const Tensor& x, const Tensor& y, const char* op) {
  check_vector(x, DType::Float64, op, "x");
  check_vector(y, DType::Float64, op, "y");
  check_lengths(x, y, op, "x", "y");
  EMBER_CHECK(x.numel() >= 2, op, ": At least 2 points are needed to compute area under curve, but x.shape = ",
              shape_str(x.sizes()));
  const Tensor xc = contiguous(x), yc = contiguous(y);
  const double *X = xc.data<double>(), *Y = yc.data<double>();
  const int64_t n = xc.numel();
  bool any_down = false, all_down = true;
  for (int64_t i = 1; i < n; ++i) {
    any_down |= X[i] - X[i - 1] < 0;
    all_down &= X[i] - X[i - 1] <= 0;
  }
  EMBER_CHECK(!any_down || all_down, op, ": x is neither increasing nor decreasing");
  double area = 0;
  for (int64_t i = 1; i < n; ++i) area += (X[i] - X[i - 1]) * (Y[i] + Y[i - 1]) / 2.0;
  return any_down ? -area : area;
}

double average_precision(const Tensor& precision, const Tensor& recall) {
  const char* op = "average_precision_score";
  check_vector(precision, DType::Float64, op, "precision");
  check_vector(recall, DType::Float64, op, "recall");
  check_lengths(precision, recall, op, "precision", "recall");
  const Tensor pc = contiguous(precision), rc = contiguous(recall);
  const double *Pr = pc.data<double>(), *R = rc.data<double>();
  double sum = 0;
  for (int64_t i = 0; i + 1 < pc.numel(); ++i) sum += (R[i + 1] - R[i]) * Pr[i];
  return std::max(0.0, -sum);
}

Tensor confusion_matrix(const Tensor& y_true, const Tensor& y_pred, const Tensor& labels, const Tensor& sample_weight,
                        const char* op) {
  const LabelPairs y(y_true, y_pred, sample_weight, {DType::Int64, DType::Float64}, op);
  check_vector(labels, DType::Int64, op, "labels");
  const int64_t L = labels.numel();
  const LabelIndex index(labels);
  const bool floating = y.w.defined() && y.w.dtype() == DType::Float64;
  Tensor out = zeros({L, L}, floating ? DType::Float64 : DType::Int64);
  auto count = [&](auto* cm) {
    for_weighted(y.w, y.t.numel(), [&](int64_t i, auto wi) {
      const int64_t a = index(y.T[i]), b = index(y.P[i]);
      if (a >= 0 && b >= 0) cm[a * L + b] += wi;
    });
  };
  if (floating) count(out.data<double>());
  else count(out.data<int64_t>());
  return out;
}

std::tuple<Tensor, Tensor, Tensor> class_counts(const Tensor& y_true, const Tensor& y_pred, const Tensor& labels,
                                                const Tensor& sample_weight, const char* op) {
  const LabelPairs y(y_true, y_pred, sample_weight, {DType::Float64}, op);
  check_vector(labels, DType::Int64, op, "labels");
  const int64_t L = labels.numel();
  const LabelIndex index(labels);
  const DType dtype = y.w.defined() ? DType::Float64 : DType::Int64;
  Tensor tp = zeros({L}, dtype), pred = zeros({L}, dtype), true_ = zeros({L}, dtype);
  auto count = [&](auto* tps, auto* preds, auto* trues) {
    for_weighted(y.w, y.t.numel(), [&](int64_t i, auto wi) {
      const int64_t a = index(y.T[i]), b = index(y.P[i]);
      if (a >= 0) trues[a] += wi;
      if (b >= 0) preds[b] += wi;
      if (a >= 0 && y.T[i] == y.P[i]) tps[a] += wi;
    });
  };
  if (y.w.defined()) count(tp.data<double>(), pred.data<double>(), true_.data<double>());
  else count(tp.data<int64_t>(), pred.data<int64_t>(), true_.data<int64_t>());
  return {tp, pred, true_};
}

std::pair<double, double> match_count(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight,
                                      const char* op) {
  const LabelPairs y(y_true, y_pred, sample_weight, {DType::Float64}, op);
  double matched = 0, total = 0;
  for_weighted(y.w, y.t.numel(), [&](int64_t i, auto wi) {
    total += wi;
    if (y.T[i] == y.P[i]) matched += wi;
  });
  return {matched, total};
}

Tensor top_k_hits(const Tensor& y_true, const Tensor& y_score, int64_t k, const char* op) {
  check_vector(y_true, DType::Int64, op, "y_true");
  EMBER_CHECK(y_score.dim() == 2 && y_score.size(0) == y_true.numel(), op,
              ": y_score must have shape (n_samples, n_classes) with n_samples = ", y_true.numel(), ", got ",
              shape_str(y_score.sizes()));
  const Tensor t = contiguous(y_true);
  const int64_t n = y_score.size(0), C = y_score.size(1);
  const int64_t* T = t.data<int64_t>();
  Tensor hits = Tensor::empty({n}, DType::Bool);
  bool* out = hits.data<bool>();
  visit_score(y_score.dtype(), op, [&](auto zero) {
    using S = decltype(zero);
    const Tensor s = contiguous(y_score);
    const S* rows = s.template data<S>();
    for (int64_t r = 0; r < n; ++r) {
      const int64_t j = T[r];
      EMBER_CHECK_INDEX(j >= 0 && j < C, op, ": class index ", j, " is out of range for ", C, " classes");
      const S* row = rows + r * C;
      int64_t above = 0;  // classes ranked before the true one
      for (int64_t c = 0; c < C; ++c) above += row[c] > row[j] || (row[c] == row[j] && c > j);
      out[r] = above < k;
    }
    return 0;
  });
  return hits;
}

}  // namespace ember::metrics

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
/// ember::sort's LSD passes over the whole array. The label rides in the index's top bit and the
/// score is read back from the key, so the sweep after the sort reads memory in order. Scores are
/// finite (checked before). The buckets of the first pass are sorted in parallel (they are
/// disjoint ranges of the arrays).
template <class T>
class SortedScores {
  using K = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  static constexpr int kMaxBits = 11;
  static constexpr int64_t kInsertion = 32;  // ranges this short are sorted by insertion
  static constexpr int64_t kParallel = int64_t{1} << 18;  // fewer scores sort faster on one thread
  static constexpr K kSign = K{1} << (8 * sizeof(K) - 1);
  static constexpr uint32_t kLabelBit = 1u << 31, kIndexMask = kLabelBit - 1;

 public:
  SortedScores(const T* s, const bool* positive, int64_t n, const char* op)
      : key_(n), idx_(n), key2_(n), idx2_(n) {
    EMBER_CHECK(n <= kIndexMask, op, ": at most 2^31 - 1 scores, got ", n);
    for (int64_t i = 0; i < n; ++i) {
      T x = s[i] == 0 ? T(0) : s[i];  // -0 sorts with +0
      K b;
      std::memcpy(&b, &x, sizeof b);
      key_[i] = (b & kSign) ? b : ~(b | kSign);  // ascending keys = descending scores
      idx_[i] = static_cast<uint32_t>(i) | (positive[i] ? kLabelBit : 0u);
    }
    sort_range(0, n, /*top=*/true);
    std::vector<K>().swap(key2_);
    std::vector<uint32_t>().swap(idx2_);
  }
  int64_t index(int64_t rank) const { return idx_[rank] & kIndexMask; }
  bool positive(int64_t rank) const { return idx_[rank] & kLabelBit; }
  K key(int64_t rank) const { return key_[rank]; }
  T score(int64_t rank) const {
    const K k = key_[rank];
    const K b = (k & kSign) ? k : (~k & ~kSign);
    T x;
    std::memcpy(&x, &b, sizeof x);
    return x;
  }

 private:
  /// Sorts entries [lo, hi) in place; key2_/idx2_ at the same positions are scratch.
  void sort_range(int64_t lo, int64_t hi, bool top = false) {
    const int64_t n = hi - lo;
    if (n <= kInsertion) return insertion_sort(lo, hi);
    const auto [mn, mx] = std::minmax_element(key_.begin() + lo, key_.begin() + hi);
    if (*mn == *mx) return;
    const int varying = 64 - __builtin_clzll(static_cast<uint64_t>(*mn ^ *mx));  // bits [0, varying) differ
    const int bits = std::min(kMaxBits, 64 - __builtin_clzll(static_cast<uint64_t>(n)) - 2);
    const int shift = std::max(0, varying - bits);
    const int64_t buckets = int64_t{1} << bits, mask = buckets - 1;
    // next[d + 1]: how many keys have digit d; then where the next of them goes; after the pass,
    // where bucket d ends (16 KiB a level: at most 16 levels deep, as each fixes 4 or more bits).
    std::array<int64_t, (1 << kMaxBits) + 1> next{};
    for (int64_t i = lo; i < hi; ++i) ++next[((key_[i] >> shift) & mask) + 1];
    next[0] = lo;
    for (int64_t d = 1; d <= buckets; ++d) next[d] += next[d - 1];
    for (int64_t i = lo; i < hi; ++i) {
      const int64_t to = next[(key_[i] >> shift) & mask]++;
      key2_[to] = key_[i];
      idx2_[to] = idx_[i];
    }
    std::copy(key2_.begin() + lo, key2_.begin() + hi, key_.begin() + lo);
    std::copy(idx2_.begin() + lo, idx2_.begin() + hi, idx_.begin() + lo);
    if (shift == 0) return;  // the digit held every varying bit
    const int threads = top && n >= kParallel ? cpu::num_threads() : 1;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1)
    for (int64_t d = 0; d < buckets; ++d) sort_range(d == 0 ? lo : next[d - 1], next[d]);
  }

  void insertion_sort(int64_t lo, int64_t hi) {
    for (int64_t i = lo + 1; i < hi; ++i) {
      const K k = key_[i];
      const uint32_t x = idx_[i];
      int64_t j = i;
      for (; j > lo && key_[j - 1] > k; --j) {
        key_[j] = key_[j - 1];
        idx_[j] = idx_[j - 1];
      }
      key_[j] = k;
      idx_[j] = x;
    }
  }

  std::vector<K> key_;
  std::vector<uint32_t> idx_;
  std::vector<K> key2_;
  std::vector<uint32_t> idx2_;
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

ThresholdCounts threshold_counts(const Tensor& y_true, const Tensor& y_score, const Tensor& sample_weight,
                                 const char* op) {
  check_vector(y_true, DType::Bool, op, "y_true");
  check_vector(y_score, op, "y_score");
  check_lengths(y_true, y_score, op, "y_true", "y_score");
  check_weights(sample_weight, y_true, {DType::Float64}, op);
  const Tensor yt = contiguous(y_true);
  const Tensor w = sample_weight.defined() ? contiguous(sample_weight) : Tensor();
  const bool* y = yt.data<bool>();
  const double* wp = w.defined() ? w.data<double>() : nullptr;
  return visit_score(y_score.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    const Tensor sc = contiguous(y_score);
    const T* s = sc.template data<T>();
    const int64_t n = sc.numel();
    for (int64_t i = 0; i < n; ++i)
      EMBER_CHECK(std::isfinite(s[i]), op, ": Input y_score contains ", std::isnan(s[i]) ? "NaN" : "infinity");
    const SortedScores<T> sorted(s, y, n, op);
    Tensor fps = Tensor::empty({n}, DType::Float64), tps = Tensor::empty({n}, DType::Float64);
    Tensor thresholds = Tensor::empty({n}, dtype_of<T>::value);
    double *F = fps.data<double>(), *P = tps.data<double>();
    T* H = thresholds.template data<T>();
    int64_t m = 0;
    double tp = 0, fp = 0;
    int64_t last = -1;  // the previous kept sample's rank: its group ends where the key changes
    for (int64_t r = 0; r < n; ++r) {
      const double wj = wp ? wp[sorted.index(r)] : 1.0;
      if (wj == 0) continue;
      if (last >= 0 && sorted.key(r) != sorted.key(last)) {
        F[m] = fp, P[m] = tp, H[m] = sorted.score(last);
        ++m;
      }
      last = r;
      (sorted.positive(r) ? tp : fp) += wj;
    }
    if (last >= 0) {
      F[m] = fp, P[m] = tp, H[m] = sorted.score(last);
      ++m;
    }
    return ThresholdCounts{narrow(fps, 0, 0, m), narrow(tps, 0, 0, m), narrow(thresholds, 0, 0, m)};
  });
}

namespace {
/// The indices i < m where keep(i), in order, as an int64 tensor (the points a curve keeps).
template <class F>
Tensor kept_points(int64_t m, F&& keep) {
  int64_t k = 0;
  for (int64_t i = 0; i < m; ++i) k += keep(i);
  Tensor out = Tensor::empty({k}, DType::Int64);
  int64_t* o = out.data<int64_t>();
  for (int64_t i = 0; i < m; ++i)
    if (keep(i)) *o++ = i;
  return out;
}
}  // namespace

std::tuple<Tensor, Tensor, Tensor> roc_curve(const Tensor& y_true, const Tensor& y_score, const Tensor& sample_weight,
                                             bool drop_intermediate, const char* op) {
  const ThresholdCounts c = threshold_counts(y_true, y_score, sample_weight, op);
  const double *F = c.fps.data<double>(), *P = c.tps.data<double>();
  const int64_t m = c.fps.numel();
  // Kept points: all, or those where the curve bends (scikit-learn's nonzero second differences).
  const Tensor keep = kept_points(m, [&](int64_t i) {
    return !drop_intermediate || m <= 2 || i == 0 || i == m - 1 || (F[i + 1] - F[i]) - (F[i] - F[i - 1]) != 0 ||
           (P[i + 1] - P[i]) - (P[i] - P[i - 1]) != 0;
  });
  const int64_t k = keep.numel();
  const int64_t* K = keep.data<int64_t>();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double neg = m ? F[m - 1] : 0, pos = m ? P[m - 1] : 0;
  Tensor fpr = Tensor::empty({k + 1}, DType::Float64), tpr = Tensor::empty({k + 1}, DType::Float64);
  Tensor thresholds = Tensor::empty({k + 1}, DType::Float64);
  double *X = fpr.data<double>(), *Y = tpr.data<double>(), *H = thresholds.data<double>();
  X[0] = neg > 0 ? 0.0 : nan, Y[0] = pos > 0 ? 0.0 : nan, H[0] = std::numeric_limits<double>::infinity();
  visit_score(c.thresholds.dtype(), op, [&](auto zero) {
    const auto* scores = c.thresholds.template data<decltype(zero)>();
    for (int64_t r = 0; r < k; ++r) {
      X[r + 1] = neg > 0 ? F[K[r]] / neg : nan;
      Y[r + 1] = pos > 0 ? P[K[r]] / pos : nan;
      H[r + 1] = scores[K[r]];
    }
    return 0;
  });
  return {fpr, tpr, thresholds};
}

std::tuple<Tensor, Tensor, Tensor> precision_recall_curve(const Tensor& y_true, const Tensor& y_score,
                                                          const Tensor& sample_weight, bool drop_intermediate,
                                                          const char* op) {
  const ThresholdCounts c = threshold_counts(y_true, y_score, sample_weight, op);
  const double *F = c.fps.data<double>(), *P = c.tps.data<double>();
  const int64_t m = c.fps.numel();
  const Tensor keep = kept_points(m, [&](int64_t i) {
    return !drop_intermediate || m <= 2 || i == 0 || i == m - 1 || P[i] != P[i - 1] || P[i + 1] != P[i];
  });
  const int64_t k = keep.numel();
  const int64_t* K = keep.data<int64_t>();
  const double pos = m ? P[m - 1] : 0;
  // Outputs run from the lowest threshold up, then the point (precision 1, recall 0).
  Tensor precision = Tensor::empty({k + 1}, DType::Float64), recall = Tensor::empty({k + 1}, DType::Float64);
  Tensor thresholds = Tensor::empty({k}, c.thresholds.dtype());
  double *Pr = precision.data<double>(), *R = recall.data<double>();
  visit_score(c.thresholds.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    const T* H = c.thresholds.template data<T>();
    T* out = thresholds.template data<T>();
    for (int64_t r = 0; r < k; ++r) {
      const int64_t i = K[k - 1 - r];
      const double ps = P[i] + F[i];
      Pr[r] = ps != 0 ? P[i] / ps : 0.0;
      R[r] = pos == 0 ? 1.0 : P[i] / pos;
      out[r] = H[i];
    }
    return 0;
  });
  Pr[k] = 1.0;
  R[k] = 0.0;
  return {precision, recall, thresholds};
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

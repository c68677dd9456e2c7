// CPU kernels of sorting and selection along one dim (sort, topk). Each line along dim is handled
// on its own, lines split across threads. Values are compared through an order key: an unsigned
// integer whose order is the values' order, with NaN above +inf (every NaN one key) and -0 equal
// to +0, so that a line sorts as integers: by an LSD radix sort when it is long (stable, a few
// linear passes), by std::sort of (key, index) pairs when it is short. Sorting by (key, index)
// makes every order stable: equal values keep their index order, in both directions.
#include <algorithm>
#include <array>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include "cpu/loops.h"
#include "kernels.h"

namespace ember::cpu {
namespace {

/// The order key of a value: unsigned, ascending with the value, NaN the largest.
template <class T>
auto order_key(T x) {
  if constexpr (std::is_same_v<T, float>) {
    if (x != x) return ~uint32_t{0};
    if (x == 0) x = 0.0f;  // -0 sorts with +0
    uint32_t b;
    std::memcpy(&b, &x, sizeof b);
    return (b >> 31) ? ~b : (b | 0x80000000u);
  } else if constexpr (std::is_same_v<T, double>) {
    if (x != x) return ~uint64_t{0};
    if (x == 0) x = 0.0;
    uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return (b >> 63) ? ~b : (b | uint64_t{0x8000000000000000});
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return static_cast<uint64_t>(x) ^ uint64_t{0x8000000000000000};
  } else {
    return static_cast<uint32_t>(x);  // bool
  }
}

template <class T>
using Key = decltype(order_key(T{}));

/// Below this length a line is sorted by comparisons, from it on by radix passes.
constexpr int64_t kRadixFrom = 1024;

/// Stable LSD radix sort of n (key, index) entries by key, 8 bits a pass; passes where every key
/// has the same digit are skipped. key2 / idx2 are scratch of n entries. Returns where the sorted
/// indices are (idx or idx2).
template <class K>
int64_t* radix_sort(K* key, int64_t* idx, K* key2, int64_t* idx2, int64_t n) {
  constexpr int kPasses = sizeof(K);
  std::vector<std::array<int64_t, 256>> hist(kPasses);
  for (auto& h : hist) h.fill(0);
  for (int64_t i = 0; i < n; ++i)
    for (int b = 0; b < kPasses; ++b) ++hist[b][(key[i] >> (8 * b)) & 0xff];
  for (int b = 0; b < kPasses; ++b) {
    auto& h = hist[b];
    if (std::find(h.begin(), h.end(), n) != h.end()) continue;  // one digit for all: nothing moves
    int64_t sum = 0;
    for (auto& c : h) {
      const int64_t count = c;
      c = sum;
      sum += count;
    }
    for (int64_t i = 0; i < n; ++i) {
      const int64_t at = h[(key[i] >> (8 * b)) & 0xff]++;
      key2[at] = key[i];
      idx2[at] = idx[i];
    }
    std::swap(key, key2);
    std::swap(idx, idx2);
  }
  return idx;
}

/// Per-thread scratch for one line.
template <class K>
struct LineBuffers {
  std::vector<K> key, key2;
  std::vector<int64_t> idx, idx2;
  std::vector<std::pair<K, int64_t>> pairs;
};

/// Sorts one line of n values x (stride xs elements) into v and ix (strides vs, is); descending
/// flips the keys, so equal values still come in index order.
template <class T>
void sort_line(const T* x, int64_t xs, int64_t n, T* v, int64_t vs, int64_t* ix, int64_t is, bool descending,
               LineBuffers<Key<T>>& buf) {
  using K = Key<T>;
  const K flip = descending ? ~K{0} : K{0};
  if (n < kRadixFrom) {
    auto& pairs = buf.pairs;
    pairs.resize(n);
    for (int64_t j = 0; j < n; ++j) pairs[j] = {K(order_key(x[j * xs]) ^ flip), j};
    std::sort(pairs.begin(), pairs.end());  // (key, index): equal keys in index order
    for (int64_t j = 0; j < n; ++j) {
      const int64_t i = pairs[j].second;
      v[j * vs] = x[i * xs];
      ix[j * is] = i;
    }
    return;
  }
  buf.key.resize(n);
  buf.key2.resize(n);
  buf.idx.resize(n);
  buf.idx2.resize(n);
  for (int64_t j = 0; j < n; ++j) {
    buf.key[j] = K(order_key(x[j * xs]) ^ flip);
    buf.idx[j] = j;
  }
  const int64_t* order = radix_sort(buf.key.data(), buf.idx.data(), buf.key2.data(), buf.idx2.data(), n);
  for (int64_t j = 0; j < n; ++j) {
    const int64_t i = order[j];
    v[j * vs] = x[i * xs];
    ix[j * is] = i;
  }
}

/// The k first of a line of n > k values in (flipped) key order, ties by the lower index, into
/// best (sorted): a sorted list of the best k so far, which most values leave after one
/// comparison with the k-th. The fast test is on the values: NaN compares false, so a NaN (or a
/// NaN k-th) falls through to the exact test by keys.
template <bool Largest, class T, class K>
void scan_best(const T* x, int64_t xs, int64_t n, int64_t k, std::vector<std::pair<K, int64_t>>& best) {
  constexpr K flip = Largest ? ~K{0} : K{0};
  best.resize(k);
  auto insert = [&](int64_t at, K key, int64_t j) {  // at: the slot freed at the end
    while (at > 0 && key < best[at - 1].first) {
      best[at] = best[at - 1];
      --at;
    }
    best[at] = {key, j};
  };
  for (int64_t j = 0; j < k; ++j) insert(j, K(order_key(x[j * xs]) ^ flip), j);
  T worst = x[best[k - 1].second * xs];
  for (int64_t j = k; j < n; ++j) {
    const T xj = x[j * xs];
    if (Largest ? xj <= worst : xj >= worst) continue;  // not better (a tie loses: j is later)
    const K key = K(order_key(xj) ^ flip);
    if (!(key < best[k - 1].first)) continue;  // NaN against NaN, or -0 against +0
    insert(k - 1, key, j);
    worst = x[best[k - 1].second * xs];
  }
}

/// The k first of one line in (flipped) key order, ties by the lower index: scan_best when k is
/// small, else nth_element over (key, index) pairs, then a sort of the k if asked.
template <class T>
void topk_line(const T* x, int64_t xs, int64_t n, int64_t k, T* v, int64_t vs, int64_t* ix, int64_t is,
               bool largest, bool sorted, LineBuffers<Key<T>>& buf) {
  using K = Key<T>;
  auto& best = buf.pairs;
  if (k <= 16 && k * 8 <= n) {
    if (largest)
      scan_best<true>(x, xs, n, k, best);
    else
      scan_best<false>(x, xs, n, k, best);
  } else {
    const K flip = largest ? ~K{0} : K{0};
    best.resize(n);
    for (int64_t j = 0; j < n; ++j) best[j] = {K(order_key(x[j * xs]) ^ flip), j};
    if (k < n) std::nth_element(best.begin(), best.begin() + (k - 1), best.end());
    if (sorted) std::sort(best.begin(), best.begin() + k);
  }
  for (int64_t j = 0; j < k; ++j) {
    const int64_t i = best[j].second;
    v[j * vs] = x[i * xs];
    ix[j * is] = i;
  }
}

/// Calls line(x, v, ix) for every line along dim of in and of the outputs (values, indices share
/// a shape; it differs from in's along dim only), lines split across threads by cost.
template <class T, class F>
void for_each_line(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim, int64_t cost, F line) {
  const Tensor v0 = drop_dim(values, dim), i0 = drop_dim(indices, dim), x0 = drop_dim(in, dim);
  Geometry<3> g({&v0, &i0, &x0});
  parallel_range(g.numel, std::max<int64_t>(1, cost), [&](int64_t b, int64_t e) {
    LineBuffers<Key<T>> buf;
    auto run = [&](char* const* p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        line(reinterpret_cast<const T*>(p[2] + i * s[2]), reinterpret_cast<T*>(p[0] + i * s[0]),
             reinterpret_cast<int64_t*>(p[1] + i * s[1]), buf);
    };
    g.for_range(b, e, run);
  });
}

int64_t log2_ceil(int64_t n) {
  int64_t l = 1;
  while ((int64_t{1} << l) < n && l < 62) ++l;
  return l;
}

}  // namespace

void sort(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim, bool descending) {
  if (in.numel() == 0) return;
  const int64_t n = in.sizes()[dim], xs = in.strides()[dim], vs = values.strides()[dim], is = indices.strides()[dim];
  visit_dtype(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for_each_line<T>(values, indices, in, dim, n * log2_ceil(n),
                     [&](const T* x, T* v, int64_t* ix, LineBuffers<Key<T>>& buf) {
                       sort_line(x, xs, n, v, vs, ix, is, descending, buf);
                     });
  });
}

void topk(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t k, int64_t dim, bool largest,
          bool sorted) {
  if (values.numel() == 0) return;
  const int64_t n = in.sizes()[dim], xs = in.strides()[dim], vs = values.strides()[dim], is = indices.strides()[dim];
  visit_dtype(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for_each_line<T>(values, indices, in, dim, n + k * log2_ceil(k),
                     [&](const T* x, T* v, int64_t* ix, LineBuffers<Key<T>>& buf) {
                       topk_line(x, xs, n, k, v, vs, ix, is, largest, sorted, buf);
                     });
  });
}

void searchsorted(const Tensor& out, const Tensor& seq, const Tensor& values, bool right) {
  const int64_t lines = seq.sizes()[0], n = seq.sizes()[1], m = values.sizes()[1];
  if (out.numel() == 0) return;
  int64_t* o = out.data<int64_t>();
  visit_dtype(seq.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* s = static_cast<const T*>(seq.raw_data());
    const T* v = static_cast<const T*>(values.raw_data());
    parallel_range(lines, n + m * log2_ceil(n + 1), [&](int64_t b, int64_t e) {
      std::vector<Key<T>> keys(n);  // the order keys put NaN last and -0 with +0, as sort does
      for (int64_t l = b; l < e; ++l) {
        for (int64_t i = 0; i < n; ++i) keys[i] = order_key(s[l * n + i]);
        for (int64_t j = 0; j < m; ++j) {
          const Key<T> k = order_key(v[l * m + j]);
          const auto at = right ? std::upper_bound(keys.begin(), keys.end(), k)
                                : std::lower_bound(keys.begin(), keys.end(), k);
          o[l * m + j] = at - keys.begin();
        }
      }
    });
  });
}

}  // namespace ember::cpu

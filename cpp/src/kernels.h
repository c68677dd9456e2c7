#pragma once
// The contract every device implements: one declaration per kernel, in a namespace named after
// the backend (cpu:: below; cuda:: mirrors it when EMBER_CUDA is built, and call_kernel picks by
// the tensors' device). A backend provides these families:
//   - memory: copy (converting dtypes) and fill;
//   - pointwise: one kernel per row of elementwise.def, whose scalar formula is shared by every
//     device (elementwise_fn.h), where, a fused multiply-add and lerp;
//   - reductions and scans: reduce, arg_reduce, and one kernel per row of scan.def;
//   - sorting and selection along one dim: sort, topk, searchsorted;
//   - matrix products: gemm over batches (batch strides may be 0); symmetric eigendecomposition;
//   - pooling over the last two dims: max (with indices) and average, and their backwards;
//   - batch norm's per-channel moments, sums and affine combinations;
//   - convolutions over two spatial dims: forward, backward-input (the transposed convolution)
//     and backward-weight;
//   - indexing: gather, scatter, take_offsets, put_offsets, count_nonzero, nonzero;
//   - creation: arange, linspace;
//   - optimizer steps: one fused kernel per optimizer over a range of a parameter's elements,
//     given the scalars its optimizer computed (SgdStep, AdamStep, ...).
// What a backend never sees: type promotion, broadcasting, shape and index checks, autograd and
// the optimizers' options. The ops (ops/) and the optimizers (optim/) do those once for every
// device, so kernels trust their arguments: shapes, dtypes and index ranges are checked, outputs
// allocated, and inputs already broadcast to the output's shape (stride-0 dims). What a backend
// owns and no op sees: its threads (cpu/threads.cpp) and its choice of instruction set
// (cpu/isa.h, cpu/dispatch.cpp).
#include <functional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "ember/graph.h"
#include "ember/random.h"
#include "ember/tensor.h"
#include "graph_io.h"

namespace ember {

/// Names the op whose kernel runs on this thread while it lives, so a kernel that meets a dtype
/// it has no code for (dtype_not_implemented) says which op asked.
class KernelScope {
 public:
  explicit KernelScope(const char* op);
  ~KernelScope();
  /// The op whose kernel runs on this thread now (null outside kernels).
  static const char* current();

 private:
  const char* outer_;
};

namespace cpu {
enum class ReduceOp { Sum, Prod, Max, Min, All, Any };
/// How scatter combines a source element with the one it lands on.
enum class ScatterOp { Assign, Add, Prod, Max, Min };
}

namespace graph::detail {
/// The tensors a kernel argument holds (a graph's analyses and the host-access check read them).
inline void collect_tensors(std::vector<Tensor>& out, const Tensor& t) {
  if (t.defined()) out.push_back(t);
}
template <class T>
void collect_tensors(std::vector<Tensor>&, const T&) {}
/// Arguments a recorded call cannot repeat: pointers to host locals (a generator is live state,
/// so it may be held), and host vectors a kernel writes its results into.
template <class A>
constexpr bool unrepeatable_arg() {
  using D = std::decay_t<A>;
  return (std::is_pointer_v<D> && !std::is_same_v<D, Generator*>) ||
         (std::is_lvalue_reference_v<A> && !std::is_const_v<std::remove_reference_t<A>> &&
          std::is_same_v<D, std::vector<double>>);
}

/// Whether a kernel writes its first tensor argument and nothing else (the pointwise kernels,
/// copy, fill, where, gemm, reduce and the value scans), which dead-code elimination uses.
template <class F>
constexpr bool writes_first_only() {
  using T = const Tensor&;
  return std::is_same_v<F, void (*)(T, T)> || std::is_same_v<F, void (*)(T, T, T)> ||
         std::is_same_v<F, void (*)(T, Scalar)> || std::is_same_v<F, void (*)(T, T, T, T)> ||
         std::is_same_v<F, void (*)(T, T, T, bool)> || std::is_same_v<F, void (*)(T, T, int64_t)> ||
         std::is_same_v<F, void (*)(cpu::ReduceOp, T, T, int64_t)>;
}

/// A kernel function's parameters, decayed: what a recorded call keeps and a saved graph writes.
template <class F>
struct KernelParams {
  static constexpr size_t count = size_t(-1);  // not a function pointer (a lambda): not saveable
};
template <class... P>
struct KernelParams<void (*)(P...)> {
  static constexpr size_t count = sizeof...(P);
  using Tuple = std::tuple<std::decay_t<P>...>;
};
template <class Tuple>
std::vector<Tensor> tensors_of(const Tuple& args) {
  std::vector<Tensor> tensors;
  std::apply([&tensors](const auto&... a) { (collect_tensors(tensors, a), ...); }, args);
  return tensors;
}

/// The row of elementwise.def whose kernel fn is (copy: one past the last), or -1 (graph_fuse.cpp
/// fuses chains of rows).
int pointwise_row(void (*fn)(const Tensor&, const Tensor&));
int pointwise_row(void (*fn)(const Tensor&, const Tensor&, const Tensor&));
template <class F>
int pointwise_row_of(const F& fn) {
  using T = const Tensor&;
  if constexpr (std::is_same_v<F, void (*)(T, T)> || std::is_same_v<F, void (*)(T, T, T)>) return pointwise_row(fn);
  return -1;
}

/// Records call_kernel's call with copies of its arguments (graph capture, ember/graph.h). A
/// kernel function's arguments are kept as its parameter types, shared with the step's writer,
/// so a saved graph can name the kernel and write them.
template <class F, class... Args>
void record_call(const char* op, bool check, const F& fn, const Args&... args) {
  constexpr bool random = (std::is_same_v<std::decay_t<Args>, Generator*> || ...);
  if constexpr ((unrepeatable_arg<Args>() || ...)) {
    refuse(std::string(op) + ": its kernel takes a pointer to host memory, so it cannot be replayed");
  } else if constexpr (KernelParams<F>::count == sizeof...(Args)) {
    auto tup = std::make_shared<typename KernelParams<F>::Tuple>(args...);
    std::vector<Tensor> tensors = tensors_of(*tup);
    record_kernel(op, std::move(tensors), [op, fn, tup] {
      KernelScope scope(op);
      std::apply(fn, *tup);
    }, random || check, writes_first_only<F>(), reinterpret_cast<const void*>(fn),
                  [tup](StepWriter& w) { put_args(w, *tup); }, check ? -1 : pointwise_row_of(fn));
  } else {
    auto tup = std::tuple<std::decay_t<Args>...>(args...);
    std::vector<Tensor> tensors = tensors_of(tup);
    record_kernel(op, std::move(tensors), [op, fn, tup = std::move(tup)]() mutable {
      KernelScope scope(op);
      std::apply(fn, tup);
    }, random || check, writes_first_only<F>(), nullptr, {}, check ? -1 : pointwise_row_of(fn));
  }
}
}  // namespace graph::detail

/// Calls the kernel for the tensors' device. CUDA kernels join here when EMBER_CUDA is built.
/// While this thread captures a graph, the call is recorded first (one thread-local load).
template <class F, class... Args>
inline void call_kernel(Device device, const char* op, F&& cpu_fn, Args&&... args) {
  EMBER_CHECK_RUNTIME(device.is_cpu(), op, ": not implemented for ", device.str());
  if (graph::detail::t_capture && !KernelScope::current()) [[unlikely]]
    graph::detail::record_call<std::decay_t<F>, Args...>(op, false, cpu_fn, args...);
  KernelScope scope(op);
  cpu_fn(std::forward<Args>(args)...);
}
/// call_kernel for a check that reads values and raises on bad ones (index ranges, divisors): a
/// captured graph repeats it at every replay and never drops it as dead code.
template <class F, class... Args>
inline void call_check(Device device, const char* op, F&& check, Args&&... args) {
  EMBER_CHECK_RUNTIME(device.is_cpu(), op, ": not implemented for ", device.str());
  if (graph::detail::t_capture && !KernelScope::current()) [[unlikely]]
    graph::detail::record_call<std::decay_t<F>, Args...>(op, true, check, args...);
  KernelScope scope(op);
  check(std::forward<Args>(args)...);
}

/// Value checks ops run through call_check, as named functions so a saved graph can call them
/// (the op in their messages is the kernel scope's).
/// Raises IndexError unless every element of target (int64) lies in [0, classes).
void check_class_range(const Tensor& target, int64_t classes);
/// Raises IndexError unless every element of index (int64) lies in [0, size), or [-size, size).
void check_index_bounds(const Tensor& index, int64_t size, bool allow_negative, int64_t dim);
/// Raises IndexError unless every index lies in [0, weight_shape[0]) (embedding's rows).
void check_embedding_indices(const Tensor& indices, const Shape& weight_shape);
/// Raises RuntimeError (ZeroDivisionError) when an integer divisor holds a zero.
void check_nonzero_divisor(const Tensor& divisor);
/// Raises unless every element of input and target lies in [0, 1] (binary_cross_entropy).
void check_probabilities(const Tensor& input, const Tensor& target);
/// Raises IndexError unless every element of target (int64) lies in [lo, hi) (multilabel_margin_loss's
/// class indices, -1 ending a sample's list).
void check_target_range(const Tensor& target, int64_t lo, int64_t hi);
/// Raises ValueError when an element of var is negative (gaussian_nll_loss).
void check_nonnegative_var(const Tensor& var);

namespace cpu {

/// dst = src elementwise, converting dtypes.
void copy(const Tensor& dst, const Tensor& src);
/// copy's conversion over one run of n elements (pointers and byte strides, dst first): a fused
/// graph replay's tile (graph_fuse.cpp).
void copy_run(DType dst, DType src, char* const* ptrs, const int64_t* strides, int64_t n);
/// Every element of dst = value.
void fill(const Tensor& dst, Scalar value);
/// cat/stack of contiguous parts of dst's dtype into contiguous dst: for each of `outer` rows,
/// each part's row (numel / outer elements) in turn.
void copy_blocks(const Tensor& dst, const std::vector<Tensor>& parts, int64_t outer);

// Pointwise: inputs are in the op's compute dtype; out has the result dtype.
#define EMBER_UNARY(name, kind, formula, doc, ...) void name(const Tensor& out, const Tensor& x);
#define EMBER_BINARY(name, kind, formula, doc, ...) void name(const Tensor& out, const Tensor& x, const Tensor& y);
#include "ember/elementwise.def"
/// One row of the table over a run of n elements (pointers and byte strides, out first, as
/// for_each's runs), x of dtype `dtype`: a fused graph replay's tile (graph_fuse.cpp).
using PointwiseSpan = void (*)(DType dtype, char* const* ptrs, const int64_t* strides, int64_t n);
/// The span of row `row` (rows numbered in elementwise.def's order) for this CPU.
PointwiseSpan pointwise_span(int row);
/// out = cond ? a : b (cond bool; a, b and out one dtype).
void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
/// out = a * b + c rounded once (float32 or float64, all four one dtype): PyTorch's kernels fuse
/// add with alpha, addcmul and lerp into such a multiply-add.
void multiply_add(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c);
/// out = lerp(a, b, w), PyTorch's form: fma(w, b - a, a) for |w| < 0.5, else fma(w - 1, b - a, b)
/// (float32 or float64, all four one dtype).
void lerp(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& w);

/// Reduces the last `n_reduced` dims of `in` into `out` (contiguous, the leading dims' shape).
void reduce(ReduceOp op, const Tensor& out, const Tensor& in, int64_t n_reduced);
/// var's numerator, laid out as reduce: out (float64) = sum over the last n_reduced dims of in
/// (float32 or float64) of (x - mean)^2 in double; mean has out's shape and in's dtype.
void sum_sq_dev(const Tensor& out, const Tensor& in, const Tensor& mean, int64_t n_reduced);
/// Max (or min) and its first index along `dim`; values and indices have in's shape less dim.
void arg_reduce(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim);
// Scans along dim (the table in scan.def): out, values, indices and in share one shape; values
// have in's dtype, indices are int64; out has the result dtype (a SUM scan reads in's bool or
// integers as it goes, a FLOAT scan has in's dtype).
#define EMBER_SCAN(name, ...) void name(const Tensor& out, const Tensor& in, int64_t dim);
#define EMBER_SCAN_INDEXED(name, ...) \
  void name(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim);
#include "ember/scan.def"

// Sorting and selection along dim: values and indices share one shape, in's except along dim
// (n there for sort, k for topk); values have in's dtype, indices are int64. NaN orders above
// every number and equal values keep their index order (every order is stable).
/// values, indices = in sorted along dim (descending: largest first).
void sort(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim, bool descending);
/// values, indices = the k largest (or smallest) along dim, in order when sorted (0 < k <= n).
void topk(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t k, int64_t dim, bool largest,
          bool sorted);
/// out (int64, (L, m)) = where each values[l, j] would go in the sorted line seq[l, :] (lower
/// bound, or upper bound when right); seq (L, n) and values (L, m) contiguous, of one dtype.
void searchsorted(const Tensor& out, const Tensor& seq, const Tensor& values, bool right);

/// out[b] = a[b] @ b[b] (or +=, with accumulate) for 3-D operands (batch strides may be 0);
/// float via BLAS.
void gemm(const Tensor& out, const Tensor& a, const Tensor& b, bool accumulate = false);
/// The eigenvalues of each symmetric matrix of a (B, n, n), contiguous, float, into values (B, n),
/// ascending (LAPACK syevd), reading a's lower triangle (upper: its upper one); with `vectors`, a is
/// overwritten by the eigenvectors as its rows. *failed = -1, or the first batch element that did
/// not converge, whose LAPACK info goes into *info.
void eigh(const Tensor& values, const Tensor& a, bool upper, bool vectors, int64_t* failed, int* info);
// LAPACK factorizations of contiguous (B, ., .) float batches. LAPACK is column-major: each matrix's
// memory holds its transpose row-major (a (B, n, m) tensor stands for B m x n matrices). infos (B)
// int32 receives LAPACK's info of each matrix (0: success).
/// LU with partial pivoting (getrf) of a in place; pivots (B, min(m, n)) int32, 1-based.
void lu_factor(const Tensor& a, const Tensor& pivots, const Tensor& infos);
/// Solves A X = B (A^T X = B when `transpose`) for each batch in place of b (B, k, n: k right-hand
/// sides) from getrf's lu (B, n, n) and pivots (getrs).
void lu_solve(const Tensor& lu, const Tensor& pivots, const Tensor& b, bool transpose);
/// Cholesky (potrf) of a in place: its lower factor L (the upper triangle is left as it was).
void cholesky(const Tensor& a, const Tensor& infos);
/// Solves A X = B (left) or X A = B in place of b (B, m, k) for a (B, n, n), both contiguous
/// row-major (this one is not column-major): a's upper (or lower) triangle is read, its diagonal
/// taken as ones when unit (BLAS trsm, so a zero on the diagonal gives inf or NaN, as LAPACK's).
void triangular_solve(const Tensor& a, const Tensor& b, bool upper, bool left, bool unit);
/// QR (geqrf): R above the diagonal of a (B, n, m), Householder reflectors below; tau (B, min(m, n)).
void geqrf(const Tensor& a, const Tensor& tau);
/// Q (orgqr) in place of q (B, c, m): its first tau.size(1) columns hold geqrf's reflectors.
void orgqr(const Tensor& q, const Tensor& tau);
/// SVD (gesdd) of a (B, n, m), destroyed: s (B, k) descending, k = min(m, n); with u (B, uc, m) and
/// vt (B, n, vr) defined (uc = vr = k, or m and n for full matrices), the singular vectors too.
void svd(const Tensor& a, const Tensor& s, const Tensor& u, const Tensor& vt, const Tensor& infos);

// Pooling over the last two dims of a contiguous (P, H, W) input into (P, OH, OW), P = N x C.
/// One dim's windows: output o reads the taps first[o] + j * step, j < taps[o], all inside the
/// input; divisor[o] is the dim's factor of an average's divisor.
struct PoolWindows {
  std::vector<int64_t> first, taps, divisor;
  int64_t step = 1;
};
/// values = each window's max (NaN wins, as PyTorch's), indices = its place h * W + w (int64).
void max_pool2d(const Tensor& values, const Tensor& indices, const Tensor& in, const PoolWindows& h,
                const PoolWindows& w);
/// grad_in (zeroed, (P, H, W)) += grad_out at indices.
void max_pool2d_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& indices);
/// out = each window's sum / (divisor_h * divisor_w, or divisor_override when it is above 0).
void avg_pool2d(const Tensor& out, const Tensor& in, const PoolWindows& h, const PoolWindows& w,
                int64_t divisor_override);
/// grad_in (zeroed) += each grad_out spread over its window by avg_pool2d's divisor (its transpose).
void avg_pool2d_backward(const Tensor& grad_in, const Tensor& grad_out, const PoolWindows& h, const PoolWindows& w,
                         int64_t divisor_override);
/// A convolution's geometry over (H, W): the padding is the leading side's (the trailing side's
/// follows from the sizes of the tensors, so 'same' padding can be asymmetric).
struct ConvGeom {
  int64_t stride[2], pad[2], dilation[2], groups;
};
// A saved graph's arguments (graph_io.h): the structs below, written and read field by field.
void put(graph::StepWriter& w, const PoolWindows& p);
void get(graph::StepReader& r, PoolWindows& p);
void put(graph::StepWriter& w, const ConvGeom& g);
void get(graph::StepReader& r, ConvGeom& g);
// Convolutions: x (N, C, H, W), w (O, C / groups, KH, KW), y (N, O, OH, OW), all contiguous and
// of one floating dtype; the sizes of every operand are given, so each is the adjoint of the others.
/// out = the cross-correlation of x with w (no bias).
void conv2d(const Tensor& out, const Tensor& x, const Tensor& w, const ConvGeom& g);
/// dx = the gradient of conv2d wrt x given dy: the transposed convolution of dy with w.
void conv2d_backward_input(const Tensor& dx, const Tensor& dy, const Tensor& w, const ConvGeom& g);
/// dw = the gradient of conv2d wrt w given x and dy, summed over the images.
void conv2d_backward_weight(const Tensor& dw, const Tensor& x, const Tensor& dy, const ConvGeom& g);
/// cols (N, C * KH * KW, OH * OW) = the windows of x (N, C, H, W), zeros in the padding (im2col).
void unfold(const Tensor& cols, const Tensor& x, int64_t kh, int64_t kw, int64_t oh, int64_t ow, const ConvGeom& g);
/// x (N, C, H, W) = every column of cols (N, C * KH * KW, OH * OW) summed into its window (col2im).
void fold(const Tensor& x, const Tensor& cols, int64_t kh, int64_t kw, int64_t oh, int64_t ow, const ConvGeom& g);

// Batch norm over a contiguous (N, C, S) input, S the spatial size (1 for (N, C)). Per-channel
// values are host doubles (C of them): means, coefficients.
/// The mean and the biased variance of each channel (summed in double, two passes).
void channel_moments(std::vector<double>& mean, std::vector<double>& var, const Tensor& x);
/// Per channel: sum_a = the sum of a, and sum_ab = the sum of a * (b - center) when b is defined.
void channel_sums(std::vector<double>& sum_a, std::vector<double>& sum_ab, const Tensor& a, const Tensor& b,
                  const std::vector<double>& center);
/// out = a * ka[c] + b * kb[c] + k[c] in channel c (no b term when b is undefined).
void channel_affine(const Tensor& out, const Tensor& a, const std::vector<double>& ka, const Tensor& b,
                    const std::vector<double>& kb, const std::vector<double>& k);

// Along one dim of a contiguous float32/float64 tensor, the other operands contiguous too.
/// out = softmax(x) along dim, or log_softmax(x) when log.
void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log);
/// dx = the gradient of softmax (log_softmax when log) along dim, given its output y and g.
void softmax_backward(const Tensor& dx, const Tensor& g, const Tensor& y, int64_t dim, bool log);
/// Layer norm over rows of x.numel() / mean.numel() values: y, each row's mean and rstd
/// (1 / sqrt(biased var + eps)); w and b (one value per column) may be undefined.
void layer_norm(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& w,
                const Tensor& b, double eps);
/// Layer norm's gradients given g and the forward's x, mean and rstd: dx, dw and db, each
/// computed only where defined (w undefined: a weight of ones).
void layer_norm_backward(const Tensor& dx, const Tensor& dw, const Tensor& db, const Tensor& g, const Tensor& x,
                         const Tensor& mean, const Tensor& rstd, const Tensor& w);

// Recurrent layers over a packed sequence: the rows of x are time-major, batch_sizes[t] rows at
// step t (non-increasing; a padded batch has B rows at every step). One direction of one layer per
// call; the state rows not active at a step keep their values (sequences that ended, or that have
// not started in the reverse direction). All operands contiguous, of one floating dtype.
enum class RnnMode { Tanh, Relu, Lstm, Gru };
struct RnnGeom {
  RnnMode mode;
  int64_t input, hidden, proj;          // proj: 0, or LSTM's projected size
  int64_t batch;                        // rows of the state (batch_sizes[0])
  std::vector<int64_t> batch_sizes;     // per step
  bool reverse;                         // steps from last to first
  int64_t gates() const { return (mode == RnnMode::Lstm ? 4 : mode == RnnMode::Gru ? 3 : 1) * hidden; }
  int64_t out() const { return proj > 0 ? proj : hidden; }
  int64_t rows() const {
    int64_t n = 0;
    for (int64_t b : batch_sizes) n += b;
    return n;
  }
};
/// What the forward keeps for the backward, row for row with x (N rows): the activated gates
/// (N, gates), the state each step started from (hprev (N, out); LSTM's cprev (N, hidden)),
/// LSTM's tanh(c) (N, hidden) and, with a projection, its h before it (N, hidden); GRU's
/// W_hn h + b_hn (N, hidden). Entries a mode does not use stay undefined.
struct RnnWork {
  Tensor gates, hprev, cprev, tanh_c, hpre, hn;
};
void put(graph::StepWriter& w, const RnnGeom& g);
void get(graph::StepReader& r, RnnGeom& g);
void put(graph::StepWriter& w, const RnnWork& work);
void get(graph::StepReader& r, RnnWork& work);
inline void collect_tensors(std::vector<Tensor>& out, const RnnWork& w) {
  for (const Tensor* t : {&w.gates, &w.hprev, &w.cprev, &w.tanh_c, &w.hpre, &w.hn}) graph::detail::collect_tensors(out, *t);
}
/// out (N, out), h_n (batch, out), c_n (batch, hidden; LSTM) from x (N, input) and the initial
/// state; biases may be undefined; w_hr is LSTM's projection (undefined without).
void rnn_forward(const RnnGeom& g, const Tensor& out, const Tensor& h_n, const Tensor& c_n, RnnWork& work,
                 const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& w_ih, const Tensor& w_hh,
                 const Tensor& b_ih, const Tensor& b_hh, const Tensor& w_hr);
/// The gradients, each written only where defined (dh_n, dc_n and dout given; zeros where none
/// arrived): backward through time over the steps in reverse, then the weights' gradients as one
/// GEMM each over all steps.
struct RnnGrads {
  Tensor dx, dh0, dc0, dw_ih, dw_hh, db_ih, db_hh, dw_hr;
};
void put(graph::StepWriter& w, const RnnGrads& d);
void get(graph::StepReader& r, RnnGrads& d);
inline void collect_tensors(std::vector<Tensor>& out, const RnnGrads& d) {
  for (const Tensor* t : {&d.dx, &d.dh0, &d.dc0, &d.dw_ih, &d.dw_hh, &d.db_ih, &d.db_hh, &d.dw_hr})
    graph::detail::collect_tensors(out, *t);
}
void rnn_backward(const RnnGeom& g, RnnGrads& grads, const Tensor& dout, const Tensor& dh_n, const Tensor& dc_n,
                  const RnnWork& work, const Tensor& x, const Tensor& w_ih, const Tensor& w_hh, const Tensor& w_hr);

/// out[.., i, ..] = src[.., index[.., i, ..], ..] along dim; src has index's shape with stride
/// 0 at dim and `dim_stride` elements between entries along dim.
void gather(const Tensor& out, const Tensor& src, const Tensor& index, int64_t dim_stride);
/// index_select of a contiguous src into contiguous out: rows of src along dim (every element
/// after dim) copied whole; index is 1-d int64 of out's size at dim, already range-checked.
void index_rows(const Tensor& out, const Tensor& src, const Tensor& index, int64_t dim);
/// dst[.., index[...], ..] = src[...] (or +=, *=, max=, min=: NaN wins), same layout as gather;
/// runs serially.
void scatter(const Tensor& dst, const Tensor& src, const Tensor& index, int64_t dim_stride, ScatterOp op);
/// out = src at element offsets (int64, in elements, broadcast over out's shape).
void take_offsets(const Tensor& out, const Tensor& src, const Tensor& offsets);
/// dst at element offsets = value (last write wins), or += value; serial.
void put_offsets(const Tensor& dst, const Tensor& value, const Tensor& offsets, bool accumulate);
/// Count of nonzero elements.
int64_t count_nonzero(const Tensor& t);
/// Rows of the multi-indices of nonzero elements into out (count, ndim), row-major order.
void nonzero(const Tensor& out, const Tensor& t);

/// out (contiguous) = start + i * step.
void arange(const Tensor& out, double start, double step);
/// out (contiguous) = start + i * (end - start) / (n - 1).
void linspace(const Tensor& out, double start, double end);
/// torch's float32 Box-Muller over `blocks` blocks of 16 uniforms from b (normal_fill_16_AVX2):
/// in each, b[j] and b[j + 8] become mean + std * (the two normals of b[j] and b[j + 8]).
void normal_blocks16(float* b, int64_t blocks, float mean, float std);
/// The same for float64, through libm (torch's normal_fill_16).
void normal_blocks16(double* b, int64_t blocks, double mean, double std);
/// torch's float32 uniform_: out[i] = from + u (to - from) in one fused multiply-add, u from the
/// generator's floats; a value that rounds to `to` is `from`. Call under the generator's lock.
void uniform_floats(float* out, int64_t n, float from, float to, Generator& g);

// Optimizer steps: one fused pass over elements [begin, end) of a parameter and its state,
// updated in place, on the calling thread (for_each_range splits the work). Every tensor is
// contiguous, of the parameter's (floating) dtype and size. Each step's scalars are computed
// from the options and the step count by its optimizer (cpp/src/optim/), in double; a kernel
// rounds them to the parameter's dtype once. The formulas are in the optimizers' headers.
/// work(i, begin, end) over the elements of tensors of the given sizes, laid end to end and
/// split across threads when there are many.
void for_each_range(const std::vector<int64_t>& sizes, const std::function<void(size_t, int64_t, int64_t)>& work);

/// sign is -1 to maximize, else 1 (the same in every step below).
struct SgdStep {
  double lr, momentum, keep /* 1 - dampening */, weight_decay, sign;
  bool first /* the buffer starts as the gradient */, nesterov;
};
/// buf is undefined without momentum.
void sgd_step(const Tensor& p, const Tensor& g, const Tensor& buf, const SgdStep& c, int64_t begin, int64_t end);

struct AdagradStep {
  double neg_clr /* -lr / (1 + (t - 1) lr_decay) */, weight_decay, eps, sign;
};
void adagrad_step(const Tensor& p, const Tensor& g, const Tensor& sum, const AdagradStep& c, int64_t begin,
                  int64_t end);

struct RmspropStep {
  double lr, alpha, rest /* 1 - alpha */, weight_decay, eps, momentum, sign;
};
/// grad_avg is undefined unless centered, buf unless momentum > 0.
void rmsprop_step(const Tensor& p, const Tensor& g, const Tensor& square_avg, const Tensor& grad_avg,
                  const Tensor& buf, const RmspropStep& c, int64_t begin, int64_t end);

/// Adam and AdamW: shrink = 1 - lr * weight_decay when the decay is decoupled (l2 false).
struct AdamStep {
  double neg_step_size /* -lr / (1 - beta1^t) */, correction2_sqrt, w1 /* 1 - beta1 */, beta2, w2 /* 1 - beta2 */,
      eps, weight_decay, sign, shrink;
  bool l2, decoupled;
};
/// vmax is undefined unless amsgrad.
void adam_step(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const Tensor& vmax,
               const AdamStep& c, int64_t begin, int64_t end);

struct AdadeltaStep {
  double neg_lr, rho, rest /* 1 - rho */, eps, weight_decay, sign;
};
void adadelta_step(const Tensor& p, const Tensor& g, const Tensor& square_avg, const Tensor& acc_delta,
                   const AdadeltaStep& c, int64_t begin, int64_t end);

struct AdamaxStep {
  double neg_clr /* -lr / (1 - beta1^t) */, w1 /* 1 - beta1 */, beta2, eps, weight_decay, sign;
};
void adamax_step(const Tensor& p, const Tensor& g, const Tensor& exp_avg, const Tensor& exp_inf, const AdamaxStep& c,
                 int64_t begin, int64_t end);

/// NAdam and RAdam share Adam's moments; shrink as AdamStep's.
struct NadamStep {
  double grad_coef /* -lr (1 - mu_t) / (1 - prod_t) */, avg_coef /* -lr mu_{t+1} / (1 - prod_{t+1}) */,
      correction2 /* 1 - beta2^t */, w1, beta2, w2, eps, weight_decay, sign, shrink;
  bool l2, decoupled;
};
void nadam_step(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const NadamStep& c, int64_t begin,
                int64_t end);

struct RadamStep {
  double correction1 /* 1 - beta1^t */, lr, correction2_sqrt, rect /* r, or 0 while rho_t <= 5 */, w1, beta2, w2, eps,
      weight_decay, sign, shrink;
  bool l2, decoupled;
};
void radam_step(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const RadamStep& c, int64_t begin,
                int64_t end);

struct AsgdStep {
  double decay /* 1 - lambd * eta */, neg_eta, mu /* 1: ax copies p */, weight_decay, sign;
};
void asgd_step(const Tensor& p, const Tensor& g, const Tensor& ax, const AsgdStep& c, int64_t begin, int64_t end);

}  // namespace cpu
}  // namespace ember

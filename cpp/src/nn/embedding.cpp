// Embedding and its functional form.
#include "ember/nn/embedding.h"

#include <utility>

#include "autograd/record.h"
#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember {
void check_embedding_indices(const Tensor& indices, const Shape& weight_shape) {
  const int64_t lo = amin(indices).item<int64_t>(), hi = amax(indices).item<int64_t>(), rows = weight_shape[0];
  const char* op = KernelScope::current();  // embedding or embedding_bag
  EMBER_CHECK_INDEX(lo >= 0 && hi < rows, op ? op : "embedding", ": index ", lo < 0 ? lo : hi, " is out of range for ",
                    rows, " embeddings (weight ", shape_str(weight_shape), ")");
}
}  // namespace ember

namespace ember::nn {

namespace {
/// max_norm: the rows of weight that flat picks and whose norm_type-norm exceeds max_norm, rescaled
/// in place by max_norm / (norm + 1e-7), outside autograd, as PyTorch's embedding_renorm_: the norm
/// in weight's dtype, the scale in float64, rounded to weight's dtype for the product.
void renorm_rows_(const Tensor& weight, const Tensor& flat, double max_norm, double norm_type) {
  autograd::NoGradGuard no_grad;
  Tensor picked = index_select(weight, 0, flat);
  const Tensor norms = to_dtype(norm(picked, norm_type, Dims{1}, /*keepdim=*/true), DType::Float64);
  const Tensor scale = where(gt(norms, scalar_tensor(max_norm)), div(scalar_tensor(max_norm),
                             add(norms, scalar_tensor(1e-7))), scalar_tensor(1.0, DType::Float64));
  Tensor w = weight;
  index_put_(w, {flat}, mul(picked, to_dtype(scale, weight.dtype())));
}

/// The rows of weight that flat picks, for scale_grad_by_freq: each index's gradient reaches its
/// row divided by how often flat picks that row (none at padding_idx), as torch's dense embedding
/// backward. The sum is taken in float32 for the 16-bit floats, rounded once.
Tensor rows_with_grad_by_freq(const Tensor& weight, const Tensor& flat, std::optional<int64_t> padding_idx) {
  const bool rec = autograd::needs_grad(weight);
  Tensor out;
  {
    autograd::RecordingOff off(rec);
    out = index_select(weight, 0, flat);
  }
  if (!rec) return out;
  const DType sum_dtype = widened(weight.dtype());
  const Tensor index = to_dtype(flat, DType::Int64);
  // index_add rather than bincount: no read of the indices on the host, so a captured graph replays it
  const Tensor counts = index_add(zeros({weight.sizes()[0]}, DType::Int64), 0, index, ones({index.numel()}, DType::Int64));
  const Tensor count = index_select(counts, 0, index);
  Tensor scale = reciprocal(to_dtype(count, sum_dtype));
  if (padding_idx) scale = where(eq(index, scalar_tensor(*padding_idx)), scalar_tensor(0.0, sum_dtype), scale);
  scale = unsqueeze(scale, 1);
  const Shape shape = weight.sizes();
  const DType dtype = weight.dtype();
  autograd::record("EmbeddingBackward0", {out}, {weight}, {},
                   [index, scale, shape, dtype, sum_dtype](const Tensors& g, const Tensors&) {
    const Tensor rows = mul(to_dtype(g[0], sum_dtype), scale);
    return Tensors{to_dtype(index_add(zeros(shape, sum_dtype), 0, index, rows), dtype)};
  });
  return out;
}
}  // namespace

Tensor functional::embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx,
                             std::optional<double> max_norm, double norm_type, bool scale_grad_by_freq) {
  EMBER_CHECK_TYPE(indices.dtype() == DType::Int64 || indices.dtype() == DType::Int32,
                   "embedding: expected indices of dtype int64 or int32, got ", dtype_name(indices.dtype()));
  EMBER_CHECK(weight.dim() == 2, "embedding: weight must be 2-D (num_embeddings, embedding_dim), got ",
              shape_str(weight.sizes()));
  const int64_t rows = weight.sizes()[0];
  if (padding_idx) {
    EMBER_CHECK(*padding_idx >= -rows && *padding_idx < rows, "embedding: padding_idx ", *padding_idx,
                " must be within num_embeddings (", rows, ")");
    if (*padding_idx < 0) *padding_idx += rows;
  }
  Tensor flat = reshape(indices, {indices.numel()});
  const int64_t n = flat.numel();
  // Checked here, so the message names embedding rather than index_select; in a kernel call of its
  // own, so a captured graph (ember/graph.h) checks at every replay.
  if (n > 0) call_check(flat.device(), "embedding", check_embedding_indices, flat, weight.sizes());
  if (max_norm && n > 0) renorm_rows_(weight, flat, *max_norm, norm_type);
  Tensor out = scale_grad_by_freq ? rows_with_grad_by_freq(weight, flat, padding_idx) : index_select(weight, 0, flat);
  if (padding_idx && !scale_grad_by_freq && autograd::any_requires_grad({&weight})) {
    // The padding row is read as it is but gets no gradient.
    Tensor is_pad = unsqueeze(eq(flat, scalar_tensor(*padding_idx)), 1);
    out = where(is_pad, autograd::detach(out), out);
  }
  Shape shape = indices.sizes();
  shape.push_back(weight.sizes()[1]);
  return reshape(out, shape);
}

namespace {
/// What Embedding and EmbeddingBag make of their options: padding_idx checked against the table
/// (and kept >= 0), the weight's dtype (floating), and the caller's starting weight (undefined:
/// none), taken out of the options: the layer copies it rather than keeping the caller's tensor.
template <class Options>
std::pair<Tensor, DType> starting_weight(Options& o, const char* layer) {
  const int64_t n = o.num_embeddings;
  if (o.padding_idx) {
    EMBER_CHECK(*o.padding_idx >= -n && *o.padding_idx < n, layer, ": padding_idx ", *o.padding_idx,
                " must be within num_embeddings (", n, ")");
    if (*o.padding_idx < 0) *o.padding_idx += n;
  }
  Tensor given = std::move(o._weight);
  o._weight = Tensor();
  const DType dtype = given.defined() ? given.dtype() : o.dtype.value_or(default_dtype());
  EMBER_CHECK_TYPE(is_floating(dtype), layer, ": dtype must be floating point, got ", dtype_name(dtype));
  return {given, dtype};
}

void copy_starting_weight(Tensor weight, const Tensor& given, const char* layer) {
  EMBER_CHECK(given.sizes() == weight.sizes(), layer, ": _weight must have shape ", shape_str(weight.sizes()),
              ", got ", shape_str(given.sizes()));
  autograd::NoGradGuard no_grad;
  copy_(weight, given);
}
}  // namespace

Embedding::Embedding(EmbeddingOptions options) : Layer("Embedding", std::move(options)) {
  EmbeddingOptions& o = this->options;
  const auto [given, dtype] = starting_weight(o, "Embedding");
  register_parameter("weight", empty({o.num_embeddings, o.embedding_dim}, dtype));
  if (!given.defined()) {
    reset_parameters();
    return;
  }
  copy_starting_weight(weight(), given, "Embedding");
  autograd::set_requires_grad(weight(), !o._freeze);
}

void Embedding::reset_parameters() {
  Tensor w = weight();
  init::normal_(w);
  if (options.padding_idx) {
    autograd::NoGradGuard no_grad;
    Tensor row = select(w, 0, *options.padding_idx);
    zero_(row);
  }
}

std::shared_ptr<Embedding> Embedding::from_pretrained(const Tensor& embeddings, bool freeze,
                                                      std::optional<int64_t> padding_idx,
                                                      std::optional<double> max_norm, double norm_type) {
  EMBER_CHECK(embeddings.dim() == 2, "Embedding.from_pretrained: embeddings must be 2-D, got ",
              shape_str(embeddings.sizes()));
  EmbeddingOptions o{embeddings.sizes()[0], embeddings.sizes()[1], padding_idx, max_norm, norm_type};
  o._weight = embeddings, o._freeze = freeze;
  return std::make_shared<Embedding>(o);
}

Tensor Embedding::forward(const Tensor& indices) {
  return functional::embedding(indices, required_parameter("weight"), options.padding_idx, options.max_norm,
                               options.norm_type, options.scale_grad_by_freq);
}

}  // namespace ember::nn

// ---- EmbeddingBag ---------------------------------------------------------------------------

namespace ember::nn {

// A composite: each index's row goes to its bag's row of a (bags + 1, dim) result by index_add
// (sum, mean) or scatter_reduce amax (max); the extra row collects what no bag keeps (padding_idx,
// indices after include_last_offset's end) and is dropped. Gradients come from the ops.
Tensor functional::embedding_bag(const Tensor& input, const Tensor& weight, const Tensor& offsets,
                                 std::optional<double> max_norm, double norm_type, const std::string& mode,
                                 const Tensor& per_sample_weights, bool include_last_offset,
                                 std::optional<int64_t> padding_idx, bool scale_grad_by_freq, bool sparse) {
  EMBER_CHECK(mode == "sum" || mode == "mean" || mode == "max",
              "embedding_bag: mode has to be one of sum, mean or max, got '", mode, "'");
  EMBER_CHECK_TYPE(input.dtype() == DType::Int64 || input.dtype() == DType::Int32,
                   "embedding_bag: expected indices of dtype int64 or int32, got ", dtype_name(input.dtype()));
  EMBER_CHECK(weight.dim() == 2, "embedding_bag: weight has to be 2-D (num_embeddings, embedding_dim), got ",
              shape_str(weight.sizes()));
  EMBER_CHECK_TYPE(is_floating(weight.dtype()), "embedding_bag: weight must be floating point, got ",
                   dtype_name(weight.dtype()));
  EMBER_CHECK(input.dim() == 1 || input.dim() == 2, "embedding_bag: input has to be 1-D or 2-D, got ",
              shape_str(input.sizes()));
  const int64_t rows = weight.sizes()[0], dim = weight.sizes()[1], n = input.numel();
  if (padding_idx) {
    EMBER_CHECK(*padding_idx >= -rows && *padding_idx < rows, "embedding_bag: padding_idx ", *padding_idx,
                " must be within num_embeddings (", rows, ")");
    if (*padding_idx < 0) *padding_idx += rows;
  }
  EMBER_CHECK(!(scale_grad_by_freq && mode == "max"),
              "embedding_bag: max mode does not support scaling the gradient by the frequency");
  EMBER_CHECK(!(sparse && mode == "max"), "embedding_bag: max mode does not support sparse weights");
  if (per_sample_weights.defined()) {
    EMBER_CHECK_T(NotImplementedError, mode == "sum", "embedding_bag: per_sample_weights is only supported for "
                  "mode='sum', got mode='", mode, "'");
    EMBER_CHECK(per_sample_weights.sizes() == input.sizes(), "embedding_bag: per_sample_weights ",
                shape_str(per_sample_weights.sizes()), " must have the input's shape ", shape_str(input.sizes()));
    EMBER_CHECK_TYPE(per_sample_weights.dtype() == weight.dtype(), "embedding_bag: per_sample_weights (",
                     dtype_name(per_sample_weights.dtype()), ") must have weight's dtype (",
                     dtype_name(weight.dtype()), ")");
  }
  Tensor flat = reshape(input, {n}), bag_of;  // bag_of: each index's bag
  int64_t bags = 0;
  if (input.dim() == 2) {
    EMBER_CHECK(!offsets.defined(), "embedding_bag: offsets must be None for a 2-D input ",
                shape_str(input.sizes()), " (each row is a bag)");
    bags = input.sizes()[0];
    const int64_t per_bag = input.sizes()[1];
    bag_of = per_bag > 0 ? floor_divide(arange(0, n, 1, DType::Int64), scalar_tensor(per_bag, DType::Int64))
                         : zeros({0}, DType::Int64);
  } else {
    EMBER_CHECK(offsets.defined(), "embedding_bag: offsets has to be a 1-D tensor for a 1-D input ",
                shape_str(input.sizes()), ", got None");
    EMBER_CHECK(offsets.dim() == 1, "embedding_bag: offsets has to be a 1-D tensor, got ", shape_str(offsets.sizes()));
    EMBER_CHECK_TYPE(offsets.dtype() == DType::Int64 || offsets.dtype() == DType::Int32,
                     "embedding_bag: expected offsets of dtype int64 or int32, got ", dtype_name(offsets.dtype()));
    const Tensor offs = to_dtype(offsets, DType::Int64);
    const int64_t count = offs.numel();
    EMBER_CHECK(count > 0 || !include_last_offset, "embedding_bag: with include_last_offset, offsets needs at least "
                "one entry (the end of the last bag), got ", shape_str(offsets.sizes()));
    bags = include_last_offset ? count - 1 : count;
    if (count > 0) {
      const int64_t first = select(offs, 0, 0).item<int64_t>(), last = select(offs, 0, count - 1).item<int64_t>();
      EMBER_CHECK(first == 0, "embedding_bag: offsets[0] has to be 0 (the first bag starts the input), got ", first);
      EMBER_CHECK(last <= n, "embedding_bag: offsets[-1] can not be greater than the input's length ", n, ", got ",
                  last);
      EMBER_CHECK(count == 1 || amin(diff(offs)).item<int64_t>() >= 0,
                  "embedding_bag: offsets must be non-decreasing (each bag starts where the one before ends)");
    }
    // the bag of index j: the number of offsets <= j, less one
    bag_of = sub(bucketize(arange(0, n, 1, DType::Int64), offs, false, /*right=*/true), scalar_tensor(1, DType::Int64));
  }
  if (n > 0) call_check(flat.device(), "embedding_bag", check_embedding_indices, flat, weight.sizes());
  if (max_norm && n > 0) renorm_rows_(weight, flat, *max_norm, norm_type);
  const Tensor trash = scalar_tensor(bags, DType::Int64);
  Tensor keep = logical_and(ge(bag_of, scalar_tensor(0, DType::Int64)), lt(bag_of, trash));
  if (padding_idx) keep = logical_and(keep, ne(flat, scalar_tensor(*padding_idx, flat.dtype())));
  const Tensor target = where(keep, bag_of, trash);
  // Indices left out of every bag count too, as in torch's.
  const Tensor index = to_dtype(flat, DType::Int64);
  Tensor picked = scale_grad_by_freq ? rows_with_grad_by_freq(weight, index, {}) : index_select(weight, 0, index);
  if (per_sample_weights.defined()) picked = mul(picked, unsqueeze(reshape(per_sample_weights, {n}), 1));
  const Tensor start = zeros({bags + 1, dim}, weight.dtype());
  Tensor out;
  if (mode == "max") {
    out = scatter_reduce(start, 0, contiguous(expand(unsqueeze(target, 1), {n, dim})), picked, "amax",
                         /*include_self=*/false);
  } else {
    out = index_add(start, 0, target, picked);
    if (mode == "mean") {
      Tensor counts = to_dtype(bincount(target, {}, bags + 1), weight.dtype());
      out = div(out, unsqueeze(clamp(counts, scalar_tensor(1.0, weight.dtype()), std::nullopt), 1));
    }
  }
  return narrow(out, 0, 0, bags);
}

EmbeddingBag::EmbeddingBag(EmbeddingBagOptions options) : Layer("EmbeddingBag", std::move(options)) {
  EmbeddingBagOptions& o = this->options;
  const auto [given, dtype] = starting_weight(o, "EmbeddingBag");
  register_parameter("weight", empty({o.num_embeddings, o.embedding_dim}, dtype));
  if (given.defined()) copy_starting_weight(weight(), given, "EmbeddingBag");
  else reset_parameters();
}

void EmbeddingBag::reset_parameters() {
  Tensor w = weight();
  init::normal_(w);
  if (options.padding_idx) {
    autograd::NoGradGuard no_grad;
    Tensor row = select(w, 0, *options.padding_idx);
    zero_(row);
  }
}

Tensor EmbeddingBag::forward(const Tensor& input) { return forward(input, Tensor(), Tensor()); }

Tensor EmbeddingBag::forward(const Tensor& input, const Tensor& offsets, const Tensor& per_sample_weights) {
  const EmbeddingBagOptions& o = options;
  return functional::embedding_bag(input, required_parameter("weight"), offsets, o.max_norm, o.norm_type, o.mode,
                                   per_sample_weights, o.include_last_offset, o.padding_idx, o.scale_grad_by_freq,
                                   o.sparse);
}

}  // namespace ember::nn

// Embedding and its functional form.
#include "ember/nn/embedding.h"

#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember {
void check_embedding_indices(const Tensor& indices, const Shape& weight_shape) {
  const int64_t lo = amin(indices).item<int64_t>(), hi = amax(indices).item<int64_t>(), rows = weight_shape[0];
  EMBER_CHECK_INDEX(lo >= 0 && hi < rows, "embedding: index ", lo < 0 ? lo : hi, " is out of range for ", rows,
                    " embeddings (weight ", shape_str(weight_shape), ")");
}
}  // namespace ember

namespace ember::nn {

Tensor functional::embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx,
                             std::optional<double> max_norm, double norm_type) {
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
  // Checked here, so the message names embedding rather than index_select; in a kernel call of its
  // own, so a captured graph (ember/graph.h) checks at every replay.
  if (flat.numel() > 0)
    call_check(flat.device(), "embedding", check_embedding_indices, flat, weight.sizes());
  if (max_norm) {
    EMBER_CHECK(*max_norm > 0, "embedding: max_norm must be positive, got ", *max_norm);
    autograd::NoGradGuard no_grad;
    Tensor picked = index_select(weight, 0, flat);
    Tensor norms = norm(picked, norm_type, Dims{1}, /*keepdim=*/true);
    Tensor scale = where(gt(norms, scalar_tensor(*max_norm)), div(scalar_tensor(*max_norm), add(norms,
                         scalar_tensor(1e-7))), scalar_tensor(1.0, norms.dtype()));
    Tensor w = weight;
    index_put_(w, {flat}, mul(picked, scale));
  }
  Tensor out = index_select(weight, 0, flat);
  if (padding_idx && autograd::any_requires_grad({&weight})) {
    // The padding row is read as it is but gets no gradient.
    Tensor is_pad = unsqueeze(eq(flat, scalar_tensor(*padding_idx)), 1);
    out = where(is_pad, autograd::detach(out), out);
  }
  Shape shape = indices.sizes();
  shape.push_back(weight.sizes()[1]);
  return reshape(out, shape);
}

Embedding::Embedding(EmbeddingOptions options) : Layer("Embedding", std::move(options)) {
  EmbeddingOptions& o = this->options;
  const int64_t n = o.num_embeddings;
  if (o.padding_idx) {
    EMBER_CHECK(*o.padding_idx >= -n && *o.padding_idx < n, "Embedding: padding_idx ", *o.padding_idx,
                " must be within num_embeddings (", n, ")");
    if (*o.padding_idx < 0) *o.padding_idx += n;
  }
  const Tensor given = o._weight;
  o._weight = Tensor();  // the layer keeps its own copy, not the caller's tensor
  const DType dtype = given.defined() ? given.dtype() : o.dtype.value_or(default_dtype());
  EMBER_CHECK_TYPE(is_floating(dtype), "Embedding: dtype must be floating point, got ", dtype_name(dtype));
  register_parameter("weight", empty({n, o.embedding_dim}, dtype));
  if (!given.defined()) {
    reset_parameters();
    return;
  }
  EMBER_CHECK(given.sizes() == Shape({n, o.embedding_dim}), "Embedding: _weight must have shape (", n, ", ",
              o.embedding_dim, "), got ", shape_str(given.sizes()));
  autograd::NoGradGuard no_grad;
  Tensor w = weight();
  copy_(w, given);
  autograd::set_requires_grad(w, !o._freeze);
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
                               options.norm_type);
}

}  // namespace ember::nn

// Embedding and its functional form.
#include "ember/nn/embedding.h"

#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "ember/ops.h"

namespace ember::nn {

Tensor functional::embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx,
                             std::optional<double> max_norm, double norm_type) {
  EMBER_CHECK_TYPE(indices.dtype() == DType::Int64, "embedding: expected indices of dtype int64, got ",
                   dtype_name(indices.dtype()));
  EMBER_CHECK(weight.dim() == 2, "embedding: weight must be 2-D (num_embeddings, embedding_dim), got ",
              shape_str(weight.sizes()));
  const int64_t rows = weight.sizes()[0];
  if (padding_idx) {
    EMBER_CHECK(*padding_idx >= -rows && *padding_idx < rows, "embedding: padding_idx ", *padding_idx,
                " must be within num_embeddings (", rows, ")");
    if (*padding_idx < 0) *padding_idx += rows;
  }
  Tensor flat = reshape(indices, {indices.numel()});
  if (flat.numel() > 0) {  // checked here, so the message names embedding rather than index_select
    const int64_t lo = amin(flat).item<int64_t>(), hi = amax(flat).item<int64_t>();
    EMBER_CHECK_INDEX(lo >= 0 && hi < rows, "embedding: index ", lo < 0 ? lo : hi, " is out of range for ",
                      rows, " embeddings (weight ", shape_str(weight.sizes()), ")");
  }
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

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding_idx,
                     std::optional<double> max_norm, double norm_type, DType dtype)
    : Module("Embedding"),
      num_embeddings(num_embeddings),
      embedding_dim(embedding_dim),
      padding_idx(padding_idx),
      max_norm(max_norm),
      norm_type(norm_type) {
  EMBER_CHECK(num_embeddings >= 1 && embedding_dim >= 0, "Embedding: num_embeddings must be at least 1 and "
              "embedding_dim non-negative, got ", num_embeddings, " and ", embedding_dim);
  if (padding_idx) {
    EMBER_CHECK(*padding_idx >= -num_embeddings && *padding_idx < num_embeddings, "Embedding: padding_idx ",
                *padding_idx, " must be within num_embeddings (", num_embeddings, ")");
    if (*padding_idx < 0) this->padding_idx = *padding_idx + num_embeddings;
  }
  if (max_norm) EMBER_CHECK(*max_norm > 0, "Embedding: max_norm must be positive, got ", *max_norm);
  EMBER_CHECK_TYPE(is_floating(dtype), "Embedding: dtype must be floating point, got ", dtype_name(dtype));
  register_parameter("weight", empty({num_embeddings, embedding_dim}, dtype));
  reset_parameters();
}

void Embedding::reset_parameters() {
  Tensor w = weight();
  init::normal_(w);
  if (padding_idx) {
    autograd::NoGradGuard no_grad;
    Tensor row = select(w, 0, *padding_idx);
    zero_(row);
  }
}

std::shared_ptr<Embedding> Embedding::from_pretrained(const Tensor& embeddings, bool freeze,
                                                      std::optional<int64_t> padding_idx,
                                                      std::optional<double> max_norm, double norm_type) {
  EMBER_CHECK(embeddings.dim() == 2, "Embedding.from_pretrained: embeddings must be 2-D, got ",
              shape_str(embeddings.sizes()));
  auto e = std::make_shared<Embedding>(embeddings.sizes()[0], embeddings.sizes()[1], padding_idx, max_norm,
                                       norm_type, embeddings.dtype());
  autograd::NoGradGuard no_grad;
  Tensor w = e->weight();
  copy_(w, embeddings);
  autograd::set_requires_grad(w, !freeze);
  return e;
}

Tensor Embedding::forward(const Tensor& indices) {
  return functional::embedding(indices, required_parameter("weight"), padding_idx, max_norm, norm_type);
}

std::string Embedding::extra_repr() const {
  std::string s = std::to_string(num_embeddings) + ", " + std::to_string(embedding_dim);
  if (padding_idx) s += ", padding_idx=" + std::to_string(*padding_idx);
  if (max_norm) s += ", max_norm=" + repr_float(*max_norm);
  if (norm_type != 2) s += ", norm_type=" + repr_float(norm_type);
  return s;
}

}  // namespace ember::nn

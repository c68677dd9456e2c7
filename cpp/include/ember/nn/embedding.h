#pragma once
// Embedding: a lookup table of learned vectors, as torch.nn.Embedding.
#include <memory>
#include <optional>

#include "ember/nn/module.h"

namespace ember::nn {

/// Maps integer indices of any shape to rows of weight (num_embeddings, embedding_dim),
/// initialized N(0, 1) as PyTorch's. The row at padding_idx starts at zero and gets no
/// gradient; with max_norm, the rows looked up are rescaled in place to at most that norm.
class EMBER_API Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding_idx = {},
            std::optional<double> max_norm = {}, double norm_type = 2.0, DType dtype = DType::Float32);
  /// An Embedding holding a copy of embeddings (2-D); freeze: its weight needs no gradient.
  static std::shared_ptr<Embedding> from_pretrained(const Tensor& embeddings, bool freeze = true,
                                                    std::optional<int64_t> padding_idx = {},
                                                    std::optional<double> max_norm = {}, double norm_type = 2.0);
  Tensor forward(const Tensor& indices) override;
  std::string extra_repr() const override;
  void reset_parameters();
  int64_t num_embeddings, embedding_dim;
  std::optional<int64_t> padding_idx;  // stored non-negative
  std::optional<double> max_norm;
  double norm_type;
  Tensor weight() const { return parameter("weight"); }
};

}  // namespace ember::nn

#pragma once
// Embedding: a lookup table of learned vectors, as torch.nn.Embedding; EmbeddingBag: its bags
// reduced (sum, mean or max), as torch.nn.EmbeddingBag.
#include <memory>
#include <optional>
#include <string>

#include "ember/nn/layer.h"

namespace ember::nn {

/// Maps integer indices of any shape to rows of weight (num_embeddings, embedding_dim),
/// initialized N(0, 1) as PyTorch's. The row at padding_idx starts at zero and gets no
/// gradient; with max_norm, the rows looked up are rescaled in place to at most that norm; with
/// scale_grad_by_freq, each row's gradient is divided by how often the input picks it.
#define EMBER_EMBEDDING_FIELDS(X)                                                                       \
  X(Required, int64_t, num_embeddings, 0,                                                               \
    valid::at_least(1, "Embedding: num_embeddings must be at least 1, got "), Bare | Fixed)             \
  X(Required, int64_t, embedding_dim, 0, valid::at_least(0, "Embedding: embedding_dim must be non-negative, got "), \
    Bare | Fixed)                                                                                       \
  X(Arg, std::optional<int64_t>, padding_idx, std::nullopt, valid::any, Unless | Fixed) /* kept >= 0 */ \
  X(Arg, std::optional<double>, max_norm, std::nullopt, valid::any, Unless)                             \
  X(Arg, double, norm_type, 2.0, valid::any, Unless)                                                    \
  X(Arg, bool, scale_grad_by_freq, false, valid::any, Unless)                                           \
  X(Arg, bool, sparse, false, valid::any, Unless) /* accepted; gradients are dense */                 \
  X(Arg, Tensor, _weight, {}, valid::any, Ctor) /* the starting weight, copied */                      \
  X(Arg, bool, _freeze, false, valid::any, Ctor) /* with _weight: no gradient for it */                \
  EMBER_FACTORY_FIELDS(X)
struct EmbeddingOptions {
  EMBER_LAYER_OPTIONS(EMBER_EMBEDDING_FIELDS)
};
class EMBER_API Embedding : public Layer<EmbeddingOptions> {
 public:
  explicit Embedding(EmbeddingOptions options = {});
  EMBER_LAYER_SHORT_FORM(Embedding)
  /// An Embedding holding a copy of embeddings (2-D); freeze: its weight needs no gradient.
  static std::shared_ptr<Embedding> from_pretrained(const Tensor& embeddings, bool freeze = true,
                                                    std::optional<int64_t> padding_idx = {},
                                                    std::optional<double> max_norm = {}, double norm_type = 2.0);
  Tensor forward(const Tensor& indices) override;
  void reset_parameters();
  Tensor weight() const { return parameter("weight"); }
};

/// Sums, averages ('mean', the default) or takes the elementwise max of bags of rows of weight
/// (num_embeddings, embedding_dim), as torch.nn.EmbeddingBag: a 2-D input (B, N) is B bags of N
/// indices; a 1-D input is cut into bags at offsets (with include_last_offset, offsets' last entry
/// ends the last bag). Indices equal to padding_idx are left out of their bag; an empty bag gives
/// zeros. per_sample_weights (mode 'sum' only) scale each looked-up row.
#define EMBER_EMBEDDING_BAG_FIELDS(X)                                                                   \
  X(Required, int64_t, num_embeddings, 0,                                                               \
    valid::at_least(1, "EmbeddingBag: num_embeddings must be at least 1, got "), Bare | Fixed)          \
  X(Required, int64_t, embedding_dim, 0,                                                                \
    valid::at_least(0, "EmbeddingBag: embedding_dim must be non-negative, got "), Bare | Fixed)         \
  X(Arg, std::optional<double>, max_norm, std::nullopt, valid::any, Unless)                             \
  X(Arg, double, norm_type, 2.0, valid::any, Unless)                                                    \
  X(Arg, bool, scale_grad_by_freq, false, valid::any, Unless)                                           \
  X(Arg, std::string, mode, "mean", valid::one_of({"sum", "mean", "max"},                               \
    "EmbeddingBag: mode has to be one of sum, mean or max, got '", "'"), Named)                         \
  X(Arg, bool, sparse, false, valid::any, Quiet) /* accepted; gradients are dense */                  \
  X(Arg, Tensor, _weight, {}, valid::any, Ctor) /* the starting weight, copied */                      \
  X(Arg, bool, include_last_offset, false, valid::any, Quiet)                                           \
  X(Arg, std::optional<int64_t>, padding_idx, std::nullopt, valid::any, Unless | Fixed) /* kept >= 0 */ \
  EMBER_FACTORY_FIELDS(X)
struct EmbeddingBagOptions {
  EMBER_LAYER_OPTIONS(EMBER_EMBEDDING_BAG_FIELDS)
};
class EMBER_API EmbeddingBag : public Layer<EmbeddingBagOptions> {
 public:
  explicit EmbeddingBag(EmbeddingBagOptions options = {});
  EMBER_LAYER_SHORT_FORM(EmbeddingBag)
  /// A 2-D input's bags (its rows).
  Tensor forward(const Tensor& input) override;
  /// A 1-D input cut at offsets; per_sample_weights (the input's shape) may be undefined.
  Tensor forward(const Tensor& input, const Tensor& offsets, const Tensor& per_sample_weights = {});
  void reset_parameters();
  Tensor weight() const { return parameter("weight"); }
};

}  // namespace ember::nn

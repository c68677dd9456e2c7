#pragma once
// Activations, as torch.nn.functional: composites of ember ops (their gradients come from the
// ops), written so that no branch where() drops can overflow into a NaN gradient.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ember/random.h"
#include "ember/tensor.h"

namespace ember::nn::functional {

/// max(x, 0).
EMBER_API Tensor relu(const Tensor& x);
/// x for x > 0, negative_slope * x otherwise.
EMBER_API Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
/// x for x > 0, weight * x otherwise; weight has 1 element or one per channel (dim 1).
EMBER_API Tensor prelu(const Tensor& x, const Tensor& weight);
/// x for x > 0, alpha * (e^x - 1) otherwise.
EMBER_API Tensor elu(const Tensor& x, double alpha = 1);
/// x * Phi(x) ("none", with erf) or its tanh approximation ("tanh").
EMBER_API Tensor gelu(const Tensor& x, const std::string& approximate = "none");
/// x * sigmoid(x).
EMBER_API Tensor silu(const Tensor& x);
/// log(1 + e^(beta x)) / beta, and x itself where beta x > threshold.
EMBER_API Tensor softplus(const Tensor& x, double beta = 1, double threshold = 20);
/// In place: x = f(x) for the activations above (what inplace=True does); the gradient flows
/// as through the out-of-place form.
EMBER_API Tensor& leaky_relu_(Tensor& x, double negative_slope = 0.01);
EMBER_API Tensor& elu_(Tensor& x, double alpha = 1);
EMBER_API Tensor& silu_(Tensor& x);
/// x clamped to [min_val, max_val]; the gradient is 1 strictly inside, 0 elsewhere.
EMBER_API Tensor hardtanh(const Tensor& x, double min_val = -1, double max_val = 1);
/// hardtanh(x, 0, 6).
EMBER_API Tensor relu6(const Tensor& x);
/// x * relu6(x + 3) / 6.
EMBER_API Tensor hardswish(const Tensor& x);
/// relu6(x + 3) / 6.
EMBER_API Tensor hardsigmoid(const Tensor& x);
/// scale * elu(x, alpha), scale = 1.0507009873554805, alpha = 1.6732632423543772.
EMBER_API Tensor selu(const Tensor& x);
/// x for x > 0, alpha * (e^(x / alpha) - 1) otherwise (alpha != 0).
EMBER_API Tensor celu(const Tensor& x, double alpha = 1);
/// x * tanh(softplus(x)).
EMBER_API Tensor mish(const Tensor& x);
/// x / (1 + |x|).
EMBER_API Tensor softsign(const Tensor& x);
/// x - tanh(x).
EMBER_API Tensor tanhshrink(const Tensor& x);
/// x where x > threshold, value elsewhere.
EMBER_API Tensor threshold(const Tensor& x, Scalar threshold, Scalar value);
/// In place: the activations above that PyTorch has in place.
EMBER_API Tensor& hardtanh_(Tensor& x, double min_val = -1, double max_val = 1);
EMBER_API Tensor& relu6_(Tensor& x);
EMBER_API Tensor& hardswish_(Tensor& x);
EMBER_API Tensor& hardsigmoid_(Tensor& x);
EMBER_API Tensor& selu_(Tensor& x);
EMBER_API Tensor& celu_(Tensor& x, double alpha = 1);
EMBER_API Tensor& mish_(Tensor& x);
EMBER_API Tensor& threshold_(Tensor& x, Scalar threshold, Scalar value);
/// x where |x| > lambd, 0 elsewhere.
EMBER_API Tensor hardshrink(const Tensor& x, double lambd = 0.5);
/// x - lambd above lambd, x + lambd below -lambd, 0 between; lambd >= 0.
EMBER_API Tensor softshrink(const Tensor& x, double lambd = 0.5);
/// a * sigmoid(b), a and b the halves of x along dim (its size even).
EMBER_API Tensor glu(const Tensor& x, int64_t dim = -1);
/// Randomized leaky ReLU: training, each negative element times a slope drawn from U(lower, upper);
/// otherwise leaky_relu with slope (lower + upper) / 2.
EMBER_API Tensor rrelu(const Tensor& x, double lower = 0.125, double upper = 1.0 / 3.0, bool training = false,
                       Generator* gen = nullptr);
EMBER_API Tensor& rrelu_(Tensor& x, double lower = 0.125, double upper = 1.0 / 3.0, bool training = false,
                         Generator* gen = nullptr);
/// x / max(||x||_p, eps), the norm taken along dim.
EMBER_API Tensor normalize(const Tensor& x, double p = 2, int64_t dim = 1, double eps = 1e-12);
/// ||x1 - x2 + eps||_p along the last dim of the broadcast inputs.
EMBER_API Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p = 2, double eps = 1e-6,
                                   bool keepdim = false);
/// log(sigmoid(x)), computed stably (no exponent above 0).
EMBER_API Tensor logsigmoid(const Tensor& x);
/// sign(x) forward with the identity as gradient (the straight-through estimator); ember::sign
/// itself has a zero gradient.
EMBER_API Tensor sign_straight_through(const Tensor& x);

// Layers' stateless forms (the modules in linear.h, normalization.h, dropout.h, embedding.h).

/// x W^T + b over the last dim of x (bias may be undefined).
EMBER_API Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});
/// x1^T A x2 + b over the last dims: x1 (*, in1), x2 (*, in2), weight A (out, in1, in2), bias (out,)
/// or undefined; output (*, out).
EMBER_API Tensor bilinear(const Tensor& x1, const Tensor& x2, const Tensor& weight, const Tensor& bias = {});
/// Normalizes each channel (dim 1) of an (N, C) or (N, C, L...) input: with the batch's
/// statistics when training (updating the running ones in place, if given, by momentum, the
/// variance unbiased), with the running statistics otherwise; then scales and shifts.
EMBER_API Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                            const Tensor& weight = {}, const Tensor& bias = {}, bool training = false,
                            double momentum = 0.1, double eps = 1e-5);
/// Normalizes over the trailing dims given by normalized_shape, then scales and shifts.
EMBER_API Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = {},
                            const Tensor& bias = {}, double eps = 1e-5);
/// Normalizes each of num_groups groups of channels (dim 1) of each sample of an (N, C, ...)
/// input (biased variance), then scales and shifts each channel.
EMBER_API Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight = {}, const Tensor& bias = {},
                            double eps = 1e-5);
/// x / sqrt(mean(x^2) + eps) over the trailing dims normalized_shape, times weight if given; eps
/// unset: the machine epsilon of x's dtype.
EMBER_API Tensor rms_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = {},
                          std::optional<double> eps = {});
/// Each channel of an (N, C, *) input divided by (k + alpha / size * the sum of x^2 over the size
/// channels around it, zero-padded)^beta.
EMBER_API Tensor local_response_norm(const Tensor& x, int64_t size, double alpha = 1e-4, double beta = 0.75,
                                     double k = 1.0);
/// Normalizes each (sample, channel) of an (N, C, *) input over its spatial dims: with its own
/// statistics (use_input_stats; the running ones, if given, are updated in place by momentum with the
/// mean over the samples, the variance unbiased), else with the running ones; then scales and shifts.
EMBER_API Tensor instance_norm(const Tensor& x, const Tensor& running_mean = {}, const Tensor& running_var = {},
                               const Tensor& weight = {}, const Tensor& bias = {}, bool use_input_stats = true,
                               double momentum = 0.1, double eps = 1e-5);
/// Zeroes each element with probability p and scales the rest by 1 / (1 - p) when training.
EMBER_API Tensor dropout(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);
/// Zeroes whole channels (each x[n, c]) of an (N, C, ...) input with probability p and scales the
/// rest by 1 / (1 - p) when training; `op` names it in errors.
EMBER_API Tensor feature_dropout(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr,
                                 const char* op = "feature_dropout");
/// feature_dropout of an (N, C, L) or (C, L) input.
EMBER_API Tensor dropout1d(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);
/// feature_dropout, as PyTorch 2.13's dropout2d (a 3-d input is (N, C, L)).
EMBER_API Tensor dropout2d(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);
/// feature_dropout of an (N, C, D, H, W) or (C, D, H, W) input (other ranks as (N, C, ...)).
EMBER_API Tensor dropout3d(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);
/// Adds N(0, std^2) noise when training.
EMBER_API Tensor gaussian_noise(const Tensor& x, double std = 0.1, bool training = true, Generator* gen = nullptr);
/// Rows of weight picked by integer indices: output (*indices.shape, embedding_dim). Rows at
/// padding_idx get no gradient; with max_norm, the picked rows whose norm exceeds it are first
/// rescaled in place to max_norm / (norm + 1e-7); with scale_grad_by_freq, each row's gradient is divided by how often indices
/// pick it.
EMBER_API Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx = {},
                           std::optional<double> max_norm = {}, double norm_type = 2.0,
                           bool scale_grad_by_freq = false);
/// Bags of rows of weight reduced by mode ("sum", "mean" or "max"): input (B, N) is B bags; a 1-D
/// input is cut at offsets (1-D, starting at 0, non-decreasing; with include_last_offset its last
/// entry ends the last bag). Indices equal to padding_idx are left out; an empty bag gives zeros;
/// per_sample_weights (input's shape, mode "sum") scale the rows. max_norm and scale_grad_by_freq
/// (not with mode "max") as embedding's. Output (B, embedding_dim). sparse only refuses mode "max",
/// as PyTorch's: ember's gradients are dense.
EMBER_API Tensor embedding_bag(const Tensor& input, const Tensor& weight, const Tensor& offsets = {},
                               std::optional<double> max_norm = {}, double norm_type = 2.0,
                               const std::string& mode = "mean", const Tensor& per_sample_weights = {},
                               bool include_last_offset = false, std::optional<int64_t> padding_idx = {},
                               bool scale_grad_by_freq = false, bool sparse = false);

/// Pads the last len(pad) / 2 dims: pad = (before, after) for the last dim, then the one before it,
/// ... Modes: "constant" (value, 0 by default; negative amounts crop), "reflect" (mirrored
/// without the edge), "replicate" (the edge repeated) and "circular" (wrapped); the last three pad
/// 1 to 3 dims of an input with one or two more (N and C).
EMBER_API Tensor pad(const Tensor& x, const Shape& pad, const std::string& mode = "constant",
                     std::optional<double> value = {});

/// Resamples the spatial dims of an (N, C, L), (N, C, H, W) or (N, C, D, H, W) input to `size`, or
/// to floor(in * scale_factor), as PyTorch's interpolate: "nearest" (source floor(dst * scale), the
/// scale in / out, or 1 / scale_factor when given and not recomputed), "nearest-exact" (source
/// floor((dst + 0.5) * scale)), "area" (adaptive average pooling to the size), "linear" (3-d),
/// "bilinear" or "bicubic" (4-d; Keys' cubic with A = -0.75), "trilinear" (5-d), with or without
/// align_corners. antialias (bilinear, bicubic and "lanczos", which needs it; 4-d float32/float64
/// input): the filter is widened by the scale when shrinking and its weights normalized, as
/// PyTorch's (and Pillow's) separable kernels. A composite of index_select (or the pool), so every
/// order of gradient comes from the ops.
EMBER_API Tensor interpolate(const Tensor& x, const std::optional<Shape>& size = {},
                             const std::optional<std::vector<double>>& scale_factor = {},
                             const std::string& mode = "nearest", std::optional<bool> align_corners = {},
                             std::optional<bool> recompute_scale_factor = {}, bool antialias = false);
/// (*, C r^2, H, W) -> (*, C, H r, W r), and its inverse.
EMBER_API Tensor pixel_shuffle(const Tensor& x, int64_t upscale_factor);
EMBER_API Tensor pixel_unshuffle(const Tensor& x, int64_t downscale_factor);
/// (N, C, *) -> (N, C, *) with the channels viewed as (groups, C / groups) and transposed.
EMBER_API Tensor channel_shuffle(const Tensor& x, int64_t groups);

/// The sliding blocks of x (N, C, H, W) or (C, H, W) as columns: (N, C * KH * KW, L), L blocks
/// (im2col, zeros in the padding). Sizes: one for both dims, or a pair.
EMBER_API Tensor unfold(const Tensor& x, const Shape& kernel_size, const Shape& dilation = {1},
                        const Shape& padding = {0}, const Shape& stride = {1});
/// unfold's adjoint: columns (N, C * KH * KW, L) summed into an (N, C, *output_size) image.
EMBER_API Tensor fold(const Tensor& x, const Shape& output_size, const Shape& kernel_size, const Shape& dilation = {1},
                      const Shape& padding = {0}, const Shape& stride = {1});

// Pooling over the last one ((C, L) or (N, C, L)), two ((C, H, W) or (N, C, H, W)) or three
// ((C, D, H, W) or (N, C, D, H, W)) dims, as PyTorch's: sizes have one entry per pooled dim, or
// one for all; an empty stride is the kernel's.
// Windows that start in the padding count; the padding is at most half a kernel.

/// The max of each window (NaN wins), and its place in the input's plane (h * W + w).
EMBER_API std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& x, const Shape& kernel_size,
                                                            const Shape& stride = {}, const Shape& padding = {0},
                                                            const Shape& dilation = {1}, bool ceil_mode = false);
EMBER_API Tensor max_pool2d(const Tensor& x, const Shape& kernel_size, const Shape& stride = {},
                            const Shape& padding = {0}, const Shape& dilation = {1}, bool ceil_mode = false);
EMBER_API std::pair<Tensor, Tensor> max_pool1d_with_indices(const Tensor& x, const Shape& kernel_size,
                                                            const Shape& stride = {}, const Shape& padding = {0},
                                                            const Shape& dilation = {1}, bool ceil_mode = false);
EMBER_API Tensor max_pool1d(const Tensor& x, const Shape& kernel_size, const Shape& stride = {},
                            const Shape& padding = {0}, const Shape& dilation = {1}, bool ceil_mode = false);
/// The max of each window and its place in the input's volume (d * H * W + h * W + w).
EMBER_API std::pair<Tensor, Tensor> max_pool3d_with_indices(const Tensor& x, const Shape& kernel_size,
                                                            const Shape& stride = {}, const Shape& padding = {0},
                                                            const Shape& dilation = {1}, bool ceil_mode = false);
EMBER_API Tensor max_pool3d(const Tensor& x, const Shape& kernel_size, const Shape& stride = {},
                            const Shape& padding = {0}, const Shape& dilation = {1}, bool ceil_mode = false);
/// The mean of each window: divided by the window's size counting the padding (count_include_pad),
/// or not, or by divisor_override.
EMBER_API Tensor avg_pool2d(const Tensor& x, const Shape& kernel_size, const Shape& stride = {},
                            const Shape& padding = {0}, bool ceil_mode = false, bool count_include_pad = true,
                            std::optional<int64_t> divisor_override = {});
EMBER_API Tensor avg_pool1d(const Tensor& x, const Shape& kernel_size, const Shape& stride = {},
                            const Shape& padding = {0}, bool ceil_mode = false, bool count_include_pad = true);
EMBER_API Tensor avg_pool3d(const Tensor& x, const Shape& kernel_size, const Shape& stride = {},
                            const Shape& padding = {0}, bool ceil_mode = false, bool count_include_pad = true,
                            std::optional<int64_t> divisor_override = {});
/// Pools into output_size: output o of a dim of size n covers [floor(o n / out), ceil((o + 1) n / out)).
EMBER_API Tensor adaptive_avg_pool2d(const Tensor& x, const Shape& output_size);
EMBER_API Tensor adaptive_avg_pool1d(const Tensor& x, const Shape& output_size);
EMBER_API Tensor adaptive_avg_pool3d(const Tensor& x, const Shape& output_size);
/// An adaptive pool's output_size with its None entries (Sizes::kNone) replaced by the input's
/// sizes, as PyTorch's (AdaptiveAvgPool2d((None, 7))).
EMBER_API Shape adaptive_size(const Shape& output_size, const Tensor& x);
/// The max of each adaptive window and its place, as max_pool2d_with_indices.
EMBER_API std::pair<Tensor, Tensor> adaptive_max_pool2d(const Tensor& x, const Shape& output_size);
EMBER_API std::pair<Tensor, Tensor> adaptive_max_pool1d(const Tensor& x, const Shape& output_size);
EMBER_API std::pair<Tensor, Tensor> adaptive_max_pool3d(const Tensor& x, const Shape& output_size);

}  // namespace ember::nn::functional

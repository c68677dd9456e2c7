// Weight initialization (torch.nn.init's formulas), written with ember ops under no_grad.
#include "ember/nn/init.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ember/autograd.h"
#include "ember/ops.h"

namespace ember::nn::init {

namespace {
void check_floating(const Tensor& t, const char* op) {
  EMBER_CHECK_TYPE(is_floating(t.dtype()), op, ": expected a floating tensor, got ", dtype_name(t.dtype()));
}

int64_t fan_of(const Tensor& t, const std::string& mode, const char* op) {
  EMBER_CHECK(mode == "fan_in" || mode == "fan_out", op, ": mode ", mode,
              " not supported, please use one of fan_in, fan_out");
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return mode == "fan_in" ? fan_in : fan_out;
}

/// Householder QR of a rows x cols matrix (rows >= cols), row-major in `a`: returns Q (rows x
/// cols) with the signs fixed so that R's diagonal is positive (a uniformly random Q).
std::vector<double> orthonormal_columns(std::vector<double> a, int64_t rows, int64_t cols) {
  std::vector<double> q(static_cast<size_t>(rows * cols), 0.0);
  std::vector<std::vector<double>> reflectors;
  std::vector<double> diag(static_cast<size_t>(cols));
  for (int64_t k = 0; k < cols; ++k) {
    double norm = 0;
    for (int64_t i = k; i < rows; ++i) norm += a[i * cols + k] * a[i * cols + k];
    norm = std::sqrt(norm);
    const double alpha = a[k * cols + k] > 0 ? -norm : norm;
    std::vector<double> v(static_cast<size_t>(rows), 0.0);
    for (int64_t i = k; i < rows; ++i) v[i] = a[i * cols + k];
    v[k] -= alpha;
    double vnorm = 0;
    for (int64_t i = k; i < rows; ++i) vnorm += v[i] * v[i];
    if (vnorm > 0)
      for (int64_t j = k; j < cols; ++j) {  // a = (I - 2 v v^T / v^T v) a
        double dot = 0;
        for (int64_t i = k; i < rows; ++i) dot += v[i] * a[i * cols + j];
        const double f = 2 * dot / vnorm;
        for (int64_t i = k; i < rows; ++i) a[i * cols + j] -= f * v[i];
      }
    diag[k] = a[k * cols + k];
    reflectors.push_back(std::move(v));
  }
  // Q = H_0 H_1 ... H_{cols-1} applied to the first cols columns of the identity.
  for (int64_t j = 0; j < cols; ++j) q[j * cols + j] = 1.0;
  for (int64_t k = cols - 1; k >= 0; --k) {
    const std::vector<double>& v = reflectors[k];
    double vnorm = 0;
    for (int64_t i = k; i < rows; ++i) vnorm += v[i] * v[i];
    if (vnorm == 0) continue;
    for (int64_t j = 0; j < cols; ++j) {
      double dot = 0;
      for (int64_t i = k; i < rows; ++i) dot += v[i] * q[i * cols + j];
      const double f = 2 * dot / vnorm;
      for (int64_t i = k; i < rows; ++i) q[i * cols + j] -= f * v[i];
    }
  }
  for (int64_t j = 0; j < cols; ++j)  // sign of R's diagonal into Q's columns
    if (diag[j] < 0)
      for (int64_t i = 0; i < rows; ++i) q[i * cols + j] = -q[i * cols + j];
  return q;
}
}  // namespace

double calculate_gain(const std::string& nonlinearity, std::optional<double> param) {
  static const char* linear[] = {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                                 "conv_transpose3d", "sigmoid"};
  for (const char* n : linear)
    if (nonlinearity == n) return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    const double slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1 + slope * slope));
  }
  if (nonlinearity == "selu") return 3.0 / 4;
  throw ValueError(detail::cat("calculate_gain: unsupported nonlinearity ", nonlinearity));
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  EMBER_CHECK(t.dim() >= 2, "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape ",
              shape_str(t.sizes()), ")");
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.sizes()[d];
  return {t.sizes()[1] * receptive, t.sizes()[0] * receptive};
}

namespace {
thread_local bool skip_init = false;
}  // namespace

SkipInitGuard::SkipInitGuard() : previous_(skip_init) { skip_init = true; }
SkipInitGuard::~SkipInitGuard() { skip_init = previous_; }
bool SkipInitGuard::active() { return skip_init; }

Tensor& constant_(Tensor& t, double value) {
  if (skip_init) return t;
  autograd::NoGradGuard no_grad;
  return fill_(t, value);
}
Tensor& zeros_(Tensor& t) { return constant_(t, 0); }
Tensor& ones_(Tensor& t) { return constant_(t, 1); }

Tensor& uniform_(Tensor& t, double a, double b, Generator* gen) {
  check_floating(t, "uniform_");
  if (skip_init) return t;
  autograd::NoGradGuard no_grad;
  return ::ember::uniform_(t, a, b, gen);
}

Tensor& normal_(Tensor& t, double mean, double std, Generator* gen) {
  check_floating(t, "normal_");
  EMBER_CHECK(std >= 0, "normal_: std must be non-negative, got ", std);
  if (skip_init) return t;
  autograd::NoGradGuard no_grad;
  return ::ember::normal_(t, mean, std, gen);
}

Tensor& xavier_uniform_(Tensor& t, double gain, Generator* gen) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const double bound = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return init::uniform_(t, -bound, bound, gen);
}

Tensor& xavier_normal_(Tensor& t, double gain, Generator* gen) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return init::normal_(t, 0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)), gen);
}

Tensor& kaiming_uniform_(Tensor& t, double a, const std::string& mode, const std::string& nonlinearity, Generator* gen) {
  if (t.numel() == 0) return t;  // nothing to fill (PyTorch warns)
  const double bound = calculate_gain(nonlinearity, a) * std::sqrt(3.0 / static_cast<double>(fan_of(t, mode, "kaiming_uniform_")));
  return init::uniform_(t, -bound, bound, gen);
}

Tensor& kaiming_normal_(Tensor& t, double a, const std::string& mode, const std::string& nonlinearity, Generator* gen) {
  if (t.numel() == 0) return t;
  const double std = calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan_of(t, mode, "kaiming_normal_")));
  return init::normal_(t, 0, std, gen);
}

Tensor& lecun_normal_(Tensor& t, Generator* gen) {
  if (t.numel() == 0) return t;
  return init::normal_(t, 0, 1 / std::sqrt(static_cast<double>(fan_of(t, "fan_in", "lecun_normal_"))), gen);
}

Tensor& orthogonal_(Tensor& t, double gain, Generator* gen) {
  check_floating(t, "orthogonal_");
  EMBER_CHECK(t.dim() >= 2, "orthogonal_: only tensors with 2 or more dimensions are supported, got shape ",
              shape_str(t.sizes()));
  if (t.numel() == 0 || skip_init) return t;
  const int64_t rows = t.sizes()[0], cols = t.numel() / rows;
  const bool wide = rows < cols;  // QR of the transpose, then transposed back
  const int64_t m = wide ? cols : rows, n = wide ? rows : cols;
  // torch's draws (normals of t's dtype, row by row), so a seed gives torch's matrix to rounding
  Tensor flat = Tensor::empty({rows, cols}, t.dtype());
  ::ember::normal_(flat, 0, 1, gen);
  flat = to_dtype(flat, DType::Float64);
  if (wide) flat = contiguous(matrix_transpose(flat));
  const double* p = flat.data<double>();
  std::vector<double> q = orthonormal_columns(std::vector<double>(p, p + m * n), m, n);
  Tensor out = empty({m, n}, DType::Float64);
  std::copy(q.begin(), q.end(), out.data<double>());
  if (wide) out = matrix_transpose(out);
  autograd::NoGradGuard no_grad;
  Tensor view = reshape(out, t.sizes());
  copy_(t, mul(view, scalar_tensor(gain)));
  return t;
}

Tensor& trunc_normal_(Tensor& t, double mean, double std, double a, double b, Generator* gen) {
  check_floating(t, "trunc_normal_");
  if (skip_init) return t;
  autograd::NoGradGuard no_grad;
  // torch's rejection sampling, draw for draw: normals redrawn where they fall outside [a, b] when
  // that interval holds more than 0.3 of the mass, else uniforms on [a, b] accepted with the
  // normal density's ratio to its peak.
  const auto cdf = [](double x) { return (1 + std::erf(x / std::sqrt(2.0))) / 2; };
  // draws again where pending, until nothing is: still_pending(fresh draw, pending, new result)
  const auto redraw = [&](Tensor& pending, Tensor& result, const auto& draw, const auto& still_pending) {
    while (any(pending).item<bool>()) {
      Tensor fresh = draw();
      result = where(pending, fresh, result);
      pending = still_pending(fresh, pending, result);
    }
  };
  if (cdf((b - mean) / std) - cdf((a - mean) / std) > 0.3) {
    const Tensor lo = full({}, a, t.dtype()), hi = full({}, b, t.dtype());
    const auto outside = [&](const Tensor& x) { return logical_or(lt(x, lo), gt(x, hi)); };
    Tensor result = ::ember::normal_(t, mean, std, gen);
    Tensor pending = outside(result);
    redraw(pending, result, [&] {
      Tensor x = Tensor::empty(t.sizes(), t.dtype());
      return ::ember::normal_(x, mean, std, gen);
    }, [&](const Tensor&, const Tensor&, const Tensor& now) { return outside(now); });
    return copy_(t, result);
  }
  const double mode = std::max(a, std::min(mean, b)), log_peak = -0.5 * std::pow((mode - mean) / std, 2);
  // log of the density ratio: -((x - mean) / std)^2 / 2 - log_peak, in t's dtype step by step
  const auto log_ratio = [&](const Tensor& x) {
    return sub(mul(pow(div(sub(x, scalar_tensor(mean)), scalar_tensor(std)), scalar_tensor(2.0)), scalar_tensor(-0.5)),
               scalar_tensor(log_peak));
  };
  const auto rejected = [&](const Tensor& candidates) {
    Tensor u = Tensor::empty(t.sizes(), t.dtype());
    return gt(log(::ember::uniform_(u, 0, 1, gen)), log_ratio(candidates));
  };
  Tensor result = ::ember::uniform_(t, a, b, gen);
  Tensor pending = rejected(result);
  redraw(pending, result, [&] {
    Tensor x = Tensor::empty(t.sizes(), t.dtype());
    return ::ember::uniform_(x, a, b, gen);
  }, [&](const Tensor& fresh, const Tensor& still, const Tensor&) { return where(still, rejected(fresh), still); });
  return copy_(t, result);
}

Tensor& dirac_(Tensor& t, int64_t groups) {
  EMBER_CHECK(t.dim() >= 3 && t.dim() <= 5, "dirac_: Only tensors with 3, 4, or 5 dimensions are supported, got "
              "shape ", shape_str(t.sizes()));
  EMBER_CHECK(groups > 0, "dirac_: groups must be positive, got ", groups);
  EMBER_CHECK(t.sizes()[0] % groups == 0, "dirac_: dim 0 must be divisible by groups, got shape ",
              shape_str(t.sizes()), " and ", groups, " groups");
  if (skip_init) return t;
  autograd::NoGradGuard no_grad;
  zero_(t);
  const int64_t per_group = t.sizes()[0] / groups, channels = std::min(per_group, t.sizes()[1]);
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t d = 0; d < channels; ++d) {
      Tensor centre = select(select(t, 0, g * per_group + d), 0, d);
      while (centre.dim() > 0) centre = select(centre, 0, centre.sizes()[0] / 2);
      fill_(centre, 1);
    }
  return t;
}

Tensor& eye_(Tensor& t) {
  EMBER_CHECK(t.dim() == 2, "eye_: Only tensors with 2 dimensions are supported, got shape ", shape_str(t.sizes()));
  if (skip_init) return t;
  autograd::NoGradGuard no_grad;
  copy_(t, eye(t.sizes()[0], t.sizes()[1], t.dtype()));
  return t;
}

Tensor& sparse_(Tensor& t, double sparsity, double std, Generator* gen) {
  EMBER_CHECK(t.dim() == 2, "sparse_: Only tensors with 2 dimensions are supported, got shape ", shape_str(t.sizes()));
  init::normal_(t, 0, std, gen);
  if (skip_init) return t;
  autograd::NoGradGuard no_grad;
  const int64_t rows = t.sizes()[0], cols = t.sizes()[1];
  // PyTorch's randperm(rows)[:ceil(sparsity * rows)], a Python slice (a negative end counts from the back)
  const double wanted = std::ceil(sparsity * static_cast<double>(rows));
  const int64_t zeroed = wanted >= 0 ? static_cast<int64_t>(std::min(wanted, static_cast<double>(rows)))
                                    : std::max<int64_t>(0, rows + static_cast<int64_t>(std::max(wanted, -1e18)));
  Tensor mask = zeros({rows, cols}, DType::Bool);
  bool* m = mask.data<bool>();
  for (int64_t c = 0; c < cols; ++c) {
    const Tensor perm = randperm(rows, DType::Int64, gen);
    for (int64_t i = 0; i < zeroed; ++i) m[perm.data<int64_t>()[i] * cols + c] = true;
  }
  masked_fill_(t, mask, 0);
  return t;
}

}  // namespace ember::nn::init

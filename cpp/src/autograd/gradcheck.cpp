// gradcheck / gradgradcheck: the analytical Jacobian (one backward per output element) against
// central finite differences, both in full, with PyTorch's tolerances.
#include <cmath>

#include "autograd/record.h"
#include "ember/ops.h"

namespace ember::autograd {

namespace {
/// Memory of element k (row-major) of a float64 tensor of any layout.
double* element(const Tensor& t, int64_t k) {
  int64_t off = 0;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    off += (k % t.sizes()[d]) * t.strides()[d];
    k /= t.sizes()[d];
  }
  return static_cast<double*>(t.raw_data()) + off;
}

/// Values of the differentiable outputs as one flat float64 vector each.
std::vector<std::vector<double>> flat_outputs(const Tensors& outs) {
  std::vector<std::vector<double>> v;
  for (const Tensor& o : outs) {
    std::vector<double> flat;
    if (o.defined() && is_floating(o.dtype())) {
      Tensor c = contiguous(to_dtype(o, DType::Float64));
      const double* p = c.data<double>();
      flat.assign(p, p + c.numel());
    }
    v.push_back(std::move(flat));
  }
  return v;
}

bool fail(const GradcheckOptions& opts, const std::string& msg) {
  if (opts.raise_exception) throw RuntimeError(msg);
  return false;
}
}  // namespace

bool gradcheck(const Function& fn, const Tensors& inputs, const GradcheckOptions& opts) {
  std::vector<size_t> checked;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined() && requires_grad(inputs[i])) checked.push_back(i);
  EMBER_CHECK(!checked.empty(), "gradcheck: expects at least one input tensor to require gradient");
  for (size_t i : checked)
    EMBER_CHECK_TYPE(inputs[i].dtype() == DType::Float64, "gradcheck: input ", i,
                     " requires gradient and is not float64 (finite differences need double precision), got ",
                     dtype_name(inputs[i].dtype()));

  for (size_t i : checked) {
    // Finite differences write into the inputs: they must be writable and not overlap.
    inputs[i].check_writable("gradcheck");
    inputs[i].check_in_place("gradcheck");
  }
  Tensors outs;
  {
    GradModeGuard on(true);
    outs = fn(inputs);
  }
  EMBER_CHECK(!outs.empty(), "gradcheck: fn returned no tensor to check");
  Tensors diff_inputs;
  for (size_t i : checked) diff_inputs.push_back(inputs[i]);

  // Analytical: row j of output o's Jacobian from one backward with a one-hot gradient.
  // analytical[o][c][k][j]: d out_o[j] / d in_c[k].
  std::vector<std::vector<std::vector<double>>> analytical(outs.size());
  for (size_t o = 0; o < outs.size(); ++o) {
    const Tensor& out = outs[o];
    if (!out.defined() || !is_floating(out.dtype())) continue;
    analytical[o].assign(checked.size(), std::vector<double>());
    for (size_t c = 0; c < checked.size(); ++c)
      analytical[o][c].assign(static_cast<size_t>(inputs[checked[c]].numel() * out.numel()), 0.0);
    if (!requires_grad(out)) continue;
    for (int64_t j = 0; j < out.numel(); ++j) {
      Tensor onehot = zeros({out.numel()}, out.dtype());
      {
        NoGradGuard ng;
        Tensor one = ones({1}, out.dtype());
        Tensor slot = narrow(onehot, 0, j, 1);
        copy_(slot, one);
      }
      Tensors g = grad({out}, diff_inputs, {reshape(onehot, out.sizes())}, true, false, true);
      for (size_t c = 0; c < checked.size(); ++c) {
        if (!g[c].defined()) continue;
        EMBER_CHECK_RUNTIME(g[c].sizes() == diff_inputs[c].sizes(), "gradcheck: gradient of input ", checked[c],
                            " has shape ", shape_str(g[c].sizes()), ", expected ", shape_str(diff_inputs[c].sizes()));
        Tensor gc = contiguous(to_dtype(g[c], DType::Float64));
        const double* p = gc.data<double>();
        for (int64_t k = 0; k < gc.numel(); ++k) analytical[o][c][static_cast<size_t>(k * out.numel() + j)] = p[k];
      }
    }
  }

  // Numerical: central differences, one input element at a time.
  for (size_t c = 0; c < checked.size(); ++c) {
    const Tensor& in = inputs[checked[c]];
    for (int64_t k = 0; k < in.numel(); ++k) {
      double* p = element(in, k);
      const double orig = *p;
      std::vector<std::vector<double>> plus, minus;
      {
        NoGradGuard ng;
        *p = orig + opts.eps;
        plus = flat_outputs(fn(inputs));
        *p = orig - opts.eps;
        minus = flat_outputs(fn(inputs));
        *p = orig;
      }
      EMBER_CHECK_RUNTIME(plus.size() == outs.size() && minus.size() == outs.size(), "gradcheck: fn returned ",
                          outs.size(), " outputs at first, then ", plus.size(), " and ", minus.size(),
                          ": it must return the same outputs on every call");
      for (size_t o = 0; o < outs.size(); ++o) {
        if (analytical[o].empty()) continue;
        EMBER_CHECK_RUNTIME(plus[o].size() == static_cast<size_t>(outs[o].numel()) && minus[o].size() == plus[o].size(),
                            "gradcheck: output ", o, " changed its number of elements between calls");
        for (size_t j = 0; j < plus[o].size(); ++j) {
          const double num = (plus[o][j] - minus[o][j]) / (2 * opts.eps);
          const double ana = analytical[o][c][static_cast<size_t>(k) * plus[o].size() + j];
          const bool close = std::abs(ana - num) <= opts.atol + opts.rtol * std::abs(num) ||
                             (std::isnan(ana) && std::isnan(num));
          if (!close)
            return fail(opts, detail::cat("Jacobian mismatch for output ", o, " with respect to input ", checked[c],
                                          ": at input element ", k, ", output element ", j, ", numerical ", num,
                                          " but analytical ", ana, " (atol=", opts.atol, ", rtol=", opts.rtol, ")"));
        }
      }
    }
  }
  return true;
}

bool gradgradcheck(const Function& fn, const Tensors& inputs, const Tensors& grad_outputs, const GradcheckOptions& opts) {
  Tensors outs;
  {
    GradModeGuard on(true);
    outs = fn(inputs);
  }
  Tensors gos = grad_outputs;
  if (gos.empty()) {
    Generator gen(0);
    for (const Tensor& o : outs) {
      if (!o.defined() || !is_floating(o.dtype()) || !requires_grad(o)) continue;
      Tensor r = randn(o.sizes(), DType::Float64, &gen);
      r.requires_grad_(true);
      gos.push_back(r);
    }
  }
  const size_t n_inputs = inputs.size();
  Function grad_fn = [fn, n_inputs](const Tensors& args) {
    // The analytical pass differentiates the gradient (create_graph); the finite-difference
    // passes run with grad mode off and need its values only.
    const bool build = is_grad_enabled();
    GradModeGuard on(true);
    Tensors ins(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(n_inputs));
    Tensors go(args.begin() + static_cast<std::ptrdiff_t>(n_inputs), args.end());
    Tensors diff_outs, diff_ins;
    for (const Tensor& o : fn(ins))
      if (o.defined() && is_floating(o.dtype()) && requires_grad(o)) diff_outs.push_back(o);
    for (const Tensor& t : ins)
      if (t.defined() && requires_grad(t)) diff_ins.push_back(t);
    EMBER_CHECK_RUNTIME(go.size() == diff_outs.size(), "gradgradcheck: got ", go.size(), " grad_outputs for ",
                        diff_outs.size(), " differentiable outputs");
    Tensors result;
    for (const Tensor& g : grad(diff_outs, diff_ins, go, true, build, true))
      if (g.defined()) result.push_back(build ? g : detach(g));
    return result;
  };
  Tensors all = inputs;
  all.insert(all.end(), gos.begin(), gos.end());
  {
    GradModeGuard on(true);
    if (grad_fn(all).empty()) return true;  // no gradient reaches an input (norm(p=0)): nothing to check
  }
  return gradcheck(grad_fn, all, opts);
}

}  // namespace ember::autograd

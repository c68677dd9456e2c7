// ASGD: the step and its rate and averaging schedule (formula in ember/optim/asgd.h).
#include "ember/optim/asgd.h"

#include <algorithm>
#include <cmath>

#include "kernels.h"
#include "optim/step.h"

namespace ember::optim {

ASGD::ASGD(const std::vector<Tensor>& params, const ASGDOptions& options) : OptimizerOf("ASGD") {
  add_param_group(params, options);
}

StepJob ASGD::update(const Tensor& p, const Tensor& grad, ParamState& s, const ASGDOptions& o) {
  auto t = std::make_shared<StepOperands>(name(), p, grad);
  const bool first = fresh(s);
  Tensor eta = scalar_state(name(), s, "eta", first, o.lr), mu = scalar_state(name(), s, "mu", first, 1.0);
  Tensor ax = state_tensor(name(), s, "ax", p, first);
  ++s.step;
  // This step uses the rate and averaging weight the last one left; then the next ones are set.
  const double eta_now = eta.item<double>(), mu_now = mu.item<double>(), n = static_cast<double>(s.step);
  // PyTorch makes each new value a float32 scalar (torch.as_tensor) before copying it into the
  // state, so it is rounded to float32 even in a state loaded as float64.
  set_scalar(eta, static_cast<float>(o.lr / std::pow(1 + o.lambd * o.lr * n, o.alpha)));
  set_scalar(mu, static_cast<float>(1 / std::max(1.0, n - o.t0)));
  const cpu::AsgdStep c{1 - o.lambd * eta_now, -eta_now, mu_now, o.weight_decay, o.maximize ? -1.0 : 1.0};
  return step_job(t, [ax, c](const Tensor& x, const Tensor& g, int64_t begin, int64_t end) {
    cpu::asgd_step(x, g, ax, c, begin, end);
  });
}

}  // namespace ember::optim

// RAdam: the rectification term and the step (formula in ember/optim/radam.h).
#include "ember/optim/radam.h"

#include <cmath>

#include "kernels.h"
#include "optim/step.h"

namespace ember::optim {

RAdam::RAdam(const std::vector<Tensor>& params, const RAdamOptions& options) : OptimizerOf("RAdam") {
  add_param_group(params, options);
}

StepJob RAdam::update(const Tensor& p, const Tensor& grad, ParamState& s, const RAdamOptions& o) {
  auto t = std::make_shared<StepOperands>(name(), p, grad);
  const bool first = fresh(s);
  Tensor m = state_tensor(name(), s, "exp_avg", p, first), v = state_tensor(name(), s, "exp_avg_sq", p, first);
  ++s.step;
  const double n = static_cast<double>(s.step), beta1 = o.betas.first, beta2 = o.betas.second;
  const double correction2 = 1 - std::pow(beta2, n);
  const double rho_inf = 2 / (1 - beta2) - 1, rho_t = rho_inf - 2 * n * std::pow(beta2, n) / correction2;
  // 0 marks the early steps, whose update is the bias-corrected momentum alone.
  const double rect =
      rho_t > 5 ? std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) : 0;
  const bool decay = o.weight_decay != 0;
  const cpu::RadamStep c{1 - std::pow(beta1, n), o.lr, std::sqrt(correction2), rect, 1 - beta1, beta2, 1 - beta2,
                         o.eps, o.weight_decay, o.maximize ? -1.0 : 1.0, 1 - o.lr * o.weight_decay,
                         decay && !o.decoupled_weight_decay, decay && o.decoupled_weight_decay};
  return step_job(t, [m, v, c](const Tensor& x, const Tensor& g, int64_t begin, int64_t end) {
    cpu::radam_step(x, g, m, v, c, begin, end);
  });
}

}  // namespace ember::optim

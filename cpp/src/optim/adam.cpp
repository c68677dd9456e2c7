// Adam and AdamW: the step (formula in ember/optim/adam.h).
#include "ember/optim/adam.h"

#include <cmath>

#include "ember/error.h"
#include "kernels.h"
#include "optim/step.h"

namespace ember::optim {

Adam::Adam(const std::vector<Tensor>& params, const AdamOptions& options) : Adam("Adam", params, options) {}

Adam::Adam(std::string name, const std::vector<Tensor>& params, const AdamOptions& options)
    : OptimizerOf(std::move(name)) {
  add_param_group(params, options);
}

AdamW::AdamW(const std::vector<Tensor>& params, const AdamWOptions& options) : Adam("AdamW", params, options) {}

StepJob Adam::update(const Tensor& p, const Tensor& grad, ParamState& s, const AdamOptions& o) {
  auto t = std::make_shared<StepOperands>(name(), p, grad);
  const bool first = fresh(s);
  Tensor m = state_tensor(name(), s, "exp_avg", p, first), v = state_tensor(name(), s, "exp_avg_sq", p, first);
  Tensor vmax = o.amsgrad ? state_tensor(name(), s, "max_exp_avg_sq", p, true) : Tensor();
  ++s.step;
  const double n = static_cast<double>(s.step), beta1 = o.betas.first, beta2 = o.betas.second;
  const bool decay = o.weight_decay != 0;
  const cpu::AdamStep c{-(o.lr / (1 - std::pow(beta1, n))), std::sqrt(1 - std::pow(beta2, n)), 1 - beta1, beta2,
                        1 - beta2, o.eps, o.weight_decay, o.maximize ? -1.0 : 1.0, 1 - o.lr * o.weight_decay,
                        decay && !o.decoupled_weight_decay, decay && o.decoupled_weight_decay};
  return step_job(t, [m, v, vmax, c](const Tensor& x, const Tensor& g, int64_t begin, int64_t end) {
    cpu::adam_step(x, g, m, v, vmax, c, begin, end);
  });
}

}  // namespace ember::optim

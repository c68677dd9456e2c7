// NAdam: the momentum schedule and the step (formula in ember/optim/nadam.h).
#include "ember/optim/nadam.h"

#include <cmath>

#include "kernels.h"
#include "optim/step.h"

namespace ember::optim {

NAdam::NAdam(const std::vector<Tensor>& params, const NAdamOptions& options) : OptimizerOf("NAdam") {
  add_param_group(params, options);
}

StepJob NAdam::update(const Tensor& p, const Tensor& grad, ParamState& s, const NAdamOptions& o) {
  auto t = std::make_shared<StepOperands>(name(), p, grad);
  const bool first = fresh(s);
  Tensor mu_product = scalar_state(name(), s, "mu_product", first, 1.0);
  Tensor m = state_tensor(name(), s, "exp_avg", p, first), v = state_tensor(name(), s, "exp_avg_sq", p, first);
  ++s.step;
  const double n = static_cast<double>(s.step), beta1 = o.betas.first, beta2 = o.betas.second;
  const double mu = beta1 * (1 - 0.5 * std::pow(0.96, n * o.momentum_decay));
  const double mu_next = beta1 * (1 - 0.5 * std::pow(0.96, (n + 1) * o.momentum_decay));
  // The product lives in the state tensor's precision, as PyTorch's; the next one only in double.
  const double product = product_in(mu_product, mu_product.item<double>(), mu);
  set_scalar(mu_product, product);
  const double product_next = product * mu_next;
  const bool decay = o.weight_decay != 0;
  const cpu::NadamStep c{-o.lr * (1 - mu) / (1 - product), -o.lr * mu_next / (1 - product_next),
                         1 - std::pow(beta2, n), 1 - beta1, beta2, 1 - beta2, o.eps, o.weight_decay,
                         o.maximize ? -1.0 : 1.0, 1 - o.lr * o.weight_decay, decay && !o.decoupled_weight_decay,
                         decay && o.decoupled_weight_decay};
  return step_job(t, [m, v, c](const Tensor& x, const Tensor& g, int64_t begin, int64_t end) {
    cpu::nadam_step(x, g, m, v, c, begin, end);
  });
}

}  // namespace ember::optim

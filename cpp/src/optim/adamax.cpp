// Adamax: the step (formula in ember/optim/adamax.h).
#include "ember/optim/adamax.h"

#include <cmath>

#include "kernels.h"
#include "optim/step.h"

namespace ember::optim {

Adamax::Adamax(const std::vector<Tensor>& params, const AdamaxOptions& options) : OptimizerOf("Adamax") {
  add_param_group(params, options);
}

StepJob Adamax::update(const Tensor& p, const Tensor& grad, ParamState& s, const AdamaxOptions& o) {
  auto t = std::make_shared<StepOperands>(name(), p, grad);
  const bool first = fresh(s);
  Tensor exp_avg = state_tensor(name(), s, "exp_avg", p, first), exp_inf = state_tensor(name(), s, "exp_inf", p, first);
  ++s.step;
  const double beta1 = o.betas.first, clr = o.lr / (1 - std::pow(beta1, static_cast<double>(s.step)));
  const cpu::AdamaxStep c{-clr, 1 - beta1, o.betas.second, o.eps, o.weight_decay, o.maximize ? -1.0 : 1.0};
  return step_job(t, [exp_avg, exp_inf, c](const Tensor& x, const Tensor& g, int64_t begin, int64_t end) {
    cpu::adamax_step(x, g, exp_avg, exp_inf, c, begin, end);
  });
}

}  // namespace ember::optim

// RMSprop: the step (formula in ember/optim/rmsprop.h).
#include "ember/optim/rmsprop.h"

#include "ember/error.h"
#include "kernels.h"
#include "optim/step.h"

namespace ember::optim {

RMSprop::RMSprop(const std::vector<Tensor>& params, const RMSpropOptions& options) : OptimizerOf("RMSprop") {
  add_param_group(params, options);
}

StepJob RMSprop::update(const Tensor& p, const Tensor& grad, ParamState& s, const RMSpropOptions& o) {
  auto t = std::make_shared<StepOperands>(name(), p, grad);
  // Options switched on after the first step get their (zero) state then.
  Tensor square_avg = state_tensor(name(), s, "square_avg", p, fresh(s));
  Tensor buf = o.momentum > 0 ? state_tensor(name(), s, "momentum_buffer", p, true) : Tensor();
  Tensor grad_avg = o.centered ? state_tensor(name(), s, "grad_avg", p, true) : Tensor();
  ++s.step;
  const cpu::RmspropStep c{o.lr, o.alpha, 1 - o.alpha, o.weight_decay, o.eps, o.momentum, o.maximize ? -1.0 : 1.0};
  return step_job(t, [square_avg, grad_avg, buf, c](const Tensor& x, const Tensor& g, int64_t begin, int64_t end) {
    cpu::rmsprop_step(x, g, square_avg, grad_avg, buf, c, begin, end);
  });
}

}  // namespace ember::optim

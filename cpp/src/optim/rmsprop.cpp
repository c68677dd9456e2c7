// RMSprop: the options' checks and the step (formula in ember/optim/rmsprop.h).
#include "ember/optim/rmsprop.h"

#include "ember/error.h"
#include "kernels.h"
#include "optim/step.h"

namespace ember::optim {

void RMSpropOptions::validate() const {
  EMBER_CHECK(lr >= 0, "Invalid learning rate: ", lr);
  EMBER_CHECK(eps >= 0, "Invalid epsilon value: ", eps);
  EMBER_CHECK(momentum >= 0, "Invalid momentum value: ", momentum);
  EMBER_CHECK(weight_decay >= 0, "Invalid weight_decay value: ", weight_decay);
  EMBER_CHECK(alpha >= 0, "Invalid alpha value: ", alpha);
}

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
  return step_job(t, [square_avg, grad_avg, buf, o](const Tensor& x, const Tensor& g, int64_t begin, int64_t end) {
    cpu::rmsprop_step(x, g, square_avg, grad_avg, buf, o, begin, end);
  });
}

}  // namespace ember::optim

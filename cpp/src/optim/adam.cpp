// Adam and AdamW: the options' checks and the step (formula in ember/optim/adam.h).
#include "ember/optim/adam.h"

#include "ember/error.h"
#include "kernels.h"
#include "optim/step.h"

namespace ember::optim {

void AdamOptions::validate() const {
  EMBER_CHECK(lr >= 0, "Invalid learning rate: ", lr);
  EMBER_CHECK(eps >= 0, "Invalid epsilon value: ", eps);
  EMBER_CHECK(beta1 >= 0 && beta1 < 1, "Invalid beta parameter at index 0: ", beta1);
  EMBER_CHECK(beta2 >= 0 && beta2 < 1, "Invalid beta parameter at index 1: ", beta2);
  EMBER_CHECK(weight_decay >= 0, "Invalid weight_decay value: ", weight_decay);
}

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
  return step_job(t, [m, v, vmax, o, step = s.step](const Tensor& x, const Tensor& g, int64_t begin, int64_t end) {
    cpu::adam_step(x, g, m, v, vmax, o, step, begin, end);
  });
}

}  // namespace ember::optim

// Adadelta: the step (formula in ember/optim/adadelta.h).
#include "ember/optim/adadelta.h"

#include "kernels.h"
#include "optim/step.h"

namespace ember::optim {

Adadelta::Adadelta(const std::vector<Tensor>& params, const AdadeltaOptions& options) : OptimizerOf("Adadelta") {
  add_param_group(params, options);
}

StepJob Adadelta::update(const Tensor& p, const Tensor& grad, ParamState& s, const AdadeltaOptions& o) {
  auto t = std::make_shared<StepOperands>(name(), p, grad);
  const bool first = fresh(s);
  Tensor square_avg = state_tensor(name(), s, "square_avg", p, first);
  Tensor acc_delta = state_tensor(name(), s, "acc_delta", p, first);
  ++s.step;
  const cpu::AdadeltaStep c{-o.lr, o.rho, 1 - o.rho, o.eps, o.weight_decay, o.maximize ? -1.0 : 1.0};
  return step_job(t, [square_avg, acc_delta, c](const Tensor& x, const Tensor& g, int64_t begin, int64_t end) {
    cpu::adadelta_step(x, g, square_avg, acc_delta, c, begin, end);
  });
}

}  // namespace ember::optim

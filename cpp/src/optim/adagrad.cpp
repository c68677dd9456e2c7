// Adagrad: the step (formula in ember/optim/adagrad.h).
#include "ember/optim/adagrad.h"

#include "ember/error.h"
#include "kernels.h"
#include "optim/step.h"

namespace ember::optim {

Adagrad::Adagrad(const std::vector<Tensor>& params, const AdagradOptions& options) : OptimizerOf("Adagrad") {
  add_param_group(params, options);
}

void Adagrad::init_state(size_t i, ParamState& s) {
  s.set("sum", state_like(parameters()[i], options_of(i).initial_accumulator_value));
}

StepJob Adagrad::update(const Tensor& p, const Tensor& grad, ParamState& s, const AdagradOptions& o) {
  auto t = std::make_shared<StepOperands>(name(), p, grad);
  Tensor sum = state_tensor(name(), s, "sum", p, fresh(s), o.initial_accumulator_value);
  ++s.step;
  const double clr = o.lr / (1 + static_cast<double>(s.step - 1) * o.lr_decay);
  const cpu::AdagradStep c{-clr, o.weight_decay, o.eps, o.maximize ? -1.0 : 1.0};
  return step_job(t, [sum, c](const Tensor& x, const Tensor& g, int64_t begin, int64_t end) {
    cpu::adagrad_step(x, g, sum, c, begin, end);
  });
}

}  // namespace ember::optim

// Adagrad: the options' checks and the step (formula in ember/optim/adagrad.h).
#include "ember/optim/adagrad.h"

#include "ember/error.h"
#include "kernels.h"
#include "optim/step.h"

namespace ember::optim {

void AdagradOptions::validate() const {
  EMBER_CHECK(lr >= 0, "Invalid learning rate: ", lr);
  EMBER_CHECK(lr_decay >= 0, "Invalid lr_decay value: ", lr_decay);
  EMBER_CHECK(weight_decay >= 0, "Invalid weight_decay value: ", weight_decay);
  EMBER_CHECK(initial_accumulator_value >= 0, "Invalid initial_accumulator_value value: ", initial_accumulator_value);
  EMBER_CHECK(eps >= 0, "Invalid epsilon value: ", eps);
}

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
  return step_job(t, [sum, o, clr](const Tensor& x, const Tensor& g, int64_t begin, int64_t end) {
    cpu::adagrad_step(x, g, sum, o, clr, begin, end);
  });
}

}  // namespace ember::optim

// SGD: the options' checks and the step (formula in ember/optim/sgd.h).
#include "ember/optim/sgd.h"

#include "ember/error.h"
#include "kernels.h"
#include "optim/step.h"

namespace ember::optim {

void SGDOptions::validate() const {
  EMBER_CHECK(lr >= 0, "Invalid learning rate: ", lr);
  EMBER_CHECK(momentum >= 0, "Invalid momentum value: ", momentum);
  EMBER_CHECK(weight_decay >= 0, "Invalid weight_decay value: ", weight_decay);
  EMBER_CHECK(!nesterov || (momentum > 0 && dampening == 0), "Nesterov momentum requires a momentum and zero dampening");
}

SGD::SGD(const std::vector<Tensor>& params, const SGDOptions& options) : OptimizerOf("SGD") {
  add_param_group(params, options);
}

StepJob SGD::update(const Tensor& p, const Tensor& grad, ParamState& s, const SGDOptions& o) {
  auto t = std::make_shared<StepOperands>(name(), p, grad);
  Tensor buf;
  bool first = false;
  if (o.momentum != 0) {
    first = !s.get("momentum_buffer").defined();
    buf = state_tensor(name(), s, "momentum_buffer", p, /*make=*/true);  // PyTorch's too: a missing one restarts
  }
  ++s.step;
  return step_job(t, [buf, o, first](const Tensor& x, const Tensor& g, int64_t begin, int64_t end) {
    cpu::sgd_step(x, g, buf, o, first, begin, end);
  });
}

}  // namespace ember::optim

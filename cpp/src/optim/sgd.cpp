// SGD: the Nesterov rule and the step (formula in ember/optim/sgd.h).
#include "ember/optim/sgd.h"

#include "ember/error.h"
#include "kernels.h"
#include "optim/step.h"

namespace ember::optim {

void SGDOptions::cross_checks() const {
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
  const cpu::SgdStep c{o.lr, o.momentum, 1 - o.dampening, o.weight_decay, o.maximize ? -1.0 : 1.0, first, o.nesterov};
  return step_job(t, [buf, c](const Tensor& x, const Tensor& g, int64_t begin, int64_t end) {
    cpu::sgd_step(x, g, buf, c, begin, end);
  });
}

}  // namespace ember::optim

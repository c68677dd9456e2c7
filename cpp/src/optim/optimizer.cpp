// The optimizer base: parameters, their state, zero_grad.
#include "ember/optim/optimizer.h"

#include <unordered_set>

#include "ember/error.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember::optim {

Tensor ParamState::get(const std::string& name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return t;
  return {};
}

void ParamState::set(const std::string& name, Tensor value) {
  for (auto& [n, t] : tensors) {
    if (n == name) {
      t = std::move(value);
      return;
    }
  }
  tensors.emplace_back(name, std::move(value));
}

void Optimizer::add_params(const std::vector<Tensor>& params) {
  EMBER_CHECK(!params.empty(), "optimizer got an empty parameter list");
  std::unordered_set<const TensorImpl*> seen;
  for (const Tensor& p : params_) seen.insert(p.impl());
  std::unordered_set<const TensorImpl*> mine;
  for (const Tensor& p : params) {
    EMBER_CHECK_TYPE(p.defined(), name(), ": a parameter is None");
    EMBER_CHECK(autograd::is_leaf(p), name(), ": can't optimize a non-leaf Tensor");
    EMBER_CHECK_TYPE(is_floating(p.dtype()), name(), ": can only optimize floating-point tensors, got ",
                     dtype_name(p.dtype()));
    // The fused steps exist for float32 and float64 (16-bit parameters: keep float32 masters).
    EMBER_CHECK_TYPE(!is_narrow(p.dtype()), name(), ": ", dtype_name(p.dtype()),
                     " parameters are not supported; optimize float32 copies and cast them");
    EMBER_CHECK(!seen.count(p.impl()), "some parameters appear in more than one parameter group");
    EMBER_CHECK(mine.insert(p.impl()).second, name(), ": a parameter appears twice in one group");
  }
  for (const Tensor& p : params) {
    params_.push_back(p);
    state_.emplace_back();
  }
}

void Optimizer::run_jobs(std::vector<StepJob>& jobs) {
  std::vector<int64_t> sizes;
  for (const StepJob& job : jobs) sizes.push_back(job.numel);
  cpu::for_each_range(sizes, [&jobs](size_t i, int64_t begin, int64_t end) { jobs[i].run(begin, end); });
  for (StepJob& job : jobs) job.finish();
}

void Optimizer::zero_grad(bool set_to_none) { autograd::zero_grads(params_, set_to_none); }

void Optimizer::set_state(size_t i, const ParamState& state) {
  EMBER_CHECK_INDEX(i < params_.size(), name(), ".load_state_dict: parameter index ", i, " is out of range (",
                    params_.size(), " parameters)");
  const Tensor& p = params_[i];
  EMBER_CHECK(state.step >= 0, name(), ".load_state_dict: step must be non-negative, got ", state.step);
  ParamState own;
  own.step = state.step;
  autograd::NoGradGuard no_grad;
  for (const auto& [n, t] : state.tensors) {
    EMBER_CHECK_TYPE(t.defined(), name(), ".load_state_dict: state '", n, "' of parameter ", i, " is not a tensor");
    const Shape& want = is_scalar_state(n) ? Shape{} : p.sizes();
    EMBER_CHECK(t.sizes() == want, name(), ".load_state_dict: state '", n, "' of parameter ", i, " has shape ",
                shape_str(t.sizes()), ", expected ", shape_str(want));
    // Cast to the parameter's dtype, scalars too, as PyTorch's load_state_dict.
    own.set(n, contiguous(to_dtype(t, p.dtype(), /*copy=*/true)));
  }
  state_[i] = std::move(own);
}

}  // namespace ember::optim

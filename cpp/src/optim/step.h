#pragma once
// What every optimizer step needs around its kernel: contiguous operands of the parameter's
// dtype, and state tensors shaped like the parameter.
#include <memory>
#include <string>

#include "ember/ops.h"
#include "ember/optim/optimizer.h"

namespace ember::optim {

/// A new state tensor like p (contiguous, p's dtype), filled with value.
inline Tensor state_like(const Tensor& p, double value = 0) { return full(p.sizes(), value, p.dtype(), p.device()); }

/// Whether s is a parameter's state before its first step (nothing loaded or made yet).
inline bool fresh(const ParamState& s) { return s.step == 0 && s.tensors.empty(); }

/// s's tensor `key` for parameter p, made (filled with init) when missing if `make`; else a
/// missing one is a KeyError (a loaded state without it, as PyTorch's). A parameter whose
/// shape or dtype changed since (p.data replaced, Module.to) raises: the kernel would
/// otherwise read past the state's memory.
inline Tensor state_tensor(const std::string& op, ParamState& s, const char* key, const Tensor& p, bool make,
                           double init = 0) {
  Tensor t = s.get(key);
  if (!t.defined()) {
    if (!make) throw KeyError(detail::cat(op, ".step: the state of a parameter has no '", key, "'"));
    s.set(key, t = state_like(p, init));
    return t;
  }
  EMBER_CHECK(t.sizes() == p.sizes() && t.dtype() == p.dtype(), op, ".step: state '", key, "' is ",
              dtype_name(t.dtype()), " ", shape_str(t.sizes()), " but the parameter is now ", dtype_name(p.dtype()), " ",
              shape_str(p.sizes()), " (make the optimizer after changing the model)");
  // The kernels write every element in turn: a strided or stride-0 view would be written wrongly.
  EMBER_CHECK(t.is_contiguous(), op, ".step: state '", key, "' is not contiguous (was its .data replaced by a view?)");
  return t;
}

/// s's 0-d state `key` (NAdam's mu_product, ASGD's eta and mu): made when missing as a float32
/// scalar holding init, as PyTorch's; a loaded one has the parameter's dtype (PyTorch casts it).
inline Tensor scalar_state(const std::string& op, ParamState& s, const char* key, bool make, double init) {
  Tensor t = s.get(key);
  if (!t.defined()) {
    if (!make) throw KeyError(detail::cat(op, ".step: the state of a parameter has no '", key, "'"));
    s.set(key, t = full({}, init, DType::Float32));
  }
  EMBER_CHECK(t.dim() == 0 && is_floating(t.dtype()), op, ".step: state '", key, "' must be a 0-d floating tensor, got ",
              dtype_name(t.dtype()), " ", shape_str(t.sizes()));
  return t;
}

/// Sets a 0-d state to value (rounded to its dtype).
inline void set_scalar(Tensor& t, double value) { fill_(t, value); }
/// a * b rounded as PyTorch's in-place multiply of a 0-d state holding a rounds it: both factors
/// in float32 for a float32 state.
inline double product_in(const Tensor& t, double a, double b) {
  return t.dtype() == DType::Float32 ? static_cast<double>(static_cast<float>(a) * static_cast<float>(b)) : a * b;
}

/// The parameter and gradient as a kernel takes them. A non-contiguous parameter is stepped in
/// a contiguous copy; commit() writes it back and marks the write for autograd's version
/// checks (a tensor saved for backward must not change unnoticed).
class StepOperands {
 public:
  StepOperands(const std::string& op, const Tensor& p, const Tensor& grad) : p_(p) {
    // The steps run CPU kernels (a CUDA step would dispatch in the job instead).
    EMBER_CHECK_RUNTIME(p.device().is_cpu(), op, ".step: not implemented for ", p.device().str());
    EMBER_CHECK(grad.sizes() == p.sizes(), op, ".step: the gradient has shape ", shape_str(grad.sizes()),
                ", the parameter ", shape_str(p.sizes()));
    work_ = p.is_contiguous() ? p : contiguous(p);
    grad_ = contiguous(to_dtype(grad, p.dtype()));
  }
  const Tensor& param() const { return work_; }
  const Tensor& grad() const { return grad_; }
  void commit() {
    if (work_.is_same(p_)) p_.bump_version();
    else copy_(p_, work_);
  }

 private:
  Tensor p_, work_, grad_;
};

/// The job for one parameter: kernel(param, grad, begin, end) over its elements, then commit.
template <class Kernel>
StepJob step_job(std::shared_ptr<StepOperands> t, Kernel kernel) {
  const int64_t n = t->param().numel();
  return {n, [t, kernel](int64_t begin, int64_t end) { kernel(t->param(), t->grad(), begin, end); },
          [t] { t->commit(); }};
}

}  // namespace ember::optim

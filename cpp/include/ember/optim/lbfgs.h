#pragma once
// L-BFGS, as torch.optim.LBFGS (Nocedal & Wright, Numerical Optimization, 2nd ed.: Alg. 7.4 for
// the two-loop recursion, Alg. 3.5-3.6 for the strong-Wolfe line search with its zoom phase).
// All parameters are seen as one flat vector x with gradient g. Each step(closure) runs up to
// max_iter iterations of
//   y = g - g_prev, s = t * d;  if y.s > 1e-10: push (y, s, ro = 1 / y.s) (the oldest dropped
//                               beyond history_size), H_diag = y.s / y.y
//   d = -H g by the two-loop recursion over the history, H_0 = H_diag * I (d = -g the first time)
//   t = min(1, 1 / |g|_1) * lr on the run's first iteration, lr afterwards
//   x += t * d, t chosen by the strong-Wolfe search (c1 = 1e-4, c2 = 0.9, cubic interpolation)
//   when line_search_fn is "strong_wolfe", else fixed
// and stops early on |g|_inf <= tolerance_grad, |t d|_inf or |loss change| below
// tolerance_change, or max_eval closure evaluations. The closure re-evaluates the loss and the
// gradients, so LBFGS has no step() without one. The state is global (one history for the flat
// vector); PyTorch's state_dict files it under the first parameter.
#include <functional>
#include <optional>
#include <string>

#include "ember/optim/optimizer.h"

namespace ember::optim {

// torch takes any max_iter, max_eval and history_size; values below 1 would end a step at once
// or fail in its second iteration, so they are refused here.
#define EMBER_LBFGS_FIELDS(X)                                                                            \
  X(Arg, double, lr, 1, valid::at_least(0, "Invalid learning rate: "))                                    \
  X(Arg, int64_t, max_iter, 20, valid::at_least(1, "Invalid max_iter value: "))                          \
  /* closure evaluations per step; absent: max_iter * 5 / 4 */                                            \
  X(Arg, std::optional<int64_t>, max_eval, std::nullopt, valid::none_or(valid::at_least(1, "Invalid max_eval value: "))) \
  X(Arg, double, tolerance_grad, 1e-7, valid::any)                                                        \
  X(Arg, double, tolerance_change, 1e-9, valid::any)                                                      \
  X(Arg, int64_t, history_size, 100, valid::at_least(1, "Invalid history_size value: "))                 \
  /* absent (a fixed step of lr) or "strong_wolfe" */                                                     \
  X(Arg, std::optional<std::string>, line_search_fn, std::nullopt,                                        \
    valid::none_or(valid::word("strong_wolfe", "only 'strong_wolfe' is supported")))

struct EMBER_API LBFGSOptions : Options {
  EMBER_OPTIONS(EMBER_LBFGS_FIELDS)
  int64_t max_evals() const { return max_eval ? *max_eval : max_iter * 5 / 4; }
};

/// The optimizer's global state under PyTorch's names (torch keeps these in state[params[0]]).
struct EMBER_API LBFGSState {
  int64_t func_evals = 0, n_iter = 0;  // closure evaluations and iterations over the whole run
  Tensor d;                            // the last direction (undefined before the first iteration)
  double t = 0;                        // the last step length
  std::vector<Tensor> old_dirs, old_stps;  // the history: y and s, oldest first
  std::vector<double> ro;                  // 1 / (y.s) of each pair
  double H_diag = 1;                       // the initial inverse Hessian's scale
  Tensor prev_flat_grad;                   // g at the start of the last iteration
  double prev_loss = 0;
  /// The two-loop recursion's scratch (history_size entries once it has run; kept for the layout).
  std::vector<std::optional<double>> al;
};

class EMBER_API LBFGS : public OptimizerOf<LBFGSOptions> {
 public:
  /// The closure re-evaluates the model: clears and recomputes the gradients, returns the loss.
  using Closure = std::function<double()>;

  LBFGS(const std::vector<Tensor>& params, const LBFGSOptions& options = {});
  /// Up to max_iter L-BFGS iterations; returns the loss of the closure's first evaluation.
  double step(const Closure& closure);
  /// ValueError: LBFGS needs a closure.
  void step() override;
  /// ValueError: one group only (the state is one flat history over all parameters).
  void add_param_group(const std::vector<Tensor>& params, const LBFGSOptions& options);

  const LBFGSState& lbfgs_state() const { return state_; }
  /// Replaces the state (state_dict resumption): vectors are copied, cast to the parameters'
  /// dtype, and must have their total number of elements.
  void set_lbfgs_state(const LBFGSState& state);

 protected:
  StepJob update(const Tensor& p, const Tensor& grad, ParamState& s, const LBFGSOptions& o) override;

 private:
  /// The gradients as one flat vector (a missing gradient counts as zeros).
  Tensor gather_flat_grad() const;
  /// x += step_size * update, parameter by parameter.
  void add_grad(double step_size, const Tensor& update);
  /// Loss and flat gradient at x + t * d; the parameters are put back to x afterwards.
  std::pair<double, Tensor> directional_evaluate(const Closure& closure, const std::vector<Tensor>& x, double t,
                                                 const Tensor& d);
  int64_t numel() const;

  LBFGSState state_;
};

}  // namespace ember::optim

// L-BFGS with PyTorch's formulas (algorithm in ember/optim/lbfgs.h), a line-by-line port of
// torch/optim/lbfgs.py: the same order of operations, so float64 runs agree with torch's to
// rounding. Scalars (t, gtd, ys, ro, H_diag) are doubles; torch keeps some as 0-d tensors of the
// parameters' dtype, which is the same arithmetic in float64 (in float32 torch's line search
// rounds its Armijo test to float32, so near a flat optimum the two can decide differently).
#include "ember/optim/lbfgs.h"

#include <cmath>
#include <utility>

#include "ember/error.h"
#include "ember/ops.h"

namespace ember::optim {

namespace {

// Python's max(a, b) / min(a, b): the first argument unless the second is strictly beyond it
// (which also decides what a NaN gives).
double py_max(double a, double b) { return b > a ? b : a; }
double py_min(double a, double b) { return b < a ? b : a; }

double item(const Tensor& t) { return t.item<double>(); }
double max_abs(const Tensor& t) { return item(amax(abs(t))); }
Tensor times(const Tensor& t, double s) { return mul(t, scalar_tensor(s)); }

/// Minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to the
/// bounds (default: between x1 and x2); their midpoint when the cubic has no minimum.
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                         std::optional<std::pair<double, double>> bounds = {}) {
  const auto [xmin_bound, xmax_bound] = bounds ? *bounds : (x1 <= x2 ? std::pair(x1, x2) : std::pair(x2, x1));
  const double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const double d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= 0) {
    const double d2 = std::sqrt(d2_square);
    const double min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return py_min(py_max(min_pos, xmin_bound), xmax_bound);
  }
  return (xmin_bound + xmax_bound) / 2.0;
}

struct LineSearchResult {
  double f;
  Tensor g;
  double t;
  int64_t func_evals;
};

/// The strong-Wolfe line search along d from x (loss f, gradient g, slope gtd = g.d), starting at
/// step t: bracketing (N&W Alg. 3.5), then zoom (Alg. 3.6), at most max_ls evaluations after the
/// first. obj(t) gives the loss and flat gradient at x + t d.
template <class Objective>
LineSearchResult strong_wolfe(const Objective& obj, double t, const Tensor& d, double f, const Tensor& g, double gtd,
                              int64_t max_ls, double c1 = 1e-4, double c2 = 0.9, double tolerance_change = 1e-9) {
  const double d_norm = max_abs(d);
  auto [f_new, g_new] = obj(t);
  int64_t ls_func_evals = 1;
  double gtd_new = item(dot(g_new, d));

  // Bracket an interval containing a point that satisfies the Wolfe conditions.
  double t_prev = 0, f_prev = f, gtd_prev = gtd;
  Tensor g_prev = g;
  // The bracket: one point (done) or two; bracket_gtd is only read for two.
  double bracket[2] = {0, 0}, bracket_f[2] = {0, 0}, bracket_gtd[2] = {0, 0};
  Tensor bracket_g[2];
  int points = 0;
  bool done = false;
  int64_t ls_iter = 0;
  auto bracket_two = [&] {
    bracket[0] = t_prev, bracket[1] = t;
    bracket_f[0] = f_prev, bracket_f[1] = f_new;
    bracket_g[0] = g_prev, bracket_g[1] = g_new;
    bracket_gtd[0] = gtd_prev, bracket_gtd[1] = gtd_new;
    points = 2;
  };
  while (ls_iter < max_ls) {
    if (f_new > (f + c1 * t * gtd) || (ls_iter > 1 && f_new >= f_prev)) {
      bracket_two();
      break;
    }
    if (std::abs(gtd_new) <= -c2 * gtd) {
      bracket[0] = t, bracket_f[0] = f_new, bracket_g[0] = g_new;
      points = 1;
      done = true;
      break;
    }
    if (gtd_new >= 0) {
      bracket_two();
      break;
    }
    // Extrapolate: the cubic's minimizer, at least 1% beyond t and at most 10 t.
    const double min_step = t + 0.01 * (t - t_prev);
    const double max_step = t * 10;
    const double tmp = t;
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, std::pair(min_step, max_step));
    t_prev = tmp, f_prev = f_new, g_prev = g_new, gtd_prev = gtd_new;
    std::tie(f_new, g_new) = obj(t);
    ++ls_func_evals;
    gtd_new = item(dot(g_new, d));
    ++ls_iter;
  }
  // Out of evaluations: the better of the start and the last point (>=: torch's ==, which leaves
  // the bracket unset for a negative max_ls).
  if (ls_iter >= max_ls) {
    bracket[0] = 0, bracket[1] = t;
    bracket_f[0] = f, bracket_f[1] = f_new;
    bracket_g[0] = g, bracket_g[1] = g_new;
    points = 2;
  }

  // Zoom: shrink the bracket until a point satisfies the conditions.
  bool insuf_progress = false;
  int low_pos = bracket_f[0] <= bracket_f[points - 1] ? 0 : 1, high_pos = 1 - low_pos;
  while (!done && ls_iter < max_ls) {
    if (std::abs(bracket[1] - bracket[0]) * d_norm < tolerance_change) break;  // the bracket is too small
    t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]);
    // A point within 10% of the bracket's ends makes little progress: the second time in a row,
    // or when it lies on an end, move it 10% inside.
    const double b_max = py_max(bracket[0], bracket[1]), b_min = py_min(bracket[0], bracket[1]);
    const double eps = 0.1 * (b_max - b_min);
    if (py_min(b_max - t, t - b_min) < eps) {
      if (insuf_progress || t >= b_max || t <= b_min) {
        t = std::abs(t - b_max) < std::abs(t - b_min) ? b_max - eps : b_min + eps;
        insuf_progress = false;
      } else {
        insuf_progress = true;
      }
    } else {
      insuf_progress = false;
    }
    std::tie(f_new, g_new) = obj(t);
    ++ls_func_evals;
    gtd_new = item(dot(g_new, d));
    ++ls_iter;

    if (f_new > (f + c1 * t * gtd) || f_new >= bracket_f[low_pos]) {
      // Armijo condition not met, or no lower than the low end: the new high end.
      bracket[high_pos] = t, bracket_f[high_pos] = f_new, bracket_g[high_pos] = g_new, bracket_gtd[high_pos] = gtd_new;
      low_pos = bracket_f[0] <= bracket_f[1] ? 0 : 1, high_pos = 1 - low_pos;
    } else {
      if (std::abs(gtd_new) <= -c2 * gtd) {
        done = true;  // the Wolfe conditions hold
      } else if (gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0) {
        // The old high end becomes the low one.
        bracket[high_pos] = bracket[low_pos], bracket_f[high_pos] = bracket_f[low_pos];
        bracket_g[high_pos] = bracket_g[low_pos], bracket_gtd[high_pos] = bracket_gtd[low_pos];
      }
      // The new point becomes the low end.
      bracket[low_pos] = t, bracket_f[low_pos] = f_new, bracket_g[low_pos] = g_new, bracket_gtd[low_pos] = gtd_new;
    }
  }
  return {bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals};
}

}  // namespace

LBFGS::LBFGS(const std::vector<Tensor>& params, const LBFGSOptions& options) : OptimizerOf("LBFGS") {
  OptimizerOf::add_param_group(params, options);
}

void LBFGS::add_param_group(const std::vector<Tensor>& params, const LBFGSOptions& options) {
  (void)params, (void)options;
  throw ValueError("LBFGS doesn't support per-parameter options (parameter groups)");
}

void LBFGS::step() {
  throw ValueError("LBFGS.step: a closure is required (a function that clears the gradients, re-evaluates the "
                   "model, calls backward and returns the loss)");
}

StepJob LBFGS::update(const Tensor& p, const Tensor& grad, ParamState& s, const LBFGSOptions& o) {
  (void)p, (void)grad, (void)s, (void)o;
  throw RuntimeError("LBFGS: steps the flat vector of all parameters, not one parameter at a time");
}

int64_t LBFGS::numel() const {
  int64_t n = 0;
  for (const Tensor& p : parameters()) n += p.numel();
  return n;
}

Tensor LBFGS::gather_flat_grad() const {
  std::vector<Tensor> views;
  for (const Tensor& p : parameters()) {
    Tensor g = autograd::grad(p);
    views.push_back(g.defined() ? reshape(g, {-1}) : zeros({p.numel()}, p.dtype(), p.device()));
  }
  return cat(views, 0);
}

void LBFGS::add_grad(double step_size, const Tensor& update) {
  int64_t offset = 0;
  for (Tensor p : parameters()) {
    add_(p, times(reshape(narrow(update, 0, offset, p.numel()), p.sizes()), step_size));
    offset += p.numel();
  }
}

std::pair<double, Tensor> LBFGS::directional_evaluate(const Closure& closure, const std::vector<Tensor>& x, double t,
                                                      const Tensor& d) {
  add_grad(t, d);
  double loss;
  {
    autograd::GradModeGuard grad_mode(true);
    loss = closure();
  }
  Tensor flat_grad = gather_flat_grad();
  for (size_t i = 0; i < x.size(); ++i) {
    Tensor p = parameters()[i];
    copy_(p, x[i]);
  }
  return {loss, flat_grad};
}

double LBFGS::step(const Closure& closure) {
  EMBER_CHECK(num_groups() == 1, "LBFGS doesn't support per-parameter options (parameter groups)");
  EMBER_CHECK_TYPE(static_cast<bool>(closure), "LBFGS.step: a closure is required");
  const LBFGSOptions o = param_groups()[0].options;  // a copy: the closure may change the groups
  o.validate();
  const int64_t max_eval = o.max_evals();
  autograd::NoGradGuard no_grad;
  // The closure computes gradients, so it runs with grad mode on (as torch wraps it).
  auto evaluate = [&closure] {
    autograd::GradModeGuard grad_mode(true);
    return closure();
  };
  LBFGSState& state = state_;

  const double orig_loss = evaluate();
  double loss = orig_loss;
  int64_t current_evals = 1;
  state.func_evals += 1;
  Tensor flat_grad = gather_flat_grad();
  bool opt_cond = max_abs(flat_grad) <= o.tolerance_grad;
  if (opt_cond) return orig_loss;  // already optimal

  Tensor d = state.d, prev_flat_grad = state.prev_flat_grad;
  double t = state.t, H_diag = state.H_diag, prev_loss = state.prev_loss;
  std::vector<Tensor> old_dirs = state.old_dirs, old_stps = state.old_stps;
  std::vector<double> ro = state.ro;

  int64_t n_iter = 0;
  while (n_iter < o.max_iter) {
    ++n_iter;
    ++state.n_iter;

    // The descent direction.
    if (state.n_iter == 1) {
      d = neg(flat_grad);
      old_dirs.clear(), old_stps.clear(), ro.clear();
      H_diag = 1;
    } else {
      // Update the history with the last step's pair (skipped unless the curvature y.s is positive).
      Tensor y = sub(flat_grad, prev_flat_grad);
      Tensor s = times(d, t);
      const double ys = item(dot(y, s));
      if (ys > 1e-10) {
        if (static_cast<int64_t>(old_dirs.size()) == o.history_size) {
          old_dirs.erase(old_dirs.begin()), old_stps.erase(old_stps.begin()), ro.erase(ro.begin());
        }
        old_dirs.push_back(y), old_stps.push_back(s), ro.push_back(1.0 / ys);
        H_diag = ys / item(dot(y, y));
      }
      // d = -H g by the two-loop recursion (N&W Alg. 7.4), one buffer for q and r.
      const size_t num_old = old_dirs.size();
      if (state.al.empty()) state.al.assign(static_cast<size_t>(o.history_size), std::nullopt);
      if (state.al.size() < num_old) state.al.resize(num_old);  // history_size raised between steps
      std::vector<std::optional<double>>& al = state.al;
      Tensor q = neg(flat_grad);
      for (size_t k = num_old; k-- > 0;) {
        al[k] = item(dot(old_stps[k], q)) * ro[k];
        add_(q, times(old_dirs[k], -*al[k]));
      }
      d = times(q, H_diag);
      for (size_t k = 0; k < num_old; ++k) {
        const double be_i = item(dot(old_dirs[k], d)) * ro[k];
        add_(d, times(old_stps[k], *al[k] - be_i));
      }
    }
    if (!prev_flat_grad.defined()) {
      prev_flat_grad = clone(flat_grad);
    } else {
      copy_(prev_flat_grad, flat_grad);
    }
    prev_loss = loss;

    // The step length: scaled down by |g|_1 on the run's very first iteration.
    t = state.n_iter == 1 ? py_min(1.0, 1.0 / item(sum(abs(flat_grad)))) * o.lr : o.lr;
    const double gtd = item(dot(flat_grad, d));  // the directional derivative
    if (gtd > -o.tolerance_change) break;

    int64_t ls_func_evals = 0;
    if (o.line_search_fn) {
      std::vector<Tensor> x_init;
      for (const Tensor& p : parameters()) x_init.push_back(clone(p));
      auto obj = [&](double step) { return directional_evaluate(closure, x_init, step, d); };
      // torch passes no tolerance_change here: the search uses its default 1e-9.
      LineSearchResult r = strong_wolfe(obj, t, d, loss, flat_grad, gtd, max_eval - current_evals);
      loss = r.f, flat_grad = r.g, t = r.t, ls_func_evals = r.func_evals;
      add_grad(t, d);
      opt_cond = max_abs(flat_grad) <= o.tolerance_grad;
    } else {
      add_grad(t, d);
      // The last iteration's loss is not evaluated (in a stochastic setting it would be wasted).
      if (n_iter != o.max_iter) {
        loss = evaluate();
        flat_grad = gather_flat_grad();
        opt_cond = max_abs(flat_grad) <= o.tolerance_grad;
        ls_func_evals = 1;
      }
    }
    current_evals += ls_func_evals;
    state.func_evals += ls_func_evals;

    if (n_iter == o.max_iter) break;
    if (current_evals >= max_eval) break;
    if (opt_cond) break;
    if (max_abs(times(d, t)) <= o.tolerance_change) break;  // no progress in x
    if (std::abs(loss - prev_loss) < o.tolerance_change) break;  // no progress in the loss
  }

  state.d = d, state.t = t;
  state.old_dirs = std::move(old_dirs), state.old_stps = std::move(old_stps), state.ro = std::move(ro);
  state.H_diag = H_diag, state.prev_flat_grad = prev_flat_grad, state.prev_loss = prev_loss;
  return orig_loss;
}

void LBFGS::set_lbfgs_state(const LBFGSState& state) {
  const char* op = "LBFGS.load_state_dict";
  EMBER_CHECK(state.func_evals >= 0 && state.n_iter >= 0, op, ": func_evals and n_iter must be non-negative, got ",
              state.func_evals, " and ", state.n_iter);
  EMBER_CHECK(state.old_dirs.size() == state.old_stps.size() && state.old_dirs.size() == state.ro.size(), op,
              ": old_dirs, old_stps and ro must have the same length, got ", state.old_dirs.size(), ", ",
              state.old_stps.size(), " and ", state.ro.size());
  // The next step continues from d and prev_flat_grad once an iteration has run.
  EMBER_CHECK(state.n_iter == 0 || (state.d.defined() && state.prev_flat_grad.defined()), op, ": n_iter is ",
              state.n_iter, " but 'd' or 'prev_flat_grad' is missing");
  const Tensor& first = parameters().front();
  const int64_t n = numel();
  autograd::NoGradGuard no_grad;
  // As torch, the vectors take the first parameter's dtype (the state is filed under it).
  auto own = [&](const Tensor& v, const std::string& name) {
    if (!v.defined()) return Tensor();
    EMBER_CHECK(v.numel() == n, op, ": state '", name, "' has ", v.numel(), " elements, the parameters ", n);
    return contiguous(to_dtype(reshape(v, {-1}), first.dtype(), /*copy=*/true));
  };
  LBFGSState s = state;
  s.d = own(state.d, "d");
  s.prev_flat_grad = own(state.prev_flat_grad, "prev_flat_grad");
  for (size_t k = 0; k < s.old_dirs.size(); ++k) {
    s.old_dirs[k] = own(state.old_dirs[k], "old_dirs");
    s.old_stps[k] = own(state.old_stps[k], "old_stps");
    EMBER_CHECK_TYPE(s.old_dirs[k].defined() && s.old_stps[k].defined(), op, ": old_dirs[", k, "] or old_stps[", k,
                     "] is not a tensor");
  }
  state_ = std::move(s);
}

}  // namespace ember::optim

#pragma once
// The base of ember's optimizers, as torch.optim.Optimizer: parameter groups, each with its own
// options, and per-parameter state under PyTorch's names ("exp_avg", "momentum_buffer").
// Parameters are numbered in group order, as PyTorch's state_dict numbers them.
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/options.h"
#include "ember/serialize.h"
#include "ember/tensor.h"

namespace ember::optim {

/// Why capturable=True and differentiable=True are refused (the steps are fused C++ loops).
inline constexpr const char* kNotCapturable = "capturable=True (CUDA graphs) is not supported by ember's optimizers";
inline constexpr const char* kNotDifferentiable =
    "differentiable=True (autograd through the step) is not supported by ember's optimizers";

/// One parameter's state: the steps taken and the named tensors an optimizer keeps for it.
struct EMBER_API ParamState {
  int64_t step = 0;
  NamedTensors tensors;
  /// The tensor called name (undefined when there is none yet).
  Tensor get(const std::string& name) const;
  void set(const std::string& name, Tensor value);
};

/// One parameter's prepared update: run(begin, end) steps its elements [begin, end) (called
/// from worker threads, so it never throws), finish() afterwards (writes back, marks the change).
struct StepJob {
  int64_t numel = 0;
  std::function<void(int64_t begin, int64_t end)> run;
  std::function<void()> finish;
};

class EMBER_API Optimizer {
 public:
  explicit Optimizer(std::string name) : name_(std::move(name)) {}
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;
  /// "Adam": how errors name the optimizer.
  const std::string& name() const { return name_; }
  /// One update of every parameter that has a gradient (the others are skipped).
  virtual void step() = 0;
  /// Drops (set_to_none) or zeroes every parameter's gradient.
  void zero_grad(bool set_to_none = true);
  /// Every parameter, group by group; state()[i] belongs to parameters()[i].
  const std::vector<Tensor>& parameters() const { return params_; }
  std::vector<ParamState>& state() { return state_; }
  /// What schedules set (apply_schedule): the groups' rates and momentum (the Adam family's beta1).
  virtual size_t num_groups() const = 0;
  virtual double lr(size_t group) const = 0;
  virtual void set_lr(size_t group, double lr) = 0;
  /// false where the optimizer has no momentum (Adagrad).
  virtual bool set_momentum(size_t group, double momentum) = 0;
  /// Replaces parameter i's state (state_dict resumption): tensors are copied, cast to the
  /// parameter's dtype, and must have its shape.
  void set_state(size_t i, const ParamState& state);

 protected:
  /// Appends params as a new group's (ValueError for an empty list, a parameter that is
  /// already in a group, or one that is not a floating-point leaf).
  void add_params(const std::vector<Tensor>& params);

  /// Parameter i's state before its first step (Adagrad's accumulator starts filled).
  virtual void init_state(size_t i, ParamState& s) { (void)i, (void)s; }
  /// Whether state `key` is a 0-d tensor (NAdam's mu_product) rather than one shaped like the parameter.
  virtual bool is_scalar_state(const std::string& key) const { return (void)key, false; }
  /// Runs the jobs as one range of elements split across threads (many small parameters wake
  /// the threads once, not once each), then finishes them.
  static void run_jobs(std::vector<StepJob>& jobs);

 private:
  std::string name_;
  std::vector<Tensor> params_;
  std::vector<ParamState> state_;
};

template <class O, class = void>
struct HasMomentum : std::false_type {};
template <class O>
struct HasMomentum<O, std::void_t<decltype(std::declval<O&>().momentum)>> : std::true_type {};
template <class O, class = void>
struct HasBetas : std::false_type {};
template <class O>
struct HasBetas<O, std::void_t<decltype(std::declval<O&>().betas)>> : std::true_type {};

/// An optimizer whose groups carry Options; update runs one parameter's fused step.
template <class Options>
class OptimizerOf : public Optimizer {
 public:
  struct Group {
    std::vector<Tensor> params;
    Options options;
  };
  std::vector<Group>& param_groups() { return groups_; }
  /// Adds a group (options validated as the constructor does).
  void add_param_group(const std::vector<Tensor>& params, const Options& options) {
    options.validate();
    const size_t first = parameters().size();
    add_params(params);
    groups_.push_back({params, options});
    for (size_t i = first; i < parameters().size(); ++i) init_state(i, state()[i]);
  }
  /// The options of the group parameter i belongs to.
  const Options& options_of(size_t i) const {
    for (const Group& g : groups_) {
      if (i < g.params.size()) return g.options;
      i -= g.params.size();
    }
    throw IndexError(detail::cat(name(), ": parameter index out of range"));
  }
  size_t num_groups() const override { return groups_.size(); }
  double lr(size_t group) const override { return groups_.at(group).options.lr; }
  void set_lr(size_t group, double lr) override { groups_.at(group).options.lr = lr; }
  bool set_momentum(size_t group, double momentum) override {
    Options& o = groups_.at(group).options;
    if constexpr (HasBetas<Options>::value) {
      o.betas.first = momentum;
      return true;
    } else if constexpr (HasMomentum<Options>::value) {
      o.momentum = momentum;
      return true;
    }
    return false;
  }
  void step() override {
    autograd::NoGradGuard no_grad;
    std::vector<StepJob> jobs;
    size_t i = 0;
    for (Group& group : groups_) {
      for (const Tensor& p : group.params) {
        ParamState& s = state()[i++];
        Tensor g = autograd::grad(p);
        if (g.defined()) jobs.push_back(update(p, g, s, group.options));
      }
    }
    run_jobs(jobs);
  }

 protected:
  /// Concrete optimizers add their first group in their constructor's body, where
  /// init_state already reaches their own override.
  using Optimizer::Optimizer;
  /// One parameter's step, prepared: its checks made, its state created and s.step advanced;
  /// the job then updates p and the state's tensors in place.
  virtual StepJob update(const Tensor& p, const Tensor& grad, ParamState& s, const Options& o) = 0;

 private:
  std::vector<Group> groups_;
};

}  // namespace ember::optim

#pragma once
// Learning-rate schedules, as torch.optim.lr_scheduler. A schedule is a function of the epoch
// (and of its own state, for the few that depend on what happened: MultiplicativeLR,
// CosineAnnealingWarmRestarts, ReduceLROnPlateau) that maps each group's base rate to its
// rate: closed forms where one exists, so a resumed run gets the very same rates. Schedules
// compose: ChainedScheduler feeds each one's rate to the next as its base, SequentialLR hands
// over at milestones, and ReduceLROnPlateau takes part in both (PyTorch's cannot).
//
// Each schedule's arguments are the rows of its options struct (ember/options.h), in the order
// of PyTorch's signature. The optimizer and last_epoch have no row (Python's LRScheduler takes
// them); nor do the four schedules below whose arguments are only functions or schedules.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ember/export.h"
#include "ember/options.h"

namespace ember::optim {

class Optimizer;

class EMBER_API LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  /// The epoch the rates are for; 0 once made (the rate is the schedule's start).
  int64_t last_epoch() const { return last_epoch_; }
  /// One epoch on. metric: what ReduceLROnPlateau watches (the others ignore it); bases: the
  /// groups' base rates at this epoch, which ReduceLROnPlateau's cuts are weighed against.
  virtual void advance(std::optional<double> metric = std::nullopt, const std::vector<double>& bases = {});
  /// Group `group`'s rate at last_epoch(), given its base rate.
  virtual double rate(size_t group, double base) const = 0;
  /// Group `group`'s momentum (or Adam's beta1) at last_epoch(), where the schedule cycles it.
  virtual std::optional<double> momentum(size_t /*group*/) const { return std::nullopt; }
  /// Back to epoch 0 (SequentialLR starting this schedule at its milestone).
  virtual void restart();
  /// Whether advance needs the metric (ReduceLROnPlateau, or a composite holding one).
  virtual bool needs_metric() const { return false; }
  /// State beyond last_epoch, as numbers, for state_dict (and its inverse).
  virtual std::vector<double> extra_state() const { return {}; }
  virtual void load_extra_state(const std::vector<double>& state);
  void set_last_epoch(int64_t epoch) { last_epoch_ = epoch; }

 protected:
  /// last_epoch + 1 (ValueError at int64's end).
  void next_epoch();
  int64_t last_epoch_ = 0;
};

// torch takes step_size, T_max and total_iters below 1 and fails at a step (ZeroDivisionError)
// or gives rates past the schedule's end; they are refused here.
// StepLR's step_size may be a float, as torch's (its language-model tutorial passes 1.0).
#define EMBER_STEP_LR_FIELDS(X)                                                                         \
  X(Required, Given<double>, step_size, 0, valid::positive_real("StepLR: step_size must be a positive int or float, got ")) \
  X(Arg, double, gamma, 0.1, valid::any)
struct EMBER_API StepLROptions : Options {
  EMBER_OPTIONS(EMBER_STEP_LR_FIELDS)
};

/// base * gamma^d, d the number of epochs 1..epoch that are multiples of step_size: epoch //
/// step_size for a whole step_size (torch's recursive form decays where epoch % step_size == 0).
class EMBER_API StepLR : public LRScheduler {
 public:
  explicit StepLR(const StepLROptions& options);
  double rate(size_t group, double base) const override;
  const StepLROptions options;
};

#define EMBER_MULTI_STEP_LR_FIELDS(X)                               \
  X(Required, std::vector<int64_t>, milestones, {}, valid::any)     \
  X(Arg, double, gamma, 0.1, valid::any)
struct EMBER_API MultiStepLROptions : Options {
  EMBER_OPTIONS(EMBER_MULTI_STEP_LR_FIELDS)
};

/// base * gamma^(number of milestones <= epoch; a repeated milestone counts each time).
class EMBER_API MultiStepLR : public LRScheduler {
 public:
  explicit MultiStepLR(const MultiStepLROptions& options);
  double rate(size_t group, double base) const override;
  const MultiStepLROptions options;

 private:
  std::vector<int64_t> sorted_milestones_;
};

#define EMBER_CONSTANT_LR_FIELDS(X)                                                                   \
  X(Arg, double, factor, 1.0 / 3,                                                                      \
    valid::that([](double f) { return 0 <= f && f <= 1; },                                             \
                "Constant multiplicative factor expected to be between 0 and 1."))                     \
  X(Arg, int64_t, total_iters, 5, valid::any)
struct EMBER_API ConstantLROptions : Options {
  EMBER_OPTIONS(EMBER_CONSTANT_LR_FIELDS)
};

/// base * factor until total_iters, then base.
class EMBER_API ConstantLR : public LRScheduler {
 public:
  explicit ConstantLR(const ConstantLROptions& options = {});
  double rate(size_t group, double base) const override;
  const ConstantLROptions options;
};

#define EMBER_LINEAR_LR_FIELDS(X)                                                                          \
  X(Arg, double, start_factor, 1.0 / 3,                                                                     \
    valid::that([](double f) { return 0 < f && f <= 1; },                                                   \
                "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."))     \
  X(Arg, double, end_factor, 1.0,                                                                           \
    valid::that([](double f) { return 0 <= f && f <= 1; },                                                  \
                "Ending multiplicative factor expected to be between 0 and 1."))                            \
  X(Arg, int64_t, total_iters, 5, valid::at_least(1, "LinearLR: total_iters must be positive, got "))
struct EMBER_API LinearLROptions : Options {
  EMBER_OPTIONS(EMBER_LINEAR_LR_FIELDS)
};

/// base * (start + (end - start) * min(epoch, total_iters) / total_iters).
class EMBER_API LinearLR : public LRScheduler {
 public:
  explicit LinearLR(const LinearLROptions& options = {});
  double rate(size_t group, double base) const override;
  const LinearLROptions options;
};

#define EMBER_EXPONENTIAL_LR_FIELDS(X) X(Required, double, gamma, 1.0, valid::any)
struct EMBER_API ExponentialLROptions : Options {
  EMBER_OPTIONS(EMBER_EXPONENTIAL_LR_FIELDS)
};

/// base * gamma^epoch.
class EMBER_API ExponentialLR : public LRScheduler {
 public:
  explicit ExponentialLR(const ExponentialLROptions& options);
  double rate(size_t group, double base) const override;
  const ExponentialLROptions options;
};

#define EMBER_POLYNOMIAL_LR_FIELDS(X)                                                                   \
  X(Arg, int64_t, total_iters, 5, valid::at_least(1, "PolynomialLR: total_iters must be positive, got ")) \
  X(Arg, double, power, 1.0, valid::any)
struct EMBER_API PolynomialLROptions : Options {
  EMBER_OPTIONS(EMBER_POLYNOMIAL_LR_FIELDS)
};

/// base * (1 - min(epoch, total_iters) / total_iters)^power.
class EMBER_API PolynomialLR : public LRScheduler {
 public:
  explicit PolynomialLR(const PolynomialLROptions& options = {});
  double rate(size_t group, double base) const override;
  const PolynomialLROptions options;
};

#define EMBER_COSINE_ANNEALING_LR_FIELDS(X)                                                          \
  X(Required, int64_t, T_max, 0, valid::at_least(1, "CosineAnnealingLR: T_max must be positive, got ")) \
  X(Arg, double, eta_min, 0.0, valid::any)
struct EMBER_API CosineAnnealingLROptions : Options {
  EMBER_OPTIONS(EMBER_COSINE_ANNEALING_LR_FIELDS)
};

/// eta_min + (base - eta_min) (1 + cos(pi epoch / T_max)) / 2 (periodic past T_max, as PyTorch's).
class EMBER_API CosineAnnealingLR : public LRScheduler {
 public:
  explicit CosineAnnealingLR(const CosineAnnealingLROptions& options);
  double rate(size_t group, double base) const override;
  const CosineAnnealingLROptions options;
};

#define EMBER_COSINE_ANNEALING_WARM_RESTARTS_FIELDS(X)                                                  \
  X(Required, Given<int64_t>, T_0, 0, valid::int_at_least(1, "Expected positive integer T_0, but got "))  \
  X(Arg, Given<int64_t>, T_mult, 1, valid::int_at_least(1, "Expected integer T_mult >= 1, but got "))    \
  X(Arg, Given<double>, eta_min, 0.0, valid::float_or_int("Expected float or int eta_min, but got "))
struct EMBER_API CosineAnnealingWarmRestartsOptions : Options {
  EMBER_OPTIONS(EMBER_COSINE_ANNEALING_WARM_RESTARTS_FIELDS)
};

/// Cosine annealing restarted every T_i epochs, T_i growing by T_mult at each restart
/// (T_cur and T_i counted in integers, as PyTorch's step() does).
class EMBER_API CosineAnnealingWarmRestarts : public LRScheduler {
 public:
  explicit CosineAnnealingWarmRestarts(const CosineAnnealingWarmRestartsOptions& options);
  void advance(std::optional<double> metric = std::nullopt, const std::vector<double>& bases = {}) override;
  void restart() override;
  double rate(size_t group, double base) const override;
  std::vector<double> extra_state() const override;
  void load_extra_state(const std::vector<double>& state) override;
  const CosineAnnealingWarmRestartsOptions options;
  int64_t T_i, T_cur = 0;
};

using EpochFunction = std::function<double(int64_t epoch)>;

/// lr_lambda: one function of the epoch for every parameter group, or a list of one per group.
#define EMBER_LAMBDA_LR_FIELDS(X) X(Required, std::vector<EpochFunction>, lr_lambda, {}, valid::any)
struct EMBER_API LambdaLROptions : Options {
  EMBER_OPTIONS(EMBER_LAMBDA_LR_FIELDS)
};
using MultiplicativeLROptions = LambdaLROptions;

/// base * lambda(epoch), one lambda for all groups or one per group.
class EMBER_API LambdaLR : public LRScheduler {
 public:
  LambdaLR(const LambdaLROptions& options, size_t groups);
  double rate(size_t group, double base) const override;
  std::vector<EpochFunction> lambdas;  // one per group

 private:
  size_t lambda_of(size_t group) const;
};

/// base * lambda(1) * ... * lambda(epoch): the products are kept as the epochs go.
class EMBER_API MultiplicativeLR : public LRScheduler {
 public:
  MultiplicativeLR(const MultiplicativeLROptions& options, size_t groups);
  void advance(std::optional<double> metric = std::nullopt, const std::vector<double>& bases = {}) override;
  void restart() override;
  double rate(size_t group, double base) const override;
  std::vector<double> extra_state() const override { return products_; }
  void load_extra_state(const std::vector<double>& state) override;
  std::vector<EpochFunction> lambdas;

 private:
  size_t lambda_of(size_t group) const;
  std::vector<double> products_;  // per lambda
};

#define EMBER_ONE_CYCLE_LR_FIELDS(X)                                                                      \
  X(Required, PerGroup, max_lr, 0.0, valid::any)                                                          \
  /* the cycle's length: total_steps, or epochs * steps_per_epoch (checked only without total_steps, */ \
  /* as PyTorch does: cross_checks) */                                                                    \
  X(Arg, std::optional<Given<int64_t>>, total_steps, std::nullopt,                                        \
    valid::none_or(valid::int_at_least(1, "Expected positive integer total_steps, but got ")))            \
  X(Arg, std::optional<Given<int64_t>>, epochs, std::nullopt, valid::any)                                 \
  X(Arg, std::optional<Given<int64_t>>, steps_per_epoch, std::nullopt, valid::any)                        \
  X(Arg, Given<double>, pct_start, 0.3,                                                                   \
    valid::float_between(0, 1, "Expected float between 0 and 1 pct_start, but got "))                     \
  X(Arg, std::string, anneal_strategy, "cos",                                                             \
    valid::one_of({"cos", "linear"}, "anneal_strategy must be one of 'cos' or 'linear', instead got ", "")) \
  X(Arg, bool, cycle_momentum, true, valid::any)                                                          \
  X(Arg, PerGroup, base_momentum, 0.85, valid::any)                                                       \
  X(Arg, PerGroup, max_momentum, 0.95, valid::any)                                                        \
  X(Arg, double, div_factor, 25.0, valid::any)                                                            \
  X(Arg, double, final_div_factor, 1e4, valid::any)                                                       \
  X(Arg, bool, three_phase, false, valid::any)
struct EMBER_API OneCycleLROptions : Options {
  EMBER_OPTIONS(EMBER_ONE_CYCLE_LR_FIELDS)
  /// A cycle needs a length: total_steps, or else both epochs and steps_per_epoch, positive.
  void cross_checks() const;
  /// total_steps, or epochs * steps_per_epoch.
  int64_t steps() const;
};

/// The 1cycle policy: the rate rises from max_lr / div_factor to max_lr over pct_start of
/// total_steps, then falls to max_lr / (div_factor * final_div_factor) (three_phase: back to
/// the start first); the momentum moves the opposite way. Bases are ignored (the rates come
/// from max_lr). Stepping past total_steps raises ValueError.
class EMBER_API OneCycleLR : public LRScheduler {
 public:
  /// groups: how many parameter groups the per-group values are for.
  OneCycleLR(const OneCycleLROptions& options, size_t groups);
  void advance(std::optional<double> metric = std::nullopt, const std::vector<double>& bases = {}) override;
  double rate(size_t group, double base) const override;
  std::optional<double> momentum(size_t group) const override;
  int64_t total_steps;

 private:
  struct Phase {
    double end_step;
    int start_lr, end_lr, start_momentum, end_momentum;  // 0 initial, 1 max, 2 min: which value of the group
  };
  double anneal(double start, double end, double pct) const;
  /// (which phase, fraction of it) at last_epoch.
  std::pair<const Phase*, double> where() const;
  double lr_value(size_t group, int which) const;
  const OneCycleLROptions options_;
  bool cos_;
  std::vector<Phase> phases_;
};

// scale_fn is a row, unlike the other functions a schedule takes: C++ calls it (a lambda from C++,
// a Python callable from Python), and it sits between gamma and scale_mode in PyTorch's signature.
#define EMBER_CYCLIC_LR_FIELDS(X)                                                                        \
  X(Required, PerGroup, base_lr, 0.0, valid::any)                                                       \
  X(Required, PerGroup, max_lr, 0.0, valid::any)                                                        \
  X(Arg, Given<double>, step_size_up, 2000, valid::positive_number("CyclicLR: step sizes must be positive, got ")) \
  /* absent: step_size_up */                                                                            \
  X(Arg, std::optional<Given<double>>, step_size_down, std::nullopt,                                    \
    valid::none_or(valid::positive_number("CyclicLR: step sizes must be positive, got ")))              \
  /* triangular, triangular2 or exp_range; ignored when scale_fn is given */                            \
  X(Arg, std::string, mode, "triangular", valid::any)                                                   \
  X(Arg, double, gamma, 1.0, valid::any)                                                                \
  X(Arg, EpochFunction, scale_fn, nullptr, valid::any)                                                  \
  /* whether scale_fn takes the cycle or the epoch: cycle or iterations */                              \
  X(Arg, std::string, scale_mode, "cycle", valid::any)                                                  \
  X(Arg, bool, cycle_momentum, true, valid::any)                                                        \
  X(Arg, PerGroup, base_momentum, 0.8, valid::any)                                                      \
  X(Arg, PerGroup, max_momentum, 0.9, valid::any)
struct EMBER_API CyclicLROptions : Options {
  EMBER_OPTIONS(EMBER_CYCLIC_LR_FIELDS)
  /// mode is checked without a scale_fn, scale_mode with one.
  void cross_checks() const;
};

/// Cyclical rates between base_lr and max_lr: up in step_size_up epochs, down in
/// step_size_down; mode triangular, triangular2 (amplitude halved each cycle) or exp_range
/// (scaled by gamma^epoch), or a scale_fn of the cycle or the epoch. Bases are ignored.
class EMBER_API CyclicLR : public LRScheduler {
 public:
  /// groups: how many parameter groups the per-group values are for.
  CyclicLR(const CyclicLROptions& options, size_t groups);
  double rate(size_t group, double base) const override;
  std::optional<double> momentum(size_t group) const override;

 private:
  /// (scale factor within the cycle, scale_fn's value) at last_epoch.
  std::pair<double, double> position() const;
  const CyclicLROptions options_;
  double total_size_, step_ratio_;
  bool by_cycle_;
};

#define EMBER_REDUCE_LR_ON_PLATEAU_FIELDS(X)                                                        \
  X(Arg, std::string, mode, "min", valid::one_of({"min", "max"}, "mode ", " is unknown!"))             \
  X(Arg, double, factor, 0.1, valid::that([](double f) { return f < 1.0; }, "Factor should be < 1.0.")) \
  X(Arg, EpochCount, patience, 10, valid::any)                                                        \
  X(Arg, double, threshold, 1e-4, valid::any)                                                         \
  X(Arg, std::string, threshold_mode, "rel", valid::one_of({"rel", "abs"}, "threshold mode ", " is unknown!")) \
  X(Arg, EpochCount, cooldown, 0, valid::any)                                                         \
  X(Arg, PerGroup, min_lr, 0, valid::any)                                                             \
  X(Arg, double, eps, 1e-8, valid::any)
struct EMBER_API ReduceLROnPlateauOptions : Options {
  EMBER_OPTIONS(EMBER_REDUCE_LR_ON_PLATEAU_FIELDS)
};

/// Cuts the rate by `factor` when the metric has not improved for `patience` epochs, waiting
/// `cooldown` epochs after a cut, never below min_lr; a cut smaller than eps is skipped. As a
/// part of a composite, its cuts scale the rate the schedules before it give.
class EMBER_API ReduceLROnPlateau : public LRScheduler {
 public:
  ReduceLROnPlateau(const ReduceLROnPlateauOptions& options, size_t groups);
  void advance(std::optional<double> metric = std::nullopt, const std::vector<double>& bases = {}) override;
  void restart() override;
  double rate(size_t group, double base) const override;
  bool needs_metric() const override { return true; }
  std::vector<double> extra_state() const override;
  void load_extra_state(const std::vector<double>& state) override;
  double best;
  int64_t num_bad_epochs = 0, cooldown_counter = 0;

 private:
  bool is_better(double a) const;
  const ReduceLROnPlateauOptions options_;
  std::vector<double> scales_;
  std::vector<int64_t> cuts_;
};

using SchedulerPtr = std::shared_ptr<LRScheduler>;

/// The schedules a composite runs (Python hands over the C++ schedules of its schedule objects).
#define EMBER_CHAINED_SCHEDULER_FIELDS(X) X(Required, std::vector<SchedulerPtr>, schedulers, {}, valid::any)
struct EMBER_API ChainedSchedulerOptions : Options {
  EMBER_OPTIONS(EMBER_CHAINED_SCHEDULER_FIELDS)
};

/// Each schedule's rate is the next one's base; every one advances each epoch.
class EMBER_API ChainedScheduler : public LRScheduler {
 public:
  explicit ChainedScheduler(const ChainedSchedulerOptions& options);
  void advance(std::optional<double> metric = std::nullopt, const std::vector<double>& bases = {}) override;
  void restart() override;
  double rate(size_t group, double base) const override;
  std::optional<double> momentum(size_t group) const override;
  bool needs_metric() const override;
  std::vector<SchedulerPtr> schedulers;
};

#define EMBER_SEQUENTIAL_LR_FIELDS(X)                                    \
  X(Required, std::vector<SchedulerPtr>, schedulers, {}, valid::any)     \
  X(Required, std::vector<int64_t>, milestones, {}, valid::any)
struct EMBER_API SequentialLROptions : Options {
  EMBER_OPTIONS(EMBER_SEQUENTIAL_LR_FIELDS)
};

/// schedulers[k] runs from milestones[k - 1] on, restarted at epoch 0 there (PyTorch's).
class EMBER_API SequentialLR : public LRScheduler {
 public:
  explicit SequentialLR(const SequentialLROptions& options);
  void advance(std::optional<double> metric = std::nullopt, const std::vector<double>& bases = {}) override;
  void restart() override;
  double rate(size_t group, double base) const override;
  std::optional<double> momentum(size_t group) const override;
  bool needs_metric() const override;
  std::vector<SchedulerPtr> schedulers;
  std::vector<int64_t> milestones;

 private:
  size_t active_index() const;
};

/// Sets each group's rate (and momentum, where the schedule sets one) of a C++ optimizer from
/// the schedule, given the groups' base rates.
EMBER_API void apply_schedule(const LRScheduler& schedule, Optimizer& optimizer, const std::vector<double>& base_lrs);

}  // namespace ember::optim

#pragma once
// Learning-rate schedules, as torch.optim.lr_scheduler. A schedule is a function of the epoch
// (and of its own state, for the few that depend on what happened: MultiplicativeLR,
// CosineAnnealingWarmRestarts, ReduceLROnPlateau) that maps each group's base rate to its
// rate: closed forms where one exists, so a resumed run gets the very same rates. Schedules
// compose: ChainedScheduler feeds each one's rate to the next as its base, SequentialLR hands
// over at milestones, and ReduceLROnPlateau takes part in both (PyTorch's cannot).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ember/export.h"

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
  virtual std::optional<double> momentum(size_t group) const { return std::nullopt; }
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

/// base * gamma^(epoch // step_size).
class EMBER_API StepLR : public LRScheduler {
 public:
  StepLR(int64_t step_size, double gamma = 0.1);
  double rate(size_t group, double base) const override;
  int64_t step_size;
  double gamma;
};

/// base * gamma^(number of milestones <= epoch; a repeated milestone counts each time).
class EMBER_API MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(std::vector<int64_t> milestones, double gamma = 0.1);
  double rate(size_t group, double base) const override;
  std::vector<int64_t> milestones;  // sorted
  double gamma;
};

/// base * factor until total_iters, then base.
class EMBER_API ConstantLR : public LRScheduler {
 public:
  ConstantLR(double factor = 1.0 / 3, int64_t total_iters = 5);
  double rate(size_t group, double base) const override;
  double factor;
  int64_t total_iters;
};

/// base * (start + (end - start) * min(epoch, total_iters) / total_iters).
class EMBER_API LinearLR : public LRScheduler {
 public:
  LinearLR(double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5);
  double rate(size_t group, double base) const override;
  double start_factor, end_factor;
  int64_t total_iters;
};

/// base * gamma^epoch.
class EMBER_API ExponentialLR : public LRScheduler {
 public:
  explicit ExponentialLR(double gamma);
  double rate(size_t group, double base) const override;
  double gamma;
};

/// base * (1 - min(epoch, total_iters) / total_iters)^power.
class EMBER_API PolynomialLR : public LRScheduler {
 public:
  PolynomialLR(int64_t total_iters = 5, double power = 1.0);
  double rate(size_t group, double base) const override;
  int64_t total_iters;
  double power;
};

/// eta_min + (base - eta_min) (1 + cos(pi epoch / T_max)) / 2 (periodic past T_max, as PyTorch's).
class EMBER_API CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(int64_t T_max, double eta_min = 0);
  double rate(size_t group, double base) const override;
  int64_t T_max;
  double eta_min;
};

/// Cosine annealing restarted every T_i epochs, T_i growing by T_mult at each restart
/// (T_cur and T_i counted in integers, as PyTorch's step() does).
class EMBER_API CosineAnnealingWarmRestarts : public LRScheduler {
 public:
  CosineAnnealingWarmRestarts(int64_t T_0, int64_t T_mult = 1, double eta_min = 0);
  void advance(std::optional<double> metric = std::nullopt, const std::vector<double>& bases = {}) override;
  void restart() override;
  double rate(size_t group, double base) const override;
  std::vector<double> extra_state() const override;
  void load_extra_state(const std::vector<double>& state) override;
  int64_t T_0, T_mult;
  double eta_min;
  int64_t T_i, T_cur = 0;
};

using EpochFunction = std::function<double(int64_t epoch)>;

/// base * lambda(epoch), one lambda for all groups or one per group.
class EMBER_API LambdaLR : public LRScheduler {
 public:
  explicit LambdaLR(std::vector<EpochFunction> lambdas);
  double rate(size_t group, double base) const override;
  std::vector<EpochFunction> lambdas;

 private:
  size_t lambda_of(size_t group) const;
};

/// base * lambda(1) * ... * lambda(epoch): the products are kept as the epochs go.
class EMBER_API MultiplicativeLR : public LRScheduler {
 public:
  explicit MultiplicativeLR(std::vector<EpochFunction> lambdas);
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

/// The 1cycle policy: the rate rises from max_lr / div_factor to max_lr over pct_start of
/// total_steps, then falls to max_lr / (div_factor * final_div_factor) (three_phase: back to
/// the start first); the momentum moves the opposite way. Bases are ignored (the rates come
/// from max_lr). Stepping past total_steps raises ValueError.
class EMBER_API OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(std::vector<double> max_lrs, int64_t total_steps, double pct_start = 0.3, bool cos = true,
             bool cycle_momentum = true, std::vector<double> base_momentums = {0.85},
             std::vector<double> max_momentums = {0.95}, double div_factor = 25, double final_div_factor = 1e4,
             bool three_phase = false);
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
  std::vector<double> max_lrs_, base_momentums_, max_momentums_;
  double div_factor_, final_div_factor_;
  bool cos_, cycle_momentum_;
  std::vector<Phase> phases_;
};

/// Cyclical rates between base_lr and max_lr: up in step_size_up epochs, down in
/// step_size_down; mode triangular, triangular2 (amplitude halved each cycle) or exp_range
/// (scaled by gamma^epoch), or a scale_fn of the cycle or the epoch. Bases are ignored.
class EMBER_API CyclicLR : public LRScheduler {
 public:
  CyclicLR(std::vector<double> base_lrs, std::vector<double> max_lrs, double step_size_up = 2000,
           std::optional<double> step_size_down = std::nullopt, const std::string& mode = "triangular",
           double gamma = 1.0, EpochFunction scale_fn = nullptr, const std::string& scale_mode = "cycle",
           bool cycle_momentum = true, std::vector<double> base_momentums = {0.8},
           std::vector<double> max_momentums = {0.9});
  double rate(size_t group, double base) const override;
  std::optional<double> momentum(size_t group) const override;

 private:
  /// (scale factor within the cycle, scale_fn's value) at last_epoch.
  std::pair<double, double> position() const;
  std::vector<double> base_lrs_, max_lrs_, base_momentums_, max_momentums_;
  double total_size_, step_ratio_, gamma_;
  std::string mode_;
  bool by_cycle_, cycle_momentum_;
  EpochFunction scale_fn_;
};

/// Cuts the rate by `factor` when the metric has not improved for `patience` epochs, waiting
/// `cooldown` epochs after a cut, never below min_lr; a cut smaller than eps is skipped. As a
/// part of a composite, its cuts scale the rate the schedules before it give.
class EMBER_API ReduceLROnPlateau : public LRScheduler {
 public:
  ReduceLROnPlateau(size_t groups, const std::string& mode = "min", double factor = 0.1, int64_t patience = 10,
                    double threshold = 1e-4, const std::string& threshold_mode = "rel", int64_t cooldown = 0,
                    std::vector<double> min_lrs = {0.0}, double eps = 1e-8);
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
  std::string mode_, threshold_mode_;
  double factor_, threshold_, eps_;
  int64_t patience_, cooldown_;
  std::vector<double> min_lrs_, scales_;
  std::vector<int64_t> cuts_;
};

using SchedulerPtr = std::shared_ptr<LRScheduler>;

/// Each schedule's rate is the next one's base; every one advances each epoch.
class EMBER_API ChainedScheduler : public LRScheduler {
 public:
  explicit ChainedScheduler(std::vector<SchedulerPtr> schedulers);
  void advance(std::optional<double> metric = std::nullopt, const std::vector<double>& bases = {}) override;
  void restart() override;
  double rate(size_t group, double base) const override;
  std::optional<double> momentum(size_t group) const override;
  bool needs_metric() const override;
  std::vector<SchedulerPtr> schedulers;
};

/// schedulers[k] runs from milestones[k - 1] on, restarted at epoch 0 there (PyTorch's).
class EMBER_API SequentialLR : public LRScheduler {
 public:
  SequentialLR(std::vector<SchedulerPtr> schedulers, std::vector<int64_t> milestones);
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

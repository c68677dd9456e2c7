// The learning-rate schedules (formulas in ember/optim/lr_scheduler.h), checked as PyTorch's.
#include "ember/optim/lr_scheduler.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ember/error.h"
#include "ember/optim/optimizer.h"

namespace ember::optim {

namespace {
constexpr double kPi = 3.14159265358979323846;

/// Which of n per-group values serves group: a single one serves every group.
size_t group_index(size_t n, size_t group, const char* what) {
  EMBER_CHECK_INDEX(n == 1 || group < n, what, ": ", n, " values for ", n, " parameter groups, none for group ", group,
                    " (was a group added after the scheduler was made?)");
  return n == 1 ? 0 : group;
}

/// A per-group value for `groups` groups: one, or one per group.
void check_groups(const PerGroup& values, size_t groups, const char* name) {
  const size_t n = values.values.size();
  EMBER_CHECK(n == 1 || n == groups, "expected ", groups, " values for ", name, ", got ", n);
}

/// The options once checked (a constructor's first step).
template <class Options>
const Options& checked(const Options& options) {
  options.validate();
  return options;
}
}  // namespace

void LRScheduler::next_epoch() {
  EMBER_CHECK(last_epoch_ < std::numeric_limits<int64_t>::max(), "lr_scheduler.step: last_epoch cannot go past 2**63 - 1");
  ++last_epoch_;
}

void LRScheduler::advance(std::optional<double>, const std::vector<double>&) { next_epoch(); }
void LRScheduler::restart() { last_epoch_ = 0; }
void LRScheduler::load_extra_state(const std::vector<double>& state) {
  EMBER_CHECK(state.empty(), "lr_scheduler.load_state_dict: unexpected state for this scheduler");
}

// ---- closed forms -----------------------------------------------------------------------------

StepLR::StepLR(const StepLROptions& options) : options(checked(options)) {}
double StepLR::rate(size_t, double base) const {
  // torch decays at the epochs k with k % step_size == 0, an exact test: k is a multiple of
  // step_size = p / 2^q (p odd) exactly when it is a multiple of p, the step doubled until whole.
  double period = options.step_size;
  while (period != std::floor(period)) period *= 2;
  const int64_t decays = period > 9.0e15 ? 0 : last_epoch_ / static_cast<int64_t>(period);
  return base * std::pow(options.gamma, static_cast<double>(decays));
}

MultiStepLR::MultiStepLR(const MultiStepLROptions& options)
    : options(checked(options)), sorted_milestones_(options.milestones) {
  std::sort(sorted_milestones_.begin(), sorted_milestones_.end());
}
double MultiStepLR::rate(size_t, double base) const {
  const auto& ms = sorted_milestones_;
  const auto passed = std::upper_bound(ms.begin(), ms.end(), last_epoch_) - ms.begin();
  return base * std::pow(options.gamma, static_cast<double>(passed));
}

ConstantLR::ConstantLR(const ConstantLROptions& options) : options(checked(options)) {}
double ConstantLR::rate(size_t, double base) const {
  const double factor = options.factor;
  return base * (factor + (last_epoch_ >= options.total_iters ? 1 - factor : 0.0));
}

LinearLR::LinearLR(const LinearLROptions& options) : options(checked(options)) {}
double LinearLR::rate(size_t, double base) const {
  const auto& o = options;
  const double done = static_cast<double>(std::min(o.total_iters, last_epoch_)) / static_cast<double>(o.total_iters);
  return base * (o.start_factor + (o.end_factor - o.start_factor) * done);
}

ExponentialLR::ExponentialLR(const ExponentialLROptions& options) : options(checked(options)) {}
double ExponentialLR::rate(size_t, double base) const {
  return base * std::pow(options.gamma, static_cast<double>(last_epoch_));
}

PolynomialLR::PolynomialLR(const PolynomialLROptions& options) : options(checked(options)) {}
double PolynomialLR::rate(size_t, double base) const {
  const auto& o = options;
  const double done = static_cast<double>(std::min(o.total_iters, last_epoch_)) / static_cast<double>(o.total_iters);
  EMBER_CHECK(done < 1 || o.power >= 0, "PolynomialLR: the rate at total_iters is 0 ** power, undefined for power ",
              o.power);
  return base * std::pow(1.0 - done, o.power);
}

CosineAnnealingLR::CosineAnnealingLR(const CosineAnnealingLROptions& options) : options(checked(options)) {}
double CosineAnnealingLR::rate(size_t, double base) const {
  const double eta_min = options.eta_min;
  const double angle = kPi * static_cast<double>(last_epoch_) / static_cast<double>(options.T_max);
  return eta_min + (base - eta_min) * (1 + std::cos(angle)) / 2;
}

namespace {
/// lr_lambda as one function per group: one given stands for all; a list must have one per group.
std::vector<EpochFunction> per_group(const std::vector<EpochFunction>& given, size_t groups, const char* name) {
  EMBER_CHECK(!given.empty(), name, ": no lr_lambda given");
  for (const EpochFunction& f : given) EMBER_CHECK_TYPE(f, name, ": lr_lambda must be callable or a list of callables");
  if (given.size() == 1) return std::vector<EpochFunction>(groups, given[0]);
  EMBER_CHECK(given.size() == groups, "Expected ", groups, " lr_lambdas, but got ", given.size());
  return given;
}
}  // namespace

LambdaLR::LambdaLR(const LambdaLROptions& options, size_t groups)
    : lambdas(per_group(options.lr_lambda, groups, "LambdaLR")) {}
size_t LambdaLR::lambda_of(size_t group) const { return group_index(lambdas.size(), group, "LambdaLR"); }
double LambdaLR::rate(size_t group, double base) const { return base * lambdas[lambda_of(group)](last_epoch_); }

// ---- schedules with state -----------------------------------------------------------------------

CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(const CosineAnnealingWarmRestartsOptions& options)
    : options(checked(options)), T_i(options.T_0) {}
void CosineAnnealingWarmRestarts::advance(std::optional<double>, const std::vector<double>&) {
  next_epoch();
  if (++T_cur >= T_i) {
    T_cur -= T_i;
    // A period past int64 never ends anyway: it saturates rather than overflowing.
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    const int64_t T_mult = options.T_mult;
    T_i = T_i > kMax / T_mult ? kMax : T_i * T_mult;
  }
}
void CosineAnnealingWarmRestarts::restart() {
  last_epoch_ = 0;
  T_cur = 0;
  T_i = options.T_0;
}
double CosineAnnealingWarmRestarts::rate(size_t, double base) const {
  const double eta_min = options.eta_min;
  return eta_min + (base - eta_min) * (1 + std::cos(kPi * static_cast<double>(T_cur) / static_cast<double>(T_i))) / 2;
}
std::vector<double> CosineAnnealingWarmRestarts::extra_state() const {
  return {static_cast<double>(T_i), static_cast<double>(T_cur)};
}
void CosineAnnealingWarmRestarts::load_extra_state(const std::vector<double>& state) {
  EMBER_CHECK(state.size() == 2 && state[0] >= 1 && state[1] >= 0 && state[1] < state[0],
              "CosineAnnealingWarmRestarts.load_state_dict: expected T_i >= 1 and 0 <= T_cur < T_i");
  // Past int64 a period saturates, as advance() lets it (casting 1e300 to int64 is undefined).
  const auto saturated = [](double v) {
    return v >= 0x1p63 ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(v);
  };
  T_i = saturated(state[0]);
  T_cur = saturated(state[1]);
}

MultiplicativeLR::MultiplicativeLR(const MultiplicativeLROptions& options, size_t groups)
    : lambdas(per_group(options.lr_lambda, groups, "MultiplicativeLR")), products_(lambdas.size(), 1.0) {}
void MultiplicativeLR::advance(std::optional<double>, const std::vector<double>&) {
  next_epoch();
  for (size_t k = 0; k < lambdas.size(); ++k) products_[k] *= lambdas[k](last_epoch_);
}
void MultiplicativeLR::restart() {
  last_epoch_ = 0;
  std::fill(products_.begin(), products_.end(), 1.0);
}
size_t MultiplicativeLR::lambda_of(size_t group) const { return group_index(lambdas.size(), group, "MultiplicativeLR"); }
double MultiplicativeLR::rate(size_t group, double base) const { return base * products_[lambda_of(group)]; }
void MultiplicativeLR::load_extra_state(const std::vector<double>& state) {
  EMBER_CHECK(state.size() == products_.size(), "MultiplicativeLR.load_state_dict: expected ", products_.size(),
              " products, got ", state.size());
  products_ = state;
}

// ---- cyclical schedules -------------------------------------------------------------------------

void OneCycleLROptions::cross_checks() const {
  if (total_steps) return;
  EMBER_CHECK(epochs && steps_per_epoch, "You must define either total_steps OR (epochs AND steps_per_epoch)");
  valid::int_at_least(1, "Expected positive integer epochs, but got ")(*epochs);
  valid::int_at_least(1, "Expected positive integer steps_per_epoch, but got ")(*steps_per_epoch);
}
int64_t OneCycleLROptions::steps() const {
  if (total_steps) return *total_steps;
  int64_t out = 0;
  EMBER_CHECK(!__builtin_mul_overflow(epochs->value, steps_per_epoch->value, &out),
              "OneCycleLR: epochs * steps_per_epoch is past 2**63 - 1");
  return out;
}

OneCycleLR::OneCycleLR(const OneCycleLROptions& options, size_t groups)
    : total_steps(checked(options).steps()), options_(options), cos_(options.anneal_strategy == "cos") {
  check_groups(options_.max_lr, groups, "max_lr");
  check_groups(options_.base_momentum, groups, "base_momentum");
  check_groups(options_.max_momentum, groups, "max_momentum");
  const double steps = static_cast<double>(total_steps), pct_start = options_.pct_start;
  if (options_.three_phase) {
    phases_ = {{pct_start * steps - 1, 0, 1, 1, 0}, {2 * pct_start * steps - 2, 1, 0, 0, 1}, {steps - 1, 0, 2, 1, 1}};
  } else {
    phases_ = {{pct_start * steps - 1, 0, 1, 1, 0}, {steps - 1, 1, 2, 0, 1}};
  }
}
void OneCycleLR::advance(std::optional<double>, const std::vector<double>&) {
  EMBER_CHECK(last_epoch_ < total_steps, "Tried to step ", last_epoch_ + 1,
              " times. The specified number of total steps is ", total_steps);
  next_epoch();
}
double OneCycleLR::anneal(double start, double end, double pct) const {
  return cos_ ? end + (start - end) / 2 * (std::cos(kPi * pct) + 1) : (end - start) * pct + start;
}
std::pair<const OneCycleLR::Phase*, double> OneCycleLR::where() const {
  double start = 0;
  const double step = static_cast<double>(last_epoch_);
  for (size_t i = 0; i < phases_.size(); ++i) {
    const Phase& p = phases_[i];
    if (step <= p.end_step || i + 1 == phases_.size()) return {&p, (step - start) / (p.end_step - start)};
    start = p.end_step;
  }
  return {&phases_.back(), 1.0};
}
double OneCycleLR::lr_value(size_t group, int which) const {
  const double max = options_.max_lr[group], initial = max / options_.div_factor;
  return which == 0 ? initial : which == 1 ? max : initial / options_.final_div_factor;
}
double OneCycleLR::rate(size_t group, double) const {
  auto [phase, pct] = where();
  return anneal(lr_value(group, phase->start_lr), lr_value(group, phase->end_lr), pct);
}
std::optional<double> OneCycleLR::momentum(size_t group) const {
  if (!options_.cycle_momentum) return std::nullopt;
  auto [phase, pct] = where();
  auto value = [&](int which) { return which == 1 ? options_.max_momentum[group] : options_.base_momentum[group]; };
  // Phases name momentum ends as 0 (base) or 1 (max).
  return anneal(value(phase->start_momentum), value(phase->end_momentum), pct);
}

void CyclicLROptions::cross_checks() const {
  if (scale_fn) {
    EMBER_CHECK(scale_mode == "cycle" || scale_mode == "iterations", "CyclicLR: scale_mode must be 'cycle' or "
                "'iterations', got '", scale_mode, "'");
  } else {
    EMBER_CHECK(mode == "triangular" || mode == "triangular2" || mode == "exp_range", "mode is invalid and scale_fn is None");
  }
}

CyclicLR::CyclicLR(const CyclicLROptions& options, size_t groups) : options_(checked(options)) {
  check_groups(options_.base_lr, groups, "base_lr");
  check_groups(options_.max_lr, groups, "max_lr");
  check_groups(options_.base_momentum, groups, "base_momentum");
  check_groups(options_.max_momentum, groups, "max_momentum");
  const double up = options_.step_size_up;
  total_size_ = up + (options_.step_size_down ? options_.step_size_down->value : up);
  step_ratio_ = up / total_size_;
  by_cycle_ = options_.scale_fn ? options_.scale_mode == "cycle" : options_.mode != "exp_range";
}
std::pair<double, double> CyclicLR::position() const {
  const double e = static_cast<double>(last_epoch_);
  const double cycle = std::floor(1 + e / total_size_);
  const double x = 1. + e / total_size_ - cycle;
  const double factor = x <= step_ratio_ ? x / step_ratio_ : (x - 1) / (step_ratio_ - 1);
  const double at = by_cycle_ ? cycle : e;
  double scale;
  if (options_.scale_fn) scale = options_.scale_fn(static_cast<int64_t>(at));
  else if (options_.mode == "triangular") scale = 1.0;
  else if (options_.mode == "triangular2") scale = 1 / std::pow(2.0, at - 1);
  else scale = std::pow(options_.gamma, at);
  return {factor, scale};
}
double CyclicLR::rate(size_t group, double) const {
  auto [factor, scale] = position();
  const double base = options_.base_lr[group];
  return base + (options_.max_lr[group] - base) * factor * scale;
}
std::optional<double> CyclicLR::momentum(size_t group) const {
  if (!options_.cycle_momentum) return std::nullopt;
  auto [factor, scale] = position();
  const double max = options_.max_momentum[group];
  return max - (max - options_.base_momentum[group]) * factor * scale;
}

// ---- ReduceLROnPlateau --------------------------------------------------------------------------

ReduceLROnPlateau::ReduceLROnPlateau(const ReduceLROnPlateauOptions& options, size_t groups)
    : options_(checked(options)), scales_(groups, 1.0), cuts_(groups, 0) {
  const size_t n = options_.min_lr.values.size();
  EMBER_CHECK(n == 1 || n == groups, "expected ", groups, " min_lrs, got ", n);
  restart();
}
void ReduceLROnPlateau::restart() {
  last_epoch_ = 0;
  best = options_.mode == "min" ? INFINITY : -INFINITY;
  num_bad_epochs = cooldown_counter = 0;
}
bool ReduceLROnPlateau::is_better(double a) const {
  const double threshold = options_.threshold;
  const bool rel = options_.threshold_mode == "rel";
  if (options_.mode == "min") return rel ? a < best * (1 - threshold) : a < best - threshold;
  return rel ? a > best * (threshold + 1) : a > best + threshold;
}
void ReduceLROnPlateau::advance(std::optional<double> metric, const std::vector<double>& bases) {
  EMBER_CHECK_TYPE(metric.has_value(), "ReduceLROnPlateau.step: the metric to watch is missing (step(metrics))");
  EMBER_CHECK(bases.size() == scales_.size(), "ReduceLROnPlateau: expected ", scales_.size(), " base rates, got ",
              bases.size());
  next_epoch();
  if (is_better(*metric)) {
    best = *metric;
    num_bad_epochs = 0;
  } else {
    ++num_bad_epochs;
  }
  if (cooldown_counter > 0) {
    --cooldown_counter;
    num_bad_epochs = 0;
  }
  if (num_bad_epochs > options_.patience) {
    for (size_t g = 0; g < scales_.size(); ++g) {
      const double old_lr = rate(g, bases[g]);
      const double new_lr = std::max(old_lr * options_.factor, options_.min_lr[g]);
      if (old_lr - new_lr > options_.eps) {
        scales_[g] *= options_.factor;
        ++cuts_[g];
      }
    }
    cooldown_counter = options_.cooldown;
    num_bad_epochs = 0;
  }
}
double ReduceLROnPlateau::rate(size_t group, double base) const {
  EMBER_CHECK_INDEX(group < cuts_.size(), "ReduceLROnPlateau: made for ", cuts_.size(), " parameter groups, asked for "
                    "group ", group, " (was a group added after the scheduler was made?)");
  return cuts_[group] == 0 ? base : std::max(base * scales_[group], options_.min_lr[group]);
}
std::vector<double> ReduceLROnPlateau::extra_state() const {
  std::vector<double> out{best, static_cast<double>(num_bad_epochs), static_cast<double>(cooldown_counter)};
  for (size_t g = 0; g < scales_.size(); ++g) {
    out.push_back(scales_[g]);
    out.push_back(static_cast<double>(cuts_[g]));
  }
  return out;
}
void ReduceLROnPlateau::load_extra_state(const std::vector<double>& state) {
  EMBER_CHECK(state.size() == 3 + 2 * scales_.size(), "ReduceLROnPlateau.load_state_dict: the state is for ",
              (static_cast<int64_t>(state.size()) - 3) / 2, " groups, this scheduler has ", scales_.size());
  best = state[0];
  num_bad_epochs = static_cast<int64_t>(state[1]);
  cooldown_counter = static_cast<int64_t>(state[2]);
  for (size_t g = 0; g < scales_.size(); ++g) {
    scales_[g] = state[3 + 2 * g];
    cuts_[g] = static_cast<int64_t>(state[4 + 2 * g]);
  }
}

// ---- composites -----------------------------------------------------------------------------------

ChainedScheduler::ChainedScheduler(const ChainedSchedulerOptions& options) : schedulers(options.schedulers) {
  EMBER_CHECK(!schedulers.empty(), "ChainedScheduler expects at least one scheduler");
  for (const auto& each : schedulers) EMBER_CHECK_TYPE(each, "ChainedScheduler: a scheduler is None");
}
void ChainedScheduler::advance(std::optional<double> metric, const std::vector<double>& bases) {
  next_epoch();
  // In order, each after the ones before it: a plateau member weighs its cut against the rate
  // the members before it give at this epoch.
  std::vector<double> rates = bases;
  for (const auto& each : schedulers) {
    each->advance(metric, rates);
    for (size_t g = 0; g < rates.size(); ++g) rates[g] = each->rate(g, rates[g]);
  }
}
void ChainedScheduler::restart() {
  last_epoch_ = 0;
  for (const auto& each : schedulers) each->restart();
}
double ChainedScheduler::rate(size_t group, double base) const {
  for (const auto& each : schedulers) base = each->rate(group, base);
  return base;
}
std::optional<double> ChainedScheduler::momentum(size_t group) const {
  std::optional<double> out;
  for (const auto& each : schedulers)
    if (auto m = each->momentum(group)) out = m;  // the last schedule that sets one wins
  return out;
}
bool ChainedScheduler::needs_metric() const {
  return std::any_of(schedulers.begin(), schedulers.end(), [](const auto& s) { return s->needs_metric(); });
}

SequentialLR::SequentialLR(const SequentialLROptions& options)
    : schedulers(options.schedulers), milestones(options.milestones) {
  EMBER_CHECK(!schedulers.empty(), "SequentialLR expects at least one scheduler, but got no scheduler.");
  for (const auto& each : schedulers) EMBER_CHECK_TYPE(each, "SequentialLR: a scheduler is None");
  EMBER_CHECK(milestones.size() + 1 == schedulers.size(), "Sequential Schedulers expects number of schedulers provided "
              "to be one more than the number of milestone points, but got number of schedulers ", schedulers.size(),
              " and the number of milestones to be equal to ", milestones.size());
  restart();
}
size_t SequentialLR::active_index() const {
  return static_cast<size_t>(std::upper_bound(milestones.begin(), milestones.end(), last_epoch_) - milestones.begin());
}
void SequentialLR::advance(std::optional<double> metric, const std::vector<double>& bases) {
  next_epoch();
  const size_t k = active_index();
  if (k > 0 && milestones[k - 1] == last_epoch_) schedulers[k]->restart();  // starts at its epoch 0
  else schedulers[k]->advance(metric, bases);
}
void SequentialLR::restart() {
  last_epoch_ = 0;
  schedulers[active_index()]->restart();
}
double SequentialLR::rate(size_t group, double base) const { return schedulers[active_index()]->rate(group, base); }
std::optional<double> SequentialLR::momentum(size_t group) const { return schedulers[active_index()]->momentum(group); }
bool SequentialLR::needs_metric() const { return schedulers[active_index()]->needs_metric(); }

void apply_schedule(const LRScheduler& schedule, Optimizer& optimizer, const std::vector<double>& base_lrs) {
  EMBER_CHECK(base_lrs.size() == optimizer.num_groups(), "apply_schedule: ", base_lrs.size(), " base rates for ",
              optimizer.num_groups(), " parameter groups");
  for (size_t g = 0; g < base_lrs.size(); ++g) {
    optimizer.set_lr(g, schedule.rate(g, base_lrs[g]));
    if (auto m = schedule.momentum(g)) optimizer.set_momentum(g, *m);
  }
}

}  // namespace ember::optim

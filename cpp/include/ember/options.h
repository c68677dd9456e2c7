#pragma once
// One declaration per argument. An options struct (so far an optimizer's hyperparameters; the
// same rows are meant for schedules' and layers' arguments) lists its fields once, as the rows
// of an X-macro:
//
//   #define EMBER_SGD_FIELDS(X)                                                   \
//     X(Arg, double, lr, 1e-3, valid::at_least(0, "Invalid learning rate: "))     \
//     X(Kw, bool, maximize, false, valid::any)
//   struct SGDOptions : Options { EMBER_OPTIONS(EMBER_SGD_FIELDS) };
//
// A row is (kind, type, name, default, rule); a default or rule with a top-level comma is
// wrapped in parentheses. EMBER_OPTIONS expands the rows into the members with their defaults,
// validate() (each field's rule, then the struct's own cross_checks()) and visit(), which
// walks the fields in order. Python's binding reads group dicts and kwargs through visit() and
// builds the signature and its defaults from a default-made struct, so no name or
// default is written a second time.
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "ember/error.h"

namespace ember {

/// How a field appears to Python, in the order of PyTorch's signature.
enum class ArgKind {
  Arg,     ///< positional or keyword
  Kw,      ///< keyword-only
  KwLate,  ///< keyword-only, added to PyTorch later: an older group dict may lack it (default used)
  Kept,    ///< no argument of this class, but kept with the others (AdamW's decoupled_weight_decay)
};

/// A switch that picks one of PyTorch's implementations (foreach, fused, capturable,
/// differentiable): taken for PyTorch's signature and checked, never kept with the options.
struct Switch {
  std::optional<bool> value;
  Switch() = default;
  Switch(bool on) : value(on) {}  // NOLINT: `false` is a switch's default
  Switch(std::nullopt_t) {}       // NOLINT: and so is None
  bool on() const { return value.value_or(false); }
};

/// (beta1, beta2) of the Adam family.
struct Betas {
  double first, second;
};

/// What a row accepts: each rule is a callable that throws ValueError with PyTorch's message.
namespace valid {
/// Any value (flags).
inline constexpr struct Any {
  template <class T>
  void operator()(const T&) const {}
} any{};
/// lo <= v (NaN refused).
inline auto at_least(double lo, const char* message) {
  return [=](double v) { EMBER_CHECK(lo <= v, message, v); };
}
/// lo <= v <= hi (NaN refused).
inline auto between(double lo, double hi, const char* message) {
  return [=](double v) { EMBER_CHECK(lo <= v && v <= hi, message, v); };
}
/// Both betas in [0, 1), naming the index of the bad one as PyTorch.
inline void betas(const Betas& b) {
  EMBER_CHECK(0 <= b.first && b.first < 1, "Invalid beta parameter at index 0: ", b.first);
  EMBER_CHECK(0 <= b.second && b.second < 1, "Invalid beta parameter at index 1: ", b.second);
}
/// An absent value (None), or one the rule accepts.
template <class Rule>
inline auto none_or(Rule rule) {
  return [=](const auto& v) {
    if (v) rule(*v);
  };
}
/// The one word allowed (LBFGS's line_search_fn "strong_wolfe").
inline auto word(const char* allowed, const char* message) {
  return [=](const std::string& v) { EMBER_CHECK(v == allowed, message); };
}
/// A switch ember does not implement: True is refused with the reason.
inline auto unsupported(const char* message) {
  return [=](const Switch& s) { EMBER_CHECK(!s.on(), message); };
}
}  // namespace valid

/// The base of options structs: the hooks a struct may override.
struct Options {
  /// Rules that tie fields together (SGD's Nesterov needs momentum), run after the fields' checks.
  void cross_checks() const {}
  /// A derived struct that keeps a field out of its signature says so here (AdamW).
  static constexpr ArgKind kind_of(std::string_view, ArgKind declared) { return declared; }
};

}  // namespace ember

#define EMBER_OPTION_MEMBER(kind, type, name, init, rule) type name = init;
#define EMBER_OPTION_CHECK(kind, type, name, init, rule) rule(name);
#define EMBER_OPTION_VISIT(kind, type, name, init, rule) \
  v(#name, self.name, std::remove_const_t<S>::kind_of(#name, ::ember::ArgKind::kind), #init);

/// The members, validate() and visit(self, v) of an options struct from its rows;
/// v(name, field&, ArgKind, spelling of the default) is called for each field in order.
#define EMBER_OPTIONS(FIELDS)                          \
  FIELDS(EMBER_OPTION_MEMBER)                          \
  void validate() const {                              \
    FIELDS(EMBER_OPTION_CHECK)                         \
    this->cross_checks();                              \
  }                                                    \
  template <class S, class V>                          \
  static void visit(S& self, V&& v) {                  \
    FIELDS(EMBER_OPTION_VISIT)                         \
  }

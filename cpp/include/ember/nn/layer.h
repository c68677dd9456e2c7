#pragma once
// A layer made from an options struct whose fields are rows (ember/options.h): its checks run
// when it is made, and its repr, like its Python signature and attributes, follows from the
// rows. Declaring a layer:
//
//   #define EMBER_DROPOUT_FIELDS(X)
//     X(Arg, double, p, 0.5, valid::between(0, 1, "dropout probability has to be ..."), Named)
//     X(Arg, bool, inplace, false, valid::any, Named)
//   struct DropoutOptions { EMBER_LAYER_OPTIONS(EMBER_DROPOUT_FIELDS) };
//   class Dropout : public Layer<DropoutOptions> { ... };
//
// The sixth column (attr:: in options.h) says how the field shows as the module's attribute
// and in its repr; C++ makes the layer from the options, `Dropout({0.2})`. A bool row named bias
// shows whether the layer's bias parameter exists (its attribute is the parameter: NoAttr).
#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/device.h"
#include "ember/dtype.h"
#include "ember/nn/module.h"
#include "ember/options.h"

namespace ember::nn {

// A field's value as Python's repr writes it, for extra_repr.
inline std::string repr_value(double v) { return repr_float(v); }
inline std::string repr_value(int64_t v) { return std::to_string(v); }
inline std::string repr_value(bool v) { return v ? "True" : "False"; }
inline std::string repr_value(const std::string& v) { return "'" + v + "'"; }
EMBER_API std::string repr_value(const Sizes& v);  // (10,) or [2, 3], as given
/// A padding's sizes, or its word unquoted (PyTorch's Conv2d shows padding=same).
inline std::string repr_value(const Padding& v) { return v.word.empty() ? repr_value(v.sizes) : v.word; }
/// 2.0, or (2.0, 3.0): scale factors as PyTorch's Upsample keeps them.
inline std::string repr_value(const Factors& v) {
  if (!v.tuple) return repr_float(v.values.at(0));
  std::string s = "(";
  for (size_t i = 0; i < v.values.size(); ++i) s += (i ? ", " : "") + repr_float(v.values[i]);
  return s + (v.values.size() == 1 ? ",)" : ")");
}
template <class T>
auto repr_value(const std::optional<T>& v) -> decltype(repr_value(*v)) {
  return v ? repr_value(*v) : "None";
}

namespace detail {
template <class T, class = void>
constexpr bool has_repr = false;
template <class T>
constexpr bool has_repr<T, std::void_t<decltype(repr_value(std::declval<const T&>()))>> = true;
template <class O, class = void>
constexpr bool has_bias_flag = false;
template <class O>
constexpr bool has_bias_flag<O, std::void_t<decltype(O::bias)>> = std::is_same_v<decltype(O::bias), bool>;
}  // namespace detail

/// "in_features=784, out_features=10" from the rows' sixth column: Named and Unless fields as
/// name=value (Unless only where it is not the default), Bare ones as the value alone; in the
/// rows' order, or in `order` where PyTorch's repr lists them otherwise (ConvTranspose2d).
template <class O>
std::string fields_repr(const O& options, std::initializer_list<std::string_view> order = {}) {
  std::vector<std::pair<std::string_view, std::string>> shown_fields;
  O::attributes(options, [&](const char* name, const auto& value, unsigned shown, auto default_of) {
    using T = std::decay_t<decltype(value)>;
    const unsigned how = shown & attr::Shown;
    if constexpr (detail::has_repr<T>) {
      if (how == attr::Quiet || (how == attr::Unless && value == default_of())) return;
      std::string s = how == attr::Bare ? "" : std::string(name) + "=";
      if constexpr (std::is_same_v<T, std::string>) s += shown & attr::Plain ? value : repr_value(value);
      else s += repr_value(value);
      shown_fields.emplace_back(name, std::move(s));
    }
  });
  auto rank = [&](std::string_view name) { return std::find(order.begin(), order.end(), name) - order.begin(); };
  if (order.size() > 0)
    std::stable_sort(shown_fields.begin(), shown_fields.end(),
                     [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
  std::string out;
  for (const auto& [name, s] : shown_fields) out += (out.empty() ? "" : ", ") + s;
  return out;
}

/// A module whose constructor arguments are the rows of O; Base is Module or a family's base
/// (Loss). The options are checked before the layer makes its parameters.
template <class O, class Base = Module>
class Layer : public Base {
 public:
  using Options = O;
  Layer(std::string type_name, O opts) : Base(std::move(type_name)), options(std::move(opts)) { options.validate(); }
  std::string extra_repr() const override { return fields_repr(shown_options()); }
  O options;

 protected:
  /// The options as the repr shows them: a bias flag tells whether the parameter is there now,
  /// as PyTorch's `self.bias is not None`.
  O shown_options() const {
    O shown = options;
    if constexpr (detail::has_bias_flag<O>) shown.bias = this->parameter("bias").defined();
    return shown;
  }
};

/// The short form of a layer's constructor for C++: the rows' values in order, `Linear(784, 10)`
/// for `Linear(LinearOptions{784, 10})`.
#define EMBER_LAYER_SHORT_FORM(Cls)                                                                  \
  template <class A0, class... A, class = std::enable_if_t<!std::is_same_v<std::decay_t<A0>, Cls##Options>>> \
  explicit Cls(A0 a0, A... a) : Cls(Cls##Options{a0, a...}) {}

/// PyTorch's factory arguments of a layer with parameters, its last rows: device (the CPU's
/// is the only one) and dtype (unset: float32).
#define EMBER_FACTORY_FIELDS(X)                                                                        \
  X(Arg, std::optional<Device>, device, std::nullopt,                                                  \
    valid::that([](const std::optional<Device>& d) { return !d || d->is_cpu(); },                      \
                kNoCudaMessage),                 \
    Ctor)                                                                                              \
  X(Arg, std::optional<DType>, dtype, std::nullopt, valid::any, Ctor)

/// A layer without arguments (Sigmoid, Tanh).
#define EMBER_NO_FIELDS(X)
struct NoOptions {
  EMBER_LAYER_OPTIONS(EMBER_NO_FIELDS)
};

}  // namespace ember::nn

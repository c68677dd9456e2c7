#pragma once
// A layer made from an options struct whose fields are rows (ember/options.h): its checks run
// when it is made, and its repr, like its Python signature and attributes, follows from the
// rows. Declaring a layer:
//
//   #define EMBER_DROPOUT_FIELDS(X)                                                     \
//     X(Arg, double, p, 0.5, valid::between(0, 1, "dropout probability has to be ..."), Named) \
//     X(Arg, bool, inplace, false, valid::any, Named)
//   struct DropoutOptions { EMBER_LAYER_OPTIONS(EMBER_DROPOUT_FIELDS) };
//   class Dropout : public Layer<DropoutOptions> { ... };
//
// The sixth column (attr:: in options.h) says how the field shows as the module's attribute
// and in its repr; C++ makes the layer from the options, `Dropout({0.2})`.
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

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
template <class T>
auto repr_value(const std::optional<T>& v) -> decltype(repr_value(*v)) {
  return v ? repr_value(*v) : "None";
}

namespace detail {
template <class T, class = void>
constexpr bool has_repr = false;
template <class T>
constexpr bool has_repr<T, std::void_t<decltype(repr_value(std::declval<const T&>()))>> = true;
}  // namespace detail

/// "in_features=784, out_features=10" from the rows' sixth column: Named and Unless fields as
/// name=value (Unless only where it is not the default), Bare ones as the value alone.
template <class O>
std::string fields_repr(const O& options) {
  std::string out;
  O::attributes(options, [&](const char* name, const auto& value, unsigned shown, auto default_of) {
    using T = std::decay_t<decltype(value)>;
    const unsigned how = shown & attr::Shown;
    if constexpr (detail::has_repr<T>) {
      if (how == attr::Quiet || how == attr::Ctor || (how == attr::Unless && value == default_of())) return;
      if (!out.empty()) out += ", ";
      if (how != attr::Bare) out += std::string(name) + "=";
      out += repr_value(value);
    }
  });
  return out;
}

/// A module whose constructor arguments are the rows of O; Base is Module or a family's base
/// (Loss). The options are checked before the layer makes its parameters.
template <class O, class Base = Module>
class Layer : public Base {
 public:
  using Options = O;
  Layer(std::string type_name, O opts) : Base(std::move(type_name)), options(std::move(opts)) { options.validate(); }
  std::string extra_repr() const override { return fields_repr(options); }
  O options;
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
                "layers are made on the CPU: ember was built without another device"),                 \
    Ctor)                                                                                              \
  X(Arg, std::optional<DType>, dtype, std::nullopt, valid::any, Ctor)

/// A layer without arguments (Sigmoid, Tanh).
#define EMBER_NO_FIELDS(X)
struct NoOptions {
  EMBER_LAYER_OPTIONS(EMBER_NO_FIELDS)
};

}  // namespace ember::nn

#pragma once
// One declaration per argument. An options struct (an optimizer's hyperparameters, a schedule's
// or a layer's constructor arguments) lists its fields once, as the rows of an X-macro:
//
//   #define EMBER_SGD_FIELDS(X)
//     X(Arg, double, lr, 1e-3, valid::at_least(0, "Invalid learning rate: "))
//     X(Kw, bool, maximize, false, valid::any)
//   struct SGDOptions : Options { EMBER_OPTIONS(EMBER_SGD_FIELDS) };
//
// A row is (kind, type, name, default, rule); a default or rule with a top-level comma is
// wrapped in parentheses. EMBER_OPTIONS expands the rows into the members with their defaults,
// validate() (each field's rule, then the struct's own cross_checks()) and visit(), which
// walks the fields in order. Python's binding reads group dicts and arguments through visit() and
// builds the signature and its defaults from a default-made struct, so no name or
// default is written a second time.
#include <algorithm>
#include <initializer_list>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/error.h"
#include "ember/shape.h"

namespace ember {

/// How a field appears to Python, in the order of PyTorch's signature.
enum class ArgKind {
  Required,  ///< positional or keyword without a default (StepLR's step_size); the row's is C++'s only
  Arg,       ///< positional or keyword
  Kw,        ///< keyword-only
  KwLate,    ///< keyword-only, added to PyTorch later: an older group dict may lack it (default used)
  Kept,      ///< no argument of this class, but kept with the others (AdamW's decoupled_weight_decay)
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

/// One number for every parameter group, or one per group (a schedule's max_lr, min_lr).
struct PerGroup {
  std::vector<double> values;
  PerGroup(double v) : values{v} {}  // NOLINT: one number is PyTorch's default
  PerGroup(std::vector<double> vs) : values(std::move(vs)) {}  // NOLINT
  /// Group `group`'s value (IndexError for a group the values do not cover).
  double operator[](size_t group) const {
    EMBER_CHECK_INDEX(values.size() == 1 || group < values.size(), "lr_scheduler: ", values.size(), " values for ",
                      values.size(), " parameter groups, none for group ", group,
                      " (was a group added after the scheduler was made?)");
    return values.size() == 1 ? values[0] : values[group];
  }
};

/// A number of epochs that PyTorch also takes as a float: inf (never) is kept as 2^62, a whole
/// float as its integer (ReduceLROnPlateau's patience and cooldown).
struct EpochCount {
  int64_t value;
  EpochCount(int64_t v = 0) : value(v) {}  // NOLINT: an integer is the usual spelling
  operator int64_t() const { return value; }  // NOLINT
};

/// A number that PyTorch checks with isinstance inside its value check, so that a value of
/// another Python type is a ValueError with PyTorch's message, not a TypeError
/// (CosineAnnealingWarmRestarts' T_0). The reader keeps the Python value's type and spelling for
/// the rule and its message; a value set in C++ has only `value`.
template <class T>
struct Given {
  enum class Type { Cpp, Int, Float, Other };
  T value{};
  Type type = Type::Cpp;
  std::string spelling, type_name;  // str(v) and type(v).__name__ of a Python value
  Given(T v = {}) : value(v) {}  // NOLINT: a plain number is the C++ spelling
  operator T() const { return value; }  // NOLINT
  friend std::ostream& operator<<(std::ostream& os, const Given& g) {
    return g.type == Type::Cpp ? os << g.value : os << g.spelling;
  }
};

/// Sizes given as one int or a sequence of ints (a kernel_size, LayerNorm's normalized_shape), and
/// how they were spelled: PyTorch's layers keep what they were given (MaxPool2d(2) shows
/// kernel_size=2, MaxPool2d([2, 2]) kernel_size=[2, 2]).
struct Sizes {
  enum class Spelling { Tuple, List, Int };
  /// A None entry: the adaptive pools keep the input's size there (AdaptiveAvgPool2d((None, 7))).
  static constexpr int64_t kNone = std::numeric_limits<int64_t>::min();
  Shape dims;
  Spelling spelling = Spelling::Tuple;
  Sizes(Shape d = {}) : dims(std::move(d)) {}  // NOLINT: a shape is the C++ spelling
  Sizes(std::initializer_list<int64_t> d) : dims(d) {}
  Sizes(int64_t v) : dims{v}, spelling(Spelling::Int) {}  // NOLINT: as Python's int
  operator const Shape&() const { return dims; }  // NOLINT
  /// One size stands for every dim, as in PyTorch's arguments: 0 equals (0, 0).
  friend bool operator==(const Sizes& a, const Sizes& b) {
    const auto all = [](const Shape& s, int64_t v) { return std::all_of(s.begin(), s.end(), [v](int64_t d) { return d == v; }); };
    if (a.dims.size() == 1 && b.dims.size() != 1) return all(b.dims, a.dims[0]);
    if (b.dims.size() == 1 && a.dims.size() != 1) return all(a.dims, b.dims[0]);
    return a.dims == b.dims;
  }
};

/// A convolution's padding as PyTorch takes it: sizes, or the word 'same' or 'valid'.
struct Padding {
  Sizes sizes;
  std::string word;  // empty: the sizes
  Padding(int64_t v = 0) : sizes(v) {}  // NOLINT: an int is the usual spelling
  Padding(Sizes s) : sizes(std::move(s)) {}  // NOLINT
  Padding(std::string w) : word(std::move(w)) {}  // NOLINT
  template <size_t N>
  Padding(const char (&w)[N]) : word(w) {}  // NOLINT: Padding p = "same" (an array, so 0 stays a size)
  friend bool operator==(const Padding& a, const Padding& b) {
    return a.word == b.word && (!a.word.empty() || a.sizes == b.sizes);
  }
};

/// Scale factors given as one float or a tuple of floats (Upsample's scale_factor), and how
/// they were spelled: PyTorch keeps a float, or a tuple of floats.
struct Factors {
  std::vector<double> values;
  bool tuple = false;  // given as a sequence
  Factors(double v = 1) : values{v} {}  // NOLINT: a float is the usual spelling
  Factors(std::vector<double> vs) : values(std::move(vs)), tuple(true) {}  // NOLINT
  friend bool operator==(const Factors& a, const Factors& b) { return a.values == b.values && a.tuple == b.tuple; }
};

/// What a row accepts: each rule is a callable that throws ValueError with PyTorch's message.
namespace valid {
/// Any value (flags).
inline constexpr struct Any {
  template <class T>
  void operator()(const T&) const {}
} any{};
/// lo <= v (NaN refused), for a real or an integer field.
inline auto at_least(double lo, const char* message) {
  return [=](auto v) { EMBER_CHECK(lo <= v, message, v); };
}
/// ok(v), else PyTorch's message, which does not show the value (ConstantLR's factor).
template <class Ok>
inline auto that(Ok ok, const char* message) {
  return [=](const auto& v) { EMBER_CHECK(ok(v), message); };
}
/// ok(v), else the message and the value (BatchNorm1d's eps > 0).
template <class Ok>
inline auto holds(Ok ok, const char* message) {
  return [=](const auto& v) { EMBER_CHECK(ok(v), message, v); };
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
/// One of a few words; else PyTorch's message, `before` word `after` (ReduceLROnPlateau's mode).
inline auto one_of(std::vector<std::string> words, const char* before, const char* after) {
  return [=](const std::string& v) {
    bool known = false;
    for (const std::string& w : words) known = known || v == w;
    EMBER_CHECK(known, before, v, after);
  };
}
/// A Python int (or a C++ value) of at least lo; else PyTorch's message and the value as given.
inline auto int_at_least(int64_t lo, const char* message) {
  return [=](const Given<int64_t>& v) {
    using Type = Given<int64_t>::Type;
    EMBER_CHECK((v.type == Type::Cpp || v.type == Type::Int) && lo <= v.value, message, v);
  };
}
/// A Python float (or a C++ value) in [lo, hi] (NaN refused), as OneCycleLR's pct_start.
inline auto float_between(double lo, double hi, const char* message) {
  return [=](const Given<double>& v) {
    using Type = Given<double>::Type;
    EMBER_CHECK((v.type == Type::Cpp || v.type == Type::Float) && lo <= v.value && v.value <= hi, message, v);
  };
}
/// A Python int or float (or a C++ value) above 0 (NaN refused), as CyclicLR's step sizes.
inline auto positive_number(const char* message) {
  return [=](const Given<double>& v) {
    EMBER_CHECK(v.type != Given<double>::Type::Other && v.value > 0, message, v);
  };
}
/// A positive Python float or int (or C++ value): TypeError for another kind, ValueError for <= 0 or NaN.
inline auto positive_real(const char* message) {
  return [=](const Given<double>& v) {
    EMBER_CHECK_TYPE(v.type != Given<double>::Type::Other, message, v, " of type <class '", v.type_name, "'>");
    EMBER_CHECK(v.value > 0, message, v);
  };
}
/// A Python float or int (or a C++ value); else PyTorch's message, the value and its type.
inline auto float_or_int(const char* message) {
  return [=](const Given<double>& v) {
    EMBER_CHECK(v.type != Given<double>::Type::Other, message, v, " of type <class '", v.type_name, "'>");
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

/// The base of options structs: the hooks a struct may override. (A layer's options have no
/// base, so that C++ can make them by aggregate initialization, `LinearOptions{784, 10}`; they
/// may still declare either hook.)
struct Options {
  /// Rules that tie fields together (SGD's Nesterov needs momentum), run after the fields' checks.
  void cross_checks() const {}
  /// A derived struct that keeps a field out of its signature says so here (AdamW).
  static constexpr ArgKind kind_of(std::string_view, ArgKind declared) { return declared; }
};

/// How a layer's field shows as its module's Python attribute and in its repr (torch's
/// extra_repr formats): the sixth column of a layer's rows.
namespace attr {
enum : unsigned {
  Named = 1,    ///< "name=value"
  Bare = 2,     ///< "value" alone (BatchNorm1d's num_features)
  Unless = 3,   ///< "name=value" where the value is not the default (ReLU's inplace=True)
  Quiet = 4,    ///< not in the repr (a loss's reduction)
  Shown = 7,    ///< the mask of the four above
  Fixed = 8,    ///< a flag: a read-only attribute (sizes the parameters were made with)
  NoAttr = 16,  ///< a flag: no attribute (a layer's bias, whose attribute is the parameter)
  Plain = 32,   ///< a flag: a string shown without quotes (Conv2d's padding_mode=reflect)
  Ctor = Quiet | NoAttr,  ///< an argument only (device, dtype)
};
}  // namespace attr

namespace detail {
template <class O>
auto cross_checks(const O& o, int) -> decltype(o.cross_checks()) {
  o.cross_checks();
}
template <class O>
void cross_checks(const O&, long) {}
template <class O>
constexpr auto kind_of(std::string_view name, ArgKind declared, int) -> decltype(O::kind_of(name, declared)) {
  return O::kind_of(name, declared);
}
template <class O>
constexpr ArgKind kind_of(std::string_view, ArgKind declared, long) {
  return declared;
}
}  // namespace detail

}  // namespace ember

#define EMBER_OPTION_MEMBER(kind, type, name, init, rule) type name = init;
#define EMBER_OPTION_CHECK(kind, type, name, init, rule) rule(name);
#define EMBER_OPTION_VISIT(kind, type, name, init, rule) \
  v(#name, self.name, ::ember::detail::kind_of<std::remove_const_t<S>>(#name, ::ember::ArgKind::kind, 0), #init);

/// The members, validate() and visit(self, v) of an options struct from its rows;
/// v(name, field&, ArgKind, spelling of the default) is called for each field in order.
#define EMBER_OPTIONS(FIELDS)                          \
  FIELDS(EMBER_OPTION_MEMBER)                          \
  void validate() const {                              \
    FIELDS(EMBER_OPTION_CHECK)                         \
    ::ember::detail::cross_checks(*this, 0);           \
  }                                                    \
  template <class S, class V>                          \
  static void visit(S& self, V&& v) {                  \
    FIELDS(EMBER_OPTION_VISIT)                         \
  }

// A layer's rows have a sixth column, how the field shows (attr:: above); the first five are
// an options row's.
#define EMBER_LAYER_MEMBER(kind, type, name, init, rule, shown) EMBER_OPTION_MEMBER(kind, type, name, init, rule)
#define EMBER_LAYER_CHECK(kind, type, name, init, rule, shown) EMBER_OPTION_CHECK(kind, type, name, init, rule)
#define EMBER_LAYER_VISIT(kind, type, name, init, rule, shown) EMBER_OPTION_VISIT(kind, type, name, init, rule)
#define EMBER_LAYER_SHOW(kind, type, name, init, rule, shown)                      \
  v(#name, self.name, [] { using namespace ::ember::attr; return unsigned(shown); }(), \
    []() -> type { return init; });

/// An options struct from a layer's rows: EMBER_OPTIONS's members, validate() and visit(), and
/// attributes(self, v), which calls v(name, field&, attr bits, a function giving the default)
/// for each field in order.
#define EMBER_LAYER_OPTIONS(FIELDS)                    \
  FIELDS(EMBER_LAYER_MEMBER)                           \
  void validate() const {                              \
    FIELDS(EMBER_LAYER_CHECK)                          \
    ::ember::detail::cross_checks(*this, 0);           \
  }                                                    \
  template <class S, class V>                          \
  static void visit(S& self, V&& v) {                  \
    (void)self, (void)v; /* layers without fields */   \
    FIELDS(EMBER_LAYER_VISIT)                          \
  }                                                    \
  template <class S, class V>                          \
  static void attributes(S& self, V&& v) {             \
    (void)self, (void)v;                               \
    FIELDS(EMBER_LAYER_SHOW)                           \
  }

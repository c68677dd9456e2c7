#pragma once
// Option rows (ember/options.h) to and from Python: each field type's reader (read_value) and
// its Python value (to_python), an options struct read from a dict (an optimizer's group, a
// schedule's or a layer's arguments), and the signature Python builds from the rows.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <cmath>
#include <functional>
#include <string_view>

#include "convert.h"
#include "ember/options.h"

namespace ember::py_convert {

inline std::string type_name(py::handle v) { return py::str(v.get_type().attr("__name__")); }

/// A field as messages name it: "optimizer: lr", "StepLR: step_size".
struct Field {
  std::string_view owner, key;
  friend std::ostream& operator<<(std::ostream& os, const Field& f) { return os << f.owner << ": " << f.key; }
};

// One field from its Python value, by the field's type.
inline void read_value(py::handle v, const Field& what, double& out) {
  // Numbers and one-element tensors (PyTorch takes a tensor lr); not strings or None.
  EMBER_CHECK_TYPE(PyNumber_Check(v.ptr()) && !py::isinstance<py::str>(v), what, " must be a number, got ",
                   type_name(v));
  EMBER_CHECK(!py::isinstance<Tensor>(v) || v.cast<const Tensor&>().numel() == 1, "Tensor ", what.key,
              " must be 1-element");
  out = py::float_(py::reinterpret_borrow<py::object>(v)).cast<double>();
}
inline void read_value(py::handle v, const Field& what, int64_t& out) {
  // bool is an int to Python and to PyTorch (StepLR(opt, True) steps every epoch).
  EMBER_CHECK_TYPE(PyIndex_Check(v.ptr()), what, " must be an integer, got ", type_name(v));
  out = py_convert::index_of(v);
}
inline void read_value(py::handle v, const Field& what, std::string& out) {
  EMBER_CHECK_TYPE(py::isinstance<py::str>(v), what, " must be None or a string, got ", type_name(v));
  out = v.cast<std::string>();
}
inline void read_value(py::handle v, const Field&, bool& out) {
  const int truth = PyObject_IsTrue(v.ptr());  // any truthy value, as PyTorch's `if amsgrad:`
  if (truth < 0) throw py::error_already_set();
  out = truth != 0;
}
inline void read_value(py::handle v, const Field& what, Switch& out) {
  if (v.is_none()) out = std::nullopt;
  else read_value(v, what, out.value.emplace());
}
inline void read_value(py::handle v, const Field& what, Betas& out) {
  EMBER_CHECK_TYPE(py::isinstance<py::sequence>(v) && !py::isinstance<py::str>(v), what,
                   " must be a pair of numbers, got ", type_name(v));
  EMBER_CHECK(py::len(v) == 2, what, " must be a pair of numbers, got ", py::len(v), " values");
  py::tuple pair = py::tuple(py::reinterpret_borrow<py::object>(v));
  read_value(pair[0], {what.owner, "beta1"}, out.first);
  read_value(pair[1], {what.owner, "beta2"}, out.second);
}
// Any iterable of integers (MultiStepLR's milestones); Python's TypeError for a non-iterable.
inline void read_value(py::handle v, const Field& what, std::vector<int64_t>& out) {
  out.clear();
  for (py::handle each : py::iter(v)) read_value(each, what, out.emplace_back());
}
// One number, or a list or tuple of one per group (PyTorch's max_lr, min_lr).
inline void read_value(py::handle v, const Field& what, PerGroup& out) {
  if (!py::isinstance<py::list>(v) && !py::isinstance<py::tuple>(v)) {
    out.values.resize(1);
    read_value(v, what, out.values[0]);
    return;
  }
  out.values.clear();
  for (py::handle each : v) read_value(each, what, out.values.emplace_back());
}
// A function of the epoch (CyclicLR's scale_fn): None, or any callable.
template <class R, class... A>
inline void read_value(py::handle v, const Field& what, std::function<R(A...)>& out) {
  EMBER_CHECK_TYPE(v.is_none() || PyCallable_Check(v.ptr()), what, " must be None or callable, got ", type_name(v));
  out = v.is_none() ? nullptr : v.cast<std::function<R(A...)>>();
}
template <class T>
inline void read_value(py::handle v, const Field& what, Given<T>& out);
// One callable, or a list or tuple of them (LambdaLR's lr_lambda).
template <class R, class... A>
inline void read_value(py::handle v, const Field& what, std::vector<std::function<R(A...)>>& out) {
  const bool many = py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v);
  out.clear();
  for (py::handle each : many ? py::reinterpret_borrow<py::iterable>(v) : py::iterable(py::make_tuple(v))) {
    EMBER_CHECK_TYPE(PyCallable_Check(each.ptr()), what, " must be callable or a list of callables, got ",
                     type_name(each));
    read_value(each, what, out.emplace_back());
  }
}
// Python objects that hold a C++ object in `_impl` (ember's schedules), as the C++ objects.
template <class T>
inline void read_value(py::handle v, const Field& what, std::vector<std::shared_ptr<T>>& out) {
  out.clear();
  for (py::handle each : py::iter(v)) {
    py::object impl = py::getattr(each, "_impl", py::none());
    EMBER_CHECK_TYPE(py::isinstance<T>(impl), what, " must be ember's schedules, got ", type_name(each));
    out.push_back(impl.cast<std::shared_ptr<T>>());
  }
}
template <class T>
inline void read_value(py::handle v, const Field& what, Given<T>& out) {
  using Type = typename Given<T>::Type;
  out.spelling = py::str(v), out.type_name = type_name(v);
  out.type = PyLong_Check(v.ptr()) ? Type::Int : PyFloat_Check(v.ptr()) ? Type::Float : Type::Other;
  // A value of another type is left for the rule to refuse; an int past int64 is still a TypeError.
  const bool readable = out.type == Type::Int || (out.type == Type::Float && std::is_floating_point_v<T>);
  if (PyBool_Check(v.ptr())) out.value = T(v.ptr() == Py_True);  // an int to isinstance, as to PyTorch
  else if (readable) read_value(v, what, out.value);
}
inline void read_value(py::handle v, const Field& what, EpochCount& out) {
  if (PyFloat_Check(v.ptr())) {
    const double f = v.cast<double>();
    if (f == INFINITY) {
      out = int64_t{1} << 62;  // never reached: "never" without overflowing a count
      return;
    }
    EMBER_CHECK(f >= 0 && f == std::trunc(f), what, " must be a non-negative whole number (or inf), got ",
                std::string(py::repr(v)));
    out = static_cast<int64_t>(f);
    return;
  }
  EMBER_CHECK_TYPE(PyIndex_Check(v.ptr()) && !PyBool_Check(v.ptr()), what, " must be an integer (or inf), got ",
                   type_name(v));
  out = py_convert::index_of(v);
}

// The types of layers' fields.
inline void read_value(py::handle v, const Field& what, Sizes& out) {
  // One int or a sequence of ints (a torch.Size too), as PyTorch's layers take them.
  using Spelling = Sizes::Spelling;
  if (PyIndex_Check(v.ptr())) {
    out.dims.assign(1, 0);
    read_value(v, what, out.dims[0]);
    out.spelling = Spelling::Int;
    return;
  }
  out.spelling = py::isinstance<py::list>(v) ? Spelling::List : Spelling::Tuple;
  EMBER_CHECK_TYPE(py::isinstance<py::sequence>(v) && !py::isinstance<py::str>(v), what,
                   " must be an int or a sequence of ints, got ", type_name(v));
  out.dims.clear();
  for (py::handle each : v) {
    if (each.is_none()) out.dims.push_back(Sizes::kNone);  // only the adaptive pools take it
    else read_value(each, what, out.dims.emplace_back());
  }
}
inline void read_value(py::handle v, const Field& what, Padding& out) {
  if (py::isinstance<py::str>(v)) {
    out = Padding(v.cast<std::string>());
    return;
  }
  out.word.clear();
  read_value(v, what, out.sizes);
}
inline void read_value(py::handle v, const Field& what, Factors& out) {
  // One float or a tuple of floats, as PyTorch's Upsample takes its scale_factor.
  if (py::isinstance<py::sequence>(v) && !py::isinstance<py::str>(v)) {
    std::vector<double> values;
    for (py::handle each : v) read_value(each, what, values.emplace_back());
    out = Factors(std::move(values));
    return;
  }
  double value = 0;
  read_value(v, what, value);
  out = Factors(value);
}
inline void read_value(py::handle v, const Field&, Device& out) { out = device_from(v); }
inline void read_value(py::handle v, const Field& what, DType& out) {
  EMBER_CHECK_TYPE(py::isinstance<DType>(v), what, " must be an ember.dtype, got ", type_name(v));
  out = v.cast<DType>();
}
inline void read_value(py::handle v, const Field& what, Tensor& out) {
  // None is the absent tensor (a loss without class weights).
  EMBER_CHECK_TYPE(v.is_none() || py::isinstance<Tensor>(v), what, " must be None or a Tensor, got ", type_name(v));
  out = v.is_none() ? Tensor() : v.cast<Tensor>();
}

template <class T>
inline void read_value(py::handle v, const Field& what, std::optional<T>& out) {
  if (v.is_none()) out.reset();
  else read_value(v, what, out.emplace());
}

// A field's value as Python sees it. A default's row spelling tells an int from a float, as
// PyTorch's signatures do (weight_decay=0, lr=1e-3); a derived struct may have changed the
// value since (AdamW's weight_decay=1e-2), so the value must be whole too. An attribute's
// value has no spelling: a float.
inline py::object to_python(double v, std::string_view spelling) {
  const bool int_literal = !spelling.empty() && spelling.find_first_not_of("-0123456789") == std::string_view::npos;
  if (int_literal && v == std::trunc(v)) return py::int_(static_cast<int64_t>(v));
  return py::float_(v);
}
inline py::object to_python(bool v, std::string_view) { return py::bool_(v); }
inline py::object to_python(const Switch& v, std::string_view) { return v.value ? py::object(py::bool_(*v.value)) : py::none(); }
inline py::object to_python(const Betas& v, std::string_view) { return py::make_tuple(v.first, v.second); }
inline py::object to_python(int64_t v, std::string_view) { return py::int_(v); }
inline py::object to_python(const std::string& v, std::string_view) { return py::str(v); }
inline py::object to_python(const std::vector<int64_t>& v, std::string_view) { return py::cast(v); }
inline py::object to_python(EpochCount v, std::string_view) { return py::int_(v.value); }
template <class R, class... A>
inline py::object to_python(const std::function<R(A...)>& v, std::string_view) {
  return v ? py::cpp_function(v) : py::object(py::none());
}
template <class R, class... A>
inline py::object to_python(const std::vector<std::function<R(A...)>>& v, std::string_view spelling) {
  py::list out;
  for (const auto& f : v) out.append(to_python(f, spelling));
  return out;
}
template <class T>
inline py::object to_python(const std::vector<std::shared_ptr<T>>& v, std::string_view) {
  return py::cast(v);
}
inline py::object to_python(const Sizes& v, std::string_view) {
  if (v.spelling == Sizes::Spelling::Int) return py::int_(v.dims.at(0));
  py::list dims;
  for (int64_t d : v.dims) dims.append(d == Sizes::kNone ? py::object(py::none()) : py::object(py::int_(d)));
  return v.spelling == Sizes::Spelling::List ? py::object(dims) : py::object(py::tuple(dims));
}
inline py::object to_python(const Padding& v, std::string_view spelling) {
  return v.word.empty() ? to_python(v.sizes, spelling) : py::str(v.word);
}
inline py::object to_python(const Factors& v, std::string_view) {
  if (!v.tuple) return py::float_(v.values.at(0));
  return py::tuple(py::cast(v.values));
}
inline py::object to_python(Device v, std::string_view) { return py::cast(v); }
inline py::object to_python(DType v, std::string_view) { return py::cast(v); }
inline py::object to_python(const Tensor& v, std::string_view) { return v.defined() ? py::cast(v) : py::none(); }
template <class T>
inline py::object to_python(const Given<T>& v, std::string_view spelling) {
  return to_python(v.value, spelling);
}
inline py::object to_python(const PerGroup& v, std::string_view spelling) {
  if (v.values.size() == 1) return to_python(v.values[0], spelling);
  return py::cast(v.values);
}
template <class T>
inline py::object to_python(const std::optional<T>& v, std::string_view spelling) {
  return v ? to_python(*v, spelling) : py::none();
}

/// d[key]: KeyError when missing.
inline py::handle entry(py::handle d, const char* key) {
  py::dict dict = py::reinterpret_borrow<py::dict>(d);
  if (!dict.contains(key)) throw py::key_error(key);
  return dict[key];
}
/// d[key] read as a T.
template <class T>
inline T read_entry(py::handle d, const char* key) {
  T value;
  read_value(entry(d, key), {"optimizer", key}, value);
  return value;
}

template <class T>
constexpr bool is_switch = std::is_same_v<std::decay_t<T>, Switch>;

/// Options from a param-group dict (or a schedule's arguments): every hyperparameter there
/// (KeyError otherwise, as PyTorch's step), and the switches where given (they are arguments,
/// never group entries). `owner` starts the messages.
template <class Options>
inline Options read_options(py::handle group, const char* owner = "optimizer") {
  py::dict d = py::reinterpret_borrow<py::dict>(group);
  Options o;
  Options::visit(o, [&](const char* key, auto& field, ArgKind kind, const char*) {
    if (d.contains(key)) {
      read_value(d[key], {owner, key}, field);
      return;
    }
    // Older group dicts (and PyTorch's) may lack the later fields: their default stands.
    if (!is_switch<decltype(field)> && kind != ArgKind::KwLate && kind != ArgKind::Kept) throw py::key_error(key);
  });
  return o;
}

/// The Python signature of Options's class: (name, default, kind, is_switch) per field, in order;
/// a required field's default is the C++ struct's starting value, which Python leaves out.
template <class Options>
inline py::list signature_of() {
  static const char* const kinds[] = {"required", "arg", "kw", "kw", "kept"};  // ArgKind's order
  py::list out;
  const Options defaults;
  Options::visit(defaults, [&](const char* key, const auto& field, ArgKind kind, const char* spelling) {
    out.append(py::make_tuple(key, to_python(field, spelling), kinds[static_cast<int>(kind)], is_switch<decltype(field)>));
  });
  return out;
}

}  // namespace ember::py_convert

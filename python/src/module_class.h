#pragma once
// The Python class of a C++ module (ember/nn/module.h) and of a layer made from option rows
// (ember/nn/layer.h): the trampoline that lets Python override forward, repr and train, the
// class with pickling, and layer_class, which builds __init__, the signature and the attributes
// from the rows. bind_nn_modules.cpp binds ember.nn's modules with it; other areas whose classes
// are modules (ember.transforms) use it too.
#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "convert.h"
#include "ember/nn/init.h"
#include "ember/nn/module.h"
#include "gc.h"
#include "gil.h"
#include "option_rows.h"

namespace ember::py_modules {

using namespace py_convert;
using nn::Module;
using nn::ModulePtr;
using Kind = Module::Kind;

// Defined in bind_nn_modules.cpp.
std::string type_name_of(py::handle obj);
/// The C++ module behind a Python one (RuntimeError before Module.__init__ has run).
Module& module_of(py::handle self);
/// The Python object a slot holds, as its owner's attribute (the owner's cached object).
py::object slot_attribute(Module& owner, const Module::Slot& slot);
py::object child_object(const ModulePtr& m);
ModulePtr module_arg(py::handle h, const char* what);
/// An item of a saved state: a tuple of n values (TypeError otherwise: not what __getstate__ gave).
py::tuple state_item(py::handle item, size_t n);
Tensor state_tensor(py::handle v, const std::string& name);

template <class Base>
class PyModule : public Base, public py::trampoline_self_life_support {
 public:
  using Base::Base;
  Tensor forward(const Tensor& input) override { PYBIND11_OVERRIDE(Tensor, Base, forward, input); }
  /// C++ containers call children here: through Python's __call__, so hooks run.
  Tensor call(const Tensor& input) override {
    py::gil_scoped_acquire gil;
    return tensor_arg(self()(input), "Module.__call__ result");
  }
  std::string type_name() const override {
    py::gil_scoped_acquire gil;
    return py::str(py::type::handle_of(self()).attr("__name__"));
  }
  std::string extra_repr() const override { PYBIND11_OVERRIDE(std::string, Base, extra_repr, ); }
  std::string repr() const override { PYBIND11_OVERRIDE_NAME(std::string, Base, "__repr__", repr, ); }
  void train(bool on) override { PYBIND11_OVERRIDE(void, Base, train, on); }
  /// A parameter removed from the module is read as its Python attribute, as a PyTorch forward
  /// reads self.weight: a parametrization's property (ember.nn.utils.parametrize) or the tensor
  /// weight_norm's hook sets. Errors from computing it propagate; None means no tensor.
  Tensor missing_parameter(const std::string& name) const override {
    py::gil_scoped_acquire gil;
    const py::object obj = self();
    const py::dict own = obj.attr("__dict__");
    if (!own.contains(name) && !py::hasattr(py::type::handle_of(obj), name.c_str())) return Base::missing_parameter(name);
    const py::object value = obj.attr(name.c_str());
    if (value.is_none()) return Tensor();
    const std::string what = std::string(py::str(py::type::handle_of(obj).attr("__name__"))) + "." + name;
    return tensor_arg(value, what.c_str());
  }
  bool overrides_repr() const override { return overridden("__repr__") || Base::overrides_repr(); }
  bool overrides_train() const override { return overridden("train") || Base::overrides_train(); }

 private:
  py::object self() const { return py::cast(static_cast<const Base*>(this), py::return_value_policy::reference); }
  /// Whether the Python class defines method (get_override skips the bound C++ one).
  bool overridden(const char* method) const {
    py::gil_scoped_acquire gil;
    return static_cast<bool>(py::get_override(static_cast<const Base*>(this), method));
  }
};

template <class T>
using ModuleClass = py::class_<T, Module, PyModule<T>, py::smart_holder>;

template <class T, class Cls>
void add_pickle(Cls& cls);

/// A layer's Python class. Its repr and extra_repr call the C++ class's own (not virtually):
/// a Python subclass reaching them through super() or a helper must not loop back into its
/// override.
template <class T>
ModuleClass<T> module_class(py::module_& nm, const char* name) {
  ModuleClass<T> cls(nm, name, py::dynamic_attr(), py_gc::module_type_setup());
  // module_of first: on an instance whose __init__ never ran (cls.__new__(cls)) there is no C++ object.
  cls.def("__repr__", [](py::handle self) { return (module_of(self), self.cast<T&>().T::repr()); })
      .def("extra_repr", [](py::handle self) { return (module_of(self), self.cast<T&>().T::extra_repr()); });
  add_pickle<T>(cls);
  return cls;
}

/// A layer's forward for Python: a tensor in, a tensor out; when the layer hands its input
/// back (Identity, in-place activations, eval-mode Dropout) the caller gets the same object.
template <class T>
auto forward_of() {
  return [](T& m, py::object input) -> py::object {
    const std::string op = m.T::type_name() + ".forward";
    const Tensor x = tensor_arg(input, op.c_str());
    Tensor out;
    {
      // Python children (a trampoline's forward, call) take the GIL back (gil.h).
      py_gil::Release nogil(py_gil::heavy(x));
      out = m.T::forward(x);  // not virtual: see module_class
    }
    return out.is_same(input.cast<const Tensor&>()) ? input : py::cast(std::move(out));
  };
}

/// The value of an options struct's field number `at`, as Python sees it.
template <class Options>
py::object field_value(const Options& o, size_t at) {
  py::object out;
  size_t i = 0;
  Options::attributes(o, [&](const char*, const auto& field, unsigned, auto) {
    if (i++ == at) out = to_python(field, "");
  });
  return out;
}
/// Sets field number `at` from a Python value (TypeError for one of another type). As in
/// PyTorch, the value is checked where the layer uses it, not here.
template <class Options>
void set_field(Options& o, size_t at, py::handle v, const char* owner) {
  size_t i = 0;
  Options::attributes(o, [&](const char* key, auto& field, unsigned, auto) {
    if (i++ == at) read_value(v, {owner, key}, field);
  });
}

/// A layer made from its option rows (ember/nn/layer.h): __init__ takes the arguments as a dict
/// (ember/nn/modules.py gives the class PyTorch's signature from _signature()); each field but
/// the constructor-only ones is an attribute, read-only where the row says Fixed.
template <class T>
ModuleClass<T> layer_class(py::module_& nm, const char* name) {
  using Options = typename T::Options;
  ModuleClass<T> cls = module_class<T>(nm, name);
  cls.def(py::init([name](py::handle arguments) {
       return std::make_unique<PyModule<T>>(read_options<Options>(arguments, name));
     }), py::arg("arguments"))
      .def_static("_signature", &signature_of<Options>);
  const Options defaults{};
  size_t index = 0;
  Options::attributes(defaults, [&](const char* key, const auto&, unsigned shown, auto) {
    const size_t at = index++;
    if (shown & attr::NoAttr) return;
    auto get = [at](const T& m) { return field_value(m.options, at); };
    if (shown & attr::Fixed) cls.def_property_readonly(key, get);
    else cls.def_property(key, get, [at, name](T& m, py::handle v) { set_field(m.options, at, v, name); });
  });
  // Any option by name, the Fixed ones included: the sizes a lazy layer (ember.nn.LazyLinear, ...)
  // learns from its first input, its tensors then resized to match.
  cls.def("_set_option", [name](T& m, const std::string& key, py::handle v) {
    size_t at = 0, found = SIZE_MAX;
    Options::attributes(m.options, [&](const char* k, const auto&, unsigned, auto) {
      if (key == k) found = at;
      ++at;
    });
    EMBER_CHECK_KEY(found != SIZE_MAX, name, " has no option '", key, "'");
    set_field(m.options, found, v, name);
  }, py::arg("key"), py::arg("value"));
  return cls;
}

/// A layer with one input: forward(input).
template <class T>
ModuleClass<T> unary_layer(py::module_& nm, const char* name) {
  return layer_class<T>(nm, name).def("forward", forward_of<T>(), py::arg("input"));
}

/// A loss: forward(input, target).
template <class T>
ModuleClass<T> loss_class(py::module_& nm, const char* name) {
  return layer_class<T>(nm, name).def("forward", py::overload_cast<const Tensor&, const Tensor&>(&T::forward),
                                      py::arg("input"), py::arg("target"));
}

/// A loss of three tensors: forward(a, b, c) under the names given (PyTorch's).
template <class T>
ModuleClass<T> ternary_loss_class(py::module_& nm, const char* name, const char* a, const char* b, const char* c) {
  return layer_class<T>(nm, name).def(
      "forward", py::overload_cast<const Tensor&, const Tensor&, const Tensor&>(&T::forward), py::arg(a), py::arg(b),
      py::arg(c));
}

// ---- pickle and copy -------------------------------------------------------------------------
// A module pickles and copies as a Python object does, through its state: the options it was
// made with, its parameters, buffers and children in order, its training flag and its __dict__
// (attributes, hooks, the cached Python objects of its slots). __setstate__ makes the C++ module
// from the options without filling its tensors (nn::init::SkipInitGuard: no time spent, no draw
// from the random stream), then puts the saved tensors and children in its slots. copy.deepcopy
// copies the state through its memo, so parameters and modules shared in the original stay shared
// in the copy, and nothing is shared with the original.

template <class T, class = void>
constexpr bool has_options = false;
template <class T>
constexpr bool has_options<T, std::void_t<typename T::Options>> =
    std::is_constructible_v<PyModule<T>, typename T::Options>;

template <class T>
py::tuple module_getstate(py::handle self) {
  Module& m = module_of(self);
  py::object options = py::none();
  if constexpr (has_options<T>) {
    py::dict d;
    T::Options::visit(self.cast<T&>().options, [&](const char* key, const auto& field, ArgKind, const char* spelling) {
      d[key] = to_python(field, spelling);
    });
    options = d;
  }
  py::list params, buffers, children;
  for (const auto& slot : m.slots(Kind::Parameter)) params.append(py::make_tuple(slot.name, slot_attribute(m, slot)));
  for (const auto& slot : m.slots(Kind::Buffer))
    buffers.append(py::make_tuple(slot.name, slot_attribute(m, slot), slot.persistent));
  for (const auto& [name, child] : m.named_children()) children.append(py::make_tuple(name, child_object(child)));
  return py::make_tuple(options, params, buffers, children, m.is_training(), self.attr("__dict__"));
}

template <class T>
std::pair<std::unique_ptr<PyModule<T>>, py::dict> module_setstate(py::tuple state) {
  state = state_item(state, 6);
  std::unique_ptr<PyModule<T>> m;
  {
    nn::init::SkipInitGuard skip;
    if constexpr (has_options<T>) {
      EMBER_CHECK_TYPE(py::isinstance<py::dict>(state[0]), "Module.__setstate__: expected the options as a dict");
      m = std::make_unique<PyModule<T>>(read_options<typename T::Options>(state[0], "Module.__setstate__"));
    } else {
      m = std::make_unique<PyModule<T>>();
    }
  }
  // The saved slots and children, in their order, replace those the constructor made.
  std::vector<std::string> made;
  for (Kind kind : {Kind::Parameter, Kind::Buffer})
    for (const auto& slot : m->slots(kind)) made.push_back(slot.name);
  for (const auto& [name, child] : m->named_children()) made.push_back(name);
  for (const auto& name : made) m->unregister(name);
  for (py::handle item : py::iter(state[1])) {
    py::tuple p = state_item(item, 2);
    const std::string name = p[0].cast<std::string>();
    Tensor value = state_tensor(p[1], name);
    m->register_parameter(name, value, value.defined() && value.requires_grad());
  }
  for (py::handle item : py::iter(state[2])) {
    py::tuple b = state_item(item, 3);
    const std::string name = b[0].cast<std::string>();
    m->register_buffer(name, state_tensor(b[1], name), b[2].cast<bool>());
  }
  for (py::handle item : py::iter(state[3])) {
    py::tuple c = state_item(item, 2);
    m->register_module(c[0].cast<std::string>(), c[1].is_none() ? nullptr : module_arg(c[1], "Module.__setstate__"));
  }
  m->set_training_flag(state[4].cast<bool>());
  EMBER_CHECK_TYPE(py::isinstance<py::dict>(state[5]), "Module.__setstate__: expected the __dict__ as a dict");
  return {std::move(m), py::reinterpret_borrow<py::dict>(state[5])};
}

template <class T, class Cls>
void add_pickle(Cls& cls) {
  // __getstate__ gives (options, parameters, buffers, children, training, __dict__).
  cls.def(py::pickle(&module_getstate<T>, &module_setstate<T>),
          "Makes the module from what __getstate__ gave (pickle, copy.copy and copy.deepcopy call it).");
}

}  // namespace ember::py_modules

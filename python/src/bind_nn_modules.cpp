// ember.nn's Module tree for Python (ember._C._nn_modules, dressed by ember/nn/modules.py).
//
// Every module made from Python is a PyModule trampoline held by py::smart_holder: a C++
// parent holding a child keeps the child's Python object alive, so its attributes, hooks and
// Python overrides (forward, extra_repr, train) live as long as the C++ module does.
// Parameters and buffers live in the C++ slots; each Python module caches the Python objects
// for them in its __dict__, so `m.weight is m.weight` and attribute reads stay fast.
#include <pybind11/stl.h>

#include <cctype>
#include <type_traits>
#include <unordered_set>

#include "module_class.h"
#include "ember/nn/activation.h"
#include "ember/nn/container.h"
#include "ember/nn/conv.h"
#include "ember/nn/dropout.h"
#include "ember/nn/embedding.h"
#include "ember/nn/init.h"
#include "ember/nn/linear.h"
#include "ember/nn/loss.h"
#include "ember/nn/module.h"
#include "ember/nn/normalization.h"
#include "ember/nn/padding.h"
#include "ember/nn/pooling.h"
#include "ember/nn/rnn.h"
#include "ember/nn/upsampling.h"

namespace ember {
namespace py_modules {

/// ember.nn.Parameter: a Tensor that a module registers as a parameter when it is assigned.
struct Parameter : Tensor {
  explicit Parameter(Tensor t) : Tensor(std::move(t)) {}
};

std::string type_name_of(py::handle obj) { return py::str(py::type::handle_of(obj).attr("__name__")); }

Module* module_or_null(py::handle self);

Module& module_of(py::handle self) {
  Module* m = module_or_null(self);
  EMBER_CHECK_RUNTIME(m, "Module.__init__() was not called on this ", std::string(py::str(py::type::handle_of(self).attr("__name__"))),
                      " (call super().__init__() first in __init__)");
  return *m;
}

/// The C++ module behind a Python one; nullptr before Module.__init__ has run.
Module* module_or_null(py::handle self) {
  auto* inst = reinterpret_cast<py::detail::instance*>(self.ptr());
  for (auto v_h : py::detail::values_and_holders(inst))
    if (!v_h.holder_constructed()) return nullptr;
  return &self.cast<Module&>();
}

py::object slot_object(Kind kind, const Tensor& t) {
  if (!t.defined()) return py::none();
  return kind == Kind::Parameter ? py::cast(Parameter(t)) : py::cast(t);
}

py::object wrapper_of(Module& m) { return py::cast(&m, py::return_value_policy::reference); }

py::object slot_attribute(Module& owner, const Module::Slot& slot) {
  return py::getattr(wrapper_of(owner), slot.name.c_str());
}

std::string qualified(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

py::list named_slots(py::handle self, Kind kind, const std::string& prefix, bool recurse, bool remove_duplicate) {
  py::list out;
  module_of(self).visit(kind, recurse, [&](const std::string& name, Module& owner, Kind, const Module::Slot& slot) {
    out.append(py::make_tuple(qualified(prefix, name), slot_attribute(owner, slot)));
  }, remove_duplicate);
  return out;
}

/// parameters() / buffers(): the slots' objects without their names.
py::list slot_objects(py::handle self, Kind kind, bool recurse) {
  py::list out;
  module_of(self).visit_slots(kind, recurse, [&](const std::string&, Module& owner, const Module::Slot& slot) {
    out.append(slot_attribute(owner, slot));
  });
  return out;
}

void set_in_dict(py::handle self, py::handle name, py::handle value) {
  if (PyObject_GenericSetAttr(self.ptr(), name.ptr(), value.ptr()) != 0) throw py::error_already_set();
}

void drop_from_dict(py::handle self, py::handle name) {
  py::dict d = self.attr("__dict__");
  if (d.contains(name)) PyDict_DelItem(d.ptr(), name.ptr());
}

void module_setattr(py::handle self, py::str name_obj, py::object value) {
  const std::string name = name_obj;
  Module* m = module_or_null(self);
  // The order of PyTorch's Module.__setattr__: a parameter's name takes only a Parameter or None.
  if (py::isinstance<Parameter>(value)) {
    if (!m) throw py::attribute_error("cannot assign parameters before Module.__init__() call");
    // A name the class has (a parametrized tensor's property, a method) is not taken by a parameter.
    EMBER_CHECK_KEY(m->find(Kind::Parameter, name) || !py::hasattr(py::type::handle_of(self), name.c_str()),
                    "attribute '", name, "' already exists");
    if (!m->find(Kind::Parameter, name)) m->unregister(name);
    const Tensor& p = value.cast<const Tensor&>();
    m->register_parameter(name, p, p.requires_grad());
  } else if (Module::Slot* slot = m ? m->find(Kind::Parameter, name) : nullptr) {
    EMBER_CHECK_TYPE(value.is_none(), "cannot assign '", type_name_of(value), "' as parameter '", name,
                     "' (ember.nn.Parameter or None expected)");
    slot->value = Tensor();
  } else if (py::isinstance<Module>(value)) {
    if (!m) throw py::attribute_error("cannot assign module before Module.__init__() call");
    if (!m->find_child(name)) m->unregister(name);
    m->register_module(name, value.cast<ModulePtr>());
    drop_from_dict(self, name_obj);  // children are read from the C++ tree (containers rename them)
    return;
  } else if (ModulePtr* child = m ? m->find_child(name) : nullptr) {
    EMBER_CHECK_TYPE(value.is_none(), "cannot assign '", type_name_of(value), "' as child module '", name,
                     "' (ember.nn.Module or None expected)");
    child->reset();
    drop_from_dict(self, name_obj);
    return;
  } else if (Module::Slot* buffer = m ? m->find(Kind::Buffer, name) : nullptr) {
    EMBER_CHECK_TYPE(value.is_none() || py::isinstance<Tensor>(value), "cannot assign '", type_name_of(value),
                     "' as buffer '", name, "' (ember.Tensor or None expected)");
    buffer->value = value.is_none() ? Tensor() : value.cast<Tensor>();
  }
  set_in_dict(self, name_obj, value);
}

py::object module_getattr(py::handle self, py::str name_obj) {
  const std::string name = name_obj;
  Module* m = module_or_null(self);
  if (m) {
    for (Kind kind : {Kind::Parameter, Kind::Buffer}) {
      if (Module::Slot* slot = m->find(kind, name)) {
        py::object obj = slot_object(kind, slot->value);
        set_in_dict(self, name_obj, obj);  // later reads find it in __dict__, as the same object
        return obj;
      }
    }
    if (ModulePtr* child = m->find_child(name)) return *child ? py::cast(*child) : py::none();
  }
  throw py::attribute_error("'" + type_name_of(self) + "' object has no attribute '" + name + "'");
}

void module_delattr(py::handle self, py::str name_obj) {
  const std::string name = name_obj;
  const bool registered = module_of(self).unregister(name);
  py::dict d = self.attr("__dict__");
  if (d.contains(name_obj)) {
    PyDict_DelItem(d.ptr(), name_obj.ptr());
  } else if (!registered) {
    if (PyObject_GenericSetAttr(self.ptr(), name_obj.ptr(), nullptr) != 0) throw py::error_already_set();
  }
}

/// Name checks shared by register_parameter, register_buffer and add_module (PyTorch's).
void check_register(py::handle self, py::handle name, const char* what, Kind kind, bool is_child) {
  EMBER_CHECK_TYPE(py::isinstance<py::str>(name), what, " name should be a string. Got ", type_name_of(name));
  const std::string n = name.cast<std::string>();
  Module& m = module_of(self);
  const bool own = is_child ? m.find_child(n) != nullptr : m.find(kind, n) != nullptr;
  const bool attribute = py::hasattr(py::type::handle_of(self), n.c_str()) ||
                         (py::dict(self.attr("__dict__")).contains(name) && !own);
  EMBER_CHECK_KEY(own || !attribute, "attribute '", n, "' already exists");
}

void register_parameter(py::handle self, py::handle name, py::object param) {
  check_register(self, name, "parameter", Kind::Parameter, false);
  EMBER_CHECK_TYPE(param.is_none() || py::isinstance<Parameter>(param), "cannot assign '", type_name_of(param),
                   "' object to parameter '", std::string(py::str(name)), "' (ember.nn.Parameter or None required)");
  const std::string n = name.cast<std::string>();
  Module& m = module_of(self);
  if (param.is_none()) {
    m.register_parameter(n, Tensor());
  } else {
    const Tensor& p = param.cast<const Tensor&>();
    m.register_parameter(n, p, p.requires_grad());
  }
  set_in_dict(self, name, param);
}

void register_buffer(py::handle self, py::handle name, py::object tensor, bool persistent) {
  check_register(self, name, "buffer", Kind::Buffer, false);
  EMBER_CHECK_TYPE(tensor.is_none() || py::isinstance<Tensor>(tensor), "cannot assign '", type_name_of(tensor),
                   "' object to buffer '", std::string(py::str(name)), "' (ember.Tensor or None required)");
  module_of(self).register_buffer(name.cast<std::string>(), tensor.is_none() ? Tensor() : tensor.cast<Tensor>(),
                                  persistent);
  set_in_dict(self, name, tensor);
}

void add_module(py::handle self, py::handle name, py::object module) {
  check_register(self, name, "module", Kind::Parameter, true);
  EMBER_CHECK_TYPE(module.is_none() || py::isinstance<Module>(module), type_name_of(module),
                   " is not a Module subclass");
  module_of(self).register_module(name.cast<std::string>(), module.is_none() ? nullptr : module.cast<ModulePtr>());
  drop_from_dict(self, name);
}

py::object state_value(Module& owner, const Module::Slot& slot, bool keep_vars) {
  return keep_vars ? slot_attribute(owner, slot) : py::cast(autograd::detach(slot.value));
}

/// The whole tree's state (without the hooks of ember/nn/modules.py's state_dict).
py::object state_dict(py::handle self, py::object destination, const std::string& prefix, bool keep_vars) {
  if (destination.is_none()) destination = py::module_::import("collections").attr("OrderedDict")();
  module_of(self).visit_state([&](const std::string& name, Module& owner, Kind, const Module::Slot& slot) {
    // PyTorch's prefix carries its own dot ("body.")
    destination[py::str(prefix + name)] = state_value(owner, slot, keep_vars);
  });
  return destination;
}

/// This module's own parameters and buffers, as state_dict saves them (PyTorch's _save_to_state_dict).
void save_own_state(py::handle self, py::object destination, const std::string& prefix, bool keep_vars) {
  Module& m = module_of(self);
  for (Kind kind : {Kind::Parameter, Kind::Buffer})
    for (const auto& slot : m.slots(kind))
      if (slot.value.defined() && slot.persistent)
        destination[py::str(prefix + slot.name)] = state_value(m, slot, keep_vars);
}

py::tuple load_state_dict(py::handle self, py::handle state, bool strict) {
  EMBER_CHECK_TYPE(PyMapping_Check(state.ptr()) && py::hasattr(state, "items"), "Expected state_dict to be dict-like, "
                   "got ", type_name_of(state), ".");
  NamedTensors entries;
  for (py::handle item : state.attr("items")()) {
    py::tuple kv = py::reinterpret_borrow<py::tuple>(item);
    EMBER_CHECK_TYPE(py::isinstance<py::str>(kv[0]), "load_state_dict: keys must be strings, got ",
                     type_name_of(kv[0]));
    // A value that is not a tensor fails only where the model has that key.
    entries.emplace_back(kv[0].cast<std::string>(), py::isinstance<Tensor>(kv[1]) ? kv[1].cast<Tensor>() : Tensor());
  }
  Module::LoadResult r = module_of(self).load_state_dict(entries, strict);
  return py::make_tuple(r.missing_keys, r.unexpected_keys);
}

/// Children in order, a module held under two names listed once (as PyTorch's).
py::list distinct_children(Module& m, bool with_names) {
  py::list out;
  std::unordered_set<const Module*> seen;
  for (auto& [name, child] : m.named_children()) {
    if (!child || !seen.insert(child.get()).second) continue;
    if (with_names) out.append(py::make_tuple(name, py::cast(child)));
    else out.append(py::cast(child));
  }
  return out;
}

/// A child's name as PyTorch's add_module checks it: a string (TypeError) that is not an
/// attribute of cls ("training", "forward": KeyError).
std::string child_name(py::handle cls, py::handle name) {
  EMBER_CHECK_TYPE(py::isinstance<py::str>(name), "module name should be a string. Got ", type_name_of(name));
  const std::string n = name.cast<std::string>();
  EMBER_CHECK_KEY(!py::hasattr(cls, n.c_str()), "attribute '", n, "' already exists");
  return n;
}

/// Children (name, module) from a mapping or an iterable of pairs (ModuleDict and
/// Sequential(OrderedDict)); cls is the container's class, whose attributes no name may shadow.
Module::Children named_modules_from(py::handle cls, py::handle modules, const char* what) {
  Module::Children out;
  py::object items = py::hasattr(modules, "items") ? modules.attr("items")() : py::reinterpret_borrow<py::object>(modules);
  for (py::handle item : items) {
    py::tuple kv = py::tuple(py::reinterpret_borrow<py::object>(item));
    EMBER_CHECK(kv.size() == 2, what, ": expected (name, module) pairs");
    EMBER_CHECK_TYPE(py::isinstance<Module>(kv[1]) || kv[1].is_none(), what, ": ", type_name_of(kv[1]),
                     " is not a Module subclass");
    out.emplace_back(child_name(cls, kv[0]), kv[1].is_none() ? nullptr : kv[1].cast<ModulePtr>());
  }
  return out;
}

/// A ModuleDict key: a key of another type is simply not there (KeyError), as in a dict.
std::string dict_key(py::handle key) {
  if (!py::isinstance<py::str>(key)) throw py::key_error(std::string(py::repr(key)));
  return key.cast<std::string>();
}

ModulePtr module_arg(py::handle h, const char* what) {
  EMBER_CHECK_TYPE(py::isinstance<Module>(h), what, ": ", type_name_of(h), " is not a Module subclass");
  return h.cast<ModulePtr>();
}

py::object child_object(const ModulePtr& m) { return m ? py::cast(m) : py::none(); }

/// Positions a Python slice picks from a sequence of length n.
std::vector<int64_t> slice_positions(const py::slice& s, int64_t n) {
  size_t start, stop, step, length;
  if (!s.compute(static_cast<size_t>(n), &start, &stop, &step, &length)) throw py::error_already_set();
  std::vector<int64_t> out;
  for (size_t i = 0; i < length; ++i) out.push_back(static_cast<int64_t>(start + i * step));
  return out;
}

/// A position in a sequence as Python's lists take it: TypeError for a non-integer; an int
/// past int64 clips, so ModuleSequence's range check names it.
int64_t sequence_index(py::handle index, const char* cls) {
  EMBER_CHECK_TYPE(PyIndex_Check(index.ptr()), cls, " indices must be integers or slices, not ", type_name_of(index));
  const Py_ssize_t i = PyNumber_AsSsize_t(index.ptr(), nullptr);  // clips past int64: out of range
  if (i == -1 && PyErr_Occurred()) throw py::error_already_set();    // __index__ raised (an array)
  return static_cast<int64_t>(i);
}

/// The methods Sequential and ModuleList share: len, indexing, slicing, append, insert, ...
template <class T, class Cls>
void bind_sequence(Cls& cls) {
  cls.def("__len__", &T::size)
      .def("__getitem__", [](py::object self, py::handle index) -> py::object {
        T& s = self.cast<T&>();
        if (py::isinstance<py::slice>(index)) {
          // A Sequential slice keeps the children's names (PyTorch's); a ModuleList renumbers.
          py::list picked;
          for (int64_t i : slice_positions(index.cast<py::slice>(), s.size())) {
            const auto& [name, child] = s.named_children()[i];
            if constexpr (std::is_same_v<T, nn::Sequential>) picked.append(py::make_tuple(name, child_object(child)));
            else picked.append(child_object(child));
          }
          if constexpr (std::is_same_v<T, nn::Sequential>)
            return py::type::handle_of(self)(py::module_::import("collections").attr("OrderedDict")(picked));
          else
            return py::type::handle_of(self)(picked);
        }
        return child_object(s.at(sequence_index(index, s.T::type_name().c_str())));
      }, py::arg("idx"))
      .def("__setitem__", [](T& s, py::handle index, py::handle m) {
        s.set(sequence_index(index, s.T::type_name().c_str()), module_arg(m, "__setitem__"));
      }, py::arg("idx"), py::arg("module"))
      .def("__delitem__", [](T& s, py::handle index) {
        if (py::isinstance<py::slice>(index)) {
          auto picked = slice_positions(index.cast<py::slice>(), s.size());
          std::sort(picked.rbegin(), picked.rend());
          for (int64_t i : picked) s.erase(i);
        } else {
          s.erase(sequence_index(index, s.T::type_name().c_str()));
        }
      }, py::arg("idx"))
      .def("__iter__", [](T& s) {
        py::list out;
        for (auto& [name, m] : s.named_children()) out.append(child_object(m));
        return py::iter(out);
      })
      .def("append", [](py::object self, py::handle m) {
        self.cast<T&>().push_back(module_arg(m, "append"));
        return self;
      }, py::arg("module"))
      .def("insert", [](T& s, int64_t index, py::handle m) {
        // PyTorch's Sequential.insert checks the range; its ModuleList.insert clamps as list.insert.
        if constexpr (std::is_same_v<T, nn::Sequential>)
          EMBER_CHECK_INDEX(index >= -s.size() && index <= s.size(), "Sequential.insert: index ", index,
                            " is out of range (length ", s.size(), ")");
        s.insert(index, module_arg(m, "insert"));
      },
           py::arg("index"), py::arg("module"))
      .def("extend", [](py::object self, py::iterable modules) {
        T& s = self.cast<T&>();
        for (py::handle m : modules) s.push_back(module_arg(m, "extend"));
        return self;
      }, py::arg("modules"))
      .def("pop", [](T& s, int64_t index) { return child_object(s.erase(index)); }, py::arg("index") = -1);
}


py::tuple state_item(py::handle item, size_t n) {
  EMBER_CHECK_TYPE(py::isinstance<py::tuple>(item) && py::len(item) == n, "Module.__setstate__: expected a tuple of ", n,
                   " items, got ", type_name_of(item));
  return py::reinterpret_borrow<py::tuple>(item);
}

Tensor state_tensor(py::handle v, const std::string& name) {
  EMBER_CHECK_TYPE(v.is_none() || py::isinstance<Tensor>(v), "Module.__setstate__: '", name, "' is a ",
                   type_name_of(v), ", not a Tensor or None");
  return v.is_none() ? Tensor() : v.cast<Tensor>();
}

/// Parameter and Module: the tree, its slots, hooks' Python side, state dicts.
void bind_module_base(py::module_& nm) {

  py::class_<Parameter, Tensor>(nm, "Parameter", "A Tensor that a Module registers as a parameter when assigned.")
      .def(py::init([](py::object data, bool requires_grad) {
             Tensor p = autograd::detach(data.is_none() ? empty({0}) : tensor_arg(data, "Parameter"));
             autograd::set_requires_grad(p, requires_grad);
             return Parameter(p);
           }), py::arg("data") = py::none(), py::arg("requires_grad") = true)
      // Pickled as Parameter(data, requires_grad), data a plain tensor (as PyTorch's).
      .def("__reduce_ex__", [](py::handle self, int) {
             const Tensor& p = self.cast<const Tensor&>();
             return py::make_tuple(py::type::handle_of(self), py::make_tuple(autograd::detach(p), p.requires_grad()));
           }, py::arg("protocol"));

  py::class_<Module, PyModule<Module>, py::smart_holder> mod(nm, "Module", py::dynamic_attr(), py_gc::module_type_setup(),
                                                             "Base of every layer and model.");
  mod.def(py::init_alias<>())
      .def("forward", [](py::handle self, py::args, py::kwargs) -> py::object {
        throw NotImplementedError("Module [" + type_name_of(self) + "] is missing the required \"forward\" function");
      })
      .def("__setattr__", &module_setattr)
      .def("__getattr__", &module_getattr)
      .def("__delattr__", &module_delattr)
      .def("__repr__", [](Module& m) { return m.Module::repr(); })
      .def("extra_repr", [](Module& m) { return m.Module::extra_repr(); })
      .def("_get_name", &Module::type_name)
      .def("register_parameter", &register_parameter, py::arg("name"), py::arg("param"))
      .def("register_buffer", &register_buffer, py::arg("name"), py::arg("tensor"), py::arg("persistent") = true)
      .def("add_module", &add_module, py::arg("name"), py::arg("module"))
      .def("register_module", &add_module, py::arg("name"), py::arg("module"))
      .def("named_parameters", [](py::handle self, const std::string& prefix, bool recurse, bool remove_duplicate) {
        return py::iter(named_slots(self, Kind::Parameter, prefix, recurse, remove_duplicate));
      }, py::arg("prefix") = "", py::arg("recurse") = true, py::arg("remove_duplicate") = true)
      .def("parameters", [](py::handle self, bool recurse) {
        return py::iter(slot_objects(self, Kind::Parameter, recurse));
      }, py::arg("recurse") = true)
      .def("named_buffers", [](py::handle self, const std::string& prefix, bool recurse, bool remove_duplicate) {
        return py::iter(named_slots(self, Kind::Buffer, prefix, recurse, remove_duplicate));
      }, py::arg("prefix") = "", py::arg("recurse") = true, py::arg("remove_duplicate") = true)
      .def("buffers", [](py::handle self, bool recurse) {
        return py::iter(slot_objects(self, Kind::Buffer, recurse));
      }, py::arg("recurse") = true)
      .def("named_children", [](Module& self) { return py::iter(distinct_children(self, true)); })
      .def("children", [](Module& self) { return py::iter(distinct_children(self, false)); })
      .def("__dir__", [](py::handle self) {
        // Registered names too, as PyTorch's (they are not all in __dict__); like PyTorch's,
        // no names that are not identifiers ("0").
        py::list names = py::module_::import("builtins").attr("object").attr("__dir__")(self);
        Module& m = module_of(self);
        for (Kind kind : {Kind::Parameter, Kind::Buffer})
          for (const auto& slot : m.slots(kind)) names.append(slot.name);
        for (const auto& [name, child] : m.named_children()) names.append(name);
        py::list out;
        for (py::handle n : py::set(names))
          if (!std::isdigit(static_cast<unsigned char>(n.cast<std::string>()[0]))) out.append(n);
        out.attr("sort")();
        return out;
      })
      .def("_walk_modules", [](Module& self, bool remove_duplicate) {
        // (depth, own name, module) in pre-order: ember/nn/modules.py's named_modules builds the
        // dotted names from them one at a time (all of them at once would grow as depth squared).
        py::list out;
        for (const auto& e : self.walk_modules(remove_duplicate))
          out.append(py::make_tuple(e.depth, e.name, wrapper_of(*e.module)));
        return out;
      }, py::arg("remove_duplicate") = true)
      .def("modules", [](Module& self) {
        py::list out;
        for (const auto& e : self.walk_modules()) out.append(wrapper_of(*e.module));
        return py::iter(out);
      })
      .def_property("training", &Module::is_training, &Module::set_training_flag)
      .def("train", [](py::object self, py::handle mode) {
        EMBER_CHECK(PyBool_Check(mode.ptr()), "training mode is expected to be boolean");
        self.cast<Module&>().Module::train(mode.cast<bool>());  // children's overrides still run
        return self;
      }, py::arg("mode") = true)
      .def("eval", [](py::object self) {
        self.attr("train")(false);
        return self;
      })
      .def("zero_grad", &Module::zero_grad, py::arg("set_to_none") = true)
      .def("apply", [](py::object self, py::function fn) {
        self.cast<Module&>().apply([&](Module& each) { fn(wrapper_of(each)); });
        return self;
      }, py::arg("fn"))
      .def("_to_dtype", [](py::object self, DType dtype) {
        self.cast<Module&>().to(dtype);
        return self;
      })
      .def("_state_dict", &state_dict, py::kw_only(), py::arg("destination") = py::none(), py::arg("prefix") = "",
           py::arg("keep_vars") = false)
      .def("_save_to_state_dict", &save_own_state, py::arg("destination"), py::arg("prefix"), py::arg("keep_vars"))
      .def("_child_slots", [](Module& self) {  // every (name, child or None), a shared child under each name
        py::list out;
        for (const auto& [name, child] : self.named_children()) out.append(py::make_tuple(name, child_object(child)));
        return out;
      })
      .def("_load_state_dict", &load_state_dict, py::arg("state_dict"), py::arg("strict"))
      // ember.func.functional_call: this module's own parameter or buffer slot `name` holds any
      // tensor (a non-leaf too) until the old one, returned here, is put back.
      .def("_swap_tensor", [](Module& self, const std::string& name, const Tensor& value) {
        Module::Slot* slot = self.find(Kind::Parameter, name);
        if (!slot) slot = self.find(Kind::Buffer, name);
        EMBER_CHECK_KEY(slot, self.type_name(), " has no parameter or buffer '", name, "'");
        Tensor old = slot->value;
        slot->value = value;
        return old;
      }, py::arg("name"), py::arg("value"));
  add_pickle<Module>(mod);
}

/// Sequential, ModuleList, ModuleDict and the shape modules (Identity, Flatten, Unflatten).
void bind_containers(py::module_& nm) {
  auto seq = module_class<nn::Sequential>(nm, "Sequential");
  seq.def(py::init([](py::args args) {
       auto s = std::make_unique<PyModule<nn::Sequential>>();
       if (args.size() == 1 && py::isinstance(args[0], py::module_::import("collections").attr("OrderedDict"))) {
         for (auto& [name, child] : named_modules_from(py::type::of<nn::Sequential>(), args[0], "Sequential"))
           s->register_module(name, child);
       } else {
         for (py::handle a : args) s->push_back(module_arg(a, "Sequential"));
       }
       return s;
     }))
      .def("forward", forward_of<nn::Sequential>(), py::arg("input"));
  bind_sequence<nn::Sequential>(seq);

  auto list = module_class<nn::ModuleList>(nm, "ModuleList");
  list.def(py::init([](py::handle modules) {
    auto l = std::make_unique<PyModule<nn::ModuleList>>();
    if (!modules.is_none())
      for (py::handle mm : modules) l->push_back(module_arg(mm, "ModuleList"));
    return l;
  }), py::arg("modules") = py::none());
  bind_sequence<nn::ModuleList>(list);
  list.def("__iadd__", [](py::object self, py::iterable modules) { return self.attr("extend")(modules); });

  module_class<nn::ModuleDict>(nm, "ModuleDict")
      .def(py::init([](py::handle modules) {
        auto d = std::make_unique<PyModule<nn::ModuleDict>>();
        if (!modules.is_none())
          for (auto& [name, child] : named_modules_from(py::type::of<nn::ModuleDict>(), modules, "ModuleDict"))
            d->set(name, child);
        return d;
      }), py::arg("modules") = py::none())
      .def("__getitem__", [](nn::ModuleDict& d, py::handle key) { return child_object(d.at(dict_key(key))); })
      .def("__setitem__", [](py::handle self, py::handle key, py::handle mm) {
        self.cast<nn::ModuleDict&>().set(child_name(py::type::handle_of(self), key), module_arg(mm, "ModuleDict"));
      })
      .def("__delitem__", [](nn::ModuleDict& d, py::handle key) { d.pop(dict_key(key)); })
      .def("__len__", [](nn::ModuleDict& d) { return d.named_children().size(); })
      .def("__iter__", [](nn::ModuleDict& d) { return py::iter(py::cast(d.keys())); })
      .def("__contains__", [](nn::ModuleDict& d, py::handle key) {
        return py::isinstance<py::str>(key) && d.contains(key.cast<std::string>());
      })
      .def("keys", &nn::ModuleDict::keys)
      .def("values", [](nn::ModuleDict& d) {
        py::list out;
        for (auto& [name, child] : d.named_children()) out.append(child_object(child));
        return out;
      })
      .def("items", [](nn::ModuleDict& d) {
        py::list out;
        for (auto& [name, child] : d.named_children()) out.append(py::make_tuple(name, child_object(child)));
        return out;
      })
      .def("update", [](nn::ModuleDict& d, py::handle modules) {
        for (auto& [name, child] : named_modules_from(py::type::of<nn::ModuleDict>(), modules, "ModuleDict.update"))
          d.set(name, child);
      }, py::arg("modules"))
      .def("pop", [](nn::ModuleDict& d, const std::string& key) { return child_object(d.pop(key)); }, py::arg("key"))
      .def("clear", [](nn::ModuleDict& d) {
        for (const auto& key : d.keys()) d.pop(key);
      });

  module_class<nn::Identity>(nm, "Identity")
      .def(py::init([](py::args, py::kwargs) { return std::make_unique<PyModule<nn::Identity>>(); }))
      .def("forward", forward_of<nn::Identity>(), py::arg("input"));
  unary_layer<nn::Flatten>(nm, "Flatten");
  unary_layer<nn::Unflatten>(nm, "Unflatten");
}

/// Linear and the Perceptron.
void bind_layers(py::module_& nm) {
  unary_layer<nn::Linear>(nm, "Linear").def("reset_parameters", &nn::Linear::reset_parameters);
  layer_class<nn::Bilinear>(nm, "Bilinear")
      .def("forward", py::overload_cast<const Tensor&, const Tensor&>(&nn::Bilinear::forward), py::arg("input1"),
           py::arg("input2"))
      .def("reset_parameters", &nn::Bilinear::reset_parameters);

  py::class_<nn::Perceptron::FitResult>(nm, "PerceptronFit", "What Perceptron.fit did.")
      .def_readonly("converged", &nn::Perceptron::FitResult::converged)
      .def_readonly("epochs", &nn::Perceptron::FitResult::epochs)
      .def_readonly("mistakes", &nn::Perceptron::FitResult::mistakes)
      .def("__repr__", [](const nn::Perceptron::FitResult& r) {
        return "PerceptronFit(converged=" + std::string(r.converged ? "True" : "False") +
               ", epochs=" + std::to_string(r.epochs) + ", last_mistakes=" +
               std::to_string(r.mistakes.empty() ? 0 : r.mistakes.back()) + ")";
      });
  unary_layer<nn::Perceptron>(nm, "Perceptron")
      .def("decision_function", &nn::Perceptron::decision_function, py::arg("input"))
      .def("fit", [](nn::Perceptron& p, const Tensor& x, const Tensor& y, double lr, int64_t max_epochs) {
        nn::Perceptron::FitResult r = p.fit(x, y, lr, max_epochs);
        if (!r.converged) {
          const std::string msg = "Perceptron.fit: no convergence in " + std::to_string(r.epochs) + " epochs (" +
                                  std::to_string(r.mistakes.back()) + " mistakes in the last); the data may not be "
                                  "linearly separable";
          if (PyErr_WarnEx(PyExc_RuntimeWarning, msg.c_str(), 1) != 0) throw py::error_already_set();
        }
        return r;
      }, py::arg("x"), py::arg("y"), py::arg("lr") = 1.0, py::arg("max_epochs") = 100);
}

/// The activation modules.
void bind_activations(py::module_& nm) {
  unary_layer<nn::Sigmoid>(nm, "Sigmoid");
  unary_layer<nn::Tanh>(nm, "Tanh");
  unary_layer<nn::ReLU>(nm, "ReLU");
  unary_layer<nn::LeakyReLU>(nm, "LeakyReLU");
  unary_layer<nn::PReLU>(nm, "PReLU").def("reset_parameters", &nn::PReLU::reset_parameters);
  unary_layer<nn::ELU>(nm, "ELU");
  unary_layer<nn::GELU>(nm, "GELU");
  unary_layer<nn::SiLU>(nm, "SiLU");
  unary_layer<nn::LogSigmoid>(nm, "LogSigmoid");
  unary_layer<nn::Softplus>(nm, "Softplus");
  unary_layer<nn::Hardtanh>(nm, "Hardtanh");
  unary_layer<nn::ReLU6>(nm, "ReLU6");
  unary_layer<nn::Hardswish>(nm, "Hardswish");
  unary_layer<nn::Hardsigmoid>(nm, "Hardsigmoid");
  unary_layer<nn::SELU>(nm, "SELU");
  unary_layer<nn::CELU>(nm, "CELU");
  unary_layer<nn::Mish>(nm, "Mish");
  unary_layer<nn::Threshold>(nm, "Threshold");
  unary_layer<nn::Softsign>(nm, "Softsign");
  unary_layer<nn::Tanhshrink>(nm, "Tanhshrink");
  unary_layer<nn::Softmax>(nm, "Softmax");
  unary_layer<nn::LogSoftmax>(nm, "LogSoftmax");
  unary_layer<nn::Softmin>(nm, "Softmin");
  unary_layer<nn::Sign>(nm, "Sign");
  unary_layer<nn::GLU>(nm, "GLU");
  unary_layer<nn::Hardshrink>(nm, "Hardshrink");
  unary_layer<nn::Softshrink>(nm, "Softshrink");
  unary_layer<nn::Softmax2d>(nm, "Softmax2d");
  unary_layer<nn::RReLU>(nm, "RReLU");
}

template <class T>
void bind_batch_norm(py::module_& nm, const char* name) {
  unary_layer<T>(nm, name)
      .def("reset_parameters", &T::reset_parameters)
      .def("reset_running_stats", &T::reset_running_stats);
}

/// BatchNorm1d, BatchNorm2d, LayerNorm, Dropout, GaussianNoise and Embedding.
void bind_normalization_dropout_embedding(py::module_& nm) {
  bind_batch_norm<nn::BatchNorm1d>(nm, "BatchNorm1d");
  bind_batch_norm<nn::BatchNorm2d>(nm, "BatchNorm2d");
  bind_batch_norm<nn::BatchNorm3d>(nm, "BatchNorm3d");
  unary_layer<nn::LayerNorm>(nm, "LayerNorm").def("reset_parameters", &nn::LayerNorm::reset_parameters);
  unary_layer<nn::Dropout>(nm, "Dropout");
  unary_layer<nn::Dropout1d>(nm, "Dropout1d");
  layer_class<nn::Dropout2d>(nm, "Dropout2d").def("forward", [](nn::Dropout2d& m, const Tensor& input) {
    // PyTorch 2.13's warnings for inputs other than (N, C, H, W), written once in Python.
    py::module_::import("ember.nn.functional").attr("_warn_dropout2d")(input.dim());
    return m.forward(input);
  }, py::arg("input"));
  layer_class<nn::Dropout3d>(nm, "Dropout3d").def("forward", [](nn::Dropout3d& m, const Tensor& input) {
    py::module_::import("ember.nn.functional").attr("_warn_dropout3d")(input.dim());
    return m.forward(input);
  }, py::arg("input"));
  unary_layer<nn::GroupNorm>(nm, "GroupNorm").def("reset_parameters", &nn::GroupNorm::reset_parameters);
  unary_layer<nn::GaussianNoise>(nm, "GaussianNoise");
  unary_layer<nn::RMSNorm>(nm, "RMSNorm").def("reset_parameters", &nn::RMSNorm::reset_parameters);
  unary_layer<nn::LocalResponseNorm>(nm, "LocalResponseNorm");
  bind_batch_norm<nn::InstanceNorm1d>(nm, "InstanceNorm1d");
  bind_batch_norm<nn::InstanceNorm2d>(nm, "InstanceNorm2d");
  bind_batch_norm<nn::InstanceNorm3d>(nm, "InstanceNorm3d");
  unary_layer<nn::Embedding>(nm, "Embedding").def("reset_parameters", &nn::Embedding::reset_parameters);
  layer_class<nn::EmbeddingBag>(nm, "EmbeddingBag")  // forward(input, offsets=None, per_sample_weights=None)
      .def("forward", [](nn::EmbeddingBag& m, const Tensor& input, py::handle offsets, py::handle weights) {
        auto opt = [](py::handle h) { return h.is_none() ? Tensor() : tensor_arg(h, "EmbeddingBag.forward"); };
        return m.forward(input, opt(offsets), opt(weights));
      }, py::arg("input"), py::arg("offsets") = py::none(), py::arg("per_sample_weights") = py::none())
      .def("reset_parameters", &nn::EmbeddingBag::reset_parameters);
}

/// A max pool: forward returns (values, indices) when its return_indices is set, as PyTorch's.
template <class T>
void bind_max_pool(py::module_& nm, const char* name) {
  layer_class<T>(nm, name).def("forward", [](T& m, py::object input) -> py::object {
    const std::string op = m.T::type_name() + ".forward";
    const Tensor x = tensor_arg(input, op.c_str());
    if (!m.options.return_indices) return py::cast(m.T::forward(x));
    auto [values, indices] = m.forward_with_indices(x);
    return py::make_tuple(values, indices);
  }, py::arg("input"));
}

/// A transposed convolution: forward(input, output_size=None), as PyTorch's.
template <class T>
void bind_conv_transpose(py::module_& nm, const char* name) {
  layer_class<T>(nm, name)
      .def("forward", [](T& m, py::object input, py::handle output_size) -> py::object {
        const std::string op = m.T::type_name() + ".forward";
        std::optional<Shape> size;
        if (!output_size.is_none()) size = shape_from(output_size, op.c_str());
        return py::cast(m.T::forward(tensor_arg(input, op.c_str()), size));
      }, py::arg("input"), py::arg("output_size") = py::none())
      .def("reset_parameters", &T::reset_parameters);
}

/// The convolution layers.
void bind_conv(py::module_& nm) {
  unary_layer<nn::Conv1d>(nm, "Conv1d").def("reset_parameters", &nn::Conv1d::reset_parameters);
  unary_layer<nn::Conv2d>(nm, "Conv2d").def("reset_parameters", &nn::Conv2d::reset_parameters);
  unary_layer<nn::Conv3d>(nm, "Conv3d").def("reset_parameters", &nn::Conv3d::reset_parameters);
  bind_conv_transpose<nn::ConvTranspose1d>(nm, "ConvTranspose1d");
  bind_conv_transpose<nn::ConvTranspose2d>(nm, "ConvTranspose2d");
  bind_conv_transpose<nn::ConvTranspose3d>(nm, "ConvTranspose3d");
  unary_layer<nn::Unfold>(nm, "Unfold");
  unary_layer<nn::Fold>(nm, "Fold");
}

/// The pooling layers.
void bind_pooling(py::module_& nm) {
  bind_max_pool<nn::MaxPool1d>(nm, "MaxPool1d");
  bind_max_pool<nn::MaxPool2d>(nm, "MaxPool2d");
  bind_max_pool<nn::MaxPool3d>(nm, "MaxPool3d");
  unary_layer<nn::AvgPool1d>(nm, "AvgPool1d");
  unary_layer<nn::AvgPool2d>(nm, "AvgPool2d");
  unary_layer<nn::AvgPool3d>(nm, "AvgPool3d");
  unary_layer<nn::AdaptiveAvgPool1d>(nm, "AdaptiveAvgPool1d");
  unary_layer<nn::AdaptiveAvgPool2d>(nm, "AdaptiveAvgPool2d");
  unary_layer<nn::AdaptiveAvgPool3d>(nm, "AdaptiveAvgPool3d");
  bind_max_pool<nn::AdaptiveMaxPool1d>(nm, "AdaptiveMaxPool1d");
  bind_max_pool<nn::AdaptiveMaxPool2d>(nm, "AdaptiveMaxPool2d");
  bind_max_pool<nn::AdaptiveMaxPool3d>(nm, "AdaptiveMaxPool3d");
}

/// The padding, upsampling and pixel-shuffle layers.
void bind_padding_upsampling(py::module_& nm) {
  unary_layer<nn::ZeroPad1d>(nm, "ZeroPad1d");
  unary_layer<nn::ZeroPad2d>(nm, "ZeroPad2d");
  unary_layer<nn::ConstantPad1d>(nm, "ConstantPad1d");
  unary_layer<nn::ConstantPad2d>(nm, "ConstantPad2d");
  unary_layer<nn::ReflectionPad1d>(nm, "ReflectionPad1d");
  unary_layer<nn::ReflectionPad2d>(nm, "ReflectionPad2d");
  unary_layer<nn::ReplicationPad1d>(nm, "ReplicationPad1d");
  unary_layer<nn::ReplicationPad2d>(nm, "ReplicationPad2d");
  unary_layer<nn::CircularPad1d>(nm, "CircularPad1d");
  unary_layer<nn::CircularPad2d>(nm, "CircularPad2d");
  unary_layer<nn::ZeroPad3d>(nm, "ZeroPad3d");
  unary_layer<nn::ConstantPad3d>(nm, "ConstantPad3d");
  unary_layer<nn::ReflectionPad3d>(nm, "ReflectionPad3d");
  unary_layer<nn::ReplicationPad3d>(nm, "ReplicationPad3d");
  unary_layer<nn::CircularPad3d>(nm, "CircularPad3d");
  unary_layer<nn::Upsample>(nm, "Upsample");
  unary_layer<nn::UpsamplingNearest2d>(nm, "UpsamplingNearest2d");
  unary_layer<nn::UpsamplingBilinear2d>(nm, "UpsamplingBilinear2d");
  unary_layer<nn::PixelShuffle>(nm, "PixelShuffle");
  unary_layer<nn::PixelUnshuffle>(nm, "PixelUnshuffle");
  unary_layer<nn::ChannelShuffle>(nm, "ChannelShuffle");
}

/// A tensor argument that may be None (an absent state).
Tensor optional_tensor(py::handle h, const char* op) { return h.is_none() ? Tensor() : tensor_arg(h, op); }

/// A recurrent layer: the C++ forward over padded or packed input, called by ember/nn/_rnn.py's
/// forward (which handles PackedSequence and the (h0, c0) tuple as PyTorch's).
template <class T>
void bind_recurrent_layer(py::module_& nm, const char* name) {
  layer_class<T>(nm, name)
      .def("_forward", [](T& m, py::object input, py::handle h0, py::handle c0) {
        const std::string op = m.T::type_name() + ".forward";
        nn::RNNBase::Output r = m.RNNBase::forward(tensor_arg(input, op.c_str()), optional_tensor(h0, op.c_str()),
                                                   optional_tensor(c0, op.c_str()));
        return py::make_tuple(r.output, r.h_n, r.c_n.defined() ? py::cast(r.c_n) : py::none());
      }, py::arg("input"), py::arg("h0"), py::arg("c0"))
      .def("_forward_packed", [](T& m, py::object data, const std::vector<int64_t>& batch_sizes, py::handle h0,
                                 py::handle c0) {
        const std::string op = m.T::type_name() + ".forward";
        nn::RNNBase::Output r = m.forward_packed(tensor_arg(data, op.c_str()), batch_sizes,
                                                 optional_tensor(h0, op.c_str()), optional_tensor(c0, op.c_str()));
        return py::make_tuple(r.output, r.h_n, r.c_n.defined() ? py::cast(r.c_n) : py::none());
      }, py::arg("data"), py::arg("batch_sizes"), py::arg("h0"), py::arg("c0"))
      .def_property_readonly("mode", [](const T& m) { return m.config().mode; })
      .def_property_readonly("_flat_weights_names", &T::flat_weights_names)
      .def("reset_parameters", &T::reset_parameters);
}

/// RNNCell, LSTMCell, GRUCell and RNN, LSTM, GRU.
void bind_recurrent(py::module_& nm) {
  layer_class<nn::RNNCell>(nm, "RNNCell")
      .def("forward", [](nn::RNNCell& m, py::object input, py::handle hx) {
        return m.forward(tensor_arg(input, "RNNCell.forward"), optional_tensor(hx, "RNNCell.forward"));
      }, py::arg("input"), py::arg("hx") = py::none())
      .def("reset_parameters", &nn::RNNCell::reset_parameters);
  layer_class<nn::LSTMCell>(nm, "LSTMCell")
      .def("forward", [](nn::LSTMCell& m, py::object input, py::handle hx) {
        const char* op = "LSTMCell.forward";
        Tensor h, c;
        if (!hx.is_none()) {
          EMBER_CHECK_TYPE(py::isinstance<py::tuple>(hx) || py::isinstance<py::list>(hx), op,
                           ": hx must be None or a tuple (h_0, c_0), got ", type_name_of(hx));
          py::sequence pair = py::reinterpret_borrow<py::sequence>(hx);
          EMBER_CHECK(pair.size() == 2, op, ": hx must be a tuple (h_0, c_0), got ", pair.size(), " values");
          h = tensor_arg(pair[0], op), c = tensor_arg(pair[1], op);
        }
        auto [h1, c1] = m.forward(tensor_arg(input, op), h, c);
        return py::make_tuple(h1, c1);
      }, py::arg("input"), py::arg("hx") = py::none())
      .def("reset_parameters", &nn::LSTMCell::reset_parameters);
  layer_class<nn::GRUCell>(nm, "GRUCell")
      .def("forward", [](nn::GRUCell& m, py::object input, py::handle hx) {
        return m.forward(tensor_arg(input, "GRUCell.forward"), optional_tensor(hx, "GRUCell.forward"));
      }, py::arg("input"), py::arg("hx") = py::none())
      .def("reset_parameters", &nn::GRUCell::reset_parameters);
  bind_recurrent_layer<nn::RNN>(nm, "RNN");
  bind_recurrent_layer<nn::LSTM>(nm, "LSTM");
  bind_recurrent_layer<nn::GRU>(nm, "GRU");
}

/// The loss modules (PyTorch's signatures, legacy size_average / reduce flags included).
void bind_losses(py::module_& nm) {
  nm.def("_legacy_reduction", [](py::handle size_average, py::handle reduce, py::handle reduction) {
    std::optional<bool> sa, rd;
    read_value(size_average, {"loss", "size_average"}, sa);
    read_value(reduce, {"loss", "reduce"}, rd);
    if (sa || rd) return nn::legacy_reduction(sa, rd, "");  // torch ignores reduction then
    // checked first, as torch's functional reads it before any tensor
    const std::string word = py::str(reduction).cast<std::string>();
    EMBER_CHECK(py::isinstance<py::str>(reduction) && (word == "mean" || word == "sum" || word == "none"), word,
                " is not a valid value for reduction");
    return word;
  }, py::arg("size_average"), py::arg("reduce"), py::arg("reduction"));
  loss_class<nn::L1Loss>(nm, "L1Loss");
  loss_class<nn::MSELoss>(nm, "MSELoss");
  loss_class<nn::KLDivLoss>(nm, "KLDivLoss");
  loss_class<nn::HuberLoss>(nm, "HuberLoss");
  loss_class<nn::SmoothL1Loss>(nm, "SmoothL1Loss");
  loss_class<nn::BCELoss>(nm, "BCELoss");
  loss_class<nn::BCEWithLogitsLoss>(nm, "BCEWithLogitsLoss");
  loss_class<nn::NLLLoss>(nm, "NLLLoss");
  loss_class<nn::CrossEntropyLoss>(nm, "CrossEntropyLoss");
  ternary_loss_class<nn::MarginRankingLoss>(nm, "MarginRankingLoss", "input1", "input2", "target");
  loss_class<nn::HingeEmbeddingLoss>(nm, "HingeEmbeddingLoss");
  loss_class<nn::SoftMarginLoss>(nm, "SoftMarginLoss");
  ternary_loss_class<nn::CosineEmbeddingLoss>(nm, "CosineEmbeddingLoss", "input1", "input2", "target");
  ternary_loss_class<nn::TripletMarginLoss>(nm, "TripletMarginLoss", "anchor", "positive", "negative");
  loss_class<nn::MultiLabelSoftMarginLoss>(nm, "MultiLabelSoftMarginLoss");
  loss_class<nn::MultiMarginLoss>(nm, "MultiMarginLoss");
  loss_class<nn::MultiLabelMarginLoss>(nm, "MultiLabelMarginLoss");
  layer_class<nn::PoissonNLLLoss>(nm, "PoissonNLLLoss")  // torch names forward's first argument log_input
      .def("forward", py::overload_cast<const Tensor&, const Tensor&>(&nn::PoissonNLLLoss::forward),
           py::arg("log_input"), py::arg("target"));
  layer_class<nn::GaussianNLLLoss>(nm, "GaussianNLLLoss")  // var: a tensor or a float
      .def("forward", [](nn::GaussianNLLLoss& m, const Tensor& input, const Tensor& target, py::handle var) {
        const auto& o = m.options;
        if (PyFloat_Check(var.ptr()))
          return nn::functional::gaussian_nll_loss(input, target, var.cast<double>(), o.full, o.eps, o.reduction);
        return m.forward(input, target, tensor_arg(var, "GaussianNLLLoss.forward"));
      }, py::arg("input"), py::arg("target"), py::arg("var"));
}

}  // namespace py_modules

void bind_nn_modules(py::module_& m) {
  using namespace py_modules;
  py::module_ nm = m.def_submodule("_nn_modules", "C++ side of ember.nn's modules");
  bind_module_base(nm);
  bind_containers(nm);
  bind_layers(nm);
  bind_activations(nm);
  bind_normalization_dropout_embedding(nm);
  bind_conv(nm);
  bind_pooling(nm);
  bind_padding_upsampling(nm);
  bind_losses(nm);
  bind_recurrent(nm);
}

}  // namespace ember

// inspect.signature for every C++ function: one pass after the module is built rewrites each
// pybind11 function's C docstring into CPython's text-signature form,
//     name(a, b=1, *, c=None)\n--\n\n<the docstring>
// from which CPython serves __text_signature__ (so inspect.signature, help() and Sphinx show the
// real parameters) and __doc__ (the docstring alone). Nothing is wrapped: calls cost the same.
// pybind11's typed signature lines ("add(input: ember._C.Tensor, ...) -> ...") stay readable
// through _C._typed_signatures(f), for the stub generator.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <set>

#include "convert.h"

namespace ember {
namespace {

using py::detail::function_record;

struct Param {
  std::string name, default_;  // default_ empty when there is none
};

struct Rendered {
  std::vector<Param> params;
  bool valid = true;  // false when a parameter's name is a Python keyword (no text signature can say it)  // "/", "*", "*args", "**kwargs" appear as names with no default
  std::string text() const {
    std::string s = "(";
    for (size_t i = 0; i < params.size(); ++i) {
      if (i) s += ", ";
      s += params[i].name;
      if (!params[i].default_.empty()) s += "=" + params[i].default_;
    }
    return s + ")";
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const Param& p : params)
      if (p.name != "/" && p.name != "*") out.push_back(p.name);
    return out;
  }
};

/// A default as Python source that ast.literal_eval reads back (CPython's text signatures take
/// only literals); "..." for anything else (an object with no literal spelling).
std::string literal(py::handle value) {
  // Leaked on purpose: a static py::object would be released after the interpreter finalizes.
  static const py::object& literal_eval = *new py::object(py::module_::import("ast").attr("literal_eval"));
  if (PyFloat_Check(value.ptr()) && std::isinf(PyFloat_AS_DOUBLE(value.ptr())))
    return PyFloat_AS_DOUBLE(value.ptr()) > 0 ? "1e309" : "-1e309";
  std::string text = py::repr(value).cast<std::string>();
  try {
    if (literal_eval(text).equal(value)) return text;
  } catch (const py::error_already_set&) {
  }
  return "...";
}

/// One overload's parameters, in the order pybind11 dispatches them (see pybind11's
/// generate_function_signature): nargs counts *args and **kwargs; *args sits at nargs_pos.
Rendered render(const function_record& rec) {
  static const py::object& iskeyword = *new py::object(py::module_::import("keyword").attr("iskeyword"));
  Rendered r;
  const size_t named = rec.nargs - rec.has_args - rec.has_kwargs;
  for (size_t i = 0; i < named; ++i) {
    if (i == rec.nargs_pos) r.params.push_back({rec.has_args ? "*args" : "*", ""});
    Param p;
    if (i < rec.args.size() && rec.args[i].name) p.name = rec.args[i].name;
    else if (i == 0 && rec.is_method) p.name = "self";
    else p.name = "arg" + std::to_string(i - (rec.is_method ? 1 : 0));
    if (i < rec.args.size() && rec.args[i].value) p.default_ = literal(rec.args[i].value);
    r.valid = r.valid && !iskeyword(p.name).cast<bool>();  // uniform_(from=0.0, to=1.0), as torch's
    r.params.push_back(p);
    if (rec.nargs_pos_only > 0 && i + 1 == rec.nargs_pos_only) r.params.push_back({"/", ""});
  }
  if (rec.has_args && rec.nargs_pos >= named) r.params.push_back({"*args", ""});
  if (rec.has_kwargs) r.params.push_back({"**kwargs", ""});
  return r;
}

/// The signature of an overload chain. All overloads alike (add(input, other) for tensors and
/// numbers): that one. Otherwise the longest overload whose parameters start with every other's
/// and whose extra parameters all have defaults (div(input, other, *, rounding_mode=None)), so the
/// common call reads as written; failing that, (*args, **kwargs) (with self for methods), which
/// claims nothing false (also where a parameter is named by a Python keyword).
std::string chain_signature(const function_record* head) {
  std::vector<Rendered> all;
  for (const function_record* it = head; it; it = it->next) all.push_back(render(*it));
  const std::string fallback = head->is_method ? "(self, *args, **kwargs)" : "(*args, **kwargs)";
  for (const Rendered& r : all)
    if (!r.valid) return fallback;
  const Rendered* best = &all[0];
  for (const Rendered& r : all)
    if (r.params.size() > best->params.size()) best = &r;
  const std::vector<std::string> best_names = best->names();
  for (const Rendered& r : all) {
    const std::vector<std::string> names = r.names();
    bool prefix = names.size() <= best_names.size() && std::equal(names.begin(), names.end(), best_names.begin());
    for (size_t i = names.size(); prefix && i < best_names.size(); ++i) {
      for (const Param& p : best->params)
        if (p.name == best_names[i] && p.default_.empty() && p.name[0] != '*') prefix = false;
    }
    if (!prefix) return fallback;
  }
  return best->text();
}

/// The docstrings of the chain, each once (overloads for tensors and numbers share one).
std::string chain_doc(const function_record* head) {
  std::string doc;
  std::set<std::string> seen;
  for (const function_record* it = head; it; it = it->next) {
    if (!it->doc || !*it->doc || !seen.insert(it->doc).second) continue;
    if (!doc.empty()) doc += "\n\n";
    doc += it->doc;
  }
  return doc;
}

const function_record* record_of(py::handle f) {
  if (!f || !PyCFunction_Check(f.ptr())) return nullptr;
  PyObject* self = PyCFunction_GET_SELF(f.ptr());
  if (!self || !py::detail::is_function_record_PyObject(self)) return nullptr;
  return py::detail::function_record_ptr_from_PyObject(self);
}

void rewrite_function(py::handle f, std::set<PyObject*>& done) {
  const function_record* rec = record_of(f);
  if (!rec || !done.insert(f.ptr()).second) return;
  std::string text = std::string(rec->name) + chain_signature(rec) + "\n--\n\n" + chain_doc(rec);
  // The chain's first-made record owns the PyMethodDef (a py::prepend()ed head does not);
  // pybind11 allocated ml_doc with strdup and frees it with std::free.
  PyMethodDef* def = reinterpret_cast<PyCFunctionObject*>(f.ptr())->m_ml;
  std::free(const_cast<char*>(def->ml_doc));
  def->ml_doc = strdup(text.c_str());
}

/// A class's own text signature, from its __init__ (self dropped), so inspect.signature(cls) works.
void rewrite_class(py::handle cls, py::handle init) {
  const function_record* rec = record_of(init);
  auto* type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  // Only where __doc__ is the plain string copied at creation (an enum's reads tp_doc live).
  PyObject* own_doc = PyDict_GetItemString(type->tp_dict, "__doc__");
  if (!rec || !(type->tp_flags & Py_TPFLAGS_HEAPTYPE) || !own_doc || !PyUnicode_Check(own_doc)) return;
  std::string sig = chain_signature(rec);
  if (sig.rfind("(self, ", 0) == 0) sig = "(" + sig.substr(7);
  else if (sig == "(self)") sig = "()";
  else if (sig.rfind("(self", 0) == 0) return;
  const char* doc = type->tp_doc ? type->tp_doc : "";
  std::string name = type->tp_name;
  name = name.substr(name.rfind('.') + 1);
  std::string text = name + sig + "\n--\n\n" + doc;
  // A heap type's tp_doc is PyObject_Malloc'ed and freed with PyObject_Free.
  char* copy = static_cast<char*>(PyObject_Malloc(text.size() + 1));
  if (!copy) throw std::bad_alloc();
  std::memcpy(copy, text.c_str(), text.size() + 1);
  PyObject_Free(const_cast<char*>(type->tp_doc));
  type->tp_doc = copy;
}

void walk(py::handle scope, std::set<PyObject*>& done, std::set<PyObject*>& seen) {
  if (!seen.insert(scope.ptr()).second) return;
  py::dict items = py::reinterpret_borrow<py::dict>(PyModule_Check(scope.ptr()) ? PyModule_GetDict(scope.ptr())
                                                                                 : reinterpret_cast<PyTypeObject*>(scope.ptr())->tp_dict);
  static const py::object& staticmethod = *new py::object(py::module_::import("builtins").attr("staticmethod"));
  for (auto [key, value] : items) {
    PyObject* v = value.ptr();
    if (PyInstanceMethod_Check(v)) v = PyInstanceMethod_GET_FUNCTION(v);
    else if (py::isinstance(value, staticmethod))
      v = value.attr("__func__").ptr();
    if (PyCFunction_Check(v)) {
      rewrite_function(v, done);
    } else if (PyModule_Check(v) || (PyType_Check(v) && py::str(value.attr("__module__")).cast<std::string>().rfind("ember", 0) == 0)) {
      if (PyType_Check(v) && !seen.count(v)) {
        PyObject* init = PyDict_GetItemString(reinterpret_cast<PyTypeObject*>(v)->tp_dict, "__init__");
        if (init && PyInstanceMethod_Check(init)) rewrite_class(v, PyInstanceMethod_GET_FUNCTION(init));
      }
      walk(v, done, seen);
    }
  }
}

}  // namespace

void bind_text_signatures(py::module_& m) {
  m.def("_typed_signatures", [](py::handle f) {
    if (PyInstanceMethod_Check(f.ptr())) f = PyInstanceMethod_GET_FUNCTION(f.ptr());
    std::vector<std::string> out;
    if (const function_record* rec = record_of(f))
      for (const function_record* it = rec; it; it = it->next) out.push_back(std::string(it->name) + it->signature);
    return out;
  }, py::arg("function"), "pybind11's typed signature of each overload of a C++ function (for the .pyi generator).");
  m.def("_add_docstr", [](py::handle obj, const std::string& doc) {
    // The prose of a C++ function's or class's docstring, written in Python (ember/_docs.py), as
    // torch._C._add_docstr: it replaces what follows the text signature's "--" line, which stays.
    auto with_signature = [&doc](const char* old_text) {
      const std::string old = old_text ? old_text : "";
      const size_t at = old.find("\n--\n\n");
      return (at == std::string::npos ? "" : old.substr(0, at + 5)) + doc;
    };
    PyObject* f = obj.ptr();
    if (PyInstanceMethod_Check(f)) f = PyInstanceMethod_GET_FUNCTION(f);
    if (PyType_Check(f) && (reinterpret_cast<PyTypeObject*>(f)->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
      // A class: __doc__ in its dict (where an enum's is a read-only property that Python cannot
      // assign past pybind11's metaclass), and tp_doc, which serves __text_signature__.
      auto* type = reinterpret_cast<PyTypeObject*>(f);
      const std::string text = with_signature(type->tp_doc);
      char* copy = static_cast<char*>(PyObject_Malloc(text.size() + 1));  // freed with PyObject_Free
      if (!copy) throw std::bad_alloc();
      std::memcpy(copy, text.c_str(), text.size() + 1);
      PyObject_Free(const_cast<char*>(type->tp_doc));
      type->tp_doc = copy;
      if (PyDict_SetItemString(type->tp_dict, "__doc__", py::str(doc).ptr()) != 0) throw py::error_already_set();
      PyType_Modified(type);
      return obj;
    }
    if (!record_of(f)) throw py::type_error("_add_docstr: not a C++ function or class of ember");
    PyMethodDef* def = reinterpret_cast<PyCFunctionObject*>(f)->m_ml;
    const std::string text = with_signature(def->ml_doc);
    std::free(const_cast<char*>(def->ml_doc));  // strdup'ed, by pybind11 or rewrite_function
    def->ml_doc = strdup(text.c_str());
    return obj;
  }, py::arg("obj"), py::arg("doc"), "Sets a C++ function's or class's docstring, keeping its text signature.");
  std::set<PyObject*> done, seen;
  walk(m, done, seen);
}

}  // namespace ember

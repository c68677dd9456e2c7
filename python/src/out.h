#pragma once
// out= of the module functions, written once: the op computes its result as usual and
// write_out puts it into the given tensor as torch's out= does (dtype rule, resize, copy, the
// out object returned). outable(fn) adds the trailing `out` argument to any binding lambda.
#include <functional>
#include <type_traits>

#include "convert.h"

namespace ember::py_out {

/// How the result's dtype must relate to out's, per op as torch's.
enum class OutDtype {
  Castable,           // pointwise ops, mean: a same-kind-or-wider cast (RuntimeError otherwise)
  CastableTypeError,  // cat, stack: as Castable, raising TypeError as torch's
  Bool,               // signbit, isposinf, isneginf: a bool out only
  Exact,              // matmul, mm, bmm, where, clamp, abs, amax, argmax, ...: the result's dtype
  DtypeFromOut,       // sum, prod, cumsum: out's dtype is the dtype= left unset
  Creation,           // zeros, rand, eye, ...: as DtypeFromOut, and out is resized silently
  Range,              // linspace, logspace, range: as Creation, but an out holding as many elements
                      // as the result keeps its shape (torch resizes it only when it must)
  Arange,             // arange: as Range, with a warning when out is resized
};

/// Writes result (a Tensor, or a tuple of Tensors for a tuple-valued op) into out and returns
/// out (or a result-typed tuple of the out tensors).
py::object write_out(py::object result, py::handle out, const char* op, OutDtype rule);

/// DtypeFromOut: an unset dtype= takes out's dtype; a given one must match it.
template <class T>
void dtype_from_out(T&, const Tensor&, const char*) {}
void dtype_from_out(std::optional<DType>& dtype, const Tensor& out, const char* op);
/// The out tensor of a DtypeFromOut op.
const Tensor& first_out(py::handle out, const char* op);

/// A binding's result as a Python object (it may be one already: a namedtuple).
template <class R>
py::object as_object(R&& r) {
  if constexpr (std::is_base_of_v<py::handle, std::decay_t<R>>) return py::reinterpret_borrow<py::object>(r);
  else return py::cast(std::forward<R>(r));
}

template <class R, class... A>
auto outable_fn(std::function<R(A...)> fn, const char* op, OutDtype rule) {
  return [fn = std::move(fn), op, rule](A... a, py::object out) -> py::object {
    if (out.is_none()) return as_object(fn(std::forward<A>(a)...));
    if (rule == OutDtype::DtypeFromOut || rule == OutDtype::Creation || rule == OutDtype::Range ||
        rule == OutDtype::Arange) {
      const Tensor& o = first_out(out, op);
      (dtype_from_out(a, o, op), ...);
    }
    return write_out(as_object(fn(std::forward<A>(a)...)), out, op, rule);
  };
}
/// fn with a trailing `out` argument (bind it with py::arg("out") = py::none(), keyword-only).
template <class F>
auto outable(F&& fn, const char* op, OutDtype rule) {
  return outable_fn(std::function{std::forward<F>(fn)}, op, rule);
}

/// m.def with torch's keyword-only out= appended (see out.h for the rule of each kind of op). A
/// private binding (_normal, behind a Python function) names the public op in its errors.
template <class F, class... Extra>
void def_out(py::module_& m, const char* name, OutDtype rule, F&& fn, const Extra&... extra) {
  const char* op = name[0] == '_' ? name + 1 : name;
  if constexpr ((std::is_same_v<Extra, py::kw_only> || ...)) {
    m.def(name, outable(std::forward<F>(fn), op, rule), extra..., py::arg("out") = py::none());
  } else {
    m.def(name, outable(std::forward<F>(fn), op, rule), extra..., py::kw_only(), py::arg("out") = py::none());
  }
}
/// def_both with out= on the module function (the method has none, as torch's).
template <class F, class... Extra>
void def_both_out(py::module_& m, py::class_<Tensor>& cls, const char* name, OutDtype rule, F fn, const Extra&... extra) {
  def_out(m, name, rule, fn, py::arg("input"), extra...);
  cls.def(name, fn, extra...);
}

}  // namespace ember::py_out

// Tensor's hottest Python operators as raw CPython number slots: `a + b`, `a * 0.5`, `1 - a`
// call the C++ op directly instead of going through the type's __add__ lookup and pybind11's
// overload resolution (which, for a Python number, first fails the Tensor overload, and that
// failure alone costs more than a 4-element add). The slots take only the common cases, a plain
// Tensor with a plain Tensor or a Python number; everything else (subclasses, NumPy scalars and
// arrays, unknown types, pow's modulo) goes to the slot CPython made from the __add__ /
// __radd__ methods of bind_tensor.cpp, so results, errors and NotImplemented are those
// methods'. The operator methods stay the one definition of each operator's semantics.
#include "convert.h"
#include "gil.h"

namespace ember {

namespace {

PyTypeObject* g_tensor_type = nullptr;

/// The tensor inside o when o's type is exactly ember.Tensor, else nullptr.
const Tensor* plain_tensor(PyObject* o) {
  if (Py_TYPE(o) != g_tensor_type) return nullptr;
  auto* inst = reinterpret_cast<py::detail::instance*>(o);
  if (!inst->simple_layout || !inst->simple_holder_constructed) return nullptr;
  return static_cast<const Tensor*>(inst->simple_value_holder[0]);
}

/// A Python bool, int or float (what number_operand takes without NumPy).
bool plain_number(PyObject* o) { return PyFloat_CheckExact(o) || PyLong_CheckExact(o) || PyBool_Check(o); }

using Op = Tensor (*)(const Tensor&, const Tensor&);

/// The Python number num as the other operand of t's operator `name`. For a Python float beside
/// a float32 tensor, the ops that cast it to their float32 compute dtype (CastsNumber: + - * /,
/// not ** whose tiny exponents must stay nonzero) get the float32 value made directly, still
/// marked as a Python number for promotion: the value they would cast it to (double to float,
/// one rounding), without a float64 tensor and a cast kernel in between.
template <bool CastsNumber>
Tensor number_for(const Tensor& t, PyObject* num, const char* name) {
  if (CastsNumber && PyFloat_CheckExact(num) && t.dtype() == DType::Float32) {
    Tensor n = scalar_tensor(Scalar(static_cast<double>(static_cast<float>(PyFloat_AS_DOUBLE(num)))), DType::Float32);
    n.impl()->is_wrapped_number = true;
    return n;
  }
  return *py_convert::number_operand(t, num, name);
}

/// Fn(v, w) for the cases above (Reflected(v, w) for a number v), or nullptr with no error set
/// when the generic slot must decide. name is the op as the operator methods name it in errors.
template <Op Fn, bool CastsNumber, Op Reflected>
PyObject* fast_binary(PyObject* v, PyObject* w, const char* name) {
  Tensor r;
  if (const Tensor* a = plain_tensor(v)) {
    if (const Tensor* b = plain_tensor(w)) {
      py_gil::Release nogil(py_gil::heavy(*a, *b));
      r = Fn(*a, *b);
    } else if (plain_number(w)) {
      const Tensor n = number_for<CastsNumber>(*a, w, name);
      py_gil::Release nogil(py_gil::heavy(*a));
      r = Fn(*a, n);
    } else {
      return nullptr;
    }
  } else if (const Tensor* b = plain_tensor(w); b && plain_number(v)) {  // number (op) tensor
    const Tensor n = number_for<CastsNumber>(*b, v, name);
    py_gil::Release nogil(py_gil::heavy(*b));
    r = Reflected(n, *b);
  } else {
    return nullptr;
  }
  return py::cast(std::move(r)).release().ptr();
}

/// type(self).<name>(self, other[, third]), or NotImplemented when the type has no such
/// attribute (CPython's call_maybe: the lookup skips the instance __dict__).
PyObject* call_maybe(PyObject* self, PyObject* name, PyObject* other, PyObject* third = nullptr) {
  PyObject* meth = _PyType_Lookup(Py_TYPE(self), name);  // borrowed
  if (!meth) return Py_NewRef(Py_NotImplemented);
  Py_INCREF(meth);
  PyObject* bound = meth;
  if (descrgetfunc get = Py_TYPE(meth)->tp_descr_get) {
    bound = get(meth, self, reinterpret_cast<PyObject*>(Py_TYPE(self)));
    Py_DECREF(meth);
    if (!bound) return nullptr;
  }
  PyObject* r = PyObject_CallFunctionObjArgs(bound, other, third, nullptr);
  Py_DECREF(bound);
  return r;
}

/// One operator: whether an object's type uses its fast slot, and the names of its methods.
struct Binary {
  bool (*uses_slot)(PyObject*);
  PyObject *op, *rop;
};
template <auto Field, auto Slot>
bool uses(PyObject* o) {
  return Py_TYPE(o)->tp_as_number && Py_TYPE(o)->tp_as_number->*Field == Slot;
}

/// What CPython's own slot does for an operator defined by methods (SLOT1BINFULL in
/// typeobject.c), the fast slot standing for CPython's: self's method, other's reflected one
/// first when other's type is a subclass with its own, other's alone when self's type does not
/// use the slot.
PyObject* generic_binary(PyObject* self, PyObject* other, const Binary& b) {
  auto uses_slot = b.uses_slot;
  bool do_other = Py_TYPE(self) != Py_TYPE(other) && uses_slot(other);
  if (uses_slot(self)) {
    if (do_other && PyType_IsSubtype(Py_TYPE(other), Py_TYPE(self))) {
      PyObject* r = call_maybe(other, b.rop, self);
      if (r != Py_NotImplemented) return r;
      Py_DECREF(r);
      do_other = false;
    }
    PyObject* r = call_maybe(self, b.op, other);
    if (r != Py_NotImplemented || Py_TYPE(other) == Py_TYPE(self)) return r;
    Py_DECREF(r);
  }
  if (do_other) return call_maybe(other, b.rop, self);
  return Py_NewRef(Py_NotImplemented);
}

Binary g_add, g_sub, g_mul, g_div, g_pow;

/// fast(), a C++ exception in it raised as the Python error it maps to. Returns nullptr with no
/// error set where fast() declined, so that the caller's slow path decides.
template <class F>
PyObject* translated(F&& fast) {
  try {
    return fast();
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (...) {
    py::detail::try_translate_exceptions();
  }
  return nullptr;
}

template <Op Fn, bool CastsNumber = true, Op Reflected = Fn>
PyObject* binary_slot(PyObject* v, PyObject* w, const char* name, const Binary& b) {
  PyObject* r = translated([&] { return fast_binary<Fn, CastsNumber, Reflected>(v, w, name); });
  return r || PyErr_Occurred() ? r : generic_binary(v, w, b);
}

PyObject* add_slot(PyObject* v, PyObject* w) { return binary_slot<add>(v, w, "add", g_add); }
PyObject* sub_slot(PyObject* v, PyObject* w) { return binary_slot<sub>(v, w, "sub", g_sub); }
// number * t is t.mul(number), as torch's __rmul__: a 16-bit t reads the number unrounded only as
// the second operand.
Tensor mul_reflected(const Tensor& number, const Tensor& t) { return mul(t, number); }
PyObject* mul_slot(PyObject* v, PyObject* w) {
  return binary_slot<static_cast<Op>(mul), true, mul_reflected>(v, w, "mul", g_mul);
}
PyObject* div_slot(PyObject* v, PyObject* w) {
  return binary_slot<static_cast<Op>(div), true, py_convert::reflected_div>(v, w, "div", g_div);
}
PyObject* pow_slot(PyObject* v, PyObject* w, PyObject* z) {
  if (z == Py_None) return binary_slot<static_cast<Op>(pow), false>(v, w, "pow", g_pow);
  // pow(a, b, mod): CPython's slot calls __pow__ with the modulus only when self's type uses it.
  if (g_pow.uses_slot(v)) return call_maybe(v, g_pow.op, w, z);
  return Py_NewRef(Py_NotImplemented);
}

// ---- t[i] and t[a:b:c] ----------------------------------------------------------------------------
PyObject* g_getitem_name = nullptr;

/// A Python int that fits int64 (not a bool), or nullopt.
std::optional<int64_t> plain_int(PyObject* o) {
  if (!PyLong_CheckExact(o)) return std::nullopt;
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (overflow) return std::nullopt;
  return static_cast<int64_t>(v);
}

/// key as one index entry when it is a plain int or a slice of plain ints and Nones; nullopt for
/// everything else (tuples, tensors, NumPy ints, ...), which __getitem__ parses.
std::optional<TensorIndex> simple_index(PyObject* key) {
  if (std::optional<int64_t> i = plain_int(key)) return TensorIndex(*i);
  if (!PySlice_Check(key)) return std::nullopt;
  auto* s = reinterpret_cast<PySliceObject*>(key);
  Slice out;
  PyObject* fields[3] = {s->start, s->stop, s->step};
  std::optional<int64_t>* bounds[3] = {&out.start, &out.stop, &out.step};
  for (int k = 0; k < 3; ++k) {
    if (fields[k] == Py_None) continue;
    std::optional<int64_t> v = plain_int(fields[k]);
    if (!v) return std::nullopt;
    *bounds[k] = *v;
  }
  return TensorIndex(out);
}

PyObject* getitem_slot(PyObject* self, PyObject* key) {
  PyObject* r = translated([&]() -> PyObject* {
    const Tensor* t = plain_tensor(self);
    std::optional<TensorIndex> i = t ? simple_index(key) : std::nullopt;
    return i ? py::cast(index(*t, {*i})).release().ptr() : nullptr;
  });
  return r || PyErr_Occurred() ? r : call_maybe(self, g_getitem_name, key);  // what CPython's own slot calls
}
}  // namespace

/// Installs the fast slots on Tensor; called once its operator methods are bound.
void bind_fast_ops(py::class_<Tensor>& cls) {
  g_tensor_type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  auto name = [](const char* s) { return PyUnicode_InternFromString(s); };  // kept for the process
  g_add = {uses<&PyNumberMethods::nb_add, add_slot>, name("__add__"), name("__radd__")};
  g_sub = {uses<&PyNumberMethods::nb_subtract, sub_slot>, name("__sub__"), name("__rsub__")};
  g_mul = {uses<&PyNumberMethods::nb_multiply, mul_slot>, name("__mul__"), name("__rmul__")};
  g_div = {uses<&PyNumberMethods::nb_true_divide, div_slot>, name("__truediv__"), name("__rtruediv__")};
  g_pow = {uses<&PyNumberMethods::nb_power, pow_slot>, name("__pow__"), name("__rpow__")};
  PyNumberMethods* nb = g_tensor_type->tp_as_number;
  nb->nb_add = add_slot;
  nb->nb_subtract = sub_slot;
  nb->nb_multiply = mul_slot;
  nb->nb_true_divide = div_slot;
  nb->nb_power = pow_slot;
  g_getitem_name = name("__getitem__");
  g_tensor_type->tp_as_mapping->mp_subscript = getitem_slot;
}

}  // namespace ember

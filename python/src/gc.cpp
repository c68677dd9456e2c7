// tp_traverse / tp_clear of the Tensor, Node and Module types (see gc.h).
//
// What each wrapper visits, and why only it:
// - Tensor: when its TensorImpl has no other owner, the tensor hooks on the impl (a leaf's) and,
//   when the impl alone holds its grad_fn, that node's hooks and custom-Function backward.
// - Node (a grad_fn object, one per node while it lives): the same, when nothing else holds the node.
// - Module: its instance __dict__, and each child that holds a Python module alive through
//   pybind11's trampoline life support (one reference per child object, shared by every C++
//   shared_ptr to it), when this parent's pointer is the only one.
// tp_clear drops exactly what tp_traverse visits; the C++ objects stay valid.
#include "gc.h"

#include <vector>

#include "ember/autograd.h"
#include "ember/nn/module.h"

namespace ember::py_gc {

Tensor TensorHook::operator()(const Tensor& grad) const {
  py::gil_scoped_acquire gil;
  if (!fn) return Tensor();  // dropped by the GC: the graph it belonged to is garbage
  py::object r = fn(grad);
  return r.is_none() ? Tensor() : py_convert::tensor_arg(r, "hook result");
}

void PostAccumulateGradHook::operator()(const Tensor& leaf) const {
  py::gil_scoped_acquire gil;
  if (!fn) return;
  py::object r = fn(leaf);
  EMBER_CHECK_TYPE(r.is_none(), "post accumulate grad hook: expected None, but hook returned '",
                   std::string(py::str(r.get_type().attr("__name__"))), "'");
}

namespace {

using nn::Module;
using nn::ModulePtr;
using Objects = std::vector<py::object>;

template <class Callable, class Fn>
PyObject* held(const Fn& f) {
  const Callable* c = f.template target<Callable>();
  return c ? c->fn.ptr() : nullptr;
}

template <class Callable, class Fn>
void take(Fn& f, Objects& out) {
  if (Callable* c = f.template target<Callable>(); c && c->fn) out.push_back(c->fn.take());
}

int visit_node(Node& n, visitproc visit, void* arg) {
  for (Node::Hook& h : n.hooks) Py_VISIT(held<TensorHook>(h.fn));
  if (auto* f = dynamic_cast<FunctionNode*>(&n)) Py_VISIT(held<FunctionBackward>(f->backward_fn()));
  return 0;
}

void take_node(Node& n, Objects& out) {
  for (Node::Hook& h : n.hooks) take<TensorHook>(h.fn, out);
  if (auto* f = dynamic_cast<FunctionNode*>(&n)) take<FunctionBackward>(f->backward_fn(), out);
}

// ---- Tensor ----------------------------------------------------------------------------------
/// The autograd metadata of the tensor behind a Python Tensor, when that object alone owns it.
AutogradMeta* owned_meta(PyObject* self) {
  if (!py::detail::is_holder_constructed(self)) return nullptr;
  const Tensor& t = py::handle(self).cast<const Tensor&>();
  if (!t.defined() || t.impl_ptr().use_count() != 1) return nullptr;
  const auto& m = t.impl()->autograd;
  return m && m.use_count() == 1 ? m.get() : nullptr;
}

int tensor_traverse(PyObject* self, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(self));  // instances of heap types hold their type
  AutogradMeta* m = owned_meta(self);
  if (!m) return 0;
  for (auto& [id, fn] : m->hooks) Py_VISIT(held<TensorHook>(fn));
  for (auto& [id, fn] : m->post_accumulate_grad_hooks) Py_VISIT(held<PostAccumulateGradHook>(fn));
  if (m->grad_fn && m->grad_fn.use_count() == 1) return visit_node(*m->grad_fn, visit, arg);
  return 0;
}

int tensor_clear(PyObject* self) {
  Objects dropped;  // released after the C++ objects are no longer touched
  if (AutogradMeta* m = owned_meta(self)) {
    for (auto& [id, fn] : m->hooks) take<TensorHook>(fn, dropped);
    for (auto& [id, fn] : m->post_accumulate_grad_hooks) take<PostAccumulateGradHook>(fn, dropped);
    if (m->grad_fn && m->grad_fn.use_count() == 1) take_node(*m->grad_fn, dropped);
  }
  return 0;
}

// ---- Node ------------------------------------------------------------------------------------
Node* owned_node(PyObject* self) {
  auto v_h = reinterpret_cast<py::detail::instance*>(self)->get_value_and_holder();
  if (!v_h.holder_constructed()) return nullptr;
  const auto& node = v_h.holder<std::shared_ptr<Node>>();
  return node.use_count() == 1 ? node.get() : nullptr;
}

int node_traverse(PyObject* self, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(self));
  Node* n = owned_node(self);
  return n ? visit_node(*n, visit, arg) : 0;
}

int node_clear(PyObject* self) {
  Objects dropped;
  if (Node* n = owned_node(self)) take_node(*n, dropped);
  return 0;
}

// ---- Module ----------------------------------------------------------------------------------
/// The C++ module behind a Python one, when that object alone owns it (not a module made in C++
/// and only referenced from Python, nor one that C++ shares).
Module* owned_module(PyObject* self) {
  auto v_h = reinterpret_cast<py::detail::instance*>(self)->get_value_and_holder();
  if (!v_h.holder_constructed()) return nullptr;  // before Module.__init__
  const auto& hld = v_h.holder<py::smart_holder>();
  if (!hld.has_pointee() || hld.vptr_is_using_noop_deleter || hld.vptr.use_count() != 1) return nullptr;
  return &py::handle(self).cast<Module&>();
}

/// The Python module a child pointer keeps alive (pybind11's life support of a Python-made
/// module held by C++), when this pointer is its only C++ owner.
PyObject* owned_python_child(const ModulePtr& child) {
  if (!child || child.use_count() != 1) return nullptr;
  using LifeSupport = py::detail::smart_holder_type_caster_support::shared_ptr_trampoline_self_life_support;
  auto* life = std::get_deleter<LifeSupport>(child);
  return life ? life->self : nullptr;
}

int module_traverse(PyObject* self, visitproc visit, void* arg);

/// Whether self's type is one of the bound module classes rather than a Python subclass: a
/// subclass's own traverse (subtype_traverse) visits the instance dict already, and a dict
/// visited twice hides every cycle through it.
bool is_bound_class(PyObject* self) { return Py_TYPE(self)->tp_traverse == &module_traverse; }

int module_traverse(PyObject* self, visitproc visit, void* arg) {
  if (is_bound_class(self)) {
    if (int r = py::detail::pybind11_traverse(self, visit, arg)) return r;  // __dict__ and type
  } else {
    Py_VISIT(Py_TYPE(self));
  }
  Module* m = owned_module(self);
  if (!m) return 0;
  for (const auto& [name, child] : m->named_children()) Py_VISIT(owned_python_child(child));
  return 0;
}

int module_clear(PyObject* self) {
  if (is_bound_class(self)) py::detail::pybind11_clear(self);
  std::vector<ModulePtr> dropped;
  if (Module* m = owned_module(self)) {
    for (const auto& [name, child] : m->named_children())
      if (owned_python_child(child)) dropped.push_back(std::move(*m->find_child(name)));  // leaves an empty slot
  }
  return 0;
}

py::custom_type_setup gc_setup(traverseproc traverse, inquiry clear) {
  return py::custom_type_setup([traverse, clear](PyHeapTypeObject* heap_type) {
    PyTypeObject* type = &heap_type->ht_type;
    type->tp_flags |= Py_TPFLAGS_HAVE_GC;
    type->tp_traverse = traverse;
    type->tp_clear = clear;
  });
}

}  // namespace

py::custom_type_setup tensor_type_setup() { return gc_setup(tensor_traverse, tensor_clear); }
py::custom_type_setup node_type_setup() { return gc_setup(node_traverse, node_clear); }
py::custom_type_setup module_type_setup() { return gc_setup(module_traverse, module_clear); }

}  // namespace ember::py_gc

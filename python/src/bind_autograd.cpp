// Autograd in Python: Tensor's autograd attributes, graph nodes (grad_fn), the engine entry
// points, grad and anomaly modes, gradcheck, and the hook custom Functions record through.
#include <algorithm>
#include <cstdio>

#include "convert.h"
#include "ember/autograd.h"
#include "gc.h"

namespace ember {

using namespace py_convert;

namespace {
/// A hook registered on a tensor; remove() takes it off (as torch's RemovableHandle).
struct HookHandle {
  std::weak_ptr<TensorImpl> tensor;
  std::weak_ptr<Node> node;  // where a non-leaf's hook lives, even after the tensor's history moved on
  int64_t id;
  void remove() {
    if (auto n = node.lock())
      n->hooks.erase(std::remove_if(n->hooks.begin(), n->hooks.end(), [this](const Node::Hook& h) { return h.id == id; }),
                     n->hooks.end());
    if (auto impl = tensor.lock()) autograd::remove_hook(Tensor(impl), id);
  }
};

Tensors tensors_or_none(py::handle seq, const char* what) {
  EMBER_CHECK_TYPE(py::isinstance<py::sequence>(seq) && !py::isinstance<py::str>(seq), what,
                   ": expected a Tensor or a sequence of Tensors, got ",
                   std::string(py::str(seq.get_type().attr("__name__"))));
  Tensors out;
  for (py::handle h : seq) out.push_back(h.is_none() ? Tensor() : tensor_arg(h, what));
  return out;
}

/// One tensor or a sequence of tensors, as torch.autograd's arguments.
Tensors tensor_list(py::handle h, const char* what) {
  if (h.is_none()) return {};
  if (py::isinstance<Tensor>(h)) return {h.cast<Tensor>()};
  return tensors_or_none(h, what);
}

py::object grads_to_python(const Tensors& gs) {
  py::tuple out(gs.size());
  for (size_t i = 0; i < gs.size(); ++i) out[i] = gs[i].defined() ? py::cast(gs[i]) : py::none();
  return std::move(out);
}

std::optional<bool> retain_from(py::handle h) {
  if (h.is_none()) return std::nullopt;
  return h.cast<bool>();
}

/// A Python callable (list of tensors -> tensor or sequence of tensors) as a C++ Function.
autograd::Function function_from(py::function fn) {
  return [fn](const Tensors& args) {
    py::object r = fn(py::cast(args));
    return tensor_list(r, "gradcheck: fn's result");
  };
}
}  // namespace

Tensors py_gc::FunctionBackward::operator()(const Tensors& grads, const Tensors& saved) const {
  py::gil_scoped_acquire gil;
  EMBER_CHECK_RUNTIME(fn, "custom Function backward: the Function was freed by the garbage collector");
  py::object r = fn(grads_to_python(grads), grads_to_python(saved));
  return tensors_or_none(r, "Function backward's result");
}

namespace {
/// A node as a Python object whose type is named after its op (AddBackward0), as torch's classes
/// per op are (graph printers read type(fn).__name__): a subclass of Node without slots of its
/// own, made once per name, so the object only changes its class.
py::object node_object(const std::shared_ptr<Node>& n) {
  py::object obj = py::cast(n);
  static py::dict& classes = *new py::dict();  // one per process, never freed (as the module)
  const py::str name(n->display_name());
  if (!classes.contains(name))
    classes[name] = py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(&PyType_Type))(
        name, py::make_tuple(py::type::of<Node>()), py::dict(py::arg("__slots__") = py::tuple(),
                                                       py::arg("__module__") = "ember.autograd.graph"));
  if (!obj.get_type().is(classes[name])) obj.attr("__class__") = classes[name];
  return obj;
}
}  // namespace

void bind_autograd(py::module_& m, py::class_<Tensor>& cls) {
  py::class_<Node, std::shared_ptr<Node>>(m, "Node", py_gc::node_type_setup(),
                                          "A recorded op of the autograd graph (a tensor's grad_fn).")
      .def("name", &Node::display_name)
      .def_property_readonly("next_functions", [](const Node& n) {
        py::tuple out(n.next_edges.size());
        for (size_t i = 0; i < n.next_edges.size(); ++i) {
          const Edge& e = n.next_edges[i];
          out[i] = py::make_tuple(e.fn ? node_object(e.fn) : py::none(), e.input_nr);
        }
        return out;
      })
      .def("__repr__", [](const std::shared_ptr<Node>& n) {
        char address[2 + 2 * sizeof(uintptr_t) + 1];  // "0x7f...", as torch's (and Python's) reprs
        std::snprintf(address, sizeof(address), "0x%jx", static_cast<uintmax_t>(reinterpret_cast<uintptr_t>(n.get())));
        return "<" + n->display_name() + " object at " + address + ">";
      });
  py::class_<HookHandle>(m, "RemovableHandle", R"doc(What Tensor.register_hook, Tensor.register_post_accumulate_grad_hook and Node.register_hook return: remove() unregisters the hook.

Args:
    (none: made by register_hook.)

Example::

    >>> x = ember.ones(2, requires_grad=True)
    >>> handle = x.register_hook(lambda g: g * 2)
    >>> handle.remove()
)doc").def("remove", &HookHandle::remove, "Unregisters the hook (a second call does nothing).");

  cls.def_property("requires_grad", &Tensor::requires_grad,
                   [](const Tensor& t, py::handle v) {
                     EMBER_CHECK_RUNTIME(PyBool_Check(v.ptr()), "requires_grad must be a bool");
                     // The attribute is the leaves' flag; requires_grad_() accepts True on others.
                     EMBER_CHECK_RUNTIME(autograd::is_leaf(t), "requires_grad: you can only change requires_grad "
                                         "flags of leaf variables.");
                     autograd::set_requires_grad(t, v.ptr() == Py_True);
                   })
      .def("requires_grad_", [](py::object self, py::handle v) {
             EMBER_CHECK_TYPE(PyBool_Check(v.ptr()), "requires_grad_(): argument 'requires_grad' must be bool, not ",
                              std::string(py::str(v.get_type().attr("__name__"))));
             autograd::set_requires_grad(self.cast<const Tensor&>(), v.ptr() == Py_True);
             return self;
           }, py::arg("requires_grad") = true)
      .def_property("grad", [](const Tensor& t) -> py::object {
             Tensor g = autograd::grad(t);
             return g.defined() ? py::cast(g) : py::none();
           }, [](const Tensor& t, py::handle g) { autograd::set_grad(t, g.is_none() ? Tensor() : tensor_arg(g, "grad")); })
      .def_property_readonly("grad_fn", [](const Tensor& t) -> py::object {
             auto fn = autograd::grad_fn(t);
             return fn ? node_object(fn) : py::none();
           })
      .def_property_readonly("is_leaf", &autograd::is_leaf)
      .def("detach", &autograd::detach)
      .def("detach_", [](py::object self) {
             // torch refuses any view here (its base would keep the history), not only one with history
             const Tensor& t = self.cast<const Tensor&>();
             EMBER_CHECK_RUNTIME(!t.is_view(), "detach_: can't detach views in-place; use detach() instead");
             autograd::detach_(t);
             return self;
           })
      .def("retain_grad", &autograd::retain_grad)
      .def_property_readonly("retains_grad", &autograd::retains_grad)
      .def("register_hook", [](const Tensor& t, py::function fn) {
             const int64_t id = autograd::register_hook(t, py_gc::TensorHook{py_gil::Object(fn)});
             return HookHandle{t.impl_ptr(), autograd::grad_fn(t), id};
           }, py::arg("hook"))
      .def("register_post_accumulate_grad_hook", [](const Tensor& t, py::function fn) {
             const int64_t id = autograd::register_post_accumulate_grad_hook(t, py_gc::PostAccumulateGradHook{py_gil::Object(fn)});
             return HookHandle{t.impl_ptr(), {}, id};
           }, py::arg("hook"), R"doc(Registers hook(tensor) -> None, run on this leaf after backward has accumulated into its .grad.

Args:
    hook (Callable): called with the leaf itself; it must return None.

Returns:
    RemovableHandle: remove() unregisters the hook.

Example::

    >>> w = ember.ones(2, requires_grad=True)
    >>> handle = w.register_post_accumulate_grad_hook(lambda p: print(p.grad))
    >>> (w * 3).sum().backward()
    tensor([3., 3.])
)doc")
      .def_property("data", [](const Tensor& t) {
             // Same memory, no history, and a version counter of its own (as PyTorch's .data):
             // changes made through it are not checked against saved tensors.
             Tensor d = autograd::detach(t);
             const Storage& s = *t.storage();
             d.impl()->storage = Storage::wrap(s.owner, s.nbytes, s.device);
             d.impl()->storage->readonly = s.readonly;
             return d;
           }, &autograd::set_data);

  py::module_ ag = m.def_submodule("_autograd", "C++ side of ember.autograd");
  // The engine runs without the GIL; Python hooks and Functions on the graph take it (gc.h).
  ag.def("backward", [](py::handle tensors, py::handle grad_tensors, py::handle retain_graph, bool create_graph) {
          const Tensors ts = tensor_list(tensors, "backward: tensors");
          const Tensors gs = tensor_list(grad_tensors, "backward: grad_tensors");
          const std::optional<bool> retain = retain_from(retain_graph);
          py::gil_scoped_release nogil;
          autograd::backward(ts, gs, retain, create_graph);
        }, py::arg("tensors"), py::arg("grad_tensors") = py::none(), py::arg("retain_graph") = py::none(),
        py::arg("create_graph") = false);
  ag.def("grad", [](py::handle outputs, py::handle inputs, py::handle grad_outputs, py::handle retain_graph,
                    bool create_graph, bool allow_unused) {
          const Tensors outs = tensor_list(outputs, "grad: outputs"), ins = tensor_list(inputs, "grad: inputs");
          const Tensors gouts = tensor_list(grad_outputs, "grad: grad_outputs");
          const std::optional<bool> retain = retain_from(retain_graph);
          Tensors grads;
          {
            py::gil_scoped_release nogil;
            grads = autograd::grad(outs, ins, gouts, retain, create_graph, allow_unused);
          }
          return grads_to_python(grads);
        }, py::arg("outputs"), py::arg("inputs"), py::arg("grad_outputs") = py::none(),
        py::arg("retain_graph") = py::none(), py::arg("create_graph") = false, py::arg("allow_unused") = false);
  ag.def("is_grad_enabled", &autograd::is_grad_enabled);
  ag.def("set_grad_enabled", &autograd::set_grad_enabled, py::arg("mode"));
  ag.def("is_anomaly_enabled", &autograd::is_anomaly_enabled);
  ag.def("set_anomaly_enabled", &autograd::set_anomaly_enabled, py::arg("mode"));
  ag.def("set_creation_site_provider", [](py::object provider) {
    if (provider.is_none()) return autograd::set_creation_site_provider(nullptr);  // at exit: drop the callable
    // Ops that record run without the GIL when their tensors are large: take it back.
    autograd::set_creation_site_provider([provider = py_gil::Object(provider)]() {
      py::gil_scoped_acquire gil;
      return provider().cast<std::string>();
    });
  });
  ag.def("gradcheck", [](py::function fn, const Tensors& inputs, double eps, double atol, double rtol, bool raise) {
    return autograd::gradcheck(function_from(fn), inputs, {eps, atol, rtol, raise});
  }, py::arg("fn"), py::arg("inputs"), py::arg("eps"), py::arg("atol"), py::arg("rtol"), py::arg("raise_exception"));
  ag.def("gradgradcheck", [](py::function fn, const Tensors& inputs, py::handle grad_outputs, double eps, double atol,
                             double rtol, bool raise) {
    return autograd::gradgradcheck(function_from(fn), inputs, tensor_list(grad_outputs, "gradgradcheck: grad_outputs"),
                                   {eps, atol, rtol, raise});
  }, py::arg("fn"), py::arg("inputs"), py::arg("grad_outputs"), py::arg("eps"), py::arg("atol"), py::arg("rtol"),
     py::arg("raise_exception"));
  // Custom Functions: connects outputs to a node whose backward calls back into Python with
  // (gradients of the outputs, the saved tensors unpacked) and returns one gradient per input.
  ag.def("record_function", [](const std::string& name, py::handle outputs, py::handle inputs, py::handle saved,
                               py::function backward, const std::vector<size_t>& non_differentiable) {
    Tensors outs = tensors_or_none(outputs, "Function outputs");
    autograd::record(name.c_str(), outs, tensors_or_none(inputs, "Function inputs"),
                     tensors_or_none(saved, "save_for_backward"), py_gc::FunctionBackward{py_gil::Object(backward)});
    for (size_t i : non_differentiable) {  // outputs that carry no gradient (mark_non_differentiable)
      EMBER_CHECK(i < outs.size(), "record_function: output index ", i, " out of range");
      if (outs[i].defined() && outs[i].impl()->autograd) {
        outs[i].impl()->autograd->grad_fn.reset();
        outs[i].impl()->autograd->requires_grad = false;
      }
    }
  }, py::arg("name"), py::arg("outputs"), py::arg("inputs"), py::arg("saved"), py::arg("backward"),
     py::arg("non_differentiable"));
  // Function.mark_dirty: the input modified in place takes the history its output alias got.
  ag.def("take_history", [](const Tensor& dst, const Tensor& src) {
    const AutogradMeta* sm = src.impl()->autograd.get();
    auto& dm = dst.impl()->autograd;
    if (!dm) dm = std::make_shared<AutogradMeta>();
    dm->requires_grad = sm && sm->requires_grad;
    dm->grad_fn = sm ? sm->grad_fn : nullptr;
    dm->output_nr = sm ? sm->output_nr : 0;
  }, py::arg("dst"), py::arg("src"));
  // ember.autograd.graph.saved_tensors_hooks: the Python pack and unpack callables, called under
  // the GIL (unpack runs on the engine's threads); what pack returns is freed under the GIL too.
  ag.def("_push_saved_tensors_hooks", [](py::function pack, py::function unpack) {
    auto hooks = std::make_shared<SavedTensorHooks>();
    hooks->pack = [pack = py_gil::Object(pack)](const Tensor& t) -> std::shared_ptr<void> {
      py::gil_scoped_acquire gil;
      return std::make_shared<py_gil::Object>(pack(t));
    };
    hooks->unpack = [unpack = py_gil::Object(unpack)](const std::shared_ptr<void>& packed) {
      py::gil_scoped_acquire gil;
      py::object t = unpack(py::handle(static_cast<const py_gil::Object*>(packed.get())->ptr()));
      EMBER_CHECK_TYPE(py::isinstance<Tensor>(t), "Output of saved tensor unpack_hook expected to be a Tensor but got "
                       "result of type ", std::string(py::str(py::type::handle_of(t).attr("__name__"))));
      return t.cast<Tensor>();
    };
    autograd::push_saved_tensor_hooks(std::move(hooks));
  }, py::arg("pack_hook"), py::arg("unpack_hook"));
  ag.def("_pop_saved_tensors_hooks", &autograd::pop_saved_tensor_hooks);
  ag.def("_is_checkpoint_valid", &autograd::is_checkpoint_valid,
         "False inside grad() or backward(inputs=...) (ember.utils.checkpoint's reentrant variant refuses them).");
  ag.def("_saved_tensors_hooks_disabled", &autograd::saved_tensor_hooks_disabled,
         "The message pushing hooks raises on this thread ('' when enabled).");
  ag.def("_set_saved_tensors_hooks_disabled", &autograd::set_saved_tensor_hooks_disabled, py::arg("message"));
  m.def("_live_tensor_count", &autograd::live_tensor_count, "Live TensorImpl objects (for leak tests).");
  m.def("_live_node_count", &autograd::live_node_count, "Live autograd graph nodes (for leak tests).");
}

}  // namespace ember

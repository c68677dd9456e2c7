// ember._C._graph: kernel-level capture and replay (ember/graph.h), wrapped by ember.compile.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <set>
#include <string>

#include "convert.h"
#include "ember/graph.h"
#include "ember/optim/optimizer.h"
#include "graph_io.h"

namespace ember {

void bind_graph(py::module_& m) {
  py::module_ gm = m.def_submodule("_graph", "C++ side of ember.compile: kernel-level capture and replay");

  py::class_<graph::Graph, std::shared_ptr<graph::Graph>>(gm, "Graph", "A captured sequence of kernels and effects.")
      .def_property_readonly("replayable", &graph::Graph::replayable, "Whether run() can replay it.")
      .def_property_readonly("why_not", &graph::Graph::why_not, "Why it cannot be replayed ('' when it can).")
      .def_property_readonly("ran_backward", &graph::Graph::ran_backward, "Whether a backward ran in the capture.")
      .def_property_readonly("kernel_count", &graph::Graph::kernel_count, "Recorded kernel calls.")
      .def_property_readonly("effect_count", &graph::Graph::effect_count, "Recorded effects.")
      .def("ops", [](const graph::Graph& g) {
        std::vector<std::pair<std::string, bool>> out;
        for (const graph::Step& s : g.steps()) out.emplace_back(s.op, s.effect);
        return out;
      }, "[(op name, is_effect)] in the order they run.")
      .def("set_io", &graph::Graph::set_io, py::arg("inputs"), py::arg("outputs"),
           "Sets the captured run's input stand-ins (make_input) and its outputs.")
      .def("set_options", &graph::Graph::set_options, py::arg("dead_code_elimination") = true,
           py::arg("memory_plan") = true, py::arg("pointwise_fusion") = true,
           "The optimizations run() applies before its first replay.")
      .def("plan", [](const graph::Graph& g) -> py::object {
        const graph::Plan& p = g.plan();
        if (!p.done) return py::none();
        py::dict d;
        d["kernels_dropped"] = p.kernels_dropped;
        d["planned_buffers"] = p.planned_buffers;
        d["planned_bytes"] = p.planned_bytes;
        d["arena_bytes"] = p.arena_bytes;
        py::list fused;
        for (const graph::Plan::Fused& f : p.fused) {
          py::dict chain;
          chain["ops"] = f.ops;
          chain["numel"] = f.numel;
          chain["bytes_not_written"] = f.bytes_not_written;
          fused.append(chain);
        }
        d["fused"] = fused;
        return d;
      }, "What the optimizations did (None before the first replay).")
      .def("named", py::overload_cast<>(&graph::Graph::named, py::const_),
           "[(name, tensor)]: the tensors a saved graph names (its parameters and buffers).")
      .def("set_named", &graph::Graph::set_named, py::arg("named"), "Names tensors for save().")
      .def("run", &graph::Graph::run, py::arg("inputs"), py::call_guard<py::gil_scoped_release>(),
           "Points the inputs at new tensors' memory, replays, and returns copies of the outputs.");

  py::class_<graph::Capture>(gm, "Capture", "Records the kernels and effects this thread runs until finish().")
      .def(py::init<>())
      .def("finish", &graph::Capture::finish, "Ends the capture and returns its Graph.");

  gm.def("make_input", &graph::make_input, py::arg("tensor"),
         "A stand-in for tensor to capture with: its own tensor on tensor's memory, without history.");
  gm.def("capturing", &graph::capturing, "Whether this thread is capturing (outside an effect).");
  gm.def("refuse", &graph::refuse, py::arg("why"), "Marks this thread's capture as not replayable.");
  // optimizer as an object: the stubs of this module do not import _optim's classes.
  gm.def("effect", [](py::function fn, py::object optimizer_object, std::optional<bool> zero_grad,
                      const std::string& name) {
    optim::Optimizer* optimizer = optimizer_object.is_none() ? nullptr : optimizer_object.cast<optim::Optimizer*>();
    // A replay runs without the GIL: the effect takes it back to call, copy or drop the function.
    std::shared_ptr<py::function> f(new py::function(std::move(fn)), [](py::function* p) {
      py::gil_scoped_acquire gil;
      delete p;
    });
    // A built-in optimizer's step or zero_grad is saved as the C++ call it makes (graph::save).
    std::function<void(graph::StepWriter&)> save;
    if (optimizer && zero_grad) {
      save = [optimizer, set_to_none = *zero_grad](graph::StepWriter& w) {
        w.word("zero_grad");
        w.optimizer(optimizer);
        w.i64(set_to_none);
      };
    } else if (optimizer) {
      save = [optimizer](graph::StepWriter& w) {
        w.word("optimizer_step");
        w.optimizer(optimizer);
      };
    }
    static std::set<std::string> names;  // a Step keeps its name as a const char*
    const char* op = names.insert(name).first->c_str();  // under the GIL
    graph::effect(op, [f] {
      py::gil_scoped_acquire gil;
      (*f)();
    }, std::move(save));
  }, py::arg("fn"), py::arg("optimizer") = py::none(), py::arg("zero_grad") = py::none(),
         py::arg("name") = "python",
         "Calls fn(); while capturing, records it (as name) to be called again at every replay. With optimizer "
         "(its C++ object), fn is its step, or its zero_grad(set_to_none=zero_grad), which a saved graph "
         "makes from C++.");
  gm.def("save", &graph::save, py::arg("graph"), py::arg("path"),
         "Saves a replayable graph to a file that graph::load (C++) or load() reads.");
  gm.def("load", &graph::load, py::arg("path"), "Loads a graph saved by save().");
}

}  // namespace ember

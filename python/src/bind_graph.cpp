// ember._C._graph: kernel-level capture and replay (ember/graph.h), wrapped by ember.compile.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "convert.h"
#include "ember/graph.h"

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
      .def("run", &graph::Graph::run, py::arg("inputs"), py::call_guard<py::gil_scoped_release>(),
           "Points the inputs at new tensors' memory, replays, and returns copies of the outputs.");

  py::class_<graph::Capture>(gm, "Capture", "Records the kernels and effects this thread runs until finish().")
      .def(py::init<>())
      .def("finish", &graph::Capture::finish, "Ends the capture and returns its Graph.");

  gm.def("make_input", &graph::make_input, py::arg("tensor"),
         "A stand-in for tensor to capture with: its own tensor on tensor's memory, without history.");
  gm.def("capturing", &graph::capturing, "Whether this thread is capturing (outside an effect).");
  gm.def("refuse", &graph::refuse, py::arg("why"), "Marks this thread's capture as not replayable.");
  gm.def("effect", [](py::function fn) {
    // A replay runs without the GIL: the effect takes it back to call, copy or drop the function.
    std::shared_ptr<py::function> f(new py::function(std::move(fn)), [](py::function* p) {
      py::gil_scoped_acquire gil;
      delete p;
    });
    graph::effect("python", [f] {
      py::gil_scoped_acquire gil;
      (*f)();
    });
  }, py::arg("fn"), "Calls fn(); while capturing, records it to be called again at every replay.");
}

}  // namespace ember

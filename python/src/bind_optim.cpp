// ember.optim's C++ optimizers for Python (ember._C._optim, dressed by ember/optim/optimizer.py).
//
// Python keeps PyTorch's param_groups: a list of plain dicts the user may read and change. Each
// step reads the hyperparameters the C++ optimizer knows from those dicts into its groups'
// options, then runs the fused C++ step: a change takes effect on the next step, as PyTorch's.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <cmath>

#include "convert.h"
#include "gil.h"
#include "option_rows.h"
#include "ember/optim.h"
#include "ember/optim/lr_scheduler.h"

namespace ember {

using namespace py_convert;

namespace {

// LBFGS's global state as a dict of its C++ fields (ember/optim/optimizers.py gives it torch's
// layout). Tensors are copied out, so a later step does not change a saved state.
py::dict lbfgs_state_dict(const optim::LBFGSState& s) {
  auto tensor_or_none = [](const Tensor& t) { return t.defined() ? py::cast(clone(t)) : py::none(); };
  auto tensors = [](const std::vector<Tensor>& ts) {
    py::list out;
    for (const Tensor& t : ts) out.append(clone(t));
    return out;
  };
  py::dict d;
  d["func_evals"] = s.func_evals, d["n_iter"] = s.n_iter;
  d["d"] = tensor_or_none(s.d), d["t"] = s.t;
  d["old_dirs"] = tensors(s.old_dirs), d["old_stps"] = tensors(s.old_stps), d["ro"] = s.ro;
  d["H_diag"] = s.H_diag, d["prev_flat_grad"] = tensor_or_none(s.prev_flat_grad), d["prev_loss"] = s.prev_loss;
  d["al"] = s.al;
  return d;
}
optim::LBFGSState lbfgs_state_from(py::handle d) {
  auto tensor_or_none = [&](const char* key) {
    py::handle v = entry(d, key);
    if (v.is_none()) return Tensor();
    EMBER_CHECK_TYPE(py::isinstance<Tensor>(v), "LBFGS.load_state_dict: state '", key, "' is not a tensor");
    return v.cast<Tensor>();
  };
  optim::LBFGSState s;
  s.func_evals = read_entry<int64_t>(d, "func_evals"), s.n_iter = read_entry<int64_t>(d, "n_iter");
  s.d = tensor_or_none("d"), s.t = read_entry<double>(d, "t");
  s.old_dirs = entry(d, "old_dirs").cast<std::vector<Tensor>>(), s.old_stps = entry(d, "old_stps").cast<std::vector<Tensor>>();
  s.ro = entry(d, "ro").cast<std::vector<double>>();
  s.H_diag = read_entry<double>(d, "H_diag"), s.prev_flat_grad = tensor_or_none("prev_flat_grad");
  s.prev_loss = read_entry<double>(d, "prev_loss");
  s.al = entry(d, "al").cast<std::vector<std::optional<double>>>();
  return s;
}

std::vector<Tensor> tensors_of(py::handle params) {
  std::vector<Tensor> out;
  for (py::handle p : params) {
    EMBER_CHECK_TYPE(py::isinstance<Tensor>(p), "optimizer can only optimize Tensors, but one of the params is ",
                     std::string(py::str(p.get_type().attr("__name__"))));
    out.push_back(p.cast<Tensor>());
  }
  return out;
}

/// Reads every group dict of param_groups into the optimizer's groups before a step.
template <class Opt>
void sync_groups(Opt& opt, py::list groups) {
  using Options = std::decay_t<decltype(opt.param_groups()[0].options)>;
  auto& own = opt.param_groups();
  EMBER_CHECK(groups.size() == own.size(), opt.name(), ".step: param_groups has ", groups.size(),
              " groups, the optimizer ", own.size(), " (add groups with add_param_group)");
  for (size_t i = 0; i < own.size(); ++i) {
    EMBER_CHECK_TYPE(py::isinstance<py::dict>(groups[i]), opt.name(), ".step: param_groups[", i,
                     "] is not a dict");
    // The C++ groups hold the parameters and their state: a replaced 'params' list would be
    // ignored silently, so it is refused.
    py::dict group = py::reinterpret_borrow<py::dict>(groups[i]);
    bool same = group.contains("params") && py::isinstance<py::list>(group["params"]);
    if (same) {
      py::list params = group["params"];
      same = params.size() == own[i].params.size();
      for (size_t k = 0; same && k < params.size(); ++k)
        same = py::isinstance<Tensor>(params[k]) && params[k].cast<const Tensor&>().is_same(own[i].params[k]);
    }
    EMBER_CHECK(same, opt.name(), ".step: param_groups[", i, "]['params'] is not the list of parameters the "
                "group was made with; ember's optimizers keep theirs (add new ones with add_param_group)");
    own[i].options = read_options<Options>(groups[i]);
  }
}

/// One optimizer class: made from its first group's params and dict, validated from a dict, and
/// stepped after reading every group's dict.
template <class Opt, class Options>
py::class_<Opt, optim::Optimizer> bind_optimizer(py::module_& om, const char* name) {
  return py::class_<Opt, optim::Optimizer>(om, name)
      .def(py::init([](py::handle params, py::handle group) {
        return std::make_unique<Opt>(tensors_of(params), read_options<Options>(group));
      }), py::arg("params"), py::arg("group"))
      .def_static("_signature", &signature_of<Options>)
      .def_static("_validate", [](py::handle arguments) { read_options<Options>(arguments).validate(); },
                  py::arg("arguments"))
      .def("_add_param_group", [](Opt& opt, py::handle params, py::handle group) {
        opt.add_param_group(tensors_of(params), read_options<Options>(group));
      }, py::arg("params"), py::arg("group"))
      .def("_step", [](Opt& opt, py::list groups) {
        sync_groups(opt, groups);
        int64_t elements = 0;
        for (const Tensor& p : opt.parameters()) elements += p.numel();
        py_gil::Release nogil(elements >= py_gil::kReleaseElements);
        opt.step();
      }, py::arg("groups"));
}

/// One schedule class: made from its arguments (a dict with one entry per row) and the number of
/// parameter groups, which a schedule with per-group values takes too.
template <class S, class Options>
py::class_<S, optim::LRScheduler, std::shared_ptr<S>> bind_schedule(py::module_& om, const char* name) {
  return py::class_<S, optim::LRScheduler, std::shared_ptr<S>>(om, name)
      .def(py::init([name](py::handle arguments, size_t groups) {
        Options options = read_options<Options>(arguments, name);
        if constexpr (std::is_constructible_v<S, const Options&, size_t>) return std::make_shared<S>(options, groups);
        else return std::make_shared<S>(options);
      }), py::arg("arguments"), py::arg("groups"))
      .def_static("_signature", &signature_of<Options>);
}

}  // namespace

void bind_optim(py::module_& m) {
  py::module_ om = m.def_submodule("_optim", "C++ side of ember.optim");

  py::class_<optim::Optimizer>(om, "Optimizer", "Base of the C++ optimizers.")
      .def("zero_grad", &optim::Optimizer::zero_grad, py::arg("set_to_none") = true)
      .def("_num_params", [](optim::Optimizer& o) { return o.parameters().size(); })
      .def("_state", [](optim::Optimizer& o, size_t i) {
        EMBER_CHECK_INDEX(i < o.state().size(), o.name(), ": parameter index ", i, " is out of range");
        const optim::ParamState& s = o.state()[i];
        return py::make_tuple(s.step, s.tensors);
      }, py::arg("index"))
      .def("_set_state", [](optim::Optimizer& o, size_t i, int64_t step, const NamedTensors& tensors) {
        optim::ParamState s;
        s.step = step;
        s.tensors = tensors;
        o.set_state(i, s);
      }, py::arg("index"), py::arg("step"), py::arg("tensors"));

  bind_optimizer<optim::SGD, optim::SGDOptions>(om, "SGD");
  bind_optimizer<optim::Adagrad, optim::AdagradOptions>(om, "Adagrad");
  bind_optimizer<optim::RMSprop, optim::RMSpropOptions>(om, "RMSprop");
  bind_optimizer<optim::Adam, optim::AdamOptions>(om, "Adam");
  bind_optimizer<optim::AdamW, optim::AdamWOptions>(om, "AdamW");
  bind_optimizer<optim::Adadelta, optim::AdadeltaOptions>(om, "Adadelta");
  bind_optimizer<optim::Adamax, optim::AdamaxOptions>(om, "Adamax");
  bind_optimizer<optim::NAdam, optim::NAdamOptions>(om, "NAdam");
  bind_optimizer<optim::RAdam, optim::RAdamOptions>(om, "RAdam");
  bind_optimizer<optim::ASGD, optim::ASGDOptions>(om, "ASGD");
  bind_optimizer<optim::LBFGS, optim::LBFGSOptions>(om, "LBFGS")
      .def("_step_closure", [](optim::LBFGS& opt, py::list groups, py::function closure) {
        sync_groups(opt, groups);
        // closure: ember/optim/optimizers.py's wrapper, which returns the loss as a float.
        return opt.step([&closure] { return closure().cast<double>(); });
      }, py::arg("groups"), py::arg("closure"))
      .def("_lbfgs_state", [](const optim::LBFGS& opt) { return lbfgs_state_dict(opt.lbfgs_state()); })
      .def("_set_lbfgs_state", [](optim::LBFGS& opt, py::handle state) {
        opt.set_lbfgs_state(lbfgs_state_from(state));
      }, py::arg("state"));

  // ---- schedules: made by ember/optim/lr_scheduler.py, which writes their rates into the groups
  using optim::LRScheduler;
  py::class_<LRScheduler, std::shared_ptr<LRScheduler>>(om, "LRScheduler", "Base of the C++ schedules.")
      .def("advance", &LRScheduler::advance, py::arg("metric"), py::arg("bases"))
      .def("rate", &LRScheduler::rate, py::arg("group"), py::arg("base"))
      .def("momentum", &LRScheduler::momentum, py::arg("group"))
      .def("restart", &LRScheduler::restart)
      .def("needs_metric", &LRScheduler::needs_metric)
      .def_property("last_epoch", &LRScheduler::last_epoch, &LRScheduler::set_last_epoch)
      .def("extra_state", &LRScheduler::extra_state)
      .def("load_extra_state", &LRScheduler::load_extra_state, py::arg("state"));
  bind_schedule<optim::StepLR, optim::StepLROptions>(om, "StepLR");
  bind_schedule<optim::MultiStepLR, optim::MultiStepLROptions>(om, "MultiStepLR");
  bind_schedule<optim::ConstantLR, optim::ConstantLROptions>(om, "ConstantLR");
  bind_schedule<optim::LinearLR, optim::LinearLROptions>(om, "LinearLR");
  bind_schedule<optim::ExponentialLR, optim::ExponentialLROptions>(om, "ExponentialLR");
  bind_schedule<optim::PolynomialLR, optim::PolynomialLROptions>(om, "PolynomialLR");
  bind_schedule<optim::CosineAnnealingLR, optim::CosineAnnealingLROptions>(om, "CosineAnnealingLR");
  bind_schedule<optim::CosineAnnealingWarmRestarts, optim::CosineAnnealingWarmRestartsOptions>(
      om, "CosineAnnealingWarmRestarts")
      .def_readonly("T_i", &optim::CosineAnnealingWarmRestarts::T_i)
      .def_readonly("T_cur", &optim::CosineAnnealingWarmRestarts::T_cur);
  bind_schedule<optim::LambdaLR, optim::LambdaLROptions>(om, "LambdaLR");
  bind_schedule<optim::MultiplicativeLR, optim::MultiplicativeLROptions>(om, "MultiplicativeLR");
  bind_schedule<optim::OneCycleLR, optim::OneCycleLROptions>(om, "OneCycleLR");
  bind_schedule<optim::CyclicLR, optim::CyclicLROptions>(om, "CyclicLR");
  bind_schedule<optim::ReduceLROnPlateau, optim::ReduceLROnPlateauOptions>(om, "ReduceLROnPlateau")
      .def_readonly("best", &optim::ReduceLROnPlateau::best)
      .def_readonly("num_bad_epochs", &optim::ReduceLROnPlateau::num_bad_epochs)
      .def_readonly("cooldown_counter", &optim::ReduceLROnPlateau::cooldown_counter);
  bind_schedule<optim::ChainedScheduler, optim::ChainedSchedulerOptions>(om, "ChainedScheduler");
  bind_schedule<optim::SequentialLR, optim::SequentialLROptions>(om, "SequentialLR");

}

}  // namespace ember

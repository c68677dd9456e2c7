#include "out.h"

#include "ember/autograd.h"

namespace ember::py_out {

namespace {
/// torch's can_cast: no float into an integer, nothing but bool into bool.
bool can_cast(DType from, DType to) {
  if (is_floating(from) && !is_floating(to)) return false;
  if (from != DType::Bool && to == DType::Bool) return false;
  return true;
}

Tensor& out_tensor(py::handle h, const char* op) {
  EMBER_CHECK_TYPE(py::isinstance<Tensor>(h), op, ": argument 'out' must be Tensor, not ",
                   std::string(py::str(h.get_type().attr("__name__"))));
  return h.cast<Tensor&>();
}

void write_one(const Tensor& result, Tensor& out, const char* op, OutDtype rule) {
  if (rule == OutDtype::Bool) {
    EMBER_CHECK_RUNTIME(out.dtype() == DType::Bool, op, " does not support non-boolean outputs (got an out of dtype ",
                        dtype_name(out.dtype()), ")");
  } else if (rule == OutDtype::Exact) {
    EMBER_CHECK_RUNTIME(out.dtype() == result.dtype(), op, ": expected out tensor to have dtype ",
                        dtype_name(result.dtype()), ", but got ", dtype_name(out.dtype()), " instead");
  } else if (rule == OutDtype::Castable || rule == OutDtype::CastableTypeError) {
    if (!can_cast(result.dtype(), out.dtype())) {
      const std::string msg = std::string(op) + ": result type " + dtype_name(result.dtype()) +
                              " can't be cast to the desired output type " + dtype_name(out.dtype());
      if (rule == OutDtype::CastableTypeError) throw TypeError(msg);
      throw RuntimeError(msg);
    }
  }
  out.check_writable(op);
  // torch's range factories resize out only when its number of elements differs
  const bool keeps_shape = (rule == OutDtype::Range || rule == OutDtype::Arange) && out.numel() == result.numel();
  if (out.sizes() != result.sizes() && !keeps_shape) {
    if (out.numel() != 0 && rule != OutDtype::Creation && rule != OutDtype::Range) {
      const std::string msg = std::string(op) + ": an output with one or more elements was resized since it had shape " +
                              shape_str(out.sizes()) + ", which does not match the required output shape " +
                              shape_str(result.sizes()) + " (as torch, a deprecated behaviour: pass an out of the "
                              "right shape, or one resized to zero elements with out.resize_(0))";
      if (PyErr_WarnEx(PyExc_UserWarning, msg.c_str(), 1) != 0) throw py::error_already_set();
    }
    resize_(out, result.sizes());  // contiguous: an expanded out is resized first, as torch's
  }
  out.check_in_place(op);
  autograd::NoGradGuard no_grad;
  copy_(out, keeps_shape ? reshape(result, out.sizes()) : result);
}
}  // namespace

void dtype_from_out(std::optional<DType>& dtype, const Tensor& out, const char* op) {
  if (!dtype) {
    dtype = out.dtype();
    return;
  }
  EMBER_CHECK_RUNTIME(*dtype == out.dtype(), op, ": dtype ", dtype_name(*dtype), " does not match dtype of out parameter (",
                      dtype_name(out.dtype()), ")");
}

const Tensor& first_out(py::handle out, const char* op) { return out_tensor(out, op); }

py::object write_out(py::object result, py::handle out, const char* op, OutDtype rule) {
  // Autograd cannot record a write into out, as torch's.
  auto check_grad = [&](const Tensor& r, const Tensor& o) {
    EMBER_CHECK_RUNTIME(!(r.requires_grad() || (autograd::is_grad_enabled() && o.requires_grad())), op,
                        "(): functions with out=... arguments don't support automatic differentiation, but one of "
                        "the arguments requires grad.");
  };
  if (py::isinstance<Tensor>(result)) {
    Tensor& o = out_tensor(out, op);
    const Tensor& r = result.cast<const Tensor&>();
    // A leaf result that requires grad comes from requires_grad=True (zeros, randn, arange, ...):
    // as torch's, out takes the values and then requires grad itself.
    const bool asked = r.requires_grad() && autograd::is_leaf(r);
    const Tensor values = asked ? autograd::detach(r) : r;
    check_grad(values, o);
    write_one(values, o, op, rule);
    if (asked) autograd::set_requires_grad(o, true);
    return py::reinterpret_borrow<py::object>(out);
  }
  // A tuple-valued op (max(dim), sort, ...): out is a tuple of as many tensors.
  const py::tuple results = result.cast<py::tuple>();
  EMBER_CHECK_TYPE(py::isinstance<py::tuple>(out) || py::isinstance<py::list>(out), op,
                   ": argument 'out' must be a tuple of ", results.size(), " Tensors");
  const py::sequence outs = py::reinterpret_borrow<py::sequence>(out);
  EMBER_CHECK_TYPE(outs.size() == results.size(), op, ": argument 'out' must be a tuple of ", results.size(),
                   " Tensors, got ", outs.size());
  for (size_t i = 0; i < results.size(); ++i) check_grad(results[i].cast<const Tensor&>(), out_tensor(outs[i], op));
  py::list written;
  for (size_t i = 0; i < results.size(); ++i) {
    write_one(results[i].cast<const Tensor&>(), out_tensor(outs[i], op), op, rule);
    written.append(outs[i]);
  }
  return result.get_type()(*written);
}

}  // namespace ember::py_out

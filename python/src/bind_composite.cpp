// The composite ops PyTorch programs call by name (contractions, scaled sums, statistics, joins,
// index composites), bound as ember.<op> and Tensor.<op> where PyTorch has both.
#include <set>

#include "convert.h"
#include "ember/autograd.h"

namespace ember {

using namespace py_convert;

namespace {
template <class F, class... Extra>
void def_both(py::module_& m, py::class_<Tensor>& cls, const char* name, F&& fn, const Extra&... extra) {
  m.def(name, fn, py::arg("input"), extra...);
  cls.def(name, fn, extra...);
}
/// Binds Tensor.name_(...) as x = f(x, ...) returning x itself.
template <class R, class... A>
void def_inplace(py::class_<Tensor>& cls, const char* name, R (*f)(Tensor&, A...)) {
  cls.def(name, [f](py::object self, A... a) {
    f(self.cast<Tensor&>(), a...);
    return self;
  });
}
Dims dims_list(py::handle h, const char* op) {
  if (PyLong_Check(h.ptr())) return Dims{index_of(h, 1)};
  if (py::isinstance<Tensor>(h)) {
    const Tensor flat = reshape(h.cast<Tensor>(), {h.cast<Tensor>().numel()});
    Dims d;
    for (int64_t i = 0; i < flat.numel(); ++i) d.push_back(select(flat, 0, i).item<int64_t>());
    return d;
  }
  return shape_from(h, op);
}
OptDims opt_dims(py::handle dim) {
  if (dim.is_none()) return std::nullopt;
  if (PyLong_Check(dim.ptr())) return Dims{index_of(dim)};
  return dim.cast<Dims>();
}
std::vector<Tensor> tensor_list(const py::args& args) {
  // f(a, b, c) or f([a, b, c]), as PyTorch's variadic tensor functions.
  if (args.size() == 1 && !py::isinstance<Tensor>(args[0])) return args[0].cast<std::vector<Tensor>>();
  return args.cast<std::vector<Tensor>>();
}
py::tuple as_tuple(const std::vector<Tensor>& ts) { return py::tuple(py::cast(ts)); }
/// The sublist form einsum(a, [0, 1], b, [1, 2], [0, 2]) as an equation.
std::string sublist_equation(const py::args& args, std::vector<Tensor>& operands) {
  auto term = [](py::handle sub) {
    std::string s;
    for (py::handle h : sub) {
      if (h.is(py::ellipsis())) {
        s += "...";
        continue;
      }
      const int64_t l = index_of(h);
      EMBER_CHECK(l >= 0 && l < 52, "einsum(): expected subscript to be within the range [0, 52), but got ", l);
      s += static_cast<char>(l < 26 ? 'A' + l : 'a' + l - 26);
    }
    return s;
  };
  std::string eq;
  size_t i = 0;
  for (; i + 1 < args.size(); i += 2) {
    operands.push_back(tensor_arg(args[i], "einsum operand"));
    eq += (i ? "," : "") + term(args[i + 1]);
  }
  if (i < args.size()) eq += "->" + term(args[i]);
  return eq;
}
}  // namespace

void bind_composite(py::module_& m, py::class_<Tensor>& cls) {
  // ---- contractions -------------------------------------------------------------------------
  m.def("einsum", [](py::args args) {
    if (args.size() < 2)
      throw ValueError("einsum(): must specify the equation string and at least one operand, or at least one "
                       "operand and its subscripts list");
    std::vector<Tensor> operands;
    if (!py::isinstance<py::str>(args[0])) {
      const std::string eq = sublist_equation(args, operands);
      return einsum(eq, operands);
    }
    py::list rest;
    for (size_t i = 1; i < args.size(); ++i) rest.append(args[i]);
    operands = (rest.size() == 1 && !py::isinstance<Tensor>(rest[0])) ? rest[0].cast<std::vector<Tensor>>()
                                                                        : rest.cast<std::vector<Tensor>>();
    return einsum(args[0].cast<std::string>(), operands);
  }, R"doc(einsum(equation, *operands) -> Tensor

Sums the product of the operands' elements over the dims the Einstein-summation equation names.

Each operand's dims are labelled by letters (a-z, A-Z); ``...`` stands for the dims not labelled
(broadcast across operands). Labels after ``->`` are the output's; without ``->`` the output
has the ``...`` dims, then the labels used exactly once, in alphabetical order (upper case first).
A label repeated in one operand takes its diagonal. The contraction runs left to right through
batched matrix products (BLAS), and is differentiable. The sublist form
``einsum(a, [0, 1], b, [1, 2], [0, 2])`` and a list of operands are accepted as well.

Args:
    equation (str): the subscripts, e.g. ``"bij,bjk->bik"``.
    operands (Tensor...): the tensors, one per comma-separated term.

Returns:
    Tensor: the contraction, of the operands' promoted dtype.

Example::

    >>> a, b = ember.ones(2, 3), ember.ones(3, 4)
    >>> ember.einsum("ij,jk->ik", a, b).shape
    ember.Size([2, 4])
    >>> ember.einsum("ii", ember.eye(3))   # the trace
    tensor(3.)
)doc");
  m.def("tensordot", [](const Tensor& a, const Tensor& b, py::handle dims) {
    if (PyLong_Check(dims.ptr())) return tensordot(a, b, index_of(dims));
    if (py::isinstance<Tensor>(dims) && dims.cast<Tensor>().dim() == 0) return tensordot(a, b, dims.cast<Tensor>().item<int64_t>());
    py::sequence pair = py::isinstance<Tensor>(dims) ? py::sequence(py::cast(unbind(dims.cast<Tensor>(), 0)))
                                                      : dims.cast<py::sequence>();
    EMBER_CHECK(pair.size() == 2, "tensordot: dims must be an int or a pair of dim lists, got ", py::str(dims).cast<std::string>());
    return tensordot(a, b, dims_list(pair[0], "tensordot"), dims_list(pair[1], "tensordot"));
  }, py::arg("a"), py::arg("b"), py::arg("dims") = 2, R"doc(tensordot(a, b, dims=2) -> Tensor

Sums a against b over the given dims: a's last ``dims`` with b's first ``dims`` (an int), or
the dims listed in ``dims = (dims_a, dims_b)``. The result has a's remaining dims, then b's.

Args:
    a (Tensor): the left tensor.
    b (Tensor): the right tensor, of a's dtype.
    dims (int or tuple of two lists of ints): the dims to contract.

Returns:
    Tensor: the contraction.

Example::

    >>> ember.tensordot(ember.ones(3, 4, 5), ember.ones(4, 3, 2), dims=([1, 0], [0, 1])).shape
    ember.Size([5, 2])
)doc");
  def_both(m, cls, "inner", &inner, py::arg("other"), R"doc(inner(input, other) -> Tensor

The sum over the last dim of input * other (input * other for a 0-d operand).

Args:
    input (Tensor): the first tensor.
    other (Tensor): the second tensor, its last dim of input's size.

Returns:
    Tensor: input's leading dims followed by other's.

Example::

    >>> ember.inner(ember.tensor([1., 2.]), ember.tensor([3., 4.]))
    tensor(11.)
)doc");
  def_both(m, cls, "vdot", &vdot, py::arg("other"), R"doc(vdot(input, other) -> Tensor

The dot product of two 1-D tensors of one dtype (real tensors: no conjugate to take).

Args:
    input (Tensor): a 1-D tensor.
    other (Tensor): a 1-D tensor of input's size and dtype.

Returns:
    Tensor: 0-d.

Example::

    >>> ember.vdot(ember.tensor([1., 2.]), ember.tensor([3., 4.]))
    tensor(11.)
)doc");
  // beta * input + alpha * product.
#define EMBER_SCALED_SUM(name, a, b, what)                                                                    \
  def_both(m, cls, #name, [](const Tensor& t, const Tensor& x, const Tensor& y, Scalar beta, Scalar alpha) { \
    return name(t, x, y, beta, alpha);                                                                        \
  }, py::arg(a), py::arg(b), py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1,                        \
     #name "(input, " a ", " b ", *, beta=1, alpha=1) -> Tensor\n\n"                                         \
     "beta * input + alpha * " what ". With beta = 0 input is ignored (NaN in it included).\n\n"              \
     "Args:\n    input (Tensor): broadcast to the product's shape.\n    " a " (Tensor): the left factor.\n    " \
     b " (Tensor): the right factor.\n    beta (Number, optional): input's multiplier. Default: 1.\n"           \
     "    alpha (Number, optional): the product's multiplier. Default: 1.\n\nReturns:\n    Tensor: the product's shape.\n\n" \
     "Example::\n\n    >>> ember." #name "(input, " a ", " b ", beta=0.5, alpha=2.0)\n");                        \
  cls.def(#name "_", [](py::object self, const Tensor& x, const Tensor& y, Scalar beta, Scalar alpha) {       \
    name##_(self.cast<Tensor&>(), x, y, beta, alpha);                                                         \
    return self;                                                                                              \
  }, py::arg(a), py::arg(b), py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  EMBER_SCALED_SUM(addmm, "mat1", "mat2", "(mat1 @ mat2)")
  EMBER_SCALED_SUM(addmv, "mat", "vec", "(mat @ vec)")
  EMBER_SCALED_SUM(addr, "vec1", "vec2", "outer(vec1, vec2)")
  EMBER_SCALED_SUM(baddbmm, "batch1", "batch2", "bmm(batch1, batch2)")
  EMBER_SCALED_SUM(addbmm, "batch1", "batch2", "bmm(batch1, batch2).sum(0)")
#undef EMBER_SCALED_SUM

  // ---- pointwise composites -------------------------------------------------------------------
#define EMBER_ADDC(name, sym)                                                                                  \
  def_both(m, cls, #name, [](const Tensor& t, const Tensor& a, const Tensor& b, Scalar v) {                  \
    return name(t, a, b, v);                                                                                   \
  }, py::arg("tensor1"), py::arg("tensor2"), py::kw_only(), py::arg("value") = 1,                             \
     #name "(input, tensor1, tensor2, *, value=1) -> Tensor\n\ninput + value * tensor1 " sym " tensor2, "       \
     "broadcast.\n\nArgs:\n    input (Tensor): the tensor added to.\n    tensor1 (Tensor): the numerator / first " \
     "factor.\n    tensor2 (Tensor): the denominator / second factor.\n    value (Number, optional): the "        \
     "multiplier. Default: 1.\n\nReturns:\n    Tensor: the broadcast shape.\n\nExample::\n\n    >>> ember." #name \
     "(ember.zeros(2), ember.ones(2), ember.full((2,), 2.), value=0.5)\n");                                       \
  cls.def(#name "_", [](py::object self, const Tensor& a, const Tensor& b, Scalar v) {                          \
    name##_(self.cast<Tensor&>(), a, b, v);                                                                    \
    return self;                                                                                               \
  }, py::arg("tensor1"), py::arg("tensor2"), py::kw_only(), py::arg("value") = 1);
  EMBER_ADDC(addcmul, "*")
  EMBER_ADDC(addcdiv, "/")
#undef EMBER_ADDC
  // A 0-d weight that needs no gradient takes torch's Scalar overload: a number, of any dtype.
  def_both(m, cls, "lerp", [](const Tensor& t, const Tensor& end, py::handle w) {
    return lerp(t, end, tensor_or_scalar(number_if_0d(w), "lerp", "weight", &t));
  }, py::arg("end"), py::arg("weight"), R"doc(lerp(input, end, weight) -> Tensor

Linear interpolation: input + weight * (end - input), exact at weight 0 and 1.

Args:
    input (Tensor): the start points (floating).
    end (Tensor): the end points, of input's dtype.
    weight (float or Tensor): the weights.

Returns:
    Tensor: the broadcast shape.

Example::

    >>> ember.lerp(ember.zeros(3), ember.ones(3) * 10, 0.25)
    tensor([2.5000, 2.5000, 2.5000])
)doc");
  cls.def("lerp_", [](py::object self, const Tensor& end, py::handle w) {
    Tensor& t = self.cast<Tensor&>();
    lerp_(t, end, tensor_or_scalar(number_if_0d(w), "lerp_", "weight", &t));
    return self;
  }, py::arg("end"), py::arg("weight"));
  def_both(m, cls, "nan_to_num", &nan_to_num, py::arg("nan") = 0.0, py::arg("posinf") = py::none(),
           py::arg("neginf") = py::none(), R"doc(nan_to_num(input, nan=0.0, posinf=None, neginf=None) -> Tensor

Replaces NaN, +inf and -inf by finite numbers. Integer and bool tensors are returned as copies.

Args:
    input (Tensor): the input tensor.
    nan (float, optional): what NaN becomes. Default: 0.
    posinf (float, optional): what +inf becomes. Default: the dtype's largest finite value.
    neginf (float, optional): what -inf becomes. Default: the dtype's lowest finite value.

Returns:
    Tensor: input's shape and dtype; its gradient is 0 where input was not finite.

Example::

    >>> ember.nan_to_num(ember.tensor([float("nan"), float("inf"), 1.0]), posinf=9.0)
    tensor([0., 9., 1.])
)doc");
  cls.def("nan_to_num_", [](py::object self, std::optional<double> nan, std::optional<double> posinf,
                            std::optional<double> neginf) {
    nan_to_num_(self.cast<Tensor&>(), nan, posinf, neginf);
    return self;
  }, py::arg("nan") = 0.0, py::arg("posinf") = py::none(), py::arg("neginf") = py::none());
  def_both(m, cls, "logit", &logit, py::arg("eps") = py::none(), R"doc(logit(input, eps=None) -> Tensor

log(z / (1 - z)), z = input clamped to [eps, 1 - eps] when eps is given (else NaN outside [0, 1]).

Args:
    input (Tensor): probabilities (integers become float32).
    eps (float, optional): the clamp margin. Default: None.

Returns:
    Tensor: input's shape.

Example::

    >>> ember.logit(ember.tensor([0.5, 0.75]))
    tensor([0.0000, 1.0986])
)doc");
  cls.def("logit_", [](py::object self, std::optional<double> eps) {
    logit_(self.cast<Tensor&>(), eps);
    return self;
  }, py::arg("eps") = py::none());
  m.def("float_power", [](py::handle a, py::handle b) {
    const bool a_tensor = py::isinstance<Tensor>(a);
    EMBER_CHECK_TYPE(a_tensor || py::isinstance<Tensor>(b), "float_power: expected a tensor operand");
    const Tensor bt = a_tensor ? tensor_or_scalar(b, "float_power", "exponent", &a.cast<const Tensor&>()) : b.cast<Tensor>();
    const Tensor at = a_tensor ? a.cast<Tensor>() : tensor_or_scalar(a, "float_power", "input", &bt);
    return float_power(at, bt);
  }, py::arg("input"), py::arg("exponent"), R"doc(float_power(input, exponent) -> Tensor

input ** exponent computed in float64 (either may be a Python number).

Args:
    input (Tensor or Number): the base.
    exponent (Tensor or Number): the exponent.

Returns:
    Tensor: float64, the broadcast shape.

Example::

    >>> ember.float_power(ember.tensor([2, 3]), 2)
    tensor([4., 9.], dtype=ember.float64)
)doc");
  cls.def("float_power", [](const Tensor& t, py::handle b) { return float_power(t, tensor_or_scalar(b, "float_power", "exponent", &t)); },
          py::arg("exponent"));
  cls.def("float_power_", [](py::object self, py::handle b) {
    Tensor& t = self.cast<Tensor&>();
    float_power_(t, tensor_or_scalar(b, "float_power_", "exponent", &t));
    return self;
  }, py::arg("exponent"));
  def_both(m, cls, "ldexp", &ldexp, py::arg("other"), R"doc(ldexp(input, other) -> Tensor

input * 2 ** other.

Args:
    input (Tensor): the mantissas.
    other (Tensor): the exponents.

Returns:
    Tensor: floating, the broadcast shape.

Example::

    >>> ember.ldexp(ember.tensor([1.]), ember.tensor([3]))
    tensor([8.])
)doc");
  def_inplace(cls, "ldexp_", &ldexp_);
  m.def("polygamma", &polygamma, py::arg("n"), py::arg("input"), R"doc(polygamma(n, input) -> Tensor

The n-th derivative of digamma: (-1)^(n+1) n! zeta(n + 1, input) for n >= 1, digamma for n = 0.

Args:
    n (int): the order, >= 0.
    input (Tensor): the points (integers become float32).

Returns:
    Tensor: input's shape; differentiable in input (to any order).

Example::

    >>> ember.polygamma(1, ember.tensor([1.]))   # pi^2 / 6
    tensor([1.6449])
)doc");
  cls.def("polygamma", [](const Tensor& t, int64_t n) { return polygamma(n, t); }, py::arg("n"));
  cls.def("polygamma_", [](py::object self, int64_t n) {
    polygamma_(self.cast<Tensor&>(), n);
    return self;
  }, py::arg("n"));
  m.def("isin", [](py::handle e, py::handle t, bool assume_unique, bool invert) {
    const bool e_tensor = py::isinstance<Tensor>(e);
    EMBER_CHECK_TYPE(e_tensor || py::isinstance<Tensor>(t), "isin: expected elements or test_elements to be a tensor");
    const Tensor tt = e_tensor ? tensor_or_scalar(t, "isin", "test_elements", &e.cast<const Tensor&>()) : t.cast<Tensor>();
    const Tensor et = e_tensor ? e.cast<Tensor>() : tensor_or_scalar(e, "isin", "elements", &tt);
    return isin(et, tt, assume_unique, invert);
  }, py::arg("elements"), py::arg("test_elements"), py::kw_only(), py::arg("assume_unique") = false,
     py::arg("invert") = false, R"doc(isin(elements, test_elements, *, assume_unique=False, invert=False) -> Tensor

Whether each element of elements occurs in test_elements (NaN occurs nowhere).

Args:
    elements (Tensor or Number): the values to look up.
    test_elements (Tensor or Number): the values to look among.
    assume_unique (bool, optional): accepted for PyTorch's signature.
    invert (bool, optional): whether each element does not occur. Default: False.

Returns:
    Tensor: bool, elements' shape.

Example::

    >>> ember.isin(ember.tensor([1, 2, 3]), ember.tensor([2, 5]))
    tensor([False,  True, False])
)doc");
  // PyTorch's aliases of the table's ops, in place too.
  for (auto [alias, target] : {std::pair{"sgn", "sign"}, {"fix", "trunc"}, {"arccos", "acos"}, {"arcsin", "asin"},
                               {"arctan", "atan"}}) {
    m.attr(alias) = m.attr(target);
    cls.attr(alias) = cls.attr(target);
  }
  for (auto [alias, target] : {std::pair{"sgn_", "sign_"}, {"fix_", "trunc_"}, {"arccos_", "acos_"}, {"arcsin_", "asin_"},
                               {"arctan_", "atan_"}, {"arcsinh_", "asinh_"}, {"arccosh_", "acosh_"},
                               {"arctanh_", "atanh_"}, {"arctan2_", "atan2_"}, {"absolute_", "abs_"},
                               {"negative_", "neg_"}, {"multiply_", "mul_"}, {"subtract_", "sub_"},
                               {"divide_", "div_"}, {"true_divide_", "div_"}, {"clip_", "clamp_"}})
    cls.attr(alias) = cls.attr(target);
  def_both(m, cls, "positive", [](const Tensor& t) {
    EMBER_CHECK_TYPE(t.dtype() != DType::Bool, "positive: the `+` operator, on a bool tensor is not supported");
    return t;
  }, "positive(input) -> Tensor\n\ninput itself (the unary `+`); bool tensors are refused.\n\nArgs:\n    input (Tensor): "
     "a numeric tensor.\n\nReturns:\n    Tensor: input.\n\nExample::\n\n    >>> ember.positive(ember.tensor([-1.]))\n    tensor([-1.])\n");
  for (const char* bound : {"clamp_min", "clamp_max"}) {
    const bool is_min = bound[6] == 'm' && bound[7] == 'i';
    def_both(m, cls, bound, [is_min, bound](const Tensor& t, py::handle b) {
      const Tensor bt = tensor_or_scalar(b, bound, is_min ? "min" : "max", &t);
      return is_min ? clamp(t, bt, std::nullopt) : clamp(t, std::nullopt, bt);
    }, py::arg(is_min ? "min" : "max"));
    cls.def((std::string(bound) + "_").c_str(), [is_min, bound](py::object self, py::handle b) {
      Tensor& t = self.cast<Tensor&>();
      const Tensor bt = tensor_or_scalar(b, bound, is_min ? "min" : "max", &t);
      if (is_min) clamp_(t, bt, std::nullopt);
      else clamp_(t, std::nullopt, bt);
      return self;
    }, py::arg(is_min ? "min" : "max"));
  }

  // ---- tensor facts and in-place views --------------------------------------------------------
  cls.def("type_as", [](const Tensor& t, const Tensor& other) { return to_dtype(t, other.dtype()); }, py::arg("other"),
          "This tensor cast to other's dtype (itself when it already has it).");
  cls.def("ndimension", [](const Tensor& t) { return t.dim(); }, "The number of dims (Tensor.dim()).");
  m.def("is_tensor", [](py::handle obj) { return py::isinstance<Tensor>(obj); }, py::arg("obj"),
        "Whether obj is an ember.Tensor (or a subclass such as Parameter).");
  def_both(m, cls, "is_complex", [](const Tensor&) { return false; }, "Whether the dtype is complex (ember has none).");
  def_both(m, cls, "isreal", [](const Tensor& t) { return ones(t.sizes(), DType::Bool); },
           "Whether each element is real: all True (ember has no complex dtypes).");
  m.def("is_floating_point", [](const Tensor& t) { return is_floating(t.dtype()); }, py::arg("input"),
        "Whether input's dtype is a floating one (float16, bfloat16, float32, float64).");
  def_both(m, cls, "is_nonzero", [](const Tensor& t) {
    EMBER_CHECK_RUNTIME(t.numel() == 1, "is_nonzero: Boolean value of Tensor with ",
                        t.numel() == 0 ? "no values" : "more than one value", " is ambiguous (shape ",
                        shape_str(t.sizes()), ")");
    return t.item().to_double() != 0;
  }, "Whether a one-element tensor is nonzero (RuntimeError for other sizes).");
  // In-place views change the tensor's shape; with history the Python tensor becomes the view.
  // nargs: how many arguments the view takes (-1: any number), as torch's signatures; names: those
  // that may come by keyword, in order (x.unsqueeze_(dim=0), x.transpose_(0, dim1=1)).
  auto view_inplace = [](const char* op, int nargs, std::vector<const char*> names, auto view) {
    return [op, nargs, names, view](py::object self, py::args positional, py::kwargs kwargs) {
      py::list given(positional);
      for (size_t i = given.size(); i < names.size() && kwargs.contains(names[i]); ++i) {
        given.append(kwargs[names[i]]);
        PyDict_DelItemString(kwargs.ptr(), names[i]);
      }
      EMBER_CHECK_TYPE(kwargs.empty(), op, "() got an unexpected keyword argument '",
                       kwargs.empty() ? std::string() : std::string(py::str(kwargs.begin()->first)), "'");
      const py::args args{py::tuple(given)};
      EMBER_CHECK_TYPE(nargs < 0 || static_cast<int>(args.size()) == nargs, op, "() takes ", nargs,
                       " positional argument", nargs == 1 ? "" : "s", " but ", args.size(), " were given");
      Tensor& t = self.cast<Tensor&>();
      Tensor r = view(t, args);
      if (autograd::inplace_requires_grad(t, {}, op)) {  // raises for a leaf requiring grad
        t = r;
      } else {
        t.impl()->sizes = r.sizes();
        t.impl()->strides = r.strides();
      }
      return self;
    };
  };
  cls.def("unsqueeze_", view_inplace("unsqueeze_", 1, {"dim"}, [](const Tensor& t, py::args a) {
    return unsqueeze(t, index_of(a[0]));
  }));
  cls.def("squeeze_", view_inplace("squeeze_", -1, {"dim"}, [](const Tensor& t, py::args a) {  // squeeze_(1, 3) too
    return squeeze(t, a.size() > 1 ? opt_dims(a) : a.size() ? opt_dims(a[0]) : std::nullopt);
  }));
  cls.def("t_", view_inplace("t_", 0, {}, [](const Tensor& t, py::args) {
    EMBER_CHECK(t.dim() <= 2, "t_: expects a tensor with <= 2 dims, but got shape ", shape_str(t.sizes()));
    return reverse_dims(t);
  }));
  cls.def("transpose_", view_inplace("transpose_", 2, {"dim0", "dim1"}, [](const Tensor& t, py::args a) {
    return transpose(t, index_of(a[0]), index_of(a[1]));
  }));

  // ---- statistics -----------------------------------------------------------------------------
  def_both(m, cls, "nansum", [](const Tensor& t, py::handle dim, bool keepdim, std::optional<DType> dtype) {
    return nansum(t, opt_dims(dim), keepdim, dtype);
  }, py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none(),
     "nansum(input, dim=None, keepdim=False, *, dtype=None) -> Tensor\n\nThe sum with NaN counted as 0 (see sum).\n\n"
     "Example::\n\n    >>> ember.nansum(ember.tensor([1., float('nan'), 2.]))\n    tensor(3.)\n");
  def_both(m, cls, "nanmean", [](const Tensor& t, py::handle dim, bool keepdim, std::optional<DType> dtype) {
    return nanmean(t, opt_dims(dim), keepdim, dtype);
  }, py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none(),
     "nanmean(input, dim=None, keepdim=False, *, dtype=None) -> Tensor\n\nThe mean of the non-NaN elements "
     "(floating inputs; NaN where there are none).\n\nExample::\n\n    >>> ember.nanmean(ember.tensor([1., float('nan'), 2.]))\n"
     "    tensor(1.5000)\n");
  auto median_like = [&m](bool nan) {
    return [&type = values_indices_type(m, nan ? "nanmedian" : "median"), nan](const Tensor& t, py::handle dim,
                                                                               bool keepdim) -> py::object {
      if (dim.is_none()) return py::cast(nan ? nanmedian(t) : median(t));
      auto [v, i] = nan ? nanmedian_dim(t, index_of(dim), keepdim) : median_dim(t, index_of(dim), keepdim);
      return type(v, i);
    };
  };
  def_both(m, cls, "median", median_like(false), py::arg("dim") = py::none(), py::arg("keepdim") = false,
           R"doc(median(input, dim=None, keepdim=False) -> Tensor or (Tensor, Tensor)

The lower median (the smaller of the two middle values for an even count); NaN where a NaN is
among the values. Without dim: a 0-d tensor over all elements. With dim: (values, indices).

Args:
    input (Tensor): the input tensor.
    dim (int, optional): the dim to reduce.
    keepdim (bool, optional): keep the reduced dim as size 1. Default: False.

Returns:
    Tensor, or a namedtuple (values, indices) with int64 indices.

Example::

    >>> ember.median(ember.tensor([3., 1., 2., 4.]))
    tensor(2.)
)doc");
  def_both(m, cls, "nanmedian", median_like(true), py::arg("dim") = py::none(), py::arg("keepdim") = false,
           "nanmedian(input, dim=None, keepdim=False) -> Tensor or (Tensor, Tensor)\n\nmedian of the non-NaN values "
           "(NaN where all are NaN).\n\nExample::\n\n    >>> ember.nanmedian(ember.tensor([3., float('nan'), 1.]))\n    tensor(1.)\n");
  def_both(m, cls, "kthvalue", [&type = values_indices_type(m, "kthvalue")](const Tensor& t, int64_t k, int64_t dim,
                                                                            bool keepdim) {
    auto [v, i] = kthvalue(t, k, dim, keepdim);
    return type(v, i);
  }, py::arg("k"), py::arg("dim") = -1, py::arg("keepdim") = false,
     "kthvalue(input, k, dim=-1, keepdim=False) -> (Tensor, Tensor)\n\nThe k-th smallest value along dim (k from 1; NaN "
     "counts as the largest) and its index.\n\nExample::\n\n    >>> ember.kthvalue(ember.tensor([3., 1., 2.]), 2)\n"
     "    ember.return_types.kthvalue(\n    values=tensor(2.),\n    indices=tensor(2))\n");
  def_both(m, cls, "mode", [&type = values_indices_type(m, "mode")](const Tensor& t, int64_t dim, bool keepdim) {
    auto [v, i] = mode(t, dim, keepdim);
    return type(v, i);
  }, py::arg("dim") = -1, py::arg("keepdim") = false, R"doc(mode(input, dim=-1, keepdim=False) -> (Tensor, Tensor)

The most frequent value along dim (the smallest of equally frequent ones) and the index of its
last occurrence.

Args:
    input (Tensor): the tensor.
    dim (int, optional): the dim to reduce. Default: -1.
    keepdim (bool, optional): whether the results keep dim with size 1. Default: False.

Returns:
    ember.return_types.mode: (values, indices), indices int64.

Example::

    >>> ember.mode(ember.tensor([[3, 1, 3, 1, 2], [5, 5, 4, 4, 4]]))
    ember.return_types.mode(
    values=tensor([1, 4]),
    indices=tensor([3, 4]))
)doc");
  auto quantile_like = [](bool nan) {
    return [nan](const Tensor& t, py::handle q, std::optional<int64_t> dim, bool keepdim, const std::string& interp) {
      const Tensor qt = py::isinstance<Tensor>(q) ? q.cast<Tensor>()
                        : PyFloat_Check(q.ptr()) || PyLong_Check(q.ptr()) ? full({}, q.cast<double>(), t.dtype())
                                                                          : tensor_from_data(q, t.dtype());
      return nan ? nanquantile(t, qt, dim, keepdim, interp) : quantile(t, qt, dim, keepdim, interp);
    };
  };
  for (bool nan : {false, true})
    def_both(m, cls, nan ? "nanquantile" : "quantile", quantile_like(nan), py::arg("q"), py::arg("dim") = py::none(),
             py::arg("keepdim") = false, py::kw_only(), py::arg("interpolation") = "linear",
             nan ? "nanquantile(input, q, dim=None, keepdim=False, *, interpolation='linear') -> Tensor\n\nquantile "
                   "ignoring NaN (NaN where a row has no numbers).\n\nExample::\n\n    >>> ember.nanquantile(ember.tensor([1., float('nan'), 3.]), 0.5)\n    tensor(2.)\n"
                 : R"doc(quantile(input, q, dim=None, keepdim=False, *, interpolation='linear') -> Tensor

The q-quantiles of input over dim (all elements when None): the value at rank q * (n - 1) of the
sorted values, between two ranks as interpolation says (linear, lower, higher, midpoint,
nearest). NaN where a NaN is among the values.

Args:
    input (Tensor): a floating tensor.
    q (float or Tensor): quantiles in [0, 1], a number or a 1-D tensor of input's dtype (its dim
        comes first in the result).
    dim (int, optional): the dim to reduce.
    keepdim (bool, optional): keep the reduced dim as size 1. Default: False.
    interpolation (str, optional): Default: 'linear'.

Returns:
    Tensor: the quantiles.

Example::

    >>> ember.quantile(ember.tensor([0., 1., 2., 3.]), 0.5)
    tensor(1.5000)
)doc");
  def_both(m, cls, "aminmax", [&aminmax_type = values_indices_type(m, "aminmax", "min", "max")](
                                   const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
    auto [lo, hi] = aminmax(t, dim, keepdim);
    return aminmax_type(lo, hi);
  }, py::kw_only(), py::arg("dim") = py::none(), py::arg("keepdim") = false,
     "aminmax(input, *, dim=None, keepdim=False) -> (Tensor, Tensor)\n\n(amin, amax) in one call.\n\nExample::\n\n"
     "    >>> ember.aminmax(ember.tensor([1., 3., 2.]))\n    ember.return_types.aminmax(\n    min=tensor(1.),\n    max=tensor(3.))\n");
  for (bool is_std : {false, true})
    m.def(is_std ? "std_mean" : "var_mean", [is_std](const Tensor& t, py::handle dim, std::optional<bool> unbiased,
                                                   bool keepdim, std::optional<double> correction) {
      if (PyBool_Check(dim.ptr())) {  // var_mean(x, True): the bool is `unbiased`
        unbiased = dim.ptr() == Py_True;
        dim = py::none();
      }
      const double c = correction ? *correction : (unbiased.value_or(true) ? 1.0 : 0.0);
      auto [s, mu] = is_std ? std_mean(t, opt_dims(dim), c, keepdim) : var_mean(t, opt_dims(dim), c, keepdim);
      return py::make_tuple(s, mu);
    }, py::arg("input"), py::arg("dim") = py::none(), py::arg("unbiased") = py::none(), py::arg("keepdim") = false,
       py::kw_only(), py::arg("correction") = py::none(),
       is_std ? "std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None) -> (Tensor, Tensor)\n\n"
                "(std, mean) over dim, with std's correction (1 by default).\n\nExample::\n\n    >>> ember.std_mean(ember.tensor([1., 3.]))\n"
                "    (tensor(1.4142), tensor(2.))\n"
              : "var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None) -> (Tensor, Tensor)\n\n"
                "(var, mean) over dim, with var's correction (1 by default).\n\nExample::\n\n    >>> ember.var_mean(ember.tensor([1., 3.]))\n"
                "    (tensor(2.), tensor(2.))\n");

  // ---- joining and splitting --------------------------------------------------------------------
  m.def("hstack", &hstack, py::arg("tensors"), "hstack(tensors) -> Tensor\n\nConcatenates along dim 1 (dim 0 for 1-D "
        "tensors).\n\nExample::\n\n    >>> ember.hstack([ember.tensor([1, 2]), ember.tensor([3])])\n    tensor([1, 2, 3])\n");
  m.def("vstack", &vstack, py::arg("tensors"), "vstack(tensors) -> Tensor\n\nConcatenates along dim 0 the tensors made "
        "at least 2-D.\n\nExample::\n\n    >>> ember.vstack([ember.tensor([1, 2]), ember.tensor([3, 4])])\n"
        "    tensor([[1, 2],\n            [3, 4]])\n");
  m.attr("row_stack") = m.attr("vstack");
  m.def("dstack", &dstack, py::arg("tensors"), "dstack(tensors) -> Tensor\n\nConcatenates along dim 2 the tensors made "
        "at least 3-D.\n\nExample::\n\n    >>> ember.dstack([ember.ones(2, 2), ember.zeros(2, 2)]).shape\n    ember.Size([2, 2, 2])\n");
  m.def("column_stack", &column_stack, py::arg("tensors"), "column_stack(tensors) -> Tensor\n\nConcatenates along dim 1, "
        "0-d and 1-D tensors as columns.\n\nExample::\n\n    >>> ember.column_stack([ember.tensor([1, 2]), ember.tensor([3, 4])])\n"
        "    tensor([[1, 3],\n            [2, 4]])\n");
  m.def("concatenate", &cat, py::arg("tensors"), py::arg("axis") = 0,
        "concatenate(tensors, axis=0) -> Tensor\n\ncat with NumPy's argument name.\n\nExample::\n\n"
        "    >>> ember.concatenate([ember.ones(1), ember.zeros(1)])\n    tensor([1., 0.])\n");
  auto split_at = [](const Tensor& t, py::handle how, int64_t dim) {
    if (PyLong_Check(how.ptr())) return as_tuple(tensor_split(t, index_of(how), dim));
    if (py::isinstance<Tensor>(how)) {  // an int64 tensor: 0-d the sections, 1-D the indices
      const Tensor h = how.cast<Tensor>();
      EMBER_CHECK_TYPE(h.dtype() == DType::Int64, "tensor_split expected tensor_indices_or_sections to have dtype of "
                       "long, but got ", dtype_name(h.dtype()));
      EMBER_CHECK(h.dim() <= 1, "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                  "one-dimensional tensor, but got a tensor with ", h.dim(), " dims");
      if (h.dim() == 0) return as_tuple(tensor_split(t, h.item<int64_t>(), dim));
    }
    return as_tuple(tensor_split(t, dims_list(how, "tensor_split"), dim));
  };
  def_both(m, cls, "tensor_split", split_at, py::arg("indices_or_sections"), py::arg("dim") = 0,
           R"doc(tensor_split(input, indices_or_sections, dim=0) -> tuple of Tensors

Views of input along dim: ``sections`` parts whose sizes differ by at most one (an int), or the
parts between the given indices (a list or 1-D tensor).

Args:
    input (Tensor): at least 1-D.
    indices_or_sections (int or list of ints or Tensor): how to split.
    dim (int, optional): Default: 0.

Returns:
    tuple of Tensor views.

Example::

    >>> ember.tensor_split(ember.arange(7), 3)
    (tensor([0, 1, 2]), tensor([3, 4]), tensor([5, 6]))
)doc");
  for (const char* name : {"hsplit", "vsplit", "dsplit"}) {
    const int64_t need = name[0] == 'h' ? 1 : (name[0] == 'v' ? 2 : 3);
    def_both(m, cls, name, [split_at, name, need](const Tensor& t, py::object how) {
      EMBER_CHECK_RUNTIME(t.dim() >= need, name, ": requires a tensor with at least ", need, " dimension",
                          need > 1 ? "s" : "", ", but got a tensor with ", t.dim(), " dimensions");
      const int64_t dim = need == 1 ? (t.dim() == 1 ? 0 : 1) : need - 2 + (need == 3 ? 1 : 0);
      // a one-element integer tensor, as torch's parser reads it: 0-d an int (the sections), else
      // (a bool 0-d too) a list of one index
      if (py::isinstance<Tensor>(how)) {
        const Tensor h = how.cast<Tensor>();
        EMBER_CHECK_TYPE(h.numel() == 1 && !is_floating(h.dtype()), name,
                         "(): argument 'indices_or_sections' must be "
                         "an int or a tuple of ints, not a ", dtype_name(h.dtype()), " tensor of shape ",
                         shape_str(h.sizes()));
        const py::int_ v(h.item<int64_t>());
        how = h.dim() == 0 && h.dtype() != DType::Bool ? py::object(v) : py::object(py::make_tuple(v));
      }
      if (PyLong_Check(how.ptr())) {
        const int64_t s = index_of(how);
        EMBER_CHECK_RUNTIME(s != 0 && t.sizes()[dim] % s == 0, name, ": attempted to split along dimension ", dim,
                            ", but the size of the dimension ", t.sizes()[dim], " is not divisible by the split_size ", s, "!");
      }
      return split_at(t, how, dim);
    }, py::arg("indices_or_sections"),
    (std::string(name) + "(input, indices_or_sections) -> tuple of Tensors\n\ntensor_split along dim " +
     (need == 1 ? "1 (0 for 1-D input)" : need == 2 ? "0" : "2") +
     "; an int must divide the dim's size.\n\nExample::\n\n    >>> ember." + name + "(ember.ones(4, 4, 4), 2)[0].shape\n").c_str());
  }
  def_both(m, cls, "ravel", [](const Tensor& t) { return reshape(t, {t.numel()}); },
           "ravel(input) -> Tensor\n\ninput flattened to 1-D (a view when it can be).\n\nExample::\n\n"
           "    >>> ember.ravel(ember.ones(2, 3)).shape\n    ember.Size([6])\n");
  def_both(m, cls, "narrow_copy", [](const Tensor& t, int64_t dim, int64_t start, int64_t length) {
    return clone(narrow(t, dim, start, length));
  }, py::arg("dim"), py::arg("start"), py::arg("length"), "narrow_copy(input, dim, start, length) -> Tensor\n\n"
     "A copy of narrow(input, dim, start, length).\n\nExample::\n\n    >>> ember.narrow_copy(ember.arange(5), 0, 1, 2)\n    tensor([1, 2])\n");

  // ---- indexing composites ------------------------------------------------------------------------
  def_both(m, cls, "take", &take, py::arg("index"), "take(input, index) -> Tensor\n\nThe elements of input read as 1-D "
           "at index (int64, negative from the end), in index's shape.\n\nExample::\n\n"
           "    >>> ember.take(ember.tensor([[1, 2], [3, 4]]), ember.tensor([0, 3]))\n    tensor([1, 4])\n");
  def_both(m, cls, "index_add", [](const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src, Scalar alpha) {
    return index_add(t, dim, index, src, alpha);
  }, py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(), py::arg("alpha") = 1,
     R"doc(index_add(input, dim, index, source, *, alpha=1) -> Tensor

A copy of input with alpha * source added into the slices index names along dim (repeated
indices add up).

Args:
    input (Tensor): the tensor added to.
    dim (int): the dim index runs along.
    index (Tensor): 1-D int64 (or int32) indices.
    source (Tensor): input's shape with index's length along dim.
    alpha (Number, optional): source's multiplier. Default: 1.

Returns:
    Tensor: input's shape and dtype.

Example::

    >>> ember.index_add(ember.zeros(3), 0, ember.tensor([0, 0, 2]), ember.ones(3))
    tensor([2., 0., 1.])
)doc");
  cls.def("index_add_", [](py::object self, int64_t dim, const Tensor& index, const Tensor& src, Scalar alpha) {
    index_add_(self.cast<Tensor&>(), dim, index, src, alpha);
    return self;
  }, py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(), py::arg("alpha") = 1);
  def_both(m, cls, "index_copy", &index_copy, py::arg("dim"), py::arg("index"), py::arg("source"),
           "index_copy(input, dim, index, source) -> Tensor\n\nA copy of input with source's slices written at index "
           "along dim.\n\nExample::\n\n    >>> ember.index_copy(ember.zeros(3), 0, ember.tensor([2]), ember.ones(1))\n"
           "    tensor([0., 0., 1.])\n");
  cls.def("index_copy_", [](py::object self, int64_t dim, const Tensor& index, const Tensor& src) {
    index_copy_(self.cast<Tensor&>(), dim, index, src);
    return self;
  }, py::arg("dim"), py::arg("index"), py::arg("source"));
  def_both(m, cls, "index_fill", [](const Tensor& t, int64_t dim, const Tensor& index, py::handle v) {
    return index_fill(t, dim, index, tensor_or_scalar(v, "index_fill", "value", &t));
  }, py::arg("dim"), py::arg("index"), py::arg("value"),
     "index_fill(input, dim, index, value) -> Tensor\n\nA copy of input with value written in the slices at index "
     "along dim.\n\nExample::\n\n    >>> ember.index_fill(ember.zeros(3), 0, ember.tensor([1]), 5.)\n    tensor([0., 5., 0.])\n");
  cls.def("index_fill_", [](py::object self, int64_t dim, const Tensor& index, py::handle v) {
    Tensor& t = self.cast<Tensor&>();
    index_fill_(t, dim, index, tensor_or_scalar(v, "index_fill_", "value", &t));
    return self;
  }, py::arg("dim"), py::arg("index"), py::arg("value"));
  def_both(m, cls, "select_scatter", &select_scatter, py::arg("src"), py::arg("dim"), py::arg("index"),
           R"doc(select_scatter(input, src, dim, index) -> Tensor

A copy of input with src written where ``input.select(dim, index)`` reads.

Args:
    input (Tensor): the tensor written into.
    src (Tensor): the values, of ``input.select(dim, index)``'s shape (converted to input's dtype).
    dim (int): the dim to select along.
    index (int): the position along dim (negative from the end).

Returns:
    Tensor: input's shape and dtype.

Example::

    >>> ember.select_scatter(ember.zeros(2, 2), ember.ones(2), 0, 0)
    tensor([[1., 1.],
            [0., 0.]])
)doc");
  def_both(m, cls, "slice_scatter", &slice_scatter, py::arg("src"), py::arg("dim") = 0, py::arg("start") = py::none(),
           py::arg("end") = py::none(), py::arg("step") = 1, R"doc(slice_scatter(input, src, dim=0, start=None, end=None, step=1) -> Tensor

A copy of input with src written into the slice ``start:end:step`` along dim.

Args:
    input (Tensor): the tensor written into.
    src (Tensor): the values, of the slice's shape (converted to input's dtype).
    dim (int, optional): the dim to slice. Default: 0.
    start (int, optional): the slice's first position. Default: None (the start).
    end (int, optional): the position after the slice. Default: None (the end).
    step (int, optional): the distance between positions, > 0. Default: 1.

Returns:
    Tensor: input's shape and dtype.

Example::

    >>> ember.slice_scatter(ember.zeros(4), ember.ones(2), start=1, step=2)
    tensor([0., 1., 0., 1.])
)doc");
  def_both(m, cls, "diagonal_scatter", &diagonal_scatter, py::arg("src"), py::arg("offset") = 0, py::arg("dim1") = 0,
           py::arg("dim2") = 1, R"doc(diagonal_scatter(input, src, offset=0, dim1=0, dim2=1) -> Tensor

A copy of input with src written on the diagonal that ``input.diagonal(offset, dim1, dim2)`` reads.

Args:
    input (Tensor): the tensor written into, at least 2-D.
    src (Tensor): the values, of the diagonal's shape (converted to input's dtype).
    offset (int, optional): above the main diagonal by offset > 0, below by offset < 0. Default: 0.
    dim1 (int, optional): the diagonal's first dim. Default: 0.
    dim2 (int, optional): the diagonal's second dim. Default: 1.

Returns:
    Tensor: input's shape and dtype.

Example::

    >>> ember.diagonal_scatter(ember.zeros(2, 3), ember.ones(2), 1)
    tensor([[0., 1., 0.],
            [0., 0., 1.]])
)doc");
  def_both(m, cls, "masked_scatter", &masked_scatter, py::arg("mask"), py::arg("source"),
           R"doc(masked_scatter(input, mask, source) -> Tensor

A copy of input whose places where mask is True take source's elements, in row-major order on
both sides: the k-th True place gets ``source.flatten()[k]``.

Args:
    input (Tensor): the tensor written into (broadcast with mask).
    mask (Tensor): bool.
    source (Tensor): input's dtype, with at least as many elements as mask has True places.

Returns:
    Tensor: the broadcast shape of input and mask, input's dtype.

Example::

    >>> mask = ember.tensor([[True, False], [False, True]])
    >>> ember.masked_scatter(ember.zeros(2, 2), mask, ember.tensor([1., 2., 3.]))
    tensor([[1., 0.],
            [0., 2.]])
)doc");
  cls.def("masked_scatter_", [](py::object self, const Tensor& mask, const Tensor& source) {
    masked_scatter_(self.cast<Tensor&>(), mask, source);
    return self;
  }, py::arg("mask"), py::arg("source"), "masked_scatter_(mask, source) -> Tensor\n\nIn-place version of "
     ":meth:`Tensor.masked_scatter` (mask broadcasts to the tensor's shape).\n\nExample::\n\n"
     "    >>> x = ember.zeros(3)\n    >>> x.masked_scatter_(ember.tensor([True, False, True]), ember.tensor([7., 8.]))\n"
     "    tensor([7., 0., 8.])\n");
  m.def("block_diag", [](py::args args) { return block_diag(args.cast<std::vector<Tensor>>()); },
        "block_diag(*tensors) -> Tensor\n\nThe tensors (0-d and 1-D as one row) on the diagonal of a zero matrix.\n\n"
        "Example::\n\n    >>> ember.block_diag(ember.ones(1, 1), ember.ones(1, 2) * 2)\n"
        "    tensor([[1., 0., 0.],\n            [0., 2., 2.]])\n");
  m.def("cdist", [](const Tensor& x1, const Tensor& x2, double p, py::handle compute_mode) {
          // torch's three modes (which choose whether p = 2 goes through a matmul); ember computes directly
          const bool known = py::isinstance<py::str>(compute_mode) &&
                             std::set<std::string>{"use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                                                   "donot_use_mm_for_euclid_dist"}.count(compute_mode.cast<std::string>());
          if (!known) throw ValueError(std::string(py::str(compute_mode)) + " is not a valid value for compute_mode");
          return cdist(x1, x2, p);
        },
        py::arg("x1"), py::arg("x2"), py::arg("p") = 2.0, py::arg("compute_mode") = "use_mm_for_euclid_dist_if_necessary",
        R"doc(cdist(x1, x2, p=2.0, compute_mode='use_mm_for_euclid_dist_if_necessary') -> Tensor

The p-norm distance between each row of x1 and each row of x2.

Args:
    x1 (Tensor): (..., P, M), floating.
    x2 (Tensor): (..., R, M).
    p (float, optional): the norm's order, >= 0. Default: 2.
    compute_mode (str, optional): one of PyTorch's 'use_mm_for_euclid_dist_if_necessary',
        'use_mm_for_euclid_dist', 'donot_use_mm_for_euclid_dist'; ember always computes directly.

Returns:
    Tensor: (..., P, R).

Example::

    >>> ember.cdist(ember.tensor([[0., 0.]]), ember.tensor([[3., 4.]]))
    tensor([[5.]])
)doc");
  m.def("pdist", &pdist, py::arg("input"), py::arg("p") = 2.0, R"doc(pdist(input, p=2) -> Tensor

The p-norm distance between every pair of rows i < j of input, in row-major pair order (the
upper triangle of ``cdist(input, input)`` above its diagonal, flattened).

Args:
    input (Tensor): (N, M), floating.
    p (float, optional): the norm's order, >= 0. Default: 2.

Returns:
    Tensor: (N * (N - 1) / 2,).

Example::

    >>> ember.pdist(ember.tensor([[0., 0.], [3., 4.], [6., 8.]]))
    tensor([ 5., 10.,  5.])
)doc");
  m.def("combinations", &combinations, py::arg("input"), py::arg("r") = 2, py::arg("with_replacement") = false,
        R"doc(combinations(input, r=2, with_replacement=False) -> Tensor

The r-element combinations of a 1-D tensor's elements, one per row, in the order of
``itertools.combinations`` (``combinations_with_replacement`` with with_replacement=True).

Args:
    input (Tensor): 1-D.
    r (int, optional): the elements per combination, >= 0. Default: 2.
    with_replacement (bool, optional): whether an element may repeat. Default: False.

Returns:
    Tensor: (count, r), input's dtype (an empty 1-D tensor for r = 0).

Example::

    >>> ember.combinations(ember.tensor([1, 2, 3]))
    tensor([[1, 2],
            [1, 3],
            [2, 3]])
)doc");
  m.def("unravel_index", [](const Tensor& indices, py::handle shape) {
    return as_tuple(unravel_index(indices, PyLong_Check(shape.ptr()) ? Shape{index_of(shape)}
                                                                       : shape_from(shape, "unravel_index")));
  }, py::arg("indices"), py::arg("shape"), R"doc(unravel_index(indices, shape) -> tuple of Tensors

Flat (row-major) indices into a tensor of the given shape as one coordinate tensor per dim.
Indices out of range wrap as Python's floor arithmetic does, as torch's.

Args:
    indices (Tensor): integer flat indices.
    shape (int or sequence of ints): the shape indexed, no negative sizes.

Returns:
    tuple of Tensors: one int64 tensor of indices' shape per dim of shape.

Example::

    >>> ember.unravel_index(ember.tensor([4, 1]), (2, 3))
    (tensor([1, 0]), tensor([1, 1]))
)doc");
  def_both(m, cls, "dist", [](const Tensor& a, const Tensor& b, double p) { return dist(a, b, p); }, py::arg("other"),
           py::arg("p") = 2.0, "dist(input, other, p=2) -> Tensor\n\nThe p-norm of input - other (broadcast).\n\n"
           "Example::\n\n    >>> ember.dist(ember.tensor([0., 0.]), ember.tensor([3., 4.]))\n    tensor(5.)\n");
}

}  // namespace ember

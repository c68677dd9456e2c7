// Reductions, scans, sorting and softmax along dims, bound once as ember.<op> and as Tensor.<op>
// where PyTorch has both (the rest of the tensor ops: bind_ops.cpp).
#include "convert.h"
#include "def_both.h"
#include "gil.h"
#include "out.h"

namespace ember {

using namespace py_convert;
using py_gil::heavy;
using py_out::OutDtype;
using py_out::def_both_out;

namespace {

constexpr const char* kCumsumDoc = R"doc(cumsum(input, dim, *, dtype=None) -> Tensor

Running sum of input along dim: y_i = x_0 + x_1 + ... + x_i.

Args:
    input (Tensor): the input tensor.
    dim (int): the dimension to scan along.
    dtype (ember.dtype, optional): the result's dtype; the input is cast to it first. Bool and
        integer inputs give int64 by default, floating inputs keep their dtype.

Returns:
    Tensor: input's shape.

Example::

    >>> ember.cumsum(ember.tensor([1., 2., 3.]), dim=0)
    tensor([1., 3., 6.])
)doc";
constexpr const char* kCumprodDoc = R"doc(cumprod(input, dim, *, dtype=None) -> Tensor

Running product of input along dim: y_i = x_0 * x_1 * ... * x_i.

Args:
    input (Tensor): the input tensor.
    dim (int): the dimension to scan along.
    dtype (ember.dtype, optional): the result's dtype; the input is cast to it first. Bool and
        integer inputs give int64 by default, floating inputs keep their dtype.

Returns:
    Tensor: input's shape. Its gradient is right where input holds zeros.

Example::

    >>> ember.cumprod(ember.tensor([1., 2., 3.]), dim=0)
    tensor([1., 2., 6.])
)doc";
constexpr const char* kLogcumsumexpDoc = R"doc(logcumsumexp(input, dim) -> Tensor

Running log-sum-exp of input along dim: y_i = log(exp(x_0) + ... + exp(x_i)), computed
without overflow (-inf entries add nothing; NaN propagates).

Args:
    input (Tensor): a floating tensor.
    dim (int): the dimension to scan along.

Returns:
    Tensor: input's shape and dtype.

Example::

    >>> ember.logcumsumexp(ember.tensor([0., 0., 0.]), dim=0)
    tensor([0.0000, 0.6931, 1.0986])
)doc";
constexpr const char* kCummaxDoc = R"doc(cummax(input, dim) -> (Tensor, Tensor)

Running maximum of input along dim and the index it was found at. On ties the later index is
taken; a NaN is kept from where it appears (its index is the latest NaN's).

Args:
    input (Tensor): the input tensor (bool, integer or floating).
    dim (int): the dimension to scan along.

Returns:
    A namedtuple (values, indices): values of input's shape and dtype, int64 indices.

Example::

    >>> ember.cummax(ember.tensor([1., 3., 2., 3.]), dim=0)
    ember.return_types.cummax(
    values=tensor([1., 3., 3., 3.]),
    indices=tensor([0, 1, 1, 3]))
)doc";
constexpr const char* kCumminDoc = R"doc(cummin(input, dim) -> (Tensor, Tensor)

Running minimum of input along dim and the index it was found at. On ties the later index is
taken; a NaN is kept from where it appears (its index is the latest NaN's).

Args:
    input (Tensor): the input tensor (bool, integer or floating).
    dim (int): the dimension to scan along.

Returns:
    A namedtuple (values, indices): values of input's shape and dtype, int64 indices.

Example::

    >>> ember.cummin(ember.tensor([3., 1., 2., 1.]), dim=0)
    ember.return_types.cummin(
    values=tensor([3., 1., 1., 1.]),
    indices=tensor([0, 1, 1, 3]))
)doc";

// Docstrings of sorting and selection.
constexpr const char* kSortDoc = R"doc(sort(input, dim=-1, descending=False, *, stable=False) -> (Tensor, Tensor)

Sorts the elements of input along dim in ascending order (descending: largest first).

NaN sorts as the largest value (last ascending, first descending); -0.0 and 0.0 are equal.
ember's sort is always stable: equal elements keep the order of their indices, in either
direction, so ``stable`` (PyTorch's flag, which leaves ties unordered when False) changes
nothing. The values are differentiable: their gradient goes back to the positions they came from.

Args:
    input (Tensor): the input tensor (bool, int64 or floating).
    dim (int, optional): the dimension to sort along. Default: -1.
    descending (bool, optional): largest first. Default: False.
    stable (bool, optional): accepted for PyTorch's signature; every sort is stable.

Returns:
    A namedtuple (values, indices): values of input's shape and dtype, and int64 indices such
    that ``values == input.gather(dim, indices)``.

Example::

    >>> ember.sort(ember.tensor([3., 1., 2.]))
    ember.return_types.sort(
    values=tensor([1., 2., 3.]),
    indices=tensor([1, 2, 0]))
    >>> values, indices = ember.tensor([[2., 5.], [4., 1.]]).sort(dim=0, descending=True)
    >>> indices
    tensor([[1, 0],
            [0, 1]])
)doc";
constexpr const char* kArgsortDoc = R"doc(argsort(input, dim=-1, descending=False, stable=False) -> Tensor

The indices that sort input along dim: ``sort(input, dim, descending).indices``. NaN sorts as
the largest value; equal elements keep their index order (every sort is stable).

Args:
    input (Tensor): the input tensor (bool, int64 or floating).
    dim (int, optional): the dimension to sort along. Default: -1.
    descending (bool, optional): largest first. Default: False.
    stable (bool, optional): accepted for PyTorch's signature; every sort is stable.

Returns:
    Tensor: int64 indices of input's shape (no gradient).

Example::

    >>> ember.argsort(ember.tensor([3., 1., 2.]), descending=True)
    tensor([0, 2, 1])
)doc";
constexpr const char* kTopkDoc = R"doc(topk(input, k, dim=-1, largest=True, sorted=True) -> (Tensor, Tensor)

The k largest elements of input along dim (the k smallest with ``largest=False``) and their
indices. Selects them without sorting the whole dim (a single pass for small k).

NaN counts as the largest value. Equal elements are taken in index order (the lower index
first). With ``sorted=False`` the k elements may come in any order. The values are
differentiable: their gradient goes back to the positions they came from.

Args:
    input (Tensor): the input tensor (int64 or floating).
    k (int): how many to take, 0 <= k <= input.size(dim); otherwise RuntimeError ("selected
        index k out of range").
    dim (int, optional): the dimension to select along. Default: -1.
    largest (bool, optional): the largest (True) or the smallest (False). Default: True.
    sorted (bool, optional): return them in order, best first. Default: True.

Returns:
    A namedtuple (values, indices): input's shape with k along dim; values of input's dtype,
    int64 indices.

Example::

    >>> ember.topk(ember.tensor([1., 5., 3., 4.]), 2)
    ember.return_types.topk(
    values=tensor([5., 4.]),
    indices=tensor([1, 3]))
    >>> output.topk(5, 1, True, True)  # the top-5 classes of each row of a batch
)doc";

}  // namespace

void bind_reduce(py::module_& m, py::class_<Tensor>& cls) {
  // ---- reductions ---------------------------------------------------------------------
#define EMBER_REDUCTION_WITH_DTYPE(name, rule)                                                                \
  def_both_out(m, cls, #name, rule, [](const Tensor& t, py::handle dim, bool keepdim, std::optional<DType> dtype) {    \
    const OptDims dims = dims_from(dim);                                                                      \
    py_gil::Release nogil(heavy(t));                                                                          \
    return name(t, dims, keepdim, dtype);                                                                     \
  }, py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none());
  EMBER_REDUCTION_WITH_DTYPE(sum, OutDtype::DtypeFromOut)
  EMBER_REDUCTION_WITH_DTYPE(mean, OutDtype::Castable)
#undef EMBER_REDUCTION_WITH_DTYPE
  def_both_out(m, cls, "prod", OutDtype::DtypeFromOut, [](const Tensor& t, std::optional<int64_t> dim, bool keepdim, std::optional<DType> dtype) {
    return prod(t, dim ? OptDims{Dims{*dim}} : OptDims{}, keepdim, dtype);
  }, py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none());
#define EMBER_REDUCTION(name)                                                                            \
  def_both_out(m, cls, #name, OutDtype::Exact, [](const Tensor& t, py::handle dim, bool keepdim) {                           \
    const OptDims dims = dims_from(dim);                                                                 \
    py_gil::Release nogil(heavy(t));                                                                     \
    return name(t, dims, keepdim);                                                                       \
  }, py::arg("dim") = py::none(), py::arg("keepdim") = false);
  EMBER_REDUCTION(amax)
  EMBER_REDUCTION(amin)
  EMBER_REDUCTION(all)
  EMBER_REDUCTION(any)
#undef EMBER_REDUCTION
  static const py::object& max_type = values_indices_type(m, "max");
  static const py::object& min_type = values_indices_type(m, "min");
  auto max_min = [](bool is_max) {
    // max(other) is maximum; with keepdim given, a one-element integer tensor is the dim, as torch's parser.
    return [is_max](const Tensor& t, py::handle dim, std::optional<bool> keepdim) -> py::object {
      if (dim.is_none()) {
        return py::cast(is_max ? max(t) : min(t));
      }
      if (py::isinstance<Tensor>(dim) && !(keepdim && is_index(dim)))
        return py::cast(is_max ? maximum(t, dim.cast<Tensor>()) : minimum(t, dim.cast<Tensor>()));
      const int64_t d = index_of(dim);
      auto [v, i] = is_max ? max_dim(t, d, keepdim.value_or(false)) : min_dim(t, d, keepdim.value_or(false));
      return (is_max ? max_type : min_type)(v, i);
    };
  };
  def_both_out(m, cls, "max", OutDtype::Exact, max_min(true), py::arg("dim") = py::none(), py::arg("keepdim") = py::none());
  def_both_out(m, cls, "min", OutDtype::Exact, max_min(false), py::arg("dim") = py::none(), py::arg("keepdim") = py::none());
  def_both_out(m, cls, "argmax", OutDtype::Exact, &argmax, py::arg("dim") = py::none(), py::arg("keepdim") = false);
  def_both_out(m, cls, "argmin", OutDtype::Exact, &argmin, py::arg("dim") = py::none(), py::arg("keepdim") = false);
  auto correction_of = [](std::optional<bool> unbiased, std::optional<double> correction) {
    if (correction) return *correction;
    return unbiased.value_or(true) ? 1.0 : 0.0;
  };
  // var(True) / std(False): a lone bool is PyTorch's `unbiased`, not a dim.
  auto bool_as_unbiased = [](py::handle& dim, std::optional<bool>& unbiased) {
    if (PyBool_Check(dim.ptr())) {
      unbiased = dim.ptr() == Py_True;
      dim = py::none();
    }
  };
  def_both_out(m, cls, "var", OutDtype::Castable, [correction_of, bool_as_unbiased](const Tensor& t, py::handle dim, std::optional<bool> unbiased,
                                                            bool keepdim, std::optional<double> correction) {
    bool_as_unbiased(dim, unbiased);
    return var(t, dims_from(dim), correction_of(unbiased, correction), keepdim);
  }, py::arg("dim") = py::none(), py::arg("unbiased") = py::none(), py::arg("keepdim") = false, py::kw_only(),
     py::arg("correction") = py::none());
  def_both_out(m, cls, "std", OutDtype::Castable, [correction_of, bool_as_unbiased](const Tensor& t, py::handle dim, std::optional<bool> unbiased,
                                                            bool keepdim, std::optional<double> correction) {
    bool_as_unbiased(dim, unbiased);
    return ember::std(t, dims_from(dim), correction_of(unbiased, correction), keepdim);
  }, py::arg("dim") = py::none(), py::arg("unbiased") = py::none(), py::arg("keepdim") = false, py::kw_only(),
     py::arg("correction") = py::none());
  def_both_out(m, cls, "logsumexp", OutDtype::Castable, [](const Tensor& t, py::handle dim, bool keepdim) {
    return logsumexp(t, dims_from(dim).value_or(Dims{}), keepdim);
  }, py::arg("dim"), py::arg("keepdim") = false);
  def_both_out(m, cls, "norm", OutDtype::Castable, [](const Tensor& t, py::handle p, py::handle dim, bool keepdim) {
    double pv = 2;
    if (py::isinstance<py::str>(p)) {
      EMBER_CHECK(p.cast<std::string>() == "fro", "norm: unsupported norm type '", p.cast<std::string>(), "'");
    } else if (!p.is_none()) {
      pv = p.cast<double>();
    }
    return norm(t, pv, dims_from(dim), keepdim);
  }, py::arg("p") = "fro", py::arg("dim") = py::none(), py::arg("keepdim") = false);
  // ---- scans along one dim (the table in scan.def) -----------------------------------
  def_both_out(m, cls, "cumsum", OutDtype::DtypeFromOut, [](const Tensor& t, int64_t dim, std::optional<DType> dtype) { return cumsum(t, dim, dtype); },
           py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none(), kCumsumDoc);
  def_both_out(m, cls, "cumprod", OutDtype::DtypeFromOut, [](const Tensor& t, int64_t dim, std::optional<DType> dtype) { return cumprod(t, dim, dtype); },
           py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none(), kCumprodDoc);
  def_both_out(m, cls, "logcumsumexp", OutDtype::Castable, [](const Tensor& t, int64_t dim) { return logcumsumexp(t, dim); }, py::arg("dim"),
           kLogcumsumexpDoc);
  // (values, indices) as the namedtuple max(dim) returns.
  def_both_out(m, cls, "cummax", OutDtype::Exact, [&type = values_indices_type(m, "cummax")](const Tensor& t, int64_t dim) {
    auto [v, i] = cummax(t, dim);
    return type(v, i);
  }, py::arg("dim"), kCummaxDoc);
  def_both_out(m, cls, "cummin", OutDtype::Exact, [&type = values_indices_type(m, "cummin")](const Tensor& t, int64_t dim) {
    auto [v, i] = cummin(t, dim);
    return type(v, i);
  }, py::arg("dim"), kCumminDoc);
  cls.def("cumsum_", [](py::object self, int64_t dim, std::optional<DType> dtype) {
    cumsum_(self.cast<Tensor&>(), dim, dtype);
    return self;
  }, py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none(), "In-place cumsum: the result keeps the tensor's dtype.");
  cls.def("cumprod_", [](py::object self, int64_t dim, std::optional<DType> dtype) {
    cumprod_(self.cast<Tensor&>(), dim, dtype);
    return self;
  }, py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none(), "In-place cumprod: the result keeps the tensor's dtype.");

  // ---- sorting and selection along one dim -------------------------------------------
  def_both_out(m, cls, "sort", OutDtype::Exact, [&type = values_indices_type(m, "sort")](const Tensor& t, int64_t dim, bool descending, std::optional<bool> stable) {
    auto [v, i] = sort(t, dim, descending, stable.value_or(false));
    return type(v, i);
  }, py::arg("dim") = -1, py::arg("descending") = false, py::kw_only(), py::arg("stable") = false, kSortDoc);
  def_both(m, cls, "argsort", [](const Tensor& t, int64_t dim, bool descending, std::optional<bool> stable) {
    return argsort(t, dim, descending, stable.value_or(false));
  }, py::arg("dim") = -1, py::arg("descending") = false, py::arg("stable") = false, kArgsortDoc);
  def_both_out(m, cls, "topk", OutDtype::Exact, [&type = values_indices_type(m, "topk")](const Tensor& t, int64_t k, int64_t dim, bool largest, bool sorted) {
    auto [v, i] = topk(t, k, dim, largest, sorted);
    return type(v, i);
  }, py::arg("k"), py::arg("dim") = -1, py::arg("largest") = true, py::arg("sorted") = true, kTopkDoc);

  auto softmax_dim = [](py::handle dim, const char* op) {
    EMBER_CHECK_TYPE(PyIndex_Check(dim.ptr()) && !PyBool_Check(dim.ptr()), op, ": argument 'dim' must be int, not ",
                     std::string(py::str(dim.get_type().attr("__name__"))));
    // An int past int64 clips, so the op's range check names it.
    const Py_ssize_t d = PyNumber_AsSsize_t(dim.ptr(), nullptr);
    if (d == -1 && PyErr_Occurred()) throw py::error_already_set();  // __index__ raised (an array)
    return static_cast<int64_t>(d);
  };
  def_both(m, cls, "softmax", [softmax_dim](const Tensor& t, py::handle dim, std::optional<DType> dtype) {
    return softmax(t, softmax_dim(dim, "softmax"), dtype);
  }, py::arg("dim"), py::arg("dtype") = py::none());
  def_both(m, cls, "log_softmax", [softmax_dim](const Tensor& t, py::handle dim, std::optional<DType> dtype) {
    return log_softmax(t, softmax_dim(dim, "log_softmax"), dtype);
  }, py::arg("dim"), py::arg("dtype") = py::none());
}

}  // namespace ember

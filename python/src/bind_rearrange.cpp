// Bindings of the rearranging, diagonal, combining and counting ops (ops/rearrange.cpp,
// ops/shape.cpp's diagonals, ops/combine.cpp, ops/unique.cpp), as torch.<op> and Tensor.<op>.
#include "convert.h"
#include "def_both.h"

namespace ember {

using namespace py_convert;

namespace {
/// `*tensors` arguments: f(a, b) and f([a, b]) both give [a, b].
std::vector<Tensor> tensors_from_args(const py::args& args) {
  if (args.size() == 1 && !py::isinstance<Tensor>(args[0])) return args[0].cast<std::vector<Tensor>>();
  return args.cast<std::vector<Tensor>>();
}

/// unique's result: the values alone, or a tuple with the inverse and / or the counts asked for.
py::object unique_result(const std::tuple<Tensor, Tensor, Tensor>& r) {
  const auto& [values, inverse, counts] = r;
  if (!inverse.defined() && !counts.defined()) return py::cast(values);
  py::list out;
  out.append(values);
  if (inverse.defined()) out.append(inverse);
  if (counts.defined()) out.append(counts);
  return py::tuple(out);
}

/// atleast_nd of one tensor (a tensor) or several (a tuple), as torch.atleast_1d.
py::object atleast(const py::args& args, int64_t n) {
  if (args.size() == 1 && py::isinstance<Tensor>(args[0])) return py::cast(atleast_nd(args[0].cast<Tensor>(), n));
  std::vector<Tensor> out;
  for (const Tensor& t : tensors_from_args(args)) out.push_back(atleast_nd(t, n));
  return py::tuple(py::cast(out));
}

constexpr const char* kTrilDoc = R"doc(tril(input, diagonal=0) -> Tensor

The lower triangle of the last two dims of input (a matrix or a batch of them): the elements
with column - row <= diagonal; the others are zero. A copy; ``x.tril_()`` writes x.

Args:
    input (Tensor): a tensor of at least 2 dims, any dtype.
    diagonal (int, optional): which diagonal bounds the triangle: 0 the main one, > 0 above it,
        < 0 below it. Default: 0.

Returns:
    Tensor: input's shape and dtype.

Example::

    >>> mask = ember.tril(ember.ones(3, 3))   # a causal attention mask
    >>> mask
    tensor([[1., 0., 0.],
            [1., 1., 0.],
            [1., 1., 1.]])
)doc";
constexpr const char* kTriuDoc = R"doc(triu(input, diagonal=0) -> Tensor

The upper triangle of the last two dims of input: the elements with column - row >= diagonal;
the others are zero. A copy; ``x.triu_()`` writes x.

Args:
    input (Tensor): a tensor of at least 2 dims, any dtype.
    diagonal (int, optional): 0 the main diagonal, > 0 above it, < 0 below it. Default: 0.

Returns:
    Tensor: input's shape and dtype.

Example::

    >>> ember.triu(ember.ones(3, 3, dtype=ember.bool), diagonal=1)  # True above the diagonal
    tensor([[False,  True,  True],
            [False, False,  True],
            [False, False, False]])
)doc";
constexpr const char* kTriangleIndicesDoc = R"doc({name}(row, col, offset=0, *, dtype=ember.int64, device=None) -> Tensor

The coordinates of the {part} triangle of a row x col matrix (as {op} keeps them, offset as
its diagonal), row by row: a 2 x N tensor of row indices over column indices.

Args:
    row (int): the number of rows.
    col (int): the number of columns.
    offset (int, optional): the bounding diagonal (0 the main one). Default: 0.
    dtype (ember.dtype, optional): an integer dtype. Default: ember.int64.

Returns:
    Tensor: shape (2, N).

Example::

    >>> ember.{name}(3, 3)
)doc";
}  // namespace

void bind_rearrange(py::module_& m, py::class_<Tensor>& cls) {
  // ---- triangles ----------------------------------------------------------------------
  def_both(m, cls, "tril", &tril, py::arg("diagonal") = 0, kTrilDoc);
  def_both(m, cls, "triu", &triu, py::arg("diagonal") = 0, kTriuDoc);
  cls.def("tril_", [](py::object self, int64_t k) { tril_(self.cast<Tensor&>(), k); return self; },
          py::arg("diagonal") = 0, "In-place tril: zeros the elements above the diagonal; returns self.");
  cls.def("triu_", [](py::object self, int64_t k) { triu_(self.cast<Tensor&>(), k); return self; },
          py::arg("diagonal") = 0, "In-place triu: zeros the elements below the diagonal; returns self.");
  for (auto [name, fn, part] : {std::tuple{"tril_indices", &tril_indices, "lower"},
                                std::tuple{"triu_indices", &triu_indices, "upper"}}) {
    std::string doc = kTriangleIndicesDoc;
    for (auto [key, value] : {std::pair{"{name}", name}, {"{part}", part}, {"{op}", name[3] == 'l' ? "tril" : "triu"}})
      for (size_t at; (at = doc.find(key)) != std::string::npos;) doc.replace(at, std::string(key).size(), value);
    m.def(name, [fn, name](int64_t row, int64_t col, int64_t offset, std::optional<DType> dtype, py::handle device) {
            device_from(device, name);
            return fn(row, col, offset, dtype.value_or(DType::Int64));
          }, py::arg("row"), py::arg("col"), py::arg("offset") = 0, py::kw_only(), py::arg("dtype") = py::none(),
          py::arg("device") = py::none(), py::doc(strdup(doc.c_str())));
  }

  // ---- diagonals ----------------------------------------------------------------------
  def_both(m, cls, "diagonal", &diagonal, py::arg("offset") = 0, py::arg("dim1") = 0, py::arg("dim2") = 1,
           R"doc(diagonal(input, offset=0, dim1=0, dim2=1) -> Tensor

A view of the diagonal of input over dims dim1 and dim2, which are removed, the diagonal being
appended as the last dim. Writes to the view write input.

Args:
    input (Tensor): a tensor of at least 2 dims.
    offset (int, optional): 0 the main diagonal, > 0 above it, < 0 below it. Default: 0.
    dim1 (int, optional): the first dim of the matrices. Default: 0.
    dim2 (int, optional): the second dim of the matrices. Default: 1.

Returns:
    Tensor: a view; its last dim has the diagonal's length (0 when offset is past the matrix).

Example::

    >>> x = ember.arange(9.).reshape(3, 3)
    >>> ember.diagonal(x)
    tensor([0., 4., 8.])
    >>> x.diagonal(offset=1)
    tensor([1., 5.])
)doc");
  def_both(m, cls, "diag_embed", &diag_embed, py::arg("offset") = 0, py::arg("dim1") = -2, py::arg("dim2") = -1,
           R"doc(diag_embed(input, offset=0, dim1=-2, dim2=-1) -> Tensor

Matrices with input's last dim on a diagonal and zeros elsewhere: the result has one dim more
than input, two new dims dim1 and dim2 (of size n + |offset|, n the size of input's last dim)
replacing input's last one.

Args:
    input (Tensor): a tensor of at least 1 dim.
    offset (int, optional): 0 the main diagonal, > 0 above it, < 0 below it. Default: 0.
    dim1 (int, optional): the first dim of the matrices in the result. Default: -2.
    dim2 (int, optional): the second dim of the matrices in the result. Default: -1.

Returns:
    Tensor: input's dtype.

Example::

    >>> ember.diag_embed(ember.tensor([[1., 2.], [3., 4.]]))
    tensor([[[1., 0.],
             [0., 2.]],
            [[3., 0.],
             [0., 4.]]])
)doc");
  def_both(m, cls, "diag", &diag, py::arg("diagonal") = 0, R"doc(diag(input, diagonal=0) -> Tensor

Of a 1-D input, the square matrix with input on a diagonal (zeros elsewhere); of a 2-D input,
a 1-D copy of that diagonal.

Args:
    input (Tensor): a 1-D or 2-D tensor.
    diagonal (int, optional): 0 the main diagonal, > 0 above it, < 0 below it. Default: 0.

Returns:
    Tensor: 2-D for a 1-D input, 1-D for a 2-D input.

Example::

    >>> ember.diag(ember.tensor([1., 2.]))
    tensor([[1., 0.],
            [0., 2.]])
)doc");
  def_both(m, cls, "trace", &trace, R"doc(trace(input) -> Tensor

The sum of the main diagonal of a matrix (bool and integers sum to int64).

Args:
    input (Tensor): a 2-D tensor.

Returns:
    Tensor: 0-d.

Example::

    >>> ember.trace(ember.arange(9.).reshape(3, 3))
    tensor(12.)
)doc");

  // ---- flips, rotations, rolls --------------------------------------------------------
  constexpr const char* kFlipDoc = R"doc(flip(input, dims) -> Tensor

A copy of input with the order of its elements reversed along each of dims
(``x.flip(0, 1)`` takes the dims as separate arguments too).

Args:
    input (Tensor): the input tensor.
    dims (int or tuple of ints): the dims to reverse, each at most once.

Returns:
    Tensor: input's shape and dtype (a new tensor, as NumPy's flip is a view).

Example::

    >>> ember.flip(ember.tensor([[1, 2], [3, 4]]), [0, 1])
    tensor([[4, 3],
            [2, 1]])
)doc";
  m.def("flip", [](const Tensor& t, py::handle dims) { return flip(t, shape_from(dims, "flip")); }, py::arg("input"),
        py::arg("dims"), kFlipDoc);
  cls.def("flip", [](const Tensor& t, py::args dims, py::kwargs kw) { return flip(t, size_from_args(dims, kw, "dims", "flip")); },
          kFlipDoc);
  def_both(m, cls, "fliplr", &fliplr, R"doc(fliplr(input) -> Tensor

A copy of input reversed along dim 1 (left to right).

Args:
    input (Tensor): a tensor of at least 2 dims.

Returns:
    Tensor: input's shape and dtype.

Example::

    >>> ember.fliplr(ember.tensor([[1, 2], [3, 4]]))
    tensor([[2, 1],
            [4, 3]])
)doc");
  def_both(m, cls, "flipud", &flipud, R"doc(flipud(input) -> Tensor

A copy of input reversed along dim 0 (up to down).

Args:
    input (Tensor): a tensor of at least 1 dim.

Returns:
    Tensor: input's shape and dtype.

Example::

    >>> ember.flipud(ember.tensor([[1, 2], [3, 4]]))
    tensor([[3, 4],
            [1, 2]])
)doc");
  def_both(m, cls, "rot90", [](const Tensor& t, int64_t k, py::handle dims) {
    return rot90(t, k, shape_from(dims, "rot90"));
  }, py::arg("k") = 1, py::arg("dims") = py::make_tuple(0, 1), R"doc(rot90(input, k=1, dims=(0, 1)) -> Tensor

input rotated k times by 90 degrees in the plane of dims, from the first dim towards the
second (k < 0 the other way).

Args:
    input (Tensor): a tensor of at least 2 dims.
    k (int, optional): the number of quarter turns. Default: 1.
    dims (sequence of 2 ints, optional): the plane. Default: (0, 1).

Returns:
    Tensor: input's dtype; the two dims swapped when k is odd.

Example::

    >>> ember.rot90(ember.tensor([[1, 2], [3, 4]]))
    tensor([[2, 4],
            [1, 3]])
)doc");
  def_both(m, cls, "roll", [](const Tensor& t, py::handle shifts, py::handle dims) {
    // an integer tensor of at most 1 dim (or of one element) is a list of ints, as torch's parser reads it
    auto ints = [](py::handle h) -> Shape {
      if (!py::isinstance<Tensor>(h)) return shape_from(h, "roll");
      const Tensor v = h.cast<Tensor>();
      EMBER_CHECK_TYPE((v.dim() <= 1 || v.numel() == 1) && !is_floating(v.dtype()), "roll: expected ints "
                       "or an integer tensor of at most 1 dim, got a ", dtype_name(v.dtype()), " tensor of shape ",
                       shape_str(v.sizes()));
      const Tensor flat = to_dtype(reshape(v, {v.numel()}), DType::Int64);
      Shape out;
      for (int64_t i = 0; i < flat.numel(); ++i) out.push_back(select(flat, 0, i).item<int64_t>());
      return out;
    };
    return roll(t, ints(shifts), dims.is_none() ? Dims{} : ints(dims));
  }, py::arg("shifts"), py::arg("dims") = py::none(), R"doc(roll(input, shifts, dims=None) -> Tensor

A copy of input with its elements shifted by shifts places along dims, those pushed past the
end coming back at the start. Without dims, input is rolled as if flattened.

Args:
    input (Tensor): the input tensor.
    shifts (int or tuple of ints): the shift along each of dims (negative: towards the start).
    dims (int or tuple of ints, optional): as many dims as shifts. Default: None.

Returns:
    Tensor: input's shape and dtype.

Example::

    >>> ember.roll(ember.tensor([1, 2, 3, 4]), 1)
    tensor([4, 1, 2, 3])
    >>> ember.roll(ember.tensor([[1, 2], [3, 4]]), shifts=(1, 1), dims=(0, 1))
    tensor([[4, 3],
            [2, 1]])
)doc");

  // ---- repeats ------------------------------------------------------------------------
  cls.def("repeat", [](const Tensor& t, py::args repeats, py::kwargs kw) {
    return repeat(t, size_from_args(repeats, kw, "repeats", "repeat"));
  },
          R"doc(repeat(*repeats) -> Tensor

The tensor repeated repeats[i] times along dim i (a copy, as NumPy's tile). With more repeats
than dims, new leading dims are added.

Args:
    repeats (ints or a sequence of ints): at least one per dim, each >= 0.

Returns:
    Tensor: of size size(i) * repeats[i] along each dim.

Example::

    >>> ember.tensor([1, 2]).repeat(2, 2)
    tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]])
)doc");
  constexpr const char* kTileDoc = R"doc(tile(input, dims) -> Tensor

input repeated dims[i] times along dim i; with fewer dims than input has, leading 1s are
added (``x.tile(2)`` repeats the last dim). Otherwise as Tensor.repeat.

Args:
    input (Tensor): the input tensor.
    dims (int or tuple of ints): the repeats, each >= 0.

Returns:
    Tensor: a new tensor of input's dtype.

Example::

    >>> ember.tile(ember.tensor([[1, 2], [3, 4]]), (2,))
    tensor([[1, 2, 1, 2],
            [3, 4, 3, 4]])
)doc";
  m.def("tile", [](const Tensor& t, py::handle dims) { return tile(t, shape_from(dims, "tile")); }, py::arg("input"),
        py::arg("dims"), kTileDoc);
  cls.def("tile", [](const Tensor& t, py::args dims, py::kwargs kw) { return tile(t, size_from_args(dims, kw, "dims", "tile")); },
          kTileDoc);
  constexpr const char* kRepeatInterleaveDoc = R"doc(repeat_interleave(input, repeats, dim=None, *, output_size=None) -> Tensor

Each slice of input along dim repeated next to itself: repeats times (an int), or repeats[i]
times for slice i (a tensor of one count per slice). Without dim, input is flattened first.
``repeat_interleave(repeats)`` alone gives 0, 1, ... with index i repeated repeats[i] times.

Args:
    input (Tensor): the input tensor.
    repeats (int or Tensor): non-negative integer counts.
    dim (int, optional): the dim to repeat along. Default: None (flattened).
    output_size (int, optional): the total length along dim, if known (must be right).

Returns:
    Tensor: input's dtype.

Example::

    >>> ember.tensor([[1, 2], [3, 4]]).repeat_interleave(2, dim=0)
    tensor([[1, 2],
            [1, 2],
            [3, 4],
            [3, 4]])
    >>> ember.repeat_interleave(ember.tensor([2, 0, 1]))
    tensor([0, 0, 2])
)doc";
  auto repeat_interleave_any = [](const Tensor& t, py::handle repeats, std::optional<int64_t> dim,
                                  std::optional<int64_t> output_size) {
    if (repeats.is_none()) {
      EMBER_CHECK_TYPE(!dim, "repeat_interleave: repeats is required with dim");
      return repeat_interleave(t, output_size);
    }
    if (py::isinstance<Tensor>(repeats)) return repeat_interleave(t, repeats.cast<Tensor>(), dim, output_size);
    return repeat_interleave(t, index_of(repeats), dim, output_size);
  };
  m.def("repeat_interleave", repeat_interleave_any, py::arg("input"), py::arg("repeats") = py::none(),
        py::arg("dim") = py::none(), py::kw_only(), py::arg("output_size") = py::none(), kRepeatInterleaveDoc);
  cls.def("repeat_interleave", [repeat_interleave_any](const Tensor& t, py::handle repeats, std::optional<int64_t> dim,
                                                       std::optional<int64_t> output_size) {
    EMBER_CHECK_TYPE(!repeats.is_none(), "repeat_interleave: Tensor.repeat_interleave needs repeats");
    return repeat_interleave_any(t, repeats, dim, output_size);
  }, py::arg("repeats"), py::arg("dim") = py::none(),
          py::kw_only(), py::arg("output_size") = py::none(), kRepeatInterleaveDoc);

  // ---- unique values and counting ---------------------------------------------------
  def_both(m, cls, "unique", [](const Tensor& t, bool sorted, bool inverse, bool counts, std::optional<int64_t> dim) {
    return unique_result(unique(t, sorted, inverse, counts, dim));
  }, py::arg("sorted") = true, py::arg("return_inverse") = false, py::arg("return_counts") = false,
     py::arg("dim") = py::none(), R"doc(unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None) -> Tensor or tuple

The distinct elements of input in ascending order (every NaN counts as distinct), or with dim
its distinct slices along dim in lexicographic order. The results have no gradient.

Args:
    input (Tensor): the input tensor.
    sorted (bool, optional): accepted for PyTorch's signature: the result is always sorted.
    return_inverse (bool, optional): also return, for each element (each slice along dim), the
        index of its value in the result. Default: False.
    return_counts (bool, optional): also return how often each distinct value occurs.
        Default: False.
    dim (int, optional): the dim whose slices are compared. Default: None (elements).

Returns:
    Tensor, or a tuple (values, inverse, counts) of those asked for: values 1-D (or input's
    shape with the count of distinct slices along dim); inverse int64 of input's shape (of
    size input.size(dim) with dim); counts int64.

Example::

    >>> ember.unique(ember.tensor([3, 1, 3, 2]), return_inverse=True, return_counts=True)
    (tensor([1, 2, 3]), tensor([2, 0, 2, 1]), tensor([1, 1, 2]))
)doc");
  def_both(m, cls, "unique_consecutive", [](const Tensor& t, bool inverse, bool counts, std::optional<int64_t> dim) {
    return unique_result(unique_consecutive(t, inverse, counts, dim));
  }, py::arg("return_inverse") = false, py::arg("return_counts") = false, py::arg("dim") = py::none(),
     R"doc(unique_consecutive(input, return_inverse=False, return_counts=False, dim=None) -> Tensor or tuple

One element of each run of equal consecutive elements of input (of equal consecutive slices
along dim), in their order, as ``itertools.groupby``. The results have no gradient.

Args:
    input (Tensor): the input tensor.
    return_inverse (bool, optional): also return each element's run index. Default: False.
    return_counts (bool, optional): also return the length of each run. Default: False.
    dim (int, optional): the dim whose slices are compared. Default: None (flattened).

Returns:
    Tensor, or a tuple (values, inverse, counts) of those asked for.

Example::

    >>> ember.unique_consecutive(ember.tensor([1, 1, 2, 2, 3, 1]), return_counts=True)
    (tensor([1, 2, 3, 1]), tensor([2, 2, 1, 1]))
)doc");
  def_both(m, cls, "bincount", [](const Tensor& t, std::optional<Tensor> weights, int64_t minlength) {
    return bincount(t, weights.value_or(Tensor{}), minlength);
  }, py::arg("weights") = py::none(), py::arg("minlength") = 0, R"doc(bincount(input, weights=None, minlength=0) -> Tensor

How often each value 0, 1, ..., max(input) occurs in input (with weights, the sum of the
weights of its occurrences).

Args:
    input (Tensor): 1-D non-negative integers.
    weights (Tensor, optional): 1-D, input's length.
    minlength (int, optional): the least length of the result. Default: 0.

Returns:
    Tensor: 1-D of length max(max(input) + 1, minlength); int64, or weights' floating dtype
    (float64 for integer weights).

Example::

    >>> ember.bincount(ember.tensor([0, 2, 2, 5]))
    tensor([1, 0, 2, 0, 0, 1])
)doc");
  def_both(m, cls, "histc", &histc, py::arg("bins") = 100, py::arg("min") = 0.0, py::arg("max") = 0.0,
           R"doc(histc(input, bins=100, min=0, max=0) -> Tensor

A histogram of input: the counts of its elements in bins equal-width bins between min and max
(the top edge counted in the last bin). Elements outside [min, max] and NaNs are not counted.
When min and max are equal, input's smallest and largest elements are used.

Args:
    input (Tensor): a floating tensor.
    bins (int, optional): the number of bins. Default: 100.
    min (float, optional): the lower edge. Default: 0.
    max (float, optional): the upper edge. Default: 0.

Returns:
    Tensor: 1-D of length bins, input's dtype.

Example::

    >>> ember.histc(ember.tensor([1., 2., 1.]), bins=4, min=0, max=3)
    tensor([0., 2., 1., 0.])
)doc");
  auto side_right = [](const char* op, bool right, const std::optional<std::string>& side) {
    if (!side) return right;
    EMBER_CHECK(*side == "left" || *side == "right", op, ": side can only be 'left' or 'right', got '", *side, "'");
    EMBER_CHECK(!right || *side == "right", op, ": side and right can't be set to opposites, got side of left while right was True");
    return *side == "right";
  };
  m.def("searchsorted", [side_right](const Tensor& seq, py::handle values, bool out_int32, bool right,
                                     std::optional<std::string> side, std::optional<Tensor> sorter) {
          return searchsorted(seq, tensor_or_scalar(values, "searchsorted", "input", &seq), out_int32,
                              side_right("searchsorted", right, side), sorter.value_or(Tensor{}));
        }, py::arg("sorted_sequence"), py::arg("input"), py::kw_only(), py::arg("out_int32") = false,
        py::arg("right") = false, py::arg("side") = py::none(), py::arg("sorter") = py::none(),
        R"doc(searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None) -> Tensor

For each element of input, the index at which inserting it keeps the innermost dim of
sorted_sequence sorted: before equal elements (side 'left'), or after them (right=True or
side 'right'). NaN counts as the largest value.

Args:
    sorted_sequence (Tensor): sorted along its last dim; 1-D (one sequence for every value) or
        with the leading dims of input.
    input (Tensor or Number): the values to place.
    out_int32 (bool, optional): int32 indices instead of int64. Default: False.
    right (bool, optional): place after equal elements. Default: False.
    side (str, optional): 'left' or 'right', as right. Default: None.
    sorter (Tensor, optional): int64 indices that sort an unsorted sorted_sequence.

Returns:
    Tensor: input's shape.

Example::

    >>> ember.searchsorted(ember.tensor([1, 3, 5, 7]), ember.tensor([3, 6]))
    tensor([1, 3])
)doc");
  m.def("bucketize", [](py::handle input, const Tensor& boundaries, bool out_int32, bool right) {
          return bucketize(tensor_or_scalar(input, "bucketize", "input", &boundaries), boundaries, out_int32, right);
        }, py::arg("input"), py::arg("boundaries"), py::kw_only(), py::arg("out_int32") = false,
        py::arg("right") = false, R"doc(bucketize(input, boundaries, *, out_int32=False, right=False) -> Tensor

The bucket of each element of input among sorted 1-D boundaries: the index i with
boundaries[i-1] < x <= boundaries[i] (boundaries[i-1] <= x < boundaries[i] when right).

Args:
    input (Tensor or Number): the values.
    boundaries (Tensor): 1-D, sorted ascending.
    out_int32 (bool, optional): int32 indices instead of int64. Default: False.
    right (bool, optional): as above. Default: False.

Returns:
    Tensor: input's shape.

Example::

    >>> ember.bucketize(ember.tensor([1, 5, 9]), ember.tensor([1, 3, 5, 7]))
    tensor([0, 2, 4])
)doc");

  // ---- combining ----------------------------------------------------------------------
  def_both(m, cls, "kron", &kron, py::arg("other"), R"doc(kron(input, other) -> Tensor

The Kronecker product: blocks input[i] * other, tiled in input's layout (the operand with
fewer dims gets leading 1s).

Args:
    input (Tensor): the first operand.
    other (Tensor): the second operand.

Returns:
    Tensor: of size input.size(i) * other.size(i) along each dim.

Example::

    >>> ember.kron(ember.eye(2), ember.ones(2, 2))
    tensor([[1., 1., 0., 0.],
            [1., 1., 0., 0.],
            [0., 0., 1., 1.],
            [0., 0., 1., 1.]])
)doc");
  def_both(m, cls, "cross", &cross, py::arg("other"), py::arg("dim") = py::none(),
           R"doc(cross(input, other, dim=None) -> Tensor

The cross product of the 3-vectors of input and other along dim (broadcasting). Without dim,
the first dim of size 3 (PyTorch's default; ember.linalg-style code passes dim=-1).

Args:
    input (Tensor): the first operand.
    other (Tensor): the second operand, of input's number of dims.
    dim (int, optional): a dim of size 3. Default: None.

Returns:
    Tensor: the broadcast shape.

Example::

    >>> ember.cross(ember.tensor([1., 0., 0.]), ember.tensor([0., 1., 0.]), dim=0)
    tensor([0., 0., 1.])
)doc");
  def_both(m, cls, "diff", [](const Tensor& t, int64_t n, int64_t dim, std::optional<Tensor> prepend,
                              std::optional<Tensor> append) {
    return diff(t, n, dim, prepend.value_or(Tensor{}), append.value_or(Tensor{}));
  }, py::arg("n") = 1, py::arg("dim") = -1, py::arg("prepend") = py::none(), py::arg("append") = py::none(),
     R"doc(diff(input, n=1, dim=-1, prepend=None, append=None) -> Tensor

The n-th forward difference along dim: out[i] = input[i + 1] - input[i], applied n times (bool
inputs give input[i + 1] != input[i]).

Args:
    input (Tensor): a tensor of at least 1 dim.
    n (int, optional): how many times to difference. Default: 1.
    dim (int, optional): the dim. Default: -1.
    prepend (Tensor, optional): joined before input along dim first.
    append (Tensor, optional): joined after input along dim first.

Returns:
    Tensor: n shorter along dim.

Example::

    >>> ember.diff(ember.tensor([1, 3, 6, 10]))
    tensor([2, 3, 4])
)doc");
  m.def("vander", &vander, py::arg("x"), py::arg("N") = py::none(), py::arg("increasing") = false,
        R"doc(vander(x, N=None, increasing=False) -> Tensor

The Vandermonde matrix of x: columns x^(N-1), ..., x^1, x^0 (x^0 first when increasing).

Args:
    x (Tensor): 1-D.
    N (int, optional): the number of columns. Default: len(x).
    increasing (bool, optional): powers left to right ascending. Default: False.

Returns:
    Tensor: (len(x), N); x's floating dtype, or int64 for bool and integers.

Example::

    >>> ember.vander(ember.tensor([1, 2, 3]))
    tensor([[1, 1, 1],
            [4, 2, 1],
            [9, 3, 1]])
)doc");
  m.def("meshgrid", [](py::args tensors, std::optional<std::string> indexing) {
          return py::tuple(py::cast(meshgrid(tensors_from_args(tensors), indexing.value_or("ij"))));
        }, py::kw_only(), py::arg("indexing") = py::none(), R"doc(meshgrid(*tensors, indexing=None) -> tuple of Tensors

Coordinate grids: for 1-D tensors of sizes n1, ..., nk, k views of shape (n1, ..., nk), the i-th
varying with tensors[i] along dim i. indexing 'xy' swaps the first two dims (Cartesian,
as NumPy's default); None is PyTorch's default 'ij'.

Args:
    tensors (Tensors or a list of them): 0-d or 1-d, of one dtype.
    indexing (str, optional): 'ij' or 'xy'. Default: None ('ij').

Returns:
    tuple of Tensors: expanded views of the inputs.

Example::

    >>> xs, ys = ember.meshgrid(ember.tensor([1, 2]), ember.tensor([3, 4, 5]), indexing="ij")
    >>> xs.shape
    ember.Size([2, 3])
)doc");
  m.def("cartesian_prod", [](py::args tensors) { return cartesian_prod(tensors_from_args(tensors)); },
        R"doc(cartesian_prod(*tensors) -> Tensor

Every combination of one element of each 1-D tensor, one combination per row, the last tensor
varying fastest (itertools.product).

Args:
    tensors (Tensors): 1-D.

Returns:
    Tensor: (product of the lengths, number of tensors); a single tensor comes back as it is.

Example::

    >>> ember.cartesian_prod(ember.tensor([1, 2]), ember.tensor([3, 4]))
    tensor([[1, 3],
            [1, 4],
            [2, 3],
            [2, 4]])
)doc");
  m.def("broadcast_tensors", [](py::args tensors) { return py::tuple(py::cast(broadcast_tensors(tensors_from_args(tensors)))); },
        R"doc(broadcast_tensors(*tensors) -> tuple of Tensors

The tensors expanded to their common broadcast shape (views, no copies).

Args:
    tensors (Tensors): broadcastable tensors.

Returns:
    tuple of Tensors: each of the broadcast shape.

Example::

    >>> a, b = ember.broadcast_tensors(ember.ones(2, 1), ember.ones(3))
    >>> a.shape
    ember.Size([2, 3])
)doc");
  for (int64_t n : {1, 2, 3}) {
    const std::string name = "atleast_" + std::to_string(n) + "d";
    const std::string doc = name + "(*tensors) -> Tensor or tuple of Tensors\n\nViews of the tensors with at least " +
                            std::to_string(n) + " dims (NumPy's " + name +
                            ": a 1-D tensor becomes (1, N) in 2 dims and (1, N, 1) in 3).\n\nArgs:\n    tensors "
                            "(Tensors or a list of them): the inputs.\n\nReturns:\n    Tensor for one tensor, else a "
                            "tuple of Tensors.\n\nExample::\n\n    >>> ember." + name + "(ember.tensor(1.)).dim()\n    " +
                            std::to_string(n) + "\n";
    m.def(name.c_str(), [n](py::args tensors) { return atleast(tensors, n); }, py::doc(strdup(doc.c_str())));
  }
  def_both(m, cls, "take_along_dim", &take_along_dim, py::arg("indices"), py::arg("dim") = py::none(),
           R"doc(take_along_dim(input, indices, dim=None) -> Tensor

The elements of input at indices along dim, input and indices broadcast against each other in
the other dims (NumPy's take_along_axis); without dim, both are flattened.

Args:
    input (Tensor): the input tensor.
    indices (Tensor): int64, input's number of dims.
    dim (int, optional): the dim to take along. Default: None.

Returns:
    Tensor: gathered values.

Example::

    >>> x = ember.tensor([[10., 30., 20.], [60., 40., 50.]])
    >>> ember.take_along_dim(x, x.argmax(1, keepdim=True), dim=1)
    tensor([[30.],
            [60.]])
)doc");
  def_both(m, cls, "argwhere", &argwhere, R"doc(argwhere(input) -> Tensor

The indices of input's nonzero elements, one row each in row-major order: nonzero(input).

Args:
    input (Tensor): the input tensor.

Returns:
    Tensor: int64 of shape (count, input.dim()).

Example::

    >>> ember.argwhere(ember.tensor([[0, 1], [2, 0]]))
    tensor([[0, 1],
            [1, 0]])
)doc");
  m.def("numel", [](const Tensor& t) { return t.numel(); }, py::arg("input"), R"doc(numel(input) -> int

The number of elements of input.

Args:
    input (Tensor): the input tensor.

Returns:
    int: the product of its sizes (1 for a 0-d tensor).

Example::

    >>> ember.numel(ember.zeros(2, 3))
    6
)doc");
  // PyTorch's aliases and the method forms missing until now.
  m.attr("moveaxis") = m.attr("movedim");
  cls.attr("moveaxis") = cls.attr("movedim");
  m.attr("swapdims") = m.attr("transpose");
  cls.attr("swapdims") = cls.attr("transpose");
  cls.def("broadcast_to", [](const Tensor& t, py::handle s) { return expand(t, shape_from(s, "broadcast_to")); },
          py::arg("size"), "broadcast_to(size) -> Tensor\n\nThis tensor expanded to size (a view): expand(*size).");
}

}  // namespace ember

// The random ops and their generators, bound as ember.<op> (and Tensor.<op>_ for the in-place
// fills): Generator, manual_seed and the rng state, rand/randn/randint/randperm, normal,
// bernoulli, multinomial and the *_like forms.
#include "convert.h"
#include "def_both.h"
#include "out.h"

namespace ember {

using namespace py_convert;
using py_out::def_out;
using py_out::OutDtype;

namespace {

/// A seed as torch takes it: a Python int in [-2**63, 2**64 - 1] (negative ones wrap to 64 bits).
uint64_t seed_from(const py::int_& seed, const char* op) {
  PyObject* o = seed.ptr();
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (overflow == 0) return static_cast<uint64_t>(v);
  const unsigned long long u = overflow > 0 ? PyLong_AsUnsignedLongLong(o) : 0;
  if (overflow > 0 && !PyErr_Occurred()) return u;
  PyErr_Clear();
  throw ValueError(detail::cat(op, ": seed must be within [-2**63, 2**64 - 1], got ", std::string(py::str(seed))));
}

/// The new_state of set_state: a tensor, else TypeError naming what came (as torch's).
Tensor state_from(py::handle state, const char* op) {
  EMBER_CHECK_TYPE(py::isinstance<Tensor>(state), op, ": expected a uint8 tensor, but got ",
                   py::str(state.get_type().attr("__name__")).cast<std::string>());
  return state.cast<Tensor>();
}

constexpr const char* kMultinomialDoc = R"doc(multinomial(input, num_samples, replacement=False, *, generator=None) -> Tensor

Draws num_samples category indices from each row of input, the probability of category i
being proportional to its weight input[..., i]. The weights must be non-negative and finite,
with a positive sum in every row; they need not sum to 1.

Without replacement an index is drawn at most once per row, and the samples come in the order
of successive draws, each from the weights not yet taken. Categories of zero weight are never
drawn while any of positive weight is left; without replacement, once those run out, the
zero-weight ones follow in random order (as PyTorch's CPU kernel).

The draws come from ``generator`` (ember's default generator if None), so
``ember.manual_seed`` or a seeded ``ember.Generator`` repeats them.

Args:
    input (Tensor): 1-D (categories) or 2-D (rows, categories) floating weights.
    num_samples (int): how many to draw per row (> 0).
    replacement (bool, optional): draw with replacement. Default: False.
    generator (ember.Generator, optional): the source of randomness.

Returns:
    Tensor: int64 indices, (num_samples,) for a 1-D input, (rows, num_samples) for a 2-D one.

Example::

    >>> g = ember.Generator().manual_seed(0)
    >>> probs = ember.softmax(logits, -1)          # (batch, vocab)
    >>> next_token = ember.multinomial(probs, 1, generator=g)   # (batch, 1)
    >>> ember.multinomial(ember.tensor([0., 10., 3., 0.]), 2)   # 1 and 2, in some order
)doc";
}  // namespace

void bind_random(py::module_& m, py::class_<Tensor>& cls) {
  // ---- random -----------------------------------------------------------------------
  py::class_<Generator>(m, "Generator", "A seedable source of random numbers for the random ops.")
      .def(py::init([](py::handle device) {
             device_from(device, "Generator");
             return new Generator();
           }), py::arg("device") = "cpu")
      .def("manual_seed", [](Generator& g, const py::int_& s) -> Generator& { g.manual_seed(seed_from(s, "manual_seed")); return g; },
           py::return_value_policy::reference)
      .def("initial_seed", &Generator::initial_seed)
      .def("seed", &Generator::seed)
      .def("get_state", &Generator::get_state, R"doc(The generator's state as a 1-D uint8 tensor.

Returns:
    Tensor: a copy of the state; ``set_state`` with it repeats the stream from this point.

Example::

    >>> g = ember.Generator().manual_seed(0)
    >>> s = g.get_state()
    >>> a = ember.rand(3, generator=g)
    >>> bool((ember.rand(3, generator=g.set_state(s)) == a).all())
    True
)doc")
      .def("set_state", [](Generator& g, py::handle state) -> Generator& {
             g.set_state(state_from(state, "set_state"));
             return g;
           }, py::arg("new_state"), py::return_value_policy::reference, R"doc(Restores a state from ``get_state``.

Args:
    new_state (Tensor): a uint8 tensor from ``get_state``.

Returns:
    Generator: this generator.

Raises:
    TypeError: when the state is not a uint8 tensor. RuntimeError: when its size is wrong.

Example::

    >>> g = ember.Generator()
    >>> g = g.set_state(ember.Generator().manual_seed(1).get_state())
    >>> g.initial_seed()
    1
)doc");
  m.def("get_rng_state", &get_rng_state, R"doc(The default generator's state as a 1-D uint8 tensor.

Returns:
    Tensor: a copy of the state; ``ember.set_rng_state`` with it repeats the random ops.

Example::

    >>> s = ember.get_rng_state()
    >>> a = ember.randn(2)
    >>> ember.set_rng_state(s)
    >>> bool((ember.randn(2) == a).all())
    True
)doc");
  m.def("set_rng_state", [](py::handle state) { set_rng_state(state_from(state, "set_rng_state")); }, py::arg("new_state"),
        R"doc(Restores the default generator's state from ``ember.get_rng_state``.

Args:
    new_state (Tensor): a uint8 tensor from ``get_rng_state``.

Raises:
    TypeError: when the state is not a uint8 tensor. RuntimeError: when its size is wrong.

Example::

    >>> ember.set_rng_state(ember.get_rng_state())
)doc");
  m.def("manual_seed", [](const py::int_& s) -> Generator& {
          manual_seed(seed_from(s, "manual_seed"));
          return default_generator();
        }, py::arg("seed"), py::return_value_policy::reference, R"doc(manual_seed(seed) -> Generator

Seeds the default generator: the same seed reproduces a run bit for bit on the CPU.

Args:
    seed (int): any int in [-2**63, 2**64 - 1]; a negative seed counts as its 64-bit two's
        complement, as in torch.

Returns:
    Generator: the default generator (ember.default_generator()).

Example::

    >>> _ = ember.manual_seed(0)
    >>> a = ember.rand(2)
    >>> _ = ember.manual_seed(0)
    >>> ember.equal(a, ember.rand(2))
    True
)doc");
  m.def("initial_seed", []() { return default_generator().initial_seed(); });
  m.def("seed", []() { return default_generator().seed(); });
  m.def("default_generator", []() -> Generator& { return default_generator(); }, py::return_value_policy::reference);
  def_out(m, "rand", OutDtype::Creation, [](py::args size, py::handle size_kw, py::handle gen, std::optional<DType> dtype,
                                             py::handle device, bool rg) {
          device_from(device, "rand");
          return with_grad(rand(size_from_args(size, size_kw, "size", "rand"), dtype.value_or(default_dtype()),
                                  generator_from(gen)), rg);
        }, py::kw_only(), py::arg("size") = py::none(), py::arg("generator") = py::none(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
        py::arg("requires_grad") = false);
  def_out(m, "randn", OutDtype::Creation, [](py::args size, py::handle size_kw, py::handle gen, std::optional<DType> dtype,
                                             py::handle device, bool rg) {
          device_from(device, "randn");
          return with_grad(randn(size_from_args(size, size_kw, "size", "randn"), dtype.value_or(default_dtype()),
                                  generator_from(gen)), rg);
        }, py::kw_only(), py::arg("size") = py::none(), py::arg("generator") = py::none(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
        py::arg("requires_grad") = false);
  // randint(high, size) or randint(low, high, size), positional or by keyword, as torch's.
  def_out(m, "randint", OutDtype::Creation, [](py::args args, py::handle low, py::handle high, py::handle size, py::handle gen,
                                               std::optional<DType> dtype, py::handle device, bool rg) {
          // Positional arguments are (high, size) or (low, high, size); keywords fill the rest.
          const size_t n = args.size();
          EMBER_CHECK_TYPE(n <= 3, "randint: takes at most 3 positional arguments (low, high, size), got ", n);
          auto take = [](py::handle& slot, py::handle v, const char* name) {
            EMBER_CHECK_TYPE(slot.is_none(), "randint: got multiple values for argument '", name, "'");
            slot = v;
          };
          if (n == 3) take(low, args[0], "low"), take(high, args[1], "high"), take(size, args[2], "size");
          else if (n == 2 && !size.is_none()) take(low, args[0], "low"), take(high, args[1], "high");
          else if (n == 2) take(high, args[0], "high"), take(size, args[1], "size");
          else if (n == 1 && !high.is_none()) take(low, args[0], "low");
          else if (n == 1) take(high, args[0], "high");
          EMBER_CHECK_TYPE(!high.is_none() && !size.is_none(), "randint: missing the required arguments 'high' and 'size' "
                           "(randint(high, size) or randint(low, high, size))");
          EMBER_CHECK_TYPE(!PyLong_Check(size.ptr()), "randint: argument 'size' must be a tuple of ints, not int");
          device_from(device, "randint");
          const int64_t lo = low.is_none() ? 0 : index_of(low);
          return with_grad(randint(lo, index_of(high), shape_from(size, "randint"), dtype.value_or(DType::Int64),
                                   generator_from(gen)), rg);
        }, py::kw_only(), py::arg("low") = py::none(), py::arg("high") = py::none(), py::arg("size") = py::none(),
        py::arg("generator") = py::none(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
        py::arg("requires_grad") = false);
  def_out(m, "randperm", OutDtype::Creation, [](int64_t n, py::handle gen, std::optional<DType> dtype, py::handle device, bool rg) {
          device_from(device, "randperm");
          return with_grad(randperm(n, dtype.value_or(DType::Int64), generator_from(gen)), rg);
        }, py::arg("n"), py::kw_only(), py::arg("generator") = py::none(), py::arg("dtype") = py::none(),
        py::arg("device") = py::none(), py::arg("requires_grad") = false);
  def_both(m, cls, "bernoulli", [](const Tensor& p, py::handle gen) { return bernoulli(p, generator_from(gen)); },
           py::kw_only(), py::arg("generator") = py::none());
  def_both(m, cls, "multinomial", [](const Tensor& t, int64_t n, bool replacement, py::handle gen) {
    return multinomial(t, n, replacement, generator_from(gen));
  }, py::arg("num_samples"), py::arg("replacement") = false, py::kw_only(), py::arg("generator") = py::none(),
     kMultinomialDoc);
  // ember.normal (python/ember/_extras.py) takes this number form and the tensor forms
  def_out(m, "_normal", OutDtype::Creation, [](double mean, double std, py::handle size, py::handle gen,
                                                std::optional<DType> dtype, py::handle device, bool rg) {
          Tensor t = empty(shape_from(size, "normal"), dtype.value_or(default_dtype()), device_from(device, "normal"));
          return with_grad(normal_(t, mean, std, generator_from(gen)), rg);
        }, py::arg("mean"), py::arg("std"), py::arg("size"), py::kw_only(), py::arg("generator") = py::none(),
        py::arg("dtype") = py::none(), py::arg("device") = py::none(), py::arg("requires_grad") = false);
  cls.def("uniform_", [](py::object self, double a, double b, py::handle gen) {
           uniform_(self.cast<Tensor&>(), a, b, generator_from(gen));
           return self;
         }, py::arg("from") = 0.0, py::arg("to") = 1.0, py::kw_only(), py::arg("generator") = py::none());
  cls.def("normal_", [](py::object self, double mean, double std, py::handle gen) {
           normal_(self.cast<Tensor&>(), mean, std, generator_from(gen));
           return self;
         }, py::arg("mean") = 0.0, py::arg("std") = 1.0, py::kw_only(), py::arg("generator") = py::none());
  cls.def("bernoulli_", [](py::object self, double p, py::handle gen) {
           bernoulli_(self.cast<Tensor&>(), p, generator_from(gen));
           return self;
         }, py::arg("p") = 0.5, py::kw_only(), py::arg("generator") = py::none());
}

}  // namespace ember

// ember._C._data: the C++ side of ember.data (preprocessing fitted on the training set).
#include <pybind11/stl.h>

#include "ember/data/preprocessing.h"
#include "gil.h"
#include "option_rows.h"

namespace ember {
using namespace py_convert;

namespace {

constexpr const char* kStandardizeDoc = R"doc(Standardize(eps=1e-08)

Scales each feature to mean 0 and std 1 with statistics learned from the training set only, as
scikit-learn's StandardScaler: ``fit(x_train)`` computes the per-feature mean and the population
std (divided by N, ``correction=0``) over dim 0 of a 2-D (N, features) tensor, and
``transform(x)`` returns ``(x - mean) / std`` for any data with the same features. A feature
whose std is at most ``eps`` (or within the rounding error of its mean) is constant: it is only
centred, divided by 1, as scikit-learn does (not by ``std + eps``).

The statistics are computed in float64 under no_grad and kept in the training data's dtype;
transform works in its input's dtype (float32 or float64) and is differentiable in its input.

Args:
    eps (float, optional): stds at most this count as zero. Default: 1e-8.

Example::

    >>> x_train = ember.tensor([[0., 10.], [2., 10.], [4., 10.]])
    >>> scaler = ember.data.Standardize().fit(x_train)
    >>> scaler.transform(ember.tensor([[2., 11.]]))
    tensor([[0., 1.]])
    >>> scaler.state_dict()['std']
    tensor([1.6330, 1.0000])
)doc";

constexpr const char* kPcaDoc = R"doc(PCAWhitening(n_components=None, *, eps=1e-05, zca=False)

PCA whitening learned from the training set only: ``fit(x_train)`` computes the per-feature
mean and the eigendecomposition (``ember.linalg.eigh``) of the covariance
``(x - mean)^T (x - mean) / (N - 1)``, which divides by N - 1 as scikit-learn's PCA does; then

    ``transform(x) = (x - mean) @ components.T / sqrt(max(explained_variance, eps))``

so whitened training data has the identity covariance (by that N - 1 definition). The
components are the top ``n_components`` eigenvectors, as rows, by descending eigenvalue; each
is signed so that its largest-magnitude entry is positive (scikit-learn's convention). With
``zca=True`` the result is rotated back to the input's axes (``@ components``): ZCA whitening,
the whitened data closest to the input. fit computes in float64 (so float32 data whitens to
the identity covariance too, to about 1e-5) and keeps the statistics in the training data's
dtype; transform works in its input's dtype. Where every kept variance exceeds eps this equals
scikit-learn's ``PCA(n_components, whiten=True).transform`` up to each component's sign; eps
only keeps near-zero variances from blowing up.

Args:
    n_components (int, optional): components kept (at most the number of features). Default:
        None, all of them.
    eps (float, optional): the smallest variance divided by. Default: 1e-5.
    zca (bool, optional): rotate the whitened data back (ZCA). Default: False.

Example::

    >>> _ = ember.manual_seed(0)
    >>> x_train = ember.randn(500, 3) @ ember.tensor([[2., 0., 0.], [1., 1., 0.], [0., 0., 0.5]])
    >>> pca = ember.data.PCAWhitening(n_components=2).fit(x_train)
    >>> z = pca.transform(x_train)
    >>> z.shape
    ember.Size([500, 2])
    >>> ember.allclose(z.T @ z / 499, ember.eye(2), atol=1e-5)
    True
)doc";

/// A preprocessing class made from its option rows (ember/data/preprocessing.h): __init__ takes the
/// arguments as a dict (ember/data/_preprocessing.py gives it the Python signature from
/// _signature()); each field is a read-only attribute.
template <class T>
py::class_<T> preprocessing_class(py::module_& dm, const char* name, const char* doc) {
  using Options = typename T::Options;
  py::class_<T> cls(dm, name, doc);
  const std::string owner = name;
  auto tensor = [owner](py::handle h, const char* method) { return tensor_arg(h, (owner + "." + method).c_str()); };
  cls.def(py::init([name](py::handle arguments) { return T(read_options<Options>(arguments, name)); }),
          py::arg("arguments"))
      .def_static("_signature", &signature_of<Options>)
      .def("fit", [tensor](py::object self, py::handle x) {
        const Tensor t = tensor(x, "fit");
        {
          py_gil::Release nogil(py_gil::heavy(t));
          self.cast<T&>().fit(t);
        }
        return self;
      }, py::arg("x"), "Learns the statistics from training data x (N, features); returns self.")
      .def("transform", [tensor](const T& p, py::handle x) {
        const Tensor t = tensor(x, "transform");
        py_gil::Release nogil(py_gil::heavy(t));
        return p.transform(t);
      }, py::arg("x"), "x (N, features) transformed with the fitted statistics.")
      .def("inverse_transform", [tensor](const T& p, py::handle x) {
        const Tensor t = tensor(x, "inverse_transform");
        py_gil::Release nogil(py_gil::heavy(t));
        return p.inverse_transform(t);
      }, py::arg("x"), "transform's inverse: back to the input's space.")
      .def("fit_transform", [tensor](T& p, py::handle x) {
        const Tensor t = tensor(x, "fit_transform");
        py_gil::Release nogil(py_gil::heavy(t));
        return p.fit_transform(t);
      }, py::arg("x"), "fit(x), then transform(x).")
      .def_property_readonly("fitted", &T::fitted, "Whether fit (or load_state_dict) has run.")
      .def("state_dict", [](const T& p) {
        py::object out = py::module_::import("collections").attr("OrderedDict")();
        for (const auto& [key, value] : p.state_dict()) out[py::str(key)] = value;
        return out;
      }, "The fitted statistics as an OrderedDict of tensors (RuntimeError before fit).")
      .def("load_state_dict", [](T& p, const std::map<std::string, Tensor>& state) { p.load_state_dict(state); },
           py::arg("state_dict"), "Takes the statistics of a state_dict (the keys state_dict gives, no others).")
      .def("__repr__", [owner](const T& p) {
        std::string out = owner + "(";
        bool first = true;
        Options::visit(p.options, [&](const char* key, const auto& field, ArgKind, const char* spelling) {
          out += (first ? "" : ", ") + std::string(key) + "=" + std::string(py::repr(to_python(field, spelling)));
          first = false;
        });
        return out + ")";
      });
  size_t index = 0;
  const Options defaults{};
  Options::visit(defaults, [&](const char* key, const auto&, ArgKind, const char*) {
    cls.def_property_readonly(key, [at = index++](const T& p) {
      py::object value;
      size_t i = 0;
      Options::visit(p.options, [&](const char*, const auto& field, ArgKind, const char* spelling) {
        if (i++ == at) value = to_python(field, spelling);
      });
      return value;
    });
  });
  return cls;
}

}  // namespace

void bind_data(py::module_& m) {
  py::module_ dm = m.def_submodule("_data", "C++ side of ember.data");
  preprocessing_class<data::Standardize>(dm, "Standardize", kStandardizeDoc);
  preprocessing_class<data::PCAWhitening>(dm, "PCAWhitening", kPcaDoc);
}

}  // namespace ember

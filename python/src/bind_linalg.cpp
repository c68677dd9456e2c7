// ember._C._linalg: the ops of ember.linalg (torch.linalg's names).
#include "convert.h"
#include "gil.h"

namespace ember {
using namespace py_convert;

namespace {
/// An eigendecomposition costs about n^3 per matrix: worth releasing the GIL from small sizes on.
bool eigh_heavy(const Tensor& a) { return a.dim() >= 1 && a.numel() * a.sizes().back() >= py_gil::kReleaseElements; }

constexpr const char* kEighDoc = R"doc(eigh(A, UPLO='L') -> (Tensor, Tensor)

The eigenvalues and eigenvectors of the real symmetric matrices A (..., n, n), as
torch.linalg.eigh: ``A = V diag(L) V^T``. Only one triangle of each matrix is read (the lower
one for UPLO='L', the upper one for 'U'); the other is assumed to mirror it. Computed by LAPACK's
divide-and-conquer solver (syevd), matrix by matrix over the batch dims.

The eigenvectors are unique only up to sign (and, for repeated eigenvalues, up to a rotation of
their eigenspace), so they may differ from another library's by those; anything invariant to
them (``V diag(L) V^T``, projectors ``v v^T``) is the same. The gradient is PyTorch's formula; it
is finite only when the eigenvalues are distinct, and a loss should depend on the eigenvectors
only through such invariant quantities.

Args:
    A (Tensor): float32 or float64, of shape (..., n, n).
    UPLO (str, optional): 'L' or 'U', the triangle read. Default: 'L'.

Returns:
    A namedtuple (eigenvalues, eigenvectors): eigenvalues (..., n) in ascending order and
    eigenvectors (..., n, n) whose column j belongs to eigenvalue j.

Raises:
    RuntimeError: A has fewer than 2 dims, is not square, UPLO is not 'L' or 'U', or LAPACK did not
        converge (ill-conditioned input, NaN); NotImplementedError for a dtype other than
        float32 and float64.

Example::

    >>> A = ember.tensor([[2., 1.], [1., 2.]])
    >>> L, V = ember.linalg.eigh(A)
    >>> L
    tensor([1., 3.])
    >>> ember.allclose(V @ ember.diag(L) @ V.T, A)
    True
)doc";

constexpr const char* kEigvalshDoc = R"doc(eigvalsh(A, UPLO='L') -> Tensor

The eigenvalues of the real symmetric matrices A (..., n, n) in ascending order, as
torch.linalg.eigvalsh: ``eigh(A, UPLO).eigenvalues`` without computing the eigenvectors
(unless a gradient needs them).

Args:
    A (Tensor): float32 or float64, of shape (..., n, n).
    UPLO (str, optional): 'L' or 'U', the triangle read. Default: 'L'.

Returns:
    Tensor: the eigenvalues, of shape (..., n).

Example::

    >>> ember.linalg.eigvalsh(ember.tensor([[2., 1.], [1., 2.]]))
    tensor([1., 3.])
)doc";
}  // namespace

void bind_linalg(py::module_& m) {
  py::module_ lm = m.def_submodule("_linalg", "C++ side of ember.linalg");
  lm.def("eigh", [&type = values_indices_type(m, "linalg_eigh", "eigenvalues", "eigenvectors")](
                     const Tensor& a, const std::string& uplo) {
    std::pair<Tensor, Tensor> lv;
    {
      py_gil::Release nogil(eigh_heavy(a));
      lv = linalg_eigh(a, uplo);
    }
    return type(lv.first, lv.second);
  }, py::arg("A"), py::arg("UPLO") = "L", kEighDoc);
  lm.def("eigvalsh", [](const Tensor& a, const std::string& uplo) {
    py_gil::Release nogil(eigh_heavy(a));
    return linalg_eigvalsh(a, uplo);
  }, py::arg("A"), py::arg("UPLO") = "L", kEigvalshDoc);
}

}  // namespace ember

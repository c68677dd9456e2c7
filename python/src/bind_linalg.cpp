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

constexpr const char* kLuFactorDoc = R"doc(lu_factor(A) -> (Tensor, Tensor)

The LU factorization with partial pivoting of the square matrices A (..., n, n), as
torch.linalg.lu_factor (LAPACK getrf): ``A = P L U``, L unit lower triangular, U upper triangular.
As torch's, a zero on U's diagonal (a singular A) raises LinAlgError. Not differentiable: factor
``A.detach()``, or use solve, inv, det and slogdet, which are.

Args:
    A (Tensor): float32 or float64, of shape (..., n, n).

Returns:
    A namedtuple (LU, pivots): LU (..., n, n) holds U and, below its diagonal, L (whose unit
    diagonal is not stored); pivots (..., n) int32, LAPACK's 1-based row interchanges (row i was
    swapped with row pivots[i]).

Example::

    >>> LU, pivots = ember.linalg.lu_factor(ember.tensor([[1., 2.], [3., 4.]]))
    >>> LU
    tensor([[3.0000, 4.0000],
            [0.3333, 0.6667]])
    >>> pivots
    tensor([2, 2], dtype=ember.int32)
)doc";

constexpr const char* kSolveDoc = R"doc(solve(A, B, *, left=True) -> Tensor

The solution X of the linear systems ``A X = B`` (or ``X A = B`` when left is False), as
torch.linalg.solve, through A's LU factorization (LAPACK getrf and getrs). B is a batch of
vectors when it is 1-D or shaped as A without its last dim, else of matrices (..., n, k); the
batch dims of A and B broadcast. Differentiable in A and B (torch's formulas, written with ember
ops, so higher orders work).

Args:
    A (Tensor): float32 or float64, of shape (..., n, n), invertible.
    B (Tensor): A's dtype, of shape (..., n, k) or (..., n) (for left=False: (..., k, n) or (..., n)).
    left (bool, optional): solve ``A X = B`` (True) or ``X A = B``. Default: True.

Returns:
    Tensor: X, of B's shape (its batch dims broadcast with A's).

Raises:
    ember.linalg.LinAlgError: A is singular (a ValueError, also a RuntimeError as torch's).
    ValueError: A is not square, or A and B do not fit together; TypeError: a dtype other than
        float32 and float64, or A and B of different dtypes.

Example::

    >>> A = ember.tensor([[3., 1.], [1., 2.]])
    >>> ember.linalg.solve(A, ember.tensor([9., 8.]))
    tensor([2., 3.])
)doc";

constexpr const char* kInvDoc = R"doc(inv(A) -> Tensor

The inverses of the square matrices A (..., n, n), as torch.linalg.inv (LU factorization, then
solve against the identity). Differentiable: the gradient is ``-A^-T gX A^-T``.

Args:
    A (Tensor): float32 or float64, of shape (..., n, n), invertible.

Returns:
    Tensor: the inverses, of shape (..., n, n).

Raises:
    ember.linalg.LinAlgError: a matrix is singular (the message names its batch element).

Example::

    >>> ember.linalg.inv(ember.tensor([[2., 0.], [0., 4.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
)doc";

constexpr const char* kDetDoc = R"doc(det(A) -> Tensor

The determinants of the square matrices A (..., n, n), as torch.linalg.det: the product of the
diagonal of A's LU factorization, signed by its row permutation. A singular A gives 0. The
gradient is A's cofactor matrix, ``det(A) A^-T`` for an invertible A and, as torch's, from the SVD
when a matrix of the batch is singular.

Args:
    A (Tensor): float32 or float64, of shape (..., n, n).

Returns:
    Tensor: the determinants, of shape (...).

Example::

    >>> ember.linalg.det(ember.tensor([[2., 1.], [1., 3.]]))
    tensor(5.)
)doc";

constexpr const char* kSlogdetDoc = R"doc(slogdet(A) -> (Tensor, Tensor)

The sign and the log of the absolute value of the determinants of the square matrices
A (..., n, n), as torch.linalg.slogdet: ``det(A) = sign * exp(logabsdet)``, without the overflow of
a product of many factors. A singular A gives (0, -inf). logabsdet's gradient is ``A^-T``; sign
has none.

Args:
    A (Tensor): float32 or float64, of shape (..., n, n).

Returns:
    A namedtuple (sign, logabsdet), each of shape (...).

Example::

    >>> ember.linalg.slogdet(ember.tensor([[1., 2.], [3., 4.]]))
    ember.return_types.linalg_slogdet(
    sign=tensor(-1.),
    logabsdet=tensor(0.6931))
)doc";

constexpr const char* kCholeskyDoc = R"doc(cholesky(A, *, upper=False) -> Tensor

The Cholesky factor of the symmetric positive-definite matrices A (..., n, n), as
torch.linalg.cholesky (LAPACK potrf): lower triangular L with ``A = L L^T`` (upper=True: ``U = L^T``,
``A = U^T U``). Only A's lower triangle is read (its upper one for upper=True, as torch's).
Differentiable (torch's formula).

Args:
    A (Tensor): float32 or float64, of shape (..., n, n), symmetric positive-definite.
    upper (bool, optional): return U = L^T instead of L. Default: False.

Returns:
    Tensor: L (or U), of shape (..., n, n).

Raises:
    ember.linalg.LinAlgError: a matrix is not positive-definite (the message gives the order of the
        leading minor that is not).

Example::

    >>> ember.linalg.cholesky(ember.tensor([[4., 2.], [2., 5.]]))
    tensor([[2., 0.],
            [1., 2.]])
)doc";

constexpr const char* kQrDoc = R"doc(qr(A, mode='reduced') -> (Tensor, Tensor)

The QR decomposition of the matrices A (..., m, n), as torch.linalg.qr (LAPACK geqrf and orgqr):
``A = Q R``, Q with orthonormal columns, R upper triangular. With k = min(m, n): mode 'reduced'
gives Q (..., m, k) and R (..., k, n); 'complete' Q (..., m, m) and R (..., m, n); 'r' only the
reduced R (Q is an empty tensor). Differentiable for 'reduced' and for 'complete' with m <= n
(torch's formula), A of full rank.

Args:
    A (Tensor): float32 or float64, of shape (..., m, n).
    mode (str, optional): 'reduced', 'complete' or 'r'. Default: 'reduced'.

Returns:
    A namedtuple (Q, R).

Example::

    >>> Q, R = ember.linalg.qr(ember.tensor([[3., 1.], [4., 2.]]))
    >>> R
    tensor([[-5.0000, -2.2000],
            [ 0.0000,  0.4000]])
    >>> ember.allclose(Q @ R, ember.tensor([[3., 1.], [4., 2.]]))
    True
)doc";

constexpr const char* kSvdDoc = R"doc(svd(A, full_matrices=True) -> (Tensor, Tensor, Tensor)

The singular value decomposition of the matrices A (..., m, n), as torch.linalg.svd (LAPACK
gesdd): ``A = U diag(S) Vh``, S descending. With k = min(m, n): U (..., m, m), Vh (..., n, n) for
full_matrices, else U (..., m, k), Vh (..., k, n). The singular vectors are unique only up to sign
(and a rotation for repeated values). Differentiable (torch's formula) with distinct nonzero
singular values; a loss should depend on U and Vh only through sign-invariant quantities. With
full_matrices, the columns of U and rows of Vh past k (not unique) get no gradient, as torch's.

Args:
    A (Tensor): float32 or float64, of shape (..., m, n).
    full_matrices (bool, optional): the full square U and Vh, or the reduced ones. Default: True.

Returns:
    A namedtuple (U, S, Vh).

Example::

    >>> U, S, Vh = ember.linalg.svd(ember.tensor([[3., 0.], [0., -4.]]))
    >>> S
    tensor([4., 3.])
    >>> ember.allclose(U @ ember.diag(S) @ Vh, ember.tensor([[3., 0.], [0., -4.]]))
    True
)doc";

constexpr const char* kSvdvalsDoc = R"doc(svdvals(A) -> Tensor

The singular values of the matrices A (..., m, n) in descending order, as torch.linalg.svdvals:
``svd(A).S`` without computing the singular vectors (unless a gradient needs them).

Args:
    A (Tensor): float32 or float64, of shape (..., m, n).

Returns:
    Tensor: the singular values, of shape (..., min(m, n)).

Example::

    >>> ember.linalg.svdvals(ember.tensor([[3., 0.], [0., -4.]]))
    tensor([4., 3.])
)doc";

/// The named tuple (U, S, Vh) that linalg.svd returns, as torch.return_types.linalg_svd.
const py::object& svd_type(py::module_& m) {
  py::module_ types = m.attr("return_types");
  py::object cls = py::module_::import("collections").attr("namedtuple")(
      "linalg_svd", py::make_tuple("U", "S", "Vh"), py::arg("module") = "ember.return_types");
  cls.attr("__repr__") = py::cpp_function([](py::tuple self) {
    return "ember.return_types.linalg_svd(\nU=" + py::repr(self[0]).cast<std::string>() +
           ",\nS=" + py::repr(self[1]).cast<std::string>() + ",\nVh=" + py::repr(self[2]).cast<std::string>() + ")";
  }, py::name("__repr__"), py::is_method(cls));
  cls.attr("__doc__") = "ember.return_types.linalg_svd(U, S, Vh): what ember.linalg.svd returns, a named tuple as "
                        "torch.return_types.linalg_svd.";
  types.attr("linalg_svd") = cls;
  return *new py::object(cls);  // leaked on purpose, as values_indices_type's
}
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
  // ember.linalg.LinAlgError: an ember.errors.ValueError (ember's convention for a value an op cannot
  // take, also a RuntimeError, what torch.linalg.LinAlgError is), for singular / not positive-definite input.
  static PyObject* linalg_error = [&m] {
    PyObject* bases = PyTuple_Pack(1, m.attr("_ValueError").ptr());
    PyObject* cls = PyErr_NewExceptionWithDoc(
        "ember.linalg.LinAlgError",
        "Raised by ember.linalg when a matrix is singular or not positive-definite (torch.linalg.LinAlgError).\n\n"
        "A ValueError, as ember raises for values an op cannot take, and a RuntimeError, as torch's is, so\n"
        "either ``except`` clause catches it.\n\n"
        "Args:\n    message (str): what failed, starting with the op's name.\n\n"
        "Example::\n\n"
        "    >>> try:\n"
        "    ...     ember.linalg.inv(ember.zeros(2, 2))\n"
        "    ... except ember.linalg.LinAlgError as e:\n"
        "    ...     print(isinstance(e, ValueError), isinstance(e, RuntimeError), str(e)[:35])\n"
        "    True True linalg.inv: The diagonal element 1\n",
        bases, nullptr);
    Py_DECREF(bases);
    return cls;
  }();
  lm.attr("LinAlgError") = py::handle(linalg_error);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const LinAlgError& e) {
      PyErr_SetString(linalg_error, e.what());
    }
  });
  lm.def("lu_factor", [&type = values_indices_type(m, "linalg_lu_factor", "LU", "pivots")](const Tensor& a) {
    std::pair<Tensor, Tensor> r;
    {
      py_gil::Release nogil(eigh_heavy(a));
      r = linalg_lu_factor(a);
    }
    return type(r.first, r.second);
  }, py::arg("A"), kLuFactorDoc);
  lm.def("_lu_factor_ex", [](const Tensor& a) {
    std::tuple<Tensor, Tensor, Tensor> r;
    {
      py_gil::Release nogil(eigh_heavy(a));
      r = linalg_lu_factor_ex(a);
    }
    return r;
  }, py::arg("A"), "(LU, pivots, info) without lu_factor's check (ember.linalg.lu_factor_ex).");
  lm.def("solve", [](const Tensor& a, const Tensor& b, bool left) {
    py_gil::Release nogil(eigh_heavy(a));
    return linalg_solve(a, b, left);
  }, py::arg("A"), py::arg("B"), py::kw_only(), py::arg("left") = true, kSolveDoc);
  lm.def("_solve_triangular", [](const Tensor& a, const Tensor& b, bool upper, bool left, bool unitriangular) {
    py_gil::Release nogil(eigh_heavy(a));
    return linalg_solve_triangular(a, b, upper, left, unitriangular);
  }, py::arg("A"), py::arg("B"), py::arg("upper"), py::arg("left"), py::arg("unitriangular"),
     "linalg_solve_triangular's kernel call (ember.linalg.solve_triangular checks the arguments).");
  lm.def("inv", [](const Tensor& a) {
    py_gil::Release nogil(eigh_heavy(a));
    return linalg_inv(a);
  }, py::arg("A"), kInvDoc);
  lm.def("det", [](const Tensor& a) {
    py_gil::Release nogil(eigh_heavy(a));
    return linalg_det(a);
  }, py::arg("A"), kDetDoc);
  lm.def("slogdet", [&type = values_indices_type(m, "linalg_slogdet", "sign", "logabsdet")](const Tensor& a) {
    std::pair<Tensor, Tensor> r;
    {
      py_gil::Release nogil(eigh_heavy(a));
      r = linalg_slogdet(a);
    }
    return type(r.first, r.second);
  }, py::arg("A"), kSlogdetDoc);
  lm.def("cholesky", [](const Tensor& a, bool upper) {
    py_gil::Release nogil(eigh_heavy(a));
    return linalg_cholesky(a, upper);
  }, py::arg("A"), py::kw_only(), py::arg("upper") = false, kCholeskyDoc);
  lm.def("qr", [&type = values_indices_type(m, "linalg_qr", "Q", "R")](const Tensor& a, const std::string& mode) {
    std::pair<Tensor, Tensor> r;
    {
      py_gil::Release nogil(eigh_heavy(a));
      r = linalg_qr(a, mode);
    }
    return type(r.first, r.second);
  }, py::arg("A"), py::arg("mode") = "reduced", kQrDoc);
  lm.def("svd", [&type = svd_type(m)](const Tensor& a, bool full_matrices) {
    std::tuple<Tensor, Tensor, Tensor> r;
    {
      py_gil::Release nogil(eigh_heavy(a));
      r = linalg_svd(a, full_matrices);
    }
    return type(std::get<0>(r), std::get<1>(r), std::get<2>(r));
  }, py::arg("A"), py::arg("full_matrices") = true, kSvdDoc);
  lm.def("svdvals", [](const Tensor& a) {
    py_gil::Release nogil(eigh_heavy(a));
    return linalg_svdvals(a);
  }, py::arg("A"), kSvdvalsDoc);
}


}  // namespace ember

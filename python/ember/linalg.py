"""ember.linalg: linear algebra, as torch.linalg.

The factorizations and what rests on them (eigh, eigvalsh, lu_factor, solve, inv, det, slogdet,
cholesky, qr, svd, svdvals) are C++ ops in ember._C._linalg, on LAPACK, with their gradients. The
rest are composites of ember ops written here (norms, matrix_rank, pinv, matrix_power, multi_dot,
...), so their gradients and higher orders come from those ops.

Errors follow ember's convention: a shape or value an op cannot take raises ValueError, a dtype it
does not support (integers, bool, float16, bfloat16 for the factorizations) TypeError, and a
singular or not positive-definite matrix :class:`LinAlgError`, which is both a ValueError and a
RuntimeError (torch raises RuntimeError and its LinAlgError, a RuntimeError, for all of these).
"""
import math
import operator

import ember
from ember._C._linalg import (LinAlgError, cholesky, det, eigh, eigvalsh, inv, lu_factor, qr, slogdet, solve, svd,
                              svdvals)
from ember._C._linalg import _solve_triangular
from ember._linalg_solvers import (LEGACY_FUNCTIONS, LEGACY_TOP_LEVEL, cholesky_ex, inv_ex, lstsq, lu, lu_factor_ex,
                                   lu_solve, solve_ex, tensorinv, tensorsolve)

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eigh", "eigvalsh",
           "householder_product", "inv", "inv_ex", "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "matmul",
           "solve_ex", "tensorinv", "tensorsolve",
           "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_triangular", "svd",
           "svdvals", "vander", "vecdot", "vector_norm"]

def _check_tensor(op, *xs):
    for x in xs:
        if not isinstance(x, ember.Tensor):
            raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")


def _check_floating(op, x, dtype=None):
    _check_tensor(op, x)
    if not (dtype or x.dtype).is_floating_point:
        raise TypeError(f"{op}: Expected a floating point tensor as input, got {dtype or x.dtype}")


def _dims(dim):
    if dim is None:
        return None
    if isinstance(dim, int):
        return (dim,)
    return tuple(dim)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    r"""The vector ``ord``-norm of x over ``dim`` (all dims when None, as if x were flattened), as
    torch.linalg.vector_norm: :math:`(\sum |x_i|^{ord})^{1/ord}`; ord inf and -inf are the largest
    and smallest :math:`|x_i|`, ord 0 counts the nonzeros.

    Args:
        x (Tensor): a floating tensor.
        ord (float, optional): the order: any number, ``inf`` or ``-inf``. Default: 2.
        dim (int or tuple of ints, optional): the dims reduced. Default: all.
        keepdim (bool, optional): keep the reduced dims with size 1. Default: False.
        dtype (ember.dtype, optional): x is cast to this floating dtype first. Default: x's.

    Returns:
        Tensor: the norms, x's shape without ``dim``.

    Example::

        >>> ember.linalg.vector_norm(ember.tensor([3., -4.]))
        tensor(5.)
        >>> ember.linalg.vector_norm(ember.tensor([[3., -4.], [1., 2.]]), ord=float("inf"), dim=1)
        tensor([4., 2.])
    """
    _check_floating("linalg.vector_norm", x, dtype)
    if isinstance(ord, str) or isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    if dtype is not None:
        x = x.to(dtype)
    return ember.norm(x, float(ord), _dims(dim), keepdim)


def _matrix_dims(op, A, dim):
    if A.dim() < 2:
        raise ValueError(f"{op}: The input tensor A must have at least 2 dimensions, got shape {tuple(A.shape)}")
    dims = _dims(dim)
    if dims is None or len(dims) != 2:
        raise ValueError(f"{op}: dim must be a 2-tuple of ints, got {dim!r}")
    d0, d1 = (d + A.dim() if d < 0 else d for d in dims)
    if not (0 <= d0 < A.dim() and 0 <= d1 < A.dim()):
        raise IndexError(f"{op}: dims {dims} out of range for a tensor of {A.dim()} dims")
    if d0 == d1:
        raise ValueError(f"{op}: dims must be different, got ({dims[0]}, {dims[1]})")
    return d0, d1


def _singular_values(A, d0, d1):
    return svdvals(ember.movedim(A, (d0, d1), (-2, -1)))


def _keep(out, d0, d1, keepdim):
    """out reduced over the matrix dims (d0, d1), given without them; with keepdim, put them back."""
    if keepdim:
        for d in sorted((d0, d1)):
            out = out.unsqueeze(d)
    return out


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    r"""The matrix norm of the matrices in dims ``dim`` of A, as torch.linalg.matrix_norm.

    ord: ``'fro'`` the Frobenius norm, ``'nuc'`` the nuclear norm (sum of the singular values),
    ``inf`` / ``-inf`` the largest / smallest absolute row sum, ``1`` / ``-1`` the largest /
    smallest absolute column sum, ``2`` / ``-2`` the largest / smallest singular value.

    Args:
        A (Tensor): a floating tensor of at least 2 dims (float32 or float64 for 'nuc', 2, -2).
        ord (str or float, optional): 'fro', 'nuc', inf, -inf, 1, -1, 2 or -2. Default: 'fro'.
        dim (tuple of 2 ints, optional): the matrices' (row, column) dims. Default: (-2, -1).
        keepdim (bool, optional): keep those dims with size 1. Default: False.
        dtype (ember.dtype, optional): A is cast to this floating dtype first. Default: A's.

    Returns:
        Tensor: the norms, A's shape without ``dim``.

    Example::

        >>> A = ember.tensor([[1., -2.], [3., 4.]])
        >>> ember.linalg.matrix_norm(A, ord=1), ember.linalg.matrix_norm(A, ord=float("inf"))
        (tensor(6.), tensor(7.))
        >>> ember.linalg.matrix_norm(A)
        tensor(5.4772)
    """
    op = "linalg.matrix_norm"
    _check_floating(op, A, dtype)
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = _matrix_dims(op, A, dim)
    if ord == "fro":
        return ember.norm(A, 2.0, (d0, d1), keepdim)
    if ord == "nuc":
        return _keep(_singular_values(A, d0, d1).sum(-1), d0, d1, keepdim)
    if isinstance(ord, (int, float)) and not isinstance(ord, bool) and ord in (2, -2):
        s = _singular_values(A, d0, d1)
        return _keep(s.amax(-1) if ord == 2 else s.amin(-1), d0, d1, keepdim)
    if isinstance(ord, (int, float)) and not isinstance(ord, bool) and ord in (1, -1, math.inf, -math.inf):
        # inf: the largest row sum (sum over the columns, then max over the rows); 1: of the columns.
        summed, over = (d1, d0) if abs(ord) == math.inf else (d0, d1)
        sums = A.abs().sum(summed, keepdim=True)
        out = sums.amax(over, keepdim=True) if ord > 0 else sums.amin(over, keepdim=True)
        return out if keepdim else out.squeeze((d0, d1))
    raise ValueError(f"{op}: Order {ord} not supported (one of 'fro', 'nuc', inf, -inf, 1, -1, 2, -2)")


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    r"""A vector or a matrix norm, as torch.linalg.norm: with ``dim`` an int (or a 1-tuple), the
    vector norm over it; with a 2-tuple, the matrix norm over those dims. With ``dim`` None: the
    2-norm of A flattened when ``ord`` is None too, else the vector norm of a 1-D A or the matrix
    norm of a 2-D one.

    Args:
        A (Tensor): a floating tensor.
        ord (int, float, inf, -inf, 'fro' or 'nuc', optional): the order (see :func:`vector_norm`
            and :func:`matrix_norm`). Default: None (2 for vectors, 'fro' for matrices).
        dim (int or tuple of ints, optional): the dims reduced. Default: None.
        keepdim (bool, optional): keep the reduced dims with size 1. Default: False.
        dtype (ember.dtype, optional): A is cast to this floating dtype first. Default: A's.

    Returns:
        Tensor: the norms.

    Example::

        >>> A = ember.tensor([[1., -2.], [3., 4.]])
        >>> ember.linalg.norm(A), ember.linalg.norm(A, ord=1), ember.linalg.norm(A, dim=0)
        (tensor(5.4772), tensor(6.), tensor([3.1623, 4.4721]))
    """
    op = "linalg.norm"
    _check_floating(op, A, dtype)
    dims = _dims(dim)
    if dims is not None and len(dims) == 1:
        if isinstance(ord, str):
            raise ValueError(f"{op}: ord {ord!r} is a matrix norm, but dim {dim!r} names one dim")
        return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    if dims is not None:
        if len(dims) != 2:
            raise ValueError(f"{op}: If dim is specified, it must be of length 1 or 2. Got {dim!r}")
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.dim() == 1:
        if isinstance(ord, str):
            raise ValueError(f"{op}: ord {ord!r} is a matrix norm, but A is 1-D")
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if A.dim() == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    raise ValueError(f"{op}: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.dim()}D.")


def _rank_tolerance(S, A, atol, rtol):
    """torch's cut-off, shaped (..., 1) against S (..., k): max(atol, rtol * S.max()); rtol defaults
    to eps * max(m, n), or to 0 where atol is given and positive."""
    def batch(v):  # a number, or a tensor over the batch dims: (..., 1)
        return v.to(S.dtype).unsqueeze(-1) if isinstance(v, ember.Tensor) else ember.tensor(float(v), dtype=S.dtype)

    eps = 1.1920928955078125e-07 if A.dtype == ember.float32 else 2.220446049250313e-16  # finfo(dtype).eps
    default_rtol = batch(eps * max(A.shape[-2], A.shape[-1]))
    atol_t = batch(0.0 if atol is None else atol)
    rtol_t = batch(rtol) if rtol is not None else ember.where(atol_t > 0, ember.zeros_like(atol_t), default_rtol)
    largest = S.amax(-1, keepdim=True)
    return ember.maximum(atol_t, rtol_t * largest)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False):
    r"""The numerical rank of the matrices A (..., m, n), as torch.linalg.matrix_rank: how many
    singular values exceed ``max(atol, rtol * S.max())``; with both None, rtol is
    ``eps * max(m, n)``.

    Args:
        A (Tensor): float32 or float64, of shape (..., m, n).
        atol (float or Tensor, optional): the absolute tolerance. Default: 0.
        rtol (float or Tensor, optional): the tolerance relative to the largest singular value.
            Default: eps * max(m, n) when atol is None or 0, else 0.
        hermitian (bool, optional): A is symmetric: its eigenvalues' absolute values serve as the
            singular values (only the lower triangle is read). Default: False.

    Returns:
        Tensor: int64, of shape (...).

    Example::

        >>> ember.linalg.matrix_rank(ember.tensor([[1., 2.], [2., 4.]]))
        tensor(1)
    """
    _check_tensor("linalg.matrix_rank", A)
    if A.dim() < 2:
        raise ValueError(f"linalg.matrix_rank: The input tensor A must have at least 2 dimensions, got shape "
                         f"{tuple(A.shape)}")
    S = eigvalsh(A).abs() if hermitian else svdvals(A)
    if S.shape[-1] == 0:
        return ember.zeros(tuple(S.shape[:-1]), dtype=ember.int64)
    tol = _rank_tolerance(S, A, atol, rtol)
    return (S > tol).sum(-1)


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    r"""The Moore-Penrose pseudo-inverse of the matrices A (..., m, n), as torch.linalg.pinv:
    ``V diag(1/S) U^T`` over the singular values above ``max(atol, rtol * S.max())`` (rtol
    defaulting to ``eps * max(m, n)``), the others taken as 0. Differentiable through
    :func:`svd` (A of full rank with distinct singular values).

    Args:
        A (Tensor): float32 or float64, of shape (..., m, n).
        atol (float or Tensor, optional): the absolute tolerance. Default: 0.
        rtol (float or Tensor, optional): the relative tolerance. Default: eps * max(m, n) when
            atol is None or 0, else 0.
        hermitian (bool, optional): A is symmetric (through :func:`eigh`; the lower triangle is
            read). Default: False.

    Returns:
        Tensor: the pseudo-inverses, of shape (..., n, m).

    Example::

        >>> ember.linalg.pinv(ember.tensor([[1., 0.], [0., 2.], [0., 0.]]))
        tensor([[1.0000, 0.0000, 0.0000],
                [0.0000, 0.5000, 0.0000]])
    """
    _check_tensor("linalg.pinv", A)
    if A.dim() < 2:
        raise ValueError(f"linalg.pinv: The input tensor A must have at least 2 dimensions, got shape {tuple(A.shape)}")
    if A.dtype not in (ember.float32, ember.float64):  # checked before the empty case, as torch's
        raise TypeError(f"linalg.pinv: expected A to be a float32 or float64 tensor, got {A.dtype}")
    if min(A.shape[-2], A.shape[-1]) == 0:
        return ember.zeros(tuple(A.shape[:-2]) + (A.shape[-1], A.shape[-2]), dtype=A.dtype)
    if hermitian:
        L, V = eigh(A)
        tol = _rank_tolerance(L.abs(), A, atol, rtol)
        inv_l = ember.where(L.abs() > tol, 1 / L, ember.zeros_like(L))
        return (V * inv_l.unsqueeze(-2)) @ V.transpose(-2, -1)
    U, S, Vh = svd(A, full_matrices=False)
    tol = _rank_tolerance(S, A, atol, rtol)
    inv_s = ember.where(S > tol, 1 / S, ember.zeros_like(S))
    return (Vh.transpose(-2, -1) * inv_s.unsqueeze(-2)) @ U.transpose(-2, -1)


def cond(A, p=None):
    r"""The condition number of the square (or, for p None, 2, -2, any) matrices A (..., m, n) in the
    norm ``p``, as torch.linalg.cond: ``S.max() / S.min()`` of the singular values for p None or 2,
    ``S.min() / S.max()`` for -2, else ``matrix_norm(A, p) * matrix_norm(inv(A), p)``, inf for a
    singular matrix (torch gives nan there for 'nuc').

    Args:
        A (Tensor): float32 or float64, of shape (..., m, n) (square for p other than None, 2, -2).
        p (None, 'fro', 'nuc', inf, -inf, 1, -1, 2 or -2, optional): the norm. Default: None (2).

    Returns:
        Tensor: of shape (...).

    Example::

        >>> ember.linalg.cond(ember.tensor([[1., 0.], [0., 4.]]))
        tensor(4.)
        >>> ember.linalg.cond(ember.tensor([[1., 0.], [0., 4.]]), 1)
        tensor(4.)
    """
    _check_tensor("linalg.cond", A)
    if A.dim() < 2:
        raise ValueError(f"linalg.cond: The input tensor A must have at least 2 dimensions, got shape {tuple(A.shape)}")
    if p is None or (not isinstance(p, (str, bool)) and p in (2, -2)):
        S = svdvals(A)
        if S.shape[-1] == 0:
            return ember.zeros(tuple(S.shape[:-1]), dtype=S.dtype)
        big, small = S.amax(-1), S.amin(-1)
        return big / small if p in (None, 2) else small / big
    if A.shape[-1] != A.shape[-2]:
        raise ValueError(f"linalg.cond: A must be batches of square matrices for p={p!r}, but they are "
                         f"{A.shape[-2]} by {A.shape[-1]} matrices")
    try:
        inverse = inv(A)
    except LinAlgError:  # torch's: inf for each singular matrix
        flat = A.reshape(-1, A.shape[-2], A.shape[-1])
        out = []
        for a in flat.unbind(0):
            try:
                out.append(matrix_norm(a, p) * matrix_norm(inv(a), p))
            except LinAlgError:
                out.append(ember.full((), math.inf, dtype=A.dtype))
        return ember.stack(out).reshape(tuple(A.shape[:-2]))
    return matrix_norm(A, p) * matrix_norm(inverse, p)


def vander(x, *, N=None):
    r"""The Vandermonde matrices of the vectors x (..., n), as torch.linalg.vander: column j holds
    ``x ** j`` for j < N (a running product, so its gradient is cumprod's).

    Args:
        x (Tensor): of shape (..., n).
        N (int, optional): the number of columns. Default: n.

    Returns:
        Tensor: of shape (..., n, N), x's dtype (int64 for integers).

    Example::

        >>> ember.linalg.vander(ember.tensor([1, 2, 3]))
        tensor([[1, 1, 1],
                [1, 2, 4],
                [1, 3, 9]])
    """
    _check_tensor("linalg.vander", x)
    if x.dim() < 1:
        raise ValueError("linalg.vander: x must have at least one dimension, got a 0-d tensor")
    if N is None:
        N = x.shape[-1]
    if isinstance(N, bool) or not isinstance(N, int) or N <= 1:
        raise ValueError(f"linalg.vander: N must be greater than 1, got {N!r}")
    if x.dtype == ember.bool:
        raise TypeError("linalg.vander: Expected a numeric tensor, got bool")
    columns = x.unsqueeze(-1).expand(tuple(x.shape) + (N - 1,))
    dtype = x.dtype if x.dtype.is_floating_point else ember.int64  # integers as torch's (x ** arange: int64)
    return ember.cat([ember.ones_like(columns[..., :1]), columns], -1).cumprod(-1, dtype=dtype)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    r"""The solution X of ``A X = B`` (``X A = B`` when left is False) for triangular A, as
    torch.linalg.solve_triangular: only A's upper (or lower) triangle is read, and with
    unitriangular its diagonal is taken as ones. B is always a batch of matrices; the batch dims
    broadcast. Computed by BLAS trsm (substitution, no factorization), so a zero on the diagonal
    gives inf or NaN, as torch's; the gradient wrt A lies in the triangle read, as torch's.

    Args:
        A (Tensor): float32 or float64, of shape (..., n, n).
        B (Tensor): A's dtype, of shape (..., n, k) (left=False: (..., k, n)).
        upper (bool): read A's upper triangle (True) or its lower one.
        left (bool, optional): solve ``A X = B`` (True) or ``X A = B``. Default: True.
        unitriangular (bool, optional): A's diagonal is all ones (not read). Default: False.

    Returns:
        Tensor: X, of B's shape (its batch dims broadcast with A's).

    Example::

        >>> A = ember.tensor([[2., 1.], [0., 4.]])
        >>> ember.linalg.solve_triangular(A, ember.tensor([[4.], [8.]]), upper=True)
        tensor([[1.],
                [2.]])
    """
    op = "linalg.solve_triangular"
    _check_tensor(op, A, B)
    if not isinstance(upper, bool):
        raise TypeError(f"{op}: upper must be a bool, got {type(upper).__name__}")
    if A.dim() < 2 or B.dim() < 2:
        raise ValueError(f"{op}: The input tensors A and B must have at least 2 dimensions, got shapes "
                         f"{tuple(A.shape)} and {tuple(B.shape)}")
    for name, flag in (("left", left), ("unitriangular", unitriangular)):
        if not isinstance(flag, bool):
            raise TypeError(f"{op}: {name} must be a bool, got {type(flag).__name__}")
    return _solve_triangular(A, B, upper, left, unitriangular)


def matrix_exp(A):
    r"""The matrix exponential of the square matrices A (..., n, n), as torch.linalg.matrix_exp:
    :math:`\sum_k A^k / k!`, by scaling and squaring (A divided by :math:`2^s` so its 1-norm is at
    most 1/2, a degree-18 Taylor polynomial, then s squarings; s chosen for each matrix; while it
    is small, exp - I is carried, so small terms are not lost against I).
    A composite of ember ops, so its gradient is the polynomial's (exact to rounding).

    Args:
        A (Tensor): floating, of shape (..., n, n) (float16 and bfloat16 computed in float32).

    Returns:
        Tensor: of A's shape.

    Example::

        >>> ember.linalg.matrix_exp(ember.tensor([[0., 1.], [0., 0.]]))
        tensor([[1., 1.],
                [0., 1.]])
    """
    op = "linalg.matrix_exp"
    _check_tensor(op, A)
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError(f"{op}: A must be batches of square matrices, got shape {tuple(A.shape)}")
    if A.dtype in (ember.float16, ember.bfloat16):  # computed in float32, rounded once
        return matrix_exp(A.float()).to(A.dtype)
    if A.dtype not in (ember.float32, ember.float64):
        raise TypeError(f"{op}: expected A to be a floating tensor, got {A.dtype}")
    if A.numel() == 0:
        return A.clone()
    with ember.no_grad():
        # each matrix's own scaling: s = ceil(log2(2 |A|_1)) squarings (none for a 1-norm of at most
        # 1/2, or one that is not finite: inf or NaN gives inf or NaN whatever the scaling)
        norms = A.abs().sum(-2).amax(-1, keepdim=True).unsqueeze(-1).double()
        norms = ember.where(norms.isfinite() & (norms > 0.5), norms, ember.ones_like(norms) * 0.5)
        s = (norms * 2).log2().ceil()
    steps = int(s.amax().item())
    X = A * ember.exp2(-s).to(A.dtype) if steps else A  # by a power of 2: exact
    # F = exp(X) - I, squared as (I + F)^2 - I = 2F + F F while it is small, so its small parts
    # are not rounded away against I (a large matrix scaled by 2^-35 has diagonal terms below
    # float32's eps); from a 1-norm of 1 on, E = I + F is squared (a decaying exp(A) keeps its
    # relative precision, which I + F would cancel away)
    eye = ember.eye(A.shape[-1], dtype=A.dtype)
    term = F = X
    for k in range(2, 19):
        term = (term @ X) / k
        F = F + term
    E, small = F + eye, ember.ones_like(s, dtype=ember.bool)
    for i in range(steps):
        with ember.no_grad():
            grown = small & (F.abs().sum(-2).amax(-1, keepdim=True).unsqueeze(-1) >= 1)
            small = small & ~grown
        E = ember.where(grown, F + eye, E)
        F = ember.where(small & (s > i), 2 * F + F @ F, F)
        E = ember.where(~small & (s > i), E @ E, E)
    return ember.where(small, F + eye, E)


def matrix_power(A, n):
    r"""A (..., m, m) to the integer power n, as torch.linalg.matrix_power: the identity for n = 0,
    a product by repeated squaring for n > 0, and the power of :func:`inv` (A) for n < 0.

    Args:
        A (Tensor): of shape (..., m, m) (floating for n < 0).
        n (int): the exponent.

    Returns:
        Tensor: of A's shape.

    Example::

        >>> ember.linalg.matrix_power(ember.tensor([[1., 1.], [0., 1.]]), 3)
        tensor([[1., 3.],
                [0., 1.]])
    """
    _check_tensor("linalg.matrix_power", A)
    if not isinstance(n, bool) and hasattr(n, "__index__"):  # an int, or an integer 0-d tensor
        n = operator.index(n)
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {type(n).__name__}")
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError(f"linalg.matrix_power: A must be batches of square matrices, got shape {tuple(A.shape)}")
    if n == 0:
        return ember.eye(A.shape[-1], dtype=A.dtype).expand(tuple(A.shape)).clone()
    if n < 0:
        A, n = inv(A), -n
    # torch's order of products (it matters in 16-bit floats); A ** 1 is a copy, not A
    if n <= 3:
        return A.clone() if n == 1 else A @ A if n == 2 else (A @ A) @ A
    result, square = None, A
    while True:
        if n & 1:
            result = square if result is None else result @ square
        n >>= 1
        if not n:
            return result
        square = square @ square


def multi_dot(tensors):
    r"""The product of two or more matrices in one call, as torch.linalg.multi_dot: the first may
    be a 1-D row vector and the last a 1-D column vector (their dims dropped from the result); the
    others are 2-D. The product is taken left to right (torch picks the cheapest order: the
    results agree up to rounding).

    Args:
        tensors (sequence of Tensors): at least two.

    Returns:
        Tensor: the product.

    Example::

        >>> A, B = ember.tensor([[1., 2.]]), ember.tensor([[3.], [4.]])
        >>> ember.linalg.multi_dot([A, B, ember.tensor([2.])])
        tensor([22.])
    """
    tensors = list(tensors)
    if len(tensors) < 2:
        raise ValueError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    _check_tensor("multi_dot()", *tensors)
    for i, t in enumerate(tensors):
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.dim() not in allowed:
            raise ValueError(f"multi_dot(): tensor {i} must be {' or '.join(f'{d}D' for d in allowed)} but got "
                             f"{t.dim()}D")
    out = tensors[0]
    for t in tensors[1:]:
        out = out @ t
    return out


def householder_product(A, tau):
    r"""The first n columns of the product of Householder reflectors
    :math:`H_1 \cdots H_k`, :math:`H_i = I_m - \tau_i v_i v_i^T`, where :math:`v_i` is column i
    of ``A`` below the diagonal with a 1 on it (the form LAPACK's QR returns), as
    torch.linalg.householder_product (LAPACK's orgqr). Batched over leading dims;
    differentiable (a composite of ember ops).

    Args:
        A (Tensor): (*, m, n), m >= n: the reflectors' vectors below the diagonal.
        tau (Tensor): (*, k), k <= n: the reflectors' factors.

    Returns:
        Tensor: (*, m, n), orthonormal columns when each tau_i is 2 / ||v_i||^2 (or 0).

    Raises:
        ValueError: fewer than 2 dims, m < n, k > n, or tau's dims not A's batch dims plus one.
        TypeError: not floating point, or tau's dtype not A's.

    Example::

        >>> A = ember.tensor([[1., 0.], [1., 1.], [0., 1.]])
        >>> Q = ember.linalg.householder_product(A, ember.tensor([1., 1.]))
        >>> ember.allclose(Q.T @ Q, ember.eye(2))
        True
    """
    op = "linalg.householder_product"
    _check_floating(op, A)
    _check_tensor(op, tau)
    if A.dim() < 2:
        raise ValueError(f"{op}: input must have at least 2 dimensions.")
    m, n = A.shape[-2], A.shape[-1]
    if m < n:
        raise ValueError(f"{op}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if tau.dim() != A.dim() - 1:
        raise ValueError(f"{op}: Expected tau to have one dimension less than input, but got tau.ndim equal to "
                         f"{tau.dim()} and input.ndim is equal to {A.dim()}")
    if tau.shape[-1] > n:
        raise ValueError(f"{op}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise ValueError(f"{op}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
                         f"{tuple(tau.shape[:-1])}")
    if tau.dtype != A.dtype:
        raise TypeError(f"{op}: tau dtype {tau.dtype} does not match input dtype {A.dtype}")
    rows = ember.arange(m).unsqueeze(-1)
    Q = ember.eye(m, n, dtype=A.dtype).expand(*A.shape[:-2], m, n)
    for i in reversed(range(tau.shape[-1])):  # Q = H_i Q, the last reflector first
        below = (rows > i).to(A.dtype)
        v = A[..., :, i:i + 1] * below + (rows == i).to(A.dtype)
        Q = Q - tau[..., i:i + 1].unsqueeze(-1) * v * (v.mT @ Q)
    return Q


def cross(input, other, *, dim=-1):
    r"""The cross product of the 3-vectors along ``dim`` of input and other (broadcast together),
    as torch.linalg.cross.

    Args:
        input (Tensor): size 3 in ``dim``.
        other (Tensor): size 3 in ``dim``.
        dim (int, optional): the vectors' dim. Default: -1.

    Returns:
        Tensor: the cross products.

    Example::

        >>> ember.linalg.cross(ember.tensor([1., 0., 0.]), ember.tensor([0., 1., 0.]))
        tensor([0., 0., 1.])
    """
    return ember.cross(input, other, dim=dim)


def vecdot(x, y, *, dim=-1):
    r"""The dot products of the vectors along ``dim`` of x and y (broadcast together), as
    torch.linalg.vecdot (real tensors: ``(x * y).sum(dim)``).

    Args:
        x (Tensor): the first vectors.
        y (Tensor): the second vectors, broadcastable to x.
        dim (int, optional): the vectors' dim. Default: -1.

    Returns:
        Tensor: the dot products.

    Example::

        >>> ember.linalg.vecdot(ember.tensor([[1., 2.], [3., 4.]]), ember.tensor([1., 1.]))
        tensor([3., 7.])
    """
    _check_tensor("linalg.vecdot", x, y)
    if x.dtype != y.dtype:
        raise TypeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type {x.dtype} "
                        f"and y of type {y.dtype} instead")
    return (x * y).sum(dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    r"""The diagonals of the matrices of A, as torch.linalg.diagonal: :func:`ember.diagonal` with
    the last two dims as default.

    Args:
        A (Tensor): of at least 2 dims.
        offset (int, optional): above the main diagonal for > 0, below for < 0. Default: 0.
        dim1 (int, optional): the rows' dim. Default: -2.
        dim2 (int, optional): the columns' dim. Default: -1.

    Returns:
        Tensor: a view, the diagonal last.

    Example::

        >>> ember.linalg.diagonal(ember.tensor([[1., 2.], [3., 4.]]))
        tensor([1., 4.])
    """
    return ember.diagonal(A, offset, dim1, dim2)


def matmul(input, other):
    r"""The matrix product of input and other, as torch.linalg.matmul (an alias of
    :func:`ember.matmul`).

    Args:
        input (Tensor): the first operand.
        other (Tensor): the second operand.

    Returns:
        Tensor: the product.

    Example::

        >>> ember.linalg.matmul(ember.tensor([[1., 2.]]), ember.tensor([[3.], [4.]]))
        tensor([[11.]])
    """
    return ember.matmul(input, other)


# ---- torch's top-level spellings and Tensor methods (installed by ember/__init__.py) ----------
def _det(input):
    r"""The determinant of the square matrices input (..., n, n): :func:`ember.linalg.det`.

    Args:
        input (Tensor): float32 or float64, of shape (..., n, n).

    Returns:
        Tensor: of shape (...).

    Example::

        >>> ember.det(ember.tensor([[2., 1.], [1., 3.]]))
        tensor(5.)
    """
    return det(input)


def _inverse(input):
    r"""The inverses of the square matrices input (..., n, n): :func:`ember.linalg.inv`.

    Args:
        input (Tensor): float32 or float64, of shape (..., n, n), invertible.

    Returns:
        Tensor: of input's shape.

    Example::

        >>> ember.inverse(ember.tensor([[2., 0.], [0., 4.]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    return inv(input)


def _slogdet(input):
    r"""(sign, log |det|) of the square matrices input (..., n, n): :func:`ember.linalg.slogdet`.

    Args:
        input (Tensor): float32 or float64, of shape (..., n, n).

    Returns:
        A namedtuple (sign, logabsdet).

    Example::

        >>> ember.slogdet(ember.tensor([[2., 0.], [0., 3.]])).logabsdet
        tensor(1.7918)
    """
    return slogdet(input)


def _logdet(input):
    r"""The log of the determinant of the square matrices input (..., n, n), as torch.logdet:
    ``log(det)``, -inf for a singular matrix and nan for a negative determinant (computed from
    :func:`ember.linalg.slogdet`, so no overflow).

    Args:
        input (Tensor): float32 or float64, of shape (..., n, n).

    Returns:
        Tensor: of shape (...).

    Example::

        >>> ember.logdet(ember.tensor([[2., 0.], [0., 3.]]))
        tensor(1.7918)
    """
    sign, logabsdet = slogdet(input)
    return ember.where(sign < 0, ember.full_like(logabsdet, math.nan), logabsdet)


def _matrix_power(input, n):
    r"""input (..., m, m) to the integer power n: :func:`ember.linalg.matrix_power`.

    Args:
        input (Tensor): of shape (..., m, m).
        n (int): the exponent.

    Returns:
        Tensor: of input's shape.

    Example::

        >>> ember.matrix_power(ember.tensor([[2., 0.], [0., 3.]]), 2)
        tensor([[4., 0.],
                [0., 9.]])
    """
    return matrix_power(input, n)


def _matrix_exp(input):
    r"""The matrix exponential of the square matrices input (..., n, n): :func:`ember.linalg.matrix_exp`.

    Args:
        input (Tensor): float32 or float64, of shape (..., n, n).

    Returns:
        Tensor: of input's shape.

    Example::

        >>> ember.matrix_exp(ember.zeros(2, 2))
        tensor([[1., 0.],
                [0., 1.]])
    """
    return matrix_exp(input)


TOP_LEVEL = {"det": _det, "inverse": _inverse, "slogdet": _slogdet, "logdet": _logdet, "matrix_power": _matrix_power,
             "matrix_exp": _matrix_exp, **LEGACY_TOP_LEVEL}
TOP_LEVEL_NAMES = [*TOP_LEVEL, *LEGACY_FUNCTIONS]  # ember's names (the first ones Tensor's methods too)


def install(namespace, tensor_cls):
    """Puts torch's top-level spellings into ``namespace`` (ember's) and the same as methods of Tensor."""
    for name, fn in {**TOP_LEVEL, **LEGACY_FUNCTIONS}.items():
        fn.__name__ = fn.__qualname__ = name
        fn.__module__ = "ember"
        namespace[name] = fn
        if name in TOP_LEVEL:
            setattr(tensor_cls, name, fn)

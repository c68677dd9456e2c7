"""ember.linalg's solvers built on the LU, Cholesky, QR and SVD factorizations: lu, lu_solve,
lu_factor_ex, solve_ex, inv_ex, cholesky_ex, lstsq, tensorinv, tensorsolve; and torch's older
top-level spellings of them (torch.svd, qr, cholesky, lu, lu_unpack, lu_solve, pinverse,
cholesky_solve, cholesky_inverse, triangular_solve, chain_matmul), which ember.linalg installs.
Composites of ember's ops: their gradients come from those ops (the LU family's do not: the LU
factorization has none in ember)."""

import math
import warnings

import ember
from ember import errors, return_types
from ember._C._linalg import LinAlgError, _lu_factor_ex, cholesky, inv, solve, svd, svdvals


def _tensors(op, **arguments):
    """TypeError naming the first argument that is not a tensor, as torch's argument parser."""
    for name, value in arguments.items():
        if not isinstance(value, ember.Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(value).__name__}")


def _square(op, A):
    if not isinstance(A, ember.Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(A).__name__}")
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        raise errors.ValueError(f"{op}: A must be batches of square matrices, but they are "
                                f"{tuple(A.shape[-2:])} matrices")


# ---- LU ------------------------------------------------------------------------------------------

def lu_factor_ex(A, *, pivot=True, check_errors=False):
    """LU with partial pivoting, as torch.linalg.lu_factor_ex: :func:`lu_factor` that reports a
    singular matrix in ``info`` instead of raising.

    Args:
        A (Tensor): float32 or float64, of shape (..., n, n).
        pivot (bool): must be True (LU without pivoting is not implemented on the CPU, as torch's).
        check_errors (bool): raise LinAlgError for a singular matrix, as lu_factor. Default: False.

    Returns:
        ember.return_types.linalg_lu_factor_ex: (LU, pivots, info); info (...) int32 is 0, or the
        1-based index of the first zero on U's diagonal.

    Example::

        >>> ember.linalg.lu_factor_ex(ember.zeros(2, 2)).info
        tensor(1, dtype=ember.int32)
    """
    if not pivot:
        raise NotImplementedError("linalg.lu_factor_ex: LU without pivoting is not implemented on the CPU")
    if check_errors:
        LU, pivots = ember.linalg.lu_factor(A)
        return return_types.linalg_lu_factor_ex(LU, pivots, ember.zeros(tuple(A.shape[:-2]), dtype=ember.int32))
    return return_types.linalg_lu_factor_ex(*_lu_factor_ex(A))


def _permutation(pivots, n, dtype):
    """The permutation matrices P (..., n, n) with A = P L U, from LAPACK's 1-based row swaps."""
    batch = tuple(pivots.shape[:-1])
    perm = [list(range(n)) for _ in range(math.prod(batch))]
    for row, swaps in zip(perm, pivots.reshape(-1, pivots.shape[-1]).tolist() if n else [[]] * len(perm)):
        for i, p in enumerate(swaps):
            row[i], row[p - 1] = row[p - 1], row[i]
    index = ember.tensor(perm, dtype=ember.int64).reshape(*batch, n)
    # row i of P^T is the unit vector of perm[i]: P = one_hot(perm)^T
    return ember.nn.functional.one_hot(index, n).to(dtype).transpose(-2, -1)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """P, L and U from :func:`lu_factor`'s (LU, pivots), as torch.lu_unpack: ``A = P L U``.

    Args:
        LU_data (Tensor): the packed factors (..., m, n).
        LU_pivots (Tensor): int32 pivots (..., min(m, n)).
        unpack_data (bool): compute L and U (else they are empty). Default: True.
        unpack_pivots (bool): compute P (else it is empty). Default: True.

    Returns:
        ember.return_types.lu_unpack: (P, L, U).

    Example::

        >>> A = ember.tensor([[1., 2.], [3., 4.]])
        >>> P, L, U = ember.lu_unpack(*ember.linalg.lu_factor(A))
        >>> ember.allclose(P @ L @ U, A)
        True
    """
    if not isinstance(LU_data, ember.Tensor) or not isinstance(LU_pivots, ember.Tensor):
        raise TypeError("lu_unpack: expected LU_data and LU_pivots to be tensors")
    if LU_data.dim() < 2:
        raise errors.ValueError(f"lu_unpack: LU_data must have at least 2 dimensions, got shape {tuple(LU_data.shape)}")
    if LU_pivots.dtype != ember.int32:
        raise errors.TypeError(f"lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype, got "
                        f"{LU_pivots.dtype}")
    m, n = LU_data.shape[-2], LU_data.shape[-1]
    k = min(m, n)
    if tuple(LU_pivots.shape) != tuple(LU_data.shape[:-2]) + (k,):
        raise errors.ValueError(f"lu_unpack: LU_pivots of shape {tuple(LU_pivots.shape)} do not match LU_data of shape "
                         f"{tuple(LU_data.shape)}")
    empty = ember.empty(0, dtype=LU_data.dtype)
    if unpack_data:
        L = LU_data[..., :, :k].tril(-1) + ember.eye(m, k, dtype=LU_data.dtype)
        U = LU_data[..., :k, :].triu()
    else:
        L = U = empty
    P = _permutation(LU_pivots, m, LU_data.dtype) if unpack_pivots else empty
    return return_types.lu_unpack(P, L, U)


def lu(A, *, pivot=True):
    """The LU decomposition with partial pivoting, as torch.linalg.lu: ``A = P L U``, P a
    permutation, L unit lower triangular, U upper triangular. Singular matrices have one too.

    Args:
        A (Tensor): float32 or float64, of shape (..., n, n).
        pivot (bool): must be True (as torch's on the CPU).

    Returns:
        ember.return_types.linalg_lu: (P, L, U).

    Example::

        >>> P, L, U = ember.linalg.lu(ember.tensor([[1., 2.], [3., 4.]]))
        >>> U
        tensor([[3.0000, 4.0000],
                [0.0000, 0.6667]])
    """
    _square("linalg.lu", A)
    LU, pivots, _ = lu_factor_ex(A, pivot=pivot)
    return return_types.linalg_lu(*lu_unpack(LU, pivots))


def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """The solution of ``A X = B`` from A's :func:`lu_factor`, as torch.linalg.lu_solve.

    Args:
        LU (Tensor): the packed factors (..., n, n).
        pivots (Tensor): their int32 pivots (..., n).
        B (Tensor): the right-hand sides (..., n, k) (left=False: (..., k, n)).
        left (bool): solve ``A X = B`` (True) or ``X A = B``. Default: True.
        adjoint (bool): solve with A's (conjugate) transpose. Default: False.

    Returns:
        Tensor: X.

    Example::

        >>> A = ember.tensor([[2., 1.], [1., 3.]])
        >>> ember.linalg.lu_solve(*ember.linalg.lu_factor(A), ember.tensor([[3.], [4.]]))
        tensor([[1.],
                [1.]])
    """
    op = "linalg.lu_solve"
    _square(op, LU)
    if not isinstance(B, ember.Tensor) or B.dim() < 2:
        raise errors.ValueError(f"{op}: B must be a tensor of at least 2 dimensions")
    P, L, U = lu_unpack(LU, pivots)
    if not left:  # X A = B is A^T X^T = B^T
        return lu_solve(LU, pivots, B.mT, left=True, adjoint=not adjoint).mT
    st = ember.linalg.solve_triangular
    if adjoint:  # A^T = U^T L^T P^T
        y = st(U.mT, B, upper=False)
        return P @ st(L.mT, y, upper=True, unitriangular=True)
    y = st(L, P.mT @ B, upper=False, unitriangular=True)
    return st(U, y, upper=True)


# ---- the _ex forms: errors in info -----------------------------------------------------------------

def solve_ex(A, B, *, left=True, check_errors=False):
    """:func:`solve` that reports a singular A in ``info`` instead of raising, as
    torch.linalg.solve_ex (the result is then not meaningful).

    Args:
        A (Tensor): float32 or float64, of shape (..., n, n).
        B (Tensor): the right-hand sides, as solve's.
        left (bool): solve ``A X = B`` (True) or ``X A = B``. Default: True.
        check_errors (bool): raise for a singular A, as solve. Default: False.

    Returns:
        ember.return_types.linalg_solve_ex: (result, info); info (...) int32: 0, or LAPACK's
        index of the zero pivot.

    Example::

        >>> ember.linalg.solve_ex(ember.eye(2), ember.ones(2)).info
        tensor(0, dtype=ember.int32)
    """
    _square("linalg.solve_ex", A)
    info = _lu_factor_ex(A.detach())[2]
    if check_errors or not bool(info.any()):
        return return_types.linalg_solve_ex(solve(A, B, left=left), info)
    good = info == 0
    X = solve(ember.where(good.unsqueeze(-1).unsqueeze(-1), A, ember.eye(A.shape[-1], dtype=A.dtype)), B, left=left)
    mask = good.unsqueeze(-1) if X.dim() == A.dim() - 1 else good.unsqueeze(-1).unsqueeze(-1)
    return return_types.linalg_solve_ex(ember.where(mask, X, float("nan")), info)


def inv_ex(A, *, check_errors=False):
    """:func:`inv` that reports a singular matrix in ``info`` instead of raising, as
    torch.linalg.inv_ex.

    Args:
        A (Tensor): float32 or float64, of shape (..., n, n).
        check_errors (bool): raise for a singular matrix, as inv. Default: False.

    Returns:
        ember.return_types.linalg_inv_ex: (inverse, info); a singular matrix's inverse is not
        meaningful (NaN here).

    Example::

        >>> ember.linalg.inv_ex(ember.zeros(2, 2)).info
        tensor(1, dtype=ember.int32)
    """
    _square("linalg.inv_ex", A)
    info = _lu_factor_ex(A.detach())[2]
    if check_errors or not bool(info.any()):
        return return_types.linalg_inv_ex(inv(A), info)
    good = (info == 0).unsqueeze(-1).unsqueeze(-1)
    safe = ember.where(good, A, ember.eye(A.shape[-1], dtype=A.dtype))
    return return_types.linalg_inv_ex(ember.where(good, inv(safe), float("nan")), info)


def cholesky_ex(A, *, upper=False, check_errors=False):
    """:func:`cholesky` that reports a matrix that is not positive-definite in ``info`` instead of
    raising, as torch.linalg.cholesky_ex.

    Args:
        A (Tensor): float32 or float64, of shape (..., n, n).
        upper (bool): return the upper factor. Default: False.
        check_errors (bool): raise, as cholesky. Default: False.

    Returns:
        ember.return_types.linalg_cholesky_ex: (L, info); info (...) int32: 0, or the order of the
        leading minor that is not positive-definite (that matrix's L is not meaningful: NaN here).

    Example::

        >>> ember.linalg.cholesky_ex(ember.tensor([[1., 0.], [0., -1.]])).info
        tensor(2, dtype=ember.int32)
    """
    _square("linalg.cholesky_ex", A)
    if check_errors:
        L = cholesky(A, upper=upper)
        return return_types.linalg_cholesky_ex(L, ember.zeros(tuple(A.shape[:-2]), dtype=ember.int32))
    batch = tuple(A.shape[:-2])
    flat = A.reshape(-1, A.shape[-2], A.shape[-1])
    info = [0 if _positive_definite(m) else _failing_order(m) for m in flat.detach()]
    info_t = ember.tensor(info, dtype=ember.int32).reshape(batch)
    if not any(info):
        return return_types.linalg_cholesky_ex(cholesky(A, upper=upper), info_t)
    good = (info_t == 0).unsqueeze(-1).unsqueeze(-1)
    safe = ember.where(good, A, ember.eye(A.shape[-1], dtype=A.dtype))
    return return_types.linalg_cholesky_ex(ember.where(good, cholesky(safe, upper=upper), float("nan")), info_t)


def _positive_definite(m):
    try:
        cholesky(m)
        return True
    except LinAlgError:
        return False


def _failing_order(m):
    """The order of the first leading minor of m that is not positive-definite (binary search)."""
    low, high = 1, m.shape[-1]  # minors of order < low are fine; the one of order high fails
    while low < high:
        mid = (low + high) // 2
        if _positive_definite(m[:mid, :mid]):
            low = mid + 1
        else:
            high = mid
    return high


# ---- least squares -----------------------------------------------------------------------------

_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution of ``A X = B``, as torch.linalg.lstsq: the X minimizing
    ``||A X - B||`` (the one of least norm when A is rank-deficient), computed through a QR
    factorization and the pseudo-inverse of its small R factor (an SVD), so it is differentiable.

    Args:
        A (Tensor): float32 or float64, of shape (..., m, n).
        B (Tensor): (..., m, k), or (..., m) for one right-hand side.
        rcond (float, optional): singular values below rcond times the largest count as zero
            (default: eps * max(m, n)).
        driver (str, optional): torch's LAPACK driver, which decides what else is returned:
            "gelsy" (default) the rank; "gels" nothing more (A assumed of full rank); "gelsd" and
            "gelss" the rank and the singular values. Residuals come with all but "gelsy" when
            m > n and every A has full rank.

    Returns:
        ember.return_types.linalg_lstsq: (solution (..., n, k), residuals, rank, singular_values),
        the last three empty where the driver does not give them.

    Example::

        >>> A = ember.tensor([[1., 0.], [0., 1.], [1., 1.]])
        >>> ember.linalg.lstsq(A, ember.tensor([[1.], [2.], [4.]])).solution
        tensor([[1.3333],
                [2.3333]])
    """
    op = "linalg.lstsq"
    for x, name in ((A, "A"), (B, "B")):
        if not isinstance(x, ember.Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(x).__name__}")
    if driver is not None and driver not in _DRIVERS:
        raise errors.ValueError(f"{op}: parameter `driver` should be one of {_DRIVERS}")
    if A.dim() < 2:
        raise errors.ValueError(f"{op}: input must have at least 2 dimensions.")
    if not A.dtype.is_floating_point or A.dtype != B.dtype:
        raise errors.TypeError(f"{op}: Expected A and B to be floating tensors of the same dtype, got {A.dtype} "
                               f"and {B.dtype}")
    driver = driver or "gelsy"
    vector = B.dim() == A.dim() - 1
    Bm = B.unsqueeze(-1) if vector else B
    m, n = A.shape[-2], A.shape[-1]
    if Bm.dim() < 2 or Bm.shape[-2] != m:
        raise errors.ValueError(f"{op}: input.size(-2) should match other.size(-2) (A {tuple(A.shape)}, "
                                f"B {tuple(B.shape)})")
    eps = ember.finfo(A.dtype).eps
    rtol = eps * max(m, n) if rcond is None or rcond < 0 else rcond
    # A = Q R (or A^T = Q R when wide) with Q's columns orthonormal: A's pseudo-inverse is R's
    # (a small k x k matrix, k = min(m, n)) times Q^T, and A's singular values are R's.
    if m >= n:
        Q, R = ember.linalg.qr(A)
        X = ember.linalg.pinv(R, rtol=rtol) @ (Q.mT @ Bm)
    else:
        Q, R = ember.linalg.qr(A.mT)
        X = Q @ (ember.linalg.pinv(R.mT, rtol=rtol) @ Bm)
    S = svdvals(R.detach())
    empty = ember.empty(0, dtype=A.dtype)
    rank = (S > _rank_cutoff(S, rtol)).sum(-1) if min(m, n) else ember.zeros(tuple(A.shape[:-2]), dtype=ember.int64)
    singular = S if driver in ("gelsd", "gelss") else empty
    residuals = empty
    if m > n and driver != "gelsy" and min(m, n) > 0 and bool((rank == n).all()):
        residuals = ((A @ X - Bm) ** 2).sum(-2)  # (..., k): k is 1 for a vector B, as torch's
    if driver == "gels":
        rank = ember.empty(0, dtype=ember.int64)
    return return_types.linalg_lstsq(X.squeeze(-1) if vector else X, residuals, rank, singular)


def _rank_cutoff(S, rtol):
    """rtol times each matrix's largest singular value, shaped (..., 1) against S (..., k)."""
    return S.amax(-1, keepdim=True) * rtol


# ---- tensor equations ------------------------------------------------------------------------------

def tensorinv(A, ind=2):
    """The inverse of A for :func:`ember.tensordot` over ``ind`` dims, as torch.linalg.tensorinv:
    ``tensordot(tensorinv(A, ind), A, ind)`` is the identity.

    Args:
        A (Tensor): float32 or float64, with prod(A.shape[:ind]) == prod(A.shape[ind:]).
        ind (int): how many leading dims form the "rows". Default: 2.

    Returns:
        Tensor: of shape A.shape[ind:] + A.shape[:ind].

    Example::

        >>> A = ember.eye(4).reshape(4, 2, 2)
        >>> ember.linalg.tensorinv(A, ind=1).shape
        ember.Size([2, 2, 4])
    """
    if not isinstance(ind, int) or ind <= 0:
        raise errors.ValueError(f"linalg.tensorinv: Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    if math.prod(rows) != math.prod(cols):
        raise errors.ValueError(f"linalg.tensorinv: Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                         f"prod(self.shape[:ind]), but got {math.prod(cols)} != {math.prod(rows)}")
    return inv(A.reshape(math.prod(rows), math.prod(cols))).reshape(*cols, *rows)


def tensorsolve(A, B, dims=None):
    """The X with ``tensordot(A, X, X.dim()) == B``, as torch.linalg.tensorsolve.

    Args:
        A (Tensor): float32 or float64, with prod(A.shape[:B.dim()]) == prod(A.shape[B.dim():]).
        B (Tensor): the right-hand side, of shape A.shape[:B.dim()].
        dims (tuple of int, optional): dims of A moved to the end first.

    Returns:
        Tensor: of shape A.shape[B.dim():].

    Example::

        >>> A = ember.eye(6).reshape(2, 3, 6)
        >>> ember.linalg.tensorsolve(A, ember.ones(2, 3)).shape
        ember.Size([6])
    """
    if dims is not None:
        dims = [d % A.dim() for d in dims]
        A = A.permute(*[d for d in range(A.dim()) if d not in dims], *dims)
    lead, rest = tuple(A.shape[:B.dim()]), tuple(A.shape[B.dim():])
    if lead != tuple(B.shape) or math.prod(lead) != math.prod(rest):
        raise errors.ValueError(f"linalg.tensorsolve: Expected self to satisfy the requirement "
                                f"prod(self.shape[other.ndim:]) == prod(self.shape[:other.ndim]), but got "
                                f"{math.prod(rest)} != {math.prod(lead)}")
    return solve(A.reshape(math.prod(lead), math.prod(rest)), B.reshape(-1)).reshape(rest)


# ---- torch's older top-level spellings (installed as ember.* and Tensor methods) -----------------------

def _deprecated(old, new):
    """torch's warning for its deprecated linear-algebra spellings (it warns once; Python's default
    filter shows a warning once per call site)."""
    warnings.warn(f"torch.{old} is deprecated in favor of torch.{new} and will be removed in a future PyTorch "
                  "release.", UserWarning, stacklevel=3)


def _svd(input, some=True, compute_uv=True):
    """The singular value decomposition ``input = U diag(S) V^T``, as the older torch.svd: V, not
    linalg.svd's Vh; ``some`` gives the reduced factors; without compute_uv, U and V are zeros.

    Args:
        input (Tensor): float32 or float64, of shape (..., m, n).
        some (bool): reduced (True) or complete U and V. Default: True.
        compute_uv (bool): compute U and V (else zero matrices of shape (m, m) and (n, n)). Default: True.

    Returns:
        ember.return_types.svd: (U, S, V).

    Example::

        >>> ember.svd(ember.tensor([[3., 0.], [0., -4.]])).S
        tensor([4., 3.])
    """
    if not compute_uv:
        S = svdvals(input)
        batch = tuple(input.shape[:-2])
        m, n = input.shape[-2], input.shape[-1]
        return return_types.svd(ember.zeros(*batch, m, m, dtype=input.dtype), S,
                                ember.zeros(*batch, n, n, dtype=input.dtype))
    U, S, Vh = svd(input, full_matrices=not some)
    return return_types.svd(U, S, Vh.mT)


def _qr(input, some=True):
    """The QR decomposition, as the older torch.qr: ``some`` gives linalg.qr's "reduced" mode,
    else "complete".

    Args:
        input (Tensor): float32 or float64, of shape (..., m, n).
        some (bool): reduced (True) or complete Q and R. Default: True.

    Returns:
        ember.return_types.qr: (Q, R).

    Example::

        >>> Q, R = ember.qr(ember.tensor([[3., 1.], [4., 2.]]))
        >>> R
        tensor([[-5.0000, -2.2000],
                [ 0.0000,  0.4000]])
    """
    _deprecated("qr", "linalg.qr")
    return return_types.qr(*ember.linalg.qr(input, mode="reduced" if some else "complete"))


def _cholesky(input, upper=False):
    """The Cholesky factor, as the older torch.cholesky: L with ``input = L L^T``, or U with
    ``input = U^T U`` when upper.

    Args:
        input (Tensor): symmetric positive-definite, float32 or float64, of shape (..., n, n).
        upper (bool): return U instead of L. Default: False.

    Returns:
        Tensor

    Example::

        >>> ember.cholesky(ember.tensor([[4., 2.], [2., 5.]]))
        tensor([[2., 0.],
                [1., 2.]])
    """
    _deprecated("cholesky", "linalg.cholesky")
    _tensors("cholesky", input=input)
    return cholesky(input, upper=upper)


def _pinverse(input, rcond=1e-15):
    """The pseudo-inverse, as torch.pinverse (linalg.pinv with ``rtol=rcond``).

    Args:
        input (Tensor): float32 or float64, of shape (..., m, n).
        rcond (float): singular values below rcond times the largest count as zero. Default: 1e-15.

    Returns:
        Tensor: of shape (..., n, m).

    Example::

        >>> ember.pinverse(ember.tensor([[2., 0.], [0., 4.]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    _tensors("pinverse", input=input)
    if not input.dtype.is_floating_point:
        raise errors.TypeError(f"pinverse: expected a floating point tensor, got {input.dtype}")
    return ember.linalg.pinv(input, rtol=rcond)


def _cholesky_solve(input, input2, upper=False):
    """The solution of ``A X = B`` given A's Cholesky factor, as torch.cholesky_solve.

    Args:
        input (Tensor): B, of shape (..., n, k).
        input2 (Tensor): A's factor L (``A = L L^T``), or U (``A = U^T U``) when upper, (..., n, n).
        upper (bool): input2 is the upper factor. Default: False.

    Returns:
        Tensor: X.

    Example::

        >>> L = ember.cholesky(ember.tensor([[4., 2.], [2., 5.]]))
        >>> ember.cholesky_solve(ember.tensor([[6.], [7.]]), L)
        tensor([[1.],
                [1.]])
    """
    _tensors("cholesky_solve", input=input, input2=input2)
    st = ember.linalg.solve_triangular
    if upper:
        return st(input2, st(input2.mT, input, upper=False), upper=True)
    return st(input2.mT, st(input2, input, upper=False), upper=True)


def _cholesky_inverse(input, upper=False):
    """The inverse of A given its Cholesky factor, as torch.cholesky_inverse.

    Args:
        input (Tensor): A's factor L (``A = L L^T``), or U when upper, (..., n, n).
        upper (bool): input is the upper factor. Default: False.

    Returns:
        Tensor: A^-1.

    Example::

        >>> ember.cholesky_inverse(ember.tensor([[2., 0.], [0., 4.]]))
        tensor([[0.2500, 0.0000],
                [0.0000, 0.0625]])
    """
    _tensors("cholesky_inverse", input=input)
    if input.dim() < 2:
        raise errors.ValueError(f"cholesky_inverse: input must have at least 2 dimensions, got shape "
                                f"{tuple(input.shape)}")
    # torch's LAPACK (potri) refuses an exact zero on the factor's diagonal; the solves would give inf
    zero = input.diagonal(dim1=-2, dim2=-1) == 0
    if bool(zero.any()):
        batch, column = (int(i) for i in zero.reshape(-1, input.shape[-1]).nonzero()[0])
        where = f"(Batch element {batch}): " if input.dim() > 2 else ""
        raise LinAlgError(f"cholesky_inverse: {where}The diagonal element {column + 1} is zero, the inversion could "
                          "not be completed because the input matrix is singular.")
    eye = ember.eye(input.shape[-1], dtype=input.dtype).expand(input.shape)
    return _cholesky_solve(eye, input, upper)


def _triangular_solve(b, A, upper=True, transpose=False, unitriangular=False):
    """The solution of ``A X = b`` (``A^T X = b`` with transpose) for triangular A, as the older
    torch.triangular_solve.

    Args:
        b (Tensor): (..., n, k).
        A (Tensor): triangular, (..., n, n).
        upper (bool): A is upper triangular. Default: True.
        transpose (bool): solve with A's transpose. Default: False.
        unitriangular (bool): A's diagonal is all ones. Default: False.

    Returns:
        ember.return_types.triangular_solve: (solution, cloned_coefficient).

    Example::

        >>> A = ember.tensor([[2., 1.], [0., 4.]])
        >>> ember.triangular_solve(ember.tensor([[4.], [8.]]), A).solution
        tensor([[1.],
                [2.]])
    """
    _deprecated("triangular_solve", "linalg.solve_triangular")
    _tensors("triangular_solve", input=b, A=A)
    T = A.mT if transpose else A
    X = ember.linalg.solve_triangular(T, b, upper=upper != transpose, unitriangular=unitriangular)
    # the coefficient comes back broadcast to the batch, as torch's
    return return_types.triangular_solve(X, A.expand(*X.shape[:-2], *A.shape[-2:]).clone())


def _lu(A, pivot=True, get_infos=False):
    """The LU factorization, as the older torch.lu: (LU, pivots), with infos when get_infos.

    Args:
        A (Tensor): float32 or float64, of shape (..., n, n).
        pivot (bool): must be True. Default: True.
        get_infos (bool): also return the infos (a singular matrix raises in neither case). Default: False.

    Returns:
        tuple: (LU, pivots) or (LU, pivots, infos).

    Example::

        >>> LU, pivots = ember.lu(ember.tensor([[1., 2.], [3., 4.]]))
        >>> pivots
        tensor([2, 2], dtype=ember.int32)
    """
    _deprecated("lu", "linalg.lu_factor")
    _tensors("lu", A=A)
    if not isinstance(pivot, bool):
        raise TypeError(f"lu(): argument 'pivot' must be bool, not {type(pivot).__name__}")
    LU, pivots, infos = lu_factor_ex(A, pivot=pivot)  # torch.lu never raises for a singular matrix
    return (LU, pivots, infos) if get_infos else (LU, pivots)


def _lu_solve(b, LU_data, LU_pivots):
    """The solution of ``A X = b`` from A's LU factorization, as the older torch.lu_solve.

    Args:
        b (Tensor): (..., n, k).
        LU_data (Tensor): the packed factors.
        LU_pivots (Tensor): their int32 pivots.

    Returns:
        Tensor: X.

    Example::

        >>> A = ember.tensor([[2., 1.], [1., 3.]])
        >>> ember.lu_solve(ember.tensor([[3.], [4.]]), *ember.lu(A))
        tensor([[1.],
                [1.]])
    """
    _deprecated("lu_solve", "linalg.lu_solve")
    _tensors("lu_solve", input=b, LU_data=LU_data, LU_pivots=LU_pivots)
    return lu_solve(LU_data, LU_pivots, b)


def _chain_matmul(*matrices, out=None):
    """The product of the matrices, as the deprecated torch.chain_matmul (linalg.multi_dot; it warns).

    Args:
        *matrices (Tensor): 2-D tensors that chain.
        out (Tensor, optional): the result's destination (resized, values cast to its dtype).

    Returns:
        Tensor

    Example::

        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     ember.chain_matmul(ember.eye(2), ember.ones(2, 3)).shape
        ember.Size([2, 3])
    """
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                  "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
                  "parameters.", UserWarning, stacklevel=2)
    for i, m in enumerate(matrices):
        if not isinstance(m, ember.Tensor):
            raise TypeError(f"chain_matmul: expected Tensor as element {i} in argument 0, but got {type(m).__name__}")
    for m in matrices:
        if m.dim() != 2:
            raise errors.ValueError(f"chain_matmul: Tensor dimension is {m.dim()}, expected 2 instead.")
    if not matrices:
        raise errors.ValueError("chain_matmul(): Expected one or more matrices")
    result = matrices[0].clone() if len(matrices) == 1 else ember.linalg.multi_dot(list(matrices))
    if out is None:
        return result
    if not isinstance(out, ember.Tensor):
        raise TypeError(f"chain_matmul(): argument 'out' must be Tensor, not {type(out).__name__}")
    return out.resize_(result.shape).copy_(result)


LEGACY_TOP_LEVEL = {"svd": _svd, "qr": _qr, "cholesky": _cholesky, "pinverse": _pinverse,
                    "cholesky_solve": _cholesky_solve, "cholesky_inverse": _cholesky_inverse,
                    "triangular_solve": _triangular_solve, "lu": _lu, "lu_solve": _lu_solve}
# top-level only (torch's Tensor has no lu_unpack or chain_matmul method)
LEGACY_FUNCTIONS = {"lu_unpack": lu_unpack, "chain_matmul": _chain_matmul}

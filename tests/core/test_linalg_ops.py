"""ember.linalg beyond eigh (test_linalg.py): norms, lu_factor, solve, inv, det, slogdet, cholesky,
qr, svd, svdvals, matrix_rank, pinv and the composites, against torch.linalg.

Inputs are well conditioned (random plus a multiple of the identity; X X^T + I for Cholesky;
distinct singular values for SVD). Singular vectors and QR factors are compared through what does
not depend on their signs where LAPACK may pick other ones. Gradients: against torch's on the same
inputs, and gradcheck / gradgradcheck in float64. Bad inputs raise what ember's convention maps
torch's RuntimeError to: ValueError for shapes, TypeError for dtypes, LinAlgError (a ValueError and
a RuntimeError) for singular and not positive-definite matrices.
"""
from __future__ import annotations

import doctest
import inspect
import math

import numpy as np
import pytest
from op_db import ember, to_ember, to_torch

L = ember.linalg
INF = math.inf


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _well(rng, shape, dtype="float64"):
    """Random square matrices, diagonally shifted away from singular."""
    n = shape[-1]
    return (rng.standard_normal(shape) + 2 * math.sqrt(max(n, 1)) * np.eye(n)).astype(dtype)


def _spd(rng, shape, dtype="float64"):
    x = rng.standard_normal(shape)
    return (x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def _tol(dtype):
    return (1e-4, 1e-4) if dtype == "float32" else (1e-10, 1e-10)


def _close(e, t, dtype, scale=1.0):
    rtol, atol = _tol(dtype)
    assert tuple(e.shape) == tuple(t.shape), (tuple(e.shape), tuple(t.shape))
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    np.testing.assert_allclose(_np(e), t.detach().numpy(), rtol=rtol * scale, atol=atol * scale)


SQUARE = [(1, 1), (3, 3), (2, 4, 4), (2, 3, 5, 5), (0, 3, 3), (2, 0, 0), (0, 0)]


# ---- norms ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("ord", [2, 1, INF, -INF, 0, 3, -1.5, 0.5])
@pytest.mark.parametrize("dim", [None, 0, -1, (0, 2)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_vector_norm_matches_torch(dtype, ord, dim, keepdim, torch):
    a = np.random.default_rng(0).standard_normal((3, 4, 5)).astype(dtype)
    a[0, 0, 0] = 0.0
    got = L.vector_norm(to_ember(a), ord, dim, keepdim)
    want = torch.linalg.vector_norm(to_torch(a), ord, dim, keepdim)
    _close(got, want, dtype)


def test_vector_norm_dtype_and_zero_dim(torch):
    a = np.random.default_rng(1).standard_normal((4,)).astype("float32")
    _close(L.vector_norm(to_ember(a), dtype=ember.float64), torch.linalg.vector_norm(to_torch(a), dtype=torch.float64),
           "float64", 1e5)
    _close(L.vector_norm(ember.tensor(-3.0)), torch.linalg.vector_norm(torch.tensor(-3.0)), "float32")
    _close(L.vector_norm(ember.tensor(-3.0), dim=0), torch.linalg.vector_norm(torch.tensor(-3.0), dim=0), "float32")
    h = L.vector_norm(ember.ones(4, dtype=ember.float16))
    assert h.dtype == ember.float16 and h.item() == 2.0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("ord", ["fro", "nuc", INF, -INF, 1, -1, 2, -2])
@pytest.mark.parametrize("dim", [(-2, -1), (0, 2), (-1, 0)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norm_matches_torch(dtype, ord, dim, keepdim, torch):
    a = np.random.default_rng(2).standard_normal((3, 4, 5)).astype(dtype)
    got = L.matrix_norm(to_ember(a), ord, dim, keepdim)
    want = torch.linalg.matrix_norm(to_torch(a), ord, dim, keepdim)
    _close(got, want, dtype, 10)


@pytest.mark.parametrize("args", [dict(), dict(ord=1), dict(ord="fro"), dict(ord="nuc"), dict(ord=INF), dict(dim=0),
                                  dict(dim=(0, 1)), dict(ord=3, dim=1), dict(ord=-INF, dim=(1, 0), keepdim=True),
                                  dict(ord=2), dict(dim=(1,))])
def test_norm_dispatches_as_torch(args, torch):
    a = np.random.default_rng(3).standard_normal((4, 3))
    _close(L.norm(to_ember(a), **args), torch.linalg.norm(to_torch(a), **args), "float64")
    v = np.random.default_rng(4).standard_normal(5)
    if not isinstance(args.get("ord"), str) and args.get("dim") in (None, 0, (0,)):
        _close(L.norm(to_ember(v), **args), torch.linalg.norm(to_torch(v), **args), "float64")
    # 3-D without ord or dim: the flattened 2-norm
    b = np.random.default_rng(5).standard_normal((2, 3, 4))
    _close(L.norm(to_ember(b)), torch.linalg.norm(to_torch(b)), "float64")


def test_norm_bad_inputs(torch):
    with pytest.raises(TypeError, match=r"^linalg.vector_norm: Expected a floating point"):
        L.vector_norm(ember.ones(3, dtype=ember.int64))
    with pytest.raises(ValueError, match=r"^linalg.matrix_norm: The input tensor A must have at least 2"):
        L.matrix_norm(ember.ones(3))
    with pytest.raises(ValueError, match=r"^linalg.matrix_norm: Order 3 not supported"):
        L.matrix_norm(ember.ones(3, 3), ord=3)
    with pytest.raises(ValueError, match=r"^linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D"):
        L.norm(ember.ones(2, 2, 2), ord=1)
    with pytest.raises(ValueError, match=r"^linalg.norm: ord 'fro' is a matrix norm"):
        L.norm(ember.ones(3), ord="fro")
    for f in (lambda m: m.linalg.matrix_norm(m.ones(3)), lambda m: m.linalg.matrix_norm(m.ones(3, 3), ord=3),
              lambda m: m.linalg.norm(m.ones(2, 2, 2), ord=1), lambda m: m.linalg.vector_norm(m.ones(3, dtype=m.int64))):
        with pytest.raises(RuntimeError):
            f(torch)


@pytest.mark.parametrize("fn", [lambda a: L.vector_norm(a, 3, 1), lambda a: L.vector_norm(a), lambda a: L.vector_norm(a, 1),
                                lambda a: L.matrix_norm(a), lambda a: L.matrix_norm(a, "nuc"), lambda a: L.matrix_norm(a, 2),
                                lambda a: L.matrix_norm(a, -2), lambda a: L.matrix_norm(a, INF), lambda a: L.norm(a, 1, (-2, -1))],
                         ids=["vec3", "vec2", "vec1", "fro", "nuc", "spec", "minsv", "inf", "norm1"])
def test_norm_gradcheck(fn):
    a = to_ember(np.random.default_rng(6).standard_normal((2, 4, 3))).requires_grad_()
    assert ember.autograd.gradcheck(fn, (a,))
    assert ember.autograd.gradgradcheck(fn, (a,))


# ---- LU: solve, inv, det, slogdet, lu_factor ----------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SQUARE, ids=str)
def test_inv_det_slogdet_lu_match_torch(shape, dtype, torch):
    rng = np.random.default_rng(sum(shape) + 7)
    a = _well(rng, shape, dtype)
    if shape[-1] > 1:  # a negative determinant somewhere
        a[..., [0, 1], :] = a[..., [1, 0], :]
    e, t = to_ember(a), to_torch(a)
    _close(L.inv(e), torch.linalg.inv(t), dtype)
    _close(L.det(e), torch.linalg.det(t), dtype, 10)
    sign, logabs = L.slogdet(e)
    tsign, tlogabs = torch.linalg.slogdet(t)
    _close(sign, tsign, dtype)
    _close(logabs, tlogabs, dtype)
    LU, piv = L.lu_factor(e)
    tLU, tpiv = torch.linalg.lu_factor(t)
    _close(LU, tLU, dtype)
    assert piv.dtype == ember.int32 and (_np(piv) == tpiv.numpy()).all()
    if LU.numel():
        assert LU.stride() == tLU.stride()
        assert L.inv(e).stride() == torch.linalg.inv(t).stride()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes", [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 4, 4), (2, 4)), ((2, 4, 4), (4,)),
                                    ((2, 4, 4), (2, 4, 3)), ((2, 1, 3, 3), (4, 3, 2)), ((3, 3), (5, 3, 1)),
                                    ((0, 3, 3), (0, 3)), ((2, 3, 3), (2, 3, 0)), ((0, 0), (0, 2))], ids=str)
@pytest.mark.parametrize("left", [True, False])
def test_solve_matches_torch(shapes, dtype, left, torch):
    sa, sb = shapes
    rng = np.random.default_rng(11)
    a = _well(rng, sa, dtype)
    if not left and len(sb) >= 2 and sb != sa[:-1]:
        sb = sb[:-2] + (sb[-1], sb[-2])
    b = rng.standard_normal(sb).astype(dtype)
    if not left and (len(sb) == 1 or sb == sa[:-1]):  # torch takes no vector B for X A = B
        with pytest.raises(RuntimeError):
            torch.linalg.solve(to_torch(a), to_torch(b), left=left)
        with pytest.raises(ValueError, match=r"^linalg.solve: "):
            L.solve(to_ember(a), to_ember(b), left=left)
        return
    _close(L.solve(to_ember(a), to_ember(b), left=left), torch.linalg.solve(to_torch(a), to_torch(b), left=left), dtype)


def test_top_level_spellings_and_methods(torch):
    a = _well(np.random.default_rng(12), (2, 3, 3))
    a[0, [0, 1]] = a[0, [1, 0]]  # det < 0: logdet is nan
    e, t = to_ember(a), to_torch(a)
    for name in ("det", "inverse", "logdet"):
        _close(getattr(ember, name)(e), getattr(torch, name)(t), "float64")
        _close(getattr(e, name)(), getattr(t, name)(), "float64")
    assert np.isnan(_np(ember.logdet(e))[0])
    _close(ember.slogdet(e).logabsdet, torch.slogdet(t).logabsdet, "float64")
    _close(e.slogdet()[0], t.slogdet()[0], "float64")
    for n in (0, 1, 2, 5, -1, -3):
        _close(ember.matrix_power(e, n), torch.matrix_power(t, n), "float64")
        _close(e.matrix_power(n), t.matrix_power(n), "float64")
    assert ember.linalg.matrix_power(ember.ones(2, 2, dtype=ember.int64), 3).tolist() == [[4, 4], [4, 4]]
    assert {"det", "inverse", "logdet", "slogdet", "matrix_power", "matrix_exp"} <= set(ember.__all__)


def test_singular_det_and_slogdet(torch):
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert L.det(to_ember(a)).item() == 0.0
    sign, logabs = L.slogdet(to_ember(a))
    assert sign.item() == 0.0 and logabs.item() == -INF
    assert ember.logdet(to_ember(a)).item() == -INF
    # lu_factor (not lu_factor_ex) refuses a zero on U's diagonal, as torch's
    with pytest.raises(RuntimeError, match=r"U\[2,2\] is zero"):
        torch.linalg.lu_factor(to_torch(a))
    with pytest.raises(L.LinAlgError, match=r"^linalg.lu_factor: U\[2,2\] is zero and using it on lu_solve"):
        L.lu_factor(to_ember(a))
    with pytest.raises(L.LinAlgError, match=r"^linalg.lu_factor: \(Batch element 1\): U\[2,2\]"):
        L.lu_factor(ember.stack([ember.eye(2, dtype=ember.float64), to_ember(a)]))


@pytest.mark.parametrize("rank", [0, 1, 2, 3])
def test_det_gradient_of_singular_matrices_is_the_cofactor_matrix(rank, torch):
    rng = np.random.default_rng(30 + rank)
    a = rng.standard_normal((2, 4, rank)) @ rng.standard_normal((2, rank, 4))  # rank < 4: singular
    a[1] = _well(rng, (4, 4))  # an invertible matrix in the same batch
    fn = lambda m, a: m.linalg.det(a)  # noqa: E731
    g, tg = _grads(ember, fn, a)[0], _grads(torch, fn, a)[0]
    assert np.isfinite(g).all()
    np.testing.assert_allclose(g, tg, rtol=1e-7, atol=1e-9)


def _grads(lib, fn, *arrays):
    conv = to_ember if lib is ember else to_torch
    xs = [conv(x).requires_grad_() for x in arrays]
    out = fn(lib, *xs)
    outs = out if isinstance(out, tuple) else (out,)
    total = 0
    for i, o in enumerate(outs):
        w = np.linspace(0.5, 1.5, max(o.numel(), 1))[: o.numel()].reshape(tuple(o.shape)) * (i + 1)
        total = total + (o * conv(w)).sum()
    total.backward()
    return [_np(x.grad) if lib is ember else x.grad.numpy() for x in xs]


LU_FNS = {
    "solve": (lambda m, a, b: m.linalg.solve(a, b), 2),
    "solve_vec": (lambda m, a, b: m.linalg.solve(a, b[..., 0]), 2),
    "solve_vec_1d": (lambda m, a, b: m.linalg.solve(a, b[0, :, 0]), 2),
    "solve_right": (lambda m, a, b: m.linalg.solve(a, b.transpose(-1, -2), left=False), 2),
    "inv": (lambda m, a: m.linalg.inv(a), 1),
    "det": (lambda m, a: m.linalg.det(a), 1),
    "slogdet": (lambda m, a: m.linalg.slogdet(a).logabsdet, 1),
    "logdet": (lambda m, a: m.logdet(a), 1),
    "matrix_power": (lambda m, a: m.linalg.matrix_power(a, -2), 1),
}


@pytest.mark.parametrize("name", list(LU_FNS))
def test_lu_gradients_match_torch_and_gradcheck(name, torch):
    fn, arity = LU_FNS[name]
    rng = np.random.default_rng(13)
    a = _well(rng, (2, 3, 3))
    args = [a] + [rng.standard_normal((2, 3, 2))] * (arity - 1)
    for g, tg in zip(_grads(ember, fn, *args), _grads(torch, fn, *args)):
        np.testing.assert_allclose(g, tg, rtol=1e-8, atol=1e-10)
    xs = [to_ember(x).requires_grad_() for x in args]
    f = lambda *x: fn(ember, *x)  # noqa: E731
    assert ember.autograd.gradcheck(f, tuple(xs))
    assert ember.autograd.gradgradcheck(f, tuple(xs))


def test_solve_broadcast_gradient_sums_back(torch):
    rng = np.random.default_rng(14)
    a, b = _well(rng, (2, 1, 3, 3)), rng.standard_normal((4, 3, 2))
    fn = lambda m, a, b: m.linalg.solve(a, b)  # noqa: E731
    for g, tg in zip(_grads(ember, fn, a, b), _grads(torch, fn, a, b)):
        np.testing.assert_allclose(g, tg, rtol=1e-8, atol=1e-10)


def test_grad_fn_names(torch):
    x = to_ember(_well(np.random.default_rng(15), (3, 3))).requires_grad_()
    assert L.solve(x, x).grad_fn.name() == "LinalgSolveExBackward0"
    assert L.inv(x).grad_fn.name() == "LinalgInvExBackward0"
    assert L.det(x).grad_fn.name() == "LinalgDetBackward0"
    assert L.slogdet(x).logabsdet.grad_fn.name() == "LinalgSlogdetBackward0"
    s = x @ x.T
    assert L.cholesky(s).grad_fn.name() == "LinalgCholeskyExBackward0"
    assert L.qr(x).Q.grad_fn.name() == "LinalgQrBackward0"
    assert L.svd(x).S.grad_fn.name() == "LinalgSvdBackward0"


# ---- Cholesky ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SQUARE, ids=str)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_matches_torch(shape, dtype, upper, torch):
    a = _spd(np.random.default_rng(16), shape, dtype)
    # the other triangle is not read
    a += (np.tril(np.ones(shape), -1) if upper else np.triu(np.ones(shape), 1)).astype(dtype) * 100
    got, want = L.cholesky(to_ember(a), upper=upper), torch.linalg.cholesky(to_torch(a), upper=upper)
    _close(got, want, dtype, 10)


def test_cholesky_gradients(torch):
    rng = np.random.default_rng(17)
    x = rng.standard_normal((2, 3, 3))
    for upper in (False, True):
        fn = lambda m, x: m.linalg.cholesky(x @ x.transpose(-1, -2) + m.eye(3, dtype=x.dtype), upper=upper)  # noqa
        np.testing.assert_allclose(_grads(ember, fn, x)[0], _grads(torch, fn, x)[0], rtol=1e-8, atol=1e-10)
        xe = to_ember(x).requires_grad_()
        assert ember.autograd.gradcheck(lambda x: fn(ember, x), (xe,))
        assert ember.autograd.gradgradcheck(lambda x: fn(ember, x), (xe,))
    # the gradient wrt A itself, as torch's (symmetric)
    a = _spd(rng, (3, 3))
    fn = lambda m, a: m.linalg.cholesky(a)  # noqa: E731
    np.testing.assert_allclose(_grads(ember, fn, a)[0], _grads(torch, fn, a)[0], rtol=1e-8, atol=1e-10)


# ---- QR --------------------------------------------------------------------------------------------------
QR_SHAPES = [(5, 3), (3, 5), (4, 4), (2, 5, 3), (2, 3, 4), (0, 3), (3, 0), (0, 4, 4)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", QR_SHAPES, ids=str)
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr_matches_torch(shape, dtype, mode, torch):
    a = np.random.default_rng(18).standard_normal(shape).astype(dtype)
    Q, R = L.qr(to_ember(a), mode)
    tQ, tR = torch.linalg.qr(to_torch(a), mode)
    # Both are LAPACK's geqrf / orgqr: the same signs.
    _close(Q, tQ, dtype, 10)
    _close(R, tR, dtype, 10)
    if mode != "r" and a.size:
        np.testing.assert_allclose(_np(Q @ R), a, rtol=1e-4, atol=1e-4)


QR_GRAD = [((5, 3), "reduced"), ((3, 5), "reduced"), ((4, 4), "complete"), ((3, 5), "complete"), ((2, 4, 3), "reduced")]


@pytest.mark.parametrize("shape,mode", QR_GRAD, ids=str)
def test_qr_gradients(shape, mode, torch):
    a = np.random.default_rng(19).standard_normal(shape)
    fn = lambda m, a: m.linalg.qr(a, mode)  # noqa: E731
    for g, tg in zip(_grads(ember, fn, a), _grads(torch, fn, a)):
        np.testing.assert_allclose(g, tg, rtol=1e-7, atol=1e-9)
    x = to_ember(a).requires_grad_()
    assert ember.autograd.gradcheck(lambda x: tuple(L.qr(x, mode)), (x,))
    assert ember.autograd.gradgradcheck(lambda x: tuple(L.qr(x, mode)), (x,))


def test_qr_not_differentiable_where_torch_is_not():
    x = ember.ones(4, 3, dtype=ember.float64).requires_grad_()
    with pytest.raises(RuntimeError, match=r"mode='r'"):
        L.qr(x, "r").R.sum().backward()
    with pytest.raises(RuntimeError, match=r"not differentiable when mode='complete' and nrows > ncols"):
        L.qr(x + ember.eye(4, 3, dtype=ember.float64), "complete").Q.sum().backward()


# ---- SVD --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", QR_SHAPES + [(1, 1), (2, 3, 6, 4)], ids=str)
@pytest.mark.parametrize("full", [True, False])
def test_svd_matches_torch(shape, dtype, full, torch):
    a = np.random.default_rng(20).standard_normal(shape).astype(dtype)
    U, S, Vh = L.svd(to_ember(a), full_matrices=full)
    tU, tS, tVh = torch.linalg.svd(to_torch(a), full_matrices=full)
    _close(S, tS, dtype, 10)
    _close(L.svdvals(to_ember(a)), tS, dtype, 10)
    assert tuple(U.shape) == tuple(tU.shape) and tuple(Vh.shape) == tuple(tVh.shape)
    k = min(shape[-2:])
    u, vh = _np(U).astype(np.float64), _np(Vh).astype(np.float64)
    tol = 1e-3 if dtype == "float32" else 1e-9
    np.testing.assert_allclose(np.swapaxes(u, -1, -2) @ u, np.broadcast_to(np.eye(u.shape[-1]), u.shape[:-2] + (u.shape[-1],) * 2),
                               atol=tol)
    np.testing.assert_allclose(vh @ np.swapaxes(vh, -1, -2),
                               np.broadcast_to(np.eye(vh.shape[-2]), vh.shape[:-2] + (vh.shape[-2],) * 2), atol=tol)
    recon = (u[..., :, :k] * _np(S)[..., None, :]) @ vh[..., :k, :]
    np.testing.assert_allclose(recon, a, atol=tol * 10)


def _svd_invariant(a):
    U, S, Vh = L.svd(a, full_matrices=False)
    return S, U * U, Vh * Vh, (U[..., :, :1] * Vh[..., :1, :])  # u0 v0^T is sign-invariant


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (3, 3), (2, 4, 2)], ids=str)
def test_svd_gradients(shape, torch):
    a = np.random.default_rng(21).standard_normal(shape)

    def fn(m, a):
        U, S, Vh = m.linalg.svd(a, full_matrices=False)
        return S, U * U, Vh * Vh, U[..., :, :1] * Vh[..., :1, :]

    for g, tg in zip(_grads(ember, fn, a), _grads(torch, fn, a)):
        np.testing.assert_allclose(g, tg, rtol=1e-7, atol=1e-9)
    x = to_ember(a).requires_grad_()
    assert ember.autograd.gradcheck(_svd_invariant, (x,))
    assert ember.autograd.gradgradcheck(_svd_invariant, (x,))
    assert ember.autograd.gradcheck(L.svdvals, (x,))
    assert ember.autograd.gradgradcheck(L.svdvals, (x,))
    # full_matrices=True: the columns past k get no gradient, as torch's
    for fn in (lambda m, a: m.linalg.svd(a).S, lambda m, a: fn_full(m, a)):
        np.testing.assert_allclose(_grads(ember, fn, a)[0], _grads(torch, fn, a)[0], rtol=1e-7, atol=1e-9)


def test_singular_value_gradients_with_repeated_values(torch):
    """The sum of the singular values (the nuclear norm) at matrices whose singular values repeat
    (the identity, an orthogonal matrix, a scaled one): its gradient U Vh is unique, finite, and
    torch's (the vectors' part of the formula would be 0 / 0)."""
    q = np.linalg.qr(np.random.default_rng(28).standard_normal((4, 4)))[0]
    for a in (np.eye(3), q, 3 * q[:, :3]):
        for fn in (lambda m, a: m.linalg.svdvals(a).sum(), lambda m, a: m.linalg.matrix_norm(a, "nuc"),
                   lambda m, a: m.linalg.svd(a).S.sum()):
            g, tg = _grads(ember, fn, a)[0], _grads(torch, fn, a)[0]
            assert np.isfinite(g).all()
            np.testing.assert_allclose(g, tg, rtol=1e-8, atol=1e-10)


def fn_full(m, a):
    U, S, Vh = m.linalg.svd(a, full_matrices=True)
    return S, U * U, Vh * Vh


def test_matrix_rank_and_pinv_match_torch(torch):
    rng = np.random.default_rng(22)
    low = rng.standard_normal((3, 5, 2)) @ rng.standard_normal((3, 2, 4))
    for kwargs in (dict(), dict(atol=1.0), dict(rtol=0.5), dict(atol=0.1, rtol=0.1)):
        assert (_np(L.matrix_rank(to_ember(low), **kwargs)) ==
                torch.linalg.matrix_rank(to_torch(low), **kwargs).numpy()).all()
        _close(L.pinv(to_ember(low), **kwargs), torch.linalg.pinv(to_torch(low), **kwargs), "float64", 1e3)
    sym = _spd(rng, (2, 4, 4))
    _close(L.pinv(to_ember(sym), hermitian=True), torch.linalg.pinv(to_torch(sym), hermitian=True), "float64", 10)
    assert (_np(L.matrix_rank(to_ember(sym), hermitian=True)) == 4).all()
    assert L.matrix_rank(ember.zeros(2, 0, 3)).tolist() == [0, 0]
    assert tuple(L.pinv(ember.zeros(2, 0, 3)).shape) == (2, 3, 0)
    full = rng.standard_normal((4, 3))
    x = to_ember(full).requires_grad_()
    assert ember.autograd.gradcheck(L.pinv, (x,))


# ---- composites ------------------------------------------------------------------------------------------
def test_composites_match_torch(torch):
    rng = np.random.default_rng(23)
    a, b, c = rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    v, w = rng.standard_normal(2), rng.standard_normal(2)
    for args in ((a, b), (a, b, c), (v, a, b), (a, b, c, w), (v, a, b, c, w)):
        _close(L.multi_dot([to_ember(x) for x in args]), torch.linalg.multi_dot([to_torch(x) for x in args]), "float64")
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((1, 3))
    _close(L.cross(to_ember(x), to_ember(y)), torch.linalg.cross(to_torch(x), to_torch(y)), "float64")
    _close(L.cross(to_ember(x.T), to_ember(y.T), dim=0), torch.linalg.cross(to_torch(x.T), to_torch(y.T), dim=0), "float64")
    _close(L.vecdot(to_ember(x), to_ember(y)), torch.linalg.vecdot(to_torch(x), to_torch(y)), "float64")
    _close(L.vecdot(to_ember(x), to_ember(x), dim=0), torch.linalg.vecdot(to_torch(x), to_torch(x), dim=0), "float64")
    t = rng.standard_normal((2, 3, 4))
    for kw in (dict(), dict(offset=1), dict(offset=-1, dim1=0, dim2=2)):
        _close(L.diagonal(to_ember(t), **kw), torch.linalg.diagonal(to_torch(t), **kw), "float64")
    _close(L.matmul(to_ember(a), to_ember(b)), torch.linalg.matmul(to_torch(a), to_torch(b)), "float64")
    with pytest.raises(ValueError, match=r"^multi_dot\(\): expected at least 2 tensors"):
        L.multi_dot([to_ember(a)])
    with pytest.raises(ValueError, match=r"^multi_dot\(\): tensor 1 must be 2D"):
        L.multi_dot([to_ember(a), to_ember(v), to_ember(b)])
    with pytest.raises(ValueError, match=r"^linalg.matrix_power: A must be batches of square matrices"):
        L.matrix_power(to_ember(a), 2)


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", INF, -INF, 1, -1])
def test_cond_matches_torch(p, torch):
    rng = np.random.default_rng(25)
    a = rng.standard_normal((3, 4, 4))
    a[1] = 0.0  # singular: inf (nan for 0 / 0 in the SVD ratios, as torch)
    got, want = L.cond(to_ember(a), p), torch.linalg.cond(to_torch(a), p)
    if p == "nuc":  # torch's nuclear norm of the inf-filled inverse is nan; ember says inf
        assert _np(got)[1] == INF and np.isnan(want.numpy()[1])
        got, want = got[::2], want[::2]
    _close(got, want, "float64")
    if p in (None, 2, -2):
        r = rng.standard_normal((2, 5, 3))
        _close(L.cond(to_ember(r), p), torch.linalg.cond(to_torch(r), p), "float64")
    x = to_ember(a[0]).requires_grad_()
    assert ember.autograd.gradcheck(lambda x: L.cond(x, p), (x,))


def test_vander_matches_torch(torch):
    x = np.random.default_rng(26).standard_normal((2, 4))
    for N in (None, 2, 6):
        _close(L.vander(to_ember(x), N=N), torch.linalg.vander(to_torch(x), N=N), "float64")
    got, want = L.vander(ember.tensor([1, 2, 3], dtype=ember.int32)), torch.linalg.vander(torch.tensor([1, 2, 3], dtype=torch.int32))
    assert got.dtype == ember.int64 and got.tolist() == want.tolist()
    xe = to_ember(x).requires_grad_()
    assert ember.autograd.gradcheck(lambda x: L.vander(x, N=4), (xe,))
    with pytest.raises(ValueError, match=r"^linalg.vander: N must be greater than 1"):
        L.vander(xe, N=1)


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unitriangular", [False, True])
@pytest.mark.parametrize("shapes", [((3, 3), (3, 2)), ((2, 4, 4), (4, 4)), ((3, 3, 3), (3, 3)), ((2, 1, 3, 3), (4, 3, 3))],
                         ids=str)
def test_solve_triangular_matches_torch(shapes, upper, left, unitriangular, torch):
    rng = np.random.default_rng(27)
    a, b = _well(rng, shapes[0]), rng.standard_normal(shapes[1])
    if not left:
        b = np.swapaxes(b, -1, -2).copy()
    kw = dict(upper=upper, left=left, unitriangular=unitriangular)
    _close(L.solve_triangular(to_ember(a), to_ember(b), **kw),
           torch.linalg.solve_triangular(to_torch(a), to_torch(b), **kw), "float64")
    fn = lambda m, a, b: m.linalg.solve_triangular(a, b, **kw)  # noqa: E731
    for g, tg in zip(_grads(ember, fn, a, b), _grads(torch, fn, a, b)):
        np.testing.assert_allclose(g, tg, rtol=1e-8, atol=1e-10)
    xs = (to_ember(a).requires_grad_(), to_ember(b).requires_grad_())
    assert ember.autograd.gradcheck(lambda a, b: fn(ember, a, b), xs)


def test_solve_triangular_bad_inputs(torch):
    with pytest.raises(ValueError, match=r"^linalg.solve_triangular: The input tensors A and B must have at least 2"):
        L.solve_triangular(ember.eye(3), ember.ones(3), upper=True)
    with pytest.raises(RuntimeError):
        torch.linalg.solve_triangular(torch.eye(3), torch.ones(3), upper=True)
    for a in ([[0., 0.], [1., 1.]], [[1., 0.], [1., 0.]], [[0., 0.], [0., 0.]]):  # a zero pivot: inf / NaN
        got = L.solve_triangular(ember.tensor(a), ember.ones(2, 1), upper=False)
        want = torch.linalg.solve_triangular(torch.tensor(a), torch.ones(2, 1), upper=False)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    b = ember.ones(3, 1)
    L.solve_triangular(2 * ember.eye(3), b, upper=True)
    assert b.tolist() == [[1.0]] * 3  # B is not overwritten
    with pytest.raises(ValueError, match=r"^linalg.solve_triangular: Incompatible shapes of A and B"):
        L.solve_triangular(ember.eye(3), ember.ones(2, 1), upper=True)
    with pytest.raises(TypeError, match=r"^linalg.solve_triangular: expected A to be a float32 or float64"):
        L.solve_triangular(ember.eye(3, dtype=ember.int64), ember.ones(3, 1), upper=False)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("scale", [0.01, 1.0, 20.0])
def test_matrix_exp_matches_torch(dtype, scale, torch):
    a = (scale * np.random.default_rng(29).standard_normal((3, 4, 4)) / 2).astype(dtype)
    got, want = L.matrix_exp(to_ember(a)), torch.linalg.matrix_exp(to_torch(a))
    rel = np.abs(_np(got) - want.numpy()).max() / np.abs(want.numpy()).max()
    assert got.dtype == getattr(ember, dtype) and rel < (1e-5 if dtype == "float32" else 1e-12), rel
    _close(ember.matrix_exp(to_ember(a[0] * 0)), torch.matrix_exp(to_torch(a[0] * 0)), dtype)
    _close(to_ember(a).matrix_exp(), to_torch(a).matrix_exp(), dtype, 1e4 * max(1.0, scale ** 2))
    assert tuple(L.matrix_exp(ember.zeros(0, 3, 3)).shape) == (0, 3, 3)


def test_matrix_exp_gradients(torch):
    a = np.random.default_rng(30).standard_normal((2, 3, 3))
    fn = lambda m, a: m.linalg.matrix_exp(a)  # noqa: E731
    np.testing.assert_allclose(_grads(ember, fn, a)[0], _grads(torch, fn, a)[0], rtol=1e-9, atol=1e-11)
    x = to_ember(a).requires_grad_()
    assert ember.autograd.gradcheck(L.matrix_exp, (x,))
    assert ember.autograd.gradgradcheck(L.matrix_exp, (x,))
    with pytest.raises(ValueError, match=r"^linalg.matrix_exp: A must be batches of square matrices"):
        L.matrix_exp(ember.ones(2, 3))
    with pytest.raises(TypeError, match=r"^linalg.matrix_exp: expected A to be a floating tensor"):
        L.matrix_exp(ember.ones(2, 2, dtype=ember.int64))
    for dtype in (ember.float16, ember.bfloat16):  # in float32, rounded once (torch's float16 overflows)
        h = to_ember(a).to(dtype)
        np.testing.assert_array_equal(L.matrix_exp(h).float().numpy(), L.matrix_exp(h.float()).to(dtype).float().numpy())
        assert L.matrix_exp(h).dtype == dtype


# ---- bad inputs --------------------------------------------------------------------------------------
def test_singular_and_not_positive_definite_raise_linalg_error(torch):
    assert issubclass(L.LinAlgError, ValueError) and issubclass(L.LinAlgError, RuntimeError)
    sing = ember.tensor([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(L.LinAlgError, match=r"^linalg.solve: The solver failed because the input matrix is singular"):
        L.solve(sing, ember.ones(2))
    with pytest.raises(L.LinAlgError, match=r"^linalg.inv: The diagonal element 2 is zero, the inversion could not"):
        L.inv(sing)
    with pytest.raises(L.LinAlgError, match=r"^linalg.solve: \(Batch element 1\): The solver failed"):
        L.solve(ember.stack([ember.eye(2), sing]), ember.ones(2, 2))
    with pytest.raises(L.LinAlgError, match=r"^linalg.cholesky: The factorization could not be completed because the "
                                            r"input is not positive-definite \(the leading minor of order 2"):
        L.cholesky(sing)
    with pytest.raises(L.LinAlgError, match=r"^linalg.cholesky: \(Batch element 0\)"):
        L.cholesky(ember.stack([sing, ember.eye(2)]))
    for f in (lambda m: m.linalg.solve(m.tensor([[1.0, 2.0], [2.0, 4.0]]), m.ones(2)),
              lambda m: m.linalg.inv(m.tensor([[1.0, 2.0], [2.0, 4.0]])),
              lambda m: m.linalg.cholesky(m.tensor([[1.0, 2.0], [2.0, 4.0]]))):
        with pytest.raises(torch.linalg.LinAlgError):
            f(torch)
        with pytest.raises(ValueError):  # ember's convention
            f(ember)
        with pytest.raises(RuntimeError):  # what torch code catches
            f(ember)


SQUARE_OPS = {"inv": L.inv, "det": L.det, "slogdet": L.slogdet, "cholesky": L.cholesky, "lu_factor": L.lu_factor,
              "solve": lambda a: L.solve(a, a)}
ANY_OPS = {"qr": L.qr, "svd": L.svd, "svdvals": L.svdvals}


@pytest.mark.parametrize("name", list(SQUARE_OPS) + list(ANY_OPS))
def test_bad_shapes_and_dtypes(name, torch):
    fn = {**SQUARE_OPS, **ANY_OPS}[name]
    tfn = {"solve": lambda a: torch.linalg.solve(a, a)}.get(name, getattr(torch.linalg, name))
    with pytest.raises(ValueError, match=rf"^linalg.{name}: The input tensor A must have at least 2 dimensions"):
        fn(ember.ones(3))
    with pytest.raises(RuntimeError):
        tfn(torch.ones(3))
    if name in SQUARE_OPS:
        with pytest.raises(ValueError, match=rf"^linalg.{name}: A must be batches of square matrices, but they are 2 by 3"):
            fn(ember.ones(2, 3))
        with pytest.raises(RuntimeError):
            tfn(torch.ones(2, 3))
    for dtype in ("int64", "bool", "float16", "bfloat16"):
        with pytest.raises(TypeError, match=rf"^linalg.{name}: expected A to be a float32 or float64 tensor, got"):
            fn(ember.ones(3, 3, dtype=getattr(ember, dtype)))
        with pytest.raises((RuntimeError, NotImplementedError)):  # NotImplementedError is a RuntimeError in torch
            tfn(torch.ones(3, 3, dtype=getattr(torch, dtype)))


def test_solve_bad_inputs(torch):
    A = ember.eye(3)
    with pytest.raises(ValueError, match=r"^linalg.solve: Incompatible shapes of A and B for the equation AX = B"):
        L.solve(A, ember.ones(4))
    with pytest.raises(ValueError, match=r"^linalg.solve: Incompatible shapes"):
        L.solve(A, ember.ones(4, 2))
    with pytest.raises(ValueError, match=r"^linalg.solve: the batch dims of A \(2, 3, 3\) and B \(4, 3, 1\) cannot be"):
        L.solve(ember.eye(3).expand(2, 3, 3), ember.ones(4, 3, 1))
    with pytest.raises(TypeError, match=r"^linalg.solve: Expected A and B to have the same dtype, but found A of type "
                                        r"float32 and B of type float64"):
        L.solve(A, ember.ones(3, dtype=ember.float64))
    with pytest.raises(TypeError, match=r"^linalg.solve: expected B to be a float32 or float64 tensor"):
        L.solve(A, ember.ones(3, dtype=ember.int64))
    for f in (lambda m: m.linalg.solve(m.eye(3), m.ones(4)), lambda m: m.linalg.solve(m.eye(3), m.ones(3, dtype=m.float64)),
              lambda m: m.linalg.solve(m.eye(3).expand(2, 3, 3), m.ones(4, 3, 1))):
        with pytest.raises(RuntimeError):
            f(torch)
    with pytest.raises(ValueError, match=r"^linalg.qr: received unrecognized mode 'x'"):
        L.qr(A, "x")
    with pytest.raises(RuntimeError, match=r"^linalg.lu_factor: the gradient of the LU factorization is not implemented"):
        L.lu_factor(A.clone().requires_grad_())
    with pytest.raises(TypeError):
        L.inv([[1.0]])


def test_results_are_named_tuples_and_pickle():
    import pickle

    r = L.slogdet(ember.eye(2))
    assert isinstance(r, ember.return_types.linalg_slogdet) and r._fields == ("sign", "logabsdet")
    assert repr(r).startswith("ember.return_types.linalg_slogdet(\nsign=tensor(")
    assert L.lu_factor(ember.eye(2))._fields == ("LU", "pivots")
    assert L.qr(ember.eye(2))._fields == ("Q", "R")
    s = L.svd(ember.eye(2))
    assert isinstance(s, ember.return_types.linalg_svd) and s._fields == ("U", "S", "Vh")
    assert repr(s).startswith("ember.return_types.linalg_svd(\nU=tensor(")
    for obj in (r, s):
        assert type(pickle.loads(pickle.dumps(obj))) is type(obj)


def test_inputs_untouched_and_non_contiguous(torch):
    rng = np.random.default_rng(24)
    a = _well(rng, (4, 5, 5))
    e = to_ember(a)
    before = _np(e).copy()
    for fn in (L.inv, L.det, L.lu_factor, L.qr, L.svd, lambda x: L.cholesky(x @ x.transpose(-1, -2))):
        fn(e)
    np.testing.assert_array_equal(_np(e), before)
    for view in (e.transpose(-1, -2), e[::2], e[:, 1:, 1:]):
        t = to_torch(_np(view).copy())
        _close(L.inv(view), torch.linalg.inv(t), "float64")
        _close(L.solve(view, view[..., 0]), torch.linalg.solve(t, t[..., 0]), "float64")


def test_cpp_docstring_examples_run():
    """The Example blocks of the C++-bound functions (test_docstrings runs the Python-written ones)."""
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    parser = doctest.DocTestParser()
    for name in ("lu_factor", "solve", "inv", "det", "slogdet", "cholesky", "qr", "svd", "svdvals"):
        doc = getattr(L, name).__doc__
        assert "Args:" in doc and ">>>" in doc, name
        runner.run(parser.get_doctest(inspect.cleandoc(doc), {"ember": ember}, name, None, 0))
    assert runner.failures == 0 and runner.tries >= 12, (runner.failures, runner.tries)

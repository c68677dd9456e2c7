"""ember.linalg.eigh and eigvalsh against torch.linalg and NumPy.

Eigenvectors are unique only up to sign, so they are compared through what does not depend on
it: the reconstruction V diag(L) V^T, orthonormality, and the projectors v v^T (inputs have
distinct eigenvalues). Gradients are checked in float64 on functions that are invariant to the
signs, through A + A^T as torch's own eigh tests do.
"""
from __future__ import annotations

import numpy as np
import pytest
from op_db import ember, to_ember, to_torch


def _sym(rng, shape, dtype="float64"):
    a = rng.standard_normal(shape)
    return ((a + np.swapaxes(a, -1, -2)) / 2).astype(dtype)


def _np(t):
    return np.asarray(t)


def _tri(a, upper):
    """The symmetric matrix that the triangle eigh reads stands for."""
    t = np.triu(a) if upper else np.tril(a)
    return t + np.swapaxes(t, -1, -2) - np.einsum("...ii->...i", a)[..., None] * np.eye(a.shape[-1])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(1, 1), (2, 2), (5, 5), (3, 4, 4), (2, 3, 6, 6), (40, 40)], ids=str)
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_matches_torch_and_numpy(shape, dtype, uplo, torch):
    rng = np.random.default_rng(sum(shape))
    # Not symmetric: only the named triangle may be read.
    a = rng.standard_normal(shape).astype(dtype)
    L, V = ember.linalg.eigh(to_ember(a), UPLO=uplo)
    tL, tV = torch.linalg.eigh(to_torch(a), UPLO=uplo)
    nL = np.linalg.eigvalsh(a, UPLO=uplo)
    tol = 1e-4 if dtype == "float32" else 1e-10
    assert L.dtype == getattr(ember, dtype) and V.dtype == L.dtype
    assert tuple(L.shape) == shape[:-1] and tuple(V.shape) == shape
    np.testing.assert_allclose(_np(L), tL.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(_np(L), nL, rtol=tol, atol=tol)
    assert (np.diff(_np(L), axis=-1) >= 0).all()
    v = _np(V).astype(np.float64)
    sym = _tri(a.astype(np.float64), uplo == "U")
    recon = v @ (_np(L)[..., None] * np.swapaxes(v, -1, -2))
    np.testing.assert_allclose(recon, sym, atol=10 * tol * max(1, shape[-1]))
    np.testing.assert_allclose(np.swapaxes(v, -1, -2) @ v, np.broadcast_to(np.eye(shape[-1]), shape), atol=10 * tol)
    # Each eigenvector equals torch's up to sign: |V^T V_torch| is the identity.
    overlap = np.abs(np.swapaxes(v, -1, -2) @ tV.numpy().astype(np.float64))
    np.testing.assert_allclose(overlap, np.broadcast_to(np.eye(shape[-1]), shape), atol=100 * tol)
    np.testing.assert_allclose(_np(ember.linalg.eigvalsh(to_ember(a), uplo)), _np(L), rtol=tol, atol=tol)


def test_eigh_result_type_strides_and_input_untouched(torch):
    a = _sym(np.random.default_rng(0), (3, 4, 4))
    e = to_ember(a)
    before = _np(e).copy()
    r = ember.linalg.eigh(e)
    assert type(r).__name__ == "linalg_eigh" and r._fields == ("eigenvalues", "eigenvectors")
    assert isinstance(r, ember.return_types.linalg_eigh)
    assert repr(r).startswith("ember.return_types.linalg_eigh(\neigenvalues=tensor(")
    assert r.eigenvectors.stride() == torch.linalg.eigh(to_torch(a)).eigenvectors.stride()
    np.testing.assert_array_equal(_np(e), before)
    # Non-contiguous inputs: a transposed batch and a strided slice.
    big = _sym(np.random.default_rng(1), (4, 6, 6))
    for view in (to_ember(big).transpose(-1, -2), to_ember(big)[::2]):
        np.testing.assert_allclose(_np(ember.linalg.eigvalsh(view)),
                                   np.linalg.eigvalsh(_np(view)), rtol=1e-10, atol=1e-10)


def test_eigh_empty():
    for shape in [(0, 0), (2, 0, 0), (0, 3, 3)]:
        L, V = ember.linalg.eigh(ember.zeros(*shape))
        assert tuple(L.shape) == shape[:-1] and tuple(V.shape) == shape
        assert tuple(ember.linalg.eigvalsh(ember.zeros(*shape)).shape) == shape[:-1]


def test_eigh_bad_inputs():
    with pytest.raises(RuntimeError, match=r"^linalg.eigh: The input tensor A must have at least 2 dimensions"):
        ember.linalg.eigh(ember.ones(3))
    with pytest.raises(RuntimeError, match=r"^linalg.eigh: A must be batches of square matrices, but they are 3 by 4"):
        ember.linalg.eigh(ember.ones(2, 3, 4))
    with pytest.raises(RuntimeError, match=r"^linalg.eigvalsh: A must be batches of square matrices"):
        ember.linalg.eigvalsh(ember.ones(3, 4))
    for dtype in (ember.int64, ember.bool, ember.float16):
        with pytest.raises(NotImplementedError, match=r"^linalg.eigh: not implemented for"):
            ember.linalg.eigh(ember.ones(3, 3, dtype=dtype))
    with pytest.raises(RuntimeError, match=r"Expected UPLO argument to be 'L' or 'U', but got X"):
        ember.linalg.eigh(ember.eye(3), UPLO="X")
    ember.linalg.eigh(ember.eye(3), UPLO="u")  # torch takes either case
    with pytest.raises(TypeError):
        ember.linalg.eigh([[1.0]])


def test_eigh_failure_to_converge_is_a_runtime_error(torch):
    bad = ember.full((3, 3), float("nan"))
    with pytest.raises(RuntimeError, match=r"^linalg.eigh: The algorithm failed to converge"):
        ember.linalg.eigh(bad)
    with pytest.raises(RuntimeError, match=r"^linalg.eigvalsh: The algorithm failed to converge"):
        ember.linalg.eigvalsh(bad)
    with pytest.raises(RuntimeError, match=r"^linalg.eigh: \(Batch element 1\): The algorithm failed"):
        ember.linalg.eigh(ember.stack([ember.eye(3), bad]))
    with pytest.raises(RuntimeError, match=r"failed to converge"):
        torch.linalg.eigh(torch.full((3, 3), float("nan")))


def _invariant(fn_eigh):
    """A function of A whose value does not depend on the eigenvectors' signs."""
    def f(a):
        L, V = fn_eigh(a + a.transpose(-1, -2))
        weights = (V * V) * L.unsqueeze(-2)        # squares of the components
        proj = V[..., :, :1] * V[..., :, :1].transpose(-1, -2)  # v0 v0^T
        return L, weights, proj
    return f


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3)], ids=str)
def test_eigh_gradcheck_and_gradgradcheck(shape):
    rng = np.random.default_rng(3)
    a = to_ember(rng.standard_normal(shape)).requires_grad_()
    f = _invariant(ember.linalg.eigh)
    assert ember.autograd.gradcheck(f, (a,))
    assert ember.autograd.gradgradcheck(f, (a,))
    g = to_ember(rng.standard_normal(shape)).requires_grad_()
    assert ember.autograd.gradcheck(lambda x: ember.linalg.eigvalsh(x + x.transpose(-1, -2)), (g,))


def test_eigh_gradient_equals_torchs(torch):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((3, 5, 5))
    w = rng.standard_normal((3, 5, 5))
    outs = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        x = conv(a).requires_grad_()
        L, weights, proj = _invariant(lib.linalg.eigh)(x)
        loss = (L * conv(w[:, 0])).sum() + (weights * conv(w)).sum() + (proj * conv(w.transpose(0, 2, 1))).sum()
        loss.backward()
        outs.append(_np(x.grad) if lib is ember else x.grad.numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-8, atol=1e-10)
    # The node is named as torch's.
    x = to_ember(a[0]).requires_grad_()
    assert ember.linalg.eigh(x).eigenvalues.grad_fn.name() == "LinalgEighBackward0"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(7, 5), (3, 40, 6), (2, 1, 4), (300, 2)], ids=str)
def test_gram_products_take_syrk_and_stay_exact(shape, dtype, torch):
    """x^T @ x and x @ x^T (one operand the other transposed in place) run through BLAS syrk: the
    result is exactly symmetric and equals torch's matmul; the gradient is matmul's."""
    a = np.random.default_rng(5).standard_normal(shape).astype(dtype)
    e, t = to_ember(a), to_torch(a)
    tol = 1e-4 if dtype == "float32" else 1e-12
    for left, right, tl, tr in ((e.transpose(-1, -2), e, t.transpose(-1, -2), t),
                                (e, e.transpose(-1, -2), t, t.transpose(-1, -2))):
        got = _np(left @ right)
        assert (got == np.swapaxes(got, -1, -2)).all()
        np.testing.assert_allclose(got, (tl @ tr).numpy(), rtol=tol, atol=tol * shape[-2])
    x = to_ember(a.astype(np.float64)).requires_grad_()
    assert ember.autograd.gradcheck(lambda x: x.transpose(-1, -2) @ x, (x,))


def test_eigh_result_pickles():
    import pickle

    r = ember.linalg.eigh(ember.eye(2))
    back = pickle.loads(pickle.dumps(r))
    assert type(back) is ember.return_types.linalg_eigh
    assert back.eigenvalues.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("shapes", [((5,), (5,)), ((3, 5), (5,)), ((5,), (5, 4)), ((2, 3, 5), (2, 5, 1)),
                                    ((2, 1, 5), (2, 5, 4)), ((1, 5), (5, 1)), ((7, 1), (1, 1)), ((1, 1), (1, 6))])
@pytest.mark.parametrize("transposed", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_products_with_a_one_wide_side_take_dot_and_gemv(shapes, transposed, dtype, torch):
    # dot and gemv read the matrix as stored (maybe transposed) and the vector with its stride
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(s).astype(dtype) for s in shapes)

    def operand(x):
        if not transposed or x.ndim < 2:
            return ember.tensor(x)
        return ember.tensor(np.ascontiguousarray(np.swapaxes(x, -1, -2))).transpose(-1, -2)

    got = (operand(a) @ operand(b)).numpy()
    want = (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_strided_and_broadcast_vectors_in_products():
    rng = np.random.default_rng(1)
    v = ember.tensor(rng.standard_normal(20).astype(np.float32))[::2]
    w = ember.tensor(rng.standard_normal((10, 7)).astype(np.float32))
    one = ember.tensor([1.5]).expand(10)  # stride 0: not a BLAS increment
    for got, want in [(v @ w, v.numpy() @ w.numpy()), (w.T @ v, w.numpy().T @ v.numpy()),
                      (ember.dot(v, v), v.numpy() @ v.numpy()), (w.T @ one, w.numpy().T @ one.numpy()),
                      (ember.dot(one, v), one.numpy() @ v.numpy())]:
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-5)


def test_eigenvalue_gradients_with_repeated_eigenvalues(torch):
    """eigvalsh / eigh's values alone at the identity (every eigenvalue repeated): V diag(gL) V^T,
    finite and torch's (the eigenvectors' part, 0 / 0 there, is skipped when V is unused)."""
    for fn in (lambda L, a: L.linalg.eigvalsh(a).sum(), lambda L, a: L.linalg.eigh(a).eigenvalues.sum()):
        grads = []
        for lib, conv in ((ember, to_ember), (torch, to_torch)):
            x = conv(np.eye(3)).requires_grad_()
            fn(lib, x).backward()
            grads.append(_np(x.grad) if lib is ember else x.grad.numpy())
        assert np.isfinite(grads[0]).all()
        np.testing.assert_allclose(grads[0], grads[1], atol=1e-12)


@pytest.mark.parametrize("fn", ["svd", "svdvals", "pinv", "matrix_rank", "cond"])
def test_svd_refuses_non_finite_input_as_torch(fn, torch):
    """LAPACK's gesdd loops forever or returns garbage on inf/NaN: refused first, naming the batch
    element, as torch's (ember returned uninitialized numbers for a NaN matrix)."""
    a = np.zeros((2, 4, 4))
    a[1, 1, 2] = np.nan
    for L in (torch, ember):
        with pytest.raises(Exception) as info:
            getattr(L.linalg, fn)(L.tensor(a))
        assert type(info.value).__name__.endswith("LinAlgError")
        assert "(Batch element 1): The algorithm failed to converge because the input matrix contained non-finite" \
            in str(info.value)
    b = np.eye(3)
    b[0, 0] = np.inf
    with pytest.raises(ember.linalg.LinAlgError, match="linalg.svd: The algorithm failed"):
        ember.linalg.svd(ember.tensor(b))

"""ember.linalg's LU family, the _ex forms, lstsq, tensorinv/tensorsolve and torch's older top-level
spellings (torch.svd, qr, cholesky, lu, ...), each against torch."""

import math
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)


def _pair(a, dtype="float64"):
    a = np.asarray(a, dtype=dtype)
    return ember.tensor(a), torch.tensor(a)


def _close(e, t, rtol=1e-10, atol=1e-12):
    assert tuple(e.shape) == tuple(t.shape), (tuple(e.shape), tuple(t.shape))
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], (e.dtype, t.dtype)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


def _batch_with_singular():
    a = RNG.standard_normal((3, 4, 4))
    a[1, :, 2] = 0.0  # a singular matrix in the middle of the batch (exactly: LAPACK's LU is then deterministic)
    return a


def test_lu_factor_ex_lu_and_unpack_as_torch():
    ea, ta = _pair(_batch_with_singular())
    e, t = ember.linalg.lu_factor_ex(ea), torch.linalg.lu_factor_ex(ta)
    _close(e.LU, t.LU)
    _close(e.pivots, t.pivots)
    _close(e.info, t.info)
    assert e.info.tolist()[1] > 0 and type(e).__name__ == "linalg_lu_factor_ex"
    for name, x in zip(("P", "L", "U"), zip(ember.linalg.lu(ea), torch.linalg.lu(ta))):
        _close(*x)
    P, L, U = ember.lu_unpack(e.LU, e.pivots)
    np.testing.assert_allclose((P @ L @ U).numpy(), ea.numpy(), atol=1e-12)
    for flags in ((True, False), (False, True)):
        ours, theirs = ember.lu_unpack(e.LU, e.pivots, *flags), torch.lu_unpack(t.LU, t.pivots, *flags)
        for x, y in zip(ours, theirs):
            assert (x.numel() == 0) == (y.numel() == 0)
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.lu_factor_ex(ea, check_errors=True)
    with pytest.raises(NotImplementedError):
        ember.linalg.lu_factor_ex(ea, pivot=False)
    with pytest.raises(RuntimeError):  # torch's: LU without pivoting on the CPU
        torch.linalg.lu_factor_ex(ta, pivot=False)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve_as_torch(left, adjoint):
    a = RNG.standard_normal((2, 4, 4)) + 4 * np.eye(4)
    b = RNG.standard_normal((2, 4, 3) if left else (2, 3, 4))
    ea, ta = _pair(a)
    eb, tb = _pair(b)
    _close(ember.linalg.lu_solve(*ember.linalg.lu_factor(ea), eb, left=left, adjoint=adjoint),
           torch.linalg.lu_solve(*torch.linalg.lu_factor(ta), tb, left=left, adjoint=adjoint), rtol=1e-9)


def test_ex_forms_report_failures_in_info_as_torch():
    ea, ta = _pair(_batch_with_singular())
    eb, tb = _pair(RNG.standard_normal((3, 4, 2)))
    for ours, theirs in ((ember.linalg.solve_ex(ea, eb), torch.linalg.solve_ex(ta, tb)),
                         (ember.linalg.inv_ex(ea), torch.linalg.inv_ex(ta))):
        _close(ours[1], theirs[1])
        _close(ours[0][0], theirs[0][0], rtol=1e-9)
        _close(ours[0][2], theirs[0][2], rtol=1e-9)
        assert ours[1].tolist()[1] > 0
    spd = RNG.standard_normal((3, 4, 4))
    spd = spd @ spd.transpose(0, 2, 1) + 4 * np.eye(4)
    spd[2, 2, 2] = -50.0  # the leading minor of order 3 is not positive-definite
    es, ts = _pair(spd)
    for upper in (False, True):
        ours, theirs = ember.linalg.cholesky_ex(es, upper=upper), torch.linalg.cholesky_ex(ts, upper=upper)
        _close(ours.info, theirs.info)
        _close(ours.L[:2], theirs.L[:2], rtol=1e-10)
    assert ember.linalg.cholesky_ex(es).info.tolist() == [0, 0, 3]
    for fn in (lambda L: L.linalg.inv_ex(L.tensor(_batch_with_singular()), check_errors=True),
               lambda L: L.linalg.cholesky_ex(L.tensor(spd), check_errors=True)):
        with pytest.raises(RuntimeError):
            fn(ember)
        with pytest.raises(RuntimeError):
            fn(torch)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cholesky_of_nan_or_inf_fails_as_torch(dtype):
    """A NaN pivot fails at its order (OpenBLAS's potrf lets it through); an inf pivot scales the
    column below it by 1/inf, NaN where that column holds inf or NaN (OpenBLAS's scal gives 0)."""
    nan, inf = math.nan, math.inf
    cases = [[[nan]], [[1.0, nan], [nan, 1.0]], [[4.0, 2.0], [2.0, nan]], [[4.0, 1.0], [nan, 3.0]],
             [[inf, 0.5], [inf, 2.0]], [[inf, 0.5], [nan, 2.0]], [[2.0, 0.5], [0.5, inf]],
             [[1.0, 0.0, 0.0], [0.3, 2.0, 0.0], [nan, 0.1, 3.0]]]
    if dtype == "float64":  # torch's float32 LAPACK (MKL) also turns a finite value below an inf pivot into NaN
        cases += [[[inf, 0.5], [0.5, 2.0]], [[1.0, 0.0, 0.0], [0.3, inf, 0.0], [0.2, 0.1, 3.0]]]
    for a in cases:
        e = ember.linalg.cholesky_ex(ember.tensor(a, dtype=getattr(ember, dtype)))
        t = torch.linalg.cholesky_ex(torch.tensor(a, dtype=getattr(torch, dtype)))
        assert int(e.info) == int(t.info), (a, e, t)
        if int(t.info) == 0:
            np.testing.assert_allclose(e.L.numpy(), t.L.numpy(), rtol=1e-6)
        else:
            with pytest.raises(ember.linalg.LinAlgError, match=f"order {int(t.info)} is not positive-definite"):
                ember.linalg.cholesky(ember.tensor(a, dtype=getattr(ember, dtype)))



@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
def test_lstsq_as_torch(driver):
    cases = [RNG.standard_normal((6, 3)), RNG.standard_normal((2, 5, 3)),
             np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])]  # rank-deficient
    if driver != "gels":  # gels assumes full rank (and a tall or square A)
        cases.append(RNG.standard_normal((3, 5)))
    for a in cases:
        if driver == "gels" and np.linalg.matrix_rank(a[0] if a.ndim == 3 else a) < min(a.shape[-2:]):
            continue
        for rhs in ((a.shape[-2], 2), (a.shape[-2],)):
            b = RNG.standard_normal(a.shape[:-2] + rhs)
            ea, ta = _pair(a)
            eb, tb = _pair(b)
            ours, theirs = ember.linalg.lstsq(ea, eb, driver=driver), torch.linalg.lstsq(ta, tb, driver=driver)
            _close(ours.solution, theirs.solution, rtol=1e-8, atol=1e-10)
            _close(ours.residuals, theirs.residuals, rtol=1e-8, atol=1e-10)
            _close(ours.rank, theirs.rank)
            _close(ours.singular_values, theirs.singular_values, rtol=1e-10)
    assert type(ours).__name__ == "linalg_lstsq"


def test_lstsq_gradients_and_bad_inputs():
    a = ember.tensor(RNG.standard_normal((5, 3)), requires_grad=True)
    b = ember.tensor(RNG.standard_normal((5, 2)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, y: ember.linalg.lstsq(x, y).solution, (a, b))
    for fn in (lambda L: L.linalg.lstsq(L.ones(3, 2), L.ones(3, 1), driver="nope"),
               lambda L: L.linalg.lstsq(L.ones(3, 2), L.ones(4, 1)),
               lambda L: L.linalg.lstsq(L.ones(3, 2), L.ones(3, 1, dtype=L.float64))):
        with pytest.raises(RuntimeError):
            fn(torch)
        with pytest.raises(RuntimeError):  # ember.errors' ValueError and TypeError are RuntimeErrors too
            fn(ember)


def test_tensorinv_and_tensorsolve_as_torch():
    a = RNG.standard_normal((4, 6, 8, 3))
    ea, ta = _pair(a)
    _close(ember.linalg.tensorinv(ea, ind=2), torch.linalg.tensorinv(ta, ind=2), rtol=1e-8)
    a = RNG.standard_normal((6, 4, 2, 3, 4))
    b = RNG.standard_normal((6, 4))
    (ea, ta), (eb, tb) = _pair(a), _pair(b)
    _close(ember.linalg.tensorsolve(ea, eb), torch.linalg.tensorsolve(ta, tb), rtol=1e-8)
    a = RNG.standard_normal((6, 2, 3))
    (ea, ta), (eb, tb) = _pair(a), _pair(RNG.standard_normal((2, 3)))
    _close(ember.linalg.tensorsolve(ea, eb, dims=(0,)), torch.linalg.tensorsolve(ta, tb, dims=(0,)), rtol=1e-8)
    with pytest.raises(RuntimeError):
        ember.linalg.tensorinv(ember.ones(2, 3), ind=1)


@pytest.mark.filterwarnings("ignore:torch.*is deprecated")
def test_legacy_spellings_as_torch():
    a = RNG.standard_normal((2, 5, 3))
    ea, ta = _pair(a)
    for some in (True, False):
        ours, theirs = ember.svd(ea, some=some), torch.svd(ta, some=some)
        _close(ours.S, theirs.S)
        assert [tuple(x.shape) for x in ours] == [tuple(x.shape) for x in theirs]
        np.testing.assert_allclose((ours.U[..., :3] * ours.S.unsqueeze(-2) @ ours.V.mT).numpy(), a, atol=1e-12)
        q, r = ea.qr(some=some)
        assert [tuple(x.shape) for x in (q, r)] == [tuple(x.shape) for x in torch.qr(ta, some=some)]
        np.testing.assert_allclose((q @ r).numpy(), a, atol=1e-12)
    _close(ember.svd(ea, compute_uv=False).U, torch.svd(ta, compute_uv=False).U)
    spd = a[0].T @ a[0] + np.eye(3)
    es, ts = _pair(spd)
    for upper in (False, True):
        _close(ember.cholesky(es, upper=upper), torch.linalg.cholesky(ts, upper=upper))
        factor_e, factor_t = ember.cholesky(es, upper=upper), torch.linalg.cholesky(ts, upper=upper)
        rhs_e, rhs_t = _pair(RNG.standard_normal((3, 2)))
        _close(ember.cholesky_solve(rhs_e, factor_e, upper), torch.cholesky_solve(rhs_t, factor_t, upper), rtol=1e-9)
        _close(factor_e.cholesky_inverse(upper), factor_t.cholesky_inverse(upper), rtol=1e-9)
    _close(ea.pinverse(), ta.pinverse(), rtol=1e-9)
    tri = np.triu(RNG.standard_normal((3, 3))) + 3 * np.eye(3)
    (et, tt), (eb, tb) = _pair(tri), _pair(RNG.standard_normal((3, 2)))
    for upper in (True, False):
        for transpose in (False, True):
            for unit in (False, True):
                coefficient = et if upper else et.mT
                torch_coefficient = tt if upper else tt.mT
                ours = ember.triangular_solve(eb, coefficient, upper, transpose, unit)
                theirs = torch.triangular_solve(tb, torch_coefficient, upper, transpose, unit)
                _close(ours.solution, theirs.solution, rtol=1e-9)
                _close(ours.cloned_coefficient, theirs.cloned_coefficient)
    square_e, square_t = _pair(RNG.standard_normal((3, 3)))
    LU_e, piv_e = square_e.lu()
    LU_t, piv_t = square_t.lu()
    _close(LU_e, LU_t)
    _close(piv_e, piv_t)
    _close(eb.lu_solve(LU_e, piv_e), tb.lu_solve(LU_t, piv_t), rtol=1e-9)
    _close(ember.lu(square_e, get_infos=True)[2], torch.lu(square_t, get_infos=True)[2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _close(ember.chain_matmul(square_e, et, eb), torch.chain_matmul(square_t, tt, tb), rtol=1e-10)


def test_legacy_spellings_are_methods_as_torch():
    for name in ("svd", "qr", "cholesky", "pinverse", "cholesky_solve", "cholesky_inverse", "triangular_solve", "lu",
                 "lu_solve"):
        assert hasattr(torch.Tensor, name) and hasattr(ember.Tensor, name), name
    for name in ("lu_unpack", "chain_matmul"):
        assert hasattr(ember, name) and not hasattr(ember.Tensor, name)


def test_deprecated_spellings_warn_as_torch():
    # (torch warns once per process, so whether it warns here depends on the tests before)
    x = ember.eye(2, dtype=ember.float64)
    for name, args in (("qr", ()), ("cholesky", ()), ("lu", ()), ("triangular_solve", (x,))):
        with pytest.warns(UserWarning, match=f"torch.{name} is deprecated"):
            getattr(ember, name)(x, *args)


def test_return_types_pickle_and_print_as_torch():
    import pickle

    r = ember.linalg.lstsq(ember.eye(2), ember.ones(2, 1))
    back = pickle.loads(pickle.dumps(r))
    assert type(back) is ember.return_types.linalg_lstsq and back.solution.tolist() == [[1.0], [1.0]]
    assert repr(r).startswith("ember.return_types.linalg_lstsq(\nsolution=tensor(")
    assert repr(torch.linalg.lstsq(torch.eye(2), torch.ones(2, 1))).startswith(
        "torch.return_types.linalg_lstsq(\nsolution=tensor(")


def test_solves_on_a_singular_factor_as_torch():
    """A zero on a triangular factor's diagonal: the substitutions give inf / NaN as torch's (BLAS
    trsm), while cholesky_inverse raises as torch's LAPACK potri does."""
    factors = [[[2.0, 0.0], [1.0, 0.0]], [[0.0, 0.0], [1.0, 3.0]]]
    for f in factors:
        for upper in (False, True):
            e = ember.cholesky_solve(ember.ones(2, 1), ember.tensor(f), upper)
            t = torch.cholesky_solve(torch.ones(2, 1), torch.tensor(f), upper)
            np.testing.assert_array_equal(e.numpy(), t.numpy())
        e = ember.triangular_solve(ember.ones(2, 2), ember.tensor(f), upper=False)
        t = torch.triangular_solve(torch.ones(2, 2), torch.tensor(f), upper=False)
        np.testing.assert_array_equal(e.solution.numpy(), t.solution.numpy())
    batch = [[[2.0, 0.0], [1.0, 3.0]], factors[0]]
    with pytest.raises(RuntimeError) as t_err:
        torch.cholesky_inverse(torch.tensor(batch))
    with pytest.raises(ember.linalg.LinAlgError) as e_err:
        ember.cholesky_inverse(ember.tensor(batch))
    assert str(e_err.value) == str(t_err.value)


def test_triangular_solve_coefficient_and_empty_inverse_as_torch():
    e = ember.triangular_solve(ember.ones(1, 2, 2), ember.tensor([[1.5, 0.8], [1.9, 2.9]]))
    t = torch.triangular_solve(torch.ones(1, 2, 2), torch.tensor([[1.5, 0.8], [1.9, 2.9]]))
    assert tuple(e.cloned_coefficient.shape) == tuple(t.cloned_coefficient.shape) == (1, 2, 2)
    np.testing.assert_allclose(e.solution.numpy(), t.solution.numpy(), rtol=1e-6)
    for shape in ((5, 1, 3, 0, 0), (0, 2, 2)):
        assert tuple(ember.cholesky_inverse(ember.zeros(shape)).shape) == tuple(
            torch.cholesky_inverse(torch.zeros(shape)).shape)


def test_pinv_checks_the_dtype_before_the_empty_case():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError if lib is torch else TypeError):
            lib.linalg.pinv(lib.zeros((3, 5, 0), dtype=lib.bfloat16))
    assert tuple(ember.pinverse(ember.zeros((3, 5, 0))).shape) == tuple(torch.pinverse(torch.zeros((3, 5, 0))).shape)

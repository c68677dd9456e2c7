"""ember's compositions of torch's numerical conveniences (ember/_numerics.py) against torch:
logspace, diagflat, cov/corrcoef, the trapezoid rules, msort, ger, renorm, and the Tensor methods
beside them; values, dtypes, gradients (gradcheck in float64), warnings and errors."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")


def _same(e, t, rtol=1e-6, atol=1e-7):
    if isinstance(t, (tuple, list)):
        assert len(e) == len(t)
        for a, b in zip(e, t):
            _same(a, b, rtol, atol)
        return
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    if t.dtype == torch.bfloat16:
        e, t = e.float(), t.float()
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol, equal_nan=True)


def _both(fn, *arrays, **kw):
    """fn(L, *tensors) for ember and torch, from the same arrays."""
    return fn(ember, *(ember.tensor(a) for a in arrays), **kw), fn(torch, *(torch.tensor(a) for a in arrays), **kw)


@pytest.mark.parametrize("args, kw", [((0, 3, 4), {}), ((-2, 2, 9), dict(base=2.0)), ((0.1, 1.7, 5), dict(base=3.3)),
                                      ((0, 1, 1), {}), ((0, 1, 0), {}), ((1, -1, 6), dict(dtype="float64")),
                                      ((0, 3, 4), dict(dtype="int64")), ((0, 2.5, 4), dict(base=2, dtype="int64")),
                                      ((0, 40, 3), {}), ((-3, 3, 7), dict(dtype="float16")),
                                      ((-3, 3, 7), dict(dtype="bfloat16"))])
def test_logspace_matches_torch_exactly(args, kw):
    e_kw = {k: getattr(ember, v) if k == "dtype" else v for k, v in kw.items()}
    t_kw = {k: getattr(torch, v) if k == "dtype" else v for k, v in kw.items()}
    e, t = ember.logspace(*args, **e_kw), torch.logspace(*args, **t_kw)
    _same(e, t, rtol=0, atol=0)
    assert ember.logspace(0, 1, 3, requires_grad=True).requires_grad


@pytest.mark.parametrize("shape, offset", [((2, 2), 0), ((3,), 1), ((2, 3), -2), ((), 0), ((0,), 1)])
def test_diagflat_matches_torch(shape, offset):
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) + 1
    _same(*_both(lambda L, x: L.diagflat(x, offset), a))


COV = [((3, 6), {}), ((6,), {}), ((2, 5), dict(correction=0)), ((3, 4), dict(fweights=[1, 2, 0, 3])),
       ((3, 4), dict(aweights=[0.5, 1.0, 2.0, 0.25])), ((2, 4), dict(fweights=[1, 2, 1, 3], aweights=[0.5, 1.0, 2.0, 1.0])),
       ((2, 4), dict(correction=3, fweights=[1, 1, 2, 1], aweights=[1.0, 0.1, 2.0, 0.3])), ((1, 5), {})]


@pytest.mark.parametrize("shape, kw", COV, ids=[f"{s}-{list(k)}" for s, k in COV])
def test_cov_and_corrcoef_match_torch(shape, kw):
    a = np.random.default_rng(0).standard_normal(shape)

    def weights(L):
        out = dict(kw)
        if "fweights" in out:
            out["fweights"] = L.tensor(out["fweights"])
        if "aweights" in out:
            out["aweights"] = L.tensor(out["aweights"], dtype=L.float64)
        return out

    _same(ember.cov(ember.tensor(a), **weights(ember)), torch.cov(torch.tensor(a), **weights(torch)), rtol=1e-12)
    _same(ember.corrcoef(ember.tensor(a)), torch.corrcoef(torch.tensor(a)), rtol=1e-12)
    _same(ember.Tensor.cov(ember.tensor(a), **weights(ember)), torch.Tensor.cov(torch.tensor(a), **weights(torch)),
          rtol=1e-12)
    x = ember.tensor(a, requires_grad=True)
    assert gradcheck(lambda t: ember.cov(t, **weights(ember)), (x,))
    if a.ndim == 2 and a.shape[0] > 1:
        assert gradcheck(ember.corrcoef, (x,)) and gradgradcheck(ember.corrcoef, (x,))


def test_cov_of_integers_and_its_errors_match_torch():
    _same(*_both(lambda L, x: L.cov(x), np.array([[1, 2, 4], [0, 3, 3]])))
    for call in (lambda L: L.cov(L.zeros(2, 2, 2)), lambda L: L.cov(L.tensor([True, False])),
                 lambda L: L.cov(L.ones(2, 3), fweights=L.tensor([1.0, 2.0, 3.0])),
                 lambda L: L.cov(L.ones(2, 3), fweights=L.tensor([1, 2])),
                 lambda L: L.cov(L.ones(2, 3), fweights=L.tensor([1, -2, 1])),
                 lambda L: L.cov(L.ones(2, 3), aweights=L.tensor([1, 2, 3])),
                 lambda L: L.cov(L.ones(2, 3), aweights=L.tensor([0.0, 0.0, 0.0])),
                 lambda L: L.corrcoef(L.ones(1, 1, 1))):
        with pytest.raises(RuntimeError) as expected:
            call(torch)
        with pytest.raises(RuntimeError) as got:
            call(ember)
        assert str(expected.value).split(" but ")[0].split(" dtype")[0] in str(got.value)
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        c = ember.cov(ember.ones(1, 1))
    assert np.isnan(c.item()) or np.isinf(c.item())


TRAPEZOID = [((5,), None, {}), ((5,), None, dict(dx=0.5)), ((3, 4), "x1d", dict(dim=1)), ((4, 3), "x1d", dict(dim=0)),
             ((2, 4), "xfull", {}), ((2, 4), "xrow", {}), ((3, 0), None, {}), ((3, 1), None, {}), ((1, 4), None, dict(dim=0))]


@pytest.mark.parametrize("shape, xkind, kw", TRAPEZOID, ids=[f"{s}-{x}-{k}" for s, x, k in TRAPEZOID])
@pytest.mark.parametrize("fn", ["trapezoid", "cumulative_trapezoid", "trapz"])
def test_trapezoid_rules_match_torch(shape, xkind, kw, fn):
    rng = np.random.default_rng(1)
    y = rng.standard_normal(shape)
    dim = kw.get("dim", -1)
    x = {None: None, "x1d": np.cumsum(rng.uniform(0.1, 1, shape[dim])),
         "xfull": np.cumsum(rng.uniform(0.1, 1, shape), axis=-1), "xrow": np.cumsum(rng.uniform(0.1, 1, shape[-1]))}[xkind]
    if fn == "trapz" and xkind is None and "dx" not in kw:
        kw = dict(kw, dx=1.0)  # torch.trapz's dx form takes it by keyword only
    if fn == "cumulative_trapezoid" and 0 in shape:
        return  # torch's cumulative rule has no answer for no samples either (it raises)
    e = getattr(ember, fn)(ember.tensor(y), *([] if x is None else [ember.tensor(x)]), **kw)
    t = getattr(torch, fn)(torch.tensor(y), *([] if x is None else [torch.tensor(x)]), **kw)
    _same(e, t, rtol=1e-12, atol=1e-12)
    if y.size and x is None:
        ye = ember.tensor(y, requires_grad=True)
        assert gradcheck(lambda v: getattr(ember, fn)(v, **kw), (ye,))


def test_trapezoid_of_integers_and_errors():
    _same(*_both(lambda L, y: L.trapezoid(y), np.array([1, 2, 3])))
    _same(*_both(lambda L, y: L.trapezoid(y, dx=2), np.array([1, 2, 3])))
    for L in (ember, torch):
        with pytest.raises(RuntimeError, match="one `x` value for each sample point"):
            L.trapezoid(L.ones(4), L.ones(3))
        with pytest.raises(RuntimeError, match="bool"):
            L.trapezoid(L.tensor([True, False]))
        for call in (lambda: L.trapezoid((1, 2)), lambda: L.trapezoid(L.ones(2), x=None),
                     lambda: L.cumulative_trapezoid(L.ones(2), dx=None), lambda: L.trapz(L.ones(2), None)):
            with pytest.raises(TypeError):
                call()


def test_msort_ger_and_renorm_match_torch():
    a = np.random.default_rng(2).standard_normal((4, 3))
    _same(*_both(lambda L, x: L.msort(x), a))
    _same(*_both(lambda L, x: x.msort(), a))
    _same(*_both(lambda L, x, y: L.ger(x, y), a[0], a[1]))
    for p, dim, maxnorm in ((2, 0, 1.0), (1, 1, 0.5), (3.0, -1, 10.0), (float("inf"), 0, 0.3)):
        _same(*_both(lambda L, x: L.renorm(x, p, dim, maxnorm), a), rtol=1e-12)
        _same(*_both(lambda L, x: x.clone().renorm_(p, dim, maxnorm), a), rtol=1e-12)
        x = ember.tensor(a, requires_grad=True)
        assert gradcheck(lambda t: ember.renorm(t, p, dim, maxnorm), (x,))
    for call, exc in ((lambda L: L.renorm(L.ones(3, 2), -1, 0, 1.0), RuntimeError),
                      (lambda L: L.renorm(L.ones(3), 2, 0, 1.0), RuntimeError),
                      (lambda L: L.renorm(L.ones(3, 2), 2, 2, 1.0), IndexError),
                      (lambda L: L.renorm(3.0, 2, 0, 1.0), TypeError)):
        for L in (ember, torch):
            with pytest.raises(exc):
                call(L)


def test_fill_diagonal_matches_torch():
    for shape, wrap in (((3, 3), False), ((5, 3), True), ((7, 3), True), ((10, 2), True), ((3, 5), True),
                        ((4, 4, 4), False), ((7, 3), False)):
        _same(*_both(lambda L, x: x.fill_diagonal_(2.5, wrap=wrap), np.zeros(shape)))
    for bad in ((3,), (3, 4, 3)):
        for L in (ember, torch):
            with pytest.raises(RuntimeError):
                L.zeros(bad).fill_diagonal_(1)
    x = ember.ones(3, 3, requires_grad=True)
    y = x * 2
    y.fill_diagonal_(0.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * (1 - np.eye(3)))  # the filled places get no gradient


def test_tensor_methods_and_aliases_match_torch():
    a = np.random.default_rng(4).standard_normal((2, 3))
    _same(*_both(lambda L, x: x.sum_to_size(1, 3), a))
    _same(*_both(lambda L, x: x.sum_to_size((2, 1)), a))
    _same(*_both(lambda L, x: x.sum_to_size(3), a))
    _same(*_both(lambda L, x: x.split_with_sizes([1, 2], 1), a))
    _same(*_both(lambda L, x: x.H, a))
    _same(*_both(lambda L, x: x.mH, np.zeros((2, 3, 4))))
    with pytest.warns(UserWarning, match="deprecated on 0-D tensors"):
        assert ember.tensor(3.0).H.item() == 3.0
    _same(*_both(lambda L, x: x.sum_to_size(()), np.arange(3, dtype=np.int8)))
    _same(*_both(lambda L, x: x.fill_diagonal_(7), np.zeros((3, 3), dtype=np.int64)))
    _same(*_both(lambda L, x: x.adjoint(), np.zeros((2, 3, 4))))
    for name, other in (("greater_", 0.0), ("greater_equal_", 0.0), ("less_", 0.0), ("less_equal_", 0.0),
                        ("not_equal_", 0.0)):
        _same(*_both(lambda L, x: getattr(x, name)(other), a))
    _same(*_both(lambda L, x: x.swapaxes_(0, 1), a))
    _same(*_both(lambda L, x: x.swapdims_(0, 1), a))
    for L in (ember, torch):
        x = L.ones(2, 3)
        assert x.is_signed() and not L.ones(2, dtype=L.uint8).is_signed() and not L.ones(2, dtype=L.bool).is_signed()
        assert x.is_same_size(L.zeros(2, 3)) and not x.is_same_size(L.zeros(3, 2))
        assert x.get_device() == -1 and x.is_cpu and not x.is_inference()
        with pytest.raises(RuntimeError, match="is not expandable to size"):
            x.sum_to_size(3, 3)
        with pytest.raises(RuntimeError, match="tensor.H is only supported on matrices"):
            L.ones(2, 2, 2).H
        with pytest.raises(RuntimeError, match="split_with_sizes expects split_sizes to sum exactly to 3"):
            x.split_with_sizes([1, 1], 1)
        with pytest.raises(TypeError, match="must be Tensor"):
            x.is_same_size(2.5)
        with pytest.raises(TypeError, match="missing 1 required positional"):
            x.sum_to_size()
        with pytest.raises(RuntimeError, match="without overflow"):
            L.zeros(2, 2, dtype=L.bfloat16).fill_diagonal_(3.4e38)
        with pytest.raises(TypeError, match="must be bool"):
            L.zeros(2, 2).fill_diagonal_(1.0, wrap=0)

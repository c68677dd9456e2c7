"""ember's own float32 formulas for transcendental ops (elementwise_fn.h), which replace libm's
scalar calls so that loops vectorize: their error against a float64 reference, in units in the
last place of the float32 result, and their special values, against torch's."""
import math

import numpy as np
import pytest

import ember

# op name -> (float64 reference, most ulps of error allowed, range the random values cover)
FORMULAS = {
    "tanh": (np.tanh, 2.0, 12.0),
    "erf": (np.vectorize(math.erf, otypes=[np.float64]), 3.0, 6.0),
    "expm1": (np.expm1, 1.5, 90.0),
    "log": (np.log, 1.5, 3e38),
    "log1p": (np.log1p, 3.0, 3e38),
}

SPECIAL = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1e-30, -1e-30, 1e-4, -1e-4, 0.625,
                    -0.625, 1.0, -1.0, 4.0, -4.0, 9.0, -9.0, 3e38, -3e38], dtype=np.float32)


def _values(limit):
    rng = np.random.default_rng(0)
    magnitudes = np.geomspace(1e-40, limit, 200_000)
    return np.concatenate([rng.uniform(-limit, limit, 400_000), rng.uniform(-2, 2, 200_000), magnitudes, -magnitudes,
                           SPECIAL]).astype(np.float32)


def _check(got, ref, most):
    """got (float32) within `most` ulps of ref (float64), where ref rounds to a finite float32
    (ulps of that float32; the smallest subnormal's at 0); elsewhere equal to it (+-inf, NaN),
    and zeros where both are zero of the same sign (torch's log1p flushes +-1e-45 to +0)."""
    with np.errstate(over="ignore"):
        ref32 = ref.astype(np.float32)
    finite = np.isfinite(ref32)
    ulp = np.maximum(np.spacing(np.abs(ref32[finite])).astype(np.float64), np.spacing(np.float32(0)))
    err = np.abs(got[finite].astype(np.float64) - ref[finite]) / ulp
    assert err.max() <= most, (np.flatnonzero(finite)[np.argmax(err)], err.max())
    np.testing.assert_array_equal(got[~finite], ref32[~finite])
    zero = (ref32 == 0) & (got == 0)
    np.testing.assert_array_equal(np.signbit(got[zero]), np.signbit(ref32[zero]))


@pytest.mark.parametrize("name", FORMULAS)
def test_float32_error_in_ulps(name):
    reference, most, limit = FORMULAS[name]
    x = _values(limit)
    with np.errstate(all="ignore"):  # log of negatives: NaN
        ref = reference(x.astype(np.float64))
    for layout in ("contiguous", "strided"):  # the vector loop, and the one over a strided view
        data = ember.tensor(np.repeat(x, 2))[::2] if layout == "strided" else ember.tensor(x)
        _check(getattr(ember, name)(data).numpy(), ref, most)


@pytest.mark.parametrize("name", FORMULAS)
def test_float32_matches_torch(name, torch):
    """Each within `most` ulps of the truth, so within twice that of each other."""
    _, most, limit = FORMULAS[name]
    x = _values(limit)
    ours = getattr(ember, name)(ember.tensor(x)).numpy()
    theirs = getattr(torch, name)(torch.from_numpy(x)).numpy()
    _check(ours, theirs.astype(np.float64), 2 * most)


@pytest.mark.parametrize("name", FORMULAS)
def test_float32_gradient_matches_torch(name, torch):
    x = np.linspace(0.01 if name.startswith("log") else -4, 4, 1001, dtype=np.float32)
    a = ember.tensor(x, requires_grad=True)
    getattr(ember, name)(a).sum().backward()
    b = torch.tensor(x, requires_grad=True)
    getattr(torch, name)(b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_float16_and_float64_unchanged():
    """Other dtypes keep libm: float64 exact to its rounding, float16 through float32."""
    x = np.linspace(0.01, 3, 101)
    for name, (reference, _, _) in FORMULAS.items():
        op = getattr(ember, name)
        np.testing.assert_allclose(op(ember.tensor(x)).numpy(), reference(x), rtol=1e-15, atol=0)
        half = op(ember.tensor(x.astype(np.float16))).numpy()
        np.testing.assert_allclose(half.astype(np.float64), reference(x.astype(np.float16).astype(np.float64)),
                                   rtol=2 * 2.0 ** -11, atol=0)
        assert math.isnan(float(op(ember.tensor(float("nan")))))

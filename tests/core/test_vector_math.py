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
}

SPECIAL = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1e-30, -1e-30, 1e-4, -1e-4, 0.625,
                    -0.625, 1.0, -1.0, 4.0, -4.0, 9.0, -9.0, 3e38, -3e38], dtype=np.float32)


def _values(limit):
    rng = np.random.default_rng(0)
    magnitudes = np.geomspace(1e-30, limit, 200_000)
    return np.concatenate([rng.uniform(-limit, limit, 400_000), magnitudes, -magnitudes, SPECIAL]).astype(np.float32)


def _ulps(got, ref):
    """|got - ref| in ulps of ref rounded to float32 (the smallest subnormal's ulp at 0)."""
    ulp = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    return np.abs(got.astype(np.float64) - ref) / np.maximum(ulp, np.spacing(np.float32(0)))


@pytest.mark.parametrize("name", FORMULAS)
def test_float32_error_in_ulps(name):
    reference, most, limit = FORMULAS[name]
    x = _values(limit)
    ref = reference(x.astype(np.float64))
    for layout in ("contiguous", "strided"):  # the vector loop, and the one over a strided view
        data = ember.tensor(np.repeat(x, 2))[::2] if layout == "strided" else ember.tensor(x)
        got = getattr(ember, name)(data).numpy()
        finite = np.isfinite(ref)
        err = _ulps(got[finite], ref[finite])
        assert err.max() <= most, (layout, x[finite][np.argmax(err)], err.max())
        np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
        np.testing.assert_array_equal(got[~finite & ~np.isnan(ref)], ref[~finite & ~np.isnan(ref)])
        # Signs of zero as the reference's (odd functions keep -0).
        zero = ref == 0
        np.testing.assert_array_equal(np.signbit(got[zero]), np.signbit(ref[zero]))


@pytest.mark.parametrize("name", FORMULAS)
def test_float32_matches_torch(name, torch):
    _, most, limit = FORMULAS[name]
    x = _values(limit)
    ours = getattr(ember, name)(ember.tensor(x)).numpy()
    theirs = getattr(torch, name)(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    both = ~np.isnan(theirs)
    # Each within `most` ulps of the truth, so within twice that of each other.
    assert _ulps(ours[both], theirs[both].astype(np.float64)).max() <= 2 * most
    np.testing.assert_array_equal(np.signbit(ours[theirs == 0]), np.signbit(theirs[theirs == 0]))


@pytest.mark.parametrize("name", FORMULAS)
def test_float32_gradient_matches_torch(name, torch):
    x = np.linspace(-4, 4, 1001, dtype=np.float32)
    a = ember.tensor(x, requires_grad=True)
    getattr(ember, name)(a).sum().backward()
    b = torch.tensor(x, requires_grad=True)
    getattr(torch, name)(b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_float16_and_float64_unchanged():
    """Other dtypes keep libm: float64 exact to its rounding, float16 through float32."""
    x = np.linspace(-3, 3, 101)
    for name, (reference, _, _) in FORMULAS.items():
        op = getattr(ember, name)
        np.testing.assert_allclose(op(ember.tensor(x)).numpy(), reference(x), rtol=1e-15, atol=0)
        half = op(ember.tensor(x.astype(np.float16))).numpy()
        np.testing.assert_allclose(half.astype(np.float64), reference(x.astype(np.float16).astype(np.float64)),
                                   rtol=2 * 2.0 ** -11, atol=0)
        assert math.isnan(float(op(ember.tensor(float("nan")))))

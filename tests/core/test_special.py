"""ember.special against torch.special: every name here gives torch's values (edges included:
zeros, negatives, infinities, NaN, integer inputs) and, for the composites, torch's gradients;
gradcheck in float64; the errors."""
import math

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, 2.5, -2.5, 1e-30, 1e30, -1e30, np.inf, -np.inf, np.nan, 7.0, 1e-3]


def _values(dtype):
    rng = np.random.default_rng(0)
    return np.concatenate([np.array(EDGES), rng.standard_normal(50) * 3]).astype(dtype)


UNARY = ["digamma", "psi", "entr", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln", "i0", "log1p", "logit",
         "ndtr", "sinc", "round"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", UNARY)
def test_unary_as_torch(name, dtype):
    x = _values(dtype)
    got = getattr(ember.special, name)(ember.tensor(x)).numpy()
    want = getattr(torch.special, name)(torch.tensor(x)).numpy()
    rtol = 1e-6 if dtype == "float64" else 2e-5
    if name == "ndtr":  # torch's kernel loses digits in the lower tail; ember's is erfc's precision there
        exact = np.array([0.5 * math.erfc(-v * math.sqrt(0.5)) if not np.isnan(v) else np.nan for v in x.astype(float)])
        np.testing.assert_allclose(got, exact, rtol=1e-14 if dtype == "float64" else 1e-6, atol=1e-38, equal_nan=True)
        keep = ~(x < -3)
        got, want = got[keep], want[keep]
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-30, equal_nan=True)
    if name in ("entr", "ndtr"):  # integers compute in the default float dtype, as torch's
        ints = np.array([-2, 0, 1, 3])
        e, t = getattr(ember.special, name)(ember.tensor(ints)), getattr(torch.special, name)(torch.tensor(ints))
        assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)


def test_binary_and_reductions_as_torch():
    x = _values("float64")
    y = np.roll(x, 3)
    for name in ("xlogy", "xlog1py"):
        got = getattr(ember.special, name)(ember.tensor(x), ember.tensor(y)).numpy()
        want = getattr(torch.special, name)(torch.tensor(x), torch.tensor(y)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)
        got = getattr(ember.special, name)(2.0, ember.tensor(y)).numpy()  # a number first
        want = getattr(torch.special, name)(2.0, torch.tensor(y)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)
    for number, dtype in ((2.0, "float32"), (3, "int64"), (0, "float64")):  # ember.xlogy takes a number first too
        y_t = np.abs(y).astype(dtype)
        got, want = ember.xlogy(number, ember.tensor(y_t)), torch.xlogy(number, torch.tensor(y_t))
        assert str(got.dtype).split(".")[1] == str(want.dtype).split(".")[1]
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, equal_nan=True)
    m = np.random.default_rng(1).standard_normal((3, 4))
    for name in ("softmax", "log_softmax"):
        np.testing.assert_allclose(getattr(ember.special, name)(ember.tensor(m), 1).numpy(),
                                   getattr(torch.special, name)(torch.tensor(m), 1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(ember.special.logsumexp(ember.tensor(m), 1).numpy(),
                               torch.special.logsumexp(torch.tensor(m), 1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(ember.special.polygamma(2, ember.tensor(np.abs(m) + 0.1)).numpy(),
                               torch.special.polygamma(2, torch.tensor(np.abs(m) + 0.1)).numpy(), rtol=1e-10)
    for p in (1, 2, 5):
        v = np.abs(m) + p
        np.testing.assert_allclose(ember.special.multigammaln(ember.tensor(v), p).numpy(),
                                   torch.special.multigammaln(torch.tensor(v), p).numpy(), rtol=1e-12)


def test_composites_gradients_as_torch_and_gradcheck():
    x = np.array([0.3, 1.0, 2.5, 4.0])
    y = np.array([0.5, -0.5, 2.0, 0.0])
    cases = [("entr", lambda L, a, b: L.special.entr(a)), ("ndtr", lambda L, a, b: L.special.ndtr(a)),
             ("xlog1py", lambda L, a, b: L.special.xlog1py(a, b)),
             ("multigammaln", lambda L, a, b: L.special.multigammaln(a + 2, 3))]
    for name, f in cases:
        grads = []
        for L in (ember, torch):
            a, b = L.tensor(x, requires_grad=True), L.tensor(y, requires_grad=True)
            f(L, a, b).sum().backward()
            grads.append([t.grad.numpy() if t.grad is not None else np.zeros(4) for t in (a, b)])
        for e, t in zip(*grads):
            np.testing.assert_allclose(e, t, rtol=1e-10, err_msg=name)
        a, b = ember.tensor(x, requires_grad=True), ember.tensor(y, requires_grad=True)
        assert ember.autograd.gradcheck(lambda a_, b_: f(ember, a_, b_), (a, b))
    # entr's gradient at 0 is torch's formula (inf), not the zero branch's
    z = ember.tensor([0.0], requires_grad=True)
    ember.special.entr(z).sum().backward()
    assert float(z.grad) == float("inf")


def test_special_errors():
    with pytest.raises(ValueError, match="p has to be greater than or equal to 1"):
        ember.special.multigammaln(ember.ones(2), 0)
    with pytest.raises(ValueError, match=r"All elements must be greater than \(p-1\)/2"):
        ember.special.multigammaln(ember.ones(2), 3)
    with pytest.raises(TypeError, match="argument 'input' must be Tensor"):
        ember.special.entr([1.0])
    with pytest.raises(TypeError, match="expected a Tensor"):
        ember.special.xlog1py(1.0, 2.0)

"""ember.nn.functional.cosine_similarity against torch.nn.functional.cosine_similarity: values and
gradients over broadcast shapes and dims, zero vectors, gradcheck in float64, errors."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F

CASES = [((4, 5), (4, 5), 1), ((4, 5), (1, 5), 1), ((5,), (3, 5), 1), ((2, 3, 4), (2, 3, 4), -1),
         ((2, 3, 4), (3, 1), 0), ((6,), (6,), 0)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("s1,s2,dim", CASES)
def test_matches_torch(s1, s2, dim, dtype, torch):
    rng = np.random.default_rng(len(s1) * 10 + dim)
    a, b = rng.standard_normal(s1), rng.standard_normal(s2)
    xe, ye = (ember.tensor(v, dtype=getattr(ember, dtype), requires_grad=True) for v in (a, b))
    xt, yt = (torch.tensor(v, dtype=getattr(torch, dtype), requires_grad=True) for v in (a, b))
    out, ref = F.cosine_similarity(xe, ye, dim=dim), torch.nn.functional.cosine_similarity(xt, yt, dim=dim)
    tol = {"float32": 1e-5, "float64": 1e-12}[dtype]
    assert tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=tol, atol=tol)
    cot = rng.standard_normal(tuple(ref.shape))
    out.backward(ember.tensor(cot, dtype=out.dtype))
    ref.backward(torch.tensor(cot, dtype=ref.dtype))
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=10 * tol, atol=tol)
    np.testing.assert_allclose(ye.grad.numpy(), yt.grad.numpy(), rtol=10 * tol, atol=tol)


def test_zero_vector_gives_zero_and_stays_in_range(torch):
    x = np.array([[0.0, 0.0, 0.0], [1e30, 1e30, 0.0], [3.0, 4.0, 0.0]])
    y = np.array([[1.0, 2.0, 3.0], [1e30, 1e30, 0.0], [3.0, 4.0, 0.0]])
    out = F.cosine_similarity(ember.tensor(x), ember.tensor(y)).numpy()
    ref = torch.nn.functional.cosine_similarity(torch.tensor(x), torch.tensor(y)).numpy()
    np.testing.assert_allclose(out, ref, atol=1e-12)
    assert out[0] == 0.0 and abs(out[1] - 1.0) < 1e-12 and np.all(np.abs(out) <= 1.0)


def test_gradcheck():
    rng = np.random.default_rng(1)
    x = ember.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    y = ember.tensor(rng.standard_normal((1, 4)), requires_grad=True)
    assert ember.autograd.gradcheck(F.cosine_similarity, (x, y))
    assert ember.autograd.gradgradcheck(F.cosine_similarity, (x, y))
    assert ember.autograd.gradcheck(lambda a, b: F.cosine_similarity(a, b, dim=0), (x, y))


def test_bad_inputs():
    x = ember.ones(2, 3)
    with pytest.raises(TypeError, match="floating common dtype, got x1 of dtype ember.int64 and x2 of dtype ember.int32"):
        F.cosine_similarity(ember.ones(2, 3, dtype=ember.int64), ember.ones(2, 3, dtype=ember.int32))
    with pytest.raises(TypeError, match="x2 must be a Tensor"):
        F.cosine_similarity(x, [[1.0, 2.0, 3.0]])
    with pytest.raises(IndexError, match="dim 2 is out of range.*\\(2, 3\\)"):
        F.cosine_similarity(x, x, dim=2)
    with pytest.raises((ValueError, RuntimeError), match="broadcast|shape"):
        F.cosine_similarity(x, ember.ones(2, 4))

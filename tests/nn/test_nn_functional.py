"""ember.nn.functional activations against torch.nn.functional: values and gradients (kinks and
saturated ends included, where a careless composite gives NaN), gradcheck, errors, inplace=."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F

VALUES = np.array([-100., -20., -3., -1., -1e-3, 0., 1e-3, 0.5, 3., 20., 21., 100.])
CASES = [("relu", {}), ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {}),
         ("elu", {"alpha": 0.5}), ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}),
         ("softplus", {}), ("softplus", {"beta": 2, "threshold": 5}), ("logsigmoid", {}),
         ("sigmoid", {}), ("tanh", {})]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in CASES]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_values_and_gradients_match_torch(name, kw, dtype, torch):
    x = ember.tensor(VALUES, dtype=getattr(ember, dtype), requires_grad=True)
    xt = torch.tensor(VALUES, dtype=getattr(torch, dtype), requires_grad=True)
    y, yt = getattr(F, name)(x, **kw), getattr(torch.nn.functional, name)(xt, **kw)
    cot = np.linspace(-1, 1, VALUES.size)
    y.backward(ember.tensor(cot, dtype=y.dtype))
    yt.backward(torch.tensor(cot, dtype=yt.dtype))
    tol = {"float32": 1e-6, "float64": 1e-12}[dtype]
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=10 * tol, atol=tol)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=10 * tol, atol=tol)


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_gradcheck(name, kw):
    # Away from the kinks at 0 (and softplus's threshold), where derivatives jump.
    x = ember.tensor(np.array([[-2.5, -0.7, 0.3], [0.9, 1.7, -1.3]]), requires_grad=True)
    fn = lambda t: getattr(F, name)(t, **kw)  # noqa: E731
    assert ember.autograd.gradcheck(fn, (x,))
    assert ember.autograd.gradgradcheck(fn, (x,))


@pytest.mark.parametrize("shape,channels", [((2, 3, 4), 3), ((2, 3), 1), ((5,), 1), ((2, 3, 4, 5), 3)])
def test_prelu_matches_torch(shape, channels, torch):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(shape), np.array([0.25, -0.5, 0.1][:channels])
    xe, we = ember.tensor(x, requires_grad=True), ember.tensor(w, requires_grad=True)
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    np.testing.assert_allclose(F.prelu(xe, we).detach().numpy(), torch.nn.functional.prelu(xt, wt).detach().numpy())
    F.prelu(xe, we).sum().backward()
    torch.nn.functional.prelu(xt, wt).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(we.grad.numpy(), wt.grad.numpy(), atol=1e-12)
    assert ember.autograd.gradcheck(F.prelu, (ember.tensor(x + 0.1, requires_grad=True),
                                              ember.tensor(w, requires_grad=True)))


def test_inplace_forms_write_into_the_input():
    x = ember.tensor([-1.0, 2.0])
    assert F.relu(x, inplace=True) is x and x.tolist() == [0.0, 2.0]
    y = ember.tensor([-1.0, 2.0])
    assert F.leaky_relu(y, 0.5, inplace=True) is y and y.tolist() == [-0.5, 2.0]


def test_bad_arguments():
    with pytest.raises(ValueError, match="channel"):
        F.prelu(ember.ones(2, 3, 4), ember.ones(2))
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(ember.ones(3), approximate="fast")
    for fn in (F.leaky_relu, F.elu, F.gelu, F.silu, F.softplus, F.logsigmoid):
        with pytest.raises(TypeError, match="floating"):
            fn(ember.ones(3, dtype=ember.int64))

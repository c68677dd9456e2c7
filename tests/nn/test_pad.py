"""nn.functional.pad against torch's: every mode over 1 to 3 padded dims (negative amounts for
every mode), values and gradients, gradcheck and gradgradcheck, and the errors."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

CASES = [
    ("constant", (1, 2), (2, 3, 5)), ("constant", (2, 0, 1, 3), (2, 3, 4, 5)), ("constant", (-1, 2, 0, -2), (3, 4, 5)),
    ("constant", (1, 1, 1, 1, 1, 1), (2, 2, 3, 4)), ("reflect", (2, 1), (2, 3, 5)), ("reflect", (1, 2, 3, 0), (1, 2, 4, 5)),
    ("replicate", (3, 1), (3, 4)), ("replicate", (2, 2, 1, 1), (2, 3, 4, 5)), ("circular", (1, 2), (2, 3, 5)),
    ("circular", (2, 1, 3, 4), (1, 2, 4, 5)), ("reflect", (1, 1, 1, 1, 1, 1), (1, 2, 3, 4, 5)),
    ("replicate", (1, 0, 2, 1, 0, 1), (2, 2, 3, 3)),
    # negative amounts: circular wraps around what is left after cropping, the others reflect or
    # replicate from the whole input
    ("circular", (-1, 2), (2, 3, 5)), ("circular", (2, -1, -1, 1), (1, 2, 4, 5)), ("circular", (-2, -1), (2, 3, 5)),
    ("reflect", (-1, 2), (2, 3, 5)), ("replicate", (2, -1), (3, 4)),
]


@pytest.mark.parametrize("mode, pad, shape", CASES, ids=[f"{m}-{p}" for m, p, _ in CASES])
def test_pad_matches_torch(mode, pad, shape):
    a = np.random.default_rng(0).standard_normal(shape)
    xe, xt = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    value = 1.5 if mode == "constant" else None
    ye, yt = F.pad(xe, pad, mode, value), torch.nn.functional.pad(xt, pad, mode, value)
    np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().numpy())
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape))
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_gradcheck(mode):
    x = ember.tensor(np.random.default_rng(2).standard_normal((1, 2, 3, 4)), requires_grad=True)
    fn = lambda t: F.pad(t, (1, 2, 2, 1), mode)  # noqa: E731
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))


@pytest.mark.parametrize("call, words", [
    (lambda: F.pad(ember.ones(2, 3), (1,)), ("pad", "divisible by 2")),
    (lambda: F.pad(ember.ones(3), (1, 1, 1, 1)), ("pad", "too large")),
    (lambda: F.pad(ember.ones(1, 2, 3), (3, 0), "reflect"), ("reflect", "(1, 2, 3)")),
    (lambda: F.pad(ember.ones(1, 2, 3), (4, 0), "circular"), ("circular", "(1, 2, 3)")),
    (lambda: F.pad(ember.ones(3), (1, 1), "reflect"), ("reflect", "(3,)")),
    (lambda: F.pad(ember.ones(1, 2, 3), (1, 1), "mirror"), ("mode",)),
    (lambda: F.pad(ember.ones(1, 2, 3), (1, 1), "reflect", 2.0), ("value",)),
    (lambda: F.pad(ember.ones(2, 3), (-2, -2)), ("negative size", "(2, 3)")),
])
def test_pad_errors(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for w in words:
        assert w in str(info.value), (w, str(info.value))


@pytest.mark.parametrize("mode, pad, shape", [
    ("replicate", (1, 2), (2, 3)),  # value=0 is the default, so every mode takes it
    ("circular", (-1, 1), (4, 0, 1)),  # an empty result: nothing to wrap around
    ("circular", (-1, 2, -1, 0), (5, 0, 2, 2)),
    ("circular", (-3, 1), (2, 3, 2)),  # crops past the dim, still an empty result
    ("circular", (-1, -2), (1, 3)),
    ("replicate", (1, 1, -1, 0), (1, 1, 1)),  # one padded dim left is enough
    ("reflect", (0, 0, -3, 0), (1, 3, 3)),
    ("reflect", (1, 1), (0, 2, 3)),  # an empty batch
])
def test_pad_takes_what_torch_takes(mode, pad, shape):
    a = np.random.default_rng(3).standard_normal(shape)
    value = 0.0 if mode == "replicate" else None
    ye, yt = F.pad(ember.tensor(a), pad, mode, value), torch.nn.functional.pad(torch.tensor(a), pad, mode, value)
    assert tuple(ye.shape) == tuple(yt.shape)
    np.testing.assert_array_equal(ye.numpy(), yt.numpy())


@pytest.mark.parametrize("mode, pad, shape", [
    ("circular", (1, -4), (2, 1, 3)),  # PyTorch's copy into the middle fails
    ("reflect", (-1, -2), (1, 3)),  # reflect and replicate leave no empty dim
    ("replicate", (-3, 0), (1, 3)),
    ("reflect", (), (2, 3)),  # the other modes pad 1 to 3 dims
    ("replicate", (1, 1), (0, 3)),  # only the batch dim may be empty
    ("reflect", (1, 1), (2, 0, 3)),
])
def test_pad_refuses_what_torch_refuses(mode, pad, shape):
    with pytest.raises(RuntimeError):
        torch.nn.functional.pad(torch.zeros(shape), pad, mode)
    with pytest.raises(ValueError, match="pad"):
        F.pad(ember.zeros(shape), pad, mode)


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
def test_pad_of_bools_is_refused_as_torch(mode):
    with pytest.raises(NotImplementedError):
        torch.nn.functional.pad(torch.ones(2, 3, dtype=torch.bool), (1, 1), mode)
    with pytest.raises(TypeError, match="bool"):
        F.pad(ember.ones(2, 3, dtype=ember.bool), (1, 1), mode)

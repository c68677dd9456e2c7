"""The functional forms of the activations added with issue 15's op list (relu6, hardtanh,
hardswish, hardsigmoid, selu, celu, mish, softsign, tanhshrink, threshold, softmin) against
torch.nn.functional: values, dtypes, gradients, in-place forms, float64 gradcheck and bad inputs.
The modules run through tests/nn/module_db.py's generic tests."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from op_db import assert_same

# (name, args after the input, integer inputs accepted by torch)
CASES = [
    ("relu6", (), True), ("hardtanh", (), True), ("hardtanh", (-2.0, 0.5), True), ("hardswish", (), False),
    ("hardsigmoid", (), False), ("selu", (), False), ("celu", (), False), ("celu", (0.5,), False), ("mish", (), False),
    ("softsign", (), True), ("tanhshrink", (), True), ("threshold", (0.1, 20.0), True),
    ("threshold", (-0.5, -3.0), True),
]
IDS = [f"{n}{a}" for n, a, _ in CASES]
# Off the kinks (0, +-0.5, +-1, +-2, +-3, 6, 0.1) by more than gradcheck's step.
X = np.array([-7.3, -3.4, -2.7, -1.6, -0.83, -0.31, 0.23, 0.42, 0.77, 1.45, 2.61, 3.2, 5.1, 6.8])


@pytest.mark.parametrize("name,args,ints", CASES, ids=IDS)
def test_activation_matches_torch(name, args, ints, torch):
    tf = getattr(torch.nn.functional, name)
    for dtype in ("float32", "float64"):
        a = ember.tensor(X, dtype=getattr(ember, dtype), requires_grad=True)
        t = torch.tensor(X, dtype=getattr(torch, dtype), requires_grad=True)
        got, want = getattr(F, name)(a, *args), tf(t, *args)
        assert_same(got.detach(), want.detach(), 1e-6, 1e-6)
        (got * ember.arange(14.0, dtype=got.dtype)).sum().backward()
        (want * torch.arange(14.0, dtype=want.dtype)).sum().backward()
        assert_same(a.grad, t.grad, 1e-6, 1e-6)
    assert ember.autograd.gradcheck(lambda v: getattr(F, name)(v, *args), [ember.tensor(X, requires_grad=True)])
    assert ember.autograd.gradgradcheck(lambda v: getattr(F, name)(v, *args), [ember.tensor(X, requires_grad=True)])
    half = getattr(F, name)(ember.tensor(X, dtype=ember.float16), *args)
    assert half.dtype == ember.float16
    if ints:
        assert_same(getattr(F, name)(ember.tensor([-4, 1, 7]), *args), tf(torch.tensor([-4, 1, 7]), *args))
    else:
        with pytest.raises(TypeError, match=name):
            getattr(F, name)(ember.tensor([-4, 1, 7]), *args)


@pytest.mark.parametrize("name,args", [(n, a) for n, a, _ in CASES if n not in ("softsign", "tanhshrink")],
                         ids=[i for i, c in zip(IDS, CASES) if c[0] not in ("softsign", "tanhshrink")])
def test_activation_inplace(name, args, torch):
    x = ember.tensor(X)
    r = getattr(F, name)(x, *args, inplace=True)
    assert r is x
    assert_same(x, getattr(torch.nn.functional, name)(torch.tensor(X), *args), 1e-12, 1e-12)
    # torch's hardsigmoid backward multiplies by 1/6 rounded to float32, in float64 too: 1e-7 apart
    leaf = ember.tensor(X, requires_grad=True)
    y = leaf * 1.0
    getattr(F, name)(y, *args, inplace=True).sum().backward()
    tleaf = torch.tensor(X, requires_grad=True)
    getattr(torch.nn.functional, name)(tleaf * 1.0, *args, inplace=True).sum().backward()
    assert_same(leaf.grad, tleaf.grad, 1e-7, 1e-12)


def test_trailing_underscore_forms(torch):
    x = ember.tensor([-2.0, 0.5, 3.0])
    assert F.hardtanh_(x) is x and x.tolist() == [-1.0, 0.5, 1.0]
    y = ember.tensor([0.5, 2.0])
    assert F.threshold_(y, 1.0, 0.0) is y and y.tolist() == [0.0, 2.0]


def test_softmin_matches_torch(torch):
    x = np.random.default_rng(7).normal(size=(3, 4))
    for dim in (0, 1, -1):
        assert_same(F.softmin(ember.tensor(x), dim), torch.nn.functional.softmin(torch.tensor(x), dim), 1e-12, 1e-12)
    assert_same(F.softmin(ember.tensor(x), 1, dtype=ember.float32),
                torch.nn.functional.softmin(torch.tensor(x), 1, dtype=torch.float32), 1e-6, 1e-7)
    with pytest.warns(UserWarning, match="softmin"):
        got = F.softmin(ember.tensor(x))
    assert_same(got, torch.nn.functional.softmin(torch.tensor(x), 1), 1e-12, 1e-12)
    assert ember.autograd.gradcheck(lambda v: F.softmin(v, 1), [ember.tensor(x, requires_grad=True)])


def test_activation_bad_inputs(torch):
    with pytest.raises(ValueError, match=r"hardtanh: min_val cannot be greater than max_val"):
        F.hardtanh(ember.ones(2), 2.0, 1.0)
    with pytest.raises(ValueError):
        torch.nn.functional.hardtanh(torch.ones(2), 2.0, 1.0)
    y = ember.tensor([0.5, -3.0])  # hardtanh_ does not check the bounds (as torch's): all max_val
    assert F.hardtanh_(y, 2.0, 1.0).tolist() == torch.nn.functional.hardtanh_(torch.tensor([0.5, -3.0]), 2.0, 1.0).tolist()
    nan = float("nan")
    assert_same(F.threshold(ember.tensor([nan, 1.0]), 0.5, 9.0), torch.nn.functional.threshold(torch.tensor([nan, 1.0]),
                                                                                             0.5, 9.0))
    with pytest.raises(ValueError, match="celu: ZeroDivisionError: alpha cannot be 0"):
        F.celu(ember.ones(2), 0.0)
    with pytest.raises(ValueError, match=r"Hardtanh: max_val \(0.5\) must be greater than min_val \(1.0\)"):
        ember.nn.Hardtanh(1.0, 0.5)


def test_hardtanh_deprecated_bound_names(torch):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that min_value/max_value are deprecated
        want = torch.nn.Hardtanh(min_value=-2.0, max_value=3.0)
    got = ember.nn.Hardtanh(min_value=-2.0, max_value=3.0)
    assert repr(got) == repr(want) and (got.min_val, got.max_val) == (-2.0, 3.0)
    assert got(ember.tensor([-5.0, 5.0])).tolist() == [-2.0, 3.0]


def test_module_reprs_match_torch(torch):
    for name, args, kwargs in [("Hardtanh", (), {}), ("Hardtanh", (-2.0, 2.0), {"inplace": True}), ("ReLU6", (), {}),
                               ("ReLU6", (), {"inplace": True}), ("CELU", (), {}), ("CELU", (0.5,), {}),
                               ("SELU", (), {"inplace": True}), ("Threshold", (0.1, 20.0), {}), ("Softmin", (1,), {}),
                               ("Hardswish", (), {}), ("Hardsigmoid", (), {}), ("Mish", (), {}), ("Softsign", (), {}),
                               ("Tanhshrink", (), {})]:
        assert repr(getattr(ember.nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))
        assert getattr(ember.nn, name)(*args, **kwargs).state_dict() == {}

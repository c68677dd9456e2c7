"""F.normalize, F.pairwise_distance and F.kl_div against torch.nn.functional: values, dtypes,
gradients (float64 gradcheck), keyword forms, reductions and bad inputs. nn.KLDivLoss runs
through tests/nn/module_db.py's generic tests."""
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from op_db import assert_same

RNG = np.random.default_rng(8)


@pytest.mark.parametrize("shape,kwargs", [((3, 4), {}), ((3, 4), {"dim": 0}), ((2, 3, 4), {"p": 1.0, "dim": -1}),
                                          ((4,), {"dim": 0}), ((2, 3), {"p": 3.0, "eps": 0.5}),
                                          ((2, 3), {"p": float("inf")})])
def test_normalize_matches_torch(shape, kwargs, torch):
    x = RNG.normal(size=shape)
    assert_same(F.normalize(ember.tensor(x), **kwargs), torch.nn.functional.normalize(torch.tensor(x), **kwargs),
                1e-12, 1e-12)
    assert_same(F.normalize(ember.tensor(x).float(), **kwargs),
                torch.nn.functional.normalize(torch.tensor(x).float(), **kwargs), 1e-6, 1e-7)
    a, t = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (F.normalize(a, **kwargs) * ember.tensor(x)).sum().backward()
    (torch.nn.functional.normalize(t, **kwargs) * torch.tensor(x)).sum().backward()
    assert_same(a.grad, t.grad, 1e-10, 1e-12)
    assert ember.autograd.gradcheck(lambda v: F.normalize(v, **kwargs), [ember.tensor(x, requires_grad=True)])


def test_normalize_zero_rows_out_and_bad_inputs(torch):
    x = np.zeros((2, 3))
    assert_same(F.normalize(ember.tensor(x)), torch.nn.functional.normalize(torch.tensor(x)))
    out = ember.empty(2, 3, dtype=ember.float64)
    assert F.normalize(ember.tensor(x), out=out) is out
    with pytest.raises(TypeError, match="normalize"):
        F.normalize(ember.tensor([1, 2]), dim=0)
    with pytest.raises(RuntimeError):
        torch.nn.functional.normalize(torch.tensor([1, 2]), dim=0)
    with pytest.raises(IndexError, match="norm"):
        F.normalize(ember.ones(3), dim=2)
    with pytest.raises(TypeError, match="normalize: out must be a Tensor, got float"):
        F.normalize(ember.ones(3), dim=0, out=2.5)


@pytest.mark.parametrize("s1,s2,kwargs", [((3, 4), (3, 4), {}), ((3, 4), (4,), {"p": 1.0}), ((4,), (4,), {}),
                                          ((2, 3, 4), (3, 4), {"keepdim": True}), ((3, 4), (3, 4), {"eps": 0.0, "p": 3.0}),
                                          ((3, 4), (1, 4), {"p": float("inf")})])
def test_pairwise_distance_matches_torch(s1, s2, kwargs, torch):
    a, b = RNG.normal(size=s1), RNG.normal(size=s2)
    got = F.pairwise_distance(ember.tensor(a), ember.tensor(b), **kwargs)
    want = torch.nn.functional.pairwise_distance(torch.tensor(a), torch.tensor(b), **kwargs)
    assert_same(got, want, 1e-12, 1e-12)
    assert ember.autograd.gradcheck(lambda u, v: F.pairwise_distance(u, v, **kwargs),
                                    [ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)])


def test_pairwise_distance_bad_inputs(torch):
    ints = ember.tensor([[1, 5]]), ember.tensor([[4, 1]])  # integers are taken, as torch's (a float result)
    assert_same(F.pairwise_distance(*ints), torch.nn.functional.pairwise_distance(torch.tensor([[1, 5]]),
                                                                                  torch.tensor([[4, 1]])), 1e-6)
    with pytest.raises(ValueError, match=r"\(3, 4\)"):
        F.pairwise_distance(ember.ones(3, 4), ember.ones(2, 4))


@pytest.mark.parametrize("reduction", ["none", "sum", "batchmean", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target, torch):
    x = np.log(RNG.dirichlet(np.ones(5), size=4))
    y = RNG.dirichlet(np.ones(5), size=4)
    y[0, 0] = 0.0  # a zero target adds nothing (0 log 0 = 0)
    if log_target:
        y = np.log(y + 0.01)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = F.kl_div(ember.tensor(x), ember.tensor(y), reduction=reduction, log_target=log_target)
    assert any("batchmean" in str(w.message) for w in caught) == (reduction == "mean")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(y), reduction=reduction, log_target=log_target)
        assert_same(got, want, 1e-12, 1e-12)
        assert ember.autograd.gradcheck(lambda u, v: F.kl_div(u, v, reduction=reduction, log_target=log_target),
                                        [ember.tensor(x, requires_grad=True), ember.tensor(y + 0.5, requires_grad=True)])
    m = ember.nn.KLDivLoss(reduction=reduction, log_target=log_target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(m(ember.tensor(x), ember.tensor(y)), want, 1e-12, 1e-12)


def test_kl_div_legacy_flags_and_bad_inputs(torch):
    x, y = ember.zeros(2, 3), ember.full((2, 3), 0.5)
    assert_same(F.kl_div(x, y, size_average=False), torch.nn.functional.kl_div(torch.zeros(2, 3),
                                                                              torch.full((2, 3), 0.5), size_average=False))
    with pytest.raises(ValueError, match="kl_div: avg is not a valid value for reduction"):
        F.kl_div(x, y, reduction="avg")
    with pytest.raises(ValueError, match="KLDivLoss: avg is not a valid value for reduction"):
        ember.nn.KLDivLoss(reduction="avg")
    with pytest.raises(TypeError, match="kl_div"):
        F.kl_div(ember.zeros(2, dtype=ember.int64), ember.zeros(2), reduction="sum")
    with pytest.raises(TypeError, match="kl_div: expected a floating target, got int64"):
        F.kl_div(ember.zeros(2), ember.zeros(2, dtype=ember.int64), reduction="sum")
    assert repr(ember.nn.KLDivLoss(reduction="batchmean", log_target=True)) == repr(
        torch.nn.KLDivLoss(reduction="batchmean", log_target=True))

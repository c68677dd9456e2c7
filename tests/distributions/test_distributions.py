"""ember.distributions against torch.distributions: log_prob, entropy, cdf/icdf, mean/variance/mode,
shapes of samples, reprs, parameter and value validation with torch's messages, gradients of
log_prob and rsample (reparameterization), kl_divergence, sample statistics; the REINFORCE and VAE
patterns; and finfo/iinfo, which the distributions clamp with."""
import math

import numpy as np
import pytest

import ember
import ember.distributions as D

torch = pytest.importorskip("torch")
TD = torch.distributions

RNG = np.random.default_rng(0)


def _pair(make):
    return make(ember), make(torch)


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _close(a, b, tol=1e-12):
    np.testing.assert_allclose(_np(a), _np(b), rtol=tol, atol=tol)


LOC, SCALE, VALUE = RNG.standard_normal((2, 3)), RNG.uniform(0.5, 2.0, (2, 3)), RNG.standard_normal((4, 2, 3))
PROBS = RNG.uniform(0.05, 1.0, (2, 5))
BPROBS = RNG.uniform(0.05, 0.95, (2, 3))

CASES = {
    "Normal": lambda L: L.distributions.Normal(L.tensor(LOC), L.tensor(SCALE)),
    "Normal-scalar": lambda L: L.distributions.Normal(0.5, 2.0),
    "Categorical-probs": lambda L: L.distributions.Categorical(probs=L.tensor(PROBS)),
    "Categorical-logits": lambda L: L.distributions.Categorical(logits=L.tensor(np.log(PROBS) + 3.0)),
    "Bernoulli-probs": lambda L: L.distributions.Bernoulli(probs=L.tensor(BPROBS)),
    "Bernoulli-logits": lambda L: L.distributions.Bernoulli(logits=L.tensor(LOC)),
    "Uniform": lambda L: L.distributions.Uniform(L.tensor(LOC), L.tensor(LOC + SCALE)),
}


def _values(name, L):
    if name.startswith("Categorical"):
        return L.tensor(RNG.integers(0, 5, (4, 2)))
    if name.startswith("Bernoulli"):
        return L.tensor(RNG.integers(0, 2, (4, 2, 3)).astype(np.float64))
    if name == "Uniform":
        return L.tensor(LOC + SCALE * RNG.uniform(0, 1, (4, 2, 3)))
    return L.tensor(VALUE)


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    e, t = _pair(CASES[name])
    assert repr(e).replace("ember", "torch") == repr(t)
    assert tuple(e.batch_shape) == tuple(t.batch_shape) and tuple(e.event_shape) == tuple(t.event_shape)
    state = RNG.bit_generator.state
    ve = _values(name, ember)
    RNG.bit_generator.state = state
    vt = _values(name, torch)
    _close(e.log_prob(ve), t.log_prob(vt))
    _close(e.entropy(), t.entropy())
    for attr in ("mean", "variance", "stddev", "mode"):
        _close(getattr(e, attr), getattr(t, attr))
    for shape in ((), (7,), (2, 3)):
        assert tuple(e.sample(shape).shape) == tuple(t.sample(shape).shape)
    if hasattr(t, "probs") and "Categorical" in name or "Bernoulli" in name:
        _close(e.probs, t.probs)
        _close(e.logits, t.logits)
    if name.startswith(("Normal", "Uniform")):
        _close(e.cdf(_values(name, ember)), t.cdf(_values(name, torch)), 1e-12) if name == "Normal" else None
        assert tuple(e.rsample((5,)).shape) == tuple(t.rsample((5,)).shape)
    if name.startswith(("Categorical", "Bernoulli")):
        _close(e.enumerate_support(), t.enumerate_support())


def test_normal_cdf_icdf_and_reparameterized_gradients():
    loc = ember.tensor(LOC, requires_grad=True)
    scale = ember.tensor(SCALE, requires_grad=True)
    d = D.Normal(loc, scale)
    t = TD.Normal(torch.tensor(LOC), torch.tensor(SCALE))
    _close(d.cdf(ember.tensor(VALUE)), t.cdf(torch.tensor(VALUE)))
    q = RNG.uniform(0.01, 0.99, (2, 3))
    _close(d.icdf(ember.tensor(q)), t.icdf(torch.tensor(q)), 1e-10)
    # rsample: loc + eps * scale, so d(sample)/d(loc) = 1 and d(sample)/d(scale) = eps
    ember.manual_seed(0)
    x = d.rsample((1000,))
    x.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), 1000.0)
    eps = (x.detach() - loc.detach()) / scale.detach()
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0).numpy(), rtol=1e-10)
    assert D.Normal(loc, scale).sample().requires_grad is False


@pytest.mark.parametrize("name", ["Normal", "Categorical-logits", "Bernoulli-logits"])
def test_log_prob_and_entropy_gradients_match_torch(name):
    params = {"Normal": (LOC, SCALE), "Categorical-logits": (PROBS,), "Bernoulli-logits": (LOC,)}[name]
    pe = [ember.tensor(p, requires_grad=True) for p in params]
    pt = [torch.tensor(p, requires_grad=True) for p in params]
    make = {"Normal": lambda L, ps: L.distributions.Normal(*ps),
            "Categorical-logits": lambda L, ps: L.distributions.Categorical(logits=ps[0]),
            "Bernoulli-logits": lambda L, ps: L.distributions.Bernoulli(logits=ps[0])}[name]
    state = RNG.bit_generator.state
    ve = _values(name, ember)
    RNG.bit_generator.state = state
    vt = _values(name, torch)
    (make(ember, pe).log_prob(ve).sum() + make(ember, pe).entropy().sum()).backward()
    (make(torch, pt).log_prob(vt).sum() + make(torch, pt).entropy().sum()).backward()
    for a, b in zip(pe, pt):
        _close(a.grad, b.grad, 1e-10)


def test_sample_statistics():
    ember.manual_seed(1)
    n = 200_000
    x = D.Normal(ember.tensor(2.0), ember.tensor(3.0)).sample((n,))
    assert abs(x.mean().item() - 2) < 0.05 and abs(x.std().item() - 3) < 0.05
    c = D.Categorical(probs=ember.tensor([0.1, 0.2, 0.7])).sample((n,))
    np.testing.assert_allclose(np.bincount(c.numpy(), minlength=3) / n, [0.1, 0.2, 0.7], atol=0.01)
    b = D.Bernoulli(probs=ember.tensor(0.3)).sample((n,))
    assert abs(b.mean().item() - 0.3) < 0.01
    u = D.Uniform(-1.0, 3.0).sample((n,))
    assert u.min().item() >= -1 and u.max().item() < 3 and abs(u.mean().item() - 1) < 0.02


@pytest.mark.parametrize("pair", [
    (lambda L: L.distributions.Normal(L.tensor(LOC), L.tensor(SCALE)),
     lambda L: L.distributions.Normal(L.tensor(LOC[::-1].copy()), L.tensor(SCALE[::-1].copy()))),
    (lambda L: L.distributions.Categorical(probs=L.tensor(PROBS)),
     lambda L: L.distributions.Categorical(logits=L.tensor(PROBS[::-1].copy()))),
    (lambda L: L.distributions.Categorical(probs=L.tensor([[0.5, 0.5, 0.0]])),
     lambda L: L.distributions.Categorical(probs=L.tensor([[0.2, 0.0, 0.8]]))),
    (lambda L: L.distributions.Bernoulli(probs=L.tensor(BPROBS)), lambda L: L.distributions.Bernoulli(logits=L.tensor(LOC))),
    (lambda L: L.distributions.Bernoulli(probs=L.tensor([0.0, 1.0, 0.5])),
     lambda L: L.distributions.Bernoulli(probs=L.tensor([0.5, 0.0, 1.0]))),
    (lambda L: L.distributions.Uniform(0.0, 1.0), lambda L: L.distributions.Uniform(-1.0, 2.0)),
    (lambda L: L.distributions.Uniform(-1.0, 2.0), lambda L: L.distributions.Uniform(0.0, 1.0)),
], ids=["normal", "categorical", "categorical-zeros", "bernoulli", "bernoulli-edges", "uniform", "uniform-inf"])
def test_kl_divergence_matches_torch(pair):
    p, q = pair
    _close(D.kl_divergence(p(ember), q(ember)), TD.kl_divergence(p(torch), q(torch)), 1e-10)


def test_validation_as_torch():
    for make, match in (
        (lambda L: L.distributions.Normal(0.0, L.tensor([1.0, -1.0])), "satisfy the constraint GreaterThan"),
        (lambda L: L.distributions.Bernoulli(probs=L.tensor([1.5])), "Interval"),
        (lambda L: L.distributions.Categorical(probs=L.tensor([0.5, -0.5])), "Simplex"),
        (lambda L: L.distributions.Categorical(), "Either `probs` or `logits`"),
        (lambda L: L.distributions.Categorical(probs=L.tensor(0.5)), "at least one-dimensional"),
        (lambda L: L.distributions.Bernoulli(probs=L.tensor([0.3])).log_prob(L.tensor([0.5])), "support"),
        (lambda L: L.distributions.Categorical(probs=L.tensor([0.3, 0.7])).log_prob(L.tensor(2)), "support"),
        (lambda L: L.distributions.Uniform(1.0, 0.0), "LessThan"),
    ):
        for L in (ember, torch):
            with pytest.raises(ValueError, match=match):
                make(L)
    # validation off, as torch's argument
    assert math.isnan(D.Normal(0.0, -1.0, validate_args=False).log_prob(ember.tensor(0.0)).item())


def test_reinforce_and_vae_patterns_run_as_torch():
    """REINFORCE's loss and a VAE's reparameterized KL term give torch's gradients."""
    logits = RNG.standard_normal((4, 3))
    actions, rewards = np.array([0, 2, 1, 2]), np.array([1.0, -0.5, 2.0, 0.3])
    grads = []
    for L in (ember, torch):
        lg = L.tensor(logits, requires_grad=True)
        m = L.distributions.Categorical(logits=lg)
        (-m.log_prob(L.tensor(actions)) * L.tensor(rewards)).sum().backward()
        grads.append(_np(lg.grad))
    _close(grads[0], grads[1], 1e-12)
    grads = []
    for L in (ember, torch):
        mu, log_var = L.tensor(LOC, requires_grad=True), L.tensor(SCALE - 1, requires_grad=True)
        q = L.distributions.Normal(mu, (0.5 * log_var).exp())
        L.distributions.kl_divergence(q, L.distributions.Normal(0.0, 1.0)).sum().backward()
        grads.append((_np(mu.grad), _np(log_var.grad)))
    _close(grads[0][0], grads[1][0])
    _close(grads[0][1], grads[1][1])


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_finfo_as_torch(dtype):
    e, t = ember.finfo(getattr(ember, dtype)), torch.finfo(getattr(torch, dtype))
    assert repr(e) == repr(t)
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(e, attr) == getattr(t, attr), attr


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_as_torch(dtype):
    e, t = ember.iinfo(getattr(ember, dtype)), torch.iinfo(getattr(torch, dtype))
    assert repr(e) == repr(t)
    assert (e.bits, e.min, e.max, e.dtype) == (t.bits, t.min, t.max, t.dtype)


def test_finfo_iinfo_refuse_the_other_kind():
    with pytest.raises(TypeError, match="iinfo"):
        ember.finfo(ember.int32)
    with pytest.raises(TypeError, match="finfo"):
        ember.iinfo(ember.float32)
    assert ember.finfo().dtype == "float32"

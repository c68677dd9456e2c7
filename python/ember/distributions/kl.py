"""kl_divergence, as torch.distributions.kl: the closed forms between two distributions of a kind."""
import math

import ember
import ember.nn.functional as F
from ember.distributions.bernoulli import Bernoulli
from ember.distributions.categorical import Categorical
from ember.distributions.normal import Normal
from ember.distributions.uniform import Uniform

_KL = {}


def register_kl(type_p, type_q):
    """Registers fn(p, q) as the KL divergence of two distributions of these types, as torch's.

    Args:
        type_p (type): the class of p.
        type_q (type): the class of q.

    Returns:
        A decorator that registers the function it decorates.

    Example::

        >>> from ember.distributions import Normal, kl_divergence, register_kl
        >>> class Wide(Normal):
        ...     pass
        >>> @register_kl(Wide, Wide)
        ... def kl_wide(p, q):
        ...     return kl_divergence(Normal(p.loc, p.scale), Normal(q.loc, q.scale))
        >>> kl_divergence(Wide(0.0, 1.0), Wide(1.0, 1.0))
        tensor(0.5000)
    """
    def decorator(fn):
        _KL[type_p, type_q] = fn
        return fn
    return decorator


def kl_divergence(p, q):
    r""":math:`KL(p \| q) = E_p[\log p(x) - \log q(x)]`, in closed form, as
    torch.distributions.kl_divergence: for two Normal, Categorical, Bernoulli or Uniform
    distributions (or pairs registered with :func:`register_kl`).

    Args:
        p (Distribution): the distribution the expectation is under.
        q (Distribution): the other one.

    Returns:
        Tensor: one divergence per distribution of the batch.

    Example::

        >>> from ember.distributions import Normal, kl_divergence
        >>> kl_divergence(Normal(0.0, 1.0), Normal(1.0, 1.0))
        tensor(0.5000)
    """
    fn = _KL.get((type(p), type(q)))
    if fn is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type {type(p).__name__} and q type "
                                  f"{type(q).__name__}")
    return fn(p, q)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    t = p.probs * (p.logits - q.logits)
    t = ember.where((q.probs == 0).expand_as(t), math.inf, t)
    t = ember.where((p.probs == 0).expand_as(t), 0.0, t)
    return t.sum(-1)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    t1 = p.probs * (F.softplus(-q.logits) - F.softplus(-p.logits))
    t1 = ember.where(q.probs == 0, math.inf, t1)
    t1 = ember.where(p.probs == 0, 0.0, t1)
    t2 = (1 - p.probs) * (F.softplus(q.logits) - F.softplus(p.logits))
    t2 = ember.where(q.probs == 1, math.inf, t2)
    t2 = ember.where(p.probs == 1, 0.0, t2)
    return t1 + t2


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return ember.where((q.low > p.low) | (q.high < p.high), math.inf, result)

"""ember.distributions: probability distributions with sampling, reparameterized sampling,
log-densities, entropies and KL divergences, as torch.distributions (Normal, Categorical,
Bernoulli, Uniform). Written over ember's ops, so log_prob, entropy, rsample and
kl_divergence are differentiable."""
from ember.distributions.bernoulli import Bernoulli
from ember.distributions.categorical import Categorical
from ember.distributions.distribution import Distribution, constraints
from ember.distributions.kl import kl_divergence, register_kl
from ember.distributions.normal import Normal
from ember.distributions.uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "Normal", "Uniform", "constraints", "kl_divergence",
           "register_kl"]

"""The normal distribution, as torch.distributions.Normal."""
import math

import ember
from ember.distributions.distribution import Distribution, broadcast_all, constraints


class Normal(Distribution):
    r"""The normal (Gaussian) distribution with mean ``loc`` and standard deviation ``scale``, as
    torch.distributions.Normal. Its samples are reparameterized (rsample: loc + scale * eps), so
    gradients flow to loc and scale, as a VAE's encoder needs.

    Args:
        loc (float or Tensor): the mean.
        scale (float or Tensor): the standard deviation, positive.
        validate_args (bool, optional): check scale > 0 (and nothing on values). Default: True.

    Example::

        >>> d = ember.distributions.Normal(ember.tensor([0.0, 1.0]), ember.tensor([1.0, 2.0]))
        >>> d.log_prob(ember.tensor([0.0, 1.0]))
        tensor([-0.9189, -1.6121])
        >>> d.rsample((5,)).shape
        ember.Size([5, 2])
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = ember.randn(shape, dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        var = self.scale ** 2
        log_scale = self.scale.log()
        return -((value - self.loc) ** 2) / (2 * var) - log_scale - math.log(math.sqrt(2 * math.pi))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + ember.erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value):
        return self.loc + self.scale * ember.erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + ember.log(self.scale)

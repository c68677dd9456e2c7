"""The continuous uniform distribution, as torch.distributions.Uniform."""
import ember
from ember.distributions.distribution import Distribution, broadcast_all, constraints


class Uniform(Distribution):
    r"""The uniform distribution on [low, high), as torch.distributions.Uniform; rsample is
    reparameterized (low + u (high - low)).

    Args:
        low (float or Tensor): the lower bound, inclusive.
        high (float or Tensor): the upper bound, exclusive; above low.
        validate_args (bool, optional): check low < high and log_prob's values. Default: True.

    Example::

        >>> d = ember.distributions.Uniform(0.0, 4.0)
        >>> d.log_prob(ember.tensor(1.0))
        tensor(-1.3863)
    """

    arg_constraints = {"low": constraints.real, "high": constraints.real}
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        super().__init__(self.low.shape, validate_args=validate_args)
        if self._validate_args and not bool((self.low < self.high).all()):
            raise ValueError(f"Expected parameter low (Tensor of shape {tuple(self.low.shape)}) of distribution "
                             f"{self!r} to satisfy the constraint LessThan(upper_bound=high), but found invalid "
                             f"values:\n{self.low}")

    @property
    def support(self):
        return constraints.half_open_interval(self.low, self.high)

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def mode(self):
        return ember.full_like(self.high, float("nan"))

    @property
    def stddev(self):
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self):
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        rand = ember.rand(shape, dtype=self.low.dtype)
        return self.low + rand * (self.high - self.low)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        inside = (self.low <= value).to(self.low.dtype) * (self.high > value).to(self.low.dtype)
        return inside.log() - (self.high - self.low).log()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value):
        return value * (self.high - self.low) + self.low

    def entropy(self):
        return (self.high - self.low).log()

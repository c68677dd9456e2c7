"""The Bernoulli distribution, as torch.distributions.Bernoulli."""
import ember
import ember.nn.functional as F
from ember.distributions.distribution import Distribution, broadcast_all, clamp_probs, constraints


class Bernoulli(Distribution):
    r"""A coin that gives 1 with probability ``probs`` (or ``sigmoid(logits)``) and 0 otherwise,
    as torch.distributions.Bernoulli.

    Args:
        probs (float or Tensor, optional): the probability of a 1, in [0, 1].
        logits (float or Tensor, optional): its log-odds. Exactly one of the two.
        validate_args (bool, optional): check the parameter and log_prob's values. Default: True.

    Example::

        >>> m = ember.distributions.Bernoulli(probs=ember.tensor([0.3, 0.9]))
        >>> m.log_prob(ember.tensor([1.0, 0.0]))
        tensor([-1.2040, -2.3026])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            param = self.probs
        else:
            (self.logits,) = broadcast_all(logits)
            param = self.logits
        self._param = param
        super().__init__(param.shape, validate_args=validate_args)

    def __getattr__(self, name):  # the parameter not given, computed on first use
        if name == "logits":
            probs = clamp_probs(self.__dict__["probs"])
            value = probs.log() - (-probs).log1p()
        elif name == "probs":
            value = ember.sigmoid(self.__dict__["logits"])
        else:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        self.__dict__[name] = value
        return value

    @property
    def param_shape(self):
        return self._param.shape

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return ember.where(self.probs == 0.5, float("nan"), mode)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            return ember.bernoulli(self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -F.binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand=True):
        values = ember.arange(2, dtype=self._param.dtype).reshape((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + tuple(self._batch_shape)) if expand else values

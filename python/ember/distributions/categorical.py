"""The categorical distribution, as torch.distributions.Categorical."""
import math

import ember
from ember.distributions.distribution import Distribution, clamp_probs, constraints


class Categorical(Distribution):
    r"""A distribution over the categories 0 .. K - 1 of the last dim of ``probs`` (normalized to
    sum to 1) or ``logits`` (unnormalized log-probabilities), as torch.distributions.Categorical.
    The policy of REINFORCE: ``m.sample()``, then ``-m.log_prob(action) * reward``.

    Args:
        probs (Tensor, optional): (..., K) non-negative weights.
        logits (Tensor, optional): (..., K) unnormalized log-probabilities. Exactly one of the two.
        validate_args (bool, optional): check the parameters and log_prob's values. Default: True.

    Example::

        >>> m = ember.distributions.Categorical(probs=ember.tensor([0.25, 0.25, 0.5]))
        >>> m.log_prob(ember.tensor(2))
        tensor(-0.6931)
        >>> m.sample((4,)).shape
        ember.Size([4])
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            param = self.probs
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
            param = self.logits
        self._param = param
        self._num_events = param.shape[-1]
        super().__init__(param.shape[:-1] if param.dim() > 1 else (), validate_args=validate_args)

    def __getattr__(self, name):  # the parameter not given, computed on first use
        if name == "logits":
            value = clamp_probs(self.__dict__["probs"]).log()
        elif name == "probs":
            value = ember.softmax(self.__dict__["logits"], -1)
        else:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        self.__dict__[name] = value
        return value

    @property
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def param_shape(self):
        return self._param.shape

    @property
    def mean(self):
        return ember.full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    @property
    def variance(self):
        return ember.full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    @property
    def mode(self):
        return self.probs.argmax(dim=-1)

    def sample(self, sample_shape=()):
        shape = tuple(sample_shape)
        count = math.prod(shape)
        with ember.no_grad():
            probs_2d = self.probs.reshape(-1, self._num_events)
            samples_2d = ember.multinomial(probs_2d, count, True).T
        return samples_2d.reshape(self._extended_shape(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = ember.broadcast_tensors(value, self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self):
        logits = self.logits.clamp(min=ember.finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        values = ember.arange(self._num_events).reshape((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + tuple(self._batch_shape)) if expand else values

"""The base of ember.distributions, as torch.distributions.Distribution: shapes, argument and
sample validation, and the helpers the distributions share."""
import ember


class Constraint:
    """A set of valid values: check(value) is a bool tensor; str is torch's constraint name."""

    def __init__(self, name, check):
        self.name, self.check = name, check

    def __str__(self):
        return self.name

    __repr__ = __str__


def _is_simplex(v):
    return (v >= 0).all(-1) & ((v.sum(-1) - 1).abs() < 1e-6)


class constraints:
    """The constraints the distributions declare, under torch.distributions.constraints' names:
    each has check(value), a bool tensor.

    Example::

        >>> ember.distributions.constraints.positive.check(ember.tensor([1.0, -1.0]))
        tensor([ True, False])
    """

    real = Constraint("Real()", lambda v: v == v)
    real_vector = Constraint("IndependentConstraint(Real(), 1)", lambda v: (v == v).all(-1))
    positive = Constraint("GreaterThan(lower_bound=0.0)", lambda v: v > 0)
    unit_interval = Constraint("Interval(lower_bound=0.0, upper_bound=1.0)", lambda v: (v >= 0) & (v <= 1))
    boolean = Constraint("Boolean()", lambda v: (v == 0) | (v == 1))
    simplex = Constraint("Simplex()", _is_simplex)

    @staticmethod
    def integer_interval(lower, upper):
        return Constraint(f"IntegerInterval(lower_bound={lower}, upper_bound={upper})",
                          lambda v: (v % 1 == 0) & (v >= lower) & (v <= upper))

    @staticmethod
    def interval(lower, upper):
        return Constraint(f"Interval(lower_bound={lower}, upper_bound={upper})", lambda v: (v >= lower) & (v <= upper))

    @staticmethod
    def half_open_interval(lower, upper):
        return Constraint(f"HalfOpenInterval(lower_bound={lower}, upper_bound={upper})",
                          lambda v: (v >= lower) & (v < upper))


def broadcast_all(*values):
    """The values as tensors of one broadcast shape; numbers take the tensors' dtype (or the default)."""
    tensors = [v for v in values if isinstance(v, ember.Tensor)]
    for v in values:
        if not isinstance(v, (ember.Tensor, int, float)):
            raise ValueError("Input arguments must all be instances of numbers.Number or ember.Tensor.")
    dtype = tensors[0].dtype if tensors else ember.get_default_dtype()
    as_tensors = [v if isinstance(v, ember.Tensor) else ember.tensor(v, dtype=dtype) for v in values]
    return ember.broadcast_tensors(*as_tensors)


def _size(shape):
    return ember.Size(tuple(shape))


def clamp_probs(probs):
    """probs kept one eps inside (0, 1), so their logarithms stay finite."""
    eps = ember.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


class Distribution:
    r"""The base class of ember's distributions, as torch.distributions.Distribution.

    Args:
        batch_shape (tuple): the shape of the batch of independent distributions.
        event_shape (tuple): the shape of one sample of one of them.
        validate_args (bool, optional): check the parameters (and log_prob's values) against the
            constraints. Default: True, as torch's.

    Example::

        >>> d = ember.distributions.Normal(ember.zeros(3), 1.0)
        >>> d.batch_shape, d.event_shape
        (ember.Size([3]), ember.Size([]))
    """

    arg_constraints = {}
    support = None
    has_rsample = False
    _validate_default = True

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape, self._event_shape = _size(batch_shape), _size(event_shape)
        self._validate_args = self._validate_default if validate_args is None else validate_args
        if self._validate_args:
            for name, constraint in self.arg_constraints.items():
                if name not in self.__dict__:
                    continue  # the parameter not given (probs or logits)
                value = self.__dict__[name]
                if not bool(constraint.check(value).all()):
                    raise ValueError(f"Expected parameter {name} (Tensor of shape {tuple(value.shape)}) of "
                                     f"distribution {self!r} to satisfy the constraint {constraint}, but found "
                                     f"invalid values:\n{value}")

    @staticmethod
    def set_default_validate_args(value):
        """Turns argument validation on or off for distributions made afterwards, as torch's."""
        if value not in (True, False):
            raise ValueError("validate_args must be True or False")
        Distribution._validate_default = value

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    @property
    def mean(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement mean")

    @property
    def variance(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement variance")

    @property
    def stddev(self):
        return self.variance.sqrt()

    def _extended_shape(self, sample_shape=()):
        return _size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def sample(self, sample_shape=()):
        """A sample (without gradient) of shape sample_shape + batch_shape + event_shape."""
        with ember.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        raise NotImplementedError(f"{type(self).__name__} does not implement rsample")

    def sample_n(self, n):
        return self.sample((n,))

    def log_prob(self, value):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        return self.entropy().exp()

    def _validate_sample(self, value):
        if not isinstance(value, ember.Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim = len(self._event_shape)
        if tuple(value.shape[value.dim() - event_dim:]) != tuple(self._event_shape):
            raise ValueError(f"The right-most size of value must match event_shape: {tuple(value.shape)} vs "
                             f"{tuple(self._event_shape)}.")
        try:
            ember.broadcast_shapes(tuple(value.shape), tuple(self._batch_shape) + tuple(self._event_shape))
        except (RuntimeError, ValueError):
            raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: {tuple(value.shape)} vs "
                             f"{tuple(self._batch_shape) + tuple(self._event_shape)}.") from None
        if self.support is not None and not bool(self.support.check(value).all()):
            raise ValueError(f"Expected value argument (Tensor of shape {tuple(value.shape)}) to be within the "
                             f"support ({self.support}) of the distribution {self!r}, but found invalid "
                             f"values:\n{value}")

    def __repr__(self):
        names = [k for k in self.arg_constraints if k in self.__dict__]
        args = ", ".join(f"{k}: {self.__dict__[k] if self.__dict__[k].numel() == 1 else self.__dict__[k].size()}"
                         for k in names)
        return f"{type(self).__name__}({args})"


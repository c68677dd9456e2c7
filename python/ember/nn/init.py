"""ember.nn.init: weight initialization with torch.nn.init's names, signatures and defaults.

Each function fills `tensor` in place without recording history (parameters that require grad
can be filled) and returns it. The formulas are C++ (ember::nn::init), shared with C++ layers.
"""
import numbers

from ember._C import _nn_init as _init


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity: 1 (linear, conv*, sigmoid), 5/3 (tanh), sqrt(2)
    (relu), sqrt(2 / (1 + negative_slope^2)) (leaky_relu, slope 0.01 by default), 3/4 (selu)."""
    if param is not None and (isinstance(param, bool) or not isinstance(param, numbers.Real)):
        raise ValueError(f"negative_slope {param} not a valid number")
    return _init.calculate_gain(nonlinearity, param)


def _calculate_fan_in_and_fan_out(tensor):
    return _init.calculate_fan_in_and_fan_out(tensor)


def constant_(tensor, val):
    """Fills with val."""
    return _init.constant_(tensor, val)


def zeros_(tensor):
    """Fills with 0."""
    return _init.constant_(tensor, 0.0)


def ones_(tensor):
    """Fills with 1."""
    return _init.constant_(tensor, 1.0)


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """U(a, b)."""
    return _init.uniform_(tensor, a, b, generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """N(mean, std^2); small random weights: normal_(w, std=0.01)."""
    return _init.normal_(tensor, mean, std, generator)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    return _init.xavier_uniform_(tensor, gain, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    return _init.xavier_normal_(tensor, gain, generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He: U(-b, b), b = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a)."""
    return _init.kaiming_uniform_(tensor, a, mode, nonlinearity, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He: N(0, gain^2 / fan); with nonlinearity="relu" this is N(0, 1) * sqrt(2 / fan_in)."""
    return _init.kaiming_normal_(tensor, a, mode, nonlinearity, generator)


def lecun_normal_(tensor, generator=None):
    """LeCun ("simple Xavier"): N(0, 1) * sqrt(1 / fan_in). Not in PyTorch."""
    return _init.lecun_normal_(tensor, generator)


def orthogonal_(tensor, gain=1, generator=None):
    """A (semi-)orthogonal matrix from the QR decomposition of a standard normal one, times gain
    (the tensor is seen as size(0) rows)."""
    return _init.orthogonal_(tensor, gain, generator)


__all__ = ["calculate_gain", "constant_", "kaiming_normal_", "kaiming_uniform_", "lecun_normal_",
           "normal_", "ones_", "orthogonal_", "uniform_", "xavier_normal_", "xavier_uniform_",
           "zeros_"]

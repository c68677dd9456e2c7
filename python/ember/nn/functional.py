"""ember.nn.functional: stateless forms of the layers, as torch.nn.functional."""

from ember._C._nn_functional import one_hot

__all__ = ["one_hot"]

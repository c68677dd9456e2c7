"""ember.nn: neural-network building blocks. Layers arrive with the layers issue; for now the
functional namespace holds the ops that PyTorch keeps there, init the weight initializers and
utils the regularization helpers."""

from ember.nn import functional, init, utils  # noqa: F401

"""ember.nn: neural-network building blocks. Layers arrive with the layers issue; for now the
functional namespace holds the ops that PyTorch keeps there, and init the weight initializers."""

from ember.nn import functional, init  # noqa: F401

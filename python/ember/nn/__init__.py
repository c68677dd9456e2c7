"""ember.nn: neural-network building blocks. Layers arrive with the layers issue; for now the
functional namespace holds the ops that PyTorch keeps there."""

from ember.nn import functional  # noqa: F401

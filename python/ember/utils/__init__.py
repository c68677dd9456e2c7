"""ember.utils: where PyTorch programs look for ``torch.utils.data``; ``ember.utils.data`` is the
module ember.data itself (one module under two names, not a copy)."""
import sys

from ember import data

sys.modules[__name__ + ".data"] = data

__all__ = ["data"]

"""ember.utils: where PyTorch programs look for ``torch.utils.data``; ``ember.utils.data`` is the
module ember.data itself (one module under two names, not a copy). ``ember.utils.checkpoint``:
activation checkpointing."""
import sys

from ember import data

sys.modules[__name__ + ".data"] = data

from ember.utils import checkpoint  # noqa: E402

__all__ = ["checkpoint", "data"]

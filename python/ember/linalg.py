"""ember.linalg: linear algebra, as torch.linalg (the ops live in ember._C._linalg)."""
from ember._C._linalg import eigh, eigvalsh

__all__ = ["eigh", "eigvalsh"]

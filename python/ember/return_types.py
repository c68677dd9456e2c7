"""ember.return_types: the named tuples that max, min, sort, topk, cummax, cummin, median,
nanmedian, kthvalue and mode (values, indices), aminmax (min, max), linalg.eigh (eigenvalues,
eigenvectors), linalg.slogdet (sign, logabsdet), linalg.lu_factor (LU, pivots), linalg.qr (Q, R) and
linalg.svd (U, S, Vh) return, as torch.return_types (made by the C++ core; here so pickles and isinstance
checks can name them)."""
from ember._C import return_types as _types

globals().update({name: getattr(_types, name) for name in dir(_types) if not name.startswith("_")})
__all__ = ["aminmax", "cummax", "cummin", "kthvalue", "linalg_eigh", "linalg_lu_factor", "linalg_qr", "linalg_slogdet", "linalg_svd", "max", "median", "min", "mode", "nanmedian", "sort", "topk"]  # noqa: F822 (set from _types above)

"""ember.return_types: the named tuples that max, min, sort, topk, cummax, cummin, median,
nanmedian, kthvalue and mode (values, indices), aminmax (min, max), linalg.eigh (eigenvalues,
eigenvectors), linalg.slogdet (sign, logabsdet), linalg.lu_factor (LU, pivots), linalg.qr (Q, R) and
linalg.svd (U, S, Vh) return, as torch.return_types (made by the C++ core; here so pickles and isinstance
checks can name them)."""
from ember._C import return_types as _types

globals().update({name: getattr(_types, name) for name in dir(_types) if not name.startswith("_")})


def _named(name, fields):
    """A named tuple ember.return_types.<name> with torch's repr (one field per line)."""
    import collections

    cls = collections.namedtuple(name, fields, module=__name__)

    def __repr__(self):
        return f"ember.return_types.{name}(\n" + ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self)) + ")"

    cls.__repr__ = __repr__
    cls.__doc__ = f"ember.return_types.{name}({', '.join(fields)}): a named tuple, as torch.return_types.{name}."
    return cls


# the linalg solvers written in Python (ember/_linalg_solvers.py)
linalg_lu_factor_ex = _named("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_lu = _named("linalg_lu", ("P", "L", "U"))
lu_unpack = _named("lu_unpack", ("P", "L", "U"))
linalg_solve_ex = _named("linalg_solve_ex", ("result", "info"))
linalg_inv_ex = _named("linalg_inv_ex", ("inverse", "info"))
linalg_cholesky_ex = _named("linalg_cholesky_ex", ("L", "info"))
linalg_lstsq = _named("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
svd = _named("svd", ("U", "S", "V"))
qr = _named("qr", ("Q", "R"))
triangular_solve = _named("triangular_solve", ("solution", "cloned_coefficient"))

__all__ = ["aminmax", "cummax", "cummin", "kthvalue", "linalg_eigh", "linalg_lu_factor", "linalg_qr", "linalg_slogdet", "linalg_svd", "max", "median", "min", "mode", "nanmedian", "sort", "topk",
           "linalg_lu_factor_ex", "linalg_lu", "lu_unpack", "linalg_solve_ex", "linalg_inv_ex", "linalg_cholesky_ex",
           "linalg_lstsq", "svd", "qr", "triangular_solve"]  # noqa: F822 (set from _types above)

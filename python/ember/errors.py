"""ember's exceptions for bad input to its ops.

Each is a subclass of the builtin exception of its name and of ``RuntimeError``: ember says
what is wrong (a value or shape, a dtype or argument kind, an index) where torch raises
``RuntimeError`` for most of it, so ``except ValueError`` and ``except RuntimeError`` both
catch ``ember.errors.ValueError``, and code written for torch keeps working.

Example::

    >>> try:
    ...     ember.ones(2, 3) @ ember.ones(4, 5)
    ... except RuntimeError as e:
    ...     print(type(e).__name__, isinstance(e, ValueError), e)
    ValueError True matmul: shapes (2, 3) and (4, 5) cannot be multiplied
"""

from ember._C import _IndexError as IndexError  # noqa: A004  (the builtin's name, on purpose)
from ember._C import _TypeError as TypeError  # noqa: A004
from ember._C import _ValueError as ValueError  # noqa: A004

__all__ = ["IndexError", "TypeError", "ValueError"]

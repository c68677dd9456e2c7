"""Inputs shared by the benchmark cases: the same random data in each library."""


M = 1_000_000  # "1M" elements


def randn(m, *shape):
    """A float32 standard-normal array/tensor of `shape` from library module `m`."""
    if m.__name__ == "numpy":
        return m.random.default_rng(0).standard_normal(shape, dtype=m.float32)
    return m.randn(*shape)  # float32 by default in ember and torch


def randint(m, high, n):
    """An int64 vector of `n` random indices in [0, high) from library module `m`."""
    if m.__name__ == "numpy":
        return m.random.default_rng(0).integers(0, high, size=n, dtype=m.int64)
    return m.randint(0, high, (n,), dtype=m.int64)

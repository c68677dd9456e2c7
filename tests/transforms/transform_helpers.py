"""Shared pieces of the ember.transforms tests: image batches and their NumPy views."""
import numpy as np

import ember

DTYPES = [np.uint8, np.float32, np.float64]


def images(shape, dtype=np.float32, seed=0):
    """Random images of `shape` (uint8 in 0..255, floats in [0, 1)) as a NumPy array."""
    rng = np.random.default_rng(seed)
    if dtype == np.uint8:
        return rng.integers(0, 256, size=shape, dtype=np.uint8)
    return rng.random(shape).astype(dtype)


def smooth(shape, dtype=np.float64):
    """Smooth images (low-frequency sines): interpolation errors stay far below 1e-5 tolerances
    only through the formulas, not through luck."""
    *lead, c, h, w = shape
    y, x = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    out = np.empty(shape, dtype)
    for k, idx in enumerate(np.ndindex(*lead, c)):
        out[idx] = 0.5 + 0.25 * np.sin(0.3 * x + 0.2 * y + k) + 0.2 * np.cos(0.17 * y - 0.11 * x + 0.5 * k)
    return out


def run(transform, x, seed=0):
    """transform(x) under ember.manual_seed(seed), as a NumPy array."""
    ember.manual_seed(seed)
    return transform(ember.tensor(x)).numpy()


def as_pixels(ref, dtype):
    """A float reference result in an image dtype: uint8 rounded half to even and clipped."""
    if dtype == np.uint8:
        return np.clip(np.round(ref), 0, 255).astype(np.uint8)
    return ref.astype(dtype)


def seeded_twice_and_threads(transform, x):
    """transform(x) under one seed with 1 thread and with 2: they must be equal."""
    threads = ember.get_num_threads()
    try:
        ember.set_num_threads(1)
        one = run(transform, x, seed=11)
        ember.set_num_threads(2)
        two = run(transform, x, seed=11)
    finally:
        ember.set_num_threads(threads)
    return one, two

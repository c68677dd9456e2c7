"""Comparing ember.metrics with scikit-learn: results (tensors where sklearn gives arrays, floats
where it gives scalars) and the warnings both raise."""
import math
import warnings

import numpy as np

import ember


def call(fn, *args, **kwargs):
    """(result or the exception raised, [(warning class name, message)])."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - compared by type below
            result = exc
    names = [(w.category.__name__, str(w.message)) for w in caught
             if w.category.__name__ in ("UndefinedMetricWarning", "UserWarning")]
    return result, names


def assert_same_value(ours, theirs, rtol=1e-12, atol=1e-12):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            assert_same_value(o, t, rtol, atol)
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs)
        for key in theirs:
            assert_same_value(ours[key], theirs[key], rtol, atol)
    elif theirs is None:
        assert ours is None
    elif isinstance(theirs, str):
        assert ours == theirs
    elif isinstance(theirs, np.ndarray):
        assert isinstance(ours, ember.Tensor), f"expected a tensor, got {type(ours)}"
        o = ours.numpy()
        assert o.shape == theirs.shape
        assert o.dtype.kind == theirs.dtype.kind, (o.dtype, theirs.dtype)
        np.testing.assert_allclose(o, theirs, rtol=rtol, atol=atol)
    else:
        assert isinstance(ours, float), f"expected a float, got {type(ours)}"
        theirs = float(theirs)
        assert (math.isnan(ours) and math.isnan(theirs)) or math.isclose(ours, theirs, rel_tol=rtol, abs_tol=atol), \
            (ours, theirs)


def assert_matches(ours_fn, theirs_fn, *args, rtol=1e-12, atol=1e-12, **kwargs):
    """Same result (or the same exception type) and the same warnings from both."""
    ours, our_warnings = call(ours_fn, *args, **kwargs)
    theirs, their_warnings = call(theirs_fn, *args, **kwargs)
    if isinstance(theirs, Exception):
        assert isinstance(ours, type(theirs)) or (isinstance(theirs, ValueError) and isinstance(ours, ValueError)), \
            f"sklearn raised {type(theirs).__name__}: {theirs}; ember gave {ours!r}"
        return ours
    assert not isinstance(ours, Exception), f"ember raised {type(ours).__name__}: {ours}"
    assert_same_value(ours, theirs, rtol, atol)
    assert sorted(our_warnings) == sorted(their_warnings)
    return ours

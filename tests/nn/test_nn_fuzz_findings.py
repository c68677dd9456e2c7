"""Regressions from the differential fuzzer (tests/fuzz) in ember.nn.functional and its top-level
twins: each case is a divergence from torch it found, fixed, and pinned here with torch as the
oracle (dtype, shape and values, or the exception)."""
import math

import pytest

import ember
import ember.nn.functional as F


def _dtype_name(t):
    return str(t.dtype).split(".")[-1]


def _same(e, t):
    """ember's result e equals torch's t: dtype, shape, values (NaN equal, signed zeros told apart)."""
    assert _dtype_name(e) == _dtype_name(t)
    assert tuple(e.shape) == tuple(t.shape)
    ev, tv = e.double().reshape(-1).tolist(), t.double().reshape(-1).tolist()
    for a, b in zip(ev, tv):
        assert (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b)), (ev, tv)


def _both(torch, fn, *arrays):
    """fn(lib, *tensors) on ember and torch; arrays are (data, dtype name) pairs."""
    def run(lib):
        return fn(lib, *[lib.tensor(d, dtype=getattr(lib, dt)) for d, dt in arrays])
    return run(ember), run(torch)


@pytest.mark.parametrize("case", [
    # an integer input keeps its dtype (margin truncated, margin - x wrapping in uint8)
    (([7, 1], "uint8"), ([4, 8], "uint8"), 1.0, "none"),
    (([7, 1], "uint8"), ([-1, 1], "int64"), 1.0, "none"),
    (([7, -3], "int8"), ([-1, 1], "int64"), 2.7, "none"),
    (([7, -3], "int8"), ([-1, 0], "int64"), -2.7, "none"),
    (([-2147483648, 8], "int32"), ([-2, 3], "int32"), 0.0, "none"),
    (([7, 1, 3], "int16"), ([-1, 1, 5], "int64"), 1.0, "sum"),
    # a uint8 target of 255 compares equal to -1, as torch's
    (([3], "uint8"), ([[2, 7, 255, 3, 5]], "uint8"), 1.0, "none"),
    (([0.5, -2.0, 1.0], "float64"), ([255, 1, 0], "uint8"), -2.28, "none"),
    # a float input keeps its dtype against a float64 target
    (([1.0, 2.0], "float16"), ([-1.0, 1.0], "float64"), math.inf, "none"),
    (([1.0, 2.0], "float32"), ([-1.0, 1.0], "float64"), math.nan, "mean"),
], ids=str)
def test_hinge_embedding_loss_keeps_the_input_dtype(case, torch):
    x, y, margin, reduction = case
    e, t = _both(torch, lambda L, a, b: L.nn.functional.hinge_embedding_loss(a, b, margin, reduction=reduction), x, y)
    _same(e, t)


@pytest.mark.parametrize("case", [
    (([7, 1], "int8"), 300.0),            # the margin does not fit the input's dtype
    (([7, 1], "uint8"), -1.0),
    (([1.0, 2.0], "float16"), 1e6),
    (([1.0, 2.0], "float32"), 1e308),
], ids=str)
def test_hinge_embedding_loss_margin_out_of_range_raises(case, torch):
    (x, dt), margin = case
    with pytest.raises(RuntimeError):
        torch.nn.functional.hinge_embedding_loss(torch.tensor(x, dtype=getattr(torch, dt)), torch.zeros(2), margin)
    with pytest.raises(RuntimeError, match="hinge_embedding_loss: value .* cannot be converted"):
        F.hinge_embedding_loss(ember.tensor(x, dtype=getattr(ember, dt)), ember.zeros(2), margin)


def test_hinge_embedding_loss_mean_of_integers_raises(torch):
    with pytest.raises(RuntimeError):
        torch.nn.functional.hinge_embedding_loss(torch.tensor([1, 2]), torch.tensor([1, -1]))
    with pytest.raises(TypeError, match="mean"):
        F.hinge_embedding_loss(ember.tensor([1, 2]), ember.tensor([1, -1]))


@pytest.mark.parametrize("reduction", [-1, 3, 7, 2, 1, 0])
def test_top_level_losses_leave_other_reductions_unreduced(reduction, torch):
    """torch.hinge_embedding_loss(..., reduction=k): 1 means, 2 sums, anything else reduces nothing."""
    e, t = _both(torch, lambda L, a, b: L.hinge_embedding_loss(a, b, 1.0, reduction), ([1.0, -2.0], "float32"),
                 ([1.0, -1.0], "float32"))
    _same(e, t)
    e, t = _both(torch, lambda L, a, b: L.hinge_embedding_loss(a, b, 1.0, L.tensor(2)), ([1.0, -2.0], "float32"),
                 ([1.0, -1.0], "float32"))
    _same(e, t)


def test_legacy_flags_ignore_reduction(torch):
    """size_average or reduce given: torch ignores reduction, whatever it holds."""
    e, t = _both(torch, lambda L, a, b: L.nn.functional.hinge_embedding_loss(a, b, 0.0, True, reduction=-1),
                 ([1.8, 0.5], "float64"), ([1, 0], "int64"))
    _same(e, t)
    with pytest.raises(ValueError, match="nan is not a valid value for reduction"):
        F.hinge_embedding_loss(ember.ones(2), ember.ones(2), reduction=math.nan)

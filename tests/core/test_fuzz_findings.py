"""Regressions from the differential fuzzer (tests/fuzz): each case is a divergence from torch it
found, fixed, and pinned here with torch as the oracle."""
import math

import pytest

from op_db import ember


def _bits(values):
    """Values with the sign of zero made visible."""
    return [(v, math.copysign(1.0, v)) if v == 0 else v for v in values]


@pytest.mark.parametrize("name", ["abs", "relu"])
def test_signed_zeros_as_torch(name, torch):
    """|-0.0| is +0.0 (IEEE fabs); relu keeps -0.0 (torch's clamp_min); NaN stays NaN."""
    data = [-0.0, 0.0, -1.5, 2.0]
    e = getattr(ember, name)(ember.tensor(data)).tolist()
    t = getattr(torch, name)(torch.tensor(data)).tolist()
    assert _bits(e) == _bits(t)
    assert math.isnan(getattr(ember, name)(ember.tensor([math.nan])).item())


@pytest.mark.parametrize("value", [0, 1, 2.5])
def test_nonzero_as_tuple_of_a_0d_tensor(value, torch):
    e = ember.nonzero(ember.tensor(value), as_tuple=True)
    t = torch.nonzero(torch.tensor(value), as_tuple=True)
    assert len(e) == len(t) == 1
    assert e[0].tolist() == t[0].tolist() and tuple(e[0].shape) == tuple(t[0].shape)

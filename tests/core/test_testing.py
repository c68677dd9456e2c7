"""ember.testing against torch.testing: assert_close passes and fails on the same inputs with the
same messages (library names aside), and make_tensor's ranges, dtypes and options."""
import numpy as np
import pytest

import ember
from ember.testing import assert_close, make_tensor

torch = pytest.importorskip("torch")


def _outcome(lib, actual, expected, **kwargs):
    check = lib.testing.assert_close
    try:
        check(actual, expected, **kwargs)
        return "passed"
    except Exception as e:  # noqa: BLE001  (the type and message are what is compared)
        return type(e).__name__, str(e).replace("torch", "LIB").replace("ember", "LIB")


CASES = [
    ("float32 close", lambda L: (L.tensor([1., 2., 3.]), L.tensor([1., 2.000001, 3.])), {}),
    ("float32 one off", lambda L: (L.tensor([1., 2., 3.]), L.tensor([1., 2.5, 3.])), {}),
    ("2-d", lambda L: (L.tensor([[1., 2.], [3., 4.]]), L.tensor([[1., 2.], [3., 5.]])), {}),
    ("shapes", lambda L: (L.tensor([1., 2., 3.]), L.tensor([1., 2., 3., 4.])), {}),
    ("dtypes", lambda L: (L.tensor([1., 2.]), L.tensor([1., 2.], dtype=L.float64)), {}),
    ("dtypes unchecked", lambda L: (L.tensor([1., 2.]), L.tensor([1, 2])), dict(check_dtype=False)),
    ("ints", lambda L: (L.tensor([1, 2]), L.tensor([1, 3])), {}),
    ("bools", lambda L: (L.tensor([True, False]), L.tensor([True, True])), {}),
    ("nan", lambda L: (L.tensor([float("nan")]), L.tensor([float("nan")])), {}),
    ("nan equal", lambda L: (L.tensor([float("nan"), 1.]), L.tensor([float("nan"), 1.])), dict(equal_nan=True)),
    ("inf", lambda L: (L.tensor([1., float("inf")]), L.tensor([1., float("inf")])), {}),
    ("0-d", lambda L: (L.tensor(0.), L.tensor(1e-6)), {}),
    ("0-d apart", lambda L: (L.tensor(2.), L.tensor(3.)), {}),
    ("tolerances", lambda L: (L.tensor([1., 2.]), L.tensor([1., 2.1])), dict(rtol=0.1, atol=0.)),
    ("tolerances tight", lambda L: (L.tensor([1., 2.]), L.tensor([1., 2.1])), dict(rtol=0.01, atol=0.)),
    ("rtol alone", lambda L: (L.tensor([1., 2.]), L.tensor([1., 2.1])), dict(rtol=1)),
    ("float16", lambda L: (L.tensor([1., 2.], dtype=L.float16), L.tensor([1., 2.001], dtype=L.float16)), {}),
    ("msg", lambda L: (L.tensor([1., 2.]), L.tensor([1., 2.1])), dict(msg="custom")),
    ("strides", lambda L: (L.tensor([1., 2.]), L.tensor([[1., 0.], [2., 0.]])[:, 0]), dict(check_stride=True)),
    ("parameter", lambda L: (L.nn.Parameter(L.ones(2)), L.ones(2)), {}),
    ("requires grad", lambda L: (L.ones(2, requires_grad=True), L.ones(2)), {}),
    ("floats", lambda L: (1.0, 1.1), {}),
    ("ints as numbers", lambda L: (1, 2), {}),
    ("int and float", lambda L: (1, 1.0), {}),
    ("sequence", lambda L: ([L.tensor(1.), L.tensor(2.)], [L.tensor(1.), L.tensor(3.)]), {}),
    ("sequence lengths", lambda L: ([1, 2], [1, 2, 3]), {}),
    ("mapping", lambda L: ({"a": L.tensor(1.)}, {"a": L.tensor(1.5)}), {}),
    ("mapping keys", lambda L: ({"a": 1}, {"b": 1}), {}),
    ("nested", lambda L: ({"a": [L.ones(2), (1, 2.0)]}, {"a": [L.ones(2), (1, 2.5)]}), {}),
    ("none", lambda L: (None, None), {}),
    ("none and number", lambda L: (None, 1), {}),
    ("tensor and list", lambda L: (L.tensor([1., 2.]), [1., 2.]), {}),
    ("tensor and string", lambda L: (L.tensor([1., 2.]), "a"), {}),
    ("numpy", lambda L: (np.array([1., 2.]), np.array([1., 2.1])), {}),
]


@pytest.mark.parametrize("name, make, kwargs", CASES, ids=[c[0] for c in CASES])
def test_assert_close_as_torch(name, make, kwargs):
    assert _outcome(ember, *make(ember), **kwargs) == _outcome(torch, *make(torch), **kwargs)


def test_assert_close_callable_msg_and_item_path():
    with pytest.raises(AssertionError, match="^X: Tensor-likes are not close!"):
        assert_close(ember.tensor([1.]), ember.tensor([2.]), msg=lambda m: "X: " + m)
    with pytest.raises(AssertionError, match=r"The failure occurred for item \['a'\]\[1\]"):
        assert_close({"a": [1, 2]}, {"a": [1, 3]})


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.float16, ember.bfloat16, ember.int64,
                                   ember.int32, ember.uint8, ember.int8, ember.bool])
def test_make_tensor_ranges_and_options(dtype):
    t = make_tensor(40, 30, dtype=dtype)
    assert t.dtype == dtype and tuple(t.shape) == (40, 30)
    if dtype == ember.bool:
        assert 0 < int(t.sum()) < t.numel()
    elif dtype.is_floating_point:
        assert float(t.min()) >= -9 and float(t.max()) <= 9 and float(t.std()) > 3
    else:
        low = 0 if dtype == ember.uint8 else -9
        assert int(t.min()) == low and int(t.max()) == 9
    nz = make_tensor((50,), dtype=dtype, low=0 if dtype != ember.bool else None, high=2 if dtype != ember.bool
                     else None, exclude_zero=True)
    assert bool((nz != 0).all())
    nc = make_tensor(4, 5, dtype=dtype, noncontiguous=True)
    assert tuple(nc.shape) == (4, 5) and not nc.is_contiguous()
    if dtype.is_floating_point:
        g = make_tensor(3, dtype=dtype, requires_grad=True, low=-1, high=1)
        assert g.requires_grad and g.is_leaf and float(g.abs().max()) <= 1
    with pytest.raises(ValueError):
        make_tensor(3, dtype=dtype, low=5, high=1) if dtype != ember.bool else make_tensor(3, dtype=dtype,
                                                                                          low=float("nan"))

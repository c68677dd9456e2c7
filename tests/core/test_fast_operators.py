"""The raw number slots of Tensor's +, -, *, / and ** (python/src/fast_ops.cpp) against the operator
methods they shortcut and against PyTorch: same values, dtypes, errors and NotImplemented."""
import operator

import numpy as np
import pytest

import ember

OPS = [("add", operator.add, "__add__", "__radd__"), ("sub", operator.sub, "__sub__", "__rsub__"),
       ("mul", operator.mul, "__mul__", "__rmul__"), ("div", operator.truediv, "__truediv__", "__rtruediv__"),
       ("pow", operator.pow, "__pow__", "__rpow__")]
IDS = [op[0] for op in OPS]


class Sub(ember.Tensor):
    """A Python subclass: its operators must stay the methods' (the slow path)."""


def _operands():
    f = ember.tensor([1.5, -2.0, 3.0, 0.5])
    i = ember.tensor([1, 2, 3, 4])
    return [("f32", f), ("i64", i), ("f64 0-d", ember.tensor(2.0, dtype=ember.float64)),
            ("bool", ember.tensor([True, False, True, True])), ("f16", f.half()), ("f32 col", ember.ones(4, 1)),
            ("int", 3), ("float", 0.25), ("bool scalar", True), ("np.float64", np.float64(2.0)),
            ("np.int32", np.int32(2))]


def _result(fn):
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - the type and message are compared
        return e


def _same(x, y):
    if isinstance(x, Exception) or isinstance(y, Exception):
        return type(x) is type(y) and str(x) == str(y)
    if isinstance(x, ember.Tensor) and isinstance(y, ember.Tensor):
        return (x.dtype == y.dtype and x.shape == y.shape
                and np.array_equal(x.numpy(), y.numpy(), equal_nan=True))
    return type(x) is type(y) and np.array_equal(np.asarray(x), np.asarray(y))


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # NumPy's, for np scalar / 0
@pytest.mark.parametrize("name,op,method,rmethod", OPS, ids=IDS)
def test_operator_equals_its_methods(name, op, method, rmethod):
    checked = 0
    for xn, x in _operands():
        for yn, y in _operands():
            if not isinstance(x, ember.Tensor) and not isinstance(y, ember.Tensor):
                continue
            got = _result(lambda: op(x, y))
            want = _result(lambda: getattr(x, method)(y))  # what Python asks first
            if want is NotImplemented:  # then it asks y
                want = _result(lambda: getattr(y, rmethod)(x))
            assert _same(got, want), (xn, yn, got, want)
            checked += 1
    assert checked > 50


@pytest.mark.parametrize("name,op,method,rmethod", OPS, ids=IDS)
def test_matches_torch(name, op, method, rmethod):
    torch = pytest.importorskip("torch")
    xs = [np.array([1.5, -2.0, 3.0, 0.5], np.float32), np.array([1, 2, 3, 4], np.int64),
          np.array([[1.0], [2.0]], np.float64)]
    scalars = [2, 0.5, True]
    for a in xs:
        e, t = ember.tensor(a), torch.tensor(a)
        for b in xs:
            r, w = _result(lambda: op(e, ember.tensor(b))), _result(lambda: op(t, torch.tensor(b)))
            assert isinstance(r, Exception) == isinstance(w, Exception), (a, b, r, w)
            if not isinstance(r, Exception):
                assert str(r.dtype).split(".")[1] == str(w.dtype).split(".")[1]
                np.testing.assert_allclose(r.numpy(), w.numpy(), rtol=1e-6)
        for s in scalars:
            for r, w in ((_result(lambda: op(e, s)), _result(lambda: op(t, s))),
                         (_result(lambda: op(s, e)), _result(lambda: op(s, t)))):
                assert isinstance(r, Exception) == isinstance(w, Exception), (a, s, r, w)
                if not isinstance(r, Exception):
                    assert str(r.dtype).split(".")[1] == str(w.dtype).split(".")[1], (a, s)
                    np.testing.assert_allclose(r.numpy(), w.numpy(), rtol=1e-6)


def test_unknown_operands_give_not_implemented():
    a = ember.ones(3)
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+"):
        a + "x"
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \*"):
        None * a
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \*\* or pow\(\)"):
        pow(a, 2, 3)

    class Other:
        def __radd__(self, other):
            return "radd"

        def __rmul__(self, other):
            return "rmul"

    assert a + Other() == "radd" and a * Other() == "rmul"
    assert isinstance(np.ones(3) + a, np.ndarray)  # NumPy's own __add__ goes first


def test_errors_name_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"^add: shapes \(3,\) and \(2,\) cannot be broadcast"):
        ember.ones(3) + ember.ones(2)
    with pytest.raises(ValueError, match=r"^sub: shapes \(3,\) and \(2,\)"):
        ember.ones(3) - ember.ones(2)
    with pytest.raises(RuntimeError, match="^sub: subtraction, the `-` operator, with a bool tensor"):
        True - ember.tensor([True])
    with pytest.raises(RuntimeError, match="integers to negative integer powers"):
        ember.tensor([2]) ** -1
    with pytest.raises(OverflowError):
        ember.ones(2, dtype=ember.int64) + 2**70


def test_subclasses_keep_their_overrides():
    class Logged(ember.Tensor):
        def __add__(self, other):
            return "add"

        def __radd__(self, other):
            return "radd"

    a = ember.ones(2)
    s = Logged(ember.ones(2))
    assert s + a == "add" and a + s == "radd" and 1 + s == "radd"
    t = Sub(ember.ones(2))
    r = t * 2 + a
    assert type(r) is ember.Tensor and r.tolist() == [3.0, 3.0]
    p = ember.nn.Parameter(ember.ones(2))
    assert (p * 3).tolist() == [3.0, 3.0] and (2 - p).tolist() == [1.0, 1.0]


def test_autograd_through_the_fast_slots():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = ((x * x + 1.0) / 2 - x) ** 2
    y.sum().backward()  # dy/dx = 2 ((x^2 + 1) / 2 - x) (x - 1)
    assert y.grad_fn is not None and x.grad.tolist() == pytest.approx([0.0, 1.0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's inf - inf in the comparison
@pytest.mark.parametrize("name,op,method,rmethod", OPS, ids=IDS)
def test_python_floats_round_as_the_methods(name, op, method, rmethod):
    """A Python float beside a float32 tensor enters + - * / as the float32 it rounds to (made
    directly by the slot; ** keeps the double, for tiny exponents): bit for bit what the operator
    methods (a float64 number cast by the op) give, and torch's values."""
    torch = pytest.importorskip("torch")
    a = np.array([1.5, -2.0, 3.0, 0.5, 1e-3, 7.0, 0.0], np.float32)  # 0 ** 1e-300 is 0, 0 ** 0 is 1
    e, t = ember.tensor(a), torch.tensor(a)
    for s in (0.1, 1 / 3, 1e-50, 3.5e38, 1e300, -0.0, float("inf"), 2.0**-149, 1e-300):
        for r, m, w in ((op(e, s), getattr(e, method)(s), op(t, s)), (op(s, e), getattr(e, rmethod)(s), op(s, t))):
            assert r.dtype == m.dtype == ember.float32
            np.testing.assert_array_equal(r.numpy(), m.numpy(), err_msg=f"{name} {s}")
            np.testing.assert_allclose(r.numpy(), w.numpy(), rtol=1e-6, err_msg=f"{name} {s}")


def test_getitem_int_and_slice_equal_the_method():
    """t[i] and t[a:b:c] with plain ints go straight to the C++ index op; other keys to __getitem__."""
    torch = pytest.importorskip("torch")
    a = np.arange(24, dtype=np.float32).reshape(4, 6)
    e, t = ember.tensor(a), torch.tensor(a)
    keys = [0, 3, -1, -4, 4, -5, 2**70, True, np.int64(1), slice(None), slice(1, 3), slice(-3, None),
            slice(None, None, 2), slice(1, -1, 3), slice(10, 20), slice(3, 1), slice(None, None, 0),
            slice(None, None, -1), slice(np.int64(1), 3), (0, 1), (slice(1, 3), -1), None, ...]
    for k in keys:
        got, want = _result(lambda: e[k]), _result(lambda: e.__getitem__(k))
        assert _same(got, want), (k, got, want)
        ref = _result(lambda: t[k])
        assert isinstance(got, Exception) == isinstance(ref, Exception), (k, got, ref)
        if not isinstance(got, Exception):
            np.testing.assert_array_equal(got.numpy(), ref.numpy())
    with pytest.raises(IndexError, match="^index: "):
        e[4]
    v = e[1:3]
    v[0, 0] = 100.0  # a view, as before
    assert e[1, 0].item() == 100.0
    x = ember.ones(3, requires_grad=True)
    x[1:].sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0]

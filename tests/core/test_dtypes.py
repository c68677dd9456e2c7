"""The narrow dtypes (uint8, int8, int16, int32, float16, bfloat16) against torch: promotion,
conversions and their rounding, creation, NumPy and DLPack exchange, printing, autograd, and
every op of the op table run on them (the op_db rows claim each narrow dtype through the
standard dtype it narrows: a row that supports int64 is run on the narrow integers, one that
supports float32 on the 16-bit floats)."""
import math

import numpy as np
import pytest

import op_db
from op_db import OPS, REGULAR, EMPTY, ZERO_DIM, NONCONTIG, assert_same, ember, materialize

NARROW_INTS = ("uint8", "int8", "int16", "int32")
HALVES = ("float16", "bfloat16")
NARROW = NARROW_INTS + HALVES
EVERY = ("bool",) + NARROW_INTS + ("int64",) + HALVES + ("float32", "float64")
NUMPY_OF = {"uint8": np.uint8, "int8": np.int8, "int16": np.int16, "int32": np.int32, "float16": np.float16}
# Results of 16-bit floats agree with torch's to a unit or two in their last place.
TOLERANCE = {"float16": (2e-3, 2e-3), "bfloat16": (1.6e-2, 1.6e-2)}


def E(name):
    return getattr(ember, name)


def T(torch, name):
    return getattr(torch, name)


def as_comparable(x):
    """bfloat16 tensors as float32 (exact), so NumPy can hold them; anything else as is."""
    if isinstance(x, (tuple, list)):
        return [as_comparable(v) for v in x]
    if hasattr(x, "dtype") and str(x.dtype).endswith("bfloat16"):
        return x.float()
    return x


def dtype_names(x):
    if isinstance(x, (tuple, list)):
        return [dtype_names(v) for v in x]
    return str(x.dtype).split(".")[-1] if hasattr(x, "dtype") else type(x).__name__


# ---- the dtype objects and promotion -------------------------------------------------------------
@pytest.mark.parametrize("name", EVERY)
def test_dtype_attributes_match_torch(name, torch):
    d, t = E(name), T(torch, name)
    assert repr(d) == repr(t).replace("torch", "ember")
    assert d.itemsize == t.itemsize
    assert d.is_floating_point == t.is_floating_point


def test_aliases_match_torch(torch):
    for alias in ("half", "short", "int", "long", "float", "double"):
        assert repr(E(alias)) == repr(T(torch, alias)).replace("torch", "ember"), alias


def test_promote_types_grid(torch):
    wrong = [(a, b, str(ember.promote_types(E(a), E(b))), str(torch.promote_types(T(torch, a), T(torch, b))))
             for a in EVERY for b in EVERY
             if repr(ember.promote_types(E(a), E(b))) != repr(torch.promote_types(T(torch, a), T(torch, b))).replace(
                 "torch", "ember")]
    assert not wrong, wrong


@pytest.mark.parametrize("a", EVERY)
def test_binary_op_promotion_and_values(a, torch):
    """Every pair of dtypes through add, mul and a comparison: result dtype and values as torch's
    (narrow integers wrap, 16-bit floats round once)."""
    rng = np.random.default_rng(1)
    base = rng.integers(-120, 120, size=(5,)).astype(np.float64) / 4
    for b in EVERY:
        xs = [torch.tensor(base).to(T(torch, a)), torch.tensor(base[::-1].copy()).to(T(torch, b))]
        ys = [ember.tensor(base).to(E(a)), ember.tensor(base[::-1].copy()).to(E(b))]
        for name in ("add", "mul", "lt"):
            expected = getattr(torch, name)(*xs)
            actual = getattr(ember, name)(*ys)
            assert dtype_names(actual) == dtype_names(expected), (a, b, name)
            rtol, atol = TOLERANCE.get(dtype_names(expected), (0, 0))
            assert_same(as_comparable(actual), as_comparable(expected), rtol, atol, what=f"{name}({a}, {b})")


@pytest.mark.parametrize("name", NARROW)
def test_python_scalars_with_narrow_tensors(name, torch):
    x = torch.tensor([1, 100, 200]).to(T(torch, name))
    y = ember.tensor([1, 100, 200]).to(E(name))
    for fn in (lambda v: v + 300, lambda v: v * 3, lambda v: v - 1, lambda v: v * 2.5, lambda v: v / 3,
               lambda v: v // 7, lambda v: -v, lambda v: v > 50, lambda v: v + True):
        expected, actual = fn(x), fn(y)
        assert dtype_names(actual) == dtype_names(expected)
        rtol, atol = TOLERANCE.get(dtype_names(expected), (0, 0))
        assert_same(as_comparable(actual), as_comparable(expected), rtol, atol, what=name)


# ---- conversions --------------------------------------------------------------------------------
def _float32_edge_values():
    special = [0.0, -0.0, math.inf, -math.inf, math.nan, 65504.0, 65519.99, 65520.0, 65536.0, 1e-8, 2.0 ** -24,
               2.0 ** -25, 3 * 2.0 ** -26, 2.0 ** -14, 2.0 ** -15 * 1.5, 1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11,
               1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8, 3.4e38, -3.4e38, 1e-40, -1e-45]
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2 ** 32, size=20000, dtype=np.uint64).astype(np.uint32)
    return np.concatenate([np.array(special, dtype=np.float32), bits.view(np.float32)])


@pytest.mark.parametrize("half", HALVES)
def test_float32_to_16_bit_rounds_as_torch(half, torch):
    """Round to nearest-even, overflow to inf, subnormals, NaN: bit for bit torch's."""
    values = _float32_edge_values()
    # Widening back to float32 is exact, so equal float32 bits mean equal 16-bit ones.
    got = ember.from_numpy(values).to(E(half)).float().numpy()
    want = torch.from_numpy(values).to(T(torch, half)).float().numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    np.testing.assert_array_equal(got[ok].view(np.uint32), want[ok].view(np.uint32))


@pytest.mark.parametrize("src", EVERY)
@pytest.mark.parametrize("dst", EVERY)
def test_casts_match_torch(src, dst, torch):
    """Values inside every dtype's range (so no cast is undefined) cast as torch's do."""
    base = np.array([0, 1, -1, 2.5, -2.5, 7.75, 100, -100, 127, -128, 0.4], dtype=np.float64)
    if src == "bool" or dst == "bool":
        base = base[:4]
    if src == "uint8" or dst == "uint8":
        base = np.abs(base)
    x = torch.tensor(base).to(T(torch, src))
    y = ember.tensor(base).to(E(src))
    expected, actual = x.to(T(torch, dst)), y.to(E(dst))
    assert dtype_names(actual) == dst
    assert_same(as_comparable(actual), as_comparable(expected), what=f"{src} -> {dst}")


# ---- creation -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NARROW)
def test_creation(name, torch):
    d, t = E(name), T(torch, name)
    for e, tt in [(ember.zeros(2, 3, dtype=d), torch.zeros(2, 3, dtype=t)),
                  (ember.ones(4, dtype=d), torch.ones(4, dtype=t)),
                  (ember.full((2,), 7, dtype=d), torch.full((2,), 7, dtype=t)),
                  (ember.arange(0, 10, 3, dtype=d), torch.arange(0, 10, 3, dtype=t)),
                  (ember.tensor([1, 2, 3], dtype=d), torch.tensor([1, 2, 3], dtype=t)),
                  (ember.eye(3, dtype=d), torch.eye(3, dtype=t)),
                  (ember.zeros(2, dtype=d).fill_(5), torch.zeros(2, dtype=t).fill_(5))]:
        assert dtype_names(e) == name
        assert_same(as_comparable(e), as_comparable(tt), what=name)
    assert dtype_names(ember.empty(3, dtype=d)) == name


@pytest.mark.parametrize("name,value", [("uint8", 300), ("uint8", -256), ("uint8", -1.0), ("int8", 128),
                                        ("int8", 200.5), ("int16", 70000), ("int32", 2 ** 31), ("float16", 1e6),
                                        ("float16", 100000)])
def test_full_overflow_raises_as_torch(name, value, torch):
    with pytest.raises(RuntimeError):
        torch.full((2,), value, dtype=T(torch, name))
    with pytest.raises(RuntimeError, match="full: value .* cannot be converted to " + name):
        ember.full((2,), value, dtype=E(name))


@pytest.mark.parametrize("name,value", [("uint8", -255), ("uint8", 255), ("int8", -128), ("bfloat16", 1e6),
                                        ("float16", math.inf)])
def test_full_in_range_as_torch(name, value, torch):
    assert_same(as_comparable(ember.full((2,), value, dtype=E(name))),
                as_comparable(torch.full((2,), value, dtype=T(torch, name))))


def test_tensor_from_python_numbers_checks_narrow_ranges(torch):
    for data, name in [([300], "uint8"), ([1.5, -1.0], "uint8"), ([70000], "int16")]:
        with pytest.raises(RuntimeError):
            torch.tensor(data, dtype=T(torch, name))
        with pytest.raises(RuntimeError, match="cannot be converted to " + name):
            ember.tensor(data, dtype=E(name))
    # NumPy arrays wrap, as in torch; negative Python ints wrap into uint8.
    assert ember.tensor(np.array([300]), dtype=ember.uint8).tolist() == [44]
    assert ember.tensor([-1], dtype=ember.uint8).tolist() == torch.tensor([-1], dtype=torch.uint8).tolist()


# ---- NumPy and DLPack ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(NUMPY_OF))
def test_numpy_exchange(name, torch):
    a = (np.arange(12).reshape(3, 4) * 3 - 5).astype(NUMPY_OF[name])
    t = ember.from_numpy(a)
    assert dtype_names(t) == name
    a[0, 0] = 9  # from_numpy shares memory
    assert t[0, 0].item() == 9
    assert dtype_names(ember.tensor(a)) == name == dtype_names(torch.tensor(a))
    back = t.numpy()
    assert back.dtype == a.dtype
    np.testing.assert_array_equal(back, a)
    assert t.tolist() == torch.from_numpy(a).tolist()


def test_bfloat16_has_no_numpy_counterpart(torch):
    t = ember.tensor([1.5, 2.0], dtype=ember.bfloat16)
    with pytest.raises(TypeError):
        torch.tensor([1.5], dtype=torch.bfloat16).numpy()
    with pytest.raises(TypeError, match="bfloat16"):
        t.numpy()
    assert t.tolist() == [1.5, 2.0]
    assert t[1].item() == 2.0


@pytest.mark.parametrize("name", NARROW)
def test_dlpack_exchange_with_torch(name, torch):
    x = torch.arange(6).reshape(2, 3).to(T(torch, name))
    e = ember.from_dlpack(x)
    assert dtype_names(e) == name
    assert e.tolist() == x.tolist()
    back = torch.from_dlpack(e)
    assert back.dtype == T(torch, name)
    assert back.tolist() == x.tolist()


@pytest.mark.parametrize("name", NARROW)
def test_printing_matches_torch(name, torch):
    for data in ([1, 2, 3], [[0.5, -1.25], [100, 7]], 3):
        if name == "uint8" and data != 3:
            data = np.abs(np.asarray(data)).tolist()
        e = ember.tensor(data).to(E(name)) if not isinstance(data, int) else ember.tensor(data, dtype=E(name))
        t = torch.tensor(data).to(T(torch, name)) if not isinstance(data, int) else torch.tensor(data, dtype=T(torch, name))
        assert repr(e) == repr(t).replace("torch.", "ember."), (name, data)


@pytest.mark.parametrize("name", NARROW)
def test_safetensors_round_trip(name, tmp_path, torch):
    from safetensors.torch import load_file, save_file

    x = ember.arange(0, 24).reshape(4, 6).to(E(name))
    path = tmp_path / "t.safetensors"
    ember.save({"x": x}, str(path))
    loaded = ember.load(str(path))["x"]
    assert dtype_names(loaded) == name
    assert loaded.tolist() == x.tolist()
    # Readable by the reference implementation, and the reverse.
    assert load_file(str(path))["x"].tolist() == x.tolist()
    other = tmp_path / "o.safetensors"
    save_file({"y": torch.arange(5).to(T(torch, name))}, str(other))
    y = ember.load(str(other))["y"]
    assert dtype_names(y) == name and y.tolist() == [0, 1, 2, 3, 4]


# ---- autograd and matmul ------------------------------------------------------------------------
@pytest.mark.parametrize("half", HALVES)
def test_gradients_flow_in_16_bit(half, torch):
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    results = []
    for lib, L in (("torch", torch), ("ember", ember)):
        x = L.tensor(a).to(getattr(L, half)).requires_grad_()
        w = L.tensor(b).to(getattr(L, half)).requires_grad_()
        y = (L.tanh(x @ w) * 3 + x.sum(1, keepdim=True)).mean()
        y.backward()
        results.append((y, x.grad, w.grad))
    (ty, tx, tw), (ey, ex, ew) = results
    rtol, atol = TOLERANCE[half]
    for e, t in ((ey, ty), (ex, tx), (ew, tw)):
        assert dtype_names(e) == half
        assert_same(as_comparable(e.detach()), as_comparable(t.detach()), 4 * rtol, 4 * atol)


@pytest.mark.parametrize("half", HALVES)
def test_mean_of_many_16_bit_values_accumulates_in_float32(half, torch):
    x = ember.ones(100000, dtype=E(half))
    assert x.mean().item() == torch.ones(100000, dtype=T(torch, half)).mean().item() == 1.0
    assert x.sum().item() == torch.ones(100000, dtype=T(torch, half)).sum().item()


@pytest.mark.parametrize("half", HALVES)
def test_layers_in_16_bit(half, torch):
    """The kernel-backed layers (convolution, pooling) run 16-bit inputs through float32, and
    the composites (norms, activations, losses) through the pointwise ops: torch's results and
    gradients, in the input's dtype."""
    import ember.nn.functional as EF
    import torch.nn.functional as TF

    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((2, 3, 8, 8)), rng.standard_normal((4, 3, 3, 3))
    steps = [lambda F, X, W: F.conv2d(X, W, padding=1), lambda F, X, W: F.conv_transpose2d(X, W.transpose(0, 1)),
             lambda F, X, W: F.max_pool2d(X, 2), lambda F, X, W: F.avg_pool2d(X, 3, stride=2),
             lambda F, X, W: F.adaptive_avg_pool2d(X, 1), lambda F, X, W: F.layer_norm(X, (8,)),
             lambda F, X, W: F.group_norm(X, 3), lambda F, X, W: F.gelu(X), lambda F, X, W: F.log_softmax(X, 1),
             lambda F, X, W: F.silu(X), lambda F, X, W: F.elu(X), lambda F, X, W: F.softplus(X),
             lambda F, X, W: F.gelu(X, approximate="tanh")]
    rtol, atol = TOLERANCE[half]
    for i, step in enumerate(steps):
        results = []
        for L, F in ((torch, TF), (ember, EF)):
            X = L.tensor(x).to(getattr(L, half)).requires_grad_()
            W = L.tensor(w).to(getattr(L, half))
            y = step(F, X, W)
            (y.float() * y.float()).sum().backward()
            results.append((y, X.grad))
        (ty, tg), (ey, eg) = results
        assert dtype_names(ey) == dtype_names(eg) == half, i
        scale = max(1.0, float(ty.detach().float().abs().max()))
        assert_same(as_comparable(ey.detach()), as_comparable(ty.detach()), 4 * rtol, 4 * atol * scale, what=f"step {i}")
        gscale = max(1.0, float(tg.float().abs().max()))
        assert_same(as_comparable(eg), as_comparable(tg), 4 * rtol, 4 * atol * gscale, what=f"grad of step {i}")


def test_kernels_without_16_bit_code_say_so():
    """Where no float32 route exists yet, the op raises naming itself and the dtype."""
    x = ember.ones(2, 3, 4, 4, dtype=ember.float16)
    with pytest.raises(TypeError, match="batch_norm.*float16"):
        ember.nn.functional.batch_norm(x, None, None, training=True)
    with pytest.raises(TypeError, match="SGD: float16 parameters are not supported"):
        ember.optim.SGD([ember.zeros(3, dtype=ember.float16).requires_grad_()], lr=0.1)


# ---- every op of the table on the narrow dtypes ---------------------------------------------------
def _narrow_params():
    out = []
    for op in OPS:
        for name in NARROW:
            base = "float32" if name in HALVES else "int64"
            if base in op.dtypes:
                out.append(pytest.param(op, name, base, id=f"{op.name}-{name}"))
    return out


def _to_narrow(args, lib, L, name, base, first_only):
    """The sample's tensors of the base dtype, cast to the narrow one (the first only for integers,
    so index tensors stay int64)."""
    done = False

    def conv(v):
        nonlocal done
        if hasattr(v, "dtype") and str(v.dtype).endswith(base) and not (first_only and done):
            done = True
            return v.to(getattr(L, name))
        if isinstance(v, (list, tuple)):
            return type(v)(conv(x) for x in v)
        return v

    return conv(materialize(args, lib))


def _compare_on_narrow(op, sample, name, base, first_only, torch):
    """None when ember agrees with torch on the sample cast to `name`, "torch refuses" when torch
    raises and so does ember, else what differs."""
    t_args = _to_narrow(sample.args, "torch", torch, name, base, first_only)
    e_args = _to_narrow(sample.args, "ember", ember, name, base, first_only)
    t_kw, e_kw = materialize(sample.kwargs, "torch"), materialize(sample.kwargs, "ember")
    try:
        expected = op.torch_fn(*t_args, **t_kw)
    except Exception:
        try:
            got = op.ember_fn(*e_args, **e_kw)
        except Exception:
            return "torch refuses"
        return f"{sample!r}: torch refuses {name}, ember returned {dtype_names(got)}"
    try:
        actual = op.ember_fn(*e_args, **e_kw)
    except Exception as e:
        return f"{sample!r}: ember raised {type(e).__name__}: {e}"
    if dtype_names(actual) != dtype_names(expected):
        return f"{sample!r}: dtype {dtype_names(actual)}, torch {dtype_names(expected)}"
    rtol, atol = TOLERANCE.get(name, (0, 0))
    rtol, atol = max(rtol, op.tolerance("float32")[0]), max(atol, op.tolerance("float32")[1])
    try:
        assert_same(as_comparable(actual), as_comparable(expected), rtol, atol, what=op.name)
    except AssertionError as e:
        return f"{sample!r}: {e}"
    return None


@pytest.mark.parametrize("op,name,base", _narrow_params())
def test_op_on_narrow_dtype(op, name, base, torch):
    """Each sample with its tensors cast to the narrow dtype (for integers, where that fails, the
    first only: the others may be indices): where torch computes, ember gives the same
    dtype, shape and values (16-bit floats to their precision); where torch refuses, ember too."""
    samples = [s for s in op.samples(base) if s.kind in (REGULAR, ZERO_DIM, EMPTY, NONCONTIG)]
    failures = []
    for s in samples:
        result = _compare_on_narrow(op, s, name, base, False, torch)
        if result is not None and name in NARROW_INTS:
            result = _compare_on_narrow(op, s, name, base, True, torch)
        if result not in (None, "torch refuses"):
            failures.append(result)
    assert not failures, f"{op.name} [{name}]:\n" + "\n".join(failures[:5])

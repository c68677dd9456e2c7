"""Generic op tests, parametrized over the op table in tests/core/op_db.py, with torch as the oracle.

Per (op, dtype): forward results equal torch's (values, dtype, shape) on regular, 0-d, empty,
non-contiguous and special-value samples; NumPy references agree; methods and in-place variants
agree; unsupported dtypes raise; error cases raise the right exception with a message naming the
op and the shapes. Then type promotion against torch.result_type.
"""
import numpy as np
import pytest

import op_db
from op_db import (DTYPES, EMPTY, FLOAT_DTYPES, NONCONTIG, NP_DTYPE, OPS, REGULAR, SPECIAL,
                   ZERO_DIM, Arg, assert_same, assert_same_strides, dtype_name, ember, materialize,
                   to_ember, to_numpy, to_torch)


def _params(pred):
    return [pytest.param(op, d, id=f"{op.name}-{d}") for op in OPS for d in DTYPES if pred(op, d)]


SUPPORTED = _params(lambda op, d: d in op.dtypes)
UNSUPPORTED = _params(lambda op, d: d not in op.dtypes)
# The sample kinds the table has per supported (op, dtype): 0-d and special-value tests are
# collected only for the pairs that have such samples (mm has no 0-d form, reshape no special
# values), instead of being skipped as not applicable.
_SAMPLE_KINDS = {p.id: {s.kind for s in p.values[0].samples(p.values[1])} for p in SUPPORTED}


def _having(kind, params=SUPPORTED):
    return [p for p in params if kind in _SAMPLE_KINDS[p.id]]


def _run_torch(op, sample):
    t_args, t_kw = materialize(sample.args, "torch"), materialize(sample.kwargs, "torch")
    try:
        return op.torch_fn(*t_args, **t_kw)
    except Exception as e:  # a sample torch rejects is a bug in the table, not in ember
        raise AssertionError(
            f"op_db: torch rejects sample {sample!r}: {type(e).__name__}: {e}") from e


def _check_sample(op, dtype, sample):
    """Runs one sample through torch and ember; returns None or a failure description."""
    expected = _run_torch(op, sample)
    e_args, e_kw = materialize(sample.args, "ember"), materialize(sample.kwargs, "ember")
    before = [to_numpy(t) for t in _ember_tensors(e_args)]
    try:
        actual = op.ember_fn(*e_args, **e_kw)
    except Exception as e:
        return f"{sample!r}\n    ember raised {type(e).__name__}: {e}"
    rtol, atol = _tol(op, expected, dtype)
    try:
        assert_same(actual, expected, rtol, atol, what=op.name)
        if op.check_strides:
            assert_same_strides(actual, expected, what=op.name)
        for i, (b, t) in enumerate(zip(before, _ember_tensors(e_args))):
            np.testing.assert_array_equal(to_numpy(t), b,
                                          err_msg=f"{op.name} modified its input {i}")
    except AssertionError as e:
        return f"{sample!r}\n    {e}"
    return None


def _out_dtype(expected, default):
    """The dtype tolerances follow: the (first) result's, e.g. float32 for exp of an int64 input."""
    if isinstance(expected, (tuple, list)):
        return _out_dtype(expected[0], default) if len(expected) else default
    return dtype_name(expected.dtype) if hasattr(expected, "dtype") else default


def _tol(op, expected, dtype):
    return op.tolerance(_out_dtype(expected, dtype))


def _ember_tensors(obj):
    if isinstance(obj, ember.Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _ember_tensors(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _ember_tensors(o)


def _check_kind(op, dtype, kind):
    samples = [s for s in op.samples(dtype) if s.kind == kind]
    assert samples, f"op_db: {op.name} [{dtype}] has no {kind} samples"
    failures = [f for f in (_check_sample(op, dtype, s) for s in samples) if f]
    assert not failures, (f"{op.name} [{dtype}]: {len(failures)} of {len(samples)} {kind} samples "
                          "differ from torch:\n" + "\n".join(failures))
    return samples


# ---- forward vs torch ----------------------------------------------------------------------------
@pytest.mark.parametrize("op,dtype", SUPPORTED)
def test_forward(op, dtype, torch):
    _check_kind(op, dtype, REGULAR)


@pytest.mark.parametrize("op,dtype", _having(ZERO_DIM))
def test_zero_dim(op, dtype, torch):
    _check_kind(op, dtype, ZERO_DIM)


@pytest.mark.parametrize("op,dtype", SUPPORTED)
def test_empty(op, dtype, torch):
    _check_kind(op, dtype, EMPTY)


@pytest.mark.parametrize("op,dtype", SUPPORTED)
def test_noncontiguous(op, dtype, torch):
    samples = _check_kind(op, dtype, NONCONTIG)
    for s in samples:  # the samples really are non-contiguous in ember (an empty tensor never is)
        ts = list(_ember_tensors((materialize(s.args, "ember"), materialize(s.kwargs, "ember"))))
        nc = [not t.is_contiguous() for t in ts if t.numel() > 0]
        assert any(nc) or not nc, f"op_db: {s!r} is contiguous"


@pytest.mark.parametrize("op,dtype",
                         _having(SPECIAL, [p for p in SUPPORTED if p.values[1] in FLOAT_DTYPES]))
def test_special_values(op, dtype, torch):
    """NaN, +-inf, +-0 and rounding ties."""
    _check_kind(op, dtype, SPECIAL)


# ---- NumPy reference -----------------------------------------------------------------------------
def _numpy_result_like(ref, actual):
    if isinstance(actual, (tuple, list)):
        return [_numpy_result_like(r, a) for r, a in zip(ref, actual)]
    with np.errstate(all="ignore"):
        return np.asarray(ref).astype(NP_DTYPE[dtype_name(actual.dtype)])


@pytest.mark.parametrize("op,dtype", [p for p in SUPPORTED if p.values[0].numpy_fn is not None])
def test_numpy_reference(op, dtype):
    """Values (not dtypes: NumPy promotes differently) against an independent NumPy reference."""
    failures, samples = [], op.samples(dtype)
    for s in samples:
        n_args, n_kw = materialize(s.args, "numpy"), materialize(s.kwargs, "numpy")
        with np.errstate(all="ignore"):
            ref = op.numpy_fn(*n_args, **n_kw)
        try:
            actual = op.ember_fn(*materialize(s.args, "ember"), **materialize(s.kwargs, "ember"))
            if isinstance(ref, (tuple, list)):
                assert isinstance(actual, (tuple, list)) and len(actual) == len(ref), \
                    f"{len(actual)} results, NumPy gives {len(ref)}"
            rtol, atol = _tol(op, actual, dtype)
            assert_same(actual, _numpy_result_like(ref, actual), rtol, atol, what=op.name,
                        check_dtype=False)
        except Exception as e:
            failures.append(f"{s!r}\n    {type(e).__name__}: {e}")
    assert not failures, (f"{op.name} [{dtype}]: {len(failures)} of {len(samples)} samples "
                          "differ from NumPy:\n" + "\n".join(failures))


# ---- methods and in-place variants ---------------------------------------------------------------
@pytest.mark.parametrize("op,dtype", [p for p in SUPPORTED if p.values[0].method])
def test_method(op, dtype, torch):
    """Tensor.<name>(...) matches torch's method."""
    failures = []
    samples = [s for s in op.samples(dtype) if s.kind in (REGULAR, NONCONTIG)]
    for s in samples:
        t_args, t_kw = materialize(s.args, "torch"), materialize(s.kwargs, "torch")
        expected = getattr(t_args[0], op.name)(*t_args[1:], **t_kw)
        e_args, e_kw = materialize(s.args, "ember"), materialize(s.kwargs, "ember")
        try:
            actual = getattr(e_args[0], op.name)(*e_args[1:], **e_kw)
            assert_same(actual, expected, *_tol(op, expected, dtype), what=f"Tensor.{op.name}")
        except Exception as e:
            failures.append(f"{s!r}\n    {type(e).__name__}: {e}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("op,dtype", _params(lambda op, d: op.inplace and d in op.dtypes))
def test_inplace(op, dtype, torch):
    """x.<name>_(...) writes x (a view writes through) and returns x; raises where torch raises."""
    failures = []
    samples = [s for s in op.samples(dtype) if s.kind in (REGULAR, NONCONTIG, ZERO_DIM)]
    for s in samples:
        t_args = materialize(s.args, "torch")
        e_args = materialize(s.args, "ember")
        assert hasattr(t_args[0], op.name + "_"), f"torch has no {op.name}_: mark the row inplace=False"
        try:
            t_res = getattr(t_args[0], op.name + "_")(*t_args[1:])
        except Exception as e:
            t_err = e
        else:
            t_err = None
        try:
            e_res = getattr(e_args[0], op.name + "_")(*e_args[1:])
        except (TypeError, ValueError, RuntimeError) as e:
            if t_err is None:
                failures.append(f"{s!r}\n    ember raised {type(e).__name__}: {e}; "
                                f"torch gives {t_res.dtype}")
            continue
        if t_err is not None:
            failures.append(f"{s!r}\n    ember did not raise; "
                            f"torch raises {type(t_err).__name__}: {t_err}")
            continue
        try:
            assert e_res is e_args[0], "the in-place op did not return self"
            assert_same(e_args[0], t_args[0], *_tol(op, t_args[0], dtype),
                        what=f"Tensor.{op.name}_")
        except AssertionError as e:
            failures.append(f"{s!r}\n    {e}")
    assert not failures, "\n".join(failures)


# ---- dtypes the op does not support --------------------------------------------------------------
@pytest.mark.parametrize("op,dtype", UNSUPPORTED)
def test_unsupported_dtype(op, dtype, torch):
    sample = next(s for s in op.samples(dtype) if s.kind == REGULAR)
    with pytest.raises(Exception):  # the table's claim: torch rejects this dtype too
        op.torch_fn(*materialize(sample.args, "torch"), **materialize(sample.kwargs, "torch"))
    try:
        result = op.ember_fn(*materialize(sample.args, "ember"),
                             **materialize(sample.kwargs, "ember"))
    except op.unsupported_exc as e:
        assert op.name in str(e), f"the message does not name the op: {e}"
        assert dtype in str(e), f"the message does not name the dtype {dtype}: {e}"
    else:
        got = getattr(result, "dtype", type(result).__name__)
        pytest.fail(f"{op.name} accepted a {dtype} input ({sample!r}) and returned {got}; "
                    f"torch rejects it, ember should raise {op.unsupported_exc.__name__}")


# ---- error cases ---------------------------------------------------------------------------------
ERROR_PARAMS = [pytest.param(op, case, id=f"{op.name}-{case.id or i}")
                for op in OPS if op.error_cases for i, case in enumerate(op.error_cases())]


@pytest.mark.parametrize("op,case", ERROR_PARAMS)
def test_error_case(op, case, torch):
    s = case.sample
    if case.torch_raises:
        with pytest.raises(Exception):
            op.torch_fn(*materialize(s.args, "torch"), **materialize(s.kwargs, "torch"))
    with pytest.raises(case.exc) as info:
        op.ember_fn(*materialize(s.args, "ember"), **materialize(s.kwargs, "ember"))
    msg = str(info.value)
    for m in case.match:
        assert m in msg, f"{op.name}: message {msg!r} lacks {m!r}"


# ---- the table itself ----------------------------------------------------------------------------
_NO_ZERO_DIM = {"mm", "bmm", "mv", "dot", "outer", "narrow", "select", "split", "chunk", "cat",
                "tril", "triu", "diagonal", "diag", "diag_embed", "trace", "fliplr", "flipud", "rot90",
                "bincount", "cross", "diff", "take_along_dim"}


@pytest.mark.parametrize("op", OPS, ids=lambda o: o.name)
def test_op_db_coverage(op):
    """Every op samples the regular, empty and non-contiguous layouts (and 0-d where it exists)."""
    kinds = {s.kind for d in op.dtypes for s in op.samples(d)}
    needed = {REGULAR, EMPTY, NONCONTIG} | (set() if op.name in _NO_ZERO_DIM else {ZERO_DIM})
    assert needed <= kinds, f"{op.name}: no {sorted(needed - kinds)} samples"
    assert op.dtypes <= set(DTYPES)


@pytest.mark.parametrize("table,row", [("elementwise.def", r"EMBER_(?:UNARY|BINARY)"),
                                       ("scan.def", r"EMBER_SCAN(?:_INDEXED)?")])
def test_op_db_covers_the_op_tables(table, row):
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]  # tests/core/ -> the repository
    src = (root / "cpp" / "include" / "ember" / table).read_text()
    names = re.findall(rf"^{row}\((\w+),", src, re.M)
    assert names, f"no rows found in {table}"
    missing = sorted(set(names) - {o.name for o in OPS})
    assert not missing, f"ops of {table} missing from op_db: {missing}"


# ---- conversions ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_from_0d_array_keeps_0d(dtype, torch):
    """ember.tensor(0-d array) is 0-d, as torch.tensor(0-d array) and torch.tensor(python
    number)."""
    a = np.array(3, dtype=NP_DTYPE[dtype])
    assert tuple(torch.tensor(a).shape) == ()
    t = ember.tensor(a)
    assert tuple(t.shape) == (), f"ember.tensor(np.array(3, {dtype})).shape == {tuple(t.shape)}"
    assert dtype_name(t.dtype) == dtype


@pytest.mark.parametrize("value", [True, 3, 2.5])
def test_tensor_from_python_number_is_0d(value, torch):
    expected = torch.tensor(value)
    t = ember.tensor(value)
    assert tuple(t.shape) == tuple(expected.shape) == ()
    assert dtype_name(t.dtype) == dtype_name(expected.dtype)
    assert t.item() == expected.item()


@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_round_trip(dtype):
    a = op_db.make_array((3, 4), dtype, np.random.default_rng(0))
    t = ember.tensor(a)
    assert dtype_name(t.dtype) == dtype
    back = np.asarray(t)
    assert back.dtype == a.dtype
    np.testing.assert_array_equal(back, a)
    np.testing.assert_array_equal(np.asarray(t.transpose(0, 1)), a.T)


# ==================================================================================================
# Type promotion
# ==================================================================================================
def _vals(dtype, shape=(6,)):
    base = np.array([-2, -1, 0, 1, 2, 3], dtype=np.float64)[: int(np.prod(shape))].reshape(shape)
    if dtype == "bool":
        return (base != 0)
    return (base * (1.5 if dtype in FLOAT_DTYPES else 1)).astype(NP_DTYPE[dtype])


def _rhs_vals(dtype, shape=(6,)):
    base = np.array([1, 2, 3, 1, 2, 3], dtype=np.float64)[: int(np.prod(shape))].reshape(shape)
    if dtype == "bool":
        return base > 0
    return (base * (1.25 if dtype in FLOAT_DTYPES else 1)).astype(NP_DTYPE[dtype])


def _others():
    """The second operand: Python numbers, 0-d tensors and 1-d tensors of every dtype."""
    out = [("py bool", True), ("py int", 2), ("py float", 2.5)]
    for d in DTYPES:
        out.append((f"0-d {d}", Arg(np.array(_rhs_vals(d, (1,))[0]))))
        out.append((f"1-d {d}", Arg(_rhs_vals(d))))
    return out


@pytest.mark.parametrize("a_kind", ["0-d", "1-d"])
@pytest.mark.parametrize("a_dtype", DTYPES)
def test_result_type_grid(a_dtype, a_kind, torch):
    """ember.result_type(a, b) == torch.result_type(a, b) for tensors of every dtype and rank
    0/1."""
    mism = []
    a_np = _vals(a_dtype)[:1].reshape(()) if a_kind == "0-d" else _vals(a_dtype)
    for name, other in _others():
        if not isinstance(other, Arg):
            continue
        expected = torch.result_type(to_torch(a_np), other.to("torch"))
        got = ember.result_type(to_ember(a_np), other.to("ember"))
        if dtype_name(got) != dtype_name(expected):
            mism.append(f"{a_kind} {a_dtype} with {name}: ember {dtype_name(got)}, "
                        f"torch {dtype_name(expected)}")
    assert not mism, "\n".join(mism)


def test_promote_types_grid(torch):
    mism = []
    for a in DTYPES:
        for b in DTYPES:
            got = ember.promote_types(getattr(ember, a), getattr(ember, b))
            exp = torch.promote_types(getattr(torch, a), getattr(torch, b))
            if dtype_name(got) != dtype_name(exp):
                mism.append(f"{a}, {b}: ember {dtype_name(got)}, torch {dtype_name(exp)}")
    assert not mism, "\n".join(mism)


PROMOTION_OPS = ["add", "sub", "mul", "div", "floor_divide", "remainder", "pow", "atan2", "maximum",
                 "minimum", "eq", "lt", "ge", "logical_and", "bitwise_and", "bitwise_xor"]


@pytest.mark.parametrize("a_dtype", DTYPES)
@pytest.mark.parametrize("name", PROMOTION_OPS)
def test_binary_promotion_grid(name, a_dtype, torch):
    """op(a, other) over other = Python bool/int/float, 0-d and 1-d tensors of every dtype: the
    dtype (and values) equal torch's, and ember raises exactly where torch raises."""
    mism = []
    a_np = _vals(a_dtype)
    for oname, other in _others():
        ta, to = to_torch(a_np), materialize(other, "torch")
        ea, eo = to_ember(a_np), materialize(other, "ember")
        try:
            expected = getattr(torch, name)(ta, to)
        except TypeError:
            if not isinstance(other, Arg):
                # torch.atan2 / maximum / logical_and & co take no Python number: nothing to
                # compare
                continue
            raise
        except Exception as e:
            try:
                got = getattr(ember, name)(ea, eo)
            except (TypeError, ValueError, RuntimeError):
                continue
            mism.append(f"{a_dtype} with {oname}: torch raises ({type(e).__name__}), "
                        f"ember gives {dtype_name(got.dtype)}")
            continue
        try:
            got = getattr(ember, name)(ea, eo)
            assert_same(got, expected, 1e-6, 1e-6, what=f"{name}({a_dtype}, {oname})")
        except Exception as e:
            mism.append(f"{a_dtype} with {oname}: {type(e).__name__}: {e}")
    assert not mism, f"{name}:\n" + "\n".join(mism)


# The named rules, spelled out.
def _e(values, dtype):
    return to_ember(np.asarray(values, dtype=NP_DTYPE[dtype]))


def _t(torch, values, dtype):
    return to_torch(np.asarray(values, dtype=NP_DTYPE[dtype]))


def test_int_tensor_plus_python_float_is_float32(torch):
    r = _e([1, 2, 3], "int64") + 1.5
    expected = _t(torch, [1, 2, 3], "int64") + 1.5
    assert dtype_name(r.dtype) == dtype_name(expected.dtype) == "float32"
    np.testing.assert_allclose(np.asarray(r), [2.5, 3.5, 4.5])


def test_int_tensor_plus_float64_0d_tensor_is_float64(torch):
    r = _e([1, 2, 3], "int64") + _e(0.5, "float64")
    expected = _t(torch, [1, 2, 3], "int64") + _t(torch, 0.5, "float64")
    assert dtype_name(r.dtype) == dtype_name(expected.dtype) == "float64"
    np.testing.assert_allclose(np.asarray(r), [1.5, 2.5, 3.5])


def test_float32_tensor_plus_float64_0d_tensor_is_float32(torch):
    r = _e([1, 2, 3], "float32") + _e(0.5, "float64")
    expected = _t(torch, [1, 2, 3], "float32") + _t(torch, 0.5, "float64")
    assert dtype_name(r.dtype) == dtype_name(expected.dtype) == "float32"


def test_float32_0d_plus_float64_0d_is_float64(torch):
    r = _e(1.0, "float32") + _e(0.5, "float64")
    expected = _t(torch, 1.0, "float32") + _t(torch, 0.5, "float64")
    assert dtype_name(r.dtype) == dtype_name(expected.dtype) == "float64"


def test_bool_tensor_plus_python_int_is_int64(torch):
    r = _e([True, False], "bool") + 2
    expected = _t(torch, [True, False], "bool") + 2
    assert dtype_name(r.dtype) == dtype_name(expected.dtype) == "int64"
    np.testing.assert_array_equal(np.asarray(r), [3, 2])


def test_bool_tensor_plus_python_bool_stays_bool(torch):
    r = _e([True, False], "bool") + True
    expected = _t(torch, [True, False], "bool") + True
    assert dtype_name(r.dtype) == dtype_name(expected.dtype) == "bool"


def test_int_tensor_div_int_is_float32(torch):
    r = _e([1, 2, 3], "int64") / 2
    assert dtype_name(r.dtype) == dtype_name((_t(torch, [1, 2, 3], "int64") / 2).dtype) == "float32"
    np.testing.assert_allclose(np.asarray(r), [0.5, 1.0, 1.5])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("other", [1, 1.5, True, "tensor"])
@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_comparisons_return_bool(name, dtype, other, torch):
    a = _vals(dtype)
    o = Arg(_rhs_vals(dtype)) if other == "tensor" else other
    expected = getattr(torch, name)(to_torch(a), materialize(o, "torch"))
    got = getattr(ember, name)(to_ember(a), materialize(o, "ember"))
    assert dtype_name(got.dtype) == "bool"
    assert_same(got, expected)


_OPERATOR_CASES = [
    ("t + 1.5", lambda t: t + 1.5), ("1.5 + t", lambda t: 1.5 + t), ("3 * t", lambda t: 3 * t),
    ("t - 1", lambda t: t - 1), ("2 - t", lambda t: 2 - t), ("t / 2", lambda t: t / 2),
    ("2 / t", lambda t: 2 / t), ("t // 2", lambda t: t // 2), ("t % 2", lambda t: t % 2),
    ("t ** 2", lambda t: t ** 2), ("2 ** t", lambda t: 2 ** t), ("t < 1.5", lambda t: t < 1.5),
    ("t == 2", lambda t: t == 2), ("-t", lambda t: -t), ("abs(t)", lambda t: abs(t)),
    ("t & 1", lambda t: t & 1), ("t | True", lambda t: t | True), ("~t", lambda t: ~t),
    ("t * 2.5", lambda t: t * 2.5), ("t + t", lambda t: t + t), ("t > t", lambda t: t > t),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("expr,fn", _OPERATOR_CASES,
                         ids=[c[0].replace(" ", "") for c in _OPERATOR_CASES])
def test_python_operators(expr, fn, dtype, torch):
    """Python operators, reflected ones with a Python number on the left included."""
    a = _rhs_vals(dtype)
    try:
        expected = fn(to_torch(a))
    except Exception:
        with pytest.raises((TypeError, ValueError, RuntimeError)):
            fn(to_ember(a))
        return
    got = fn(to_ember(a))
    assert_same(got, expected, 1e-6, 1e-6, what=f"{expr} [{dtype}]")


@pytest.mark.parametrize("a_dtype", DTYPES)
@pytest.mark.parametrize("b_dtype", DTYPES)
def test_where_promotes(a_dtype, b_dtype, torch):
    c = np.array([True, False, True])
    a, b = _vals(a_dtype, (3,)), _rhs_vals(b_dtype, (3,))
    expected = torch.where(to_torch(c), to_torch(a), to_torch(b))
    assert_same(ember.where(to_ember(c), to_ember(a), to_ember(b)), expected)


@pytest.mark.parametrize("a_dtype", DTYPES)
@pytest.mark.parametrize("b_dtype", DTYPES)
def test_cat_promotes(a_dtype, b_dtype, torch):
    a, b = _vals(a_dtype, (3,)), _rhs_vals(b_dtype, (2,))
    expected = torch.cat([to_torch(a), to_torch(b)])
    assert_same(ember.cat([to_ember(a), to_ember(b)]), expected)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bound", [1, 1.5, "0-d float64", "1-d float64"])
def test_clamp_promotes(dtype, bound, torch):
    a = _vals(dtype)
    b = {"0-d float64": Arg(np.array(1.5)), "1-d float64": Arg(np.full(6, 1.5))}.get(bound, bound)
    expected = torch.clamp(to_torch(a), min=materialize(b, "torch"))
    assert_same(ember.clamp(to_ember(a), min=materialize(b, "ember")), expected)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["sum", "prod", "cumsum", "mean"])
def test_reduction_dtype_kwarg(name, dtype, torch):
    """dtype= on sum, prod, cumsum and mean: computed and returned in that dtype."""
    a = _vals(dtype, (2, 3))
    for target in ["float32", "float64", "int64"]:
        kw = {"dim": 1} if name == "cumsum" else {}
        try:
            expected = getattr(torch, name)(to_torch(a), dtype=getattr(torch, target), **kw)
        except Exception:
            with pytest.raises((TypeError, ValueError, RuntimeError)):
                getattr(ember, name)(to_ember(a), dtype=getattr(ember, target), **kw)
            continue
        got = getattr(ember, name)(to_ember(a), dtype=getattr(ember, target), **kw)
        assert_same(got, expected, 1e-6, 1e-6, what=f"{name}(dtype={target})")


def test_max_min_nan_propagate(torch):
    a = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)
    for name in ["amax", "amin", "max", "min"]:
        for kw in [{}, {"dim": 1}, {"dim": 0}]:
            if name in ("max", "min") and not kw:
                expected = getattr(torch, name)(to_torch(a))
                got = getattr(ember, name)(to_ember(a))
            else:
                expected = getattr(torch, name)(to_torch(a), **kw)
                got = getattr(ember, name)(to_ember(a), **kw)
            assert_same(got, expected, what=f"{name}({kw})")
    for name in ["argmax", "argmin"]:
        for kw in [{}, {"dim": 1}]:
            assert_same(getattr(ember, name)(to_ember(a), **kw),
                        getattr(torch, name)(to_torch(a), **kw), what=f"{name}({kw})")


@pytest.mark.parametrize("name", ["all", "any"])
def test_all_any_empty_dim_tuple(name, torch):
    """torch.all/any(x, dim=()) reduce no dim (a bool copy of x), unlike sum(x, dim=()) (all
    dims)."""
    a = np.array([[1.0, 0.0], [2.0, 3.0]], dtype=np.float32)
    for keepdim in (False, True):
        expected = getattr(torch, name)(to_torch(a), dim=(), keepdim=keepdim)
        assert_same(getattr(ember, name)(to_ember(a), dim=(), keepdim=keepdim), expected,
                    what=f"{name}(dim=(), keepdim={keepdim})")


def test_pow_int_tensor_negative_exponent(torch):
    """An int64 tensor exponent may be negative in torch (integer result: 0, or +-1 for a base of
    +-1); only a negative Python int exponent raises."""
    base, exp = np.array([2, -2, 1, -1, 3]), np.array([-1, -1, -2, -3, 2])
    assert_same(ember.pow(to_ember(base), to_ember(exp)), torch.pow(to_torch(base), to_torch(exp)))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("name", ["mm", "matmul", "bmm"])
def test_matmul_zero_inner_dim_is_zeros(name, dtype, torch):
    """(m, 0) @ (0, n) is an (m, n) block of zeros, whatever the strides of the empty operands
    (NumPy-made empty arrays have zero strides). Freed non-zero blocks are laid out first, so
    uninitialized output memory shows up as garbage."""
    lead = (2,) if name == "bmm" else ()
    a = np.zeros(lead + (3, 0), NP_DTYPE[dtype])
    b = np.zeros(lead + (0, 5), NP_DTYPE[dtype])
    expected = getattr(torch, name)(to_torch(a), to_torch(b))
    for _ in range(5):
        junk = [ember.full(lead + (3, 5), 7.5, dtype=getattr(ember, dtype)) for _ in range(4)]
        del junk
        assert_same(getattr(ember, name)(to_ember(a), to_ember(b)), expected,
                    what=f"{name} of {a.shape} @ {b.shape}")

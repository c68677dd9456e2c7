"""Bad inputs to the public API must raise a Python exception, never crash, hang or return wrong data.

Every public callable should answer bad input with ValueError / TypeError / IndexError /
RuntimeError / MemoryError, ideally naming the op. These tests come from a fuzz sweep of
``ember.*``, ``ember.nn.functional.one_hot`` and every ``Tensor`` method / operator against
PyTorch 2.13 as the oracle. They are grouped as:

* crashes (segfaults, heap corruption) and runaway memory use: each call runs in a child process
  (``_run_child``), so a crash fails only its own test. Use-after-free cases run the child with
  ``PYTHONMALLOC=debug`` (freed memory is poisoned), which turns a silent, luck-dependent
  use-after-free into a deterministic crash;
* silent wrong results / bad input accepted where PyTorch raises: checked in process (these calls
  do not crash);
* a compact generic sweep: one child calls a representative set of public functions with bad
  arguments and must exit normally, raise only the allowed exception types, and never hand back a
  tensor whose shape and element count disagree.

Children run under an address-space limit so that no test can take the machine's memory.
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap

import numpy as np
import pytest

import ember

ALLOWED = ("ValueError", "TypeError", "IndexError", "RuntimeError", "MemoryError", "NotImplementedError")
ALLOWED_EXC = (ValueError, TypeError, IndexError, RuntimeError, MemoryError)
_AS_LIMIT = 3 << 30  # bytes of address space a child may map
_MARK = "@@RESULT@@"


# ---------------------------------------------------------------------------------------------
# Child-process helpers
# ---------------------------------------------------------------------------------------------
def _run_child(body, *, debug_malloc=False, timeout=30, as_limit=_AS_LIMIT, extra_env=None):
    """Runs `body` after a prelude (resource limit, numpy, ember) in a fresh interpreter."""
    prelude = textwrap.dedent(f"""
        import json, math, os, resource, sys, time
        if "libasan" not in os.environ.get("LD_PRELOAD", ""):  # ASan's shadow memory exceeds any such limit
            resource.setrlimit(resource.RLIMIT_AS, ({as_limit}, {as_limit}))
        import numpy as np
        import ember
        import ember.nn.functional
    """)
    env = dict(os.environ)
    env.pop("PYTHONMALLOC", None)
    if debug_malloc:
        env["PYTHONMALLOC"] = "debug"
    env.update(extra_env or {})
    code = prelude + textwrap.dedent(body)
    try:
        # In a folder of its own: calls such as ember.save(t, 'abc') write where they run.
        with tempfile.TemporaryDirectory() as cwd:
            return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                                  env=env, cwd=cwd)
    except subprocess.TimeoutExpired:
        pytest.fail(f"child process hung (> {timeout} s) running:\n{textwrap.dedent(body)}")


def _outcome(call, *, setup="", check=None, debug_malloc=False, timeout=30):
    """Runs `call` (an expression) in a child; returns the child's report as a dict.

    The dict holds raised / type / msg, or (on success) repr and, with `check` (an expression over
    the result `_r`), check. A child that dies fails the test here, with the exact call.
    """
    check_line = f'_res["check"] = bool({check})' if check else "pass"
    body = f"""
{setup}
try:
    _r = {call}
    _res = {{"raised": False}}
except BaseException as _e:
    _res = {{"raised": True, "type": type(_e).__name__, "msg": str(_e)[:500]}}
if not _res["raised"]:
    try:
        {check_line}
        _res["repr"] = repr(_r)[:300]
    except BaseException as _e:  # the result cannot even be read back or printed
        _res["check"] = False
        _res["repr"] = f"<unreadable result: {{type(_e).__name__}}: {{_e}}>"
print({_MARK!r} + json.dumps(_res), flush=True)
"""
    proc = _run_child(body, debug_malloc=debug_malloc, timeout=timeout)
    where = f"\n    setup: {setup.strip()}\n    call:  {call}" + ("  [PYTHONMALLOC=debug]" if debug_malloc else "")
    rc = proc.returncode
    assert rc == 0, f"child died (exit status {rc}, a crash) on bad input:{where}\nstderr tail: {proc.stderr[-600:]}"
    lines = [l for l in proc.stdout.splitlines() if l.startswith(_MARK)]
    assert lines, f"child printed no result:{where}\nstderr: {proc.stderr[-600:]}"
    res = json.loads(lines[-1][len(_MARK):])
    res["where"] = where
    return res


def _assert_clean_error(res, ops):
    """The child raised an allowed exception whose message names one of `ops`."""
    assert res["raised"], f"bad input was accepted (PyTorch raises) -> {res.get('repr')}{res['where']}"
    assert res["type"] in ALLOWED, f"raised {res['type']}: {res['msg']}{res['where']}"
    msg = res["msg"].lower()
    assert any(op.lower() in msg for op in ops), f"message does not name the op ({ops}): {res['msg']!r}{res['where']}"


def _assert_error_or_check(res, ops):
    """Either a clean error naming the op, or success with the expected result (`check` True)."""
    if res["raised"]:
        _assert_clean_error(res, ops)
    else:
        assert res.get("check"), f"wrong result -> {res.get('repr')}{res['where']}"


def _assert_raises_in_process(fn, ops):
    with pytest.raises(ALLOWED_EXC) as info:
        r = fn()
        pytest.fail(f"bad input accepted, returned {r!r}")
    msg = str(info.value).lower()
    assert any(op.lower() in msg for op in ops), f"message does not name the op ({ops}): {info.value!r}"


# ---------------------------------------------------------------------------------------------
# Crashes: out-of-range reads on 0-d tensors
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    "ember.tensor(1.0).size(0)",
    "ember.tensor(1.0).size(-1)",
    "ember.tensor(3).stride(0)",
    "ember.tensor(True).stride(-1)",
])
def test_size_stride_dim_of_0d_tensor(call):
    # Tensor::size/stride wrap dim 0 for a 0-d tensor, then read sizes()[0] of an empty vector.
    _assert_clean_error(_outcome(call), ["size", "stride", "dim"])


@pytest.mark.parametrize("call", [
    "ember.unflatten(ember.tensor(1.0), 0, (1,))",
    "ember.tensor(1.0).unflatten(-1, (2, 3))",
])
def test_unflatten_0d_tensor(call):
    # unflatten wraps dim 0 of a 0-d tensor and reads t.sizes()[0] (torch: IndexError).
    _assert_clean_error(_outcome(call), ["unflatten"])


# ---------------------------------------------------------------------------------------------
# Crashes: scatter with a src of another number of dims
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["scatter", "scatter_", "scatter_add", "scatter_add_"])
@pytest.mark.parametrize("src", [
    "ember.tensor(1.0)",                        # 0-d src, 1-D index: reads src.sizes()[0] -> segfault
    "ember.arange(24.0).reshape(2, 3, 4)",       # 3-D src: its strides are misapplied to the index shape
])
def test_scatter_src_ndim_mismatch(op, src):
    # torch: "Index tensor must have the same number of dimensions as src tensor".
    if src == "ember.tensor(1.0)":
        setup = "t = ember.zeros(3)\nidx = ember.zeros(3, dtype=ember.int64)"
    else:
        setup = "t = ember.zeros(3, 4)\nidx = ember.zeros(2, 2, dtype=ember.int64)"
    _assert_clean_error(_outcome(f"t.{op}(0, idx, {src})", setup=setup), ["scatter", "src", "dim"])


# ---------------------------------------------------------------------------------------------
# Crashes: use after free while reading a size from a sequence of temporaries
# ---------------------------------------------------------------------------------------------
# shape_from() iterates `for (py::handle h : py::sequence)`: each item is a temporary that is freed
# before it is used. Lists keep their items alive, but NumPy arrays, tensors and ranges hand out new
# objects, so every op taking a size reads freed memory (random crashes or "got str" messages in a
# normal run; a deterministic crash under PYTHONMALLOC=debug). The calls may either work (shape
# (2, 3)) or raise a clean error naming the op.
SHAPE_CALLS = [
    ("ember.zeros(np.array([2, 3]))", "zeros"),
    ("ember.ones(np.array([2, 3]))", "ones"),
    ("ember.empty(np.array([2, 3]))", "empty"),
    ("ember.rand(np.array([2, 3]))", "rand"),
    ("ember.randn(np.array([2, 3]))", "randn"),
    ("ember.full(np.array([2, 3]), 1.0)", "full"),
    ("ember.normal(0.0, 1.0, np.array([2, 3]))", "normal"),
    ("ember.randint(0, 5, np.array([2, 3]))", "randint"),
    ("ember.zeros(range(1000, 1002))[:2, :3]", "zeros"),  # ints above the small-int cache are fresh objects
    ("ember.zeros(ember.tensor([2, 3]))", "zeros"),
    ("ember.arange(6.0).reshape(np.array([2, 3]))", "reshape"),
    ("ember.reshape(ember.arange(6.0), ember.tensor([2, 3]))", "reshape"),
    ("ember.arange(6.0).view(np.array([2, 3]))", "view"),
    ("ember.ones(3).expand(np.array([2, 3]))", "expand"),
    ("ember.broadcast_to(ember.ones(3), np.array([2, 3]))", "broadcast_to"),
    ("ember.ones(3, 2).permute(np.array([1, 0]))", "permute"),
    ("ember.ones(6).unflatten(0, np.array([2, 3]))", "unflatten"),
    ("ember.ones(5, 3).split(np.array([3, 2]))[0][:2]", "split"),
    ("ember.broadcast_shapes(np.array([2, 3]))", "broadcast_shapes"),
]


@pytest.mark.parametrize("call,op", SHAPE_CALLS, ids=[c for c, _ in SHAPE_CALLS])
def test_size_from_sequence_of_temporaries(call, op):
    res = _outcome(call, debug_malloc=True, check="tuple(_r.shape if hasattr(_r, 'shape') else _r) == (2, 3)")
    _assert_error_or_check(res, [op])


# ---------------------------------------------------------------------------------------------
# Crashes: a dtype built from an out-of-range integer
# ---------------------------------------------------------------------------------------------
def test_dtype_from_invalid_int_is_rejected():
    # ember.dtype(12) would be an enum value past the last dtype (printing "ember.?").
    _assert_clean_error(_outcome("ember.dtype(12)"), ["dtype"])


@pytest.mark.parametrize("call,op", [
    ("ember.tensor([1.0], dtype=ember.dtype(12))", "tensor"),
    ("ember.arange(10**6, dtype=ember.dtype(12))", "arange"),
    ("ember.linspace(0, 1, 10**6, dtype=ember.dtype(12))", "linspace"),
    ("ember.randint(0, 5, (10**6,), dtype=ember.dtype(12))", "randint"),
    ("ember.ones(10**6).sum(dtype=ember.dtype(12))", "sum"),
    ("ember.ones(10**6).cumsum(0, dtype=ember.dtype(12))", "cumsum"),
])
def test_invalid_dtype_value_does_not_crash(call, op):
    _assert_clean_error(_outcome(call), [op, "dtype"])


# ---------------------------------------------------------------------------------------------
# Crashes: views whose extent overflows int64 (out-of-bounds views)
# ---------------------------------------------------------------------------------------------
def test_narrow_start_plus_length_overflow():
    # start + length wraps negative and passes the bound check: a view of 2**63-1 elements over 4.
    _assert_clean_error(_outcome("ember.ones(4).narrow(0, 1, 2**63 - 1)[2**40]"), ["narrow"])


@pytest.mark.parametrize("call", [
    "ember.ones(4).reshape(2**62 + 1, 4)[2**40]",       # numel_of wraps to 4: accepted as a view
    "ember.ones(4).reshape(-1, 2**62 + 1, 4)",
    "ember.zeros(0).reshape(2**62, 4)[2**40]",           # wraps to 0 elements
    "ember.zeros(2, 0).view(2**32, 2**32)",
])
def test_reshape_view_numel_overflow(call):
    # torch: "numel: integer multiplication overflow" / "shape is invalid for input of size".
    _assert_clean_error(_outcome(call), ["reshape", "view", "shape", "overflow"])


@pytest.mark.parametrize("call", [
    "ember.ones(2).expand(2**62, 2).sum()",             # numel wraps to -2**63; sum returns 0
    "ember.ones(1).expand(2**32, 2**32).numel()",       # numel wraps to 0
    "ember.broadcast_to(ember.tensor(2.5), (2**62, 4)).sum()",
    "ember.ones(3).expand(2**63 - 1, 3).sum()",          # wraps to a huge positive count: runs "forever"
])
def test_expand_numel_overflow(call):
    # torch: "numel: integer multiplication overflow".
    _assert_clean_error(_outcome(call, timeout=5), ["expand", "broadcast", "overflow"])


def test_slice_step_overflow_gives_negative_size():
    # (stop - start + step - 1) / step overflows: t[::2**63-1] gets size -1 (numel -3).
    res = _outcome("ember.ones(2, 3)[::2**63 - 1]", check="tuple(_r.shape) == (1, 3) and _r.numel() == 3")
    _assert_error_or_check(res, ["index", "slice", "step", "overflow"])


# ---------------------------------------------------------------------------------------------
# Runaway memory: billions of views for an empty dim (torch fails at once)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,op", [
    ("ember.zeros(0).chunk(2**40)", "chunk"),
    ("ember.zeros(0, 2**40).unbind(1)", "unbind"),
    ("ember.zeros(0, 2**40).split(1, dim=1)", "split"),
])
def test_many_empty_views_fail_fast(call, op):
    # Without a memory limit these take every byte of RAM before failing.
    # The peak is this call's: ru_maxrss would carry the forking test process's own peak across
    # exec, so the child resets its high-water mark (clear_refs 5) and reads VmHWM afterwards.
    body = f"""
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
t0 = time.time()
try:
    _r = {call}
    out = {{"raised": False, "n": len(_r)}}
except BaseException as e:
    out = {{"raised": True, "type": type(e).__name__, "msg": str(e)[:300]}}
with open("/proc/self/status") as f:
    out["peak_mb"] = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) // 1024
out["seconds"] = time.time() - t0
print({_MARK!r} + json.dumps(out), flush=True)
"""
    proc = _run_child(body, timeout=30, as_limit=3 << 29)
    rc = proc.returncode
    assert rc == 0, f"child died (exit status {rc}) on {call}: {proc.stderr[-400:]}"
    out = json.loads([l for l in proc.stdout.splitlines() if l.startswith(_MARK)][-1][len(_MARK):])
    assert out["peak_mb"] < 512, f"{call} used {out['peak_mb']} MB of memory: {out}"
    assert out["raised"] and out["type"] in ALLOWED, f"{call}: {out}"


# ---------------------------------------------------------------------------------------------
# Crashes: writing through a tensor over read-only memory (torch 2.13 crashes too, with a warning)
# ---------------------------------------------------------------------------------------------
def test_write_to_readonly_numpy_memory(tmp_path):
    path = tmp_path / "ro.bin"
    np.zeros(4).tofile(path)
    setup = f"m = np.memmap({str(path)!r}, dtype=np.float64, mode='r')"
    res = _outcome("ember.from_numpy(m).fill_(1.0)", setup=setup)
    _assert_clean_error(res, ["from_numpy", "fill_", "writ", "read-only", "readonly"])


# ---------------------------------------------------------------------------------------------
# Wrong exception type: AttributeError from a non-integer slice bound
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("index", [slice(1.5, None), slice("a", None), slice(None, None, 1.5)])
def test_non_integer_slice_bounds_raise_type_error(index):
    t = ember.ones(2, 3)
    with pytest.raises((TypeError, IndexError, ValueError)):
        t[index]
    with pytest.raises((TypeError, IndexError, ValueError)):
        t[index] = 1.0


# ---------------------------------------------------------------------------------------------
# Silently wrong: writes whose source overlaps the destination (torch raises)
# ---------------------------------------------------------------------------------------------
def _overlap_cases():
    def copy_shift():
        x = ember.arange(5.0)
        x[1:].copy_(x[:-1])
        return x, [0, 0, 1, 2, 3]

    def setitem_shift():
        x = ember.arange(5.0)
        x[1:] = x[:-1]
        return x, [0, 0, 1, 2, 3]

    def index_put_shift():
        x = ember.arange(5.0)
        x[ember.tensor([1, 2, 3, 4])] = x[:4]
        return x, [0, 0, 1, 2, 3]

    def add_shift():
        x = ember.arange(5.0)
        x[1:].add_(x[:-1])
        return x, [0, 1, 3, 5, 7]

    def copy_transpose():
        y = ember.arange(4.0).reshape(2, 2)
        y.copy_(y.t())
        return y, [[0, 2], [1, 3]]

    def add_transpose():
        y = ember.arange(4.0).reshape(2, 2)
        y.add_(y.t())
        return y, [[0, 3], [3, 6]]

    def scatter_self():
        x = ember.arange(4.0)
        x.scatter_(0, ember.tensor([1, 2, 3, 0]), x)
        return x, [3, 0, 1, 2]

    return [copy_shift, setitem_shift, index_put_shift, add_shift, copy_transpose, add_transpose, scatter_self]


@pytest.mark.parametrize("case", _overlap_cases(), ids=lambda f: f.__name__)
def test_overlapping_in_place_write(case):
    # torch: "unsupported operation: some elements of the input tensor and the written-to tensor
    # refer to a single memory location". Either raise, or compute as if the source were cloned.
    try:
        got, want = case()
    except ALLOWED_EXC:
        return
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want, dtype=np.float32),
                                  err_msg="overlapping write gave a silently wrong result")


# ---------------------------------------------------------------------------------------------
# Silently wrong: floats that do not fit the destination dtype (torch: "value cannot be converted
# to type int64_t without overflow"); ember writes INT64_MIN / inf
# ---------------------------------------------------------------------------------------------
def _i64(*shape):
    return ember.zeros(*shape, dtype=ember.int64)


def _setitem(t, i, v):
    t[i] = v
    return t


UNREPRESENTABLE = [
    ("full_nan", lambda: ember.full((2,), float("nan"), dtype=ember.int64), ["full", "convert"]),
    ("full_inf", lambda: ember.full((2,), float("inf"), dtype=ember.int64), ["full", "convert"]),
    ("full_1e19", lambda: ember.full((2,), 1e19, dtype=ember.int64), ["full", "convert"]),
    ("full_1e300_f32", lambda: ember.full((2,), 1e300, dtype=ember.float32), ["full", "convert"]),
    ("full_like_1e30", lambda: ember.full_like(_i64(2), 1e30), ["full", "convert"]),
    ("fill_nan", lambda: _i64(2).fill_(float("nan")), ["fill", "convert"]),
    ("masked_fill_inf", lambda: _i64(2).masked_fill(ember.tensor([True, False]), float("inf")),
     ["masked_fill", "convert"]),
    ("setitem_nan", lambda: _setitem(_i64(2), 0, float("nan")), ["index", "setitem", "convert", "copy"]),
    ("scatter_nan", lambda: _i64(3).scatter(0, ember.tensor([0]), float("nan")), ["scatter", "convert"]),
    ("tensor_nan_int64", lambda: ember.tensor(float("nan"), dtype=ember.int64), ["tensor", "convert"]),
]


@pytest.mark.parametrize("fn,ops", [(f, o) for _, f, o in UNREPRESENTABLE], ids=[n for n, _, _ in UNREPRESENTABLE])
def test_unrepresentable_fill_value(fn, ops):
    _assert_raises_in_process(fn, ops)


# ---------------------------------------------------------------------------------------------
# Accepted bad input / silently wrong numbers (PyTorch raises or differs)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [(-float("inf"), float("inf")), (0.0, float("inf")), (-float("inf"), 0.0)])
def test_uniform_with_infinite_bounds(args):
    # ember fills NaN / inf; torch: "from/to is out of bounds for float".
    _assert_raises_in_process(lambda: ember.zeros(3).uniform_(*args), ["uniform", "bound", "finite", "inf"])


@pytest.mark.parametrize("shapes", [((-5,), (1,)), ((-1,),), ((2, -3), (2, 1))])
def test_broadcast_shapes_negative_size(shapes):
    # ember returns ember.Size([-5]); torch: "Attempting to broadcast a dimension with negative length".
    _assert_raises_in_process(lambda: ember.broadcast_shapes(*shapes), ["broadcast_shapes", "negative"])


@pytest.mark.parametrize("start", [2**53, 2**53 + 1, 2**62])
def test_arange_large_int64_bounds_are_exact(start):
    # int64 bounds go through double: arange(2**62, 2**62 + 3) is empty, arange(2**53, 2**53 + 3) has
    # 4 elements with a repeated value.
    got = ember.arange(start, start + 3)
    assert got.dtype == ember.int64
    assert got.tolist() == [start, start + 1, start + 2]


@pytest.mark.parametrize("op,want", [("std", 1.707825127659933), ("var", 2.9166666666666665)])
def test_std_var_positional_bool_is_unbiased(op, want):
    # torch reads x.std(True) as std(unbiased=True) over all elements; ember reads True as dim=1 and
    # silently returns per-row values. Either match torch or reject a bool dim.
    x = ember.tensor([[1.0, 2.0], [3.0, 5.0]])
    try:
        got = getattr(x, op)(True)
    except (TypeError, ValueError):
        return
    assert tuple(got.shape) == (), f"{op}(True) reduced over dim 1: {got}"
    assert abs(got.item() - want) < 1e-5


ACCEPTED_BAD = [
    # flatten of a 0-d tensor ignores out-of-range dims (torch: IndexError "Dimension out of range").
    ("flatten_0d_dim5", lambda: ember.flatten(ember.tensor(1.0), 5), ["flatten", "dim"]),
    ("flatten_0d_end_dim", lambda: ember.tensor(1.0).flatten(0, -3), ["flatten", "dim"]),
    # num_classes other than -1 or >= 1 is silently treated as "infer" (torch raises).
    ("one_hot_negative_classes", lambda: ember.nn.functional.one_hot(ember.tensor([1]), -5),
     ["one_hot", "num_classes", "class"]),
    # a dtype is read as an int size (ember.float64 -> 3): zeros(ember.float64) has shape (3,).
    ("zeros_dtype_as_size", lambda: ember.zeros(ember.float64), ["zeros", "size"]),
    ("broadcast_shapes_dtype", lambda: ember.broadcast_shapes(ember.float32), ["broadcast_shapes", "size", "int"]),
    # ember.Size holds anything (torch.Size: "takes an iterable of 'int'").
    ("size_of_str", lambda: ember.Size(["a"]), ["size", "int"]),
    ("size_of_float", lambda: ember.Size([1.5]), ["size", "int"]),
]


@pytest.mark.parametrize("fn,ops", [(f, o) for _, f, o in ACCEPTED_BAD], ids=[n for n, _, _ in ACCEPTED_BAD])
def test_bad_input_accepted(fn, ops):
    _assert_raises_in_process(fn, ops)


# ---------------------------------------------------------------------------------------------
# Generic sweep: every public callable with bad arguments, in one child
# ---------------------------------------------------------------------------------------------
_SWEEP = r'''
import os, re
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
prog = open(os.environ["EMBER_SWEEP_PROGRESS"], "w", buffering=1)
# BufferError: what NumPy's __dlpack__ raises for dtypes DLPack cannot carry (PyTorch passes it on too).
# OSError: what a path that is no file gets (ember.load('abc'): FileNotFoundError, as open()).
ALLOWED = (ValueError, TypeError, IndexError, RuntimeError, MemoryError, BufferError, OSError)

FIXTURES = {
    "f32": "ember.tensor([[0.5, -1.5, 2.0], [3.0, -4.0, 0.0]])",
    "i64": "ember.tensor([[1, -2, 3], [0, 5, -6]])",
    "b8": "ember.tensor([[True, False, True], [False, True, True]])",
    "s0": "ember.tensor(2.5)",
    "e20": "ember.zeros(2, 0)",
    "nc": "ember.arange(12.0).reshape(3, 4).t()",
    "ex": "ember.tensor([1.0, 2.0, 3.0]).expand(2, 3)",
    "t64": "ember.zeros([1] * 64)",
    "idx_oob": "ember.tensor([7])",
}
FIX_CODE = {k: compile(v, k, "eval") for k, v in FIXTURES.items()}

BAD = ["None", "'abc'", "1.5", "2**63", "-2**63", "2**63 - 1", "-1", "7", "float('nan')", "[]", "[[1, 2], [3]]",
       "object()", "(2, -1)", "np.array([2, 3])", "np.ones(2, dtype=np.float16)"]
TENS = list(FIXTURES)
SELF = ["f32", "i64", "s0", "e20"]

module_fns = sorted(n for n in ember.__all__ if callable(getattr(ember, n)) and n != "set_num_threads")
methods = sorted(n for n in dir(ember.Tensor) if not n.startswith("_") and callable(getattr(ember.Tensor, n)))
methods += ["__getitem__", "__add__", "__mul__", "__matmul__", "__iadd__", "__len__", "__bool__", "__index__",
            "__int__", "__float__", "__dlpack__", "__array__", "__eq__", "__pow__", "__floordiv__", "__mod__"]

calls = []
for n in module_fns:
    calls.append(f"ember.{n}()")
    calls += [f"ember.{n}({v})" for v in BAD]
    calls += [f"ember.{n}({t}, {v})" for t in SELF for v in BAD + TENS]
calls += [f"ember.nn.functional.one_hot({t}, {v})" for t in TENS for v in BAD]
for m in methods:
    calls += [f"{t}.{m}()" for t in TENS]
    calls += [f"{t}.{m}({v})" for t in SELF for v in BAD + TENS]
for m in ["gather", "scatter", "scatter_add_", "index_select", "narrow", "select", "masked_fill", "where", "clamp",
          "split", "transpose", "movedim", "unflatten", "var", "isclose", "expand", "view", "reshape", "permute",
          "masked_scatter", "select_scatter", "slice_scatter", "diagonal_scatter", "mode", "scatter_reduce"]:
    calls += [f"{t}.{m}({a}, {b})" for t in ["f32", "s0", "ex"] for a in ["-1", "0", "5", "2**63 - 1", "None"]
              for b in ["idx_oob", "s0", "e20", "2**63 - 1", "-2**63", "1.5", "None", "f32"]]
calls += [f"{t}[{i}]" for t in TENS for i in BAD + TENS + ["slice(None, None, 2**63 - 1)", "(None,) * 65"]]

problems = []
threads = ember.get_num_threads()
for c in calls:
    prog.write(c + "\n")
    ns = {"ember": ember, "np": np}
    for name in set(IDENT.findall(c)) & FIXTURES.keys():  # fresh fixtures: in-place calls mutate them
        ns[name] = eval(FIX_CODE[name], ns)
    try:
        r = eval(c, ns)
    except ALLOWED:
        continue
    except AssertionError as e:  # asking for CUDA: the one no-CUDA error, AssertionError as torch's
        if "no CUDA backend" not in str(e):
            problems.append(f"{c} raised AssertionError: {str(e)[:120]}")
        continue
    except BaseException as e:
        problems.append(f"{c} raised {type(e).__name__}: {str(e)[:120]}")
        continue
    for t in (r if isinstance(r, tuple) else (r,)):
        if isinstance(t, ember.Tensor):
            shape = tuple(t.shape)
            if any(d < 0 for d in shape) or t.numel() != math.prod(shape):
                problems.append(f"{c} returned a tensor of shape {shape} with numel {t.numel()}")
    if ember.get_num_threads() != threads:
        ember.set_num_threads(threads)
print(@@MARK@@ + json.dumps({"calls": len(calls), "problems": problems}), flush=True)
'''


def test_generic_bad_input_sweep(tmp_path):
    progress = tmp_path / "progress.txt"
    # About 90k calls: 20 s on an idle machine, 45 s beside other work; the limit catches a hang.
    proc = _run_child(_SWEEP.replace("@@MARK@@", repr(_MARK)), debug_malloc=True, timeout=150,
                      extra_env={"EMBER_SWEEP_PROGRESS": str(progress)})
    last = progress.read_text().splitlines()[-1:] if progress.exists() else []
    rc = proc.returncode
    assert rc == 0, (f"sweep child died (exit status {rc}) at call: {last}\n"
                                  f"stderr tail: {proc.stderr[-500:]}")
    lines = [l for l in proc.stdout.splitlines() if l.startswith(_MARK)]
    assert lines, f"sweep printed no result; last call {last}; stderr: {proc.stderr[-500:]}"
    out = json.loads(lines[-1][len(_MARK):])
    assert not out["problems"], f"{len(out['problems'])} of {out['calls']} calls misbehaved:\n" + "\n".join(
        out["problems"][:40])


# =============================================================================================
# Autograd: bad input to backward / grad / hooks / Function / gradcheck / .data / in-place ops
# =============================================================================================
# Crashes: an in-place write through a view of an int / bool tensor, from an operand that
# requires grad. apply_inplace takes the CopySlices path for views; the non-float view gets no
# autograd meta from record_view_from_base, and move_retained dereferences it (segfault).
# torch: copy_ casts and leaves the int tensor without history; index_put_ raises a dtype error.
@pytest.mark.parametrize("dtype", ["int64", "bool"])
@pytest.mark.parametrize("call", [
    "t[:2].copy_(x)",
    "t.view(2, 2)[0].copy_(x)",
    "t[:3].index_put_((ember.tensor([0, 1]),), x)",
    "v.__setitem__(slice(0, 2), x)",          # v[0:2] = x on a view
    "t[:2].clamp_(x, x)",
    "t[:2].copy_(x[0])",                      # a 0-d source requiring grad, broadcast
])
def test_inplace_write_through_non_float_view_from_grad_operand(call, dtype):
    setup = f"t = ember.zeros(4, dtype=ember.{dtype})\nv = t[:3]\nx = ember.ones(2, requires_grad=True)"
    res = _outcome(f"({call}, t)[1]", setup=setup,
                   check="_r.tolist()[:2] == [1, 1] and _r.tolist()[2:] == [0, 0] and not _r.requires_grad")
    _assert_error_or_check(res, ["copy_", "index_put", "clamp", "setitem", "dtype", "grad", "float"])


# ---------------------------------------------------------------------------------------------
# Crashes / silently passing checks: gradcheck when fn's outputs change between calls or are
# not tensors at all
# ---------------------------------------------------------------------------------------------
_COUNTING_FN = """
x = ember.ones(3, dtype=ember.float64, requires_grad=True)
calls = [0]
def fn(a):
    calls[0] += 1
    first = calls[0] == 1
    return {body}
"""


@pytest.mark.parametrize("body", [
    "a * 2 if first else ()",                   # 1 output, then none: plus[0] read out of range (segfault)
    "a * 2 if first else (a * 2)[:1]",          # fewer elements: Jacobian indexed with the wrong row length, passes
    "None",                                     # nothing checked at all: returns True (torch raises)
    "'not a tensor'",
])
def test_gradcheck_outputs_that_change_or_are_missing(body):
    res = _outcome("ember.autograd.gradcheck(fn, (x,))", setup=_COUNTING_FN.format(body=body))
    # A fixed gradcheck raises (torch: IndexError / expand error / GradcheckError / AttributeError).
    _assert_clean_error(res, ["gradcheck", "output", "shape", "mismatch", "tensor"])


def test_gradcheck_on_readonly_memory(tmp_path):
    # gradcheck perturbs inputs through a raw pointer, skipping the read-only check every kernel
    # makes: a read-only memmap segfaults (as in torch 2.13). Either raise or copy the input.
    path = tmp_path / "ro.bin"
    np.ones(3).tofile(path)
    setup = (f"m = np.memmap({str(path)!r}, dtype=np.float64, mode='r')\n"
             "x = ember.from_numpy(m).requires_grad_()")
    res = _outcome("ember.autograd.gradcheck(lambda a: a * 2, (x,))", setup=setup, check="_r is True")
    _assert_error_or_check(res, ["gradcheck", "read-only", "readonly", "writ"])


# ---------------------------------------------------------------------------------------------
# Crash classes that are fixed now (representative guards): hooks that change the hook list
# while it runs, a wrong-shaped gradient from a hook, a deep custom-Function graph
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,want", [
    # registering inside a non-leaf hook reallocated the vector being iterated (segfault)
    ("z.register_hook(lambda g: (z.register_hook(lambda g2: g2 * 10), g)[1]) and (z * 1).sum().backward()", 2.0),
    ("h.append(z.register_hook(lambda g: (h[0].remove(), g * 2)[1])) or (z * 1).sum().backward()", 4.0),
    ("x.register_hook(lambda g: (x.register_hook(lambda g2: g2), g)[1]) and (x * 2).sum().backward()", 2.0),
])
def test_hook_changing_hooks_during_backward(call, want):
    res = _outcome(f"({call}, x.grad.tolist())[1]", setup="x = ember.ones(3, requires_grad=True)\nz = x * 2\nh = []",
                   check=f"_r == [{want}] * 3", debug_malloc=True)
    assert not res["raised"] and res["check"], res  # torch's gradients


def test_hook_returning_wrong_shape_is_rejected():
    # A smaller gradient through a slice's backward read past its end (garbage values in .grad).
    x = ember.ones(5, 3, requires_grad=True)
    z = x[1:3]
    z.register_hook(lambda g: ember.ones(1, 3))
    with pytest.raises(ALLOWED_EXC, match="hook"):
        (z * 1).sum().backward()


def test_deep_custom_function_graph(tmp_path):
    body = """
class Ident(ember.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * 1.0
    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g
import gc
gc.collect()
n0 = ember._C._live_node_count()
x = ember.ones(1, requires_grad=True)
y = x
for _ in range(100_000):
    y = Ident.apply(y)
y.sum().backward()
del y
gc.collect()
print(@@MARK@@ + json.dumps({"grad": x.grad.tolist(), "nodes": ember._C._live_node_count() - n0}), flush=True)
"""
    proc = _run_child(body.replace("@@MARK@@", repr(_MARK)), timeout=60)
    assert proc.returncode == 0, f"child died (exit status {proc.returncode}): {proc.stderr[-600:]}"
    out = json.loads([l for l in proc.stdout.splitlines() if l.startswith(_MARK)][-1][len(_MARK):])
    assert out["grad"] == [1.0] and out["nodes"] <= 1, out  # (x's own accumulator may remain)


# ---------------------------------------------------------------------------------------------
# Silently wrong gradients / graphs
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["method", "function"])
def test_backward_inputs_with_duplicates_accumulate_once(how):
    # ember adds the gradient once per listed copy: x.grad == 4 (torch: 2).
    x = ember.ones(3, requires_grad=True)
    y = (x * 2).sum()
    if how == "method":
        y.backward(inputs=[x, x])
    else:
        ember.autograd.backward(y, inputs=[x, x])
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


class _MarkInput(ember.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.mark_non_differentiable(a)  # an input, not an output: torch ignores it
        return a * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2


class _MarkReturnedInput(ember.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.mark_non_differentiable(a)
        return a

    @staticmethod
    def backward(ctx, g):
        return g


def test_mark_non_differentiable_does_not_detach_inputs():
    # ember calls detach_() on whatever is marked: the caller's leaf loses requires_grad, a
    # non-leaf input loses its history, and the returned tensor still requires grad.
    x = ember.ones(3, requires_grad=True)
    y = _MarkInput.apply(x)
    assert x.requires_grad and x.is_leaf, "mark_non_differentiable(input) detached the caller's leaf"
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]

    w = ember.ones(3, requires_grad=True)
    h = w * 3
    _MarkInput.apply(h)
    assert h.grad_fn is not None and h.requires_grad, "mark_non_differentiable(input) erased the input's history"

    x2 = ember.ones(3, requires_grad=True)
    out = _MarkReturnedInput.apply(x2)
    assert x2.requires_grad, "marking the returned input detached the input itself"
    assert not out.requires_grad, "an output marked non-differentiable requires grad"


def test_inplace_through_view_taken_under_no_grad():
    # The view has no history, so CopySlices sends zeros for the part it overwrote: x.grad is
    # [0, 0, 2] (the true gradient is [10, 10, 2]). torch raises "A view was created in no_grad
    # mode and is being modified inplace with grad mode enabled".
    x = ember.ones(3, requires_grad=True)
    z = x * 2
    with ember.no_grad():
        v = z[:2]
    try:
        v.mul_(5)
        z.sum().backward()
    except ALLOWED_EXC:
        return
    assert x.grad.tolist() == [10.0, 10.0, 2.0], f"silently wrong gradient {x.grad.tolist()}"


def test_view_of_noncontiguous_root_follows_base_history():
    # b is a non-contiguous root (a transposed array); b.add_(w) gives it history, but refresh_view
    # skips non-contiguous bases, so the older view v silently stops carrying gradient:
    # w.grad is all zeros (torch: ones in row 0).
    b = ember.from_numpy(np.zeros((2, 3)).T)
    v = b[0]
    w = ember.ones(3, 2, dtype=ember.float64, requires_grad=True)
    try:
        b.add_(w)
        ((v * 1).sum() + (b * 0).sum()).backward()
    except ALLOWED_EXC:
        return
    np.testing.assert_array_equal(np.asarray(w.grad), [[1, 1], [0, 0], [0, 0]])


@pytest.mark.parametrize("make", [
    lambda x: ember.tensor(x, requires_grad=True),
    lambda x: ember.tensor(x).requires_grad_(),
    lambda x: x.new_tensor(x, requires_grad=True),
    lambda x: ember.tensor(x, dtype=ember.float64, requires_grad=True),
], ids=["tensor", "tensor_then_requires_grad_", "new_tensor", "tensor_float64"])
def test_tensor_from_tensor_is_a_new_leaf(make):
    # ember.tensor(x) records ToCopyBackward0 when x requires grad: the "new parameter" is a
    # non-leaf whose .grad stays None, and its gradient lands in x. torch: a detached leaf copy.
    x = ember.ones(3, requires_grad=True)
    p = make(x)
    assert p.is_leaf and p.grad_fn is None
    (p * 2).sum().backward()
    assert p.grad is not None and p.grad.tolist() == [2.0, 2.0, 2.0]
    assert x.grad is None, "gradient flowed back into the source of a copy"


def test_tensor_from_tensor_requiring_grad_does_not_require_grad():
    x = ember.ones(3, requires_grad=True)
    assert not ember.tensor(x).requires_grad
    assert not x.new_tensor(x).requires_grad


@pytest.mark.parametrize("dtype", [ember.int64, ember.bool])
def test_data_setter_rejects_non_float_for_tensor_requiring_grad(dtype):
    # ember accepts it and leaves an int tensor with requires_grad=True (its old graph then writes
    # a float .grad into it). torch: "data set to a tensor that requires gradients must be floating
    # point or complex dtype".
    x = ember.ones(3, requires_grad=True)

    def set_data():
        x.data = ember.zeros(3, dtype=dtype)

    _assert_raises_in_process(set_data, ["data", "float"])
    assert x.dtype == ember.float32 and x.requires_grad


# Flags and counts PyTorch checks strictly (checked against torch: the same exception type).
_STRICT_AUTOGRAD_ARGS = {
    "requires_grad_int": lambda L: L.ones(2).requires_grad_(2),
    "requires_grad_none": lambda L: setattr(L.ones(2), "requires_grad", None),
    "detect_anomaly_str": lambda L: L.autograd.set_detect_anomaly("yes"),
    "softmax_bool_dim": lambda L: L.softmax(L.ones(2), True),
    "create_graph_none": lambda L: L.ones(2, requires_grad=True).sum().backward(create_graph=None),
    "grad_tensors_count": lambda L: L.autograd.backward(
        [L.ones(2, requires_grad=True).sum(), L.ones(2, requires_grad=True).sum()], []),
}


@pytest.mark.parametrize("case", sorted(_STRICT_AUTOGRAD_ARGS))
def test_autograd_flags_are_checked_like_torch(case, torch):
    fn = _STRICT_AUTOGRAD_ARGS[case]
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(expected.type):
        fn(ember)


def test_softmax_takes_numpy_int_dims():
    x = ember.tensor([1.0, 2.0])
    assert ember.allclose(ember.softmax(x, np.int64(0)), ember.softmax(x, 0))

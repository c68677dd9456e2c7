"""ember.compile's pointwise fusion (cpp/src/graph_fuse.cpp): chains of elementwise.def kernels (and
copies/casts) replay as one tiled pass and still equal eager bit for bit, on every row of the table;
what was fused is reported; broadcasts, non-contiguous operands and intermediates read later are
handled."""
import copy
import pathlib
import re

import ember
import numpy as np
import pytest

_DEF = pathlib.Path(__file__).resolve().parents[2] / "cpp" / "include" / "ember" / "elementwise.def"
_ROWS = re.findall(r"^EMBER_(UNARY|BINARY)\((\w+), (\w+),", _DEF.read_text(), re.M)
_FLOAT_KINDS = {"FLOAT", "NUMERIC", "ANY", "SQUARE", "ROUND", "PREDICATE", "FLOATING", "ARITH", "NONBOOL",
                "DIVIDE", "COMPARE"}
_INT_KINDS = {"INTEGRAL", "BITWISE", "INTEGER"}


def _same_bits(a, b, what=""):
    if a.dtype == ember.bfloat16:  # NumPy has none; widening to float32 is exact
        a, b = a.float(), b.float()
    a, b = a.detach().numpy().reshape(-1), b.detach().numpy().reshape(-1)
    assert a.dtype == b.dtype and a.shape == b.shape, what
    np.testing.assert_array_equal(a.view(np.uint8), b.view(np.uint8), err_msg=what)


def _values(n, dtype, seed):
    """n values with NaN, +-inf, +-0 and subnormals among ordinary ones (floats), or small integers."""
    rng = np.random.default_rng(seed)
    if dtype in ("int64",):
        return ember.tensor(rng.integers(-9, 10, n), dtype=ember.int64)
    if dtype == "bool":
        return ember.tensor(rng.integers(0, 2, n).astype(bool))
    v = rng.standard_normal(n) * 3
    v[:8] = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-310, 1.0, -1.0]
    rng.shuffle(v)
    return ember.tensor(v, dtype=getattr(ember, dtype))


def _fn(name):
    return getattr(ember, name, None) or getattr(ember._C, name)


def _replayed(f, *args, options=None):
    """f compiled, captured and replayed twice (the second replay reads the memory plan's arena)."""
    cf = ember.compile(f, options=options, fullgraph=True)
    for _ in range(3):
        got = cf(*args)
    return got, cf.graph_report()[0]["plan"]


def _row_cases():
    for macro, name, kind in _ROWS:
        dtypes = ["float32", "float64"] if kind in _FLOAT_KINDS else ["int64"] if kind in _INT_KINDS else ["bool"]
        if kind == "BITWISE" or kind == "INTEGRAL":
            dtypes.append("bool")
        for dtype in dtypes:
            yield pytest.param(macro, name, dtype, id=f"{name}-{dtype}")


@pytest.mark.parametrize("macro,name,dtype", list(_row_cases()))
def test_every_row_fused_in_a_chain_equals_eager(macro, name, dtype):
    op = _fn(name)
    x, y = _values(2500, dtype, 0), _values(2500, dtype, 1)  # three tiles, the last one partial

    def f(x, y):
        # The row between two others, each reading the previous one's result only (intermediates
        # stay in tiles), with a broadcast scalar operand on the way.
        a = ember.logical_not(x) if dtype == "bool" else ember.mul(x, 1)
        r = op(a) if macro == "UNARY" else op(a, ember.neg(y) if dtype != "bool" else ember.logical_not(y))
        return ember.logical_xor(r, x) if r.dtype == ember.bool else ember.add(r, r)

    got, plan = _replayed(f, x, y)
    _same_bits(got, f(x, y), name)
    fused_ops = [o for chain in plan["fused"] for o in chain["ops"]]
    assert name in fused_ops or name.lstrip("_") in fused_ops, plan


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_twenty_op_chain_report_and_bits(dtype):
    n = 3000
    x, w = _values(n, dtype, 2), _values(n, dtype, 3)

    def f(x, w):
        y = x
        for _ in range(4):
            y = ((y * w + 0.5).tanh() - y).exp()
        return y

    got, plan = _replayed(f, x, w)
    _same_bits(got, f(x, w))
    (chain,) = plan["fused"]
    assert chain["ops"] == ["mul", "add", "tanh", "sub", "exp"] * 4 and chain["numel"] == n, chain
    itemsize = 4 if dtype == "float32" else 8
    # Every intermediate but the returned result stays in tiles: 19 of the 20 writes.
    assert chain["bytes_not_written"] == 19 * n * itemsize, chain
    off, plan_off = _replayed(f, x, w, options={"pointwise_fusion": False})
    _same_bits(off, got)
    assert plan_off["fused"] == []


def test_intermediate_read_later_is_written():
    x = _values(2048, "float32", 4)

    def f(x):
        a = x * 2
        b = a.exp()
        c = (b + 1).sqrt()
        return c, a.sum()  # the reduction after the chain reads a

    (got, total), plan = _replayed(f, x)
    want, want_total = f(x)
    _same_bits(got, want)
    _same_bits(total, want_total)
    (chain,) = plan["fused"]
    assert chain["ops"] == ["mul", "exp", "add", "sqrt"], chain
    assert chain["bytes_not_written"] == 2 * 2048 * 4, chain  # b and b + 1 only


def test_broadcast_and_non_contiguous_operands_are_not_fused():
    x, bias = _values(64 * 40, "float32", 5).reshape(64, 40), _values(40, "float32", 6)

    def f(x, bias):
        t = x.t().exp()         # reads a transposed x: not fusable
        u = (t * 2).tanh()      # a chain of its own
        v = (u.t() + bias)      # transposed u and a broadcast row: not fusable
        return (v - 1).abs(), x.t().sin() * x.t().cos()

    (got, got2), plan = _replayed(f, x, bias)
    want, want2 = f(x, bias)
    _same_bits(got, want)
    _same_bits(got2, want2)
    chains = [c["ops"] for c in plan["fused"]]
    # sin and cos of x.t() are not fused: they run before the last chain, which takes their product.
    assert chains == [["mul", "tanh"], ["sub", "abs", "mul"]], chains


def test_in_place_chains_on_inputs_and_intermediates():
    x = _values(1500, "float64", 7)

    def f(x):
        x.mul_(0.5).add_(1)     # in place on the caller's tensor
        t = x * 3
        t.sub_(x).tanh_()       # in place on an intermediate
        return t + x

    a, b = x.clone(), x.clone()
    got, plan = _replayed(lambda x: f(x), a)  # three calls: a updated three times
    for _ in range(3):
        want = f(b)
    _same_bits(got, want)
    _same_bits(a, b)
    (chain,) = plan["fused"]
    assert chain["ops"] == ["mul", "add", "mul", "sub", "tanh", "add"], chain
    assert chain["bytes_not_written"] == 3 * 1500 * 8, chain  # t's three writes; x's reach the caller


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_narrow_floats_fuse_with_their_casts(dtype):
    # Each op casts to float32, computes and rounds back: the casts (copy kernels, "to") join the
    # chain, including a float32 written over the slot of a 16-bit value it reads.
    x = _values(1100, dtype, 8)

    def f(x):
        return ((x * 1.5).sigmoid() + x).sqrt()

    got, plan = _replayed(f, x)
    _same_bits(got, f(x))
    (chain,) = plan["fused"]
    assert [o for o in chain["ops"] if o != "to"] == ["mul", "sigmoid", "add", "sqrt"], chain
    assert chain["ops"].count("to") >= 8, chain


def test_casts_and_clones_join_chains():
    x = _values(3000, "float64", 10)

    def f(x):
        a = (x * 3).float()                  # float64 -> float32
        b = a.exp().clone().to(ember.float64)
        return (b - x).to(ember.int64) + 1   # float -> int truncation

    got, plan = _replayed(f, x)
    _same_bits(got, f(x))
    (chain,) = plan["fused"]
    assert chain["ops"] == ["mul", "to", "exp", "clone", "to", "sub", "to", "add"], chain


def test_large_chain_runs_across_threads():
    x = _values(300_000, "float32", 9)  # above the kernels' parallel grain

    def f(x):
        return (x.sin() * x + 2).log()

    got, plan = _replayed(f, x)
    _same_bits(got, f(x))
    assert plan["fused"][0]["ops"] == ["sin", "mul", "add", "log"], plan  # the 2's conversion runs first


def test_training_with_and_without_fusion_is_identical():
    ember.manual_seed(3)
    model = ember.nn.Sequential(ember.nn.Linear(12, 32), ember.nn.Tanh(), ember.nn.Linear(32, 2))
    x, y = ember.randn(16, 12), ember.randn(16, 2)
    results = []
    for fusion in (True, False):
        m = copy.deepcopy(model)
        opt = ember.optim.Adam(m.parameters(), lr=1e-2)

        def step(x, y):
            opt.zero_grad()
            loss = ((m(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            return loss

        cs = ember.compile(step, options={"pointwise_fusion": fusion}, fullgraph=True)
        losses = [cs(x, y) for _ in range(4)]
        results.append((losses, [p.detach().clone() for p in m.parameters()]))
        if fusion:
            assert cs.graph_report()[0]["plan"]["fused"], "tanh's backward and the loss are pointwise chains"
    for a, b in zip(results[0][0] + results[0][1], results[1][0] + results[1][1]):
        _same_bits(a, b)

"""The rearranging ops beyond their op_db rows (tests/core/op_db_rearrange.py): the ops that take
lists of tensors or make tensors (meshgrid, cartesian_prod, broadcast_tensors, atleast_nd,
tril_indices), aliases, views against copies, in-place triangles under autograd, node names and
higher-order gradients. torch is the oracle, NumPy the second reference."""
import numpy as np
import pytest

import ember
from op_db import assert_same


def _pair(values, dtype="float64"):
    a = np.asarray(values, dtype=dtype)
    return ember.tensor(a), pytest.importorskip("torch").tensor(a)


@pytest.mark.parametrize("indexing", [None, "ij", "xy"])
def test_meshgrid(indexing, torch):
    a, ta = _pair([1, 2, 3], "int64")
    b, tb = _pair([4, 5], "int64")
    c, tc = _pair([6.0], "int64")
    kw = {} if indexing is None else {"indexing": indexing}
    with pytest.warns(UserWarning) if indexing is None else _nullcontext():
        expected = torch.meshgrid(ta, tb, tc, **kw)
    assert_same(ember.meshgrid(a, b, c, **kw), expected)
    assert_same(ember.meshgrid([a, b], **kw), torch.meshgrid([ta, tb], indexing=indexing or "ij"))
    np_grid = np.meshgrid([1, 2, 3], [4, 5], indexing=indexing or "ij")
    assert_same(ember.meshgrid(a, b, **kw), [torch.from_numpy(g) for g in np_grid])


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_meshgrid_errors():
    with pytest.raises(RuntimeError, match=r"meshgrid.*\(2, 2\)"):
        ember.meshgrid(ember.ones(2, 2))
    with pytest.raises(TypeError, match="meshgrid.*same dtype"):
        ember.meshgrid(ember.ones(2), ember.ones(2, dtype=ember.int64))
    with pytest.raises(ValueError, match="meshgrid.*indexing"):
        ember.meshgrid(ember.ones(2), indexing="ji")


def test_cartesian_prod(torch):
    a, ta = _pair([1, 2, 3], "int64")
    b, tb = _pair([4, 5], "int64")
    assert_same(ember.cartesian_prod(a, b), torch.cartesian_prod(ta, tb))
    assert_same(ember.cartesian_prod(a, b, a), torch.cartesian_prod(ta, tb, ta))
    assert_same(ember.cartesian_prod(a), torch.cartesian_prod(ta))
    with pytest.raises(RuntimeError, match=r"cartesian_prod.*\(2, 2\)"):
        ember.cartesian_prod(ember.ones(2, 2), ember.ones(2))


def test_broadcast_tensors(torch):
    a, ta = _pair(np.arange(3.0).reshape(3, 1))
    b, tb = _pair(np.arange(4.0))
    out = ember.broadcast_tensors(a, b)
    assert_same(out, torch.broadcast_tensors(ta, tb))
    a[0, 0] = 7.0  # views of the inputs
    assert out[0][0, 3].item() == 7.0
    with pytest.raises(ValueError, match=r"broadcast_tensors.*\(3,\)"):
        ember.broadcast_tensors(ember.ones(2), ember.ones(3))
    assert_same(ember.ones(3).broadcast_to((2, 3)), torch.ones(3).broadcast_to((2, 3)))


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 3, 4)])
def test_atleast_nd(n, shape, torch):
    x, tx = _pair(np.arange(np.prod(shape, dtype=int), dtype=float).reshape(shape))
    got, want = getattr(ember, f"atleast_{n}d")(x), getattr(torch, f"atleast_{n}d")(tx)
    assert_same(got, want)
    assert_same(got, torch.from_numpy(getattr(np, f"atleast_{n}d")(x.numpy())))
    assert_same(getattr(ember, f"atleast_{n}d")(x, x), getattr(torch, f"atleast_{n}d")(tx, tx))


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("args", [(3, 3), (4, 3, 1), (3, 5, -1), (3, 4, 7), (3, 4, -7), (0, 3), (3, 0),
                                  (6, 2, -3), (2, 6, 3), (3, 4, 2**62), (3, 4, -2**62)])
def test_triangle_indices(name, args, torch):
    assert_same(getattr(ember, name)(*args), getattr(torch, name)(*args))
    np_fn = getattr(np, name)
    rows, cols = np_fn(args[0], args[2] if len(args) > 2 else 0, args[1])
    assert_same(getattr(ember, name)(*args), torch.tensor(np.stack([rows, cols]).astype(np.int64)).reshape(2, -1))
    assert getattr(ember, name)(3, 3, dtype=ember.int32).dtype == ember.int32
    with pytest.raises(RuntimeError, match=f"{name}.*-1"):
        getattr(ember, name)(-1, 3)


def test_triangle_indices_many_rows():
    """Rows that keep nothing (or alike columns) are counted, not walked: no hang on huge sizes."""
    assert ember.tril_indices(10**15, 0).shape == (2, 0)
    assert ember.triu_indices(10**15, 2, 10**15).shape == (2, 0)
    assert ember.tril_indices(10**15, 2, -10**15 + 1).tolist() == [[10**15 - 1], [0]]
    with pytest.raises(RuntimeError, match="tril_indices"):
        ember.tril_indices(10**15, 10**15)
    # torch counts 13 coordinates in a 3 x 4 matrix here (an overflow): ember's 12 are all of them
    assert ember.triu_indices(3, 4, -2**63).shape == (2, 12)


def test_argwhere_numel_aliases(torch):
    x, tx = _pair([[0, 1.5], [2, 0]])
    assert_same(ember.argwhere(x), torch.argwhere(tx))
    assert_same(x.argwhere(), torch.from_numpy(np.argwhere(x.numpy())))
    assert ember.numel(ember.zeros(2, 3)) == 6 and ember.numel(ember.tensor(1.0)) == 1
    y, ty = _pair(np.arange(24.0).reshape(2, 3, 4))
    assert_same(ember.moveaxis(y, 0, -1), torch.moveaxis(ty, 0, -1))
    assert_same(y.moveaxis(2, 0), ty.moveaxis(2, 0))
    assert_same(ember.swapdims(y, 0, 2), torch.swapdims(ty, 0, 2))
    assert_same(y.swapdims(1, 2), ty.swapdims(1, 2))


def test_repeat_interleave_index_form(torch):
    r, tr = _pair([2, 0, 3], "int64")
    assert_same(ember.repeat_interleave(r), torch.repeat_interleave(tr))
    r32, tr32 = _pair([1, 2], "int32")
    assert_same(ember.repeat_interleave(r32), torch.repeat_interleave(tr32))
    with pytest.raises(RuntimeError, match="repeat_interleave.*negative"):
        ember.repeat_interleave(ember.tensor([1, -1]))
    with pytest.raises(RuntimeError, match="repeat_interleave.*output_size"):
        ember.repeat_interleave(ember.tensor([1.0, 2.0]), 2, output_size=3)


def test_views_and_copies():
    """diagonal (and broadcast_tensors, meshgrid) are views; flip, roll, tril, repeat and tile
    copies, as torch's."""
    x = ember.zeros(3, 3)
    d = x.diagonal()
    d += 1
    assert x.sum().item() == 3.0 and x[1, 1].item() == 1.0
    for y in (x.flip(0), x.roll(1), x.tril(), x.repeat(1, 1), x.tile((1,)), ember.diag(x)):
        y += 5
    assert x.sum().item() == 3.0


def test_inplace_triangles(torch):
    base = np.arange(12.0).reshape(3, 4)
    for name in ("tril_", "triu_"):
        x, tx = _pair(base)
        assert getattr(x, name)(1) is x
        getattr(tx, name)(1)
        assert_same(x, tx)
        # On a non-leaf under autograd: the gradient is masked as torch's.
        leaf = ember.tensor(base, requires_grad=True)
        tleaf = torch.tensor(base, requires_grad=True)
        y, ty = leaf * 2, tleaf * 2
        getattr(y, name)(-1)
        getattr(ty, name)(-1)
        y.sum().backward()
        ty.sum().backward()
        assert_same(leaf.grad, tleaf.grad)
        with pytest.raises(RuntimeError):
            getattr(ember.tensor(base, requires_grad=True), name)()


@pytest.mark.parametrize("fn, node", [
    (lambda L, x: L.tril(x), "TrilBackward0"), (lambda L, x: L.triu(x, 1), "TriuBackward0"),
    (lambda L, x: L.flip(x, [0]), "FlipBackward0"), (lambda L, x: L.roll(x, 1, 0), "RollBackward0"),
    (lambda L, x: x.repeat(2, 1), "RepeatBackward0"), (lambda L, x: L.diagonal(x), "DiagonalBackward0"),
    (lambda L, x: L.diag_embed(x), "DiagEmbedBackward0")])
def test_node_names(fn, node, torch):
    x = ember.ones(3, 3, requires_grad=True)
    assert type(fn(ember, x).grad_fn).__name__ == node or fn(ember, x).grad_fn.name() == node
    assert fn(torch, torch.ones(3, 3, requires_grad=True)).grad_fn.name() == node


def test_unique_not_differentiable(torch):
    x = ember.tensor([3.0, 1.0, 3.0], requires_grad=True)
    values, counts = ember.unique(x, return_counts=True)
    assert not values.requires_grad and counts.dtype == ember.int64


def test_large_flip_roll_repeat_match_numpy():
    """Sizes past the kernels' parallel threshold."""
    a = np.random.default_rng(0).standard_normal((700, 513)).astype(np.float32)
    x = ember.tensor(a)
    np.testing.assert_array_equal(x.flip(0, 1).numpy(), a[::-1, ::-1])
    np.testing.assert_array_equal(x.T.flip(1).numpy(), a.T[:, ::-1])
    np.testing.assert_array_equal(ember.roll(x, (5, -7), (0, 1)).numpy(), np.roll(a, (5, -7), (0, 1)))
    np.testing.assert_array_equal(x.repeat(2, 1).numpy(), np.tile(a, (2, 1)))
    np.testing.assert_array_equal(ember.tril(x, 3).numpy(), np.tril(a, 3))
    seq = np.sort(a[0])
    np.testing.assert_array_equal(ember.searchsorted(ember.tensor(seq), x).numpy(),
                                  np.searchsorted(seq, a))


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "float16", "bfloat16"])
def test_narrow_dtypes(dtype, torch):
    """The 16-bit floats and narrow integers, against torch."""
    a = np.arange(12).reshape(3, 4) % 5
    x = ember.tensor(a).to(getattr(ember, dtype))
    tx = torch.tensor(a).to(getattr(torch, dtype))
    for f in (lambda L, t: L.tril(t, -1), lambda L, t: L.flip(t, [1]), lambda L, t: L.roll(t, 2),
              lambda L, t: t.repeat(2, 1), lambda L, t: L.diag(t), lambda L, t: L.diagonal(t, 1),
              lambda L, t: L.unique(t, return_counts=True), lambda L, t: L.rot90(t),
              lambda L, t: L.repeat_interleave(t, 2, dim=1), lambda L, t: L.diag_embed(t)):
        assert_same(_float_bf16(f(ember, x)), _float_bf16(f(torch, tx)))


def _float_bf16(r):
    """bfloat16 results as float32 (exactly): NumPy, through which they are compared, has no bfloat16."""
    if isinstance(r, tuple):
        return tuple(_float_bf16(t) for t in r)
    return r.float() if "bfloat16" in str(r.dtype) else r


@pytest.mark.parametrize("args", [(), (2,), (5, True), (0,), (1,)])
@pytest.mark.parametrize("dtype", ["bool", "int64", "float32", "float64"])
def test_vander(args, dtype, torch):
    a = (np.arange(4) % 3 - 1).astype(dtype)
    assert_same(ember.vander(ember.tensor(a), *args), torch.vander(torch.tensor(a), *args))
    np.testing.assert_array_equal(ember.vander(ember.tensor(a), *args).numpy(), np.vander(a, *args))


def test_vander_gradients():
    """torch's own vander backward raises (it writes a tensor it saved), so gradcheck is the oracle."""
    x = ember.tensor([0.5, -1.5, 2.0], dtype=ember.float64, requires_grad=True)
    for n in (None, 2, 4):
        assert ember.autograd.gradcheck(lambda t: ember.vander(t, n), (x,))
        assert ember.autograd.gradgradcheck(lambda t: ember.vander(t, n, increasing=True), (x,))
    with pytest.raises(RuntimeError, match=r"vander.*\(2, 2\)"):
        ember.vander(ember.ones(2, 2))


def test_fuzz_findings(torch):
    """What the differential fuzzer found in these ops, with torch's answers."""
    x, tx = _pair([1, 2, 4])
    assert_same(ember.diff(x, 0, prepend=ember.tensor([9.0])), torch.diff(tx, 0, prepend=torch.tensor([9.0])))
    assert_same(ember.moveaxis(ember.tensor(3.0), 0, 0), torch.moveaxis(torch.tensor(3.0), 0, 0))
    assert_same(x.flip(dims=(0,)), tx.flip(dims=(0,)))
    assert_same(x.tile(dims=(2,)), tx.tile(dims=(2,)))
    assert_same(ember.bucketize(ember.tensor([True, False]), ember.tensor([0.5])),
                torch.bucketize(torch.tensor([True, False]), torch.tensor([0.5])))
    assert_same(ember.histc(ember.tensor([-1.1, -1.0], dtype=ember.float64), min=-1e308),
                torch.histc(torch.tensor([-1.1, -1.0], dtype=torch.float64), min=-1e308))
    with pytest.raises(TypeError, match="cross.*int8.*float32"):
        ember.cross(ember.ones(3, dtype=ember.int8), ember.ones(3), dim=0)
    with pytest.raises(IndexError, match="cross"):
        ember.cross(ember.tensor(1.0), ember.tensor(1.0), -1)
    with pytest.raises(TypeError, match="repeat_interleave.*uint8"):
        ember.repeat_interleave(ember.ones(2), ember.tensor([1, 2], dtype=ember.uint8))
    with pytest.raises(RuntimeError, match="repeat_interleave.*negative"):
        ember.repeat_interleave(ember.zeros(0), -2)
    with pytest.raises(TypeError, match="tril_indices.*float32"):
        ember.tril_indices(3, 3, dtype=ember.float32)
    for name in ("unique", "unique_consecutive"):
        with pytest.raises(RuntimeError, match=f"{name}.*0 sized"):
            getattr(ember, name)(ember.zeros(0, 3), dim=1)
    with pytest.raises(IndexError, match="diag_embed"):
        ember.diag_embed(ember.tensor(1.0))


@pytest.mark.parametrize("source,destination", [
    (0, 2), (-1, 0), ((0, 1), (2, 0)), ([0], [2]), ((2, 0), (0, 1)), ((), ()), ((0, 1, 2), (2, 1, 0)), ((-1, -3), (0, 1)),
])
def test_movedim_ints_and_sequences(source, destination, torch):
    x, tx = _pair(np.arange(24.0).reshape(2, 3, 4))
    got, want = ember.movedim(x, source, destination), torch.movedim(tx, source, destination)
    assert_same(got, want)
    assert got.stride() == want.stride()  # a view, with torch's strides
    assert_same(x.moveaxis(source, destination), tx.moveaxis(source, destination))
    assert_same(ember.moveaxis(x, source, destination), np.moveaxis(np.arange(24.0).reshape(2, 3, 4), source,
                                                                    destination))


def test_movedim_bad_inputs(torch):
    x = ember.zeros(2, 3, 4)
    with pytest.raises(ValueError, match=r"movedim: Invalid source or destination dims: source \(\(0, 1\) dims\) should "
                                         r"contain the same number of dims as destination \(\(1,\) dims\)"):
        ember.movedim(x, (0, 1), (1,))
    with pytest.raises(ValueError, match=r"movedim: repeated dim in `source` \(\(0, 0\)\)"):
        ember.movedim(x, (0, 0), (1, 2))
    with pytest.raises(ValueError, match=r"movedim: repeated dim in `destination` \(\(1, 1\)\)"):
        x.movedim((0, 1), (1, 1))
    with pytest.raises(IndexError, match="movedim"):
        ember.movedim(x, (3,), (1,))
    with pytest.raises(TypeError, match="movedim: source and destination must both be ints or both sequences"):
        ember.movedim(x, 0, (1,))
    with pytest.raises(TypeError):
        torch.movedim(torch.zeros(2, 3, 4), 0, (1,))
    with pytest.raises(RuntimeError):
        torch.movedim(torch.zeros(2, 3, 4), (0, 0), (1, 2))

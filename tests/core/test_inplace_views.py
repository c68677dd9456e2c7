"""In-place ops (identity, write-through to bases, dtype rule, broadcasting, _version) and views
(shared storage, strides, storage offsets, contiguity) against PyTorch."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _pair(a):
    """The same data as an ember and a torch tensor, each with its own memory."""
    a = np.asarray(a)
    return ember.from_numpy(a.copy()), torch.from_numpy(a.copy())


def _edtype(t):
    return {torch.bool: ember.bool, torch.int64: ember.int64, torch.float32: ember.float32,
            torch.float64: ember.float64}[t]


def _assert_same(e, t):
    assert tuple(e.shape) == tuple(t.shape)
    assert e.dtype == _edtype(t.dtype)
    np.testing.assert_allclose(np.asarray(e), t.numpy(), rtol=1e-6, atol=1e-6)


def _base(dtype=np.float32):
    return np.arange(24).reshape(2, 3, 4).astype(dtype)


# ---------------------------------------------------------------------------------------
# in-place ops
# ---------------------------------------------------------------------------------------

INPLACE = [
    ("add_", lambda x: x.add_(2)),
    ("add_tensor", lambda x: x.add_(_like_ones(x, (4,)))),
    ("mul_", lambda x: x.mul_(3)),
    ("mul_bcast", lambda x: x.mul_(_like_arange(x, (3, 1)))),
    ("sub_", lambda x: x.sub_(1.5)),
    ("div_", lambda x: x.div_(4)),
    ("div_tensor", lambda x: x.div_(_like_arange(x, (4,)) + 1)),
    ("copy_", lambda x: x.copy_(_like_arange(x, (2, 3, 4)) * 2)),
    ("copy_bcast_row", lambda x: x.copy_(_like_arange(x, (4,)))),
    ("copy_bcast_col", lambda x: x.copy_(_like_arange(x, (3, 1)))),
    ("copy_bcast_0d", lambda x: x.copy_(_like_arange(x, (1,)).reshape(()) + 7)),
    ("zero_", lambda x: x.zero_()),
    ("fill_", lambda x: x.fill_(-3.25)),
    ("clamp_", lambda x: x.clamp_(3, 17)),
    ("clamp_min", lambda x: x.clamp_(min=5)),
    ("clamp_max", lambda x: x.clamp_(max=5.5)),
    ("exp_", lambda x: x.div_(10).exp_()),
]


def _like_ones(x, shape):
    return (torch if isinstance(x, torch.Tensor) else ember).ones(shape, dtype=x.dtype)


def _like_arange(x, shape):
    m = torch if isinstance(x, torch.Tensor) else ember
    n = int(np.prod(shape))
    return m.arange(n, dtype=x.dtype).reshape(shape)


@pytest.mark.parametrize("name,op", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_op_matches_torch_and_returns_self(name, op):
    e, t = _pair(_base())
    ptr = e.data_ptr()
    r = op(e)
    op(t)
    assert r is e, f"{name} must return the tensor itself"
    assert e.data_ptr() == ptr
    _assert_same(e, t)


@pytest.mark.parametrize("name,op", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_op_on_view_writes_into_base(name, op):
    e, t = _pair(_base())
    ev, tv = e[:, 1:, ::2], t[:, 1:, ::2]
    if name in ("add_tensor", "copy_bcast_row", "div_tensor"):
        # those broadcast a (4,) operand: use a view whose last dim has 4 elements
        ev, tv = e[1:, ::2], t[1:, ::2]
    elif name in ("mul_bcast", "copy_bcast_col"):
        ev, tv = e[1], t[1]
    elif name == "copy_":
        ev, tv = e.transpose(0, 2).transpose(0, 2), t.transpose(0, 2).transpose(0, 2)
    r = op(ev)
    op(tv)
    assert r is ev
    _assert_same(e, t)
    _assert_same(ev, tv)


SHAPE_FREE_INPLACE = [(n, op) for n, op in INPLACE
                      if n not in ("mul_bcast", "copy_bcast_col", "add_tensor", "copy_bcast_row",
                                   "div_tensor", "copy_")]


@pytest.mark.parametrize("name,op", SHAPE_FREE_INPLACE, ids=[n for n, _ in SHAPE_FREE_INPLACE])
def test_inplace_op_on_transposed_view(name, op):
    e, t = _pair(_base())
    op(e.permute(2, 0, 1))
    op(t.permute(2, 0, 1))
    _assert_same(e, t)


@pytest.mark.parametrize(
    "opname,other", [("__iadd__", 2), ("__isub__", 1.5), ("__imul__", 3), ("__itruediv__", 4.0),
                     ("__iadd__", "tensor"), ("__imul__", "tensor"), ("__isub__", "tensor"),
                     ("__itruediv__", "tensor")],
)
def test_augmented_assignment_keeps_identity(opname, other):
    e, t = _pair(_base())
    eo = ember.arange(4, dtype=ember.float32) + 1 if other == "tensor" else other
    to = torch.arange(4, dtype=torch.float32) + 1 if other == "tensor" else other
    alias = e
    view = e[1]
    ptr = e.data_ptr()
    version = e._version
    sym = {"__iadd__": "+=", "__isub__": "-=", "__imul__": "*=", "__itruediv__": "/="}[opname]
    ns = {"a": e, "b": eo}
    exec(f"a {sym} b", ns)
    assert ns["a"] is alias, f"`a {sym} b` must leave `a` the same object"
    assert e.data_ptr() == ptr
    assert e._version > version
    tns = {"a": t, "b": to}
    exec(f"a {sym} b", tns)
    _assert_same(e, t)
    # the memory is shared with views taken before the update
    _assert_same(view, t[1])


def test_augmented_assignment_on_views_and_items():
    e, t = _pair(np.zeros((3, 4), dtype=np.float32))
    v = e[1:, ::2]
    v += 1
    tv = t[1:, ::2]
    tv += 1
    _assert_same(e, t)
    e[0] += 5  # __getitem__, __iadd__ on the view, then __setitem__
    t[0] += 5
    _assert_same(e, t)
    e[:, 1] *= 3
    t[:, 1] *= 3
    _assert_same(e, t)
    col = e[:, 3]
    col -= 2
    t[:, 3] -= 2
    _assert_same(e, t)


@pytest.mark.parametrize(
    "dtype,op",
    [(ember.int64, lambda x: x.add_(1.5)), (ember.int64, lambda x: x.mul_(ember.ones(3))),
     (ember.int64, lambda x: x.div_(2)), (ember.int64, lambda x: x.exp_()),
     (ember.int64, lambda x: x.clamp_(0.5, 2)), (ember.bool, lambda x: x.add_(1)),
     (ember.bool, lambda x: x.mul_(2.0)),
     (ember.int64, lambda x: x.sub_(ember.ones(3, dtype=ember.float64)))],
    ids=["int+=float", "int*=ftensor", "int/=int", "int.exp_", "int.clamp_float", "bool+=int",
         "bool*=float", "int-=f64tensor"],
)
def test_inplace_dtype_rule_runtime_error(dtype, op):
    x = ember.zeros(3, dtype=dtype)
    before = x.tolist()
    v = x._version
    with pytest.raises(RuntimeError, match="can't be cast"):
        op(x)
    assert x.tolist() == before
    assert x.dtype == dtype
    assert x._version == v


@pytest.mark.parametrize("sym", ["+=", "*=", "-=", "/="])
def test_int_augmented_assignment_with_float_raises_like_torch(sym):
    t = torch.zeros(3, dtype=torch.int64)
    with pytest.raises(RuntimeError):
        exec(f"t {sym} 1.5", {"t": t})
    e = ember.zeros(3, dtype=ember.int64)
    with pytest.raises(RuntimeError):
        exec(f"e {sym} 1.5", {"e": e})
    assert e.dtype == ember.int64 and e.tolist() == [0, 0, 0]


def test_inplace_lower_precision_operand_allowed():
    e, t = _pair(np.arange(4, dtype=np.float32))
    e.add_(ember.ones(4, dtype=ember.float64))
    t.add_(torch.ones(4, dtype=torch.float64))
    _assert_same(e, t)
    e, t = _pair(np.arange(4, dtype=np.float64))
    e.mul_(ember.full((4,), 2, dtype=ember.int64))
    t.mul_(torch.full((4,), 2, dtype=torch.int64))
    _assert_same(e, t)
    e, t = _pair(np.arange(4, dtype=np.int64))
    e.add_(ember.ones(4, dtype=ember.bool))
    t.add_(torch.ones(4, dtype=torch.bool))
    _assert_same(e, t)


def test_inplace_broadcast_cannot_grow_self():
    x = ember.zeros(3, 1)
    with pytest.raises((RuntimeError, ValueError)):
        x.mul_(ember.ones(1, 4))
    with pytest.raises((RuntimeError, ValueError)):
        x.add_(ember.ones(3, 4))
    assert tuple(x.shape) == (3, 1)


@pytest.mark.parametrize(
    "src_shape", [(2, 3, 4), (4,), (3, 1), (1, 3, 4), (), (2, 1, 1), (1,)], ids=repr
)
@pytest.mark.parametrize("src_dtype", [np.float64, np.int64, np.bool_],
                         ids=lambda d: np.dtype(d).name)
def test_copy_broadcasting_and_conversion(src_shape, src_dtype):
    src = (np.arange(int(np.prod(src_shape))).reshape(src_shape) % 5).astype(src_dtype)
    e, t = _pair(np.zeros((2, 3, 4), dtype=np.float32))
    es, ts = _pair(src)
    r = e.copy_(es)
    t.copy_(ts)
    assert r is e
    _assert_same(e, t)


def test_copy_into_int_truncates_like_torch():
    e, t = _pair(np.zeros(4, dtype=np.int64))
    es, ts = _pair(np.array([1.7, -1.7, 2.5, -0.2]))
    e.copy_(es)
    t.copy_(ts)
    _assert_same(e, t)
    b_e, b_t = _pair(np.zeros(4, dtype=np.bool_))
    b_e.copy_(es)
    b_t.copy_(ts)
    _assert_same(b_e, b_t)


def test_copy_non_broadcastable_raises():
    x = ember.zeros(3, 4)
    for bad in (ember.ones(5), ember.ones(2, 3, 4), ember.ones(3, 2)):
        with pytest.raises((ValueError, RuntimeError)):
            x.copy_(bad)
    assert x.sum().item() == 0


def test_copy_from_non_contiguous_source():
    e, t = _pair(np.zeros((4, 3), dtype=np.float32))
    es, ts = _pair(np.arange(12, dtype=np.float32).reshape(3, 4))
    e.copy_(es.T)
    t.copy_(ts.T)
    _assert_same(e, t)


def test_fill_value_conversions():
    for dtype, value in [(np.int64, 2.7), (np.int64, -2.7), (np.bool_, 0.5), (np.float32, True),
                         (np.bool_, 0), (np.float64, 1e300), (np.int64, 2**40)]:
        e, t = _pair(np.zeros(3, dtype=dtype))
        e.fill_(value)
        t.fill_(value)
        _assert_same(e, t)


def test_fill_with_zero_d_tensor_like_torch():
    e, t = _pair(np.zeros(3, dtype=np.float32))
    t.fill_(torch.tensor(2.5))
    e.fill_(ember.full((), 2.5))
    _assert_same(e, t)


def test_clamp_inplace_with_tensor_bounds():
    e, t = _pair(np.arange(6, dtype=np.float32) - 2)
    lo_e, lo_t = _pair(np.array([0, -1, 0, 1, 0, 5], dtype=np.float32))
    hi_e, hi_t = _pair(np.array([1, 2, 2.5, 0.5, 3, 6], dtype=np.float32))
    e.clamp_(lo_e, hi_e)
    t.clamp_(lo_t, hi_t)
    _assert_same(e, t)
    e.clamp_(max=ember.full((), 1.0))
    t.clamp_(max=torch.tensor(1.0))
    _assert_same(e, t)
    e, t = _pair(np.arange(6, dtype=np.int64))
    e.clamp_(1, 4)
    t.clamp_(1, 4)
    _assert_same(e, t)


def test_clamp_inplace_nan():
    e, t = _pair(np.array([np.nan, -5.0, 5.0], dtype=np.float32))
    e.clamp_(-1, 1)
    t.clamp_(-1, 1)
    np.testing.assert_array_equal(np.asarray(e), t.numpy())


def test_exp_inplace_values():
    e, t = _pair(np.linspace(-3, 3, 13))
    e.exp_()
    t.exp_()
    np.testing.assert_allclose(np.asarray(e), t.numpy(), rtol=1e-12)


OVERLAPPING_WRITES = [
    ("add_", lambda x: x.add_(1)),
    ("mul_", lambda x: x.mul_(2)),
    ("copy_", lambda x: x.copy_(_ones_like_shape(x))),
    ("copy_bcast", lambda x: x.copy_(_ones_like_shape(x)[0])),
    ("exp_", lambda x: x.exp_()),
    ("clamp_", lambda x: x.clamp_(0, 1)),
    ("iadd", lambda x: x.__iadd__(1)),
    ("uniform_", lambda x: x.uniform_()),
]


@pytest.mark.parametrize("name,op", OVERLAPPING_WRITES, ids=[n for n, _ in OVERLAPPING_WRITES])
def test_inplace_on_expanded_tensor_raises_like_torch(name, op):
    """Several elements of an expanded tensor share one memory location: torch refuses to write."""
    tx = torch.zeros(1, 3).expand(4, 3)
    with pytest.raises(RuntimeError, match="single memory location"):
        op(tx)
    ex = ember.zeros(1, 3).expand(4, 3)
    with pytest.raises(RuntimeError, match="memory location"):
        op(ex)


@pytest.mark.parametrize("name", ["zero_", "fill_"])
def test_fill_and_zero_on_expanded_tensor_allowed_like_torch(name):
    for m in (torch, ember):
        base = m.ones(1, 3)
        x = base.expand(4, 3)
        x.zero_() if name == "zero_" else x.fill_(0)
        assert base.tolist() == [[0.0, 0.0, 0.0]]
        assert x.tolist() == [[0.0] * 3] * 4


def _ones_like_shape(x):
    return (torch if isinstance(x, torch.Tensor) else ember).ones(tuple(x.shape))


def test_version_counter():
    x = ember.zeros(4)
    v0 = x._version
    x.add_(1)
    v1 = x._version
    assert v1 > v0
    x.mul_(2)
    x.zero_()
    x.fill_(3)
    x.copy_(ember.ones(4))
    x.clamp_(0, 1)
    x.exp_()
    x += 1
    x[0] = ember.full((), 5.0)
    assert x._version >= v1 + 8
    # reads and out-of-place ops do not count
    v = x._version
    _ = x + 1, x.sum(), x.clone(), x[1:], x.reshape(2, 2), x.tolist()
    assert x._version == v


def test_version_counter_shared_with_views():
    x = ember.zeros(3, 4)
    v = x[1]
    before_x, before_v = x._version, v._version
    v.add_(1)
    assert x._version > before_x
    assert v._version > before_v
    mid = x._version
    x.mul_(2)
    assert x._version > mid
    assert v._version == x._version
    c = x.clone()
    cv = c._version
    x.add_(1)
    assert c._version == cv


def test_version_counter_torch_reference():
    # The same pattern in torch, for comparison.
    x = torch.zeros(3, 4)
    v = x[1]
    b = x._version
    v.add_(1)
    assert x._version > b and v._version == x._version


# ---------------------------------------------------------------------------------------
# views
# ---------------------------------------------------------------------------------------

VIEWS = [
    ("reshape", lambda x: x.reshape(6, 4)),
    ("reshape_-1", lambda x: x.reshape(-1)),
    ("reshape_3", lambda x: x.reshape(3, -1, 2)),
    ("view", lambda x: x.view(4, 6)),
    ("view_-1", lambda x: x.view(-1, 12)),
    ("view_tuple", lambda x: x.view((2, 12))),
    ("transpose", lambda x: x.transpose(0, 2)),
    ("transpose_neg", lambda x: x.transpose(-1, -2)),
    ("swapaxes", lambda x: x.swapaxes(0, 1)),
    ("permute", lambda x: x.permute(2, 0, 1)),
    ("permute_neg", lambda x: x.permute(-1, 0, -2)),
    ("expand", lambda x: x[:, :1].expand(2, 5, 4)),
    ("expand_new", lambda x: x.expand(3, 2, 3, 4)),
    ("expand_-1", lambda x: x[:1].expand(-1, 3, 4)),
    ("expand_as", lambda x: x[:, :, :1].expand_as(x)),
    ("squeeze", lambda x: x[:1, :, 2:3].squeeze()),
    ("squeeze_dim", lambda x: x[:1].squeeze(0)),
    ("squeeze_noop", lambda x: x.squeeze(1)),
    ("unsqueeze0", lambda x: x.unsqueeze(0)),
    ("unsqueeze1", lambda x: x.unsqueeze(1)),
    ("unsqueeze_last", lambda x: x.unsqueeze(-1)),
    ("narrow", lambda x: x.narrow(2, 1, 2)),
    ("narrow_neg", lambda x: x.narrow(1, -2, 2)),
    ("select", lambda x: x.select(1, 2)),
    ("T2d", lambda x: x[0].T),
    ("mT", lambda x: x.mT),
    ("t", lambda x: x[1].t()),
    ("flatten", lambda x: x.flatten()),
    ("flatten_12", lambda x: x.flatten(1)),
    ("unflatten", lambda x: x.unflatten(2, (2, 2))),
    ("movedim", lambda x: x.movedim(0, 2)),
    ("detach", lambda x: x.detach()),
    ("view_as", lambda x: x.view_as(x.reshape(4, 6))),
    ("slice_step", lambda x: x[:, ::2, 1::2]),
    ("index_int", lambda x: x[1, :, 2]),
    ("none", lambda x: x[:, None, 1]),
    ("split0", lambda x: x.split(2, dim=2)[1]),
    ("chunk", lambda x: x.chunk(3, dim=1)[2]),
    ("unbind", lambda x: x.unbind(2)[3]),
]


@pytest.mark.parametrize("name,make", VIEWS, ids=[n for n, _ in VIEWS])
@pytest.mark.parametrize("base", ["contiguous", "offset"], ids=str)
def test_view_geometry_matches_torch(name, make, base):
    e, t = _pair(_base())
    if base == "offset":
        # a base that starts inside its storage: views must keep the offset
        e, t = _pair(np.arange(48, dtype=np.float32).reshape(2, 2, 3, 4))
        e, t = e[1], t[1]
    ev, tv = make(e), make(t)
    assert tuple(ev.shape) == tuple(tv.shape)
    assert ev.stride() == tv.stride(), f"{name}: strides {ev.stride()} vs torch {tv.stride()}"
    assert ev.storage_offset() == tv.storage_offset()
    assert ev.is_contiguous() == tv.is_contiguous()
    _assert_same(ev, tv)
    # data_ptr arithmetic: the view starts storage_offset elements into the base's storage
    base_ptr = e.data_ptr() - e.storage_offset() * e.element_size()
    assert ev.data_ptr() == base_ptr + ev.storage_offset() * ev.element_size()


@pytest.mark.parametrize("name,make", VIEWS, ids=[n for n, _ in VIEWS])
def test_view_writes_through_both_ways(name, make):
    e, t = _pair(_base())
    ev, tv = make(e), make(t)
    if 0 in ev.stride() and ev.numel() > 1:
        # expanded views: write through the base instead
        e.add_(100)
        t.add_(100)
        _assert_same(ev, tv)
        return
    ev.mul_(-1)
    tv.mul_(-1)
    _assert_same(e, t)
    e.add_(0.5)
    t.add_(0.5)
    _assert_same(ev, tv)


@pytest.mark.parametrize(
    "make",
    [lambda x: x.transpose(0, 1), lambda x: x[:, ::2], lambda x: x.permute(2, 1, 0)[1:],
     lambda x: x[..., 1], lambda x: x.mT, lambda x: x[:, :1].expand(-1, 3, -1)],
    ids=["transpose", "step", "permute_slice", "ellipsis_int", "mT", "expand"],
)
def test_views_of_non_contiguous_tensors_match_torch(make):
    e, t = _pair(_base())
    e, t = e.transpose(0, 2), t.transpose(0, 2)  # a non-contiguous base
    for follow in [lambda x: x, lambda x: x.unsqueeze(1), lambda x: x.squeeze(),
                   lambda x: x.narrow(0, 0, 1),
                   lambda x: x.reshape(-1), lambda x: x.flatten(), lambda x: x.unsqueeze(-1)]:
        ev, tv = follow(make(e)), follow(make(t))
        assert tuple(ev.shape) == tuple(tv.shape)
        assert ev.stride() == tv.stride()
        assert ev.storage_offset() == tv.storage_offset()
        assert ev.is_contiguous() == tv.is_contiguous()
        _assert_same(ev, tv)


def test_reshape_views_when_possible_and_copies_otherwise():
    e, t = _pair(_base())
    r = e.reshape(4, 6)
    assert r.data_ptr() == e.data_ptr()
    nt = e.transpose(0, 2)
    rc = nt.reshape(-1)
    tr = t.transpose(0, 2).reshape(-1)
    _assert_same(rc, tr)
    assert rc.is_contiguous()
    rc.fill_(0)  # a copy: the base is untouched
    _assert_same(e, t)
    # a reshape that only splits or merges compatible dims of a strided view is still a view
    sv = e[:, :, ::2]
    rs = sv.reshape(2, 3, 2, 1)
    ts = t[:, :, ::2].reshape(2, 3, 2, 1)
    assert rs.stride() == ts.stride()
    assert rs.data_ptr() == sv.data_ptr()


@pytest.mark.parametrize(
    "make,shape",
    [(lambda x: x.transpose(0, 2), (-1,)), (lambda x: x.transpose(0, 1), (6, 4)),
     (lambda x: x[:, ::2], (-1,)),
     (lambda x: x.permute(1, 2, 0), (24,)), (lambda x: x.mT, (2, 12))],
    ids=["T_flat", "T_merge", "step_flat", "permute", "mT"],
)
def test_view_on_non_viewable_strides_raises_runtime_error(make, shape):
    e, t = _pair(_base())
    with pytest.raises(RuntimeError):
        make(t).view(*shape)
    with pytest.raises(RuntimeError, match="reshape"):
        make(e).view(*shape)
    # reshape works and copies
    _assert_same(make(e).reshape(*shape), make(t).reshape(*shape))


@pytest.mark.parametrize("shape", [(5,), (-1, 5), (2, -1, -1), (25,)], ids=repr)
def test_view_invalid_shapes_raise(shape):
    e = ember.zeros(2, 3, 4)
    with pytest.raises((ValueError, RuntimeError)):
        e.view(*shape)
    with pytest.raises((ValueError, RuntimeError)):
        e.reshape(*shape)


def test_contiguous_copies_only_when_needed():
    e, t = _pair(_base())
    c = e.contiguous()
    assert c.data_ptr() == e.data_ptr()
    nt = e.transpose(1, 2)
    assert not nt.is_contiguous()
    cc = nt.contiguous()
    assert cc.is_contiguous()
    assert cc.data_ptr() != nt.data_ptr()
    assert cc.stride() == t.transpose(1, 2).contiguous().stride()
    _assert_same(cc, t.transpose(1, 2))
    cc.fill_(-1)
    _assert_same(e, t)  # the copy does not alias the base
    ex = e[:, :1].expand(2, 3, 4)
    exc = ex.contiguous()
    assert exc.stride() == (12, 4, 1)
    _assert_same(exc, t[:, :1].expand(2, 3, 4))


def test_clone_is_a_copy():
    e, t = _pair(_base())
    c = e.clone()
    assert c.data_ptr() != e.data_ptr()
    c.fill_(0)
    _assert_same(e, t)
    nc = e.transpose(0, 2).clone()
    _assert_same(nc, t.transpose(0, 2))


@pytest.mark.parametrize(
    "make",
    [lambda x: x.reshape(1), lambda x: x.reshape(1, 1), lambda x: x.view(1),
     lambda x: x.view(1, 1, 1),
     lambda x: x.unsqueeze(0), lambda x: x.expand(3), lambda x: x.reshape(()), lambda x: x.view(-1),
     lambda x: x.flatten()],
    ids=["reshape1", "reshape11", "view1", "view111", "unsqueeze", "expand", "reshape0d", "view-1",
         "flatten"],
)
def test_views_of_zero_d_tensor(make):
    e, t = _pair(np.array(2.5, dtype=np.float32))
    ev, tv = make(e), make(t)
    assert tuple(ev.shape) == tuple(tv.shape)
    assert ev.stride() == tv.stride()
    assert ev.data_ptr() == e.data_ptr(), "a view of a 0-d tensor must share its memory"
    assert tv.data_ptr() == t.data_ptr()


@pytest.mark.parametrize(
    "shape", [(0,), (2, 0), (0, 3), (2, 0, 4), (3, 0, 1), (1, 0)], ids=repr
)
def test_geometry_of_empty_tensors(shape):
    e, t = ember.zeros(shape), torch.zeros(shape)
    assert e.stride() == t.stride()
    assert e.is_contiguous() == t.is_contiguous()
    for make in (lambda x: x.reshape(-1), lambda x: x.unsqueeze(0), lambda x: x.transpose(0, -1)):
        ev, tv = make(e), make(t)
        assert tuple(ev.shape) == tuple(tv.shape)
        assert ev.is_contiguous() == tv.is_contiguous()


@pytest.mark.parametrize(
    "make",
    [lambda x: x[:, :1], lambda x: x[:1], lambda x: x.unsqueeze(1), lambda x: x[:, None, :, None],
     lambda x: x[::2], lambda x: x[:, 3:4].transpose(0, 1), lambda x: x.reshape(1, 8)[:, 0:1]],
    ids=["col1", "row1", "unsqueeze", "nones", "step_to_one", "size1_T", "one_by_one"],
)
def test_is_contiguous_ignores_size_one_strides(make):
    e, t = _pair(np.arange(8, dtype=np.float32).reshape(2, 4))
    ev, tv = make(e), make(t)
    assert ev.stride() == tv.stride()
    assert ev.is_contiguous() == tv.is_contiguous()
    assert ev.contiguous().stride() == tv.contiguous().stride()


def test_expand_strides_and_errors():
    e, t = _pair(np.arange(3, dtype=np.float32).reshape(3, 1))
    ev, tv = e.expand(2, 3, 5), t.expand(2, 3, 5)
    assert ev.stride() == tv.stride() == (0, 1, 0)
    assert not ev.is_contiguous()
    for bad in [(4, 1), (3,), (2, -1, 5, 1)]:
        with pytest.raises(RuntimeError):
            t.expand(*bad)
        with pytest.raises((ValueError, RuntimeError)):
            e.expand(*bad)
    with pytest.raises((ValueError, RuntimeError)):
        e.expand(-1, 3, 5)


def test_squeeze_unsqueeze_errors_and_noops():
    e = ember.zeros(2, 1, 3)
    assert tuple(e.squeeze(0).shape) == (2, 1, 3)
    assert tuple(e.squeeze(-2).shape) == (2, 3)
    assert tuple(e.squeeze((0, 1)).shape) == (2, 3)
    with pytest.raises(IndexError):
        e.squeeze(3)
    with pytest.raises(IndexError):
        e.unsqueeze(4)
    assert tuple(e.unsqueeze(-4).shape) == (1, 2, 1, 3)
    assert tuple(ember.zeros(()).squeeze().shape) == ()


def test_transpose_permute_errors():
    e = ember.zeros(2, 3)
    with pytest.raises(IndexError):
        e.transpose(0, 2)
    with pytest.raises((ValueError, RuntimeError)):
        e.permute(0, 0)
    with pytest.raises((ValueError, RuntimeError)):
        e.permute(0)
    with pytest.raises((ValueError, RuntimeError, IndexError)):
        ember.zeros(3).mT
    with pytest.raises((ValueError, RuntimeError)):
        ember.zeros(2, 3, 4).t()


def test_narrow_errors():
    e = ember.zeros(4, 5)
    with pytest.raises((IndexError, ValueError, RuntimeError)):
        e.narrow(0, 3, 2)
    with pytest.raises((IndexError, ValueError, RuntimeError)):
        e.narrow(1, 6, 0)
    assert tuple(e.narrow(1, 5, 0).shape) == (4, 0)


def test_views_keep_storage_alive():
    import gc

    e = ember.arange(100.0)
    v = e[10:20].reshape(2, 5).T
    del e
    gc.collect()
    ember.ones(1000)  # reuse freed memory, if any
    assert v.tolist() == np.arange(10.0, 20.0, dtype=np.float32).reshape(2, 5).T.tolist()


def test_chained_views_write_through():
    e, t = _pair(np.zeros((4, 6), dtype=np.float32))
    ev = e.T.reshape(2, 3, 4)[1].unsqueeze(0).narrow(2, 1, 2).squeeze(0)
    tv = t.T.reshape(2, 3, 4)[1].unsqueeze(0).narrow(2, 1, 2).squeeze(0)
    assert ev.stride() == tv.stride() and ev.storage_offset() == tv.storage_offset()
    ev.fill_(7)
    tv.fill_(7)
    _assert_same(e, t)


def test_split_chunk_unbind_share_memory():
    e, t = _pair(_base())
    for ep, tp in zip(e.split(1, dim=1), t.split(1, dim=1)):
        assert ep.stride() == tp.stride() and ep.storage_offset() == tp.storage_offset()
    for ep, tp in zip(e.split([1, 3], dim=2), t.split([1, 3], dim=2)):
        assert ep.stride() == tp.stride() and ep.storage_offset() == tp.storage_offset()
    parts = e.chunk(2, dim=0)
    parts[1].fill_(0)
    t.chunk(2, dim=0)[1].fill_(0)
    _assert_same(e, t)
    rows = e.unbind(1)
    rows[0].add_(1)
    t.unbind(1)[0].add_(1)
    _assert_same(e, t)

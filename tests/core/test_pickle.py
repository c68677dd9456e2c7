"""pickle, copy.copy and copy.deepcopy of tensors and Parameters, compared with PyTorch's: every
dtype, views, requires_grad, grad, non-leaves, protocols 2-5, pickles loaded in a fresh process,
and malformed pickles refused with a ValueError."""
import copy
import pickle
import subprocess
import sys
import textwrap

import ember
import numpy as np
import pytest
from pickle_helpers import referenced_globals

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]


def _sample(dtype):
    return (ember.arange(24) % 7 - 3).reshape(2, 3, 4).to(getattr(ember, dtype))


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_keeps_dtype_shape_values(dtype, protocol):
    t = _sample(dtype)
    back = pickle.loads(pickle.dumps(t, protocol=protocol))
    assert type(back) is ember.Tensor and back.dtype == t.dtype and back.shape == t.shape
    assert ember.equal(back, t) and not back.requires_grad
    back.view(-1)[0] = 1  # the rebuilt tensor owns writable memory
    assert ember.equal(t, _sample(dtype))


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_large_tensors_load_without_a_copy_and_stay_independent(protocol):
    x = ember.arange(100_000.0)
    data = pickle.dumps(x, protocol=protocol)
    a, b = pickle.loads(data), pickle.loads(data)
    a[0] = -1
    assert b[0].item() == 0 and x[0].item() == 0 and ember.equal(b, x)
    assert pickle.loads(pickle.dumps(x[:10], protocol=protocol)).data_ptr() != x.data_ptr()


@pytest.mark.parametrize("dtype", DTYPES)
def test_deepcopy_and_copy_of_every_dtype(dtype):
    t = _sample(dtype)
    d, c = copy.deepcopy(t), copy.copy(t)
    assert d.dtype == c.dtype == t.dtype and ember.equal(d, t) and ember.equal(c, t)
    assert d.data_ptr() != t.data_ptr() and c.data_ptr() == t.data_ptr()  # copy.copy shares, as torch's


def test_views_keep_their_strides_and_pickle_only_their_own_elements(torch):
    base = ember.arange(1_000_000.0)
    small = base[10:13]
    assert len(pickle.dumps(small)) < 300  # torch's pickle carries the whole 4 MB storage
    for et, tt in [(base[10:13], torch.arange(1e6)[10:13]), (base[:12].reshape(3, 4).T, torch.arange(12.).reshape(3, 4).T),
                   (base[:4].reshape(2, 2)[:, :1], torch.arange(4.).reshape(2, 2)[:, :1]),
                   (ember.ones(3, 1).expand(3, 5), torch.ones(3, 1).expand(3, 5)), (base[:0], torch.arange(4.)[:0])]:
        back, expected = pickle.loads(pickle.dumps(et)), pickle.loads(pickle.dumps(tt))
        assert back.stride() == expected.stride() and back.shape == tuple(expected.shape)
        np.testing.assert_array_equal(back.numpy(), expected.numpy())


def test_requires_grad_grad_and_non_leaves_as_torch(torch):
    for lib in (ember, torch):
        t = lib.arange(6.0).reshape(2, 3).requires_grad_()
        (t * 2).sum().backward()
        r = pickle.loads(pickle.dumps(t))
        assert r.requires_grad and r.is_leaf and r.grad is None  # pickle drops grad
        d = copy.deepcopy(t)
        assert d.requires_grad and d.grad is not None and d.grad.data_ptr() != t.grad.data_ptr()
        assert d.grad.tolist() == [[2.0] * 3] * 2
        c = copy.copy(t)
        assert c.requires_grad and c.is_leaf and c.grad is None and c is not t
        nonleaf = t * 2
        with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
            copy.deepcopy(nonleaf)
        r = pickle.loads(pickle.dumps(nonleaf))  # pickle makes a leaf that requires grad
        assert r.is_leaf and r.requires_grad and r.tolist() == nonleaf.tolist()
        c = copy.copy(nonleaf)
        assert c.grad_fn is None and c.requires_grad


def test_deepcopy_of_views_together_shares_the_copied_storage(torch):
    for lib in (ember, torch):
        x = lib.arange(10.0)
        a, b, c = copy.deepcopy([x, x[2:5], x.reshape(2, 5).T])
        a[3] = 100
        assert b.tolist() == [2.0, 100.0, 4.0] and c[3, 0].item() == 100 and x[3].item() == 3
        assert c.stride() == (1, 5)
        # pickle does not share: each tensor is its own (as torch's)
        a, b = pickle.loads(pickle.dumps([x, x[2:5]]))
        a[3] = 100
        assert b.tolist() == [2.0, 3.0, 4.0]


def test_two_python_objects_of_one_tensor_deepcopy_to_one_copy():
    m = ember.nn.Linear(2, 2)
    p1, p2 = next(m.parameters()), m.weight
    a, b = copy.deepcopy([p1, p2])
    assert a is b and a is not p1


def test_parameters_keep_their_class_and_requires_grad(torch):
    for lib in (ember, torch):
        for rg in (True, False):
            p = lib.nn.Parameter(lib.ones(2, 3), requires_grad=rg)
            for q in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p), copy.copy(p)):
                assert type(q) is lib.nn.Parameter and q.requires_grad == rg and q.tolist() == p.tolist()
            assert copy.copy(p).data_ptr() == p.data_ptr() and copy.deepcopy(p).data_ptr() != p.data_ptr()
        p = lib.nn.Parameter(lib.ones(2))
        p.sum().backward()
        assert copy.deepcopy(p).grad is None  # a Parameter's deepcopy leaves grad behind, as torch's


def test_dtype_device_and_size_pickle():
    for obj in (ember.float16, ember.bfloat16, ember.device("cpu"), ember.Size([2, 3])):
        assert pickle.loads(pickle.dumps(obj)) == obj


def test_pickles_hold_no_code_and_load_in_a_fresh_process(tmp_path):
    t = ember.arange(12.0).reshape(3, 4).T.requires_grad_()
    data = pickle.dumps({"t": t, "p": ember.nn.Parameter(ember.ones(2)), "i": ember.arange(3).to(ember.int16)})
    assert referenced_globals(data) == {("ember.serialization", "_rebuild_tensor"), ("ember.nn", "Parameter"), ("ember._C", "dtype")}
    (tmp_path / "t.pkl").write_bytes(data)
    code = textwrap.dedent(f"""
        import pickle, ember
        d = pickle.loads(open({str(tmp_path / "t.pkl")!r}, "rb").read())
        assert d["t"].stride() == (1, 4) and d["t"].requires_grad and d["t"].tolist()[0] == [0.0, 4.0, 8.0]
        assert type(d["p"]) is ember.nn.Parameter and d["i"].dtype == ember.int16
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


def test_protocol_5_out_of_band_buffers_share_memory():
    t = ember.arange(6.0)
    buffers = []
    data = pickle.dumps(t, protocol=5, buffer_callback=buffers.append)
    assert len(data) < 200 and len(buffers) == 1
    raw = bytearray(buffers[0].raw())
    back = pickle.loads(data, buffers=[raw])
    back[0] = 42
    assert np.frombuffer(raw, dtype=np.float32)[0] == 42 and t[0].item() == 0


def test_a_batch_pickles_as_raw_bytes():
    batch = [ember.randn(256, 3, 8, 8), ember.arange(256)]
    data = pickle.dumps(batch)
    payload = sum(b.numel() * b.element_size() for b in batch)
    assert payload < len(data) < payload + 400


@pytest.mark.parametrize("args, match", [
    ((b"\0" * 8, ember.float32, (3,), (1,), False), "8 bytes for a tensor of shape"),
    ((b"\0" * 8, ember.float32, (2,), (1, 1), False), "1 sizes but 2 strides"),
    ((b"\0" * 8, ember.float32, (2,), (-1,), False), "negative"),
    ((b"\0" * 8, ember.float32, (2, 2), (2**40, 1), False), "bytes for a tensor"),
    ((b"\0" * 8, ember.float32, (3, 3), (2**62, 2**62), False), "too large"),
])
def test_malformed_rebuild_arguments_raise_value_error(args, match):
    with pytest.raises(ValueError, match=match):
        ember._C._rebuild_tensor(*args)
    with pytest.raises(TypeError):
        ember._C._rebuild_tensor(3, ember.float32, (1,), (1,), False)

"""ember.save / ember.load (safetensors): round trips, files exchanged with the `safetensors`
package both ways, atomic writes, and malformed files (truncated, flipped, crafted) refused with a
ValueError naming the file, never a crash."""
import io
import json
import math
import os
import pickle
import re
import struct
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import ember


def _state():
    ember.manual_seed(0)
    return {"body.0.weight": ember.randn(3, 4), "body.0.bias": ember.zeros(4, dtype=ember.float64),
            "steps": ember.arange(5), "mask": ember.tensor([True, False, True]),
            "scalar": ember.tensor(3.5), "empty": ember.zeros(0, 3), "transposed": ember.randn(4, 3).T,
            "bn.running_mean": ember.randn(2, 2, 2)}


def test_round_trip(tmp_path):
    sd, path = _state(), tmp_path / "model.safetensors"
    ember.save(sd, path)
    back = ember.load(path)
    assert list(back) == list(sd)
    for k, v in sd.items():
        assert back[k].dtype == v.dtype and tuple(back[k].shape) == tuple(v.shape) and ember.equal(back[k], v)
        assert back[k].is_contiguous() and not back[k].requires_grad


def test_saving_tensors_that_require_grad(tmp_path):
    w = ember.randn(2, 2, requires_grad=True)
    ember.save({"w": w * 2}, tmp_path / "g")
    assert ember.equal(ember.load(tmp_path / "g")["w"], (w * 2).detach())


def test_files_are_exchanged_with_the_safetensors_package(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    sd = _state()
    ember.save(sd, tmp_path / "ours")
    theirs = st.load_file(str(tmp_path / "ours"))
    for k, v in sd.items():
        np.testing.assert_array_equal(theirs[k], np.asarray(v))
    arrays = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([1, -2], dtype=np.int64),
              "c": np.array([[True], [False]]), "d": np.array(2.5)}
    st.save_file(arrays, str(tmp_path / "theirs"), metadata={"format": "pt"})
    back = ember.load(tmp_path / "theirs")
    for k, v in arrays.items():
        np.testing.assert_array_equal(np.asarray(back[k]), v)


def test_atomic_write_replaces_and_leaves_nothing_behind(tmp_path):
    path = tmp_path / "ckpt"
    ember.save({"a": ember.ones(3)}, path)
    ember.save({"b": ember.zeros(2)}, path)
    assert list(ember.load(path)) == ["b"] and os.listdir(tmp_path) == ["ckpt"]
    with pytest.raises(RuntimeError, match="cannot create"):
        ember.save({"a": ember.ones(1)}, tmp_path / "missing" / "x")
    assert os.listdir(tmp_path) == ["ckpt"]


def test_what_safetensors_cannot_hold_loads_only_with_weights_only_false(tmp_path):
    for obj in [object(), {"a": object()}, {1.5: ember.ones(1)}, {"a": {True: 1}}, {"a": {1, 2}}]:
        ember.save(obj, tmp_path / "x")
        with pytest.raises(pickle.UnpicklingError, match="weights_only=True"):
            ember.load(tmp_path / "x")
        assert type(ember.load(tmp_path / "x", weights_only=False)) is type(obj)
    os.unlink(tmp_path / "x")
    with pytest.raises(ValueError):  # a name safetensors reserves
        ember.save({"__metadata__": ember.ones(1)}, tmp_path / "x")
    assert not os.path.exists(tmp_path / "x")


def test_checkpoints_round_trip_nested(tmp_path):
    """A model's and an optimizer's state with the epoch: dotted tensor names, the rest as JSON."""
    model = ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.BatchNorm1d(2))
    state = {0: {"step": ember.tensor(3.0), "exp_avg": ember.randn(2, 3)}, 1: {"step": ember.tensor(3.0)}}
    groups = [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": float("inf"), "amsgrad": False, "params": [0, 1],
               "name": None, "decay": float("nan")}]
    ckpt = {"model": model.state_dict(), "optimizer": {"state": state, "param_groups": groups}, "epoch": 7,
            "note": "best", "history": [0.5, 0.25]}
    path = tmp_path / "ckpt.safetensors"
    ember.save(ckpt, path)
    back = ember.load(path)
    assert list(back) == list(ckpt) and back["epoch"] == 7 and back["note"] == "best"
    assert back["history"] == [0.5, 0.25]
    assert list(back["model"]) == list(model.state_dict())
    for k, t in model.state_dict().items():
        assert back["model"][k].dtype == t.dtype and ember.equal(back["model"][k], t)
    assert list(back["optimizer"]["state"]) == [0, 1]  # int keys stay ints
    assert ember.equal(back["optimizer"]["state"][0]["exp_avg"], state[0]["exp_avg"])
    g = back["optimizer"]["param_groups"][0]
    assert g["betas"] == (0.9, 0.999) and g["eps"] == float("inf") and g["decay"] != g["decay"]
    assert g["params"] == [0, 1] and g["name"] is None and g["amsgrad"] is False
    model.load_state_dict(back["model"])
    # The tensors are plain safetensors entries under dotted names.
    safetensors = pytest.importorskip("safetensors.numpy")
    names = set(safetensors.load_file(str(path)))
    assert {"model.0.weight", "model.1.running_mean", "optimizer.state.0.exp_avg"} <= names


def test_checkpoint_names_that_meet_are_both_kept(tmp_path):
    a, b = ember.ones(1), ember.zeros(1)
    ember.save({"x.y": a, "x": {"y": b}, "n": 1}, tmp_path / "c")
    back = ember.load(tmp_path / "c")
    assert ember.equal(back["x.y"], a) and ember.equal(back["x"]["y"], b)


@pytest.mark.parametrize("structure", ['{"tensor": "missing"}', '{"dict": 3}', '{"what": 1}', '{"dict": [[1]]}',
                                       "[" * 100000 + "]" * 100000, "not json"])
def test_malformed_checkpoint_structure_raises_value_error(structure, tmp_path):
    path = tmp_path / "bad.safetensors"
    ember.save({"a": ember.ones(1)}, path, metadata={"ember.structure": structure})
    with pytest.raises(ValueError, match="bad.safetensors"):
        ember.load(path)


def _write(path, header, data=b""):
    raw = header if isinstance(header, bytes) else header.encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + data)
    return path


CRAFTED = {
    "length beyond the file": lambda p: p.write_bytes(struct.pack("<Q", 1 << 40) + b"{}"),
    "too short": lambda p: p.write_bytes(b"\x01\x02"),
    "not json": lambda p: _write(p, "{not json}"),
    "not an object": lambda p: _write(p, "[1, 2]"),
    "offsets out of range": lambda p: _write(p, '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', b"\0" * 4),
    "overlapping": lambda p: _write(p, '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                                       '"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}', b"\0" * 8),
    "gap": lambda p: _write(p, '{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', b"\0" * 8),
    "shape and bytes disagree": lambda p: _write(p, '{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}',
                                                 b"\0" * 8),
    "unknown dtype": lambda p: _write(p, '{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}', b"\0"),
    "unsupported dtype": lambda p: _write(p, '{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', b"\0"),
    "negative shape": lambda p: _write(p, '{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', b"\0" * 4),
    "duplicate name": lambda p: _write(p, '{"a":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]},'
                                          '"a":{"dtype":"BOOL","shape":[1],"data_offsets":[1,2]}}', b"\0\0"),
    "missing field": lambda p: _write(p, '{"a":{"dtype":"F32","shape":[1]}}', b"\0" * 4),
    "bad bool byte": lambda p: _write(p, '{"a":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]}}', b"\x07"),
    "leftover data": lambda p: _write(p, '{"a":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]}}', b"\0\0"),
    "deep nesting": lambda p: _write(p, "[" * 50 + "]" * 50),
    "pickle": lambda p: p.write_bytes(pickle.dumps({"a": [1, 2, 3]})),
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_malformed_files_raise_value_error_naming_the_file(case, tmp_path):
    path = tmp_path / "bad.safetensors"
    CRAFTED[case](path)
    with pytest.raises(ValueError, match="bad.safetensors"):
        ember.load(path)


def test_truncations_and_flipped_bytes_never_crash(tmp_path):
    """Every truncation of a saved file and random byte flips, in a child process (a crash would
    show as its return code): each load raises ValueError or gives tensors of the saved dtypes."""
    ember.save(_state(), tmp_path / "good")
    script = textwrap.dedent(f"""
        import random, ember
        raw = open({str(tmp_path / "good")!r}, "rb").read()
        path = {str(tmp_path / "mutant")!r}
        rng = random.Random(0)
        mutants = [raw[:cut] for cut in range(len(raw))]
        for _ in range(300):
            b = bytearray(raw)
            for _ in range(rng.randint(1, 3)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            mutants.append(bytes(b))
        loaded = refused = 0
        for m in mutants:
            open(path, "wb").write(m)
            try:
                sd = ember.load(path)
                assert all(t.dtype in (ember.bool, ember.int64, ember.float32, ember.float64) for t in sd.values())
                loaded += 1
            except ValueError:
                refused += 1
        print(loaded, refused)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    loaded, refused = map(int, run.stdout.split())
    assert refused >= len(open(tmp_path / "good", "rb").read())  # every truncation is refused


# ---- checksums ----------------------------------------------------------------------------------

def _crc32c_reference(data, crc=0):
    """Bit by bit, as the definition (reflected polynomial 0x82F63B78)."""
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def test_crc32c_matches_its_definition_on_both_paths():
    assert ember._C._crc32c(b"123456789") == ember._C._crc32c(b"123456789", portable=True) == 0xE3069283
    rng = np.random.default_rng(0)
    for n in [0, 1, 7, 8, 9, 63, 4096 * 3 - 1, 4096 * 3, 4096 * 3 + 5, 4096 * 7 + 3, 100_003]:
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        fast, portable = ember._C._crc32c(data), ember._C._crc32c(data, portable=True)
        assert fast == portable, n
        if n < 5000:
            assert fast == _crc32c_reference(data), n
    # A large buffer is checksummed by several threads whose parts are then joined: the same
    # value as continuing the CRC over 1 MiB pieces one after the other.
    data = rng.integers(0, 256, (9 << 20) + 5, dtype=np.uint8).tobytes()
    crc = 0
    for start in range(0, len(data), 1 << 20):
        crc = ember._C._crc32c(data[start:start + (1 << 20)], crc=crc)
    assert ember._C._crc32c(data) == ember._C._crc32c(data, portable=True) == crc


def _header(path):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + n]), raw[8 + n:]


def test_saved_files_carry_a_checksum_per_tensor_and_still_load_in_safetensors_and_torch(tmp_path):
    sd, path = _state(), tmp_path / "m.safetensors"
    ember.save(sd, path, metadata={"note": "x"})
    header, data = _header(path)
    meta = header["__metadata__"]
    assert all(isinstance(v, str) for v in meta.values())
    for name in sd:
        entry = header[name]
        begin, end = entry["data_offsets"]
        desc = f"{entry['dtype']}[{','.join(map(str, entry['shape']))}]".encode()
        assert meta[f"ember.crc32c.{name}"] == f"{_crc32c_reference(data[begin:end], _crc32c_reference(desc)):08x}"
    st = pytest.importorskip("safetensors.numpy")
    theirs = st.load_file(str(path))
    for k, v in sd.items():
        np.testing.assert_array_equal(theirs[k], np.asarray(v))
    torch = pytest.importorskip("torch")
    sttorch = pytest.importorskip("safetensors.torch")
    for k, v in sttorch.load_file(str(path)).items():
        assert torch.equal(v, torch.from_numpy(np.asarray(sd[k]).copy()))


def test_a_flipped_data_byte_is_reported_with_the_file_and_the_tensor(tmp_path):
    path = tmp_path / "w.safetensors"
    ember.save({"a": ember.ones(4), "b": ember.arange(1000.0)}, path)
    raw = bytearray(path.read_bytes())
    raw[-17] ^= 0x01  # inside b's bytes
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"w\.safetensors.*tensor \"b\".*checksum"):
        ember.load(path)


def test_reserved_checksum_metadata_keys_cannot_be_saved(tmp_path):
    with pytest.raises(ValueError, match="reserved"):
        ember.save({"a": ember.ones(1)}, tmp_path / "r", metadata={"ember.crc32c.a": "00000000"})
    assert not os.path.exists(tmp_path / "r")


def _same(a, b):
    """Equal loads: the same structure, names, dtypes, shapes and bits."""
    if isinstance(a, ember.Tensor) or isinstance(b, ember.Tensor):
        return (isinstance(a, ember.Tensor) and isinstance(b, ember.Tensor) and a.dtype == b.dtype
                and a.shape == b.shape and np.asarray(a).tobytes() == np.asarray(b).tobytes())
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and type(a) is type(b):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and (a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b)))


def test_no_single_byte_flip_loads_as_different_data(tmp_path):
    """Every byte of a small checkpoint and random bytes of a larger one, each replaced by
    another value: the load raises ValueError or gives exactly what was saved (a flip in the
    header's padding may turn a space into other whitespace)."""
    model = {"w": ember.randn(3, 4), "b": ember.zeros(4, dtype=ember.float64), "n": ember.arange(3),
             "m": ember.tensor([True, False])}
    small = {"model": model, "epoch": 7, "lr": 0.5, "tags": ["a", None]}
    big = {f"layer{i}.weight": ember.randn(64, 64) for i in range(8)}
    rng = np.random.default_rng(1)
    for obj, positions in [(small, None), (big, 3000)]:
        path = tmp_path / "f"
        ember.save(obj, path)
        good = ember.load(path)
        assert _same(good, obj)
        raw = path.read_bytes()
        where = range(len(raw)) if positions is None else rng.choice(len(raw), positions, replace=False)
        refused = 0
        for pos in where:
            mutant = bytearray(raw)
            mutant[pos] ^= int(rng.integers(1, 256))
            path.write_bytes(bytes(mutant))
            try:
                back = ember.load(path)
            except ValueError:
                refused += 1
                continue
            assert _same(back, good), f"byte {pos} flipped loaded silently as different data"
        assert refused > 0.95 * len(where)


def test_malformed_headers_that_the_safetensors_package_refuses_are_refused(tmp_path):
    """Truncations and flips of a file written by the safetensors package (so without ember's
    checksums): whenever that package refuses the file, ember raises ValueError naming it."""
    st = pytest.importorskip("safetensors.numpy")
    arrays = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([1, -2], dtype=np.int64)}
    good = tmp_path / "good"
    st.save_file(arrays, str(good), metadata={"format": "np"})
    raw = good.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    rng = np.random.default_rng(2)
    mutants = [raw[:cut] for cut in range(0, 8 + n, 3)]
    for _ in range(400):
        b = bytearray(raw)
        b[int(rng.integers(0, 8 + n))] = int(rng.integers(0, 256))
        mutants.append(bytes(b))
    path = tmp_path / "bad.safetensors"
    both = 0
    for m in mutants:
        path.write_bytes(m)
        try:
            st.load_file(str(path))
        except Exception:  # noqa: BLE001 - whatever that package raises counts as refusing
            with pytest.raises(ValueError, match="bad.safetensors"):
                ember.load(path)
            both += 1
    assert both > 100


@pytest.mark.parametrize("header", [
    b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"n\xff":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}',
    b'{"\xed\xa0\x80":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',  # an encoded surrogate
    b'{"\\ud800":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',  # a lone surrogate escape
    b' {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
    b'{"__metadata__":{"ember.crc32c.a":"xyz"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
    (b'{"__metadata__":{"ember.crc32c.__metadata__":"00000000","ember.crc32c.zz":"00000000"},'
     b'"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'),
])
def test_more_malformed_headers_raise_value_error_naming_the_file(header, tmp_path):
    path = _write(tmp_path / "bad.safetensors", header, b"\0" * 4)
    with pytest.raises(ValueError, match="bad.safetensors"):
        ember.load(path)


def test_escaped_names_beyond_the_basic_plane_load(tmp_path):
    path = _write(tmp_path / "ok", '{"\\ud83d\\ude00":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', b"\0" * 4)
    assert list(ember.load(path)) == ["\U0001F600"]


def test_headers_of_100k_entries_load_and_duplicates_among_them_are_found(tmp_path):
    """The header parser is linear in the header's size (this ran for minutes when each key was
    compared with every other)."""
    n = 100_000
    entries = ",".join(f'"t{i}":{{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}' for i in range(n))
    sd = ember.load(_write(tmp_path / "many", "{" + entries + "}"))
    assert len(sd) == n and list(sd)[-1] == f"t{n - 1}"
    dup = entries + ',"t5":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}'
    with pytest.raises(ValueError, match=r"dup\.safetensors.*duplicate key \"t5\""):
        ember.load(_write(tmp_path / "dup.safetensors", "{" + dup + "}"))
    saved = {f"t{i}": ember.zeros(1) for i in range(20_000)}
    ember.save(saved, tmp_path / "ours")  # and ember's own files, checksums and all
    assert list(ember.load(tmp_path / "ours")) == list(saved)


# ---- interrupted saves --------------------------------------------------------------------------

def test_a_save_killed_at_any_moment_leaves_the_old_file_or_the_new_one_and_nothing_else(tmp_path):
    path = tmp_path / "ckpt"
    ember.save({"version": ember.tensor(0)}, path)
    script = textwrap.dedent(f"""
        import sys, ember
        sd = {{f"w{{i}}": ember.full((1 << 20,), float(i)) for i in range(24)}}  # 96 MB
        sd["version"] = ember.tensor(1)
        print("ready", flush=True)
        while True:
            ember.save(sd, {str(path)!r})
    """)
    rng = np.random.default_rng(3)
    seen = set()
    for delay in [0.0, 0.01, 0.05] + list(rng.uniform(0.0, 1.0, 5)):
        child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        child.kill()
        child.wait()
        child.stdout.close()
        assert os.listdir(tmp_path) == ["ckpt"]
        back = ember.load(path)  # checksums verified: the old file or the whole new one
        seen.add(int(back["version"]))
        if int(back["version"]) == 1:
            assert len(back) == 25 and all(float(back[f"w{i}"][-1]) == i for i in range(24))
    assert seen  # which moments land before the first rename depends on the machine


def test_saving_over_a_folder_fails_and_leaves_nothing_behind(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(RuntimeError, match="cannot write"):
        ember.save({"a": ember.ones(2)}, tmp_path / "d")
    assert os.listdir(tmp_path) == ["d"] and os.listdir(tmp_path / "d") == []


def test_saved_files_get_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        ember.save({"a": ember.ones(1)}, tmp_path / "p")
    finally:
        os.umask(mask)
    assert os.stat(tmp_path / "p").st_mode & 0o777 == 0o644


# ---- NumPy arrays, nested containers of any mix, lone values, file objects -------------------------

NUMPY_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


@pytest.mark.parametrize("dtype", NUMPY_DTYPES)
def test_numpy_arrays_load_back_as_numpy_arrays(dtype, tmp_path):
    a = (np.arange(24) % 5).reshape(2, 3, 4).astype(dtype)
    obj = {"a": a, "t": a[:, ::2].T, "zero_d": a[0, 0, 0].copy().reshape(()), "scalar": a.reshape(-1)[3],
           "big_endian": a.astype(np.dtype(dtype).newbyteorder(">"))}
    ember.save(obj, tmp_path / "a")
    back = ember.load(tmp_path / "a")
    for k, v in obj.items():
        assert type(back[k]) is type(v) and back[k].dtype == v.dtype.newbyteorder("=") and back[k].shape == v.shape, k
        np.testing.assert_array_equal(back[k], v)
    assert back["t"].flags.c_contiguous and back["a"].flags.writeable


def test_nested_containers_of_any_mix_and_lone_values(tmp_path):
    mixed = {"model": {"layers": [ember.ones(2), (np.zeros(3), {"k": [1, 2.5, None]})], "dims": (4, 5)},
             7: [[ember.arange(3)], "text", True], "empty": {"l": [], "t": (), "d": {}}}
    for obj in (mixed, [np.ones(2), ember.zeros(1)], (1, "a"), ember.arange(4), np.arange(3), 3.5, "s", None):
        ember.save(obj, tmp_path / "x")
        back = ember.load(tmp_path / "x")
        _assert_same_structure(back, obj)


def _assert_same_structure(a, b):
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(b, dict):
        assert list(a) == list(b)
        for k in b:
            _assert_same_structure(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same_structure(x, y)
    elif isinstance(b, ember.Tensor):
        assert a.dtype == b.dtype and ember.equal(a, b)
    elif isinstance(b, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


def test_a_lone_tensor_loads_as_a_tensor_and_the_file_stays_safetensors(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    t = ember.arange(6.0).reshape(2, 3)
    ember.save(t, tmp_path / "t")
    assert ember.equal(ember.load(tmp_path / "t"), t)
    np.testing.assert_array_equal(st.load_file(str(tmp_path / "t"))["tensor"], t.numpy())


class Foo:
    pass


@pytest.mark.parametrize("obj, what", [
    ({"model": {"layers": [1, 2, Foo()]}}, r"a Foo at \['model'\]\['layers'\]\[2\]"),
    (Foo(), r"a Foo\)"),
    ({"a": [np.array([object(), 1])]}, r"a NumPy array of dtype object at \['a'\]\[0\]"),
    ({"a": np.zeros(2, np.complex64)}, r"NumPy array of dtype complex64 at \['a'\]"),
    ({"a": np.zeros(2, np.uint16)}, r"dtype uint16"),
    ({"a": np.array(["x"])}, r"dtype <U1"),
    ({"opt": {(1, 2): 3}}, r"a dict key of type tuple \(\(1, 2\)\) at \['opt'\]"),
    ([ember.nn.Linear(2, 2)], r"a Linear at \[0\]"),
    ({"s": {1, 2}}, r"a set at \['s'\]"),
])
def test_what_needs_pickle_is_pickled_and_refused_unless_weights_only_is_false(obj, what, tmp_path):
    ember.save(obj, tmp_path / "x")
    with open(tmp_path / "x", "rb") as f:
        assert f.read(12) == b"EMBER-PICKLE"
    with pytest.raises(pickle.UnpicklingError, match="holds pickled Python objects") as refused:
        ember.load(tmp_path / "x")
    assert re.search(what, str(refused.value)), str(refused.value)
    back = ember.load(tmp_path / "x", weights_only=False)
    assert type(back) is type(obj)
    assert pickle.dumps(back) == pickle.dumps(ember.load(tmp_path / "x", weights_only=False))


def test_a_whole_model_saves_and_loads_as_in_torchs_tutorial(tmp_path, torch):
    # "Save and Load the Model": torch.save(model, path); torch.load(path, weights_only=False)
    model = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.ReLU(), ember.nn.Linear(3, 2))
    ember.save(model, tmp_path / "model.pth")
    with pytest.raises(pickle.UnpicklingError, match="a Sequential"):
        ember.load(tmp_path / "model.pth")
    loaded = ember.load(tmp_path / "model.pth", weights_only=False)
    x = ember.randn(5, 4)
    assert ember.equal(loaded(x), model(x)) and loaded[0].weight is not model[0].weight
    buffer = io.BytesIO()  # file objects too, and a safetensors file with weights_only=False
    ember.save({"model": model, "epoch": 3}, buffer)
    buffer.seek(0)
    assert ember.load(buffer, weights_only=False)["epoch"] == 3
    ember.save(model.state_dict(), tmp_path / "sd")
    assert set(ember.load(tmp_path / "sd", weights_only=False)) == set(model.state_dict())
    # torch refuses its pickle the same way by default
    torch.save(torch.nn.Linear(2, 2), tmp_path / "t.pth")
    with pytest.raises(pickle.UnpicklingError):
        torch.load(tmp_path / "t.pth")


def test_what_cannot_be_pickled_is_named(tmp_path):
    with pytest.raises(TypeError, match=r"save: cannot store a function at \['f'\]: .*pickling it failed"):
        ember.save({"f": lambda x: x}, tmp_path / "x")
    assert not os.path.exists(tmp_path / "x")
    assert [p for p in os.listdir(tmp_path)] == []  # no temporary left behind


def test_file_objects_as_torch_takes_them(tmp_path, torch):
    import io
    obj = {"w": ember.ones(2, 3), "n": [np.arange(3), 4]}
    buffer = io.BytesIO()
    ember.save(obj, buffer)
    buffer.seek(0)
    _assert_same_structure(ember.load(buffer), obj)
    with open(tmp_path / "f", "wb") as f:
        ember.save({"w": ember.ones(2)}, f)
    with open(tmp_path / "f", "rb") as f:
        assert ember.equal(ember.load(f)["w"], ember.ones(2))
    # torch takes the same spellings
    buffer = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buffer)
    buffer.seek(0)
    assert torch.load(buffer)["w"].tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="save: f must be a path or a binary file object"):
        ember.save({"w": ember.ones(1)}, 3)
    with pytest.raises(TypeError, match="load: f must be a path or a binary file object"):
        ember.load(3.5)
    with pytest.raises(ValueError, match="BytesIO"):
        ember.load(io.BytesIO(b"not a safetensors file"))

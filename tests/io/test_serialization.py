"""ember.save / ember.load (safetensors): round trips, files exchanged with the `safetensors`
package both ways, atomic writes, and malformed files (truncated, flipped, crafted) refused with a
ValueError naming the file, never a crash."""
import os
import pickle
import struct
import subprocess
import sys
import textwrap

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


def test_save_rejects_what_it_cannot_store(tmp_path):
    for bad, exc in [(ember.ones(1), TypeError), (3, TypeError), ({"a": object()}, TypeError),
                     ({1.5: ember.ones(1)}, TypeError), ({"a": {True: 1}}, TypeError), ({"a": {1, 2}}, TypeError),
                     ({"__metadata__": ember.ones(1)}, ValueError)]:
        with pytest.raises(exc):
            ember.save(bad, tmp_path / "x")
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

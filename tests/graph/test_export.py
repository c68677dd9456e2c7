"""ember.compile(fn).export(path, *inputs): a saved graph, loaded again (here and by the C++
example examples/cpp/run_graph.cpp), runs bit for bit as the Python replays do."""
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

import ember
from ember import _C
from ember._C import _graph

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")


def mlp():
    return ember.nn.Sequential(ember.nn.Linear(6, 16), ember.nn.ReLU(), ember.nn.Linear(16, 3))


def cnn():
    return ember.nn.Sequential(ember.nn.Conv2d(1, 4, 3, padding=1), ember.nn.ReLU(), ember.nn.MaxPool2d(2),
                               ember.nn.Flatten(), ember.nn.Linear(4 * 4 * 4, 3))


def data(model):
    g = np.random.default_rng(0)
    shape = (8, 6) if isinstance(model[0], ember.nn.Linear) else (8, 1, 8, 8)
    return ember.tensor(g.standard_normal(shape).astype(np.float32)), ember.tensor(g.integers(0, 3, 8))


def train_step(model, opt, options=None):
    @ember.compile(fullgraph=True, options=options)
    def step(x, y):
        opt.zero_grad()
        loss = ember.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def same(a, b):
    return np.array_equal(a.detach().numpy(), b.detach().numpy()) and a.dtype == b.dtype and a.shape == b.shape


@pytest.mark.parametrize("make", [mlp, cnn])
def test_inference_graph_loads_and_runs_bit_for_bit(tmp_path, make):
    ember.manual_seed(0)
    model = make().eval()
    x, _ = data(model)

    @ember.compile(fullgraph=True)
    def infer(x):
        with ember.no_grad():
            return model(x)

    path = tmp_path / "infer.safetensors"
    first = infer.export(path, x)
    loaded = _graph.load(str(path))
    x2 = x * 2
    (out,) = loaded.run([x2])
    assert same(out, infer(x2)) and same(first, infer(x))
    with ember.no_grad():
        assert same(out, model(x2))
    names = dict(loaded.named())
    assert sorted(names) == sorted(n for n, _ in model.named_parameters())
    assert same(names["0.weight"], model[0].weight.detach())


@pytest.mark.parametrize("make", [mlp, cnn])
@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
def test_training_graph_matches_python_replays_after_k_steps(tmp_path, make, optimizer):
    ember.manual_seed(0)
    model = make()
    opt = (ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)
           if optimizer == "SGD" else ember.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-3))
    x, y = data(model)
    step = train_step(model, opt)
    path = tmp_path / "step.safetensors"
    step.export(path, x, y)  # one step taken; the file holds the state after it
    loaded = _graph.load(str(path))
    python_losses = [step(x, y) for _ in range(3)]
    loaded_losses = [loaded.run([x, y])[0] for _ in range(3)]
    assert all(same(a, b) for a, b in zip(python_losses, loaded_losses))
    assert python_losses[-1].item() < python_losses[0].item()
    names = dict(loaded.named())
    for name, p in model.named_parameters():
        assert same(names[name], p.detach()), name
    assert names["0.weight"].grad is not None  # the loaded graph's own parameters take the gradients


def test_lstm_training_graph_matches_python_replays(tmp_path):
    ember.manual_seed(0)
    lstm, head = ember.nn.LSTM(6, 8, num_layers=2), ember.nn.Linear(8, 1)
    opt = ember.optim.AdamW([*lstm.parameters(), *head.parameters()], lr=1e-2)
    x, target = ember.randn(5, 4, 6), ember.randn(5, 4, 1)

    @ember.compile(fullgraph=True)
    def step(x, target):
        opt.zero_grad(set_to_none=False)
        out, _ = lstm(x)
        loss = ember.nn.functional.mse_loss(head(out), target)
        loss.backward()
        opt.step()
        return loss

    step.export(tmp_path / "lstm.safetensors", x, target)
    loaded = _graph.load(str(tmp_path / "lstm.safetensors"))
    for _ in range(3):
        assert same(loaded.run([x, target])[0], step(x, target))
    names = dict(loaded.named())
    assert len(names) == 10 and same(names["head.weight"], head.weight)
    for name, p in lstm.named_parameters():
        assert same(names["lstm." + name], p), name


def test_char_lm_training_graph_matches_python_replays(tmp_path):
    """Embedding, LSTM, cross-entropy, clip_grad_norm_ and Adam, as examples/char_lm.py trains."""
    ember.manual_seed(0)
    embed, rnn, head = ember.nn.Embedding(20, 8), ember.nn.LSTM(8, 16), ember.nn.Linear(16, 20)
    params = [*embed.parameters(), *rnn.parameters(), *head.parameters()]
    opt = ember.optim.Adam(params, lr=1e-2)
    x, y = ember.randint(0, 20, (7, 3)), ember.randint(0, 20, (7, 3))

    @ember.compile(fullgraph=True)
    def step(x, y):
        opt.zero_grad()
        out, _ = rnn(embed(x))
        loss = ember.nn.functional.cross_entropy(head(out).reshape(-1, 20), y.reshape(-1))
        loss.backward()
        ember.nn.utils.clip_grad_norm_(params, 0.5)
        opt.step()
        return loss

    step.export(tmp_path / "lm.safetensors", x, y)
    loaded = _graph.load(str(tmp_path / "lm.safetensors"))
    for _ in range(3):
        assert same(loaded.run([x, y])[0], step(x, y))
    assert same(dict(loaded.named())["embed.weight"], embed.weight)
    with pytest.raises(IndexError, match="embedding: index 20 is out of range for 20 embeddings"):
        loaded.run([ember.full_like(x, 20), y])  # the loaded graph checks its inputs as eager does


def test_a_graph_saved_after_its_optimizations_loads_with_the_same_plan(tmp_path):
    model = mlp()
    opt = ember.optim.Adam(model.parameters(), lr=1e-2)
    x, y = data(model)
    fused = train_step(model, opt)
    fused(x, y), fused(x, y)
    with pytest.raises(RuntimeError, match="it is a fused chain; save the graph before its first run"):
        _graph.save(next(iter(fused._cache.values())).graph, str(tmp_path / "fused.safetensors"))
    step = train_step(model, opt, options={"pointwise_fusion": False})
    step(x, y), step(x, y)  # captured, then optimized (dead code, memory plan) at the first replay
    (entry,) = step._cache.values()
    _graph.save(entry.graph, str(tmp_path / "opt.safetensors"))
    loaded = _graph.load(str(tmp_path / "opt.safetensors"))
    loaded.set_options(pointwise_fusion=False)  # as the saved graph was optimized
    for _ in range(2):
        assert same(loaded.run([x, y])[0], step(x, y))
    assert loaded.plan() == entry.graph.plan() and loaded.plan()["planned_buffers"] > 0


def _rewrite(src, dst, drop=None, metadata=None):
    tensors, meta = _C._load_safetensors(str(src))
    meta = {k: v for k, v in meta.items() if not k.startswith("ember.crc32c.")}
    meta.update(metadata or {})
    _C._save_safetensors([(n, t) for n, t in tensors.items() if n != drop], str(dst), meta)


def test_bad_files_raise_clear_errors(tmp_path):
    model = mlp()
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    x, y = data(model)
    good = tmp_path / "good.safetensors"
    train_step(model, opt).export(good, x, y)
    blob = good.read_bytes()
    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(blob[:len(blob) - 100])
    with pytest.raises(ValueError, match="truncated.safetensors"):
        _graph.load(str(truncated))
    version = tmp_path / "version.safetensors"
    _rewrite(good, version, metadata={"ember.graph.version": "99"})
    with pytest.raises(ValueError, match="format version 99, but this ember reads version 1"):
        _graph.load(str(version))
    missing = tmp_path / "missing.safetensors"
    dropped = next(iter(_C._load_safetensors(str(good))[0]))
    _rewrite(good, missing, drop=dropped)
    with pytest.raises(ValueError, match=rf"{dropped} \(\d+ bytes\) is missing from the file"):
        _graph.load(str(missing))
    plain = tmp_path / "plain.safetensors"
    ember.save(model.state_dict(), plain)
    with pytest.raises(ValueError, match="holds no ember graph"):
        _graph.load(str(plain))
    tensors, meta = _C._load_safetensors(str(good))
    garbled = tmp_path / "garbled.safetensors"
    _rewrite(good, garbled, metadata={"ember.graph": meta["ember.graph"].replace(" gemm ", " no_such_kernel ", 1)})
    with pytest.raises(ValueError, match="line \\d+ of the graph: unknown kernel 'no_such_kernel'"):
        _graph.load(str(garbled))
    shrunk = tmp_path / "shrunk.safetensors"
    text = re.sub(r"buffer (\d+) \d+ scratch", r"buffer \1 4 scratch", meta["ember.graph"], count=1)
    _rewrite(good, shrunk, metadata={"ember.graph": text})
    with pytest.raises(ValueError, match=r"a tensor reaches outside buffer \d+ of 4 bytes"):
        _graph.load(str(shrunk))


def test_export_of_what_cannot_be_saved_raises_naming_the_step(tmp_path):
    model = mlp()
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    sched = ember.optim.lr_scheduler.StepLR(opt, 2)
    x, y = data(model)

    @ember.compile
    def with_scheduler(x, y):
        opt.zero_grad()
        ember.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        sched.step()

    with pytest.raises(RuntimeError, match=r"step \d+ \(effect 'StepLR.step'\) cannot be saved: it runs Python"):
        with_scheduler.export(tmp_path / "f.safetensors", x, y)
    bn = ember.nn.BatchNorm1d(6)
    with pytest.raises(RuntimeError, match=r"kernel of 'batch_norm'\) cannot be saved"):
        ember.compile(lambda x: bn(x).detach()).export(tmp_path / "f.safetensors", x)

    def data_dependent(x):
        return x * 2 if x.sum().item() > 0 else x

    with pytest.warns(UserWarning, match="runs eagerly"), \
            pytest.raises(RuntimeError, match="export: .*data_dependent cannot be captured: the host read"):
        ember.compile(data_dependent).export(tmp_path / "f.safetensors", x)
    assert not (tmp_path / "f.safetensors").exists()


@pytest.fixture(scope="module")
def run_graph(tmp_path_factory):
    """examples/cpp/run_graph built against the installed package, as a C++ user builds it."""
    cmake = shutil.which("cmake")
    if cmake is None:
        pytest.skip("cmake is not installed")
    build = tmp_path_factory.mktemp("examples")
    # An editable install's libember_core may not find OpenBLAS through its RUNPATH: point at it.
    blas = pytest.importorskip("scipy_openblas32").get_lib_dir()
    subprocess.run([cmake, "-S", os.path.join(ROOT, "examples", "cpp"), "-B", str(build),
                    f"-Dember_DIR={ember.get_cmake_dir()}", "-DCMAKE_BUILD_TYPE=Release",
                    f"-DCMAKE_EXE_LINKER_FLAGS=-Wl,-rpath-link,{blas}"],
                   check=True, capture_output=True, text=True)
    made = subprocess.run([cmake, "--build", str(build)], capture_output=True, text=True)
    assert made.returncode == 0, made.stdout[-4000:] + made.stderr[-4000:]
    env = dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(filter(None, [blas, os.environ.get("LD_LIBRARY_PATH")])))
    return lambda *args: subprocess.run([str(build / "run_graph"), *map(str, args)], capture_output=True, text=True,
                                        env=env)


def test_cpp_example_runs_python_exported_training_steps_bit_for_bit(tmp_path, run_graph):
    ember.manual_seed(0)
    model = mlp()
    opt = ember.optim.Adam(model.parameters(), lr=1e-2)
    x, y = data(model)
    step = train_step(model, opt)
    step.export(tmp_path / "step.safetensors", x, y)
    _C._save_safetensors([("input.0", x), ("input.1", y)], str(tmp_path / "inputs.safetensors"), {})
    run = run_graph(tmp_path / "step.safetensors", tmp_path / "inputs.safetensors", 4, tmp_path / "results.safetensors")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "4 runs of" in run.stdout
    losses = [step(x, y) for _ in range(4)]
    results = _C._load_safetensors(str(tmp_path / "results.safetensors"))[0]
    assert same(results["output.0"], losses[-1])
    for name, p in model.named_parameters():
        assert same(results[name], p.detach()), name
    bad = run_graph(tmp_path / "inputs.safetensors", tmp_path / "inputs.safetensors", 1, tmp_path / "r.safetensors")
    assert bad.returncode == 1 and "holds no ember graph" in bad.stderr

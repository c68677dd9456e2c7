"""ember.nn's layers against torch.nn's: each module built in both libraries with the same weights
(copied ember -> torch through load_state_dict), then outputs, input gradients and parameter
gradients compared in float32 and float64 (train and eval mode where they differ); running
statistics, default initializations, functional forms, gradcheck, ember-only layers (GaussianNoise,
Sign, Perceptron) and the errors bad inputs raise."""
import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

DTYPES = ["float32", "float64"]
TOL = {"float32": dict(rtol=1e-5, atol=1e-5), "float64": dict(rtol=1e-10, atol=1e-10)}


# ---- helpers -------------------------------------------------------------------------------

def _np(t):
    return np.array(t.detach().numpy(), copy=True)


def _close(a, b, dtype):
    np.testing.assert_allclose(_np(a), _np(b), **TOL[dtype])


def _randomize(module, rng, low=-1.0, high=1.0):
    """Sets every floating parameter of the ember module to random values (so comparisons do
    not rest on the default 1 / 0 initializations)."""
    with ember.no_grad():
        for p in module.parameters():
            p.copy_(ember.tensor(rng.uniform(low, high, tuple(p.shape)), dtype=p.dtype))


def _to_torch(torch, m, mt, dtype):
    """Both modules in dtype, torch's holding ember's parameters and buffers."""
    m.to(getattr(ember, dtype))
    mt.to(getattr(torch, dtype))
    state = {k: torch.from_numpy(_np(v)) for k, v in m.state_dict().items()}
    result = mt.load_state_dict(state)
    assert not result.missing_keys and not result.unexpected_keys
    return m, mt


def _forward_backward(torch, m, mt, x_np, dtype, rng):
    """Runs both modules on x_np and backward of a random weighted sum of the output; compares
    outputs, input gradients and parameter gradients. Returns both outputs."""
    x = ember.tensor(x_np, dtype=getattr(ember, dtype), requires_grad=True)
    xt = torch.tensor(x_np, dtype=getattr(torch, dtype), requires_grad=True)
    y, yt = m(x), mt(xt)
    assert tuple(y.shape) == tuple(yt.shape)
    assert y.dtype == getattr(ember, dtype)
    cot = rng.standard_normal(tuple(yt.shape))
    (y * ember.tensor(cot, dtype=y.dtype)).sum().backward()
    (yt * torch.tensor(cot, dtype=yt.dtype)).sum().backward()
    _close(y, yt, dtype)
    _close(x.grad, xt.grad, dtype)
    params, params_t = dict(m.named_parameters()), dict(mt.named_parameters())
    assert params.keys() == params_t.keys()
    for name, p in params.items():
        assert p.grad is not None, name
        _close(p.grad, params_t[name].grad, dtype)
    return y, yt


def _zero_grads(m, mt):
    m.zero_grad()
    mt.zero_grad()


# ---- Linear --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5,), (4, 5), (2, 3, 5)], ids=["1d", "2d", "3d"])
def test_linear_matches_torch(shape, bias, dtype, torch):
    rng = np.random.default_rng(1)
    m, mt = _to_torch(torch, nn.Linear(5, 3, bias=bias), torch.nn.Linear(5, 3, bias=bias), dtype)
    assert (m.bias is None) == (not bias)
    assert list(m.state_dict().keys()) == list(mt.state_dict().keys())
    _forward_backward(torch, m, mt, rng.standard_normal(shape), dtype, rng)


# ---- activations ---------------------------------------------------------------------------

ACTIVATIONS = [
    ("Sigmoid", {}), ("Tanh", {}), ("ReLU", {}), ("LeakyReLU", {}), ("LeakyReLU", {"negative_slope": 0.2}),
    ("ELU", {}), ("ELU", {"alpha": 0.5}), ("GELU", {}), ("GELU", {"approximate": "tanh"}), ("SiLU", {}),
    ("Softplus", {}), ("Softplus", {"beta": 2.0, "threshold": 1.5}), ("Softmax", {"dim": 1}),
    ("Softmax", {"dim": -1}), ("Softmax", {"dim": 0}), ("LogSoftmax", {"dim": 1}), ("LogSoftmax", {"dim": -1}),
    ("LogSoftmax", {"dim": 0}),
]
ACT_IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in ACTIVATIONS]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,kw", ACTIVATIONS, ids=ACT_IDS)
def test_activation_matches_torch(name, kw, dtype, torch):
    rng = np.random.default_rng(2)
    m, mt = _to_torch(torch, getattr(nn, name)(**kw), getattr(torch.nn, name)(**kw), dtype)
    x = rng.standard_normal((4, 3, 5)) * 3  # reaches softplus's threshold and the saturated ends
    _forward_backward(torch, m, mt, x, dtype, rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)], ids=["NC", "NCL"])
def test_prelu_matches_torch(shape, channels, dtype, torch):
    rng = np.random.default_rng(3)
    m = nn.PReLU(channels)
    _randomize(m, rng)
    m, mt = _to_torch(torch, m, torch.nn.PReLU(channels), dtype)
    _forward_backward(torch, m, mt, rng.standard_normal(shape), dtype, rng)


INPLACE = [("ReLU", {}), ("LeakyReLU", {"negative_slope": 0.2}), ("ELU", {"alpha": 0.7}), ("SiLU", {}),
           ("Dropout", {"p": 0.0})]


@pytest.mark.parametrize("name,kw", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_module_writes_input_and_backpropagates_like_torch(name, kw, torch):
    """inplace=True on a non-leaf: the input holds the result and backward works, as torch's."""
    x_np = np.random.default_rng(23).standard_normal((3, 4))
    x, xt = ember.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    h, ht = x * 2.0, xt * 2.0
    y, yt = getattr(nn, name)(inplace=True, **kw)(h), getattr(torch.nn, name)(inplace=True, **kw)(ht)
    _close(h, ht, "float64")  # the input now holds the result
    _close(y, yt, "float64")
    cot = np.linspace(-1, 1, 12).reshape(3, 4)
    yt.backward(torch.tensor(cot))
    y.backward(ember.tensor(cot))
    _close(x.grad, xt.grad, "float64")


@pytest.mark.parametrize("name,kw", INPLACE[:4], ids=[n for n, _ in INPLACE[:4]])
def test_inplace_module_returns_its_input(name, kw, torch):
    h = ember.tensor([-1.0, 2.0]) * 1.0
    assert getattr(nn, name)(inplace=True, **kw)(h) is h
    ht = torch.tensor([-1.0, 2.0]) * 1.0
    assert getattr(torch.nn, name)(inplace=True, **kw)(ht) is ht


@pytest.mark.parametrize("name", ["elu", "silu"])
def test_inplace_functional_backpropagates_like_torch(name, torch):
    x_np = np.array([-1.5, -0.2, 0.3, 2.0])
    x, xt = ember.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    y = getattr(F, name)(x * 1.0, inplace=True)
    yt = getattr(torch.nn.functional, name)(xt * 1.0, inplace=True)
    yt.sum().backward()
    y.sum().backward()
    _close(x.grad, xt.grad, "float64")


# ---- BatchNorm1d ---------------------------------------------------------------------------

BN_CONFIGS = [{}, {"momentum": None}, {"momentum": 0.3, "eps": 1e-3}, {"affine": False},
              {"track_running_stats": False}, {"affine": False, "track_running_stats": False, "momentum": None}]
BN_IDS = ["default", "cumulative", "momentum0.3", "no-affine", "no-tracking", "bare"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)], ids=["NC", "NCL"])
@pytest.mark.parametrize("config", BN_CONFIGS, ids=BN_IDS)
def test_batchnorm1d_matches_torch(config, shape, dtype, torch):
    rng = np.random.default_rng(4)
    m = nn.BatchNorm1d(3, **config)
    _randomize(m, rng, 0.5, 1.5)
    m, mt = _to_torch(torch, m, torch.nn.BatchNorm1d(3, **config), dtype)
    assert list(m.state_dict().keys()) == list(mt.state_dict().keys())
    m.train()
    mt.train()
    for step in range(4):  # several training steps: the running statistics accumulate
        _zero_grads(m, mt)
        x = rng.standard_normal(shape) * (step + 1) + step
        _forward_backward(torch, m, mt, x, dtype, rng)
        for name, buf in mt.state_dict().items():
            if name in ("weight", "bias"):
                continue
            mine = m.state_dict()[name]
            if name == "num_batches_tracked":
                assert mine.item() == buf.item() == step + 1
                assert mine.dtype == ember.int64
            else:
                _close(mine, buf, dtype)
    m.eval()
    mt.eval()
    assert not m.training
    _zero_grads(m, mt)
    before = {k: _np(v) for k, v in m.state_dict().items()}
    _forward_backward(torch, m, mt, rng.standard_normal(shape) * 2 + 1, dtype, rng)
    for k, v in m.state_dict().items():  # eval mode updates nothing
        np.testing.assert_array_equal(_np(v), before[k])


def test_batchnorm1d_cumulative_average_is_the_plain_mean(torch):
    """momentum=None: the running statistics are the equal-weight average over the batches."""
    rng = np.random.default_rng(5)
    m = nn.BatchNorm1d(2, momentum=None).double()
    batches = [rng.standard_normal((6, 2)) * (i + 1) + i for i in range(5)]
    for b in batches:
        m(ember.tensor(b))
    np.testing.assert_allclose(_np(m.running_mean), np.mean([b.mean(0) for b in batches], 0), rtol=1e-12)
    np.testing.assert_allclose(_np(m.running_var), np.mean([b.var(0, ddof=1) for b in batches], 0), rtol=1e-12)
    assert m.num_batches_tracked.item() == 5


# ---- LayerNorm -----------------------------------------------------------------------------

LN_CONFIGS = [((5,), {}), ((3, 5), {}), ((5,), {"elementwise_affine": False}), ((3, 5), {"bias": False}),
              ((5,), {"eps": 1e-2})]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("normalized_shape,kw", LN_CONFIGS, ids=["1dim", "2dims", "no-affine", "no-bias", "eps"])
def test_layernorm_matches_torch(normalized_shape, kw, dtype, torch):
    rng = np.random.default_rng(6)
    m = nn.LayerNorm(normalized_shape, **kw)
    _randomize(m, rng, 0.5, 1.5)
    m, mt = _to_torch(torch, m, torch.nn.LayerNorm(normalized_shape, **kw), dtype)
    assert list(m.state_dict().keys()) == list(mt.state_dict().keys())
    assert tuple(m.normalized_shape) == tuple(mt.normalized_shape)
    _forward_backward(torch, m, mt, rng.standard_normal((2, 4, 3, 5)) * 3 + 1, dtype, rng)
    _zero_grads(m, mt)
    _forward_backward(torch, m, mt, rng.standard_normal((3, 5)), dtype, rng)  # no leading dims beyond


# ---- Dropout -------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_training_statistics_and_gradient(p):
    ember.manual_seed(0)
    m = nn.Dropout(p)
    assert m.training
    x_np = np.random.default_rng(7).uniform(0.5, 1.5, 100_000)
    x = ember.tensor(x_np, requires_grad=True)
    y = m(x)
    y.backward(ember.ones_like(y))
    out, grad = _np(y), _np(x.grad)
    kept = out != 0
    assert abs((~kept).mean() - p) < 0.01  # ~6 standard deviations
    np.testing.assert_allclose(out[kept], x_np[kept] / (1 - p), rtol=1e-6)
    np.testing.assert_allclose(grad, kept / (1 - p), rtol=1e-6)
    # a fresh mask each call
    assert not np.array_equal(_np(m(ember.tensor(x_np))) != 0, kept)


def test_dropout_eval_and_edge_probabilities():
    x_np = np.random.default_rng(8).standard_normal((50, 40))
    m = nn.Dropout(0.5).eval()
    x = ember.tensor(x_np, requires_grad=True)
    y = m(x)
    np.testing.assert_array_equal(_np(y), x_np)
    y.backward(ember.ones_like(y))
    np.testing.assert_array_equal(_np(x.grad), np.ones_like(x_np))

    x = ember.tensor(x_np, requires_grad=True)
    y = nn.Dropout(0.0)(x)
    np.testing.assert_array_equal(_np(y), x_np)
    y.backward(ember.ones_like(y))
    np.testing.assert_array_equal(_np(x.grad), np.ones_like(x_np))

    x = ember.tensor(x_np, requires_grad=True)
    y = nn.Dropout(1.0)(x)
    assert np.all(_np(y) == 0) and not np.isnan(_np(y)).any()
    y.backward(ember.ones_like(y))
    np.testing.assert_array_equal(_np(x.grad), np.zeros_like(x_np))


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
def test_dropout_invalid_probability_raises(p, torch):
    with pytest.raises(ValueError, match="Dropout.*probability"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="probability"):
        F.dropout(ember.ones(3), p=p)
    if not math.isnan(p):  # torch lets NaN through; ember refuses it too
        with pytest.raises(ValueError):
            torch.nn.Dropout(p)


# ---- Embedding -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_matches_torch(padding_idx, dtype, torch):
    rng = np.random.default_rng(9)
    m = nn.Embedding(10, 4, padding_idx=padding_idx)
    mt = torch.nn.Embedding(10, 4, padding_idx=padding_idx)
    assert m.padding_idx == mt.padding_idx
    if padding_idx is not None:
        assert np.all(_np(m.weight)[mt.padding_idx] == 0)  # the padding row starts at zero
    m, mt = _to_torch(torch, m, mt, dtype)
    idx = np.array([[0, 2, 9, 2], [5, 9, 1, 2], [3, 3, 0, 7]])
    y, yt = m(ember.tensor(idx)), mt(torch.tensor(idx))
    _close(y, yt, dtype)
    cot = rng.standard_normal(tuple(yt.shape))
    (y * ember.tensor(cot, dtype=y.dtype)).sum().backward()
    (yt * torch.tensor(cot, dtype=yt.dtype)).sum().backward()
    _close(m.weight.grad, mt.weight.grad, dtype)
    if padding_idx is not None:
        assert np.all(_np(m.weight.grad)[mt.padding_idx] == 0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (0.5, 1.0), (2.0, 3.0)])
def test_embedding_max_norm_renormalizes_looked_up_rows_in_place(max_norm, norm_type, dtype, torch):
    rng = np.random.default_rng(10)
    m = nn.Embedding(8, 5, max_norm=max_norm, norm_type=norm_type)
    mt = torch.nn.Embedding(8, 5, max_norm=max_norm, norm_type=norm_type)
    m, mt = _to_torch(torch, m, mt, dtype)
    before = _np(m.weight)
    idx = np.array([1, 3, 3, 6, 0])
    y, yt = m(ember.tensor(idx)), mt(torch.tensor(idx))
    _close(y, yt, dtype)
    _close(m.weight, mt.weight, dtype)  # the same rows rescaled in place
    untouched = [r for r in range(8) if r not in idx]
    np.testing.assert_array_equal(_np(m.weight)[untouched], before[untouched])
    norms = np.linalg.norm(_np(m.weight)[idx], ord=norm_type, axis=1)
    assert np.all(norms <= max_norm * (1 + 1e-5))
    cot = rng.standard_normal(tuple(yt.shape))
    (y * ember.tensor(cot, dtype=y.dtype)).sum().backward()
    (yt * torch.tensor(cot, dtype=yt.dtype)).sum().backward()
    _close(m.weight.grad, mt.weight.grad, dtype)


def test_embedding_from_pretrained(torch):
    w = np.random.default_rng(11).standard_normal((6, 3))
    frozen = nn.Embedding.from_pretrained(ember.tensor(w))
    frozen_t = torch.nn.Embedding.from_pretrained(torch.tensor(w))
    assert frozen.weight.requires_grad is False and frozen_t.weight.requires_grad is False
    np.testing.assert_array_equal(_np(frozen.weight), w)
    idx = np.array([[5, 0], [2, 2]])
    y = frozen(ember.tensor(idx))
    assert not y.requires_grad
    np.testing.assert_array_equal(_np(y), frozen_t(torch.tensor(idx)).numpy())
    trainable = nn.Embedding.from_pretrained(ember.tensor(w), freeze=False, padding_idx=1)
    assert trainable.weight.requires_grad and trainable.padding_idx == 1
    y = trainable(ember.tensor(idx))
    y.sum().backward()
    expected = np.zeros_like(w)
    np.add.at(expected, idx.ravel(), 1.0)
    np.testing.assert_array_equal(_np(trainable.weight.grad), expected)


def test_embedding_index_shapes(torch):
    m = nn.Embedding(6, 4)
    mt = torch.nn.Embedding(6, 4)
    _to_torch(torch, m, mt, "float32")
    for idx in (np.array(3), np.array([], dtype=np.int64), np.arange(24).reshape(2, 3, 4) % 6):
        y, yt = m(ember.tensor(idx)), mt(torch.tensor(idx))
        assert tuple(y.shape) == tuple(yt.shape)
        _close(y, yt, "float32")


@pytest.mark.parametrize("make", [lambda d: nn.Linear(3, 2, dtype=d), lambda d: nn.BatchNorm1d(3, dtype=d),
                                  lambda d: nn.LayerNorm((2, 3), dtype=d), lambda d: nn.Embedding(4, 3, dtype=d),
                                  lambda d: nn.PReLU(3, dtype=d)],
                         ids=["linear", "batchnorm", "layernorm", "embedding", "prelu"])
def test_dtype_argument(make):
    for dtype in (ember.float32, ember.float64):
        m = make(dtype)
        for name, t in m.state_dict().items():
            assert t.dtype == (ember.int64 if name == "num_batches_tracked" else dtype), name


@pytest.mark.parametrize("module", ["LayerNorm", "BatchNorm1d"])
def test_normalization_float32_accuracy_with_large_offset(module, torch):
    """float32 inputs far from zero: a one-pass E[x^2] - E[x]^2 would lose every digit."""
    x = (np.random.default_rng(24).standard_normal((16, 8)) + 100).astype(np.float32)
    x64 = x.astype(np.float64)
    axis = -1 if module == "LayerNorm" else 0
    ref = (x64 - x64.mean(axis, keepdims=True)) / np.sqrt(x64.var(axis, keepdims=True) + 1e-5)
    y = _np(getattr(nn, module)(8)(ember.tensor(x)))
    yt = getattr(torch.nn, module)(8)(torch.tensor(x)).detach().numpy()
    assert np.abs(y - ref).max() <= max(1e-4, 2 * np.abs(yt - ref).max())


# ---- loss modules --------------------------------------------------------------------------

_R = np.random.default_rng(12)
_X = _R.standard_normal((6, 5))
_Y = _R.standard_normal((6, 5))
_P = _R.uniform(0.05, 0.95, (6, 5))
_B = (_R.random((6, 5)) < 0.5).astype(np.float64)
_W5 = _R.uniform(0.5, 2.0, 5)
_T = np.array([0, 4, 2, 2, 1, 3])
_T_IGN = np.array([0, -100, 2, 2, -100, 3])
_T_IGN3 = np.array([0, 3, 2, 3, 1, 4])
_PROBS = _R.dirichlet(np.ones(5), 6)
_X3 = _R.standard_normal((3, 5, 4))
_T3 = _R.integers(0, 5, (3, 4))

# (class name, ctor kwargs (arrays become tensors), input, target, target is class indices)
LOSSES = [
    ("MSELoss", {}, _X, _Y), ("L1Loss", {}, _X, _Y), ("HuberLoss", {}, _X * 2, _Y),
    ("HuberLoss", {"delta": 0.5}, _X, _Y), ("SmoothL1Loss", {}, _X * 2, _Y), ("SmoothL1Loss", {"beta": 0.3}, _X, _Y),
    ("BCELoss", {}, _P, _B), ("BCELoss", {"weight": _W5}, _P, _B),
    ("BCEWithLogitsLoss", {}, _X * 4, _B), ("BCEWithLogitsLoss", {"pos_weight": _W5 * 2}, _X * 4, _B),
    ("BCEWithLogitsLoss", {"weight": _W5, "pos_weight": _W5}, _X, _B),
    ("NLLLoss", {}, _X, _T), ("NLLLoss", {"weight": _W5}, _X, _T_IGN), ("NLLLoss", {"ignore_index": 3}, _X, _T_IGN3),
    ("NLLLoss", {"weight": _W5}, _X3, _T3),
    ("CrossEntropyLoss", {}, _X, _T), ("CrossEntropyLoss", {"weight": _W5}, _X, _T),
    ("CrossEntropyLoss", {"ignore_index": 3}, _X, _T_IGN3), ("CrossEntropyLoss", {"weight": _W5}, _X, _T_IGN),
    ("CrossEntropyLoss", {"label_smoothing": 0.1}, _X, _T),
    ("CrossEntropyLoss", {"weight": _W5, "label_smoothing": 0.2}, _X, _T_IGN),
    ("CrossEntropyLoss", {}, _X, _PROBS), ("CrossEntropyLoss", {"weight": _W5, "label_smoothing": 0.15}, _X, _PROBS),
    ("CrossEntropyLoss", {"label_smoothing": 0.05}, _X3, _T3),
]
LOSS_IDS = [f"{n}-{i}" for i, (n, *_rest) in enumerate(LOSSES)]


def _loss_case(lib, dtype, name, kw, reduction, x_np, t_np):
    dt = getattr(lib, dtype)
    conv = {k: (lib.tensor(v, dtype=dt) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    module = getattr(lib.nn, name)(reduction=reduction, **conv)
    x = lib.tensor(x_np, dtype=dt, requires_grad=True)
    target = lib.tensor(t_np) if t_np.dtype.kind == "i" else lib.tensor(t_np, dtype=dt)
    return module, x, module(x, target)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,kw,x_np,t_np", LOSSES, ids=LOSS_IDS)
def test_loss_module_matches_torch(name, kw, x_np, t_np, reduction, dtype, torch):
    m, x, loss = _loss_case(ember, dtype, name, kw, reduction, x_np, t_np)
    mt, xt, losst = _loss_case(torch, dtype, name, kw, reduction, x_np, t_np)
    assert tuple(loss.shape) == tuple(losst.shape)
    assert loss.dtype == getattr(ember, dtype)
    _close(loss, losst, dtype)
    cot = np.random.default_rng(13).standard_normal(tuple(losst.shape))
    loss.backward(ember.tensor(cot, dtype=loss.dtype))
    losst.backward(torch.tensor(cot, dtype=losst.dtype))
    _close(x.grad, xt.grad, dtype)
    # weights (class weights, pos_weight) are buffers, in state_dict as torch's
    sd, sdt = m.state_dict(), mt.state_dict()
    assert list(sd.keys()) == list(sdt.keys())
    for k in sd:
        _close(sd[k], sdt[k], dtype)
    assert list(dict(m.named_parameters())) == []
    assert m.reduction == mt.reduction == reduction


@pytest.mark.parametrize("name", ["MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "BCEWithLogitsLoss",
                                  "CrossEntropyLoss"])
def test_loss_module_target_gradient_matches_torch(name, torch):
    """Float targets can require grad too (torch differentiates these losses w.r.t. them)."""
    t_np = {"BCEWithLogitsLoss": _P, "CrossEntropyLoss": _PROBS}.get(name, _Y)
    x, t = ember.tensor(_X, requires_grad=True), ember.tensor(t_np, requires_grad=True)
    xt, tt = torch.tensor(_X, requires_grad=True), torch.tensor(t_np, requires_grad=True)
    getattr(nn, name)()(x, t).backward()
    getattr(torch.nn, name)()(xt, tt).backward()
    _close(t.grad, tt.grad, "float64")
    _close(x.grad, xt.grad, "float64")


@pytest.mark.filterwarnings("ignore:size_average and reduce args will be deprecated")
def test_loss_module_legacy_flags_and_load_state_dict(torch):
    assert nn.MSELoss(size_average=False).reduction == torch.nn.MSELoss(size_average=False).reduction == "sum"
    assert nn.L1Loss(reduce=False).reduction == torch.nn.L1Loss(reduce=False).reduction == "none"
    m = nn.CrossEntropyLoss(weight=ember.ones(5))
    m.load_state_dict({"weight": ember.tensor(_W5, dtype=ember.float32)})
    np.testing.assert_allclose(_np(m.weight), _W5, rtol=1e-6)
    mt = torch.nn.CrossEntropyLoss(weight=torch.ones(5))
    mt.load_state_dict({"weight": torch.from_numpy(_np(m.weight))})
    x, t = _X.astype(np.float32), _T
    np.testing.assert_allclose(_np(m(ember.tensor(x), ember.tensor(t))),
                               mt(torch.tensor(x), torch.tensor(t)).numpy(), rtol=1e-6)


# ---- ember-only: GaussianNoise, Sign, Perceptron ---------------------------------------------

@pytest.mark.parametrize("std", [0.1, 2.0])
def test_gaussian_noise(std):
    ember.manual_seed(1)
    x_np = np.random.default_rng(14).standard_normal(100_000)
    m = nn.GaussianNoise(std)
    assert m.training
    x = ember.tensor(x_np, requires_grad=True)
    y = m(x)
    noise = _np(y) - x_np
    assert abs(noise.std() / std - 1) < 0.02
    assert abs(noise.mean()) < 5 * std / math.sqrt(noise.size)
    y.backward(ember.ones_like(y))
    np.testing.assert_array_equal(_np(x.grad), np.ones_like(x_np))  # noise is additive
    m.eval()
    np.testing.assert_array_equal(_np(m(ember.tensor(x_np))), x_np)
    assert np.array_equal(_np(nn.GaussianNoise(0.0)(ember.tensor(x_np))), x_np)
    with pytest.raises(ValueError, match="GaussianNoise"):
        nn.GaussianNoise(-1.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sign(dtype, torch):
    x_np = np.array([-3.0, -1e-8, 0.0, 1e-8, 2.5, -0.0, 7.0])
    cot = np.linspace(-1, 1, x_np.size)
    for straight_through in (False, True):
        x = ember.tensor(x_np, dtype=getattr(ember, dtype), requires_grad=True)
        y = nn.Sign(straight_through=straight_through)(x)
        np.testing.assert_array_equal(_np(y), torch.sign(torch.tensor(x_np, dtype=getattr(torch, dtype))).numpy())
        assert y.dtype == x.dtype
        y.backward(ember.tensor(cot, dtype=y.dtype))
        expected = cot if straight_through else np.zeros_like(cot)
        np.testing.assert_allclose(_np(x.grad), expected, **TOL[dtype])
    assert nn.Sign().straight_through is False


def _separable(rng, n=200):
    x = rng.uniform(-3, 3, (4 * n, 2))
    margin = x @ np.array([1.0, -2.0]) + 0.5
    keep = np.abs(margin) > 0.2
    return x[keep][:n], np.where(margin[keep][:n] >= 0, 1.0, -1.0)


def test_perceptron_fits_linearly_separable_data():
    x, y = _separable(np.random.default_rng(15))
    p = nn.Perceptron(2)
    assert list(p.state_dict().keys()) == ["weight", "bias"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = p.fit(ember.tensor(x), ember.tensor(y), max_epochs=1000)
    assert r.converged is True and r.epochs >= 1 and r.mistakes[-1] == 0
    np.testing.assert_array_equal(_np(p(ember.tensor(x))), y)
    z = _np(p.decision_function(ember.tensor(x)))
    assert np.all(z * y > 0)
    sd = p.state_dict()
    np.testing.assert_array_equal(_np(sd["weight"]), _np(p.weight))
    assert tuple(sd["weight"].shape) == (2,) and tuple(sd["bias"].shape) == ()
    assert np.any(_np(p.weight) != 0)
    # the learned weights survive a round trip through state_dict
    q = nn.Perceptron(2)
    q.load_state_dict(sd)
    np.testing.assert_array_equal(_np(q(ember.tensor(x))), y)


def test_perceptron_accepts_zero_one_labels():
    x, y = _separable(np.random.default_rng(16))
    p = nn.Perceptron(2)
    r = p.fit(ember.tensor(x), ember.tensor((y > 0).astype(np.float64)), max_epochs=1000)
    assert r.converged
    np.testing.assert_array_equal(_np(p(ember.tensor(x))), y)  # predictions are -1 / +1


def test_perceptron_xor_does_not_converge():
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([-1.0, 1.0, 1.0, -1.0])
    p = nn.Perceptron(2)
    with pytest.warns(RuntimeWarning, match="linearly separable"):
        r = p.fit(ember.tensor(x), ember.tensor(y), max_epochs=50)
    assert r.converged is False and r.epochs == 50 and len(r.mistakes) == 50
    assert not np.array_equal(_np(p(ember.tensor(x))), y)


@pytest.mark.parametrize("labels", [[0.0, 1.0, 2.0, 1.0], [-1.0, 1.0, 0.5, 1.0], [-2.0, 1.0, 1.0, -1.0]])
def test_perceptron_bad_labels_raise(labels):
    with pytest.raises(ValueError, match="Perceptron.*labels"):
        nn.Perceptron(2).fit(ember.tensor(np.ones((4, 2))), ember.tensor(labels))


# ---- gradcheck -----------------------------------------------------------------------------

def _gradcheck_module(m, x_np):
    m.to(ember.float64)
    x = ember.tensor(x_np, dtype=ember.float64, requires_grad=True)
    params = tuple(m.parameters())
    assert ember.autograd.gradcheck(lambda x, *ps: m(x), (x,) + params)


GRADCHECK = [
    (lambda: nn.Linear(3, 2), (4, 3)), (lambda: nn.Linear(3, 2, bias=False), (2, 2, 3)),
    (lambda: nn.Sigmoid(), (2, 3)), (lambda: nn.Tanh(), (2, 3)), (lambda: nn.ReLU(), (2, 3)),
    (lambda: nn.LeakyReLU(0.1), (2, 3)), (lambda: nn.PReLU(), (2, 3)), (lambda: nn.PReLU(3), (2, 3, 2)),
    (lambda: nn.ELU(), (2, 3)), (lambda: nn.GELU(), (2, 3)), (lambda: nn.GELU("tanh"), (2, 3)),
    (lambda: nn.SiLU(), (2, 3)), (lambda: nn.Softplus(2.0, 3.0), (2, 3)), (lambda: nn.Softmax(1), (2, 3)),
    (lambda: nn.LogSoftmax(0), (2, 3)),
    (lambda: nn.BatchNorm1d(3), (4, 3)), (lambda: nn.BatchNorm1d(3), (2, 3, 3)),
    (lambda: nn.BatchNorm1d(3, affine=False, track_running_stats=False), (4, 3)),
    (lambda: nn.LayerNorm(3), (2, 3)), (lambda: nn.LayerNorm((2, 3)), (2, 2, 3)),
    (lambda: nn.LayerNorm(3, bias=False), (2, 3)),
]
GC_IDS = ["linear", "linear-nobias", "sigmoid", "tanh", "relu", "leakyrelu", "prelu1", "prelu3", "elu", "gelu",
          "gelu-tanh", "silu", "softplus", "softmax", "logsoftmax", "bn-NC", "bn-NCL", "bn-bare", "ln", "ln2",
          "ln-nobias"]


@pytest.mark.parametrize("make,shape", GRADCHECK, ids=GC_IDS)
def test_module_gradcheck(make, shape):
    rng = np.random.default_rng(17)
    m = make()
    _randomize(m, rng, 0.5, 1.5)
    x = rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)  # away from the kinks at 0
    _gradcheck_module(m, x)
    if isinstance(m, nn.BatchNorm1d) and m.track_running_stats:
        m.eval()
        _gradcheck_module(m, x)


def test_embedding_gradcheck():
    # (no padding_idx: its row's zero gradient is by design, not the derivative)
    m = nn.Embedding(5, 3).double()
    idx = ember.tensor([[0, 1, 4], [4, 2, 1]])
    assert ember.autograd.gradcheck(lambda w: m(idx), (m.weight,))


# ---- default initializations ---------------------------------------------------------------

def test_linear_default_init_is_torch_uniform(torch):
    ember.manual_seed(2)
    m = nn.Linear(1024, 256)
    bound = 1 / math.sqrt(1024)
    w, b = _np(m.weight), _np(m.bias)
    assert w.shape == (256, 1024) and b.shape == (256,) and w.dtype == np.float32
    for values in (w, b):
        assert np.all(np.abs(values) <= bound)
    # uniform(-bound, bound): mean 0, variance bound^2 / 3, reaching both ends
    assert abs(w.mean()) < 5 * bound / math.sqrt(3 * w.size)
    assert abs(w.var() / (bound ** 2 / 3) - 1) < 0.02
    assert w.max() > 0.999 * bound and w.min() < -0.999 * bound
    assert abs(b.mean()) < 5 * bound / math.sqrt(3 * b.size)
    assert abs(b.var() / (bound ** 2 / 3) - 1) < 0.25
    wt = torch.nn.Linear(1024, 256).weight.detach().numpy()
    assert abs(w.var() / wt.var() - 1) < 0.03
    assert abs(w.max() - wt.max()) < 1e-3 * bound
    # each layer draws afresh
    assert not np.array_equal(w, _np(nn.Linear(1024, 256).weight))


def test_embedding_default_init_is_standard_normal():
    ember.manual_seed(3)
    w = _np(nn.Embedding(1000, 64).weight)
    assert abs(w.mean()) < 5 / math.sqrt(w.size)
    assert abs(w.std() - 1) < 0.02
    assert abs(np.mean(np.abs(w) < 1) - 0.6827) < 0.01
    assert abs(np.mean(np.abs(w) < 2) - 0.9545) < 0.005


def test_other_default_inits_match_torch(torch):
    pairs = [(nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4)), (nn.PReLU(), torch.nn.PReLU()),
             (nn.PReLU(3, init=0.1), torch.nn.PReLU(3, init=0.1)), (nn.LayerNorm((2, 3)), torch.nn.LayerNorm((2, 3))),
             (nn.LayerNorm(3, bias=False), torch.nn.LayerNorm(3, bias=False))]
    for m, mt in pairs:
        sd, sdt = m.state_dict(), mt.state_dict()
        assert list(sd.keys()) == list(sdt.keys())
        for k in sd:
            np.testing.assert_array_equal(_np(sd[k]), sdt[k].numpy())
            assert _np(sd[k]).dtype == sdt[k].numpy().dtype, k
        for (n, p), (nt, pt) in zip(m.named_parameters(), mt.named_parameters()):
            assert n == nt and p.requires_grad == pt.requires_grad


# ---- functional forms ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_functional_linear(dtype, torch):
    rng = np.random.default_rng(18)
    x, w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4)), rng.standard_normal(5)
    E = lambda a: ember.tensor(a, dtype=getattr(ember, dtype))  # noqa: E731
    T = lambda a: torch.tensor(a, dtype=getattr(torch, dtype))  # noqa: E731
    _close(F.linear(E(x), E(w), E(b)), torch.nn.functional.linear(T(x), T(w), T(b)), dtype)
    _close(F.linear(E(x), E(w)), torch.nn.functional.linear(T(x), T(w)), dtype)
    _close(F.linear(E(x[0, 0]), E(w), E(b)), torch.nn.functional.linear(T(x[0, 0]), T(w), T(b)), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)], ids=["NC", "NCL"])
def test_functional_batch_norm(shape, training, dtype, torch):
    rng = np.random.default_rng(19)
    x, rm, rv = rng.standard_normal(shape) * 2 + 1, rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    w, b = rng.uniform(0.5, 1.5, 3), rng.standard_normal(3)
    E = lambda a, g=False: ember.tensor(a, dtype=getattr(ember, dtype), requires_grad=g)  # noqa: E731
    T = lambda a, g=False: torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=g)  # noqa: E731
    ins, ins_t = [E(x, True), E(rm), E(rv), E(w, True), E(b, True)], [T(x, True), T(rm), T(rv), T(w, True), T(b, True)]
    y = F.batch_norm(*ins, training=training, momentum=0.2, eps=1e-4)
    yt = torch.nn.functional.batch_norm(*ins_t, training=training, momentum=0.2, eps=1e-4)
    _close(y, yt, dtype)
    _close(ins[1], ins_t[1], dtype)  # running statistics updated in place (training) or left alone
    _close(ins[2], ins_t[2], dtype)
    cot = rng.standard_normal(shape)
    (y * E(cot)).sum().backward()
    (yt * T(cot)).sum().backward()
    for i in (0, 3, 4):
        _close(ins[i].grad, ins_t[i].grad, dtype)
    # no running statistics at all, no affine
    y = F.batch_norm(E(x), None, None, training=True)
    _close(y, torch.nn.functional.batch_norm(T(x), None, None, training=True), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_functional_layer_norm(dtype, torch):
    rng = np.random.default_rng(20)
    x, w, b = rng.standard_normal((2, 3, 4)) * 3, rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    E = lambda a: ember.tensor(a, dtype=getattr(ember, dtype))  # noqa: E731
    T = lambda a: torch.tensor(a, dtype=getattr(torch, dtype))  # noqa: E731
    _close(F.layer_norm(E(x), (3, 4), E(w), E(b), eps=1e-3),
           torch.nn.functional.layer_norm(T(x), (3, 4), T(w), T(b), eps=1e-3), dtype)
    _close(F.layer_norm(E(x), [4]), torch.nn.functional.layer_norm(T(x), [4]), dtype)


def test_functional_dropout(torch):
    x_np = np.random.default_rng(21).standard_normal((30, 30))
    for p in (0.0, 0.3, 0.9, 1.0):
        y = F.dropout(ember.tensor(x_np), p=p, training=False)
        np.testing.assert_array_equal(_np(y), torch.nn.functional.dropout(torch.tensor(x_np), p, False).numpy())
        np.testing.assert_array_equal(_np(y), x_np)
    ember.manual_seed(4)
    y = _np(F.dropout(ember.tensor(x_np), p=0.3))
    kept = y != 0
    np.testing.assert_allclose(y[kept], x_np[kept] / 0.7, rtol=1e-12)
    assert 0.15 < 1 - kept.mean() < 0.45


@pytest.mark.parametrize("dtype", DTYPES)
def test_functional_embedding(dtype, torch):
    rng = np.random.default_rng(22)
    w = rng.standard_normal((7, 3))
    idx = np.array([[1, 6, 0], [6, 6, 2]])
    E, T = ember.tensor(w, dtype=getattr(ember, dtype)), torch.tensor(w, dtype=getattr(torch, dtype))
    _close(F.embedding(ember.tensor(idx), E), torch.nn.functional.embedding(torch.tensor(idx), T), dtype)
    _close(F.embedding(ember.tensor(idx), E, padding_idx=-1),
           torch.nn.functional.embedding(torch.tensor(idx), T, padding_idx=-1), dtype)
    y = F.embedding(ember.tensor(idx), E, max_norm=1.0)
    yt = torch.nn.functional.embedding(torch.tensor(idx), T, max_norm=1.0)
    _close(y, yt, dtype)
    _close(E, T, dtype)  # renormalized in place in both


# ---- bad inputs ----------------------------------------------------------------------------

def _bn_eval():
    return nn.BatchNorm1d(3).eval()


# A layer's bad call that module_db's row already makes (test_modules.py: the same call, exception and
# message fragment) is not repeated here.
BAD = [
    pytest.param(lambda: nn.BatchNorm1d(3)(ember.randn(1, 3)), ValueError,
                 r"BatchNorm1d.*expected more than 1 value per channel when training", id="bn-batch-of-1"),
    pytest.param(lambda: nn.BatchNorm1d(3)(ember.randn(1, 3, 1)), ValueError,
                 r"BatchNorm1d.*expected more than 1 value per channel when training", id="bn-batch-of-1-L1"),
    pytest.param(lambda: nn.BatchNorm1d(3, track_running_stats=False).eval()(ember.randn(1, 3)), ValueError,
                 r"more than 1 value per channel", id="bn-no-stats-eval-batch-of-1"),
    pytest.param(lambda: nn.BatchNorm1d(3)(ember.randn(4, 3, 2, 2)), ValueError, r"BatchNorm1d", id="bn-4d"),
    pytest.param(lambda: nn.Linear(3, 2)(ember.randn(4, 4)), ValueError, r"Linear.*in_features=3", id="linear-features"),
    pytest.param(lambda: nn.Linear(3, 2)(ember.randn(3, 4)), ValueError, r"Linear", id="linear-transposed"),
    pytest.param(lambda: nn.Embedding(5, 3)(ember.tensor([1.0, 2.0])), TypeError, r"(?i)embedding", id="emb-float"),
    pytest.param(lambda: nn.Embedding(5, 3)(ember.tensor([1, 5])), IndexError, None, id="emb-out-of-range"),
    pytest.param(lambda: nn.Embedding(5, 3)(ember.tensor([-1])), IndexError, None, id="emb-negative"),
    pytest.param(lambda: nn.Embedding(5, 3, padding_idx=5), ValueError, r"Embedding.*padding_idx", id="emb-padding"),
    pytest.param(lambda: nn.Embedding(5, 3, padding_idx=-6), ValueError, r"Embedding.*padding_idx", id="emb-padding-neg"),
    pytest.param(lambda: nn.LayerNorm(4)(ember.randn(4, 3)), ValueError, r"LayerNorm.*\(4, 3\)", id="ln-trailing"),
    pytest.param(lambda: nn.LayerNorm((3, 4))(ember.randn(2, 4, 3)), ValueError, r"LayerNorm", id="ln-2dims"),
    pytest.param(lambda: nn.LayerNorm((2, 3, 4))(ember.randn(3, 4)), ValueError, r"LayerNorm", id="ln-too-few-dims"),
    pytest.param(lambda: nn.GELU("fast"), ValueError, r"GELU.*approximate", id="gelu-approximate"),
    pytest.param(lambda: nn.Dropout(1.01), ValueError, r"Dropout", id="dropout-p"),
    pytest.param(lambda: nn.Perceptron(2)(ember.randn(3, 3)), ValueError, r"Perceptron", id="perceptron-features"),
    pytest.param(lambda: nn.Perceptron(2).fit(ember.randn(3, 2), ember.tensor([1.0, -1.0])), ValueError,
                 r"Perceptron", id="perceptron-label-count"),
    pytest.param(lambda: nn.CrossEntropyLoss()(ember.randn(4, 5)), Exception, None, id="loss-without-target"),
]


@pytest.mark.parametrize("fn,exc,match", BAD)
def test_bad_inputs_raise(fn, exc, match):
    with pytest.raises(exc, match=match):
        fn()


def test_bad_inputs_raise_like_torch(torch):
    """The same bad inputs make torch raise too (so ember's errors are not over-strict)."""
    for fn in (lambda: torch.nn.BatchNorm1d(3)(torch.randn(1, 3)),
               lambda: torch.nn.BatchNorm1d(3)(torch.randn(4, 4)),
               lambda: torch.nn.Linear(3, 2)(torch.randn(4, 4)),
               lambda: torch.nn.Embedding(5, 3)(torch.tensor([1.0, 2.0])),
               lambda: torch.nn.LayerNorm(4)(torch.randn(4, 3))):
        with pytest.raises((ValueError, TypeError, RuntimeError, IndexError)):
            fn()
    with pytest.raises(IndexError):
        torch.nn.Embedding(5, 3)(torch.tensor([1, 5]))


def test_failed_batchnorm_forward_leaves_running_stats(torch):
    """A batch of one raises before the running statistics move (num_batches_tracked as torch's)."""
    m, mt = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    with pytest.raises(ValueError):
        m(ember.randn(1, 3))
    with pytest.raises(ValueError):
        mt(torch.randn(1, 3))
    np.testing.assert_array_equal(_np(m.running_mean), np.zeros(3))
    np.testing.assert_array_equal(_np(m.running_var), np.ones(3))
    assert m.num_batches_tracked.item() == mt.num_batches_tracked.item()

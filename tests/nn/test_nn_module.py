"""ember.nn.Module's Python API against torch.nn.Module's: subclassing, traversal names and
order, state dicts, repr, train/eval, zero_grad, apply, dtype casts, attribute rules, the
containers (Sequential, ModuleList, ModuleDict), forward hooks, summary and layer errors.
Each comparison builds the same model in both libraries (``L`` is ember or torch)."""
import gc
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn

RNG = np.random.default_rng(11)


# ---- helpers -------------------------------------------------------------------------------

def _np(t):
    return np.array(t.detach().numpy(), copy=True)


def _to_torch(torch, m, mt):
    """torch's module takes ember's parameters and buffers."""
    mt.load_state_dict({k: torch.from_numpy(_np(v)) for k, v in m.state_dict().items()})


def _randomize(m):
    with ember.no_grad():
        for p in m.parameters():
            p.copy_(ember.tensor(RNG.uniform(-1, 1, tuple(p.shape)), dtype=p.dtype))


def _names(pairs):
    return [n for n, _ in pairs]


def _types(mods):
    return [type(m).__name__ for m in mods]


def _outcome(fn):
    """(exception type name, None) or ('ok', result) -- for comparing both libraries' behaviour."""
    try:
        return "ok", fn()
    except Exception as ex:  # noqa: BLE001
        return type(ex).__name__, None


def _make_net(L):
    N = L.nn

    class Net(N.Module):
        def __init__(self):
            super().__init__()
            self.fc = N.Linear(4, 3)
            self.scale = N.Parameter(L.ones(3))
            self.label = "net"  # a plain attribute
            self.factor = 2.0
            self.body = N.Sequential(N.Linear(3, 5), N.ReLU(), N.Linear(5, 2))
            self.bn = N.BatchNorm1d(2)
            self.register_buffer("steps", L.zeros(1))

        def forward(self, x):
            return self.bn(self.body(self.fc(x) * self.scale)) * self.factor

    return Net()


def _make_shared(L):
    N = L.nn

    class Shared(N.Module):
        def __init__(self):
            super().__init__()
            self.a = N.Linear(2, 2)
            self.b = self.a
            self.seq = N.Sequential(self.a, N.ReLU(), self.a)
            self.p = N.Parameter(L.ones(2))
            self.q = self.p

        def forward(self, x):
            return self.seq(x) * self.p

    return Shared()


# ---- 1. subclassing, traversal, parameters ---------------------------------------------------

def test_subclass_forward_matches_torch(torch):
    m, mt = _make_net(ember), _make_net(torch)
    _randomize(m)
    _to_torch(torch, m, mt)
    x = RNG.standard_normal((6, 4)).astype(np.float32)
    for _ in range(2):  # train mode: batch statistics, running stats updated
        np.testing.assert_allclose(_np(m(ember.tensor(x))), _np(mt(torch.tensor(x))), rtol=1e-5, atol=1e-5)
    for k, v in m.state_dict().items():
        np.testing.assert_allclose(_np(v), mt.state_dict()[k].numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    assert int(m.bn.num_batches_tracked.item()) == 2
    m.eval(), mt.eval()
    np.testing.assert_allclose(_np(m(ember.tensor(x))), _np(mt(torch.tensor(x))), rtol=1e-5, atol=1e-5)
    assert m.label == "net" and m.factor == 2.0


def test_subclass_traversal_names_match_torch(torch):
    m, mt = _make_net(ember), _make_net(torch)
    assert _names(m.named_parameters()) == _names(mt.named_parameters())
    assert _names(m.named_parameters()) == ["scale", "fc.weight", "fc.bias", "body.0.weight", "body.0.bias",
                                            "body.2.weight", "body.2.bias", "bn.weight", "bn.bias"]
    assert _names(m.named_buffers()) == _names(mt.named_buffers())
    assert _names(m.named_modules()) == _names(mt.named_modules()) == ["", "fc", "body", "body.0", "body.1",
                                                                       "body.2", "bn"]
    assert _names(m.named_children()) == _names(mt.named_children()) == ["fc", "body", "bn"]
    assert _types(m.children()) == _types(mt.children())
    assert _types(m.modules()) == _types(mt.modules())
    assert [tuple(p.shape) for p in m.parameters()] == [tuple(p.shape) for p in mt.parameters()]
    assert [tuple(b.shape) for b in m.buffers()] == [tuple(b.shape) for b in mt.buffers()]
    assert list(m.state_dict()) == list(mt.state_dict())
    assert list(m.state_dict())[-3:] == ["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]
    assert _names(m.named_parameters(prefix="net", recurse=False)) == \
        _names(mt.named_parameters(prefix="net", recurse=False)) == ["net.scale"]
    assert _names(m.body.named_modules(prefix="body")) == _names(mt.body.named_modules(prefix="body"))
    assert m.get_submodule("body.2") is m.body[2]
    assert m.get_parameter("body.0.bias") is m.body[0].bias


def test_state_dict_prefix_matches_torch(torch):
    m, mt = _make_net(ember), _make_net(torch)
    assert list(mt.state_dict(prefix="x."))[:2] == ["x.scale", "x.steps"]
    assert list(m.state_dict(prefix="x.")) == list(mt.state_dict(prefix="x."))


def test_parameter_identity_and_type():
    m = _make_net(ember)
    assert m.fc.weight is m.fc.weight
    assert m.scale is m.scale
    assert list(m.fc.parameters())[0] is m.fc.weight
    assert list(m.parameters())[0] is m.scale
    assert dict(m.named_parameters())["body.2.bias"] is m.body[2].bias
    assert m.state_dict(keep_vars=True)["fc.weight"] is m.fc.weight
    assert all(isinstance(p, nn.Parameter) and isinstance(p, ember.Tensor) for p in m.parameters())
    assert all(p.requires_grad and p.is_leaf for p in m.parameters())
    assert not any(isinstance(b, nn.Parameter) for b in m.buffers())
    sd = m.state_dict()
    assert not any(v.requires_grad for v in sd.values())
    assert nn.Parameter(ember.ones(2), requires_grad=False).requires_grad is False


def test_parameter_repr(torch):
    p, pt = nn.Parameter(ember.ones(3)), torch.nn.Parameter(torch.ones(3))
    assert repr(p).startswith("Parameter containing:\n")
    assert repr(p) == repr(pt).replace("torch.", "ember.")
    assert str(p) == str(pt)


def test_shared_modules_and_parameters_deduplicated(torch):
    m, mt = _make_shared(ember), _make_shared(torch)
    assert _names(m.named_parameters()) == _names(mt.named_parameters()) == ["p", "a.weight", "a.bias"]
    assert _names(m.named_parameters(remove_duplicate=False)) == _names(mt.named_parameters(remove_duplicate=False))
    assert len(_names(m.named_parameters(remove_duplicate=False))) == 10
    assert _names(m.named_modules()) == _names(mt.named_modules()) == ["", "a", "seq", "seq.1"]
    assert _names(m.named_modules(remove_duplicate=False)) == _names(mt.named_modules(remove_duplicate=False))
    assert len(list(m.parameters())) == len(list(mt.parameters())) == 3
    assert len(list(m.modules())) == len(list(mt.modules()))
    assert list(m.state_dict()) == list(mt.state_dict())  # state_dict lists every name
    assert m.b is m.a and m.seq[2] is m.a and m.q is m.p


def test_named_children_deduplicates_shared_child(torch):
    m, mt = _make_shared(ember), _make_shared(torch)
    assert _names(mt.named_children()) == ["a", "seq"]
    assert _names(m.named_children()) == _names(mt.named_children())
    assert len(list(m.children())) == len(list(mt.children())) == 2


# ---- 2. repr --------------------------------------------------------------------------------

def _nested(L):
    N = L.nn
    return N.Sequential(OrderedDict([
        ("stem", N.Sequential(N.Flatten(), N.Linear(784, 128), N.ReLU(inplace=True), N.Dropout(0.2))),
        ("blocks", N.ModuleList([N.Linear(128, 128) for _ in range(3)] + [N.GELU("tanh"), N.GELU("tanh")])),
        ("heads", N.ModuleDict({"cls": N.Sequential(N.Linear(128, 10), N.LogSoftmax(dim=1)),
                                "emb": N.Embedding(10, 4, padding_idx=0),
                                "acts": N.ModuleList([N.LeakyReLU(0.2), N.ELU(), N.Softmax(dim=1), N.PReLU(),
                                                      N.Identity(), N.Unflatten(1, (2, 5))])})),
        ("loss", N.CrossEntropyLoss()),
        ("empty", N.Sequential()),
    ]))


def test_nested_repr_matches_torch(torch):
    r, rt = repr(_nested(ember)), repr(_nested(torch))
    assert "(0-2): 3 x Linear(in_features=128, out_features=128, bias=True)" in r
    assert "(3-4): 2 x GELU(approximate='tanh')" in r
    assert r == rt.replace("torch.", "ember.")
    assert str(_nested(ember)) == r


def test_subclass_repr_matches_torch(torch):
    class Small(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = ember.nn.Linear(2, 3, bias=False)
            self.act = ember.nn.Sigmoid()

    class SmallT(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(2, 3, bias=False)
            self.act = torch.nn.Sigmoid()

    assert repr(Small()) == repr(SmallT()).replace("SmallT", "Small")


LAYERS = {
    "Linear": lambda L: L.nn.Linear(3, 2),
    "Linear-nobias": lambda L: L.nn.Linear(3, 2, bias=False),
    "ReLU-inplace": lambda L: L.nn.ReLU(inplace=True),
    "LeakyReLU": lambda L: L.nn.LeakyReLU(0.2),
    "LeakyReLU-10": lambda L: L.nn.LeakyReLU(10.0),
    "ELU": lambda L: L.nn.ELU(alpha=0.5),
    "ELU-10": lambda L: L.nn.ELU(alpha=10.0),
    "GELU": lambda L: L.nn.GELU(),
    "GELU-tanh": lambda L: L.nn.GELU("tanh"),
    "SiLU": lambda L: L.nn.SiLU(),
    "Sigmoid": lambda L: L.nn.Sigmoid(),
    "Tanh": lambda L: L.nn.Tanh(),
    "Softplus": lambda L: L.nn.Softplus(),
    "Softplus-args": lambda L: L.nn.Softplus(beta=2.0, threshold=10.0),
    "Softmax": lambda L: L.nn.Softmax(dim=1),
    "Softmax-none": lambda L: L.nn.Softmax(),
    "LogSoftmax": lambda L: L.nn.LogSoftmax(dim=-1),
    "PReLU": lambda L: L.nn.PReLU(3),
    "BatchNorm1d": lambda L: L.nn.BatchNorm1d(4),
    "BatchNorm1d-noaffine": lambda L: L.nn.BatchNorm1d(4, momentum=None, affine=False),
    "LayerNorm": lambda L: L.nn.LayerNorm((4,)),
    "LayerNorm-noaffine": lambda L: L.nn.LayerNorm([2, 3], eps=1e-6, elementwise_affine=False),
    "Dropout": lambda L: L.nn.Dropout(0.3),
    "Embedding": lambda L: L.nn.Embedding(10, 3, padding_idx=0),
    "Embedding-maxnorm": lambda L: L.nn.Embedding(10, 3, max_norm=1.0),
    "Flatten": lambda L: L.nn.Flatten(),
    "Flatten-args": lambda L: L.nn.Flatten(0, 2),
    "Unflatten": lambda L: L.nn.Unflatten(1, (2, 3)),
    "Identity": lambda L: L.nn.Identity(),
    "MSELoss": lambda L: L.nn.MSELoss(reduction="sum"),
    "L1Loss": lambda L: L.nn.L1Loss(),
    "HuberLoss": lambda L: L.nn.HuberLoss(delta=0.5),
    "SmoothL1Loss": lambda L: L.nn.SmoothL1Loss(),
    "BCELoss": lambda L: L.nn.BCELoss(),
    "BCEWithLogitsLoss": lambda L: L.nn.BCEWithLogitsLoss(),
    "NLLLoss": lambda L: L.nn.NLLLoss(),
    "CrossEntropyLoss": lambda L: L.nn.CrossEntropyLoss(label_smoothing=0.1),
    "ModuleDict": lambda L: L.nn.ModuleDict({"a": L.nn.Linear(1, 2), "b": L.nn.ReLU()}),
    "ModuleList-groups": lambda L: L.nn.ModuleList([L.nn.ReLU(), L.nn.ReLU(), L.nn.Linear(1, 1),
                                                    L.nn.Linear(1, 1), L.nn.Linear(1, 2)]),
    "ModuleList-empty": lambda L: L.nn.ModuleList(),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_repr_matches_torch(name, torch):
    assert repr(LAYERS[name](ember)) == repr(LAYERS[name](torch)).replace("torch.", "ember.")


# ---- 3. train / eval, zero_grad, apply, dtype --------------------------------------------------

def test_train_eval_propagate():
    log = []

    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(1, 1)

        def train(self, mode=True):
            log.append(mode)
            return super().train(mode)

        def forward(self, x):
            return self.fc(x)

    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.BatchNorm1d(2)), Custom())
    assert all(x.training for x in m.modules())
    assert m.eval() is m
    assert not any(x.training for x in m.modules())
    assert m.train() is m
    assert all(x.training for x in m.modules())
    assert m.train(False) is m and not m[1][0].training and not m[2].fc.training
    assert log == [False, True, False]  # the Python override is what the parent calls
    m[1].train()
    assert [x.training for x in m.modules()] == [False, False, True, True, True, False, False]
    m.training = True  # the attribute: this module only
    assert m.training and not m[0].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train("x")
    with pytest.raises(ValueError):
        m.train(1)


def test_zero_grad_matches_torch(torch):
    def run(L, set_to_none):
        m = L.nn.Sequential(L.nn.Linear(2, 3), L.nn.Linear(3, 1))
        m(L.ones(4, 2)).sum().backward()
        assert all(p.grad is not None for p in m.parameters())
        m.zero_grad(set_to_none=set_to_none)
        return [None if p.grad is None else p.grad.tolist() for p in m.parameters()]

    for stn in (True, False):
        assert run(ember, stn) == run(torch, stn)
    m = nn.Linear(2, 1)
    m(ember.ones(1, 2)).sum().backward()
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None


def test_apply_order_matches_torch(torch):
    def run(L):
        N = L.nn
        m = N.Sequential(N.Linear(1, 1), N.Sequential(N.ReLU(), N.Tanh()), N.ModuleDict({"x": N.Sigmoid()}))
        seen = []
        assert m.apply(lambda mod: seen.append(type(mod).__name__)) is m
        return seen

    assert run(ember) == run(torch) == ["Linear", "ReLU", "Tanh", "Sequential", "Sigmoid", "ModuleDict",
                                        "Sequential"]

    m = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 1))

    def init(mod):
        if isinstance(mod, nn.Linear):
            nn.init.constant_(mod.weight, 0.5)

    m.apply(init)
    assert all((p == 0.5).all().item() for n, p in m.named_parameters() if n.endswith("weight"))


def test_to_double_keeps_identity_and_converts(torch):
    def run(L):
        m = L.nn.Sequential(L.nn.Linear(2, 1), L.nn.BatchNorm1d(1))
        w, rm, nbt = m[0].weight, m[1].running_mean, m[1].num_batches_tracked
        m(L.ones(3, 2)).sum().backward()
        assert m.to(L.float64) is m
        out = [m[0].weight is w, w.dtype == L.float64, w.grad.dtype == L.float64, m[0].bias.dtype == L.float64,
               m[1].running_mean.dtype == L.float64, m[1].num_batches_tracked.dtype == L.int64,
               list(m.parameters())[0] is w, w.is_leaf, w.requires_grad]
        assert m.float() is m
        out += [m[0].weight is w, w.dtype == L.float32, m[1].num_batches_tracked.dtype == L.int64]
        assert m.double() is m
        out += [w.dtype == L.float64, m(L.ones(3, 2, dtype=L.float64)).dtype == L.float64]
        del rm, nbt
        return out

    assert run(ember) == run(torch)
    assert all(run(ember))
    m = nn.Linear(2, 1)
    assert m.to(ember.zeros(1, dtype=ember.float64)) is m and m.weight.dtype == ember.float64
    assert m.to("cpu") is m and m.to(dtype=ember.float32).weight.dtype == ember.float32
    with pytest.raises(TypeError):
        m.to(ember.int64)
    with pytest.raises(TypeError):
        torch.nn.Linear(2, 1).to(torch.int64)


def test_requires_grad_(torch):
    for L in (ember, torch):
        m = L.nn.Sequential(L.nn.Linear(2, 2), L.nn.BatchNorm1d(2))
        assert m.requires_grad_(False) is m
        assert not any(p.requires_grad for p in m.parameters())
        assert m(L.ones(3, 2)).requires_grad is False
        m.requires_grad_()
        assert all(p.requires_grad for p in m.parameters())


# ---- 4. load_state_dict, save / load ---------------------------------------------------------

def _mk(L):
    return L.nn.Sequential(L.nn.Linear(2, 3), L.nn.BatchNorm1d(3))


def test_load_state_dict_round_trip():
    a, b = _make_net(ember), _make_net(ember)
    _randomize(a)
    a(ember.randn(5, 4))  # running stats move
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    for k, v in a.state_dict().items():
        np.testing.assert_array_equal(_np(v), _np(b.state_dict()[k]), err_msg=k)
    w = b.fc.weight
    b.load_state_dict(_make_net(ember).state_dict())
    assert b.fc.weight is w  # copied in place
    x = ember.randn(3, 4)
    a.eval(), b.eval()
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(_np(a(x)), _np(b(x)))


def test_load_state_dict_all_keys_matched_repr(torch):
    r, rt = _mk(ember).load_state_dict(_mk(ember).state_dict()), _mk(torch).load_state_dict(_mk(torch).state_dict())
    assert repr(r) == repr(rt) == "<All keys matched successfully>"
    assert tuple(r) == ([], [])


def _broken(L, what):
    sd = OrderedDict((k, v.clone()) for k, v in _mk(L).state_dict().items())
    if what in ("missing", "both"):
        del sd["0.bias"]
        del sd["1.running_var"]
    if what in ("unexpected", "both"):
        sd["extra"] = L.ones(1)
        sd["1.other"] = L.ones(1)
    if what == "size":
        sd["0.weight"] = L.ones(4, 2)
    return sd


@pytest.mark.parametrize("what,phrases", [
    ("missing", ['Missing key(s) in state_dict: "0.bias", "1.running_var". ']),
    ("unexpected", ['Unexpected key(s) in state_dict: "extra", "1.other". ']),
    ("both", ["Missing key(s) in state_dict", "Unexpected key(s) in state_dict"]),
    ("size", ["size mismatch for 0.weight: copying a param with shape", "[4, 2]", "[3, 2]"]),
])
def test_load_state_dict_strict_errors(what, phrases, torch):
    with pytest.raises(RuntimeError) as et:
        _mk(torch).load_state_dict(_broken(torch, what))
    m = _mk(ember)
    before = {k: _np(v) for k, v in m.state_dict().items()}
    sd = _broken(ember, what)
    with ember.no_grad():
        for k, v in sd.items():
            if v.is_floating_point():
                v.add_(7.0)
    with pytest.raises(RuntimeError) as e:
        m.load_state_dict(sd)
    msg = str(e.value)
    assert msg.startswith("Error(s) in loading state_dict for Sequential:")
    for phrase in phrases:
        assert phrase in msg and phrase in str(et.value)
    for k, v in m.state_dict().items():  # nothing copied
        np.testing.assert_array_equal(_np(v), before[k], err_msg=k)


@pytest.mark.parametrize("what", ["missing", "unexpected", "both"])
def test_load_state_dict_non_strict_matches_torch(what, torch):
    r = _mk(ember).load_state_dict(_broken(ember, what), strict=False)
    rt = _mk(torch).load_state_dict(_broken(torch, what), strict=False)
    assert r.missing_keys == rt.missing_keys and r.unexpected_keys == rt.unexpected_keys
    assert repr(r) == repr(rt)
    m = _mk(ember)
    sd = _broken(ember, what)
    m.load_state_dict(sd, strict=False)
    np.testing.assert_array_equal(_np(m[0].weight), _np(sd["0.weight"]))  # the matching keys are copied
    with pytest.raises(RuntimeError, match="size mismatch for 0.weight"):
        _mk(ember).load_state_dict(_broken(ember, "size"), strict=False)


def test_torch_state_dict_loads_into_ember(torch):
    mt, m = _make_net(torch), _make_net(ember)
    x = RNG.standard_normal((6, 4)).astype(np.float32)
    mt(torch.tensor(x))  # running stats
    mt.eval(), m.eval()
    m.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in mt.state_dict().items()})
    np.testing.assert_allclose(_np(m(ember.tensor(x))), mt(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert int(m.bn.num_batches_tracked.item()) == 1
    assert m.bn.num_batches_tracked.dtype == ember.int64


def test_save_load_state_dict_round_trip(tmp_path):
    a = _make_net(ember)
    _randomize(a)
    a(ember.randn(5, 4))
    path = tmp_path / "net.safetensors"
    ember.save(a.state_dict(), str(path))
    sd = ember.load(str(path))
    assert list(sd) == list(a.state_dict())
    b = _make_net(ember)
    assert repr(b.load_state_dict(sd)) == "<All keys matched successfully>"
    a.eval(), b.eval()
    x = ember.randn(3, 4)
    np.testing.assert_array_equal(_np(a(x)), _np(b(x)))
    assert b.bn.num_batches_tracked.dtype == ember.int64 and int(b.bn.num_batches_tracked.item()) == 1


# ---- 5. attribute rules --------------------------------------------------------------------

def test_assign_plain_tensor_to_parameter_raises(torch):
    for L in (ember, torch):
        m = L.nn.Linear(2, 2)
        with pytest.raises(TypeError, match="cannot assign .* as parameter 'weight'"):
            m.weight = L.ones(2, 2)
        assert isinstance(m.weight, L.nn.Parameter) and tuple(m.weight.shape) == (2, 2)
        p = L.nn.Parameter(L.zeros(2, 2))
        m.weight = p
        assert m.weight is p and list(m.parameters())[0] is p
        assert m(L.ones(1, 2)).tolist() == [m.bias.tolist()]  # forward reads the new parameter


def test_set_bias_none_and_del(torch):
    def run(L):
        m = L.nn.Linear(2, 2)
        m.bias = None
        r = [_names(m.named_parameters()), list(m.state_dict()), m.bias is None, tuple(m(L.ones(1, 2)).shape)]
        del m.weight
        r += [_names(m.named_parameters()), hasattr(m, "weight")]
        with pytest.raises(AttributeError):
            m.weight
        return r

    assert run(ember) == run(torch) == [["weight"], ["weight"], True, (1, 2), [], False]


def test_child_none_and_buffer_assign(torch):
    def run(L):
        N = L.nn

        class M(N.Module):
            def __init__(self):
                super().__init__()
                self.a = N.Linear(1, 1)
                self.b = N.ReLU()
                self.register_buffer("buf", L.zeros(2))

        m = M()
        m.a = None
        with pytest.raises(TypeError):
            m.b = 3
        m.buf = L.ones(2)
        r = [_names(m.named_children()), list(m.state_dict()), m.a is None, m.buf.tolist(), m.state_dict()["buf"].tolist()]
        m.buf = None
        r.append(list(m.state_dict()))
        return r

    assert run(ember) == run(torch)


def test_assign_module_over_parameter_raises(torch):
    for L in (torch, ember):
        m = L.nn.Linear(1, 1)
        with pytest.raises(TypeError, match="as parameter 'weight'"):
            m.weight = L.nn.ReLU()
        assert _names(m.named_parameters()) == ["weight", "bias"] and _names(m.named_children()) == []


def test_dir_lists_registered_names(torch):
    for L in (torch, ember):
        m = L.nn.Sequential(L.nn.BatchNorm1d(2))
        assert {"forward", "training"} <= set(dir(m)) and "0" not in dir(m)  # not an identifier
        assert {"weight", "bias", "running_mean", "num_features"} <= set(dir(m[0]))


@pytest.mark.parametrize("name", ["a.b", "", "forward", "training", "existing_attr"])
@pytest.mark.parametrize("kind", ["register_parameter", "register_buffer", "add_module"])
def test_register_name_errors(kind, name, torch):
    for L in (ember, torch):
        m = L.nn.Linear(1, 1)
        m.existing_attr = 3
        value = {"register_parameter": L.nn.Parameter(L.ones(1)), "register_buffer": L.ones(1),
                 "add_module": L.nn.ReLU()}[kind]
        with pytest.raises(KeyError):
            getattr(m, kind)(name, value)


@pytest.mark.parametrize("kind", ["register_buffer", "add_module"])
def test_register_clash_with_parameter(kind, torch):
    for L in (ember, torch):
        m = L.nn.Linear(1, 1)
        value = L.ones(1) if kind == "register_buffer" else L.nn.ReLU()
        with pytest.raises(KeyError, match="attribute 'weight' already exists"):
            getattr(m, kind)("weight", value)


def test_register_type_errors(torch):
    for L in (ember, torch):
        m = L.nn.Linear(1, 1)
        with pytest.raises(TypeError):
            m.register_parameter("x", L.ones(1))
        with pytest.raises(TypeError):
            m.register_parameter(1, None)
        with pytest.raises(TypeError):
            m.register_buffer("x", 3)
        with pytest.raises(TypeError):
            m.add_module("x", 3)


def test_register_buffer_and_parameter(torch):
    def run(L):
        m = L.nn.Linear(2, 1)
        m.register_buffer("persist", L.ones(2))
        m.register_buffer("scratch", L.zeros(2), persistent=False)
        m.register_parameter("extra", L.nn.Parameter(L.ones(3)))
        m.register_parameter("empty", None)
        m.add_module("act", L.nn.ReLU())
        return (_names(m.named_buffers()), list(m.state_dict()), _names(m.named_parameters()), m.empty,
                _names(m.named_children()), type(m.act).__name__)

    assert run(ember) == run(torch)
    m = nn.Linear(2, 1)
    m.register_buffer("scratch", ember.zeros(2), persistent=False)
    assert "scratch" not in m.state_dict()
    assert m.load_state_dict(nn.Linear(2, 1).state_dict()).missing_keys == []


def test_assign_before_init_raises(torch):
    for L in (ember, torch):
        class EarlyModule(L.nn.Module):
            def __init__(self):
                self.fc = L.nn.Linear(1, 1)
                super().__init__()

        class EarlyParam(L.nn.Module):
            def __init__(self):
                self.p = L.nn.Parameter(L.ones(1))
                super().__init__()

        with pytest.raises(AttributeError, match=r"cannot assign module before Module.__init__\(\) call"):
            EarlyModule()
        with pytest.raises(AttributeError, match=r"cannot assign parameters before Module.__init__\(\) call"):
            EarlyParam()


def test_missing_forward_raises(torch):
    for L in (ember, torch):
        class NoForward(L.nn.Module):
            pass

        with pytest.raises(NotImplementedError, match='Module \\[NoForward\\] is missing the required "forward"'):
            NoForward()(L.ones(1))


def test_getattr_missing(torch):
    for L in (ember, torch):
        with pytest.raises(AttributeError, match="'Linear' object has no attribute 'foo'"):
            L.nn.Linear(1, 1).foo
        assert not hasattr(L.nn.Linear(1, 1), "foo")
        assert getattr(L.nn.Linear(1, 1), "foo", 5) == 5


def test_plain_attributes_are_not_registered(torch):
    def run(L):
        class M(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.k = 3
                self.t = L.ones(1)  # a plain tensor is an attribute, not a buffer
                self.lst = [L.nn.Linear(1, 1)]  # a list of modules is not registered

        m = M()
        return m.k, _names(m.named_buffers()), list(m.state_dict()), _names(m.named_modules()), len(m.lst)

    assert run(ember) == run(torch)


# ---- 6. containers ---------------------------------------------------------------------------

def _seq_ops(L):
    N = L.nn
    s = N.Sequential(N.Linear(1, 1), N.ReLU(), N.Tanh())
    r = [len(s), type(s[-1]).__name__, s[-3] is s[0], type(s[1:]).__name__, _types(s[1:]), _types(s[::-1]),
         [type(c).__name__ for c in iter(s)]]
    assert s.append(N.Sigmoid()) is s
    r.append((_names(s.named_children()), _types(s)))
    s.insert(1, N.Identity())
    r.append((_names(s.named_children()), _types(s)))
    s.insert(-1, N.SiLU())
    r.append(_types(s))
    s.extend([N.ELU(), N.GELU()])
    r.append((_names(s.named_children()), _types(s)))
    p = s.pop(2)
    r.append((type(p).__name__, _names(s.named_children()), _types(s)))
    r.append(type(s.pop(-1)).__name__)
    del s[0]
    r.append((_names(s.named_children()), _types(s)))
    del s[-1]
    s[0] = N.Linear(1, 1)
    s[-1] = N.Softplus()
    r.append((_types(s), list(s.state_dict())))
    del s[1:3]
    r.append((_names(s.named_children()), _types(s)))
    return r


def test_sequential_ops_match_torch(torch):
    assert _seq_ops(ember) == _seq_ops(torch)


def test_sequential_forward_and_slice_forward(torch):
    m = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Sigmoid())
    _randomize(m)
    mt = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2), torch.nn.Sigmoid())
    _to_torch(torch, m, mt)
    x = RNG.standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(_np(m(ember.tensor(x))), _np(mt(torch.tensor(x))), rtol=1e-6, atol=1e-6)
    head = m[:2]
    assert isinstance(head, nn.Sequential) and head[0] is m[0]
    np.testing.assert_allclose(_np(head(ember.tensor(x))), _np(mt[:2](torch.tensor(x))), rtol=1e-6, atol=1e-6)


def test_sequential_slice_keeps_names(torch):
    def run(L):
        s = L.nn.Sequential(L.nn.ReLU(), L.nn.Linear(1, 1), L.nn.Tanh(), L.nn.Linear(1, 1))
        return _names(s[1:].named_children()), list(s[1:].state_dict()), _names(s[::2].named_children())

    assert run(ember) == run(torch) == (["1", "2", "3"], ["1.weight", "1.bias", "3.weight", "3.bias"], ["0", "2"])


def test_sequential_ordereddict(torch):
    def run(L):
        s = L.nn.Sequential(OrderedDict([("fc", L.nn.Linear(1, 2)), ("act", L.nn.Tanh()), ("out", L.nn.ReLU())]))
        r = [_names(s.named_children()), type(s.fc).__name__, s[0] is s.fc, s[-1] is s.out,
             list(s.state_dict()), repr(s).replace("torch.", "ember.")]
        s.append(L.nn.ReLU())
        r.append(_names(s.named_children()))
        del s[0]
        r.append(_names(s.named_children()))
        return r

    assert run(ember) == run(torch)


def test_container_index_errors(torch):
    for L in (ember, torch):
        s = L.nn.Sequential(L.nn.ReLU())
        with pytest.raises(IndexError, match="index 5 is out of range"):
            s[5]
        with pytest.raises(IndexError):
            s[-2]
        with pytest.raises(IndexError):
            L.nn.ModuleList([L.nn.ReLU()])[3]
        with pytest.raises(TypeError):
            L.nn.Sequential(L.nn.ReLU(), 3)
        with pytest.raises(TypeError):
            L.nn.ModuleList([L.nn.ReLU()]).append(3)


def _ml_ops(L):
    N = L.nn
    m = N.ModuleList([N.ReLU(), N.Tanh()])
    assert m.append(N.Sigmoid()) is m
    m += [N.ELU()]
    m.insert(0, N.Identity())
    assert m.extend([N.GELU()]) is m
    r = [_names(m.named_children()), _types(m), len(m), type(m[-1]).__name__, m[-6] is m[0]]
    p = m.pop(1)
    r.append((type(p).__name__, _names(m.named_children())))
    del m[0]
    r.append((_names(m.named_children()), _types(m)))
    m[0] = N.Linear(1, 1)
    r.append((list(m.state_dict()), _types(m)))
    del m[-2:]
    r.append(_types(m))
    r.append(_types(N.ModuleList()))
    return r


def test_modulelist_ops_match_torch(torch):
    assert _ml_ops(ember) == _ml_ops(torch)


def test_modulelist_slice(torch):
    def run(L):
        m = L.nn.ModuleList([L.nn.ReLU(), L.nn.Tanh(), L.nn.ELU()])
        part = m[1:]
        return type(part).__name__, _names(part.named_children()), _types(part), part[0] is m[1]

    assert run(ember) == run(torch) == ("ModuleList", ["0", "1"], ["Tanh", "ELU"], True)


def _md_ops(L):
    N = L.nn
    d = N.ModuleDict({"a": N.ReLU(), "b": N.Linear(1, 2)})
    d["c"] = N.Tanh()
    d.update({"d": N.ELU(), "a": N.GELU()})
    d.update([("e", N.Sigmoid())])
    d.update(OrderedDict([("f", N.SiLU())]))
    r = [list(d.keys()), _types(d.values()), [(k, type(v).__name__) for k, v in d.items()], "a" in d, "z" in d,
         len(d), list(iter(d)), type(d.a).__name__, d["b"] is d.b, list(d.state_dict())]
    p = d.pop("b")
    r.append((type(p).__name__, list(d.keys())))
    del d["c"]
    r.append(list(d.keys()))
    d.clear()
    r.append(len(d))
    r.append(len(N.ModuleDict(OrderedDict([("x", N.ReLU())]))))
    return r


def test_moduledict_ops_match_torch(torch):
    assert _md_ops(ember) == _md_ops(torch)


def test_moduledict_missing_key_error(torch):
    for L in (torch, ember):
        d = L.nn.ModuleDict({"a": L.nn.ReLU()})
        with pytest.raises(KeyError) as e:
            d["x"]
        assert e.value.args == ("x",)
        with pytest.raises(KeyError) as e:
            d.pop("x")
        assert e.value.args == ("x",)


def test_python_module_inside_sequential_survives_gc():
    class Scale(nn.Module):
        def __init__(self, k):
            super().__init__()
            self.k = k
            self.p = nn.Parameter(ember.ones(1))

        def forward(self, x):
            return x * self.k * self.p

    s = nn.Sequential(nn.Identity(), Scale(2.0))
    s.append(Scale(3.0))
    lst = nn.ModuleList([Scale(5.0)])
    d = nn.ModuleDict({"x": Scale(7.0)})
    gc.collect()
    assert s(ember.ones(2)).tolist() == [6.0, 6.0]  # Python forwards called from C++
    assert type(s[1]).__name__ == "Scale" and isinstance(s[2], nn.Module)
    assert s[2].k == 3.0 and lst[0].k == 5.0 and d["x"].k == 7.0
    assert _names(s.named_parameters()) == ["1.p", "2.p"]
    assert "(1): Scale()" in repr(s)
    # gradient flows through the Python children
    s(ember.ones(2)).sum().backward()
    assert s[1].p.grad.tolist() == [12.0] and s[2].p.grad.tolist() == [12.0]


def test_child_attributes_persist():
    s = nn.Sequential(nn.Linear(1, 1), nn.ReLU())
    s[0].tag = 1
    s[1].note = "x"
    gc.collect()
    assert s[0].tag == 1 and s[1].note == "x"
    assert s[0] is s[0]
    hits = []
    s[1].register_forward_hook(lambda m, a, o: hits.append(1))
    gc.collect()
    s(ember.ones(1, 1))
    assert hits == [1]


# ---- 7. hooks ----------------------------------------------------------------------------------

def test_hooks_modify_and_order(torch):
    def run(L):
        log = []
        m = L.nn.Linear(2, 2)
        with L.no_grad():
            m.weight.copy_(L.eye(2))
            m.bias.zero_()
        h1 = m.register_forward_pre_hook(lambda mod, args: log.append("pre1"))
        h2 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        h3 = m.register_forward_pre_hook(lambda mod, args: log.append("pre0"), prepend=True)
        h4 = m.register_forward_hook(lambda mod, args, out: log.append(("post1", args[0].tolist())))
        h5 = m.register_forward_hook(lambda mod, args, out: out + 1)
        h6 = m.register_forward_hook(lambda mod, args, out: log.append("post0"), prepend=True)
        r = [m(L.ones(1, 2)).tolist(), list(log)]
        h2.remove()
        h5.remove()
        h5.remove()  # twice is fine
        log.clear()
        r += [m(L.ones(1, 2)).tolist(), list(log)]
        for h in (h1, h3, h4, h6):
            h.remove()
        log.clear()
        r += [m(L.ones(1, 2)).tolist(), log]
        single = L.nn.Identity()
        single.register_forward_pre_hook(lambda mod, args: args[0] * 3)  # a non-tuple becomes (x,)
        r.append(single(L.ones(1)).tolist())
        return r

    assert run(ember) == run(torch)
    assert run(ember)[:2] == [[[3.0, 3.0]], ["pre0", "pre1", "post0", ("post1", [[2.0, 2.0]])]]


def test_hooks_with_kwargs(torch):
    def run(L):
        class M(L.nn.Module):
            def forward(self, x, scale=1.0):
                return x * scale

        m, seen = M(), []

        def pre(mod, args, kwargs):
            seen.append(sorted(kwargs))
            return (args[0] + 1,), {"scale": 3.0}

        def post(mod, args, kwargs, out):
            seen.append((args[0].tolist(), kwargs["scale"]))
            return out - 1

        m.register_forward_pre_hook(pre, with_kwargs=True)
        m.register_forward_hook(post, with_kwargs=True)
        return m(L.ones(2), scale=5.0).tolist(), seen

    assert run(ember) == run(torch) == ([5.0, 5.0], [["scale"], ([2.0, 2.0], 3.0)])


def test_hooks_on_children_fire_in_torch_order(torch):
    def run(L):
        N = L.nn
        s = N.Sequential(N.Linear(2, 2), N.ReLU(), N.Sequential(N.Tanh(), N.Identity()))
        log = []
        for name, mod in s.named_modules():
            mod.register_forward_pre_hook(lambda m, a, name=name: log.append("pre:" + name))
            mod.register_forward_hook(lambda m, a, o, name=name: log.append("post:" + name))
        s(L.ones(1, 2))
        t = N.Sequential(N.Identity(), N.ReLU())
        t[0].register_forward_hook(lambda m, a, o: o - 10)  # a child's hook changes what the next gets
        return log, t(L.ones(2)).tolist()

    log, out = run(ember)
    assert (log, out) == run(torch)
    assert out == [0.0, 0.0] and log[:3] == ["pre:", "pre:0", "post:0"] and log[-1] == "post:"


def test_hook_handle_context_and_always_call(torch):
    def run(L):
        m, log = L.nn.Identity(), []
        with m.register_forward_hook(lambda *a: log.append("ctx")):
            m(L.ones(1))
        m(L.ones(1))

        class Boom(L.nn.Module):
            def forward(self, x):
                raise ValueError("boom")

        b = Boom()
        b.register_forward_hook(lambda mod, a, o: log.append(("always", o)), always_call=True)
        b.register_forward_hook(lambda mod, a, o: log.append("never"))
        with pytest.raises(ValueError, match="boom"):
            b(L.ones(1))
        return log

    assert run(ember) == run(torch) == ["ctx", ("always", None)]


# ---- 8. summary --------------------------------------------------------------------------------

def test_summary(torch):
    m = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10),
                      nn.BatchNorm1d(10))
    mt = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Dropout(0.2),
                             torch.nn.Linear(128, 10), torch.nn.BatchNorm1d(10))
    m[2].training = False  # a mixed state, restored as it was
    flags = [x.training for x in m.modules()]
    running = _np(m[5].running_mean)
    s = nn.summary(m, (4, 784))
    assert [x.training for x in m.modules()] == flags
    np.testing.assert_array_equal(_np(m[5].running_mean), running)  # ran in eval mode
    assert int(m[5].num_batches_tracked.item()) == 0
    assert s.total_params == sum(p.numel() for p in mt.parameters()) == 101790
    assert s.trainable_params == s.total_params
    assert [r[1] for r in s.rows] == ["Sequential", "Flatten", "Linear", "ReLU", "Dropout", "Linear", "BatchNorm1d"]
    assert [r[2] for r in s.rows] == ["(4, 10)", "(4, 784)", "(4, 128)", "(4, 128)", "(4, 128)", "(4, 10)",
                                      "(4, 10)"]
    assert [r[3] for r in s.rows] == [0, 0, 100480, 0, 0, 1290, 20]
    text = str(s)
    assert "Total params: 101,790" in text and "Non-trainable params: 0" in text and "1 (Linear)" in text
    m[1].requires_grad_(False)
    s2 = m.summary((2, 784))
    assert s2.total_params == 101790 and s2.trainable_params == 1310
    assert not any(h for x in m.modules() for h in (x.__dict__.get("_forward_hooks") or {}, ))  # hooks removed


# ---- 9. layer errors name the layer ----------------------------------------------------------

def test_layer_error_names_layer():
    with pytest.raises(ValueError) as e:
        nn.Linear(784, 10)(ember.randn(32, 100))
    assert "Linear(in_features=784, out_features=10): expected input (..., 784), got (32, 100)" in str(e.value)
    with pytest.raises(ValueError, match=r"Linear\(in_features=784, out_features=10\): expected input"):
        nn.Sequential(nn.Flatten(), nn.Linear(784, 10))(ember.randn(32, 100))


# ---- regressions from the code review ----------------------------------------------------------

def test_subclass_reaching_base_methods_through_helpers_does_not_loop():
    class L(nn.Linear):
        def forward(self, x):
            return self._base(x) * 2

        def _base(self, x):
            return super().forward(x)

        def extra_repr(self):
            return self._extra() + ", doubled"

        def _extra(self):
            return nn.Linear.extra_repr(self)

    m = L(2, 3)
    x = ember.ones(4, 2)
    assert ember.allclose(m(x), nn.Linear.forward(m, x) * 2)
    assert repr(m) == "L(in_features=2, out_features=3, bias=True, doubled)"


def test_container_children_are_never_stale():
    d = nn.ModuleDict()
    d.a = nn.Linear(1, 1)
    d["a"] = nn.ReLU()
    assert isinstance(d.a, nn.ReLU)
    del d["a"]
    with pytest.raises(AttributeError):
        d.a
    s = nn.Sequential()
    s.add_module("fc", nn.Linear(1, 1))
    s[0] = nn.Tanh()
    assert isinstance(s.fc, nn.Tanh)


def test_sequential_passes_any_object_and_rejects_none_children(torch):
    class Split(nn.Module):
        def forward(self, x):
            return x, 2 * x

    class Pick(nn.Module):
        def forward(self, pair):
            return pair[1]

    assert ember.equal(nn.Sequential(Split(), Pick())(ember.ones(2)), ember.full((2,), 2.0))
    for L in (torch, ember):
        with pytest.raises(TypeError):
            L.nn.Sequential(OrderedDict([("a", None)]))(L.ones(2))


@pytest.mark.parametrize("v", [2.0 ** -24, 2.0 ** -44, 20.0, 1e-5, 0.1, 1e16, 1.5e20, 123.456, 5e-324, 1 / 3])
def test_float_arguments_print_as_python_repr(v):
    assert repr(nn.LeakyReLU(v)) == f"LeakyReLU(negative_slope={v!r})"


def test_batchnorm_empty_batch_passes_and_keeps_statistics(torch):
    for L in (torch, ember):
        bn = L.nn.BatchNorm1d(3)
        assert tuple(bn(L.zeros(0, 3)).shape) == (0, 3)
        assert L.equal(bn.running_mean, L.zeros(3)) and L.equal(bn.running_var, L.ones(3))

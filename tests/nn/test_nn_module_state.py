"""ember.nn.Module's state across its tree, against torch.nn.Module's: train / eval, zero_grad,
apply, dtype casts (.to, .float, .double), requires_grad_, and the state dict: load_state_dict
(strict and non-strict, error messages, a torch state dict loaded into ember) and save / load.
Each comparison builds the same model in both libraries (``L`` is ember or torch).

Split from test_nn_module.py (subclassing, traversal, registration rules, containers); the
helpers the three share are in nn_helpers.py."""
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn
from nn_helpers import RNG, _make_net, _np, _randomize


# ---- train / eval, zero_grad, apply, dtype --------------------------------------------------

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


# ---- load_state_dict, save / load ---------------------------------------------------------

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


# ---- tree walks: PyTorch's orders, with shared modules and overrides ---------------------------

def test_walks_over_a_shared_nested_tree_match_torch(torch):
    """Every walk (now iterative) in PyTorch's order on one tree: a module shared under two
    names, containers in containers, non-persistent buffers, a None child, a multi-line
    extra_repr and a Python __repr__ override below the top."""
    def build(L):
        class Lines(L.nn.Module):
            def extra_repr(self):
                return "first\nsecond"

        class Own(L.nn.Module):
            def __repr__(self):
                return "Own<\nmine>"

        shared = L.nn.Linear(2, 2)
        bn = L.nn.BatchNorm1d(2)
        bn.register_buffer("scratch", L.zeros(1), persistent=False)
        inner = L.nn.Sequential(shared, L.nn.ModuleList([L.nn.ReLU(), L.nn.ReLU(), Lines()]), bn)
        m = L.nn.Sequential(OrderedDict(a=inner, b=shared, c=L.nn.ModuleDict({"x": Own(), "y": L.nn.Tanh()})))
        m.register_module("none", None)
        m.c.y.register_buffer("t", L.ones(1))
        return m

    e, t = build(ember), build(torch)
    for dup in (True, False):
        assert [n for n, _ in e.named_modules(remove_duplicate=dup)] == \
               [n for n, _ in t.named_modules(remove_duplicate=dup)]
        assert [n for n, _ in e.named_modules(prefix="p", remove_duplicate=dup)] == \
               [n for n, _ in t.named_modules(prefix="p", remove_duplicate=dup)]
        assert [n for n, _ in e.named_parameters(remove_duplicate=dup)] == \
               [n for n, _ in t.named_parameters(remove_duplicate=dup)]
        assert [n for n, _ in e.named_buffers(remove_duplicate=dup)] == \
               [n for n, _ in t.named_buffers(remove_duplicate=dup)]
    assert [type(x).__name__ for x in e.modules()] == [type(x).__name__ for x in t.modules()]
    assert [tuple(p.shape) for p in e.parameters()] == [tuple(p.shape) for p in t.parameters()]
    assert len(list(e.buffers())) == len(list(t.buffers()))
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]
    assert list(e.state_dict()) == list(t.state_dict())
    assert repr(e) == repr(t)
    for L, m in ((ember, e), (torch, t)):
        order = []
        m.apply(lambda x, order=order: order.append(type(x).__name__))
        m.eval()
        flags = [x.training for x in m.modules()]
        m.a.train()
        flags += [x.training for x in m.modules()]
        if L is ember:
            e_order, e_flags = order, flags
        else:
            assert e_order == order and e_flags == flags
    e.load_state_dict(e.state_dict())


def test_a_python_train_override_deep_in_the_tree_is_what_its_parent_calls():
    calls = []

    class Quiet(nn.Module):
        """Keeps its subtree in training mode whatever the parent asks."""
        def __init__(self):
            super().__init__()
            self.inner = nn.Dropout()

        def train(self, mode=True):
            calls.append(mode)
            return super().train(True)

    m = nn.Sequential(nn.Sequential(nn.Sequential(Quiet(), nn.Dropout())))
    m.eval()
    assert calls == [False]
    assert [x.training for x in m.modules()] == [False, False, False, True, True, False]

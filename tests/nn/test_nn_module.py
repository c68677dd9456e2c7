"""ember.nn.Module's Python API against torch.nn.Module's: the module tree. Subclassing,
traversal names and order, parameters (identity, sharing, dedup), the attribute and registration
rules, and the containers (Sequential, ModuleList, ModuleDict).
Each comparison builds the same model in both libraries (``L`` is ember or torch).

The module's state (train / eval, zero_grad, apply, dtype, state dicts, save / load) is tested in
test_nn_module_state.py; repr, forward hooks, summary and layer errors in
test_nn_module_repr_hooks.py. The helpers the three share are in nn_helpers.py."""


import gc
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn
from nn_helpers import RNG, _make_net, _np, _randomize


# ---- helpers -------------------------------------------------------------------------------

def _to_torch(torch, m, mt):
    """torch's module takes ember's parameters and buffers."""
    mt.load_state_dict({k: torch.from_numpy(_np(v)) for k, v in m.state_dict().items()})


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


# ---- subclassing, traversal, parameters ---------------------------------------------------

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


# ---- attribute rules --------------------------------------------------------------------

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


# ---- containers ---------------------------------------------------------------------------

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

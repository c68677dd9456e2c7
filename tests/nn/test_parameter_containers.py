"""nn.ParameterList, nn.ParameterDict, nn.CosineSimilarity and nn.PairwiseDistance against torch.nn's."""
import collections
import copy
import pickle

import numpy as np
import pytest

import ember
from ember import nn

torch = pytest.importorskip("torch")


def ember_repr(module):
    return repr(module)


def torch_repr(module):
    return repr(module).replace("torch.", "ember.")


def same_tensor(e, t):
    np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy())


def lists(values):
    """The same ParameterList built in both libraries from NumPy arrays and other objects."""
    def build(lib):
        items = [lib.nn.Parameter(lib.tensor(v)) if isinstance(v, np.ndarray) else v for v in values]
        return lib.nn.ParameterList(items)
    return build(ember), build(torch)


VALUES = [np.ones((2, 3), np.float32), np.arange(3.0), "not a tensor", np.zeros(1, np.float32)]


def test_parameter_list_registers_entries_as_torch():
    e, t = lists(VALUES)
    assert len(e) == len(t) == 4
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()] == ["0", "1", "3"]
    assert list(e.state_dict()) == list(t.state_dict())
    assert ember_repr(e) == torch_repr(t)
    assert e[2] == "not a tensor" and e[-1].shape == (1,)
    # A plain tensor appended becomes a Parameter that requires grad, as torch's.
    e.append(ember.zeros(2))
    t.append(torch.zeros(2))
    assert isinstance(e[4], nn.Parameter) and e[4].requires_grad and t[4].requires_grad
    assert ember_repr(e) == torch_repr(t)
    # Slices are new lists of the same objects; extend and += take iterables.
    assert e[1:3][0] is e[1] and len(e[::2]) == len(t[::2]) == 3
    e += [ember.ones(1)]
    t += [torch.ones(1)]
    assert ember_repr(e) == torch_repr(t)
    e[0] = ember.full((2,), 3.0)
    t[0] = torch.full((2,), 3.0)
    assert ember_repr(e) == torch_repr(t) and isinstance(e[0], nn.Parameter)
    assert [x for x in dir(e) if x.isdigit()] == []


@pytest.mark.parametrize("call, error", [
    (lambda p: p[5], IndexError),
    (lambda p: p[-6], IndexError),
    (lambda p: p["0"], TypeError),
    (lambda p: p.extend(p[0]), TypeError),  # a tensor is not unpacked
    (lambda p: p.extend(3), TypeError),
    (lambda p: p(), RuntimeError),
])
def test_parameter_list_errors_as_torch(call, error):
    e, t = lists(VALUES)
    with pytest.raises(error) as theirs:
        call(t)
    with pytest.raises(error) as ours:
        call(e)
    assert str(ours.value) == str(theirs.value)


def test_parameter_dict_as_torch():
    pe = {"b": ember.ones(2), "a": nn.Parameter(ember.zeros(1)), "c": "x"}
    pt = {"b": torch.ones(2), "a": torch.nn.Parameter(torch.zeros(1)), "c": "x"}
    e, t = nn.ParameterDict(pe), torch.nn.ParameterDict(pt)
    assert list(e) == list(t) == ["a", "b", "c"]  # a plain dict's entries are added sorted
    assert ember_repr(e) == torch_repr(t)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    # An OrderedDict or pairs keep their order.
    order = [("z", np.ones(1, np.float32)), ("y", np.zeros(2, np.float32))]
    e.update(collections.OrderedDict((k, ember.tensor(v)) for k, v in order))
    t.update(collections.OrderedDict((k, torch.tensor(v)) for k, v in order))
    e.update([("w", ember.ones(3))])
    t.update([("w", torch.ones(3))])
    assert list(e.keys()) == list(t.keys()) and ember_repr(e) == torch_repr(t)
    assert "z" in e and "q" not in e and e.get("q", 5) == 5
    assert e.pop("z").shape == t.pop("z").shape == (1,)
    assert "z" not in e and "z" not in dict(e.named_parameters())
    assert e.popitem()[0] == t.popitem()[0] == "w"
    assert e.setdefault("n", ember.ones(1)) is e["n"] and isinstance(e["n"], nn.Parameter)
    t.setdefault("n", torch.ones(1))
    assert list(reversed(e)) == list(reversed(t))
    assert list(e.copy().keys()) == list(e.keys()) and e.copy()["a"] is e["a"]
    assert list((e | {"m": ember.ones(1)}).keys()) == list((t | {"m": torch.ones(1)}).keys())
    assert list(e.fromkeys(["p", "q"]).keys()) == ["p", "q"]
    del e["a"]
    del t["a"]
    assert ember_repr(e) == torch_repr(t)
    e.clear()
    assert len(e) == 0 and list(e.parameters()) == []


@pytest.mark.parametrize("call, error", [
    (lambda d: d[1], TypeError),
    (lambda d: d["missing"], AttributeError),
    (lambda d: d.update(5), TypeError),
    (lambda d: d.update([5]), TypeError),
    (lambda d: d.update([("a", 1, 2)]), ValueError),
    (lambda d: d(1), RuntimeError),
    (lambda d: d(), TypeError),  # torch's takes one argument
    (lambda d: (d.clear(), d.popitem()), KeyError),
])
def test_parameter_dict_errors_as_torch(call, error):
    e, t = nn.ParameterDict({"a": ember.ones(1)}), torch.nn.ParameterDict({"a": torch.ones(1)})
    with pytest.raises(error) as theirs:
        call(t)
    with pytest.raises(error) as ours:
        call(e)
    if error is not AttributeError:  # the class in the message differs
        assert str(ours.value).split(" Open an issue")[0] == str(theirs.value).split(" Open an issue")[0]


def _model_class(lib, name):
    """A model whose weights live in a ParameterList and a ParameterDict (module-level, so it pickles)."""
    def __init__(self):
        lib.nn.Module.__init__(self)
        self.layers = lib.nn.ParameterList([lib.nn.Parameter(lib.zeros(4, 4)) for _ in range(2)])
        self.heads = lib.nn.ParameterDict({"out": lib.nn.Parameter(lib.zeros(4, 2))})

    def forward(self, x):
        for w in self.layers:
            x = lib.tanh(x @ w)
        return x @ self.heads["out"]

    return type(name, (lib.nn.Module,), {"__init__": __init__, "forward": forward, "__module__": __name__,
                                         "__qualname__": name})


EmberModel, TorchModel = _model_class(ember, "EmberModel"), _model_class(torch, "TorchModel")


def test_training_and_state_dict_follow_torch():
    rng = np.random.default_rng(0)
    e, t = EmberModel(), TorchModel()
    t.load_state_dict({k: torch.tensor(rng.standard_normal(v.shape).astype(np.float32))
                       for k, v in t.state_dict().items()})
    assert list(e.state_dict()) == list(t.state_dict()) == ["layers.0", "layers.1", "heads.out"]
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    oe, ot = ember.optim.SGD(e.parameters(), lr=0.1), torch.optim.SGD(t.parameters(), lr=0.1)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    for _ in range(3):
        for model, opt, lib in ((e, oe, ember), (t, ot, torch)):
            opt.zero_grad()
            model(lib.tensor(x)).square().sum().backward()
            opt.step()
    for (ke, ve), (kt, vt) in zip(e.state_dict().items(), t.state_dict().items()):
        assert ke == kt
        np.testing.assert_allclose(ve.numpy(), vt.numpy(), rtol=1e-4, atol=1e-5)
    assert ember_repr(e) == torch_repr(t).replace("TorchModel", "EmberModel")


def test_copies_keep_entries():
    e = EmberModel()
    for clone in (copy.deepcopy(e), pickle.loads(pickle.dumps(e))):
        assert len(clone.layers) == 2 and list(clone.heads.keys()) == ["out"]
        assert clone.layers[0] is not e.layers[0]
        same_tensor(clone.layers[1], e.layers[1])


@pytest.mark.parametrize("dim", [1, 0, -1])
def test_cosine_similarity_module(dim):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 5)), rng.standard_normal((1, 5))
    ea, eb = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out_e, out_t = nn.CosineSimilarity(dim=dim, eps=1e-6)(ea, eb), torch.nn.CosineSimilarity(dim=dim, eps=1e-6)(ta, tb)
    np.testing.assert_allclose(out_e.detach().numpy(), out_t.detach().numpy(), rtol=1e-12)
    out_e.sum().backward()
    out_t.sum().backward()
    np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(eb.grad.numpy(), tb.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert repr(nn.CosineSimilarity()) == "CosineSimilarity()"
    assert ember.autograd.gradcheck(nn.CosineSimilarity(dim=dim), (ea, eb))


@pytest.mark.parametrize("p, keepdim", [(2.0, False), (1.0, True), (3.0, False), (float("inf"), False)])
def test_pairwise_distance_module(p, keepdim):
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    ea, eb = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    me, mt = nn.PairwiseDistance(p=p, keepdim=keepdim), torch.nn.PairwiseDistance(p=p, keepdim=keepdim)
    assert (me.norm, me.eps, me.keepdim) == (mt.norm, mt.eps, mt.keepdim)
    out_e, out_t = me(ea, eb), mt(ta, tb)
    assert out_e.shape == tuple(out_t.shape)
    np.testing.assert_allclose(out_e.detach().numpy(), out_t.detach().numpy(), rtol=1e-12)
    out_e.sum().backward()
    out_t.sum().backward()
    np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert ember.autograd.gradcheck(me, (ea, eb))


def test_distance_modules_bad_inputs():
    with pytest.raises((RuntimeError, ValueError), match="pairwise_distance"):
        nn.PairwiseDistance()(ember.ones(2, 3), ember.ones(2, 4))
    with pytest.raises(TypeError, match="cosine_similarity"):
        nn.CosineSimilarity()(ember.ones(2, 3), "x")


def test_top_level_pairwise_distance():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    for kwargs in ({}, {"p": 1.0, "keepdim": True}, {"eps": 0.0}):
        np.testing.assert_allclose(ember.pairwise_distance(ember.tensor(a), ember.tensor(b), **kwargs).numpy(),
                                   torch.pairwise_distance(torch.tensor(a), torch.tensor(b), **kwargs).numpy(),
                                   rtol=1e-12)

"""What ember.nn.Module shows and reports, against torch.nn.Module: repr (nested containers,
subclasses, every layer's arguments, floats as Python prints them), forward hooks (order,
kwargs, children, handles), nn.summary, and forward errors that name the layer.
Each comparison builds the same model in both libraries (``L`` is ember or torch).

Split from test_nn_module.py (subclassing, traversal, registration rules, containers); the
helpers the three share are in nn_helpers.py."""
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn
from nn_helpers import _np


# ---- repr --------------------------------------------------------------------------------

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


# ---- hooks ----------------------------------------------------------------------------------

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


# ---- summary --------------------------------------------------------------------------------

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


# ---- layer errors name the layer ----------------------------------------------------------

def test_layer_error_names_layer():
    with pytest.raises(ValueError) as e:
        nn.Linear(784, 10)(ember.randn(32, 100))
    assert "Linear(in_features=784, out_features=10): expected input (..., 784), got (32, 100)" in str(e.value)
    with pytest.raises(ValueError, match=r"Linear\(in_features=784, out_features=10\): expected input"):
        nn.Sequential(nn.Flatten(), nn.Linear(784, 10))(ember.randn(32, 100))


# ---- regressions from the code review ----------------------------------------------------------

@pytest.mark.parametrize("v", [2.0 ** -24, 2.0 ** -44, 20.0, 1e-5, 0.1, 1e16, 1.5e20, 123.456, 5e-324, 1 / 3])
def test_float_arguments_print_as_python_repr(v):
    assert repr(nn.LeakyReLU(v)) == f"LeakyReLU(negative_slope={v!r})"


def test_batchnorm_empty_batch_passes_and_keeps_statistics(torch):
    for L in (torch, ember):
        bn = L.nn.BatchNorm1d(3)
        assert tuple(bn(L.zeros(0, 3)).shape) == (0, 3)
        assert L.equal(bn.running_mean, L.zeros(3)) and L.equal(bn.running_var, L.ones(3))


@pytest.mark.parametrize("cls", [nn.Linear, nn.ReLU, nn.Sequential])
def test_repr_of_a_module_whose_init_never_ran_raises(cls):
    # pytest prints `self` of a failing test whose constructor raised: this used to crash the process
    module = cls.__new__(cls)
    with pytest.raises(RuntimeError, match=r"Module.__init__\(\) was not called"):
        repr(module)
    with pytest.raises(RuntimeError, match=r"Module.__init__\(\) was not called"):
        module.extra_repr()

"""pickle, copy.copy and copy.deepcopy of modules, optimizers and schedules, as PyTorch's: every
layer of the module table, Python subclasses with their own attributes and hooks, shared
parameters and modules, buffers (non-persistent too), the training flag, optimizer state
(momentum buffers, LBFGS's history) and schedules that go on where they were. Copies share
nothing with the original and train on their own; pickles load in a fresh process."""
import copy
import pickle
import subprocess
import sys
import textwrap

import ember
import numpy as np
import pytest
from ember import nn, optim
from module_db import MODULES, materialize
from pickle_helpers import referenced_globals

pytestmark = pytest.mark.filterwarnings("ignore:size_average and reduce args will be deprecated")
CTORS = [pytest.param(r, c, id=f"{r.name}-{c.id}") for r in MODULES for c in r.ctors]


def _check_copy(m, c, shared):
    """c is a copy of m: same class, repr, flag, state; its tensors are m's (shared) or new ones."""
    assert type(c) is type(m) and repr(c) == repr(m) and c.training == m.training
    assert [n for n, _ in c.named_modules()] == [n for n, _ in m.named_modules()]
    assert [(n, type(b)) for n, b in c.named_buffers()] == [(n, type(b)) for n, b in m.named_buffers()]
    mine, theirs = m.state_dict(), c.state_dict()
    assert list(theirs) == list(mine)
    for k, v in mine.items():
        assert theirs[k].dtype == v.dtype and ember.equal(theirs[k], v), k
    for (n, p), (_, q) in zip(m.named_parameters(), c.named_parameters()):
        assert type(q) is nn.Parameter and q.requires_grad == p.requires_grad, n
        assert (q.data_ptr() == p.data_ptr()) == shared, n


@pytest.mark.parametrize("row, ctor", CTORS)
def test_every_layer_pickles_and_copies(row, ctor):
    m = row.build(ember, ctor)
    m.eval()  # random layers (dropout) compare in eval mode
    inputs = row.samples(ctor, "float32")
    d, p, s = copy.deepcopy(m), pickle.loads(pickle.dumps(m)), copy.copy(m)
    _check_copy(m, d, shared=False)
    _check_copy(m, p, shared=False)
    _check_copy(m, s, shared=True)
    if inputs:
        args = materialize(inputs[0].args, ember)
        expected = m(*args)
        for c in (d, p, s):
            got = c(*args)
            for a, b in zip(*(x if isinstance(x, tuple) else (x,) for x in (got, expected))):
                if isinstance(a, ember.Tensor):
                    assert ember.equal(a, b) or (ember.isnan(a) == ember.isnan(b)).all()


class Net(nn.Module):
    """A Python model: layers, a shared layer, a replaced parameter, plain attributes, buffers."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 2)
        self.fc2.weight = nn.Parameter(ember.randn(2, 8))
        self.again = self.fc1  # the same layer under two names
        self.scale = 3.0
        self.notes = {"epochs": [1, 2]}
        self.register_buffer("running", ember.zeros(2))
        self.register_buffer("scratch", ember.ones(1), persistent=False)
        self.register_parameter("absent", None)
        self.bn = nn.BatchNorm1d(8)

    def forward(self, x):
        return self.fc2(ember.relu(self.bn(self.fc1(x)))) * self.scale


def _net():
    ember.manual_seed(0)
    net = Net()
    net(ember.randn(5, 4))  # BatchNorm statistics move
    return net


def _trace(module, args, output):  # a module-level hook pickles by reference, as with torch
    module.calls = getattr(module, "calls", 0) + 1


def test_python_model_round_trips_with_attributes_hooks_and_sharing():
    net = _net()
    net.fc1.register_forward_hook(_trace)
    net.eval()
    for c in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        _check_copy(net, c, shared=False)
        assert c.again is c.fc1 and c.scale == 3.0 and c.notes == net.notes and c.notes is not net.notes
        assert c.absent is None and [n for n, _ in c.named_buffers()] == ["running", "scratch", "bn.running_mean",
                                                                          "bn.running_var", "bn.num_batches_tracked"]
        assert "scratch" not in c.state_dict() and not c.training and not c.bn.training
        x = ember.randn(3, 4)
        assert ember.equal(c(x), net(x)) and c.fc1.calls >= 1
    with pytest.raises((pickle.PicklingError, AttributeError)):  # a lambda hook cannot be pickled (torch: same)
        net.fc2.register_forward_hook(lambda *a: None)
        pickle.dumps(net)


def test_deepcopy_shares_nothing_and_trains_on_its_own():
    net = _net()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    twin = copy.deepcopy(net)
    originals = {p.data_ptr() for p in net.parameters()} | {b.data_ptr() for b in net.buffers()}
    assert not originals & ({p.data_ptr() for p in twin.parameters()} | {b.data_ptr() for b in twin.buffers()})
    opt = optim.SGD(twin.parameters(), lr=0.1, momentum=0.9)
    for _ in range(3):
        opt.zero_grad()
        twin(ember.randn(6, 4)).pow(2).mean().backward()
        opt.step()
    assert all(ember.equal(net.state_dict()[k], v) for k, v in before.items())
    assert not ember.equal(twin.fc1.weight, net.fc1.weight) and net.fc1.weight.grad is None


def test_copy_copy_shares_the_tensors_and_children(torch):
    for lib in (ember, torch):
        m = lib.nn.Sequential(lib.nn.Linear(2, 2))
        c = copy.copy(m)
        assert c is not m and c[0] is m[0] and c[0].weight is m[0].weight


def test_deepcopy_draws_nothing_from_the_random_stream():
    net, embedding = _net(), nn.Embedding(10, 3)
    ember.manual_seed(1)
    expected = ember.rand(4)
    ember.manual_seed(1)
    copy.deepcopy(net)
    pickle.loads(pickle.dumps(embedding))
    assert ember.equal(ember.rand(4), expected)


def test_state_like_torch_after_round_trip(torch):
    """The same structure in ember and torch keeps the same state_dict keys, buffers and flags."""
    def build(lib):
        m = lib.nn.Sequential(lib.nn.Conv2d(1, 2, 3), lib.nn.BatchNorm2d(2), lib.nn.ReLU(), lib.nn.Flatten(),
                              lib.nn.Identity(), lib.nn.Dropout(0.3))
        m[1].register_buffer("extra", lib.ones(1), persistent=False)
        m[0].eval()
        return m
    for fn in (copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))):
        e, t = fn(build(ember)), fn(build(torch))
        assert list(e.state_dict()) == list(t.state_dict())
        assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
        assert [m.training for m in e.modules()] == [m.training for m in t.modules()]


def test_subclass_of_a_layer_keeps_its_class_and_attributes():
    class Scaled(nn.Linear):
        def __init__(self, *args, factor=2.0, **kwargs):
            super().__init__(*args, **kwargs)
            self.factor = factor

        def forward(self, x):
            return super().forward(x) * self.factor

    m = Scaled(3, 2, factor=5.0)
    c = copy.deepcopy(m)
    assert type(c) is Scaled and c.factor == 5.0 and c.in_features == 3
    x = ember.randn(4, 3)
    assert ember.equal(c(x), m(x))


def test_optimizer_state_survives_deepcopy_and_pickle(torch):
    for name in ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD"]:
        kw = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}
        net = _net()
        opt = getattr(optim, name)(net.parameters(), lr=0.01, **kw)
        x = ember.randn(6, 4)

        def step(model, o, x=x):
            o.zero_grad()
            model(x).pow(2).mean().backward()
            o.step()
        step(net, opt)
        for twin_net, twin_opt in (copy.deepcopy((net, opt)), pickle.loads(pickle.dumps((net, opt)))):
            assert twin_opt.param_groups[0]["params"][0] is twin_net.fc1.weight
            sd, twin_sd = opt.state_dict(), twin_opt.state_dict()
            assert sd["param_groups"] == twin_sd["param_groups"] and sd["state"].keys() == twin_sd["state"].keys()
            for i, s in sd["state"].items():
                for k, v in s.items():
                    assert ember.equal(twin_sd["state"][i][k], v), (name, k)
            step(twin_net, twin_opt)
        step(net, opt)
        assert ember.equal(twin_net.fc1.weight, net.fc1.weight), name  # the copy goes on as the original
    # an optimizer copied alone keeps its own copies of the parameters (as torch's)
    net = _net()
    opt = optim.SGD(net.parameters(), lr=0.1)
    assert copy.deepcopy(opt).param_groups[0]["params"][0] is not net.fc1.weight


def test_lbfgs_history_survives_deepcopy():
    ember.manual_seed(0)
    x, y = ember.randn(20, 3, dtype=ember.float64), ember.randn(20, 1, dtype=ember.float64)
    model = nn.Linear(3, 1).double()
    opt = optim.LBFGS(model.parameters(), history_size=4, max_iter=3)

    def closure_for(m, o):
        def closure():
            o.zero_grad()
            loss = (m(x) - y).pow(2).mean()
            loss.backward()
            return loss
        return closure
    opt.step(closure_for(model, opt))
    twin_model, twin_opt = copy.deepcopy((model, opt))
    assert twin_opt.state_dict()["state"].keys() == opt.state_dict()["state"].keys()
    opt.step(closure_for(model, opt))
    twin_opt.step(closure_for(twin_model, twin_opt))
    assert ember.equal(twin_model.weight, model.weight)


S = optim.lr_scheduler
SCHEDULES = {
    "StepLR": lambda o: S.StepLR(o, 2, gamma=0.5),
    "ChainedScheduler": lambda o: S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=2),
                                                      S.ExponentialLR(o, 0.9)]),
    "SequentialLR": lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.1, total_iters=2), S.StepLR(o, 2)], milestones=[2]),
    "ReduceLROnPlateau": lambda o: S.ReduceLROnPlateau(o, patience=1),
    "CosineAnnealingWarmRestarts": lambda o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2),
    "OneCycleLR": lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=20),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedules_go_on_where_they_were(name):
    opt = optim.SGD(_net().parameters(), lr=0.1, momentum=0.9)
    sched = SCHEDULES[name](opt)
    metrics = [5.0, 4.0, 4.0, 4.0, 4.0, 4.0, 3.0, 3.0, 3.0, 3.0]

    def advance(o, s, metric):
        o.step()
        s.step(metric) if isinstance(s, S.ReduceLROnPlateau) else s.step()
    for m in metrics[:3]:
        advance(opt, sched, m)
    twins = [copy.deepcopy((opt, sched)), pickle.loads(pickle.dumps((opt, sched)))]
    for o2, s2 in twins:
        assert s2.optimizer is o2 and s2.get_last_lr() == sched.get_last_lr()
        assert s2.state_dict().keys() == sched.state_dict().keys()
    for m in metrics[3:]:
        advance(opt, sched, m)
        for o2, s2 in twins:
            advance(o2, s2, m)
            assert s2.get_last_lr() == sched.get_last_lr()
            assert o2.param_groups[0]["momentum"] == opt.param_groups[0]["momentum"]


def test_lambda_schedules_deepcopy_but_do_not_pickle(torch):
    for lib in (ember, torch):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=1.0)
        s = lib.optim.lr_scheduler.LambdaLR(opt, lambda e: 0.5 ** e)
        opt.step()
        s.step()
        c = copy.deepcopy(s)
        c.optimizer.step()
        c.step()
        assert c.get_last_lr() == [0.25] and s.get_last_lr() == [0.5]
        with pytest.raises((pickle.PicklingError, AttributeError)):
            pickle.dumps(s)


def test_model_and_optimizer_pickle_loads_in_a_fresh_process(tmp_path):
    net = _net()
    opt = optim.Adam(net.parameters(), lr=0.01)
    x = ember.randn(6, 4)
    net(x).sum().backward()
    opt.step()
    data = pickle.dumps((net.fc1, nn.Sequential(net.bn, nn.ReLU()), opt))
    found = referenced_globals(data)
    # no code but classes, and the one function that rebuilds a tensor from its bytes
    functions = {(m, n) for m, n in found if not isinstance(getattr(sys.modules[m], n), type)}
    assert functions == {("ember.serialization", "_rebuild_tensor")}
    assert {m for m, _ in found} <= {"ember._C", "ember.nn", "ember.optim.optimizers", "ember.serialization",
                                     "builtins", "collections"}
    (tmp_path / "m.pkl").write_bytes(data)
    np.save(tmp_path / "expected.npy", net.fc1(x).detach().numpy())
    np.save(tmp_path / "x.npy", x.numpy())
    code = textwrap.dedent(f"""
        import pickle, numpy as np, ember
        fc1, seq, opt = pickle.loads(open({str(tmp_path / "m.pkl")!r}, "rb").read())
        x = ember.from_numpy(np.load({str(tmp_path / "x.npy")!r}))
        assert np.array_equal(fc1(x).detach().numpy(), np.load({str(tmp_path / "expected.npy")!r}))
        assert type(opt).__name__ == "Adam" and opt.state_dict()["state"][0]["step"].item() == 1
        assert opt.param_groups[0]["params"][0] is fc1.weight and type(seq[0]).__name__ == "BatchNorm1d"
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


def test_malformed_module_state_raises_type_error():
    m = nn.Linear(2, 2)
    for bad in [(1, 2), "x", (None, [], [], [], True, {}, 7), ({"in_features": 2}, [], [], [], True, {})]:
        with pytest.raises((TypeError, KeyError)):
            nn.Linear.__new__(nn.Linear).__setstate__(bad)
    state = m.__getstate__()
    with pytest.raises(TypeError, match="not a Tensor"):
        nn.Linear.__new__(nn.Linear).__setstate__((state[0], [("weight", 3)], [], [], True, {}))

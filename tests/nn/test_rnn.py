"""ember.nn's recurrent cells (RNNCell, LSTMCell, GRUCell) and layers (RNN, LSTM, GRU) against
torch.nn with the weights copied: outputs, final states and the gradients of the input, of every
parameter and of the initial states, over stacked, bidirectional, batch_first, projected,
unbatched, batch-1 and length-1 configurations, in float32 and float64, in training (dropout) and
eval; gradcheck and gradgradcheck in float64, double backward against torch's; PyTorch's
state_dict names, repr and signature; bad inputs raise PyTorch's errors."""
import inspect

import ember
import numpy as np
import pytest

torch = pytest.importorskip("torch")

TOL = {"float32": {"rtol": 2e-4, "atol": 2e-5}, "float64": {"rtol": 1e-9, "atol": 1e-11}}
EDT = {"float32": ember.float32, "float64": ember.float64}
TDT = {"float32": torch.float32, "float64": torch.float64}


def _np(t):
    return np.array(t.detach().numpy(), copy=True)


def _close(actual, desired, dtype, what=""):
    tol = TOL[dtype]
    actual, desired = _np(actual), _np(desired)
    scale = max(1.0, float(np.abs(desired).max(initial=0)))
    np.testing.assert_allclose(actual, desired, rtol=tol["rtol"], atol=tol["atol"] * scale, err_msg=what)


def _pair_modules(name, args, kwargs, dtype):
    """The same layer in both libraries, ember's weights copied from torch's."""
    torch.manual_seed(0)
    tm = getattr(torch.nn, name)(*args, **kwargs).to(TDT[dtype])
    em = getattr(ember.nn, name)(*args, **kwargs, dtype=EDT[dtype])
    missing, unexpected = em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    assert not missing and not unexpected
    return em, tm


def _pair(shape, dtype, rng):
    a = rng.standard_normal(shape).astype(dtype)
    return ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _states(name, out):
    """The tensors a forward returns, flattened: output, h_n (, c_n)."""
    output, hidden = out
    if isinstance(hidden, tuple):
        return [output, *hidden]
    return [output, hidden]


LAYER_CASES = [
    ("RNN", (5, 7), {}),
    ("RNN", (5, 7), {"nonlinearity": "relu", "num_layers": 2}),
    ("RNN", (5, 7), {"bias": False, "bidirectional": True}),
    ("GRU", (5, 7), {}),
    ("GRU", (5, 7), {"num_layers": 3, "bidirectional": True, "batch_first": True}),
    ("GRU", (5, 7), {"bias": False}),
    ("LSTM", (5, 7), {}),
    ("LSTM", (5, 7), {"num_layers": 2, "bidirectional": True}),
    ("LSTM", (5, 7), {"proj_size": 3}),
    ("LSTM", (5, 7), {"proj_size": 4, "num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("LSTM", (5, 7), {"bias": False, "num_layers": 3, "batch_first": True}),
]


def _ids(case):
    name, _, kw = case
    return name + "".join(f"-{k}={v}" for k, v in kw.items())


def _run_layer(em, tm, name, kw, dtype, shape, with_state, rng):
    x, xt = _pair(shape, dtype, rng)
    D = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1)
    hidden = em.hidden_size
    out_size = kw.get("proj_size", 0) or hidden
    batched = len(shape) == 3
    B = (shape[0] if kw.get("batch_first") else shape[1]) if batched else None
    state_shape = (D * L, B) if batched else (D * L,)
    e_hx = t_hx = None
    states = []
    if with_state:
        h0, h0t = _pair(state_shape + (out_size,), dtype, rng)
        states += [(h0, h0t)]
        if name == "LSTM":
            c0, c0t = _pair(state_shape + (hidden,), dtype, rng)
            states += [(c0, c0t)]
            e_hx, t_hx = (h0, c0), (h0t, c0t)
        else:
            e_hx, t_hx = h0, h0t
    e_out = _states(name, em(x, e_hx))
    t_out = _states(name, tm(xt, t_hx))
    for i, (a, b) in enumerate(zip(e_out, t_out)):
        assert tuple(a.shape) == tuple(b.shape), f"output {i}"
        _close(a, b, dtype, f"output {i}")
    # A random cotangent for every output, so each one's gradient path is checked.
    weights = [rng.standard_normal(tuple(b.shape)).astype(dtype) for b in t_out]
    sum(
        (a * ember.tensor(w)).sum() for a, w in zip(e_out, weights)).backward()
    sum((b * torch.tensor(w)).sum() for b, w in zip(t_out, weights)).backward()
    _close(x.grad, xt.grad, dtype, "input grad")
    for (e, t) in states:
        _close(e.grad, t.grad, dtype, "state grad")
    t_params = dict(tm.named_parameters())
    for n, p in em.named_parameters():
        _close(p.grad, t_params[n].grad, dtype, f"grad of {n}")


@pytest.mark.parametrize("case", LAYER_CASES, ids=_ids)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layer_matches_torch(case, dtype):
    name, args, kw = case
    em, tm = _pair_modules(name, args, kw, dtype)
    rng = np.random.default_rng(1)
    shape = (3, 6, 5) if kw.get("batch_first") else (6, 3, 5)
    _run_layer(em, tm, name, kw, dtype, shape, with_state=True, rng=rng)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("shape,kw", [
    ((1, 1, 4), {}),                               # length 1, batch 1
    ((7, 1, 4), {"bidirectional": True}),          # batch 1
    ((1, 5, 4), {"num_layers": 2}),                # length 1
    ((6, 4), {}),                                  # unbatched
    ((6, 4), {"bidirectional": True, "num_layers": 2, "batch_first": True}),  # unbatched, batch_first
])
@pytest.mark.parametrize("with_state", [False, True])
def test_layer_edge_shapes(name, shape, kw, with_state):
    em, tm = _pair_modules(name, (4, 6), kw, "float64")
    _run_layer(em, tm, name, kw, "float64", shape, with_state, np.random.default_rng(2))


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_dropout_between_layers(name):
    """eval: dropout is off and the layers match torch; train: p=1 zeroes each layer's input but
    the first, so the last layer sees only its biases."""
    em, tm = _pair_modules(name, (4, 5), {"num_layers": 2, "dropout": 0.5}, "float64")
    em.eval(), tm.eval()
    _run_layer(em, tm, name, {"num_layers": 2}, "float64", (5, 2, 4), True, np.random.default_rng(3))
    em.train()
    x = ember.randn(5, 2, 4, dtype=ember.float64)
    em.dropout = 1.0
    out = em(x)[0]
    no_input = getattr(ember.nn, name)(4, 5, num_layers=2, dtype=ember.float64)
    no_input.load_state_dict(em.state_dict())
    with ember.no_grad():
        no_input.weight_ih_l1.zero_()
    no_input.dropout = 0.0
    np.testing.assert_allclose(_np(out), _np(no_input(x)[0]), atol=1e-12)
    em.dropout = 0.5  # p = 0.5 in training: some of the two runs differ
    assert not np.allclose(_np(em(x)[0]), _np(em(x)[0]))


CELL_CASES = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("RNNCell", {"bias": False}), ("GRUCell", {}),
              ("GRUCell", {"bias": False}), ("LSTMCell", {}), ("LSTMCell", {"bias": False})]


@pytest.mark.parametrize("name,kw", CELL_CASES, ids=lambda c: str(c))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batch", [None, 1, 4])
@pytest.mark.parametrize("with_state", [False, True])
def test_cell_matches_torch(name, kw, dtype, batch, with_state):
    em, tm = _pair_modules(name, (5, 6), kw, dtype)
    rng = np.random.default_rng(4)
    lead = () if batch is None else (batch,)
    x, xt = _pair(lead + (5,), dtype, rng)
    states = []
    e_hx = t_hx = None
    if with_state:
        states = [_pair(lead + (6,), dtype, rng) for _ in range(2 if name == "LSTMCell" else 1)]
        if name == "LSTMCell":
            e_hx, t_hx = tuple(s[0] for s in states), tuple(s[1] for s in states)
        else:
            e_hx, t_hx = states[0]
    # Two steps, the second from the first's state: the state's gradient path is checked too.
    e1, t1 = em(x, e_hx), tm(xt, t_hx)
    e2, t2 = em(x * 0.5, e1), tm(xt * 0.5, t1)
    e_out = [*e1, *e2] if name == "LSTMCell" else [e1, e2]
    t_out = [*t1, *t2] if name == "LSTMCell" else [t1, t2]
    for a, b in zip(e_out, t_out):
        assert tuple(a.shape) == tuple(b.shape)
        _close(a, b, dtype)
    weights = [rng.standard_normal(tuple(b.shape)).astype(dtype) for b in t_out]
    sum((a * ember.tensor(w)).sum() for a, w in zip(e_out, weights)).backward()
    sum((b * torch.tensor(w)).sum() for b, w in zip(t_out, weights)).backward()
    _close(x.grad, xt.grad, dtype)
    for e, t in states:
        _close(e.grad, t.grad, dtype)
    t_params = dict(tm.named_parameters())
    for n, p in em.named_parameters():
        _close(p.grad, t_params[n].grad, dtype, n)


def test_cell_is_one_node():
    cell = ember.nn.LSTMCell(3, 4)
    h, c = cell(ember.randn(2, 3))
    assert h.grad_fn is c.grad_fn and h.grad_fn.name() == "LstmCellBackward0"
    assert h.grad_fn.next_functions  # weights, biases and input are its inputs


def _graph_names(t):
    """The names of every node t's history reaches."""
    seen, stack, names, alive = set(), [t.grad_fn], [], []
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        alive.append(node)  # keeps each wrapper, so no id is reused
        seen.add(id(node))
        names.append(node.name())
        stack.extend(n for n, _ in node.next_functions)
    return names


def test_layer_is_one_node_per_layer_and_direction():
    out, _ = ember.nn.GRU(3, 4, num_layers=2, bidirectional=True)(ember.randn(5, 2, 3))
    names = _graph_names(out)
    assert names.count("GruBackward0") == 4
    assert not any(n.startswith(("Sigmoid", "Tanh", "Mm", "Addmm", "Mul")) for n in names), names


@pytest.mark.parametrize("name,kw", [("RNN", {"nonlinearity": "relu"}), ("RNN", {}), ("GRU", {"bidirectional": True}),
                                     ("LSTM", {"num_layers": 2}), ("LSTM", {"proj_size": 2, "bidirectional": True})])
def test_layer_gradcheck(name, kw):
    m = getattr(ember.nn, name)(3, 4, dtype=ember.float64, **kw)
    D = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1)
    out = kw.get("proj_size", 0) or 4
    x = ember.randn(3, 2, 3, dtype=ember.float64, requires_grad=True)
    h0 = ember.randn(D * L, 2, out, dtype=ember.float64, requires_grad=True)
    params = list(m.parameters())
    if name == "LSTM":
        c0 = ember.randn(D * L, 2, 4, dtype=ember.float64, requires_grad=True)

        def fn(x, h0, c0, *ps):
            o, (h, c) = m(x, (h0, c0))
            return o, h, c

        assert ember.autograd.gradcheck(fn, (x, h0, c0, *params))
        assert ember.autograd.gradgradcheck(fn, (x, h0, c0, *params))
    else:
        def fn(x, h0, *ps):
            o, h = m(x, h0)
            return o, h

        assert ember.autograd.gradcheck(fn, (x, h0, *params))
        assert ember.autograd.gradgradcheck(fn, (x, h0, *params))


@pytest.mark.parametrize("name", ["RNNCell", "GRUCell", "LSTMCell"])
def test_cell_gradcheck(name):
    m = getattr(ember.nn, name)(3, 4, dtype=ember.float64)
    x = ember.randn(2, 3, dtype=ember.float64, requires_grad=True)
    h = ember.randn(2, 4, dtype=ember.float64, requires_grad=True)
    c = ember.randn(2, 4, dtype=ember.float64, requires_grad=True)
    ps = list(m.parameters())
    if name == "LSTMCell":
        assert ember.autograd.gradcheck(lambda x, h, c, *p: m(x, (h, c)), (x, h, c, *ps))
        assert ember.autograd.gradgradcheck(lambda x, h, c, *p: m(x, (h, c)), (x, h, c, *ps))
    else:
        assert ember.autograd.gradcheck(lambda x, h, *p: m(x, h), (x, h, *ps))
        assert ember.autograd.gradgradcheck(lambda x, h, *p: m(x, h), (x, h, *ps))


@pytest.mark.parametrize("name,kw", [("LSTM", {"proj_size": 2, "bidirectional": True}), ("GRU", {"num_layers": 2}),
                                     ("RNN", {"nonlinearity": "relu"}), ("LSTMCell", {}), ("GRUCell", {})])
def test_double_backward_matches_torch(name, kw):
    """A gradient penalty (create_graph=True through the fused node, which then differentiates
    its ember-ops form) gives torch's parameter gradients."""
    em, tm = _pair_modules(name, (3, 4), kw, "float64")
    rng = np.random.default_rng(7)
    x, xt = _pair((5, 2, 3) if "Cell" not in name else (2, 3), "float64", rng)
    ys = []
    for lib, m, xx in ((ember, em, x), (torch, tm, xt)):
        out = m(xx)
        y = out[0] if isinstance(out, tuple) else out
        (g,) = lib.autograd.grad((y ** 2).sum(), [xx], create_graph=True)
        (g ** 2).sum().backward()
        ys.append(g)
    _close(ys[0], ys[1], "float64")
    tp = dict(tm.named_parameters())
    for n, p in em.named_parameters():
        _close(p.grad, tp[n].grad, "float64", n)


def test_state_dict_names_and_shapes_match_torch():
    for name, kw in [("LSTM", {"num_layers": 2, "bidirectional": True, "proj_size": 3}),
                     ("GRU", {"num_layers": 2, "bias": False}), ("RNN", {"bidirectional": True}),
                     ("LSTMCell", {}), ("GRUCell", {"bias": False}), ("RNNCell", {})]:
        em = getattr(ember.nn, name)(5, 7, **kw)
        tm = getattr(torch.nn, name)(5, 7, **kw)
        assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
               [(k, tuple(v.shape)) for k, v in tm.state_dict().items()], name


def test_init_is_uniform_in_one_over_sqrt_hidden():
    m = ember.nn.LSTM(30, 16, num_layers=2, proj_size=8)
    values = np.concatenate([_np(p).ravel() for p in m.parameters()])
    assert np.abs(values).max() <= 0.25 and np.abs(values).max() > 0.24
    assert abs(values.mean()) < 0.01


def test_repr_signature_and_attributes_match_torch():
    cases = [("LSTM", (10, 20), {"num_layers": 2, "batch_first": True}),
             ("LSTM", (10, 20), {"proj_size": 5, "num_layers": 2, "bias": False, "batch_first": True,
                                 "dropout": 0.5, "bidirectional": True}),
             ("RNN", (3, 4), {"nonlinearity": "relu"}), ("GRU", (3, 4), {"dropout": 0.25, "num_layers": 2}),
             ("RNNCell", (3, 4), {"nonlinearity": "relu", "bias": False}), ("LSTMCell", (3, 4), {"bias": False}),
             ("GRUCell", (3, 4), {})]
    for name, args, kw in cases:
        em, tm = getattr(ember.nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
        assert repr(em) == repr(tm)
        for attr in ("input_size", "hidden_size", "bias", "num_layers", "batch_first", "dropout", "bidirectional",
                     "proj_size", "nonlinearity", "mode", "_flat_weights_names", "_all_weights"):
            if hasattr(tm, attr):
                assert getattr(em, attr) == getattr(tm, attr), (name, attr)
    for name in ("RNNCell", "LSTMCell", "GRUCell"):
        ours, theirs = inspect.signature(getattr(ember.nn, name)), inspect.signature(getattr(torch.nn, name))
        assert [(p.name, p.default, p.kind) for p in ours.parameters.values()] == \
               [(p.name, p.default, p.kind) for p in theirs.parameters.values()]  # torch adds annotations
    assert str(inspect.signature(ember.nn.LSTM)).startswith("(input_size, hidden_size, num_layers=1, bias=True")
    assert "nonlinearity='tanh'" in str(inspect.signature(ember.nn.RNN))
    assert ember.nn.LSTM.__doc__ and "Example" in ember.nn.GRUCell.__doc__
    lstm = ember.nn.LSTM(3, 4, num_layers=2)
    assert lstm.flatten_parameters() is None  # torch code calls it; nothing to compact here
    assert [[tuple(w.shape) for w in ws] for ws in lstm.all_weights] == \
           [[tuple(w.shape) for w in ws] for ws in torch.nn.LSTM(3, 4, num_layers=2).all_weights]


def test_constructor_errors():
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        ember.nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        ember.nn.GRU(3, 0)
    with pytest.raises(ValueError, match="num_layers must be greater than zero"):
        ember.nn.RNN(3, 4, 0)
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        ember.nn.LSTM(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        ember.nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        ember.nn.RNNCell(3, 4, nonlinearity="gelu")
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        ember.nn.GRU(3, 4, dropout=0.2)


def test_forward_errors_name_the_expected_shapes():
    lstm, gru = ember.nn.LSTM(10, 20), ember.nn.GRU(10, 20, num_layers=2)
    x = ember.randn(5, 3, 10)
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(2, 3, 20\), got \[1, 3, 20\]"):
        gru(x, ember.zeros(1, 3, 20))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 3, 20\), got \[2, 3, 20\]"):
        lstm(x, (ember.zeros(2, 3, 20), ember.zeros(1, 3, 20)))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(1, 3, 20\), got \[1, 3, 7\]"):
        lstm(x, (ember.zeros(1, 3, 20), ember.zeros(1, 3, 7)))
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 10, got 4"):
        lstm(ember.randn(5, 3, 4))
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D instead"):
        lstm(ember.randn(5, 3, 10, 1))
    with pytest.raises(RuntimeError, match="For batched 3-D input, hx should also be 3-D but got 2-D tensor"):
        gru(x, ember.zeros(3, 20))
    with pytest.raises(RuntimeError, match="For unbatched 2-D input, hx and cx should also be 2-D"):
        lstm(ember.randn(5, 10), (ember.zeros(1, 1, 20), ember.zeros(1, 1, 20)))
    with pytest.raises(TypeError, match="hx must be a tuple"):
        lstm(x, ember.zeros(1, 3, 20))
    with pytest.raises((TypeError, ValueError), match="dtype"):
        lstm(x.double())
    cell = ember.nn.LSTMCell(10, 20)
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 4 expected 10"):
        cell(ember.randn(3, 4))
    with pytest.raises(RuntimeError, match="batch size"):
        cell(ember.randn(3, 10), (ember.zeros(2, 20), ember.zeros(3, 20)))
    with pytest.raises(RuntimeError, match="hx has inconsistent hidden_size: got 5, expected 20"):
        cell(ember.randn(3, 10), (ember.zeros(3, 5), ember.zeros(3, 20)))
    with pytest.raises(ValueError, match="GRUCell: Expected input to be 1D or 2D, got 3D instead"):
        ember.nn.GRUCell(10, 20)(ember.randn(1, 3, 10))
    with pytest.raises(TypeError, match="float32 or float64"):
        ember.nn.RNNCell(2, 3)(ember.ones(1, 2, dtype=ember.int64))
    with pytest.raises(RuntimeError, match="Expected sequence length to be larger than 0"):
        lstm(ember.randn(0, 3, 10))
    gru1 = ember.nn.GRU(3, 4)
    gru1.weight_hh_l0 = ember.nn.Parameter(ember.randn(12, 5))
    with pytest.raises(RuntimeError, match=r"expected weight_hh of shape \(12, 4\), got \(12, 5\)"):
        gru1(ember.randn(2, 1, 3))
    cell1 = ember.nn.GRUCell(3, 4)
    cell1.weight_hh = ember.nn.Parameter(ember.randn(15, 5))
    with pytest.raises(RuntimeError, match=r"expected weight_hh of shape \(12, 4\), got \(15, 5\)"):
        cell1(ember.randn(2, 3))


def test_empty_batch_gives_empty_outputs():
    out, (h, c) = ember.nn.LSTM(3, 4, bidirectional=True)(ember.randn(5, 0, 3))
    assert tuple(out.shape) == (5, 0, 8) and tuple(h.shape) == (2, 0, 4) and tuple(c.shape) == (2, 0, 4)
    assert tuple(ember.nn.GRUCell(3, 4)(ember.randn(0, 3)).shape) == (0, 4)


def test_summary_lists_recurrent_layers():
    class Net(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = ember.nn.Embedding(10, 4)
            self.lstm = ember.nn.LSTM(4, 8, batch_first=True)
            self.fc = ember.nn.Linear(8, 10)

        def forward(self, x):
            return self.fc(self.lstm(self.emb(x))[0])

    net = Net()
    out = net(ember.zeros(2, 5, dtype=ember.int64))
    assert tuple(out.shape) == (2, 5, 10)
    assert "LSTM(4, 8, batch_first=True)" in repr(net)
    table = str(ember.nn.summary(net, (2, 5), dtype=ember.int64))
    assert "lstm (LSTM)" in table and "(2, 5, 8), (1, 2, 8), (1, 2, 8)" in table and "448" in table

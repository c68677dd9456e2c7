"""Sequences of different lengths (ember.nn.utils.rnn against torch.nn.utils.rnn: pad_sequence,
pack_padded_sequence, pad_packed_sequence, pack_sequence, unpad/unpack) and the recurrent layers
on packed input (outputs, final states at each sequence's last step, gradients, sorted and
unsorted batches); truncated backpropagation through time, gradient clipping, and a word-level
LSTM language model written for torch that trains with ember in its place and follows torch's
losses."""
import ember
import numpy as np
import pytest
from ember.nn.utils import rnn as E

torch = pytest.importorskip("torch")
T = torch.nn.utils.rnn


def _np(t):
    return np.array(t.detach().numpy(), copy=True)


def _pair(shape, rng, dtype="float64"):
    a = rng.standard_normal(shape).astype(dtype)
    return ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _close(a, b, atol=1e-10):
    np.testing.assert_allclose(_np(a), _np(b), rtol=1e-7, atol=atol)


# ---- the utilities ---------------------------------------------------------------------------

@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence(batch_first, padding_side):
    rng = np.random.default_rng(0)
    pairs = [_pair((n, 3), rng) for n in (4, 1, 3)]
    e = E.pad_sequence([p[0] for p in pairs], batch_first=batch_first, padding_value=-1.5, padding_side=padding_side)
    t = T.pad_sequence([p[1] for p in pairs], batch_first=batch_first, padding_value=-1.5, padding_side=padding_side)
    _close(e, t)
    w = rng.standard_normal(tuple(t.shape))
    (e * ember.tensor(w)).sum().backward()
    (t * torch.tensor(w)).sum().backward()
    for a, b in pairs:
        _close(a.grad, b.grad)
    with pytest.raises(ValueError, match="padding_side"):
        E.pad_sequence([pairs[0][0]], padding_side="middle")


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths,enforce_sorted", [([5, 3, 3, 1], True), ([2, 5, 1, 4], False),
                                                    ([3, 3, 3, 3], True), ([1, 1, 2, 1], False)])
@pytest.mark.parametrize("as_tensor", [False, True])
def test_pack_and_pad_round_trip(batch_first, lengths, enforce_sorted, as_tensor):
    rng = np.random.default_rng(1)
    shape = (4, 5, 2) if batch_first else (5, 4, 2)
    x, xt = _pair(shape, rng)
    le = ember.tensor(lengths) if as_tensor else lengths
    lt = torch.tensor(lengths) if as_tensor else lengths
    pe = E.pack_padded_sequence(x, le, batch_first=batch_first, enforce_sorted=enforce_sorted)
    pt = T.pack_padded_sequence(xt, lt, batch_first=batch_first, enforce_sorted=enforce_sorted)
    assert isinstance(pe, E.PackedSequence) and isinstance(pe, tuple)
    _close(pe.data, pt.data)
    assert pe.batch_sizes.tolist() == pt.batch_sizes.tolist() and pe.batch_sizes.dtype == ember.int64
    if enforce_sorted:
        assert pe.sorted_indices is None and pe.unsorted_indices is None
    else:
        assert pe.unsorted_indices.tolist() == pt.unsorted_indices.tolist()
    for total in (None, 7):
        e, el = E.pad_packed_sequence(pe, batch_first=batch_first, padding_value=0.25, total_length=total)
        t, tl = T.pad_packed_sequence(pt, batch_first=batch_first, padding_value=0.25, total_length=total)
        _close(e, t)
        assert el.tolist() == tl.tolist()
    w = rng.standard_normal(tuple(t.shape))
    (e * ember.tensor(w)).sum().backward()
    (t * torch.tensor(w)).sum().backward()
    _close(x.grad, xt.grad)


def test_pack_sequence_unpack_unpad():
    rng = np.random.default_rng(2)
    seqs = [rng.standard_normal((n, 3)) for n in (2, 4, 1)]
    pe = E.pack_sequence([ember.tensor(s) for s in seqs], enforce_sorted=False)
    pt = T.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    _close(pe.data, pt.data)
    for got, want in zip(E.unpack_sequence(pe), seqs):
        np.testing.assert_array_equal(_np(got), want)
    padded = E.pad_sequence([ember.tensor(s) for s in seqs], batch_first=True)
    for got, want in zip(E.unpad_sequence(padded, ember.tensor([2, 4, 1]), batch_first=True), seqs):
        np.testing.assert_array_equal(_np(got), want)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order when `enforce_sorted` is True"):
        E.pack_sequence([ember.tensor(s) for s in seqs])


def test_packing_errors():
    x = ember.zeros(3, 2, 4)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        E.pack_padded_sequence(x, [2, 3])
    with pytest.raises(RuntimeError, match="longer than the sequence"):
        E.pack_padded_sequence(x, [5, 2])
    with pytest.raises(RuntimeError, match="longer than the sequence"):
        E.pack_padded_sequence(x, [2, 5], enforce_sorted=False)
    with pytest.raises(RuntimeError, match="greater than 0"):
        E.pack_padded_sequence(x, [2, 0])
    with pytest.raises(RuntimeError, match=r"Expected `len\(lengths\)` to be equal to batch_size, but got 1"):
        E.pack_padded_sequence(x, [2])
    packed = E.pack_padded_sequence(x, [3, 2])
    with pytest.raises(ValueError, match="Expected total_length to be at least the length of the longest"):
        E.pad_packed_sequence(packed, total_length=2)
    with pytest.raises(TypeError, match="PackedSequence"):
        E.pad_packed_sequence(x)


# ---- the layers on packed input ----------------------------------------------------------------

def _pair_modules(name, kw, dtype=torch.float64):
    torch.manual_seed(0)
    tm = getattr(torch.nn, name)(3, 5, **kw).to(dtype)
    em = getattr(ember.nn, name)(3, 5, **kw, dtype=ember.float64 if dtype == torch.float64 else ember.float32)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    return em, tm


@pytest.mark.parametrize("name,kw", [("LSTM", {}), ("LSTM", {"num_layers": 2, "bidirectional": True}),
                                     ("LSTM", {"proj_size": 2, "bidirectional": True}),
                                     ("GRU", {"bidirectional": True}), ("GRU", {"num_layers": 3}),
                                     ("RNN", {"bidirectional": True, "num_layers": 2}),
                                     ("RNN", {"nonlinearity": "relu"})], ids=str)
@pytest.mark.parametrize("enforce_sorted,lengths", [(True, [6, 4, 4, 1]), (False, [3, 6, 1, 5])])
@pytest.mark.parametrize("with_state", [False, True])
def test_layer_on_packed_input(name, kw, enforce_sorted, lengths, with_state):
    rng = np.random.default_rng(3)
    em, tm = _pair_modules(name, kw)
    x, xt = _pair((6, 4, 3), rng)
    pe = E.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
    pt = T.pack_padded_sequence(xt, lengths, enforce_sorted=enforce_sorted)
    D, L = (2 if kw.get("bidirectional") else 1), kw.get("num_layers", 1)
    states = []
    e_hx = t_hx = None
    if with_state:
        states.append(_pair((D * L, 4, kw.get("proj_size", 0) or 5), rng))
        if name == "LSTM":
            states.append(_pair((D * L, 4, 5), rng))
            e_hx, t_hx = tuple(s[0] for s in states), tuple(s[1] for s in states)
        else:
            e_hx, t_hx = states[0]
    eo, eh = em(pe, e_hx)
    to, th = tm(pt, t_hx)
    assert isinstance(eo, E.PackedSequence)
    _close(eo.data, to.data)
    e_pad, _ = E.pad_packed_sequence(eo, batch_first=True)
    t_pad, _ = T.pad_packed_sequence(to, batch_first=True)
    _close(e_pad, t_pad)
    for b, n in enumerate(lengths):  # zero past each sequence's length
        assert not np.any(_np(e_pad)[b, n:])
    e_states = list(eh) if name == "LSTM" else [eh]
    t_states = list(th) if name == "LSTM" else [th]
    for a, b in zip(e_states, t_states):
        _close(a, b)
    outs_e, outs_t = [e_pad, *e_states], [t_pad, *t_states]
    ws = [rng.standard_normal(tuple(t.shape)) for t in outs_t]
    sum((a * ember.tensor(w)).sum() for a, w in zip(outs_e, ws)).backward()
    sum((b * torch.tensor(w)).sum() for b, w in zip(outs_t, ws)).backward()
    _close(x.grad, xt.grad)
    for a, b in states:
        _close(a.grad, b.grad)
    tp = dict(tm.named_parameters())
    for n, p in em.named_parameters():
        _close(p.grad, tp[n].grad, atol=1e-9)


def test_packed_final_state_is_each_sequences_last_step():
    """h_n of a packed batch equals each sequence run alone (no padding reaches it)."""
    gru = ember.nn.GRU(3, 4, bidirectional=True, dtype=ember.float64)
    seqs = [ember.randn(n, 3, dtype=ember.float64) for n in (5, 2, 4)]
    _, h_n = gru(E.pack_sequence(seqs, enforce_sorted=False))
    for b, s in enumerate(seqs):
        _, h_alone = gru(s)
        np.testing.assert_allclose(_np(h_n[:, b]), _np(h_alone), atol=1e-12)


def test_packed_gradcheck():
    lstm = ember.nn.LSTM(2, 3, bidirectional=True, dtype=ember.float64)
    x = ember.randn(4, 3, 2, dtype=ember.float64, requires_grad=True)
    h0 = ember.randn(2, 3, 3, dtype=ember.float64, requires_grad=True)
    c0 = ember.randn(2, 3, 3, dtype=ember.float64, requires_grad=True)

    def fn(x, h0, c0, *ps):
        out, (h, c) = lstm(E.pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False), (h0, c0))
        return E.pad_packed_sequence(out)[0], h, c

    assert ember.autograd.gradcheck(fn, (x, h0, c0, *lstm.parameters()))
    assert ember.autograd.gradgradcheck(fn, (x, h0, c0, *lstm.parameters()))


def test_packed_errors():
    lstm = ember.nn.LSTM(3, 5, num_layers=2)
    packed = E.pack_padded_sequence(ember.randn(4, 3, 3), [4, 2, 1])
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(2, 3, 5\), got \[1, 3, 5\]"):
        lstm(packed, (ember.zeros(1, 3, 5), ember.zeros(2, 3, 5)))
    bad = E.pack_padded_sequence(ember.randn(4, 3, 2), [4, 2, 1])
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 3, got 2"):
        lstm(bad)


# ---- training ------------------------------------------------------------------------------------

def _word_lm(nn, vocab, emb, hidden, layers):
    """A word-level LSTM language model, written once for either library (nn is torch.nn or
    ember.nn): the code a torch user writes."""

    class WordLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab, emb)
            self.lstm = nn.LSTM(emb, hidden, num_layers=layers, batch_first=True)
            self.decoder = nn.Linear(hidden, vocab)

        def forward(self, tokens, state=None):
            out, state = self.lstm(self.embed(tokens), state)
            return self.decoder(out), state

    return WordLM()


def _lm_losses(L, model, stream, steps, bptt, batch, vocab):
    """Trains with truncated BPTT (the carried state detached between chunks) and gradient
    clipping, as torch's word_language_model example; returns the losses."""
    opt = L.optim.SGD(model.parameters(), lr=0.5)
    loss_fn = L.nn.CrossEntropyLoss()
    data = L.tensor(stream.reshape(batch, -1))
    state, losses = None, []
    for step in range(steps):
        i = (step * bptt) % (data.shape[1] - bptt - 1)
        x, y = data[:, i:i + bptt], data[:, i + 1:i + 1 + bptt]
        if state is not None:
            state = tuple(s.detach() for s in state)
        logits, state = model(x, state)
        loss = loss_fn(logits.reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        L.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        opt.step()
        losses.append(float(loss.item()))
    return losses


def test_word_lm_training_follows_torch():
    vocab, batch, bptt = 30, 4, 6
    rng = np.random.default_rng(5)
    # A stream with structure to learn: each word mostly follows from the one before.
    stream = [0]
    for _ in range(batch * 60 - 1):
        stream.append((stream[-1] * 7 + 3) % vocab if rng.random() < 0.8 else int(rng.integers(vocab)))
    stream = np.array(stream, dtype=np.int64)
    torch.manual_seed(0)
    tm = _word_lm(torch.nn, vocab, 16, 24, 2)
    em = _word_lm(ember.nn, vocab, 16, 24, 2)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    t_losses = _lm_losses(torch, tm, stream, 20, bptt, batch, vocab)
    e_losses = _lm_losses(ember, em, stream, 20, bptt, batch, vocab)
    np.testing.assert_allclose(e_losses, t_losses, rtol=2e-3, atol=2e-4)
    assert e_losses[-1] < e_losses[0]


def test_truncated_bptt_stops_at_the_detached_state():
    lstm = ember.nn.LSTM(2, 3)
    x1, x2 = ember.randn(4, 1, 2, requires_grad=True), ember.randn(4, 1, 2)
    _, state = lstm(x1)
    out, _ = lstm(x2, tuple(s.detach() for s in state))
    out.sum().backward()
    assert x1.grad is None
    assert all(p.grad is not None for p in lstm.parameters())


def test_clip_grad_norm_on_lstm_matches_torch():
    em, tm = _pair_modules("LSTM", {"num_layers": 2})
    x = np.random.default_rng(6).standard_normal((5, 2, 3))
    (em(ember.tensor(x))[0] ** 2).sum().backward()
    (tm(torch.tensor(x))[0] ** 2).sum().backward()
    ne = ember.nn.utils.clip_grad_norm_(em.parameters(), 0.1)
    nt = torch.nn.utils.clip_grad_norm_(tm.parameters(), 0.1)
    np.testing.assert_allclose(float(ne), float(nt), rtol=1e-9)
    tp = dict(tm.named_parameters())
    for n, p in em.named_parameters():
        _close(p.grad, tp[n].grad)


def test_cell_stepped_in_a_python_loop_trains():
    """LSTMCell stepped from Python, as a decoder loop: gradients reach every step's input."""
    cell = ember.nn.LSTMCell(3, 4)
    xs = [ember.randn(2, 3, requires_grad=True) for _ in range(6)]
    h = c = None
    state = None
    for x in xs:
        h, c = cell(x, state)
        state = (h, c)
    h.sum().backward()
    assert all(x.grad is not None and float(x.grad.abs().sum()) > 0 for x in xs)

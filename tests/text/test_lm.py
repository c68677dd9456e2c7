"""ember.text's language-modelling helpers: batchify and BPTT chunks against NumPy and the PyTorch
word_language_model example's code, sampling (seeded reproducibility, top_k=1 is greedy, small
temperatures approach greedy, draws follow the softmax, stateful and stateless models agree),
perplexity, and bad inputs."""
import math

import numpy as np
import pytest

import ember
from ember import nn
import ember.nn.functional as F
from ember.text import batchify, bptt_batches, get_batch, perplexity, sample

# ---- batchify / BPTT ----------------------------------------------------------------------------


@pytest.mark.parametrize("n,bsz", [(10, 3), (12, 4), (7, 7), (100, 1), (23, 5)])
def test_batchify_matches_numpy(n, bsz):
    data = np.random.default_rng(n).integers(0, 50, n)
    out = batchify(ember.tensor(data), bsz)
    ref = data[: n // bsz * bsz].reshape(bsz, -1).T  # column j is the j-th contiguous stretch
    assert out.dtype == ember.int64 and out.is_contiguous() and tuple(out.shape) == ref.shape
    np.testing.assert_array_equal(out.numpy(), ref)
    np.testing.assert_array_equal(batchify(data.tolist(), bsz).numpy(), ref)


@pytest.mark.parametrize("n,bsz,bptt", [(50, 4, 5), (41, 3, 7), (10, 2, 100), (9, 1, 1)])
def test_bptt_chunks_match_numpy(n, bsz, bptt):
    source = batchify(ember.arange(n), bsz)
    s = source.numpy()
    chunks = list(bptt_batches(source, bptt))
    starts = list(range(0, s.shape[0] - 1, bptt))
    assert len(chunks) == len(starts)
    for i, (x, y) in zip(starts, chunks):
        length = min(bptt, s.shape[0] - 1 - i)
        np.testing.assert_array_equal(x.numpy(), s[i:i + length])
        np.testing.assert_array_equal(y.numpy(), s[i + 1:i + 1 + length].reshape(-1))
        _, yg = get_batch(source, i, bptt, flatten_target=False)
        np.testing.assert_array_equal(yg.numpy(), s[i + 1:i + 1 + length])
    # Every row but the last is an input once; every row but the first a target once.
    np.testing.assert_array_equal(np.concatenate([x.numpy() for x, _ in chunks]), s[:-1])


def test_batchify_and_get_batch_match_the_pytorch_example(torch):
    def torch_batchify(data, bsz):  # word_language_model/main.py
        nbatch = data.size(0) // bsz
        data = data.narrow(0, 0, nbatch * bsz)
        return data.view(bsz, -1).t().contiguous()

    def torch_get_batch(source, i, bptt):
        seq_len = min(bptt, len(source) - 1 - i)
        return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].view(-1)

    data = np.random.default_rng(0).integers(0, 1000, 1234)
    ours, theirs = batchify(ember.tensor(data), 20), torch_batchify(torch.tensor(data), 20)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    for i in range(0, theirs.size(0) - 1, 35):
        for a, b in zip(get_batch(ours, i, 35), torch_get_batch(theirs, i, 35)):
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_batching_bad_inputs():
    with pytest.raises(ValueError, match="3 tokens cannot fill one row of batch_size 4"):
        batchify(ember.arange(3), 4)
    with pytest.raises(ValueError, match="batch_size must be an int >= 1, got 0"):
        batchify(ember.arange(3), 0)
    with pytest.raises(ValueError, match="1-D token stream, got shape \\(2, 3\\)"):
        batchify(ember.zeros(2, 3, dtype=ember.int64), 2)
    with pytest.raises(TypeError, match="integer token indices, got dtype ember.float32"):
        batchify(ember.zeros(6), 2)
    with pytest.raises(TypeError, match="integer token indices, got dtype ember.bool"):
        batchify(ember.zeros(6, dtype=ember.bool), 2)
    source = batchify(ember.arange(10), 2)
    with pytest.raises(ValueError, match="i must be an int in \\[0, 4\\)"):
        get_batch(source, 4, 2)
    with pytest.raises(ValueError, match="bptt must be an int >= 1, got 0"):
        bptt_batches(source, 0)  # raised at the call, not at the first next()
    with pytest.raises(TypeError, match="from batchify, got list"):
        get_batch([[1, 2]], 0, 1)


# ---- models for sampling -------------------------------------------------------------------


class FixedLogits:
    """Stateless: the same logits at every position, (seq, batch, V)."""

    def __init__(self, logits):
        self.logits = ember.tensor(logits, dtype=ember.float64)

    def __call__(self, x):
        return self.logits.expand(x.shape[0], x.shape[1], self.logits.shape[0])


class TinyRNN(nn.Module):
    """word_language_model's RNNModel shape: forward(input, hidden) -> (log-probs flattened to
    (seq * batch, V), hidden), with init_hidden(bsz); a tanh RNN written with ember ops."""

    def __init__(self, ntoken=7, ninp=5, nhid=6):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.ih, self.hh = nn.Linear(ninp, nhid), nn.Linear(nhid, nhid)
        self.decoder = nn.Linear(nhid, ntoken)
        self.ntoken, self.nhid, self.calls = ntoken, nhid, []

    def init_hidden(self, bsz):
        return ember.zeros(bsz, self.nhid)

    def forward(self, input, hidden):
        self.calls.append(tuple(input.shape))
        emb, outs = self.encoder(input), []
        for t in range(input.shape[0]):
            hidden = ember.tanh(self.ih(emb[t]) + self.hh(hidden))
            outs.append(hidden)
        decoded = self.decoder(ember.stack(outs)).reshape(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden


class Stateless(nn.Module):
    """The same network run from a zero state over the whole input at every call."""

    def __init__(self, rnn, batch_first=False):
        super().__init__()
        self.rnn, self.batch_first = rnn, batch_first

    def forward(self, x):
        if self.batch_first:
            x = x.t()
        out = self.rnn(x, self.rnn.init_hidden(x.shape[1]))[0].reshape(x.shape[0], x.shape[1], -1)
        return out.transpose(0, 1) if self.batch_first else out


def seeded(seed):
    g = ember.Generator()
    g.manual_seed(seed)
    return g


def greedy_reference(model, prompt, length):
    """argmax decoding written out with NumPy over a stateless (seq, batch, V) model."""
    seq = np.array(prompt)[:, None]
    for _ in range(length):
        logits = model(ember.tensor(seq)).detach().numpy()[-1, 0]
        seq = np.concatenate([seq, [[int(np.argmax(logits))]]])
    return seq[:, 0].tolist()


# ---- sampling ----------------------------------------------------------------------------------


def test_seeded_generator_repeats_and_different_seeds_differ():
    ember.manual_seed(0)
    model = TinyRNN()
    runs = [sample(model, [1, 2], 40, generator=seeded(s)).tolist() for s in (7, 7, 8)]
    assert runs[0] == runs[1] and runs[0] != runs[2]
    assert runs[0][:2] == [1, 2] and len(runs[0]) == 42
    assert all(0 <= t < 7 for t in runs[0])
    ember.manual_seed(3)  # generator=None draws from ember's default generator
    a = sample(model, [1], 30).tolist()
    ember.manual_seed(3)
    assert sample(model, [1], 30).tolist() == a


@pytest.mark.parametrize("seed", range(3))
def test_top_k_1_is_greedy_and_small_temperature_approaches_it(seed):
    ember.manual_seed(seed)
    model = Stateless(TinyRNN())
    prompt = [seed % 7, 3]
    greedy = greedy_reference(model, prompt, 25)
    assert sample(model, prompt, 25, top_k=1, generator=seeded(seed)).tolist() == greedy
    assert sample(model, prompt, 25, temperature=1e-4, generator=seeded(seed)).tolist() == greedy
    assert sample(model.rnn, prompt, 25, top_k=1).tolist() == greedy  # the stateful form too
    assert sample(model, prompt, 25, temperature=1e-310, generator=seeded(seed)).tolist() == greedy


@pytest.mark.parametrize("temperature,top_k", [(1.0, None), (0.5, None), (2.0, None), (1.0, 3),
                                               (0.7, 2), (1.0, 100)])
def test_draws_follow_the_softmax(temperature, top_k):
    logits = np.array([2.0, 1.0, 0.5, 0.5, -1.0, -3.0])
    n = 40000
    out = sample(FixedLogits(logits), ember.zeros(1, n, dtype=ember.int64), 1,
                 temperature=temperature, top_k=top_k, generator=seeded(123))
    counts = np.bincount(out[1].numpy(), minlength=logits.size)
    z = logits / temperature
    if top_k is not None and top_k < logits.size:
        z = np.where(z >= np.sort(z)[-top_k], z, -np.inf)
    p = np.exp(z - z.max())
    p /= p.sum()
    freq = counts / n
    # 5 standard errors of a binomial proportion (plus a little for p ~ 0); filtered tokens: none.
    np.testing.assert_array_less(np.abs(freq - p), 5 * np.sqrt(p * (1 - p) / n) + 1e-4)
    assert np.all(counts[p == 0] == 0)


def test_top_k_keeps_ties_with_the_kth_logit():
    out = sample(FixedLogits([1.0, 3.0, 1.0, 0.0]), ember.zeros(1, 4000, dtype=ember.int64), 1,
                 top_k=2, generator=seeded(0))
    counts = np.bincount(out[1].numpy(), minlength=4)
    assert counts[3] == 0 and counts[0] > 0 and counts[2] > 0  # 1.0 twice: both kept


@pytest.mark.parametrize("batch_first", [False, True])
def test_stateful_and_stateless_forms_draw_the_same_text(batch_first):
    ember.manual_seed(1)
    rnn = TinyRNN()
    prompt = ember.tensor([[1, 2, 3], [4, 5, 6]])  # (seq 2, batch 3)
    if batch_first:
        prompt = prompt.t()
    stateless = sample(Stateless(rnn, batch_first), prompt, 12, temperature=0.9, top_k=5,
                       generator=seeded(5), batch_first=batch_first)
    if batch_first:  # a batch-first stateful model
        class BatchFirst:
            def init_hidden(self, bsz):
                return rnn.init_hidden(bsz)

            def __call__(self, x, h):
                out, h = rnn(x.t(), h)
                return out.reshape(x.shape[1], x.shape[0], -1).transpose(0, 1), h
        model = BatchFirst()
    else:
        model = rnn
    rnn.calls.clear()
    stateful = sample(model, prompt, 12, temperature=0.9, top_k=5, generator=seeded(5),
                      batch_first=batch_first)
    assert tuple(stateful.shape) == ((3, 14) if batch_first else (14, 3))
    assert stateful.tolist() == stateless.tolist()
    np.testing.assert_array_equal((stateful.t() if batch_first else stateful).numpy()[:2],
                                  [[1, 2, 3], [4, 5, 6]])
    assert rnn.calls == [(2, 3)] + [(1, 3)] * 11  # the prompt once, then one token per call


def test_state_forms_chosen_by_the_model_and_hidden():
    class Returns:  # model(x) -> (logits, hidden), no init_hidden: detected at the first call
        def __init__(self):
            self.hiddens = []

        def __call__(self, x, hidden=None):
            self.hiddens.append(hidden)
            step = 0 if hidden is None else hidden + 1
            return ember.ones(x.shape[0], x.shape[1], 4), step
    m = Returns()
    assert sample(m, [0, 1, 2], 3, generator=seeded(0)).shape == (6,)
    assert m.hiddens == [None, 0, 1]
    m = Returns()
    sample(m, [0], 2, hidden=10, generator=seeded(0))
    assert m.hiddens == [10, 11]
    seen = []
    stateless = FixedLogits([0.0, 1.0])
    sample(lambda x: seen.append(x.shape[0]) or stateless(x), [0, 1, 0], 4, max_context=4)
    assert seen == [3, 4, 4, 4]
    assert sample(stateless, [1], 0).tolist() == [1]


def test_word_language_model_with_an_lstm():
    if not hasattr(nn, "LSTM"):
        pytest.skip("ember.nn.LSTM is not built yet")

    class RNNModel(nn.Module):  # PyTorch's word_language_model/model.py, LSTM branch
        def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.5):
            super().__init__()
            self.ntoken = ntoken
            self.drop = nn.Dropout(dropout)
            self.encoder = nn.Embedding(ntoken, ninp)
            self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
            self.decoder = nn.Linear(nhid, ntoken)
            self.nhid, self.nlayers = nhid, nlayers

        def forward(self, input, hidden):
            emb = self.drop(self.encoder(input))
            output, hidden = self.rnn(emb, hidden)
            decoded = self.decoder(self.drop(output)).view(-1, self.ntoken)
            return F.log_softmax(decoded, dim=1), hidden

        def init_hidden(self, bsz):
            return (ember.zeros(self.nlayers, bsz, self.nhid), ember.zeros(self.nlayers, bsz, self.nhid))

    ember.manual_seed(0)
    model = RNNModel(11, 8, 16, 2)
    model.eval()
    a = sample(model, [1, 2, 3], 20, temperature=0.8, generator=seeded(2))
    b = sample(model, [1, 2, 3], 20, temperature=0.8, generator=seeded(2))
    assert a.tolist() == b.tolist() and a.shape == (23,)


def test_sampling_bad_inputs():
    m = FixedLogits([0.0, 1.0])
    for t in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
            sample(m, [0], 1, temperature=t)
    with pytest.raises(ValueError, match="top_k must be None or an int >= 1, got 0"):
        sample(m, [0], 1, top_k=0)
    with pytest.raises(ValueError, match="length must be an int >= 0, got -1"):
        sample(m, [0], -1)
    with pytest.raises(TypeError, match="integer indices, got dtype ember.float32"):
        sample(m, ember.tensor([0.5]), 1)
    with pytest.raises(ValueError, match="non-empty"):
        sample(m, [], 1)
    with pytest.raises(TypeError, match="list of int indices"):
        sample(m, ["a"], 1)
    with pytest.raises(TypeError, match="ember.Generator"):
        sample(m, [0], 1, generator=np.random.default_rng(0))
    with pytest.raises(TypeError, match="model must be callable"):
        sample("model", [0], 1)
    with pytest.raises(ValueError, match="returned logits of shape \\(5, 2\\).*expected 1 rows"):
        sample(lambda x: ember.zeros(5, 2), [0], 1)
    with pytest.raises(ValueError, match="at step 0 give probabilities that are NaN"):
        sample(FixedLogits([0.0, float("nan")]), [0], 1)
    with pytest.raises(ValueError, match="at step 0 give probabilities that are NaN"):
        sample(FixedLogits([float("-inf")] * 3), [0], 2)
    with pytest.raises(ValueError, match="must return \\(logits, hidden\\), got tuple of length 3"):
        sample(lambda x, h=None: (ember.zeros(1, 1, 2), h, 0), [0], 1, stateful=True)


# ---- perplexity ---------------------------------------------------------------------------------


def test_perplexity_is_exp_of_the_mean_loss():
    assert perplexity(2.5) == math.exp(2.5)
    assert perplexity(0) == 1.0
    assert perplexity([1.0, 2.0, 4.5]) == pytest.approx(math.exp(2.5), rel=1e-15)
    losses = np.random.default_rng(0).uniform(0, 6, 100)
    assert perplexity(ember.tensor(losses)) == pytest.approx(math.exp(losses.mean()), rel=1e-12)
    assert perplexity(ember.tensor(3.0, requires_grad=True)) == pytest.approx(math.exp(3.0), rel=1e-6)
    assert perplexity(1000.0) == math.inf


def test_perplexity_of_cross_entropy_and_of_a_uniform_model():
    rng = np.random.default_rng(1)
    logits, target = rng.standard_normal((64, 10)), rng.integers(0, 10, 64)
    loss = F.cross_entropy(ember.tensor(logits), ember.tensor(target))
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    assert perplexity(loss) == pytest.approx(math.exp(-logp[np.arange(64), target].mean()), rel=1e-6)
    uniform = F.cross_entropy(ember.zeros(8, 37), ember.tensor(rng.integers(0, 37, 8)))
    assert perplexity(uniform) == pytest.approx(37.0, rel=1e-5)  # as many choices as the vocabulary


def test_perplexity_bad_inputs():
    with pytest.raises(TypeError, match="number or a tensor, got str"):
        perplexity("2.0")
    with pytest.raises(ValueError, match="empty tensor"):
        perplexity(ember.zeros(0))
    with pytest.raises(TypeError, match="non-empty sequence of numbers"):
        perplexity([])

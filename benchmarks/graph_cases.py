"""The benchmark cases of ember.compile (issue 18): a training step captured once and replayed in C++,
timed against the same step in torch eager. Each setup takes the library module and returns the
callable to time; for ember the step is wrapped in ember.compile and called once before timing (the
capture), for torch it runs as written (benchmarks/run.py lists them in CASES)."""

from inputs import randint, randn

GRAPH_CHAIN_OPS = 20


# ember.compile's options for the rows without pointwise fusion (the same replay before fusion).
NO_FUSION = {"pointwise_fusion": False}


def _compiled(m, step, options=None):
    """ember: the step compiled and captured; torch: the step itself."""
    if m.__name__ != "ember":
        return step
    compiled = m.compile(step, fullgraph=True, options=options)
    compiled()
    return compiled


def chain_replayed(m, options=None, n=16):
    """20 small ops on 16 elements and backward through them (what the eager per-op cost is measured on)."""
    x = randn(m, n).requires_grad_()
    w = randn(m, n)

    def step():
        y = x
        for _ in range(GRAPH_CHAIN_OPS // 4):
            y = ((y * w + 0.5).tanh() - y).exp()
        y.sum().backward()
        x.grad = None

    return _compiled(m, step, options)


def chain_replayed_unfused(m):
    return chain_replayed(m, NO_FUSION)


GRAPH_CHAIN_BIG = 1 << 20


def chain_big_replayed(m, options=None):
    """The 20-op chain and its backward on 1M elements: memory-bound, where fusion saves passes."""
    return chain_replayed(m, options, GRAPH_CHAIN_BIG)


def chain_big_replayed_unfused(m):
    return chain_big_replayed(m, NO_FUSION)


def mlp_adam_replayed(m):
    """MLP 784-256-128-10 (ReLU) on a batch of 128: forward, cross-entropy, backward, Adam."""
    nn = m.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = m.optim.Adam(model.parameters(), lr=1e-3)
    x, y = randn(m, 128, 784), randint(m, 10, 128)

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return _compiled(m, step)


# benchmarks/run.py's char-LM step (Embedding(100, 64) -> LSTM(64, 256) -> Linear(256, 100), a (100, 32)
# chunk, clip_grad_norm_, Adam), with the carried state passed in and out so a replay carries it too.
LM_VOCAB, LM_EMBED, LM_HIDDEN, LM_STEPS, LM_BATCH = 100, 64, 256, 100, 32


def char_lm_replayed(m, options=None):
    nn = m.nn
    embed, rnn, head = nn.Embedding(LM_VOCAB, LM_EMBED), nn.LSTM(LM_EMBED, LM_HIDDEN), nn.Linear(LM_HIDDEN, LM_VOCAB)
    params = [*embed.parameters(), *rnn.parameters(), *head.parameters()]
    opt = m.optim.Adam(params, lr=2e-3)
    x = m.randint(0, LM_VOCAB, (LM_STEPS, LM_BATCH))
    y = m.randint(0, LM_VOCAB, (LM_STEPS * LM_BATCH,))

    def step(h, c):
        out, (h, c) = rnn(embed(x), (h, c))
        loss = nn.functional.cross_entropy(head(out).reshape(-1, LM_VOCAB), y)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return h.detach(), c.detach()

    if m.__name__ == "ember":
        step = m.compile(step, fullgraph=True, options=options)
    state = [m.zeros(1, LM_BATCH, LM_HIDDEN), m.zeros(1, LM_BATCH, LM_HIDDEN)]

    def run():
        state[:] = step(*state)

    run()  # ember: the capture
    return run


def char_lm_replayed_unfused(m):
    return char_lm_replayed(m, NO_FUSION)

"""Sampling text from a language model (temperature, top-k) and perplexity."""
import math

import ember


def _top_k_filter(logits, k):
    """Sets every logit below the k-th largest of its row to -inf (ties with it are kept)."""
    if k >= logits.shape[-1]:
        return logits
    kth = logits.topk(k).values.narrow(-1, k - 1, 1)
    return logits.masked_fill(logits < kth, float("-inf"))


def _as_tokens(start_tokens):
    if isinstance(start_tokens, ember.Tensor):
        tokens = start_tokens
    else:
        try:
            tokens = ember.tensor(list(start_tokens), dtype=ember.int64)
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(f"sample: start_tokens must be a list of int indices or an integer "
                            f"tensor, got {start_tokens!r:.80}") from None
    if tokens.is_floating_point() or tokens.dtype == ember.bool:
        raise TypeError(f"sample: start_tokens must hold integer indices, got dtype {tokens.dtype}")
    if tokens.dim() not in (1, 2) or tokens.numel() == 0:
        raise ValueError(f"sample: start_tokens must be a non-empty 1-D sequence or a 2-D (seq, "
                         f"batch) / (batch, seq) tensor, got shape {tuple(tokens.shape)}")
    return tokens.to(ember.int64)


def _last_logits(out, seq, batch, batch_first):
    """The (batch, V) logits of the last position from a model's output, which may be (seq, batch,
    V) / (batch, seq, V), or flattened to (seq * batch, V) as word_language_model's RNNModel."""
    if isinstance(out, (tuple, list)):
        out = out[0]
    if not isinstance(out, ember.Tensor) or not out.is_floating_point() or out.dim() not in (2, 3):
        got = f"shape {tuple(out.shape)}" if isinstance(out, ember.Tensor) else type(out).__name__
        raise ValueError(f"sample: the model must return floating logits of shape (seq, batch, V), "
                         f"(batch, seq, V) with batch_first, or (seq * batch, V); got {got}")
    vocab = out.shape[-1]
    if out.numel() != seq * batch * vocab:
        raise ValueError(f"sample: the model returned logits of shape {tuple(out.shape)} for an "
                         f"input of {seq} steps and batch {batch}; expected {seq * batch} rows of "
                         f"V logits")
    if batch_first:
        return out.reshape(batch, seq, vocab).select(1, seq - 1)
    return out.reshape(seq, batch, vocab).select(0, seq - 1)


def sample(model, start_tokens, length, temperature=1.0, top_k=None, generator=None, *,
           hidden=None, batch_first=False, stateful=None, max_context=None):
    r"""Continues ``start_tokens`` by ``length`` tokens drawn from ``model``'s predictions.

    At each step the logits of the last position are divided by ``temperature``, all but the
    ``top_k`` largest are set to -inf (ties with the k-th are kept), and a token is drawn from
    their softmax with ``generator`` (ember's default generator if None), so a seeded generator
    repeats the same text. Runs under ``ember.no_grad()``; call ``model.eval()`` first if it has
    dropout.

    The model takes an int64 index tensor of shape ``(seq, batch)`` (``(batch, seq)`` with
    ``batch_first=True``) and returns logits (or log-probabilities) of shape ``(seq, batch, V)``
    (``(batch, seq, V)``), or flattened to ``(seq * batch, V)``. It is called in one of two forms:

    * **stateful** ``(logits, hidden) = model(x, hidden)``, as PyTorch's word_language_model
      ``RNNModel`` (Embedding → LSTM → Linear): the prompt is fed once, then one token per call,
      carrying the hidden state. Used when ``hidden`` is given, when the model has an
      ``init_hidden(batch_size)`` method (called to make the first state), or when
      ``model(x)`` returns a ``(logits, hidden)`` tuple.
    * **stateless** ``logits = model(x)``: the whole sequence so far (its last ``max_context``
      steps, if given) is fed at every step.

    ``stateful=True`` / ``False`` forces one form.

    Args:
        model: a callable (e.g. an ember.nn.Module) as above.
        start_tokens: the prompt: a non-empty list of indices or 1-D tensor (one sequence), or a
            2-D integer tensor ``(seq, batch)`` (``(batch, seq)`` with ``batch_first``).
        length: the number of tokens to add.
        temperature: > 0; below 1 sharpens the distribution (towards greedy), above 1 flattens it.
        top_k: keep only the k most likely tokens; ``top_k=1`` is greedy (argmax). None: all.
        generator: an ``ember.Generator``, or None for ember's default one.
        hidden: the initial hidden state of a stateful model.
        batch_first: the layout of the model's input and output, and of a 2-D ``start_tokens``.
        stateful: force the stateful (True) or stateless (False) form; None decides as above.
        max_context: feed the model at most this many last steps (of the prompt, and of the
            growing sequence in the stateless form). None: all of them.

    Returns:
        An int64 tensor holding the prompt followed by the ``length`` new tokens: 1-D for a 1-D
        prompt, else ``(seq + length, batch)`` (``(batch, seq + length)`` with ``batch_first``).

    Example::

        >>> vocab = Vocab("hello world", specials=())
        >>> model = ember.nn.Sequential(ember.nn.Embedding(len(vocab), 8), ember.nn.Linear(8, len(vocab)))
        >>> g = ember.Generator().manual_seed(0)
        >>> ids = sample(model, vocab.encode(list("he")), 5, temperature=0.8, top_k=3, generator=g)
        >>> ids.shape   # the prompt's 2 tokens and 5 new ones
        ember.Size([7])
        >>> text = "".join(vocab.decode(ids))
    """
    if not callable(model):
        raise TypeError(f"sample: model must be callable, got {type(model).__name__}")
    tokens = _as_tokens(start_tokens)
    if isinstance(length, bool) or not isinstance(length, int) or length < 0:
        raise ValueError(f"sample: length must be an int >= 0, got {length!r}")
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or \
            not temperature > 0 or math.isinf(temperature):
        raise ValueError(f"sample: temperature must be a finite number > 0, got {temperature!r} "
                         f"(for greedy decoding use top_k=1)")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"sample: top_k must be None or an int >= 1, got {top_k!r}")
    if max_context is not None and (isinstance(max_context, bool) or
                                    not isinstance(max_context, int) or max_context < 1):
        raise ValueError(f"sample: max_context must be None or an int >= 1, got {max_context!r}")
    if generator is not None and not isinstance(generator, ember.Generator):
        raise TypeError(f"sample: generator must be an ember.Generator or None, got "
                        f"{type(generator).__name__}")

    one_sequence = tokens.dim() == 1
    seq_dim = 1 if batch_first else 0
    if one_sequence:
        tokens = tokens.unsqueeze(1 - seq_dim)
    if length == 0:
        return tokens.squeeze(1 - seq_dim) if one_sequence else tokens.clone()
    batch = tokens.shape[1 - seq_dim]

    def context(x):
        return x if max_context is None else _tail(x, seq_dim, max_context)

    steps = [tokens]  # chunks along seq_dim
    with ember.no_grad():
        out = None
        if stateful is None:
            stateful = hidden is not None or hasattr(model, "init_hidden")
            if not stateful:  # the first call tells
                out = model(context(tokens))
                stateful = isinstance(out, (tuple, list))
                if stateful:
                    out, hidden = _split(out)
        if out is None and stateful:
            if hidden is None and hasattr(model, "init_hidden"):
                hidden = model.init_hidden(batch)
            out, hidden = _split(model(context(tokens), hidden) if hidden is not None
                                 else model(context(tokens)))
        elif out is None:
            out = model(context(tokens))
        seq = context(tokens).shape[seq_dim]
        for step in range(length):
            logits = _last_logits(out, seq, batch, batch_first).to(ember.float64)
            # Shifted so the largest is 0 first: a tiny temperature cannot overflow to inf.
            logits = (logits - logits.amax(-1, keepdim=True)) / temperature
            if top_k is not None:
                logits = _top_k_filter(logits, top_k)
            probs = ember.softmax(logits, -1)
            if not bool(ember.isfinite(probs).all()):  # multinomial refuses these too; say why
                raise ValueError(f"sample: the model's logits at step {step} give probabilities "
                                 f"that are NaN or infinite (NaN or +inf logits, or a row all -inf)")
            nxt = ember.multinomial(probs, 1, generator=generator)  # (batch, 1)
            nxt = nxt.squeeze(1).unsqueeze(seq_dim)
            steps.append(nxt)
            if step == length - 1:
                break
            if stateful:  # one new token, carrying the state
                out, hidden = _split(model(nxt, hidden))
                seq = 1
            else:  # the whole (recent) sequence again
                x = context(ember.cat(steps, seq_dim))
                out, seq = model(x), x.shape[seq_dim]
    result = ember.cat(steps, seq_dim)
    return result.squeeze(1 - seq_dim) if one_sequence else result


def _split(out):
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise ValueError(f"sample: a stateful model must return (logits, hidden), got "
                         f"{type(out).__name__}" + (f" of length {len(out)}" if isinstance(
                             out, (tuple, list)) else ""))
    return out[0], out[1]


def _tail(x, dim, n):
    return x.narrow(dim, max(0, x.shape[dim] - n), min(n, x.shape[dim]))


def perplexity(loss):
    """``exp(mean cross-entropy)``: the perplexity of a language model whose mean per-token
    cross-entropy (natural log, as ``F.cross_entropy`` computes) is ``loss``.

    Args:
        loss: a number, a sequence of numbers, or a tensor; several values are averaged first
            (pass per-token losses, or per-batch means of equal-sized batches).

    Returns:
        float (``inf`` when the exponential overflows).

    Example::

        >>> round(perplexity(math.log(50.0)), 9)
        50.0
        >>> perplexity(ember.tensor([1.0, 3.0]))  # exp(2)
        7.389...
    """
    if isinstance(loss, ember.Tensor):
        if loss.numel() == 0:
            raise ValueError("perplexity: got an empty tensor")
        mean = loss.detach().to(ember.float64).mean().item()
    elif isinstance(loss, (int, float)) and not isinstance(loss, bool):
        mean = float(loss)
    elif isinstance(loss, (list, tuple)):
        if not loss or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in loss):
            raise TypeError(f"perplexity: expected a non-empty sequence of numbers, got {loss!r:.80}")
        mean = math.fsum(loss) / len(loss)
    else:
        raise TypeError(f"perplexity: expected a number or a tensor, got {type(loss).__name__}")
    try:
        return math.exp(mean)
    except OverflowError:
        return math.inf

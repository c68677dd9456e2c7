"""A character-level language model: Embedding -> LSTM -> Linear, trained on the source of Python's
standard library (found at run time, so every machine has the corpus), with truncated
backpropagation through time. Prints the validation perplexity after each epoch, then samples text
at two temperatures.

Run: python examples/char_lm.py                 # ember, 1 MB of text, 3 epochs
     python examples/char_lm.py --torch         # the same script with PyTorch, to compare
     python examples/char_lm.py --quick         # a few seconds, for tests

The model and training code are written once, against the aliases ``lib``/``nn``/``F``/``optim``
bound at start to ember's modules or torch's. Data preparation (``ember.text.Vocab``,
``batchify``) and sampling (``ember.text.sample``) use ember for both; the torch model is handed
to the sampler through DLPack, without copies.
"""
import argparse
import math
import os
import sys
import time

import ember
from ember import text


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--embedding", type=int, default=64, help="embedding size")
    p.add_argument("--hidden", type=int, default=256, help="LSTM hidden size")
    p.add_argument("--layers", type=int, default=1, help="stacked LSTM layers")
    p.add_argument("--seq-len", type=int, default=100, help="BPTT chunk length")
    p.add_argument("--batch-size", type=int, default=32, help="independent streams per batch")
    p.add_argument("--lr", type=float, default=3e-3, help="Adam's learning rate")
    p.add_argument("--clip", type=float, default=1.0, help="gradient norm clipping")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-bytes", type=int, default=1_000_000,
                   help="characters of standard-library source to read")
    p.add_argument("--valid-fraction", type=float, default=0.1,
                   help="the last part of the text, held out for validation")
    p.add_argument("--sample-len", type=int, default=300, help="characters per sample")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for the library")
    p.add_argument("--torch", action="store_true", help="run the same model and loop with PyTorch")
    p.add_argument("--quick", action="store_true",
                   help="a tiny run for tests: one epoch of a small model on 40 kB (overrides "
                        "the sizes)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (it is off anyway when stdout is not a terminal)")
    args = p.parse_args(argv)
    if args.quick:
        args.epochs, args.embedding, args.hidden, args.layers = 1, 16, 32, 1
        args.seq_len, args.batch_size, args.max_bytes, args.sample_len = 25, 16, 40_000, 80
    return args


# ---- the corpus ---------------------------------------------------------------------------------

def stdlib_text(max_bytes):
    """The standard library's top-level public modules (``Lib/*.py`` without a leading ``_``), in
    sorted order, concatenated and cut at ``max_bytes`` characters. The same text on every run
    of a given Python version."""
    folder = os.path.dirname(os.__file__)
    names = sorted(f for f in os.listdir(folder) if f.endswith(".py") and not f.startswith("_"))
    parts, size = [], 0
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
            parts.append(f.read())
        size += len(parts[-1])
        if size >= max_bytes:
            break
    return "".join(parts)[:max_bytes], len(parts), folder


# ---- progress -----------------------------------------------------------------------------------

class Progress:
    """tqdm when it is installed, else one line redrawn with ``\\r``; silent when stdout is not a
    terminal (logs, pipes, tests) or when disabled."""

    def __init__(self, total, desc, disable=False):
        self.disable = disable or not sys.stdout.isatty()
        self.total, self.desc, self.n, self.start = total, desc, 0, time.perf_counter()
        self.drawn, self.width = 0.0, 0  # when the line was last redrawn, and its length
        self.bar = None
        if not self.disable:
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=total, desc=desc, unit="batch", leave=False)
            except ImportError:
                pass

    def update(self, **info):
        self.n += 1
        if self.disable:
            return
        if self.bar is not None:
            self.bar.set_postfix(info, refresh=False)
            self.bar.update()
            return
        now = time.perf_counter()
        if now - self.drawn < 0.1 and self.n < self.total:  # at most 10 redraws a second
            return
        self.drawn, width = now, 30
        done = int(width * self.n / self.total)
        rate = self.n / max(now - self.start, 1e-9)
        extra = "  ".join(f"{k} {v}" for k, v in info.items())
        line = (f"{self.desc} [{'#' * done}{'.' * (width - done)}] {self.n}/{self.total}  "
                f"{rate:.1f} batch/s  {extra}")
        sys.stdout.write("\r" + line.ljust(self.width))
        self.width = len(line)
        sys.stdout.flush()

    def close(self):
        if self.disable:
            return
        if self.bar is not None:
            self.bar.close()
        else:
            sys.stdout.write("\r" + " " * self.width + "\r")
            sys.stdout.flush()


# ---- the library ------------------------------------------------------------------------------

def main(argv=None):
    args = parse_args(argv)
    if args.torch:
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        import torch.optim as optim

        def to_lib(t):  # an ember tensor (data prepared by ember.text) to a torch one, no copy
            return torch.from_dlpack(t)

        def bptt_batches(source, bptt):  # ember.text.bptt_batches, for torch tensors
            for i in range(0, source.shape[0] - 1, bptt):
                length = min(bptt, source.shape[0] - 1 - i)
                yield source[i:i + length], source[i + 1:i + 1 + length].reshape(-1)

        lib = torch
    else:
        lib = ember
        import ember.nn as nn
        import ember.nn.functional as F
        import ember.optim as optim

        def to_lib(t):
            return t

        bptt_batches = text.bptt_batches
    lib.manual_seed(args.seed)
    lib.set_num_threads(args.threads)
    name = "torch " + lib.__version__ if args.torch else "ember " + ember.__version__

    # ---- data: characters -> indices -> (steps, batch) columns --------------------------------
    corpus, files, folder = stdlib_text(args.max_bytes)
    n_valid = int(len(corpus) * args.valid_fraction)
    train_text, valid_text = corpus[:len(corpus) - n_valid], corpus[len(corpus) - n_valid:]
    # Characters seen fewer than 5 times in the training text (a few non-ASCII ones) become <unk>.
    vocab = text.Vocab(train_text, min_freq=5, specials=["<unk>"])
    train = to_lib(text.batchify(vocab.encode(list(train_text)), args.batch_size))
    valid = to_lib(text.batchify(vocab.encode(list(valid_text)), args.batch_size))
    print(f"{name}, {args.threads} threads | corpus: {len(corpus):,} characters from {files} "
          f"modules in {folder} | vocabulary {len(vocab)} | train {train.numel():,} / validation "
          f"{valid.numel():,} characters")

    # ---- the model -----------------------------------------------------------------------------
    class CharLM(nn.Module):
        def __init__(self, vocab_size, embedding, hidden, layers):
            super().__init__()
            self.encoder = nn.Embedding(vocab_size, embedding)
            self.rnn = nn.LSTM(embedding, hidden, layers)
            self.decoder = nn.Linear(hidden, vocab_size)

        def forward(self, x, hidden=None):  # x: (seq, batch) indices
            out, hidden = self.rnn(self.encoder(x), hidden)
            return self.decoder(out), hidden  # (seq, batch, vocab) logits, (h, c)

    model = CharLM(len(vocab), args.embedding, args.hidden, args.layers)
    params = list(model.parameters())
    opt = optim.Adam(params, lr=args.lr)
    print(f"model: {sum(p.numel() for p in params):,} parameters; Adam lr {args.lr}, clip "
          f"{args.clip}, batch {args.batch_size} x {args.seq_len} steps")

    def evaluate(source):
        """Mean cross-entropy per character over ``source``, the state carried across chunks."""
        model.eval()
        total, count, hidden = 0.0, 0, None
        with lib.no_grad():
            for x, y in bptt_batches(source, args.seq_len):
                logits, hidden = model(x, hidden)
                total += F.cross_entropy(logits.reshape(-1, len(vocab)), y, reduction="sum").item()
                count += y.numel()
        return total / count

    # ---- training: truncated BPTT --------------------------------------------------------------
    steps = math.ceil((train.shape[0] - 1) / args.seq_len)
    train_time, train_tokens = 0.0, 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        bar = Progress(steps, f"epoch {epoch}/{args.epochs}", args.no_progress)
        hidden, running, start, tokens = None, None, time.perf_counter(), 0
        for x, y in bptt_batches(train, args.seq_len):
            if hidden is not None:  # keep the state, cut the graph: backprop stops at the chunk
                hidden = tuple(h.detach() for h in hidden)
            logits, hidden = model(x, hidden)
            loss = F.cross_entropy(logits.reshape(-1, len(vocab)), y)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, args.clip)
            opt.step()
            tokens += y.numel()
            value = loss.item()
            running = value if running is None else 0.95 * running + 0.05 * value
            bar.update(**{"loss": f"{running:.3f}",
                          "tok/s": f"{tokens / (time.perf_counter() - start):,.0f}"})
        bar.close()
        seconds = time.perf_counter() - start
        train_time, train_tokens = train_time + seconds, train_tokens + tokens
        valid_loss = evaluate(valid)
        print(f"epoch {epoch}: train loss {running:.3f} | validation loss {valid_loss:.3f}, "
              f"perplexity {text.perplexity(valid_loss):.3f} | {seconds:.1f} s, "
              f"{tokens / seconds:,.0f} tokens/s", flush=True)
    print(f"trained {args.epochs} epochs in {train_time:.1f} s: {train_tokens / train_time:,.0f} "
          f"tokens/s ({name}, {args.threads} threads)")

    # ---- sampling ------------------------------------------------------------------------------
    model.eval()
    if args.torch:  # ember.text.sample drives the torch model through DLPack
        def sampler(x, hidden=None):
            with lib.no_grad():
                logits, hidden = model(torch.from_dlpack(x), hidden)
            return ember.from_dlpack(logits.contiguous()), hidden
    else:
        sampler = model
    prompt = "def "
    for temperature in (0.5, 1.0):
        g = ember.Generator()
        g.manual_seed(args.seed)
        ids = text.sample(sampler, vocab.encode(list(prompt)), args.sample_len,
                          temperature=temperature, generator=g, stateful=True)
        print(f"\n--- sample, temperature {temperature} ---")
        print("".join(vocab.decode(ids)))


if __name__ == "__main__":
    main()

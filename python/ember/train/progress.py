"""progress: a progress bar over a loop, tqdm's when installed, a plain one otherwise."""
import sys
import time

__all__ = ["progress"]


def _format(values):
    parts = []
    for k, v in values.items():
        if hasattr(v, "item"):
            v = v.item()
        parts.append(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}")
    return ", ".join(parts)


class _PlainBar:
    """The fallback without tqdm: one line rewritten in place (at most 10 times a second) with the
    count, the rate and the postfix values; nothing at all when disabled."""

    def __init__(self, iterable, total, desc, disable, file, mininterval=0.1):
        self.iterable, self.total, self.desc, self.disable, self.file = iterable, total, desc, disable, file
        self.n, self.postfix, self.mininterval = 0, "", mininterval
        self.start = self.last = time.perf_counter()

    def __iter__(self):
        for item in self.iterable:
            yield item
            self.update(1)
        self.close()

    def __len__(self):
        return self.total if self.total is not None else len(self.iterable)

    def update(self, n=1):
        self.n += n
        now = time.perf_counter()
        if not self.disable and now - self.last >= self.mininterval:
            self.last = now
            self._draw(now)

    def set_postfix(self, ordered_dict=None, refresh=True, **values):
        self.postfix = _format({**(ordered_dict or {}), **values})

    def _draw(self, now, end=""):
        count = f"{self.n}/{self.total}" if self.total is not None else f"{self.n}"
        rate = self.n / max(now - self.start, 1e-9)
        line = " ".join(p for p in (f"{self.desc}:" if self.desc else "", count, f"[{rate:.1f} it/s]",
                                    self.postfix) if p)
        self.file.write("\r" + line + end)
        self.file.flush()

    def close(self):
        if not self.disable and self.n:
            self._draw(time.perf_counter(), end="\n")
            self.disable = True  # drawn once at the end


def progress(iterable=None, total=None, desc=None, disable=None, file=None, use_tqdm=None, **kwargs):
    """Wraps an iterable in a progress bar showing the count, the rate and values you set.

    Uses tqdm when it is installed (an optional dependency: ``pip install tqdm``), else a plain
    one-line bar. Either way the bar has ``set_postfix(loss=..., acc=...)`` and is silent when its
    stream is not a terminal (logs, CI, pipes) unless ``disable=False``.

    Args:
        iterable (iterable, optional): what to loop over.
        total (int, optional): the number of items. Default: ``len(iterable)`` when it has one.
        desc (str, optional): a label in front of the bar.
        disable (bool, optional): ``True`` silences it, ``False`` forces it on. Default: ``None``
            (on only when ``file`` is a terminal).
        file (file object, optional): where to draw. Default: ``sys.stderr`` (as tqdm).
        use_tqdm (bool, optional): ``False`` forces the plain bar. Default: tqdm when importable.
        **kwargs: passed to tqdm (ignored by the plain bar).

    Returns:
        an iterable bar with ``set_postfix(**values)``, ``update(n)`` and ``close()``.

    Example::

        >>> bar = progress(range(3), desc="epoch 1")
        >>> seen = []
        >>> for step in bar:
        ...     bar.set_postfix(loss=1.0 / (step + 1))
        ...     seen.append(step)
        >>> seen
        [0, 1, 2]
    """
    file = sys.stderr if file is None else file
    if disable is None:
        disable = not (hasattr(file, "isatty") and file.isatty())
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)
    if use_tqdm is not False:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            if use_tqdm:
                raise ImportError("progress(use_tqdm=True) needs tqdm, an optional dependency: pip install tqdm") from None
        else:
            return tqdm(iterable, total=total, desc=desc, disable=disable, file=file, **kwargs)
    return _PlainBar(iterable, total, desc, disable, file)

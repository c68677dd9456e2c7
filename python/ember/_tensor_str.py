"""Tensor.__repr__ in PyTorch's format: four decimals, scientific notation when the
magnitudes call for it, summarized with '...' above a thousand elements."""

import math

import numpy as np

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80


class _Formatter:
    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not floating:
            self.max_width = max((len(str(v)) for v in values.flat), default=1)
            return
        finite = values[np.isfinite(values)]
        nonzero = np.abs(finite[finite != 0])
        if finite.size == 0:
            self.max_width = max((len(self._fmt_special(v)) for v in values.flat), default=1)
            return
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if nonzero.size:
            hi, lo = float(nonzero.max()), float(nonzero.min())
            if self.int_mode:
                self.sci_mode = hi > 1e8
            else:
                self.sci_mode = hi / lo > 1000.0 or hi > 1e8 or lo < 1e-4
        self.max_width = max(len(self.format_plain(v)) for v in values.flat)

    @staticmethod
    def _fmt_special(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")

    def format_plain(self, v):
        if not self.floating:
            return str(v)
        v = float(v)
        if not math.isfinite(v):
            return self._fmt_special(v)
        if self.sci_mode:
            return f"{v:.{PRECISION}e}"
        if self.int_mode:
            return f"{v:.0f}."
        return f"{v:.{PRECISION}f}"

    def format(self, v):
        return self.format_plain(v).rjust(self.max_width)


def _summarized(a):
    """The edge items PyTorch shows when a tensor is summarized."""
    if a.ndim == 0:
        return a.reshape(1)
    if a.shape[0] > 2 * EDGEITEMS:
        a = np.concatenate([a[:EDGEITEMS], a[-EDGEITEMS:]])
    return np.stack([_summarized(x) for x in a]) if a.ndim > 1 else a


def _format_array(a, fmt, indent, summarize):
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        items = [fmt.format(v) for v in a.tolist()]
        if summarize and len(items) > 2 * EDGEITEMS:
            items = items[:EDGEITEMS] + ["..."] + items[-EDGEITEMS:]
        per_line = max(1, (LINEWIDTH - indent) // (fmt.max_width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(a)
    parts = [_format_array(r, fmt, indent + 1, summarize) for r in rows]
    if summarize and len(rows) > 2 * EDGEITEMS:
        parts = parts[:EDGEITEMS] + ["..."] + parts[-EDGEITEMS:]
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def tensor_repr(t):
    import ember

    a = np.asarray(t)
    floating = t.dtype.is_floating_point
    summarize = a.size > THRESHOLD
    if a.dtype == np.bool_:
        fmt = _Formatter(np.zeros(0), False)
        fmt.max_width = 5 if a.size and not a.all() else 4
        body = _format_array(a, fmt, len("tensor("), summarize) if a.size else "[]"
    elif a.size == 0:
        body = "[]"
    else:
        fmt = _Formatter(_summarized(a) if summarize else a, floating)
        body = _format_array(a, fmt, len("tensor("), summarize)
    suffix = []
    if a.size == 0 and a.shape != (0,):
        suffix.append(f"size={tuple(a.shape)}")
    if t.dtype not in (ember.float32, ember.int64, ember.bool):
        suffix.append(f"dtype={t.dtype!r}")
    return "tensor(" + body + "".join(", " + s for s in suffix) + ")"

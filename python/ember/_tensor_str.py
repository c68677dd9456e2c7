"""Tensor.__repr__ in PyTorch's format: four decimals; scientific notation when the nonzero
finite magnitudes span more than 1000x (or exceed 1e8, or fall under 1e-4); whole-valued
floats printed as "2."; summarized with '...' above a thousand elements."""

import math

import numpy as np

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80
SCI_MODE = None  # None: chosen from the values; True / False: always / never scientific

_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Sets how tensors print, as torch.set_printoptions.

    Args:
        precision (int, optional): digits after the decimal point. Default: 4.
        threshold (int, optional): above this many elements a tensor is summarized. Default: 1000.
        edgeitems (int, optional): the items shown at each end of a summarized dim. Default: 3.
        linewidth (int, optional): characters per line. Default: 80.
        profile (str, optional): "default", "short" or "full" (never summarized); the other
            arguments given override it.
        sci_mode (bool, optional): True or False forces scientific notation on or off; None
            (the default) chooses from the values.

    Example::

        >>> ember.set_printoptions(precision=2)
        >>> ember.tensor([1.2345])
        tensor([1.23])
        >>> ember.set_printoptions(profile="default")
    """
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, SCI_MODE
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = _PROFILES[profile]
    PRECISION = PRECISION if precision is None else int(precision)
    THRESHOLD = THRESHOLD if threshold is None else threshold
    EDGEITEMS = EDGEITEMS if edgeitems is None else int(edgeitems)
    LINEWIDTH = LINEWIDTH if linewidth is None else int(linewidth)
    SCI_MODE = sci_mode


class _Formatter:
    """Chooses one format and one column width for every element, from the shown values."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if not floating:
            self.width = max((len(str(v)) for v in values.tolist()), default=1)
            return
        finite = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if finite.size == 0:
            return
        hi, lo = float(np.abs(finite).max()), float(np.abs(finite).min())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if self.int_mode:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8
        else:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        if SCI_MODE is not None:
            self.sci_mode = bool(SCI_MODE)
        if self.sci_mode:
            self.width = max(len(f"{v:.{PRECISION}e}") for v in finite.tolist())
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") + 1 for v in finite.tolist())
        else:
            self.width = max(len(f"{v:.{PRECISION}f}") for v in finite.tolist())

    def format(self, v):
        if not self.floating:
            text = str(v)
        elif self.sci_mode:
            text = f"{v:.{PRECISION}e}"
        elif self.int_mode:
            text = f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
        else:
            text = f"{v:.{PRECISION}f}"
        return text.rjust(self.width)


def _edges(a):
    """The elements shown when a tensor is summarized: EDGEITEMS from each end of every dim."""
    if a.ndim == 0:
        return a.reshape(1)
    if a.shape[0] > 2 * EDGEITEMS:
        a = np.concatenate([a[:EDGEITEMS], a[-EDGEITEMS:]])
    return np.concatenate([_edges(x).reshape(-1) for x in a]) if a.ndim > 1 else a


def _format(a, fmt, indent, summarize):
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        if summarize and a.shape[0] > 2 * EDGEITEMS:
            items = ([fmt.format(v) for v in a[:EDGEITEMS].tolist()] + [" ..."]
                     + [fmt.format(v) for v in a[-EDGEITEMS:].tolist()])
        else:
            items = [fmt.format(v) for v in a.tolist()]
        per_line = max(1, (LINEWIDTH - indent) // (fmt.width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if summarize and a.shape[0] > 2 * EDGEITEMS:
        parts = ([_format(r, fmt, indent + 1, summarize) for r in a[:EDGEITEMS]] + ["..."]
                 + [_format(r, fmt, indent + 1, summarize) for r in a[-EDGEITEMS:]])
    else:
        parts = [_format(r, fmt, indent + 1, summarize) for r in a]
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def tensor_repr(t):
    """repr(t) as PyTorch prints it: tensor([...]) with its dtype, grad_fn or requires_grad where
    torch shows them (Tensor.__repr__ and __str__).

    Example:
        >>> tensor_repr(ember.tensor([1.0, 2.0]))
        'tensor([1., 2.])'
    """
    import ember

    d = t.detach()
    if t.dtype == ember.bfloat16:
        d = d.float()  # exact: NumPy has no bfloat16
    # NumPy takes at most 64 dims: a deeper tensor is walked as itself (an ember tensor indexes
    # and iterates as an array does) and its values read without the size-1 dims, which hold
    # all of them but the first 62 or so.
    a = np.asarray(d) if d.dim() <= 64 else d
    values = a if d.dim() <= 64 else np.asarray(d.squeeze())
    prefix = "tensor("
    suffix = []
    if t.numel() == 0:
        body = "[]"
        if t.dim() != 1:
            suffix.append(f"size={tuple(t.shape)}")
        if t.dtype != ember.float32:
            suffix.append(f"dtype={t.dtype}")
    else:
        summarize = t.numel() > THRESHOLD
        if t.dtype == ember.bool:
            fmt = _Formatter(np.array([True, False] if not values.all() else [True]), False)
        else:
            fmt = _Formatter(_edges(values) if summarize else values.reshape(-1),
                             t.dtype.is_floating_point)
        body = _format(a, fmt, len(prefix), summarize)
        if t.dtype not in (ember.float32, ember.int64, ember.bool):
            suffix.append(f"dtype={t.dtype}")
    if t.grad_fn is not None:
        suffix.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffix.append("requires_grad=True")
    return prefix + body + "".join(", " + s for s in suffix) + ")"

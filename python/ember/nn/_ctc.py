"""The connectionist temporal classification loss, as torch.nn.functional.ctc_loss and
torch.nn.CTCLoss: the negative log-likelihood of a target sequence summed over every alignment
of it to the input's time steps (Graves et al., 2006), for speech and handwriting recognition.

Written over ember's ops: the forward (alpha) recursion runs over time on all samples at once in
log space, and autograd gives the gradient. torch's gradient with respect to log_probs assumes
they are log-softmax outputs (it adds exp(log_probs) at every step before a sample's input
length, which log_softmax's backward cancels); ember adds the same term, so both give torch's
numbers whether or not a log_softmax comes before.
"""
import ember
from ember.nn.modules import Module

_REDUCTIONS = ("none", "mean", "sum")


def _lengths(value, what, batch):
    """input_lengths / target_lengths as a list of ints: a tensor, a sequence or (unbatched) an int."""
    if isinstance(value, ember.Tensor):
        if value.is_floating_point():
            raise TypeError(f"ctc_loss: {what} must hold integers, got {value.dtype}")
        value = value.reshape(-1).tolist()
    elif isinstance(value, int):
        value = [value]
    value = [int(v) for v in value]
    if len(value) != batch:
        raise RuntimeError(f"ctc_loss: {what} must be of size batch_size ({batch}), got {len(value)} values")
    return value


def _logsumexp(*terms):
    """log(sum(exp(terms))) elementwise; -inf where every term is -inf, with a zero gradient there
    (the plain formula's 0/0 would send NaN back through unreachable states)."""
    stacked = ember.stack(terms)
    top = stacked.detach().amax(0)
    finite = ember.isfinite(top)
    shift = ember.where(finite, top, 0)
    total = (stacked - shift).exp().sum(0)
    reachable = total > 0
    return ember.where(reachable, shift + ember.where(reachable, total, 1).log(), float("-inf"))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    r"""The connectionist temporal classification loss, as torch.nn.functional.ctc_loss:
    :math:`-\log \sum_{\pi \in \mathcal{B}^{-1}(y)} \prod_t p_t(\pi_t)` over the alignments
    :math:`\pi` that collapse to the target :math:`y` (repeats merged, blanks removed).

    Args:
        log_probs (Tensor): (T, N, C) or unbatched (T, C) log-probabilities (a log_softmax's
            output), floating.
        targets (Tensor): (N, S) padded target indices, or all targets concatenated (sum of
            target_lengths,); never the blank.
        input_lengths (Tensor or tuple of ints): the N input lengths, each at most T.
        target_lengths (Tensor or tuple of ints): the N target lengths.
        blank (int, optional): the blank label. Default: 0.
        reduction (str, optional): ``'none'`` (one loss per sample), ``'mean'`` (each loss divided
            by its target length, then the batch mean) or ``'sum'``. Default: ``'mean'``.
        zero_infinity (bool, optional): give impossible alignments (an infinite loss) a loss and
            gradient of 0. Default: False.

    Returns:
        Tensor: a scalar, or (N,) with ``reduction='none'``.

    Example::

        >>> log_probs = ember.randn(50, 2, 20).log_softmax(2)
        >>> targets = ember.randint(1, 20, (2, 10))
        >>> F.ctc_loss(log_probs, targets, (50, 45), (10, 7)).dim()
        0
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if not isinstance(log_probs, ember.Tensor) or not isinstance(targets, ember.Tensor):
        raise TypeError("ctc_loss: log_probs and targets must be Tensors")
    if log_probs.dim() < 2:  # torch reads sizes before dtypes
        raise IndexError(f"ctc_loss: expected log_probs of shape (T, N, C) or (T, C), got {tuple(log_probs.shape)}")
    if not log_probs.is_floating_point():
        raise TypeError(f"ctc_loss: expected floating log_probs, got {log_probs.dtype}")
    if targets.is_floating_point() or targets.dtype == ember.bool:
        raise TypeError(f"ctc_loss: expected integer targets, got {targets.dtype}")
    unbatched = log_probs.dim() == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        if targets.dim() == 1:
            targets = targets.unsqueeze(0)
    if log_probs.dim() != 3:
        raise RuntimeError(f"ctc_loss: expected log_probs of shape (T, N, C) or (T, C), got {tuple(log_probs.shape)}")
    steps, batch, classes = log_probs.shape
    if not 0 <= blank < classes:
        raise RuntimeError(f"ctc_loss: blank must be in label range [0, {classes}), got {blank}")
    in_lens = _lengths(input_lengths, "input_lengths", batch)
    tg_lens = _lengths(target_lengths, "target_lengths", batch)
    for n, (t_len, s_len) in enumerate(zip(in_lens, tg_lens)):
        if not 0 <= t_len <= steps:
            raise RuntimeError(f"ctc_loss: Expected input_lengths to have value at most {steps}, but got value "
                               f"{t_len} (while checking arguments for ctc_loss)")
        if s_len < 0:
            raise RuntimeError(f"ctc_loss: target_lengths must be non-negative, got {s_len} for sample {n}")
    # The targets of each sample, padded to the longest.
    if targets.dim() == 1:
        if targets.shape[0] < sum(tg_lens):
            raise RuntimeError(f"ctc_loss: the concatenated targets hold {targets.shape[0]} labels, fewer than "
                               f"the target lengths' sum {sum(tg_lens)}")
        flat, rows, start = targets.tolist(), [], 0
        for s_len in tg_lens:
            rows.append(flat[start:start + s_len])
            start += s_len
    elif targets.dim() == 2 and targets.shape[0] == batch:
        rows = [row[:s_len] for row, s_len in zip(targets.tolist(), tg_lens)]
        for n, s_len in enumerate(tg_lens):
            if s_len > targets.shape[1]:
                raise RuntimeError(f"ctc_loss: Expected tensor to have size at least {s_len} at dimension 1, but "
                                   f"got size {targets.shape[1]} for argument #2 'targets' (sample {n})")
    else:
        raise RuntimeError(f"ctc_loss: expected targets of shape (N, S) or (sum(target_lengths),), got "
                           f"{tuple(targets.shape)} for batch {batch}")
    for row in rows:
        for label in row:
            if not 0 <= label < classes or label == blank:
                raise RuntimeError(f"ctc_loss: target label {label} out of range [0, {classes}) or the blank "
                                   f"({blank})")
    longest = max(tg_lens, default=0)
    width = 2 * longest + 1
    # The extended labels: blank, y1, blank, y2, ..., blank (padded with blanks); a state may be
    # reached from two back when it is a label that differs from the label two before.
    extended, skip = [], []
    for row in rows:
        ext = [blank] * width
        for i, label in enumerate(row):
            ext[2 * i + 1] = label
        extended.append(ext)
        skip.append([s >= 2 and ext[s] != blank and ext[s] != ext[s - 2] for s in range(width)])
    index = ember.tensor(extended, dtype=ember.int64)                                # (N, L)
    may_skip = ember.tensor(skip, dtype=ember.bool)
    emit = log_probs.gather(2, index.unsqueeze(0).expand(steps, batch, width))       # (T, N, L)
    minus_inf = ember.full((batch, 1), float("-inf"), dtype=log_probs.dtype)
    state_ids = ember.arange(width).unsqueeze(0)
    alpha = ember.where(state_ids < 2, emit[0], float("-inf")) if steps else None
    lengths = ember.tensor(in_lens, dtype=ember.int64).unsqueeze(1)
    for t in range(1, max(in_lens, default=0)):
        one_back = ember.cat([minus_inf, alpha], 1)[:, :width]
        two_back = ember.where(may_skip, ember.cat([minus_inf, minus_inf, alpha], 1)[:, :width], float("-inf"))
        moved = _logsumexp(alpha, one_back, two_back) + emit[t]
        alpha = ember.where(lengths > t, moved, alpha)  # samples whose input has ended keep theirs
    # The likelihood: the last label's state or the blank after it, at each sample's last step.
    last = ember.tensor([[2 * s, max(2 * s - 1, 0)] for s in tg_lens], dtype=ember.int64)
    ends = alpha.gather(1, last) if steps else ember.full((batch, 2), float("-inf"), dtype=log_probs.dtype)
    ends = ember.where(ember.tensor([[True, s > 0] for s in tg_lens]), ends, float("-inf"))
    losses = -_logsumexp(ends[:, 0], ends[:, 1])
    zero_length = ember.tensor([t_len == 0 for t_len in in_lens])
    losses = ember.where(zero_length, ember.where(ember.tensor(tg_lens) == 0, 0.0, float("inf")).to(losses.dtype),
                         losses)
    # torch's gradient adds exp(log_probs) at each sample's steps (a log-softmax's null space).
    steps_ids = ember.arange(steps).unsqueeze(1)
    live = (steps_ids < lengths.reshape(1, batch)).unsqueeze(2).to(log_probs.dtype)    # (T, N, 1)
    probs = log_probs.exp() * live
    losses = losses + (probs - probs.detach()).sum((0, 2))
    if zero_infinity:
        losses = ember.where(ember.isinf(losses.detach()), 0.0, losses)
    if unbatched:
        losses = losses.squeeze(0)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    divisors = ember.tensor(tg_lens, dtype=log_probs.dtype).clamp(min=1)
    return (losses / (divisors if not unbatched else divisors.squeeze(0))).mean()


class CTCLoss(Module):
    r"""The connectionist temporal classification loss, as torch.nn.CTCLoss (see
    :func:`ember.nn.functional.ctc_loss`): forward(log_probs, targets, input_lengths, target_lengths).

    Args:
        blank (int, optional): the blank label. Default: 0.
        reduction (str, optional): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.
        zero_infinity (bool, optional): zero infinite losses and their gradients. Default: False.

    Shape:
        log_probs (T, N, C) or (T, C); targets (N, S) or (sum(target_lengths),); input_lengths
        and target_lengths (N,); output a scalar, or (N,) with ``reduction='none'``.

    Example::

        >>> ctc = ember.nn.CTCLoss()
        >>> log_probs = ember.randn(30, 4, 12).log_softmax(2).requires_grad_()
        >>> loss = ctc(log_probs, ember.randint(1, 12, (4, 8)), (30,) * 4, (8, 6, 8, 5))
        >>> loss.backward()
    """

    def __init__(self, blank=0, reduction="mean", zero_infinity=False):
        super().__init__()
        self.blank = blank
        self.reduction = reduction
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
                        self.zero_infinity)

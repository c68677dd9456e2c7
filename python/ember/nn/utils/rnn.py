"""ember.nn.utils.rnn: batches of sequences of different lengths, as torch.nn.utils.rnn.

A PackedSequence holds the steps of a batch time-major with no padding: ``data`` stacks the rows
of every sequence still running at step t, ``batch_sizes[t]`` of them (sequences sorted by
decreasing length). RNN, LSTM and GRU take one and skip the padding entirely; their final states
are each sequence's state at its last step.

Example::

    >>> seqs = [ember.randn(5, 8), ember.randn(3, 8), ember.randn(2, 8)]
    >>> padded = pad_sequence(seqs)                      # (5, 3, 8)
    >>> packed = pack_padded_sequence(padded, [5, 3, 2])
    >>> out, h_n = ember.nn.GRU(8, 16)(packed)
    >>> out, lengths = pad_packed_sequence(out)          # (5, 3, 16), zeros past each length
"""
from collections import namedtuple

import ember
from ember._C import Tensor

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


def _index(values):
    return ember.tensor(list(values), dtype=ember.int64)


def invert_permutation(permutation):
    """The permutation that undoes ``permutation``: ``inverse[permutation[i]] = i``, as
    torch.nn.utils.rnn.invert_permutation (a PackedSequence's ``unsorted_indices`` from its
    ``sorted_indices``).

    Args:
        permutation (Tensor or None): a 1-D int64 tensor holding a permutation of 0 .. n-1.

    Returns:
        Tensor or None: the inverse permutation, int64; None for None.

    Example::

        >>> invert_permutation(ember.tensor([2, 0, 1]))
        tensor([1, 2, 0])
    """
    if permutation is None:
        return None
    order = permutation.tolist()
    inverse = [0] * len(order)
    for i, p in enumerate(order):
        inverse[p] = i
    return _index(inverse)


class PackedSequence(namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """A batch of variable-length sequences packed time-major, as torch's: a named tuple of ``data``
    (sum of the lengths, *), ``batch_sizes`` (int64, one per step: how many sequences are still
    running), ``sorted_indices`` (the order in which the batch was sorted by decreasing length,
    or None) and ``unsorted_indices`` (its inverse). Make one with :func:`pack_padded_sequence`
    or :func:`pack_sequence`, not directly.

    Args:
        data (Tensor): the steps of all the sequences, step by step.
        batch_sizes (Tensor or list of int): how many sequences run at each step.
        sorted_indices (Tensor, optional): the sorting permutation of the batch. Default: None.
        unsorted_indices (Tensor, optional): its inverse. Default: None (computed from
            ``sorted_indices``).

    Raises:
        TypeError: ``batch_sizes`` is missing.

    Example::

        >>> packed = pack_sequence([ember.ones(3, 2), ember.ones(1, 2)])
        >>> packed.batch_sizes.tolist()
        [2, 1, 1]
        >>> packed.data.shape
        ember.Size([4, 2])
    """

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            raise TypeError("PackedSequence: batch_sizes is required (make one with pack_padded_sequence)")
        if not isinstance(batch_sizes, Tensor):
            batch_sizes = _index(batch_sizes)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """The same packed sequence with ``data`` converted by Tensor.to (the indices stay)."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, self.batch_sizes, self.sorted_indices,
                                                         self.unsorted_indices)

    def double(self):
        """The same packed sequence with float64 data."""
        return self.to(dtype=ember.float64)

    def float(self):
        """The same packed sequence with float32 data."""
        return self.to(dtype=ember.float32)

    def cpu(self):
        """Itself: ember's tensors live on the CPU."""
        return self

    @property
    def is_cuda(self):
        """False: ember's tensors live on the CPU."""
        return False

    def is_pinned(self):
        """False: ember does not pin memory."""
        return False


def _lengths_list(lengths):
    if isinstance(lengths, Tensor):
        if lengths.dim() != 1:
            raise RuntimeError(f"pack_padded_sequence: lengths must be a 1-D tensor, got shape {tuple(lengths.shape)}")
        return [int(v) for v in lengths.tolist()]
    return [int(v) for v in lengths]


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a padded batch of sequences of different lengths.

    Args:
        input (Tensor): (T, B, *) padded sequences ((B, T, *) when ``batch_first``).
        lengths (list or Tensor): each sequence's length (1-D, on the CPU).
        batch_first (bool): whether the batch is the first dim of ``input``. Default: False.
        enforce_sorted (bool): True: the lengths must be in decreasing order; False: the batch
            is sorted here and the order is kept in ``sorted_indices``. Default: True.

    Returns:
        a :class:`PackedSequence`; gradients flow back to ``input``.

    Example::

        >>> x = ember.randn(4, 2, 3)
        >>> pack_padded_sequence(x, [4, 2]).batch_sizes.tolist()
        [2, 2, 1, 1]
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pack_padded_sequence: expected a Tensor input, got {type(input).__name__}")
    lengths = _lengths_list(lengths)
    if input.dim() < 2:
        raise RuntimeError(f"pack_padded_sequence: expected an input of at least 2 dims (T, B, *), got shape "
                           f"{tuple(input.shape)}")
    x = input.transpose(0, 1) if batch_first else input
    steps, batch = x.shape[0], x.shape[1]
    if len(lengths) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(lengths)} "
                           f"(batch_size={batch})")
    sorted_indices = None
    if enforce_sorted:
        if any(lengths[i] < lengths[i + 1] for i in range(len(lengths) - 1)):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               "sidestep this requirement if you do not need ONNX exportability.")
    else:
        order = sorted(range(batch), key=lambda i: -lengths[i])
        lengths = [lengths[i] for i in order]
        sorted_indices = _index(order)
        x = x.index_select(1, sorted_indices)
    if batch and lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that "
                           "is <= 0")
    if batch and lengths[0] > steps:
        raise RuntimeError(f"pack_padded_sequence: a length ({lengths[0]}) is longer than the sequence: input "
                           f"{tuple(input.shape)} has {steps} steps")
    longest = lengths[0] if batch else 0
    batch_sizes = [sum(1 for n in lengths if n > t) for t in range(longest)]
    rows = [t * batch + b for t in range(longest) for b in range(batch_sizes[t])]
    flat = x.reshape([steps * batch] + list(x.shape[2:]))
    data = flat.index_select(0, _index(rows))
    return PackedSequence(data, _index(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Pads a packed batch back to a tensor: the inverse of :func:`pack_padded_sequence`.

    Args:
        sequence (PackedSequence): the batch to pad.
        batch_first (bool): return (B, T, *) instead of (T, B, *). Default: False.
        padding_value (float): the value past each sequence's end. Default: 0.0.
        total_length (int, optional): pad to this many steps (at least the longest length).

    Returns:
        (padded, lengths): the padded tensor, in the batch's original order, and the lengths
        (int64 tensor).

    Example::

        >>> packed = pack_sequence([ember.ones(3, 2), ember.ones(1, 2)])
        >>> padded, lengths = pad_packed_sequence(packed, batch_first=True)
        >>> tuple(padded.shape), lengths.tolist()
        ((2, 3, 2), [3, 1])
    """
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got {type(sequence).__name__}")
    data, batch_sizes, _, unsorted_indices = sequence
    sizes = [int(b) for b in batch_sizes.tolist()]
    steps, batch = len(sizes), (sizes[0] if sizes else 0)
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, but "
                             f"got total_length={total_length} and max sequence length being {steps}")
        steps_out = total_length
    else:
        steps_out = steps
    trailing = list(data.shape[1:])
    rows = data.shape[0]
    # Each padded (t, b) takes its packed row, or the padding row appended after the data.
    source, offset = [], 0
    for t in range(steps_out):
        size = sizes[t] if t < steps else 0
        source.extend(offset + b if b < size else rows for b in range(batch))
        offset += size
    pad_row = ember.full([1] + trailing, padding_value, dtype=data.dtype)
    padded = ember.cat([data, pad_row]).index_select(0, _index(source)).reshape([steps_out, batch] + trailing)
    lengths = [sum(1 for s in sizes if s > b) for b in range(batch)]
    if unsorted_indices is not None:
        padded = padded.index_select(1, unsorted_indices)
        lengths = [lengths[i] for i in unsorted_indices.tolist()]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _index(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stacks sequences of different lengths into one padded tensor.

    Args:
        sequences (list of Tensor): each (L_i, *), the trailing dims equal.
        batch_first (bool): return (B, T, *) instead of (T, B, *). Default: False.
        padding_value (float): the value of the padding. Default: 0.0.
        padding_side (str): 'right' (after each sequence) or 'left'. Default: 'right'.

    Returns:
        Tensor of shape (T, B, *) (or (B, T, *)), T the longest length.

    Example::

        >>> pad_sequence([ember.ones(3), ember.ones(1)], batch_first=True).tolist()
        [[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]]
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    for s in sequences:
        if not isinstance(s, Tensor):
            raise TypeError(f"pad_sequence: expected a list of Tensors, got {type(s).__name__}")
    trailing = list(sequences[0].shape[1:])
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        if list(s.shape[1:]) != trailing:
            raise RuntimeError(f"pad_sequence: every sequence must have the trailing shape {tuple(trailing)}, got "
                               f"{tuple(s.shape)}")
        missing = longest - s.shape[0]
        if missing:
            pad = ember.full([missing] + trailing, padding_value, dtype=s.dtype)
            s = ember.cat([s, pad] if padding_side == "right" else [pad, s])
        padded.append(s)
    return ember.stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences a padded tensor holds: the inverse of :func:`pad_sequence`.

    Args:
        padded_sequences (Tensor): (T, B, *) (or (B, T, *) when ``batch_first``).
        lengths (list or Tensor): each sequence's length.
        batch_first (bool): Default: False.

    Returns:
        list of B tensors, each (L_i, *).

    Example::

        >>> [tuple(s.shape) for s in unpad_sequence(ember.zeros(3, 2, 4), [3, 1])]
        [(3, 4), (1, 4)]
    """
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [x[i].narrow(0, 0, n) for i, n in enumerate(_lengths_list(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    """Packs a list of sequences of different lengths (pad_sequence, then pack_padded_sequence).

    Args:
        sequences (list of Tensor): each (L_i, *); with ``enforce_sorted``, in decreasing length.
        enforce_sorted (bool): Default: True.

    Returns:
        a :class:`PackedSequence`.

    Example::

        >>> pack_sequence([ember.ones(2, 3), ember.ones(1, 3)]).data.shape
        ember.Size([3, 3])
    """
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences a PackedSequence holds, in their original order (the inverse of
    :func:`pack_sequence`), as torch.nn.utils.rnn.unpack_sequence.

    Args:
        packed_sequences (PackedSequence): the packed batch.

    Returns:
        list of Tensor: one (length_i, *) tensor per sequence.

    Example::

        >>> packed = pack_sequence([ember.ones(2, 3), ember.ones(1, 3)])
        >>> [tuple(s.shape) for s in unpack_sequence(packed)]
        [(2, 3), (1, 3)]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)

"""Chunking a token stream for truncated backpropagation through time, as PyTorch's
word_language_model example does (batchify, get_batch)."""
import ember


def _check_int(value, name, where, least):
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{where}: {name} must be an int >= {least}, got {value!r}")


def batchify(data, batch_size):
    """Cuts a 1-D token stream into ``batch_size`` equal columns, as the word_language_model
    example: column ``j`` holds tokens ``j*n ... (j+1)*n - 1`` where ``n = len(data) //
    batch_size``; the ``len(data) % batch_size`` tokens at the end are dropped.

    Args:
        data: a 1-D integer tensor (or a list of ints) of token indices.
        batch_size: the number of columns (independent streams).

    Returns:
        Tensor of shape ``(n, batch_size)``, contiguous, the dtype of ``data`` (int64 for a list).

    Example::

        >>> batchify(ember.arange(10), 3)
        tensor([[0, 3, 6],
                [1, 4, 7],
                [2, 5, 8]])
    """
    if not isinstance(data, ember.Tensor):
        data = ember.tensor(list(data), dtype=ember.int64)
    if data.dim() != 1:
        raise ValueError(f"batchify: expected a 1-D token stream, got shape {tuple(data.shape)}")
    if data.is_floating_point() or data.dtype == ember.bool:
        raise TypeError(f"batchify: expected integer token indices, got dtype {data.dtype}")
    _check_int(batch_size, "batch_size", "batchify", 1)
    n = data.shape[0] // batch_size
    if n == 0:
        raise ValueError(f"batchify: {data.shape[0]} tokens cannot fill one row of batch_size "
                         f"{batch_size}")
    return data.narrow(0, 0, n * batch_size).reshape(batch_size, n).t().contiguous()


def _check_source(source, where):
    if not isinstance(source, ember.Tensor) or source.dim() < 1:
        raise TypeError(f"{where}: expected a tensor of shape (n, batch_size) from batchify, got "
                        f"{type(source).__name__}")


def get_batch(source, i, bptt, flatten_target=True):
    """The chunk of ``source`` starting at row ``i``: ``input = source[i : i+L]`` and ``target =
    source[i+1 : i+1+L]`` with ``L = min(bptt, len(source) - 1 - i)``, so each target is the
    input's next token; as the word_language_model example's ``get_batch``.

    Args:
        source: an ``(n, batch_size)`` tensor from :func:`batchify`.
        i: the first row, ``0 <= i < n - 1``.
        bptt: the largest chunk length.
        flatten_target: return the target flattened to ``(L * batch_size,)`` (the example's
            ``.view(-1)``, to pair with logits viewed as ``(L * batch_size, vocab)``); False keeps
            ``(L, batch_size)``. Default: True.

    Returns:
        (input, target): input ``(L, batch_size)``; target as above.

    Example::

        >>> x, y = get_batch(batchify(ember.arange(10), 2), 0, 3)
        >>> x.tolist(), y.tolist()
        ([[0, 5], [1, 6], [2, 7]], [1, 6, 2, 7, 3, 8])
    """
    _check_source(source, "get_batch")
    _check_int(bptt, "bptt", "get_batch", 1)
    n = source.shape[0]
    if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n - 1:
        raise ValueError(f"get_batch: i must be an int in [0, {n - 1}) for a source of {n} rows "
                         f"(the last row has no next token), got {i!r}")
    length = min(bptt, n - 1 - i)
    target = source.narrow(0, i + 1, length)
    return source.narrow(0, i, length), (target.reshape(-1) if flatten_target else target)


def bptt_batches(source, bptt, flatten_target=True):
    """Iterates over ``source`` in consecutive chunks: ``get_batch(source, i, bptt)`` for ``i = 0,
    bptt, 2*bptt, ...`` (the last chunk may be shorter), as the example's training loop.

    Args:
        source: an ``(n, batch_size)`` tensor from :func:`batchify`.
        bptt: the chunk length.
        flatten_target: as in :func:`get_batch`.

    Returns:
        An iterator of (input, target) pairs, covering every row of ``source`` but the last as input once.

    Example::

        >>> [x.shape[0] for x, y in bptt_batches(batchify(ember.arange(20), 2), 4)]
        [4, 4, 1]
    """
    _check_source(source, "bptt_batches")  # checked now, not at the first next()
    _check_int(bptt, "bptt", "bptt_batches", 1)
    return (get_batch(source, i, bptt, flatten_target) for i in range(0, source.shape[0] - 1, bptt))

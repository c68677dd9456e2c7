"""Word-embedding utilities over an Embedding's weights: cosine similarity, nearest neighbours,
analogies. Each query is one matrix product with the unit-normalized vocabulary."""
import operator

import ember

_EPS = 1e-8  # as F.cosine_similarity's eps


def _weight(embedding_or_weight, where):
    w = getattr(embedding_or_weight, "weight", embedding_or_weight)
    if not isinstance(w, ember.Tensor):
        raise TypeError(f"{where}: expected an Embedding or a (num_embeddings, dim) weight tensor, "
                        f"got {type(embedding_or_weight).__name__}")
    if w.dim() != 2 or not w.is_floating_point():
        raise ValueError(f"{where}: expected a 2-D floating weight (num_embeddings, dim), got shape "
                         f"{tuple(w.shape)} and dtype {w.dtype}")
    return w.detach()


def _unit(x):
    """Rows divided by their norms (at least eps), as F.cosine_similarity normalizes."""
    return x / x.norm(dim=-1, keepdim=True).clamp(min=_EPS)


def _index(query, n, vocab, where):
    """The row index of a query given as an int or (with a vocab) a token; None for a vector."""
    if isinstance(query, ember.Tensor) and query.dim() == 0 and not query.is_floating_point():
        query = query.item()
    if isinstance(query, str):
        if vocab is None:
            raise TypeError(f"{where}: got the token {query!r} but no vocab to look it up")
        if query not in vocab:  # never the <unk> fallback: its vector would answer silently
            raise KeyError(f"{where}: token {query!r} is not in the vocabulary")
        query = vocab[query]
    if isinstance(query, bool):
        raise TypeError(f"{where}: expected an index, a token or a vector, got a bool")
    if not isinstance(query, ember.Tensor) and hasattr(query, "__index__"):  # NumPy integers too
        query = operator.index(query)
    if isinstance(query, int):
        if not -n <= query < n:
            raise IndexError(f"{where}: index {query} is out of range for {n} embeddings")
        return query % n
    return None


def _vector(query, w, vocab, where):
    """(vector, row index or None) of a query: an index, a token, or a (dim,) vector."""
    i = _index(query, w.shape[0], vocab, where)
    if i is not None:
        return w[i], i
    if not isinstance(query, ember.Tensor):
        raise TypeError(f"{where}: expected an int index, a str token or a 1-D vector, got "
                        f"{type(query).__name__}")
    if query.dim() != 1 or query.shape[0] != w.shape[1]:
        raise ValueError(f"{where}: a query vector must have shape ({w.shape[1]},) to match the "
                         f"embedding, got {tuple(query.shape)}")
    return query.detach().to(w.dtype), None


def cosine_similarity(embedding_or_weight, query, vocab=None):
    """Cosine similarity of every embedding row with ``query``: ``unit(W) @ unit(q)``, the values
    ``F.cosine_similarity(W, q.unsqueeze(0), dim=1)`` gives, in one matrix product.

    Args:
        embedding_or_weight: an ``ember.nn.Embedding`` or its ``(V, D)`` weight.
        query: a row index, a token (with ``vocab``), a ``(D,)`` vector, or an ``(N, D)`` matrix
            of N query vectors.
        vocab: the :class:`Vocab` naming the rows, for token queries.

    Returns:
        Tensor ``(V,)``, or ``(N, V)`` for a matrix of queries (no gradient).

    Example::

        >>> emb = ember.nn.Embedding(100, 16)
        >>> cosine_similarity(emb, 3).shape   # row 3 against all 100; entry 3 is 1
        ember.Size([100])
    """
    w = _weight(embedding_or_weight, "cosine_similarity")
    with ember.no_grad():
        if isinstance(query, ember.Tensor) and query.dim() == 2:
            if query.shape[1] != w.shape[1] or not query.is_floating_point():
                raise ValueError(f"cosine_similarity: query vectors must be floating of shape (N, "
                                 f"{w.shape[1]}), got {tuple(query.shape)} of dtype {query.dtype}")
            return _unit(query.detach().to(w.dtype)).matmul(_unit(w).t())
        q, _ = _vector(query, w, vocab, "cosine_similarity")
        return _unit(w).mv(_unit(q))


def _ranked(sims, k, exclude, vocab):
    """The k best entries of a (V,) similarity vector, leaving out the indices in exclude."""
    exclude = sorted(set(exclude))
    available = sims.shape[0] - len(exclude)
    if available == 0:
        raise ValueError(f"all {sims.shape[0]} rows are excluded: no neighbour is left")
    if exclude:
        sims = sims.index_put((ember.tensor(exclude, dtype=ember.int64),),
                              ember.tensor(float("-inf"), dtype=sims.dtype))
    values, indices = sims.topk(min(k, available))
    if vocab is None:
        return indices, values
    return list(zip(vocab.lookup_tokens(indices), values.tolist()))


def _check_k(k, where):
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"{where}: k must be an int >= 1, got {k!r}")


def _exclusions(exclude, n, vocab, where):
    if exclude is None:
        return []
    if isinstance(exclude, (str, int)):
        exclude = [exclude]
    out = []
    for e in exclude:
        i = _index(e, n, vocab, f"{where} exclude")
        if i is None:
            raise TypeError(f"{where}: exclude holds indices or tokens, got {type(e).__name__}")
        out.append(i)
    return out


def nearest_neighbours(embedding_or_weight, query, k=10, vocab=None, exclude=None,
                       exclude_query=True):
    """The ``k`` rows most cosine-similar to ``query``, most similar first.

    Args:
        embedding_or_weight: an ``ember.nn.Embedding`` or its ``(V, D)`` weight.
        query: a row index, a token (with ``vocab``), or a ``(D,)`` vector.
        k: how many neighbours (fewer if fewer rows remain after the exclusions).
        vocab: the :class:`Vocab` naming the rows: tokens may be queried and are returned.
        exclude: indices or tokens never returned (e.g. the specials).
        exclude_query: leave out the query's own row (when it is an index or a token), as
            gensim's ``most_similar``. Default: True.

    Returns:
        ``(indices, similarities)``: an int64 tensor and a tensor of ``min(k, available)``;
        with a ``vocab``, a list of ``(token, similarity)`` pairs instead.

    Example::

        >>> vocab = Vocab.from_itos(["man", "woman", "king", "queen", "paris"])
        >>> emb = ember.tensor([[1., 0., 0.], [0., 1., 0.], [1., 0., 1.], [0., 1., 1.], [.2, 0., -1.]])
        >>> nearest_neighbours(emb, "king", k=2, vocab=vocab)
        [('man', 0.707...), ('queen', 0.499...)]
        >>> nearest_neighbours(emb, 2, k=2)   # by index, without a vocab
        (tensor([0, 3]), tensor([0.7071, 0.5000]))
    """
    w = _weight(embedding_or_weight, "nearest_neighbours")
    _check_k(k, "nearest_neighbours")
    q, i = _vector(query, w, vocab, "nearest_neighbours")
    excluded = _exclusions(exclude, w.shape[0], vocab, "nearest_neighbours")
    if exclude_query and i is not None:
        excluded.append(i)
    with ember.no_grad():
        return _ranked(_unit(w).mv(_unit(q)), k, excluded, vocab)


def most_similar(embedding_or_weight, positive=(), negative=(), k=10, vocab=None, exclude=None):
    """The ``k`` rows closest to ``sum(unit(p) for p in positive) - sum(unit(n) for n in
    negative)`` by cosine similarity, leaving out the query words, as gensim's
    ``KeyedVectors.most_similar(positive, negative, topn=k)`` (3CosAdd on unit vectors).

    Args:
        embedding_or_weight: an ``ember.nn.Embedding`` or its ``(V, D)`` weight.
        positive, negative: lists of indices, tokens (with ``vocab``) or ``(D,)`` vectors.
        k: how many results.
        vocab: the :class:`Vocab` naming the rows.
        exclude: more indices or tokens never returned.

    Returns:
        As :func:`nearest_neighbours`.

    Example::

        >>> vocab = Vocab.from_itos(["man", "woman", "king", "queen", "paris"])
        >>> emb = ember.tensor([[1., 0., 0.], [0., 1., 0.], [1., 0., 1.], [0., 1., 1.], [.2, 0., -1.]])
        >>> most_similar(emb, positive=["king", "woman"], negative=["man"], k=1, vocab=vocab)
        [('queen', 0.958...)]
    """
    w = _weight(embedding_or_weight, "most_similar")
    _check_k(k, "most_similar")
    for name, group in (("positive", positive), ("negative", negative)):
        if isinstance(group, (str, int, ember.Tensor)):
            raise TypeError(f"most_similar: {name} must be a list of queries, got a single "
                            f"{type(group).__name__}; wrap it in a list")
    if not positive and not negative:
        raise ValueError("most_similar: give at least one positive or negative query")
    excluded = _exclusions(exclude, w.shape[0], vocab, "most_similar")
    with ember.no_grad():
        target = ember.zeros(w.shape[1], dtype=w.dtype)
        for sign, group in ((1.0, positive), (-1.0, negative)):
            for query in group:
                q, i = _vector(query, w, vocab, "most_similar")
                target = target + sign * _unit(q)
                if i is not None:
                    excluded.append(i)
        return _ranked(_unit(w).mv(_unit(target)), k, excluded, vocab)


def analogy(embedding_or_weight, a, b, c, k=1, vocab=None, exclude=None):
    """Solves "``a`` is to ``b`` as ``c`` is to ?": the rows closest to ``b - a + c`` (unit vectors),
    leaving out ``a``, ``b`` and ``c``, i.e. gensim's ``most_similar(positive=[b, c],
    negative=[a])``. For "man is to king as woman is to ?", ``analogy(emb, "man", "king",
    "woman")`` computes king − man + woman and should give queen. (The issue's "a − b + c" is the
    same arithmetic with the names permuted: ``analogy(x, b, a, c)`` computes ``a - b + c``.)

    Args:
        embedding_or_weight: an ``ember.nn.Embedding`` or its ``(V, D)`` weight.
        a, b, c: indices, tokens (with ``vocab``) or ``(D,)`` vectors.
        k: how many answers. Default: 1.
        vocab: the :class:`Vocab` naming the rows.
        exclude: more indices or tokens never returned.

    Returns:
        As :func:`nearest_neighbours`.

    Example::

        >>> vocab = Vocab.from_itos(["man", "woman", "king", "queen", "paris"])
        >>> emb = ember.tensor([[1., 0., 0.], [0., 1., 0.], [1., 0., 1.], [0., 1., 1.], [.2, 0., -1.]])
        >>> analogy(emb, "man", "king", "woman", vocab=vocab)
        [('queen', 0.958...)]
    """
    return most_similar(embedding_or_weight, positive=[b, c], negative=[a], k=k, vocab=vocab,
                        exclude=exclude)

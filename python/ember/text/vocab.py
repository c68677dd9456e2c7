"""Vocab: a two-way map between tokens and indices, as torchtext.vocab.Vocab."""
import collections
import json
import operator
import os

import ember

DEFAULT_SPECIALS = ("<unk>", "<eos>", "<pad>")


class TokenNotFoundError(KeyError, RuntimeError):
    """An unknown token looked up in a :class:`Vocab` that has no default index. It is a KeyError,
    and a RuntimeError as torchtext raises, so code written for either catches it.

    Args:
        message (str): what went wrong.

    Example::

        >>> v = Vocab(["a", "b"], specials=())
        >>> v["z"]
        Traceback (most recent call last):
            ...
        ember.text.vocab.TokenNotFoundError: Token 'z' not found and default index is not set
        >>> v.set_default_index(0)
        >>> v["z"]
        0
    """

    def __str__(self):  # KeyError's str() would quote the whole message
        return str(self.args[0]) if self.args else ""


def _check_token(token, where):
    if not isinstance(token, str):
        raise TypeError(f"{where}: tokens must be str, got {type(token).__name__} ({token!r})")
    return token


def _as_index(index, where):
    """An int from an int-like index (NumPy integers included; bools and floats refused)."""
    if not isinstance(index, bool):
        try:
            return operator.index(index)
        except TypeError:
            pass
    raise TypeError(f"{where}: expected an int index, got {type(index).__name__} ({index!r})")


def _count(iterable):
    """Counts the tokens of an iterable of tokens or of token lists, in order of first appearance."""
    if isinstance(iterable, (bytes, ember.Tensor)) or not hasattr(iterable, "__iter__"):
        raise TypeError(f"Vocab: expected an iterable of str tokens or of token lists, got "
                        f"{type(iterable).__name__}")
    counter = collections.Counter()
    for item in iterable:
        if isinstance(item, str):
            counter[item] += 1
        elif isinstance(item, (list, tuple)):
            counter.update(_check_token(t, "Vocab") for t in item)
        else:
            raise TypeError(f"Vocab: expected str tokens or lists of them, got an item of type "
                            f"{type(item).__name__} ({item!r})")
    return counter


class Vocab:
    r"""A vocabulary: tokens numbered 0, 1, ..., with lookups both ways.

    Built from an iterable whose items are tokens (``str``) or lists/tuples of tokens (one per
    sentence or line). A string is itself an iterable of one-character tokens, so
    ``Vocab(text)`` builds a character vocabulary.

    The order is deterministic: the ``specials`` first, in the order given, then the other tokens
    by frequency, most frequent first, ties broken by first appearance in the input.
    (torchtext's ``build_vocab_from_iterator`` breaks ties alphabetically;
    :func:`build_vocab_from_iterator` here does the same, for programs written for it.)

    Args:
        iterable: tokens, or lists of tokens. Default: empty.
        min_freq: tokens seen fewer times are left out (specials are always kept). Default: 1.
        max_size: the largest ``len(vocab)``, specials included; the least frequent tokens are
            dropped. ``None``: no limit. Default: None.
        specials: tokens placed first whatever their counts. Default:
            ``("<unk>", "<eos>", "<pad>")``.
        unk_token: the special that unknown tokens map to: ``default_index`` is its index. If it
            is ``None`` or not among the specials, no default index is set and looking up an
            unknown token raises :class:`TokenNotFoundError` (a ``KeyError``). Default: ``"<unk>"``.

    Example::

        >>> v = Vocab([["the", "cat", "sat"], ["the", "mat"]])
        >>> v.get_itos()
        ['<unk>', '<eos>', '<pad>', 'the', 'cat', 'sat', 'mat']
        >>> v["the"], v["dog"], v(["cat", "mat"])
        (3, 0, [4, 6])
        >>> v.lookup_tokens([3, 4])
        ['the', 'cat']
    """

    def __init__(self, iterable=(), min_freq=1, max_size=None, specials=DEFAULT_SPECIALS,
                 unk_token="<unk>"):
        if isinstance(min_freq, bool) or not isinstance(min_freq, int) or min_freq < 1:
            raise ValueError(f"Vocab: min_freq must be an int >= 1, got {min_freq!r}")
        specials = list(specials) if specials is not None else []
        for s in specials:
            _check_token(s, "Vocab specials")
        if len(set(specials)) != len(specials):
            raise ValueError(f"Vocab: specials must be distinct, got {specials}")
        if max_size is not None and (isinstance(max_size, bool) or not isinstance(max_size, int)
                                     or max_size < len(specials)):
            raise ValueError(f"Vocab: max_size must be None or an int >= len(specials) = "
                             f"{len(specials)}, got {max_size!r}")
        counter = _count(iterable)
        special_set = set(specials)
        # sorted() is stable and Counter keeps first appearance: ties stay in that order.
        ordered = sorted((t for t, c in counter.items() if c >= min_freq and t not in special_set),
                         key=lambda t: -counter[t])
        if max_size is not None:
            ordered = ordered[:max_size - len(specials)]
        self._set_itos(specials + ordered)
        self._default_index = self._stoi[unk_token] if unk_token in self._stoi and \
            unk_token in special_set else None

    # ---- construction from a list ----------------------------------------------------------

    def _set_itos(self, itos):
        self._itos = list(itos)
        self._stoi = {t: i for i, t in enumerate(self._itos)}
        if len(self._stoi) != len(self._itos):
            dup = [t for t, c in collections.Counter(self._itos).items() if c > 1]
            raise ValueError(f"Vocab: tokens must be distinct, got duplicates {dup[:5]}")

    @classmethod
    def from_itos(cls, itos, default_index=None):
        """A Vocab holding exactly the tokens ``itos`` (index ``i`` is ``itos[i]``).

        Args:
            itos: a list of distinct str tokens.
            default_index: the index unknown tokens map to, or None to raise on them.

        Returns:
            Vocab

        Example::

            >>> Vocab.from_itos(["<unk>", "a", "b"], default_index=0)["z"]
            0
        """
        v = cls((), specials=())
        v._set_itos([_check_token(t, "Vocab.from_itos") for t in itos])
        v.set_default_index(default_index)
        return v

    # ---- default index -----------------------------------------------------------------------

    def set_default_index(self, index):
        """Sets the index that unknown tokens map to (``None``: raise on them), as torchtext.

        Args:
            index: an index in ``range(len(self))``, or None.
        """
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int):
                raise TypeError(f"Vocab.set_default_index: expected an int or None, got "
                                f"{type(index).__name__}")
            if not 0 <= index < len(self._itos):
                raise IndexError(f"Vocab.set_default_index: index {index} is out of range for a "
                                 f"vocabulary of {len(self._itos)} tokens")
        self._default_index = index

    def get_default_index(self):
        """The index unknown tokens map to, or None (as torchtext)."""
        return self._default_index

    default_index = property(get_default_index, set_default_index)

    # ---- token -> index ----------------------------------------------------------------------

    def __getitem__(self, token):
        """The index of ``token``; unknown tokens give the default index, or raise
        :class:`TokenNotFoundError` (a KeyError) when there is none."""
        index = self._stoi.get(_check_token(token, "Vocab lookup"))
        if index is not None:
            return index
        if self._default_index is None:
            raise TokenNotFoundError(f"Token {token!r} not found and default index is not set")
        return self._default_index

    def lookup_indices(self, tokens):
        """The indices of a list of tokens, as ``[vocab[t] for t in tokens]``.

        Example::

            >>> Vocab(["a", "b", "b"]).lookup_indices(["b", "a", "zzz"])
            [3, 4, 0]
        """
        if isinstance(tokens, str):
            raise TypeError("Vocab.lookup_indices: expected a list of tokens, got a str; use "
                            "vocab[token] for one token (or list(text) for its characters)")
        return [self[t] for t in tokens]

    __call__ = lookup_indices

    def __contains__(self, token):
        return isinstance(token, str) and token in self._stoi

    def encode(self, tokens):
        """The indices of ``tokens`` as a 1-D ``ember.int64`` tensor.

        Args:
            tokens: a list of str tokens.

        Returns:
            Tensor of shape ``(len(tokens),)``.

        Example::

            >>> Vocab("abcab", specials=()).encode(list("cab"))
            tensor([2, 0, 1])
        """
        return ember.tensor(self.lookup_indices(tokens), dtype=ember.int64)

    # ---- index -> token ----------------------------------------------------------------------

    def lookup_token(self, index):
        """The token at ``index`` (negative indices count from the end, as a list's)."""
        if isinstance(index, ember.Tensor):
            if index.numel() != 1 or index.is_floating_point():
                raise TypeError(f"Vocab.lookup_token: expected one integer index, got a tensor of "
                                f"shape {tuple(index.shape)} and dtype {index.dtype}")
            index = index.item()
        index = _as_index(index, "Vocab.lookup_token")
        if not -len(self._itos) <= index < len(self._itos):
            raise IndexError(f"Vocab.lookup_token: index {index} is out of range for a vocabulary "
                             f"of {len(self._itos)} tokens")
        return self._itos[index]

    def lookup_tokens(self, indices):
        """The tokens at a list (or 1-D tensor) of indices."""
        if isinstance(indices, ember.Tensor):
            if indices.dim() > 1 or indices.is_floating_point():
                raise TypeError(f"Vocab.lookup_tokens: expected a 1-D integer tensor, got shape "
                                f"{tuple(indices.shape)} and dtype {indices.dtype}")
            indices = indices.reshape(-1).tolist()
        return [self.lookup_token(i) for i in indices]

    def decode(self, indices):
        """The tokens at ``indices`` (a list or a 1-D integer tensor): the inverse of
        :meth:`encode` for known tokens.

        Example::

            >>> v = Vocab("hello", specials=())
            >>> "".join(v.decode(v.encode(list("hole"))))
            'hole'
        """
        return self.lookup_tokens(indices)

    # ---- whole tables ------------------------------------------------------------------------

    def get_itos(self):
        """A list of the tokens in index order (a copy)."""
        return list(self._itos)

    def get_stoi(self):
        """A dict from token to index (a copy)."""
        return dict(self._stoi)

    def __len__(self):
        return len(self._itos)

    def __iter__(self):
        return iter(self._itos)

    def __eq__(self, other):
        if not isinstance(other, Vocab):
            return NotImplemented
        return self._itos == other._itos and self._default_index == other._default_index

    __hash__ = None

    def __repr__(self):
        head = ", ".join(repr(t) for t in self._itos[:5]) + (", ..." if len(self._itos) > 5 else "")
        return f"Vocab(size={len(self._itos)}, default_index={self._default_index}, itos=[{head}])"

    # ---- growing it, as torchtext ------------------------------------------------------------

    def append_token(self, token):
        """Adds a new token at the end (ValueError if it is already there)."""
        self.insert_token(token, len(self._itos))

    def insert_token(self, token, index):
        """Inserts a new token at ``index``, shifting the tokens after it (and the default index,
        if it is after it) by one, as torchtext."""
        _check_token(token, "Vocab.insert_token")
        if token in self._stoi:
            raise ValueError(f"Vocab.insert_token: token {token!r} is already at index "
                             f"{self._stoi[token]}")
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= len(self._itos):
            raise IndexError(f"Vocab.insert_token: index {index!r} is out of range [0, "
                             f"{len(self._itos)}]")
        self._set_itos(self._itos[:index] + [token] + self._itos[index:])
        if self._default_index is not None and self._default_index >= index:
            self._default_index += 1

    # ---- files -------------------------------------------------------------------------------

    def save(self, path):
        """Writes the vocabulary to ``path`` as plain JSON (``{"itos": [...], "default_index":
        ...}``), through a temporary file and a rename.

        Example::

            >>> v.save("vocab.json"); Vocab.load("vocab.json") == v
            True
        """
        data = {"format": "ember.text.Vocab", "version": 1, "itos": self._itos,
                "default_index": self._default_index}
        path = os.fspath(path)
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=True, indent=0)  # ASCII: any str, lone surrogates too
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path):
        """Reads a vocabulary written by :meth:`save`; equal to the saved one.

        Raises:
            ValueError: the file is not such a vocabulary.
        """
        with open(os.fspath(path), encoding="utf-8") as f:
            try:
                data = json.load(f)
            except json.JSONDecodeError as e:
                raise ValueError(f"Vocab.load: {path} is not JSON ({e})") from None
        if not isinstance(data, dict) or data.get("format") != "ember.text.Vocab" or \
                not isinstance(data.get("itos"), list):
            raise ValueError(f"Vocab.load: {path} does not hold a vocabulary saved by Vocab.save")
        return cls.from_itos(data["itos"], data.get("default_index"))


def build_vocab_from_iterator(iterator, min_freq=1, specials=None, special_first=True,
                              max_tokens=None):
    """Builds a :class:`Vocab` as torchtext's ``build_vocab_from_iterator`` does, for programs
    written for it: same arguments, same order (frequency descending, ties alphabetically), no
    default index (set one with ``vocab.set_default_index(vocab["<unk>"])``).

    Args:
        iterator: an iterable of token lists.
        min_freq: the least count a token needs to be kept.
        specials: tokens added whatever their counts, or None.
        special_first: put the specials first (else last).
        max_tokens: the largest ``len(vocab)``, specials included, or None.

    Returns:
        Vocab

    Example::

        >>> v = build_vocab_from_iterator([["b", "a", "c", "a"]], specials=["<unk>"])
        >>> v.set_default_index(v["<unk>"]); v.get_itos()
        ['<unk>', 'a', 'b', 'c']
    """
    counter = _count(iterator)
    specials = list(specials or [])
    if len(set(specials)) != len(specials):
        raise ValueError(f"build_vocab_from_iterator: specials must be distinct, got {specials}")
    ordered = sorted(counter.items(), key=lambda x: (-x[1], x[0]))
    if max_tokens is not None:
        if len(specials) >= max_tokens:
            raise ValueError(f"build_vocab_from_iterator: len(specials) = {len(specials)} >= "
                             f"max_tokens = {max_tokens}, so the vocabulary would hold only specials")
        ordered = ordered[:max_tokens - len(specials)]  # truncated before min_freq, as torchtext
    special_set = set(specials)
    tokens = [t for t, c in ordered if c >= min_freq and t not in special_set]
    return Vocab.from_itos(specials + tokens if special_first else tokens + specials)

"""Character and word tokenizers (the word one is torchtext's ``basic_english``)."""
import re


def _check_text(text, where):
    if not isinstance(text, str):
        raise TypeError(f"{where}: expected a str, got {type(text).__name__}")
    return text


def char_tokenize(text, lower=False):
    """Splits ``text`` into its characters (spaces and newlines included).

    Args:
        text: a str.
        lower: lowercase it first.

    Returns:
        list of one-character str; ``"".join`` of it gives the text back (lowercased if asked).

    Example::

        >>> char_tokenize("Hi !")
        ['H', 'i', ' ', '!']
    """
    text = _check_text(text, "char_tokenize")
    return list(text.lower() if lower else text)


# torchtext.data.utils._basic_english_normalize, rule for rule (applied in this order).
_BASIC_ENGLISH = [(re.compile(p), r) for p, r in [
    (r"\'", " '  "), (r"\"", ""), (r"\.", " . "), (r"<br \/>", " "), (r",", " , "), (r"\(", " ( "),
    (r"\)", " ) "), (r"\!", " ! "), (r"\?", " ? "), (r"\;", " "), (r"\:", " "), (r"\s+", " ")]]


def word_tokenize(text, lower=True):
    """Splits ``text`` into words and punctuation, as torchtext's ``basic_english`` tokenizer.

    Exactly: lowercase (if ``lower``); put spaces around ``'`` ``.`` ``,`` ``(`` ``)`` ``!`` ``?``
    so each is a token of its own; delete ``"``; replace ``;``, ``:`` and the HTML line break
    ``<br />`` by a space; then split on whitespace. Other characters (``-``, ``/``, digits,
    accented letters, ...) stay inside words. It is not invertible: case, quotes, ``;`` ``:``
    and the spacing are lost; tokenizing the joined tokens gives the same tokens again.

    Args:
        text: a str.
        lower: lowercase the text first (``basic_english`` always does).

    Returns:
        list of str.

    Example::

        >>> word_tokenize('He said: "Don\\'t (ever) stop!"')
        ['he', 'said', 'don', "'", 't', '(', 'ever', ')', 'stop', '!']
    """
    text = _check_text(text, "word_tokenize")
    if lower:
        text = text.lower()
    for pattern, replacement in _BASIC_ENGLISH:
        text = pattern.sub(replacement, text)
    return text.split()


class CharTokenizer:
    """Callable form of :func:`char_tokenize`, with the inverse :meth:`decode`.

    Args:
        lower: lowercase the text first. Default: False.

    Example::

        >>> tok = CharTokenizer()
        >>> tok.decode(tok("to be")) == "to be"
        True
    """

    def __init__(self, lower=False):
        self.lower = lower

    def __call__(self, text):
        return char_tokenize(text, self.lower)

    def decode(self, tokens):
        """Joins characters back into the text: ``"".join(tokens)``."""
        return "".join(tokens)

    def __repr__(self):
        return f"CharTokenizer(lower={self.lower})"


class WordTokenizer:
    """Callable form of :func:`word_tokenize` (torchtext's ``basic_english`` rules), with
    :meth:`decode` joining the tokens with spaces.

    Args:
        lower: lowercase the text first. Default: True.

    Example::

        >>> tok = WordTokenizer()
        >>> tok("Hello, world.")
        ['hello', ',', 'world', '.']
        >>> tok.decode(tok("Hello, world."))
        'hello , world .'
    """

    def __init__(self, lower=True):
        self.lower = lower

    def __call__(self, text):
        return word_tokenize(text, self.lower)

    def decode(self, tokens):
        """Joins tokens with single spaces; ``self(self.decode(t)) == t`` for tokens ``t`` that this
        tokenizer produced."""
        return " ".join(tokens)

    def __repr__(self):
        return f"WordTokenizer(lower={self.lower})"


def get_tokenizer(tokenizer, language="en"):
    """A tokenizer by name, as torchtext.data.utils.get_tokenizer.

    Args:
        tokenizer (str, callable or None): None splits on whitespace (``str.split``);
            ``"basic_english"`` gives a :class:`WordTokenizer` (torchtext's rules, see
            :func:`word_tokenize`); ``"char"`` a :class:`CharTokenizer`; a callable is returned
            as it is.
        language (str, optional): ``"en"``, the only language of ``basic_english``. Default:
            ``"en"``.

    Returns:
        callable: maps a str to a list of str.

    Raises:
        ValueError: an unknown tokenizer name (spacy and others are not bundled), or a language
            other than ``"en"`` for ``basic_english``.

    Example::

        >>> get_tokenizer("basic_english")("A b.")
        ['a', 'b', '.']
        >>> get_tokenizer(None)("A b.")
        ['A', 'b.']
    """
    if callable(tokenizer):
        return tokenizer
    if tokenizer is None:
        return str.split
    if tokenizer == "basic_english":
        if language != "en":
            raise ValueError(f"get_tokenizer: basic_english is for language 'en', got {language!r}")
        return WordTokenizer()
    if tokenizer == "char":
        return CharTokenizer()
    raise ValueError(f"get_tokenizer: unknown tokenizer {tokenizer!r}; expected None, "
                     f"'basic_english', 'char' or a callable (spacy and others are not bundled)")

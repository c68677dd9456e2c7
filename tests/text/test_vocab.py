"""ember.text.Vocab and the tokenizers: build order (specials, frequency, first appearance),
min_freq, max_size, lookups both ways, unknown tokens, save/load round trips, torchtext's
build_vocab_from_iterator and basic_english rules, tokenizer round trips, bad inputs."""
import collections
import json
import random

import pytest

import ember
from ember.text import (CharTokenizer, TokenNotFoundError, Vocab, WordTokenizer,
                        build_vocab_from_iterator, char_tokenize, get_tokenizer, word_tokenize)

SPECIALS = ["<unk>", "<eos>", "<pad>"]


def reference_itos(tokens, min_freq=1, max_size=None, specials=SPECIALS):
    """The documented order, written independently: count, then for each distinct token in
    order of first appearance its rank by count, stable."""
    first = {}
    counts = collections.defaultdict(int)
    for t in tokens:
        first.setdefault(t, len(first))
        counts[t] += 1
    rest = [t for t in first if counts[t] >= min_freq and t not in specials]
    rest.sort(key=lambda t: (-counts[t], first[t]))
    out = list(specials) + rest
    return out if max_size is None else out[:max_size]


# ---- building ------------------------------------------------------------------------------

def test_order_specials_then_frequency_then_first_appearance():
    v = Vocab("b a c a b d e e e".split())
    assert v.get_itos() == ["<unk>", "<eos>", "<pad>", "e", "b", "a", "c", "d"]
    assert len(v) == 8 and v.get_default_index() == 0


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("min_freq,max_size", [(1, None), (2, None), (3, 6), (1, 3), (1, 10)])
def test_random_streams_follow_the_documented_order(seed, min_freq, max_size):
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(15)] + ["<eos>"]
    tokens = [rng.choice(words[: rng.randint(3, 16)]) for _ in range(rng.randint(0, 200))]
    v = Vocab(tokens, min_freq=min_freq, max_size=max_size)
    assert v.get_itos() == reference_itos(tokens, min_freq, max_size)
    assert max_size is None or len(v) <= max_size


def test_token_lists_flat_tokens_and_strings_build_the_same():
    lines = [["to", "be", "or"], ["not", "to", "be"]]
    assert Vocab(lines) == Vocab([t for line in lines for t in line])
    assert Vocab(("x", "y") for _ in range(2)) == Vocab(["x", "y", "x", "y"])
    chars = Vocab("hello world", specials=())  # a str is an iterable of characters
    assert chars.get_itos() == ["l", "o", "h", "e", " ", "w", "r", "d"]


def test_min_freq_keeps_specials_and_drops_rare_tokens():
    v = Vocab("a a a b b c".split(), min_freq=2)
    assert v.get_itos() == SPECIALS + ["a", "b"]
    assert "c" not in v and v["c"] == v["<unk>"] == 0


def test_max_size_counts_the_specials():
    tokens = "a a a b b c d".split()
    assert Vocab(tokens, max_size=5).get_itos() == SPECIALS + ["a", "b"]
    assert Vocab(tokens, max_size=3).get_itos() == SPECIALS
    assert len(Vocab(tokens, max_size=100)) == 7


def test_specials_in_the_data_are_not_repeated_and_custom_specials():
    v = Vocab(["<eos>", "a", "<eos>", "<eos>"])
    assert v.get_itos() == SPECIALS + ["a"]
    w = Vocab("x y".split(), specials=["<pad>", "<unk>"])
    assert w.get_itos() == ["<pad>", "<unk>", "x", "y"] and w["zzz"] == 1
    u = Vocab("x y".split(), specials=["<s>", "<oov>"], unk_token="<oov>")
    assert u.default_index == 1 and u["nope"] == 1


def test_unknown_tokens_without_unk_raise_a_key_error_naming_the_token():
    v = Vocab("a b".split(), specials=())
    assert v.get_default_index() is None
    with pytest.raises(KeyError, match="'zebra' not found"):
        v["zebra"]
    with pytest.raises(RuntimeError, match="default index is not set"):  # as torchtext
        v(["a", "zebra"])
    with pytest.raises(TokenNotFoundError):
        Vocab("a".split(), specials=["<pad>"])["b"]  # <unk> not among the specials
    with pytest.raises(KeyError):
        Vocab("a".split(), unk_token=None)["b"]
    v.set_default_index(1)
    assert v["zebra"] == 1
    v.set_default_index(None)
    with pytest.raises(KeyError):
        v["zebra"]


# ---- lookups ----------------------------------------------------------------------------------

def test_lookups_both_ways_agree():
    tokens = "the quick brown fox jumps over the lazy dog the end".split()
    v = Vocab(tokens)
    itos, stoi = v.get_itos(), v.get_stoi()
    assert len(itos) == len(stoi) == len(v)
    for i, t in enumerate(itos):
        assert v[t] == i == stoi[t] and v.lookup_token(i) == t and t in v
    assert v.lookup_token(-1) == itos[-1]
    assert v.lookup_tokens(v.lookup_indices(tokens)) == tokens
    assert v(tokens) == [stoi[t] for t in tokens]
    assert list(v) == itos
    itos.append("mutated")
    stoi["mutated"] = 99
    assert "mutated" not in v and len(v.get_itos()) == len(v)  # copies
    assert "cat" not in v and 3 not in v


def test_encode_decode_round_trip_through_a_tensor():
    v = Vocab("a b c a".split())
    ids = v.encode(["c", "a", "zz", "b"])
    assert ids.dtype == ember.int64 and ids.tolist() == [v["c"], v["a"], 0, v["b"]]
    assert v.decode(ids) == ["c", "a", "<unk>", "b"]
    assert v.decode(ids.tolist()) == v.lookup_tokens(ids)
    assert v.encode([]).shape == (0,)
    assert v.lookup_token(ember.tensor(3)) == "a"


def test_insert_and_append_token_shift_indices_as_torchtext():
    v = Vocab("a b".split(), specials=["<pad>", "<unk>"])
    v.insert_token("<bos>", 0)
    assert v.get_itos() == ["<bos>", "<pad>", "<unk>", "a", "b"] and v["zz"] == 2
    v.append_token("c")
    assert v["c"] == 5 and v.lookup_token(5) == "c"
    with pytest.raises(ValueError, match="'a' is already at index 3"):
        v.append_token("a")
    with pytest.raises(IndexError, match="out of range"):
        v.insert_token("d", 7)


# ---- files ----------------------------------------------------------------------------------

@pytest.mark.parametrize("tokens,specials", [
    ("the cat sat on the mat".split(), SPECIALS),
    (list("héllo wörld\n\t\u00a0 ünïcödé 日本語 🙂"), ()),
    (["", " ", "\n", '"quoted"', "back\\slash", "\ud800", "<unk>x"], ["<unk>"]),
])
def test_save_load_round_trips_exactly(tmp_path, tokens, specials):
    v = Vocab(tokens, specials=specials)
    path = tmp_path / "vocab.json"
    v.save(path)
    w = Vocab.load(str(path))
    assert w == v and w.get_itos() == v.get_itos() and w.get_default_index() == v.get_default_index()
    data = json.loads(path.read_text(encoding="ascii"))  # plain JSON
    assert data["itos"] == v.get_itos()
    assert not list(tmp_path.glob("*.tmp*"))


def test_load_rejects_other_files(tmp_path):
    (tmp_path / "a.json").write_text('{"itos": ["a"]}')
    with pytest.raises(ValueError, match="not hold a vocabulary"):
        Vocab.load(tmp_path / "a.json")
    (tmp_path / "b.json").write_text("not json")
    with pytest.raises(ValueError, match="is not JSON"):
        Vocab.load(tmp_path / "b.json")


# ---- torchtext's builder --------------------------------------------------------------------

def test_build_vocab_from_iterator_follows_torchtext():
    lines = [["b", "a", "c", "a"], ["d", "b", "<unk>"]]
    v = build_vocab_from_iterator(lines, specials=["<unk>"])
    assert v.get_itos() == ["<unk>", "a", "b", "c", "d"]  # ties alphabetically, as torchtext
    assert v.get_default_index() is None
    with pytest.raises(RuntimeError):
        v["zz"]
    v.set_default_index(v["<unk>"])
    assert v["zz"] == 0
    assert build_vocab_from_iterator(lines, min_freq=2).get_itos() == ["a", "b"]
    assert build_vocab_from_iterator(lines, specials=["<pad>"], special_first=False,
                                     max_tokens=3).get_itos() == ["a", "b", "<pad>"]
    with pytest.raises(ValueError, match="max_tokens"):
        build_vocab_from_iterator(lines, specials=["<pad>"], max_tokens=1)


def test_build_vocab_from_iterator_matches_torchtext_when_installed():
    torchtext_vocab = pytest.importorskip("torchtext.vocab")
    rng = random.Random(0)
    lines = [[rng.choice("abcdefgh") for _ in range(rng.randint(0, 9))] for _ in range(30)]
    for kw in [{}, {"min_freq": 3}, {"specials": ["<unk>", "<pad>"], "max_tokens": 5}]:
        assert build_vocab_from_iterator(lines, **kw).get_itos() == \
            torchtext_vocab.build_vocab_from_iterator(lines, **kw).get_itos()


# ---- tokenizers ------------------------------------------------------------------------------

TEXTS = ["", "Hello, World!", "  two  spaces\tand\ttabs\nand lines\n", "héllo wörld 日本 🙂",
         'He said: "Don\'t (ever) stop!"; then left.', "a<br />b", "3.14, e-mail/url?!"]


@pytest.mark.parametrize("text", TEXTS)
def test_char_tokenizer_round_trips(text):
    tokens = char_tokenize(text)
    assert all(len(t) == 1 for t in tokens) and "".join(tokens) == text
    tok = CharTokenizer()
    assert tok.decode(tok(text)) == text
    assert CharTokenizer(lower=True).decode(CharTokenizer(lower=True)(text)) == text.lower()
    v = Vocab(text, specials=())  # text -> ids -> text through a character vocabulary
    assert "".join(v.decode(v.encode(tok(text)))) == text


@pytest.mark.parametrize("text,expected", [
    ("Hello, World!", ["hello", ",", "world", "!"]),
    ('He said: "Don\'t (ever) stop!"; then left.',
     ["he", "said", "don", "'", "t", "(", "ever", ")", "stop", "!", "then", "left", "."]),
    ("a<br />b", ["a", "b"]), ("3.14, e-mail/url?!", ["3", ".", "14", ",", "e-mail/url", "?", "!"]),
    ("  \n\t ", []),
])
def test_word_tokenizer_applies_basic_english_rules(text, expected):
    assert word_tokenize(text) == expected
    assert get_tokenizer("basic_english")(text) == expected


def test_word_tokenizer_lower_option_and_get_tokenizer():
    assert word_tokenize("The Cat.", lower=False) == ["The", "Cat", "."]
    assert WordTokenizer(lower=False)("Big Dog") == ["Big", "Dog"]
    assert get_tokenizer(None)("a  b") == ["a", "b"]
    assert get_tokenizer("char")("ab") == ["a", "b"]
    assert get_tokenizer(str.upper) is str.upper
    with pytest.raises(ValueError, match="unknown tokenizer 'spacy'"):
        get_tokenizer("spacy")


def test_word_tokenizer_matches_torchtext_when_installed():
    utils = pytest.importorskip("torchtext.data.utils")
    ref = utils.get_tokenizer("basic_english")
    for text in TEXTS:
        assert word_tokenize(text) == ref(text)


@pytest.mark.parametrize("seed", range(3))
def test_word_tokenizer_is_stable_under_decode(seed):
    rng = random.Random(seed)
    alphabet = "abcXYZ ..,,!?()'\";:-\n\t<br />"
    text = "".join(rng.choice(alphabet) for _ in range(300))
    tok = WordTokenizer()
    tokens = tok(text)
    assert tokens and tok(tok.decode(tokens)) == tokens
    v = Vocab(tokens)
    assert v.decode(v.encode(tokens)) == tokens  # every token of the text is in its vocabulary


# ---- bad inputs ---------------------------------------------------------------------------------

def test_bad_inputs_raise_clear_errors():
    with pytest.raises(TypeError, match="iterable of str tokens.*int"):
        Vocab(123)
    with pytest.raises(TypeError, match="item of type int"):
        Vocab(["a", 1])
    with pytest.raises(TypeError, match="tokens must be str, got int"):
        Vocab([["a", 3]])
    with pytest.raises(ValueError, match="min_freq must be an int >= 1, got 0"):
        Vocab(["a"], min_freq=0)
    with pytest.raises(ValueError, match="max_size must be None or an int >= len\\(specials\\) = 3"):
        Vocab(["a"], max_size=2)
    with pytest.raises(ValueError, match="specials must be distinct"):
        Vocab(["a"], specials=["<unk>", "<unk>"])
    v = Vocab(["a"])
    with pytest.raises(TypeError, match="tokens must be str, got int"):
        v[3]
    with pytest.raises(IndexError, match="index 4 is out of range for a vocabulary of 4 tokens"):
        v.lookup_token(4)
    with pytest.raises(TypeError, match="expected an int index, got float"):
        v.lookup_token(1.0)
    with pytest.raises(TypeError, match="got a str"):
        v.lookup_indices("abc")
    with pytest.raises(TypeError, match="1-D integer tensor"):
        v.decode(ember.tensor([1.0]))
    with pytest.raises(IndexError, match="out of range"):
        v.set_default_index(10)
    with pytest.raises(ValueError, match="tokens must be distinct"):
        Vocab.from_itos(["a", "b", "a"])
    with pytest.raises(TypeError, match="expected a str, got bytes"):
        word_tokenize(b"bytes")
    with pytest.raises(TypeError, match="char_tokenize: expected a str"):
        char_tokenize(None)

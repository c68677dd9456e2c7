"""ember.text's embedding utilities: cosine similarity against torch, nearest neighbours against
a NumPy brute force, analogies on a constructed embedding whose answers are known (and gensim's
3CosAdd written out in NumPy), exclusion of the query words, bad inputs."""
import numpy as np
import pytest

import ember
from ember import nn
from ember.text import Vocab, analogy, cosine_similarity, most_similar, nearest_neighbours


def unit(x):
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-8)


def brute_force(w, target, k, exclude):
    """The k rows of w closest to target by cosine, excluded rows left out, ties by index."""
    sims = unit(w) @ unit(target)
    order = [i for i in np.argsort(-sims, kind="stable") if i not in set(exclude)]
    return order[:k], sims[order[:k]]


# A small world: axes male, female, royal, person, young, fruit, vehicle, and a little noise.
WORDS = ["<unk>", "man", "woman", "king", "queen", "boy", "girl", "prince", "princess", "apple",
         "pear", "car", "truck"]
AXES = {"man": [1, 0, 0, 1, 0, 0, 0], "woman": [0, 1, 0, 1, 0, 0, 0], "king": [1, 0, 1, 1, 0, 0, 0],
        "queen": [0, 1, 1, 1, 0, 0, 0], "boy": [1, 0, 0, 1, 1, 0, 0], "girl": [0, 1, 0, 1, 1, 0, 0],
        "prince": [1, 0, 1, 1, 1, 0, 0], "princess": [0, 1, 1, 1, 1, 0, 0],
        "apple": [0, 0, 0, 0, 0, 1, 0], "pear": [0, 0, 0, 0, 0, 0.9, 0.1],
        "car": [0, 0, 0, 0, 0, 0, 1], "truck": [0, 0, 0, 0, 0, 0.1, 0.9], "<unk>": [0.1] * 7}


@pytest.fixture
def world():
    rng = np.random.default_rng(0)
    w = np.array([AXES[t] for t in WORDS], dtype=np.float64) + 0.01 * rng.standard_normal((13, 7))
    emb = nn.Embedding(len(WORDS), 7)
    with ember.no_grad():
        emb.weight.copy_(ember.tensor(w, dtype=ember.float32))
    return emb, Vocab.from_itos(WORDS, default_index=0), w


# ---- cosine similarity -----------------------------------------------------------------------


def test_cosine_similarity_matches_torch(torch, world):
    emb, vocab, w = world
    wt = torch.tensor(w, dtype=torch.float32)
    ref = torch.nn.functional.cosine_similarity(wt, wt[3:4], dim=1).numpy()
    for query in (3, "king", emb.weight[3].detach(), ember.tensor(3)):
        out = cosine_similarity(emb, query, vocab=vocab)
        assert out.shape == (13,) and not out.requires_grad
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5, atol=1e-6)
    queries = np.random.default_rng(1).standard_normal((4, 7))
    out = cosine_similarity(emb.weight, ember.tensor(queries, dtype=ember.float32))
    ref = torch.nn.functional.cosine_similarity(torch.tensor(queries)[:, None], torch.tensor(w)[None], dim=2)
    assert out.shape == (4, 13)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-6)


# ---- nearest neighbours ------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 3, 12])
def test_nearest_neighbours_match_a_brute_force(k):
    rng = np.random.default_rng(k)
    w = rng.standard_normal((50, 8))
    idx, sims = nearest_neighbours(ember.tensor(w), 7, k=k)
    ref_idx, ref_sims = brute_force(w, w[7], k, [7])
    assert idx.dtype == ember.int64 and idx.tolist() == ref_idx
    np.testing.assert_allclose(sims.numpy(), ref_sims, atol=1e-12)
    q = rng.standard_normal(8)  # a free vector: nothing excluded but what is asked
    idx, sims = nearest_neighbours(ember.tensor(w), ember.tensor(q), k=k, exclude=[0, 1])
    assert idx.tolist() == brute_force(w, q, k, [0, 1])[0]


def test_nearest_neighbours_with_a_vocab(world):
    emb, vocab, _ = world
    assert [t for t, _ in nearest_neighbours(emb, "apple", k=2, vocab=vocab)] == ["pear", "<unk>"]
    out = nearest_neighbours(emb, "apple", k=2, vocab=vocab, exclude="<unk>")
    assert [t for t, _ in out] == ["pear", "truck"]
    assert all(isinstance(s, float) for _, s in out) and out[0][1] > out[1][1]
    assert nearest_neighbours(emb, "king", k=1, vocab=vocab, exclude_query=False)[0][0] == "king"
    assert nearest_neighbours(emb, "king", k=1, vocab=vocab)[0][0] != "king"
    out = nearest_neighbours(emb, "king", k=3, vocab=vocab, exclude=["prince", "queen"])
    assert {"king", "prince", "queen"}.isdisjoint(t for t, _ in out)
    assert len(nearest_neighbours(emb, 0, k=50)[0]) == 12  # all but the query


# ---- analogies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("a,b,c,expected", [
    ("man", "king", "woman", "queen"), ("woman", "queen", "man", "king"),
    ("man", "boy", "woman", "girl"), ("king", "prince", "queen", "princess"),
    ("boy", "prince", "girl", "princess"), ("apple", "pear", "car", "truck"),
])
def test_analogies_on_a_constructed_embedding(world, a, b, c, expected):
    emb, vocab, w = world
    (token, sim), = analogy(emb, a, b, c, vocab=vocab)
    assert token == expected and 0.8 < sim <= 1.0
    ids = [vocab[t] for t in (a, b, c)]
    idx, sims = analogy(emb.weight, *ids, k=4)  # indices in, indices out
    target = unit(w[ids[1]]) - unit(w[ids[0]]) + unit(w[ids[2]])  # gensim: positive b, c; negative a
    ref_idx, ref_sims = brute_force(w, target, 4, ids)
    assert idx.tolist() == ref_idx and vocab.lookup_token(ref_idx[0]) == expected
    np.testing.assert_allclose(sims.numpy(), ref_sims, rtol=1e-5)


def test_analogy_excludes_the_query_words(world):
    emb, vocab, _ = world
    # prince - boy + boy is prince itself: without exclusion the answer would be a query word.
    assert most_similar(emb, positive=["prince", "boy"], negative=["boy"], k=1, vocab=vocab,
                        )[0][0] not in ("prince", "boy")
    out = analogy(emb, "man", "king", "woman", k=10, vocab=vocab)
    assert {"man", "king", "woman"}.isdisjoint(t for t, _ in out) and len(out) == 10
    out = analogy(emb, "man", "king", "woman", k=3, vocab=vocab, exclude=["queen"])
    assert out[0][0] != "queen"
    # Vectors are not excluded (they are not rows).
    v = emb.weight[vocab["queen"]].detach()
    assert nearest_neighbours(emb, v, k=1, vocab=vocab)[0][0] == "queen"


def test_most_similar_with_only_positive_equals_nearest_neighbours(world):
    emb, vocab, _ = world
    assert most_similar(emb, positive=["girl"], k=4, vocab=vocab) == \
        nearest_neighbours(emb, "girl", k=4, vocab=vocab)


# ---- bad inputs ---------------------------------------------------------------------------------


def test_bad_inputs(world):
    emb, vocab, _ = world
    with pytest.raises(KeyError, match="'kingdom' is not in the vocabulary"):
        analogy(emb, "man", "kingdom", "woman", vocab=vocab)  # never silently <unk>
    with pytest.raises(TypeError, match="got the token 'king' but no vocab"):
        nearest_neighbours(emb, "king")
    with pytest.raises(IndexError, match="index 13 is out of range for 13 embeddings"):
        nearest_neighbours(emb, 13)
    with pytest.raises(ValueError, match="shape \\(7,\\) to match the embedding, got \\(3,\\)"):
        cosine_similarity(emb, ember.ones(3))
    with pytest.raises(ValueError, match="\\(N, 7\\), got \\(2, 3\\)"):
        cosine_similarity(emb, ember.ones(2, 3))
    with pytest.raises(TypeError, match="Embedding or a \\(num_embeddings, dim\\) weight tensor, got list"):
        nearest_neighbours([[1.0]], 0)
    with pytest.raises(ValueError, match="2-D floating weight.*int64"):
        nearest_neighbours(ember.ones(3, 2, dtype=ember.int64), 0)
    with pytest.raises(ValueError, match="k must be an int >= 1, got 0"):
        nearest_neighbours(emb, 1, k=0)
    with pytest.raises(TypeError, match="positive must be a list of queries, got a single str"):
        most_similar(emb, positive="king", vocab=vocab)
    with pytest.raises(ValueError, match="at least one positive or negative"):
        most_similar(emb)
    with pytest.raises(ValueError, match="all 2 rows are excluded"):
        nearest_neighbours(ember.ones(2, 3), 0, exclude=[1])
    with pytest.raises(TypeError, match="expected an int index, a str token or a 1-D vector, got float"):
        nearest_neighbours(emb, 1.5)

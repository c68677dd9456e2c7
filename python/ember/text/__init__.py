"""ember.text: what language modelling needs around the layers: a vocabulary, character and word
tokenizers, BPTT batching of a token stream, sampling with temperature and top-k, perplexity, and
word-embedding utilities (cosine similarity, nearest neighbours, analogies)."""
from ember.text.batching import batchify, bptt_batches, get_batch
from ember.text.embeddings import analogy, cosine_similarity, most_similar, nearest_neighbours
from ember.text.sampling import perplexity, sample
from ember.text.tokenize import (CharTokenizer, WordTokenizer, char_tokenize, get_tokenizer,
                                 word_tokenize)
from ember.text.vocab import TokenNotFoundError, Vocab, build_vocab_from_iterator

__all__ = ["CharTokenizer", "TokenNotFoundError", "Vocab", "WordTokenizer", "analogy", "batchify",
           "bptt_batches", "build_vocab_from_iterator", "char_tokenize", "cosine_similarity",
           "get_batch", "get_tokenizer", "most_similar", "nearest_neighbours", "perplexity",
           "sample", "word_tokenize"]

"""ember.text: what language modelling needs around the layers: a vocabulary, character and word
tokenizers."""
from ember.text.tokenize import (CharTokenizer, WordTokenizer, char_tokenize, get_tokenizer,
                                 word_tokenize)
from ember.text.vocab import TokenNotFoundError, Vocab, build_vocab_from_iterator

__all__ = ["CharTokenizer", "TokenNotFoundError", "Vocab", "WordTokenizer",
           "build_vocab_from_iterator", "char_tokenize", "get_tokenizer", "word_tokenize"]

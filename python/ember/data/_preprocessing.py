"""Preprocessing fitted on the training set only: Standardize and PCAWhitening (C++ classes in
ember._C._data; their Python signatures come from the option rows that declare their arguments)."""
from ember._C import _data as _D
from ember._signature import make_init, signature_of

Standardize = _D.Standardize
PCAWhitening = _D.PCAWhitening


def _rows_init(cls):
    """The class's __init__ with the signature its C++ rows give; the arguments go to C++ as a dict."""
    construct = cls.__init__

    def body(self, arguments):
        construct(self, arguments)

    return make_init(cls, signature_of(cls._signature()), body, f"Makes a {cls.__name__} (see the class).")


for _cls in (Standardize, PCAWhitening):
    _cls.__init__ = _rows_init(_cls)
    _cls.__module__ = "ember.data"

__all__ = ["PCAWhitening", "Standardize"]

"""ember.train: what a practitioner uses around a training loop, with no framework required:
EarlyStopping, Checkpoint (the whole state, resumable bit for bit), History (records, CSV,
plots) and progress bars. Each works from a plain loop and as a callback (see Callback)."""
from ember.train.callbacks import Callback, EarlyStopping
from ember.train.checkpoint import Checkpoint
from ember.train.history import History
from ember.train.progress import progress

__all__ = ["Callback", "Checkpoint", "EarlyStopping", "History", "progress"]

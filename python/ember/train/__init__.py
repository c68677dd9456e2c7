"""ember.train: what a practitioner uses around a training loop, with no framework required:
EarlyStopping, Checkpoint (the whole state, resumable bit for bit), History (records, CSV,
plots), progress bars, a Monitor of per-layer gradients and activations with warnings for sick
networks, and sanity checks (initial loss, overfitting one batch, the learning-rate range test).
Each works from a plain loop and as a callback (see Callback)."""
from ember.train.callbacks import Callback, EarlyStopping
from ember.train.checkpoint import Checkpoint
from ember.train.fit import fit
from ember.train.history import History
from ember.train.progress import progress
from ember.train.monitor import Monitor, TrainingWarning
from ember.train.sanity import (
    InitialLossCheck,
    LRRangeTestResult,
    check_initial_loss,
    lr_range_test,
    overfit_one_batch,
)
from ember.train.search import (
    Choice,
    IntUniform,
    LogUniform,
    SearchResult,
    Trial,
    TrialPruned,
    TrialRecord,
    Uniform,
    random_search,
)

__all__ = ["Callback", "Checkpoint", "EarlyStopping", "History", "progress"]
__all__ += ["InitialLossCheck", "LRRangeTestResult", "Monitor", "TrainingWarning", "check_initial_loss",
            "lr_range_test", "overfit_one_batch"]
__all__ += ["fit"]
__all__ += ["Choice", "IntUniform", "LogUniform", "SearchResult", "Trial", "TrialPruned", "TrialRecord", "Uniform",
            "random_search"]

"""ember.train: the tools around a training loop that PyTorch leaves to other packages, usable from
a plain loop: a Monitor of per-layer gradients and activations with warnings for sick networks,
and sanity checks (initial loss, overfitting one batch, the learning-rate range test)."""
from ember.train.monitor import Monitor, TrainingWarning
from ember.train.sanity import (
    InitialLossCheck,
    LRRangeTestResult,
    check_initial_loss,
    lr_range_test,
    overfit_one_batch,
)

__all__ = ["InitialLossCheck", "LRRangeTestResult", "Monitor", "TrainingWarning", "check_initial_loss",
           "lr_range_test", "overfit_one_batch"]

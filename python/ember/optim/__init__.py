"""ember.optim: optimizers with torch.optim's API; each step is one fused C++ pass over each
parameter's memory (C++: ember::optim)."""
from ember.optim.optimizer import Optimizer
from ember.optim.optimizers import (ASGD, LBFGS, SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RAdam,
                                    RMSprop)
from ember.optim import lr_finder, lr_scheduler, swa_utils

__all__ = ["ASGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam", "Optimizer", "RAdam", "RMSprop",
           "SGD", "lr_finder", "lr_scheduler", "swa_utils"]

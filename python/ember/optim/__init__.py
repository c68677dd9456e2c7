"""ember.optim: optimizers with torch.optim's API; each step is one fused C++ pass over each
parameter's memory (C++: ember::optim)."""
from ember.optim.optimizer import Optimizer
from ember.optim.optimizers import LBFGS, SGD, Adagrad, Adam, AdamW, RMSprop
from ember.optim import lr_finder, lr_scheduler

__all__ = ["Adagrad", "Adam", "AdamW", "LBFGS", "Optimizer", "RMSprop", "SGD", "lr_finder", "lr_scheduler"]

"""ember.nn.parallel: data-parallel training over ember.distributed, as torch.nn.parallel."""
from ember.nn.parallel.distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]

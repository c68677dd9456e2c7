"""ember.nn.parallel: data-parallel training over ember.distributed, as torch.nn.parallel, and
DataParallel as torch's runs without GPUs."""
from ember.nn.parallel._data_parallel import DataParallel, data_parallel
from ember.nn.parallel.distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]

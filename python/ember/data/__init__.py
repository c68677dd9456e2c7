"""ember.data: datasets, samplers, collation and the DataLoader, with torch.utils.data's names and
semantics (``ember.utils.data`` is this same module). The DataLoader loads in parallel worker
processes when ``num_workers > 0``. Splits and k-fold cross-validation of a dataset's indices,
and preprocessing fitted on the training set only, follow scikit-learn's."""
from ember.data._collate import default_collate, default_convert
from ember.data._preprocessing import PCAWhitening, Standardize
from ember.data._splits import KFold, StratifiedKFold, train_val_test_split
from ember.data._worker import WorkerInfo, get_worker_info
from ember.data.dataloader import DataLoader
from ember.data.dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset,
                                TensorDataset, random_split)
from ember.data.sampler import (BatchSampler, DistributedSampler, RandomSampler, Sampler, SequentialSampler,
                                SubsetRandomSampler, WeightedRandomSampler)

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler",
           "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "StackDataset", "Subset",
           "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "WorkerInfo", "default_collate",
           "default_convert", "get_worker_info", "random_split",
           "KFold", "PCAWhitening", "Standardize", "StratifiedKFold", "train_val_test_split"]

"""default_collate and default_convert: a list of samples into a batch of tensors, structure kept
(dicts, named tuples, sequences), with torch.utils.data's output types and errors."""
import collections.abc
import copy
import re

import numpy as np

import ember
from ember.data.dataset import _TensorBatch

__all__ = ["default_collate", "default_convert"]

# NumPy dtypes that are strings or objects: left alone by default_convert, refused by default_collate
_NP_STR_OBJ = re.compile(r"[SaUO]")

_ERR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _rebuild_mapping(elem, values):
    """``elem``'s mapping type holding ``values`` (a dict), else a plain dict, as PyTorch."""
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(values)
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def _rebuild_sequence(elem, values):
    """``elem``'s sequence type holding ``values`` (a list), else the list, as PyTorch."""
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, v in enumerate(values):
                clone[i] = v
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def _is_numpy(obj):
    kind = type(obj)
    return kind.__module__ == "numpy" and kind.__name__ not in ("str_", "string_")


def default_convert(data):
    """Converts the NumPy arrays and scalars inside ``data`` to tensors, keeping its structure;
    everything else is returned as it is. The DataLoader's collate_fn when batching is off
    (``batch_size=None``).

    Args:
        data: one sample: an array, a tensor, or a mapping, named tuple or sequence of them.

    Returns:
        ``data`` with arrays as tensors (tuples become lists, as in PyTorch).

    Example::

        >>> import numpy as np
        >>> ember.data.default_convert({"x": np.array([1, 2]), "name": "a"})
        {'x': tensor([1, 2]), 'name': 'a'}
    """
    if isinstance(data, ember.Tensor):
        return data
    if _is_numpy(data):
        if type(data).__name__ == "ndarray" and _NP_STR_OBJ.search(data.dtype.str) is not None:
            return data
        return ember.as_tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {k: default_convert(data[k]) for k in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _stack(batch):
    try:
        return ember.stack(batch, 0)
    except ValueError:
        shapes = [tuple(t.shape) for t in batch]
        bad = next((i for i, s in enumerate(shapes) if s != shapes[0]), None)
        if bad is None:
            raise
        # PyTorch raises RuntimeError here
        raise RuntimeError(f"default_collate: stack expects each tensor to be equal size, but got "
                           f"{list(shapes[0])} at entry 0 and {list(shapes[bad])} at entry {bad}") from None


def default_collate(batch):
    """Merges a list of samples into a batch: tensors are stacked along a new first dimension,
    NumPy arrays and scalars become tensors, Python floats float64 tensors, ints int64 tensors
    (bools bool tensors), strings and bytes stay a list, and mappings, named tuples and sequences
    are collated field by field (tuples give lists, as in PyTorch). The DataLoader's collate_fn
    when batching.

    Args:
        batch (list): the samples, all of the same structure.

    Returns:
        the batch, with the samples' structure.

    Raises:
        TypeError: for an element of another type (or a NumPy array of strings or objects).
        RuntimeError: for sequences or tensors of unequal sizes.

    Example::

        >>> ember.data.default_collate([(ember.tensor([1., 2.]), 0), (ember.tensor([3., 4.]), 1)])
        [tensor([[1., 2.],
                [3., 4.]]), tensor([0, 1])]
        >>> ember.data.default_collate([{"a": 0.5}, {"a": 1.5}])
        {'a': tensor([0.5000, 1.5000], dtype=ember.float64)}
    """
    if type(batch) is _TensorBatch:  # a TensorDataset's batch, already gathered
        return list(batch.tensors)
    elem = batch[0]
    if isinstance(elem, ember.Tensor):
        return _stack(batch)
    if isinstance(elem, np.ndarray):
        if _NP_STR_OBJ.search(elem.dtype.str) is not None:
            raise TypeError(_ERR.format(elem.dtype))
        return _stack([ember.as_tensor(b) for b in batch])
    if isinstance(elem, (np.bool_, np.number, np.object_)):
        return ember.as_tensor(np.asarray(batch))
    if isinstance(elem, float):
        return ember.tensor(batch, dtype=ember.float64)
    if isinstance(elem, int):
        return ember.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {k: default_collate([d[k] for d in batch]) for k in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(s) for s in zip(*batch)]  # tuples, as PyTorch passes them
        return columns if isinstance(elem, tuple) else _rebuild_sequence(elem, columns)
    raise TypeError(_ERR.format(type(elem)))

"""ember.save / ember.load: tensors in the safetensors format (readable by the `safetensors`
package, and the reverse). Saving is atomic (a save killed mid-way leaves the old file and no
temporary); loading never executes code. ember stores a CRC-32C of each tensor in the metadata
and checks it on load, so a corrupted file raises ValueError instead of loading other numbers.

A flat state dict (names to tensors) is stored as it is. Anything else built of dicts, lists,
tuples, tensors and JSON values (a checkpoint: {"model": ..., "optimizer": ..., "epoch": 3})
is flattened: each tensor under its dotted path ("optimizer.state.0.exp_avg"), and the
structure, with the other values, as JSON in the file's metadata under "ember.structure".
"""
import json
import math
import os
from collections.abc import Mapping

from ember import _C

_STRUCTURE_KEY = "ember.structure"
_SCALARS = (bool, int, float, str, type(None))


def _is_state_dict(obj):
    return isinstance(obj, Mapping) and all(isinstance(k, str) and isinstance(v, _C.Tensor) for k, v in obj.items())


def _flatten(obj, path, tensors):
    """obj as JSON-ready data with each tensor replaced by {"tensor": its name in the file}."""
    if isinstance(obj, _C.Tensor):
        name = path or "tensor"
        while name in tensors:  # a key with a dot can meet a nested path: keep both
            name += "~"
        tensors[name] = obj
        return {"tensor": name}
    if isinstance(obj, float) and not math.isfinite(obj):
        return {"float": repr(obj)}
    if isinstance(obj, _SCALARS):
        return obj
    sub = (lambda key: f"{path}.{key}" if path else str(key))
    if isinstance(obj, Mapping):
        for k in obj:
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"save: dict keys must be str or int, got {type(k).__name__}")
        return {"dict": [[k, _flatten(v, sub(k), tensors)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {kind: [_flatten(v, sub(i), tensors) for i, v in enumerate(obj)]}
    raise TypeError(f"save: cannot store a {type(obj).__name__} (only tensors, dicts, lists, tuples, numbers, "
                    f"strings, bools and None)")


def _unflatten(node, tensors, f):
    if not isinstance(node, dict):
        return node
    if len(node) != 1:
        raise ValueError(f"load: {f}: malformed {_STRUCTURE_KEY} metadata")
    (kind, value), = node.items()
    if kind == "tensor":
        if value not in tensors:
            raise ValueError(f"load: {f}: the structure names a tensor {value!r} the file does not hold")
        return tensors[value]
    if kind == "float" and value in ("nan", "inf", "-inf"):
        return float(value)
    if kind == "dict":
        return {k: _unflatten(v, tensors, f) for k, v in value}
    if kind in ("list", "tuple"):
        items = [_unflatten(v, tensors, f) for v in value]
        return items if kind == "list" else tuple(items)
    raise ValueError(f"load: {f}: malformed {_STRUCTURE_KEY} metadata (unknown kind {kind!r})")


def save(obj, f, metadata=None):
    """Writes obj to the path f: a state dict (names to tensors), or a nested checkpoint of
    dicts, lists, tuples, tensors and JSON values. metadata: extra strings for the header (keys
    starting with "ember.crc32c." are ember's checksums and cannot be given)."""
    meta = {} if metadata is None else {str(k): str(v) for k, v in metadata.items()}
    if _is_state_dict(obj):
        items = list(obj.items())
    else:
        if isinstance(obj, _C.Tensor) or not isinstance(obj, (Mapping, list, tuple)):
            raise TypeError(f"save: expected a state dict or a checkpoint (dict, list or tuple), got "
                            f"{type(obj).__name__}")
        tensors = {}
        meta[_STRUCTURE_KEY] = json.dumps(_flatten(obj, "", tensors), allow_nan=False)
        items = list(tensors.items())
    _C._save_safetensors(items, os.fspath(f), meta)


def load(f, map_location=None, weights_only=True):
    """Reads what save wrote: a dict of names to tensors in file order (any safetensors file of
    bool, int64, float32 and float64 tensors), or the nested checkpoint as it was saved. Raises
    ValueError naming the file when it is malformed or a tensor does not match its checksum."""
    if map_location not in (None, "cpu") and str(map_location) != "cpu":
        raise ValueError(f"load: map_location {map_location!r} is not available (only 'cpu')")
    tensors, metadata = _C._load_safetensors(os.fspath(f))
    if _STRUCTURE_KEY not in metadata:
        return tensors
    try:
        return _unflatten(json.loads(metadata[_STRUCTURE_KEY]), tensors, f)
    except (TypeError, ValueError, RecursionError) as e:
        if isinstance(e, ValueError) and str(e).startswith("load:"):
            raise
        raise ValueError(f"load: {f}: malformed {_STRUCTURE_KEY} metadata ({type(e).__name__}: {e})") from None

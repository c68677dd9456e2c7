"""ember.save / ember.load: state dicts in the safetensors format (readable by the `safetensors`
package, and the reverse). Saving is atomic; loading never executes code."""
import os
from collections.abc import Mapping

from ember import _C


def save(obj, f, metadata=None):
    """Writes a mapping of names to tensors (a state dict) to the path f."""
    if not isinstance(obj, Mapping):
        raise TypeError(f"save: expected a mapping of names to tensors (a state dict), got {type(obj).__name__}")
    items = []
    for name, t in obj.items():
        if not isinstance(name, str):
            raise TypeError(f"save: names must be strings, got {type(name).__name__}")
        if not isinstance(t, _C.Tensor):
            raise TypeError(f"save: {name!r} is a {type(t).__name__}; only tensors can be saved")
        items.append((name, t))
    meta = {} if metadata is None else {str(k): str(v) for k, v in metadata.items()}
    _C._save_safetensors(items, os.fspath(f), meta)


def load(f, map_location=None, weights_only=True):
    """Reads a state dict saved by save (or any safetensors file of bool, int64, float32 and
    float64 tensors): a dict of names to tensors, in file order."""
    if map_location not in (None, "cpu") and str(map_location) != "cpu":
        raise ValueError(f"load: map_location {map_location!r} is not available (only 'cpu')")
    tensors, _ = _C._load_safetensors(os.fspath(f))
    return dict(tensors)

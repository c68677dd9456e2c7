"""ember.save / ember.load: tensors in the safetensors format (readable by the `safetensors`
package, and the reverse). Saving is atomic (a save killed mid-way leaves the old file and no
temporary); loading never executes code. ember stores a CRC-32C of each tensor in the metadata
and checks it on load, so a corrupted file raises ValueError instead of loading other numbers.

A flat state dict (names to tensors) is stored as it is. Anything else built of tensors, NumPy
arrays, dicts, lists, tuples and JSON values (a checkpoint: {"model": ..., "optimizer": ...,
"epoch": 3}, a list of arrays, a lone tensor) is flattened: each tensor or array under its dotted
path ("optimizer.state.0.exp_avg"), and the structure, with the other values, as JSON in the
file's metadata under "ember.structure". f is a path or a binary file object (io.BytesIO, an
open file), as torch.save and torch.load take.

Anything else (a whole model, an optimizer object, a set, a custom class) is pickled, as torch.save
does, into a file that starts with "EMBER-PICKLE" and names what it holds. Unpickling can run any
code, so load refuses such a file unless weights_only=False, as torch.load does since 2.6.
"""
import json
import math
import os
import pickle
import shutil
import struct
import tempfile
from collections.abc import Mapping

import numpy as np

from ember import _C

_STRUCTURE_KEY = "ember.structure"
_SCALARS = (bool, int, float, str, type(None))
_STORABLE = "tensors, NumPy arrays, dicts, lists, tuples, numbers, strings, bools and None"
_NUMPY_ITEMSIZES = {"b": (1,), "u": (1,), "i": (1, 2, 4, 8), "f": (2, 4, 8)}  # ember's dtypes, by kind
# A pickled file: this line, a little-endian uint32 length, a JSON header of that length naming
# what needed pickle, then the pickle.
_PICKLE_MAGIC = b"EMBER-PICKLE-1\n"


class _NotStorable(TypeError):
    """What safetensors cannot hold: save pickles the object instead."""


def _is_state_dict(obj):
    return isinstance(obj, Mapping) and all(isinstance(k, str) and isinstance(v, _C.Tensor) for k, v in obj.items())


class _Flattener:
    """obj as JSON-ready data, each tensor or array replaced by {"tensor"/"ndarray": its name in the
    file}; `trail` is the path to the value at hand, for the messages."""

    def __init__(self):
        self.tensors, self.trail = {}, []

    def where(self):
        return " at " + "".join(f"[{k!r}]" for k in self.trail) if self.trail else ""

    def refuse(self, what):
        raise _NotStorable(f"{what}{self.where()}")

    def name(self, path, tensor):
        name = path or "tensor"
        while name in self.tensors:  # a key with a dot can meet a nested path: keep both
            name += "~"
        self.tensors[name] = tensor
        return name

    def array(self, a):
        if a.dtype.kind not in "biuf" or a.dtype.itemsize not in _NUMPY_ITEMSIZES.get(a.dtype.kind, ()):
            self.refuse(f"a NumPy array of dtype {a.dtype}")  # safetensors holds ember's dtypes only
        return _C.from_numpy(a.astype(a.dtype.newbyteorder("="), order="C", copy=False))  # keeps 0-d

    def flatten(self, obj, path):
        if isinstance(obj, _C.Tensor):
            return {"tensor": self.name(path, obj)}
        if isinstance(obj, np.ndarray):
            return {"ndarray": self.name(path, self.array(obj))}
        if isinstance(obj, np.generic) and not isinstance(obj, (np.object_, np.flexible)):
            return {"npscalar": self.name(path, self.array(np.asarray(obj)))}
        if isinstance(obj, float) and not math.isfinite(obj):
            return {"float": repr(obj)}
        if isinstance(obj, _SCALARS):
            return obj
        sub = (lambda key: f"{path}.{key}" if path else str(key))
        if isinstance(obj, Mapping):
            items = []
            for k, v in obj.items():
                if not isinstance(k, (str, int)) or isinstance(k, bool):
                    self.refuse(f"a dict key of type {type(k).__name__} ({k!r})")  # JSON keys: str or int
                self.trail.append(k)
                items.append([k, self.flatten(v, sub(k))])
                self.trail.pop()
            return {"dict": items}
        if isinstance(obj, (list, tuple)):
            kind = "list" if isinstance(obj, list) else "tuple"
            items = []
            for i, v in enumerate(obj):
                self.trail.append(i)
                items.append(self.flatten(v, sub(i)))
                self.trail.pop()
            return {kind: items}
        self.refuse(f"a {type(obj).__name__}")


def _unflatten(node, tensors, f):
    if not isinstance(node, dict):
        return node
    if len(node) != 1:
        raise ValueError(f"load: {f}: malformed {_STRUCTURE_KEY} metadata")
    (kind, value), = node.items()
    if kind in ("tensor", "ndarray", "npscalar"):
        if not isinstance(value, str) or value not in tensors:
            raise ValueError(f"load: {f}: the structure names a tensor {value!r} the file does not hold")
        if kind == "tensor":
            return tensors[value]
        array = tensors[value].numpy()
        array = array.view(np.dtype(array.dtype.str))  # NumPy's own name for it: int64, not longlong
        return array if kind == "ndarray" else array[()]
    if kind == "float" and value in ("nan", "inf", "-inf"):
        return float(value)
    if kind == "dict":
        return {k: _unflatten(v, tensors, f) for k, v in value}
    if kind in ("list", "tuple"):
        items = [_unflatten(v, tensors, f) for v in value]
        return items if kind == "list" else tuple(items)
    raise ValueError(f"load: {f}: malformed {_STRUCTURE_KEY} metadata (unknown kind {kind!r})")


def _is_path(f):
    return isinstance(f, (str, bytes, os.PathLike))


def _name_of(f):
    return os.fsdecode(f) if _is_path(f) else getattr(f, "name", type(f).__name__)


def save(obj, f, metadata=None):
    """Writes obj to f in the safetensors format, without pickle, so that no code runs when it is
    loaded; an object that format cannot hold is pickled instead, as torch.save does.

    Args:
        obj: a state dict (names to tensors), or tensors, NumPy arrays, numbers, strings, bools
            and None nested in dicts (str or int keys), lists and tuples, e.g. a checkpoint
            {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}. Anything
            else (a whole model, an optimizer, a custom object) is pickled; load then needs
            weights_only=False.
        f: a path, or a binary file object with write() (io.BytesIO, an open file).
        metadata: extra strings for the header (keys starting with "ember." are ember's own).

    Raises:
        TypeError: when obj needs pickling and cannot be pickled, naming the value and where it sits
            ("save: cannot store a Foo at ['model']['layers'][2] ...").

    Example::

        >>> ember.save({"w": ember.ones(2), "steps": [1, 2], "x": np.zeros(3)}, "ckpt.safetensors")
    """
    meta = {} if metadata is None else {str(k): str(v) for k, v in metadata.items()}
    if not _is_path(f) and not callable(getattr(f, "write", None)):
        raise TypeError(f"save: f must be a path or a binary file object with write(), got {type(f).__name__}")
    if _is_state_dict(obj):
        items = list(obj.items())
    else:
        flat = _Flattener()
        try:
            meta[_STRUCTURE_KEY] = json.dumps(flat.flatten(obj, ""), allow_nan=False)
        except _NotStorable as e:
            _save_pickled(obj, f, str(e))
            return
        items = list(flat.tensors.items())
    if _is_path(f):
        _C._save_safetensors(items, os.fspath(f), meta)
        return
    with tempfile.TemporaryDirectory() as folder:  # the one writer is the C++ one, which writes files
        path = os.path.join(folder, "ember.safetensors")
        _C._save_safetensors(items, path, meta)
        with open(path, "rb") as src:
            shutil.copyfileobj(src, f)


def _save_pickled(obj, f, what):
    """Writes obj pickled, behind a header naming `what` (the first value safetensors cannot hold);
    a path is written atomically, as the safetensors files are."""
    try:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:  # noqa: BLE001 - pickle raises many kinds
        raise TypeError(f"save: cannot store {what}: it is not a state dict of tensors and pickling it failed "
                        f"({type(e).__name__}: {e})") from None
    header = json.dumps({"pickled": what}).encode()
    blob = _PICKLE_MAGIC + struct.pack("<I", len(header)) + header + data
    if not _is_path(f):
        f.write(blob)
        return
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".ember-save-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(blob)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _load_pickled(f, name, weights_only):
    """The object of a pickled file (f at the byte after the magic line)."""
    size = struct.unpack("<I", f.read(4))[0]
    what = json.loads(f.read(size).decode()).get("pickled", "Python objects")
    if weights_only:
        raise pickle.UnpicklingError(
            f"load: {name} holds pickled Python objects ({what}); unpickling can run any code, so weights_only=True "
            "(the default, as torch.load's) refuses it. If you trust the file, load it with weights_only=False "
            f"(a model's state_dict() saves without pickle: only {_STORABLE} do).")
    return pickle.load(f)


def load(f, map_location=None, weights_only=True):
    """Reads what save wrote, never running code.

    Args:
        f: a path, or a binary file object with read() (io.BytesIO, an open file), read from its
            current position to the end.
        map_location: None or "cpu" (ember's tensors live on the CPU).
        weights_only: True (the default) refuses a file save pickled (a whole model, any object
            that is not tensors and plain containers), since unpickling can run code; False loads
            it. safetensors files load either way, never running code.

    Returns:
        A dict of names to tensors in file order (any safetensors file), or the object as it was
        saved: nested containers, NumPy arrays back as NumPy arrays, a lone tensor as a tensor.

    Raises:
        ValueError: naming the file when it is malformed or a tensor does not match its checksum.
        pickle.UnpicklingError: the file is pickled and weights_only is True.

    Example::

        >>> ember.save({"w": ember.ones(2), "epoch": 3}, "ckpt.safetensors")
        >>> ckpt = ember.load("ckpt.safetensors")
        >>> ckpt["epoch"], ckpt["w"]
        (3, tensor([1., 1.]))
    """
    if map_location not in (None, "cpu") and str(map_location) != "cpu":
        raise ValueError(f"load: map_location {map_location!r} is not available (only 'cpu')")
    if _is_path(f):
        with open(f, "rb") as stream:
            if stream.read(len(_PICKLE_MAGIC)) == _PICKLE_MAGIC:
                return _load_pickled(stream, _name_of(f), weights_only)
        tensors, metadata = _C._load_safetensors(os.fspath(f))
    else:
        if not callable(getattr(f, "read", None)):
            raise TypeError(f"load: f must be a path or a binary file object with read(), got {type(f).__name__}")
        name = _name_of(f)
        start = f.read(len(_PICKLE_MAGIC))
        if start == _PICKLE_MAGIC:
            return _load_pickled(f, name, weights_only)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "ember.safetensors")
            with open(path, "wb") as dst:
                dst.write(start)
                shutil.copyfileobj(f, dst)
            try:
                tensors, metadata = _C._load_safetensors(path)
            except ValueError as e:  # named after the file object, not the temporary file
                raise ValueError(str(e).replace(path, str(name))) from None
        f = name
    if _STRUCTURE_KEY not in metadata:
        return tensors
    try:
        return _unflatten(json.loads(metadata[_STRUCTURE_KEY]), tensors, f)
    except (TypeError, ValueError, RecursionError) as e:
        if isinstance(e, ValueError) and str(e).startswith("load:"):
            raise
        raise ValueError(f"load: {f}: malformed {_STRUCTURE_KEY} metadata ({type(e).__name__}: {e})") from None


def _rebuild_tensor(data, dtype, sizes, strides, requires_grad):
    """A pickled tensor: what Tensor.__reduce_ex__ names (a function of this module, which pickle
    stores by name; a C++ one would pickle through eval) to make it from its raw bytes."""
    return _C._rebuild_tensor(data, dtype, sizes, strides, requires_grad)

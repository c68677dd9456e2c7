"""ParameterList and ParameterDict, as torch.nn's: parameters held in a list or a dict whose entries
are registered on the module (so ``parameters()``, ``state_dict()``, optimizers and ``to()`` see
them). Their entries are attributes named "0", "1", ... or by the keys; the C++ Module tree holds
them like any other parameter."""
import collections
import operator
from collections import abc as _abc

from ember._C import Tensor
from ember.nn.modules import Module, Parameter


def _as_entry(value):
    """A tensor that is no Parameter becomes one, as torch's containers make it; anything else is
    stored as it is."""
    return Parameter(value) if isinstance(value, Tensor) and not isinstance(value, Parameter) else value


def _entry_line(key, value, type_name):
    """One line of the containers' repr: a tensor's kind, type_name(tensor) and size, or an object's type."""
    if isinstance(value, Tensor):
        kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
        device = f" ({value.device})" if value.device.type != "cpu" else ""
        size = "x".join(str(d) for d in value.shape)
        return f"  ({key}): {kind} containing: [{type_name(value)} of size {size}{device}]"
    return f"  ({key}): Object of type: {type(value).__name__}"


class ParameterList(Module):
    """Holds parameters in a list, as torch.nn.ParameterList: each entry is registered on the module
    under its index, so the module's ``parameters()`` and ``state_dict()`` (keys ``"0"``, ``"1"``, ...)
    include them. A tensor that is no :class:`Parameter` is made one; other objects are kept as they
    are (and are not parameters).

    Args:
        values (iterable, optional): the first entries.

    Example::

        >>> weights = ember.nn.ParameterList([ember.nn.Parameter(ember.ones(2, 2)) for _ in range(3)])
        >>> weights.append(ember.zeros(2))
        ParameterList(
            (0): Parameter containing: [ember.float32 of size 2x2]
            (1): Parameter containing: [ember.float32 of size 2x2]
            (2): Parameter containing: [ember.float32 of size 2x2]
            (3): Parameter containing: [ember.float32 of size 2]
        )
        >>> len(list(weights.parameters()))
        4
    """

    def __init__(self, values=None):
        super().__init__()
        self._size = 0
        if values is not None:
            self += values

    def _index(self, idx):
        """The attribute name of entry ``idx`` (negative counts from the end); IndexError outside."""
        idx = operator.index(idx)
        if not -len(self) <= idx < len(self):
            raise IndexError(f"index {idx} is out of range")
        return str(idx + len(self) if idx < 0 else idx)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            out = self.__class__()
            for i in range(*idx.indices(len(self))):
                out.append(self[i])
            return out
        return getattr(self, self._index(idx))

    def __setitem__(self, idx, value):
        setattr(self, self._index(idx), _as_entry(value))

    def __len__(self):
        return self._size

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __iadd__(self, values):
        return self.extend(values)

    def __dir__(self):
        return [key for key in super().__dir__() if not key.isdigit()]

    def append(self, value):
        """Adds ``value`` at the end.

        Args:
            value: a parameter (a tensor is made one) or any object.

        Returns:
            ParameterList: this list.
        """
        index = len(self)
        self._size += 1
        self[index] = value
        return self

    def extend(self, values):
        """Appends each of ``values``.

        Args:
            values (iterable): the entries to append; a tensor is not unpacked (TypeError).

        Returns:
            ParameterList: this list.
        """
        if not isinstance(values, _abc.Iterable) or isinstance(values, Tensor):
            raise TypeError(f"ParameterList.extend should be called with an iterable, but got {type(values).__name__}")
        for value in values:
            self.append(value)
        return self

    def extra_repr(self):
        return "\n".join(_entry_line(i, value, lambda t: t.dtype) for i, value in enumerate(self))

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """Holds parameters in a dict keyed by strings, as torch.nn.ParameterDict: each entry is
    registered on the module under its key, so ``parameters()`` and ``state_dict()`` include them.
    It keeps insertion order; :meth:`update` from a plain dict (not an OrderedDict or a
    ParameterDict) adds its entries sorted by key, as torch's does. A tensor that is no
    :class:`Parameter` is made one.

    Args:
        parameters (mapping or iterable of (key, value) pairs, optional): the first entries.

    Example::

        >>> heads = ember.nn.ParameterDict({"left": ember.nn.Parameter(ember.zeros(3)), "right": ember.ones(3)})
        >>> heads["right"].requires_grad
        True
        >>> list(dict(heads.named_parameters()))
        ['left', 'right']
    """

    def __init__(self, parameters=None):
        super().__init__()
        self._keys = {}
        if parameters is not None:
            self.update(parameters)

    @staticmethod
    def _key(key):
        if not isinstance(key, str):
            raise TypeError("Index given to ParameterDict cannot be used as a key as it is not a string "
                            f"(type is '{type(key).__name__}').")
        return key

    def __getitem__(self, key):
        return getattr(self, self._key(key))

    def __setitem__(self, key, value):
        self._keys[self._key(key)] = None
        setattr(self, key, _as_entry(value))

    def __delitem__(self, key):
        del self._keys[key]
        delattr(self, key)

    def __len__(self):
        return len(self._keys)

    def __iter__(self):
        return iter(self._keys)

    def __reversed__(self):
        return reversed(self._keys)

    def __contains__(self, key):
        return key in self._keys

    def copy(self):
        """A new ParameterDict holding the same entries (the same Parameter objects), in order."""
        return ParameterDict(collections.OrderedDict((k, self[k]) for k in self._keys))

    def setdefault(self, key, default=None):
        """The entry of ``key``, first set to ``default`` when there is none."""
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self):
        """Removes every entry."""
        for key in list(self._keys):
            del self[key]

    def pop(self, key):
        """Removes the entry of ``key`` and returns it (KeyError when there is none)."""
        value = self[key]
        del self[key]
        return value

    def popitem(self):
        """Removes the last entry added and returns it as (key, value)."""
        if not self._keys:
            raise KeyError("popitem(): dictionary is empty")
        key = next(reversed(self._keys))
        return key, self.pop(key)

    def get(self, key, default=None):
        """The entry of ``key``, or ``default`` when there is none."""
        return self[key] if key in self else default

    def fromkeys(self, keys, default=None):
        """A new ParameterDict with each of ``keys`` set to ``default``."""
        return ParameterDict((k, default) for k in keys)

    def keys(self):
        """The keys, in order."""
        return self._keys.keys()

    def items(self):
        """(key, value) pairs, in order."""
        return ((k, self[k]) for k in self._keys)

    def values(self):
        """The entries, in order."""
        return (self[k] for k in self._keys)

    def update(self, parameters):
        """Adds or replaces entries.

        Args:
            parameters: a mapping (a plain dict's entries are added sorted by key; an OrderedDict's
                or a ParameterDict's in their order) or an iterable of (key, value) pairs.
        """
        if not isinstance(parameters, _abc.Iterable):
            raise TypeError("ParametersDict.update should be called with an iterable of key/value pairs, but got "
                            + type(parameters).__name__)
        if isinstance(parameters, (collections.OrderedDict, ParameterDict)):
            pairs = parameters.items()
        elif isinstance(parameters, _abc.Mapping):
            pairs = sorted(parameters.items())
        else:
            pairs = []
            for j, pair in enumerate(parameters):
                if not isinstance(pair, _abc.Iterable):
                    raise TypeError(f"ParameterDict update sequence element #{j} should be Iterable; is"
                                    + type(pair).__name__)
                pair = tuple(pair)
                if len(pair) != 2:
                    raise ValueError(f"ParameterDict update sequence element #{j} has length {len(pair)}; 2 is required")
                pairs.append(pair)
        for key, value in pairs:
            self[key] = value

    def __or__(self, other):
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other):
        merged = other.copy()
        merged.update(self)
        return merged

    def __ior__(self, other):
        self.update(other)
        return self

    def extra_repr(self):
        # torch's ParameterDict names the tensor type (ember.FloatTensor) where its list names the dtype.
        return "\n".join(_entry_line(k, value, lambda t: t.type()) for k, value in self.items())

    def __call__(self, input):
        raise RuntimeError("ParameterDict should not be called.")


ParameterList.__module__ = ParameterDict.__module__ = "ember.nn"

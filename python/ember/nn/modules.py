"""ember.nn's modules: C++ classes (ember._C._nn_modules) with PyTorch's Python API.

The C++ side holds the tree (parameters, buffers, children, training flags, state dicts);
this file adds what is Python's own: calling a module with forward hooks, hook handles,
``to()``'s argument forms, and the named tuple load_state_dict returns.
"""
import collections
import itertools
import weakref

from ember import _C
from ember._C import Tensor, device as _device, dtype as _dtype
from ember._signature import make_init, signature_of

_float32, _float64 = _dtype.float32, _dtype.float64
from ember._C import _nn_modules as _M

Module = _M.Module
Parameter = _M.Parameter

# Every module class the C++ side registered, under its own name: a new layer needs no line here.
_classes = [Parameter] + [c for c in vars(_M).values() if isinstance(c, type) and issubclass(c, Module)]
globals().update({c.__name__: c for c in _classes})


def _layer_init(cls):
    """PyTorch's __init__ for a layer whose arguments are C++ rows (ember/nn/layer.h): it binds the
    arguments to the signature the rows give and hands them to the C++ constructor as a dict."""
    construct = cls.__init__

    def body(self, arguments):
        construct(self, arguments)

    return make_init(cls, signature_of(cls._signature()), body, f"Makes a {cls.__name__} from PyTorch's arguments.")


for _cls in _classes:
    if "_signature" in vars(_cls):
        _cls.__init__ = _layer_init(_cls)

def _parameter_repr(self):
    return "Parameter containing:\n" + Tensor.__repr__(self)


Parameter.__repr__ = Parameter.__str__ = _parameter_repr


# ---- calling a module: forward hooks ---------------------------------------------------------

class RemovableHandle:
    """Returned by register_forward_hook / register_forward_pre_hook; remove() unregisters."""

    _ids = itertools.count()

    def __init__(self, hooks):
        self._hooks = weakref.ref(hooks)
        self.id = next(RemovableHandle._ids)

    def remove(self):
        hooks = self._hooks()
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _hooks(module, attribute):
    """The module's own ordered dict of hooks of one kind (made on first use)."""
    hooks = module.__dict__.get(attribute)
    if hooks is None:
        hooks = collections.OrderedDict()
        module.__dict__[attribute] = hooks
    return hooks


def _register(module, attribute, entry, prepend):
    hooks = _hooks(module, attribute)
    handle = RemovableHandle(hooks)
    hooks[handle.id] = entry
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
    """hook(module, args) -> None or new args (with_kwargs: hook(module, args, kwargs) -> None or
    (args, kwargs)), run before forward."""
    return _register(self, "_forward_pre_hooks", (hook, with_kwargs), prepend)


def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
    """hook(module, args, output) -> None or a new output (with_kwargs: hook(module, args, kwargs,
    output)), run after forward; always_call runs it even when forward raises."""
    return _register(self, "_forward_hooks", (hook, with_kwargs, always_call), prepend)


def _call_with_hooks(self, args, kwargs):
    for hook, with_kwargs in list(self.__dict__.get("_forward_pre_hooks", {}).values()):
        if with_kwargs:
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {result}.")
                args, kwargs = result
        else:
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    post = list(self.__dict__.get("_forward_hooks", {}).values())
    try:
        output = self.forward(*args, **kwargs)
    except Exception:
        for hook, with_kwargs, always_call in post:
            if always_call:
                try:
                    hook(self, args, kwargs, None) if with_kwargs else hook(self, args, None)
                except Exception:  # the forward's own error is the one to report
                    pass
        raise
    for hook, with_kwargs, _ in post:
        result = hook(self, args, kwargs, output) if with_kwargs else hook(self, args, output)
        if result is not None:
            output = result
    return output


def _call(self, *args, **kwargs):
    d = self.__dict__
    if d.get("_forward_hooks") or d.get("_forward_pre_hooks"):
        return _call_with_hooks(self, args, kwargs)
    return self.forward(*args, **kwargs)


# ---- conversions and state ----------------------------------------------------------------

def _to(self, *args, **kwargs):
    """to(dtype), to(device), to(device, dtype), to(tensor): floating-point parameters and buffers
    take the dtype in place (they keep their identity); ember's modules live on the CPU."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, _dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (str, _device)):
            device = a
        elif a is not None and not isinstance(a, bool):
            raise TypeError(f"to() received an invalid argument: {type(a).__name__}")
    if device is not None:
        _C._check_device(device, "Module.to")
    if dtype is not None:
        self._to_dtype(dtype)
    return self


def _cpu(self):
    return self


def _cuda(self, device=None):
    _C._no_cuda("Module.cuda")


def _double(self):
    return self._to_dtype(_float64)


def _float(self):
    return self._to_dtype(_float32)


def _requires_grad_(self, requires_grad=True):
    for p in self.parameters():
        p.requires_grad_(requires_grad)
    return self


class _IncompatibleKeys(collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _load_state_dict(self, state_dict, strict=True, assign=False):
    """Copies parameters and buffers from state_dict (names as state_dict() gives them); strict:
    missing or unexpected keys raise. Nothing is copied when it raises."""
    if assign:
        raise NotImplementedError("load_state_dict: assign=True is not supported; tensors are copied in place")
    for prefix, module in self.named_modules():  # lazy layers take their sizes from the state, as torch's
        size_from_state = getattr(module, "_size_from_state", None)
        if size_from_state is not None:
            size_from_state(state_dict, prefix + "." if prefix else "")
    missing, unexpected = self._load_state_dict(state_dict, strict)
    return _IncompatibleKeys(missing, unexpected)


def _get_submodule(self, target):
    """The module at a dotted path ("body.0"); '' is the module itself."""
    module = self
    if target == "":
        return module
    for part in target.split("."):
        children = dict(module.named_children())
        if part not in children:
            raise AttributeError(f"{module._get_name()} has no attribute `{part}`")
        module = children[part]
    return module


def _get_parameter(self, target):
    """The parameter at a dotted path ("body.0.weight")."""
    module_path, _, name = target.rpartition(".")
    module = self.get_submodule(module_path)
    params = dict(module.named_parameters(recurse=False))
    if name not in params:
        raise AttributeError(f"{module._get_name()} has no parameter `{name}`")
    return params[name]


def _summary(self, input_shape, dtype=None):
    """A table of the layers with their output shapes and parameter counts (ember.nn.summary)."""
    from ember.nn.summary import summary

    return summary(self, input_shape, dtype)


def _sequential_add(self, other):
    if not isinstance(other, _M.Sequential):
        raise ValueError(f"add operator supports only objects of Sequential class, but {type(other)} is given.")
    return _M.Sequential(*self, *other)


def _module_list_add(self, other):
    return _M.ModuleList([*self, *other])


def _named_modules(self, memo=None, prefix="", remove_duplicate=True):
    """Yields (name, module) for this module and every module under it, in PyTorch's order
    (pre-order, children in registration order), a module reached twice once unless
    remove_duplicate is False.

    Args:
        memo: not supported (leave it None).
        prefix: put before every name, with a dot.
        remove_duplicate: whether to yield a shared module only under its first name.

    Example::

        >>> [name for name, _ in nn.Sequential(nn.Linear(2, 2), nn.ReLU()).named_modules()]
        ['', '0', '1']
    """
    if memo is not None:
        raise TypeError("named_modules: memo is not supported; leave it None")
    # Each name is built when its module is reached, from the current path cut back to the
    # parent's length (holding every ancestor's name instead would take memory growing as the
    # square of the depth); ends[d] is the length of the path's first d + 1 parts.
    path, ends = prefix, [len(prefix)]
    for depth, name, module in self._walk_modules(remove_duplicate):
        if depth:
            head = path[:ends[depth - 1]]
            path = f"{head}.{name}" if head else name
            del ends[depth:]
            ends.append(len(path))
        yield path, module


def _sequential_forward(self, input):
    """Each child on the previous one's output; in Python, so children may pass anything."""
    for module in self:
        input = module(input)
    return input


_M.Sequential.forward = _sequential_forward
_M.Sequential.__add__ = _sequential_add
_M.ModuleList.__add__ = _module_list_add
Module.__call__ = _call
Module.named_modules = _named_modules
Module.register_forward_pre_hook = register_forward_pre_hook
Module.register_forward_hook = register_forward_hook
Module.to = _to
Module.cpu = _cpu
Module.cuda = _cuda
Module.double = _double
Module.float = _float
Module.requires_grad_ = _requires_grad_
Module.load_state_dict = _load_state_dict
Module.get_submodule = _get_submodule
Module.get_parameter = _get_parameter
Module.summary = _summary

for _cls in _classes:
    _cls.__module__ = "ember.nn"
__all__ = [c.__name__ for c in _classes]


def _from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                     scale_grad_by_freq=False, sparse=False):
    """An Embedding holding a copy of the 2-D embeddings; freeze: no gradient for them."""
    if not isinstance(embeddings, Tensor) or embeddings.dim() != 2:
        raise ValueError("Embedding.from_pretrained: embeddings must be a 2-D tensor")
    rows, cols = embeddings.shape
    return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight=embeddings,
               _freeze=freeze)


_M.Embedding.from_pretrained = classmethod(_from_pretrained)


def _bag_from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                         mode="mean", sparse=False, include_last_offset=False, padding_idx=None):
    """An EmbeddingBag holding a copy of the 2-D embeddings; freeze: no gradient for them."""
    if not isinstance(embeddings, Tensor) or embeddings.dim() != 2:
        raise ValueError("EmbeddingBag.from_pretrained: embeddings must be a 2-D tensor")
    rows, cols = embeddings.shape
    bag = cls(rows, cols, max_norm, norm_type, scale_grad_by_freq, mode, sparse, embeddings, include_last_offset,
              padding_idx)
    bag.weight.requires_grad_(not freeze)
    return bag


_M.EmbeddingBag.from_pretrained = classmethod(_bag_from_pretrained)

# RNN, LSTM and GRU: forward over padded or packed sequences, docstrings (ember/nn/_rnn.py).
from ember.nn import _rnn  # noqa: F401

# Each C++ layer class's docstring (ember/nn/_docs.py).
from ember.nn import _docs  # noqa: E402

_docs.apply(globals())

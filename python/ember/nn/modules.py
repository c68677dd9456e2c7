"""ember.nn's modules: C++ classes (ember._C._nn_modules) with PyTorch's Python API.

The C++ side holds the tree (parameters, buffers, children, training flags, state dicts);
this file adds what is Python's own: calling a module with forward hooks, hook handles,
``to()``'s argument forms, and the named tuple load_state_dict returns.
"""
import collections
import collections.abc
import functools
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
    """Returned by the register_*_hook methods; remove() unregisters the hook (and its flags)."""

    _ids = itertools.count()

    def __init__(self, hooks, extra=()):
        self.hooks_dict_ref = weakref.ref(hooks)
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra)
        self.id = next(RemovableHandle._ids)

    def remove(self):
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            hooks = ref()
            if hooks is not None:
                hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


# A module's hooks live where PyTorch keeps them: an ordered dict per kind in its __dict__ (hook
# objects there, such as weight_norm's, are found as in PyTorch), made on first use, with the
# flags of forward hooks in dicts of their own under the same ids.
_HOOK_DICTS = ("_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks",
               "_forward_hooks_with_kwargs", "_forward_hooks_always_called", "_state_dict_pre_hooks",
               "_state_dict_hooks", "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks")


def _hooks(module, attribute):
    """The module's own ordered dict of hooks of one kind (made on first use)."""
    hooks = module.__dict__.get(attribute)
    if hooks is None:
        hooks = collections.OrderedDict()
        module.__dict__[attribute] = hooks
    return hooks


def _register(module, attribute, hook, prepend=False, flags=()):
    """Adds hook to the module's dict `attribute`; flags: the flag dicts that mark it too."""
    hooks = _hooks(module, attribute)
    extra = [_hooks(module, flag) for flag in flags]
    handle = RemovableHandle(hooks, extra)
    hooks[handle.id] = hook
    for d in extra:
        d[handle.id] = True
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
    """hook(module, args) -> None or new args (with_kwargs: hook(module, args, kwargs) -> None or
    (args, kwargs)), run before forward."""
    return _register(self, "_forward_pre_hooks", hook, prepend, ["_forward_pre_hooks_with_kwargs"] * with_kwargs)


def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
    """hook(module, args, output) -> None or a new output (with_kwargs: hook(module, args, kwargs,
    output)), run after forward; always_call runs it even when forward raises."""
    flags = ["_forward_hooks_with_kwargs"] * with_kwargs + ["_forward_hooks_always_called"] * always_call
    return _register(self, "_forward_hooks", hook, prepend, flags)


def _call_with_hooks(self, args, kwargs):
    d = self.__dict__
    with_kwargs = d.get("_forward_pre_hooks_with_kwargs", {})
    for key, hook in list(d.get("_forward_pre_hooks", {}).items()):
        if key in with_kwargs:
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
    with_kwargs, always = d.get("_forward_hooks_with_kwargs", {}), d.get("_forward_hooks_always_called", {})
    post = [(hook, key in with_kwargs, key in always) for key, hook in d.get("_forward_hooks", {}).items()]
    try:
        output = self.forward(*args, **kwargs)
    except Exception:
        for hook, kw, always_call in post:
            if always_call:
                try:
                    hook(self, args, kwargs, None) if kw else hook(self, args, None)
                except Exception:  # the forward's own error is the one to report
                    pass
        raise
    for hook, kw, _ in post:
        result = hook(self, args, kwargs, output) if kw else hook(self, args, output)
        if result is not None:
            output = result
    return output


def _call(self, *args, **kwargs):
    d = self.__dict__
    if d.get("_forward_hooks") or d.get("_forward_pre_hooks"):
        return _call_with_hooks(self, args, kwargs)
    return self.forward(*args, **kwargs)


def _hook_dict_property(attribute):
    return property(lambda self: _hooks(self, attribute), doc=f"The module's {attribute[1:]} (id -> hook).")


# ---- conversions and state ----------------------------------------------------------------

def _to(self, *args, **kwargs):
    """to(dtype), to(device), to(device, dtype), to(tensor), to(memory_format=): floating-point
    parameters and buffers take the dtype in place (they keep their identity), and the 4-d (5-d)
    ones the channels-last layout; ember's modules live on the CPU."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    memory_format = kwargs.pop("memory_format", None)
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
    if memory_format is not None:
        for t in (*self.parameters(), *self.buffers()):
            if t.dim() in (4, 5):  # as torch's: the layouts are those of 4-d and 5-d tensors
                t.data = t.to(memory_format=memory_format)
    return self


def _cpu(self):
    return self


def _cuda(self, device=None):
    _C._no_cuda("Module.cuda")


def _double(self):
    return self._to_dtype(_float64)


def _float(self):
    return self._to_dtype(_float32)


def _share_memory(self):
    """Moves the parameters and buffers, with the gradients they have, to shared memory
    (:meth:`ember.Tensor.share_memory_`), in place, as torch's: processes forked afterwards, or
    handed the model by :mod:`ember.multiprocessing`, train the same weights (Hogwild).

    Returns:
        Module: self.

    Example::

        >>> m = ember.nn.Linear(2, 2).share_memory()
        >>> m.weight.is_shared()
        True
    """
    for t in (*self.parameters(), *self.buffers()):
        t.share_memory_()
        if t.grad is not None:
            t.grad.share_memory_()
    return self


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


# ---- state dicts and their hooks -----------------------------------------------------------
# Without hooks anywhere in the tree, the C++ side saves and loads the whole tree at once; with
# them, each module is visited as PyTorch's recursion does, so the hooks see the same arguments.

def register_state_dict_pre_hook(self, hook):
    """hook(module, prefix, keep_vars) -> None, run before state_dict() saves this module."""
    return _register(self, "_state_dict_pre_hooks", hook)


def register_state_dict_post_hook(self, hook):
    """hook(module, state_dict, prefix, local_metadata) -> None, run after state_dict() saved this
    module and its children; it may change state_dict in place."""
    return _register(self, "_state_dict_hooks", hook, flags=["_state_dict_hooks_public"])


def _register_state_dict_hook(self, hook):
    """The older form of register_state_dict_post_hook: a result other than None replaces the state."""
    return _register(self, "_state_dict_hooks", hook)


def register_load_state_dict_pre_hook(self, hook):
    """hook(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
    error_msgs) -> None, run before load_state_dict() loads this module; it may change state_dict
    (a copy of the caller's) and append to the three lists."""
    return _register_load_state_dict_pre_hook(self, hook, with_module=True)


def _register_load_state_dict_pre_hook(self, hook, with_module=False):
    """As register_load_state_dict_pre_hook; without with_module the hook is not given the module."""
    return _register(self, "_load_state_dict_pre_hooks", functools.partial(hook, self) if with_module else hook)


def register_load_state_dict_post_hook(self, hook):
    """hook(module, incompatible_keys) -> None, run after load_state_dict() loaded the tree; it
    may change incompatible_keys' two lists in place (strict then checks what is left)."""
    return _register(self, "_load_state_dict_post_hooks", hook)


def _any_hooks(module, *attributes):
    return any(m.__dict__.get(a) for m in module.modules() for a in attributes)


def _state_dict(self, *, destination=None, prefix="", keep_vars=False):
    """The parameters and persistent buffers of the tree by dotted name (an OrderedDict);
    keep_vars keeps the tensors themselves instead of detached ones."""
    if not _any_hooks(self, "_state_dict_pre_hooks", "_state_dict_hooks"):
        return self._state_dict(destination=destination, prefix=prefix, keep_vars=keep_vars)
    return _save_with_hooks(self, collections.OrderedDict() if destination is None else destination, prefix,
                            keep_vars)


def _save_with_hooks(module, destination, prefix, keep_vars):
    d = module.__dict__
    for hook in list(d.get("_state_dict_pre_hooks", {}).values()):
        hook(module, prefix, keep_vars)
    module._save_to_state_dict(destination, prefix, keep_vars)
    for name, child in module._child_slots():
        if child is not None:
            _save_with_hooks(child, destination, f"{prefix}{name}.", keep_vars)
    public = d.get("_state_dict_hooks_public", {})
    for key, hook in list(d.get("_state_dict_hooks", {}).items()):
        result = hook(module, destination, prefix, {})
        if key in public:
            if result is not None:
                raise RuntimeError("state_dict post-hook must return None")
        elif result is not None:
            destination = result
    return destination


def _load_error(module, missing, unexpected, error_msgs):
    if unexpected:
        error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in unexpected)))
    if missing:
        error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing)))
    return RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(type(module).__name__,
                                                                             "\n\t".join(error_msgs)))


def _load_state_dict(self, state_dict, strict=True, assign=False):
    """Copies parameters and buffers from state_dict (names as state_dict() gives them); strict:
    missing or unexpected keys raise. Nothing is copied when it raises, unless a post-hook is
    registered (it sees the keys after the copy, as in PyTorch)."""
    if assign:
        raise NotImplementedError("load_state_dict: assign=True is not supported; tensors are copied in place")
    pre, post = [], []
    for prefix, module in self.named_modules():
        prefix = prefix + "." if prefix else ""
        size_from_state = getattr(module, "_size_from_state", None)
        if size_from_state is not None:  # lazy layers take their sizes from the state, as torch's
            size_from_state(state_dict, prefix)
        pre += [(prefix, hook) for hook in module.__dict__.get("_load_state_dict_pre_hooks", {}).values()]
        post += [(module, hook) for hook in module.__dict__.get("_load_state_dict_post_hooks", {}).values()]
    missing, unexpected, error_msgs = [], [], []
    if pre:
        if not isinstance(state_dict, collections.abc.Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        state_dict = collections.OrderedDict(state_dict)  # the hooks change a copy
        for prefix, hook in pre:
            hook(state_dict, prefix, {}, strict, missing, unexpected, error_msgs)
        if error_msgs or (strict and (missing or unexpected)):
            raise _load_error(self, missing, unexpected, error_msgs)
    found_missing, found_unexpected = self._load_state_dict(state_dict, strict and not post)
    keys = _IncompatibleKeys(missing + found_missing, unexpected + found_unexpected)
    for module, hook in post:
        if hook(module, keys) is not None:
            raise RuntimeError("Hooks registered with ``register_load_state_dict_post_hook`` are not expected to "
                               "return new values, if incompatible_keys need to be modified, it should be done "
                               "inplace.")
    if post and strict and (keys.missing_keys or keys.unexpected_keys):
        raise _load_error(self, keys.missing_keys, keys.unexpected_keys, [])
    return keys


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
for _attribute in _HOOK_DICTS:
    setattr(Module, _attribute, _hook_dict_property(_attribute))
Module.to = _to
Module.cpu = _cpu
Module.cuda = _cuda
Module.double = _double
Module.float = _float
Module.requires_grad_ = _requires_grad_
Module.share_memory = _share_memory
Module.load_state_dict = _load_state_dict
Module.state_dict = _state_dict
Module.register_state_dict_pre_hook = register_state_dict_pre_hook
Module.register_state_dict_post_hook = register_state_dict_post_hook
Module._register_state_dict_hook = _register_state_dict_hook
Module.register_load_state_dict_pre_hook = register_load_state_dict_pre_hook
Module._register_load_state_dict_pre_hook = _register_load_state_dict_pre_hook
Module.register_load_state_dict_post_hook = register_load_state_dict_post_hook
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

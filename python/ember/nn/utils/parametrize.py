"""ember.nn.utils.parametrize, as torch.nn.utils.parametrize: a module's parameter (or buffer)
computed from other tensors each time it is read.

``register_parametrization(m, "weight", P)`` moves ``m.weight`` to
``m.parametrizations.weight.original`` and makes ``m.weight`` a property returning
``P(original)``. The module's class becomes a subclass named ``Parametrized<Class>`` that holds
the property. ember's C++ layers read a parameter they no longer have as this Python attribute
(ember/nn/module.h: missing_parameter), so their forward sees the parametrized tensor once per
call, as a PyTorch forward reading ``self.weight`` does.
"""
import collections.abc
import contextlib
import copy

import ember
from ember._C import Tensor
from ember.nn.modules import Module, ModuleDict, ModuleList, Parameter

__all__ = ["ParametrizationList", "cached", "is_parametrized", "register_parametrization",
           "remove_parametrizations", "transfer_parametrizations_and_params", "type_before_parametrizations"]

_cache_enabled = 0
_cache = {}


@contextlib.contextmanager
def cached():
    """Computes each parametrized tensor once inside the block and reuses it (a weight read
    several times in one forward, an RNN's recurrent weight over the time steps).

    Example::

        >>> import ember.nn.utils.parametrize as P
        >>> m = P.register_parametrization(nn.Linear(3, 3), "weight", nn.Identity())
        >>> with P.cached():
        ...     same = m.weight is m.weight
        >>> same
        True
    """
    global _cache, _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache = {}


def _register_parameter_or_buffer(module, name, value):
    if isinstance(value, Parameter):
        module.register_parameter(name, value)
    else:
        module.register_buffer(name, value)


def _set_data(dest, src):
    """dest takes src's values in place, keeping its identity (optimizers hold dest): PyTorch's set_."""
    dest.data = src


def _own_tensor_names(module):
    return {name for name, _ in module.named_parameters(recurse=False)} | \
        {name for name, _ in module.named_buffers(recurse=False)}


class ParametrizationList(ModuleList):
    r"""The parametrizations of one tensor of a module, in registration order, and the original
    tensor(s) they start from: ``original``, or ``original0``, ``original1``, ... when the first
    parametrization's ``right_inverse`` returns several tensors. It is the type of
    ``module.parametrizations[name]``; :func:`register_parametrization` makes it.

    Args:
        modules (sequence of Module): the parametrizations (at least one).
        original (Parameter or Tensor): the tensor parametrized.
        unsafe (bool, optional): skip the checks that the parametrization keeps the dtype and
            shape. Default: ``False``.

    Returns:
        ParametrizationList: calling it gives the parametrized tensor.

    Raises:
        ValueError: no modules; a ``right_inverse`` returning something other than tensors, or
            changing the dtype; (unless ``unsafe``) a result of another dtype or shape.

    Example::

        >>> import ember.nn.utils.parametrize as P
        >>> m = P.register_parametrization(nn.Linear(2, 2), "weight", nn.Identity())
        >>> type(m.parametrizations.weight).__name__, m.parametrizations.weight.original.shape
        ('ParametrizationList', ember.Size([2, 2]))
    """

    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        original_shape, original_dtype = original.shape, original.dtype
        with ember.no_grad():
            new = original
            for module in reversed(self):
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass
        if not isinstance(new, (Tensor, collections.abc.Sequence)):
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                             f"Got {type(new).__name__}")
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if original.dtype != new.dtype:
                raise ValueError("When `right_inverse` outputs one tensor, it may not change the dtype.\n"
                                 f"original.dtype: {original.dtype}\nright_inverse(original).dtype: {new.dtype}")
            with ember.no_grad():
                _set_data(original, new)
            _register_parameter_or_buffer(self, "original", original)
        else:
            for i, originali in enumerate(new):
                if not isinstance(originali, Tensor):
                    raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                                     f"Got element {i} of the sequence with type {type(originali).__name__}.")
                if isinstance(original, Parameter):
                    originali = Parameter(originali, original.requires_grad)
                originali.requires_grad_(original.requires_grad)
                _register_parameter_or_buffer(self, f"original{i}", originali)
        if not self.unsafe:
            Z = self()
            if not isinstance(Z, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got {type(Z).__name__}.")
            if Z.dtype != original_dtype:
                raise ValueError("Registering a parametrization may not change the dtype of the tensor, unless "
                                 f"`unsafe` flag is enabled.\nunparametrized dtype: {original_dtype}\n"
                                 f"parametrized dtype: {Z.dtype}")
            if Z.shape != original_shape:
                raise ValueError("Registering a parametrization may not change the shape of the tensor, unless "
                                 f"`unsafe` flag is enabled.\nunparametrized shape: {original_shape}\n"
                                 f"parametrized shape: {Z.shape}")

    def right_inverse(self, value):
        """Sets the original tensor(s) so that the parametrized tensor becomes ``value``: each
        parametrization's ``right_inverse``, last registered first (what ``module.weight = value``
        runs).

        Args:
            value (Tensor): the value the parametrized tensor should take.

        Returns:
            None

        Raises:
            RuntimeError: a parametrization has no ``right_inverse``.
            ValueError: its result does not fit the originals (type, dtype, count).

        Example::

            >>> import ember.nn.utils.parametrize as P
            >>> m = P.register_parametrization(nn.Linear(2, 2), "weight", nn.Identity())
            >>> m.parametrizations.weight.right_inverse(ember.eye(2))
            Traceback (most recent call last):
              ...
            RuntimeError: parametrization Identity does not implement right_inverse.
        """
        with ember.no_grad():
            for module in reversed(self):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not implement right_inverse.")
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got {type(value).__name__}")
                if value.dtype != self.original.dtype:
                    raise ValueError(f"The tensor returned by `right_inverse` has dtype {value.dtype} while "
                                     f"`original` has dtype {self.original.dtype}")
                _set_data(self.original, value)
                return
            if not isinstance(value, collections.abc.Sequence):
                raise ValueError(f"'right_inverse' must return a sequence of tensors. Got {type(value).__name__}.")
            if len(value) != self.ntensors:
                raise ValueError(f"'right_inverse' must return a sequence of tensors of length {self.ntensors}. "
                                 f"Got a sequence of length {len(value)}.")
            for i, tensor in enumerate(value):
                original_i = getattr(self, f"original{i}")
                if not isinstance(tensor, Tensor):
                    raise ValueError("'right_inverse' must return a sequence of tensors or reference-type opaques. "
                                     f"Got element {i} of type {type(tensor).__name__}.")
                if original_i.dtype != tensor.dtype:
                    raise ValueError(f"Tensor {i} returned by `right_inverse` has dtype {tensor.dtype} while "
                                     f"`original{i}` has dtype {original_i.dtype}")
                _set_data(original_i, tensor)

    def forward(self):
        """The parametrized tensor: the first parametrization on the original(s), each next one
        on the previous result."""
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


def _deepcopy(self, memo):
    """copy.deepcopy of a parametrized module: its state as pickling would take it (which the
    class refuses, as PyTorch's), copied through the memo."""
    replica = memo.get(id(self))
    if replica is not None:
        return replica
    cls = type(self)
    state = super(cls, self).__getstate__()
    replica = cls.__new__(cls)
    memo[id(self)] = replica
    replica.__setstate__(copy.deepcopy(state, memo))
    return replica


def _refuse_pickling(self):
    raise RuntimeError("Serialization of parametrized modules is only supported through state_dict(). See:\n"
                       "https://pytorch.org/tutorials/beginner/saving_loading_models.html"
                       "#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training")


def _inject_new_class(module):
    """The module's class becomes a subclass of it, Parametrized<Class>, to hold the properties."""
    cls = type(module)
    # No slots of its own: the object keeps its layout, so its class may change (a C++ layer's too).
    members = {"__slots__": (), "__getstate__": _refuse_pickling, "__deepcopy__": _deepcopy}
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), members)


def _inject_property(module, tensor_name):
    if hasattr(module, tensor_name):
        raise AssertionError(f"Module already has an attribute named '{tensor_name}'")

    def get_parametrized(self):
        parametrization = self.parametrizations[tensor_name]
        if not _cache_enabled:
            return parametrization()
        key = (id(module), tensor_name)
        tensor = _cache.get(key)
        if tensor is None:
            tensor = _cache[key] = parametrization()
        return tensor

    def set_original(self, value):
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(type(module), tensor_name, property(get_parametrized, set_original))


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    r"""Makes ``module.<tensor_name>`` the result of ``parametrization`` on the original tensor,
    computed each time it is read; gradients flow to the original through it.

    The original moves to ``module.parametrizations[tensor_name].original`` (or ``original0``,
    ``original1``, ... when ``parametrization.right_inverse`` returns several tensors, as
    weight_norm's does). A second call on the same name chains the new parametrization after
    the first. Assigning ``module.<tensor_name> = value`` runs the ``right_inverse`` methods.
    The parametrization is put in the module's training mode.

    Args:
        module (Module): the module holding the tensor.
        tensor_name (str): the name of the parameter or buffer parametrized.
        parametrization (Module): computes the tensor from the original(s); it may have a
            ``right_inverse(X)`` that gives the original(s) for a value X.

    Keyword args:
        unsafe (bool, optional): allow a parametrization that changes the dtype or the shape
            (its results are not checked). Default: ``False``.

    Returns:
        Module: ``module``, its class now ``Parametrized<Class>``.

    Raises:
        ValueError: the module has no parameter, buffer or parametrized tensor of that name;
            (unless ``unsafe``) the parametrization changes the dtype or the shape, or returns
            something other than a tensor.

    Example::

        >>> import ember.nn.utils.parametrize as P
        >>> class Symmetric(nn.Module):
        ...     def forward(self, X):
        ...         return X.triu() + X.triu(1).mT
        >>> m = P.register_parametrization(nn.Linear(3, 3), "weight", Symmetric())
        >>> ember.equal(m.weight, m.weight.T)
        True
        >>> [name for name, _ in m.named_parameters()]
        ['bias', 'parametrizations.weight.original']
    """
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            Y = getattr(module, tensor_name)
            X = parametrization(Y)
            if not isinstance(X, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got {type(X).__name__}.")
            if X.dtype != Y.dtype:
                raise ValueError("Registering a parametrization may not change the dtype of the tensor, unless the "
                                 f"`unsafe` flag is enabled.\nmodule.{tensor_name}.dtype: {Y.dtype}\n"
                                 f"parametrization(module.{tensor_name}).dtype: {X.dtype}")
            if X.shape != Y.shape:
                raise ValueError("Registering a parametrization may not change the shape of the tensor, unless the "
                                 f"`unsafe` flag is enabled.\nmodule.{tensor_name}.shape: {Y.shape}\n"
                                 f"parametrization(module.{tensor_name}).shape: {X.shape}")
            if hasattr(parametrization, "right_inverse"):
                try:
                    Z = parametrization.right_inverse(X)
                except NotImplementedError:
                    pass
                else:
                    if not isinstance(Z, Tensor):
                        raise ValueError(f"parametrization.right_inverse must return a tensor. Got: {type(Z).__name__}")
                    if Z.dtype != Y.dtype:
                        raise ValueError("The tensor returned by parametrization.right_inverse must have the same "
                                         f"dtype as module.{tensor_name}, unless the `unsafe` flag is enabled.\n"
                                         f"module.{tensor_name}.dtype: {Y.dtype}\nreturned dtype: {Z.dtype}")
                    if Z.shape != Y.shape:
                        raise ValueError("The tensor returned by parametrization.right_inverse must have the same "
                                         f"shape as module.{tensor_name}, unless the `unsafe` flag is enabled.\n"
                                         f"module.{tensor_name}.shape: {Y.shape}\nreturned shape: {Z.shape}")
        module.parametrizations[tensor_name].append(parametrization)
        module.parametrizations[tensor_name].unsafe |= unsafe
    elif tensor_name in _own_tensor_names(module):
        original = getattr(module, tensor_name)
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = parametrizations
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a parametrized element with "
                         f"name '{tensor_name}'")
    return module


def is_parametrized(module, tensor_name=None):
    """Whether the module has a parametrization on ``tensor_name`` (on any tensor when None).

    Args:
        module (Module): the module asked about.
        tensor_name (str, optional): the tensor's name. Default: ``None``.

    Returns:
        bool

    Example::

        >>> import ember.nn.utils.parametrize as P
        >>> m = P.register_parametrization(nn.Linear(2, 2), "weight", nn.Identity())
        >>> P.is_parametrized(m), P.is_parametrized(m, "bias")
        (True, False)
    """
    parametrizations = getattr(module, "parametrizations", None)
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Removes the parametrizations of ``tensor_name``, which becomes a plain parameter (or
    buffer) again: its current parametrized value (``leave_parametrized=True``, written into the
    original tensor object, which optimizers may hold) or the original itself. The module's class
    goes back to the one before when no parametrization is left.

    Args:
        module (Module): the parametrized module.
        tensor_name (str): the tensor's name.
        leave_parametrized (bool, optional): keep the parametrized value. Default: ``True``.

    Returns:
        Module: ``module``.

    Raises:
        ValueError: ``tensor_name`` is not parametrized; ``leave_parametrized=False`` for a
            tensor parametrized by several originals.

    Example::

        >>> import ember.nn.utils.parametrize as P
        >>> m = P.register_parametrization(nn.Linear(2, 2), "weight", nn.Identity())
        >>> type(P.remove_parametrizations(m, "weight")).__name__
        'Linear'
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with ember.no_grad():
                t = getattr(module, tensor_name)
                _set_data(original, t)
    else:
        if not leave_parametrized:
            raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is parametrized "
                             "in terms of a sequence of tensors.")
        t = getattr(module, tensor_name)
        original = Parameter(t) if t.requires_grad else t
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = type(module).__bases__[0]
    return module


def type_before_parametrizations(module):
    """The module's class before it was parametrized (its class when it is not).

    Args:
        module (Module): the module.

    Returns:
        type

    Example::

        >>> import ember.nn.utils.parametrize as P
        >>> m = P.register_parametrization(nn.Linear(2, 2), "weight", nn.Identity())
        >>> type(m).__name__, P.type_before_parametrizations(m).__name__
        ('ParametrizedLinear', 'Linear')
    """
    if is_parametrized(module):
        return type(module).__bases__[0]
    return type(module)


def transfer_parametrizations_and_params(from_module, to_module, tensor_name=None):
    """Registers ``from_module``'s parametrizations (of ``tensor_name``, or all) on ``to_module``,
    which then shares their original tensors; a tensor ``to_module`` lacks is made as a
    parameter first. Nothing happens when ``from_module`` is not parametrized.

    Args:
        from_module (Module): the parametrized module.
        to_module (Module): the module receiving them.
        tensor_name (str, optional): the one tensor to transfer. Default: ``None`` (all).

    Returns:
        Module: ``to_module``.

    Example::

        >>> import ember.nn.utils.parametrize as P
        >>> a = P.register_parametrization(nn.Linear(2, 2), "weight", nn.Identity())
        >>> b = P.transfer_parametrizations_and_params(a, nn.Linear(2, 2))
        >>> b.parametrizations.weight.original is a.parametrizations.weight.original
        True
    """
    if is_parametrized(from_module):
        names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
        for name in names:
            if not hasattr(to_module, name):
                setattr(to_module, name, Parameter(getattr(from_module, name)))
            for param_func in from_module.parametrizations[name]:
                register_parametrization(to_module, name, param_func)
            source, target = from_module.parametrizations[name], to_module.parametrizations[name]
            if hasattr(source, "original"):
                target.original = source.original
            else:
                num = 0
                while hasattr(source, f"original{num}"):
                    setattr(target, f"original{num}", getattr(source, f"original{num}"))
                    num += 1
    return to_module

"""ember.nn.utils.prune, as torch.nn.utils.prune: pruning a module's tensor by a mask. Pruning
``weight`` moves the parameter to ``weight_orig``, adds the buffer ``weight_mask`` and sets the
attribute ``weight = weight_orig * weight_mask`` before each call (a forward pre-hook, which ember's
C++ layers read as they read a parameter). Pruning the same tensor again combines the masks
(a PruningContainer); :func:`remove` makes the pruning permanent."""
import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable

import ember
from ember.nn.utils import _take_forward_pre_hook, parameters_to_vector

__all__ = ["BasePruningMethod", "CustomFromMask", "Identity", "L1Unstructured", "LnStructured", "PruningContainer",
           "RandomStructured", "RandomUnstructured", "custom_from_mask", "global_unstructured", "identity",
           "is_pruned", "l1_unstructured", "ln_structured", "random_structured", "random_unstructured", "remove"]


class BasePruningMethod(ABC):
    """The base of pruning methods: ``compute_mask(t, default_mask)`` gives the new mask; the
    instance is the module's forward pre-hook that applies it.

    Args:
        (a subclass's own: the amount to prune, ...)

    Example::

        >>> class KeepPositive(nn.utils.prune.BasePruningMethod):
        ...     PRUNING_TYPE = "unstructured"
        ...     def compute_mask(self, t, default_mask):
        ...         return default_mask * (t > 0)
        >>> m = nn.Linear(3, 2)
        >>> _ = KeepPositive.apply(m, "weight")
        >>> bool((m.weight >= 0).all())
        True
    """

    _tensor_name = None

    def __call__(self, module, inputs):
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t, default_mask):
        """The mask for ``t`` (of its shape), given the mask already applied."""

    def apply_mask(self, module):
        """``<name>_orig * <name>_mask`` of the module."""
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned")
        mask = getattr(module, self._tensor_name + "_mask")
        orig = getattr(module, self._tensor_name + "_orig")
        return mask.to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Prunes ``module.<name>`` with ``cls(*args, **kwargs)``, combined with an earlier pruning
        of the same tensor; ``importance_scores`` (of the tensor's shape) rank the entries instead
        of the tensor itself."""
        old_method, found = None, []
        for key, hook in module._forward_pre_hooks.items():
            if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
                old_method = hook
                found.append(key)
        if len(found) > 1:
            raise AssertionError(f"Avoid adding multiple pruning hooks to the same tensor {name} of module {module}. "
                                 "Use a PruningContainer.")
        for key in found:
            del module._forward_pre_hooks[key]
        method = cls(*args, **kwargs)
        method._tensor_name = name
        if isinstance(old_method, PruningContainer):
            old_method.add_pruning_method(method)
            method = old_method
        elif old_method is not None:
            container = PruningContainer(old_method)
            container.add_pruning_method(method)
            method = container
        orig = getattr(module, name)
        if importance_scores is not None:
            if importance_scores.shape != orig.shape:
                raise AssertionError(f"importance_scores should have the same shape as parameter {name} of {module}, "
                                     f"got {importance_scores.shape} vs {orig.shape}")
        else:
            importance_scores = orig
        first = not isinstance(method, PruningContainer)
        if first:
            module.register_parameter(name + "_orig", orig)
            delattr(module, name)
            default_mask = ember.ones_like(orig)
        else:
            default_mask = getattr(module, name + "_mask").detach().clone()
        try:
            mask = method.compute_mask(importance_scores, default_mask=default_mask)
            module.register_buffer(name + "_mask", mask)
            setattr(module, name, method.apply_mask(module))
            module.register_forward_pre_hook(method)
        except Exception:
            if first:  # the parameter goes back where it was
                orig = getattr(module, name + "_orig")
                delattr(module, name + "_orig")
                module.register_parameter(name, orig)
            raise
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """``t`` times the mask this method computes for it (the tensor itself is not changed)."""
        if importance_scores is not None:
            if importance_scores.shape != t.shape:
                raise AssertionError("importance_scores should have the same shape as tensor t, got "
                                     f"{importance_scores.shape} vs {t.shape}")
        else:
            importance_scores = t
        default_mask = default_mask if default_mask is not None else ember.ones_like(t)
        return t * self.compute_mask(importance_scores, default_mask=default_mask)

    def remove(self, module):
        """Makes the pruning permanent: ``<name>`` is a parameter again, holding the masked values
        (the ``<name>_orig`` object, so optimizers keep it); ``_orig`` and ``_mask`` are gone."""
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned before pruning can be removed")
        weight = self.apply_mask(module)
        if self._tensor_name in module.__dict__:
            delattr(module, self._tensor_name)
        orig = getattr(module, self._tensor_name + "_orig")
        orig.data = weight.data
        delattr(module, self._tensor_name + "_orig")
        delattr(module, self._tensor_name + "_mask")
        setattr(module, self._tensor_name, orig)



class PruningContainer(BasePruningMethod):
    """The pruning methods applied to one tensor, in order: each computes its mask on the entries
    the earlier ones kept (``apply`` makes it when a tensor is pruned a second time).

    Args:
        *args (BasePruningMethod): the methods (of one tensor).

    Example::

        >>> m = nn.Linear(4, 4)
        >>> _ = nn.utils.prune.l1_unstructured(m, "weight", amount=4)
        >>> _ = nn.utils.prune.l1_unstructured(m, "weight", amount=4)
        >>> hook = next(iter(m._forward_pre_hooks.values()))
        >>> type(hook).__name__, len(hook), int((m.weight_mask == 0).sum())
        ('PruningContainer', 2, 8)
    """

    def __init__(self, *args):
        self._pruning_methods = ()
        if len(args) == 1:
            self._tensor_name = args[0]._tensor_name
            self.add_pruning_method(args[0])
        else:
            for method in args:
                self.add_pruning_method(method)

    def add_pruning_method(self, method):
        """Appends ``method`` (of the same tensor)."""
        if not isinstance(method, BasePruningMethod) and method is not None:
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if method is not None and self._tensor_name != method._tensor_name:
            raise ValueError("Can only add pruning methods acting on the parameter named "
                             f"'{self._tensor_name}' to PruningContainer {self}. Found '{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, idx):
        return self._pruning_methods[idx]

    def compute_mask(self, t, default_mask):
        """The last method's mask, computed on the entries (unstructured), the channels
        (structured) or the whole tensor (global) the current mask keeps."""
        method = self._pruning_methods[-1]
        mask = default_mask.to(dtype=t.dtype)
        if method.PRUNING_TYPE == "unstructured":
            slc = mask == 1
        elif method.PRUNING_TYPE == "structured":
            if not hasattr(method, "dim"):
                raise AttributeError('Pruning methods of PRUNING_TYPE "structured" need to have the attribute `dim` '
                                     "defined.")
            n_dims = t.dim()
            dim = method.dim + n_dims if method.dim < 0 else method.dim
            if dim < 0:
                raise IndexError(f"Index is out of bounds for tensor with dimensions {n_dims}")
            keep_channel = mask.sum(dim=[d for d in range(n_dims) if d != dim]) != 0
            slc = tuple(keep_channel if d == dim else slice(None) for d in range(n_dims))
        elif method.PRUNING_TYPE == "global":
            slc = (slice(None),) * t.dim()
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {method.PRUNING_TYPE}")
        mask[slc] = method.compute_mask(t[slc], default_mask=mask[slc]).to(dtype=mask.dtype)
        return mask


class Identity(BasePruningMethod):
    """Prunes nothing: the mask is all ones (the tensor gets ``_orig`` and ``_mask`` all the same).

    Args:
        (none)

    Example::

        >>> m = nn.utils.prune.identity(nn.Linear(2, 2), "weight")
        >>> bool(m.weight_mask.all())
        True
    """

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


class RandomUnstructured(BasePruningMethod):
    """Prunes entries chosen at random (among those not pruned yet).

    Args:
        amount (int or float): how many entries, or the fraction of them (in [0, 1]).

    Example::

        >>> m = nn.utils.prune.random_unstructured(nn.Linear(4, 5), "weight", amount=0.25)
        >>> int((m.weight_mask == 0).sum())
        5
    """

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        return _entries_pruned(self.amount, t, default_mask, lambda flat, k: ember.topk(ember.rand_like(flat), k=k))

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(BasePruningMethod):
    """Prunes the entries of smallest magnitude.

    Args:
        amount (int or float): how many entries, or the fraction of them (in [0, 1]).

    Example::

        >>> m = nn.Linear(2, 2)
        >>> with ember.no_grad():
        ...     _ = m.weight.copy_(ember.tensor([[0.1, -2.0], [0.5, -0.05]]))
        >>> nn.utils.prune.l1_unstructured(m, "weight", amount=2).weight
        tensor([[ 0.0000, -2.0000],
                [ 0.5000, -0.0000]], grad_fn=<MulBackward0>)
    """

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        return _entries_pruned(self.amount, t, default_mask,
                               lambda flat, k: ember.topk(ember.abs(flat), k=k, largest=False))

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Prunes whole channels (slices along ``dim``) chosen at random.

    Args:
        amount (int or float): how many channels, or the fraction of them (in [0, 1]).
        dim (int, optional): the channels' dim. Default: -1.

    Example::

        >>> m = nn.utils.prune.random_structured(nn.Linear(4, 6), "weight", amount=2, dim=0)
        >>> int((m.weight_mask.sum(1) == 0).sum())   # two output rows pruned
        2
    """

    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t, default_mask):
        nchannels, nparams_toprune = _channels_to_prune(self.amount, t, self.dim)
        if nparams_toprune == 0:
            return default_mask
        prob = ember.rand(nchannels)
        keep = prob > ember.kthvalue(prob, k=nparams_toprune).values
        mask = _channel_mask(t, self.dim, keep)
        mask *= default_mask.to(dtype=mask.dtype)
        return mask

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Prunes the channels (slices along ``dim``) of smallest n-norm.

    Args:
        amount (int or float): how many channels, or the fraction of them (in [0, 1]).
        n (int, float, inf, -inf, 'fro' or 'nuc'): the norm's order.
        dim (int, optional): the channels' dim. Default: -1.

    Example::

        >>> m = nn.Conv2d(3, 8, 3)
        >>> _ = nn.utils.prune.ln_structured(m, "weight", amount=0.5, n=2, dim=0)
        >>> int((m.weight_mask.sum((1, 2, 3)) == 0).sum())   # four filters pruned
        4
    """

    PRUNING_TYPE = "structured"

    def __init__(self, amount, n, dim=-1):
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.n = n
        self.dim = dim

    def compute_mask(self, t, default_mask):
        nchannels, nparams_toprune = _channels_to_prune(self.amount, t, self.dim)
        if nparams_toprune == 0:
            return default_mask
        dims = list(range(t.dim()))
        dims.remove(dims[self.dim])
        norm = ember.norm(t, p=self.n, dim=dims)
        mask = _channel_mask(t, self.dim, ember.topk(norm, k=nchannels - nparams_toprune, largest=True).indices)
        mask *= default_mask.to(dtype=mask.dtype)
        return mask

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Prunes where a given mask is 0.

    Args:
        mask (Tensor): of the tensor's shape.

    Example::

        >>> m = nn.utils.prune.custom_from_mask(nn.Linear(2, 1), "bias", mask=ember.tensor([0.]))
        >>> m.bias_mask, float(m.bias.abs())
        (tensor([0.]), 0.0)
    """

    PRUNING_TYPE = "global"

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        if default_mask.shape != self.mask.shape:
            raise AssertionError(f"default_mask shape {default_mask.shape} must match self.mask shape "
                                 f"{self.mask.shape}")
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)


def _entries_pruned(amount, t, default_mask, pick):
    """default_mask with ``amount`` more entries zeroed: those pick(t flattened, count) returns
    (top-k values and indices)."""
    nparams_toprune = _compute_nparams_toprune(amount, t.nelement())
    _validate_pruning_amount(nparams_toprune, t.nelement())
    mask = default_mask.clone()
    if nparams_toprune != 0:
        mask.view(-1)[pick(t.reshape(-1), nparams_toprune).indices] = 0
    return mask


def _channels_to_prune(amount, t, dim):
    """(channels along dim, how many of them to prune), checked as torch's structured methods do."""
    _validate_structured_pruning(t)
    _validate_pruning_dim(t, dim)
    nchannels = t.shape[dim]
    nparams_toprune = _compute_nparams_toprune(amount, nchannels)
    _validate_pruning_amount(nparams_toprune, nchannels)
    return nchannels, nparams_toprune


def _channel_mask(t, dim, channels):
    """Ones in the channels (a bool mask or indices) along dim, zeros elsewhere, of t's shape."""
    mask = ember.zeros_like(t)
    mask[tuple(channels if d == dim % t.dim() else slice(None) for d in range(t.dim()))] = 1
    return mask


def identity(module, name):
    """Prunes nothing of ``module.<name>``, but gives it ``_orig``, ``_mask`` and the hook (so
    code that expects a pruned module finds them).

    Args:
        module (Module): the module.
        name (str): the parameter's name.

    Returns:
        Module: ``module``.

    Example::

        >>> [n for n, _ in nn.utils.prune.identity(nn.Linear(2, 2), "bias").named_buffers()]
        ['bias_mask']
    """
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Prunes ``amount`` entries of ``module.<name>`` chosen at random.

    Args:
        module (Module): the module.
        name (str): the parameter's name.
        amount (int or float): how many entries, or the fraction of them (in [0, 1]).

    Returns:
        Module: ``module``.

    Raises:
        TypeError, ValueError: an amount that is not a count or a fraction, or more than the tensor has.

    Example::

        >>> m = nn.utils.prune.random_unstructured(nn.Linear(2, 3), "weight", amount=0.5)
        >>> int((m.weight == 0).sum())
        3
    """
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Prunes the ``amount`` entries of ``module.<name>`` of smallest magnitude (of
    ``importance_scores`` when given).

    Args:
        module (Module): the module.
        name (str): the parameter's name.
        amount (int or float): how many entries, or the fraction of them (in [0, 1]).
        importance_scores (Tensor, optional): ranks the entries instead (the tensor's shape).

    Returns:
        Module: ``module``.

    Example::

        >>> m = nn.utils.prune.l1_unstructured(nn.Linear(4, 4), "weight", amount=0.5)
        >>> int(m.weight_mask.sum())
        8
    """
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Prunes ``amount`` channels (slices along ``dim``) of ``module.<name>`` chosen at random.

    Args:
        module (Module): the module.
        name (str): the parameter's name.
        amount (int or float): how many channels, or the fraction of them (in [0, 1]).
        dim (int): the channels' dim.

    Returns:
        Module: ``module``.

    Example::

        >>> m = nn.utils.prune.random_structured(nn.Conv2d(1, 4, 3), "weight", amount=1, dim=0)
        >>> int((m.weight_mask.sum((1, 2, 3)) == 0).sum())
        1
    """
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Prunes the ``amount`` channels (slices along ``dim``) of ``module.<name>`` of smallest
    n-norm.

    Args:
        module (Module): the module.
        name (str): the parameter's name.
        amount (int or float): how many channels, or the fraction of them (in [0, 1]).
        n (int, float, inf, -inf, 'fro' or 'nuc'): the norm's order.
        dim (int): the channels' dim.
        importance_scores (Tensor, optional): ranks the channels instead (the tensor's shape).

    Returns:
        Module: ``module``.

    Example::

        >>> m = nn.utils.prune.ln_structured(nn.Linear(3, 4), "weight", amount=1, n=1, dim=0)
        >>> int((m.weight_mask.sum(1) == 0).sum())
        1
    """
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prunes several tensors together: the unstructured ``pruning_method`` ranks the entries of
    all of them at once (the smallest weights of the whole model, not of each layer).

    Args:
        parameters (iterable of (Module, str)): the tensors.
        pruning_method (type): an unstructured BasePruningMethod (L1Unstructured, RandomUnstructured).
        importance_scores (dict, optional): {(module, name): scores} ranking a tensor's entries instead.
        **kwargs: the method's arguments (``amount``).

    Returns:
        None

    Raises:
        TypeError: ``parameters`` not iterable; ``importance_scores`` not a dict; a method that is
            not unstructured.

    Example::

        >>> a, b = nn.Linear(4, 4), nn.Linear(4, 4)
        >>> nn.utils.prune.global_unstructured([(a, "weight"), (b, "weight")],
        ...                                    pruning_method=nn.utils.prune.L1Unstructured, amount=16)
        >>> int((a.weight == 0).sum() + (b.weight == 0).sum())
        16
    """
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    parameters = list(parameters)
    importance_scores = importance_scores if importance_scores is not None else {}
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    scores = parameters_to_vector([importance_scores.get((module, name), getattr(module, name))
                                   for module, name in parameters])
    default_mask = parameters_to_vector([getattr(module, name + "_mask", ember.ones_like(getattr(module, name)))
                                         for module, name in parameters])
    container = PruningContainer()
    container._tensor_name = "temp"
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError('Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
                        f"{pruning_method} of type {method.PRUNING_TYPE}")
    container.add_pruning_method(method)
    final_mask = container.compute_mask(scores, default_mask)
    pointer = 0
    for module, name in parameters:
        param = getattr(module, name)
        custom_from_mask(module, name, mask=final_mask[pointer:pointer + param.numel()].view_as(param))
        pointer += param.numel()


def custom_from_mask(module, name, mask):
    """Prunes ``module.<name>`` where ``mask`` is 0.

    Args:
        module (Module): the module.
        name (str): the parameter's name.
        mask (Tensor): of the tensor's shape.

    Returns:
        Module: ``module``.

    Example::

        >>> m = nn.utils.prune.custom_from_mask(nn.Linear(2, 2), "weight", ember.eye(2))
        >>> m.weight_mask
        tensor([[1., 0.],
                [0., 1.]])
    """
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module, name):
    """Makes the pruning of ``module.<name>`` permanent: ``<name>`` is a parameter again holding
    the pruned values; ``<name>_orig``, ``<name>_mask`` and the hook are gone.

    Args:
        module (Module): the module.
        name (str): the parameter's name.

    Returns:
        Module: ``module``.

    Raises:
        ValueError: ``module.<name>`` is not pruned.

    Example::

        >>> m = nn.utils.prune.remove(nn.utils.prune.l1_unstructured(nn.Linear(2, 2), "weight", 1), "weight")
        >>> [n for n, _ in m.named_parameters()]
        ['bias', 'weight']
    """
    if _take_forward_pre_hook(module, lambda hook: isinstance(hook, BasePruningMethod) and
                              hook._tensor_name == name) is None:
        raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed")
    return module


def is_pruned(module):
    """Whether ``module`` or a module under it has a pruning hook.

    Args:
        module (Module): the module.

    Returns:
        bool

    Example::

        >>> m = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
        >>> nn.utils.prune.is_pruned(m)
        False
        >>> _ = nn.utils.prune.identity(m[0], "bias")
        >>> nn.utils.prune.is_pruned(m)
        True
    """
    return any(isinstance(hook, BasePruningMethod)
               for _, submodule in module.named_modules() for hook in submodule._forward_pre_hooks.values())


def _validate_pruning_amount_init(amount):
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and amount < 0) or \
            (not isinstance(amount, numbers.Integral) and (float(amount) > 1.0 or float(amount) < 0.0)):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a non-negative integer")


def _validate_pruning_amount(amount, tensor_size):
    if isinstance(amount, numbers.Integral) and amount > tensor_size:
        raise ValueError(f"amount={amount} should be smaller than the number of parameters to prune={tensor_size}")


def _validate_structured_pruning(t):
    if len(t.shape) <= 1:
        raise ValueError("Structured pruning can only be applied to multidimensional tensors. Found tensor of shape "
                         f"{t.shape} with {len(t.shape)} dims")


def _compute_nparams_toprune(amount, tensor_size):
    return amount if isinstance(amount, numbers.Integral) else round(amount * tensor_size)


def _validate_pruning_dim(t, dim):
    if dim >= t.dim():
        raise IndexError(f"Invalid index {dim} for tensor of size {t.shape}")

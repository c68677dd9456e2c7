"""The hook-based weight normalization, as torch.nn.utils.weight_norm (deprecated there in favour
of ember.nn.utils.parametrizations.weight_norm, and here too): the parameters ``<name>_g`` and
``<name>_v`` replace ``<name>``, which a forward pre-hook recomputes before each call."""
import warnings

from ember.nn.modules import Parameter
from ember.nn.utils import _take_forward_pre_hook
from ember.nn.utils.parametrizations import _norm_except_dim, _weight_norm

__all__ = ["WeightNorm", "remove_weight_norm", "weight_norm"]


class WeightNorm:
    """The forward pre-hook of :func:`weight_norm`: sets ``module.<name>`` from ``<name>_g`` and
    ``<name>_v`` before each call.

    Args:
        name (str): the parameter's name.
        dim (int): the dim that keeps a norm of its own (None or -1: one norm for all).

    Example::

        >>> m = nn.utils.weight_norm(nn.Linear(2, 3))
        >>> [type(h).__name__ for h in m._forward_pre_hooks.values()]
        ['WeightNorm']
    """

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        """g * v / ||v|| from the module's ``<name>_g`` and ``<name>_v``."""
        return _weight_norm(getattr(module, self.name + "_v"), getattr(module, self.name + "_g"), self.dim)

    @staticmethod
    def apply(module, name, dim):
        """Replaces ``module.<name>`` by ``<name>_g`` and ``<name>_v`` and registers the hook."""
        warnings.warn("`nn.utils.weight_norm` is deprecated in favor of `nn.utils.parametrizations.weight_norm`.",
                      FutureWarning, stacklevel=3)
        if any(isinstance(hook, WeightNorm) and hook.name == name for hook in module._forward_pre_hooks.values()):
            raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        delattr(module, name)
        module.register_parameter(name + "_g", Parameter(_norm_except_dim(weight, fn.dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        """Puts ``<name>`` back as a parameter holding the current weight."""
        weight = self.compute_weight(module)
        delattr(module, self.name)
        delattr(module, self.name + "_g")
        delattr(module, self.name + "_v")
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    r"""Weight normalization with a forward pre-hook (deprecated: use
    :func:`ember.nn.utils.parametrizations.weight_norm`): :math:`w = g \, v / \|v\|`, the norm
    over every dim but ``dim``. The parameters ``<name>_g`` and ``<name>_v`` replace ``<name>``,
    which is recomputed before each call. Emits PyTorch's FutureWarning.

    Args:
        module (Module): the module holding the parameter.
        name (str, optional): the parameter's name. Default: ``"weight"``.
        dim (int, optional): the dim that keeps a norm of its own; ``None``: one norm for the
            whole tensor. Default: 0.

    Returns:
        Module: ``module``.

    Raises:
        RuntimeError: ``name`` already has a weight_norm hook.

    Example::

        >>> m = nn.utils.weight_norm(nn.Linear(20, 40))
        >>> m.weight_g.shape, m.weight_v.shape
        (ember.Size([40, 1]), ember.Size([40, 20]))
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name="weight"):
    """Removes :func:`weight_norm`'s hook: ``<name>`` is a parameter again, holding the current
    normalized weight.

    Args:
        module (Module): the module.
        name (str, optional): the parameter's name. Default: ``"weight"``.

    Returns:
        Module: ``module``.

    Raises:
        ValueError: ``name`` has no weight_norm hook.

    Example::

        >>> m = nn.utils.remove_weight_norm(nn.utils.weight_norm(nn.Linear(2, 3)))
        >>> [name for name, _ in m.named_parameters()]
        ['bias', 'weight']
    """
    if _take_forward_pre_hook(module, lambda hook: isinstance(hook, WeightNorm) and hook.name == name) is None:
        raise ValueError(f"weight_norm of '{name}' not found in {module}")
    return module

"""The hook-based spectral normalization, as torch.nn.utils.spectral_norm (the form most GAN code
uses): the parameter ``<name>_orig`` and the buffers ``<name>_u``, ``<name>_v`` replace
``<name>``, which a forward pre-hook recomputes before each call."""
import ember
import ember.nn.functional as F
from ember.nn.modules import Parameter
from ember.nn.utils import _take_forward_pre_hook
from ember.nn.utils.parametrizations import _default_spectral_dim, _reshape_weight_to_matrix

__all__ = ["SpectralNorm", "SpectralNormLoadStateDictPreHook", "SpectralNormStateDictHook", "remove_spectral_norm",
           "spectral_norm"]


class SpectralNorm:
    """The forward pre-hook of :func:`spectral_norm`: sets ``module.<name>`` to
    ``<name>_orig / sigma`` before each call, advancing the power iteration in training mode.

    Args:
        name (str, optional): the parameter's name. Default: ``"weight"``.
        n_power_iterations (int, optional): power iteration steps per call. Default: 1.
        dim (int, optional): the dim of the output units. Default: 0.
        eps (float, optional): added to norms that divide. Default: 1e-12.

    Example::

        >>> m = nn.utils.spectral_norm(nn.Linear(2, 3))
        >>> [type(h).__name__ for h in m._forward_pre_hooks.values()]
        ['SpectralNorm']
    """

    _version = 1

    def __init__(self, name="weight", n_power_iterations=1, dim=0, eps=1e-12):
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight):
        """The weight as a matrix whose rows run along ``dim``."""
        return _reshape_weight_to_matrix(weight, self.dim)

    def compute_weight(self, module, do_power_iteration):
        """``<name>_orig / sigma``; do_power_iteration first advances ``<name>_u`` and ``<name>_v``."""
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with ember.no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(F.normalize(ember.mv(weight_mat.t(), u), dim=0, eps=self.eps))
                    u.copy_(F.normalize(ember.mv(weight_mat, v), dim=0, eps=self.eps))
                # Copies: the buffers change in place at the next call, which backward must not see.
                u, v = u.clone(), v.clone()
        sigma = ember.dot(u, ember.mv(weight_mat, v))
        return weight / sigma

    def remove(self, module):
        """Puts ``<name>`` back as a parameter holding the current normalized weight."""
        with ember.no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        for suffix in ("", "_u", "_v", "_orig"):
            delattr(module, self.name + suffix)
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    def _solve_v_and_rescale(self, weight_mat, u, target_sigma):
        # The v with u^T W v = target_sigma, for a checkpoint written before v was saved.
        v = ember.linalg.multi_dot([ember.linalg.pinv(weight_mat.t().mm(weight_mat)), weight_mat.t(),
                                    u.unsqueeze(1)]).squeeze(1)
        return v.mul_(target_sigma / ember.dot(u, ember.mv(weight_mat, v)))

    @staticmethod
    def apply(module, name, n_power_iterations, dim, eps):
        """Replaces ``module.<name>`` by ``<name>_orig``, ``<name>_u``, ``<name>_v`` and registers the hooks."""
        if any(isinstance(hook, SpectralNorm) and hook.name == name for hook in module._forward_pre_hooks.values()):
            raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = dict(module.named_parameters(recurse=False)).get(name)
        if weight is None:
            if getattr(module, name, 0) is not None:
                raise KeyError(name)  # not a parameter (PyTorch's lookup in module._parameters)
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        with ember.no_grad():
            weight_mat = fn.reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            u = F.normalize(weight.new_empty(h).normal_(0, 1), dim=0, eps=fn.eps)
            v = F.normalize(weight.new_empty(w).normal_(0, 1), dim=0, eps=fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        setattr(module, fn.name, weight.data)
        module.register_buffer(fn.name + "_u", u)
        module.register_buffer(fn.name + "_v", v)
        module.register_forward_pre_hook(fn)
        module._register_state_dict_hook(SpectralNormStateDictHook(fn))
        module._register_load_state_dict_pre_hook(SpectralNormLoadStateDictPreHook(fn))
        return fn


class SpectralNormLoadStateDictPreHook:
    """Loads a checkpoint written before ``<name>_v`` was saved (``<name>`` and ``<name>_u``
    there): v is solved for from them. State dicts with ``<name>_orig``, ``_u`` and ``_v`` load
    as they are.

    Args:
        fn (SpectralNorm): the module's hook.

    Example::

        >>> m = nn.utils.spectral_norm(nn.Linear(2, 3))
        >>> [type(h).__name__ for h in m._load_state_dict_pre_hooks.values()]
        ['SpectralNormLoadStateDictPreHook']
    """

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
        fn = self.fn
        version = local_metadata.get("spectral_norm", {}).get(fn.name + ".version", None)
        if version is not None and version >= 1:
            return
        weight_key = prefix + fn.name
        if version is None and all(weight_key + s in state_dict for s in ("_orig", "_u", "_v")) and \
                weight_key not in state_dict:
            return  # the current layout (ember writes no version metadata)
        has_missing_keys = False
        for suffix in ("_orig", "", "_u"):
            if weight_key + suffix not in state_dict:
                has_missing_keys = True
                if strict:
                    missing_keys.append(weight_key + suffix)
        if has_missing_keys:
            return
        with ember.no_grad():
            weight_orig = state_dict[weight_key + "_orig"]
            weight = state_dict.pop(weight_key)
            sigma = (weight_orig / weight).mean()
            weight_mat = fn.reshape_weight_to_matrix(weight_orig)
            u = state_dict[weight_key + "_u"]
            state_dict[weight_key + "_v"] = fn._solve_v_and_rescale(weight_mat, u, sigma)


class SpectralNormStateDictHook:
    """Writes the spectral norm's version into a state dict's metadata (PyTorch's hook; ember's
    state dicts carry no metadata, so it has nothing to write into).

    Args:
        fn (SpectralNorm): the module's hook.

    Example::

        >>> m = nn.utils.spectral_norm(nn.Linear(2, 3))
        >>> [type(h).__name__ for h in m._state_dict_hooks.values()]
        ['SpectralNormStateDictHook']
    """

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, module, state_dict, prefix, local_metadata):
        versions = local_metadata.setdefault("spectral_norm", {})
        key = self.fn.name + ".version"
        if key in versions:
            raise RuntimeError(f"Unexpected key in metadata['spectral_norm']: {key}")
        versions[key] = self.fn._version


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    r"""Spectral normalization (Miyato et al., 2018) with a forward pre-hook, as GAN code uses
    it: before each call ``module.<name>`` becomes ``<name>_orig`` divided by its largest
    singular value, estimated by power iteration on the buffers ``<name>_u`` and ``<name>_v``
    (advanced ``n_power_iterations`` steps per call in training mode).

    Args:
        module (Module): the module holding the parameter.
        name (str, optional): the parameter's name. Default: ``"weight"``.
        n_power_iterations (int, optional): power iteration steps per call. Default: 1.
        eps (float, optional): added to norms that divide. Default: 1e-12.
        dim (int, optional): the dim of the output units; default 1 for ConvTranspose1d/2d/3d,
            0 otherwise.

    Returns:
        Module: ``module``, with ``<name>_orig``, ``<name>_u``, ``<name>_v`` and the hook.

    Raises:
        ValueError: the parameter is None; ``n_power_iterations`` not positive.
        RuntimeError: ``name`` already has a spectral_norm hook.

    Example::

        >>> m = nn.utils.spectral_norm(nn.Linear(20, 40))
        >>> [name for name, _ in m.named_parameters()], m.weight_u.shape
        (['bias', 'weight_orig'], ember.Size([40]))
    """
    if dim is None:
        dim = _default_spectral_dim(module)
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name="weight"):
    """Removes :func:`spectral_norm`'s hooks: ``<name>`` is a parameter again, holding the
    current normalized weight (no power iteration step).

    Args:
        module (Module): the module.
        name (str, optional): the parameter's name. Default: ``"weight"``.

    Returns:
        Module: ``module``.

    Raises:
        ValueError: ``name`` has no spectral_norm hook.

    Example::

        >>> m = nn.utils.remove_spectral_norm(nn.utils.spectral_norm(nn.Linear(2, 3)))
        >>> [name for name, _ in m.named_parameters()]
        ['bias', 'weight']
    """
    if _take_forward_pre_hook(module, lambda hook: isinstance(hook, SpectralNorm) and hook.name == name) is None:
        raise ValueError(f"spectral_norm of '{name}' not found in {module}")
    for hooks, kind in ((module._state_dict_hooks, SpectralNormStateDictHook),
                        (module._load_state_dict_pre_hooks, SpectralNormLoadStateDictPreHook)):
        for key, hook in hooks.items():
            if isinstance(hook, kind) and hook.fn.name == name:
                del hooks[key]
                break
    return module

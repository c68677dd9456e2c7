"""ember.nn.utils.parametrizations, as torch.nn.utils.parametrizations: orthogonal weights, weight
normalization and spectral normalization as parametrizations (ember.nn.utils.parametrize). The older hook-based
forms, ember.nn.utils.weight_norm and spectral_norm, share the formulas here."""
import ember
import ember.nn.functional as F
from ember._C import Tensor
from ember.nn.modules import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, Module
from ember.nn.utils import parametrize

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _norm_except_dim(v, dim):
    """The 2-norm of v over every dim but ``dim``, shaped to broadcast against v; dim -1 (or
    None): the norm of the whole tensor, 0-d (PyTorch's norm_except_dim, where -1 means that)."""
    if dim == -1:
        return v.norm(2)
    if dim == 0:
        return v.reshape(v.shape[0], -1).norm(2, 1).reshape([v.shape[0]] + [1] * (v.dim() - 1))
    if dim == v.dim() - 1:
        return v.reshape(-1, v.shape[-1]).norm(2, 0).reshape([1] * (v.dim() - 1) + [v.shape[-1]])
    return _norm_except_dim(v.transpose(0, dim), 0).transpose(0, dim)


def _weight_norm(v, g, dim):
    """w = g * v / ||v||, the norm over every dim but ``dim`` (PyTorch's _weight_norm)."""
    return v * (g / _norm_except_dim(v, dim))


def _reshape_weight_to_matrix(weight, dim):
    """weight as a matrix whose rows run along ``dim`` (spectral normalization's view of it)."""
    if dim != 0:
        weight = weight.permute(dim, *(d for d in range(weight.dim()) if d != dim))
    return weight.flatten(1)


def _default_spectral_dim(module):
    """The output-channel dim: 1 for the transposed convolutions, whose weights are (in, out, ...)."""
    return 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0


def _tensor_of(module, name):
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    return weight


def _is_orthogonal(Q):
    n, k = Q.shape[-2], Q.shape[-1]
    eps = 10.0 * n * ember.finfo(Q.dtype).eps
    return ember.allclose(Q.mT @ Q, ember.eye(k, dtype=Q.dtype), atol=eps)


def _make_orthogonal(A):
    """The Q of A's QR factorization whose R has a positive diagonal (unique for full-rank A)."""
    Q, R = ember.linalg.qr(A)
    return Q * R.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


_ORTHOGONAL_MAPS = ("matrix_exp", "cayley", "householder")


class _Orthogonal(Module):
    """An orthogonal (n x k: orthonormal columns, or rows when n < k) matrix from an unconstrained
    one: the exponential or the Cayley map of its skew-symmetric part, or a product of Householder
    reflectors; with ``use_trivialization``, times a base the assignments update."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            X = X.tril()
            if n != k:
                X = ember.cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == "matrix_exp":
                Q = ember.matrix_exp(A)
            else:
                Id = ember.eye(n, dtype=A.dtype)
                Q = ember.linalg.solve(ember.add(Id, A, alpha=-0.5), ember.add(Id, A, alpha=0.5))
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = ember.linalg.householder_product(A, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if hasattr(self, "base"):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q):
        with ember.no_grad():
            if Q.shape != self.shape:
                raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. Got a tensor of shape "
                                 f"{Q.shape}.")
            Q_init = Q
            n, k = Q.shape[-2], Q.shape[-1]
            if n < k:
                Q = Q.mT
                n, k = k, n
            if not hasattr(self, "base"):
                # matrix_exp and cayley cannot be inverted; householder (refused by orthogonal()) would need geqrf
                raise NotImplementedError("It is not possible to assign to the matrix exponential or the Cayley "
                                          "parametrizations when use_trivialization=False.")
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:  # complete the columns to a square orthogonal matrix
                N = ember.randn(*Q.shape[:-2], n, n - k, dtype=Q.dtype)
                Q = _make_orthogonal(ember.cat([Q, N], dim=-1))
            self.base = Q
            neg_Id = ember.zeros_like(Q_init)
            neg_Id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return neg_Id


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    r"""Makes ``module.<name>`` an orthogonal matrix (or batch of them), as
    torch.nn.utils.parametrizations.orthogonal: :math:`Q^T Q = I` (orthonormal columns; rows when
    the matrix is wide), kept so through training. With ``use_trivialization`` (the default), the
    parametrization starts from the current weight (made orthogonal by QR if it is not) and
    assigning ``module.<name> = Q`` sets it.

    Args:
        module (Module): the module holding the tensor.
        name (str, optional): the tensor's name. Default: ``"weight"``.
        orthogonal_map (str, optional): ``"matrix_exp"``, ``"cayley"`` or ``"householder"``.
            Default: ``"matrix_exp"`` for square matrices, ``"householder"`` otherwise.
        use_trivialization (bool, optional): keep a base matrix the parametrization multiplies.
            Default: True.

    Returns:
        Module: ``module``, parametrized.

    Raises:
        ValueError: no tensor of that name; fewer than 2 dims; an unknown map.
        NotImplementedError: ``use_trivialization=False`` with the Householder map (its
            initialization needs LAPACK's geqrf, not in ember yet).

    Example::

        >>> m = nn.utils.parametrizations.orthogonal(nn.Linear(5, 3))
        >>> ember.allclose(m.weight @ m.weight.T, ember.eye(3), atol=1e-5)
        True
    """
    weight = _tensor_of(module, name)
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] else "householder"
    if orthogonal_map not in _ORTHOGONAL_MAPS:
        raise ValueError(f'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". Got: '
                         f"{orthogonal_map}")
    if orthogonal_map == "householder" and not use_trivialization:
        raise NotImplementedError("orthogonal(orthogonal_map='householder', use_trivialization=False): its "
                                  "initialization needs LAPACK's geqrf, which ember does not have yet; use the default "
                                  "use_trivialization=True")
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


class _WeightNorm(Module):
    """weight = g * v / ||v||, from original0 = g (the norms) and original1 = v (the directions)."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    r"""Weight normalization (Salimans and Kingma, 2016) as a parametrization:
    :math:`w = g \, v / \|v\|`, the norm taken over every dim but ``dim``. The magnitudes ``g``
    (``module.parametrizations.<name>.original0``) and directions ``v`` (``original1``) are the
    parameters trained; ``module.<name>`` is computed from them at each read. A state_dict of the
    older ``ember.nn.utils.weight_norm`` (``<name>_g``, ``<name>_v``) loads into it.

    Args:
        module (Module): the module holding the tensor.
        name (str, optional): the parameter's name. Default: ``"weight"``.
        dim (int, optional): the dim that keeps a norm of its own; ``None``: one norm for the
            whole tensor. Default: 0 (each output unit).

    Returns:
        Module: ``module``, parametrized.

    Example::

        >>> m = nn.utils.parametrizations.weight_norm(nn.Linear(20, 40))
        >>> m.parametrizations.weight.original0.shape, m.parametrizations.weight.original1.shape
        (ember.Size([40, 1]), ember.Size([40, 20]))
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                 error_msgs):
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


class _SpectralNorm(Module):
    """weight / sigma, sigma the largest singular value of the weight (as a matrix along ``dim``),
    estimated by power iteration: the vectors ``_u`` and ``_v`` are buffers, advanced
    ``n_power_iterations`` steps at each read in training mode."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = _reshape_weight_to_matrix(weight, self.dim)
            h, w = weight_mat.shape
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _power_method(self, weight_mat, n_power_iterations):
        with ember.no_grad():
            for _ in range(n_power_iterations):
                self._u.copy_(F.normalize(ember.mv(weight_mat, self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(ember.mv(weight_mat.H, self._u), dim=0, eps=self.eps))

    def forward(self, weight):
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = _reshape_weight_to_matrix(weight, self.dim)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        # Copies: the next power iteration changes the buffers, which backward still needs.
        u, v = self._u.clone(), self._v.clone()
        sigma = ember.vdot(u, ember.mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    r"""Spectral normalization (Miyato et al., 2018) as a parametrization: ``module.<name>`` is
    the weight divided by its largest singular value :math:`\sigma`, estimated by power
    iteration (15 steps when registered, then ``n_power_iterations`` at each read in training
    mode; in eval mode the last estimate is used). The GAN discriminators' Lipschitz
    constraint.

    Args:
        module (Module): the module holding the tensor.
        name (str, optional): the parameter's name. Default: ``"weight"``.
        n_power_iterations (int, optional): power iteration steps per read. Default: 1.
        eps (float, optional): added to norms that divide. Default: 1e-12.
        dim (int, optional): the dim of the output units; default 1 for ConvTranspose1d/2d/3d,
            0 otherwise.

    Returns:
        Module: ``module``, parametrized (buffers ``_u`` and ``_v`` in
        ``module.parametrizations.<name>[0]``).

    Raises:
        ValueError: no tensor of that name; ``n_power_iterations`` not positive.
        IndexError: ``dim`` out of range.

    Example::

        >>> m = nn.utils.parametrizations.spectral_norm(nn.Linear(20, 40))
        >>> ember.linalg.matrix_norm(m.weight, 2) <= 1.01
        tensor(True)
    """
    weight = _tensor_of(module, name)
    if dim is None:
        dim = _default_spectral_dim(module)
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module

"""ember.func: function transforms, as torch.func: grad, grad_and_value, vjp, jvp, jacrev, jacfwd,
hessian, vmap, functional_call and stack_module_state.

Built on ember's reverse-mode autograd: a transform runs the function on inputs it tracks and
differentiates with autograd.grad, keeping the graph while another transform runs around it, so
transforms compose (hessian is jacfwd(jacrev(f)), per-sample gradients are vmap(grad(f))).
jvp and jacfwd use reverse mode twice (the double-vjp identity), so they give forward mode's
numbers at reverse mode's cost. vmap runs the function once per batch element and stacks the
results: the semantics of torch's vmap for functions without in-place writes to their inputs or
data-dependent control flow across the batch, not its speed.
"""
import contextlib

import ember
from ember import autograd

_running = [0]  # transforms now running; inner ones keep their graphs for the outer ones


@contextlib.contextmanager
def _level():
    _running[0] += 1
    try:
        with ember.enable_grad():
            yield
    finally:
        _running[0] -= 1


# ---- pytrees: tensors inside tuples, lists and dicts --------------------------------------------

def _flatten(tree):
    """(leaves, rebuild): the tensors of a nest of tuples, lists and dicts, and how to rebuild it."""
    if isinstance(tree, (tuple, list)):
        parts = [_flatten(t) for t in tree]
        leaves = [leaf for p in parts for leaf in p[0]]
        counts = [len(p[0]) for p in parts]

        def rebuild(values, parts=parts, counts=counts, kind=type(tree)):
            out, start = [], 0
            for (_, sub), n in zip(parts, counts):
                out.append(sub(values[start:start + n]))
                start += n
            return kind(out)
        return leaves, rebuild
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, rebuild_values = _flatten([tree[k] for k in keys])
        return leaves, lambda values: dict(zip(keys, rebuild_values(values)))
    if isinstance(tree, ember.Tensor):
        return [tree], lambda values: values[0]
    return [], lambda values, tree=tree: tree


def _map(fn, tree):
    leaves, rebuild = _flatten(tree)
    return rebuild([fn(leaf) for leaf in leaves])


def _track(tensor):
    """A tensor the function reads in place of `tensor`, differentiable on its own; connected to
    tensor's graph when that has one (so an outer transform sees through it)."""
    if not tensor.is_floating_point():
        raise RuntimeError(f"ember.func: only floating tensors can be differentiated, got {tensor.dtype}")
    return tensor.clone() if tensor.requires_grad else tensor.detach().requires_grad_()


def _outermost_plain(*trees):
    """Whether results should come back without graphs: no outer transform, no input needing grad."""
    return _running[0] == 0 and not any(t.requires_grad for tree in trees for t in _flatten(tree)[0])


def _grads(outputs, inputs, cotangents=None):
    """autograd.grad keeping the graph; inputs the function did not use get zeros."""
    found = autograd.grad(outputs, inputs, cotangents, retain_graph=True, create_graph=True, allow_unused=True)
    return [ember.zeros_like(x) if g is None else g for g, x in zip(found, inputs)]


def _argnums_tuple(argnums, nargs, name):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums:
        raise RuntimeError(f"{name}: argnums must be non-empty")
    for n in nums:
        if not isinstance(n, int) or not -nargs <= n < nargs:
            raise RuntimeError(f"{name}: Got argnums={argnums}, but only {nargs} positional inputs")
    return tuple(n % nargs for n in nums)


def _tracked_args(args, argnums, name):
    nums = _argnums_tuple(argnums, len(args), name)
    args = list(args)
    for n in nums:
        args[n] = _map(_track, args[n])
    return args, nums


def _detach(tree, plain):
    return _map(lambda t: t.detach(), tree) if plain else tree


def _call(func, name, has_aux, *args, **kwargs):
    """(output, aux) of func; aux is None unless has_aux, when func must return a pair."""
    out = func(*args, **kwargs)
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{name}(f)(*args): output of function f should be a tuple: (output, aux) if has_aux "
                           "is True")
    return out


# ---- transforms ----------------------------------------------------------------------------------

def grad_and_value(func, argnums=0, has_aux=False):
    r"""The gradient of func (a function returning one-element tensor) with respect to its
    argnums arguments, and func's value, as torch.func.grad_and_value.

    Args:
        func (callable): returns a one-element tensor (and an auxiliary object when has_aux).
        argnums (int or tuple of ints, optional): the arguments to differentiate (tensors or
            nests of them). Default: 0.
        has_aux (bool, optional): func returns (value, aux); aux is passed through. Default: False.

    Returns:
        callable: taking func's arguments, returning (gradient, value), or (gradient, (value,
        aux)) when has_aux, as torch's.

    Example::

        >>> g, v = ember.func.grad_and_value(lambda x: (x ** 2).sum())(ember.tensor([1.0, 2.0]))
        >>> g, v
        (tensor([2., 4.]), tensor(5.))
    """
    def wrapper(*args, **kwargs):
        plain = _outermost_plain(args, kwargs)
        with _level():
            tracked, nums = _tracked_args(args, argnums, "grad_and_value")
            out, aux = _call(func, "grad_and_value", has_aux, *tracked, **kwargs)
            if not isinstance(out, ember.Tensor) or out.numel() != 1:
                got = f"shape {tuple(out.shape)}" if isinstance(out, ember.Tensor) else type(out).__name__
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                                   f"{got}. Maybe you wanted to use the vjp or jacrev APIs instead?")
            chosen = [tracked[n] for n in nums]
            leaves, rebuild = _flatten(chosen)
            grads = rebuild(_grads(out, leaves))
            grads = grads[0] if isinstance(argnums, int) else tuple(grads)
        grads, out = _detach(grads, plain), _detach(out, plain)
        if has_aux:
            return grads, (out, _detach(aux, plain))
        return grads, out
    return wrapper


def grad(func, argnums=0, has_aux=False):
    r"""The gradient of func (returning a one-element tensor) with respect to its argnums
    arguments, as torch.func.grad. Composes: grad(grad(f)) is the second derivative.

    Args:
        func (callable): returns a one-element tensor (and an auxiliary object when has_aux).
        argnums (int or tuple of ints, optional): the arguments to differentiate. Default: 0.
        has_aux (bool, optional): func returns (value, aux); the transform returns (gradient,
            aux). Default: False.

    Returns:
        callable: taking func's arguments, returning the gradient (a tuple for a tuple argnums).

    Example::

        >>> ember.func.grad(lambda x: x.sin().sum())(ember.tensor([0.0, 1.0]))
        tensor([1.0000, 0.5403])
        >>> ember.func.grad(ember.func.grad(lambda x: x ** 3))(ember.tensor(2.0))
        tensor(12.)
    """
    transform = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        grads, value = transform(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads
    return wrapper


def vjp(func, *primals, has_aux=False):
    r"""func's output at primals and a function giving the vector-Jacobian product, as
    torch.func.vjp.

    Args:
        func (callable): of tensors (or nests of them), returning tensors (or nests).
        *primals: func's arguments.
        has_aux (bool, optional): func returns (output, aux). Default: False.

    Returns:
        (output, vjp_fn) or (output, vjp_fn, aux); vjp_fn(cotangents) returns a tuple with the
        gradient of <output, cotangents> for each primal.

    Example::

        >>> out, vjp_fn = ember.func.vjp(lambda x: x * 3, ember.tensor([1.0, 2.0]))
        >>> vjp_fn(ember.tensor([1.0, 10.0]))
        (tensor([ 3., 30.]),)
    """
    plain = _outermost_plain(primals)
    with _level():
        tracked = [_map(_track, p) for p in primals]
        out, aux = _call(func, "vjp", has_aux, *tracked)
    leaves, rebuild = _flatten(tracked)
    out_leaves, _ = _flatten(out)

    def vjp_fn(cotangents):
        ct_leaves, _ = _flatten(cotangents)
        if len(ct_leaves) != len(out_leaves):
            raise RuntimeError(f"Expected pytree structure of cotangents to be the same as pytree structure of "
                               f"outputs to the function: {len(ct_leaves)} tensors for {len(out_leaves)} outputs")
        with _level():
            grads = rebuild(_grads(out_leaves, leaves, ct_leaves))
        return tuple(_detach(g, plain) for g in grads)

    out = _detach(out, plain)
    return (out, vjp_fn, _detach(aux, plain)) if has_aux else (out, vjp_fn)


def jvp(func, primals, tangents, *, has_aux=False):
    r"""func's output at primals and its Jacobian-vector product with tangents, as
    torch.func.jvp (computed as the derivative of a vector-Jacobian product).

    Args:
        func (callable): of tensors, returning tensors (or nests).
        primals (tuple): func's arguments.
        tangents (tuple): one tangent per primal, of its shape.
        has_aux (bool, optional): func returns (output, aux). Default: False.

    Returns:
        (output, jvp_out) or (output, jvp_out, aux).

    Example::

        >>> ember.func.jvp(lambda x: x ** 2, (ember.tensor([1.0, 3.0]),), (ember.tensor([1.0, 1.0]),))
        (tensor([1., 9.]), tensor([2., 6.]))
    """
    if not isinstance(primals, tuple) or not isinstance(tangents, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to be tuples")
    if len(primals) != len(tangents):
        raise RuntimeError(f"jvp(f, primals, tangents): Expected primals and tangents to have the same length, got "
                           f"{len(primals)} and {len(tangents)}")
    plain = _outermost_plain(primals, tangents)
    with _level():
        tracked = [_map(_track, p) for p in primals]
        out, aux = _call(func, "jvp", has_aux, *tracked)
        out_leaves, rebuild_out = _flatten(out)
        in_leaves, _ = _flatten(tracked)
        tangent_leaves, _ = _flatten(list(tangents))
        # d/du <vjp(u), t> = J t: the vjp is linear in the cotangent u.
        dummies = [ember.zeros_like(o).requires_grad_() for o in out_leaves]
        pulled = _grads(out_leaves, in_leaves, dummies)
        jvp_leaves = _grads(pulled, dummies, tangent_leaves)
    jvp_out = rebuild_out(jvp_leaves)
    result = (_detach(out, plain), _detach(jvp_out, plain))
    return result + (_detach(aux, plain),) if has_aux else result


def jacrev(func, argnums=0, *, has_aux=False):
    r"""The Jacobian of func with respect to its argnums arguments, row by row in reverse mode,
    as torch.func.jacrev: of shape output.shape + input.shape.

    Args:
        func (callable): of tensors, returning a tensor (or a tuple of them).
        argnums (int or tuple of ints, optional): the arguments to differentiate. Default: 0.
        has_aux (bool, optional): func returns (output, aux). Default: False.

    Returns:
        callable: taking func's arguments, returning the Jacobian (tuples for tuple outputs or
        argnums), and aux when has_aux.

    Example::

        >>> ember.func.jacrev(lambda x: x.sin())(ember.tensor([0.0, 1.0]))
        tensor([[1.0000, 0.0000],
                [0.0000, 0.5403]])
    """
    def wrapper(*args, **kwargs):
        plain = _outermost_plain(args, kwargs)
        with _level():
            tracked, nums = _tracked_args(args, argnums, "jacrev")
            out, aux = _call(func, "jacrev", has_aux, *tracked, **kwargs)
            inputs = [tracked[n] for n in nums]
            in_leaves, rebuild_in = _flatten(inputs)
            out_leaves, rebuild_out = _flatten(out)
            per_output = []
            for o in out_leaves:
                flat = o.reshape(-1)
                rows = [_grads(flat[i], in_leaves) for i in range(flat.shape[0])]
                blocks = []
                for k, x in enumerate(in_leaves):
                    stacked = ember.stack([r[k] for r in rows]) if rows else ember.zeros(0, *x.shape, dtype=x.dtype)
                    blocks.append(stacked.reshape(tuple(o.shape) + tuple(x.shape)))
                grouped = rebuild_in(blocks)
                per_output.append(grouped[0] if isinstance(argnums, int) else tuple(grouped))
            jac = rebuild_out(per_output) if not isinstance(out, ember.Tensor) else per_output[0]
        jac = _detach(jac, plain)
        return (jac, _detach(aux, plain)) if has_aux else jac
    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    r"""The Jacobian of func with respect to its argnums arguments, as torch.func.jacfwd (ember
    computes it in reverse mode: the same numbers).

    Args:
        func (callable): of tensors, returning a tensor (or a tuple of them).
        argnums (int or tuple of ints, optional): the arguments to differentiate. Default: 0.
        has_aux (bool, optional): func returns (output, aux). Default: False.
        randomness (str, optional): accepted for torch's signature.

    Returns:
        callable: as :func:`jacrev`'s.

    Example::

        >>> ember.func.jacfwd(lambda x: x * x)(ember.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func, argnums=0):
    r"""The Hessian of func (returning a one-element tensor) with respect to its argnums
    arguments, as torch.func.hessian: jacfwd(jacrev(func)).

    Args:
        func (callable): returns a one-element tensor.
        argnums (int or tuple of ints, optional): the arguments to differentiate. Default: 0.

    Returns:
        callable: taking func's arguments, returning the Hessian (input.shape + input.shape).

    Example::

        >>> ember.func.hessian(lambda x: (x ** 3).sum())(ember.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)


def _dims_for(in_dims, args):
    if isinstance(in_dims, int) or in_dims is None:
        return [in_dims] * len(args)
    if not isinstance(in_dims, (tuple, list)) or len(in_dims) != len(args):
        raise ValueError(f"vmap: in_dims is not compatible with the structure of `inputs`: in_dims has "
                         f"{len(in_dims) if isinstance(in_dims, (tuple, list)) else 'no'} entries, inputs "
                         f"{len(args)}")
    return list(in_dims)


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    r"""func mapped over a dim of its inputs, as torch.func.vmap: the results of func on each
    slice, stacked along out_dims. ember calls func once per slice (torch vectorizes).

    Args:
        func (callable): of tensors (or nests), returning tensors (or nests).
        in_dims (int, None or tuple, optional): the dim mapped in each argument (None: the
            argument is shared; an entry per argument, or one for all). Default: 0.
        out_dims (int or tuple, optional): where the mapped dim goes in each output. Default: 0.
        randomness (str, optional): accepted for torch's signature ('error', 'different', 'same').
        chunk_size (int, optional): accepted for torch's signature.

    Returns:
        callable: taking func's arguments with the mapped dims.

    Raises:
        ValueError: randomness is none of 'error', 'different', 'same'.

    Example::

        >>> batched_dot = ember.func.vmap(ember.dot)
        >>> batched_dot(ember.ones(3, 2), ember.ones(3, 2))
        tensor([2., 2., 2.])
    """
    if randomness not in ("error", "different", "same"):  # (a tuple or tensor is no str to compare)
        raise ValueError(f"vmap: Only allowed values for randomness are 'error', 'different', or 'same'. "
                         f"Got {randomness!r}")
    def wrapper(*args, **kwargs):
        dims = _dims_for(in_dims, args)
        sizes = set()
        for arg, dim in zip(args, dims):
            if dim is None:
                continue
            for leaf in _flatten(arg)[0]:
                if not -leaf.dim() <= dim < max(leaf.dim(), 1) or leaf.dim() == 0:
                    raise ValueError(f"vmap: Tried to map over dim {dim} of an input with {leaf.dim()} dims: "
                                     f"in_dims must be in [-ndim, ndim) of the inputs it maps")
                sizes.add(leaf.shape[dim])
        if not sizes:
            raise ValueError("vmap: at least one input must be a Tensor mapped over a dim (in_dims all None)")
        if len(sizes) > 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                             f"{sorted(sizes)} for the mapped dimension")
        (batch,) = sizes
        results = []
        for i in range(batch):
            sliced = [arg if dim is None else _map(lambda t, d=dim: t.select(d, i), arg) for arg, dim in zip(args, dims)]
            results.append(func(*sliced, **kwargs))
        leaves0, rebuild = _flatten(results[0])
        columns = [_flatten(r)[0] for r in results]
        outs = out_dims if isinstance(out_dims, (tuple, list)) else [out_dims] * len(leaves0)
        stacked = [ember.stack([c[k] for c in columns], dim=d) if d is not None else leaves0[k]
                   for k, d in enumerate(outs)]
        return rebuild(stacked)
    return wrapper


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    r"""Calls module with its parameters and buffers replaced by the given tensors, as
    torch.func.functional_call: the module's own tensors are back afterwards. With grad or vmap
    this differentiates or maps a model over its weights (per-sample gradients, ensembles).

    Args:
        module (Module): the module to call.
        parameter_and_buffer_dicts (dict or tuple of dicts): tensors under the dotted names of
            named_parameters()/named_buffers().
        args (tuple or Tensor, optional): the positional inputs.
        kwargs (dict, optional): the keyword inputs.
        tie_weights (bool, optional): accepted for torch's signature (a module shared under
            two names has one set of slots, so it is tied). Default: True.
        strict (bool, optional): every parameter and buffer must be given. Default: False.

    Returns:
        The module's output.

    Example::

        >>> m = ember.nn.Linear(2, 1)
        >>> params = {"weight": ember.ones(1, 2), "bias": ember.zeros(1)}
        >>> ember.func.functional_call(m, params, (ember.tensor([[1.0, 2.0]]),))
        tensor([[3.]])
    """
    dicts = parameter_and_buffer_dicts if isinstance(parameter_and_buffer_dicts, (tuple, list)) \
        else (parameter_and_buffer_dicts,)
    merged = {}
    for d in dicts:
        for key, value in d.items():
            if key in merged:
                raise ValueError(f"{key} appeared in multiple dictionaries; behavior of functional call is ambiguous")
            merged[key] = value
    if strict:
        expected = {n for n, _ in module.named_parameters()} | {n for n, _ in module.named_buffers()}
        missing, unexpected = sorted(expected - set(merged)), sorted(set(merged) - expected)
        if missing or unexpected:
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}: missing keys {missing}, "
                               f"unexpected keys {unexpected}")
    swapped = []
    try:
        for name, value in merged.items():
            path, _, leaf = name.rpartition(".")
            owner = module.get_submodule(path) if path else module
            swapped.append((owner, leaf, owner._swap_tensor(leaf, value)))
        if args is None:
            args = ()
        elif not isinstance(args, tuple):
            args = (args,)
        return module(*args, **(kwargs or {}))
    finally:
        for owner, leaf, old in reversed(swapped):
            owner._swap_tensor(leaf, old)


def stack_module_state(models):
    r"""The parameters and buffers of models of one architecture, stacked along a new first dim,
    as torch.func.stack_module_state: what vmap over functional_call takes for an ensemble.

    Args:
        models (sequence of Module): modules with the same parameter and buffer names and shapes.

    Returns:
        (params, buffers): dicts of stacked tensors; the parameters are new leaves that require
        grad as the originals do.

    Example::

        >>> params, buffers = ember.func.stack_module_state([ember.nn.Linear(2, 1) for _ in range(3)])
        >>> params["weight"].shape
        ember.Size([3, 1, 2])
    """
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    names = [n for n, _ in models[0].named_parameters()]
    params = {}
    for name in names:
        tensors = [dict(m.named_parameters())[name] for m in models]
        params[name] = ember.stack([t.detach() for t in tensors]).requires_grad_(tensors[0].requires_grad)
    buffers = {name: ember.stack([dict(m.named_buffers())[name] for m in models])
               for name, _ in models[0].named_buffers()}
    return params, buffers


__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "stack_module_state",
           "vjp", "vmap"]

"""PyTorch's top-level utilities that need no C++ of their own: typename, the determinism flags,
frombuffer, randint_like, the distribution fillers of Tensor (random_, exponential_, ...), and
the functional spellings torch also exposes at the top level (dropout, cosine_similarity,
pairwise_distance)."""

import math
import operator
import warnings

import numpy as np

import ember

_DETERMINISTIC = {"mode": False, "warn_only": False}


def typename(obj):
    """The type name of ``obj`` as torch.typename gives it: a tensor's legacy type name
    (``"ember.FloatTensor"`` for float32), else the qualified name of its class (without
    ``builtins.``).

    Args:
        obj: any object.

    Returns:
        str

    Example::

        >>> ember.typename(ember.ones(1))
        'ember.FloatTensor'
        >>> ember.typename(ember.ones(1, dtype=ember.int64)), ember.typename(3)
        ('ember.LongTensor', 'int')
    """
    if isinstance(obj, ember.Tensor):
        return obj.type()
    module = getattr(type(obj), "__module__", "") or ""
    qualname = type(obj).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Records the determinism flag torch programs set. ember's CPU kernels are deterministic
    already (reductions and scatters add in a fixed order), so the flag changes no result.

    Args:
        mode (bool): whether deterministic algorithms are required.
        warn_only (bool, optional): accepted as torch's. Default: False.

    Example::

        >>> ember.use_deterministic_algorithms(True)
        >>> ember.are_deterministic_algorithms_enabled()
        True
        >>> ember.use_deterministic_algorithms(False)
    """
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms: expected a bool mode, got {type(mode).__name__}")
    _DETERMINISTIC.update(mode=mode, warn_only=bool(warn_only))


def are_deterministic_algorithms_enabled():
    """Whether ``use_deterministic_algorithms(True)`` is in effect, as
    torch.are_deterministic_algorithms_enabled. ember's CPU kernels are deterministic whatever it
    says.

    Returns:
        bool: False until :func:`use_deterministic_algorithms` turns it on.

    Example::

        >>> ember.are_deterministic_algorithms_enabled()
        False
    """
    return _DETERMINISTIC["mode"]


def is_deterministic_algorithms_warn_only_enabled():
    """Whether :func:`use_deterministic_algorithms` was given ``warn_only=True``, as
    torch.is_deterministic_algorithms_warn_only_enabled.

    Returns:
        bool

    Example::

        >>> ember.use_deterministic_algorithms(True, warn_only=True)
        >>> ember.is_deterministic_algorithms_warn_only_enabled()
        True
        >>> ember.use_deterministic_algorithms(False)
    """
    return _DETERMINISTIC["warn_only"]


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over an object exposing the buffer protocol (bytes, bytearray, array.array).

    Args:
        buffer: the object; a writable one shares its memory with the tensor.
        dtype (ember.dtype): the elements' type.
        count (int, optional): how many elements (-1: all that fit after offset). Default: -1.
        offset (int, optional): bytes to skip. Default: 0.
        requires_grad (bool, optional): Default: False.

    Example::

        >>> ember.frombuffer(bytearray(b"\\x01\\x02"), dtype=ember.uint8)
        tensor([1, 2], dtype=ember.uint8)
    """
    np_dtype = np.dtype(str(dtype).split(".")[-1]) if dtype != ember.bfloat16 else None
    if np_dtype is None:
        raise TypeError("frombuffer: bfloat16 is not supported")
    size = memoryview(buffer).nbytes
    if offset < 0 or offset >= size:
        raise ValueError(f"frombuffer: offset must be in [0, {size}), got {offset}")
    if count == 0 or (count > 0 and offset + count * np_dtype.itemsize > size):
        raise ValueError(f"frombuffer: requested buffer length ({count} * {np_dtype.itemsize} bytes) after "
                         f"offset ({offset}) exceeds the buffer's {size} bytes")
    a = np.frombuffer(buffer, dtype=np_dtype, count=count, offset=offset)
    t = ember.from_numpy(a) if a.flags.writeable else ember.tensor(a)
    return t.requires_grad_(requires_grad) if requires_grad else t


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    """Integers uniform on [low, high) in input's shape: randint_like(input, high) or
    randint_like(input, low, high).

    Args:
        input (Tensor): the tensor whose shape (and, by default, dtype) the result takes.
        low (int): the lowest value (the highest, exclusive, when high is not given).
        high (int, optional): one above the highest value.
        dtype (ember.dtype, optional): the result's dtype. Default: input's.
        device (str or ember.device, optional): ``"cpu"``, the only device of this build.
        requires_grad (bool): whether autograd records operations on the result.

    Returns:
        Tensor: random integers (of dtype ``dtype``) in input's shape.

    Example::

        >>> ember.randint_like(ember.zeros(2, 3), 10).shape
        ember.Size([2, 3])
    """
    if not isinstance(input, ember.Tensor):
        raise TypeError(f"randint_like(): argument 'input' must be Tensor, not {type(input).__name__}")
    if device is not None:
        ember._C._check_device(device, "randint_like")
    if high is None:
        low, high = 0, low
    t = ember.randint(int(low), int(high), tuple(input.shape), dtype=dtype or input.dtype, device=device)
    return t.requires_grad_(requires_grad) if requires_grad else t


class _NormalDraw(ember.autograd.Function):
    """A sample that depends on mean and std with zero gradients, as torch's NormalBackward."""

    @staticmethod
    def forward(ctx, sample, mean, std):
        ctx.inputs = [(t.shape, t.dtype) for t in (mean, std)]
        return sample

    @staticmethod
    def backward(ctx, grad):
        return (None, *(ember.zeros(shape, dtype=dtype) for shape, dtype in ctx.inputs))


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None, requires_grad=False):
    """Normal draws, as torch.normal: ``normal(mean, std, size)`` for numbers, or one draw per
    element of ``mean`` and/or ``std`` when either is a tensor (broadcast together; the result has
    ``mean``'s dtype, or ``std``'s when mean is a number). A seed gives torch's numbers: the
    tensor forms draw standard normals and scale them in place, as torch's.

    Args:
        mean (float or Tensor): the means.
        std (float or Tensor): the standard deviations (>= 0). Default: 1.
        size (tuple of ints): the shape, for number mean and std only.
        generator (ember.Generator, optional): where the draws come from.
        out (Tensor, optional): the output tensor.
        dtype (ember.dtype, optional): the number form's dtype. Default: the default dtype.
        device (str or ember.device, optional): ``"cpu"``, the only device of this build.
        requires_grad (bool): the number form's result requires grad. Default: False.

    Returns:
        Tensor: the draws. The tensor forms pass zero gradients to mean and std, as torch's.

    Example::

        >>> ember.normal(ember.zeros(3), ember.tensor([1.0, 2.0, 3.0])).shape
        ember.Size([3])
        >>> ember.normal(0.0, 1.0, size=(2, 2)).shape
        ember.Size([2, 2])
    """
    mean_t, std_t = isinstance(mean, ember.Tensor), isinstance(std, ember.Tensor)
    if not (mean_t or std_t):
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: number mean and std need a size")
        return ember._C._normal(mean, std, size, generator=generator, out=out, dtype=dtype, device=device,
                                requires_grad=requires_grad)
    if size is not None or dtype is not None or requires_grad:
        raise TypeError("normal(): size, dtype and requires_grad go with number mean and std only")
    if device is not None:
        ember._C._check_device(device, "normal")
    like = mean if mean_t else std
    if not like.dtype.is_floating_point:
        raise TypeError(f"normal: not implemented for dtype {like.dtype}")
    if std_t and bool((std < 0).any()):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not std_t and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    shape = ember.broadcast_shapes(mean.shape, std.shape) if mean_t and std_t else like.shape
    with ember.no_grad():
        sample = ember.empty(shape, dtype=like.dtype)
        if std_t:  # standard normals scaled in place, as torch's
            sample.normal_(0.0, 1.0, generator=generator).mul_(std).add_(mean)
        else:
            sample.normal_(0.0, std, generator=generator).add_(mean)
    if ember.is_grad_enabled() and any(isinstance(t, ember.Tensor) and t.requires_grad for t in (mean, std)):
        sample = _NormalDraw.apply(sample, mean if mean_t else ember.tensor(mean), std if std_t else ember.tensor(std))
    if out is not None:
        if not isinstance(out, ember.Tensor):
            raise TypeError(f"normal(): argument 'out' must be Tensor, not {type(out).__name__}")
        return out.resize_(sample.shape).copy_(sample)
    return sample


def dropout(input, p, train):
    """torch.dropout's spelling of :func:`ember.nn.functional.dropout`: while ``train``, zeroes each
    element with probability ``p`` and scales the others by :math:`1 / (1 - p)`.

    Args:
        input (Tensor): the input, of any shape.
        p (float): the probability of zeroing an element, in [0, 1].
        train (bool): apply the dropout (else the input is returned).

    Returns:
        Tensor: the input's shape.

    Raises:
        ValueError: ``p`` is out of [0, 1].

    Example::

        >>> ember.dropout(ember.ones(4), 0.5, False)
        tensor([1., 1., 1., 1.])
        >>> sorted(set(ember.dropout(ember.ones(100), 0.5, True).tolist()))
        [0.0, 2.0]
    """
    return ember.nn.functional.dropout(input, p, train)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    r"""torch.cosine_similarity: see :func:`ember.nn.functional.cosine_similarity`.
    :math:`x_1 \cdot x_2 / (\max(\lVert x_1 \rVert, \epsilon) \max(\lVert x_2 \rVert,
    \epsilon))` along ``dim``, the inputs broadcast together first.

    Args:
        x1 (Tensor): a floating tensor.
        x2 (Tensor): a floating tensor broadcastable with ``x1``.
        dim (int, optional): the dimension of the vectors. Default: 1.
        eps (float, optional): the smallest norm divided by. Default: 1e-8.

    Returns:
        Tensor: the broadcast shape without ``dim``.

    Raises:
        TypeError: an input is not a floating tensor.
        IndexError: ``dim`` is out of range.

    Example::

        >>> ember.cosine_similarity(ember.tensor([[1., 0.], [1., 1.]]), ember.tensor([[1., 0.]]))
        tensor([1.0000, 0.7071])
    """
    return ember.nn.functional.cosine_similarity(x1, x2, dim, eps)


# ---- Tensor's distribution fillers, from uniform_ (inverse CDFs) and normal_ -------------------
def _random_(self, *args, generator=None, **bounds):
    """Fills self with integers uniform on [from, to), as torch's Tensor.random_, whose three forms
    it takes: random_() (the dtype's whole range: up to the mantissa's 2^digits for floats, the
    maximum for integers), random_(to) and random_(from, to) (`from` by keyword too; to=None: up to
    the top of that range).

    Example::

        >>> ember.zeros(3).random_(0, 10)   # three of 0..9, as floats
    """
    if len(args) > 2 or set(bounds) - {"from", "to"} or (len(args) == 2 and bounds) or (args and "to" in bounds and
                                                                                        "from" in bounds):
        raise TypeError("random_() received an invalid combination of arguments: expected (), (int to) or "
                        "(int from, int to), each with a keyword-only generator")
    if len(args) == 2 or "from" in bounds or (args and "to" in bounds):  # (from, to)
        given = {**dict(zip(("from", "to"), args)), **bounds}
        if "to" not in given:
            raise TypeError("random_() missing the argument 'to' of its (int from, int to) form")
        from_, to = given["from"], given["to"]
    else:  # (to) or ()
        from_, to = 0, (args[0] if args else bounds.get("to", None))
        if (args or bounds) and to is None:
            raise TypeError("random_(): argument 'to' must be int, not NoneType")
    if to is not None:  # a bound must fit the dtype, as torch's (beyond 2^digits a float bound rounds)
        info = ember.finfo(self.dtype) if self.dtype.is_floating_point else (
            None if self.dtype == ember.bool else ember.iinfo(self.dtype))
        lo, hi = (info.min, info.max) if info else (0, 1)
        for name, bound in (("from", from_), ("to - 1", to - 1)):
            if not lo <= bound <= hi:
                raise RuntimeError(f"random_: {name} is out of bounds for {self.dtype}")
    else:  # up to the dtype's top: the mantissa's 2^digits for floats, the maximum for integers
        bits = {ember.float16: 11, ember.bfloat16: 8, ember.float32: 24, ember.float64: 53}
        to = 2 ** bits[self.dtype] + 1 if self.dtype.is_floating_point else (
            2 if self.dtype == ember.bool else np.iinfo(str(self.dtype).split(".")[-1]).max + 1)
    if from_ >= to:
        raise RuntimeError(f"random_: expects 'from' to be less than 'to', but got from={from_} >= to={to}")
    if to == 2 ** 63 and from_ == 0:
        # int64's whole range: [-2^63, 0) is the same draw modulo 2^63, and flipping the sign bit
        # moves it to [0, 2^63), which int64's randint cannot name
        drawn = ember.randint(-2 ** 63, 0, tuple(self.shape), generator=generator)
        return self.copy_(drawn.bitwise_xor_(ember.tensor(-2 ** 63)))
    return self.copy_(ember.randint(int(from_), int(to), tuple(self.shape), generator=generator))


def _continuous(self, op, even_empty=False):
    """The continuous distributions fill floating tensors only, as torch's (TypeError, ember's
    kind for a dtype an op does not take); torch checks an empty tensor for cauchy_ only."""
    if not self.dtype.is_floating_point and (even_empty or self.numel() > 0):
        raise TypeError(f"{op}: a continuous distribution fills floating tensors only, got {self.dtype}")


def _exponential_(self, lambd=1.0, *, generator=None):
    """Fills self with draws of Exponential(lambd): -log(1 - u) / lambd."""
    _continuous(self, "exponential_")
    if not lambd > 0:
        raise RuntimeError(f"exponential_: expects lambda > 0.0, but found lambda={lambd}")
    u = ember.rand(*self.shape, dtype=ember.float64, generator=generator)
    return self.copy_(ember.log1p(-u) * (-1.0 / lambd))  # torch's order, so a seed gives its numbers


def _geometric_(self, p, *, generator=None):
    """Fills self with draws of Geometric(p) on {1, 2, ...}: ceil(log(u) / log(1 - p)), as torch's
    (so a seed gives its numbers)."""
    if self.dtype == ember.bool and self.numel() > 0:
        raise TypeError("geometric_: not implemented for bool tensors")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_: expects p to be in (0, 1), but got p={p}")
    u = ember.rand(*self.shape, dtype=ember.float64, generator=generator)
    return self.copy_(ember.ceil(ember.log(u) / math.log1p(-p)))


def _cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fills self with draws of Cauchy(median, sigma): median + sigma * tan(pi (u - 1/2))."""
    _continuous(self, "cauchy_", even_empty=True)
    median, sigma = float(median), float(sigma)
    if not sigma > 0:
        raise RuntimeError(f"cauchy_: expects sigma > 0.0, but found sigma={sigma}")
    u = ember.rand(*self.shape, dtype=ember.float64, generator=generator)
    return self.copy_(median + sigma * ember.tan(math.pi * (u - 0.5)))


def _log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fills self with draws of exp(Normal(mean, std))."""
    _continuous(self, "log_normal_")
    mean, std = float(mean), float(std)  # doubles, as torch's (a Python int past 2**63 too)
    if not std > 0:
        raise RuntimeError(f"log_normal_: expects std > 0.0, but found std={std}")
    # torch draws each normal on its own (Box-Muller, the spare kept), not in randn's blocks of 16:
    # a strided fill draws so
    z = ember.empty((self.numel(), 2), dtype=ember.float64)[:, 0].normal_(generator=generator)
    return self.copy_((ember.exp(z * std + mean)).reshape(self.shape))


def install(tensor_cls):
    """Adds the fillers to Tensor under torch's names (random_ takes `from` positionally)."""
    tensor_cls.random_ = _random_
    tensor_cls.exponential_ = _exponential_
    tensor_cls.geometric_ = _geometric_
    tensor_cls.cauchy_ = _cauchy_
    tensor_cls.log_normal_ = _log_normal_


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    r"""torch.pairwise_distance: see :func:`ember.nn.functional.pairwise_distance`.
    :math:`\lVert x_1 - x_2 + \epsilon \rVert_p` over the last dim, the inputs broadcast together.

    Args:
        x1 (Tensor): (N, D) or (D,).
        x2 (Tensor): broadcastable to x1.
        p (float, optional): the norm's order. Default: 2.0.
        eps (float, optional): added to the difference. Default: 1e-6.
        keepdim (bool, optional): keep the last dim with size 1. Default: False.

    Returns:
        Tensor: the distances, (N,) or () (with keepdim, (N, 1) or (1,)).

    Example::

        >>> ember.pairwise_distance(ember.tensor([[0., 0.]]), ember.tensor([[3., 4.]]))
        tensor([5.0000])
    """
    return ember.nn.functional.pairwise_distance(x1, x2, p, eps, keepdim)


# ---- torch's top-level loss spellings: reduction is an int there (0 'none', 1 'mean', 2 'sum') ----

def _reduction_word(reduction, op):
    # torch's parser takes an int or an integer 0-d tensor; its kernels reduce on 1 and 2 and
    # leave any other value unreduced.
    if isinstance(reduction, bool) or not isinstance(reduction, (int, ember.Tensor)):
        raise TypeError(f"{op}(): argument 'reduction' must be int, not {type(reduction).__name__}")
    reduction = operator.index(reduction)
    if not -2**63 <= reduction < 2**63:
        raise ValueError(f"{op}(): reduction {reduction} does not fit in int64")
    return {1: "mean", 2: "sum"}.get(reduction, "none")


# torch 2.13's top-level forms reduce nothing unless given reduction (their declared default, Mean,
# reaches Python as 0); ember's do the same.
def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    r"""torch.margin_ranking_loss: see :func:`ember.nn.functional.margin_ranking_loss`, with
    ``reduction`` as torch's int (0 'none', 1 'mean', 2 'sum').

    Args:
        input1 (Tensor): the first scores.
        input2 (Tensor): the second scores.
        target (Tensor): 1 or -1.
        margin (float, optional): Default: 0.0.
        reduction (int, optional): Default: 0 (none, as torch's).

    Example::

        >>> ember.margin_ranking_loss(ember.tensor([1., 2.]), ember.tensor([2., 0.]), ember.tensor([1., 1.]))
        tensor([1., 0.])
    """
    return ember.nn.functional.margin_ranking_loss(input1, input2, target, margin,
                                                   reduction=_reduction_word(reduction, "margin_ranking_loss"))


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    r"""torch.hinge_embedding_loss: see :func:`ember.nn.functional.hinge_embedding_loss`, with
    ``reduction`` as torch's int (0 'none', 1 'mean', 2 'sum').

    Args:
        input (Tensor): the inputs.
        target (Tensor): 1 or -1.
        margin (float, optional): Default: 1.0.
        reduction (int, optional): Default: 0 (none, as torch's).

    Example::

        >>> ember.hinge_embedding_loss(ember.tensor([0.3, 0.3]), ember.tensor([1., -1.]), reduction=2)
        tensor(1.)
    """
    return ember.nn.functional.hinge_embedding_loss(input, target, margin,
                                                    reduction=_reduction_word(reduction, "hinge_embedding_loss"))


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    r"""torch.cosine_embedding_loss: see :func:`ember.nn.functional.cosine_embedding_loss`, with
    ``reduction`` as torch's int (0 'none', 1 'mean', 2 'sum').

    Args:
        input1 (Tensor): (N, D) or (D,).
        input2 (Tensor): as input1.
        target (Tensor): (N,) or () of 1 or -1.
        margin (float, optional): Default: 0.0.
        reduction (int, optional): Default: 0 (none, as torch's).

    Example::

        >>> ember.cosine_embedding_loss(ember.tensor([[1., 0.]]), ember.tensor([[0., 1.]]), ember.tensor([1.]))
        tensor([1.])
    """
    return ember.nn.functional.cosine_embedding_loss(input1, input2, target, margin,
                                                     reduction=_reduction_word(reduction, "cosine_embedding_loss"))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction=0):
    r"""torch.triplet_margin_loss: see :func:`ember.nn.functional.triplet_margin_loss`, with
    ``reduction`` as torch's int (0 'none', 1 'mean', 2 'sum').

    Args:
        anchor (Tensor): (N, D) or (D,).
        positive (Tensor): as anchor.
        negative (Tensor): as anchor.
        margin (float, optional): Default: 1.0.
        p (float, optional): the norm's order. Default: 2.0.
        eps (float, optional): Default: 1e-6.
        swap (bool, optional): Default: False.
        reduction (int, optional): Default: 0 (none, as torch's).

    Example::

        >>> ember.triplet_margin_loss(ember.tensor([[0., 0.]]), ember.tensor([[3., 4.]]), ember.tensor([[1., 0.]]), eps=0.0)
        tensor([5.])
    """
    return ember.nn.functional.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                                   reduction=_reduction_word(reduction, "triplet_margin_loss"))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    r"""torch.poisson_nll_loss: see :func:`ember.nn.functional.poisson_nll_loss`; every argument is
    required and ``reduction`` is torch's int (0 'none', 1 'mean', 2 'sum'), as torch's.

    Args:
        input (Tensor): the expectation (its log with log_input).
        target (Tensor): counts.
        log_input (bool): whether input is the log of the rate.
        full (bool): add Stirling's term.
        eps (float): keeps the log finite when log_input is False.
        reduction (int): 0, 1 or 2.

    Example::

        >>> ember.poisson_nll_loss(ember.tensor([0., 1.]), ember.tensor([1., 2.]), True, False, 1e-8, 0)
        tensor([1.0000, 0.7183])
    """
    return ember.nn.functional.poisson_nll_loss(input, target, log_input, full, eps=eps,
                                                reduction=_reduction_word(reduction, "poisson_nll_loss"))


# ---- torch's top-level spellings of some activations and of bilinear (torch.hardshrink, ...) ----

def hardshrink(input, lambd=0.5):
    r"""torch.hardshrink: see :func:`ember.nn.functional.hardshrink`.

    Args:
        input (Tensor): a floating input.
        lambd (float, optional): the threshold. Default: 0.5.

    Example::

        >>> ember.hardshrink(ember.tensor([-1., 0.2, 0.7]))
        tensor([-1.0000,  0.0000,  0.7000])
    """
    return ember.nn.functional.hardshrink(input, lambd)


def _no_generator(generator, op):
    if generator is not None:
        raise ValueError(f"{op}: generator is not supported (ember.manual_seed seeds the draws)")


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    r"""torch.rrelu: see :func:`ember.nn.functional.rrelu`.

    Args:
        input (Tensor): a floating input.
        lower (float, optional): the lower bound of the slopes. Default: 1/8.
        upper (float, optional): the upper bound of the slopes. Default: 1/3.
        training (bool, optional): draw the slopes at random. Default: False.
        generator: not supported (None only).

    Example::

        >>> ember.rrelu(ember.tensor([-1., 2.]), 0.1, 0.3)
        tensor([-0.2000,  2.0000])
    """
    _no_generator(generator, "rrelu")
    return ember.nn.functional.rrelu(input, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    r"""torch.rrelu_: in-place :func:`rrelu`; returns ``input``.

    Args:
        input (Tensor): a floating input, overwritten.
        lower (float, optional): the lower bound of the slopes. Default: 1/8.
        upper (float, optional): the upper bound of the slopes. Default: 1/3.
        training (bool, optional): draw the slopes at random. Default: False.
        generator: not supported (None only).

    Example::

        >>> ember.rrelu_(ember.tensor([-1., 2.]), 0.1, 0.3)
        tensor([-0.2000,  2.0000])
    """
    _no_generator(generator, "rrelu_")
    return ember.nn.functional.rrelu_(input, lower, upper, training)


def relu_(input):
    r"""torch.relu_: ``input`` becomes :math:`\max(x, 0)`; returns it.

    Args:
        input (Tensor): the input, overwritten.

    Example::

        >>> ember.relu_(ember.tensor([-1., 2.]))
        tensor([0., 2.])
    """
    return ember.nn.functional.relu_(input)


def selu_(input):
    r"""torch.selu_: in-place :func:`ember.nn.functional.selu`; returns ``input``.

    Args:
        input (Tensor): a floating input, overwritten.

    Example::

        >>> ember.selu_(ember.tensor([0., 1.]))
        tensor([0.0000, 1.0507])
    """
    return ember.nn.functional.selu_(input)


def celu_(input, alpha=1.0):
    r"""torch.celu_: in-place :func:`ember.nn.functional.celu`; returns ``input``.

    Args:
        input (Tensor): a floating input, overwritten.
        alpha (float, optional): the scale, not 0. Default: 1.0.

    Example::

        >>> ember.celu_(ember.tensor([-1., 2.]), 2.)
        tensor([-0.7869,  2.0000])
    """
    return ember.nn.functional.celu_(input, alpha)


def bilinear(input1, input2, weight, bias=None):
    r"""torch.bilinear: see :func:`ember.nn.functional.bilinear`.

    Args:
        input1 (Tensor): (*, in1_features).
        input2 (Tensor): (*, in2_features).
        weight (Tensor): (out_features, in1_features, in2_features).
        bias (Tensor, optional): (out_features,). Default: None.

    Example::

        >>> ember.bilinear(ember.ones(1, 2), ember.ones(1, 3), ember.ones(4, 2, 3)).shape
        ember.Size([1, 4])
    """
    return ember.nn.functional.bilinear(input1, input2, weight, bias)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    r"""torch.rms_norm: see :func:`ember.nn.functional.rms_norm`.

    Args:
        input (Tensor): a floating input.
        normalized_shape (int or sequence of int): the trailing dims normalized together.
        weight (Tensor, optional): the elementwise scale. Default: None.
        eps (float, optional): None: the dtype's machine epsilon. Default: None.

    Example::

        >>> ember.rms_norm(ember.tensor([[3., 4.]]), [2])
        tensor([[0.8485, 1.1314]])
    """
    return ember.nn.functional.rms_norm(input, normalized_shape, weight, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled):
    r"""torch.instance_norm (every argument required, as torch's): see
    :func:`ember.nn.functional.instance_norm`.

    Args:
        input (Tensor): (N, C, *).
        weight (Tensor or None): (C,).
        bias (Tensor or None): (C,).
        running_mean (Tensor or None): (C,).
        running_var (Tensor or None): (C,).
        use_input_stats (bool): normalize with each instance's own statistics.
        momentum (float): the running statistics' update rate.
        eps (float): added to the variance.
        cudnn_enabled (bool): ignored (no cuDNN).

    Example::

        >>> ember.instance_norm(ember.randn(2, 3, 4), None, None, None, None, True, 0.1, 1e-5, False).shape
        ember.Size([2, 3, 4])
    """
    return ember.nn.functional.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                                             momentum, eps)


def channel_shuffle(input, groups):
    r"""torch.channel_shuffle: see :func:`ember.nn.functional.channel_shuffle`.

    Args:
        input (Tensor): (N, C, *).
        groups (int): the number of groups, dividing C.

    Example::

        >>> ember.channel_shuffle(ember.arange(4.).reshape(1, 4, 1), 2).flatten()
        tensor([0., 2., 1., 3.])
    """
    return ember.nn.functional.channel_shuffle(input, groups)


_MATMUL_PRECISION = ["highest"]


def set_float32_matmul_precision(precision):
    """Records the internal precision torch programs ask of float32 matrix products: "highest",
    "high" or "medium" (on GPUs, TF32 or bfloat16 passes). ember's float32 GEMMs always compute
    at full float32 precision, so the setting changes no result. Another value warns and is
    ignored, as torch's.

    Args:
        precision (str): "highest", "high" or "medium".

    Example::

        >>> ember.set_float32_matmul_precision("high")
        >>> ember.get_float32_matmul_precision()
        'high'
        >>> ember.set_float32_matmul_precision("highest")
    """
    if not isinstance(precision, str):
        raise TypeError(f"set_float32_matmul_precision(): argument 'precision' must be str, not "
                        f"{type(precision).__name__}")
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "set_float32_matmul_precision call has no effect.", stacklevel=2)
        return
    _MATMUL_PRECISION[0] = precision


def get_float32_matmul_precision():
    """The float32 matmul precision last set (``"highest"`` by default).

    Returns:
        str

    Example::

        >>> ember.get_float32_matmul_precision()
        'highest'
    """
    return _MATMUL_PRECISION[0]

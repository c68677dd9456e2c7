"""torch.nn.functional's margin, ranking, embedding and likelihood losses (margin_ranking_loss ...
gaussian_nll_loss): the bindings of the C++ composites in cpp/src/nn/loss.cpp, with their docstrings.
ember.nn.functional re-exports them; they live apart to keep that file by family."""
import ember
from ember._C import _nn_functional as _F
from ember._C._nn_modules import _legacy_reduction as _reduction
from ember.nn.functional import pairwise_distance


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    r"""The margin ranking loss :math:`\max(0, -y (x_1 - x_2) + \text{margin})`, as
    torch.nn.functional.margin_ranking_loss: :math:`y = 1` says :math:`x_1` should rank higher,
    :math:`y = -1` that :math:`x_2` should.

    Args:
        input1 (Tensor): the first scores.
        input2 (Tensor): the second scores.
        target (Tensor): 1 or -1 per pair.
        margin (float, optional): the least gap asked for. Default: 0.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Returns:
        Tensor: a scalar, or the broadcast shape with ``reduction='none'``.

    Shape:
        input1, input2 and target: the same number of dims, broadcastable together.

    Raises:
        ValueError: the three differ in their number of dims or do not broadcast, or a bad ``reduction``.

    Example::

        >>> F.margin_ranking_loss(ember.tensor([1., 2.]), ember.tensor([2., 0.]), ember.tensor([1., 1.]), reduction="none")
        tensor([1., 0.])
    """
    return _F.margin_ranking_loss(input1, input2, target, margin, _reduction(size_average, reduce, reduction))


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    r"""The hinge embedding loss, as torch.nn.functional.hinge_embedding_loss: :math:`x` where
    :math:`y = 1`, :math:`\max(0, \text{margin} - x)` where :math:`y = -1` (typically :math:`x` is a
    distance between two inputs and :math:`y` says whether they are alike).

    Args:
        input (Tensor): the inputs :math:`x`.
        target (Tensor): 1 or -1, broadcastable with ``input``.
        margin (float, optional): Default: 1.0.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Returns:
        Tensor: a scalar, or the broadcast shape with ``reduction='none'``.

    Raises:
        ValueError: the shapes do not broadcast, or a bad ``reduction``.

    Example::

        >>> F.hinge_embedding_loss(ember.tensor([0.3, 0.3]), ember.tensor([1., -1.]), reduction="none")
        tensor([0.3000, 0.7000])
    """
    return _F.hinge_embedding_loss(input, target, margin, _reduction(size_average, reduce, reduction))


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    r"""The two-class logistic loss :math:`\log(1 + e^{-y x})`, as torch.nn.functional.soft_margin_loss.

    Args:
        input (Tensor): the scores :math:`x`, floating.
        target (Tensor): 1 or -1, broadcastable to ``input``'s shape.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Returns:
        Tensor: a scalar, or ``input``'s shape (and dtype) with ``reduction='none'``.

    Raises:
        ValueError: ``target`` does not broadcast to ``input``, or a bad ``reduction``.
        TypeError: ``input`` is not floating.

    Example::

        >>> F.soft_margin_loss(ember.tensor([2., -1.]), ember.tensor([1., 1.]), reduction="none")
        tensor([0.1269, 1.3133])
    """
    return _F.soft_margin_loss(input, target, _reduction(size_average, reduce, reduction))


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    r"""The cosine embedding loss, as torch.nn.functional.cosine_embedding_loss: :math:`1 - \cos(x_1, x_2)`
    where :math:`y = 1`, :math:`\max(0, \cos(x_1, x_2) - \text{margin})` where :math:`y = -1`.

    Args:
        input1 (Tensor): (N, D) rows, or one (D,) vector.
        input2 (Tensor): as ``input1`` (broadcastable with it).
        target (Tensor): (N,) (or 0-d for 1-d inputs) of 1 or -1.
        margin (float, optional): in [-1, 1]; 0 to 0.5 is usual. Default: 0.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Returns:
        Tensor: a scalar, or (N,) with ``reduction='none'``.

    Raises:
        ValueError: the target is not 0-d or 1-d, the inputs' dims do not match it, or the shapes do
            not broadcast; or a bad ``reduction``.

    Example::

        >>> x1 = ember.tensor([[1., 0.], [1., 1.]])
        >>> F.cosine_embedding_loss(x1, ember.tensor([[1., 0.], [1., 0.]]), ember.tensor([1., -1.]), reduction="none")
        tensor([0.0000, 0.7071])
    """
    return _F.cosine_embedding_loss(input1, input2, target, margin, _reduction(size_average, reduce, reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    r"""The triplet margin loss :math:`\max(0, \text{margin} + d(a, p) - d(a, n))`, :math:`d` the
    :func:`pairwise_distance` (p-norm over the last dim, ``eps`` added to the difference), as
    torch.nn.functional.triplet_margin_loss.

    Args:
        anchor (Tensor): (N, D) or (D,).
        positive (Tensor): as ``anchor``.
        negative (Tensor): as ``anchor``.
        margin (float, optional): positive. Default: 1.0.
        p (float, optional): the norm's order. Default: 2.
        eps (float, optional): added to the differences. Default: 1e-6.
        swap (bool, optional): use :math:`\min(d(a, n), d(p, n))` as the negative distance (the
            distance swap of Balntas et al.). Default: False.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Returns:
        Tensor: a scalar, or (N,) with ``reduction='none'``.

    Raises:
        ValueError: ``margin`` is not positive, the three differ in their number of dims or do not
            broadcast, or a bad ``reduction``.

    Example::

        >>> a, p, n = ember.tensor([[0., 0.]]), ember.tensor([[3., 4.]]), ember.tensor([[1., 0.]])
        >>> F.triplet_margin_loss(a, p, n, margin=1.0, eps=0.0)
        tensor(5.)
    """
    if size_average is not None or reduce is not None:
        reduction = _reduction(size_average, reduce, reduction)
    return _F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    r"""The triplet margin loss under any distance, as
    torch.nn.functional.triplet_margin_with_distance_loss:
    :math:`\max(0, \text{margin} + d(a, p) - d(a, n))`.

    Written here in Python over ember's ops rather than in C++: the distance is a Python callable
    (any function of two tensors, a lambda or a module), which the C++ core cannot hold without
    taking Python in.

    Args:
        anchor (Tensor): the anchors.
        positive (Tensor): the positives, with anchor's number of dims.
        negative (Tensor): the negatives, with anchor's number of dims.
        distance_function (callable, optional): a non-negative distance of two tensors.
            Default: None (:func:`pairwise_distance`).
        margin (float, optional): positive. Default: 1.0.
        swap (bool, optional): use :math:`\min(d(a, n), d(p, n))` as the negative distance. Default: False.
        reduction (str, optional): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Returns:
        Tensor: a scalar, or the distances' shape with ``reduction='none'``.

    Raises:
        ValueError: a bad ``reduction``, ``margin`` not positive, or inputs of differing dims.

    Example::

        >>> a, p, n = ember.tensor([[0., 0.]]), ember.tensor([[3., 4.]]), ember.tensor([[1., 0.]])
        >>> F.triplet_margin_with_distance_loss(a, p, n, distance_function=lambda x, y: (x - y).abs().sum(-1))
        tensor(7.)
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"triplet_margin_with_distance_loss: {reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"triplet_margin_with_distance_loss: margin must be greater than 0, got {margin}")
    if not anchor.dim() == positive.dim() == negative.dim():
        raise ValueError("triplet_margin_with_distance_loss: the anchor, positive and negative tensors are "
                         "expected to have the same number of dims, got anchor "
                         f"{tuple(anchor.shape)}, positive {tuple(positive.shape)} and negative "
                         f"{tuple(negative.shape)}")
    distance = pairwise_distance if distance_function is None else distance_function
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = dist_neg.minimum(distance(positive, negative))
    loss = (dist_pos + margin - dist_neg).clamp_min(0)
    return loss.sum() if reduction == "sum" else loss.mean() if reduction == "mean" else loss


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    r"""The multi-label one-versus-all logistic loss, as torch.nn.functional.multilabel_soft_margin_loss:
    per sample :math:`-\frac{1}{C} \sum_i w_i (y_i \log \sigma(x_i) + (1 - y_i) \log \sigma(-x_i))`.

    Args:
        input (Tensor): (N, C) or (C,) scores, floating.
        target (Tensor): labels in {0, 1} (or probabilities), broadcastable with ``input``.
        weight (Tensor or number, optional): a weight per class (broadcastable). Default: None.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Returns:
        Tensor: a scalar, or (N,) with ``reduction='none'``.

    Raises:
        ValueError: the shapes do not broadcast, or a bad ``reduction``.
        IndexError: a 0-d input (it has no class dim).

    Example::

        >>> F.multilabel_soft_margin_loss(ember.tensor([[2., -2.]]), ember.tensor([[1., 0.]]))
        tensor(0.1269)
    """
    if isinstance(target, (int, float)) and isinstance(input, ember.Tensor):  # one label for all, as torch's
        target = ember.tensor(float(target), dtype=input.dtype)
    if isinstance(weight, (int, float)):  # torch multiplies the terms by it, so a number works too
        weight = ember.tensor(weight, dtype=ember.float64)
    return _F.multilabel_soft_margin_loss(input, target, weight, _reduction(size_average, reduce, reduction))


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    r"""The multi-class hinge loss, as torch.nn.functional.multi_margin_loss: per sample
    :math:`\frac{1}{C} \sum_{i \ne y} w_y \max(0, \text{margin} - x_y + x_i)^p`.

    Args:
        input (Tensor): (N, C), (C,) or 0-d scores, floating, C > 0.
        target (Tensor): int64 class indices, (N,) (or one for an unbatched input).
        p (int, optional): 1 or 2. Default: 1.
        margin (float, optional): Default: 1.0.
        weight (Tensor, optional): a (C,) weight per class, of ``input``'s dtype. Default: None.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Returns:
        Tensor: a scalar, or the target's shape ((N,) or ()) with ``reduction='none'``.

    Raises:
        ValueError: ``p`` is not 1 or 2, or the shapes of input, target and weight do not match.
        TypeError: a non-floating input, a non-int64 target, or a weight of another dtype.
        IndexError: a class index is out of [0, C).

    Example::

        >>> F.multi_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]), ember.tensor([3]))
        tensor(0.3250)
    """
    return _F.multi_margin_loss(input, target, p, margin, weight, _reduction(size_average, reduce, reduction))


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    r"""The multi-label hinge loss, as torch.nn.functional.multilabel_margin_loss: per sample
    :math:`\frac{1}{C} \sum_{j} \sum_{i \notin y} \max(0, 1 - (x_{y_j} - x_i))`, where the sample's
    targets :math:`y` are the leading entries of its target row up to the first -1.

    Args:
        input (Tensor): (N, C) or (C,) scores, floating, C > 0.
        target (Tensor): int64, ``input``'s shape: class indices, then -1 (and anything).

    Returns:
        Tensor: a scalar, or (N,) (() for an unbatched input) with ``reduction='none'``.

    Other args: ``size_average``, ``reduce`` (deprecated) and ``reduction``, as :func:`mse_loss`'s.

    Raises:
        ValueError: the shapes do not match, or a bad ``reduction``.
        TypeError: a non-floating input or a non-int64 target.
        IndexError: a target entry is out of [-1, C).

    Example::

        >>> F.multilabel_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]), ember.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """
    return _F.multilabel_margin_loss(input, target, _reduction(size_average, reduce, reduction))


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    r"""The negative log-likelihood of a Poisson target, as torch.nn.functional.poisson_nll_loss:
    :math:`e^x - y x` (``log_input``) or :math:`x - y \log(x + \epsilon)`.

    Args:
        input (Tensor): the expectation (its log with ``log_input``).
        target (Tensor): counts, broadcastable with ``input``.
        log_input (bool, optional): whether ``input`` is the log of the rate. Default: True.
        full (bool, optional): add Stirling's term :math:`y \log y - y + \frac{1}{2}\log(2 \pi y)`
            where :math:`y > 1`. Default: False.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        eps (float, optional): keeps the log finite when ``log_input`` is False. Default: 1e-8.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Returns:
        Tensor: a scalar, or the broadcast shape with ``reduction='none'``.

    Raises:
        ValueError: the shapes do not broadcast, or a bad ``reduction``.

    Example::

        >>> F.poisson_nll_loss(ember.tensor([0., 1.]), ember.tensor([1., 2.]), reduction="none")
        tensor([1.0000, 0.7183])
    """
    return _F.poisson_nll_loss(input, target, log_input, full, eps, _reduction(size_average, reduce, reduction))


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    r"""The negative log-likelihood of a Gaussian target, as torch.nn.functional.gaussian_nll_loss:
    :math:`\frac{1}{2}(\log v + (x - y)^2 / v)`, :math:`v` = ``var`` clamped below at ``eps`` (the
    clamp passes the gradient through, as torch's).

    Args:
        input (Tensor): the expectations :math:`x`.
        target (Tensor): samples :math:`y`, broadcastable with ``input``.
        var (Tensor or float): non-negative variances: ``input``'s shape, ``input``'s shape less its
            last dim (one per row), or ``input``'s shape with one dim of size 1; or one float.
        full (bool, optional): add the constant :math:`\frac{1}{2}\log(2\pi)`. Default: False.
        eps (float, optional): the least variance. Default: 1e-6.
        reduction (str, optional): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Returns:
        Tensor: a scalar, or the broadcast shape with ``reduction='none'``.

    Raises:
        ValueError: ``var`` has a negative entry or a shape not listed above, or a bad ``reduction``.
        TypeError: ``var`` is neither a tensor nor a float, or is an integer tensor.

    Example::

        >>> F.gaussian_nll_loss(ember.tensor([0., 1.]), ember.tensor([1., 1.]), ember.tensor([1., 2.]), reduction="none")
        tensor([0.5000, 0.3466])
    """
    return _F.gaussian_nll_loss(input, target, var, full, eps, reduction)

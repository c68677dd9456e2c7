"""CosineSimilarity and PairwiseDistance, as torch.nn's: the layer forms of
F.cosine_similarity and F.pairwise_distance; and TripletMarginWithDistanceLoss, whose distance is
any Python callable (so it lives here in Python, not in C++ with the other losses)."""
from ember.nn import functional as F
from ember.nn.modules import Module


class PairwiseDistance(Module):
    r"""The p-norm distance between matching rows of two inputs, as torch.nn.PairwiseDistance:
    :math:`\lVert x_1 - x_2 + \epsilon \rVert_p` over the last dim (see :func:`ember.nn.functional.pairwise_distance`).

    Args:
        p (float, optional): the norm's order. Default: 2.0.
        eps (float, optional): added to the difference, against a zero norm's infinite gradient. Default: 1e-6.
        keepdim (bool, optional): keep the reduced last dim with size 1. Default: False.

    Shape:
        x1 and x2: (N, D) or (D,), broadcastable; output (N,) or () (with keepdim, (N, 1) or (1,)).

    Example::

        >>> ember.nn.PairwiseDistance()(ember.tensor([[0., 0.], [1., 1.]]), ember.tensor([[3., 4.], [1., 1.]]))
        tensor([5.0000e+00, 1.4142e-06])
    """

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    r"""Cosine similarity of two inputs along a dim, as torch.nn.CosineSimilarity:
    :math:`x_1 \cdot x_2 / (\max(\lVert x_1 \rVert, \epsilon) \max(\lVert x_2 \rVert, \epsilon))`
    (see :func:`ember.nn.functional.cosine_similarity`).

    Args:
        dim (int, optional): the dim the similarity is taken along. Default: 1.
        eps (float, optional): the least norm each input is divided by. Default: 1e-8.

    Shape:
        x1 and x2 broadcastable to one shape; the output drops ``dim`` from it.

    Example::

        >>> ember.nn.CosineSimilarity(dim=1)(ember.tensor([[1., 0.], [1., 1.]]), ember.tensor([[1., 0.]]))
        tensor([1.0000, 0.7071])
    """

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class TripletMarginWithDistanceLoss(Module):
    r"""The triplet margin loss under any distance, as torch.nn.TripletMarginWithDistanceLoss:
    :math:`\max(0, \text{margin} + d(a, p) - d(a, n))` (see
    :func:`ember.nn.functional.triplet_margin_with_distance_loss`). A Python module: the distance is
    a Python callable, which the C++ losses cannot hold.

    Args:
        distance_function (callable, optional, keyword-only): a non-negative distance of two tensors;
            a module given here (the default :class:`PairwiseDistance` too) is a child. Default: None.
        margin (float, keyword-only): positive. Default: 1.0.
        swap (bool, keyword-only): use :math:`\min(d(a, n), d(p, n))`. Default: False.
        reduction (str, keyword-only): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        anchor, positive, negative: (N, D) or (D,) for the default distance. Output: a scalar, or (N,)
        with ``reduction='none'``.

    Example::

        >>> loss = ember.nn.TripletMarginWithDistanceLoss(distance_function=lambda x, y: (x - y).abs().sum(-1))
        >>> loss(ember.tensor([[0., 0.]]), ember.tensor([[3., 4.]]), ember.tensor([[1., 0.]]))
        tensor(7.)
    """

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        super().__init__()
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} instead")
        self.distance_function = distance_function if distance_function is not None else PairwiseDistance()
        self.margin = margin
        self.swap = swap
        self.reduction = reduction

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(anchor, positive, negative, distance_function=self.distance_function,
                                                   margin=self.margin, swap=self.swap, reduction=self.reduction)


PairwiseDistance.__module__ = CosineSimilarity.__module__ = TripletMarginWithDistanceLoss.__module__ = "ember.nn"

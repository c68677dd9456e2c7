"""torch.nn.functional's pointwise and classification losses (mse_loss ... cross_entropy, kl_div): the
bindings of the C++ losses in cpp/src/nn/loss.cpp, with their docstrings. ember.nn.functional
re-exports them; they live apart to keep that file by family."""
import warnings

from ember._C import _nn_functional as _F
from ember._C._nn_modules import _legacy_reduction as _reduction


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    r"""The mean squared error: :math:`\ell_i = (x_i - y_i)^2`, averaged (or summed, or kept per
    element), as torch.nn.functional.mse_loss.

    Args:
        input (Tensor): the predictions, floating.
        target (Tensor): the targets, broadcastable to ``input``'s shape.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``.
            Default: ``'mean'``.

    Returns:
        Tensor: a scalar, or the broadcast shape with ``reduction='none'``.

    Raises:
        ValueError: ``reduction`` is not one of the three.

    Example::

        >>> F.mse_loss(ember.tensor([1., 2., 3.]), ember.tensor([1., 0., 0.]))
        tensor(4.3333)
    """
    return _F.mse_loss(input, target, _reduction(size_average, reduce, reduction))


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    r"""The mean absolute error: :math:`\ell_i = |x_i - y_i|`, averaged (or summed, or kept per
    element), as torch.nn.functional.l1_loss.

    Args:
        input (Tensor): the predictions, floating.
        target (Tensor): the targets, broadcastable to ``input``'s shape.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``.
            Default: ``'mean'``.

    Returns:
        Tensor: a scalar, or the broadcast shape with ``reduction='none'``.

    Raises:
        ValueError: ``reduction`` is not one of the three.

    Example::

        >>> F.l1_loss(ember.tensor([1., 2., 3.]), ember.tensor([1., 0., 0.]), reduction="sum")
        tensor(5.)
    """
    return _F.l1_loss(input, target, _reduction(size_average, reduce, reduction))


def huber_loss(input, target, reduction="mean", delta=1.0):
    r"""The Huber loss of :math:`d = x - y`: :math:`\frac{1}{2} d^2` where :math:`|d| < \delta`, else
    :math:`\delta (|d| - \frac{1}{2}\delta)`, as torch.nn.functional.huber_loss. Quadratic near 0,
    linear (robust to outliers) beyond ``delta``.

    Args:
        input (Tensor): the predictions, floating.
        target (Tensor): the targets, broadcastable to ``input``'s shape.
        reduction (str, optional): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.
        delta (float, optional): where the loss turns linear, positive. Default: 1.0.

    Returns:
        Tensor: a scalar, or the broadcast shape with ``reduction='none'``.

    Raises:
        ValueError: ``delta`` is not positive, or a bad ``reduction``.

    Example::

        >>> F.huber_loss(ember.tensor([0.5, 3.]), ember.zeros(2), reduction="none")
        tensor([0.1250, 2.5000])
    """
    return _F.huber_loss(input, target, reduction, delta)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    r"""The smooth L1 loss of :math:`d = x - y`: :math:`\frac{1}{2} d^2 / \beta` where
    :math:`|d| < \beta`, else :math:`|d| - \frac{1}{2}\beta`, as
    torch.nn.functional.smooth_l1_loss (:func:`huber_loss` divided by ``beta``).

    Args:
        input (Tensor): the predictions, floating.
        target (Tensor): the targets, broadcastable to ``input``'s shape.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``.
            Default: ``'mean'``.
        beta (float, optional): where the loss turns linear, non-negative (0 gives the L1 loss).
            Default: 1.0.

    Returns:
        Tensor: a scalar, or the broadcast shape with ``reduction='none'``.

    Raises:
        ValueError: ``beta`` is negative, or a bad ``reduction``.

    Example::

        >>> F.smooth_l1_loss(ember.tensor([0.5, 3.]), ember.zeros(2), reduction="none")
        tensor([0.1250, 2.5000])
    """
    return _F.smooth_l1_loss(input, target, _reduction(size_average, reduce, reduction), beta)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    r"""The binary cross entropy of probabilities: :math:`\ell_i = -w_i (y_i \log p_i + (1 - y_i)
    \log(1 - p_i))`, the logarithms clamped at -100 as PyTorch's, as
    torch.nn.functional.binary_cross_entropy. Prefer :func:`binary_cross_entropy_with_logits`
    on raw scores: it is stabler.

    Args:
        input (Tensor): the probabilities :math:`p`, in [0, 1].
        target (Tensor): the targets :math:`y` (in [0, 1]), of ``input``'s shape.
        weight (Tensor, optional): a rescaling weight :math:`w`, broadcastable to ``input``.
            Default: None.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``.
            Default: ``'mean'``.

    Returns:
        Tensor: a scalar, or ``input``'s shape with ``reduction='none'``.

    Raises:
        ValueError: ``target`` and ``input`` have different shapes, or a bad ``reduction``.

    Example::

        >>> F.binary_cross_entropy(ember.tensor([0.9, 0.2]), ember.tensor([1., 0.]))
        tensor(0.1643)
    """
    return _F.binary_cross_entropy(input, target, weight, _reduction(size_average, reduce, reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    r"""The binary cross entropy of logits: :func:`binary_cross_entropy` of :math:`\sigma(x)`,
    computed stably from :math:`x` (no log of 0), as
    torch.nn.functional.binary_cross_entropy_with_logits. With ``pos_weight`` :math:`q`,
    :math:`\ell_i = -w_i (q\, y_i \log \sigma(x_i) + (1 - y_i) \log(1 - \sigma(x_i)))`.

    Args:
        input (Tensor): the logits :math:`x`, any real values.
        target (Tensor): the targets :math:`y` (in [0, 1]), of ``input``'s shape.
        weight (Tensor, optional): a rescaling weight :math:`w`, broadcastable to ``input``.
            Default: None.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``.
            Default: ``'mean'``.
        pos_weight (Tensor, optional): the weight :math:`q` of the positive term, broadcastable
            along the last dim (one per class). Default: None.

    Returns:
        Tensor: a scalar, or ``input``'s shape with ``reduction='none'``.

    Raises:
        ValueError: ``target`` and ``input`` have different shapes, or a bad ``reduction``.

    Example::

        >>> F.binary_cross_entropy_with_logits(ember.tensor([2., -1.]), ember.tensor([1., 0.]))
        tensor(0.2201)
    """
    return _F.binary_cross_entropy_with_logits(input, target, weight,
                                               _reduction(size_average, reduce, reduction), pos_weight)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    r"""The negative log-likelihood loss: :math:`\ell_n = -w_{y_n} x_{n, y_n}` for log-probabilities
    :math:`x` and class indices :math:`y`, as torch.nn.functional.nll_loss. The mean divides by the
    sum of the weights of the non-ignored targets.

    Args:
        input (Tensor): log-probabilities, (N, C), (C,) or (N, C, d1, ...) (e.g. from
            :func:`log_softmax`).
        target (Tensor): int64 (or uint8) class indices in [0, C), of shape (N,), () or (N, d1, ...).
        weight (Tensor, optional): a (C,) weight per class. Default: None.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        ignore_index (int, optional): a target value that contributes nothing (nor to the
            mean's divisor). Default: -100.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Returns:
        Tensor: a scalar, or the target's shape with ``reduction='none'``.

    Raises:
        ValueError: the shapes of ``input`` and ``target`` do not match, or a bad ``reduction``.
        IndexError: a target is out of [0, C) (and not ``ignore_index``).

    Example::

        >>> logp = F.log_softmax(ember.tensor([[2., 0., 0.], [0., 3., 0.]]), dim=1)
        >>> F.nll_loss(logp, ember.tensor([0, 1]))
        tensor(0.1672)
    """
    return _F.nll_loss(input, target, weight, ignore_index, _reduction(size_average, reduce, reduction))


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    r"""The cross entropy of logits and targets, as torch.nn.functional.cross_entropy: for class
    indices :math:`y`, :func:`nll_loss` of :func:`log_softmax` (over dim 1):
    :math:`\ell_n = -w_{y_n} \log \frac{\exp(x_{n,y_n})}{\sum_c \exp(x_{n,c})}`; for class
    probabilities :math:`p` (a floating target of ``input``'s shape),
    :math:`\ell_n = -\sum_c w_c\, p_{n,c} \log \mathrm{softmax}(x_n)_c`.

    Args:
        input (Tensor): unnormalized logits, (N, C), (C,) or (N, C, d1, ...).
        target (Tensor): int64 (or uint8) class indices (N,), () or (N, d1, ...), or probabilities of
            ``input``'s shape.
        weight (Tensor, optional): a (C,) weight per class. Default: None.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        ignore_index (int, optional): a target index that contributes nothing (indices only;
            with probabilities it must be negative, as torch's). Default: -100.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.
        label_smoothing (float, optional): at most 1: the target becomes
            :math:`(1 - \varepsilon)` of itself plus :math:`\varepsilon` spread uniformly over the
            C classes (a value that is not positive smooths nothing, as torch's). Default: 0.0.

    Returns:
        Tensor: a scalar, or the per-sample shape with ``reduction='none'``.

    Raises:
        ValueError: the shapes do not match, ``label_smoothing`` is above 1, or a bad
            ``reduction``.
        TypeError: a target of ``input``'s shape (probabilities) that is not floating, or class
            indices that are not int64.
        IndexError: a class index is out of [0, C) (and not ``ignore_index``).

    Example::

        >>> logits = ember.tensor([[2., 0., 0.], [0., 3., 0.]])
        >>> F.cross_entropy(logits, ember.tensor([0, 1]))
        tensor(0.1672)
        >>> F.cross_entropy(logits, ember.tensor([[1., 0., 0.], [0., 1., 0.]]))  # probabilities
        tensor(0.1672)
    """
    return _F.cross_entropy(input, target, weight, ignore_index,
                            _reduction(size_average, reduce, reduction), label_smoothing)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    r"""The Kullback-Leibler divergence, pointwise :math:`y (\log y - x)` (:math:`e^y (y - x)` with
    ``log_target``), :math:`x` = input and :math:`y` = target, as torch.nn.functional.kl_div.

    Args:
        input (Tensor): log-probabilities, floating.
        target (Tensor): probabilities (log-probabilities with ``log_target``), broadcastable.
        size_average (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduce (bool, optional): deprecated (PyTorch's); folded into ``reduction``.
        reduction (str, optional): ``'none'``, ``'mean'`` (over every element, with PyTorch's
            warning), ``'batchmean'`` (the sum over ``input.size(0)``: the divergence's
            definition) or ``'sum'``. Default: ``'mean'``.
        log_target (bool, optional): whether target holds log-probabilities. Default: False.

    Returns:
        Tensor: a scalar, or the broadcast shape with ``reduction='none'``.

    Example::

        >>> p = ember.tensor([[0.5, 0.5]])
        >>> F.kl_div(ember.tensor([[0.25, 0.75]]).log(), p, reduction="batchmean")
        tensor(0.1438)
    """
    if size_average is not None or reduce is not None:
        reduction = _reduction(size_average, reduce, reduction)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.")
    return _F.kl_div(input, target, reduction, log_target)

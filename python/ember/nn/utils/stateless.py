"""ember.nn.utils.stateless, as torch.nn.utils.stateless: the deprecated home of functional_call
(ember.func.functional_call is the function itself)."""
import warnings

__all__ = ["functional_call"]


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Calls ``module`` with ``parameters_and_buffers`` in place of its own tensors, as
    :func:`ember.func.functional_call` (which this deprecated spelling calls, with PyTorch's
    FutureWarning).

    Args:
        module (Module): the module.
        parameters_and_buffers (dict): {dotted name: tensor} used in the call.
        args (Any or tuple, optional): the positional arguments. Default: None.
        kwargs (dict, optional): the keyword arguments. Default: None.
        tie_weights (bool, optional): tied tensors take the one value given. Default: True.
        strict (bool, optional): every parameter and buffer must be given. Default: False.

    Returns:
        What ``module`` returns.

    Example::

        >>> m = nn.Linear(2, 1, bias=False)
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", FutureWarning)
        ...     y = nn.utils.stateless.functional_call(m, {"weight": ember.ones(1, 2)}, (ember.ones(1, 2),))
        >>> y
        tensor([[2.]])
    """
    warnings.warn("`nn.utils.stateless.functional_call` is deprecated (as of PyTorch 2.0). Please use "
                  "`ember.func.functional_call` instead which is a drop-in replacement.", FutureWarning, stacklevel=2)
    from ember.func import functional_call as call  # (ember.func is imported after ember.nn)
    return call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)

"""DataParallel, as torch.nn.DataParallel on a machine without GPUs: it holds the module as its
child ``module`` (so state_dict keys carry torch's ``module.`` prefix) and runs it as it is."""
from ember.nn.modules import Module


class DataParallel(Module):
    r"""Wraps a module as torch.nn.DataParallel does where no GPU is available: the wrapped
    module runs on the CPU as it is. Programs written for several GPUs run unchanged, and
    checkpoints keep their ``module.`` prefix.

    Args:
        module (Module): the module to run.
        device_ids (list, optional): accepted for torch's signature; no devices are used.
        output_device (int, optional): accepted for torch's signature.
        dim (int, optional): accepted for torch's signature. Default: 0.

    Example::

        >>> model = ember.nn.DataParallel(ember.nn.Linear(2, 1))
        >>> sorted(model.state_dict())
        ['module.bias', 'module.weight']
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids = []

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    r"""Runs module on inputs as torch.nn.parallel.data_parallel does without GPUs: in one piece.

    Args:
        module (Module): the module to run.
        inputs (Tensor or tuple): its positional inputs.
        device_ids (list, optional): accepted for torch's signature.
        output_device (int, optional): accepted for torch's signature.
        dim (int, optional): accepted for torch's signature. Default: 0.
        module_kwargs (dict, optional): its keyword inputs.

    Returns:
        The module's output.

    Example::

        >>> ember.nn.parallel.data_parallel(ember.nn.Identity(), ember.ones(2))
        tensor([1., 1.])
    """
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return module(*inputs, **(module_kwargs or {}))

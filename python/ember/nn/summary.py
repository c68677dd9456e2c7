"""ember.nn.summary: a model's layers with their output shapes and parameter counts."""
from ember._C import Tensor


class Summary:
    """What :func:`summary` found: one row per module that ran and the parameter totals. Printing it
    (or its repr) gives the table.

    Args:
        rows (list of tuple): (name, type name, output shape as text, own parameter count) per
            module, the name indented by its depth ('' for the model itself).
        total_params (int): the number of parameter elements.
        trainable_params (int): those that require grad.

    Example::

        >>> s = nn.summary(nn.Linear(4, 2), (3, 4))
        >>> s.rows
        [('', 'Linear', '(3, 2)', 10)]
        >>> s.total_params, s.trainable_params
        (10, 10)
    """

    def __init__(self, rows, total_params, trainable_params):
        self.rows = rows
        self.total_params = total_params
        self.trainable_params = trainable_params

    def __str__(self):
        header = ("Layer (type)", "Output shape", "Param #")
        cells = [header] + [(f"{name} ({kind})" if name else kind, shape, f"{count:,}")
                            for name, kind, shape, count in self.rows]
        widths = [max(len(row[i]) for row in cells) + 2 for i in range(3)]
        line = lambda row: f"{row[0]:<{widths[0]}}{row[1]:<{widths[1]}}{row[2]:>{widths[2]}}"  # noqa: E731
        rule = "=" * sum(widths)
        out = [line(header), rule] + [line(row) for row in cells[1:]] + [rule]
        out.append(f"Total params: {self.total_params:,}")
        out.append(f"Trainable params: {self.trainable_params:,}")
        out.append(f"Non-trainable params: {self.total_params - self.trainable_params:,}")
        return "\n".join(out)

    __repr__ = __str__


def _shape_of(output):
    if isinstance(output, Tensor):
        return str(tuple(output.shape))
    if isinstance(output, (tuple, list)):
        return ", ".join(_shape_of(o) for o in output)
    return type(output).__name__


def summary(model, input_shape, dtype=None):
    """A table of a model's layers: runs ``model`` once on zeros of ``input_shape`` in eval mode
    without gradients and lists every module that ran, with its dotted name (indented by depth),
    its type, its output's shape and its own parameter count, then the totals (as Keras'
    ``model.summary()`` or the torchsummary package; PyTorch has none). The modules' training flags
    are restored afterwards. ``model.summary(input_shape)`` is the same.

    Args:
        model (Module): the model.
        input_shape (tuple or Tensor): the input's shape, batch dim included; a Tensor is used as
            the input itself.
        dtype (ember.dtype, optional): the zeros' dtype. Default: None (float32).

    Returns:
        Summary: the rows and totals; printing it gives the table.

    Raises:
        Whatever ``model`` raises for an input of that shape (e.g. ValueError from a Linear of
        another width).

    Example::

        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> print(nn.summary(model, (1, 4)))
        Layer (type)  Output shape    Param #
        =====================================
        Sequential    (1, 2)                0
          0 (Linear)  (1, 8)               40
          1 (ReLU)    (1, 8)                0
          2 (Linear)  (1, 2)               18
        =====================================
        Total params: 58
        Trainable params: 58
        Non-trainable params: 0
    """
    import ember

    if isinstance(input_shape, Tensor):
        x = input_shape
    else:
        x = ember.zeros(tuple(input_shape), dtype=dtype or ember.float32)
    modules = list(model.named_modules())
    outputs = {}

    def record(name):
        def hook(module, args, output):
            outputs.setdefault(name, _shape_of(output))
        return hook

    handles = [m.register_forward_hook(record(name)) for name, m in modules]
    modes = [(m, m.training) for _, m in modules]
    model.eval()
    try:
        with ember.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
        for m, training in modes:
            m.training = training
    rows = []
    for name, m in modules:
        if name not in outputs:
            continue
        indent = "  " * (name.count(".") + 1) if name else ""
        own = sum(p.numel() for p in m.parameters(recurse=False))
        rows.append((indent + name, m._get_name(), outputs[name], own))
    params = list(model.parameters())
    return Summary(rows, sum(p.numel() for p in params), sum(p.numel() for p in params if p.requires_grad))

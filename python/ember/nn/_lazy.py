"""Lazy layers, as torch.nn's LazyLinear, LazyConv*d, LazyConvTranspose*d, LazyBatchNorm*d and
LazyInstanceNorm*d: the input size (in_features, in_channels, num_features) is read from the first
input, the weights made and initialized then, and the layer becomes the plain one (its class
named as torch's: Linear, Conv2d, ...). Optimizers may be made before that first call: the
parameters keep their identity, only their data is replaced. Loading a state_dict sizes them too."""
import ember
from ember._C import _nn_init
from ember.nn import modules as _layers

__all__ = ["LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyConv1d", "LazyConv2d", "LazyConv3d",
           "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyInstanceNorm1d",
           "LazyInstanceNorm2d", "LazyInstanceNorm3d", "LazyLinear", "LazyModuleMixin"]


def _materialize(tensor, shape):
    """Gives a placeholder tensor (a parameter or buffer) its real shape, keeping the object."""
    if tensor is not None:
        tensor.data = ember.empty(shape, dtype=tensor.dtype, device=tensor.device)


class LazyModuleMixin:
    """The lazy part of a lazy layer, as torch.nn.modules.lazy.LazyModuleMixin: the first call
    runs ``initialize_parameters(input)``, then the layer becomes ``cls_to_become`` (the plain
    layer) and this mixin's methods are gone.

    Example::

        >>> m = ember.nn.LazyLinear(4)
        >>> m.has_uninitialized_params()
        True
        >>> _ = m(ember.ones(2, 3))
        >>> type(m).__name__, m.in_features
        ('Linear', 3)
    """

    cls_to_become = None

    def has_uninitialized_params(self):
        """Whether the first call has yet to size the layer (True until then)."""
        return True

    def initialize_parameters(self, input):
        """Sizes and initializes the layer's tensors from its first input."""
        raise NotImplementedError(f"{type(self).__name__}.initialize_parameters")

    def forward(self, input):
        """The first call: sizes the layer from ``input``, becomes the plain layer, runs it."""
        with ember.no_grad():
            self.initialize_parameters(input)
        self.__class__ = self.cls_to_become
        return self.forward(input)  # the plain layer's forward: this call's hooks have run, or will

    def _sizes_from_state(self, shapes):
        """{option: size} read from the shapes of the layer's tensors in a state_dict."""
        raise NotImplementedError(f"{type(self).__name__}._sizes_from_state")

    def _materialize(self):
        """Gives the placeholder tensors the shapes the size options now imply."""
        raise NotImplementedError(f"{type(self).__name__}._materialize")

    def _size_from_state(self, state_dict, prefix):
        """Sizes the layer from the tensors a state_dict holds for it (load_state_dict calls this
        first) and makes it the plain layer, whose loading then checks every shape. torch's lazy
        layers take the tensors' shapes there too, but keep their size options 0 and their class
        until the first call."""
        shapes = {}
        for name in self.state_dict():
            t = state_dict.get(prefix + name)
            if hasattr(t, "shape"):
                shapes[name] = tuple(t.shape)
        if "weight" not in shapes and "running_mean" not in shapes:
            return  # nothing to size from: strict loading reports the missing keys
        for option, size in self._sizes_from_state(shapes).items():
            self._set_option(option, size)
        self._materialize()
        self.__class__ = self.cls_to_become


def _becomes(layer):
    """A Python subclass of `layer` named as it: what a lazy layer of that kind turns into (the
    C++ class itself cannot take the place of a Python subclass's instance)."""
    name = layer.__name__
    cls = type(name, (layer,), {"__module__": __name__, "__qualname__": f"_Lazy{name}Result", "__doc__": layer.__doc__})
    globals()[cls.__qualname__] = cls  # pickles find it here
    return cls


def _lazy_doc(name, size, args, example):
    return f"""{name[4:]} whose {size} is read from the first input, as torch.nn.{name}: until then
    the layer holds no weights (its tensors are placeholders of size 0); the first call makes and
    initializes them and the layer becomes a {name[4:]}.

    Args:
{args}

    Example::

{example}
    """


_DEVICE = """        device (str or ember.device, optional): where the tensors live.
        dtype (ember.dtype, optional): their dtype."""


_LinearResult = _becomes(_layers.Linear)


class LazyLinear(LazyModuleMixin, _LinearResult):
    """Linear whose in_features (the input's last size) is read from the first input, as
    torch.nn.LazyLinear: until then the layer holds no weights (its tensors are placeholders of
    size 0); the first call makes and initializes them and the layer becomes a Linear.

    Args:
        out_features (int): the size of each output.
        bias (bool, optional): learn an additive bias. Default: True.
        device (str or ember.device, optional): where the tensors live.
        dtype (ember.dtype, optional): their dtype.

    Example::

        >>> net = ember.nn.Sequential(ember.nn.LazyLinear(256), ember.nn.ReLU(), ember.nn.LazyLinear(10))
        >>> net(ember.rand(2, 20)).shape
        ember.Size([2, 10])
        >>> net[0]
        Linear(in_features=20, out_features=256, bias=True)
    """

    cls_to_become = _LinearResult

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        _nn_init._without_init(super().__init__, 0, out_features, bias, device, dtype)

    def _sizes_from_state(self, shapes):
        return {"in_features": shapes["weight"][1]}

    def _materialize(self):
        _materialize(self.weight, (self.out_features, self.in_features))

    def initialize_parameters(self, input):
        """Sizes the weight (out_features, input.shape[-1]) and initializes it and the bias."""
        self._set_option("in_features", input.shape[-1])
        self._materialize()
        self.reset_parameters()


class _LazyConv(LazyModuleMixin):
    """in_channels from the first input's channel dim (dim 1, or dim 0 of an unbatched input)."""

    _spatial = 0
    _transposed = False

    def _sizes_from_state(self, shapes):
        weight = shapes["weight"]
        return {"in_channels": weight[0] if self._transposed else weight[1] * self.groups}

    def _materialize(self):
        if self._transposed:
            shape = (self.in_channels, self.out_channels // self.groups)
        else:
            shape = (self.out_channels, self.in_channels // self.groups)
        _materialize(self.weight, shape + tuple(self.kernel_size))

    def initialize_parameters(self, input):
        """Sizes the weight from the input's channels and initializes it and the bias."""
        spatial = self._spatial
        if input.dim() not in (spatial + 1, spatial + 2):
            raise RuntimeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) input to "
                               f"{type(self).__name__}, but got input of size: {input.shape}")
        in_channels = input.shape[1] if input.dim() == spatial + 2 else input.shape[0]
        self._set_option("in_channels", in_channels)
        if in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        self._materialize()
        self.reset_parameters()


def _lazy_conv(layer, spatial):
    """LazyConv{n}d: the layer's arguments but in_channels."""
    result = _becomes(layer)
    name = "Lazy" + layer.__name__

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        _nn_init._without_init(super(cls, self).__init__, 0, out_channels, kernel_size, stride, padding, dilation,
                               groups, bias, padding_mode, device, dtype)

    shape = "(N, C, " + ", ".join("DHW"[3 - spatial:]) + ")"
    cls = type(name, (_LazyConv, result), {
        "__module__": __name__, "__init__": __init__, "cls_to_become": result, "_spatial": spatial,
        "__doc__": _lazy_doc(name, "in_channels (the input's channel dim)", f"""\
        out_channels (int): the number of output channels.
        kernel_size (int or tuple): the size of the kernel.
        stride, padding, dilation, groups, bias, padding_mode: as {layer.__name__}'s.
{_DEVICE}""", f"""\
        >>> conv = ember.nn.{name}(8, 3)
        >>> conv(ember.randn{(1, 4) + (6,) * spatial}).shape[1]
        8
        >>> conv.in_channels
        4""")})
    cls.__init__.__doc__ = f"Makes a {name} from {layer.__name__}'s arguments but in_channels; input {shape}."
    return cls


def _lazy_conv_transpose(layer, spatial):
    """LazyConvTranspose{n}d: the layer's arguments but in_channels."""
    result = _becomes(layer)
    name = "Lazy" + layer.__name__

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True,
                 dilation=1, padding_mode="zeros", device=None, dtype=None):
        _nn_init._without_init(super(cls, self).__init__, 0, out_channels, kernel_size, stride, padding,
                               output_padding, groups, bias, dilation, padding_mode, device, dtype)

    cls = type(name, (_LazyConv, result), {
        "__module__": __name__, "__init__": __init__, "cls_to_become": result, "_spatial": spatial,
        "_transposed": True,
        "__doc__": _lazy_doc(name, "in_channels (the input's channel dim)", f"""\
        out_channels (int): the number of output channels.
        kernel_size (int or tuple): the size of the kernel.
        stride, padding, output_padding, groups, bias, dilation, padding_mode: as {layer.__name__}'s.
{_DEVICE}""", f"""\
        >>> up = ember.nn.{name}(2, 2, stride=2)
        >>> up(ember.randn{(1, 4) + (3,) * spatial}).shape[1:]
        ember.Size({[2] + [6] * spatial})""")})
    return cls


class _LazyNorm(LazyModuleMixin):
    """num_features from the first input's dim 1, where the layer has tensors to size."""

    def _placeholders(self):
        return [t for t in (self.weight, self.bias, self.running_mean, self.running_var) if t is not None]

    def _sizes_from_state(self, shapes):
        return {"num_features": (shapes.get("weight") or shapes["running_mean"])[0]}

    def _materialize(self):
        for t in self._placeholders():
            _materialize(t, (self.num_features,))

    def initialize_parameters(self, input):
        """Sizes the weight, bias and running statistics from input.shape[1] and resets them."""
        if not self._placeholders():  # nothing to size: torch leaves num_features 0
            return
        self._set_option("num_features", input.shape[1])
        self._materialize()
        self.reset_parameters()


def _lazy_norm(layer, affine, track_running_stats, example_shape):
    """LazyBatchNorm{n}d / LazyInstanceNorm{n}d: the layer's arguments but num_features."""
    result = _becomes(layer)
    name = "Lazy" + layer.__name__

    def __init__(self, eps=1e-05, momentum=0.1, affine=affine, track_running_stats=track_running_stats, device=None,
                 dtype=None, *, bias=True):
        _nn_init._without_init(super(cls, self).__init__, 1, eps, momentum, affine, track_running_stats, device,
                               dtype, bias=bias)
        self._set_option("num_features", 0)
        for t in self._placeholders():
            _materialize(t, (0,))

    cls = type(name, (_LazyNorm, result), {
        "__module__": __name__, "__init__": __init__, "cls_to_become": result,
        "__doc__": _lazy_doc(name, "num_features (the input's dim 1)", f"""\
        eps (float, optional): added to the variance. Default: 1e-5.
        momentum (float, optional): of the running statistics. Default: 0.1.
        affine (bool, optional): learn a scale and shift. Default: {affine}.
        track_running_stats (bool, optional): keep running statistics. Default: {track_running_stats}.
{_DEVICE}
        bias (bool, optional): with affine, learn the shift. Default: True.""", f"""\
        >>> bn = ember.nn.{name}()
        >>> _ = bn(ember.randn{example_shape})
        >>> bn.num_features
        {example_shape[1]}""")})
    return cls


LazyConv1d = _lazy_conv(_layers.Conv1d, 1)
LazyConv2d = _lazy_conv(_layers.Conv2d, 2)
LazyConv3d = _lazy_conv(_layers.Conv3d, 3)
LazyConvTranspose1d = _lazy_conv_transpose(_layers.ConvTranspose1d, 1)
LazyConvTranspose2d = _lazy_conv_transpose(_layers.ConvTranspose2d, 2)
LazyConvTranspose3d = _lazy_conv_transpose(_layers.ConvTranspose3d, 3)
# torch's lazy instance norms default to affine and running statistics, unlike InstanceNorm*d
LazyBatchNorm1d = _lazy_norm(_layers.BatchNorm1d, True, True, (4, 3))
LazyBatchNorm2d = _lazy_norm(_layers.BatchNorm2d, True, True, (4, 3, 2, 2))
LazyBatchNorm3d = _lazy_norm(_layers.BatchNorm3d, True, True, (4, 3, 2, 2, 2))
LazyInstanceNorm1d = _lazy_norm(_layers.InstanceNorm1d, True, True, (4, 3, 5))
LazyInstanceNorm2d = _lazy_norm(_layers.InstanceNorm2d, True, True, (4, 3, 5, 5))
LazyInstanceNorm3d = _lazy_norm(_layers.InstanceNorm3d, True, True, (4, 3, 3, 3, 3))

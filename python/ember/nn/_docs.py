"""The docstrings of ember.nn's C++ layer classes (what help() and the API documentation show).

The arguments' names and defaults are declared once in C++ (and read by inspect.signature); the
prose lives here, one entry per class, applied by ember.nn.modules.
"""

_DEVICE_DTYPE = """    device (str or ember.device, optional): where the parameters live (only "cpu" today).
    dtype (ember.dtype, optional): the parameters' dtype (default: ember.get_default_dtype())."""

_WRITES_INPUT = "    inplace (bool): write the result into the input and return it. Default: False."
_INPLACE = "    inplace (bool): accepted for PyTorch compatibility; the result is a new tensor. Default: False."

_REDUCTION = """    size_average, reduce: deprecated PyTorch arguments, folded into reduction as PyTorch does.
    reduction (str): 'none' (one loss per element), 'mean' (default) or 'sum'."""


def _activation(name, formula, args="", example_input="ember.randn(2, 3)", constructor_args=""):
    args_section = f"\nArgs:\n{args}\n" if args else "\nArgs:\n    (none)\n"
    return f"""Applies {name} element-wise: {formula}.
{args_section}
Shape:
    Input: any shape. Output: the same shape.

Example::

    >>> m = ember.nn.{name}({constructor_args})
    >>> y = m({example_input})
"""


def _pad(name, what, dims, extra_args="", extra_ctor=""):
    sides = {1: "(left, right)", 2: "(left, right, top, bottom)", 3: "(left, right, top, bottom, front, back)"}[dims]
    shape = {1: "(N, C, W) or (C, W)", 2: "(N, C, H, W) or (C, H, W)", 3: "(N, C, D, H, W) or (C, D, H, W)"}[dims]
    x = {1: "ember.randn(1, 2, 4)", 2: "ember.randn(1, 2, 4, 4)", 3: "ember.randn(1, 2, 3, 4, 4)"}[dims]
    return f"""Pads the last {dims} dimension{'s' if dims > 1 else ''} of the input with {what}.

Args:
    padding (int or tuple): the same amount on every side, or {sides}.
{extra_args}
Shape:
    Input: {shape}. Output: the padded sizes.

Example::

    >>> m = ember.nn.{name}(1{extra_ctor})
    >>> y = m({x})
"""


def _loss(name, formula, extra_args="", example="loss(ember.randn(3, 5), ember.randn(3, 5))"):
    return f"""{formula}

Args:
{extra_args}{_REDUCTION}

Shape:
    input and target: the same shape (see ember.nn.functional for the details). Output: a scalar,
    or the input's shape when reduction='none'.

Example::

    >>> loss = ember.nn.{name}()
    >>> value = {example}
"""


DOCS = {
    "Identity": """A placeholder that returns its input unchanged (arguments are accepted and ignored).

Args:
    *args, **kwargs: ignored, as in PyTorch.

Example::

    >>> m = ember.nn.Identity()
    >>> m(ember.ones(2)).tolist()
    [1.0, 1.0]
""",
    "Flatten": """Flattens the dimensions start_dim..end_dim of the input into one.

Args:
    start_dim (int): the first dimension to flatten. Default: 1 (keeps the batch dimension).
    end_dim (int): the last dimension to flatten. Default: -1.

Example::

    >>> ember.nn.Flatten()(ember.zeros(2, 3, 4)).shape
    ember.Size([2, 12])
""",
    "Unflatten": """Splits dimension dim of the input into unflattened_size.

Args:
    dim (int): the dimension to split.
    unflattened_size (tuple of int): the new sizes; their product is the size of dim.

Example::

    >>> ember.nn.Unflatten(1, (3, 4))(ember.zeros(2, 12)).shape
    ember.Size([2, 3, 4])
""",
    "Linear": f"""Applies an affine map to the last dimension: y = x A^T + b.

Args:
    in_features (int): the size of each input sample.
    out_features (int): the size of each output sample.
    bias (bool): whether to learn an additive bias. Default: True.
{_DEVICE_DTYPE}

Attributes:
    weight (Parameter): (out_features, in_features), initialized from U(-k, k), k = 1/sqrt(in_features).
    bias (Parameter): (out_features,), initialized the same way.

Example::

    >>> m = ember.nn.Linear(20, 30)
    >>> m(ember.randn(128, 20)).shape
    ember.Size([128, 30])
""",
    "Perceptron": """Rosenblatt's perceptron: a linear threshold unit with a fit() method (the perceptron rule).

Args:
    in_features (int): the size of each input sample.
    dtype (ember.dtype, optional): the parameters' dtype.

Example::

    >>> p = ember.nn.Perceptron(2)
    >>> y = p(ember.randn(4, 2))
""",
    "Sigmoid": _activation("Sigmoid", "1 / (1 + exp(-x))"),
    "Tanh": _activation("Tanh", "tanh(x)"),
    "ReLU": _activation("ReLU", "max(0, x)", _INPLACE),
    "LeakyReLU": _activation("LeakyReLU", "x if x >= 0 else negative_slope * x",
                             "    negative_slope (float): the slope for negative inputs. Default: 0.01.\n" + _INPLACE),
    "PReLU": f"""Applies PReLU element-wise: x if x >= 0 else a * x, with a learned slope a.

Args:
    num_parameters (int): 1 (one slope) or the number of channels (dimension 1). Default: 1.
    init (float): the initial slope. Default: 0.25.
{_DEVICE_DTYPE}

Example::

    >>> m = ember.nn.PReLU()
    >>> y = m(ember.randn(2, 3))
""",
    "ELU": _activation("ELU", "x if x > 0 else alpha * (exp(x) - 1)",
                       "    alpha (float): the value the output tends to for large negative inputs. Default: 1.0.\n"
                       + _INPLACE),
    "GELU": _activation("GELU", "x * Phi(x), Phi the standard normal CDF",
                        "    approximate (str): 'none' (exact, default) or 'tanh' (the tanh approximation)."),
    "SiLU": _activation("SiLU", "x * sigmoid(x)", _INPLACE),
    "LogSigmoid": _activation("LogSigmoid", "log(sigmoid(x))"),
    "Softplus": _activation("Softplus", "log(1 + exp(beta * x)) / beta",
                            "    beta (float): the sharpness. Default: 1.0.\n"
                            "    threshold (float): above beta * x > threshold the output is x. Default: 20.0."),
    "Hardtanh": _activation("Hardtanh", "x clamped to [min_val, max_val]",
                            "    min_val (float): the lower bound. Default: -1.0.\n"
                            "    max_val (float): the upper bound, above min_val. Default: 1.0.\n" + _WRITES_INPUT),
    "ReLU6": _activation("ReLU6", "min(max(0, x), 6)", _WRITES_INPUT),
    "Hardswish": _activation("Hardswish", "x * relu6(x + 3) / 6", _WRITES_INPUT),
    "Hardsigmoid": _activation("Hardsigmoid", "relu6(x + 3) / 6", _WRITES_INPUT),
    "SELU": _activation("SELU", "scale * elu(x, alpha), alpha = 1.6732632423543772, scale = 1.0507009873554805",
                        _WRITES_INPUT),
    "CELU": _activation("CELU", "x if x > 0 else alpha * (exp(x / alpha) - 1)",
                        "    alpha (float): the scale, not 0. Default: 1.0.\n" + _WRITES_INPUT),
    "Mish": _activation("Mish", "x * tanh(softplus(x))", _WRITES_INPUT),
    "Softsign": _activation("Softsign", "x / (1 + |x|)"),
    "Tanhshrink": _activation("Tanhshrink", "x - tanh(x)"),
    "Threshold": _activation("Threshold", "x where x > threshold, value elsewhere",
                             "    threshold (float): the value to exceed.\n"
                             "    value (float): what replaces the elements that do not exceed it.\n" + _WRITES_INPUT,
                             constructor_args="0.1, 20."),
    "Softmin": _activation("Softmin", "exp(-x_i) / sum_j exp(-x_j) along dim (the slices along dim sum to 1)",
                           "    dim (int): the dimension softmin normalizes over.", constructor_args="dim=1"),
    "Softmax": """Applies softmax along dim: exp(x_i) / sum_j exp(x_j), so the slices along dim sum to 1.

Args:
    dim (int): the dimension softmax normalizes over.

Example::

    >>> m = ember.nn.Softmax(dim=1)
    >>> y = m(ember.randn(2, 3))
""",
    "LogSoftmax": """Applies log(softmax(x)) along dim, computed stably.

Args:
    dim (int): the dimension softmax normalizes over.

Example::

    >>> m = ember.nn.LogSoftmax(dim=1)
    >>> y = m(ember.randn(2, 3))
""",
    "Sign": """Applies sign(x) element-wise (-1, 0 or 1); with straight_through=True its gradient is the
identity (the straight-through estimator), which trains binary activations.

Args:
    straight_through (bool): pass gradients through unchanged. Default: False (zero gradient).

Example::

    >>> ember.nn.Sign()(ember.tensor([-2.0, 0.0, 3.0])).tolist()
    [-1.0, 0.0, 1.0]
""",
    "LayerNorm": f"""Layer normalization over the last dimensions: y = (x - mean) / sqrt(var + eps) * weight + bias.

Args:
    normalized_shape (int or tuple of int): the trailing shape normalized over.
    eps (float): added to the variance for stability. Default: 1e-5.
    elementwise_affine (bool): learn weight (and bias). Default: True.
    bias (bool): learn the bias. Default: True.
{_DEVICE_DTYPE}

Example::

    >>> m = ember.nn.LayerNorm(10)
    >>> y = m(ember.randn(20, 5, 10))
""",
    "GroupNorm": f"""Group normalization: the channels split into num_groups groups, each normalized over its
channels and spatial positions.

Args:
    num_groups (int): the number of groups; it divides num_channels.
    num_channels (int): C, the number of channels.
    eps (float): added to the variance for stability. Default: 1e-5.
    affine (bool): learn per-channel weight and bias. Default: True.
{_DEVICE_DTYPE}
    bias (bool): learn the bias (with affine). Default: True.

Example::

    >>> m = ember.nn.GroupNorm(3, 6)
    >>> y = m(ember.randn(20, 6, 10, 10))
""",
    "Dropout": f"""In training, zeroes each element with probability p and scales the others by 1 / (1 - p);
in evaluation it is the identity.

Args:
    p (float): the probability of zeroing an element. Default: 0.5.
{_INPLACE}

Example::

    >>> m = ember.nn.Dropout(p=0.2)
    >>> y = m(ember.randn(20, 16))
""",
    "Dropout1d": f"""In training, zeroes whole channels of (N, C, L) inputs with probability p (scaling the others
by 1 / (1 - p)); in evaluation it is the identity.

Args:
    p (float): the probability of zeroing a channel. Default: 0.5.
{_INPLACE}

Example::

    >>> m = ember.nn.Dropout1d(p=0.2)
    >>> y = m(ember.randn(20, 16, 32))
""",
    "Dropout2d": f"""In training, zeroes whole channels of (N, C, H, W) inputs with probability p (scaling the
others by 1 / (1 - p)); in evaluation it is the identity.

Args:
    p (float): the probability of zeroing a channel. Default: 0.5.
{_INPLACE}

Example::

    >>> m = ember.nn.Dropout2d(p=0.2)
    >>> y = m(ember.randn(20, 16, 8, 8))
""",
    "Dropout3d": f"""In training, zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) inputs with probability
p (scaling the others by 1 / (1 - p)); in evaluation it is the identity.

Args:
    p (float): the probability of zeroing a channel. Default: 0.5.
{_INPLACE}

Example::

    >>> m = ember.nn.Dropout3d(p=0.2)
    >>> y = m(ember.randn(4, 16, 4, 8, 8))
""",
    "GaussianNoise": """In training, adds N(0, std^2) noise to the input; in evaluation it is the identity
(a regularizer; PyTorch has no such layer).

Args:
    std (float): the noise's standard deviation. Default: 0.1.

Example::

    >>> m = ember.nn.GaussianNoise(0.05)
    >>> y = m(ember.randn(4, 3))
""",
    "Embedding": f"""A lookup table: row i of weight for each index i of the input.

Args:
    num_embeddings (int): the table's size.
    embedding_dim (int): the size of each row.
    padding_idx (int, optional): a row that gets no gradient (initialized to zeros).
    max_norm (float, optional): rows looked up whose norm exceeds it are rescaled in place by
        max_norm / (norm + 1e-7).
    norm_type (float): the p of that norm. Default: 2.0.
    scale_grad_by_freq (bool): divide each row's gradient by how often the input picks it.
        Default: False.
    sparse (bool): accepted for PyTorch's code; the gradient is dense either way (ember has no sparse
        tensors). Default: False.
    _weight (Tensor, optional): the initial table (PyTorch's private argument; see from_pretrained).
    _freeze (bool): with _weight, whether the table is not trained. Default: False.
{_DEVICE_DTYPE}

Example::

    >>> m = ember.nn.Embedding(10, 3)
    >>> m(ember.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])).shape
    ember.Size([2, 4, 3])
""",
}

for _name, _inputs, _x in (("BatchNorm1d", "(N, C) or (N, C, L)", "ember.randn(20, 100)"),
                          ("BatchNorm2d", "(N, C, H, W)", "ember.randn(20, 100, 8, 8)"),
                          ("BatchNorm3d", "(N, C, D, H, W)", "ember.randn(4, 100, 3, 8, 8)")):
    DOCS[_name] = f"""Batch normalization over {_inputs} inputs, one mean and variance per channel:
y = (x - mean) / sqrt(var + eps) * weight + bias, with batch statistics in training and running
statistics in evaluation.

Args:
    num_features (int): C, the number of channels.
    eps (float): added to the variance for stability. Default: 1e-5.
    momentum (float): the running statistics' update rate. Default: 0.1.
    affine (bool): learn weight and bias. Default: True.
    track_running_stats (bool): keep running mean and variance. Default: True.
{_DEVICE_DTYPE}
    bias (bool): learn the bias (with affine). Default: True.

Example::

    >>> m = ember.nn.{_name}(100)
    >>> y = m({_x})
"""

_CONV_ARGS = """    in_channels (int): the input's channels.
    out_channels (int): the output's channels.
    kernel_size (int or tuple): the kernel's size.
    stride (int or tuple): the step between windows. Default: 1.
    padding (int, tuple or str): zeros added on each side ('same'/'valid' for convolutions). Default: 0.
{middle}    groups (int): split channels into groups convolved separately. Default: 1.
    bias (bool): learn an additive bias. Default: True.
    padding_mode (str): 'zeros' (default), 'reflect', 'replicate' or 'circular'.
""" + _DEVICE_DTYPE

for _name, _dims, _x, _t in (("Conv1d", 1, "ember.randn(20, 16, 50)", False),
                             ("Conv2d", 2, "ember.randn(20, 16, 50, 100)", False),
                             ("Conv3d", 3, "ember.randn(2, 16, 10, 20, 20)", False),
                             ("ConvTranspose1d", 1, "ember.randn(20, 16, 50)", True),
                             ("ConvTranspose2d", 2, "ember.randn(20, 16, 50, 100)", True),
                             ("ConvTranspose3d", 3, "ember.randn(2, 16, 5, 10, 10)", True)):
    _what = "transposed convolution (the gradient of a convolution)" if _t else "cross-correlation"
    _middle = ("    output_padding (int or tuple): added to one side of the output's size. Default: 0.\n"
               "    dilation (int or tuple): the spacing between kernel elements. Default: 1.\n") if _t else \
        "    dilation (int or tuple): the spacing between kernel elements. Default: 1.\n"
    DOCS[_name] = f"""Applies a {_dims}-d {_what} over an input of channels.

Args:
{_CONV_ARGS.format(middle=_middle)}

Example::

    >>> m = ember.nn.{_name}(16, 33, 3, stride=2)
    >>> y = m({_x})
"""

DOCS["Unfold"] = """Extracts sliding local blocks of a batched (N, C, H, W) input into columns
(N, C * kh * kw, L), L the number of blocks (im2col).

Args:
    kernel_size (int or tuple): the block's size.
    dilation (int or tuple): the spacing between block elements. Default: 1.
    padding (int or tuple): zeros added on each side. Default: 0.
    stride (int or tuple): the step between blocks. Default: 1.

Example::

    >>> ember.nn.Unfold(kernel_size=(2, 3))(ember.randn(2, 5, 3, 4)).shape
    ember.Size([2, 30, 4])
"""
DOCS["Fold"] = """Sums sliding local blocks (N, C * kh * kw, L) back into a (N, C, H, W) tensor (col2im), the
inverse layout of Unfold.

Args:
    output_size (int or tuple): (H, W) of the output.
    kernel_size (int or tuple): the block's size.
    dilation (int or tuple): the spacing between block elements. Default: 1.
    padding (int or tuple): zeros added on each side. Default: 0.
    stride (int or tuple): the step between blocks. Default: 1.

Example::

    >>> ember.nn.Fold(output_size=(4, 5), kernel_size=(2, 2))(ember.randn(1, 12, 12)).shape
    ember.Size([1, 3, 4, 5])
"""

_POOL_X = {1: "ember.randn(20, 16, 50)", 2: "ember.randn(20, 16, 50, 32)", 3: "ember.randn(2, 16, 9, 10, 11)"}
for _kind, _dims in (("Max", 1), ("Max", 2), ("Max", 3), ("Avg", 1), ("Avg", 2), ("Avg", 3)):
    _name = f"{_kind}Pool{_dims}d"
    _x = _POOL_X[_dims]
    _tail = ("    dilation (int or tuple): the spacing between window elements. Default: 1.\n"
             "    return_indices (bool): also return the argmax indices. Default: False.\n"
             "    ceil_mode (bool): round the output size up. Default: False.\n") if _kind == "Max" else \
        ("    ceil_mode (bool): round the output size up. Default: False.\n"
         "    count_include_pad (bool): count padded zeros in the average. Default: True.\n"
         + ("    divisor_override (int, optional): divide by this instead of the window's size.\n" if _dims > 1 else ""))
    DOCS[_name] = f"""Applies {_dims}-d {'max' if _kind == 'Max' else 'average'} pooling over sliding windows.

Args:
    kernel_size (int or tuple): the window's size.
    stride (int or tuple, optional): the step between windows. Default: kernel_size.
    padding (int or tuple): padding on each side. Default: 0.
{_tail}
Example::

    >>> m = ember.nn.{_name}(3, stride=2)
    >>> y = m({_x})
"""

for _kind, _dims in (("Avg", 1), ("Avg", 2), ("Avg", 3), ("Max", 1), ("Max", 2), ("Max", 3)):
    _name = f"Adaptive{_kind}Pool{_dims}d"
    _x = {1: "ember.randn(1, 64, 8)", 2: "ember.randn(1, 64, 8, 9)", 3: "ember.randn(1, 64, 8, 9, 10)"}[_dims]
    _extra = "    return_indices (bool): also return the argmax indices. Default: False.\n" if _kind == "Max" else ""
    DOCS[_name] = f"""Applies {_dims}-d adaptive {'max' if _kind == 'Max' else 'average'} pooling: windows sized so the
output has output_size.

Args:
    output_size (int or tuple): the output's spatial size.
{_extra}
Example::

    >>> m = ember.nn.{_name}(5)
    >>> y = m({_x})
"""

for _dims in (1, 2, 3):
    DOCS[f"ZeroPad{_dims}d"] = _pad(f"ZeroPad{_dims}d", "zeros", _dims)
    DOCS[f"ConstantPad{_dims}d"] = _pad(f"ConstantPad{_dims}d", "a constant", _dims,
                                        "    value (float): the fill value.\n", ", 3.5")
    DOCS[f"ReflectionPad{_dims}d"] = _pad(f"ReflectionPad{_dims}d", "the reflection of the input (edge excluded)", _dims)
    DOCS[f"ReplicationPad{_dims}d"] = _pad(f"ReplicationPad{_dims}d", "copies of the edge values", _dims)
    DOCS[f"CircularPad{_dims}d"] = _pad(f"CircularPad{_dims}d", "the input wrapped around", _dims)

DOCS["Upsample"] = """Upsamples a (N, C, W), (N, C, H, W) or (N, C, D, H, W) input to size or by scale_factor.

Args:
    size (int or tuple, optional): the output's spatial size.
    scale_factor (float or tuple, optional): the multiplier of the spatial size.
    mode (str): 'nearest' (default), 'nearest-exact', 'area', 'linear' (3-d input), 'bilinear' or
        'bicubic' (4-d), 'trilinear' (5-d).
    align_corners (bool, optional): for the linear modes, align the corner pixels' centers.
    recompute_scale_factor (bool, optional): as in PyTorch's interpolate.

Example::

    >>> ember.nn.Upsample(scale_factor=2)(ember.randn(1, 1, 2, 2)).shape
    ember.Size([1, 1, 4, 4])
"""
for _name, _mode in (("UpsamplingNearest2d", "nearest"), ("UpsamplingBilinear2d", "bilinear (align_corners=True)")):
    DOCS[_name] = f"""Upsamples a (N, C, H, W) input with {_mode} interpolation.

Args:
    size (int or tuple, optional): the output's spatial size.
    scale_factor (float or tuple, optional): the multiplier of the spatial size.

Example::

    >>> ember.nn.{_name}(scale_factor=2)(ember.randn(1, 1, 2, 2)).shape
    ember.Size([1, 1, 4, 4])
"""
DOCS["PixelShuffle"] = """Rearranges (N, C * r^2, H, W) into (N, C, H * r, W * r) (sub-pixel convolution).

Args:
    upscale_factor (int): r.

Example::

    >>> ember.nn.PixelShuffle(3)(ember.randn(1, 9, 4, 4)).shape
    ember.Size([1, 1, 12, 12])
"""
DOCS["PixelUnshuffle"] = """Rearranges (N, C, H * r, W * r) into (N, C * r^2, H, W), the inverse of PixelShuffle.

Args:
    downscale_factor (int): r.

Example::

    >>> ember.nn.PixelUnshuffle(3)(ember.randn(1, 1, 12, 12)).shape
    ember.Size([1, 9, 4, 4])
"""

DOCS["L1Loss"] = _loss("L1Loss", "The mean absolute error |input - target|.")
DOCS["KLDivLoss"] = _loss("KLDivLoss", "The Kullback-Leibler divergence target * (log target - input), input and (with "
                          "log_target) target given as log-probabilities. reduction may also be 'batchmean' (the "
                          "sum divided by the batch size, the divergence's definition; 'mean' divides by every element).",
                          "    log_target (bool): whether target holds log-probabilities. Default: False.\n",
                          example="loss(ember.randn(3, 5).log_softmax(1), ember.randn(3, 5).softmax(1))")
DOCS["MSELoss"] = _loss("MSELoss", "The mean squared error (input - target)^2.")
DOCS["HuberLoss"] = _loss("HuberLoss", "The Huber loss: 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), d = input - target.",
                          "    delta (float): where the loss turns linear. Default: 1.0.\n")
DOCS["SmoothL1Loss"] = _loss("SmoothL1Loss", "The smooth L1 loss: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta.",
                             "    beta (float): where the loss turns linear. Default: 1.0.\n")
DOCS["BCELoss"] = _loss("BCELoss", "Binary cross-entropy of probabilities: -(t log(x) + (1 - t) log(1 - x)).",
                        "    weight (Tensor, optional): a rescaling weight broadcast to the input.\n",
                        "loss(ember.rand(3), ember.tensor([0.0, 1.0, 1.0]))")
DOCS["BCEWithLogitsLoss"] = _loss(
    "BCEWithLogitsLoss", "Binary cross-entropy of logits (a sigmoid and BCELoss fused, numerically stable).",
    "    weight (Tensor, optional): a rescaling weight broadcast to the input.\n"
    "    pos_weight (Tensor, optional): the weight of positive examples, per class.\n",
    "loss(ember.randn(3), ember.tensor([0.0, 1.0, 1.0]))")
DOCS["NLLLoss"] = _loss("NLLLoss", "The negative log-likelihood of class indices, given log-probabilities (N, C).",
                        "    weight (Tensor, optional): a weight per class.\n"
                        "    ignore_index (int): a target value that contributes nothing. Default: -100.\n",
                        "loss(ember.randn(3, 5).log_softmax(1), ember.tensor([1, 0, 4]))")
DOCS["CrossEntropyLoss"] = _loss(
    "CrossEntropyLoss", "Cross-entropy of logits (N, C) against class indices or class probabilities "
    "(log_softmax and NLLLoss fused).",
    "    weight (Tensor, optional): a weight per class.\n"
    "    ignore_index (int): a target value that contributes nothing. Default: -100.\n"
    "    label_smoothing (float): mix the targets with the uniform distribution. Default: 0.0.\n",
    "loss(ember.randn(3, 5), ember.tensor([1, 0, 4]))")


_NOLEGACY = "    reduction (str): 'none' (one loss per element), 'mean' (default) or 'sum'."


def _loss3(name, formula, args, shape, example, legacy=True):
    return f"""{formula}

Args:
{args}{_REDUCTION if legacy else _NOLEGACY}

Shape:
    {shape}

Example::

    >>> loss = ember.nn.{name}()
    >>> value = {example}
"""


DOCS["MarginRankingLoss"] = _loss3(
    "MarginRankingLoss", "The margin ranking loss max(0, -target (input1 - input2) + margin) (see "
    "ember.nn.functional.margin_ranking_loss); forward(input1, input2, target).",
    "    margin (float): the least gap asked for. Default: 0.0.\n",
    "input1, input2, target: the same number of dims, broadcastable (target holds 1 or -1). Output: a "
    "scalar, or the broadcast shape when reduction='none'.",
    "loss(ember.randn(3), ember.randn(3), ember.tensor([1.0, -1.0, 1.0]))")
DOCS["HingeEmbeddingLoss"] = _loss3(
    "HingeEmbeddingLoss", "The hinge embedding loss: input where target is 1, max(0, margin - input) where it is -1.",
    "    margin (float): Default: 1.0.\n",
    "input and target (1 or -1): broadcastable. Output: a scalar, or the broadcast shape when reduction='none'.",
    "loss(ember.rand(3), ember.tensor([1.0, -1.0, 1.0]))")
DOCS["SoftMarginLoss"] = _loss3(
    "SoftMarginLoss", "The two-class logistic loss log(1 + exp(-target * input)).", "",
    "input: any shape; target (1 or -1): broadcastable to it. Output: a scalar, or input's shape when "
    "reduction='none'.",
    "loss(ember.randn(3), ember.tensor([1.0, -1.0, 1.0]))")
DOCS["CosineEmbeddingLoss"] = _loss3(
    "CosineEmbeddingLoss", "The cosine embedding loss: 1 - cos(input1, input2) where target is 1, "
    "max(0, cos(input1, input2) - margin) where it is -1; forward(input1, input2, target).",
    "    margin (float): in [-1, 1]. Default: 0.0.\n",
    "input1, input2: (N, D) or (D,); target: (N,) or (). Output: a scalar, or (N,) when reduction='none'.",
    "loss(ember.randn(3, 5), ember.randn(3, 5), ember.tensor([1.0, -1.0, 1.0]))")
DOCS["TripletMarginLoss"] = _loss3(
    "TripletMarginLoss", "The triplet margin loss max(0, margin + d(anchor, positive) - d(anchor, negative)), d the "
    "pairwise p-norm distance; forward(anchor, positive, negative).",
    "    margin (float): positive. Default: 1.0.\n"
    "    p (float): the norm's order. Default: 2.0.\n"
    "    eps (float): added to the differences. Default: 1e-06.\n"
    "    swap (bool): use min(d(anchor, negative), d(positive, negative)). Default: False.\n",
    "anchor, positive, negative: (N, D) or (D,). Output: a scalar, or (N,) when reduction='none'.",
    "loss(ember.randn(3, 5), ember.randn(3, 5), ember.randn(3, 5))")
DOCS["MultiLabelSoftMarginLoss"] = _loss3(
    "MultiLabelSoftMarginLoss", "The multi-label one-versus-all logistic loss, averaged over the classes.",
    "    weight (Tensor, optional): a weight per class.\n",
    "input: (N, C) or (C,); target: labels in {0, 1}, broadcastable. Output: a scalar, or (N,) when "
    "reduction='none'.",
    "loss(ember.randn(3, 5), ember.tensor([[1.0, 0.0, 1.0, 0.0, 0.0]]).expand(3, 5))")
DOCS["MultiMarginLoss"] = _loss3(
    "MultiMarginLoss", "The multi-class hinge loss: per sample, the sum over the other classes i of "
    "w[y] max(0, margin - x[y] + x[i])^p, divided by C.",
    "    p (int): 1 or 2. Default: 1.\n"
    "    margin (float): Default: 1.0.\n"
    "    weight (Tensor, optional): a (C,) weight per class.\n",
    "input: (N, C) or (C,); target: int64 class indices (N,) or (). Output: a scalar, or the target's shape when "
    "reduction='none'.",
    "loss(ember.randn(3, 5), ember.tensor([1, 0, 4]))")
DOCS["MultiLabelMarginLoss"] = _loss3(
    "MultiLabelMarginLoss", "The multi-label hinge loss: per sample, the sum over its target classes j and the "
    "other classes i of max(0, 1 - (x[j] - x[i])), divided by C; a target row lists class indices, then -1.", "",
    "input: (N, C) or (C,); target: int64 of input's shape. Output: a scalar, or (N,) when reduction='none'.",
    "loss(ember.randn(2, 4), ember.tensor([[3, 0, -1, 1], [1, -1, 0, 0]]))")
DOCS["PoissonNLLLoss"] = _loss3(
    "PoissonNLLLoss", "The negative log-likelihood of a Poisson target: exp(input) - target * input (log_input), "
    "else input - target * log(input + eps); forward(log_input, target).",
    "    log_input (bool): whether the input is the log of the rate. Default: True.\n"
    "    full (bool): add Stirling's approximation of log(target!). Default: False.\n"
    "    eps (float): keeps the log finite when log_input is False. Default: 1e-08.\n",
    "input and target: broadcastable. Output: a scalar, or the broadcast shape when reduction='none'.",
    "loss(ember.randn(3, 5), ember.rand(3, 5) * 4)")
DOCS["GaussianNLLLoss"] = _loss3(
    "GaussianNLLLoss", "The negative log-likelihood of a Gaussian target: 0.5 (log var + (input - target)^2 / var), "
    "var clamped below at eps; forward(input, target, var).",
    "    full (bool, keyword-only): add the constant 0.5 log(2 pi). Default: False.\n"
    "    eps (float, keyword-only): the least variance. Default: 1e-06.\n",
    "input: (N, *) ; target: broadcastable; var: input's shape, input's shape less its last dim, one dim of size "
    "1, or a float. Output: a scalar, or the broadcast shape when reduction='none'.",
    "loss(ember.randn(3, 5), ember.randn(3, 5), ember.rand(3, 5))", legacy=False)

DOCS["Sequential"] = """A container that calls its modules in order, each on the previous one's output.

Args:
    *args (Module): the modules, in order; or one OrderedDict of name -> module.

Example::

    >>> model = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.Linear(8, 1))
    >>> model(ember.randn(2, 4)).shape
    ember.Size([2, 1])
"""
DOCS["ModuleList"] = """A list of modules, registered as children (their parameters are the container's).

Args:
    modules (iterable of Module, optional): the initial modules.

Example::

    >>> layers = ember.nn.ModuleList([ember.nn.Linear(4, 4) for _ in range(3)])
    >>> len(list(layers.parameters()))
    6
"""
DOCS["ModuleDict"] = """A dict of modules, registered as children under their keys.

Args:
    modules (mapping or iterable of (str, Module) pairs, optional): the initial modules.

Example::

    >>> heads = ember.nn.ModuleDict({"a": ember.nn.Linear(4, 2), "b": ember.nn.Linear(4, 3)})
    >>> heads["b"](ember.randn(1, 4)).shape
    ember.Size([1, 3])
"""

DOCS["Module"] = """Base of every layer and model. Subclass it as in PyTorch: assign layers, Parameters and
buffers as attributes in __init__ (after super().__init__()), and define forward.

Args:
    (none: subclasses take their own.)

Example::

    >>> class TwoLayer(ember.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = ember.nn.Linear(4, 8)
    ...         self.out = ember.nn.Linear(8, 1)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).relu())
    >>> TwoLayer()(ember.randn(2, 4)).shape
    ember.Size([2, 1])
"""
DOCS["Parameter"] = """A Tensor that a Module registers as a parameter when assigned as its attribute.

Args:
    data (Tensor, optional): the values (shared, not copied). Default: an empty tensor.
    requires_grad (bool): whether it is trained. Default: True.

Example::

    >>> w = ember.nn.Parameter(ember.zeros(3))
    >>> w.requires_grad
    True
"""


DOCS["EmbeddingBag"] = f"""Bags of rows of a lookup table, summed, averaged or max-reduced without forming each bag's
rows, as torch.nn.EmbeddingBag (torch's text-classification model: an EmbeddingBag, then Linear).

forward(input, offsets=None, per_sample_weights=None): a 2-D input (B, N) is B bags of N indices;
a 1-D input is the bags one after another, offsets (1-D, first 0) saying where each starts.
per_sample_weights (the input's shape) scale each row before the sum (mode='sum' only). The
output is (B, embedding_dim); an empty bag gives zeros.

Args:
    num_embeddings (int): the table's size.
    embedding_dim (int): the size of each row.
    max_norm (float, optional): rows looked up whose norm exceeds it are rescaled in place by
        max_norm / (norm + 1e-7).
    norm_type (float): the p of that norm. Default: 2.0.
    scale_grad_by_freq (bool): divide each row's gradient by how often the input picks it (not
        with mode='max'). Default: False.
    mode (str): 'sum', 'mean' or 'max'. Default: 'mean'.
    sparse (bool): accepted for PyTorch's code (not with mode='max'); the gradient is dense either way
        (ember has no sparse tensors). Default: False.
    _weight (Tensor, optional): the initial table (PyTorch's private argument; see from_pretrained).
    include_last_offset (bool): offsets has one more entry, the end of the last bag. Default: False.
    padding_idx (int, optional): indices left out of their bags; the row starts at zeros.
{_DEVICE_DTYPE}

Example::

    >>> m = ember.nn.EmbeddingBag(10, 3, mode="sum")
    >>> text = ember.tensor([1, 2, 4, 5, 4, 3, 2, 9])
    >>> m(text, ember.tensor([0, 4])).shape
    ember.Size([2, 3])
"""
DOCS["Bilinear"] = f"""Applies a bilinear map to two inputs: y = x1^T A x2 + b over their last dimensions.

forward(input1, input2): (*, in1_features) and (*, in2_features) with the same leading dims;
the output is (*, out_features).

Args:
    in1_features (int): the size of each input1 sample (> 0).
    in2_features (int): the size of each input2 sample.
    out_features (int): the size of each output sample.
    bias (bool): learn an additive bias. Default: True.
{_DEVICE_DTYPE}

Attributes: weight (out_features, in1_features, in2_features) and bias (out_features), both
uniform in +-1/sqrt(in1_features) at first.

Example::

    >>> m = ember.nn.Bilinear(20, 30, 40)
    >>> m(ember.randn(128, 20), ember.randn(128, 30)).shape
    ember.Size([128, 40])
"""
DOCS["GLU"] = """The gated linear unit: a * sigmoid(b), a and b the halves of the input along dim.

Args:
    dim (int): the dimension to halve (its size must be even). Default: -1.

Shape:
    Input: (*, 2 M, *). Output: (*, M, *).

Example::

    >>> m = ember.nn.GLU()
    >>> m(ember.randn(4, 2)).shape
    ember.Size([4, 1])
"""
DOCS["Hardshrink"] = _activation("Hardshrink", "x if |x| > lambd else 0",
                                 "    lambd (float): the threshold. Default: 0.5.")
DOCS["Softshrink"] = _activation("Softshrink", "x - lambd if x > lambd, x + lambd if x < -lambd, else 0",
                                 "    lambd (float): the threshold, non-negative. Default: 0.5.")
DOCS["Softmax2d"] = """Applies softmax over the channels at each spatial location: softmax along dim -3.

Args:
    (none)

Shape:
    Input: (N, C, H, W) or (C, H, W). Output: the same shape.

Example::

    >>> m = ember.nn.Softmax2d()
    >>> m(ember.randn(2, 3, 12, 13)).sum(1).allclose(ember.ones(2, 12, 13))
    True
"""
DOCS["RReLU"] = _activation(
    "RReLU", "x if x > 0 else a * x, the slope a drawn from U(lower, upper) for each element in training "
    "mode and (lower + upper) / 2 in evaluation mode",
    "    lower (float): the lower bound of the slopes. Default: 1/8.\n"
    "    upper (float): the upper bound of the slopes. Default: 1/3.\n" + _WRITES_INPUT)


DOCS["RMSNorm"] = f"""Root-mean-square normalization over the trailing dims normalized_shape:
y = x / sqrt(mean(x^2) + eps) * weight (no centering, no bias).

Args:
    normalized_shape (int or sequence of int): the trailing dims normalized together.
    eps (float, optional): added to the mean square; None: the machine epsilon of the input's
        dtype, as PyTorch's. Default: None.
    elementwise_affine (bool): learn a per-element weight (starting at ones). Default: True.
{_DEVICE_DTYPE}

Example::

    >>> m = ember.nn.RMSNorm([2, 3])
    >>> m(ember.randn(2, 2, 3)).shape
    ember.Size([2, 2, 3])
"""
DOCS["LocalResponseNorm"] = """Local response normalization across channels (AlexNet's): each channel divided by
(k + alpha / size * sum of x^2 over the size channels around it)^beta.

Args:
    size (int): the number of neighbouring channels summed.
    alpha (float): the multiplicative factor. Default: 0.0001.
    beta (float): the exponent. Default: 0.75.
    k (float): the additive factor. Default: 1.0.

Shape:
    Input: (N, C, *), 3 or more dims. Output: the same shape.

Example::

    >>> m = ember.nn.LocalResponseNorm(2)
    >>> m(ember.randn(32, 5, 24, 24)).shape
    ember.Size([32, 5, 24, 24])
"""
for _name, _inputs, _x in (("InstanceNorm1d", "(N, C, L) or (C, L)", "ember.randn(20, 100, 40)"),
                           ("InstanceNorm2d", "(N, C, H, W) or (C, H, W)", "ember.randn(20, 100, 35, 45)"),
                           ("InstanceNorm3d", "(N, C, D, H, W) or (C, D, H, W)", "ember.randn(4, 100, 5, 7, 9)")):
    DOCS[_name] = f"""Instance normalization over {_inputs} inputs: each channel of each sample normalized
over its spatial dims (biased variance), y = (x - mean) / sqrt(var + eps) * weight + bias.

Args:
    num_features (int): C, the number of channels.
    eps (float): added to the variance for stability. Default: 1e-5.
    momentum (float): the running statistics' update rate. Default: 0.1.
    affine (bool): learn a per-channel weight and bias. Default: False.
    track_running_stats (bool): keep running mean and variance (unbiased) in training and use them
        in evaluation. Default: False.
{_DEVICE_DTYPE}
    bias (bool): learn the bias (with affine). Default: True.

Example::

    >>> m = ember.nn.{_name}(100)
    >>> y = m({_x})
"""
DOCS["ChannelShuffle"] = """Shuffles the channels of an (N, C, *) input as ShuffleNet does: viewed as (groups,
C / groups), transposed, and flattened back.

Args:
    groups (int): the number of groups, dividing C.

Example::

    >>> m = ember.nn.ChannelShuffle(2)
    >>> m(ember.arange(4.).reshape(1, 4, 1, 1)).flatten()
    tensor([0., 2., 1., 3.])
"""


def apply(namespace):
    """Sets each class's __doc__ from DOCS (every name must be a class in namespace)."""
    for name, doc in DOCS.items():
        namespace[name].__doc__ = doc

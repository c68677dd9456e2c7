"""Residual networks (He et al., 2015 and 2016) with torchvision's layer and parameter names, so a
torchvision state_dict (saved as safetensors or with ember.save) loads into them unchanged.

=========  ===========================  =====================  ============  ==========
model      blocks per stage             block                  parameters    input
=========  ===========================  =====================  ============  ==========
resnet18   2, 2, 2, 2 (64 ... 512)      BasicBlock             11,689,512    3 x 224 x 224
resnet34   3, 4, 6, 3                   BasicBlock             21,797,672    3 x 224 x 224
resnet50   3, 4, 6, 3                   Bottleneck (x4 width)  25,557,032    3 x 224 x 224
resnet20   3, 3, 3 (16, 32, 64)         BasicBlock, shortcut A     269,722   3 x 32 x 32
=========  ===========================  =====================  ============  ==========

(parameter counts for 1000 classes, and 10 for resnet20.) ``model.summary((1, 3, 224, 224))``
prints every layer's output shape.
"""
import ember
from ember import nn
from ember.nn import functional as F

__all__ = ["BasicBlock", "Bottleneck", "ResNet", "CifarResNet", "resnet18", "resnet34", "resnet50", "resnet20"]


def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
    """A 3x3 convolution with padding and no bias (the blocks' main convolution)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups,
                     bias=False, dilation=dilation)


def conv1x1(in_planes, out_planes, stride=1):
    """A 1x1 convolution without bias (the projection shortcut's, and a bottleneck's)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with batch norm and ReLU, plus the input (or its projection by
    ``downsample``): relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).

    Args:
        inplanes: input channels. planes: output channels (expansion 1).
        stride: the first convolution's stride (2 halves the resolution).
        downsample: a module mapping the input to the output's shape, or None for the identity.
        groups, base_width, dilation: torchvision's; a BasicBlock supports only 1, 64 and 1.
        norm_layer: the normalization layer class (BatchNorm2d by default).

    Example::

        >>> block = BasicBlock(64, 64)
        >>> block(ember.randn(1, 64, 8, 8)).shape
        ember.Size([1, 64, 8, 8])
    """

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """A 1x1 reduction, a 3x3 convolution (with the stride, as torchvision's v1.5) and a 1x1
    expansion by 4, each with batch norm, plus the shortcut; ReLU after each and after the sum.

    Args:
        inplanes: input channels. planes: the bottleneck's channels (output: planes * 4).
        stride, downsample, groups, base_width, dilation, norm_layer: as torchvision's.

    Example::

        >>> block = Bottleneck(256, 64)
        >>> block(ember.randn(1, 256, 8, 8)).shape
        ember.Size([1, 256, 8, 8])
    """

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


def _init_weights(model, zero_init_residual):
    """torchvision's initialization: He-normal convolutions (fan_out, relu), norms at 1 and 0;
    with zero_init_residual, each block's last norm starts at 0 (the block starts as the identity)."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm if hasattr(nn, "GroupNorm") else nn.BatchNorm2d)):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)
    if zero_init_residual:
        for m in model.modules():
            if isinstance(m, Bottleneck):
                nn.init.constant_(m.bn3.weight, 0)
            elif isinstance(m, BasicBlock):
                nn.init.constant_(m.bn2.weight, 0)


class ResNet(nn.Module):
    """torchvision's ResNet for ImageNet-sized inputs: a 7x7 stride-2 stem and a 3x3 max pool,
    four stages of ``layers[i]`` blocks (64, 128, 256, 512 planes; stride 2 from the second on),
    global average pooling and a linear classifier.

    Args:
        block: BasicBlock or Bottleneck. layers: blocks per stage (four ints).
        num_classes: classifier outputs (1000).
        zero_init_residual: start each block's last norm at 0.
        groups, width_per_group: ResNeXt's widths (1 and 64 for ResNet).
        replace_stride_with_dilation: three bools, dilate stages 2 to 4 instead of striding.
        norm_layer: the normalization layer class (BatchNorm2d).

    Example::

        >>> model = ResNet(BasicBlock, [2, 2, 2, 2], num_classes=10)
        >>> model(ember.randn(1, 3, 64, 64)).shape
        ember.Size([1, 10])
    """

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1, width_per_group=64,
                 replace_stride_with_dilation=None, norm_layer=None):
        super().__init__()
        self._norm_layer = norm_layer or nn.BatchNorm2d
        self.inplanes = 64
        self.dilation = 1
        replace_stride_with_dilation = replace_stride_with_dilation or [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError("replace_stride_with_dilation should be None or a 3-element tuple, "
                             f"got {replace_stride_with_dilation}")
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = self._norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2, dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2, dilate=replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        _init_weights(self, zero_init_residual)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       norm_layer(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width, previous_dilation,
                        norm_layer)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups, base_width=self.base_width,
                                dilation=self.dilation, norm_layer=norm_layer))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(ember.flatten(self.avgpool(x), 1))


def _no_weights(weights):
    """torchvision's weights= argument: ember bundles no pretrained weights."""
    if weights is not None:
        raise NotImplementedError("ember.models bundles no pretrained weights: save torchvision's state_dict as "
                                  "safetensors and load it with model.load_state_dict(ember.load(path))")


def resnet18(*, weights=None, progress=True, num_classes=1000, **kwargs):
    """ResNet-18 (BasicBlock, [2, 2, 2, 2]) from He et al., "Deep Residual Learning for Image Recognition"
    (2015), with torchvision's layer and parameter names, so a torchvision state_dict loads into
    it; 11,689,512 parameters with 1000 classes. Inputs are (N, 3, H, W) images, 224 x 224 for
    ImageNet.

    Args:
        weights: torchvision's pretrained-weights argument; must be None (ember bundles no
            weights: load a converted state_dict instead). Default: None.
        progress (bool, optional): torchvision's download progress bar, accepted and unused.
            Default: True.
        num_classes (int, optional): the classifier's outputs. Default: 1000.
        **kwargs: passed to :class:`ResNet` (``zero_init_residual``, ``groups``,
            ``width_per_group``, ``replace_stride_with_dilation``, ``norm_layer``).

    Returns:
        ResNet: the model, freshly initialized (He-normal convolutions).

    Raises:
        NotImplementedError: ``weights`` is not None.

    Example::

        >>> ember.models.resnet18(num_classes=10)(ember.randn(1, 3, 224, 224)).shape
        ember.Size([1, 10])
    """
    _no_weights(weights)
    return ResNet(BasicBlock, [2, 2, 2, 2], num_classes=num_classes, **kwargs)


def resnet34(*, weights=None, progress=True, num_classes=1000, **kwargs):
    """ResNet-34 (BasicBlock, [3, 4, 6, 3]) from He et al., "Deep Residual Learning for Image Recognition"
    (2015), with torchvision's layer and parameter names, so a torchvision state_dict loads into
    it; 21,797,672 parameters with 1000 classes. Inputs are (N, 3, H, W) images, 224 x 224 for
    ImageNet.

    Args:
        weights: torchvision's pretrained-weights argument; must be None (ember bundles no
            weights: load a converted state_dict instead). Default: None.
        progress (bool, optional): torchvision's download progress bar, accepted and unused.
            Default: True.
        num_classes (int, optional): the classifier's outputs. Default: 1000.
        **kwargs: passed to :class:`ResNet` (``zero_init_residual``, ``groups``,
            ``width_per_group``, ``replace_stride_with_dilation``, ``norm_layer``).

    Returns:
        ResNet: the model, freshly initialized (He-normal convolutions).

    Raises:
        NotImplementedError: ``weights`` is not None.

    Example::

        >>> ember.models.resnet34().fc.out_features
        1000
    """
    _no_weights(weights)
    return ResNet(BasicBlock, [3, 4, 6, 3], num_classes=num_classes, **kwargs)


def resnet50(*, weights=None, progress=True, num_classes=1000, **kwargs):
    """ResNet-50 (Bottleneck, [3, 4, 6, 3]) from He et al., "Deep Residual Learning for Image Recognition"
    (2015), with torchvision's layer and parameter names, so a torchvision state_dict loads into
    it; 25,557,032 parameters with 1000 classes. Inputs are (N, 3, H, W) images, 224 x 224 for
    ImageNet.

    Args:
        weights: torchvision's pretrained-weights argument; must be None (ember bundles no
            weights: load a converted state_dict instead). Default: None.
        progress (bool, optional): torchvision's download progress bar, accepted and unused.
            Default: True.
        num_classes (int, optional): the classifier's outputs. Default: 1000.
        **kwargs: passed to :class:`ResNet` (``zero_init_residual``, ``groups``,
            ``width_per_group``, ``replace_stride_with_dilation``, ``norm_layer``).

    Returns:
        ResNet: the model, freshly initialized (He-normal convolutions).

    Raises:
        NotImplementedError: ``weights`` is not None.

    Example::

        >>> ember.models.resnet50().fc.in_features
        2048
    """
    _no_weights(weights)
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes=num_classes, **kwargs)


class _ShortcutA(nn.Module):
    """The CIFAR ResNets' parameter-free shortcut (option A): every other pixel, and the new
    channels zero-padded on both sides."""

    def __init__(self, planes):
        super().__init__()
        self.pad = planes // 4

    def forward(self, x):
        return F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))


class _CifarBlock(BasicBlock):
    """BasicBlock with the option-A shortcut where the shape changes (no downsample module)."""

    def __init__(self, inplanes, planes, stride=1):
        shortcut = _ShortcutA(planes) if stride != 1 or inplanes != planes else None
        super().__init__(inplanes, planes, stride)
        self.shortcut = shortcut

    def forward(self, x):
        identity = x if self.shortcut is None else self.shortcut(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class CifarResNet(nn.Module):
    """He et al.'s CIFAR ResNet (6n + 2 layers): a 3x3 stem of 16 channels, three stages of n
    BasicBlocks (16, 32, 64 channels; stride 2 from the second on) with parameter-free shortcuts,
    global average pooling and a linear classifier named ``linear``.

    Args:
        num_blocks: blocks per stage (three ints; [3, 3, 3] is ResNet-20).
        num_classes: classifier outputs (10).

    Example::

        >>> CifarResNet([1, 1, 1])(ember.randn(2, 3, 32, 32)).shape
        ember.Size([2, 10])
    """

    def __init__(self, num_blocks, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        planes, layers = 16, []
        for stage, n in enumerate(num_blocks):
            out = 16 * 2 ** stage
            blocks = []
            for i in range(n):
                blocks.append(_CifarBlock(planes, out, 2 if stage > 0 and i == 0 else 1))
                planes = out
            layers.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = layers
        self.linear = nn.Linear(64, num_classes)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.linear(ember.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def resnet20(num_classes=10):
    """The CIFAR ResNet-20 of He et al. (2015): :class:`CifarResNet` with 3 blocks per stage
    (16, 32, 64 channels) and parameter-free shortcuts, 269,722 parameters with 10 classes, for
    (N, 3, 32, 32) inputs. torchvision has no such model.

    Args:
        num_classes (int, optional): the classifier's outputs. Default: 10.

    Returns:
        CifarResNet: the model, freshly initialized.

    Example::

        >>> model = ember.models.resnet20()
        >>> model(ember.randn(2, 3, 32, 32)).shape
        ember.Size([2, 10])
        >>> sum(p.numel() for p in model.parameters())
        269722
    """
    return CifarResNet([3, 3, 3], num_classes)

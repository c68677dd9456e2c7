"""ember.models: reference networks built from ember.nn, with the parameter names of their
usual PyTorch implementations (torchvision's for the ImageNet ResNets)."""
from ember.models.resnet import (BasicBlock, Bottleneck, CifarResNet, ResNet, resnet18, resnet20,  # noqa: F401
                                 resnet34, resnet50)
from ember.models.resnet import __all__  # noqa: F401

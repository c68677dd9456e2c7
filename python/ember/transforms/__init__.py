"""ember.transforms: torchvision.transforms.v2's image transforms on ember tensors.

Each transform is a module (an ember.nn.Module, as torchvision v2's are) made from arguments
declared in C++ and run as a batched C++ kernel. It takes one image (C, H, W) or a batch
(..., C, H, W) of uint8 (0..255) or floating images and returns the same dtype; each image of a
batch draws its own random parameters from ember's generator (``ember.manual_seed`` repeats a
run exactly, whatever the thread count). ``ember.transforms.v2`` is this module, so
``import ember.transforms.v2 as T`` works as torchvision programs write it.
"""
import collections.abc
import sys

from ember._C import _transforms as _T
from ember.nn import Module as _Module
from ember.nn.modules import _layer_init
from ember.transforms._modes import InterpolationMode

# Every transform class the C++ side registered, under its own name: a new one needs no line here.
_classes = [c for c in vars(_T).values() if isinstance(c, type)]
for _cls in _classes:
    _cls.__module__ = __name__
    if "_signature" in vars(_cls):
        _cls.__init__ = _layer_init(_cls)
globals().update({c.__name__: c for c in _classes})

from ember.transforms import _docs  # noqa: E402

_docs.apply(globals())



class Compose(_Module):
    """Applies transforms one after another, as torchvision.transforms.v2.Compose.

    Args:
        transforms (sequence of callables): the transforms (any callables: ember's transforms,
            functions, lambdas). Called with several inputs, each transform gets and returns them
            all, as torchvision's.

    Example::

        >>> augment = ember.transforms.Compose([
        ...     ember.transforms.RandomHorizontalFlip(),
        ...     ember.transforms.RandomCrop(32, padding=4),
        ... ])
        >>> augment(ember.rand(8, 3, 32, 32)).shape
        ember.Size([8, 3, 32, 32])
    """

    def __init__(self, transforms):
        super().__init__()
        if not isinstance(transforms, collections.abc.Sequence):
            raise TypeError("Compose: Argument transforms should be a sequence of callables")
        if not transforms:
            raise ValueError("Compose: Pass at least one transform")
        self.transforms = transforms

    def forward(self, *inputs):
        """The inputs through every transform in turn (one input: the result; several: a tuple)."""
        needs_unpacking = len(inputs) > 1
        for transform in self.transforms:
            outputs = transform(*inputs)
            inputs = outputs if needs_unpacking else (outputs,)
        return outputs

    def extra_repr(self):
        return "\n".join(f"    {t}" for t in self.transforms)


__all__ = sorted(["Compose", "InterpolationMode", *(c.__name__ for c in _classes)])

# `import ember.transforms.v2 as T`, as torchvision programs write it.
v2 = sys.modules[__name__ + ".v2"] = sys.modules[__name__]

"""The docstrings of ember.transforms' C++ classes (what help() and the API documentation show).

The arguments' names and defaults are declared once in C++ (and read by inspect.signature); the
prose lives here, one entry per class, applied by ember.transforms.
"""

_IMAGES = """Shape:
    Input: one image (C, H, W) or images (..., C, H, W), uint8 (0..255) or floating.
    Output: {output}, the input's dtype."""

_PER_IMAGE = ("Each image of a batch draws its own parameters (torchvision v2 draws one set per call); "
              "the draws come from ember's generator, so ember.manual_seed repeats them.")

_NO_GRAD = "The input must not require grad (transforms have no gradient: apply them to data)."

DOCS = {}


def _flip(name, side):
    return f"""Flips each image {side} with probability p.

{_PER_IMAGE} {_NO_GRAD}

Args:
    p (float): probability that an image is flipped. Default: 0.5.

{_IMAGES.format(output="the same shape")}

Example::

    >>> flip = ember.transforms.{name}(p=0.5)
    >>> flip(ember.rand(8, 3, 32, 32)).shape
    ember.Size([8, 3, 32, 32])
"""


DOCS["RandomHorizontalFlip"] = _flip("RandomHorizontalFlip", "left to right")
DOCS["RandomVerticalFlip"] = _flip("RandomVerticalFlip", "top to bottom")


def apply(namespace):
    """Sets each class's __doc__ from DOCS (every name must be a class in namespace)."""
    for name, doc in DOCS.items():
        namespace[name].__doc__ = doc

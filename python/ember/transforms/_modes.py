"""InterpolationMode, as torchvision.transforms.InterpolationMode (its own module so that the C++
side can make members of it while ember.transforms is still importing)."""
import enum


class InterpolationMode(enum.Enum):
    """How a resampling transform interpolates (torchvision's names and values). ember implements
    NEAREST, NEAREST_EXACT and BILINEAR; the others raise ValueError where a transform is made.

    Args:
        value (str): the mode's name as torchvision spells it ("nearest", "nearest-exact",
            "bilinear", "bicubic", "box", "hamming", "lanczos").

    Example::

        >>> ember.transforms.Resize(16, interpolation=ember.transforms.InterpolationMode.NEAREST)
        Resize(size=[16], interpolation=InterpolationMode.NEAREST, antialias=True)
    """

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"

"""The docstrings of ember.transforms' C++ classes (what help() and the API documentation show).

The arguments' names and defaults are declared once in C++ (and read by inspect.signature); the
prose lives here, one entry per class, applied by ember.transforms.
"""

_IMAGES = """Shape:
    Input: one image (C, H, W) or (H, W) (one channel, given back without it), or images
    (..., C, H, W); uint8 (0..255) or floating.
    Output: {output}, the input's dtype."""
_COLOR_IMAGES = """Shape:
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

_SIZE = """    size (int or sequence): the crop's (h, w); an int s, or [s], is (s, s)."""
_FILL = """    fill (number or sequence): the value of pixels from outside the image, one for every
        channel or one each. Default: 0."""
_INTERPOLATION = """    interpolation (InterpolationMode): {modes}. Default: InterpolationMode.{default}."""

DOCS["RandomCrop"] = f"""Crops each image at a random place, after padding it.

{_PER_IMAGE} {_NO_GRAD}

Args:
{_SIZE}
    padding (int or sequence, optional): pixels added on every side (int), on left/right and
        top/bottom (2 values), or on left, top, right, bottom (4 values). Kept, as torchvision
        keeps it, as [left, right, top, bottom]. Default: None.
    pad_if_needed (bool): pad an image smaller than the crop by the difference on both sides
        (else such an image raises ValueError). Default: False.
{_FILL}
    padding_mode (str): 'constant' (fill), 'edge' (the border pixel), 'reflect' (mirrored
        without the border pixel) or 'symmetric' (mirrored with it), as numpy.pad's modes.
        Default: 'constant'.

{_IMAGES.format(output="(..., C, h, w)")}

Example::

    >>> crop = ember.transforms.RandomCrop(32, padding=4)
    >>> crop(ember.rand(8, 3, 32, 32)).shape
    ember.Size([8, 3, 32, 32])
"""

DOCS["CenterCrop"] = f"""Crops the center of every image; where the crop is larger than the image, the
image is first padded with zeros (as torchvision).

A view of the input where nothing is padded; its output keeps gradients.

Args:
{_SIZE}

{_IMAGES.format(output="(..., C, h, w)")}

Example::

    >>> ember.transforms.CenterCrop(24)(ember.rand(3, 32, 32)).shape
    ember.Size([3, 24, 24])
"""

_AVERAGE = """Test-time crop averaging: run the model on every crop and average its outputs.

Example::

    >>> model = ember.nn.Sequential(ember.nn.Flatten(), ember.nn.Linear(3 * 24 * 24, 10))
    >>> crops = ember.transforms.{name}(24)(ember.rand(8, 3, 32, 32))
    >>> logits = ember.stack([model(c) for c in crops]).mean(0)
    >>> logits.shape
    ember.Size([8, 10])"""

DOCS["FiveCrop"] = f"""Crops the four corners and the center of every image.

Returns a tuple of five crops (top-left, top-right, bottom-left, bottom-right, center), each a
view of the input (they keep gradients).

Args:
{_SIZE}

{_IMAGES.format(output="a tuple of 5 tensors (..., C, h, w)")}

{_AVERAGE.format(name="FiveCrop")}
"""

DOCS["TenCrop"] = f"""FiveCrop's five crops of every image, then the five of the image flipped.

Args:
{_SIZE}
    vertical_flip (bool): flip top to bottom instead of left to right. Default: False.

{_IMAGES.format(output="a tuple of 10 tensors (..., C, h, w)")}

{_AVERAGE.format(name="TenCrop")}
"""

DOCS["Resize"] = f"""Resizes every image with torch's interpolate (align_corners=False), as torchvision.

{_NO_GRAD} uint8 images go through the integer kernels (fixed-point weights, each pass rounded),
so their results are torchvision's bit for bit.

Args:
    size (int, sequence or None): (h, w); or an int s (or [s]): the smaller edge becomes s and the
        other keeps the aspect ratio; None: the longer edge becomes max_size.
{_INTERPOLATION.format(modes="NEAREST, NEAREST_EXACT, BILINEAR or BICUBIC", default="BILINEAR")}
    max_size (int, optional): the longest the longer edge may become, with an int size (the
        smaller edge then shrinks with it); required when size is None. Default: None.
    antialias (bool): with BILINEAR or BICUBIC, widen the filter by the scale when shrinking
        (torch's interpolate(antialias=True)). Default: True.

{_IMAGES.format(output="(..., C, h, w); the input itself when the size does not change")}

Example::

    >>> ember.transforms.Resize(16)(ember.rand(3, 32, 48)).shape
    ember.Size([3, 16, 24])
"""

DOCS["RandomResizedCrop"] = f"""Crops a random part of each image and resizes it to size.

The part's area is a fraction of the image's drawn from scale and its aspect ratio (w / h) is
drawn log-uniformly from ratio; after 10 draws that do not fit, the largest centered crop whose
ratio is in range (torchvision's rule). {_PER_IMAGE} {_NO_GRAD}

Args:
    size (int or sequence): the output's (h, w); an int s, or [s], is (s, s).
    scale (tuple of float): (min, max) of the area fraction. Default: (0.08, 1.0).
    ratio (tuple of float): (min, max) of the aspect ratio. Default: (3/4, 4/3).
{_INTERPOLATION.format(modes="NEAREST, NEAREST_EXACT, BILINEAR or BICUBIC", default="BILINEAR")}
    antialias (bool): as Resize's. Default: True.

{_IMAGES.format(output="(..., C, h, w)")}

Example::

    >>> ember.transforms.RandomResizedCrop(24)(ember.rand(8, 3, 32, 32)).shape
    ember.Size([8, 3, 24, 24])
"""

DOCS["RandomAffine"] = f"""Warps each image by a random affine map that keeps its center (or center) fixed.

Each image draws, in torchvision's order, an angle from degrees, a whole-pixel translation
within translate * (W, H), a scale and shears; its output pixels read the input through
torchvision's inverse matrix and sampling grid (align_corners=False). Pixels from outside the
image take fill (with BILINEAR, blended by the weight of the taps inside, as torchvision).
{_PER_IMAGE} {_NO_GRAD}

Args:
    degrees (number or sequence): a range (min, max) of angles, or d for (-d, d).
    translate (tuple, optional): (a, b): horizontal shifts up to a * W, vertical up to b * H
        pixels. Default: None (no shift).
    scale (tuple, optional): (min, max) of the scale factor. Default: None (1).
    shear (number or sequence, optional): an x-shear range (s: (-s, s); or (min, max)), or
        x- and y-shear ranges (4 values), in degrees. Default: None.
{_INTERPOLATION.format(modes="NEAREST or BILINEAR", default="NEAREST")}
{_FILL}
    center (sequence, optional): the fixed point (x, y) in pixels from the top-left corner.
        Default: None (the image's center).

{_IMAGES.format(output="the same shape")}

Example::

    >>> warp = ember.transforms.RandomAffine(15, translate=(0.1, 0.1), scale=(0.9, 1.1))
    >>> warp(ember.rand(8, 3, 32, 32)).shape
    ember.Size([8, 3, 32, 32])
"""

DOCS["RandomRotation"] = f"""Rotates each image by a random angle (counter-clockwise, in degrees).

{_PER_IMAGE} {_NO_GRAD}

Args:
    degrees (number or sequence): a range (min, max), or d for (-d, d).
{_INTERPOLATION.format(modes="NEAREST or BILINEAR", default="NEAREST")}
    expand (bool): make the output large enough for the whole rotated image; on a batch, the
        largest such size among its images, each image centered on it. Default: False.
    center (sequence, optional): the center of rotation (x, y) in pixels from the top-left
        corner. Default: None (the image's center).
{_FILL}

{_IMAGES.format(output="(..., C, H, W), or larger with expand")}

Example::

    >>> ember.transforms.RandomRotation(30)(ember.rand(8, 3, 32, 32)).shape
    ember.Size([8, 3, 32, 32])
"""

# ---- photometric (ember/data/color.h) ---------------------------------------------------------

_JITTER = """    {name} (float or (min, max), optional): the factor is drawn uniformly from
        {range} or the given (min, max); kept as that (min, max) range, None
        when it is the identity. Default: None."""

DOCS["ColorJitter"] = f"""Randomly changes the brightness, contrast, saturation and hue of each image.

torchvision's formulas: brightness blends with black (x b), contrast with the mean of the
grayscale image (0.2989 R + 0.587 G + 0.114 B), saturation with the grayscale image, hue shifts H
in HSV; results are clamped to [0, 1] (uint8: 0..255, truncated as torchvision's). The four
adjustments run in a random order per image. Float images are taken to lie in [0, 1].
{_PER_IMAGE} {_NO_GRAD}

Args:
{_JITTER.format(name="brightness", range="[max(0, 1 - brightness), 1 + brightness]")}
{_JITTER.format(name="contrast", range="[max(0, 1 - contrast), 1 + contrast]")}
{_JITTER.format(name="saturation", range="[max(0, 1 - saturation), 1 + saturation]")}
{_JITTER.format(name="hue", range="[-hue, hue] (0 <= hue <= 0.5)")}

{_COLOR_IMAGES.format(output="the same shape (C is 1 or 3)")}

Example::

    >>> jitter = ember.transforms.ColorJitter(0.4, 0.4, 0.4, 0.1)
    >>> jitter(ember.rand(8, 3, 32, 32)).shape
    ember.Size([8, 3, 32, 32])
"""

DOCS["Normalize"] = f"""(input - mean) / std per channel, written with ember ops (so it has a gradient).

Args:
    mean (sequence): the channels' means (one, or one per channel); kept as a list of floats.
    std (sequence): the channels' standard deviations (none zero).
    inplace (bool): write the result into the input. Default: False.

Shape:
    Input: (..., C, H, W), floating.
    Output: the same shape and dtype.

Example::

    >>> norm = ember.transforms.Normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])
    >>> norm(ember.full((3, 2, 2), 0.75))[0, 0, 0].item()
    1.0
"""

DOCS["GaussianNoise"] = f"""Adds Gaussian noise N(mean, sigma^2) to every pixel, as torchvision v2's.

For uint8 images the noise is (mean + N(0, 1) sigma) 255 truncated to an integer. Each image
draws its own noise from ember's generator, so ember.manual_seed repeats it at any thread count.
A floating input may require grad: the noise is added with ember ops. (ember.nn.GaussianNoise is
a different thing: a layer active in training mode only.)

Args:
    mean (float): the noise's mean (in [0, 1] units). Default: 0.0.
    sigma (float): the noise's standard deviation, non-negative. Default: 0.1.
    clip (bool): clamp the result to [0, 1] (uint8: 0..255; else uint8 wraps). Default: True.

{_IMAGES.format(output="the same shape")}

Example::

    >>> noisy = ember.transforms.GaussianNoise(sigma=0.05)(ember.rand(8, 3, 32, 32))
    >>> noisy.shape
    ember.Size([8, 3, 32, 32])
"""

DOCS["RandomErasing"] = f"""With probability p, erases a random rectangle of each image.

torchvision's rule: up to 10 tries draw an area (a fraction in `scale` of the image) and an aspect
ratio (log-uniform in `ratio`); the first box that fits inside the image is filled with `value`;
if none fits, the image is left as it is. {_PER_IMAGE} {_NO_GRAD}

Args:
    p (float): probability that an image is erased. Default: 0.5.
    scale (sequence): (min, max) of the erased fraction of the area. Default: (0.02, 0.33).
    ratio (sequence): (min, max) of the box's aspect ratio. Default: (0.3, 3.3).
    value (number, sequence or str): the fill: one value, one per channel, or 'random' (N(0, 1)
        per pixel). Kept as a list of floats. Default: 0.
    inplace (bool): write the result into the input. Default: False.

{_IMAGES.format(output="the same shape")}

Example::

    >>> erase = ember.transforms.RandomErasing(p=1.0, value=0.5)
    >>> erase(ember.rand(8, 3, 32, 32)).shape
    ember.Size([8, 3, 32, 32])
"""

# ---- label mixing (ember/data/mixing.h) -------------------------------------------------------

_MIX_CALL = """Called as ``mix(images, labels)``: images (N, C, H, W) (or (N, ..., C, H, W)), floating or uint8;
labels int64 (N,) (num_classes needed) or probabilities (N, num_classes). Image i is mixed with
image i - 1 (the batch rolled by one, as torchvision's), and returns ``(images, soft_labels)``,
soft_labels (N, num_classes) with each row weight y_i + (1 - weight) y_(i-1), weight the share of
image i that stays. Each image draws its own parameters (torchvision draws one set per batch)
from ember's generator. Images that require grad get a gradient (the mix is written with ember
ops then)."""

_MIX_LABEL_ARGS = """    num_classes (int, optional): the number of classes, for index labels. Default: None (taken
        from probability labels).
    labels_getter (str): 'default' only: the labels are the second argument. Default: 'default'."""


def _mix_example(name, args):
    return f"""Example::

    >>> mix = ember.transforms.{name}({args}num_classes=10)
    >>> images, soft = mix(ember.rand(8, 3, 32, 32), ember.randint(0, 10, (8,)))
    >>> soft.shape
    ember.Size([8, 10])
"""


DOCS["MixUp"] = f"""MixUp (Zhang et al., 2018): image i becomes lam x_i + (1 - lam) x_(i-1).

lam ~ Beta(alpha, alpha) per image; uint8 results are rounded to the nearest integer.
{_MIX_CALL}

Args:
    alpha (float): the Beta distribution's parameter, positive. Default: 1.0.
{_MIX_LABEL_ARGS}

{_mix_example("MixUp", "alpha=0.2, ")}"""

DOCS["CutMix"] = f"""CutMix (Yun et al., 2019): a box of image i is replaced by the same box of image i - 1.

Per image, lam ~ Beta(alpha, alpha) and a center drawn uniformly give a box of about (1 - lam)
of the area, clipped to the image (torchvision's rule); the label weight is the share of the
image outside the box (torchvision's lam_adjusted).
{_MIX_CALL}

Args:
    alpha (float): the Beta distribution's parameter, positive. Default: 1.0.
{_MIX_LABEL_ARGS}

{_mix_example("CutMix", "")}"""

DOCS["CowMix"] = f"""CowMix (French et al., "Milking CowMask for semi-supervised image classification"):
image i keeps the pixels of a CowMask and takes image i - 1 elsewhere.

Per image: per-pixel N(0, 1) noise is smoothed by a Gaussian filter of sigma (pixels) drawn
log-uniformly from `sigma` (radius 4 sigma, borders reflected), and thresholded at
mean + sqrt(2) std erfinv(2p - 1) of the smoothed noise, p uniform in `p`: about a proportion p
of the pixels are kept. The label weight is the mask's actual kept share, not p. Not in
torchvision; the defaults are the paper's for mixing.
{_MIX_CALL}

Args:
    sigma (sequence): (min, max) of the smoothing sigma in pixels. Default: (4.0, 16.0).
    p (sequence): (min, max) of the kept proportion, in [0, 1]. Default: (0.2, 0.8).
{_MIX_LABEL_ARGS}

{_mix_example("CowMix", "")}"""



def apply(namespace):
    """Sets each class's __doc__ from DOCS (every name must be a class in namespace)."""
    for name, doc in DOCS.items():
        namespace[name].__doc__ = doc

"""Sampling an input at arbitrary places: ``affine_grid`` and ``grid_sample``, as torch.nn.functional's
(the spatial transformer's two halves).

Both are written over ember's ops, so their gradients (to the input, to the grid, to theta) and
gradients of those come from autograd. grid_sample reads each tap with one gather per tap; its
weights follow torch's CPU kernels (products of the fractional parts; out-of-range taps read as 0
and still weighted in 2-d, skipped in 3-d), so a NaN or inf coordinate gives torch's NaN or 0.
"""
import warnings

import ember

_MODES = ("bilinear", "nearest", "bicubic")
_PADDING_MODES = ("zeros", "border", "reflection")
_ALIGN_CORNERS_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since "
                          "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
                          "documentation of grid_sample for details.")


def _shape(t):
    return list(t.shape)


def _linspace_from_neg_one(n, align_corners, dtype):
    """The n sample places of one dim in [-1, 1]: the pixels' corners (align_corners) or centres."""
    if n <= 1:
        return ember.zeros(1, dtype=dtype)
    steps = ember.linspace(-1, 1, n, dtype=dtype)
    return steps if align_corners else steps * (n - 1) / n


def affine_grid(theta, size, align_corners=None):
    r"""The sampling grid of a batch of affine maps, as torch.nn.functional.affine_grid: for each
    output pixel, the place in the input (normalized to [-1, 1]) that ``theta`` maps it from.
    With :func:`grid_sample` it makes a spatial transformer.

    Args:
        theta (Tensor): floating affine matrices, (N, 2, 3) for 2-D images or (N, 3, 4) for 3-D
            volumes.
        size (sequence of ints): the output's size, (N, C, H, W) or (N, C, D, H, W).
        align_corners (bool, optional): whether -1 and 1 are the corner pixels' centres (True) or
            their outer edges (False). Default (None): False, with torch's warning.

    Returns:
        Tensor: (N, H, W, 2) or (N, D, H, W, 3) places, x first, theta's dtype.

    Example::

        >>> theta = ember.tensor([[[1., 0., 0.], [0., 1., 0.]]])
        >>> F.affine_grid(theta, (1, 1, 2, 2), align_corners=False)
        tensor([[[[-0.5000, -0.5000],
                  [ 0.5000, -0.5000]],
        <BLANKLINE>
                 [[-0.5000,  0.5000],
                  [ 0.5000,  0.5000]]]])
    """
    if align_corners is None:
        warnings.warn(_ALIGN_CORNERS_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = [int(s) for s in size]
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
                             f"Got {theta.shape}.")
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. "
                             f"Got {theta.shape}.")
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the "
                      "documentation of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    n, nd = size[0], len(spatial)
    if theta.shape[0] != n:
        raise RuntimeError(f"affine_grid: expected theta of shape ({n}, {nd}, {nd + 1}) for size {tuple(size)}, "
                           f"got theta {tuple(theta.shape)}")
    # The base grid (*spatial, nd + 1): x along the last dim, then y, (z,) and a column of ones.
    base = ember.ones(*spatial, nd + 1, dtype=theta.dtype)
    for i, extent in enumerate(reversed(spatial)):
        steps = _linspace_from_neg_one(extent, align_corners, theta.dtype)
        base[..., i] = steps.reshape([extent] + [1] * i)
    base = base.reshape(1, -1, nd + 1).expand(n, -1, -1)
    return ember.bmm(base, theta.transpose(1, 2)).reshape(n, *spatial, nd)


def _unnormalize(coord, size, align_corners):
    """[-1, 1] to pixel units, as torch's CPU kernel computes it."""
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    return (coord + 1) * (size / 2) - 0.5


def _clip(coord, size):
    """Clamped to [0, size - 1]; the gradient is 0 where it clamps (on the bounds too), as torch's."""
    inside = (coord > 0) & (coord < size - 1)
    return ember.where(inside, coord, coord.detach().clamp(0, size - 1))


def _reflect(coord, twice_low, twice_high, folded):
    """coord mirrored at low and high until it falls between them. folded: torch's vectorized 2-D
    kernel's form (fold by the whole period, then mirror once), else its scalar kernel's (fmod).
    They differ only where coord is too large for its dtype to hold the fold exactly."""
    if twice_low == twice_high:
        return ember.zeros_like(coord)
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    if folded:
        period = 2 * span
        coord = (coord - low).abs()
        extra = coord - ember.trunc(coord.detach() / period) * period
        return ember.minimum(extra, period - extra) + low
    coord = (coord - low).abs()
    extra = ember.fmod(coord, span)
    even = ember.fmod(ember.floor(coord.detach() / span), 2) == 0
    return ember.where(even, extra + low, span - extra + low)


def _pad_coordinates(coord, size, padding_mode, align_corners, folded):
    """Where a pixel-unit coordinate reads under the padding mode ('zeros' reads it as is)."""
    if padding_mode == "border":
        return _clip(coord, size)
    if padding_mode == "reflection":
        twice_low, twice_high = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        coord = _reflect(coord, twice_low, twice_high, folded)
        return _clip(coord, size)
    return coord


class _Taps:
    """Reads input (N, C, *S) at integer places, each a list of per-dim float coordinates of shape
    (N, *O): the values (N, C, *O), 0 where a place is outside the input; times a weight (N, *O)
    when given. torch's 2-d kernels weight an outside place's 0 (a NaN weight gives NaN), its 3-d
    kernel skips the place (skip_outside)."""

    def __init__(self, input):
        self.n, self.c = input.shape[0], input.shape[1]
        self.sizes = list(input.shape[2:])
        numel = 1
        for size in self.sizes:
            numel *= size
        self.flat = input.reshape(self.n, self.c, numel)

    def read(self, places, weight=None, skip_outside=False):
        inside, index = None, None
        for coord, size, stride in zip(places, self.sizes, self._strides()):
            ok = (coord >= 0) & (coord < size)
            inside = ok if inside is None else inside & ok
            term = ember.where(ok, coord, 0).to(ember.int64) * stride
            index = term if index is None else index + term
        out_shape = list(index.shape[1:])
        count = 1
        for size in out_shape:
            count *= size
        index = ember.where(inside, index, 0).reshape(self.n, 1, count).expand(self.n, self.c, count)
        values = self.flat.gather(2, index).reshape(self.n, self.c, *out_shape)
        inside = inside.unsqueeze(1)
        if weight is None:
            return ember.where(inside, values, 0)
        if skip_outside:
            return ember.where(inside, values * weight.unsqueeze(1), 0)
        return ember.where(inside, values, 0) * weight.unsqueeze(1)

    def _strides(self):
        strides, step = [], 1
        for size in reversed(self.sizes):
            strides.append(step)
            step *= size
        return strides[::-1]


def _cubic_coefficients(t):
    """The four weights of cubic convolution (A = -0.75) at fraction t, as torch's."""
    a = -0.75

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _check_grid_sample(input, grid, mode):
    """torch's checks in torch's order: sizes first, the dtypes last (its kernel's dispatch)."""
    shapes = f"input with sizes {_shape(input)} and grid with sizes {_shape(grid)}"
    if input.dim() == 0 or grid.dim() == 0:
        raise IndexError(f"grid_sampler(): expected input and grid with a batch dim, but got {shapes}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got {shapes}")
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, but "
                           f"got grid with sizes {_shape(grid)}")
    for i in range(2, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {_shape(input)} with dimension {i} being empty")
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
                           f"but got {shapes}")
    if mode == "bicubic" and input.dim() != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have the same dtype, but got {input.dtype} "
                           f"and {grid.dtype}")
    if not input.is_floating_point():
        raise NotImplementedError(f"grid_sampler(): not implemented for {input.dtype} (floating inputs only)")


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    r"""Samples input at the places grid gives, as torch.nn.functional.grid_sample.

    ``grid[n, h, w]`` holds (x, y) in [-1, 1]: -1 is the left (top) edge of the input, 1 the
    right (bottom) one. The output's pixel (h, w) is input interpolated there. 5-D inputs take
    (x, y, z) places in a (N, D_out, H_out, W_out, 3) grid.

    Args:
        input (Tensor): (N, C, H, W) or (N, C, D, H, W), floating.
        grid (Tensor): (N, H_out, W_out, 2) or (N, D_out, H_out, W_out, 3), input's dtype.
        mode (str, optional): ``'bilinear'`` (trilinear for 5-D), ``'nearest'`` (ties to even) or
            ``'bicubic'`` (4-D only). Default: ``'bilinear'``.
        padding_mode (str, optional): what places outside the input read: ``'zeros'``,
            ``'border'`` (the nearest edge pixel) or ``'reflection'`` (mirrored at the edges).
            Default: ``'zeros'``.
        align_corners (bool, optional): whether -1 and 1 are the corner pixels' centres (True)
            or their outer edges (False). Default (None): False, with torch's warning.

    Returns:
        Tensor: (N, C, H_out, W_out) or (N, C, D_out, H_out, W_out), input's dtype.

    Example::

        >>> image = ember.tensor([[[[1., 2.], [3., 4.]]]])
        >>> grid = ember.tensor([[[[0., 0.], [-1., -1.]]]])  # the centre, the top-left corner
        >>> F.grid_sample(image, grid, align_corners=True)
        tensor([[[[2.5000, 1.0000]]]])
    """
    if not isinstance(mode, str) or mode not in _MODES:
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if not isinstance(padding_mode, str) or padding_mode not in _PADDING_MODES:
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_CORNERS_WARNING, stacklevel=2)
        align_corners = False
    for name, value in (("input", input), ("grid", grid)):
        if not isinstance(value, ember.Tensor):
            raise TypeError(f"grid_sample(): argument '{name}' must be Tensor, not {type(value).__name__}")
    _check_grid_sample(input, grid, mode)
    dtype = input.dtype
    if dtype in (ember.float16, ember.bfloat16):  # computed in float32, rounded once
        return grid_sample(input.float(), grid.float(), mode, padding_mode, align_corners).to(dtype)
    sizes = list(input.shape[2:])
    nd = len(sizes)
    # grid's last dim runs x, y(, z): reversed, so coords[i] goes with input dim 2 + i.
    coords = [_unnormalize(grid[..., nd - 1 - i], sizes[i], align_corners) for i in range(nd)]
    taps = _Taps(input)
    if mode == "bicubic":
        return _bicubic(taps, coords, sizes, padding_mode, align_corners)
    coords = [_pad_coordinates(x, s, padding_mode, align_corners, nd == 2) for x, s in zip(coords, sizes)]
    if mode == "nearest":
        return taps.read([ember.round(x.detach()) for x in coords])
    lows = [ember.floor(x.detach()) for x in coords]
    fracs = [x - low for x, low in zip(coords, lows)]
    out = None
    for corner in range(2 ** nd):  # corner's bit i: the upper neighbour along dim i
        upper = [(corner >> (nd - 1 - i)) & 1 for i in range(nd)]
        weight = None
        for frac, up in zip(fracs, upper):
            w = frac if up else 1 - frac
            weight = w if weight is None else weight * w
        term = taps.read([low + up for low, up in zip(lows, upper)], weight, skip_outside=nd == 3)
        out = term if out is None else out + term
    return out


def _bicubic(taps, coords, sizes, padding_mode, align_corners):
    """Cubic convolution over the 4 x 4 pixels around each place; each tap's place is padded on its own."""
    (y, x), (h, w) = coords, sizes
    y0, x0 = ember.floor(y.detach()), ember.floor(x.detach())
    wy, wx = _cubic_coefficients(y - y0), _cubic_coefficients(x - x0)
    out = None
    for i in range(4):
        row_place = _pad_coordinates(y0 + (i - 1), h, padding_mode, align_corners, True).detach()
        row = None
        for j in range(4):
            col_place = _pad_coordinates(x0 + (j - 1), w, padding_mode, align_corners, True).detach()
            term = taps.read([row_place, col_place], wx[j])
            row = term if row is None else row + term
        term = row * wy[i].unsqueeze(1)
        out = term if out is None else out + term
    return out

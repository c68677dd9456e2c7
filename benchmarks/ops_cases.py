"""The benchmark cases of the scatter family, mode, pdist and cdist (issue 15's op list): each a setup
function of a library module that returns the callable to time (benchmarks/run.py lists them in
CASES). NumPy rows where NumPy has the op in one call."""

from inputs import randint, randn

SCATTER_N, SCATTER_BINS = 1_000_000, 1000


def scatter_reduce_amax(m):
    """1M values reduced into 1000 bins by amax (a segment max)."""
    src, index = randn(m, SCATTER_N), randint(m, SCATTER_BINS, SCATTER_N)
    out = m.zeros(SCATTER_BINS)
    return lambda: out.scatter_reduce(0, index, src, "amax", include_self=False)


def scatter_reduce_amax_numpy(np):
    src, index = randn(np, SCATTER_N), randint(np, SCATTER_BINS, SCATTER_N)

    def run():
        out = np.full(SCATTER_BINS, -np.inf, dtype=np.float32)
        np.maximum.at(out, index, src)
        return out

    return run


def scatter_reduce_mean(m):
    src, index = randn(m, SCATTER_N), randint(m, SCATTER_BINS, SCATTER_N)
    out = m.zeros(SCATTER_BINS)
    return lambda: out.scatter_reduce(0, index, src, "mean")


def mode_rows(m):
    """mode along the last dim of 1000 rows of 1000 small integers."""
    x = m.randint(0, 50, (1000, 1000))
    return lambda: m.mode(x, 1)


def pdist_500(m):
    x = randn(m, 500, 64)
    return lambda: m.pdist(x)


def cdist_500(m):
    x, y = randn(m, 500, 64), randn(m, 400, 64)
    return lambda: m.cdist(x, y)


def spatial_transformer(m):
    """affine_grid + grid_sample (bilinear, zeros) forward and backward at the spatial transformer
    tutorial's size: 64 MNIST images, gradients to the images and theta."""
    images = randn(m, 64, 1, 28, 28).requires_grad_()
    theta = (m.eye(2, 3).expand(64, 2, 3) + 0.1 * randn(m, 64, 2, 3)).detach().requires_grad_()

    def run():
        grid = m.nn.functional.affine_grid(theta, (64, 1, 28, 28), align_corners=False)
        m.nn.functional.grid_sample(images, grid, align_corners=False).sum().backward()

    return run


def conv3d_step(m):
    """Conv3d(16, 32, 3, padding=1) forward and backward on a batch of 4 clips of 8 x 32 x 32."""
    layer = m.nn.Conv3d(16, 32, 3, padding=1)
    clips = randn(m, 4, 16, 8, 32, 32).requires_grad_()

    def run():
        layer.zero_grad()
        layer(clips).sum().backward()

    return run


def max_pool3d_step(m):
    """max_pool3d(2) forward and backward on 4 x 32 x 16 x 32 x 32."""
    volumes = randn(m, 4, 32, 16, 32, 32).requires_grad_()
    return lambda: m.nn.functional.max_pool3d(volumes, 2).sum().backward()


def ctc_step(m):
    """ctc_loss forward and backward: 200 steps, batch 16, 30 classes, targets of 30 labels."""
    logits = randn(m, 200, 16, 30).requires_grad_()
    targets = randint(m, 29, 16 * 30).reshape(16, 30) + 1
    lengths = (200,) * 16, (30,) * 16
    if m.__name__ == "torch":
        lengths = tuple(m.tensor(v) for v in lengths)

    def run():
        logits.grad = None
        m.nn.functional.ctc_loss(logits.log_softmax(2), targets, *lengths).backward()

    return run


def sn_discriminator_step(m):
    """A spectral-normalized DCGAN discriminator (32x32 RGB, batch 16) trained one Adam step:
    the parametrization's power iteration and weight division run at each layer's call."""
    nn, sn = m.nn, m.nn.utils.parametrizations.spectral_norm
    net = nn.Sequential(sn(nn.Conv2d(3, 64, 4, 2, 1)), nn.LeakyReLU(0.2), sn(nn.Conv2d(64, 128, 4, 2, 1)),
                        nn.LeakyReLU(0.2), nn.Flatten(), sn(nn.Linear(128 * 8 * 8, 1)))
    opt = m.optim.Adam(net.parameters(), lr=2e-4, betas=(0.5, 0.999))
    images = randn(m, 16, 3, 32, 32)

    def run():
        opt.zero_grad()
        net(images).mean().backward()
        opt.step()

    return run


def lstsq_2000x50(m):
    """Least squares of a tall float32 system (2000 equations, 50 unknowns, 4 right-hand sides):
    ember solves through the pseudo-inverse (an SVD), torch with LAPACK's gelsy."""
    a, b = randn(m, 2000, 50), randn(m, 2000, 4)
    if m.__name__ == "numpy":
        return lambda: m.linalg.lstsq(a, b, rcond=None)
    return lambda: m.linalg.lstsq(a, b)


def solve_triangular_500(m):
    """A float32 lower-triangular system (500 x 500, 64 right-hand sides) by substitution (BLAS trsm);
    NumPy has no triangular solver (SciPy's is one), so it has no row."""
    a = randn(m, 500, 500).tril() + 30 * m.eye(500)
    b = randn(m, 500, 64)
    return lambda: m.linalg.solve_triangular(a, b, upper=False)


def resize_antialias(m):
    """A batch of float32 images halved with the antialiased bilinear filter (8x3x256x256 to 128x128)."""
    x = randn(m, 8, 3, 256, 256)
    return lambda: m.nn.functional.interpolate(x, size=(128, 128), mode="bilinear", antialias=True)


def resize_uint8(m):
    """A uint8 RGB image resized with torch's integer bilinear kernel (3x512x512 to 224x224)."""
    x = (m.rand(1, 3, 512, 512) * 255).to(m.uint8)
    return lambda: m.nn.functional.interpolate(x, size=(224, 224), mode="bilinear", antialias=True)


def caught_shape_error(m):
    """The cost of a bad call: a matmul of mismatched shapes, raised and caught as RuntimeError."""
    a, b = m.ones(2, 3), m.ones(4, 5)

    def run():
        for _ in range(100):
            try:
                a @ b
            except RuntimeError:
                pass

    return run

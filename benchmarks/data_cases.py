"""The benchmark cases of ember.data and ember.transforms (issue 16): one epoch of a DataLoader,
the augmentation pipeline, ColorJitter, CutMix and PCAWhitening.fit, each a setup function of a
library module that returns the callable to time (benchmarks/run.py lists them in CASES)."""

from inputs import randint, randn

# One epoch of a DataLoader: over a TensorDataset of MNIST's shape (ember gathers each batch with one
# indexing op per tensor; torch indexes and stacks sample by sample), and with 2 worker processes over
# a Python Dataset whose __getitem__ does per-sample work in the library's own ops (normalize, flip
# every other image, clamp) on a 3x32x32 image. The workers start with each epoch, as by default.
LOADER_N, LOADER_WORKERS_N = 60_000, 4096


def _loader_epoch(loader):
    def run():
        for _ in loader:
            pass

    return run


def tensor_dataset_epoch(m):
    data = m.utils.data.TensorDataset(m.randn(LOADER_N, 784), m.randint(0, 10, (LOADER_N,)))
    return _loader_epoch(m.utils.data.DataLoader(data, batch_size=128, shuffle=True))


def worker_epoch(m):
    class Images(m.utils.data.Dataset):
        def __init__(self, n):
            self.x, self.y = m.randn(n, 3, 32, 32), m.randint(0, 10, (n,))
            self.mean = m.tensor([0.49, 0.48, 0.45]).reshape(3, 1, 1)
            self.std = m.tensor([0.25, 0.24, 0.26]).reshape(3, 1, 1)

        def __len__(self):
            return self.x.shape[0]

        def __getitem__(self, i):
            img = self.x[i]
            if i % 2:
                img = img.flip(-1)
            return ((img - self.mean) / self.std).clamp(-3.0, 3.0), self.y[i]

    loader = m.utils.data.DataLoader(Images(LOADER_WORKERS_N), batch_size=64, shuffle=True, num_workers=2)
    return _loader_epoch(loader)


# The augmentation pipeline: one stage per row, (name, ember transform from ember.transforms,
# torch function of a batch written with tensor ops, each image drawing its own parameters,
# vectorized over the batch). Add a stage here and the pipeline's row grows with it.
AUG_N = 256


def _flip_torch(torch):
    def flip(x):
        mask = torch.rand(x.shape[0]) < 0.5
        return torch.where(mask[:, None, None, None], x.flip(-1), x)
    return flip


def _crop_pad4_torch(torch):
    def crop(x):  # all 9x9 windows of the padded batch as a view, then each image's own one
        n, _, h, w = x.shape
        windows = torch.nn.functional.pad(x, (4, 4, 4, 4)).unfold(2, h, 1).unfold(3, w, 1)
        return windows[torch.arange(n), :, torch.randint(0, 9, (n,)), torch.randint(0, 9, (n,))]
    return crop


def _jitter_torch(torch, b=0.4, c=0.4, s=0.4):
    """ColorJitter(b, c, s) with torchvision's formulas, each image its own factors and order: per
    position of the order, the images whose adjustment there is brightness, contrast or saturation
    are gathered, adjusted as one batch and put back."""
    def gray(x):
        return (0.2989 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2]).unsqueeze(1)

    adjust = [
        lambda x, f: (x * f).clamp_(0, 1),
        lambda x, f: (f * x + (1 - f) * gray(x).mean(dim=(1, 2, 3), keepdim=True)).clamp_(0, 1),
        lambda x, f: (f * x + (1 - f) * gray(x)).clamp_(0, 1),
    ]

    def jitter(x):
        n = x.shape[0]
        factors = torch.empty(3, n, 1, 1, 1)
        for k, v in enumerate((b, c, s)):
            factors[k].uniform_(max(0.0, 1 - v), 1 + v)
        order = torch.rand(n, 3).argsort(dim=1)
        y = x.clone()
        for position in range(3):
            for op in range(3):
                idx = (order[:, position] == op).nonzero().squeeze(1)
                if idx.numel():
                    y[idx] = adjust[op](y[idx], factors[op, idx])
        return y
    return jitter


AUGMENT_STAGES = [
    ("flip", lambda T: T.RandomHorizontalFlip(), _flip_torch),
    ("crop(pad 4)", lambda T: T.RandomCrop(32, padding=4), _crop_pad4_torch),
    ("color jitter", lambda T: T.ColorJitter(0.4, 0.4, 0.4), _jitter_torch),
]


def augment_ember(m):
    import ember.transforms as T

    pipeline = T.Compose([make(T) for _, make, _ in AUGMENT_STAGES])
    x = randn(m, AUG_N, 3, 32, 32)
    return lambda: pipeline(x)


def augment_torch(torch):
    stages = [make(torch) for _, _, make in AUGMENT_STAGES]
    x = randn(torch, AUG_N, 3, 32, 32)

    def run():
        y = x
        for stage in stages:
            y = stage(y)
        return y

    return run


PCA_N, PCA_D = 10_000, 256


def pca_fit_ember(m):
    x = randn(m, PCA_N, PCA_D)
    return lambda: m.data.PCAWhitening().fit(x)


def pca_fit_tensor_ops(m):
    """The same fit written with torch ops: mean, covariance (N - 1), eigh, descending, signs."""
    x = randn(m, PCA_N, PCA_D)

    def run():
        mean = x.mean(0)
        xc = x - mean
        values, vectors = m.linalg.eigh(xc.T @ xc / (x.shape[0] - 1))
        values, vectors = values.flip(0), vectors.flip(1)
        peak = vectors.gather(0, vectors.abs().argmax(0, keepdim=True))
        return mean, (vectors * peak.sign()).T.contiguous(), values

    return run


def pca_fit_numpy(np):
    x = np.random.default_rng(0).standard_normal((PCA_N, PCA_D), dtype=np.float32)

    def run():
        mean = x.mean(0)
        xc = x - mean
        values, vectors = np.linalg.eigh(xc.T @ xc / (x.shape[0] - 1))
        return mean, vectors[:, ::-1].T.copy(), values[::-1]

    return run


def color_jitter_ember(m):
    import ember.transforms as T

    jitter, x = T.ColorJitter(0.4, 0.4, 0.4), m.rand(AUG_N, 3, 32, 32)
    return lambda: jitter(x)


def color_jitter_torch(torch):
    jitter, x = _jitter_torch(torch), torch.rand(AUG_N, 3, 32, 32)
    return lambda: jitter(x)


def cutmix_ember(m):
    import ember.transforms as T

    cutmix, x, y = T.CutMix(num_classes=10), m.rand(AUG_N, 3, 32, 32), randint(m, 10, AUG_N)
    return lambda: cutmix(x, y)


def cutmix_torch(torch):
    """CutMix as torchvision's rule, each image its own lambda and box, in vectorized tensor ops."""
    x, y = torch.rand(AUG_N, 3, 32, 32), randint(torch, 10, AUG_N)
    beta = torch.distributions.Beta(torch.tensor(1.0), torch.tensor(1.0))

    def run():
        n, _, h, w = x.shape
        lam = beta.sample((n,))
        cx, cy = torch.randint(0, w, (n,)), torch.randint(0, h, (n,))
        r = 0.5 * (1 - lam).sqrt()
        rw, rh = (r * w).long(), (r * h).long()
        x1, x2 = (cx - rw).clamp(min=0), (cx + rw).clamp(max=w)
        y1, y2 = (cy - rh).clamp(min=0), (cy + rh).clamp(max=h)
        cols, rows = torch.arange(w), torch.arange(h)
        inside = (((rows[None, :] >= y1[:, None]) & (rows[None, :] < y2[:, None]))[:, :, None]
                  & ((cols[None, :] >= x1[:, None]) & (cols[None, :] < x2[:, None]))[:, None, :])
        images = torch.where(inside[:, None], x.roll(1, 0), x)
        kept = 1 - ((x2 - x1) * (y2 - y1)).float() / (w * h)
        onehot = torch.nn.functional.one_hot(y, 10).float()
        return images, kept[:, None] * onehot + (1 - kept[:, None]) * onehot.roll(1, 0)
    return run

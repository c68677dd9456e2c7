"""ember.nn.init against torch.nn.init: gains and fans exactly, distributions by their moments and
bounds (the generators differ), shapes, errors, and the in-place contract."""
import math

import numpy as np
import pytest

import ember
from ember.nn import init

SHAPE = (400, 300)  # fan_in 300, fan_out 400: 120k draws, moments within ~1%


def _moments(t):
    a = np.asarray(t.detach(), dtype=np.float64)
    return a.mean(), a.std(), a.min(), a.max()


@pytest.mark.parametrize("nonlinearity,param", [
    ("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None), ("conv_transpose2d", None),
    ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
    ("leaky_relu", 1), ("selu", None)])
def test_calculate_gain_matches_torch(nonlinearity, param, torch):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-12)


@pytest.mark.parametrize("nonlinearity,param", [("softmax", None), ("leaky_relu", "a"), ("leaky_relu", True)])
def test_calculate_gain_rejects_like_torch(nonlinearity, param, torch):
    with pytest.raises(ValueError):
        torch.nn.init.calculate_gain(nonlinearity, param)
    with pytest.raises(ValueError):
        init.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize("shape", [(3, 4), (5, 3, 2, 2), (2, 7, 3), (0, 4)])
def test_fans_match_torch(shape, torch):
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert init._calculate_fan_in_and_fan_out(ember.empty(*shape)) == tuple(expected)


@pytest.mark.parametrize("fn", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
                                "lecun_normal_", "orthogonal_"])
def test_fewer_than_two_dims_raise(fn):
    with pytest.raises(ValueError, match="2"):
        getattr(init, fn)(ember.empty(5))


def _expected_std(name, fan_in, fan_out, **kw):
    gain = kw.get("gain", 1.0)
    if name.startswith("xavier"):
        return gain * math.sqrt(2.0 / (fan_in + fan_out))
    if name.startswith("kaiming"):
        fan = fan_in if kw.get("mode", "fan_in") == "fan_in" else fan_out
        return init.calculate_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0)) / math.sqrt(fan)
    if name == "lecun_normal_":
        return 1 / math.sqrt(fan_in)
    raise AssertionError(name)


@pytest.mark.parametrize("name,kw", [
    ("xavier_uniform_", {}), ("xavier_uniform_", {"gain": 2.0}), ("xavier_normal_", {}),
    ("kaiming_uniform_", {}), ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_normal_", {"nonlinearity": "relu"}), ("kaiming_normal_", {"mode": "fan_out"}),
    ("lecun_normal_", {})])
def test_scaled_inits_have_the_documented_spread(name, kw):
    w = ember.empty(*SHAPE)
    assert getattr(init, name)(w, **kw) is w
    mean, std, lo, hi = _moments(w)
    want = _expected_std(name, SHAPE[1], SHAPE[0], **kw)
    assert abs(mean) < 0.02 * want * 3 and std == pytest.approx(want, rel=0.02)
    if "uniform" in name:  # U(-b, b) with b = sqrt(3) * std
        bound = math.sqrt(3) * want
        assert -bound <= lo and hi <= bound and hi > 0.99 * bound


def test_kaiming_relu_is_xavier2_and_lecun_is_simple_xavier():
    """The course's names: N(0,1)·sqrt(2/fan_in) and N(0,1)·sqrt(1/fan_in)."""
    for fn, factor in [(lambda w: init.kaiming_normal_(w, nonlinearity="relu"), 2.0), (init.lecun_normal_, 1.0)]:
        w = fn(ember.empty(*SHAPE))
        assert _moments(w)[1] == pytest.approx(math.sqrt(factor / SHAPE[1]), rel=0.02)


def test_uniform_normal_constant():
    w = ember.empty(*SHAPE)
    init.uniform_(w, -0.5, 2.0)
    mean, std, lo, hi = _moments(w)
    assert -0.5 <= lo and hi < 2.0 and mean == pytest.approx(0.75, abs=0.01)
    init.normal_(w, std=0.01)  # the small-normal init
    assert _moments(w)[1] == pytest.approx(0.01, rel=0.02)
    init.normal_(w, 3.0, 2.0)
    assert _moments(w)[0] == pytest.approx(3.0, abs=0.02)
    for fn, value in [(lambda t: init.constant_(t, 0.25), 0.25), (init.zeros_, 0.0), (init.ones_, 1.0)]:
        assert np.all(np.asarray(fn(w)) == value)


@pytest.mark.parametrize("shape,gain", [((50, 20), 1.0), ((20, 50), 1.0), ((6, 4, 5), 2.0), ((8, 8), 0.5)])
def test_orthogonal(shape, gain):
    w = init.orthogonal_(ember.empty(*shape, dtype=ember.float64), gain=gain)
    q = np.asarray(w).reshape(shape[0], -1) / gain
    small = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
    np.testing.assert_allclose(small, np.eye(small.shape[0]), atol=1e-10)


def test_fills_leaves_requiring_grad_without_history():
    w = ember.empty(30, 20, requires_grad=True)
    for fn in (init.xavier_uniform_, init.kaiming_normal_, init.orthogonal_, init.zeros_):
        assert fn(w) is w
        assert w.requires_grad and w.is_leaf and w.grad_fn is None


def test_generator_makes_it_reproducible():
    a = init.kaiming_uniform_(ember.empty(20, 10), generator=ember.Generator().manual_seed(3))
    b = init.kaiming_uniform_(ember.empty(20, 10), generator=ember.Generator().manual_seed(3))
    assert ember.equal(a, b)


def test_bad_arguments():
    with pytest.raises(ValueError, match="fan_in, fan_out"):
        init.kaiming_normal_(ember.empty(3, 4), mode="fan_middle")
    with pytest.raises(ValueError, match="nonlinearity"):
        init.kaiming_normal_(ember.empty(3, 4), nonlinearity="softmax")
    with pytest.raises(TypeError, match="floating"):
        init.normal_(ember.zeros(3, 4, dtype=ember.int64))
    with pytest.raises(ValueError, match="std"):
        init.normal_(ember.empty(3, 4), std=-1.0)
    empty = ember.empty(0, 4)
    assert init.kaiming_uniform_(empty) is empty  # nothing to fill


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04), (1.0, 2.0, 0.0, 5.0),
                                             (0.0, 1.0, 0.5, 3.0)])
def test_trunc_normal_has_the_truncated_distribution(mean, std, a, b):
    """Draws lie in [a, b] with the truncated normal's mean and std (the closed forms)."""
    from math import erf, exp, pi, sqrt
    w = init.trunc_normal_(ember.empty(*SHAPE), mean, std, a, b)
    m, s, lo, hi = _moments(w)
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda x: exp(-x * x / 2) / sqrt(2 * pi)  # noqa: E731
    z = (1 + erf(beta / sqrt(2))) / 2 - (1 + erf(alpha / sqrt(2))) / 2
    expected_mean = mean + std * (pdf(alpha) - pdf(beta)) / z
    expected_var = std**2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z - ((pdf(alpha) - pdf(beta)) / z) ** 2)
    assert a <= lo and hi <= b
    assert abs(m - expected_mean) < 0.01 * std and abs(s - sqrt(expected_var)) < 0.01 * std


def test_trunc_normal_warns_far_from_its_bounds_and_keeps_dtypes(torch):
    with pytest.warns(UserWarning, match="more than 2 std"):
        init.trunc_normal_(ember.empty(10), mean=5.0, std=1.0, a=-2.0, b=2.0)
    for dt in ("float16", "bfloat16", "float64"):
        w = init.trunc_normal_(ember.empty(1000, dtype=getattr(ember, dt)), std=0.5, a=-0.5, b=0.5)
        assert w.dtype == getattr(ember, dt) and bool((w.abs() <= 0.5).all())
    with pytest.raises(TypeError, match="trunc_normal_"):
        init.trunc_normal_(ember.zeros(3, dtype=ember.int64))
    with pytest.raises(NotImplementedError):  # torch's kernel refuses integers too
        torch.nn.init.trunc_normal_(torch.zeros(3, dtype=torch.int64))


@pytest.mark.parametrize("shape, groups", [((4, 4, 3), 1), ((6, 3, 3, 3), 2), ((4, 6, 3, 2), 1), ((2, 2, 3, 4, 5), 1),
                                           ((6, 2, 5, 5), 3), ((3, 5, 1, 1), 1)])
def test_dirac_and_eye_match_torch(shape, groups, torch):
    for dt in ("float32", "int64"):
        e = init.dirac_(ember.ones(*shape, dtype=getattr(ember, dt)), groups)
        t = torch.nn.init.dirac_(torch.ones(*shape, dtype=getattr(torch, dt)), groups)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    for rows, cols in ((3, 3), (2, 5), (5, 2), (0, 3)):
        w = ember.empty(rows, cols, requires_grad=True)
        assert init.eye_(w) is w and w.requires_grad and w.grad_fn is None
        np.testing.assert_array_equal(w.detach().numpy(), torch.nn.init.eye_(torch.empty(rows, cols)).numpy())


def test_dirac_convolution_passes_its_input_through():
    conv = ember.nn.Conv2d(4, 4, 3, padding=1, groups=2, bias=False)
    init.dirac_(conv.weight, groups=2)
    x = ember.randn(2, 4, 6, 6)
    np.testing.assert_allclose(conv(x).detach().numpy(), x.numpy(), atol=1e-6)


@pytest.mark.parametrize("sparsity, zeros", [(0.3, 3), (0.0, 0), (1.0, 10), (1.5, 10), (-0.25, 8), (0.05, 1)])
def test_sparse_zeroes_ceil_sparsity_rows_of_each_column(sparsity, zeros, torch):
    """ceil(sparsity * rows) zeros per column, as torch's randperm(rows)[:k] (a negative k counts
    from the back, as the Python slice)."""
    w = init.sparse_(ember.empty(10, 300), sparsity, std=0.5)
    t = torch.nn.init.sparse_(torch.empty(10, 300), sparsity, std=0.5)
    assert (w == 0).sum(0).tolist() == (t == 0).sum(0).tolist() == [zeros] * 300
    nonzero = w.numpy()[w.numpy() != 0]
    assert nonzero.size == 0 or abs(nonzero.std() - 0.5) < 0.05


def test_new_inits_bad_inputs_match_torch(torch):
    for call in (lambda L: L.nn.init.dirac_(L.empty(3, 3)), lambda L: L.nn.init.dirac_(L.empty(3, 3, 3), groups=2),
                 lambda L: L.nn.init.eye_(L.empty(3)), lambda L: L.nn.init.sparse_(L.empty(3, 3, 3), 0.5)):
        with pytest.raises(ValueError) as expected:
            call(torch)
        with pytest.raises(ValueError) as got:
            call(ember)
        assert str(expected.value).split(",")[0].split(" (")[0] in str(got.value)


@pytest.mark.parametrize("old, args", [("uniform", ()), ("normal", ()), ("constant", (0.5,)), ("eye", ()),
                                       ("xavier_uniform", ()), ("xavier_normal", ()), ("kaiming_uniform", ()),
                                       ("kaiming_normal", ()), ("orthogonal", ()), ("sparse", (0.5,))])
def test_deprecated_names_warn_as_torch(old, args, torch):
    with pytest.warns(FutureWarning, match=f"nn.init.{old}_") as got:
        w = getattr(init, old)(ember.empty(4, 4), *args)
    with pytest.warns(FutureWarning) as expected:
        getattr(torch.nn.init, old)(torch.empty(4, 4), *args)
    assert str(got[0].message) == str(expected[0].message) and tuple(w.shape) == (4, 4)
    assert got[0].filename == __file__  # the warning points at the caller

"""A seed gives torch's random numbers: ember's CPU generator is torch's 32-bit Mersenne Twister,
read as torch's kernels read it (rand, randn and normal_ in its blocks of 16, randint, random_,
randperm, bernoulli, dropout masks, the layers' initial weights, shuffled loaders). Each test seeds
both libraries alike and wants the same values bit for bit."""
import numpy as np
import pytest

from op_db import ember

SIZES = [1, 5, 15, 16, 17, 100, 1001]
FLOATS = ["float32", "float64", "float16", "bfloat16"]


def _seeded(L, seed, f):
    L.manual_seed(seed)
    return f(L)


def _same_draws(f, torch, seed=0):
    e, t = _seeded(ember, seed, f), _seeded(torch, seed, f)
    e, t = (e if isinstance(e, (list, tuple)) else [e]), (t if isinstance(t, (list, tuple)) else [t])
    for a, b in zip(e, t):
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.double().numpy(), b.double().numpy())


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_rand_and_uniform(n, dtype, torch):
    _same_draws(lambda L: L.rand(n, dtype=getattr(L, dtype)), torch, seed=n)
    _same_draws(lambda L: L.empty(n, dtype=getattr(L, dtype)).uniform_(-0.37, 2.9), torch, seed=n + 1)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_randn_and_normal_in_blocks_of_16(n, dtype, torch):
    """torch transforms 16 or more contiguous elements 16 at a time (the last 16 redrawn); float32
    goes through its AVX2 kernel's log and sincos approximations."""
    _same_draws(lambda L: L.randn(n, dtype=getattr(L, dtype)), torch, seed=n)
    _same_draws(lambda L: L.empty(2, n, dtype=getattr(L, dtype)).normal_(0.3, 1.7), torch, seed=n + 1)


def test_many_float32_normals_and_a_strided_fill(torch):
    _same_draws(lambda L: L.randn(200_003), torch, seed=11)
    # a strided tensor takes one double normal per element, as fewer than 16 do
    _same_draws(lambda L: L.zeros(8, 6)[:, ::2].normal_(), torch, seed=12)


def test_the_spare_normal_carries_over_between_calls(torch):
    """Box-Muller gives two values; torch keeps the second in the generator for the next draw."""
    _same_draws(lambda L: [L.randn(1), L.randn(3, dtype=L.float64), L.randn(1), L.rand(2)], torch, seed=5)


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8", "float32", "float64"])
@pytest.mark.parametrize("bounds", [(0, 10), (-5, 1000), (3, 4), (0, 2 ** 40)])
def test_randint(bounds, dtype, torch):
    if bounds[1] > 2 ** 15 and dtype in ("int16", "uint8", "int32", "float32"):
        pytest.skip("a range the dtype cannot hold (torch warns for float32 past 2^24)")
    if bounds[0] < 0 and dtype == "uint8":
        pytest.skip("a negative bound for uint8")
    _same_draws(lambda L: L.randint(*bounds, (7, 9), dtype=getattr(L, dtype)), torch, seed=bounds[1])


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "bool", "float32", "float64",
                                   "float16", "bfloat16"])
def test_random_over_the_whole_range_and_given_ones(dtype, torch):
    _same_draws(lambda L: L.empty(50, dtype=getattr(L, dtype)).random_(), torch, seed=3)
    _same_draws(lambda L: L.empty(50, dtype=getattr(L, dtype)).random_(2), torch, seed=4)
    if dtype != "bool":
        _same_draws(lambda L: L.empty(50, dtype=getattr(L, dtype)).random_(3, 100), torch, seed=5)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 100, 5000])
def test_randperm(n, torch):
    _same_draws(lambda L: L.randperm(n), torch, seed=n)


def test_bernoulli_and_dropout_masks(torch):
    p = np.linspace(0, 1, 301)
    _same_draws(lambda L: L.bernoulli(L.tensor(p)), torch, seed=1)
    _same_draws(lambda L: L.bernoulli(L.tensor(p, dtype=L.float32)), torch, seed=2)
    _same_draws(lambda L: L.empty(500).bernoulli_(0.3), torch, seed=3)
    _same_draws(lambda L: L.nn.functional.dropout(L.ones(40, 50), 0.4), torch, seed=4)
    _same_draws(lambda L: L.nn.Dropout(0.25)(L.ones(7, 300)), torch, seed=5)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(5,), (100,), (3, 40), ()])
@pytest.mark.parametrize("fill", [
    lambda t: t.geometric_(0.3), lambda t: t.log_normal_(-1.0, 0.5), lambda t: t.log_normal_(),
    lambda t: t.cauchy_(0.5, 2.0),
], ids=["geometric", "log_normal", "log_normal_default", "cauchy"])
def test_the_other_distribution_fillers(fill, shape, dtype, torch):
    """geometric_, log_normal_ (its normals one by one, not in randn's blocks of 16) and cauchy_
    use torch's transforms of one draw per element."""
    _same_draws(lambda L: fill(L.zeros(shape, dtype=getattr(L, dtype))), torch, seed=3)


@pytest.mark.parametrize("call", [
    lambda L: L.empty(100, dtype=L.float64).exponential_(2.5),
    lambda L: L.empty(100).exponential_(),
    lambda L: L.stack([L.multinomial(L.tensor([0.1, 0.2, 0.3, 0.4]), 1) for _ in range(30)]),
    lambda L: L.multinomial(L.tensor([[0.5, 0.0, 2.0, 1.0], [1.0, 1.0, 1.0, 1.0]]), 3),
    lambda L: L.multinomial(L.tensor([0.1, 0.2, 0.3, 0.4], dtype=L.float64), 12, replacement=True),
], ids=["exponential", "exponential_float32", "multinomial_one", "multinomial_rows", "multinomial_replacement"])
def test_exponential_and_multinomial(call, torch):
    """One sample, or several without replacement, is the exponential race (torch's argmax/topk of
    p / exponential_), so char-RNN sampling with a seed picks torch's characters."""
    _same_draws(call, torch, seed=8)


def test_explicit_generators(torch):
    def draws(L):
        g = L.Generator().manual_seed(1234)
        return [L.rand(5, generator=g), L.randn(40, generator=g), L.randint(0, 9, (6,), generator=g),
                L.randperm(12, generator=g)]
    _same_draws(draws, torch)


@pytest.mark.parametrize("make", [
    lambda L: L.nn.Linear(20, 7),
    lambda L: L.nn.Conv2d(3, 8, 3),
    lambda L: L.nn.LSTM(6, 5, num_layers=2),
    lambda L: L.nn.Embedding(10, 4),
    lambda L: L.nn.Sequential(L.nn.Linear(784, 128), L.nn.ReLU(), L.nn.Linear(128, 10)),
], ids=["Linear", "Conv2d", "LSTM", "Embedding", "MLP"])
def test_seeded_layers_start_from_torchs_weights(make, torch):
    """torch.manual_seed(0); model = ... gives torch's initial weights, so a seeded training run
    starts where torch's does."""
    _same_draws(lambda L: [p.detach() for p in make(L).parameters()], torch, seed=0)


def test_shuffled_loader_and_random_split_follow_torchs_order(torch):
    def order(L):
        loader = L.utils.data.DataLoader(L.utils.data.TensorDataset(L.arange(50)), batch_size=8, shuffle=True)
        epochs = [L.cat([b[0] for b in loader]) for _ in range(2)]
        part = L.utils.data.random_split(range(30), [20, 10])
        return epochs + [L.tensor(list(part[0].indices))]
    _same_draws(order, torch, seed=7)


def test_state_round_trip_repeats_the_stream():
    ember.manual_seed(3)
    ember.randn(3)  # leaves a spare normal in the generator
    state = ember.get_rng_state()
    first = [ember.randn(5), ember.rand(3)]
    ember.set_rng_state(state)
    again = [ember.randn(5), ember.rand(3)]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("init", [
    lambda L, t: L.nn.init.trunc_normal_(t, std=0.02),
    lambda L, t: L.nn.init.trunc_normal_(t, mean=0.5, std=1.0, a=-0.1, b=0.2),
    lambda L, t: L.nn.init.trunc_normal_(t, mean=0.0, std=1.0, a=-0.5, b=1.0),
    lambda L, t: L.nn.init.xavier_normal_(t),
    lambda L, t: L.nn.init.kaiming_normal_(t, mode="fan_out"),
    lambda L, t: L.nn.init.sparse_(t, 0.5),
], ids=["trunc_normal_wide", "trunc_normal_narrow", "trunc_normal_mid", "xavier_normal", "kaiming_normal", "sparse"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_init_functions(init, dtype, torch):
    """trunc_normal_ is torch 2.13's rejection sampling, draw for draw (normals redrawn outside
    [a, b] when that holds over 0.3 of the mass, else uniforms accepted by the density's ratio)."""
    _same_draws(lambda L: init(L, L.empty(30, 20, dtype=getattr(L, dtype))), torch, seed=9)


def test_orthogonal_draws_torchs_matrix(torch):
    """orthogonal_ draws torch's normals; its QR (positive diagonal) is computed in float64, so the
    float32 result equals torch's LAPACK one to rounding."""
    for shape in [(6, 4), (3, 8), (5, 2, 2)]:
        e = _seeded(ember, 2, lambda L: L.nn.init.orthogonal_(L.empty(*shape)))
        t = _seeded(torch, 2, lambda L: L.nn.init.orthogonal_(L.empty(*shape)))
        np.testing.assert_allclose(e.numpy(), t.numpy(), atol=1e-6)


@pytest.mark.parametrize("call", [
    lambda L: L.normal(L.arange(20.0), L.linspace(0.5, 2, 20)),
    lambda L: L.normal(L.zeros(2, 1, dtype=L.float64), L.ones(3)),
    lambda L: L.normal(L.arange(5.0), 2.0),
    lambda L: L.normal(1.0, L.arange(40.0)),
    lambda L: L.normal(2.0, 3.0, size=(4, 5)),
], ids=["tensors", "broadcast", "tensor_mean", "tensor_std", "numbers"])
def test_normal_forms(call, torch):
    _same_draws(call, torch, seed=6)


def test_normal_tensor_forms_pass_zero_gradients_and_check_std(torch):
    mean, std = ember.zeros(3, requires_grad=True), ember.ones(3, requires_grad=True)
    ember.normal(mean, std).sum().backward()
    assert mean.grad.tolist() == [0.0] * 3 and std.grad.tolist() == [0.0] * 3
    for L in (ember, torch):
        with pytest.raises(RuntimeError, match="std >= 0"):
            L.normal(L.zeros(3), -L.ones(3))
        with pytest.raises(TypeError):
            L.normal(2.0, 3.0)


@pytest.mark.parametrize("dtype", ["int16", "uint8", "bool"])
@pytest.mark.parametrize("fill", ["exponential_", "cauchy_", "log_normal_"])
def test_continuous_fillers_refuse_integer_tensors(fill, dtype, torch):
    """exponential_, cauchy_ and log_normal_ fill floating tensors only, as torch's."""
    for L in (ember, torch):
        with pytest.raises((TypeError, RuntimeError, NotImplementedError)):
            getattr(L.zeros(2, dtype=getattr(L, dtype)), fill)()
    with pytest.raises(TypeError, match=fill):
        getattr(ember.zeros(2, dtype=getattr(ember, dtype)), fill)()

"""Generator.get_state/set_state and ember.get_rng_state/set_rng_state: a restored state repeats
every random op's stream, as torch's do; wrong states raise torch's exception types."""
import ember
import pytest


def draws(g=None):
    kw = {} if g is None else {"generator": g}
    return [
        ember.rand(3, **kw).tolist(),
        ember.randn(3, **kw).tolist(),  # odd count: the Box-Muller spare is part of the state
        ember.randint(0, 9, (4,), **kw).tolist(),
        ember.randperm(6, **kw).tolist(),
        ember.bernoulli(ember.full((8,), 0.5), **kw).tolist(),
        ember.normal(0.0, 1.0, (3,), **kw).tolist(),
        ember.empty(3).uniform_(0, 5, **kw).tolist(),
        ember.empty(3).normal_(**kw).tolist(),
        ember.multinomial(ember.ones(5), 3, **kw).tolist(),
        ember.empty((), dtype=ember.int64).random_(**kw).item(),
    ]


def test_generator_state_repeats_every_op():
    g = ember.Generator().manual_seed(3)
    draws(g)
    state = g.get_state()
    assert state.dtype == ember.uint8 and state.dim() == 1
    after = draws(g)
    assert g.set_state(state) is g
    assert draws(g) == after
    assert draws(g) != after  # the stream went on
    # another generator takes the state over, seed included
    h = ember.Generator().set_state(state)
    assert h.initial_seed() == 3 and draws(h) == after


def test_get_state_is_a_copy():
    g = ember.Generator().manual_seed(0)
    state = g.get_state()
    before = state.clone()
    draws(g)
    assert ember.equal(state, before)
    assert not ember.equal(g.get_state(), before)


def test_default_generator_state():
    ember.manual_seed(7)
    draws()
    state = ember.get_rng_state()
    after = draws()
    ember.manual_seed(123)
    ember.set_rng_state(state)
    assert draws() == after
    assert ember.initial_seed() == 7
    assert ember.equal(ember.default_generator.get_state(), ember.get_rng_state())


def test_dropout_and_init_follow_the_state():
    ember.manual_seed(0)
    state = ember.get_rng_state()
    a = ember.nn.functional.dropout(ember.ones(20), 0.5, training=True).tolist()
    w = ember.nn.Linear(4, 4).weight.tolist()
    ember.set_rng_state(state)
    assert ember.nn.functional.dropout(ember.ones(20), 0.5, training=True).tolist() == a
    assert ember.nn.Linear(4, 4).weight.tolist() == w


def test_shuffled_loader_resumes_from_generator_state():
    ds = ember.data.TensorDataset(ember.arange(20))
    g = ember.Generator().manual_seed(5)
    loader = ember.data.DataLoader(ds, batch_size=4, shuffle=True, generator=g)
    [b for b in loader]
    state = g.get_state()
    later = [[b[0].tolist() for b in loader] for _ in range(2)]
    g2 = ember.Generator().set_state(state)
    loader2 = ember.data.DataLoader(ds, batch_size=4, shuffle=True, generator=g2)
    assert [[b[0].tolist() for b in loader2] for _ in range(2)] == later


def test_bad_states_raise_as_torch():
    torch = pytest.importorskip("torch")
    g, tg = ember.Generator(), torch.Generator()
    cases = [(ember.zeros(10, dtype=ember.uint8), torch.zeros(10, dtype=torch.uint8)),
             (ember.zeros(5056), torch.zeros(5056)),
             ([1, 2], [1, 2])]
    for ours, theirs in cases:
        with pytest.raises(Exception) as expected:
            tg.set_state(theirs)
        with pytest.raises(expected.type, match="^set_state: "):
            g.set_state(ours)
        with pytest.raises(Exception) as expected:
            torch.set_rng_state(theirs)
        with pytest.raises(expected.type, match="^set_rng_state: |^set_state: "):
            ember.set_rng_state(ours)
    assert torch.get_rng_state().dtype == torch.uint8 and ember.get_rng_state().dtype == ember.uint8
    # the right size but not a state: refused, the generator untouched
    before = g.get_state()
    with pytest.raises(RuntimeError, match="not a state"):
        g.set_state(ember.zeros(before.numel(), dtype=ember.uint8))
    assert ember.equal(g.get_state(), before)
    # any shape with the right number of bytes is taken, as torch's
    g.set_state(before.reshape(2, -1))
    assert ember.equal(g.get_state(), before)


class Noisy(ember.data.Dataset):
    """A random augmentation drawn in the worker, from the seed the loader's generator gives it."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return ember.rand(1) + i


def test_worker_augmentations_resume_from_the_generator_state():
    g = ember.Generator().manual_seed(2)
    loader = ember.data.DataLoader(Noisy(), batch_size=4, shuffle=True, num_workers=2, generator=g)
    first = [b.tolist() for b in loader]
    state = g.get_state()
    second = [b.tolist() for b in loader]
    assert second != first
    g.set_state(state)
    assert [b.tolist() for b in loader] == second

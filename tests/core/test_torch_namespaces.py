"""torch's small namespaces, against torch: ember.random.fork_rng, the float32 matmul precision
setting, nn.utils.stateless.functional_call (deprecated there, a drop-in for func's), and
default_generator (the global Generator object)."""
import warnings

import pytest

import ember
from ember import nn

torch = pytest.importorskip("torch")


def test_fork_rng_restores_the_generator():
    ember.manual_seed(3)
    with ember.random.fork_rng():
        ember.rand(5)
    a = ember.rand(2)
    ember.manual_seed(3)
    assert ember.equal(ember.rand(2), a)
    with ember.random.fork_rng(enabled=False):
        ember.rand(1)
    ember.manual_seed(3)
    ember.rand(1)
    assert not ember.equal(ember.rand(2), a)  # the disabled fork let the draw through


def test_float32_matmul_precision_as_torch():
    for L in (ember, torch):
        assert L.get_float32_matmul_precision() == "highest"
        L.set_float32_matmul_precision("high")
        assert L.get_float32_matmul_precision() == "high"
        with pytest.warns(UserWarning, match="bogus is not one of 'highest', 'high', or 'medium'"):
            L.set_float32_matmul_precision("bogus")
        assert L.get_float32_matmul_precision() == "high"
        L.set_float32_matmul_precision("highest")


def test_stateless_functional_call_warns_and_calls_func():
    m = nn.Linear(2, 1, bias=False)
    with pytest.warns(FutureWarning, match="stateless.functional_call` is deprecated"):
        y = nn.utils.stateless.functional_call(m, {"weight": ember.full((1, 2), 3.0)}, (ember.ones(1, 2),))
    assert float(y) == 6.0 and not ember.equal(m.weight, ember.full((1, 2), 3.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(Exception):
            nn.utils.stateless.functional_call(m, {"nope": ember.ones(1)}, (ember.ones(1, 2),), strict=True)


def test_default_generator_is_the_global_object_as_torch():
    for L in (ember, torch):
        g = L.default_generator
        assert isinstance(g, L.Generator) and L.manual_seed(5) is g
        a = L.rand(3, generator=L.default_generator)
        g.manual_seed(5)
        assert L.equal(L.rand(3), a)

"""ember.amp against torch.amp: GradScaler on the CPU scales, unscales, skips the steps whose
gradients hold inf or NaN and moves its scale as torch's (the same parameters and scales step by
step); the CUDA forms warn and pass through as in a CPU-only torch; CPU autocast says it is not
implemented rather than running in float32 silently; ember.random.fork_rng."""
import pickle
import warnings

import numpy as np
import pytest

import ember
from ember import nn

torch = pytest.importorskip("torch")


def _train(L, steps, poison, **scaler_kwargs):
    """Steps of a small model under a CPU GradScaler; the steps in `poison` get an inf gradient."""
    L.manual_seed(0)
    model = L.nn.Linear(4, 3)
    with L.no_grad():
        model.weight.copy_(L.tensor(np.arange(12, dtype=np.float32).reshape(3, 4) / 10))
        model.bias.zero_()
    opt = L.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scaler = L.amp.GradScaler("cpu", **scaler_kwargs)
    x = L.tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4))
    trace = []
    for step in range(steps):
        opt.zero_grad()
        loss = model(x).pow(2).sum()
        scaler.scale(loss).backward()
        if step in poison:
            with L.no_grad():
                model.weight.grad[0, 0] = float("inf") if step % 2 else float("nan")
        if step % 3 == 1:  # unscale first (as for gradient clipping), then step
            scaler.unscale_(opt)
            L.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        scaler.step(opt)
        scaler.update()
        trace.append((scaler.get_scale(), scaler._get_growth_tracker(), model.weight.detach().numpy().copy()))
    return trace, scaler.state_dict()


@pytest.mark.parametrize("kwargs", [{}, dict(init_scale=8.0, growth_interval=3), dict(growth_factor=4.0,
                                                                                       backoff_factor=0.25)])
def test_grad_scaler_steps_as_torch(kwargs):
    poison = {2, 5, 6}
    mine, state_e = _train(ember, 10, poison, **kwargs)
    theirs, state_t = _train(torch, 10, poison, **kwargs)
    for (se, ge, we), (st, gt, wt) in zip(mine, theirs):
        assert (se, ge) == (st, gt)
        np.testing.assert_allclose(we, wt, rtol=1e-5, atol=1e-6)  # float32 rounding over the steps
    assert state_e == state_t


def test_grad_scaler_errors_and_state_as_torch():
    for L in (ember, torch):
        model = L.nn.Linear(2, 1)
        opt = L.optim.SGD(model.parameters(), lr=0.1)
        scaler = L.amp.GradScaler("cpu")
        with pytest.raises(AssertionError, match="but _scale is None"):
            scaler.step(opt)
        scaler.scale(model(L.ones(1, 2)).sum()).backward()
        scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called on this optimizer"):
            scaler.unscale_(opt)
        scaler.step(opt)
        with pytest.raises(RuntimeError, match="step\\(\\) has already been called since the last update"):
            scaler.step(opt)
        with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
            scaler.step(opt, closure=lambda: 0)
        scaler.update()
        with pytest.raises(AssertionError, match="The growth factor must be > 1.0."):
            L.amp.GradScaler("cpu", growth_factor=1.0)
        with pytest.raises(AssertionError, match="The backoff factor must be < 1.0."):
            L.amp.GradScaler("cpu", backoff_factor=1.0)
        fresh = L.amp.GradScaler("cpu")
        fresh.load_state_dict(scaler.state_dict())
        assert fresh.state_dict() == scaler.state_dict()
        copy = pickle.loads(pickle.dumps(scaler))
        assert copy.get_scale() == scaler.get_scale()
        scaler.update(new_scale=4.0)
        assert scaler.get_scale() == 4.0
        with pytest.raises(RuntimeError, match="The source state dict is empty"):
            fresh.load_state_dict({})
        opt2 = L.optim.SGD([L.nn.Parameter(L.ones(1))], lr=0.1)
        scaler.scale(L.ones(1, requires_grad=True).sum())
        with pytest.raises(AssertionError, match="No inf checks were recorded for this optimizer."):
            scaler.step(opt2)  # no gradients at all


def test_cuda_forms_warn_and_pass_through_as_in_a_cpu_only_torch():
    model = nn.Linear(2, 1)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    with pytest.warns(UserWarning, match="CUDA is not available"):
        scaler = ember.amp.GradScaler()
    assert not scaler.is_enabled() and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
    loss = model(ember.ones(1, 2)).sum()
    assert scaler.scale(loss) is loss
    loss.backward()
    before = model.weight.detach().clone()
    scaler.step(opt)
    scaler.update()
    assert not ember.equal(model.weight, before)  # a plain step
    with pytest.warns(UserWarning, match="CUDA is not available"):
        with ember.autocast(device_type="cuda"):
            assert not ember.amp.is_autocast_enabled()
            y = model(ember.ones(1, 2))
    assert y.dtype == ember.float32
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ember.cuda.amp.GradScaler()
        with ember.cuda.amp.autocast():
            pass
    messages = [str(w.message) for w in caught]
    assert any("`ember.cuda.amp.GradScaler(args...)` is deprecated" in m for m in messages)
    assert any("`ember.cuda.amp.autocast(args...)` is deprecated" in m for m in messages)
    from ember.cuda.amp import GradScaler, autocast  # noqa: F401  (importable, as torch.cuda.amp)


def test_cpu_autocast_is_refused_when_enabled_and_a_plain_block_when_not():
    with pytest.raises(NotImplementedError, match="mixed precision on the cpu is not implemented"):
        with ember.autocast("cpu"):
            pass
    with pytest.raises(NotImplementedError):
        with ember.amp.autocast("cpu", dtype=ember.bfloat16):
            pass

    @ember.autocast("cpu", enabled=False)
    def f(x):
        return x * 2
    assert float(f(ember.ones(1))) == 2.0
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        ember.autocast(0)
    assert ember.amp.get_autocast_dtype("cpu") == ember.bfloat16 and ember.amp.is_autocast_available("cpu")
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'meta'"):
        ember.autocast("meta")
    with pytest.warns(UserWarning, match="target dtype is not supported. Disabling autocast"):
        with ember.autocast("cpu", dtype=ember.float32):  # disabled: a plain block
            pass

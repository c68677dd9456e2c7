"""ember.optim's parameter groups and state dicts against torch.optim's: groups with their own
hyperparameters (their keys, add_param_group, hyperparameters changed between steps), and
state_dict / load_state_dict (structure, exact resumption, also through ember.save / ember.load
and across the two libraries, 0-d state cast on load, a state dict of another shape refused).

Split from test_optim.py (the trajectories); the tables and helpers the two share are in
optim_cases.py."""
import numpy as np
import pytest

import ember
from optim_cases import (
    NAMES, OTHER_WEIGHTS, RICH, RICH_CASES, STEPS, TOL, WEIGHTS, _Run, _assert_groups_match,
    _assert_params, _both_runs, _expected_keys, _id, _np, _plain, _step_both, _to_ember, _to_torch,
    _two_groups,
)

torch = pytest.importorskip("torch")


# ---- parameter groups -------------------------------------------------------------------

GROUP_CASES = [
    ("SGD", {"lr": 0.05, "momentum": 0.9}, {"lr": 0.1, "momentum": 0.5}, {"weight_decay": 1e-2, "nesterov": True}),
    ("Adagrad", {"lr": 0.1}, {"lr": 0.05, "lr_decay": 1e-2}, {"weight_decay": 1e-2, "eps": 1e-3}),
    ("RMSprop", {"lr": 0.005}, {"alpha": 0.9, "centered": True}, {"momentum": 0.9, "lr": 0.002}),
    ("Adam", {"lr": 0.01}, {"betas": (0.5, 0.9)}, {"weight_decay": 1e-2, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}, {"lr": 0.02, "weight_decay": 0.1}, {"amsgrad": True, "eps": 1e-6}),
    ("Adadelta", {"lr": 0.5}, {"rho": 0.5}, {"weight_decay": 1e-2, "eps": 1e-4}),
    ("Adamax", {"lr": 0.01}, {"betas": (0.5, 0.9)}, {"weight_decay": 1e-2}),
    ("NAdam", {"lr": 0.01}, {"momentum_decay": 0.1}, {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.01}, {"betas": (0.5, 0.9)}, {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("ASGD", {"lr": 0.05}, {"t0": 5}, {"lambd": 1e-2, "alpha": 0.5}),
]


@pytest.mark.parametrize("name,defaults,g0,g1", GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
def test_param_groups_match_torch(name, defaults, g0, g1):
    e, t = _both_runs(torch, name, defaults, params=_two_groups(g0, g1))
    _assert_groups_match(torch, e.opt.param_groups, t.opt.param_groups)
    for g, model_part in zip(e.opt.param_groups, (e.model[0], e.model[2])):
        assert all(a is b for a, b in zip(g["params"], model_part.parameters()))
    for k in _expected_keys(t.opt.defaults):
        assert _plain(torch, e.opt.defaults[k]) == _plain(torch, t.opt.defaults[k]), k
    _step_both(e, t, 30)


@pytest.mark.parametrize("name", NAMES)
def test_param_group_keys_match_torch(name):
    """Every optimizer's group holds torch's keys (less foreach/fused/capturable/differentiable),
    defaults filled in; the groups are a list of dict-like objects."""
    e, t = _both_runs(torch, name, {})
    assert isinstance(e.opt.param_groups, list) and len(e.opt.param_groups) == 1
    _assert_groups_match(torch, e.opt.param_groups, t.opt.param_groups)


@pytest.mark.parametrize("name,defaults,g0,g1", GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
def test_add_param_group(name, defaults, g0, g1):
    first = lambda model: list(model[0].parameters())  # noqa: E731
    e, t = _both_runs(torch, name, defaults, params=first)
    _step_both(e, t, 10, "(one group)", model_zero_grad=True)
    second_e, second_t = _np(e.model[2].weight), _np(t.model[2].weight)
    np.testing.assert_array_equal(second_e, WEIGHTS["2.weight"])  # not in the optimizer yet
    np.testing.assert_array_equal(second_t, WEIGHTS["2.weight"])
    for r in (e, t):
        r.opt.add_param_group({"params": list(r.model[2].parameters()), **g1})
    assert len(e.opt.param_groups) == 2
    _assert_groups_match(torch, e.opt.param_groups, t.opt.param_groups)
    _step_both(e, t, 10, "(two groups)", model_zero_grad=True)
    assert not np.array_equal(_np(e.model[2].weight), second_e)


HYPER_CASES = [
    ("SGD", {"lr": 0.05, "momentum": 0.9}, {"lr": 0.02, "momentum": 0.5, "weight_decay": 1e-2}),
    ("Adagrad", {"lr": 0.1}, {"lr": 0.05, "weight_decay": 1e-2, "lr_decay": 0.1}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.9}, {"lr": 0.002, "alpha": 0.9, "momentum": 0.5}),
    ("Adam", {"lr": 0.01}, {"lr": 0.002, "betas": (0.8, 0.99), "weight_decay": 1e-2}),
    ("AdamW", {"lr": 0.01}, {"lr": 0.002, "betas": (0.8, 0.99), "weight_decay": 0.1}),
    ("Adadelta", {"lr": 0.5}, {"lr": 0.2, "rho": 0.5, "weight_decay": 1e-2}),
    ("Adamax", {"lr": 0.01}, {"lr": 0.002, "betas": (0.8, 0.99), "eps": 1e-4}),
    ("NAdam", {"lr": 0.01}, {"lr": 0.002, "momentum_decay": 0.1, "weight_decay": 1e-2}),
    ("RAdam", {"lr": 0.01}, {"lr": 0.002, "betas": (0.5, 0.9), "decoupled_weight_decay": True, "weight_decay": 0.1}),
    ("ASGD", {"lr": 0.05, "t0": 3}, {"lr": 0.01, "lambd": 1e-2, "t0": 30}),
]


@pytest.mark.parametrize("name,kw,change", HYPER_CASES, ids=[c[0] for c in HYPER_CASES])
def test_hyperparameters_changed_between_steps(name, kw, change):
    """Writing opt.param_groups[0][key] takes effect on the next step, as in torch."""
    e, t = _both_runs(torch, name, kw)
    _step_both(e, t, 10, "(before the change)")
    for r in (e, t):
        for k, v in change.items():
            r.opt.param_groups[0][k] = v
    for k, v in change.items():
        assert _plain(torch, e.opt.param_groups[0][k]) == _plain(torch, v)
    _step_both(e, t, 10, "(after the change)")


# ---- state_dict / load_state_dict -------------------------------------------------------

STATE_CASES = [
    ("SGD", {"lr": 0.1}, set()),
    ("SGD", RICH["SGD"], {"momentum_buffer"}),
    ("Adagrad", RICH["Adagrad"], {"step", "sum"}),
    ("RMSprop", {"lr": 0.005}, {"step", "square_avg"}),
    ("RMSprop", RICH["RMSprop"], {"step", "square_avg", "momentum_buffer", "grad_avg"}),
    ("Adam", {"lr": 0.01}, {"step", "exp_avg", "exp_avg_sq"}),
    ("Adam", RICH["Adam"], {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}),
    ("AdamW", RICH["AdamW"], {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}),
]


@pytest.mark.parametrize("name,kw,state_keys", STATE_CASES, ids=[_id(n, kw) for n, kw, _ in STATE_CASES])
def test_state_dict_structure(name, kw, state_keys):
    e, t = _both_runs(torch, name, kw, params=_two_groups({}, {"lr": 0.003}))
    _step_both(e, t, 3)
    sd, sdt = e.opt.state_dict(), t.opt.state_dict()
    assert set(sd.keys()) == set(sdt.keys()) == {"state", "param_groups"}
    _assert_groups_match(torch, sd["param_groups"], sdt["param_groups"])
    assert [g["params"] for g in sd["param_groups"]] == [g["params"] for g in sdt["param_groups"]] == [[0, 1], [2, 3]]
    assert all(type(i) is int for g in sd["param_groups"] for i in g["params"])
    assert sorted(sd["state"]) == sorted(sdt["state"]) == ([] if not state_keys else [0, 1, 2, 3])
    for i, st in sdt["state"].items():
        assert set(st) == state_keys  # the harness' own expectation of torch
        assert set(sd["state"][i]) == state_keys, f"state of parameter {i}"
        for k, v in st.items():
            ve = sd["state"][i][k]
            if k != "step":
                assert isinstance(ve, ember.Tensor) and ve.dtype == ember.float64, k
            np.testing.assert_allclose(_plain(torch, ve), _plain(torch, v), err_msg=f"state[{i}][{k}]", **TOL)
    if "step" in state_keys:
        assert _plain(torch, sd["state"][0]["step"]) == 3.0


# NAdam's mu_product and ASGD's eta and mu are 0-d float32 tensors that load_state_dict casts to
# the parameter's dtype, as torch's does: a resumed float64 run then differs from an uninterrupted
# one in the last bits, in both libraries (test_scalar_state_is_cast_on_load).
SCALAR_STATE = {"NAdam": ["mu_product"], "ASGD": ["eta", "mu"]}
EXACT_RESUME_CASES = [c for c in RICH_CASES if c.values[0] not in SCALAR_STATE]


@pytest.mark.parametrize("via", ["memory", "file"])
@pytest.mark.parametrize("name,kw", EXACT_RESUME_CASES)
def test_state_dict_resumes_exactly(name, kw, via, tmp_path):
    """50 steps, state dicts saved, a fresh model + optimizer (other weights, another lr) loads
    them, 50 more steps: bit for bit the uninterrupted 100-step run (the lr is the saved one)."""
    whole = _Run(ember, name, kw)
    for _ in range(STEPS):
        whole.step()
    first = _Run(ember, name, kw)
    for _ in range(STEPS // 2):
        first.step()
    msd, osd = first.model.state_dict(), first.opt.state_dict()
    if via == "file":
        path = str(tmp_path / "checkpoint.safetensors")
        ember.save({"model": msd, "optimizer": osd, "epoch": 50}, path)
        ck = ember.load(path)
        assert ck["epoch"] == 50
        msd, osd = ck["model"], ck["optimizer"]
    second = _Run(ember, name, {**kw, "lr": 0.5}, weights=OTHER_WEIGHTS)
    second.model.load_state_dict(msd)
    second.opt.load_state_dict(osd)
    assert second.opt.param_groups[0]["lr"] == kw["lr"]
    assert all(a is b for a, b in zip(second.opt.param_groups[0]["params"], second.model.parameters()))
    for _ in range(STEPS - STEPS // 2):
        second.step()
    pw, ps = whole.params(), second.params()
    for k in pw:
        np.testing.assert_array_equal(ps[k], pw[k], err_msg=k)
    sw, ss = whole.opt.state_dict()["state"], second.opt.state_dict()["state"]
    assert set(sw) == set(ss)
    for i in sw:
        for k in sw[i]:
            np.testing.assert_array_equal(_plain(torch, ss[i][k]), _plain(torch, sw[i][k]),
                                          err_msg=f"state[{i}][{k}]")


@pytest.mark.parametrize("name", sorted(SCALAR_STATE))
def test_scalar_state_is_cast_on_load(name):
    """The 0-d states start as float32 in both libraries and take the parameter's dtype when loaded."""
    e, t = _both_runs(torch, name, RICH[name])
    for r in (e, t):
        r.step()
        for key in SCALAR_STATE[name]:
            assert r.opt.state_dict()["state"][0][key].dtype == r.lib.float32
            assert tuple(r.opt.state_dict()["state"][0][key].shape) == ()
        fresh = _Run(r.lib, name, RICH[name])
        fresh.opt.load_state_dict(r.opt.state_dict())
        for key in SCALAR_STATE[name]:
            assert fresh.opt.state_dict()["state"][0][key].dtype == r.lib.float64


def _resumed_torch(name, kw):
    """torch's run of STEPS steps, stopped halfway and resumed from its own state dicts (for most
    optimizers exactly the uninterrupted run; see SCALAR_STATE)."""
    first = _Run(torch, name, kw)
    for _ in range(STEPS // 2):
        first.step()
    whole = _Run(torch, name, kw, weights=OTHER_WEIGHTS)
    whole.model.load_state_dict(first.model.state_dict())
    whole.opt.load_state_dict(first.opt.state_dict())
    for _ in range(STEPS - STEPS // 2):
        whole.step()
    return whole


def _merge_groups(saved, own):
    """The saved groups' values for the keys the loading optimizer knows, its own for the rest."""
    return [{k: (s[k] if k in s else v) for k, v in o.items()} for s, o in zip(saved, own)]


@pytest.mark.parametrize("name,kw", RICH_CASES)
def test_ember_state_dict_resumes_in_torch(name, kw):
    """ember's state dict (tensors converted through NumPy) continued by torch gives the run torch
    resumed from its own: same names, same meaning."""
    e, whole = _Run(ember, name, kw), _resumed_torch(name, kw)
    for _ in range(STEPS // 2):
        e.step()
    t = _Run(torch, name, kw, weights=OTHER_WEIGHTS)
    t.model.load_state_dict(_to_torch(torch, dict(e.model.state_dict())))
    osd = _to_torch(torch, e.opt.state_dict())
    osd["param_groups"] = _merge_groups(osd["param_groups"], t.opt.state_dict()["param_groups"])
    t.opt.load_state_dict(osd)
    for _ in range(STEPS - STEPS // 2):
        t.step()
    _assert_params(t, whole, "(torch resumed from ember's state)")


@pytest.mark.parametrize("name,kw", RICH_CASES)
def test_torch_state_dict_resumes_in_ember(name, kw):
    """torch's state dict (tensors converted through NumPy, 'step' a 0-d tensor) continued by
    ember gives the run torch resumed from it."""
    t, whole = _Run(torch, name, kw), _resumed_torch(name, kw)
    for _ in range(STEPS // 2):
        t.step()
    e = _Run(ember, name, kw, weights=OTHER_WEIGHTS)
    e.model.load_state_dict(_to_ember(torch, dict(t.model.state_dict())))
    e.opt.load_state_dict(_to_ember(torch, t.opt.state_dict()))
    for _ in range(STEPS - STEPS // 2):
        e.step()
    _assert_params(e, whole, "(ember resumed from torch's state)")


@pytest.mark.parametrize("name", NAMES)
def test_load_state_dict_of_another_shape_raises(name):
    for lib in (ember, torch):
        two = _Run(lib, name, {}, params=_two_groups({}, {}))
        one = _Run(lib, name, {})
        half = _Run(lib, name, {}, params=lambda m: list(m[0].parameters()))
        with pytest.raises(ValueError, match="different number of parameter groups"):
            one.opt.load_state_dict(two.opt.state_dict())
        with pytest.raises(ValueError, match="size"):
            half.opt.load_state_dict(one.opt.state_dict())

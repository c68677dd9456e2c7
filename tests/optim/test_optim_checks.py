"""What ember.optim refuses, checks and guards, against torch.optim: each optimizer's Python
signature, the ValueError of a bad hyperparameter, unsupported switches (capturable,
differentiable), bad parameter lists, and ember's own guards around the fused step (parameters
marked modified for autograd, a parameter reshaped after steps, non-contiguous parameters and
gradients, hyperparameters of the wrong kind).

Split from test_optim.py (the trajectories); the tables and helpers the two share are in
optim_cases.py. The in-process and child-process bad-input sweep is test_optim_bad_inputs.py."""
import math

import numpy as np
import pytest

import ember
from optim_cases import IMPL_KEYS, NAMES, _close, _id, _loss, _model, _np, _optim

torch = pytest.importorskip("torch")


# ---- bad hyperparameters and parameters -------------------------------------------------

BAD = [
    ("SGD", {"lr": -0.1}, "learning rate"),
    ("SGD", {"lr": 0.1, "momentum": -0.5}, "momentum"),
    ("SGD", {"lr": 0.1, "weight_decay": -1e-2}, "weight_decay"),
    ("SGD", {"lr": 0.1, "nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
     "Nesterov momentum requires a momentum and zero dampening"),
    ("Adagrad", {"lr": -0.1}, "learning rate"),
    ("Adagrad", {"lr_decay": -1e-2}, "lr_decay"),
    ("Adagrad", {"weight_decay": -1e-2}, "weight_decay"),
    ("Adagrad", {"initial_accumulator_value": -0.1}, "initial_accumulator_value"),
    ("Adagrad", {"eps": -1e-10}, "epsilon"),
    ("RMSprop", {"lr": -0.1}, "learning rate"),
    ("RMSprop", {"alpha": -0.5}, "alpha"),
    ("RMSprop", {"eps": -1e-8}, "epsilon"),
    ("RMSprop", {"momentum": -0.9}, "momentum"),
    ("RMSprop", {"weight_decay": -1e-2}, "weight_decay"),
    ("Adam", {"lr": -1e-3}, "learning rate"),
    ("Adam", {"betas": (1.0, 0.999)}, "beta"),
    ("Adam", {"betas": (-0.1, 0.999)}, "beta"),
    ("Adam", {"betas": (0.9, 1.0)}, "beta"),
    ("Adam", {"betas": (0.9, -0.5)}, "beta"),
    ("Adam", {"eps": -1e-8}, "epsilon"),
    ("Adam", {"weight_decay": -1e-2}, "weight_decay"),
    ("AdamW", {"lr": -1e-3}, "learning rate"),
    ("AdamW", {"betas": (1.5, 0.999)}, "beta"),
    ("AdamW", {"betas": (0.9, 1.5)}, "beta"),
    ("AdamW", {"eps": -1e-8}, "epsilon"),
    ("AdamW", {"weight_decay": -1e-2}, "weight_decay"),
    ("Adadelta", {"lr": -1.0}, "Invalid learning rate"),
    ("Adadelta", {"rho": 1.5}, "Invalid rho value: 1.5"),
    ("Adadelta", {"rho": -0.1}, "Invalid rho value"),
    ("Adadelta", {"rho": math.nan}, "Invalid rho value"),
    ("Adadelta", {"eps": -1e-6}, "Invalid epsilon value"),
    ("Adadelta", {"weight_decay": -1e-2}, "Invalid weight_decay value"),
    ("Adamax", {"lr": -1e-3}, "Invalid learning rate"),
    ("Adamax", {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0"),
    ("Adamax", {"betas": (0.9, -0.5)}, "Invalid beta parameter at index 1"),
    ("Adamax", {"eps": -1e-8}, "Invalid epsilon value"),
    ("Adamax", {"weight_decay": -1e-2}, "Invalid weight_decay value"),
    ("NAdam", {"lr": -1e-3}, "Invalid learning rate"),
    ("NAdam", {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1"),
    ("NAdam", {"eps": -1e-8}, "Invalid epsilon value"),
    ("NAdam", {"weight_decay": -1e-2}, "Invalid weight_decay value"),
    ("NAdam", {"momentum_decay": -0.1}, "Invalid momentum_decay value: -0.1"),
    ("RAdam", {"lr": -1e-3}, "Invalid learning rate"),
    ("RAdam", {"betas": (-0.1, 0.999)}, "Invalid beta parameter at index 0"),
    ("RAdam", {"eps": -1e-8}, "Invalid epsilon value"),
    ("RAdam", {"weight_decay": -1e-2}, "Invalid weight_decay value"),
    ("ASGD", {"lr": -1e-2}, "Invalid learning rate"),
    ("ASGD", {"weight_decay": -1e-2}, "Invalid weight_decay value"),
]


def _leaf(lib, n=3):
    return lib.tensor(np.arange(1.0, n + 1), requires_grad=True)


@pytest.mark.parametrize("name,kw,word", BAD, ids=[_id(n, kw) for n, kw, _ in BAD])
def test_bad_hyperparameter_raises_value_error(name, kw, word):
    with pytest.raises(ValueError, match=word):
        getattr(torch.optim, name)([_leaf(torch)], **kw)
    with pytest.raises(ValueError, match=word):
        getattr(_optim(ember), name)([_leaf(ember)], **kw)


@pytest.mark.parametrize("name", NAMES + ["LBFGS"])
def test_signature_matches_torch(name):
    """Each optimizer's Python signature, made from its C++ fields, is torch's: the same names in
    the same positional order, the same keyword-only names, and the same defaults of the same
    types (weight_decay=0 an int, lr=1e-3 a float)."""
    import inspect

    def parts(cls):
        ps = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
        positional = [(p.name, p.default, type(p.default)) for p in ps if p.kind == p.POSITIONAL_OR_KEYWORD]
        keyword = {(p.name, p.default, type(p.default)) for p in ps if p.kind == p.KEYWORD_ONLY}
        return positional, keyword

    def drop_params_default(positional):  # 'params' has no default in either
        return [(n, None if n == "params" else d, t) for n, d, t in positional]

    pe, ke = parts(getattr(_optim(ember), name))
    pt, kt = parts(getattr(torch.optim, name))
    assert drop_params_default(pe) == drop_params_default(pt)
    assert ke == kt


@pytest.mark.parametrize("name", NAMES + ["LBFGS"])
@pytest.mark.parametrize("flag", ["capturable", "differentiable"])
def test_unsupported_switches_raise(name, flag):
    """ember's steps are fused C++ loops: CUDA-graph capture and autograd through the step are
    refused where torch's signature has the switch; foreach and fused are taken and ignored."""
    import inspect
    cls = getattr(_optim(ember), name)
    taken = inspect.signature(cls.__init__).parameters
    if flag not in taken:
        with pytest.raises(TypeError):
            cls([_leaf(ember)], **{flag: True})
        return
    with pytest.raises(ValueError, match=f"{flag}=True"):
        cls([_leaf(ember)], **{flag: True})
    opt = cls([_leaf(ember)], **{flag: False, **({"foreach": False} if "foreach" in taken else {})})
    assert flag not in opt.param_groups[0] and "foreach" not in opt.param_groups[0]


@pytest.mark.parametrize("name", NAMES)
def test_bad_params_raise(name):
    for lib in (ember, torch):
        cls = getattr(_optim(lib), name)
        p, q = _leaf(lib), _leaf(lib, 2)
        with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
            cls([])
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            cls([{"params": [p, q]}, {"params": [p]}])
        opt = cls([p])
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            opt.add_param_group({"params": [p]})
        with pytest.raises(TypeError):
            cls([p, 1.0])
        with pytest.raises(TypeError):
            cls(p)  # a tensor, not an iterable of tensors
        assert len(opt.param_groups) == 1


# ---- ember's own guards around the fused step --------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_step_marks_parameters_modified_for_autograd(name):
    """A graph that saved a parameter cannot backprop after the optimizer changed it (torch: the
    same RuntimeError), so a stale gradient is never computed silently."""
    for lib in (ember, torch):
        w = lib.ones(3, requires_grad=True)
        opt = getattr(_optim(lib), name)([w], lr=0.1)
        y = (w * w).sum()
        w.grad = lib.ones(3)
        opt.step()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam"])
def test_parameter_reshaped_after_steps_raises(name):
    """p.data replaced by a tensor of another shape or dtype after the state was made: the step
    raises (torch: a RuntimeError of mismatched sizes) instead of reading past the state."""
    kw = {"momentum": 0.9} if name == "SGD" else {}
    w = ember.ones(3, requires_grad=True)
    opt = getattr(ember.optim, name)([w], lr=0.1, **kw)
    w.grad = ember.ones(3)
    opt.step()
    w.data = ember.ones(5)
    w.grad = ember.ones(5)
    with pytest.raises(ValueError, match="state"):
        opt.step()
    w.data = ember.ones(3, dtype=ember.float64)
    w.grad = ember.ones(3, dtype=ember.float64)
    with pytest.raises(ValueError, match="state"):
        opt.step()


def test_step_on_non_contiguous_parameter_and_gradient():
    """A parameter that is a transposed view and an expanded gradient step as their contiguous
    copies would, in both libraries."""
    base = np.arange(6.0).reshape(2, 3)
    out = []
    for lib in (ember, torch):
        w = lib.tensor(base).t().detach().requires_grad_(True)
        opt = _optim(lib).Adam([w], lr=0.1)
        w.grad = lib.tensor([1.0, -2.0], dtype=lib.float64).expand(3, 2)
        opt.step()
        opt.step()
        out.append(_np(w))
    _close(out[0], out[1], "non-contiguous Adam")


@pytest.mark.parametrize("bad", [{"lr": "0.1"}, {"lr": None}, {"betas": {0.9, 0.99}}, {"eps": [1e-8]}])
def test_hyperparameters_of_the_wrong_kind_raise_type_error(bad):
    model = _model(ember)
    with pytest.raises(TypeError):
        ember.optim.Adam(model.parameters(), **bad)


def test_betas_of_the_wrong_length_raise_value_error():
    with pytest.raises(ValueError, match="pair"):
        ember.optim.Adam(_model(ember).parameters(), betas=(0.9,))


def test_changed_hyperparameter_of_the_wrong_kind_raises_at_step():
    model = _model(ember)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    _loss(ember, model).backward()
    opt.param_groups[0]["lr"] = "fast"
    with pytest.raises(TypeError, match="lr"):
        opt.step()


def test_unsupported_implementation_flags_raise():
    model = _model(ember)
    with pytest.raises(ValueError, match="differentiable"):
        ember.optim.Adam(model.parameters(), differentiable=True)
    with pytest.raises(ValueError, match="capturable"):
        ember.optim.Adam(model.parameters(), capturable=True)
    opt = ember.optim.Adam(model.parameters(), fused=True, foreach=False)  # ember's step is always fused
    assert not IMPL_KEYS & set(opt.param_groups[0])

"""ember.func and ember.autograd.functional against torch.func and torch.autograd.functional: grad
(argnums, has_aux, nesting), vjp, jvp, jacrev/jacfwd, hessian, vmap (in_dims, out_dims, nests),
functional_call and stack_module_state, and the two recipes they are used for: per-sample
gradients and model ensembles."""
import numpy as np
import pytest

import ember
import ember.autograd.functional as AF
import ember.func as EF

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
TF = torch.func
TAF = torch.autograd.functional

X = np.array([0.3, 1.2, -0.7])
Y = np.array([[0.5, -1.0], [2.0, 0.25]])


def _np(t):
    if isinstance(t, np.ndarray):
        return t
    if isinstance(t, (tuple, list)):
        return [_np(v) for v in t]
    if isinstance(t, dict):
        return {k: _np(v) for k, v in t.items()}
    return t.detach().numpy()


def _close(a, b, tol=1e-12):
    if isinstance(a, (tuple, list)):
        assert isinstance(b, (tuple, list)) and len(a) == len(b)
        for u, v in zip(a, b):
            _close(u, v, tol)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _close(a[k], b[k], tol)
    else:
        np.testing.assert_allclose(_np(a), _np(b), rtol=tol, atol=tol)


def f_scalar(L):
    return lambda x: (x.sin() * x ** 2).sum()


def f_two(L):
    return lambda x, y: (x.exp().sum() * (y ** 2).sum())


def f_vector(L):
    return lambda x: x.exp() * x[0] + x.tanh()


def test_grad_matches_torch():
    _close(EF.grad(f_scalar(ember))(ember.tensor(X)), TF.grad(f_scalar(torch))(torch.tensor(X)))
    for argnums in (0, 1, (0, 1), (1, 0)):
        e = EF.grad(f_two(ember), argnums)(ember.tensor(X), ember.tensor(Y))
        t = TF.grad(f_two(torch), argnums)(torch.tensor(X), torch.tensor(Y))
        _close(e, t)
    ge, ve = EF.grad_and_value(f_scalar(ember))(ember.tensor(X))
    gt, vt = TF.grad_and_value(f_scalar(torch))(torch.tensor(X))
    _close((ge, ve), (gt, vt))
    assert not ge.requires_grad and ge.grad_fn is None


def test_grad_has_aux_nesting_and_dicts():
    def with_aux(L):
        return lambda x: ((x ** 2).sum(), {"twice": x * 2})
    ge, aux_e = EF.grad(with_aux(ember), has_aux=True)(ember.tensor(X))
    gt, aux_t = TF.grad(with_aux(torch), has_aux=True)(torch.tensor(X))
    _close((ge, aux_e), (gt, aux_t))
    third = EF.grad(EF.grad(EF.grad(lambda x: x.sin() * x)))(ember.tensor(0.7, dtype=ember.float64))
    expected = TF.grad(TF.grad(TF.grad(lambda x: x.sin() * x)))(torch.tensor(0.7, dtype=torch.float64))
    _close(third, expected)
    params = {"w": X, "b": np.array(0.5)}
    loss = lambda L: (lambda p: ((p["w"] * 2 + p["b"]) ** 2).sum())  # noqa: E731
    _close(EF.grad(loss(ember))({k: ember.tensor(v) for k, v in params.items()}),
           TF.grad(loss(torch))({k: torch.tensor(v) for k, v in params.items()}))


def test_grad_of_a_non_scalar_is_refused():
    with pytest.raises(RuntimeError, match="scalar"):
        EF.grad(lambda x: x * 2)(ember.tensor(X))
    with pytest.raises(RuntimeError, match="argnums"):
        EF.grad(lambda x: x.sum(), argnums=2)(ember.tensor(X))


def test_vjp_and_jvp_match_torch():
    v = np.array([1.0, -2.0, 0.5])
    oe, pull = EF.vjp(f_vector(ember), ember.tensor(X))
    ot, pull_t = TF.vjp(f_vector(torch), torch.tensor(X))
    _close(oe, ot)
    _close(pull(ember.tensor(v)), pull_t(torch.tensor(v)))
    _close(EF.jvp(f_vector(ember), (ember.tensor(X),), (ember.tensor(v),)),
           TF.jvp(f_vector(torch), (torch.tensor(X),), (torch.tensor(v),)))
    _close(EF.jvp(f_two(ember), (ember.tensor(X), ember.tensor(Y)), (ember.ones(3, dtype=ember.float64),
                                                                   ember.ones(2, 2, dtype=ember.float64))),
           TF.jvp(f_two(torch), (torch.tensor(X), torch.tensor(Y)), (torch.ones(3, dtype=torch.float64),
                                                                   torch.ones(2, 2, dtype=torch.float64))))


def test_jacobians_and_hessian_match_torch():
    _close(EF.jacrev(f_vector(ember))(ember.tensor(X)), TF.jacrev(f_vector(torch))(torch.tensor(X)))
    _close(EF.jacfwd(f_vector(ember))(ember.tensor(X)), TF.jacfwd(f_vector(torch))(torch.tensor(X)))
    two_out = lambda L: (lambda x, y: (x * y.sum(), y @ y))  # noqa: E731
    _close(EF.jacrev(two_out(ember), (0, 1))(ember.tensor(X), ember.tensor(Y)),
           TF.jacrev(two_out(torch), (0, 1))(torch.tensor(X), torch.tensor(Y)))
    _close(EF.hessian(f_scalar(ember))(ember.tensor(X)), TF.hessian(f_scalar(torch))(torch.tensor(X)))
    _close(EF.hessian(f_two(ember), (0, 1))(ember.tensor(X), ember.tensor(Y)),
           TF.hessian(f_two(torch), (0, 1))(torch.tensor(X), torch.tensor(Y)))


def test_vmap_matches_torch():
    a, b = np.random.default_rng(0).standard_normal((2, 4, 3))
    _close(EF.vmap(ember.dot)(ember.tensor(a), ember.tensor(b)), TF.vmap(torch.dot)(torch.tensor(a), torch.tensor(b)))
    _close(EF.vmap(ember.mv, in_dims=(None, 0))(ember.tensor(Y), ember.tensor(a[:, :2])),
           TF.vmap(torch.mv, in_dims=(None, 0))(torch.tensor(Y), torch.tensor(a[:, :2])))
    _close(EF.vmap(lambda x: x * 2, in_dims=1, out_dims=1)(ember.tensor(a)),
           TF.vmap(lambda x: x * 2, in_dims=1, out_dims=1)(torch.tensor(a)))
    pair = lambda L: (lambda x: (x.sum(), {"sq": x ** 2}))  # noqa: E731
    _close(EF.vmap(pair(ember))(ember.tensor(a)), TF.vmap(pair(torch))(torch.tensor(a)))
    with pytest.raises(ValueError, match="same size"):
        EF.vmap(ember.dot)(ember.ones(3, 2), ember.ones(4, 2))
    with pytest.raises(ValueError):
        EF.vmap(lambda x: x, in_dims=None)(ember.ones(3))


def test_functional_call_and_per_sample_gradients_as_torch():
    """torch.func's per-sample-gradients recipe: vmap(grad(loss over functional_call))."""
    rng = np.random.default_rng(1)
    w, b = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal(2).astype(np.float32)
    xs, ys = rng.standard_normal((5, 3)).astype(np.float32), rng.standard_normal((5, 2)).astype(np.float32)
    results = []
    for L, F in ((ember, EF), (torch, TF)):
        model = L.nn.Linear(3, 2)
        params = {"weight": L.tensor(w), "bias": L.tensor(b)}

        def loss(p, x, y, L=L, model=model, F=F):
            return ((F.functional_call(model, p, (x.unsqueeze(0),)) - y) ** 2).sum()

        results.append(F.vmap(F.grad(loss), in_dims=(None, 0, 0))(params, L.tensor(xs), L.tensor(ys)))
        # the module's own parameters are back, untouched
        assert not np.allclose(_np(model.weight), w)
    _close(results[0], results[1], 1e-5)


def test_stack_module_state_and_an_ensemble_as_torch():
    rng = np.random.default_rng(2)
    weights = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(3)]
    x = rng.standard_normal((4, 3)).astype(np.float32)
    outs = []
    for L, F in ((ember, EF), (torch, TF)):
        models = [L.nn.Linear(3, 2) for _ in weights]
        with L.no_grad():
            for m, w in zip(models, weights):
                m.weight.copy_(L.tensor(w))
                m.bias.zero_()
        params, buffers = F.stack_module_state(models)
        assert tuple(params["weight"].shape) == (3, 2, 3) and params["weight"].requires_grad
        call = lambda p, bf, xb, F=F, base=models[0]: F.functional_call(base, (p, bf), (xb,))  # noqa: E731
        outs.append(F.vmap(call, in_dims=(0, 0, None))(params, buffers, L.tensor(x)))
    _close(outs[0], outs[1], 1e-6)


def test_functional_call_errors():
    m = ember.nn.Linear(2, 1)
    with pytest.raises(ValueError, match="multiple dictionaries"):
        EF.functional_call(m, ({"weight": ember.ones(1, 2)}, {"weight": ember.ones(1, 2)}), ember.ones(2))
    with pytest.raises(RuntimeError, match="missing keys"):
        EF.functional_call(m, {"weight": ember.ones(1, 2)}, ember.ones(2), strict=True)
    with pytest.raises(KeyError):
        EF.functional_call(m, {"weights": ember.ones(1, 2)}, ember.ones(2))
    assert m.weight.shape == (1, 2) and m.weight.is_leaf


@pytest.mark.parametrize("create_graph", [False, True])
def test_autograd_functional_matches_torch(create_graph):
    kw = dict(create_graph=create_graph)
    _close(AF.jacobian(f_vector(ember), ember.tensor(X), **kw), TAF.jacobian(f_vector(torch), torch.tensor(X), **kw))
    _close(AF.jacobian(f_two(ember), (ember.tensor(X), ember.tensor(Y)), **kw),
           TAF.jacobian(f_two(torch), (torch.tensor(X), torch.tensor(Y)), **kw))
    _close(AF.hessian(f_scalar(ember), ember.tensor(X), **kw), TAF.hessian(f_scalar(torch), torch.tensor(X), **kw))
    _close(AF.hessian(f_two(ember), (ember.tensor(X), ember.tensor(Y)), **kw),
           TAF.hessian(f_two(torch), (torch.tensor(X), torch.tensor(Y)), **kw))
    v = np.array([1.0, -2.0, 0.5])
    _close(AF.vjp(f_vector(ember), ember.tensor(X), ember.tensor(v), **kw),
           TAF.vjp(f_vector(torch), torch.tensor(X), torch.tensor(v), **kw))
    _close(AF.jvp(f_vector(ember), ember.tensor(X), ember.tensor(v), **kw),
           TAF.jvp(f_vector(torch), torch.tensor(X), torch.tensor(v), **kw))
    _close(AF.hvp(f_scalar(ember), ember.tensor(X), ember.tensor(v), **kw),
           TAF.hvp(f_scalar(torch), torch.tensor(X), torch.tensor(v), **kw))
    _close(AF.vhp(f_scalar(ember), ember.tensor(X), ember.tensor(v), **kw),
           TAF.vhp(f_scalar(torch), torch.tensor(X), torch.tensor(v), **kw))
    jac = AF.jacobian(f_vector(ember), ember.tensor(X, requires_grad=True), **kw)
    assert jac.requires_grad == create_graph


def test_hessian_of_a_model_loss_feeds_back_with_create_graph():
    """create_graph=True: the Hessian's trace is differentiable again (as torch's)."""
    traces = []
    for L, A in ((ember, AF), (torch, TAF)):
        x = L.tensor(X, requires_grad=True)
        h = A.hessian(lambda t, L=L: (t.sin() * t ** 2).sum(), x, create_graph=True)
        h.diagonal().sum().backward()
        traces.append(_np(x.grad))
    _close(traces[0], traces[1])

"""The margin, embedding and likelihood losses of ember.nn.functional (margin_ranking_loss,
hinge_embedding_loss, soft_margin_loss, cosine_embedding_loss, triplet_margin_loss,
triplet_margin_with_distance_loss, multilabel_soft_margin_loss, multi_margin_loss,
multilabel_margin_loss, poisson_nll_loss, gaussian_nll_loss) and torch's top-level spellings,
against torch: values, dtypes and shapes, gradients for a random cotangent, every reduction and the
legacy flags, broadcasting, dtype promotion, signatures, and the inputs torch refuses.
(The module forms are rows of tests/nn/module_db.py.)"""
import inspect
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from op_db import to_numpy
from bad_inputs import exception_type

RNG = np.random.default_rng(11)
X = RNG.standard_normal((6, 5))
X2 = RNG.standard_normal((6, 5))
X3 = RNG.standard_normal((6, 5))
V6 = RNG.standard_normal(6)
W6 = RNG.standard_normal(6)
S6 = RNG.choice([-1.0, 1.0], 6)
S65 = RNG.choice([-1.0, 1.0], (6, 5))
S5 = RNG.choice([-1.0, 1.0], 5)
B65 = RNG.integers(0, 2, (6, 5)).astype(np.float64)
W5 = RNG.uniform(0.5, 2.0, 5)
T6 = RNG.integers(0, 5, 6)
COUNTS = RNG.integers(0, 6, (6, 5)).astype(np.float64)
RATES = RNG.uniform(0.1, 3.0, (6, 5))
VAR = RNG.uniform(0.2, 2.0, (6, 5))
LABELS = np.array([[3, 0, -1, 1, 2], [1, -1, 0, 0, 0], [-1, 2, 3, 4, 0], [0, 1, 2, 3, 4], [4, 4, -1, 0, 0],
                   [2, -1, -1, -1, -1]])

REDUCTIONS = ("mean", "sum", "none")


def _lib_tensor(lib, a):
    return ember.from_numpy(a.copy()) if lib is ember else lib.from_numpy(a.copy())


def _distance(lib, kind):
    """A distance for triplet_margin_with_distance_loss, built from the library's own ops."""
    functional = ember.nn.functional if lib is ember else lib.nn.functional
    if kind == "l1":
        return lambda x, y: (x - y).abs().sum(-1)
    if kind == "cosine":
        return lambda x, y: 1.0 - functional.cosine_similarity(x, y, dim=-1)
    if kind == "module":
        return lib.nn.PairwiseDistance(p=1.0)
    raise ValueError(kind)


def _run(lib, name, args, kwargs, grads, top=False):
    """fn(*args, **kwargs) in lib (ember or torch); the NumPy float args at positions ``grads`` are
    leaves; returns (output, [their gradients]) for the cotangent seeded by the output's shape."""
    tensors, leaves = [], []
    for i, a in enumerate(args):
        if isinstance(a, np.ndarray):
            t = _lib_tensor(lib, a)
            if i in grads:
                t.requires_grad_(True)
                leaves.append(t)
            tensors.append(t)
        else:
            tensors.append(a)
    kw = {}
    for k, v in kwargs.items():
        if isinstance(v, np.ndarray):
            kw[k] = _lib_tensor(lib, v)
        elif k == "distance_function" and isinstance(v, str):
            kw[k] = _distance(lib, v)
        else:
            kw[k] = v
    fn = getattr(lib, name) if top else getattr(ember.nn.functional if lib is ember else lib.nn.functional, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(*tensors, **kw)
    if leaves:
        cot = np.random.default_rng(3).standard_normal(tuple(out.shape)).astype(to_numpy(out.detach()).dtype)
        (out * _lib_tensor(lib, np.asarray(cot))).sum().backward()
    return out, [leaf.grad for leaf in leaves]


def _np(t):
    return to_numpy(t.detach()) if hasattr(t, "detach") else np.asarray(t)


def _compare(name, args, kwargs, grads, torch, top=False, rtol=1e-7, atol=1e-9):
    out, g = _run(ember, name, args, kwargs, grads, top)
    out_t, g_t = _run(torch, name, args, kwargs, grads, top)
    assert tuple(out.shape) == tuple(out_t.shape), (tuple(out.shape), tuple(out_t.shape))
    assert str(out.dtype).split(".")[-1] == str(out_t.dtype).split(".")[-1], (out.dtype, out_t.dtype)
    np.testing.assert_allclose(_np(out), _np(out_t), rtol=rtol, atol=atol, err_msg="value")
    for i, (a, b) in enumerate(zip(g, g_t)):
        assert (a is None) == (b is None), f"gradient {i}"
        if b is not None:
            np.testing.assert_allclose(_np(a), _np(b), rtol=rtol, atol=atol, err_msg=f"gradient {i}")


def _case(name, args, kwargs=None, grads=(0, 1), id=""):
    kwargs = kwargs or {}
    return pytest.param(name, args, kwargs, grads,
                        id=f"{name}-{id or '-'.join(f'{k}={v}' for k, v in kwargs.items() if not isinstance(v, np.ndarray))}")


CASES = []
for red in REDUCTIONS:
    CASES += [
        _case("margin_ranking_loss", (V6, W6, S6), {"reduction": red}),
        _case("margin_ranking_loss", (X, X2, S65), {"margin": 0.4, "reduction": red}),
        _case("hinge_embedding_loss", (np.abs(X), S65), {"reduction": red}, grads=(0,)),
        _case("hinge_embedding_loss", (np.abs(X), S65), {"margin": 0.5, "reduction": red}, grads=(0,)),
        _case("soft_margin_loss", (X, S65), {"reduction": red}, grads=(0,)),
        _case("cosine_embedding_loss", (X, X2, S6), {"reduction": red}),
        _case("cosine_embedding_loss", (X, X2, S6), {"margin": 0.3, "reduction": red}),
        _case("triplet_margin_loss", (X, X2, X3), {"reduction": red}, grads=(0, 1, 2)),
        _case("triplet_margin_loss", (X, X2, X3), {"margin": 2.0, "p": 1.0, "swap": True, "reduction": red},
              grads=(0, 1, 2)),
        _case("triplet_margin_loss", (X, X2, X3), {"p": 3.0, "eps": 1e-3, "reduction": red}, grads=(0, 1, 2)),
        _case("triplet_margin_with_distance_loss", (X, X2, X3), {"reduction": red}, grads=(0, 1, 2)),
        _case("triplet_margin_with_distance_loss", (X, X2, X3),
              {"distance_function": "l1", "margin": 2.0, "swap": True, "reduction": red}, grads=(0, 1, 2)),
        _case("triplet_margin_with_distance_loss", (X, X2, X3),
              {"distance_function": "cosine", "margin": 0.5, "reduction": red}, grads=(0, 1, 2)),
        _case("multilabel_soft_margin_loss", (X, B65), {"reduction": red}),
        _case("multilabel_soft_margin_loss", (X, B65), {"weight": W5, "reduction": red}, id=f"weight-{red}"),
        _case("multi_margin_loss", (X, T6), {"reduction": red}, grads=(0,)),
        _case("multi_margin_loss", (X, T6), {"p": 2, "margin": 0.7, "weight": W5, "reduction": red}, grads=(0,),
              id=f"p2-weight-{red}"),
        _case("multilabel_margin_loss", (X, LABELS), {"reduction": red}, grads=(0,)),
        _case("poisson_nll_loss", (X, COUNTS), {"reduction": red}, grads=(0,)),
        _case("poisson_nll_loss", (RATES, COUNTS), {"log_input": False, "full": True, "reduction": red},
              grads=(0,)),
        _case("poisson_nll_loss", (RATES, COUNTS), {"log_input": False, "eps": 0.5, "reduction": red}, grads=(0, 1)),
        _case("gaussian_nll_loss", (X, X2, VAR), {"reduction": red}, grads=(0, 1, 2)),
        _case("gaussian_nll_loss", (X, X2, VAR), {"full": True, "eps": 0.5, "reduction": red}, grads=(0, 1, 2),
              id=f"full-eps-clamps-{red}"),
    ]
CASES += [
    # legacy flags
    _case("margin_ranking_loss", (V6, W6, S6), {"size_average": False}),
    _case("soft_margin_loss", (X, S65), {"reduce": False}, grads=(0,)),
    _case("triplet_margin_loss", (X, X2, X3), {"size_average": False, "reduce": True}, grads=(0, 1, 2)),
    _case("multi_margin_loss", (X, T6), {"reduce": False}, grads=(0,)),
    _case("multilabel_margin_loss", (X, LABELS), {"size_average": False}, grads=(0,)),
    _case("poisson_nll_loss", (X, COUNTS), {"reduce": False, "size_average": True}, grads=(0,)),
    _case("cosine_embedding_loss", (X, X2, S6), {"reduce": False}),
    _case("hinge_embedding_loss", (np.abs(X), S65), {"size_average": False}, grads=(0,)),
    _case("multilabel_soft_margin_loss", (X, B65), {"reduce": False}),
    # broadcasting
    _case("margin_ranking_loss", (X[:, :1], X2[:1], S65), {"reduction": "none"}, id="broadcast"),
    _case("hinge_embedding_loss", (np.abs(X), S5), {"reduction": "none"}, grads=(0,), id="row-target"),
    _case("soft_margin_loss", (X, S5), {"reduction": "none"}, grads=(0,), id="row-target"),
    _case("cosine_embedding_loss", (X, X2[:1], S6), {"reduction": "none"}, id="broadcast-row"),
    _case("triplet_margin_loss", (X, X2[:1], X3), {"reduction": "none"}, grads=(0, 1, 2), id="broadcast-row"),
    _case("multilabel_soft_margin_loss", (X, B65[0]), {"reduction": "none"}, id="row-target"),
    _case("multilabel_soft_margin_loss", (X, B65), {"weight": W5[:, None][:1], "reduction": "none"},
          id="weight-(1,1)"),
    _case("poisson_nll_loss", (X[:, :1], COUNTS[0]), {"reduction": "none"}, grads=(0,), id="broadcast"),
    _case("gaussian_nll_loss", (X, X2[0], VAR), {"reduction": "none"}, grads=(0, 1, 2), id="row-target"),
    _case("gaussian_nll_loss", (X, X2, VAR[:, 0]), {"reduction": "none"}, grads=(0, 1, 2), id="var-per-row"),
    _case("gaussian_nll_loss", (X, X2, VAR[:, :1]), {"reduction": "none"}, grads=(0, 1, 2), id="var-column"),
    _case("gaussian_nll_loss", (X, X2, VAR[:1]), {"reduction": "none"}, grads=(0, 1, 2), id="var-one-row"),
    _case("gaussian_nll_loss", (X, X2, 0.3), {"reduction": "none"}, grads=(0, 1), id="float-var"),
    _case("gaussian_nll_loss", (X[0], X2[0], np.array(0.5)), {}, grads=(0, 1, 2), id="1d-input-0d-var"),
    # unbatched and 0-d forms
    _case("cosine_embedding_loss", (X[0], X2[0], np.array(-1.0)), {"margin": -0.5}, id="unbatched"),
    _case("triplet_margin_loss", (X[0], X2[0], X3[0]), {"reduction": "none"}, grads=(0, 1, 2), id="unbatched"),
    _case("triplet_margin_loss", (np.array(X[0, 0]), np.array(X2[0, 0]), np.array(X3[0, 0])), {}, grads=(0, 1, 2), id="0d"),
    _case("multi_margin_loss", (X[0], np.array(2)), {"reduction": "none"}, grads=(0,), id="unbatched-0d-target"),
    _case("multi_margin_loss", (X[0], np.array([2])), {"reduction": "none"}, grads=(0,), id="unbatched-(1,)"),
    _case("multi_margin_loss", (np.array(X[0, 0]), np.array(0)), {"reduction": "none"}, grads=(0,), id="0d"),
    _case("multilabel_margin_loss", (X[0], LABELS[0]), {"reduction": "none"}, grads=(0,), id="unbatched"),
    _case("multilabel_margin_loss", (X[0, :1], np.array([0])), {"reduction": "none"}, grads=(0,), id="one-class"),
    _case("multilabel_soft_margin_loss", (X[0], B65[0]), {"reduction": "none"}, id="unbatched"),
    _case("margin_ranking_loss", (np.array(X[0, 0]), np.array(X2[0, 0]), np.array(-1.0)), {}, id="0d"),
    # targets other than +-1: hinge counts both terms, cosine neither (torch's where)
    _case("hinge_embedding_loss", (np.abs(X), np.where(S65 > 0, 0.0, S65)), {"reduction": "none"}, grads=(0,),
          id="target-0"),
    _case("cosine_embedding_loss", (X, X2, np.array([1.0, -1.0, 0.0, 2.0, 1.0, -1.0])), {"reduction": "none"},
          id="target-0-2"),
    # a zero row: cosine's epsilon keeps it finite
    _case("cosine_embedding_loss", (np.vstack([np.zeros(5), X[1:]]), X2, S6), {"reduction": "none"}, grads=(1,),
          id="zero-row"),
    # dtype promotion
    _case("margin_ranking_loss", (X.astype(np.float32), X2, S65.astype(np.float32)), {}, id="f32-f64"),
    _case("margin_ranking_loss", (T6, T6[::-1].copy(), S6.astype(np.int64)), {}, grads=(), id="int64"),
    _case("soft_margin_loss", (X.astype(np.float32), S65), {"reduction": "none"}, grads=(0,), id="f32-input-f64-target"),
    _case("soft_margin_loss", (X, S65.astype(np.int64)), {}, grads=(0,), id="int64-target"),
    _case("hinge_embedding_loss", (np.abs(X).astype(np.float32), S65.astype(np.int64)), {}, grads=(0,),
          id="int64-target"),
    _case("multilabel_soft_margin_loss", (X.astype(np.float32), B65), {}, id="f32-f64"),
    _case("multilabel_soft_margin_loss", (X, B65.astype(np.int64)), {}, grads=(0,), id="int64-target"),
    _case("poisson_nll_loss", (X.astype(np.float32), COUNTS), {}, grads=(0,), id="f32-f64"),
    _case("poisson_nll_loss", (T6.reshape(2, 3), T6.reshape(2, 3)[::-1].copy()), {"full": True}, grads=(),
          id="int64"),
    _case("gaussian_nll_loss", (X.astype(np.float32), X2, VAR), {}, grads=(0, 1, 2), id="f32-f64"),
    _case("gaussian_nll_loss", (X.astype(np.float32), X2.astype(np.float32), 0.5), {}, grads=(0, 1),
          id="f32-float-var"),
    _case("cosine_embedding_loss", (X.astype(np.float32), X2, S6), {}, id="f32-f64"),
    _case("triplet_margin_loss", (X.astype(np.float32), X2, X3), {}, grads=(0, 1, 2), id="f32-f64"),
    # empty batches ('none' and 'sum' where torch's kernels define them)
    _case("margin_ranking_loss", (V6[:0], W6[:0], S6[:0]), {"reduction": "sum"}, id="empty"),
    _case("triplet_margin_loss", (X[:0], X2[:0], X3[:0]), {"reduction": "none"}, grads=(0, 1, 2), id="empty"),
    _case("multi_margin_loss", (X[:0], T6[:0]), {"reduction": "none"}, grads=(0,), id="empty"),
    # (torch's multilabel_margin_loss sum of an empty batch is uninitialized memory: ASan showed -1.8e-06)
    _case("multilabel_margin_loss", (X[:0], LABELS[:0]), {"reduction": "none"}, grads=(0,), id="empty"),
    _case("gaussian_nll_loss", (X[:0], X2[:0], VAR[:0]), {"reduction": "sum"}, grads=(0, 1, 2), id="empty"),
]


@pytest.mark.parametrize("name,args,kwargs,grads", CASES)
def test_matches_torch(name, args, kwargs, grads, torch):
    single = any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in args)
    _compare(name, args, kwargs, grads, torch, **({"rtol": 2e-6, "atol": 1e-6} if single else {}))


def test_large_soft_margin_is_log1p_exp_as_torch(torch):
    """soft_margin_loss is torch's log1p(exp(-y x)) literally: the same overflow to inf."""
    x = np.array([-100.0, -10.0, 0.0, 10.0, 100.0], np.float32)
    _compare("soft_margin_loss", (x, np.ones(5, np.float32)), {"reduction": "none"}, (0,), torch, rtol=1e-6)


@pytest.mark.parametrize("reduction", [0, 1, 2, None], ids=["none", "mean", "sum", "default"])
@pytest.mark.parametrize("name,args,kwargs", [
    ("margin_ranking_loss", (V6, W6, S6), {"margin": 0.2}),
    ("hinge_embedding_loss", (np.abs(X), S65), {"margin": 0.5}),
    ("cosine_embedding_loss", (X, X2, S6), {"margin": 0.1}),
    ("triplet_margin_loss", (X, X2, X3), {"margin": 1.5, "p": 1.0, "eps": 1e-4, "swap": True}),
], ids=lambda v: v if isinstance(v, str) else "")
def test_top_level_spellings_match_torch(name, args, kwargs, reduction, torch):
    """ember.<loss> is torch.<loss>: reduction an int (0 none, 1 mean, 2 sum), none by default."""
    kw = dict(kwargs) if reduction is None else {**kwargs, "reduction": reduction}
    _compare(name, args, kw, tuple(i for i, a in enumerate(args) if a.dtype.kind == "f" and a is not S6
                                  and a is not S65), torch, top=True)


def test_top_level_poisson_nll_loss_matches_torch(torch):
    for red in (0, 1, 2):
        _compare("poisson_nll_loss", (RATES, COUNTS, False, True, 1e-3, red), {}, (0,), torch, top=True)
    with pytest.raises(TypeError):
        ember.poisson_nll_loss(ember.ones(3), ember.ones(3))
    with pytest.raises(TypeError):
        torch.poisson_nll_loss(torch.ones(3), torch.ones(3))
    with pytest.raises(TypeError, match="reduction"):
        ember.margin_ranking_loss(ember.ones(3), ember.ones(3), ember.ones(3), reduction="sum")
    with pytest.raises(TypeError, match="reduction"):
        torch.margin_ranking_loss(torch.ones(3), torch.ones(3), torch.ones(3), reduction="sum")


NAMES = ["margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
         "triplet_margin_loss", "triplet_margin_with_distance_loss", "multilabel_soft_margin_loss",
         "multi_margin_loss", "multilabel_margin_loss", "poisson_nll_loss", "gaussian_nll_loss"]


def _params(fn):
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("name", NAMES)
def test_functional_signature_and_export_match_torch(name, torch):
    """Each functional form is in ember.nn.functional's __all__, with torch's argument names, kinds,
    order and defaults."""
    assert name in F.__all__
    assert _params(getattr(F, name)) == _params(getattr(torch.nn.functional, name))


def test_top_level_names_are_torchs(torch):
    """ember has a top-level spelling for exactly the losses torch has one for."""
    top = {n for n in NAMES if hasattr(torch, n)}
    assert top == {n for n in NAMES if hasattr(ember, n)} == {
        "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss",
        "poisson_nll_loss"}
    assert top <= set(ember.__all__)


def _ones(lib, *shape, dtype=None):
    return lib.ones(*shape, dtype=dtype or lib.float32)


# name, args(lib) -> tuple, kwargs, ember's exception, torch's, fragments of ember's message
BAD = [
    ("margin_ranking_loss", lambda L: (_ones(L, 3), _ones(L, 3, 1), _ones(L, 3)), {}, ValueError, RuntimeError,
     ("margin_ranking_loss", "(3,)", "(3, 1)")),
    ("margin_ranking_loss", lambda L: (_ones(L, 3), _ones(L, 4), _ones(L, 3)), {}, ValueError, RuntimeError,
     ("margin_ranking_loss", "(3,)", "(4,)")),
    ("margin_ranking_loss", lambda L: (_ones(L, 3), _ones(L, 3), _ones(L, 3)), {"reduction": "avg"}, ValueError,
     ValueError, ("avg", "reduction")),
    ("hinge_embedding_loss", lambda L: (_ones(L, 3), _ones(L, 4)), {}, ValueError, RuntimeError,
     ("hinge_embedding_loss", "(3,)", "(4,)")),
    ("soft_margin_loss", lambda L: (_ones(L, 3), _ones(L, 2, 3)), {}, ValueError, RuntimeError,
     ("soft_margin_loss", "(2, 3)")),
    ("soft_margin_loss", lambda L: (_ones(L, 3, dtype=L.int64), _ones(L, 3)), {}, TypeError, RuntimeError,
     ("soft_margin_loss", "int64")),
    ("soft_margin_loss", lambda L: (_ones(L, 3), _ones(L, 3)), {"reduction": "avg"}, ValueError, ValueError,
     ("reduction",)),
    ("cosine_embedding_loss", lambda L: (_ones(L, 3, 4), _ones(L, 3, 4), _ones(L, 3, 1)), {}, ValueError,
     RuntimeError, ("cosine_embedding_loss", "(3, 1)")),
    ("cosine_embedding_loss", lambda L: (_ones(L, 4), _ones(L, 4), _ones(L, 3)), {}, ValueError, RuntimeError,
     ("cosine_embedding_loss", "(4,)")),
    ("cosine_embedding_loss", lambda L: (_ones(L, 3, 4), _ones(L, 2, 4), _ones(L, 3)), {}, ValueError,
     RuntimeError, ("cosine_embedding_loss", "(3, 4)", "(2, 4)")),
    ("triplet_margin_loss", lambda L: (_ones(L, 3, 4),) * 3, {"margin": 0.0}, ValueError, ValueError,
     ("triplet_margin_loss", "margin")),
    ("triplet_margin_loss", lambda L: (_ones(L, 3, 4), _ones(L, 3, 4), _ones(L, 4)), {}, ValueError,
     RuntimeError, ("triplet_margin_loss", "(4,)")),
    ("triplet_margin_loss", lambda L: (_ones(L, 3, 4), _ones(L, 3, 5), _ones(L, 3, 4)), {}, ValueError,
     RuntimeError, ("triplet_margin_loss", "(3, 5)")),
    ("triplet_margin_with_distance_loss", lambda L: (_ones(L, 3, 4),) * 3, {"margin": -1.0}, ValueError,
     ValueError, ("margin",)),
    ("triplet_margin_with_distance_loss", lambda L: (_ones(L, 3, 4),) * 3, {"reduction": "avg"}, ValueError,
     ValueError, ("reduction",)),
    ("triplet_margin_with_distance_loss", lambda L: (_ones(L, 3, 4), _ones(L, 3, 4), _ones(L, 4)), {}, ValueError,
     RuntimeError, ("triplet_margin_with_distance_loss", "(4,)")),
    ("multilabel_soft_margin_loss", lambda L: (L.tensor(1.0), L.tensor(1.0)), {}, IndexError, IndexError,
     ("multilabel_soft_margin_loss",)),
    ("multilabel_soft_margin_loss", lambda L: (_ones(L, 3, 4), _ones(L, 3, 5)), {}, ValueError, RuntimeError,
     ("multilabel_soft_margin_loss", "(3, 5)")),
    ("multilabel_soft_margin_loss", lambda L: (_ones(L, 3, 4), _ones(L, 3, 4)), {"reduction": "avg"}, ValueError,
     ValueError, ("reduction",)),
    ("multi_margin_loss", lambda L: (_ones(L, 3, 4), L.tensor([0, 1, 2])), {"p": 3}, ValueError, ValueError,
     ("p == 1",)),
    ("multi_margin_loss", lambda L: (_ones(L, 3, 4), L.tensor([0, 1, 2])), {"weight": "2d"}, ValueError,
     ValueError, ("weight",)),
    ("multi_margin_loss", lambda L: (_ones(L, 3, 4), L.tensor([0, 4, 2])), {}, IndexError, RuntimeError,
     ("multi_margin_loss", "4")),
    ("multi_margin_loss", lambda L: (_ones(L, 3, 4), L.tensor([0, 1])), {}, ValueError, RuntimeError,
     ("multi_margin_loss", "(2,)")),
    ("multi_margin_loss", lambda L: (_ones(L, 3, 4), L.tensor([0, 1, 2], dtype=L.int32)), {}, TypeError,
     RuntimeError, ("multi_margin_loss", "int32")),
    ("multi_margin_loss", lambda L: (_ones(L, 3, 4), L.tensor([0, 1, 2])), {"weight": "f64"}, TypeError,
     RuntimeError, ("multi_margin_loss", "float64")),
    ("multi_margin_loss", lambda L: (_ones(L, 3, 4), L.tensor([0, 1, 2])), {"weight": "short"}, ValueError,
     RuntimeError, ("multi_margin_loss", "(3,)")),
    ("multilabel_margin_loss", lambda L: (_ones(L, 4), L.tensor([0, 1, -1])), {}, ValueError, RuntimeError,
     ("multilabel_margin_loss", "(4,)", "(3,)")),
    ("multilabel_margin_loss", lambda L: (_ones(L, 2, 4), L.tensor([[0, 1, -1, 0], [5, -1, 0, 0]])), {},
     IndexError, RuntimeError, ("multilabel_margin_loss", "5")),
    ("multilabel_margin_loss", lambda L: (_ones(L, 2, 3, 4), L.zeros(2, 3, 4, dtype=L.int64)), {}, ValueError,
     RuntimeError, ("multilabel_margin_loss", "(2, 3, 4)")),
    ("poisson_nll_loss", lambda L: (_ones(L, 3), _ones(L, 4)), {}, ValueError, RuntimeError,
     ("poisson_nll_loss", "(3,)", "(4,)")),
    ("poisson_nll_loss", lambda L: (_ones(L, 3), _ones(L, 3)), {"reduction": "avg"}, ValueError, ValueError,
     ("reduction",)),
    ("gaussian_nll_loss", lambda L: (_ones(L, 3), _ones(L, 3), -_ones(L, 3)), {}, ValueError, ValueError,
     ("negative",)),
    ("gaussian_nll_loss", lambda L: (_ones(L, 3), _ones(L, 3), -2.0), {}, ValueError, ValueError, ("negative",)),
    ("gaussian_nll_loss", lambda L: (_ones(L, 2, 3), _ones(L, 2, 3), _ones(L, 3)), {}, ValueError, ValueError,
     ("incorrect size", "(3,)", "(2, 3)")),
    ("gaussian_nll_loss", lambda L: (_ones(L, 2, 1), _ones(L, 2, 1), _ones(L, 2, 3)), {}, ValueError, ValueError,
     ("incorrect size",)),
    ("gaussian_nll_loss", lambda L: (_ones(L, 3), _ones(L, 3), _ones(L, 3)), {"reduction": "avg"}, ValueError,
     ValueError, ("reduction",)),
    ("gaussian_nll_loss", lambda L: (_ones(L, 3), _ones(L, 3), 1), {}, TypeError, TypeError, ("var",)),
]


def _bad_kwargs(lib, kwargs):
    weights = {"2d": lambda: _ones(lib, 1, 4), "f64": lambda: _ones(lib, 4, dtype=lib.float64),
               "short": lambda: _ones(lib, 3)}
    return {k: weights[v]() if k == "weight" else v for k, v in kwargs.items()}


@pytest.mark.parametrize("name,args,kwargs,exc,torch_exc,fragments", BAD,
                         ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_inputs_raise_like_torch(name, args, kwargs, exc, torch_exc, fragments, torch):
    """torch refuses each call too, with the type ember raises or the one ember's convention
    (module_db.CONVENTION) maps it to; ember's message names the loss and the shapes."""
    import module_db

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as got:
            getattr(torch.nn.functional, name)(*args(torch), **_bad_kwargs(torch, kwargs))
    assert type(got.value) is torch_exc, got.value
    assert torch_exc is exc or (torch_exc, exc) in module_db.CONVENTION
    with pytest.raises(Exception) as info:
        getattr(F, name)(*args(ember), **_bad_kwargs(ember, kwargs))
    assert exception_type(info.value) is exc, info.value
    for f in fragments:
        assert f.lower() in str(info.value).lower(), (str(info.value), f)


def test_gaussian_var_clamp_passes_the_gradient_through(torch):
    """var below eps is clamped without recording (torch's no_grad clamp_): the gradient of var is
    the unclamped formula's at the clamped value, not 0."""
    args = (np.zeros(3), np.ones(3), np.array([1e-3, 0.5, 2.0]))
    _compare("gaussian_nll_loss", args, {"eps": 0.1, "reduction": "sum"}, (0, 1, 2), torch)
    x, t, v = (ember.tensor(a, requires_grad=True) for a in args)
    F.gaussian_nll_loss(x, t, v, eps=0.1, reduction="sum").backward()
    assert to_numpy(v.grad)[0] != 0.0


def test_module_forms_take_the_functional_arguments(torch):
    """A few module calls beside their functional forms (the rows in module_db test the rest)."""
    a, p, n = (ember.from_numpy(z.copy()) for z in (X, X2, X3))
    assert ember.nn.TripletMarginLoss(margin=0.5, swap=True)(a, p, n).item() == pytest.approx(
        F.triplet_margin_loss(a, p, n, margin=0.5, swap=True).item())
    loss = ember.nn.GaussianNLLLoss(full=True, reduction="sum")
    assert loss(a, p, 0.5).item() == pytest.approx(F.gaussian_nll_loss(a, p, 0.5, full=True, reduction="sum").item())
    with pytest.raises(TypeError):
        ember.nn.GaussianNLLLoss(True)  # keyword-only, as torch's
    with pytest.raises(TypeError):
        torch.nn.GaussianNLLLoss(True)
    assert ember.nn.PoissonNLLLoss()(log_input=a, target=p).item() == pytest.approx(
        F.poisson_nll_loss(a, p).item())

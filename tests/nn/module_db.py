"""The layer table for ember's generic module tests (tests/nn/test_modules.py), PyTorch-ModuleInfo style.

One ``ModuleInfo`` row per ember.nn layer class: constructor samples (``Ctor``: positional and
keyword arguments, non-defaults included), an input-sample generator (batched, unbatched, empty and
non-contiguous inputs, in the test's dtype), whether the layer is random in training mode, whether
it holds parameters / buffers, where gradcheck draws its values (away from kinks), and bad-input
cases (``ModuleError``: a constructor or forward call torch refuses, the exception each library
raises and a fragment of ember's message).

Tensors are described in NumPy (op_db's ``Arg``) and sub-modules as ``Sub`` specs, materialized
per library, so ember and torch see the same values, layouts and layer trees. Rows whose layer torch
lacks (ember-only: Sign, GaussianNoise, Perceptron) set ``torch_name=None`` and give a NumPy
``reference``. Like op_db, importable on its own (tests/conftest.py puts this folder on sys.path);
it needs no torch at import time.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from op_db import DEFAULT, Arg, Domain, contig, make_array, noncontig

OFF_KINKS = Domain(nonzero=True)  # |x| >= 0.25: off the kinks at 0 (relu, leaky_relu, elu, prelu)
SAME = "same"  # ModuleError.torch: torch raises the type ember does
OK = "ok"      # ModuleError.torch: torch accepts the call (ember is stricter; say why in note)

# ember's documented convention (tests/nn/test_nn_layers_bad_inputs.py): a bad value or shape is a
# ValueError, a bad dtype or argument kind a TypeError, where torch raises RuntimeError,
# NotImplementedError or a bare assert. Any other difference from torch's type is a finding.
CONVENTION = {
    (RuntimeError, ValueError), (RuntimeError, TypeError), (RuntimeError, IndexError),
    (NotImplementedError, TypeError), (AssertionError, ValueError),
}


class Sub:
    """A layer inside a container's constructor: L.nn.<name>(*args, **kwargs) in each library."""

    def __init__(self, name, *args, **kwargs):
        self.name, self.args, self.kwargs = name, args, kwargs

    def __repr__(self):
        return f"Sub({self.name}, {self.args}, {self.kwargs})"

    def build(self, lib):
        return getattr(lib.nn, self.name)(*materialize(self.args, lib), **materialize(self.kwargs, lib))


def materialize(obj, lib):
    """Arg -> the library's tensor, Sub -> the library's layer, recursing into tuples, lists, dicts.
    ``lib`` is the module (ember / torch) or "numpy"."""
    if isinstance(obj, Arg):
        return obj.to(lib if isinstance(lib, str) else lib.__name__)
    if isinstance(obj, Sub):
        return obj.build(lib)
    if isinstance(obj, list):
        return [materialize(o, lib) for o in obj]
    if isinstance(obj, tuple):
        return tuple(materialize(o, lib) for o in obj)
    if isinstance(obj, dict):
        return {k: materialize(v, lib) for k, v in obj.items()}
    return obj


@dataclass
class Ctor:
    """One constructor call: L.nn.<row name>(*args, **kwargs)."""
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    id: str = ""
    gradcheck: bool = True  # False where the forward is not a function of the parameters alone
    xfail: dict = field(default_factory=dict)  # generic test name ("repr", ...) -> a known ember bug

    def __repr__(self):
        return self.id or "default"


@dataclass
class ModuleInput:
    """One forward call: module(*args). ``grad``: positions of the args whose gradients are compared
    with torch's (None: every floating Arg)."""
    args: tuple
    desc: str
    grad: tuple | None = None

    def __repr__(self):
        return f"{self.desc}: {self.args!r}"


@dataclass
class ModuleError:
    """A call ember must refuse: the constructor (input None) or the forward on ``input(L)``.

    exc: the type ember raises; torch: SAME, OK or the type torch raises (a pair listed in
    CONVENTION, or a note saying why), None where torch has no such layer; match: a fragment (or a
    tuple of fragments, all required) of ember's message, case-insensitive; "" (the default): the
    row's name, since ember's messages name the layer (forward errors also the shapes); None: no
    check (pybind11's argument errors); xfail: a known ember bug."""
    id: str
    ctor: Ctor
    input: Callable | None
    exc: type
    torch: object = SAME
    match: str | tuple | None = ""
    note: str = ""
    xfail: str = ""


@dataclass
class ModuleInfo:
    name: str                                # the class in ember.nn (and torch.nn)
    ctors: list                              # Ctor samples
    inputs: Callable                         # (ctor, dtype, rng, domain) -> list[ModuleInput]
    torch_name: str | None = "same"          # the torch.nn class ("same": name); None: ember-only
    reference: Callable | None = None        # ember-only: (module, numpy args) -> numpy output
    reference_grad: Callable | None = None   # ember-only: (ctor, x, cotangent) -> the input's gradient
    random: bool = False                     # training-mode output is random (compared in eval mode)
    train_check: Callable | None = None      # random: (ctor, x, y, x_grad) numpy -> asserts
    has_params: bool = False                 # some Ctor sample has parameters ...
    has_buffers: bool = False                # ... / buffers
    domain: Domain = DEFAULT                 # where float input values are drawn
    grad_domain: Domain = OFF_KINKS          # gradcheck's values
    gradcheck: bool = True
    errors: list = field(default_factory=list)
    rtol: dict = field(default_factory=dict)
    atol: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.torch_name == "same":
            self.torch_name = self.name

    def build(self, lib, ctor: Ctor):
        """The layer in lib (ember or torch) from one constructor sample."""
        cls = getattr(lib.nn, self.name if lib.__name__ == "ember" else self.torch_name)
        return cls(*materialize(ctor.args, lib), **materialize(ctor.kwargs, lib))

    def samples(self, ctor: Ctor, dtype: str, seed: int = 0, grad: bool = False) -> list:
        # a seed that does not depend on PYTHONHASHSEED: the same values in every process
        rng = np.random.default_rng([zlib.crc32(self.name.encode()), zlib.crc32(ctor.id.encode()), seed])
        return self.inputs(ctor, dtype, rng, self.grad_domain if grad else self.domain)

    def tolerance(self, dtype: str):
        rtol = {"float32": 1e-5, "float64": 1e-10}[dtype]
        atol = {"float32": 1e-5, "float64": 1e-10}[dtype]
        return self.rtol.get(dtype, rtol), self.atol.get(dtype, atol)


MODULES: list[ModuleInfo] = []


def add(name, ctors, inputs, **kw) -> ModuleInfo:
    row = ModuleInfo(name=name, ctors=ctors, inputs=inputs, **kw)
    assert name not in {r.name for r in MODULES}, name
    ids = [c.id for c in ctors]
    assert len(set(ids)) == len(ids), f"{name}: duplicate Ctor ids {ids}"
    MODULES.append(row)
    return row


def C(*args, id="", gradcheck=True, xfail=None, **kwargs) -> Ctor:
    if not id:
        parts = [str(a) for a in args] + [f"{k}={v}" for k, v in kwargs.items()]
        id = ",".join(parts) or "default"
    return Ctor(args, kwargs, id, gradcheck, xfail or {})


def E(cid, ctor, input, exc, torch=SAME, match="", note="", xfail="") -> ModuleError:
    return ModuleError(cid, ctor, input, exc, torch, match, note, xfail)


# ---------------------------------------------------------------------------------------------
# Input-sample helpers
# ---------------------------------------------------------------------------------------------
def _ones(L, *shape, dtype=None):
    return L.ones(*shape, dtype=dtype or L.float32)


def shaped(*specs):
    """An inputs function giving one tensor per spec: (desc, shape) contiguous, or (desc, shape,
    'nc') a non-contiguous view of that shape."""
    def inputs(ctor, dtype, rng, dom):
        out = []
        for desc, shape, *view in specs:
            make = noncontig if view else contig
            out.append(ModuleInput((make(shape, dtype, rng, dom),), desc))
        return out
    return inputs


def features(n):
    """The usual shapes for a layer acting on a trailing feature dim of size n."""
    return shaped(("batched", (4, n)), ("unbatched", (n,)), ("3d", (2, 3, n)), ("empty", (0, n)),
                  ("noncontig", (4, n), "nc"))


ANY_SHAPE = shaped(("batched", (3, 4)), ("unbatched", (4,)), ("0d", ()), ("3d", (2, 3, 4)),
                   ("empty", (0, 4)), ("noncontig", (3, 4), "nc"))


# ---------------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------------
add("Linear", [C(5, 3), C(5, 3, bias=False), C(5, 1, id="5,1")], features(5), has_params=True, errors=[
    E("in_features_negative", C(-1, 2), None, ValueError, torch=RuntimeError),
    E("wrong_in_features", C(5, 3), lambda L: (_ones(L, 4, 4),), ValueError, torch=RuntimeError,
      match=("Linear(in_features=5", "(4, 4)")),
    E("0d_input", C(5, 3), lambda L: (L.tensor(1.0),), ValueError, torch=RuntimeError, match=("Linear", "got ()")),
    E("int64_input", C(5, 3), lambda L: (_ones(L, 4, 5, dtype=L.int64),), TypeError, torch=RuntimeError),
    E("float_size", C(2.5, 1), None, TypeError, match="Linear: in_features"),
])

add("Identity", [C(), C(3, foo="bar", id="ignored-args")], ANY_SHAPE)

add("Flatten", [C(), C(start_dim=0, id="start0"), C(1, 2, id="1,2"), C(start_dim=-2, end_dim=-1, id="-2,-1")],
    shaped(("3d", (2, 3, 4)), ("4d", (2, 3, 2, 2)), ("empty", (0, 3, 4)), ("noncontig", (2, 3, 4), "nc")),
    errors=[E("dim_out_of_range", C(), lambda L: (_ones(L, 3),), IndexError, match="flatten"),
            E("start_after_end", C(2, 1), lambda L: (_ones(L, 2, 3, 4),), ValueError, torch=RuntimeError,
              match="flatten")])


def _unflatten_inputs(ctor, dtype, rng, dom):
    dim = ctor.args[0]
    shape = {1: (4, 6), -1: (3, 6), 0: (6, 2)}[dim]
    out = [ModuleInput((contig(shape, dtype, rng, dom),), "batched"),
           ModuleInput((noncontig(shape, dtype, rng, dom),), "noncontig")]
    if dim != 0:
        out.append(ModuleInput((contig((0,) + shape[1:], dtype, rng, dom),), "empty"))
    return out


add("Unflatten", [C(1, (2, 3)), C(-1, (2, -1), id="-1,(2,-1)"), C(0, (3, 2)),
                  C(1, [2, 3], id="1,list")],
    _unflatten_inputs, errors=[
    E("sizes_do_not_multiply", C(1, (2, 4)), lambda L: (_ones(L, 4, 6),), ValueError, torch=RuntimeError,
      match=("unflatten", "(2, 4)", "(4, 6)")),
    E("two_inferred_sizes", C(1, (-1, -1)), lambda L: (_ones(L, 2, 6),), ValueError, torch=RuntimeError,
      match="unflatten"),
    E("dim_out_of_range", C(3, (2, 3)), lambda L: (_ones(L, 2, 6),), IndexError, match="unflatten"),
])

# ---- activations ---------------------------------------------------------------------------
_INT_INPUT = lambda L: (_ones(L, 3, dtype=L.int64),)
_BOOL_INPUT = lambda L: (_ones(L, 3, dtype=L.bool),)


def _not_float(fn, kind="int64", torch=NotImplementedError):
    """An integer (or bool) input, which torch's kernel refuses; ember names the functional op."""
    return E(f"{kind}_input", C(), _INT_INPUT if kind == "int64" else _BOOL_INPUT, TypeError, torch=torch,
             match=fn)


# sigmoid / tanh of integers and bools are floats, in torch and ember alike: no error rows
add("Sigmoid", [C()], ANY_SHAPE, domain=Domain(-4.0, 4.0))
add("Tanh", [C()], ANY_SHAPE, domain=Domain(-4.0, 4.0))
add("ReLU", [C(), C(inplace=True)], ANY_SHAPE, errors=[
    _not_float("relu", "bool", torch=RuntimeError)])  # relu of integers is defined in both
add("LeakyReLU", [C(), C(0.2), C(negative_slope=0.3, inplace=True)], ANY_SHAPE, errors=[
    _not_float("leaky_relu")])
add("ELU", [C(), C(alpha=0.5), C(alpha=2.0, inplace=True)], ANY_SHAPE, domain=Domain(-4.0, 4.0), errors=[
    _not_float("elu")])
add("GELU", [C(), C(approximate="tanh")], ANY_SHAPE, domain=Domain(-4.0, 4.0), errors=[
    _not_float("gelu"),
    E("approximate_unknown", C(approximate="fast"), None, ValueError, torch=OK, match="approximate",
      note="ember checks at construction; torch only in the forward (RuntimeError)")])
add("SiLU", [C(), C(inplace=True)], ANY_SHAPE, domain=Domain(-4.0, 4.0), errors=[_not_float("silu")])
add("LogSigmoid", [C()], ANY_SHAPE, domain=Domain(-4.0, 4.0), errors=[_not_float("logsigmoid")])
add("Softplus", [C(), C(beta=2.0, threshold=1.5), C(0.5, 10.0)], ANY_SHAPE, domain=Domain(-4.0, 4.0), errors=[
    _not_float("softplus"), _not_float("softplus", "bool")])

add("Hardtanh", [C(), C(-2.0, 2.0), C(min_val=-0.5, max_val=0.5, inplace=True)], ANY_SHAPE,
    domain=Domain(-3.0, 3.0), grad_domain=Domain(-3.0, 3.0, nonzero=True), errors=[
    E("max_not_above_min", C(1.0, 0.5), None, ValueError, torch=AssertionError, match="Hardtanh")])
add("ReLU6", [C(), C(inplace=True)], ANY_SHAPE, domain=Domain(-4.0, 8.0), grad_domain=Domain(-4.0, 8.0, nonzero=True))
add("Hardswish", [C(), C(inplace=True)], ANY_SHAPE, domain=Domain(-5.0, 5.0), errors=[_not_float("hardswish")])
# torch's hardsigmoid backward multiplies by 1/6 rounded to float32, in float64 too
add("Hardsigmoid", [C(), C(inplace=True)], ANY_SHAPE, domain=Domain(-5.0, 5.0), errors=[_not_float("hardsigmoid")],
    rtol={"float64": 1e-7})
add("SELU", [C(), C(inplace=True)], ANY_SHAPE, domain=Domain(-4.0, 4.0), errors=[_not_float("selu")])
add("CELU", [C(), C(alpha=0.5), C(2.0, inplace=True)], ANY_SHAPE, domain=Domain(-4.0, 4.0), errors=[
    _not_float("celu"), E("alpha_zero", C(alpha=0.0), lambda L: (_ones(L, 3),), ValueError, torch=RuntimeError,
                          match="celu")])
add("Mish", [C(), C(inplace=True)], ANY_SHAPE, domain=Domain(-4.0, 4.0), errors=[_not_float("mish")])
add("Softsign", [C()], ANY_SHAPE, domain=Domain(-4.0, 4.0))
add("Tanhshrink", [C()], ANY_SHAPE, domain=Domain(-4.0, 4.0))
add("Threshold", [C(0.1, 20.0), C(threshold=-0.5, value=0.0, inplace=True)], ANY_SHAPE, domain=Domain(-2.0, 2.0),
    grad_domain=Domain(-2.0, 2.0, nonzero=True))


def _softmax_inputs(ctor, dtype, rng, dom):
    dim = ctor.kwargs.get("dim", ctor.args[0] if ctor.args else None)
    out = [ModuleInput((contig((3, 4), dtype, rng, dom),), "batched"),
           ModuleInput((contig((2, 3, 4), dtype, rng, dom),), "3d"),
           ModuleInput((contig((0, 4), dtype, rng, dom),), "empty"),
           ModuleInput((noncontig((3, 4), dtype, rng, dom),), "noncontig")]
    if dim in (0, -1, None):  # dim=None: torch's legacy choice, 0 for 1-D inputs, else 1
        out.append(ModuleInput((contig((4,), dtype, rng, dom),), "unbatched"))
    return out


for _name in ("Softmax", "LogSoftmax", "Softmin"):
    add(_name, [C(dim=1), C(dim=-1), C(0, id="dim=0"), C(id="dim=None")], _softmax_inputs,
        domain=Domain(-4.0, 4.0), errors=[
        E("dim_out_of_range", C(dim=5), lambda L: (_ones(L, 2, 3),), IndexError, match="softmax"),
        E("int64_input", C(dim=0), _INT_INPUT, TypeError, torch=NotImplementedError, match="softmax"),
    ])


def _prelu_inputs(ctor, dtype, rng, dom):
    n = ctor.args[0] if ctor.args else ctor.kwargs.get("num_parameters", 1)
    out = [ModuleInput((contig((4, n), dtype, rng, dom),), "batched"),
           ModuleInput((contig((2, n, 3), dtype, rng, dom),), "NCL"),
           ModuleInput((contig((0, n), dtype, rng, dom),), "empty"),
           ModuleInput((noncontig((4, n, 2), dtype, rng, dom),), "noncontig")]
    if n == 1:
        out += [ModuleInput((contig((5,), dtype, rng, dom),), "unbatched"),
                ModuleInput((contig((), dtype, rng, dom),), "0d")]
    return out


add("PReLU", [C(), C(3), C(num_parameters=3, init=0.1, id="3,init=0.1")], _prelu_inputs, has_params=True,
    errors=[
        E("num_parameters_0", C(0), None, ValueError, torch=OK, note="ember checks at construction; torch "
          "in the forward (RuntimeError)"),
        E("channels_mismatch", C(3), lambda L: (_ones(L, 4, 2),), ValueError, torch=RuntimeError,
          match=("prelu", "(4, 2)")),
        E("int64_input", C(), _INT_INPUT, TypeError, torch=RuntimeError, match="prelu"),
        E("float64_input", C(), lambda L: (_ones(L, 2, 3, dtype=L.float64),), TypeError, torch=RuntimeError,
          match="prelu"),
    ])

# ---- normalization, dropout, embedding -------------------------------------------------------
add("BatchNorm1d", [C(3), C(3, momentum=None), C(3, eps=1e-3, momentum=0.3), C(3, affine=False), C(3, bias=False),
                    C(3, track_running_stats=False), C(3, affine=False, track_running_stats=False, id="bare")],
    shaped(("NC", (6, 3)), ("NCL", (4, 3, 5)), ("empty", (0, 3)), ("noncontig", (6, 3), "nc"),
           ("noncontig-NCL", (4, 3, 2), "nc")),
    has_params=True, has_buffers=True, errors=[
        E("num_features_negative", C(-1), None, ValueError, torch=RuntimeError),
        E("wrong_channels", C(3), lambda L: (_ones(L, 4, 4),), ValueError, torch=RuntimeError,
          match=("BatchNorm1d(3", "(4, 4)")),
        E("4d_input", C(3), lambda L: (_ones(L, 2, 3, 2, 2),), ValueError, match=("BatchNorm1d", "(2, 3, 2, 2)")),
        E("1d_input", C(3), lambda L: (_ones(L, 3),), ValueError, match=("BatchNorm1d", "(3,)")),
        E("batch_of_1_training", C(3), lambda L: (_ones(L, 1, 3),), ValueError, match="more than 1 value"),
        E("int64_input", C(3), lambda L: (_ones(L, 4, 3, dtype=L.int64),), TypeError, torch=NotImplementedError,
          match="batch_norm"),
        E("eps_negative", C(3, eps=-1.0), lambda L: (_ones(L, 4, 3),), ValueError, match="eps"),
        E("float64_input", C(3), lambda L: (_ones(L, 4, 3, dtype=L.float64),), TypeError, torch=RuntimeError,
          match="batch_norm"),
    ])

# Without a process group SyncBatchNorm is BatchNorm (torch's too, on the CPU); the 2-rank runs are
# in tests/distributed/rank_ddp.py.
add("SyncBatchNorm", [C(3), C(3, momentum=None), C(3, eps=1e-3, momentum=0.3), C(3, affine=False), C(3, bias=False),
                      C(3, track_running_stats=False), C(3, affine=False, track_running_stats=False, id="bare")],
    shaped(("NC", (6, 3)), ("NCL", (4, 3, 5)), ("NCHW", (2, 3, 2, 3)), ("empty", (0, 3)), ("noncontig", (6, 3), "nc")),
    has_params=True, has_buffers=True, errors=[
        E("1d_input", C(3), lambda L: (_ones(L, 3),), ValueError, match="at least 2D input (got 1D input)"),
        E("wrong_channels", C(3), lambda L: (_ones(L, 4, 4),), ValueError, torch=RuntimeError,
          match=("SyncBatchNorm", "[4, 4]")),
        E("batch_of_1_training", C(3), lambda L: (_ones(L, 1, 3),), ValueError, match="more than 1 value"),
        E("int64_input", C(3), lambda L: (_ones(L, 4, 3, dtype=L.int64),), TypeError, torch=NotImplementedError,
          match="batch_norm"),
    ])


def _layernorm_inputs(ctor, dtype, rng, dom):
    ns = ctor.args[0] if isinstance(ctor.args[0], tuple) else (ctor.args[0],)
    out = [ModuleInput((contig((4,) + ns, dtype, rng, dom),), "batched"),
           ModuleInput((contig(ns, dtype, rng, dom),), "unbatched"),
           ModuleInput((contig((2, 3) + ns, dtype, rng, dom),), "4d" if len(ns) == 2 else "3d"),
           ModuleInput((contig((0,) + ns, dtype, rng, dom),), "empty"),
           ModuleInput((noncontig((4,) + ns, dtype, rng, dom),), "noncontig")]
    return out


add("LayerNorm", [C(5), C((3, 5)), C(5, elementwise_affine=False), C((3, 5), bias=False), C(5, eps=1e-2)],
    _layernorm_inputs, has_params=True, domain=Domain(-2.0, 4.0), errors=[
        E("negative", C(-1), None, ValueError, torch=RuntimeError),
        E("wrong_trailing_dim", C(5), lambda L: (_ones(L, 5, 3),), ValueError, torch=RuntimeError,
          match=("LayerNorm((5,)", "(5, 3)")),
        E("too_few_dims", C((3, 5)), lambda L: (_ones(L, 5),), ValueError, torch=RuntimeError,
          match=("LayerNorm((3, 5)", "(5,)")),
        E("int64_input", C(3), lambda L: (_ones(L, 4, 3, dtype=L.int64),), TypeError, torch=RuntimeError,
          match="layer_norm"),
        E("float64_input", C(3), lambda L: (_ones(L, 4, 3, dtype=L.float64),), TypeError, torch=RuntimeError,
          match="layer_norm"),
    ])


def _dropout_train_check(ctor, x, y, x_grad):
    """Training mode: each element is 0 or x / (1 - p), and so is its gradient's (mask / (1 - p));
    on a large sample about p of them are 0 (within 5 standard deviations)."""
    p = ctor.kwargs.get("p", ctor.args[0] if ctor.args else 0.5)
    kept = y != 0
    if p == 0.0:
        np.testing.assert_array_equal(y, x)
    if y.size >= 10_000:
        assert abs((~kept).mean() - p) <= 5 * np.sqrt(p * (1 - p) / y.size) + 1e-12, (~kept).mean()
    np.testing.assert_allclose(y[kept], x[kept] / (1 - p), rtol=1e-6)
    if x_grad is not None:
        np.testing.assert_allclose(x_grad, kept / (1 - p), rtol=1e-6)


add("Dropout", [C(), C(0.2), C(p=0.0), C(p=0.7, inplace=True)], features(5), random=True,
    train_check=_dropout_train_check, domain=Domain(0.5, 1.5), grad_domain=Domain(0.5, 1.5), errors=[
        E("p_above_1", C(1.5), None, ValueError, match="dropout probability"),
        E("p_negative", C(-0.1), None, ValueError, match="dropout probability"),
        E("int64_input_training", C(0.5), _INT_INPUT, TypeError, torch=RuntimeError, match="dropout"),
    ])


def _embedding_inputs(ctor, dtype, rng, dom):
    idx = Domain(0, 9)
    return [ModuleInput((contig((3, 4), "int64", rng, idx),), "batched"),
            ModuleInput((contig((5,), "int64", rng, idx),), "1d"),
            ModuleInput((contig((), "int64", rng, idx),), "0d"),
            ModuleInput((contig((0,), "int64", rng, idx),), "empty"),
            ModuleInput((noncontig((3, 4), "int64", rng, idx),), "noncontig")]


add("Embedding", [C(10, 4), C(10, 4, padding_idx=2, gradcheck=False), C(10, 4, padding_idx=-1, gradcheck=False),
                  C(10, 4, max_norm=1.0, gradcheck=False), C(10, 4, max_norm=0.5, norm_type=1.0, gradcheck=False),
                  C(10, 4, padding_idx=0, max_norm=2.0, gradcheck=False), C(10, 4, scale_grad_by_freq=True, gradcheck=False),
                  C(10, 4, padding_idx=3, scale_grad_by_freq=True, gradcheck=False)],
    _embedding_inputs, has_params=True, errors=[
        E("float_indices", C(5, 2), lambda L: (L.tensor([1.0, 2.0]),), TypeError, torch=RuntimeError),
        E("index_out_of_range", C(5, 2), lambda L: (L.tensor([1, 5]),), IndexError, match="embedding"),
        E("padding_idx_out_of_range", C(5, 2, padding_idx=5), None, ValueError, torch=AssertionError,
          match="padding_idx"),
        E("num_embeddings_negative", C(-1, 2), None, ValueError, torch=RuntimeError),
        E("_weight_wrong_shape", C(5, 2, _weight=Arg(np.ones((5, 3), np.float32)), id="weight53"), None, ValueError,
          torch=AssertionError, match=("Embedding", "(5, 3)")),
    ])
# padding_idx ctors: the padding row's gradient is 0 by design, not the derivative (no gradcheck).
# max_norm ctors: the forward renormalizes the looked-up rows in place, so finite differences on the
# weight see a different function (no gradcheck; the backward is still compared with torch's).
# scale_grad_by_freq ctors: the gradient is scaled on purpose, so it is not the derivative (no
# gradcheck; compared with torch's). EmbeddingBag's: tests/nn/test_more_layers.py (torch's CPU kernel
# divides by the wrong count when counts differ).


def _bag_inputs(ctor, dtype, rng, dom):
    """2-D bags, 1-D bags cut at offsets (an empty bag among them), empty, non-contiguous; with
    mode='sum' also per_sample_weights (whose gradient is compared too)."""
    idx = Domain(0, 9)
    last = ctor.kwargs.get("include_last_offset", False)
    offsets = np.array([0, 3, 3, 6] + ([8] if last else []), np.int64)
    out = [ModuleInput((contig((3, 4), "int64", rng, idx),), "batched"),
           ModuleInput((contig((8,), "int64", rng, idx), Arg(offsets)), "offsets"),
           ModuleInput((contig((0,), "int64", rng, idx), Arg(np.zeros(3 if last else 2, np.int64))), "empty"),
           ModuleInput((noncontig((3, 4), "int64", rng, idx),), "noncontig")]
    if ctor.kwargs.get("mode") == "sum":
        out.append(ModuleInput((contig((8,), "int64", rng, idx), Arg(offsets), contig((8,), dtype, rng, dom)),
                               "per_sample_weights"))  # 2-D bags with weights: tests/nn/test_more_layers.py
    return out


_BAG_1D = lambda L: (L.tensor([1, 2, 3]),)
add("EmbeddingBag", [C(10, 4), C(10, 4, mode="sum"), C(10, 4, mode="max"), C(10, 4, mode="sum", padding_idx=2),
                     C(10, 4, mode="mean", padding_idx=-1), C(10, 4, mode="max", padding_idx=0),
                     C(10, 4, mode="sum", include_last_offset=True), C(10, 4, mode="max", include_last_offset=True),
                     C(10, 4, max_norm=1.0, gradcheck=False), C(10, 4, mode="sum", max_norm=0.5, norm_type=1.0,
                                                                gradcheck=False)],
    _bag_inputs, has_params=True, domain=Domain(0.5, 2.0), grad_domain=Domain(0.5, 2.0), errors=[
        E("float_indices", C(5, 2), lambda L: (L.tensor([[1.0, 2.0]]),), TypeError, torch=RuntimeError,
          match="embedding_bag"),
        E("index_out_of_range", C(5, 2), lambda L: (L.tensor([[1, 5]]),), IndexError, torch=RuntimeError,
          match="embedding_bag"),
        E("1d_without_offsets", C(5, 2), _BAG_1D, ValueError, match=("embedding_bag", "offsets", "(3,)")),
        E("2d_with_offsets", C(5, 2), lambda L: (L.tensor([[1, 2]]), L.tensor([0])), ValueError,
          match=("embedding_bag", "(1, 2)")),
        E("3d_input", C(5, 2), lambda L: (L.zeros(2, 2, 2, dtype=L.int64),), ValueError,
          match=("embedding_bag", "(2, 2, 2)")),
        E("offsets_not_from_0", C(5, 2), lambda L: (L.tensor([1, 2, 3]), L.tensor([1, 2])), ValueError,
          torch=RuntimeError, match=("embedding_bag", "offsets[0]")),
        E("offsets_past_end", C(5, 2), lambda L: (L.tensor([1, 2, 3]), L.tensor([0, 4])), ValueError,
          torch=RuntimeError, match=("embedding_bag", "length 3")),
        E("offsets_decreasing", C(5, 2), lambda L: (L.tensor([1, 2, 3]), L.tensor([0, 2, 1])), ValueError,
          torch=None, match=("embedding_bag", "non-decreasing"),
          note="torch checks the order only on more than one thread (RuntimeError), so it is not asked"),
        E("offsets_2d", C(5, 2), lambda L: (L.tensor([1, 2, 3]), L.tensor([[0]])), ValueError,
          match=("embedding_bag", "(1, 1)")),
        E("per_sample_weights_mean", C(5, 2), lambda L: (L.tensor([1, 2]), L.tensor([0]), L.ones(2)),
          NotImplementedError, match=("embedding_bag", "mode='sum'")),
        E("per_sample_weights_shape", C(5, 2, mode="sum"), lambda L: (L.tensor([1, 2]), L.tensor([0]), L.ones(3)),
          ValueError, match=("embedding_bag", "(3,)", "(2,)")),
        E("per_sample_weights_dtype", C(5, 2, mode="sum"),
          lambda L: (L.tensor([1, 2]), L.tensor([0]), L.ones(2, dtype=L.float64)), TypeError, torch=RuntimeError,
          match=("embedding_bag", "float64")),
        E("mode_unknown", C(5, 2, mode="avg"), None, ValueError, torch=OK, match="mode",
          note="ember checks at construction; torch only in the forward (ValueError)"),
        E("padding_idx_out_of_range", C(5, 2, padding_idx=5), None, ValueError, torch=AssertionError,
          match="padding_idx"),
        E("num_embeddings_negative", C(-1, 2), None, ValueError, torch=RuntimeError),
        E("scale_grad_by_freq_max", C(5, 2, mode="max", scale_grad_by_freq=True), lambda L: (L.tensor([[1, 2]]),),
          ValueError, match=("embedding_bag", "max mode")),
        E("sparse_max", C(5, 2, mode="max", sparse=True), lambda L: (L.tensor([[1, 2]]),), ValueError,
          match=("embedding_bag", "max mode")),
        E("_weight_wrong_shape", C(5, 2, _weight=Arg(np.ones((5, 3), np.float32)), id="weight53"), None, ValueError,
          torch=AssertionError, match=("EmbeddingBag", "(5, 3)")),
    ])
# max_norm ctors: as Embedding's (the forward renormalizes rows in place; no gradcheck).


def _bilinear_inputs(ctor, dtype, rng, dom):
    a, b = ctor.args[0], ctor.args[1]
    return [ModuleInput((contig((4, a), dtype, rng, dom), contig((4, b), dtype, rng, dom)), "batched"),
            ModuleInput((contig((a,), dtype, rng, dom), contig((b,), dtype, rng, dom)), "unbatched"),
            ModuleInput((contig((2, 3, a), dtype, rng, dom), contig((2, 3, b), dtype, rng, dom)), "3d"),
            ModuleInput((contig((0, a), dtype, rng, dom), contig((0, b), dtype, rng, dom)), "empty"),
            ModuleInput((noncontig((4, a), dtype, rng, dom), noncontig((4, b), dtype, rng, dom)), "noncontig")]


add("Bilinear", [C(3, 4, 5), C(3, 4, 5, bias=False), C(2, 3, 1, id="2,3,1")], _bilinear_inputs, has_params=True,
    rtol={"float32": 1e-4}, atol={"float32": 1e-4}, errors=[
        E("in1_features_0", C(0, 4, 5), None, ValueError, match="in1_features"),
        E("wrong_input1", C(3, 4, 5), lambda L: (_ones(L, 2, 4), _ones(L, 2, 4)), ValueError, torch=RuntimeError,
          match=("Bilinear(in1_features=3", "(2, 4)")),
        E("batch_mismatch", C(3, 4, 5), lambda L: (_ones(L, 2, 3), _ones(L, 3, 4)), ValueError, torch=RuntimeError,
          match=("bilinear", "(2, 3)", "(3, 4)")),
        E("dims_mismatch", C(3, 4, 5), lambda L: (_ones(L, 2, 3), _ones(L, 4)), ValueError, torch=RuntimeError,
          match=("bilinear", "(2, 3)", "(4,)")),
        E("int64_inputs", C(3, 4, 5), lambda L: (_ones(L, 2, 3, dtype=L.int64), _ones(L, 2, 4, dtype=L.int64)),
          TypeError, torch=RuntimeError, match="bilinear"),
        E("float64_input1", C(3, 4, 5), lambda L: (_ones(L, 2, 3, dtype=L.float64), _ones(L, 2, 4)), TypeError,
          torch=RuntimeError, match=("bilinear", "float64")),
    ])


def _glu_inputs(ctor, dtype, rng, dom):
    if ctor.kwargs.get("dim", -1) == 0:
        specs = [("batched", (4, 3)), ("unbatched", (4,)), ("3d", (2, 3, 5)), ("empty", (0, 3))]
        nc = (4, 3)
    else:
        specs = [("batched", (3, 4)), ("unbatched", (4,)), ("3d", (2, 3, 4)), ("empty", (0, 4))]
        nc = (3, 4)
    return [ModuleInput((contig(shape, dtype, rng, dom),), desc) for desc, shape in specs] + \
        [ModuleInput((noncontig(nc, dtype, rng, dom),), "noncontig")]


add("GLU", [C(), C(dim=0)], _glu_inputs, domain=Domain(-4.0, 4.0), errors=[
    E("odd_size", C(), lambda L: (_ones(L, 2, 3),), ValueError, torch=RuntimeError, match=("glu", "(2, 3)")),
    E("0d_input", C(), lambda L: (L.tensor(1.0),), ValueError, torch=RuntimeError, match="glu"),
    E("dim_out_of_range", C(dim=2), lambda L: (_ones(L, 2, 4),), IndexError, match=("glu", "(2, 4)")),
    E("int64_input", C(), lambda L: (_ones(L, 2, 4, dtype=L.int64),), TypeError, torch=NotImplementedError,
      match="glu")])
add("Hardshrink", [C(), C(0.3), C(lambd=1.0)], ANY_SHAPE, domain=Domain(-2.0, 2.0),
    grad_domain=Domain(-2.0, 2.0, nonzero=True), errors=[_not_float("hardshrink")])
add("Softshrink", [C(), C(0.3), C(lambd=1.0)], ANY_SHAPE, domain=Domain(-2.0, 2.0),
    grad_domain=Domain(-2.0, 2.0, nonzero=True), errors=[
        _not_float("softshrink"),
        E("lambd_negative", C(-1.0), lambda L: (_ones(L, 3),), ValueError, torch=RuntimeError, match="softshrink")])
add("Softmax2d", [C()], shaped(("batched", (2, 3, 4, 5)), ("unbatched", (3, 4, 5)), ("empty", (0, 3, 2, 2)),
                              ("noncontig", (2, 3, 2, 2), "nc")), domain=Domain(-4.0, 4.0), errors=[
    E("2d_input", C(), lambda L: (_ones(L, 2, 3),), ValueError, match=("Softmax2d", "2D")),
    E("5d_input", C(), lambda L: (_ones(L, 1, 2, 3, 4, 5),), ValueError, match=("Softmax2d", "5D")),
    E("int64_input", C(), lambda L: (_ones(L, 2, 3, 4, dtype=L.int64),), TypeError, torch=NotImplementedError,
      match="softmax")])


def _rrelu_train_check(ctor, x, y, x_grad):
    """Training mode: positive elements pass, each other one is scaled by its own slope in [lower,
    upper], which is also its gradient; on a large sample the slopes average (lower + upper) / 2."""
    lower = ctor.kwargs.get("lower", ctor.args[0] if ctor.args else 1 / 8)
    upper = ctor.kwargs.get("upper", ctor.args[1] if len(ctor.args) > 1 else 1 / 3)
    pos, neg = x > 0, x < 0
    np.testing.assert_array_equal(y[pos], x[pos])
    slopes = y[neg] / x[neg]
    assert np.all(slopes >= lower - 1e-12) and np.all(slopes <= upper + 1e-12)
    if slopes.size >= 5000:
        width = upper - lower
        assert abs(slopes.mean() - (lower + upper) / 2) <= 5 * width / np.sqrt(12 * slopes.size) + 1e-12
        assert slopes.std() > width / 4  # not one slope for all
    if x_grad is not None:
        np.testing.assert_array_equal(x_grad[pos], 1.0)
        np.testing.assert_allclose(x_grad[neg], slopes, rtol=1e-9)


add("RReLU", [C(), C(0.1, 0.3), C(lower=0.2, upper=0.5, inplace=True)], ANY_SHAPE, random=True,
    train_check=_rrelu_train_check, domain=Domain(-4.0, 4.0), errors=[
        _not_float("rrelu"),
        E("lower_above_upper", C(0.5, 0.1), lambda L: (_ones(L, 3),), RuntimeError,
          match="rrelu")])


def _rms_inputs(ctor, dtype, rng, dom):
    shape = ctor.args[0]
    return _layernorm_inputs(Ctor((tuple(shape) if isinstance(shape, list) else shape,)), dtype, rng, dom)


add("RMSNorm", [C(5), C((3, 5)), C(5, elementwise_affine=False), C(5, eps=1e-2), C([3, 5], eps=1e-6, id="list")],
    _rms_inputs, has_params=True, domain=Domain(-2.0, 4.0), errors=[
        E("wrong_trailing_dim", C(5), lambda L: (_ones(L, 5, 3),), ValueError, torch=RuntimeError,
          match=("RMSNorm((5,)", "(5, 3)")),
        E("int64_input", C(3), lambda L: (_ones(L, 4, 3, dtype=L.int64),), TypeError, torch=NotImplementedError,
          match="rms_norm"),
    ])


def _lrn_inputs(ctor, dtype, rng, dom):
    return [ModuleInput((contig((2, 5, 3), dtype, rng, dom),), "NCL"),
            ModuleInput((contig((2, 5, 3, 2), dtype, rng, dom),), "NCHW"),
            ModuleInput((contig((1, 4, 2, 2, 2), dtype, rng, dom),), "5d"),
            ModuleInput((contig((0, 5, 3), dtype, rng, dom),), "empty"),
            ModuleInput((noncontig((3, 5, 2), dtype, rng, dom),), "noncontig")]


add("LocalResponseNorm", [C(2), C(3, alpha=0.1, beta=0.5, k=2.0), C(size=1, id="size=1"), C(8, alpha=1.0)],
    _lrn_inputs, domain=Domain(-2.0, 2.0), errors=[
        E("2d_input", C(2), lambda L: (_ones(L, 2, 3),), ValueError, match=("local_response_norm", "(2, 3)"))])


def _instance_inputs(dims):
    def inputs(ctor, dtype, rng, dom):
        spatial = {1: (5,), 2: (3, 4), 3: (2, 3, 3)}[dims]
        out = [ModuleInput((contig((2, 3) + spatial, dtype, rng, dom),), "batched"),
               ModuleInput((contig((3,) + spatial, dtype, rng, dom),), "unbatched"),
               ModuleInput((noncontig((4, 3) + spatial, dtype, rng, dom),), "noncontig")]
        # torch fails on an empty batch with affine (repeating the weight 0 times) and turns the
        # running statistics into NaN (a mean over no sample): empty only without either
        if not ctor.kwargs.get("affine") and not ctor.kwargs.get("track_running_stats"):
            out.append(ModuleInput((contig((0, 3) + spatial, dtype, rng, dom),), "empty"))
        return out
    return inputs


for _name, _dims in (("InstanceNorm1d", 1), ("InstanceNorm2d", 2), ("InstanceNorm3d", 3)):
    _batched = {1: (2, 3, 5), 2: (2, 3, 3, 4), 3: (2, 3, 2, 3, 3)}[_dims]
    add(_name, [C(3), C(3, affine=True), C(3, affine=True, bias=False), C(3, track_running_stats=True),
                C(3, eps=1e-3, momentum=0.3, affine=True, track_running_stats=True, id="all"),
                C(3, momentum=None, track_running_stats=True)],
        _instance_inputs(_dims), has_params=True, has_buffers=True, domain=Domain(-2.0, 4.0), errors=[
            E("wrong_dims", C(3), lambda L, d=_dims: (_ones(L, *((2, 3, 4, 5, 6, 7)[:d + 3])),), ValueError,
              match=(_name, "got (")),
            E("wrong_channels_affine", C(3, affine=True), lambda L, b=_batched: (_ones(L, 2, 4, *b[2:]),),
              ValueError, match=(_name, "num_features (3)")),
            E("one_spatial_element", C(3), lambda L, d=_dims: (_ones(L, 2, 3, *((1,) * d)),), ValueError,
              match=("instance_norm", "spatial")),
            E("int64_input", C(3), lambda L, b=_batched: (_ones(L, *b, dtype=L.int64),), TypeError,
              torch=NotImplementedError, match="instance_norm"),
        ])


def _shuffle_inputs(ctor, dtype, rng, dom):
    return [ModuleInput((contig((2, 6, 3), dtype, rng, dom),), "NCL"),
            ModuleInput((contig((2, 6, 2, 3), dtype, rng, dom),), "NCHW"),
            ModuleInput((contig((0, 6, 2), dtype, rng, dom),), "empty"),
            ModuleInput((noncontig((3, 6, 2), dtype, rng, dom),), "noncontig")]


add("ChannelShuffle", [C(2), C(groups=3), C(6, id="6"), C(1, id="1")], _shuffle_inputs, errors=[
    E("indivisible", C(4), lambda L: (_ones(L, 2, 6, 3),), ValueError, torch=RuntimeError,
      match=("channel_shuffle", "(2, 6, 3)")),
    E("2d_input", C(2), lambda L: (_ones(L, 2, 6),), ValueError, torch=RuntimeError,
      match=("channel_shuffle", "(2, 6)")),
    E("groups_0", C(0), lambda L: (_ones(L, 2, 6, 3),), ValueError, torch=RuntimeError, match="channel_shuffle"),
])

# ---- distances -------------------------------------------------------------------------------
def _distance_inputs(ctor, dtype, rng, dom):
    """(x1, x2): same shapes, a broadcast row, 3-d, non-contiguous, empty; unbatched where dim allows."""
    out = [ModuleInput((contig((4, 5), dtype, rng, dom), contig((4, 5), dtype, rng, dom)), "batched"),
           ModuleInput((contig((4, 5), dtype, rng, dom), contig((1, 5), dtype, rng, dom)), "broadcast"),
           ModuleInput((contig((2, 3, 4), dtype, rng, dom), contig((2, 3, 4), dtype, rng, dom)), "3d"),
           ModuleInput((noncontig((4, 5), dtype, rng, dom), noncontig((4, 5), dtype, rng, dom)), "noncontig"),
           ModuleInput((contig((0, 5), dtype, rng, dom), contig((0, 5), dtype, rng, dom)), "empty")]
    if ctor.kwargs.get("dim", 1) in (0, -1):
        out.append(ModuleInput((contig((5,), dtype, rng, dom), contig((5,), dtype, rng, dom)), "unbatched"))
    return out


add("PairwiseDistance", [C(), C(p=1.0), C(p=3.0, keepdim=True), C(eps=0.0, p=float("inf"))], _distance_inputs,
    errors=[E("shape_mismatch", C(), lambda L: (_ones(L, 3), _ones(L, 4)), ValueError, torch=RuntimeError,
              match="pairwise_distance")])
add("CosineSimilarity", [C(), C(dim=0), C(dim=-1, eps=1e-6)], _distance_inputs,
    errors=[E("shape_mismatch", C(), lambda L: (_ones(L, 2, 3), _ones(L, 2, 4)), ValueError, torch=RuntimeError,
              match="cosine_similarity"),
            E("dim_out_of_range", C(dim=3), lambda L: (_ones(L, 2, 3), _ones(L, 2, 3)), IndexError,
              match="cosine_similarity")])

# ---- losses ----------------------------------------------------------------------------------
_REDUCTIONS = [C(), C(reduction="sum"), C(reduction="none")]
_PROB = Domain(0.05, 0.95)


def _pair(dom_x, dom_t, grad=None, t_dtype=None):
    """(input, target) of the same shape: batched, unbatched, 0-d, empty, non-contiguous."""
    def inputs(ctor, dtype, rng, dom):
        dx = dom_x or dom
        out = []
        for desc, shape, nc in [("batched", (4, 5), False), ("unbatched", (5,), False), ("0d", (), False),
                                ("empty", (0, 5), False), ("noncontig", (4, 5), True)]:
            if shape == () and ("weight" in ctor.kwargs or "pos_weight" in ctor.kwargs):
                continue  # a per-class weight of 5 does not broadcast to a 0-d loss
            make = noncontig if nc else contig
            target = make(shape, t_dtype or dtype, rng, dom_t)
            out.append(ModuleInput((make(shape, dtype, rng, dx), target), desc, grad))
        return out
    return inputs


def _loss_errors(name, pair):
    return [
        E("reduction_unknown", C(reduction="avg"), None, ValueError, torch=OK, match="reduction",
          note="ember checks at construction; torch in the forward (ValueError)"),
        E("one_argument", C(), lambda L: pair(L)[:1], TypeError, match=None, note="forward's signature"),
    ]


_REG = lambda L: (_ones(L, 3, 2), _ones(L, 3, 2))
for _name, _fn in (("L1Loss", "l1_loss"), ("MSELoss", "mse_loss")):
    add(_name, _REDUCTIONS + [C(size_average=False), C(reduce=False)], _pair(None, DEFAULT),
        errors=_loss_errors(_name, _REG) + [
        E("shape_mismatch", C(), lambda L: (_ones(L, 3), _ones(L, 4)), ValueError, torch=RuntimeError,
          match=_fn)])
add("KLDivLoss", [C(reduction="batchmean"), C(reduction="sum"), C(reduction="none"),
                  C(reduction="batchmean", log_target=True), C(reduction="none", log_target=True)],
    _pair(None, _PROB), errors=_loss_errors("KLDivLoss", _REG))
add("HuberLoss", _REDUCTIONS + [C(delta=0.5), C(reduction="sum", delta=2.0)], _pair(None, DEFAULT),
    errors=_loss_errors("HuberLoss", _REG) + [
        E("delta_negative", C(delta=-1.0), lambda L: _REG(L), ValueError, torch=RuntimeError, match="delta")])
add("SmoothL1Loss", _REDUCTIONS + [C(beta=0.3), C(reduction="none", beta=0.0)], _pair(None, DEFAULT),
    errors=_loss_errors("SmoothL1Loss", _REG) + [
        E("beta_negative", C(beta=-1.0), lambda L: _REG(L), ValueError, torch=RuntimeError, match="beta")])

_W5 = Arg(np.random.default_rng(5).uniform(0.5, 2.0, 5).astype(np.float32))
add("BCELoss", _REDUCTIONS + [C(weight=_W5, id="weight"), C(weight=_W5, reduction="none", id="weight-none")],
    _pair(_PROB, _PROB, grad=(0,)), has_buffers=True, grad_domain=_PROB,
    errors=_loss_errors("BCELoss", _REG) + [
        E("input_above_1", C(), lambda L: (L.tensor([1.5, 0.5]), L.tensor([1.0, 0.0])), RuntimeError,
          match="between 0 and 1"),
        E("float64_target", C(), lambda L: (L.full((3,), 0.5), _ones(L, 3, dtype=L.float64)), TypeError,
          torch=RuntimeError, match="binary_cross_entropy"),
    ])
# BCELoss: torch has no derivative for the target ("not implemented"), so only the input's is compared.
add("BCEWithLogitsLoss", _REDUCTIONS + [C(weight=_W5, id="weight"), C(pos_weight=_W5, id="pos_weight"),
                                        C(weight=_W5, pos_weight=_W5, reduction="sum", id="both-sum")],
    _pair(Domain(-4.0, 4.0), _PROB), has_buffers=True, errors=_loss_errors("BCEWithLogitsLoss", _REG) + [
        E("target_shape", C(), lambda L: (_ones(L, 4, 3), _ones(L, 4, 1)), ValueError,
          match=("binary_cross_entropy_with_logits", "(4, 1)", "(4, 3)")),
        E("weight_wrong_size", C(weight=Arg(np.ones(4, np.float32)), id="weight4"), _REG,
          ValueError, torch=RuntimeError, match=("binary_cross_entropy_with_logits", "(4,)")),
    ])


def _class_inputs(probs):
    """(scores, class indices) batched (N, C), unbatched (C,) with a 0-d target, (N, C, d), empty,
    non-contiguous; with ``probs`` also class-probability targets (CrossEntropyLoss)."""
    def inputs(ctor, dtype, rng, dom):
        ignore = ctor.kwargs.get("ignore_index")
        cls = Domain(0, 4)

        def target(shape):
            t = make_array(shape, "int64", rng, cls)
            if ignore is not None and t.size > 1:
                t.flat[1] = ignore
            return Arg(t)
        out = [ModuleInput((contig((6, 5), dtype, rng, dom), target((6,))), "batched", (0,)),
               ModuleInput((contig((5,), dtype, rng, dom), target(())), "unbatched", (0,)),
               ModuleInput((contig((3, 5, 4), dtype, rng, dom), target((3, 4))), "NCd", (0,)),
               ModuleInput((contig((0, 5), dtype, rng, dom), target((0,))), "empty", (0,)),
               ModuleInput((noncontig((6, 5), dtype, rng, dom), target((6,))), "noncontig", (0,))]
        if probs and ignore is None:  # torch: no ignore_index with probability targets
            p = rng.dirichlet(np.ones(5), 6).astype(dtype)
            out.append(ModuleInput((contig((6, 5), dtype, rng, dom), Arg(p)), "prob-target"))
        return out
    return inputs


_CLS = lambda L: (_ones(L, 3, 4), L.tensor([0, 1, 1]))


def _class_errors(name, fn_name):
    """Bad calls of NLLLoss / CrossEntropyLoss; forward errors name the functional op (fn_name)."""
    return _loss_errors(name, _CLS) + [
        E("class_out_of_range", C(), lambda L: (_ones(L, 3, 4), L.tensor([0, 4, 1])), IndexError,
          match="out of bounds"),
        # a target not of the input's shape is class indices (torch's rule), so a float one is refused
        E("float_target", C(), lambda L: (_ones(L, 3, 4), L.tensor([0.0, 1.0, 2.0])), TypeError,
          torch=RuntimeError, match=fn_name),
        E("target_batch_mismatch", C(), lambda L: (_ones(L, 3, 4), L.tensor([0, 1])), ValueError,
          match=(fn_name, "(3, 4)", "(2,)")),
        E("unbatched_input_batched_target", C(), lambda L: (_ones(L, 5), L.tensor([1, 2, 3])), ValueError,
          match=(fn_name, "(5,)", "(3,)")),
        E("weight_wrong_size", C(weight=Arg(np.ones(3, np.float32)), id="weight3"), _CLS, ValueError,
          torch=RuntimeError, match="weight"),
        E("int64_input", C(), lambda L: (_ones(L, 3, 4, dtype=L.int64), L.tensor([0, 1, 2])), TypeError,
          torch=NotImplementedError, match=fn_name),
    ]


add("NLLLoss", _REDUCTIONS + [C(weight=_W5, id="weight"), C(ignore_index=3), C(ignore_index=-100),
                              C(reduce=False, size_average=True), C(weight=_W5, reduction="sum",
                                                                                ignore_index=0, id="weight-ign0")],
    _class_inputs(False), has_buffers=True, errors=_class_errors("NLLLoss", "nll_loss"))
add("CrossEntropyLoss", _REDUCTIONS + [C(weight=_W5, id="weight"), C(ignore_index=3), C(label_smoothing=0.1),
                                       C(weight=_W5, label_smoothing=0.2, reduction="none", id="weight-smooth")],
    _class_inputs(True), has_buffers=True, errors=_class_errors("CrossEntropyLoss", "cross_entropy") + [
        E("label_smoothing_1.5", C(label_smoothing=1.5), lambda L: _CLS(L), ValueError, torch=RuntimeError,
          match="label_smoothing"),
    ])

# ---- margin, embedding and likelihood losses ---------------------------------------------------
_LEGACY = [C(size_average=False), C(reduce=False)]


def _sign(shape, dtype, rng):
    """A target of 1s and -1s."""
    return Arg(rng.choice([-1.0, 1.0], shape).astype(dtype))


def _two_arguments(name):
    return E("two_arguments", C(), lambda L: (_ones(L, 3), _ones(L, 3)), TypeError, match=None,
             note="forward's signature: three tensors")


def _ranking_inputs(ctor, dtype, rng, dom):
    """(input1, input2, target of +-1): 1-d, 2-d, 0-d, empty, non-contiguous, broadcast."""
    out = []
    for desc, (s1, s2, st), nc in [("batched", ((5,), (5,), (5,)), False), ("2d", ((4, 5),) * 3, False),
                                   ("0d", ((),) * 3, False), ("empty", ((0,),) * 3, False),
                                   ("noncontig", ((4, 5),) * 3, True), ("broadcast", ((4, 1), (1, 5), (4, 5)), False)]:
        make = noncontig if nc else contig
        out.append(ModuleInput((make(s1, dtype, rng, dom), make(s2, dtype, rng, dom), _sign(st, dtype, rng)), desc,
                               (0, 1)))
    return out


_R3 = lambda L: (_ones(L, 3), _ones(L, 3), _ones(L, 3))
add("MarginRankingLoss", _REDUCTIONS + _LEGACY + [C(margin=0.5), C(0.3, reduction="sum")], _ranking_inputs,
    errors=_loss_errors("MarginRankingLoss", _R3) + [
        _two_arguments("MarginRankingLoss"),
        E("dims_differ", C(), lambda L: (_ones(L, 3), _ones(L, 3, 1), _ones(L, 3)), ValueError, torch=RuntimeError,
          match=("margin_ranking_loss", "(3,)", "(3, 1)")),
        E("shapes_do_not_broadcast", C(), lambda L: (_ones(L, 3), _ones(L, 4), _ones(L, 3)), ValueError,
          torch=RuntimeError, match=("margin_ranking_loss", "(3,)", "(4,)")),
    ])


def _signed_pair(ctor, dtype, rng, dom):
    """(input, target of +-1): batched, unbatched, 0-d, empty, non-contiguous, a target broadcast along rows."""
    out = []
    for desc, sx, st, nc in [("batched", (4, 5), (4, 5), False), ("unbatched", (5,), (5,), False),
                             ("0d", (), (), False), ("empty", (0, 5), (0, 5), False),
                             ("noncontig", (4, 5), (4, 5), True), ("row-target", (4, 5), (5,), False)]:
        make = noncontig if nc else contig
        out.append(ModuleInput((make(sx, dtype, rng, dom), _sign(st, dtype, rng)), desc, (0,)))
    return out


add("HingeEmbeddingLoss", _REDUCTIONS + _LEGACY + [C(margin=0.5), C(2.0, reduction="none")], _signed_pair,
    domain=Domain(0.0, 2.5), errors=_loss_errors("HingeEmbeddingLoss", _REG) + [
        E("shapes_do_not_broadcast", C(), lambda L: (_ones(L, 3), _ones(L, 4)), ValueError, torch=RuntimeError,
          match=("hinge_embedding_loss", "(3,)", "(4,)")),
    ])
add("SoftMarginLoss", _REDUCTIONS + _LEGACY, _signed_pair, errors=_loss_errors("SoftMarginLoss", _REG) + [
    E("shapes_do_not_broadcast", C(), lambda L: (_ones(L, 3), _ones(L, 4)), ValueError, torch=RuntimeError,
      match=("soft_margin_loss", "(4,)", "(3,)")),
    E("target_larger_than_input", C(), lambda L: (_ones(L, 3), _ones(L, 2, 3)), ValueError, torch=RuntimeError,
      match=("soft_margin_loss", "(2, 3)", "(3,)")),
    E("int64_input", C(), lambda L: (_ones(L, 3, dtype=L.int64), _ones(L, 3)), TypeError, torch=RuntimeError,
      match="soft_margin_loss"),
])


def _cosine_inputs(ctor, dtype, rng, dom):
    """(input1 (N, D), input2, target (N,) of +-1); unbatched (D,) with a 0-d target; empty; broadcast row."""
    out = []
    for desc, s1, s2, st, nc in [("batched", (4, 5), (4, 5), (4,), False), ("unbatched", (5,), (5,), (), False),
                                 ("empty", (0, 5), (0, 5), (0,), False), ("noncontig", (4, 5), (4, 5), (4,), True),
                                 ("broadcast", (4, 5), (1, 5), (4,), False)]:
        make = noncontig if nc else contig
        out.append(ModuleInput((make(s1, dtype, rng, dom), make(s2, dtype, rng, dom), _sign(st, dtype, rng)), desc,
                               (0, 1)))
    return out


_COS3 = lambda L: (_ones(L, 3, 4), _ones(L, 3, 4), _ones(L, 3))
add("CosineEmbeddingLoss", _REDUCTIONS + _LEGACY + [C(margin=0.3), C(-0.2, reduction="none")], _cosine_inputs,
    errors=_loss_errors("CosineEmbeddingLoss", _COS3) + [
        _two_arguments("CosineEmbeddingLoss"),
        E("2d_target", C(), lambda L: (_ones(L, 3, 4), _ones(L, 3, 4), _ones(L, 3, 1)), ValueError,
          torch=RuntimeError, match=("cosine_embedding_loss", "(3, 1)")),
        E("1d_target_1d_inputs", C(), lambda L: (_ones(L, 4), _ones(L, 4), _ones(L, 3)), ValueError,
          torch=RuntimeError, match=("cosine_embedding_loss", "(4,)")),
        E("0d_target_2d_inputs", C(), lambda L: (_ones(L, 3, 4), _ones(L, 3, 4), L.tensor(1.0)), ValueError,
          torch=RuntimeError, match=("cosine_embedding_loss", "(3, 4)")),
        E("feature_mismatch", C(), lambda L: (_ones(L, 3, 4), _ones(L, 3, 5), _ones(L, 3)), ValueError,
          torch=RuntimeError, match=("cosine_embedding_loss", "(3, 4)", "(3, 5)")),
        E("target_batch_mismatch", C(), lambda L: (_ones(L, 3, 4), _ones(L, 3, 4), _ones(L, 2)), ValueError,
          torch=RuntimeError, match=("cosine_embedding_loss", "(2,)")),
    ])


def _triplet_inputs(ctor, dtype, rng, dom):
    """(anchor, positive, negative): (N, D), unbatched, 3-d, empty, non-contiguous, a broadcast positive."""
    out = []
    for desc, shapes, nc in [("batched", ((4, 5),) * 3, False), ("unbatched", ((5,),) * 3, False),
                             ("3d", ((2, 3, 4),) * 3, False), ("empty", ((0, 5),) * 3, False),
                             ("noncontig", ((4, 5),) * 3, True), ("broadcast", ((4, 5), (1, 5), (4, 5)), False)]:
        make = noncontig if nc else contig
        out.append(ModuleInput(tuple(make(sh, dtype, rng, dom) for sh in shapes), desc))
    return out


_T3 = lambda L: (_ones(L, 3, 4), _ones(L, 3, 4), _ones(L, 3, 4))
add("TripletMarginLoss", _REDUCTIONS + _LEGACY + [C(margin=2.0, p=1.0), C(swap=True, margin=3.0),
                                                  C(p=3.0, eps=1e-3, reduction="sum")], _triplet_inputs,
    errors=_loss_errors("TripletMarginLoss", _T3) + [
        _two_arguments("TripletMarginLoss"),
        E("margin_zero", C(margin=0.0), None, ValueError, match="margin"),
        E("dims_differ", C(), lambda L: (_ones(L, 3, 4), _ones(L, 3, 4), _ones(L, 4)), ValueError,
          torch=RuntimeError, match=("triplet_margin_loss", "(3, 4)", "(4,)")),
        E("feature_mismatch", C(), lambda L: (_ones(L, 3, 4), _ones(L, 3, 5), _ones(L, 3, 4)), ValueError,
          torch=RuntimeError, match=("triplet_margin_loss", "(3, 4)", "(3, 5)")),
    ])


def _abs_distance(x, y):
    """A plain function as the distance (a module-level one, so the layer pickles as torch's does)."""
    return (x - y).abs().sum(-1)


add("TripletMarginWithDistanceLoss", [C(), C(margin=2.0, swap=True), C(reduction="sum"), C(reduction="none"),
                                      C(distance_function=_abs_distance, reduction="none", id="l1-function"),
                                      C(distance_function=Sub("PairwiseDistance", p=1.0), id="pairwise-p1"),
                                      C(distance_function=Sub("CosineSimilarity", dim=-1), margin=0.5, swap=True,
                                        id="cosine-swap")],
    _triplet_inputs, errors=[
        E("margin_negative", C(margin=-1.0), None, ValueError, match="margin"),
        E("reduction_unknown", C(reduction="avg"), _T3, ValueError, match="reduction"),
        E("dims_differ", C(), lambda L: (_ones(L, 3, 4), _ones(L, 3, 4), _ones(L, 4)), ValueError,
          torch=RuntimeError, match=("triplet_margin_with_distance_loss", "(3, 4)", "(4,)")),
        E("positional_argument", C(None, id="positional"), None, TypeError, match=None,
          note="every argument is keyword-only"),
    ])


def _multilabel_pair(ctor, dtype, rng, dom):
    """(scores, 0/1 labels): (N, C), unbatched, 3-d, empty, non-contiguous, one label row for all."""
    out = []
    for desc, sx, st, nc in [("batched", (4, 5), (4, 5), False), ("unbatched", (5,), (5,), False),
                             ("3d", (2, 3, 5), (2, 3, 5), False), ("empty", (0, 5), (0, 5), False),
                             ("noncontig", (4, 5), (4, 5), True), ("row-target", (4, 5), (5,), False)]:
        make = noncontig if nc else contig
        out.append(ModuleInput((make(sx, dtype, rng, dom), Arg(rng.integers(0, 2, st).astype(dtype))), desc))
    return out


add("MultiLabelSoftMarginLoss", _REDUCTIONS + _LEGACY + [C(weight=_W5, id="weight"),
                                                         C(weight=_W5, reduction="none", id="weight-none")],
    _multilabel_pair, has_buffers=True, errors=_loss_errors("MultiLabelSoftMarginLoss", _REG) + [
        E("0d_input", C(), lambda L: (L.tensor(1.0), L.tensor(1.0)), IndexError, match="multilabel_soft_margin_loss"),
        E("shape_mismatch", C(), lambda L: (_ones(L, 3, 4), _ones(L, 3, 5)), ValueError, torch=RuntimeError,
          match=("multilabel_soft_margin_loss", "(3, 4)", "(3, 5)")),
        E("weight_wrong_size", C(weight=Arg(np.ones(3, np.float32)), id="weight3"), lambda L: (_ones(L, 2, 4),
          _ones(L, 2, 4)), ValueError, torch=RuntimeError, match=("multilabel_soft_margin_loss", "(3,)")),
        E("int64_input", C(), lambda L: (_ones(L, 3, 4, dtype=L.int64), _ones(L, 3, 4)), TypeError,
          torch=NotImplementedError, match="multilabel_soft_margin_loss"),
    ])


def _margin_class_inputs(ctor, dtype, rng, dom):
    """(scores, int64 class indices): (N, C), unbatched with a 0-d and a (1,) target, 0-d, non-contiguous;
    an empty batch only where torch's kernel defines the result ('none': its mean and sum of no sample
    read uninitialized memory)."""
    cls = Domain(0, 4)
    idx = lambda shape: Arg(make_array(shape, "int64", rng, cls))
    out = [ModuleInput((contig((6, 5), dtype, rng, dom), idx((6,))), "batched", (0,)),
           ModuleInput((contig((5,), dtype, rng, dom), idx(())), "unbatched", (0,)),
           ModuleInput((contig((5,), dtype, rng, dom), idx((1,))), "unbatched-1", (0,)),
           ModuleInput((noncontig((6, 5), dtype, rng, dom), idx((6,))), "noncontig", (0,))]
    if "weight" not in ctor.kwargs and len(ctor.args) < 3:  # a weight of 5 classes does not fit a 0-d input
        out.append(ModuleInput((contig((), dtype, rng, dom), Arg(np.array(0, np.int64))), "0d", (0,)))
    if ctor.kwargs.get("reduction") == "none" or ctor.kwargs.get("reduce") is False:
        out.append(ModuleInput((contig((0, 5), dtype, rng, dom), idx((0,))), "empty", (0,)))
    return out


_MM = lambda L: (_ones(L, 3, 4), L.tensor([0, 1, 2]))
add("MultiMarginLoss", _REDUCTIONS + _LEGACY + [C(p=2), C(margin=0.5), C(weight=_W5, id="weight"),
                                                C(2, 0.7, _W5, reduction="none", id="p2-weight-none")],
    _margin_class_inputs, has_buffers=True, errors=_loss_errors("MultiMarginLoss", _MM) + [
        E("p_3", C(p=3), None, ValueError, match="p == 1 and p == 2"),
        E("weight_2d", C(weight=Arg(np.ones((1, 4), np.float32)), id="weight2d"), None, ValueError, match="weight"),
        E("target_out_of_range", C(), lambda L: (_ones(L, 3, 4), L.tensor([0, 4, 1])), IndexError,
          torch=RuntimeError, match=("multi_margin_loss", "out of bounds")),
        E("target_negative", C(), lambda L: (_ones(L, 3, 4), L.tensor([0, -1, 1])), IndexError,
          torch=RuntimeError, match=("multi_margin_loss", "out of bounds")),
        E("target_batch_mismatch", C(), lambda L: (_ones(L, 3, 4), L.tensor([0, 1])), ValueError,
          torch=RuntimeError, match=("multi_margin_loss", "(3, 4)", "(2,)")),
        E("float_target", C(), lambda L: (_ones(L, 3, 4), L.tensor([0.0, 1.0, 2.0])), TypeError,
          torch=RuntimeError, match="multi_margin_loss"),
        E("3d_input", C(), lambda L: (_ones(L, 2, 3, 4), L.zeros(2, 3, dtype=L.int64)), ValueError,
          torch=RuntimeError, match=("multi_margin_loss", "(2, 3, 4)")),
        E("no_classes", C(), lambda L: (_ones(L, 3, 0), L.zeros(3, dtype=L.int64)), ValueError,
          torch=RuntimeError, match=("multi_margin_loss", "(3, 0)")),
        E("weight_wrong_size", C(weight=Arg(np.ones(3, np.float32)), id="weight3"), _MM, ValueError,
          torch=RuntimeError, match=("multi_margin_loss", "(3,)")),
        E("int64_input", C(), lambda L: (_ones(L, 3, 4, dtype=L.int64), L.tensor([0, 1, 2])), TypeError,
          torch=NotImplementedError, match="multi_margin_loss"),
    ])


def _label_lists(shape, rng):
    """int64 rows of class indices (distinct, a random number of them), then -1, then anything."""
    rows = np.full((int(np.prod(shape[:-1])), shape[-1]), -1, np.int64)
    for r in rows:
        k = rng.integers(0, shape[-1] + 1)
        r[:k] = rng.permutation(shape[-1])[:k]
        if k + 1 < shape[-1]:
            r[k + 1:] = rng.integers(-1, shape[-1], shape[-1] - k - 1)
    return Arg(rows.reshape(shape))


def _multilabel_margin_inputs(ctor, dtype, rng, dom):
    out = [ModuleInput((contig((6, 5), dtype, rng, dom), _label_lists((6, 5), rng)), "batched", (0,)),
           ModuleInput((contig((5,), dtype, rng, dom), _label_lists((5,), rng)), "unbatched", (0,)),
           ModuleInput((contig((), dtype, rng, dom), Arg(np.array(0, np.int64))), "0d", (0,)),
           ModuleInput((noncontig((6, 5), dtype, rng, dom), _label_lists((6, 5), rng)), "noncontig", (0,))]
    if ctor.kwargs.get("reduction") == "none" or ctor.kwargs.get("reduce") is False:  # as MultiMarginLoss
        out.append(ModuleInput((contig((0, 5), dtype, rng, dom), Arg(np.zeros((0, 5), np.int64))), "empty", (0,)))
    return out


_ML = lambda L: (_ones(L, 2, 4), L.tensor([[0, 1, -1, 0], [3, -1, 0, 0]]))
add("MultiLabelMarginLoss", _REDUCTIONS + _LEGACY, _multilabel_margin_inputs,
    errors=_loss_errors("MultiLabelMarginLoss", _ML) + [
        E("target_shape", C(), lambda L: (_ones(L, 3, 4), L.zeros(3, 3, dtype=L.int64)), ValueError,
          torch=RuntimeError, match=("multilabel_margin_loss", "(3, 4)", "(3, 3)")),
        E("target_out_of_range", C(), lambda L: (_ones(L, 1, 4), L.tensor([[0, 4, -1, 0]])), IndexError,
          torch=RuntimeError, match=("multilabel_margin_loss", "out of bounds")),
        E("target_below_-1_after_the_end", C(), lambda L: (_ones(L, 1, 4), L.tensor([[0, -1, -2, 0]])), IndexError,
          torch=RuntimeError, match=("multilabel_margin_loss", "out of bounds")),
        E("float_target", C(), lambda L: (_ones(L, 1, 4), L.tensor([[0.0, 1.0, -1.0, 0.0]])), TypeError,
          torch=RuntimeError, match="multilabel_margin_loss"),
        E("no_classes", C(), lambda L: (_ones(L, 3, 0), L.zeros(3, 0, dtype=L.int64)), ValueError,
          torch=RuntimeError, match=("multilabel_margin_loss", "(3, 0)")),
        E("int64_input", C(), lambda L: (_ones(L, 1, 4, dtype=L.int64), L.tensor([[0, 1, -1, 0]])), TypeError,
          torch=NotImplementedError, match="multilabel_margin_loss"),
    ])


def _counts_pair(ctor, dtype, rng, dom):
    """(rates or log-rates, Poisson counts 0..6): the usual shapes; the counts are not differentiated
    (Stirling's term has no finite derivative at a count of 0)."""
    out = []
    for desc, sx, st, nc in [("batched", (4, 5), (4, 5), False), ("unbatched", (5,), (5,), False),
                             ("0d", (), (), False), ("empty", (0, 5), (0, 5), False),
                             ("noncontig", (4, 5), (4, 5), True), ("broadcast", (4, 1), (5,), False)]:
        make = noncontig if nc else contig
        out.append(ModuleInput((make(sx, dtype, rng, dom), Arg(rng.integers(0, 7, st).astype(dtype))), desc, (0,)))
    return out


add("PoissonNLLLoss", _REDUCTIONS + _LEGACY + [C(log_input=False), C(full=True),
                                               C(False, True, eps=1e-3, reduction="none", id="rate-full-none")],
    _counts_pair, domain=Domain(0.1, 3.0), grad_domain=Domain(0.1, 3.0),
    errors=_loss_errors("PoissonNLLLoss", _REG) + [
        E("shapes_do_not_broadcast", C(), lambda L: (_ones(L, 3), _ones(L, 4)), ValueError, torch=RuntimeError,
          match=("poisson_nll_loss", "(3,)", "(4,)")),
    ])


def _gaussian_inputs(ctor, dtype, rng, dom):
    """(input, target, var > 0): var of input's shape, one per row ((N,) and (N, 1)), a float; 0-d,
    empty, non-contiguous."""
    var = Domain(0.2, 2.0)
    out = []
    for desc, sx, sv, nc in [("batched", (4, 5), (4, 5), False), ("var-per-row", (4, 5), (4,), False),
                             ("var-column", (4, 5), (4, 1), False), ("var-one-feature", (4, 5), (1, 5), False),
                             ("0d", (), (), False), ("empty", (0, 5), (0, 5), False),
                             ("noncontig", (4, 5), (4, 5), True)]:
        make = noncontig if nc else contig
        out.append(ModuleInput((make(sx, dtype, rng, dom), make(sx, dtype, rng, dom), make(sv, dtype, rng, var)), desc))
    out.append(ModuleInput((contig((4, 5), dtype, rng, dom), contig((4, 5), dtype, rng, dom), 0.7), "float-var"))
    return out


_G3 = lambda L: (_ones(L, 2, 3), _ones(L, 2, 3), _ones(L, 2, 3))
add("GaussianNLLLoss", _REDUCTIONS + [C(full=True), C(eps=0.1, reduction="sum"),
                                      C(eps=0.5, full=True, reduction="none", id="eps-clamps", gradcheck=False)],
    _gaussian_inputs, errors=_loss_errors("GaussianNLLLoss", _G3) + [
        _two_arguments("GaussianNLLLoss"),
        E("negative_var", C(), lambda L: (_ones(L, 2, 3), _ones(L, 2, 3), -_ones(L, 2, 3)), ValueError,
          match=("gaussian_nll_loss", "negative")),
        E("negative_float_var", C(), lambda L: (_ones(L, 2, 3), _ones(L, 2, 3), -1.0), ValueError,
          match=("gaussian_nll_loss", "negative")),
        E("var_wrong_size", C(), lambda L: (_ones(L, 2, 3), _ones(L, 2, 3), _ones(L, 3, 3)), ValueError,
          match=("gaussian_nll_loss", "incorrect size", "(3, 3)", "(2, 3)")),
        E("var_two_dims_differ", C(), lambda L: (_ones(L, 2, 3, 4), _ones(L, 2, 3, 4), _ones(L, 1, 1, 4)), ValueError,
          match=("gaussian_nll_loss", "incorrect size")),
        E("var_0d_for_2d_input", C(), lambda L: (_ones(L, 2, 3), _ones(L, 2, 3), L.tensor(1.0)), ValueError,
          match=("gaussian_nll_loss", "incorrect size")),
        E("target_does_not_broadcast", C(), lambda L: (_ones(L, 2, 3), _ones(L, 4), _ones(L, 2, 3)), ValueError,
          torch=RuntimeError, match=("gaussian_nll_loss", "(2, 3)", "(4,)")),
        E("int64_var", C(), lambda L: (_ones(L, 3), _ones(L, 3), _ones(L, 3, dtype=L.int64)), TypeError,
          torch=RuntimeError, match="gaussian_nll_loss"),
    ])

# ---- containers --------------------------------------------------------------------------------
add("Sequential", [C(Sub("Linear", 4, 3), Sub("ReLU"), id="linear-relu"),
                   C(Sub("Linear", 4, 5), Sub("Tanh"), Sub("Linear", 5, 2), Sub("LogSoftmax", dim=-1), id="mlp"),
                   C(Sub("BatchNorm1d", 4), Sub("Linear", 4, 2, bias=False), id="bn-linear"),
                   C(Sub("Linear", 4, 4), Sub("ELU", inplace=True), Sub("LayerNorm", 4), Sub("Sigmoid"),
                     id="linear-elu_-layernorm-sigmoid"),
                   C(id="empty")],
    shaped(("batched", (6, 4)), ("empty", (0, 4)), ("noncontig", (6, 4), "nc")),
    has_params=True, has_buffers=True, errors=[
        E("layer_shape_mismatch", C(Sub("Linear", 4, 3), Sub("Linear", 2, 2), id="mismatch"),
          lambda L: (_ones(L, 2, 4),), ValueError, torch=RuntimeError, match=("Linear(in_features=2", "(2, 3)")),
        E("not_a_module", C(3, id="int"), None, TypeError, match=("Sequential", "int")),
    ])

# ---- ember-only layers (own NumPy references) ----------------------------------------------------


def _state(m):
    return {k: np.array(np.asarray(v), copy=True) for k, v in m.state_dict().items()}


add("Sign", [C(), C(straight_through=True, gradcheck=False)], ANY_SHAPE, torch_name=None,
    reference=lambda m, x: np.sign(x),
    reference_grad=lambda ctor, x, cot: cot if ctor.kwargs.get("straight_through") else np.zeros_like(cot),
    domain=Domain(-2.0, 2.0, discrete=True),  # zeros too
    errors=[])
# straight_through=True: the gradient is the identity by design, not sign's derivative (0).


def _noise_train_check(ctor, x, y, x_grad):
    """Training mode: y - x is normal noise of standard deviation std (on a large sample: its mean
    and standard deviation; always: no value beyond 7 std); the noise is additive, so the gradient
    is 1."""
    std = ctor.kwargs.get("std", ctor.args[0] if ctor.args else 0.1)
    noise = (y - x).ravel()
    if std == 0:
        np.testing.assert_array_equal(noise, 0)
    else:
        assert np.all(np.abs(noise) < 7 * std), noise
    if std and noise.size >= 10_000:
        assert abs(noise.mean()) < 5 * std / np.sqrt(noise.size), noise.mean()
        assert abs(noise.std() / std - 1) < 0.05, noise.std()
    if x_grad is not None:
        np.testing.assert_array_equal(x_grad, np.ones_like(x))


add("GaussianNoise", [C(), C(2.0), C(std=0.0)], features(5), torch_name=None, random=True,
    train_check=_noise_train_check, reference=lambda m, x: x, reference_grad=lambda ctor, x, cot: cot, errors=[
        E("std_negative", C(-1.0), None, ValueError, torch=None),
        E("int64_input", C(0.5), _INT_INPUT, TypeError, torch=None, match="gaussian_noise"),
    ])


def _perceptron_ref(m, x):
    s = _state(m)
    return np.where(x @ s["weight"] + s["bias"] >= 0, 1.0, -1.0).astype(x.dtype)


def _perceptron_inputs(ctor, dtype, rng, dom):
    n = ctor.args[0]
    return shaped(("batched", (6, n)), ("unbatched", (n,)), ("empty", (0, n)), ("noncontig", (6, n), "nc"))(
        ctor, dtype, rng, dom)


add("Perceptron", [C(3), C(1)], _perceptron_inputs,
    torch_name=None, reference=_perceptron_ref, has_params=True, gradcheck=False, errors=[
        E("in_features_0", C(0), None, ValueError, torch=None, match="in_features"),
        E("forward_wrong_features", C(2), lambda L: (L.ones(1, 3, dtype=L.float64),), ValueError, torch=None,
          match=("Perceptron(in_features=2)", "(1, 3)")),
    ])
# Perceptron: a step function learned by fit(), not by gradients (its parameters do not require grad).

import module_db_cnn  # noqa: E402,F401  (the convolutional-network layers' rows)
import module_db_rnn  # noqa: E402,F401  (the recurrent cells' rows)

MODULES_BY_NAME = {r.name: r for r in MODULES}

# Classes ember.nn exports that have no row, and why (test_modules.py fails on any other).
NOT_A_LAYER = {
    "Module": "the base class: test_nn_module.py tests the Module system",
    "Parameter": "a tensor, not a layer",
    "ModuleList": "a container with no forward of its own (test_nn_module.py)",
    "ModuleDict": "a container with no forward of its own (test_nn_module.py)",
    "LSTMCell": "returns (h, c): test_rnn.py compares it with torch (outputs, gradients, gradcheck, errors)",
    "RNN": "returns (output, h_n) and takes PackedSequence: test_rnn.py and test_rnn_packed.py",
    "LSTM": "returns (output, (h_n, c_n)) and takes PackedSequence: test_rnn.py and test_rnn_packed.py",
    "GRU": "returns (output, h_n) and takes PackedSequence: test_rnn.py and test_rnn_packed.py",
    "ParameterList": "a container with no forward (test_parameter_containers.py)",
    "CTCLoss": "takes four arguments, two of them integer lengths: test_ctc.py compares it with torch (losses, "
               "gradients, gradcheck, errors)",
    "ParameterDict": "a container with no forward (test_parameter_containers.py)",
    **{name: "takes masks by keyword and several sequences (MultiheadAttention returns (output, weights)): "
             "test_transformer.py compares it with torch (outputs, gradients, gradcheck, errors)"
       for name in ("MultiheadAttention", "TransformerEncoderLayer", "TransformerDecoderLayer", "TransformerEncoder",
                    "TransformerDecoder", "Transformer")},
    **{name: "sized by its first call, then the plain layer (whose row this is): test_lazy.py compares it with "
             "torch (reprs, sizes, outputs, gradients, errors)"
       for name in ("LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
                    "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
                    "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d")},
}

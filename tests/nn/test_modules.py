"""Generic layer tests driven by the module table (tests/nn/module_db.py): every row's constructor
samples are built in ember and in torch (the oracle) with the same state, then compared on the
row's input samples: outputs (train and eval, float32 and float64), gradients of inputs and
parameters, gradcheck in float64, state_dict layout, .to(float64), repr, and the errors of bad
constructor arguments and inputs. A last test fails when ember.nn exports a layer with no row."""
import warnings

import numpy as np
import pytest

import ember
import module_db
from module_db import MODULES, NOT_A_LAYER, OK, SAME, Arg, ModuleInput, materialize
from op_db import _NumpyViews, assert_same, contig, dtype_name, to_ember, to_numpy
from bad_inputs import exception_type

FLOAT = ["float32", "float64"]
# torch's warning on the legacy loss flags (rows sample size_average= / reduce= on purpose)
pytestmark = pytest.mark.filterwarnings("ignore:size_average and reduce args will be deprecated")


def _ctor_params(rows, test=""):
    """(row, ctor) params; a Ctor's known bug in ``test`` becomes a strict xfail."""
    return [pytest.param(r, c, id=f"{r.name}-{c.id}",
                         marks=[pytest.mark.xfail(strict=True, reason=c.xfail[test])] if test in c.xfail else [])
            for r in rows for c in r.ctors]


TORCH_ROWS = [r for r in MODULES if r.torch_name is not None]
OWN_ROWS = [r for r in MODULES if r.torch_name is None]
TORCH_CTORS = _ctor_params(TORCH_ROWS)
OWN_CTORS = _ctor_params(OWN_ROWS)
GRADCHECK_CTORS = [p for p in _ctor_params([r for r in MODULES if r.gradcheck]) if p.values[1].gradcheck]
RANDOM_CTORS = _ctor_params([r for r in MODULES if r.random])


# ---- building the pair ---------------------------------------------------------------------------

def _randomize(lib, module, rng):
    """Random floating parameters (uniform in [-1, 1]) and buffers ([0.5, 1.5]: variances and
    class weights stay positive), so no comparison rests on the default 1 / 0 values."""
    with lib.no_grad():
        params = {n for n, _ in module.named_parameters()}
        for name, t in module.state_dict().items():
            if dtype_name(t.dtype) not in FLOAT:
                continue
            lo, hi = (-1.0, 1.0) if name in params else (0.5, 1.5)
            values = rng.uniform(lo, hi, tuple(t.shape)).astype(dtype_name(t.dtype))
            t.copy_(lib.from_numpy(values))


def _same(actual, expected, rtol, atol, what):
    """op_db.assert_same on detached tensors (lists element-wise)."""
    def d(x):
        return [d(v) for v in x] if isinstance(x, (list, tuple)) else (x.detach() if hasattr(x, "detach") else x)
    assert_same(d(actual), d(expected), rtol, atol, what=what)


def _load_from_torch(m, mt):
    """torch's state_dict copied into ember's module, through NumPy."""
    result = m.load_state_dict({k: to_ember(to_numpy(v.detach())) for k, v in mt.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys, result


def _pair(torch, row, ctor, dtype, seed=0):
    """The ember module and the torch one (None for ember-only rows) built from ctor, in dtype,
    holding the same random state."""
    rng = np.random.default_rng(seed)
    m = row.build(ember, ctor).to(getattr(ember, dtype))
    if row.torch_name is None:
        _randomize(ember, m, rng)
        return m, None
    mt = row.build(torch, ctor).to(getattr(torch, dtype))
    _randomize(torch, mt, rng)
    _load_from_torch(m, mt)
    return m, mt


def _assert_state_same(m, mt, dtype, row, what):
    sd, sdt = m.state_dict(), mt.state_dict()
    assert list(sd) == list(sdt), f"{what}: state_dict keys {list(sd)}, torch {list(sdt)}"
    rtol, atol = row.tolerance(dtype)
    for k in sdt:
        _same(sd[k], sdt[k], rtol, atol, what=f"{what}: state_dict[{k!r}]")


def _leaves(lib, sample, positions):
    """The sample's arguments for lib, the floating Args at ``positions`` (None: all floating Args)
    made leaves that require grad (a non-contiguous Arg's base is the leaf; the view goes in).
    Returns (args, {position: leaf})."""
    args, leaves = [], {}
    for i, a in enumerate(sample.args):
        wanted = positions is None or i in positions
        if isinstance(a, Arg) and a.base.dtype.kind == "f" and wanted:
            base = (to_ember(a.base) if lib is ember else lib.from_numpy(a.base.copy())).requires_grad_(True)
            leaves[i] = base
            args.append(a.view(base) if a.view is not None else base)
        else:
            args.append(materialize(a, lib))
    return args, leaves


def _cotangent(y, rng):
    return rng.standard_normal(tuple(y.shape))


# ---- the row list itself -------------------------------------------------------------------------

def test_every_layer_class_has_a_row():
    """Every Module class ember.nn exports has a row in module_db, or is one of the listed
    non-layers (so a new layer cannot land untested); no row names a class ember.nn lacks."""
    exported = {n for n in ember.nn.__all__ if isinstance(getattr(ember.nn, n), type)
                and issubclass(getattr(ember.nn, n), (ember.nn.Module, ember.nn.Parameter))}
    rows = {r.name for r in MODULES}
    assert exported - rows - set(NOT_A_LAYER) == set(), "layers without a row in tests/nn/module_db.py"
    assert rows - exported == set(), "rows naming classes ember.nn does not export"
    assert set(NOT_A_LAYER) <= exported, "stale entries in module_db.NOT_A_LAYER"
    assert not rows & set(NOT_A_LAYER)


def test_rows_use_torch_wherever_torch_has_the_layer(torch):
    """A row has torch as its oracle exactly when torch.nn has the class; ember-only rows give a
    NumPy reference instead."""
    for row in MODULES:
        assert hasattr(torch.nn, row.name) == (row.torch_name is not None), row.name
        assert (row.torch_name is None) == (row.reference is not None), row.name
        assert row.random == (row.train_check is not None), row.name


@pytest.mark.parametrize("row", MODULES, ids=[r.name for r in MODULES])
def test_row_flags_match_the_modules(row):
    """The row's has_params / has_buffers say what its constructor samples build."""
    mods = [row.build(ember, c) for c in row.ctors]
    assert any(len(list(m.parameters())) > 0 for m in mods) == row.has_params
    assert any(len(list(m.buffers())) > 0 for m in mods) == row.has_buffers


@pytest.mark.parametrize("row", MODULES, ids=[r.name for r in MODULES])
def test_row_samples_empty_and_noncontiguous_inputs(row):
    """Every row samples an empty input and a non-contiguous one (some constructor sample), and its
    samples are the same in float32 and float64 but for the dtype."""
    descs = {s.desc for c in row.ctors for s in row.samples(c, "float32")}
    assert "empty" in descs, descs
    assert any(d.startswith("noncontig") for d in descs), descs
    for c in row.ctors:
        s32, s64 = row.samples(c, "float32"), row.samples(c, "float64")
        assert [s.desc for s in s32] == [s.desc for s in s64]
        for a, b in zip(s32, s64):
            assert [x.shape for x in a.args if isinstance(x, Arg)] == [x.shape for x in b.args if isinstance(x, Arg)]


# ---- parity with torch -----------------------------------------------------------------------------

@pytest.mark.parametrize("row,ctor", _ctor_params(TORCH_ROWS, "repr"))
def test_repr_matches_torch(row, ctor, torch):
    """repr(module) is torch's, character for character."""
    assert repr(row.build(ember, ctor)) == repr(row.build(torch, ctor))


ROWED = [r for r in TORCH_ROWS if "_signature" in vars(getattr(ember.nn, r.name))]


@pytest.mark.parametrize("row", ROWED, ids=[r.name for r in ROWED])
def test_signature_matches_torch(row, torch):
    """A layer's Python signature, made from its C++ rows, is torch's: the same names in the same
    positional order, the same keyword-only names, the same defaults of the same types (torch's
    argument-less layers take Module's (*args, **kwargs) and refuse any; ember's take none)."""
    import inspect

    def parts(cls):
        ps = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
        return ([(p.name, p.default, type(p.default)) for p in ps if p.kind == p.POSITIONAL_OR_KEYWORD],
                {(p.name, p.default, type(p.default)) for p in ps if p.kind == p.KEYWORD_ONLY},
                [p.name for p in ps if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)])

    positional, keyword, rest = parts(getattr(ember.nn, row.name))
    t_positional, t_keyword, t_rest = parts(getattr(torch.nn, row.name))
    assert rest == []
    if t_rest:  # Module.__init__'s own (*args, **kwargs)
        assert (positional, keyword, t_positional, t_keyword) == ([], set(), [], set())
    else:
        assert positional == t_positional
        assert keyword == t_keyword


@pytest.mark.parametrize("row,ctor", [p for p in TORCH_CTORS if p.values[0] in ROWED])
def test_attributes_match_torch(row, ctor, torch):
    """Each argument a layer keeps as an attribute (a property made from its rows) has torch's value
    after construction."""
    import inspect

    m, t = row.build(ember, ctor), row.build(torch, ctor)
    names = [n for n in inspect.signature(type(m).__init__).parameters if n != "self"]
    kept = [n for n in names if isinstance(vars(type(m)).get(n), property)]
    for n in kept:
        assert getattr(m, n) == getattr(t, n), n
        assert type(getattr(m, n)) in (type(getattr(t, n)), float), n  # torch may keep an int given for a float


@pytest.mark.parametrize("row,ctor", TORCH_CTORS)
def test_state_dict_matches_torch(row, ctor, torch):
    """state_dict keys (in order), shapes and dtypes, parameter names and requires_grad, and buffer
    names equal torch's for a freshly built module."""
    m, mt = row.build(ember, ctor), row.build(torch, ctor)
    sd, sdt = m.state_dict(), mt.state_dict()
    assert list(sd) == list(sdt)
    for k, t in sdt.items():
        assert tuple(sd[k].shape) == tuple(t.shape), k
        assert dtype_name(sd[k].dtype) == dtype_name(t.dtype), k
    assert [(n, p.requires_grad) for n, p in m.named_parameters()] == \
           [(n, p.requires_grad) for n, p in mt.named_parameters()]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in mt.named_buffers()]


@pytest.mark.parametrize("dtype", FLOAT)
@pytest.mark.parametrize("row,ctor", TORCH_CTORS)
def test_forward_matches_torch(row, ctor, dtype, torch):
    """On every input sample, in training and evaluation mode (random rows: evaluation only), a
    fresh pair with the same state gives the same output (dtype, shape, values), leaves the inputs
    as torch does (in-place layers) and ends with the same state (running statistics, max_norm);
    in training mode a second call on the same pair too (the running statistics accumulate)."""
    rtol, atol = row.tolerance(dtype)
    for sample in row.samples(ctor, dtype):
        for training in ([False] if row.random else [True, False]):
            what = f"{'train' if training else 'eval'} {sample!r}"
            m, mt = _pair(torch, row, ctor, dtype)
            m.train(training)
            mt.train(training)
            for call in range(2 if training else 1):
                args, args_t = materialize(sample.args, ember), materialize(sample.args, torch)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    yt = mt(*args_t)
                y = m(*args)
                _same(y, yt, rtol, atol, what=f"output (call {call}), {what}")
                _same(list(args), list(args_t), rtol, atol, what=f"inputs after forward (call {call}), {what}")
                _assert_state_same(m, mt, dtype, row, f"call {call}, {what}")


@pytest.mark.parametrize("dtype", FLOAT)
@pytest.mark.parametrize("row,ctor", TORCH_CTORS)
def test_backward_matches_torch(row, ctor, dtype, torch):
    """The gradients of a random weighting of the output, with respect to the inputs (the
    sample's differentiable ones, non-contiguous views included) and every parameter, equal
    torch's (training mode; random rows in evaluation mode)."""
    rtol, atol = row.tolerance(dtype)
    inplace = ctor.kwargs.get("inplace", False)
    for sample in row.samples(ctor, dtype):
        m, mt = _pair(torch, row, ctor, dtype)
        m.train(not row.random)
        mt.train(not row.random)
        ys = []
        for lib, mod in ((torch, mt), (ember, m)):
            args, leaves = _leaves(lib, sample, sample.grad)
            if inplace:  # an in-place layer may not write into a leaf
                args = [a * 1 for a in args]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                y = mod(*args)
            cot = _cotangent(y, np.random.default_rng(1)).astype(dtype)
            if y.requires_grad:
                (y * (to_ember(cot) if lib is ember else torch.from_numpy(cot))).sum().backward()
            ys.append((y, leaves))
        (yt, leaves_t), (y, leaves) = ys
        assert y.requires_grad == yt.requires_grad, f"requires_grad of the output, {sample!r}"
        for i, lt in leaves_t.items():
            if lt.grad is None:
                assert leaves[i].grad is None, f"input {i}: torch gives no gradient, {sample!r}"
            else:
                _same(leaves[i].grad, lt.grad, rtol, atol, what=f"grad of input {i}, {sample!r}")
        params, params_t = dict(m.named_parameters()), dict(mt.named_parameters())
        assert list(params) == list(params_t)
        for name, pt in params_t.items():
            if pt.grad is None:
                assert params[name].grad is None, f"{name}: torch gives no gradient, {sample!r}"
            else:
                _same(params[name].grad, pt.grad, rtol, atol, what=f"grad of {name}, {sample!r}")


@pytest.mark.parametrize("row,ctor", TORCH_CTORS)
def test_to_float64_keeps_parity(row, ctor, torch):
    """A float32 pair with the same state, both moved with .to(float64): every state tensor takes
    torch's dtype and value, and the outputs agree to float64 precision."""
    m, mt = _pair(torch, row, ctor, "float32")
    assert m.to(ember.float64) is m
    mt.to(torch.float64)
    _assert_state_same(m, mt, "float64", row, ".to(float64)")
    m.eval()
    mt.eval()
    rtol, atol = row.tolerance("float64")
    for sample in row.samples(ctor, "float64")[:2]:
        args, args_t = materialize(sample.args, ember), materialize(sample.args, torch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yt = mt(*args_t)
        _same(m(*args), yt, rtol, atol, what=f"output after .to(float64), {sample!r}")


# ---- gradcheck -------------------------------------------------------------------------------------

def _small(sample):
    sizes = [a.base.size for a in sample.args if isinstance(a, Arg) and a.base.dtype.kind == "f"]
    return all(0 < s <= 64 for s in sizes)


@pytest.mark.parametrize("row,ctor", GRADCHECK_CTORS)
def test_gradcheck_and_gradgradcheck(row, ctor):
    """ember.autograd.gradcheck and gradgradcheck in float64 of the output with respect to the
    differentiable inputs and every parameter, on the small non-empty samples drawn off the kinks
    (grad_domain), in training mode and, for layers with buffers, evaluation mode. Random layers
    reseed before each call, so every evaluation draws the same mask / noise."""
    samples = [s for s in row.samples(ctor, "float64", grad=True) if _small(s)]
    assert samples, "no small sample to gradcheck"
    rng = np.random.default_rng(2)
    for sample in samples:
        m = row.build(ember, ctor).to(ember.float64)
        with ember.no_grad():
            for p in m.parameters():  # away from 0: PReLU's slope and the norms' scales
                p.copy_(to_ember(rng.uniform(0.5, 1.5, tuple(p.shape)) * rng.choice([-1, 1], tuple(p.shape))))
        modes = [True, False] if list(m.buffers()) else [True]
        for training in modes:
            m.train(training)
            args, leaves = _leaves(ember, sample, sample.grad)
            order = sorted(leaves)
            params = [p for p in m.parameters() if p.requires_grad]
            n = len(order)

            def fn(*ts, m=m, args=args, sample=sample, order=order, n=n):
                call = list(args)
                for i, t in zip(order, ts[:n]):
                    a = sample.args[i]
                    call[i] = a.view(t) if a.view is not None else t
                if ctor.kwargs.get("inplace"):  # an in-place layer may not write into a leaf
                    call = [c * 1 for c in call]
                if row.random:
                    ember.manual_seed(0)
                return m(*call)

            inputs = tuple(leaves[i] for i in order) + tuple(params)
            assert inputs, f"nothing to gradcheck in {sample!r}"
            what = f"{'train' if training else 'eval'} {sample!r}"
            assert ember.autograd.gradcheck(fn, inputs), what
            assert ember.autograd.gradgradcheck(fn, inputs), what


# ---- random and ember-only layers -------------------------------------------------------------------

@pytest.mark.parametrize("row,ctor", RANDOM_CTORS)
def test_random_layer_in_training_mode(row, ctor):
    """Training mode of a random layer: the output and its gradient pass the row's statistical
    check on every sample and on a large one (20,000 values), and reseeding reproduces the output
    bit for bit."""
    large = ModuleInput((contig((200, 100), "float64", np.random.default_rng(5), row.domain),), "large")
    for sample in row.samples(ctor, "float64") + [large]:
        m = row.build(ember, ctor).to(ember.float64)
        m.train()
        args, leaves = _leaves(ember, sample, None)
        x_np = to_numpy(args[0].detach())
        ember.manual_seed(3)
        y = m(args[0] * 1 if ctor.kwargs.get("inplace") else args[0])
        y.backward(ember.ones_like(y))
        grad = to_numpy(leaves[0].grad) if 0 in leaves else None
        if sample.args[0].view is not None and grad is not None:
            grad = np.asarray(sample.args[0].view(_NumpyViews(grad)))
        row.train_check(ctor, x_np, to_numpy(y.detach()), grad)
        ember.manual_seed(3)
        again = m(materialize(sample.args, ember)[0] * 1)
        np.testing.assert_array_equal(to_numpy(again), to_numpy(y.detach()))


@pytest.mark.parametrize("dtype", FLOAT)
@pytest.mark.parametrize("row,ctor", OWN_CTORS)
def test_ember_only_layer_matches_reference(row, ctor, dtype):
    """Layers torch lacks: the output equals the row's NumPy reference on every sample (training
    mode too unless random), and repr names the class."""
    rtol, atol = row.tolerance(dtype)
    for sample in row.samples(ctor, dtype):
        for training in ([False] if row.random else [True, False]):
            m, _ = _pair(None, row, ctor, dtype)
            m.train(training)
            y = m(*materialize(sample.args, ember))
            expected = row.reference(m, *materialize(sample.args, "numpy"))
            _same(y, np.asarray(expected), rtol, atol, what=f"{sample!r}")
    assert repr(row.build(ember, ctor)).startswith(row.name + "(")


@pytest.mark.parametrize("dtype", FLOAT)
@pytest.mark.parametrize("row,ctor", _ctor_params([r for r in OWN_ROWS if r.reference_grad]))
def test_ember_only_layer_backward_matches_reference(row, ctor, dtype):
    """Layers torch lacks: the input's gradient for a random cotangent equals the row's reference
    (evaluation mode), non-contiguous inputs included."""
    rtol, atol = row.tolerance(dtype)
    rng = np.random.default_rng(4)
    for sample in row.samples(ctor, dtype):
        m, _ = _pair(None, row, ctor, dtype)
        m.eval()
        args, leaves = _leaves(ember, sample, None)
        y = m(*args)
        cot = rng.standard_normal(tuple(y.shape)).astype(dtype)
        y.backward(to_ember(cot))
        grad = to_numpy(leaves[0].grad)
        a = sample.args[0]
        grad = np.asarray(a.view(_NumpyViews(grad))) if a.view is not None else grad
        expected = row.reference_grad(ctor, a.to("numpy"), cot)
        assert grad.dtype == np.dtype(dtype)
        np.testing.assert_allclose(grad, expected, rtol=rtol, atol=atol, err_msg=f"input gradient, {sample!r}")


# ---- bad inputs --------------------------------------------------------------------------------------

def _error_params():
    out = []
    for r in MODULES:
        for e in r.errors:
            marks = [pytest.mark.xfail(strict=True, reason=e.xfail)] if e.xfail else []
            out.append(pytest.param(r, e, id=f"{r.name}-{e.id}", marks=marks))
    return out


def _call(lib, row, err):
    module = row.build(lib, err.ctor)
    if err.input is not None:
        module(*err.input(lib))


@pytest.mark.parametrize("row,err", _error_params())
def test_bad_input_raises_like_torch(row, err, torch):
    """A constructor argument or input torch refuses: ember raises the recorded exception type,
    torch's own or the one ember's convention maps it to (module_db.CONVENTION; any other
    difference carries a note), with a message naming the layer and, for a bad input, its shape (the
    row's fragments)."""
    if row.torch_name is not None and err.torch is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                _call(torch, row, err)
                got = None
            except Exception as e:  # noqa: BLE001 - its type is the point
                got = e
        if err.torch == OK:
            assert got is None, f"torch raised {type(got).__name__}: {got}"
            assert err.note, "torch accepts this call: the case needs a note saying why ember refuses it"
        else:
            want = err.exc if err.torch == SAME else err.torch
            assert type(got) is want, f"torch raised {type(got).__name__}: {got}; recorded {want.__name__}"
            assert want is err.exc or (want, err.exc) in module_db.CONVENTION or err.note, \
                f"torch raises {want.__name__}, ember {err.exc.__name__}: not ember's convention"
    with pytest.raises(Exception) as info:
        _call(ember, row, err)
    assert exception_type(info.value) is err.exc, f"ember raised {type(info.value).__name__}: {info.value}"
    fragments = (row.name,) if err.match == "" else err.match
    for f in (fragments,) if isinstance(fragments, str) else fragments or ():
        assert f.lower() in str(info.value).lower(), f"message {str(info.value)!r} lacks {f!r}"

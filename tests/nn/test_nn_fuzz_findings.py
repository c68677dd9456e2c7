"""Regressions from the differential fuzzer (tests/fuzz) in ember.nn.functional and its top-level
twins: each case is a divergence from torch it found, fixed, and pinned here with torch as the
oracle (dtype, shape and values, or the exception)."""
import math

import pytest

import ember
import ember.nn.functional as F


def _dtype_name(t):
    return str(t.dtype).split(".")[-1]


def _same(e, t):
    """ember's result e equals torch's t: dtype, shape, values (NaN equal, signed zeros told apart)."""
    assert _dtype_name(e) == _dtype_name(t)
    assert tuple(e.shape) == tuple(t.shape)
    ev, tv = e.double().reshape(-1).tolist(), t.double().reshape(-1).tolist()
    for a, b in zip(ev, tv):
        assert (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b)), (ev, tv)


def _both(torch, fn, *arrays):
    """fn(lib, *tensors) on ember and torch; arrays are (data, dtype name) pairs."""
    def run(lib):
        return fn(lib, *[lib.tensor(d, dtype=getattr(lib, dt)) for d, dt in arrays])
    return run(ember), run(torch)


@pytest.mark.parametrize("case", [
    # an integer input keeps its dtype (margin truncated, margin - x wrapping in uint8)
    (([7, 1], "uint8"), ([4, 8], "uint8"), 1.0, "none"),
    (([7, 1], "uint8"), ([-1, 1], "int64"), 1.0, "none"),
    (([7, -3], "int8"), ([-1, 1], "int64"), 2.7, "none"),
    (([7, -3], "int8"), ([-1, 0], "int64"), -2.7, "none"),
    (([-2147483648, 8], "int32"), ([-2, 3], "int32"), 0.0, "none"),
    (([7, 1, 3], "int16"), ([-1, 1, 5], "int64"), 1.0, "sum"),
    # a uint8 target of 255 compares equal to -1, as torch's
    (([3], "uint8"), ([[2, 7, 255, 3, 5]], "uint8"), 1.0, "none"),
    (([0.5, -2.0, 1.0], "float64"), ([255, 1, 0], "uint8"), -2.28, "none"),
    # a float input keeps its dtype against a float64 target
    (([1.0, 2.0], "float16"), ([-1.0, 1.0], "float64"), math.inf, "none"),
    (([1.0, 2.0], "float32"), ([-1.0, 1.0], "float64"), math.nan, "mean"),
], ids=str)
def test_hinge_embedding_loss_keeps_the_input_dtype(case, torch):
    x, y, margin, reduction = case
    e, t = _both(torch, lambda L, a, b: L.nn.functional.hinge_embedding_loss(a, b, margin, reduction=reduction), x, y)
    _same(e, t)


@pytest.mark.parametrize("case", [
    (([7, 1], "int8"), 300.0),            # the margin does not fit the input's dtype
    (([7, 1], "uint8"), -1.0),
    (([1.0, 2.0], "float16"), 1e6),
    (([1.0, 2.0], "float32"), 1e308),
], ids=str)
def test_hinge_embedding_loss_margin_out_of_range_raises(case, torch):
    (x, dt), margin = case
    with pytest.raises(RuntimeError):
        torch.nn.functional.hinge_embedding_loss(torch.tensor(x, dtype=getattr(torch, dt)), torch.zeros(2), margin)
    with pytest.raises(RuntimeError, match="hinge_embedding_loss: value .* cannot be converted"):
        F.hinge_embedding_loss(ember.tensor(x, dtype=getattr(ember, dt)), ember.zeros(2), margin)


def test_hinge_embedding_loss_mean_of_integers_raises(torch):
    with pytest.raises(RuntimeError):
        torch.nn.functional.hinge_embedding_loss(torch.tensor([1, 2]), torch.tensor([1, -1]))
    with pytest.raises(TypeError, match="mean"):
        F.hinge_embedding_loss(ember.tensor([1, 2]), ember.tensor([1, -1]))


@pytest.mark.parametrize("reduction", [-1, 3, 7, 2, 1, 0])
def test_top_level_losses_leave_other_reductions_unreduced(reduction, torch):
    """torch.hinge_embedding_loss(..., reduction=k): 1 means, 2 sums, anything else reduces nothing."""
    e, t = _both(torch, lambda L, a, b: L.hinge_embedding_loss(a, b, 1.0, reduction), ([1.0, -2.0], "float32"),
                 ([1.0, -1.0], "float32"))
    _same(e, t)
    e, t = _both(torch, lambda L, a, b: L.hinge_embedding_loss(a, b, 1.0, L.tensor(2)), ([1.0, -2.0], "float32"),
                 ([1.0, -1.0], "float32"))
    _same(e, t)


def test_legacy_flags_ignore_reduction(torch):
    """size_average or reduce given: torch ignores reduction, whatever it holds."""
    e, t = _both(torch, lambda L, a, b: L.nn.functional.hinge_embedding_loss(a, b, 0.0, True, reduction=-1),
                 ([1.8, 0.5], "float64"), ([1, 0], "int64"))
    _same(e, t)
    with pytest.raises(ValueError, match="nan is not a valid value for reduction"):
        F.hinge_embedding_loss(ember.ones(2), ember.ones(2), reduction=math.nan)


_BCE_DTYPES = [("float32", "float64"), ("float64", "float32"), ("float16", "float32"), ("float32", "float16"),
               ("bfloat16", "float16")]


@pytest.mark.parametrize("dtypes", _BCE_DTYPES, ids=str)
@pytest.mark.parametrize("extra", ["", "weight", "pos_weight"])
def test_bce_with_logits_takes_the_target_dtype(dtypes, extra, torch):
    """torch's in-place steps: the loss has the target's dtype, the log-sigmoid the input's."""
    def run(L):
        x = L.tensor([1.5, -2.5, 17.25, -0.64453125], dtype=getattr(L, dtypes[0]))
        t = L.tensor([0.3, 1.0, -3.0, -1.0], dtype=getattr(L, dtypes[1]))
        kw = {extra: L.tensor([2.0, 3.0, -0.5, 0.25], dtype=L.float64)} if extra else {}
        return L.nn.functional.binary_cross_entropy_with_logits(x, t, reduction="none", **kw)
    e, t = run(ember), run(torch)
    assert _dtype_name(e) == _dtype_name(t)
    assert e.double().tolist() == pytest.approx(t.double().tolist(), rel=2e-2 if "16" in _dtype_name(t) else 1e-6)


def test_bce_with_logits_values_as_torch(torch):
    """Infinite targets and a uint8 pos_weight (pw - 1 wraps) as torch's formula gives them."""
    inf = math.inf
    x, t = [inf, inf, -inf, -inf, 2.8, 1.4, 2.0, 2.5], [1.0, 0.0, 1.0, 0.0, -inf, 1e-38, inf, -2.49]
    for kw in ({}, {"pos_weight": ([3, 0, 1, 2, 0, 1, 3, 0], "uint8")}):
        def run(L):
            extra = {k: L.tensor(d, dtype=getattr(L, dt)) for k, (d, dt) in kw.items()}
            return L.nn.functional.binary_cross_entropy_with_logits(L.tensor(x), L.tensor(t), reduction="none", **extra)
        _same(run(ember), run(torch))


def test_bce_with_logits_integer_target_raises(torch):
    with pytest.raises(RuntimeError):
        torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor([1.5, -2.5]), torch.tensor([1, 0]))
    with pytest.raises(TypeError, match="binary_cross_entropy_with_logits: result type float32 can't be cast"):
        F.binary_cross_entropy_with_logits(ember.tensor([1.5, -2.5]), ember.tensor([1, 0]))


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float16"])
def test_bce_weight_keeps_the_input_dtype(dtype, torch):
    e, t = _both(torch, lambda L, x, y, w: L.nn.functional.binary_cross_entropy(x, y, w, reduction="none"),
                 ([0.25, 0.5], dtype), ([0.0, 1.0], dtype), ([2.0, -0.2], "float64"))
    assert _dtype_name(e) == _dtype_name(t)
    assert e.double().tolist() == pytest.approx(t.double().tolist(), rel=1e-2)


@pytest.mark.parametrize("name", ["binary_cross_entropy", "mse_loss", "l1_loss", "hinge_embedding_loss"])
def test_a_bad_reduction_is_refused_before_the_tensors(name):
    """torch's functional reads reduction first: 'bogus' is a ValueError even with bad tensors."""
    with pytest.raises(ValueError, match="bogus is not a valid value for reduction"):
        getattr(F, name)(ember.tensor([True]), ember.tensor([[1, 2]]), reduction="bogus")


def test_logsigmoid_of_bfloat16_rounds_once(torch):
    x = [2.5, -0.6444754004478455, 1.5]
    e = F.logsigmoid(ember.tensor(x, dtype=ember.bfloat16)).float().tolist()
    assert e == torch.nn.functional.logsigmoid(torch.tensor(x, dtype=torch.bfloat16)).float().tolist()


def test_layer_norm_signs_of_zero_as_torch(torch):
    """torch's kernel adds the bias (+0 when absent) last: a zero output is +0.0."""
    e, t = _both(torch, lambda L, x, w: L.nn.functional.layer_norm(x, (1,), w, None, 1e-3),
                 ([[0.167], [-2.5]], "float32"), ([-0.5], "float32"))
    _same(e, t)
    e, t = _both(torch, lambda L, x: L.nn.functional.layer_norm(x, (3,), eps=math.inf), ([2.2, 1.1, -1.5], "float32"))
    _same(e, t)


@pytest.mark.parametrize("affine", [False, True])
def test_group_norm_as_torch(affine, torch):
    def run(L):
        x = L.tensor([[[0.5, -1.0], [2.0, 2.0], [-3.0, 4.0], [1.0, 1.0]]])
        w, b = (L.tensor([1.0, -2.0, 0.5, -0.0]), None) if affine else (None, None)
        return L.nn.functional.group_norm(x, 2, w, b, eps=math.inf)
    _same(run(ember), run(torch))


@pytest.mark.parametrize("eps", [1e-5, 0.0, -1.0])
def test_instance_norm_as_torch(eps, torch):
    """x * alpha + beta, as torch's batch_norm kernel: a constant channel with eps 0 gives the bias."""
    def run(L):
        x = L.tensor([[[2.0, 2.0, 2.0, 2.0], [0.5, -1.0, 3.0, 0.25]]])
        return L.nn.functional.instance_norm(x, weight=L.tensor([-0.5, 2.0]), bias=L.tensor([1.0, 0.0]), eps=eps)
    e, t = run(ember), run(torch)
    assert e.reshape(-1).tolist() == pytest.approx(t.reshape(-1).tolist(), nan_ok=True)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
@pytest.mark.parametrize("weight", [None, "float16", "float32", "float64"])
def test_rms_norm_dtype_and_default_eps_as_torch(dtype, weight, torch):
    """The default eps is float32's for the 16-bit floats; the result keeps the input's dtype."""
    def run(L):
        x = L.tensor([[1e-4, -0.0642, 0.499], [2.5, -0.75, 0.125]], dtype=getattr(L, dtype))
        w = L.tensor([-2.0, 0.5, 3.0], dtype=getattr(L, weight)) if weight else None
        return L.nn.functional.rms_norm(x, (3,), w)
    e, t = run(ember), run(torch)
    assert _dtype_name(e) == _dtype_name(t)
    rel = 1e-2 if "16" in dtype else 1e-6
    assert e.double().reshape(-1).tolist() == pytest.approx(t.double().reshape(-1).tolist(), rel=rel)


@pytest.mark.parametrize("case", [
    (([8], "uint8"), ([9], "uint8"), 0.0),             # one element per row: d != 0 for p = 0
    (([[0.5], [1e20]], "float32"), ([[1.0], [3.0]], "float32"), 2.0),  # |d|: no overflow of d^2
    (([[1.0], [-1.5]], "bfloat16"), ([[1.6], [0.25]], "bfloat16"), math.nan),  # |d| whatever p
], ids=str)
def test_pairwise_distance_one_element_rows_as_torch(case, torch):
    a, b, p = case
    e, t = _both(torch, lambda L, x, y: L.nn.functional.pairwise_distance(x, y, p), a, b)
    _same(e, t)


@pytest.mark.parametrize("p", [0.0, 2.0, math.nan, 0.5])
@pytest.mark.parametrize("values", [(-0.96, -4.0), (-104.0, -1e38)])
def test_pairwise_distance_of_0d_inputs_as_torch(p, values, torch):
    """0-d inputs: the norm of the one-element vector (NaN for a NaN p, 1 for p = 0)."""
    e0, t0 = (ember.pairwise_distance(ember.tensor(values[0]), ember.tensor(values[1]), p),
              torch.pairwise_distance(torch.tensor(values[0]), torch.tensor(values[1]), p))
    assert e0.shape == () and t0.shape == ()
    assert (math.isnan(e0.item()) and math.isnan(t0.item())) or e0.item() == pytest.approx(t0.item(), rel=1e-6)


def test_multilabel_soft_margin_loss_integer_target_as_torch(torch):
    """1 - target with the int 1: a float16 input stays float16 and a uint8 target wraps, as torch's."""
    e, t = _both(torch, lambda L, x, y, w: L.nn.functional.multilabel_soft_margin_loss(x, y, w),
                 ([[-2.2421875, 0.0989990234375, 2.349609375]], "float16"), ([2], "int64"), (1.0755677, "float64"))
    assert _dtype_name(e) == _dtype_name(t) == "float16"
    assert e.item() == pytest.approx(t.item(), rel=1e-3)
    e, t = _both(torch, lambda L, x, y: L.nn.functional.multilabel_soft_margin_loss(x, y, reduction="none"),
                 ([[-1.0, 1.4], [1.7, -2.7]], "float64"), ([[1, 6], [6, 1]], "uint8"))
    assert e.tolist() == pytest.approx(t.tolist())


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss"])
@pytest.mark.parametrize("case", [
    (([1, 2], "int64"), ([1.0, 3.5], "float32"), "mean"),    # an integer input, a floating target
    (([1, 7], "uint8"), (1.5, "float64"), "none"),
    (([True, False], "bool"), ([1.5, -1.0], "float32"), "sum"),
    (([2.5, 1.0], "float16"), ([1, 3], "int32"), "none"),
], ids=str)
def test_pointwise_losses_compute_in_the_promoted_dtype(name, case, torch):
    """torch's mse/l1/smooth_l1 kernels run in the operands' promoted dtype (l1 of a bool refused)."""
    x, y, reduction = case
    outcomes = []
    for lib in (ember, torch):
        try:
            r = getattr(lib.nn.functional, name)(lib.tensor(x[0], dtype=getattr(lib, x[1])),
                                                 lib.tensor(y[0], dtype=getattr(lib, y[1])), reduction=reduction)
            outcomes.append((_dtype_name(r), tuple(r.shape), r.double().reshape(-1).tolist()))
        except RuntimeError:  # ember.errors subclass it; torch's bool subtraction error
            outcomes.append("raises")
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("reduction", ["none", "sum"])
@pytest.mark.parametrize("dtype", ["int64", "uint8"])
def test_l1_loss_of_integers_as_torch(dtype, reduction, torch):
    """|input - target| in the integer dtype (uint8 wrapping), as torch's; its mean is refused."""
    e, t = _both(torch, lambda L, a, b: L.nn.functional.l1_loss(a, b, reduction=reduction), ([1, 2, 9], dtype),
                 ([1, 5, 3], dtype))
    _same(e, t)
    e, t = _both(torch, lambda L, a, b: L.nn.functional.smooth_l1_loss(a, b, reduction=reduction, beta=0.0),
                 ([1, 2, 9], dtype), ([1, 5, 3], dtype))
    _same(e, t)
    with pytest.raises(RuntimeError):
        torch.nn.functional.l1_loss(torch.tensor([1, 2]), torch.tensor([1, 5]))
    with pytest.raises(TypeError, match="mean"):
        F.l1_loss(ember.tensor([1, 2]), ember.tensor([1, 5]))
    for name in ("mse_loss", "smooth_l1_loss"):  # integers with integers: torch's kernels have none
        with pytest.raises(RuntimeError):
            getattr(torch.nn.functional, name)(torch.tensor([1, 2]), torch.tensor([1, 5]))
        with pytest.raises(TypeError, match=f"{name}: expected a floating input or target, got int64 and int64"):
            getattr(F, name)(ember.tensor([1, 2]), ember.tensor([1, 5]))


@pytest.mark.parametrize("case", [
    (([[1, 2], [0, 3]], "int64"), ([[1.0, 2.0]], "float64")),
    (([[True, False]], "bool"), ([[1.0, 2.0]], "float32")),
    (([[1.0, 2.0]], "float16"), ([[1.0, 2.5]], "float32")),  # floating inputs stay as they are
], ids=str)
def test_cosine_similarity_casts_integer_inputs_as_torch(case, torch):
    e, t = _both(torch, lambda L, a, b: L.nn.functional.cosine_similarity(a, b), *case)
    assert _dtype_name(e) == _dtype_name(t) and tuple(e.shape) == tuple(t.shape)
    assert e.double().tolist() == pytest.approx(t.double().tolist(), rel=1e-6)
    with pytest.raises(RuntimeError):
        torch.nn.functional.cosine_similarity(torch.tensor([[1, 2]]), torch.tensor([[1, 2]]))
    with pytest.raises(TypeError, match="cosine_similarity: expected a floating common dtype"):
        F.cosine_similarity(ember.tensor([[1, 2]]), ember.tensor([[1, 2]]))


@pytest.mark.parametrize("case", [
    ((3,), (3,), None),           # a 1-D weight: one dot product per row
    ((2, 3), (3,), None),
    ((4, 2, 3), (3,), None),
    ((2, 3), (4, 3), (1, 4)),     # a bias broadcast to the result (addmm's rule)
    ((2, 3), (4, 3), (2, 1)),
    ((5, 2, 3), (4, 3), (2, 4)),
    ((0, 7), (0, 7), (1, 1)),
], ids=str)
def test_linear_general_weight_and_bias_as_torch(case, torch):
    xs, ws, bs = case
    import numpy as np

    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in (xs, ws) + ((bs,) if bs is not None else ())]
    outs = []
    for lib in (ember, torch):
        ts = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]
        out = lib.nn.functional.linear(*ts)
        out.sum().backward()
        outs.append((tuple(out.shape), out.detach().reshape(-1).tolist(),
                     [t.grad.reshape(-1).tolist() for t in ts]))
    assert outs[0][0] == outs[1][0]
    assert outs[0][1] == pytest.approx(outs[1][1])
    for ge, gt in zip(outs[0][2], outs[1][2]):
        assert ge == pytest.approx(gt)


@pytest.mark.parametrize("case", [
    ((2, 3), (3,), (2,)),         # a bias needs a 2-D weight (torch's addmm)
    ((4, 2, 3), (3,), (1,)),
    ((2, 3), (4, 3), (3, 4)),     # a bias that does not broadcast to (2, 4)
    ((3,), (4, 3), (2, 4)),       # ... or would grow the result
    ((2, 3), (2, 3, 3), None),    # a 3-D weight
    ((2, 3), (4,), None),
], ids=str)
def test_linear_bad_weight_or_bias_raises_as_torch(case, torch):
    xs, ws, bs = case
    args = [(xs,), (ws,)] + ([(bs,)] if bs is not None else [])
    with pytest.raises(RuntimeError):
        torch.nn.functional.linear(*[torch.zeros(*a[0]) for a in args])
    with pytest.raises((ValueError, RuntimeError), match="linear: "):
        F.linear(*[ember.zeros(*a[0]) for a in args])


def test_cosine_similarity_eps_and_0d_inputs_as_torch(torch):
    """0-d inputs are one-element vectors (dim 0 or -1); a negative or NaN eps raises, as torch's."""
    for dim in (0, -1):
        e, t = _both(torch, lambda L, a, b: L.nn.functional.cosine_similarity(a, b, dim), (-2, "int16"),
                     (0.6, "float64"))
        _same(e, t)
    for eps in (-1.0, math.nan):
        with pytest.raises(RuntimeError):
            torch.nn.functional.cosine_similarity(torch.ones(2, 2), torch.ones(2, 2), 1, eps)
        with pytest.raises(RuntimeError, match="cosine_similarity: eps must be non-negative"):
            F.cosine_similarity(ember.ones(2, 2), ember.ones(2, 2), 1, eps)
    with pytest.raises(TypeError, match="argument 'dim' must be int, not bool"):
        F.cosine_similarity(ember.ones(2, 2), ember.ones(2, 2), True)


@pytest.mark.parametrize("smoothing", [-0.1, math.nan, 0.0, 0.3])
@pytest.mark.parametrize("target", [([1, 0], "int64"), ([[0.9, 0.1], [0.2, 0.8]], "float32")], ids=str)
def test_cross_entropy_smooths_only_a_positive_label_smoothing(smoothing, target, torch):
    """torch refuses a label_smoothing above 1 only; one that is not positive smooths nothing."""
    e, t = _both(torch, lambda L, x, y: L.nn.functional.cross_entropy(x, y, label_smoothing=smoothing),
                 ([[1.2, 0.3], [-0.5, 2.0]], "float32"), target)
    assert e.item() == pytest.approx(t.item(), rel=1e-6)


@pytest.mark.parametrize("smoothing", [-0.1, math.nan])
def test_cross_entropy_loss_module_takes_what_the_function_takes(smoothing, torch):
    e, t = (L.nn.CrossEntropyLoss(label_smoothing=smoothing)(L.tensor([[1.2, 0.3], [0.1, 0.9]]), L.tensor([1, 0]))
            for L in (ember, torch))
    assert e.item() == pytest.approx(t.item(), rel=1e-6)


def test_cross_entropy_probabilities_refuse_ignore_index(torch):
    x, p = [[1.2, 0.3]], [[0.9, 0.1]]
    with pytest.raises(RuntimeError, match="ignore_index is not supported"):
        torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(p), ignore_index=0)
    with pytest.raises(RuntimeError, match="cross_entropy: ignore_index is not supported for floating point target"):
        F.cross_entropy(ember.tensor(x), ember.tensor(p), ignore_index=0)
    e, t = _both(torch, lambda L, a, b: L.nn.functional.cross_entropy(a, b, ignore_index=-3), (x, "float32"),
                 (p, "float32"))  # a negative one is taken
    assert e.item() == pytest.approx(t.item(), rel=1e-6)
    for lib in (ember, torch):  # a target of the input's shape holds probabilities, whatever its dtype
        with pytest.raises(RuntimeError, match="(?i)floating point type for target|floating target"):
            lib.nn.functional.cross_entropy(lib.tensor([2.5]), lib.tensor([0]))
    for lib in (ember, torch):  # above 1 refused
        with pytest.raises(RuntimeError, match="label_smoothing"):
            lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor([1]), label_smoothing=1.5)


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_class_losses_take_uint8_targets_as_torch(smoothing, torch):
    """torch's nll_loss and cross_entropy take Long or Byte class indices; a uint8 ignore_index of
    156 is the value 156 (not -100 wrapped)."""
    x = [[0.2, 0.7, 0.1], [1.0, 2.0, 3.0], [0.5, -1.0, 2.0]]
    for ignore in (-100, 1):
        e, t = _both(torch, lambda L, a, b: L.nn.functional.cross_entropy(a, b, ignore_index=ignore,
                                                                          label_smoothing=smoothing),
                     (x, "float32"), ([2, 0, 1], "uint8"))
        assert e.item() == pytest.approx(t.item(), rel=1e-6)
    e, t = _both(torch, lambda L, a, b: L.nn.functional.nll_loss(a, b, reduction="none"), (x, "float32"),
                 ([2, 0, 1], "uint8"))
    _same(e, t)
    with pytest.raises(RuntimeError):
        torch.nn.functional.nll_loss(torch.tensor(x), torch.tensor([1, 0, 1], dtype=torch.int32))
    with pytest.raises(TypeError, match="nll_loss: expected int64 \\(or uint8\\) class indices as target, got int32"):
        F.nll_loss(ember.tensor(x), ember.tensor([1, 0, 1], dtype=ember.int32))

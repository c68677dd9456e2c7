"""F.scaled_dot_product_attention, F.multi_head_attention_forward, nn.MultiheadAttention and the
Transformer family against torch (the oracle): outputs, attention weights and gradients of inputs and
parameters with torch's state loaded, in training, evaluation and no-grad inference (where torch runs
its fast paths and nested tensors); masks of every kind; reprs, state_dict layouts, warnings; gradcheck
and gradgradcheck in float64; and the errors torch raises, under ember's convention (torch's
AssertionError and RuntimeError on a bad shape are ValueError, a bad dtype TypeError)."""
import copy
import pickle
import warnings

import numpy as np
import pytest

import ember
from op_db import to_ember, to_numpy

F = ember.nn.functional


def _load(m, mt):
    result = m.load_state_dict({k: to_ember(to_numpy(v.detach())) for k, v in mt.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys


def _close(a, b, tol, what=""):
    if b is None:
        assert a is None, what
        return
    a, b = to_numpy(a.detach()), b.detach().numpy()
    assert a.shape == b.shape and a.dtype == b.dtype, (what, a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=f"NaNs differ: {what}")
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=what)


def _pair(torch, cls, *args, dtype="float64", **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mt = getattr(torch.nn, cls)(*args, **kwargs).to(getattr(torch, dtype))
        m = getattr(ember.nn, cls)(*args, **kwargs).to(getattr(ember, dtype))
    _load(m, mt)
    return m, mt


def _run_both(torch, m, mt, arrays, kwargs_of, train, tol=1e-12, grad=True):
    """Calls both modules on the same arrays (float arrays become leaves), compares the outputs and,
    with grad, the gradients of a random weighting of the first output for inputs and parameters."""
    m.train(train)
    mt.train(train)
    ins = [to_ember(a).requires_grad_(grad) if a.dtype.kind == "f" else to_ember(a) for a in arrays]
    ins_t = [torch.from_numpy(a.copy()).requires_grad_(grad) if a.dtype.kind == "f" else torch.from_numpy(a.copy())
             for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yt = mt(*ins_t, **kwargs_of(torch))
    y = m(*ins, **kwargs_of(ember))
    ys, yts = (y, yt) if isinstance(yt, tuple) else ((y,), (yt,))
    for i, (a, b) in enumerate(zip(ys, yts)):
        _close(a, b, tol, f"output {i}")
    if grad:
        cot = np.random.default_rng(7).standard_normal(tuple(yts[0].shape))
        (yts[0] * torch.from_numpy(cot)).nansum().backward()
        (ys[0] * to_ember(cot)).nansum().backward()
        for i, (a, b) in enumerate(zip(ins, ins_t)):
            if b.grad is not None:
                _close(a.grad, b.grad, tol, f"grad of input {i}")
        pt = dict(mt.named_parameters())
        for name, p in m.named_parameters():
            if pt[name].grad is None:
                assert p.grad is None, name
            else:
                _close(p.grad, pt[name].grad, tol, f"grad of {name}")
    return y


# ---- scaled_dot_product_attention -------------------------------------------------------------------

def _sdpa_case(rng, q_shape, k_shape, v_shape):
    return (rng.standard_normal(q_shape), rng.standard_normal(k_shape), rng.standard_normal(v_shape))


SDPA_CASES = [
    ("3d", (2, 3, 4), (2, 5, 4), (2, 5, 6), {}),
    ("4d_heads", (2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4), {}),
    ("2d", (3, 4), (5, 4), (5, 2), {}),
    ("broadcast_batch", (1, 3, 4), (2, 5, 4), (2, 5, 3), {}),
    ("causal_square", (2, 4, 4), (2, 4, 4), (2, 4, 4), {"is_causal": True}),
    ("causal_wide", (2, 3, 4), (2, 5, 4), (2, 5, 4), {"is_causal": True}),
    ("causal_tall", (2, 5, 4), (2, 3, 4), (2, 3, 4), {"is_causal": True}),
    ("scale", (2, 3, 4), (2, 5, 4), (2, 5, 4), {"scale": 0.3}),
    ("gqa", (2, 4, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4), {"enable_gqa": True}),
    ("empty_batch", (0, 3, 4), (0, 5, 4), (0, 5, 4), {}),
    ("empty_keys", (2, 3, 4), (2, 0, 4), (2, 0, 4), {}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("desc,qs,ks,vs,kw", SDPA_CASES, ids=[c[0] for c in SDPA_CASES])
def test_sdpa_matches_torch(torch, desc, qs, ks, vs, kw, dtype):
    arrays = [a.astype(dtype) for a in _sdpa_case(np.random.default_rng(0), qs, ks, vs)]
    ins = [to_ember(a).requires_grad_() for a in arrays]
    ins_t = [torch.from_numpy(a).requires_grad_() for a in arrays]
    y, yt = F.scaled_dot_product_attention(*ins, **kw), torch.nn.functional.scaled_dot_product_attention(*ins_t, **kw)
    tol = 1e-5 if dtype == "float32" else 1e-12
    _close(y, yt, tol, desc)
    if yt.numel():
        cot = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(dtype)
        (yt * torch.from_numpy(cot)).sum().backward()
        (y * to_ember(cot)).sum().backward()
        for i in range(3):
            _close(ins[i].grad, ins_t[i].grad, tol, f"{desc}: grad {i}")


MASKS = [
    ("bool_2d", lambda rng, L, S: rng.random((L, S)) < 0.7),
    ("bool_broadcast", lambda rng, L, S: rng.random((2, 1, S)) < 0.7),
    ("float_2d", lambda rng, L, S: rng.standard_normal((L, S))),
    ("float_neg_inf", lambda rng, L, S: np.where(rng.random((L, S)) < 0.3, -np.inf, 0.0)),
    ("bool_row_all_masked", lambda rng, L, S: np.concatenate([np.zeros((1, S), bool), rng.random((L - 1, S)) < 1],
                                                             0)),
    ("float_row_all_masked", lambda rng, L, S: np.concatenate([np.full((1, S), -np.inf), np.zeros((L - 1, S))], 0)),
]


@pytest.mark.parametrize("desc,make", MASKS, ids=[m[0] for m in MASKS])
def test_sdpa_masks_match_torch(torch, desc, make):
    """Bool masks (True: attend) and additive float masks; a query with every key masked gets zeros
    and zero gradients, as torch's safe softmax."""
    rng = np.random.default_rng(3)
    arrays = _sdpa_case(rng, (2, 3, 4), (2, 5, 4), (2, 5, 6))
    mask = make(rng, 3, 5)
    ins = [to_ember(a).requires_grad_() for a in arrays]
    ins_t = [torch.from_numpy(a).requires_grad_() for a in arrays]
    y = F.scaled_dot_product_attention(*ins, attn_mask=to_ember(mask))
    yt = torch.nn.functional.scaled_dot_product_attention(*ins_t, attn_mask=torch.from_numpy(mask))
    _close(y, yt, 1e-12, desc)
    (yt * yt).sum().backward()
    (y * y).sum().backward()
    for i in range(3):
        _close(ins[i].grad, ins_t[i].grad, 1e-12, f"{desc}: grad {i}")


def test_sdpa_dropout():
    """dropout_p applies whenever > 0 (torch's functional form has no training flag): p = 1 zeroes
    everything; a fixed seed repeats the draw; in expectation the output is unchanged."""
    q, k, v = ember.randn(2, 3, 4), ember.randn(2, 5, 4), ember.randn(2, 5, 6)
    assert (F.scaled_dot_product_attention(q, k, v, dropout_p=1.0) == 0).all()
    ember.manual_seed(5)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    ember.manual_seed(5)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    assert ember.equal(a, b)
    ones = ember.ones(1, 1, 400, 1)
    x = ember.zeros(1, 1, 200, 4)
    y = F.scaled_dot_product_attention(x, ember.zeros(1, 1, 400, 4), ones.expand(1, 1, 400, 1).contiguous(),
                                       dropout_p=0.25)
    assert abs(float(y.mean()) - 1.0) < 0.02  # each value: kept weights 1/400 scaled by 4/3


def test_sdpa_gradcheck():
    rng = np.random.default_rng(4)
    q, k, v = (to_ember(a).requires_grad_() for a in _sdpa_case(rng, (2, 3, 4), (2, 4, 4), (2, 4, 2)))
    mask = to_ember(rng.random((3, 4)) < 0.7)
    mask[0] = False  # a row with nothing to attend to: zero output, zero gradient

    def fn(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask) + \
            F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.7)

    assert ember.autograd.gradcheck(fn, (q, k, v))
    assert ember.autograd.gradgradcheck(fn, (q, k, v))


SDPA_ERRORS = [
    ("causal_and_mask", lambda L: ((L.ones(2, 3, 4), L.ones(2, 5, 4), L.ones(2, 5, 4)),
                                   {"attn_mask": L.ones(3, 5, dtype=L.bool), "is_causal": True}), ValueError),
    ("dtype_mismatch", lambda L: ((L.ones(2, 3, 4), L.ones(2, 5, 4, dtype=L.float64), L.ones(2, 5, 4)), {}),
     TypeError),
    ("head_dim_mismatch", lambda L: ((L.ones(2, 3, 4), L.ones(2, 5, 3), L.ones(2, 5, 4)), {}), ValueError),
    ("seq_mismatch", lambda L: ((L.ones(2, 3, 4), L.ones(2, 5, 4), L.ones(2, 4, 4)), {}), ValueError),
    ("one_dim", lambda L: ((L.ones(4), L.ones(5, 4), L.ones(5, 4)), {}), ValueError),
    ("int_mask", lambda L: ((L.ones(2, 3, 4), L.ones(2, 5, 4), L.ones(2, 5, 4)),
                            {"attn_mask": L.ones(3, 5, dtype=L.int64)}), TypeError),
    ("mask_shape", lambda L: ((L.ones(2, 3, 4), L.ones(2, 5, 4), L.ones(2, 5, 4)), {"attn_mask": L.ones(4, 5)}),
     ValueError),
    ("dropout_p", lambda L: ((L.ones(2, 3, 4), L.ones(2, 5, 4), L.ones(2, 5, 4)), {"dropout_p": 1.5}), ValueError),
    ("integer_inputs", lambda L: ((L.ones(2, 3, 4, dtype=L.int64),) * 3, {}), TypeError),
]


@pytest.mark.parametrize("desc,make,exc", SDPA_ERRORS, ids=[e[0] for e in SDPA_ERRORS])
def test_sdpa_bad_inputs(torch, desc, make, exc):
    """What torch refuses (a RuntimeError), ember refuses with a ValueError or TypeError naming the
    function."""
    args, kwargs = make(torch)
    with pytest.raises(RuntimeError):
        torch.nn.functional.scaled_dot_product_attention(*args, **kwargs)
    args, kwargs = make(ember)
    with pytest.raises(exc, match="scaled_dot_product_attention"):
        F.scaled_dot_product_attention(*args, **kwargs)


# ---- MultiheadAttention ------------------------------------------------------------------------------

MHA_CONFIGS = [
    ("default", {}),
    ("batch_first", {"batch_first": True}),
    ("kdim_vdim", {"kdim": 3, "vdim": 5}),
    ("bias_kv_zero_attn", {"add_bias_kv": True, "add_zero_attn": True}),
    ("no_bias", {"bias": False}),
    ("batch_first_kdim", {"batch_first": True, "kdim": 3, "vdim": 5}),
]


def _mha_inputs(rng, cfg, L=4, S=6, N=3, E=8, batched=True):
    kd, vd = cfg.get("kdim", E), cfg.get("vdim", E)

    def shape(T, D):
        if not batched:
            return (T, D)
        return (N, T, D) if cfg.get("batch_first") else (T, N, D)
    return [rng.standard_normal(shape(L, E)), rng.standard_normal(shape(S, kd)), rng.standard_normal(shape(S, vd))]


MHA_CALLS = [
    ("plain", lambda L, N, S, T: {}),
    ("no_weights", lambda L, N, S, T: {"need_weights": False}),
    ("per_head_weights", lambda L, N, S, T: {"average_attn_weights": False}),
    ("bool_masks", lambda L, N, S, T: {"key_padding_mask": L.tensor([[False] * (S - 1) + [True]] * N),
                                       "attn_mask": L.tensor(np.tril(np.ones((T, S), bool), 1) == 0)}),
    ("float_masks_no_weights", lambda L, N, S, T: {
        "key_padding_mask": L.tensor([[0.0] * (S - 2) + [-np.inf, -1.0]] * N, dtype=L.float64),
        "attn_mask": L.tensor(np.linspace(-1, 1, T * S).reshape(T, S)), "need_weights": False}),
    ("mask_3d", lambda L, N, S, T: {"attn_mask": L.tensor(np.arange(N * 2 * T * S).reshape(N * 2, T, S) % 3 == 0)}),
    ("all_masked_row", lambda L, N, S, T: {"key_padding_mask": L.tensor([[True] * S] + [[False] * S] * (N - 1))}),
    ("all_masked_row_no_weights", lambda L, N, S, T: {
        "key_padding_mask": L.tensor([[True] * S] + [[False] * S] * (N - 1)), "need_weights": False}),
    ("causal_hint", lambda L, N, S, T: {"attn_mask": L.tensor(np.triu(np.ones((T, S), bool), 1)), "is_causal": True,
                                        "need_weights": False}),
]


@pytest.mark.parametrize("call,kwargs_of", MHA_CALLS, ids=[c[0] for c in MHA_CALLS])
@pytest.mark.parametrize("cfg_id,cfg", MHA_CONFIGS, ids=[c[0] for c in MHA_CONFIGS])
def test_multihead_attention_matches_torch(torch, cfg_id, cfg, call, kwargs_of):
    """Output, weights and the gradients of inputs and parameters equal torch's, training and eval;
    with every key of a query masked, NaN with need_weights (torch's explicit path) and zeros without
    (its safe softmax)."""
    N, L, S = 3, 4, 6
    arrays = _mha_inputs(np.random.default_rng(0), cfg, L, S, N)
    m, mt = _pair(torch, "MultiheadAttention", 8, 2, **cfg)
    for train in (True, False):
        _run_both(torch, m, mt, arrays, lambda lib: kwargs_of(lib, N, S, L), train)


def test_multihead_attention_unbatched_and_self_attention(torch):
    m, mt = _pair(torch, "MultiheadAttention", 8, 4, add_bias_kv=True)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 8))
    kpm = np.array([False, False, True, False, False])
    _run_both(torch, m, mt, [x, x, x], lambda L: {"key_padding_mask": L.tensor(kpm)}, True)
    for batch_first in (False, True):  # one tensor for query, key and value: the packed projection
        m, mt = _pair(torch, "MultiheadAttention", 8, 2, batch_first=batch_first)
        xe, xt = to_ember(rng.standard_normal((3, 4, 8))), None
        xt = torch.from_numpy(to_numpy(xe))
        for a, b in zip(m(xe, xe, xe), mt(xt, xt, xt)):
            _close(a, b, 1e-12)


def test_multihead_attention_inference_fast_path(torch):
    """torch's eval + no-grad fast path (native attention) gives the same numbers as ember."""
    m, mt = _pair(torch, "MultiheadAttention", 8, 2, batch_first=True, dtype="float32")
    m.eval()
    mt.eval()
    x = np.random.default_rng(2).standard_normal((3, 5, 8)).astype("float32")
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True
    with torch.no_grad(), ember.no_grad():
        for kw in ({}, {"need_weights": False}):
            xt, xe = torch.from_numpy(x), to_ember(x)
            yt = mt(xt, xt, xt, key_padding_mask=torch.from_numpy(kpm), **kw)
            y = m(xe, xe, xe, key_padding_mask=to_ember(kpm), **kw)
            for a, b in zip(y, yt):
                _close(a, b, 1e-5)


def test_multihead_attention_layout(torch):
    """Parameters, their order, shapes and initialization as torch's: xavier-uniform projections, zero
    biases; repr names the output projection NonDynamicallyQuantizableLinear."""
    for cfg in ({}, {"kdim": 3, "vdim": 5, "add_bias_kv": True}, {"bias": False}):
        m, mt = ember.nn.MultiheadAttention(8, 2, **cfg), torch.nn.MultiheadAttention(8, 2, **cfg)
        assert repr(m) == repr(mt)
        assert [(n, tuple(p.shape)) for n, p in m.named_parameters()] == \
               [(n, tuple(p.shape)) for n, p in mt.named_parameters()]
        for name in ("embed_dim", "kdim", "vdim", "num_heads", "dropout", "batch_first", "head_dim", "add_zero_attn",
                     "_qkv_same_embed_dim"):
            assert getattr(m, name) == getattr(mt, name), name
        for name in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "bias_k",
                     "bias_v"):
            assert (getattr(m, name) is None) == (getattr(mt, name) is None), name
    m = ember.nn.MultiheadAttention(64, 4)
    bound = (6 / (64 + 192)) ** 0.5
    w = to_numpy(m.in_proj_weight.detach())
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert (to_numpy(m.in_proj_bias.detach()) == 0).all() and (to_numpy(m.out_proj.bias.detach()) == 0).all()


def test_multihead_attention_gradcheck():
    ember.manual_seed(0)
    m = ember.nn.MultiheadAttention(4, 2, kdim=3, vdim=2, add_bias_kv=True).to(ember.float64)
    q, k, v = ember.randn(3, 2, 4, dtype=ember.float64), ember.randn(2, 2, 3, dtype=ember.float64), \
        ember.randn(2, 2, 2, dtype=ember.float64)
    kpm = ember.tensor([[False, True], [False, False]])
    params = list(m.parameters())

    def fn(q, k, v, *ps):
        return m(q, k, v, key_padding_mask=kpm)

    inputs = tuple(t.requires_grad_() for t in (q, k, v)) + tuple(params)
    assert ember.autograd.gradcheck(fn, inputs)
    assert ember.autograd.gradgradcheck(fn, inputs)


MHA_ERRORS = [
    ("not_divisible", lambda L: L.nn.MultiheadAttention(6, 4), AssertionError, ValueError),
    ("zero_heads", lambda L: L.nn.MultiheadAttention(6, 0), ValueError, ValueError),
    ("wrong_embed_dim", lambda L: L.nn.MultiheadAttention(8, 2)(L.ones(3, 2, 6), L.ones(3, 2, 6), L.ones(3, 2, 6)),
     AssertionError, ValueError),
    ("query_4d", lambda L: L.nn.MultiheadAttention(8, 2)(*(L.ones(3, 2, 1, 8),) * 3), AssertionError, ValueError),
    ("key_2d_query_3d", lambda L: L.nn.MultiheadAttention(8, 2)(L.ones(3, 2, 8), L.ones(3, 8), L.ones(3, 8)),
     AssertionError, ValueError),
    ("key_value_differ", lambda L: L.nn.MultiheadAttention(8, 2)(L.ones(3, 2, 8), L.ones(4, 2, 8), L.ones(5, 2, 8)),
     AssertionError, ValueError),
    ("mask_2d_shape", lambda L: L.nn.MultiheadAttention(8, 2)(*(L.ones(3, 2, 8),) * 3, attn_mask=L.ones(3, 4)),
     RuntimeError, ValueError),
    ("mask_3d_shape", lambda L: L.nn.MultiheadAttention(8, 2)(*(L.ones(3, 2, 8),) * 3, attn_mask=L.ones(2, 3, 3)),
     RuntimeError, ValueError),
    ("kpm_shape", lambda L: L.nn.MultiheadAttention(8, 2)(*(L.ones(3, 2, 8),) * 3,
                                                          key_padding_mask=L.ones(2, 4, dtype=L.bool)),
     AssertionError, ValueError),
    ("int_mask", lambda L: L.nn.MultiheadAttention(8, 2)(*(L.ones(3, 2, 8),) * 3,
                                                         attn_mask=L.ones(3, 3, dtype=L.int64)), AssertionError,
     TypeError),
    ("causal_without_mask", lambda L: L.nn.MultiheadAttention(8, 2)(*(L.ones(3, 2, 8),) * 3, is_causal=True),
     RuntimeError, ValueError),
]


@pytest.mark.parametrize("desc,call,torch_exc,exc", MHA_ERRORS, ids=[e[0] for e in MHA_ERRORS])
def test_multihead_attention_bad_inputs(torch, desc, call, torch_exc, exc):
    with pytest.raises(torch_exc), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call(torch)
    with pytest.raises(exc) as info:
        call(ember)
    text = str(info.value)
    assert "MultiheadAttention" in text or "multi_head_attention_forward" in text, text


def test_mismatched_mask_types_warn_as_torch(torch):
    m = ember.nn.MultiheadAttention(8, 2)
    x = ember.ones(3, 2, 8)
    with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask is deprecated"):
        m(x, x, x, key_padding_mask=ember.zeros(2, 3, dtype=ember.bool), attn_mask=ember.zeros(3, 3))


# ---- the Transformer family ----------------------------------------------------------------------------

def _square_mask(L, T):
    return L.nn.Transformer.generate_square_subsequent_mask(T, dtype=L.float64)


TRANSFORMER_CONFIGS = [
    ("default", {}),
    ("batch_first", {"batch_first": True}),
    ("norm_first_gelu", {"norm_first": True, "activation": "gelu"}),
    ("no_bias", {"bias": False, "batch_first": True}),
]


def _seq(rng, cfg, T, N=3, E=8):
    return rng.standard_normal((N, T, E) if cfg.get("batch_first") else (T, N, E))


@pytest.mark.parametrize("cfg_id,cfg", TRANSFORMER_CONFIGS, ids=[c[0] for c in TRANSFORMER_CONFIGS])
def test_encoder_layer_matches_torch(torch, cfg_id, cfg):
    m, mt = _pair(torch, "TransformerEncoderLayer", 8, 2, 16, 0.0, **cfg)
    assert repr(m) == repr(mt)
    assert m.activation_relu_or_gelu == mt.activation_relu_or_gelu
    rng = np.random.default_rng(0)
    x = _seq(rng, cfg, 5)
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True
    for kwargs_of in (lambda L: {}, lambda L: {"src_key_padding_mask": L.tensor(kpm)},
                      lambda L: {"src_mask": _square_mask(L, 5), "is_causal": True},
                      lambda L: {"src_mask": L.tensor(np.triu(np.ones((5, 5), bool), 1)),
                                 "src_key_padding_mask": L.tensor(kpm)}):
        for train in (True, False):
            _run_both(torch, m, mt, [x], kwargs_of, train)


@pytest.mark.parametrize("cfg_id,cfg", TRANSFORMER_CONFIGS, ids=[c[0] for c in TRANSFORMER_CONFIGS])
def test_decoder_layer_matches_torch(torch, cfg_id, cfg):
    m, mt = _pair(torch, "TransformerDecoderLayer", 8, 2, 16, 0.0, **cfg)
    assert repr(m) == repr(mt)
    rng = np.random.default_rng(1)
    tgt, mem = _seq(rng, cfg, 4), _seq(rng, cfg, 6)
    mkpm = np.zeros((3, 6), bool)
    mkpm[2, 4:] = True
    for kwargs_of in (lambda L: {}, lambda L: {"tgt_mask": _square_mask(L, 4), "tgt_is_causal": True,
                                               "memory_key_padding_mask": L.tensor(mkpm)},
                      lambda L: {"memory_mask": L.tensor(np.zeros((4, 6), bool)),
                                 "tgt_key_padding_mask": L.tensor(np.zeros((3, 4), bool))}):
        for train in (True, False):
            _run_both(torch, m, mt, [tgt, mem], kwargs_of, train)


@pytest.mark.parametrize("cfg_id,cfg", TRANSFORMER_CONFIGS, ids=[c[0] for c in TRANSFORMER_CONFIGS])
def test_transformer_matches_torch(torch, cfg_id, cfg):
    """The whole encoder-decoder: state_dict keys and repr as torch's, outputs and gradients with
    torch's weights, with the masks a seq2seq program passes."""
    kw = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16, dropout=0.0, **cfg)
    m, mt = _pair(torch, "Transformer", **kw)
    assert repr(m) == repr(mt)
    assert list(m.state_dict()) == list(mt.state_dict())
    rng = np.random.default_rng(2)
    src, tgt = _seq(rng, cfg, 5), _seq(rng, cfg, 4)
    skpm = np.zeros((3, 5), bool)
    skpm[1, 3:] = True

    def kwargs_of(L):
        return {"tgt_mask": _square_mask(L, 4), "src_key_padding_mask": L.tensor(skpm),
                "memory_key_padding_mask": L.tensor(skpm)}
    for train in (True, False):
        _run_both(torch, m, mt, [src, tgt], kwargs_of, train)


def test_encoder_inference_zeroes_padding_as_torch(torch):
    """In eval mode without gradients, a batch_first encoder given a left-aligned padding mask runs
    torch's nested-tensor path, whose padded positions come out as zeros (then the final norm);
    ember gives the same; with gradients, or a mask that is not left-aligned, they are computed."""
    layer_t = torch.nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True).double()
    mt = torch.nn.TransformerEncoder(layer_t, 2, norm=torch.nn.LayerNorm(8).double())
    layer = ember.nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True)
    m = ember.nn.TransformerEncoder(layer, 2, norm=ember.nn.LayerNorm(8)).to(ember.float64)
    _load(m, mt)
    m.eval()
    mt.eval()
    x = np.random.default_rng(3).standard_normal((3, 5, 8))
    left = np.zeros((3, 5), bool)
    left[1, 3:] = True
    gap = left.copy()
    gap[2, 1] = True
    for kpm in (left, gap):
        for grad in (False, True):
            with torch.set_grad_enabled(grad), ember.set_grad_enabled(grad):
                yt = mt(torch.from_numpy(x), src_key_padding_mask=torch.from_numpy(kpm))
                y = m(to_ember(x), src_key_padding_mask=to_ember(kpm))
            _close(y, yt, 1e-12, f"grad={grad}")
    with ember.no_grad():
        y = m(to_ember(x), src_key_padding_mask=to_ember(left))
    bias = to_numpy(m.norm.bias.detach())
    np.testing.assert_allclose(to_numpy(y)[1, 3], bias, atol=1e-12)  # a zero row through the final norm


def test_stacks_copy_the_layer_and_warn_as_torch(torch):
    layer = ember.nn.TransformerEncoderLayer(8, 2, 16)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        enc = ember.nn.TransformerEncoder(layer, 3)
        torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16), 3)
    messages = [str(w.message) for w in caught if "enable_nested_tensor" in str(w.message)]
    assert len(messages) == 2 and messages[0] == messages[1], messages
    assert enc.use_nested_tensor is False and enc.enable_nested_tensor is True
    assert len(enc.layers) == 3 and enc.num_layers == 3
    assert all(ember.equal(p, q) for p, q in zip(enc.layers[0].parameters(), layer.parameters()))
    assert enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
    dec = ember.nn.TransformerDecoder(ember.nn.TransformerDecoderLayer(8, 2, 16), 2)
    assert len(dec.layers) == 2 and dec.norm is None


def test_transformer_initialization_and_mask():
    model = ember.nn.Transformer(d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=32)
    for name, p in model.named_parameters():
        if p.dim() > 1:
            fan_out, fan_in = p.shape[0], p.shape[1]
            assert float(p.abs().max()) <= (6 / (fan_in + fan_out)) ** 0.5 + 1e-7, name
    mask = ember.nn.Transformer.generate_square_subsequent_mask(4)
    assert mask.dtype == ember.float32
    expected = np.triu(np.full((4, 4), -np.inf, np.float32), 1)
    np.testing.assert_array_equal(to_numpy(mask), np.where(np.isnan(expected), 0, expected))


def test_transformer_trains_as_torch(torch):
    """Three SGD steps of a small seq2seq model with torch's initial weights end with torch's weights."""
    kw = dict(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16, dropout=0.0,
              batch_first=True)
    m, mt = _pair(torch, "Transformer", **kw)
    opt, opt_t = ember.optim.SGD(m.parameters(), lr=0.1), torch.optim.SGD(mt.parameters(), lr=0.1)
    rng = np.random.default_rng(5)
    src, tgt, target = rng.standard_normal((2, 5, 8)), rng.standard_normal((2, 4, 8)), rng.standard_normal((2, 4, 8))
    for _ in range(3):
        for model, optim, L in ((m, opt, ember), (mt, opt_t, torch)):
            as_t = to_ember if L is ember else torch.from_numpy
            optim.zero_grad()
            out = model(as_t(src), as_t(tgt), tgt_mask=_square_mask(L, 4))
            L.nn.functional.mse_loss(out, as_t(target)).backward()
            optim.step()
    pt = dict(mt.named_parameters())
    for name, p in m.named_parameters():
        _close(p, pt[name], 1e-10, name)


def test_transformer_copies_and_pickles():
    model = ember.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16)
    model.eval()
    src, tgt = ember.randn(5, 2, 8), ember.randn(4, 2, 8)
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert ember.equal(clone(src, tgt), model(src, tgt))
        assert clone.encoder.layers[0].self_attn.in_proj_weight is not model.encoder.layers[0].self_attn.in_proj_weight


TRANSFORMER_ERRORS = [
    ("activation_name", lambda L: L.nn.TransformerEncoderLayer(8, 2, activation="tanh"), RuntimeError, ValueError),
    ("batch_mismatch", lambda L: L.nn.Transformer(8, 2, 1, 1, 16)(L.ones(5, 2, 8), L.ones(4, 3, 8)),
     RuntimeError, ValueError),
    ("feature_mismatch", lambda L: L.nn.Transformer(8, 2, 1, 1, 16)(L.ones(5, 2, 8), L.ones(4, 2, 6)),
     RuntimeError, ValueError),
    ("encoder_mask_shape", lambda L: L.nn.TransformerEncoderLayer(8, 2, 16)(L.ones(5, 2, 8), src_mask=L.ones(4, 4)),
     RuntimeError, ValueError),
]


@pytest.mark.parametrize("desc,call,torch_exc,exc", TRANSFORMER_ERRORS, ids=[e[0] for e in TRANSFORMER_ERRORS])
def test_transformer_bad_inputs(torch, desc, call, torch_exc, exc):
    with pytest.raises(torch_exc), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call(torch)
    with pytest.raises(exc), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call(ember)

"""Attention as torch.nn.functional's: scaled_dot_product_attention and multi_head_attention_forward,
composites of ember ops (matmul, softmax, dropout), so gradients of every order come from the ops.
Torch's AssertionErrors are ValueErrors here (ember's convention), and every message names the
function and the shapes."""
import math
import warnings

import ember
from ember.nn.functional import dropout, linear, pad, softmax


def _shape(t):
    return tuple(t.shape)


def _neg_inf_rows_to_zero(scores, weights):
    """torch's safe softmax: a row whose scores are all -inf (every key masked) attends to nothing and
    gives zeros (torch's math and flash kernels), where a plain softmax gives NaN; the row's gradient
    is zero too, since the scores are replaced before the softmax."""
    dead = scores.amax(-1, keepdim=True) == float("-inf")
    if not bool(dead.any()):
        return weights
    return softmax(ember.where(dead, 0.0, scores), -1).masked_fill(dead, 0.0)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    r"""Attention of queries over keys and values, as torch.nn.functional.scaled_dot_product_attention:
    :math:`\mathrm{softmax}(QK^T \cdot \mathrm{scale} + \mathrm{bias})V`, with dropout on the weights.

    Args:
        query (Tensor): :math:`(..., L, E)`.
        key (Tensor): :math:`(..., S, E)`.
        value (Tensor): :math:`(..., S, E_v)`. The leading dims of the three broadcast.
        attn_mask (Tensor, optional): broadcastable to :math:`(..., L, S)`. A bool mask says which
            keys each query may attend to (True: attend); a float mask is added to the scores.
        dropout_p (float): the probability of zeroing a weight (applied whenever > 0, as torch's).
            Default: 0.0.
        is_causal (bool): query i attends to keys 0..i only (the top-left aligned lower triangle);
            not with ``attn_mask``. Default: False.
        scale (float, optional): the scores' factor. Default: :math:`1/\sqrt{E}`.
        enable_gqa (bool): grouped-query attention: key and value may have fewer heads (dim -3)
            than query, a divisor of its count, each shared by consecutive query heads. Default: False.

    Returns:
        Tensor: :math:`(..., L, E_v)`. A query whose keys are all masked gets zeros, as torch's.

    Example::

        >>> q, k, v = ember.ones(2, 3, 4), ember.ones(2, 5, 4), ember.arange(40.).reshape(2, 5, 4)
        >>> F.scaled_dot_product_attention(q, k, v, is_causal=True)[0]
        tensor([[0.0000, 1.0000, 2.0000, 3.0000],
                [2.0000, 3.0000, 4.0000, 5.0000],
                [4.0000, 5.0000, 6.0000, 7.0000]])
    """
    name = "scaled_dot_product_attention"
    for what, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, ember.Tensor):
            raise TypeError(f"{name}: {what} must be a Tensor, not {type(t).__name__}")
    if min(query.dim(), key.dim(), value.dim()) < 2:
        raise ValueError(f"{name}: query, key and value must have at least 2 dims, got query {_shape(query)}, "
                         f"key {_shape(key)} and value {_shape(value)}")
    if not (query.dtype == key.dtype == value.dtype):
        raise TypeError(f"{name}: query, key and value must have the same dtype, got {query.dtype}, {key.dtype} "
                        f"and {value.dtype}")
    if not query.is_floating_point():
        raise TypeError(f"{name}: expected floating query, key and value, got {query.dtype}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(f"{name}: query {_shape(query)}, key {_shape(key)} and value {_shape(value)} do not fit: "
                         f"query and key need the same last dim, key and value the same sequence length")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"{name}: dropout_p must be between 0 and 1, got {dropout_p}")
    if is_causal and attn_mask is not None:
        raise ValueError(f"{name}: attn_mask must be None when is_causal=True")
    if enable_gqa:
        if min(query.dim(), key.dim(), value.dim()) < 3:
            raise ValueError(f"{name}: enable_gqa needs a heads dim (-3) in query, key and value")
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hk == 0 or hv == 0 or hq % hk or hq % hv:
            raise ValueError(f"{name}: with enable_gqa the number of query heads ({hq}) must be a multiple of the "
                             f"key heads ({hk}) and value heads ({hv})")
        key = key.repeat_interleave(hq // hk, -3)
        value = value.repeat_interleave(hq // hv, -3)
    L, S = query.shape[-2], key.shape[-2]
    scores = ember.matmul(query, key.transpose(-2, -1)) * (1.0 / math.sqrt(query.shape[-1]) if scale is None else scale)
    if is_causal:  # query i sees keys 0..i: never a row with nothing to attend to
        scores = scores + ember.full((L, S), float("-inf"), dtype=scores.dtype).triu(1)
    if attn_mask is not None:
        if attn_mask.dtype == ember.bool:
            attn_mask = ember.zeros(attn_mask.shape, dtype=query.dtype).masked_fill(attn_mask.logical_not(),
                                                                                     float("-inf"))
        elif not attn_mask.is_floating_point():
            raise TypeError(f"{name}: attn_mask must be bool or floating, got {attn_mask.dtype}")
        try:
            out_shape = ember.broadcast_shapes(scores.shape, attn_mask.shape)
        except (ValueError, RuntimeError):
            out_shape = None
        if out_shape != scores.shape:
            raise ValueError(f"{name}: attn_mask {_shape(attn_mask)} does not broadcast to the scores' shape "
                             f"{_shape(scores)}")
        scores = scores + attn_mask
        weights = _neg_inf_rows_to_zero(scores, softmax(scores, -1))
    else:
        weights = softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return ember.matmul(weights, value)


# ---- multi-head attention ----------------------------------------------------------------------------

def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask (True: masked) as an additive float mask of target_type; a float one as it is."""
    if mask is None:
        return None
    if mask.dtype != ember.bool and not mask.is_floating_point():
        raise TypeError(f"multi_head_attention_forward: only bool and floating types of {mask_name} are supported, "
                        f"got {mask.dtype}")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    if mask.dtype == ember.bool:
        return ember.zeros(mask.shape, dtype=target_type).masked_fill(mask, float("-inf"))
    return mask


def _none_or_dtype(t):
    if t is None:
        return None
    if isinstance(t, ember.Tensor):
        return t.dtype
    raise TypeError("input to _none_or_dtype() must be None or ember.Tensor")


def _is_batched(query, key, value, key_padding_mask, attn_mask, num_heads):
    """True for (L, N, E) inputs, False for unbatched (L, E) ones; the dims of the others checked."""
    name = "multi_head_attention_forward"
    if query.dim() not in (2, 3):
        raise ValueError(f"{name}: query should be unbatched 2D or batched 3D, got shape {_shape(query)}")
    batched = query.dim() == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.dim() != query.dim() or value.dim() != query.dim():
        raise ValueError(f"{name}: for {kind} query {_shape(query)}, key and value must be {query.dim()}-D, got "
                         f"{_shape(key)} and {_shape(value)}")
    if key_padding_mask is not None and key_padding_mask.dim() != query.dim() - 1:
        raise ValueError(f"{name}: for {kind} query, key_padding_mask must be None or {query.dim() - 1}-D, got shape "
                         f"{_shape(key_padding_mask)}")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise ValueError(f"{name}: attn_mask must be None, 2-D or 3-D, got shape {_shape(attn_mask)}")
        if not batched and attn_mask.dim() == 3 and _shape(attn_mask) != (num_heads, query.shape[0], key.shape[0]):
            raise ValueError(f"{name}: expected attn_mask of shape {(num_heads, query.shape[0], key.shape[0])}, got "
                             f"{_shape(attn_mask)}")
    return batched


def _in_projection(query, key, value, w_q, w_k, w_v, b_q, b_k, b_v):
    """q, k, v: each input through its own projection, the shapes checked as torch's _in_projection."""
    Eq, Ek, Ev = query.shape[-1], key.shape[-1], value.shape[-1]
    for what, w, shape in (("query", w_q, (Eq, Eq)), ("key", w_k, (Eq, Ek)), ("value", w_v, (Eq, Ev))):
        if _shape(w) != shape:
            raise ValueError(f"multi_head_attention_forward: expecting {what} weights of shape {shape}, got "
                             f"{_shape(w)}")
    for what, b in (("query", b_q), ("key", b_k), ("value", b_v)):
        if b is not None and _shape(b) != (Eq,):
            raise ValueError(f"multi_head_attention_forward: expecting {what} bias of shape {(Eq,)}, got {_shape(b)}")
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _in_projection_packed(query, key, value, w, b):
    """q, k, v through the rows of one packed (3E, E) weight: a single GEMM for self-attention."""
    E = query.shape[-1]
    if _shape(w)[:1] != (3 * E,) or w.dim() != 2 or (b is not None and _shape(b) != (3 * E,)):
        raise ValueError(f"multi_head_attention_forward: in_proj_weight {_shape(w)} and in_proj_bias "
                         f"{None if b is None else _shape(b)} do not fit an embedding dim of {E}")
    if query is key and key is value:
        return linear(query, w, b).chunk(3, -1)
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = b.chunk(3) if b is not None else (None, None, None)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    r"""Multi-head attention on sequence-first inputs, as torch.nn.functional.multi_head_attention_forward
    (what :class:`ember.nn.MultiheadAttention` runs).

    Args:
        query, key, value (Tensor): :math:`(L, N, E)`, :math:`(S, N, E_k)`, :math:`(S, N, E_v)`, or
            unbatched :math:`(L, E)`, :math:`(S, E_k)`, :math:`(S, E_v)`.
        embed_dim_to_check (int): E, checked against the query.
        num_heads (int): the number of heads; E must be divisible by it.
        in_proj_weight, in_proj_bias (Tensor): the packed (3E, E) projection and its (3E,) bias.
        bias_k, bias_v (Tensor): (1, 1, E) rows appended to the keys and values, or None.
        add_zero_attn (bool): append a zero key and value after the projections.
        dropout_p (float): dropout on the attention weights (training only).
        out_proj_weight, out_proj_bias (Tensor): the output projection.
        training (bool): apply dropout. Default: True.
        key_padding_mask (Tensor, optional): (N, S) or (S,); True (bool) or -inf (float) masks a key.
        need_weights (bool): also return the attention weights. Default: True.
        attn_mask (Tensor, optional): (L, S) or (N * num_heads, L, S); True or -inf masks a pair.
        use_separate_proj_weight (bool): project with q/k/v_proj_weight instead of in_proj_weight.
        q_proj_weight, k_proj_weight, v_proj_weight (Tensor): the separate projections.
        static_k, static_v (Tensor): (N * num_heads, S, E / num_heads) keys / values used as they are.
        average_attn_weights (bool): average the returned weights over heads. Default: True.
        is_causal (bool): a hint that attn_mask is the causal mask (it is then required).

    Returns:
        (Tensor, Tensor or None): the output, (L, N, E) or (L, E); the weights, (N, L, S) or
        (N, num_heads, L, S) (unbatched: without N), or None without need_weights.

    Example::

        >>> E = 4
        >>> x = ember.ones(3, 2, E)
        >>> w, b = ember.eye(E).repeat(3, 1), ember.zeros(3 * E)
        >>> out, weights = F.multi_head_attention_forward(x, x, x, E, 2, w, b, None, None, False, 0.0,
        ...                                               ember.eye(E), ember.zeros(E))
        >>> out.shape, weights.shape
        (ember.Size([3, 2, 4]), ember.Size([2, 3, 3]))
    """
    name = "multi_head_attention_forward"
    batched = _is_batched(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise ValueError(f"{name}: is_causal needs attn_mask (nn.Transformer.generate_square_subsequent_mask makes "
                         "one)")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the hint alone: scaled_dot_product_attention applies the causal mask
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False  # the merged mask is no longer the causal one
    if embed_dim != embed_dim_to_check:
        raise ValueError(f"{name}: was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim} "
                         f"(query {_shape(query if batched else query.squeeze(1))})")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise ValueError(f"{name}: embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if _shape(key)[:2] != _shape(value)[:2]:
            raise ValueError(f"{name}: key's sequence and batch dims {_shape(key)[:2]} do not match value's "
                             f"{_shape(value)[:2]}")
    elif _shape(key) != _shape(value):
        raise ValueError(f"{name}: key shape {_shape(key)} does not match value shape {_shape(value)}")

    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise ValueError(f"{name}: use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for what, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise ValueError(f"{name}: use_separate_proj_weight is True but {what}_proj_weight is None")
        b_q, b_k, b_v = in_proj_bias.chunk(3) if in_proj_bias is not None else (None, None, None)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, b_q, b_k, b_v)

    if attn_mask is not None:
        want = (tgt_len, src_len) if attn_mask.dim() == 2 else (bsz * num_heads, tgt_len, src_len)
        if attn_mask.dim() not in (2, 3):
            raise ValueError(f"{name}: attn_mask's dimension {attn_mask.dim()} is not supported")
        if _shape(attn_mask) != want:
            raise ValueError(f"{name}: the shape of the {attn_mask.dim()}D attn_mask is {_shape(attn_mask)}, but "
                             f"should be {want}")
        if attn_mask.dim() == 2:
            attn_mask = attn_mask.unsqueeze(0)

    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise ValueError(f"{name}: bias cannot be added to a static key or value")
        k = ember.cat([k, bias_k.repeat(1, bsz, 1)])
        v = ember.cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None or bias_v is not None:
        raise ValueError(f"{name}: bias_k and bias_v must be given together")

    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    for what, static, t in (("k", static_k, k), ("v", static_v, v)):
        if static is not None and (static.dim() != 3 or static.shape[0] != bsz * num_heads
                                   or static.shape[2] != head_dim):
            raise ValueError(f"{name}: expecting static_{what} of shape ({bsz * num_heads}, S, {head_dim}), got "
                             f"{_shape(static)}")
    k = static_k if static_k is not None else k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    v = static_v if static_v is not None else v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)

    if add_zero_attn:
        zeros = ember.zeros(bsz * num_heads, 1, head_dim, dtype=k.dtype)
        k = ember.cat([k, zeros], 1)
        v = ember.cat([v, zeros], 1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))

    src_len = k.shape[1]
    if key_padding_mask is not None:
        if _shape(key_padding_mask) != (bsz, src_len):
            raise ValueError(f"{name}: expecting key_padding_mask of shape {(bsz, src_len)}, got "
                             f"{_shape(key_padding_mask)}")
        key_padding_mask = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1) \
            .reshape(bsz * num_heads, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0

    if need_weights:
        # torch's explicit path: a row whose keys are all masked gives NaN weights here, as torch's
        scores = ember.matmul(q * math.sqrt(1.0 / head_dim), k.transpose(-2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = softmax(scores, -1)
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p)
        out = ember.bmm(weights, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights

    if attn_mask is not None:
        attn_mask = attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1 else \
            attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    return (out if batched else out.squeeze(1)), None

"""MultiheadAttention and the Transformer family, as torch.nn's: the same constructor arguments,
attributes, submodules (so state_dicts load across), masks and results; written over ember's layers
and ember.nn.functional's attention (ember/nn/_attention.py)."""
import copy
import warnings

import ember
from ember.nn import functional as F
from ember.nn import init
from ember.nn._attention import _canonical_mask, _none_or_dtype, multi_head_attention_forward
from ember.nn.modules import Dropout, GELU, LayerNorm, Linear, Module, ModuleList, Parameter, ReLU


class NonDynamicallyQuantizableLinear(Linear):
    """MultiheadAttention's output projection: a Linear under torch's class name (its repr and
    torch's quantization tooling tell it apart).

    Args:
        in_features, out_features, bias, device, dtype: as :class:`ember.nn.Linear`.

    Example::

        >>> NonDynamicallyQuantizableLinear(4, 2)
        NonDynamicallyQuantizableLinear(in_features=4, out_features=2, bias=True)
    """


class MultiheadAttention(Module):
    r"""Attention from a query sequence over key/value sequences, split across heads, as
    torch.nn.MultiheadAttention: :math:`\mathrm{Concat}(head_1, ..., head_h) W^O` with
    :math:`head_i = \mathrm{Attention}(Q W_i^Q, K W_i^K, V W_i^V)`.

    Args:
        embed_dim (int): the model's dim E; split into num_heads heads of E / num_heads.
        num_heads (int): the number of heads (a divisor of embed_dim).
        dropout (float): dropout on the attention weights in training. Default: 0.0.
        bias (bool): the input and output projections have biases. Default: True.
        add_bias_kv (bool): learn a key and a value appended to every sequence. Default: False.
        add_zero_attn (bool): append a zero key and value to every sequence. Default: False.
        kdim, vdim (int, optional): the keys' and values' feature dims. Default: embed_dim.
        batch_first (bool): inputs and output are (N, L, E), not (L, N, E). Default: False.
        device, dtype: where and in what dtype the parameters are made.

    Shape:
        forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
        average_attn_weights=True, is_causal=False) returns (attn_output, attn_weights): see
        :func:`ember.nn.functional.multi_head_attention_forward`. With need_weights=False the
        weights are None and a query whose keys are all masked gets zeros, as torch's.

    Example::

        >>> mha = ember.nn.MultiheadAttention(8, 2, batch_first=True)
        >>> x = ember.randn(3, 5, 8)
        >>> out, weights = mha(x, x, x)
        >>> out.shape, weights.shape
        (ember.Size([3, 5, 8]), ember.Size([3, 5, 5]))
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise ValueError(f"MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim={embed_dim} "
                             f"and num_heads={num_heads}")
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(ember.empty(3 * embed_dim, embed_dim, **factory))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(ember.empty(embed_dim, embed_dim, **factory))
            self.k_proj_weight = Parameter(ember.empty(embed_dim, self.kdim, **factory))
            self.v_proj_weight = Parameter(ember.empty(embed_dim, self.vdim, **factory))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(ember.empty(3 * embed_dim, **factory))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **factory)
        if add_bias_kv:
            self.bias_k = Parameter(ember.empty(1, 1, embed_dim, **factory))
            self.bias_v = Parameter(ember.empty(1, 1, embed_dim, **factory))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        batched = query.dim() == 3
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask),
                                           "attn_mask", query.dtype)
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if self.batch_first and batched:  # sequence-first inside; self-attention keeps one tensor
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = query.transpose(1, 0), key.transpose(1, 0)
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        separate = {} if self._qkv_same_embed_dim else {
            "use_separate_proj_weight": True, "q_proj_weight": self.q_proj_weight,
            "k_proj_weight": self.k_proj_weight, "v_proj_weight": self.v_proj_weight}
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, average_attn_weights=average_attn_weights, is_causal=is_causal, **separate)
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        return out, weights


def _activation(activation, layer):
    """A layer's activation: "relu"/"gelu" name F.relu/F.gelu; anything else is called as given."""
    if isinstance(activation, str):
        if activation not in ("relu", "gelu"):
            raise ValueError(f"{layer}: activation should be relu/gelu, not {activation}")
        return F.relu if activation == "relu" else F.gelu
    return activation


def _relu_or_gelu(activation):
    """torch's activation_relu_or_gelu flag: 1 for relu, 2 for gelu, 0 for anything else."""
    if activation is F.relu or isinstance(activation, ReLU):
        return 1
    if activation is F.gelu or isinstance(activation, GELU):
        return 2
    return 0


class TransformerEncoderLayer(Module):
    r"""Self-attention and a feed-forward block, each with a residual connection and LayerNorm, as
    torch.nn.TransformerEncoderLayer (post-norm by default, pre-norm with norm_first).

    Args:
        d_model (int): the model's dim.
        nhead (int): attention heads.
        dim_feedforward (int): the feed-forward block's hidden dim. Default: 2048.
        dropout (float): dropout after attention, inside and after the feed-forward block. Default: 0.1.
        activation (str or callable): "relu", "gelu" or a function/module. Default: relu.
        layer_norm_eps (float): the norms' eps. Default: 1e-5.
        batch_first (bool): (N, S, E) inputs. Default: False ((S, N, E)).
        norm_first (bool): normalize before each block instead of after. Default: False.
        bias (bool): biases in the linear layers and norms. Default: True.
        device, dtype: where and in what dtype the parameters are made.

    Shape:
        forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False): src (S, E),
        (S, N, E) or (N, S, E); masks as :class:`ember.nn.MultiheadAttention`'s. Output: src's shape.

    Example::

        >>> layer = ember.nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, batch_first=True)
        >>> layer(ember.randn(3, 5, 8)).shape
        ember.Size([3, 5, 8])
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            **factory)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        activation = _activation(activation, "TransformerEncoderLayer")
        self.activation_relu_or_gelu = _relu_or_gelu(activation)
        self.activation = activation

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        src_key_padding_mask = _canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                               _none_or_dtype(src_mask), "src_mask", src.dtype)
        src_mask = _canonical_mask(src_mask, "src_mask", None, "", src.dtype, check_other=False)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoderLayer(Module):
    r"""Self-attention, attention over the encoder's output (memory) and a feed-forward block, each
    with a residual connection and LayerNorm, as torch.nn.TransformerDecoderLayer.

    Args:
        d_model (int): the model's dim.
        nhead (int): attention heads (self-attention and attention over the memory).
        others: dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first, bias,
            device and dtype, as :class:`ember.nn.TransformerEncoderLayer`'s.

    Shape:
        forward(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
        memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False): tgt (T, N, E),
        memory (S, N, E) (batch_first: (N, T, E), (N, S, E)). Output: tgt's shape.

    Example::

        >>> layer = ember.nn.TransformerDecoderLayer(d_model=8, nhead=2, dim_feedforward=16)
        >>> layer(ember.randn(4, 3, 8), ember.randn(6, 3, 8)).shape
        ember.Size([4, 3, 8])
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias,
                                            **factory)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias,
                                                 **factory)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _activation(activation, "TransformerDecoderLayer")

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
        return self.norm3(x + self._ff_block(x))

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, is_causal=is_causal,
                           need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                is_causal=is_causal, need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


def _clones(module, n):
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


def _why_no_nested_tensor(layer):
    """Why torch's TransformerEncoder would not take its nested-tensor path with this layer ("" if it
    would): the same reasons, in torch's words, since torch warns with them."""
    name = "encoder_layer"
    if not isinstance(layer, TransformerEncoderLayer):
        return f"{name} was not TransformerEncoderLayer"
    attn = layer.self_attn
    for failed, reason in (
            (layer.norm_first, f"{name}.norm_first was True"),
            (not attn.batch_first,
             f"{name}.self_attn.batch_first was not True(use batch_first for better inference performance)"),
            (not attn._qkv_same_embed_dim, f"{name}.self_attn._qkv_same_embed_dim was not True"),
            (attn.in_proj_bias is None, f"{name}.self_attn was passed bias=False"),
            (not layer.activation_relu_or_gelu, f"{name}.activation_relu_or_gelu was not True"),
            (layer.norm1.eps != layer.norm2.eps, f"{name}.norm1.eps was not equal to {name}.norm2.eps"),
            (attn.num_heads % 2 == 1, f"{name}.self_attn.num_heads is odd")):
        if failed:
            return reason
    return ""


class TransformerEncoder(Module):
    r"""A stack of num_layers copies of an encoder layer, then an optional norm, as
    torch.nn.TransformerEncoder (every copy starts with the given layer's parameters).

    Args:
        encoder_layer (TransformerEncoderLayer): the layer to copy.
        num_layers (int): how many copies.
        norm (Module, optional): applied to the last layer's output.
        enable_nested_tensor (bool): torch's padding-skipping inference path. ember has no nested
            tensors; in the cases torch takes that path (evaluation, no gradient, batch_first,
            a left-aligned src_key_padding_mask and no mask) ember gives its result: padded positions
            leave the layers as zeros. Default: True.
        mask_check (bool): check that the padding mask is left-aligned before taking that path. Default: True.

    Shape:
        forward(src, mask=None, src_key_padding_mask=None, is_causal=None): as the layer's.

    Example::

        >>> layer = ember.nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, batch_first=True)
        >>> encoder = ember.nn.TransformerEncoder(layer, num_layers=2)
        >>> encoder(ember.randn(3, 5, 8)).shape
        ember.Size([3, 5, 8])
    """

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why_not = _why_no_nested_tensor(encoder_layer)
        if enable_nested_tensor and why_not:
            warnings.warn(f"enable_nested_tensor is True, but self.use_nested_tensor is False because {why_not}",
                          stacklevel=2)
            self.use_nested_tensor = False

    def _padding_zeroed(self, src, mask, padding):
        """The key-padding mask as bool (True: padding) when torch's nested-tensor path would run."""
        first = self.layers[0] if len(self.layers) else None
        if (first is None or not self.use_nested_tensor or first.training or src.dim() != 3 or padding is None
                or mask is not None):
            return None
        if ember.is_grad_enabled() and (src.requires_grad or any(p.requires_grad for p in first.parameters())):
            return None
        pad = padding != 0
        if tuple(pad.shape) != (src.shape[0], src.shape[1]):
            return None
        if self.mask_check and bool((pad[:, 1:] < pad[:, :-1]).any()):  # not left-aligned: a pad before a token
            return None
        return pad

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        src_key_padding_mask = _canonical_mask(src_key_padding_mask, "src_key_padding_mask", _none_or_dtype(mask),
                                               "mask", src.dtype)
        mask = _canonical_mask(mask, "mask", None, "", src.dtype, check_other=False)
        zeroed = self._padding_zeroed(src, mask, src_key_padding_mask)
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, is_causal=bool(is_causal), src_key_padding_mask=src_key_padding_mask)
        if zeroed is not None:
            output = output.masked_fill(zeroed.unsqueeze(-1), 0.0)
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerDecoder(Module):
    r"""A stack of num_layers copies of a decoder layer, then an optional norm, as
    torch.nn.TransformerDecoder.

    Args:
        decoder_layer (TransformerDecoderLayer): the layer to copy.
        num_layers (int): how many copies.
        norm (Module, optional): applied to the last layer's output.

    Shape:
        forward(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
        memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False): as the layer's.

    Example::

        >>> layer = ember.nn.TransformerDecoderLayer(d_model=8, nhead=2, dim_feedforward=16)
        >>> decoder = ember.nn.TransformerDecoder(layer, num_layers=2)
        >>> decoder(ember.randn(4, 3, 8), ember.randn(6, 3, 8)).shape
        ember.Size([4, 3, 8])
    """

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        output = tgt
        for layer in self.layers:
            output = layer(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                           tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                           tgt_is_causal=bool(tgt_is_causal), memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    r"""The encoder-decoder Transformer of "Attention Is All You Need", as torch.nn.Transformer: an
    encoder stack and a decoder stack, each ending in a LayerNorm, every weight matrix
    Xavier-initialized.

    Args:
        d_model (int): the model's dim. Default: 512.
        nhead (int): attention heads. Default: 8.
        num_encoder_layers, num_decoder_layers (int): the stacks' depths. Default: 6 each.
        dim_feedforward (int): the feed-forward blocks' hidden dim. Default: 2048.
        dropout (float): Default: 0.1.
        activation (str or callable): Default: relu.
        custom_encoder, custom_decoder (Module, optional): used instead of the stacks.
        layer_norm_eps (float): Default: 1e-5.
        batch_first (bool): (N, S, E) inputs. Default: False.
        norm_first (bool): pre-norm layers. Default: False.
        bias (bool): biases in the linear layers and norms. Default: True.
        device, dtype: where and in what dtype the parameters are made.

    Shape:
        forward(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
        tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None,
        tgt_is_causal=None, memory_is_causal=False): src (S, N, E), tgt (T, N, E); output (T, N, E).

    Example::

        >>> model = ember.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
        ...                              dim_feedforward=16)
        >>> tgt_mask = ember.nn.Transformer.generate_square_subsequent_mask(4)
        >>> model(ember.randn(6, 3, 8), ember.randn(4, 3, 8), tgt_mask=tgt_mask).shape
        ember.Size([4, 3, 8])
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation=F.relu, custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        layer_args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first,
                      bias)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(TransformerEncoderLayer(*layer_args, **factory), num_encoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(TransformerDecoderLayer(*layer_args, **factory), num_decoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        batch = 0 if self.batch_first else 1
        if src.dim() == 3 and src.shape[batch] != tgt.shape[batch]:
            raise ValueError(f"Transformer: the batch number of src and tgt must be equal, got src "
                             f"{tuple(src.shape)} and tgt {tuple(tgt.shape)}")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ValueError(f"Transformer: the feature number of src and tgt must be equal to d_model "
                             f"({self.d_model}), got src {tuple(src.shape)} and tgt {tuple(tgt.shape)}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        r"""The causal mask of a sequence of length sz: -inf above the diagonal, 0 elsewhere (position i
        attends to positions 0..i).

        Args:
            sz (int): the sequence length.
            device, dtype: the mask's (dtype default: ember.get_default_dtype()).

        Returns:
            Tensor: (sz, sz).

        Example::

            >>> ember.nn.Transformer.generate_square_subsequent_mask(3)
            tensor([[0., -inf, -inf],
                    [0., 0., -inf],
                    [0., 0., 0.]])
        """
        return ember.full((sz, sz), float("-inf"), dtype=dtype, device=device).triu(1)

    def _reset_parameters(self):
        for p in self.parameters():
            if p.dim() > 1:
                init.xavier_uniform_(p)


for _cls in (MultiheadAttention, TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder,
             TransformerDecoder, Transformer):
    _cls.__module__ = "ember.nn"

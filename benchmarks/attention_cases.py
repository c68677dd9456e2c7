"""The benchmark cases of attention (issue 15's nn.Transformer family): each a setup function of a
library module that returns the callable to time (benchmarks/run.py lists them in CASES)."""

import warnings

from inputs import randn

# A small encoder as in torch's nn.Transformer language-model tutorial, batch first: d_model 128,
# 4 heads, feed-forward 512, 64 tokens, batch 16, causal mask, no dropout (its randomness differs).
ENC_E, ENC_HEADS, ENC_FF, ENC_T, ENC_B = 128, 4, 512, 64, 16


def _encoder_layer(m):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = m.nn.TransformerEncoderLayer(ENC_E, ENC_HEADS, ENC_FF, dropout=0.0, batch_first=True)
    return layer, randn(m, ENC_B, ENC_T, ENC_E), m.nn.Transformer.generate_square_subsequent_mask(ENC_T)


def encoder_layer_step(m):
    """TransformerEncoderLayer forward + backward with a causal mask."""
    layer, x, mask = _encoder_layer(m)
    params = list(layer.parameters())

    def run():
        for p in params:
            p.grad = None
        layer(x, src_mask=mask, is_causal=True).sum().backward()

    return run


def encoder_layer_inference(m):
    """TransformerEncoderLayer forward in eval mode without gradients (torch's fast path)."""
    layer, x, mask = _encoder_layer(m)
    layer.eval()

    def run():
        with m.no_grad():
            return layer(x, src_mask=mask, is_causal=True)

    return run

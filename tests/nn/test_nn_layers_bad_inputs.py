"""Bad inputs to ember.nn's layers: Linear, the activations, BatchNorm1d, LayerNorm, Dropout,
GaussianNoise, Embedding, the losses, Perceptron, nn.summary, nn.init, nn.utils and their
nn.functional forms (the Module system and the containers: test_nn_bad_inputs.py).

Each case asserts the exception ember raises (exact type) and, where sensible, that the message
names the layer or op; PyTorch 2.13 is the oracle (tests/bad_inputs.py). ember's convention is
ValueError for a bad value or shape and TypeError for a bad dtype or argument kind where torch
raises RuntimeError / NotImplementedError; cases where only that convention separates the two
libraries say so (``torch=RuntimeError`` next to an ember ValueError). A note starting
``FINDING`` records what ember did before the case was fixed; the case guards against its return.
A layer's bad call that a ``ModuleError`` of its row in module_db.py already makes (the same
constructor and input shapes, exception and message fragment; run by test_modules.py) is not repeated
here.
"""
import pytest

import ember
from bad_inputs import OK, Cases, _i, _lin, _p, _r, _set, _x, check_case

try:
    import torch as _torch
except ImportError:  # the oracle checks are skipped, ember's own expectations still run
    _torch = None

_RC = "FINDING: pybind11's RuntimeError 'Unable to cast Python instance of type ...' leaks out"

case = Cases()


# ---- Linear ------------------------------------------------------------------------------------------
case("linear:negative_out", lambda L: L.nn.Linear(2, -1), ValueError, "Linear", torch=RuntimeError)
case("linear:huge_sizes", lambda L: L.nn.Linear(2 ** 62, 2 ** 62), ValueError, torch=RuntimeError)
case("linear:2**31_squared", lambda L: L.nn.Linear(2 ** 31, 2 ** 31), ValueError, torch=RuntimeError)
case("linear:str_size", lambda L: L.nn.Linear("2", 1), TypeError)
case("linear:int_dtype", lambda L: L.nn.Linear(2, 2, dtype=L.int64), TypeError, "Linear", torch=RuntimeError)
case("linear:bogus_device", lambda L: L.nn.Linear(2, 2, device="bogus"), RuntimeError, "bogus")
case("linear:int64_input", lambda L: _lin(L)(_x(L, 4, 2, dtype=L.int64)), TypeError, "linear", torch=RuntimeError)
case("linear:bool_input", lambda L: _lin(L)(_x(L, 4, 2, dtype=L.bool)), TypeError, "linear", torch=RuntimeError)
case("linear:float64_input", lambda L: _lin(L)(_x(L, 4, 2, dtype=L.float64)), TypeError, "linear",
     torch=RuntimeError)
case("linear:0d_input", lambda L: _lin(L)(L.tensor(1.0)), ValueError, "Linear", torch=RuntimeError)
case("linear:0d_input_in1", lambda L: L.nn.Linear(1, 3)(L.tensor(1.0)), ValueError, "Linear", torch=RuntimeError)
case("linear:wrong_in_features", lambda L: _lin(L)(_x(L, 4, 5)), ValueError, "in_features=2", torch=RuntimeError)
case("linear:in_features_attr_changed", lambda L: _set(_lin(L), "in_features", 5)(_x(L, 1, 2)), ValueError,
     "Linear", torch=OK, note="ember checks against in_features, torch only against the weight")
case("F.linear:weight_3d", lambda L: L.nn.functional.linear(_x(L, 4, 2), _x(L, 1, 3, 2)), ValueError, "linear",
     torch=RuntimeError)
case("F.linear:bias_wrong_size", lambda L: L.nn.functional.linear(_x(L, 4, 2), _x(L, 3, 2), _x(L, 4)), ValueError,
     "linear", torch=RuntimeError)
case("F.linear:bias_float", lambda L: L.nn.functional.linear(_x(L, 4, 2), _x(L, 3, 2), 1.0), TypeError, note=_RC)
case("F.linear:input_list", lambda L: L.nn.functional.linear([[1.0, 2.0]], _x(L, 3, 2)), TypeError)
case("F.linear:mixed_dtypes", lambda L: L.nn.functional.linear(_x(L, 4, 2), _x(L, 3, 2, dtype=L.float64)),
     TypeError, "linear", torch=RuntimeError)

# ---- activations ---------------------------------------------------------------------------------------
case("gelu:approximate_x", lambda L: L.nn.GELU(approximate="x")(_x(L, 2)), ValueError, "approximate",
     torch=RuntimeError, note="ember checks at construction")
case("gelu:approximate_None", lambda L: L.nn.GELU(approximate=None)(_x(L, 2)), TypeError)
case("F.gelu:approximate_x", lambda L: L.nn.functional.gelu(_x(L, 2), approximate="x"), ValueError, "gelu",
     torch=RuntimeError)
case("F.gelu:int_input", lambda L: L.nn.functional.gelu(_x(L, 2, dtype=L.int64)), TypeError, "gelu",
     torch=NotImplementedError)
case("softmax:dim_-3", lambda L: L.nn.Softmax(dim=-3)(_x(L, 2, 3)), IndexError, "softmax")
case("softmax:dim_2**62", lambda L: L.nn.Softmax(dim=2 ** 62)(_x(L, 2, 3)), IndexError, "softmax")
case("softmax:dim_str", lambda L: L.nn.Softmax(dim="a")(_x(L, 2, 3)), TypeError, "Softmax: dim",
     note="at construction")
case("softmax:dim_1_on_0d", lambda L: L.nn.Softmax(dim=1)(L.tensor(2.0)), IndexError, "softmax")
case("softmax:int_input", lambda L: L.nn.Softmax(dim=0)(_x(L, 2, dtype=L.int64)), TypeError, "softmax",
     torch=NotImplementedError)
case("F.softmax:dim_5", lambda L: L.nn.functional.softmax(_x(L, 2, 3), dim=5), IndexError, "softmax")
case("F.softmax:int_dtype", lambda L: L.nn.functional.softmax(_x(L, 2, 3), dim=1, dtype=L.int64), TypeError,
     "softmax", torch=NotImplementedError)
case("F.log_softmax:dim_2**63", lambda L: L.nn.functional.log_softmax(_x(L, 2, 3), dim=2 ** 63),
     (IndexError, ValueError), torch=ValueError, note=_RC)
case("prelu:num_parameters_0", lambda L: L.nn.PReLU(0)(_x(L, 2, 2)), ValueError, "PReLU", torch=RuntimeError,
     note="ember checks at construction")
case("prelu:num_parameters_-1", lambda L: L.nn.PReLU(-1), ValueError, "PReLU", torch=RuntimeError)
case("prelu:1d_len_C", lambda L: L.nn.PReLU(3)(_x(L, 3)), ValueError, "prelu", torch=RuntimeError)
case("prelu:0d_input_3_params", lambda L: L.nn.PReLU(3)(L.tensor(1.0)), ValueError, "prelu", torch=RuntimeError)
case("prelu:int_dtype", lambda L: L.nn.PReLU(dtype=L.int64), TypeError, torch=RuntimeError)
case("F.prelu:2d_weight", lambda L: L.nn.functional.prelu(_x(L, 4, 2), _x(L, 1, 2)), (ValueError, RuntimeError),
     torch=RuntimeError, note="FINDING: accepted; torch: 'Expected `weight` to be a scalar or 1D tensor'")
case("leaky_relu:int_input", lambda L: L.nn.LeakyReLU()(_x(L, 2, dtype=L.int64)), TypeError, "leaky_relu",
     torch=NotImplementedError)
case("elu:int_input", lambda L: L.nn.ELU()(_x(L, 2, dtype=L.int64)), TypeError, "elu", torch=NotImplementedError)
case("silu:int_input", lambda L: L.nn.SiLU()(_x(L, 2, dtype=L.int64)), TypeError, "silu", torch=NotImplementedError)
case("softplus:int_input", lambda L: L.nn.Softplus()(_x(L, 2, dtype=L.int64)), TypeError, "softplus",
     torch=NotImplementedError)
case("F.logsigmoid:int_input", lambda L: L.nn.functional.logsigmoid(_x(L, 2, dtype=L.int64)), TypeError,
     "logsigmoid", torch=NotImplementedError)
case("relu:bool_input", lambda L: L.nn.ReLU()(_x(L, 2, dtype=L.bool)), TypeError, "relu", torch=RuntimeError)
case("relu:inplace_leaf_requires_grad", lambda L: L.nn.ReLU(inplace=True)(L.ones(2, requires_grad=True)),
     RuntimeError, "leaf")
case("F.elu:inplace_leaf_requires_grad", lambda L: L.nn.functional.elu(L.ones(2, requires_grad=True), inplace=True),
     RuntimeError, "leaf")
case("F.leaky_relu:inplace_leaf_requires_grad",
     lambda L: L.nn.functional.leaky_relu(L.ones(2, requires_grad=True), inplace=True), RuntimeError, "leaf")
case("F.relu:list", lambda L: L.nn.functional.relu([1.0]), TypeError,
     note="FINDING: AttributeError \"'list' object has no attribute 'relu'\"; torch TypeError")
case("F.one_hot:float_input", lambda L: L.nn.functional.one_hot(_x(L, 2)), TypeError, "one_hot",
     torch=RuntimeError)
case("F.one_hot:class_too_big", lambda L: L.nn.functional.one_hot(L.tensor([5]), 3), RuntimeError)

# ---- BatchNorm1d / F.batch_norm ------------------------------------------------------------------------
case("batchnorm:4d_input", lambda L: L.nn.BatchNorm1d(2)(_r(L, 3, 2, 2, 2)), ValueError, ("BatchNorm1d", "2D or 3D"))
case("batchnorm:1d_input", lambda L: L.nn.BatchNorm1d(2)(_r(L, 2)), ValueError, "BatchNorm1d")
case("batchnorm:0d_input", lambda L: L.nn.BatchNorm1d(2)(L.tensor(1.0)), ValueError, "BatchNorm1d")
case("batchnorm:wrong_channels", lambda L: L.nn.BatchNorm1d(2)(_r(L, 4, 3)), ValueError, "BatchNorm1d",
     torch=RuntimeError)
case("batchnorm:wrong_channels_3d", lambda L: L.nn.BatchNorm1d(2)(_r(L, 4, 3, 5)), ValueError, "BatchNorm1d",
     torch=RuntimeError)
case("batchnorm:batch_of_1_training", lambda L: L.nn.BatchNorm1d(2)(_r(L, 1, 2)), ValueError,
     "more than 1 value per channel")
case("batchnorm:batch_1_length_1_training", lambda L: L.nn.BatchNorm1d(2)(_r(L, 1, 2, 1)), ValueError,
     "more than 1 value per channel")
case("batchnorm:no_running_stats_batch_1_eval",
     lambda L: L.nn.BatchNorm1d(2, track_running_stats=False).eval()(_r(L, 1, 2)), ValueError,
     "more than 1 value per channel")
case("batchnorm:int_input", lambda L: L.nn.BatchNorm1d(2)(_x(L, 4, 2, dtype=L.int64)), TypeError, "batch_norm",
     torch=NotImplementedError)
case("batchnorm:eps_0", lambda L: L.nn.BatchNorm1d(2, eps=0)(_r(L, 4, 2)), ValueError, "eps",
     note="ember checks at construction, torch in the training forward")
case("batchnorm:eps_-1", lambda L: L.nn.BatchNorm1d(2, eps=-1)(_r(L, 4, 2)), ValueError, "eps", torch=ValueError)
case("batchnorm:eps_nan", lambda L: L.nn.BatchNorm1d(2, eps=float("nan")), ValueError, "eps", torch=OK)
case("batchnorm:eps_set_negative_later", lambda L: _set(L.nn.BatchNorm1d(2), "eps", -1.0)(_r(L, 4, 2)), ValueError,
     "eps", torch=ValueError,
     note="FINDING: ember returns all-NaN output silently; torch: ValueError 'batch_norm eps must be positive'")
case("batchnorm:num_features_0", lambda L: L.nn.BatchNorm1d(0), ValueError, "num_features", torch=OK)
case("batchnorm:num_features_-1", lambda L: L.nn.BatchNorm1d(-1), ValueError, "num_features", torch=RuntimeError)
case("batchnorm:num_features_float", lambda L: L.nn.BatchNorm1d(2.0), TypeError)
case("batchnorm:momentum_str", lambda L: L.nn.BatchNorm1d(2, momentum="a")(_r(L, 4, 2)), TypeError,
     "BatchNorm1d: momentum", note="at construction")
case("batchnorm:int_dtype", lambda L: L.nn.BatchNorm1d(2, dtype=L.int64), TypeError, "BatchNorm1d",
     torch=RuntimeError)
case("F.batch_norm:1d_input", lambda L: L.nn.functional.batch_norm(_r(L, 4), None, None, training=True), ValueError,
     "batch_norm", torch=IndexError)
case("F.batch_norm:running_mean_wrong_size", lambda L: L.nn.functional.batch_norm(_r(L, 4, 2), _x(L, 3), _x(L, 3)),
     ValueError, "batch_norm", torch=RuntimeError)
case("F.batch_norm:eval_without_stats", lambda L: L.nn.functional.batch_norm(_r(L, 4, 2), None, None), ValueError,
     "running_mean", torch=RuntimeError)
case("F.batch_norm:batch_1_training", lambda L: L.nn.functional.batch_norm(_r(L, 1, 2), None, None, training=True),
     ValueError, "more than 1 value per channel")
case("F.batch_norm:eps_-1", lambda L: L.nn.functional.batch_norm(_r(L, 4, 2), _x(L, 2), _x(L, 2), eps=-1.0),
     ValueError, "eps", note="FINDING: ember returns -inf/inf silently; torch: ValueError 'eps must be non-negative'")
case("F.batch_norm:int_running_stats",
     lambda L: L.nn.functional.batch_norm(_r(L, 4, 2), L.zeros(2, dtype=L.int64), L.ones(2, dtype=L.int64),
                                          training=True), (TypeError, RuntimeError), torch=RuntimeError,
     note="FINDING: ember updates the int64 running stats in place, truncating (mean 0.25 -> 0); "
          "torch: RuntimeError 'mixed dtype'")
case("F.batch_norm:weight_list", lambda L: L.nn.functional.batch_norm(_r(L, 4, 2), None, None, [1.0, 1.0],
                                                                      training=True), TypeError, note=_RC)

# ---- LayerNorm / F.layer_norm ----------------------------------------------------------------------------
case("layernorm:empty_shape", lambda L: L.nn.LayerNorm(())(_r(L, 4, 2)), ValueError, "normalized_shape",
     torch=RuntimeError, note="ember checks at construction")
case("layernorm:empty_list_shape", lambda L: L.nn.LayerNorm([]), ValueError, "normalized_shape", torch=OK)
case("layernorm:negative_in_tuple", lambda L: L.nn.LayerNorm((2, -3)), ValueError, "LayerNorm", torch=RuntimeError)
case("layernorm:zero", lambda L: L.nn.LayerNorm(0), ValueError, "LayerNorm", torch=OK)
case("layernorm:float", lambda L: L.nn.LayerNorm(2.0), TypeError)
case("layernorm:str", lambda L: L.nn.LayerNorm("ab"), TypeError)
case("layernorm:None", lambda L: L.nn.LayerNorm(None), TypeError)
case("layernorm:float_in_tuple", lambda L: L.nn.LayerNorm((2.5,)), TypeError)
case("layernorm:huge", lambda L: L.nn.LayerNorm(2 ** 62), ValueError, torch=RuntimeError)
case("layernorm:wrong_trailing_dim", lambda L: L.nn.LayerNorm(3)(_r(L, 4, 2)), ValueError, "LayerNorm",
     torch=RuntimeError)
case("layernorm:wrong_trailing_dims", lambda L: L.nn.LayerNorm((2, 3))(_r(L, 4, 3, 2)), ValueError, "LayerNorm",
     torch=RuntimeError)
case("layernorm:too_few_dims", lambda L: L.nn.LayerNorm((4, 2))(_r(L, 2)), ValueError, "LayerNorm",
     torch=RuntimeError)
case("layernorm:0d_input", lambda L: L.nn.LayerNorm(1)(L.tensor(1.0)), ValueError, "LayerNorm", torch=RuntimeError)
case("layernorm:int_input", lambda L: L.nn.LayerNorm(2)(_x(L, 4, 2, dtype=L.int64)), TypeError, "layer_norm",
     torch=RuntimeError)
case("F.layer_norm:empty_shape", lambda L: L.nn.functional.layer_norm(_r(L, 4, 2), ()), ValueError,
     "normalized_shape", torch=RuntimeError)
case("F.layer_norm:wrong_shape", lambda L: L.nn.functional.layer_norm(_r(L, 4, 2), (3,)), ValueError,
     "layer_norm", torch=RuntimeError)
case("F.layer_norm:weight_wrong_shape", lambda L: L.nn.functional.layer_norm(_r(L, 4, 2), (2,), _x(L, 3)),
     ValueError, "layer_norm", torch=RuntimeError)
case("F.layer_norm:shape_None", lambda L: L.nn.functional.layer_norm(_r(L, 4, 2), None), TypeError)

# ---- Dropout / GaussianNoise -------------------------------------------------------------------------------
case("dropout:p_above_1", lambda L: L.nn.Dropout(1.1), ValueError, "dropout probability")
case("dropout:p_inf", lambda L: L.nn.Dropout(float("inf")), ValueError, "dropout probability")
case("dropout:p_nan", lambda L: L.nn.Dropout(float("nan"))(_x(L, 3)), ValueError, "dropout probability",
     torch=RuntimeError, note="torch accepts NaN at construction, raises RuntimeError in forward")
case("dropout:p_str", lambda L: L.nn.Dropout("a"), TypeError)
case("dropout:p_None", lambda L: L.nn.Dropout(None), TypeError)
case("dropout:bool_input_training", lambda L: L.nn.Dropout(0.5)(_x(L, 3, dtype=L.bool)), TypeError, "dropout",
     torch=RuntimeError)
case("dropout:p_set_to_2_later", lambda L: _set(L.nn.Dropout(0.5), "p", 2.0)(_x(L, 3)), ValueError,
     "dropout probability")
case("F.dropout:p_negative", lambda L: L.nn.functional.dropout(_x(L, 3), p=-1.0), ValueError, "dropout probability")
case("F.dropout:p_2_not_training", lambda L: L.nn.functional.dropout(_x(L, 3), p=2.0, training=False), ValueError,
     "dropout probability")
case("F.dropout:p_nan", lambda L: L.nn.functional.dropout(_x(L, 3), p=float("nan")), ValueError,
     "dropout probability", torch=RuntimeError)
case("F.dropout:inplace_leaf_requires_grad",
     lambda L: L.nn.functional.dropout(L.ones(3, requires_grad=True), 0.5, inplace=True), RuntimeError, "leaf")
case("F.dropout:list_input", lambda L: L.nn.functional.dropout([1.0], 0.5), TypeError)
case("gaussian_noise:std_nan", lambda L: L.nn.GaussianNoise(float("nan")), ValueError, "GaussianNoise", torch=None)
case("gaussian_noise:std_inf", lambda L: L.nn.GaussianNoise(float("inf")), ValueError, "GaussianNoise", torch=None)
case("gaussian_noise:std_set_negative_later", lambda L: _set(L.nn.GaussianNoise(0.5), "std", -1.0)(_x(L, 3)),
     ValueError, "gaussian_noise", torch=None)
case("F.gaussian_noise:std_negative_eval",
     lambda L: L.nn.functional.gaussian_noise(_x(L, 3), std=-1.0, training=False), ValueError, "gaussian_noise",
     torch=None)

# ---- Embedding / F.embedding ---------------------------------------------------------------------------------
case("embedding:bool_indices", lambda L: L.nn.Embedding(5, 2)(L.tensor([True, False])), TypeError, "embedding",
     torch=RuntimeError)
case("embedding:index_equal_num", lambda L: L.nn.Embedding(5, 2)(_i(L, [5])), IndexError, "embedding")
case("embedding:index_negative", lambda L: L.nn.Embedding(5, 2)(_i(L, [-1])), IndexError, "embedding")
case("embedding:index_2**62", lambda L: L.nn.Embedding(5, 2)(_i(L, [2 ** 62])), IndexError, "embedding")
case("embedding:list_indices", lambda L: L.nn.Embedding(5, 2)([1, 2]), TypeError)
case("embedding:num_0", lambda L: L.nn.Embedding(0, 2), ValueError, "Embedding", torch=OK)
case("embedding:dim_negative", lambda L: L.nn.Embedding(5, -1), ValueError, "Embedding", torch=RuntimeError)
case("embedding:padding_idx_-num-1", lambda L: L.nn.Embedding(5, 2, padding_idx=-6), ValueError, "padding_idx",
     torch=AssertionError)
case("embedding:padding_idx_float", lambda L: L.nn.Embedding(5, 2, padding_idx=1.5), TypeError,
     "Embedding: padding_idx", torch=IndexError)
case("embedding:padding_idx_str", lambda L: L.nn.Embedding(5, 2, padding_idx="a"), TypeError, "Embedding: padding_idx")
case("embedding:max_norm_str", lambda L: L.nn.Embedding(5, 2, max_norm="a")(_i(L, [1])), TypeError,
     "Embedding: max_norm", note="at construction")
case("embedding:_weight_wrong_shape", lambda L: L.nn.Embedding(5, 2, _weight=_x(L, 4, 2)), ValueError, "_weight",
     torch=AssertionError)
case("embedding:int_dtype", lambda L: L.nn.Embedding(5, 2, dtype=L.int64), TypeError, "Embedding",
     torch=RuntimeError)
case("embedding:from_pretrained_1d", lambda L: L.nn.Embedding.from_pretrained(_x(L, 5)), ValueError, "2-D",
     torch=AssertionError)
case("embedding:from_pretrained_padding_out_of_range",
     lambda L: L.nn.Embedding.from_pretrained(_x(L, 5, 2), padding_idx=9), ValueError, "padding_idx",
     torch=AssertionError)
case("F.embedding:weight_1d", lambda L: L.nn.functional.embedding(_i(L, [1]), _x(L, 5)), ValueError, "2-D",
     torch=RuntimeError)
case("F.embedding:weight_3d", lambda L: L.nn.functional.embedding(_i(L, [1]), _x(L, 5, 2, 2)), ValueError, "2-D",
     torch=RuntimeError)
case("F.embedding:float_indices", lambda L: L.nn.functional.embedding(L.tensor([1.0]), _x(L, 5, 2)), TypeError,
     "embedding", torch=RuntimeError)
case("F.embedding:index_out_of_range", lambda L: L.nn.functional.embedding(_i(L, [7]), _x(L, 5, 2)), IndexError)
case("F.embedding:negative_index", lambda L: L.nn.functional.embedding(_i(L, [-1]), _x(L, 5, 2)), IndexError)
case("F.embedding:padding_idx_out_of_range",
     lambda L: L.nn.functional.embedding(_i(L, [1]), _x(L, 5, 2), padding_idx=7), ValueError, "padding_idx",
     torch=AssertionError)

# ---- losses ----------------------------------------------------------------------------------------------
_LOSSES = ["L1Loss", "MSELoss", "HuberLoss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss", "NLLLoss",
           "CrossEntropyLoss"]


def _loss_args(L, cls):
    if cls in ("NLLLoss", "CrossEntropyLoss"):
        return _r(L, 3, 2), _i(L, [0, 1, 1])
    return _p(L, 3, 2), _p(L, 3, 2)


for _cls in _LOSSES:
    case(f"{_cls}:reduction_avg", lambda L, c=_cls: getattr(L.nn, c)(reduction="avg")(*_loss_args(L, c)),
         ValueError, "reduction")
    case(f"{_cls}:reduction_set_later", lambda L, c=_cls: _set(getattr(L.nn, c)(), "reduction", "avg")(
        *_loss_args(L, c)), ValueError, "reduction")
    if _cls in ("NLLLoss", "CrossEntropyLoss"):  # the others' one_argument: module_db's rows
        case(f"{_cls}:one_argument", lambda L, c=_cls: getattr(L.nn, c)()(_loss_args(L, c)[0]), TypeError)
for _fn in ["l1_loss", "mse_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy",
            "binary_cross_entropy_with_logits"]:
    case(f"F.{_fn}:reduction_avg", lambda L, f=_fn: getattr(L.nn.functional, f)(_p(L, 3), _p(L, 3), reduction="avg"),
         ValueError, "reduction")
    case(f"F.{_fn}:shape_mismatch", lambda L, f=_fn: getattr(L.nn.functional, f)(_p(L, 3), _p(L, 4)), ValueError,
         torch=ValueError if "binary" in _fn else RuntimeError)
    case(f"F.{_fn}:list_target", lambda L, f=_fn: getattr(L.nn.functional, f)(_p(L, 3), [0.5, 0.5, 0.5]),
         TypeError, torch=AttributeError)
case("F.huber_loss:delta_0", lambda L: L.nn.functional.huber_loss(_p(L, 3), _p(L, 3), delta=0.0), ValueError,
     "delta", torch=RuntimeError)
case("F.smooth_l1_loss:beta_negative", lambda L: L.nn.functional.smooth_l1_loss(_p(L, 3), _p(L, 3), beta=-1.0),
     ValueError, "beta", torch=RuntimeError)
case("HuberLoss:delta_negative", lambda L: L.nn.HuberLoss(delta=-1.0)(_p(L, 3), _p(L, 3)), ValueError, "delta",
     torch=RuntimeError)
case("BCELoss:input_negative", lambda L: L.nn.BCELoss()(L.tensor([-0.5, 0.5]), L.tensor([1.0, 0.0])),
     RuntimeError, "between 0 and 1")
case("BCELoss:input_nan", lambda L: L.nn.BCELoss()(L.tensor([float("nan"), 0.5]), L.tensor([1.0, 0.0])),
     RuntimeError, "between 0 and 1")
case("BCELoss:target_above_1", lambda L: L.nn.BCELoss()(L.tensor([0.3, 0.5]), L.tensor([2.0, 0.0])), RuntimeError,
     "between 0 and 1",
     note="FINDING: accepted, returns 1.37; torch: 'all elements of target should be between 0 and 1'")
case("BCELoss:target_negative", lambda L: L.nn.BCELoss()(L.tensor([0.3, 0.5]), L.tensor([-1.0, 0.0])),
     RuntimeError, "between 0 and 1", note="FINDING: accepted; torch RuntimeError")
case("F.binary_cross_entropy:weight_wrong_size",
     lambda L: L.nn.functional.binary_cross_entropy(_p(L, 3), _p(L, 3), weight=_x(L, 4)), ValueError,
     torch=RuntimeError)
case("BCEWithLogitsLoss:target_shape", lambda L: L.nn.BCEWithLogitsLoss()(_r(L, 4, 3), _p(L, 4, 1)), ValueError,
     "size")
case("F.binary_cross_entropy_with_logits:pos_weight_wrong",
     lambda L: L.nn.functional.binary_cross_entropy_with_logits(_r(L, 4, 3), _p(L, 4, 3), pos_weight=_x(L, 4)),
     ValueError, torch=RuntimeError)
case("F.binary_cross_entropy:weight_grows_shape",
     lambda L: L.nn.functional.binary_cross_entropy(_p(L, 3, 2), _p(L, 3, 2), weight=_x(L, 2, 3, 2), reduction="none"),
     ValueError, ("binary_cross_entropy", "(2, 3, 2)"), torch=RuntimeError,
     note="FINDING: ember returned a (2, 3, 2) loss; torch: the weight must broadcast to the input's shape")
case("F.binary_cross_entropy_with_logits:weight_grows_shape",
     lambda L: L.nn.functional.binary_cross_entropy_with_logits(_r(L, 3, 2), _p(L, 3, 2), weight=_x(L, 2, 3, 2),
                                                                reduction="none"),
     ValueError, ("binary_cross_entropy_with_logits", "(2, 3, 2)"), torch=RuntimeError,
     note="FINDING: ember returned a (2, 3, 2) loss; torch: the weight must broadcast to the input's shape")
case("BCELoss:weight_list", lambda L: L.nn.BCELoss(weight=[1.0])(_p(L, 1), _p(L, 1)), TypeError)
case("NLLLoss:class_negative", lambda L: L.nn.NLLLoss()(_r(L, 3, 4), _i(L, [0, -1, 1])), IndexError,
     "out of bounds")
case("NLLLoss:class_out_of_range_3d", lambda L: L.nn.NLLLoss()(_r(L, 2, 4, 3), _i(L, [[0, 1, 2], [3, 4, 0]])),
     IndexError, "out of bounds")
case("NLLLoss:bool_target", lambda L: L.nn.NLLLoss()(_r(L, 3, 4), L.tensor([True, False, True])), TypeError,
     "nll_loss", torch=RuntimeError)
case("NLLLoss:target_2d", lambda L: L.nn.NLLLoss()(_r(L, 3, 4), _i(L, [[0], [1], [2]])), ValueError, "nll_loss",
     torch=RuntimeError)
case("CrossEntropyLoss:class_negative", lambda L: L.nn.CrossEntropyLoss()(_r(L, 3, 4), _i(L, [0, -2, 1])),
     IndexError, "out of bounds")
case("CrossEntropyLoss:class_2**62", lambda L: L.nn.CrossEntropyLoss()(_r(L, 3, 4), _i(L, [0, 2 ** 62, 1])),
     IndexError, "out of bounds")
case("CrossEntropyLoss:bool_target", lambda L: L.nn.CrossEntropyLoss()(_r(L, 3, 4), L.tensor([True, False, True])),
     TypeError, torch=RuntimeError)
case("CrossEntropyLoss:probability_target_shape", lambda L: L.nn.CrossEntropyLoss()(_r(L, 3, 4), _p(L, 3, 3)),
     TypeError, "cross_entropy", torch=RuntimeError)  # not the input's shape: class indices, so not float
case("CrossEntropyLoss:0d_input", lambda L: L.nn.CrossEntropyLoss()(L.tensor(1.0), _i(L, 0)), ValueError,
     "cross_entropy", torch=RuntimeError)
case("CrossEntropyLoss:label_smoothing_set_later", lambda L: _set(L.nn.CrossEntropyLoss(), "label_smoothing", 2.0)(
    _r(L, 3, 4), _i(L, [0, 1, 2])), ValueError, "label_smoothing", torch=RuntimeError)
case("CrossEntropyLoss:weight_wrong_size", lambda L: L.nn.CrossEntropyLoss(weight=_x(L, 5))(
    _r(L, 3, 4), _i(L, [0, 1, 2])), ValueError, "weight", torch=RuntimeError)
case("MSELoss:size_average_str", lambda L: L.nn.MSELoss(size_average="x")(_p(L, 3), _p(L, 3)), OK, torch=OK,
     note="any truthy value, as torch")

# ---- Perceptron (ember's own) ---------------------------------------------------------------------------
_PX = lambda L: L.tensor([[1., 2.], [2., 1.], [-1., -2.], [-2., -1.]])  # noqa: E731
_PY = lambda L: L.tensor([1., 1., -1., -1.])  # noqa: E731
for _name, _call, _exc, _match in [
    ("label_2", lambda L: L.nn.Perceptron(2).fit(_PX(L), L.tensor([2., 1., -1., -1.])), ValueError, "labels"),
    ("label_nan", lambda L: L.nn.Perceptron(2).fit(_PX(L), L.tensor([float("nan"), 1., -1., -1.])), ValueError,
     "labels"),
    ("labels_2d", lambda L: L.nn.Perceptron(2).fit(_PX(L), _PY(L).reshape(4, 1)), ValueError, "y of shape"),
    ("labels_wrong_length", lambda L: L.nn.Perceptron(2).fit(_PX(L), _PY(L)[:3]), ValueError, "y of shape"),
    ("x_1d", lambda L: L.nn.Perceptron(2).fit(_PX(L)[0], _PY(L)[:1]), ValueError, "x of shape"),
    ("x_wrong_features", lambda L: L.nn.Perceptron(3).fit(_PX(L), _PY(L)), ValueError, "x of shape"),
    ("x_nan", lambda L: L.nn.Perceptron(2).fit(L.tensor([[float("nan"), 1.], [1., 1.]]), L.tensor([1., -1.])),
     ValueError, "non-finite"),
    ("x_inf", lambda L: L.nn.Perceptron(2).fit(L.tensor([[float("inf"), 1.], [1., 1.]]), L.tensor([1., -1.])),
     ValueError, "non-finite"),
    ("lr_0", lambda L: L.nn.Perceptron(2).fit(_PX(L), _PY(L), lr=0), ValueError, "lr"),
    ("lr_negative", lambda L: L.nn.Perceptron(2).fit(_PX(L), _PY(L), lr=-1), ValueError, "lr"),
    ("lr_nan", lambda L: L.nn.Perceptron(2).fit(_PX(L), _PY(L), lr=float("nan")), ValueError, "lr"),
    ("lr_inf", lambda L: L.nn.Perceptron(2).fit(_PX(L), _PY(L), lr=float("inf")), ValueError, "lr"),
    ("max_epochs_0", lambda L: L.nn.Perceptron(2).fit(_PX(L), _PY(L), max_epochs=0), ValueError, "max_epochs"),
    ("max_epochs_negative", lambda L: L.nn.Perceptron(2).fit(_PX(L), _PY(L), max_epochs=-1), ValueError,
     "max_epochs"),
    ("max_epochs_float", lambda L: L.nn.Perceptron(2).fit(_PX(L), _PY(L), max_epochs=1.5), TypeError, None),
    ("x_list", lambda L: L.nn.Perceptron(2).fit([[1., 2.]], [1.]), TypeError, None),
    ("in_features_negative", lambda L: L.nn.Perceptron(-1), ValueError, "in_features"),
    ("int_dtype", lambda L: L.nn.Perceptron(2, dtype=L.int64), TypeError, "Perceptron"),
    ("forward_3d", lambda L: L.nn.Perceptron(2)(L.ones(1, 1, 2, dtype=L.float64)), ValueError, "Perceptron"),
    ("forward_0d", lambda L: L.nn.Perceptron(2)(L.tensor(1.0)), ValueError, "Perceptron"),
    ("bias_replaced_by_vector", lambda L: _set(L.nn.Perceptron(2), "bias", L.nn.Parameter(
        L.ones(5, dtype=L.float64), requires_grad=False)).fit(_PX(L), _PY(L)), ValueError, None),
]:
    case(f"perceptron:{_name}", _call, _exc, _match, torch=None)

# ---- nn.summary ------------------------------------------------------------------------------------------
case("summary:input_shape_mismatch", lambda L: L.nn.summary(L.nn.Linear(2, 3), (4, 5)), ValueError, "Linear",
     torch=None)
case("summary:negative_shape", lambda L: L.nn.summary(L.nn.Linear(2, 3), (-1, 2)), ValueError, "negative",
     torch=None)
case("summary:str_shape", lambda L: L.nn.summary(L.nn.Linear(2, 3), "ab"), TypeError, torch=None)
case("summary:None_shape", lambda L: L.nn.summary(L.nn.Linear(2, 3), None), TypeError, torch=None)
case("summary:int_shape", lambda L: L.nn.summary(L.nn.Linear(2, 3), 2), TypeError, torch=None)
case("summary:float_in_shape", lambda L: L.nn.summary(L.nn.Linear(2, 3), (2.5, 2)), TypeError, torch=None)
case("summary:huge_shape", lambda L: L.nn.summary(L.nn.Linear(2, 3), (2 ** 40, 2)), (RuntimeError, MemoryError),
     torch=None)
case("summary:int_dtype", lambda L: L.nn.summary(L.nn.Linear(2, 3), (4, 2), dtype=L.int64), TypeError, torch=None)
case("summary:not_a_module", lambda L: L.nn.summary(3, (4, 2)), (TypeError, AttributeError), torch=None)
case("summary:module_without_forward", lambda L: L.nn.summary(L.nn.Module(), (4, 2)), NotImplementedError,
     "forward", torch=None)
case("summary:modulelist", lambda L: L.nn.summary(L.nn.ModuleList([L.nn.Linear(2, 2)]), (4, 2)),
     NotImplementedError, "ModuleList", torch=None)
case("summary:method_bad_shape", lambda L: L.nn.Linear(2, 3).summary((4, 5)), ValueError, "Linear", torch=None)

# ---- nn.init ---------------------------------------------------------------------------------------------
case("init:calculate_gain_unknown", lambda L: L.nn.init.calculate_gain("foo"), ValueError, "foo")
case("init:calculate_gain_slope_str", lambda L: L.nn.init.calculate_gain("leaky_relu", "a"), ValueError,
     "negative_slope")
case("init:calculate_gain_int", lambda L: L.nn.init.calculate_gain(3), (TypeError, ValueError), torch=ValueError)
case("init:xavier_1d", lambda L: L.nn.init.xavier_uniform_(L.empty(3)), ValueError, "fewer than 2 dimensions")
case("init:xavier_0d", lambda L: L.nn.init.xavier_normal_(L.tensor(1.0)), ValueError, "fewer than 2 dimensions")
case("init:kaiming_bad_mode", lambda L: L.nn.init.kaiming_uniform_(L.empty(3, 3), mode="x"), ValueError, "mode")
case("init:kaiming_bad_nonlinearity", lambda L: L.nn.init.kaiming_normal_(L.empty(3, 3), nonlinearity="x"),
     ValueError, "nonlinearity")
case("init:kaiming_1d", lambda L: L.nn.init.kaiming_normal_(L.empty(3)), ValueError, "fewer than 2 dimensions")
case("init:uniform_a_above_b", lambda L: L.nn.init.uniform_(L.empty(3), 1.0, 0.0), ValueError, "uniform_",
     torch=RuntimeError)
case("init:normal_std_negative", lambda L: L.nn.init.normal_(L.empty(3), std=-1.0), ValueError, "normal_",
     torch=RuntimeError)
case("init:normal_int_tensor", lambda L: L.nn.init.normal_(L.zeros(3, dtype=L.int64)), TypeError, "normal_",
     torch=NotImplementedError)
case("init:orthogonal_1d", lambda L: L.nn.init.orthogonal_(L.empty(3)), ValueError, "2 or more dimensions")
case("init:constant_list", lambda L: L.nn.init.constant_([1.0], 2.0), (TypeError, AttributeError),
     torch=AttributeError, note=_RC)
case("init:zeros_list", lambda L: L.nn.init.zeros_([1.0]), (TypeError, AttributeError), torch=AttributeError,
     note=_RC)

# ---- nn.utils (ember's own) ----------------------------------------------------------------------------------
for _name, _call, _exc, _match in [
    ("l1_penalty_int", lambda L: L.nn.utils.l1_penalty(3), TypeError, None),
    ("l1_penalty_list_of_int", lambda L: L.nn.utils.l1_penalty([3]), TypeError, "tensors"),
    ("l1_penalty_int_tensor", lambda L: L.nn.utils.l1_penalty([L.ones(3, dtype=L.int64)]), TypeError, "l1_penalty"),
    ("l1_penalty_weight_str", lambda L: L.nn.utils.l1_penalty([L.ones(3)], "a"), TypeError, None),
    ("l2_penalty_int_tensor", lambda L: L.nn.utils.l2_penalty([L.ones(3, dtype=L.int64)]), TypeError, "l2_penalty"),
    ("elastic_net_list_of_str", lambda L: L.nn.utils.elastic_net_penalty(["a"]), TypeError, "tensors"),
    ("activity_penalty_list", lambda L: L.nn.utils.activity_penalty([1.0]), TypeError, "activity_penalty"),
    ("activity_penalty_int_tensor", lambda L: L.nn.utils.activity_penalty(L.ones(3, dtype=L.int64)), TypeError,
     None),
    ("max_norm_negative", lambda L: L.nn.utils.max_norm_([L.ones(3, 3)], -1.0), ValueError, "max_norm"),
    ("max_norm_nan", lambda L: L.nn.utils.max_norm_([L.ones(3, 3)], float("nan")), ValueError, "max_norm"),
    ("max_norm_norm_type_0", lambda L: L.nn.utils.max_norm_([L.ones(3, 3)], 1.0, norm_type=0), ValueError,
     "norm_type"),
    ("max_norm_dim_5", lambda L: L.nn.utils.max_norm_([L.ones(3, 3)], 1.0, dim=5), IndexError, "max_norm_"),
    ("max_norm_dim_-3", lambda L: L.nn.utils.max_norm_([L.ones(3, 3)], 1.0, dim=-3), IndexError, "max_norm_"),
    ("max_norm_int_tensor", lambda L: L.nn.utils.max_norm_([L.ones(3, 3, dtype=L.int64)], 1.0), TypeError,
     "max_norm_"),
]:
    case(f"utils:{_name}", _call, _exc, _match, torch=None)


@pytest.mark.parametrize("c", case.params)
def test_bad_input(c):
    check_case(c, ember, _torch)

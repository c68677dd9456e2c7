"""ember.nn: neural-network building blocks, as torch.nn: the Module tree and its layers
(C++ classes), functional forms, weight initializers, regularization helpers and summary."""

from ember.nn import functional, init, utils  # noqa: F401
from ember.nn.modules import *  # noqa: F401,F403
from ember.nn.modules import __all__ as _modules_all
from ember.nn.summary import Summary, summary  # noqa: F401
from ember.nn import parallel  # noqa: F401,E402
from ember.nn.sync_batchnorm import SyncBatchNorm  # noqa: F401,E402
from ember.nn.containers import ParameterDict, ParameterList  # noqa: F401,E402
from ember.nn._alpha_dropout import AlphaDropout, FeatureAlphaDropout  # noqa: F401,E402
from ember.nn._ctc import CTCLoss  # noqa: F401,E402
from ember.nn._lp_pool import LPPool1d, LPPool2d, LPPool3d  # noqa: F401,E402
from ember.nn.parallel import DataParallel  # noqa: F401,E402
from ember.nn.distance import CosineSimilarity, PairwiseDistance, TripletMarginWithDistanceLoss  # noqa: F401,E402
from ember.nn.transformer import (MultiheadAttention, Transformer, TransformerDecoder,  # noqa: F401,E402
                                  TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer)
from ember.nn._lazy import *  # noqa: F401,F403,E402  (LazyLinear, LazyConv2d, ...)
from ember.nn._lazy import __all__ as _lazy_all  # noqa: E402
import typing

if typing.TYPE_CHECKING:  # the layer classes modules.py registers, for type checkers (ember/_C/_nn_modules.pyi)
    from ember._C._nn_modules import *  # noqa: F401,F403

__all__ = _modules_all + _lazy_all + ["AlphaDropout", "CTCLoss", "CosineSimilarity", "DataParallel",
                          "FeatureAlphaDropout", "LPPool1d", "LPPool2d", "LPPool3d",
                          "MultiheadAttention", "PairwiseDistance", "ParameterDict",
                          "ParameterList", "Summary", "SyncBatchNorm", "Transformer",
                          "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder",
                          "TransformerEncoderLayer", "TripletMarginWithDistanceLoss",
                          "functional", "init", "parallel", "summary", "utils"]

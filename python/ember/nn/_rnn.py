"""The Python side of RNN, LSTM and GRU (C++ classes, ember/nn/rnn.h): forward taking a padded
tensor or a PackedSequence and the initial state as PyTorch's (a tensor, or LSTM's (h_0, c_0)),
the docstrings, and PyTorch's weight-list attributes."""
import warnings

from ember._C import Tensor
from ember._C import _nn_modules as _M
from ember.nn.utils.rnn import PackedSequence


def _states(self, hx):
    """(h0, c0) from forward's hx: None, a tensor (RNN, GRU) or a pair (LSTM)."""
    if hx is None:
        return None, None
    if self.mode == "LSTM":
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(f"LSTM: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
        return hx[0], hx[1]
    if not isinstance(hx, Tensor):
        raise TypeError(f"{type(self).__name__}: hx must be a Tensor, got {type(hx).__name__}")
    return hx, None


def _forward(self, input, hx=None):
    h0, c0 = _states(self, hx)
    if isinstance(input, PackedSequence):
        data, batch_sizes, sorted_indices, unsorted_indices = input
        if sorted_indices is not None:  # the states come in the caller's order
            h0 = None if h0 is None else h0.index_select(1, sorted_indices)
            c0 = None if c0 is None else c0.index_select(1, sorted_indices)
        out, h_n, c_n = self._forward_packed(data, [int(b) for b in batch_sizes.tolist()], h0, c0)
        output = PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices)
        if unsorted_indices is not None:
            h_n = h_n.index_select(1, unsorted_indices)
            c_n = None if c_n is None else c_n.index_select(1, unsorted_indices)
    else:
        output, h_n, c_n = self._forward(input, h0, c0)
    return (output, (h_n, c_n)) if self.mode == "LSTM" else (output, h_n)


def _all_weights(self):
    names = self._flat_weights_names
    per = len(names) // (self.num_layers * (2 if self.bidirectional else 1))
    return [names[i:i + per] for i in range(0, len(names), per)]


def _flat_weights(self):
    return [getattr(self, n) for n in self._flat_weights_names]


def _flatten_parameters(self):
    """Does nothing: ember's layers read their parameters in place (torch's compacts them for
    cuDNN). Kept so torch code that calls it runs unchanged."""


def _init_warning(cls):
    """PyTorch's warning for dropout on a single layer, after the C++ constructor."""
    init = cls.__init__

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        if self.dropout > 0 and self.num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={self.dropout} and "
                          f"num_layers={self.num_layers}", stacklevel=2)

    __init__.__signature__ = init.__signature__
    __init__.__doc__ = init.__doc__
    cls.__init__ = __init__


_LAYER_ARGS = """
    Args:
        input_size (int): features of each step of the input.
        hidden_size (int): features of the hidden state.
        num_layers (int): recurrent layers stacked, each taking the previous one's output.
            Default: 1.{extra}
        bias (bool): whether the layers have bias_ih and bias_hh. Default: True.
        batch_first (bool): input and output are (N, L, *) instead of (L, N, *) (not the
            states). Default: False.
        dropout (float): dropout on the output of each layer but the last, in training.
            Default: 0.0.
        bidirectional (bool): a second direction runs over the reversed sequence; the outputs
            of both are concatenated. Default: False.{proj}

    Inputs: input, {hx_name}
        input: (L, N, H_in), (N, L, H_in) when batch_first, (L, H_in) unbatched, or a
            :class:`ember.nn.utils.rnn.PackedSequence`.
        {hx_doc}

    Outputs: output, {hn_name}
        output: (L, N, D * H_out) (D = 2 when bidirectional), the last layer's h at every
            step; a PackedSequence for a packed input (zeros past each length once padded).
        {hn_doc}

    The layer runs each layer and direction over the whole sequence in C++: one GEMM for the
    input projection of all steps, the recurrence in a loop, and backward through time as one
    autograd node per layer and direction (create_graph=True differentiates the same recurrence
    written with ember ops, so double backward works too).
"""

_RNN_DOC = """Applies a multi-layer Elman RNN, as torch.nn.RNN:
    h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).
""" + _LAYER_ARGS.format(
    extra="\n        nonlinearity (str): 'tanh' or 'relu'. Default: 'tanh'.", proj="", hx_name="h_0",
    hx_doc="h_0: (D * num_layers, N, H_out) initial state (zeros when None).", hn_name="h_n",
    hn_doc="h_n: (D * num_layers, N, H_out), each sequence's state at its last step.") + """
    Example::

        >>> rnn = ember.nn.RNN(10, 20, 2)
        >>> output, h_n = rnn(ember.randn(5, 3, 10), ember.randn(2, 3, 20))
    """

_LSTM_DOC = """Applies a multi-layer long short-term memory RNN, as torch.nn.LSTM: gates
    i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of (x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh);
    c_t = f * c_{t-1} + i * g; h_t = o * tanh(c_t) (times W_hr^T when proj_size > 0).
""" + _LAYER_ARGS.format(
    extra="", proj="\n        proj_size (int): if > 0, h is projected to proj_size features (weight_hr_l{k}). "
    "Default: 0.", hx_name="(h_0, c_0)",
    hx_doc="(h_0, c_0): (D * num_layers, N, H_out) and (D * num_layers, N, hidden_size) (zeros when None).",
    hn_name="(h_n, c_n)", hn_doc="(h_n, c_n): the states at each sequence's last step.") + """
    Example::

        >>> lstm = ember.nn.LSTM(10, 20, num_layers=2, batch_first=True)
        >>> output, (h_n, c_n) = lstm(ember.randn(3, 5, 10))
    """

_GRU_DOC = """Applies a multi-layer gated recurrent unit RNN, as torch.nn.GRU: gates
    r, z = sigmoid(...); n = tanh(x_t W_in^T + b_in + r * (h_{t-1} W_hn^T + b_hn));
    h_t = (1 - z) * n + z * h_{t-1}.
""" + _LAYER_ARGS.format(
    extra="", proj="", hx_name="h_0", hx_doc="h_0: (D * num_layers, N, H_out) initial state (zeros when None).",
    hn_name="h_n", hn_doc="h_n: (D * num_layers, N, H_out), each sequence's state at its last step.") + """
    Example::

        >>> gru = ember.nn.GRU(10, 20, bidirectional=True)
        >>> output, h_n = gru(ember.randn(5, 3, 10))
    """

_CELL_ARGS = """
    Args:
        input_size (int): features of the input.
        hidden_size (int): features of the hidden state.
        bias (bool): whether the cell has bias_ih and bias_hh. Default: True.{extra}

    One call is one fused C++ autograd node (both GEMMs, then one pass for the nonlinearities
    and the state update). Input (N, input_size) or (input_size,); the states alike (zeros when
    None).
"""

_RNN_CELL_DOC = """An Elman RNN cell, as torch.nn.RNNCell: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh).
""" + _CELL_ARGS.format(extra="\n        nonlinearity (str): 'tanh' or 'relu'. Default: 'tanh'.") + """
    Returns:
        h' of hx's shape.

    Example::

        >>> cell = ember.nn.RNNCell(10, 20)
        >>> h = cell(ember.randn(3, 10))
        >>> h = cell(ember.randn(3, 10), h)
    """

_LSTM_CELL_DOC = """A long short-term memory cell, as torch.nn.LSTMCell (gates i, f, g, o).
""" + _CELL_ARGS.format(extra="") + """
    Returns:
        (h', c'), each (N, hidden_size).

    Example::

        >>> cell = ember.nn.LSTMCell(10, 20)
        >>> h, c = cell(ember.randn(3, 10))
        >>> h, c = cell(ember.randn(3, 10), (h, c))
    """

_GRU_CELL_DOC = """A gated recurrent unit cell, as torch.nn.GRUCell (gates r, z, n).
""" + _CELL_ARGS.format(extra="") + """
    Returns:
        h' of hx's shape.

    Example::

        >>> cell = ember.nn.GRUCell(10, 20)
        >>> h = cell(ember.randn(3, 10))
    """

for _cls, _doc in ((_M.RNN, _RNN_DOC), (_M.LSTM, _LSTM_DOC), (_M.GRU, _GRU_DOC)):
    _cls.__doc__ = _doc
    _cls.forward = _forward
    _cls._all_weights = property(_all_weights)
    _cls._flat_weights = property(_flat_weights)
    _cls.flatten_parameters = _flatten_parameters
    _cls.all_weights = property(lambda self: [[getattr(self, n) for n in names] for names in self._all_weights])
    _init_warning(_cls)
_M.RNN.proj_size = property(lambda self: 0)
_M.GRU.proj_size = property(lambda self: 0)
_M.RNNCell.__doc__ = _RNN_CELL_DOC
_M.LSTMCell.__doc__ = _LSTM_CELL_DOC
_M.GRUCell.__doc__ = _GRU_CELL_DOC
_forward.__doc__ = """forward(input, hx=None) -> (output, h_n), or (output, (h_n, c_n)) for LSTM."""

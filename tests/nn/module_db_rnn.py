"""module_db rows of the recurrent cells whose forward returns one tensor (RNNCell, GRUCell). The
other recurrent classes return tuples (LSTMCell's (h, c), the layers' (output, h_n)), which the
generic tests do not take: tests/nn/test_rnn.py and test_rnn_packed.py compare them with torch.
The table and its helpers are module_db.py's, which imports this file at its end."""
from module_db import OK, C, E, ModuleInput, _ones, add
from op_db import contig, noncontig


def _cell_inputs(ctor, dtype, rng, dom):
    """(input) and (input, hx): batched, unbatched, batch 1, empty and non-contiguous."""
    n_in, hidden = ctor.args[0], ctor.args[1]
    return [
        ModuleInput((contig((3, n_in), dtype, rng, dom),), "batched, hx None"),
        ModuleInput((contig((3, n_in), dtype, rng, dom), contig((3, hidden), dtype, rng, dom)), "batched"),
        ModuleInput((contig((n_in,), dtype, rng, dom), contig((hidden,), dtype, rng, dom)), "unbatched"),
        ModuleInput((contig((1, n_in), dtype, rng, dom), contig((1, hidden), dtype, rng, dom)), "batch 1"),
        ModuleInput((contig((0, n_in), dtype, rng, dom),), "empty"),
        ModuleInput((noncontig((3, n_in), dtype, rng, dom), noncontig((3, hidden), dtype, rng, dom)), "noncontig"),
    ]


def _cell_errors(name):
    return [
        E("hidden_0", C(3, 0), None, ValueError, torch=OK, match="hidden_size must be greater than zero",
          note="torch's cells take a hidden_size of 0 (its RNN layers refuse it, with this message)"),
        E("wrong_input_size", C(3, 4), lambda L: (_ones(L, 2, 5),), RuntimeError,
          match="input has inconsistent input_size: got 5 expected 3"),
        E("3d_input", C(3, 4), lambda L: (_ones(L, 1, 2, 3),), ValueError,
          match=f"{name}: Expected input to be 1D or 2D, got 3D instead"),
        E("hx_batch", C(3, 4), lambda L: (_ones(L, 2, 3), _ones(L, 3, 4)), RuntimeError, match="batch size"),
        E("hx_size", C(3, 4), lambda L: (_ones(L, 2, 3), _ones(L, 2, 5)), RuntimeError,
          match="hx has inconsistent hidden_size: got 5, expected 4"),
    ]


add("RNNCell", [C(3, 4), C(3, 4, bias=False), C(3, 4, nonlinearity="relu", id="relu")], _cell_inputs,
    has_params=True, errors=_cell_errors("RNNCell") + [
        E("nonlinearity", C(3, 4, nonlinearity="gelu"), None, ValueError, torch=OK,
          match="Unknown nonlinearity: gelu",
          note="torch's RNNCell takes any word and raises 'Unknown nonlinearity' at the first forward"),
    ])
add("GRUCell", [C(3, 4), C(3, 4, bias=False)], _cell_inputs, has_params=True, errors=_cell_errors("GRUCell"))

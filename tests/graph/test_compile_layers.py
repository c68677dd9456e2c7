"""ember.compile on every layer of the module table (tests/nn/module_db.py): forward and backward of
each constructor sample, captured once and replayed, equal eager bit for bit (outputs, parameter
gradients and state such as BatchNorm's running statistics), in training mode and in eval mode."""
import copy
import warnings

import ember
import numpy as np
import pytest
from module_db import MODULES, materialize

# Layers whose forward reads tensor values on the host: ember.compile runs them eagerly (and says so).
DATA_DEPENDENT = {
    # the cumulative average's factor is 1 / num_batches_tracked, read on the host each step
    "BatchNorm1d-3,momentum=None", "BatchNorm2d-3,momentum=None", "BatchNorm3d-3,momentum=None",
    "SyncBatchNorm-3,momentum=None",  # BatchNorm without a process group
}
# ... and whole layers, where it depends on the input: EmbeddingBag reads the bags' offsets on the
# host to cut its input into bags, as torch's CPU kernel does.
DATA_DEPENDENT_LAYERS = {"EmbeddingBag"}


def _tensors(obj):
    if isinstance(obj, ember.Tensor):
        return [obj]
    if isinstance(obj, (tuple, list)):
        return [t for o in obj for t in _tensors(o)]
    return []


def _step(m):
    def step(*args):
        for p in m.parameters():
            p.grad = None
        y = m(*args)
        wanted = [t for t in _tensors(y) if t.requires_grad]
        if wanted:
            sum(t.float().sum() for t in wanted).backward()
        return y, [p.grad for p in m.parameters()]
    return step


def _same_bits(a, b, what):
    assert type(a) is type(b), what
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b), what
        for i, (x, y) in enumerate(zip(a, b)):
            _same_bits(x, y, f"{what}[{i}]")
    elif isinstance(a, ember.Tensor):
        x, y = a.detach().numpy().reshape(-1), b.detach().numpy().reshape(-1)
        assert x.dtype == y.dtype and x.shape == y.shape, what
        np.testing.assert_array_equal(x.view(np.uint8), y.view(np.uint8), err_msg=what)
    else:
        assert a == b, what


CASES = [pytest.param(r, c, id=f"{r.name}-{c.id}") for r in MODULES for c in r.ctors]


@pytest.mark.parametrize("row,ctor", CASES)
def test_layer_replay_equals_eager(row, ctor):
    ember.manual_seed(0)
    base = row.build(ember, ctor).float()
    samples = row.samples(ctor, "float32")[:2]
    for training in (True, False):
        for s in samples:
            args = materialize(s.args, ember)
            eager, comp = copy.deepcopy(base).train(training), copy.deepcopy(base).train(training)
            f = ember.compile(_step(comp))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                for k in range(3):
                    ember.manual_seed(k)
                    want = _step(eager)(*args)
                    ember.manual_seed(k)
                    got = f(*args)
                    _same_bits(got, want, f"{s.desc}, call {k}, training={training}")
            for (k, a), (_, b) in zip(eager.state_dict().items(), comp.state_dict().items()):
                _same_bits(a, b, f"state {k}")
            (report,) = f.graph_report()
            if row.name in DATA_DEPENDENT_LAYERS:  # replays or not by the sample: equal to eager either way
                continue
            if f"{row.name}-{ctor.id}" in DATA_DEPENDENT:
                assert not (training and report["replayable"])
                continue
            assert report["replayable"], (s.desc, report["why_not"], [str(w.message) for w in caught])

"""EarlyStopping on scripted metric sequences, from a loop and as a callback."""
import math

import ember
import pytest
from ember.train import Callback, EarlyStopping


def stops_at(values, **kw):
    s = EarlyStopping(**kw)
    for i, v in enumerate(values):
        if s.step(v):
            return i, s
    return None, s


@pytest.mark.parametrize("values, kw, expected, best", [
    ([5, 4, 3, 2, 1], {"patience": 0}, None, 1.0),
    ([5, 4, 4, 4], {"patience": 0}, 2, 4.0),              # equal is no improvement
    ([5, 4, 4, 4], {"patience": 1}, 2, 4.0),              # 0 and 1 alike, as Keras'
    ([5, 4, 4, 4], {"patience": 2}, 3, 4.0),
    ([5, 4.95, 4.9, 4.85], {"patience": 2, "min_delta": 0.1}, 2, 5.0),
    ([0.1, 0.5, 0.4, 0.45, 0.44], {"mode": "max", "patience": 2}, 3, 0.5),
    ([3, float("nan"), float("nan"), 2], {"patience": 2}, 2, 3.0),  # NaN is never better
    ([3, 2.5, 2, 1.5], {"patience": 2, "baseline": 1.8}, 1, None),    # never beats the baseline
    ([3, 2, 1.5, 1], {"patience": 5, "baseline": 1.8}, None, 1.0),
])
def test_scripted_sequences(values, kw, expected, best):
    at, s = stops_at(values, **kw)
    assert at == expected
    assert s.best == best
    if expected is not None:
        assert s.stopped_epoch == expected and s.should_stop


def test_accepts_tensors_and_rejects_strings():
    s = EarlyStopping()
    assert s.step(ember.tensor(1.0)) is False and s.best == 1.0
    with pytest.raises(TypeError, match="^EarlyStopping: "):
        s.step("low")


def test_restore_best_weights():
    model = ember.nn.Linear(3, 2)
    s = EarlyStopping(patience=2, restore_best_weights=True)
    snapshots = []
    for v in [1.0, 0.5, 0.7, 0.8]:
        with ember.no_grad():
            model.weight.add_(1.0)
        snapshots.append(model.weight.clone())
        if s.step(v, model):
            break
    assert s.stopped_epoch == 3 and s.best_epoch == 1
    assert ember.equal(model.weight, snapshots[1])  # loaded back, not the last epoch's
    with pytest.raises(ValueError, match="needs the model"):
        EarlyStopping(restore_best_weights=True).step(1.0)


def test_as_a_callback():
    model = ember.nn.Linear(2, 2)
    s = EarlyStopping(monitor="val_acc", mode="max", patience=2, restore_best_weights=True, model=model)
    assert isinstance(s, Callback)
    s.on_train_begin({})
    results = [s.on_epoch_end(e, {"val_acc": v}) for e, v in enumerate([0.5, 0.6, 0.55, 0.58])]
    assert results == [False, False, False, True]
    s.on_train_end({})
    with pytest.raises(KeyError, match="val_acc"):
        s.on_epoch_end(0, {"loss": 1.0})
    s.on_train_begin()  # starts over
    assert s.best is None and not s.should_stop


def test_bad_arguments():
    with pytest.raises(ValueError, match="^EarlyStopping: mode"):
        EarlyStopping(mode="lowest")
    with pytest.raises(ValueError, match="^EarlyStopping: patience"):
        EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="^EarlyStopping: min_delta"):
        EarlyStopping(min_delta=-0.1)
    with pytest.raises(TypeError, match="^EarlyStopping: monitor"):
        EarlyStopping(monitor=3)
    assert math.isnan(float("nan"))

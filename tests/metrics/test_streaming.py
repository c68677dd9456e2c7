"""Streaming metrics: update per batch, compute, reset; compute() equals the functional form on
the concatenated batches, exactly."""
import numpy as np
import pytest

import ember
from ember import metrics as M
from metrics_helpers import assert_same_value, call


def batches(n_batches, size, k, seed):
    rng = np.random.default_rng(seed)
    return [(rng.integers(0, k, size), rng.integers(0, k, size)) for _ in range(n_batches)]


def cat(parts):
    return np.concatenate(parts)


@pytest.mark.parametrize("cls,fn", [(M.Precision, M.precision_score), (M.Recall, M.recall_score),
                                    (M.F1Score, M.f1_score)])
@pytest.mark.parametrize("average", ["binary", "micro", "macro", "weighted", None])
@pytest.mark.parametrize("num_classes", [None, 2, 5])
@pytest.mark.parametrize("zero_division", ["warn", 1.0])
def test_label_count_metrics_equal_functional(cls, fn, average, num_classes, zero_division):
    k = 2 if (average == "binary" or num_classes == 2) else 4  # batch labels within num_classes
    data = batches(4, 7, k, seed=k)
    data.append((np.array([0]), np.array([0])))  # a tiny batch
    metric = cls(num_classes=num_classes, average=average, zero_division=zero_division)
    for t, p in data:
        metric.update(ember.from_numpy(t), p.tolist())
    t, p = cat([d[0] for d in data]), cat([d[1] for d in data])
    kwargs = {} if num_classes is None else {"labels": list(range(num_classes))}
    ours, our_warnings = call(metric.compute)
    theirs, their_warnings = call(fn, t, p, average=average, zero_division=zero_division, **kwargs)
    if isinstance(theirs, Exception):
        assert type(ours) is type(theirs)
    else:
        assert_same_value(ours, theirs.numpy() if isinstance(theirs, ember.Tensor) else theirs, rtol=0, atol=0)
        assert our_warnings == their_warnings
    metric.reset()
    metric.update([1, 0], [1, 1])
    ours, our_warnings = call(metric.compute)
    expected, their_warnings = call(fn, [1, 0], [1, 1], average=average, zero_division=zero_division, **kwargs)
    assert_same_value(ours, expected.numpy() if average is None else expected, rtol=0, atol=0)
    assert our_warnings == their_warnings


def test_labels_appear_in_later_batches():
    metric = M.F1Score(average="macro")
    data = [([0, 0], [0, 0]), ([5, 2], [2, 2]), ([-1, 5], [5, 0])]
    for t, p in data:
        metric.update(t, p)
    t, p = sum((d[0] for d in data), []), sum((d[1] for d in data), [])
    assert metric.compute() == M.f1_score(t, p, average="macro")


def test_accuracy():
    data = batches(3, 9, 4, seed=1)
    acc = M.Accuracy()
    for t, p in data:
        acc.update(t, p)
    assert acc.compute() == M.accuracy_score(cat([d[0] for d in data]), cat([d[1] for d in data]))
    rng = np.random.default_rng(2)
    scores = [rng.random((6, 5)) for _ in range(3)]
    targets = [rng.integers(0, 5, 6) for _ in range(3)]
    for k in (1, 2, 3):
        acc = M.Accuracy(top_k=k)
        for t, s in zip(targets, scores):
            acc.update(ember.from_numpy(t), ember.from_numpy(s))
        expected = M.top_k_accuracy_score(cat(targets), cat(scores), k=k, labels=list(range(5)))
        assert acc.compute() == pytest.approx(expected, rel=1e-15)
    acc.reset()
    assert np.isnan(acc.compute())
    with pytest.raises(ValueError, match="Accuracy.update: top_k=3 needs scores"):
        acc.update([0, 1], [0, 1])


def test_accuracy_of_two_class_scores():
    # a binary classifier's (batch, 2) logits: scikit-learn's top_k_accuracy_score refuses them with
    # binary labels; Accuracy takes the top class (a tie goes to class 1, as that function ranks)
    scores = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])
    targets = np.array([0, 1, 1, 1])
    acc = M.Accuracy()
    acc.update(ember.from_numpy(targets), ember.from_numpy(scores))
    assert acc.compute() == M.accuracy_score(targets, [0, 1, 0, 1]) == 0.75
    two = M.Accuracy(top_k=2)
    two.update(targets, scores)
    assert two.compute() == 1.0


@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
def test_confusion_matrix(normalize):
    data = batches(3, 10, 3, seed=3)
    cm = M.ConfusionMatrix(num_classes=4, normalize=normalize)
    for t, p in data:
        cm.update(t, p)
    expected = M.confusion_matrix(cat([d[0] for d in data]), cat([d[1] for d in data]), labels=[0, 1, 2, 3],
                                  normalize=normalize)
    np.testing.assert_array_equal(cm.compute().numpy(), expected.numpy())
    with pytest.raises(ValueError, match=r"ConfusionMatrix.update: labels must be in \[0, 4\)"):
        cm.update([0, 4], [0, 1])
    cm.reset()
    assert cm.compute().numpy().sum() == 0


def test_auroc_and_mean():
    rng = np.random.default_rng(4)
    ts = [rng.integers(0, 2, 20) for _ in range(3)]
    ss = [rng.random(20).astype(np.float32) for _ in range(3)]
    m = M.AUROC()
    for t, s in zip(ts, ss):
        m.update(t, ember.from_numpy(s))
    assert m.compute() == M.roc_auc_score(cat(ts), cat(ss))
    tm = [rng.integers(0, 3, 20) for _ in range(2)]
    sm = [rng.dirichlet(np.ones(3), 20) for _ in range(2)]
    m = M.AUROC(multi_class="ovr", average="weighted")
    for t, s in zip(tm, sm):
        m.update(t, s)
    assert m.compute() == M.roc_auc_score(cat(tm), cat(sm), multi_class="ovr", average="weighted")
    with pytest.raises(ValueError, match="AUROC.update: y_score has shape"):
        m.update([0], [[0.5, 0.5]])
    mean = M.MeanMetric()
    mean.update(ember.tensor([1.0, 2.0]))
    mean.update(4.0, weight=2.0)
    assert mean.compute() == pytest.approx((1 + 2 + 8) / 4)


@pytest.mark.parametrize("make", [
    lambda: M.Accuracy(top_k=0), lambda: M.Precision(average="samples"), lambda: M.Recall(num_classes=0),
    lambda: M.F1Score(zero_division=0.5), lambda: M.ConfusionMatrix(None), lambda: M.ConfusionMatrix(3, "rows"),
    lambda: M.AUROC(multi_class="ovo"), lambda: M.AUROC(max_fpr=2.0),
])
def test_constructor_checks(make):
    with pytest.raises(ValueError, match=r"^\w+: \w+ must be"):
        make()


def test_repr():
    assert repr(M.F1Score(average="macro")) == "F1Score(num_classes=None, average='macro', pos_label=1, " \
                                               "zero_division='warn')"


def test_scores_give_their_argmax():
    rng = np.random.default_rng(6)
    t, logits = rng.integers(0, 3, 12), rng.standard_normal((12, 3)).astype(np.float32)
    f1, cm = M.F1Score(average="macro"), M.ConfusionMatrix(3)
    f1.update(t, ember.from_numpy(logits))
    cm.update(t, logits)
    assert f1.compute() == M.f1_score(t, logits.argmax(1), average="macro")
    np.testing.assert_array_equal(cm.compute().numpy(), M.confusion_matrix(t, logits.argmax(1), labels=[0, 1, 2]).numpy())


def test_accuracy_thresholds_one_score_per_sample():
    sk = pytest.importorskip("sklearn.metrics")
    """A binary classifier's single score (probability or logit, (n,) or (n, 1)) is thresholded,
    as torchmetrics' BinaryAccuracy; whole-number predictions stay labels."""
    rng = np.random.default_rng(11)
    y = rng.integers(0, 2, 40)
    logits = rng.normal(size=40) + y
    probs = 1 / (1 + np.exp(-logits))
    for scores, expected in ((logits, logits >= 0), (probs, probs >= 0.5), (probs[:, None], probs >= 0.5)):
        acc = M.Accuracy()
        acc.update(ember.tensor(y), ember.tensor(scores))
        assert acc.compute() == sk.accuracy_score(y, expected.astype(int))
    acc = M.Accuracy(threshold=0.8)
    acc.update(y, probs)
    assert acc.compute() == sk.accuracy_score(y, (probs >= 0.8).astype(int))
    acc = M.Accuracy()
    acc.update([0, 1, 2], [0.0, 1.0, 1.0])  # float labels, not scores
    assert acc.compute() == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="Accuracy: threshold must be a float in"):
        M.Accuracy(threshold=1.5)


def test_auroc_takes_model_outputs():
    """(n, 2) outputs rank by their difference (as class 1's probability orders them); (n, C) logits
    go through a softmax; (n, 1) is one score per sample."""
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(12)
    y = rng.integers(0, 2, 50)
    logits = rng.normal(size=(50, 2)) + np.eye(2)[y]
    p1 = np.exp(logits[:, 1]) / np.exp(logits).sum(1)
    m = M.AUROC()
    for part in (slice(0, 20), slice(20, 50)):
        m.update(ember.tensor(y[part]), ember.tensor(logits[part]))
    assert m.compute() == pytest.approx(sk.roc_auc_score(y, p1), rel=1e-12)
    m = M.AUROC()
    m.update(y[:, None], p1[:, None])
    assert m.compute() == pytest.approx(sk.roc_auc_score(y, p1), rel=1e-12)
    y3 = rng.integers(0, 3, 60)
    z = rng.normal(size=(60, 3)) + np.eye(3)[y3]
    soft = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    m = M.AUROC(multi_class="ovr", average="weighted")
    m.update(ember.tensor(y3), ember.tensor(z))
    assert m.compute() == pytest.approx(sk.roc_auc_score(y3, soft, multi_class="ovr", average="weighted"), rel=1e-12)


def test_bfloat16_tensors_and_empty_inputs():
    t, p = ember.tensor([0, 1, 1, 0]), ember.tensor([0, 1, 0, 0])
    assert M.accuracy_score(t.bfloat16(), p.bfloat16()) == 0.75
    assert M.roc_auc_score(t, ember.tensor([0.1, 0.9, 0.4, 0.2]).bfloat16()) == 1.0
    for fn in (M.roc_curve, M.roc_auc_score, M.average_precision_score, M.precision_recall_curve):
        with pytest.raises(ValueError, match=fn.__name__ + r": Found array with 0 sample\(s\)"):
            fn([], [])

"""ember.metrics against scikit-learn, the oracle: random and edge inputs (ties, a class absent,
all-equal scores, weights with zeros), every average and zero_division (with the warnings), inputs
as tensors, arrays and lists, and the same exception types on bad inputs."""
import itertools

import numpy as np
import pytest

import ember
from ember import metrics as M
from metrics_helpers import assert_matches, assert_same_value

sk = pytest.importorskip("sklearn.metrics")

RNG = np.random.default_rng(0)


def labels(n, k, seed):
    return np.random.default_rng(seed).integers(0, k, n)


# ---- label metrics ------------------------------------------------------------------------------

LABEL_CASES = {
    "binary": (labels(60, 2, 1), labels(60, 2, 2)),
    "multiclass": (labels(80, 4, 3), labels(80, 4, 4)),
    "pred_misses_class": (np.array([0, 1, 2, 2, 1, 0]), np.array([0, 0, 2, 2, 0, 0])),
    "true_misses_class": (np.array([0, 0, 2, 2]), np.array([0, 1, 2, 1])),
    "one_label": (np.array([1, 1, 1]), np.array([1, 1, 1])),
    "all_wrong_binary": (np.array([0, 0, 1]), np.array([1, 1, 0])),
    "negative_and_sparse": (np.array([-5, 10**9, 7, -5, 7]), np.array([-5, 7, 7, 10**9, -5])),
    "bool": (np.array([True, False, True, True]), np.array([True, True, False, True])),
    "float_integral": (np.array([1.0, 2.0, 3.0, 2.0]), np.array([1.0, 3.0, 3.0, 2.0])),
}


@pytest.mark.parametrize("case", LABEL_CASES)
@pytest.mark.parametrize("weighted", [False, True])
def test_accuracy_and_confusion(case, weighted):
    t, p = LABEL_CASES[case]
    w = np.random.default_rng(5).random(len(t)) if weighted else None
    for normalize in (True, False):
        assert_matches(M.accuracy_score, sk.accuracy_score, t, p, normalize=normalize, sample_weight=w)
    for normalize in (None, "true", "pred", "all"):
        assert_matches(M.confusion_matrix, sk.confusion_matrix, t, p, sample_weight=w, normalize=normalize)


def test_confusion_matrix_labels_and_integer_weights():
    t, p = LABEL_CASES["multiclass"]
    for lab in ([3, 1], [0, 1, 2, 3, 9], [2, 0, 3, 1]):
        assert_matches(M.confusion_matrix, sk.confusion_matrix, t, p, labels=lab)
    assert_matches(M.confusion_matrix, sk.confusion_matrix, t, p, sample_weight=np.arange(len(t)))
    assert M.confusion_matrix(t, p, sample_weight=np.arange(len(t))).dtype == ember.int64
    assert_matches(M.confusion_matrix, sk.confusion_matrix, t, p, labels=[7, 8])  # none in y_true: ValueError
    assert_matches(M.confusion_matrix, sk.confusion_matrix, t, p, labels=[])


@pytest.mark.parametrize("case", LABEL_CASES)
@pytest.mark.parametrize("average", [None, "binary", "micro", "macro", "weighted"])
@pytest.mark.parametrize("zero_division", ["warn", 0.0, 1.0, np.nan])
def test_precision_recall_f(case, average, zero_division):
    t, p = LABEL_CASES[case]
    for name in ("precision_score", "recall_score", "f1_score"):
        assert_matches(getattr(M, name), getattr(sk, name), t, p, average=average, zero_division=zero_division)
    for beta in (0.0, 0.5, 2.0, np.inf):
        assert_matches(M.fbeta_score, sk.fbeta_score, t, p, beta=beta, average=average, zero_division=zero_division)
    assert_matches(M.precision_recall_fscore_support, sk.precision_recall_fscore_support, t, p, average=average,
                   zero_division=zero_division, sample_weight=np.linspace(0, 2, len(t)))


@pytest.mark.parametrize("kwargs", [
    {"labels": [0, 2]}, {"labels": [2, 0, 1]}, {"labels": [0, 1, 2, 5]}, {"pos_label": 0}, {"pos_label": 2},
    {"pos_label": 3, "average": "macro"}, {"labels": [1], "average": "micro"}, {"labels": [0, 0, 1]},
    {"sample_weight": [0.0] * 6}, {"sample_weight": [1.0, np.nan, 1.0, 1.0, 1.0, 1.0]},
])
def test_prf_labels_and_pos_label(kwargs):
    for t, p in (LABEL_CASES["pred_misses_class"], (np.array([0, 2, 2, 0]), np.array([2, 2, 0, 0]))):
        for average in ("binary", None, "macro", "micro", "weighted"):
            kw = {"average": average, **kwargs}
            assert_matches(M.precision_recall_fscore_support, sk.precision_recall_fscore_support, t, p, **kw)


@pytest.mark.parametrize("case", ["binary", "multiclass", "pred_misses_class", "bool", "float_integral"])
def test_classification_report(case):
    t, p = LABEL_CASES[case]
    for digits in (2, 4):
        assert_matches(M.classification_report, sk.classification_report, t, p, digits=digits, zero_division=0)
    assert_matches(M.classification_report, sk.classification_report, t, p, output_dict=True)
    assert_matches(M.classification_report, sk.classification_report, t, p, labels=[0, 1],
                   target_names=["a", "b"], sample_weight=np.linspace(1, 2, len(t)))


def test_input_kinds_agree():
    t, p = LABEL_CASES["multiclass"]
    expected = sk.f1_score(t, p, average="macro")
    for conv in (lambda a: a, list, ember.from_numpy, lambda a: ember.tensor(a.tolist()), lambda a: a.reshape(-1, 1)):
        assert M.f1_score(conv(t), conv(p), average="macro") == pytest.approx(expected, rel=1e-12)
    s = RNG.random(len(t))
    expected = sk.roc_auc_score(t == 1, s)
    for conv in (lambda a: a, list, ember.from_numpy):
        assert M.roc_auc_score(conv(t == 1), conv(s)) == pytest.approx(expected, rel=1e-12)
    assert M.roc_auc_score(ember.from_numpy(t == 1), ember.from_numpy(s.astype(np.float32))) == pytest.approx(
        sk.roc_auc_score(t == 1, s.astype(np.float32)), rel=1e-12)


# ---- top-k accuracy -------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_top_k_accuracy(k):
    rng = np.random.default_rng(k)
    t = rng.integers(0, 4, 50)
    s = rng.integers(0, 3, (50, 4)).astype(np.float64)  # many ties: the later class ranks higher
    for normalize, w in itertools.product((True, False), (None, rng.random(50))):
        assert_matches(M.top_k_accuracy_score, sk.top_k_accuracy_score, t, s, k=k, normalize=normalize,
                       sample_weight=w)
    assert_matches(M.top_k_accuracy_score, sk.top_k_accuracy_score, t[t < 3], s[t < 3], k=k, labels=[0, 1, 2, 3])
    tb, sb = rng.integers(0, 2, 30), rng.random(30)
    assert_matches(M.top_k_accuracy_score, sk.top_k_accuracy_score, tb, sb, k=k)
    assert_matches(M.top_k_accuracy_score, sk.top_k_accuracy_score, tb, sb * 4 - 2, k=k)


def test_top_k_accuracy_bad_inputs():
    t, s = np.array([0, 1, 2]), RNG.random((3, 3))
    for kwargs in ({"labels": [0, 1]}, {"labels": [2, 1, 0]}, {"labels": [0, 0, 1]}, {"k": 0}):
        assert_matches(M.top_k_accuracy_score, sk.top_k_accuracy_score, t, s, **kwargs)
    assert_matches(M.top_k_accuracy_score, sk.top_k_accuracy_score, t, s[:, :2])
    assert_matches(M.top_k_accuracy_score, sk.top_k_accuracy_score, t, s[:, 0])
    assert_matches(M.top_k_accuracy_score, sk.top_k_accuracy_score, [0.5, 1.5, 2.0], s)


# ---- curves --------------------------------------------------------------------------------------

def score_cases():
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 300)
    return {
        "random": (y, rng.random(300) + 0.3 * y),
        "ties": (y, np.round(rng.random(300) * 10) / 10),
        "all_equal": (y, np.full(300, 0.5)),
        "float32": (y, rng.random(300).astype(np.float32)),
        "integer_scores": (y, rng.integers(0, 5, 300)),
        "perfect": (np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9])),
        "no_positives": (np.zeros(5, dtype=int), rng.random(5)),
        "no_negatives": (np.ones(5, dtype=int), rng.random(5)),
        "pm_one": (np.array([-1, 1, 1, -1, 1]), np.array([0.2, 0.9, 0.4, 0.4, 0.1])),
        "bool": (y.astype(bool), rng.random(300)),
        "single": (np.array([1]), np.array([0.3])),
    }


SCORE_CASES = score_cases()


@pytest.mark.parametrize("case", SCORE_CASES)
@pytest.mark.parametrize("weights", [None, "random", "with_zeros"])
def test_curves(case, weights):
    t, s = SCORE_CASES[case]
    rng = np.random.default_rng(11)
    w = {None: None, "random": rng.random(len(t)), "with_zeros": rng.integers(0, 3, len(t)).astype(float)}[weights]
    for drop in (True, False):
        assert_matches(M.roc_curve, sk.roc_curve, t, s, sample_weight=w, drop_intermediate=drop)
        assert_matches(M.precision_recall_curve, sk.precision_recall_curve, t, s, sample_weight=w,
                       drop_intermediate=drop)
    assert_matches(M.roc_auc_score, sk.roc_auc_score, t, s, sample_weight=w)
    assert_matches(M.roc_curve, sk.roc_curve, t, s, sample_weight=np.zeros(len(t)))
    assert_matches(M.average_precision_score, sk.average_precision_score, t, s, sample_weight=w)
    for max_fpr in (0.3, 1.0):
        assert_matches(M.roc_auc_score, sk.roc_auc_score, t, s, sample_weight=w, max_fpr=max_fpr)


def test_curve_dtypes_and_pos_label():
    t, s = SCORE_CASES["float32"]
    _, _, thresholds = M.precision_recall_curve(t, s)
    assert thresholds.dtype == ember.float32  # y_score's dtype, as scikit-learn's
    assert M.roc_curve(t, s)[2].dtype == ember.float64
    t3 = np.array([1, 2, 3, 2, 1, 3])
    s3 = np.array([0.1, 0.5, 0.9, 0.4, 0.3, 0.7])
    for pos_label in (1, 2, 3):
        assert_matches(M.roc_curve, sk.roc_curve, t3, s3, pos_label=pos_label)
        assert_matches(M.precision_recall_curve, sk.precision_recall_curve, t3, s3, pos_label=pos_label)
    assert_matches(M.roc_curve, sk.roc_curve, t3, s3)  # multiclass without pos_label: ValueError
    assert_matches(M.roc_curve, sk.roc_curve, [1, 2, 2], [0.1, 0.2, 0.3])  # {1, 2} needs pos_label
    assert_matches(M.average_precision_score, sk.average_precision_score, [1, 2, 2], [0.1, 0.2, 0.3], pos_label=2)
    assert_matches(M.average_precision_score, sk.average_precision_score, [1, 2, 2], [0.1, 0.2, 0.3], pos_label=3)


def test_auc():
    rng = np.random.default_rng(3)
    x, y = np.sort(rng.random(20)), rng.random(20)
    assert_matches(M.auc, sk.auc, x, y)
    assert_matches(M.auc, sk.auc, x[::-1], y)
    assert_matches(M.auc, sk.auc, rng.random(20), y)  # neither increasing nor decreasing
    assert_matches(M.auc, sk.auc, [0.5], [1.0])
    assert_matches(M.auc, sk.auc, x, y[:5])


@pytest.mark.parametrize("average", ["macro", "weighted", "micro", None])
@pytest.mark.parametrize("weighted", [False, True])
def test_multiclass_ovr(average, weighted):
    rng = np.random.default_rng(4)
    t = rng.integers(0, 4, 200)
    s = rng.random((200, 4)) + np.eye(4)[t] * 0.5
    s = np.round(s / s.sum(axis=1, keepdims=True), 2)  # ties
    s /= s.sum(axis=1, keepdims=True)
    w = rng.random(200) if weighted else None
    assert_matches(M.roc_auc_score, sk.roc_auc_score, t, s, multi_class="ovr", average=average, sample_weight=w)
    assert_matches(M.average_precision_score, sk.average_precision_score, t, s, average=average, sample_weight=w)
    assert_matches(M.roc_auc_score, sk.roc_auc_score, t, s, multi_class="ovr", average=average,
                   labels=[0, 1, 2, 3])


def test_multiclass_ovr_errors():
    rng = np.random.default_rng(5)
    t = rng.integers(0, 3, 30)
    s = rng.dirichlet(np.ones(3), 30)
    assert_matches(M.roc_auc_score, sk.roc_auc_score, t, s)  # multi_class='raise'
    assert_matches(M.roc_auc_score, sk.roc_auc_score, t, s * 2, multi_class="ovr")  # not probabilities
    assert_matches(M.roc_auc_score, sk.roc_auc_score, t, s[:, :2] / s[:, :2].sum(1, keepdims=True), multi_class="ovr")
    assert_matches(M.roc_auc_score, sk.roc_auc_score, t, s, multi_class="ovr", labels=[0, 1])
    assert_matches(M.roc_auc_score, sk.roc_auc_score, t, s, multi_class="ovr", labels=[2, 1, 0])
    assert_matches(M.roc_auc_score, sk.roc_auc_score, t, s, multi_class="ovr", max_fpr=0.5)
    assert_matches(M.roc_auc_score, sk.roc_auc_score, t, s[:, 0], multi_class="ovr")
    assert_matches(M.average_precision_score, sk.average_precision_score, t, s, pos_label=2)
    with pytest.raises(NotImplementedError, match="roc_auc_score: multi_class='ovo'"):
        M.roc_auc_score(t, s, multi_class="ovo")


# ---- bad inputs: scikit-learn's exception types, messages naming the op and both shapes ------------

def test_length_mismatch_names_both_shapes():
    for fn in (M.accuracy_score, M.f1_score, M.confusion_matrix, M.roc_curve, M.roc_auc_score,
               M.precision_recall_curve, M.average_precision_score):
        with pytest.raises(ValueError, match=rf"^{fn.__name__}: .*\(3,\).*\(4,\)"):
            fn([0, 1, 1], [0, 1, 0, 1] if fn in (M.accuracy_score, M.f1_score, M.confusion_matrix)
               else [0.1, 0.2, 0.3, 0.4])


@pytest.mark.parametrize("fn", ["accuracy_score", "f1_score", "confusion_matrix", "precision_recall_fscore_support",
                                "classification_report"])
def test_bad_targets(fn):
    ours, theirs = getattr(M, fn), getattr(sk, fn)
    assert_matches(ours, theirs, [0.5, 1.5, 2.0], [0, 1, 2])  # continuous
    assert_matches(ours, theirs, [0, 1, 2], [0.5, 1.0, 2.0])
    assert_matches(ours, theirs, [[0, 1], [1, 2]], [[0, 1], [1, 2]])  # multiclass-multioutput
    assert_matches(ours, theirs, [], [])
    assert_matches(ours, theirs, [0, 1, np.nan], [0, 1, 1])
    if fn != "confusion_matrix" and fn != "accuracy_score" and fn != "classification_report":
        assert_matches(ours, theirs, [0, 1, 2], [0, 1, 1], average="samples")
        assert_matches(ours, theirs, [0, 1, 2], [0, 1, 1], average="nonsense")
        assert_matches(ours, theirs, [0, 1, 2], [0, 1, 1], average="binary")
        assert_matches(ours, theirs, [0, 1, 1], [0, 1, 1], zero_division=0.5)
        assert_matches(ours, theirs, [0, 2, 2], [0, 2, 0], pos_label=1)


def test_bad_scores():
    for fn in ("roc_curve", "precision_recall_curve", "roc_auc_score", "average_precision_score"):
        ours, theirs = getattr(M, fn), getattr(sk, fn)
        assert_matches(ours, theirs, [0, 1, 1], [0.1, np.nan, 0.3])
        assert_matches(ours, theirs, [0, 1, 1], [0.1, np.inf, 0.3])
        assert_matches(ours, theirs, [0.5, 1, 0], [0.1, 0.2, 0.3])  # continuous y_true
    assert_matches(M.accuracy_score, sk.accuracy_score, ["a", 1], ["a", "a"])  # NumPy makes 1 the string "1"
    with pytest.raises(TypeError, match="mixes label types"):  # scikit-learn: TypeError from its sort
        M.accuracy_score(np.array(["a", 1], dtype=object), ["a", "a"])
    assert_matches(M.f1_score, sk.f1_score, np.eye(3, dtype=int), np.eye(3, dtype=int), average="macro")


def test_one_class_roc_auc_warns_nan():
    for t in ([0, 0, 0], [1, 1, 1]):
        result = assert_matches(M.roc_auc_score, sk.roc_auc_score, t, [0.1, 0.5, 0.9])
        assert np.isnan(result)
    with pytest.warns(M.UndefinedMetricWarning, match="Only one class"):
        M.roc_auc_score([1, 1], [0.2, 0.3])


def test_large_inputs_match():
    rng = np.random.default_rng(8)
    n = 300_000  # above 2^18: the score sort's buckets are sorted in parallel
    y = rng.integers(0, 2, n)
    s = np.round(rng.random(n) + 0.2 * y, 4)
    w = rng.random(n)
    for weights in (None, w):
        for fn in ("roc_auc_score", "average_precision_score", "roc_curve", "precision_recall_curve"):
            assert_same_value(getattr(M, fn)(y, s, sample_weight=weights), getattr(sk, fn)(y, s, sample_weight=weights),
                              rtol=1e-10)
        assert_same_value(M.roc_auc_score(y, s.astype(np.float32), sample_weight=weights),
                          sk.roc_auc_score(y, s.astype(np.float32), sample_weight=weights), rtol=1e-10)
    pred = rng.integers(0, 50, n)
    assert_same_value(M.confusion_matrix(y * 25 + pred % 25, pred), sk.confusion_matrix(y * 25 + pred % 25, pred))


def test_roc_auc_without_weights_is_exact():
    """Unweighted, the area is summed in counts, which stay exact integers: the result is the
    Mann-Whitney statistic U / (P N) correctly rounded, ties counting one half."""
    from fractions import Fraction

    from scipy.stats import rankdata

    rng = np.random.default_rng(10)
    n = 300_000
    y = rng.integers(0, 2, n)
    s = np.round(rng.random(n) + 0.1 * y, 3)  # many ties
    twice_rank_sum = int((2 * rankdata(s))[y == 1].sum())  # average ranks are half-integers
    P, N = int(y.sum()), int(n - y.sum())
    exact = Fraction(twice_rank_sum - P * (P + 1), 2 * P * N)
    assert M.roc_auc_score(y, s) == float(exact)


@pytest.mark.parametrize("dist", ["geometric", "signed", "zeros", "subnormal", "few_distinct", "float32_wide"])
def test_sort_of_scores_on_skewed_inputs(dist):
    """The curves' radix sort on distributions that skew its buckets or reach deep levels."""
    rng = np.random.default_rng(9)
    n = 50_000
    s = {
        "geometric": 2.0 ** -rng.integers(0, 1000, n) * (1 + rng.random(n) * 1e-12),
        "signed": rng.standard_normal(n) * 10.0 ** rng.integers(-300, 300, n),
        "zeros": rng.choice([0.0, -0.0, 1e-300, -1e-300, 1.0], n),
        "subnormal": rng.integers(1, 1000, n) * 5e-324,
        "few_distinct": rng.integers(0, 7, n) / 7,
        "float32_wide": (rng.standard_normal(n) * 10.0 ** rng.integers(-30, 30, n)).astype(np.float32),
    }[dist]
    y = rng.integers(0, 2, n)
    w = rng.random(n)
    for weights in (None, w):
        assert_same_value(M.roc_curve(y, s, sample_weight=weights, drop_intermediate=False),
                          sk.roc_curve(y, s, sample_weight=weights, drop_intermediate=False), rtol=1e-12)
        assert_same_value(M.average_precision_score(y, s, sample_weight=weights),
                          sk.average_precision_score(y, s, sample_weight=weights), rtol=1e-12)
        assert_same_value(M.roc_auc_score(y, s, sample_weight=weights),
                          sk.roc_auc_score(y, s, sample_weight=weights), rtol=1e-12)


CATS = ["cat", "dog", "bird", "dog", "cat", "cat", "bird", "fish"]
GUESS = ["cat", "cat", "bird", "dog", "dog", "cat", "fish", "fish"]


@pytest.mark.parametrize("fn, kwargs", [
    ("accuracy_score", {}), ("confusion_matrix", {}), ("confusion_matrix", {"labels": ["dog", "cat", "eel"]}),
    ("confusion_matrix", {"normalize": "true"}), ("f1_score", {"average": "macro"}),
    ("precision_score", {"average": None}), ("recall_score", {"average": "weighted"}),
    ("f1_score", {"average": "micro", "labels": ["cat", "dog"]}), ("fbeta_score", {"beta": 2, "average": "macro"}),
    ("precision_recall_fscore_support", {}), ("f1_score", {}),  # binary average on 4 classes: the error
    ("classification_report", {}), ("classification_report", {"output_dict": True}),
    ("classification_report", {"labels": ["dog", "eel"]}),
])
def test_string_labels_match_scikit_learn(fn, kwargs):
    assert_matches(getattr(M, fn), getattr(sk, fn), CATS, GUESS, **kwargs)


def test_binary_string_labels_and_pos_label_match_scikit_learn():
    t, p = ["spam", "ham", "spam", "ham", "ham"], ["spam", "spam", "spam", "ham", "ham"]
    for fn in ("precision_score", "recall_score", "f1_score"):
        assert_matches(getattr(M, fn), getattr(sk, fn), t, p, pos_label="spam")
        assert_matches(getattr(M, fn), getattr(sk, fn), t, p)  # pos_label=1 is not one of the labels
        assert_matches(getattr(M, fn), getattr(sk, fn), ["ham", "ham"], ["ham", "ham"], pos_label="spam",
                       zero_division=0)
    scores = [0.9, 0.2, 0.6, 0.4, 0.1]
    for fn in ("roc_curve", "precision_recall_curve"):
        assert_matches(getattr(M, fn), getattr(sk, fn), t, scores, pos_label="spam")
        assert_matches(getattr(M, fn), getattr(sk, fn), t, scores)  # pos_label must be given
    assert_matches(M.roc_auc_score, sk.roc_auc_score, t, scores)  # the greater label is positive
    assert_matches(M.average_precision_score, sk.average_precision_score, t, scores, pos_label="spam")
    assert_matches(M.average_precision_score, sk.average_precision_score, t, scores)
    probs = np.random.default_rng(0).dirichlet(np.ones(4), len(CATS))
    assert_matches(M.roc_auc_score, sk.roc_auc_score, CATS, probs, multi_class="ovr")
    assert_matches(M.roc_auc_score, sk.roc_auc_score, CATS, probs, multi_class="ovr",
                   labels=["bird", "cat", "dog", "fish"])
    assert_matches(M.average_precision_score, sk.average_precision_score, CATS, probs)
    assert_matches(M.accuracy_score, sk.accuracy_score, ["a", "b"], [0, 1])  # TypeError on both


def test_string_labels_where_they_are_not_taken():
    with pytest.raises(TypeError, match="functional label metrics and curves take string labels"):
        M.top_k_accuracy_score(["a", "b", "c"], np.eye(3))
    with pytest.raises(TypeError, match="string labels"):
        M.Accuracy().update(["a"], ["a"])


def _multilabel(seed, n=40, labels=5):
    rng = np.random.default_rng(seed)
    return (rng.random((n, labels)) < 0.4).astype(int), (rng.random((n, labels)) < 0.4).astype(int), rng.random(n)


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted", "samples"])
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_targets_match_scikit_learn(average, weighted):
    t, p, w = _multilabel(3)
    t[0] = 0  # a sample with no true labels and one with no predicted ones: the zero-division paths
    p[1] = 0
    kw = {"sample_weight": w} if weighted else {}
    for fn in ("precision_score", "recall_score", "f1_score"):
        assert_matches(getattr(M, fn), getattr(sk, fn), t, p, average=average, **kw)
        assert_matches(getattr(M, fn), getattr(sk, fn), t, p, average=average, zero_division=1.0, **kw)
    assert_matches(M.fbeta_score, sk.fbeta_score, t, p, beta=0.5, average=average, labels=[0, 3], **kw)
    scores = np.random.default_rng(4).random(t.shape)
    if average is not None:
        for fn in ("roc_auc_score", "average_precision_score"):
            assert_matches(getattr(M, fn), getattr(sk, fn), t, scores, average=average, **kw)


def test_multilabel_accuracy_report_and_errors_match_scikit_learn():
    t, p, w = _multilabel(5)
    assert_matches(M.accuracy_score, sk.accuracy_score, t, p)  # subset accuracy
    assert_matches(M.accuracy_score, sk.accuracy_score, t, p, sample_weight=w, normalize=False)
    assert_matches(M.classification_report, sk.classification_report, t, p, zero_division=0)
    assert_matches(M.classification_report, sk.classification_report, t, p, output_dict=True, zero_division=0)
    assert_matches(M.confusion_matrix, sk.confusion_matrix, t, p)  # ValueError on both
    assert_matches(M.f1_score, sk.f1_score, t, p)  # average='binary'
    assert_matches(M.f1_score, sk.f1_score, t, p, average="macro", labels=[0, 7])
    assert_matches(M.f1_score, sk.f1_score, t, p[:, 0])  # a mix of target types
    with pytest.raises(ValueError, match="multilabel-indicator"):  # the streaming classes take class labels
        M.F1Score(average="macro").update(t, p)

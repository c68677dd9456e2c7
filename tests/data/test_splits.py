"""train_val_test_split, KFold and StratifiedKFold: scikit-learn is the oracle.

Unshuffled folds must equal scikit-learn's exactly (with its errors and warnings); shuffled ones
come from ember's generator, so they are checked as partitions that repeat under one seed and
differ across seeds. Stratified splits keep each class's proportion within one sample.
"""
import math
import warnings

import ember
import numpy as np
import pytest

sk = pytest.importorskip("sklearn.model_selection")


def _lists(folds):
    return [(train.tolist(), test.tolist()) for train, test in folds]


def _assert_partition_folds(folds, n, n_splits):
    assert len(folds) == n_splits
    tests = []
    for train, test in folds:
        assert train.dtype == ember.int64 and test.dtype == ember.int64
        tr, te = train.tolist(), test.tolist()
        assert tr == sorted(tr) and te == sorted(te)
        assert sorted(tr + te) == list(range(n))
        tests += te
    assert sorted(tests) == list(range(n))  # every index in exactly one test fold


# ---- KFold --------------------------------------------------------------------------------------
def test_kfold_equals_sklearn_for_many_sizes():
    for n in range(2, 41):
        for k in range(2, min(n, 12) + 1):
            X = np.zeros((n, 3))
            assert _lists(ember.data.KFold(k).split(X)) == _lists(sk.KFold(k).split(X)), (n, k)
    assert ember.data.KFold().get_n_splits() == sk.KFold().get_n_splits() == 5


@pytest.mark.parametrize("make_x", [lambda n: n, lambda n: ember.zeros(n, 2), lambda n: np.zeros(n),
                                    lambda n: list(range(n)), lambda n: range(n)],
                         ids=["int", "tensor", "ndarray", "list", "range"])
def test_kfold_takes_sized_things(make_x):
    folds = _lists(ember.data.KFold(3).split(make_x(7)))
    assert folds == _lists(sk.KFold(3).split(np.zeros(7)))


def test_kfold_shuffle_partitions_repeat_and_differ():
    n = 23
    a = list(ember.data.KFold(4, shuffle=True, random_state=0).split(ember.zeros(n)))
    _assert_partition_folds(a, n, 4)
    assert [len(t) for _, t in a] == [6, 6, 6, 5]
    again = ember.data.KFold(4, shuffle=True, random_state=0)
    assert _lists(again.split(range(n))) == _lists(a) == _lists(again.split(range(n)))
    other = _lists(ember.data.KFold(4, shuffle=True, random_state=1).split(range(n)))
    assert other != _lists(a)
    assert _lists(a) != _lists(ember.data.KFold(4).split(range(n)))
    g = ember.Generator().manual_seed(5)
    _assert_partition_folds(list(ember.data.KFold(4, shuffle=True, random_state=g).split(n)), n, 4)


def test_kfold_errors_match_sklearn():
    def both(make, call=None):
        errors = []
        for lib in (ember.data, sk):
            with pytest.raises((ValueError, TypeError)) as info:
                cv = make(lib)
                if call:
                    call(cv)
            errors.append((type(info.value), str(info.value)))
        assert errors[0] == errors[1]

    both(lambda lib: lib.KFold(1))
    both(lambda lib: lib.KFold(2.0))
    both(lambda lib: lib.KFold(3, shuffle=1))
    both(lambda lib: lib.KFold(3, random_state=0))
    both(lambda lib: lib.KFold(5), lambda cv: list(cv.split(np.zeros(4))))
    both(lambda lib: lib.KFold(2), lambda cv: list(cv.split(np.zeros(4), np.zeros(3))))
    for lib in (ember.data, sk):
        with pytest.warns(UserWarning, match="The groups parameter is ignored by KFold"):
            list(lib.KFold(2).split(np.zeros(4), groups=[0, 0, 1, 1]))


# ---- StratifiedKFold ----------------------------------------------------------------------------
def test_stratified_kfold_equals_sklearn_on_imbalanced_labels():
    rng = np.random.default_rng(0)
    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for _ in range(200):
            n = int(rng.integers(6, 80))
            classes = int(rng.integers(2, 6))
            y = rng.choice(classes, size=n, p=rng.dirichlet(np.full(classes, 0.7)))
            k = int(rng.integers(2, 7))
            try:
                expected = _lists(sk.StratifiedKFold(k).split(np.zeros(n), y))
            except ValueError:
                continue
            for labels in (y, ember.tensor(y), y.tolist(), [f"c{v}" for v in y]):
                if isinstance(labels[0], str):  # string labels number classes by first appearance too
                    expected_str = _lists(sk.StratifiedKFold(k).split(np.zeros(n), np.array(labels)))
                    assert _lists(ember.data.StratifiedKFold(k).split(n, labels)) == expected_str
                else:
                    assert _lists(ember.data.StratifiedKFold(k).split(np.zeros(n), labels)) == expected
            checked += 1
    assert checked > 100


def test_stratified_kfold_errors_and_warnings_match_sklearn():
    y = np.array([0] * 10 + [1] * 2)
    for lib in (ember.data, sk):
        with pytest.warns(UserWarning, match=r"The least populated class in y has only 2 members, which is less "
                                             r"than n_splits=3\."):
            folds = list(lib.StratifiedKFold(3).split(np.zeros(12), y))
        assert len(folds) == 3
    messages = []
    for lib in (ember.data, sk):
        with pytest.raises(ValueError) as info:
            list(lib.StratifiedKFold(4).split(np.zeros(6), np.array([0, 0, 0, 1, 1, 1])))
        messages.append(str(info.value))
        with pytest.raises(ValueError, match="Cannot have number of splits n_splits=7 greater than the number of "
                                             "samples: n_samples=6"):
            list(lib.StratifiedKFold(7).split(np.zeros(6), np.array([0, 0, 0, 1, 1, 1])))
        with pytest.raises(ValueError, match="Got 'continuous' instead"):
            list(lib.StratifiedKFold(2).split(np.zeros(4), np.array([0.5, 1.5, 0.5, 1.5])))
        with pytest.warns(UserWarning, match="The groups parameter is ignored by StratifiedKFold"):
            list(lib.StratifiedKFold(2).split(np.zeros(4), [0, 1, 0, 1], groups=[0, 0, 1, 1]))
    assert messages[0] == messages[1] == "n_splits=4 cannot be greater than the number of members in each class."


def test_stratified_kfold_shuffle_keeps_counts_and_repeats():
    rng = np.random.default_rng(1)
    y = rng.choice(3, size=50, p=[0.6, 0.3, 0.1])
    plain = list(ember.data.StratifiedKFold(4).split(y, y))
    a = list(ember.data.StratifiedKFold(4, shuffle=True, random_state=3).split(y, y))
    _assert_partition_folds(a, 50, 4)
    # The same number of each class in each fold as without shuffling.
    counts = [[np.bincount(y[t.tolist()], minlength=3).tolist() for _, t in f] for f in (plain, a)]
    assert counts[0] == counts[1]
    assert _lists(a) == _lists(ember.data.StratifiedKFold(4, shuffle=True, random_state=3).split(y, y))
    assert _lists(a) != _lists(ember.data.StratifiedKFold(4, shuffle=True, random_state=4).split(y, y))
    assert _lists(a) != _lists(plain)


def test_repr_and_signature():
    assert repr(ember.data.KFold(3)) == repr(sk.KFold(3))
    assert repr(ember.data.StratifiedKFold(4, shuffle=True, random_state=2)) == \
        repr(sk.StratifiedKFold(4, shuffle=True, random_state=2))


# ---- train_val_test_split ------------------------------------------------------------------------
def _torch_lengths(n, fractions):
    lengths = [math.floor(n * f) for f in fractions]
    for i in range(n - sum(lengths)):
        lengths[i % len(lengths)] += 1
    return lengths


@pytest.mark.parametrize("fractions", [(0.6, 0.2, 0.2), (0.8, 0.1, 0.1), (0.5, 0.5, 0.0), (1 / 3, 1 / 3, 1 / 3)])
def test_split_sizes_follow_random_split_and_partition(fractions, torch):
    for n in (0, 1, 7, 10, 101):
        g = ember.Generator().manual_seed(n)
        parts = ember.data.train_val_test_split(n, fractions, generator=g)
        assert [len(p) for p in parts] == _torch_lengths(n, fractions)
        if n > 0:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # torch's warning for an empty part
                assert [len(p) for p in torch.utils.data.random_split(range(n), fractions)] == \
                    _torch_lengths(n, fractions)
        assert all(p.dtype == ember.int64 for p in parts)
        assert sorted(ember.cat(list(parts)).tolist()) == list(range(n))


def test_split_repeats_under_a_seed_and_differs_across_seeds():
    def run(seed, **kw):
        return [p.tolist() for p in ember.data.train_val_test_split(
            50, generator=ember.Generator().manual_seed(seed), **kw)]
    y = [i % 3 for i in range(50)]
    assert run(0) == run(0) and run(0) != run(1)
    assert run(0, stratify=y) == run(0, stratify=y) and run(0, stratify=y) != run(1, stratify=y)
    ember.manual_seed(7)
    a = [p.tolist() for p in ember.data.train_val_test_split(20)]
    ember.manual_seed(7)
    assert a == [p.tolist() for p in ember.data.train_val_test_split(20)]


def test_stratified_split_keeps_each_class_proportion():
    rng = np.random.default_rng(2)
    for trial in range(60):
        n = int(rng.integers(3, 300))
        classes = int(rng.integers(1, 7))
        y = rng.choice(classes, size=n, p=rng.dirichlet(np.ones(classes)))
        fractions = tuple(rng.dirichlet(np.ones(3)))
        labels = [ember.tensor(y), y, y.tolist()][trial % 3]
        parts = ember.data.train_val_test_split(n, fractions, stratify=labels,
                                                generator=ember.Generator().manual_seed(trial))
        lists = [p.tolist() for p in parts]
        assert sorted(i for part in lists for i in part) == list(range(n))
        for c in np.unique(y):
            n_c = int((y == c).sum())
            for f, part in zip(fractions, lists):
                got = int((y[part] == c).sum())
                assert math.floor(n_c * f) <= got <= math.floor(n_c * f) + 1, (trial, c, f, got, n_c)
        assert [len(p) for p in lists] == _torch_lengths(n, fractions), trial


def test_stratified_split_against_sklearn_proportions():
    # scikit-learn's two-step train_test_split(stratify=) keeps the same proportions (to a sample).
    y = np.array([0] * 60 + [1] * 30 + [2] * 10)
    train, val, test = ember.data.train_val_test_split(100, (0.6, 0.2, 0.2), stratify=y,
                                                       generator=ember.Generator().manual_seed(0))
    rest_train, rest = sk.train_test_split(np.arange(100), test_size=0.4, stratify=y, random_state=0)
    sk_val, sk_test = sk.train_test_split(rest, test_size=0.5, stratify=y[rest], random_state=0)
    for ours, theirs in ((train, rest_train), (val, sk_val), (test, sk_test)):
        assert np.bincount(y[ours.tolist()], minlength=3).tolist() == np.bincount(y[theirs], minlength=3).tolist()


def test_split_of_a_dataset_gives_subsets():
    data = [f"s{i}" for i in range(10)]
    train, val, test = ember.data.train_val_test_split(data, generator=ember.Generator().manual_seed(0))
    assert (len(train), len(val), len(test)) == (6, 2, 2)
    assert sorted(list(train) + list(val) + list(test)) == sorted(data)
    assert type(train).__name__ == "Subset" and train.dataset is data
    ds = ember.data.Subset(ember.arange(10) * 10, [3, 1])
    parts = ember.data.train_val_test_split(ds, (0.5, 0.5, 0.0), generator=ember.Generator().manual_seed(1))
    assert sorted([int(parts[0][0]), int(parts[1][0])]) == [10, 30]


def test_split_bad_inputs():
    with pytest.raises(ValueError, match=r"^train_val_test_split: fractions=\(0.5, 0.2, 0.2\) must sum to 1"):
        ember.data.train_val_test_split(10, (0.5, 0.2, 0.2))
    with pytest.raises(ValueError, match=r"fraction at index 0 of fractions=\(1.2, -0.2, 0.0\) is not between"):
        ember.data.train_val_test_split(10, (1.2, -0.2, 0.0))
    with pytest.raises(ValueError, match="expected three fractions"):
        ember.data.train_val_test_split(10, (0.5, 0.5))
    with pytest.raises(ValueError, match="stratify has 3 labels for 10 samples"):
        ember.data.train_val_test_split(10, stratify=[0, 1, 0])
    with pytest.raises(ValueError, match="non-negative"):
        ember.data.train_val_test_split(-1)
    with pytest.raises(TypeError):
        ember.data.train_val_test_split(object())

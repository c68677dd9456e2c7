"""ember.train.random_search: reproducible under a seed, prunes by the median rule, the refinement
stage narrows the ranges around the best trials and finds a cheap objective's optimum, and bad
spaces or arguments raise clear errors."""
import math
import random

import pytest
from ember.train import Choice, IntUniform, LogUniform, TrialPruned, Uniform, random_search

SPACE = {"lr": LogUniform(1e-5, 1.0), "width": IntUniform(4, 128), "drop": Uniform(0.0, 0.5),
         "act": Choice(["relu", "tanh", "gelu"])}


def bowl(trial):
    """Minimum 0 at lr=1e-2, width=64, drop=0.1, act='gelu'."""
    return ((math.log10(trial["lr"]) + 2) ** 2 + ((trial["width"] - 64) / 64) ** 2 + 4 * (trial["drop"] - 0.1) ** 2
            + (trial["act"] != "gelu"))


def test_same_seed_same_trials_and_different_seed_differs():
    a = random_search(bowl, SPACE, 15, seed=3, refine_trials=10)
    b = random_search(bowl, SPACE, 15, seed=3, refine_trials=10)
    c = random_search(bowl, SPACE, 15, seed=4, refine_trials=10)
    assert [(r.number, r.params, r.score) for r in a] == [(r.number, r.params, r.score) for r in b]
    assert [r.params for r in a] != [r.params for r in c]


def test_samples_stay_in_their_ranges_and_types():
    rng = random.Random(0)
    for _ in range(200):
        assert 1e-5 <= SPACE["lr"].sample(rng) <= 1.0
        w = SPACE["width"].sample(rng)
        assert isinstance(w, int) and 4 <= w <= 128
        assert SPACE["act"].sample(rng) in ("relu", "tanh", "gelu")
    # log-uniform: about as many draws per decade
    draws = [LogUniform(1e-4, 1.0).sample(rng) for _ in range(4000)]
    per_decade = [sum(10.0 ** -(k + 1) <= d < 10.0 ** -k for d in draws) for k in range(4)]
    assert min(per_decade) > 850, per_decade


def test_results_sorted_best_first_in_both_modes():
    r = random_search(bowl, SPACE, 12, seed=0)
    scores = [t.score for t in r]
    assert scores == sorted(scores) and r.best is r.trials[0] and r.best_params == r.trials[0].params
    m = random_search(lambda t: -bowl(t), SPACE, 12, seed=0, mode="max")
    assert [t.score for t in m] == sorted((t.score for t in m), reverse=True)
    assert m.best.params == r.best.params


def test_refinement_narrows_and_finds_the_optimum():
    r = random_search(bowl, SPACE, 30, seed=0, refine_trials=40, refine_top=3)
    coarse, fine = r.spaces
    for name in ("lr", "width", "drop"):
        assert coarse[name].low <= fine[name].low < fine[name].high <= coarse[name].high
        assert fine[name].high - fine[name].low < coarse[name].high - coarse[name].low
    assert math.log(fine["lr"].high / fine["lr"].low) < math.log(coarse["lr"].high / coarse["lr"].low)
    best_coarse = min(t.score for t in r if t.stage == 0)
    best_fine = min(t.score for t in r if t.stage == 1)
    assert best_fine <= best_coarse
    assert r.best.score < 0.25, r
    assert abs(math.log10(r.best_params["lr"]) + 2) < 0.4 and r.best_params["act"] == "gelu"
    # the fine stage draws only inside the narrowed space
    for t in r:
        if t.stage == 1:
            assert fine["lr"].low <= t.params["lr"] <= fine["lr"].high
            assert t.params["act"] in fine["act"].options


def test_refinement_beats_plain_random_search_at_the_same_budget():
    refined = [random_search(bowl, SPACE, 30, seed=s, refine_trials=40).best.score for s in range(20)]
    plain = [random_search(bowl, SPACE, 70, seed=s).best.score for s in range(20)]
    assert sum(refined) < 0.6 * sum(plain), (refined, plain)


def test_median_pruning_stops_bad_trials_early():
    calls = []

    def objective(trial):
        bad = trial["x"] > 0.5
        for epoch in range(10):
            calls.append(trial.number)
            trial.report((10.0 if bad else 1.0) / (epoch + 1))
        return trial.values[-1]

    r = random_search(objective, {"x": Uniform(0.0, 1.0)}, 40, seed=0, n_startup_trials=3)
    pruned = [t for t in r if t.state == "pruned"]
    complete = [t for t in r if t.state == "complete"]
    assert pruned and all(t.params["x"] > 0.5 for t in pruned)
    assert all(len(t.values) == 2 for t in pruned)  # step 0 is the warm-up, pruned at step 1
    assert all(math.isnan(t.score) for t in pruned) and r.trials[-len(pruned):] == pruned
    assert len(calls) < 40 * 10
    # without pruning every trial runs all epochs
    assert all(t.state == "complete" for t in random_search(objective, {"x": Uniform(0.0, 1.0)}, 10, seed=0,
                                                            prune=False))
    assert complete


def test_objective_returning_none_scores_the_last_report_and_errors_propagate():
    def last(trial):
        trial.report(3.0)
        trial.report(trial["x"])

    r = random_search(last, {"x": Uniform(0.0, 1.0)}, 3, seed=0)
    assert all(t.score == t.params["x"] for t in r)

    def boom(trial):
        raise RuntimeError("diverged")

    with pytest.raises(RuntimeError, match="diverged"):
        random_search(boom, {"x": Uniform(0.0, 1.0)}, 2, seed=0)
    with pytest.raises(ValueError, match="returned None and reported nothing"):
        random_search(lambda t: None, {"x": Uniform(0.0, 1.0)}, 1, seed=0)


def test_report_out_of_order_and_trial_pruned_is_caught():
    def skip(trial):
        trial.report(1.0, step=1)

    with pytest.raises(ValueError, match="Trial.report: steps are reported in order"):
        random_search(skip, {"x": Uniform(0.0, 1.0)}, 1, seed=0)

    def self_pruning(trial):
        raise TrialPruned()

    r = random_search(self_pruning, {"x": Uniform(0.0, 1.0)}, 2, seed=0)
    assert r.best is None and all(t.state == "pruned" for t in r)
    with pytest.raises(ValueError, match="no trial of the coarse stage completed"):
        random_search(self_pruning, {"x": Uniform(0.0, 1.0)}, 2, seed=0, refine_trials=2)


def test_table_and_csv(tmp_path):
    r = random_search(bowl, SPACE, 5, seed=0)
    text = str(r)
    lines = text.splitlines()
    assert lines[0].split() == ["rank", "trial", "stage", "state", "score", "steps", "seconds", "lr", "width",
                                "drop", "act"]
    assert len(lines) == 6
    path = tmp_path / "search.csv"
    r.to_csv(path)
    rows = path.read_text().splitlines()
    assert len(rows) == 6 and rows[1].split(",")[1] == str(r.best.number)
    assert float(rows[1].split(",")[4]) == r.best.score


@pytest.mark.parametrize("make, error, message", [
    (lambda: LogUniform(0.0, 1.0), ValueError, "LogUniform: low must be > 0"),
    (lambda: LogUniform(-1.0, 1.0), ValueError, "LogUniform: low must be > 0"),
    (lambda: Uniform(1.0, 1.0), ValueError, "Uniform: low must be < high"),
    (lambda: Uniform(2.0, 1.0), ValueError, "Uniform: low must be < high"),
    (lambda: Uniform(0.0, math.inf), TypeError, "Uniform: high must be a finite number"),
    (lambda: Uniform("0", 1.0), TypeError, "Uniform: low must be a finite number"),
    (lambda: IntUniform(1.5, 4), TypeError, "IntUniform: low must be an int"),
    (lambda: IntUniform(4, 4), ValueError, "IntUniform: low must be < high"),
    (lambda: Choice([]), ValueError, "Choice: options is empty"),
    (lambda: Choice("abc"), TypeError, "Choice: options must be a list"),
])
def test_bad_distributions(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"space": [1, 2]}, TypeError, "space must be a dict"),
    ({"space": {}}, ValueError, "space is empty"),
    ({"space": {"lr": [0.1, 0.01]}}, TypeError, r"space\['lr'\] must be Uniform.*wrap a list of options in Choice"),
    ({"space": {"lr": (1e-4, 1e-1)}}, TypeError, r"space\['lr'\] must be Uniform"),
    ({"n_trials": 0}, ValueError, "n_trials must be an int >= 1"),
    ({"n_trials": 2.0}, ValueError, "n_trials must be an int >= 1"),
    ({"refine_trials": -1}, ValueError, "refine_trials must be an int >= 0"),
    ({"refine_top": 0}, ValueError, "refine_top must be an int >= 1"),
    ({"mode": "minimize"}, ValueError, "mode must be 'min' or 'max'"),
    ({"margin": -0.1}, ValueError, "margin must be a number >= 0"),
    ({"objective": 3}, TypeError, "objective must be callable"),
])
def test_bad_search_arguments(kwargs, error, message):
    args = {"objective": bowl, "space": SPACE, "n_trials": 3, **kwargs}
    with pytest.raises(error, match="random_search: " + message):
        random_search(**args)

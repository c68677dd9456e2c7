"""Random hyperparameter search: sampled ranges, a coarse-then-fine second stage around the best
trials, and pruning of clearly bad trials from the values they report per epoch (median rule).

Sampling uses Python's ``random.Random(seed)``, not ember's generator, so a search repeats under
its seed whatever the objective does with ember's random state.
"""
import csv
import math
import random
import statistics
import time
from dataclasses import dataclass, field

__all__ = ["Choice", "IntUniform", "LogUniform", "SearchResult", "Trial", "TrialPruned", "TrialRecord", "Uniform",
           "random_search"]


def _number(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{owner}: {name} must be a finite number, got {value!r}")
    return value


class _Range:
    """A numeric range [low, high]; subclasses say how values are drawn and how the range narrows."""

    def __init__(self, low, high):
        name = type(self).__name__
        low, high = _number(name, "low", low), _number(name, "high", high)
        if not low < high:
            raise ValueError(f"{name}: low must be < high, got low={low!r}, high={high!r}")
        self.low, self.high = low, high

    def _to(self, v):  # the coordinate in which the range is uniform
        return v

    def _from(self, u):
        return u

    def sample(self, rng):
        """One value drawn with ``rng`` (a ``random.Random``)."""
        return self._from(rng.uniform(self._to(self.low), self._to(self.high)))

    def narrow(self, values, margin=0.25):
        """The range spanned by ``values`` widened by ``margin`` of the original width on each side
        (in the range's own coordinate: log for LogUniform), clipped to this range."""
        lo, hi = self._to(self.low), self._to(self.high)
        vlo, vhi = min(self._to(v) for v in values), max(self._to(v) for v in values)
        pad = margin * (hi - lo) / 2
        new_lo, new_hi = self._from(max(lo, vlo - pad)), self._from(min(hi, vhi + pad))
        return type(self)(new_lo, new_hi) if new_lo < new_hi else self

    def __eq__(self, other):
        return type(self) is type(other) and (self.low, self.high) == (other.low, other.high)

    def __repr__(self):
        return f"{type(self).__name__}({self.low!r}, {self.high!r})"


class Uniform(_Range):
    """Floats drawn uniformly from [low, high].

    Args:
        low (float): the lower bound.
        high (float): the upper bound, > low.

    Example::

        >>> import random
        >>> d = Uniform(0.0, 0.5)
        >>> 0.0 <= d.sample(random.Random(0)) <= 0.5
        True
        >>> d.narrow([0.2, 0.3])
        Uniform(0.1375, 0.3625)
    """


class LogUniform(_Range):
    """Floats whose logarithm is uniform on [log(low), log(high)] (learning rates, weight decays).

    Args:
        low (float): the lower bound, > 0.
        high (float): the upper bound, > low.

    Example::

        >>> import random
        >>> d = LogUniform(1e-4, 1e-1)
        >>> 1e-4 <= d.sample(random.Random(0)) <= 1e-1
        True
    """

    def __init__(self, low, high):
        if isinstance(low, (int, float)) and not isinstance(low, bool) and low <= 0:
            raise ValueError(f"LogUniform: low must be > 0, got {low!r}")
        super().__init__(low, high)

    def _to(self, v):
        return math.log(v)

    def _from(self, u):
        return math.exp(u)


class IntUniform(_Range):
    """Integers drawn uniformly from low to high, both included (layer widths, batch sizes).

    Args:
        low (int): the smallest value.
        high (int): the largest value, > low.

    Example::

        >>> import random
        >>> IntUniform(16, 64).sample(random.Random(0)) in range(16, 65)
        True
        >>> IntUniform(0, 100).narrow([40, 50])
        IntUniform(27, 63)
    """

    def __init__(self, low, high):
        for name, v in (("low", low), ("high", high)):
            if isinstance(v, bool) or not isinstance(v, int):
                raise TypeError(f"IntUniform: {name} must be an int, got {v!r}")
        super().__init__(low, high)

    def sample(self, rng):
        """One integer drawn with ``rng`` (a ``random.Random``)."""
        return rng.randint(self.low, self.high)

    def narrow(self, values, margin=0.25):
        """As Uniform's, rounded outwards to integers (at least two of them where possible)."""
        pad = margin * (self.high - self.low) / 2
        lo = max(self.low, math.floor(min(values) - pad))
        hi = min(self.high, math.ceil(max(values) + pad))
        if lo == hi:
            lo, hi = (lo - 1, hi) if lo > self.low else (lo, hi + 1)
        return IntUniform(lo, hi)


class Choice:
    """One of a list of options, each equally likely (activations, optimizers, on/off switches).

    Args:
        options (sequence): the options (at least one; any values).

    Example::

        >>> import random
        >>> Choice(["relu", "gelu"]).sample(random.Random(0)) in ("relu", "gelu")
        True
        >>> Choice(["relu", "gelu", "tanh"]).narrow(["gelu"])
        Choice(['gelu'])
    """

    def __init__(self, options):
        if isinstance(options, (str, bytes)) or not hasattr(options, "__len__"):
            raise TypeError(f"Choice: options must be a list of values, got {options!r}")
        if len(options) == 0:
            raise ValueError("Choice: options is empty")
        self.options = list(options)

    def sample(self, rng):
        """One option drawn with ``rng`` (a ``random.Random``)."""
        return self.options[rng.randrange(len(self.options))]

    def narrow(self, values, margin=0.25):
        """The options among ``values``, in their original order (``margin`` is unused)."""
        return Choice([o for o in self.options if any(o == v for v in values)])

    def __eq__(self, other):
        return type(other) is Choice and self.options == other.options

    def __repr__(self):
        return f"Choice({self.options!r})"


_DISTRIBUTIONS = (Uniform, LogUniform, IntUniform, Choice)


class TrialPruned(Exception):
    """Raised by ``Trial.report`` when the trial is clearly worse than the others at that step;
    ``random_search`` catches it and records the trial as pruned.

    Args:
        *args: the message, as any exception's.

    Example::

        >>> isinstance(TrialPruned(), Exception)
        True
    """


class Trial:
    """One set of hyperparameters under evaluation: what ``random_search`` passes to the objective.

    Index it like a dict (``trial["lr"]``) or read ``trial.params``. Call ``report(value, step)``
    once per epoch to let the search prune the trial (it raises ``TrialPruned``, which the
    search catches; let it propagate).

    Args:
        number (int): the trial's index in the search.
        stage (int): 0 for the coarse stage, 1 for the refinement.
        params (dict): the sampled hyperparameters.
        pruner (callable, optional): ``pruner(step, value) -> bool``, True to prune. Default: None.

    Attributes:
        number (int): the trial's index in the search (from 0).
        stage (int): 0 for the coarse stage, 1 for the refinement.
        params (dict): the sampled hyperparameters.
        values (list of float): the values reported so far, one per step.

    Example::

        >>> t = Trial(0, 0, {"lr": 0.1})
        >>> t["lr"], t.report(0.5), t.values
        (0.1, None, [0.5])
    """

    def __init__(self, number, stage, params, pruner=None):
        self.number, self.stage, self.params, self.values = number, stage, params, []
        self._pruner = pruner

    def __getitem__(self, name):
        return self.params[name]

    def report(self, value, step=None):
        """Records the value after a step (an epoch) and prunes the trial if it is clearly bad.

        Args:
            value (float): the step's score, in the search's direction (its ``mode``).
            step (int, optional): the step's index; must be the next one. Default: the next one.

        Raises:
            TrialPruned: the value is worse than the median of the finished trials at this step.
            ValueError: a step other than the next one.
        """
        if step is not None and step != len(self.values):
            raise ValueError(f"Trial.report: steps are reported in order; expected step {len(self.values)}, "
                             f"got {step}")
        self.values.append(float(value))
        if self._pruner is not None and self._pruner(len(self.values) - 1, float(value)):
            raise TrialPruned(f"trial {self.number} pruned at step {len(self.values) - 1} (value {value:.6g})")

    def __repr__(self):
        return f"Trial(number={self.number}, stage={self.stage}, params={self.params})"


@dataclass
class TrialRecord:
    """One trial's outcome, a row of the search's table.

    Args:
        number (int): the trial's index.
        stage (int): 0 coarse, 1 refinement.
        params (dict): its hyperparameters.
        score (float): its score (NaN when pruned).
        state (str): ``"complete"`` or ``"pruned"``.
        values (list): what it reported per step. Default: [].
        seconds (float): the objective's wall time. Default: 0.

    Example::

        >>> TrialRecord(0, 0, {"lr": 0.1}, 0.5, "complete").score
        0.5
    """

    number: int
    stage: int
    params: dict
    score: float
    state: str
    values: list = field(default_factory=list)
    seconds: float = 0.0


class SearchResult:
    """The trials of a search, best first (pruned trials last): a list of ``TrialRecord`` with a
    printable table and ``to_csv``.

    Args:
        trials (list of TrialRecord): the trials, in any order.
        spaces (list of dict): the search space of each stage.
        mode (str): ``"min"`` or ``"max"``.

    Attributes:
        trials (list of TrialRecord): sorted by score (the search's ``mode``), pruned ones last.
        best (TrialRecord): the best complete trial. best_params (dict): its hyperparameters.
        spaces (list of dict): the search space of each stage (the second one narrowed).
        mode (str): ``"min"`` or ``"max"``.

    Example::

        >>> r = random_search(lambda t: (t["x"] - 1) ** 2, {"x": Uniform(-2.0, 2.0)}, 8, seed=0)
        >>> len(r), r.best.score <= r.trials[-1].score
        (8, True)
    """

    def __init__(self, trials, spaces, mode):
        self.mode, self.spaces = mode, spaces
        sign = 1.0 if mode == "min" else -1.0
        self.trials = sorted(trials, key=lambda r: (r.state != "complete" or math.isnan(r.score),
                                                     sign * r.score if r.state == "complete" else 0.0, r.number))
        complete = [r for r in self.trials if r.state == "complete" and not math.isnan(r.score)]
        self.best = complete[0] if complete else None
        self.best_params = dict(self.best.params) if self.best else None

    def __len__(self):
        return len(self.trials)

    def __iter__(self):
        return iter(self.trials)

    def __getitem__(self, i):
        return self.trials[i]

    def _columns(self):
        names = []
        for r in self.trials:
            names += [k for k in r.params if k not in names]
        return names

    def rows(self):
        """The table as lists: a header, then one row per trial (rank, number, stage, state,
        score, steps, seconds, then the hyperparameters).

        Example::

            >>> r = random_search(lambda t: t["x"], {"x": Uniform(0.0, 1.0)}, 2, seed=0)
            >>> r.rows()[0]
            ['rank', 'trial', 'stage', 'state', 'score', 'steps', 'seconds', 'x']
        """
        params = self._columns()
        out = [["rank", "trial", "stage", "state", "score", "steps", "seconds", *params]]
        for rank, r in enumerate(self.trials):
            out.append([rank, r.number, r.stage, r.state, r.score, len(r.values), round(r.seconds, 4),
                        *(r.params.get(k, "") for k in params)])
        return out

    def to_csv(self, path):
        """Writes the table (``rows()``) to a CSV file.

        Args:
            path (str or PathLike): the file to write.

        Example::

            >>> import os, tempfile
            >>> r = random_search(lambda t: t["x"], {"x": Uniform(0.0, 1.0)}, 2, seed=0)
            >>> p = os.path.join(tempfile.mkdtemp(), "search.csv"); r.to_csv(p)
            >>> open(p).readline().strip()
            'rank,trial,stage,state,score,steps,seconds,x'
        """
        with open(path, "w", newline="") as f:
            csv.writer(f).writerows(self.rows())

    def __str__(self):
        def cell(v):
            return f"{v:.4g}" if isinstance(v, float) else str(v)

        table = [[cell(v) for v in row] for row in self.rows()]
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        return "\n".join("  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in table)

    def __repr__(self):
        best = f"{self.best.score:.6g}" if self.best else "none"
        return f"SearchResult({len(self.trials)} trials, best score {best}, best_params={self.best_params})"


def _check_space(space):
    if not isinstance(space, dict):
        raise TypeError(f"random_search: space must be a dict of name -> distribution, got {type(space).__name__}")
    if not space:
        raise ValueError("random_search: space is empty")
    for name, dist in space.items():
        if not isinstance(dist, _DISTRIBUTIONS):
            raise TypeError(f"random_search: space[{name!r}] must be Uniform, LogUniform, IntUniform or Choice, "
                            f"got {dist!r} (wrap a list of options in Choice)")


def _count(name, value, least):
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"random_search: {name} must be an int >= {least}, got {value!r}")


def random_search(objective, space, n_trials, seed=None, *, mode="min", refine_trials=0, refine_top=3,
                  margin=0.25, prune=True, n_startup_trials=5, n_warmup_steps=1, verbose=False):
    """Random search over hyperparameters, with an optional coarse-then-fine second stage and
    early pruning of clearly bad trials.

    Stage 0 draws ``n_trials`` parameter sets from ``space``. With ``refine_trials > 0``, stage 1
    then draws that many more from a narrowed space: each range shrunk to the span of the
    ``refine_top`` best trials' values widened by ``margin`` of the original width on each side
    (log-scale for ``LogUniform``), each ``Choice`` to the options those trials used.

    The objective gets a ``Trial`` (``trial["lr"]``) and returns its score; it may call
    ``trial.report(value)`` after each epoch. With ``prune``, a report at step ``s >=
    n_warmup_steps`` that is worse than the median of the completed trials' values at step ``s``
    (once ``n_startup_trials`` of them reached it) raises ``TrialPruned`` out of ``report``; the
    search records the trial as pruned and goes on. A returned ``None`` scores the last reported
    value; NaN scores rank last. Other exceptions propagate.

    Args:
        objective (callable): ``objective(trial) -> float``.
        space (dict): name -> ``Uniform``, ``LogUniform``, ``IntUniform`` or ``Choice``.
        n_trials (int): trials of the coarse stage (>= 1).
        seed (int, optional): seeds the sampling (``random.Random(seed)``); same seed, same trials.
            Default: None (fresh entropy).
        mode (str): ``"min"`` (lower scores are better) or ``"max"``. Default: ``"min"``.
        refine_trials (int): trials of the second, narrowed stage. Default: 0 (none).
        refine_top (int): how many of the best trials the narrowed space spans. Default: 3.
        margin (float): the widening of the narrowed ranges, a fraction of the original width
            split over both sides. Default: 0.25.
        prune (bool): prune by the median rule. Default: True.
        n_startup_trials (int): completed trials needed at a step before pruning there. Default: 5.
        n_warmup_steps (int): steps never pruned at the start of a trial. Default: 1.
        verbose (bool): print one line per trial. Default: False.

    Returns:
        SearchResult: the trials sorted by score (``.best``, ``.best_params``, ``.spaces``,
        ``print(result)`` for a table, ``result.to_csv(path)``).

    Raises:
        TypeError: space not a dict of distributions. ValueError: an empty space, bad counts or
        mode, or no completed trial in stage 0 to refine around.

    Example::

        >>> space = {"lr": LogUniform(1e-4, 1.0), "width": IntUniform(8, 64)}
        >>> def objective(trial):
        ...     return (math.log10(trial["lr"]) + 2) ** 2 + abs(trial["width"] - 32) / 32
        >>> result = random_search(objective, space, n_trials=20, seed=0, refine_trials=20)
        >>> 1e-3 < result.best_params["lr"] < 1e-1
        True
        >>> result.spaces[1]["lr"].high < 1.0
        True
    """
    if not callable(objective):
        raise TypeError(f"random_search: objective must be callable, got {type(objective).__name__}")
    _check_space(space)
    _count("n_trials", n_trials, 1)
    _count("refine_trials", refine_trials, 0)
    _count("refine_top", refine_top, 1)
    _count("n_startup_trials", n_startup_trials, 0)
    _count("n_warmup_steps", n_warmup_steps, 0)
    if mode not in ("min", "max"):
        raise ValueError(f"random_search: mode must be 'min' or 'max', got {mode!r}")
    if not isinstance(margin, (int, float)) or isinstance(margin, bool) or not 0 <= margin:
        raise ValueError(f"random_search: margin must be a number >= 0, got {margin!r}")
    rng = random.Random(seed)
    worse = (lambda a, b: a > b) if mode == "min" else (lambda a, b: a < b)
    records = []

    def pruner(step, value):
        if not prune or step < n_warmup_steps:
            return False
        done = [r.values[step] for r in records if r.state == "complete" and len(r.values) > step]
        return len(done) >= max(n_startup_trials, 1) and (math.isnan(value) or worse(value, statistics.median(done)))

    def run_stage(stage, stage_space, count):
        for _ in range(count):
            trial = Trial(len(records), stage, {k: d.sample(rng) for k, d in stage_space.items()}, pruner)
            start = time.perf_counter()
            try:
                score = objective(trial)
                state = "complete"
                if score is None:
                    if not trial.values:
                        raise ValueError(f"random_search: trial {trial.number} returned None and reported nothing")
                    score = trial.values[-1]
                score = float(score)
            except TrialPruned:
                score, state = math.nan, "pruned"
            records.append(TrialRecord(trial.number, stage, trial.params, score, state, trial.values,
                                       time.perf_counter() - start))
            if verbose:
                print(f"trial {trial.number} (stage {stage}): {state}, score {score:.6g}, {trial.params}")

    run_stage(0, dict(space), n_trials)
    spaces = [dict(space)]
    if refine_trials:
        top = SearchResult(records, spaces, mode)
        best = [r for r in top.trials if r.state == "complete" and not math.isnan(r.score)][:refine_top]
        if not best:
            raise ValueError("random_search: no trial of the coarse stage completed with a score to refine around")
        narrowed = {k: d.narrow([r.params[k] for r in best], margin) for k, d in space.items()}
        spaces.append(narrowed)
        run_stage(1, narrowed, refine_trials)
    return SearchResult(records, spaces, mode)

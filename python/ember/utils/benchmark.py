"""ember.utils.benchmark: timing of statements, as torch.utils.benchmark (Timer, Measurement,
Compare).

:class:`Timer` runs a statement with its own thread count (one by default, so that numbers compare
across machines), warms up, and reports a :class:`Measurement` (median, IQR, how many runs);
:class:`Compare` prints measurements side by side. The C++ timing language and Callgrind counts
of torch's are not here.

Example::

    >>> from ember.utils import benchmark
    >>> t = benchmark.Timer("x @ x", globals={"x": ember.ones(64, 64)}, label="matmul")
    >>> m = t.blocked_autorange(min_run_time=0.01)
    >>> m.median > 0 and m.number_per_run >= 1
    True
"""

import collections
import dataclasses
import enum
import math
import statistics
import textwrap
import timeit

import ember

__all__ = ["Compare", "Language", "Measurement", "TaskSpec", "Timer", "select_unit"]


class Language(enum.Enum):
    """The language of a Timer's statement: PYTHON (C++ statements are not supported).

    Args:
        value (int): 0 for PYTHON, 1 for CPP.

    Example::

        >>> ember.utils.benchmark.Language.PYTHON
        <Language.PYTHON: 0>
    """

    PYTHON = 0
    CPP = 1


def select_unit(t):
    """The unit that shows a time in seconds with one to three integer digits.

    Args:
        t (float): a time in seconds.

    Returns:
        tuple[str, float]: the unit's name and its length in seconds.

    Example::

        >>> ember.utils.benchmark.select_unit(0.0042)
        ('ms', 0.001)
    """
    exponent = math.floor(math.log10(t) / 3) if t > 0 else -3
    unit = {-3: "ns", -2: "us", -1: "ms"}.get(exponent, "s" if exponent >= 0 else "ns")
    return unit, {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


@dataclasses.dataclass(frozen=True)
class TaskSpec:
    """What a measurement timed: the statement, its setup and its labels.

    Args:
        stmt (str): the statement.
        setup (str): the setup run once before.
        global_setup (str): unused for Python statements.
        label (str, optional): the table's title in :class:`Compare`.
        sub_label (str, optional): the row.
        description (str, optional): the column.
        env (str, optional): the environment, for comparisons across them.
        num_threads (int): the thread count it ran with.

    Example::

        >>> ember.utils.benchmark.TaskSpec("x + 1", "pass").title
        'x + 1'
    """

    stmt: str
    setup: str
    global_setup: str = ""
    label: str = None
    sub_label: str = None
    description: str = None
    env: str = None
    num_threads: int = 1

    @property
    def title(self):
        """The label (and sub-label), or the statement."""
        if self.label is not None:
            return self.label + (f": {self.sub_label}" if self.sub_label else "")
        if "\n" not in self.stmt:
            return self.stmt + (f": {self.sub_label}" if self.sub_label else "")
        return f"stmt:{f' ({self.sub_label})' if self.sub_label else ''}\n{textwrap.indent(self.stmt, '  ')}"

    def summarize(self):
        """The title, description and setup, as a Measurement's repr shows them."""
        setup = "" if self.setup == "pass" else (f"setup: {self.setup}" if "\n" not in self.setup
                                                 else "setup:\n" + textwrap.indent(self.setup, "  "))
        return "\n".join(s for s in (self.title, self.description or "", setup) if s)


class Measurement:
    """The times of a statement: ``raw_times[i]`` is the time of ``number_per_run`` runs.

    Args:
        number_per_run (int): runs per timed block.
        raw_times (list[float]): seconds per block.
        task_spec (TaskSpec): what was timed.
        metadata (dict, optional): anything to keep with it.

    Example::

        >>> spec = ember.utils.benchmark.TaskSpec("f()", "pass")
        >>> m = ember.utils.benchmark.Measurement(10, [1e-5, 2e-5, 3e-5, 4e-5], spec)
        >>> m.median, m.mean
        (2.5e-06, 2.5e-06)
    """

    def __init__(self, number_per_run, raw_times, task_spec, metadata=None):
        self.number_per_run, self.raw_times = number_per_run, list(raw_times)
        self.task_spec, self.metadata = task_spec, metadata

    def __getattr__(self, name):  # stmt, label, num_threads, ...: the task's
        if name in {f.name for f in dataclasses.fields(TaskSpec)}:
            return getattr(self.task_spec, name)
        raise AttributeError(f"'Measurement' object has no attribute '{name}'")

    @property
    def title(self):
        """The task's title: its label (and sub-label), or the statement."""
        return self.task_spec.title

    @property
    def times(self):
        """Seconds per run, one per block."""
        return [t / self.number_per_run for t in self.raw_times]

    @property
    def median(self):
        """The median time of one run, in seconds."""
        return statistics.median(self.times)

    @property
    def mean(self):
        """The mean time of one run, in seconds."""
        return statistics.fmean(self.times)

    def _quartiles(self):
        times = sorted(self.times)
        if len(times) < 2:
            return times[0], times[0]
        q = statistics.quantiles(times, n=4, method="inclusive")
        return q[0], q[2]

    @property
    def iqr(self):
        """The interquartile range of the per-run times, in seconds."""
        low, high = self._quartiles()
        return high - low

    @property
    def has_warnings(self):
        """Whether the spread suggests a noisy machine (IQR over 10% of the median, few blocks)."""
        return bool(self._warnings())

    def _warnings(self):
        found = []
        if len(self.times) >= 4 and self.iqr / self.median > 0.1:
            found.append(f"  WARNING: Interquartile range is {self.iqr / self.median * 100:.1f}% of the median "
                         "measurement.\n           This suggests significant environmental influence.")
        elif len(self.times) < 4:
            found.append("  WARNING: Not enough data points to reliably determine the IQR.")
        return found

    @property
    def significant_figures(self):
        """About how many digits of the median the spread supports (for Compare)."""
        times = sorted(self.times)
        middle = times[len(times) // 4: math.ceil(3 * len(times) / 4)] or times
        spread = max(1.645 * statistics.pstdev(middle) / math.sqrt(len(middle)), 1e-9)
        return max(1, min(4, math.floor(math.log10(self.median / spread))))

    def __repr__(self):
        unit, scale = select_unit(self.median)
        n = len(self.times)
        low, high = self._quartiles()
        lines = [f"<ember.utils.benchmark.Measurement object at {hex(id(self))}>", self.task_spec.summarize(),
                 f"  {'Median: ' if n > 1 else ''}{self.median / scale:.2f} {unit}"]
        if n >= 4:
            lines.append(f"  IQR:    {self.iqr / scale:.2f} {unit} ({low / scale:.2f} to {high / scale:.2f})")
        threads = self.task_spec.num_threads
        lines.append(f"  {n} measurement{'s' if n > 1 else ''}, {self.number_per_run} runs "
                     f"{'per measurement,' if n > 1 else ','} {threads} thread{'s' if threads > 1 else ''}")
        lines.extend(self._warnings())
        return "\n".join(lines)

    @staticmethod
    def merge(measurements):
        """Measurements of the same task combined into one (times per run, number_per_run 1)."""
        grouped = collections.defaultdict(list)
        for m in measurements:
            grouped[m.task_spec].extend(m.times)
        return [Measurement(1, times, spec) for spec, times in grouped.items()]


class Timer:
    """Times a Python statement, as torch.utils.benchmark.Timer.

    Args:
        stmt (str or callable): the statement timed (a callable is called with no arguments).
        setup (str): run once before timing.
        global_setup (str): unused (torch's is for C++).
        timer (callable): the clock (``timeit.default_timer``).
        globals (dict, optional): the names the statement and setup see.
        label (str, optional): the table's title in :class:`Compare`.
        sub_label (str, optional): the row in Compare.
        description (str, optional): the column in Compare.
        env (str, optional): the environment's name.
        num_threads (int): ember's thread count while timing (1, as torch's default).
        language (Language or str): ``"python"`` only.

    Example::

        >>> t = ember.utils.benchmark.Timer("x.sum()", globals={"x": ember.ones(100)})
        >>> t.timeit(100).number_per_run
        100
    """

    def __init__(self, stmt="pass", setup="pass", global_setup="", timer=timeit.default_timer,
                 globals=None,  # noqa: A002  (torch's name)
                 label=None, sub_label=None, description=None, env=None, num_threads=1, language=Language.PYTHON):
        if language not in (Language.PYTHON, "py", "python"):
            raise ValueError(f"Timer: only Python statements are supported, got language {language!r}")
        if not isinstance(num_threads, int) or num_threads < 1:
            raise ValueError(f"Timer: num_threads must be a positive int, got {num_threads!r}")
        text = stmt if isinstance(stmt, str) else getattr(stmt, "__name__", "callable") + "()"
        self._task_spec = TaskSpec(text, setup if isinstance(setup, str) else "pass", global_setup, label, sub_label,
                                   description, env, num_threads)
        self._timer = timeit.Timer(stmt=stmt, setup=setup, timer=timer, globals=dict(globals or {}))

    def _timeit(self, number):
        return max(self._timer.timeit(number), 1e-9)

    def _with_threads(self, fn):
        previous = ember.get_num_threads()
        ember.set_num_threads(self._task_spec.num_threads)
        try:
            return fn()
        finally:
            ember.set_num_threads(previous)

    def timeit(self, number=1000000):
        """Runs the statement `number` times (after a warm-up of number // 100, at least 2) as one block.

        Args:
            number (int): how many runs.

        Returns:
            Measurement: one block of `number` runs.
        """
        def run():
            self._timeit(max(number // 100, 2))
            return Measurement(number, [self._timeit(number)], self._task_spec)
        return self._with_threads(run)

    def repeat(self, repeat=-1, number=-1):
        """Not supported, as in torch: use blocked_autorange."""
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def autorange(self, callback=None):
        """Not supported, as in torch: use blocked_autorange."""
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def _block_size(self, min_run_time):
        overhead = statistics.median(self._timeit(0) for _ in range(5))
        number = 1
        while True:
            taken = self._timeit(number)
            if (overhead / taken <= 1e-4 and taken >= min_run_time / 1000) or taken > min_run_time:
                return number
            number *= 10

    def _blocks(self, number, min_run_time, max_run_time, stop, callback):
        times, total = [], 0.0
        while total < min_run_time or not stop(times):
            taken = self._timeit(number)
            times.append(taken)
            total += taken
            if callback is not None:
                callback(number, taken)
            if max_run_time is not None and total >= max_run_time:
                break
        return times

    def blocked_autorange(self, callback=None, min_run_time=0.2):
        """Times blocks of runs (each long enough that the clock's overhead does not count) until
        `min_run_time` seconds have passed.

        Args:
            callback (callable, optional): called with (runs in the block, seconds) after each block.
            min_run_time (float): seconds to spend at least.

        Returns:
            Measurement: the blocks.
        """
        def run():
            number = self._block_size(min_run_time)
            return Measurement(number, self._blocks(number, min_run_time, None, lambda times: True, callback),
                               self._task_spec)
        return self._with_threads(run)

    def adaptive_autorange(self, threshold=0.1, *, min_run_time=0.01, max_run_time=10.0, callback=None):
        """As blocked_autorange, going on until the IQR is under `threshold` times the median (or
        `max_run_time` seconds have passed).

        Args:
            threshold (float): the IQR / median to reach.
            min_run_time (float): seconds to spend at least.
            max_run_time (float): seconds to spend at most.
            callback (callable, optional): called with (runs in the block, seconds) after each block.

        Returns:
            Measurement: the blocks.
        """
        def stop(times):
            if len(times) < 4:
                return False
            m = Measurement(1, times, self._task_spec)
            return m.iqr / m.median < threshold

        def run():
            number = self._block_size(min_run_time=0.05)
            return Measurement(number, self._blocks(number, min_run_time, max_run_time, stop, callback),
                               self._task_spec)
        return self._with_threads(run)

    def collect_callgrind(self, *args, **kwargs):
        """Not supported: ember has no Callgrind collection (torch's needs valgrind and its C++ harness)."""
        raise NotImplementedError("ember.utils.benchmark: collect_callgrind is not supported")


class Compare:
    """Measurements side by side: one table per label, a row per sub_label (or statement) and a
    column per description, with times in one unit, as torch's Compare.

    Args:
        results (list[Measurement]): the measurements.

    Example::

        >>> from ember.utils import benchmark
        >>> spec = benchmark.TaskSpec("f()", "pass", label="f", sub_label="n=1", description="ember")
        >>> compare = benchmark.Compare([benchmark.Measurement(1, [2e-6, 2e-6, 2e-6, 2e-6], spec)])
        >>> print(compare)
        [------ f ------]
               |  ember
        1 threads: ------
          n=1  |   2.0
        <BLANKLINE>
        Times are in microseconds (us).
        <BLANKLINE>
    """

    def __init__(self, results):
        self._results = list(results)
        self._trim = False
        self._colorize = False

    def extend_results(self, results):
        """Adds measurements."""
        self._results.extend(results)

    def trim_significant_figures(self):
        """Shows each time with the digits its spread supports."""
        self._trim = True

    def colorize(self, rowwise=False):
        """Accepted for torch's API; the table is printed without colours."""
        self._colorize = True

    def highlight_warnings(self):
        """Accepted for torch's API; measurements with warnings are not marked."""

    def print(self):
        """Prints the tables."""
        print(str(self))

    def __str__(self):
        tables = collections.OrderedDict()
        for m in Measurement.merge(self._results):
            tables.setdefault(m.task_spec.label, []).append(m)
        return "\n".join(self._table(label, group) for label, group in tables.items())

    def _table(self, label, group):
        columns = list(dict.fromkeys(m.task_spec.description or "" for m in group))
        threads = sorted({m.task_spec.num_threads for m in group})
        unit, scale = select_unit(min(m.median for m in group))
        cells = {}
        for m in group:
            value = m.median / scale
            if self._trim:
                digits = m.significant_figures - 1 - math.floor(math.log10(abs(value))) if value else 1
                value = round(value, max(digits, 0))
            cells[(m.task_spec.num_threads, m.task_spec.sub_label or m.task_spec.stmt,
                   m.task_spec.description or "")] = f"{value:.1f}" if value >= 10 or not self._trim else f"{value:g}"
        rows = list(dict.fromkeys(m.task_spec.sub_label or m.task_spec.stmt for m in group))
        name_width = max(len(r) for r in rows) + 2
        widths = [max(len(c), *(len(v) for k, v in cells.items() if k[2] == c)) + 4 for c in columns]

        def line(name, texts):
            return (name.rjust(name_width) + "  |" + "|".join(t.center(w) for t, w in zip(texts, widths))).rstrip()
        width = name_width + 3 + sum(widths) + len(widths) - 1
        header = line("", columns)
        body = []
        for n in threads:
            body.append(f"{n} threads: ".ljust(width, "-"))
            body.extend(line(r, [cells.get((n, r, c), "") for c in columns]) for r in rows
                        if any(k[0] == n and k[1] == r for k in cells))
        title = f" {label} " if label else ""
        bar = f"[{title.center(width - 2, '-')}]"
        english = {"ns": "nanoseconds", "us": "microseconds", "ms": "milliseconds", "s": "seconds"}[unit]
        return "\n".join([bar, header, *body, "", f"Times are in {english} ({unit}).", ""])

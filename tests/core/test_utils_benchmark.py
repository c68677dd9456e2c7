"""ember.utils.benchmark against torch.utils.benchmark: the same API and what its numbers mean
(timings themselves are not asserted: the machines are shared)."""

import statistics

import pytest

import ember
from ember.utils import benchmark

torch = pytest.importorskip("torch")
import torch.utils.benchmark as torch_benchmark  # noqa: E402


def test_api_matches_torch():
    for name in ("Timer", "Measurement", "Compare", "TaskSpec", "Language", "select_unit"):
        assert hasattr(torch_benchmark, name) and hasattr(benchmark, name)
    for method in ("timeit", "blocked_autorange", "adaptive_autorange", "autorange", "repeat", "collect_callgrind"):
        assert hasattr(torch_benchmark.Timer, method) and hasattr(benchmark.Timer, method)
    for attribute in ("times", "median", "mean", "iqr", "significant_figures", "has_warnings", "title", "merge"):
        assert hasattr(torch_benchmark.Measurement, attribute) and hasattr(benchmark.Measurement, attribute)
    for t in (0.5e-8, 3e-6, 0.02, 4.0):
        assert benchmark.select_unit(t) == torch_benchmark.select_unit(t)


def test_timeit_runs_the_statement_number_times_with_its_setup_and_globals():
    counter = []
    t = benchmark.Timer("counter.append(x)", setup="x = y * 2", globals={"counter": counter, "y": 21})
    m = t.timeit(50)
    assert m.number_per_run == 50 and len(m.raw_times) == 1 and m.median == m.raw_times[0] / 50
    assert counter == [42] * (50 + 2)  # the warm-up runs number // 100, at least 2, first
    assert m.stmt == "counter.append(x)" and m.task_spec.setup == "x = y * 2" and m.num_threads == 1


def test_autorange_blocks_and_statistics():
    x = ember.ones(32, 32)
    calls = []
    t = benchmark.Timer("x @ x", globals={"x": x}, label="mm", sub_label="32", description="ember")
    m = t.blocked_autorange(callback=lambda n, s: calls.append((n, s)), min_run_time=0.05)
    assert len(m.times) == len(calls) >= 1 and all(n == m.number_per_run for n, _ in calls)
    assert sum(s for _, s in calls) >= 0.05
    assert m.median == statistics.median(m.times) and m.mean == pytest.approx(statistics.fmean(m.times))
    assert m.iqr >= 0 and m.title == "mm: 32" and ("Median" in repr(m) or len(m.times) == 1)
    a = t.adaptive_autorange(threshold=10.0, max_run_time=0.5)  # any spread passes: stops at 4 blocks
    assert len(a.times) >= 4 and a.iqr / a.median < 10.0


def test_thread_count_is_set_while_timing_and_restored():
    before = ember.get_num_threads()
    seen = []
    benchmark.Timer(lambda: seen.append(ember.get_num_threads())).timeit(3)
    assert set(seen) == {1} and ember.get_num_threads() == before


def test_statistics_as_torch():
    spec_e = benchmark.TaskSpec("f()", "pass", label="L", sub_label="s", description="d")
    spec_t = torch_benchmark.TaskSpec("f()", "pass", label="L", sub_label="s", description="d")
    raw = [4e-6, 1e-6, 3e-6, 2e-6, 9e-6, 5e-6]
    e, t = benchmark.Measurement(2, raw, spec_e), torch_benchmark.Measurement(2, raw, spec_t)
    assert e.times == pytest.approx(t.times) and e.median == pytest.approx(t.median)
    assert e.mean == pytest.approx(t.mean) and e.iqr == pytest.approx(t.iqr)
    assert e.title == t.title and e.has_warnings == t.has_warnings
    merged = benchmark.Measurement.merge([e, benchmark.Measurement(1, [7e-6], spec_e)])
    assert len(merged) == 1 and merged[0].number_per_run == 1 and len(merged[0].times) == 7


def test_compare_lays_out_labels_rows_and_columns():
    results = []
    for n in (4, 8):
        for lib in ("ember", "numpy"):
            spec = benchmark.TaskSpec("f()", "pass", label="sum", sub_label=f"n={n}", description=lib)
            results.append(benchmark.Measurement(1, [n * 1e-6] * 4, spec))
    text = str(benchmark.Compare(results))
    lines = text.splitlines()
    assert lines[0].startswith("[") and " sum " in lines[0]
    assert "ember" in lines[1] and "numpy" in lines[1] and lines[2].startswith("1 threads: ")
    assert [line.split("|")[0].strip() for line in lines[3:5]] == ["n=4", "n=8"]
    assert lines[4].split("|")[1].strip() == "8.0"
    assert lines[-1].startswith("Times are in micro") and lines[-1].endswith("(us).")  # the unit line closes it


def test_bad_inputs_as_torch():
    with pytest.raises(NotImplementedError):
        benchmark.Timer().repeat()
    with pytest.raises(NotImplementedError):
        torch_benchmark.Timer().autorange()
    with pytest.raises(NotImplementedError):
        benchmark.Timer().autorange()
    with pytest.raises(ValueError, match="Python"):
        benchmark.Timer(language=benchmark.Language.CPP)
    with pytest.raises(ValueError, match="num_threads"):
        benchmark.Timer(num_threads=0)

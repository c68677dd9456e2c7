"""Differential fuzzing against torch inside the normal test run (tests/fuzz/README.md).

Runs calls 0, 1, 2, ... of run EMBER_FUZZ_SEED (default 0) of every public op in child processes
(EMBER_FUZZ_WORKERS, default 1) until EMBER_FUZZ_CALLS calls (default 100000) are made or
EMBER_FUZZ_SECONDS pass (default 120; 0 skips). A fixed seed and a cap on the calls make the run
the same on every machine fast enough, and a prefix of it on slower ones, so the allowlist that
covers the full run covers every run. Fails on any crash or hang, on a bug of the fuzzer itself,
and on any divergence from torch that known_divergences.py does not list, printing each group
with a one-line reproducer.
"""
import os

import pytest

pytest.importorskip("torch")

import fuzz_pool
import known_divergences


def test_known_divergences_have_reasons():
    for k in known_divergences.KNOWN:
        assert k["reason"].startswith(("intended: ", "open: issue ")), k
        assert k.get("kind") is None or k["kind"] in fuzz_pool.fe.KINDS, k


def test_replay_is_deterministic():
    """A call is a pure function of (seed, index): the reproducers depend on it."""
    import fuzz_engine as fe

    for i in range(200):
        assert fe.make_call(3, i).snippet() == fe.make_call(3, i).snippet()


def test_a_crash_is_caught_and_named(monkeypatch):
    """A worker killed by a signal costs one call: it is recorded as a crash at the right index
    and the run goes on (EMBER_FUZZ_CRASH_AT makes the worker abort there)."""
    monkeypatch.setenv("EMBER_FUZZ_CRASH_AT", "7")
    res = fuzz_pool.Pool(1).run(seed=0, calls=20)
    crashes = [(k, g) for k, g in res.groups.items() if k[1] == fuzz_pool.fe.CRASH]
    assert len(crashes) == 1 and crashes[0][1]["count"] == 1, fuzz_pool.report(res)
    (f,) = crashes[0][1]["examples"].values()
    assert f["index"] == 7 and "SIGABRT" in f["detail"], f
    assert res.calls == 20 and res.restarts == 1


def test_a_crash_in_torch_is_torchs(monkeypatch):
    """A worker that dies in the torch half of a call, after ember's returned, is torch's crash:
    reported as such and never a failure of the run."""
    monkeypatch.setenv("EMBER_FUZZ_CRASH_AT", "5:torch")
    res = fuzz_pool.Pool(1).run(seed=0, calls=10)
    groups = [(k, g) for k, g in res.groups.items() if k[1] == fuzz_pool.fe.TORCH_CRASH]
    assert len(groups) == 1 and groups[0][1]["count"] == 1, fuzz_pool.report(res)
    (f,) = groups[0][1]["examples"].values()
    assert f["index"] == 5 and "in torch" in f["detail"] and "SIGABRT" in f["detail"], f
    assert not any(k[1] in (fuzz_pool.fe.CRASH, fuzz_pool.fe.HANG) for k in res.groups)
    assert all(k[1] != fuzz_pool.fe.TORCH_CRASH for k, _ in res.bad_groups())
    assert "(and 1 in torch)" in fuzz_pool.summary_line(res)


def test_fuzz_against_torch():
    seconds = float(os.environ.get("EMBER_FUZZ_SECONDS", "120"))
    if seconds <= 0:
        pytest.skip("EMBER_FUZZ_SECONDS=0")
    res = fuzz_pool.Results(known_divergences.KNOWN)
    fuzz_pool.Pool(int(os.environ.get("EMBER_FUZZ_WORKERS", "1"))).run(
        seed=int(os.environ.get("EMBER_FUZZ_SEED", "0")), seconds=seconds,
        calls=int(os.environ.get("EMBER_FUZZ_CALLS", "100000")), results=res)
    assert res.calls > 0
    if res.bad_groups():
        pytest.fail("\n" + fuzz_pool.report(res, only_bad=True, examples=2), pytrace=False)

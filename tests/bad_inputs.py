"""The machinery of the bad-input sweeps (tests/test_*bad_inputs.py).

In-process cases: a table of calls, each run with ember and, as the oracle, with torch; a case
says which exception ember must raise (or that it returns) and what torch does. Child cases: code
that can take the interpreter down (a segfault, heap corruption, a stack overflow, runaway
memory) runs in a fresh Python under an address-space limit and a timeout, and reports how it
ended; a child killed by a signal or hung fails its test."""
import concurrent.futures
import json
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

SAME = "same"   # torch: raises the type ember must (or, with exc=OK, nothing)
OK = "ok"       # exc: ember must not raise; torch: torch does not raise
RC = "borderline: pybind11's TypeError ('incompatible function arguments' / 'Unable to cast') leaks out"


# ---- in-process cases ----------------------------------------------------------------------------

class Case:
    def __init__(self, fn, exc, match, torch, note, check):
        self.fn, self.exc, self.match, self.torch, self.note, self.check = fn, exc, match, torch, note, check


class Cases:
    """A test module's table: cases(cid, fn, exc, ...) adds one; .params feeds parametrize."""

    def __init__(self):
        self.params = []

    def __call__(self, cid, fn, exc, match=None, torch=SAME, note="", check=None):
        """fn(L) runs the call with L = ember (and L = torch for the oracle). exc: the exception
        type (or tuple of types) ember must raise, or OK (then check(result), if given, must hold),
        or a tuple holding OK and types (ember may raise one of them or return); match: a fragment
        (or tuple of fragments, any one) its message must hold; torch: SAME, OK, an exception type
        (or tuple), or None (no torch counterpart)."""
        self.params.append(pytest.param(Case(fn, exc, match, torch, note, check), id=cid))


def _types(exc):
    return exc if isinstance(exc, tuple) else (exc,)


def _outcome(fn):
    try:
        return None, fn()
    except Exception as e:  # noqa: BLE001
        return e, None


def exception_type(e):
    """The builtin type of an exception: ember.errors' classes count as the builtin one they extend
    (they are RuntimeErrors too, for code written for torch; the tables record the builtin)."""
    cls = type(e)
    return cls.__mro__[1] if cls.__module__ == "ember.errors" else cls


def check_case(c, ember, torch):
    """Runs case c: the oracle first (torch, when installed and the case has a counterpart), then
    ember, asserting the exception type, its message and, for returns, the check."""
    if c.torch is not None and torch is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got, _ = _outcome(lambda: c.fn(torch))
        if c.torch == OK or (c.torch == SAME and OK in _types(c.exc)):
            assert got is None, f"oracle: torch raised {type(got).__name__}: {got}"
        else:
            want = _types(c.exc) if c.torch == SAME else _types(c.torch)
            assert got is not None and type(got) in want, (
                f"oracle: torch gave {type(got).__name__ if got else 'no exception'}: {got}, "
                f"recorded {[t.__name__ for t in want]}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got, result = _outcome(lambda: c.fn(ember))
    note = f" [{c.note}]" if c.note else ""
    want = tuple(t for t in _types(c.exc) if t != OK)
    if OK in _types(c.exc) and (got is None or not want):  # returning is allowed (then check holds)
        assert got is None, f"ember raised {type(got).__name__}: {str(got)[:300]}; expected no exception{note}"
        if c.check is not None:
            assert c.check(result), f"ember returned {result!r}{note}"
        return
    assert got is not None, f"ember raised nothing (returned {result!r}), expected {[t.__name__ for t in want]}{note}"
    assert exception_type(got) in want, (f"ember raised {type(got).__name__}: {str(got)[:300]}; expected "
                               f"{[t.__name__ for t in want]}{note}")
    if c.match:
        frags = c.match if isinstance(c.match, tuple) else (c.match,)
        assert any(f.lower() in str(got).lower() for f in frags), f"message {str(got)!r} names none of {frags}"


# ---- inputs the cases share: every one takes the library (ember or torch) first ----------------

def _x(L, *shape, dtype=None):
    return L.ones(*shape, dtype=dtype or L.float32)


def _r(L, *shape, seed=0):
    return L.tensor(np.random.default_rng(seed).standard_normal(shape).astype("float32"))


def _p(L, *shape):
    return L.tensor(np.random.default_rng(1).uniform(0.1, 0.9, shape).astype("float32"))


def _i(L, v):
    return L.tensor(v)


def _lin(L):
    return L.nn.Linear(2, 3)


def _set(obj, name, value):
    setattr(obj, name, value)
    return obj


# ---- child cases -----------------------------------------------------------------------------------

AS_LIMIT = 3 << 30  # bytes of address space a child may map
_MARK = "@@RESULT@@"


def prelude(setup):
    """The child's first lines: the memory limit, then `setup` (imports), then _report."""
    return f"""
import collections, gc, json, math, os, resource, sys, warnings
if "libasan" not in os.environ.get("LD_PRELOAD", ""):  # ASan's shadow memory exceeds any such limit
    resource.setrlimit(resource.RLIMIT_AS, ({AS_LIMIT}, {AS_LIMIT}))
{textwrap.dedent(setup)}
_extra = {{}}
def _report(d):
    d.update(_extra)
    print("{_MARK}" + json.dumps(d, default=str), flush=True)
"""


class Child:
    """body: the code; allowed: the outcomes that pass ('ok' or an exception's name); check: a
    predicate on the reported result (the outcome plus what body put in _extra)."""

    def __init__(self, body, allowed, *, timeout=20, hard_exit=False, check=None, note=""):
        self.body, self.allowed, self.timeout = textwrap.dedent(body), set(allowed), timeout
        self.hard_exit, self.check, self.note = hard_exit, check, note

    def code(self, head):
        exit_line = "os._exit(0)" if self.hard_exit else "pass"
        return (head + "try:\n" + textwrap.indent(self.body, "    ") +
                "\n    _res = {'outcome': 'ok'}\n"
                "except BaseException as _e:\n"
                "    _res = {'outcome': type(_e).__name__, 'msg': str(_e)[:300]}\n"
                f"_report(_res)\n{exit_line}\n")


def _run(code, timeout):
    try:
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"hung": True}
    res = None
    for line in p.stdout.splitlines():
        if line.startswith(_MARK):
            res = json.loads(line[len(_MARK):])
    return {"hung": False, "rc": p.returncode, "res": res, "stderr": p.stderr[-1500:]}


class ChildRunner:
    """Runs every child of `cases` on first use, `workers` at a time, so the slow ones overlap."""

    def __init__(self, cases, head, workers):
        self.cases, self.head, self.workers = cases, head, workers
        self._futures = None

    def check(self, case_id):
        """Fails the calling test unless the child ended as its case allows."""
        if self._futures is None:
            pool = concurrent.futures.ThreadPoolExecutor(max_workers=self.workers)
            self._futures = {cid: pool.submit(_run, c.code(self.head), c.timeout) for cid, c in self.cases.items()}
        child, r = self.cases[case_id], self._futures[case_id].result()
        where = f"{case_id}: {child.note}\n--- code ---\n{child.body}"
        if r["hung"]:
            pytest.fail(f"hung (> {child.timeout} s) -- {where}")
        if r["rc"] < 0:
            pytest.fail(f"killed by signal {-r['rc']} -- {where}\n--- stderr ---\n{r['stderr']}")
        res = r["res"]
        assert res is not None, f"child exited with {r['rc']} and no result -- {where}\n{r['stderr']}"
        assert res["outcome"] in child.allowed, f"outcome {res} (allowed {sorted(child.allowed)}) -- {where}"
        if child.check is not None:
            assert child.check(res), f"outcome {res} -- {where}"
        assert r["rc"] == 0, f"child exited with {r['rc']} after reporting {res} -- {where}\n{r['stderr']}"

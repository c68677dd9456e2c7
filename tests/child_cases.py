"""The child-process half of the bad-input sweeps (test_nn_bad_inputs.py, test_optim_bad_inputs.py):
code that can take the interpreter down (a segfault, heap corruption, a stack overflow, runaway
memory) runs in a fresh Python under an address-space limit and a timeout, and reports how it
ended; a child killed by a signal or hung fails its test."""
import concurrent.futures
import json
import subprocess
import sys
import textwrap

import pytest

AS_LIMIT = 3 << 30  # bytes of address space a child may map
_MARK = "@@RESULT@@"


def prelude(setup):
    """The child's first lines: the memory limit, then `setup` (imports), then _report."""
    return f"""
import collections, gc, json, math, os, resource, sys, warnings
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

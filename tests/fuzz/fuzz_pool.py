"""Runs fuzz calls in child processes and gathers what they find.

A worker is this file run as a script (``--worker``): it imports the engine once, then runs the
batches of call indices the parent sends on its stdin, writing each finding as a JSON line to a
pipe, and the index of the call it is about to run into a small shared file before each call. The
parent (``Pool``) keeps up to N workers busy. When a worker dies (a signal, an abort, a hard exit)
or stops moving for ``hang_s``, the parent reads that file, records a crash (or hang) for the call
at that index, regenerating the call itself to print its reproducer, starts a fresh worker and
goes on with the rest of the batch. So a crash costs one call, never the run.

Workers run under an address-space limit (EMBER_FUZZ_MEM_GB, default 2: allocations of
several GB fail at once rather than run for a minute) and one thread each.
"""
from __future__ import annotations

import collections
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # the worker runs this file as a script
import fuzz_engine as fe

BATCH = 250


# ---------------------------------------------------------------------------------------------
# The worker (a child process)
# ---------------------------------------------------------------------------------------------

def worker_main(progress_path, result_fd):
    import resource

    limit = int(float(os.environ.get("EMBER_FUZZ_MEM_GB", "2")) * (1 << 30))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    fe.torch.set_num_threads(1)
    fe.ember.set_num_threads(1)
    progress = open(progress_path, "r+b", buffering=0)
    out = os.fdopen(result_fd, "w", buffering=1)
    # test_fuzz.py's checks of the pool: abort at call N ("N"), or in its torch half ("N:torch")
    crash_at, _, crash_in = os.environ.get("EMBER_FUZZ_CRASH_AT", "-1").partition(":")
    crash_at = int(crash_at)
    out.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        cmd = json.loads(line)
        ops = fe.select_ops(cmd["ops"])
        done = 0
        for index in range(cmd["start"], cmd["start"] + cmd["count"]):
            if time.time() > cmd["deadline"]:
                break
            progress.seek(0)
            progress.write(struct.pack("<qq", index, 0))
            if index == crash_at and not crash_in:
                os.abort()

            def entering(library, index=index):  # the progress record's second field: 1 in torch
                progress.seek(0)
                progress.write(struct.pack("<qq", index, library is fe.torch))
                if index == crash_at and crash_in == library.__name__:
                    os.abort()

            try:
                call = fe.make_call(cmd["seed"], index, ops)
                findings = fe.execute(call, entering)
            except Exception as e:  # noqa: BLE001 - a bug of the fuzzer itself: report, go on
                detail = f"{type(e).__name__}: {e}"[:300]
                findings = [fe.Finding(cmd["seed"], index, "?", fe.ERROR, detail, "")]
            for f in findings:
                out.write(json.dumps({"finding": f.__dict__}) + "\n")
            done += 1
        out.write(json.dumps({"done": done}) + "\n")


# ---------------------------------------------------------------------------------------------
# The parent
# ---------------------------------------------------------------------------------------------

class _Worker:
    def __init__(self, threads_env):
        fd, self.progress_path = tempfile.mkstemp(prefix="ember-fuzz-")
        os.write(fd, struct.pack("<qq", -1, 0))  # the call being run, and whether torch runs it
        os.close(fd)
        self.stderr = tempfile.TemporaryFile()
        r, w = os.pipe()
        env = dict(os.environ, **threads_env)
        # Random calls pass strings such as "abc" as paths (ember.save(t, "abc")): whatever they
        # write lands in a folder of the worker's own, removed with it.
        self.cwd = tempfile.TemporaryDirectory(prefix="ember-fuzz-cwd-")
        argv = [sys.executable, os.path.abspath(__file__), "--worker", self.progress_path, str(w)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=self.stderr, cwd=self.cwd.name,
                                     pass_fds=(w,), env=env, text=True)
        os.close(w)
        self.rfd = r
        self.buf = b""
        self.batch = None  # (seed, start, count) being run
        self.ready = False
        self.last_index, self.last_move = -1, time.time()

    def send(self, cmd):
        self.batch = (cmd["start"], cmd["count"])
        self.last_move = time.time()
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()

    def index(self):
        return self._progress()[0]

    def in_torch(self):
        """Whether the call being run is in its torch half (ember's has returned)."""
        return bool(self._progress()[1])

    def _progress(self):
        with open(self.progress_path, "rb") as f:
            return struct.unpack("<qq", f.read(16))

    def stderr_tail(self):
        self.stderr.seek(0)
        text = self.stderr.read().decode(errors="replace")
        return text[-600:]

    def close(self, kill=False):
        if kill and self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.wait()
        os.close(self.rfd)
        self.stderr.close()
        os.unlink(self.progress_path)
        self.cwd.cleanup()


class Results:
    """Findings grouped by (op, kind): a count and up to `keep` examples with distinct details
    (details compared with their numbers blanked), the shortest snippets kept."""

    def __init__(self, known=None, keep=3, ops=None):
        self.known = known or []
        self.ops = ops  # the --ops patterns of the run (a replay needs them)
        self.keep = keep
        self.groups = collections.OrderedDict()
        self.calls = 0
        self.seconds = 0.0
        self.restarts = 0
        self.used = set()  # indices into known of the entries that covered a finding

    def add(self, f):
        entry = match_known(self.known, f)
        reason = None if entry is None else self.known[entry]["reason"]
        if entry is not None:
            self.used.add(entry)
        key = (f["op"], f["kind"])
        g = self.groups.setdefault(key, {"count": 0, "examples": {}, "known": None, "unknown": 0})
        g["count"] += 1
        g["known"] = g["known"] or reason
        g["unknown"] += reason is None
        # Examples the allowlist does not cover come first and displace covered ones: they are
        # what a reader of the report has to triage.
        shape = (reason is not None, re.sub(r"[-+]?\d[\d.e+-]*", "#", f["detail"])[:120])
        ex = g["examples"]
        if shape in ex:
            if len(f["snippet"]) < len(ex[shape]["snippet"]):
                ex[shape] = f
        elif len(ex) < self.keep:
            ex[shape] = f
        elif reason is None and (covered := next((k for k in ex if k[0]), None)):
            del ex[covered]
            ex[shape] = f

    def bad_groups(self):
        """Crashes and hangs always; other groups where some finding has no allowlist entry (torch's
        own crashes are never bad)."""
        return [(k, g) for k, g in self.groups.items()
                if k[1] in fe.UNALLOWABLE or (g["unknown"] and k[1] != fe.TORCH_CRASH)]


def match_known(known, f):
    """The index of the first allowlist entry that covers finding f (None when none does)."""
    import fnmatch

    if f["kind"] in fe.UNALLOWABLE:
        return None
    for i, k in enumerate(known):
        if fnmatch.fnmatchcase(f["op"], k["op"]) and k.get("kind") in (None, f["kind"]) and \
                (k.get("match") is None or re.search(k["match"], f["detail"] + " " + f["snippet"])):
            return i
    return None


class Pool:
    def __init__(self, workers=1, hang_s=30.0, threads=1):
        self.n = workers
        self.hang_s = hang_s
        self.threads_env = {"OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads),
                            "MKL_NUM_THREADS": str(threads)}

    def run(self, seed, seconds=None, calls=None, ops=None, start=0, results=None, progress=None):
        """Runs calls start, start+1, ... of run `seed` until `seconds` pass or `calls` are made;
        returns Results. progress(results) is called about every 10 s."""
        results = results or Results()
        sel = fe.select_ops(ops)
        t0 = time.time()
        deadline = t0 + seconds if seconds else float("inf")
        end = start + calls if calls else float("inf")
        nxt = start
        pending = []  # (start, count) left over by dead workers
        workers = [_Worker(self.threads_env) for _ in range(self.n)]
        last_report = t0

        def give(w):
            nonlocal nxt
            if pending:
                s, c = pending.pop()
            elif nxt < end and time.time() < deadline:
                s, c = nxt, int(min(BATCH, end - nxt))
                nxt += c
            else:
                return False
            w.send({"seed": seed, "ops": ops, "start": s, "count": c, "deadline": deadline})
            return True

        def lost(w, kind):
            """A worker died or hung in its batch: record the call, requeue the rest, restart."""
            i = w.index()
            s, c = w.batch
            i = i if s <= i < s + c else s
            call = fe.make_call(seed, i, sel)
            how = (f"killed after {self.hang_s:.0f} s without progress" if kind == fe.HANG
                   else f"worker exited with {w.proc.returncode} "
                        f"({_signal_name(w.proc.returncode)})")
            if w.in_torch():
                kind, how = fe.TORCH_CRASH, f"in torch, after ember's call returned: {how}"
            tail = w.stderr_tail().strip().splitlines()
            detail = how + (f"; stderr: {tail[-1][:200]}" if tail else "")
            results.add({"seed": seed, "index": i, "op": call.op.name, "kind": kind, "detail": detail,
                         "snippet": call.snippet()})
            results.calls += i - s + 1
            if i + 1 < s + c:
                pending.append((i + 1, s + c - i - 1))
            results.restarts += 1
            w.close(kill=True)
            return _Worker(self.threads_env)

        try:
            busy = 0
            while True:
                for j, w in enumerate(workers):
                    if w.ready and w.batch is None and give(w):
                        busy += 1
                exhausted = nxt >= end or time.time() >= deadline
                if busy == 0 and all(w.ready for w in workers) and not pending and exhausted:
                    break
                fds = {w.rfd: w for w in workers}
                r, _, _ = select.select(list(fds), [], [], 1.0)
                for fd in r:
                    w = fds[fd]
                    chunk = os.read(fd, 1 << 16)
                    if not chunk:  # the worker is gone
                        w.proc.wait()
                        if w.batch is not None:
                            busy -= 1
                            workers[workers.index(w)] = lost(w, fe.CRASH)
                        else:
                            raise RuntimeError("fuzz worker failed to start:\n" + w.stderr_tail())
                        continue
                    w.buf += chunk
                    *lines, w.buf = w.buf.split(b"\n")
                    for line in lines:
                        msg = json.loads(line)
                        if "finding" in msg:
                            results.add(msg["finding"])
                        elif "done" in msg:
                            results.calls += msg["done"]
                            w.batch = None
                            busy -= 1
                        elif "ready" in msg:
                            w.ready = True
                now = time.time()
                for j, w in enumerate(workers):
                    if w.batch is None:
                        continue
                    i = w.index()
                    if i != w.last_index:
                        w.last_index, w.last_move = i, now
                    elif now - w.last_move > self.hang_s:
                        busy -= 1
                        workers[j] = lost(w, fe.HANG)
                if progress and now - last_report > 10:
                    last_report = now
                    results.seconds = now - t0
                    progress(results)
        finally:
            for w in workers:
                w.close(kill=True)
        results.seconds = time.time() - t0
        return results


def _signal_name(rc):
    if rc is not None and rc < 0:
        try:
            return signal.Signals(-rc).name
        except ValueError:
            return f"signal {-rc}"
    return "no signal"


# ---------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------

def repro_command(seed, index, ops=None):
    extra = "".join(f" --ops '{o}'" for o in ops or ())
    return f"python tests/fuzz/run.py --replay {seed}:{index}{extra}"


def summary_line(res):
    rate = res.calls / res.seconds if res.seconds else 0.0
    crashes = sum(g["count"] for (op, kind), g in res.groups.items() if kind in (fe.CRASH, fe.HANG))
    torch_crashes = sum(g["count"] for (op, kind), g in res.groups.items() if kind == fe.TORCH_CRASH)
    return (f"{res.calls} calls in {res.seconds:.0f} s ({rate:.0f} calls/s), {crashes} crashes/hangs "
            f"(and {torch_crashes} in torch), "
            f"{len(res.groups)} groups of divergences ({len(res.bad_groups())} not in the allowlist), "
            f"{res.restarts} worker restarts")


def report(res, markdown=False, only_bad=False, examples=1):
    """The grouped findings, most frequent first, each with reproducers."""
    groups = res.bad_groups() if only_bad else list(res.groups.items())
    groups.sort(key=lambda kg: (fe.KINDS.index(kg[0][1]), -kg[1]["count"], kg[0]))
    lines = [summary_line(res), ""]
    for (op, kind), g in groups:
        tag = f"known: {g['known']}" if not g["unknown"] else f"NEW: {g['unknown']} not in the allowlist"
        if kind == fe.TORCH_CRASH:
            tag = "torch's own bug: ember's call had returned"
        if markdown:
            lines.append(f"### {op} -- {kind} ({g['count']}) [{tag}]")
        else:
            lines.append(f"{op} -- {kind} ({g['count']}) [{tag}]")
        for covered, f in sorted(((k[0], f) for k, f in g["examples"].items()), key=lambda e: e[0])[:examples]:
            lines.append(f"    {'' if covered or not g['known'] else '(not in the allowlist) '}{f['detail']}")
            lines.append(f"    repro: {repro_command(f['seed'], f['index'], res.ops)}")
            lines.append(f"    {f['snippet'][:600]}")
        if markdown:
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "--worker":
    worker_main(sys.argv[2], int(sys.argv[3]))

"""Differential fuzzing of ember against torch, from the command line (see tests/fuzz/README.md).

    python tests/fuzz/run.py --seconds 600                # a run; findings grouped by op and kind
    python tests/fuzz/run.py --calls 5000000 --seed 7 --out findings.md
    python tests/fuzz/run.py --replay 7:123456            # one call again, in this process
    python tests/fuzz/run.py --list-ops                   # what is fuzzed, with the parameters seen
"""
import argparse
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fuzz_pool


def replay(spec, ops):
    import fuzz_engine as fe

    seed, index = (int(x) for x in spec.split(":"))
    call = fe.make_call(seed, index, fe.select_ops(ops))
    print(f"# call {seed}:{index} of {call.op.name}; L is ember or torch")
    print("from math import inf, nan")
    print(call.snippet())
    for L in (fe.ember, fe.torch):
        kind, value, _ = fe.run_on(call, L)
        try:
            shown = f"{type(value).__name__}: {value}" if kind == "raise" else repr(value)
        except Exception as e:  # noqa: BLE001 - a result that cannot print is worth seeing too
            shown = f"<repr failed: {type(e).__name__}: {e}>"
        print(f"# {L.__name__}: {kind}: {shown[:2000]}")
    findings = fe.execute(call)
    for f in findings:
        print(f"# {f.kind}: {f.detail}")
    if not findings:
        print("# no divergence")
    return 1 if findings else 0


def list_ops(ops):
    import fuzz_engine as fe

    print(f"dtypes: {', '.join(fe.DTYPES)}")
    for op in fe.select_ops(ops):
        sigs = [", ".join(f"{p.name}{'=' if p.has_default else ''}" for p in o) for o in op.overloads]
        print(f"{op.name:40s} {op.kind:8s} {' | '.join(sigs)}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, help="stop after this long (default 60 unless --calls)")
    ap.add_argument("--calls", type=int, help="stop after this many calls")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--start", type=int, default=0, help="first call index (to resume a run)")
    ap.add_argument("--workers", type=int, default=1, help="child processes (each one thread)")
    ap.add_argument("--ops", action="append",
                    help="fnmatch pattern of op names (repeatable): 'ember.*', 'Tensor.__getitem__'")
    ap.add_argument("--out", help="also write the grouped findings as Markdown here")
    ap.add_argument("--examples", type=int, default=2, help="reproducers shown per group")
    ap.add_argument("--new-only", action="store_true", help="show only groups not in known_divergences.py")
    ap.add_argument("--replay", metavar="SEED:INDEX",
                    help="run one call in this process and show both outcomes")
    ap.add_argument("--list-ops", action="store_true")
    ap.add_argument("--suggest-allowlist", action="store_true",
                    help="print a known_divergences.py line for each group it does not cover yet")
    ap.add_argument("--unused", action="store_true",
                    help="list the allowlist entries no finding of this run used (fixed, or found by other "
                         "seeds: rerun the run that found them before removing one)")
    a = ap.parse_args(argv)
    if a.replay:
        return replay(a.replay, a.ops)
    if a.list_ops:
        list_ops(a.ops)
        return 0
    import known_divergences

    seconds = a.seconds if a.seconds or a.calls else 60
    res = fuzz_pool.Results(known_divergences.KNOWN, ops=a.ops)

    def progress(r):
        print(time.strftime("%H:%M:%S"), fuzz_pool.summary_line(r), flush=True)
        if a.out:
            _write(a.out, r, a)

    t0 = time.time()
    # SIGTERM (kill, or a background job, whose SIGINT the shell ignores) stops it as Ctrl-C does
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        fuzz_pool.Pool(a.workers).run(a.seed, seconds, a.calls, a.ops, a.start, res, progress)
    except KeyboardInterrupt:  # a long run stopped by hand still reports what it found
        res.seconds = time.time() - t0
        print("interrupted")
    text = fuzz_pool.report(res, only_bad=a.new_only, examples=a.examples)
    print(text)
    if a.suggest_allowlist:
        print("\n# for the allowlist: open ones in open_<namespace>.py, intended ones in known_divergences.py "
              "(write the reason: intended, or the issue):")
        names = {getattr(fuzz_pool.fe, n): n for n in ("EXC", "RAISES", "ACCEPTS", "VALUE", "DTYPE",
                                                      "SHAPE", "KIND", "INPUT", "LENIENT")}
        for (op, kind), g in sorted(res.bad_groups()):
            if kind not in fuzz_pool.fe.UNALLOWABLE:
                detail = next(f for (covered, _), f in g["examples"].items() if not covered)["detail"]
                print(f"    _open({op!r}, {names[kind]},\n          {detail[:86]!r}),")
    if a.unused:
        unused = [k for i, k in enumerate(known_divergences.KNOWN) if i not in res.used]
        print(f"\n# {len(unused)} of {len(known_divergences.KNOWN)} allowlist entries covered nothing in this run:")
        for k in unused:
            print(f"    {k['op']} / {k['kind']}: {k['reason'][:100]}")
    if a.out:
        _write(a.out, res, a)
    return 1 if res.bad_groups() else 0


def _commit():
    """The checkout's commit: a replay needs the same tests/fuzz (and ember) to redraw a call."""
    import subprocess

    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=False, cwd=os.path.dirname(os.path.abspath(__file__)),
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _write(path, res, a):
    head = (f"# ember vs torch: differential fuzzing, seed {a.seed}, at commit {_commit()}\n\n"
            f"Command: python tests/fuzz/run.py --seed {a.seed}"
            + (f" --calls {a.calls}" if a.calls else "")
            + (f" --seconds {a.seconds:.0f}" if a.seconds else "")
            + "".join(f" --ops '{o}'" for o in a.ops or ()) + "\n\n")
    with open(path + ".tmp", "w") as f:
        f.write(head + fuzz_pool.report(res, markdown=True, examples=a.examples) + "\n")
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    sys.exit(main())

"""Divergences from torch that the fuzzer (tests/fuzz) knows about; tests/fuzz/test_fuzz.py fails on
any other. One entry per (op pattern, kind, optional regex over the detail and snippet), each with
a reason: "intended: ..." (a documented difference) or "open: issue 14 ..." (a known bug not yet
fixed). Crashes and hangs are never allowed. Remove an entry once the op agrees with torch."""

KNOWN = []

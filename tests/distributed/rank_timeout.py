"""Run by test_faults.py: rank 1 skips the all_reduce that rank 0 enters. Rank 0 must raise within
the 2-second timeout, find the group unusable afterwards, and its uncaught error end the job."""
import datetime
import sys
import time

import ember
import ember.distributed as dist

dist.init_process_group(timeout=datetime.timedelta(seconds=2))
if dist.get_rank() == 1:
    time.sleep(120)  # never joins: only rank 0's abort ends this rank
    sys.exit(0)
start = time.monotonic()
try:
    dist.all_reduce(ember.ones(3))
except RuntimeError as e:
    print(f"caught after {time.monotonic() - start:.1f} s: {e}", flush=True)
try:
    dist.barrier()
except RuntimeError as e:
    print(f"then: {e}", flush=True)
    raise

"""Run by test_faults.py: rank 1 raises while rank 0 waits in an all_reduce with a 60 s timeout;
ember.distributed's excepthook must end the whole job at once."""
import datetime

import ember
import ember.distributed as dist

dist.init_process_group(timeout=datetime.timedelta(seconds=60))
if dist.get_rank() == 1:
    raise ValueError("rank 1 fails on purpose")
dist.all_reduce(ember.ones(3))
print("rank 0 passed the all_reduce: wrong", flush=True)

"""Run by test_launch.py through ``python -m ember.distributed.run``: each rank says who it is
and the sum of ones across ranks."""
import ember
import ember.distributed as dist

dist.init_process_group()
t = ember.ones(1)
dist.all_reduce(t)
print(f"rank {dist.get_rank()} of {dist.get_world_size()}: {t.item():g}", flush=True)
dist.destroy_process_group()

"""Run by test_launch.py as 2 ranks: a Checkpoint in a distributed run is written by rank 0 only
(ember.save is wrapped to record who writes), and every rank can read it once save returns."""
import datetime
import os
import sys

import ember
import ember.distributed as dist
from ember.train import Checkpoint

folder = sys.argv[1]
dist.init_process_group(timeout=datetime.timedelta(seconds=30))
rank = dist.get_rank()
writes = []
real_save = ember.save
ember.save = lambda obj, f, *a, **k: (writes.append(os.path.basename(f)), real_save(obj, f, *a, **k))[1]

ember.manual_seed(0)  # the same model on every rank, as DDP keeps it
model = ember.nn.Linear(3, 2)
opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
ckpt = Checkpoint(folder, model=model, optimizer=opt, keep_last_n=1)
for epoch in range(ckpt.resume(), 2):
    opt.zero_grad()
    model(ember.ones(4, 3)).sum().backward()
    opt.step()
    ckpt.save(epoch)
    assert ckpt.load()["epoch"] == epoch  # complete on every rank once save returned
print(f"rank {rank} wrote {writes}", flush=True)
dist.destroy_process_group()

"""Data-parallel scaling of ember (issue 19): ResNet-20 training steps (SGD, synthetic 32x32
images) on one rank, and on N ranks under DistributedDataParallel, 1 thread per rank; the
throughput ratio (target >= 1.7 with 2 ranks) and the fraction of all-reduce time hidden
behind backward (1 - time waited at the end of backward / time the all-reduces were in flight).

Run: python benchmarks/dist_ddp.py [-n 2] [--batch 32] [--steps 12]   (starts mpirun itself: one
     job with 1 rank, then one with n ranks)

Each rank trains on --batch images per step (weak scaling, as DDP is used): images/s counts all
ranks' images. Cores shared with other jobs lower the N-rank figure first: the row "N ranks, no
DDP" (each rank training alone, no communication) shows what the machine allows at the moment,
and DDP's own cost is the gap between it and the DDP row.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import ember
import ember.distributed as dist
from ember import nn

UNDER_MPI = any(k in os.environ for k in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", type=int, default=2, help="ranks of the data-parallel job (default 2)")
    p.add_argument("--batch", type=int, default=32, help="images per rank per step (default 32)")
    p.add_argument("--steps", type=int, default=12, help="timed steps, after 2 warm-up steps (default 12)")
    p.add_argument("--bucket-cap-mb", type=float, default=None, help="DDP's bucket_cap_mb (default torch's)")
    p.add_argument("--local", action="store_true", help="(internal) N ranks each training alone, without DDP")
    return p.parse_args()


def train(args):
    """Runs on every rank; rank 0 prints one JSON line."""
    ember.set_num_threads(1)
    dist.init_process_group()
    rank, world = dist.get_rank(), dist.get_world_size()
    ember.manual_seed(rank)
    model = ember.models.resnet20()
    ddp = world > 1 and not args.local
    if ddp:
        model = nn.parallel.DistributedDataParallel(model, bucket_cap_mb=args.bucket_cap_mb)
    opt = ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    x = ember.randn(args.batch, 3, 32, 32)
    y = ember.randint(0, 10, (args.batch,))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    for _ in range(2):
        step()
    if ddp:
        model.comm_stats.update(iterations=0, in_flight_s=0.0, waited_s=0.0)
    dist.barrier()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    dist.barrier()
    seconds = time.perf_counter() - start
    if rank == 0:
        row = {"ranks": world, "images_per_s": world * args.batch * args.steps / seconds,
               "step_ms": 1e3 * seconds / args.steps}
        if ddp:
            s = model.comm_stats
            row.update(buckets=len(model._buckets), in_flight_ms=1e3 * s["in_flight_s"] / s["iterations"],
                       waited_ms=1e3 * s["waited_s"] / s["iterations"],
                       hidden=1 - s["waited_s"] / s["in_flight_s"] if s["in_flight_s"] else 0.0)
        print(json.dumps(row), flush=True)
    dist.destroy_process_group()


def run_job(n, argv):
    from ember.distributed.run import mpirun_command

    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run(mpirun_command(n, [__file__, *argv]), capture_output=True, text=True, env=env, check=False)
    rows = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not rows:
        sys.exit(f"dist_ddp: the {n}-rank job failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(rows[-1])


def main():
    args = parse_args()
    if UNDER_MPI:
        return train(args)
    one = run_job(1, sys.argv[1:])
    alone = run_job(args.n, [*sys.argv[1:], "--local"])
    many = run_job(args.n, sys.argv[1:])
    print(f"ResNet-20 training, SGD, {args.batch} images of 3x32x32 per rank per step, 1 thread per rank, "
          f"{args.steps} steps:")
    print(f"  1 rank                  {one['images_per_s']:8.1f} images/s  {one['step_ms']:8.1f} ms/step")
    print(f"  {args.n} ranks, no DDP        {alone['images_per_s']:8.1f} images/s  {alone['step_ms']:8.1f} ms/step   "
          f"x{alone['images_per_s'] / one['images_per_s']:.2f} (what the free cores allow)")
    print(f"  {args.n} ranks (DDP)          {many['images_per_s']:8.1f} images/s  {many['step_ms']:8.1f} ms/step   "
          f"x{many['images_per_s'] / one['images_per_s']:.2f} the throughput of 1 rank")
    print(f"  all-reduce per step: {many['buckets']} buckets, {many['in_flight_ms']:.2f} ms in flight, "
          f"{many['waited_ms']:.2f} ms waited at the end of backward: {100 * many['hidden']:.0f}% hidden")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""All-reduce bandwidth of ember.distributed (issue 19): a 100 MB float32 tensor summed across the
ranks of one machine, beside the same all-reduce by mpi4py on a NumPy array (MPI's own speed, the
floor of ember's), by torch.distributed's gloo backend, and this machine's memory-copy rate.

Run: python benchmarks/dist_allreduce.py            (starts itself as 2 ranks with the venv's mpirun)
     mpirun -n 4 python benchmarks/dist_allreduce.py [--mb 100] [--repeat 5]

Bandwidths are the data size over the median time ("algorithm bandwidth"); "bus" bandwidth
multiplies it by 2(n-1)/n, the bytes each rank must move in a ring all-reduce (NCCL's convention),
which is what compares with the copy rate.
"""
import argparse
import datetime
import os
import statistics
import sys
import time

import ember
import ember.distributed as dist
import numpy as np

UNDER_MPI = any(k in os.environ for k in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mb", type=float, default=100.0, help="tensor size in MB (default 100)")
    p.add_argument("--repeat", type=int, default=5, help="timed runs, after one warm-up (default 5)")
    p.add_argument("-n", type=int, default=2, help="ranks when it starts itself (default 2)")
    p.add_argument("--no-torch", action="store_true", help="skip torch.distributed (gloo)")
    return p.parse_args()


def median_seconds(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        dist.barrier()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def torch_gloo(n_elems, repeat, rank, world):
    """torch.distributed's all_reduce with gloo, its CPU backend, or None when torch is absent."""
    try:
        import torch
        import torch.distributed as tdist
    except ImportError:
        return None
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29517")
    tdist.init_process_group("gloo", rank=rank, world_size=world, timeout=datetime.timedelta(seconds=120))
    t = torch.ones(n_elems)
    seconds = median_seconds(lambda: tdist.all_reduce(t), repeat)
    tdist.destroy_process_group()
    return seconds


def main():
    args = parse_args()
    if not UNDER_MPI:
        import subprocess

        from ember.distributed.run import mpirun_command
        return subprocess.call(mpirun_command(args.n, [__file__, *sys.argv[1:]]))
    ember.set_num_threads(1)
    dist.init_process_group()
    rank, world = dist.get_rank(), dist.get_world_size()
    nbytes = int(args.mb * 1e6) // 4 * 4
    n = nbytes // 4
    t = ember.ones(n)
    rows = {"ember all_reduce": median_seconds(lambda: dist.all_reduce(t), args.repeat)}
    from mpi4py import MPI

    comm, a = MPI.COMM_WORLD, np.ones(n, dtype=np.float32)
    rows["mpi4py Allreduce (NumPy)"] = median_seconds(lambda: comm.Allreduce(MPI.IN_PLACE, a), args.repeat)
    if not args.no_torch:
        seconds = torch_gloo(n, args.repeat, rank, world)
        if seconds is not None:
            rows["torch all_reduce (gloo)"] = seconds
    src, dst = np.ones(n, dtype=np.float32), np.empty(n, dtype=np.float32)
    copy = median_seconds(lambda: np.copyto(dst, src), args.repeat)
    if rank == 0:
        bus = 2 * (world - 1) / world
        print(f"all-reduce of {nbytes / 1e6:.0f} MB float32 across {world} ranks (1 thread each), median of "
              f"{args.repeat}:")
        torch_s = rows.get("torch all_reduce (gloo)")
        for name, s in rows.items():
            rate = nbytes / s / 1e9
            ratio = f"   time/torch's {s / torch_s:.2f}" if torch_s else ""
            print(f"  {name:<26} {s * 1e3:8.1f} ms  {rate:6.2f} GB/s  (bus {rate * bus:6.2f} GB/s){ratio}")
        print(f"  {'memory copy (np.copyto)':<26} {copy * 1e3:8.1f} ms  {nbytes / copy / 1e9:6.2f} GB/s  "
              f"(read + write {2 * nbytes / copy / 1e9:.2f} GB/s)")
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())

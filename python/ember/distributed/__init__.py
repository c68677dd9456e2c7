"""ember.distributed: a process group and collectives over MPI, with torch.distributed's names and
semantics. Launch with ``mpirun -n N python script.py`` (or ``python -m ember.distributed.run -n N
script.py``) and call :func:`init_process_group`. It needs mpi4py and an MPI: ``pip install
"ember[distributed]"``; importing this module does not load them."""
from ember.distributed.distributed_c10d import (
                                                ProcessGroup,
                                                ReduceOp,
                                                Work,
                                                all_gather,
                                                all_gather_into_tensor,
                                                all_gather_single,
                                                all_reduce,
                                                barrier,
                                                broadcast,
                                                destroy_process_group,
                                                get_backend,
                                                get_rank,
                                                get_world_size,
                                                group,
                                                init_process_group,
                                                is_available,
                                                is_initialized,
                                                is_mpi_available,
                                                reduce_scatter,
                                                reduce_scatter_single,
                                                reduce_scatter_tensor,
)

__all__ = ["ProcessGroup", "ReduceOp", "Work", "all_gather", "all_gather_into_tensor", "all_gather_single",
           "all_reduce", "barrier", "broadcast", "destroy_process_group", "get_backend", "get_rank",
           "get_world_size", "group", "init_process_group", "is_available", "is_initialized", "is_mpi_available",
           "reduce_scatter", "reduce_scatter_single", "reduce_scatter_tensor"]

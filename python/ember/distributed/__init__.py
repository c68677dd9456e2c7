"""ember.distributed: process groups, collectives and point-to-point messages over MPI, with
torch.distributed's names and semantics. Launch with ``mpirun -n N python script.py`` (or ``python -m
ember.distributed.run -n N script.py``) and call :func:`init_process_group`. It needs mpi4py and an
MPI: ``pip install "ember[distributed]"``; importing this module does not load them."""
from ember.distributed.distributed_c10d import (
                                                GroupMember,
                                                ProcessGroup,
                                                ReduceOp,
                                                Work,
                                                all_gather,
                                                all_gather_into_tensor,
                                                all_gather_single,
                                                all_reduce,
                                                all_to_all,
                                                all_to_all_single,
                                                barrier,
                                                broadcast,
                                                destroy_process_group,
                                                gather,
                                                get_backend,
                                                get_global_rank,
                                                get_group_rank,
                                                get_process_group_ranks,
                                                get_rank,
                                                get_world_size,
                                                group,
                                                init_process_group,
                                                is_available,
                                                is_initialized,
                                                is_mpi_available,
                                                new_group,
                                                reduce,
                                                reduce_scatter,
                                                reduce_scatter_single,
                                                reduce_scatter_tensor,
                                                scatter,
)
from ember.distributed.object_collectives import (
                                                  all_gather_object,
                                                  broadcast_object_list,
                                                  gather_object,
                                                  scatter_object_list,
)
from ember.distributed.point_to_point import P2POp, batch_isend_irecv, irecv, isend, recv, send

__all__ = ["GroupMember", "P2POp", "ProcessGroup", "ReduceOp", "Work", "all_gather", "all_gather_into_tensor",
           "all_gather_object", "all_gather_single", "all_reduce", "all_to_all", "all_to_all_single", "barrier",
           "batch_isend_irecv", "broadcast", "broadcast_object_list", "destroy_process_group", "gather",
           "gather_object", "get_backend", "get_global_rank", "get_group_rank", "get_process_group_ranks",
           "get_rank", "get_world_size", "group", "init_process_group", "irecv", "is_available", "is_initialized",
           "is_mpi_available", "isend", "new_group", "recv", "reduce", "reduce_scatter", "reduce_scatter_single",
           "reduce_scatter_tensor", "scatter", "scatter_object_list", "send"]

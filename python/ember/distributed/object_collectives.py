"""Collectives of picklable Python objects, as torch.distributed's ``*_object`` functions: each
object is pickled into a uint8 tensor, the sizes travel first, then the bytes through the tensor
collectives (so they share their timeout and failure handling).

Unpickling runs whatever the sending rank pickled: use them only among ranks you trust, as torch's."""
import io
import pickle

import ember
from ember.distributed.distributed_c10d import (_group, _peer, all_gather_into_tensor, broadcast, gather,
                                                scatter)

__all__ = ["all_gather_object", "broadcast_object_list", "gather_object", "scatter_object_list"]


def _to_bytes(obj):
    data = pickle.dumps(obj)
    return ember.frombuffer(bytearray(data), dtype=ember.uint8) if data else ember.zeros(0, dtype=ember.uint8)


def _from_bytes(t, n):
    return pickle.load(io.BytesIO(t[:n].numpy().tobytes()))


def _padded(t, n):
    out = ember.zeros(n, dtype=ember.uint8)
    out[:t.numel()] = t
    return out


def all_gather_object(object_list, obj, group=None):
    """Gathers a picklable object from every rank into ``object_list`` on every rank, as
    ``torch.distributed.all_gather_object``.

    Args:
        object_list (list): filled in place, one object per rank (its length must be the group's size).
        obj: this rank's object (picklable).
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).

    Example::

        >>> out = [None, None]                                         # doctest: +SKIP
        >>> dist.all_gather_object(out, {"rank": dist.get_rank()}); out  # doctest: +SKIP
        [{'rank': 0}, {'rank': 1}]
    """
    pg = _group("all_gather_object", group)
    if pg is None:
        return
    if not isinstance(object_list, list) or len(object_list) != pg.size():
        raise ValueError(f"all_gather_object: object_list must be a list of {pg.size()} entries (one per rank), "
                         f"got {object_list!r}")
    data = _to_bytes(obj)
    sizes = ember.zeros(pg.size(), dtype=ember.int64)
    all_gather_into_tensor(sizes, ember.tensor([data.numel()]), group=pg)
    longest = int(sizes.max())
    gathered = ember.zeros(pg.size() * longest, dtype=ember.uint8)
    all_gather_into_tensor(gathered, _padded(data, longest), group=pg)
    for r in range(pg.size()):
        object_list[r] = _from_bytes(gathered[r * longest:(r + 1) * longest], int(sizes[r]))


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """Gathers a picklable object from every rank into ``object_gather_list`` on rank ``dst``, as
    ``torch.distributed.gather_object``.

    Args:
        obj: this rank's object (picklable).
        object_gather_list (list, optional): on ``dst``, a list of the group's size, filled in place;
            None elsewhere.
        dst (int, optional): the global rank that receives. Default: 0 when ``group_dst`` is None too.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        group_dst (int, optional): the receiver's rank in ``group`` instead of ``dst``.

    Example::

        >>> out = [None, None] if dist.get_rank() == 0 else None  # doctest: +SKIP
        >>> dist.gather_object(dist.get_rank() * 10, out, dst=0)  # doctest: +SKIP
    """
    pg = _group("gather_object", group)
    if pg is None:
        return
    if dst is None and group_dst is None:
        dst = 0
    root = _peer("gather_object", pg, dst, group_dst, "dst")
    if pg.rank() == root and (not isinstance(object_gather_list, list) or len(object_gather_list) != pg.size()):
        raise ValueError(f"gather_object: object_gather_list must be a list of {pg.size()} entries on the "
                         f"destination rank, got {object_gather_list!r}")
    data = _to_bytes(obj)
    sizes = ember.zeros(pg.size(), dtype=ember.int64)
    all_gather_into_tensor(sizes, ember.tensor([data.numel()]), group=pg)
    longest = int(sizes.max())
    mine = pg.rank() == root
    parts = [ember.zeros(longest, dtype=ember.uint8) for _ in range(pg.size())] if mine else None
    gather(_padded(data, longest), parts, group=pg, group_dst=root)
    if mine:
        for r in range(pg.size()):
            object_gather_list[r] = _from_bytes(parts[r], int(sizes[r]))


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Copies the picklable objects of ``object_list`` on rank ``src`` into ``object_list`` on
    every rank (same length everywhere), as ``torch.distributed.broadcast_object_list``.

    Args:
        object_list (list): the objects on ``src``; filled in place elsewhere.
        src (int, optional): the global rank that sends. Default: 0 when ``group_src`` is None too.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        device: accepted for torch's signature (CPU only); ignored.
        group_src (int, optional): the sender's rank in ``group`` instead of ``src``.

    Example::

        >>> objs = [{"lr": 0.1}, "cfg"] if dist.get_rank() == 0 else [None, None]  # doctest: +SKIP
        >>> dist.broadcast_object_list(objs, src=0); objs                        # doctest: +SKIP
        [{'lr': 0.1}, 'cfg']
    """
    pg = _group("broadcast_object_list", group)
    if pg is None:
        return
    if not isinstance(object_list, list):
        raise TypeError(f"broadcast_object_list: object_list must be a list, got {type(object_list).__name__}")
    if src is None and group_src is None:
        src = 0
    root = _peer("broadcast_object_list", pg, src, group_src, "src")
    mine = pg.rank() == root
    parts = [_to_bytes(o) for o in object_list] if mine else []
    sizes = ember.tensor([p.numel() for p in parts], dtype=ember.int64) if mine else \
        ember.zeros(len(object_list), dtype=ember.int64)
    broadcast(sizes, group=pg, group_src=root)
    flat = ember.cat(parts) if mine and parts else ember.zeros(int(sizes.sum()), dtype=ember.uint8)
    broadcast(flat, group=pg, group_src=root)
    if not mine:
        at = 0
        for i, n in enumerate(sizes.tolist()):
            object_list[i] = _from_bytes(flat[at:at + n], n)
            at += n


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None, group=None,
                        group_src=None):
    """Sends ``scatter_object_input_list[r]`` from rank ``src`` to rank r, which finds it in
    ``scatter_object_output_list[0]``, as ``torch.distributed.scatter_object_list``.

    Args:
        scatter_object_output_list (list): at least one entry; the first receives this rank's object.
        scatter_object_input_list (list, optional): on ``src``, one picklable object per rank.
        src (int, optional): the global rank that sends. Default: 0 when ``group_src`` is None too.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        group_src (int, optional): the sender's rank in ``group`` instead of ``src``.

    Example::

        >>> out = [None]                                                                # doctest: +SKIP
        >>> dist.scatter_object_list(out, ["a", "b"] if dist.get_rank() == 0 else None)  # doctest: +SKIP
        >>> out                                                       # on rank 1       # doctest: +SKIP
        ['b']
    """
    pg = _group("scatter_object_list", group)
    if pg is None:
        return
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size at least 1.")
    if src is None and group_src is None:
        src = 0
    root = _peer("scatter_object_list", pg, src, group_src, "src")
    mine = pg.rank() == root
    if mine and (not isinstance(scatter_object_input_list, list) or len(scatter_object_input_list) != pg.size()):
        raise ValueError(f"scatter_object_list: scatter_object_input_list must be a list of {pg.size()} objects "
                         f"on the source rank, got {scatter_object_input_list!r}")
    parts = [_to_bytes(o) for o in scatter_object_input_list] if mine else []
    longest = ember.tensor([max((p.numel() for p in parts), default=0)], dtype=ember.int64)
    broadcast(longest, group=pg, group_src=root)
    n = int(longest)
    size = ember.zeros(1, dtype=ember.int64)
    scatter(size, [ember.tensor([p.numel()]) for p in parts] if mine else None, group=pg, group_src=root)
    data = ember.zeros(n, dtype=ember.uint8)
    scatter(data, [_padded(p, n) for p in parts] if mine else None, group=pg, group_src=root)
    scatter_object_output_list[0] = _from_bytes(data, int(size))

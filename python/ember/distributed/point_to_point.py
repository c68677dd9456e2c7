"""Point-to-point messages of ember.distributed: send/recv, their nonblocking forms and batches,
with torch.distributed's names. Tensors travel on the group's own communicator (MPI keeps them
apart from the collectives), from and into the tensor's memory, and wait with the group's timeout."""
from ember.distributed.distributed_c10d import _Buffer, _check_tensor, _group, _launch, _mpi, _peer

__all__ = ["P2POp", "batch_isend_irecv", "irecv", "isend", "recv", "send"]


def _check_tag(op, tag):
    if isinstance(tag, bool) or not isinstance(tag, int) or not 0 <= tag < 2 ** 15:
        raise ValueError(f"{op}: tag must be an int in [0, 32767] (MPI's guaranteed tag range), got {tag!r}")


def _endpoint(op, tensor, group, tag, rank, group_rank, what):
    """(group, the peer's group rank) of a send or receive after its checks; (None, None) on a rank
    outside the group. A receive from any rank has both rank and group_rank None: MPI.ANY_SOURCE."""
    pg = _group(op, group)
    if pg is None:
        return None, None
    _check_tensor(op, "tensor", tensor)
    _check_tag(op, tag)
    if what == "src" and rank is None and group_rank is None:
        return pg, _mpi().ANY_SOURCE
    peer = _peer(op, pg, rank, group_rank, what)
    if peer == pg.rank():
        role = "destination" if what == "dst" else "source"
        raise ValueError(f"Invalid {role} rank: {role} rank should not be the same as the rank of the current "
                         f"process. ({op})")
    return pg, peer


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Starts sending ``tensor`` to rank ``dst`` and returns at once, as ``torch.distributed.isend``.
    Do not write the tensor until the returned Work's ``wait`` has returned.

    Args:
        tensor (Tensor): the data.
        dst (int): the receiver's global rank (or give ``group_dst``).
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        tag (int): matched against the receiver's ``tag``. Default: 0.
        group_dst (int, optional): the receiver's rank in ``group`` instead of ``dst``.

    Returns:
        Work: the send in flight (None on a rank that is not in ``group``).

    Example::

        >>> work = dist.isend(ember.ones(3), dst=1)  # on rank 0  # doctest: +SKIP
        >>> work.wait()                                          # doctest: +SKIP
        True
    """
    pg, peer = _endpoint("isend", tensor, group, tag, dst, group_dst, "dst")
    if pg is None:
        return None
    buf = _Buffer(tensor)
    return _launch("isend", pg, lambda MPI: pg.comm.Isend(buf.spec(MPI), dest=peer, tag=tag), None, True)


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Starts receiving into ``tensor`` from rank ``src`` (any rank when both ``src`` and
    ``group_src`` are None) and returns at once, as ``torch.distributed.irecv``.

    Args:
        tensor (Tensor): where the data lands (its shape and dtype must match the sender's).
        src (int, optional): the sender's global rank. Default: any rank.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        tag (int): must equal the sender's ``tag``. Default: 0.
        group_src (int, optional): the sender's rank in ``group`` instead of ``src``.

    Returns:
        Work: the receive in flight (None on a rank that is not in ``group``).

    Example::

        >>> t = ember.zeros(3)                      # on rank 1  # doctest: +SKIP
        >>> dist.irecv(t, src=0).wait(); t                       # doctest: +SKIP
        tensor([1., 1., 1.])
    """
    return _irecv("irecv", tensor, src, group, tag, group_src)


def _irecv(op, tensor, src, group, tag, group_src):
    pg, peer = _endpoint(op, tensor, group, tag, src, group_src, "src")
    if pg is None:
        return None
    buf = _Buffer(tensor)
    status = _mpi().Status()
    work = _launch(op, pg, lambda MPI: pg.comm.Irecv(buf.spec(MPI), source=peer, tag=tag), buf.finish, True, status)
    work._sender = lambda: pg.ranks[status.Get_source()]
    return work


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Sends ``tensor`` to rank ``dst`` and waits until the data has left it, as
    ``torch.distributed.send``.

    Args:
        tensor (Tensor): the data.
        dst (int): the receiver's global rank (or give ``group_dst``).
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        tag (int): matched against the receiver's ``tag``. Default: 0.
        group_dst (int, optional): the receiver's rank in ``group`` instead of ``dst``.

    Raises:
        ValueError: ``dst`` is this rank, or not a rank of the group.
        RuntimeError: the receiver does not take it within the group's timeout.

    Example::

        >>> if dist.get_rank() == 0:                     # doctest: +SKIP
        ...     dist.send(ember.arange(3.0), dst=1)
    """
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receives into ``tensor`` from rank ``src`` (any rank when both ``src`` and ``group_src`` are
    None) and waits for it, as ``torch.distributed.recv``.

    Args:
        tensor (Tensor): where the data lands (its shape and dtype must match the sender's).
        src (int, optional): the sender's global rank. Default: any rank.
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        tag (int): must equal the sender's ``tag``. Default: 0.
        group_src (int, optional): the sender's rank in ``group`` instead of ``src``.

    Returns:
        int: the sender's global rank; -1 on a rank that is not in ``group``.

    Example::

        >>> t = ember.zeros(3)             # on rank 1  # doctest: +SKIP
        >>> dist.recv(t), t                             # doctest: +SKIP
        (0, tensor([0., 1., 2.]))
    """
    work = _irecv("recv", tensor, src, group, tag, group_src)
    if work is None:
        return -1
    work.wait()
    return work._sender()


class P2POp:
    """One send or receive for :func:`batch_isend_irecv`, as ``torch.distributed.P2POp``.

    Args:
        op (callable): :func:`isend` or :func:`irecv`.
        tensor (Tensor): the data to send or the tensor to receive into.
        peer (int, optional): the other rank (global). Default: ``None`` (give ``group_peer``).
        group (ProcessGroup, optional): the group. Default: ``None`` (the default group).
        tag (int): the message tag. Default: 0.
        group_peer (int, optional): the other rank in ``group`` instead of ``peer``.

    Example::

        >>> ops = [P2POp(isend, ember.ones(2), 1), P2POp(irecv, ember.zeros(2), 1)]  # doctest: +SKIP
    """

    def __init__(self, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        if op not in (isend, irecv):
            raise ValueError("Invalid ``op``. Expected ``op`` to be ``ember.distributed.isend`` or "
                             "``ember.distributed.irecv``.")
        _check_tensor("P2POp", "tensor", tensor)
        if peer is None and group_peer is None:
            raise ValueError("P2POp: peer or group_peer must be given")
        self.op, self.tensor, self.peer, self.group, self.tag, self.group_peer = op, tensor, peer, group, tag, group_peer

    def __repr__(self):
        return f"P2POp(op={self.op.__name__}, peer={self.peer}, group_peer={self.group_peer}, tag={self.tag})"


def batch_isend_irecv(p2p_op_list):
    """Starts every send and receive of ``p2p_op_list`` and returns their Works, as
    ``torch.distributed.batch_isend_irecv``. All are started before any is waited for, so a ring
    exchange (send right, receive left) cannot deadlock.

    Args:
        p2p_op_list (list of P2POp): the operations.

    Returns:
        list of Work: one per operation, in order.

    Example::

        >>> r, n = dist.get_rank(), dist.get_world_size()                       # doctest: +SKIP
        >>> recv_buf = ember.zeros(1)                                           # doctest: +SKIP
        >>> works = dist.batch_isend_irecv([P2POp(isend, ember.ones(1) * r, (r + 1) % n),
        ...                                 P2POp(irecv, recv_buf, (r - 1) % n)])  # doctest: +SKIP
        >>> for w in works: w.wait()                                           # doctest: +SKIP
    """
    if not isinstance(p2p_op_list, list) or not p2p_op_list or not all(isinstance(p, P2POp) for p in p2p_op_list):
        raise ValueError("Invalid ``p2p_op_list``. Each op is expected to be an ``ember.distributed.P2POp``.")
    works = []
    for p in p2p_op_list:
        if p.op is isend:
            works.append(isend(p.tensor, p.peer, p.group, p.tag, p.group_peer))
        else:
            works.append(irecv(p.tensor, p.peer, p.group, p.tag, p.group_peer))
    return works

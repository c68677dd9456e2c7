"""DistributedDataParallel: data-parallel training over ember.distributed, as
torch.nn.parallel.DistributedDataParallel.

Each rank runs the whole model on its share of the batch. Gradients are grouped in buckets (in
reverse parameter order, the order backward produces them); a bucket is flattened into one buffer
and all-reduced asynchronously as soon as its last gradient is accumulated (a
post-accumulate-grad hook on every parameter), so communication overlaps the rest of backward.
The hook that completes the last bucket waits for all of them and writes the averaged gradients
back into ``.grad``: backward returns with every rank holding the same gradients.
"""
import contextlib
import time
import weakref

import ember
from ember import distributed as dist
from ember.nn.modules import Module

_DEFAULT_BUCKET_CAP_MB = 25
_DEFAULT_FIRST_BUCKET_BYTES = 1024 * 1024  # torch's: a small first bucket starts communication early

_NOT_FINISHED = (
    "Expected to have finished reduction in the prior iteration before starting a new one. This error "
    "indicates that your module has parameters that were not used in producing loss. You can enable unused "
    "parameter detection by passing the keyword argument `find_unused_parameters=True` to "
    "`ember.nn.parallel.DistributedDataParallel`, and by making sure all `forward` function outputs "
    "participate in calculating loss.\nParameter indices which did not receive grad for rank {rank}: {missing}")


class _Bucket:
    """Gradients of some parameters of one dtype, reduced together through one flat buffer. With
    find_unused_parameters the buffer ends with one "used" count per parameter (summed by the same
    all-reduce), so a parameter no rank used keeps its .grad."""

    def __init__(self, indices, params, track_used):
        self.indices = indices
        self.offsets, n = [], 0
        for i in indices:
            self.offsets.append(n)
            n += params[i].numel()
        self.numel = n
        self.buffer = ember.zeros(n + (len(indices) if track_used else 0), dtype=params[indices[0]].dtype)
        self.pending = len(indices)
        self.work = None
        self.launched_at = self.done_at = 0.0

    def slot(self, k, param):
        return self.buffer.narrow(0, self.offsets[k], param.numel())


def _assign_buckets(params, first_cap, cap):
    """Lists of parameter indices, in reverse order, each of one dtype and at most ``cap`` bytes
    (``first_cap`` for the first) unless one parameter alone is larger."""
    buckets, current, size, dtype = [], [], 0, None
    for i in reversed(range(len(params))):
        p = params[i]
        nbytes = p.numel() * p.element_size()
        limit = first_cap if not buckets else cap
        if current and (p.dtype != dtype or size + nbytes > limit):
            buckets.append(current)
            current, size = [], 0
        current.append(i)
        size += nbytes
        dtype = p.dtype
    if current:
        buckets.append(current)
    return buckets


def _output_tensors(obj):
    """The tensors in a forward's result (a tensor, or lists, tuples and dicts of them)."""
    if isinstance(obj, ember.Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _output_tensors(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _output_tensors(o)


class DistributedDataParallel(Module):
    r"""Data-parallel training of ``module`` across the ranks of a process group, as
    ``torch.nn.parallel.DistributedDataParallel`` on CPU tensors.

    At construction the parameters (and buffers) of rank 0 are broadcast to every rank. In backward,
    gradients are all-reduced in buckets of about ``bucket_cap_mb`` MiB as soon as each bucket is
    complete, overlapping communication with the rest of backward, and averaged over the ranks
    (summed, then divided by the world size), so that after ``loss.backward()`` every rank holds the
    gradient of the mean loss over the concatenated batch and an optimizer step keeps the replicas
    identical. Outside :meth:`no_sync`, every forward in training must be followed by a backward.

    Args:
        module (Module): the model; its parameters must have the same shapes on every rank.
        device_ids (list, optional): must be None (CPU tensors). Default: None.
        output_device (optional): must be None. Default: None.
        dim (int, optional): kept for torch's signature (inputs are not scattered). Default: 0.
        broadcast_buffers (bool, optional): broadcast rank 0's buffers (e.g. BatchNorm's running
            statistics) at construction and before every forward. Default: None (True).
        init_sync (bool, optional): broadcast rank 0's parameters and buffers at construction.
            Default: True.
        process_group (ProcessGroup, optional): the group; None: the default one. Default: None.
        bucket_cap_mb (float, optional): bucket size in MiB. Default: None (25, with a first bucket
            of 1 MiB, as torch).
        find_unused_parameters (bool, optional): find, after each forward, the parameters that
            are not reached from its outputs and count them ready, so that backward completes
            without them. Default: False (a parameter without gradient raises at the next forward).
        check_reduction (bool, optional): ignored (deprecated in torch). Default: False.
        gradient_as_bucket_view (bool, optional): accepted; gradients are copied into and out of
            the buckets either way. Default: False.
        static_graph (bool, optional): accepted; no effect on the results. Default: False.
        forward_sync_buffers (bool, optional): torch 2.13's name for broadcast_buffers' per-forward
            broadcast. Default: None.

    Raises:
        ValueError: device_ids or output_device given, or a negative bucket_cap_mb.
        RuntimeError: no process group, or parameter shapes differ across ranks.

    Example::

        >>> dist.init_process_group("mpi")                        # doctest: +SKIP
        >>> model = nn.parallel.DistributedDataParallel(nn.Linear(4, 2))  # doctest: +SKIP
        >>> model(ember.randn(8, 4)).sum().backward()             # doctest: +SKIP
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=None, init_sync=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False, delay_all_reduce_named_params=None,
                 param_to_hook_all_reduce=None, mixed_precision=None, device_mesh=None,
                 skip_all_reduce_unused_params=False, bucket_cap_mb_list=None, batched_grad_copy=False,
                 forward_sync_buffers=None):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be an ember.nn.Module, got {type(module).__name__}")
        if device_ids is not None or output_device is not None:
            raise ValueError("DistributedDataParallel: device_ids and output_device must be None for CPU modules, "
                             f"got device_ids={device_ids}, output_device={output_device}")
        unsupported = {"delay_all_reduce_named_params": delay_all_reduce_named_params,
                       "param_to_hook_all_reduce": param_to_hook_all_reduce, "mixed_precision": mixed_precision,
                       "device_mesh": device_mesh, "bucket_cap_mb_list": bucket_cap_mb_list}
        for name, value in unsupported.items():
            if value is not None:
                raise NotImplementedError(f"DistributedDataParallel: {name} is not supported")
        if bucket_cap_mb is not None and bucket_cap_mb < 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be >= 0, got {bucket_cap_mb}")
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter "
                               "that requires a gradient.")
        self.module = module
        self.dim = dim
        self.process_group = process_group
        self.world_size = dist.get_world_size(process_group)
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        if forward_sync_buffers is not None:
            self.broadcast_buffers, init_buffers = forward_sync_buffers, True
        else:
            self.broadcast_buffers = init_buffers = broadcast_buffers is None or bool(broadcast_buffers)
        self.require_backward_grad_sync = True
        self.bucket_cap_mb = _DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb
        cap = int(self.bucket_cap_mb * 1024 * 1024)
        first_cap = min(_DEFAULT_FIRST_BUCKET_BYTES, cap) if bucket_cap_mb is None else cap

        self._params = params
        if init_sync:
            self._check_shapes()
            self._broadcast([p.detach() for p in params])
            if init_buffers:
                self._broadcast(self._buffers())
        self._buckets = [_Bucket(ix, params, find_unused_parameters) for ix in _assign_buckets(params, first_cap, cap)]
        self._where = {}  # parameter index -> (bucket, position in it)
        for b in self._buckets:
            for k, i in enumerate(b.indices):
                self._where[i] = (b, k)
        self._used = [False] * len(params)  # this iteration's (and no_sync's) gradients, for find_unused
        self._ready = [False] * len(params)
        self._expect_backward = False
        self._next_bucket = 0
        # Seconds of communication in flight (union over buckets) and of waiting at the end of
        # backward, summed over iterations: 1 - waited / in_flight is the fraction hidden by backward.
        self.comm_stats = {"iterations": 0, "in_flight_s": 0.0, "waited_s": 0.0}
        # The hooks hold the wrapper weakly: a module outliving its DDP wrapper trains alone again.
        me = weakref.ref(self)

        def hook(i):
            def on_ready(param):
                ddp = me()
                if ddp is not None:
                    ddp._on_grad_ready(i)
            return on_ready

        self._hooks = [p.register_post_accumulate_grad_hook(hook(i)) for i, p in enumerate(params)]
        if find_unused_parameters:
            # A parameter's AccumulateGrad node, held so that graph walks find the same object.
            self._accumulators = [(p.view_as(p)).grad_fn.next_functions[0][0] for p in params]

    def __del__(self):
        for h in self.__dict__.get("_hooks", ()):
            h.remove()

    # ---- construction ------------------------------------------------------------------------
    def _buffers(self):
        return [b for b in self.module.buffers()]

    def _check_shapes(self):
        shapes = ember.tensor([d for p in self._params for d in (p.dim(), *p.shape)] or [0], dtype=ember.int64)
        count = ember.tensor([shapes.numel()], dtype=ember.int64)
        high = count.clone()
        dist.all_reduce(high, dist.ReduceOp.MAX, group=self.process_group)
        dist.all_reduce(count, dist.ReduceOp.MIN, group=self.process_group)
        same = bool((high == count).item())
        if same:
            low = shapes.clone()
            dist.all_reduce(shapes, dist.ReduceOp.MAX, group=self.process_group)
            dist.all_reduce(low, dist.ReduceOp.MIN, group=self.process_group)
            same = bool((shapes == low).all().item())
        if not same:
            raise RuntimeError("DistributedDataParallel: the module's parameters differ in number or shape "
                               "across ranks")

    def _broadcast(self, tensors):
        """Rank 0's values into ``tensors`` on every rank: one broadcast per dtype, coalesced."""
        by_dtype = {}
        for t in tensors:
            by_dtype.setdefault(t.dtype, []).append(t)
        for group in by_dtype.values():
            flat = ember.cat([t.detach().reshape(-1) for t in group])
            dist.broadcast(flat, group=self.process_group, group_src=0)
            with ember.no_grad():
                n = 0
                for t in group:
                    t.copy_(flat.narrow(0, n, t.numel()).view(t.shape))
                    n += t.numel()

    # ---- forward -----------------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        """Runs the wrapped module (after broadcasting rank 0's buffers, when broadcast_buffers)
        and prepares the gradient reduction of the backward that follows.

        Buffers are broadcast and the reduction prepared only with grad mode on and outside
        :meth:`no_sync`, as torch's.

        Args:
            *inputs: the module's positional arguments (this rank's share of the batch).
            **kwargs: its keyword arguments.

        Returns:
            what the module returns.

        Example::

            >>> out = ddp(ember.randn(8, 4))  # doctest: +SKIP
        """
        if self._expect_backward:
            missing = [i for i, r in enumerate(self._ready) if not r]
            raise RuntimeError(_NOT_FINISHED.format(rank=dist.get_rank(self.process_group), missing=missing))
        sync = ember.is_grad_enabled() and self.require_backward_grad_sync
        if self.broadcast_buffers and self.world_size > 1 and sync:
            buffers = self._buffers()
            if buffers:
                self._broadcast(buffers)
        out = self.module(*inputs, **kwargs)
        if sync:
            self._prepare_for_backward(out)
        return out

    def _prepare_for_backward(self, out):
        self._ready = [False] * len(self._params)
        self._next_bucket = 0
        for b in self._buckets:
            b.pending, b.work = len(b.indices), None
        self._expect_backward = True
        if self.find_unused_parameters:
            reached = self._reached_accumulators(out)
            for i, acc in enumerate(self._accumulators):
                if id(acc) not in reached:
                    self._mark_ready(i)

    def _reached_accumulators(self, out):
        """The nodes (by id) the graph from the outputs reaches, AccumulateGrad ones included."""
        # Nodes are held in the dict: a freed wrapper's id could be reused by the next one.
        seen, stack = {}, [t.grad_fn for t in _output_tensors(out) if t.grad_fn is not None]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen[id(node)] = node
            stack.extend(fn for fn, _ in node.next_functions if fn is not None)
        return seen

    # ---- backward: the reducer ----------------------------------------------------------------
    def _on_grad_ready(self, i):
        if not self._expect_backward:  # under no_sync, or a backward after eval-mode/no-grad forward
            self._used[i] = True
            return
        self._used[i] = True
        self._mark_ready(i)

    def _mark_ready(self, i):
        if self._ready[i]:
            raise RuntimeError(f"DistributedDataParallel: parameter {i} got its gradient twice in one iteration "
                               "(a second backward without a forward, or a parameter shared across backward "
                               "calls); this is not supported")
        self._ready[i] = True
        bucket, k = self._where[i]
        p = self._params[bucket.indices[k]]
        with ember.no_grad():
            slot = bucket.slot(k, p)
            if p.grad is not None:
                slot.copy_(p.grad.reshape(-1))
            else:
                slot.zero_()
            if self.find_unused_parameters:
                bucket.buffer[bucket.numel + k] = 1.0 if self._used[i] else 0.0
        bucket.pending -= 1
        for b in self._buckets[:self._next_bucket]:
            if b.work is not None and not b.done_at and b.work.is_completed():
                b.done_at = time.perf_counter()  # testing also moves MPI's transfer on
        # Buckets start in order on every rank (MPI matches collectives by order).
        while self._next_bucket < len(self._buckets) and self._buckets[self._next_bucket].pending == 0:
            b = self._buckets[self._next_bucket]
            b.launched_at, b.done_at = time.perf_counter(), 0.0
            b.work = dist.all_reduce(b.buffer, dist.ReduceOp.SUM, group=self.process_group, async_op=True)
            self._next_bucket += 1
        if self._next_bucket == len(self._buckets):
            self._finalize()

    def _finalize(self):
        """All buckets are in flight: wait for them and write the averaged gradients back."""
        start = time.perf_counter()
        for b in self._buckets:
            b.work.wait()
            if not b.done_at:
                b.done_at = time.perf_counter()
        waited = time.perf_counter() - start
        with ember.no_grad():
            for b in self._buckets:
                b.buffer.narrow(0, 0, b.numel).div_(self.world_size)
                for k, i in enumerate(b.indices):
                    if self.find_unused_parameters and b.buffer[b.numel + k].item() == 0:
                        continue  # no rank used it: its .grad stays as it is, as torch's
                    p = self._params[i]
                    g = b.slot(k, p).view(p.shape)
                    if p.grad is None:
                        p.grad = g.clone()
                    else:
                        p.grad.copy_(g)
        self._record_overlap(waited)
        self._expect_backward = False
        self._used = [False] * len(self._params)

    def _record_overlap(self, waited):
        in_flight, end = 0.0, 0.0
        for b in sorted(self._buckets, key=lambda b: b.launched_at):  # the union of the in-flight intervals
            start = max(b.launched_at, end)
            if b.done_at > start:
                in_flight += b.done_at - start
            end = max(end, b.done_at)
        s = self.comm_stats
        s["iterations"] += 1
        s["in_flight_s"] += in_flight
        s["waited_s"] += waited

    @contextlib.contextmanager
    def no_sync(self):
        """A context in which backward only accumulates gradients locally (no communication);
        the first backward after it reduces the accumulated gradients.

        Returns:
            a context manager.

        Example::

            >>> with ddp.no_sync():             # doctest: +SKIP
            ...     ddp(x1).sum().backward()     # doctest: +SKIP
            >>> ddp(x2).sum().backward()         # doctest: +SKIP
        """
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

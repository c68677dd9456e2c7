"""SyncBatchNorm: batch normalization with the statistics of the whole batch across the ranks of a
process group, as torch.nn.SyncBatchNorm."""
import ember
from ember import distributed as dist
from ember.autograd import Function
from ember.nn import functional as F
from ember.nn import modules as _modules
from ember.nn.modules import Module, Parameter

_BATCH_NORMS = tuple(getattr(_modules, n) for n in ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d") if hasattr(_modules, n))


def _all_reduce_sum(t, group):
    """Sums ``t`` across the ranks in place (one home, so that tests can stand in for MPI)."""
    dist.all_reduce(t, dist.ReduceOp.SUM, group=group)


def _per_channel(t, dims):
    """(C,) -> (1, C, 1, ...) for broadcasting against an input with ``dims`` dims."""
    return t.reshape(1, -1, *([1] * (dims - 2)))


class _SyncBatchNormFunction(Function):
    """Normalization with statistics summed across ranks; its backward all-reduces the two per-channel
    gradient sums, so input gradients are those of BatchNorm on the union of the batches."""

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, eps, momentum, group):
        dims = [d for d in range(x.dim()) if d != 1]
        x64 = x.to(ember.float64)  # sums of squares in float64: E[x^2] - E[x]^2 stays accurate
        count = ember.tensor([x.numel() // x.shape[1]], dtype=ember.float64)
        stats = ember.cat([x64.sum(dims), (x64 * x64).sum(dims), count])
        _all_reduce_sum(stats, group)  # sum, sum of squares and count in one call
        c = x.shape[1]
        total = stats[2 * c].item()
        if total <= 1:
            raise ValueError(f"SyncBatchNorm: expected more than 1 value per channel when training, got input "
                             f"size {list(x.shape)} on this rank and {int(total)} values per channel in all")
        mean = stats[:c] / total
        var = (stats[c:2 * c] / total - mean * mean).clamp(min=0)
        if running_mean is not None:
            running_mean.mul_(1 - momentum).add_(mean.to(running_mean.dtype), alpha=momentum)
            running_var.mul_(1 - momentum).add_((var * (total / (total - 1))).to(running_var.dtype), alpha=momentum)
        mean, invstd = mean.to(x.dtype), (var + eps).rsqrt().to(x.dtype)
        y = (x - _per_channel(mean, x.dim())) * _per_channel(invstd, x.dim())
        if weight is not None:
            y = y * _per_channel(weight, x.dim())
        if bias is not None:
            y = y + _per_channel(bias, x.dim())
        ctx.save_for_backward(x, weight, mean, invstd)
        ctx.group, ctx.total = group, total
        return y

    @staticmethod
    def backward(ctx, grad):
        x, weight, mean, invstd = ctx.saved_tensors
        dims, n = [d for d in range(x.dim()) if d != 1], x.dim()
        xmu = x - _per_channel(mean, n)
        sum_dy, sum_dy_xmu = grad.sum(dims), (grad * xmu).sum(dims)
        # This rank's share of the parameters' gradients: DistributedDataParallel averages them.
        grad_weight = sum_dy_xmu * invstd if ctx.needs_input_grad[1] else None
        grad_bias = sum_dy if ctx.needs_input_grad[2] else None
        grad_input = None
        if ctx.needs_input_grad[0]:
            sums = ember.cat([sum_dy, sum_dy_xmu])
            _all_reduce_sum(sums, ctx.group)
            c = x.shape[1]
            mean_dy, mean_dy_xmu = sums[:c] / ctx.total, sums[c:] / ctx.total
            scale = invstd if weight is None else invstd * weight
            grad_input = (grad - _per_channel(mean_dy, n) - xmu * _per_channel(invstd * invstd * mean_dy_xmu, n)) \
                * _per_channel(scale, n)
        return grad_input, grad_weight, grad_bias, None, None, None, None, None


class SyncBatchNorm(Module):
    r"""Batch normalization over dim 1 of an (N, C, ...) input with the mean and variance of the
    batches of all the ranks together, as ``torch.nn.SyncBatchNorm``. In training with more than one
    rank, the per-channel sums, sums of squares and counts are all-reduced in one call (ranks may
    hold different batch sizes), every rank normalizes with the global statistics and updates its
    running statistics identically (unbiased variance), and backward all-reduces the per-channel
    gradient sums, so the gradients equal BatchNorm's on the whole batch. In eval mode, or with one
    rank (or no process group), it is BatchNorm.

    Args:
        num_features (int): C.
        eps (float, optional): added to the variance. Default: 1e-05.
        momentum (float, optional): weight of the batch statistics in the running update; None: a
            cumulative average. Default: 0.1.
        affine (bool, optional): learn a per-channel weight and bias. Default: True.
        track_running_stats (bool, optional): keep running statistics for eval. Default: True.
        process_group (ProcessGroup, optional): the ranks whose batches are pooled; None: the
            default group. Default: None.
        device (optional): must be the CPU. Default: None.
        dtype (dtype, optional): of the parameters and running statistics. Default: None (the
            default dtype).
        bias (bool, optional, keyword-only): with affine, whether to learn the shift. Default: True.

    Raises:
        ValueError: an input with fewer than 2 dims or whose dim 1 is not num_features.

    Example::

        >>> bn = nn.SyncBatchNorm(3)
        >>> bn(ember.randn(4, 3, 5)).shape  # one process: BatchNorm
        ember.Size([4, 3, 5])
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None, *, bias=True):
        super().__init__()
        if device is not None:
            ember._C._check_device(device, "SyncBatchNorm")
        dtype = dtype or ember.get_default_dtype()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats, self.process_group = affine, track_running_stats, process_group
        if affine:
            self.weight = Parameter(ember.ones(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(ember.zeros(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", ember.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ember.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", ember.tensor(0, dtype=ember.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batches tracked.

        Example::

            >>> nn.SyncBatchNorm(2).reset_running_stats()
        """
        if self.track_running_stats:
            with ember.no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        """Running statistics reset, weight 1, bias 0.

        Example::

            >>> nn.SyncBatchNorm(2).reset_parameters()
        """
        self.reset_running_stats()
        if self.affine:
            with ember.no_grad():
                self.weight.fill_(1)
                if self.bias is not None:
                    self.bias.zero_()

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")

    def forward(self, input):
        """Normalizes ``input`` (N, C, ...) as described in the class docstring.

        Args:
            input (Tensor): at least 2 dims, C = num_features.

        Returns:
            Tensor: the input's shape.

        Example::

            >>> nn.SyncBatchNorm(2)(ember.ones(3, 2)).shape
            ember.Size([3, 2])
        """
        if input.dim() < 2:
            raise ValueError(f"SyncBatchNorm: expected at least 2D input (got {input.dim()}D input)")
        if input.shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")
        if input.shape[1] != self.num_features:
            raise ValueError(f"SyncBatchNorm: expected input with {self.num_features} channels (dim 1), got "
                             f"input of shape {list(input.shape)}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / self.num_batches_tracked.item()
        batch_stats = self.training or self.running_mean is None
        running = (self.running_mean, self.running_var) if not self.training or self.track_running_stats \
            else (None, None)
        # Eval mode never syncs, even without running statistics (as torch).
        sync = batch_stats and self.training and dist.is_initialized()
        world = dist.get_world_size(self.process_group) if sync else 1
        if world == 1:
            return F.batch_norm(input, *running, self.weight, self.bias, batch_stats, factor, self.eps)
        return _SyncBatchNormFunction.apply(input, self.weight, self.bias, *running, self.eps, factor,
                                            self.process_group)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """``module`` with every BatchNorm1d/2d in it replaced by a SyncBatchNorm holding the same
        parameters, buffers and training flag (the module itself when it is one).

        Args:
            module (Module): the model.
            process_group (ProcessGroup, optional): the new layers' group. Default: None.

        Returns:
            Module: ``module`` (converted in place), or the new layer.

        Example::

            >>> net = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.BatchNorm1d(3)))
            >>> type(net[0]).__name__
            'SyncBatchNorm'
        """
        if isinstance(module, _BATCH_NORMS):
            sync = cls(module.num_features, module.eps, module.momentum, module.affine, module.track_running_stats,
                       process_group)
            # The same Parameter and buffer objects, as torch's: an optimizer made before still holds them.
            if module.affine:
                sync.weight = module.weight
                if module.bias is not None:
                    sync.bias = module.bias
                else:
                    sync.register_parameter("bias", None)
            if module.track_running_stats:
                for name in ("running_mean", "running_var", "num_batches_tracked"):
                    sync.register_buffer(name, getattr(module, name))
            sync.train(module.training)
            return sync
        for name, child in list(module.named_children()):
            converted = cls.convert_sync_batchnorm(child, process_group)
            if converted is not child:
                module.add_module(name, converted)
        return module

"""ember.amp, as torch.amp: automatic mixed precision's entry points. ``GradScaler`` is complete
(loss scaling with inf/NaN checks, skipped steps, a growing and backing-off scale, state dicts).
``autocast`` answers as a CPU-only PyTorch does for CUDA (a warning, then disabled); autocast on
the CPU (bfloat16 regions) is not implemented yet and raises instead of running in float32
silently. ``custom_fwd``/``custom_bwd`` run the function as PyTorch does outside autocast."""
import functools
import sys
import types
import warnings
from collections import abc, defaultdict
from enum import Enum

import ember
from ember._C import Tensor, dtype as _dtype

__all__ = ["GradScaler", "OptState", "autocast", "custom_bwd", "custom_fwd", "get_autocast_dtype",
           "is_autocast_available", "is_autocast_enabled"]

_NO_CUDA = "CUDA is not available (this build of ember has no CUDA backend)."


_AUTOCAST_DEVICES = ("cpu", "cuda", "mps", "xpu", "hpu", "xla", "mtia", "maia", "ipu", "privateuseone")


def is_autocast_available(device_type):
    """Whether ``autocast`` is defined for ``device_type`` (as torch's: cpu, cuda, mps, xpu, ...).
    In this build an accelerator's regions are disabled (there is none) and CPU regions are not
    implemented yet.

    Args:
        device_type (str): ``"cpu"``, ``"cuda"``, ...

    Returns:
        bool

    Example::

        >>> ember.amp.is_autocast_available("cpu"), ember.amp.is_autocast_available("meta")
        (True, False)
    """
    return device_type in _AUTOCAST_DEVICES


def is_autocast_enabled(device_type=None):
    """Whether an ``autocast`` region is active on this thread: never in this build.

    Args:
        device_type (str, optional): the device asked about. Default: any.

    Returns:
        bool

    Example::

        >>> ember.amp.is_autocast_enabled()
        False
    """
    return False


def get_autocast_dtype(device_type):
    """The dtype ``autocast`` uses by default on ``device_type``: bfloat16 on the CPU, float16 on
    CUDA (as torch's).

    Args:
        device_type (str): ``"cpu"`` or ``"cuda"``.

    Returns:
        ember.dtype

    Example::

        >>> ember.amp.get_autocast_dtype("cpu")
        ember.bfloat16
    """
    return ember.bfloat16 if device_type == "cpu" else ember.float16


class autocast:  # noqa: N801  (PyTorch's name)
    """A mixed-precision region (a context manager or decorator), as torch.autocast. For
    ``device_type="cuda"`` it warns and is disabled, as in a CPU-only PyTorch, so GPU programs run
    unchanged in float32. For ``device_type="cpu"`` with ``enabled=True`` it raises: ember does not
    run ops in bfloat16 inside autocast yet. ``enabled=False`` is a plain region on any device.

    Args:
        device_type (str): ``"cuda"`` or ``"cpu"``.
        dtype (ember.dtype, optional): the lower precision. Default: float16 (CUDA), bfloat16 (CPU).
        enabled (bool, optional): whether autocast is on in the region. Default: True.
        cache_enabled (bool, optional): accepted for torch's signature. Default: None.

    Raises:
        ValueError: ``device_type`` is not a string.
        RuntimeError: a device type autocast does not know.
        NotImplementedError: (entering) CPU autocast, enabled.

    Example::

        >>> with ember.autocast(device_type="cpu", enabled=False):
        ...     y = nn.Linear(3, 2)(ember.ones(1, 3))
        >>> y.dtype
        ember.float32
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = device_type
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        if not is_autocast_available(device_type):
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
        if enabled and device_type == "cuda":
            warnings.warn(f"{_NO_CUDA} Disabling autocast.", stacklevel=2)
            enabled = False
        elif enabled and device_type != "cpu":
            warnings.warn(f"{device_type.upper()} is not available (this build of ember runs on the CPU only). "
                          "Disabling autocast.", stacklevel=2)
            enabled = False
        elif enabled and self.fast_dtype not in (ember.bfloat16, ember.float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling autocast.\nCPU Autocast "
                          "only supports dtypes of ember.bfloat16, ember.float16 currently.", stacklevel=2)
            enabled = False
        self._enabled = enabled

    def __enter__(self):
        if self._enabled:
            raise NotImplementedError(f"autocast(device_type={self.device!r}): mixed precision on the {self.device} "
                                      "is not implemented in ember yet (ops would run in the tensors' own dtypes). "
                                      "Pass enabled=False, or convert the model and inputs with .to(ember.bfloat16).")
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorated


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorates an autograd Function's ``forward`` for autocast regions, as torch.amp.custom_fwd.
    No autocast region is ever active in this build, so ``forward`` runs as written
    (``cast_inputs`` applies only inside one).

    Args:
        fwd (Callable): the forward (or None, to be used as ``@custom_fwd(device_type=...)``).
        device_type (str): ``"cuda"`` or ``"cpu"``.
        cast_inputs (ember.dtype, optional): the dtype inputs take inside autocast. Default: None.

    Returns:
        Callable: the decorated forward.

    Example::

        >>> class Double(ember.autograd.Function):
        ...     @staticmethod
        ...     @ember.amp.custom_fwd(device_type="cpu")
        ...     def forward(ctx, x):
        ...         return x * 2
        ...     @staticmethod
        ...     @ember.amp.custom_bwd(device_type="cpu")
        ...     def backward(ctx, g):
        ...         return g * 2
        >>> Double.apply(ember.ones(2, requires_grad=True)).sum().backward()
    """
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorates an autograd Function's ``backward`` so it runs with the autocast state of its
    forward, as torch.amp.custom_bwd: as written, in this build (no autocast region is active).

    Args:
        bwd (Callable): the backward (or None, to be used as ``@custom_bwd(device_type=...)``).
        device_type (str): ``"cuda"`` or ``"cpu"``.

    Returns:
        Callable: the decorated backward.

    Example::

        >>> backward = ember.amp.custom_bwd(lambda ctx, g: g, device_type="cpu")
    """
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd


class OptState(Enum):
    """Where an optimizer is in GradScaler's iteration: READY, UNSCALED (``unscale_`` ran) or
    STEPPED (``step`` ran).

    Args:
        value (int): the member's value (0, 1, 2), as for any Enum.

    Example::

        >>> ember.amp.OptState.READY.value
        0
    """

    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _fresh_optimizer_state():
    return {"stage": OptState.READY, "found_inf": None}


class GradScaler:
    """Loss scaling for low-precision gradients, as torch.amp.GradScaler: ``scale(loss)``
    multiplies the loss by the scale before backward; ``step(optimizer)`` divides the gradients
    by it and steps only if none is inf or NaN; ``update()`` halves the scale after such a skipped
    step (``backoff_factor``) and doubles it after ``growth_interval`` good steps in a row. For
    ``device="cuda"`` it warns and is disabled (pass-through), as in a CPU-only PyTorch.

    Args:
        device (str, optional): ``"cuda"`` or ``"cpu"``. Default: ``"cuda"``.
        init_scale (float, optional): the first scale. Default: 65536.
        growth_factor (float, optional): the scale's factor after ``growth_interval`` good steps
            (> 1). Default: 2.0.
        backoff_factor (float, optional): the scale's factor after a skipped step (< 1). Default: 0.5.
        growth_interval (int, optional): good steps before the scale grows. Default: 2000.
        enabled (bool, optional): False makes every method a pass-through. Default: True.

    Raises:
        AssertionError: ``growth_factor <= 1`` or ``backoff_factor >= 1``.

    Example::

        >>> model = nn.Linear(4, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> scaler = ember.amp.GradScaler("cpu")
        >>> loss = model(ember.ones(2, 4)).sum()
        >>> scaler.scale(loss).backward()
        >>> scaler.step(opt)
        >>> scaler.update()
        >>> scaler.get_scale()
        65536.0
    """

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled and not ember.cuda.is_available():
            warnings.warn(f"torch.cuda.amp.GradScaler is enabled, but {_NO_CUDA}  Disabling.", stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale = None  # a float32 0-d tensor, made at the first scale()
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states = defaultdict(_fresh_optimizer_state)

    def _check_scale(self, funcname):
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  This may indicate your script did not "
                                 "use scaler.scale(loss or outputs) earlier in the iteration.")
        return self._scale

    def scale(self, outputs):
        """``outputs`` (a tensor, or an iterable of them, nested) times the scale.

        Args:
            outputs (Tensor or iterable of Tensor): the loss(es).

        Returns:
            The scaled outputs, in the same structure (unchanged when disabled).
        """
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._scale = ember.full((), self._init_scale, dtype=ember.float32)
            self._growth_tracker = self._init_growth_tracker

        def apply(value):
            if isinstance(value, Tensor):
                return value * self._scale
            if isinstance(value, abc.Iterable):
                scaled = map(apply, value)
                return type(value)(scaled) if isinstance(value, (list, tuple)) else scaled
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")
        return apply(outputs)

    def _unscale_grads(self, optimizer, inv_scale, allow_fp16):
        """Multiplies the gradients by inv_scale; whether one holds an inf or a NaN (None: no gradients)."""
        found_inf = None
        with ember.no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    if not allow_fp16 and param.grad.dtype == ember.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    found = not bool(ember.isfinite(param.grad).all())
                    found_inf = bool(found_inf) or found
                    if inv_scale != 1.0:
                        param.grad.mul_(inv_scale)
        return found_inf

    def unscale_(self, optimizer):
        """Divides the optimizer's gradients by the scale, in place (before clipping them, say);
        ``step`` then does not divide again.

        Args:
            optimizer (Optimizer): whose parameters' gradients.

        Raises:
            RuntimeError: called twice before ``update()``, or after ``step``.
        """
        if not self._enabled:
            return
        scale = self._check_scale("unscale_")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale = float(ember.tensor(1.0 / float(scale), dtype=ember.float32))  # float32, as torch's
        state["found_inf"] = self._unscale_grads(optimizer, inv_scale, False)
        state["stage"] = OptState.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step(*args, **kwargs)`` on the unscaled gradients, skipped when one of them
        holds an inf or a NaN.

        Args:
            optimizer (Optimizer): the optimizer.
            *args, **kwargs: its ``step``'s arguments (no ``closure``).

        Returns:
            What ``optimizer.step`` returns, or None when skipped.

        Raises:
            RuntimeError: a ``closure``; called twice before ``update()``.
            AssertionError: no gradients at all (nothing to check).
        """
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale("step")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if state["found_inf"] is None:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = OptState.STEPPED
        return result

    def update(self, new_scale=None):
        """Sets the scale for the next iteration: ``new_scale``, or backed off after an inf/NaN in
        this iteration's gradients, or grown after ``growth_interval`` good iterations.

        Args:
            new_scale (float or Tensor, optional): the scale to use instead (a one-element tensor).

        Raises:
            AssertionError: no ``step``/``unscale_`` this iteration; a bad ``new_scale``.
        """
        if not self._enabled:
            return
        scale = self._check_scale("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                scale.fill_(new_scale)
            else:
                reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or torch.FloatTensor "
                          "with requires_grad=False.")
                if not isinstance(new_scale, Tensor) or new_scale.numel() != 1 or new_scale.requires_grad:
                    raise AssertionError(reason)
                scale.copy_(new_scale.reshape(()))
        else:
            found = [s["found_inf"] for s in self._per_optimizer_states.values() if s["found_inf"] is not None]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            with ember.no_grad():
                if any(found):
                    scale.mul_(self._backoff_factor)
                    self._growth_tracker = 0
                elif self._growth_tracker + 1 == self._growth_interval:
                    grown = scale * self._growth_factor
                    if bool(ember.isfinite(grown)):
                        scale.copy_(grown)
                    self._growth_tracker = 0
                else:
                    self._growth_tracker += 1
        self._per_optimizer_states = defaultdict(_fresh_optimizer_state)

    def get_scale(self):
        """The current scale (1.0 when disabled).

        Returns:
            float
        """
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale)

    def get_growth_factor(self):
        """The scale's growth factor."""
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        """Sets the growth factor."""
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        """The scale's backoff factor."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        """Sets the backoff factor."""
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        """Good steps before the scale grows."""
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        """Sets the growth interval."""
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if not self._enabled:
            return 0
        return self._init_growth_tracker if self._growth_tracker is None else self._growth_tracker

    def is_enabled(self):
        """Whether the scaler scales (False when disabled, or for CUDA in this build)."""
        return self._enabled

    def state_dict(self):
        """The scale, the factors, the interval and the count of good steps ({} when disabled).

        Returns:
            dict
        """
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict):
        """Restores what ``state_dict`` gave.

        Args:
            state_dict (dict): from ``state_dict()``.

        Raises:
            RuntimeError: an empty dict (saved from a disabled scaler).
        """
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a disabled "
                               "instance of GradScaler.")
        self._init_scale = float(state_dict["scale"])
        if self._scale is not None:
            self._scale.fill_(state_dict["scale"])
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._init_growth_tracker = int(state_dict["_growth_tracker"])
        if self._growth_tracker is not None:
            self._growth_tracker = self._init_growth_tracker

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError("A GradScaler instance may only be pickled at the beginning of an iteration, or "
                                     "at the end after scaler.update().")
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = None
            state["_growth_tracker"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)


# ---- ember.cuda.amp: torch.cuda.amp's deprecated spellings ------------------------------------

class _CudaAutocast(autocast):
    """torch.cuda.amp.autocast: ``autocast("cuda", ...)`` with a FutureWarning (disabled here)."""

    def __init__(self, enabled=True, dtype=_dtype.float16, cache_enabled=True):
        warnings.warn("`ember.cuda.amp.autocast(args...)` is deprecated. Please use `ember.amp.autocast('cuda', "
                      "args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class _CudaGradScaler(GradScaler):
    """torch.cuda.amp.GradScaler: ``GradScaler("cuda", ...)`` with a FutureWarning (a pass-through here)."""

    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        warnings.warn("`ember.cuda.amp.GradScaler(args...)` is deprecated. Please use `ember.amp.GradScaler('cuda', "
                      "args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled)


def _cuda_amp_module():
    module = types.ModuleType("ember.cuda.amp", "torch.cuda.amp's deprecated spellings of ember.amp (for CUDA: "
                                                "disabled in this build, as in a CPU-only PyTorch).")
    module.autocast, module.GradScaler = _CudaAutocast, _CudaGradScaler
    module.custom_fwd = functools.partial(custom_fwd, device_type="cuda")
    module.custom_bwd = functools.partial(custom_bwd, device_type="cuda")
    _CudaAutocast.__name__ = _CudaAutocast.__qualname__ = "autocast"
    _CudaGradScaler.__name__ = _CudaGradScaler.__qualname__ = "GradScaler"
    _CudaAutocast.__module__ = _CudaGradScaler.__module__ = module.__name__
    sys.modules[module.__name__] = module
    ember.cuda.amp = module


_cuda_amp_module()

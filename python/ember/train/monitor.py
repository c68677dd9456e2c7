"""Monitor: per-layer training diagnostics through hooks (gradient norms, update-to-weight ratios,
activation statistics and histograms) and warnings for the usual sicknesses of a network
(vanishing or exploding gradients, dead ReLU units, saturated sigmoid/tanh units), with a stop on
a NaN/Inf loss that names the step and the layer where the non-finite values appeared.

Everything is computed with tensor reductions (one or two per layer and step); the Python work is
per layer, never per element.
"""
import math
import warnings

import ember
from ember import nn
from ember.autograd.grad_mode import is_grad_enabled, no_grad

__all__ = ["Monitor", "TrainingWarning"]


class TrainingWarning(UserWarning):
    """The category of the warnings of :mod:`ember.train` (a sick network seen by :class:`~ember.train.Monitor`,
    a failed sanity check), so they can be filtered or turned into errors on their own.

    Args:
        message (str): what was seen, as for any Warning.

    Example::

        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warnings.warn("layer '3' looks dead", TrainingWarning)
        >>> caught[0].category.__name__
        'TrainingWarning'
    """


_SATURATING = (nn.Sigmoid, nn.Tanh)


def _saturation(module, out, eps):
    """The fraction of outputs within eps of a sigmoid's 0/1 or a tanh's -1/1, as a 0-d tensor."""
    if isinstance(module, nn.Sigmoid):
        return ((out - 0.5).abs() > 0.5 - eps).float().mean()
    return (out.abs() > 1.0 - eps).float().mean()


def _ever_active(out):
    """Per unit (dim 1, the channels or features; every element of a 1-d output), whether any
    sample of the batch activated it."""
    if out.dim() < 2:
        return out > 0
    # Over the batch first, then the rest: ember's amax over (0, 2, 3) at once is slower.
    top = out.amax(dim=0)
    return (top.amax(dim=list(range(1, top.dim()))) if top.dim() > 1 else top) > 0


def _mean_std(out):
    """Mean and (biased) standard deviation as 0-d tensors from the mean and the mean square:
    several times faster than ember.std_mean, which dominated the Monitor's cost. Cancellation
    costs precision only when |mean| is thousands of times the std, beyond what a monitor needs."""
    mean = out.mean()
    return mean, ((out * out).mean() - mean * mean).clamp_min(0.0).sqrt()


def _means(records):
    """Per-key mean over a sequence of {layer: value} dicts."""
    sums, counts = {}, {}
    for record in records:
        for name, value in record.items():
            sums[name] = sums.get(name, 0.0) + value
            counts[name] = counts.get(name, 0) + 1
    return {name: sums[name] / counts[name] for name in sums}


class Monitor:
    """Watches a model while it trains: per-layer gradient norms, update-to-weight ratios and
    activation means, standard deviations and histograms, gathered through forward hooks on the
    model's leaf modules, and warnings, once per layer and kind, in the
    :class:`~ember.train.TrainingWarning` category:

    - **vanishing gradients**: a layer's gradient norm below ``vanish_ratio`` times the last
      layer's;
    - **exploding gradients**: a layer's gradient norm above ``explode_norm``, or more than
      ``explode_factor`` times its running average;
    - **dead ReLU units**: more than ``dead_fraction`` of an ``nn.ReLU``'s units (its output's
      dim 1: features or channels) never positive over an epoch (checked at :meth:`end_epoch`);
    - **saturated units**: more than ``saturated_fraction`` of an ``nn.Sigmoid``'s or ``nn.Tanh``'s
      outputs within ``saturation_eps`` of its limits in a step.

    A NaN or infinite loss or gradient stops training: :meth:`step` raises a RuntimeError naming
    the step and the first layer whose forward output, or else the last layer whose gradient, was
    not finite (run that step under :class:`ember.autograd.detect_anomaly` to find the op).

    Call :meth:`step` once per optimizer step, after ``loss.backward()`` and ``optimizer.step()``
    (the update ratios then describe that step; calling it before ``optimizer.step()`` also works,
    and stops before a NaN gradient reaches the weights), and :meth:`end_epoch` at the end of each
    epoch. As a callback, ``on_train_begin``, ``on_train_batch_end`` and ``on_epoch_end`` do the
    same. Activations are recorded only while grad mode is on (evaluation under ``no_grad`` is not
    counted), and only for modules: a functional ``F.relu`` inside a ``forward`` is not seen. The
    monitor keeps each leaf module's last output (detached, without its graph) for the histograms
    and the NaN search, and with ``track_updates`` one copy of the weights.

    Args:
        model (Module): the model to watch; hooks go on its leaf modules.
        vanish_ratio (float, optional): relative gradient norm below which a layer's gradients
            count as vanishing. Default: 1e-3.
        explode_norm (float, optional): gradient norm above which a layer's gradients count as
            exploding; ``None`` turns the absolute test off. Default: 1e4.
        explode_factor (float, optional): growth over the layer's running average of its gradient
            norm that counts as exploding; ``None`` turns it off. Default: 100.
        dead_fraction (float, optional): fraction of never-active ReLU units that warns. Default: 0.5.
        saturated_fraction (float, optional): fraction of saturated sigmoid/tanh outputs that
            warns. Default: 0.5.
        saturation_eps (float, optional): distance to the limits that counts as saturated.
            Default: 0.01.
        bins (int, optional): bins of the activation histograms. Default: 30.
        every (int, optional): compute the activation means, standard deviations and saturation
            every ``every`` steps (the costly part on large activations); dead units and NaNs are
            watched at every step. Default: 1.
        track_updates (bool, optional): compute update-to-weight ratios (keeps one copy of the
            weights). Default: True.

    Attributes:
        steps (list of dict): one record per :meth:`step`: ``step``, ``loss``, and per-layer dicts
            ``grad_norm``, ``update_ratio`` (from the second step on), ``act_mean``, ``act_std``
            and ``saturation`` (these three empty on the steps ``every`` skips).
        epochs (list of dict): one record per :meth:`end_epoch`: ``epoch``, ``dead_fraction``,
            ``histograms`` (layer -> (counts list, min, max) of its last activation), and the
            epoch's mean ``grad_norm`` and ``update_ratio`` per layer.

    Example::

        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> monitor = Monitor(model)
        >>> loss = F.cross_entropy(model(ember.randn(16, 4)), ember.randint(0, 3, (16,)))
        >>> loss.backward(); opt.step()
        >>> record = monitor.step(loss)
        >>> sorted(record["grad_norm"]), sorted(record["act_mean"])
        (['0', '2'], ['0', '1', '2'])
        >>> monitor.end_epoch()["dead_fraction"]   # one ReLU of 8 gave 0 on all 16 inputs
        {'1': 0.125}
        >>> monitor.remove()
    """

    def __init__(self, model, *, vanish_ratio=1e-3, explode_norm=1e4, explode_factor=100.0, dead_fraction=0.5,
                 saturated_fraction=0.5, saturation_eps=0.01, bins=30, every=1,
                 track_updates=True):
        if not isinstance(model, nn.Module):
            raise TypeError(f"Monitor: model must be an ember.nn.Module, not {type(model).__name__}")
        if bins < 1:
            raise ValueError(f"Monitor: bins must be positive, got {bins}")
        if every < 1:
            raise ValueError(f"Monitor: every must be positive, got {every}")
        self.model = model
        self.vanish_ratio = vanish_ratio
        self.explode_norm = explode_norm
        self.explode_factor = explode_factor
        self.dead_fraction = dead_fraction
        self.saturated_fraction = saturated_fraction
        self.saturation_eps = saturation_eps
        self.bins = bins
        self.every = every
        self.track_updates = track_updates
        self.steps = []
        self.epochs = []
        named = list(model.named_modules())
        self._modules = dict(named)
        self._registration = {name: i for i, (name, _) in enumerate(named)}
        # Layers with their own parameters, in registration order (forward order refines it below).
        self._param_layers = {name: [p for _, p in m.named_parameters(recurse=False)] for name, m in named}
        self._param_layers = {name: ps for name, ps in self._param_layers.items() if ps}
        self._handles = [m.register_forward_hook(self._forward_hook(name))
                         for name, m in named if next(iter(m.children()), None) is None]
        self._call_order = {}       # layer -> index of its first forward call
        self._acts = {}             # layer -> (mean, std) 0-d tensors of this step
        self._saturation = {}       # layer -> 0-d tensor of this step
        self._last_out = {}         # layer -> detached output of the last forward (histograms)
        self._active = {}           # ReLU layer -> per-unit bool, any activity this epoch
        self._snapshot = {}         # layer -> weight copies at the previous step (update ratios)
        self._grad_avg = {}         # layer -> running average of its gradient norm
        self._warned = set()
        self._epoch_start = 0       # the first step of the current epoch

    def _forward_hook(self, name):
        def hook(module, args, out):
            if not (isinstance(out, ember.Tensor) and out.is_floating_point() and is_grad_enabled()):
                return
            self._call_order.setdefault(name, len(self._call_order))
            out = out.detach()
            self._last_out[name] = out
            if isinstance(module, nn.ReLU):
                active = _ever_active(out)
                seen = self._active.get(name)
                self._active[name] = active if seen is None or seen.shape != active.shape else seen | active
            if len(self.steps) % self.every:
                return
            self._acts[name] = _mean_std(out)
            if isinstance(module, _SATURATING):
                self._saturation[name] = _saturation(module, out, self.saturation_eps)
        return hook

    def _ordered(self, names):
        """names in forward-call order (layers never called last, in registration order)."""
        return sorted(names, key=lambda n: (self._call_order.get(n, math.inf), self._registration[n]))

    def _warn(self, kind, layer, message):
        if (kind, layer) in self._warned:
            return
        self._warned.add((kind, layer))
        warnings.warn(f"Monitor: {message}", TrainingWarning, stacklevel=3)

    def _describe(self, layer):
        kind = type(self._modules[layer]).__name__
        return f"layer '{layer}' ({kind})" if layer else f"the model ({kind})"  # a model that is one layer

    def step(self, loss=None):
        """Records this step's statistics and checks them: call once per optimizer step, after
        ``loss.backward()`` (and ``optimizer.step()``, see the class).

        Args:
            loss (Tensor or float, optional): the step's loss, checked for NaN/Inf and recorded.

        Returns:
            dict: the step's record (also appended to :attr:`steps`).

        Raises:
            RuntimeError: the loss or a gradient is NaN or infinite; the message names the step
                and the layer where the non-finite values appeared.

        Example::

            >>> model = nn.Sequential(nn.Linear(3, 1))
            >>> monitor = Monitor(model)
            >>> loss = model(ember.ones(2, 3)).sum()
            >>> loss.backward()
            >>> monitor.step(loss)["grad_norm"]["0"] > 0
            True
        """
        index = len(self.steps)
        loss_value = None if loss is None else float(loss)
        layers = self._ordered(self._param_layers)
        grads = {name: [p.grad for p in self._param_layers[name] if p.grad is not None] for name in layers}
        grads = {name: gs for name, gs in grads.items() if gs}
        grad_norm = {}
        if grads:
            flat = [g.norm() for gs in grads.values() for g in gs]
            values = iter(ember.stack(flat).tolist())
            grad_norm = {name: math.sqrt(sum(next(values) ** 2 for _ in gs)) for name, gs in grads.items()}
        acts = self._ordered(self._acts)
        means = ember.stack([self._acts[n][0] for n in acts] + [self._acts[n][1] for n in acts]).tolist() if acts else []
        act_mean = dict(zip(acts, means[:len(acts)]))
        act_std = dict(zip(acts, means[len(acts):]))
        saturation = {n: float(t) for n, t in self._saturation.items()}
        record = {"step": index, "loss": loss_value, "grad_norm": grad_norm, "act_mean": act_mean,
                  "act_std": act_std, "saturation": saturation}
        self._acts.clear()
        self._saturation.clear()

        bad_loss = loss_value is not None and not math.isfinite(loss_value)
        if bad_loss or not all(math.isfinite(v) for v in grad_norm.values()):
            raise RuntimeError(self._non_finite_message(index, loss_value, bad_loss, grad_norm))
        if self.track_updates:
            record["update_ratio"] = self._update_ratios()
        self._check_gradients(grad_norm)
        for name, frac in saturation.items():
            if frac > self.saturated_fraction:
                self._warn("saturated", name, f"{frac:.0%} of the outputs of {self._describe(name)} are saturated "
                           f"(within {self.saturation_eps} of its limits) at step {index}")
        self.steps.append(record)
        return record

    def _non_finite_message(self, index, loss_value, bad_loss, grad_norm):
        what = f"the loss is {loss_value}" if bad_loss else "the gradients are not finite"
        outs = self._ordered(self._last_out)
        where = next((n for n in outs if not bool(ember.isfinite(self._last_out[n]).all())), None)
        if where is not None:
            origin = f"non-finite values first appear in the forward output of {self._describe(where)}"
        else:
            # Backward runs from the last layer: the latest layer with a bad gradient is where it began.
            where = next((n for n in reversed(list(grad_norm)) if not math.isfinite(grad_norm[n])), None)
            origin = (f"the forward activations are finite; non-finite gradients first appear in "
                      f"{self._describe(where)}" if where is not None else
                      "the forward activations and gradients are finite, so the loss function produced it")
        return (f"Monitor: {what} at step {index}; {origin}. Rerun that step under "
                f"ember.autograd.detect_anomaly() to find the op.")

    def _check_gradients(self, grad_norm):
        if not grad_norm:
            return
        last = next(reversed(grad_norm))
        reference = grad_norm[last]
        for name, norm in grad_norm.items():
            if name != last and reference > 0 and norm < self.vanish_ratio * reference:
                self._warn("vanishing", name, f"vanishing gradients in {self._describe(name)}: its gradient norm "
                           f"{norm:.3g} is {norm / reference:.2g} times the last layer's ({reference:.3g})")
            avg = self._grad_avg.get(name)
            if self.explode_norm is not None and norm > self.explode_norm:
                self._warn("exploding", name, f"exploding gradients in {self._describe(name)}: gradient norm "
                           f"{norm:.3g} > {self.explode_norm:g}")
            elif self.explode_factor is not None and avg and norm > self.explode_factor * avg:
                self._warn("exploding", name, f"exploding gradients in {self._describe(name)}: gradient norm "
                           f"{norm:.3g} is {norm / avg:.3g} times its running average {avg:.3g}")
            self._grad_avg[name] = norm if avg is None else 0.9 * avg + 0.1 * norm

    def _update_ratios(self):
        """||w - w_prev|| / ||w_prev|| per layer since the previous step, and a fresh snapshot."""
        ratios = {}
        with no_grad():
            for name, params in self._param_layers.items():
                old = self._snapshot.get(name)
                if old is not None and len(old) == len(params):
                    norms = ember.stack([(p - o).norm() for p, o in zip(params, old)] + [o.norm() for o in old]).tolist()
                    change = math.sqrt(sum(v * v for v in norms[:len(old)]))
                    weight = math.sqrt(sum(v * v for v in norms[len(old):]))
                    ratios[name] = change / weight if weight > 0 else math.inf
                    for p, o in zip(params, old):
                        o.copy_(p)
                else:
                    self._snapshot[name] = [p.detach().clone() for p in params]
        return ratios

    def end_epoch(self, epoch=None):
        """Closes an epoch: computes each ReLU layer's fraction of units never active during the
        epoch (warning when above ``dead_fraction``) and each layer's histogram of its last
        activation, then starts counting afresh.

        Args:
            epoch (int, optional): the epoch's number; by default one more than the last.

        Returns:
            dict: the epoch's record (also appended to :attr:`epochs`).

        Example::

            >>> model = nn.Sequential(nn.Linear(2, 4), nn.ReLU())
            >>> monitor = Monitor(model)
            >>> _ = model(ember.randn(8, 2))
            >>> sorted(monitor.end_epoch())
            ['dead_fraction', 'epoch', 'grad_norm', 'histograms', 'update_ratio']
        """
        epoch = len(self.epochs) if epoch is None else epoch
        dead = {}
        for name in self._ordered(self._active):
            active = self._active[name]
            dead[name] = 1.0 - float(active.float().mean()) if active.numel() else 0.0
            if dead[name] > self.dead_fraction:
                self._warn("dead", name, f"{dead[name]:.0%} of the units of {self._describe(name)} were never active "
                           f"during epoch {epoch} (dead ReLUs)")
        self._active.clear()
        steps = self.steps[self._epoch_start:]
        record = {"epoch": epoch, "dead_fraction": dead,
                  "histograms": {n: self.histogram(n) for n in self._ordered(self._last_out)},
                  "grad_norm": _means(s["grad_norm"] for s in steps),
                  "update_ratio": _means(s.get("update_ratio", {}) for s in steps)}
        self._epoch_start = len(self.steps)
        self.epochs.append(record)
        return record

    def histogram(self, layer, bins=None):
        """The histogram of a layer's last recorded activation (``ember.histc`` between its
        smallest and largest finite values).

        Args:
            layer (str): the layer's name, as in ``model.named_modules()``.
            bins (int, optional): the number of bins; by default the monitor's.

        Returns:
            tuple: (counts as a list of ``bins`` floats, min, max).

        Raises:
            KeyError: the layer has no recorded activation.

        Example::

            >>> model = nn.Sequential(nn.Linear(2, 4), nn.ReLU())
            >>> monitor = Monitor(model, bins=4)
            >>> _ = model(ember.randn(8, 2))
            >>> counts, lo, hi = monitor.histogram("1")
            >>> sum(counts), lo >= 0
            (32.0, True)
        """
        if layer not in self._last_out:
            raise KeyError(f"Monitor.histogram: no activation recorded for layer {layer!r}")
        out = self._last_out[layer]
        finite = out[ember.isfinite(out)] if not bool(ember.isfinite(out).all()) else out
        if finite.numel() == 0:
            return [0.0] * (bins or self.bins), math.nan, math.nan
        lo, hi = (float(v) for v in ember.aminmax(finite))
        counts = ember.histc(finite.float(), bins=bins or self.bins, min=lo, max=hi)
        return counts.tolist(), lo, hi

    def plot_grad_flow(self, path, ax=None):
        """Draws the gradient flow: each layer's mean and largest gradient norm over the recorded
        steps (log scale, layers in forward order) and, when tracked, the mean update-to-weight
        ratio; saves the figure to ``path`` (any format matplotlib knows, by its extension).

        Args:
            path (str or PathLike): the file to write, e.g. ``"grad_flow.png"``.
            ax (matplotlib Axes, optional): draw the gradient norms there instead of a new figure
                (the file then holds that Axes' figure).

        Returns:
            matplotlib Figure: the figure drawn.

        Raises:
            ImportError: matplotlib is not installed.
            RuntimeError: no step has been recorded yet.

        Example::

            >>> import os, tempfile
            >>> model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
            >>> monitor = Monitor(model)
            >>> model(ember.randn(8, 2)).sum().backward()
            >>> _ = monitor.step()
            >>> path = os.path.join(tempfile.mkdtemp(), "flow.png")
            >>> _ = monitor.plot_grad_flow(path)  # doctest: +SKIP
        """
        try:
            from matplotlib.figure import Figure
        except ImportError:
            raise ImportError("Monitor.plot_grad_flow needs matplotlib: pip install matplotlib") from None
        if not self.steps:
            raise RuntimeError("Monitor.plot_grad_flow: no step recorded yet (call monitor.step() after backward)")
        layers = self._ordered({n for s in self.steps for n in s["grad_norm"]})
        series = {n: [s["grad_norm"][n] for s in self.steps if n in s["grad_norm"]] for n in layers}
        ratios = {n: [s["update_ratio"][n] for s in self.steps if n in s.get("update_ratio", {})] for n in layers}
        if ax is None:
            rows = 2 if any(ratios.values()) else 1
            fig = Figure(figsize=(max(6.0, 0.5 * len(layers)), 3.2 * rows), layout="constrained")
            axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
        else:
            fig, axes = ax.figure, [ax]
        xs = range(len(layers))
        top = axes[0]
        top.bar(xs, [max(series[n]) for n in layers], color="tab:cyan", alpha=0.5, label="max")
        top.bar(xs, [sum(series[n]) / len(series[n]) for n in layers], color="tab:blue", label="mean")
        top.set_yscale("log")
        top.set_ylabel("gradient norm")
        top.set_title("Gradient flow")
        top.legend()
        if len(axes) > 1:
            axes[1].bar(xs, [sum(r) / len(r) if r else 0.0 for r in (ratios[n] for n in layers)], color="tab:orange")
            axes[1].set_yscale("log")
            axes[1].set_ylabel("update / weight")
        axes[-1].set_xticks(list(xs), layers, rotation=45, ha="right")
        axes[-1].set_xlabel("layer")
        fig.savefig(path)
        return fig

    def remove(self):
        """Detaches every hook from the model and drops the recorded tensors (the records in
        :attr:`steps` and :attr:`epochs` stay).

        Example::

            >>> model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
            >>> monitor = Monitor(model)
            >>> monitor.remove()
            >>> _ = model(ember.randn(1, 2)); monitor._acts
            {}
        """
        for handle in self._handles:
            handle.remove()
        self._handles = []
        for store in (self._acts, self._saturation, self._last_out, self._active, self._snapshot):
            store.clear()

    # The callback protocol of ember.train (fit and hand-written loops alike).
    def on_train_begin(self, logs=None):
        """Callback: starts a run (clears the once-per-layer warning memory and the epoch's
        activity counts).

        Args:
            logs (dict, optional): unused.

        Example::

            >>> Monitor(nn.Linear(2, 2)).on_train_begin()
        """
        self._warned.clear()
        self._active.clear()

    def on_train_batch_end(self, batch, logs=None):
        """Callback: :meth:`step` with ``logs["loss"]`` after a batch's backward and optimizer step.

        Args:
            batch (int): the batch's index in the epoch (unused).
            logs (dict, optional): the batch's values; ``"loss"`` is checked and recorded.

        Returns:
            dict: the step's record.

        Example::

            >>> model = nn.Linear(2, 1)
            >>> monitor = Monitor(model)
            >>> loss = model(ember.ones(1, 2)).sum(); loss.backward()
            >>> monitor.on_train_batch_end(0, {"loss": loss})["step"]
            0
        """
        return self.step((logs or {}).get("loss"))

    def on_epoch_end(self, epoch, logs=None):
        """Callback: :meth:`end_epoch` for ``epoch``.

        Args:
            epoch (int): the epoch that ended.
            logs (dict, optional): unused.

        Example::

            >>> Monitor(nn.Linear(2, 2)).on_epoch_end(0)
        """
        self.end_epoch(epoch)

    def on_train_end(self, logs=None):
        """Callback: the end of a run; the hooks stay until :meth:`remove`.

        Args:
            logs (dict, optional): unused.

        Example::

            >>> Monitor(nn.Linear(2, 2)).on_train_end()
        """

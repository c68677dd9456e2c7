"""ember.compile: run a function once under capture, then replay its kernels in C++.

The capture is at the kernel level (cpp/include/ember/graph.h): every kernel the function runs,
forward, backward and optimizer step included, is recorded with its arguments; host actions
outside tensor memory (a leaf's .grad assigned, optimizer and scheduler steps, zero_grad) are
recorded as effects that run again, live, at each replay. Python code in the function runs only
at capture.
"""
import collections
import functools
import itertools
import os
import warnings

from ember._C import Tensor, _graph, get_default_dtype
from ember.autograd.grad_mode import is_grad_enabled

__all__ = ["compile"]

_CACHE_SIZE = 8  # graphs kept per compiled function (one per key), least recently used evicted
_OPTIONS = {"dead_code_elimination": True, "memory_plan": True, "pointwise_fusion": True}  # what ember.compile's options switch


class _Eager:
    """A key whose capture cannot be replayed: its calls run fn eagerly."""

    def __init__(self, why):
        self.why = why


class _Entry:
    def __init__(self, graph, out_spec):
        self.graph, self.out_spec = graph, out_spec


def _flatten(obj, tensors):
    """obj's structure with its tensors taken out into tensors (in order)."""
    if isinstance(obj, Tensor):
        tensors.append(obj)
        return None
    if type(obj) in (tuple, list):
        return (type(obj), tuple(_flatten(o, tensors) for o in obj))
    if type(obj) is dict:
        return (dict, tuple(obj), tuple(_flatten(v, tensors) for v in obj.values()))
    return ("const", obj)


def _unflatten(spec, tensors):
    """The inverse of _flatten, taking tensors from an iterator."""
    if spec is None:
        return next(tensors)
    kind = spec[0]
    if kind == "const":
        return spec[1]
    if kind is dict:
        return {k: _unflatten(s, tensors) for k, s in zip(spec[1], spec[2])}
    return kind(_unflatten(s, tensors) for s in spec[1])


def _modules_reachable(fn, args, kwargs):
    """The ember Modules fn can reach (itself, its bound self, closure cells, the globals its code
    names, its arguments, and their attributes one level down), every submodule included."""
    from ember.nn import Module
    roots = list(args) + list(kwargs.values())
    target = fn
    if isinstance(fn, Module):
        roots.append(fn)
        target = type(fn).forward
    owner = getattr(target, "__self__", None)
    if owner is not None:
        roots.append(owner)
        roots.extend(getattr(owner, "__dict__", {}).values())
    target = getattr(target, "__func__", target)
    code = getattr(target, "__code__", None)
    for cell in getattr(target, "__closure__", None) or ():
        try:
            roots.append(cell.cell_contents)
        except ValueError:  # an empty cell
            pass
    if code is not None:
        scope = getattr(target, "__globals__", {})
        roots.extend(scope[name] for name in code.co_names if name in scope)
    seen, out = set(), []
    for r in roots:
        if isinstance(r, Module) and id(r) not in seen:
            for m in r.modules():
                if id(m) not in seen:
                    seen.add(id(m))
                    out.append(m)
    return out


def _named_roots(fn, args, kwargs):
    """[(name, Module)]: the Modules fn reaches directly, once each, under the names its code gives
    them ("self", a closure or global variable, an attribute of the bound self, "args[i]", a keyword)."""
    from ember.nn import Module
    found = []
    target = fn
    if isinstance(fn, Module):
        found.append(("self", fn))
        target = type(fn).forward
    owner = getattr(target, "__self__", None)
    if owner is not None:
        found.append(("self", owner))
        found.extend(getattr(owner, "__dict__", {}).items())
    target = getattr(target, "__func__", target)
    code = getattr(target, "__code__", None)
    if code is not None:
        for name, cell in zip(code.co_freevars, getattr(target, "__closure__", None) or ()):
            try:
                found.append((name, cell.cell_contents))
            except ValueError:  # an empty cell
                pass
        scope = getattr(target, "__globals__", {})
        found.extend((name, scope[name]) for name in code.co_names if name in scope)
    found.extend((f"args[{i}]", a) for i, a in enumerate(args))
    found.extend(kwargs.items())
    roots, seen = [], set()
    for name, m in found:
        if isinstance(m, Module) and id(m) not in seen:
            seen.add(id(m))
            roots.append((name, m))
    return roots


def _tensor_key(t):
    return (tuple(t.shape), t.stride(), t.dtype, t.device, t.requires_grad)


class _CompiledFunction:
    """What ember.compile returns: call it as the function it wraps."""

    def __init__(self, fn, fullgraph, options):
        self._fn = fn
        self._fullgraph = fullgraph
        self._options = options
        self._cache = collections.OrderedDict()
        self._warned = set()
        functools.update_wrapper(self, fn, updated=())

    def __call__(self, *args, **kwargs):
        if _graph.capturing():  # inside another capture: its graph records these kernels
            return self._fn(*args, **kwargs)
        tensors = []
        spec = _flatten((args, kwargs), tensors)
        key = self._key(spec, tensors, args, kwargs)
        try:
            entry = self._cache.get(key)
        except TypeError:  # an argument that is not hashable: no key to keep a graph under
            self._warn_once("an argument is not hashable")
            return self._fn(*args, **kwargs)
        if entry is None:
            return self._capture(key, spec, tensors)
        self._cache.move_to_end(key)
        if isinstance(entry, _Eager):
            return self._fn(*args, **kwargs)
        return _unflatten(entry.out_spec, iter(entry.graph.run(tensors)))

    def export(self, path, *args, **kwargs):
        """Captures the function for these arguments and saves the graph to a file that C++ runs.

        The function runs once under capture, as at a compiled function's first call with a new
        key (a training step is taken; the graph also replaces the cached one for the key). The
        file (safetensors: the graph as text in its metadata, and the contents of the parameters,
        buffers, optimizer state and constants) holds the state after that call, so
        ``ember::graph::load(path)`` in C++ gives a graph whose runs equal this function's next
        calls bit for bit. The parameters and buffers of the Modules the function reaches are
        named as ``named_parameters()``/``named_buffers()`` name them, prefixed with the
        variable that holds the Module when the function reaches several (``"head.weight"``). Built-in optimizers
        SGD, Adam, AdamW, Adagrad and RMSprop are saved with their options and state.

        Args:
            path (str or os.PathLike): the file to write (atomically).
            *args, **kwargs: example inputs, as for a call; their shapes, strides and dtypes are
                the graph's.

        Returns:
            What the call returned.

        Raises:
            RuntimeError: the call cannot be replayed (the reason eager fallback would warn about),
                or a step cannot be saved (a Python effect such as a scheduler's step, a kernel
                without a name such as BatchNorm's, a generator of its own); the message names it.

        Example::

            >>> model = ember.nn.Linear(4, 2)
            >>> infer = ember.compile(lambda x: model(x))
            >>> _ = infer.export(path, ember.ones(3, 4))  # doctest: +SKIP
        """
        tensors = []
        spec = _flatten((args, kwargs), tensors)
        key = self._key(spec, tensors, args, kwargs)
        result = self._capture(key, spec, tensors)
        entry = self._cache.get(key)
        if isinstance(entry, _Eager):
            raise RuntimeError(f"export: {self._name()} cannot be captured: {entry.why}")
        roots = _named_roots(self._fn, args, kwargs)
        named, seen = [], set()
        for root, m in roots:
            prefix = f"{root}." if len(roots) > 1 else ""
            for name, t in itertools.chain(m.named_parameters(), m.named_buffers()):
                if t is not None and id(t) not in seen:
                    seen.add(id(t))
                    named.append((prefix + name, t))
        entry.graph.set_named(named)
        _graph.save(entry.graph, os.fspath(path))
        return result

    def _key(self, spec, tensors, args, kwargs):
        modes = tuple(m.training for m in _modules_reachable(self._fn, args, kwargs))
        return (spec, tuple(_tensor_key(t) for t in tensors), is_grad_enabled(), get_default_dtype(), modes)

    def _capture(self, key, spec, tensors):
        why = None
        if any(t.requires_grad for t in tensors):
            why = "an input tensor requires grad (pass parameters through modules, not as arguments)"
        else:
            ranges = sorted((t.data_ptr(), t.data_ptr() + t.numel() * t.element_size()) for t in tensors if t.numel())
            if any(b[0] < a[1] for a, b in itertools.pairwise(ranges)):
                why = "two input tensors share memory"
        if why is not None:
            self._remember(key, _Eager(why))
            args, kwargs = _unflatten(spec, iter(tensors))
            return self._fn(*args, **kwargs)
        inputs = [_graph.make_input(t) for t in tensors]
        args, kwargs = _unflatten(spec, iter(inputs))
        capture = _graph.Capture()
        try:
            result = self._fn(*args, **kwargs)
        finally:
            graph = capture.finish()
        outputs = []
        out_spec = _flatten(result, outputs)
        why = graph.why_not
        if not why and not graph.ran_backward and any(t.requires_grad for t in outputs):
            why = "an output carries autograd history (call backward inside the compiled function)"
        if why:
            self._remember(key, _Eager(why))
            return result
        graph.set_io(inputs, outputs)
        graph.set_options(**self._options)
        self._remember(key, _Entry(graph, out_spec))
        # Copies, as a replay returns: the graph rewrites its own outputs at every run.
        return _unflatten(out_spec, iter(t.detach().clone() for t in outputs))

    def _remember(self, key, entry):
        if isinstance(entry, _Eager):
            if self._fullgraph:
                raise RuntimeError(f"compile: {self._name()} cannot be captured (fullgraph=True): {entry.why}")
            self._warn_once(entry.why)
        self._cache[key] = entry
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)

    def _name(self):
        return getattr(self._fn, "__qualname__", type(self._fn).__name__)

    def _warn_once(self, why):
        if why not in self._warned:
            self._warned.add(why)
            warnings.warn(f"compile: {self._name()} runs eagerly for these inputs: {why}", UserWarning, stacklevel=3)

    def graph_report(self):
        """What each cached graph holds, one entry per key, most recently used last.

        Returns:
            list of dict: ``replayable`` and ``why_not``; for a replayable graph ``kernels``,
            ``effects``, ``ops`` (each kernel or effect name with its count) and, once it has
            replayed, ``plan``: ``kernels_dropped`` (dead-code elimination), ``planned_buffers``,
            ``planned_bytes`` (their memory before the plan), ``arena_bytes`` (after) and
            ``fused``: one dict per chain of pointwise kernels run as one tiled pass, with its
            ``ops`` (names in order), ``numel`` and ``bytes_not_written`` (intermediates kept in
            tiles instead of memory).

        Example::

            >>> step = ember.compile(lambda x: (x * 2).sum())
            >>> _ = step(ember.ones(3))
            >>> step.graph_report()[0]["kernels"]
            2
        """
        report = []
        for entry in self._cache.values():
            if isinstance(entry, _Eager):
                report.append({"replayable": False, "why_not": entry.why})
                continue
            g = entry.graph
            ops = collections.Counter(name for name, _ in g.ops())
            report.append({"replayable": True, "why_not": "", "kernels": g.kernel_count, "effects": g.effect_count,
                           "ops": dict(ops), "plan": g.plan()})
        return report


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False):
    """Captures a function's kernels once per kind of input and replays them in C++ afterwards.

    The first call with a new key (each tensor argument's shape, strides, dtype, device and
    requires_grad; other arguments by value; grad mode; the default dtype; the ``training`` flag
    of every Module the function reaches) runs the function eagerly while every kernel it runs is
    recorded, forward, backward and optimizer step included. Later calls with the same key replay
    the recorded kernels on the same memory with no Python, autograd or allocation per op: results
    equal eager's bit for bit, random ops draw fresh numbers from the live generator, and in-place
    writes to the arguments land in the caller's tensors. Up to 8 keys are kept.

    Differences from eager (and torch.compile), see docs/pytorch_differences.rst: Python code in
    the function (appending to a list, a Python optimizer reading a float lr, printing) runs only
    at capture; results come back as fresh tensors without autograd history; a capture that reads
    tensor values on the host (``item()``, ``nonzero``, ``tolist()``, ``if loss > x``), whose
    outputs keep autograd history, or whose inputs require grad, runs eagerly for that key with
    one warning. Built-in optimizers' ``step``/``zero_grad`` and schedulers' ``step`` replay live.

    Args:
        model (callable): the function or Module to compile; without it, returns a decorator.
        fullgraph (bool): raise RuntimeError instead of running eagerly when a capture cannot be
            replayed. Default: False.
        dynamic (bool, optional): only None or False (each new shape is captured on its own).
        backend (str): only "inductor" (the default, accepted for torch's spelling) or "eager".
        mode (str, optional): only None or "default".
        options (dict, optional): switches of the optimizations applied to a graph before its
            first replay, each True by default: ``"dead_code_elimination"`` (drop kernels whose
            results nothing reads), ``"pointwise_fusion"`` (chains of pointwise kernels over one
            element count run as one pass in tiles, their intermediates kept out of memory) and
            ``"memory_plan"`` (buffers only the graph holds share one arena by lifetime). Results
            are the same bit for bit either way.
        disable (bool): return model itself, uncompiled. Default: False.

    Returns:
        callable: the compiled function, with ``graph_report()``.

    Example::

        >>> model = ember.nn.Linear(4, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> @ember.compile
        ... def step(x, y):
        ...     opt.zero_grad()
        ...     loss = ember.nn.functional.mse_loss(model(x), y)
        ...     loss.backward()
        ...     opt.step()
        ...     return loss
        >>> loss = step(ember.ones(8, 4), ember.zeros(8, 1))  # captures
        >>> loss = step(ember.ones(8, 4), ember.zeros(8, 1))  # replays
    """
    if dynamic:
        raise ValueError("compile: dynamic=True is not supported (each new input shape is captured on its own)")
    if backend not in ("inductor", "eager"):
        raise ValueError(f"compile: unknown backend {backend!r} (ember replays captured kernels: 'inductor' or 'eager')")
    if mode not in (None, "default"):
        raise ValueError(f"compile: mode {mode!r} is not supported (only None or 'default')")
    unknown = sorted(set(options or ()) - set(_OPTIONS))
    if unknown:
        raise ValueError(f"compile: unknown options {unknown} (known: {sorted(_OPTIONS)})")
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                                 options=options, disable=disable)
    if not callable(model):
        raise TypeError(f"compile: expected a callable, got {type(model).__name__}")
    if disable:
        return model
    return _CompiledFunction(model, fullgraph, {**_OPTIONS, **{k: bool(v) for k, v in (options or {}).items()}})

"""Checkpoint: the whole training state in one atomic safetensors file, resumable bit for bit."""
import math
import os
import random
import re

import numpy as np

import ember
from ember.train.callbacks import Callback, _as_number, _is_better, _mode_check

__all__ = ["Checkpoint"]

_FORMAT = "ember.train.Checkpoint/1"
_EPOCH_FILE = re.compile(r"^epoch-(\d+)\.safetensors$")


class Checkpoint(Callback):
    """Saves and restores a run's whole state: model, optimizer and scheduler ``state_dict``\\ s,
    the epoch, the best monitored value, and the random states (ember's default generator, the
    given generators such as a DataLoader's, Python's ``random`` and NumPy's global one), so a
    run stopped after epoch k and resumed gives the same numbers, bit for bit, as one never stopped.

    Each checkpoint is one safetensors file written by ``ember.save``: tensors as tensors (an
    optimizer's per-parameter state under names such as ``optimizer.state.0.momentum_buffer``),
    everything else as JSON in the metadata. ``ember.save`` writes atomically (a temporary file,
    fsync, rename), so a process killed mid-save leaves the previous checkpoint as it was.

    ``path`` ending in ``.safetensors`` is one file, overwritten by each save. Any other path is a
    directory of ``epoch-NNNN.safetensors`` files: ``keep_last_n`` keeps the newest n of them,
    and ``keep_best`` also keeps the one with the best ``monitor`` value (``best_path``).

    From a plain loop::

        ckpt = Checkpoint("runs/a", model=model, optimizer=opt, scheduler=sched,
                          generators={"loader": loader.generator}, keep_last_n=2)
        for epoch in range(ckpt.resume(), epochs):   # 0 when there is no checkpoint yet
            ...
            ckpt.save(epoch, {"val_loss": val_loss})

    As a callback, ``on_epoch_end(epoch, logs)`` calls ``save(epoch, logs)``.

    In a distributed run (``ember.distributed`` initialized), only rank 0 writes and prunes; every
    rank returns from ``save`` after a barrier, once the file is complete. Every rank resumes from
    the same file, and nothing in it depends on the world size, so a run saved by 2 ranks resumes
    on 1 or 4 (the random states restored are rank 0's).

    Args:
        path (str or PathLike): a ``.safetensors`` file, or a directory (created when missing).
        model (Module, optional): the model. Default: ``None``.
        optimizer (Optimizer, optional): its state is saved too. Default: ``None``.
        scheduler (LRScheduler, optional): its state is saved too. Default: ``None``.
        generators (dict or list of Generator, optional): generators whose states to save (a
            DataLoader's ``generator``, a sampler's, ...), by name or position. ember's default
            generator is always saved. Default: ``None``.
        objects (dict, optional): other things with ``state_dict``/``load_state_dict`` (an
            EarlyStopping, a GradScaler-like object), by name. Default: ``None``.
        monitor (str, optional): the logs' key whose best value is tracked. Default: ``None``.
        mode (str): ``"min"`` or ``"max"`` for ``monitor``. Default: ``"min"``.
        keep_last_n (int, optional): directory mode: keep only the newest n epoch files.
            Default: ``None`` (keep all).
        keep_best (bool): directory mode: never delete the best epoch's file (needs ``monitor``).
            Default: ``False``.

    Example::

        >>> import tempfile
        >>> folder = tempfile.mkdtemp()
        >>> model = ember.nn.Linear(3, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> ckpt = Checkpoint(folder, model=model, optimizer=opt, keep_last_n=2)
        >>> for epoch in range(ckpt.resume(), 3):
        ...     opt.zero_grad(); model(ember.randn(4, 3)).sum().backward(); opt.step()
        ...     _ = ckpt.save(epoch, {"loss": 1.0 / (epoch + 1)})
        >>> sorted(os.listdir(folder))
        ['epoch-0001.safetensors', 'epoch-0002.safetensors']
        >>> Checkpoint(folder, model=ember.nn.Linear(3, 1)).resume()
        3
    """

    def __init__(self, path, model=None, optimizer=None, scheduler=None, generators=None, objects=None, monitor=None,
                 mode="min", keep_last_n=None, keep_best=False):
        path = os.fspath(path)
        if monitor is not None:
            _mode_check("Checkpoint", mode, monitor)
        elif mode not in ("min", "max"):
            raise ValueError(f"Checkpoint: mode must be 'min' or 'max', got {mode!r}")
        if keep_last_n is not None and (isinstance(keep_last_n, bool) or not isinstance(keep_last_n, int)
                                        or keep_last_n < 1):
            raise ValueError(f"Checkpoint: keep_last_n must be an int >= 1 or None, got {keep_last_n!r}")
        if keep_best and monitor is None:
            raise ValueError("Checkpoint: keep_best needs monitor= (the logs' key to compare)")
        if isinstance(generators, (list, tuple)):
            generators = {str(i): g for i, g in enumerate(generators)}
        for name, g in (generators or {}).items():
            if not isinstance(g, ember.Generator):
                raise TypeError(f"Checkpoint: generators[{name!r}] must be an ember.Generator, got {type(g).__name__}")
        self.path, self.single_file = path, path.endswith(".safetensors")
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.generators, self.objects = dict(generators or {}), dict(objects or {})
        self.monitor, self.mode, self.keep_last_n, self.keep_best = monitor, mode, keep_last_n, keep_best
        self.best, self.best_path = None, None

    # ---- files -----------------------------------------------------------------------------

    def file_for(self, epoch):
        """The file that ``save(epoch)`` writes.

        Args:
            epoch (int): the epoch.

        Returns:
            str: the path.

        Example::

            >>> os.path.basename(Checkpoint("runs").file_for(7))
            'epoch-0007.safetensors'
        """
        return self.path if self.single_file else os.path.join(self.path, f"epoch-{epoch:04d}.safetensors")

    def files(self):
        """The checkpoint files present, oldest epoch first.

        Returns:
            list of str: paths (directory mode: the ``epoch-NNNN`` files; file mode: the file if it exists).

        Example::

            >>> import tempfile
            >>> Checkpoint(tempfile.mkdtemp()).files()
            []
        """
        if self.single_file:
            return [self.path] if os.path.isfile(self.path) else []
        if not os.path.isdir(self.path):
            return []
        found = sorted((int(m.group(1)), name) for name in os.listdir(self.path) if (m := _EPOCH_FILE.match(name)))
        return [os.path.join(self.path, name) for _, name in found]

    # ---- save --------------------------------------------------------------------------------

    def state(self, epoch, logs=None):
        """The dict that ``save`` writes (tensors and JSON values only).

        Args:
            epoch (int): the epoch just finished.
            logs (dict, optional): that epoch's values.

        Returns:
            dict: format, epoch, best, logs, model, optimizer, scheduler, rng, objects.

        Example::

            >>> sorted(Checkpoint("c.safetensors", model=ember.nn.Linear(1, 1)).state(0)["rng"])
            ['default', 'numpy', 'python']
        """
        logs = {k: _as_number("Checkpoint", v) if hasattr(v, "item") else v for k, v in (logs or {}).items()}
        py_version, py_state, py_gauss = random.getstate()
        np_state = np.random.get_state()
        rng = {"default": ember.get_rng_state(),
               "python": [py_version, list(py_state), py_gauss],
               "numpy": [np_state[0], np_state[1].astype(np.int64), int(np_state[2]), int(np_state[3]), float(np_state[4])],
               "generators": {name: g.get_state() for name, g in self.generators.items()}}
        if not self.generators:
            del rng["generators"]
        out = {"format": _FORMAT, "epoch": int(epoch), "best": self.best, "best_path": self.best_path, "logs": logs,
               "rng": rng}
        for name in ("model", "optimizer", "scheduler"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name).state_dict()
        if self.objects:
            out["objects"] = {name: obj.state_dict() for name, obj in self.objects.items()}
        return out

    def save(self, epoch, logs=None):
        """Writes the state after ``epoch`` atomically, then deletes files beyond ``keep_last_n``.

        Args:
            epoch (int): the epoch just finished (``resume`` continues from ``epoch + 1``).
            logs (dict, optional): that epoch's values; ``logs[monitor]`` updates ``best``.

        Returns:
            str: the file written.

        Example::

            >>> import tempfile
            >>> c = Checkpoint(os.path.join(tempfile.mkdtemp(), "last.safetensors"), model=ember.nn.Linear(1, 1))
            >>> os.path.basename(c.save(0))
            'last.safetensors'
        """
        path = self.file_for(epoch)
        if self.monitor is not None and logs is not None and self.monitor in logs:
            value = _as_number("Checkpoint", logs[self.monitor])
            if not math.isnan(value) and _is_better(value, self.best, self.mode):
                self.best, self.best_path = value, path
        distributed = ember.distributed.is_initialized()
        if not distributed or ember.distributed.get_rank() == 0:
            self._write(path, self.state(epoch, logs))
        if distributed:
            ember.distributed.barrier()  # the other ranks may read the file once save returns
        return path

    def _write(self, path, state):
        if not self.single_file:
            os.makedirs(self.path, exist_ok=True)
        ember.save(state, path)
        if not self.single_file and self.keep_last_n is not None:
            keep = set(self.files()[-self.keep_last_n:])
            if self.keep_best and self.best_path is not None:
                keep.add(self.best_path)
            for old in self.files():
                if old not in keep:
                    os.remove(old)

    # ---- load --------------------------------------------------------------------------------

    def latest(self):
        """The newest checkpoint file, or None.

        Returns:
            str or None: the path.

        Example::

            >>> import tempfile
            >>> Checkpoint(tempfile.mkdtemp()).latest() is None
            True
        """
        files = self.files()
        return files[-1] if files else None

    def load(self, path=None):
        """Reads a checkpoint without restoring anything.

        Args:
            path (str, optional): the file; ``"best"`` for ``best_path``. Default: the newest.

        Returns:
            dict: what ``state`` gave when it was saved.

        Raises:
            FileNotFoundError: when there is no checkpoint. ValueError: when the file is not one.

        Example::

            >>> import tempfile
            >>> c = Checkpoint(tempfile.mkdtemp(), model=ember.nn.Linear(1, 1))
            >>> _ = c.save(4); c.load()["epoch"]
            4
        """
        if path == "best":
            if self.best_path is None:
                raise FileNotFoundError(f"Checkpoint.load: no best checkpoint known in {self.path}")
            path = self.best_path
        path = self.latest() if path is None else os.fspath(path)
        if path is None:
            raise FileNotFoundError(f"Checkpoint.load: no checkpoint in {self.path}")
        state = ember.load(path)
        if not isinstance(state, dict) or state.get("format") != _FORMAT:
            raise ValueError(f"Checkpoint.load: {path} is not a checkpoint written by ember.train.Checkpoint")
        return state

    def resume(self, path=None, strict=True):
        """Restores the newest (or the given) checkpoint into the objects given to the
        constructor, in place, and returns the epoch to continue from.

        Args:
            path (str, optional): the file; ``"best"`` for ``best_path``. Default: the newest.
            strict (bool): passed to the model's ``load_state_dict``. Default: ``True``.

        Returns:
            int: the saved epoch + 1, or 0 when there is no checkpoint yet (a fresh run).

        Raises:
            KeyError: when the file lacks a state this Checkpoint was given (e.g. an optimizer).

        Example::

            >>> import tempfile
            >>> c = Checkpoint(tempfile.mkdtemp(), model=ember.nn.Linear(1, 1))
            >>> c.resume()
            0
            >>> _ = c.save(0); c.resume()
            1
        """
        if path is None and self.latest() is None:
            return 0
        state = self.load(path)
        for name in ("model", "optimizer", "scheduler"):
            target = getattr(self, name)
            if target is None:
                continue
            if name not in state:
                raise KeyError(f"Checkpoint.resume: the checkpoint holds no {name} state")
            if name == "model":
                target.load_state_dict(state[name], strict=strict)
            else:
                target.load_state_dict(state[name])
        for name, obj in self.objects.items():
            if name not in state.get("objects", {}):
                raise KeyError(f"Checkpoint.resume: the checkpoint holds no state for objects[{name!r}]")
            obj.load_state_dict(state["objects"][name])
        rng = state["rng"]
        ember.set_rng_state(rng["default"])
        for name, g in self.generators.items():
            if name not in rng.get("generators", {}):
                raise KeyError(f"Checkpoint.resume: the checkpoint holds no state for generators[{name!r}]")
            g.set_state(rng["generators"][name])
        version, words, gauss = rng["python"]
        random.setstate((version, tuple(words), gauss))
        np.random.set_state((rng["numpy"][0], np.asarray(rng["numpy"][1], dtype=np.uint32), *rng["numpy"][2:]))
        self.best, self.best_path = state["best"], state["best_path"]
        return int(state["epoch"]) + 1

    # ---- callback ------------------------------------------------------------------------------

    def on_epoch_end(self, epoch, logs=None):
        self.save(epoch, logs)
        return False

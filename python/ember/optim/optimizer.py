"""ember.optim.Optimizer: PyTorch's optimizer API over ember's C++ optimizers.

param_groups is PyTorch's list of plain dicts: read and change any entry (lr, momentum, betas,
...) and the next step uses it. The parameters, their state and the fused update loops live in
C++ (ember::optim); this module keeps the groups, state_dict's layout and the checks that
PyTorch makes in Python. A subclass that sets no _Impl is a pure-Python optimizer, as with
torch.optim.Optimizer: it writes step() over self.param_groups and self.state.
"""
import collections
import functools
import inspect

from ember._C import Tensor, _graph, tensor as _tensor
from ember._signature import make_init, signature_of
from ember.autograd.grad_mode import enable_grad

_IMPLEMENTATION_FLAGS = ("foreach", "fused", "capturable", "differentiable")


def _signature_init(cls):
    """An __init__ with PyTorch's signature for a built-in optimizer, made from the fields its C++
    options declare (cpp/include/ember/optim/<name>.h). Switches (foreach, fused, capturable,
    differentiable) are checked, not kept."""
    fields = cls._Impl._signature()
    signature = signature_of(fields, leading=[inspect.Parameter("params", inspect.Parameter.POSITIONAL_OR_KEYWORD)])
    switches = {name for name, _, _, is_switch in fields if is_switch}
    kept = {name: default for name, default, k, _ in fields if k == "kept"}

    def body(self, arguments):
        params = arguments.pop("params")
        cls._resolve(arguments)
        cls._Impl._validate(arguments)
        defaults = {name: value for name, value in arguments.items() if name not in switches}
        Optimizer.__init__(self, params, {**defaults, **kept})

    return make_init(cls, signature, body,
                     f"Makes a {cls.__name__} over params (tensors, (name, tensor) pairs or group dicts).")


class Optimizer:
    """Base of all optimizers: parameter groups, zero_grad, step, state_dict. A Python subclass
    defines step() over self.param_groups, as with PyTorch's.

    Args:
        params (iterable): Parameters, or dicts of parameter groups ({"params": [...], "lr": ...}).
        defaults (dict): each group's hyperparameters where the group gives none.

    Example::

        >>> class PlainSGD(ember.optim.Optimizer):
        ...     def __init__(self, params, lr=0.1):
        ...         super().__init__(params, {"lr": lr})
        ...     @ember.no_grad()
        ...     def step(self, closure=None):
        ...         for group in self.param_groups:
        ...             for p in group["params"]:
        ...                 if p.grad is not None:
        ...                     p -= group["lr"] * p.grad
        >>> opt = PlainSGD(ember.nn.Linear(2, 1).parameters())
    """

    _Impl = None  # the C++ class of a built-in optimizer
    _state_has_step = True  # PyTorch's SGD keeps no 'step' in its state

    @staticmethod
    def _resolve(arguments):
        """Fills, in place, the arguments whose default depends on others (LBFGS's max_eval)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_Impl") is not None and "__init__" not in cls.__dict__:
            cls.__init__ = _signature_init(cls)
        # A subclass's own step() marks the call too: schedulers warn when they step first.
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_marks_call", False):
            @functools.wraps(step)
            def marked_step(self, *args, **kw):
                self._opt_called = True
                return step(self, *args, **kw)

            marked_step._marks_call = True
            cls.step = marked_step

    def __init__(self, params, defaults):
        if self._Impl is not None:
            self._Impl._validate(defaults)
        self.defaults = defaults
        self.param_groups = []
        self._impl = None
        self._python_state = collections.defaultdict(dict)
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {type(params).__name__}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):  # tensors, or (name, tensor) pairs
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Adds a group: its own entries, the optimizer's defaults for the rest."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        else:
            params = list(params)
        group = dict(param_group)
        if params and all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in params):
            group["param_names"] = [name for name, _ in params]  # named_parameters(), as PyTorch takes
            params = [p for _, p in params]
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
        group["params"] = params
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        if self._Impl is None:
            for p in params:
                if not (p.is_leaf or p.retains_grad):
                    raise ValueError("can't optimize a non-leaf Tensor")
            if any(p is q for g in self.param_groups for p in g["params"] for q in params):
                raise ValueError("some parameters appear in more than one parameter group")
        elif self._impl is None:
            self._impl = self._Impl(params, group)  # checks leaves, dtypes and duplicates
        else:
            self._impl._add_param_group(params, group)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Drops (set_to_none) or zeroes every parameter's gradient."""
        if _graph.capturing():  # ember.compile: replays call it again, on the live gradients
            _graph.effect(lambda: self.zero_grad(set_to_none), optimizer=self._impl,
                          zero_grad=bool(set_to_none) if self._impl is not None else None,
                          name=f"{type(self).__name__}.zero_grad")
            return
        if self._impl is not None:
            self._impl.zero_grad(set_to_none)
            return
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:  # as torch's: detach_ only a grad with history (a view's would raise)
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    def step(self, closure=None):
        """One update of every parameter with a gradient. closure (optional) re-evaluates the
        model and returns the loss; it runs with gradients enabled, and step returns its value."""
        if self._impl is None:
            raise NotImplementedError(f"{type(self).__name__} must define step() (an Optimizer subclass of its own)")
        if _graph.capturing():  # ember.compile: replays step again, reading the live groups and state
            if closure is not None:
                _graph.refuse(f"{type(self).__name__}.step(closure): the closure's Python would not run at replay")
            else:
                _graph.effect(lambda: Optimizer.step(self), optimizer=self._impl, name=f"{type(self).__name__}.step")
                return None
        self._opt_called = True
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._impl._step(self.param_groups)
        return loss

    # ---- state ----------------------------------------------------------------------------------

    def _parameters(self):
        return [p for group in self.param_groups for p in group["params"]]

    def _state_of(self, index):
        """Parameter index's state as PyTorch names it ({} before its first step)."""
        step, tensors = self._impl._state(index)
        if not tensors and step == 0:
            return {}
        state = {"step": _tensor(float(step))} if self._state_has_step else {}
        state.update(tensors)
        return state

    @property
    def state(self):
        """Per-parameter state, keyed by parameter (a snapshot of the C++ state for built-ins)."""
        if self._impl is None:
            return self._python_state
        out = collections.defaultdict(dict)
        for i, p in enumerate(self._parameters()):
            s = self._state_of(i)
            if s:
                out[p] = s
        return out

    def state_dict(self):
        """{'state': {index: {name: tensor}}, 'param_groups': [group without tensors, 'params'
        as indices]}, parameters numbered in group order, as PyTorch's."""
        groups, index = [], 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = list(range(index, index + len(group["params"])))
            index += len(group["params"])
            groups.append(packed)
        if self._impl is None:
            ids = {id(p): i for i, p in enumerate(self._parameters())}
            state = {ids[id(p)]: s for p, s in self._python_state.items() if id(p) in ids}
        else:
            state = {i: s for i in range(index) if (s := self._state_of(i))}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Resumes from state_dict(): the saved groups' hyperparameters and every parameter's
        state (copied, cast to the parameter's dtype), so the run goes on exactly as it would have."""
        if not isinstance(state_dict, dict):
            raise TypeError(f"load_state_dict: expected a dict (what state_dict() gives), got {type(state_dict).__name__}")
        if "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError("load_state_dict: expected a dict with 'state' and 'param_groups' (what state_dict() gives)")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for group, saved in zip(self.param_groups, saved_groups):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 "optimizer's group")
        # Saved parameter ids, in group order, name this optimizer's parameters in the same order.
        saved_ids = [i for saved in saved_groups for i in saved["params"]]
        states = state_dict["state"]
        if self._impl is None:
            params = self._parameters()
            self._python_state = collections.defaultdict(dict)
            for p, i in zip(params, saved_ids):
                if i in states:
                    self._python_state[p] = dict(states[i])
        else:
            for position, i in enumerate(saved_ids):
                saved = dict(states.get(i, {}))
                if saved and self._state_has_step and "step" not in saved:
                    raise KeyError(f"load_state_dict: the state of parameter {i} has no 'step'")
                step = saved.pop("step", 0)
                step = step.item() if isinstance(step, Tensor) else step
                if isinstance(step, bool) or not isinstance(step, (int, float)) or (
                        isinstance(step, float) and not step.is_integer()):
                    raise ValueError(f"load_state_dict: the step of parameter {i} must be a whole number, got {step!r}")
                step = int(step)
                for name, value in saved.items():
                    if not isinstance(value, Tensor):
                        raise TypeError(f"load_state_dict: state '{name}' of parameter {i} is not a tensor")
                self._impl._set_state(position, step, list(saved.items()))
        for k, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            new = {key: value for key, value in saved.items() if key not in _IMPLEMENTATION_FLAGS}
            new["params"] = group["params"]
            self.param_groups[k] = new

    # ---- pickle and copy: the attributes, and a built-in optimizer's C++ state beside them ------

    def __getstate__(self):
        """The attributes (param_groups, defaults, ...) and a built-in optimizer's C++ state: each
        parameter's step and tensors (momentum buffers, moments), LBFGS's history. pickle and
        copy.deepcopy copy it (parameters shared with a model copied in the same call stay
        shared), copy.copy shares it, as PyTorch's."""
        state = dict(vars(self))
        impl = state.pop("_impl", None)
        if impl is not None:
            state["_impl_state"] = [impl._state(i) for i in range(impl._num_params())]
            if hasattr(impl, "_lbfgs_state"):
                state["_lbfgs_state"] = impl._lbfgs_state()
        return state

    def __setstate__(self, state):
        """Restores what __getstate__ gave: the C++ optimizer is made again from param_groups."""
        state = dict(state)
        impl_state = state.pop("_impl_state", [])
        lbfgs_state = state.pop("_lbfgs_state", None)
        vars(self).update(state)
        self._impl = None
        if self._Impl is None:
            return
        for group in self.param_groups:
            if self._impl is None:
                self._impl = self._Impl(group["params"], group)
            else:
                self._impl._add_param_group(group["params"], group)
        for i, (step, tensors) in enumerate(impl_state):
            self._impl._set_state(i, step, list(tensors))
        if lbfgs_state is not None:
            self._impl._set_lbfgs_state(lbfgs_state)

    def __repr__(self):
        out = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            out += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    out += f"    {key}: {group[key]}\n"
        return out + ")"

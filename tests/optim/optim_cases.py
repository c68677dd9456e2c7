"""Helpers shared by the ember.optim bad-input sweeps (test_optim_bad_inputs.py and
test_lr_scheduler_bad_inputs.py): the child processes' prelude, and small builders that each take
the library (ember or torch) first. Importable as a plain module (tests/conftest.py puts this
folder on sys.path)."""
import math

import numpy as np

import ember
from bad_inputs import prelude

_PRELUDE = prelude("""
warnings.simplefilter("ignore")
import ember
S = ember.optim.lr_scheduler
""")

def _P(L, *shape):
    return L.zeros(*shape, requires_grad=True)


def _grad(L, *params):
    for p in params:
        p.grad = L.ones_like(p)


def _stepped(L, cls="Adam", n=1, shape=(2,), **kw):
    """An optimizer over one parameter after n steps (gradient 1)."""
    p = _P(L, *shape)
    o = getattr(L.optim, cls)([p], **kw)
    for _ in range(n):
        _grad(L, p)
        o.step()
    return o, p


def _vals(p):
    return np.asarray(p.detach().numpy(), dtype=np.float64).round(6).tolist()


def _mutate_then_step(L, cls, mutate, **kw):
    """One step, mutate(L, opt, extra_param), then another step; the parameters' values."""
    o, p = _stepped(L, cls, **kw)
    q = _P(L, 2)
    mutate(L, o, q)
    _grad(L, p, q)
    o.step()
    return _vals(p), _vals(q)


def _set(group, key, value):
    group[key] = value


def _load(L, modify, cls="Adam", **kw):
    """state_dict after one step, modify(L, sd) -> sd, load it, step again."""
    o, p = _stepped(L, cls, **kw)
    o.load_state_dict(modify(L, o.state_dict()))
    _grad(L, p)
    o.step()
    return _vals(p)


def _state0(sd, **entries):
    return {**sd, "state": {0: {**sd["state"][0], **entries}}}


def _group0(sd, drop=(), **entries):
    g = {k: v for k, v in sd["param_groups"][0].items() if k not in drop}
    return {**sd, "param_groups": [{**g, **entries}]}


def _sgd(L, lr=0.1, n_groups=1, **kw):
    if n_groups == 1:
        return L.optim.SGD([_P(L, 2)], lr=lr, **kw)
    return L.optim.SGD([{"params": [_P(L, 2)]} for _ in range(n_groups)], lr=lr, **kw)


def _run(s, n=3, *args):
    """n rounds of optimizer.step(); scheduler.step(*args); the last rates."""
    for _ in range(n):
        s.optimizer.step()
        s.step(*args)
    return [float(x) for x in s.get_last_lr()]


def _S(L):
    return L.optim.lr_scheduler


def _finite(r):
    return all(math.isfinite(x) for x in r)


def _pair(torch, fn):
    """fn(L) for both libraries; its results as nested lists."""
    return fn(ember), fn(torch)

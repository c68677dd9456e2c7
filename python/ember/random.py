"""ember.random, as torch.random: the default generator's seed and state, and fork_rng (a block
whose random draws leave the generator as it was)."""
import contextlib

import ember
from ember._C import get_rng_state, initial_seed, manual_seed, seed, set_rng_state  # noqa: F401  (torch.random's)

__all__ = ["fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed", "set_rng_state"]


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type=None):
    """Runs the block on a fork of the random state: when it ends, the default generator is back
    where it was, whatever the block drew (accelerators' generators too, where there are any:
    none in this build).

    Args:
        devices (iterable of int, optional): the accelerators whose generators fork too (none here).
        enabled (bool, optional): False runs the block without forking. Default: True.
        device_type (str, optional): the accelerator type (``"cuda"``). Default: None.

    Example::

        >>> _ = ember.manual_seed(0)
        >>> with ember.random.fork_rng():
        ...     _ = ember.rand(3)
        >>> a = ember.rand(1)
        >>> _ = ember.manual_seed(0)
        >>> bool(ember.rand(1) == a)
        True
    """
    if not enabled:
        yield
        return
    state = ember.get_rng_state()
    try:
        yield
    finally:
        ember.set_rng_state(state)

"""Shared setup for ember's Python tests.

* Puts the folders of the shared tables and helpers on sys.path (this one: bad_inputs,
  pickle_helpers; core/: op_db; autograd/: autograd_helpers; nn/: module_db, nn_helpers; optim/:
  optim_cases; fuzz/: fuzz_engine, fuzz_pool, known_divergences and its parts; transforms/:
  transform_helpers; distributed/: mpi_helpers), so test modules can
  ``import op_db``.
  The test folders follow the source's: core, autograd, nn, optim, text, io, cpp; and fuzz.
* ``torch`` fixture: the oracle, skipping cleanly where torch is not installed.
* Every test ends with grad mode on and anomaly mode off, whatever it did.
"""
import pathlib
import sys

import pytest

_TESTS_DIR = pathlib.Path(__file__).resolve().parent
for _folder in (_TESTS_DIR, *(_TESTS_DIR / area for area in ("core", "autograd", "nn", "optim", "fuzz", "metrics", "transforms", "distributed"))):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

import op_db  # noqa: E402  (imports ember)

# The default generator starts from an OS seed in each process (as torch's); the suite starts from
# a fixed one so that its unseeded random inputs are the same on every run.
op_db.ember.manual_seed(67280421310721)


@pytest.fixture(autouse=True)
def _restore_global_modes():
    """A failing test must not leave grad mode off or anomaly mode on for the tests after it (the
    tests themselves assert the modes they expect)."""
    yield
    op_db.ember.set_grad_enabled(True)
    op_db.ember.autograd.set_detect_anomaly(False)


@pytest.fixture(scope="session")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(scope="session")
def ember():
    return op_db.ember

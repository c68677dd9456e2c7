"""The documentation site (docs/) builds from the installed package's docstrings with warnings as
errors, as CI builds it: every API page imports its module, every docstring parses. The dummy
builder reads and resolves everything but writes no HTML (about 8 s on an idle 2-core machine)."""

import os
import subprocess
import sys

import pytest

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")


def test_sphinx_build_has_no_warnings(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("sphinx.ext.napoleon")
    run = subprocess.run([sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-q",
                          "-b", "dummy", "-d", str(tmp_path / "doctrees"), DOCS,
                          str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-6000:]
    assert run.stderr.strip() == "", run.stderr[-6000:]


def test_every_api_module_has_a_page():
    """The modules the brief lists, one page each, each an automodule of its module."""
    modules = ["ember", "ember.autograd", "ember.nn", "ember.nn.functional", "ember.nn.init",
               "ember.optim", "ember.optim.lr_scheduler", "ember.models", "ember.text", "ember.metrics", "ember.transforms",
               "ember.linalg", "ember.distributed", "ember.distributed.run", "ember.nn.parallel",
               "ember.distributions", "ember.func", "ember.autograd.functional", "ember.optim.swa_utils",
               "ember.nn.utils", "ember.nn.utils.parametrize", "ember.nn.utils.parametrizations",
               "ember.nn.utils.prune", "ember.utils.checkpoint", "ember.autograd.graph", "ember.amp", "ember.random",
               "ember.utils.tensorboard", "ember.special", "ember.errors",
               "ember.multiprocessing", "ember.utils.benchmark"]
    pages = {}
    api = os.path.join(DOCS, "api")
    for name in os.listdir(api):
        text = open(os.path.join(api, name), encoding="utf-8").read()
        for line in text.splitlines():
            if line.startswith(".. automodule:: "):
                pages[line.split()[-1]] = name
    assert sorted(pages) == sorted(modules)
    index = open(os.path.join(DOCS, "index.rst"), encoding="utf-8").read()
    for name in pages.values():
        assert "api/" + name[:-4] in index, name

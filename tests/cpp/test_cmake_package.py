"""The installed package works for native C++ users: find_package(ember) and ember::core."""

import os
import shutil
import subprocess
import sys

import pytest

import ember

HERE = os.path.dirname(os.path.abspath(__file__))


def _cmake():
    exe = shutil.which("cmake")
    if exe is None:
        pytest.skip("cmake is not installed")
    return exe


def test_cmake_config_is_shipped():
    assert os.path.isfile(os.path.join(ember.get_cmake_dir(), "emberConfig.cmake"))
    assert os.path.isfile(os.path.join(ember.get_include(), "ember", "ember.h"))


def test_external_cmake_project_builds_and_runs(tmp_path):
    cmake = _cmake()
    build = tmp_path / "build"
    env = dict(os.environ)
    subprocess.run(
        [cmake, "-S", os.path.join(HERE, "cpp_consumer"), "-B", str(build),
         f"-Dember_DIR={ember.get_cmake_dir()}", "-DCMAKE_BUILD_TYPE=Release"],
        check=True, capture_output=True, text=True, env=env)
    subprocess.run([cmake, "--build", str(build)], check=True, capture_output=True, text=True,
                   env=env)
    exe = build / "test_core"
    # No preload: libember_core must find OpenBLAS through its own RUNPATH.
    run = subprocess.run([str(exe)], capture_output=True, text=True, env=env)
    sys.stdout.write(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    assert " 0 failed" in run.stdout
    # A small MLP built and trained from C++ alone (tests/cpp/cpp_consumer/train_mlp.cpp).
    run = subprocess.run([str(build / "train_mlp"), str(tmp_path / "mlp.safetensors")], capture_output=True,
                         text=True, env=env)
    sys.stdout.write(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "\n0 failed" in run.stdout

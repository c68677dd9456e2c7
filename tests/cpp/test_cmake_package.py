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


def test_found_from_site_packages_prefix(tmp_path):
    """A scikit-build-core project that depends on ember puts site-packages on CMAKE_PREFIX_PATH
    and nothing else (ember registers no entry point, whose import would run ember/__init__.py in
    every build); CMake's <prefix>/<name>*/lib*/cmake/<name>*/ rule must find the config there."""
    cmake = _cmake()
    cmake_dir = ember.get_cmake_dir()
    site_packages = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(cmake_dir))))
    (tmp_path / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.15)\nproject(consumer LANGUAGES CXX)\n"
        "find_package(ember CONFIG REQUIRED)\nmessage(STATUS \"ember_DIR=${ember_DIR}\")\n")
    run = subprocess.run([cmake, "-S", str(tmp_path), "-B", str(tmp_path / "build"),
                          f"-DCMAKE_PREFIX_PATH={site_packages}"], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"ember_DIR={cmake_dir}" in run.stdout


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


def _readme_block(lang, after):
    """The first ```lang block of README.md after the line containing `after`."""
    text = open(os.path.join(HERE, "..", "..", "README.md"), encoding="utf-8").read()
    start = text.index(f"```{lang}\n", text.index(after)) + len(lang) + 4
    return text[start:text.index("```", start)]


def test_umbrella_header_compiles_alone(tmp_path):
    """ember.h is the whole public API (nn and optim included) and needs nothing before it."""
    cxx = shutil.which(os.environ.get("CXX", "c++"))
    if cxx is None:
        pytest.skip("no C++ compiler")
    src = tmp_path / "one.cpp"
    src.write_text("#include <ember/ember.h>\n"
                   "ember::optim::StepLR* s; ember::nn::Conv2d* c;\n"
                   "ember::nn::ZeroPad2d* z; ember::nn::Upsample* u;\n")
    run = subprocess.run([cxx, "-std=c++17", "-fsyntax-only", "-Wall", "-Wextra", "-Werror",
                          "-I", ember.get_include(), str(src)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-4000:]


def test_readme_cpp_snippet_builds_and_runs(tmp_path):
    """The README's CMakeLists.txt and app.cpp blocks, written out as they are, build and train."""
    cmake = _cmake()
    marker = "From C++: a complete project"
    (tmp_path / "CMakeLists.txt").write_text(_readme_block("cmake", marker))
    (tmp_path / "app.cpp").write_text(_readme_block("cpp", marker))
    build = tmp_path / "build"
    subprocess.run([cmake, "-S", str(tmp_path), "-B", str(build),
                    f"-Dember_DIR={ember.get_cmake_dir()}", "-DCMAKE_BUILD_TYPE=Release"],
                   check=True, capture_output=True, text=True)
    made = subprocess.run([cmake, "--build", str(build)], capture_output=True, text=True)
    assert made.returncode == 0, made.stdout[-4000:] + made.stderr[-4000:]
    run = subprocess.run([str(build / "app")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    losses = [float(line.split("loss ")[1]) for line in run.stdout.splitlines()]
    assert len(losses) == 4 and losses[-1] < losses[0], run.stdout

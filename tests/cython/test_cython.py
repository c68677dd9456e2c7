"""Cython over the installed package: the .pxd files beside ember.get_include()'s headers and
libember_core, with no source-tree path. The extension (ember_cy_demo.pyx) is transpiled and
compiled once per session (about 20 s on 2 cores, seconds with ccache warm), then imported
beside `import ember` and tensors go both ways, sharing memory and autograd history."""

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig

import numpy as np
import pytest

import ember

pytest.importorskip("Cython")
HERE = os.path.dirname(os.path.abspath(__file__))


def _build(tmp):
    """cython + the C++ compiler, as a user of the installed package would; returns the module."""
    include = ember.get_include()
    libdir = os.path.join(os.path.dirname(include), "lib")
    shutil.copy(os.path.join(HERE, "ember_cy_demo.pyx"), tmp)
    # Relative names and a fixed cwd keep ccache hits across temporary folders.
    subprocess.run([sys.executable, "-m", "cython", "--cplus", "-3", "-I", include,
                    "ember_cy_demo.pyx", "-o", "ember_cy_demo.cpp"],
                   cwd=tmp, check=True, capture_output=True, text=True)
    ext = "ember_cy_demo" + sysconfig.get_config_var("EXT_SUFFIX")
    cxx = (sysconfig.get_config_var("CXX") or "c++").split()
    if shutil.which("ccache") and "ccache" not in cxx[0]:
        cxx = ["ccache"] + cxx
    cmd = cxx + ["-std=c++17", "-O1", "-shared", "-fPIC", "-fvisibility=hidden",
                 "-I", sysconfig.get_paths()["include"], "-I", include, "ember_cy_demo.cpp",
                 "-o", ext,
                 "-L", libdir, "-lember_core", "-Wl,-rpath," + libdir]
    run = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-4000:]
    spec = importlib.util.spec_from_file_location("ember_cy_demo", os.path.join(tmp, ext))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def cy(tmp_path_factory):
    if shutil.which((sysconfig.get_config_var("CXX") or "c++").split()[0]) is None:
        pytest.skip("no C++ compiler")
    return _build(str(tmp_path_factory.mktemp("cython")))


def test_pxd_files_ship_beside_the_headers():
    for name in ("__init__", "tensor", "autograd", "nn", "optim", "python"):
        assert os.path.isfile(os.path.join(ember.get_include(), "ember", name + ".pxd")), name


def test_tensor_made_in_cpp_reaches_python(cy):
    t = cy.arange_matrix()
    assert type(t) is ember.Tensor
    assert t.dtype == ember.float32 and t.shape == (2, 3)
    np.testing.assert_array_equal(np.asarray(t), np.arange(6, dtype=np.float32).reshape(2, 3))
    values, indices = cy.row_max(t)
    np.testing.assert_array_equal(np.asarray(values), [2, 5])
    np.testing.assert_array_equal(np.asarray(indices), [2, 2])


def test_backward_in_cpp_matches_python(cy):
    w, loss = cy.tanh_matmul_backward(3)
    assert w.requires_grad and w.is_leaf and w.grad is not None and loss.grad_fn is not None
    w2 = w.detach().clone().requires_grad_()
    ref = ember.tanh(ember.ones(4, 3, dtype=ember.float64) @ w2).mean()
    ref.backward()
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(w.grad), np.asarray(w2.grad), rtol=1e-12)


def test_python_tensor_memory_is_shared(cy):
    x = ember.tensor([1.0, 2.0, 3.0])
    view = x[1:]
    cy.double_in_place(view)
    np.testing.assert_array_equal(np.asarray(x), [1.0, 4.0, 6.0])
    assert cy.same_tensor(x, x) and not cy.same_tensor(x, x.detach())


def test_graph_crosses_both_ways(cy):
    # Python leaf -> C++ op -> Python backward into the leaf.
    x = ember.tensor([1.0, -2.0, 3.0], requires_grad=True)
    s = cy.sum_of_squares(x * 1.0)
    assert s.grad_fn is not None
    s.backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [2.0, -4.0, 6.0])
    # Backward started in C++ on a Python graph accumulates into the Python leaf.
    x.grad = None
    cy.backward_sum(x.exp())
    np.testing.assert_allclose(np.asarray(x.grad), np.exp([1.0, -2.0, 3.0]), rtol=1e-6)
    # create_graph in C++: the result is differentiable again from Python.
    g = cy.grad_of_cube(x)
    np.testing.assert_allclose(np.asarray(g.detach()), [3.0, 12.0, 27.0])
    (gg,) = ember.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(np.asarray(gg), [6.0, -12.0, 18.0])


def test_no_grad_guard(cy):
    x = ember.ones(2, requires_grad=True)
    assert cy.tanh_without_grad(x) == (False, False)
    assert ember.is_grad_enabled()


def test_module_and_optimizer_from_cython(cy):
    first, last, params = cy.train_mlp(150)
    assert last < 0.05 * first, (first, last)
    assert [tuple(p.shape) for p in params] == [(16, 2), (16,), (1, 16), (1,)]
    assert all(p.requires_grad for p in params)


def test_errors_are_ember_errors(cy):
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\)"):
        cy.bad_matmul()
    with pytest.raises(TypeError):
        cy.double_in_place(np.ones(3))

"""Every public function and class of ember has a docstring in the house style (Google style, read by
sphinx.ext.napoleon): a summary, "Args:" when it takes arguments, and an "Example::" with >>> lines.

EXEMPT lists what needs no such docstring, with the reason. DEBT lists what is not documented yet:
the test fails when a name in DEBT becomes documented (remove it from DEBT then), so the list only
shrinks.
"""
import importlib
import inspect

import ember

MODULES = [
    "ember", "ember.nn", "ember.nn.functional", "ember.nn.init", "ember.nn.utils", "ember.nn.utils.rnn",
    "ember.nn.utils.parametrize", "ember.nn.utils.parametrizations", "ember.nn.utils.spectral_norm",
    "ember.nn.utils.weight_norm", "ember.nn.utils.prune", "ember.utils.checkpoint", "ember.autograd.graph",
    "ember.amp", "ember.random", "ember.utils.tensorboard", "ember.nn.utils.stateless", "ember.special",
    "ember.optim", "ember.optim.lr_scheduler", "ember.optim.lr_finder", "ember.autograd", "ember.models",
    "ember.text", "ember.return_types", "ember.data", "ember.utils.data", "ember.metrics", "ember.transforms", "ember.linalg",
    "ember.train", "ember.distributed", "ember.distributed.run", "ember.nn.parallel", "ember.distributions",
    "ember.func", "ember.autograd.functional", "ember.optim.swa_utils", "ember.errors",
    "ember.multiprocessing", "ember.utils.benchmark",
]

EXEMPT = {
    # dtype constants and aliases are values, documented by ember.dtype itself
    **{name: "a dtype constant" for name in ("bool", "uint8", "int8", "int16", "short", "int32", "int", "int64", "long",
                                              "float16", "half", "bfloat16", "float32", "float", "float64", "double")},
    # named tuples: their fields are their documentation, as torch.return_types
    **{f"ember.return_types.{op}": "a named tuple (values, indices) or (min, max)"
       for op in ("aminmax", "cummax", "cummin", "kthvalue", "linalg_eigh", "linalg_lu_factor", "linalg_qr",
                  "linalg_slogdet", "linalg_svd", "max", "median", "min", "mode", "nanmedian",
                  "sort", "topk", "linalg_lu_factor_ex", "linalg_lu", "lu_unpack", "linalg_solve_ex", "linalg_inv_ex",
                  "linalg_cholesky_ex", "linalg_lstsq", "svd", "qr", "triangular_solve")},
}

# Not documented in the house style yet (Args and/or Example missing). Shrink, never grow.
DEBT = set()


def public_objects():
    """(qualified name, object) for each public function and class of the modules above."""
    seen = set()
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name)
            if inspect.ismodule(obj) or not callable(obj) or isinstance(obj, ember.dtype):
                continue
            if getattr(obj, "__module__", "").split(".")[0] == "multiprocessing":
                continue  # the standard library's, which ember.multiprocessing re-exports as torch's does
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{module_name}.{name}", obj


def takes_arguments(obj):
    try:
        sig = inspect.signature(obj)
    except (ValueError, TypeError):
        return True
    return any(p.name != "self" for p in sig.parameters.values())


def own_doc(obj):
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else obj.__doc__
    return doc if isinstance(doc, str) else ""


def problems(name, obj):
    doc = own_doc(obj)
    if not doc.strip():
        return "no docstring"
    missing = []
    if takes_arguments(obj) and "Args:" not in doc:
        missing.append("Args:")
    if "Example" not in doc or ">>>" not in doc:
        missing.append("Example:: with >>> lines")
    return ("missing " + ", ".join(missing)) if missing else None


def test_public_api_is_documented():
    found = {}
    for name, obj in public_objects():
        short = name.removeprefix("ember.")
        if name in EXEMPT or short in EXEMPT:
            continue
        issue = problems(name, obj)
        if issue:
            found[name] = issue
    new = {name: issue for name, issue in found.items() if name not in DEBT}
    assert not new, "undocumented public API:\n" + "\n".join(f"  {n}: {i}" for n, i in sorted(new.items()))
    paid = DEBT - set(found)
    assert not paid, f"documented now, remove from DEBT: {sorted(paid)}"


def test_the_walk_sees_the_api():
    names = {name for name, _ in public_objects()}
    assert {"ember.tensor", "ember.nn.Linear", "ember.optim.Adam", "ember.nn.functional.relu",
            "ember.optim.lr_scheduler.StepLR"} <= names
    assert len(names) > 350


def test_every_layer_optimizer_and_schedule_has_its_own_docstring():
    # own docstrings, not a base class's (ember.nn.Linear.__doc__ was None)
    classes = [c for _, c in public_objects() if isinstance(c, type)
               and issubclass(c, (ember.nn.Module, ember.optim.Optimizer, ember.optim.lr_scheduler.LRScheduler))]
    assert len(classes) > 80
    assert [c.__name__ for c in classes if not own_doc(c).strip()] == []
    assert "Args:" in ember.nn.Linear.__doc__ and ">>> m = ember.nn.Linear(20, 30)" in ember.nn.Linear.__doc__


def test_layer_examples_run():
    import doctest

    from ember.nn import _docs

    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    parser = doctest.DocTestParser()
    for name, doc in _docs.DOCS.items():
        ember.manual_seed(0)
        runner.run(parser.get_doctest(doc, {"ember": ember}, name, None, 0))
    assert runner.failures == 0 and runner.tries > 100, (runner.failures, runner.tries)


def test_cpp_examples_run():
    """The Example blocks of ember/_docs.py, the docstrings of the C++ functions and classes, print
    what they say (doctest), each from seed 0."""
    import doctest

    from ember import _docs

    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    parser = doctest.DocTestParser()
    for name, doc in _docs.DOCS.items():
        ember.manual_seed(0)
        runner.run(parser.get_doctest(doc, {"ember": ember}, name, None, 0))
    assert runner.failures == 0 and runner.tries > 300, (runner.failures, runner.tries)


def test_cpp_docstrings_keep_their_signatures():
    """ember._C._add_docstr replaces a C++ function's prose and keeps its text signature."""
    assert ember.matmul.__doc__.startswith("Matrix product")
    assert str(inspect.signature(ember.matmul)) == "(input, other, *, out=None)"
    assert str(inspect.signature(ember.Generator)) == "(device='cpu')"
    assert ember.dtype.__dict__["__doc__"].startswith("A tensor element type")


def python_documented():
    """(name, object, docstring) for each public function and class whose docstring is written in
    Python (C++-bound ones are run by test_layer_examples_run or not at all) and has an example."""
    for name, obj in public_objects():
        if not (inspect.isfunction(obj) or (isinstance(obj, type) and not type(obj).__name__.startswith("pybind11"))):
            continue
        doc = own_doc(obj)
        if ">>>" in doc:
            yield name, obj, doc


def example_globals(name, obj):
    """An example's namespace: its defining module's, the public names of the module it is listed
    in (as after ``from ember.text import *``), and ember, nn and F (ember.nn.functional)."""
    import sys

    module = sys.modules.get(getattr(obj, "__module__", ""), None)
    globs = {**vars(module)} if module else {}
    globs.update({k: v for k, v in vars(sys.modules[name.rsplit(".", 1)[0]]).items() if not k.startswith("_")})
    globs.update(ember=ember, nn=ember.nn, F=ember.nn.functional)
    return globs


def test_python_examples_run(tmp_path, monkeypatch):
    """The Example blocks of the Python-written docstrings print what they say (doctest), each
    from seed 0 in example_globals' namespace, in a temporary folder (examples save files)."""
    import doctest

    monkeypatch.chdir(tmp_path)
    import warnings

    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    parser = doctest.DocTestParser()
    for name, obj, doc in python_documented():
        ember.manual_seed(0)
        with warnings.catch_warnings():  # upsample's deprecation, as torch's: not the example's point
            warnings.simplefilter("ignore")
            runner.run(parser.get_doctest(inspect.cleandoc(doc), example_globals(name, obj), name, None, 0))
    assert runner.failures == 0 and runner.tries > 200, (runner.failures, runner.tries)

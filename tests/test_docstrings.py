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
    "ember.optim", "ember.optim.lr_scheduler", "ember.optim.lr_finder", "ember.autograd", "ember.models",
    "ember.text", "ember.return_types", "ember.data", "ember.utils.data", "ember.metrics", "ember.transforms", "ember.linalg",
    "ember.train", "ember.distributed", "ember.distributed.run", "ember.nn.parallel",
]

EXEMPT = {
    # dtype constants and aliases are values, documented by ember.dtype itself
    **{name: "a dtype constant" for name in ("bool", "uint8", "int8", "int16", "short", "int32", "int", "int64", "long",
                                              "float16", "half", "bfloat16", "float32", "float", "float64", "double")},
    # named tuples: their fields are their documentation, as torch.return_types
    **{f"ember.return_types.{op}": "a named tuple (values, indices) or (min, max)"
       for op in ("aminmax", "cummax", "cummin", "kthvalue", "linalg_eigh", "max", "median", "min", "mode", "nanmedian",
                  "sort", "topk")},
}

# Not documented in the house style yet (Args and/or Example missing). Shrink, never grow.
DEBT = {
    "ember.Generator", "ember.Node", "ember.Tensor", "ember.abs", "ember.acos",
    "ember.acosh", "ember.add", "ember.all", "ember.allclose", "ember.amax", "ember.amin",
    "ember.any", "ember.arange", "ember.arcsinh", "ember.arctan2", "ember.arctanh", "ember.argmax",
    "ember.argmin", "ember.as_tensor",
    "ember.bernoulli",
    "ember.bitwise_and", "ember.bitwise_not", "ember.bitwise_or", "ember.bitwise_xor", "ember.bmm",
    "ember.broadcast_shapes", "ember.broadcast_to", "ember.cat", "ember.ceil", "ember.chunk",
    "ember.clamp", "ember.clone", "ember.concat", "ember.cos", "ember.cosh",
    "ember.default_generator", "ember.device", "ember.div", "ember.dot",
    "ember.dtype", "ember.empty", "ember.empty_like", "ember.eq",
    "ember.equal", "ember.erf", "ember.erfc", "ember.exp", "ember.exp2", "ember.expm1",
    "ember.eye", "ember.flatten", "ember.floor", "ember.floor_divide", "ember.fmod",
    "ember.from_dlpack", "ember.from_numpy", "ember.full", "ember.full_like", "ember.gather",
    "ember.ge", "ember.greater", "ember.index_put",
    "ember.index_select", "ember.initial_seed", "ember.is_grad_enabled",
    "ember.isclose", "ember.isfinite", "ember.isinf", "ember.isnan", "ember.le", "ember.less",
    "ember.linspace", "ember.log", "ember.log10", "ember.log1p", "ember.log2",
    "ember.log_softmax", "ember.logical_and", "ember.logical_not", "ember.logical_or",
    "ember.logical_xor", "ember.logsumexp", "ember.masked_fill",
    "ember.masked_select", "ember.matmul", "ember.max", "ember.maximum", "ember.mean", "ember.min",
    "ember.minimum", "ember.mm",
    "ember.mul", "ember.mv",
    "ember.narrow", "ember.ne", "ember.neg",
    "ember.nn.functional.gelu",
    "ember.nn.functional.logsigmoid",
    "ember.nn.functional.one_hot",
    "ember.nn.functional.prelu",
    "ember.nn.functional.softplus",
    "ember.nonzero", "ember.norm",
    "ember.normal", "ember.ones", "ember.ones_like",
    "ember.outer", "ember.permute", "ember.pow",
    "ember.prod", "ember.promote_types", "ember.rand", "ember.rand_like", "ember.randint",
    "ember.randn", "ember.randn_like", "ember.randperm", "ember.reciprocal", "ember.relu",
    "ember.remainder", "ember.reshape", "ember.result_type", "ember.round", "ember.rsqrt",
    "ember.scatter", "ember.scatter_add", "ember.seed", "ember.select",
    "ember.sigmoid", "ember.sin", "ember.sinh",
    "ember.softmax", "ember.split", "ember.sqrt", "ember.square", "ember.squeeze", "ember.stack",
    "ember.std", "ember.sub", "ember.sum", "ember.swapaxes", "ember.t", "ember.tan", "ember.tanh",
    "ember.tensor", "ember.swapdims",
    "ember.unbind", "ember.unflatten", "ember.unsqueeze", "ember.var",
    "ember.where", "ember.zeros", "ember.zeros_like",
    # the ops added in issue 15's second batch (einsum, pointwise rows, statistics, joins): each has a
    # summary and an example or a signature line, not yet the Args/Example sections
    "ember.aminmax", "ember.arcsin", "ember.arctan",
    "ember.block_diag", "ember.clamp_max", "ember.clamp_min", "ember.column_stack",
    "ember.concatenate", "ember.deg2rad", "ember.digamma", "ember.dist",
    "ember.dsplit", "ember.dstack", "ember.erfinv", "ember.fix", "ember.fmax",
    "ember.fmin", "ember.frac", "ember.gcd", "ember.heaviside", "ember.hsplit", "ember.hstack",
    "ember.hypot", "ember.i0", "ember.index_copy", "ember.index_fill", "ember.is_complex",
    "ember.is_floating_point",
    "ember.is_nonzero", "ember.is_tensor", "ember.isneginf", "ember.isposinf", "ember.isreal",
    "ember.kthvalue", "ember.lcm", "ember.lgamma", "ember.logaddexp", "ember.logaddexp2",
    "ember.nanmean", "ember.nanmedian", "ember.nanquantile", "ember.nansum", "ember.narrow_copy",
    "ember.nextafter", "ember.rad2deg", "ember.ravel", "ember.row_stack",
    "ember.sgn", "ember.signbit", "ember.sinc", "ember.std_mean", "ember.take",
    "ember.var_mean", "ember.vsplit", "ember.xlogy",
}


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

"""Introspection of the C++ functions: inspect.signature (from the text signatures the extension
writes into each builtin's docstring), help(), and the named tuples of ember.return_types."""
import inspect
import pickle
import pydoc
import re

import ember
import pytest
from ember import _C

# Common functions whose parameters (names and order) are torch's, as its docstrings' first line
# documents them (torch's builtins have no inspect.signature either); `out` is left aside.
SAME_AS_TORCH = [
    "tensor", "zeros", "ones", "full", "arange", "linspace", "eye", "rand", "randn", "randint",
    "zeros_like", "ones_like", "add", "sub", "mul", "matmul", "mm", "bmm", "exp", "log", "tanh",
    "sigmoid", "sum", "mean", "prod", "max", "min", "argmax", "argmin", "softmax",
    "cumsum", "cat", "stack", "reshape", "transpose", "permute", "squeeze", "unsqueeze", "where",
    "clamp", "sort", "argsort", "topk", "gather", "cummax", "cummin", "flatten", "chunk",
]
# Known differences, each with its reason: torch.split names its first parameter `tensor` (a Python
# function) where ember's ops all say `input`; torch.log_softmax has no docstring to compare with.
DIFFERENT_FROM_TORCH = {"split": "tensor vs input", "log_softmax": "torch documents no signature"}


def torch_documented_overloads(name, fn):
    """Every signature a torch docstring documents ('max(input, dim, keepdim=False, *, out=None) -> ...',
    one line per overload), as (positional names, keyword-only names); `out` is left aside."""
    try:  # a torch function written in Python has a real signature
        params = inspect.signature(fn).parameters.values()
        return [([p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD],
                 {p.name for p in params if p.kind == p.KEYWORD_ONLY})]
    except ValueError:
        pass
    overloads = []
    for line in fn.__doc__.replace("\\", "").splitlines():
        line = line.strip().removeprefix(".. function:: ")
        if not line.startswith(name + "(") or ")" not in line:
            continue
        depth, end = 0, len(name)
        for end in range(len(name), len(line)):  # the parenthesis that closes the arguments
            depth += {"(": 1, ")": -1}.get(line[end], 0)
            if depth == 0:
                break
        positional, keyword, star = [], set(), False
        for part in re.split(r",\s*(?![^\[\(]*[\]\)])", line[len(name) + 1:end]):
            arg = part.split("=")[0].split(":")[0].strip()
            if arg.startswith("*"):
                star = True
                arg = arg.lstrip("*")
            if arg and arg not in ("/", "out"):
                (keyword.add(arg) if star else positional.append(arg))
        overloads.append((positional, keyword))
    return overloads


@pytest.mark.parametrize("name", SAME_AS_TORCH)
def test_parameter_names_match_torch(name):
    torch = pytest.importorskip("torch")
    params = inspect.signature(getattr(ember, name)).parameters.values()
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    keyword = {p.name for p in params if p.kind == p.KEYWORD_ONLY} - {"out"}  # out=: tests/core/test_spellings.py
    overloads = torch_documented_overloads(name, getattr(torch, name))
    assert overloads, name
    every_name = set().union(*(set(pos) | kw for pos, kw in overloads))
    # The positional parameters are those of one of torch's overloads, in its order (a prefix:
    # ember may lack a trailing one); the keyword-only ones are among torch's names.
    # (a parameter torch makes keyword-only, ember may also take by position: softmax's dtype).
    assert any([n for n in positional if n not in kw] == pos[:len([n for n in positional if n not in kw])]
               for pos, kw in overloads), (name, positional, overloads)
    assert keyword <= every_name, (name, keyword - every_name)


def c_functions():
    """Every pybind11 function of ember._C (module functions, methods, static methods)."""
    seen, out = set(), []

    def walk(scope, prefix):
        for key, value in vars(scope).items():
            target = getattr(value, "__func__", value)
            if isinstance(target, type(len)) and id(target) not in seen:
                seen.add(id(target))
                out.append((f"{prefix}.{key}", value))
            elif ((isinstance(value, type) and value.__module__.startswith("ember")) or inspect.ismodule(value)) \
                    and id(value) not in seen:
                seen.add(id(value))
                walk(value, f"{prefix}.{key}")

    walk(_C, "_C")
    return out


def test_every_c_function_has_a_signature():
    functions = c_functions()
    assert len(functions) > 400
    failures = []
    for qualname, f in functions:
        try:
            inspect.signature(f)
        except (ValueError, TypeError) as e:
            failures.append(f"{qualname}: {e}")
    assert not failures, failures


def test_signatures_render_defaults_keyword_only_and_self():
    sig = inspect.signature(ember.tensor)
    assert str(sig) == "(data, *, dtype=None, device=None, requires_grad=False)"
    assert inspect.signature(ember.sum).parameters["keepdim"].default is False
    assert str(inspect.signature(ember.Tensor.add)) == "(self, other, *, alpha=1)"
    assert str(inspect.signature(ember.ones(2).add)) == "(other, *, alpha=1)"  # bound: self dropped
    assert str(inspect.signature(ember.Tensor.size)) == "(self, dim=None)"
    assert str(inspect.signature(ember.nn.functional.conv2d)) == \
        "(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)"
    assert str(inspect.signature(ember.device)) == "(type)"
    assert str(inspect.signature(ember.Generator)) == "(device='cpu')"
    # the signature binds what the function accepts
    inspect.signature(ember.full).bind((2, 3), 1.5, dtype=ember.float64)


def test_overloads_with_different_parameters_fall_back_to_args_kwargs():
    # div(input, other) and div(input, other, *, rounding_mode): the chain has no one signature.
    assert str(inspect.signature(ember.div)) == "(*args, **kwargs)"


def test_doc_is_the_docstring_and_help_shows_the_signature():
    assert ember.tensor.__doc__.startswith("Constructs a tensor")  # ember/_docs.py's, after the signature
    assert ember.Tensor.mul.__doc__ == "x * y"  # two overloads with one docstring: shown once
    text = pydoc.render_doc(ember.tensor, renderer=pydoc.plaintext)
    assert "tensor(data, *, dtype=None, device=None, requires_grad=False)" in text.splitlines()[2]
    assert "ember._C.Tensor" not in text  # no pybind11 type annotations in the help text


def test_typed_signatures_stay_available_for_the_stub_generator():
    typed = _C._typed_signatures(ember.add)
    assert typed[0] == "add(input: ember._C.Tensor, other: ember._C.Tensor, *, out: object = None) -> object"


def test_size_and_stride_take_an_optional_dim():
    x = ember.zeros(2, 3)
    assert x.size() == (2, 3) and x.size(-1) == 3 and x.size(dim=0) == 2
    assert x.stride() == (3, 1) and x.stride(0) == 3 and x.stride(dim=None) == (3, 1)
    with pytest.raises(IndexError):
        x.size(2)


# ---- ember.return_types ---------------------------------------------------------------------

RETURN_TYPE_CALLS = {
    "max": lambda m, x: m.max(x, dim=0),
    "min": lambda m, x: m.min(x, dim=1, keepdim=True),
    "sort": lambda m, x: m.sort(x, dim=0),
    "topk": lambda m, x: m.topk(x, 2),
    "cummax": lambda m, x: m.cummax(x, 0),
    "cummin": lambda m, x: m.cummin(x, 1),
    "median": lambda m, x: m.median(x, dim=1),
    "nanmedian": lambda m, x: m.nanmedian(x, 0),
    "kthvalue": lambda m, x: m.kthvalue(x, 2, 1),
}


@pytest.mark.parametrize("op", sorted(RETURN_TYPE_CALLS))
def test_return_types_match_torch(op):
    torch = pytest.importorskip("torch")
    data = [[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]
    ours, theirs = RETURN_TYPE_CALLS[op](ember, ember.tensor(data)), RETURN_TYPE_CALLS[op](torch, torch.tensor(data))
    assert type(ours) is getattr(ember.return_types, op)
    assert type(ours).__module__ == "ember.return_types" and type(ours).__name__ == op
    assert type(theirs).__module__ == "torch.return_types" and type(theirs).__name__ == op
    assert repr(ours).replace("ember.", "torch.") == repr(theirs).replace("torch.", "torch.")
    assert ours.values.tolist() == theirs.values.tolist() and ours.indices.tolist() == theirs.indices.tolist()
    values, indices = ours  # still a tuple
    assert isinstance(ours, tuple) and values is ours[0] and indices is ours[1]
    # the method form returns the same type
    assert type(getattr(ember.tensor(data), op)(*([2] if op in ("topk", "kthvalue") else [0]))) is type(ours)


def test_aminmax_returns_torchs_named_tuple():
    torch = pytest.importorskip("torch")
    data = [[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]
    ours, theirs = ember.aminmax(ember.tensor(data), dim=1), torch.aminmax(torch.tensor(data), dim=1)
    assert type(ours) is ember.return_types.aminmax and ours._fields == ("min", "max")
    assert repr(ours).replace("ember.", "torch.") == repr(theirs)


def test_return_types_pickle_and_are_listed():
    assert ember.return_types.__all__ == ["aminmax", "cummax", "cummin", "kthvalue", "linalg_eigh", "linalg_lu_factor",
                                          "linalg_qr", "linalg_slogdet", "linalg_svd", "max", "median", "min", "mode",
                                          "nanmedian", "sort", "topk", "linalg_lu_factor_ex", "linalg_lu", "lu_unpack",
                                          "linalg_solve_ex", "linalg_inv_ex", "linalg_cholesky_ex", "linalg_lstsq",
                                          "svd", "qr", "triangular_solve"]
    r = ember.return_types.max(values=1.5, indices=1)  # tensors pickle where ember's Tensor does
    back = pickle.loads(pickle.dumps(r))
    assert type(back) is ember.return_types.max and back == (1.5, 1)

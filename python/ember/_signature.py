"""Python signatures made from the rows that declare a class's arguments in C++ (ember/options.h):
an optimizer's, a schedule's or a layer's names, order and defaults are written there once, and
`_signature()` lists them as (name, default, kind, is_switch)."""
import inspect

_P = inspect.Parameter
_KINDS = {"required": _P.POSITIONAL_OR_KEYWORD, "arg": _P.POSITIONAL_OR_KEYWORD, "kw": _P.KEYWORD_ONLY}


def signature_of(fields, leading=(), trailing=()):
    """self, the leading parameters (Python objects: params, optimizer), one per field (a kept
    field is no argument; a required one has no default), then the trailing ones (last_epoch)."""
    declared = [_P(name, _KINDS[kind], **({} if kind == "required" else {"default": default}))
                for name, default, kind, _ in fields if kind != "kept"]
    return inspect.Signature([_P("self", _P.POSITIONAL_OR_KEYWORD), *leading, *declared, *trailing])


def make_init(cls, signature, body, doc):
    """An __init__ with `signature` that binds its arguments, fills in the defaults and calls
    body(self, arguments), arguments being a dict of every parameter but self."""

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        del arguments["self"]
        body(self, arguments)

    __init__.__signature__ = signature
    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __init__.__doc__ = doc
    return __init__

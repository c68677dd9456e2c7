"""ember.errors: the exceptions of ember's ops are the builtin class that says what is wrong and a
RuntimeError, so that code written for torch (which raises RuntimeError for most bad input) still
catches them with ``except RuntimeError``."""

import pickle

import pytest

import ember

torch = pytest.importorskip("torch")

# (call on a library, the ember.errors class ember raises): torch raises RuntimeError for each.
CASES = [
    (lambda lib: lib.ones(2, 3) @ lib.ones(4, 5), ember.errors.ValueError),
    (lambda lib: lib.ones(4).reshape(3), ember.errors.ValueError),
    (lambda lib: lib.ones(2, 3) + lib.ones(4), ember.errors.ValueError),
    (lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2, 4)]), ember.errors.ValueError),
    (lambda lib: lib.ones(2).bitwise_not(), ember.errors.TypeError),
    (lambda lib: lib.ones(3).gather(0, lib.tensor([5])), ember.errors.IndexError),
    (lambda lib: lib.zeros(3).scatter(0, lib.tensor([5]), lib.ones(1)), ember.errors.IndexError),
]


@pytest.mark.parametrize("call, cls", CASES)
def test_caught_as_torch_error_and_as_its_own_type(call, cls):
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError) as ember_error:
        call(ember)
    assert type(ember_error.value) is cls
    builtin = {"ValueError": ValueError, "TypeError": TypeError, "IndexError": IndexError}[cls.__name__]
    assert isinstance(ember_error.value, builtin)


def test_the_classes():
    for name, builtin in (("ValueError", ValueError), ("TypeError", TypeError), ("IndexError", IndexError)):
        cls = getattr(ember.errors, name)
        assert cls.__name__ == name and cls.__module__ == "ember.errors"
        assert issubclass(cls, builtin) and issubclass(cls, RuntimeError)
        assert cls is not builtin
    assert issubclass(ember.linalg.LinAlgError, ember.errors.ValueError)
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.inv(ember.zeros(2, 2))


def test_message_and_traceback_name():
    with pytest.raises(ValueError, match=r"^matmul: shapes \(2, 3\) and \(4, 5\) cannot be multiplied$") as e:
        ember.ones(2, 3) @ ember.ones(4, 5)
    import traceback
    assert traceback.format_exception_only(e.type, e.value)[-1].startswith("ember.errors.ValueError: matmul:")


def test_pickles_by_reference():
    try:
        ember.ones(2).sum(dim=3)
    except IndexError as e:
        error = e
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ember.errors.IndexError and str(copy) == str(error)


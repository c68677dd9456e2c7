"""The Example:: sections of ember.metrics' docstrings run and print what they show."""
import doctest
import inspect
import warnings

import ember
from ember import metrics as M


def test_docstring_examples_run():
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    parser = doctest.DocTestParser()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in M.__all__:
            runner.run(parser.get_doctest(inspect.getdoc(getattr(M, name)), {"ember": ember}, name, None, 0))
    assert runner.failures == 0 and runner.tries > 40, (runner.failures, runner.tries)

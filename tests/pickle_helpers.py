"""What a pickle refers to, for the tests of pickling (tests/core/test_pickle.py,
tests/nn/test_module_copy.py): a pickle reaches code only through the globals it names."""
import io
import pickle


def referenced_globals(data):
    """The (module, name) pairs the pickle `data` names, found by loading it."""
    found = set()

    class Recorder(pickle.Unpickler):
        def find_class(self, module, name):
            found.add((module, name))
            return super().find_class(module, name)

    Recorder(io.BytesIO(data)).load()
    return found

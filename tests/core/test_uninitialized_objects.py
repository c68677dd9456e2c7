"""Objects of ember's C++-bound classes made by cls.__new__ alone (their __init__ never ran) raise
on use instead of handing C++ unconstructed memory (which crashed the interpreter)."""
import subprocess
import sys
import textwrap

# Calls every method that takes no argument on a __new__-made instance of each C++-bound class in
# ember's public modules; a crash ends the child with a signal instead of printing "done".
SCRIPT = textwrap.dedent("""
    import ember, ember.data, ember.metrics, ember.nn, ember.optim, ember.transforms, ember.train
    from ember import _C

    def bound_classes():
        seen = set()
        for module in (ember, ember.nn, ember.optim, ember.optim.lr_scheduler, ember.transforms, ember.data,
                       ember.metrics):
            for name in dir(module):
                cls = getattr(module, name)
                if isinstance(cls, type) and type(cls).__module__ == "pybind11_builtins" and cls not in seen:
                    seen.add(cls)
                    yield cls

    checked = refused = 0
    for cls in bound_classes():
        try:
            obj = cls.__new__(cls)
        except TypeError:
            continue  # a class that cannot be made this way at all
        for name in dir(cls):
            if name.startswith("__") and name not in ("__repr__", "__len__", "__iter__", "__call__", "__bool__"):
                continue
            try:
                attr = getattr(obj, name)
                if callable(attr):
                    attr()
            except RuntimeError as e:
                refused += "__init__ was not called" in str(e) or "Module.__init__() was not called" in str(e)
            except Exception:
                pass
            checked += 1
    print("done", checked, refused)
""")


def test_methods_of_objects_whose_init_never_ran_raise_instead_of_crashing():
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"crashed with code {run.returncode}: {run.stderr[-2000:]}"
    done, checked, refused = run.stdout.split()
    assert done == "done" and int(checked) > 500 and int(refused) > 50, run.stdout

"""Sphinx configuration of ember's documentation (built in CI by tests/docs with -W)."""

import re

import ember

project = "ember"
author = "the ember developers"
copyright = "2026, the ember developers"
release = version = ember.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.viewcode"]
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = []

# The API pages document what each module's __all__ exports, from the docstrings (Google style:
# Args:, Returns:, Example::), in source order where there is one.
autodoc_default_options = {"members": True, "undoc-members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
# pybind11 functions carry their signature as the docstring's first line.
autodoc_docstring_signature = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
# PyTorch's recurrent layers document "Inputs: input, h_0" and "Outputs: ..." sections.
napoleon_custom_sections = [("Inputs", "params_style"), ("Outputs", "params_style")]

# Warnings are errors (-W). One category is suppressed, on purpose: ref.python, Python
# cross-references that resolve to several targets. ember.nn.functional and ember re-export the
# same functions (relu, softmax, ...), so a docstring's :func:`relu`, written for help() anywhere
# in the package, has two equally right targets. Everything else fails the build, including
# autodoc.import_object (a module or member that fails to import) and docutils markup errors.
suppress_warnings = ["ref.python"]
nitpicky = False


# Docstrings are written to read well in help() (PyTorch's style): prose such as "x * y", "|d|"
# or "add_" means plain text, not reStructuredText emphasis, substitutions or link targets. So
# before napoleon reads them, those characters are escaped in prose lines; literal blocks (after
# "::"), doctest lines, ``inline literals`` and `interpreted text` are left as written. A
# docstring changed anywhere in the package cannot break the -W build with markup it never meant.
_INLINE_LITERAL = re.compile(r"(``.+?``|:\w+:`[^`]+`|`[^`]+`)")
_PROSE_SPECIALS = re.compile(r"(?<!\\)([*|])|(?<=\w)_(?=[\s,.;:)\]'\"]|$)")
_SECTION_WITH_SUMMARY = re.compile(r"^(\s*)(Inputs|Outputs): \S.*$")


def _escape_prose(line, in_literal):
    """line with prose specials escaped; in_literal: a ``literal`` opened on an earlier line is
    still open. Returns the line and whether a literal is open at its end."""
    head = ""
    if in_literal:
        close = line.find("``")
        if close < 0:
            return line, True
        head, line = line[:close + 2], line[close + 2:]
    parts = _INLINE_LITERAL.split(line)
    tail = ""
    last = parts[-1]
    if "``" in last:  # an inline literal that closes on a later line
        cut = last.index("``")
        parts[-1], tail = last[:cut], last[cut:]
    for i in range(0, len(parts), 2):  # even parts are outside inline literals and roles
        parts[i] = _PROSE_SPECIALS.sub(lambda m: "\\" + m.group(0), parts[i])
    return head + "".join(parts) + tail, bool(tail)


def _plain_text_docstring(app, what, name, obj, options, lines):
    literal_indent = None  # indentation of the line that opened a literal block
    in_doctest = False
    in_literal = False  # inside a ``literal`` that spans lines
    for i, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if not stripped:
            in_literal = False  # inline markup ends with its paragraph
        if literal_indent is not None:
            if not stripped or indent > literal_indent:
                continue
            literal_indent = None
        if in_doctest:
            if stripped:
                continue
            in_doctest = False
        if stripped.startswith(">>>"):
            in_doctest = True
            continue
        section = _SECTION_WITH_SUMMARY.match(line)
        if section:  # "Inputs: input, h_0": the entries below name them again
            lines[i] = f"{section.group(1)}{section.group(2)}:"
            continue
        # A parameter entry's leading * or ** (napoleon escapes *args itself).
        star = re.match(r"^(\s*\*{1,2})(?=\w)", line)
        head = star.group(1) if star else ""
        escaped, in_literal = _escape_prose(line[len(head):], in_literal)
        lines[i] = head + escaped
        if stripped.endswith("::"):
            literal_indent = indent


def setup(app):
    # Before napoleon (priority 500), which turns Args:/Returns: into fields.
    app.connect("autodoc-process-docstring", _plain_text_docstring, priority=400)

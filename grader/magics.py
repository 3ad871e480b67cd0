"""IPython's magics in a graded cell, read as Jupyter runs them.

Jupyter runs `%matplotlib inline`, `%%time` or `!pip list` without complaint; plain Python calls
them a SyntaxError, and the cell would lose every point. Line numbers are kept, so an error still
names the student's line. (No heavy imports: the fork engine uses this before a student's
`grader check` has loaded the notebook libraries.)
"""
from __future__ import annotations

import ast
import re

_LINE_MAGIC = re.compile(r"^(\s*)(?:%(?!%)|!)(\w*)\s*(.*)$")
_CELL_MAGIC = re.compile(r"^\s*%%(\w+)")
# Cell magics whose body runs as the cell's own code; %%timeit runs it inside a function (its
# names are that function's, a forty-seventh review graded classes Jupyter never defined), and
# %%debug waits at a debugger prompt, running nothing on its own.
_BODY_RUNS = {"time", "capture", "prun"}
_IN_A_FUNCTION = {"timeit"}
_STATEMENT_RUNS = {"time", "prun"}                             # line magics that run their argument


def without_magics(source: str) -> str:
    """The cell as plain Python when it only fails to parse because of IPython magics (else as it
    is): a cell magic whose body is Python loses its first line, any other (``%%bash``) runs
    nothing; ``%time stmt`` runs ``stmt``; other line magics and ``!shell`` lines do nothing."""
    try:
        ast.parse(source)
        return source
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    lines = source.split("\n")
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None:
        m = _CELL_MAGIC.match(lines[first])
        if m:
            if m.group(1) in _IN_A_FUNCTION:
                body = "\n".join(lines[first + 1:])
                inner = without_magics(body)
                wrapped = ["def _timed_cell():", *("    " + ln for ln in inner.split("\n")), "    pass",
                           "_timed_cell()"]
                text = "\n".join([*lines[:first], *wrapped])
                try:
                    ast.parse(text)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    return source
                return text
            if m.group(1) not in _BODY_RUNS:
                return "\n" * (len(lines) - 1)
            lines[first] = ""
    out = []
    for ln in lines:
        m = _LINE_MAGIC.match(ln)
        if m is None:
            out.append(ln)
        elif ln.lstrip().startswith("%") and m.group(2) in _STATEMENT_RUNS and m.group(3):
            out.append(m.group(1) + m.group(3))
        else:
            out.append(m.group(1) + "pass")
    text = "\n".join(out)
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return source                       # not (only) magics: the student's error stands as it is
    return text

"""What code made only of literals surely does, read without running it: whether a test is true, whether a loop
runs its body. The readers of where a cell stops (`stops`) and of the warnings filters it sets (`warning_filters`)
both lean on it; nothing here reads a name, so no cell above can change an answer.
"""
from __future__ import annotations

import ast
from ..syntax import walk


_FOLDABLE = (ast.Constant, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.BinOp, ast.Tuple, ast.List, ast.Set,
             ast.Dict, ast.IfExp, ast.unaryop, ast.boolop, ast.cmpop, ast.operator, ast.expr_context)


def constant_truth(test: ast.expr) -> bool | None:
    """Whether a test made only of literals is true (None: not such a test, or its value is not plain to
    compute): `not False`, `1 == 1`, `True and 1` (review 303: `if not False: raise ValueError` above the
    answers was read as a statement that may not run). Evaluated with no names at all, and only for small
    literals with no power or shift, so it cannot take long or grow large."""
    if isinstance(test, ast.Constant):               # `if ...:`, `assert 0j`, `if 1000000:` (review 315)
        return bool(test.value)
    nodes = list(walk(test))
    if len(nodes) > 64 or not all(isinstance(n, _FOLDABLE) and _small(n) for n in nodes):
        return None
    sequences = any(isinstance(n, (ast.Tuple, ast.List)) or isinstance(n, ast.Constant) and isinstance(
        n.value, (str, bytes)) for n in nodes)
    if any(isinstance(n, (ast.Pow, ast.LShift, ast.MatMult)) or sequences and isinstance(n, ast.Mult) for n in nodes):
        return None
    try:
        return bool(eval(compile(ast.Expression(test), "<test>", "eval"), {"__builtins__": {}}, {}))
    except Exception:   # noqa: BLE001 - `1 < 'a'`: the test raises, which is no value
        return None


def _small(node: ast.AST) -> bool:
    if not isinstance(node, ast.Constant):
        return True
    v = node.value
    if isinstance(v, (bool, int, float, complex)):
        return abs(v) < 10 ** 6
    return v is None or isinstance(v, (str, bytes)) and len(v) < 100


def runs_once_at_least(it: ast.expr) -> bool:
    """A `for` over a list, tuple, set or string written out that is not empty, or a `range` of int literals that
    is not (review 315: `for _ in range(1): raise ValueError`)."""
    if isinstance(it, (ast.List, ast.Tuple, ast.Set)):
        return bool(it.elts) and not any(isinstance(e, ast.Starred) for e in it.elts)
    if isinstance(it, ast.Dict):                        # review 333: `{k: 1/0 for k in {1: 2}}`
        return bool(it.keys) and None not in it.keys
    if isinstance(it, ast.Constant):
        return isinstance(it.value, (str, bytes)) and bool(it.value)
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and not it.keywords:
        return (range_length([a.value if isinstance(a, ast.Constant) else None for a in it.args]) or 0) > 0
    return False


def range_length(bounds: list) -> int | None:
    """How many numbers `range(*bounds)` gives, where each bound is an int (not a bool) of at most 10**9 and the
    call is valid; None otherwise."""
    if not 1 <= len(bounds) <= 3 or any(type(b) is not int or abs(b) > 10 ** 9 for b in bounds) \
            or len(bounds) == 3 and bounds[2] == 0:
        return None
    return len(range(*bounds))

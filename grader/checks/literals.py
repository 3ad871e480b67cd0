"""What code made only of literals surely does, read without running it: whether a test is true, whether a loop
runs its body. The readers of where a cell stops (`stops`) and of the warnings filters it sets (`warning_filters`)
both lean on it; nothing here reads a name, so no cell above can change an answer.
"""
from __future__ import annotations

import ast

from ..syntax import walk


_FOLDABLE = (ast.Constant, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.BinOp, ast.Tuple, ast.List, ast.Set,
             ast.Dict, ast.IfExp, ast.unaryop, ast.boolop, ast.cmpop, ast.operator, ast.expr_context)
LITERAL_KINDS = _FOLDABLE + (ast.Subscript, ast.Slice)     # what either reading may evaluate


def constant_truth(test: ast.expr) -> bool | None:
    """Whether a test made only of literals is true (None: not such a test, or its value is not plain to
    compute): `not False`, `1 == 1`, `True and 1` (review 303: `if not False: raise ValueError` above the
    answers was read as a statement that may not run). Evaluated with no names at all, and not where it could take
    long or grow large (`_evaluated`)."""
    if isinstance(test, ast.Constant):               # `if ...:`, `assert 0j`, `if 1000000:` (review 315)
        return bool(test.value)
    if isinstance(test, ast.NamedExpr):             # `assert (ready := 0)` (review 405)
        return constant_truth(test.value)
    main = _main_test(test)
    if main is not None:
        return main
    value = _evaluated(test)
    return None if value is None or isinstance(value[0], BaseException) else bool(value[0])


def _main_test(test: ast.expr) -> bool | None:
    """`__name__ == '__main__'` (or `!=`): a notebook's code runs as `__main__`, so the test is a literal one there
    (review 405: `if __name__ == '__main__': sys.exit()` between the wrong answers and the right ones, read as a stop
    that may not run, 10/10 unflagged where Jupyter stopped)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.NotEq))):
        return None
    sides = [test.left, test.comparators[0]]
    named = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return isinstance(test.ops[0], ast.Eq) if named and main else None


def raised_by_literals(expr: ast.expr) -> type[BaseException] | None:
    """The exception an expression made only of literals surely raises (None: not such an expression, or it raises
    nothing): `1/0`, `1/-0`, `0 ** -1`, `[][0]`, `{}['k']`, `1 < 'a'` (review 343: only `1/0` with a literal 0 was
    known). Evaluated as `constant_truth` evaluates, with no names at all, so what Jupyter raises there is what it
    raises here."""
    if isinstance(expr, ast.Constant):
        return None
    value = _evaluated(expr, subscripts=True)
    return type(value[0]) if value is not None and isinstance(value[0], BaseException) else None


def evaluated_literals(expr: ast.expr) -> tuple[object] | None:
    """(the value, or the exception it raised) of an expression of literals, subscripts included; None where it is not
    one or could take long or grow large (`_evaluated`)."""
    return _evaluated(expr, subscripts=True)


def _evaluated(expr: ast.expr, subscripts: bool = False) -> tuple[object] | None:
    """(the value, or the exception it raised) of an expression of literals; None where it is not one, or where
    evaluating it could take long or grow large: what grows past the source's own size is refused (a sequence
    repeated by `*` or formatted by `%`, whose width can ask for gigabytes: `'%0999999999d' % 1` took 1 GB of the
    grader's memory before; a power but of small numbers, a shift but by a small one; review 345 found big numbers,
    `...`, `@` and `<<` refused where they could be read)."""
    kinds = LITERAL_KINDS if subscripts else _FOLDABLE
    nodes = []
    for n in walk(expr):        # (no further than a name or the 65th node: an expression can hold thousands)
        if len(nodes) == 64 or not isinstance(n, kinds) or isinstance(n, ast.Constant) and not _plain(n.value):
            return None
        nodes.append(n)
    sequences = any(isinstance(n, (ast.Tuple, ast.List)) or isinstance(n, ast.Constant) and isinstance(
        n.value, (str, bytes)) for n in nodes)
    for n in nodes:
        if not isinstance(n, ast.BinOp):
            continue
        if sequences and isinstance(n.op, (ast.Mult, ast.Mod)):
            return None
        if isinstance(n.op, ast.Pow) and not (_small_number(n.left) and _small_number(n.right, 64)):
            return None
        if isinstance(n.op, ast.LShift) and not _small_number(n.right, 64):
            return None
    try:
        return (eval(compile(ast.Expression(expr), "<test>", "eval"), {"__builtins__": {}}, {}),)
    except Exception as exc:   # noqa: BLE001 - `1 < 'a'`: the expression raises
        return (exc,)


def _plain(value) -> bool:
    return value is None or value is ... or isinstance(value, (bool, int, float, complex, str, bytes))


def _small_number(node: ast.expr, bound: int = 10 ** 6) -> bool:
    """A number written out (a sign allowed) of at most ``bound``."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float) and abs(node.value) <= bound


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

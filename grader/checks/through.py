"""Which blocks above an answer's last assignment Run All surely gets through, read without running them.

An answer also bound inside a block above its last plain top-level assignment is read from that assignment
when Run All gets from the block to it (a fairness review, 301: five answers in a `try:` above the same five on
plain lines cost all ten points). A block is read as the cell's top level is: what surely stops (a `raise`,
`assert`, an exit by any name an import gave it, a test of literals read by its value), what runs later (a
function, lambda, class, generator) and a loop that may not end or runs long (`while`, a `for` over anything but
a literal display, a small `range`, or a name bound to one) keep the answer unknown; a statement that only *may*
raise is not followed, inside a block as at the top level (the README's "What remains"). Review 303 and 306 showed
such statements (`[][0]`, `print(0xfff...)`) in a block; an allowlist that refused them cost honest drafts (a
fairness review, 307: `if math.isclose(...)`, `with torch.no_grad():`, `try: import torch`) 2 points an answer
where Jupyter ended right, and protected nothing the same line at the top level does not already pass.
"""
from __future__ import annotations

import ast

from .stops import exits_of, may_stop

SMALL_LOOP = 10_000       # iterations of a `for` over `range(...)` read as ending at once
_SEQUENCE_OF = {"enumerate", "zip", "reversed", "sorted", "list", "tuple", "set"}


def why_not_through(stmt: ast.stmt, above: list[ast.stmt], cell: ast.Module, flags: int) -> str:
    """Why Run All may not get from the top-level ``stmt`` to the statements below it ("" where it surely does):
    "may stop the cell", "runs later" or "may not end"."""
    if may_stop(stmt, flags, exits_of(cell)):
        return "may stop the cell"
    inside = {n for node in ast.walk(stmt) for n in _bound_by(node)}
    literals = {k: v for k, v in _literal_names(above).items() if k not in inside}
    redefined = {n for node in ast.walk(cell) for n in _bound_by(node)}     # `def range(n): ...` above
    for node in ast.walk(stmt):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.GeneratorExp,
                             ast.Yield, ast.YieldFrom, ast.Await)):
            return "runs later"
        if isinstance(node, (ast.While, ast.AsyncFor, ast.AsyncWith)) or \
                isinstance(node, ast.For) and ("*" in redefined or not _finite(node.iter, literals, redefined)):
            return "may not end"
    return ""


def _bound_by(node: ast.AST) -> set[str]:
    """The names one node binds or unbinds, every way Python has: a target, an import, a def or class, `global`,
    an `except ... as` name (deleted when the handler ends) and a `case` pattern's capture (review 306)."""
    if isinstance(node, ast.Name):
        return set() if isinstance(node.ctx, ast.Load) else {node.id}
    if isinstance(node, ast.alias):
        return {"*" if node.name == "*" else (node.asname or node.name).split(".")[0]}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return set(node.names)
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        return {node.name} if node.name else set()
    if isinstance(node, ast.MatchMapping):
        return {node.rest} if node.rest else set()
    return set()


def _literal_names(above: list[ast.stmt]) -> dict[str, object]:
    """The names the statements above surely leave bound to a literal (`options = [True, False]`, `n = 3`): a
    top-level assignment of one, not bound or deleted again by another statement above."""
    known: dict[str, object] = {}
    for stmt in above:
        touched = {n for node in ast.walk(stmt) for n in _bound_by(node)}
        known = {} if "*" in touched else {k: v for k, v in known.items() if k not in touched}
        if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
            try:
                value = ast.literal_eval(stmt.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
            known.update({t.id: value for t in stmt.targets})
    return known


def _finite(it: ast.expr, literals: dict[str, object], redefined: set[str]) -> bool:
    """Does a `for` over ``it`` surely end soon: a literal display or string, a `range` of at most ``SMALL_LOOP``
    numbers given as literals (or names bound to them), a name bound to a literal, or `enumerate`, `zip`,
    `reversed`, `sorted` of those (`iter(int, 1)`, `itertools.count()`, `range(10**21)` do not)."""
    if isinstance(it, (ast.List, ast.Tuple, ast.Set, ast.Dict)) or \
            isinstance(it, ast.Constant) and isinstance(it.value, (str, bytes)):
        return True
    if isinstance(it, ast.Name):
        return it.id in literals and isinstance(literals[it.id], (list, tuple, set, dict, str, bytes))
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and not it.keywords) or \
            it.func.id in redefined:
        return False
    if it.func.id == "range" and 1 <= len(it.args) <= 3:
        bounds = [_int(a, literals) for a in it.args]
        if any(b is None or abs(b) > 10 ** 9 for b in bounds) or len(bounds) == 3 and bounds[2] == 0:
            return False
        return len(range(*bounds)) <= SMALL_LOOP
    return it.func.id in _SEQUENCE_OF and bool(it.args) and all(_finite(a, literals, redefined) for a in it.args)


def _int(node: ast.expr, literals: dict[str, object]) -> int | None:
    if isinstance(node, ast.Name):
        value = literals.get(node.id)
        return value if type(value) is int else None
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if type(value) is int else None

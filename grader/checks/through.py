"""Which blocks above an answer's last assignment Run All surely gets through, read without running them.

An answer also bound inside a block above its last plain top-level assignment is read from that assignment
when Run All gets from the block to it (a fairness review, 301: five answers in a `try:` above the same five on
plain lines cost all ten points). A block is read as the cell's top level is: what surely stops every way
through it (`stops.surely_stops`), what runs later (a function's `global`, a lambda, class, generator) and a loop
that may not end or runs long (`while`, a `for` over anything but a literal display, a small `range`, or a name
bound to a literal that nothing changes; nested loops multiplied) keep the answer unknown; a statement that only
*may* raise or stop is not followed, inside a block as at the top level (the README's "What remains"). Reviews 303
and 306 showed such statements (`[][0]`, `print(0xfff...)`) in a block; an allowlist that refused them cost honest
drafts (fairness reviews 307 and 312: `if math.isclose(...)`, `with torch.no_grad():`, `try: import torch`, an
`assert` the `try` catches) 2 points an answer where Jupyter ended right, and protected nothing the same line at
the top level does not already pass. Review 310 found loops read as finite that are not (a list the loop grows,
nested `range(10000)`).
"""
from __future__ import annotations

import ast
import bisect

from ..syntax import bound_by, child_nodes, walk
from .literals import range_length
from .stops import exits_of, surely_stops

SMALL_LOOP = 10_000       # iterations of a `for` over `range(...)` read as ending at once
# Iterations of a statement's loops, nested ones multiplied (review 310: three nested `range(10000)` ran for hours;
# a fairness review, 318: two nested `range(1000)`, a fraction of a second, cost an answer under 100,000).
LOOP_BUDGET = 2_000_000
_SEQUENCE_OF = {"enumerate", "zip", "reversed", "sorted", "list", "tuple", "set"}


def why_not_through(cell: ast.Module, index: int, flags: int, above: frozenset[str] = frozenset()) -> str:
    """Why Run All may not get from the cell's top-level statement ``index`` to the statements below it ("" where
    it surely does): "stops the cell", "runs later" or "may not end". A function that sets an answer runs later
    even where the cell calls it only above the answer's last assignment: a cell below may call it again (a
    fairness review, 318, asked for `def set_a(): global a_ ...; set_a()` above `a_ = True`)."""
    facts, stmt = _facts(cell), cell.body[index]
    if surely_stops(stmt, flags, exits_of(cell, above) if above else facts.exits):
        return "stops the cell"
    if any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.GeneratorExp,
                             ast.Yield, ast.YieldFrom, ast.Await)) for node in walk(stmt)):
        return "runs later"
    return "may not end" if _may_not_end(stmt, _Literals(facts, index), facts) else ""


def endless_at(cell: ast.Module) -> list[int]:
    """The top-level statements holding a loop that may not end (`why_not_through`'s "may not end"), wherever they
    stand: an answer set above and below one is unknown, as around a magic that may stop (review 310: a loop over a
    list it grows, between the wrong answers and the right ones, binding none of them)."""
    facts = _facts(cell)
    return [i for i, stmt in enumerate(cell.body) if any(isinstance(n, (ast.While, ast.AsyncFor, ast.For))
                                                         for n in _runs(stmt))
            and _may_not_end(stmt, _Literals(facts, i), facts)]


def _runs(node: ast.AST):
    """The nodes a statement runs where it stands: not the body of a function or lambda it defines (a fairness review,
    328: a helper `def show(d): for k in d: print(k)` above a corrected answer was read as a loop that may not end);
    a class's body does run."""
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            todo.extend([*n.decorator_list, n.args, *([n.returns] if n.returns else [])])
        elif isinstance(n, ast.Lambda):
            todo.append(n.args)
        else:
            todo.extend(child_nodes(n))


def _facts(cell: ast.Module) -> _Cell:
    """Read once per cell: the rules ask of every statement that binds an answer, and of every loop (a cell of
    1,500 loops took the grader minutes when each asked the whole cell again). Kept on the tree, which it lives
    and dies with (review 428: a cache of the last eight trees held some 40 MB each for cells at the length limit)."""
    kept = cell.__dict__.get("_grader_facts")
    if kept is None:
        kept = cell.__dict__["_grader_facts"] = _Cell(cell)
    return kept


_UNKNOWN = object()


class _Literals:
    """The names the statements above ``index`` surely leave bound to a literal (`options = [True, False]`, `n = 3`):
    a top-level assignment of one, not bound or deleted again by a statement above (or inside the statement read)."""

    def __init__(self, facts: _Cell, index: int, inside: frozenset[str] = frozenset()):
        self.facts, self.index, self.inside = facts, index, inside

    def get(self, name: str):
        if name in self.inside:
            return None
        at = self.facts.bindings.get(name, [])
        k = bisect.bisect_left(at, self.index, key=lambda b: b[0]) - 1
        if k < 0 or any(at[k][0] < s < self.index for s in self.facts.stars):
            return None
        value = at[k][1]
        return None if value is _UNKNOWN else value


class _Cell:
    """What the loop rules need of the whole cell, read once: every name it binds (`def range(n): ...`), where each
    top-level statement binds a name and to which literal, and the names it reads other than as the iterable of a
    `for` (`opts.insert(0, o)`, `alias = opts`: a list, set or dict it may change while a loop runs over it, review
    310)."""

    def __init__(self, cell: ast.Module):
        self.exits = exits_of(cell)
        self.bindings: dict[str, list[tuple[int, object]]] = {}
        self.stars: list[int] = []
        for i, stmt in enumerate(cell.body):
            touched = {n for node in walk(stmt) for n in bound_by(node)}
            if "*" in touched:
                self.stars.append(i)
            value = _UNKNOWN
            if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
                try:
                    value = ast.literal_eval(stmt.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    value = _shape(stmt.value)
            for name in touched - {"*"}:
                self.bindings.setdefault(name, []).append((i, value))
        self.redefined = {n for node in walk(cell) for n in bound_by(node)}
        # reading an item (`opts[i]`) or the length (`len(opts)`) changes nothing either (a fairness review, 312:
        # `for i in range(len(opts)): a_ = opts[i]`)
        harmless = {i for node in walk(cell) if isinstance(node, (ast.For, ast.AsyncFor)) for i in _iterated(node.iter)}
        harmless |= {id(node.value) for node in walk(cell) if isinstance(node, ast.Subscript)
                     and isinstance(node.ctx, ast.Load)}
        harmless |= {id(node.args[0]) for node in walk(cell) if isinstance(node, ast.Call) and isinstance(
            node.func, ast.Name) and node.func.id == "len" and len(node.args) == 1 and not node.keywords}
        # ... nor printing it (a fairness review, 318: `print(len(options), options)` above a loop over `options`)
        harmless |= {id(a) for node in walk(cell) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                     and node.func.id == "print" for a in node.args if isinstance(a, ast.Name)}
        self.read = {node.id for node in walk(cell) if isinstance(node, ast.Name)
                     and isinstance(node.ctx, ast.Load) and id(node) not in harmless}


_VIEWS = {"items", "keys", "values"}


def _shape(value: ast.expr):
    """A stand-in of the same length for a list, tuple or dict written out of other things than literals (`answers =
    [a_, b_, c_]`: a fairness review, 328, lost a corrected answer to a loop over it; only its length is read); none
    (``_UNKNOWN``) for anything else."""
    if isinstance(value, (ast.List, ast.Tuple)) and not any(isinstance(e, ast.Starred) for e in value.elts):
        return (list if isinstance(value, ast.List) else tuple)([None] * len(value.elts))
    if isinstance(value, ast.Dict) and None not in value.keys:
        return {k: None for k in range(len(value.keys))}
    return _UNKNOWN


def _iterated(it: ast.expr) -> set[int]:
    """The Name nodes a `for`'s iterable reads only to loop over them (`opts`, `enumerate(opts)`, `d.items()`),
    in the shapes ``_count`` knows."""
    if isinstance(it, ast.Name):
        return {id(it)}
    if isinstance(it, ast.Call) and not it.keywords:
        if isinstance(it.func, ast.Name) and it.func.id in _SEQUENCE_OF | {"zip"}:
            return {i for a in it.args for i in _iterated(a)}
        if isinstance(it.func, ast.Attribute) and it.func.attr in _VIEWS and not it.args:
            return _iterated(it.func.value)
    return set()


def _may_not_end(stmt: ast.stmt, literals: _Literals, cell: _Cell) -> bool:
    if any(isinstance(n, (ast.While, ast.AsyncFor, ast.AsyncWith)) for n in _runs(stmt)) or "*" in cell.redefined:
        return True
    literals = _Literals(literals.facts, literals.index, frozenset(n for node in walk(stmt) for n in bound_by(node)))
    try:
        return _iterations(ast.Module([stmt], []), literals, cell, 1) is None
    except RecursionError:
        return True


def _iterations(node: ast.AST, literals: _Literals, cell: _Cell, factor: int) -> int | None:
    """How many loop iterations running ``node`` takes at most, nested loops multiplied (``factor``: the
    iterations of the loops around it), or None where that may exceed ``LOOP_BUDGET`` or is not known."""
    total = 0
    for child in child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue                # defined, not run (what its header runs holds no `for` statement)
        inner = factor
        if isinstance(child, ast.For):
            count = _count(child.iter, literals, cell)
            if count is None:
                return None
            inner = factor * count
            total += inner
        sub = _iterations(child, literals, cell, inner)
        if sub is None:
            return None
        total += sub
        if total > LOOP_BUDGET:
            return None
    return total


def _count(it: ast.expr, literals: _Literals, cell: _Cell) -> int | None:
    """How many times a `for` over ``it`` runs, where that is known and small: a literal display or string, a
    `range` of at most ``SMALL_LOOP`` numbers given as literals (or names bound to them), a name bound to a literal
    that nothing else in the cell reads (a list the loop grows never ends), or `enumerate`, `zip`, `reversed`,
    `sorted` of those (`iter(int, 1)`, `itertools.count()`, `range(10**21)` are not). None: not known."""
    if isinstance(it, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
        return len(it.keys if isinstance(it, ast.Dict) else it.elts) if not any(
            isinstance(e, ast.Starred) for e in getattr(it, "elts", [])) and None not in getattr(it, "keys", []) \
            else None
    if isinstance(it, ast.Constant) and isinstance(it.value, (str, bytes)):
        return len(it.value)
    if isinstance(it, ast.Name):
        value = literals.get(it.id)
        fixed = isinstance(value, (tuple, str, bytes))       # nothing can change its length
        if isinstance(value, (list, tuple, set, dict, str, bytes)) and (fixed or it.id not in cell.read):
            return len(value)
        return None
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and it.func.attr in _VIEWS and not it.args \
            and not it.keywords:
        inner = _count(it.func.value, literals, cell)        # `draft.items()` of a dict written out above
        return inner if isinstance(it.func.value, ast.Name) and isinstance(literals.get(it.func.value.id), dict) \
            else None
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and not it.keywords) or \
            it.func.id in cell.redefined:
        return None
    if it.func.id == "range" and 1 <= len(it.args) <= 3:
        n = range_length([_int(a, literals, cell) for a in it.args])
        return n if n is not None and n <= SMALL_LOOP else None
    if it.func.id == "zip" and it.args:
        counts = [_count(a, literals, cell) for a in it.args]
        return None if None in counts else min(counts)
    if it.func.id in _SEQUENCE_OF and it.args and (len(it.args) == 1 or it.func.id == "enumerate"):
        return _count(it.args[0], literals, cell)
    return None


def _int(node: ast.expr, literals: _Literals, cell: _Cell | None = None) -> int | None:
    if isinstance(node, ast.Name):
        value = literals.get(node.id)
        return value if type(value) is int else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len" and cell is not None \
            and len(node.args) == 1 and not node.keywords and "len" not in cell.redefined:
        return _count(node.args[0], literals, cell)        # `range(len(opts))`
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if type(value) is int else None

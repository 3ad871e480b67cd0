"""Walks and quotes of a cell's syntax tree that several readers share: what one scope holds, what a node binds,
and a piece of the student's code as a message shows it. Pure functions of a tree; nothing here runs code."""

from __future__ import annotations

import ast
from collections import deque
from typing import Iterable

NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_AST = ast.AST


def walk(node: ast.AST):
    """`ast.walk`, node for node in the same order: a cell at the length limit is walked some eighty times while its
    answers are read, so a whole cell's tree (a module) is walked once, its nodes kept on it, since no reader changes a
    tree it has read (the one that turns IPython's calls into magics works on a tree no one has walked); a part of a
    tree is walked a little faster than by `ast.walk`, which goes through two generators a node."""
    if type(node) is ast.Module:
        kept = node.__dict__.get("_grader_nodes")
        if kept is None:
            kept = node.__dict__["_grader_nodes"] = list(_walked(node))
        return iter(kept)
    return _walked(node)


def _walked(node: ast.AST):
    todo = deque([node])
    while todo:
        node = todo.popleft()
        todo.extend(child_nodes(node))
        yield node


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """`ast.iter_child_nodes`, as a list (one call a node, where `ast.iter_child_nodes` goes through `iter_fields`)."""
    out: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, _AST):
            out.append(value)
        elif isinstance(value, list):
            out.extend([item for item in value if isinstance(item, _AST)])
    return out


def within(nodes: Iterable[ast.AST]):
    """The nodes and everything they hold, but not what the functions, lambdas and classes among them hold: each of
    those is yielded and read as a scope of its own."""
    todo = list(nodes)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, NESTED):
            todo.extend(ast.iter_child_nodes(node))


def own_scope(node: ast.AST):
    """The nodes of a function's (or a loop's) body outside the functions, lambdas and classes nested in it."""
    return within(ast.iter_child_nodes(node))


_BINDERS = frozenset({ast.Name, ast.alias, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Global, ast.Nonlocal,
                      ast.ExceptHandler, ast.MatchAs, ast.MatchStar, ast.MatchMapping})


def bound_by(node: ast.AST) -> set[str]:
    """The names one node binds or unbinds, every way Python has: a target, an import, a def or class, `global`,
    an `except ... as` name (deleted when the handler ends) and a `case` pattern's capture (review 306)."""
    if type(node) not in _BINDERS:          # most nodes (asked of every node of a cell, several times)
        return set()
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


def unparsed(node: ast.AST) -> str:
    """`ast.unparse`, or "..." where the node cannot be written out: a number past Python's limit for writing one
    (`0xfff...` of 4,000 digits: review 350, a grader error for the question where a message quoted it), a tree too
    deep."""
    try:
        return ast.unparse(node)
    except (ValueError, RecursionError, MemoryError):
        return "..."


def dumped(node: ast.AST) -> str:
    """`ast.dump`, or a text no other node dumps to where the node cannot be written out (as `unparsed`)."""
    try:
        return ast.dump(node)
    except (ValueError, RecursionError, MemoryError):
        return f"<unwritable {id(node)}>"


def shapes(root: ast.AST) -> dict[int, int]:
    """A number for each node under ``root`` (by `id`), the same for two nodes where `ast.dump` writes the same:
    worked out once from the leaves up, where comparing dumps pair by pair costs the product of the pairs and the
    depth (review 429: `self.c = self.c = ... = q.a.a...a`, each target's object dumped against each attribute's, some
    six minutes of the grader's CPU for a line of 4,000 characters). Not recursive: any depth the parser gives."""
    table: dict[tuple, int] = {}
    out: dict[int, int] = {}
    for node in reversed(list(_walked(root))):          # (breadth first: every node after the node that holds it)
        key: list = [type(node)]
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, _AST):
                key.append(("@", out[id(value)]))
            elif isinstance(value, list):
                key.append(tuple(("@", out[id(v)]) if isinstance(v, _AST) else _leaf(v) for v in value))
            else:
                key.append(_leaf(value))
        out[id(node)] = table.setdefault(tuple(key), len(table))
    return out


_BY_VALUE = (int, str, bytes, bool, type(None))


def _leaf(value) -> tuple:
    """A field that is not a node, as a key equal where `ast.dump` writes the same: by value where equal values have
    equal reprs (an int's `repr` fails past Python's digits limit: a literal of 5,000 hexadecimal digits), else by
    `repr` (floats: `nan` is not equal to itself, `0.0 == -0.0` is)."""
    return (type(value), value) if type(value) in _BY_VALUE else (type(value), repr(value))


def word(node: ast.AST | None) -> str | None:
    """The name a node spells, where it spells one: a name's, or an attribute's last part (`f`, `operator.setitem`:
    'setitem'); what a call is read by."""
    return node.id if type(node) is ast.Name else node.attr if type(node) is ast.Attribute else None


def quoted(node: ast.AST, width: int = 40) -> str:
    """A piece of the student's code as a message quotes it: its first line, cut to ``width`` characters."""
    try:
        text = ast.unparse(node).splitlines()[0]
    except (ValueError, RecursionError, IndexError):
        return "..."
    return text if len(text) <= width else text[:width - 3] + "..."

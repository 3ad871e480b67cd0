"""Code a cell runs from a string: ``exec('''...''')``, ``eval(...)``, ``compile(...)``.

Such a cell runs code no syntax tree of the cell shows: the similarity view would see one string
token where a copy is (a copied notebook wrapped in ``exec`` shared no code fingerprint with its
source), and a TA reading the cell reads a string. Both read what the call runs when the string is
written out in the cell (literals, ``+`` of literals, f-strings without fields), nested up to
three deep; anything computed (``base64``, a variable) is only named.
"""
from __future__ import annotations

import ast
import re

from .magics import without_magics

RUNNERS = frozenset({"exec", "eval", "compile"})
_HINT = re.compile(r"\b(?:exec|eval|compile)\b")
DEPTH = 3


def _parse(source: str) -> ast.AST | None:
    try:
        return ast.parse(without_magics(source))      # as Jupyter (and the fork engine) reads it
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _literal(node: ast.AST | None) -> str | None:
    """The text of a string the code writes out, or None when it is computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.JoinedStr):
        parts = [_literal(v) for v in node.values]
        return None if any(p is None for p in parts) else "".join(parts)
    return None


def runs(source: str) -> tuple[list[str], int]:
    """The strings a cell runs as code (written out), and how many runner calls run a computed one."""
    if not _HINT.search(source):
        return [], 0
    tree = _parse(source)
    if tree is None:
        return [], 0
    found, computed = [], 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func      # the builtins, not a method of that name (``model.eval()``, ``re.compile``)
        name = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
            and func.value.id in ("builtins", "__builtins__") else "")
        arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "source"), None)
        if name not in RUNNERS or arg is None:
            continue
        text = _literal(arg)
        if text is None:
            computed += 1
        else:
            found.append(text)
    return found, computed


def unwrapped(source: str, depth: int = 0) -> str:
    """The cell's source followed by the code it runs from written-out strings (for similarity)."""
    inner, _ = runs(source)
    if not inner or depth >= DEPTH:
        return source
    return source + "".join(f"\n# run from a string by exec/eval/compile:\n{unwrapped(code, depth + 1)}"
                            for code in inner)

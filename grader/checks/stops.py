"""Where Jupyter's Run All stops in a cell the grader reads without running it.

IPython parses a cell whole, then compiles and runs its statements one by one. What it compiles with is
carried from one compile to the next: every `from __future__ import` it has run (in any cell above, or
above in this one) applies to all later text, and top-level `await` compiles only while autoawait is
on. Review 236 found statements that compile alone but not under those (`z: (w := 0) = 0` under
`annotations`, `await 0` after `%autoawait False`, `!=` under `barry_as_FLUFL`): each stopped the cell
in Jupyter and not in the grader's reading. So the reading carries the same state. A magic's code is
compiled and run the magic's own way (`%time` catches what it raises, `%prun` drops the features:
review 237), so where it may stop is only marked as not known (`unsure`).
"""
from __future__ import annotations

import __future__
import ast
from typing import Callable

from ..magics import as_python_reads, cleaned, without_magics
from .magic_lines import aligned

BARRY = __future__.barry_as_FLUFL.compiler_flag
AWAIT = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
_FEATURES = {name: getattr(__future__, name).compiler_flag for name in __future__.all_feature_names}


def imported(node: ast.stmt) -> int:
    """The compiler flags a top-level statement adds for every later compile (0: none)."""
    if isinstance(node, ast.ImportFrom) and node.module == "__future__" and not node.level:
        flags = 0
        for a in node.names:
            flags |= _FEATURES.get(a.name, 0)
        return flags
    return 0


def parse(source: str, flags: int = 0) -> ast.Module:
    """The cell as Python parses it under ``flags`` (only `barry_as_FLUFL` changes parsing)."""
    return compile(without_magics(source), "<cell>", "exec", ast.PyCF_ONLY_AST | (flags & BARRY), dont_inherit=True)


def features_at(cells) -> Callable[[int], int]:
    """For a notebook's cells: the flags in force when the cell at an index starts. A cell that does not
    parse runs nothing, so its imports count for nothing; letters count as Python reads them
    (`barry_as_\\uff26LUFL` is the feature: review 235); a comment naming a feature is no import."""
    marks: list[tuple[int, int]] = []
    flags = 0
    for c in cells:
        if c.cell_type != "code" or "__future__" not in as_python_reads(c.source):
            continue
        try:
            tree = parse(c.source, flags)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        more = 0
        for node in tree.body:
            more |= imported(node)
        if more & ~flags:
            flags |= more
            marks.append((c.index, flags))

    def at(index: int) -> int:
        return next((f for i, f in reversed(marks) if i < index), 0)
    return at


def magic_lines(source: str) -> dict[int, int]:
    """The lines of the grader's reading (`without_magics`) that stand for code IPython compiles whole
    when its turn comes, not statement by statement with the cell, each with the line its text starts
    on: a magic line's code, and a `%%time` cell's body (one text)."""
    read = without_magics(source)
    plain, turned = cleaned(source).split("\n"), read.split("\n")
    if plain == turned:
        return {}
    if next((ln.strip() for ln in plain if ln.strip()), "").split(" ")[0] == "%%time":
        return dict.fromkeys(range(1, len(turned) + 1), 0)
    kept, _ = aligned(plain, turned)
    return {i: i for i in range(1, len(turned) + 1) if i not in kept}


def awaits(tree: ast.AST) -> bool:
    """Does the cell await at its top level (what compiles only while IPython's autoawait is on)?"""
    return any(isinstance(n, (ast.Await, ast.AsyncFor, ast.AsyncWith)) or
               isinstance(n, ast.comprehension) and n.is_async for n in ast.walk(tree))


def _groups(body: list[ast.stmt], magic: dict[int, int]):
    """(first, end, whether it is a magic's code) of each run of statements IPython compiles as one
    text: a magic line's code, a `%%time` body; a plain statement alone."""
    i = 0
    while i < len(body):
        whole = magic.get(body[i].lineno)
        j = i + 1
        while whole is not None and j < len(body) and magic.get(body[j].lineno) == whole:
            j += 1
        yield i, j, whole is not None
        i = j


def first_stop(tree: ast.Module, flags: int, magic: dict[int, int] | None = None) -> int | None:
    """The index in ``tree.body`` of the first plain statement Jupyter never gets past when the cell
    starts under ``flags`` (None: none). A magic's code is not read as a stop here: how it compiles and
    runs that code is the magic's own (`unsure`)."""
    magic = magic or {}
    for i, j, is_magic in _groups(tree.body, magic):
        for k in range(i, j):
            if not is_magic and _stops(tree.body[k], flags):
                return k
            flags |= imported(tree.body[k])
    return None


def unsure(tree: ast.Module, flags: int, magic: dict[int, int]) -> list[int]:
    """The first index of each magic's code in the cell that holds a statement that stops, or does not
    compile, in some reading (with the features in force or none, autoawait on or off). `%time` catches
    what its code raises and compiles a last expression apart; `%prun` compiles without the notebook's
    features; a syntax error stops the cell where a raise inside `%time` does not. Whether Jupyter sets
    what that code assigns, and gets past it, depends on the magic (review 237: `%time <wrong>; yield`
    set the wrong five and went on, `%prun` ran what the features refuse)."""
    out = []
    for i, j, is_magic in _groups(tree.body, magic):
        group = tree.body[i:j]
        if is_magic:
            readings = (flags, flags | AWAIT, 0, AWAIT)
            if any(not _compiles(ast.Module(group, []), f, as_text=True) for f in readings) or \
                    any(_stops(n, f) for n in group for f in readings):
                out.append(i)
        for n in group:
            flags |= imported(n)
    return out


def _compiles(module: ast.Module, flags: int, as_text: bool = False) -> bool:
    try:
        code = ast.unparse(module) if as_text else module
        compile(code, "<cell>", "exec", flags, dont_inherit=True)
        return True
    except SyntaxError:
        return False
    except (ValueError, TypeError, RecursionError, MemoryError):
        return True


def _evaluated_now(node: ast.AST):
    """The nodes of a statement that run when it runs: not a lambda's body, nor a comprehension's."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(c for c in ast.iter_child_nodes(n)
                     if not isinstance(c, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)))


def _stops(node: ast.stmt, flags: int) -> bool:
    """A statement Jupyter's Run All never gets past: a raise, `while True` without a break, exit(),
    `assert False`, and a statement Python parses but does not compile under ``flags`` (`return` or
    `yield` outside a function, `def f(x, x)`), which IPython refuses when it reaches it, after those
    above it have run (a two-hundred-and-twenty-fifth review: the right answers after a `return` were
    graded, unflagged, and Jupyter ended with the wrong ones above it)."""
    if isinstance(node, ast.Raise):
        return True
    if not _compiles(ast.Module([node], []), flags):   # IPython compiles a cell's statements one by one
        return True
    if isinstance(node, ast.Assert) and isinstance(node.test, ast.Constant) and not node.test.value:
        return True
    if isinstance(node, (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign)) and any(
            isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Div, ast.FloorDiv, ast.Mod)) and
            isinstance(n.right, ast.Constant) and n.right.value == 0 and not isinstance(n.right.value, str)
            and isinstance(n.left, ast.Constant) and isinstance(n.left.value, (int, float))
            for n in _evaluated_now(node)):
        return True                                 # `1/0`, not in a lambda nobody calls (a fairness review)
    if isinstance(node, ast.While) and isinstance(node.test, ast.Constant) and node.test.value:
        return not any(isinstance(n, (ast.Break, ast.Return, ast.Raise)) for n in ast.walk(node))
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        f = node.value.func
        return (isinstance(f, ast.Name) and f.id in ("exit", "quit")) or (
            isinstance(f, ast.Attribute) and f.attr in ("exit", "_exit") and isinstance(f.value, ast.Name)
            and f.value.id in ("sys", "os"))
    return False

"""Code a cell runs from a string: ``exec('''...''')``, ``eval(...)``, ``compile(...)``.

Such a cell runs code no syntax tree of the cell shows: the similarity view would see one string
token where a copy is (a copied notebook wrapped in ``exec`` shared no code fingerprint with its
source), and a TA reading the cell reads a string. Both read what the call runs when the string is
written out in the cell (literals, ``+`` of literals, f-strings without fields), nested up to
three deep; anything computed (``base64``, a variable) is only named.

A runner need not be called by its name (``run = exec``, ``[exec][0]``,
``getattr(__builtins__, 'ex' 'ec')``, ``print.__self__``, ``pickle.loads``): every way of reaching
one that the cell shows is counted as running a computed string, so the cell is flagged for a TA;
and the similarity view reads every string written out in the cell that is code, however it is
run, so the reach it cannot see costs the copy nothing.
"""
from __future__ import annotations

import ast
import re

from .magics import python_tree
from .syntax import walk, child_nodes

RUNNERS = frozenset({"exec", "eval", "compile"})
# IPython's shell runs code from a string too (`get_ipython().run_cell("...")`, `.ex`, `.ev`, `.magic`):
# in a cell that names its shell (a two-hundred-and-eighteenth review ran an import and an `exec` so,
# unflagged).
SHELL_RUNNERS = frozenset({"run_cell", "run_cell_async", "run_code", "runcode", "run_ast_nodes", "safe_execfile",
                           "safe_execfile_ipy", "safe_run_module", "ex", "ev", "magic", "run_line_magic",
                           "run_cell_magic"})
# What reaches a runner, or runs code from data, without naming a runner in a call.
BUILTINS = frozenset({"builtins", "__builtins__"})
DATA_RUNNERS = frozenset({"builtins", "pickle", "marshal", "runpy", "importlib", "codeop", "code", "dill",
                          "cloudpickle", "ctypes"})
CODE_OBJECTS = frozenset({"CodeType", "FunctionType", "LambdaType"})
# Dunders that lead nowhere on their own (``model.__class__.__name__`` titles a plot); the next
# step of an escape (``__bases__``, ``__subclasses__``, ``__globals__``) is still counted.
PLAIN_DUNDERS = frozenset({"__init__", "__name__", "__main__", "__len__", "__getitem__", "__call__", "__repr__",
                           "__str__", "__doc__", "__version__", "__module__", "__qualname__", "__file__",
                           "__class__"})
# Namespaces a computed key reaches builtins through (``globals()['__bu' + 'iltins__']``).
NAMESPACES = frozenset({"globals", "vars", "locals"})
_HINT = re.compile(r"\b(?:exec|eval|compile|getattr|builtins|pickle|marshal|runpy|importlib|codeop|dill|get_ipython|"
                   r"cloudpickle|ctypes|CodeType|FunctionType|LambdaType|globals|vars|locals)\b|"
                   r"(?:import|from)\s+code\b|"
                   r"__(?!(?:init|name|main|len|getitem|call|repr|str|doc|version|module|qualname|file|class)__)\w+__|"
                   r"[\'\"](?:\s*\+\s*|\s+)[rRuUfF]?[\'\"]")       # strings joined: a name spelled in pieces
DEPTH = 3
CODE_MIN_CHARS = 12


def _literal(node: ast.AST | None) -> str | None:
    """The text of a string the code writes out, or None when it is computed. Read without
    recursion: a chain of a thousand ``+`` is one line of a student's cell."""
    parts, stack = [], [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            parts.append(n.value)
        elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
            stack += [n.right, n.left]
        elif isinstance(n, ast.JoinedStr):
            stack += reversed(n.values)
        else:
            return None
    return "".join(parts)


SHORT = 64          # longer than any name _reaches looks for
LONG = "\0long"    # a written-out string longer than that (no name holds a NUL)


def _short_literals(nodes: list[ast.AST]) -> dict[int, str | None]:
    """Each string expression's text when it is written out (LONG when longer than SHORT), None
    when computed; in one pass, children first (``ast.walk`` visits a parent before its children).
    Reading each node of a chain of ``+`` on its own costs the square of the chain's length: the
    thirty-fifth review's cells of 2,800 ``+''`` took two minutes of the grader's time each."""
    memo: dict[int, str | None] = {}

    def join(parts: list) -> str | None:
        if any(p is None for p in parts):
            return None
        if any(p is LONG for p in parts) or sum(map(len, parts)) > SHORT:
            return LONG
        return "".join(parts)

    for node in reversed(nodes):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            memo[id(node)] = node.value if len(node.value) <= SHORT else LONG
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            memo[id(node)] = join([memo.get(id(node.left)), memo.get(id(node.right))])
        elif isinstance(node, ast.JoinedStr):
            memo[id(node)] = join([memo.get(id(v)) for v in node.values])
    return memo


def _runner_name(func: ast.AST) -> str:
    """``exec`` called by its name or as ``builtins.exec`` (not ``model.eval()``, ``re.compile``)."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in BUILTINS:
        return func.attr
    return ""


def rebinds_shell(tree: ast.AST) -> ast.AST | None:
    """Where the cell binds `get_ipython` itself (an assignment, a `def`, a `class`, an import as it):
    every magic line calls it, and then runs what the student's own `get_ipython` does, not the magic
    the grader read (a two-hundred-and-twenty-first review: `get_ipython = lambda: ...` beside `%time
    a_, ... = ...`, five answers graded as the line sets them, set nowhere in Jupyter)."""
    for node in walk(tree):
        if isinstance(node, ast.Name) and node.id == "get_ipython" and not isinstance(node.ctx, ast.Load) \
                or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == "get_ipython" \
                or isinstance(node, (ast.Import, ast.ImportFrom)) and not _ipythons_own(node) \
                and any((a.asname or a.name) == "get_ipython" for a in node.names) \
                or isinstance(node, (ast.Global, ast.Nonlocal)) and "get_ipython" in node.names:
            return node
    return None


def _ipythons_own(node: ast.AST) -> bool:
    """`from IPython import get_ipython`: the shell itself, as Jupyter's own cells use it."""
    return isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "IPython" and \
        all(a.asname is None for a in node.names if a.name == "get_ipython")


def _shell_runner(func: ast.AST, shell: bool) -> bool:
    """A method of IPython's shell that runs code, in a cell that reaches the shell. The magic
    calls left in the grader's reading are those it does not read as their magic (`_ExplicitCalls`)."""
    return shell and isinstance(func, ast.Attribute) and func.attr in SHELL_RUNNERS


def _written_names(nodes: list[ast.AST]) -> set[str]:
    """Names whose every binding in the cell is a loop over strings written out in it
    (``for name in ["linear1", "linear2"]``): their value is as written as a literal's."""
    bound: dict[str, bool] = {}
    loops = [(n.target, n.iter) for n in nodes if isinstance(n, (ast.For, ast.AsyncFor))]
    loops += [(g.target, g.iter) for n in nodes if isinstance(n, (ast.ListComp, ast.SetComp, ast.GeneratorExp,
                                                                 ast.DictComp)) for g in n.generators]
    for target, values in loops:
        if isinstance(target, ast.Name):
            written = isinstance(values, (ast.List, ast.Tuple, ast.Set)) and all(
                isinstance(v, ast.Constant) and isinstance(v.value, str) for v in values.elts)
            bound[target.id] = bound.get(target.id, True) and written
    targets = {id(t) for t, _ in loops if isinstance(t, ast.Name)}
    for node in nodes:
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load) and id(node) not in targets:
            bound[node.id] = False
        elif isinstance(node, ast.arg):
            bound[node.arg] = False
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound[(alias.asname or alias.name).split(".")[0]] = False
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                bound[name] = False
        elif isinstance(node, (ast.MatchAs, ast.MatchStar, ast.ExceptHandler, ast.FunctionDef, ast.AsyncFunctionDef,
                               ast.ClassDef)) and node.name:
            bound[node.name] = False
    return {name for name, written in bound.items() if written}


def _reaches(node: ast.AST, called: set[int], texts: dict[int, str | None], written: frozenset = frozenset()) -> bool:
    """Does this node reach a runner, or code from data, other than by a call that names it?"""
    if isinstance(node, ast.Name):
        return (node.id in RUNNERS and id(node) not in called) or node.id in BUILTINS or node.id in CODE_OBJECTS
    if isinstance(node, ast.Attribute):
        dunder = node.attr.startswith("__") and node.attr.endswith("__") and node.attr not in PLAIN_DUNDERS
        return dunder or node.attr in CODE_OBJECTS or (node.attr in RUNNERS and id(node) not in called
                                                       and isinstance(node.value, ast.Name)
                                                       and node.value.id in BUILTINS)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value in RUNNERS or node.value in BUILTINS
    if isinstance(node, (ast.BinOp, ast.JoinedStr)):
        text = texts.get(id(node))            # 'ex' + 'ec': the name spelled in pieces
        return text is not None and (text in RUNNERS or text in BUILTINS)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call) and \
            isinstance(node.value.func, ast.Name) and node.value.func.id in NAMESPACES:
        key = _literal(node.slice)
        return key is None or key in RUNNERS or key in BUILTINS
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        return any(n.split(".")[0] in DATA_RUNNERS for n in names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
        # Of the student's own module (``getattr(self, f"fc{i}")``, layers built in a loop) a
        # computed name reaches only what the cell put there, or a dunder: the next step is counted.
        # A name looped over strings written out in the cell is as plain as those strings (a
        # hundredth-and-second review: `for name in ["linear1", ...]: getattr(model, name)`).
        own = bool(node.args) and isinstance(node.args[0], ast.Name) and node.args[0].id == "self"
        plain = len(node.args) > 1 and isinstance(node.args[1], ast.Name) and node.args[1].id in written
        return len(node.args) > 1 and _literal(node.args[1]) is None and not own and not plain
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__":
        module = _literal(node.args[0]) if node.args else None
        return module is None or module.split(".")[0] in DATA_RUNNERS
    return False


def runs(source: str) -> tuple[list[str], int]:
    """The strings a cell runs as code (written out, in a call that names the runner), and how
    many runners it reaches otherwise or with a computed string."""
    if not _HINT.search(source):
        return [], 0
    tree = python_tree(source)
    if tree is None:
        return [], 0
    found, computed = [], 0
    nodes = list(walk(tree))
    shell = any(isinstance(n, ast.Name) and n.id == "get_ipython" for n in nodes)
    called: set[int] = set()
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        name = _runner_name(node.func)
        arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "source"), None)
        if name not in RUNNERS and not _shell_runner(node.func, shell):
            continue
        if arg is None:
            continue
        called.add(id(node.func))
        text = _literal(arg)
        if text is None:
            computed += 1
        else:
            found.append(text)
    texts = _short_literals(nodes)
    written = frozenset(_written_names(nodes))
    computed += sum(_reaches(node, called, texts, written) for node in nodes)
    if rebinds_shell(tree) is not None:
        computed += 1                       # its magic lines run the student's function instead
    return found, computed


def _is_code(text: str) -> bool:
    """A string that is Python statements, not a message: it parses, and holds more than one
    bare expression."""
    if len(text) < CODE_MIN_CHARS:
        return False
    tree = python_tree(text)
    if tree is None or not tree.body:
        return False
    return len(tree.body) > 1 or not isinstance(tree.body[0], (ast.Expr, ast.AnnAssign))  # 'Epoch: n = 3'


def code_strings(source: str) -> list[str]:
    """Every string written out in the cell that is code, however the cell runs it (or not)."""
    tree = python_tree(source)
    if tree is None:
        return []
    written = _short_literals(list(walk(tree)))     # read once: a chain's every link is a node
    out, stack = [], [tree]
    while stack:
        node = stack.pop()
        if written.get(id(node)) is not None:
            text = _literal(node)               # a whole written-out string: its parts are not read again
            if text is not None and _is_code(text):
                out.append(text)
            continue
        stack.extend(child_nodes(node))
    return out[::-1]


def unwrapped(source: str, depth: int = 0) -> str:
    """The cell's source followed by the code it holds as written-out strings (for similarity)."""
    inner = code_strings(source) if depth < DEPTH else []
    if not inner:
        return source
    return source + "".join(f"\n# code written out as a string:\n{unwrapped(code, depth + 1)}" for code in inner)

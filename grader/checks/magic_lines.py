"""Whether an answer set in a magic line (`%time a_, ... = True, ...`) is read as written.

The grader reads an answers cell without running it; IPython runs a magic line's statement only when
the line's turn comes, through hooks (transformers, registered magics, `get_ipython` itself, compiler
flags) that code above it in the same cell can change. This module answers one question for the
answers check: can anything above such a line run code of its own? Kept apart from the reading of
plain lines because every hostile review of that question has been a review of this file alone.
"""
from __future__ import annotations

import ast
import builtins
import difflib
import importlib.util
import re
import sys
from collections import Counter

from ..magics import assigned_magic, automagic, cleaned, everyday_setting, magic_statement, without_magics
from ..textdiff import word_ops
from ..syntax import walk, child_nodes, unparsed


# The magics an answer may be set in: they run their statement as it is written. Every other magic
# line can change what IPython runs, as can any code of the cell (below).
_TIMING = {"time", "timeit"}
_MAGIC_NAMED = re.compile(r"%{1,2}(\w+)|run_(?:line|cell)_magic\(\s*['\"](\w*)")


def magic_set(source: str, names, tree: ast.AST | None = None, shadowed: frozenset = frozenset()) -> dict[str, str]:
    """Each of ``names`` the cell sets in a magic line (`%time a_, b_ = True, False`) below code of its
    own, with a sentence saying so. IPython runs a magic line's statement when the line's turn comes,
    through hooks (`input_transformers_post`, `ast_transformers`, its registered magics, `get_ipython`
    itself) that any code above it in the same cell can change; the grader reads the line as written.
    Reviews 208 to 224 found one such hook after another (an alias, a registration, `get_ipython` bound,
    a transformer appended: 10/10 on five wrong literals each), so the line is read only below nothing
    that runs code (`_harmless`), timing magics and everyday ones (`_quiet_lines`)."""
    try:
        read = without_magics(source)
        tree = ast.parse(read) if tree is None else tree
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    plain, turned = cleaned(source).split("\n"), read.split("\n")
    if plain == turned:
        return {}                                   # no magic line: the cell runs as Python reads it
    kept, changed = aligned(plain, turned)
    magics = [(i, m) for i, m, _ in changed]
    quiet = _quiet_lines(changed)
    # Only what runs above a magic line can change how IPython runs it (a second fairness review: a
    # print or an import below a `%time` answers line had cost the five answers).
    shell = min((i for i, m, _ in changed if m in ("", "pip", "conda") and i in quiet), default=None)
    below = f", below the shell line on line {shell}, which may have written the module it loads" if shell else ""
    runners = sorted([*((i, what + (below if shell is not None and i > shell and "import" in what else ""))
                        for i, what in _runs_code(tree, quiet, shell, shadowed)),
                      *((i, (f"`%{m}`" if m else "a magic or shell line") +
                         (below if shell is not None and i > shell and m in ("load_ext", "reload_ext", "matplotlib")
                          else "")) for i, m, _ in changed if m not in _TIMING and i not in quiet)])
    # a magic, shell line or automagic name timed (`%timeit -n1 !cmd`, `%time pwd; ...`): IPython runs it as
    # such, which the grader's reading of the line drops (a two-hundred-and-thirty-ninth review)
    runners = sorted([*runners, *((i, f"`%{m}` of a magic or shell line") for i, m, text in changed
                                  if m in _TIMING and inner_magic(text))])
    if not runners:
        return {}
    out = {}
    plainly: set[str] = set()                       # set on a plain line above (fairness review 238)
    for node in tree.body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)):
            continue
        lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)
        if all(i in kept for i in lines):
            plainly |= assigned_names(node)
            continue                                # a plain line: IPython has turned it before the cell runs
        runs = next((r for r in runners if r[0] < node.lineno), None)
        if runs is None:
            continue
        magic = next((m for i, m in magics if i == node.lineno), "")
        shown = f"`%{magic}`" if magic else "a magic line"
        for t in (node.targets if isinstance(node, ast.Assign) else [node.target]):
            for n in (x.id for x in walk(t) if isinstance(x, ast.Name)):
                if n in names:
                    fix = (f"delete that line: a plain line above sets `{n}` already" if n in plainly else
                           f"set it on a plain line: `{n} = True` or `{n} = False`")
                    out[n] = (f"`{n}` is set in {shown} on line {node.lineno}, below code of the cell that runs "
                              f"code of its own ({runs[1]} on line {runs[0]}); code can change how IPython runs a "
                              f"magic line, which the grader does not follow, so an answer on a magic line is graded "
                              f"only below plain values and everyday magics; {fix}")
    return out


def timed_statement(text: str) -> str | None:
    """The statement of a student's `%time`, `%timeit` or `%prun` line, options aside as the magic reads them (None: no
    such line; "" where IPython refuses the options: nothing runs)."""
    m = re.match(r"%(time|timeit|prun)\b(.*)$", text.strip())
    if m is None:
        return None
    return (magic_statement(m.group(1), m.group(2)) or "").strip()


def inner_magic(text: str) -> str:
    """The magic, shell command or automagic name a student's `%time`, `%timeit` or `%prun` line runs
    as such, not as Python ('' for none): the grader's reading of such a line loses it."""
    stmt = timed_statement(text)
    if not stmt:
        return ""
    if stmt.startswith(("%", "!")):
        return stmt.split(" ")[0]
    at = assigned_magic(stmt)                       # `%time x = !cmd` (review 244)
    if at is not None:
        return stmt[at:].split(" ")[0]
    return automagic(stmt) or ""


def automagic_set(source: str, names) -> dict[str, str]:
    """Each of ``names`` a magic line of the cell names in code that IPython runs as a magic by its bare
    name (`%time pwd; a_ = True`), with a sentence saying so: it runs as Python instead where a variable
    of that name exists (a two-hundred-and-thirty-ninth review: `pwd = 0` above), which the grader cannot
    know, so what the line sets is not known."""
    out = {}
    for i, line in enumerate(cleaned(source).split("\n"), 1):
        stmt = timed_statement(line)
        name = automagic(stmt) if stmt else None
        if not name:
            continue
        for n in names:
            if n not in out and re.search(rf"\b{re.escape(n)}\b", stmt):
                out[n] = (f"`{n}` is on line {i}, whose code starts with `{name}`, which IPython runs as the magic "
                          f"`%{name}` unless a variable `{name}` exists, so what the line sets is not known; set it on "
                          f"a plain line: `{n} = True` or `{n} = False`")
    return out


# Beyond this many lines the cell's lines are not matched one by one (an answers cell is a few lines;
# matching is quadratic at worst): every assignment counts as written in a magic line.
_ALIGNED_LINES = 2_000


_DIFFLIB_BUDGET = 10_000      # lines times repeats: some 10 ms of difflib at most


def aligned(plain: list[str], turned: list[str]) -> tuple[set[int], list[tuple[int, str, str]]]:
    """The lines of the grader's reading that are the student's lines as written (1-based), and
    (line, magic named, '' for none, the student's line) of each line of the student's that the
    reading changed, blank and comment lines aside (IPython's own reader drops them). IPython's reader
    may join lines (`print(1,\n , 2); x = %pwd`), so lines are matched, not counted."""
    if max(len(plain), len(turned)) > _ALIGNED_LINES:
        changed = [(i, m.group(1) or m.group(2) or "", ln) for i, ln in enumerate(plain, 1)
                   for m in _MAGIC_NAMED.finditer(ln)]
        return set(), changed or [(1, "", "")]
    kept, changed = set(), []
    a, b = [x.strip() for x in plain], [x.strip() for x in turned]
    # difflib's alignment takes time that grows with the lines times the copies of the most repeated one, and faster
    # (35 s for one cell of `x = 1` and `%pwd` a thousand times each, read twice: review 339); past a small budget the
    # alignment is rapidfuzz's, bit-parallel (it may pair equal lines otherwise where a line repeats)
    repeats = max(Counter(b).values(), default=0)
    ops = word_ops(a, b) if len(a) * repeats > _DIFFLIB_BUDGET else difflib.SequenceMatcher(
        None, a, b, autojunk=False).get_opcodes()
    for op, a0, a1, b0, b1 in ops:
        if op == "equal":
            kept |= set(range(b0 + 1, b1 + 1))
            continue
        for i in range(a0, a1):
            text = plain[i].strip()
            if not text or text.startswith("#"):
                continue
            m = _MAGIC_NAMED.search(text)
            changed.append((b0 + 1 + (i - a0) if b1 > b0 else max(b0, 1), (m.group(1) or m.group(2) or "") if m else "",
                            text))
    return kept, changed


def _quiet_lines(changed: list[tuple[int, str, str]]) -> set[int]:
    """The lines of ``changed`` (see `aligned`) that are magic or shell lines students write every day
    and that neither change what IPython runs nor raise: the inline plots, IPython's own `autoreload`
    (its magic once the extension is loaded above), a look at the folder or the names, a figure format,
    a shell command that fills nothing in from Python (a fairness review: `%matplotlib inline` beside
    `%time a_, ... = ...` had cost the five answers; a two-hundred-and-thirtieth: `%matplotlib qt`,
    `%autoreload 2` alone and a `%config` of a bare name raise)."""
    out, loaded, shelled = set(), False, False
    for i, magic, line in changed:
        if not magic or magic in ("pip", "conda"):
            quiet = (line.startswith(("!", "%pip", "%conda")) or re.fullmatch(r"\w+\s*=\s*!.*", line) is not None) \
                and "{" not in line and "$" not in line
            shelled = shelled or quiet
        elif line.startswith("%%") and magic in ("time", "timeit", "capture"):
            quiet = True                                # a cell magic whose body is the cell
        elif magic in ("load_ext", "reload_ext"):       # imports a module, which a shell line above may have
            quiet = not shelled and re.fullmatch(r"%(?:re)?load_ext\s+autoreload\s*", line) is not None
            loaded = loaded or quiet                    # written (a two-hundred-and-thirty-second review)
        elif magic == "autoreload":                 # reloads what a shell line above changed (review 241)
            quiet = loaded and not shelled and re.fullmatch(r"%autoreload(?:\s+[0-3])?\s*", line) is not None
        elif magic == "matplotlib":
            quiet = not shelled and re.fullmatch(r"%matplotlib(?:\s+inline)?\s*", line) is not None
        elif magic == "config":                     # imports matplotlib where not yet imported (241)
            quiet = not shelled and everyday_setting(line)
        else:
            quiet = magic in ("pwd", "lsmagic", "who", "who_ls") and re.fullmatch(r"%\w+[\s\w]*", line) is not None
        if quiet:
            out.add(i)
    return out


def _names_only(target: ast.expr) -> bool:
    """Plain names, none of Python's own (`__annotations__ = 0` makes the next annotation raise: review 243)."""
    return all(isinstance(n, (ast.Name, ast.Tuple, ast.List, ast.Starred, ast.Store, ast.Load)) for n in walk(target)) \
        and not any(isinstance(n, ast.Name) and dunder(n.id) for n in walk(target))


def dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _known_codec(call: ast.Call) -> bool:
    """`.encode()`/`.decode()` with no codec or one Python has loaded at start."""
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return False                                # `**{'encoding': ...}` (review 244)
    args = [*call.args, *(k.value for k in call.keywords if k.arg == "encoding")]
    return not args or isinstance(args[0], ast.Constant) and \
        str(args[0].value).lower().replace("_", "-") in ("utf-8", "utf8", "ascii", "latin-1", "latin1")


def _runs_code(tree: ast.AST, magic_lines: set[int] = frozenset(), shell: int | None = None,
               shadowed: frozenset = frozenset()) -> list[tuple[int, str]]:
    """(line, what) of the first statement of the cell that could change what IPython runs for a
    magic line below it: anything but assignments of literals, literals, and names or values shown
    (empty: none). Statements on ``magic_lines`` are those the magics run, judged by the magic's name.
    Below a shell line (``shell``), an import runs what that line may have written: a module file in the
    notebook's folder comes before the installed one (a two-hundred-and-thirty-second review wrote
    `idna.py` with `!echo ... | base64 -d`, then `import idna` appended a transformer)."""
    known: set[str] = set(shadowed)     # a builtin a cell above rebinds is no builtin here (`len = exec`)
    for node in tree.body:
        written = shell is not None and node.lineno > shell and isinstance(node, (ast.Import, ast.ImportFrom))
        if not written and (node.lineno in magic_lines or _harmless(node, known)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                # a name bound to a module is no builtin value (a two-hundred-and-thirty-fourth review:
                # `timeit = 0`, `import timeit`, then `timeit.timeit("...")` read as a method of 0)
                known -= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif node.lineno not in magic_lines and not (isinstance(node, ast.AnnAssign) and node.value is None):
                known |= assigned_names(node)       # `x: int` binds nothing (the same review)
            continue
        what = type(node).__name__.lower()
        try:
            code = unparsed(node).split("\n")[0]
        except (ValueError, RecursionError):
            code = ""
        if code:
            return [(node.lineno, f"`{code[:40]}{'...' if len(code) > 40 else ''}`")]
        return [(node.lineno, {"import": "an import", "importfrom": "an import", "expr": "an expression"}.get(
            what, "an assignment" if what in ("assign", "annassign", "augassign") else f"a `{what}` statement"))]
    return []


# Builtins that run no code of their own on values of builtin types (print and display show them).
PURE = frozenset({"print", "display", "type", "len", "str", "repr", "bool", "int", "float", "list", "tuple",
                   "dict", "set", "sorted", "sum", "min", "max", "abs", "round", "range", "enumerate", "zip",
                   "isinstance", "all", "any", "reversed", "format"})
# What a name may not be bound to or read as in such a cell: a runner or a door to the namespace
# (`print = exec`, then `print("...")`).
DOORS = frozenset({"exec", "eval", "compile", "getattr", "setattr", "delattr", "__import__", "globals", "locals",
                    "vars", "open", "breakpoint", "input", "help", "memoryview", "exit", "quit", "__builtins__",
                    "get_ipython"} | PURE)


def _harmless(node: ast.stmt, known: set[str]) -> bool:
    """A statement that runs no code of its own, so it cannot change how IPython runs a magic line
    below it: values of builtin types built, named and shown (`print(f"{a_}")`, `len([a_, b_])`,
    `x = sum(range(3))`, `'x'.upper()`, `x.append(3)` of a list set above), imports of installed modules
    (but `_runs_code` on a shell line above), a `%timeit` of such a statement. Whether it raises does
    not matter here: a cell stopped above a magic line sets nothing there either (fairness reviews 229,
    231 and 233 found honest lines of each kind above a `%time` answers line costing all ten points)."""
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Import):
        return all(_installed(a.name) and (a.asname or a.name).split(".")[0] not in DOORS for a in node.names)
    if isinstance(node, ast.ImportFrom):       # a `__future__` feature is read by `stops` (fairness review 238)
        return not node.level and _installed(node.module or "") and \
            all(a.name != "*" and ((a.asname or a.name) not in DOORS or _same_builtin(node.module, a)) for a in node.names)
    if isinstance(node, ast.Expr):
        return _value_harmless(node.value, known)
    if isinstance(node, ast.Assign):
        return all(_names_only(t) and not ({x.id for x in walk(t) if isinstance(x, ast.Name)} & DOORS) for t in node.targets) \
            and _value_harmless(node.value, known)
    if isinstance(node, ast.AnnAssign):                 # the annotation is evaluated too
        return isinstance(node.target, ast.Name) and node.target.id not in DOORS and _names_only(node.target) and \
            (node.value is None or _value_harmless(node.value, known)) and \
            (isinstance(node.annotation, ast.Name) and node.annotation.id in _TYPES or
             isinstance(node.annotation, ast.Constant) and isinstance(node.annotation.value, str))
    if isinstance(node, ast.Raise) and node.cause is None and node.exc is not None:
        # the template's `raise NotImplementedError()`: the cell stops there, and what is set below it is
        # graded as written, as on plain lines (a fairness review, 242)
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id not in known and _builtin_exception(exc.id) and \
            (not isinstance(node.exc, ast.Call) or _value_harmless(ast.Call(ast.Name("print", ast.Load()),
                                                                            node.exc.args, node.exc.keywords), known))
    if isinstance(node, ast.ClassDef) and node.name == "_timed_line" and not node.bases and not node.decorator_list:
        return all(_harmless(n, known) for n in node.body)       # the grader's reading of `%timeit stmt`
    return False


# IPython's own functions it also puts among the builtins: imported under their name, the same object.
_IPYTHON_BUILTINS = {("IPython.display", "display"), ("IPython.core.display", "display"),
                     ("IPython.core.display_functions", "display")}


def _same_builtin(module: str | None, alias: ast.alias) -> bool:
    """`from IPython.display import display` binds the builtin `display` IPython gives every cell, not another
    object (a fairness review, 274: it cost the five answers of a `%time` line below it)."""
    return (module, alias.name) in _IPYTHON_BUILTINS and alias.asname in (None, alias.name)


def _builtin_exception(name: str) -> bool:
    value = getattr(builtins, name, None)
    return isinstance(value, type) and issubclass(value, BaseException)


_TYPES = frozenset({"bool", "int", "float", "str", "object"})


def _value_harmless(node: ast.expr, known: set[str]) -> bool:
    """An expression that runs no code of its own: literals, names set above to such values (``known``;
    a name from another cell may hold any object), and builtins and methods of builtin types applied
    to them."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id in known and node.id not in DOORS
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_value_harmless(e, known) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(_value_harmless(e, known) for e in [*node.keys, *node.values] if e is not None)
    if isinstance(node, ast.Starred):
        return _value_harmless(node.value, known)
    if isinstance(node, ast.JoinedStr):
        return all(_value_harmless(v, known) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        return _value_harmless(node.value, known) and (node.format_spec is None or
                                                        _value_harmless(node.format_spec, known))
    if isinstance(node, (ast.Compare, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.IfExp, ast.Subscript, ast.Slice)):
        return all(_value_harmless(n, known) for n in child_nodes(node) if isinstance(n, ast.expr))
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Name):
            ok = f.id in PURE and f.id not in known
        elif isinstance(f, ast.Attribute) and not f.attr.startswith("_"):
            ok = isinstance(f.value, ast.Constant) or isinstance(f.value, ast.Name) and f.value.id in known \
                and f.value.id not in DOORS or \
                isinstance(f.value, ast.Call) and _value_harmless(f.value, known)    # 'x'.upper(), x.append(3) of
            # a list set above, and methods of what such a call returns, a value of a builtin type
            # (`'x'.encode('utf-8').decode()`: a fairness review, 249)
            # a codec is a module imported by its name (review 243: `'x'.encode('<a file a shell line wrote>')`)
            ok = ok and (f.attr not in ("encode", "decode") or _known_codec(node))
        else:
            ok = False
        return ok and all(_value_harmless(a, known) for a in node.args) and \
            all(_value_harmless(k.value, known) for k in node.keywords)
    return False


def _installed(module: str) -> bool:
    """A module of this machine's Python, found by its top-level package: the notebook's folder, where
    a cell may write a module file, comes before it only for a name the installation lacks (a cell
    above that wrote one is the earlier-cell case the README names)."""
    top = module.split(".")[0]
    if not top or top in sys.modules:
        return bool(top)
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError, AttributeError):
        return False


def assigned_names(node: ast.stmt) -> set[str]:
    """The names a top-level assignment binds (`a_, b_ = ...`; none for other statements)."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return {x.id for t in targets for x in walk(t) if isinstance(x, ast.Name)}

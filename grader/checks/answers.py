"""True/False answers, read from the cell's syntax tree: the cell is never executed.

Only a bool literal counts. Everything else scores 0 for that statement with the reason, so
``None``, ``"True"``, ``1`` and ``not False`` each get their own message.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ..dynamic_code import SHELL_RUNNERS, rebinds_shell
from ..magics import (IPYTHON_TURNS, as_explicit, as_python_reads, automagic, cleaned, crlf_as_lf, expansions, ipython_text,
                      line_offset, magic_line_count, magic_uses, makes_magic, reaches_shell, read_by_guess, scan_text, without_magics)
from ..results import CheckResult
from .context import Context, failed, verdict
from .magic_lines import DOORS, PURE, assigned_names, automagic_set, dunder, magic_set, timed_statement
from .stops import AWAIT, BARRY, Magics, awaits, features_at, first_stop, magic_lines, parse, skipped, unsure

_MISSING = object()
_ELSEWHERE = object()     # set again where the syntax tree cannot tell the value


def plan(task, ctx: Context):
    return []


def reference_jobs(task, ctx: Context):
    return []


def _pairs(target: ast.expr, value: ast.expr):
    if isinstance(target, ast.Name):
        yield target.id, value
    elif isinstance(target, (ast.Tuple, ast.List)):
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
            for t, v in zip(target.elts, value.elts):
                yield from _pairs(t, v)
        else:
            for t in target.elts:
                if isinstance(t, ast.Name):
                    yield t.id, None     # unpacked from something computed
    if isinstance(target, (ast.Tuple, ast.List)):
        for t in target.elts:           # `a_, *c_ = ...`: c_ is a list (a seventieth review read it as a bool)
            if isinstance(t, ast.Starred) and isinstance(t.value, ast.Name):
                yield t.value.id, None


def read_answers(source: str, names: list[str], shadowed: frozenset = frozenset(),
                 flags: int = 0, reading: _Reading | None = None) -> tuple[dict[str, object], str]:
    """Map each name to its last top-level assigned expression (None: computed). '' or an error.
    ``flags``: the `__future__` features in force when the cell starts (`stops.features_at`);
    ``reading``: the cell already read under them (`_readable`), else it is read here."""
    otherwise = _not_run_as_read(source)
    if otherwise:
        return {}, otherwise
    try:
        reading = reading or _reading(source, flags)
    except SyntaxError as exc:
        if flags & BARRY and _parses(source):
            return {}, ("a cell above imports `barry_as_FLUFL` from `__future__`, which IPython keeps for every "
                        "later cell: `!=` is a syntax error here then, and Jupyter runs none of this cell; remove "
                        "that import")
        return {}, f"the cell has a syntax error (line {exc.lineno}: {exc.msg}), so no answer can be read"
    except (ValueError, RecursionError, MemoryError):
        return {}, "the cell cannot be read (a null byte, or expressions nested too deeply); write plain assignments"
    tree, magics, stops = reading.tree, reading.magics, reading.stops
    found: dict[str, object] = {}
    top: set[int] = set()             # the Name nodes of top-level assignments (read below)
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                top |= {id(n) for n in ast.walk(target) if isinstance(n, ast.Name)}
        elif _walrus(node):
            top.add(id(node.value.target))
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name, value in _pairs(target, node.value):
                    found[name] = value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            found[node.target.id] = node.value
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            found[node.target.id] = None
        elif _walrus(node):
            # `(a_ := True)` as a statement assigns as `a_ = True` does (a ninety-third review read "`a_` is
            # not assigned"); one inside another expression stays computed (below).
            found[node.value.target.id] = node.value.value
    # A name the cell binds anywhere else too (inside `if`, as a loop variable, with `:=`, by an
    # import or a def) may hold something else when the cell has run: it is computed (a forty-fifth
    # review: the grader read True where Jupyter ended with False).
    for n in _bound_elsewhere(tree, top):
        if n in found:
            found[n] = _ELSEWHERE
    last = dict(found)
    found.update(before_stop(tree, names, stops.on))
    found.update(dict.fromkeys(_undecided(tree, names, stops, last), _ELSEWHERE))
    setters = writers(source, list(found), tree) | magic_set(source, list(found), tree, shadowed)
    found = {n: _ELSEWHERE if n in setters else v for n, v in found.items()}
    found.update(dict.fromkeys(automagic_set(source, names) if magics.texts else (), _ELSEWHERE))
    return {n: found.get(n, _MISSING) for n in names}, ""


def _not_run_as_read(source: str) -> str:
    """Why Jupyter runs none of the cell's assignments as the grader would read them ('' for no such
    reason): a cell of one line that starts with a magic's name runs as that magic, and a cell too long
    for its magic lines to be read as IPython reads them is read by guess (a two-hundred-and-twenty-fifth
    review padded one so, and one past 500 such lines, which IPython refuses to run at all)."""
    name = automagic(source)
    if name:
        return (f"the cell is one line that starts with `{name}`, the name of an IPython magic: Jupyter runs such a "
                f"cell as the magic `%{name}` (automagic), not as Python, so none of its assignments run; put each "
                f"answer on a line of its own")
    if not read_by_guess(source):
        return ""
    lines = cleaned(source).split("\n")
    turns = magic_line_count(lines)
    if turns >= IPYTHON_TURNS:
        return (f"the cell has {turns} magic, shell or help lines, and IPython refuses to run a cell with "
                f"{IPYTHON_TURNS} of them, so none of its answers is set in Jupyter; write the answers as plain "
                f"assignments, without magics")
    # Past the budget each line is read on its own; that reading can differ from IPython's only where a
    # string or a `\` carries a line into the next (a 225th review closed a string with a `%pwd` line).
    if any(ln.count('"""') % 2 or ln.count("'''") % 2 or ln.endswith("\\") for ln in lines):
        return (f"the cell is too long ({len(source):,} characters) with its {turns} magic or shell line"
                f"{'s' if turns != 1 else ''} and a string over several lines for the grader to read it as IPython "
                f"does; keep the answers cell short, or write it without magics")
    return ""


def _builtins_rebound(ctx: Context, cell) -> frozenset:
    """The builtins of `PURE` a code cell above ``cell`` binds (`len = exec`): a call of one in the
    answers cell runs that cell's object. Read only where the answers cell has a magic line."""
    if without_magics(cell.source) == cell.source:
        return frozenset()
    out: set[str] = set()
    for c in ctx.nb.cells:
        # the letters as Python reads them: `ｌｅｎ = exec` binds `len` (review 248's run-up)
        if c.index >= cell.index or c.cell_type != "code" or \
                not any(name in as_python_reads(c.source) for name in _REBINDING_WORDS):
            continue
        try:
            tree = ast.parse(without_magics(c.source))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        out |= (_bound_elsewhere(tree, set()) | {n for node in tree.body for n in assigned_names(node)}
                | _stored_as_attribute(tree)) & PURE
    return frozenset(out)


# Words a cell must hold to rebind a builtin of `PURE`: one of their names, or a door to a namespace
# through which a computed name is stored (`globals()[k] = exec`).
_REBINDING_WORDS = PURE | {"globals", "vars", "locals", "__dict__", "modules", "setattr", "__setattr__", "__setitem__",
                           "update", "setdefault"}


def _stored_as_attribute(tree: ast.AST) -> set[str]:
    """Names a cell stores as an attribute or a key (`sys.modules['__main__'].format = ...`,
    `globals()['format'] = ...`, `setattr(m, 'format', ...)`, `vars(m).update(format=...)`), any of which
    may be the notebook's namespace (a two-hundred-and-forty-sixth review); all of `PURE` where the name
    stored is computed."""
    out: set[str] = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AugAssign, ast.AnnAssign)) else []
        for t in targets:
            for x in ast.walk(t):
                if isinstance(x, ast.Attribute):
                    out.add(x.attr)
                elif isinstance(x, ast.Subscript):
                    key = x.slice
                    out |= {key.value} if isinstance(key, ast.Constant) and isinstance(key.value, str) else \
                        set(PURE) if _namespace_like(x.value) else set()
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id == "setattr" or isinstance(f, ast.Attribute) and \
                    f.attr in ("__setattr__", "__setitem__", "setdefault"):
                at = 1 if isinstance(f, ast.Name) else 0
                key = node.args[at] if len(node.args) > at else None
                where = (node.args[0] if node.args else None) if isinstance(f, ast.Name) else f.value
                out |= {key.value} if isinstance(key, ast.Constant) and isinstance(key.value, str) else \
                    set(PURE) if where is None or _namespace_like(where) else set()
            elif isinstance(f, ast.Attribute) and f.attr == "update":
                out |= {k.arg for k in node.keywords if k.arg} | (set(PURE) if _namespace_like(f.value) and (
                    node.args or any(k.arg is None for k in node.keywords)) else set())
    return out


def _namespace_like(node: ast.AST) -> bool:
    """May this expression be a module's namespace (`globals()`, `vars(m)`, `m.__dict__`, `sys.modules[...]`)?
    A dict of the student's own (`history[epoch] = loss`) is not."""
    return any(isinstance(x, ast.Name) and x.id in (_NAMESPACES | _MODULE_NAMES | {"sys"}) or
               isinstance(x, ast.Attribute) and x.attr in ("__dict__", "modules", "f_globals", "f_locals", "__globals__")
               for x in ast.walk(node))


def _parses(source: str) -> bool:
    try:
        parse(source)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def _shows_only(expr: str) -> bool:
    """A `{...}` of a shell line that only shows values (`!echo {[a_, b_]}`, `{1+1}`: a fairness review)."""
    try:
        node = ast.parse(expr.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return all(isinstance(n, (ast.Constant, ast.Name, ast.Load, ast.Tuple, ast.List, ast.BinOp, ast.operator,
                              ast.UnaryOp, ast.unaryop, ast.Compare, ast.cmpop, ast.BoolOp, ast.boolop, ast.JoinedStr,
                              ast.FormattedValue)) and not (isinstance(n, ast.Name) and n.id in DOORS)
               for n in ast.walk(node))


def _bound_below(source: str) -> set[str]:
    """Every name a cell binds or deletes other than by a top-level assignment (which is read)."""
    try:
        tree = ast.parse(without_magics(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    top = {id(n) for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
           for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
           for n in ast.walk(t) if isinstance(n, ast.Name)}
    return _bound_elsewhere(tree, top)


def _walrus(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.NamedExpr) and \
        isinstance(node.value.target, ast.Name)


def _bound_elsewhere(tree: ast.AST, top: set[int]) -> set[str]:
    out: set[str] = set()
    # A comprehension's variable and a class body's assignment bind no name of the notebook's (a fairness
    # review, 265: `print([a_ for a_ in "xy"])` and `class Answers: a_ = False` cost `a_`); a `:=` in a
    # comprehension still does, and so does what the grader reads `%timeit` as (`class _timed_line`).
    own = {id(n) for c in ast.walk(tree) if isinstance(c, ast.comprehension) for n in ast.walk(c.target)}
    own -= {id(n.target) for n in ast.walk(tree) if isinstance(n, ast.NamedExpr)}   # even in a target (review 266)
    own |= {id(n) for c in ast.walk(tree) if isinstance(c, ast.ClassDef) and c.name != "_timed_line"
            for stmt in c.body if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign))
            for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]) for n in ast.walk(t)
            if not (isinstance(n, ast.Name) and n.id in {g for s in c.body if isinstance(s, ast.Global) for g in s.names})}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)) and id(node) not in top \
                and id(node) not in own:
            out.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
            if not isinstance(node, ast.ClassDef) and any(isinstance(n, ast.ClassDef) and n.name == "_timed_line"
                                                          for n in ast.walk(node)):
                # A `%timeit` line in a function copies the function's names, its arguments too,
                # into the notebook's (IPython's timeit; a two-hundred-and-first review set all five
                # answers so, by arguments' defaults, with a timed statement that raised).
                a = node.args
                out |= {x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if x is not None}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            out.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)) and not any(node is n for n in getattr(tree, "body", ())):
            out |= set(node.names)          # `global a_, ...` at the top level binds nothing (a fairness review)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            out.add(node.name)                      # `case (a_, b_):` binds by name (a forty-seventh review)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            out.add(node.rest)
    return out


# Code that sets names without naming them as targets: exec("a_ = False"), globals().update(...).
# Also IPython's namespace and the module the cell runs in (a seventieth review: get_ipython().user_ns[...]
# and sys.modules['__main__'].b_ = ... set the answers Jupyter ends with). Read from the syntax tree:
# a comment "test accuracy (model.eval() in test)" or a print of globals()['a_'] set nothing, and had
# cost all ten points (an eighty-second review).
_WRITERS = {"exec", "setattr", "delattr", "__import__", "get_ipython", "compile", "import_module"}
_NAMESPACES = {"globals", "locals", "vars"}
_MODULE_NAMES = {"builtins", "__builtins__", "__main__", "user_ns"}
_READERS = {"items", "keys", "values", "get", "copy"}
# Modules of Python's own that run code handed to them as text, in the notebook's namespace or one that can
# import it (a two-hundred-and-forty-sixth review: `cProfile.run('a_, ... = <wrong>')`, also `profile.run`,
# `trace.Trace().run`); named as a module or imported, they can set any name.
# An import alone runs nothing (a fairness review, 249: `from timeit import default_timer` cost the answers):
# the names it binds count where the cell uses them, and so do the runners' own attributes, under any name.
_TEXT_RUNNERS = {"cProfile", "profile", "trace", "pdb", "bdb", "runpy", "code", "codeop", "doctest", "timeit",
                 # ... and bytes: a pickle names any function to call (review 264: `builtins.exec` by opcode)
                 "pickle", "_pickle", "cloudpickle", "dill", "shelve", "copyreg"}
_RUNNER_NAMES = {"cProfile", "pdb", "bdb", "runpy", "doctest"}          # no everyday variable has these names
_RUNNER_ATTRIBUTES = {"runctx", "runcall", "runsource", "runcode", "run_path", "run_module", "runeval",
                      "run_docstring_examples", "timeit", "Timer", "InteractiveInterpreter", "InteractiveConsole",
                      "interact", "Trace"}
_HARMLESS_FROM_RUNNERS = {"default_timer"}       # `time.perf_counter`
# Attributes through which a name is set: frames' namespaces, IPython's shell (an eighty-eighth review:
# IPython.get_ipython().push({...}), .run_cell('a_ = False'), importlib.import_module(__name__).a_).
_NAMESPACE_ATTRIBUTES = {"__setattr__", "__setitem__", "__globals__", "f_globals", "f_locals", "__builtins__",
                         "__self__",    # a builtin's `__self__` is the builtins module (review 264: `print.__self__.exec`)
                         "get_ipython", "user_ns", "push", "run_cell", "run_line_magic", "run_cell_magic",
                         "import_module"} | SHELL_RUNNERS | {"events"}   # `shell.ex(...)`, `shell.events.register(...)`


def dynamic_write(tree: ast.AST) -> str:
    """The first construct that can set a name without naming it as a target, as
    '`exec(...)` on line 7' ('' for none)."""
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def said(node: ast.AST, what: str) -> str:
        return f"`{what}` on line {getattr(node, 'lineno', '?')}"

    rebound = rebinds_shell(tree)
    if rebound is not None:
        return said(rebound, "get_ipython") + " (bound in the cell: every magic line calls it)"
    runners: dict[str, str] = {}        # names the cell binds to a module that runs text, or to one of its runners
    modules = set(_KNOWN_MODULES)       # names that may be modules: those the cell imports, and Python's own
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules |= {(a.asname or a.name).split(".")[0] for a in node.names}
        if isinstance(node, ast.Import):
            runners.update({(a.asname or a.name).split(".")[0]: a.name for a in node.names
                            if a.name.split(".")[0] in _TEXT_RUNNERS})
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level \
                and node.module.split(".")[0] in _TEXT_RUNNERS:
            if any(a.name == "*" for a in node.names):
                return said(node, f"from {node.module} import *")
            runners.update({a.asname or a.name: a.name for a in node.names if a.name not in _HARMLESS_FROM_RUNNERS})
    _may_hold_modules(tree, modules)
    strings = _string_values(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "import_module" and node.args and _plain_names(node.args[0], strings):
                continue                                # `import_module("numpy")`: an import (fairness review 259)
            if node.func.id in _WRITERS:
                return said(node, f"{node.func.id}(...)")
            # eval evaluates an expression: only a `:=` in it assigns. Text it is handed literally is
            # read here; computed text is flagged for a TA (`evaluated`), not counted against the
            # answers (`print(f"{eval(n + '_')}")` had cost all ten points: an eighty-eighth review).
            if node.func.id == "eval" and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str) and ":=" in node.args[0].value:
                return said(node, "eval(...)")
            if node.func.id in _NAMESPACES and not _only_read(node, parents, modules, strings) and \
                    not _handed_to_runner(node, parents, runners):
                return said(node, f"{node.func.id}()")
            # an attribute looked up by a computed name may be any door (a two-hundred-and-fifty-third review:
            # `getattr(sys, 'mod' + 'ules')['__ma' + 'in__'].a_ = ...`)
            # ... of a module (`getattr(model, f'linear{i}')` reads a layer: a fairness review, 256)
            if node.func.id == "getattr" and not (len(node.args) >= 2 and _plain_names(node.args[1], strings)) \
                    and (not node.args or _module_like(node.args[0], modules)):
                name = node.args[1] if len(node.args) >= 2 else None
                return said(node, f"getattr(..., {name.value!r})" if isinstance(name, ast.Constant)
                            else "getattr(...) of a computed name")
            if node.func.id == "attrgetter" and not (node.args and all(
                    isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)):
                return said(node, "attrgetter(...) of a computed name")
        elif isinstance(node, ast.Attribute):
            if node.attr == "__dict__" and not _only_read(node, parents, modules, strings):
                return said(node, "__dict__")
            up = parents.get(id(node))
            if node.attr == "import_module" and isinstance(up, ast.Call) and up.func is node and up.args \
                    and _plain_names(up.args[0], strings):
                continue
            if node.attr in _NAMESPACE_ATTRIBUTES:
                return said(node, node.attr)
            # a writer called as an attribute, of whatever object holds it (review 264: `abs.__self__.globals()`);
            # `model.eval()` evaluates nothing, and `compile` only compiles
            call = up if isinstance(up, ast.Call) and up.func is node else None
            if node.attr in (_WRITERS - {"compile", "import_module"}) | _NAMESPACES or \
                    node.attr == "eval" and call is not None and (call.args or call.keywords):
                return said(node, f".{node.attr}")
            if node.attr in _RUNNER_ATTRIBUTES and not _runs_shown_code(node, parents, node.attr):
                return said(node, f"{ast.unparse(node)[:40]}")
            # sys.modules under any name (`import sys as s`, `os.sys`: review 253), except asked whether it
            # holds a module.
            # ... or read by a name written out (`sys.modules['numpy'].__version__`: a fairness review, 256)
            call = parents.get(id(up))
            if node.attr == "modules" and not isinstance(up, ast.Compare) and not (
                    isinstance(up, ast.Subscript) and up.value is node and isinstance(up.ctx, ast.Load)
                    and _plain_names(up.slice, strings)) and not (          # ... or `.get(...)` (review 262)
                    isinstance(up, ast.Attribute) and up.attr == "get" and isinstance(call, ast.Call)
                    and call.func is up and call.args and _plain_names(call.args[0], strings)):
                return said(node, f"{ast.unparse(node.value)[:30]}.modules")
            if node.attr in ("__getattribute__", "attrgetter"):
                return said(node, node.attr)
        elif isinstance(node, ast.Name) and node.id in _WRITERS and isinstance(node.ctx, ast.Load) and not (
                isinstance(parents.get(id(node)), ast.Call) and parents[id(node)].func is node):
            return said(node, node.id)                 # `f = setattr`, then `f(m, 'a_', False)`
        elif isinstance(node, ast.Name) and (node.id in _MODULE_NAMES or (
                node.id == "__name__" and not isinstance(parents.get(id(node)), ast.Compare))):
            return said(node, node.id)                 # m[__name__]: the module the cell runs in
        elif isinstance(node, ast.Name) and (node.id in _RUNNER_NAMES or node.id in runners and isinstance(
                node.ctx, ast.Load)):
            up = parents.get(id(node))
            if isinstance(up, ast.Attribute) and up.attr in _HARMLESS_FROM_RUNNERS or \
                    _runs_shown_code(node, parents, runners.get(node.id, "")) or \
                    isinstance(up, ast.Attribute) and _runs_shown_code(up, parents, up.attr):
                continue
            return said(node, f"{node.id}.{up.attr}" if isinstance(up, ast.Attribute) else node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            if any(n.split(".")[0] in _MODULE_NAMES for n in names):
                return said(node, "import " + next(n for n in names if n.split(".")[0] in _MODULE_NAMES))
            if isinstance(node, ast.ImportFrom) and node.module in ("sys", "IPython", "importlib") and any(
                    a.name in ("modules", "get_ipython", "import_module") for a in node.names):
                return said(node, f"from {node.module} import ...")
        elif isinstance(node, ast.Constant) and node.value in ("__main__", "builtins") and \
                not isinstance(parents.get(id(node)), ast.Compare):
            return said(node, f"{node.value!r}")       # importlib.import_module("__main__"); not `__name__ == ...`
    return ""


# timeit's runners run their text in a namespace of their own; `cProfile.run`, `pdb.run`, `trace`'s and
# `profile`'s run it in the notebook's, where what it binds is bound.
_OWN_NAMESPACE = {"timeit", "repeat", "Timer"}
# Runners whose text is their arguments (not a file's path, nor docstrings found elsewhere: `run_path`,
# `testmod`).
_TEXT_ARGUMENTS = _OWN_NAMESPACE | {"run", "runctx", "runeval", "runsource", "runcode"}
_BINDS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler,
          ast.MatchAs, ast.MatchStar, ast.MatchMapping, ast.NamedExpr, ast.Global, ast.Nonlocal)


def _runs_shown_code(func: ast.expr, parents: dict[int, ast.AST], name: str) -> bool:
    """Is ``func`` (a runner called ``name``) called with code the cell shows, which sets no name (a
    fairness review, 252: `timeit.timeit('1+1', number=10)` cost the answers)? Strings that parse to code
    that sets no name otherwise and declares none global (nor binds any, run in the notebook's namespace),
    lambdas (read with the rest of the cell), numbers and bools; any other argument may be code the grader
    cannot read."""
    call = parents.get(id(func))
    if not isinstance(call, ast.Call) or call.func is not func or name.split(".")[-1] not in _TEXT_ARGUMENTS:
        return False
    own = name.split(".")[-1] in _OWN_NAMESPACE and not any(k.arg in ("globals", None) for k in call.keywords)
    handed = [k.value for k in call.keywords if k.arg in ("globals", "locals") and isinstance(k.value, ast.Call)
              and isinstance(k.value.func, ast.Name) and k.value.func.id in ("globals", "locals") and not k.value.args]
    for arg in [*call.args, *(k.value for k in call.keywords if not any(k.value is h for h in handed))]:
        if isinstance(arg, ast.Lambda) or isinstance(arg, ast.Constant) and isinstance(arg.value, (int, float, bool)):
            continue
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            return False
        try:
            inner = ast.parse(arg.value)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
        if dynamic_write(inner) or evaluated(inner) or any(isinstance(n, (ast.Global, ast.Nonlocal)) for n in ast.walk(inner)):
            return False
        if not own and any(isinstance(n, _BINDS) or isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
                           for n in ast.walk(inner)):
            return False
        # an object's attribute or item stored, in the notebook's namespace: the object may be the notebook's
        # module (review 253); timeit's own namespace holds no object of the notebook's
        if not own and any(isinstance(n, (ast.Attribute, ast.Subscript)) and not isinstance(n.ctx, ast.Load)
                           for n in ast.walk(inner)):
            return False
    return True


def evaluated(tree: ast.AST) -> str:
    """An eval of computed text ('' for none): what it runs is not known before it runs."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "eval" \
                and node.args and not isinstance(node.args[0], ast.Constant):
            return f"`eval(...)` on line {node.lineno}"
    return ""


# Modules of Python's own through whose namespace another module (the notebook's) may be reached.
_KNOWN_MODULES = {"sys", "os", "gc", "builtins", "importlib", "types", "inspect", "operator", "functools", "threading",
                  "weakref", "site", "io", "ctypes", "__main__", "__builtins__", "IPython", "ipykernel"}


def _module_like(node: ast.AST, modules: set[str]) -> bool:
    """May this expression be a module (in whose namespace `sys.modules`, so the notebook's own, may be)?
    ``modules``: the names that may be bound to one. An object of the student's is not."""
    if isinstance(node, ast.Name):
        return node.id in modules
    if isinstance(node, (ast.Attribute, ast.Subscript)):
        return getattr(node, "attr", "") == "modules" or _module_like(node.value, modules)
    if isinstance(node, ast.Call):
        f = node.func
        return isinstance(f, ast.Name) and f.id in ("__import__", "import_module", "vars", "getattr") or \
            isinstance(f, ast.Attribute) and f.attr in ("import_module", "get")
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return any(_module_like(e, modules) for e in node.elts)
    if isinstance(node, (ast.Starred, ast.NamedExpr)):
        return _module_like(node.value, modules)
    if isinstance(node, ast.IfExp):
        return _module_like(node.body, modules) or _module_like(node.orelse, modules)
    if isinstance(node, ast.BoolOp):
        return any(_module_like(v, modules) for v in node.values)
    return False


def _may_hold_modules(tree: ast.AST, modules: set[str]) -> None:
    """Add to ``modules`` the names the cell binds to what may be a module (`x = sys`, `for x in [sys]`,
    `(x := sys)`), every parameter of its functions and lambdas (`(lambda o: getattr(o, k))(sys)`) and the
    names it reads without binding them."""
    params = {a.arg for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
              for a in [*n.args.posonlyargs, *n.args.args, *n.args.kwonlyargs, n.args.vararg, n.args.kwarg]
              if a is not None}
    # a name the cell reads and does not bind comes from an earlier cell, which may have imported it (review
    # 258: `torch.__dict__['s' + 'ys']`, torch imported above)
    bound = _bound_elsewhere(tree, set()) | params
    free = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound
    modules |= params | free
    for _ in range(4):                  # chains of assignments, a few deep
        before = len(modules)
        for n in ast.walk(tree):
            pairs = [(t, n.value) for t in n.targets] if isinstance(n, ast.Assign) else \
                [(n.target, n.value)] if isinstance(n, (ast.AnnAssign, ast.NamedExpr, ast.AugAssign)) and n.value else \
                [(n.target, n.iter)] if isinstance(n, (ast.For, ast.AsyncFor, ast.comprehension)) else \
                [(i.optional_vars, i.context_expr) for i in n.items if i.optional_vars] if isinstance(n, (ast.With, ast.AsyncWith)) else []
            for target, value in pairs:
                if _module_like(value, modules):
                    modules |= {x.id for x in ast.walk(target) if isinstance(x, ast.Name)}
        if len(modules) == before:
            return


def _handed_to_runner(node: ast.AST, parents: dict[int, ast.AST], runners: dict[str, str]) -> bool:
    """`globals()` handed to a runner as its namespace (`timeit.timeit('m(x)', globals=globals())`: a
    fairness review, 256) whose text the cell shows and which neither binds nor stores anything."""
    word = parents.get(id(node))
    call = parents.get(id(word))
    if not (isinstance(word, ast.keyword) and word.arg in ("globals", "locals") and isinstance(call, ast.Call)):
        return False
    f = call.func
    name = f.attr if isinstance(f, ast.Attribute) else runners.get(f.id, "") if isinstance(f, ast.Name) else ""
    return bool(name) and _runs_shown_code(f, parents, name)


# Names whose lookup by a computed name reaches a door (the notebook's module, a runner, the builtins).
_DOOR_WORDS = {"modules", "exec", "eval", "compile", "getattr", "setattr", "delattr", "globals", "locals", "vars",
               "import_module", "sys", "builtins", "get_ipython", "system", "run_cell", "user_ns", "os", "importlib",
               "gc", "inspect", "reload", "main"}


# Attributes written out that lead to a namespace or to code (as `m.__dict__` does where it is not only read).
_DOOR_ATTRIBUTES = {"__dict__", "__builtins__", "__import__", "__getattribute__", "__globals__", "__setattr__",
                    "__setitem__", "__main__", "__loader__", "__spec__", "__class__", "__self__", "__func__", "__code__",
                    "__closure__", "__subclasses__", "__mro__", "__bases__", "__base__", "__init__", "__reduce__",
                    "__reduce_ex__", "__call__", "__get__"} | _NAMESPACE_ATTRIBUTES | _WRITERS


def _string_values(tree: ast.AST) -> dict[str, set[str]]:
    """The strings a name can hold where the cell binds it only as a loop variable over literal strings
    (`for name in ["zeros", "ones"]`) or to one literal string: looked up by such a name, a module's
    attribute is one of those (a fairness review, 259). Bound in any other way too (a `match` capture: a
    two-hundred-and-sixty-first review; an import, a parameter, `except ... as`, `global`), it may hold
    anything."""
    values: dict[str, set[str]] = {}
    accepted: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name) and \
                isinstance(node.iter, (ast.List, ast.Tuple, ast.Set)) and node.iter.elts and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.iter.elts):
            values.setdefault(node.target.id, set()).update(e.value for e in node.iter.elts)
            accepted.add(id(node.target))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and \
                isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            values.setdefault(node.targets[0].id, set()).add(node.value.value)
            accepted.add(id(node.targets[0]))
    other = _bound_elsewhere(tree, accepted) | {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    other |= {n.target.id for n in ast.walk(tree) if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)}
    return {n: v for n, v in values.items() if n not in other}


def _plain_names(node: ast.AST, strings: dict[str, set[str]]) -> bool:
    """Is ``node`` a string that names no door (`getattr(m, "__version__")` reads as `m.__version__`: a
    fairness review, 262), or a name holding one of some strings (`_string_values`), none of which is a
    door's name or starts with `_`?"""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value not in _DOOR_ATTRIBUTES and node.value.lower() not in _DOOR_WORDS
    found = strings.get(node.id) if isinstance(node, ast.Name) else None
    return bool(found) and not any(v.startswith("_") or v.lower() in _DOOR_WORDS for v in found)


def _only_read(node: ast.AST, parents: dict[int, ast.AST], modules: set[str] = frozenset(),
               strings: dict[str, set[str]] | None = None) -> bool:
    """``globals()`` (or ``x.__dict__``) used where nothing can write through it: indexed to read,
    printed, looked into with ``in``, or asked for its items, keys, values or a copy."""
    parent = parents.get(id(node))
    if isinstance(parent, ast.Subscript) and parent.value is node:
        # another object's namespace read by a computed key may hand out any door (review 253's run-up:
        # `vars(sys)['mod' + 'ules']['__ma' + 'in__'].a_ = ...`)
        owner = node.value if isinstance(node, ast.Attribute) else node.args[0] if isinstance(node, ast.Call) \
            and node.args else None
        other = owner is not None and _module_like(owner, modules)   # `vars(args)[k]` reads a setting (review 256)
        return isinstance(parent.ctx, ast.Load) and not isinstance(parents.get(id(parent)), ast.AugAssign) \
            and not (other and not _plain_names(parent.slice, strings or {}))
    if isinstance(parent, ast.Call) and node in parent.args and isinstance(parent.func, ast.Name) and \
            parent.func.id in ("print", "len", "sorted", "list", "dict", "repr", "str"):
        return True
    if isinstance(parent, ast.Compare) and node in parent.comparators:
        return True
    return (isinstance(parent, ast.Attribute) and parent.attr in _READERS
            and isinstance(parents.get(id(parent)), ast.Call) and parents[id(parent)].func is parent)


# Magics that set names Jupyter ends with: %run -i, %reset, %store -r, %%capture NAME (an eighty-fourth review).
_NAMING_NAMES = ("run", "reset", "reset_selective", "store", "macro", "load", "rerun", "recall", "xdel", "sc")
_NAMING_MAGIC = re.compile(rf"(%(?:{'|'.join(_NAMING_NAMES)})\b|%%capture\b|"
                           # `%sc a_=echo x`, `%%bash --out a_` (a two-hundred-and-twenty-eighth review)
                           r"%%\w+(?=[^\n]*\s--(?:out|err|proc)\b))(?=(.*))")
# ... also inside another magic, which runs it, or assigned (`%time %run x.py`, `r = %run x.py`: a
# two-hundred-and-eleventh review set the five answers otherwise so, 10/10 as written, unflagged), to
# any target IPython assigns (`o.x = %run x.py`, a two-hundred-and-fourteenth), on a line that continues
# a bracket too (a two-hundred-and-fifteenth: `magic_uses`).
# The same written out as IPython's calls (`get_ipython().run_line_magic('run', '-i x.py')`), read
# as those magics since the two-hundred-and-sixth review; and `alias_magic` in any form, which makes
# a magic of another name run a statement (a two-hundred-and-eighth review set the five answers
# otherwise in Jupyter through `%t`, an alias of `%time`).
_NAMING_CALL = re.compile(r"""\brun_(line|cell)_magic\(\s*(['"])(run|reset|reset_selective|store|macro|load|rerun|"""
                          r"""recall|xdel|capture)\2(?:\s*,\s*(['"])(.*?)\4)?""")


def _magic_write(source: str, names=None) -> str:
    """A magic that can set one of ``names`` (any name when None), as '`%run` on line 3'. `%%capture
    cap` or `%reset_selective -f xyz` set other names only (an eighty-eighth review: they had cost
    all ten points)."""
    for at, magic, args in _naming_magics(source):
        words = [a for a in args if not a.startswith("-")]
        if magic in ("%capture", "%alias_magic"):
            hit = True                              # `run_line_magic('capture', ...)`: no such line magic, a stop
        elif magic == "%%capture":
            hit = bool(words) and (names is None or words[-1] in names)
        elif magic == "%xdel":                      # deletes every name of the object it is given: `True` is one
            hit = True
        elif magic == "%store":                     # `%store a_` saves it; only `-r` sets names (a fairness review)
            hit = "-r" in args
        elif magic == "%reset_selective":
            try:
                hit = names is None or not words or any(re.search(words[-1], n) for n in names)
            except re.error:
                hit = True
        else:
            hit = True
        if hit:
            return f"`{magic}` on line {source.count(chr(10), 0, at) + 1}"
    return ""


def _naming_magics(source: str) -> list[tuple[int, str, str]]:
    """(offset, magic, arguments) of each magic of `_NAMING_MAGIC` in the cell, as a line or a call."""
    found = [(at, m.group(1), m.group(2).split()) for at, m in magic_uses(source, _NAMING_MAGIC)]
    if "_magic" in source:
        found += [(m.start(), ("%" if m.group(1) == "line" else "%%") + m.group(3), (m.group(5) or "").split())
                  for m in _NAMING_CALL.finditer(source)]
    turned = ipython_text(source)               # `,get_ipython().run_line_magic reset -f` (review 218)
    if "_magic" in turned:
        found += [(line_offset(source, turned.count("\n", 0, m.start())), ("%" if m.group(1) == "line" else "%%")
                   + m.group(3), (m.group(5) or "").split()) for m in _NAMING_CALL.finditer(turned)]
    if "%" in source:               # `%time run x.py` runs `%run` (automagic: a two-hundred-and-forty-eighth review)
        for i, line in enumerate(cleaned(source).split("\n")):
            stmt = timed_statement(line) if "%" in line else None
            name = automagic(stmt) if stmt else None
            if name in _NAMING_NAMES:
                found.append((line_offset(source, i), "%" + name, stmt.split()[1:]))
    named = scan_text(source)       # `IPython.ｃore` is `IPython.core` (a 225th review); no comments
    made = makes_magic(named)       # an alias made (`x = %alias_magic t time`) runs what it stands for
    if made is not None and "alias_magic" in made.group():
        found.append((line_offset(source, named.count("\n", 0, made.start())), made.group(), []))
    return sorted(found, key=lambda f: f[0])


def shell_reached(source: str) -> str:
    """A sign that the cell makes a magic of its own or reaches IPython's shell ('' for none), as
    '`InteractiveShell` on line 3'. Answers on plain lines are read before any of it runs, and a magic
    line's answers need a cell without it (`magic_set`): it is for a TA to read (a fairness review:
    `%load_ext watermark`, `from IPython.core.display import HTML` had cost the five answers)."""
    named = scan_text(source)
    made = [m for m in (makes_magic(named), reaches_shell(named)) if m is not None]
    if not made:
        return ""
    first = min(made, key=lambda m: m.start())
    return f"`{first.group()}` on line {named.count(chr(10), 0, first.start()) + 1}"


def writers(source: str, names, tree: ast.AST | None = None) -> dict[str, str]:
    """Each of ``names`` that code of the cell can set without naming it as a target, with what
    does it ('`exec(...)` on line 7'); the cell is parsed once (``tree``: parsed already)."""
    if tree is None:
        try:
            tree = ast.parse(without_magics(source))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
    general = dynamic_write(tree) if tree is not None else ""
    if not general:
        # `!echo {get_ipython().user_ns.update(a_=...)}`: IPython runs the braces as Python while it
        # fills in the line (a hundred-and-ninety-second review: all five answers set otherwise, 10/10).
        filled = [(line, expr) for line, expr in expansions(source) if not _shows_only(expr)]
        general = f"Python in the shell or magic line on line {filled[0][0]} (IPython runs it as Python)" if filled else ""
    stored = _stored_as_attributes(tree, _modules_in(tree)) if tree is not None else {}
    said = {n: _magic_write(source, [n]) or general or stored.get(n, "") for n in names}
    return {n: what for n, what in said.items() if what}


def _modules_in(tree: ast.AST) -> set[str]:
    """The names that may hold a module in the cell (`_module_like`): Python's own, those it imports, reads
    from an earlier cell or assigns from one."""
    modules = set(_KNOWN_MODULES)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules |= {(a.asname or a.name).split(".")[0] for a in node.names}
    _may_hold_modules(tree, modules)
    return modules


def _stored_as_attributes(tree: ast.AST, modules: set[str]) -> dict[str, str]:
    """Names the cell stores as an attribute of what may be a module (`m.a_ = False`), with where: it may
    be the notebook's own, however the cell came by it (review 253 reached it by computed names); an object
    the cell made is not (`answers = SimpleNamespace()`, then `answers.a_ = a_`: a fairness review, 265)."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load) and _module_like(node.value, modules):
            out.setdefault(node.attr, f"`{ast.unparse(node)[:40]} = ...` on line {node.lineno} (an attribute of an "
                                      f"object that may be the notebook's module)")
    return out


def missing_why(source: str, name: str) -> str:
    """What the cell does with ``name`` instead of assigning it at its top level: compares it
    (`a_ == True`), assigns another spelling (`A_ = True`) or assigns it inside a block."""
    try:
        tree = ast.parse(without_magics(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ""
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Compare) and \
                isinstance(node.value.left, ast.Name) and node.value.left.id == name:
            return f" (the cell compares `{name} == ...`, which assigns nothing: one `=` assigns)"
    for node in ast.walk(tree):
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name) and node.target.id == name:
            return " (it is assigned with `:=` inside another expression; assign it on a line of its own)"
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
        for t in targets:
            if isinstance(t, ast.Name) and t.id != name and t.id.lower() == name.lower():
                return f" (the cell assigns `{t.id}`; names are case-sensitive)"
            if isinstance(t, ast.Name) and t.id != name and t.id.strip("_") == name.strip("_"):
                # `e = False` for `e_` (a seventy-fourth review: the underscore was not named)
                return f" (the cell assigns `{t.id}`: the name ends with an underscore, `{name}`)"
            if isinstance(t, ast.Name) and t.id == name:
                return " (it is assigned only inside a block, e.g. an if or a function; assign it at the cell's top level)"
    return ""


def problem(name: str, value, source: str = "", shadowed: frozenset = frozenset(), flags: int = 0,
            reading: _Reading | None = None) -> str:
    """'' for a bool literal, else why the value does not count (``reading``: ``source`` read under
    ``flags``, where the caller has it)."""
    if value is _MISSING:
        return (f"`{name}` is not assigned{missing_why(source, name) if source else ''}; "
                f"write `{name} = True` or `{name} = False`")
    if value is _ELSEWHERE:
        otherwise = (automagic_set(source, [name]) | magic_set(source, [name], shadowed=shadowed)).get(name, "") \
            if source else ""
        construct = writers(source, [name]).get(name, "") if source else ""
        if otherwise and not construct:
            return otherwise
        unsure_at = _unsure_at(reading or _readable(source, flags)) if source and not construct else 0
        if unsure_at:
            return (f"`{name}` is set more than once, and again on or below line {unsure_at}, a magic line whose code "
                    f"Python refuses or that stops, or a line that rebinds a name of Python's own (`__annotations__`): "
                    f"IPython may stop there or go on, so which value Jupyter ends with is not known; set it once, "
                    f"on a plain line: `{name} = True` or `{name} = False`")
        awaited = _awaited_at(source, flags) if source and not construct else 0
        if awaited:
            return (f"the cell awaits at its top level (line {awaited}), which IPython refuses as a syntax error, "
                    f"stopping the cell there, where autoawait is off (`%autoawait False`), so whether Jupyter ends "
                    f"with the `{name}` above that line or below it is not known; remove the `await` and set it once: "
                    f"`{name} = True` or `{name} = False`")
        if construct:
            return (f"`{name}` may be set again by {construct} (exec/globals() and the like can set any name), so "
                    f"its value after the cell runs is not the one written; remove that line and set it once: "
                    f"`{name} = True` or `{name} = False` (a print of your answers is fine)")
        return (f"`{name}` is also set elsewhere in the cell (inside a block, as a loop variable, with `:=`, by an "
                f"import, or by exec/globals()), so its value after the cell runs is not the one written; set it "
                f"once: `{name} = True` or `{name} = False`")
    if value is None:
        return f"`{name}` is computed; write the literal True or False"
    if isinstance(value, ast.Constant):
        v = value.value
        if isinstance(v, bool):
            return ""
        if v is None:
            return f"`{name}` is None, which counts as wrong; write True or False"
        if isinstance(v, str):
            return f"`{name}` is the string {v!r}; write True or False without quotes"
        accepted = isinstance(v, (int, float)) and v in (0, 1)     # what `a_ in [True, False]` lets pass
        return (f"`{name}` is {v!r}; write True or False, not a number" +
                (f" (the notebook's test cell accepts {v!r}, since {v!r} == {bool(v)!r} in Python; grading takes only "
                 f"True or False)" if accepted else ""))
    if isinstance(value, ast.Name) and value.id.lower() in ("true", "false"):
        python = value.id.capitalize()
        return f"`{value.id}` is not Python's `{python}` (a name nobody defined); write `{name} = {python}`"
    if isinstance(value, ast.Tuple) and len(value.elts) == 1 and isinstance(value.elts[0], ast.Constant) \
            and isinstance(value.elts[0].value, bool):
        # `a_ = True,`: a student's review read "computed (`(True,)`)" and did not see the comma.
        return (f"`{name}` is a tuple, `({value.elts[0].value!r},)`: the comma after {value.elts[0].value!r} makes "
                f"it one; remove the comma")
    try:
        shown = ast.unparse(value)[:60]
    except (RecursionError, ValueError):
        shown = "..."
    return f"`{name}` is computed (`{shown}`); write the literal True or False"


def before_stop(tree: ast.AST, names, stop: int | None) -> dict[str, ast.expr]:
    """Each of ``names`` set both above and below the cell's first statement that surely stops it
    (``stop``, from `first_stop`: `raise`, `1/0`, `return`, `exit()`), with the last value it was given
    above: what Jupyter ends with (a two-hundred-and-twenty-sixth review: the wrong answers, a stop,
    then the right ones, graded 10/10). A statement that only may raise (an undefined name, a failing
    import) is not followed: whether it raises is not known here, and honest drafts print or check
    their answers between two tries (fairness reviews)."""
    if stop is None:
        return {}
    after = {n for node in tree.body[stop:] for n in assigned_names(node)}     # the stop sets nothing either
    out: dict[str, ast.expr] = {}
    for node in tree.body[:stop]:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                out.update({n: v for n, v in _pairs(t, node.value) if n in names and n in after and v is not None})
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None \
                and node.target.id in names and node.target.id in after:
            out[node.target.id] = node.value
    return out


@dataclass(frozen=True)
class _Stops:
    """Where Jupyter may stop in a cell: the first plain statement it never gets past with IPython's
    autoawait on (as it starts) and off (`%autoawait False` anywhere before makes a top-level `await` a
    syntax error: review 236), and where a magic's code may stop it or not (`stops.unsure`)."""
    on: int | None
    off: int | None
    unsure: tuple[int, ...]

    @property
    def first(self) -> int | None:
        return min((i for i in (self.on, self.off) if i is not None), default=None)


def _stops_of(tree: ast.Module, magics: Magics, flags: int) -> _Stops:
    on = first_stop(tree, flags | AWAIT, magics)
    return _Stops(on, first_stop(tree, flags, magics) if awaits(tree) else on,
                  tuple(sorted({*(unsure(tree, flags, magics) if magics.texts else ()), *_rebinds_python(tree)})))


@dataclass(frozen=True)
class _Reading:
    """A cell's code as Jupyter runs it when it starts under given `__future__` features (`_read`), and
    where it may stop: read once for every question the grader asks of the answers cell (it was parsed
    and its magic lines aligned up to four times a notebook)."""
    tree: ast.Module
    magics: Magics
    caught: int
    stops: _Stops


def _reading(source: str, flags: int) -> _Reading:
    """SyntaxError and the like as `parse` raises them."""
    tree, magics, caught = _read(source, flags)
    return _Reading(tree, magics, caught, _stops_of(tree, magics, flags))


def _readable(source: str, flags: int) -> _Reading | None:
    """`_reading`, None where the cell cannot be read."""
    try:
        return _reading(source, flags)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _rebinds_python(tree: ast.Module) -> list[int]:
    """The statements that bind or delete a name of Python's own at the cell's top level: what runs below
    them may raise where it reads as a plain statement (review 243: `__annotations__ = 0`, then `z: int = 0`
    raised in Jupyter between two tries at the answers)."""
    out = []
    for i, node in enumerate(tree.body):
        names = set(assigned_names(node))
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Delete):
            names |= {x.id for t in node.targets for x in ast.walk(t) if isinstance(x, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        if any(dunder(n) for n in names):
            out.append(i)
    return out


def _read(source: str, flags: int) -> tuple[ast.Module, Magics, int]:
    """The cell's syntax tree as Jupyter runs it when it starts under ``flags`` (SyntaxError and the
    like as `parse` raises them): without the statements of `%time`'s code that follow one that stops
    it (the magic catches it and the cell goes on), with how its magic lines map to texts IPython
    compiles whole, and the line of such a stop (0: none)."""
    tree = parse(source, flags)
    magics = magic_lines(source)
    if not magics.texts:
        return tree, magics, 0
    skip, line = skipped(tree, flags, magics)
    if skip:
        tree = ast.Module([n for k, n in enumerate(tree.body) if k not in skip], [])
    return tree, magics, line


def _awaited_at(source: str, flags: int) -> int:
    """The line of the cell's first top-level statement that awaits (0: none)."""
    if "await" not in source and "async" not in source:
        return 0
    try:
        tree = parse(source, flags)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 0
    return next((node.lineno for node in tree.body if awaits(ast.Module([node], []))
                 and not isinstance(node, (ast.AsyncFunctionDef, ast.FunctionDef, ast.ClassDef))), 0)


def _unsure_at(reading: _Reading | None) -> int:
    """The line of the first magic's code in the cell that may stop it or not (0: none, or the cell
    cannot be read; `stops.unsure`)."""
    first = next(iter(reading.stops.unsure), None) if reading is not None else None
    return 0 if first is None else reading.tree.body[first].lineno


def _same(a, b) -> bool:
    return ast.dump(a) == ast.dump(b) if isinstance(a, ast.AST) and isinstance(b, ast.AST) else a is b


def _undecided(tree: ast.Module, names, stops: _Stops, found: dict) -> set[str]:
    """Those of ``names`` whose value Jupyter ends with the grader cannot tell: it depends on whether
    autoawait is on, or on how a magic runs code that may stop it (set more than once, with a value at or
    below that magic line)."""
    out = set()
    if stops.on != stops.off:
        first, other = before_stop(tree, names, stops.on), before_stop(tree, names, stops.off)
        out |= {n for n in set(first) | set(other) if not _same(first.get(n, found.get(n)), other.get(n, found.get(n)))}
    if stops.unsure:
        tries: dict[str, list[tuple[int, str]]] = {}
        for i, node in enumerate(tree.body):
            for t in (node.targets if isinstance(node, ast.Assign) else []):
                for n, v in _pairs(t, node.value):
                    if n in names:
                        tries.setdefault(n, []).append((i, ast.dump(v) if v is not None else f"computed {i}"))
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id in names:
                tries.setdefault(node.target.id, []).append(
                    (i, ast.dump(node.value) if node.value is not None else f"computed {i}"))
        out |= {n for n, ts in tries.items()
                if any(i >= stops.unsure[0] for i, _ in ts) and len({d for _, d in ts}) > 1}
    return out


def _named(c) -> str:
    """A cell as a student finds it in Jupyter, which shows no cell IDs (a fairness review, 245)."""
    first = next((ln.strip() for ln in crlf_as_lf(c.source).split("\n") if ln.strip() and not ln.strip().startswith("#")),
                 "")
    return f"the cell at position {c.index + 1}" + (f" (`{first[:40]}{'...' if len(first) > 40 else ''}`)" if first else "")


def _late(reading: _Reading | None, names) -> tuple[set[str], int, bool]:
    """Those of ``names`` the cell sets only at or below its first stop (either reading of `_Stops`),
    the stop's line, and whether the stop is sure (also with autoawait on, as it starts)."""
    if reading is None:
        return set(), 0, True
    tree, stops = reading.tree, reading.stops
    if stops.first is None:
        return set(), 0, True
    before = {n for node in tree.body[:stops.first] for n in assigned_names(node)}
    after = {n for node in tree.body[stops.first:] for n in assigned_names(node)}
    return (after - before) & set(names), tree.body[stops.first].lineno, stops.on == stops.first


def _set_above(ctx: Context, cell, names: set[str], shadowed: frozenset, at) -> dict[str, tuple[object, object, str]]:
    """Each of ``names`` a code cell above ``cell`` sets at its top level, with the value the last such
    cell gives it, that cell, and why the value is unknown ('' where it is known): a cell between may set
    it without naming it (exec, `for`, `:=`, `%store -r`) or cannot be read (``at``: the features in force
    as a cell starts). The template's own cells set none."""
    out: dict[str, tuple[object, object, str]] = {}
    doubt: dict[str, str] = {}          # name -> how the nearest cell between may set it otherwise
    provided = {ctx.template.checksum(t) for t in ctx.template.cells}
    for c in reversed([c for c in ctx.nb.cells if c.index < cell.index and ctx.nb.checksum(c) not in provided]):
        left = [n for n in sorted(names) if n not in out]
        if not left:
            break
        if c.cell_type != "code":
            continue
        # one line run as a magic (`store -r`: review 248), or as Python where a variable of its name
        # exists: read both ways (review 247 doubted every such line; `ls` cost the answers: review 249)
        source = as_explicit(c.source)
        text = as_python_reads(c.source)
        if source is not c.source:
            for n, why in (_as_python_sets(c.source, left) | writers(source, left)).items():
                doubt.setdefault(n, f"{_named(c)} between them may set it otherwise ({why})")
            continue
        if any(n in text for n in left):
            more, bad = read_answers(c.source, left, shadowed, at(c.index))
            if bad:                     # Jupyter may run what the grader cannot read (review 241)
                for n in left:
                    doubt.setdefault(n, f"the grader cannot read {_named(c)} between them, which Jupyter may run "
                                        f"otherwise ({bad[:80]})")
                continue
            out.update({n: (_ELSEWHERE, c, doubt[n]) if n in doubt else (more[n], c, "")
                        for n in left if more[n] is not _MISSING})
        for n, why in writers(c.source, left).items():
            doubt.setdefault(n, f"{_named(c)} between them may set it otherwise ({why})")
        for n in _bound_below(c.source) & set(left):
            doubt.setdefault(n, f"{_named(c)} between them binds it in a block, a loop, with `:=`, by an import "
                                f"or `del`")
    return out


def _as_python_sets(source: str, names) -> dict[str, str]:
    """Each of ``names`` a one-line cell that Jupyter runs as a magic (`automagic`) sets where it runs as
    Python instead (a variable of the magic's name exists), with how: none where Python refuses the line
    (`pinfo a_`: a fairness review, 252, read it as setting `a_`)."""
    try:
        tree = ast.parse(as_python_reads(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    bound = {x.id for x in ast.walk(tree) if isinstance(x, ast.Name) and not isinstance(x.ctx, ast.Load)}
    out = {n: f"it binds `{n}`" for n in names if n in bound | _bound_elsewhere(tree, set())}
    return writers(source, [n for n in names if n not in out], tree) | out


def _stopped_first(source: str, names, flags: int) -> tuple[int, str] | None:
    """(line, the statement) of a statement that surely stops the cell, when it starts under
    ``flags``, above its first assignment of one of ``names`` (None: none): a correction below a
    `raise` never runs (a two-hundred-and-twenty-eighth review graded one, flagged only `moved:`)."""
    try:
        tree, magics, _ = _read(source, flags)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    stop = first_stop(tree, flags, magics)
    if stop is None or any(assigned_names(node) & set(names) for node in tree.body[:stop]):
        return None
    node = tree.body[stop]
    lines = crlf_as_lf(source).split("\n")
    return node.lineno, lines[node.lineno - 1].strip()[:40] if node.lineno <= len(lines) else "..."


def _warn(ctx: Context, source: str, reading: _Reading | None, names: list[str], cell_id: str) -> None:
    """What the syntax tree shows that Jupyter would do differently from a plain reading (a
    student's review): a `raise` left from the template stops "Run All" there (flagged like a cell
    that raises), and a name set twice counts as set last."""
    if reading is None:
        return
    tree, magics, caught, stops = reading.tree, reading.magics, reading.caught, reading.stops
    if caught:
        ctx.detail(f"the True/False answers cell: line {caught} stops the code `%time` runs there; the magic shows "
                   f"the error and the cell goes on, without the rest of that code")
    computed = evaluated(tree)
    if computed and not dynamic_write(tree):
        # Graded as written; what the eval runs is for a TA to read (a student who writes one answer and
        # has Jupyter end with another must not go unseen: an eighty-eighth review).
        ctx.flag(f"exec:{cell_id}")
        ctx.detail(f"the True/False answers cell evaluates computed text ({computed}); the answers are graded as "
                   f"written, and a TA reads what it runs")
    at = stops.first
    stop = None if at is None else tree.body[at]
    reached = shell_reached(source)
    if reached:
        ctx.flag(f"exec:{cell_id}")
        ctx.detail(f"the True/False answers cell makes a magic of its own or reaches IPython's shell ({reached}), "
                   f"which can change what Jupyter ends with; the answers are graded as written, and a TA reads it")
    if stop is not None:
        after = sorted({n for node in tree.body[at:] if isinstance(node, (ast.Assign, ast.AnnAssign))
                        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                        for n, _ in _pairs(t, node.value if isinstance(node, ast.Assign) else t) if n in names}
                       - set(before_stop(tree, names, at)))
        # `%%time` catches what its body raises: Run All goes on, so a stop after the answers is no mistake
        # there (a fairness review, 245); one before them still leaves them unset
        if after or magics.texts.get(stop.lineno, (0, ""))[1] != "%%time":
            ctx.flag(f"raised:{cell_id}")    # the flag's help says it once (it was said twice: a student's review)
        if after:
            # The answers are read as written, but Jupyter never sets those after the stop (a
            # seventy-fourth review: the flag's "what it defined before the error" said otherwise).
            what = ("a shell command ending in `&`, which Jupyter refuses (\"Background processes not supported\"),"
                    if stop.lineno in magics.background
                    else "a `raise`" if isinstance(stop, ast.Raise) else "an endless loop" if isinstance(stop, ast.While)
                    else "a call that ends the program" if isinstance(stop, ast.Expr) and isinstance(stop.value, ast.Call)
                    else "`assert` of a false value" if isinstance(stop, ast.Assert)
                    else f"`{ast.unparse(stop).splitlines()[0][:40]}`, which Python refuses when Jupyter reaches it,")
            ctx.detail(f"the True/False answers cell: {what} on line {stop.lineno} comes before "
                       f"{', '.join(f'`{n}`' for n in after)}, so Jupyter never sets "
                       f"{'it' if len(after) == 1 else 'them'} and the notebook's own answer tests fail; delete "
                       f"line {stop.lineno} (your answers are graded as you wrote them)")
    seen: dict[str, int] = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AnnAssign, ast.AugAssign)) else []
        for target in targets:
            for name, _ in _pairs(target, node.value if isinstance(node, ast.Assign) else target):
                seen[name] = seen.get(name, 0) + 1
    kept = before_stop(tree, names, stops.on)   # said below: the value before the stop counts
    twice = [n for n in names if seen.get(n, 0) > 1 and n not in kept]
    if kept:
        ctx.detail(f"the True/False answers cell sets {', '.join(f'`{n}`' for n in kept)} again after line "
                   f"{tree.body[stops.on].lineno}, which stops the cell: Jupyter never gets there, so the value "
                   f"above it counts")
    if stops.unsure:
        line = tree.body[stops.unsure[0]].lineno
        ctx.flag(f"raised:{cell_id}")
        ctx.detail(f"the True/False answers cell: line {line} is a magic line whose code Python refuses or that "
                   f"stops, or rebinds a name of Python's own, and IPython may stop there or go on; write the answers "
                   f"on plain lines, each once, and delete line {line}")
    if twice:
        ctx.detail(f"cell '{cell_id}' sets {', '.join(f'`{n}`' for n in twice)} more than once: the last one "
                   f"counts")


def score(task, ctx: Context, outcomes, refs) -> list[CheckResult]:
    names = task.cfg["variables"]
    pts = float(task.cfg["points_each"])
    # Without its ID, the answers cell is the one assigning most of the variables.
    found = ctx.find_code(task.cfg["cell"], matcher=lambda c: sum(v is not _MISSING for v in
                                                                 read_answers(c.source, names)[0].values()) >= 2)
    if found.cell is None:
        return [failed(task, n, pts, f"the answers cell '{task.cfg['cell']}' is missing") for n in names]
    shadowed = _builtins_rebound(ctx, found.cell)
    at = features_at(ctx.nb.cells)          # `__future__` features in force as each cell starts
    reading = _readable(found.cell.source, at(found.cell.index))
    values, error = read_answers(found.cell.source, names, shadowed, at(found.cell.index), reading)
    if error and not ctx.untouched(found.cell, task.cfg["cell"]):
        return [failed(task, n, pts, error) for n in names]
    # Names the cell does not assign, assigned in code cells added right below it: Jupyter runs
    # them after it, so they count (the last assignment, as top to bottom), flagged for a TA.
    # ... and names they set again: Jupyter runs them later, so their value is the one the notebook
    # ends with (a forty-sixth review: `a_ = True  # corrected` below the cell was ignored).
    # Also past the provided answer tests below it: a correction at the notebook's end is the value
    # Jupyter ends with (a hundred-and-ninety-fifth review).
    # A cell below that may set an answer without naming it (exec, setattr, a magic of its own) is
    # flagged for a TA, and the answers stay as written: it had cost all ten points for `setattr(cfg,
    # k, v)`, `logging.getLogger(__name__)` or `%load_ext watermark` anywhere below (a fairness review).
    taken, sources, maybe, where = False, {}, [], {}
    # Answers the cell sets only below a statement that stops it: Jupyter ends with what a cell above set
    # (review 237: `%autoawait False` and the wrong five at the end of a provided cell, then `await` above
    # the right five, 10/10 unflagged); set nowhere above, they are graded as written (flagged `raised:`).
    # ... and those it does not set at all, set in a cell above (a fairness review, 240: the five answers in
    # a cell added above, the answers cell left as the template or holding a print, 0/10).
    late, line, sure = _late(reading, names)
    absent = set() if error else {n for n in names if values[n] is _MISSING}
    above: dict[str, list[str]] = {}
    doubted: dict[str, str] = {}                # why an answer read from above is unknown (said as it is)
    alike: dict[tuple[int, str], tuple[object, list[str]]] = {}   # left unknown alike: one message (`grader check`)
    for n, (value, c, why) in _set_above(ctx, found.cell, late | absent, shadowed, at).items():
        if sure or n in absent or _same(value, values.get(n, _MISSING)):
            values[n], sources[n], where[n] = value, c.source, c.index
            if why:
                alike.setdefault((c.index, why), (c, []))[1].append(n)
        else:
            values[n] = _ELSEWHERE              # the autoawait setting decides (said from the answers cell)
        ctx.flag(f"moved:{task.cfg['cell']}")
        if not why:                             # an unknown one is said in its check's message, not as known
            above.setdefault(_named(c), []).append(n)
    for (_, why), (c, these) in alike.items():
        one = len(these) == 1
        said = ", ".join(f"`{n}`" for n in these)
        doubted.update(dict.fromkeys(these, (
            f"{said} {'is' if one else 'are'} read from {_named(c)} above the True/False answers "
            f"cell, but {why.replace(' it ', ' it ' if one else ' them ')}, so the value{'' if one else 's'} Jupyter "
            f"ends with {'is' if one else 'are'} not known; set {'it' if one else 'them'} in the answers cell: "
            f"`{these[0]} = True` or `{these[0]} = False`")))
    for cell_name, set_there in above.items():
        shown = ", ".join(f"`{n}`" for n in set_there)
        ctx.flag(f"moved:{task.cfg['cell']}")
        ctx.detail(f"{shown} {'is' if len(set_there) == 1 else 'are'} read from {cell_name} above the True/False "
                   f"answers cell, which " + (f"stops at line {line} before it sets {'it' if len(set_there) == 1 else 'them'}"
                   if set(set_there) & late else f"does not set {'it' if len(set_there) == 1 else 'them'}") +
                   f": Jupyter ends with {'that value' if len(set_there) == 1 else 'those values'}"
                   f"{'' if sure else ' where autoawait is off'}")
    for c in ctx.added_anywhere_after(found.cell):
        # one line run as a magic (`store -r`, `ls`) is read as that magic's line (review 249: `ls` was flagged
        # `exec:`), and an answer it names is unknown: it runs as Python where a variable of the magic's name exists
        source = as_explicit(c.source) if c.cell_type == "code" else c.source
        if source is not c.source:
            for n, why in _as_python_sets(c.source, names).items():
                values[n], taken, sources[n] = _ELSEWHERE, True, c.source
                doubted[n] = (f"`{n}` is set in {_named(c)} below the True/False answers cell, a line Jupyter runs "
                              f"as `%{automagic(c.source)}`, or as Python ({why}) where a variable of that name "
                              f"exists, so which value it ends with is not known; delete that cell")
        more, bad = read_answers(source, names, shadowed, at(c.index)) if c.cell_type == "code" else ({}, "x")
        if bad:
            continue                    # Jupyter runs none of it (under barry_as_FLUFL: its `!=`, review 235)
        setting = any(more[n] is not _MISSING for n in names)
        stopped = _stopped_first(source, names, at(c.index) | AWAIT) if setting else None
        if setting and stopped is None and _stopped_first(source, names, at(c.index)) is not None:
            # a top-level `await` before its answers: it stops the cell only where autoawait is off (236)
            for n in names:
                if more[n] is not _MISSING:
                    values[n], taken, sources[n] = _ELSEWHERE, True, source
                    doubted.pop(n, None)
            continue
        if stopped is not None:
            # Jupyter stops there (or may), before the cell sets its answers (a two-hundred-and-
            # twenty-eighth review: `raise SystemExit(...)` above a correction, graded from it).
            ctx.flag(f"raised:{task.cfg['cell']}")
            ctx.detail(f"{'cell ' + repr(c.id) if c.id else 'a cell'} below the True/False answers cell "
                       f"stops with an error at line {stopped[0]} (`{stopped[1]}`) before it sets answers, so they "
                       f"are not read from there")
            continue
        for n in names:
            if more[n] is not _MISSING:
                values[n], taken, sources[n], where[n] = more[n], True, source, c.index
                doubted.pop(n, None)
                ctx.graded(c, task.cfg["cell"])
        named = {n: w for n, w in writers(source, names).items()
                 if more[n] is _MISSING and w.startswith("`%") and re.search(rf"\b{re.escape(n)}\b", source)}
        # ... and one bound there otherwise (`print(b_ := True)`, `for b_ in ...`, `import x as b_`, `del a_`:
        # a two-hundred-and-thirtieth review; they were not read at all)
        named.update({n: "bound" for n in _bound_below(source) if n in names and more[n] is _MISSING})
        for n in named:         # `%%bash --out a_`, `%sc a_=...` below: that answer is set there, otherwise
            values[n], taken, sources[n] = _ELSEWHERE, True, source
            doubted.pop(n, None)
        if c.cell_type == "code" and not any(more[n] is not _MISSING for n in names) and not named:
            what = next(iter((writers(source, names) | magic_set(source, names)).values()), "")
            if what:
                maybe.append(f"{'cell ' + repr(c.id) if c.id else 'a cell'} ({what})")
    if error and not taken:
        return [failed(task, n, pts, error) for n in names]
    values = {n: values.get(n, _MISSING) for n in names}
    if taken:
        ctx.flag(f"moved:{task.cfg['cell']}")
        ctx.detail(f"answers set in code cells added below cell '{task.cfg['cell']}' were read from there "
                   f"(Jupyter runs them after it)")
    if maybe:
        ctx.flag(f"exec:{task.cfg['cell']}")
        ctx.detail(f"{maybe[0]} below the True/False answers cell may set names without naming them; the answers "
                   f"are graded as written, and a TA reads it")
    _warn(ctx, found.cell.source, reading, [n for n in names if n not in sources], task.cfg["cell"])
    key = ctx.spec.answer_key() if ctx.hidden else None
    results = []
    # None set at all (the template's cell as it was): one sentence for all of them, said once by
    # `grader check` (a seventy-sixth review read five alike lines).
    none = len(names) > 1 and all(values[n] is _MISSING for n in names) and not any(
        missing_why(found.cell.source, n) for n in names)
    for n in names:
        why = (f"none of {', '.join(f'`{x}`' for x in names)} is assigned yet; write each as `{names[0]} = True` "
               f"or `{names[0]} = False`" if none else doubted.get(n) or problem(n, values[n], sources.get(n, found.cell.source), shadowed,
                                                                 at(where.get(n, found.cell.index)),
                                                                 None if n in sources else reading))
        if why:
            results.append(failed(task, n, pts, why))
        elif key is None:
            results.append(CheckResult(task=task.id, check=n, max_points=pts, points=None, passed=True,
                                       message=f"`{n}` is a bool literal (whether it is right is only "
                                               f"checked at grading)"))
        else:
            ok = values[n].value is bool(key[n])
            results.append(verdict(task, n, pts, ok, f"`{n}` is correct", f"`{n}` is not correct"))
    return results

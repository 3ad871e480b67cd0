"""What in a cell can set a name without naming it as an assignment's target.

The answers cell is read, never run: a name is graded from its assignments only where nothing else in
the cell (or in a cell between) can set it. This module finds the rest: a builtin that writes names
(`exec`, `setattr`), a namespace reached as a value (`globals()`, `m.__dict__`, `sys.modules`), a
module that runs text (`cProfile.run`), a magic that sets names (`naming_magics`), a store on what
may be the notebook's own module, and the names a cell binds other than at its top level. Every
finding is said as where it is (`exec(...)` on line 7), for the student's message.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from ..dynamic_code import SHELL_RUNNERS, rebinds_shell
from ..magics import everyday_setting, expansions, makes_magic, reaches_shell, scan_text, without_magics
from .magic_lines import DOORS, PURE, dunder
from .naming_magics import magic_write


@dataclass(frozen=True)
class Store:
    """An attribute or a key a cell stores or deletes: by a target of any statement (`=`, `+=`, `for`, `with`,
    a comprehension, `del`), by a call (`setattr`, `.__setattr__`, `.__setitem__`, `.setdefault`, `.update`),
    or by merging into what a name holds (`g |= {...}`)."""
    node: ast.AST
    name: str | None            # None: computed, or many (`.update(d)`)
    owner: ast.expr | None      # what it is stored on; None where the cell does not show it (`setattr(*args)`)
    key: bool                   # a key (`d[k]`), not an attribute


def _text(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def stores(tree: ast.AST) -> list[Store]:
    """Every attribute and key the cell stores, in one walk: what a builtin may be rebound by in a cell above
    (`names_stored`) and what may set an answer on the notebook's module (`_stored_on_modules`)."""
    out: list[Store] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load):
            out.append(Store(node, node.attr, node.value, False))
        elif isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
            out.append(Store(node, _text(node.slice), node.value, True))
        elif isinstance(node, ast.AugAssign):
            out.append(Store(node, None, node.target, True))        # `g |= {...}` merges into what `g` holds
        elif isinstance(node, ast.Call):
            f, args = node.func, node.args
            if isinstance(f, ast.Name) and f.id == "setattr":
                out.append(Store(node, _text(args[1]) if len(args) > 1 else None, args[0] if args else None, False))
            elif isinstance(f, ast.Attribute) and f.attr in ("__setattr__", "__setitem__", "setdefault"):
                # bound (`d.setdefault(k, v)`) or called on the type (`dict.setdefault(d, k, v)`)
                owner, at = (args[0], 1) if len(args) > 2 else (f.value, 0)
                out.append(Store(node, _text(args[at]) if len(args) > at else None, owner, f.attr != "__setattr__"))
            elif isinstance(f, ast.Attribute) and f.attr in ("update", "__ior__"):
                owner = args[0] if len(args) > 1 else f.value
                out += [Store(node, k.arg, owner, True) for k in node.keywords if k.arg]
                if args or any(k.arg is None for k in node.keywords):
                    out.append(Store(node, None, owner, True))
    return out


def names_stored(tree: ast.AST) -> set[str]:
    """Names a cell stores as an attribute or a key (`sys.modules['__main__'].format = ...`, `globals()['format']
    = ...`, `setattr(m, 'format', ...)`, `vars(m).update(format=...)`, `for m.len in [...]`), any of which may be
    the notebook's namespace (a two-hundred-and-forty-sixth review); all of `PURE` where the name stored is
    computed on what may be a namespace (`g = globals()`, then `g[k] = ...` or `g |= {...}`) or, as an
    attribute, on what may be a module (`setattr(m, k, ...)`)."""
    namespaces = _bound_to(tree, set(), _namespace_like)
    modules = _modules_in(tree)
    out: set[str] = set()
    for store in stores(tree):
        if store.name is not None:
            out.add(store.name)
        elif store.owner is None or _namespace_like(store.owner, namespaces) or \
                not store.key and _module_like(store.owner, modules):
            out |= PURE
    return out


def _namespace_like(node: ast.AST, names: set[str] = frozenset()) -> bool:
    """May this expression be a module's namespace (`globals()`, `vars(m)`, `m.__dict__`, `sys.modules[...]`, a
    name given one: ``names``)? A dict of the student's own (`history[epoch] = loss`) is not."""
    return any(isinstance(x, ast.Name) and x.id in (_NAMESPACES | _MODULE_NAMES | {"sys"} | names) or
               isinstance(x, ast.Attribute) and x.attr in ("__dict__", "modules", "f_globals", "f_locals", "__globals__")
               for x in ast.walk(node))


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


def bound_below(source: str) -> set[str]:
    """Every name a cell binds or deletes other than by a top-level assignment (which is read)."""
    try:
        tree = ast.parse(without_magics(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    top = {id(n) for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
           for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
           for n in ast.walk(t) if isinstance(n, ast.Name)}
    return bound_elsewhere(tree, top)


def bound_elsewhere(tree: ast.AST, top: set[int]) -> set[str]:
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
_WRITERS = {"exec", "setattr", "delattr", "__import__", "get_ipython", "compile", "import_module",
            # what hands out any attribute of an object, its frame's namespaces among them (review 279)
            "getmembers", "getmembers_static", "getattr_static", "getclosurevars", "currentframe", "getouterframes",
            "getinnerframes",
            # ... frames walked out of a traceback or the stack, and a frame's namespace as a tuple (review 289:
            # `inspect.getargvalues(frame)[3]` of `traceback.walk_tb(...)` is the notebook's namespace)
            "walk_tb", "walk_stack", "getargvalues"}
# ... and what reads any attribute or namespace, handed on unnamed (`f = globals`, `reduce(getattr, ...)`)
_HANDED_ON = _WRITERS | {"getattr", "vars", "globals", "locals", "eval", "attrgetter", "methodcaller"}
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
_PICKLES = {"pickle", "_pickle", "cloudpickle", "dill", "shelve", "copyreg"}
_RUNNER_NAMES = {"cProfile", "pdb", "bdb", "runpy", "doctest"}          # no everyday variable has these names
_RUNNER_ATTRIBUTES = {"runctx", "runcall", "runsource", "runcode", "run_path", "run_module", "runeval",
                      "run_docstring_examples", "timeit", "Timer", "InteractiveInterpreter", "InteractiveConsole",
                      "interact", "Trace"}
# `time.perf_counter`; and what writes a pickle (a fairness review, 268: `pickle.dump(answers, f)` cost them): only
# reading one runs what it names
_HARMLESS_FROM_RUNNERS = {"default_timer", "dump", "dumps", "HIGHEST_PROTOCOL", "DEFAULT_PROTOCOL", "PickleError",
                          "PicklingError", "UnpicklingError"}
# Attributes through which a name is set: frames' namespaces, IPython's shell (an eighty-eighth review:
# IPython.get_ipython().push({...}), .run_cell('a_ = False'), importlib.import_module(__name__).a_).
_NAMESPACE_ATTRIBUTES = {"__setattr__", "__setitem__", "__globals__", "f_globals", "f_locals", "__builtins__",
                         # IPython's shell as `exit._ip`, and the module it runs cells in (review 275); as
                         # `sys.displayhook.shell`, and its tables of namespaces and what writes them (review 276)
                         "user_expressions", "define_macro", "del_var", "var_expand",
                         # a magic found (review 277: `find_line_magic('time')(...)`)
                         "find_line_magic", "find_cell_magic", "find_magic", "magics_manager",
                         "__self__",    # a builtin's `__self__` is the builtins module (review 264: `print.__self__.exec`)
                         "get_ipython", "user_ns", "push", "run_cell", "run_line_magic", "run_cell_magic",
                         "import_module"} | SHELL_RUNNERS | {"events"}   # `shell.ex(...)`, `shell.events.register(...)`
# Attributes that lead to IPython's shell, the notebook's module or a frame where their value is used, but not
# where it is only shown (`print(cfg.kernel)`, `cfg.kernel = 'rbf'`: a fairness review, 280): the shell as
# `exit._ip` (review 275), as `sys.displayhook.shell` with its tables of namespaces (276), through a
# configurable's `session` and a singleton's `instance` (277), frames (279).
_PATHS = {"_ip", "user_module", "user_global_ns", "shell", "kernel", "displayhook", "excepthook", "ns_table",
          "all_ns_refs", "user_ns_hidden", "tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back", "f_builtins",
          "session", "instance", "kernel_class", "shell_class", "Completer", "namespace", "global_namespace"}
# What only shows or measures a value; and the methods that only read one (a private attribute of the student's
# model, `print(model._modules.keys())`, `model._get_name()`).
_SHOWERS = {"print", "len", "repr", "str", "id", "display", "bool", "int", "float"}
# ... and what hands on the value, or what it holds, or its class: shown only where its result is (review 284:
# `dict(exit._ip.ns_table)['user_global'].update(...)`)
_COPIERS = {"list", "sorted", "set", "frozenset", "tuple", "dict", "type"}
_READ_METHODS = {"keys", "values", "items", "copy"}


def dynamic_write(tree: ast.AST, modules: set[str] | None = None) -> str:
    """The first construct that can set a name without naming it as a target, as
    '`exec(...)` on line 7' ('' for none). ``modules``: `_modules_in(tree)`, where the caller has it."""
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def said(node: ast.AST, what: str) -> str:
        return f"`{what}` on line {getattr(node, 'lineno', '?')}"

    rebound = rebinds_shell(tree)
    if rebound is not None:
        return said(rebound, "get_ipython") + " (bound in the cell: every magic line calls it)"
    runners: dict[str, str] = {}        # names the cell binds to a module that runs text, or to one of its runners
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            runners.update({(a.asname or a.name).split(".")[0]: a.name for a in node.names
                            if a.name.split(".")[0] in _TEXT_RUNNERS})
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level \
                and node.module.split(".")[0] in _TEXT_RUNNERS:
            if any(a.name == "*" for a in node.names):
                return said(node, f"from {node.module} import *")
            runners.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names
                            if a.name not in _HARMLESS_FROM_RUNNERS})
    if modules is None:
        modules = _modules_in(tree)
    own, made = _own_objects(tree), _instances(tree)
    selves = _own_instances(tree, own_bases=True, objects=own | made)
    counted = [t for n in ast.walk(tree) if isinstance(n, (ast.For, ast.comprehension)) for t in [n.target]
               if isinstance(t, ast.Name) and isinstance(n.iter, ast.Call) and isinstance(n.iter.func, ast.Name)
               and n.iter.func.id == "range"] if "range" in _names_read(tree) else []
    numbers = {t.id for t in counted} - bound_elsewhere(tree, {id(t) for t in counted}) - _params(tree) - {"range"}
    # ... and what their methods return (`args = parser.parse_args([])`): no module, whose `vars` is its namespace
    objects = made | _bound_only_to(tree, lambda f: isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                                    and f.value.id in made) if "vars" in _names_read(tree) else set()
    strings = _string_values(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "import_module" and node.args and _plain_names(node.args[0], strings):
                continue                                # `import_module("numpy")`: an import (fairness review 259)
            # ... `setattr(self, k, v)` on the cell's own instance sets that object's attributes (a fairness
            # review, 285)
            if node.func.id in _WRITERS and not (node.func.id == "setattr" and node.args and isinstance(
                    node.args[0], ast.Name) and (node.args[0].id in own | made or id(node.args[0]) in selves)):
                return said(node, f"{node.func.id}(...)")
            # eval evaluates an expression: only a `:=` in it assigns. Text it is handed literally is
            # read here; computed text is flagged for a TA (`evaluated`), not counted against the
            # answers (`print(f"{eval(n + '_')}")` had cost all ten points: an eighty-eighth review).
            if node.func.id == "eval" and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str) and ":=" in node.args[0].value:
                return said(node, "eval(...)")
            # ... `vars(args)` of an instance of a class is that object's attributes (a fairness review, 282)
            if node.func.id in _NAMESPACES and not _only_read(node, parents, modules, strings) and \
                    not _handed_to_runner(node, parents, runners) and \
                    not (node.func.id == "vars" and node.args and isinstance(node.args[0], ast.Name)
                         and (node.args[0].id in objects | own or id(node.args[0]) in selves)):
                return said(node, f"{node.func.id}()")
            # an attribute looked up by a computed name may be any door (a two-hundred-and-fifty-third review:
            # `getattr(sys, 'mod' + 'ules')['__ma' + 'in__'].a_ = ...`)
            # ... of a module (`getattr(model, f'linear{i}')` reads a layer: a fairness review, 256)
            # ... or a name that may be a door of any object (review 279: `getattr(lambda: 0, '__glo' + 'bals__')`,
            # `getattr(frame, 'f_glob' + 'als')`)
            # ... unless what it hands out is only shown, or the cell keeps `_` names out (`if not
            # name.startswith('_')`: a fairness review, 282)
            # ... an instance of a class is no module (`model = nn.Sequential(...)`: a fairness review, 285)
            instance = len(node.args) >= 2 and isinstance(node.args[0], ast.Name) and node.args[0].id in made
            if node.func.id == "getattr" and not (len(node.args) >= 2 and _plain_names(node.args[1], strings)) \
                    and not _shown_only(node, parents) and (
                    len(node.args) < 2 or _module_like(node.args[0], modules) and not instance or
                    _may_name_door(node.args[1], numbers) and not (instance and _no_underscore(node.args[1], node,
                                                                                                 parents))):
                name = node.args[1] if len(node.args) >= 2 else None
                return said(node, f"getattr(..., {name.value!r})" if isinstance(name, ast.Constant)
                            else "getattr(...) of a computed name") + \
                    " (a name computed when it runs may be one that leads to a namespace, as `__globals__` does)"
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
            # ... and so does an object's private attribute (review 277: a singleton's `_instance` is IPython's
            # shell), where its value is used, not only shown
            private = node.attr.startswith("_") and not dunder(node.attr)
            if (node.attr in _PATHS or private) and isinstance(node.ctx, ast.Load) and not _shown_only(node, parents) \
                    and not (isinstance(node.value, ast.Name) and (node.value.id in own or id(node.value) in selves)):
                return said(node, node.attr) + (" (a private attribute, which may lead to IPython's shell)" if private
                                                else " (it may lead to IPython's shell)")
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
            # ... and not called: `model.modules()` is a method (a fairness review, 287); `sys.modules` is a dict
            if node.attr == "modules" and not isinstance(up, ast.Compare) and not (
                    isinstance(up, ast.Call) and up.func is node) and not (
                    isinstance(up, ast.Subscript) and up.value is node and isinstance(up.ctx, ast.Load)
                    and _plain_names(up.slice, strings)) and not (          # ... or `.get(...)` (review 262)
                    isinstance(up, ast.Attribute) and up.attr == "get" and isinstance(call, ast.Call)
                    and call.func is up and call.args and _plain_names(call.args[0], strings)):
                return said(node, f"{ast.unparse(node.value)[:30]}.modules")
            call = up if isinstance(up, ast.Call) and up.func is node else None
            if node.attr == "__getattribute__" or node.attr == "attrgetter" and not (
                    call is not None and call.args and all(_plain_names(a, strings) for a in call.args)):
                return said(node, node.attr)          # `operator.attrgetter('weight')` reads that (review 282)
        elif isinstance(node, ast.Name) and node.id in _HANDED_ON and isinstance(node.ctx, ast.Load) and not (
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
                    isinstance(up, ast.Attribute) and _runs_shown_code(up, parents, up.attr) or \
                    runners.get(node.id) == "shelve" and isinstance(up, ast.Attribute) and up.attr == "open" and \
                    _shelf_written_only(parents.get(id(up)), parents, tree):
                continue
            # ... said as what it does (a fairness review, 271, read "exec/globals() and the like" of `shelve.open`)
            kind = " (reading a pickle back runs what it names)" if runners.get(node.id, "").split(".")[0] in _PICKLES \
                else " (it runs code given to it as text)"
            return said(node, f"{node.id}.{up.attr}" if isinstance(up, ast.Attribute) else node.id) + kind
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            if any(n.split(".")[0] in _MODULE_NAMES for n in names):
                return said(node, "import " + next(n for n in names if n.split(".")[0] in _MODULE_NAMES))
            if isinstance(node, ast.ImportFrom) and node.module in ("sys", "IPython", "importlib") and any(
                    a.name in ("modules", "get_ipython", "import_module") for a in node.names):
                return said(node, f"from {node.module} import ...")
            # ... and a writer imported under another name, whose calls then name it not (review 289's run-up:
            # `from inspect import getargvalues as gav`)
            renamed = [a for a in node.names if a.name in _HANDED_ON and a.asname not in (None, a.name)] \
                if isinstance(node, ast.ImportFrom) else []
            if renamed:
                return said(node, f"from {node.module} import {renamed[0].name} as {renamed[0].asname}")
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


def _shelf_written_only(call: ast.AST | None, parents: dict[int, ast.AST], tree: ast.AST) -> bool:
    """A shelf opened (`call`) under a name that is only written to (`db['answers'] = [a_, ...]`), closed or
    synced: nothing is read back, so no pickle is loaded (a fairness review, 274: saving the answers so cost
    all five)."""
    holder = parents.get(id(call))
    target = holder.optional_vars if isinstance(holder, ast.withitem) else \
        holder.targets[0] if isinstance(holder, ast.Assign) and len(holder.targets) == 1 else None
    if not isinstance(call, ast.Call) or not isinstance(target, ast.Name):
        return False
    for n in ast.walk(tree):
        if not (isinstance(n, ast.Name) and n.id == target.id) or n is target:
            continue
        up = parents.get(id(n))
        written = isinstance(up, ast.Subscript) and up.value is n and not isinstance(up.ctx, ast.Load) and \
            not isinstance(parents.get(id(up)), ast.AugAssign)
        closed = isinstance(up, ast.Attribute) and up.attr in ("close", "sync") and \
            isinstance(parents.get(id(up)), ast.Call) and parents[id(up)].func is up
        if not (written or closed):
            return False
    return True


def _no_underscore(name: ast.AST, call: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Is ``call`` inside `if not <name>.startswith('_'):` (or a comprehension's such `if`), ``name`` a plain
    name: the cell keeps every name that may lead to a door (`__globals__`) out, as a loop over `dir(m)` does."""
    if not isinstance(name, ast.Name):
        return False

    def guard(test: ast.AST) -> bool:
        return isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Call) \
            and isinstance(test.operand.func, ast.Attribute) and test.operand.func.attr == "startswith" \
            and isinstance(test.operand.func.value, ast.Name) and test.operand.func.value.id == name.id \
            and len(test.operand.args) == 1 and isinstance(test.operand.args[0], ast.Constant) \
            and test.operand.args[0].value == "_"
    cur, up = call, parents.get(id(call))
    while up is not None:
        if isinstance(up, ast.If) and guard(up.test) and any(cur is b for b in up.body):
            return True
        if isinstance(up, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)) and any(
                guard(t) for g in up.generators for t in g.ifs):
            return True
        if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
        cur, up = up, parents.get(id(up))
    return False


_LIBRARIES = {"torch", "torchvision", "numpy", "pandas", "sklearn", "scipy", "matplotlib", "argparse", "types",
              "collections", "dataclasses"}
_TEMPLATE_NAMES = {"torch", "nn", "F", "optim", "np", "pd", "plt", "torchvision", "transforms", "datasets"}


def _instances(tree: ast.AST) -> set[str]:
    """Names bound only to an instance of a class: the cell's own (`C()`, `_plain_classes`) or a module's
    (`nn.Linear(2, 2)`: a capitalised name on a module the cell imports or an earlier cell did). A frame, a
    generator or a coroutine, whose attributes without `_` lead to namespaces (`gi_frame`, `f_globals`), is
    none, nor what a function of the cell's own objects returns (`k.Make(g)`)."""
    classes = _plain_classes(tree, own_bases=True)
    # ... of the libraries the course uses, imported in the cell or under the template's names: a class of
    # another module may hold the notebook's namespace itself (review 288: `rlcompleter.Completer`)
    libraries = {(a.asname or a.name).split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                 for a in n.names if a.name.split(".")[0] in _LIBRARIES}
    libraries |= {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
                  and not n.level and n.module.split(".")[0] in _LIBRARIES for a in n.names}
    assigned = bound_elsewhere(tree, set()) | {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                                               and not isinstance(n.ctx, ast.Load)}
    libraries |= _TEMPLATE_NAMES - assigned

    def root(f: ast.AST) -> str:
        return f.id if isinstance(f, ast.Name) else root(f.value)
    return _bound_only_to(tree, lambda f: isinstance(f, ast.Name) and f.id in classes or
                          isinstance(f, ast.Attribute) and _dotted(f) and f.attr[:1].isupper() and root(f) in libraries)


def _own_objects(tree: ast.AST) -> set[str]:
    """Names that hold only instances of the cell's own classes (`x = C()`, `_plain_classes`): what their private
    attributes hold the cell put there (`x._cache['k']`, `cfg.kernel`: a fairness review, 282), as for `self` in
    the methods of such a class (`_own_instances`)."""
    classes = _plain_classes(tree, own_bases=True)
    return _bound_only_to(tree, lambda f: isinstance(f, ast.Name) and f.id in classes) if classes else set()


def _plain_classes(tree: ast.AST, own_bases: bool = False) -> set[str]:
    """The cell's classes whose call surely makes an instance of them: made once, under a name nothing else in
    the cell binds (review 283: `def C(v): return v` after `class C`), without a metaclass, a decorator but
    `@dataclass`, or a `__new__` (review 283's `__new__` returned `exit`, the shell's holder). ``own_bases``:
    and derived from no class but `object` and such classes of the cell, so that what their attributes hold
    the cell put there (review 288: a subclass of `rlcompleter.Completer` holds the notebook's namespace as
    `namespace`)."""
    classes = [c for c in ast.walk(tree) if isinstance(c, ast.ClassDef)]
    names = [c.name for c in classes]
    others = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    others |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    others |= {(a.asname or a.name).split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
               for a in n.names}
    others |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and n.name}
    plain = {c.name for c in classes if names.count(c.name) == 1 and c.name not in others and not c.keywords
             and all(_decorated_by(d, _CLASS_DECORATORS) for d in c.decorator_list) and all(_dotted(b) for b in c.bases)
             and not any(isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name == "__new__" for f in c.body)}
    if not own_bases:
        return plain
    out: set[str] = set()
    for _ in range(len(classes)):       # bases first, a few deep
        out |= {c.name for c in classes if c.name in plain and all(
            isinstance(b, ast.Name) and (b.id == "object" or b.id in out) for b in c.bases)}
    return out


def _names_read(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _bound_only_to(tree: ast.AST, maker) -> set[str]:
    """Names every binding of which in the cell is `name = <call>` with ``maker(<the call's function>)``."""
    made: dict[str, bool] = {}
    plain: set[int] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            plain.add(id(n.targets[0]))
            ok = isinstance(n.value, ast.Call) and bool(maker(n.value.func))
            made[n.targets[0].id] = made.get(n.targets[0].id, True) and ok
    # ... a function's parameter of that name too (review 286: `def g(x): return x._ip` beside `x = C()`)
    bound = bound_elsewhere(tree, plain) | _params(tree)
    return {name for name, ok in made.items() if ok and name not in bound}


def _params(tree: ast.AST) -> set[str]:
    return {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}


def _against_literals(compare: ast.Compare, value: ast.AST) -> bool:
    """Is ``value`` compared only with what the cell writes out, or by identity? A comparison hands the value to
    the other side's methods (review 281: `ns in C()` ran `C.__contains__(ns)`, which wrote the answers)."""
    return all(isinstance(op, (ast.Is, ast.IsNot)) for op in compare.ops) or \
        all(isinstance(x, ast.Constant) for x in [compare.left, *compare.comparators] if x is not value)


def _shown_only(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Is this value only shown or measured (`print(model._modules.keys())`, `len(x._cache)`, `f'{cfg.kernel}'`),
    through attribute and key reads and calls of methods that only read, so that nothing it leads to is handed
    values, written or called otherwise?"""
    cur = node
    while True:
        up = parents.get(id(cur))
        if isinstance(up, ast.Attribute) and up.value is cur or \
                isinstance(up, ast.Subscript) and up.value is cur and isinstance(up.ctx, ast.Load):
            cur = up
        elif isinstance(up, ast.Call) and up.func is cur and not up.args and not up.keywords and \
                isinstance(cur, ast.Attribute) and (cur.attr in _READ_METHODS or cur.attr.lstrip("_").startswith("get")):
            cur = up
        elif isinstance(up, ast.Call) and isinstance(up.func, ast.Name) and up.func.id in _COPIERS and \
                any(a is cur for a in up.args) and not up.keywords:
            cur = up
        elif isinstance(up, ast.Call) and isinstance(up.func, ast.Name) and up.func.id in _SHOWERS and \
                any(a is cur for a in up.args):
            return True
        elif isinstance(up, ast.Compare):
            return _against_literals(up, cur)
        else:
            return isinstance(up, ast.FormattedValue)


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
            isinstance(f, ast.Attribute) and f.attr in ("import_module", "get") or \
            _module_like(f, modules) and any(not isinstance(a, ast.Constant) for a in node.args)
        # ... and so may a module's function given a computed argument (`pkgutil.resolve_name('__ma' + 'in__')`:
        # review 270); `argparse.Namespace(**vars(args))` and `nn.Linear(784, 10)` are the student's objects
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
    bound = bound_elsewhere(tree, set()) | params
    free = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound
    modules |= params | free
    _bound_to(tree, modules, _module_like)


def _bound_to(tree: ast.AST, names: set[str], like) -> set[str]:
    """Add to ``names`` (and return them) the names the cell binds to a value ``like(value, names)`` accepts
    (`x = sys`, `for x in [sys]`, `(x := sys)`, `with ... as x`), through chains of assignments a few deep."""
    for _ in range(4):
        before = len(names)
        for n in ast.walk(tree):
            pairs = [(t, n.value) for t in n.targets] if isinstance(n, ast.Assign) else \
                [(n.target, n.value)] if isinstance(n, (ast.AnnAssign, ast.NamedExpr, ast.AugAssign)) and n.value else \
                [(n.target, n.iter)] if isinstance(n, (ast.For, ast.AsyncFor, ast.comprehension)) else \
                [(i.optional_vars, i.context_expr) for i in n.items if i.optional_vars] if isinstance(n, (ast.With, ast.AsyncWith)) else []
            for target, value in pairs:
                if like(value, names):
                    names |= {x.id for x in ast.walk(target) if isinstance(x, ast.Name)}
        if len(names) == before:
            break
    return names


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
                    "__reduce_ex__", "__call__", "__get__"} | _NAMESPACE_ATTRIBUTES | _PATHS | _WRITERS


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
    other = bound_elsewhere(tree, accepted) | {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    other |= {n.target.id for n in ast.walk(tree) if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)}
    return {n: v for n, v in values.items() if n not in other}


def _literal_start(node: ast.AST) -> str:
    """The text a computed string surely starts with (`f'linear{i}'`: 'linear'; `'f_glob' + x`: 'f_glob')."""
    whole = _folded(node)
    if whole is not None:
        return whole
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _folded(node.left)
        return left + _literal_start(node.right) if left is not None else _literal_start(node.left)
    return ""


def _folded(node: ast.AST) -> str | None:
    """The text of a string written out in parts (`'f_glob' + 'als'`), None where a part is computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _folded(node.left), _folded(node.right)
        return None if left is None or right is None else left + right
    return None


def _may_name_door(node: ast.AST, numbers: set[str] = frozenset()) -> bool:
    """May this computed attribute name be a door of some object: it starts with `_`, or with no text at all, or
    with the start of a door's name (`'f_glob' + x`)? `f'linear{i}'` may not, nor `f'{2 * i}'` or `str(i)` of
    ``numbers``, names a loop over `range` gives (digits: `nn.Sequential`'s layers, a fairness review, 285)."""
    if _digits(node, numbers):
        return False
    start = _literal_start(node)
    doors = _DOOR_ATTRIBUTES | _DOOR_WORDS
    if _folded(node) is not None:
        return start in doors or start.lower() in _DOOR_WORDS or start.startswith("_")
    return not start or start.startswith("_") or any(d.startswith(start) or d.startswith(start.lower()) for d in doors)


def _digits(node: ast.AST, numbers: set[str]) -> bool:
    """Is this text made only of whole numbers (`f'{2 * i}'`, `str(i)` for ``numbers`` from `range`)?"""
    def whole(e: ast.AST) -> bool:
        return all(isinstance(x, (ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop, ast.Load)) or
                   isinstance(x, ast.Constant) and type(x.value) is int or isinstance(x, ast.Name) and x.id in numbers
                   for x in ast.walk(e))
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) and str(v.value).isdigit() or
                   isinstance(v, ast.FormattedValue) and v.format_spec is None and v.conversion == -1 and whole(v.value)
                   for v in node.values)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str" and \
        len(node.args) == 1 and not node.keywords and whole(node.args[0])


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
    # shown, measured, or its keys listed (names are strings); `dict(ns)` and `ns.values()` hand out what it
    # holds, which only showing keeps harmless (review 284: `dict(exit._ip.__dict__)['user_ns'].update(...)`)
    if isinstance(parent, ast.Call) and node in parent.args and isinstance(parent.func, ast.Name) and (
            parent.func.id in ("print", "len", "repr", "str") or
            parent.func.id in ("sorted", "list", "set", "tuple") and not parent.keywords):
        return True
    if isinstance(parent, ast.Compare):
        return _against_literals(parent, node)
    call = parents.get(id(parent))
    own = isinstance(node, ast.Call) and not node.args      # `globals()`: the notebook's own names and values
    return isinstance(parent, ast.Attribute) and parent.attr in _READERS and isinstance(call, ast.Call) and \
        call.func is parent and (parent.attr == "keys" or own or _shown_only(call, parents))


def shell_reached(source: str) -> str:
    """A sign that the cell makes a magic of its own or reaches IPython's shell ('' for none), as
    '`InteractiveShell` on line 3'. Answers on plain lines are read before any of it runs, and a magic
    line's answers need a cell without it (`magic_set`): it is for a TA to read (a fairness review:
    `%load_ext watermark`, `from IPython.core.display import HTML` had cost the five answers)."""
    # ... not an everyday setting's name (`%config ZMQInteractiveShell.ast_node_interactivity = 'all'`: a fairness
    # review, 271)
    named = "\n".join("" if "%config" in line and everyday_setting(line) else line for line in scan_text(source).split("\n"))
    made = [m for m in (makes_magic(named), reaches_shell(named)) if m is not None]
    if not made:
        return ""
    first = min(made, key=lambda m: m.start())
    return f"`{first.group()}` on line {named.count(chr(10), 0, first.start()) + 1}"


def writers(source: str, names, tree: ast.AST | None = None, settled: dict[str, int] | None = None) -> dict[str, str]:
    """Each of ``names`` that code of the cell can set without naming it as a target, with what
    does it ('`exec(...)` on line 7'); the cell is parsed once (``tree``: parsed already). ``settled``: the
    line of each name's last assignment that surely runs (`_magic_write`)."""
    if tree is None:
        try:
            tree = ast.parse(without_magics(source))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
    modules = _modules_in(tree) if tree is not None else set()
    general = dynamic_write(tree, modules) if tree is not None else ""
    if not general:
        # `!echo {get_ipython().user_ns.update(a_=...)}`: IPython runs the braces as Python while it
        # fills in the line (a hundred-and-ninety-second review: all five answers set otherwise, 10/10).
        filled = [(line, expr) for line, expr in expansions(source) if not _shows_only(expr)]
        general = f"Python in the shell or magic line on line {filled[0][0]} (IPython runs it as Python)" if filled else ""
    stored = _stored_on_modules(tree, modules) if tree is not None else {}
    settled = settled or {}
    said = {n: magic_write(source, [n], settled.get(n, 0)) or general or stored.get(n, "") for n in names}
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


def _stored_on_modules(tree: ast.AST, modules: set[str]) -> dict[str, str]:
    """Names the cell stores as an attribute of what may be a module (`m.a_ = False`), with where: it may
    be the notebook's own, however the cell came by it (review 253 reached it by computed names); an object
    the cell made is not (`answers = SimpleNamespace()`, then `answers.a_ = a_`: a fairness review, 265; nor
    `self` in its class's `__init__`: `_own_instances`)."""
    own = _own_instances(tree)
    out: dict[str, str] = {}
    for store in stores(tree):
        node = store.node
        if isinstance(node, ast.Attribute) and id(node.value) not in own and _module_like(store.owner, modules):
            out.setdefault(node.attr, f"`{ast.unparse(node)[:40]} = ...` on line {node.lineno} (an attribute of an "
                                      f"object that may be the notebook's module)")
    return out


# What reaches a class or its functions without calling the class (`type(x)`, `x.__class__`, `vars(C)[k]`,
# `object.__subclasses__()`, `C.__init__(m)`), binds a function to another object (`MethodType(f, m)`), or
# runs text that may.
_REACHES_CLASSES = {"type", "__class__", "__dict__", "vars", "getattr", "attrgetter", "methodcaller", "__getattribute__",
                    "__subclasses__", "__mro__", "mro", "__bases__", "__base__", "__thisclass__", "__func__", "__get__",
                    "__wrapped__", "__init__", "__new__", "__call__", "getmembers", "partialmethod", "partial",
                    "MethodType", "staticmethod", "classmethod"} | _DOOR_WORDS
_PLAIN_SPECIALS = {"__init__", "__post_init__", "__repr__", "__str__"}
_CLASS_DECORATORS = {"dataclass"}               # `@dataclass`, `@dataclasses.dataclass(frozen=True)`
_METHOD_DECORATORS = {"property", "cached_property"}


def _own_instances(tree: ast.AST, own_bases: bool = False, objects: set[str] | None = None) -> set[int]:
    """The `self` (its name's nodes) in the methods of a class the cell makes (`self.a_ = a_`: a fairness
    review, 268; any method's, `nn.Module`'s subclasses' too: a fairness review, 271), where `self` can only
    be an instance the cell made: the class has no metaclass nor `__new__`, no decorator but `@dataclass`, the
    cell uses its name only to call it (`Answers()`) or derive a class, no method's name is read as a name
    (`staticmethod(f)`, `MethodType(f, m)` hand it on), `self` is not rebound, and nothing in the cell reaches
    a class or its functions otherwise (`_REACHES_CLASSES`) nor calls an `__init__` but `super().__init__()`
    (a base made in an earlier cell is such a cell's object: the README's "What remains")."""
    if not any(isinstance(n, ast.ClassDef) for n in ast.walk(tree)):
        return set()
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    if objects is None:                 # `_own_objects` and `_instances`, where the caller has them
        objects = _own_objects(tree) | _instances(tree)
    for n in ast.walk(tree):
        word = n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else None
        # ... nor any dunder attribute (review 273: `Answers().__reduce_ex__(2)[1][0]` is the class, and
        # `(lambda: 0).__module__` names the notebook's module), nor a property's function
        if word is not None and (word in _REACHES_CLASSES or dunder(word) and isinstance(n, ast.Attribute)
                                 or word in ("fget", "fset", "fdel")) and not (word == "__init__" and _super_init(n)) \
                and not _plain_lookup(n, parents, objects) or \
                isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "super" and (n.args or n.keywords):
            return set()
        # ... nor a special method handed a class (`__set_name__(self, owner, name)`, `__init_subclass__(cls)`,
        # `__get__(self, obj, objtype)`)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and dunder(n.name) and n.name not in _PLAIN_SPECIALS:
            return set()
    classes = [c for c in ast.walk(tree) if isinstance(c, ast.ClassDef)]
    names = {c.name for c in classes}
    if len(names) != len(classes):
        return set()
    called = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in names and not (
        isinstance(n.ctx, ast.Load) and (isinstance(parents.get(id(n)), ast.Call) and parents[id(n)].func is n
                                         or isinstance(parents.get(id(n)), ast.ClassDef)))}
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    # a decorator's name bound in the cell is the cell's function, handed the class or the method (`dataclass =
    # lambda c: ...`); only Python's own, imported, may stand there
    made = bound_elsewhere(tree, set()) | {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                                           and not isinstance(n.ctx, ast.Load)}
    made -= {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module in
             ("dataclasses", "functools") for a in n.names if a.name in _CLASS_DECORATORS | _METHOD_DECORATORS}
    made -= {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
             if a.name in ("dataclasses", "functools")}
    made |= {store.name for store in stores(tree)}      # `dataclasses.dataclass = ...` (review 275)
    if made & (_CLASS_DECORATORS | _METHOD_DECORATORS | {"dataclasses", "functools"}):
        return set()
    out: set[int] = set()
    owned = _plain_classes(tree, own_bases=True) if own_bases else set()
    for c in classes:
        if c.name in called or c.keywords or not all(_decorated_by(d, _CLASS_DECORATORS) for d in c.decorator_list) \
                or not all(_dotted(b) for b in c.bases) or own_bases and c.name not in owned or any(
                isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name == "__new__" for f in c.body):
            continue
        for f in c.body:
            if not isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) or f.name in read or \
                    not all(_decorated_by(d, _METHOD_DECORATORS) for d in f.decorator_list) or \
                    not [*f.args.posonlyargs, *f.args.args]:
                continue
            me = [*f.args.posonlyargs, *f.args.args][0].arg
            if me in bound_elsewhere(ast.Module(f.body, []), set()) or any(
                    isinstance(n, (ast.Global, ast.Nonlocal)) and me in n.names for n in ast.walk(f)):
                continue                    # rebound in any way (review 270: `match m:` / `case self:`)
            out |= {id(n) for n in _own_scope(f) if isinstance(n, ast.Name) and n.id == me}
    return out


def _plain_lookup(node: ast.AST, parents: dict[int, ast.AST], objects: set[str]) -> bool:
    """`setattr(self, k, v)` (it reaches nothing), `getattr(o, 'mom')` by a name written out that is no door, or one
    on an instance of ``objects`` under `if not name.startswith('_')`, `vars(self)` or `vars(cfg)` of such an
    instance: no way to a class (fairness reviews, 285 and 287)."""
    call = parents.get(id(node))
    if not (isinstance(node, ast.Name) and isinstance(call, ast.Call) and call.func is node):
        return False
    first = call.args[0] if call.args else None
    mine = isinstance(first, ast.Name) and (first.id in objects or first.id == "self")
    if node.id == "vars":
        return mine and len(call.args) == 1
    return node.id == "setattr" or node.id == "getattr" and len(call.args) >= 2 and (
        _plain_names(call.args[1], {}) and not dunder(str(getattr(call.args[1], "value", "__"))) or
        mine and _no_underscore(call.args[1], call, parents))


def _dotted(node: ast.AST) -> bool:
    """A name or a chain of attributes (`Base`, `nn.Module`)."""
    return isinstance(node, ast.Name) or isinstance(node, ast.Attribute) and _dotted(node.value)


def _decorated_by(node: ast.AST, names: set[str]) -> bool:
    """`@name`, `@module.name` or `@name(...)` given literals, for a name of ``names``."""
    if isinstance(node, ast.Call):
        return _decorated_by(node.func, names) and not node.args and all(
            isinstance(k.value, ast.Constant) for k in node.keywords if k.arg)
    return _dotted(node) and (node.id if isinstance(node, ast.Name) else node.attr) in names


def _super_init(node: ast.AST) -> bool:
    """`super().__init__(...)`: the same object's `__init__` of the class above."""
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) \
        and node.value.func.id == "super" and not node.value.args and not node.value.keywords


def _own_scope(func: ast.AST):
    """The nodes of a function's body outside functions, lambdas and classes nested in it."""
    todo = list(ast.iter_child_nodes(func))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo.extend(ast.iter_child_nodes(node))

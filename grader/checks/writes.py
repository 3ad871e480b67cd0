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
import bisect
import builtins
import io
import re
import tokenize

from ..dynamic_code import rebinds_shell
from ..magics import everyday_setting, expansions, makes_magic, reaches_shell, python_tree, scan_text
from .bindings import bound_elsewhere, bound_only_to, params, stores
from .doors import (HANDED_ON, HARMLESS_FROM_RUNNERS, MODULE_NAMES, NAMESPACE_ATTRIBUTES, NAMESPACES, PATHS, PICKLES,
                    RUNNER_ATTRIBUTES, RUNNER_NAMES, TEXT_RUNNERS, WRITERS, folded, literal_start, may_name_door,
                    no_underscore, plain_names, string_values)
from .magic_lines import DOORS, PURE, dunder
from .naming_magics import FILLED_IN, magic_writes
from .own_objects import instances, own_instances, own_objects
from ..syntax import quoted, walk, child_nodes, unparsed


# Words a cell must hold to store a name it computes on a namespace (`globals()[k] = exec`), and to rebind a
# builtin of `PURE` (one of their names, or such a door).
STORING_WORDS = frozenset({"globals", "vars", "locals", "__dict__", "modules", "setattr", "__setattr__", "__setitem__",
                           "update", "setdefault"})
REBINDING_WORDS = PURE | STORING_WORDS


def names_stored(tree: ast.AST, computed: frozenset[str] = PURE, on_objects: bool = True) -> set[str]:
    """Names a cell stores as an attribute or a key (`sys.modules['__main__'].format = ...`, `globals()['format']
    = ...`, `setattr(m, 'format', ...)`, `vars(m).update(format=...)`, `for m.len in [...]`), any of which may be
    the notebook's namespace (a two-hundred-and-forty-sixth review); all of `PURE` where the name stored is
    computed on what may be a namespace (`g = globals()`, then `g[k] = ...` or `g |= {...}`) or, as an
    attribute, on what may be a module (`setattr(m, k, ...)`; not with ``on_objects`` false): ``computed``, the names
    that matter to the caller."""
    namespaces = _bound_to(tree, set(), _namespace_like)
    modules = _modules_in(tree)
    out: set[str] = set()
    for store in stores(tree):
        if store.name is not None:
            out.add(store.name)
        elif store.owner is None or _namespace_like(store.owner, namespaces) or \
                on_objects and not store.key and _module_like(store.owner, modules):
            out |= computed
    return out


def _namespace_like(node: ast.AST, names: set[str] = frozenset()) -> bool:
    """May this expression be a module's namespace (`globals()`, `vars(m)`, `m.__dict__`, `sys.modules[...]`, a
    name given one: ``names``)? A dict of the student's own (`history[epoch] = loss`) is not."""
    return any(isinstance(x, ast.Name) and x.id in (NAMESPACES | MODULE_NAMES | {"sys"} | names) or
               isinstance(x, ast.Attribute) and x.attr in ("__dict__", "modules", "f_globals", "f_locals", "__globals__")
               for x in walk(node))


def _shows_only(expr: str) -> bool:
    """A `{...}` of a shell line that only shows values (`!echo {[a_, b_]}`, `{1+1}`: a fairness review)."""
    try:
        node = ast.parse(expr.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return all(isinstance(n, (ast.Constant, ast.Name, ast.Load, ast.Tuple, ast.List, ast.BinOp, ast.operator,
                              ast.UnaryOp, ast.unaryop, ast.Compare, ast.cmpop, ast.BoolOp, ast.boolop, ast.JoinedStr,
                              ast.FormattedValue)) and not (isinstance(n, ast.Name) and n.id in DOORS)
               for n in walk(node))


_READERS = {"items", "keys", "values", "get", "copy"}
# What only shows or measures a value; and the methods that only read one (a private attribute of the student's
# model, `print(model._modules.keys())`, `model._get_name()`).
_SHOWERS = {"print", "len", "repr", "str", "id", "display", "bool", "int", "float"}
# ... and what hands on the value, or what it holds, or its class: shown only where its result is (review 284:
# `dict(exit._ip.ns_table)['user_global'].update(...)`)
_COPIERS = {"list", "sorted", "set", "frozenset", "tuple", "dict", "type"}
_READ_METHODS = {"keys", "values", "items", "copy"}


def dynamic_write(tree: ast.AST, modules: set[str] | None = None, on_objects: bool = True,
                  followed: bool = False, docstrings: bool = False) -> str:
    """The first construct that can set a name without naming it as a target, as
    '`exec(...)` on line 7' ('' for none). ``modules``: `_modules_in(tree)`, where the caller has it; ``on_objects``
    false: not `setattr` on a name an earlier cell bound that the cell does not import (honest drafts set their
    options so: `setattr(args, k, v)`); ``followed``: not the namespace (`globals()`, `vars()`, `locals()` called
    bare) nor the modules whose names Python reads (`__main__`, `builtins`, `sys.modules`, `import_module`,
    `setattr`), which the caller follows by value and by the keys written (`later.namespace_writes`: a fairness
    review, 374, found cells that only read `__main__` or `sys.modules` flagged); ``docstrings``: not a call of
    doctest's runners of the notebook's docstrings (`docstring_runs`), which the caller says."""
    parents = {id(child): node for node in walk(tree) for child in child_nodes(node)}

    def said(node: ast.AST, what: str) -> str:
        return f"`{what}` on line {getattr(node, 'lineno', '?')}"

    rebound = rebinds_shell(tree)
    if rebound is not None:
        return said(rebound, "get_ipython") + " (bound in the cell: every magic line calls it)"
    runners: dict[str, str] = {}        # names the cell binds to a module that runs text, or to one of its runners
    for node in walk(tree):
        if isinstance(node, ast.Import):
            runners.update({(a.asname or a.name).split(".")[0]: a.name for a in node.names
                            if a.name.split(".")[0] in TEXT_RUNNERS})
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level \
                and node.module.split(".")[0] in TEXT_RUNNERS:
            if any(a.name == "*" for a in node.names):
                return said(node, f"from {node.module} import *")
            runners.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names
                            if a.name not in HARMLESS_FROM_RUNNERS})
    if modules is None:
        modules = _modules_in(tree)
    imported = {(a.asname or a.name).split(".")[0] for n in walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                for a in n.names} | MODULE_NAMES | {"sys"} if not on_objects else set()
    own, made = own_objects(tree), instances(tree)
    selves = own_instances(tree, own_bases=True, objects=own | made)
    counted = [t for n in walk(tree) if isinstance(n, (ast.For, ast.comprehension)) for t in [n.target]
               if isinstance(t, ast.Name) and isinstance(n.iter, ast.Call) and isinstance(n.iter.func, ast.Name)
               and n.iter.func.id == "range"] if "range" in _names_read(tree) else []
    numbers = {t.id for t in counted} - bound_elsewhere(tree, {id(t) for t in counted}) - params(tree) - {"range"}
    # ... and what their methods return (`args = parser.parse_args([])`): no module, whose `vars` is its namespace
    objects = made | bound_only_to(tree, lambda f: isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                                   and f.value.id in made) if "vars" in _names_read(tree) else set()
    strings = string_values(tree)
    for node in walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "import_module" and node.args and plain_names(node.args[0], strings):
                continue                                # `import_module("numpy")`: an import (fairness review 259)
            # ... `setattr(self, k, v)` on the cell's own instance sets that object's attributes (a fairness
            # review, 285)
            if node.func.id in WRITERS and not (followed and node.func.id in _FOLLOWED_CALLS) and not (
                    node.func.id == "setattr" and node.args and isinstance(
                    node.args[0], ast.Name) and (node.args[0].id in own | made or id(node.args[0]) in selves or
                                                 not on_objects and node.args[0].id not in imported)):
                return said(node, f"{node.func.id}(...)")
            # eval evaluates an expression: only a `:=` in it assigns. Text it is handed literally is
            # read here; computed text is flagged for a TA (`evaluated`), not counted against the
            # answers (`print(f"{eval(n + '_')}")` had cost all ten points: an eighty-eighth review).
            if node.func.id == "eval" and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str) and ":=" in node.args[0].value:
                return said(node, "eval(...)")
            # ... `vars(args)` of an instance of a class is that object's attributes (a fairness review, 282)
            if node.func.id in NAMESPACES and not (followed and not node.args) and \
                    not _only_read(node, parents, modules, strings) and \
                    not _handed_to_runner(node, parents, runners) and \
                    not (docstrings and _handed_to_docstrings(node, parents, runners)) and \
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
            if node.func.id == "getattr" and not (len(node.args) >= 2 and plain_names(node.args[1], strings)) \
                    and not _shown_only(node, parents) and (
                    len(node.args) < 2 or _module_like(node.args[0], modules) and not instance or
                    may_name_door(node.args[1], numbers) and not (instance and no_underscore(node.args[1], node,
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
                    and plain_names(up.args[0], strings):
                continue
            # (a mapping's `__setitem__` writes the namespace only where it is one, which the caller follows where it
            # asks with ``followed``: `store = results.__setitem__`, a fairness review, 371)
            if node.attr in NAMESPACE_ATTRIBUTES and not (followed and node.attr in _FOLLOWED_ATTRIBUTES):
                return said(node, node.attr)
            # ... and so does an object's private attribute (review 277: a singleton's `_instance` is IPython's
            # shell), where its value is used, not only shown
            # (not a named tuple's methods, which the underscore keeps from its fields: a fairness review, 334)
            private = node.attr.startswith("_") and not dunder(node.attr) and node.attr not in _NAMEDTUPLE
            if (node.attr in PATHS or private) and isinstance(node.ctx, ast.Load) and not _shown_only(node, parents) \
                    and not (isinstance(node.value, ast.Name) and (node.value.id in own or id(node.value) in selves)):
                return said(node, node.attr) + (" (a private attribute, which may lead to IPython's shell)" if private
                                                else " (it may lead to IPython's shell)")
            # a writer called as an attribute, of whatever object holds it (review 264: `abs.__self__.globals()`);
            # `model.eval()` evaluates nothing, and `compile` only compiles
            call = up if isinstance(up, ast.Call) and up.func is node else None
            if node.attr in (WRITERS - {"compile", "import_module"}) | NAMESPACES or \
                    node.attr == "eval" and call is not None and (call.args or call.keywords):
                return said(node, f".{node.attr}")
            if node.attr in RUNNER_ATTRIBUTES and not _runs_shown_code(node, parents, node.attr) and not (
                    docstrings and isinstance(node.value, ast.Name) and _runs_docstrings(node.value, parents, runners)):
                return said(node, f"{unparsed(node)[:40]}")
            # sys.modules under any name (`import sys as s`, `os.sys`: review 253), except asked whether it
            # holds a module.
            # ... or read by a name written out (`sys.modules['numpy'].__version__`: a fairness review, 256)
            call = parents.get(id(up))
            # ... and not called: `model.modules()` is a method (a fairness review, 287); `sys.modules` is a dict
            if node.attr == "modules" and not followed and not isinstance(up, ast.Compare) and not (
                    isinstance(up, ast.Call) and up.func is node) and not (
                    isinstance(up, ast.Subscript) and up.value is node and isinstance(up.ctx, ast.Load)
                    and plain_names(up.slice, strings)) and not (          # ... or `.get(...)` (review 262)
                    isinstance(up, ast.Attribute) and up.attr == "get" and isinstance(call, ast.Call)
                    and call.func is up and call.args and plain_names(call.args[0], strings)):
                return said(node, f"{unparsed(node.value)[:30]}.modules")
            call = up if isinstance(up, ast.Call) and up.func is node else None
            if node.attr == "__getattribute__" or node.attr == "attrgetter" and not (
                    call is not None and call.args and all(plain_names(a, strings) for a in call.args)):
                return said(node, node.attr)          # `operator.attrgetter('weight')` reads that (review 282)
        elif isinstance(node, ast.Name) and node.id in HANDED_ON and isinstance(node.ctx, ast.Load) and not (
                isinstance(parents.get(id(node)), ast.Call) and parents[id(node)].func is node):
            return said(node, node.id)                 # `f = setattr`, then `f(m, 'a_', False)`
        elif isinstance(node, ast.Name) and not followed and (node.id in MODULE_NAMES or (
                node.id == "__name__" and not isinstance(parents.get(id(node)), ast.Compare)
                and not _name_only_shown(node, parents))):
            return said(node, node.id)                 # m[__name__]: the module the cell runs in
        elif isinstance(node, ast.Name) and (node.id in RUNNER_NAMES or node.id in runners and isinstance(
                node.ctx, ast.Load)):
            up = parents.get(id(node))
            if isinstance(up, ast.Attribute) and up.attr in HARMLESS_FROM_RUNNERS or \
                    docstrings and _runs_docstrings(node, parents, runners) or \
                    _runs_shown_code(node, parents, runners.get(node.id, "")) or \
                    isinstance(up, ast.Attribute) and _runs_shown_code(up, parents, up.attr) or \
                    runners.get(node.id) == "shelve" and isinstance(up, ast.Attribute) and up.attr == "open" and \
                    _shelf_written_only(parents.get(id(up)), parents, tree):
                continue
            # ... said as what it does (a fairness review, 271, read "exec/globals() and the like" of `shelve.open`)
            kind = " (reading a pickle back runs what it names)" if runners.get(node.id, "").split(".")[0] in PICKLES \
                else " (it runs code given to it as text)"
            return said(node, f"{node.id}.{up.attr}" if isinstance(up, ast.Attribute) else node.id) + kind
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            # ... not builtins imported under their own names, which changes nothing (a fairness review, 328: `from
            # builtins import range`)
            same = isinstance(node, ast.ImportFrom) and node.module == "builtins" and not node.level and all(
                a.asname in (None, a.name) and a.name != "*" and hasattr(builtins, a.name) for a in node.names)
            if not same and not followed and any(n.split(".")[0] in MODULE_NAMES for n in names):
                return said(node, "import " + next(n for n in names if n.split(".")[0] in MODULE_NAMES))
            if isinstance(node, ast.ImportFrom) and node.module in ("sys", "IPython", "importlib") and any(
                    a.name in ("modules", "get_ipython", "import_module") and not (followed and a.name != "get_ipython")
                    for a in node.names):
                return said(node, f"from {node.module} import ...")
            # ... and a writer imported under another name, whose calls then name it not (review 289's run-up:
            # `from inspect import getargvalues as gav`)
            renamed = [a for a in node.names if a.name in HANDED_ON and a.asname not in (None, a.name)] \
                if isinstance(node, ast.ImportFrom) else []
            if renamed:
                return said(node, f"from {node.module} import {renamed[0].name} as {renamed[0].asname}")
        elif isinstance(node, (ast.Constant, ast.BinOp, ast.JoinedStr)) and not followed and not isinstance(
                parents.get(id(node)), (ast.Compare, ast.BinOp, ast.JoinedStr, ast.Expr)) and _names_a_module(node):
            # importlib.import_module("__main__"); not `__name__ == ...`, nor a docstring. Also a path through it,
            # written out or in parts, which a resolver of dotted names follows (review 300: `pydoc.locate('__ma' +
            # 'in__.__di' + 'ct__.update')`, `EntryPoint(value='__main__:__dict__.update').load()`, logging's
            # `dictConfig` factory `'()'`, `mock.patch.multiple('__ma' + 'in__', ...)`: 10/10 on wrong answers)
            return said(node, f"{(folded(node) or literal_start(node) + '...')[:40]!r}")
    return ""


_FOLLOWED_CALLS = frozenset({"setattr", "delattr", "import_module", "__import__"})
_FOLLOWED_ATTRIBUTES = frozenset({"__setitem__", "__setattr__", "import_module"})


def _names_a_module(node: ast.AST) -> bool:
    """Is this text the notebook's module or the builtins, or a path through them (`'__main__.__dict__'`,
    `'builtins:exec'`), written out or surely starting so (`'__ma' + x`)?"""
    whole = folded(node)
    if whole is None and isinstance(node, ast.Constant):
        return False                                   # a number, bytes
    text = whole if whole is not None else literal_start(node)
    if "__main__" in text or re.match(r"builtins(?:$|[.:])", text):
        return True
    return whole is None and len(text) >= 3 and "__main__".startswith(text)


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
    for n in walk(tree):
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


def _names_read(tree: ast.AST) -> set[str]:
    return {n.id for n in walk(tree) if isinstance(n, ast.Name)}


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


# doctest's runners of the examples in docstrings: they run them in a copy of the namespace they are given
_DOCSTRING_RUNNERS = frozenset({"doctest.testmod", "doctest.run_docstring_examples"})


def _runs_docstrings(node: ast.Name, parents: dict[int, ast.AST], runners: dict[str, str]) -> bool:
    """Is this name, called, one of doctest's runners of the notebook's docstrings (`doctest.testmod()`, `testmod()`
    imported so, `dt.testmod()`)?"""
    up = parents.get(id(node))
    module = "doctest" if node.id == "doctest" and node.id not in runners else runners.get(node.id, "")
    if isinstance(up, ast.Attribute) and up.value is node:
        func, name = up, f"{module}.{up.attr}"
    else:
        func, name = node, module
    call = parents.get(id(func))
    return name in _DOCSTRING_RUNNERS and isinstance(call, ast.Call) and call.func is func


def docstring_runs(tree: ast.AST) -> str:
    """Where the cell calls doctest's runners of the docstrings' examples ('`doctest.testmod` on line 8'; '' for
    none): they run code the grader does not read as the cell's (a fairness review, 410: `doctest.testmod()` in the
    answers cell cost all five answers, where in a helper of a cell above it cost nothing; the examples run in a copy
    of the namespace, and what reaches the notebook's module from them a TA reads)."""
    parents = {id(child): node for node in walk(tree) for child in child_nodes(node)}
    runners = {(a.asname or a.name): (a.name if isinstance(n, ast.Import) else f"{n.module}.{a.name}")
               for n in walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) and not getattr(n, "level", 0)
               and (n.module if isinstance(n, ast.ImportFrom) else "doctest") == "doctest" for a in n.names
               if isinstance(n, ast.ImportFrom) or a.name == "doctest"}
    for node in walk(tree):
        if isinstance(node, ast.Name) and (node.id == "doctest" or node.id in runners) and \
                _runs_docstrings(node, parents, runners):
            up = parents.get(id(node))
            spelled = f"{node.id}.{up.attr}" if isinstance(up, ast.Attribute) and up.value is node else node.id
            return f"`{spelled}` on line {node.lineno}"
    return ""


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
        if dynamic_write(inner) or evaluated(inner) or any(isinstance(n, (ast.Global, ast.Nonlocal)) for n in walk(inner)):
            return False
        if not own and any(isinstance(n, _BINDS) or isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
                           for n in walk(inner)):
            return False
        # an object's attribute or item stored, in the notebook's namespace: the object may be the notebook's
        # module (review 253); timeit's own namespace holds no object of the notebook's
        if not own and any(isinstance(n, (ast.Attribute, ast.Subscript)) and not isinstance(n.ctx, ast.Load)
                           for n in walk(inner)):
            return False
    return True


def evaluated(tree: ast.AST) -> str:
    """An eval of computed text ('' for none): what it runs is not known before it runs."""
    for node in walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "eval" \
                and node.args and not isinstance(node.args[0], ast.Constant):
            return f"`eval(...)` on line {node.lineno}"
    return ""


# Modules of Python's own through whose namespace another module (the notebook's) may be reached.
_KNOWN_MODULES = {"sys", "os", "gc", "builtins", "importlib", "types", "inspect", "operator", "functools", "threading",
                  "weakref", "site", "io", "ctypes", "__main__", "__builtins__", "IPython", "ipykernel"}


def _module_like(node: ast.AST, modules: set[str]) -> bool:
    """May this expression be a module (in whose namespace `sys.modules`, so the notebook's own, may be)?
    ``modules``: the names that may be bound to one. An object of the student's is not. (Read part after part, not
    by recursion: `1 if 1 else 1 if ...` 1,450 deep ran out of Python's stack, a grader error: review 350.)"""
    todo = [node]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Name):
            if node.id in modules:
                return True
        elif isinstance(node, (ast.Attribute, ast.Subscript)):
            if getattr(node, "attr", "") == "modules":
                return True
            todo.append(node.value)
        elif isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in ("__import__", "import_module", "vars", "getattr") or \
                    isinstance(f, ast.Attribute) and f.attr in ("import_module", "get"):
                return True
            # ... and so may a module's function given a computed argument (`pkgutil.resolve_name('__ma' + 'in__')`:
            # review 270); `argparse.Namespace(**vars(args))` and `nn.Linear(784, 10)` are the student's objects
            if any(not isinstance(a, ast.Constant) for a in node.args):
                todo.append(f)
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            todo.extend(node.elts)
        elif isinstance(node, (ast.Starred, ast.NamedExpr)):
            todo.append(node.value)
        elif isinstance(node, ast.IfExp):
            todo += [node.body, node.orelse]
        elif isinstance(node, ast.BoolOp):
            todo.extend(node.values)
    return False


def _may_hold_modules(tree: ast.AST, modules: set[str]) -> None:
    """Add to ``modules`` the names the cell binds to what may be a module (`x = sys`, `for x in [sys]`,
    `(x := sys)`), every parameter of its functions and lambdas (`(lambda o: getattr(o, k))(sys)`) and the
    names it reads without binding them."""
    params = {a.arg for n in walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
              for a in [*n.args.posonlyargs, *n.args.args, *n.args.kwonlyargs, n.args.vararg, n.args.kwarg]
              if a is not None}
    # a name the cell reads and does not bind comes from an earlier cell, which may have imported it (review
    # 258: `torch.__dict__['s' + 'ys']`, torch imported above)
    bound = bound_elsewhere(tree, set()) | params
    free = {n.id for n in walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound
    modules |= params | free
    _bound_to(tree, modules, _module_like)


def _bound_to(tree: ast.AST, names: set[str], like) -> set[str]:
    """Add to ``names`` (and return them) the names the cell binds to a value ``like(value, names)`` accepts
    (`x = sys`, `for x in [sys]`, `(x := sys)`, `with ... as x`), through chains of assignments a few deep."""
    for _ in range(4):
        before = len(names)
        for n in walk(tree):
            # (one value read once for all its targets: `a = a = ... = [...]` had it read again for each, 188 s of the
            # grader's time for one cell: review 350)
            pairs = [(ast.Tuple(n.targets, ast.Store()), n.value)] if isinstance(n, ast.Assign) else \
                [(n.target, n.value)] if isinstance(n, (ast.AnnAssign, ast.NamedExpr, ast.AugAssign)) and n.value else \
                [(n.target, n.iter)] if isinstance(n, (ast.For, ast.AsyncFor, ast.comprehension)) else \
                [(i.optional_vars, i.context_expr) for i in n.items if i.optional_vars] if isinstance(n, (ast.With, ast.AsyncWith)) else []
            for target, value in pairs:
                if like(value, names):
                    names |= {x.id for x in walk(target) if isinstance(x, ast.Name)}
        if len(names) == before:
            break
    return names


def _handed_to_docstrings(node: ast.Call, parents: dict[int, ast.AST], runners: dict[str, str]) -> bool:
    """`globals()` handed to doctest's runner of the docstrings (`run_docstring_examples(f, globals())`, `testmod(globs=
    globals())`), which runs the examples in a copy of it (a fairness review, 415: it cost all five answers)."""
    up = parents.get(id(node))
    call = parents.get(id(up)) if isinstance(up, ast.keyword) else up
    if not isinstance(call, ast.Call) or node.args:
        return False
    f = call.func
    head = f.value if isinstance(f, ast.Attribute) else f
    return isinstance(head, ast.Name) and _runs_docstrings(head, parents, runners)


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
            and not (other and not plain_names(parent.slice, strings or {}))
    # shown, measured, or its keys listed (names are strings); `dict(ns)` and `ns.values()` hand out what it
    # holds, which only showing keeps harmless (review 284: `dict(exit._ip.__dict__)['user_ns'].update(...)`)
    if isinstance(parent, ast.Call) and node in parent.args and isinstance(parent.func, ast.Name) and (
            parent.func.id in ("print", "len", "repr", "str") or
            parent.func.id in ("sorted", "list", "set", "tuple") and not parent.keywords):
        return True
    if isinstance(parent, ast.Compare):
        # ... asked whether it holds a name, whatever name (a fairness review, 334: `n in globals()` in a loop)
        at = [c is node for c in parent.comparators]
        if any(at) and isinstance(parent.ops[at.index(True)], (ast.In, ast.NotIn)):
            return True
        return _against_literals(parent, node)
    # ... or its names looped over (334: `sorted(k for k in locals() if k.endswith('_'))`)
    if isinstance(parent, (ast.comprehension, ast.For)) and parent.iter is node:
        return True
    call = parents.get(id(parent))
    own = isinstance(node, ast.Call) and not node.args      # `globals()`: the notebook's own names and values
    return isinstance(parent, ast.Attribute) and parent.attr in _READERS and isinstance(call, ast.Call) and \
        call.func is parent and (parent.attr == "keys" or own or _shown_only(call, parents))


# Lines of IPython's everyday use that reach nothing (a fairness review, 326): the display and debugger helpers
# imported by name, the shell's class imported only to set what a cell shows to a literal (any other use of the
# class is read on its own line), a module imported whole (what the cell does with it is read where it does it), a
# package's version shown, and a shell command with no Python of its own to fill in (`!pip show ipykernel`).
_EVERYDAY_IPYTHON = re.compile(
    r"[ \t]*(?:import[ \t]+IPython\.core\.(?:display|debugger|pylabtools)(?:[ \t]+as[ \t]+\w+)?"
    r"|from[ \t]+gc[ \t]+import[ \t]+collect"
    r"|from[ \t]+IPython\.core\.(?:display|debugger|pylabtools|getipython)[ \t]+import[ \t]+\(?[ \t]*\w+(?:[ \t]+as[ \t]+\w+)?"
    r"(?:[ \t]*,[ \t]*\w+(?:[ \t]+as[ \t]+\w+)?)*[ \t]*,?[ \t]*\)?"
    r"|from[ \t]+IPython\.core\.interactiveshell[ \t]+import[ \t]+InteractiveShell"
    r"|(?:ZMQ)?InteractiveShell\.ast_node_interactivity[ \t]*=[ \t]*(['\"])\w+\1"
    r"|import[ \t]+\w+(?:[ \t]*,[ \t]*\w+)*"
    # ... and the traits widgets are made of (review 333: `from traitlets import link` beside ipywidgets)
    r"|from[ \t]+traitlets[ \t]+import[ \t]+(?:(?:link|dlink|observe|validate|default|HasTraits|Unicode|Int|Float|Bool|"
    r"List|Dict|Instance|Any|Tuple|Enum|CInt|CFloat)(?:[ \t]*,[ \t]*|[ \t]*$))+"
    r"|print\([ \t]*ipykernel\.__version__[ \t]*\)"
    r"|![^{}\n]*|%(?:pip|conda)\b[^{}\n]*)[ \t]*;?[ \t]*")


# ... and a name only asked about: the shell's class name compared (`get_ipython().__class__.__name__ ==
# 'ZMQInteractiveShell'`, the everyday "am I in a notebook?" test), the kernel's module looked for (`'ipykernel' in
# sys.modules`): a fairness review, 328
# A string of words, which names no module (not one that reads as code: `exec("from IPython...")`)
# (in one pass: a space looked for ahead, then the string's body read without going back; the lazy body before and
# after the space had read a string of 50,000 characters that ends in a parenthesis once for each space, 27 s for one
# cell: review 355)
_WORDS = (r"""(['"])(?=(?:(?!\5)[^\n])*?[ \t])(?:(?!\5|import|IPython|get_ipython|Shell|exec)[^()=;\n])*+\5""")
_NAMES_ASKED = re.compile(r"""(?:==|!=)[ \t]*(['"])(?:ZMQ|Terminal)?InteractiveShell\1|(['"])(?:ZMQ|Terminal)?"""
                          r"""InteractiveShell\2[ \t]*(?:==|!=|:)|(['"])(?:ipykernel|IPKernelApp|(?:ZMQ|Terminal)?"""
                          r"""InteractiveShell)\3[ \t]+(?:not[ \t]+)?in\b|\bin[ \t]*[(\[{](?:[ \t]*(['"])\w+\4[ \t]*,?)+[)\]}]|"""
                          # ... and the kernel's version shown, or its name in words (a fairness review, 330): a
                          # string of words names no module (not one that reads as code: `exec("from IPython...")`)
                          r"""\bipykernel\.__version__\b|""" + _WORDS)
# ... the string of words itself, where the cell does not tokenize (where it does, its strings are found as Python finds
# them: a fairness review, 344: `'google.colab' in sys.modules or 'ipykernel' in sys.modules` read `' in sys.modules or
# '` as a string of words, and `ipykernel'` then as a name)
_NAMES_ASKED_IN_CODE = re.compile(_NAMES_ASKED.pattern.removesuffix("|" + _WORDS))
_NOT_WORDS = re.compile(r"[()=;\n]|import|IPython|get_ipython|Shell|exec")


def _words_inside(text: str) -> bool:
    """Is this a string's body of words: a space or a tab in it, and no character or word of code? (A scan, not the
    pattern that read a lazy run before the space and another after it: quadratic, review 355.)"""
    return (" " in text or "\t" in text) and _NOT_WORDS.search(text) is None
# Cells whose body is not Python, nor read as such (a shell script, markup): a fairness review, 330 (`%%bash` that
# installs the kernel)
_NOT_PYTHON = re.compile(r"\s*%%(?:bash|sh|markdown|html|latex|svg)\b")


# The words a name only asked about (`== 'ZMQInteractiveShell'`, `'ipykernel' in`, `in ('a', 'b')`) is read without:
# the kernel's and the shell's names, which honest cells test for (fairness reviews 328, 330); any other word in it is
# read (review 349: `for n in ('input_transformers_post',):` had the whole tuple read past).
_KERNEL_WORDS = re.compile(r"ipykernel|IPKernelApp|traitlets|SingletonConfigurable|(?:ZMQ|Terminal)?InteractiveShell")


def _kernel_words_blanked(text: str) -> str:
    return _KERNEL_WORDS.sub(lambda m: " " * len(m.group()), text) if any(
        w in text for w in ("ipykernel", "IPKernel", "traitlets", "Singleton", "InteractiveShell")) else text


_NAMEDTUPLE = {"_asdict", "_replace", "_fields", "_make", "_field_defaults"}
# Calls that take the module's name as a string and hand back no module: a logger by that name, the name shown
# (a fairness review, 334: `logging.getLogger(__name__)` and `print(__name__)` in the answers cell cost all ten points)
_NAME_SHOWERS = {"getLogger", "print", "str", "repr", "len", "format", "display"}


def _name_only_shown(node: ast.AST, parents: dict) -> bool:
    up = parents.get(id(node))
    if isinstance(up, ast.FormattedValue):
        return True
    if isinstance(up, ast.Call) and node in up.args:
        f = up.func
        return (f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else "") in _NAME_SHOWERS
    return False


# Calls that only show a string, or name a logger or a warning's module by it: the kernel's names in a string handed
# straight to one are words (a fairness review, 347: `warnings.filterwarnings('ignore', module='ipykernel')`,
# `getLogger('traitlets')`, `print('Kernel: ipykernel')`, a docstring that names the kernel, each flagged `exec:`); the
# rest of it is read as code, since the call may be `exec` under that name (review 349)
_SHOWN_BY = {"print", "display", "Markdown", "HTML", "Latex", "warn", "filterwarnings", "simplefilter", "getLogger",
             "debug", "info", "warning", "error", "critical", "exception", "log", "basicConfig", "setLevel", "tqdm",
             "trange", "set_description", "set_postfix_str", "write"}


def _parsed(text: str) -> ast.Module | None:
    """The text's syntax tree, its magic and shell lines read as `pass` of the same length where it does not parse
    as it is (each node keeps its line and column)."""
    for attempt in (text, None):
        if attempt is None:
            attempt = _MAGIC_LINE.sub(lambda m: m.group(1) + "pass".ljust(len(m.group(2))), text)
            if attempt == text:
                return None
        try:
            return ast.parse(attempt)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None


_MAGIC_LINE = re.compile(r"^([ \t]*)([%!][^\n]*)", re.M)


def _shown_strings(text: str, tree: ast.Module | None) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(start, end) as (line, column) of each string the cell only shows: a docstring or a string standing as a
    statement, or one handed as it is to a call of `_SHOWN_BY`; none where the text does not parse, even with its
    magic and shell lines read as `pass` (review 349: `%%time` or `%matplotlib inline` above a print of the kernel's
    name had the print read as code), nor where a lone carriage return ends a line (the syntax tree counts it as a
    line's end, the tokenizer does not, and a span would fall on another string: review 349)."""
    if tree is None or "\r" in text and re.search(r"\r(?!\n)", text):
        return []
    lines = text.split("\n")

    def at(row: int, col: int) -> tuple[int, int]:          # the syntax tree counts a line's bytes, tokens characters
        return row, len(lines[row - 1].encode()[:col].decode("utf-8", "ignore"))
    spans = []
    for node in walk(tree):
        if isinstance(node, ast.Expr):
            strings = [node.value]
        elif isinstance(node, ast.Call) and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr if
                                             isinstance(node.func, ast.Attribute) else "") in _SHOWN_BY:
            strings = [*node.args, *(k.value for k in node.keywords)]
        else:
            continue
        spans += [(at(s.lineno, s.col_offset), at(s.end_lineno, s.end_col_offset)) for s in strings
                  if isinstance(s, ast.Constant) and isinstance(s.value, str)]
    return sorted(spans)


# What a string's text holds where it reads as code that does something (review 351: `print = exec` above
# `print("from ipykernel.zmqshell import ...")`: the kernel's names read past in a string only shown carried the
# shell past the scan); a sentence that names the kernel does not parse, or parses as names only (`Kernel: ipykernel`)
_DOING = (ast.Call, ast.Import, ast.ImportFrom, ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
          ast.For, ast.While, ast.With, ast.If, ast.Try, ast.Raise, ast.Await)


def _reads_as_code(token: str) -> bool:
    """Does a string token's text parse as Python that does something (a call, an import, an attribute...)?"""
    try:
        body = ast.literal_eval(token)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return True                                 # (an f-string: its code is read as code anyway)
    if not isinstance(body, str):
        return True
    try:
        tree = ast.parse(body.strip())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    # (a dotted name or a name given a name is words: `getLogger("ipykernel.kernelbase")`, "Kernel = ipykernel"; an
    # attribute or a key set is not: `exit._ip.run_ast_nodes = ...`)
    return any(isinstance(n, _DOING) or isinstance(n, (ast.Attribute, ast.Subscript)) and not isinstance(n.ctx, ast.Load)
               for n in walk(tree))


def _words_blanked(text: str, tree: ast.Module | None) -> str | None:
    """The text with the kernel's names (`_KERNEL_WORDS`) blanked in each string of words (a string on one line with
    a space in it and no word of code: `_WORDS`) and in each string it only shows (`_shown_strings`), its strings
    found by Python's tokenizer; strings joined by `+` or by standing side by side read as the
    one string they make (`'addaudit' + 'hook'`: the scans for what code names read it whole, as the pattern that
    read strings by their quotes happened to). None where the text does not tokenize."""
    starts = [0]
    for ln in text.split("\n"):
        starts.append(starts[-1] + len(ln) + 1)
    chars: list[str] = list(text)
    groups: list[list[tuple[int, str]]] = []         # runs of strings joined on one line: (offset, token)
    shown = _shown_strings(text, tree)
    firsts = [start for start, _ in shown]
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type != tokenize.STRING:
                continue
            k = bisect.bisect_right(firsts, tok.start) - 1
            if k >= 0 and tok.end <= shown[k][1]:
                begin = starts[tok.start[0] - 1] + tok.start[1]
                if not _reads_as_code(tok.string):
                    chars[begin:begin + len(tok.string)] = [c if c == "\n" else " " for c in tok.string]
                continue
            if tok.start[0] != tok.end[0] or tok.string[-1] not in "'\"" or \
                    tok.string.endswith(("'" * 3, '"' * 3)):
                continue
            begin = starts[tok.start[0] - 1] + tok.start[1]
            if groups:
                last_begin, last = groups[-1][-1]
                between = text[last_begin + len(last):begin]
                if "\n" not in between and between.strip(" \t+") == "":
                    groups[-1].append((begin, tok.string))
                    continue
            groups.append([(begin, tok.string)])
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError, IndexError):
        return None
    for group in groups:
        bodies = [token[token.index(token[-1]) + 1:-1] for _, token in group]
        first, end = group[0][0], group[-1][0] + len(group[-1][1])
        if _words_inside("".join(bodies)):
            chars[first:end] = [" "] * (end - first)
            continue
        for (begin, token), (after, following) in zip(group, group[1:]):
            opening = following.index(following[-1]) + 1        # its prefix and quote
            for i in range(begin + len(token) - 1, after + opening):
                chars[i] = ""                   # (each place keeps its index: the text shrinks only when joined)
    return "".join(chars)


# How a cell may use IPython's shell and be read as everyday code: the shell's object is read where it is used, and
# only these uses are everyday ones; any other (held in a container, handed to a function, an attribute read and
# kept, `exit._ip`) may hook what later cells run, and is flagged. Reviews 349 and 351 reached the shell's events,
# input transformers and `run_ast_nodes` through names, defaults, `functools.reduce(getattr, ...)`,
# `operator.attrgetter`, unpacking, loops, class attributes and IPython's `exit` object, one spelling after another:
# what is read now is what honest notebooks do with the shell (the fairness reviews' 1,398 cells).
_SHELL_METHODS = {"run_line_magic", "run_cell_magic", "magic", "system", "getoutput",     # read as magics elsewhere
                  "has_trait", "push", "del_var"}          # ... and a trait asked about, variables set or deleted
_SHELL_SETTINGS = {"ast_node_interactivity", "colors", "autoindent", "pdb", "xmode", "execution_count"}
_SHELL_PARTS = {"config", "display_formatter", "Completer", "extension_manager", "history_manager"}   # read or set
#                                                           below: they run no code of a cell's (but a formatter of
#                                                           one's own, which is a function handed on)
_SHELL_ASKED = {"__class__", "kernel", "config", "user_ns"}   # read only to ask about them
_ASKERS = {"bool", "type", "str", "repr", "print", "isinstance", "hasattr", "id", "len", "sorted", "list", "display"}
_NS_READS = {"get", "keys", "items", "values", "__contains__", "copy",
             # ... and written: names set without naming them, which the scans for such code read (flagged where the
             # answers cell uses a name of Python's own that they may set)
             "update", "setdefault", "pop", "__setitem__", "__delitem__"}


def _shell_escapes(text: str, tree: ast.Module | None) -> ast.AST | None:
    """Where the cell uses IPython's shell otherwise than an everyday cell does: `get_ipython()` (or a name the cell
    gives it) calling a magic, read for a setting, tested (`is None`, `type(...)`, `hasattr(..., 'kernel')`), its
    `user_ns` read, its `config` or `display_formatter` set; also the shell reached through IPython's `exit` or
    `quit` object (`exit._ip`), and `get_ipython` itself handed on as a value. None where there is no such use."""
    if tree is None or not any(w in text for w in ("get_ipython", "_ip", "exit", "quit", "instance", "shell")):
        return None
    parents: dict[int, ast.AST] = {}
    for node in walk(tree):
        for child in child_nodes(node):
            parents[id(child)] = node
    makers = {"get_ipython"} | {a.asname for n in walk(tree) if isinstance(n, ast.ImportFrom)
                                for a in n.names if a.name == "get_ipython" and a.asname}
    holders: set[str] = set()
    uses: list[ast.AST] = []
    for node in walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in makers:
            call = parents.get(id(node))
            if isinstance(call, ast.Expr):
                continue                                    # `try: get_ipython` (does it exist?)
            if not (isinstance(call, ast.Call) and call.func is node and not call.args and not call.keywords):
                return node                                 # `get_ipython` handed on, or called with arguments
            uses.append(call)
        elif isinstance(node, ast.Attribute) and node.attr == "get_ipython":
            call = parents.get(id(node))
            if not (isinstance(call, ast.Call) and call.func is node):
                return node
            uses.append(call)
        elif isinstance(node, ast.Attribute) and node.attr in ("_ip", "shell", "__self__") and (
                node.attr == "_ip" or isinstance(node.value, ast.Attribute) and node.value.attr == "kernel"):
            return node                                     # `exit._ip`, `get_ipython().kernel.shell`
        elif isinstance(node, ast.Constant) and node.value in ("get_ipython", "_ip") and not isinstance(
                parents.get(id(node)), ast.Compare):
            return node                                     # `globals()['get_ipython']()`, `vars(exit)['_ip']`
        elif isinstance(node, ast.Attribute) and (
                node.attr == "instance" and re.search(r"App|Shell", getattr(node.value, "attr", "") or getattr(
                    node.value, "id", "")) or
                node.attr == "shell" and isinstance(node.value, ast.Call)):
            return node                                     # `IPython.Application.instance().shell` (review 353)
        elif isinstance(node, ast.Name) and node.id in ("exit", "quit") and isinstance(node.ctx, ast.Load):
            up = parents.get(id(node))
            if (isinstance(up, (ast.Attribute, ast.Subscript)) and up.value is node or isinstance(up, ast.Call) and
                    node in up.args and not (isinstance(up.func, ast.Name) and up.func.id in _ASKERS)) and \
                    node.id not in bound_elsewhere(tree, set()):
                return node                                 # IPython's exit object, which holds the shell
    functions = {f.name: f for f in walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
    loads: dict[str, list[ast.AST]] = {}        # each name's and attribute's reads, found once (a cell of 3,000
    for n in walk(tree):                        # holders had the cell walked again for each: quadratic)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            loads.setdefault(n.id, []).append(n)
        elif isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Load):
            loads.setdefault("." + n.attr, []).append(n)
    kept: set[str] = set()                  # attributes given the shell (`self.ip = get_ipython()`)
    done = 0
    while done < len(uses):                 # (a holder's uses may make more holders)
        for use in uses[done:]:
            done += 1
            up = parents.get(id(use))
            if isinstance(up, ast.IfExp) and up.test is not use:     # `ip = get_ipython() if ... else None`
                up = parents.get(id(up))
            target_name = None
            if isinstance(up, ast.NamedExpr) and up.value is use:    # `(ip := get_ipython()) is not None`
                target_name = up.target.id
                uses.append(up)
            elif isinstance(up, ast.Tuple) and isinstance(parents.get(id(up)), ast.Assign) and \
                    parents[id(up)].value is up and len(parents[id(up)].targets) == 1:
                target = parents[id(up)].targets[0]         # `ip, IN_NB = get_ipython(), True`
                if isinstance(target, ast.Tuple) and len(target.elts) == len(up.elts) and \
                        isinstance(target.elts[up.elts.index(use)], ast.Name):
                    target_name = target.elts[up.elts.index(use)].id
            elif isinstance(up, ast.arguments) and use in up.defaults:   # `def setup(ip=get_ipython()):`
                params = [*up.posonlyargs, *up.args]
                target_name = params[len(params) - len(up.defaults) + up.defaults.index(use)].arg
            if target_name is not None:
                if target_name not in holders:
                    holders.add(target_name)
                    uses += loads.get(target_name, [])
                continue
            if isinstance(up, ast.Assign) and len(up.targets) == 1:
                target = up.targets[0]
                if isinstance(target, ast.Name) and not isinstance(parents.get(id(up)), ast.ClassDef):
                    if target.id not in holders:
                        holders.add(target.id)
                        uses += loads.get(target.id, [])
                    continue
                name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(
                    target, ast.Name) else None      # an attribute of an object or a class
                if name is not None and name not in kept:
                    kept.add(name)
                    uses += loads.get("." + name, [])
                continue
            # ... handed to a function of the cell's own: its parameter is read as the shell is
            if isinstance(up, ast.Call) and isinstance(up.func, ast.Name) and up.func.id in functions and use in up.args:
                f = functions[up.func.id]
                params = [*f.args.posonlyargs, *f.args.args]
                at = up.args.index(use)
                if at < len(params) and params[at].arg not in holders:
                    holders.add(params[at].arg)
                    uses += loads.get(params[at].arg, [])
                continue
            if not _everyday_use(use, parents):
                return use
    return None


def _everyday_use(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    up = parents.get(id(node))
    if isinstance(up, ast.IfExp) and up.test is not node and isinstance(parents.get(id(up)), ast.Assign):
        node, up = up, parents.get(id(up))                  # `ip = get_ipython() if ... else None`
    if isinstance(up, ast.Assign) and len(up.targets) == 1 and isinstance(up.targets[0], ast.Name) and \
            up.value is node and not isinstance(parents.get(id(up)), ast.ClassDef):
        return True                     # `ip = get_ipython()`: its uses are read in turn (not a class's attribute)
    if _only_asked(node, up, parents):
        return True
    if isinstance(up, ast.Call) and up.args and up.args[0] is node:
        f = up.func
        name = f.id if isinstance(f, ast.Name) else ""
        if name in ("getattr", "hasattr") and len(up.args) >= 2 and isinstance(up.args[1], ast.Constant) \
                and up.args[1].value in _SHELL_ASKED | _SHELL_SETTINGS:
            return name == "hasattr" or _only_asked(up, parents.get(id(up)), parents)
        return name in _ASKERS
    if not (isinstance(up, ast.Attribute) and up.value is node):
        return False
    above = parents.get(id(up))
    if up.attr in _SHELL_METHODS:       # (a magic named by code, as honest loops over magics do, is read where the
        #                                 magic's own reading finds it: `'ali' + 'as'` is not, review 353)
        return isinstance(above, ast.Call) and above.func is up
    if up.attr in _SHELL_SETTINGS:      # set, or read and shown: not gone into, nor called
        return not (isinstance(above, (ast.Attribute, ast.Subscript)) and above.value is up or
                    isinstance(above, ast.Call) and above.func is up)
    if up.attr in _SHELL_PARTS:
        return _settles_below(up, parents)
    if up.attr in ("user_ns", "user_global_ns"):
        if isinstance(above, ast.Assign) and above.value is up:
            return True                 # the namespace held (`ns = get_ipython().user_ns`): a dict of names, whose
            #                             writes the scans for names set without naming them read
        if isinstance(above, ast.Compare) and any(c is up for c in above.comparators):
            return True
        if isinstance(above, (ast.comprehension, ast.For)) and above.iter is up:
            return True                                     # its names listed
        if isinstance(above, ast.Subscript) and above.value is up:
            return True             # a variable read or set by its name (`ip.user_ns['DEVICE'] = 'cpu'`): the
            #                         scans for names set without naming them read it as such
        return isinstance(above, ast.Attribute) and above.attr in _NS_READS and isinstance(
            parents.get(id(above)), ast.Call) or _only_asked(up, above, parents)
    if up.attr in ("__class__", "kernel"):
        return _only_asked(up, above, parents) or up.attr == "__class__" and isinstance(above, ast.Attribute) \
            and above.attr in ("__name__", "__module__", "__qualname__") or up.attr == "kernel" and isinstance(
                above, ast.Attribute) and above.attr == "__class__" and _everyday_use(up, parents)
    return False


def _only_asked(node: ast.AST, up: ast.AST | None, parents: dict[int, ast.AST]) -> bool:
    """Used only as a test's value: compared, negated, tested by `if`, shown (also in an f-string or a log line), or
    its type asked."""
    if isinstance(up, (ast.Compare, ast.BoolOp, ast.FormattedValue)) or isinstance(up, ast.UnaryOp) and isinstance(
            up.op, ast.Not):
        return True
    if isinstance(up, ast.Call) and node in up.args and isinstance(up.func, ast.Attribute) and up.func.attr in (
            "debug", "info", "warning", "error", "critical", "log", "write"):
        return True
    if isinstance(up, (ast.If, ast.While, ast.IfExp, ast.Assert)) and up.test is node:
        return True
    return isinstance(up, ast.Call) and node in up.args and isinstance(up.func, ast.Name) and up.func.id in _ASKERS


def _settles_below(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """A part of the shell that runs no code of a cell's: read or set below it, never handed on whole."""
    up = parents.get(id(node))
    while isinstance(up, (ast.Attribute, ast.Subscript)) and up.value is node:
        if isinstance(up, ast.Attribute) and up.attr in ("shell", "parent", "kernel", "_ip", "__self__"):
            return False                                    # back to the shell (`display_formatter.shell`)
        node, up = up, parents.get(id(up))
    return not isinstance(up, ast.Call) or up.func is node or isinstance(up.func, ast.Name) and up.func.id in \
        _ASKERS | {"vars", "dict"}


def shell_reached(source: str) -> str:
    """A sign that the cell makes a magic of its own or reaches IPython's shell ('' for none), as
    '`InteractiveShell` on line 3'. Answers on plain lines are read before any of it runs, and a magic
    line's answers need a cell without it (`magic_set`): it is for a TA to read (a fairness review:
    `%load_ext watermark`, `from IPython.core.display import HTML` had cost the five answers)."""
    # ... not an everyday setting's name (`%config ZMQInteractiveShell.ast_node_interactivity = 'all'`: a fairness
    # review, 271)
    if _NOT_PYTHON.match(source):
        return ""
    text = scan_text(source)
    tree = _parsed(text)           # (read once for what it only shows and how it uses the shell)
    words = _words_blanked(text, tree)
    asked = _NAMES_ASKED if words is None else _NAMES_ASKED_IN_CODE
    named = "\n".join("" if "%config" in line and everyday_setting(line) or _EVERYDAY_IPYTHON.fullmatch(line) else
                      asked.sub(lambda m: _kernel_words_blanked(m.group()), line)
                      for line in (text if words is None else words).split("\n"))
    made = [m for m in (makes_magic(named), reaches_shell(named)) if m is not None]
    if not made:
        chosen = _shell_escapes(text, tree)
        return f"`{quoted(chosen)}` on line {chosen.lineno}" if chosen is not None else ""
    first = min(made, key=lambda m: m.start())
    return f"`{first.group()}` on line {named.count(chr(10), 0, first.start()) + 1}"


def writers(source: str, names, tree: ast.AST | None = None, settled: dict[str, int] | None = None,
            on_objects: bool = True, followed: bool = False, docstrings: bool = False) -> dict[str, str]:
    """Each of ``names`` that code of the cell can set without naming it as a target, with what
    does it ('`exec(...)` on line 7'); the cell is parsed once (``tree``: parsed already). ``settled``: the
    line of each name's last assignment that surely runs (`_magic_write`); ``on_objects``: as `dynamic_write` and
    `names_stored` have it; ``docstrings``: as `dynamic_write` has it."""
    if tree is None:
        tree = python_tree(source)
    modules = _modules_in(tree) if tree is not None else set()
    general = dynamic_write(tree, modules, on_objects, followed, docstrings) if tree is not None else ""
    if not general:
        # `!echo {get_ipython().user_ns.update(a_=...)}`: IPython runs the braces as Python while it
        # fills in the line (a hundred-and-ninety-second review: all five answers set otherwise, 10/10).
        filled = [(line, expr) for line, expr in expansions(source) if not _shows_only(expr)]
        general = f"Python in the shell or magic line on line {filled[0][0]} (IPython runs it as Python)" if filled else ""
    stored = _stored_on_modules(tree, modules) if tree is not None and on_objects else {}
    settled = settled or {}
    magics = magic_writes(source, names, settled)        # (the cell's magics read once for every name: review 423)
    said = {n: magics[n] or general or stored.get(n, "") for n in names}
    # Python run in a magic's `{...}` is said as such, not as arguments filled in (review 296's reason says less)
    said = {n: general if general and FILLED_IN in what else what for n, what in said.items()}
    return {n: what for n, what in said.items() if what}


def _modules_in(tree: ast.AST) -> set[str]:
    """The names that may hold a module in the cell (`_module_like`): Python's own, those it imports, reads
    from an earlier cell or assigns from one."""
    modules = set(_KNOWN_MODULES)
    for node in walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules |= {(a.asname or a.name).split(".")[0] for a in node.names}
    _may_hold_modules(tree, modules)
    return modules


def _stored_on_modules(tree: ast.AST, modules: set[str]) -> dict[str, str]:
    """Names the cell stores as an attribute of what may be a module (`m.a_ = False`), with where: it may
    be the notebook's own, however the cell came by it (review 253 reached it by computed names); an object
    the cell made is not (`answers = SimpleNamespace()`, then `answers.a_ = a_`: a fairness review, 265; nor
    `self` in its class's `__init__`: `own_instances`)."""
    own = own_instances(tree)
    out: dict[str, str] = {}
    for store in stores(tree):
        node = store.node
        if isinstance(node, ast.Attribute) and id(node.value) not in own and _module_like(store.owner, modules):
            out.setdefault(node.attr, f"`{unparsed(node)[:40]} = ...` on line {node.lineno} (an attribute of an "
                                      f"object that may be the notebook's module)")
    return out

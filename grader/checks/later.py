"""Functions of the cells above the True/False answers that may run after the answers cell and write the notebook's
names: a thread, a timer, a callback, a finalizer, a method Python calls, a generator or a coroutine resumed later.
The answers are graded as written in their cell; such a function can make Jupyter end otherwise, so it is flagged for
a TA (the answers cell's literals still earn what they earn: no point is gained this way).

The notebook's names are reached many ways (`global`, `globals()`, a frame's `f_globals`, a function's `__globals__`,
`sys.modules['__main__']`, `__import__('__main__')`, the shell's `user_ns`), and the namespace, once reached, is a
dict that can be handed anywhere (review 357: `operator.setitem(globals(), ...)`, a default argument, a class
attribute, a closure, a `ChainMap`, an argument of a timer). A list of the ways to write it could not end, so the
namespace is followed as a value: each use of it is a read (a key looked up, a test, shown), a write where it stands
(a key set, `.update`), or handed on (to any other call, a container, a name that is then followed). A write or a
hand-on inside a function that may run later is flagged; and where the namespace is handed on anywhere above, a
function that may run later and writes into an object it did not make (which may be the namespace) is flagged too.
What stays unflagged are the honest uses a fairness review (356) found: the namespace read, names written that no
answer has (`globals()[f'acc_{name}']`), `exec(text, {}, cfg)`, `vars()` of a function, methods that set their own
attributes."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ..magics import python_tree
from ..syntax import child_nodes, quoted, walk, within
from .doors import folded, literal_start

NAMESPACE, MODULE, SHELL, MAKER = "namespace", "module", "shell", "maker"    # what a value may be

_MAKERS = frozenset({"globals", "vars", "locals"})          # the module's names where called at its top level
_NS_ATTRS = frozenset({"__globals__", "f_globals", "f_locals", "user_ns", "user_global_ns"})
_MODULE_CALLS = frozenset({"__import__", "import_module", "getmodule"})
_READ_METHODS = frozenset({"get", "keys", "values", "items", "copy", "__contains__", "__getitem__", "__len__",
                           "__iter__", "__repr__", "__str__", "__eq__", "__ne__"})
_READ_CALLS = frozenset({"len", "print", "sorted", "list", "dict", "set", "frozenset", "tuple", "iter", "reversed",
                         "str", "repr", "id", "type", "isinstance", "bool", "any", "all", "enumerate", "hasattr", "max",
                         "min", "sum", "zip", "map", "filter", "display", "pprint", "pformat", "info", "debug",
                         "warning", "error", "critical", "log", "format"})
_MUTATORS = frozenset({"update", "setdefault", "__setitem__", "__delitem__", "pop", "popitem", "clear", "__ior__",
                       "__init__"})
_SETTING_CALLS = frozenset({"setitem", "__setitem__", "setdefault", "delitem", "__delitem__", "update", "setattr",
                            "delattr", "__setattr__", "__delattr__"})     # `operator.setitem(ns, k, v)`, `dict.update(ns, ...)`
_KEY_SECOND = frozenset({"setitem", "__setitem__", "setdefault", "delitem", "__delitem__", "setattr", "delattr",
                         "__setattr__", "__delattr__"})
_RUNNERS = frozenset({"exec", "eval"})
_SHELL_WRITES = frozenset({"push", "del_var", "ex", "ev", "run_cell", "run_code", "run_ast_nodes", "safe_execfile",
                           "safe_run_module", "runcode"})       # run code or set names in the shell's namespace
_OWN = frozenset({"self", "cls"})
_KEPT = 100_000     # characters of cells above whose syntax trees are held at once (a cell's tree is some 40 times its text)
# A cell that none of these words is in reaches the notebook's names no way this module reads (most cells: read
# no further). `modules` but in `model.modules()`.
_WORDS = r"(?<![.\w])(?:exec|eval)\b|global|vars|locals|__main__|modules(?!\s*\()|__import__|import_module|getmodule|" \
         r"f_locals|user_ns|__dict__|setattr|delattr|setitem|delitem|get_ipython|_ip\b|getattr"


@dataclass(frozen=True)
class Found:
    """The cell (its index among the cells read) that holds the function, and what a TA is told."""
    cell: int
    why: str


def later_writes(sources: list[str], names) -> Found | None:
    """The first function of these cells (those above the answers) that may run after them and writes one of the
    notebook's names that may be an answer's, or None. Each cell is parsed, read and let go in turn, twice: first for
    the names given the namespace and whether it is handed on, then for its functions (all cells' trees held at once
    took 160 MB more of the grader's memory for twenty cells at the length limit)."""
    answers = frozenset(names)
    words = re.compile(_WORDS + "".join(rf"|\.\s*{re.escape(n)}\b" for n in answers))
    if not any(("def " in s or "lambda" in s) for s in sources) or not any(words.search(s) for s in sources):
        return None
    held: dict[str, str] = {}
    aliases: dict[str, list[list[str]]] = {}
    defined: set[str] = set()
    keep = sum(map(len, sources)) <= _KEPT         # small cells' readings kept for the second reading
    readers: dict[int, _Reader] = {}
    for i, s in enumerate(sources):
        tree = python_tree(s)
        if tree is not None:
            reader = _Reader(tree, i, answers, held)
            reader.hold(aliases)
            defined |= {n.name for n in walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
            if keep:
                readers[i] = reader
    cells = []
    for i, s in enumerate(sources):
        reader = readers.get(i)
        if reader is None and not keep:
            tree = python_tree(s)
            reader = _Reader(tree, i, answers, held) if tree is not None else None
        if reader is not None:
            cells.append(reader.summary(defined))
    return _first(cells)


@dataclass
class _Function:
    """What the second reading keeps of a function: enough to tell whether it may run later and writes."""
    name: str | None            # None for a lambda
    cell: int
    line: int
    later: str                  # why it may run later whatever names it ("a method"...), or ""
    write: str                  # what it writes and where ("`g['a_'] = ...` on line 3"), or ""
    outside: str                # where it writes into an object it did not make, or ""
    calls: frozenset[str]


@dataclass
class _Cell:
    index: int
    functions: list[_Function]
    loads: dict[str, int]       # each function's name handed on (loaded other than to be called or asked about): its
    #                             first line
    handed: bool                # the namespace handed on in it


def _first(cells: list[_Cell]) -> Found | None:
    functions = [f for c in cells for f in c.functions]
    handed = any(c.handed for c in cells)
    writers = {id(f): (f, f.write or f.outside) for f in functions if f.write or handed and f.outside}
    if not writers:
        return None
    callers: dict[str, list[_Function]] = {}
    for f in functions:
        for name in f.calls:
            callers.setdefault(name, []).append(f)
    todo = [f for f, _ in writers.values()]
    while todo:                             # ... and the functions that call one (each read once)
        f = todo.pop()
        for c in callers.get(f.name, ()) if f.name is not None else ():
            if id(c) not in writers:
                writers[id(c)] = (c, writers[id(f)][1])
                todo.append(c)
    for f, w in sorted(writers.values(), key=lambda p: (p[0].cell, p[0].line)):
        if f.later:
            return Found(f.cell, f"`{f.name or 'a lambda'}` on line {f.line}, {f.later} that may run later, writes {w}")
    named = {f.name: w for f, w in writers.values() if f.name is not None}
    for c in cells:
        handed = sorted((line, name) for name, line in c.loads.items() if name in named)
        if handed:
            line, name = handed[0]
            return Found(c.index, f"`{name}` handed on at line {line}, a function that may run later and writes "
                                  f"{named[name]}")
    return None


class _Scope:
    """A function's body, a lambda's, a class's or a cell's, read apart from the scopes nested in it."""
    __slots__ = ("node", "cell", "nodes", "function", "method", "later", "params", "bound", "declared", "calls")

    def __init__(self, node: ast.AST, cell: int, nodes: list[ast.AST], function: bool, method: bool):
        self.node, self.cell, self.nodes, self.function, self.method = node, cell, nodes, function, method
        self.later = False
        args = getattr(node, "args", None)
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, *filter(None, (args.vararg, args.kwarg))] \
            if isinstance(args, ast.arguments) else []
        self.params = {a.arg for a in every}
        if method and every and every[0].arg in _OWN | {every[0].arg}:
            self.params.discard(every[0].arg)           # a method's own object: what it sets there is its own
        self.bound = {n.id for n in nodes if type(n) is ast.Name and type(n.ctx) is not ast.Load} | \
            {n.name for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))} | \
            {(a.asname or a.name).split(".")[0] for n in nodes if isinstance(n, (ast.Import, ast.ImportFrom))
             for a in n.names}
        self.declared = {x for n in nodes if isinstance(n, (ast.Global, ast.Nonlocal)) for x in n.names}
        self.calls = {n.func.id for n in nodes if type(n) is ast.Call and type(n.func) is ast.Name}

    def outside(self, name: str) -> bool:
        """A name whose object the scope did not make: a parameter, a name of an enclosing scope or the module's."""
        return name in self.params or name in self.declared or name not in self.bound

    @property
    def name(self) -> str:
        return getattr(self.node, "name", "a lambda")


class _Reader:
    def __init__(self, tree: ast.Module, cell: int, answers: frozenset[str], held: dict[str, str]):
        self.answers, self.cell = answers, cell
        self.parent: dict[int, ast.AST] = {}
        self.scopes: list[_Scope] = []
        self._scopes(tree, cell)
        self.held = held        # names (and attributes) given the namespace, a module, the shell: in every cell

    # -- the scopes, each node's parent ------------------------------------------------------------------------
    def _scopes(self, tree: ast.Module, cell: int) -> None:
        todo: list[tuple[ast.AST, list[ast.AST], bool, bool]] = [(tree, tree.body, False, False)]
        while todo:
            node, body, function, method = todo.pop()
            nodes = []
            for n in within(body):
                nodes.append(n)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                    # what a def, a lambda or a class evaluates where it stands (decorators, defaults, bases)
                    outer = list(getattr(n, "decorator_list", ())) + list(getattr(n, "bases", ())) + \
                        [k.value for k in getattr(n, "keywords", ())]
                    if not isinstance(n, ast.ClassDef):
                        outer += [d for d in (*n.args.defaults, *n.args.kw_defaults) if d is not None]
                    for child in child_nodes(n):
                        self.parent[id(child)] = n
                    nodes.extend(within(outer))
                    for m in within(outer):
                        for child in child_nodes(m):
                            self.parent[id(child)] = m
                    inner = n.body if isinstance(n.body, list) else [n.body]
                    todo.append((n, inner, not isinstance(n, ast.ClassDef),
                                 isinstance(node, ast.ClassDef) and not isinstance(n, ast.ClassDef)))
                else:
                    for child in child_nodes(n):
                        self.parent[id(child)] = n
            self.scopes.append(_Scope(node, cell, nodes, function, method))

    # -- what a value may be ----------------------------------------------------------------------------------
    def kind(self, node: ast.AST, function: bool) -> str | None:
        t = type(node)
        if t is ast.Name:
            if node.id == "__main__":
                return MODULE
            if node.id in _MAKERS and type(node.ctx) is ast.Load and not self._called(node):
                return MAKER
            return self.held.get(node.id)
        if t is ast.Attribute:
            if node.attr in _NS_ATTRS:
                return NAMESPACE
            if node.attr == "__dict__":
                return NAMESPACE if self._module(node.value) else None
            if node.attr == "_ip":
                return SHELL
            if node.attr in _MAKERS and not self._called(node):
                return MAKER
            return self.held.get("." + node.attr)
        if t is ast.Subscript:
            return MODULE if self._module(node) else None
        if t is ast.Call:
            f = node.func
            name = f.id if type(f) is ast.Name else f.attr if type(f) is ast.Attribute else None
            if name == "globals" and not node.args or name in ("vars", "locals") and not node.args and not function:
                return NAMESPACE
            if type(f) is ast.Name and self.held.get(f.id) == MAKER:
                return NAMESPACE
            if name == "vars" and len(node.args) == 1 and self._module(node.args[0]):
                return NAMESPACE
            if name == "get_ipython":
                return SHELL
            if name == "getattr" and len(node.args) >= 2:
                return self._got(node.args[1])
            if self._module(node):
                return MODULE
        if t is ast.NamedExpr:
            return self.kind(node.value, function)
        return None

    def _called(self, node: ast.AST) -> bool:
        up = self.parent.get(id(node))
        return type(up) is ast.Call and up.func is node

    def _module(self, node: ast.AST) -> bool:
        """The notebook's module, or may be: `sys.modules[k]` (but under a key that is another module's name),
        `sys.modules.get(k)`, `__import__(k)`, `importlib.import_module(k)`, `__main__`, a name given one."""
        t = type(node)
        if t is ast.Name:
            return node.id == "__main__" or self.held.get(node.id) == MODULE
        if t is ast.Attribute:
            return self.held.get("." + node.attr) == MODULE
        key = None
        if t is ast.Subscript and type(node.value) is ast.Attribute and node.value.attr == "modules":
            key = node.slice
        elif t is ast.Call:
            f = node.func
            name = f.id if type(f) is ast.Name else f.attr if type(f) is ast.Attribute else None
            if name == "get" and type(f) is ast.Attribute and type(f.value) is ast.Attribute and f.value.attr == "modules" \
                    or name in _MODULE_CALLS:
                key = node.args[0] if node.args else None
            else:
                return False
        else:
            return False
        text = folded(key) if key is not None else None
        return text is None or text == "__main__" or text == "__name__" or \
            type(key) is ast.Name and key.id == "__name__"

    def _got(self, key: ast.AST) -> str | None:
        """`getattr(x, key)` may give the namespace where the key is, or may be, one of its attributes' names."""
        whole = folded(key)
        if whole is not None:
            return NAMESPACE if whole in _NS_ATTRS or whole == "__dict__" else None
        start = literal_start(key)
        return NAMESPACE if start and any(a.startswith(start) for a in (*_NS_ATTRS, "__dict__")) else None

    # -- names given one of them, followed through names, attributes, defaults ------------------------------------
    def hold(self, aliases: dict[str, list[list[str]]]) -> None:
        """Add the names (`g = globals()`), attributes (`self.ns = ...`, a class's `ns = ...`) and parameters (`g=
        globals()`) given the namespace, a module or the shell; one name given another is kept in ``aliases`` for the
        cells read after this one (`h = G` above the cell that makes `G = globals()`)."""
        pending: dict[str, list[tuple[list[str], ast.AST, bool]]] = {}
        todo: list[tuple[list[str], ast.AST, bool]] = []
        for scope in self.scopes:
            for n in scope.nodes:
                t = type(n)
                if t is ast.Assign:
                    keys = [k for target in n.targets for k in _keys(target)]
                    value = n.value
                elif t in (ast.AnnAssign, ast.NamedExpr) and n.value is not None:
                    keys, value = _keys(n.target), n.value
                elif t in (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda):
                    a = n.args
                    positional = [*a.posonlyargs, *a.args]
                    pairs = list(zip(positional[len(positional) - len(a.defaults):], a.defaults)) + \
                        [(p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]
                    todo.extend(([p.arg, "." + p.arg], d, scope.function) for p, d in pairs)
                    continue
                else:
                    continue
                if keys:
                    todo.append((keys, value, scope.function))
        for keys, value, function in todo:
            for dep in _deps(value):
                pending.setdefault(dep, []).append((keys, value, function))
        while todo:
            keys, value, function = todo.pop()
            what = self.kind(value, function)
            if what is None:
                continue
            given = list(keys)
            while given:
                k = given.pop()
                if k not in self.held:
                    self.held[k] = what
                    todo.extend(pending.pop(k, ()))
                    for more in aliases.pop(k, ()):
                        given.extend(more)
        for dep, waiting in pending.items():
            for keys, value, _ in waiting:
                if type(value) is ast.Name and value.id == dep or type(value) is ast.Attribute and "." + value.attr == dep:
                    aliases.setdefault(dep, []).append(keys)

    # -- how a value of one of those kinds is used --------------------------------------------------------------
    def use(self, node: ast.AST, what: str) -> tuple[str, ast.AST | None]:
        """("read" | "write" | "hand", the key written where it is known)."""
        up = self.parent.get(id(node))
        t = type(up)
        if what == MAKER:                   # `g = globals` then `g()`: the call is read as the namespace
            return ("read", None) if t in (ast.Assign, ast.NamedExpr, ast.AnnAssign) or t is ast.Call and up.func is node \
                else ("hand", None)
        if t is ast.Subscript and up.value is node:
            if what == NAMESPACE:
                return ("read", None) if type(up.ctx) is ast.Load else ("write", up.slice)
            return "read", None             # a module or the shell subscripted: not the notebook's names
        if t is ast.Attribute and up.value is node:
            call = self.parent.get(id(up))
            args = call.args if type(call) is ast.Call and call.func is up else []
            if what == NAMESPACE:
                if up.attr in _READ_METHODS:
                    return "read", None
                if up.attr in _MUTATORS:
                    return "write", _written_key(up.attr, args, call)
                return "hand", None
            if what == MODULE:
                if type(up.ctx) is not ast.Load:
                    return "write", ast.Constant(up.attr)
                if up.attr in ("__setattr__", "__delattr__"):
                    return "write", args[0] if args else None
                return "read", None
            if up.attr in _SHELL_WRITES and args is not None and type(call) is ast.Call:
                return "write", _written_key(up.attr, args, call)
            return "read", None
        if t is ast.Call and node is not up.func:
            f = up.func
            name = f.id if type(f) is ast.Name else f.attr if type(f) is ast.Attribute else None
            if name in _RUNNERS:
                return ("write", None) if node is not (up.args[0] if up.args else None) else ("read", None)
            if name in _SETTING_CALLS and up.args and up.args[0] is node:
                return "write", (up.args[1] if len(up.args) > 1 else None) if name in _KEY_SECOND else \
                    _written_key(name, up.args[1:], up)
            if name == "vars" or name in _READ_CALLS or name == "getattr" and what != MAKER:
                return "read", None
            return "hand", None
        if t is ast.Call:
            return "read", None             # called (the shell, a module called: not the notebook's names)
        if t is ast.keyword:
            call = self.parent.get(id(up))
            fname = getattr(getattr(call, "func", None), "id", None) or getattr(getattr(call, "func", None), "attr", None)
            if up.arg in ("globals", "locals") and fname in _RUNNERS:
                return "write", None
            return ("read", None) if up.arg is None else ("hand", None)
        if t is ast.Dict:
            return ("read", None) if any(k is None and v is node for k, v in zip(up.keys, up.values)) else ("hand", None)
        if t in (ast.Compare, ast.Starred, ast.FormattedValue, ast.Expr, ast.UnaryOp, ast.comprehension, ast.For,
                 ast.AsyncFor, ast.If, ast.While, ast.Assert, ast.Delete):
            return ("hand", None) if t in (ast.For, ast.AsyncFor, ast.comprehension) and up.target is node else ("read", None)
        if t is ast.IfExp and up.test is node:
            return "read", None
        if t is ast.AugAssign and up.target is node:
            return "write", None
        if t in (ast.Assign, ast.AnnAssign, ast.NamedExpr) and up.value is node:
            targets = up.targets if t is ast.Assign else [up.target]
            return ("read", None) if all(type(x) in (ast.Name, ast.Attribute) for x in targets) else ("hand", None)
        return "hand", None

    def may_be_answer(self, key: ast.AST | None) -> bool:
        if key is None:
            return True
        if type(key) is ast.Call and type(key.func) is ast.Attribute and key.func.attr == "upper" and not key.args:
            return any(a == a.upper() for a in self.answers)
        whole = folded(key)
        if whole is not None:
            return whole in self.answers
        start = literal_start(key)
        return any(a.startswith(start) for a in self.answers)

    def _keys_may_be_answers(self, key) -> bool:
        if isinstance(key, list):           # the keys of a mapping written at once
            return any(self.may_be_answer(k) for k in key)
        return self.may_be_answer(key)

    # -- each scope's writes ----------------------------------------------------------------------------------
    def writes(self, scope: _Scope) -> tuple[ast.AST | None, ast.AST | None]:
        """Where a scope that may run later writes one of the notebook's names that may be an answer's: the
        namespace (or the module, or the shell) written or handed on, `global a_` set, an answer's name set on an
        object; and, apart, where it writes into an object it did not make (which counts where the namespace is
        handed on above)."""
        declared = {x for n in scope.nodes if type(n) is ast.Global for x in n.names} & self.answers
        first_outside = None
        for n in scope.nodes:
            t = type(n)
            if t is ast.Name and type(n.ctx) is not ast.Load and n.id in declared:
                return n, first_outside
            if t is ast.Attribute and type(n.ctx) is not ast.Load and n.attr in self.answers and not (
                    type(n.value) is ast.Name and n.value.id in _OWN):
                return n, first_outside
            if t is ast.Call and type(n.func) is ast.Name and n.func.id in ("setattr", "delattr") and len(n.args) > 1 \
                    and folded(n.args[1]) in self.answers and not (type(n.args[0]) is ast.Name and n.args[0].id in _OWN):
                return n, first_outside
            if t is ast.AugAssign and type(n.target) is ast.Name and self.held.get(n.target.id) == NAMESPACE and \
                    self._keys_may_be_answers(_written_key("update", [n.value], None)):
                return n, first_outside     # `g |= {...}`, `g` given the namespace
            if t is ast.Call and type(n.func) is ast.Name and n.func.id in _RUNNERS and len(n.args) < 2 and scope.function:
                return n, first_outside     # code run in the function's frame: a `global` in it writes the module's
            what = self.kind(n, scope.function) if t is ast.Call or t in (ast.Name, ast.Attribute, ast.Subscript) and \
                type(n.ctx) is ast.Load else None
            if what is not None:
                how, key = self.use(n, what)
                if how == "hand" or how == "write" and self._keys_may_be_answers(key):
                    return self._shown(n), first_outside
            if first_outside is None and self._writes_outside(scope, n):
                first_outside = n
        return None, first_outside

    def _writes_outside(self, scope: _Scope, n: ast.AST) -> bool:
        """Writes into an object the scope did not make (a parameter's, a free name's)."""
        t = type(n)

        def outside(x) -> bool:
            return type(x) is ast.Name and x.id not in _OWN and scope.outside(x.id)
        if t is ast.Subscript and type(n.ctx) is not ast.Load:
            return outside(n.value)
        if t is ast.AugAssign:
            return outside(n.target) or type(n.target) is ast.Subscript and outside(n.target.value)
        if t is ast.Call:
            f = n.func
            if type(f) is ast.Attribute and f.attr in _MUTATORS | _SHELL_WRITES:
                return outside(f.value)
            name = f.id if type(f) is ast.Name else f.attr if type(f) is ast.Attribute else None
            return name in _SETTING_CALLS and bool(n.args) and outside(n.args[0])
        return False

    # -- which scopes may run later ---------------------------------------------------------------------------
    def summary(self, defined: set[str]) -> _Cell:
        functions = []
        for s in self.scopes:
            if not s.function:
                continue
            w, o = self.writes(s)
            functions.append(_Function(getattr(s.node, "name", None), self.cell, s.node.lineno, self._inherently_later(s),
                                       f"`{quoted(w)}` on line {w.lineno}" if w is not None else "",
                                       f"`{quoted(o)}` on line {o.lineno}" if o is not None else "",
                                       frozenset(s.calls)))
        loads: dict[str, int] = {}
        for scope in self.scopes:
            for n in scope.nodes:
                if type(n) is ast.Name and type(n.ctx) is ast.Load and n.id in defined and \
                        n.lineno < loads.get(n.id, n.lineno + 1) and not self._only_named(n):
                    loads[n.id] = n.lineno
        return _Cell(self.cell, functions, loads, any(self.handed(s) for s in self.scopes))

    def handed(self, scope: _Scope) -> bool:
        """Is the namespace (or the notebook's module, or the shell) handed on in this scope, where this reading
        cannot follow it?"""
        for n in scope.nodes:
            t = type(n)
            if t is ast.Call or t in (ast.Name, ast.Attribute, ast.Subscript) and type(n.ctx) is ast.Load:
                what = self.kind(n, scope.function)
                if what is not None and what != SHELL and self.use(n, what)[0] == "hand":
                    return True
        return False

    def _inherently_later(self, s: _Scope) -> str:
        n = s.node
        if isinstance(n, ast.Lambda):
            up = self.parent.get(id(n))
            return "" if type(up) is ast.Call and up.func is n else "a lambda"
        if s.method:
            return "a method"
        if n.decorator_list:
            return "a decorated function"
        if isinstance(n, ast.AsyncFunctionDef):
            return "a coroutine"
        if any(isinstance(x, (ast.Yield, ast.YieldFrom, ast.Await)) for x in s.nodes):
            return "a generator"
        return ""

    def _shown(self, n: ast.AST) -> ast.AST:
        """What a message quotes for a use of the namespace: the subscript, the call it is an argument of, the
        method's call (`g['a_']`, `operator.setitem(g, ...)`, `g.update(...)`), rather than the name alone."""
        up = self.parent.get(id(n))
        if type(up) is ast.Attribute:
            call = self.parent.get(id(up))
            return call if type(call) is ast.Call and call.func is up else up
        return up if type(up) in (ast.Subscript, ast.Call, ast.AugAssign) else n

    def _only_named(self, n: ast.AST) -> bool:
        """`f()`, `f.__doc__`, `help(f)`, `callable(f)`: not handed to a caller."""
        up = self.parent.get(id(n))
        return type(up) is ast.Call and (up.func is n or type(up.func) is ast.Name and up.func.id in (
            "help", "callable", "print", "repr", "str", "id", "type", "isinstance", "hasattr", "display")) or \
            type(up) in (ast.Attribute, ast.Compare) or type(up) in (ast.If, ast.IfExp, ast.While) and up.test is n


def _keys(target: ast.AST) -> list[str]:
    """The names (and `.attribute`s) a target gives its value."""
    if type(target) is ast.Name:
        return [target.id, "." + target.id]        # also read as a class's attribute (`C.ns`)
    if type(target) is ast.Attribute:
        return ["." + target.attr]
    return []


def _deps(value: ast.AST) -> list[str]:
    """The names and attributes whose being held makes this value held."""
    t = type(value)
    if t is ast.Name:
        return [value.id]
    if t is ast.Attribute:
        return ["." + value.attr] + _deps_shallow(value.value)
    if t is ast.Call:
        return _deps_shallow(value.func) + [d for a in value.args[:1] for d in _deps_shallow(a)]
    if t is ast.NamedExpr:
        return _deps_shallow(value.value)
    return []


def _deps_shallow(node: ast.AST) -> list[str]:
    t = type(node)
    if t is ast.Name:
        return [node.id]
    if t is ast.Attribute:
        return ["." + node.attr]
    return []


def _written_key(method: str, args: list, call) -> ast.AST | list | None:
    """The key (or keys) a call that writes a mapping writes: `.update(a=1)`, `.update({'x': 1})`, a comprehension's
    key, `dict(...)`'s keywords; None where they cannot be read."""
    if method in ("update", "__ior__", "push", "__init__"):
        keys: list = []
        for k in getattr(call, "keywords", ()) or ():
            if k.arg is None:
                return None
            keys.append(ast.Constant(k.arg))
        for a in args:
            if type(a) is ast.Dict:
                if any(k is None for k in a.keys):
                    return None
                keys.extend(a.keys)
            elif type(a) is ast.DictComp:
                keys.append(a.key)
            elif type(a) is ast.Call and type(a.func) is ast.Name and a.func.id == "dict" and not a.args and \
                    all(k.arg is not None for k in a.keywords):
                keys.extend(ast.Constant(k.arg) for k in a.keywords)
            else:
                return None
        return keys
    if method in ("pop", "clear", "popitem"):
        return [] if method == "pop" and not args else (args[0] if method == "pop" else None)
    return args[0] if args else None

"""Which objects of a cell are surely the cell's own.

An attribute stored on an object the cell made (`self.a_ = ...` in the cell's class, `cfg.kernel = 'rbf'`
on an instance of it) sets no name of the notebook's, so it costs nothing. The rules say when an object
is surely one: strict enough that no class trick passes the notebook's module or IPython's shell off as
one (hostile reviews 270 to 288), loose enough for the classes honest students write (fairness reviews
268 to 287).
"""
from __future__ import annotations

import ast

from ..syntax import NESTED, child_nodes, own_scope, walk, within
from .bindings import bound_elsewhere, bound_only_to, evaluated_where_defined, stores
from .doors import DOOR_WORDS, no_underscore, plain_names
from .magic_lines import dunder


_LIBRARIES = {"torch", "torchvision", "numpy", "pandas", "sklearn", "scipy", "matplotlib", "argparse", "types",
              "collections", "dataclasses"}
_TEMPLATE_NAMES = {"torch", "nn", "F", "optim", "np", "pd", "plt", "torchvision", "transforms", "datasets"}


def instances(tree: ast.AST) -> set[str]:
    """Names bound only to an instance of a class: the cell's own (`C()`, `_plain_classes`) or a module's
    (`nn.Linear(2, 2)`: a capitalised name on a module the cell imports or an earlier cell did). A frame, a
    generator or a coroutine, whose attributes without `_` lead to namespaces (`gi_frame`, `f_globals`), is
    none, nor what a function of the cell's own objects returns (`k.Make(g)`)."""
    classes = _plain_classes(tree, own_bases=True)
    # ... of the libraries the course uses, imported in the cell or under the template's names: a class of
    # another module may hold the notebook's namespace itself (review 288: `rlcompleter.Completer`)
    libraries = {(a.asname or a.name).split(".")[0] for n in walk(tree) if isinstance(n, ast.Import)
                 for a in n.names if a.name.split(".")[0] in _LIBRARIES}
    libraries |= {a.asname or a.name for n in walk(tree) if isinstance(n, ast.ImportFrom) and n.module
                  and not n.level and n.module.split(".")[0] in _LIBRARIES for a in n.names}
    assigned = bound_elsewhere(tree, set()) | {n.id for n in walk(tree) if isinstance(n, ast.Name)
                                               and not isinstance(n.ctx, ast.Load)}
    libraries |= _TEMPLATE_NAMES - assigned

    def root(f: ast.AST) -> str:
        return f.id if isinstance(f, ast.Name) else root(f.value)
    return bound_only_to(tree, lambda f: isinstance(f, ast.Name) and f.id in classes or
                         isinstance(f, ast.Attribute) and _dotted(f) and f.attr[:1].isupper() and root(f) in libraries)


def own_objects(tree: ast.AST) -> set[str]:
    """Names that hold only instances of the cell's own classes (`x = C()`, `_plain_classes`): what their private
    attributes hold the cell put there (`x._cache['k']`, `cfg.kernel`: a fairness review, 282), as for `self` in
    the methods of such a class (`own_instances`)."""
    classes = _plain_classes(tree, own_bases=True)
    return bound_only_to(tree, lambda f: isinstance(f, ast.Name) and f.id in classes) if classes else set()


def _plain_classes(tree: ast.AST, own_bases: bool = False) -> set[str]:
    """The cell's classes whose call surely makes an instance of them: made once, under a name nothing else in
    the cell binds (review 283: `def C(v): return v` after `class C`), without a metaclass, a decorator but
    `@dataclass`, or a `__new__` (review 283's `__new__` returned `exit`, the shell's holder). ``own_bases``:
    and derived from no class but `object` and such classes of the cell, so that what their attributes hold
    the cell put there (review 288: a subclass of `rlcompleter.Completer` holds the notebook's namespace as
    `namespace`)."""
    classes = [c for c in walk(tree) if isinstance(c, ast.ClassDef)]
    names = [c.name for c in classes]
    others = {n.id for n in walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    others |= {n.name for n in walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    others |= {(a.asname or a.name).split(".")[0] for n in walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
               for a in n.names}
    others |= {n.name for n in walk(tree) if isinstance(n, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and n.name}
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


# What reaches a class or its functions without calling the class (`type(x)`, `x.__class__`, `vars(C)[k]`,
# `object.__subclasses__()`, `C.__init__(m)`), binds a function to another object (`MethodType(f, m)`), or
# runs text that may.
_REACHES_CLASSES = {"type", "__class__", "__dict__", "vars", "getattr", "attrgetter", "methodcaller", "__getattribute__",
                    "__subclasses__", "__mro__", "mro", "__bases__", "__base__", "__thisclass__", "__func__", "__get__",
                    "__wrapped__", "__init__", "__new__", "__call__", "getmembers", "partialmethod", "partial",
                    "MethodType", "staticmethod", "classmethod"} | DOOR_WORDS


_PLAIN_SPECIALS = {"__init__", "__post_init__", "__repr__", "__str__"}
_CLASS_DECORATORS = {"dataclass"}               # `@dataclass`, `@dataclasses.dataclass(frozen=True)`


_METHOD_DECORATORS = {"property", "cached_property"}


def own_instances(tree: ast.AST, own_bases: bool = False, objects: set[str] | None = None) -> set[int]:
    """The `self` (its name's nodes) in the methods of a class the cell makes (`self.a_ = a_`: a fairness
    review, 268; any method's, `nn.Module`'s subclasses' too: a fairness review, 271), where `self` can only
    be an instance the cell made: the class has no metaclass nor `__new__`, no decorator but `@dataclass`, the
    cell uses its name only to call it (`Answers()`) or derive a class, no method's name is read as a name
    (`staticmethod(f)`, `MethodType(f, m)` hand it on), `self` is not rebound, and nothing in the cell reaches
    a class or its functions otherwise (`_REACHES_CLASSES`) nor calls an `__init__` but `super().__init__()`
    (a base made in an earlier cell is such a cell's object: the README's "What remains")."""
    if not any(isinstance(n, ast.ClassDef) for n in walk(tree)):
        return set()
    parents = {id(child): node for node in walk(tree) for child in child_nodes(node)}
    if objects is None:                 # `own_objects` and `instances`, where the caller has them
        objects = own_objects(tree) | instances(tree)
    for n in walk(tree):
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
    classes = [c for c in walk(tree) if isinstance(c, ast.ClassDef)]
    names = {c.name for c in classes}
    if len(names) != len(classes):
        return set()
    called = {n.id for n in walk(tree) if isinstance(n, ast.Name) and n.id in names and not (
        isinstance(n.ctx, ast.Load) and (isinstance(parents.get(id(n)), ast.Call) and parents[id(n)].func is n
                                         or isinstance(parents.get(id(n)), ast.ClassDef)))}
    # a decorator's name bound in the cell is the cell's function, handed the class or the method (`dataclass =
    # lambda c: ...`); only Python's own, imported, may stand there
    made = bound_elsewhere(tree, set()) | {n.id for n in walk(tree) if isinstance(n, ast.Name)
                                           and not isinstance(n.ctx, ast.Load)}
    made -= {a.asname or a.name for n in walk(tree) if isinstance(n, ast.ImportFrom) and n.module in
             ("dataclasses", "functools") for a in n.names if a.name in _CLASS_DECORATORS | _METHOD_DECORATORS}
    made -= {a.asname or a.name for n in walk(tree) if isinstance(n, ast.Import) for a in n.names
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
        # (a method's function is a name only in its class's body, where it is defined: what a method or the cell
        # reads under that name is another object; a fairness review, 403: `def __init__(self, acc)` beside the
        # property `acc`, or `mean = meter.mean()` in the cell, cost all five answers)
        in_class = _read_in_class(c)
        for f in c.body:
            if not isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) or f.name in in_class or \
                    not all(_decorated_by(d, _METHOD_DECORATORS) for d in f.decorator_list) or \
                    not [*f.args.posonlyargs, *f.args.args]:
                continue
            me = [*f.args.posonlyargs, *f.args.args][0].arg
            if me in bound_elsewhere(ast.Module(f.body, []), set()) or any(
                    isinstance(n, (ast.Global, ast.Nonlocal)) and me in n.names for n in walk(f)):
                continue                    # rebound in any way (review 270: `match m:` / `case self:`)
            out |= {id(n) for n in own_scope(f) if isinstance(n, ast.Name) and n.id == me}
    return out


def _read_in_class(c: ast.ClassDef) -> set[str]:
    """The names read where the class's body runs: its statements, and what its functions and classes evaluate where
    they are defined (decorators, defaults, annotations, bases)."""
    body = list(within(c.body))
    body += within([x for n in body if isinstance(n, NESTED) for x in evaluated_where_defined(n)])
    return {n.id for n in body if isinstance(n, ast.Name)}


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
        plain_names(call.args[1], {}) and not dunder(str(getattr(call.args[1], "value", "__"))) or
        mine and no_underscore(call.args[1], call, parents))


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

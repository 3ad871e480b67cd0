"""What a cell binds and stores, read from its syntax tree.

The answers cell is read, never run: which names a cell binds other than by a top-level assignment, and
which attributes and keys it stores, decide whether an answer is read as written (`writes`) and which
names hold the cell's own objects (`own_objects`).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from ..magics import python_tree
from ..syntax import NESTED, bound_by, child_nodes, walk, within


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
    (`writes.names_stored`) and what may set an answer on the notebook's module (`writes.dynamic_write`)."""
    out: list[Store] = []
    for node in walk(tree):
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


def bound_below(source: str) -> set[str]:
    """Every name a cell binds or deletes other than by a top-level assignment (which is read)."""
    tree = python_tree(source)
    if tree is None:
        return set()
    top = {id(n) for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
           for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
           for n in target_names(t)}
    return bound_elsewhere(tree, top)


def target_names(target: ast.expr) -> list[ast.Name]:
    """The names a target binds itself, through tuples, lists and starred items; not a name bound by a `:=` inside
    a subscript or an attribute's object (review 405: `x[(a_ := False), ...] = 1` below the answers set all five in
    Jupyter, and was read as reading them: 10/10 unflagged)."""
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, ast.Starred):
        return target_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for e in target.elts for n in target_names(e)]
    return []


def bound_elsewhere(tree: ast.AST, top: set[int], loaded: frozenset[str] | None = None) -> set[str]:
    """Every name the tree binds or deletes but the name nodes in ``top`` (given by their `id`). ``loaded``: the names
    the whole cell reads, where ``tree`` is a part of it (a function holding `%timeit` binds the notebook's names only
    where the cell reads the function's name)."""
    names, rest = _bindings(tree, loaded)
    return {name for at, name in names if at not in top} | rest


def _bindings(tree: ast.AST, loaded: frozenset[str] | None = None) -> tuple[list[tuple[int, str]], set[str]]:
    """The name nodes a tree binds or deletes (their `id`, their name), and the names it binds otherwise: a cell at
    the length limit is asked this by seven readers, each leaving out other nodes, so a whole cell's (a module's)
    is read once and kept on it, as `syntax.walk` keeps its nodes."""
    if loaded is not None:
        return _read_bindings(tree, loaded)
    kept = tree.__dict__.get("_grader_bindings") if type(tree) is ast.Module else None
    if kept is None:
        kept = _read_bindings(tree)
        if type(tree) is ast.Module:
            tree.__dict__["_grader_bindings"] = kept
    return kept


def names_read(tree: ast.AST) -> frozenset[str]:
    return frozenset(n.id for n in walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))


def _read_bindings(tree: ast.AST, loaded: frozenset[str] | None = None) -> tuple[list[tuple[int, str]], set[str]]:
    names: list[tuple[int, str]] = []
    out: set[str] = set()
    # A comprehension's variable and a class body's assignment bind no name of the notebook's (a fairness
    # review, 265: `print([a_ for a_ in "xy"])` and `class Answers: a_ = False` cost `a_`); a `:=` in a
    # comprehension still does, and so does what the grader reads `%timeit` as (`class _timed_line`).
    own = {id(n) for c in walk(tree) if isinstance(c, ast.comprehension) for n in walk(c.target)}
    own -= {id(n.target) for n in walk(tree) if isinstance(n, ast.NamedExpr)}   # even in a target (review 266)
    # ... nor a function's or a lambda's local (a fairness review, 312: `def draft(): a_ = False; return a_` cost `a_`),
    # nor a class body's (a method, a loop's variable, an import: a fairness review, 393), however bound, unless the
    # scope declares it `global` anywhere in its body: `class C: if 1: global a_` sends
    # the class's `a_ = False` to the notebook's `a_` (review 393: 10/10 unflagged where Jupyter ended with 0/10)
    local: set[int] = set()         # the other nodes that bind (`def`, `import`, `except ... as`, `case`) in a scope
    timed = _timing(tree)
    if timed:
        # (a function's `%timeit` copies its names into the notebook's only when the function runs: one the cell never
        # names, calls nor hands on binds none of them here; a fairness review, 409: `def bench(a_, b_): %timeit a_ +
        # b_`, left from experimenting, cost both answers; a call from a cell below is `later.called_after`'s)
        read = names_read(tree) if loaded is None else loaded
        timed -= {id(f) for f in walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                  and id(f) in timed and f.name not in read}
    for f in walk(tree):
        function = isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        if id(f) not in timed and (function or isinstance(f, ast.ClassDef) and f.name != "_timed_line"):
            # (not its own defaults or decorators, which run where it is defined; those of the functions and classes
            # defined in it do run in it: `class C: def m(self, x=(a_ := 0))` binds `C.a_`, a fairness review, 395)
            body = list(within(f.body if isinstance(f.body, list) else [f.body]))
            body += within([x for n in body if isinstance(n, NESTED) for x in evaluated_where_defined(n)])
            # (not a `nonlocal` name: it is an enclosing function's, never the notebook's; a fairness review, 403: a
            # counter's `nonlocal a_; a_ += 1` in a closure cost `a_`)
            shared = {x for n in body if isinstance(n, ast.Global) for x in n.names}
            own |= {id(n) for n in body if isinstance(n, ast.Name) and n.id not in shared}
            local |= {id(n) for n in body if type(n) is not ast.Name and not isinstance(n, (ast.Global, ast.Nonlocal))
                      and bound_by(n) and not bound_by(n) & shared}
    for node in walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, (ast.Store, ast.Del)) and id(node) not in own:
                names.append((id(node), node.id))
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            pass    # it binds nothing: a name it shares is bound where a statement binds it (a fairness review, 390:
            # `def show(): global a_; print(a_)` in or below the answers cell read as setting `a_`; at the top level too)
        else:
            if id(node) not in local:
                out |= bound_by(node)   # an import, `except ... as`, `case (a_, b_):` (a forty-seventh review)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and id(node) in timed:
                # A `%timeit` line in a function copies the function's names, its arguments too,
                # into the notebook's (IPython's timeit; a two-hundred-and-first review set all five
                # answers so, by arguments' defaults, with a timed statement that raised).
                a = node.args
                out |= {x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if x is not None}
    return names, out


def evaluated_where_defined(node: ast.AST) -> list[ast.AST]:
    """What a `def`, a `lambda` or a `class` evaluates where it stands: decorators, defaults, annotations, bases."""
    out = list(getattr(node, "decorator_list", ())) + list(getattr(node, "bases", ()))
    out += [k.value for k in getattr(node, "keywords", ())]
    a = getattr(node, "args", None)
    if isinstance(a, ast.arguments):
        out += [d for d in (*a.defaults, *a.kw_defaults) if d is not None]
        out += [x.annotation for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg)
                if x is not None and x.annotation is not None]
    if getattr(node, "returns", None) is not None:
        out.append(node.returns)
    return out


def _timing(tree: ast.AST) -> set[int]:
    """The functions (their `id`) that hold a `%timeit` line as the grader reads it (`class _timed_line`), found from
    each such class up (review 358: each function's whole body was walked for one, and 99 functions nested in a cell
    of 50,000 characters held the grader 10 s)."""
    timed = [n for n in walk(tree) if isinstance(n, ast.ClassDef) and n.name == "_timed_line"]
    if not timed:
        return set()
    parent = {id(c): n for n in walk(tree) for c in child_nodes(n)}
    out: set[int] = set()
    seen: set[int] = set()
    for n in timed:
        up = parent.get(id(n))
        nearest = True
        while up is not None and id(up) not in seen:
            seen.add(id(up))
            if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef)) or isinstance(up, ast.ClassDef) and nearest:
                # (a class's body where it stands in one: `%timeit` copies the class's names into the notebook's,
                # and puts them back only where the statement does not raise: review 395's `class C: a_ = False`,
                # then `try: %timeit -n1 -r1 1/0`, 10/10 unflagged where Jupyter ended with 0/10)
                out.add(id(up))
            nearest = nearest and not isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef))
            up = parent.get(id(up))
    return out


def bound_only_to(tree: ast.AST, maker) -> set[str]:
    """Names every binding of which in the cell is `name = <call>` with ``maker(<the call's function>)``."""
    made: dict[str, bool] = {}
    plain: set[int] = set()
    for n in walk(tree):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            plain.add(id(n.targets[0]))
            ok = isinstance(n.value, ast.Call) and bool(maker(n.value.func))
            made[n.targets[0].id] = made.get(n.targets[0].id, True) and ok
    # ... a function's parameter of that name too (review 286: `def g(x): return x._ip` beside `x = C()`)
    bound = bound_elsewhere(tree, plain) | params(tree)
    return {name for name, ok in made.items() if ok and name not in bound}


def params(tree: ast.AST) -> set[str]:
    return {a.arg for a in walk(tree) if isinstance(a, ast.arg)}

"""The names that lead to a namespace or to code, and whether a computed name may be one of them.

A door is a builtin that writes names (`exec`, `setattr`), an attribute that leads to a module's
namespace, IPython's shell or a frame (`__globals__`, `_ip`, `f_globals`), or a module that runs code
given as text (`cProfile`, `pickle`). These lists are what the grader knows of Python and IPython; what
is not on them is caught only where the cell names a door some other way (the README's "What remains").
"""
from __future__ import annotations

import ast

from ..dynamic_code import SHELL_RUNNERS
from .bindings import bound_elsewhere
from ..syntax import walk


# Code that sets names without naming them as targets: exec("a_ = False"), globals().update(...).
# Also IPython's namespace and the module the cell runs in (a seventieth review: get_ipython().user_ns[...]
# and sys.modules['__main__'].b_ = ... set the answers Jupyter ends with). Read from the syntax tree:
# a comment "test accuracy (model.eval() in test)" or a print of globals()['a_'] set nothing, and had
# cost all ten points (an eighty-second review).
WRITERS = {"exec", "setattr", "delattr", "__import__", "get_ipython", "compile", "import_module",
           # what hands out any attribute of an object, its frame's namespaces among them (review 279)
           "getmembers", "getmembers_static", "getattr_static", "getclosurevars", "currentframe", "getouterframes",
           "getinnerframes",
           # ... frames walked out of a traceback or the stack, and a frame's namespace as a tuple (review 289:
           # `inspect.getargvalues(frame)[3]` of `traceback.walk_tb(...)` is the notebook's namespace)
           "walk_tb", "walk_stack", "getargvalues",
           # ... and the heap, where every namespace is one dict among the rest (review 293:
           # `[d for d in gc.get_referrers(gc) if 'a_' in d][0].update(...)`, 10/10 under an `exec:` flag)
           "get_objects", "get_referrers", "get_referents"}
# ... and what reads any attribute or namespace, handed on unnamed (`f = globals`, `reduce(getattr, ...)`)
HANDED_ON = WRITERS | {"getattr", "vars", "globals", "locals", "eval", "attrgetter", "methodcaller"}
NAMESPACES = {"globals", "locals", "vars"}
MODULE_NAMES = {"builtins", "__builtins__", "__main__", "user_ns"}
# Modules of Python's own that run code handed to them as text, in the notebook's namespace or one that can
# import it (a two-hundred-and-forty-sixth review: `cProfile.run('a_, ... = <wrong>')`, also `profile.run`,
# `trace.Trace().run`); named as a module or imported, they can set any name.
# An import alone runs nothing (a fairness review, 249: `from timeit import default_timer` cost the answers):
# the names it binds count where the cell uses them, and so do the runners' own attributes, under any name.
TEXT_RUNNERS = {"cProfile", "profile", "trace", "pdb", "bdb", "runpy", "code", "codeop", "doctest", "timeit",
                # ... and bytes: a pickle names any function to call (review 264: `builtins.exec` by opcode)
                "pickle", "_pickle", "cloudpickle", "dill", "shelve", "copyreg"}
PICKLES = {"pickle", "_pickle", "cloudpickle", "dill", "shelve", "copyreg"}
RUNNER_NAMES = {"cProfile", "pdb", "bdb", "runpy", "doctest"}          # no everyday variable has these names
RUNNER_ATTRIBUTES = {"runctx", "runcall", "runsource", "runcode", "run_path", "run_module", "runeval",
                     "run_docstring_examples", "timeit", "Timer", "InteractiveInterpreter", "InteractiveConsole",
                     "interact", "Trace"}
# `time.perf_counter`; and what writes a pickle (a fairness review, 268: `pickle.dump(answers, f)` cost them): only
# reading one runs what it names
HARMLESS_FROM_RUNNERS = {"default_timer", "dump", "dumps", "HIGHEST_PROTOCOL", "DEFAULT_PROTOCOL", "PickleError",
                         "PicklingError", "UnpicklingError",
                         # doctest's option flags (a fairness review, 415: `testmod(optionflags=doctest.ELLIPSIS)`)
                         "ELLIPSIS", "NORMALIZE_WHITESPACE", "IGNORE_EXCEPTION_DETAIL", "DONT_ACCEPT_TRUE_FOR_1",
                         "DONT_ACCEPT_BLANKLINE", "SKIP", "FAIL_FAST", "REPORT_UDIFF", "REPORT_CDIFF", "REPORT_NDIFF",
                         "REPORT_ONLY_FIRST_FAILURE", "COMPARISON_FLAGS", "REPORTING_FLAGS"}
# Attributes through which a name is set: frames' namespaces, IPython's shell (an eighty-eighth review:
# IPython.get_ipython().push({...}), .run_cell('a_ = False'), importlib.import_module(__name__).a_).
NAMESPACE_ATTRIBUTES = {"__setattr__", "__setitem__", "__globals__", "f_globals", "f_locals", "__builtins__",
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
PATHS = {"_ip", "user_module", "user_global_ns", "shell", "kernel", "displayhook", "excepthook", "ns_table",
         "all_ns_refs", "user_ns_hidden", "tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back", "f_builtins",
         "session", "instance", "kernel_class", "shell_class", "Completer", "namespace", "global_namespace"}


def no_underscore(name: ast.AST, call: ast.AST, parents: dict[int, ast.AST]) -> bool:
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


# Names whose lookup by a computed name reaches a door (the notebook's module, a runner, the builtins).
DOOR_WORDS = {"modules", "exec", "eval", "compile", "getattr", "setattr", "delattr", "globals", "locals", "vars",
              "import_module", "sys", "builtins", "get_ipython", "system", "run_cell", "user_ns", "os", "importlib",
              "gc", "inspect", "reload", "main"}


# Attributes written out that lead to a namespace or to code (as `m.__dict__` does where it is not only read).
_DOOR_ATTRIBUTES = {"__dict__", "__builtins__", "__import__", "__getattribute__", "__globals__", "__setattr__",
                    "__setitem__", "__main__", "__loader__", "__spec__", "__class__", "__self__", "__func__", "__code__",
                    "__closure__", "__subclasses__", "__mro__", "__bases__", "__base__", "__init__", "__reduce__",
                    "__reduce_ex__", "__call__", "__get__"} | NAMESPACE_ATTRIBUTES | PATHS | WRITERS


def string_values(tree: ast.AST) -> dict[str, set[str]]:
    """The strings a name can hold where the cell binds it only as a loop variable over literal strings
    (`for name in ["zeros", "ones"]`) or to one literal string: looked up by such a name, a module's
    attribute is one of those (a fairness review, 259). Bound in any other way too (a `match` capture: a
    two-hundred-and-sixty-first review; an import, a parameter, `except ... as`, `global`), it may hold
    anything."""
    values: dict[str, set[str]] = {}
    accepted: set[int] = set()
    for node in walk(tree):
        if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name) and \
                isinstance(node.iter, (ast.List, ast.Tuple, ast.Set)) and node.iter.elts and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.iter.elts):
            values.setdefault(node.target.id, set()).update(e.value for e in node.iter.elts)
            accepted.add(id(node.target))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and \
                isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            values.setdefault(node.targets[0].id, set()).add(node.value.value)
            accepted.add(id(node.targets[0]))
    other = bound_elsewhere(tree, accepted) | {a.arg for a in walk(tree) if isinstance(a, ast.arg)}
    other |= {n.target.id for n in walk(tree) if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)}
    return {n: v for n, v in values.items() if n not in other}


def literal_start(node: ast.AST) -> str:
    """The text a computed string surely starts with (`f'linear{i}'`: 'linear'; `'f_glob' + x`: 'f_glob'). A chain of
    `+` is read once from its first part up (review 348: read again from each link down, `1+1+...+1` seven hundred long
    held the grader 147 s, its cost the cube of its length)."""
    spine = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        spine.append(node)
        node = node.left
    text = folded(node)
    if not spine or text is None:
        return text if text is not None else str(node.values[0].value) if isinstance(
            node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant) else _made_start(node)
    top = len(spine) - 1                # the highest link whose left part is all written out, and that part's text
    for i in range(len(spine) - 2, -1, -1):
        right = folded(spine[i + 1].right)
        if right is None:
            break
        text, top = text + right, i
    return text + literal_start(spine[top].right)


def _made_start(node: ast.AST) -> str:
    """The start of a string made by a method of Python's own strings, whatever their arguments hold (a fairness review,
    382: `'acc_{}'.format(name)`, `'_'.join(['acc', name])`, `f'acc_{name}'.lower()`): `format` on a string written out
    (each field's `__format__` must give a string), `join` of a list written out (its items must be strings), `lower`
    or `upper` of a string made so. Not `%`: a subclass of `str` on its right may answer it with anything."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return ""
    of, how = node.func.value, node.func.attr
    if isinstance(of, ast.Constant) and isinstance(of.value, str):
        if how == "format":
            return of.value.split("{", 1)[0]
        if how == "join" and len(node.args) == 1 and not node.keywords and isinstance(node.args[0], (ast.List, ast.Tuple)) \
                and node.args[0].elts and not any(isinstance(e, ast.Starred) for e in node.args[0].elts):
            first = folded(node.args[0].elts[0])
            return "" if first is None else first + of.value if len(node.args[0].elts) > 1 else first
    if how in ("lower", "upper") and not node.args and not node.keywords and (
            isinstance(of, (ast.Constant, ast.JoinedStr)) or isinstance(of, ast.Call) and _made_start(of)):
        start = literal_start(of)
        return start.lower() if how == "lower" else start.upper()
    return ""


def folded(node: ast.AST) -> str | None:
    """The text of a string written out in parts (`'f_glob' + 'als'`), None where a part is computed. Down the chain's
    first parts without a call each (a right part nests only in parentheses, which Python's parser bounds)."""
    rights = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        right = folded(node.right)
        if right is None:
            return None
        rights.append(right)
        node = node.left
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return None
    return node.value + "".join(reversed(rights))


def may_name_door(node: ast.AST, numbers: set[str] = frozenset()) -> bool:
    """May this computed attribute name be a door of some object: it starts with `_`, or with no text at all, or
    with the start of a door's name (`'f_glob' + x`)? `f'linear{i}'` may not, nor `f'{2 * i}'` or `str(i)` of
    ``numbers``, names a loop over `range` gives (digits: `nn.Sequential`'s layers, a fairness review, 285)."""
    if _digits(node, numbers):
        return False
    start = literal_start(node)
    doors = _DOOR_ATTRIBUTES | DOOR_WORDS
    if folded(node) is not None:
        return start in doors or start.lower() in DOOR_WORDS or start.startswith("_")
    return not start or start.startswith("_") or any(d.startswith(start) or d.startswith(start.lower()) for d in doors)


def _digits(node: ast.AST, numbers: set[str]) -> bool:
    """Is this text made only of whole numbers (`f'{2 * i}'`, `str(i)` for ``numbers`` from `range`)?"""
    def whole(e: ast.AST) -> bool:
        return all(isinstance(x, (ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop, ast.Load)) or
                   isinstance(x, ast.Constant) and type(x.value) is int or isinstance(x, ast.Name) and x.id in numbers
                   for x in walk(e))
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) and str(v.value).isdigit() or
                   isinstance(v, ast.FormattedValue) and v.format_spec is None and v.conversion == -1 and whole(v.value)
                   for v in node.values)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str" and \
        len(node.args) == 1 and not node.keywords and whole(node.args[0])


def plain_names(node: ast.AST, strings: dict[str, set[str]]) -> bool:
    """Is ``node`` a string that names no door (`getattr(m, "__version__")` reads as `m.__version__`: a
    fairness review, 262), or a name holding one of some strings (`string_values`), none of which is a
    door's name or starts with `_`?"""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value not in _DOOR_ATTRIBUTES and node.value.lower() not in DOOR_WORDS
    found = strings.get(node.id) if isinstance(node, ast.Name) else None
    return bool(found) and not any(v.startswith("_") or v.lower() in DOOR_WORDS for v in found)

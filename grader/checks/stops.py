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
import builtins
import re
from dataclasses import dataclass, field
from typing import Callable

from ..magics import (as_ipython_compiles, cell_magic_refused, does_not_compile, ipython_call, as_python_reads, assigned_magic, cell_magic, cleaned, crlf_as_lf, line_magic_name,
                      autoreload_loaded_at, logical_lines, magic_refused, makes_magic, python_tree, reaches_shell, scan_text, timeit_texts,
                      without_magics)
from ..syntax import bound_by, child_nodes, own_scope, walk, within
from .literals import LITERAL_KINDS, constant_truth, evaluated_literals, raised_by_literals, runs_once_at_least
from .magic_lines import aligned
from .doors import folded
from .warning_filters import FILTER_WORDS, WARNINGS_ERRORS, filter_aliases, filter_changes
from .writes import names_stored, writers

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


def compiled(code, flags: int, filename: str = "<cell>", mode: str = "exec"):
    """`compile` under ``flags`` (the ``WARNINGS_ERRORS`` bits, which are the grader's own, left out)."""
    return compile(code, filename, mode, flags & ~WARNINGS_ERRORS, dont_inherit=True)


def parse(source: str, flags: int = 0) -> ast.Module:
    """The cell as Python parses it under ``flags`` (only `barry_as_FLUFL` changes parsing; where warnings are errors,
    an invalid escape in a string is a SyntaxError)."""
    return compiled(without_magics(source), ast.PyCF_ONLY_AST | (flags & BARRY))


@dataclass(frozen=True)
class Features:
    """The flags in force as each cell of a notebook starts (`features_at`), and where the warnings filter that last
    made warnings errors, still in force there, was set: the cell and the line of its statement (a fairness review,
    338: a student told only "a filter ... may make that an error" could not find which one)."""
    marks: tuple[tuple[int, int, object, int], ...] = ()     # (cell index, flags, the filter's cell or None, its line)

    def __call__(self, index: int) -> int:
        return next((f for i, f, _, _ in reversed(self.marks) if i < index), 0)

    def error_filter(self, index: int) -> tuple[object, int] | None:
        found = next(((c, line) for i, _, c, line in reversed(self.marks) if i < index), None)
        return found if found is not None and found[0] is not None else None


def features_at(cells, filters: bool = False, known: Features | None = None) -> Features:
    """For a notebook's cells: the flags in force when the cell at an index starts. A cell that does not
    parse runs nothing, so its imports count for nothing; letters count as Python reads them
    (`barry_as_\\uff26LUFL` is the feature: review 235); a comment naming a feature is no import. ``filters``: with
    the warnings filters' bits, read only where something warns (a notebook of thousands of patterns costs seconds).
    ``known``: this notebook's features without the filters, so that a cell with no filter is not parsed again (twenty
    cells at the length limit cost 1.5 s a walk)."""
    marks: list[tuple[int, int, object, int]] = []
    flags = 0
    where: tuple[object, int] = (None, 0)
    aliases: dict[str, str] = {}
    for c in cells:
        text = as_python_reads(c.source) if c.cell_type == "code" else ""
        reads_filters = filters and FILTER_WORDS.search(text) is not None
        if "__future__" not in text and not reads_filters:
            continue
        if known is not None and not reads_filters:
            before = flags
            flags |= known(c.index + 1) & ~WARNINGS_ERRORS      # features only add up
            if flags != before:
                marks.append((c.index, flags, *where))
            continue
        try:
            tree = parse(c.source, flags)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        magics = magic_lines(c.source)
        aliases.update(filter_aliases(tree))        # for this cell and those below
        before = flags
        for node in tree.body:
            flags |= carried(node, magics)
            # ... the warnings filters in the order they are set: a later `filterwarnings('ignore')` undoes an error
            for made, quiet in filter_changes(node, aliases) if reads_filters else ():
                flags = flags & ~quiet | made
                if made:
                    where = (c, node.lineno)
                elif not flags & WARNINGS_ERRORS:
                    where = (None, 0)
        if flags != before:
            marks.append((c.index, flags, *where))
    return Features(tuple(marks))


def bound_before(cells) -> Callable[[int, str], frozenset[str]]:
    """For a notebook's cells: of the cell at an index, with its source, the names of builtin exception classes and
    of the modules ``EXITS`` names that it reads and that the code cells above may have bound again (`_rebound`).
    The cells above are read once, at the first cell that reads such a name; most notebooks have none."""
    marks: list[tuple[int, frozenset[str]]] | None = None

    def at(index: int, source: str) -> frozenset[str]:
        nonlocal marks
        text = as_python_reads(source)
        if not (REBINDABLE_NAME.search(text) or ":" in text and ANNOTATED.search(text)):
            return frozenset()
        if marks is None:
            marks = _rebound(cells)
        return next((n for i, n in reversed(marks) if i < index), frozenset())
    return at


_DEF_NAME = re.compile(r"\bdef[ \t]+(\w+)")
_WORD = re.compile(r"\w+")


def stoppers_before(cells) -> Callable[[int, str], frozenset[str]]:
    """For a notebook's cells: of the cell at an index, with its source, the functions the code cells above define
    plainly at their top level (no decorator, bound once in all of them) whose call surely stops (`_own_stoppers`),
    each as "!name" among the names ``exits_of`` is given (review 402: `def check_answers(): raise SystemExit` in the
    training cell, called between the wrong answers and the right ones, stopped Jupyter there; the right ones were
    graded, unflagged). Only the functions the cell names are read, and those the cells defining them name, in the
    cells that name them (each cell above read again in full had doubled the answers' reading at the limits)."""
    code = [c for c in cells if c.cell_type == "code"]
    words: dict[int, frozenset[str]] = {}
    defs: dict[int, frozenset[str]] = {}
    asked: dict[tuple[int, str], frozenset[str]] = {}
    # (... the same question answered once: every cell below the answers that names a function above asks it again,
    # review 417: 28 s a cell below for two cells of chained functions above; the trees are not kept, each may take
    # a thousand times its text)
    found: dict[tuple, set[str]] = {}
    inside: dict[int, dict[str, frozenset[str]]] = {}
    closures: dict[tuple, frozenset[str]] = {}      # (the cells above that define functions, the names asked): all

    def named_in(c, name: str) -> frozenset[str]:
        """The words of the function ``name`` the cell defines at its top level (all its definitions there), or of the
        whole cell where it defines it otherwise, in a class or another function (review 417: every function of a cell
        was read where one of them was named, thousands of them for a chain that named none)."""
        if c.index not in inside:
            tree = python_tree(c.source)
            lines = c.source.splitlines()
            own: dict[str, frozenset[str]] = {}
            if tree is not None and len(lines) == len(without_magics(c.source).splitlines()):
                top = {id(n) for n in tree.body}
                for node in tree.body:
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                        text = as_python_reads("\n".join(lines[first - 1:node.end_lineno]))
                        own[node.name] = own.get(node.name, frozenset()) | frozenset(_WORD.findall(text))
                for n in walk(tree):
                    if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and id(n) not in top:
                        own.pop(n.name, None)
            inside[c.index] = own
        return inside[c.index].get(name, words[c.index])

    def at(index: int, source: str) -> frozenset[str]:
        if (index, source) in asked:
            return asked[index, source]
        if not words:
            for c in code:
                text = as_python_reads(c.source)
                defs[c.index] = frozenset(m.group(1) for m in _DEF_NAME.finditer(text))
                words[c.index] = frozenset(_WORD.findall(text)) if defs[c.index] or "def" in text else frozenset()
        above = [c for c in code if c.index < index]
        defining = tuple(c for c in above if defs[c.index])
        defined = frozenset().union(*(defs[c.index] for c in defining))
        wanted = defined & frozenset(_WORD.findall(as_python_reads(source))) if defined else frozenset()
        # ... and what the functions named name (`def g(): f()`, `f` in another cell), each name's functions read once
        # (review 431: a chain `def f0(): f1()` ... of 8,000 functions was read again in full for each link, the square
        # of the chain, and again for each cell below that named `f0`: 373 s of the grader's CPU for twenty such cells)
        closure_key = (tuple(c.index for c in defining), wanted)
        if closure_key not in closures:
            new, whole = wanted, wanted
            while new:
                more = frozenset().union(*(named_in(c, n) for n in new for c in defining if n in defs[c.index]))
                new = (more & defined) - whole
                whole |= new
            closures[closure_key] = whole
        wanted = closures[closure_key]
        pdb = names_pdb(source) or any(names_pdb(c.source) for c in above)
        read = [c for c in above if words[c.index] & wanted]
        key = (tuple(c.index for c in read), wanted, pdb)
        if key not in found:
            found[key] = _stoppers(read, wanted, pdb) if wanted else set()
        stopping = found[key]
        # `exit` and `quit` of the notebook's own (`own_def_in_force`), read as its function where called (a fairness
        # review, 410: `def exit(msg): print(msg)` above, called between two tries, left the answers unknown, as a name
        # of Python's own bound again; the same `def` in the answers cell is a function of the cell's own)
        # (... read alone for whether it surely stops: the cell defining it may bind its name elsewhere too, a method
        # or a local, where the reading of a cell's own functions takes none as the one called)
        plain = set()
        given = frozenset("!" + n for n in stopping) | (frozenset({PDB_ON}) if pdb else frozenset())
        for name in sorted(wanted & OWN_EXITS - stopping):
            own = own_def_in_force(above, name)
            if own is None:
                continue
            if name in _exits_of(ast.Module([own], []), given, only=frozenset({name})).own:
                stopping = stopping | {name}
            else:
                plain.add(f"{name}/{_arity(own)!r}")
        out = frozenset({"!" + n for n in stopping} | {"+" + n for n in plain})
        asked[index, source] = out
        return out
    return at


# What a star import binds of `exit` and `quit`, for the modules a notebook of this course imports so (`sys` gives
# `exit`, `builtins` both); a module not listed here may give either
_STAR_OWN_EXITS = {"sys": {"exit"}, "builtins": {"exit", "quit"}, **{m: set() for m in (
    "math", "cmath", "numpy", "pandas", "matplotlib.pyplot", "torch", "torch.nn", "torch.nn.functional", "torch.optim",
    "torchvision", "torchvision.transforms", "torchvision.datasets", "random", "itertools", "collections", "typing",
    "statistics", "functools", "operator", "string", "re", "json", "time", "datetime", "pathlib", "dataclasses", "os",
    "asyncio", "IPython.display", "tqdm")}}


def own_def_in_force(cells, name: str) -> ast.FunctionDef | None:
    """The notebook's function ``name`` (`exit`, `quit`) once these cells ran: the last binding of the name at a cell's
    top level, where that is a plain `def` (no decorator); None where the name is bound otherwise after it, deleted,
    declared `global` in a function, or may be bound by a star import. A function's, a class's or a comprehension's
    own names are theirs (a fairness review, 418: `def exit(self)` in a class, `[exit for exit in ...]`, a helper
    defined again, `from math import *` had cost honest notebooks their answers)."""
    current = None
    for c in cells:
        text = as_python_reads(c.source)
        if not re.search(rf"(?<!\w){name}(?!\w)", text) and not ("*" in text and re.search(r"\bimport[ \t]*\*", text)):
            continue
        tree = python_tree(c.source)
        if tree is None or any(isinstance(n, ast.Global) and name in n.names for n in walk(tree)):
            return None
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == name and not stmt.decorator_list:
                current = stmt
            elif name in _bound_at_top(stmt):
                current = None
    return current


def _bound_at_top(stmt: ast.stmt) -> set[str]:
    """The names a statement at a cell's top level binds in the notebook's namespace, any way (`del` too): not those
    of the functions, lambdas, classes and comprehensions in it, which are theirs; a star import's, as far as
    ``_STAR_OWN_EXITS`` tells ("*": it may bind any)."""
    nodes = list(_in_scope(stmt))
    inner = {id(t) for n in nodes if isinstance(n, ast.comprehension) for t in walk(n.target)}
    out: set[str] = set()
    for n in nodes:
        if isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names):
            out |= _STAR_OWN_EXITS.get(n.module, {"*"}) if not n.level else {"*"}
        elif id(n) not in inner and not isinstance(n, (ast.Global, ast.Nonlocal)) and \
                not (isinstance(n, ast.alias) and n.name == "*"):
            out |= bound_by(n)
    return out if "*" not in out else out | OWN_EXITS


def _in_scope(stmt: ast.stmt):
    """The statement's nodes that run in the scope it stands in: not the bodies of its functions, lambdas and classes,
    but their decorators, defaults, annotations, bases and keywords (review 419: `def log(m, stop=(exit := sys.exit))`
    after the notebook's `def exit`)."""
    todo: list[ast.AST] = [stmt]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = node.args
            todo += [*getattr(node, "decorator_list", ()), *a.defaults, *(d for d in a.kw_defaults if d is not None),
                     *(x.annotation for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg)
                       if x is not None and x.annotation is not None), *[r for r in [getattr(node, "returns", None)] if r]]
        elif isinstance(node, ast.ClassDef):
            todo += [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]
        else:
            todo += child_nodes(node)


def top_level_counts(tree: ast.Module) -> dict[str, int]:
    """How many times the cell binds each name in the notebook's namespace (``_bound_at_top``; a name a function
    declares `global` counts twice: it may be bound again whenever the function runs)."""
    counts: dict[str, int] = {}
    for stmt in tree.body:
        for name in _bound_at_top(stmt):
            counts[name] = counts.get(name, 0) + 1
    for n in walk(tree):
        if isinstance(n, ast.Global):
            for name in n.names:
                counts[name] = counts.get(name, 0) + 2
    return counts


# Names of Python's own that matter to the reading only where called (an exit); one a cell above defines plainly is
# the notebook's function, read as the cell's own would be
OWN_EXITS = frozenset({"exit", "quit"})


def _stoppers(cells, wanted: frozenset[str], pdb: bool = False) -> set[str]:
    """Which of ``wanted`` surely stop when called after these cells ran, in order. Read again while more are found:
    a function bound once is the one called, whichever cell above defines what it calls (review 414: `def exit(msg):
    check(msg)` above the cell defining `check`); in a later round, only the cells that name what changed (review 417:
    each round had read every function of every cell above again). ``pdb``: `%pdb` may be on (`PDB_ON`)."""
    found_before: set[str] = set()
    read: dict[int, tuple] = {}
    for _ in range(3):
        stopping = _stoppers_once(cells, wanted, pdb, found_before, read)
        if stopping <= found_before:
            return stopping
        found_before |= stopping
    return stopping


def _stoppers_once(cells, wanted: frozenset[str], pdb: bool, known: set[str], read: dict[int, tuple]) -> set[str]:
    """One round of ``_stoppers``. ``read``: each cell's reading in the round before, by index (what it was given, what
    it binds, which of its functions surely stop, and the marks it may read: those of the names it holds)."""
    stopping: set[str] = set()
    counts: dict[str, int] = {}
    for c in cells:
        given = frozenset("!" + n for n in stopping | known) | (frozenset({PDB_ON}) if pdb else frozenset())
        last = read.get(c.index)
        if last is not None and not (last[0] ^ given) & last[3]:
            bound, found = last[1], last[2]
        else:
            tree = python_tree(c.source)
            if tree is None:
                continue
            bound = top_level_counts(tree)
            magics = magic_lines(c.source) if "time" in c.source else None      # (`%time` in a function: most have none)
            timed = timed_in_blocks(tree, magics, 0, _exits_of(tree, given, only=wanted)) if magics and any(
                m == "time" for _, m in magics.texts.values()) else (frozenset(), frozenset())
            found = _exits_of(tree, given, only=wanted, timed=timed).own
            words = set(_WORD.findall(as_python_reads(c.source)))
            read[c.index] = (given, bound, found, frozenset({PDB_ON} | {f"!{w}" for w in words} |
                                                            {f"!await {w}" for w in words}))
        for name, k in bound.items():
            counts[name] = counts.get(name, 0) + k
        stopping = {n for n in {x for x in stopping if x.removeprefix("await ") not in bound} | set(found)
                    if counts.get(n.removeprefix("await "), 0) == 1}
    return stopping


def _arity(f: ast.FunctionDef) -> tuple:
    """What a call of ``f`` must give, as `_fits_own` reads it: (positional names, how many of them have defaults,
    whether it takes more, keyword-only names, those of them without a default, whether it takes any keyword)."""
    a = f.args
    return (tuple(x.arg for x in [*a.posonlyargs, *a.args]), len(a.defaults), a.vararg is not None,
            tuple(x.arg for x in a.kwonlyargs), tuple(x.arg for x, d in zip(a.kwonlyargs, a.kw_defaults) if d is None),
            a.kwarg is not None, len(a.posonlyargs))


def _rebound(cells) -> list[tuple[int, frozenset[str]]]:
    """(index, the names bound again by the code cells up to it) at each cell that adds one: a name bound any way
    (`names_bound`), stored as an attribute or a key of what may be a namespace (`builtins.ValueError = KeyError`,
    `globals()[k] = ...`: `names_stored`; not a name computed and set on an object an earlier cell made, which may
    be a module: honest drafts do `setattr(args, k, v)`), or set by a magic given the name (review 322: `%macro -q
    Exception 1`: `writers`). A cell the grader cannot read binds none. Only a cell that names such a name, or a door
    through which a computed name is stored, is read (each takes milliseconds)."""
    marks: list[tuple[int, frozenset[str]]] = []
    names: frozenset[str] = frozenset()
    for c in cells:
        text = as_python_reads(c.source) if c.cell_type == "code" else ""
        named = sorted(set(REBINDABLE_NAME.findall(text)))
        stores = _STORING_DOOR.search(text)
        if not (named or stores or "*" in text and re.search(r"\bimport[ \t]+\*", text)):
            continue
        tree = python_tree(c.source)
        # magics that set a name they are given (`%%capture Exception`); not code that may set any name (`exec`,
        # `logging.getLogger(__name__)` read as a door to the module): honest cells did, and it cost their drafts
        # (a fairness review, 324); a TA is told of it (`answers._shell_above`)
        written = writers(c.source, ["\0", *named], tree, on_objects=False) if named else {}
        more = {n for n, why in written.items() if n != "\0" and why != written.get("\0")}
        # ... and names stored by name (`builtins.ValueError = KeyError`, `globals()['sys'] = m`); a name computed and
        # stored (`globals()[f"acc_{name}"] = acc`, `vars().update(cfg)`) may be any, which is read as code that may set
        # names without naming them (`answers._shell_above`): a fairness review (326) lost a corrected answer to it
        if tree is not None:
            more |= (names_bound(tree) if named else set()) | (
                names_stored(tree, frozenset(), on_objects=False) if stores or named else set())
            # ... and an import that binds one of `READ_AS_PYTHONS`; one of an exit call (`from sys import exit`:
            # `names_bound` leaves out what comes from the exit modules) is kept as "=exit", a name that then stops the
            # cell where called, as in a cell that imports it itself (a fairness review, 328: it had left every
            # answer around an `if ...: exit(...)` unknown)
            imports = [(n, a) for n in walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names]
            # ... and the exit calls a star import binds (review 329: `from sys import *` above `exit()`)
            more |= {"=" + e for n, a in imports if a.name == "*" and isinstance(n, ast.ImportFrom) and not n.level
                     for e in _STAR_EXITS.get(n.module or "", ())}
            more |= {("=" if isinstance(n, ast.ImportFrom) and f"{n.module}.{a.name}" in EXITS else "") + (a.asname or a.name)
                     for n, a in imports if (a.asname or a.name) in READ_AS_PYTHONS}
            # ... not a name imported as the very object Python's own is (`from builtins import range`, `from
            # concurrent.futures import TimeoutError`: 328), where the cell binds it nowhere else
            counts = binding_counts(tree)
            more -= {a.name for n, a in imports if isinstance(n, ast.ImportFrom) and not n.level and a.asname in (
                None, a.name) and (n.module == "builtins" or (n.module, a.name) in _SAME_AS_BUILTIN) and counts.get(
                a.name, 0) <= 1}
        more = frozenset(n for n in more if n.lstrip("=") in REBINDABLE) - names
        # ... and a name the cell deletes at its top level after binding it gives Python's own back (a fairness
        # review, 328: `range = (lo, hi)` in one cell, `del range  # oops` in the next); not `exit` or `quit`, which
        # are IPython's in the notebook's names, not Python's: deleted, a call of them is a NameError (review 416)
        freed = _freed(tree) & (names | more) - {"exit", "quit"} if tree is not None else frozenset()
        if more - freed or freed & names:
            names = (names | more) - freed
            marks.append((c.index, names))
    return marks


def _freed(tree: ast.Module) -> frozenset[str]:
    """The names the cell's last top-level statement that touches them deletes (`del range`), with no other binding of
    them in that statement."""
    last: dict[str, bool] = {}
    for node in tree.body:
        for n in walk(node):
            for name in bound_by(n):
                last[name] = False
        if isinstance(node, ast.Delete):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    last[t.id] = True
    return frozenset(n for n, deleted in last.items() if deleted)


@dataclass(frozen=True)
class Magics:
    """How the grader's reading of a cell (`without_magics`) maps to the texts IPython compiles whole
    when their turn comes: ``texts`` gives a line of the reading the line its text starts on and the
    magic that runs it (a magic line's code, a `%%time` cell's body); ``lines`` are the reading's."""
    texts: dict[int, tuple[int, str]]
    lines: tuple[str, ...]
    background: frozenset[int] = frozenset()     # lines of shell commands Jupyter refuses (`_background`)
    # the `__future__` features the code of a magic line leaves in the kernel's compiler, where they are not what
    # its statements in the reading import (`carried`), and whether the cell is a `%%prun` cell, which leaves none
    kept: dict[int, int] = field(default_factory=dict)
    prun: bool = False
    refused: frozenset[int] = frozenset()        # lines of magics the kernel does not have (`_refused`)
    # lines of autoreload's magics where the cell loads no autoreload above them: IPython refuses them unless an
    # earlier cell did (`stops.unsure`)
    unloaded: frozenset[int] = frozenset()
    # ... and all of them, loaded in the cell or not: refused where the notebook may have put a module of autoreload's
    # name first (`SHADOWED`: no load of it is IPython's then, review 455)
    autoreload: frozenset[int] = frozenset()


def magic_lines(source: str) -> Magics:
    read = without_magics(source)
    plain, turned = crlf_as_lf(cleaned(source)).split("\n"), read.split("\n")
    if plain == turned:
        if "get_ipython" not in source:
            return Magics({}, tuple(turned))
        code = scan_text(source)
        if makes_magic(code) is not None or reaches_shell(code) is not None:
            return Magics({}, tuple(turned))
        refused, unloaded, every = _refused_calls(read, autoreload_loaded_at(source))
        return Magics({}, tuple(turned), refused=frozenset(refused), unloaded=frozenset(unloaded),
                      autoreload=frozenset(every))
    if next((ln.strip() for ln in plain if ln.strip()), "").split(" ")[0] == "%%time":
        return Magics(dict.fromkeys(range(1, len(turned) + 1), (1, "%%time")), tuple(turned))
    kept, changed = aligned(plain, turned)
    named = {i: ("time" if m == "time" and text.startswith("%time") else m or "?") for i, m, text in changed}
    # (a magic the cell makes itself, or a shell of its own, may answer to any name)
    code = scan_text(source)            # (its code: a word in a comment makes nothing, review 441)
    own = makes_magic(code) is not None or reaches_shell(code) is not None
    # (the lines IPython turns, as its reader groups the cell: a changed line is matched, and a docstring's line
    # `%matplotlib inline would go here` in a cell IPython rewrote had been read as the magic: a fairness review, 443)
    text = crlf_as_lf(cleaned(source))
    grouping = logical_lines(text)
    lines = text.split("\n")
    magics_turned = {lines[k].strip() for k in grouping.escapes | grouping.assigned} \
        if grouping is not None and grouping.settled else set()
    # (autoreload's magics above the line that loads it in the cell, or with none: review 446 loaded it below them)
    loaded_at = autoreload_loaded_at(source)
    unloaded = {lines[k].strip() for k in grouping.escapes | grouping.assigned
                if loaded_at is None or k < loaded_at} if grouping is not None else set()
    every = {lines[k].strip() for k in grouping.escapes | grouping.assigned} if grouping is not None else set()
    # (a magic line a `\` continues is the magic of the lines IPython joins: review 449, `%cd \` then `-z`)
    joined = {lines[k].strip(): grouping.joins[k][1].strip() for k in grouping.joins} if grouping is not None else {}
    refused = {i for i, _, text in changed if text.strip() in magics_turned and _refused(joined.get(text.strip(), text), own)}
    autoreload_lines = {i for i, m, text in changed if m in ("autoreload", "aimport") and text.strip() in magics_turned
                        and text.strip() in every and _autoreload_parses(text)}
    unloaded_lines = {i for i, _, text in changed if i in autoreload_lines and text.strip() in unloaded}
    if "get_ipython" in source and not own:
        calls = _refused_calls(read, loaded_at, [(i, text) for i, _, text in changed if "get_ipython" in text])
        refused |= calls[0]
        unloaded_lines |= calls[1]
        autoreload_lines |= calls[2]
    return Magics({i: (i, named.get(i, "?")) for i in range(1, len(turned) + 1) if i not in kept}, tuple(turned),
                  frozenset(i for i, _, text in changed if _background(text)),
                  {i: 0 if m == "prun" else _features_of(*timeit_texts(text, "\n".join(plain[i:])))
                   for i, m, text in changed if m in ("prun", "timeit")},
                  cell_magic(source) == "prun", frozenset(refused), frozenset(unloaded_lines), frozenset(autoreload_lines))


# A magic or shell command assigned (`x = %pwd`, `files = !ls`), as a prefilter: anywhere on a line
_ASSIGNED_ESCAPE = re.compile(r"=[ \t]*[%!]")


def _may_be_magic(text: str) -> bool:
    """May a line of the cell be a magic or a shell command as IPython reads it: one that starts with `%` or `!` after
    its indent, at a line's start after any break IPython splits at (a form feed, `\x0b`, `\x1c` to `\x1e`, `\x85`,
    `\u2028`, `\u2029` too: `str.splitlines`'), or one assigned? Read in linear time: as one pattern (a break, blanks,
    then anything up to `=` and an escape) it backtracked in cubic time over a run of form feeds, hours of the grader's
    CPU for one cell in a string, found while mending review 456."""
    if "%" not in text and "!" not in text:
        return False
    return _ASSIGNED_ESCAPE.search(text) is not None or any(
        line.lstrip(" \t")[:1] in ("%", "!") for line in text.splitlines())


def refused_at_top(source: str, loaded_above: bool, shadowed: bool = False) -> int | None:
    r"""The first line (1-based, as the student wrote the cell) of a magic line at the cell's top level that IPython
    refuses (a `\`-continued one as IPython joins it; autoreload's magics with none loaded above them, or any where
    the notebook is ``shadowed``: `SHADOWED`), None for none: read on the student's own lines, where IPython's reading
    of a rewritten cell may not align line for line (review 449: `%cd \` then ` -z` at the end of `train-and-test`)."""
    if cell_magic(source):
        # (its lines are the cell magic's text: `first_stop` reads a `%%time` body), but its own line is IPython's
        lines = crlf_as_lf(cleaned(source)).split("\n")
        first = next(k for k, ln in enumerate(lines) if ln.strip())
        name, _, args = lines[first].strip()[2:].partition(" ")
        return first + 1 if cell_magic_refused(name, args.rstrip()) else None
    text = crlf_as_lf(cleaned(source))
    if not _may_be_magic(text):
        return None                     # (no line IPython may turn: IPython's reader is not even loaded)
    grouping = logical_lines(text)
    if grouping is None or not grouping.settled:
        return None
    code = scan_text(source)
    if makes_magic(code) is not None or reaches_shell(code) is not None:
        return None
    lines = text.split("\n")
    loaded_at = None if loaded_above or shadowed else autoreload_loaded_at(source)
    for k in sorted(grouping.escapes | grouping.assigned):
        line = lines[k] if k < len(lines) else ""
        if line[:1] in (" ", "\t", "\f") or not line.strip():
            continue
        whole = grouping.joins[k][1] if k in grouping.joins else line
        if _refused(whole) or _background(whole):
            return k + 1
        name = line_magic_name(line.strip()[1:]) if line.startswith("%") else None
        if name in ("autoreload", "aimport") and not loaded_above and (loaded_at is None or k < loaded_at) and \
                _autoreload_parses(line):
            return k + 1
    return None


def _refused_calls(read: str, loaded_at: int | None, lines: list[tuple[int, str]] = ()) -> tuple[set[int], set[int],
                                                                                                  set[int]]:
    """(lines of IPython's calls written out for a magic the kernel refuses, lines of those for autoreload's magics
    above any load of it in the cell, lines of those for autoreload's magics wherever they stand): `get_ipython().run_line_magic('cd', '-z')` raises as `%cd -z` does (review
    449: the call between two tries at the answers, or at the end of `train-and-test`, read as a call that runs).
    The calls are those of the reading (``read``) and the student's ``lines`` the reading turned (into `pass`)."""
    nodes = []
    for at, text in [(0, read), *lines]:
        try:
            tree = ast.parse(text if not at else text.strip())
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        nodes += [(node, at or getattr(node, "lineno", 0)) for node in walk(tree)]
    refused, unloaded, every = set(), set(), set()
    for node, line in nodes:
        call = ipython_call(node)
        if call is None or call[0] not in ("run_line_magic", "magic") or node.keywords:
            continue
        texts = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in call[1]]
        if call[0] == "magic" and len(texts) == 1 and texts[0] is not None:
            name, _, args = texts[0].partition(" ")
            name = name.lstrip("%")
        elif call[0] == "run_line_magic" and len(texts) == 2 and None not in texts:
            name, args = texts
        else:
            continue
        if magic_refused(name, args.rstrip()):
            refused.add(line)
        elif name in ("autoreload", "aimport") and _autoreload_parses(f"%{name} {args}"):
            every.add(line)
            if loaded_at is None or line - 1 < loaded_at:
                unloaded.add(line)
    return refused, unloaded, every


def carried(node: ast.stmt, magics: Magics) -> int:
    """The compiler flags a top-level statement of the grader's reading leaves for every later compile. IPython
    compiles plain statements, `%time`'s and `%%time`'s code and a `%%capture` body with the kernel's own compiler,
    which keeps a `__future__` import's feature; so it compiles `%timeit`'s and `%%timeit`'s statement and setup, to
    check them before it times them, even where the timer then fails on the import. `%prun` and `%%prun` run theirs
    through `exec`, which keeps nothing (review 320: `%prun from __future__ import annotations` above `x: 1/0 = 1`
    was read as a cell whose annotations are not run; Jupyter stopped at it)."""
    if magics.prun:
        return 0
    whole = magics.texts.get(node.lineno)
    return magics.kept.get(whole[0], imported(node)) if whole is not None else imported(node)


def _features_of(texts: list[str], runs: bool) -> int:
    """The features `%timeit` leaves of the texts it compiles to check them, one after the other (as IPython reads
    them: a magic line is a call of the shell's; none after one that does not compile), and, where it then runs
    them, those the magic lines among them leave as they run (review 321: `%timeit -n1 -r1 %time from __future__
    import annotations` compiles a call, and the `%time` it runs keeps the feature)."""
    out = 0
    for text in texts:
        try:
            tree = compile(as_ipython_compiles(text) or "raise", "<magic>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
            compile(tree, "<magic>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError, OverflowError):
            return out
        for node in tree.body:
            out |= imported(node)
    for text in texts if runs else ():
        magics = magic_lines(text)
        try:
            tree = parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if node.lineno in magics.texts:         # the plain statements run inside the timer's function
                out |= carried(node, magics)
    return out


def _background(line: str) -> bool:
    """A shell command ending in `&` (`!cmd &`, `!!cmd &`, `x = !cmd &`, `%sx cmd &`, `%system cmd &`):
    ipykernel refuses it with an OSError ("Background processes not supported") before it expands or runs
    anything, so the cell stops there (a two-hundred-and-fifty-fifth review: the right answers below such a
    line graded, where Jupyter ended with the wrong ones above it)."""
    text = line.strip()
    at = assigned_magic(text)
    text = text[at:] if at is not None else text
    for lead in ("!!", "!", "%sx ", "%system "):
        if text.startswith(lead):
            return text[len(lead):].rstrip().endswith("&")
    return False


def _autoreload_parses(line: str) -> bool:
    """Does autoreload's parser take this `%autoreload` line (one it refuses is read where its names are: a stop)?"""
    text = line.strip()
    if not text.startswith("%autoreload"):
        return True
    try:
        from IPython.core.magic_arguments import parse_argstring
        from IPython.extensions.autoreload import AutoreloadMagics
        parse_argstring(AutoreloadMagics.autoreload, text[len("%autoreload"):].strip())
    except BaseException:  # noqa: BLE001 - (argparse's SystemExit, IPython's UsageError), or no IPython
        return False
    return True


def _refused(line: str, own: bool = False) -> bool:
    """A magic line (`%nosuchmagic`, `x = %matplotlb inline`) whose name no magic of the kernel has, or whose line the
    magic's parser refuses (`magic_refused`): IPython raises before it runs anything, and the cell stops there (review
    439: the right answers below such a line graded, unflagged, where Jupyter set none, or ended with the wrong ones
    above it). A magic made in another cell (an extension loaded, a function registered) is not seen here: the line
    reads as a stop, which is flagged. In a cell that makes magics itself (``own``) only a `%load_ext` of text no
    module can be named is read so (review 446: `%load_ext autoreload  # dev`, a ModuleNotFoundError)."""
    text = line.strip()
    at = assigned_magic(text)
    text = text[at:] if at is not None else text
    if not text.startswith("%") or text.startswith("%%"):
        return False
    name = line_magic_name(text[1:])
    if name is None:
        return False
    args = text[1 + len(name):]
    args = args[1:] if args.startswith(" ") else args     # (as IPython splits the line: at its first space)
    if own and not (name in ("load_ext", "reload_ext") and not _MODULE_NAME.fullmatch(args.rstrip())):
        return False
    return magic_refused(name, args.rstrip())


_MODULE_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def awaits(tree: ast.AST) -> bool:
    """Does the cell await at its top level (what compiles only while IPython's autoawait is on)?"""
    return any(isinstance(n, (ast.Await, ast.AsyncFor, ast.AsyncWith)) or
               isinstance(n, ast.comprehension) and n.is_async for n in walk(tree))


def _groups(body: list[ast.stmt], magics: Magics):
    """(first, end, the magic that runs it or '') of each run of statements IPython compiles as one
    text: a magic line's code, a `%%time` body; a plain statement alone."""
    i = 0
    while i < len(body):
        whole = magics.texts.get(body[i].lineno)
        j = i + 1
        while whole is not None and j < len(body) and magics.texts.get(body[j].lineno) == whole:
            j += 1
        yield i, j, whole[1] if whole is not None else ""
        i = j


def _segment(lines: tuple[str, ...], first: ast.stmt, last: ast.stmt) -> str:
    """The reading's text from ``first`` to ``last`` (offsets are in UTF-8 bytes)."""
    out = []
    for ln in range(first.lineno, (last.end_lineno or last.lineno) + 1):
        b = lines[ln - 1].encode() if ln <= len(lines) else b""
        start = first.col_offset if ln == first.lineno else 0
        end = last.end_col_offset if ln == last.end_lineno and last.end_col_offset is not None else len(b)
        out.append(b[start:end].decode(errors="replace"))
    return "\n".join(out)


def _timed_compiles(group: list[ast.stmt], lines: tuple[str, ...], flags: int) -> bool:
    """Does `%time` (or `%%time`) compile this code, as IPython 8 does: the whole text parsed, then all
    but a last expression compiled as one module (that expression apart, its failure caught), never
    with top-level `await`? A failure here raises out of the magic and stops the cell."""
    try:
        compiled(_segment(lines, group[0], group[-1]), ast.PyCF_ONLY_AST | (flags & BARRY), "<timed>")
    except SyntaxError:
        return False
    except (ValueError, RecursionError, MemoryError):
        return True
    if len(group) == 1 and isinstance(group[0], ast.Expr):
        return _compiles(ast.Expression(group[0].value), flags, mode="eval")
    run = group[:-1] if len(group) > 1 and isinstance(group[-1], ast.Expr) else group
    return _compiles(ast.Module(run, []), flags)


# The calls that end the cell (and the kernel's run of it), as the cell may spell them: `sys.exit()`, `os._exit()`,
# and the names an import binds to them (review 303: `import sys as s` then `s.exit()` inside `if 1:` above the
# answers). Not a bare `exit()` or `quit()`: in a Jupyter kernel those are IPython's, which ask the front end to
# close and return, and the cell goes on (review 315: `exit(keep_kernel=True)` read as a stop; nbclient showed the
# lines below `exit()` run, and the kernel with them).
EXITS = frozenset({"sys.exit", "sys._exit", "os._exit", "os.exit", "os.abort", "builtins.exit", "builtins.quit",
                   "_thread.exit", "_thread.exit_thread",        # review 333: `_thread.exit()` raises SystemExit
                   # review 335: the same under the C module's name, and the kernel's process replaced
                   "posix._exit", "posix.abort", *(f"{m}.{e}" for m in ("os", "posix") for e in (
                       "execv", "execve", "execl", "execle", "execlp", "execlpe", "execvp", "execvpe"))})
EXIT_MODULES = ("sys", "os", "builtins", "_thread", "posix")
# ... and the names of Python's own whose meaning the reading of a cell takes as given: IPython's `exit()` and `quit()`,
# which return, `range`, whose loops end, and the dict an annotated assignment writes to (review 325: `from sys import
# exit`, `range = None` and `__annotations__ = 0` in a cell above each stopped Jupyter between two tries at the answers)
READ_AS_PYTHONS = ("exit", "quit", "range", "__annotations__", "__name__")   # `__name__`: review 408
REBINDABLE = frozenset({*EXIT_MODULES, *READ_AS_PYTHONS, *(n for n, v in vars(builtins).items()
                                                           if isinstance(v, type) and issubclass(v, BaseException))})
REBINDABLE_NAME = re.compile(r"\b(?:%s)\b" % "|".join(sorted(REBINDABLE)))
_EXECS = ("execv", "execve", "execl", "execle", "execlp", "execlpe", "execvp", "execvpe")
# ... what `from X import *` binds of them (`os.__all__` holds `_exit`; `posix` has no `__all__`, so no name with an
# underscore: review 336, `from os import *` then `abort()`)
_STAR_EXITS = {"sys": ("exit",), "_thread": ("exit",), "builtins": ("exit", "quit"), "os": ("_exit", "abort", *_EXECS),
               "posix": ("abort", *_EXECS)}
# Imports of the very class Python's own name holds (Python 3.11)
_SAME_AS_BUILTIN = {("concurrent.futures", "TimeoutError"), ("asyncio", "TimeoutError"),
                    ("asyncio.exceptions", "TimeoutError")}
# A line that may be an annotated assignment, which reads `__annotations__` without naming it
ANNOTATED = re.compile(r"^[ \t]*(?!(?:else|try|finally|except|lambda|if|elif|while|for|with|def|class|match|case)\b)"
                       r"[A-Za-z_]\w*[ \t]*:[^=\n]*=", re.M)
# the words of a door through which a cell stores a name it computes on a namespace (`vars(builtins)[k] = ...`)
_STORING_DOOR = re.compile(r"\b(?:globals|vars|locals|__dict__|setattr|__setattr__|__setitem__|modules|__builtins__|"
                           r"__main__|user_ns)\b")


@dataclass(frozen=True)
class Exits:
    """``EXITS`` as a cell spells them (``calls``), and the names the cell binds anywhere (`TypeError = Exception`
    above a handler: review 317), which then mean what the cell made of them."""
    calls: frozenset[str] = EXITS
    bound: frozenset[str] = frozenset()
    own: frozenset[str] = frozenset()         # functions of the cell's own whose call surely stops (`_own_stoppers`)
    caught: frozenset[int] = frozenset()      # lines of `%time` code in a block, which catches what it raises (`timed_in_blocks`)
    refused: frozenset[int] = frozenset()     # ... and those whose text IPython refuses there: a stop


def timed_in_blocks(tree: ast.AST, magics: Magics, flags: int, exits: Exits) -> tuple[frozenset[int], frozenset[int]]:
    """(caught, refused): the lines of statements in a block (a loop's, a function's) that a `%time` line runs, whose
    stop `%time` surely catches (it shows the error and the block goes on: review 408, `for _ in range(1): %time 1/0`
    above answers set again below it was read as a stop), and those whose text IPython does not compile as it compiles
    `%time`'s, alone, under the notebook's features and without top-level `await` (a SyntaxError where the line runs:
    review 412, `%time await ...` and `%time 1 != 2` under `barry_as_FLUFL` in a loop). A stop `%time` does not
    surely catch stays one (`_plainly_caught`: review 412 raised an exception whose `__str__` raises, and ended the
    process), and so does what was read as a stop already (`%time break`, review 399; a `__future__` import, 321)."""
    if not isinstance(tree, ast.Module) or not any(m == "time" for _, m in magics.texts.values()):
        return frozenset(), frozenset()
    top = {n.lineno for n in tree.body}
    lines: dict[int, list[ast.stmt]] = {}
    starts: dict[int, int] = {}         # the features in force where each line's top-level statement starts
    for stmt in tree.body:
        for node in walk(stmt):
            if isinstance(node, ast.stmt) and node.lineno not in top and \
                    magics.texts.get(node.lineno, (0, ""))[1] == "time":
                lines.setdefault(node.lineno, []).append(node)
                starts[node.lineno] = flags
        flags |= carried(stmt, magics)
    caught, refused = set(), set()
    for line, stmts in lines.items():
        flags = starts[line]
        # (a line of statements, `t = %time break` read as `raise SyntaxError(...); t = None`, is one text)
        if any(isinstance(n, ast.Raise) and isinstance(n.exc, ast.Call) and n.exc.args and isinstance(
                n.exc.args[0], ast.Constant) and isinstance(n.exc.args[0].value, str) and \
               "does not compile alone" in n.exc.args[0].value or
               isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in stmts):
            continue
        if not _timed_compiles(stmts, magics.lines, flags & ~AWAIT):
            refused.add(line)
        elif all(_plainly_caught(n, exits) or not surely_stops(n, flags | INSIDE, exits) for n in stmts):
            caught.add(line)
    return frozenset(caught), frozenset(refused)


def _timed(tree: ast.AST, magics: Magics, flags: int, above: frozenset[str]) -> tuple[frozenset[int], frozenset[int]]:
    # (... and the lines of magics the kernel refuses, in a block too: review 445, `if True:` then `%nosuchmagic`
    # between two tries at the answers)
    refused = magics.refused | magics.background
    if AUTORELOADED not in above:
        # (no cell above loads autoreload, nor this one: IPython refuses its magics; nor does any where the notebook
        # may have put a module of its name first)
        refused |= magics.autoreload if SHADOWED in above else magics.unloaded
    if not any(m == "time" for _, m in magics.texts.values()):
        return frozenset(), refused
    caught, timed = timed_in_blocks(tree, magics, flags, exits_of(tree, above))
    return caught, timed | refused


def _plainly_caught(stmt: ast.stmt, exits: Exits) -> bool:
    """Does `%time` surely catch and show what this statement raises: one of Python's exception classes, or an exit
    call's SystemExit, made of literals (IPython shows the exception with `str`, and an object's `__str__` may raise
    out of the magic: review 412), not an end of the process (`os._exit`, `os.abort`)?"""
    if PDB_ON in exits.bound:
        return False            # (`%pdb on`: IPython's debugger opens where it shows the error, review 413)
    thrown = _thrown(stmt, exits)
    if not (isinstance(thrown, type) and issubclass(thrown, BaseException)) or issubclass(thrown, SyntaxError):
        return False            # (IPython shows a SyntaxError apart, unguarded: `SyntaxError('m', 'abcd')`, review 414)
    if isinstance(stmt, ast.Raise):
        made = stmt.exc
        if stmt.cause is not None and not (isinstance(stmt.cause, ast.Constant) and stmt.cause.value is None):
            return False
    else:
        made = getattr(stmt, "value", None)
    if isinstance(made, ast.Call):
        return all(isinstance(a, ast.Constant) and _shown_plainly(a.value) for a in [*made.args, *(
            k.value for k in made.keywords)])
    return True


PDB_ON = "%pdb"         # among the names a cell is read with (`exits_of`'s ``above``): the notebook may turn `%pdb` on
# ... and a cell above loads autoreload (its magics are the kernel's then: a fairness review, 443, `%load_ext autoreload`
# in the first cell and `%autoreload 2` in the answers cell, flagged `raised:`)
AUTORELOADED = "%autoreload"
# ... or no load of it in the notebook is IPython's: a cell may put a module of its name first, bind IPython's names or
# `print` (`shadows_autoreload`, `binds_print`: review 455, a load in the answers cell itself read as IPython's)
SHADOWED = "%autoreload?"
# ... and where it is, a cell above loads it all the same: the kernel refuses `%autoreload` only if that load found
# another module, so a flag's words say "may" (the fifty-first session: "the kernel refuses ... Run All stops there"
# above a note that said nothing is lost where the notebook runs to the end)
LOADED_SHADOWED = "%autoreload?loaded"
# Quotes that join the pieces of a string (`'p' 'db'`, `'p' + 'db'`: review 414)
_JOINED = re.compile(r"['\"][ \t]*\+?[ \t]*['\"]")


def names_pdb(source: str) -> bool:
    """May this cell turn IPython's `%pdb` on: the word, also in the pieces of a string or a string's value (an escape,
    `'p\\x64b'`)?"""
    if "pdb" in source or "db" in source and "pdb" in _JOINED.sub("", source):
        return True
    return "\\" in source and in_string_values(source, ("pdb",))


def in_string_values(source: str, words: tuple[str, ...]) -> bool:
    """Does a string of the cell hold one of ``words`` by its value: escapes read, pieces joined by `+` (review 414:
    `'p\\x64b'`, `'autoa\\x77ait'`)? The cell as written (the reading turns `run_line_magic(...)` into its magic),
    else as the reading has it."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = python_tree(source)
    return tree is not None and any(w in (folded(n) or "").lower() for n in ast.walk(tree)
                                    if isinstance(n, (ast.Constant, ast.BinOp)) for w in words)


def _shown_plainly(value) -> bool:
    """Does IPython show this literal without an error of its own: not a number past Python's digits limit for text
    (a hex literal of 3,800 digits), not a string that UTF-8 cannot hold (a lone surrogate: review 413, both raised out
    of `%time`'s handler)?"""
    if isinstance(value, int):
        return value.bit_length() <= 2_000      # (under 640 digits, the least limit a notebook may set: review 416)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return True


def exits_of(tree: ast.AST, above: frozenset[str] = frozenset(),
             timed: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())) -> Exits:
    """``EXITS`` and the spellings the cell's imports at its own level add (`import sys as s`: `s.exit`; `from os
    import _exit as bye`: `bye`; not an import inside a function, which binds a local: review 317). An import below
    the call makes no difference: the call then fails with a NameError, a stop too. ``above``: such names the cells
    above bind (`bound_before`), which the notebook may still hold (review 320: `Exception = KeyError` in a cell above
    a `try: raise ValueError except Exception: pass`)."""
    if type(tree) is not ast.Module:
        return _exits_of(tree, above, timed=timed)
    kept = tree.__dict__.setdefault("_grader_exits", {})      # (asked in each reading of a cell: kept on its tree)
    if (above, timed) not in kept:
        kept[above, timed] = _exits_of(tree, above, timed=timed)
    return kept[above, timed]


def _exits_of(tree: ast.AST, above: frozenset[str], only: frozenset[str] | None = None,
              timed: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())) -> Exits:
    out = set(EXITS)
    aliases = []
    imports: set[str] = set()       # exit calls the cell imports by name, whatever a cell above bound them to
    for node in within([tree]):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name in EXIT_MODULES:
                    out |= {f"{a.asname or a.name}.{e.split('.')[1]}" for e in EXITS if e.startswith(a.name + ".")}
        elif isinstance(node, ast.ImportFrom) and node.module in EXIT_MODULES and not node.level:
            imports |= {a.asname or a.name for a in node.names if f"{node.module}.{a.name}" in EXITS}
            if any(a.name == "*" for a in node.names):        # review 336: `from os import *`, then `abort()`
                imports |= set(_STAR_EXITS.get(node.module, ()))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            aliases.extend(_pairs(node))
        elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            aliases.append((node, {node.target.id}, node.value))        # review 343: `(q := sys.exit)`, then `q()`
    out |= imports
    aliases += _class_pairs(tree)
    # ... and a name the cell gives one of them (review 325: `exit = sys.exit`, or `print = sys.exit`, then `exit()`
    # between two tries at the answers), in the order the cell gives them
    named: set[str] = set()
    for node, targets, value in sorted(aliases, key=lambda a: (a[0].lineno, a[0].col_offset)):
        spelled = _spelled(value).removesuffix(".__call__")
        if spelled in out:
            named |= targets
            out |= targets
        # ... or one of the exit modules (review 327: `s = sys`, then `s.exit()`)
        module = spelled if spelled in EXIT_MODULES else next((m for m in EXIT_MODULES if all(
            f"{spelled}.{e.split('.', 1)[1]}" in out for e in EXITS if e.startswith(m + "."))), None) if spelled else None
        if module is not None and "." not in spelled:
            named |= targets
            out |= {f"{t}.{e.split('.')[1]}" for t in targets for e in EXITS if e.startswith(module + ".")}
    # ... and the names of exit calls a cell above imported (`from sys import exit`: "=exit", `_rebound`)
    imported = {n[1:] for n in above if n.startswith("=")}
    out |= imported
    bound = names_bound(tree)
    # (... and not a name a cell above bound where the cell imports an exit call under it: review 412, `def exit():
    # print()` above, `from sys import exit` in the answers cell, then `exit()` between two tries)
    base = Exits(frozenset(out), frozenset(bound - named) | (above - {"=" + n for n in imported} - imports),
                 frozenset(n[1:] for n in above if n.startswith("!") and n[1:] not in bound), *timed)
    # (a class's attribute is called under the class's name, which the cell binds: `K.e()`)
    return Exits(base.calls, base.bound, _own_stoppers(tree, base, only) | {n for n in named if "." in n}, *timed)


def _pairs(node: ast.Assign) -> list[tuple[ast.Assign, set[str], ast.expr]]:
    """The names an assignment gives a name or an attribute: `q = sys.exit`, each of `q, r = sys.exit, 0` (review
    336), and a class's attribute (`class K: e = sys.exit`, then `K.e()`: a builtin function is no descriptor)."""
    out = []
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]      # review 341: `q: object = sys.exit`
    if isinstance(node.value, (ast.Name, ast.Attribute)):
        out.append((node, {t.id for t in targets if isinstance(t, ast.Name)}, node.value))
    for t in targets:
        if isinstance(t, (ast.Tuple, ast.List)) and isinstance(node.value, (ast.Tuple, ast.List)) and len(
                t.elts) == len(node.value.elts) and not any(isinstance(e, ast.Starred) for e in t.elts):
            out += [(node, {e.id}, v) for e, v in zip(t.elts, node.value.elts)
                    if isinstance(e, ast.Name) and isinstance(v, (ast.Name, ast.Attribute))]
    return out


def _class_pairs(tree: ast.AST) -> list[tuple[ast.Assign, set[str], ast.expr]]:
    return [(node, {f"{c.name}.{name}" for name in names}, value) for c in tree.body if isinstance(c, ast.ClassDef)
            and not c.decorator_list for node in c.body if isinstance(node, (ast.Assign, ast.AnnAssign))
            for _, names, value in _pairs(node)] if isinstance(tree, ast.Module) else []


def _own_stoppers(tree: ast.AST, exits: Exits, only: frozenset[str] | None = None) -> frozenset[str]:
    """The functions the cell defines at its top level, plainly (no decorator, bound once), whose body surely stops
    before it may return (review 325: `def exit(): raise SystemExit`, then `exit()` between two tries at the answers,
    stopped Jupyter there). Not a generator's, whose body a call does not run."""
    body = getattr(tree, "body", [])
    if not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) or isinstance(n, ast.Assign) and isinstance(
            n.value, ast.Lambda) for n in body):
        return exits.own
    counts = binding_counts(tree)
    out: set[str] = set(exits.own)          # (with those of the cells above: `stoppers_before`)
    # ... read again while one more is found: a function that calls one of them, or a name given one (review 331:
    # `def f(): g()` where `g` raises; `f = g`); in each round only those that name one found in the round before
    # (review 417: a chain of nine functions had every function of a 50,000-character cell read eight times)
    todo = [node for node in body if only is None or _defines(node) in only]
    names = {id(node): {n.id for n in walk(node) if isinstance(n, ast.Name)} for node in todo} if len(todo) > 1 else {}
    for _ in range(8):
        known = Exits(exits.calls, exits.bound - out, frozenset(out), exits.caught, exits.refused)
        more = {name for node in todo for name in _stopper(node, counts, known)} - out
        if not more:
            break
        out |= more
        plain = {m.removeprefix("await ") for m in more}
        todo = [node for node in todo if _defines(node) not in out and names.get(id(node), plain) & plain]
    return frozenset(out)


def _defines(node: ast.stmt) -> str | None:
    """The name a top-level statement may give a function: a `def`'s, or a plain assignment's."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    return None


def _stopper(node: ast.stmt, counts: dict[str, int], exits: Exits) -> set[str]:
    """The name a top-level statement gives a function that surely stops, if any (`_own_stoppers`)."""
    target = node.targets[0].id if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
        node.targets[0], ast.Name) else None
    if target is not None and counts.get(target, 0) == 1:
        # ... a lambda (review 327: `stop = lambda: sys.exit()`), or another name for one (331)
        if isinstance(node.value, ast.Lambda) and _stops(ast.copy_location(ast.Expr(node.value.body), node), 0, exits) \
                or isinstance(node.value, ast.Name) and node.value.id in exits.own:
            return {target}
        return set()
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.decorator_list or \
            counts.get(node.name, 0) != 1:
        return set()
    # (a coroutine's body runs where it is awaited: "await name", review 412's `async def check(): raise SystemExit`,
    # then `await check()` between two tries at the answers; a generator's never runs by a call)
    waited = isinstance(node, ast.AsyncFunctionDef)
    if any(isinstance(n, (ast.Yield, ast.YieldFrom)) or isinstance(n, ast.Await) and not waited
           for n in own_scope(node)):
        return set()
    name = "await " + node.name if waited else node.name
    for stmt in node.body:
        # a `return` of what stops stops (review 327: `return sys.exit()`, `return 1/0`); any other may return
        # (compiled with the function: `return await x` in a coroutine compiles, a fairness review, 415)
        if isinstance(stmt, ast.Return) and stmt.value is not None and \
                _stops(ast.copy_location(ast.Expr(stmt.value), stmt), INSIDE, exits):
            return {name}
        if any(isinstance(n, ast.Return) for n in within([stmt])):
            return set()
        if surely_stops(stmt, INSIDE, exits):
            return {name}
    return set()


def binding_counts(tree: ast.AST) -> dict[str, int]:
    """How many times the cell binds each name, anywhere (a name bound once is what its one binding made it)."""
    counts: dict[str, int] = {}
    for n in walk(tree):
        for name in bound_by(n):
            counts[name] = counts.get(name, 0) + 1
    return counts


def _spelled(node: ast.expr) -> str:
    """`sys.exit` for the expression `sys.exit` ('' where it is not a dotted name)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else ""


def names_bound(tree: ast.AST) -> set[str]:
    """Every name the cell binds, any way (review 319: `import math as ValueError`, `class sys:`), other than by
    `global`, and other than the modules ``EXITS`` names, imported under any name, and what is imported from them."""
    skip = {id(a) for n in walk(tree) for a in getattr(n, "names", ())      # `import os.path` binds `os` too
            if isinstance(n, ast.Import) and (a.asname and a.name or a.name.split(".")[0]) in EXIT_MODULES
            or isinstance(n, ast.ImportFrom) and n.module in EXIT_MODULES and not n.level}
    return {name for n in walk(tree) if id(n) not in skip and not isinstance(n, (ast.Global, ast.Nonlocal))
            for name in bound_by(n)}


def first_stop(tree: ast.Module, flags: int, magics: Magics | None = None,
               above: frozenset[str] = frozenset()) -> int | None:
    """The index in ``tree.body`` of the first statement Jupyter never gets past when the cell starts
    under ``flags`` (None: none). Code `%time` runs stops the cell only where it does not compile (the
    magic catches what it raises: `skipped`); a `%%time` body is the cell, so what stops it is a stop;
    other magics' code is not read as a stop here (`unsure`)."""
    magics = magics or Magics({}, ())
    exits = exits_of(tree, above, _timed(tree, magics, flags, above))
    for i, j, magic in _groups(tree.body, magics):
        timed = magic in ("time", "%%time")
        if timed and not _timed_compiles(tree.body[i:j], magics.lines, flags & ~AWAIT):
            return i
        for k in range(i, j):
            if magic in ("timeit", "prun") and does_not_compile(tree.body[k], magic):
                return k                # (`%timeit -n1 $s`: IPython compiles the statement first, and raises)
            # a `%%time` body is the whole cell: what stops it stops the cell's code (a fairness review, 242:
            # the template's `raise` left in one, answers below it, read as never set)
            if (not magic or magic == "%%time") and surely_stops(tree.body[k], flags & ~AWAIT if timed else flags, exits):
                return k
            # ... and what `%time` does not surely catch stops it too (review 412: an exception whose `__str__` raises,
            # the process ended by `os._exit`)
            if magic == "time" and surely_stops(tree.body[k], flags & ~AWAIT, exits) and \
                    not _plainly_caught(tree.body[k], exits):
                return k
            if tree.body[k].lineno in magics.background or tree.body[k].lineno in magics.refused:
                return k
            flags |= carried(tree.body[k], magics)
    return None


def skipped(tree: ast.Module, flags: int, magics: Magics, above: frozenset[str] = frozenset()) -> tuple[set[int], int]:
    """The statements of code `%time` runs that never run, and the line of the first statement that
    stops such code (0: none): `%time` and `%%time` catch what their code raises, show it, and the cell
    goes on below (a fairness review, 240: a `raise` left at the end of a `%%time` cell is no stop)."""
    out: set[int] = set()
    first = 0
    exits = exits_of(tree, above, _timed(tree, magics, flags, above))
    for i, j, magic in _groups(tree.body, magics):
        if magic == "time" and _timed_compiles(tree.body[i:j], magics.lines, flags & ~AWAIT):
            stop = next((k for k in range(i, j) if surely_stops(tree.body[k], flags & ~AWAIT, exits)), None)
            # (... where `%time` surely catches it: a stop it does not catch stops the cell, `first_stop`)
            if stop is not None and _plainly_caught(tree.body[stop], exits):
                out |= set(range(stop, j))
                first = first or tree.body[stop].lineno
        for k in range(i, j):
            flags |= carried(tree.body[k], magics)
    return out, first


def unsure(tree: ast.Module, flags: int, magics: Magics, above: frozenset[str] = frozenset()) -> list[int]:
    """The first index of each magic's code, other than `%time`'s, that holds a statement that stops,
    or does not compile, in some reading (with the features in force or none, autoawait on or off):
    `%prun` compiles without the notebook's features and `%timeit` stops on what `%time` catches, so
    whether Jupyter sets what that code assigns, and gets past it, depends on the magic (review 237:
    `%prun` ran what the features refuse). A block's every way through, as for any statement: `%timeit` code runs in a
    function of its own, read as a class's body, and `%prun for ...: raise ...` is a loop (review 402: `%timeit -q -n1
    -r1 raise ValueError` between the wrong answers and the right ones, 10/10 unflagged, Jupyter ended with the wrong)."""
    out = []
    exits = exits_of(tree, above, _timed(tree, magics, flags, above))
    for i, j, magic in _groups(tree.body, magics):
        group = tree.body[i:j]
        if magic and magic not in ("time", "%%time"):
            readings = (flags, flags | AWAIT, 0, AWAIT)
            if any(not _compiles(ast.Module(group, []), f, as_text=True) for f in readings) or \
                    any(surely_stops(n, f, exits) for n in group for f in readings):
                out.append(i)
        elif exits.refused and any(_may_pass_refused(n, exits) for n in group):
            out.append(i)
        for n in group:
            flags |= carried(n, magics)
    return out


def _may_pass_refused(node: ast.stmt, exits: Exits) -> bool:
    """A `with` block around a magic line IPython refuses (its manager may suppress the error, or not: review 449's
    `with contextlib.nullcontext(): %cd -z`), or a `try` around one whose handler names a class the cell binds again
    (`Exception = ValueError` above `except Exception:`), where the reading cannot say it stops: Jupyter may stop there
    or go on."""
    if isinstance(node, (ast.With, ast.AsyncWith)):
        pass
    elif isinstance(node, (ast.Try, ast.TryStar)):
        named = [t for h in node.handlers if h.type is not None
                 for t in (h.type.elts if isinstance(h.type, ast.Tuple) else [h.type])]
        # (a builtin class's name only: `UsageError` imported from IPython is the class IPython raises, a fairness
        # review's `except UsageError:` around `%autoreload 2`)
        if not any(isinstance(t, ast.Name) and t.id in exits.bound and isinstance(getattr(builtins, t.id, None), type)
                   for t in named):
            return False
    else:
        return False
    return not surely_stops(node, 0, exits) and any(
        getattr(n, "lineno", 0) in exits.refused for n in walk(node) if isinstance(n, ast.stmt))


def _compiles(module: ast.mod, flags: int, as_text: bool = False, mode: str = "exec") -> bool:
    try:
        code = ast.unparse(module) if as_text else module
        compiled(code, flags, mode=mode)
        return True
    except SyntaxError:
        return False
    except (ValueError, TypeError, RecursionError, MemoryError):
        return True


def _evaluated_now(node: ast.AST, flags: int = 0):
    """The nodes of a statement that surely run when it runs: not a lambda's body (its defaults do run), nor a
    comprehension's (its first iterable does), nor what `and`/`or` may skip (what follows a literal that does not
    decide does run) or the branches of `x if t else y`, nor an annotation under `from __future__ import
    annotations` (reviews 315 and 317)."""
    lazy, consumed = _lazy(flags), _consumed(node)
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(_now_children(n, lazy, consumed))


def _lazy(flags: int) -> bool:
    return bool(flags & _FEATURES.get("annotations", 0))


def _consumed(node: ast.AST) -> dict[int, ast.AST]:
    """The generators in a statement that are read as soon as they are made: handed to a builtin or a method that
    reads them (review 333: `next(1/0 for _ in [1])`, `any(...)`, `tuple(...)`, `str.join`), searched by `in`, unpacked
    with a star, or read by a
    `for` (review 341: `[*(sys.exit() for _ in [1])]`), unpacked by an assignment, its `__next__` or `send` called, or
    handed to a reader through `iter` (review 343: `q, = (1/0 for _ in [1])`, `(...).__next__()`, `next(iter(...))`).
    One walk of the statement (a cell of thousands of statements is read several times)."""
    consumed: dict[int, ast.AST] = {}
    for c in walk(node):
        if isinstance(c, ast.Call):
            f, first = c.func, c.args[0] if c.args else None
            if isinstance(f, ast.Name) and f.id in _CONSUMERS or isinstance(f, ast.Attribute) and f.attr in _READERS:
                if isinstance(first, ast.GeneratorExp):
                    consumed[id(first)] = c
                elif isinstance(f, ast.Name) and isinstance(first, ast.Call) and isinstance(first.func, ast.Name) \
                        and first.func.id == "iter" and len(first.args) == 1 and isinstance(first.args[0],
                                                                                            ast.GeneratorExp):
                    consumed[id(first.args[0])] = c
            if isinstance(f, ast.Attribute) and f.attr in ("__next__", "send") and isinstance(f.value, ast.GeneratorExp):
                consumed[id(f.value)] = c
        elif isinstance(c, ast.Starred) and isinstance(c.value, ast.GeneratorExp):
            consumed[id(c.value)] = c
        elif isinstance(c, ast.Compare):            # review 345: `1 in (1/0 for _ in [1])`
            consumed.update({id(r): c for op, r in zip(c.ops, c.comparators) if isinstance(op, (ast.In, ast.NotIn))
                             and isinstance(r, ast.GeneratorExp)})
        elif isinstance(c, (ast.For, ast.comprehension)) and isinstance(c.iter, ast.GeneratorExp) and not getattr(
                c, "is_async", 0):
            consumed[id(c.iter)] = c
        elif isinstance(c, ast.Assign) and isinstance(c.value, ast.GeneratorExp) and any(
                isinstance(t, (ast.Tuple, ast.List)) for t in c.targets):
            consumed[id(c.value)] = c
    return consumed


def _now_children(n: ast.AST, lazy: bool, consumed: dict[int, ast.AST]) -> list[ast.AST]:
    """What of a node surely runs when it runs (`_evaluated_now`), but the statements of a block, which are read
    statement by statement, a handler's class and a case's guard, which run only sometimes."""
    if isinstance(n, ast.BoolOp):
        children = [n.values[0]]
        for prev, value in zip(n.values, n.values[1:]):      # `True and 1/0`, `False or 1/0`
            truth = constant_truth(prev)
            if truth is None or truth != isinstance(n.op, ast.And):
                break
            children.append(value)
    elif isinstance(n, ast.IfExp):
        # ... the branch a literal test takes (review 331: `1/0 if True else 0`)
        truth = constant_truth(n.test)
        children = [n.test, *([n.body] if truth else [n.orelse] if truth is False else [])]
    elif isinstance(n, ast.Lambda):
        children = [d for d in [*n.args.defaults, *n.args.kw_defaults] if d is not None]
    elif isinstance(n, ast.Call) and isinstance(n.func, ast.Lambda):
        children = [*n.args, *(k.value for k in n.keywords), n.func, n.func.body]   # `(lambda: 1/0)()` (331)
    elif isinstance(n, (ast.ListComp, ast.SetComp, ast.DictComp)):
        # ... and the body of one whose every `for` is over a literal that is not empty and every `if` a true
        # literal (331: `[1/0 for _ in [1]]`; 336: `for _ in [1] if 1`, two such `for`s); not a generator's,
        # which runs nothing until read
        children = [n.generators[0].iter, *_first_test(n.generators),
                    *(_comprehended(n) if _body_runs(n.generators) else [])]
    elif isinstance(n, ast.GeneratorExp):
        # ... and a generator's body where a builtin reads it at once (review 333: `next(1/0 for _ in [1])`,
        # `any(...)`, `tuple(...)`), the same way
        read = consumed.get(id(n)) is not None
        once = read and _body_runs(n.generators)
        children = [n.generators[0].iter, *(_first_test(n.generators) if read else []),
                    *(_comprehended(n) if once else [])]
    elif isinstance(n, ast.Assert):
        children = [n.test]     # its message is made only when it fails (a fairness review, 344: `assert acc > 0.5,
        # 'below ' + 0.5` stopped the cell once literals that raise were read)
    elif isinstance(n, ast.AnnAssign) and lazy:
        children = [c for c in (n.target, n.value) if c is not None]
    elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and lazy:      # `def f() -> 1/0:` is not run
        children = [n.args, *n.decorator_list]
    elif isinstance(n, ast.arg) and lazy:
        children = []
    else:
        children = child_nodes(n)
    return [c for c in children if not isinstance(c, _READ_APART)]


def _body_runs(generators: list[ast.comprehension]) -> bool:
    return all(not g.is_async and runs_once_at_least(g.iter) and all(constant_truth(c) is True for c in g.ifs)
               for g in generators)


def _first_test(generators: list[ast.comprehension]) -> list[ast.expr]:
    """The first `if` of a comprehension, which runs for its first item (review 341: `[0 for _ in [1] if sys.exit()]`),
    and each next one while those before it are true literals (review 343: `[0 for _ in [1] if 1 if 1/0]`)."""
    first = generators[0]
    if first.is_async or not runs_once_at_least(first.iter):
        return []
    out = []
    for test in first.ifs:
        out.append(test)
        if constant_truth(test) is not True:
            break
    return out


def _comprehended(n: ast.expr) -> list[ast.expr]:
    """What a comprehension whose body surely runs evaluates after its first iterable."""
    body = [n.key, n.value] if isinstance(n, ast.DictComp) else [n.elt]
    return [*n.generators[0].ifs, *(p for g in n.generators[1:] for p in (g.iter, *g.ifs)), *body]


INSIDE = 1 << 40     # (with the compiler's flags) a statement read inside a function's body


def _statement_compiles(node: ast.stmt, flags: int) -> bool:
    """`_compiles` of one statement, kept on it: each statement of a cell is asked this in each of three readings."""
    kept = node.__dict__.setdefault("_grader_compiles", {})
    if flags not in kept:
        kept[flags] = _compiles(ast.Module([node], []), flags)
    return kept[flags]


def _stops(node: ast.stmt, flags: int, exits: Exits = Exits()) -> bool:
    """A statement Jupyter's Run All never gets past: a raise, `while True` without a break, exit(),
    `assert False`, and a statement Python parses but does not compile under ``flags`` (`return` or
    `yield` outside a function, `def f(x, x)`), which IPython refuses when it reaches it, after those
    above it have run (a two-hundred-and-twenty-fifth review: the right answers after a `return` were
    graded, unflagged, and Jupyter ended with the wrong ones above it)."""
    if node.lineno in exits.caught:
        return False            # `%time` in a block shows what it raises and goes on (`timed_in_blocks`)
    if node.lineno in exits.refused:
        return True
    if isinstance(node, ast.Raise):
        return True
    # IPython compiles a cell's statements one by one; not a function's, which compiled with the function (a fairness
    # review, 362: a closure's `nonlocal n`, compiled without the function that binds `n`, read as a stop)
    if not flags & INSIDE and not _statement_compiles(node, flags):
        return True
    inside, flags = flags & INSIDE, flags & ~INSIDE
    if isinstance(node, ast.Assert) and constant_truth(node.test) is False:
        return True
    if _evaluation_stops(node, flags, exits):
        return True
    truth = constant_truth(node.test) if isinstance(node, (ast.If, ast.While)) else None
    if isinstance(node, ast.If) and truth is not None:
        # the branch that surely runs, statement by statement (review 302: `if True: raise ValueError` above the
        # answers stopped Run All before them; they were graded as written; review 303: `if not False:`)
        return any(_stops(n, flags | inside, exits) for n in (node.body if truth else node.orelse))
    if isinstance(node, ast.While) and truth:
        # ... a `break` in a `try` whose `finally` then says `continue` does not leave it (review 320)
        cancelled = {id(n) for t in walk(node) if isinstance(t, (ast.Try, ast.TryStar))
                     and any(isinstance(s, ast.Continue) for s in t.finalbody)
                     for part in (t.body, t.handlers, t.orelse) for s in part for n in walk(s)}
        return not any(isinstance(n, (ast.Break, ast.Return, ast.Raise)) and id(n) not in cancelled
                       for n in walk(node))
    return False


def _evaluation_stops(node: ast.AST, flags: int, exits: Exits) -> bool:
    """Does evaluating this surely stop: `1/0` (not in a lambda nobody calls: a fairness review; in a block's header
    too: 317), an exit call the statement surely makes, as a statement of its own or within one (review 327: `_ =
    sys.exit()`, `print(sys.exit())`), or as a decorator, which is called with what it decorates (review 329:
    `@sys.exit`); or a choice whose every way stops (review 336: `sys.exit() if a_ else sys.exit()`, `a_ and
    sys.exit() or sys.exit()`), however deep. Each node is read once, its parts before it (review 343: read from
    the top, choices within choices were read again at each level, 4 times more for each: 119 s for a cell of `x =
    (0 or (1 and (0 or ...)))`)."""
    lazy, consumed = _lazy(flags), _consumed(node)
    order, stack = [], [node]
    kids: dict[int, list[ast.AST]] = {}         # each node's parts, read once for the three passes below
    while stack:
        n = stack.pop()
        order.append(n)
        kids[id(n)] = [c for c in child_nodes(n) if not isinstance(c, _READ_APART)]
        stack.extend(kids[id(n)])
    sizes: dict[int, int] = {}                  # nodes of the part made only of literals (65: more, or not such)
    for n in reversed(order):                   # every node after all it holds
        sizes[id(n)] = min(1 + sum(sizes.get(id(c), 65) for c in kids[id(n)]), 65) if isinstance(
            n, LITERAL_KINDS) else 65
    # Literals are evaluated once, at the largest part that is made of them and can be (review 348: each link of a
    # chain of 25,000 `-` walked and evaluated, 9 s a cell); what a choice's parts give, only where a choice reads it
    raising: set[int] = set()
    asked: set[int] = set()
    todo = [(node, False)]
    while todo:
        n, covered = todo.pop()
        if isinstance(n, ast.BoolOp):
            asked.update(id(v) for v in n.values)
        elif isinstance(n, ast.IfExp):
            asked.update((id(n.body), id(n.orelse)))
        if not covered and sizes[id(n)] <= 64 and isinstance(n, _RAISERS):
            outcome = evaluated_literals(n)
            covered = outcome is not None
            if covered and isinstance(outcome[0], BaseException):
                raising.add(id(n))
        todo.extend((c, covered) for c in kids[id(n)])
    stops: dict[int, bool] = {}                 # evaluating the node surely stops
    gives: dict[tuple[int, bool], bool] = {}    # ... or surely gives a value of that truth
    for n in reversed(order):
        stops[id(n)] = id(n) in raising or _stops_here(n, exits) or \
            any(stops.get(id(c), False) for c in _now_children(n, lazy, consumed)) \
            or isinstance(n, ast.IfExp) and constant_truth(n.test) is None and stops[id(n.body)] and stops[id(n.orelse)] \
            or isinstance(n, ast.BoolOp) and _choice_stops(n, stops, gives)
        if id(n) in asked:
            known = constant_truth(n) if sizes[id(n)] <= 64 else None
            for truth in (True, False):
                gives[id(n), truth] = _stops_or_is(n, truth, known, stops, gives)
    return stops[id(node)]


# A block's body is read statement by statement; a handler's class and a case's guard run only sometimes
_READ_APART = (ast.stmt, ast.ExceptHandler, ast.match_case)


def _stops_here(n: ast.AST, exits: Exits) -> bool:
    """A call of an exit, or a decorator or a metaclass that is one (review 343: `class C(metaclass=sys.exit)`, which
    making the class calls); a coroutine of the cell's own that surely stops, awaited, or a literal awaited, a
    TypeError (review 412: `await check()`, `await 0`). (Literals that raise, `1/0`, `1/-0`, `[][0]`:
    `_evaluation_stops`.)"""
    if isinstance(n, ast.Await):
        v = n.value
        return isinstance(v, _AWAITED_LITERALS) or isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and \
            "await " + v.func.id in exits.own
    if isinstance(n, (ast.ListComp, ast.SetComp, ast.DictComp)) and n.generators[0].is_async and \
            isinstance(n.generators[0].iter, _AWAITED_LITERALS):
        return True             # `[x async for x in [1]]`: a list has no `__aiter__` (review 416)
    if isinstance(n, ast.AsyncWith) and any(isinstance(i.context_expr, ast.Call) and isinstance(
            i.context_expr.func, ast.Name) and i.context_expr.func.id == "open" and "open" not in exits.bound
            for i in n.items[:1]):
        return True             # `async with open(...)`: a file is no async context manager (review 416)
    return isinstance(n, ast.Call) and _ends(n, exits) or isinstance(n, (
        ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and any(_exit_named(d, exits) for d in n.decorator_list) \
        or isinstance(n, ast.ClassDef) and any(k.arg == "metaclass" and _exit_named(k.value, exits) for k in n.keywords)


# What no `await` can wait for
_AWAITED_LITERALS = (ast.Constant, ast.JoinedStr, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.SetComp,
                     ast.DictComp)
# What of literals may raise: an operation, a comparison, an item looked up, a dict or set of what cannot be hashed
_RAISERS = (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Subscript, ast.Dict, ast.Set)


def _choice_stops(n: ast.BoolOp, stops: dict[int, bool], gives: dict[tuple[int, bool], bool]) -> bool:
    """`v0 and v1 and ...` (`or`) surely stops: v0 stops, or v0 stops or goes on (is true for `and`, false for `or`)
    and the rest surely stops."""
    for value in n.values:
        if stops[id(value)]:
            return True
        if not gives[id(value), isinstance(n.op, ast.And)]:
            return False
    return False


def _stops_or_is(n: ast.expr, truth: bool, known: bool | None, stops: dict[int, bool],
                 gives: dict[tuple[int, bool], bool]) -> bool:
    """Does this surely stop, or else give a value of this ``truth`` (`a_ and sys.exit()` stops or is false)? Where
    the grader cannot tell, no: a statement read as stopping where it does not would cost honest answers. ``known``:
    its truth where it is made only of literals (`constant_truth`)."""
    if known is truth or stops[id(n)]:
        return True
    if isinstance(n, ast.BoolOp):
        # `and` is false where a part it reaches is; true only where every part is (`or` the other way round)
        if isinstance(n.op, ast.And) is not truth:
            return any(gives[id(v), truth] for v in n.values)
        return all(gives[id(v), truth] for v in n.values)
    if isinstance(n, ast.IfExp):
        taken = constant_truth(n.test)
        branches = (n.body, n.orelse) if taken is None else (n.body if taken else n.orelse,)
        return all(gives[id(b), truth] for b in branches)
    return False


def _ends(call: ast.Call, exits: Exits) -> bool:
    """Is this a call of one of ``exits.calls`` (not where the cell binds that name itself: review 319, `class sys:`
    with an `exit` of its own), or of a function of the cell's own that surely stops (review 325)?"""
    return _exit_named(call.func, exits)


def _exit_named(f: ast.expr, exits: Exits) -> bool:
    """Does this expression, called, surely exit: one of ``exits.calls``, a function of the cell's own that surely
    stops, or one of them by its `__call__` (review 329: `sys.exit.__call__()`)?"""
    if isinstance(f, ast.Attribute) and f.attr == "__call__":
        f = f.value
    if isinstance(f, ast.NamedExpr):        # review 343: `(q := sys.exit)()`
        f = f.value
    spelled = f.id if isinstance(f, ast.Name) else f"{f.value.id}.{f.attr}" if isinstance(
        f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
    return spelled in exits.calls and spelled.split(".")[0] not in exits.bound or spelled in exits.own


def surely_stops(node: ast.stmt, flags: int, exits: Exits = Exits()) -> bool:
    """Does running this statement surely stop the cell, whichever way its tests go: a statement Jupyter never gets
    past (`_stops`), or a block whose every way through does (an `if` both of whose branches stop, or the branch a
    test of literals takes; a loop over a literal that is not empty whose body stops, or a loop without `break`
    whose `else` does; a `try` whose body or `else` stops and every handler too, or whose `finally` does; a `match`
    whose every case stops, the last one catching all). A `raise` or `assert` that only *may* run (under a test, in
    a `try` that catches, in a `with`, whose manager may suppress it) is not followed, in a block as at the top level
    (a fairness review, 312: `try: ...; assert a_ in [True, False] except AssertionError: pass` above the answers cost
    `a_` as a block that "may stop the cell"; review 313 found the `else` of a loop and a `try`, a re-raising
    handler and `match ... case _:` missed, and `contextlib.suppress` read as a stop)."""
    if _stops(node, flags, exits):
        return True

    def body(stmts: list[ast.stmt]) -> bool:
        return any(surely_stops(n, flags, exits) for n in stmts)

    if isinstance(node, ast.If):
        truth = constant_truth(node.test)
        return body(node.body if truth else node.orelse) if truth is not None else body(node.body) and body(node.orelse)
    if isinstance(node, ast.ClassDef):
        return body(node.body)      # a class's body runs where it stands (review 320: `class C: raise ValueError`)
    if isinstance(node, (ast.For, ast.While)):
        jumps = _own_jumps(node)
        if ast.Break not in jumps and body(node.orelse):        # the loop ends and its `else` stops, or it never ends
            return True
        # (a `while` whose test is a true literal runs its body at least once too: review 399's `while True: %time
        # break`, IPython's SyntaxError before the answers)
        once = runs_once_at_least(node.iter) if isinstance(node, ast.For) else constant_truth(node.test) is True
        return once and body(node.body) and not jumps
    if isinstance(node, (ast.Try, ast.TryStar)):
        # its handlers never run (but a magic line IPython refuses, read as `pass`, raises: a fairness review, 447)
        quiet = all(isinstance(s, ast.Pass) and s.lineno not in exits.refused for s in node.body)
        # (an `except*` handler matches what a raised group holds, which the raise does not spell: a fairness review,
        # 403, read `raise ExceptionGroup('eg', [ValueError(1)])` under `except* ValueError:` as a stop; anything else
        # raised is matched as `except` matches it, review 405: `raise KeyError` under `except* ValueError:`)
        group = isinstance(node, ast.TryStar) and _raises_group(node.body, exits)
        caught = [h for h in node.handlers if group or _may_catch(h, node.body, exits)]
        return body(node.finalbody) or (quiet or all(body(h.body) for h in caught)) and (
            body(node.body) or body(node.orelse))
    if isinstance(node, ast.Match):
        for case in node.cases:          # the case that surely matches, where the subject and patterns are literals
            matches = _literal_match(case.pattern, node.subject)
            # ... its guard runs (review 343: `case 1 if 1/0:`); one that is a false literal passes the case by
            if matches and case.guard is not None and _evaluation_stops(case.guard, flags & ~INSIDE, exits):
                return True
            guarded = True if case.guard is None else constant_truth(case.guard)
            if matches and guarded is True:
                return body(case.body)
            if matches is False or matches and guarded is False:
                continue
            return all(body(c.body) for c in node.cases) and any(
                isinstance(c.pattern, ast.MatchAs) and c.pattern.pattern is None and c.guard is None
                for c in node.cases)
        return False
    return False


def _literal_match(pattern: ast.pattern, subject: ast.expr) -> bool | None:
    """Does a case's pattern surely match a subject written as a literal (False: surely not; None: not plain)? A
    capture of anything does; a value compares with `==`, as `match` compares (review 345: `case 1.0` matches 1),
    `None`/`True`/`False` by identity, an or-pattern where one of its own does."""
    if isinstance(pattern, ast.MatchAs):
        return True if pattern.pattern is None else _literal_match(pattern.pattern, subject)
    if isinstance(pattern, ast.MatchOr):
        found = [_literal_match(p, subject) for p in pattern.patterns]
        return True if True in found else False if all(f is False for f in found) else None
    if not isinstance(subject, ast.Constant):
        return None
    if isinstance(pattern, ast.MatchSingleton):
        return subject.value is pattern.value
    if isinstance(pattern, ast.MatchValue) and isinstance(pattern.value, ast.Constant):
        try:
            return bool(subject.value == pattern.value.value)
        except Exception:  # noqa: BLE001 - literals compare; anything odd is not plain
            return None
    return None


def _own_jumps(loop: ast.For | ast.While) -> set[type]:
    """The `break` and `continue` statements of this loop, not of loops or functions nested in it (review 315: a
    `break` in an inner loop cancelled the outer loop's stop)."""
    out, todo = set(), list(loop.body)
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.Break, ast.Continue)):
            out.add(type(n))
        elif not isinstance(n, (ast.For, ast.While, ast.AsyncFor, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                ast.ClassDef)):
            todo.extend(child_nodes(n))
        elif isinstance(n, (ast.For, ast.While, ast.AsyncFor)):
            todo.extend(n.orelse)           # a nested loop's `else` belongs to this one's body
    return out


# Builtins that read the first item of what they are given at once
_CONSUMERS = {"next", "any", "all", "tuple", "list", "set", "frozenset", "sorted", "sum", "min", "max", "dict", "bytes",
              "bytearray"}
# ... and methods that do (`''.join(...)`, review 345: `[].extend(...)`, a set's `update`)
_READERS = {"join", "extend", "update"}


def _may_catch(handler: ast.ExceptHandler, body: list[ast.stmt], exits: Exits = Exits()) -> bool:
    """Can this handler catch what the `try` body raises? Not where the body raises a builtin exception class by
    name (or exits: `SystemExit`, or ends the process) that the handler's builtin classes, not bound again in the
    cell, do not cover (review 315: `try: raise ValueError except TypeError:`; fairness review 318: `sys.exit(0)`
    under `except Exception:`), nor where the handler names a literal, which is itself an error (review 317)."""
    types = [] if handler.type is None else handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    if any(isinstance(t, ast.Constant) for t in types):
        return False
    last = body[-1] if body else None
    if handler.type is None or last is None or any(not isinstance(s, ast.Pass) for s in body[:-1]):
        return True
    thrown = _thrown(last, exits)
    rebound = exits.bound
    if thrown is None or not all(isinstance(t, ast.Name) and t.id not in rebound for t in types):
        return True
    if thrown is _UNCATCHABLE:
        return False
    catchers = [getattr(builtins, t.id, None) for t in types]
    if not all(isinstance(c, type) for c in catchers):
        return True
    return any(issubclass(thrown, c) for c in catchers)


def _raises_group(body: list[ast.stmt], exits: Exits) -> bool:
    """May the last statement of a `try` body raise an exception group (or what the reading cannot name)?"""
    thrown = _thrown(body[-1], exits) if body else None
    return thrown is None or isinstance(thrown, type) and issubclass(thrown, BaseExceptionGroup)


_UNCATCHABLE = object()         # `os._exit()`, `os.abort()`: the process ends


class _MagicRefused(Exception):
    """What a magic line IPython refuses raises, as a handler sees it: IPython's UsageError (a KeyError for a backend
    `%matplotlib` does not know, a ModuleNotFoundError for `%load_ext` of no module, an OSError for `!cmd &`: read
    as caught only by `except:`, `Exception` and `BaseException`, the handlers that catch each of them)."""


def _thrown(stmt: ast.stmt, exits: Exits):
    """What a statement surely raises: a builtin exception class raised by name, `SystemExit` from an exit call,
    ``_UNCATCHABLE`` where it ends the process, `_MagicRefused` for a magic line IPython refuses; None where that is
    not plain."""
    if stmt.lineno in exits.refused:
        return _MagicRefused
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        if isinstance(exc, ast.Name) and exc.id not in exits.bound:
            thrown = getattr(builtins, exc.id, None)
            # ... not `OSError(2, ...)`, which makes the subclass its number names (`FileNotFoundError`: a fairness
            # review, 329)
            if thrown is OSError and isinstance(stmt.exc, ast.Call) and len(stmt.exc.args) >= 2:
                return None
            return thrown if isinstance(thrown, type) and issubclass(thrown, BaseException) else None
        return None
    value = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
    if isinstance(value, _RAISERS):           # review 343: `try: 1/0 except KeyError: pass` stops
        raised = raised_by_literals(value)
        if raised is not None:
            return raised
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        f = stmt.value.func
        spelled = f.id if isinstance(f, ast.Name) else f"{f.value.id}.{f.attr}" if isinstance(
            f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
        if spelled in EXITS:        # an alias an import gave may be either
            return _UNCATCHABLE if (spelled.endswith(("_exit", "abort")) or ".exec" in spelled) and not spelled.startswith("sys.") \
                else SystemExit
        if spelled in exits.calls and spelled.split(".")[0] not in exits.bound:
            return SystemExit       # a name given `sys.exit` (review 327), read as it most often is
    return None

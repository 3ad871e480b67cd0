"""True/False answers, read from the cell's syntax tree: the cell is never executed.

Only a bool literal counts. Everything else scores 0 for that statement with the reason, so
``None``, ``"True"``, ``1`` and ``not False`` each get their own message.
"""
from __future__ import annotations

import ast
import builtins
import io
import re
import tokenize
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Callable

from ..magics import (IPYTHON_TURNS, as_explicit, cell_magic, as_ipython_compiles, as_python_reads, automagic, cleaned, code_only,
                      breaks_unread, crlf_as_lf, loads_autoreload, shadows_autoreload, binds_print, moves_imports, plain_names_of, logical_lines, magic_line_count, python_tree, read_by_guess,
                      read_past_budget, read_unsure, unrunnable_at, without_magics)
from ..results import CheckResult
from ..syntax import bound_by, child_nodes, dumped, quoted, unparsed, walk
from .context import Context, failed, verdict
from .magic_lines import DOORS, PURE, assigned_names, automagic_set, dunder, magic_set
from .stops import (AUTORELOADED, LOADED_SHADOWED, SHADOWED, AWAIT, BARRY, PDB_ON, REBINDABLE, Features, Magics, awaits, bound_before, compiled, exits_of,
                    features_at, first_stop, in_string_values, magic_lines, names_pdb, parse, refused_at_top, skipped, stoppers_before,
                    unsure)
from .bindings import bound_below, bound_elsewhere, names_read, target_names
from .doors import folded
from .later import called_after, readings
from .naming_magics import reload_hook
from .through import endless_at, why_not_through
from .warning_filters import (DEPRECATION_WARNINGS_ERRORS, SYNTAX_WARNINGS_ERRORS, WARNINGS_ERRORS, escape_warning,
                              filter_changes, syntax_warning)
from .writes import (REBINDING_WORDS, STORING_WORDS, docstring_runs, dynamic_write, evaluated, names_stored,
                     shell_reached, writers)

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
                 flags: int = 0, reading: _Reading | None = None,
                 above: frozenset[str] = frozenset(), docstrings: bool = False) -> tuple[dict[str, object], str]:
    """Map each name to its last top-level assigned expression (None: computed). '' or an error.
    ``flags``: the `__future__` features in force when the cell starts (`stops.features_at`); ``above``: the names
    of exception classes and exit modules the cells above bind (`stops.bound_before`); ``reading``: the cell already
    read under them (`_readable`), else it is read here; ``docstrings``: doctest's runners of the docstrings'
    examples set no answer (the caller flags them: `docstring_runs`)."""
    reading, why = _read_or_why(source, flags, lambda: reading or _reading(source, flags, above))
    if why:
        return {}, why
    tree, magics, stops = reading.tree, reading.magics, reading.stops
    found: dict[str, object] = {}
    top = _top_targets(tree)
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
    settled = _settled(reading)
    for n in bound_elsewhere(tree, top):
        if n in found and not _only_above(tree, top, n, settled.get(n), flags, above):
            found[n] = _ELSEWHERE
    last = dict(found)
    found.update(before_stop(tree, names, stops.on))
    found.update(dict.fromkeys(_undecided(tree, names, stops, last), _ELSEWHERE))
    # (asked of the answers' names only: each name is a reading of the whole cell, and a cell may assign thousands;
    # review 422: 48,000 characters of `qab=a_` lines below the answers, 46 s of the grader's time a cell)
    wanted = [n for n in names if n in found]
    setters = writers(source, wanted, tree, _settled(reading), docstrings=docstrings) | \
        magic_set(source, wanted, tree, shadowed)
    found = {n: _ELSEWHERE if n in setters else v for n, v in found.items()}
    found.update(dict.fromkeys(automagic_set(source, names) if magics.texts else (), _ELSEWHERE))
    return {n: found.get(n, _MISSING) for n in names}, ""


def _read_or_why(source: str, flags: int, read):
    """(what ``read`` gives, '') where Jupyter runs the cell as the grader reads it, else (None, why not)."""
    otherwise = _not_run_as_read(source)
    if otherwise:
        return None, otherwise
    try:
        return read(), ""
    except SyntaxError as exc:
        if flags & BARRY and _parses(source):
            return None, ("a cell above imports `barry_as_FLUFL` from `__future__`, which IPython keeps for every "
                          "later cell: `!=` is a syntax error here then, and Jupyter runs none of this cell; remove "
                          "that import")
        return None, f"the cell has a syntax error (line {exc.lineno}: {exc.msg}), so no answer can be read"
    except (ValueError, RecursionError, MemoryError):
        return None, "the cell cannot be read (a null byte, or expressions nested too deeply); write plain assignments"


def _answers_below(source: str, names, shadowed: frozenset, flags: int, above: frozenset[str], reading_of):
    """`read_answers` of a cell below the answers cell; where its text names no answer it sets none, and only whether
    Jupyter runs it as read is asked, not where it stops (review 428: nineteen cells of 25,000 lines each below the
    answers, each read through, 78 s of the grader's CPU and 738 MB kept)."""
    if _names_any(source, names):
        return read_answers(source, names, shadowed, flags, reading_of(source, flags, above), above)
    _, why = _read_or_why(source, flags, lambda: _read(source, flags, above))
    return ({}, why) if why else (dict.fromkeys(names, _MISSING), "")


# Words of code that may set names without naming them, in a cell the grader cannot read (`DOORS` without the
# builtins that only show or convert, and the ways into a namespace)
_MAY_SET = re.compile(r"\b(?:" + "|".join(sorted((DOORS - PURE) | STORING_WORDS | {
    "__main__", "push", "user_ns", "_getframe", "currentframe", "f_globals", "f_locals", "f_back"}))
                      + r")\b")
_READINGS_KEPT = 2       # (a reading of a cell at the length limit holds some 40 MB)


def _names_any(source: str, names) -> bool:
    """Does the cell's text, as Python reads names, hold one of ``names``? `read_answers` finds an answer only in a
    name of the syntax tree, or in a magic line's text, both of which such a text shows."""
    text = as_python_reads(source)
    return any(n in text and re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text) for n in names)


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
    if breaks_unread(source):
        return (f"the cell is too long ({len(source):,} characters) for the grader to read it as IPython does, with line "
                f"breaks other than a newline (a form feed, a line or file separator), at which IPython splits its "
                f"lines, and magic, shell or escaped lines among them; keep the answers cell short, with plain line "
                f"breaks")
    text = cleaned(source)
    lines = text.split("\n")
    grouped = logical_lines(text)           # (IPython's own grouping of the lines, where it can say)
    turns = grouped.turned if grouped is not None else magic_line_count(lines)
    if turns >= IPYTHON_TURNS:
        return (f"the cell has {turns} magic, shell or help lines, and IPython refuses to run a cell with "
                f"{IPYTHON_TURNS} of them, so none of its answers is set in Jupyter; write the answers as plain "
                f"assignments, without magics")
    if grouped is not None and read_unsure(source):
        return (f"the cell is too long ({len(source):,} characters) for the grader to read it as IPython does, with a "
                f"magic, shell or escaped line whose quotes or brackets stay open, and a line ending in `?` below it "
                f"(IPython may read them together as a request for help); keep the answers cell short, or write it "
                f"without magics")
    # Past the budget each line is read on its own where IPython cannot say which lines start a logical line; that
    # reading can differ from IPython's only where a string or a `\` carries a line into the next (a 225th review
    # closed a string with a `%pwd` line). Where it can say, its grouping is followed (a fairness review, 440: a
    # `\` at the end of a line of Python, or of a `!pip install` line, had cost the answers)
    if grouped is None and any(ln.count('"""') % 2 or ln.count("'''") % 2 or ln.endswith("\\") for ln in lines):
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
                not any(name in as_python_reads(c.source) for name in REBINDING_WORDS):
            continue
        tree = python_tree(c.source)
        if tree is None:
            continue
        out |= (bound_elsewhere(tree, set()) | {n for node in tree.body for n in assigned_names(node)}
                | names_stored(tree)) & PURE
    return frozenset(out)


def _parses(source: str) -> bool:
    try:
        parse(source)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def _walrus(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.NamedExpr) and \
        isinstance(node.value.target, ast.Name)


def missing_why(source: str, name: str) -> str:
    """What the cell does with ``name`` instead of assigning it at its top level: compares it
    (`a_ == True`), assigns another spelling (`A_ = True`) or assigns it inside a block."""
    return _missing(source, name)[0]


def _missing(source: str, name: str) -> tuple[str, str]:
    """``missing_why``'s words, and the block ("`try:` on line 2") where that is why (else "")."""
    tree = python_tree(source)
    if tree is None:
        return "", ""
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Compare) and \
                isinstance(node.value.left, ast.Name) and node.value.left.id == name:
            return f" (the cell compares `{name} == ...`, which assigns nothing: one `=` assigns)", ""
    for node in walk(tree):
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name) and node.target.id == name:
            return " (it is assigned with `:=` inside another expression; assign it on a line of its own)", ""
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
        # ... each name of a tuple too (a fairness review, 287: `a_, b_, ... = ...` inside `if __name__ == ...:`
        # read "none is assigned yet")
        targets = [x for t in targets for x in walk(t) if isinstance(x, ast.Name)]
        for t in targets:
            if isinstance(t, ast.Name) and t.id != name and t.id.lower() == name.lower():
                return f" (the cell assigns `{t.id}`; names are case-sensitive)", ""
            if isinstance(t, ast.Name) and t.id != name and t.id.strip("_") == name.strip("_"):
                # `e = False` for `e_` (a seventy-fourth review: the underscore was not named)
                return f" (the cell assigns `{t.id}`: the name ends with an underscore, `{name}`)", ""
            if isinstance(t, ast.Name) and t.id == name:
                block = _block_of(tree, t)
                return f" (it is assigned only inside {block}; assign it at the cell's top level)", block
    return "", ""


_BLOCKS = {ast.If: "`if ...:`", ast.Try: "`try:`", ast.With: "`with ...:`", ast.For: "a `for` loop",
           ast.While: "a `while` loop", ast.FunctionDef: "a function", ast.AsyncFunctionDef: "a function",
           ast.ClassDef: "a class", ast.Match: "`match`"}


def _block_of(tree: ast.Module, node: ast.AST) -> str:
    """The top-level block a node is in, as a student reads it ("`try:` on line 3")."""
    for stmt in tree.body:
        if any(n is node for n in walk(stmt)):
            return f"{_BLOCKS.get(type(stmt), 'a block')} on line {stmt.lineno}"
    return "a block"


def problem(name: str, value, source: str = "", shadowed: frozenset = frozenset(), flags: int = 0,
            reading: _Reading | None = None, above: frozenset[str] = frozenset()) -> str:
    """'' for a bool literal, else why the value does not count (``reading``: ``source`` read under
    ``flags``, where the caller has it)."""
    if value is _MISSING:
        why, block = _missing(source, name) if source else ("", "")
        if block:
            # assigned, but where the answers are not read (a fairness review, 295: "`a_` is not assigned" of
            # answers under `if __name__ == '__main__':` read as untrue)
            return (f"`{name}` is assigned only inside {block}, and "
                    f"the answers are read from the cell's top level only: move `{name} = True` or `{name} = False` "
                    f"out of it, to the top level")
        return f"`{name}` is not assigned{why}; write `{name} = True` or `{name} = False`"
    if value is _ELSEWHERE:
        otherwise = (automagic_set(source, [name]) | magic_set(source, [name], shadowed=shadowed)).get(name, "") \
            if source else ""
        reading = reading or _readable(source, flags, above) if source else None
        construct = writers(source, [name], settled=_settled(reading)).get(name, "") if source else ""
        if otherwise and not construct:
            return otherwise
        block = _unsettling(reading.tree, _top_targets(reading.tree), name, _settled(reading, loops=False).get(name),
                            flags, above) if reading is not None and not construct else None
        if block is not None:
            # which block, and why it counts (a fairness review, 307: "set elsewhere in the cell (inside a block, as
            # a loop variable, ...)" named neither)
            stmt, why = block
            where = f"{_BLOCKS.get(type(stmt), 'a statement')} on line {stmt.lineno}" if not isinstance(
                stmt, (ast.Import, ast.ImportFrom)) else f"the import on line {stmt.lineno}"
            because = {"below": "below its last plain assignment, so Jupyter ends with the value set there",
                       "stops the cell": "which stops the cell (a `raise`, an exit or `assert` of a false value that "
                                         "runs whichever way its tests go), so Jupyter ends with the value set there",
                       "runs later": "which runs later, when called or consumed (a function, lambda, class or "
                                     "generator), so Jupyter may end with the value set there",
                       "may not end": "which may not end or runs long (a `while`, loops inside loops, or a `for` over "
                                      "what is not a list, tuple or small `range` written out, or over a list the cell "
                                      "changes), so Jupyter may never get past it"}[why]
            return (f"`{name}` is also set in {where}, {because}; keep one plain assignment at the top level of "
                    f"the cell: `{name} = True` or `{name} = False`")
        unsure_at = _unsure_at(reading) if source and not construct else 0
        loop_at = reading.tree.body[reading.stops.endless[0]].lineno if reading is not None and not construct and \
            reading.stops.endless else 0
        if loop_at and (not unsure_at or loop_at <= unsure_at):
            return (f"`{name}` is set more than once, in or above the loop on line {loop_at} and below it, which may not end "
                    f"or runs long (a `while`, loops inside loops, or a `for` over what is not a list, tuple or small "
                    f"`range` written out, or over a list the cell changes): Jupyter may never get past it, so which "
                    f"value it ends with is not known; set it once, on a plain line: `{name} = True` or "
                    f"`{name} = False`")
        rebound = reading.stops.rebound[0] if reading is not None and not construct and reading.stops.rebound else None
        if rebound is not None and (not unsure_at or reading.tree.body[rebound[0]].lineno < unsure_at):
            line = reading.tree.body[rebound[0]].lineno
            return (f"`{name}` is set more than once, and again on or below line {line}, which uses `{rebound[1]}`: a "
                    f"cell above binds that name of Python's own again, or may (code that sets names without naming "
                    f"them), so whether Jupyter stops at that line is not known, nor which value it ends with; set "
                    f"`{name}` once, on a plain line (`{name} = True` or `{name} = False`), or leave `{rebound[1]}` as "
                    f"Python has it")
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
            # one reason in brackets, not two (a fairness review, 268, read "(an attribute of an object that may
            # be the notebook's module) (exec/globals() and the like ...)")
            # ... said as what it is: a magic is no `exec` (a fairness review, 434: `%store -r` read "(exec/globals() and
            # the like can set any name)")
            why = "" if construct.endswith(")") else " (a magic that can set, restore or delete names)" \
                if construct.startswith("`%") else " (exec/globals() and the like can set any name)"
            return (f"`{name}` may be set by {construct}{why}, so its value after the cell runs may not be the one "
                    f"written; remove that line, or move it to a cell of its own above the answers cell (to see "
                    f"your answers, print them), and keep one plain assignment: `{name} = True` or `{name} = False`")
        return (f"`{name}` is also set elsewhere in the cell (inside a block, as a loop variable, with `:=`, by an "
                f"import, or by exec/globals()), so its value after the cell runs is not the one written; set it "
                f"once: `{name} = True` or `{name} = False`")
    if value is None:
        at = _assigned_at(source, name) if source else None
        if at is None:
            return f"`{name}` is computed; write the literal True or False"
        # where, and what (a fairness review, 312: `a_, b_, c_, d_, e_ = answers` read "computed" five times)
        line, text = at
        return (f"`{name}` is computed on line {line} (`{text}`); write the literal True or False there: "
                f"`{name} = True` or `{name} = False`")
    if isinstance(value, ast.Constant):
        v = value.value
        if isinstance(v, bool):
            return ""
        if v is None:
            return f"`{name}` is None, which counts as wrong; write True or False"
        if isinstance(v, str):
            return f"`{name}` is the string {_written(v)}; write True or False without quotes"
        accepted = isinstance(v, (int, float)) and v in (0, 1)     # what `a_ in [True, False]` lets pass
        return (f"`{name}` is {_written(v)}; write True or False, not a number" +
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
        shown = unparsed(value)[:60]
    except (RecursionError, ValueError):
        shown = "..."
    return f"`{name}` is computed (`{shown}`); write the literal True or False"


def _written(value) -> str:
    """A literal as a message shows it: cut, and never past Python's limit for writing a number out (review 350:
    `a_ = 0xfff...` of 4,000 digits was a grader error for the question)."""
    try:
        text = repr(value)
    except ValueError:
        return "a number too long to write out"
    return text if len(text) <= 60 else text[:57] + "..."


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
    endless: tuple[int, ...] = ()     # statements holding a loop that may not end (`through.endless_at`)
    rebound: tuple[tuple[int, str], ...] = ()   # statements that use a name a cell above binds again, and the name

    @property
    def first(self) -> int | None:
        return min((i for i in (self.on, self.off) if i is not None), default=None)


def _stops_of(tree: ast.Module, magics: Magics, flags: int, above: frozenset[str] = frozenset()) -> _Stops:
    on = first_stop(tree, flags | AWAIT, magics, above)
    return _Stops(on, first_stop(tree, flags, magics, above) if awaits(tree) else on,
                  tuple(sorted({*(unsure(tree, flags, magics, above) if magics.texts else ()), *_rebinds_python(tree)})),
                  tuple(endless_at(tree)), tuple(_reads_rebound(tree, above)))


@dataclass(frozen=True)
class _Reading:
    """A cell's code as Jupyter runs it when it starts under given `__future__` features (`_read`), and
    where it may stop: read once for every question the grader asks of the answers cell (it was parsed
    and its magic lines aligned up to four times a notebook)."""
    tree: ast.Module
    magics: Magics
    caught: int
    stops: _Stops


def _reading(source: str, flags: int, above: frozenset[str] = frozenset()) -> _Reading:
    """SyntaxError and the like as `parse` raises them."""
    tree, magics, caught = _read(source, flags, above)
    return _Reading(tree, magics, caught, _stops_of(tree, magics, flags, above))


def _readable(source: str, flags: int, above: frozenset[str] = frozenset()) -> _Reading | None:
    """`_reading`, None where the cell cannot be read."""
    try:
        return _reading(source, flags, above)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _assigned_at(source: str, name: str) -> tuple[int, str] | None:
    """The line of the cell's last top-level assignment of ``name`` and its value's text, cut to 40 characters."""
    tree = python_tree(source)
    for node in reversed(tree.body if tree is not None else []):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AnnAssign, ast.AugAssign)) and getattr(node, "value", None) is not None else []
        if any(isinstance(n, ast.Name) and n.id == name for t in targets for n in walk(t)):
            return node.lineno, quoted(node.value)
    return None


def _lines(stmt: ast.stmt) -> str:
    """Where a statement is, as the student deletes it: "line 3", or "lines 3 to 5" for a block."""
    end = getattr(stmt, "end_lineno", None) or stmt.lineno
    return f"line {stmt.lineno}" if end == stmt.lineno else f"lines {stmt.lineno} to {end}"


def _top_targets(tree: ast.Module) -> set[int]:
    """The Name nodes of the cell's top-level assignments (read as written)."""
    top: set[int] = set()
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                top |= {id(n) for n in target_names(target)}
        elif _walrus(node):
            top.add(id(node.value.target))
    return top


def _only_above(tree: ast.Module, top: set[int], name: str, settled: int | None, flags: int = 0,
                above: frozenset[str] = frozenset()) -> bool:
    """Is every binding of ``name`` other than a top-level assignment in a block above its last top-level
    assignment, which surely runs (``settled``: its line), that Run All surely gets through (``why_not_through``)?
    That assignment then sets the value Jupyter ends with (a fairness review, 301: the five answers in a `try:`
    above the same five on plain lines cost all ten points; reviews 302, 303 and 306 bounded it)."""
    return settled is not None and _unsettling(tree, top, name, settled, flags, above) is None


def _unsettling(tree: ast.Module, top: set[int], name: str, settled: int | None, flags: int,
                above: frozenset[str] = frozenset()) -> tuple[ast.stmt, str] | None:
    """The first top-level statement that binds ``name`` otherwise than by a top-level assignment and keeps its
    value unknown, with why: "below" its last assignment (``settled``), or `why_not_through`'s reason (None also
    where no top-level assignment surely runs: the cell's other rules say why)."""
    if settled is None:
        return None
    read = names_read(tree)
    for i, stmt in enumerate(tree.body):
        if name in bound_elsewhere(ast.Module([stmt], []), top, read):
            if stmt.lineno >= settled:
                return stmt, "below"
            why = why_not_through(tree, i, flags, above)
            if why:
                return stmt, why
    return None


def _settled(reading: _Reading | None, loops: bool = True) -> dict[str, int]:
    """The line of each name's last assignment at the cell's top level that surely runs, above every
    statement that stops the cell or may (`writers`: what a magic restored or deleted above it is set again),
    and every loop that may not end (``loops``; without: to name the loop that binds the name itself)."""
    if reading is None:
        return {}
    body = reading.tree.body
    end = min((i for i in (reading.stops.first, *reading.stops.unsure, *(reading.stops.endless if loops else ()),
                           *(i for i, _ in reading.stops.rebound)) if i is not None), default=len(body))
    out: dict[str, int] = {}
    for node in body[:end]:
        if isinstance(node, ast.Assign):
            out.update({n: node.lineno for t in node.targets for n, _ in _pairs(t, node.value)})
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            out[node.target.id] = node.lineno
    return out


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
            names |= {x.id for t in node.targets for x in walk(t) if isinstance(x, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        if names & _PYTHONS_DUNDERS:
            out.append(i)
    return out


# The names of the notebook's namespace that Python itself reads while it runs a cell (an annotation's dict, the
# builtins, a class's module and the import machinery's); not a module's notes of its own (`__author__`, `__version__`,
# `__doc__`: a fairness review, 326, had them flagged and a corrected answer after them lost)
_PYTHONS_DUNDERS = frozenset({"__annotations__", "__builtins__", *(n for n in vars(builtins) if dunder(n))} - {"__doc__"})


def _reads_rebound(tree: ast.Module, above: frozenset[str]) -> list[tuple[int, str]]:
    """The statements that read a name of Python's own that a cell above binds again (``above``: an exception
    class, `sys`): whether they stop the cell the grader cannot tell (review 320: `Exception = KeyError` in a cell
    above; a `try: raise ValueError except Exception: pass` between the wrong answers and the right ones stopped
    Jupyter, and the right ones were graded)."""
    out = []
    own: set[str] = set()           # ... and not a name the cell itself bound above the line (`import sys`: review 326)
    parents = {id(c): n for n in walk(tree) for c in child_nodes(n)} if above & _CALLED_ONLY else {}
    if any(isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) for n in walk(tree)):
        above = frozenset(n for n in above if not n.startswith("+"))     # (`from sys import *` here: review 412)
    if any(n.startswith("+") for n in above):
        # ... nor where the cell binds the name anywhere, or declares it `global` in a function (review 413: `def
        # strict(): global exit; from sys import exit`, called above the call)
        bound_here = {x for n in walk(tree) for x in bound_by(n)} | {x for n in walk(tree) if isinstance(n, ast.Global)
                                                                       for x in n.names}
        above = frozenset(n for n in above if not (n.startswith("+") and n[1:].split("/", 1)[0] in bound_here))
    for i, node in enumerate(tree.body if above else ()):
        # ... not in a function's or lambda's body, which runs later if at all (a fairness review, 324: a method
        # raising `NotImplementedError` in a class of notes)
        todo = [node]
        while todo:
            n = todo.pop()
            # `exit`, `quit` and `range` are read as Python's only where they are called (a fairness review, 328:
            # `quit = False` above, then `if quit:` between two tries at an answer)
            # ... and `exit` or `quit` a cell above defines plainly is the notebook's function ("+exit": `stoppers_before`)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in above - own and \
                    not _fits_own(n, parents.get(id(n)), above) and \
                    (n.id not in _CALLED_ONLY or isinstance(parents.get(id(n)), ast.Call) and parents[id(n)].func is n):
                out.append((i, n.id))
                break
            if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name) and "__annotations__" in above - own:
                out.append((i, "__annotations__"))          # `a_: bool = True` writes to `__annotations__`
                break
            inner = [n.body] if isinstance(n, ast.Lambda) else n.body if isinstance(
                n, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
            todo.extend(c for c in child_nodes(n) if not any(c is b for b in inner))
        own |= _surely_binds(node)
    return out


_CALLED_ONLY = frozenset({"exit", "quit", "range"})


def _fits_own(name: ast.Name, call: ast.AST | None, above: frozenset[str]) -> bool:
    """Is this a call of `exit` or `quit` of the notebook's own ("+exit/sig": `stoppers_before`) that its `def`
    accepts (review 413: the notebook's `exit(msg)` called as `exit()`, a TypeError that stopped Run All)?"""
    mark = next((m for m in above if m.startswith(f"+{name.id}/")), None)
    if mark is None or not isinstance(call, ast.Call) or call.func is not name or \
            any(k.arg is None for k in call.keywords):
        return False
    positional, defaults, more, kwonly, required, anykw, posonly = ast.literal_eval(mark.split("/", 1)[1])
    if any(isinstance(a, ast.Starred) for a in call.args):
        # (... as many as a star gives, where it takes any number: `def exit(*codes)`, `exit(*[1, 2])`, review 418)
        return more and defaults == len(positional) and not call.keywords and not required
    given = len(call.args)
    if given > len(positional) and not more:
        return False
    named = [k.arg for k in call.keywords]
    filled = set(positional[:given])
    if len(set(named)) != len(named) or set(named) & filled or set(named) & set(positional[:posonly]):
        return False        # (a keyword given twice, or for a positional-only one)
    if any(k not in positional and k not in kwonly for k in named) and not anykw:
        return False
    needed = set(positional[:len(positional) - defaults]) | set(required)
    return needed <= filled | set(named)


def _longest_decimal(source: str) -> int:
    """The most digits of a decimal whole number the cell's code writes (Python's digits limit refuses it as the cell
    is read), also inside an f-string's braces or with underscores (review 419); not one in a comment or a string,
    nor a hexadecimal one, which the limit leaves alone (a fairness review, 418). A cell Python cannot read: its
    longest run of digits."""
    text = without_magics(source)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return max((len(m.group().replace("_", "")) for m in re.finditer(r"\d[\d_]*", source)), default=0)
    most = 0
    for n in walk(tree):
        if isinstance(n, ast.Constant) and type(n.value) is int and n.value.bit_length() > 2_000:
            written = ast.get_source_segment(text, n) or ""
            if written[:2].lower() in ("0x", "0o", "0b"):
                continue
            digits = int(n.value.bit_length() * 0.30102999566398120)
            most = max(most, digits + (n.value >= 10 ** digits))
    return most


def _lowers_digits(cells, digits: int) -> bool:
    """May these cells set Python's limit on the digits of a number below ``digits``: a call of
    `set_int_max_str_digits` with another value than 0 (no limit) or one of at least ``digits``, the function handed on
    or imported under another name, or its name in a string (a fairness review, 418: the limit raised, or only read,
    cost the answers)."""
    for c in cells:
        tree = python_tree(c.source)
        if tree is None or "max_str_digits" not in c.source and in_string_values(c.source, ("max_str_digits",)):
            return True         # (... or in the pieces of a string: `'set_int_max_' + 'str_digits'`, review 419)
        fine = {id(n.func) for n in walk(tree) if isinstance(n, ast.Call) and _limit_allows(n, digits)}
        for n in walk(tree):
            if (isinstance(n, ast.Attribute) and n.attr == "set_int_max_str_digits" or isinstance(n, ast.Name)
                    and n.id == "set_int_max_str_digits") and id(n) not in fine:
                return True
            if isinstance(n, ast.alias) and n.name == "set_int_max_str_digits" and n.asname:
                return True
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and "max_str_digits" in n.value:
                return True
    return False


def _limit_allows(call: ast.Call, digits: int) -> bool:
    """Is this call given one whole number, written out, that sets no limit (0) or one of at least ``digits``?"""
    given = [*call.args, *(k.value for k in call.keywords)]
    return len(given) == 1 and isinstance(given[0], ast.Constant) and type(given[0].value) is int and (
        given[0].value == 0 or given[0].value >= digits)


_RESETS = re.compile(r"(?<!%)%+(?:reset|reset_selective|xdel)\b|run_line_magic\(\s*['\"](?:reset|reset_selective|xdel)\b")
# `autoawait`, also in the pieces of a string (`'auto' 'await'`, `'auto' + 'await'`)
_AUTOAWAIT = re.compile(r"auto(?:['\"][ \t]*\+?[ \t]*['\"])?await|loop_runner")     # (its runner too: review 416)


def _runs_async(source: str, flags: int) -> bool:
    """Does IPython run this cell on its event loop, where a top-level `await` runs: only where the whole cell compiles
    with top-level `await` (review 414: a `from __future__` import below its top, or `global a_` after `a_ = ...`,
    compile statement by statement but not whole, and the cell's first `await` then raised a RuntimeError)."""
    if "await" not in source and "async" not in source:
        return True
    try:
        compiled(as_ipython_compiles(source) or without_magics(source), (flags | AWAIT) & ~ast.PyCF_ONLY_AST)
    except SyntaxError:
        return False
    except (ValueError, TypeError, RecursionError, MemoryError, OverflowError):
        return True
    return True


def _turns_autoawait(source: str, shown: bool = True) -> bool:
    """May this cell turn IPython's autoawait off (a top-level `await` in a cell below is then a syntax error)? A magic
    line naming it (not `%autoawait` alone or turning it on), the setting or the loop's runner written, or the word in
    a string's value (an escape, `'autoa\\x77ait'`, pieces joined by `+`: review 414; `setattr(ip, 'autoawait', 0)`).
    Not the word in a comment, a docstring or what `print` shows, the setting read, a name of the notebook's own
    (`def loop_runner(n)`), nor `run_line_magic('autoawait', 'asyncio')` (a fairness review, 418: each cost honest
    notebooks their answers). ``shown``: `print` and docstrings only show text in this notebook (`_shows_only`)."""
    if "await" not in source and "runner" not in source and "\\" not in source and "+" not in source:
        return False
    lines = source.splitlines()
    # IPython's own lines, also written out (`run_line_magic('autoawait', 'False')`), not the word in their comment
    magic = set(magic_lines(source).texts) | {k for k, line in enumerate(lines, 1) if line.lstrip()[:1] in ("%", "!")}
    for number in sorted(magic):
        line = lines[number - 1] if number <= len(lines) else ""
        if (_AUTOAWAIT.search(code_only(line)) or "\\" in line and in_string_values(line.strip(), _AWAIT_WORDS)) and \
                not _autoawait_on(line):
            return True
    tree = python_tree(source)
    if tree is None:
        return any(_AUTOAWAIT.search(code_only(line)) and not _autoawait_on(line) for line in lines)
    return _sets_autoawait(tree, shown)


def _shows_only(cells) -> bool:
    """Do `print` and the docstrings of these cells only show text: `print` named nowhere but in its calls, no
    docstring read (review 419: `print = exec` above `print('...autoawait = False')`, `exec(f.__doc__)`)?"""
    return not any(re.search(r"\bprint\b(?![ \t]*\()|__doc__|\bgetdoc\b|\bdoctest\b", code_only(c.source))
                   for c in cells if "print" in c.source or "doc" in c.source)


_AWAIT_WORDS = ("autoawait", "loop_runner")


def _keeps_awaits(value: str) -> bool:
    """Does `%autoawait <value>` leave a top-level `await` of asyncio's running: the setting shown, autoawait turned on
    (`True`, `on`, in any case), or asyncio's runner? Not another runner, which IPython imports or takes from the
    notebook's names (review 419: `trio`, `curio`, `1`: the awaits failed, or the cell did)."""
    value = value.strip()
    return value in ("", "asyncio") or value.lower() in ("true", "on")


def _autoawait_on(line: str) -> bool:
    """Does this line, which IPython runs as `%autoawait`, leave autoawait on (the setting shown, or turned on)?"""
    if not code_only(line).strip():
        return True
    m = re.search(r"%autoawait\b([^#\n]*)", line)
    if m:
        return _keeps_awaits(m.group(1))
    try:
        tree = ast.parse(line.strip())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    calls = [n for n in walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and n.func.attr in ("run_line_magic", "magic")]
    return len(calls) == 1 and _turns_on(calls[0])


def _turns_on(call: ast.Call) -> bool:
    """`run_line_magic('autoawait', 'asyncio')` or `magic('autoawait')`: the setting shown, or turned on."""
    words = [folded(a) for a in call.args]
    if call.keywords or not words or None in words:
        return False
    said = " ".join(words).split()
    return said[:1] in (["autoawait"], ["%autoawait"]) and _keeps_awaits(" ".join(said[1:]))


def _sets_autoawait(tree: ast.Module, plain: bool = True) -> bool:
    shown: set[int] = set()         # strings that are only shown or documented

    def text_parts(node: ast.AST):
        if isinstance(node, ast.Constant):
            yield node
        elif isinstance(node, ast.JoinedStr):
            yield from (v for v in node.values if isinstance(v, ast.Constant))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            yield node
            yield from text_parts(node.left)
            yield from text_parts(node.right)
    for node in walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body and \
                isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant) and plain:
            shown.add(id(node.body[0].value))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "print" and plain:
                shown.update(id(p) for a in [*node.args, *(k.value for k in node.keywords)] for p in text_parts(a))
            elif isinstance(func, ast.Attribute) and func.attr in ("run_line_magic", "magic") and _turns_on(node):
                shown.update(id(p) for a in node.args for p in text_parts(a))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value is True:
            shown.update(id(t) for t in node.targets if isinstance(t, ast.Attribute) and t.attr == "autoawait")
    for node in walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _AWAIT_WORDS and not isinstance(node.ctx, ast.Load) and \
                id(node) not in shown:
            return True         # (`get_ipython().autoawait = True` turns it on)
        if isinstance(node, ast.keyword) and node.arg in _AWAIT_WORDS or isinstance(node, ast.Name) and \
                node.id in _AWAIT_WORDS and not isinstance(node.ctx, ast.Load):
            return True         # (`ip.trait_set(autoawait=False)`; a name of that name given to the shell's names)
        if isinstance(node, (ast.Constant, ast.BinOp)) and id(node) not in shown:
            text = (node.value if isinstance(node, ast.Constant) else folded(node))
            if isinstance(text, str) and any(w in text.lower() for w in _AWAIT_WORDS):
                return True
    return False


def _surely_binds(node: ast.stmt) -> set[str]:
    """The names a top-level statement binds whenever it runs to its end: an import, a plain assignment, a `def` or
    a `class` (not a name bound in a branch or a loop, which may not run)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {n.id for t in node.targets for n in walk(t) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    if isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def _read(source: str, flags: int, above: frozenset[str] = frozenset()) -> tuple[ast.Module, Magics, int]:
    """The cell's syntax tree as Jupyter runs it when it starts under ``flags`` (SyntaxError and the
    like as `parse` raises them): without the statements of `%time`'s code that follow one that stops
    it (the magic catches it and the cell goes on), with how its magic lines map to texts IPython
    compiles whole, and the line of such a stop (0: none)."""
    tree = parse(source, flags)
    magics = magic_lines(source)
    if not magics.texts:
        return tree, magics, 0
    skip, line = skipped(tree, flags, magics, above)
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
    return dumped(a) == dumped(b) if isinstance(a, ast.AST) and isinstance(b, ast.AST) else a is b


def _undecided(tree: ast.Module, names, stops: _Stops, found: dict) -> set[str]:
    """Those of ``names`` whose value Jupyter ends with the grader cannot tell: it depends on whether
    autoawait is on, or on how a magic runs code that may stop it (set more than once, with a value at or
    below that magic line)."""
    out = set()
    if stops.on != stops.off:
        first, other = before_stop(tree, names, stops.on), before_stop(tree, names, stops.off)
        out |= {n for n in set(first) | set(other) if not _same(first.get(n, found.get(n)), other.get(n, found.get(n)))}
    cut = min(stops.unsure[:1] + stops.endless[:1] + tuple(i for i, _ in stops.rebound[:1]), default=None)
    if cut is not None:
        tries: dict[str, list[tuple[int, str]]] = {}
        for i, node in enumerate(tree.body):
            written: dict[int, str] = {}        # (`a_ = a_ = ... = v`: v written out once)
            for t in (node.targets if isinstance(node, ast.Assign) else []):
                for n, v in _pairs(t, node.value):
                    if n in names:
                        if v is not None and id(v) not in written:
                            written[id(v)] = dumped(v)
                        tries.setdefault(n, []).append((i, written[id(v)] if v is not None else f"computed {i}"))
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id in names:
                tries.setdefault(node.target.id, []).append(
                    (i, dumped(node.value) if node.value is not None else f"computed {i}"))
        out |= {n for n, ts in tries.items()
                if any(i >= cut for i, _ in ts) and len({d for _, d in ts}) > 1}
    return out


def _shell_above(ctx: Context, cell, cell_id: str, reading: _Reading | None, names=()) -> None:
    """Flag a code cell the student added above the answers cell that makes a magic, an IPython macro or reaches
    IPython's shell: what it leaves can change how Jupyter runs the answers cell, which the grader reads as written
    (review 323: `a_ = Macro("a_, ... = False, ...")` above a one-line answers cell, which IPython then runs as the
    macro; a macro cell above that imported a `__future__` feature or bound `Exception` again). So is one that may set
    names without naming them (`exec`), where the answers cell uses a name of Python's own that it may set (review
    322: `exec("Excep" + "tion = KeyError")` above a `try ... except Exception:` between two tries). A TA reads it."""
    # (a provided cell the student edited is graded and flagged as itself: one flag for one thing, a fairness review)
    provided = {t.id for t in ctx.template.cells if t.id}
    # (not an annotated answer alone: what may set any name is no likelier to set `__annotations__` than an answer,
    # and a logger above annotated answers was flagged so: a fairness review, 328)
    read = {n for _, n in _reads_rebound(reading.tree, REBINDABLE - {"__annotations__"})} \
        if reading is not None else set()
    said: list[bool] = []

    def warns() -> bool:
        """... or where Python warns as it reads or compiles the answers cell, which code that may do anything can
        make an error (review 331: `exec("import warnings; warnings.simplefilter('error')")` above `assert (a_, b_)`);
        read once, and only where such code is above."""
        if not said:
            said.append(_warns_when_read(cell.source) is not None)
        return said[0]
    above = [c for c in ctx.nb.cells if c.index < cell.index and c.cell_type == "code"]
    # ... and the notebook's namespace written under a key that may be a name the answers cell reads, followed by its
    # keys (a fairness review, 371: `globals()['b_'] = ...` above a `try: ... except NameError:` answers cell)
    late, keyed = readings([c.source for c in above], names, read)
    # (the answers cell's code, without its comments, read once for all the cells above: review 421 had it read again
    # for each `%alias` of a cell above, 6,000 in a comment of one cell, nine minutes of the grader's time)
    code = code_only(cell.source)
    starts = set(re.findall(r"^[ \t]*([^\W\d]\w*)", code, re.M))
    for i, c in enumerate(above):
        # ... but for an alias the answers cell names, which a graded cell's flags do not say (review 327: made with
        # `get_ipython().run_line_magic('alias', 'a_ true')` in `train_and_test`'s cell)
        reached = _aliased(c.source, starts) or _autocalled(c.source, code) if c.id in provided else \
            shell_reached(c.source) or _macro(c.source) or reload_hook(c.source) or _aliased(c.source, starts) or \
            _autocalled(c.source, code) or \
            (writers(c.source, ["\0"], on_objects=False, followed=bool(read) and not warns()).get("\0", "") or
             _star(c.source) if read or warns() else "")
        # (said as what it is: no magic, no macro, no shell; a fairness review, 374)
        named = "" if reached or keyed is None or keyed.cell != i else keyed.why
        hooked = "" if reached or named or c.id in provided else _hooked(c.source)
        later = "" if reached or named or hooked or late is None or late.cell != i else late.why
        if reached or named or hooked or later:
            ctx.flag(f"exec:{cell_id}")
            what = (f"makes a magic or a macro of its own, reaches IPython's shell or may set names without naming "
                    f"them ({reached})") if reached else (
                f"may bind {' or '.join(f'`{n}`' for n in sorted(read))} again, "
                f"{'a name' if len(read) == 1 else 'names'} of Python's own that the answers cell reads ({named})") \
                if named else (
                f"leaves something in the kernel's process that can stop a later cell at any line (a hook, a timer, a "
                f"signal, a thread, a stream that raises: {hooked})") if hooked else (
                f"{late.what}{' in ' + _named(above[late.other]) if late.other >= 0 else ''} ({later})")
            ctx.detail(f"{_named(c)} above the True/False answers cell {what}, which can change how Jupyter runs the "
                       f"answers cell; the answers are graded as written, and a TA reads it")
            return


def _runs_docstrings(ctx: Context, reading: _Reading | None, cell_id: str) -> None:
    """Flag the answers cell that runs the examples of the notebook's docstrings (`doctest.testmod()`): they run in a
    copy of the notebook's names, and what reaches its module from them the grader does not read (a fairness review,
    410: it had cost all five answers). A TA reads them; the answers are graded as written."""
    why = docstring_runs(reading.tree) if reading is not None else ""
    if why:
        ctx.flag(f"exec:{cell_id}")
        ctx.detail(f"the True/False answers cell runs the examples in the notebook's docstrings ({why}), which the "
                   f"grader does not read as code: the answers are graded as written, and a TA reads the examples")


def _calls_a_writer(ctx: Context, cell, cell_id: str, names) -> None:
    """Flag the answers cell, or a cell below it, that calls a function of the notebook's that may set an answer
    without naming it (`def f(): globals()['a_'] = False` above, `f()` below): Jupyter ends with what it wrote, the
    grader reads the literals (review 380). A TA reads it."""
    code = [c for c in ctx.nb.cells if c.cell_type == "code"]
    first = sum(1 for c in code if c.index < cell.index)
    found = called_after([c.source for c in code], first, names)
    if found is None:
        return
    c = code[found.cell]
    where = "the True/False answers cell" if c.index == cell.index else \
        f"{_named(c)} below the True/False answers cell"
    ctx.flag(f"exec:{cell_id}")
    there = f" in {_named(code[found.other])}" if found.other != found.cell else ""
    ctx.detail(f"{where} {found.what} ({found.why}{there}): Jupyter ends with what it sets; the answers are graded as "
               f"written, and a TA reads it")


# ... also as automagic or as `%time`'s statement (review 333: `macro -q a_ s`, `%time %macro -q a_ s`)
_MACRO = re.compile(r"^[ \t]*(?:%+time(?:it)?\b[^\n]*?[ \t])?%*(?:macro|rerun|recall)\b(?![ \t]*[=(.\[:,)])", re.M)
# A macro is made by calling the class (which the cell, or the one it came from, imported from `IPython.core`: that
# is flagged there); a name of the student's own called so is not (`Macro = sum(f1s) / len(f1s)`, a fairness review,
# 328), nor a string in an f-string's code (`{scores['Macro']}`: 328; Python 3.11 reads an f-string as one string)
_CALLED = re.compile(r"[ \t]*\(")
_BRACE_OR_MACRO = re.compile(r"[{}]|Macro")


def _called_in_braces(text: str) -> bool:
    """`Macro(` called in an f-string's code: after a `{` that no `}` closed, not right after a quote or a letter.
    One pass over the string (review 336: a regular expression for it backtracked over a 50,000-character f-string of
    braces for 54 s, holding the grader's interpreter)."""
    inside = False
    for m in _BRACE_OR_MACRO.finditer(text):
        if m.group() != "Macro":
            inside = m.group() == "{"
        elif inside and text[m.start() - 1:m.start()] not in ("'", '"') and not (
                m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_")) and _CALLED.match(text, m.end()):
            return True
    return False


# A trace or profile hook, which runs on every call of the statements below it (review 327: `sys.setprofile(hook)`
# above, a hook that raised at the first call of a statement naming `a_`); in a graded cell it is `introspection:`
_HOOKS = re.compile(r"\bset(?:trace|profile)\b"
                    # ... and what else lasts to stop a plain statement of the answers cell below (review 336: a timer
                    # or a thread that sends the main thread an exception or a signal, `faulthandler`'s exit, an
                    # import hook, a debugger of one's own); not a process id read or a child process killed, which
                    # last nothing (a fairness review, 340)
                    r"|\b(?:pthread_kill|raise_signal|interrupt_main|PyThreadState_SetAsyncExc|bdb|_sigsegv)\b"
                    r"|\b__import__[ \t]*=(?!=)")
# ... and in the answers cell itself, also what stops it at once: `ctypes` (`ctypes.string_at(0)` crashes the kernel),
# a signal sent with the kernel's pid (`os.kill(os.getpid(), 2)`, or by a command: review 336)
_HOOKS_NOW = re.compile(r"\bctypes\b|\bkill(?:pg)?[ \t]*\(")
_SENDS_NOW = re.compile(r"\b(?:kill|subprocess|Popen|system|spawn)\b")
# ... and a timer set by name (`from signal import setitimer`), a writer put in `sys.stdout` that stays there; a
# process id handed to a child that outlives the cell (`Popen(f"sleep 1; kill -INT {os.getpid()}")`)
# ... the calls of `signal` that last (a handler, a timer), under the module's name or another (review 341:
# `import signal as sg`, `signal .setitimer`), or imported by name; `faulthandler`'s timer
_SIGNAL_CALL = re.compile(r"(?:\b([A-Za-z_]\w*)\s*\.\s*|(?<![.\w]))(signal|setitimer|alarm)\s*\(")
_FAULT_TIMER = re.compile(r"\bdump_traceback_later\s*\(")
_STREAM_SET = re.compile(r"\bsys[ \t]*\.[ \t]*(stdout|stderr)[ \t]*=(?!=)[ \t]*([^\n#;]*)")
_SENDS_LATER = re.compile(r"\b(?:Popen|spawn|Thread|Timer|fork)\b")
# (the kernel's id got otherwise, review 341: the main thread's `native_id`; a command's `$PPID` or `kill`)
_PID = re.compile(r"\b(?:getpid|getppid|native_id|get_native_id)\b")
_HOOK_WORDS = ("set", "signal", "alarm", "kill", "interrupt_main", "AsyncExc", "ctypes", "pid", "native_id",
               "dump_traceback", "sigsegv", "bdb", "stdout", "stderr", "__import__")
# ... a signal's handler, which runs wherever the cell then is (review 329: an alarm whose handler raised while the
# answers cell slept between two tries). And a star import, which may bind any name (review 329: a module written
# above, `from helpers import *`, bound `Exception` again; `from multiprocessing import *` binds `TimeoutError`):
# read as code that may set names, where the answers cell uses a name of Python's own (not the exit modules', whose
# names are read as bound: `stops._STAR_EXITS`)
_STAR = re.compile(r"^[ \t]*from[ \t]+(?!(?:sys|_thread|builtins)[ \t])([\w.]+)[ \t]+import[ \t]+\*", re.M)


# How to write what Python warns of so that it does not: said with the `raised:` detail (a fairness review, 338: an
# assertion's warning was told to use a raw string)
_WARNING_FIXES = (("assertion", "write the assertion without parentheses, `assert test, 'message'`"),
                  ('"is', "compare with `==` or `!=`"),
                  ("a literal is not callable", "put in the missing comma"),
                  ("invalid escape", "write the string raw, r'...', or double the backslash"))


@dataclass(frozen=True)
class _Warned:
    where: str              # 'the cell (line N: ...)' or 'line N (...)'
    fix: str
    filter_line: int = 0    # the line of the cell's own statement that set the filter, where it set one
    statement: int = -1     # the index of the statement Python refuses in the cell's body; -1: the whole cell


def _warns_when_read(source: str, bits: int = WARNINGS_ERRORS, body: list | None = None) -> _Warned | None:
    """Where Python would refuse the cell ('the cell'), or a statement of it ('line N'), were the warnings ``bits``
    errors as it starts, as it reads it without (None where it does not). The filters the cell's own statements set
    count from the next statement on (``body``: the grader's reading of them); the cell is read whole before any of
    them runs. Found in the syntax tree and tokens (`warning_filters.escape_warning`, `syntax_warning`), never by
    compiling under a filter of the grader process's."""
    if not body:        # (the grader's reading, where at hand, was parsed already: a cell's parse costs 0.1 s at its limit)
        try:
            tree = parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        body = tree.body if body is None else body
    if bits & DEPRECATION_WARNINGS_ERRORS:
        escape = escape_warning(without_magics(source))
        if escape is not None:
            return _Warned(f"the cell (line {escape[0]}: {escape[1]})", _fix(escape[1]))
    own = 0
    for index, node in enumerate(body):
        warned = syntax_warning(node) if bits & SYNTAX_WARNINGS_ERRORS else ""
        if warned:
            return _Warned(f"line {node.lineno} ({warned})", _fix(warned), own, index)
        for made, quiet in filter_changes(node):
            bits = bits & ~quiet | made
            own = node.lineno if made else own if bits else 0
    return None


def _all_set_before(body: list, index: int, names: list[str]) -> bool:
    """Are all the answers set before the statement at ``index`` of the cell's body, and none after it? IPython
    compiles a cell's statements one at a time, so a statement it refuses stops the cell there, with what came
    before set (a fairness review, 340: `assert (isinstance(a_, bool), 'a bool')` below the five answers was flagged,
    though Jupyter ended with them). Not for the whole cell refused (an invalid escape), ``index`` -1."""
    if index < 0:
        return False

    def stored(nodes) -> set[str]:
        return {n.id for node in nodes for n in walk(node) if isinstance(n, ast.Name) and isinstance(
            n.ctx, (ast.Store, ast.Del))}
    return set(names) <= stored(body[:index]) and not set(names) & stored(body[index:])


def _fix(warning: str) -> str:
    return next((fix for start, fix in _WARNING_FIXES if warning.startswith(start)), "change that line")


def _warned(ctx: Context, cell, cell_id: str, reading: _Reading | None, names: list[str],
            known: Features | None = None) -> None:
    """Flag the answers cell where a warnings filter above it, or in it, may make what Python warns of as it reads or
    compiles the cell an error: Jupyter then stops at that line, or runs none of the cell (review 325:
    `warnings.simplefilter('error')` above `assert (a_, b_)` between two tries, or above `print('\\o/')`). Which filter
    is in force when the cell runs the grader cannot always tell (a fairness review, 332: filters restored from a
    saved list, a context entered by hand, one of numpy's), so the answers are graded as written: a student's
    `grader check` names the line to fix and the filter, a TA sees the flag."""
    body = reading.tree.body if reading is not None else []
    if _warns_when_read(cell.source, WARNINGS_ERRORS, body) is None:
        return          # nothing warns: no filter can matter, and the notebook's filters are not read
    features = features_at(ctx.nb.cells, filters=True, known=known)
    warned = _warns_when_read(cell.source, features(cell.index) & WARNINGS_ERRORS, body)
    if warned is None or _all_set_before(body, warned.statement, names):
        return
    above = features.error_filter(cell.index)
    if warned.filter_line:
        which = f"the warnings filter set on line {warned.filter_line} of that cell"
    elif above is not None:
        which = f"the warnings filter set on line {above[1]} of {_named(above[0])}"
    else:
        which = "a warnings filter set above or in it"
    ctx.flag(f"raised:{cell_id}")
    ctx.detail(f"Python warns about {warned.where} when it reads the True/False answers cell, and {which} may make "
               f"that warning an error: Jupyter then stops there, or runs none of the cell. The answers are graded as "
               f"written; to be sure, {warned.fix}, or make that filter name the warnings it means (a category or a "
               f"message)")


def _star(source: str) -> str:
    text = as_python_reads(source) if "*" in source else ""
    found = _STAR.search(text)
    return f"`from {found.group(1)} import *` on line {text.count(chr(10), 0, found.start()) + 1}" if found else ""


# An alias of a shell command, which IPython runs in place of a one-line cell that starts with its name (review 325:
# `%alias a_ true` above `a_: bool = True; b_: bool = False; ...`, which then set nothing); also made through
# IPython's call (review 327). Read only where the answers cell names it (a fairness review, 328: `%alias nvsmi
# nvidia-smi` was flagged).
_ALIAS = re.compile(r"""(?:%|^[ \t]*)alias[ \t]+([^\W\d]\w*)|run_line_magic\([ \t]*['"]alias['"][ \t]*,[ \t]*['"][ \t]*"""
                    r"""([^\W\d]\w*)""", re.M)


def _code_words(text: str) -> str:
    """The text with its comments and strings blanked (line breaks kept), where it tokenizes; as it is where it does
    not. Strings over several lines too (a fairness review, 340: a docstring that said `os.kill(pid, 9)` was read as
    code); an f-string's code in braces stays, as it runs."""
    starts = [0]
    for ln in text.split("\n"):
        starts.append(starts[-1] + len(ln) + 1)
    chars = list(text)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.COMMENT, tokenize.STRING):
                begin = starts[tok.start[0] - 1] + tok.start[1]
                kept = _f_string_code(tok.string) if tok.type == tokenize.STRING else ""
                for i, ch in enumerate(tok.string):
                    if ch != "\n" and not (kept and kept[i] != " "):
                        chars[begin + i] = " "
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError, IndexError):
        pass
    return "".join(chars)


def _f_string_code(token: str) -> str:
    """An f-string's token with all but the code in its braces blanked ('' for another string)."""
    quote = min((i for i in (token.find("'"), token.find('"')) if i >= 0), default=0)
    if "f" not in token[:quote].lower():
        return ""
    out, depth, i = [], 0, quote
    out.extend(" " * quote)
    while i < len(token):
        ch = token[i]
        if depth == 0 and token.startswith(("{{", "}}"), i):
            out.append("  ")
            i += 2
            continue
        if ch == "{":
            depth += 1
            out.append(" " if depth == 1 else ch)
        elif ch == "}" and depth:
            depth -= 1
            out.append(" " if depth == 0 else ch)
        else:
            out.append(ch if depth else " ")
        i += 1
    return "".join(out)


# A name of the answers cell's given IPython's `exit` or `quit`, which IPython calls in place of a one-line cell that
# starts with it (review 331: `a_ = exit` above `a_ = True; b_ = False; ...`, which then ended with `a_` the exit object)
def _autocalled(source: str, code: str) -> str:
    """... in any way the cell binds the name while it reads `exit` or `quit` (review 333: `a_ = (exit)`, `q = exit;
    a_ = q`, `for a_ in [quit]: pass`), or with IPython's autocall turned on (333: `%autocall 2` above `a_ = print`).
    ``code``: the answers cell's, its comments blanked (`code_only`)."""
    if not any(w in source for w in ("exit", "quit", "autocall")):
        return ""
    first = re.match(r"[ \t]*([^\W\d]\w*)", code.strip("\n"))
    tree = python_tree(source)
    if first is None or tree is None:
        return ""
    text = as_python_reads(source)
    if re.search(r"^[ \t]*%*autocall\b", text, re.M):
        return "`%autocall` (IPython then calls a callable in place of a line that starts with its name)"
    held = {"exit", "quit"}             # names that may hold IPython's exit object, as the cell binds them
    pairs = []
    for n in walk(tree):
        if isinstance(n, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and n.value is not None:
            for t in n.targets if isinstance(n, ast.Assign) else [n.target]:
                pairs += list(_bound_pairs(t, n.value))
        elif isinstance(n, (ast.For, ast.comprehension)) and isinstance(n.iter, (ast.List, ast.Tuple, ast.Set)):
            pairs += [(b, e) for e in n.iter.elts for b in bound_by(n.target)]
    for _ in range(4):
        held |= {b for b, v in pairs if isinstance(v, ast.Name) and v.id in held}
    if first.group(1) in held - {"exit", "quit"}:
        return f"`{first.group(1)}` given IPython's `exit` (IPython calls it in place of a one-line cell that starts with its name)"
    return ""


def _bound_pairs(target: ast.expr, value: ast.expr):
    """(name, the expression it gets) for a target and its value, element by element where both are written out."""
    if isinstance(target, ast.Name):
        yield target.id, value
    elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) and \
            len(target.elts) == len(value.elts):
        for t, v in zip(target.elts, value.elts):
            yield from _bound_pairs(t, v)


def _aliased(source: str, starts: set[str]) -> str:
    """An alias the cell makes for a name that a line of the answers cell's code starts with (``starts``: those names,
    the answers cell's comments blanked; a fairness review, 330: `# ... on the gpu`)."""
    text = as_python_reads(source) if "alias" in source else ""
    for found in _ALIAS.finditer(text):
        name = found.group(1) or found.group(2)
        if name in starts:
            return f"an alias `{name}` on line {text.count(chr(10), 0, found.start()) + 1}"
    return ""


def _hooked(source: str, now: bool = False) -> str:
    """What of ``_HOOKS`` the cell's code holds, as '`bdb` on line 3' ('' for none); ``now``: the answers cell's own,
    where what stops it at once counts too (``_HOOKS_NOW``). Not a cell that only writes a file or runs another
    language (a fairness review, 340: `%%writefile train.py` with `os.getpid()` in it)."""
    if not any(w in source for w in _HOOK_WORDS) or _FILE_ONLY.match(source):
        return ""
    # ... in the cell's code, not its comments or strings (a fairness review, 331: `# a signal.alarm timeout would be
    # nice`, `print('tip: sys.settrace makes training slow')`; 340: a docstring over several lines)
    raw = as_python_reads(source)
    # (tokenized only where the text as written holds one: blanking comments and strings finds no more)
    if _first_hook(raw, raw, now) is None:
        return ""
    text = _code_words(raw)
    found = _first_hook(raw, text, now)
    return f"`{found.group().strip()}` on line {text.count(chr(10), 0, found.start()) + 1}" if found else ""


def _first_hook(raw: str, text: str, now: bool):
    """The first of what `_hooked` looks for in ``text`` (``raw``: the same with its strings, for a command held in one)."""
    # (the kernel's process id with what may send it a signal: now, in the answers cell; later, from a cell above; or
    # a command that kills handed to a child that outlives the cell: `Popen(['sh', '-c', 'sleep 1; kill -INT $PPID'])`)
    sends = (_SENDS_NOW if now else _SENDS_LATER).search(text)
    pid = (_PID.search(text) or (sends if not now and re.search(r"\bkill\b", raw) and (text is raw or not re.search(
        r"\bkill\b", text)) else None)) if sends else None
    return min((m for m in (_HOOKS.search(text), _HOOKS_NOW.search(text) if now else None, _timer(text),
                            _stream_kept(text), pid) if m is not None),
               key=lambda m: m.start(), default=None)


_FILE_ONLY = re.compile(r"\s*%%(?:writefile|file|bash|sh|script|markdown|html|latex|svg|javascript|js)\b")


def _timer(text: str):
    """A handler or a timer of `signal`'s, under the module's name or another, or imported by name; not a function of
    the cell's own so named (a fairness review, 340: `def alarm(): ...` that beeps, `clock.alarm(60)`), nor a handler
    put back to Python's own, named through the module (338: `signal.signal(SIGINT, signal.default_int_handler)`;
    341: a function of one's own called `default_int_handler`). And `faulthandler`'s timer where it may end the
    process (`exit=True`, by keyword or by place; not `exit=False`)."""
    if "signal" in text:
        modules = {"signal", *re.findall(r"\bimport\s+signal\s+as\s+([A-Za-z_]\w*)", text)}
        by_name = re.search(r"\bfrom\s+signal\s+import\b", text) is not None
        for m in _SIGNAL_CALL.finditer(text):
            if not (m.group(1) in modules if m.group(1) else by_name):
                continue
            if m.group(2) == "signal":
                line = text[m.end():text.find("\n", m.end()) % (len(text) + 1)]
                args = line[:line.find(")")] if ")" in line else line
                handler = args.rsplit(",", 1)[-1].strip() if "," in args else ""
                if re.fullmatch(r"(?:%s)\s*\.\s*(?:SIG_DFL|SIG_IGN|default_int_handler)" % "|".join(sorted(modules)),
                                handler):
                    continue
            return m
    for m in _FAULT_TIMER.finditer(text):
        line = text[m.end():text.find("\n", m.end()) % (len(text) + 1)]
        args = line[:line.find(")")] if ")" in line else None
        if args is None or args.count(",") >= 3 or "exit" in args and not re.search(r"\bexit\s*=\s*False\s*$|"
                                                                                  r"\bexit\s*=\s*False\s*,", args):
            return m
    return None


def _stream_kept(text: str):
    """`sys.stdout` (or `stderr`) given a writer the cell leaves there: not `sys.__stdout__` put back, a file, a
    `StringIO`, or a stream the cell puts back later (a fairness review, 340: output sent to a file for a long run and
    back, stderr quieted for an import)."""
    last = {}
    for m in _STREAM_SET.finditer(text):
        last[m.group(1)] = m
    for name, m in last.items():
        value = m.group(2).strip()
        # (a name the cell only ever gives the stream itself: review 341 gave it a raising writer after)
        given = re.findall(rf"(?<![.\w]){value}[ \t]*=(?!=)[ \t]*([^\n#;]*)", text) if re.fullmatch(
            r"[A-Za-z_]\w*", value) else []
        saved = bool(given) and all(re.fullmatch(r"sys\.(?:__)?std(?:out|err)(?:__)?\s*", g) for g in given)
        if not (saved or re.match(r"(?:sys\.__std(?:out|err)__|open\(|io\.StringIO\(|StringIO\()", value)):
            return m
    return None


def _macro(source: str) -> str:
    """An IPython macro the cell makes, as '`Macro` on line 2' ('' for none): a one-line cell that names it runs
    the macro's text in its place. `Macro` as a name of the code, not a word of a comment or a string (a fairness
    review, 326: `# Macro average of the accuracies`, `print("Macro F1:", f1)`)."""
    text = as_python_reads(source)
    found = _MACRO.search(text)
    line = text.count(chr(10), 0, found.start()) + 1 if found else 0
    # ... not where the cell makes a `Macro` of its own (a fairness review, 329: `def Macro(scores): ...`)
    if "Macro" in text and not re.search(r"\b(?:def|class)[ \t]+Macro\b|\bMacro[ \t]*=(?!=)", text):
        lines = text.split(chr(10))
        try:
            named = next((t.start[0] for t in tokenize.generate_tokens(io.StringIO(text).readline)
                          if t.type == tokenize.NAME and t.string == "Macro" and _CALLED.match(lines[t.start[0] - 1],
                                                                                              t.end[1]) or
                          t.type == tokenize.STRING and "Macro" in t.string and
                          "f" in t.string[:t.string.find(t.string[-1])].lower() and _called_in_braces(t.string)), 0)
        except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
            named = text.count(chr(10), 0, text.index("Macro")) + 1       # unreadable: the word counts
        if named and (not line or named < line):
            return f"`Macro` on line {named}"
    return f"`{found.group().strip()}` on line {line}" if found else ""


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


def _set_above(ctx: Context, cell, names: set[str], shadowed: frozenset, at,
               bound) -> dict[str, tuple[object, object, str]]:
    """Each of ``names`` a code cell above ``cell`` sets at its top level, with the value the last such
    cell gives it, that cell, and why the value is unknown ('' where it is known): a cell between may set
    it without naming it (exec, `for`, `:=`, `%store -r`) or cannot be read (``at``: the features in force
    as a cell starts; ``bound``: the names that matter to its stops bound above it). The template's own cells set
    none."""
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
            more, bad = read_answers(c.source, left, shadowed, at(c.index), above=bound(c.index, c.source))
            if bad:                     # Jupyter may run what the grader cannot read (review 241)
                for n in left:
                    doubt.setdefault(n, f"the grader cannot read {_named(c)} between them, which Jupyter may run "
                                        f"otherwise ({bad[:80]})")
                continue
            out.update({n: (_ELSEWHERE, c, doubt[n]) if n in doubt else (more[n], c, "")
                        for n in left if more[n] is not _MISSING})
        for n, why in writers(c.source, left).items():
            doubt.setdefault(n, f"{_named(c)} between them may set it otherwise ({why})")
        for n in bound_below(c.source) & set(left):
            doubt.setdefault(n, f"{_named(c)} between them binds it in a block, a loop, with `:=`, by an import "
                                f"or `del`")
    return out


_MAGIC_LINE = re.compile(r"[ \t]*(?:%|\S.*\brun_(?:line|cell)_magic\b)")
_WORDS = re.compile(r"\w+")


def _without_function_magics(source: str, words: Counter) -> str:
    """The cell with each magic line inside the body of a function the cells from the answers cell on never name
    again (``words``: how often each word stands there; its `def` is one) read as `pass`, the rest as it is: a
    function named again, `clear()`, `Nb().clear()`, handed on, keeps its lines."""
    if "%" not in source and "_magic" not in source:
        return source
    tree = python_tree(source)
    if tree is None:
        return source
    inside = {k for f in walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.body
              and words.get(f.name, 0) <= 1 for k in range(f.body[0].lineno, (f.end_lineno or f.body[0].lineno) + 1)}
    if not inside:
        return source
    lines = source.split("\n")
    for k in inside:
        line = lines[k - 1] if k <= len(lines) else ""
        if _MAGIC_LINE.match(line):
            lines[k - 1] = line[:len(line) - len(line.lstrip())] + "pass"
    return "\n".join(lines)


def _as_python_sets(source: str, names) -> dict[str, str]:
    """Each of ``names`` a one-line cell that Jupyter runs as a magic (`automagic`) sets where it runs as
    Python instead (a variable of the magic's name exists), with how: none where Python refuses the line
    (`pinfo a_`: a fairness review, 252, read it as setting `a_`)."""
    try:
        tree = ast.parse(as_python_reads(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    bound = {x.id for x in walk(tree) if isinstance(x, ast.Name) and not isinstance(x.ctx, ast.Load)}
    out = {n: f"it binds `{n}`" for n in names if n in bound | bound_elsewhere(tree, set())}
    return writers(source, [n for n in names if n not in out], tree) | out


def _stopped_first(source: str, names, flags: int, above: frozenset[str] = frozenset(),
                   reading: _Reading | None = None) -> tuple[int, str] | None:
    """(line, the statement) of a statement that surely stops the cell, when it starts under
    ``flags``, above its first assignment of one of ``names`` (None: none): a correction below a
    `raise` never runs (a two-hundred-and-twenty-eighth review graded one, flagged only `moved:`).
    ``reading``: the cell's reading where it starts under ``flags`` less autoawait, whose stops are read both ways
    (a cell at the length limit was read and walked for its stops again: a third of the grader's time for it)."""
    if reading is not None:
        tree, stop = reading.tree, reading.stops.on if flags & AWAIT else reading.stops.off
    else:
        try:
            tree, magics, _ = _read(source, flags, above)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            # (a cell Jupyter runs none of, or stops at a magic line of no name: a stop wherever the answers are)
            line = unrunnable_at(source, flags & BARRY)
            lines = crlf_as_lf(source).split("\n")
            return None if line is None else (line, lines[line - 1].strip()[:40] if line <= len(lines) else "...")
        stop = first_stop(tree, flags, magics, above)
    if stop is None or any(assigned_names(node) & set(names) for node in tree.body[:stop]):
        return None
    node = tree.body[stop]
    lines = crlf_as_lf(source).split("\n")
    return node.lineno, lines[node.lineno - 1].strip()[:40] if node.lineno <= len(lines) else "..."


def _refused_above(ctx: Context, c, flags_at: Callable, cell_id: str, bound: Callable, added: bool = False) -> None:
    """Flag a cell above the answers cell, one the grading runs or a provided one, that surely stops at a magic line
    IPython refuses (a magic the kernel does not have, options it does not take, autoreload's with none loaded): the
    grading runs such a line as nothing, but Jupyter's Run All stops there, before the answers cell (review 448:
    `%nosuchmagic`, `%cd -z` or `%autoreload 2` at the end of `train-and-test`, 10/10 and 50/50 unflagged where
    Jupyter set none of the answers). What else stops such a cell the grading sees as it runs it (`raised:`); a cell
    added beside the answers cell (``added``) is read for its other stops by `_stops_run_all`. ``flags_at`` and
    ``bound``: the compiler's flags and the names bound where a cell starts, asked only of a cell with such a line
    (the names bound above cost a millisecond a cell)."""
    if c.cell_type != "code":
        return
    magics = magic_lines(c.source)
    top = refused_at_top(c.source, False, True)
    if top is None and not (magics.refused or magics.background or magics.autoreload):
        return
    above = bound(c.index, c.source)
    flags = flags_at(c.index)
    text = crlf_as_lf(c.source).split("\n")
    top = refused_at_top(c.source, AUTORELOADED in above, SHADOWED in above) if top is not None else None
    # (a cell magic's own line refused: `_stops_run_all` does not read it in an added cell, review 453's `%%capture  #
    # quiet install` right above the answers cell)
    def unread() -> bool:
        """A cell added beside the answers that the reading cannot parse, where `_stops_run_all` finds no other stop: a
        refused line IPython reaches is said here (review 488: `%timeit -z f()` right above the answers, unflagged)."""
        try:
            _read(c.source, flags, above)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return unrunnable_at(as_explicit(c.source), flags & BARRY) is None
        return False
    if top is not None and (not added or cell_magic(c.source) or unread()):
        ctx.flag(f"raised:{cell_id}")
        # (an `%autoreload` line below a load of it, counted only because the notebook may shadow that load)
        maybe = refused_at_top(c.source, LOADED_SHADOWED in above, False) != top
        ctx.detail(f"{'cell ' + repr(c.id) if c.id else 'a cell'} above the True/False answers cell "
                   f"{'may stop' if maybe else 'stops'} at line {top} "
                   f"(`{text[top - 1].strip()[:40] if top <= len(text) else '...'}`), {_refusal(maybe)}")
        return
    lines = magics.refused | magics.background | (frozenset() if AUTORELOADED in above else magics.autoreload
                                                  if SHADOWED in above else magics.unloaded)
    if not lines:
        return
    try:
        tree, magics, _ = _read(c.source, flags, above)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    stop = first_stop(tree, flags, magics, above)
    # (autoreload's magics at the top level are read where they stand: `first_stop` reads them as "may stop", `unsure`)
    top = next((k for k, n in enumerate(tree.body) if n.lineno in lines), None)
    if added and (top is None or stop is not None and stop <= top):
        return                          # (said by `_stops_run_all`)
    stop = top if stop is None or top is not None and top < stop else stop

    def within(k: int) -> int | None:
        node = tree.body[k]
        return next((n for n in sorted(lines) if node.lineno <= n <= (node.end_lineno or node.lineno)), None)
    line = within(stop) if stop is not None else None
    # ... or may stop there: in a `with` block, whose manager may suppress the error (review 449)
    maybe = next((n for n in map(within, unsure(tree, flags, magics, above)) if n is not None), None) \
        if line is None and not added else None
    if line is None and maybe is None:
        return
    at = line or maybe
    ctx.flag(f"raised:{cell_id}")
    shadowed_only = at in magics.autoreload and at not in magics.refused | magics.background and \
        (LOADED_SHADOWED in above or at not in magics.unloaded)
    if shadowed_only:
        ctx.detail(f"{'cell ' + repr(c.id) if c.id else 'a cell'} above the True/False answers cell may stop at line "
                   f"{at} (`{text[at - 1].strip()[:40] if at <= len(text) else '...'}`), {_refusal(True)}")
        return
    ctx.detail(f"{'cell ' + repr(c.id) if c.id else 'a cell'} above the True/False answers cell "
               f"{'stops' if line else 'may stop'} at line {at} "
               f"(`{text[at - 1].strip()[:40] if at <= len(text) else '...'}`), a magic line the kernel refuses: "
               f"Jupyter's Run All {'stops there' if line else 'stops there unless what is around it catches the error'}"
               f", before the answers cell; delete that line")


def _refusal(shadowed: bool) -> str:
    """Why a magic line above the answers stops Run All. An `%autoreload` line below a load of the extension is
    refused only if that load found another module of its name (`SHADOWED`: the note below the flag names the cell
    that may have put one there): the words must not say it surely stops where the notebook may run to the end."""
    if shadowed:
        return ("an autoreload magic, which the kernel refuses if `%load_ext autoreload` loaded another module of that "
                "name (see below): Jupyter's Run All would stop there, before the answers cell; delete that line if "
                "your notebook does not need it")
    return "a magic line the kernel refuses: Jupyter's Run All stops there, before the answers cell; delete that line"


def _stops_run_all(ctx: Context, c, source: str, where: str, flags: int, cell_id: str,
                   above: frozenset[str] = frozenset(), stops: dict | None = None) -> None:
    """Flag a cell added next to the answers cell that surely stops (a fairness review, 278: the template's
    `raise NotImplementedError()` copied into a cell of its own, "ready to hand in" while Run All stops there).
    ``stops``: where the cell stops, by whether autoawait is on, read already."""
    # (a one-line cell IPython runs as a magic, `time -p x = 1`, read as that magic's line: review 487)
    stopped = stops[bool(flags & AWAIT)] if stops is not None else _stopped_first(as_explicit(source), (), flags, above)
    lines = crlf_as_lf(source).split("\n")
    if stopped is not None:
        ctx.flag(f"raised:{cell_id}")
        said = lines[stopped[0] - 1].strip()[:40] if stopped[0] <= len(lines) else "..."
        ctx.detail(f"{'cell ' + repr(c.id) if c.id else 'a cell'} {where} the True/False answers cell stops with an "
                   f"error at line {stopped[0]} (`{said}`): Jupyter's Run All stops there"
                   f"{', before the answers cell' if where == 'above' else ''}; delete that line")


def _warn(ctx: Context, source: str, reading: _Reading | None, names: list[str], cell_id: str,
          awaits_on: bool = False) -> None:
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
    # (a top-level `await` stops nothing while autoawait is on, as it starts and as no cell turns it off: a fairness
    # review, 403, had `await asyncio.sleep(0)` in the answers cell flagged `raised:`)
    at = stops.on if awaits_on else stops.first
    stop = None if at is None else tree.body[at]
    reached = shell_reached(source)
    hooked = _hooked(source, now=True) if not reached else ""
    if hooked:
        ctx.flag(f"exec:{cell_id}")
        ctx.detail(f"the True/False answers cell reaches its own process or interpreter ({hooked}): a hook, a signal, "
                   f"an exception sent to it or a crash can stop it at a line the grader cannot tell; a TA reads it")
    if reached:
        ctx.flag(f"exec:{cell_id}")
        # ... no word on how the answers are graded: each answer's message says (a fairness review, 271, read
        # "graded as written" beside 0/10)
        ctx.detail(f"the True/False answers cell makes a magic of its own or reaches IPython's shell ({reached}), "
                   f"which can change what Jupyter ends with; a TA reads it")
    if stop is not None:
        after = sorted({n for node in tree.body[at:] if isinstance(node, (ast.Assign, ast.AnnAssign))
                        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                        for n, _ in _pairs(t, node.value if isinstance(node, ast.Assign) else t) if n in names}
                       - set(before_stop(tree, names, at)))
        # `%%time` catches what its body raises: Run All goes on, so a stop after the answers is no mistake
        # there (a fairness review, 245); one before them still leaves them unset
        flagged = after or magics.texts.get(stop.lineno, (0, ""))[1] != "%%time"
        if flagged:
            ctx.flag(f"raised:{cell_id}")    # the flag's help says it once (it was said twice: a student's review)
        # The answers are read as written, but Jupyter never sets those after the stop (a
        # seventy-fourth review: the flag's "what it defined before the error" said otherwise).
        what = ("a shell command ending in `&`, which Jupyter refuses (\"Background processes not supported\"),"
                if stop.lineno in magics.background
                else "a magic line the kernel refuses (a magic it does not have, or options it does not take: IPython "
                     "stops with a UsageError; `%load_ext` of no module, `%matplotlib` of no backend it knows),"
                if stop.lineno in magics.refused
                else "a `raise`" if isinstance(stop, ast.Raise) else "an endless loop" if isinstance(stop, ast.While)
                else "a call that ends the program" if isinstance(stop, ast.Expr) and isinstance(stop.value, ast.Call)
                and quoted(stop).split("(")[0] in exits_of(tree).calls
                else "`assert` of a false value" if isinstance(stop, ast.Assert)
                else f"`{quoted(stop)}`, which stops the cell whichever way it goes,"
                if isinstance(stop, (ast.If, ast.With, ast.For, ast.Try, ast.Match))
                else f"`{quoted(stop)}`, which Python refuses or which raises when Jupyter reaches it,")
        if after:
            ctx.detail(f"the True/False answers cell: {what} on line {stop.lineno} comes before "
                       f"{', '.join(f'`{n}`' for n in after)}, so Jupyter never sets "
                       f"{'it' if len(after) == 1 else 'them'} and the notebook's own answer tests fail; delete "
                       f"{_lines(stop)} (your answers are graded as you wrote them)")
        elif flagged:
            # which line, where the answers are all above it (a fairness review, 318: `sys.exit()` left below the
            # answers was flagged with no detail, the flag quoting the cell's first line, `a_ = True`)
            ctx.detail(f"the True/False answers cell: {what} on line {stop.lineno} stops Jupyter's Run All there, "
                       f"and no cell below it runs; delete {_lines(stop)}")
    seen: dict[str, int] = {}
    for node in tree.body:
        # a bare annotation (`a_: bool`) sets nothing (a fairness review, 274, read "sets `a_` more than once")
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AugAssign) or \
            isinstance(node, ast.AnnAssign) and node.value is not None else []
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


def _autoreload_shadowed(cells) -> tuple[object, str] | None:
    """May no load of autoreload in the notebook be IPython's: a code cell names it otherwise than IPython's own lines
    and calls do, or binds `get_ipython` or `IPython` (`shadows_autoreload`), or, where the notebook loads it at all,
    binds `print` (`binds_print`: a `print` of literals naming it is read as no mention), or changes where `import`
    looks or makes files there under names it does not write out (`moves_imports`: reviews 463, 465 and 467, tornado's
    own `autoreload` module through `sys.path`, the working folder or a copy, a name from a listing)? The first such
    cell and why, or None. Asked only of notebooks that name autoreload; most do not."""
    code = [c for c in cells if c.cell_type == "code"]
    if not any("autoreload" in c.source and "load_ext" in c.source for c in code):
        return None
    for c in code:
        if shadows_autoreload(c.source):
            return c, "names a module `autoreload` (or binds `get_ipython` or `IPython`) otherwise than IPython's own lines"
        if binds_print(c.source):
            return c, "binds `print`, whose call may make a module `autoreload`"
    try:
        known = plain_names_of([c.source for c in code])
    except RecursionError:
        known = frozenset()
    for c in code:
        try:
            moves = moves_imports(c.source, known=known)
        except RecursionError:          # (a cell too deep to read: read as one that may)
            moves = True
        if moves:
            return c, ("changes where `import` looks, or makes, copies or writes files or modules under names it does "
                       "not write out")
    return None


def score(task, ctx: Context, outcomes, refs) -> list[CheckResult]:
    """The answers' rows; where the notebook may load no IPython extension for autoreload, a `raised:` flag says why
    (a fairness review, 468: the flag told a student whose notebook ran to the end to delete `%autoreload 2`, and did
    not name the cell that made it)."""
    shadowing = _autoreload_shadowed(ctx.nb.cells) if ctx.nb is not None else None
    raised = {f for f in ctx.flags if f.startswith("raised:")}
    rows = _scored(task, ctx, outcomes, refs, shadowing)
    if shadowing is not None and {f for f in ctx.flags if f.startswith("raised:")} - raised:
        cell, why = shadowing
        ctx.detail(f"`%autoreload` lines count as stops here: {'cell ' + repr(cell.id) if cell.id else 'a cell'} {why}, "
                   f"so `%load_ext autoreload` may load another module of that name, and Jupyter then refuses "
                   f"`%autoreload`; if your notebook runs to the end in Jupyter, a TA reads this and nothing is lost")
    return rows


def _scored(task, ctx: Context, outcomes, refs, shadowing) -> list[CheckResult]:
    names = task.cfg["variables"]
    pts = float(task.cfg["points_each"])
    # Without its ID, the answers cell is the one assigning most of the variables.
    found = ctx.find_code(task.cfg["cell"], matcher=lambda c: sum(v is not _MISSING for v in
                                                                 read_answers(c.source, names)[0].values()) >= 2)
    if found.cell is None:
        return [failed(task, n, pts, f"the answers cell '{task.cfg['cell']}' is missing") for n in names]
    shadowed = _builtins_rebound(ctx, found.cell)
    features = features_at(ctx.nb.cells)    # `__future__` features in force as each cell starts
    rebound = bound_before(ctx.nb.cells)    # ... and exception classes and exit modules bound again above it,
    stoppers = stoppers_before(ctx.nb.cells)    # ... and the functions defined above it whose call surely stops

    # `%pdb on` anywhere up to the cell: `%time` then opens the debugger where it shows an error (review 413)
    pdb_from = next((c.index for c in ctx.nb.cells if c.cell_type == "code" and names_pdb(c.source)), None)

    # ... and the notebook's names deleted by a magic (`%reset_selective -f exit`, `%xdel`, `%reset`: review 416)
    reset_from = next((c.index for c in ctx.nb.cells if c.cell_type == "code" and _RESETS.search(c.source)), None)
    # ... and autoreload loaded, whose magics the kernel has from then on
    autoreload_from = next((c.index for c in ctx.nb.cells if c.cell_type == "code" and loads_autoreload(c.source)), None)
    # (... not where a cell puts a module of its name first, or binds the names IPython's loads go through, review 451,
    # or `print`, whose call of literals the reading takes for no mention of the name, review 455): then no load of it
    # is IPython's, in a cell above or in the cell itself
    no_autoreload = shadowing is not None
    loads_from = autoreload_from
    if no_autoreload:
        autoreload_from = None

    def bound(index: int, source: str) -> frozenset[str]:
        pdb = pdb_from is not None and pdb_from <= index or names_pdb(source)
        out = rebound(index, source) | stoppers(index, source) | (frozenset({PDB_ON}) if pdb else frozenset())
        if autoreload_from is not None and autoreload_from < index:
            out = out | {AUTORELOADED}
        if no_autoreload:
            out = out | {SHADOWED}
            if loads_from is not None and loads_from < index:
                out = out | {LOADED_SHADOWED}
        if reset_from is not None and reset_from <= index or _RESETS.search(source):
            # (IPython's own `exit` is one of the notebook's names in a kernel: deleted, a call of it is a NameError)
            out = frozenset(n for n in out if not n.startswith("+")) | {"exit", "quit"}
        return out
    readings: OrderedDict[tuple, _Reading | None] = OrderedDict()

    def reading_of(source: str, flags: int = 0, above: frozenset[str] = frozenset()) -> _Reading | None:
        """A cell read once for each start it is asked about (a cell below the answers was read twice alike: a
        reading costs seconds at the length limit), the last few kept (review 428: every cell below kept, nineteen
        of 25,000 lines, 738 MB of the grader's memory)."""
        key = (source, flags, above)
        if key in readings:
            readings.move_to_end(key)
        else:
            readings[key] = _readable(source, flags, above)
            while len(readings) > _READINGS_KEPT:
                readings.popitem(last=False)
        return readings[key]

    def at(index: int) -> int:
        return features(index) & ~WARNINGS_ERRORS       # ... but not the warnings filters: `_warned`
    # IPython's autoawait is on in a kernel unless the notebook turns it off: a top-level `await` in a cell beside the
    # answers runs (a fairness review, 334: a correction below `await asyncio.sleep(...)` lost its point, and an
    # `await` above was flagged as stopping Run All)
    # (... the word read across the pieces of a string, `'auto' 'await'`, `'auto' + 'await'`: review 413; not in a
    # comment, nor `%autoawait` alone or turning it on: a fairness review, 415)
    # (... by that cell or one above it: a cell below the answers runs after them, a fairness review, 418; IPython
    # compiles a cell's statements one by one, each as autoawait then is)
    code = [c for c in ctx.nb.cells if c.cell_type == "code"]
    awaited = any("await" in c.source for c in code)
    shown = awaited and _shows_only(code)
    off = next((c.index for c in code if _turns_autoawait(c.source, shown)), None) if awaited else None

    def awaits_at(index: int) -> bool:
        return off is None or off > index
    awaits_on = awaits_at(found.cell.index)
    # (... in the answers cell too: an `await` between two tries there left them unknown, as where autoawait may be
    # off: a fairness review, 410, 0/10 for a correction below `await asyncio.sleep(0)`)
    start = at(found.cell.index) | (AWAIT if awaits_on and _runs_async(found.cell.source, at(found.cell.index)) else 0)
    reading = _readable(found.cell.source, start, bound(found.cell.index, found.cell.source))
    values, error = read_answers(found.cell.source, names, shadowed, start, reading, docstrings=True)
    limited = [c for c in ctx.nb.cells if c.cell_type == "code" and c.index < found.cell.index and (
        "digits" in c.source or "set_int" in c.source or "max_str" in c.source)]
    digits = _longest_decimal(found.cell.source) if limited and not error else 0
    if digits > 640 and _lowers_digits(limited, digits):
        # a notebook that lowers Python's digits limit for text (to 640 at least) makes a longer number in a cell a
        # syntax error there: Jupyter runs none of it (review 416)
        error = ("a cell above lowers Python's limit on the digits of a number (`sys.set_int_max_str_digits`), and this "
                 "cell writes a longer number: Python refuses the whole cell then, and Jupyter runs none of it")
    _runs_docstrings(ctx, reading, task.cfg["cell"])
    if error and not ctx.untouched(found.cell, task.cfg["cell"]):
        return [failed(task, n, pts, error) for n in names]
    _warned(ctx, found.cell, task.cfg["cell"], reading, names, features)
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
    later_words: Counter | None = None          # each word of the cells from the answers cell on, how often
    # Answers the cell sets only below a statement that stops it: Jupyter ends with what a cell above set
    # (review 237: `%autoawait False` and the wrong five at the end of a provided cell, then `await` above
    # the right five, 10/10 unflagged); set nowhere above, they are graded as written (flagged `raised:`).
    # ... and those it does not set at all, set in a cell above (a fairness review, 240: the five answers in
    # a cell added above, the answers cell left as the template or holding a print, 0/10).
    late, line, sure = _late(reading, names)
    # ... but not those it binds in a block (`if __name__ == "__main__":`, `try:`, a loop): what Jupyter ends with is
    # the block's doing, and the message names the block (a fairness review, 368: the draft above was named instead)
    absent = set() if error else {n for n in names if values[n] is _MISSING} - bound_below(found.cell.source)
    above: dict[str, list[str]] = {}
    doubted: dict[str, str] = {}                # why an answer read from above is unknown (said as it is)
    alike: dict[tuple[int, str], tuple[object, list[str]]] = {}   # left unknown alike: one message (`grader check`)
    for n, (value, c, why) in _set_above(ctx, found.cell, late | absent, shadowed, at, bound).items():
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
    sets_answers: dict[int, bool] = {}          # each cell below: does it set an answer (asked again just below)
    stops_below: dict[int, dict] = {}           # ... and where it stops, with autoawait off and on, where read
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
        more, bad = _answers_below(source, names, shadowed, at(c.index), bound(c.index, source), reading_of) \
            if c.cell_type == "code" else ({}, "x")
        if source is c.source:
            sets_answers[c.index] = any(more.get(n, _MISSING) is not _MISSING for n in names)
        if c.cell_type == "code" and not bad and breaks_unread(source):
            # (read as Python where IPython splits its lines otherwise: review 442)
            maybe.append(f"{'cell ' + repr(c.id) if c.id else 'a cell'} (too long, with line breaks IPython splits "
                         f"at and magic, shell or escaped lines, for the grader to read as IPython runs it)")
        if bad:
            # Jupyter runs none of it (under barry_as_FLUFL: its `!=`, review 235), where the grader read it as IPython
            # does; a reading by guess, past the budget, may fail where Jupyter runs the cell (review 433: a `%reset
            # -f` above a multi-line string, or above 500 lines `!= 0` inside brackets, in a cell of 12,000 characters;
            # a form feed, an escaped line or `print(1); y = %pwd` in one of 22,000; each skipped, 10/10 unflagged)
            # ... where it names an answer, or holds a magic or a word that may set names (a fairness review, 436:
            # honest long cells of plots were flagged)
            if c.cell_type == "code" and read_past_budget(source) and (
                    _names_any(source, names) or _MAY_SET.search(source) or read_unsure(source) or
                    any(writers(source, names).values())):
                maybe.append(f"{'cell ' + repr(c.id) if c.id else 'a cell'} (too long, with its magic, shell or "
                             f"escaped lines, for the grader to read as IPython runs it)")
            continue
        setting = any(more[n] is not _MISSING for n in names)
        # (the reading `_answers_below` made, where it made one: its stops, not read again)
        read = reading_of(source, at(c.index), bound(c.index, source)) if _names_any(source, names) else None
        if read is not None and source is c.source:
            stops_below[c.index] = {on: _stopped_first(source, (), at(c.index) | (AWAIT if on else 0), reading=read)
                                    for on in (False, True)}
        stopped = _stopped_first(source, names, at(c.index) | AWAIT, bound(c.index, source), read) if setting else None
        if setting and stopped is None and not awaits_at(c.index) and \
                _stopped_first(source, names, at(c.index), bound(c.index, source), read) is not None:
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
        # (asked of the answers the cell's text names only: review 428, each asked a reading of the whole cell)
        spelled = [n for n in names if more[n] is _MISSING and re.search(rf"\b{re.escape(n)}\b", source)]
        # (what may write each answer, read once for both questions below: a reading at the length limit costs seconds)
        written = writers(source, names) if spelled else None
        named = {n: w for n, w in written.items() if n in spelled and w.startswith("`%")} if spelled else {}
        # ... and one bound there otherwise (`print(b_ := True)`, `for b_ in ...`, `import x as b_`, `del a_`:
        # a two-hundred-and-thirtieth review; they were not read at all)
        named.update({n: "bound" for n in bound_below(source) if n in names and more[n] is _MISSING})
        for n in named:         # `%%bash --out a_`, `%sc a_=...` below: that answer is set there, otherwise
            values[n], taken, sources[n] = _ELSEWHERE, True, source
            doubted.pop(n, None)
        if c.cell_type == "code" and not any(more[n] is not _MISSING for n in names) and not named:
            # (a magic line in a function is the function's: `later.called_after` flags a call of it, and a function
            # never called sets nothing; a fairness review, 409: `def clear(): %reset -f`, left from debugging below the
            # answers, was flagged `exec:`)
            if later_words is None:
                later_words = Counter(w for d in ctx.nb.cells[found.cell.index:] if d.cell_type == "code"
                                      for w in _WORDS.findall(d.source))
            plain = _without_function_magics(source, later_words)
            written = written if plain is source and written is not None else writers(plain, names)
            what = next(iter((written | magic_set(plain, names)).values()), "")
            if what:
                maybe.append(f"{'cell ' + repr(c.id) if c.id else 'a cell'} ({what})")
    for c in ctx.copied_beside(found.cell):
        # (a cell that names no answer sets none: read only the others, a reading costs seconds at the length limit;
        # one below as read above, review 428)
        if c.cell_type == "code" and not (sets_answers[c.index] if c.index in sets_answers else _names_any(
                c.source, names) and any(v is not _MISSING for v in read_answers(
                    c.source, names, reading=reading_of(c.source))[0].values())):
            _stops_run_all(ctx, c, c.source, "above" if c.index < found.cell.index else "below",
                           at(c.index) | (AWAIT if awaits_at(c.index) else 0), task.cfg["cell"],
                           bound(c.index, c.source), stops_below.get(c.index))
    beside = {c.index for c in ctx.copied_beside(found.cell)}
    for c in ctx.nb.cells[:found.cell.index]:
        if c.cell_type == "code" and ("%" in c.source or "!" in c.source or "get_ipython" in c.source):
            _refused_above(ctx, c, at, task.cfg["cell"], bound, c.index in beside)
    _shell_above(ctx, found.cell, task.cfg["cell"], reading, names)
    _calls_a_writer(ctx, found.cell, task.cfg["cell"], names)
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
    _warn(ctx, found.cell.source, reading, [n for n in names if n not in sources], task.cfg["cell"], awaits_on)
    key = ctx.spec.answer_key() if ctx.hidden else None
    results = []
    # None set at all (the template's cell as it was): one sentence for all of them, said once by
    # `grader check` (a seventy-sixth review read five alike lines).
    none = len(names) > 1 and all(values[n] is _MISSING for n in names) and not any(
        missing_why(found.cell.source, n) for n in names)
    for n in names:
        index, source = where.get(n, found.cell.index), sources.get(n, found.cell.source)
        read = reading
        if n in sources:
            # (a cell below read once for all the answers it sets, where the reading is asked for: review 423, five
            # readings of a cell of 50,000 characters)
            read = reading_of(source, at(index), bound(index, source)) if values[n] is _ELSEWHERE else None
        why = (f"none of {', '.join(f'`{x}`' for x in names)} is assigned yet; write each as `{names[0]} = True` "
               f"or `{names[0]} = False`" if none else doubted.get(n) or problem(
                   n, values[n], source, shadowed, at(index), read, bound(index, source)))
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

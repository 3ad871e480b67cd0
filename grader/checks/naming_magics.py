"""The magics that set names Jupyter ends with, read from a cell's text: `%run`, `%store -r`, `%reset`,
`%%capture NAME`, `%sc`, cell magics with `--out`, written as lines, as IPython's calls, by their bare names or
inside `%time`. Each is said as where it is ('`%store` on line 3'), for the student's message.
"""
from __future__ import annotations

import ast
import bisect
import functools
import re
import shlex
from dataclasses import dataclass

from ..magics import (NOT_EXPANDED, SCRIPT_MAGICS, as_explicit, automagic, cleaned, crlf_as_lf, evaluated_argument,
                      ipython_lines, ipython_text, line_starts, magic_statement, magic_uses, makes_magic, naming_options,
                      options_refused, python_tree, scan_text, script_outputs, var_expanded)
from ..syntax import walk
from .name_patterns import Budget, may_find, read_pattern
from .magic_lines import timed_statement


# Magics that set names Jupyter ends with: %run -i, %reset, %store -r, %%capture NAME (an eighty-fourth review).
_NAMING_NAMES = ("run", "reset", "reset_selective", "store", "macro", "load", "rerun", "recall", "xdel", "sc",
                 # (they eval their argument where it is no history range, file or URL: review 430)
                 "save", "pastebin", "pycat", "loadpy",
                 # (given a breakpoint, `-b FILE:LINE`, it runs its statement or body to the end: review 432)
                 "debug",
                 # (a star import of numpy's and matplotlib's names, `c_` among them; autoreload's module bound by its
                 # name, and in its mode 3 the new names of every module it reloads, before each cell: review 433)
                 "pylab", "aimport", "autoreload")
_NAMING_MAGIC = re.compile(rf"%(?:{'|'.join(_NAMING_NAMES)})\b|%%capture\b|%%debug\b|"
                           # `%sc a_=echo x`, `%%bash --out a_` (a two-hundred-and-twenty-eighth review), the option
                           # looked for on the rest of the line once the magic is found (review 424: a lookahead
                           # here tried each shorter word of `%%aaa...`, the square of the line, 40 s a cell)
                           rf"%%(?!(?:{'|'.join(_NAMING_NAMES)})\b)\w++|"
                           # `%%!`, IPython's `%%sx`, which takes `--out` (review 428)
                           r"%%!")
# (any start of them, as `argparse` reads them: `--ou`, `--e`, review 425)
_OUTPUT_OPTION = re.compile(r"\s--(?:o(?:ut?)?|e(?:rr?)?|p(?:r(?:oc?)?)?)\b")
# Cell magics that run their body as a cell of IPython's: a body of one line may be a magic by its bare name
# (`%%time` then `reset -f`: review 425)
_BODY_RUNNER = re.compile(r"[ \t]*%%(?:time|timeit|prun|capture|debug)\b")
# More magics than this on one line are read as one that may set any name (review 424: each use's arguments are the
# rest of its line, and a line of thousands of them is the square of the line); a line has one or two.
_MOST_A_LINE = 8
# IPython splits a magic's arguments as `shlex` does, at these only (review 424: `-f\xa0zz` is one argument to it,
# an option IPython refuses, and two to `str.split`)
_SPACES = re.compile("[ \t\r\n]+")
# ... also inside another magic, which runs it, or assigned (`%time %run x.py`, `r = %run x.py`: a
# two-hundred-and-eleventh review set the five answers otherwise so, 10/10 as written, unflagged), to
# any target IPython assigns (`o.x = %run x.py`, a two-hundred-and-fourteenth), on a line that continues
# a bracket too (a two-hundred-and-fifteenth: `magic_uses`).
# The same written out as IPython's calls (`get_ipython().run_line_magic('run', '-i x.py')`), read
# as those magics since the two-hundred-and-sixth review; and `alias_magic` in any form, which makes
# a magic of another name run a statement (a two-hundred-and-eighth review set the five answers
# otherwise in Jupyter through `%t`, an alias of `%time`).
_CALLED = ("run", "reset", "reset_selective", "store", "macro", "load", "rerun", "recall", "xdel", "capture", "sc",
           "save", "pastebin", "pycat", "loadpy", "debug", "pylab", "aimport", "autoreload")
_NAMING_CALL = re.compile(rf"""\brun_(line|cell)_magic\(\s*(['"])({'|'.join(_CALLED)})\2(?:\s*,\s*(['"])(.*?)\4)?""")


# Magics that set names only while their line runs (restored, deleted): an assignment below them sets the name
# again (a fairness review, 268: `%store -r` above the answers cost all five).
_MOMENTARY = ("%store", "%reset", "%reset_selective", "%xdel",
              # (a star import, a module bound, once: a fairness review, 436, `%pylab inline` above the answers in
              # their cell cost all five)
              "%pylab", "%aimport", "%autoreload")


def _runs_through(magic: str, args: list[str]) -> bool | None:
    """Does this line of a `_MOMENTARY` magic surely run to its end, so that the line below runs too (True),
    surely stop the cell (False), or may do either (None: `%store -d x` raises where nothing is stored as `x`,
    `%store x` where `x` is undefined; read as any line that may raise)? IPython refuses options it does not
    know (review 272: `%reset -fq` above the answers stopped the cell in Jupyter, graded 10/10), `%reset_selective`
    a pattern `re` refuses (None where `name_patterns` does not read it: never compiled), and `%store -d` a line
    without a name (review 275)."""
    if magic == "%pylab":
        return _pylab_runs_through(" ".join(args))
    if magic == "%aimport":
        return None                                 # (raises where a module is missing)
    if magic == "%autoreload":
        # (its mode 3 sets names before each later cell, the answers' own line no settlement of them)
        hits = _pylab_or_autoreload(magic, " ".join(args))
        return False if hits is _REFUSED else None if hits is _ALL else True
    if options_refused(magic[1:], " ".join(args)):
        return False
    words = [a for a in args if not a.startswith("-")]
    letters = {c for a in args if a.startswith("-") for c in a[1:]}
    if magic == "%reset_selective" and words and read_pattern(words[-1]) is None:
        # (a pattern Python refuses stops the cell; the grader does not compile a student's pattern, which can take
        # it seconds for a line of `[\x01-\U0010ffff]`, review 423: a pattern it does not read may do either)
        return None
    if magic == "%store":                           # IPython's order: -d, -z, -r, no name, a name to save
        read = naming_options("store", " ".join(args))      # (as its parser reads quotes: `%store "-r"`)
        if read is None:
            return False
        letters, words = set(read[0]), str(read[1]).split()
        if "d" in letters:
            return None if words else False
        if not letters & {"z", "r"} and words:
            return None
    return True


FILLED_IN = "which IPython fills in or strips before the magic reads them"
_QUOTED = re.compile(r"""['"\\]""")
# ... read with IPython's own option parser, which strips quotes as the magic does (a fairness review, 301:
# `%reset_selective -f "^tmp"`, quoted as regular expressions often are, cost the five answers)
_PARSED = ("%reset", "%xdel", "%reset_selective", "%store",
           # (and those read as the Python they eval, after their own option parser: `save('relu', 0.97)`, a function
           # of the notebook's called below the answers, is `%save` where the notebook had no such function, and evals
           # nothing that sets a name; `%recall` evals its line as it is)
           "%save", "%pastebin", "%pycat", "%loadpy", "%recall", "%aimport",
           # (the script magics' lines by their own parser: `script_outputs`)
           *(f"%%{m}" for m in SCRIPT_MAGICS))


def _plain(magic: str, args: list[str]) -> bool:
    """Are these a magic's arguments as it reads them, once IPython has filled them in (`_expanded`): nothing it strips
    (quotes, a backslash) first, where the grader does not read them with IPython's parser?"""
    return magic in _PARSED or not any(_QUOTED.search(a) for a in args)


def _expanded(magic: str, args: list[str]) -> list[str] | None:
    """A magic's arguments as IPython fills them in before the magic reads them (`var_expanded`: `$$` is `$`, a `$`
    before no name stays); None where it evaluates a field (`{expr}`, `$name`: review 296, `%reset -f {''}` is a bare
    `%reset -f`). `%time`, `%timeit`, `%prun` and `%debug` take their line as it is."""
    if magic.lstrip("%") in NOT_EXPANDED:
        return args
    line = " ".join(args)
    filled = var_expanded(line)
    return None if filled is None else args if filled == line else _words(filled)


def magic_write(source: str, names=None, settled: int = 0, budget: Budget | None = None) -> str:
    """A magic that can set one of ``names`` (any name when None), as '`%run` on line 3'. `%%capture
    cap` or `%reset_selective -f xyz` set other names only (an eighty-eighth review: they had cost
    all ten points). ``settled``: the line of an assignment below which sets the names again, where it
    surely runs after every line above it (`_MOMENTARY` magics above it, on lines of their own, count not).
    ``budget``: the steps patterns may take, shared by the lines of a cell asked one by one (review 425)."""
    return _first_write(_uses(source), names, settled, Budget() if budget is None else budget)


def magic_writes(source: str, names, settled: dict[str, int]) -> dict[str, str]:
    """`magic_write` of each of ``names`` alone (with its own ``settled`` line), the cell's magics read once for all
    of them (review 423: each name asked had the whole cell read again, and each magic's line counted from the top:
    a cell of blank lines and `%time sc` lines, 106 s of the grader's time for two cells)."""
    uses, budget = _uses(source), Budget()
    return {n: _first_write(uses, [n], settled.get(n, 0), budget) for n in names}


def reload_hook(source: str) -> str:
    """A `%autoreload 3` (`complete`) of the cell, as '`%autoreload` on line 2' ('' for none): from then on, before each
    cell Jupyter runs, the names a changed module gained are bound in the notebook (review 433), the answers' cell and
    those below it too."""
    if "autoreload" not in source:
        return ""
    return next((f"`{u.magic}` on line {u.line}" for u in _uses(source) if u.magic == "%autoreload" and
                 (u.filled or u.hits is _ALL)), "")


def _first_write(uses: tuple[_Use, ...], names, settled: int, budget: Budget) -> str:
    for use in uses:
        if use.filled:
            return use.filled
        if use.momentary and use.line < settled:
            if use.through:
                continue
            if use.through is False:
                return f"`{use.magic}` on line {use.line} (IPython refuses that line and stops the cell there)"
        if use.hits is _BY_OBJECT:
            return (f"`{use.magic}` on line {use.line} (it deletes every name bound to the object it is given, an "
                    f"answer's True or False too; `%xdel -n NAME` deletes that name only)")
        if use.hits is _ALL or names is None and use.hits is not _NONE:
            hit = True
        elif isinstance(use.hits, frozenset):
            hit = not use.hits.isdisjoint(names)
        elif use.hits is _NONE:
            hit = False
        else:                               # `%reset_selective`'s pattern, read (`name_patterns`)
            hit = any(may_find(use.hits, n, budget) for n in names)
        if hit:
            return f"`{use.magic}` on line {use.line}"
    return ""


_ALL, _NONE, _BY_OBJECT = object(), object(), object()
_REFUSED = frozenset()          # (a line IPython refuses: it sets no name, and stops the cell)


@dataclass
class _Use:
    """A magic of the cell that may set names, read once for every name asked about: ``filled``, what it says of any
    name where IPython fills in its arguments; ``hits``, the names it sets (``_ALL``, ``_NONE``, ``_BY_OBJECT``, a
    set, or `%reset_selective`'s pattern read); ``momentary`` at its line's start (`_MOMENTARY`), where ``through``
    is read when asked."""
    line: int
    magic: str
    args: list[str]
    momentary: bool
    filled: str = ""
    hits: object = None

    @functools.cached_property
    def through(self) -> bool | None:
        return _runs_through(self.magic, self.args)


@functools.lru_cache(maxsize=16)
def _uses(source: str) -> tuple[_Use, ...]:
    """The cell's magics, kept for the next reader of the same cell (the answers' reading and the flags' each ask: a
    cell that names `_magic` is parsed for IPython's calls, some 20 ms at the length limit)."""
    source = cleaned(source)        # (prompts pasted in are stripped first, as IPython does: review 425's `>>> %reset
    #                                 -f`; the lines stay the student's)
    starts = line_starts(source)
    out = []
    for at, magic, args in _naming_magics(source, starts):
        line = bisect.bisect_right(starts, at)
        if args is None:
            why = f"more than {_MOST_A_LINE} magics on one line" if magic == _CROWDED else \
                "its arguments go on on the next line, or are computed"
            out.append(_Use(line, magic, [], False, f"`{magic}` on line {line} ({why}: read as any such magic)"))
            continue
        filled = _expanded(magic, args)
        use = _Use(line, magic, args if filled is None else filled, magic in _MOMENTARY and starts[line - 1] == at)
        if filled is None:
            # IPython fills in `{...}` and `$name` before the magic reads its arguments (review 296: `%reset -f {''}` is
            # a bare `%reset -f`): read as any such magic
            use.filled = f"`{magic}` on line {line} (its arguments hold `{{...}}` or `$name`, {FILLED_IN})"
        elif not _plain(magic, filled):
            # ... and strips quotes for a magic that splits its line as a shell does (`%%capture "a_"` sets `a_`)
            use.filled = f"`{magic}` on line {line} (its arguments hold quotes or a backslash, {FILLED_IN})"
        else:
            use.hits = _hits(magic, filled)
        out.append(use)
    return tuple(out)


def _hits(magic: str, args: list[str]) -> object:
    """The names a magic sets, as `_Use.hits` has them."""
    words = [a for a in args if not a.startswith("-")]
    if magic in ("%capture", "%alias_magic"):
        return _ALL                                 # `run_line_magic('capture', ...)`: no such line magic, a stop
    if magic == "%%capture":
        return frozenset(words[-1:]) if words else _NONE
    if magic == "%debug":
        # alone it opens the debugger on the last error, running nothing; with a statement (and a breakpoint, `-b
        # FILE:LINE`, which keeps the debugger from stopping) it runs that in the notebook (review 432); `%%debug`'s
        # body is read so, whatever its line
        return _ALL if args else _NONE
    if magic == "%xdel":
        # deletes every name of the object it is given, `True` is one; by name with `-n` (a fairness review, 295:
        # `%xdel test_model` below the answers cost all five, said as "can set any name"), read as IPython's parser
        # reads it (review 298: `%xdel t -n` deletes by object a name `'t -n'`)
        read = naming_options("xdel", " ".join(args))
        if read is not None and "n" in read[0]:
            return frozenset([read[1]]) if str(read[1]).isidentifier() else _ALL
        return _BY_OBJECT
    if magic == "%reset":
        # with targets (`out`, `in`, `dhist`, `array`) and without `-s` it clears histories and arrays only, no
        # answer (a fairness review, 295: `%reset -f out` cost all five)
        read = naming_options("reset", " ".join(args))
        return _ALL if read is None or not read[1] or "s" in read[0] else _NONE
    if magic in ("%save", "%pastebin", "%pycat", "%loadpy", "%recall", "%store") and \
            evaluated_argument(magic[1:], " ".join(args)):
        # (the argument, or `%store`'s EXPR before `>FILE`, is eval'ed in the notebook where it is no history range,
        # file or URL: a `:=` or a call there sets names, review 430)
        return _ALL
    if magic in ("%save", "%pastebin", "%pycat", "%loadpy", "%recall"):
        return _NONE                                # (`%recall 2` puts a line of the history in the next cell's place)
    if magic == "%store":                           # `%store a_` saves it; only `-r` sets names (a fairness review)
        # ... and with names only those (a fairness review, 387: `%store -r results` cost all five), split as
        # IPython's store splits them, at any space (review 425: a no-break space between the names), its options
        # read by its parser (a fairness review, 434: `%store ['answers'] = ...`, quotes, a line of Python where a
        # dict named `store` exists, is a `%store` that saves names at most)
        read = naming_options("store", " ".join(args))
        if read is None:
            return _ALL
        if "d" in read[0] or "z" in read[0] or "r" not in read[0]:
            return _NONE
        words = str(read[1]).split()
        return frozenset(words) if words else _ALL
    if magic in ("%pylab", "%aimport", "%autoreload"):
        return _pylab_or_autoreload(magic, " ".join(args))
    outputs = script_outputs(magic[2:], " ".join(args)) if magic.startswith("%%") else None
    if outputs is not None:                         # `%%bash --out shout` sets `shout` (a fairness review, 434)
        return outputs
    if magic == "%reset_selective":
        # the names `re.search` finds the pattern in, read without running it (review 423: `(.|.)*#` backtracked
        # for seconds on a long name, for each line)
        read = naming_options("reset_selective", " ".join(args))
        if read is None or not read[1]:
            return _ALL
        pattern = read_pattern(str(read[1]))
        return _ALL if pattern is None else pattern
    return _ALL


def _pylab_runs_through(line: str) -> bool | None:
    """Does a `%pylab` line surely run to its end: a backend that needs no GUI of its own (a GUI one, `qt`, `tk`,
    `widget`, raises where its toolkit is missing, an unknown name always)?"""
    try:
        from IPython.core.magic_arguments import parse_argstring
        from IPython.core.magics.pylab import PylabMagics
        gui = parse_argstring(PylabMagics.pylab, line).gui
    except BaseException:  # noqa: BLE001 - IPython refuses the line (the cell stops there), or is missing
        return False
    return True if gui in (None, "auto", "inline", "agg", "svg", "pdf", "ps") else None


# What `%pylab --no-import-all` binds (IPython's `pylabtools.import_pylab`)
_PYLAB_NAMES = frozenset({"numpy", "matplotlib", "pylab", "mlab", "pyplot", "np", "plt", "display", "figsize", "getfigs"})


def _pylab_or_autoreload(magic: str, line: str) -> object:
    """The names `%pylab` (all of numpy's and `matplotlib.pylab`'s, `c_` among them, whatever the notebook set on those
    modules, unless `--no-import-all`), `%aimport` (each module's top name; `-name` marks one skipped) or `%autoreload`
    (in mode 3, `complete`, every name a module it reloads gains, before each later cell) set: review 433, `%aimport
    a_, b_` of modules the notebook had put in `sys.modules`, and `%pylab inline`, 10/10 unflagged where Jupyter ended
    with those. Read by the magics' own parsers; where they refuse the line (IPython stops the cell) or are missing:
    any name."""
    try:
        from IPython.core.magic_arguments import parse_argstring
        from IPython.core.magics.pylab import PylabMagics
        from IPython.extensions.autoreload import AutoreloadMagics
    except Exception:  # noqa: BLE001 - without IPython: any name
        return _ALL
    try:
        if magic == "%pylab":
            return _PYLAB_NAMES if parse_argstring(PylabMagics.pylab, line).no_import_all else _ALL
        if magic == "%autoreload":
            # (IPython lowers the mode's case: review 435, `%autoreload COMPLETE`)
            return _ALL if parse_argstring(AutoreloadMagics.autoreload, line).mode.lower() in ("3", "complete") \
                else _NONE
    except BaseException:  # noqa: BLE001 - (argparse's SystemExit, IPython's UsageError): the line stops the cell
        return _REFUSED     # and sets nothing (a fairness review, 436: `%autoreload 2  # on` below was flagged)
    modules = [m.strip() for m in line.split(",")] if line.strip() else []
    return frozenset(m.split(".")[0] for m in modules if m and not m.startswith("-"))


_CROWDED = "%..."           # (a line of more magics than `_MOST_A_LINE`)
# Magics whose call with arguments the grader cannot read (computed) sets nothing: they show or write what they are
# given; a call of any other magic so is read as one that may set any name (review 428: IPython's calls of `%time`,
# `%prun` or `%%bash --out` ran or set names the grader had not read).
_INERT = frozenset({"matplotlib", "config", "pwd", "ls", "who", "whos", "writefile", "html", "markdown", "latex", "svg",
                    "javascript", "js", "load_ext", "env", "pip", "conda", "autosave", "precision"})
# How deep a magic's text read from another magic's or call's is followed (each a cell of its own to IPython).
_DEEPEST = 4
# The cell magics whose line IPython runs as code before the body: `%%timeit`'s setup, `%%prun`'s statement
_LINE_RUNNER = re.compile(r"[ \t]*%%(timeit|prun)\b(.*)")


def _output_option(rest: str) -> bool:
    """Does a cell magic's line name an output option (`--out`, `--err`, `--proc`, or any start of them, as `argparse`
    reads them), after IPython splits it as `shlex` does (review 426: `"--out"`, `--"err"`, `\\--out` are `--out`)?"""
    if "$" in rest or "{" in rest:
        return True                                 # (IPython fills these in first: `$o` may be `--out`, review 427)
    if not any(c in rest for c in "'\"\\"):
        return _OUTPUT_OPTION.search(rest) is not None
    lex = shlex.shlex(rest, posix=True)
    lex.whitespace_split, lex.commenters = True, ""
    try:
        words = list(lex)
    except ValueError:
        return True                                 # (IPython refuses it; read as one that may)
    return any(_OUTPUT_OPTION.search(" " + w) for w in words)


def _words(text: str) -> list[str]:
    """A magic's arguments as IPython splits them (at ASCII spaces, tabs and line breaks only)."""
    return [w for w in _SPACES.split(text) if w]


def _in_cell_magic_body(source: str) -> list[tuple[int, str, list[str] | None]]:
    """A magic by its bare name as the one line of the body of a cell magic that runs its body as a cell (`%%time`
    then `reset -f`, also under another such: IPython reads a cell of one line once more, for automagic). Lines as
    IPython splits the cell (review 426: `%%time` and `reset -f` apart by a form feed or a lone `\\r`)."""
    if "%%" not in source:
        return []
    lines = ipython_lines(source)
    k = 0
    while k < len(lines) and _BODY_RUNNER.match(lines[k][1]):
        k += 1
    if k == 0 or k == len(lines):
        return []
    name = automagic("\n".join(text for _, text in lines[k:]))
    return [(lines[k][0], "%" + name, _automagic_args(lines[k][1], name))] if name in _NAMING_NAMES else []


def _automagic_args(stmt: str, name: str) -> list[str] | None:
    """The arguments of a magic run by its bare name, from the line as IPython cleans it (review 426: `%time >>> store
    -r` read the prompt as the name and the name as an argument); None where the line does not start with the name."""
    words = _words(cleaned(stmt.strip()).strip())
    return words[1:] if words and words[0].lstrip("%") == name else None


def _calls_in_tree(source: str, starts: list[int], depth: int) -> list[tuple[int, str, list[str] | None]]:
    """IPython's calls of a magic that may set names, read from the cell's syntax tree: however the strings are
    written (review 424: `'re\\x73et_selective'`, `r'reset'`, `'-f zz' '|[a-e]_'`, a space before the bracket, which
    the text's pattern `_NAMING_CALL` did not read). Arguments that are not one string are not known (None). A call
    of any other magic is read as the magic's text (review 428: `run_line_magic('time', 'reset -f')`,
    `run_cell_magic('bash', '--out a_', 'echo hi')`), computed arguments as may set any name (`_INERT` aside)."""
    try:
        tree = ast.parse(crlf_as_lf(source))    # (as written: `python_tree` reads such calls as the magics' lines)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = python_tree(source)
    out: list[tuple[int, str, list[str] | None]] = []
    for node in walk(tree) if tree is not None else ():
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "run_line_magic", "run_cell_magic") and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        name = node.args[0].value
        if not isinstance(name, str):
            continue
        at = starts[min(node.lineno, len(starts)) - 1]
        line = node.func.attr == "run_line_magic"
        texts = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args[1:3]]
        texts += [""] * (2 - len(texts))
        if name in _CALLED:
            out.append((at, ("%" if line else "%%") + name, _words(texts[0]) if texts[0] is not None else None))
        elif None in texts[:1 if line else 2]:
            if name not in _INERT:
                out.append((at, ("%" if line else "%%") + name, None))
        elif depth < _DEEPEST:
            text = f"%{name} {texts[0]}" if line else f"%%{name} {texts[0]}\n{texts[1]}"
            out += [(at, magic, args) for _, magic, args in _naming_magics(text, line_starts(text), depth + 1)]
        else:
            out.append((at, ("%" if line else "%%") + name, None))
    return out


def _cell_line_code(source: str, depth: int) -> list[tuple[int, str, list[str] | None]]:
    """The magics of the code a `%%timeit` or `%%prun` line runs before the body (`%%timeit -n1 -r1 reset -f`: the
    setup, which IPython transforms as a cell of one line, so a bare magic name runs as the magic: review 428)."""
    if "%%" not in source:
        return []
    lines = ipython_lines(source)
    m = _LINE_RUNNER.match(lines[0][1]) if lines else None
    code = magic_statement(m.group(1), m.group(2)) if m is not None else None
    if not code or not code.strip():
        return []
    if depth >= _DEEPEST:
        return [(lines[0][0], f"%%{m.group(1)}", None)]
    text = as_explicit(code) if m.group(1) == "timeit" else code
    return [(lines[0][0], magic, args) for _, magic, args in _naming_magics(text, line_starts(text), depth + 1)]


def _naming_magics(source: str, starts: list[int], depth: int = 0) -> list[tuple[int, str, list[str] | None]]:
    """(offset, magic, arguments) of each magic of `_NAMING_MAGIC` in the cell, as a line or a call. ``starts``: where
    each line starts (`line_starts`; review 423: each line's place counted from the top, the square of the lines).
    ``depth``: how many magics' or calls' texts this text is inside (`_DEEPEST`)."""

    def line_offset(line: int) -> int:
        return starts[line] if line < len(starts) else len(source)

    found: list[tuple[int, str, list[str] | None]] = []
    on_line: dict[int, int] = {}
    for at, m in magic_uses(source, _NAMING_MAGIC):
        start = at - m.start()                  # (the line's, as `magic_uses` splits the cell)
        on_line[start] = on_line.get(start, 0) + 1
        if on_line[start] > _MOST_A_LINE:
            if on_line[start] == _MOST_A_LINE + 1:
                found.append((start, _CROWDED, None))
            continue
        rest = m.string[m.end():]
        if m.group().startswith("%%") and m.group() not in ("%%capture", "%%debug") and not _output_option(rest):
            continue
        # (a line that ends in a backslash goes on on the next one, as IPython joins them: review 424, a pattern's
        # second half on the next line deleted the answers; read as arguments not known)
        found.append((at, m.group(), None if rest.rstrip().endswith("\\") else _words(rest)))
    if "_magic" in source:
        found += [(m.start(), ("%" if m.group(1) == "line" else "%%") + m.group(3), _words(m.group(5) or ""))
                  for m in _NAMING_CALL.finditer(source)]
        found += _calls_in_tree(source, starts, depth)
    turned = ipython_text(source)               # `,get_ipython().run_line_magic reset -f` (review 218)
    if "_magic" in turned:
        found += [(line_offset(turned.count("\n", 0, m.start())), ("%" if m.group(1) == "line" else "%%")
                   + m.group(3), _words(m.group(5) or "")) for m in _NAMING_CALL.finditer(turned)]
    if "%" in source:               # `%time run x.py` runs `%run` (automagic: a two-hundred-and-forty-eighth review)
        for i, line in enumerate(cleaned(source).split("\n")):
            stmt = timed_statement(line) if "%" in line else None
            for _ in range(_DEEPEST):       # `%time %prun -s x reset -f` (review 428)
                inner = timed_statement(stmt) if stmt and stmt.startswith("%") else None
                if inner is None:
                    break
                stmt = inner
            name = automagic(stmt) if stmt else None
            if name in _NAMING_NAMES:
                found.append((line_offset(i), "%" + name, _automagic_args(stmt, name)))
    found += _in_cell_magic_body(source)
    found += _cell_line_code(source, depth)
    named = scan_text(source)       # `IPython.ｃore` is `IPython.core` (a 225th review); no comments
    made = makes_magic(named)       # an alias made (`x = %alias_magic t time`) runs what it stands for
    if made is not None and "alias_magic" in made.group():
        found.append((line_offset(named.count("\n", 0, made.start())), made.group(), []))
    return sorted(found, key=lambda f: f[0])

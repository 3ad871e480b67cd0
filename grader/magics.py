"""IPython's magics in a graded cell, read as Jupyter runs them.

Jupyter runs `%matplotlib inline`, `%%time` or `!pip list` without complaint; plain Python calls
them a SyntaxError, and the cell would lose every point. Line numbers are kept, so an error still
names the student's line. (No heavy imports: the fork engine uses this before a student's
`grader check` has loaded the notebook libraries.)
"""
from __future__ import annotations

import ast
import builtins
import functools
import io
import keyword
import os
import posixpath
import re
import tokenize
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from .syntax import bound_by, child_nodes, walk, unparsed

_LINE_MAGIC = re.compile(r"^(\s*)(?:%(?!%)|!)(\w*)\s*(.*)$")
# `files = !ls`, `t = %timeit -o f()`: IPython assigns the magic's result (an eighty-fourth review:
# such a line in the answers cell read as a syntax error and cost all five answers), to any target
# (`o.x = %run ...`, `d[k] = %time ...`: see `assigned_magic`).
_MAYBE_ASSIGNED = re.compile(r"=[ \t\f]*[%!]")
_ESCAPES = {"!", "%", ",", "/", ";", "?"}              # what starts IPython's escaped lines
# IPython's help syntax (`nn.Linear?`, `?nn.ReLU`, `model??`, `torch.*rand*?`, even `x = f?`): Jupyter
# shows the help and runs the rest of the cell; Python read it as a syntax error that cost the cell.
# (the indentation taken whole, `\s*+`: given back a space at a time to the part after it, a line of 40,000 spaces
# took 39 s, holding the grader's interpreter while its neighbours' jobs ran out of time: review 337)
_HELP_LINE = re.compile(r"^(\s*+)(?:\?\??.*\S|[^#'\"\n]*[\w\])*]\?\??)\s*$")
# Cell magics whose body runs as the cell's own code; %%timeit runs it inside a function (its
# names are that function's, a forty-seventh review graded classes Jupyter never defined), and
# %%debug waits at a debugger prompt, running nothing on its own (but given a breakpoint, `-b FILE:LINE`, it runs
# the body to its end: flagged `exec:` in a graded cell, read as may set any name beside the answers, review 432).
_BODY_RUNS = {"time", "capture", "prun"}
_IN_A_FUNCTION = {"timeit"}
_STATEMENT_RUNS = {"time", "prun"}                             # line magics that run their argument
# Characters IPython may tokenise for one cell (its length times one pass per magic, about 15 ms): a
# notebook of 500 such cells costs seconds, not hours.
IPYTHON_BUDGET = 20_000


# Pasted prompts ('>>> ', '... ', 'In [3]: ') and an indented first line, which IPython strips
# before it runs a cell.
# IPython's own prompt pattern: `In [3]: ` (after `[ins] ` or `[nav] ` in vi mode) and three or more
# dots (`   ....: ` read as code in a string: a hundred-and-eighty-seventh review).
# (the space before dots within the line, `[^\S\n]*`: a space that is a line break let each line's try run over all the
# blank lines below it, 18 s for 40,000 of them: review 337)
_PROMPTS = re.compile(r"^(?:>>>|\.\.\.|(?:(?:\[nav\]|\[ins\])?\s)?In \[\d+\]:|[^\S\n]*\.{3,}:)", re.M)


def assigned_magic(line: str) -> int | None:
    """Where the magic (`%`) or shell command (`!`) starts that IPython runs on this line and assigns
    to what stands before the line's first `=` outside brackets, whatever that is (`o.x = %run f.py`,
    `d[0] = %reset -f`, `[o] = !ls`), as IPython's MagicAssign and SystemAssign find it; None: no such
    line. A two-hundred-and-fourteenth review: only plain names were read as targets, so `o.x = %run
    -i flip.py` set the five answers otherwise in Jupyter, graded as written and unflagged, and an
    honest `t['sum'] = %time f()` read as a syntax error that cost the cell."""
    if _MAYBE_ASSIGNED.search(line) is None:
        return None
    depth, first = 0, True
    tokens = tokenize.generate_tokens(io.StringIO(line).readline)
    try:
        for tok in tokens:
            if first and tok.type not in (tokenize.INDENT, tokenize.DEDENT):
                first = False
                if tok.string in _ESCAPES:
                    return None             # `%time x = %pwd`: the line's own magic comes first (IPython's order)
            if tok.string == "=" and depth == 0:
                break
            if tok.string in ("(", "[", "{"):
                depth += 1
            elif tok.string in (")", "]", "}") and depth > 0:
                depth -= 1
        else:
            return None
        nxt = next(tokens, None)
        if nxt is not None and nxt.string == "%":
            name = next(tokens, None)
            return nxt.start[1] if name is not None and name.type == tokenize.NAME and nxt.start[0] == 1 else None
        if line.lstrip().startswith("="):
            return None
        while nxt is not None and (nxt.string == "!" or nxt.type == tokenize.ERRORTOKEN):
            if nxt.string == "!":
                return nxt.start[1] if nxt.start[0] == 1 else None
            if not nxt.string.isspace():
                return None
            nxt = next(tokens, None)
    except (tokenize.TokenError, SyntaxError, ValueError):   # IPython reads the tokens up to such an error
        return None
    return None


def _assigned(line: str) -> tuple[str, str, int] | None:
    """(indent, targets, where the magic starts) of a line of `assigned_magic`."""
    start = assigned_magic(line)
    if start is None:
        return None
    lhs = line[:start].rstrip()[:-1]
    return lhs[:len(lhs) - len(lhs.lstrip())], lhs.strip(), start


def _plain_targets(targets: str) -> bool:
    """Targets the line-by-line reading can bind (`x`, `a, b`, `o.x`, `d['k']`, `[o]`): not statements
    before them (`print(x); y`) or an annotation (`x: int`), which IPython's own reader turns."""
    try:
        body = ast.parse(f"{targets} = None").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return len(body) == 1 and isinstance(body[0], ast.Assign) and len(body[0].targets) == 1


# IPython's line breaks (`str.splitlines`'), for the scans that look for a magic on any line it reads.
_IPYTHON_LINE = re.compile("[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")


def ipython_lines(source: str) -> list[tuple[int, str]]:
    """(offset, text) of each line of the cell that is not blank, split where IPython splits a cell (at any of
    `str.splitlines`' breaks: a form feed or a lone `\\r` ends a line for it, review 426)."""
    return [(m.start(), m.group()) for m in _IPYTHON_LINE.finditer(source) if m.group().strip()]


def magic_uses(source: str, magic: re.Pattern) -> list[tuple[int, re.Match]]:
    """(offset, match) of each use of a magic of ``magic`` (a pattern of `%name`) that IPython may
    run: from the first `%` on a line that starts a magic there, after its indent or after an `=`
    (`%time %run x.py`, `o.x = %run x.py`, `print(1\n!= 2); y = %run x.py`, where IPython's logical
    line began a line before: a two-hundred-and-fifteenth review). Lines as IPython splits the cell,
    so a line of a string or a comment may be listed too: what reads this flags, it never grades.
    One pass over each line, whatever it holds."""
    if "%" not in source:
        return []
    found = []
    for m in _IPYTHON_LINE.finditer(source):
        line = m.group()
        if "%" not in line:
            continue
        body = line.lstrip()
        starts = [len(line) - len(body)] if body[:1] == "%" else []
        starts += [a.end() - 1 for a in _MAYBE_ASSIGNED.finditer(line) if line[a.end() - 1] == "%"]
        if starts:
            found += [(m.start() + use.start(), use) for use in magic.finditer(line, min(starts))]
    return found


def cleaned(source: str) -> str:
    """The cell as IPython cleans it before anything else: prompts stripped, the first code line's
    indent removed from every line that starts with it (a seventy-second review: '... [a_] = [False]'
    is a subscript of Ellipsis to Python and an assignment to Jupyter, which strips the prompt).
    Blank lines above do not hide that indent (a hundred-and-sixty-sixth review: a blank first line,
    then a comment indented ' \t\t', took three lines out of a provided cell's loop in Jupyter while
    Python read the template's program); they are kept as empty lines, so line numbers stay the
    student's. IPython is imported only for such a cell."""
    lines = source.splitlines(keepends=True)          # as IPython splits a cell
    blank = next((i for i, ln in enumerate(lines) if ln and not ln.isspace()), len(lines))
    first = lines[blank] if blank < len(lines) else ""
    if not (_PROMPTS.search(source) or first[:1] in (" ", "\t")):
        return source
    manager = _ipython()
    if manager is None:
        return source
    try:
        rest = lines[blank:]
        for clean in manager.cleanup_transforms:
            rest = clean(rest)
        return "\n" * blank + "".join(rest)
    except Exception:  # noqa: BLE001 - a cell IPython cannot read: as it is
        return source


def _ipython():
    """IPython's own reader of cells (None without IPython), imported only when a cell needs it."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except Exception:  # noqa: BLE001 - any failure of an optional import
        return None
    return TransformerManager()


# A ``%%timeit`` inside a ``%%timeit`` is read this deep; deeper, the
# cell stays as it is. Each level wraps the body in a function of its own: 3,000 nested ``%%timeit``
# lines recursed past Python's limit in the grader's own process (an eighty-ninth review).
NESTED_CELL_MAGICS = 4


@functools.lru_cache(maxsize=64)
def without_magics(source: str) -> str:
    """The cell as plain Python when it only fails to parse because of IPython magics (else as it
    is): a cell magic whose body is Python loses its first line, any other (``%%bash``) runs
    nothing; ``%time stmt`` runs ``stmt``; other line magics, ``!shell`` and ``name?`` lines do nothing.
    Prompts pasted into the cell are stripped first, as IPython strips them. Windows line ends are
    one break to IPython as to Python (read through IPython's own reader, a cell lost its comments and
    its lines moved: a fairness review)."""
    return _without_magics(crlf_as_lf(source), 0, block=False)


def python_tree(source: str) -> ast.Module | None:
    """The cell's syntax tree as Jupyter runs it (``without_magics``), or None where it has none: a
    syntax error, a null byte, nesting deeper than the parser goes. One reading for every reader of
    a cell (the flags, the answers, the engine's note on a time-out); a student's cell never stops
    the grader. Loads no notebook library: the engine uses it before its workers start."""
    try:
        return ast.parse(without_magics(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def crlf_as_lf(source: str) -> str:
    """Windows line ends, and a lone "\r", as "\n": one break to IPython, which splits its lines there, and to Python,
    which reads them as "\n" (review 445: `#\r%nosuchmagic` was one comment line to the grader, a refused magic line
    that stopped the cell to Jupyter)."""
    if "\r" in source:
        return source.replace("\r\n", "\n").replace("\r", "\n")
    return source


def _without_magics(source: str, depth: int, block: bool = True) -> str:
    """``block``: the text may stand in a function's or a class's body (a magic nested in another, or written out as a
    call, may), where `%prun` and `%time` run their statements elsewhere than in its place (`_statement_of`)."""
    if depth > 0:
        source = _as_one_line_runs(source)
    if _OTHER_BREAKS.search(source):
        # IPython reads its own lines even in a cell Python can parse: a comment that ends at one of
        # these breaks for IPython starts a magic line that ends at "\n", and what Python read as the
        # rest of the comment ran as code in Jupyter (a hundred-and-seventy-fourth review: edits of
        # provided and locked cells kept 10/10, unflagged). Too long to ask IPython: not read where IPython turns a
        # line (`breaks_unread`); where it turns none, as Python reads it once IPython has cleaned it (its pasted
        # prompts and first line's indent stripped: review 444, `In [1]: a_ = False` read as an annotation, 10/10)
        if breaks_unread(source):
            return source
        return cleaned(source) if not within_budget(source) else _as_ipython_runs(source, depth)
    source = unaliased(cleaned(source))
    if _parses(source):
        return _explicit_calls(source, depth) if "get_ipython" in source else source
    lines = source.split("\n")
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    magic = _cell_magic(lines[first]) if first is not None else None
    if magic is not None:
        text = _cell_magic_runs(lines, first, *magic, depth)
        return source if text is None else text
    # Only lines IPython itself reads as magics: one inside a string ('!"""' in a note) is text to
    # Jupyter, and reading it as a magic traded code and string text (a seventieth review). IPython
    # reads the whole cell again for each magic it turns (1,000 `x = !ls` lines took 15 s, on the
    # grader's thread that reads every notebook: an eighty-eighth review): beyond a few dozen, every
    # such line is read as the magic it looks like.
    asked = _within_budget(source, lines)
    kept = _ipython_keeps(source, len(lines)) if asked else set()
    if kept is None:
        # IPython joins or splits lines here (a magic or help line ending in "\\" takes the next line
        # as its text: a hundred-and-eighty-sixth review hid `optimizer.step()` of the locked train-fn
        # behind `?x # \\`): read it as IPython's own reader turns it into Python.
        return _as_ipython_runs(source, depth)
    out: list[str] = []
    escaped: list[int] = []             # (the lines read as IPython's escapes, by guess)
    # Past the budget, only a line a logical line starts at is read as a magic, shell, help or escaped line, as IPython
    # reads them: one inside a call's brackets is code (a fairness review, 436: `, lr=lr` read as the call `("lr=lr")`
    # and `!= 0):` as a shell line, the graded `train_and_test` 0/20); all of them where IPython cannot say
    read = None if asked else logical_lines(source)
    if read is not None and not read.settled:
        return source                       # (IPython may group the lines otherwise than read: not read by guess)
    joined_to = -1
    for i, ln in enumerate(lines):
        if i <= joined_to:
            out.append("")                  # (taken into the turned line above it by its `\`)
            continue
        if read is not None:
            if i not in read.starts:
                out.append(ln)
                continue
            if i in read.joins:
                joined_to, ln = read.joins[i]
            if i in read.helps:
                out.append(ln[:len(ln) - len(ln.lstrip(" \t\f"))] + "pass")
                continue
            if i not in read.escapes and i not in read.assigned:
                out.append(ln)
                continue
        if i not in kept and _no_such_magic(ln):
            out.append(ln)          # IPython stops the cell there (UsageError): the student's error stands
            continue
        m = _LINE_MAGIC.match(ln) if read is None or i in read.escapes else None
        assigned = _assigned(ln) if i not in kept and (read is None or i in read.assigned) else None
        helped = _HELP_LINE.match(ln) if i not in kept and m is None and read is None else None
        if assigned is not None and not _plain_targets(assigned[1]):
            return _as_ipython_runs(source, depth)          # `print(x); y = %pwd`: as IPython turns it
        if assigned is not None:
            text = _assigned_runs(assigned[1], ln[assigned[2]:], depth)
            out.append(ln if text is None else assigned[0] + text)
        elif helped is not None:
            out.append(helped.group(1) + "pass")
        elif m is None and i not in kept and asked and _ipython() is not None:
            # IPython turns a line this reading keeps as it is: a magic assigned on a line that
            # continues a bracket (`print(a_,\n , b_); here = %pwd`, read as a syntax error that cost
            # the five answers: a two-hundred-and-fifteenth review). As IPython's own reader turns it.
            return _as_ipython_runs(source, depth)
        elif m is None and i not in kept and not asked and _ESCAPED.match(ln):
            if read is None:
                escaped.append(len(out))
            out.append(_escaped_call(ln))
        elif m is None or i in kept:
            out.append(ln)
        elif ln.lstrip().startswith("%") and m.group(2) in _IN_A_FUNCTION and m.group(3):
            # (options IPython refuses: run as nothing, as any refused magic line is, and flagged where it stops the
            # cell; kept as written, it made the whole cell a syntax error: `%timeit -z f()` at the end of
            # `train-and-test` cost 20 points where Jupyter defined the function first, review 488)
            # ... but in a block (a function's body: review 489) the line raises where it runs, as in Jupyter
            timed = _timed_line(m.group(3), m.group(1))
            out.append(m.group(1) + ((_REFUSED_IN_A_BLOCK if m.group(1) else "pass") if timed is None else timed))
        elif ln.lstrip().startswith("%") and m.group(2) == "env" and "{" not in ln and "$" not in ln:
            out.append(m.group(1) + _env(m.group(3))[0])        # `%env CUBLAS_WORKSPACE_CONFIG=:4096:8`
        elif ln.lstrip().startswith("%") and m.group(2) in _STATEMENT_RUNS and m.group(3):
            statement = _statement_of(m.group(2), m.group(3), in_block=bool(m.group(1)) or block)
            if statement is not None and depth < NESTED_CELL_MAGICS:
                # `%time %time f()`: a magic again; `%time In [1]: a_ = False`: a prompt IPython strips
                # (a two-hundred-and-twenty-sixth review: Python read an annotation there)
                inner = _without_magics(statement, depth + 1, block=bool(m.group(1)) or block)
                statement = inner if "\n" not in inner else statement
            out.append(m.group(1) + ((_REFUSED_IN_A_BLOCK if m.group(1) else "pass") if statement is None else statement))
        else:
            out.append(m.group(1) + "pass")
    # (a line that starts with `,` `;` or `/` inside brackets is no escape to IPython, `, momentum=0.9` in a call
    # written with leading commas: where the cell reads as Python only with them as written, so)
    turned = set(escaped)               # (once: review 435 had it made again for each line, 250 s for 19 cells)
    kept_as_written = [lines[k] if k in turned else ln for k, ln in enumerate(out)] if escaped else None
    for text in ("\n".join(out), *(("\n".join(kept_as_written),) if escaped else ())):
        try:
            ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        # (IPython's calls the student wrote out beside magic lines are the magics they are, as in a cell of Python
        # alone: a fairness review, 447, `get_ipython().run_line_magic('load_ext', 'autoreload')` above `%autoreload 2`
        # read as a runner that may set any name, the five answers lost); not where IPython wrote a call of an escaped
        # line (`,get_ipython().run_line_magic reset -f`: a call the student's text does not name, read as a runner)
        if "get_ipython" in text and not any(_ESCAPED.match(ln) for ln in lines):
            return _explicit_calls(text, depth)
        return text
    return source                           # not (only) magics: the student's error stands as it is


_MAGIC_NAME = re.compile(r"\w+")


def _no_such_magic(line: str) -> bool:
    """A `%` line whose name, read as IPython reads it (up to the first space), names no magic:
    `%time\tx = 1` or `%time(x)` stop the cell in Jupyter, and the grader ran the statement (a
    hundred-and-ninety-third review)."""
    assigned = _assigned(line)
    rest = line[assigned[2]:] if assigned else line.lstrip()
    if not rest.startswith("%") or rest.startswith("%%"):
        return False
    return line_magic_name(rest[1:]) is None


def line_magic_name(content: str) -> str | None:
    name = content.rstrip().partition(" ")[0]
    return name if _MAGIC_NAME.fullmatch(name) else None


def unaliased(source: str) -> str:
    """The cell with each use of a line magic alias that it made itself (`%alias_magic t time`, then
    `%t a_ = False`) written as the magic it stands for, its parameters first, as IPython calls it.
    A two-hundred-and-eighth review: the alias was read as a magic that runs nothing, and Jupyter
    set the five answers otherwise and ran an `exec` and imports the flags never saw. An alias made
    in another cell is that cell's code (see the README)."""
    if "alias_magic" not in source:
        return source
    aliases: dict[str, tuple[str, str]] = {}        # name -> (target, parameters)
    out = []
    for ln in source.split("\n"):
        assigned = _assigned(ln)
        start = assigned[2] if assigned else len(ln) - len(ln.lstrip())
        rest = ln[start:]
        name = line_magic_name(rest[1:]) if rest.startswith("%") and not rest.startswith("%%") else None
        if name is not None and name in aliases:
            target = _alias_target(aliases, name)
            if target is not None:
                rest = "%" + target[0] + target[1] + rest[1 + len(name):]
                ln, name = ln[:start] + rest, target[0]
        made = _ALIAS_MADE.search(rest) if name is not None else None
        if made is not None:            # `%alias_magic ...`, `x = %alias_magic ...`, `%time %alias_magic ...`
            aliases.update(_aliases_made(made.group(1), aliases))
        out.append(ln)
    return "\n".join(out)


_ALIAS_MADE = re.compile(r"%alias_magic\b(.*)$")
# What makes magics of the cell's own, so that a later magic line runs the student's function, not the
# magic the grader reads (a two-hundred-and-twenty-second review: `@register_line_magic def time(line):
# pass`, then `%time a_, ... = ...`, graded the answers the line sets, set nowhere in Jupyter). In any
# form, as text: an alias (read as what it stands for where the grader finds it), a registration, an
# extension loaded.
MAKES_MAGICS = re.compile(r"alias_magic|register_(?:line_|cell_|line_cell_)?magics?\b|register_magic_function|"
                          r"magics_manager|define_magic|IPython\.core\.magic\b|"
                          r"load_extension\b(?!\(['\"](?:IPython\.extensions\.)?(?:autoreload|storemagic)['\"]\))|"
                          # IPython's own `autoreload` extension is always IPython's (a fairness review: `%load_ext
                          # autoreload` had cost the five answers); any other could be a module the notebook wrote
                          r"(?:load|reload)_ext\b(?!(?: |['\"][ \t]*,[ \t]*['\"])(?:IPython\.extensions\.)?(?:autoreload|storemagic)(?:[ \t]*(?:$|[\r\n])|['\"]))|"
                          r"Magics\b|magics_class|"
                          # an alias IPython runs in place of a one-line cell that starts with its name (review 325:
                          # `%alias a_ true` above `a_: bool = True; b_: bool = False; ...`, which then set nothing)
                          r"alias_manager|define_alias|soft_define_alias|"
                          # ... made of the shell's PATH (review 327: `%rehashx` made an alias of every program on it),
                          # a macro made through IPython's calls (`%alias name cmd` is read where the answers cell
                          # names it: `answers._aliased`)
                          r"run_line_magic\(\s*['\"](?:rehashx|macro)['\"]|rehashx|define_macro|"
                          # ... or an alias taken away (review 441: `%unalias ls`, then `%ls` stops the cell)
                          r"\bunalias\b")
# What reaches IPython's shell past `get_ipython`: its class, its hooks that
# change what later lines and cells run (transformers, events), the kernel application that holds
# it, or any object found by walking the heap (a two-hundred-and-twenty-fourth review appended to
# `InteractiveShell.instance().input_transformers_post`, so Jupyter ran its own `%time a_, ... = ...`
# as nothing while the grader graded the line). In any form, as text; counted like a magic made.
REACHES_SHELL = re.compile(r"InteractiveShell|transformers?_(?:post|cleanup|manager)\b|ast_transformers|"
                           r"transform_(?:cell|ast)\b|prefilter_manager|events\.(?:register|callbacks|trigger)\b|"
                           r"IPython\.core\b|from[ \t]+IPython[ \t]+import[^\n]*\bcore\b|"
                           # ... code run through the shell, which no scan of the cell reads (review 329: `get_ipython().
                           # run_cell('from __fu' + 'ture__ import barry_as_FLUFL')`), and its events held by a name
                           r"\.run_cell(?:_magic)?\b|get_ipython\(\)\.events\b|"
                           # a hook of Python's own on every statement IPython runs (review 325: an audit hook that
                           # raised at the first statement naming `a_`, so the right answers below never ran)
                           r"addaudithook|"
                           # ... and the features the shell's compiler keeps (review 327: `get_ipython().compile.
                           # flags |= ...barry_as_FLUFL...` above, and `!=` in the answers cell was refused)
                           r"\bcompile\.flags\b|"
                           # ... also the compiler given a name first (review 416: `cc = get_ipython().compile`)
                           r"\.compile\b(?![ \t]*\()|"
                           r"ipykernel|IPKernelApp|SingletonConfigurable|traitlets|__subclasses__|"
                           r"\bgc\.get_(?:objects|referrers|referents)\b|\bfrom\s+gc\s+import\b")
# Words every match of the two patterns above holds: a pattern of many alternatives is tried at every
# offset of a cell (0.3 ms for 2 KB, each graded cell of each notebook), `in` finds these in microseconds.
_MAKES_HINTS = ("magic", "Magic", "_ext", "alias", "rehashx", "macro")
_SHELL_HINTS = ("Shell", "transformer", "transform_c", "transform_a", "prefilter", "events", "IPython", "ipykernel", "IPKernel", "Singleton",
                "run_cell",
                "traitlets", "__subclasses__", "gc", "audithook", "flags", ".compile")


def makes_magic(text: str) -> re.Match | None:
    """The first sign in ``text`` of a magic the cell makes itself (`MAKES_MAGICS`)."""
    return MAKES_MAGICS.search(text) if any(h in text for h in _MAKES_HINTS) else None


def reaches_shell(text: str) -> re.Match | None:
    """The first sign in ``text`` of IPython's shell reached past `get_ipython` (`REACHES_SHELL`)."""
    return REACHES_SHELL.search(text) if any(h in text for h in _SHELL_HINTS) else None


# A magic line (after an assignment's `=` or another magic too: `%time %run x.py` runs it) of a magic
# that runs code the cell does not hold: a file's, the history's, a macro's.
_RUNS_OTHER_CODE = re.compile(r"%(?:run|load|loadpy|rerun|recall|rep|macro)\b|"
                              # `%debug -b FILE:LINE stmt` runs stmt to its end, `%%debug -b ...` its body (review 432)
                              r"%debug\b(?=[ \t]+-)")
# ... and the same written out as IPython's call, which the grader reads as that magic (runs nothing).
_CALLS_OTHER_CODE = re.compile(r"""\brun_line_magic\(\s*(['"])(run|load|loadpy|rerun|recall|rep|macro)\1""")


def as_python_reads(source: str) -> str:
    """The cell's text with its letters as Python reads them in names (NFKC: a two-hundred-and-
    twenty-fifth review wrote `IPython.ｃore` and `ＩnteractiveShell`, which Python imports and calls
    as the plain names, past a scan of the text for them). Strings change too, which only makes a scan
    for names find more."""
    return source if source.isascii() else unicodedata.normalize("NFKC", source)


# IPython's aliases of shell commands (POSIX): magics too, run by their bare name as any magic is.
_SHELL_ALIASES = frozenset({"cat", "clear", "cp", "ldir", "less", "lf", "lk", "ll", "ls", "lx", "man", "mkdir",
                            "more", "mv", "rm", "rmdir"})
# Line magics a kernel has besides IPython's own classes: the aliases IPython registers (`%hist`, `%ed`,
# `%rep`), ipykernel's, and autoreload's once loaded (a two-hundred-and-thirty-ninth review: `%time hist;
# a_ = True; ...` ran `%hist` in Jupyter and set nothing).
_MORE_MAGICS = frozenset({"hist", "ed", "rep", "connect_info", "qtconsole", "autosave", "edit", "clear", "less",
                          "more", "man", "aimport", "autoreload",
                          # IPython loads its storemagic extension in every kernel (`default_extensions`): `store -r`
                          # alone in a cell sets the names stored (a two-hundred-and-forty-eighth review); ipykernel 7's
                          "store", "subshell"})


def automagic(source: str) -> str | None:
    """The magic a cell of one line runs by its bare name, None for none. IPython reads a cell of
    one line once more before it runs it, and a line that starts with a magic's name, followed by
    anything but `=` or `,`, runs as that magic (automagic: a two-hundred-and-twenty-fifth review's
    `pwd - 1; a_ = True; ...; note = "{get_ipython().user_ns.update(...)}"` ran `%pwd`, set the five
    answers otherwise while filling in its braces, and none of its assignments). A name the notebook
    defined in an earlier cell would be called instead; that is not known here, so such a line counts."""
    lines = [ln for ln in cleaned(source).splitlines() if ln.strip()]
    if len(lines) != 1:
        return None
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        from IPython.core.splitinput import LineInfo
    except Exception:  # noqa: BLE001 - without IPython, no automagic
        return None
    # IPython reads a cell so only where the cell, cleaned as it cleans it, is one line: a blank line below
    # it, a form feed or a line separator make two, and the cell runs as Python (a two-hundred-and-fifty-
    # first review: `pwd if 0 else 0; a_, ... = ...` and a blank line, 0/10 where Jupyter set all five).
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if len(TransformerManager().transform_cell(source).splitlines()) != 1:
                return None
    except Exception:  # noqa: BLE001 - a cell IPython cannot transform runs not at all: read as the magic
        pass
    try:
        info = LineInfo(lines[0])
    except Exception:  # noqa: BLE001 - a line IPython's splitter cannot split: no magic either
        return None
    name = info.ifun
    if info.esc or not name or keyword.iskeyword(name) or hasattr(builtins, name) or info.the_rest[:1] in ("=", ","):
        return None
    return name if kernel_has_magic(name) else None


# A line that loads autoreload, as IPython reads it: at the cell's top level (a line in a block may not run: review
# 446's `if False:`), its name alone after one space (IPython passes the rest of the line whole: `%load_ext  autoreload`
# and `%load_ext autoreload  # dev` import no module of that name, a ModuleNotFoundError); or IPython's call for it
# written out as one of the cell's top-level statements (not in a comment, a docstring or a function's body)
_LOADS_AUTORELOAD_LINE = re.compile(r"(?:%time[ \t]+)?%(?:re)?load_ext (?:IPython\.extensions\.)?autoreload[ \t]*")
_LOADS_AUTORELOAD_CALL = re.compile(r"(?:get_ipython\(\)|IPython\.get_ipython\(\)|([A-Za-z_]\w*))\.(?:run_line_magic\(['\"]"
                                    r"(?:re)?load_ext['\"], ['\"]|magic\(['\"]%*(?:re)?load_ext |extension_manager\."
                                    r"(?:re)?load_extension\(['\"])(?:IPython\.extensions\.)?autoreload['\"]\)")
_SHELL = re.compile(r"(?:IPython\.)?get_ipython\(\)")
_QUIET_LINE = re.compile(r"[ \t]*(?:$|#|!|%(?:pip|conda)[ \t])")


# IPython's own lines for autoreload and its extension (a turned line whose text is one of these makes no module of
# its name; any other turned line that names it may: `!mkdir autoreload`, review 452)
_AUTORELOAD_LINE = re.compile(r"[ \t]*(?:%time[ \t]+)?%(?:re|un)?load_ext[ \t][^\n]*|[ \t]*(?:[\w.]+[ \t]*=[ \t]*)?"
                              r"%(?:autoreload|aimport)\b[^\n]*")
# The names IPython's lines and calls go through (`get_ipython().run_line_magic(...)`)
_SHELL_NAMES = frozenset({"get_ipython", "IPython"})
# The shell's methods a load of autoreload, or its magics, are called through (`get_ipython().run_line_magic(...)`,
# `.magic(...)`, `.extension_manager.load_extension(...)`)
_SHELL_METHODS = frozenset({"run_line_magic", "magic"})
_EXTENSION_METHODS = frozenset({"load_extension", "reload_extension", "unload_extension"})
# ... and the magics of those calls that make no module of autoreload's name (others do: `%mkdir`, `%save`, `%sx`)
_AUTORELOAD_MAGICS = frozenset({"load_ext", "reload_ext", "unload_ext", "autoreload", "aimport"})


def _shell_call(node: ast.expr) -> bool:
    """`get_ipython()` or `IPython.get_ipython()`, as written: the shell itself where the notebook binds neither name."""
    return isinstance(node, ast.Call) and not node.args and not node.keywords and (
        isinstance(node.func, ast.Name) and node.func.id == "get_ipython" or isinstance(node.func, ast.Attribute) and
        node.func.attr == "get_ipython" and isinstance(node.func.value, ast.Name) and node.func.value.id == "IPython")


def _blocks(tree: ast.AST):
    """Every list of statements in the tree (a module's, a block's, a handler's, a case's)."""
    for n in walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(n, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block


def _said_by_ipython(tree: ast.Module) -> list[ast.AST]:
    """The nodes of a cell where the name autoreload is IPython's own text, making no module of that name: a call of
    the shell's for its extension or magics with literal arguments, made on `get_ipython()` or on a name given it
    right above (`_given_the_shell`), the test `'autoreload' in get_ipython().extension_manager.loaded`, and a `print`
    of literals (a fairness review, 453: `print('autoreload on')`; the notebook must not bind `print`, which
    `binds_print` reads across the notebook). Read from the syntax tree, not the text (review 455: the text
    `print('autoreload')` of a `print` the notebook defined, a method named `print`, IPython's call written on an object
    of the notebook's own, `_reg.run_line_magic('load_ext', 'autoreload')`, or in a string, each made the module)."""
    givens: dict[int, tuple[list, ast.stmt]] = {}
    for block in _blocks(tree):
        for stmt in block:
            if isinstance(stmt, ast.Expr):
                givens[id(stmt.value)] = (block, stmt)
    out: list[ast.AST] = []
    for n in walk(tree):
        if isinstance(n, ast.Call) and not n.keywords and all(
                isinstance(a, ast.Constant) and isinstance(a.value, str) for a in n.args) and \
                isinstance(n.func, ast.Attribute):
            owner = n.func.value
            if n.func.attr in _EXTENSION_METHODS and isinstance(owner, ast.Attribute) and \
                    owner.attr == "extension_manager":
                owner = owner.value
            elif n.func.attr not in _SHELL_METHODS or not n.args or (
                    n.args[0].value.lstrip("%").split(" ")[0] if n.func.attr == "magic" else n.args[0].value) \
                    not in _AUTORELOAD_MAGICS:
                continue            # (review 457: `run_line_magic('mkdir', 'autoreload')` makes the module)
            if _shell_call(owner) or isinstance(owner, ast.Name) and id(n) in givens and \
                    _given_the_shell(givens[id(n)][0], givens[id(n)][1], owner.id):
                out.append(n)
        elif isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.ops[0], (ast.In, ast.NotIn)) and \
                isinstance(n.left, ast.Constant) and isinstance(n.left.value, str) and isinstance(
                    n.comparators[0], ast.Attribute) and n.comparators[0].attr == "loaded" and isinstance(
                    n.comparators[0].value, ast.Attribute) and n.comparators[0].value.attr == "extension_manager" and \
                _shell_call(n.comparators[0].value.value):
            out.append(n)
        elif isinstance(n, ast.Call) and _shown(n):
            out.append(n)
    return out


def _turned_as_pass(lines: list[str], grouping: Grouping) -> list[str]:
    r"""The cell's lines with those IPython turns (escapes, assigned magics, help) written as `pass` at their indent,
    and the lines a `\` joins to them blank: the rest of the cell's code as Python reads it, line for line."""
    code = list(lines)
    for k in grouping.escapes | grouping.assigned | grouping.helps:
        if k < len(code):
            code[k] = lines[k][:len(lines[k]) - len(lines[k].lstrip(" \t\f"))] + "pass"
            for j in range(k + 1, min(grouping.joins.get(k, (k, ""))[0], len(code) - 1) + 1):
                code[j] = ""
    return code


def _names_autoreload(source: str) -> bool:
    """Does the cell's code name autoreload anywhere but in IPython's own lines and calls (`_said_by_ipython`): a
    string, a name, a shell line, a cell magic's text? Any such mention may make a module of that name (reviews 451,
    452, 455); where the cell cannot be read so, any mention in its code counts."""
    magic = cell_magic(source)
    if magic:
        lines = crlf_as_lf(cleaned(source)).split("\n")
        first = next(i for i, ln in enumerate(lines) if ln.strip())
        if magic not in ("capture", "time"):
            return "autoreload" in as_python_reads(source)      # (`%%writefile autoreload.py`, `%%bash` text)
        return "autoreload" in as_python_reads(lines[first]) or _names_autoreload("\n".join(lines[first + 1:]))
    text = as_python_reads(crlf_as_lf(cleaned(source)))
    lines = text.split("\n")
    grouping = logical_lines(text)
    if grouping is None or not grouping.settled:
        return "autoreload" in as_python_reads(code_only(source))
    for k in grouping.escapes | grouping.assigned | grouping.helps:
        whole = grouping.joins[k][1] if k in grouping.joins else lines[k] if k < len(lines) else ""
        if "autoreload" in whole and not _AUTORELOAD_LINE.fullmatch(whole):
            return True
    code = "\n".join(_turned_as_pass(lines, grouping))
    if "autoreload" not in code:
        return False
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    # (where the names and strings of IPython's own calls and tests start: a token that starts elsewhere is a mention;
    # a set, not a search of spans for each token, review 457: 2,495 lines of `print('autoreload')` a cell)
    said = {(n.lineno, n.col_offset) for node in _said_by_ipython(tree) for n in walk(node)
            if isinstance(n, (ast.Constant, ast.JoinedStr, ast.Name))}
    code_lines = code.split("\n")
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.COMMENT or "autoreload" not in tok.string:
                continue
            row, col = tok.start
            if (row, len(code_lines[row - 1][:col].encode())) not in said:
                return True
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    return False


def shadows_autoreload(source: str) -> bool:
    """May the cell put a module of autoreload's name where `%load_ext autoreload` imports it first (any mention of
    the name in its code, strings and shell lines, but IPython's lines and calls for the extension:
    `_names_autoreload`), or bind `get_ipython` or `IPython` otherwise than by importing IPython's own (`def
    get_ipython()`, `IPython = ...`, `import x as IPython`)? Then no load of autoreload in the notebook is read as
    IPython's (reviews 451, 452, 455)."""
    if "autoreload" not in source and "get_ipython" not in source and "IPython" not in source:
        return False
    if "autoreload" in as_python_reads(source) and _names_autoreload(source):
        return True
    code = as_python_reads(code_only(source))
    if "get_ipython" not in code and "IPython" not in code:
        return False
    tree = python_tree(source)
    if tree is None:
        return re.search(r"\b(?:def|class)[ \t]+(?:get_ipython|IPython)\b|\bas[ \t]+(?:get_ipython|IPython)\b", code) \
            is not None
    for n in ast.walk(tree):
        # (every way Python binds a name: a `case get_ipython:` capture too, review 459)
        if not isinstance(n, ast.alias) and _SHELL_NAMES & bound_by(n):
            return True
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            for a in n.names:
                bound = a.asname or a.name.split(".")[0]
                own = a.asname is None and a.name.split(".")[0] == "IPython" if isinstance(n, ast.Import) else \
                    (n.module or "").split(".")[0] == "IPython" and a.name == bound
                if bound in _SHELL_NAMES and not own:
                    return True
    return False


# What changes where `import` looks (review 463: `sys.path.insert(0, <tornado's folder>)`, `os.chdir` or `%cd` there,
# then `%load_ext autoreload` imported tornado's `autoreload` module, "not an IPython extension", and `%autoreload 2`
# stopped Run All above the answers: 10/10 unflagged, no cell naming a module of that name)
_IMPORT_PATHS = frozenset({"path", "meta_path", "path_hooks", "path_importer_cache"})
_MOVES_FOLDER = frozenset({"chdir", "fchdir", "addsitedir"})
_FOLDER_MAGICS = frozenset({"cd", "pushd", "popd"})
# ... `site`'s functions that read no `.pth` file and change no path (any other call of it may: `addpackage('.',
# 'x.pth', set())` adds the file's lines, `addsitedir('.')` reads every `.pth` file there, review 480)
_SITE_READS = frozenset({"getsitepackages", "getusersitepackages", "getuserbase", "check_enableusersite"})
# ... and those of its functions distinctive enough to count on any receiver (`sys.modules['site'].addpackage(...)`)
_SITE_ADDS = frozenset({"addsitedir", "addpackage", "addsitepackages", "addusersitepackages"})
# ... the cell magics that write their body to a file, which `import`, `%run` or `exec(open(...).read())` may run
_BODY_MAGICS = frozenset({"writefile", "file"})
# ... Python's own ways to run text as code
_RUNS_TEXT = frozenset({"exec", "eval", "compile"})
# ... and the files whose text `import` or `%run` runs as code
_CODE_FILES = (".py", ".ipy", ".pyw")
# ... the modules whose functions move the working folder or the import path, reached by a name not written out
_MODULES_THAT_MOVE = frozenset({"os", "sys", "site", "contextlib", "importlib", "pathlib", "shutil", "posix", "nt"})
# ... and what only reads the `sys` module it is handed (`hasattr(sys, 'ps1')`, `inspect.ismodule(sys)`; a fairness
# review, 475)
_SYS_READERS = frozenset({"print", "repr", "str", "dir", "vars", "hasattr", "isinstance", "issubclass", "id", "type", "hash",
                          "callable", "format", "ismodule", "getsource", "getfile", "signature", "pformat",
                          "pprint", "display", "info", "debug", "warning", "error", "log"})
# ... and what reaches an attribute by its name as text (`setattr(sys, 'path', ...)`, review 471)
_ATTRIBUTE_CALLS = frozenset({"setattr", "getattr", "delattr", "__setattr__", "__getattribute__", "__getattr__",
                              "__delattr__", "attrgetter"})
_READS_ONLY = frozenset({"print", "len", "str", "repr", "list", "tuple", "set", "sorted", "enumerate", "any", "all",
                         "pprint", "display", "index", "count", "copy"})
_CODE_MAGICS = frozenset({"time", "timeit", "prun", "capture", "debug", "run"})


@functools.lru_cache(maxsize=1)
def packages_with_autoreload() -> frozenset[str]:
    """The installed packages that ship a module named `autoreload` of their own (tornado's `tornado/autoreload.py`),
    which a path or folder of theirs makes the one `%load_ext autoreload` imports; IPython's own is not one."""
    import os
    import sys

    def holds(folder: str) -> bool:
        return any(os.path.exists(os.path.join(folder, leaf)) for leaf in ("autoreload.py", "autoreload"))
    found = set()
    here = os.path.realpath(os.getcwd())
    for entry in sys.path:
        # (not the folder the grader runs in, `''`: what it holds is the TA's, not the installation's; review 469)
        if not entry or os.path.realpath(entry) == here:
            continue
        try:
            names = [n for n in os.listdir(entry) if n.isidentifier() and n != "IPython"]
        except OSError:
            continue
        for name in names:
            top = os.path.join(entry, name)
            try:        # (the package's folder, or one of its own: `django/utils/autoreload.py`)
                inner = [os.path.join(top, n) for n in os.listdir(top) if n.isidentifier()] if os.path.isdir(top) \
                    else []
            except OSError:
                inner = []
            if holds(top) or any(holds(folder) for folder in inner):
                found.add(name)
    return frozenset(found)


@functools.lru_cache(maxsize=64)
def _as_compiled(source: str) -> str:
    """A cell as IPython compiles it, once for the readings of what may shadow autoreload (`plain_names_of` reads every
    cell, then `moves_imports` each one again)."""
    return as_ipython_compiles(as_explicit(source))


def _compiled_or_guessed(source: str) -> str | None:
    """The cell as IPython compiles it, within IPython's reading budget; past it (many magic lines: IPython's reader
    costs a reading of the cell for each, review 482's four cells of 1,990 `%time` lines took the grader 78 s), its
    code as the grader reads it without IPython, or None where a magic line there may move a folder."""
    if within_budget(source):
        return _as_compiled(source)
    if any(_MAY_MOVE.search(ln) for ln in crlf_as_lf(source).split("\n") if _LINE_MAGIC.match(ln) or
           _ESCAPED.match(ln) or assigned_magic(ln) is not None or _HELP_LINE.match(ln)):
        return None
    return without_magics(source)


def plain_names_of(sources: list[str]) -> frozenset[str]:
    """The names a notebook's cells give only folders written out (`_plain_names` over every cell as IPython compiles
    it): `DRIVE_DIR = '/content/drive/MyDrive/ml'` in one cell, `%cd $DRIVE_DIR` in another (a fairness review, 468)."""
    body: list[ast.stmt] = []
    for source in sources:
        try:
            code = _compiled_or_guessed(source)
            body += ast.parse(code).body if code is not None else []
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    module = ast.Module(body=body, type_ignores=[])
    return _plain_names(module) | _rebound_builders(module) | _own_readers(module)


def _own_readers(tree: ast.AST) -> frozenset[str]:
    """`&name` for each name of `_SYS_READERS` the code binds itself (`def info(m, d): ...`): a call of it may do
    anything with the `sys` it is handed (review 476: `info(sys, _lib)`, read as a call that only reads `sys`)."""
    return frozenset("&" + x for n in walk(tree) for x in bound_by(n) if x in _SYS_READERS)


def _rebound_builders(tree: ast.AST) -> frozenset[str]:
    """`!name` for each name of `os.path`'s or pathlib's the code binds otherwise than by importing it from them."""
    ours = {"os", "os.path", "posixpath", "pathlib"}
    imported = {id(a) for n in walk(tree) if isinstance(n, ast.Import) for a in n.names if a.name in ours} | {
        id(a) for n in walk(tree) if isinstance(n, ast.ImportFrom) and n.module in ours for a in n.names}
    return frozenset("!" + x for n in walk(tree) if id(n) not in imported for x in bound_by(n) if x in _PATH_BUILDERS)


def _written_out(text: str, plain: frozenset[str]) -> bool:
    """A magic's argument with no expansion but of names given folders written out (`$DRIVE_DIR`, `{FOLDER}`)."""
    texts = _name_texts(plain)
    # (each name as its text, or as a part not known: glued to a word, `%cd .../tor$x`, it may spell any name, review
    # 471; one of several texts, review 473's `%cd {S}{A}nado` with `A = '/tor' if c else ''`, is not known)
    text = re.sub(r"\$\{?(\w+)\}?|\{(\w+)\}", lambda m: (lambda t: t[0] if len(t) == 1 else _UNKNOWN)(
        texts.get(m.group(1) or m.group(2), (_UNKNOWN,))) if (m.group(1) or m.group(2)) in plain else "$", text)
    return not re.search(r"[$({]", text) and not _GLUED.search(text) and not _names_a_module(text.replace(_UNKNOWN, "\x02"))


def moves_imports(source: str, depth: int = 0, known: frozenset[str] = frozenset(), python: bool = False) -> bool:
    """May the cell change where `import` finds a module, so that `%load_ext autoreload` may import another module of
    that name without any cell naming one: `sys.path` (or `meta_path`, `path_hooks`) changed, the working folder moved
    (`os.chdir`, `contextlib.chdir`, `%cd`, `%pushd`, `%popd`, also as a magic's code), `site.addsitedir`, or a package
    named that ships an `autoreload` module of its own (`tornado`, whose files a cell may copy)? Read from the syntax
    tree of the cell as IPython compiles it; a cell it cannot read counts where it holds any of those words (review
    463). Reading `sys.path` (`print(sys.path)`, `if p not in sys.path:`) changes nothing. ``python``: the text runs as
    Python, not as a cell (a string `exec` runs, a module's file), so no magic of IPython's is read in it."""
    text = scan_text(source)
    packages = packages_with_autoreload()
    if not _MAY_MOVE.search(text) and not _MAY_MOVE.search(_JOINED_LITERALS.sub("", text)) and \
            not any(p in text for p in packages):
        return False
    if any(re.search(rf"\b{re.escape(p)}\b", text) for p in packages):
        return True
    magic = "" if python else cell_magic(source)
    if magic:
        lines = crlf_as_lf(cleaned(source)).split("\n")
        first = next(i for i, ln in enumerate(lines) if ln.strip())
        body = "\n".join(lines[first + 1:])
        if magic in _SHELL_MAGICS:
            return _copies_unnamed(body)
        if magic in _BODY_MAGICS:       # (the file's code: review 480's `sys.path.insert` in it)
            return depth < 3 and _body_moves(lines[first], body, depth, known)
        return magic in _CODE_MAGICS and depth < 3 and (moves_imports(lines[first].lstrip().lstrip("%"), depth + 1, known)
                                                          or moves_imports(body, depth + 1, known))
    if len(source) > IPYTHON_BUDGET:
        return True                     # (a cell too long for IPython's reader here may: review 469, padded past it)
    code = source if python else _compiled_or_guessed(source)
    if code is None:
        return True                     # (a magic line past IPython's reading budget that may move)
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True                     # (a cell Python cannot read holds one of the words above: it may)
    modules = {"sys"} | {a.asname or a.name for n in walk(tree) if isinstance(n, ast.Import) for a in n.names
                         if a.name == "sys"}
    sites = {"site"} | {a.asname or a.name for n in walk(tree) if isinstance(n, ast.Import) for a in n.names
                        if a.name == "site"}
    # (the modules that copy, link and move files, under the names the cell gives them, and what it imports of them)
    movers = {a.asname or a.name: a.name for n in walk(tree) if isinstance(n, ast.Import) for a in n.names
              if a.name in _FILE_MOVERS} | {m: m for m in _FILE_MOVERS}
    imported = {a.asname or a.name for n in walk(tree) if isinstance(n, ast.ImportFrom) and n.module in _FILE_MOVERS
                for a in n.names if a.name in _FILE_MOVERS.get(n.module, ()) or a.name == "*"}
    parents = {id(c): n for n in walk(tree) for c in child_nodes(n)}
    # (a name of `os.path`'s or pathlib's the notebook binds itself is no builder of folders written out, review 469:
    # `def abspath(_): return <a listed name>`; marked `!name` among the plain names)
    plain = _plain_names(tree, known) | _rebound_builders(tree) | frozenset(x for x in known if x.startswith("!")) | \
        frozenset(a.asname for n in walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names
                  if a.asname and ((n.module if isinstance(n, ast.ImportFrom) else a.name) or "") in (
                      "os", "os.path", "posixpath", "pathlib"))       # (`import os.path as osp`)

    def assigned(n: ast.AST) -> ast.AST | None:
        """The value given where ``n`` (or an item of it) is a target: `sys.path = [...]`, `sys.path[:0] = [...]`."""
        up = parents.get(id(n))
        if isinstance(up, ast.Subscript) and up.value is n:
            up = parents.get(id(up))
        return up.value if isinstance(up, (ast.Assign, ast.AugAssign, ast.AnnAssign)) else None

    def sysish(n: ast.AST) -> bool:
        """The `sys` module however reached: `sys`, `os.sys`, `importlib.sys`, `sys.modules['sys']`, `__import__('sys')`
        (review 471: `os.sys.path.insert(0, d)`)."""
        if isinstance(n, ast.Subscript):    # (`sys.modules['sys']`, `vars(os)['sys']`, `os.__dict__['sys']`)
            holder = n.value
            return isinstance(n.slice, ast.Constant) and n.slice.value == "sys" and (
                isinstance(holder, ast.Attribute) and holder.attr in ("modules", "__dict__") or isinstance(
                    holder, ast.Call) and isinstance(holder.func, ast.Name) and holder.func.id in ("vars", "globals"))
        if isinstance(n, ast.Call):         # (`__import__('sys')`, `importlib.import_module('sys')`, `getattr(os, 'sys')`,
            # `sys.modules.get('sys')`: review 474)
            name = _attribute_call_name(n)
            return name in ("__import__", "import_module", "getattr", "get", "__getattribute__", "__getitem__",
                            "setdefault", "pop") and any(isinstance(a, ast.Constant) and a.value == "sys" for a in n.args)
        return isinstance(n, ast.Name) and n.id in modules or isinstance(n, ast.Attribute) and n.attr == "sys"

    # (`sys` given a name is `sys` under that name: `s = sys`, `q = sys.modules['sys']`, a loop over `(sys, np)`, a
    # parameter that defaults to it; read twice for a name given from another such name)
    for _ in range(2):
        for n in walk(tree):
            value = n.value if isinstance(n, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) else None
            if value is not None and sysish(value):
                targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                modules |= {t.id for t in targets if isinstance(t, ast.Name)}
            elif isinstance(n, (ast.For, ast.comprehension)) and isinstance(n.iter, (ast.Tuple, ast.List, ast.Set)) \
                    and any(sysish(e) for e in n.iter.elts):
                modules |= {t.id for t in walk(n.target) if isinstance(t, ast.Name)}
            elif isinstance(n, ast.arguments):
                pairs = [*zip(reversed(n.args), reversed(n.defaults)), *zip(n.kwonlyargs, n.kw_defaults)]
                modules |= {a.arg for a, d in pairs if d is not None and sysish(d)}

    own = _own_readers(tree) | frozenset(x for x in known if x.startswith("&"))
    as_code = 0                         # strings of the cell read as code
    # (a module's file named by the cell, `'h3.py'`, `f'{n}.py'`: text not written out written there is code that
    # `import` runs, review 482)
    # (a module's file named otherwise than to read or run it: whatever writes it, `f.write`, `print` to a redirected
    # stream, a write under another name, `ZipFile.writestr`, review 485; where the name is computed at run time, the
    # class the README leaves open)
    if _names_a_module_file(tree, parents):
        return True
    # (... and the ways Python runs code it is handed, however reached: review 483's `builtins.exec(s)`, `run = exec`,
    # `pickle.loads(...)`, `types.FunctionType(marshal.loads(...), globals())`, `code.InteractiveInterpreter()`)
    if _runs_unwritten_code(tree, parents):
        return True

    def handed_on(n: ast.AST, up: ast.AST | None) -> bool:
        """Is `sys` (``n``) handed where what takes it may change its path: not an attribute read of it, a test, a
        name given it (followed above), or a call that only reads it (`print(sys)`, `hasattr(sys, 'ps1')`,
        `getattr(sys, 'frozen', False)`, `inspect.ismodule(sys)`: a fairness review, 475)?"""
        if isinstance(getattr(n, "ctx", None), (ast.Del, ast.Store)) or isinstance(
                up, (ast.Attribute, ast.Compare, ast.FormattedValue)):
            return False                # (... nor a name given it: `for mod in (sys, np):`, its `mod`)
        if isinstance(up, ast.Subscript) and up.value is n:
            return False
        if isinstance(up, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and up.value is n:
            targets = up.targets if isinstance(up, ast.Assign) else [up.target]
            return not all(isinstance(t, ast.Name) for t in targets)
        if isinstance(up, (ast.Tuple, ast.List, ast.Set)) and any(
                isinstance(g, (ast.For, ast.comprehension)) and g.iter is up for g in [parents.get(id(up))]):
            return False
        if isinstance(up, ast.arguments):
            return False
        if isinstance(up, ast.Call) and up.func is not n and n in up.args:
            name = _attribute_call_name(up)
            if name == "getattr":
                return not (len(up.args) > 1 and isinstance(up.args[1], ast.Constant) and
                            up.args[1].value not in _IMPORT_PATHS)
            return name not in _SYS_READERS or "&" + name in own or isinstance(up.func, ast.Attribute) and not (
                isinstance(up.func.value, ast.Name) and up.func.value.id in ("inspect", "pprint", "logging", "logger",
                                                                            "log", "display"))
        return True

    for n in walk(tree):
        # (a function that moves the working folder handed on, named again or reached by its name as text, and the
        # `sys` module handed on: review 471, `go = os.chdir`, `functools.partial(os.chdir, d)`, `map(os.chdir, ...)`,
        # `getattr(os, 'chdir')`, `setattr(sys, 'path', [d] + sys.path)`)
        up = parents.get(id(n))
        # (... not a name of that spelling given a value, `chdir = False`, nor its name in a list or `hasattr`: a
        # fairness review, 475)
        # (a bare name: only `from os import chdir` binds one, read below)
        if isinstance(n, ast.Attribute) and n.attr in _MOVES_FOLDER and isinstance(n.ctx, ast.Load) and not (
                isinstance(up, ast.Call) and up.func is n):
            return True
        if isinstance(n, ast.Constant) and n.value in _MOVES_FOLDER | _IMPORT_PATHS - {"path"} and (
                isinstance(up, ast.Subscript) and up.slice is n or isinstance(up, ast.Call) and n in up.args and (
                    _attribute_call_name(up)) in _ATTRIBUTE_CALLS):
            return True
        # (a module's attribute reached by a name not written out, or joined into a listed one: `getattr(os, 'ch' +
        # 'dir')`, review 474; `vars(sys)['path']`, `sys.__dict__['path']`)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in _ATTRIBUTE_CALLS and \
                len(n.args) > 1 and not isinstance(n.args[1], ast.Constant):
            texts = _joined_texts(n.args[1])
            if texts is None or any(t in _MOVES_FOLDER | _IMPORT_PATHS | {"sys"} for t in texts) or any(
                    _UNKNOWN in t for t in texts) and (sysish(n.args[0]) or isinstance(n.args[0], ast.Name) and
                                                        n.args[0].id in _MODULES_THAT_MOVE):
                return True
        # (a module that moves folders handed out whole: `inspect.getmembers(sys)`, `vars(os).items()`,
        # `sys.__dict__.values()`, a dict of it; only an item of it by a key written out is read, review 478)
        whole = n.args[0] if isinstance(n, ast.Call) and n.args and (
            _attribute_call_name(n) in ("getmembers", "getmembers_static") or isinstance(n.func, ast.Name) and
            n.func.id == "vars") else n.value if isinstance(n, ast.Attribute) and n.attr == "__dict__" else None
        if whole is not None and (sysish(whole) or isinstance(whole, ast.Name) and whole.id in _MODULES_THAT_MOVE) and \
                not (isinstance(up, ast.Subscript) and up.value is n) and not (
                    isinstance(up, ast.Call) and up.func is not n and getattr(up.func, "id", "") in _READS_ONLY) and \
                not _read_by_key(n, parents):
            return True
        holder = n.value.value if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Attribute) and \
            n.value.attr == "__dict__" else n.value.args[0] if isinstance(n, ast.Subscript) and isinstance(
                n.value, ast.Call) and getattr(n.value.func, "id", "") == "vars" and n.value.args else None
        if holder is not None:
            # (... a key joined into a listed name, or not known on a module that moves folders: `vars(sys)['pa' +
            # 'th']`, review 477)
            texts = _joined_texts(n.slice)
            if texts is None or any(t in _IMPORT_PATHS | _MOVES_FOLDER | {"sys"} for t in texts) or any(
                    _UNKNOWN in t for t in texts) and (sysish(holder) or isinstance(holder, ast.Name) and
                                                        holder.id in _MODULES_THAT_MOVE):
                return True
        # (`setattr(sys, 'path', ...)`; of another object, `getattr(cfg, 'path', ...)`, it is no change: review 475)
        if isinstance(n, ast.Call) and (isinstance(n.func, ast.Name) and n.func.id in _ATTRIBUTE_CALLS and n.args and
                                        sysish(n.args[0]) or isinstance(n.func, ast.Attribute) and
                                        n.func.attr in _ATTRIBUTE_CALLS and sysish(n.func.value)) and any(
                isinstance(a, ast.Constant) and a.value in _IMPORT_PATHS for a in n.args):
            return True
        # (... and of anything, set to folders not written out: `setattr(m, 'path', [d] + m.path)` with `m` the `sys` a
        # name the reading does not follow holds, review 476)
        if isinstance(n, ast.Call) and _attribute_call_name(n) in ("setattr", "__setattr__") and any(
                isinstance(a, ast.Constant) and a.value in _IMPORT_PATHS for a in n.args) and not all(
                _plain_path(a, plain) for a in n.args[-1:]):
            return True
        # (... however reached, and handed on: `q = sys.modules['sys']`, `q = vars(os)['sys']`, review 473)
        if sysish(n) and handed_on(n, up):
            return True
        if isinstance(n, ast.ImportFrom) and any(a.name == "sys" for a in n.names):
            return True                 # (`from os import sys as q`, review 473)
        # (IPython's folder history, which `%cd -` and `%cd -1` go back to, handed on or written: `_dh.append(d)`,
        # review 480; only read, `print(_dh)`, `_dh[-1]`, it moves nothing)
        if isinstance(n, ast.Name) and n.id == "_dh" and not (
                isinstance(up, ast.Subscript) and up.value is n and isinstance(up.ctx, ast.Load) or isinstance(
                    up, ast.Call) and up.func is not n and _attribute_call_name(up) in _READS_ONLY) or isinstance(
                n, ast.Constant) and n.value == "_dh":
            return True
        # (text written out that Python runs or a file holds as code: `exec("sys.path.insert(0, d)")`, review 480;
        # read without the notebook's plain names, and at most `_MOST_CODE_TEXTS` of them: past that the cell may)
        if isinstance(n, (ast.Constant, ast.BinOp)) and not isinstance(up, ast.BinOp) and depth < 3:
            for t in _written_texts(n):
                if len(t) > 4 and _UNKNOWN not in t and _MAY_MOVE.search(t) and _as_code(t):
                    as_code += 1
                    if as_code > _MOST_CODE_TEXTS or moves_imports(t, depth + 1, python=True):
                        return True
        if isinstance(n, ast.Call):
            called = n.func.attr if isinstance(n.func, ast.Attribute) else n.func.id if isinstance(n.func, ast.Name) \
                else ""
            if called in _MOVES_FOLDER and not (n.args and all(_plain_path(a, plain) for a in [*n.args, *n.keywords])):
                return True
            # (`site`'s functions read `.pth` files, whose lines are folders or code: any call but a reading one, and
            # the ones that add a folder on any receiver; review 480's `site.addpackage('.', 'extra_dirs.pth', set())`)
            if called in _SITE_ADDS or isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name) and \
                    n.func.value.id in sites and called not in _SITE_READS:
                return True
            # (text run as code that is not written out: any code, review 480)
            if isinstance(n.func, ast.Name) and called in _RUNS_TEXT and n.args and not (
                    _written_texts(n.args[0]) and all(_UNKNOWN not in t for t in _written_texts(n.args[0]))):
                return True
            # ... or files put where `import` looks under names the cell does not write out: copied, linked, moved,
            # unpacked or written (review 465: tornado's `autoreload.py` found by `glob` or by a listing of the folder
            # that holds `ioloop.py`, then `shutil.copy(src, '.')` or `os.symlink`)
            if _puts_files(n, called, movers, imported, plain):
                return True
            # (a magic handed text not written out, its name or its line: `run_line_magic('time', s)`, `magic('time '
            # + s)`, whose code is any, review 486)
            if called in ("run_line_magic", "magic", "run_cell_magic") and not all(
                    _written_texts(a) and all(_UNKNOWN not in t for t in _written_texts(a)) for a in n.args):
                return True
            if called in ("run_line_magic", "magic", "run_cell_magic") and n.args and isinstance(
                    n.args[0], ast.Constant) and isinstance(n.args[0].value, str):
                words = n.args[0].value.split(None, 1)
                name = words[0].lstrip("%") if words else ""
                rest = [*n.args[1:], ast.Constant(words[1] if len(words) > 1 else "")]
                # (`%cd` to a folder written out: where it leads into a package's own, the package is named; a folder
                # from a variable, `%cd $lib`, or a bookmark may be any)
                # (... nor a bookmark, `%cd -b NAME`, which a cell may set: `%bookmark NAME $d`, review 480; `-q` only
                # quietens it. The folders of IPython's history, `%cd -` and `%cd -1`, are those the notebook went to,
                # each read where it went, unless it writes the history itself: `_dh`, read below)
                if name in _FOLDER_MAGICS and not all(
                        isinstance(a, ast.Constant) and isinstance(a.value, str) and _written_out(a.value, plain)
                        and not _names_a_module(a.value) and not _QUIET.sub("", a.value).startswith(("-b", "--"))
                        for a in rest):
                    return True
                if name == "bookmark" and not (all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                                       for a in rest) and " ".join(
                        a.value for a in rest).strip().startswith(("-l", "-d", "-r"))):
                    return True
                if name in _CODE_MAGICS and depth < 3 and any(
                        isinstance(a, ast.Constant) and isinstance(a.value, str) and moves_imports(a.value, depth + 1, known)
                        for a in rest):
                    return True
        elif isinstance(n, ast.Attribute) and n.attr == "modules" and isinstance(n.value, ast.Name) and \
                n.value.id in modules and _writes_modules(n, parents):
            # (a module put in `sys.modules` under a key not written out, review 467: `sys.modules.update(
            # dict.fromkeys(names, sys))` with the names a listing of IPython's extensions gave)
            return True
        elif isinstance(n, ast.Attribute) and n.attr == "extensions" and isinstance(n.value, ast.Name) and \
                n.value.id == "IPython" or isinstance(n, ast.ImportFrom) and (n.module or "").startswith("IPython") \
                and any(a.name == "extensions" for a in n.names) or isinstance(n, ast.Import) and any(
                    a.name.startswith("IPython.extensions") for a in n.names):
            return True                 # (a listing of IPython's extensions names `autoreload`, review 467)
        elif isinstance(n, ast.ImportFrom) and n.module in ("sys", "os", "site", "contextlib") and any(
                a.name in _IMPORT_PATHS | _MOVES_FOLDER | {"*"} or n.module == "site" and a.name not in _SITE_READS
                for a in n.names) and not (n.module == "os" and all(a.name == "path" for a in n.names)):
            return True
        elif isinstance(n, ast.Attribute) and n.attr in _IMPORT_PATHS and sysish(n.value):
            up = parents.get(id(n))
            if isinstance(up, ast.Attribute) and isinstance(parents.get(id(up)), ast.Call) and \
                    parents[id(up)].func is up:
                call = parents[id(up)]
                if up.attr in _READS_ONLY | _DROPS:
                    continue
                if up.attr in ("append", "insert", "extend") and all(
                        _plain_path(a, plain) for a in call.args[up.attr == "insert":]):
                    continue            # (a folder written out: `sys.path.append('..')`)
                return True
            if isinstance(n.ctx, ast.Del) or isinstance(up, ast.Subscript) and isinstance(up.ctx, ast.Del):
                continue
            value = assigned(n) if not isinstance(n.ctx, ast.Load) or isinstance(up, ast.Subscript) and not \
                isinstance(up.ctx, ast.Load) else None
            if value is not None:
                if _plain_path(value, plain):
                    continue
                return True
            if isinstance(up, ast.Call) and up.func is not n and (
                    isinstance(up.func, ast.Name) and up.func.id not in _READS_ONLY or
                    isinstance(up.func, ast.Attribute) and up.func.attr not in _READS_ONLY) or \
                    isinstance(up, (ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.keyword, ast.Return, ast.Lambda,
                                    ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Starred, ast.Attribute)):
                return True
        elif isinstance(n, ast.Attribute) and n.attr in _IMPORT_PATHS and (n.attr != "path" or _grows_a_list(
                n, parents, plain)):
            # (... whatever holds it: `sys` reached by a name the reading does not follow, another cell's `s = sys`, a
            # class's attribute, a parameter, a module picked from `sys.modules.values()`, review 476: a list named
            # `path` grown by folders not written out, `meta_path`, `path_hooks` of anything)
            return True
    return False


_QUIET = re.compile(r"^\s*(?:-q(?:\s+|$))*")
# What only reads or runs a module's file named in a call (`open(name)`, `%run name`, `!python name`, `Path(name).read_text()`)
_READS_A_FILE = frozenset({"exists", "isfile", "getsize", "getmtime", "stat", "read_text", "read_bytes", "is_file",
                           "print", "basename", "dirname", "splitext", "abspath", "join", "import_module", "reload",
                           "run_line_magic", "system", "getoutput", "check_output", "run", "call", "check_call"})
_CODE_FILE_ENDS = (*_CODE_FILES, ".pyc")       # (an archive's member is named so too: `writestr('hk3.py', s)`)


def _names_a_module_file(tree: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Does the cell name a module's file (a name written out or joined that ends `.py`, `.ipy`, `.pyw`, `.pyc`, an
    archive's member too) otherwise than to read or run it: opened for writing, or handed to anything but a reader?"""
    for x in walk(tree):
        up = parents.get(id(x))
        if isinstance(up, ast.BinOp) or isinstance(up, ast.JoinedStr):
            continue
        texts = _written_texts(x) if isinstance(x, (ast.Constant, ast.BinOp)) else \
            _written_texts(x.values[-1]) if isinstance(x, ast.JoinedStr) and x.values else ()
        if not any(t.lower().rstrip().endswith(_CODE_FILE_ENDS) for t in texts):
            continue
        if not (isinstance(up, ast.Call) and x in up.args and _read_or_run(up, parents)):
            return True
    return False


def _writes_only_written_text(call: ast.Call, parents: dict[int, ast.AST]) -> bool:
    """Is a file opened for writing written only text written out (read as code where it is: `_as_code`)?
    `open(name, 'w').write('...')`, or `with open(name, 'w') as f:` whose body only calls `f.write('...')`."""
    def written(node: ast.AST) -> bool:
        texts = _written_texts(node)
        return bool(texts) and all(_UNKNOWN not in t for t in texts)
    up = parents.get(id(call))
    outer = parents.get(id(up))
    if isinstance(up, ast.Attribute) and up.attr == "write" and isinstance(outer, ast.Call) and outer.func is up:
        return len(outer.args) == 1 and written(outer.args[0])
    item = up if isinstance(up, ast.withitem) else None
    block = parents.get(id(item)) if item is not None else None
    if not (isinstance(block, ast.With) and isinstance(item.optional_vars, ast.Name)):
        return False
    f = item.optional_vars.id
    return all(isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and isinstance(st.value.func, ast.Attribute)
               and st.value.func.attr == "write" and isinstance(st.value.func.value, ast.Name) and
               st.value.func.value.id == f and len(st.value.args) == 1 and written(st.value.args[0]) for st in block.body)


def _read_or_run(call: ast.Call, parents: dict[int, ast.AST]) -> bool:
    """Is this call, handed a module's file, one that reads or runs it: `open(name)` or `open(name, 'r')`,
    `Path(name).read_text()`, `os.path.exists(name)`, `%run name` (`run_line_magic`), `!python name`?"""
    name = _attribute_call_name(call)
    if name == "open":
        mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
        return mode is None or isinstance(mode, ast.Constant) and isinstance(mode.value, str) and \
            not set(mode.value) & set("wax+") or _writes_only_written_text(call, parents)
    if name in ("Path", "PurePath", "PosixPath"):
        up = parents.get(id(call))
        return isinstance(up, ast.Attribute) and up.attr in _READS_A_FILE
    return name in _READS_A_FILE
# What runs code it is handed, but `exec`, `eval` and `compile` (read by their names wherever they are reached):
# code from data (`pickle.loads`), code objects made into functions, interpreters, a file run by name
_CODE_FROM_DATA = frozenset({"loads", "Unpickler"})     # (`pickle.load(f)` of a file the notebook dumped: honest, 485)
# Modules whose functions run text they are handed as code (`timeit.timeit(s)`, `cProfile.run(s)`, `pdb.run(s)`):
# a call of theirs with text not written out (nor a function: `timeit.timeit(lambda: f(), number=3)`) counts
_TEXT_RUNNING_MODULES = frozenset({"timeit", "cProfile", "profile", "pdb", "trace", "bdb"})
_TEXT_RUNNING_CALLS = frozenset({"timeit", "repeat", "Timer", "run", "runctx", "runeval", "runcall_text"})
_DATA_MODULES = frozenset({"pickle", "marshal", "dill", "cloudpickle", "shelve", "joblib", "_pickle", "cPickle"})
_CODE_RUNNERS = frozenset({"FunctionType", "CodeType", "LambdaType", "InteractiveInterpreter", "InteractiveConsole",
                           "interact", "runsource", "runcode", "run_path", "run_module", "exec_module",
                           "spec_from_file_location", "SourceFileLoader", "SourcelessFileLoader", "module_from_spec",
                           "compile_command", "CommandCompiler"})


def _runs_unwritten_code(tree: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """May the cell run code its text does not hold: `exec`, `eval` or `compile` reached otherwise than called by name
    (`builtins.exec`, `run = exec`, `f(exec, s)`, `getattr(builtins, 'ex' + 'ec')`), code from data (`pickle.loads`,
    `marshal.loads`), a code object made a function, an interpreter, a file run by name (`runpy`, a loader)? A call
    of `exec` by its name is read where it is (`_written_texts` of its text)."""
    runners = {a.asname or a.name for n in walk(tree) if isinstance(n, ast.Import) for a in n.names
               if a.name in _TEXT_RUNNING_MODULES} | {a.asname or a.name for n in walk(tree)
                                                      if isinstance(n, ast.ImportFrom) and n.module in _TEXT_RUNNING_MODULES
                                                      for a in n.names if a.name in _TEXT_RUNNING_CALLS}
    for n in walk(tree):
        up = parents.get(id(n))
        if isinstance(n, ast.Call) and (isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name) and
                                        n.func.value.id in runners and n.func.attr in _TEXT_RUNNING_CALLS or
                                        isinstance(n.func, ast.Name) and n.func.id in runners):
            text = n.args[0] if n.args else next((k.value for k in n.keywords if k.arg in ("stmt", "cmd", "statement")),
                                                 None)
            if text is not None and not isinstance(text, ast.Lambda) and not (
                    _written_texts(text) and all(_UNKNOWN not in t for t in _written_texts(text))):
                return True             # (review 485: `timeit.timeit(s, number=1)`, `cProfile.run(s)`)
        if isinstance(n, ast.Name) and n.id in _RUNS_TEXT and not (isinstance(up, ast.Call) and up.func is n):
            return True
        if isinstance(n, ast.Attribute) and (n.attr in _RUNS_TEXT and (
                not (isinstance(up, ast.Call) and up.func is n) or isinstance(n.value, ast.Name) and
                n.value.id in ("builtins", "__builtins__")) or n.attr in _CODE_RUNNERS or
                n.attr in _CODE_FROM_DATA and isinstance(n.value, ast.Name) and n.value.id in _DATA_MODULES):
            if n.attr == "compile" and isinstance(up, ast.Call) and up.func is n and not (
                    isinstance(n.value, ast.Name) and n.value.id in ("builtins", "__builtins__")):
                continue                # (`re.compile(...)`, `torch.compile(model)`)
            return True
        if isinstance(n, ast.Name) and n.id in _CODE_RUNNERS:
            return True
        if isinstance(n, (ast.Import, ast.ImportFrom)) and any(
                m.split(".")[0] in ("zipimport", "code", "codeop") for m in (
                    [a.name for a in n.names] if isinstance(n, ast.Import) else [n.module or ""])):
            return True                 # (review 485: `zipimport.zipimporter('m.zip').load_module('hk3')`)
        if isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] in _DATA_MODULES | {"types", "code",
                                                                                           "runpy", "builtins"} and \
                any(a.name in _CODE_FROM_DATA | _CODE_RUNNERS | _RUNS_TEXT | {"*"} for a in n.names):
            return True
        if isinstance(n, (ast.Constant, ast.BinOp)) and (
                isinstance(up, ast.Call) and n in up.args and _attribute_call_name(up) in _ATTRIBUTE_CALLS or
                isinstance(up, ast.Subscript) and up.slice is n) and any(t in _RUNS_TEXT for t in _written_texts(n)):
            return True                 # (`getattr(builtins, 'ex' + 'ec')`, `vars(builtins)['exec']`; not `phase = 'eval'`)
    return False


def _written_texts(node: ast.AST) -> tuple[str, ...]:
    """The texts a string written out (or in parts, `'import s' + 'ys'`) may be; () where it is no string."""
    if isinstance(node, ast.Constant):
        return (node.value,) if isinstance(node.value, str) else ()
    return _joined_texts(node) or () if isinstance(node, ast.BinOp) else ()


# Strings of a cell read as code (review 480's cost: 700 of them a cell, each read with the notebook's 35,000 plain
# names, took the grader past 13 minutes for one notebook)
_MOST_CODE_TEXTS = 64


def _body_moves(line: str, body: str, depth: int, known: frozenset[str]) -> bool:
    """Does the file a `%%writefile` cell writes (``line`` its first line) change where `import` looks once imported or
    run? Its code read as Python, or as a cell where it is IPython's (`%run h.ipy`, review 482); a part appended
    (`-a`) or a module's text that is no Python alone may join others into code (review 482: one statement split over
    `%%writefile h.py` and `%%writefile -a h.py`): read for the words. A shell script's copies are read as a shell
    cell's; a file of data (`.csv`, `.yaml`, `.txt`), appended to or not, runs as no code."""
    words = line.split()
    name = next((w for w in words[1:] if not w.startswith("-")), "").lower()
    append = any(w in ("-a", "--append") for w in words[1:])
    suffix = posixpath.splitext(name)[1]
    if suffix in (".sh", ".bash"):
        return _copies_unnamed(body)
    if suffix not in ("", *_CODE_FILES):
        return False
    if suffix == ".ipy":
        return moves_imports(body, depth + 1, known)
    if _as_code(body):
        return moves_imports(body, depth + 1, known, python=True)
    if append or not _parses_at_all(body):
        return bool(_MAY_MOVE.search(scan_text(body)))
    return False


def _parses_at_all(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _as_code(text: str) -> bool:
    """Is ``text`` Python that does something as code (a string `exec` runs, a file a cell magic writes), to be read as
    a cell is? Text that is no Python (prose, a path) runs as no code, nor does a name alone
    (`'IPython.extensions.autoreload'` handed to `%load_ext`)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return not all(isinstance(s, ast.Expr) and isinstance(s.value, (ast.Name, ast.Attribute, ast.Constant))
                   for s in tree.body)


def _read_by_key(n: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Is a namespace (``n``) only read by a key written out that names no listed attribute, `vars(sys).get(
    'version')`, or for its keys, `vars(sys).keys()` (a fairness review, 475's variants)?"""
    up = parents.get(id(n))
    call = parents.get(id(up)) if isinstance(up, ast.Attribute) else None
    if not isinstance(call, ast.Call) or call.func is not up:
        return False
    if up.attr == "keys":
        return True
    return up.attr == "get" and bool(call.args) and isinstance(call.args[0], ast.Constant) and \
        call.args[0].value not in _IMPORT_PATHS | _MOVES_FOLDER | {"sys"}


def _attribute_call_name(call: ast.Call) -> str:
    """The name a call is made by, `f` of `f(x)` and of `m.f(x)` ('' for anything else)."""
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def _grows_a_list(n: ast.Attribute, parents: dict[int, ast.AST], plain: frozenset[str]) -> bool:
    """Is an attribute named `path` (``n``, of anything) grown as a list by folders not written out: `m.path.insert(0,
    d)`, `.append`, `.extend`, `m.path[:0] = [d]`, `m.path += [d]`, `m.path = [d] + ...`? A path's own text (`self.path
    = root`, `self.path.exists()`) is none of these."""
    up = parents.get(id(n))
    if isinstance(up, ast.Attribute) and isinstance(parents.get(id(up)), ast.Call) and parents[id(up)].func is up:
        call = parents[id(up)]
        return up.attr in ("append", "insert", "extend", "__setitem__", "__iadd__") and not all(
            _plain_path(a, plain) for a in call.args[up.attr in ("insert", "__setitem__"):])
    if isinstance(up, ast.Subscript) and up.value is n and isinstance(up.ctx, ast.Store):
        holder = parents.get(id(up))
        return isinstance(holder, (ast.Assign, ast.AugAssign)) and not _plain_path(holder.value, plain)
    if isinstance(n.ctx, ast.Store) and isinstance(up, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and up.value is not None:
        value = up.value
        listish = isinstance(value, (ast.List, ast.ListComp, ast.Tuple)) or isinstance(value, ast.BinOp) and any(
            isinstance(side, (ast.List, ast.ListComp, ast.Starred)) for side in (value.left, value.right)) or \
            isinstance(value, ast.Call) and _attribute_call_name(value) in ("list", "sorted", "tuple")
        return (isinstance(up, ast.AugAssign) or listish) and not _plain_path(value, plain)
    return False


# What leaves `sys.path` with no folder it did not have
_DROPS = frozenset({"remove", "pop", "clear", "reverse", "sort"})
# ... and what builds a folder's name from text written out (`os.path.abspath('..')`, `Path.cwd() / 'src'`)
_PATH_BUILDERS = frozenset({"os", "path", "abspath", "join", "dirname", "realpath", "normpath", "expanduser", "getcwd",
                            "Path", "PurePath", "pathlib", "resolve", "absolute", "parent", "str", "fspath", "cwd",
                            "home", "curdir", "pardir", "sep", "parents"})


def _plain_path(node: ast.AST, names: frozenset[str] = frozenset()) -> bool:
    """A folder (or folders) written out: text, joined, formatted or resolved by `os.path`'s and `pathlib`'s own
    functions (`f'/content/drive/MyDrive/{FOLDER}'`, `'{}/src'.format(ROOT)`, `Path.cwd().parents[1] / 'src'`, either
    side of `a if IN_COLAB else b`), or a name the notebook gives only such values (``names``: `module_path =
    os.path.abspath('..')`, fairness findings of reviews 465 and 468). Where such a folder leads into an installed
    package's own, the package's name is in the text, which `moves_imports` reads first; a folder from a variable, a
    module's `__file__` or `sysconfig` may be any. (Read with a stack: a chain of 3,000 `+` is no recursion.)"""
    whole = _full_text(node)
    if whole is not None and _names_a_module(whole):
        return False
    # (the whole text as the pieces join, review 471: `'<site-packages>/' + 'tor' + 'nado'`, `'.../tor{}'.format(
    # 'nado')`, a name's text joined to a word, `A + 'nado'`, `f'{S}/{T}nado'`, where each piece alone names nothing)
    joined = _joined_texts(node, _name_texts(names))
    if joined is None or any(_names_a_module(t.replace(_UNKNOWN, "\x02")) or _GLUED.search(t) for t in joined):
        return False
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, ast.Constant):
            if isinstance(n.value, str) and _names_a_module(n.value):
                return False            # (`'auto\x72eload.py'`, `'auto' 'reload.py'`: one text once read, review 469)
            continue
        if isinstance(n, ast.Name):
            if n.id in _PATH_BUILDERS and "!" + n.id not in names or n.id in names and not n.id.startswith("!"):
                continue
            return False
        if isinstance(n, ast.Attribute):
            if n.attr in _PATH_BUILDERS or n.attr == "format" and isinstance(n.value, (ast.Constant, ast.JoinedStr)):
                todo.append(n.value)
                continue
            return False
        if isinstance(n, ast.IfExp):
            todo += [n.body, n.orelse]          # (the test chooses between two folders written out)
        elif isinstance(n, ast.Subscript):
            if not isinstance(n.slice, ast.Constant):
                return False
            todo.append(n.value)                # (`Path.cwd().parents[1]`)
        elif isinstance(n, ast.Call):
            todo += [n.func, *n.args, *(k.value for k in n.keywords)]
        elif isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Div, ast.Add)):
            todo += [n.left, n.right]
        elif isinstance(n, (ast.JoinedStr, ast.List, ast.Tuple)):
            todo += n.values if isinstance(n, ast.JoinedStr) else n.elts
        elif isinstance(n, ast.FormattedValue):
            todo.append(n.value)
        elif isinstance(n, ast.keyword):
            todo.append(n.value)
        else:
            return False
    return True


# A part of a path's text the reading does not know (a name's value, `os.getcwd()`), and such a part glued to a word
# with no separator between them: the two may spell any name together (`A + 'nado'` with `A = '.../tor'`)
_UNKNOWN = "\x00"
_GLUED = re.compile(r"\w\x00|\x00\w")
_SAME_TEXT = frozenset({"abspath", "realpath", "normpath", "expanduser", "str", "fspath", "resolve", "absolute",
                        "dirname", "parent", "parents", "Path", "PurePath"})
_FIELD = re.compile(r"\{([^{}]*)\}")
# A path's texts are read as the alternatives its pieces may join into (`a if c else b`, `(a, b)[k]`), at most these
# many of at most this length: more is no folder written out (review 473: names of names joined thirty times over,
# 100 * 30 ** 4 characters, took the grader to 2.5 GB)
_MOST_TEXTS = 32
_LONGEST_TEXT = 1024
# ... and the texts the names carry, at most this much in all (review 474: 2,000 names of 32 texts of 4 KB each, 256
# MB, read again for each cell: 70 s and 11.8 GB of the grader's process); past it a name is no folder written out
_NAMES_TEXT = 1 << 18


def _name_texts(names: frozenset[str], mark: str = "=") -> dict[str, tuple[str, ...]]:
    """The texts of the plain names (`_plain_names` gives each alternative as `=name` + `\x03` + the text), by name,
    or with ``mark`` `^` the text the other names' values surely start with. Read once for each set of names (by
    identity: an equal set compared in full at every lookup cost seconds, review 473's timing of this fix)."""
    key = (id(names), mark)
    cache = _NAME_TEXTS
    hit = cache.get(key)
    if hit is not None and hit[0] is names:
        return hit[1]
    texts: dict[str, tuple[str, ...]] = {}
    for name, text in (e[1:].split("\x03", 1) for e in names if e.startswith(mark) and "\x03" in e):
        texts[name] = (*texts[name], text) if mark == "=" and name in texts else \
            (os.path.commonprefix([texts[name][0], text]),) if name in texts else (text,)
    if len(cache) >= 8:
        cache.clear()
    cache[key] = (names, texts)
    return texts


_NAME_TEXTS: dict = {}      # (`_name_texts`' own: the last sets of names read, each kept with the set)


def _joined_texts(node: ast.AST, texts: dict[str, tuple[str, ...]] | None = None) -> tuple[str, ...] | None:
    """The texts a path's pieces may join into, each part the reading does not know as `_UNKNOWN`: `'a' + 'b'` and
    `f'a{"b"}'` are `ab`, `os.path.join(x, 'src')` is `\x00/src`, `'{1}/tor{0}'.format('nado', S)` is `\x00/tornado`,
    `S + ('/tor' if c else '/') + 'nado'` both `\x00/tornado` and `\x00//nado`; None where they are more than
    `_MOST_TEXTS` or longer than `_LONGEST_TEXT`. Read in post-order with a stack: a chain of 3,000 `+` is no
    recursion."""
    done: dict[int, tuple[str, ...] | None] = {}
    todo: list[tuple[ast.AST, bool]] = [(node, False)]
    while todo:
        n, ready = todo.pop()
        if id(n) in done:
            continue
        kids = _text_parts(n)
        if not ready and any(id(k) not in done for k in kids):
            todo.append((n, True))
            todo += [(k, False) for k in kids if id(k) not in done]
            continue
        parts = [done.get(id(k)) for k in kids]
        done[id(n)] = (texts or {}).get(n.id, (_UNKNOWN,)) if isinstance(n, ast.Name) else \
            None if any(p is None for p in parts) or _text_join(n) and not kids else _bounded(_text_of(n, parts))
    return done[id(node)]


def _bounded(texts: list[str] | tuple[str, ...] | None) -> tuple[str, ...] | None:
    if texts is None:
        return None
    out = tuple(dict.fromkeys(texts))
    return out if len(out) <= _MOST_TEXTS and all(len(t) <= _LONGEST_TEXT for t in out) else None


def _product(groups: list[tuple[str, ...]], sep: str = "") -> list[str] | None:
    """Each way of taking one text of each group, joined by ``sep``; None past `_MOST_TEXTS`."""
    out = [""]
    for k, group in enumerate(groups):
        if len(out) * len(group) > _MOST_TEXTS:
            return None
        out = [a + (sep if k else "") + b for a in out for b in group]
        if any(len(t) > _LONGEST_TEXT for t in out):
            return None
    return out


def _text_parts(n: ast.AST) -> list[ast.AST]:
    """The nodes whose texts make ``n``'s (`_joined_texts`)."""
    if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Div)):
        return [n.left, n.right]
    if isinstance(n, ast.JoinedStr):
        return list(n.values)
    if isinstance(n, (ast.FormattedValue, ast.Subscript, ast.keyword)):
        return [n.value]
    if isinstance(n, ast.IfExp):
        return [n.body, n.orelse]
    if isinstance(n, (ast.List, ast.Tuple)):
        return list(n.elts)
    if isinstance(n, ast.Attribute) and n.attr in _SAME_TEXT:
        return [n.value]
    if isinstance(n, ast.Call):
        func = n.func
        if isinstance(func, ast.Attribute) and func.attr == "format" and isinstance(func.value, ast.Constant):
            return [func.value, *n.args, *n.keywords]
        if isinstance(func, ast.Attribute) and func.attr == "join" and isinstance(func.value, ast.Constant):
            items = n.args[0] if len(n.args) == 1 and not n.keywords else None
            return [func.value, *items.elts] if isinstance(items, (ast.List, ast.Tuple)) and not any(
                isinstance(e, ast.Starred) for e in items.elts) else [func.value, items] if items is not None else []
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name == "join" or name in _SAME_TEXT:
            return list(n.args) or ([func.value] if isinstance(func, ast.Attribute) and name in _SAME_TEXT else [])
    return []


def _text_of(n: ast.AST, parts: list[tuple[str, ...]]) -> list[str] | tuple[str, ...] | None:
    """``n``'s texts from its parts' (`_text_parts`, in that order)."""
    if isinstance(n, ast.Constant):
        v = n.value                     # (a number written out is text written out: `f'runs/lr{0.01}'`)
        return (v,) if isinstance(v, str) else (str(v),) if isinstance(v, float) or isinstance(v, int) and \
            v.bit_length() < 64 else (_UNKNOWN,)
    if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Div)):
        return _product(parts, "/" if isinstance(n.op, ast.Div) else "")
    if isinstance(n, ast.JoinedStr):
        return _product(parts)
    if isinstance(n, (ast.FormattedValue, ast.keyword)):
        return parts[0]
    if isinstance(n, ast.Subscript):
        # (an item of a tuple or list written out is any of them, `('/tor', '')[0]`; `parents[1]` keeps its text; a
        # slice or an item of anything else is not known, `'htap'[::-1]`, review 478)
        if isinstance(n.value, (ast.Tuple, ast.List)) and not isinstance(n.slice, ast.Slice) or \
                isinstance(n.value, ast.Attribute) and n.value.attr == "parents":
            return [t for p in parts for t in p]
        return (_UNKNOWN,)
    if isinstance(n, (ast.IfExp, ast.List, ast.Tuple)):
        return [t for p in parts for t in p] or [_UNKNOWN]
    if isinstance(n, ast.Attribute):
        return ({"sep": "/", "curdir": ".", "pardir": ".."}[n.attr],) if n.attr in ("sep", "curdir", "pardir") \
            else parts[0] if parts else (_UNKNOWN,)
    if isinstance(n, ast.Call) and parts:
        func = n.func
        if isinstance(func, ast.Attribute) and func.attr == "join" and isinstance(func.value, ast.Constant):
            # (`''.join([S, '/tor', 'nado'])`: the items joined by the text it is called on, review 473; of one text,
            # its characters, `'utoreloa'.join('ad')`, review 474)
            items = n.args[0]
            if isinstance(items, (ast.List, ast.Tuple)):
                return _product(parts[1:], str(func.value.value))
            return [str(func.value.value).join(t) for t in parts[1]] if _UNKNOWN not in "".join(parts[1]) else None
        if isinstance(func, ast.Attribute) and func.attr == "format" and isinstance(func.value, ast.Constant):
            return _formatted(n, parts)
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        return _product(parts, "/") if name in ("join", "Path", "PurePath") else parts[0]
    return (_UNKNOWN,)


def _formatted(call: ast.Call, parts: list[tuple[str, ...]]) -> list[str] | None:
    """`'...'.format(...)`'s texts: each field filled as Python fills it, by its number, its name or in turn."""
    template = call.func.value.value if isinstance(call.func.value.value, str) else ""
    args = parts[1:1 + len(call.args)]
    named = {k.arg: p for k, p in zip(call.keywords, parts[1 + len(call.args):]) if k.arg}
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return [_UNKNOWN]
    pieces: list[tuple[str, ...]] = []
    at, turn = 0, 0
    for m in _FIELD.finditer(template):
        pieces.append((template[at:m.start()],))
        field = re.split(r"[.\[!:]", m.group(1), maxsplit=1)[0]
        if field == "":
            field, turn = str(turn), turn + 1
        pieces.append(args[int(field)] if field.isdigit() and int(field) < len(args) else named.get(field, (_UNKNOWN,)))
        at = m.end()
    pieces.append((template[at:],))
    return _product(pieces)


def _ends_written(node: ast.AST) -> bool:
    """Does a path surely end in a name with an ending written out that Python does not import (`f'log_{lr}.txt'`,
    `os.path.join(run_dir, 'metrics.csv')`, `Path(d) / 'model.pt'`)? Such a file is no module (a fairness review,
    468: logs and checkpoints named from hyperparameters)."""
    last = node
    for _ in range(1000):
        if isinstance(last, ast.JoinedStr) and last.values:
            last = last.values[-1]
        elif isinstance(last, ast.BinOp) and isinstance(last.op, (ast.Add, ast.Div)):
            last = last.right
        elif isinstance(last, ast.Call) and last.args and (
                isinstance(last.func, ast.Attribute) and last.func.attr in ("join", "Path", "PurePath") and
                not isinstance(last.func.value, ast.Constant) or
                isinstance(last.func, ast.Name) and last.func.id in ("Path", "PurePath")):
            last = last.args[-1]
        else:
            break
    return isinstance(last, ast.Constant) and isinstance(last.value, str) and \
        re.search(r"\.\w+$", last.value) is not None and not _IMPORTABLE.search(last.value)


def _plain_names(tree: ast.AST, known: frozenset[str] = frozenset()) -> frozenset[str]:
    """The names a cell (or a notebook's cells, given as one tree) binds only by plain assignments of folders written
    out (`_plain_path`), also from one another, or as the variable of a loop over such folders written out (`for p in
    ['..', '../src']:`, a fairness review, 468); ``known``: such names of the notebook's other cells."""
    values: dict[str, list[ast.AST]] = {}
    other: set[str] = set()
    single: set[int] = set()
    for n in walk(tree):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            values.setdefault(n.targets[0].id, []).append(n.value)
            single.add(id(n.targets[0]))
        elif isinstance(n, (ast.For, ast.comprehension)) and isinstance(n.target, ast.Name) and isinstance(
                n.iter, (ast.List, ast.Tuple)):
            values.setdefault(n.target.id, []).extend(n.iter.elts)
            single.add(id(n.target))
    for n in walk(tree):        # (names bound otherwise: a loop's target, `+=`, an unpacking, an import, a `def`...)
        if id(n) not in single:
            other |= bound_by(n)
    # (each with its text, `=name\x03text`, read where it is joined to other text: review 471, `A = '.../tor'`, then
    # `B = A + 'nado'`)
    kept = frozenset(k for k in known if not (k[:1] in "=^" and k[1:].split("\x03", 1)[0] in other)) - other
    plain: frozenset[str] = kept
    for _ in range(3):
        texts = _name_texts(plain)
        named = {k: _bounded([t for v in values[k] for t in _joined_texts(v, texts) or ()]) for k in values
                 if k not in other and all(_plain_path(v, plain) for v in values[k])}
        carried, budget = [], _NAMES_TEXT - sum(map(len, kept))
        for k, ts in named.items():
            size = sum(map(len, ts or ())) + len(k) + 2
            if ts is not None and size <= budget:
                carried.append(k)
                budget -= size
        plain = kept | frozenset(carried) | frozenset(f"={k}\x03{t}" for k in carried for t in named[k])
    # (... and the others assigned plainly, with the text their values surely start with: `run_dir = f"runs_lr{lr}"`
    # then `os.makedirs(run_dir)` makes no module of autoreload's name, a fairness finding of review 471)
    return plain | frozenset(f"^{k}\x03" + os.path.commonprefix([_leading_text(v, plain) for v in vs])
                             for k, vs in values.items() if k not in other and k not in plain)


# Where files are copied, linked, moved or unpacked: the modules' functions, and methods no other object has
_FILE_MOVERS = {"shutil": frozenset({"copy", "copy2", "copyfile", "copytree", "move", "unpack_archive"}),
                "os": frozenset({"symlink", "link", "rename", "replace", "renames", "mkdir", "makedirs", "open",
                                 "mkfifo", "mknod"}),
                "io": frozenset({"open"}), "codecs": frozenset({"open"}), "tarfile": frozenset({"open", "TarFile"}),
                "zipfile": frozenset({"ZipFile"})}
# ... of them, what makes a file or folder of the name it is handed first (review 467: `os.makedirs(name)` of each
# module name a listing of IPython's extensions gave, a namespace package `autoreload/`)
_MAKERS = frozenset({"mkdir", "makedirs", "open", "mkfifo", "mknod", "TarFile", "ZipFile"})
_FILE_METHODS = frozenset({"symlink_to", "hardlink_to", "extractall", "extract", "write_text", "write_bytes",
                           "copy_tree", "touch", "mkdir", "open"})
_NAMED_BY_RECEIVER = frozenset({"symlink_to", "hardlink_to", "write_text", "write_bytes", "touch", "mkdir", "open"})
# IPython's magics that make files or folders named by their arguments (`%mkdir $n`, `%save -q $n 1`)
_FILE_MAGICS = frozenset({"mkdir", "save", "logstart", "writefile", "file"})
_IMPORTABLE = re.compile(r"\.(?:py[cdw]?|so|zip|egg|whl|pth)$|[/\\]$", re.IGNORECASE)
_RUNNERS = frozenset({"system", "getoutput", "getstatusoutput", "run", "call", "check_call", "check_output", "Popen",
                      "popen", "sx"})
_SHELL_MAGICS = frozenset({"bash", "sh", "script", "system", "sx"})
_SHELL_COPIES = re.compile(r"(?<![\w.-])(?:cp|ln|mv|rsync|install|unzip|tar|7z|bsdtar|cpio|pax|mkdir|touch|tee|dd|"
                           r"curl|wget|python3?)(?![\w.-])|>")
_MAY_MOVE = re.compile(r"path|chdir|addsitedir|\bcd\b|pushd|popd|shutil|symlink|link|rename|replace|extract|write_|"
                       r"copy|open|system|subprocess|run|getoutput|Popen|sx|!|%%(?:bash|sh|script)|mkdir|makedirs|"
                       r"touch|mknod|mkfifo|modules|extensions|save|logstart|ZipFile|TarFile|"
                       # (... an attribute reached by its name as text, which may be joined, review 477)
                       r"getattr|setattr|attrgetter|methodcaller|vars|__dict__|import_module|__import__|getmembers|"
                       # (... `site`'s `.pth` files, bookmarks, text run as code, a file's code: review 480)
                       r"\bsite\b|addpackage|bookmark|\b_dh\b|\bexec\b|\beval\b|\bcompile\b|writefile|%%file|"
                       # (... code from data, code objects, interpreters, a module's file: review 483)
                       r"\.loads?\b|pickle|marshal|\bdill\b|shelve|joblib|Unpickler|FunctionType|CodeType|LambdaType|Interactive|FileLoader|from_spec|"
                       r"builtins|\.i?pyw?\b|ex'|'ec\b|timeit|[cC]Profile|\bprofile\b|\bpdb\b|\btrace\b|zipimport|"
                       r"\.pyc\b|get_ipython|\bmagic\b")
# Literals joined into one text (`'pa' + 'th'`, `'pa' 'th'`): the prefilter reads the words they make (review 477)
_JOINED_LITERALS = re.compile(r"['\"][ \t]*\+?[ \t]*['\"]")


def _copies_unnamed(command: str) -> bool:
    """A shell command that copies, links, moves or unpacks files named by a pattern, a variable or a command's output
    (`cp $src .`, `cp /x/*.py .`, `unzip $(...)`): the files' names are not written out."""
    return _SHELL_COPIES.search(command) is not None and re.search(r"[$`*?\[{]", command) is not None


def _puts_files(call: ast.Call, called: str, movers: dict[str, str], imported: set[str],
                plain: frozenset[str]) -> bool:
    """Does the call put files under names the cell does not write out where `import` may find them: a copy, link,
    move or unpacking of shutil's, os's, pathlib's or an archive's, `open(name, 'w')`, or a shell command doing so?"""
    func = call.func
    args = [*call.args, *(k.value for k in call.keywords)]
    qualified = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
        called in _FILE_MOVERS.get(movers.get(func.value.id, ""), ()) or isinstance(func, ast.Name) and \
        func.id in imported
    if qualified and called in _MAKERS and (isinstance(func, ast.Name) or movers.get(func.value.id) != "shutil"):
        # (a file or folder made: named by its first argument; `open` only to write)
        if called in ("open", "TarFile", "ZipFile") and not _writes(call):
            return False
        return bool(call.args) and not _made_where_written(call.args[0], plain) and not (
            called in ("open", "TarFile", "ZipFile") and _ends_written(call.args[0]))
    if qualified:
        # (a file that is no module copied, linked or moved to a name that is none either, `model_{lr}.pt` to
        # `backup/model_{lr}.pt`: the source's ending too, since a destination `lib.txt` may be a folder, review 468)
        src = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "src"), None)
        dst = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "dst"), None)
        if called not in ("copytree", "unpack_archive") and src is not None and dst is not None and \
                _ends_written(src) and (_ends_written(dst) or _made_where_written(dst, plain) and not (
                    isinstance(dst, ast.Constant) and str(dst.value).strip().rstrip("/") in ("", "."))):
            return False
        return not all(_plain_path(a, plain) for a in args)
    if isinstance(func, ast.Attribute) and called in _FILE_METHODS:
        # (what names the files: the path a method is called on, `Path(p).write_text(...)`, `Path(p).touch()`, a
        # member, `zf.extract(m)`; an archive's members, `extractall()`: both)
        if called == "open" and not _writes(call, 0):
            return False
        if called in _NAMED_BY_RECEIVER:
            return not (_made_where_written(func.value, plain) or called in ("write_text", "write_bytes", "open", "touch")
                        and _ends_written(func.value))
        dest = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "path"), None)
        if called == "extractall" and dest is not None and _made_where_written(dest, plain) and not (
                isinstance(dest, ast.Constant) and str(dest.value).strip().rstrip("/") in ("", ".")):
            return False                # (into a folder written out: `extractall('data')`)
        parts = args if called in ("extract", "copy_tree") else [func.value, *args]
        return not all(_plain_path(a, plain) for a in parts)
    if isinstance(func, ast.Name) and func.id == "open" and call.args:
        return _writes(call) and not (_made_where_written(call.args[0], plain) or _ends_written(call.args[0]))
    if called in ("run_line_magic", "run_cell_magic") and call.args and isinstance(call.args[0], ast.Constant) and \
            call.args[0].value in _FILE_MAGICS:
        return not all(isinstance(a, ast.Constant) and isinstance(a.value, str) and not re.search(r"[$({]", a.value)
                       and not _names_a_module(a.value) for a in call.args[1:2])
    if called in _RUNNERS or called in ("run_line_magic", "run_cell_magic") and call.args and isinstance(
            call.args[0], ast.Constant) and call.args[0].value in _SHELL_MAGICS | {"cp", "mv"}:
        texts = [n.value for a in args for n in walk(a) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        if called in ("run_line_magic", "run_cell_magic") and call.args[0].value in ("cp", "mv"):
            texts = [f"cp {t}" for t in texts]
        said = " ".join(texts)
        return _SHELL_COPIES.search(said) is not None and (
            _copies_unnamed(said) or _names_a_module(said) or not all(_plain_path(a, plain) for a in args))
    return False


def _writes_modules(n: ast.Attribute, parents: dict[int, ast.AST]) -> bool:
    """Does the code put a module in `sys.modules` (``n``) under a key it does not write out: `sys.modules[k] = m`,
    `.update(...)` but of a dict written out, `.setdefault(k, m)`, `|=`, or `sys.modules` handed on or given a name?
    A key written out is read by the names' reading (`sys.modules['autoreload']`); reading the dict sets nothing."""
    up = parents.get(id(n))
    if isinstance(up, ast.Subscript) and up.value is n:
        return not isinstance(up.ctx, ast.Load) and not (
            isinstance(up.slice, ast.Constant) and isinstance(up.slice.value, str))
    if isinstance(up, ast.Attribute) and isinstance(parents.get(id(up)), ast.Call) and parents[id(up)].func is up:
        call = parents[id(up)]
        if up.attr == "update":
            return not all(isinstance(a, ast.Dict) and all(isinstance(k, ast.Constant) for k in a.keys)
                           for a in call.args) or any(k.arg is None for k in call.keywords)
        if up.attr in ("setdefault", "__setitem__"):
            return not (call.args and isinstance(call.args[0], ast.Constant))
        return False                    # (`get`, `keys`, `pop`, `items`: reading, or taking one away)
    if isinstance(up, ast.Compare) or isinstance(up, ast.Call) and up.func is not n and isinstance(
            up.func, ast.Name) and up.func.id in _READS_ONLY | {"dict", "vars"}:
        return False
    if isinstance(up, (ast.For, ast.comprehension)) and up.iter is n:
        return False
    return isinstance(up, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.NamedExpr, ast.Call, ast.keyword,
                           ast.Return, ast.Lambda, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Starred)) or \
        not isinstance(n.ctx, ast.Load)


def _writes(call: ast.Call, at: int = 1) -> bool:
    """Does an `open` call write: its mode (the argument at ``at``, or `mode=`) not written out, or one that writes."""
    mode = call.args[at] if len(call.args) > at else next((k.value for k in call.keywords if k.arg == "mode"), None)
    return mode is not None and (not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)) or any(
        c in mode.value for c in "wax+"))


def _made_where_written(node: ast.AST, plain: frozenset[str]) -> bool:
    """Is what a path names written out, or made inside a folder whose name is written out (`f'runs/{name}'`,
    `os.path.join('checkpoints', name)`, `Path('figures') / name`)? Only the working folder's own entries (and the
    folders `sys.path` holds, read apart) are where `import autoreload` looks; a folder the text names is not one of
    them unless it is `.`."""
    if _plain_path(node, plain):
        return True
    lead = _leading_text(node, plain).replace("\\", "/")
    if ".." in lead.split("/"):     # (`f"runs/../{n}"` is in the working folder, review 474)
        lead = posixpath.normpath(lead) + ("/" if lead.endswith("/") else "")
    while lead.startswith("./"):
        lead = lead[2:]
    if lead.split("/")[0] == "..":
        return False                # (the folder above, which `sys.path.append('..')` may name)
    first, sep, _ = lead.partition("/")
    # (... or a name in the working folder that starts otherwise than `autoreload` does: `f"runs_lr{lr}"`, a fairness
    # finding of review 471)
    return bool(sep) and first not in ("", ".") or lead.startswith("/") and "/" in lead[1:] or \
        not sep and lead.strip(".") != "" and not "autoreload".startswith(lead) and not _names_a_module(lead)


def _names_a_module(text: str) -> bool:
    """Does a text Python has read (escapes and adjacent literals joined) or a shell line unquoted (`auto''reload`)
    name autoreload, or an installed package that ships a module of that name?"""
    flat = re.sub(r"[\'\"\\]", "", text)
    return "autoreload" in flat or any(re.search(rf"\b{re.escape(p)}\b", flat) for p in packages_with_autoreload())


def _full_text(node: ast.AST) -> str | None:
    """The whole text of a path written as text (`'runs'`, `Path('runs', 'a')`, `'a' + 'b'`, `Path('a') / 'b'`), or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):             # (`f'{"auto"}reload.py'`)
        texts = [v.value if isinstance(v, ast.Constant) else v.value.value if isinstance(v, ast.FormattedValue) and
                 isinstance(v.value, ast.Constant) else None for v in node.values]
        return "".join(str(t) for t in texts) if all(t is not None for t in texts) else None
    parts, sep = None, ""
    if _text_join(node):            # (`'utoreloa'.join('ad')` is `autoreload`, review 474)
        texts = _joined_texts(node)
        return texts[0] if texts is not None and len(texts) == 1 and _UNKNOWN not in texts[0] else None
    if isinstance(node, ast.Call) and (isinstance(node.func, ast.Attribute) and node.func.attr in ("join", "Path", "PurePath")
                                       or isinstance(node.func, ast.Name) and node.func.id in ("Path", "PurePath")):
        parts, sep = node.args, "/"
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.Add)):
        parts, sep = [node.left, node.right], "/" if isinstance(node.op, ast.Div) else ""
    if not parts or not all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
        return None
    return sep.join(p.value for p in parts)


def _text_join(node: ast.AST) -> bool:
    """Is the node `str.join` called on text written out (`''.join([...])`, `'x'.join('ab')`), no path's join?"""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join" and \
        isinstance(node.func.value, ast.Constant)


def _leading_text(node: ast.AST, plain: frozenset[str]) -> str:
    """The text a path surely starts with (`'runs/'` of `f'runs/{name}'`, of `os.path.join('runs', name)`, of
    `Path('figures') / name`). Read down the path's first parts in a loop, however long the chain."""
    for _ in range(10_000):
        whole = _full_text(node)
        if whole is not None:
            return whole
        if isinstance(node, ast.Name):
            return _name_texts(plain, "^").get(node.id, ("",))[0]
        if isinstance(node, ast.JoinedStr):
            return node.values[0].value if node.values and isinstance(node.values[0], ast.Constant) else ""
        # (a part joined on that may be a whole path of its own starts the path anew: `os.path.join('runs',
        # os.path.abspath(n))` is `n` in the working folder, review 473)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
            if isinstance(node.op, ast.Div) and not _relative(node.right, plain):
                return ""
            first = _full_text(node.left)
            if first is not None:
                return first + ("/" if isinstance(node.op, ast.Div) else "")
            node = node.left
        elif isinstance(node, ast.Call) and node.args and not _text_join(node) and (
                isinstance(node.func, ast.Attribute) and node.func.attr in ("join", "Path", "PurePath") or
                isinstance(node.func, ast.Name) and node.func.id in ("Path", "PurePath")):
            if not all(_relative(a, plain) for a in node.args[1:]):
                return ""
            first = _full_text(node.args[0])
            if first is not None:
                return first + ("/" if len(node.args) > 1 else "")
            node = node.args[0]
        else:
            return ""
    return ""


def _relative(node: ast.AST, plain: frozenset[str]) -> bool:
    """Does a part joined onto a path not start a path of its own where the code shows it: text written out, or a
    name's known start, that starts at the root, or a call that makes a whole path (`os.path.abspath(n)`,
    `Path.cwd()`, `os.getcwd()`)? A part computed at run time may still be one (`name = '/.../autoreload'`): the class
    of names computed at run time, documented with `..` (a fairness review, 475: `os.path.join('runs', name)` of a
    loop's names, a date, a class's name, all flagged where any part not written out counted)."""
    for _ in range(10_000):
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)):
            break
        node = node.left
    if isinstance(node, ast.Call):
        name = _attribute_call_name(node)
        if name in _WHOLE_PATHS:
            return False
        if name in ("join", "Path", "PurePath", "str", "fspath") and node.args:
            return _relative(node.args[0], plain)
        return not (isinstance(node.func, ast.Attribute) and name in _SAME_TEXT) or _relative(node.func.value, plain)
    if isinstance(node, ast.Attribute):
        return node.attr not in ("__file__", "home") and (node.attr not in _SAME_TEXT or _relative(node.value, plain))
    if isinstance(node, ast.Name):
        lead = _name_texts(plain, "^").get(node.id, ("",))[0] or \
            next(iter(_name_texts(plain).get(node.id, ("",))), "")
    elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        lead = str(node.values[0].value)
    else:
        lead = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
    return not lead.startswith(("/", "\\", "~")) and re.match(r"[A-Za-z]:", lead) is None


# What makes a whole path of a part: joined onto a folder written out, it starts the path anew (review 473)
_WHOLE_PATHS = frozenset({"abspath", "realpath", "expanduser", "getcwd", "getcwdb", "cwd", "home", "resolve",
                          "absolute", "gettempdir", "mkdtemp", "getsitepackages", "getusersitepackages", "get_path",
                          "get_paths", "find_spec", "dirname"})


def binds_print(source: str) -> bool:
    """May the cell give `print` another value (bound as a name, defined, imported as, declared global, an attribute
    of that name set, `builtins.print = ...`, a keyword or a string that may name it, `globals()['print'] = ...`,
    `vars(builtins).update(print=...)`)? Then a `print` of literals anywhere in the notebook may run the notebook's
    code (review 455: `def print(*a): sys.modules[a[0]] = ...` in a cell above `print('autoreload')`; 459: `match f:
    case print:`), as may `from m import *` of a module not installed. Reading `__builtins__` binds nothing (`'get_ipython' in dir(__builtins__)`: a fairness check of 455's fix)."""
    code = as_python_reads(code_only(source))
    if "print" not in code and not re.search(r"\bimport[ \t]*\*", code):
        return False
    tree = python_tree(source)
    if tree is None:
        return re.search(r"\bprint\b(?![ \t]*\()", code) is not None
    for n in ast.walk(tree):
        # (every way Python binds a name, a `case print:` capture too, review 459; an attribute of that name set)
        if "print" in bound_by(n) or isinstance(n, ast.Attribute) and n.attr == "print" and \
                not isinstance(n.ctx, ast.Load) or isinstance(n, ast.keyword) and n.arg == "print" or isinstance(
                    n, ast.Constant) and isinstance(n.value, str) and re.search(r"\bprint\b(?![ \t]*\()", n.value):
            return True
        # ... and `from m import *` of a module the notebook may have written (not one installed: `from pylab import *`)
        if isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) and (
                n.level or _extension_missing(n.module or "")):
            return True
    return False


@functools.lru_cache(maxsize=8)      # (asked by `magic_lines` and `refused_at_top` of the same cell)
def autoreload_loaded_at(source: str) -> int | None:
    """The first line (0-based, of the cell as IPython cleans it) at which the cell surely loads IPython's autoreload
    extension, None where it does not: a line IPython turns into `%load_ext autoreload` (or `%time` of it), or a call
    that loads it written out (through `get_ipython()`, `IPython.get_ipython()` or a name the cell gave it right
    above), where the line surely runs: at the cell's top level, in `if True:`, or first in a `try` block (a
    fairness review, 450: honest cells load it so). A cell under a cell magic runs none of its lines as IPython's
    (review 446: `%%writefile`), but `%%capture` and `%%time`, which run their body as a cell; a load in a block that
    may not run (`if False:`, a loop, a function) or below a `%autoreload` line loads nothing for it."""
    if "autoreload" not in source or "load_ext" not in source or shadows_autoreload(source):
        return None
    magic = cell_magic(source)
    if magic:
        if magic not in ("capture", "time"):
            return None
        lines = crlf_as_lf(cleaned(source)).split("\n")
        first = next(i for i, ln in enumerate(lines) if ln.strip())
        inner = autoreload_loaded_at("\n".join(lines[first + 1:]))
        # (the magic shows what its body raises and the cell goes on: only lines that raise nothing may come first,
        # the shell's and `%pip`'s, or `%%capture` then `1/0` would be read as loading it)
        if inner is None or not all(_QUIET_LINE.match(ln) for ln in lines[first + 1:first + 1 + inner]):
            return None
        return first + 1 + inner
    text = crlf_as_lf(cleaned(source))
    lines = text.split("\n")
    loads: set[int] = set()
    grouping = logical_lines(text)
    code = lines
    if grouping is not None and grouping.settled:
        loads |= {k for k in grouping.escapes if k < len(lines) and _LOADS_AUTORELOAD_LINE.fullmatch(lines[k].strip())}
        code = _turned_as_pass(lines, grouping)
    try:
        tree = ast.parse("\n".join(code))     # (the calls as written: the reading turns them into what they run)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for n in ast.walk(tree):
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call):
            m = _LOADS_AUTORELOAD_CALL.fullmatch(ast.unparse(n.value))
            if m and (m.group(1) is None or _given_the_shell(tree.body, n, m.group(1))):
                loads.add(n.lineno - 1)
    return min((k for k in loads if _surely_runs(tree.body, k + 1)), default=None)


def _given_the_shell(body: list, call: ast.stmt, name: str) -> bool:
    """Is ``name`` the shell where ``call`` (a statement of ``body``) runs: given `get_ipython()` by the statement right
    above it, or above a run of the shell's calls for autoreload and the everyday magics made on that name and of
    `print`s of literals (review 451: `class ip:` between the two, a shell of one's own)? Not above other calls of its
    methods, which may give the name another value (`ip.run_cell("ip = ...")`, `ip.push(...)`, `%run`)."""
    at = next((k for k, n in enumerate(body) if n is call), None)
    for n in reversed(body[:at] if at is not None else []):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name) and \
                n.targets[0].id == name:
            return _SHELL.fullmatch(ast.unparse(n.value)) is not None
        if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Call) and (
                _shown(n.value) or _quiet_shell_call(n.value, name))):
            return False
    return False


# The magics a shell's call between a name given the shell and its load may run: none of them gives a name a value
_QUIET_MAGICS = frozenset({"load_ext", "reload_ext", "autoreload", "aimport", "matplotlib", "config"})


def _quiet_shell_call(call: ast.Call, name: str) -> bool:
    """`ip.run_line_magic('<magic>', '...')`, `ip.magic('<magic> ...')` of a magic in `_QUIET_MAGICS`, or
    `ip.extension_manager.load_extension('...')`, with literal arguments, on the name ``name``."""
    func = call.func
    if call.keywords or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args) or \
            not isinstance(func, ast.Attribute) or not call.args:
        return False
    owner = func.value
    if func.attr in _EXTENSION_METHODS and isinstance(owner, ast.Attribute) and owner.attr == "extension_manager":
        return isinstance(owner.value, ast.Name) and owner.value.id == name
    if not (isinstance(owner, ast.Name) and owner.id == name) or func.attr not in _SHELL_METHODS:
        return False
    magic = call.args[0].value.lstrip("%").split(" ")[0] if func.attr == "magic" else call.args[0].value
    return magic in _QUIET_MAGICS


def _shown(call: ast.Call) -> bool:
    """A `print` of literals and of a value's type's name, nothing else (a fairness review, 453: `ip = get_ipython()`,
    `print(type(ip).__name__)`, then `ip.run_line_magic(...)`): it runs no code of the notebook's, so it binds no name
    (review 454: `print(str(obj))` runs the object's `__str__`, which gave the name another value; `file=` its own
    writer)."""
    def plain(a: ast.expr) -> bool:
        return isinstance(a, ast.Constant) or isinstance(a, ast.Attribute) and a.attr in ("__name__", "__qualname__") \
            and isinstance(a.value, ast.Call) and isinstance(a.value.func, ast.Name) and a.value.func.id == "type" \
            and len(a.value.args) == 1 and not a.value.keywords and isinstance(a.value.args[0], ast.Name)
    return isinstance(call.func, ast.Name) and call.func.id == "print" and all(map(plain, call.args)) and all(
        k.arg in ("sep", "end") and isinstance(k.value, ast.Constant) for k in call.keywords)


def _surely_runs(body: list, line: int) -> bool:
    """Does the statement at ``line`` surely run when ``body`` runs to it: at its top level, or in blocks that surely
    run it (`if` of a true literal, the first statement of a `try`)? Not a `with` block, whose manager may raise as
    it enters, in a `try` that goes on (review 451: `with open('/nonexistent/x'): %load_ext autoreload`)."""
    for stmt in body:
        if not stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno):
            continue
        if stmt.lineno == line and not isinstance(stmt, (ast.If, ast.With, ast.AsyncWith, ast.Try, ast.TryStar)):
            return True
        if isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Constant) and stmt.test.value:
            return _surely_runs(stmt.body, line)
        if isinstance(stmt, (ast.Try, ast.TryStar)) and stmt.body:
            return _surely_runs(stmt.body[:1], line)
        return False
    return False


def loads_autoreload(source: str) -> bool:
    """Does the cell surely load IPython's autoreload extension (`autoreload_loaded_at`)?"""
    return autoreload_loaded_at(source) is not None


def kernel_has_magic(name: str) -> bool:
    """Is ``name`` a line magic a kernel has without an extension loaded or a magic registered (IPython's own, its
    aliases of shell commands, ipykernel's, storemagic's, and autoreload's, which the grader reads where they stand)?"""
    return name in _ipython_magics()[0] or name in _SHELL_ALIASES or name in _MORE_MAGICS


# The line magics that read their options with IPython's `parse_options` (a getopt spec: an option the magic does not
# take is a UsageError before it does anything): (spec, long options, posix, strict) as each calls it, ipykernel's
# `%edit` for the kernel's; `test_the_option_specs_are_ipythons` reads them from IPython's and ipykernel's source.
_OPTION_SPECS: dict[str, tuple[str, tuple[str, ...], bool, bool]] = {
    "bookmark": ("drl", (), True, True), "cd": ("qb", (), True, True), "edit": ("prn:", (), True, True),
    "load": ("yns:r:", (), True, True), "logstart": ("ortq", (), True, True), "macro": ("rq", (), True, True),
    "page": ("r", (), True, True), "pastebin": ("d:e:", (), True, True), "psearch": ("cias:e:l", (), True, True),
    "rerun": ("l:g:", (), True, True), "run": ("nidtN:b:pD:l:rs:T:em:G", (), True, True),
    "save": ("fra", (), True, True), "sc": ("lv", (), True, True), "prun": ("D:l:rs:T:q", (), False, True),
    "timeit": ("n:r:tcp:qo", (), False, False), "gui": ("", (), True, True),
    # (review 488: `%reset -z`, `%reset_selective -z`, `%xdel -z x` are UsageErrors, read as running)
    "reset": ("sf", ("aggressive",), True, True), "reset_selective": ("f", (), True, True), "xdel": ("n", (), True, True)}
# ... and those that hand their line to another's parser (`%pushd dir` runs `%cd dir`'s)
_OPTIONS_OF = {"pushd": "cd"}
# The line magics that read their arguments with argparse (IPython's `magic_arguments`: a line its parser refuses is a
# UsageError), and the aliases IPython registers for its own magics
_ARGPARSED = frozenset({"alias_magic", "debug", "history", "notebook", "pylab", "matplotlib"})
_MAGIC_ALIASES = {"ed": "edit", "hist": "history", "rep": "recall"}
# IPython's extensions it finds by their short name (`%load_ext autoreload`)
_BUILTIN_EXTENSIONS = frozenset({"autoreload", "storemagic"})


@functools.lru_cache(maxsize=64)
def magic_refused(name: str, args: str) -> bool:
    """Does the kernel refuse this line magic before it runs anything (stopping the cell): a name no magic of the
    kernel has (review 439), an option or argument line the magic's own parser refuses (`%cd -z`, `%history -Z`,
    `%debug -h`, `%load_ext` of no module), a `%matplotlib` or `%pylab` backend IPython does not know (`%matplotlib
    inlin`: a KeyError; review 441), or `%load_ext` of a module that is not there (ModuleNotFoundError)? Each family
    is read by the reader of the parser its magics share (`_READERS`). Arguments IPython expands (`$x`, `{x}`) are not
    known before the line runs: not read but where an option is refused before them (nor other magics' arguments that
    their code refuses: the README's "what remains")."""
    if not kernel_has_magic(name):
        return True
    name = _MAGIC_ALIASES.get(name, name)
    spec = _OPTION_SPECS.get(_OPTIONS_OF.get(name, name))
    if spec is not None and not _options_skipped(name, args):
        return _options_refused(args, spec)
    if ("$" in args or "{" in args) and name != "matplotlib":
        return False
    reader = _READERS.get(name)
    return reader is not None and reader(name, args)


def _options_skipped(name: str, args: str) -> bool:
    """Lines of a magic with a getopt spec that never reach its parser: `%pushd` alone changes no directory; `%run -m`
    rewrites its line first; `%cd -0` and `%cd --name` go back in the directories' history before any option is read
    (a fairness review, 450)."""
    return (name == "pushd" and not args.strip() or name == "run" and "-m" in args or
            name in ("cd", "pushd") and bool(re.match(r"-\d+$", args) or args.startswith("--")))


def _options_refused(args: str, spec: tuple[str, tuple[str, ...], bool, bool]) -> bool:
    """Does IPython's `parse_options` refuse the line with the magic's getopt spec? Where IPython expands `$x` or `{x}`
    first, only the options before them are read: one the magic does not take is refused whatever they give (review
    448's `%cd -z {1}`); one that takes an argument may take what they give."""
    text, expanded = args, "$" in args or "{" in args
    if expanded:
        cut = min(i for i in (args.find("$"), args.find("{")) if i >= 0)
        # (whole words, and the options of one cut short: getopt reads `-z{k}`'s `z` before what `{k}` gives)
        head, _, word = args[:cut].rpartition(" ")
        text = args[:cut] if word.startswith("-") and not word.startswith("--") or not word else head
    try:
        _ipython_options(text, spec[0], posix=spec[2], strict=spec[3], long_opts=spec[1])
    except ImportError:
        return False
    except Exception as e:  # noqa: BLE001 - IPython's UsageError of getopt's, or shlex's ValueError (a quote cut short)
        # (cut before an expansion, a quote may end in what it gives: only an option refused counts)
        return "not recognized" in str(e) if expanded else True
    return False


def _autoreload_refused(name: str, args: str) -> bool:
    """Does autoreload's own parser refuse the line (`%autoreload 2  # reload modules` is a UsageError, review 453)?"""
    try:
        from IPython.core.magic_arguments import parse_argstring
        from IPython.extensions.autoreload import AutoreloadMagics
    except ImportError:
        return False
    try:
        parse_argstring(AutoreloadMagics.autoreload, args)
    except BaseException:  # noqa: BLE001 - (argparse's SystemExit, IPython's UsageError)
        return True
    return False


def _argparse_refused(name: str, args: str) -> bool:
    """Does the magic's argparse parser (IPython's `magic_arguments`) refuse the line, or, for `%matplotlib` and
    `%pylab`, name a backend IPython does not know (a KeyError, review 441's `%matplotlib inlin`)?"""
    try:
        from IPython.core.pylabtools import backends
        parsed = _magic_function(name).parser.parse_argstring(args)
    except ImportError:
        return False
    except Exception:  # noqa: BLE001 - IPython's UsageError: the line is refused
        return True
    if name not in ("matplotlib", "pylab"):
        return False
    gui = parsed.gui.lower() if isinstance(parsed.gui, str) else parsed.gui
    return not getattr(parsed, "list", False) and bool(gui) and gui != "auto" and gui not in backends


@functools.lru_cache(maxsize=64)
def cell_magic_refused(name: str, args: str) -> bool:
    """Does IPython refuse a cell magic's own line before it runs the cell (a UsageError: review 451's `%%time x`,
    "Can't use statement directly after '%%time'!", `%%capture a b` and `%%capture -z`, its parser's)? Read for
    `%%time`, the magics whose options are `parse_options`' (`%%timeit`, `%%prun`) and those with an argparse parser
    (`%%capture`, `%%writefile`, `%%html`, `%%debug`). A name no cell magic of the kernel has is refused (review 487:
    `%%nosuch` right above the answers, read as no stop); one an extension or the notebook makes is not seen here: the
    line reads as a stop, which is flagged, as for line magics."""
    if not kernel_has_cell_magic(name):
        return True                     # (`%%nosuch`: a UsageError, none of the cell runs; as an unknown line magic is)
    if "$" in args or "{" in args:
        return False
    if name == "time":
        return bool(args.strip())
    spec = _OPTION_SPECS.get(name) if name in ("timeit", "prun") else None
    try:
        if spec is not None:
            _ipython_options(args, spec[0], posix=spec[2], strict=spec[3], long_opts=spec[1])
            return False
        from IPython.core import magics
        from IPython.core.magic import Magics
        function = next((getattr(v, v.magics["cell"][name]) for v in vars(magics).values() if isinstance(v, type)
                         and issubclass(v, Magics) and name in (getattr(v, "magics", None) or {}).get("cell", {})), None)
        if function is None or name not in ("capture", "writefile", "html", "debug"):
            return False                # (`%%script` reads its line with `parse_known_args`: the rest is its command)
        function.parser.parse_argstring(args)
    except ImportError:
        return False
    except Exception:  # noqa: BLE001 - IPython's UsageError: the cell's line is refused
        return True
    return False


def _value_refused(name: str, value: str) -> bool:
    """Does the magic refuse its line as its code reads it: `%precision` a text that is no count of digits (not 0 or
    more) nor a format (`%` in it: not read here, formatting a student's text could cost the grader), `%autosave` no
    whole number, `%less` and `%more` no file named (IPython's ValueError or UsageError)?"""
    if name in ("less", "more"):
        return not value
    if name == "precision" and (not value or "%" in value):
        return False
    try:
        number = int(value)
    except ValueError:
        return True
    return name == "precision" and number < 0


def _magic_function(name: str):
    """IPython's function of one of its own line magics (ImportError where IPython has none of that name)."""
    from IPython.core import magics
    from IPython.core.magic import Magics
    for value in vars(magics).values():
        if isinstance(value, type) and issubclass(value, Magics) and name in (getattr(value, "magics", None) or {}).get(
                "line", {}):
            return getattr(value, value.magics["line"][name])
    raise ImportError(name)


def _extension_missing(args: str) -> bool:
    """Would `%load_ext` of this text raise: no module named (a UsageError), or one whose top-level package is not
    installed (ModuleNotFoundError)? Found without importing anything: a dotted name whose package is there is taken
    as there (importing it would run its code in the grader)."""
    module = args.rstrip()              # (`%load_ext  autoreload`: IPython imports " autoreload", which is no module)
    if not module.strip():
        return True
    if module in _BUILTIN_EXTENSIONS:
        return False
    if not re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*", module):
        return True                     # (`a b`, `a-b`: no module's name; IPython's import raises)
    import importlib.util
    try:
        return importlib.util.find_spec(module.split(".")[0]) is None
    except (ImportError, ValueError):
        return True



# The reader of each family of magics whose own code refuses a line before it runs anything (those with a getopt spec
# are read by `_options_refused`, above): `magic_refused` asks the one of the magic's name, and none means "runs".
_READERS: dict[str, Callable[[str, str], bool]] = {
    "load_ext": lambda name, args: _extension_missing(args), "reload_ext": lambda name, args: _extension_missing(args),
    **dict.fromkeys(("precision", "autosave", "less", "more"), lambda name, args: _value_refused(name, args.strip())),
    "autoreload": _autoreload_refused,
    **dict.fromkeys(_ARGPARSED, _argparse_refused)}

def as_explicit(source: str) -> str:
    """A cell of one line that runs as a magic by its bare name (`automagic`) written as that magic's
    line (`ls -l` is `%ls -l`), which every reading of magic lines knows; any other cell as it is. The
    line runs as Python instead where a variable of the magic's name exists: read it that way too."""
    if not automagic(source):
        return source
    from IPython.core.splitinput import LineInfo        # automagic() found it importable
    info = LineInfo(next(ln for ln in cleaned(source).splitlines() if ln.strip()).strip())
    return f"%{info.ifun} {info.the_rest}"      # as IPython's handler joins them (review 427: `reset\t-f`)


def scan_text(source: str) -> str:
    """The cell's text as the scans for what its code names read it: letters as Python reads them,
    comments blanked (tokenized only where a scan would find something: most cells have comments)."""
    named = as_python_reads(source)
    if "#" in named and (makes_magic(named) or reaches_shell(named) or _RUNS_OTHER_CODE.search(named)):
        return as_python_reads(code_only(source))
    return named


def _as_one_line_runs(source: str) -> str:
    """A statement or body a magic hands to IPython (`%time`'s, `%%time`'s, `%%capture`'s), as IPython
    reads it: one line that starts with a magic's name runs as that magic, a shell command's alias as
    the command (a two-hundred-and-twenty-sixth review: `%time pwd; a_ = True; ...` ran `%pwd` with the
    rest as its text, and set nothing, where the grader graded five answers)."""
    name = automagic(source)
    if name is None:
        return source
    from IPython.core.splitinput import LineInfo        # automagic() found it importable
    info = LineInfo(next(ln for ln in cleaned(source).splitlines() if ln.strip()).strip())
    return f"{'!' if name in _SHELL_ALIASES else '%'}{info.ifun} {info.the_rest}"      # as IPython's handler joins them


def runs_elsewhere(source: str) -> tuple[int, str] | None:
    """(line, magic) of the cell's first magic that runs code the cell does not hold (`%run`, `%load`,
    `%rerun`, `%macro`, also inside another magic), or that makes magics of its own (`alias_magic`,
    in any form: its aliases are read as what they stand for only where the grader's reading finds
    them, `unaliased`). None: none. A graded cell with one is flagged for a TA (a two-hundred-and-
    tenth review made an alias with `x = %alias_magic t time`, which the first reading missed; a
    two-hundred-and-eleventh ran an import from a file with `%time %run -i m.py`, both unflagged). Read
    as IPython cleans the cell (`... %run -i m.py` behind a pasted prompt, seen in review 425)."""
    found = []
    source = scan_text(cleaned(source))
    for made in (makes_magic(source), reaches_shell(source)):
        if made is not None:
            found.append((made.start(), made.group()))
    uses = magic_uses(source, _RUNS_OTHER_CODE)
    if uses:
        found.append((uses[0][0], uses[0][1].group()))
    call = _CALLS_OTHER_CODE.search(source) if "run_line_magic" in source else None
    if call is not None:
        found.append((call.start(), "%" + call.group(2)))
    turned = ipython_text(source)
    call = _CALLS_OTHER_CODE.search(turned) if "run_line_magic" in turned else None
    if call is not None:
        found.append((line_offset(source, turned.count("\n", 0, call.start())), "%" + call.group(2)))
    if not found:
        return None
    at, magic = min(found)
    return source.count("\n", 0, at) + 1, magic


def line_starts(source: str) -> list[int]:
    """Where each line of the cell starts (the first at 0), read once for a cell whose lines are each asked where
    they stand (review 423: thousands of magic lines, each place counted from the top, the square of the lines)."""
    out = [0]
    at = source.find("\n")
    while at >= 0:
        out.append(at + 1)
        at = source.find("\n", at + 1)
    return out


def line_offset(source: str, line: int) -> int:
    """Where line ``line`` (from 0) of the cell starts, or its end."""
    at = 0
    for _ in range(line):
        nxt = source.find("\n", at)
        if nxt < 0:
            return len(source)
        at = nxt + 1
    return at


def _alias_target(aliases: dict[str, tuple[str, str]], name: str) -> tuple[str, str] | None:
    """(magic, parameters to put before the line) an alias calls at last; None for a loop (IPython
    stops the cell: "Infinite recursion detected")."""
    params, seen = "", set()
    while name in aliases:
        if name in seen:
            return None
        seen.add(name)
        name, own = aliases[name]
        params = (" " + own if own else "") + params
    return name, params


def _aliases_made(args: str, aliases: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The line magic alias an `%alias_magic` line makes, as IPython reads its arguments (none where
    it makes a cell magic only, or refuses them)."""
    try:
        from IPython.core.magic_arguments import parse_argstring
        from IPython.core.magics.basic import BasicMagics
        made = parse_argstring(BasicMagics.alias_magic, args)
    except (Exception, SystemExit):  # noqa: BLE001 - IPython's UsageError (or argparse's exit), or no IPython
        return {}
    name, target, params = made.name.lstrip("%"), made.target.lstrip("%"), made.params
    if params and len(params) > 1 and params[0] == params[-1] and params[0] in "'\"":
        params = params[1:-1]
    if made.cell and not made.line:
        return {}
    if not made.line and not made.cell and target in _ipython_magics()[1] and target not in _ipython_magics()[0] \
            and target not in aliases:
        return {}                                   # `%alias_magic c capture`: a cell magic only
    return {name: (target, params or "")}


@functools.cache
def _ipython_magics() -> tuple[frozenset[str], frozenset[str]]:
    """(line, cell) magics IPython has built in (none without IPython)."""
    line, cell = set(), set()
    try:
        from IPython.core import magics
        from IPython.core.magic import Magics
    except Exception:  # noqa: BLE001 - any failure of an optional import
        return frozenset(), frozenset()
    for value in vars(magics).values():
        if isinstance(value, type) and issubclass(value, Magics) and getattr(value, "magics", None):
            line |= set(value.magics["line"])
            cell |= set(value.magics["cell"])
    return frozenset(line), frozenset(cell)


# The cell magics the shell registers beside the classes' own (`_ipython_magics`): the script magics' default names and
# the aliases it makes at start (`%%file`, `%%HTML`, `%%SVG`)
_SCRIPT_CELL_MAGICS = frozenset({"script", "sh", "bash", "perl", "ruby", "python", "python2", "python3", "pypy"})
_SHELL_CELL_ALIASES = frozenset({"file", "HTML", "SVG"})


def kernel_has_cell_magic(name: str) -> bool:
    """Is ``name`` a cell magic a kernel has without an extension loaded or a magic registered (none known without
    IPython: then every name counts as had)?"""
    known = _ipython_magics()[1]
    return not known or name in known or name in _SCRIPT_CELL_MAGICS or name in _SHELL_CELL_ALIASES


def _cell_magic(line: str) -> tuple[str, str] | None:
    """A cell magic's name and arguments, split as IPython splits its first line (`%%time\tx` names
    no magic IPython has: nothing of the cell runs)."""
    text = line.lstrip()
    if not text.startswith("%%") or re.match(r"%%\w+\?", text):
        return None
    name, _, args = text[2:].rstrip().partition(" ")
    return name, args


def cell_magic(source: str) -> str:
    """The name of the cell magic a cell starts with ('' for none)."""
    first = next((ln for ln in cleaned(source).split("\n") if ln.strip()), "")
    magic = _cell_magic(first)
    return magic[0] if magic else ""


def timeit_texts(line: str, body: str) -> tuple[list[str], bool]:
    """The texts a `%timeit` line (or a `%%timeit` cell, ``body`` below its first line) hands the kernel's own
    compiler to check them, before it times anything: its statement; a `%%timeit`'s setup (its line's) and body
    (none where IPython refuses its options or counts first); and whether it then runs them (not with a loop count
    below 0, nor with no repeat and a loop count given)."""
    text = line.strip()
    at = assigned_magic(text)
    text = text[at:].lstrip() if at is not None else text
    cell = text.startswith("%%")
    _, _, args = text.lstrip("%").partition(" ")
    try:
        statement, loops, repeats = _timeit_options(args)
    except (_Refused, ValueError, ImportError):
        return [], False
    return [statement or "pass", body] if cell else [statement], loops >= 0 and not (repeats < 1 and loops != 0)


def as_ipython_compiles(source: str) -> str:
    """The text IPython compiles of code a magic hands it (`transform_cell`: a magic line becomes a call of the
    shell's, which compiles that line's code only when it runs; a pasted prompt is dropped); "" where IPython cannot
    read it (or past the budget). Without IPython, the text as it is."""
    if len(source) > IPYTHON_BUDGET:
        return ""
    text = _transformed(source)
    return source if text is None else text


def _transformed(source: str) -> str | None:
    """The text as IPython's reader turns it (`transform_cell`); "" where it cannot read it (nothing of it runs),
    None without IPython."""
    manager = _ipython()
    if manager is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return manager.transform_cell(source)
    except Exception:  # noqa: BLE001 - code IPython cannot read
        return ""


def unrunnable_at(source: str, flags: int = 0, names: bool = True) -> int | None:
    """The line (1-based) where Jupyter finds a cell the grader's reading cannot parse does not run (None: it runs, or
    that is not known): the text IPython's reader makes of it does not compile (then none of it runs), or a magic
    line of no name or of a name no magic has (`% load_ext autoreload`: IPython reads the magic's name up to the first
    space), or a cell magic whose text does not compile where it compiles it first (`_cell_magic_unrunnable`).
    Review 486: `x = (`, `%time(x)` or `% load_ext autoreload` in a cell added right above the answers cell were read
    as no stop, 10/10 with `added-cell:` only, where Run All stopped there; review 487: the same under a cell magic, or
    past the budget of IPython's reader. ``flags``: the compiler's flags that change parsing (`barry_as_FLUFL`).
    ``names``: a magic line of no name stops it (not in `%%time`'s text, whose errors the magic shows and goes on)."""
    text = crlf_as_lf(source)
    lines = text.split("\n")
    first = next((k for k, ln in enumerate(lines) if ln.strip()), None)
    magic = _cell_magic(lines[first]) if first is not None and cell_magic(text) else None
    if magic is not None:
        return _cell_magic_unrunnable(lines, first, *magic, flags)
    text = as_explicit(text)
    if _ipython() is not None and _worth_asking(text):
        turned = _transformed(text)
        if not turned:
            return 1 if turned == "" else None
    elif read_unsure(text):
        return None                     # (past the budget, where the grader's reading is not sure how IPython groups it)
    else:
        turned = without_magics(text)   # (read by guess: a line of no magic is kept as written, an error there)
    try:
        tree = compile(turned, "<cell>", "exec", ast.PyCF_ONLY_AST | flags, dont_inherit=True)
    except SyntaxError as exc:
        return max(1, min(exc.lineno or 1, len(lines)))
    except (ValueError, RecursionError, MemoryError, OverflowError):
        return None
    for node in tree.body if names else ():
        call = ipython_call(node.value) if isinstance(node, (ast.Expr, ast.Assign)) else None
        name = _text(call[1][0]) if call is not None and call[0] == "run_line_magic" and call[1] else None
        if name is not None and line_magic_name(name) != name:
            return node.lineno
    return None


def _cell_magic_unrunnable(lines: list[str], first: int, name: str, args: str, flags: int) -> int | None:
    """`unrunnable_at` of a cell under a cell magic that compiles its text before it runs it, as IPython 8 does
    (nbclient showed each): `%%time` parses its body (and shows what running it raises); `%%timeit` parses the setup
    on its line and its body, and runs them; `%%prun` compiles its line and body as one text and runs it; `%%capture`
    runs its body as a cell, whose errors it keeps, then tokenizes it, and a bracket or string left open there raises
    (`x = 1 +` under it runs to the end; `x = (` stops Run All)."""
    body = "\n".join(lines[first + 1:])
    at: int | None = None
    if name == "capture":
        try:
            from IPython.core.displayhook import DisplayHook
            DisplayHook.semicolon_at_end_of_expression(body)
        except ImportError:
            return None
        except Exception:  # noqa: BLE001 - its TokenError, raised out of the magic
            return first + 1
        return None
    if name not in ("time", "timeit", "prun"):
        return None
    try:
        before = _timeit_options(args)[0] if name == "timeit" else _magic_code(name, args)[0]
    except (_Refused, ValueError, ImportError):
        return None                     # (a line IPython refuses: `refused_at_top` says it)
    if name == "prun" and before:
        at = unrunnable_at(before + "\n" + body, flags)     # (its first line stands for the magic's)
        return None if at is None else min(len(lines), first + at)
    if before and unrunnable_at(before, flags) is not None:
        return first + 1
    at = unrunnable_at(body, flags, names=name != "time") if body.strip() else None
    code = as_ipython_compiles(before + "\n" + body) if at is None and name != "time" else ""
    if code and not _compiles(code):
        # (`%%timeit` compiles its code in a function of its own making, `%%prun` through `exec`: no top-level
        # `await` or `async for` either, review 488)
        at = 0
    return None if at is None else min(len(lines), first + 1 + at)


_WIDE_BUDGET = 10 * IPYTHON_BUDGET


def _worth_asking(text: str) -> bool:
    """Is a cell the grader's reading cannot parse worth IPython's own reader, past the reading's budget (it reads the
    whole cell again for each line it turns: a cell at the length limit with a few such lines costs it a few tenths
    of a second, asked only of a cell that does not parse)?"""
    lines = text.split("\n")
    if (magic_line_count(lines) + 1) * len(text) <= _WIDE_BUDGET:
        return True
    if 2 * len(text) > _WIDE_BUDGET:
        return False
    logical = logical_lines(text)
    return logical is not None and (logical.turned + 1) * len(text) <= _WIDE_BUDGET


class _Refused(Exception):
    """IPython refuses a cell magic's arguments (a UsageError): in Jupyter none of the cell runs."""


def _magic_code(name: str, args: str) -> tuple[str, str]:
    """The code a cell magic's arguments add, (before the body, after it), read by IPython's own
    parsers: `%%prun` runs its line before the body, `%%timeit` its setup, `%%capture out` binds
    `out` to what it captured. A hundred-and-eighty-seventh review: `%%time x = 1` or `%%capture
    --nope` stops the cell in Jupyter, and the grader graded its body; `%%prun -q import scipy`
    ran an import the grader never saw."""
    if not args:
        return "", ""
    if name == "time":
        raise _Refused("Can't use statement directly after '%%time'!")
    try:
        from IPython.core.error import UsageError
        from IPython.core.magic_arguments import parse_argstring
        from IPython.core.magics.execution import ExecutionMagics
    except Exception:  # noqa: BLE001 - without IPython the arguments are not read
        return "", ""
    try:
        if name == "capture":
            if _fields(args):
                return "", ""       # read after IPython filled it in, which runs code: flagged, see expansions
            out = parse_argstring(ExecutionMagics.capture, args).output
            return "", (f"{out} = None" if out and out.isidentifier() and not keyword.iskeyword(out) else "")
        if name == "prun":
            return _ipython_options(args, "D:l:rs:T:q", list_all=True, posix=False)[1], ""
        return _ipython_options(args, *_TIMEIT_OPTIONS)[1], ""
    except UsageError as exc:
        raise _Refused(str(exc)) from None
    except Exception:  # noqa: BLE001 - arguments IPython's parsers cannot read: as refused
        raise _Refused(args) from None


_TIMEIT_OPTIONS = ("n:r:tcp:qo", False, False, True)     # `%timeit`'s: spec, posix, strict, preserve_non_opts


@functools.lru_cache(maxsize=256)       # (IPython's parser reads a character at a time; a line is asked by several readers)
def magic_statement(name: str, args: str) -> str | None:
    """The text a `%time`, `%timeit` or `%prun` line hands IPython to run, and a `%%timeit` or `%%prun` line (its setup,
    its statement), the options read by the magic's own parser (review 428: `%prun -s cumulative reset -f` runs `reset
    -f`, where dropping the words that start with `-` read `cumulative reset -f`); None where the parser refuses them.
    `%time` has no options: its whole line is the statement."""
    if name == "time":
        return args.strip()
    try:
        return _magic_code(name, args)[0]
    except _Refused:
        return None


def _ipython_options(args: str, spec: str, posix: bool = True, strict: bool = True,
                     preserve_non_opts: bool = False, list_all: bool = False, long_opts: tuple = (),
                     mode: str = "string") -> tuple[object, str]:
    """(options, rest of the line) as IPython's own option parser reads a magic's line, with no
    magic's configuration behind it (ImportError without IPython; its UsageError where it refuses
    them): the grader reads options exactly as the magic would."""
    from types import SimpleNamespace

    from IPython.core.magic import Magics
    return Magics.parse_options(SimpleNamespace(options_table={}), args, spec, *long_opts, posix=posix, strict=strict,
                                preserve_non_opts=preserve_non_opts, list_all=list_all, mode=mode)


# The options of the magics that restore or delete names (IPython's `parse_options` specs).
_NAMING_OPTIONS = {"store": ("drz", ()), "reset": ("sf", ("aggressive",)), "reset_selective": ("f", ()),
                   "xdel": ("n", ())}


@functools.lru_cache(maxsize=256)       # (see `options_refused`)
def naming_options(name: str, args: str) -> tuple[frozenset[str], object] | None:
    """(options, the rest) of a line of a magic that restores or deletes names, read as the magic reads it:
    `%reset`'s rest as a list of targets, `%xdel`'s as one name (review 298: in `%xdel t -n` the `-n` is part
    of the name, and the deletion goes by object); None where IPython refuses the line or is missing."""
    spec = _NAMING_OPTIONS.get(name)
    if spec is None:
        return None
    try:
        opts, rest = _ipython_options(args, spec[0], long_opts=spec[1], mode="list" if name == "reset" else "string")
    except Exception:  # noqa: BLE001 - IPython's UsageError, or no IPython
        return None
    return frozenset(opts), tuple(rest) if isinstance(rest, list) else rest      # (kept: nothing to change)


@functools.lru_cache(maxsize=256)       # (IPython's parser reads a character at a time; a line is asked up to four
#                                          times a reading, 0.14 s each for a pattern of 48,000 characters: review 425)
def options_refused(name: str, args: str) -> bool:
    """Does IPython refuse this magic line's options (a UsageError, which stops the cell: review 272's
    `%reset -fq` above the answers)? True for a magic of no known options, and without IPython."""
    spec = _NAMING_OPTIONS.get(name)
    if spec is None:
        return True
    try:
        _ipython_options(args, spec[0], long_opts=spec[1])
    except Exception:  # noqa: BLE001 - IPython's UsageError, or no IPython: the cell may stop there
        return True
    return False


def _leaves_its_scope(name: str, statement: str) -> bool:
    """Would a `%prun` or `%time` line in a block (a function's or a class's body) bind the notebook's names where the
    statement written in its place would bind the block's own? `%prun` runs its statement in the notebook's namespace
    wherever it stands; `%time` with the notebook's as its globals and the caller's locals, so a `global` or a `:=` in a
    comprehension there is the notebook's (review 395: `def f(): %prun -q a_ = False` and `%time [(a_ := False) for _
    in [0]]`, called below, 10/10 unflagged where Jupyter ended with 0/10). Read so wherever it stands (at a cell's top
    level it is the same code): a magic does not say where it stands when it is nested or written out."""
    try:
        tree = ast.parse(statement)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    nodes = list(ast.walk(tree))
    if any(isinstance(n, ast.Global) for n in nodes):
        return True
    if name == "prun":      # (a `__future__` feature binds its name too, which no answer has)
        future = {id(a) for n in nodes if isinstance(n, ast.ImportFrom) and n.module == "__future__" for a in n.names}
        return any(isinstance(n, ast.NamedExpr) or bound_by(n) for n in nodes if id(n) not in future)
    return any(isinstance(n, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)) and
               any(isinstance(x, ast.NamedExpr) for x in ast.walk(n)) for n in nodes)


def _run_as_ipython(name: str, statement: str) -> str:
    """The statement run where IPython runs it: the notebook's namespace for `%prun`, the notebook's as globals and
    the block's as locals for `%time`; the reading sees code run from text there (flagged for a TA)."""
    return f"exec({statement!r}, globals())" if name == "prun" else f"exec({statement!r}, globals(), locals())"


_DOES_NOT_COMPILE = "raise SyntaxError('the statement of %{name} does not compile alone')"
_REFUSED_IN_A_BLOCK = "raise Exception('IPython refuses the options of this magic line')"   # (its UsageError)


def does_not_compile(stmt: ast.stmt, magic: str) -> bool:
    """Is this the statement a reading writes where ``magic``'s statement does not compile alone? IPython raises it
    before it runs any of the statement, whatever the magic's counts or options (`%timeit -n 0`)."""
    return isinstance(stmt, ast.Raise) and ast.dump(stmt.exc) == _UNCOMPILED.get(magic)


_UNCOMPILED = {m: ast.dump(ast.parse(_DOES_NOT_COMPILE.format(name=m)).body[0].exc) for m in ("time", "timeit", "prun")}


def _statement_of(name: str, args: str, in_block: bool = True) -> str | None:
    """The statement a `%time` or `%prun` line runs: `%prun`'s options are IPython's, not Python
    (`%prun -q x = 1` ran as a syntax error: the whole cell lost). None where IPython refuses them.
    ``in_block`` false: a line at the cell's top level, where the statement in its place is the same code; a magic
    nested in another, assigned or written out as `run_line_magic` is read as if in a block, where it may be."""
    if name == "prun":
        try:
            statement = _magic_code(name, args)[0] or "pass"
        except _Refused:
            return None
    else:
        statement = args
    # ... where IPython runs it, wherever the line stands (nested in another magic, assigned, written out as
    # `run_line_magic`: review 397 found each way round a reading of indented lines only)
    text = as_ipython_compiles(statement) or "("
    # (`%prun` runs its text through `exec`, which compiles it whole and allows no top-level `await`: review 488)
    if not (_compiles(text) if name == "prun" else _compiles(text, top_level_await=True) if in_block else _parses(text)):
        # IPython compiles the statement alone, as a module's code: `break`, `continue`, `return`, `yield` or `nonlocal`
        # that its place allows is a SyntaxError there, raised where the line runs (review 399: `for _ in [0]: %time
        # break` above the answers stopped the cell in Jupyter, none set; graded 10/10). At a cell's top level, where the
        # statement stands in its place, one that does not parse: `%time $s` (`%time` fills in no `$`) or `%time -p x =
        # 1` (it has no options) stops the cell there, after what is above it ran, where the grader read the whole cell
        # as a syntax error (review 486: 10/10 with `added-cell:` only right above the answers; 0/20 for a
        # `train_and_test` Jupyter defined before it stopped). What parses is compiled as `first_stop` reads it.
        return _DOES_NOT_COMPILE.format(name=name)
    return _run_as_ipython(name, statement) if in_block and _leaves_its_scope(name, statement) else statement


def _timeit_options(args: str) -> tuple[str, int, int]:
    """(statement or setup, loops, repeats) of `%timeit`'s arguments, as IPython reads them (its
    ValueError where a count is not a whole number; _Refused where it refuses the options). A
    loop count of 0 (or none) is IPython's own choice, at least one loop."""
    try:
        opts, statement = _ipython_options(args, *_TIMEIT_OPTIONS)
    except ImportError:
        raise
    except Exception as exc:  # noqa: BLE001 - IPython's UsageError, or a line its parser cannot read
        raise _Refused(str(exc)) from None
    int(getattr(opts, "p", 3))
    return statement, int(getattr(opts, "n", 0)), int(getattr(opts, "r", 7))


_NO_RUNS = 'raise ValueError("min() arg is an empty sequence")'    # IPython's error for `-r 0`


def _timed_line(args: str, indent: str = "") -> str | None:
    """What a `%timeit` line runs: its statement in a scope of its own (a class body, which the job
    runs as the function IPython times it in), so an import, an `exec` or a `global` in it runs and
    is seen (a hundred-and-ninety-sixth review set the five answers so, and hid an import and an
    `exec` from the flags). One line, or two for a statement with a body of its own (`for ...: ...`,
    which was read as `pass`: the lines below then move by one). None where IPython refuses it."""
    try:
        statement, loops, repeats = _timeit_options(args)
    except _Refused:
        return None
    except ImportError:
        return "pass"                               # without IPython the arguments are not read
    except ValueError as exc:
        return f"raise ValueError({str(exc)!r})"    # `-n 1.5`: the cell stops there
    if not statement:
        return "pass"
    inner = _without_magics(statement, NESTED_CELL_MAGICS - 1)    # `%timeit %time f()`, read as IPython reads it
    # IPython compiles it outside its function first, as it reads it (a magic line is a call of the shell's, which
    # compiles its code when it runs: review 321's `%timeit %time from __future__ import annotations`)
    if not _compiles(as_ipython_compiles(statement) or "("):
        return _DOES_NOT_COMPILE.format(name="timeit")     # `%timeit return` stops the cell there
    statement = inner if "\n" not in inner else statement
    # A loop count below 0 runs the statement no time (a two-hundred-and-first review: `%timeit -n
    # -1 global ANN_relu; ANN_relu = ...` set a class in the grader only); no repeat at all is an
    # error, after IPython has run it to choose a loop count where none is given (a two-hundred-and-
    # fourth review: `-r 0` hid a statement that ran); otherwise it runs here once, whatever the
    # counts. Always in a `_timed_line`: in a function, IPython copies the function's names into the
    # notebook's first, whatever the statement does (the answers cell reads them as set again).
    if repeats < 1 and loops != 0:
        return f"class _timed_line: {_NO_RUNS}"
    if loops < 0:
        return "class _timed_line: pass"
    parts = [statement, *([_NO_RUNS] if repeats < 1 else [])]
    line = "class _timed_line: " + "; ".join(parts)
    return line if _parses(line) else "class _timed_line:" + "".join(f"\n{indent}    {x}" for x in parts)


_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, ast.FunctionDef,
             ast.AsyncFunctionDef, ast.ClassDef, *((ast.Match,) if hasattr(ast, "Match") else ()),
             *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))


def _assigned_runs(targets: str, magic: str, depth: int) -> str | None:
    """`x = %time stmt` on one line as IPython runs it: the statement runs, then ``x`` is bound to
    `%time`'s value (its last expression's) or None. A hundred-and-ninety-ninth review: read as
    `x = None`, `_ = %time a_, b_, ... = ...` set the five answers otherwise in Jupyter and hid an
    import and an `exec` from the flags. None where IPython refuses the line (an error)."""
    if not magic.startswith("%"):
        return f"{targets} = []"                    # `x = !ls`: its lines; no shell runs in a job
    m = _LINE_MAGIC.match(magic)
    name, args = m.group(2), m.group(3)
    if name in _IN_A_FUNCTION and args:
        return _timed_and_bound(targets, args)
    if name not in _STATEMENT_RUNS or not args:
        return _magic_value(targets, name, args)
    statement = _statement_of(name, args)
    if statement is None:
        return None
    if not _parses(statement) and depth < NESTED_CELL_MAGICS:
        inner = _without_magics(statement, depth + 1)          # `x = %time %time f()`
        statement = inner if "\n" not in inner else statement
    try:
        body = ast.parse(statement).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if any(isinstance(b, _COMPOUND) for b in body):
        return statement                            # `for ...: ...` takes the rest of the line: run, not bound
    parts = [ast.get_source_segment(statement, b) or "pass" for b in body]
    if name == "time" and body and isinstance(body[-1], ast.Expr):
        parts[-1] = f"{targets} = ({parts[-1]})"
    else:
        parts.append(f"{targets} = None")
    return "; ".join(parts)


# The grader's readings of magics that return a value call `_ipython_value(kind, ...)`, which each
# job defines (grader/child/job.py): no import in the reading, which the checks would read as the
# student's (a two-hundred-and-fifth review: `here = %pwd` cost the ten answer points so).
def _env(args: str) -> tuple[str, str]:
    """(what `%env args` does, the value it returns) as Python: `%env NAME=value` and `%env NAME
    value` set the variable, `%env NAME` reads it (an empty text where the job's scrubbed
    environment lacks it: Jupyter's has more), `%env` alone lists them."""
    text = args.strip()
    if not text:
        return "pass", "_ipython_value('environ')"
    split = "=" if "=" in text else " "
    if split not in text:
        return "pass", f"_ipython_value('env', {text!r})"
    name, value = (x.strip() for x in text.split(split, 1))
    if not name or re.search(r"\s", name):
        return "pass", "None"
    return f"_ipython_value('setenv', {name!r}, {value!r})", "None"


def _magic_value(targets: str, name: str, args: str) -> str:
    """`x = %name args` for a magic that runs no code of the cell's: ``x`` bound to what IPython
    returns, where the job can give it (a two-hundred-and-third review: `here = %pwd`, `backend =
    %env MPLBACKEND` and `files = !ls ...` bound None, and the honest line that used them cost the
    class cell's five checks); None for the rest."""
    if "{" in args or "$" in args:
        return f"{targets} = None"                  # filled in by IPython first: flagged, not modelled
    if name == "pwd":
        return f"{targets} = _ipython_value('pwd')"
    if name in ("sx", "system"):
        return f"{targets} = []"
    if name == "env":
        effect, value = _env(args)
        return f"{effect}; {targets} = {value}" if effect != "pass" else f"{targets} = {value}"
    return f"{targets} = None"


def _timed_and_bound(targets: str, args: str) -> str | None:
    """`t = %timeit -o stmt`: the statement in its scope of its own, then ``t`` bound (to None: the
    timing IPython returns is its own), where that fits on the line; else the statement alone."""
    line = _timed_line(args)
    if line == "pass":
        return f"{targets} = None"
    if line is None or not line.startswith("class ") or "\n" in line or _NO_RUNS in line:
        return line
    statement = line.removeprefix("class _timed_line: ")
    try:                                            # the names the targets bind (`t` of `t['k']` is only read)
        names = [n.id for n in walk(ast.parse(f"{targets} = None").body[0].targets[0])
                 if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
    except (SyntaxError, ValueError, RecursionError, MemoryError, IndexError, AttributeError):
        return line
    try:
        returned = "o" in _ipython_options(args, *_TIMEIT_OPTIONS)[0]
    except Exception:  # noqa: BLE001 - read above already; here only whether it returns its timing
        returned = False
    try:
        body = ast.parse(statement).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return line
    mentioned = {n.id for n in walk(ast.Module(body, [])) if isinstance(n, ast.Name)}
    if any(isinstance(b, _COMPOUND) for b in body) or mentioned & set(names):
        return line
    parts = [ast.get_source_segment(statement, b) or "pass" for b in body]
    bound = f"global {', '.join(names)}; " if names else ""
    if not returned:
        return f"class _timed_line: {bound}{'; '.join(parts)}; {targets} = None"
    # `-o`: IPython's result, from the one run (`t.best`, `t.average`, ...; a two-hundred-and-third
    # review: `t.best` after `t = %timeit -o ...` raised in the grader only, 9 points).
    return (f"class _timed_line: {bound}_t0 = _ipython_value('clock'); {'; '.join(parts)}; "
            f"{targets} = _ipython_value('timeit', _t0)")


def _cell_magic_runs(lines: list[str], first: int, name: str, args: str, depth: int) -> str | None:
    """The Python a cell under a cell magic runs, line for line where it can be (None: as it is,
    an error). Its body is read as a cell of its own, as IPython hands it on."""
    if name not in _BODY_RUNS and name not in _IN_A_FUNCTION:
        return "\n" * (len(lines) - 1)             # %%bash, %%html, a name IPython lacks: no Python runs
    if depth >= NESTED_CELL_MAGICS:
        return None
    try:
        before, after = _magic_code(name, args)
    except _Refused:
        return None
    body = "\n".join(lines[first + 1:])
    if name in _IN_A_FUNCTION:
        # %%timeit runs its body (and setup) inside a function: the names are that function's (a
        # forty-seventh review graded classes Jupyter never defined).
        setup = _without_magics(before, depth + 1).split("\n") if before else []
        inner = _without_magics(body, depth + 1)
        if not _compiles("\n".join(setup)) or not _compiles(inner):
            return None     # compiled outside the function first, as IPython does: an error
        try:
            _, loops, repeats = _timeit_options(args)
        except (ValueError, ImportError):
            return None
        if repeats < 1 and loops != 0:
            return "\n".join([*lines[:first], _NO_RUNS, *[""] * (len(lines) - first - 1)])
        if loops < 0:
            inner = "\n".join("" for _ in inner.split("\n"))      # the setup runs, the body no time
        text = "\n".join([*lines[:first], "def _timed_cell():", *("    " + ln for ln in [*setup, *inner.split("\n")]),
                          "    pass", "_timed_cell()" + (f"; {_NO_RUNS}" if repeats < 1 else "")])
        return text if _parses(text) else None
    if name == "prun":
        # (`%%prun` runs its line and body through `exec`, compiled whole: no top-level `await` or `async for`, review
        # 488; the cell stops before any of it runs)
        code = as_ipython_compiles(before + "\n" + body)
        if code and not _compiles(code):
            return None
    if before:                                      # %%prun: its line and the body, one cell
        text = "\n" * first + _without_magics(before + "\n" + body, depth + 1)
    else:
        text = "\n" * (first + 1) + _without_magics(body, depth + 1)
    if after:
        text += "\n" + after
    # A body that is not Python is the student's error, at its own line (not the magic's).
    return text


# Line magics that take their arguments as they are; IPython fills `{expr}` and `$name` into the
# arguments of every other magic and of every shell line, by evaluating them as Python.
NOT_EXPANDED = {"time", "timeit", "prun", "debug"}
_PLAIN_NAME = re.compile(r"[A-Za-z_]\w*")
# A line that may start (after its indent or an assignment's `=`) with `%` or `!`, or a prompt IPython strips first.
_MAGIC_OR_SHELL = re.compile(r"^[^\S\n]*[%!]|=\s*[%!]|^[^\S\n]*(?:>>>|\.\.\.|In \[)", re.M)      # (as `_PROMPTS`)


# Magics that run their argument as Python: `%config` execs it, `%rep`/`%recall` and `%edit` eval it, and so do
# `%save`, `%pastebin`, `%pycat`, `%load`/`%loadpy` and `%macro` where it is no history range, file or URL
# (`find_user_code`), and `%store EXPR >FILE` (review 430: `%store [a_:=False, ...] >/dev/null` set the five answers
# otherwise in Jupyter, 10/10 unflagged)
_EVALUATING = re.compile(r"%(?:config|rep|recall|edit|save|pastebin|pycat|load|loadpy|macro|store)\b")
_USER_CODE = {"save": ("fra", 1), "pastebin": ("d:e:", 0), "pycat": ("", 0), "load": ("yns:r:", 0),
              "loadpy": ("yns:r:", 0), "macro": ("rq", 1), "edit": ("prxn:", 0)}  # options, words before the code


def expansions(source: str) -> list[tuple[int, str]]:
    """The Python IPython evaluates while it fills in a shell or magic line (`!echo {expr}`, `x =
    !ls {expr}`, `%env X={expr}`, a cell magic's first line), as (line number, expression). A
    hundred-and-ninety-second review set the five True/False answers to others in Jupyter so, from
    the answers cell, graded as written and unflagged. A plain name (`{path}`, `$path`) only reads it:
    not listed."""
    probe = unaliased(source)               # `%alias_magic c config`, then `%c ...` (cheap: no alias, no change)
    if ("{" not in probe and "$" not in probe and not _EVALUATING.search(probe)) or not _MAGIC_OR_SHELL.search(probe):
        return []                           # no line that can be a magic or shell line: nothing filled in
    lines = unaliased(cleaned(source)).split("\n")
    read = without_magics(source).split("\n")
    same_lines = len(read) == len(lines)
    found = []
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    for i, ln in enumerate(lines):
        if "{" not in ln and "$" not in ln and not _EVALUATING.search(ln):
            continue
        magic = _cell_magic(ln) if i == first else None
        if magic is not None:
            name, args = magic
        else:
            at = assigned_magic(ln)
            text = ln[at:] if at is not None else ln
            line = _LINE_MAGIC.match(text)
            if line is None or (same_lines and read[i] == ln):
                continue                        # not a magic to IPython (text of a string, code)
            name, args = (line.group(2), line.group(3)) if text.lstrip().startswith("%") else ("!", text.lstrip()[1:])
        evaluated = evaluated_argument(name, args)
        if evaluated:
            found.append((i + 1, evaluated))
        if name in NOT_EXPANDED:
            # ... but the statement they run is read as a cell: a shell or magic line there is
            # filled in when it runs (a hundred-and-ninety-seventh review: `%time !echo {...}` set
            # the five answers otherwise in Jupyter, and hid an `exec` from the flags).
            inner = _timed_statement(name, args)
            if inner and inner.lstrip()[:1] in ("%", "!"):
                found += [(i + 1, expr) for _, expr in expansions(inner)]
            continue
        found += [(i + 1, expr) for expr in _fields(args) if not _PLAIN_NAME.fullmatch(expr)]
    return found


def evaluated_argument(name: str, args: str) -> str:
    """The Python a magic's own argument is run as, where it can do something (a call or a `:=` in it):
    `%config` execs `cfg.` and its line, `%recall` (`%rep`) evals it, and so do `%edit` and the magics of
    `_USER_CODE` and `%store EXPR >FILE` after their options (review 430). A
    two-hundred-and-fifth review set the five answers otherwise in Jupyter, and hid an import and an
    `exec` from the flags, so. `%config InlineBackend.figure_format = 'retina'` does nothing of the
    cell's: not listed."""
    if name not in ("config", "rep", "recall", "store", *_USER_CODE) or \
            "(" not in args and ":=" not in args and name != "config":
        return ""
    text = args.strip()
    if name in _USER_CODE or name == "store":       # (`%edit -x expr`: its options first, as IPython reads them)
        text = _user_code(name, text)
    if name == "config":
        return "" if settings_only(text) else text
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ""
    return text if any(isinstance(n, (ast.Call, ast.NamedExpr)) for n in walk(tree)) else ""


def _user_code(name: str, args: str) -> str:
    """The text such a magic evals where it is no history range, file or URL, its options read as it reads them (""
    where it refuses them or evals nothing)."""
    try:
        if name == "store":                         # `%store EXPR >FILE`: EXPR (plain `%store x` looks `x` up)
            words = _ipython_options(args, "drzr")[1].split()
            return words[0] if len(words) > 1 and words[1].startswith(">") else ""
        spec, skip = _USER_CODE[name]
        words = _ipython_options(args, spec, mode="list")[1] if spec else [args]
    except Exception:  # noqa: BLE001 - options IPython refuses: nothing runs
        return ""
    return " ".join(words[skip:])


# IPython's settings students set every day (the inline plots' format and rc, completion, what a cell shows):
# none imports or runs code, nor changes how IPython runs a line (`InteractiveShell.autocall` and
# `.loop_runner`, an import string, do).
_EVERYDAY_SETTINGS = re.compile(r"(?:InlineBackend|Completer|IPCompleter)\.\w+|(?:ZMQ)?InteractiveShell\.ast_node_interactivity")
_CONFIG_LINE = re.compile(r"\s*%config\b(.*)")


def settings_only(line: str) -> bool:
    """Does `%config <line>` only show or set everyday settings (`%config InlineBackend.figure_format =
    'retina'`, `_EVERYDAY_SETTINGS`)? IPython runs `cfg.` + the line as Python in the notebook's namespace
    where it holds `=`; not only a call or a `:=` sets names then, but `global a_; a_ = False` too (review
    267). A line that only assigns literals to such settings sets none."""
    if "=" not in line:
        return True
    if _fields(line):
        return False                # filled in first: `%config Foo.bar = $x` runs the text `x` holds
    try:
        tree = ast.parse("cfg." + line.strip())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True                                 # IPython's `exec` of it raises before it runs anything
    for stmt in tree.body:
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
        if not isinstance(target, ast.Attribute) or _EVERYDAY_SETTINGS.fullmatch(unparsed(target)[4:]) is None:
            return False
        try:
            ast.literal_eval(stmt.value)
        except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
            return False
    return True


def everyday_setting(line: str) -> bool:
    """Is this line a `%config` that sets everyday settings to literals (`settings_only`)?"""
    found = _CONFIG_LINE.fullmatch(line)
    return found is not None and "=" in found.group(1) and settings_only(found.group(1))


def _timed_statement(name: str, args: str) -> str | None:
    """The statement `%time`, `%prun` or `%timeit` runs (None: refused, or `%debug`, which runs
    its statement as plain Python)."""
    if name == "timeit":
        return magic_statement(name, args)
    return _statement_of(name, args) if name in ("time", "prun") else None


_WORDISH = re.compile(r"[\w.]+")


def dollar_parts(text: str):
    """IPython's `DollarFormatter.parse` of ``text``, the same parts (`string.Formatter`'s `{}` fields, then `$name`
    fields of the literal text outside single quotes), in linear time: IPython's own pattern looks ahead to the end of
    the text for every `$` and backtracks on an odd number of quotes (review 435: `%store $a$a...$a'` of 6,000
    characters, 342 s of the grader's CPU). Raises where it raises (a lone `}`), at the same part."""
    import string
    for literal, field_name, format_spec, conversion in string.Formatter().parse(text):
        n = len(literal)
        odd = bytearray(n + 1)              # (an odd number of single quotes from here to the end)
        for i in range(n - 1, -1, -1):
            odd[i] = odd[i + 1] ^ (literal[i] == "'")
        done, txt = 0, ""
        j = literal.find("$")
        while j != -1:
            k = j + 2 if literal.startswith("$", j + 1) else j + 1
            run = _WORDISH.match(literal, k)
            if run is not None and not odd[run.end()]:
                # (`(.*?)` does not cross a line break: text before one, after the last match, is dropped as there)
                start = max(done, literal.rfind("\n", done, j) + 1)
                before, field = literal[start:j], literal[j + 1:run.end()]
                if field.startswith("$"):
                    txt += before + field
                else:
                    yield txt + before, field, "", None
                    txt = ""
                done = run.end()
                j = literal.find("$", done)
            else:
                j = literal.find("$", j + 1)
        yield txt + literal[done:], field_name, format_spec, conversion


def var_expanded(text: str) -> str | None:
    """A magic's line as IPython's `var_expand` hands it to the magic where it evaluates nothing in it (`{{` is `{`,
    `$$x` is `$x`; a `$` before no name, as a pattern's `^model$`, and one inside single quotes, stay: a fairness
    review, 434, lost the five answers to `%reset_selective -f ^model$`); None where it evaluates a field (`{expr}`,
    `$name`), whose value the grader does not know. Where IPython's formatter refuses the line it is left as it is."""
    if "{" not in text and "}" not in text and "$" not in text:
        return text
    try:
        parts = list(dollar_parts(text))
    except Exception:  # noqa: BLE001 - (a lone `}`: IPython's `vformat` raises, and the line is left as it is; a field
        # before it was evaluated all the same, which `expansions` reads)
        return text
    # IPython evals each field with its format spec as part of the expression (`{x[1:3]}`), converts it and writes it
    # out with no spec (`FullEvalFormatter.vformat`); where one fails to parse or convert it raises, and the line is left
    # as it is. A field that is a literal (`\d{2}` in a pattern: `2`, a fairness review, 436) is filled in so; any other
    # is not known.
    fields = [((name + ":" + spec if spec else name).lstrip(" \t"), conversion) for _, name, spec, conversion in parts
              if name is not None]
    trees = []
    for expr, _ in fields:
        try:
            trees.append(ast.parse(expr, mode="eval"))
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return text
    values = []
    for (expr, conversion), tree in zip(fields, trees):
        try:
            values.append(ast.literal_eval(tree))
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None
    out, values_left = [], iter(values)
    for literal, name, _, conversion in parts:
        out.append(literal)
        if name is None:
            continue
        try:
            value = next(values_left)
            value = {None: lambda v: v, "r": repr, "s": str, "a": ascii}[conversion](value)
            out.append(format(value, ""))
        except Exception:  # noqa: BLE001 - IPython's `vformat` raises (a conversion it refuses, a number past the
            return text                     # digits limit): the line is left as it is
    return "".join(out)


# IPython's script magics (`ScriptMagics.script_magics`' defaults, and `%%script`): `--out`, `--err` and `--proc`
# name what they set.
SCRIPT_MAGICS = ("script", "sh", "bash", "perl", "ruby", "python", "python2", "python3", "pypy")


def script_outputs(name: str, line: str) -> frozenset[str] | None:
    """The names a script cell magic's line sets (`--out`, `--err`, and `--proc` with `--bg`), its line split and read by
    IPython's own parser, as the magic reads it (abbreviations, `--out=x`, quotes); None for another magic, or where
    IPython refuses the line or is missing (a fairness review, 434: `%%bash --out shout` below the answers was read as
    one that may set any name, `exec:`)."""
    if name not in SCRIPT_MAGICS:
        return None
    try:
        from IPython.core.magics.script import ScriptMagics
        from IPython.utils._process_common import arg_split
        args, _ = ScriptMagics.shebang.parser.parse_known_args(
            arg_split(line if name == "script" else f"{name} {line}", posix=True))
    except BaseException:  # noqa: BLE001 - (argparse's SystemExit, IPython's UsageError): the cell stops there
        return None
    return frozenset(n for n in (args.out, args.err, args.proc if args.bg else None) if n)


def _fields(text: str) -> list[str]:
    """The expressions IPython's formatter evaluates in ``text``, as it reads them."""
    if "{" not in text and "$" not in text:
        return []
    found: list[str] = []
    try:
        for _, name, spec, _ in dollar_parts(text):
            if name:
                expr = name + (":" + spec if spec else "")
                try:
                    ast.parse(expr.lstrip(" \t"), mode="eval")         # as `eval` reads text
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    # IPython's `eval` of it raises before it runs anything, and the line is left as it is
                    # (`%config InlineBackend.rc = {'figure.figsize': (6, 4)}`: a dict, not a field)
                    break
                found.append(expr)
    except Exception:  # noqa: BLE001 - where IPython's formatter stops reading the text
        # ... IPython has evaluated every field before it (a hundred-and-ninety-third review hid one
        # behind a lone `}` after it), then leaves the line as it is.
        pass
    return found


# Line breaks of `str.splitlines`, which IPython splits a cell at, beyond "\n": Python reads "\r" as
# one and the others as text, and a magic or help line that IPython ends at one of them runs the
# rest as a line of code (a hundred-and-seventieth review: `?torch #\rimport numpy as np` read as a
# help line to the grader, and the line after its "\r" ran in Jupyter only).
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _within_budget(source: str, lines: list[str]) -> bool:
    rough = magic_line_count(lines)
    if (rough + 1) * len(source) <= IPYTHON_BUDGET:
        return True
    if 2 * len(source) > IPYTHON_BUDGET:
        return False
    # ... the lines that look so but are no line IPython turns (`, momentum=0.9` and `!= 0` inside a call's brackets:
    # a fairness review, 436, counted them and read the graded `train_and_test` by guess, 0/20), counted as IPython
    # groups the cell into logical lines
    logical = logical_lines(source)
    return logical is not None and (logical.turned + 1) * len(source) <= IPYTHON_BUDGET


_ESCAPE_TOKENS = frozenset({"%", "!", "!!", "?", "??", ",", ";", "/"})


@dataclass(frozen=True)
class Grouping:
    """How IPython's reader groups a cell's lines and which it turns, line indices from 0 (`logical_lines`)."""
    starts: frozenset[int]              # the lines a logical line starts at
    turned: int                         # how many logical lines IPython turns
    escapes: frozenset[int] = frozenset()       # ... those that start with an escape (`%`, `!`, `?`, `,`, `;`, `/`)
    assigned: frozenset[int] = frozenset()      # ... a magic or shell command assigned (`x = %pwd`, `y = !ls`)
    helps: frozenset[int] = frozenset()         # ... IPython's help (`x?`, `%timeit?`: before any other reading)
    # a turned line that a `\` continues: its last line and its text, as IPython joins it
    joins: dict = field(default_factory=dict)
    settled: bool = True                # False: a turned line may make IPython group the lines otherwise than read


def _first_tokens(line: str) -> tuple[list, bool]:
    r"""The tokens of one line read alone (but indents), and whether it is complete: closes every string and bracket
    it opens and goes on past no `\`."""
    out = []
    try:
        for t in tokenize.generate_tokens(io.StringIO(line + "\n").readline):
            if t.type == tokenize.NEWLINE:
                out.append(t)
                return out, True
            if t.type not in (tokenize.INDENT, tokenize.DEDENT):
                out.append(t)
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    return out, False


def _assign_turned(tokens: list) -> int | None:
    """Where IPython's `MagicAssign` or `SystemAssign` turns a line (the column of its `%` or `!`), as they read the
    line's tokens: the first `=` outside brackets, then `%` and a name, or `!` after spaces."""
    level = 0
    for k, t in enumerate(tokens):
        if t.string == "=" and level == 0:
            after = tokens[k + 1:]
            if len(after) >= 2 and after[0].string == "%" and after[1].type == tokenize.NAME:
                return after[0].start[1]
            if after and after[0].type == tokenize.ERRORTOKEN and not t.line.strip().startswith("="):
                for a in after:
                    if a.type != tokenize.ERRORTOKEN or (a.string != "!" and not a.string.isspace()):
                        break
                    if a.string == "!":
                        return a.start[1]
            return None
        if t.string in ("(", "[", "{"):
            level += 1
        elif t.string in (")", "]", "}") and level > 0:
            level -= 1
    return None


def _continued_end(lines: list[str], i: int, n: int) -> int:
    r"""The last line of a turned line IPython continues past lines ending in `\` (`find_end_of_continued_line`), of
    the cell's ``n`` lines (``n``: past the last, where the last ends in `\`)."""
    end = i
    while lines[end].endswith("\\"):
        end += 1
        if end >= n:
            break
    return end


def joined_line(lines: list[str], i: int, end: int) -> str:
    r"""Lines ``i`` to ``end`` (``lines``: those IPython reads) as IPython joins a turned line continued by `\`
    (`assemble_continued_line`: the last keeps its `\` where the cell ends with it)."""
    parts = lines[i:end + 1]
    return " ".join([p[:-1] for p in parts[:-1]] + [parts[-1].rstrip()])


_MAY_TURN = re.compile(r"^[ \t]*[%!?,;/]|=[ \t\f]*[%!]|\?[ \t]*$")


@functools.lru_cache(maxsize=8)
def logical_lines(source: str) -> Grouping | None:
    """How IPython's own reader groups the cell's lines into logical lines (`make_tokens_by_line`: brackets and strings
    go on over lines) and which of them it turns (an escape, a magic or shell command assigned, a help line), None
    without IPython or where it cannot read them. IPython turns one line at a time, the earliest first, and reads the
    cell's tokens again after each: the call it writes closes what the line's text left open (`!echo :(`, `%ls x\"\"\"`),
    or opens what it closed (`;print ""x` is `print(\"\"\"x")`), and the lines after it group otherwise (reviews 437
    and 440). Read here in one pass: the tokenizer is handed each turned line as the call IPython writes (`pass` for a
    magic's, shell's or help's, whose text it quotes), when the line's turn comes."""
    try:
        from IPython.core.inputtransformer2 import _help_end_re
    except Exception:  # noqa: BLE001 - without IPython: not known
        return None
    lines = source.split("\n")
    n = len(lines) - 1 if source.endswith("\n") else len(lines)      # (the lines IPython reads: none after a last "\n")
    # (the last line that may end in IPython's help: a comment line cannot)
    last_help = max((k for k in range(n) if lines[k].rstrip().endswith("?") and not lines[k].lstrip().startswith("#")),
                    default=-1)
    starts: set[int] = set()
    escapes: set[int] = set()
    assigned: set[int] = set()
    helps: set[int] = set()
    joins: dict[int, tuple[int, str]] = {}
    # (the next line to hand the tokenizer, the 1-based line of the last token that closed a logical line, IPython's
    # bracket level, the last line of a turned line's `\` continuation)
    # (and whether a token came since, and whether a line ending in `?` that IPython cannot turn holds its help back:
    # `HelpEnd` finds the first such line each time, fails on it, and turns none below)
    state = {"next": 0, "closed_at": 0, "level": 0, "settled": True, "blank": -1, "tokens": False, "stuck": False,
             "pylevel": 0}
    # (turned lines that group the lines after them otherwise than their text, with the indents open above them)
    regrouped: list[tuple[int, tuple[str, ...]]] = []
    indents: list[str] = []

    def turn(i: int) -> tuple[str, int] | None:
        """What IPython makes of line ``i``, which starts a logical line, and its last line; None: as it stands."""
        line = lines[i]
        if not _MAY_TURN.search(line):
            return None
        tokens, complete = _first_tokens(line)
        if not tokens:
            return None
        first = tokens[0]
        indent = line[:len(line) - len(line.lstrip(" \t\f"))]
        # (help first, `HelpEnd`'s priority: `%timeit?` is help on the magic, review 440)
        if not state["stuck"] and complete and len(tokens) >= 2 and tokens[-2].string == "?" and \
                _help_end_re.search(line[first.start[1]:] + "\n"):
            helps.add(i)
            return indent + "pass", i
        at = None if first.string in _ESCAPE_TOKENS else _assign_turned(tokens)
        if first.string not in _ESCAPE_TOKENS and at is None:
            return None
        end = _continued_end(lines, i, n)
        depth, lowest = 0, 0
        for t in tokens:
            depth += (t.string in ("(", "[", "{")) - (t.string in (")", "]", "}"))
            lowest = min(lowest, depth)
        if not complete or lowest < 0 or end > i:
            # (what it leaves open, closes that it did not open, or takes in past a `\` the tokenizer did not read as
            # one, `%pwd # \`: review 442), the call does not
            regrouped.append((i, tuple(indents)))
        if not complete and not state["stuck"] and last_help > i:
            # IPython's help reads the line's group as its text left it, up to a line ending in `?` below
            state["settled"] = False
        if end > i:
            joins[i] = (end, joined_line(lines[:n], i, end))
        if at is not None:
            assigned.add(i)
            return line[:at] + "0", end
        if first.string == "?":
            helps.add(i)                # (`?x`, `??x`: IPython's help, whatever follows)
            return indent + "pass", end
        escapes.add(i)
        if first.string in (",", ";", "/"):
            call = _escaped_call(joins[i][1] if end > i else line)
            if complete and not _first_tokens(call)[1]:
                regrouped.append((i, tuple(indents)))
            return call, end
        return indent + "pass", end

    def readline() -> str:
        # (the tokenizer has handed out every token of the lines before when it asks for the next one)
        i = state["next"]
        if i >= n:
            return ""
        state["next"] = i + 1
        if i <= state["blank"]:
            return "\n"                 # (a line a turned line's `\` took in)
        if state["closed_at"] != i and not state["tokens"] and lines[i - 1].endswith("\\") and _MAY_TURN.search(lines[i]):
            state["settled"] = False    # (after a line of only `\`, or inside a string: not followed)
        if state["pylevel"] != state["level"] and _MAY_TURN.search(lines[i]):
            state["settled"] = False    # (after a bracket closed that none opened, a syntax error: not followed)
        if state["closed_at"] == i:     # a logical line starts here
            turned = turn(i)
            if turned is not None:
                text, end = turned
                state["blank"] = end
                return text + "\n"
        return lines[i] + "\n"

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            group: list = []
            for t in tokenize.generate_tokens(readline):
                group.append(t)
                if t.type == tokenize.NEWLINE or t.type == tokenize.NL and state["level"] <= 0:
                    _close_group(group, starts, helps, state, _help_end_re, lines)
                    group = []
                    state["closed_at"], state["tokens"] = t.start[0], False
                    continue
                state["tokens"] = state["tokens"] or t.type not in (tokenize.INDENT, tokenize.DEDENT)
                if t.type == tokenize.INDENT:
                    indents.append(t.string)
                elif t.type == tokenize.DEDENT and indents:
                    indents.pop()
                if t.string in ("(", "[", "{"):
                    state["level"] += 1
                    state["pylevel"] += 1
                elif t.string in (")", "]", "}"):
                    state["level"] = max(state["level"] - 1, 0)
                    state["pylevel"] -= 1       # (below 0 too, as Python's tokenizer counts)
            _close_group(group, starts, helps, state, _help_end_re, lines)
    except tokenize.TokenError:
        _close_group(group, starts, helps, state, _help_end_re, lines)
    except Exception:  # noqa: BLE001 - a cell the tokenizer refuses (IndentationError): IPython's reader raises
        return Grouping(frozenset(), 0, settled=False)
    # IPython reads the whole cell again before it turns each line, as the lines below it stand then: an indent that
    # fits no block there stops it (IndentationError) before it turns any more, even where the lines would group
    # otherwise once turned. Where a turned line groups the lines after it otherwise, that reading is read too, from
    # that line on, under the blocks open above it (four times the cell's length in all at most: beyond, not followed)
    cost = 0
    for k, opened in regrouped:
        cost += sum(map(len, lines[k:n]))
        if cost > 4 * len(source):
            state["settled"] = False
            break
        try:
            from IPython.core.inputtransformer2 import make_tokens_by_line
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                make_tokens_by_line([indent + "pass\n" for indent in ("", *opened)] + [ln + "\n" for ln in lines[k:n]])
        except Exception:  # noqa: BLE001 - a cell IPython's reader refuses: it runs none of it
            state["settled"] = False
            break
    turned = len(escapes | assigned | helps)
    return Grouping(frozenset(starts), turned, frozenset(escapes), frozenset(assigned), frozenset(helps), joins,
                    state["settled"])


def _close_group(group: list, starts: set, helps: set, state: dict, help_end, lines: list[str]) -> None:
    tokens = [t for t in group if t.type not in (tokenize.INDENT, tokenize.DEDENT, tokenize.NL, tokenize.NEWLINE,
                                                  tokenize.COMMENT, tokenize.ENDMARKER)
              and not (t.type == tokenize.ERRORTOKEN and not t.string.strip())]
    if not tokens:
        return
    first = tokens[0].start[0] - 1
    starts.add(first)
    if len(group) > 2 and group[-2].string == "?" and first not in helps and not state["stuck"]:
        piece = "\n".join(lines[first:group[-2].start[0]])[tokens[0].start[1]:] + "\n"
        if group[-2].start[0] - 1 > first and help_end.search(piece):
            state["settled"] = False    # (a group over several lines IPython's help may read whole: not followed)
        else:
            state["stuck"] = True       # (a `?` IPython cannot turn: the cell is a SyntaxError, its help stops here)


def magic_line_count(lines: list[str]) -> int:
    """How many lines look like a magic, shell, help or escaped line (`,f a b`: each costs IPython a reading of the
    cell; review 433: 500 lines `,a` in a cell of 20,000 characters, not counted, cost the grader 75 s a cell)."""
    return sum(1 for ln in lines if _LINE_MAGIC.match(ln) or _ESCAPED.match(ln) or assigned_magic(ln) is not None
               or _HELP_LINE.match(ln))


def read_unsure(source: str) -> bool:
    """Is the cell past the budget, read by guess, with a line IPython turns that may make it group the lines after it
    otherwise than the grader follows (`Grouping.settled`), or with line breaks IPython splits at that the grader does
    not read (`breaks_unread`)? Then what the cell does is not known from its reading."""
    source = crlf_as_lf(source)
    if _OTHER_BREAKS.search(source):
        return breaks_unread(source)
    text = cleaned(source)
    if _within_budget(text, text.split("\n")):
        return False
    grouped = logical_lines(text)
    return grouped is not None and not grouped.settled


def read_past_budget(source: str) -> bool:
    """Is the grader's reading of this cell a guess: it holds lines IPython turns (magics, shell, help, escapes, line
    breaks Python does not read as such) and is too long for the grader to ask IPython's own reader how? Where such a
    reading fails, Jupyter may run the cell all the same (review 433)."""
    text = cleaned(source)
    lines = text.split("\n")
    return not _within_budget(text, lines) and (_OTHER_BREAKS.search(source) is not None or magic_line_count(lines) > 0)


def within_budget(source: str) -> bool:
    """Does the grader ask IPython's own reader how it turns this cell (it reads the whole cell again for each line
    it turns), rather than read each magic-looking line as the magic it looks like?"""
    return _within_budget(source, source.split("\n"))


# IPython turns at most this many magic, shell and help lines in a cell, then refuses to run any of it
# ("Input transformation still changing after 500 iterations").
IPYTHON_TURNS = 500


def code_only(source: str) -> str:
    """The cell's text with its comments blanked, for scans of what its code names (a fairness
    review: `# no IPython Magics in here` and `# ran on ipykernel` had cost the five answers).
    Offsets and lines stay where they were."""
    if "#" not in source:
        return source
    lines = io.StringIO(source).readlines()
    spans = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                spans.append((tok.start, tok.end))
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        pass                                    # what was read so far; the rest as it is
    for (row, start), (_, end) in spans:
        ln = lines[row - 1]
        lines[row - 1] = ln[:start] + " " * (end - start) + ln[end:]
    return "".join(lines)


def breaks_unread(source: str) -> bool:
    r"""Does the cell hold line breaks other than "\n", at which IPython splits its lines (a form feed, `\x1c`,
    `\u2028`, ...), with magic, shell, help or escaped lines among those lines, and is it too long for the grader to ask
    IPython's own reader how it turns them? Then the grader cannot read it (review 442: `# check \x0c,print \` made
    IPython's escape take the next line, `a_ = True`, into its call; the grader read the cell as Python, 10/10)."""
    source = crlf_as_lf(source)         # (Windows line ends are one break: a fairness review, 443)
    if not _OTHER_BREAKS.search(source):
        return False
    lines = source.splitlines()
    turned = magic_line_count(lines) + sum(1 for ln in lines if ln.lstrip().startswith("%%"))
    return turned > 0 and ((turned + 1) * len(source) > IPYTHON_BUDGET or not within_budget(source))


def read_by_guess(source: str) -> bool:
    """Were the cell's magic-looking lines read without asking IPython (beyond the budget)? Then a
    line inside a string may have been read as a magic: such a cell is no provided cell unchanged (a
    hundred-and-seventy-eighth review padded one past the budget, and a help-looking line inside a
    docstring, which closed the string in Jupyter and ran code there, was dropped as help)."""
    source = crlf_as_lf(source)
    if _OTHER_BREAKS.search(source):
        return breaks_unread(source)        # read through IPython's own reader, within the budget
    text = cleaned(source)
    return not _parses(text) and not _within_budget(text, text.split("\n"))


def _compiles(text: str, top_level_await: bool = False) -> bool:
    """Python compiles it as a module's code (`return` or `yield` outside a function does not). ``top_level_await``:
    as IPython may compile a statement with `await` (review 402: the word `await` in a comment had waived the test)."""
    try:
        compile(text, "<timeit>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if top_level_await else 0,
                dont_inherit=True)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def reads_its_own_lines(source: str) -> bool:
    """Does IPython split this cell at breaks Python does not read as lines?"""
    return _OTHER_BREAKS.search(source) is not None


def _as_ipython_runs(source: str, depth: int) -> str:
    """A cell that needs IPython and holds such a break, as IPython's own reader turns it into
    Python, its calls of IPython read as the rest of this module reads them (line numbers may shift
    by the lines IPython adds; such cells are rare). As it is, an error, where that fails."""
    manager = _ipython()
    if manager is None or not within_budget(source):
        return source
    text = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = manager.transform_cell(source)
        if text in (source, source + "\n"):
            return source                   # nothing IPython reads otherwise: as Python reads it
        tree = ast.fix_missing_locations(_IPythonCalls(depth).visit(ast.parse(text)))
        out = ast.unparse(tree)
        ast.parse(out)
    except Exception:  # noqa: BLE001 - (SyntaxError, _Refused, RecursionError, ...): the student's error stands
        # As IPython turned it, which Python cannot run either (a magic IPython refuses stops the
        # cell there): not Python's own reading of the cell, where that parses (a comment to Python,
        # a line of code to IPython). Where Python cannot read the cell either, its own error, at
        # the student's line.
        return text if text is not None and _parses(source) else source
    return out


# The calls IPython's own reader writes for a magic, a shell line or help; any other call of its shell
# (`get_ipython().run_cell(...)`, `.push(...)`) is the student's code, as written: a two-hundred-and-
# eighteenth review's escaped `;get_ipython().run_cell a_ = False; ...` was read as `pass` (five answers
# set otherwise in Jupyter, 10/10 as written, an `exec` unflagged).
_IPYTHON_ARGS = {"run_line_magic": 2, "run_cell_magic": 3, "system": 1, "getoutput": 1, "show_usage": 0}


def ipython_text(source: str) -> str:
    """The cell as IPython's own reader turns it, where it holds lines only that reader reads (IPython's
    escapes `,` `;` `/` that call a name with the rest of the line as text, breaks Python does not
    read), within the budget; else "". For the scans that look for calls of IPython's shell, which
    such a line writes without a bracket or quote in the cell's text (`,get_ipython().run_line_magic
    reset -f`)."""
    if not (_AUTOCALL.search(source) or _OTHER_BREAKS.search(source)) or not within_budget(source):
        return ""
    return _transformed(source) or ""


_AUTOCALL = re.compile(r"^[ \t]*[,;/]", re.M)
# A line IPython's escapes turn into a call (`EscapedCommand`): its indent, the escape, the rest
_ESCAPED = re.compile(r"([ \t]*)([,;/])(.*)")


def _escaped_call(line: str) -> str:
    """The call IPython writes for a line that starts with `,`, `;` or `/` (`,f a b` is `f("a", "b")`, `;f a b`
    `f("a b")`, `/f a b` `f(a, b)`), for a cell read past the budget (review 433: `,get_ipython().run_line_magic reset
    -f` in a cell of 22,000 characters was read as a syntax error, a cell Jupyter runs none of, where it deleted the
    answers)."""
    indent, escape, content = _ESCAPED.match(line).groups()
    name, _, args = content.rstrip().partition(" ")
    if escape == ",":
        return indent + '%s("%s")' % (name, '", "'.join(args.split()))
    if escape == ";":
        return indent + '%s("%s")' % (name, args)
    return indent + "%s(%s)" % (name, ", ".join(args.split()))


def ipython_call(node) -> tuple[str, list] | None:
    """(method, arguments) of ``get_ipython().method(...)``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call) \
            and isinstance(node.func.value.func, ast.Name) and node.func.value.func.id == "get_ipython":
        return node.func.attr, node.args
    return None


def _text(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


class _IPythonCalls(ast.NodeTransformer):
    """IPython's calls as the line-by-line reading above reads them: help, shell and other magics
    run nothing, ``%time stmt`` runs ``stmt``, a cell magic's body runs as the cell (in a function
    for ``%%timeit``), and a magic's or shell's value is a value of its own."""

    def __init__(self, depth: int):
        self.depth = depth
        self.aliases: dict[str, tuple[str, str]] = {}      # made by the cell's own `alias_magic` calls

    def _call(self, value) -> tuple[str, list] | None:
        """`ipython_call`, with a magic alias the cell made called as the magic it stands for."""
        call = ipython_call(value)
        if call is None or call[0] not in ("run_line_magic", "run_cell_magic") or not call[1]:
            return call
        name = _text(call[1][0])
        if name is None or name not in self.aliases:
            return call
        target = _alias_target(self.aliases, name)
        if target is None:
            raise _Refused(name)                    # an alias that calls itself: the cell stops
        args = [ast.Constant(target[0]), *call[1][1:]]
        if target[1] and len(args) > 1 and _text(args[1]) is not None:
            args[1] = ast.Constant(target[1].lstrip() + " " + _text(args[1]))
        return call[0], args

    @staticmethod
    def _as_ipython_writes(value) -> bool:
        """A call as IPython's reader writes one: its method, its number of arguments, each a text
        written out, no keywords. Any other (`run_line_magic('time', 'a_ = ' + '...')`, `_stack_depth=2`)
        is the student's code, as written (a two-hundred-and-twentieth review: read as `pass` in a cell
        with a form feed, five answers set otherwise in Jupyter, 10/10 as written, unflagged)."""
        call = ipython_call(value)
        return call is not None and call[0] in _IPYTHON_ARGS and len(call[1]) == _IPYTHON_ARGS[call[0]] \
            and not value.keywords and all(_text(a) is not None for a in call[1])

    def _code(self, text: str | None) -> list[ast.stmt]:
        if text is None or self.depth >= NESTED_CELL_MAGICS:
            return [ast.Pass()]
        return ast.parse(_without_magics(text, self.depth + 1)).body or [ast.Pass()]

    def visit_Expr(self, node):
        if not self._as_ipython_writes(node.value):
            return node                     # `get_ipython().run_cell(...)`: as written (review 218)
        call = self._call(node.value)
        method, args = call
        name = _text(args[0]) if args else None
        if method == "run_line_magic" and name == "alias_magic" and len(args) > 1 and _text(args[1]) is not None:
            self.aliases.update(_aliases_made(_text(args[1]), self.aliases))
        if method == "run_line_magic" and (name is None or line_magic_name(name) != name):
            raise _Refused(str(name))       # no magic of that name: the cell stops there
        if method == "run_line_magic" and name in _IN_A_FUNCTION and len(args) > 1 and _text(args[1]):
            line = _timed_line(_text(args[1]))
            if line is None:
                raise _Refused(name)
            return ast.parse(line).body
        if method == "run_line_magic" and name in _STATEMENT_RUNS and len(args) > 1 and _text(args[1]):
            statement = _statement_of(name, _text(args[1]))
            if statement is None:
                raise _Refused(name)
            return self._code(statement)
        if method == "run_cell_magic" and len(args) > 2 and (name in _BODY_RUNS or name in _IN_A_FUNCTION):
            before, after = _magic_code(name, _text(args[1]) or "")       # _Refused: none of it runs
            if name in _BODY_RUNS:
                body = _text(args[2])
                return (self._code(before + "\n" + body if before and body is not None else body)
                        + (ast.parse(after).body if after else []))
            if name in _IN_A_FUNCTION:
                body = (self._code(before) if before else []) + self._code(_text(args[2])) + [ast.Pass()]
                return [ast.FunctionDef(name="_timed_cell", args=ast.arguments([], [], None, [], [], None, []),
                                        body=body, decorator_list=[], returns=None, type_params=[]),
                        ast.Expr(ast.Call(ast.Name("_timed_cell", ast.Load()), [], []))]
        return ast.Pass()

    def visit_Assign(self, node):
        if not self._as_ipython_writes(node.value):
            return node
        call = self._call(node.value)
        if call is not None and call[0] == "run_line_magic":
            name = _text(call[1][0]) if call[1] else None
            if name is None or line_magic_name(name) != name:
                raise _Refused(str(name))
            args = _text(call[1][1]) if len(call[1]) > 1 else None
            if args is not None:                    # `x = %time stmt`, `x = %pwd`: as on a line of their own
                targets = " = ".join(ast.unparse(t) for t in node.targets)
                text = _assigned_runs(targets, f"%{name} {args}".rstrip(), self.depth)
                if text is None:
                    raise _Refused(name)
                return ast.parse(text).body
        if call is not None:
            node.value = ast.Constant(None)
        return node


_EXPLICIT = {"run_line_magic": 2, "run_cell_magic": 3, "system": 1, "getoutput": 1}    # their arguments


class _ExplicitCalls(_IPythonCalls):
    """IPython's calls written out by the student (`get_ipython().run_line_magic('matplotlib',
    'inline')`, as `jupyter nbconvert --to script` and Colab write a magic), read as the magic they
    are. Only with text given as it is and nothing in it that IPython runs as Python; any other use
    of `get_ipython()` stays as written (a two-hundred-and-sixth review: the line was a NameError
    that cost a cell's checks, called "a typo?")."""

    def __init__(self, depth: int):
        super().__init__(depth)
        self.changed: list[tuple[ast.stmt, list[ast.stmt]]] = []

    def _plain(self, value) -> bool:
        try:
            call = self._call(value)
        except _Refused:
            return True                             # read as refused, as IPython stops there
        # Its arguments and no other: `_stack_depth=2` runs `%time`'s statement in another namespace
        # (a two-hundred-and-seventh review: five answers read as set here, set nowhere in Jupyter).
        if call is None or len(call[1]) != _EXPLICIT.get(call[0]) or value.keywords:
            return False
        texts = [_text(a) for a in call[1]]
        if any(t is None for t in texts) or any("{" in t or "$" in t for t in texts[:2]):
            return False
        return call[0] != "run_line_magic" or len(texts) < 2 or not evaluated_argument(texts[0], texts[1])

    def _changed(self, node, new):
        out = [ast.fix_missing_locations(ast.copy_location(n, node)) for n in (new if isinstance(new, list) else [new])]
        self.changed.append((node, out))
        return node

    def visit_Expr(self, node):
        if _LOADS_BUILTIN_EXTENSION.fullmatch(ast.unparse(node.value)):
            return self._changed(node, ast.Pass())      # (as `%load_ext autoreload` reads: a fairness review, 450)
        return self._changed(node, super().visit_Expr(node)) if self._plain(node.value) else node

    def visit_Assign(self, node):
        if not self._plain(node.value):
            return node
        if self._call(node.value)[0] == "getoutput":
            return self._changed(node, ast.Assign(node.targets, ast.List([], ast.Load())))
        return self._changed(node, super().visit_Assign(node))


# IPython's own extensions loaded through the shell's extension manager, which IPython's `%load_ext` line calls
_LOADS_BUILTIN_EXTENSION = re.compile(r"get_ipython\(\)\.extension_manager\.(?:re)?load_extension\(['\"](?:IPython\."
                                      r"extensions\.)?(?:autoreload|storemagic)['\"]\)")


def _explicit_calls(source: str, depth: int) -> str:
    """The cell with IPython's calls written out read as their magics, each on its own line where it
    stood (else the cell as Python writes it again; lines may move)."""
    try:
        tree = ast.parse(source)
        reader = _ExplicitCalls(depth)
        reader.visit(tree)
        lines = source.split("\n")
        for node, new in sorted(reader.changed, key=lambda c: -c[0].lineno):
            text = "; ".join(_one_line(n) for n in new) or "pass"
            if node.lineno != node.end_lineno or "\n" in text:
                return source
            ln = lines[node.lineno - 1]
            lines[node.lineno - 1] = ln[:node.col_offset] + text + ln[node.end_col_offset:]
    except Exception:  # noqa: BLE001 - (_Refused, SyntaxError, ...): as written, as Python runs it
        return source
    out = "\n".join(lines)
    return out if _parses(out) else source


def _one_line(node: ast.stmt) -> str:
    """A statement of the grader's reading on one line (a `%timeit` reading: `class _timed_line: ...`)."""
    if isinstance(node, ast.ClassDef) and node.name == "_timed_line" and not any(isinstance(b, _COMPOUND) for b in node.body):
        return "class _timed_line: " + "; ".join(unparsed(b) for b in node.body)
    if isinstance(node, _COMPOUND):
        return "\n"                                 # not on one line: the cell as Python writes it again
    return unparsed(node)


def _ipython_keeps(source: str, n: int) -> set[int] | None:
    """Indices of the lines IPython leaves as they are (text of a string, not a magic), read with
    IPython's own transformer; none where it is missing; None where it changes the number of lines
    or cannot read the cell (then only its own reader says what runs). Imported only for a cell
    that does not parse as Python (0.2 s, once)."""
    manager = _ipython()
    if manager is None:
        return set()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = manager.transform_cell(source)
    except Exception:  # noqa: BLE001 - a cell IPython cannot read: Jupyter cannot run it either
        return None
    if text.endswith("\n") and not source.endswith("\n"):
        text = text[:-1]                    # the newline IPython ends every cell with
    out = text.split("\n")
    if len(out) != n:
        return None
    return {i for i, (a, b) in enumerate(zip(source.split("\n"), out)) if a == b}

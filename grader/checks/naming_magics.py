"""The magics that set names Jupyter ends with, read from a cell's text: `%run`, `%store -r`, `%reset`,
`%%capture NAME`, `%sc`, cell magics with `--out`, written as lines, as IPython's calls, by their bare names or
inside `%time`. Each is said as where it is ('`%store` on line 3'), for the student's message.
"""
from __future__ import annotations

import re

from ..magics import (automagic, cleaned, ipython_text, line_offset, magic_uses, makes_magic, naming_options,
                      options_refused, scan_text)
from .magic_lines import timed_statement


# Magics that set names Jupyter ends with: %run -i, %reset, %store -r, %%capture NAME (an eighty-fourth review).
_NAMING_NAMES = ("run", "reset", "reset_selective", "store", "macro", "load", "rerun", "recall", "xdel", "sc")
_NAMING_MAGIC = re.compile(rf"(%(?:{'|'.join(_NAMING_NAMES)})\b|%%capture\b|"
                           # `%sc a_=echo x`, `%%bash --out a_` (a two-hundred-and-twenty-eighth review)
                           r"%%\w+(?=[^\n]*\s--(?:out|err|proc)\b))(?=(.*))")
# ... also inside another magic, which runs it, or assigned (`%time %run x.py`, `r = %run x.py`: a
# two-hundred-and-eleventh review set the five answers otherwise so, 10/10 as written, unflagged), to
# any target IPython assigns (`o.x = %run x.py`, a two-hundred-and-fourteenth), on a line that continues
# a bracket too (a two-hundred-and-fifteenth: `magic_uses`).
# The same written out as IPython's calls (`get_ipython().run_line_magic('run', '-i x.py')`), read
# as those magics since the two-hundred-and-sixth review; and `alias_magic` in any form, which makes
# a magic of another name run a statement (a two-hundred-and-eighth review set the five answers
# otherwise in Jupyter through `%t`, an alias of `%time`).
_NAMING_CALL = re.compile(r"""\brun_(line|cell)_magic\(\s*(['"])(run|reset|reset_selective|store|macro|load|rerun|"""
                          r"""recall|xdel|capture)\2(?:\s*,\s*(['"])(.*?)\4)?""")


# Magics that set names only while their line runs (restored, deleted): an assignment below them sets the name
# again (a fairness review, 268: `%store -r` above the answers cost all five).
_MOMENTARY = ("%store", "%reset", "%reset_selective", "%xdel")


def _runs_through(magic: str, args: list[str]) -> bool | None:
    """Does this line of a `_MOMENTARY` magic surely run to its end, so that the line below runs too (True),
    surely stop the cell (False), or may do either (None: `%store -d x` raises where nothing is stored as `x`,
    `%store x` where `x` is undefined; read as any line that may raise)? IPython refuses options it does not
    know (review 272: `%reset -fq` above the answers stopped the cell in Jupyter, graded 10/10), `%reset_selective`
    a pattern `re` refuses, and `%store -d` a line without a name (review 275)."""
    if options_refused(magic[1:], " ".join(args)):
        return False
    words = [a for a in args if not a.startswith("-")]
    letters = {c for a in args if a.startswith("-") for c in a[1:]}
    if magic == "%reset_selective" and words:
        try:
            re.compile(words[-1])
        except re.error:
            return False
    if magic == "%store":                           # IPython's order: -d, -z, -r, no name, a name to save
        if "d" in letters:
            return None if words else False
        if not letters & {"z", "r"} and words:
            return None
    return True


FILLED_IN = "which IPython fills in or strips before the magic reads them"
_EXPANDED = re.compile(r"""[{}$'"\\]""")
_FILLED = re.compile(r"[{}$]")
# ... read with IPython's own option parser, which strips quotes as the magic does (a fairness review, 301:
# `%reset_selective -f "^tmp"`, quoted as regular expressions often are, cost the five answers)
_PARSED = ("%reset", "%xdel", "%reset_selective")


def _plain(magic: str, args: list[str]) -> bool:
    """Are these a magic's arguments as it reads them: nothing IPython fills in (`{expr}`, `$name`) or strips
    (quotes, a backslash) first, where the grader does not read them with IPython's parser?"""
    return not any((_FILLED if magic in _PARSED else _EXPANDED).search(a) for a in args)


def magic_write(source: str, names=None, settled: int = 0) -> str:
    """A magic that can set one of ``names`` (any name when None), as '`%run` on line 3'. `%%capture
    cap` or `%reset_selective -f xyz` set other names only (an eighty-eighth review: they had cost
    all ten points). ``settled``: the line of an assignment below which sets the names again, where it
    surely runs after every line above it (`_MOMENTARY` magics above it, on lines of their own, count not)."""
    for at, magic, args in _naming_magics(source):
        line = source.count("\n", 0, at) + 1
        if not _plain(magic, args):
            # IPython fills in `{...}` and `$name` and strips quotes before the magic reads its arguments (review
            # 296: `%reset -f {''}` is a bare `%reset -f`, `%xdel -n 'a_'` deletes `a_`): read as any such magic
            return f"`{magic}` on line {line} (its arguments hold `{{...}}`, `$`, quotes or a backslash, {FILLED_IN})"
        through = _runs_through(magic, args) if magic in _MOMENTARY and line < settled and \
            at == source.rfind("\n", 0, at) + 1 else None
        if through:
            continue
        if through is False:
            return f"`{magic}` on line {line} (IPython refuses that line and stops the cell there)"
        words = [a for a in args if not a.startswith("-")]
        if magic in ("%capture", "%alias_magic"):
            hit = True                              # `run_line_magic('capture', ...)`: no such line magic, a stop
        elif magic == "%%capture":
            hit = bool(words) and (names is None or words[-1] in names)
        elif magic == "%xdel":
            # deletes every name of the object it is given, `True` is one; by name with `-n` (a fairness review,
            # 295: `%xdel test_model` below the answers cost all five, said as "can set any name"), read as
            # IPython's parser reads it (review 298: `%xdel t -n` deletes by object a name `'t -n'`)
            read = naming_options("xdel", " ".join(args))
            if read is not None and "n" in read[0]:
                hit = not str(read[1]).isidentifier() or names is None or read[1] in names
            else:
                return (f"`{magic}` on line {line} (it deletes every name bound to the object it is given, an answer's "
                        f"True or False too; `%xdel -n NAME` deletes that name only)")
        elif magic == "%reset":
            # with targets (`out`, `in`, `dhist`, `array`) and without `-s` it clears histories and arrays only,
            # no answer (a fairness review, 295: `%reset -f out` cost all five)
            read = naming_options("reset", " ".join(args))
            hit = read is None or not read[1] or "s" in read[0]
        elif magic == "%store":                     # `%store a_` saves it; only `-r` sets names (a fairness review)
            # ... and with names only those (a fairness review, 387: `%store -r results` cost all five)
            hit = any(a.startswith("-") and "r" in a for a in args) and (
                not words or names is None or any(w in names for w in words))
        elif magic == "%reset_selective":
            read = naming_options("reset_selective", " ".join(args))
            try:
                hit = read is None or names is None or not read[1] or any(re.search(read[1], n) for n in names)
            except re.error:
                hit = True
        else:
            hit = True
        if hit:
            return f"`{magic}` on line {line}"
    return ""


def _naming_magics(source: str) -> list[tuple[int, str, str]]:
    """(offset, magic, arguments) of each magic of `_NAMING_MAGIC` in the cell, as a line or a call."""
    found = [(at, m.group(1), m.group(2).split()) for at, m in magic_uses(source, _NAMING_MAGIC)]
    if "_magic" in source:
        found += [(m.start(), ("%" if m.group(1) == "line" else "%%") + m.group(3), (m.group(5) or "").split())
                  for m in _NAMING_CALL.finditer(source)]
    turned = ipython_text(source)               # `,get_ipython().run_line_magic reset -f` (review 218)
    if "_magic" in turned:
        found += [(line_offset(source, turned.count("\n", 0, m.start())), ("%" if m.group(1) == "line" else "%%")
                   + m.group(3), (m.group(5) or "").split()) for m in _NAMING_CALL.finditer(turned)]
    if "%" in source:               # `%time run x.py` runs `%run` (automagic: a two-hundred-and-forty-eighth review)
        for i, line in enumerate(cleaned(source).split("\n")):
            stmt = timed_statement(line) if "%" in line else None
            name = automagic(stmt) if stmt else None
            if name in _NAMING_NAMES:
                found.append((line_offset(source, i), "%" + name, stmt.split()[1:]))
    named = scan_text(source)       # `IPython.ｃore` is `IPython.core` (a 225th review); no comments
    made = makes_magic(named)       # an alias made (`x = %alias_magic t time`) runs what it stands for
    if made is not None and "alias_magic" in made.group():
        found.append((line_offset(source, named.count("\n", 0, made.start())), made.group(), []))
    return sorted(found, key=lambda f: f[0])

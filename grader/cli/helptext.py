"""Help text that fits the terminal it is read in.

Descriptions and examples are written as one long line each, so that the same text reads well at
any width; argparse's raw formatter would print them uncut (up to 600 columns), and its default one
would run the examples' columns together. Here a paragraph is wrapped, an example keeps its
command on the left and wraps its explanation under itself, and a command too long for the line
is continued with a backslash, so that it can still be pasted into a shell.
"""
from __future__ import annotations

import argparse
import re
import textwrap

_EXAMPLE = re.compile(r"^( +)(\S.*?\S)( {2,})(\S.*)$")   # indent, command, gap, what it does
_NARROWEST = 24                                         # below this, the explanation goes under the command


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in fit(text, max(width, 40)))


def fit(text: str, width: int) -> list[str]:
    """Every line of ``text`` at most ``width`` columns (a single word longer than that excepted)."""
    out: list[str] = []
    for line in _joined(_paragraphs(text.splitlines(), width)):
        out.extend(_fit_line(line, width))
    return out


def _paragraphs(lines: list[str], width: int) -> list[str]:
    """A paragraph broken by hand at another width than the terminal's (lines that start at the
    margin, one after another) is one line, wrapped again as a whole; one that fits stays as it is."""
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if line.strip() and not line.startswith(" "):
            run.append(line)
            continue
        if run:
            out.extend([" ".join(run)] if any(len(r) > width for r in run) else run)
            run = []
        out.append(line)
    return out[:-1]


def _joined(lines: list[str]) -> list[str]:
    """An example's explanation continued by hand on the next lines (indented to its column) is
    one explanation, wrapped again as a whole."""
    out: list[str] = []
    column = None
    for line in lines:
        lead = len(line) - len(line.lstrip(" "))
        if column is not None and line.strip() and lead == column and out:
            out[-1] += " " + line.strip()
            continue
        m = _EXAMPLE.match(line)
        column = len(m.group(1)) + len(m.group(2)) + len(m.group(3)) if m else None
        out.append(line)
    return out


def _fit_line(line: str, width: int) -> list[str]:
    if len(line) <= width:
        return [line]
    lead = len(line) - len(line.lstrip(" "))
    m = _EXAMPLE.match(line) if lead else None
    if m:
        indent, command, gap, what = m.groups()
        column = len(indent) + len(command) + len(gap)
        said = textwrap.wrap(what, max(width - column, 1), break_on_hyphens=False, break_long_words=False)
        if width - column >= _NARROWEST and all(len(s) <= width - column for s in said):
            return [indent + command + gap + said[0], *(" " * column + s for s in said[1:])]
        under = " " * (len(indent) + 4)
        return [*_command(indent + command, width),
                *textwrap.wrap(what, width, initial_indent=under, subsequent_indent=under, break_on_hyphens=False)]
    if lead and line.lstrip().startswith(("grader ", "GRADER_")):
        return _command(line, width)
    pad = " " * lead
    return textwrap.wrap(line.strip(), width, initial_indent=pad, subsequent_indent=pad,
                         break_on_hyphens=False, break_long_words=False)


def _command(line: str, width: int) -> list[str]:
    """A shell command over several lines, each but the last ending in `` \\``; words (quoted
    arguments included) are never split."""
    if len(line) <= width:
        return [line]
    lead = len(line) - len(line.lstrip(" "))
    words = re.findall(r"""(?:"[^"]*"|'[^']*'|\S)+""", line.strip())
    out, current = [], " " * lead + words[0]
    for word in words[1:]:
        if len(current) + 1 + len(word) + 2 > width:
            out.append(current + " \\")
            current = " " * (lead + 4) + word
        else:
            current += " " + word
    return [*out, current]

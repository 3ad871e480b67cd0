"""The grader's regular expressions over a student's text: none may take time quadratic in its length (review 456: a
string of 49,900 `%` in each of nineteen cells above the answers held the grader's process, and Python's lock, some
10 s a cell in `_RESETS`'s `%+(?:reset|...)`: an honest classmate's jobs graded beside it waited on the grader past
their 60 s and lost points)."""
from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import string
import time
from pathlib import Path

import pytest

import grader

# Patterns only ever matched against short texts the grader bounds (a file or folder name, at most 255 bytes): a
# quadratic search there costs microseconds
_BOUNDED = {"grader.identity._PARTICIPANT_FORM"}
_UNITS = list(string.printable) + ["é", "Ｉ", "\u2028", "\xa0", "\U0001F600", "\x85"] + [
    a + b for a in "%! \t$'\"\\#=({.,;_a0\n" for b in "%! \t$'\"\\#=({.,;_a0\n" if a != b]


def _patterns() -> list[tuple[str, re.Pattern, bool]]:
    """Every compiled pattern at the top level of the grader's modules (but the code that runs next to student code,
    `grader.child`), and whether its module only ever anchors it (`.match`, `.fullmatch`): a search tries every
    start, a match one."""
    out = []
    for info in pkgutil.walk_packages(grader.__path__, "grader."):
        if info.name.startswith("grader.child") or info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception:  # noqa: BLE001 - a module that needs torch or a server's extra: not the grader's reading
            continue
        source = Path(module.__file__).read_text(encoding="utf-8")
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and \
                    f"{info.name}.{name}" not in _BOUNDED and re.search(rf"^{re.escape(name)}\s*[:=]", source, re.M):
                uses = set(re.findall(rf"\b{re.escape(name)}\.(\w+)\(", source))
                elsewhere = len(re.findall(rf"\b{re.escape(name)}\b(?!\.\w+\()", source)) > 1
                out.append((f"{info.name}.{name}", value, uses <= {"match", "fullmatch"} and not elsewhere))
    return out


_FLAGS = {"M": re.M, "MULTILINE": re.M, "I": re.I, "IGNORECASE": re.I, "S": re.S, "DOTALL": re.S, "X": re.X,
          "VERBOSE": re.X, "A": re.A, "ASCII": re.A}


def _written_inline() -> list[tuple[str, re.Pattern, bool]]:
    """The patterns written where they are used, `re.search(r"...", text)`, with the flags written beside them; in one
    written as an f-string, each value put in is read as a name (they are names, escaped, or checked to be)."""
    out = []
    for path in sorted(Path(grader.__path__[0]).rglob("*.py")):
        if "child" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(
                    node.func.value, ast.Name) and node.func.value.id == "re" and node.args):
                continue
            first = node.args[0]
            if isinstance(first, ast.JoinedStr) and all(isinstance(v, (ast.Constant, ast.FormattedValue))
                                                        for v in first.values):
                # (an f-string: each name it puts in read as a name, `re.escape(name)` or one a test made one)
                text = "".join(v.value if isinstance(v, ast.Constant) else "name_" for v in first.values)
            elif isinstance(first, ast.Constant) and isinstance(first.value, str):
                text = first.value
            else:
                continue
            method = node.func.attr
            if method not in ("search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"):
                continue
            flags = 0
            for arg in [*node.args[1:], *(k.value for k in node.keywords if k.arg == "flags")]:
                for part in ast.walk(arg):
                    if isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name) and part.value.id == "re":
                        flags |= _FLAGS.get(part.attr, 0)
            try:
                pattern = re.compile(text, flags)
            except re.error:
                continue                # (an f-string whose pieces are no pattern alone)
            out.append((f"{path.name}:{node.lineno}", pattern,
                        method in ("match", "fullmatch")))
    return out


def test_every_pattern_of_the_grader_reads_a_long_run_in_linear_time():
    """Each pattern over runs of one character, or of two alternating: a search that is linear reads 8,000 characters
    in under a millisecond; `%+(?:reset|...)` took 0.28 s (49,900: 10 s), and the prefilter of magic lines in cells
    above the answers (a break, blanks, anything up to `=` and an escape) backtracked in cubic time over form feeds
    (0.15 s at 800 characters: hours at a cell's limit)."""
    patterns = _patterns()
    assert len(patterns) > 100 and any(n.endswith("answers._RESETS") for n, _, _ in patterns)
    inline = _written_inline()
    assert len(inline) > 50 and any(n.startswith("notebook.py:") for n, _, _ in inline)
    patterns += inline
    slow = []
    for name, pattern, anchored in patterns:
        read = pattern.match if anchored else pattern.search
        for unit in _UNITS:
            text = unit.encode() if isinstance(pattern.pattern, bytes) else unit
            if isinstance(pattern.pattern, bytes) and not unit.isascii():
                continue
            started = time.process_time()
            read(text * (2000 // len(text)))
            spent = time.process_time() - started
            if spent < 0.002:
                continue                    # (a quadratic reading takes some 15 ms at this length, a cubic 2 s)
            if spent < 0.25:
                started = time.process_time()
                read(text * (8000 // len(text)))
                spent = time.process_time() - started
            if spent > 0.1:                 # (linear: under a millisecond at 8,000; `_RESETS`' was 0.28 s)
                slow.append((name, unit, round(spent, 2)))
    assert not slow, slow

"""May a notebook's regular expression find a name (`%reset_selective -f PATTERN` deletes every name `re.search` finds
it in)? Read without running the pattern: Python's `re` backtracks, and a pattern of a few characters on a name of
twenty-five can hold the grader for seconds (review 423: `%reset_selective -f (.|.)*#` asked of
`PendingDeprecationWarning`, five seconds a line, thousands of lines a cell). The pattern is read into a small tree
and run over the name as the set of places a match may have reached, a few steps a character of the pattern for each
character of the name; what the reading does not follow (a look-around, a back-reference, a flag, an atomic group, a
possessive repeat) may match, as does every pattern once the cell's ``Budget`` of steps is spent. The grader never
compiles or runs a student's pattern to answer this."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field


class _Unread(Exception):
    """A construct the reading does not follow: the pattern may match."""


@dataclass
class Budget:
    """Steps left for one cell's patterns (a step: one place a part of a pattern is tried at)."""
    steps: int = 50_000


@dataclass(frozen=True)
class _Char:
    """One character of a set: ``chars``, ``ranges`` (merged, in order: their starts and ends) and ``kinds`` (`w`,
    `d`, `s`, and `W`, `D`, `S`), ``negated`` for `[^...]`; ``anything`` for `.` (any character but a line break). A
    character is found among the ranges by halving (review 425: a class of 16,000 ranges was read range by range)."""
    chars: frozenset = frozenset()
    ranges: tuple = ((), ())
    kinds: frozenset = frozenset()
    negated: bool = False
    anything: bool = False

    def fits(self, ch: str) -> bool:
        if self.anything:
            return ch != "\n"
        los, his = self.ranges
        at = bisect.bisect_right(los, ch) - 1
        inside = ch in self.chars or at >= 0 and ch <= his[at] or any(_KIND[k](ch) for k in self.kinds)
        return inside != self.negated


def _merged(ranges: list[tuple[str, str]]) -> tuple[tuple, tuple]:
    los: list[str] = []
    his: list[str] = []
    for lo, hi in sorted(ranges):
        if his and lo <= his[-1]:
            his[-1] = max(his[-1], hi)
        else:
            los.append(lo)
            his.append(hi)
    return tuple(los), tuple(his)


_KIND = {"w": lambda c: c.isalnum() or c == "_", "d": str.isdecimal, "s": str.isspace,
         "W": lambda c: not (c.isalnum() or c == "_"), "D": lambda c: not c.isdecimal(), "S": lambda c: not c.isspace()}
_ESCAPED = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}


@dataclass(frozen=True)
class _Seq:
    parts: tuple


@dataclass(frozen=True)
class _Alt:
    ways: tuple


@dataclass(frozen=True)
class _Repeat:
    part: object
    least: int
    most: int | None


@dataclass(frozen=True)
class _At:
    """A place, not a character: `^` and `\\A` (the start), `$` (the end, or before a last line break), `\\Z` (the
    end), `\\b` and `\\B` (a word's edge, or none)."""
    kind: str


# (only ever matched at a `{`: `bench/patterns.py` lists it, for a search that tries it at every digit of a run)
_QUANTITY = re.compile(r"\{(\d*)(,?)(\d*)\}")
_MOST_DEPTH = 40
_MOST_TIMES = 4_294_967_294            # (above, Python refuses a repeat: `re`'s MAXREPEAT less one)


@dataclass
class _Reader:
    text: str
    at: int = 0
    depth: int = 0
    groups: set = field(default_factory=set)

    def alternation(self) -> object:
        ways = [self.sequence()]
        while self.at < len(self.text) and self.text[self.at] == "|":
            self.at += 1
            ways.append(self.sequence())
        return ways[0] if len(ways) == 1 else _Alt(tuple(ways))

    def sequence(self) -> _Seq:
        parts = []
        while self.at < len(self.text) and self.text[self.at] not in "|)":
            if not parts and _QUANTITY.match(self.text, self.at):
                raise _Unread               # (a repeat of nothing: Python refuses it)
            part = self.atom()
            parts.append(self.quantified(part))
        return _Seq(tuple(parts))

    def quantified(self, part: object) -> object:
        text = self.text
        if self.at >= len(text):
            return part
        ch = text[self.at]
        if ch in "*+?":
            least, most = {"*": (0, None), "+": (1, None), "?": (0, 1)}[ch]
            self.at += 1
        elif ch == "{" and _QUANTITY.match(text, self.at):
            m = _QUANTITY.match(text, self.at)
            lo, comma, hi = m.groups()
            if not lo and not comma:
                raise _Unread               # (`{}`: Python reads the braces as characters)
            least, most = int(lo or 0), (int(hi) if hi else None) if comma else int(lo)
            if most is not None and most < least or least > _MOST_TIMES or (most or 0) > _MOST_TIMES:
                raise _Unread               # (Python refuses these)
            self.at = m.end()
        else:
            return part
        if isinstance(part, _At):
            raise _Unread                   # (`^*`: Python refuses or reads it its own way)
        if self.at < len(text) and text[self.at] == "+":
            raise _Unread                   # possessive: gives nothing back, which can change whether it matches
        if self.at < len(text) and text[self.at] == "?":
            self.at += 1                    # lazy: the same strings match
        if self.at < len(text) and text[self.at] in "*+?{":
            raise _Unread                   # (a repeat of a repeat: Python refuses it)
        return _Repeat(part, least, most)

    def atom(self) -> object:
        ch = self.text[self.at]
        if ch == "(":
            return self.group()
        if ch == "[":
            return self.char_set()
        self.at += 1
        if ch == ".":
            return _Char(anything=True)
        if ch == "^":
            return _At("start")
        if ch == "$":
            return _At("end")
        if ch in "*+?":
            raise _Unread
        if ch == "\\":
            return self.escape(in_set=False)
        return _Char(chars=frozenset(ch))

    def group(self) -> object:
        text = self.text
        self.at += 1
        if text.startswith("?:", self.at):
            self.at += 2
        elif text.startswith("?P<", self.at):
            close = text.find(">", self.at)
            name = text[self.at + 3:close]
            if close < 0 or not name.isidentifier() or name in self.groups:
                raise _Unread               # (Python refuses a name twice, or one that is no identifier)
            self.groups.add(name)
            self.at = close + 1
        elif text.startswith("?", self.at):
            raise _Unread                   # look-arounds, flags, comments, conditions, atomic groups
        self.depth += 1
        if self.depth > _MOST_DEPTH:
            raise _Unread
        inner = self.alternation()
        self.depth -= 1
        if self.at >= len(text) or text[self.at] != ")":
            raise _Unread
        self.at += 1
        return inner

    def escape(self, in_set: bool) -> object:
        text = self.text
        if self.at >= len(text):
            raise _Unread
        ch = text[self.at]
        self.at += 1
        if ch in _KIND:
            return _Char(kinds=frozenset(ch))
        if ch in _ESCAPED:
            return _Char(chars=frozenset(_ESCAPED[ch]))
        if not in_set and ch in "AZbB":
            return _At({"A": "start", "Z": "last", "b": "edge", "B": "inside"}[ch])
        if ch.isascii() and not ch.isalnum():
            return _Char(chars=frozenset(ch))
        raise _Unread                       # `\1`, `\x41`, `\N{...}`, `\u0041`, ...

    def char_set(self) -> _Char:
        text = self.text
        self.at += 1
        negated = text.startswith("^", self.at)
        self.at += negated
        chars: set[str] = set()
        ranges: list[tuple[str, str]] = []
        kinds: set[str] = set()
        first = True
        while True:
            if self.at >= len(text):
                raise _Unread
            ch = text[self.at]
            if ch == "]" and not first:
                self.at += 1
                break
            first = False
            if ch == "[" or text.startswith(("--", "&&", "~~", "||"), self.at):
                raise _Unread               # (Python warns of these, and may read them otherwise one day)
            if ch == "\\":
                self.at += 1
                one = self.escape(in_set=True)
                if one.kinds:
                    if text.startswith("-", self.at) and text[self.at + 1:self.at + 2] not in ("]", ""):
                        raise _Unread       # (`[\w-z]`: Python refuses a range from a class; review 424)
                    kinds |= one.kinds
                    continue
                ch = next(iter(one.chars))
            else:
                self.at += 1
            if text.startswith("-", self.at) and self.at + 1 < len(text) and text[self.at + 1] != "]":
                self.at += 1
                hi = text[self.at]
                self.at += 1
                if hi == "\\":
                    one = self.escape(in_set=True)
                    if one.kinds:
                        raise _Unread
                    hi = next(iter(one.chars))
                if hi < ch:
                    raise _Unread
                ranges.append((ch, hi))
            else:
                chars.add(ch)
        return _Char(frozenset(chars), _merged(ranges), frozenset(kinds), negated)


def read_pattern(pattern: str) -> object | None:
    """The pattern's tree, or None where the reading does not follow it (read once, asked of many names)."""
    try:
        reader = _Reader(pattern)
        tree = reader.alternation()
    except (_Unread, IndexError, ValueError):
        return None
    return tree if reader.at == len(pattern) else None


def may_find(tree: object | None, name: str, budget: Budget) -> bool:
    """Might `re.search(pattern, name)` find a match, for the pattern read as ``tree`` (`read_pattern`)? Exact where
    the pattern is read; True where it is not, and once ``budget`` is spent."""
    if tree is None or budget.steps <= 0:
        return True
    try:
        return bool(_Run(name, budget).ends(tree, frozenset(range(len(name) + 1))))
    except _Unread:
        return True


@dataclass
class _Run:
    text: str
    budget: Budget

    def spend(self, steps: int) -> None:
        self.budget.steps -= steps
        if self.budget.steps < 0:
            raise _Unread

    def ends(self, node: object, starts: frozenset) -> frozenset:
        """The places a match of ``node`` begun at any of ``starts`` may end."""
        if not starts:
            return starts
        self.spend(len(starts))
        text = self.text
        if isinstance(node, _Char):
            return frozenset(p + 1 for p in starts if p < len(text) and node.fits(text[p]))
        if isinstance(node, _Seq):
            for part in node.parts:
                starts = self.ends(part, starts)
                if not starts:
                    break
            return starts
        if isinstance(node, _Alt):
            return frozenset().union(*(self.ends(way, starts) for way in node.ways))
        if isinstance(node, _At):
            return frozenset(p for p in starts if self.at(node.kind, p))
        return self.repeated(node, starts)

    def repeated(self, node: _Repeat, starts: frozenset) -> frozenset:
        now = starts
        for _ in range(node.least):
            after = self.ends(node.part, now)
            if after == now or not after:   # (nothing more can change: the same places, or none)
                now = after
                break
            now = after
        reached = set(now)
        times = node.least
        while now and (node.most is None or times < node.most):
            now = self.ends(node.part, now) - reached
            reached |= now
            times += 1
        return frozenset(reached)

    def at(self, kind: str, p: int) -> bool:
        text, n = self.text, len(self.text)
        if kind == "start":
            return p == 0
        if kind == "end":
            return p == n or p == n - 1 and text[-1] == "\n"
        if kind == "last":
            return p == n
        if not n:
            return False                    # (Python finds neither in an empty text)
        word = [0 < p <= n and _KIND["w"](text[p - 1]), p < n and _KIND["w"](text[p])]
        return (word[0] != word[1]) == (kind == "edge")

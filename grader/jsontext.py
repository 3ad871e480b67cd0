"""The text of a submitted notebook for ``json.loads``, and what its strings will take in memory.

Python keeps a string at the width of its widest character: one emoji makes a text 4 bytes a
character, one curly quote 2. A 52 MB notebook whose one output began with an emoji took the
grader to 467 MB (a ninety-ninth review): the file's text and that output, 200 MB each. What a
file will cost is judged from its bytes before anything is decoded; a large file whose wide
characters sit in short strings (the template's curly quotes, next to megabytes of plain output)
is decoded with those characters escaped, so that its text stays one byte a character.
"""
from __future__ import annotations

import functools
import json
import re

# Lead bytes of UTF-8 sequences for characters from U+0100 on (2 bytes in memory) and from
# U+10000 on (4 bytes); JSON escapes of the same characters, which parse to the same strings.
_WIDE_SEQUENCE = re.compile(rb"[\xc4-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_WIDE_ESCAPE = re.compile(rb"\\u(?!00)[0-9a-fA-F]{4}")
_ESCAPED_HALF = re.compile(rb"\\u[dD][89a-fA-F]")          # the first half of an emoji, escaped
MAX_WIDE = 1_000_000           # wide characters a large file may hold (a novel in an output: no)
MAX_BACKSLASHES = 1024         # before a quote, when telling where a string ends


class TooWide(Exception):
    """The file's strings would take more memory than a notebook may; ``width``: bytes a character."""

    def __init__(self, width: int):
        super().__init__(width)
        self.width = width


def widest_character(raw: bytes) -> int:
    """Bytes a character of the file's text takes in memory: 1, 2 or 4."""
    if _ESCAPED_HALF.search(raw) or (not raw.isascii() and re.search(rb"[\xf0-\xff]", raw)):
        return 4
    if _WIDE_ESCAPE.search(raw) or (not raw.isascii() and re.search(rb"[\xc4-\xef]", raw)):
        return 2
    return 1


def text_of(raw: bytes, max_bytes: int) -> str:
    """The text to parse, its text and parsed strings together within twice ``max_bytes``.
    Raises TooWide when they would not be, UnicodeDecodeError for a file that is not UTF-8."""
    width = widest_character(raw)
    if len(raw) * width <= max_bytes:          # text and strings, each at most max_bytes
        return raw.decode("utf-8")
    wide = _wide_characters(raw, width)
    strings = _cost_of_strings(raw, wide)
    growth = sum(len(_escape(raw[p:p + n])) - n for p, n, _ in wide if n)
    if len(raw) + growth + strings > 2 * max_bytes:
        raise TooWide(width)
    return _WIDE_SEQUENCE.sub(lambda m: _escape(m.group()), raw).decode("utf-8")


def _wide_characters(raw: bytes, width: int) -> list[tuple[int, int, int]]:
    """(position, length of its UTF-8 sequence or 0 for an escape, bytes in memory), in order."""
    found = []
    for pattern in (_WIDE_SEQUENCE, _WIDE_ESCAPE):
        for m in pattern.finditer(raw):
            if len(found) >= MAX_WIDE:
                raise TooWide(width)
            if pattern is _WIDE_SEQUENCE:
                found.append((m.start(), m.end() - m.start(), 4 if m.end() - m.start() == 4 else 2))
            else:
                found.append((m.start(), 0, 4 if m.group()[2:3] in b"dD" and m.group()[3:4] in b"89abAB" else 2))
    return sorted(found)


def _cost_of_strings(raw: bytes, wide: list[tuple[int, int, int]]) -> int:
    """Bytes the parsed strings take: the file's size, plus (width - 1) a character for each
    string that holds a wide character, at the width of its widest."""
    extra, start, end, width = 0, 0, -1, 1
    for pos, _, w in wide:
        if pos < end:
            width = max(width, w)
            continue
        extra += (end - start) * (width - 1) if end > 0 else 0
        start, end, width = _string_start(raw, pos), _string_end(raw, pos), w
    extra += (end - start) * (width - 1) if end > 0 else 0
    return len(raw) + extra


def _escaped(raw: bytes, quote: int) -> bool:
    n = 0
    while n < quote and raw[quote - 1 - n] == 0x5C:
        n += 1
        if n >= MAX_BACKSLASHES:
            raise TooWide(4)
    return n % 2 == 1


def _string_start(raw: bytes, pos: int) -> int:
    i = pos
    while True:
        i = raw.rfind(b'"', 0, i)
        if i < 0 or not _escaped(raw, i):
            return max(i, 0)


def _string_end(raw: bytes, pos: int) -> int:
    j = pos
    while True:
        j = raw.find(b'"', j)
        if j < 0:
            return len(raw)
        if not _escaped(raw, j):
            return j + 1
        j += 1


@functools.lru_cache(maxsize=4096)
def _escape(sequence: bytes) -> bytes:
    """One character as JSON writes it in ASCII (an emoji as its two escaped halves)."""
    return json.dumps(sequence.decode("utf-8"))[1:-1].encode("ascii")

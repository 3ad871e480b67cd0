"""CSV that a spreadsheet opens as data, never as formulas (OWASP "CSV injection").

A field that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, ``=cmd|...``). Every text
field the grader writes to a CSV passes ``cell``: such a field gets a leading single quote
(shown as text, and the quote is not displayed), control characters that break readers become
U+FFFD and a carriage return a line break. Numbers the grader formats itself are passed as numbers (``float``/``int``) and stay
numbers, so ``-2`` points remain a number. ``uncell`` undoes the quote for fields we read back.
"""
from __future__ import annotations

import unicodedata
from typing import Any, Iterable

from .render import clean_text

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_LEADING = (*TRIGGERS, "\n")          # a carriage return is written as a line break (below)
# Full-width forms a spreadsheet may read as the ASCII ones, and characters that show as nothing:
# a formula behind a space, a no-break space or a line separator is still one where an import
# trims the field (a thirty-eighth review: file names ' =1+1.ipynb', '\u00a0=1+1.ipynb').
# Small forms too (U+FE62 '﹢', U+FE63 '﹣', U+FE66 '﹦', U+FE6B '﹫'), and behind any character that is
# not printable or a lone combining mark (U+200E, U+202A, U+2061, U+180E, U+034F: a sixty-fourth review).
_WIDE = ("\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe62", "\ufe63", "\ufe66", "\ufe6b")


def _blank(ch: str) -> bool:
    """Shows as nothing, or only on another character: space, a format character (zero-width
    space, soft hyphen, a direction mark) or a mark."""
    return ch.isspace() or not ch.isprintable() or unicodedata.category(ch) in ("Mn", "Me")


def _risky(text: str) -> bool:
    if text[:1] in _LEADING:
        return True
    start = next((ch for ch in text if not _blank(ch)), "")
    return start in TRIGGERS or start in _WIDE


def cell(value: Any) -> Any:
    """A CSV field: text neutralised, numbers (and None) untouched."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    # A lone carriage return is a line break only some readers accept inside a field.
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    if _risky(text.lstrip("'")) and (text[:1] == "'" or _risky(text)):
        text = "'" + text             # (a text that already starts with quotes gets one more: exact round trip)
    return clean_text(text)


def uncell(text: str | None) -> str:
    """Read back a field written by ``cell`` (a TA's spreadsheet keeps the quote)."""
    text = text or ""
    if text.startswith("'") and _risky(text.lstrip("'")):
        return text[1:]
    return text


def fmt(v: Any) -> str:
    """A number as the reports show it (no trailing zeros); None is empty."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def field(v: Any) -> str:
    """One field: numbers formatted by us (``-2`` stays a number), any text neutralised."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        return fmt(v)
    return cell(v)


# Quoted besides what a CSV writer must quote (the comma, the quote, line breaks): the separators
# a spreadsheet may split on instead of the comma (Excel in a German locale splits on ';',
# LibreOffice offers tab and ';'). Unquoted, 'x;=1+1' became a cell '=1+1' there, a formula behind
# the neutralised start (a fifty-eighth review).
_QUOTED = (",", '"', "\n", "\r", ";", "\t")


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in _QUOTED) else text


def frame_csv(frame) -> str:
    """A pandas frame whose text is already neutralised (``cell``), as ``frame.to_csv(index=False)``
    writes it (its numbers as pandas prints them: 10.0, an empty field for a missing one), with
    ';' and tabs quoted as ``to_csv`` quotes them (pandas quotes only what the comma needs)."""
    def plain(v: Any) -> str:
        return "" if v is None or (isinstance(v, float) and v != v) else str(v)
    lines = [",".join(_quote(str(c)) for c in frame.columns)]
    lines += [",".join(_quote(plain(v)) for v in row) for row in frame.itertuples(index=False, name=None)]
    return "".join(line + "\n" for line in lines)         # pandas' line ends


def to_csv(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """Rows to CSV text (as the csv module writes them, ';' and tabs quoted too). Pass numbers as
    numbers: text is always neutralised."""
    lines = [",".join(_quote(str(cell(h))) for h in header)]
    lines += [",".join(_quote(field(v)) for v in row) for row in rows]
    return "".join(line + "\r\n" for line in lines)

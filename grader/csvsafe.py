"""CSV that a spreadsheet opens as data, never as formulas (OWASP "CSV injection").

A field that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, ``=cmd|...``). Every text
field the grader writes to a CSV passes ``cell``: such a field gets a leading single quote
(shown as text, and the quote is not displayed), control characters that break readers become
U+FFFD. Numbers the grader formats itself are passed as numbers (``float``/``int``) and stay
numbers, so ``-2`` points remain a number. ``uncell`` undoes the quote for fields we read back.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable

from .render import clean_text

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A CSV field: text neutralised, numbers (and None) untouched."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    if text.startswith(TRIGGERS):
        text = "'" + text
    return clean_text(text)


def uncell(text: str | None) -> str:
    """Read back a field written by ``cell`` (a TA's spreadsheet keeps the quote)."""
    text = text or ""
    if text.startswith("'") and text[1:].startswith(TRIGGERS):
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


def to_csv(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """Rows to CSV text. Pass numbers as numbers: text is always neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([cell(h) for h in header])
    for row in rows:
        w.writerow([field(v) for v in row])
    return buf.getvalue()

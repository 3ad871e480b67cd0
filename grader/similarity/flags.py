"""The ``similar`` flag in each student's report and in ``summary.csv``.

The one place that writes grading records: through the gradebook, like every other command. The
flag is set on every student of a flagged pair and removed
from everyone else, so a rerun with another threshold leaves no stale flag. It changes no
points: a flag is a note for the TA, never a deduction.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..spec import Spec

FLAG = "similar"


@dataclass
class Flagged:
    students: int          # reports that carry the flag now
    changed: int           # reports rewritten
    failed: list[str]      # reports (or summary.csv) that could not be written, with the reason


def apply_flags(reports: Path, flagged: set[str], spec: Spec) -> Flagged:
    """Set ``similar`` on the submissions whose key is in ``flagged``, clear it elsewhere, through
    the gradebook (the source of truth), then rewrite the changed reports and ``summary.csv``. A
    failure to write is listed, not fatal: the view is written already."""
    from ..gradebook import open_gradebook
    from ..gradebook.outputs import finish
    changed: list[str] = []

    def flag(results) -> None:
        for r in results:
            want = r.key in flagged
            if want != (FLAG in r.flags):
                r.flags = [f for f in r.flags if f != FLAG] + ([FLAG] if want else [])
                changed.append(r.key)

    failed: list[str] = []
    results = {}
    try:
        gb = open_gradebook(reports)
        try:
            results = finish(gb, reports, spec, flag_cohort=flag, pages=False)
        finally:
            gb.close()
    except (OSError, UnicodeError, ValueError, sqlite3.Error) as exc:
        failed.append(f"gradebook: {type(exc).__name__}: {exc}")
    students = sum(1 for key in results if key in flagged)
    return Flagged(students, len(changed), failed)

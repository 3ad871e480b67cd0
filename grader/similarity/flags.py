"""The ``similar`` flag in each student's report and in ``summary.csv``.

The one place that writes grading records. Today they are the report folder's JSON files and
``summary.csv``, written with ``grader.report``'s own functions; at the merge with the gradebook
this becomes a write through it. The flag is set on every student of a flagged pair and removed
from everyone else, so a rerun with another threshold leaves no stale flag. It changes no
points: a flag is a note for the TA, never a deduction.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..exports import load_reports
from ..report import write_submission, write_summary
from ..spec import Spec

FLAG = "similar"


@dataclass
class Flagged:
    students: int          # reports that carry the flag now
    changed: int           # reports rewritten
    failed: list[str]      # reports (or summary.csv) that could not be written, with the reason


def apply_flags(reports: Path, flagged: set[str], spec: Spec) -> Flagged:
    """Set ``similar`` on the reports whose key is in ``flagged``, clear it elsewhere, rewrite
    ``summary.csv``. A report that cannot be written is listed, not fatal: the view is written
    already, and one bad file must not keep the flag from the others."""
    results = load_reports(reports)
    changed, failed = 0, []
    for key, r in results.items():
        want = (r.key or key) in flagged
        if want == (FLAG in r.flags):
            continue
        r.flags = [f for f in r.flags if f != FLAG] + ([FLAG] if want else [])
        try:
            write_submission(reports, r, key)
            changed += 1
        except (OSError, UnicodeError, ValueError) as exc:
            failed.append(f"{key}: {type(exc).__name__}: {exc}")
    if changed:
        try:
            write_summary(reports, list(results.values()), spec)
        except (OSError, UnicodeError, ValueError) as exc:
            failed.append(f"summary.csv: {type(exc).__name__}: {exc}")
    students = sum(1 for key, r in results.items() if (r.key or key) in flagged)
    return Flagged(students, changed, failed)

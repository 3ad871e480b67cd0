"""The ``similar`` flag in each student's report and in ``summary.csv``.

The one place that writes grading records. Today they are the report folder's JSON files and
``summary.csv``, written with ``grader.report``'s own functions; at the merge with the gradebook
this becomes a write through it. The flag is set on every student of a flagged pair and removed
from everyone else, so a rerun with another threshold leaves no stale flag. It changes no
points: a flag is a note for the TA, never a deduction.
"""
from __future__ import annotations

from pathlib import Path

from ..exports import load_reports
from ..report import write_submission, write_summary
from ..spec import Spec

FLAG = "similar"


def apply_flags(reports: Path, flagged: set[str], spec: Spec) -> tuple[int, int]:
    """Set ``similar`` on the reports whose key is in ``flagged``, clear it elsewhere, rewrite
    ``summary.csv``. Returns (students flagged, reports changed)."""
    results = load_reports(reports)
    changed = 0
    for key, r in results.items():
        want = (r.key or key) in flagged
        has = FLAG in r.flags
        if want == has:
            continue
        r.flags = [f for f in r.flags if f != FLAG] + ([FLAG] if want else [])
        write_submission(reports, r, key)
        changed += 1
    if changed:
        write_summary(reports, list(results.values()), spec)
    return sum(1 for key, r in results.items() if (r.key or key) in flagged), changed

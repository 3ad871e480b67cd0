"""Render the report folder from the gradebook: per-student CSV and JSON, summary.csv,
manual_answers.csv, feedback pages and the overview. Nothing here decides a grade; every file
is a rendering of ``decisions.results`` and can be rewritten at any time."""
from __future__ import annotations

from pathlib import Path

from ..report import write_submission, write_summary
from ..results import SubmissionResult
from ..spec import Spec
from .decisions import results as decided
from .store import Gradebook


def write_students(out: Path, results: dict[str, SubmissionResult]) -> None:
    for key, r in results.items():
        write_submission(out, r, key)


def write_reports(gb: Gradebook, out: Path, spec: Spec, keys=None, pages: bool = True, overview: bool = True,
                  results: dict[str, SubmissionResult] | None = None) -> dict[str, SubmissionResult]:
    """Rewrite what the gradebook renders to (for ``keys`` only, plus every summary)."""
    from ..feedback import write_feedback
    results = results if results is not None else decided(gb)
    chosen = results if keys is None else {k: results[k] for k in keys if k in results}
    write_students(out, chosen)
    write_summary(out, list(results.values()), spec)
    if pages:
        write_feedback(out, results, spec, only=None if keys is None else set(chosen), overview=overview)
    return results


def pending_answers(results: dict[str, SubmissionResult]) -> int:
    """Written answers that wait for a TA (no grade, or the answer changed since)."""
    return sum(1 for r in results.values() for c in r.checks
               if c.manual_task and c.answer is not None and (c.points is None or (c.review and c.review.stale)))

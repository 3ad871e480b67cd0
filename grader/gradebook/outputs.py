"""Render the report folder from the gradebook: per-student CSV and JSON, summary.csv,
manual_answers.csv, feedback pages and the overview. Nothing here decides a grade; every file
is a rendering of ``decisions.results`` and can be rewritten at any time."""
from __future__ import annotations

from pathlib import Path

from ..exports import refresh
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
    refresh(out, results, spec, keys)
    if pages:
        write_feedback(out, results, spec, only=None if keys is None else set(chosen), overview=overview)
    return results


def record(gb: Gradebook, out: Path, result: SubmissionResult, key: str) -> None:
    """Store one finished result (committed: survives kill -9) and render its files, TA grades
    applied. A failure raises (ReportWriteError, sqlite3.Error) after whatever was committed."""
    gb.store_result(result, key)
    write_submission(out, decided(gb, [key])[key], key)


def finish(gb: Gradebook, out: Path, spec: Spec, flag_cohort=None, pages: bool = True) -> dict[str, SubmissionResult]:
    """After a batch: flags that need the whole cohort (``flag_cohort`` mutates the automatic
    results' flags), then the summary, the changed students' files and the pages."""
    from ..feedback import write_feedback
    auto = gb.automatic()
    if flag_cohort is not None:
        before = {k: list(r.flags) for k, r in auto.items()}
        flag_cohort(list(auto.values()))
        changed = [k for k, r in auto.items() if r.flags != before[k]]
        for key in changed:
            gb.store_result(auto[key], key)
    else:
        changed = []
    results = decided(gb)
    write_students(out, {k: results[k] for k in changed})
    write_summary(out, list(results.values()), spec)
    refresh(out, results, spec)
    if pages:
        write_feedback(out, results, spec)
    return results


def pending_answers(results: dict[str, SubmissionResult]) -> int:
    """Written answers that wait for a TA (no grade, or the answer changed since)."""
    return sum(r.pending for r in results.values())

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


UPLOAD = "moodle_upload"       # gradebook meta: the Moodle upload file written last, and its grades


def grades_digest(results) -> str:
    """What a Moodle upload holds of the results: every point (a changed grade changes it)."""
    import hashlib
    import json
    rows = sorted((r.key, r.total_points, [(c.task, c.check, c.points) for c in r.checks]) for r in results)
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


def remember_upload(gb: Gradebook, path: Path, results) -> None:
    import json
    gb.set_meta(UPLOAD, json.dumps({"path": str(Path(path).resolve()), "digest": grades_digest(results)}))


def retire_stale_upload(gb: Gradebook, results) -> Path | None:
    """A Moodle upload file whose grades changed since it was written (a grade in the app, a merge,
    a regrade) is renamed ``.outdated``: nobody uploads yesterday's points (a TA's review found one
    at 94 beside every other output at 97.5). Returns the renamed file."""
    import json
    try:
        kept = json.loads(gb.meta(UPLOAD) or "null")
    except ValueError:
        kept = None
    if not isinstance(kept, dict) or kept.get("digest") == grades_digest(results):
        return None
    path = Path(str(kept.get("path", "")))
    gb.forget_meta(UPLOAD)
    if not path.is_file():
        return None
    old = path.with_name(path.name + ".outdated")
    try:
        path.replace(old)
    except OSError:
        return None
    return old


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
    retire_stale_upload(gb, list(results.values()))
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
    retire_stale_upload(gb, list(results.values()))
    if pages:
        write_feedback(out, results, spec)
    return results


def pending_answers(results: dict[str, SubmissionResult]) -> int:
    """Written answers that wait for a TA (no grade, or the answer changed since)."""
    return sum(r.pending for r in results.values())

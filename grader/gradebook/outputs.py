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


UPLOAD = "moodle_upload"       # gradebook meta: the Moodle upload files written, each with its grades


def grades_digest(results) -> str:
    """What a Moodle upload holds of the results: every point, and what a TA wrote to the student
    (its feedback comments: a hundred-and-twentieth review's comment added after the upload file was
    written left it as it was)."""
    import hashlib
    import json
    rows = sorted((r.key, r.total_points, [(c.task, c.check, c.points, c.message if c.manual_task else "")
                                           for c in r.checks]) for r in results)
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


def pending_digest(results) -> str:
    """Which written answers wait for a TA: an answer reopened by a resubmission keeps its old
    points (the grades digest does not move) but is no longer final (a seventy-fifth review: the
    upload file kept its name and held 90 for an answer nobody had read)."""
    import hashlib
    return hashlib.sha256(repr(sorted((r.key, r.pending) for r in results if r.pending)).encode()).hexdigest()


def _uploads(gb: Gradebook) -> list[dict]:
    """The upload files remembered (an older gradebook kept one, as a single object)."""
    import json
    try:
        kept = json.loads(gb.meta(UPLOAD) or "[]")
    except ValueError:
        return []
    kept = [kept] if isinstance(kept, dict) else kept
    return [k for k in kept if isinstance(k, dict) and isinstance(k.get("path"), str)] if isinstance(kept, list) else []


def remember_upload(gb: Gradebook, path: Path, results) -> None:
    """Every upload file written is remembered, not the last one only (a TA's review: three
    worksheets filled, a regrade renamed only the last, and the first still held old grades)."""
    import json
    where = str(Path(path).resolve())
    kept = [k for k in _uploads(gb) if k["path"] != where][-63:]
    kept.append({"path": where, "digest": grades_digest(results), "pending": pending_digest(results)})
    gb.set_meta(UPLOAD, json.dumps(kept))


def upload_files(gb: Gradebook) -> list[Path]:
    """The Moodle upload files written from this gradebook that are still there."""
    return [Path(k["path"]) for k in _uploads(gb) if Path(k["path"]).is_file()]


def retire_stale_upload(gb: Gradebook, results) -> list[Path]:
    """Moodle upload files whose grades changed since they were written (a grade in the app, a
    merge, a regrade) are renamed ``.outdated``: nobody uploads yesterday's points (a TA's review
    found one at 94 beside every other output at 97.5). Returns the renamed files."""
    import json
    kept = _uploads(gb)
    if not kept:
        return []
    digest, pending = grades_digest(results), pending_digest(results)
    same = lambda k: k.get("digest") == digest and k.get("pending", pending) == pending   # noqa: E731
    current, renamed = [k for k in kept if same(k)], []
    for k in kept:
        if same(k):
            continue
        path = Path(k["path"])
        old = path.with_name(path.name + ".outdated")
        try:
            if path.is_file():
                path.replace(old)
                renamed.append(old)
        except OSError:
            pass
    if len(current) != len(kept):
        gb.set_meta(UPLOAD, json.dumps(current)) if current else gb.forget_meta(UPLOAD)
    return renamed


def write_students(out: Path, results: dict[str, SubmissionResult]) -> None:
    for key, r in results.items():
        write_submission(out, r, key)


def write_reports(gb: Gradebook, out: Path, spec: Spec, keys=None, pages: bool = True, overview: bool = True,
                  results: dict[str, SubmissionResult] | None = None) -> dict[str, SubmissionResult]:
    """Rewrite what the gradebook renders to (for ``keys`` only, plus every summary)."""
    from ..feedback import write_feedback
    results = results if results is not None else decided(gb, pictures=False)
    chosen = results if keys is None else {k: results[k] for k in keys if k in results}
    write_students(out, chosen)
    write_summary(out, list(results.values()), spec)
    refresh(out, results, spec, keys)
    retire_stale_upload(gb, list(results.values()))
    if pages:
        write_feedback(out, results, spec, only=None if keys is None else set(chosen), overview=overview)
    return results


def record(gb: Gradebook, out: Path, result: SubmissionResult, key: str) -> SubmissionResult:
    """Store one finished result (committed: survives kill -9) and render its files, TA grades
    applied; returns it so rendered. A failure raises (ReportWriteError, sqlite3.Error) after
    whatever was committed."""
    gb.store_result(result, key)
    shown = decided(gb, [key], pictures=False)[key]     # its report names the photos (report.result_dict)
    write_submission(out, shown, key)
    return shown


def finish(gb: Gradebook, out: Path, spec: Spec, flag_cohort=None, pages: bool = True) -> dict[str, SubmissionResult]:
    """After a batch: flags that need the whole cohort (``flag_cohort`` mutates the automatic
    results' flags), then the summary, every student's files and the pages."""
    from ..feedback import write_feedback
    auto = gb.automatic(pictures=False)
    if flag_cohort is not None:
        before = {k: list(r.flags) for k, r in auto.items()}
        flag_cohort(list(auto.values()))
        changed = [k for k, r in auto.items() if r.flags != before[k]]
        with gb.transaction():              # all of them or none: a kill halfway left a notebook `gone` unflagged
            for key in changed:             # stored whole: read again with the pictures
                whole = gb.automatic([key])[key]
                whole.flags = auto[key].flags
                gb.store_result(whole, key)
    else:
        changed = []
    results = decided(gb, pictures=False)
    # Every student's files, not only the changed ones: a server killed between a TA's save and its rendering left
    # those files behind the gradebook, and a batch that graded nothing new kept them so (review 481). A file whose
    # text is the same is left alone: a millisecond a student.
    write_students(out, results)
    write_summary(out, list(results.values()), spec)
    refresh(out, results, spec)
    retire_stale_upload(gb, list(results.values()))
    if pages:
        write_feedback(out, results, spec)
    return results


def pending_answers(results: dict[str, SubmissionResult]) -> int:
    """Written answers that wait for a TA (no grade, or the answer changed since)."""
    return sum(r.pending for r in results.values())
